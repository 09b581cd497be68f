//! The ABI traits and their implementations for value types, `bytes`, `string` and
//! dynamic arrays.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{AbiError, AbiErrorKind};
use crate::types::{Address, Word};
use crate::u256::U256;

/// The shape of a Solidity ABI type.
pub trait AbiType {
    /// Whether the encoding is dynamic: it lives in the tail, the head holds its offset.
    const DYNAMIC: bool;
    /// Bytes the type takes in the head of an enclosing tuple or array: its whole encoding
    /// if static, the 32-byte offset if dynamic.
    const HEAD_SIZE: usize;
}

/// A value that encodes to the Solidity ABI.
pub trait Encode: AbiType {
    /// Appends the value's own encoding: for static types the `HEAD_SIZE` bytes, for dynamic
    /// types what goes in the tail. Offsets inside are relative to its start.
    fn encode_to(&self, out: &mut Vec<u8>);
}

/// A value that decodes from the Solidity ABI.
pub trait Decode: AbiType + Sized {
    /// Decodes the value whose encoding starts at byte `at` of `data` (offsets inside it
    /// are relative to `at`).
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError>;
}

// ---------------------------------------------------------------- words

/// The word at `at`.
pub(crate) fn word_at(data: &[u8], at: usize) -> Result<&Word, AbiError> {
    at.checked_add(32)
        .and_then(|end| data.get(at..end))
        .and_then(|s| <&Word>::try_from(s).ok())
        .ok_or(AbiError::new(AbiErrorKind::OutOfBounds, at))
}

/// The word at `at` as an offset or length: it must be below 2^32.
pub(crate) fn size_at(data: &[u8], at: usize) -> Result<usize, AbiError> {
    let w = word_at(data, at)?;
    if w[..28].iter().any(|&b| b != 0) {
        return Err(AbiError::new(AbiErrorKind::BadOffset, at));
    }
    let n = u32::from_be_bytes([w[28], w[29], w[30], w[31]]);
    usize::try_from(n).map_err(|_| AbiError::new(AbiErrorKind::BadOffset, at))
}

/// A size as a word.
pub(crate) fn size_word(n: usize) -> Word {
    // Zero-extension: usize is at most 64 bits.
    U256::from(n as u64).to_be_bytes::<32>()
}

macro_rules! static_word {
    ($t:ty) => {
        impl AbiType for $t {
            const DYNAMIC: bool = false;
            const HEAD_SIZE: usize = 32;
        }
    };
}

static_word!(U256);
impl Encode for U256 {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes::<32>());
    }
}
impl Decode for U256 {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        Ok(U256::from_be_bytes::<32>(*word_at(data, at)?))
    }
}

static_word!(Word);
impl Encode for Word {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}
impl Decode for Word {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        Ok(*word_at(data, at)?)
    }
}

static_word!(Address);
impl Encode for Address {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_word());
    }
}
impl Decode for Address {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        Address::from_word(word_at(data, at)?).ok_or(AbiError::new(AbiErrorKind::NotCanonical, at))
    }
}

static_word!(bool);
impl Encode for bool {
    fn encode_to(&self, out: &mut Vec<u8>) {
        let mut w = [0u8; 32];
        w[31] = u8::from(*self);
        out.extend_from_slice(&w);
    }
}
impl Decode for bool {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        match u64::try_from(U256::from_be_bytes::<32>(*word_at(data, at)?)).ok() {
            Some(0) => Ok(false),
            Some(1) => Ok(true),
            _ => Err(AbiError::new(AbiErrorKind::NotCanonical, at)),
        }
    }
}

// `bytes1` … `bytes31`: left-aligned in their word, the rest zero (checked when decoding).
macro_rules! fixed_bytes {
    ($($n:literal),*) => {$(
        static_word!([u8; $n]);
        impl Encode for [u8; $n] {
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&crate::contract::AbiWord::abi_word(self));
            }
        }
        impl Decode for [u8; $n] {
            fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
                <[u8; $n] as crate::contract::AbiWord>::from_abi_word(word_at(data, at)?)
                    .ok_or(AbiError::new(AbiErrorKind::NotCanonical, at))
            }
        }
    )*};
}
fixed_bytes!(
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
);

// `u8` is deliberately not an ABI type here, so that `[u8]` and `Vec<u8>` mean `bytes`.
macro_rules! uint {
    ($($t:ty),*) => {$(
        static_word!($t);
        impl Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&U256::from(u128::from(*self)).to_be_bytes::<32>());
            }
        }
        impl Decode for $t {
            fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
                <$t>::try_from(U256::from_be_bytes::<32>(*word_at(data, at)?))
                    .ok()
                    .ok_or(AbiError::new(AbiErrorKind::NotCanonical, at))
            }
        }
    )*};
}
uint!(u16, u32, u64, u128);

// ---------------------------------------------------------------- bytes and string

fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&size_word(b.len()));
    out.extend_from_slice(b);
    push_zeros(out, (32 - b.len() % 32) % 32);
}

