//! The block and transaction environments the system layer executes in.

use alloc::vec::Vec;

use alloy_primitives::ruint::UintTryFrom;
use alloy_primitives::U512;

use crate::fork::Fork;
use crate::primitives::{Address, Bytes, B256, U256};

/// The block being built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BlockEnv {
    /// Block number.
    pub number: u64,
    /// Timestamp in seconds.
    pub timestamp: u64,
    /// The fee recipient.
    pub coinbase: Address,
    /// Gas limit of the block.
    pub gas_limit: u64,
    /// EIP-1559 base fee per gas.
    pub base_fee: U256,
    /// prevRandao (the former difficulty field).
    pub prev_randao: B256,
    /// Chain id (EIP-155).
    pub chain_id: u64,
    /// EIP-4844 excess blob gas, from which the blob base fee is derived.
    pub excess_blob_gas: u64,
    /// Hashes of earlier blocks by number (at most the 256 before this one are used).
    pub block_hashes: Vec<(u64, B256)>,
    /// The fork whose rules the block follows.
    pub fork: Fork,
}

/// One entry of an EIP-2930 access list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccessListItem {
    /// The address to warm.
    pub address: Address,
    /// Storage keys of that address to warm.
    pub storage_keys: Vec<B256>,
}

/// One signed EIP-7702 authorization of a set-code transaction (type 4): the account that
/// signed it lets its code become a delegation to `address`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Authorization {
    /// The chain it is valid on, or zero for every chain.
    pub chain_id: U256,
    /// The account whose code the authority delegates to (zero clears the delegation).
    pub address: Address,
    /// The authority's nonce it is valid for.
    pub nonce: u64,
    /// Signature y parity (valid: 0 or 1).
    pub y_parity: u8,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
    /// The signer, recovered from the signature over `keccak256(0x05 ‖ rlp([chain_id,
    /// address, nonce]))` ([`crate::tx::recover_authority`]); `None` when the signature is
    /// invalid (a y parity other than 0 or 1, `r` or `s` out of range, `s` above n/2, no key
    /// recovered): such an authorization is skipped, the transaction stays valid.
    pub authority: Option<Address>,
}

/// A transaction ready to execute: decoded, its sender recovered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TxEnv {
    /// EIP-2718 type: 0 legacy, 1 access list, 2 dynamic fee, 3 blob, 4 set code.
    pub tx_type: u8,
    /// The recovered sender.
    pub caller: Address,
    /// The sender's nonce as signed.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Legacy and 2930: the gas price. 1559 and 4844: max fee per gas.
    pub max_fee_per_gas: U256,
    /// 1559 and 4844: max priority fee per gas (for older types: equal to the gas price).
    pub max_priority_fee_per_gas: U256,
    /// Call target, or `None` for a contract creation.
    pub to: Option<Address>,
    /// Value in wei.
    pub value: U256,
    /// Calldata or init data.
    pub data: Bytes,
    /// EIP-2930 access list.
    pub access_list: Vec<AccessListItem>,
    /// EIP-4844 blob versioned hashes.
    pub blob_hashes: Vec<B256>,
    /// EIP-4844 max fee per blob gas.
    pub max_fee_per_blob_gas: U256,
    /// EIP-7702 authorizations (set-code transactions), processed in order before the call.
    pub authorization_list: Vec<Authorization>,
    /// The transaction hash (for receipts and logs).
    pub hash: B256,
}

/// EIP-4844 (Cancun): how fast the blob base fee follows the excess blob gas.
pub const BLOB_BASE_FEE_UPDATE_FRACTION: u64 = 3_338_477;

/// EIP-4844: the smallest blob base fee, in wei.
pub const MIN_BLOB_BASE_FEE: u64 = 1;

/// The largest excess blob gas whose blob base fee fits in 256 bits (Cancun). One more and
/// the fee is 2^256 wei or more: no blob transaction can pay it and no word can hold it.
pub const MAX_EXCESS_BLOB_GAS: u64 = 592_398_315;

impl BlockEnv {
    /// The EIP-4844 blob base fee, `fake_exponential(1, excess_blob_gas, fraction)` with
    /// the fork's update fraction (3338477 in Cancun), or `None` when it is 2^256 wei or more
    /// (in Cancun: excess blob gas above [`MAX_EXCESS_BLOB_GAS`]).
    pub fn blob_base_fee(&self) -> Option<U256> {
        fake_exponential(MIN_BLOB_BASE_FEE, self.excess_blob_gas, self.fork.blob_params().update_fraction)
    }

    /// The hash of block `number` if it is one of the 256 before this one, else zero.
    pub fn block_hash(&self, number: u64) -> B256 {
        if number >= self.number || self.number - number > 256 {
            return B256::ZERO;
        }
        self.block_hashes.iter().find(|(n, _)| *n == number).map(|(_, h)| *h).unwrap_or(B256::ZERO)
    }
}

