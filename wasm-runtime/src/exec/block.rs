//! Blocks: the EIP-4788 and EIP-2935 system calls, the transactions, the EIP-4895
//! withdrawals, the EIP-7685 requests (EIP-6110 deposits, the EIP-7002 and EIP-7251 system
//! calls), and the commitments of the result.

use alloc::vec::Vec;

use super::{tx, ArtifactCache, System};
use crate::block::rules::{
    deposit_request, typed_request, withdrawal_wei, BEACON_ROOTS_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS,
    CONSOLIDATION_REQUEST_TYPE, DEPOSIT_EVENT_SIGNATURE, DEPOSIT_REQUEST_TYPE, HISTORY_STORAGE_ADDRESS,
    WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_TYPE,
};
use crate::block::{
    AppliedBlock, Block, BlockError, BlockOutput, BlockStep, CommitState, Commitments, Rejected, Rejection,
};
use crate::engine::EngineKind;
use crate::env::{BlockEnv, TxEnv};
use crate::error::Internal;
use crate::platform::Platform;
use crate::primitives::Bytes;
use crate::tx::TxError as DecodeError;

/// Applies `block` to `state` on `engine`: the EIP-4788 and (Prague+) EIP-2935 system
/// calls, the transactions, the withdrawals, (Prague+) the requests; then commits the block's diff to `state` and returns what the block
/// produced and its commitments. Artifacts the block builds are added to `artifacts`.
///
/// A block that cannot be applied (a balance past 2^256 − 1 wei, a failing EIP-7002 or
/// EIP-7251 system call, a malformed deposit log, an internal error: a compiler or machine
/// bug, never charged to a contract) is an error and leaves `state` as it was.
pub fn apply_block<S: CommitState>(
    state: &mut S,
    block: &Block,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
) -> Result<AppliedBlock, BlockError> {
    apply(state, block, engine, artifacts, false)
}

/// [`apply_block`] with the call tracer on for every transaction: the same state, receipts,
/// gas and commitments (tracing only reads counters), and each included transaction's call
/// tree in [`BlockOutput::traces`] (for `zkos run --trace`).
pub fn apply_block_traced<S: CommitState>(
    state: &mut S,
    block: &Block,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
) -> Result<AppliedBlock, BlockError> {
    apply(state, block, engine, artifacts, true)
}

fn apply<S: CommitState>(
    state: &mut S,
    block: &Block,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
    trace: bool,
) -> Result<AppliedBlock, BlockError> {
    let txs = block.transactions.iter().map(|t| t.tx.as_ref());
    let output = run(&mut *state, block, txs, engine, artifacts, trace);
    if let Some(error) = output.error.clone() {
        return Err(error);
    }
    state.commit(&output.diff);
    let commitments = Commitments::of(block, &output, state.state_root());
    Ok(AppliedBlock { output, commitments })
}

/// Applies `txs` (decoded, or the reason they could not be) to the state of `platform` on
/// the reference engine. Invalid transactions are rejected, the others executed in order.
/// The state is not modified: apply the returned diff ([`crate::platform::MemoryDb::apply`]).
/// No system call and no withdrawals: [`apply_block`] applies a whole block.
pub fn execute_block<P: Platform>(
    platform: &mut P,
    block: &BlockEnv,
    txs: Vec<Result<TxEnv, DecodeError>>,
) -> BlockOutput {
    execute_block_with(platform, block, txs, EngineKind::Wasmi)
}

/// [`execute_block`] on a chosen engine.
pub fn execute_block_with<P: Platform>(
    platform: &mut P,
    block: &BlockEnv,
    txs: Vec<Result<TxEnv, DecodeError>>,
    engine: EngineKind,
) -> BlockOutput {
    execute_block_in(platform, block, txs, engine, &mut ArtifactCache::default())
}

/// [`execute_block_with`] starting from the deployment artifacts of earlier blocks; the
/// artifacts this block builds are added to `artifacts`. A chain that keeps them never
/// transpiles or normalizes a code hash twice.
pub fn execute_block_in<P: Platform>(
    platform: &mut P,
    block: &BlockEnv,
    txs: Vec<Result<TxEnv, DecodeError>>,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
) -> BlockOutput {
    let header = Block { env: block.clone(), ..Block::default() };
    run(platform, &header, txs.iter().map(|t| t.as_ref()), engine, artifacts, false)
}

/// The block loop: the system calls, `txs` (which stand for `block.transactions`), the
/// withdrawals, the requests. Stops at the first step that would take a balance past 2^256 − 1 wei, or
/// that meets an internal error. `trace`: record each transaction's call tree.
fn run<'t, P: Platform>(
    platform: P,
    block: &Block,
    txs: impl Iterator<Item = Result<&'t TxEnv, &'t DecodeError>>,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
    trace: bool,
) -> BlockOutput {
    let mut sys = System::with_artifacts(platform, block.env.clone(), engine, core::mem::take(artifacts));
    if trace {
        sys.tracer = Some(alloc::boxed::Box::default());
    }
    let mut out = BlockOutput::default();
    let result = run_steps(&mut sys, block, txs, &mut out);
    out.error = result.err();
    out.diff = sys.world.diff();
    out.stats = sys.stats;
    *artifacts = core::mem::take(&mut sys.artifacts);
    out
}

