//! The numbers of the block rules around the transactions: system calls (EIP-4788's
//! beacon-roots update, later Prague's EIP-2935/7002/7251 ones) and withdrawals (EIP-4895).

use crate::primitives::{Address, U256};

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
