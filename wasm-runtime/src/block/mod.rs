//! Blocks: what goes in (the environment, the header fields the block rules read, the
//! transactions), what comes out (receipts, the state diff, pubdata, requests), the block
//! rules around the transactions (EIP-4788, EIP-2935, EIP-4895, EIP-6110/7002/7251 with
//! EIP-7685) and the Ethereum-compatible roots.
//!
//! [`crate::exec::apply_block`] applies a whole [`Block`] and returns its [`Commitments`].

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::error::{Failure, Internal};
use crate::platform::AccountInfo;
use crate::primitives::{Address, Bloom, Bytes, Log, B256, U256};

mod commit;
mod input;
#[cfg(test)]
mod prague_tests;
pub mod roots;
pub mod rules;
#[cfg(test)]
mod tests;

pub use commit::{AppliedBlock, CommitState, Commitments};
pub use input::{Block, BlockTx};

/// The receipt of one executed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction's hash.
    pub tx_hash: B256,
    /// EIP-2718 type.
    pub tx_type: u8,
    /// Whether it succeeded (EIP-658 status 1).
    pub success: bool,
    /// Gas used by this transaction (after refunds).
    pub gas_used: u64,
    /// Gas used by the block up to and including this transaction.
    pub cumulative_gas_used: u64,
    /// Logs emitted (empty when it failed).
    pub logs: Vec<Log>,
    /// The address created by a creation transaction that succeeded.
    pub contract_address: Option<Address>,
    /// The output of the top-level call (return or revert data).
    pub output: alloy_primitives::Bytes,
    /// Why the top-level call failed, when it halted exceptionally or was not executed (not
    /// part of consensus; a revert has none).
    pub error: Option<Failure>,
}

impl Receipt {
    /// The logs bloom of this receipt.
    pub fn bloom(&self) -> Bloom {
        roots::logs_bloom(&self.logs)
    }
}

/// A transaction that could not be included, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Index in the block's transaction list.
    pub index: usize,
    /// Why it was rejected.
    pub error: Rejection,
}

/// Why a transaction could not be included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// It could not be decoded or its sender recovered.
    Decode(crate::tx::TxError),
    /// It breaks a validity rule (nonce, fees, gas, balance, ...).
    Invalid(crate::exec::TxError),
    /// Its blobs would take the block's blob gas past the fork's maximum (EIP-4844).
    BlobGasAboveLimit {
        /// Blob gas used by the transactions before it.
        used: u64,
        /// Its blob gas.
        blob_gas: u64,
        /// The block's maximum.
        max: u64,
    },
}

impl core::fmt::Display for Rejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "{e}"),
            Self::Invalid(e) => write!(f, "{e}"),
            Self::BlobGasAboveLimit { used, blob_gas, max } => {
                write!(f, "blob gas exceeds the block's maximum: {used} used + {blob_gas} > {max}")
            }
        }
    }
}

/// What changed in one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountDiff {
    /// The account's final nonce, balance, code and constants.
    pub info: AccountInfo,
    /// Final values of the storage slots that changed (zero means deleted).
    pub storage: BTreeMap<U256, U256>,
    /// Whether all earlier storage was wiped (account re-created).
    pub storage_cleared: bool,
}

/// Final values of everything the block changed: `None` means the account was deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDiff {
    /// Changed accounts by address.
    pub accounts: BTreeMap<Address, Option<AccountDiff>>,
}

impl StateDiff {
    /// The block's pubdata: the diff as it would be published — each changed account once
    /// with its final nonce, balance and code hash, then each changed slot once with its
    /// final value, however often it was written during the block.
    ///
    /// Encoding (all integers big-endian): for each account in address order, `address(20)
    /// ‖ tag(1)`; tag 0 = deleted; tag 1 = `nonce(8) ‖ balance(32) ‖ code_hash(32) ‖
    /// flags(1: bit0 storage cleared) ‖ slot_count(4) ‖ (key(32) ‖ value(32))*`.
    pub fn pubdata(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (address, change) in &self.accounts {
            out.extend_from_slice(address.as_slice());
            match change {
                None => out.push(0),
                Some(acc) => {
                    out.push(1);
                    out.extend_from_slice(&acc.info.nonce.to_be_bytes());
                    out.extend_from_slice(&acc.info.balance.to_be_bytes::<32>());
                    out.extend_from_slice(acc.info.code_hash.as_slice());
                    out.push(u8::from(acc.storage_cleared));
                    let count = u32::try_from(acc.storage.len()).unwrap_or(u32::MAX);
                    out.extend_from_slice(&count.to_be_bytes());
                    for (k, v) in &acc.storage {
                        out.extend_from_slice(&k.to_be_bytes::<32>());
                        out.extend_from_slice(&v.to_be_bytes::<32>());
                    }
                }
            }
        }
        out
    }
}

/// A call the block rules made as the system (EIP-4788's before the transactions), kept for
/// diagnostics: its gas is not the block's and its logs are in no receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemCall {
    /// The contract called.
    pub target: Address,
    /// Whether it succeeded (a failure is ignored, as Cancun ignores it, its changes undone).
    pub success: bool,
    /// Gas it used out of [`rules::SYSTEM_CALL_GAS`].
    pub gas_used: u64,
    /// Its return or revert data.
    pub output: Bytes,
    /// Why it failed, when it halted exceptionally.
    pub error: Option<Failure>,
}