fn run_steps<'t, P: Platform>(
    sys: &mut System<P>,
    block: &Block,
    txs: impl Iterator<Item = Result<&'t TxEnv, &'t DecodeError>>,
    out: &mut BlockOutput,
) -> Result<(), BlockError> {
    let overflow = |sys: &System<P>, step| match sys.world.balance_overflow() {
        Some(address) => Err(BlockError::BalanceOverflow { step, address }),
        None => Ok(()),
    };
    let internal = |step| move |error: Internal| BlockError::Internal { step, error };

    // EIP-4788: the parent beacon block root, before the transactions.
    if let Some(root) = block.parent_beacon_block_root {
        let input = Bytes::copy_from_slice(root.as_slice());
        if let Some(call) = sys.system_call(BEACON_ROOTS_ADDRESS, input).map_err(internal(BlockStep::BeaconRoot))? {
            out.system_calls.push(call);
        }
        overflow(sys, BlockStep::BeaconRoot)?;
    }
    // EIP-2935 (Prague+): the parent hash into the history storage contract.
    if let (true, Some(parent)) = (block.env.fork.history_in_state(), block.parent_hash) {
        let input = Bytes::copy_from_slice(parent.as_slice());
        let step = BlockStep::HistoryStorage;
        if let Some(call) = sys.system_call(HISTORY_STORAGE_ADDRESS, input).map_err(internal(step))? {
            out.system_calls.push(call);
        }
        overflow(sys, step)?;
    }

    for (index, tx) in txs.enumerate() {
        let tx = match tx {
            Ok(tx) => tx,
            Err(error) => {
                out.rejected.push(Rejected { index, error: Rejection::Decode(error.clone()) });
                continue;
            }
        };
        // EIP-4844: the block's blob gas stays within the fork's maximum.
        let blob_gas = tx::GAS_PER_BLOB * tx.blob_hashes.len() as u64;
        let max = block.env.fork.blob_params().max_gas();
        if out.blob_gas_used.saturating_add(blob_gas) > max {
            let error = Rejection::BlobGasAboveLimit { used: out.blob_gas_used, blob_gas, max };
            out.rejected.push(Rejected { index, error });
            continue;
        }
        if let Some(tracer) = sys.tracer.as_deref_mut() {
            // Frames of the system calls before it are not the transaction's.
            *tracer = super::Tracer::default();
        }
        match sys.apply_transaction(tx, out.gas_used).map_err(internal(BlockStep::Transaction(index)))? {
            Ok(mut receipt) => {
                if let Some(tracer) = sys.tracer.as_deref_mut() {
                    out.traces.push((index, core::mem::take(&mut tracer.frames)));
                }
                out.gas_used += receipt.gas_used;
                out.blob_gas_used += blob_gas;
                receipt.cumulative_gas_used = out.gas_used;
                out.receipts.push(receipt);
                out.included.push(index);
            }
            Err(e) => out.rejected.push(Rejected { index, error: Rejection::Invalid(e) }),
        }
        let debug = core::mem::take(&mut sys.debug_output);
        if !debug.is_empty() {
            out.debug_output.push((index, debug));
        }
        overflow(sys, BlockStep::Transaction(index))?;
    }

    // EIP-4895: withdrawals, in Gwei. A withdrawal that leaves its account empty (zero to an
    // account that is empty or absent) removes it (EIP-161), as the specification does.
    for (index, withdrawal) in block.withdrawals.iter().enumerate() {
        sys.world.credit(withdrawal.address, withdrawal_wei(withdrawal.amount));
        overflow(sys, BlockStep::Withdrawal(index))?;
    }
    let _ = sys.world.finish_tx();

    // EIP-7685 (Prague+): the requests, in ascending type order.
    if let (true, Some(deposit_contract)) = (block.env.fork.requests(), block.deposit_contract) {
        let mut requests = Vec::new();
        // EIP-6110: deposits are the deposit contract's `DepositEvent` logs.
        let mut deposits = Vec::new();
        for (receipt, &index) in out.receipts.iter().zip(&out.included) {
            for log in &receipt.logs {
                if log.address == deposit_contract && log.topics().first() == Some(&DEPOSIT_EVENT_SIGNATURE) {
                    let request = deposit_request(&log.data.data)
                        .map_err(|error| BlockError::InvalidDepositLog { transaction: index, error })?;
                    deposits.extend_from_slice(&request);
                }
            }
        }
        requests.extend(typed_request(DEPOSIT_REQUEST_TYPE, &deposits));
        // EIP-7002 then EIP-7251: the contracts return their queued requests.
        let calls = [
            (BlockStep::WithdrawalRequests, WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_TYPE),
            (BlockStep::ConsolidationRequests, CONSOLIDATION_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_TYPE),
        ];
        for (step, address, ty) in calls {
            let call = sys.checked_system_call(step, address, Bytes::new())?;
            requests.extend(typed_request(ty, &call.output));
            out.system_calls.push(call);
            overflow(sys, step)?;
        }
        out.requests = Some(requests);
    }
    Ok(())
}
