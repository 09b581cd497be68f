//! Storage handles: a field of a `#[contract]` struct is a handle that knows its slot and
//! byte offset and reads and writes the words there as solc does.
//!
//! Reads take `&self` and writes `&mut self`, so a `#[view]` method (`&self`) cannot write.
//! A handle reached through `&self` (an entry of a mapping, an element of an array) comes
//! as a [`View`], which only lends `&` access.

use core::marker::PhantomData;
use core::ops::Deref;

use alloc::string::String;
use alloc::vec::Vec;

use crate::crypto::keccak256;
use crate::storage::{load, store, StorageKey, StorageValue};
use crate::types::Word;
use crate::U256;

/// A handle on storage at a slot and byte offset.
pub trait StorageType {
    /// The handle at `slot`, `offset` bytes from the low-order end of the word.
    fn at(slot: Word, offset: u8) -> Self;
}

/// A type that can be a field of a storage struct, a mapping's value or an array's element.
pub trait Storable {
    /// Bytes it takes in a slot (solc's packing): the value's size for value types, 32 for
    /// mappings, dynamic arrays, `bytes` and `string`.
    const BYTES: usize;
    /// Its handle.
    type Handle: StorageType;
}

impl<T: StorageValue> Storable for T {
    const BYTES: usize = T::BYTES;
    type Handle = Field<T>;
}

/// Read-only access to a handle reached through `&self`.
pub struct View<H>(H);

impl<H> Deref for View<H> {
    type Target = H;
    fn deref(&self) -> &H {
        &self.0
    }
}

fn slot_plus(slot: &Word, n: U256) -> Word {
    U256::from_be_bytes::<32>(*slot).wrapping_add(n).to_be_bytes::<32>()
}

/// A value type at a slot and offset (`uint256`, `address`, `bool`, `uintN`, `bytes32`).
pub struct Field<T> {
    slot: Word,
    offset: u8,
    _type: PhantomData<T>,
}

impl<T> StorageType for Field<T> {
    fn at(slot: Word, offset: u8) -> Self {
        Field { slot, offset, _type: PhantomData }
    }
}

impl<T: StorageValue> Field<T> {
    /// The byte range of the value in the big-endian word.
    fn range(&self) -> core::ops::Range<usize> {
        let end = 32 - usize::from(self.offset);
        end - T::BYTES..end
    }

    /// Reads the value.
    pub fn get(&self) -> T {
        let word = load(&self.slot);
        if T::BYTES == 32 {
            return T::from_word(&word);
        }
        let mut w = [0u8; 32];
        w[32 - T::BYTES..].copy_from_slice(&word[self.range()]);
        T::from_word(&w)
    }

    /// Writes the value (a packed value keeps its neighbours in the slot).
    pub fn set(&mut self, value: T) {
        let new = value.to_word();
        if T::BYTES == 32 {
            return store(&self.slot, &new);
        }
        let mut word = load(&self.slot);
        word[self.range()].copy_from_slice(&new[32 - T::BYTES..]);
        store(&self.slot, &word)
    }
}

/// `mapping(K => V)`: the entry for key `k` lives at `keccak256(pad32(k) ‖ slot)`
/// (`keccak256(k ‖ slot)` for `bytes` and `string` keys).
pub struct Mapping<K: ?Sized, V> {
    slot: Word,
    _types: PhantomData<fn(&K) -> V>,
}

impl<K: ?Sized, V> StorageType for Mapping<K, V> {
    fn at(slot: Word, _offset: u8) -> Self {
        Mapping { slot, _types: PhantomData }
    }
}

impl<K: ?Sized, V> Storable for Mapping<K, V> {
    const BYTES: usize = 32;
    type Handle = Self;
}

impl<K: StorageKey + ?Sized, V: Storable> Mapping<K, V> {
    /// The entry for `key`, read-only (for nested mappings and other non-value entries).
    pub fn at(&self, key: &K) -> View<V::Handle> {
        View(V::Handle::at(key.derive_slot(&self.slot), 0))
    }

    /// The entry for `key`, writable.
    pub fn at_mut(&mut self, key: &K) -> V::Handle {
        V::Handle::at(key.derive_slot(&self.slot), 0)
    }
}

impl<K: StorageKey + ?Sized, V: StorageValue> Mapping<K, V> {
    /// The value for `key` (zero if never written).
    pub fn get(&self, key: &K) -> V {
        V::from_word(&load(&key.derive_slot(&self.slot)))
    }

    /// Writes the value for `key`.
    pub fn set(&mut self, key: &K, value: V) {
        store(&key.derive_slot(&self.slot), &value.to_word())
    }
}

/// A dynamic array `T[]`: its length at the slot, its elements from `keccak256(slot)` on,
/// packed as solc packs them (several per slot when an element takes 16 bytes or fewer).
pub struct StorageVec<T> {
    slot: Word,
    _type: PhantomData<T>,
}

