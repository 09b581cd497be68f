//! Applying a block to a pre-state: the system layer does it all
//! ([`wasm_runtime::exec::apply_block`]: the EIP-4788 system call, the transactions, the
//! EIP-4895 withdrawals, the commitments); this module hands it the t8n inputs.

use wasm_runtime::block::{Block, BlockOutput, BlockTx};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::exec::ArtifactCache;
use wasm_runtime::platform::MemoryDb;
use wasm_runtime::primitives::{Bloom, B256};

use crate::error::{Error, Result};
use crate::input::{Env, TxInput};

/// What a block produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The state after the block.
    pub post: MemoryDb,
    /// Receipts, rejected transactions, the state diff of the block, gas used.
    pub output: BlockOutput,
    /// Indices (in the input list) of the transactions that made it into the block.
    pub included: Vec<usize>,
    /// The Ethereum state root of `post`.
    pub state_root: B256,
    /// The root of the included transactions (those with an EIP-2718 encoding).
    pub tx_root: B256,
    /// The receipts root.
    pub receipts_root: B256,
    /// keccak256 of the RLP list of all logs.
    pub logs_hash: B256,
    /// The block's logs bloom.
    pub logs_bloom: Bloom,
    /// The withdrawals root.
    pub withdrawals_root: B256,
    /// EIP-4844 blob gas used by the included transactions.
    pub blob_gas_used: u64,
}

/// Applies the block described by `env` and `txs` to `pre` on `engine`.
pub fn apply(pre: &MemoryDb, env: &Env, txs: &[TxInput], engine: EngineKind) -> Result<Outcome> {
    let block = Block {
        env: env.block.clone(),
        parent_beacon_block_root: env.parent_beacon_block_root,
        transactions: txs.iter().map(|t| BlockTx { tx: t.tx.clone(), encoded: t.encoded.clone() }).collect(),
        withdrawals: env.withdrawals.clone(),
    };
    let mut post = pre.clone();
    let applied = wasm_runtime::exec::apply_block(&mut post, &block, engine, &mut ArtifactCache::default())
        .map_err(|e| Error::Exec(e.to_string()))?;
    let c = applied.commitments;
    Ok(Outcome {
        post,
        included: applied.output.included.clone(),
        output: applied.output,
        state_root: c.state_root,
        tx_root: c.transactions_root,
        receipts_root: c.receipts_root,
        logs_hash: c.logs_hash,
        logs_bloom: c.logs_bloom,
        withdrawals_root: c.withdrawals_root,
        blob_gas_used: c.blob_gas_used,
    })
}
