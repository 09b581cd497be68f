//! The numbers of the block rules around the transactions: system calls (EIP-4788's
//! beacon-roots update, Prague's EIP-2935/7002/7251 ones), withdrawals (EIP-4895) and
//! execution-layer requests (EIP-6110, EIP-7685).

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use alloy_primitives::b256;

use crate::primitives::{Address, Bytes, B256, U256};

/// The caller of every system call, `0xff…fe`: it is neither charged, nor touched, nor
/// created.
pub const SYSTEM_ADDRESS: Address = alloy_primitives::address!("fffffffffffffffffffffffffffffffffffffffe");

/// Gas given to a system call, not counted against the block.
pub const SYSTEM_CALL_GAS: u64 = 30_000_000;

/// EIP-4788's beacon-roots contract, called as the system with the parent beacon block
/// root before the transactions.
pub const BEACON_ROOTS_ADDRESS: Address = alloy_primitives::address!("000F3df6D732807Ef1319fB7B8bB8522d0Beac02");

/// The length of the beacon-roots contract's ring buffer: slot `timestamp % 8191` holds the
/// timestamp, slot `timestamp % 8191 + 8191` the root.
pub const HISTORY_BUFFER_LENGTH: u64 = 8191;

/// The runtime code EIP-4788 deploys at [`BEACON_ROOTS_ADDRESS`]. The system layer runs
/// whatever code is there; this is what a chain deploys.
pub const BEACON_ROOTS_CODE: &[u8] = &alloy_primitives::hex!(
    "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500"
);

/// Wei per Gwei: a withdrawal's amount is in Gwei.
pub const WEI_PER_GWEI: u64 = 1_000_000_000;

/// A withdrawal's amount in wei.
pub fn withdrawal_wei(gwei: u64) -> U256 {
    U256::from(gwei) * U256::from(WEI_PER_GWEI)
}

/// EIP-2935's history storage contract, called as the system with the parent hash before
/// the transactions (Prague+).
pub const HISTORY_STORAGE_ADDRESS: Address = alloy_primitives::address!("0000F90827F1C53a10cb7A02335B175320002935");

/// EIP-7002's withdrawal request contract, called as the system after the withdrawals; its
/// output is the block's withdrawal requests.
pub const WITHDRAWAL_REQUEST_ADDRESS: Address = alloy_primitives::address!("00000961Ef480Eb55e80D19ad83579A64c007002");

/// EIP-7251's consolidation request contract, called as the system after EIP-7002's.
pub const CONSOLIDATION_REQUEST_ADDRESS: Address =
    alloy_primitives::address!("0000BBdDc7CE488642fb579F8B00f3a590007251");

/// Mainnet's deposit contract, whose `DepositEvent` logs are EIP-6110's deposit requests (a
/// chain's configuration; the test fixtures use mainnet's).
pub const MAINNET_DEPOSIT_CONTRACT: Address = alloy_primitives::address!("00000000219ab540356cBB839Cbe05303d7705Fa");

/// keccak256 of `DepositEvent(bytes,bytes,bytes,bytes,bytes)`, the deposit log's first topic.
pub const DEPOSIT_EVENT_SIGNATURE: B256 = b256!("649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5");

/// EIP-7685 request types.
pub const DEPOSIT_REQUEST_TYPE: u8 = 0x00;
/// EIP-7002's withdrawal requests.
pub const WITHDRAWAL_REQUEST_TYPE: u8 = 0x01;
/// EIP-7251's consolidation requests.
pub const CONSOLIDATION_REQUEST_TYPE: u8 = 0x02;

/// Why a deposit contract log is not a well-formed `DepositEvent` (the block is invalid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadDepositLog(pub &'static str);

impl core::fmt::Display for BadDepositLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invalid deposit log: {}", self.0)
    }
}

/// EIP-6110: the deposit request in a `DepositEvent`'s ABI-encoded data — `pubkey(48) ‖
/// withdrawal_credentials(32) ‖ amount(8) ‖ signature(96) ‖ index(8)` — after checking the
/// layout the deposit contract writes (576 bytes, each offset and size where it must be).
pub fn deposit_request(data: &[u8]) -> Result<[u8; 192], BadDepositLog> {
    if data.len() != 576 {
        return Err(BadDepositLog("the event data is not 576 bytes"));
    }
    // The word at `at` must be `value`.
    let word_is = |at: usize, value: u64| {
        let word = &data[at..at + 32];
        word[..24].iter().all(|b| *b == 0) && word[24..] == value.to_be_bytes()
    };
    // The five offsets, then each field's size word.
    let layout: [(usize, u64, &'static str); 10] = [
        (0, 160, "the pubkey offset is not 160"),
        (32, 256, "the withdrawal credentials offset is not 256"),
        (64, 320, "the amount offset is not 320"),
        (96, 384, "the signature offset is not 384"),
        (128, 512, "the index offset is not 512"),
        (160, 48, "the pubkey is not 48 bytes"),
        (256, 32, "the withdrawal credentials are not 32 bytes"),
        (320, 8, "the amount is not 8 bytes"),
        (384, 96, "the signature is not 96 bytes"),
        (512, 8, "the index is not 8 bytes"),
    ];
    if let Some((_, _, why)) = layout.iter().find(|(at, value, _)| !word_is(*at, *value)) {
        return Err(BadDepositLog(why));
    }
    let mut out = [0u8; 192];
    let fields: [(usize, usize); 5] = [(192, 48), (288, 32), (352, 8), (416, 96), (544, 8)];
    let mut at = 0;
    for (start, len) in fields {
        out[at..at + len].copy_from_slice(&data[start..start + len]);
        at += len;
    }
    Ok(out)
}

/// EIP-7685: the requests hash of a block's requests, each `type ‖ data` with non-empty
/// data, in ascending type order: `sha256(sha256(r_0) ‖ sha256(r_1) ‖ …)`.
pub fn requests_hash(requests: &[Bytes]) -> B256 {
    let mut outer = Sha256::new();
    for request in requests {
        outer.update(Sha256::digest(request));
    }
    B256::from_slice(&outer.finalize())
}

/// `type ‖ data` when `data` is not empty: a request type with no requests is left out.
pub fn typed_request(ty: u8, data: &[u8]) -> Option<Bytes> {
    if data.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(1 + data.len());
    out.push(ty);
    out.extend_from_slice(data);
    Some(out.into())
}