impl<T> StorageType for StorageVec<T> {
    fn at(slot: Word, _offset: u8) -> Self {
        StorageVec { slot, _type: PhantomData }
    }
}

impl<T> Storable for StorageVec<T> {
    const BYTES: usize = 32;
    type Handle = Self;
}

impl<T: Storable> StorageVec<T> {
    /// Elements per slot.
    const PER_SLOT: u64 = if T::BYTES <= 16 { (32 / T::BYTES) as u64 } else { 1 };

    /// The number of elements.
    pub fn len(&self) -> u64 {
        // Solidity keeps lengths below 2^64; a larger word reads as the saturated length.
        u64::try_from(U256::from_be_bytes::<32>(load(&self.slot))).unwrap_or(u64::MAX)
    }

    /// Whether the array is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn place(&self, i: u64) -> (Word, u8) {
        let base = keccak256(&self.slot);
        let slot = slot_plus(&base, U256::from(i / Self::PER_SLOT));
        // `i % PER_SLOT` is below 32 and `T::BYTES` at most 16 when packed: below 256.
        let offset = ((i % Self::PER_SLOT) as usize * T::BYTES) as u8;
        (slot, offset)
    }

    /// Element `i`, read-only, or `None` past the end.
    pub fn at(&self, i: u64) -> Option<View<T::Handle>> {
        (i < self.len()).then(|| {
            let (slot, offset) = self.place(i);
            View(T::Handle::at(slot, offset))
        })
    }

    /// Element `i`, writable, or `None` past the end.
    pub fn at_mut(&mut self, i: u64) -> Option<T::Handle> {
        (i < self.len()).then(|| {
            let (slot, offset) = self.place(i);
            T::Handle::at(slot, offset)
        })
    }

    /// Appends an element (zero) and returns its handle.
    pub fn grow(&mut self) -> T::Handle {
        let n = self.len();
        store(&self.slot, &U256::from(n + 1).to_be_bytes::<32>());
        let (slot, offset) = self.place(n);
        T::Handle::at(slot, offset)
    }
}

impl<T: StorageValue> StorageVec<T> {
    /// Element `i`, or `None` past the end.
    pub fn get(&self, i: u64) -> Option<T> {
        self.at(i).map(|f| f.get())
    }

    /// Writes element `i`; `false` (and nothing written) past the end.
    pub fn set(&mut self, i: u64, value: T) -> bool {
        match self.at_mut(i) {
            Some(mut f) => {
                f.set(value);
                true
            }
            None => false,
        }
    }

    /// Appends `value`.
    pub fn push(&mut self, value: T) {
        self.grow().set(value)
    }

    /// Removes the last element, clearing its storage as solc does.
    pub fn pop(&mut self) -> Option<T> {
        let n = self.len().checked_sub(1)?;
        let (slot, offset) = self.place(n);
        let mut f = Field::<T>::at(slot, offset);
        let v = f.get();
        f.set(T::from_word(&[0; 32]));
        store(&self.slot, &U256::from(n).to_be_bytes::<32>());
        Some(v)
    }
}

/// `bytes` as solc stores it: up to 31 bytes in the slot itself (data in the high-order
/// bytes, `2·len` in the lowest), longer ones as `2·len + 1` in the slot and the data from
/// `keccak256(slot)` on.
pub struct StorageBytes {
    slot: Word,
}

impl StorageType for StorageBytes {
    fn at(slot: Word, _offset: u8) -> Self {
        StorageBytes { slot }
    }
}

impl Storable for StorageBytes {
    const BYTES: usize = 32;
    type Handle = Self;
}

