//! Ethereum value types used across the system layer.

pub use alloy_primitives::{keccak256, Address, Bloom, Bytes, Log, LogData, B256, U256};

/// keccak256 of the empty string: the code hash of an account without code.
pub const KECCAK_EMPTY: B256 = alloy_primitives::KECCAK256_EMPTY;

/// Reads a 32-byte big-endian word.
pub fn word(bytes: &[u8; 32]) -> U256 {
    U256::from_be_bytes(*bytes)
}

/// Saturating conversion of a U256 to u64.
pub fn saturating_u64(v: U256) -> u64 {
    if v > U256::from(u64::MAX) {
        u64::MAX
    } else {
        v.to::<u64>()
    }
}
