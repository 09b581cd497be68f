//! `debug_traceTransaction` and `debug_traceCall` with geth's `callTracer` shape: a tree of
//! frames (`type`, `from`, `to`, `value`, `gas`, `gasUsed`, `input`, `output`, `error`,
//! `revertReason`, `calls`), each also naming the kind of code it ran (`codeKind`: EVM,
//! WASM, native; precompile or none when no code ran) and, on the rv engine, the RV64IM
//! instructions executed while it was on the stack (`rvInstructions`, callees included).
//! The frames come from the system layer's frame loop ([`wasm_runtime::exec::Tracer`]).

use serde_json::{json, Value};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::exec::{CallKind, CallTrace, TraceKind};
use wasm_runtime::fork::Fork;
use wasm_runtime::primitives::B256;

use super::chain::{At, CallRequest, Chain, Traced};
use super::wire::{self, RpcError, RpcResult};
use crate::trace::{code_kind, type_name};
use wasm_runtime::env::TxEnv;

fn check_tracer(options: &Value) -> RpcResult<()> {
    match options.get("tracer").and_then(Value::as_str) {
        None | Some("callTracer") => Ok(()),
        Some(other) => Err(RpcError::params(format!("tracer {other} is not supported: zkos node has callTracer"))),
    }
}

fn frame_json(t: &CallTrace, fork: Fork, rv: bool) -> Value {
    let mut v = json!({
        "type": type_name(t.kind),
        "from": wire::address(&t.from),
        "to": wire::address(&t.to),
        "value": wire::qty(t.value),
        "gas": wire::qty(t.gas),
        "gasUsed": wire::qty(t.gas_used),
        "input": wire::data_value(&t.input),
        "output": wire::data_value(&t.output),
        "codeKind": code_kind(t, fork),
    });
    if rv {
        v["rvInstructions"] = wire::qty(t.rv_instructions);
    }
    match t.status {
        host_abi::status::CallStatus::Success => {}
        host_abi::status::CallStatus::Revert => {
            v["error"] = json!("execution reverted");
            if let Some(r) = wire::revert_reason(&t.output) {
                v["revertReason"] = json!(r);
            }
        }
        _ => v["error"] = json!(t.error.as_ref().map_or_else(|| "execution failed".to_string(), ToString::to_string)),
    }
    if !t.calls.is_empty() {
        v["calls"] = Value::Array(t.calls.iter().map(|c| frame_json(c, fork, rv)).collect());
    }
    v
}

/// The top frame: the transaction's (its gas limit and gas used, intrinsic gas included).
fn top_frame(chain: &Chain, tx: &TxEnv, traced: &Traced) -> Value {
    let fork = chain.settings.fork;
    let rv = chain.settings.engine == EngineKind::Rv;
    let r = &traced.receipt;
    let mut v = match traced.frames.first() {
        Some(t) => frame_json(t, fork, rv),
        // No code ran (a transfer to an account without code).
        None => {
            let t = CallTrace {
                kind: if tx.to.is_some() { TraceKind::Call(CallKind::Call) } else { TraceKind::Create },
                from: tx.caller,
                to: tx.to.or(r.contract_address).unwrap_or_default(),
                value: tx.value,
                gas: tx.gas_limit,
                gas_used: r.gas_used,
                input: tx.data.clone(),
                output: r.output.clone(),
                status: if r.success {
                    host_abi::status::CallStatus::Success
                } else {
                    host_abi::status::CallStatus::Failure
                },
                error: r.error.clone(),
                code: None,
                rv_instructions: 0,
                debug: 0..0,
                calls: Vec::new(),
            };
            frame_json(&t, fork, rv)
        }
    };
    v["gas"] = wire::qty(tx.gas_limit);
    v["gasUsed"] = wire::qty(r.gas_used);
    if rv {
        v["rvInstructions"] = wire::qty(traced.rv_instructions);
    }
    if !r.success && r.error.is_none() && traced.frames.is_empty() {
        v["error"] = json!("execution reverted");
    }
    v
}

/// `debug_traceCall`.
pub fn trace_call(chain: &mut Chain, req: &CallRequest, at: At, options: &Value) -> RpcResult<Value> {
    check_tracer(options)?;
    let (tx, traced) = chain.trace_call(req, at)?;
    Ok(top_frame(chain, &tx, &traced))
}

/// `debug_traceTransaction`: the transaction run again on the state before it (the state
/// after its block's parent and the transactions before it in the block).
pub fn trace_transaction(chain: &mut Chain, hash: B256, options: &Value) -> RpcResult<Value> {
    check_tracer(options)?;
    let stored = chain.store().tx(&hash).map_err(RpcError::internal)?;
    let stored = stored.ok_or_else(|| RpcError::server(format!("transaction {hash} not found")))?;
    let traced = chain.replay(&stored)?;
    Ok(top_frame(chain, &stored.env, &traced))
}
