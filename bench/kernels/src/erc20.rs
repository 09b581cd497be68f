//! ERC20-style transfers: an open-addressing hash map (linear probing, fixed capacity, in the
//! scratch area) from 20-byte addresses to 256-bit balances.

use crate::mul256::U256;
use crate::{mix, Rng};

/// A 20-byte account address.
pub type Address = [u8; 20];

/// Words per map slot: the address packed in 3 words, an occupied flag, the balance.
pub const SLOT_WORDS: usize = 8;
/// The map's capacity when the scratch area is large enough (4096 slots, 256 KiB).
pub const MAX_SLOTS: usize = 4096;

/// The address of account number `k`: 20 bytes derived from `k`.
pub fn address(k: u64) -> Address {
    let mut a = [0u8; 20];
    let mut rng = Rng::new(k.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ 0xA076_1D64_78BD_642F);
    for chunk in a.chunks_mut(8) {
        let w = rng.next_u64().to_le_bytes();
        chunk.copy_from_slice(&w[..chunk.len()]);
    }
    a
}

/// The map, over a scratch area.
pub struct Balances<'a> {
    slots: &'a mut [u64],
    mask: usize,
}

fn pack(a: &Address) -> [u64; 3] {
    let mut w = [0u64; 3];
    for (i, b) in a.iter().enumerate() {
        w[i / 8] |= u64::from(*b) << (8 * (i % 8));
    }
    w
}

impl<'a> Balances<'a> {
    /// An empty map using the largest power-of-two number of slots (at most [`MAX_SLOTS`])
    /// that fits in `scratch`.
    pub fn new(scratch: &'a mut [u64]) -> Balances<'a> {
        let fit = scratch.len() / SLOT_WORDS;
        let mut slots = MAX_SLOTS;
        while slots > fit {
            slots /= 2;
        }
        let slots_words = &mut scratch[..slots * SLOT_WORDS];
        slots_words.fill(0);
        Balances { slots: slots_words, mask: slots.wrapping_sub(1) }
    }

    /// Number of slots.
    pub fn capacity(&self) -> usize {
        self.slots.len() / SLOT_WORDS
    }

    /// The slot holding `key`, or the empty slot where it would go (`None` if the map is
    /// full and `key` is absent).
    fn probe(&self, key: &[u64; 3]) -> Option<(usize, bool)> {
        let h = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(42)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut i = (h >> 40) as usize & self.mask;
        for _ in 0..self.capacity() {
            let s = &self.slots[i * SLOT_WORDS..(i + 1) * SLOT_WORDS];
            if s[3] == 0 {
                return Some((i, false));
            }
            // Word by word: a slice comparison would become a call to a byte-wise memcmp.
            if s[0] == key[0] && s[1] == key[1] && s[2] == key[2] {
                return Some((i, true));
            }
            i = (i + 1) & self.mask;
        }
        None
    }

    /// The balance of `a` (zero if absent).
    pub fn get(&self, a: &Address) -> U256 {
        match self.probe(&pack(a)) {
            Some((i, true)) => self.balance(i),
            _ => [0; 4],
        }
    }

    fn balance(&self, i: usize) -> U256 {
        let mut b = [0u64; 4];
        b.copy_from_slice(&self.slots[i * SLOT_WORDS + 4..(i + 1) * SLOT_WORDS]);
        b
    }

    /// The slot of `key`, inserted with a zero balance if absent; `None` if the map is full.
    fn slot(&mut self, key: &[u64; 3]) -> Option<usize> {
        let (i, present) = self.probe(key)?;
        if !present {
            let s = &mut self.slots[i * SLOT_WORDS..(i + 1) * SLOT_WORDS];
            s[..3].copy_from_slice(key);
            s[3] = 1;
        }
        Some(i)
    }

    /// Sets the balance of `a`; `false` if the map is full.
    pub fn set(&mut self, a: &Address, value: U256) -> bool {
        match self.slot(&pack(a)) {
            Some(i) => {
                self.slots[i * SLOT_WORDS + 4..(i + 1) * SLOT_WORDS].copy_from_slice(&value);
                true
            }
            None => false,
        }
    }

    /// Moves `amount` from `from` to `to` if `from` holds enough; `false` otherwise (or if
    /// the map is full), changing nothing.
    pub fn transfer(&mut self, from: &Address, to: &Address, amount: &U256) -> bool {
        let Some((f, true)) = self.probe(&pack(from)) else {
            return false;
        };
        let Some(diff) = sub(&self.balance(f), amount) else {
            return false;
        };
        let Some(t) = self.slot(&pack(to)) else {
            return false;
        };
        // Debit first, then credit: a transfer to oneself leaves the balance unchanged.
        self.slots[f * SLOT_WORDS + 4..(f + 1) * SLOT_WORDS].copy_from_slice(&diff);
        let credited = add(&self.balance(t), amount);
        self.slots[t * SLOT_WORDS + 4..(t + 1) * SLOT_WORDS].copy_from_slice(&credited);
        true
    }

    /// Folds every occupied slot (address and balance), in slot order.
    pub fn fold(&self, acc: u64) -> u64 {
        self.slots
            .chunks_exact(SLOT_WORDS)
            .filter(|s| s[3] != 0)
            .fold(acc, |acc, s| s.iter().fold(acc, |acc, &w| mix(acc, w)))
    }
}

/// `a - b`, or `None` if `b > a`.
pub fn sub(a: &U256, b: &U256) -> Option<U256> {
    let mut r = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (v, b1) = a[i].overflowing_sub(b[i]);
        let (v, b2) = v.overflowing_sub(u64::from(borrow));
        r[i] = v;
        borrow = b1 | b2;
    }
    (!borrow).then_some(r)
}

