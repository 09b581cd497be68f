//! The ABI word of a static value type: what the dispatcher decodes arguments from and
//! encodes results and event fields to without allocating.

use crate::types::{Address, Word};
use crate::U256;

/// A type whose ABI encoding is one 32-byte word.
pub trait AbiWord: Sized {
    /// The Solidity type name.
    const SOL_TYPE: &'static str;
    /// The word.
    fn abi_word(&self) -> Word;
    /// The value of a word, `None` if the word is not a canonical encoding of the type.
    fn from_abi_word(w: &Word) -> Option<Self>;
}

impl AbiWord for U256 {
    const SOL_TYPE: &'static str = "uint256";
    fn abi_word(&self) -> Word {
        self.to_be_bytes::<32>()
    }
    fn from_abi_word(w: &Word) -> Option<Self> {
        Some(U256::from_be_bytes::<32>(*w))
    }
}

impl AbiWord for Word {
    const SOL_TYPE: &'static str = "bytes32";
    fn abi_word(&self) -> Word {
        *self
    }
    fn from_abi_word(w: &Word) -> Option<Self> {
        Some(*w)
    }
}

impl AbiWord for Address {
    const SOL_TYPE: &'static str = "address";
    fn abi_word(&self) -> Word {
        self.to_word()
    }
    fn from_abi_word(w: &Word) -> Option<Self> {
        Address::from_word(w)
    }
}

impl AbiWord for bool {
    const SOL_TYPE: &'static str = "bool";
    fn abi_word(&self) -> Word {
        let mut w = [0u8; 32];
        w[31] = u8::from(*self);
        w
    }
    fn from_abi_word(w: &Word) -> Option<Self> {
        match (w[..31].iter().all(|&b| b == 0), w[31]) {
            (true, 0) => Some(false),
            (true, 1) => Some(true),
            _ => None,
        }
    }
}

macro_rules! uint_word {
    ($($t:ty => $name:literal),*) => {$(
        impl AbiWord for $t {
            const SOL_TYPE: &'static str = $name;
            fn abi_word(&self) -> Word {
                const N: usize = core::mem::size_of::<$t>();
                let mut w = [0u8; 32];
                w[32 - N..].copy_from_slice(&self.to_be_bytes());
                w
            }
            fn from_abi_word(w: &Word) -> Option<Self> {
                const N: usize = core::mem::size_of::<$t>();
                if w[..32 - N].iter().any(|&b| b != 0) {
                    return None;
                }
                let mut b = [0u8; N];
                b.copy_from_slice(&w[32 - N..]);
                Some(<$t>::from_be_bytes(b))
            }
        }
    )*};
}
uint_word!(u8 => "uint8", u16 => "uint16", u32 => "uint32", u64 => "uint64", u128 => "uint128");

/// `bytesN` for N below 32: the bytes left-aligned, the rest of the word zero.
macro_rules! fixed_bytes_word {
    ($($n:literal => $name:literal),*) => {$(
        impl AbiWord for [u8; $n] {
            const SOL_TYPE: &'static str = $name;
            fn abi_word(&self) -> Word {
                let mut w = [0u8; 32];
                w[..$n].copy_from_slice(self);
                w
            }
            fn from_abi_word(w: &Word) -> Option<Self> {
                if w[$n..].iter().any(|&b| b != 0) {
                    return None;
                }
                let mut b = [0u8; $n];
                b.copy_from_slice(&w[..$n]);
                Some(b)
            }
        }
    )*};
}
fixed_bytes_word!(
    1 => "bytes1", 2 => "bytes2", 3 => "bytes3", 4 => "bytes4", 5 => "bytes5", 6 => "bytes6", 7 => "bytes7",
    8 => "bytes8", 9 => "bytes9", 10 => "bytes10", 11 => "bytes11", 12 => "bytes12", 13 => "bytes13",
    14 => "bytes14", 15 => "bytes15", 16 => "bytes16", 17 => "bytes17", 18 => "bytes18", 19 => "bytes19",
    20 => "bytes20", 21 => "bytes21", 22 => "bytes22", 23 => "bytes23", 24 => "bytes24", 25 => "bytes25",
    26 => "bytes26", 27 => "bytes27", 28 => "bytes28", 29 => "bytes29", 30 => "bytes30", 31 => "bytes31"
);
