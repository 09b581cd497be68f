//! The zkos side: the case's transaction on the rv engine (the EVM code transpiled to WASM,
//! compiled by rv-backend, run on the RV64IM machine), as `zkos run --engine rv` runs it.

use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{keccak256, B256, U256};

use super::input::Case;

/// Chain id of both sides (as `zkos run` defaults to).
pub const CHAIN_ID: u64 = 1;

/// What the transaction did on zkos.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `success` or `failure`.
    pub status: &'static str,
    pub gas_used: u64,
    /// keccak256 of the return (or revert) data.
    pub output_hash: B256,
    /// RV64IM instructions of contract code (`work.rvInstructions` of `zkos run`).
    pub instructions: u64,
}

/// Runs the case on the rv engine.
pub fn run(case: &Case) -> Result<Outcome, String> {
    let mut db = MemoryDb::default();
    for (address, acc) in &case.pre {
        let mut info = AccountInfo::with_balance(acc.balance, acc.nonce);
        info.set_code(acc.code.clone());
        db.insert(*address, info, acc.storage.clone());
    }
    let block = BlockEnv {
        number: case.block.number,
        timestamp: case.block.timestamp,
        coinbase: case.block.coinbase,
        gas_limit: case.block.gas_limit,
        base_fee: U256::from(case.block.base_fee),
        prev_randao: case.block.prev_randao,
        chain_id: CHAIN_ID,
        fork: if case.osaka { Fork::Osaka } else { Fork::Prague },
        ..BlockEnv::default()
    };
    let tx = TxEnv {
        tx_type: 0,
        caller: case.tx.sender,
        nonce: case.tx.nonce,
        gas_limit: case.tx.gas_limit,
        max_fee_per_gas: U256::from(case.tx.gas_price),
        max_priority_fee_per_gas: U256::from(case.tx.gas_price),
        to: case.tx.to,
        value: case.tx.value,
        data: case.tx.data.clone(),
        hash: B256::with_last_byte(1),
        ..TxEnv::default()
    };
    let out = wasm_runtime::exec::execute_block_with(&mut db, &block, vec![Ok(tx)], EngineKind::Rv);
    if let Some(e) = &out.error {
        return Err(format!("the block failed: {e}"));
    }
    let receipt = out.receipts.first().ok_or_else(|| format!("the transaction was rejected: {:?}", out.rejected))?;
    Ok(Outcome {
        status: if receipt.success { "success" } else { "failure" },
        gas_used: receipt.gas_used,
        output_hash: keccak256(&receipt.output),
        instructions: out.stats.rv_instructions,
    })
}
