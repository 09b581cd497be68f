//! The engines that run contract code.
//!
//! Both engines run the same normalized, metered WASM and call the same host functions
//! ([`crate::host`]), so they agree exactly on state, output, logs and gas.
//!
//! A frame's code on an engine is a value, `Running`: `Running::start` makes its
//! instance, `Running::run` runs it until it ends (`Step::Done`) or a host function asks
//! for a call or a create (`Step::Suspend`); then it waits, as a value on the system
//! layer's frame stack, until the frame loop ([`crate::exec`]) resumes it with the callee's
//! result. An engine never runs another frame itself, so nothing recurses natively across
//! contract frames and a 1024-deep call chain needs no more native stack than one frame.

use alloc::boxed::Box;
use alloc::vec::Vec;

use host_abi::functions::HostFn;

use crate::error::{Failure, Internal};
use crate::exec::{Artifact, Frame, FrameResult, System};
use crate::host::{self, HostExit, Reply, Request};
use crate::platform::Platform;

#[cfg(target_arch = "riscv64")]
#[allow(unsafe_code)]
pub mod in_kernel;
mod reuse;
pub mod rv;
pub mod rv_instance;
pub mod rv_sandboxed;
mod rv_sandboxed_engine;
pub mod wasmi;
pub mod wasmi_guard;

/// Which engine runs contract code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// wasmi interprets the normalized WASM: the reference.
    #[default]
    Wasmi,
    /// The RV64IM machine runs compiled code: the provable engine.
    Rv,
    /// [`Self::Rv`] with code compiled in rv-backend's sandboxed mode (bounds checked by the
    /// code, position-independent: what the kernel runs), measured and tested in host mode.
    RvSandboxed,
    /// Inside the kernel: sandboxed code run on the machine the kernel runs on
    /// ([`in_kernel`]).
    #[cfg(target_arch = "riscv64")]
    InKernel,
}

impl EngineKind {
    /// The engine's name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Wasmi => "wasmi",
            Self::Rv => "rv",
            Self::RvSandboxed => "rv-sandboxed",
            #[cfg(target_arch = "riscv64")]
            Self::InKernel => "in-kernel",
        }
    }
}

/// How a frame's code ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Halt {
    /// Finished normally with this output.
    Finish(Vec<u8>),
    /// Reverted with this data.
    Revert(Vec<u8>),
    /// Self-destructed (a successful end with empty output).
    SelfDestruct,
    /// Failed: the contract's fault (out of gas, a trap, an invalid host call, ...) or a
    /// limit it passed. An internal error is no halt: it ends the engine's run with `Err`.
    Fail(Failure),
}

/// A frame's gas at the engine border: the gas global holds at most
/// [`host_abi::GAS_GLOBAL_MAX`], the rest is the reserve kept beside it.
pub(crate) fn split_gas(gas: u64) -> (i64, u64) {
    let global = gas.min(host_abi::GAS_GLOBAL_MAX);
    // At most 2^62: the conversion is exact.
    (global as i64, gas - global)
}

/// All of a frame's gas from the gas global and the reserve; `None` if the global is
/// negative (out of gas: the global never goes below zero before it has spent 2^62 gas more
/// than it was given since the last host call).
pub(crate) fn join_gas(global: i64, reserve: u64) -> Option<u64> {
    u64::try_from(global).ok().map(|g| g.saturating_add(reserve))
}

/// The gas a frame of `artifact` has left for its code once it has paid for its initial
/// memory ([`host_abi::gas::initial_memory_gas`]); `None` if it cannot pay, and then no
/// instance is made: every engine charges this before building anything of the frame.
pub(crate) fn after_entry(artifact: &crate::exec::Artifact, gas: u64) -> Option<u64> {
    gas.checked_sub(host_abi::gas::initial_memory_gas(artifact.initial_pages))
}

/// What an engine returns for a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// How it ended.
    pub halt: Halt,
    /// Gas left (meaningful for finish and revert; zero otherwise).
    pub gas_left: u64,
}

impl Outcome {
    /// The outcome of a frame that a host function ended, with `gas` left; an internal
    /// error of the host function is no outcome.
    pub(crate) fn of_exit(exit: HostExit, gas: u64) -> Result<Self, Internal> {
        Ok(match exit {
            HostExit::Finish(out) => Self { halt: Halt::Finish(out), gas_left: gas },
            HostExit::Revert(out) => Self { halt: Halt::Revert(out), gas_left: gas },
            HostExit::SelfDestruct => Self { halt: Halt::SelfDestruct, gas_left: gas },
            HostExit::OutOfGas => Self::OUT_OF_GAS,
            HostExit::Fail(why) => Self::fail(why),
            HostExit::Internal(e) => return Err(e),
        })
    }

    /// Out of gas: nothing left.
    pub(crate) const OUT_OF_GAS: Self = Self { halt: Halt::Fail(Failure::OUT_OF_GAS), gas_left: 0 };

    /// A failure (a trap, ...): nothing left.
    pub(crate) fn fail(why: impl Into<Failure>) -> Self {
        Self { halt: Halt::Fail(why.into()), gas_left: 0 }
    }
}

/// The host functions behind a frame, with the platform type erased (the engines' loops are
/// compiled once, not once per platform).
pub(crate) trait HostEnv {
    fn dispatch(
        &mut self,
        frame: &mut Frame,
        input: &[u8],
        mem: &mut [u8],
        gas: &mut u64,
        f: HostFn,
        args: &[u64],
    ) -> Result<Reply, HostExit>;

