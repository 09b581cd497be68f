//! A block's commitments, and the state they are computed over.

use alloc::vec::Vec;

use alloy_consensus::proofs::calculate_withdrawals_root;

use super::{roots, Block, BlockOutput, StateDiff};
use crate::platform::{MemoryDb, Platform};
use crate::primitives::{Bloom, B256};

/// A state a block can be applied to: it is read as the block's pre-state, then takes the
/// block's diff and commits to the result.
pub trait CommitState: Platform {
    /// Applies a block's state diff.
    fn commit(&mut self, diff: &StateDiff);
    /// The Ethereum state root of the state as it is now.
    fn state_root(&mut self) -> B256;
}

impl CommitState for MemoryDb {
    fn commit(&mut self, diff: &StateDiff) {
        self.apply(diff);
    }

    fn state_root(&mut self) -> B256 {
        roots::state_root(self)
    }
}

/// The commitments of an applied block: the header fields its execution decides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Commitments {
    /// The state root after the block.
    pub state_root: B256,
    /// The root of the included transactions that have an encoding.
    pub transactions_root: B256,
    /// The receipts root.
    pub receipts_root: B256,
    /// keccak256 of the RLP list of all logs (state tests and t8n tools).
    pub logs_hash: B256,
    /// The block's logs bloom.
    pub logs_bloom: Bloom,
    /// The withdrawals root.
    pub withdrawals_root: B256,
    /// EIP-4844 blob gas used.
    pub blob_gas_used: u64,
    /// EIP-7685's requests hash, for a block that collects requests (Prague+).
    pub requests_hash: Option<B256>,
}

impl Commitments {
    /// The commitments of `block` whose execution produced `output`, with `state_root` the
    /// root of the state after it.
    pub fn of(block: &Block, output: &BlockOutput, state_root: B256) -> Self {
        let encoded: Vec<&[u8]> = output
            .included
            .iter()
            .filter_map(|&i| block.transactions.get(i).and_then(|t| t.encoded.as_ref()).map(|b| b.as_ref()))
            .collect();
        let logs: Vec<_> = output.receipts.iter().flat_map(|r| r.logs.iter().cloned()).collect();
        Self {
            state_root,
            transactions_root: roots::tx_root(&encoded),
            receipts_root: roots::receipts_root(&output.receipts),
            logs_hash: roots::logs_hash(&logs),
            logs_bloom: roots::logs_bloom(&logs),
            withdrawals_root: calculate_withdrawals_root(&block.withdrawals),
            blob_gas_used: output.blob_gas_used,
            requests_hash: output.requests.as_deref().map(super::rules::requests_hash),
        }
    }
}

/// A block applied: what it produced and what it commits to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppliedBlock {
    /// Receipts, rejected transactions, system calls, the state diff of the whole block.
    pub output: BlockOutput,
    /// Its roots, logs hash and bloom, blob gas.
    pub commitments: Commitments,
}