/// Where in a block something happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockStep {
    /// The EIP-4788 system call before the transactions.
    BeaconRoot,
    /// The EIP-2935 system call before the transactions.
    HistoryStorage,
    /// The transaction at this index of the block's list.
    Transaction(usize),
    /// The withdrawal at this index of the block's withdrawals.
    Withdrawal(usize),
    /// EIP-6110: the deposit logs of the receipts.
    DepositRequests,
    /// The EIP-7002 system call after the withdrawals.
    WithdrawalRequests,
    /// The EIP-7251 system call after EIP-7002's.
    ConsolidationRequests,
}

impl core::fmt::Display for BlockStep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BeaconRoot => write!(f, "the EIP-4788 system call"),
            Self::Transaction(index) => write!(f, "transaction {index}"),
            Self::Withdrawal(index) => write!(f, "withdrawal {index}"),
            Self::HistoryStorage => write!(f, "the EIP-2935 system call"),
            Self::DepositRequests => write!(f, "the EIP-6110 deposit requests"),
            Self::WithdrawalRequests => write!(f, "the EIP-7002 system call"),
            Self::ConsolidationRequests => write!(f, "the EIP-7251 system call"),
        }
    }
}

/// Why a block cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockError {
    /// A balance would pass 2^256 − 1 wei: no state can hold it (the execution
    /// specification stops with an overflow error).
    BalanceOverflow {
        /// The step that would have raised it.
        step: BlockStep,
        /// The account.
        address: Address,
    },
    /// A system call whose failure invalidates the block (Prague's EIP-7002 and EIP-7251
    /// calls) found no code at its contract.
    SystemContractMissing {
        /// The call.
        step: BlockStep,
        /// The contract.
        address: Address,
    },
    /// A system call whose failure invalidates the block reverted or halted.
    SystemCallFailed {
        /// The call.
        step: BlockStep,
        /// The contract.
        address: Address,
        /// Why it halted (`None`: it reverted).
        error: Option<Failure>,
    },
    /// A deposit contract log is not a well-formed `DepositEvent` (EIP-6110).
    InvalidDepositLog {
        /// The transaction whose receipt holds it.
        transaction: usize,
        /// What is wrong with it.
        error: rules::BadDepositLog,
    },
    /// An internal error (a compiler or machine bug, a broken invariant) struck: no
    /// contract is charged for it, and the block is not applied.
    Internal {
        /// The step it struck in.
        step: BlockStep,
        /// What went wrong.
        error: Internal,
    },
}

impl core::fmt::Display for BlockError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BalanceOverflow { step, address } => {
                write!(f, "{step}: the balance of {address} would exceed 2^256 - 1 wei")
            }
            Self::SystemContractMissing { step, address } => {
                write!(f, "{step}: the system contract {address} has no code")
            }
            Self::SystemCallFailed { step, address, error: Some(e) } => {
                write!(f, "{step}: the system contract {address} failed: {e}")
            }
            Self::SystemCallFailed { step, address, error: None } => {
                write!(f, "{step}: the system contract {address} reverted")
            }
            Self::InvalidDepositLog { transaction, error } => write!(f, "transaction {transaction}: {error}"),
            Self::Internal { step, error } => write!(f, "{step}: internal error: {error}"),
        }
    }
}

impl core::error::Error for BlockError {}

/// Everything a block produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockOutput {
    /// Receipts of the included transactions, in order.
    pub receipts: Vec<Receipt>,
    /// Indices in the block's list of the transactions that have a receipt, in order (one
    /// for each of [`Self::receipts`]).
    pub included: Vec<usize>,
    /// Transactions that were not included.
    pub rejected: Vec<Rejected>,
    /// The state diff.
    pub diff: StateDiff,
    /// Total gas used (by the transactions: system calls are not counted).
    pub gas_used: u64,
    /// EIP-4844 blob gas used by the included transactions.
    pub blob_gas_used: u64,
    /// The system calls the block rules made, in order.
    pub system_calls: Vec<SystemCall>,
    /// EIP-7685 requests (Prague+, when the block collects them): `type ‖ data` for each
    /// type with requests, in ascending type order; `None` for a block without requests.
    pub requests: Option<Vec<Bytes>>,
    /// Deployment-time work done by the block (transpilations, normalizations, frames).
    pub stats: crate::exec::Stats,
    /// What contracts wrote with `debug_log` (not part of consensus), per transaction that
    /// wrote something, with its index in the block's list.
    pub debug_output: Vec<(usize, crate::host::DebugOutput)>,
    /// The call tree of each included transaction, with its index in the block's list, when
    /// the block was applied traced ([`crate::exec::apply_block_traced`]; not part of
    /// consensus); empty otherwise.
    pub traces: Vec<(usize, Vec<crate::exec::CallTrace>)>,
    /// Why the block cannot be applied (a balance past 2^256 − 1 wei, an internal error),
    /// when it cannot: the steps after the one that failed it are not run, and the rest of
    /// this output is not a state to commit.
    pub error: Option<BlockError>,
}