/// Appends `n` zero bytes: one reservation and one fill (`memory.fill` on `wasm32`).
/// `Vec::resize` writes them in a loop whose trip count the static gas bounds cannot follow
/// (the old length is read from memory), which left every function that encodes a
/// dynamic value or a tuple unbounded.
#[allow(unsafe_code)]
pub(crate) fn push_zeros(out: &mut Vec<u8>, n: usize) {
    out.reserve(n);
    let len = out.len();
    // SAFETY: `reserve` made the capacity at least `len + n`, so the `n` bytes after `len`
    // lie in the vector's buffer; they are written before the length covers them.
    unsafe {
        core::ptr::write_bytes(out.as_mut_ptr().add(len), 0, n);
        out.set_len(len + n);
    }
}

fn decode_bytes(data: &[u8], at: usize) -> Result<Vec<u8>, AbiError> {
    let len = size_at(data, at)?;
    let start = at + 32; // `size_at` read 32 bytes from `at`, so this does not overflow
    start
        .checked_add(len)
        .and_then(|end| data.get(start..end))
        .map(<[u8]>::to_vec)
        .ok_or(AbiError::new(AbiErrorKind::OutOfBounds, start))
}

macro_rules! dynamic {
    ($($t:ty),*) => {$(
        impl AbiType for $t {
            const DYNAMIC: bool = true;
            const HEAD_SIZE: usize = 32;
        }
    )*};
}
dynamic!([u8], Vec<u8>, str, String);

impl Encode for [u8] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out)
    }
}
impl Encode for Vec<u8> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_bytes(self, out)
    }
}
impl Decode for Vec<u8> {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        decode_bytes(data, at)
    }
}
impl Encode for str {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_bytes(self.as_bytes(), out)
    }
}
impl Encode for String {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_bytes(self.as_bytes(), out)
    }
}
impl Decode for String {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        String::from_utf8(decode_bytes(data, at)?).map_err(|_| AbiError::new(AbiErrorKind::InvalidUtf8, at))
    }
}

// ---------------------------------------------------------------- sequences

/// Encodes one element of a tuple or array whose encoding started at `base`, writing its
/// head at `*head` (pre-reserved) and its tail, if dynamic, at the end.
pub(crate) fn encode_elem<T: Encode + ?Sized>(v: &T, out: &mut Vec<u8>, base: usize, head: &mut usize) {
    if T::DYNAMIC {
        let offset = size_word(out.len() - base);
        out[*head..*head + 32].copy_from_slice(&offset);
        v.encode_to(out);
    } else {
        let start = out.len();
        v.encode_to(out);
        out.copy_within(start.., *head);
        out.truncate(start);
    }
    *head += T::HEAD_SIZE;
}

/// Decodes one element of a tuple or array whose encoding starts at `base`, reading its
/// head at `*head`.
pub(crate) fn decode_elem<T: Decode>(data: &[u8], base: usize, head: &mut usize) -> Result<T, AbiError> {
    let v = if T::DYNAMIC {
        let offset = size_at(data, *head)?;
        let at = base.checked_add(offset).ok_or(AbiError::new(AbiErrorKind::BadOffset, *head))?;
        T::decode_at(data, at)?
    } else {
        T::decode_at(data, *head)?
    };
    *head += T::HEAD_SIZE;
    Ok(v)
}

fn encode_array<T: Encode>(items: &[T], out: &mut Vec<u8>) {
    out.extend_from_slice(&size_word(items.len()));
    let base = out.len();
    push_zeros(out, items.len() * T::HEAD_SIZE);
    let mut head = base;
    for item in items {
        encode_elem(item, out, base, &mut head);
    }
}

impl<T: Encode> AbiType for [T] {
    const DYNAMIC: bool = true;
    const HEAD_SIZE: usize = 32;
}
impl<T: Encode> Encode for [T] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_array(self, out)
    }
}
impl<T: AbiType> AbiType for Vec<T> {
    const DYNAMIC: bool = true;
    const HEAD_SIZE: usize = 32;
}
impl<T: Encode> Encode for Vec<T> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_array(self, out)
    }
}
impl<T: Decode> Decode for Vec<T> {
    fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
        let len = size_at(data, at)?;
        let base = at + 32; // `size_at` read 32 bytes from `at`
                            // Every element takes at least its head: refuse lengths the data cannot hold
                            // before allocating for them.
        let fits = len.checked_mul(T::HEAD_SIZE).and_then(|n| n.checked_add(base)).is_some_and(|end| end <= data.len());
        if !fits {
            return Err(AbiError::new(AbiErrorKind::BadOffset, at));
        }
        let mut items = Vec::with_capacity(len);
        let mut head = base;
        for _ in 0..len {
            items.push(decode_elem(data, base, &mut head)?);
        }
        Ok(items)
    }
}

impl<T: AbiType + ?Sized> AbiType for &T {
    const DYNAMIC: bool = T::DYNAMIC;
    const HEAD_SIZE: usize = T::HEAD_SIZE;
}
impl<T: Encode + ?Sized> Encode for &T {
    fn encode_to(&self, out: &mut Vec<u8>) {
        (**self).encode_to(out)
    }
}
