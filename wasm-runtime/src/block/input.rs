//! What a block is made of, as the system layer applies it.

use alloc::vec::Vec;

use alloy_eips::eip4895::Withdrawal;

use crate::env::{BlockEnv, TxEnv};
use crate::primitives::{Address, Bytes, B256};
use crate::tx::TxError;

/// A block to apply: the environment its code sees, the header fields the block rules
/// read, and its body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// Number, timestamp, coinbase, gas limit, fees, randomness, chain id, block hashes.
    pub env: BlockEnv,
    /// EIP-4788: the parent beacon block root, passed to the beacon-roots contract by a
    /// system call before the transactions (`None`: no call).
    pub parent_beacon_block_root: Option<B256>,
    /// EIP-2935 (Prague+): the parent block's hash, passed to the history storage contract
    /// by a system call before the transactions (`None`: no call).
    pub parent_hash: Option<B256>,
    /// EIP-7685 (Prague+): the chain's deposit contract, when the block collects
    /// execution-layer requests: EIP-6110 deposits from that contract's logs, then the
    /// EIP-7002 and EIP-7251 system calls after the withdrawals. `None`: no requests (a
    /// lone transaction's block, as the state tests run it).
    pub deposit_contract: Option<Address>,
    /// The transactions, in order.
    pub transactions: Vec<BlockTx>,
    /// EIP-4895 withdrawals, credited after the transactions.
    pub withdrawals: Vec<Withdrawal>,
}

/// One transaction of a block's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockTx {
    /// The transaction to execute, or why it could not be decoded (it is then rejected).
    pub tx: Result<TxEnv, TxError>,
    /// Its EIP-2718 encoding, which the transactions root commits to (`None`: a transaction
    /// given without one, left out of the root).
    pub encoded: Option<Bytes>,
}

impl BlockTx {
    /// A transaction with its EIP-2718 encoding.
    pub fn encoded(tx: TxEnv, encoded: Bytes) -> Self {
        Self { tx: Ok(tx), encoded: Some(encoded) }
    }

    /// A transaction without an encoding (left out of the transactions root).
    pub fn unencoded(tx: TxEnv) -> Self {
        Self { tx: Ok(tx), encoded: None }
    }
}
