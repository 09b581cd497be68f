//! A header's checks against its parent, before the block is executed: what the header
//! alone decides (number, time, gas limit and base fee, blob gas, the post-merge constants,
//! the fields each fork requires, the block size).

use alloy_consensus::constants::EMPTY_OMMER_ROOT_HASH;
use alloy_consensus::Header;
use wasm_runtime::fork::Fork;
use wasm_runtime::primitives::U256;

use super::decode::RawBlock;

/// EIP-1559: how far the gas limit may move from the parent's: less than 1/1024 of it.
pub const GAS_LIMIT_ADJUSTMENT_FACTOR: u64 = 1024;

/// The smallest gas limit a block may have.
pub const MIN_GAS_LIMIT: u64 = 5000;

/// The excess blob gas of a block after `parent` under `fork` (EIP-4844, EIP-7918).
pub fn excess_blob_gas(parent: &Header, fork: Fork) -> u64 {
    fork.excess_blob_gas(
        parent.excess_blob_gas.unwrap_or(0),
        parent.blob_gas_used.unwrap_or(0),
        parent.base_fee_per_gas.unwrap_or(0),
    )
}

/// EIP-1559: the base fee of a block after `parent`.
pub fn base_fee(parent: &Header) -> U256 {
    crate::input::next_base_fee(U256::from(parent.base_fee_per_gas.unwrap_or(0)), parent.gas_used, parent.gas_limit)
}

/// Checks `block`'s header against its parent's under `fork`.
pub fn check(block: &RawBlock, parent: &Header, parent_hash: alloy_primitives::B256, fork: Fork) -> Result<(), String> {
    let h = &block.header;
    if h.parent_hash != parent_hash {
        return Err(format!("parent hash {} is not the parent's {parent_hash}", h.parent_hash));
    }
    if Some(h.number) != parent.number.checked_add(1) {
        return Err(format!("number {} does not follow the parent's {}", h.number, parent.number));
    }
    if h.timestamp <= parent.timestamp {
        return Err(format!("timestamp {} is not after the parent's {}", h.timestamp, parent.timestamp));
    }
    if h.gas_used > h.gas_limit {
        return Err(format!("gas used {} is above the gas limit {}", h.gas_used, h.gas_limit));
    }
    let bound = parent.gas_limit / GAS_LIMIT_ADJUSTMENT_FACTOR;
    if h.gas_limit.abs_diff(parent.gas_limit) >= bound || h.gas_limit < MIN_GAS_LIMIT {
        return Err(format!(
            "gas limit {} is not within 1/1024 of the parent's {} or is below 5000",
            h.gas_limit, parent.gas_limit
        ));
    }
    let want = base_fee(parent);
    match h.base_fee_per_gas {
        Some(fee) if U256::from(fee) == want => {}
        Some(fee) => return Err(format!("base fee {fee} is not {want} (EIP-1559)")),
        None => return Err("no base fee".into()),
    }
    if h.difficulty != U256::ZERO {
        return Err(format!("difficulty {} is not 0", h.difficulty));
    }
    if !h.nonce.is_zero() {
        return Err(format!("nonce {} is not 0", h.nonce));
    }
    if h.extra_data.len() > 32 {
        return Err(format!("extra data of {} bytes is above 32", h.extra_data.len()));
    }
    if h.ommers_hash != EMPTY_OMMER_ROOT_HASH || !block.ommers.is_empty() {
        return Err("the block has ommers".into());
    }
    if h.withdrawals_root.is_none() || block.withdrawals.is_none() {
        return Err("no withdrawals (Shanghai+)".into());
    }
    if h.parent_beacon_block_root.is_none() {
        return Err("no parent beacon block root (Cancun+)".into());
    }
    match (h.requests_hash.is_some(), fork.requests()) {
        (false, true) => return Err(format!("no requests hash ({fork})")),
        (true, false) => return Err(format!("a requests hash, which {fork} does not have")),
        _ => {}
    }
    // The blob gas used is compared with what the transactions use once the block is
    // executed; each transaction is bounded by the block's maximum (EIP-4844).
    let (Some(_), Some(excess)) = (h.blob_gas_used, h.excess_blob_gas) else {
        return Err("no blob gas fields (Cancun+)".into());
    };
    let want = excess_blob_gas(parent, fork);
    if excess != want {
        return Err(format!("excess blob gas {excess} is not {want}"));
    }
    if let Some(max) = fork.max_block_rlp_size() {
        if block.size > max {
            return Err(format!("the block's RLP is {} bytes, above {max} (EIP-7934)", block.size));
        }
    }
    Ok(())
}
