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

#[cfg(test)]
mod tests {
    use alloy_primitives::{Bytes, B256, B64};

    use super::*;

    /// A Prague parent (block 1, 30M gas limit, 15M used: the target, so the base fee
    /// stays 7) and a child that passes every check.
    fn pair() -> (Header, RawBlock) {
        let parent = Header {
            number: 1,
            gas_limit: 30_000_000,
            gas_used: 15_000_000,
            timestamp: 12,
            base_fee_per_gas: Some(7),
            blob_gas_used: Some(786_432),
            excess_blob_gas: Some(393_216),
            ..Header::default()
        };
        let child = Header {
            parent_hash: B256::repeat_byte(1),
            number: 2,
            gas_limit: 30_000_000,
            timestamp: 24,
            base_fee_per_gas: Some(7),
            withdrawals_root: Some(B256::ZERO),
            blob_gas_used: Some(0),
            // 393216 + 786432 - Prague's target 786432.
            excess_blob_gas: Some(393_216),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: Some(B256::ZERO),
            ..Header::default()
        };
        let block = RawBlock {
            header: child,
            hash: B256::ZERO,
            transactions: vec![],
            ommers: vec![],
            withdrawals: Some(vec![]),
            size: 600,
        };
        (parent, block)
    }

    fn check_with(change: impl Fn(&mut RawBlock), fork: Fork) -> Result<(), String> {
        let (parent, mut block) = pair();
        change(&mut block);
        check(&block, &parent, B256::repeat_byte(1), fork)
    }

    #[test]
    fn a_good_header_passes() {
        assert_eq!(check_with(|_| {}, Fork::Prague), Ok(()));
    }

    /// A change to a good block.
    type Change = fn(&mut RawBlock);

    #[test]
    fn each_rule_rejects() {
        let cases: [(&str, Change); 13] = [
            ("parent hash", |b| b.header.parent_hash = B256::repeat_byte(2)),
            ("number 3 does not follow", |b| b.header.number = 3),
            ("timestamp 12 is not after", |b| b.header.timestamp = 12),
            ("gas used 30000001 is above", |b| b.header.gas_used = 30_000_001),
            // 30M / 1024 = 29296: a change of 29296 or more is too much.
            ("gas limit 30029296", |b| b.header.gas_limit = 30_029_296),
            ("gas limit 29970704", |b| b.header.gas_limit = 29_970_704),
            ("base fee 8 is not 7", |b| b.header.base_fee_per_gas = Some(8)),
            ("difficulty 1", |b| b.header.difficulty = U256::from(1)),
            ("nonce", |b| b.header.nonce = B64::with_last_byte(1)),
            ("extra data of 33 bytes", |b| b.header.extra_data = Bytes::from(vec![0; 33])),
            ("ommers", |b| b.ommers.push(Header::default())),
            ("excess blob gas 0 is not 393216", |b| b.header.excess_blob_gas = Some(0)),
            ("no requests hash", |b| b.header.requests_hash = None),
        ];
        for (needle, change) in cases {
            let err = check_with(change, Fork::Prague).expect_err(needle);
            assert!(err.contains(needle), "{needle}: {err}");
        }
        // The gas limit may move by 29295 either way.
        assert_eq!(check_with(|b| b.header.gas_limit = 30_029_295, Fork::Prague), Ok(()));
        assert_eq!(check_with(|b| b.header.gas_limit = 29_970_705, Fork::Prague), Ok(()));
        // Cancun has no requests hash, and a target of 3 blobs.
        let err = check_with(|_| {}, Fork::Cancun).unwrap_err();
        assert!(err.contains("a requests hash, which Cancun does not have"), "{err}");
        let err = check_with(|b| b.header.requests_hash = None, Fork::Cancun).unwrap_err();
        assert!(err.contains("excess blob gas 393216 is not 786432"), "{err}");
        // EIP-7934 in Osaka: 8 MiB of RLP at most.
        let err = check_with(|b| b.size = 8_388_609, Fork::Osaka).unwrap_err();
        assert!(err.contains("8388609 bytes, above 8388608 (EIP-7934)"), "{err}");
        assert_eq!(check_with(|b| b.size = 8_388_609, Fork::Prague), Ok(()));
    }
}