impl StorageBytes {
    /// The length in bytes.
    pub fn len(&self) -> usize {
        let w = load(&self.slot);
        if w[31] & 1 == 0 {
            usize::from(w[31] / 2)
        } else {
            // Long form: the word is 2·len + 1; lengths are far below 2^63.
            let n = U256::from_be_bytes::<32>(w) >> 1usize;
            usize::try_from(n).unwrap_or(usize::MAX)
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes.
    pub fn get(&self) -> Vec<u8> {
        let w = load(&self.slot);
        if w[31] & 1 == 0 {
            return w[..usize::from(w[31] / 2).min(31)].to_vec();
        }
        let len = read_len(&w);
        let mut out = alloc::vec![0u8; len.div_ceil(32) * 32];
        read_words(&self.slot, &mut out);
        out.truncate(len);
        out
    }

    /// Dispatcher support: ends the call returning the value ABI-encoded as one `bytes` or
    /// `string` (the same encoding), as solc's getter of a public `bytes` or `string`
    /// encodes it from storage: whole slot words (a short value's word with its length
    /// byte cleared), `Panic(0x22)` for a slot that is not a valid encoding. The data slots
    /// are read straight into the encoding; a short value needs no allocation.
    #[doc(hidden)]
    pub fn finish_abi(&self) -> ! {
        let w = load(&self.slot);
        let long = w[31] & 1 == 1;
        if !long {
            let len = w[31] / 2;
            if len > 31 {
                crate::env::revert_with_panic(0x22);
            }
            let mut out = [0u8; 96];
            out[31] = 0x20;
            out[63] = len;
            out[64..95].copy_from_slice(&w[..31]);
            crate::finish(&out[..if len == 0 { 64 } else { 96 }]);
        }
        let len = read_len(&w);
        if len < 32 {
            crate::env::revert_with_panic(0x22);
        }
        let words = len.div_ceil(32);
        let mut out = alloc::vec![0u8; 64 + 32 * words];
        out[31] = 0x20;
        out[32..64].copy_from_slice(&U256::from(len as u64).to_be_bytes::<32>());
        read_words(&self.slot, &mut out[64..]);
        crate::finish(&out)
    }

    /// The bytes (as [`StorageString::get_bytes`], so a getter reads either alike).
    pub fn get_bytes(&self) -> Vec<u8> {
        self.get()
    }

    /// Replaces the bytes (clearing the data slots the old value used beyond the new one).
    pub fn set(&mut self, data: &[u8]) {
        let old_slots = self.data_slots();
        let base = keccak256(&self.slot);
        if data.len() < 32 {
            let mut w = [0u8; 32];
            w[..data.len()].copy_from_slice(data);
            // Below 32: `2·len` fits the lowest byte.
            w[31] = (data.len() * 2) as u8;
            store(&self.slot, &w);
        } else {
            store(&self.slot, &U256::from(data.len() as u64 * 2 + 1).to_be_bytes::<32>());
            for (i, chunk) in data.chunks(32).enumerate() {
                let mut w = [0u8; 32];
                w[..chunk.len()].copy_from_slice(chunk);
                store(&slot_plus(&base, U256::from(i as u64)), &w);
            }
        }
        let new_slots = if data.len() < 32 { 0 } else { data.len().div_ceil(32) as u64 };
        for i in new_slots..old_slots {
            store(&slot_plus(&base, U256::from(i)), &[0; 32]);
        }
    }

    fn data_slots(&self) -> u64 {
        let w = load(&self.slot);
        if w[31] & 1 == 0 {
            0
        } else {
            self.len().div_ceil(32) as u64
        }
    }
}

/// The longest `bytes` or `string` value [`StorageBytes::get`] and the getters read:
/// 8,376 slots (268,032 bytes). Each slot read costs at least 2,000 gas on Ethereum (a cold
/// `SLOAD`, or one warmed by an access list), so a getter reading `n` slots after the length
/// slot pays at least 21,000 + 2,400 (the access list's address) + 2,000·(`n` + 1), more
/// than Osaka's transaction gas cap (EIP-7825, 2^24 = 16,777,216) from `n` = 8,376 on: every
/// value a transaction can read through solc's getter under Osaka, the SDK reads too. The cap
/// keeps the read's static gas bound (and with it the getters' per-selector bounds) inside the
/// 30 M block gas limit. A longer value ends the call as running out of gas would.
pub const MAX_READ_LEN: usize = 8_376 * 32;

/// The length of a value stored in the long form (`w` = `2·len + 1`); a longer one than
/// [`MAX_READ_LEN`] ends the call as running out of gas does (`out_of_gas`: the call fails
/// and keeps all its gas, as on Ethereum, where such a read cannot fit a block).
fn read_len(w: &Word) -> usize {
    let n = U256::from_be_bytes::<32>(*w) >> 1usize;
    match usize::try_from(n) {
        Ok(len) if len <= MAX_READ_LEN => len,
        _ => crate::host::out_of_gas(),
    }
}

/// Reads the data slots of a long value at `slot` into `out`, whole words, as many as fit
/// (at most [`MAX_READ_LEN`] / 32).
fn read_words(slot: &Word, out: &mut [u8]) {
    let base = Limbs::new(&keccak256(slot));
    let words = (out.len() / 32).min(MAX_READ_LEN / 32);
    let mut i = 0;
    while i < words {
        let mut w = [0u8; 32];
        crate::host::storage_load_into(&base.plus(i as u64), &mut w);
        if let Some(dst) = out.get_mut(32 * i..32 * i + 32) {
            dst.copy_from_slice(&w);
        }
        i += 1;
    }
}

/// A storage key as four 64-bit limbs (most significant first), so `key + i` is three adds
/// with carries rather than 256-bit arithmetic on bytes (and no branch a compiler could
/// turn into a loop).
struct Limbs([u64; 4]);

impl Limbs {
    fn new(key: &Word) -> Self {
        let limb = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&key[8 * i..8 * i + 8]);
            u64::from_be_bytes(b)
        };
        Limbs([limb(0), limb(1), limb(2), limb(3)])
    }

