//! `zkos run --trace`: each transaction's call tree, from the system layer's frame tracer
//! ([`wasm_runtime::exec::Tracer`], the one behind the devnet's `debug_trace*`): per frame
//! the kind of code it ran, how it was entered, from and to, value, gas given and used, how it
//! ended (success, reverted with the decoded reason, failed with the system layer's reason),
//! the call and return values decoded where an ABI is known, the `debug_log` messages it
//! wrote, and on the rv engine the RV64IM instructions executed (with and without callees).
//!
//! ```text
//!   CALL [WASM] 0xf39F…2266 -> 0x5FbD…0aa3, value 0, gas 978712, used 29044: reverted: InsufficientBalance(available: 0, requested: 5)
//!     withdraw(amount: 5)
//!     debug: checking balance
//! ```

use std::fmt::Write as _;

use host_abi::status::CallStatus;
use serde::Serialize;
use wasm_runtime::error::{Failure, Fault, Trap};
use wasm_runtime::exec::{precompile, CallKind, CallTrace, CodeKind, TraceKind};
use wasm_runtime::fork::Fork;
use wasm_runtime::primitives::{Address, U256};

use crate::decode::Abis;
use crate::json::hex_bytes;

/// One frame of a call tree, as `zkos run --trace --json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    /// How it was entered: `CALL`, `STATICCALL`, `DELEGATECALL`, `CALLCODE`, `CREATE`,
    /// `CREATE2`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The code it ran: `EVM`, `WASM`, `native`, or `precompile` / `none` when no code ran.
    pub code_kind: &'static str,
    /// The caller.
    pub from: Address,
    /// The callee (the code's address for DELEGATECALL and CALLCODE; the created address).
    pub to: Address,
    /// Value sent, in wei.
    pub value: U256,
    /// Gas it was given.
    pub gas: u64,
    /// Gas it used.
    pub gas_used: u64,
    /// `success`, `reverted` or `failed`.
    pub status: &'static str,
    /// Why it failed, as the system layer says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kind of failure: `out of gas`, `trap`, `invalid code`, `limit`, `invalid host
    /// call`, `precompile`, `not executed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_kind: Option<&'static str>,
    /// The decoded revert reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
    /// The call decoded with the callee's ABI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The return values decoded with the callee's ABI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<String>,
    /// Input (calldata or init code), hex.
    pub input: String,
    /// Return or revert data, hex.
    pub output: String,
    /// RV64IM instructions executed while it was on the stack, callees included (rv engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rv_instructions: Option<u64>,
    /// RV64IM instructions executed in this frame alone (rv engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rv_instructions_own: Option<u64>,
    /// The `debug_log` messages this frame wrote (its callees' are theirs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub debug: Vec<String>,
    /// The frames it entered, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<Frame>,
    /// Its debug messages and callees in the order they happened.
    #[serde(skip)]
    order: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
enum Item {
    Debug(usize),
    Call(usize),
}

/// What a run knows when it builds the trees.
pub struct Context<'a> {
    /// The ABIs to decode with.
    pub abis: &'a Abis,
    /// The fork (which addresses are precompiles).
    pub fork: Fork,
    /// Whether the engine counts RV64IM instructions.
    pub rv: bool,
    /// The transaction's debug messages, in order.
    pub debug: &'a [String],
}

/// The tree of one traced frame.
pub fn frame(t: &CallTrace, cx: &Context<'_>) -> Frame {
    let calls: Vec<Frame> = t.calls.iter().map(|c| frame(c, cx)).collect();
    // Messages written while a callee was on the stack are the callee's.
    let mut order = Vec::new();
    let mut debug = Vec::new();
    let mut next = t.debug.start;
    let mut own = |from: usize, to: usize, order: &mut Vec<Item>| {
        for i in from..to {
            if let Some(m) = cx.debug.get(i) {
                order.push(Item::Debug(debug.len()));
                debug.push(m.clone());
            }
        }
    };
    for (i, c) in t.calls.iter().enumerate() {
        own(next, c.debug.start, &mut order);
        order.push(Item::Call(i));
        next = next.max(c.debug.end);
    }
    own(next, t.debug.end, &mut order);
    let children: u64 = t.calls.iter().map(|c| c.rv_instructions).sum();
    let (status, error, failure_kind, revert_reason) = match t.status {
        CallStatus::Success => ("success", None, None, None),
        CallStatus::Revert => ("reverted", None, None, Some(cx.abis.revert_reason(Some(&t.to), &t.output))),
        CallStatus::Failure | CallStatus::NotExecuted => match &t.error {
            Some(f) => ("failed", Some(failure_text(f, t.code)), Some(failure_kind(f)), None),
            None => ("failed", Some("execution failed".to_string()), None, None),
        },
    };
    let is_call = matches!(t.kind, TraceKind::Call(_));
    let code = code_kind(t, cx.fork);
    Frame {
        kind: type_name(t.kind),
        code_kind: code,
        from: t.from,
        to: t.to,
        value: t.value,
        gas: t.gas,
        gas_used: t.gas_used,
        status,
        error,
        failure_kind,
        revert_reason,
        call: if is_call { cx.abis.call(&t.to, &t.input) } else { None },
        returned: if is_call && t.status == CallStatus::Success {
            cx.abis.returned(&t.to, &t.input, &t.output)
        } else {
            None
        },
        input: hex_bytes(&t.input),
        output: hex_bytes(&t.output),
        rv_instructions: cx.rv.then_some(t.rv_instructions),
        rv_instructions_own: cx.rv.then(|| t.rv_instructions.saturating_sub(children)),
        debug,
        calls,
        order,
    }
}

