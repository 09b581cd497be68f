//! Persistent and transient storage: raw words, typed slots and Solidity-compatible
//! mappings.
//!
//! Slot keys follow Solidity's layout, so a WASM contract can share a storage layout with
//! (or be inspected like) a Solidity contract: state variable `n` lives at slot `n`, and
//! `mapping(K => V)` at slot `p` keeps the value for key `k` at `keccak256(pad32(k) ‖ p)`
//! (`keccak256(k ‖ p)` without padding for `bytes` and `string` keys). Nested mappings
//! apply the rule again with the inner slot.

use core::marker::PhantomData;

use alloc::vec::Vec;

use crate::crypto::keccak256;
use crate::host;
use crate::types::{Address, Word};
use crate::u256::U256;

/// Reads the storage word at `key`.
pub fn load(key: &Word) -> Word {
    host::storage_load(key)
}

/// Writes `value` to the storage word at `key`. Fails the call in a static context.
pub fn store(key: &Word, value: &Word) {
    host::storage_store(key, value)
}

/// Transient storage (EIP-1153): kept across the calls of one transaction, cleared after.
pub mod transient {
    use crate::host;
    use crate::types::Word;

    /// Reads the transient word at `key`.
    pub fn load(key: &Word) -> Word {
        host::transient_load(key)
    }

    /// Writes the transient word at `key`. Fails the call in a static context.
    pub fn store(key: &Word, value: &Word) {
        host::transient_store(key, value)
    }
}

/// A value that fits one storage word.
pub trait StorageValue: Sized {
    /// Bytes the value takes when solc packs it into a slot (32 for full words).
    const BYTES: usize = 32;
    /// Decodes the value from a word (extra high bytes are ignored, as Solidity masks).
    fn from_word(w: &Word) -> Self;
    /// Encodes the value as a word (big-endian, left-padded).
    fn to_word(&self) -> Word;
}

impl StorageValue for Word {
    fn from_word(w: &Word) -> Self {
        *w
    }
    fn to_word(&self) -> Word {
        *self
    }
}

impl StorageValue for U256 {
    fn from_word(w: &Word) -> Self {
        U256::from_be_bytes::<32>(*w)
    }
    fn to_word(&self) -> Word {
        self.to_be_bytes::<32>()
    }
}

impl StorageValue for Address {
    const BYTES: usize = 20;
    fn from_word(w: &Word) -> Self {
        Address::from_word_truncating(w)
    }
    fn to_word(&self) -> Word {
        Address::to_word(self)
    }
}

impl StorageValue for bool {
    const BYTES: usize = 1;
    fn from_word(w: &Word) -> Self {
        w[31] != 0
    }
    fn to_word(&self) -> Word {
        let mut w = [0u8; 32];
        w[31] = u8::from(*self);
        w
    }
}

macro_rules! uint_value {
    ($($t:ty),*) => {$(
        impl StorageValue for $t {
            const BYTES: usize = core::mem::size_of::<$t>();
            fn from_word(w: &Word) -> Self {
                const N: usize = core::mem::size_of::<$t>();
                let mut b = [0u8; N];
                b.copy_from_slice(&w[32 - N..]);
                <$t>::from_be_bytes(b)
            }
            fn to_word(&self) -> Word {
                const N: usize = core::mem::size_of::<$t>();
                let mut w = [0u8; 32];
                w[32 - N..].copy_from_slice(&self.to_be_bytes());
                w
            }
        }
    )*};
}
uint_value!(u8, u16, u32, u64, u128);

/// A mapping key: how it combines with a mapping's slot (Solidity's rule).
pub trait StorageKey {
    /// The slot of this key in the mapping at `slot`.
    fn derive_slot(&self, slot: &Word) -> Word;
}

fn derive_padded(key: &Word, slot: &Word) -> Word {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(key);
    buf[32..].copy_from_slice(slot);
    keccak256(&buf)
}

impl<T: StorageValue> StorageKey for T {
    fn derive_slot(&self, slot: &Word) -> Word {
        derive_padded(&self.to_word(), slot)
    }
}

impl StorageKey for [u8] {
    fn derive_slot(&self, slot: &Word) -> Word {
        let mut buf = Vec::with_capacity(self.len() + 32);
        buf.extend_from_slice(self);
        buf.extend_from_slice(slot);
        keccak256(&buf)
    }
}

impl StorageKey for str {
    fn derive_slot(&self, slot: &Word) -> Word {
        self.as_bytes().derive_slot(slot)
    }
}

/// A storage slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(pub Word);

impl Slot {
    /// Slot number `n` (Solidity's state variable `n`).
    pub const fn at(n: u64) -> Slot {
        Slot(U256::from_limbs([n, 0, 0, 0]).to_be_bytes::<32>())
    }

    /// The slot `keccak256(name)`, computed at compile time when used in a constant (a
    /// namespaced slot that cannot collide with numbered ones).
    pub const fn named(name: &str) -> Slot {
        Slot(crate::keccak::keccak256_const(name.as_bytes()))
    }

    /// This slot plus `n` (modulo 2^256): the fields of a struct or the elements of an
    /// array that starts here.
    pub const fn offset(&self, n: u64) -> Slot {
        Slot(U256::from_be_bytes::<32>(self.0).wrapping_add(U256::from_limbs([n, 0, 0, 0])).to_be_bytes::<32>())
    }

    /// The slot of `key` in a mapping that lives at this slot.
    pub fn entry<K: StorageKey + ?Sized>(&self, key: &K) -> Slot {
        Slot(key.derive_slot(&self.0))
    }