/// EIP-4844's `fake_exponential(factor, numerator, denominator)`: exactly the integer the
/// specification's loop computes with unbounded integers, or `None` when that integer is
/// 2^256 or more (and for a zero denominator, which the specification divides by).
///
/// The specification's loop may run for ages before it ends (its terms grow until the term
/// index passes `numerator / denominator`); this one stops as soon as the running sum proves
/// the result too large. The terms it adds before that are below `2^256 · denominator`, so
/// 512 bits hold every intermediate product, and it ends after at most a few hundred terms
/// for any 64-bit inputs.
pub fn fake_exponential(factor: u64, numerator: u64, denominator: u64) -> Option<U256> {
    if denominator == 0 {
        return None;
    }
    let numerator = U512::from(numerator);
    let denominator = U512::from(denominator);
    // The result is `output / denominator`: it reaches 2^256 exactly when `output` reaches
    // `2^256 · denominator`.
    let limit = denominator << 256;
    let mut output = U512::ZERO;
    let mut accum = U512::from(factor) * denominator;
    let mut i = U512::from(1u8);
    while !accum.is_zero() {
        output += accum;
        if output >= limit {
            return None;
        }
        // accum <= output < 2^256 · denominator < 2^320, numerator < 2^64: no overflow.
        accum = accum * numerator / (denominator * i);
        i += U512::from(1u8);
    }
    // Below 2^256, as the loop checked.
    U256::uint_try_from(output / denominator).ok()
}

impl TxEnv {
    /// The price per gas actually paid under `base_fee` (EIP-1559), or `None` when the
    /// transaction cannot pay the base fee.
    pub fn effective_gas_price(&self, base_fee: U256) -> Option<U256> {
        if self.max_fee_per_gas < base_fee {
            return None;
        }
        let tip = core::cmp::min(self.max_priority_fee_per_gas, self.max_fee_per_gas - base_fee);
        Some(base_fee + tip)
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;

    use super::*;

    fn fee(excess: u64) -> Option<U256> {
        BlockEnv { excess_blob_gas: excess, fork: Fork::Cancun, ..BlockEnv::default() }.blob_base_fee()
    }

    /// Values of the execution specification's `calculate_blob_gas_price` (Cancun,
    /// `ethereum.forks.cancun.vm.gas`), computed with Python's unbounded integers.
    #[test]
    fn blob_base_fee_matches_the_specification() {
        let spec: [(u64, &str); 7] = [
            (0, "1"),
            (1, "1"),
            (3_338_477, "2"),
            (10_000_000, "19"),
            (100_000_000, "10203769476395"),
            (400_000_000, "10840331274704280429132033759016842817414750029778539"),
            (MAX_EXCESS_BLOB_GAS, "115792071961871597569864401767843993244140375666330206955159735174071991568500"),
        ];
        for (excess, want) in spec {
            assert_eq!(fee(excess), Some(U256::from_str_radix(want, 10).unwrap()), "excess {excess}");
        }
        let top = fee(MAX_EXCESS_BLOB_GAS).unwrap();
        assert_eq!(format!("{top:#x}"), "0xfffffd7f37d871923e777c8e1698f4a355b593742cb7f676ce08cf31f51e8874");
    }

    /// Issue 9, item 6: 10^15 took seconds and 2^64 − 1 days (the terms wrapped in U256 and
    /// the loop never ended). Past [`MAX_EXCESS_BLOB_GAS`] the fee does not fit 256 bits:
    /// `None`, found in milliseconds.
    #[test]
    fn large_excess_blob_gas_ends_at_once() {
        let start = std::time::Instant::now();
        for excess in [MAX_EXCESS_BLOB_GAS + 1, 1_000_000_000, 1_000_000_000_000_000, u64::MAX - 1, u64::MAX] {
            assert_eq!(fee(excess), None, "excess {excess}");
        }
        // Every representable fee, the slowest included, is exact and quick as well.
        for excess in (0..=MAX_EXCESS_BLOB_GAS).step_by(7_919_993) {
            assert!(fee(excess).is_some(), "excess {excess}");
        }
        let elapsed = start.elapsed();
        assert!(elapsed < std::time::Duration::from_secs(1), "took {elapsed:?}");
    }

    #[test]
    fn fake_exponential_edges() {
        assert_eq!(fake_exponential(0, 123, 7), Some(U256::ZERO));
        assert_eq!(fake_exponential(5, 0, 7), Some(U256::from(5)));
        assert_eq!(fake_exponential(1, 1, 0), None);
        // The largest factor with a zero exponent, and one that overflows at once.
        assert_eq!(fake_exponential(u64::MAX, 0, u64::MAX), Some(U256::from(u64::MAX)));
        assert_eq!(fake_exponential(u64::MAX, u64::MAX, 1), None);
    }
}
