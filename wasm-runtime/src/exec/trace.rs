//! Call traces (for the node's `debug_trace*`): when [`System::tracer`](super::System) is
//! set, the frame loop records each frame it enters (calls, creations, precompiles and
//! calls to accounts without code), with the kind of code it ran and, on the provable
//! engine, the RV64IM instructions executed while it was on the stack (its callees'
//! included), and which of the transaction's `debug_log` messages it wrote while it was on
//! the stack. Off (the default), nothing is recorded and nothing is paid; on, the recording
//! changes no gas, state or result (it only reads counters).

use alloc::vec::Vec;

use host_abi::status::CallStatus;

use super::{CallKind, CodeKind, FrameResult};
use crate::error::Failure;
use crate::primitives::{Address, Bytes, U256};

/// How a traced frame was entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// A message call of this kind.
    Call(CallKind),
    /// CREATE (or a creation transaction).
    Create,
    /// CREATE2.
    Create2,
}

/// One frame of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallTrace {
    /// How it was entered.
    pub kind: TraceKind,
    /// The caller.
    pub from: Address,
    /// The callee (the created address, for a creation that got one).
    pub to: Address,
    /// The value sent.
    pub value: U256,
    /// The gas it was given.
    pub gas: u64,
    /// The gas it used.
    pub gas_used: u64,
    /// Its input (calldata or init code).
    pub input: Bytes,
    /// Its return or revert data.
    pub output: Bytes,
    /// How it ended.
    pub status: CallStatus,
    /// Why it failed, when it halted or was not executed.
    pub error: Option<Failure>,
    /// The kind of code it ran (`None`: no code ran: a precompile, an account without
    /// code, a check that failed before entry).
    pub code: Option<CodeKind>,
    /// RV64IM instructions executed while it was on the stack (provable engine).
    pub rv_instructions: u64,
    /// The transaction's `debug_log` messages written while it was on the stack (callees
    /// included): indices into its [`crate::host::DebugOutput::messages`].
    pub debug: core::ops::Range<usize>,
    /// The frames it entered, in order.
    pub calls: Vec<CallTrace>,
}

/// The recorder.
#[derive(Clone, Debug, Default)]
pub struct Tracer {
    /// Frames entered and not ended yet, with the instruction count when they started.
    open: Vec<(CallTrace, u64)>,
    /// Top-level frames that ended, in order.
    pub frames: Vec<CallTrace>,
}

impl Tracer {
    /// A frame starts (`code`: the kind of code it runs); `debug_now`: how many debug
    /// messages the transaction has kept so far.
    pub(super) fn enter(&mut self, mut trace: CallTrace, rv_now: u64, debug_now: usize) {
        trace.debug = debug_now..debug_now;
        self.open.push((trace, rv_now));
    }

    /// The innermost open frame ends with `result`.
    pub(super) fn exit(&mut self, result: &FrameResult, rv_now: u64, debug_now: usize) {
        let Some((mut t, started)) = self.open.pop() else {
            return;
        };
        t.debug.end = debug_now.max(t.debug.start);
        t.gas_used = t.gas.saturating_sub(result.gas_left);
        t.output = result.output.clone();
        t.status = result.status;
        t.error = result.error.clone();
        t.rv_instructions = rv_now.saturating_sub(started);
        if let Some(created) = result.created {
            t.to = created;
        }
        match self.open.last_mut() {
            Some((parent, _)) => parent.calls.push(t),
            None => self.frames.push(t),
        }
    }
}
