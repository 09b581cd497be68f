//! Applying a block to a pre-state: the EIP-4788 beacon-root update, the transactions (by
//! the system layer), the EIP-4895 withdrawals, and the commitments of the result.

use alloy_consensus::proofs::calculate_withdrawals_root;
use wasm_runtime::block::{roots, BlockOutput};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::platform::MemoryDb;
use wasm_runtime::primitives::{keccak256, Address, Bloom, B256, U256};

use crate::error::{Error, Result};
use crate::input::{Env, TxInput, GAS_PER_BLOB};

/// The EIP-4788 beacon-roots contract.
pub const BEACON_ROOTS_ADDRESS: Address = alloy_primitives::address!("000F3df6D732807Ef1319fB7B8bB8522d0Beac02");
/// EIP-4788's ring buffer length.
const HISTORY_BUFFER_LENGTH: u64 = 8191;
/// The runtime code EIP-4788 deploys at [`BEACON_ROOTS_ADDRESS`].
const BEACON_ROOTS_CODE: &str = "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500";

/// What a block produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The state after the block.
    pub post: MemoryDb,
    /// Receipts, rejected transactions, the state diff of the transactions, gas used.
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

/// Applies the block described by `env` and `txs` to `pre` on `engine`, on a thread whose
/// stack holds 1024 nested frames.
pub fn apply(pre: &MemoryDb, env: &Env, txs: &[TxInput], engine: EngineKind) -> Result<Outcome> {
    crate::statetest::big_stack(|| apply_here(pre, env, txs, engine))
}

fn apply_here(pre: &MemoryDb, env: &Env, txs: &[TxInput], engine: EngineKind) -> Result<Outcome> {
    let mut state = pre.clone();
    if let Some(root) = env.parent_beacon_block_root {
        store_beacon_root(&mut state, env.block.timestamp, root)?;
    }
    let inputs: Vec<_> = txs.iter().map(|t| t.tx.clone()).collect();
    let output = wasm_runtime::exec::execute_block_with(&mut state, &env.block, inputs, engine);
    if let Some(e) = &output.error {
        return Err(Error::Exec(e.clone()));
    }
    state.apply(&output.diff);
    for (i, withdrawal) in env.withdrawals.iter().enumerate() {
        credit(&mut state, withdrawal.address, withdrawal.amount_wei())
            .map_err(|e| Error::Exec(format!("withdrawal {i}: {e}")))?;
    }

    let rejected: std::collections::BTreeSet<usize> = output.rejected.iter().map(|r| r.index).collect();
    let included: Vec<usize> = (0..txs.len()).filter(|i| !rejected.contains(i)).collect();
    if included.len() != output.receipts.len() {
        return Err(Error::Exec(format!(
            "{} receipts for {} included transactions",
            output.receipts.len(),
            included.len()
        )));
    }
    let encoded: Vec<&[u8]> = included.iter().filter_map(|&i| txs[i].encoded.as_ref().map(|b| b.as_ref())).collect();
    let blob_gas_used = included
        .iter()
        .filter_map(|&i| txs[i].tx.as_ref().ok())
        .map(|tx| GAS_PER_BLOB * tx.blob_hashes.len() as u64)
        .sum();
    let logs: Vec<_> = output.receipts.iter().flat_map(|r| r.logs.iter().cloned()).collect();
    Ok(Outcome {
        state_root: roots::state_root(&state),
        tx_root: roots::tx_root(&encoded),
        receipts_root: roots::receipts_root(&output.receipts),
        logs_hash: roots::logs_hash(&logs),
        logs_bloom: roots::logs_bloom(&logs),
        withdrawals_root: calculate_withdrawals_root(&env.withdrawals),
        blob_gas_used,
        post: state,
        output,
        included,
    })
}

/// EIP-4788's system call, applied natively: when the beacon-roots contract is deployed,
/// store `timestamp` and the parent beacon root in its ring buffer, exactly what its code
/// does when the system address calls it. Other code at that address would need the EVM,
/// so it is refused rather than guessed at.
fn store_beacon_root(state: &mut MemoryDb, timestamp: u64, root: B256) -> Result<()> {
    let Some(account) = state.accounts.get_mut(&BEACON_ROOTS_ADDRESS) else {
        return Ok(());
    };
    if account.info.code.is_empty() {
        return Ok(());
    }
    let canonical = hex::decode(BEACON_ROOTS_CODE).map(keccak256).unwrap_or_default();
    if account.info.code_hash != canonical {
        return Err(Error::Exec(format!(
            "the code at the EIP-4788 address {BEACON_ROOTS_ADDRESS} is not the beacon-roots contract"
        )));
    }
    let slot = timestamp % HISTORY_BUFFER_LENGTH;
    for (key, value) in [
        (U256::from(slot), U256::from(timestamp)),
        (U256::from(slot + HISTORY_BUFFER_LENGTH), U256::from_be_bytes(root.0)),
    ] {
        if value.is_zero() {
            account.storage.remove(&key);
        } else {
            account.storage.insert(key, value);
        }
    }
    Ok(())
}

/// Adds `amount` to an account's balance; an account left empty is removed (EIP-161). A
/// balance past 2^256 − 1 wei is an error (the specification stops with an overflow).
fn credit(state: &mut MemoryDb, address: Address, amount: U256) -> Result<(), String> {
    let account = state.accounts.entry(address).or_default();
    account.info.balance = account
        .info
        .balance
        .checked_add(amount)
        .ok_or_else(|| format!("the balance of {address} would exceed 2^256 - 1 wei"))?;
    if account.info.is_empty() {
        state.accounts.remove(&address);
    }
    Ok(())
}
