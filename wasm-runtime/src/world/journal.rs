//! The journal: every state change of a transaction, so that a reverted frame can undo
//! exactly its own effects.

use alloc::boxed::Box;

use super::Account;
use crate::primitives::{Address, Bytes, B256, U256};

/// One undoable change.
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    /// The account was marked touched (EIP-161); `existed` is whether it existed before.
    Touched { address: Address, existed: bool },
    /// Balance changed from `old`.
    Balance { address: Address, old: U256 },
    /// Nonce changed from `old`.
    Nonce { address: Address, old: u64 },
    /// Storage slot changed from `old`.
    Storage { address: Address, key: U256, old: U256 },
    /// Transient slot changed from `old`.
    Transient { address: Address, key: U256, old: U256 },
    /// An account was created over `old` (which may be an absent account).
    Created { address: Address, old: Box<Account> },
    /// Code and constants changed from these.
    Code { address: Address, code: Bytes, code_hash: B256, constants: Bytes },
    /// The address became warm (EIP-2929).
    WarmAccount { address: Address },
    /// The slot became warm (EIP-2929).
    WarmSlot { address: Address, key: U256 },
    /// The refund counter changed from `old`.
    Refund { old: i64 },
    /// The account was marked self-destructed.
    SelfDestructed { address: Address },
}

/// A point to revert to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub(crate) journal: usize,
    pub(crate) logs: usize,
}