/// The kind of a failure, in a few words.
pub fn failure_kind(f: &Failure) -> &'static str {
    match f {
        Failure::Limit(_) => "limit",
        Failure::Fault(fault) => match fault {
            Fault::OutOfGas(_) => "out of gas",
            Fault::Trap(_) => "trap",
            Fault::InvalidCode(_) | Fault::CodeStartsWithEf => "invalid code",
            Fault::MemoryAccess { .. }
            | Fault::ReturnDataOutOfBounds
            | Fault::StaticStateChange(_)
            | Fault::TooManyTopics(_)
            | Fault::UnsupportedHostFunction(_)
            | Fault::BlobBaseFeeOverflow => "invalid host call",
            Fault::Precompile { .. } => "precompile",
            Fault::AddressCollision(_) | Fault::InsufficientBalance | Fault::NonceOverflow => "not executed",
        },
    }
}

/// A failure as one line: its kind, the system layer's reason, and what an `unreachable`
/// means for the kind of code that ran (when known).
pub fn failure_text(f: &Failure, code: Option<CodeKind>) -> String {
    let kind = failure_kind(f);
    let message = f.to_string();
    let mut text = if message.starts_with(kind) { message } else { format!("{kind}: {message}") };
    if let Failure::Fault(Fault::Trap(Trap::Unreachable)) = f {
        text.push_str(match code {
            Some(CodeKind::Evm) => " (EVM code: an invalid opcode, a bad jump or a stack underflow or overflow)",
            Some(CodeKind::Wasm | CodeKind::Native) => {
                " (an `unreachable` instruction, a panic, or the WASM stack budget used up)"
            }
            None => "",
        });
    }
    text
}

/// The frame's type as geth's callTracer names it (`CALL`, `STATICCALL`, `CREATE2`, ...).
pub(crate) fn type_name(kind: TraceKind) -> &'static str {
    match kind {
        TraceKind::Call(CallKind::StaticCall) => "STATICCALL",
        TraceKind::Call(CallKind::DelegateCall) => "DELEGATECALL",
        TraceKind::Call(CallKind::CallCode) => "CALLCODE",
        TraceKind::Call(_) => "CALL",
        TraceKind::Create => "CREATE",
        TraceKind::Create2 => "CREATE2",
    }
}

/// The kind of code the frame ran: EVM, WASM, native, a precompile, or none.
pub(crate) fn code_kind(t: &CallTrace, fork: Fork) -> &'static str {
    match t.code {
        Some(CodeKind::Evm) => "EVM",
        Some(CodeKind::Wasm) => "WASM",
        Some(CodeKind::Native) => "native",
        None if precompile::number(fork, &t.to).is_some() => "precompile",
        None => "none",
    }
}

/// A debug message as one line of text: control characters (newlines included) escaped, so
/// a contract cannot forge lines of the report.
pub fn printable(message: &str) -> String {
    message.chars().flat_map(|c| if c.is_control() { c.escape_debug().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// Writes the tree under `f` to `out`, each frame `depth` steps in.
pub fn render(out: &mut String, f: &Frame, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = write!(
        out,
        "{pad}{} [{}] {} -> {}, value {}, gas {}, used {}",
        f.kind, f.code_kind, f.from, f.to, f.value, f.gas, f.gas_used
    );
    if let (Some(all), Some(own)) = (f.rv_instructions, f.rv_instructions_own) {
        let _ = write!(out, ", {all} RV64IM instructions ({own} own)");
    }
    let _ = match (&f.revert_reason, &f.error) {
        (Some(reason), _) => writeln!(out, ": reverted: {reason}"),
        (None, Some(error)) => writeln!(out, ": failed: {error}"),
        (None, None) => writeln!(out, ": {}", f.status),
    };
    if let Some(call) = &f.call {
        let _ = writeln!(out, "{pad}  {}", printable(call));
    }
    if let Some(returned) = &f.returned {
        let _ = writeln!(out, "{pad}  returned {}", printable(returned));
    }
    for item in &f.order {
        match *item {
            Item::Debug(i) => {
                let _ = writeln!(out, "{pad}  debug: {}", printable(&f.debug[i]));
            }
            Item::Call(i) => render(out, &f.calls[i], depth + 1),
        }
    }
}
