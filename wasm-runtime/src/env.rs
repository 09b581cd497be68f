//! The block and transaction environments the system layer executes in.

use alloc::vec::Vec;

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

/// A transaction ready to execute: decoded, its sender recovered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TxEnv {
    /// EIP-2718 type: 0 legacy, 1 access list, 2 dynamic fee, 3 blob.
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
    /// The transaction hash (for receipts and logs).
    pub hash: B256,
}

impl BlockEnv {
    /// The EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, 3338477).
    pub fn blob_base_fee(&self) -> U256 {
        fake_exponential(1, self.excess_blob_gas as u128, 3_338_477)
    }

    /// The hash of block `number` if it is one of the 256 before this one, else zero.
    pub fn block_hash(&self, number: u64) -> B256 {
        if number >= self.number || self.number - number > 256 {
            return B256::ZERO;
        }
        self.block_hashes.iter().find(|(n, _)| *n == number).map(|(_, h)| *h).unwrap_or(B256::ZERO)
    }
}

/// EIP-4844's `fake_exponential(factor, numerator, denominator)`.
pub fn fake_exponential(factor: u128, numerator: u128, denominator: u128) -> U256 {
    let factor = U256::from(factor);
    let numerator = U256::from(numerator);
    let denominator = U256::from(denominator);
    let mut i = U256::from(1);
    let mut output = U256::ZERO;
    let mut accum = factor * denominator;
    while accum > U256::ZERO {
        output += accum;
        accum = accum * numerator / (denominator * i);
        i += U256::from(1);
    }
    output / denominator
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