    /// `key + i` (modulo 2^256, as solc's slot arithmetic).
    fn plus(&self, i: u64) -> Word {
        let [a, b, c, d] = self.0;
        let (d, k) = d.overflowing_add(i);
        let (c, k) = c.overflowing_add(u64::from(k));
        let (b, k) = b.overflowing_add(u64::from(k));
        let a = a.wrapping_add(u64::from(k));
        let mut w = [0u8; 32];
        w[..8].copy_from_slice(&a.to_be_bytes());
        w[8..16].copy_from_slice(&b.to_be_bytes());
        w[16..24].copy_from_slice(&c.to_be_bytes());
        w[24..].copy_from_slice(&d.to_be_bytes());
        w
    }
}

/// `string`: stored exactly as `bytes`.
pub struct StorageString(StorageBytes);

impl StorageType for StorageString {
    fn at(slot: Word, offset: u8) -> Self {
        StorageString(StorageBytes::at(slot, offset))
    }
}

impl Storable for StorageString {
    const BYTES: usize = 32;
    type Handle = Self;
}

impl StorageString {
    /// The string; empty if the stored bytes are not UTF-8 (which only raw storage writes
    /// can make; [`StorageBytes::get`] on the same slot reads them).
    pub fn get(&self) -> String {
        String::from_utf8(self.0.get()).unwrap_or_default()
    }

    /// The stored bytes, as `bytes` (no UTF-8 check).
    pub fn get_bytes(&self) -> Vec<u8> {
        self.0.get()
    }

    /// Dispatcher support: [`StorageBytes::finish_abi`].
    #[doc(hidden)]
    pub fn finish_abi(&self) -> ! {
        self.0.finish_abi()
    }

    /// Replaces the string.
    pub fn set(&mut self, s: &str) {
        self.0.set(s.as_bytes())
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(all(test, not(any(target_arch = "wasm32", target_arch = "riscv64"))))]
mod tests {
    use super::*;
    use crate::mock::{self, Outcome};

    fn slot() -> Word {
        U256::from(7u8).to_be_bytes::<32>()
    }

    /// The ABI encoding of one `bytes` value.
    fn encoded(data: &[u8]) -> Vec<u8> {
        crate::abi::encode(&(data.to_vec(),))
    }

    fn getter() -> Outcome<()> {
        mock::run(|| StorageBytes::at(slot(), 0).finish_abi())
    }

    #[test]
    fn getters_encode_what_get_reads() {
        for n in [0usize, 1, 31, 32, 33, 64, 1000] {
            mock::reset();
            let data: Vec<u8> = (0..n).map(|i| i as u8 ^ 0x5a).collect();
            let mut b = StorageBytes::at(slot(), 0);
            b.set(&data);
            assert_eq!(b.get(), data, "{n} bytes");
            assert_eq!(getter(), Outcome::Finished(encoded(&data)), "{n} bytes");
        }
    }

    #[test]
    fn getters_follow_solc_on_raw_slots() {
        // A short value's word goes out whole, its length byte cleared (solc copies the
        // word); an invalid encoding is `Panic(0x22)`.
        mock::reset();
        let mut w = [0xEEu8; 32];
        w[31] = 2 * 3;
        store(&slot(), &w);
        let mut want = encoded(&[0xEE; 3]);
        want[64 + 3..64 + 31].fill(0xEE);
        assert_eq!(getter(), Outcome::Finished(want));
        w[31] = 2 * 40;
        store(&slot(), &w);
        assert_eq!(getter(), Outcome::Reverted(crate::abi::panic_code(0x22)));
        store(&slot(), &U256::from(2 * 5 + 1).to_be_bytes::<32>());
        assert_eq!(getter(), Outcome::Reverted(crate::abi::panic_code(0x22)));
    }

    #[test]
    fn reads_past_the_cap_run_out_of_gas() {
        mock::reset();
        let at_cap = U256::from(2 * MAX_READ_LEN + 1).to_be_bytes::<32>();
        store(&slot(), &at_cap);
        let Outcome::Finished(out) = getter() else { panic!("the cap itself is readable") };
        assert_eq!(out.len(), 64 + MAX_READ_LEN);
        for len in [U256::from(MAX_READ_LEN + 1), U256::from(1u8) << 200] {
            store(&slot(), &(len * U256::from(2u8) + U256::from(1u8)).to_be_bytes::<32>());
            assert_eq!(getter(), Outcome::OutOfGas);
            assert_eq!(mock::run(|| StorageBytes::at(slot(), 0).get().len()), Outcome::OutOfGas);
        }
    }
}
