//! The deployment run once on this machine, before anything is sent: the init data of the
//! creation executed by the system layer (wasmi) in a fresh state where only the deployer
//! exists, at the default fork. It tells whether the constructor succeeds there, the gas it
//! takes, and for EVM init code the runtime code it returns (whose selectors and code hash
//! the report then shows).

use std::collections::BTreeMap;

use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::exec::ArtifactCache;
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, Bytes, U256};

/// What the creation did.
#[derive(Debug)]
pub struct DryRun {
    /// Whether it succeeded.
    pub success: bool,
    /// Gas used by the whole transaction (intrinsic gas included).
    pub gas_used: u64,
    /// The code the new account holds (EVM: the runtime code the init code returned).
    pub code: Vec<u8>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// The revert data, when it reverted.
    pub output: Bytes,
}

/// Runs the creation of `init` by `from` in a fresh state; `None` if the system layer could
/// not run it at all (it then says why).
pub fn create(init: &[u8], from: Address) -> Result<DryRun, String> {
    let fork = Fork::default();
    let mut db = MemoryDb::default();
    db.insert(from, AccountInfo::with_balance(U256::from(u128::MAX), 0), BTreeMap::new());
    let gas = fork.tx_gas_cap().unwrap_or(30_000_000).min(30_000_000);
    let env = BlockEnv { number: 1, timestamp: 1, gas_limit: 30_000_000, chain_id: 31337, fork, ..BlockEnv::default() };
    let tx = TxEnv {
        tx_type: 2,
        caller: from,
        nonce: 0,
        gas_limit: gas,
        to: None,
        data: Bytes::copy_from_slice(init),
        ..TxEnv::default()
    };
    let out = wasm_runtime::exec::execute_block_in(
        &mut db,
        &env,
        vec![Ok(tx)],
        EngineKind::Wasmi,
        &mut ArtifactCache::default(),
    );
    if let Some(e) = out.error {
        return Err(format!("zkos internal error: {e}"));
    }
    if let Some(r) = out.rejected.first() {
        return Err(r.error.to_string());
    }
    let receipt = out.receipts.first().ok_or("the creation produced no receipt")?;
    let code = receipt
        .contract_address
        .and_then(|a| out.diff.accounts.get(&a).cloned().flatten())
        .map(|acc| acc.info.code.to_vec())
        .unwrap_or_default();
    Ok(DryRun {
        success: receipt.success,
        gas_used: receipt.gas_used,
        code,
        error: receipt.error.as_ref().map(ToString::to_string),
        output: receipt.output.clone(),
    })
}
