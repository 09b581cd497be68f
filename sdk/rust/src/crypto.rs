//! Hashes and the other precompiles, run by the host.

use host_abi::status::PrecompileStatus;

use crate::host;
use crate::types::{Address, Word};

/// keccak-256 of `data`, by the host. (For constants use [`crate::keccak256!`].)
pub fn keccak256(data: &[u8]) -> Word {
    host::keccak256(data)
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Word {
    host::sha256(data)
}

/// RIPEMD-160 of `data` (20 bytes, returned left-padded to a word as the precompile does).
pub fn ripemd160(data: &[u8]) -> Word {
    host::ripemd160(data)
}

/// Recovers the signer of `hash` from a secp256k1 signature (`v` 27 or 28). `None` if the
/// signature does not recover.
pub fn ecrecover(hash: &Word, v: u8, r: &Word, s: &Word) -> Option<Address> {
    let mut input = [0u8; 128];
    input[..32].copy_from_slice(hash);
    input[63] = v;
    input[64..96].copy_from_slice(r);
    input[96..].copy_from_slice(s);
    let (status, out) = host::ecrecover(&input);
    if status != PrecompileStatus::Ok as i32 {
        return None;
    }
    let addr = Address::from_word_truncating(&out);
    (!addr.is_zero()).then_some(addr)
}

/// Result of a precompile that can reject its input.
pub type PrecompileResult<T> = Result<T, PrecompileStatus>;

fn check<T>(status: i32, out: T) -> PrecompileResult<T> {
    if status == PrecompileStatus::Ok as i32 {
        Ok(out)
    } else {
        Err(PrecompileStatus::InvalidInput)
    }
}

/// Modular exponentiation with the input layout of precompile 0x05; `out` must be as long
/// as the modulus.
pub fn modexp(input: &[u8], out: &mut [u8]) -> PrecompileResult<()> {
    let status = host::modexp(input, out);
    check(status, ())
}

/// bn254 point addition (two 64-byte points in, one out).
pub fn bn254_add(input: &[u8; 128]) -> PrecompileResult<[u8; 64]> {
    let (status, out) = host::bn254_add(input);
    check(status, out)
}

/// bn254 scalar multiplication (a 64-byte point and a 32-byte scalar in).
pub fn bn254_mul(input: &[u8; 96]) -> PrecompileResult<[u8; 64]> {
    let (status, out) = host::bn254_mul(input);
    check(status, out)
}

/// bn254 pairing check over `input.len() / 192` pairs; `true` if the product is one.
pub fn bn254_pairing(input: &[u8]) -> PrecompileResult<bool> {
    let (status, out) = host::bn254_pairing(input);
    check(status, out[31] == 1)
}

/// BLAKE2 compression function F (213 bytes in, the precompile 0x09 layout).
pub fn blake2f(input: &[u8; 213]) -> PrecompileResult<[u8; 64]> {
    let (status, out) = host::blake2f(input);
    check(status, out)
}
