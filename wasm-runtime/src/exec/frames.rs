//! The frame loop: call frames on an explicit stack.
//!
//! A frame whose code runs sits on a stack (a `Vec`) with its context, where its calldata
//! is, its engine state ([`Running`]) and how to finish it ([`End`]). The loop runs the top
//! frame until its code ends or a host function asks for a call or a create
//! ([`Step::Suspend`]). A request is entered ([`System::enter_call`],
//! [`System::enter_create`]): either it ends at once (a precompile, an account without code,
//! a failed check), and the requester resumes with that result, or its code is pushed and
//! runs on top. A frame that ends is finished (changes undone on failure, the code deposit
//! of a creation, ...), popped, and the frame below resumes with its result; when the
//! bottom frame ends, its result is the loop's.
//!
//! So no contract frame recurses natively into another: the native stack holds one frame's
//! engine loop at a time, whatever the call depth, and the depth limit
//! ([`host_abi::limits::MAX_CALL_DEPTH`]) bounds the stack's length. A suspended frame keeps
//! its engine's instance (wasmi's stopped invocation, the RV64IM machine stopped at its
//! `ecall`); an instance goes back to its pool only when its frame ends.
//!
//! An internal error ([`Internal`]) anywhere ends the whole loop at once with `Err`: no
//! frame below is resumed or charged, and the block fails.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;

use super::call::frame_result;
use super::{Artifact, CallKind, CallTrace, Calldata, CodeKind, Frame, FrameResult, System, TraceKind};
use crate::engine::{Outcome, Running, Step};
use crate::error::{Internal, Invariant};
use crate::host::Request;
use crate::platform::Platform;
use crate::primitives::{Address, Bytes, U256};
use crate::world::Checkpoint;

/// A frame about to run its code.
pub(super) struct Start {
    /// Its context.
    pub frame: Frame,
    /// Where its calldata is.
    pub input: Calldata,
    /// The code.
    pub artifact: Rc<Artifact>,
    /// The export to call.
    pub export: &'static str,
    /// Its gas (the entry charge not yet paid).
    pub gas: u64,
    /// How to finish it when its code ends.
    pub end: End,
}

/// What entering a call or a creation came to.
pub(super) enum Entered {
    /// It ended at once with this result, finished (a precompile, an account without code,
    /// a failed check, an envelope without `deploy`).
    Done(FrameResult),
    /// Its code is to run.
    Run(Box<Start>),
}

impl Entered {
    pub(super) fn run(start: Start) -> Self {
        Self::Run(Box::new(start))
    }
}

/// How a frame's result is finished when its code ends.
#[derive(Clone, Copy, Debug)]
pub(super) enum End {
    /// A call: its changes are undone unless it succeeded.
    Call { checkpoint: Checkpoint },
    /// An envelope's `deploy`, the code at `address` stored on entry.
    Deploy { checkpoint: Checkpoint, address: Address },
    /// EVM init code, whose output is the code deposited at `address`.
    InitCode { checkpoint: Checkpoint, address: Address },
}

/// A frame on the stack.
struct Active {
    frame: Frame,
    input: Calldata,
    engine: Running,
    end: End,
    /// The request the frame is suspended on (while a frame above it runs).
    waiting: Option<Request>,
}

/// What the loop does next.
enum Next {
    /// Start a frame's code on top of the stack.
    Start(Box<Start>),
    /// Resume the top frame with the result of the frame it waited for.
    Resume(FrameResult),
}

