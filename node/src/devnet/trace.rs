//! `debug_traceTransaction` and `debug_traceCall` with geth's `callTracer` shape.
//!
//! The system layer has no per-frame hook yet, so the trace is the top-level frame: its
//! type, addresses, value, gas, input, output, error, the kind of the code it ran (EVM,
//! WASM, native, none) and, on the rv engine, the RV64IM instructions the whole
//! transaction executed. Nested frames (`calls`) are not reported.

use serde_json::{json, Value};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::platform::Platform;
use wasm_runtime::primitives::{B256, U256};

use super::chain::{At, CallOutcome, CallRequest, Chain};
use super::gasbound::code_kind;
use super::wire::{self, RpcError, RpcResult};

fn check_tracer(options: &Value) -> RpcResult<()> {
    match options.get("tracer").and_then(Value::as_str) {
        None | Some("callTracer") => Ok(()),
        Some(other) => Err(RpcError::params(format!("tracer {other} is not supported: zkos node has callTracer"))),
    }
}

/// The frame of a call outcome.
fn frame(chain: &mut Chain, req: &CallRequest, gas: u64, out: &CallOutcome, kind: &str) -> Value {
    let mut v = json!({
        "type": if req.to.is_some() { "CALL" } else { "CREATE" },
        "from": wire::address(&req.from.unwrap_or_default()),
        "value": wire::qty(req.value.unwrap_or(U256::ZERO)),
        "gas": wire::qty(gas),
        "gasUsed": wire::qty(out.gas_used),
        "input": wire::data_value(req.data.as_ref().map_or(&[][..], |d| d.as_ref())),
        "output": wire::data_value(&out.output),
        "codeKind": kind,
    });
    if let Some(to) = &req.to {
        v["to"] = wire::address(to);
    }
    if chain.settings.engine == EngineKind::Rv {
        v["rvInstructions"] = wire::qty(out.rv_instructions);
    }
    if !out.success {
        v["error"] = json!(out.error.clone().unwrap_or_else(|| "execution reverted".into()));
        if out.error.is_none() {
            if let Some(r) = wire::revert_reason(&out.output) {
                v["revertReason"] = json!(r);
            }
        }
    }
    v
}

/// `debug_traceCall`.
pub fn trace_call(chain: &mut Chain, req: &CallRequest, at: At, options: &Value) -> RpcResult<Value> {
    check_tracer(options)?;
    let gas = req.gas.unwrap_or_else(|| chain.tx_gas_cap());
    let kind = match req.to {
        Some(to) => code_kind(&chain.with_state(at, |db| db.account(&to).map(|a| a.code).unwrap_or_default())?),
        None => "none",
    };
    let out = chain.call(req, at, Some(gas), None)?;
    Ok(frame(chain, req, gas, &out, kind))
}

/// `debug_traceTransaction`: the transaction run again on the state before it (the state
/// after its block's parent and the transactions before it in the block).
pub fn trace_transaction(chain: &mut Chain, hash: B256, options: &Value) -> RpcResult<Value> {
    check_tracer(options)?;
    let stored = chain.store().tx(&hash).map_err(RpcError::internal)?;
    let stored = stored.ok_or_else(|| RpcError::server(format!("transaction {hash} not found")))?;
    let (tx, kind, out) = chain.replay(&stored)?;
    let req = CallRequest {
        from: Some(tx.caller),
        to: tx.to,
        value: Some(tx.value),
        data: Some(tx.data.clone()),
        ..CallRequest::default()
    };
    Ok(frame(chain, &req, tx.gas_limit, &out, kind))
}