    /// Reads the value.
    pub fn get<V: StorageValue>(&self) -> V {
        V::from_word(&load(&self.0))
    }

    /// Writes the value.
    pub fn set<V: StorageValue>(&self, value: V) {
        store(&self.0, &value.to_word())
    }

    /// Reads the value from transient storage at the same key.
    pub fn get_transient<V: StorageValue>(&self) -> V {
        V::from_word(&transient::load(&self.0))
    }

    /// Writes the value to transient storage at the same key.
    pub fn set_transient<V: StorageValue>(&self, value: V) {
        transient::store(&self.0, &value.to_word())
    }
}

/// `mapping(K => V)` at a slot.
pub struct Mapping<K: ?Sized, V> {
    slot: Slot,
    _types: PhantomData<fn(&K) -> V>,
}

impl<K: StorageKey + ?Sized, V: StorageValue> Mapping<K, V> {
    /// The mapping at slot number `n`.
    pub const fn at(n: u64) -> Self {
        Self::new(Slot::at(n))
    }

    /// The mapping at `slot`.
    pub const fn new(slot: Slot) -> Self {
        Mapping { slot, _types: PhantomData }
    }

    /// The slot that holds the value for `key`.
    pub fn entry(&self, key: &K) -> Slot {
        self.slot.entry(key)
    }

    /// The value for `key` (zero if never written).
    pub fn get(&self, key: &K) -> V {
        self.entry(key).get()
    }

    /// Writes the value for `key`.
    pub fn set(&self, key: &K, value: V) {
        self.entry(key).set(value)
    }
}

/// `mapping(K1 => mapping(K2 => V))` at a slot, such as ERC-20 allowances.
pub struct NestedMapping<K1: ?Sized, K2: ?Sized, V> {
    slot: Slot,
    _types: PhantomData<fn(&K1, &K2) -> V>,
}

impl<K1: StorageKey + ?Sized, K2: StorageKey + ?Sized, V: StorageValue> NestedMapping<K1, K2, V> {
    /// The mapping at slot number `n`.
    pub const fn at(n: u64) -> Self {
        Self::new(Slot::at(n))
    }

    /// The mapping at `slot`.
    pub const fn new(slot: Slot) -> Self {
        NestedMapping { slot, _types: PhantomData }
    }

    /// The slot that holds the value for `(k1, k2)`.
    pub fn entry(&self, k1: &K1, k2: &K2) -> Slot {
        self.slot.entry(k1).entry(k2)
    }

    /// The value for `(k1, k2)`.
    pub fn get(&self, k1: &K1, k2: &K2) -> V {
        self.entry(k1, k2).get()
    }

    /// Writes the value for `(k1, k2)`.
    pub fn set(&self, k1: &K1, k2: &K2, value: V) {
        self.entry(k1, k2).set(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keccak::keccak256_const;
    use crate::mock;

    fn hex_word(s: &str) -> Word {
        let mut w = [0u8; 32];
        for (i, b) in w.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        w
    }

    #[test]
    fn mapping_slot_follows_solidity() {
        mock::reset();
        // keccak256(abi.encode(address(0x...01), uint256(0))): Solidity's slot for
        // `balances[address(1)]` when `balances` is state variable 0.
        let a = Address({
            let mut b = [0u8; 20];
            b[19] = 1;
            b
        });
        let mut pre = [0u8; 64];
        pre[31] = 1;
        assert_eq!(Mapping::<Address, U256>::at(0).entry(&a).0, keccak256_const(&pre));
        assert_eq!(
            Mapping::<Address, U256>::at(0).entry(&a).0,
            hex_word("ada5013122d395ba3c54772283fb069b10426056ef8ca54750cb9bb552a59e7d")
        );
        // Nested: keccak(k2 ‖ keccak(k1 ‖ slot)).
        let nested = NestedMapping::<Address, Address, U256>::at(1).entry(&a, &Address::ZERO);
        let mut inner = [0u8; 64];
        inner[31] = 1;
        inner[63] = 1;
        let mut outer = [0u8; 64];
        outer[32..].copy_from_slice(&keccak256_const(&inner));
        assert_eq!(nested.0, keccak256_const(&outer));
        // String keys are not padded.
        let s = Slot::at(2).entry("ab");
        let mut raw = b"ab".to_vec();
        raw.extend_from_slice(&Slot::at(2).0);
        assert_eq!(s.0, keccak256_const(&raw));
    }

    #[test]
    fn typed_values_round_trip_through_storage() {
        mock::reset();
        let m = Mapping::<Address, U256>::at(0);
        let who = Address([9; 20]);
        assert_eq!(m.get(&who), U256::ZERO);
        m.set(&who, U256::from(500));
        assert_eq!(m.get(&who), U256::from(500));
        let raw = mock::with_env(|e| e.storage.get(&m.entry(&who).0).copied());
        assert_eq!(raw, Some(U256::from(500).to_be_bytes::<32>()));
        Slot::at(5).set(true);
        assert!(Slot::at(5).get::<bool>());
        Slot::at(6).set(0x1234u64);
        assert_eq!(Slot::at(6).get::<u64>(), 0x1234);
        Slot::at(7).set(who);
        assert_eq!(Slot::at(7).get::<Address>(), who);
        Slot::at(8).set_transient(U256::ONE);
        assert_eq!(Slot::at(8).get_transient::<U256>(), U256::ONE);
        assert_eq!(Slot::at(8).get::<U256>(), U256::ZERO, "transient and persistent are apart");
        assert_eq!(Slot::at(1).offset(2), Slot::at(3));
        assert_eq!(Slot::named("x").0, keccak256_const(b"x"));
    }
}