impl<P: Platform> System<P> {
    /// Runs the frame `entered` and every frame it calls or creates, on an explicit stack;
    /// its result, or the internal error that ended the loop.
    pub(super) fn run_frames(&mut self, entered: Entered) -> Result<FrameResult, Internal> {
        let mut stack: Vec<Active> = Vec::new();
        let mut next = match entered {
            Entered::Done(result) => return Ok(result),
            Entered::Run(start) => Next::Start(start),
        };
        loop {
            let step = match next {
                Next::Start(start) => {
                    let Start { frame, input, artifact, export, gas, end } = *start;
                    if self.tracer.is_some() {
                        self.trace_enter(&stack, &frame, &input, artifact.kind, gas, end);
                    }
                    match Running::start(self, &artifact, export, gas)? {
                        Ok(engine) => {
                            stack.push(Active { frame, input, engine, end, waiting: None });
                            self.step(&mut stack, None)?
                        }
                        Err(outcome) => {
                            // It ended before its code ran (its entry charge, a segment that
                            // does not fit): finished like any frame, never pushed.
                            let result = self.finish(end, outcome)?;
                            self.trace_exit(&result);
                            if stack.is_empty() {
                                return Ok(result);
                            }
                            next = Next::Resume(result);
                            continue;
                        }
                    }
                }
                Next::Resume(result) => self.step(&mut stack, Some(result))?,
            };
            next = match step {
                Step::Done(outcome) => {
                    let Some(top) = stack.pop() else {
                        return Err(Invariant::EmptyFrameStack.into());
                    };
                    let end = top.end;
                    top.engine.retire(self);
                    let result = self.finish(end, outcome)?;
                    self.trace_exit(&result);
                    if stack.is_empty() {
                        return Ok(result);
                    }
                    Next::Resume(result)
                }
                Step::Suspend(request) => {
                    let Some(top) = stack.last_mut() else {
                        return Err(Invariant::EmptyFrameStack.into());
                    };
                    let entered = self.enter_request(top, &request)?;
                    if let (Some(tracer), Entered::Done(result)) = (self.tracer.as_deref_mut(), &entered) {
                        // Ended at once (a precompile, no code, a failed check): a leaf.
                        let (kind, from, to, value, gas, input) = requested(top, &request);
                        let (rv, debug) = (self.stats.rv_instructions, self.debug_output.len());
                        tracer.enter(trace_frame(kind, from, to, value, gas, input, None), rv, debug);
                        tracer.exit(result, rv, debug);
                    }
                    top.waiting = Some(request);
                    match entered {
                        Entered::Done(result) => Next::Resume(result),
                        Entered::Run(start) => Next::Start(start),
                    }
                }
            };
        }
    }

    /// Runs the top frame until it ends or suspends; `child` is the result of the frame it
    /// waited for (`None` for a frame that has not run yet).
    fn step(&mut self, stack: &mut [Active], child: Option<FrameResult>) -> Result<Step, Internal> {
        let Some((top, below)) = stack.split_last_mut() else {
            return Err(Invariant::EmptyFrameStack.into());
        };
        let input: &[u8] = match &top.input {
            Calldata::Owned(bytes) => bytes,
            Calldata::InCaller { offset, len } => {
                let (at, len) = (*offset as usize, *len as usize);
                // Checked to lie in the caller's memory when the call was made; the caller
                // has been suspended since and its memory never shrinks.
                match below.last().and_then(|caller| caller.engine.memory().get(at..at.saturating_add(len))) {
                    Some(input) => input,
                    None => return Err(Invariant::InputOutsideCaller.into()),
                }
            }
        };
        let resume = match (top.waiting.take(), child) {
            (Some(request), Some(result)) => Some((request, result)),
            (None, None) => None,
            _ => return Err(Invariant::ResumeMismatch.into()),
        };
        top.engine.run(self, &mut top.frame, input, resume)
    }

    /// Enters the call or creation that the top frame `caller` asked for.
    fn enter_request(&mut self, caller: &Active, request: &Request) -> Result<Entered, Internal> {
        match request {
            Request::Call(call) => {
                let (offset, len) = call.input;
                let at = offset as usize;
                // The host function checked the range before it made the request.
                let Some(input) = caller.engine.memory().get(at..at.saturating_add(len as usize)) else {
                    return Err(Invariant::InputOutsideCaller.into());
                };
                self.enter_call(&call.params, input, Calldata::InCaller { offset, len })
            }
            Request::Create(create) => self.enter_create(
                create.caller,
                create.value,
                create.init.clone(),
                create.gas,
                create.salt,
                create.depth,
                None,
            ),
        }
    }

