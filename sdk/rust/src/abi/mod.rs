//! The Solidity contract ABI: selectors, parameter encoding and decoding, revert data.
//!
//! Types map to Solidity types as follows:
//!
//! | Rust | Solidity |
//! |---|---|
//! | [`U256`], `u16`, `u32`, `u64`, `u128` | `uint256` (`uintN` when decoding checks the range) |
//! | [`Address`](crate::Address) | `address` |
//! | `bool` | `bool` |
//! | [`Word`](crate::Word) (`[u8; 32]`) | `bytes32` |
//! | `Vec<u8>`, `[u8]` | `bytes` |
//! | `String`, `str` | `string` |
//! | `Vec<T>`, `[T]` | `T[]` |
//! | tuples of up to 8 | tuples and parameter lists |
//!
//! `u8` is not an ABI type here, so that `Vec<u8>` means `bytes`; use `u16` or wider for
//! `uint8` values (encoding is the same word).
//!
//! ```
//! use zkos_sdk::abi;
//! use zkos_sdk::{selector, Address, U256};
//!
//! let to = Address([0x11; 20]);
//! let input = abi::encode_call(selector!("transfer(address,uint256)"), &(to, U256::from(5)));
//! assert_eq!(input.len(), 4 + 64);
//! let (sel, args) = abi::split_selector(&input).unwrap();
//! assert_eq!(sel, [0xa9, 0x05, 0x9c, 0xbb]);
//! let (to2, amount): (Address, U256) = abi::decode(args).unwrap();
//! assert_eq!((to2, amount), (to, U256::from(5)));
//!
//! let names = abi::encode(&(vec![String::from("a"), String::from("bc")],));
//! let (back,): (Vec<String>,) = abi::decode(&names).unwrap();
//! assert_eq!(back, ["a", "bc"]);
//! ```

mod error;
mod tuple;
mod types;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

pub use error::{AbiError, AbiErrorKind};
pub use tuple::{DecodeParams, EncodeParams};
pub use types::{AbiType, Decode, Encode};

use crate::u256::U256;

/// Selector of `Error(string)`, Solidity's `require`/`revert` reason.
pub const ERROR_SELECTOR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
/// Selector of `Panic(uint256)`, Solidity's assertion and arithmetic failures.
pub const PANIC_SELECTOR: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];

/// Encodes a parameter list (`()` or a tuple): Solidity's `abi.encode(a, b, …)`. Encode a
/// single value as a one-tuple: `encode(&(x,))`.
pub fn encode<P: EncodeParams + ?Sized>(params: &P) -> Vec<u8> {
    let mut out = Vec::new();
    params.encode_params(&mut out);
    out
}

/// Decodes a parameter list: `let (a, b): (Address, U256) = decode(data)?`.
pub fn decode<P: DecodeParams>(data: &[u8]) -> Result<P, AbiError> {
    P::decode_params(data)
}

/// Calldata for a function: the selector followed by the encoded parameters
/// (`abi.encodeWithSelector`).
pub fn encode_call<P: EncodeParams + ?Sized>(selector: [u8; 4], params: &P) -> Vec<u8> {
    let mut out = Vec::from(selector);
    params.encode_params(&mut out);
    out
}

/// `prefix` (a selector, or nothing) followed by the encoded parameters.
pub fn encode_call_prefixed<P: EncodeParams + ?Sized>(prefix: &[u8], params: &P) -> Vec<u8> {
    let mut out = Vec::from(prefix);
    params.encode_params(&mut out);
    out
}

/// Splits calldata into selector and parameter data; `None` if it is shorter than four
/// bytes.
pub fn split_selector(calldata: &[u8]) -> Option<([u8; 4], &[u8])> {
    let (sel, rest) = calldata.split_first_chunk::<4>()?;
    Some((*sel, rest))
}

/// Revert data `Error(string)` with `message`.
pub fn error_string(message: &str) -> Vec<u8> {
    encode_call(ERROR_SELECTOR, &(message,))
}

/// Revert data `Panic(uint256)` with `code`.
pub fn panic_code(code: u64) -> Vec<u8> {
    encode_call(PANIC_SELECTOR, &(U256::from(code),))
}

/// The message of `Error(string)` revert data, if that is what `data` is.
pub fn decode_error_string(data: &[u8]) -> Option<alloc::string::String> {
    let (sel, rest) = split_selector(data)?;
    if sel != ERROR_SELECTOR {
        return None;
    }
    decode::<(alloc::string::String,)>(rest).ok().map(|(s,)| s)
}
