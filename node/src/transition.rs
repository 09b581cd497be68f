//! Applying a block to a pre-state: the system layer does it all
//! ([`wasm_runtime::exec::apply_block`]: the EIP-4788 and EIP-2935 system calls, the
//! transactions, the EIP-4895 withdrawals, the EIP-7685 requests, the commitments); this
//! module hands it the t8n inputs.

use wasm_runtime::block::rules::{CONSOLIDATION_REQUEST_ADDRESS, MAINNET_DEPOSIT_CONTRACT, WITHDRAWAL_REQUEST_ADDRESS};
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
    /// The block's excess blob gas (given, or derived under its fork).
    pub excess_blob_gas: u64,
    /// EIP-7685 (Prague+): the requests, `type ‖ data` for each type with requests.
    pub requests: Option<Vec<wasm_runtime::primitives::Bytes>>,
    /// EIP-7685 (Prague+): the requests hash.
    pub requests_hash: Option<B256>,
}

/// Whether a block on `pre` collects EIP-7685 requests (from Prague on): when the chain
/// has deployed the EIP-7002 and EIP-7251 contracts, which every Prague chain has (a block
/// then fails if either call fails). A pre-state without them (a devnet's, an older
/// fork's test) gives a block without requests, as a state test's block is.
fn collects_requests(pre: &MemoryDb) -> bool {
    [WITHDRAWAL_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS]
        .iter()
        .all(|a| pre.accounts.get(a).is_some_and(|acc| !acc.info.code.is_empty()))
}

/// Applies the block described by `env` and `txs` to `pre` on `engine`. A block that
/// cannot be applied (a balance past 2^256 − 1 wei, an internal error of zkos, which no
/// contract is charged for) is an execution error: one line, exit code 2.
pub fn apply(pre: &MemoryDb, env: &Env, txs: &[TxInput], engine: EngineKind) -> Result<Outcome> {
    apply_in(pre, env, txs, engine, &mut ArtifactCache::default())
}

/// [`apply`] with the deployment artifacts of earlier blocks (those the block builds are
/// added).
pub fn apply_in(
    pre: &MemoryDb,
    env: &Env,
    txs: &[TxInput],
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
) -> Result<Outcome> {
    apply_with(pre, env, txs, engine, artifacts, false)
}

/// [`apply`] with the call tracer on: the same outcome, and each included transaction's call
/// tree in `output.traces` (`zkos run`).
pub fn apply_traced(pre: &MemoryDb, env: &Env, txs: &[TxInput], engine: EngineKind) -> Result<Outcome> {
    apply_with(pre, env, txs, engine, &mut ArtifactCache::default(), true)
}

fn apply_with(
    pre: &MemoryDb,
    env: &Env,
    txs: &[TxInput],
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
    trace: bool,
) -> Result<Outcome> {
    let excess_blob_gas = env.excess_blob_gas();
    let block = block(pre, env, txs);
    let mut post = pre.clone();
    let applied = if trace {
        wasm_runtime::exec::apply_block_traced(&mut post, &block, engine, artifacts)
    } else {
        wasm_runtime::exec::apply_block(&mut post, &block, engine, artifacts)
    }
    .map_err(|e| Error::Exec(e.to_string()))?;
    let c = applied.commitments;
    let requests = applied.output.requests.clone();
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
        excess_blob_gas,
        requests,
        requests_hash: c.requests_hash,
    })
}

/// The block `env` and `txs` describe over `pre` (what [`apply_in`] applies; kernel mode
/// builds its input from it).
pub fn block(pre: &MemoryDb, env: &Env, txs: &[TxInput]) -> Block {
    let excess_blob_gas = env.excess_blob_gas();
    Block {
        env: wasm_runtime::env::BlockEnv { excess_blob_gas, ..env.block.clone() },
        parent_beacon_block_root: env.parent_beacon_block_root,
        transactions: txs.iter().map(|t| BlockTx { tx: t.tx.clone(), encoded: t.encoded.clone() }).collect(),
        withdrawals: env.withdrawals.clone(),
        // EIP-2935 (Prague+): the parent's hash, when the environment gives it.
        parent_hash: env
            .block
            .number
            .checked_sub(1)
            .and_then(|n| env.block.block_hashes.iter().find(|(number, _)| *number == n).map(|(_, hash)| *hash)),
        deposit_contract: collects_requests(pre).then_some(MAINNET_DEPOSIT_CONTRACT),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use wasm_runtime::env::TxEnv;
    use wasm_runtime::exec::{Artifact, CodeKind};
    use wasm_runtime::platform::AccountInfo;
    use wasm_runtime::primitives::{keccak256, Address, Bytes, U256};

    use super::*;

    const SENDER: Address = Address::repeat_byte(0xA1);
    const TARGET: Address = Address::repeat_byte(0x7A);

    /// An internal error (here: an artifact whose module no engine can take, as a corrupted
    /// artifact store would give) fails the block: `zkos run` and `t8n` stop with one line
    /// and exit code 2, and nothing is charged (no outcome, no post-state).
    #[test]
    fn an_internal_error_fails_the_block_in_one_line() {
        let code = [0x00];
        let mut pre = MemoryDb::default();
        pre.insert(SENDER, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(18)), 0), BTreeMap::new());
        let mut target = AccountInfo::default();
        target.set_code(Bytes::copy_from_slice(&code));
        pre.insert(TARGET, target, BTreeMap::new());
        let env = Env {
            block: wasm_runtime::env::BlockEnv { gas_limit: 30_000_000, chain_id: 1, ..Default::default() },
            ..Env::default()
        };
        let tx = TxEnv {
            tx_type: 2,
            caller: SENDER,
            gas_limit: 100_000,
            max_fee_per_gas: U256::from(10),
            to: Some(TARGET),
            ..TxEnv::default()
        };
        let txs = [TxInput { tx: Ok(tx), encoded: None }];
        for engine in [EngineKind::Wasmi, EngineKind::Rv] {
            let mut artifacts = ArtifactCache::default();
            let hash = keccak256(code);
            let garbage = b"\0asm\x01\0\0\0\x01\x7f".to_vec();
            artifacts.get_or_build_with(hash, || Ok(Artifact::new(hash, CodeKind::Evm, garbage, false))).unwrap();
            let err = apply_in(&pre, &env, &txs, engine, &mut artifacts).expect_err("the block fails");
            assert_eq!(err.exit_code(), 2, "{err}");
            let message = err.to_string();
            assert_eq!(crate::error::one_line(&message), message, "one line");
            assert!(message.starts_with("block execution: transaction 0: internal error: "), "{message}");
            // The same block with the artifact built from the code applies.
            let ok = apply(&pre, &env, &txs, engine).expect("applies");
            assert!(ok.output.receipts[0].success);
        }
    }
}