/// `a + b` modulo 2^256.
pub fn add(a: &U256, b: &U256) -> U256 {
    let mut r = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (v, c1) = a[i].overflowing_add(b[i]);
        let (v, c2) = v.overflowing_add(u64::from(carry));
        r[i] = v;
        carry = c1 | c2;
    }
    r
}

/// Accounts minted at the start (fewer if the map is small).
pub const ACCOUNTS: u64 = 1024;

/// The kernel: mints `2^80 + k` to accounts `0..ACCOUNTS`, then makes `n` transfers of
/// random amounts (up to 2^76) between random accounts of `0..1.5 * ACCOUNTS` (a third of
/// them start absent: a transfer from an absent account fails, one to it creates it). The
/// checksum folds the number of failed transfers and the whole map.
pub fn kernel(n: u64, scratch: &mut [u64]) -> u64 {
    let mut map = Balances::new(scratch);
    let accounts = ACCOUNTS.min(map.capacity() as u64 / 2);
    if accounts == 0 {
        return 0;
    }
    for k in 0..accounts {
        map.set(&address(k), [k, 1 << 16, 0, 0]);
    }
    let mut rng = Rng::new(0xE4C2_0000_0000_0001);
    let mut failed = 0u64;
    for _ in 0..n {
        let from = address(rng.below(accounts + accounts / 2));
        let to = address(rng.below(accounts + accounts / 2));
        let amount = [rng.next_u64(), rng.below(1 << 12), 0, 0];
        if !map.transfer(&from, &to, &amount) {
            failed += 1;
        }
    }
    map.fold(mix(0, failed))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::collections::HashMap;
    use std::vec;

    use super::*;

    /// The same transfers on a std HashMap with ruint balances.
    fn reference(n: u64, accounts: u64) -> (u64, HashMap<Address, ruint::aliases::U256>) {
        use ruint::aliases::U256 as R;
        let mut map = HashMap::new();
        for k in 0..accounts {
            map.insert(address(k), R::from_limbs([k, 1 << 16, 0, 0]));
        }
        let mut rng = Rng::new(0xE4C2_0000_0000_0001);
        let mut failed = 0;
        for _ in 0..n {
            let from = address(rng.below(accounts + accounts / 2));
            let to = address(rng.below(accounts + accounts / 2));
            let amount = R::from_limbs([rng.next_u64(), rng.below(1 << 12), 0, 0]);
            let have = map.get(&from).copied().unwrap_or(R::ZERO);
            if !map.contains_key(&from) || have < amount {
                failed += 1;
                continue;
            }
            map.insert(from, have - amount);
            *map.entry(to).or_insert(R::ZERO) += amount;
        }
        (failed, map)
    }

    #[test]
    fn matches_a_std_hashmap() {
        let mut scratch = vec![0u64; MAX_SLOTS * SLOT_WORDS];
        let n = 20_000;
        let sum = kernel(n, &mut scratch);
        let (failed, want) = reference(n, ACCOUNTS);
        assert!(failed > 0 && failed < n / 2, "failed {failed}");
        // Rebuild the kernel's final map to compare balances one by one.
        let map = Balances { mask: MAX_SLOTS - 1, slots: &mut scratch[..MAX_SLOTS * SLOT_WORDS] };
        let occupied = map.slots.chunks_exact(SLOT_WORDS).filter(|s| s[3] != 0).count();
        assert_eq!(occupied, want.len());
        for (a, b) in &want {
            assert_eq!(map.get(a), *b.as_limbs());
        }
        assert_eq!(map.fold(mix(0, failed)), sum);
    }

    #[test]
    fn arithmetic_and_full_map() {
        assert_eq!(sub(&[0, 1, 0, 0], &[1, 0, 0, 0]), Some([u64::MAX, 0, 0, 0]));
        assert_eq!(sub(&[0; 4], &[1, 0, 0, 0]), None);
        assert_eq!(add(&[u64::MAX; 4], &[1, 0, 0, 0]), [0; 4]);
        let mut scratch = vec![0u64; 2 * SLOT_WORDS];
        let mut map = Balances::new(&mut scratch);
        assert_eq!(map.capacity(), 2);
        assert!(map.set(&address(1), [5, 0, 0, 0]));
        assert!(map.set(&address(2), [0; 4]));
        assert!(!map.set(&address(3), [1, 0, 0, 0]));
        assert!(!map.transfer(&address(1), &address(3), &[1, 0, 0, 0]));
        assert!(map.transfer(&address(1), &address(2), &[5, 0, 0, 0]));
        assert!(map.transfer(&address(2), &address(2), &[5, 0, 0, 0]));
        assert_eq!(map.get(&address(2)), [5, 0, 0, 0]);
        assert_eq!(map.get(&address(1)), [0; 4]);
        assert!(!map.transfer(&address(3), &address(1), &[0; 4]));
    }
}