    /// Records the start of a frame whose code runs (tracing on).
    fn trace_enter(&mut self, stack: &[Active], frame: &Frame, input: &Calldata, code: CodeKind, gas: u64, end: End) {
        let caller = stack.last();
        let (kind, input) = match caller.and_then(|c| c.waiting.as_ref().map(|r| (c, r))) {
            Some((c, request)) => {
                let (kind, _, _, _, _, input) = requested(c, request);
                (kind, input)
            }
            None => {
                let kind = match end {
                    End::Call { .. } => TraceKind::Call(CallKind::Call),
                    End::Deploy { .. } | End::InitCode { .. } => TraceKind::Create,
                };
                let input = match input {
                    Calldata::Owned(bytes) => bytes.clone(),
                    Calldata::InCaller { .. } => Bytes::new(),
                };
                (kind, input)
            }
        };
        let to = match kind {
            TraceKind::Call(CallKind::DelegateCall | CallKind::CallCode) => frame.code_address,
            _ => frame.address,
        };
        let trace = trace_frame(kind, frame.caller, to, frame.value, gas, input, Some(code));
        let (rv, debug) = (self.stats.rv_instructions, self.debug_output.len());
        if let Some(tracer) = self.tracer.as_deref_mut() {
            tracer.enter(trace, rv, debug);
        }
    }

    /// Records the end of the innermost traced frame (tracing on).
    fn trace_exit(&mut self, result: &FrameResult) {
        let (rv, debug) = (self.stats.rv_instructions, self.debug_output.len());
        if let Some(tracer) = self.tracer.as_deref_mut() {
            tracer.exit(result, rv, debug);
        }
    }

    /// Finishes a frame whose code ended with `outcome`.
    fn finish(&mut self, end: End, outcome: Outcome) -> Result<FrameResult, Internal> {
        match end {
            End::Call { checkpoint } => {
                let result = frame_result(outcome);
                if !result.status.is_success() {
                    self.world.revert_to(checkpoint);
                }
                Ok(result)
            }
            End::Deploy { checkpoint, address } => Ok(self.finish_deploy(checkpoint, address, outcome)),
            End::InitCode { checkpoint, address } => self.finish_init_code(checkpoint, address, outcome),
        }
    }
}

/// A trace frame not ended yet.
fn trace_frame(
    kind: TraceKind,
    from: Address,
    to: Address,
    value: U256,
    gas: u64,
    input: Bytes,
    code: Option<CodeKind>,
) -> CallTrace {
    CallTrace {
        kind,
        from,
        to,
        value,
        gas,
        gas_used: 0,
        input,
        output: Bytes::new(),
        status: host_abi::status::CallStatus::Success,
        error: None,
        code,
        rv_instructions: 0,
        debug: 0..0,
        calls: Vec::new(),
    }
}

/// What `caller` asked for: kind, caller, callee, value, gas and input.
fn requested(caller: &Active, request: &Request) -> (TraceKind, Address, Address, U256, u64, Bytes) {
    match request {
        Request::Call(call) => {
            let p = &call.params;
            let (at, len) = (call.input.0 as usize, call.input.1 as usize);
            let input =
                caller.engine.memory().get(at..at.saturating_add(len)).map(Bytes::copy_from_slice).unwrap_or_default();
            let to = match p.kind {
                CallKind::DelegateCall | CallKind::CallCode => p.code_address,
                _ => p.address,
            };
            (TraceKind::Call(p.kind), p.caller, to, p.value, p.gas, input)
        }
        Request::Create(create) => {
            let kind = if create.salt.is_some() { TraceKind::Create2 } else { TraceKind::Create };
            (kind, create.caller, Address::ZERO, create.value, create.gas, create.init.clone())
        }
    }
}