    /// Runs host function number `number` by [`host::leaf`]'s fast path if it can (a leaf
    /// function whose call neither runs out of gas nor faults): its result, `gas` charged.
    /// `None`, nothing changed, otherwise: the caller goes the general way ([`Self::dispatch`]).
    fn leaf(
        &mut self,
        frame: &Frame,
        input: &[u8],
        mem: &mut [u8],
        gas: &mut u64,
        number: u32,
        args: &[u64; 6],
    ) -> Option<u64>;
}

impl<P: Platform> HostEnv for System<P> {
    fn dispatch(
        &mut self,
        frame: &mut Frame,
        input: &[u8],
        mem: &mut [u8],
        gas: &mut u64,
        f: HostFn,
        args: &[u64],
    ) -> Result<Reply, HostExit> {
        host::dispatch(self, frame, input, mem, gas, f, args)
    }

    fn leaf(
        &mut self,
        frame: &Frame,
        input: &[u8],
        mem: &mut [u8],
        gas: &mut u64,
        number: u32,
        args: &[u64; 6],
    ) -> Option<u64> {
        host::leaf(self, frame, input, mem, gas, number, args)
    }
}

/// How far a frame's code got in one [`Running::run`].
#[derive(Debug)]
pub(crate) enum Step {
    /// The code ended.
    Done(Outcome),
    /// A host function asked for a call or a create; the code waits for its result.
    Suspend(Request),
}

/// A frame's code on the configured engine: made, running, or waiting for a callee.
pub(crate) enum Running {
    /// On wasmi: the instance and, while it waits, the suspended invocation.
    Wasmi(Box<wasmi::Running>),
    /// On the RV64IM machine: the machine, stopped at the host call while it waits.
    Rv(Box<rv::Running>),
    /// The same with sandboxed code.
    RvSandboxed(Box<rv_sandboxed_engine::Running>),
    /// Inside the kernel, on the kernel's machine.
    #[cfg(target_arch = "riscv64")]
    InKernel(Box<in_kernel::Running>),
}

impl Running {
    /// Makes the instance for `export` of `artifact` with `gas`, after the entry charge
    /// ([`after_entry`]); the frame's outcome instead (`Ok(Err)`) if it ends before its code
    /// runs; `Err` for an internal error.
    pub(crate) fn start<P: Platform>(
        sys: &mut System<P>,
        artifact: &Artifact,
        export: &'static str,
        gas: u64,
    ) -> Result<Result<Self, Outcome>, Internal> {
        sys.stats.frames += 1;
        Ok(match sys.engine {
            EngineKind::Wasmi => wasmi::start(&mut sys.wasmi, artifact, export, gas)?.map(|r| Self::Wasmi(Box::new(r))),
            EngineKind::Rv => {
                rv::start(&mut sys.stats, artifact, export, gas, rv::cached_image)?.map(|r| Self::Rv(Box::new(r)))
            }
            EngineKind::RvSandboxed => rv::start(&mut sys.stats, artifact, export, gas, rv_sandboxed_engine::image)?
                .map(|r| Self::RvSandboxed(Box::new(r))),
            #[cfg(target_arch = "riscv64")]
            EngineKind::InKernel => {
                rv::start(&mut sys.stats, artifact, export, gas, in_kernel::image)?.map(|r| Self::InKernel(Box::new(r)))
            }
        })
    }

    /// Runs the code until it ends or asks for a frame. `resume` is what a suspended frame
    /// waited for: its request and the callee's result (`None` on the first run). `frame`
    /// and `input` are the frame's context and calldata. `Err` for an internal error.
    pub(crate) fn run<P: Platform>(
        &mut self,
        sys: &mut System<P>,
        frame: &mut Frame,
        input: &[u8],
        resume: Option<(Request, FrameResult)>,
    ) -> Result<Step, Internal> {
        let mut executed = 0;
        let step = match self {
            Self::Wasmi(r) => r.run(sys, frame, input, resume),
            Self::Rv(r) => r.run(sys, frame, input, resume, &mut executed),
            Self::RvSandboxed(r) => r.run(sys, frame, input, resume, &mut executed),
            #[cfg(target_arch = "riscv64")]
            Self::InKernel(r) => r.run(sys, frame, input, resume, &mut executed),
        };
        sys.stats.rv_instructions += executed;
        step
    }

    /// The instance's linear memory (where a suspended caller keeps its callee's input).
    pub(crate) fn memory(&self) -> &[u8] {
        match self {
            Self::Wasmi(r) => r.memory(),
            Self::Rv(r) => r.memory(),
            Self::RvSandboxed(r) => r.memory(),
            #[cfg(target_arch = "riscv64")]
            Self::InKernel(r) => r.memory(),
        }
    }

    /// Ends the frame: a wasmi instance goes back to its module's idle instances.
    pub(crate) fn retire<P: Platform>(self, sys: &mut System<P>) {
        match self {
            Self::Wasmi(r) => r.retire(&mut sys.wasmi),
            Self::Rv(_) | Self::RvSandboxed(_) => {}
            #[cfg(target_arch = "riscv64")]
            Self::InKernel(_) => {}
        }
    }
}
