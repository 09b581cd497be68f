//! The rv engine with contract code compiled in rv-backend's sandboxed mode
//! ([`rv_backend::Options::sandboxed`]) and run on a [`SandboxedInstance`] (mapped at other
//! addresses than the default mode's, bounds checked by the code): what the kernel runs,
//! measured and tested in host mode. Frames, host calls, gas and outcomes are exactly
//! [`super::rv`]'s; only the instance differs. Selected by [`super::EngineKind::RvSandboxed`]
//! (`zkos statetest --engine rv-sandboxed`).

use alloc::rc::Rc;

use host_abi::functions::HostFn;
use rv_backend::abi::TrapCode;
use rv_backend::ImportTarget;

use super::rv::STACK_SIZE;
use super::rv_instance::{self, Config, Event, Imports, InstantiateError};
use super::rv_sandboxed::{SandboxedError, SandboxedInstance};
use super::{Halt, HostEnv, Outcome, Step};
use crate::error::{EngineTrap, Internal, InternalKind, Invariant, Limit, LimitKind, Trap};
use crate::exec::{Artifact, Frame, FrameResult, Stats};
use crate::host::{self, Reply, Request};

/// Instructions one frame may execute between host calls (as [`super::rv`]).
const BUDGET: u64 = 1 << 48;

/// The configuration of every contract instance (as [`super::rv`]'s).
fn config() -> Config {
    Config { stack_size: STACK_SIZE, ..Config::default() }
}

/// Compiles `wasm` in the sandboxed mode; the compiler refusing an artifact's module is an
/// internal error.
fn prepare(wasm: &[u8]) -> Result<rv_backend::Compiled, Internal> {
    let options = rv_backend::Options { sandboxed: true, ..Default::default() };
    Ok(rv_backend::compile_with(wasm, &options).map_err(InternalKind::Compile)?)
}

/// The trap of contract code an RV64IM trap code is (as [`super::rv`]).
fn trap(code: TrapCode) -> Option<Trap> {
    Some(match code {
        TrapCode::Unreachable => Trap::Unreachable,
        TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
        TrapCode::UndefinedElement | TrapCode::TableOutOfBounds => Trap::TableOutOfBounds,
        TrapCode::UninitializedElement => Trap::IndirectCallToNull,
        TrapCode::IndirectTypeMismatch => Trap::IndirectCallTypeMismatch,
        TrapCode::DivisionByZero => Trap::DivisionByZero,
        TrapCode::IntegerOverflow => Trap::IntegerOverflow,
        TrapCode::StackExhausted | TrapCode::FloatUnsupported => return None,
    })
}

/// A trap of compiled code: the contract's (`Ok`), or an internal error. Every machine
/// fault is internal here: the code checks its own bounds.
fn classify(t: rv_instance::Trap) -> Result<Trap, Internal> {
    match t {
        rv_instance::Trap::Wasm(code) => {
            trap(code).ok_or_else(|| InternalKind::EngineTrap(EngineTrap::Rv(code)).into())
        }
        machine => Err(InternalKind::Machine(machine).into()),
    }
}

/// A frame's machine and the gas reserve beside its gas register (see [`super::split_gas`]).
pub(crate) struct Running {
    inst: SandboxedInstance<'static>,
    reserve: u64,
    /// The module's reserve global, if it exports one.
    reserve_global: Option<u32>,
    /// The export, still to call once the start function (called first) returns.
    then: Option<u32>,
    /// Whether the machine is stopped at a host call that made a request.
    suspended: bool,
}

/// Makes the machine of a frame running `export` of `artifact` with `gas`: pays the entry
/// charge, compiles the artifact on its first frame (kept with it), maps the image and sets
/// up the first call (the start function if the module has one, else the export). The
/// frame's outcome instead (`Ok(Err)`) if it ends before its code runs (its entry charge, a
/// segment that does not fit); `Err` for an internal error.
pub(crate) fn start(
    stats: &mut Stats,
    artifact: &Artifact,
    export: &'static str,
    gas: u64,
) -> Result<Result<Running, Outcome>, Internal> {
    let Some(gas) = super::after_entry(artifact, gas) else {
        return Ok(Err(Outcome::OUT_OF_GAS));
    };
    // Compiled for every frame: the artifact keeps only the default mode's image (this
    // engine measures and tests the mode; the kernel caches its own artifacts).
    stats.rv_compilations += 1;
    let compiled = Rc::new(prepare(&artifact.wasm)?);
    // Validation (or the transpiler) makes every module import host functions only, define
    // the gas global and export `call` (and `deploy`, if it is exported) as `[] -> []`.
    for (i, import) in compiled.imports.iter().enumerate() {
        if !matches!(import.kind, rv_backend::ImportKind::Func { target: ImportTarget::Host(_), .. }) {
            return Err(Invariant::Import(u32::try_from(i).unwrap_or(u32::MAX)).into());
        }
    }
    if compiled.gas_global.is_none() {
        return Err(Invariant::GasGlobal.into());
    }
    let Some(func) = compiled.exported_func(export) else {
        return Err(Invariant::Export(export).into());
    };
    if compiled.func_type(func).is_none_or(|t| !t.params.is_empty() || !t.results.is_empty()) {
        return Err(Invariant::Export(export).into());
    }
    let reserve_global = compiled
        .export(host_abi::GAS_RESERVE_EXPORT)
        .filter(|e| e.kind == rv_backend::ExportKind::Global)
        .map(|e| e.index)
        .filter(|&g| compiled.globals.get(g as usize).is_some_and(|d| d.mutable && d.ty == rv_backend::ValType::I64));
    let (first, then) = match compiled.start {
        Some(start) => (start, Some(func)),
        None => (func, None),
    };
    let inst = match SandboxedInstance::shared(compiled.clone(), config(), &Imports::default()) {
        Ok(inst) => inst,
        // An active segment that does not fit: the specification traps at instantiation.
        Err(SandboxedError::Instantiate(InstantiateError::Trap(code))) => {
            return Ok(Err(Outcome::fail(classify(rv_instance::Trap::Wasm(code))?)));
        }
        Err(SandboxedError::Instantiate(e)) => return Err(InternalKind::Instantiate(e).into()),
        Err(e @ SandboxedError::NotSandboxed) => {
            let kind = rv_backend::CompileErrorKind::Internal(alloc::format!("{e}"));
            return Err(InternalKind::Compile(rv_backend::CompileError::new(kind, None)).into());
        }
    };
    let mut run = Running { inst, reserve: 0, reserve_global, then, suspended: false };
    run.set_gas(gas);
    run.inst.call(first, &[]).map_err(InternalKind::Instantiate)?;
    Ok(Ok(run))
}

impl Running {
    /// Puts `gas` in the gas register and the reserve.
    fn set_gas(&mut self, gas: u64) {
        let (global, reserve) = super::split_gas(gas);
        self.inst.set_gas(global);
        self.reserve = reserve;
        if let Some(g) = self.reserve_global {
            self.inst.set_global(g, reserve);
        }
    }

    /// All the gas left; `None` if the gas register is negative (out of gas).
    fn gas(&self) -> Option<u64> {
        super::join_gas(self.inst.gas(), self.reserve)
    }

    /// The instance's linear memory.
    pub(crate) fn memory(&self) -> &[u8] {
        self.inst.memory()
    }

    /// Runs the code until it ends or a host function asks for a frame; `resume` is the
    /// request a suspended frame made and the callee's result. Adds the instructions
    /// executed to `executed`.
    pub(crate) fn run(
        &mut self,
        env: &mut dyn HostEnv,
        frame: &mut Frame,
        input: &[u8],
        resume: Option<(Request, FrameResult)>,
        executed: &mut u64,
    ) -> Result<Step, Internal> {
        if core::mem::take(&mut self.suspended) {
            let Some((request, child)) = resume else {
                return Err(Invariant::ResumeMismatch.into());
            };
            // The gas register was set from a gas count when the frame was suspended.
            let Some(mut gas) = self.gas() else {
                return Err(Invariant::SuspendedStateLost.into());
            };
            let result = host::complete(frame, self.inst.memory_mut(), &mut gas, &request, child);
            self.set_gas(gas);
            match result {
                Ok(v) => self.inst.set_host_result(v),
                Err(exit) => return Ok(Step::Done(Outcome::of_exit(exit, gas)?)),
            }
        } else if resume.is_some() {
            return Err(Invariant::ResumeMismatch.into());
        }
        let before = self.inst.instret();
        let step = self.drive(env, frame, input);
        *executed += self.inst.instret() - before;
        step
    }

    fn drive(&mut self, env: &mut dyn HostEnv, frame: &mut Frame, input: &[u8]) -> Result<Step, Internal> {
        let done = |outcome| Ok(Step::Done(outcome));
        loop {
            match self.inst.run(BUDGET) {
                // Compiled code defers the metering's gas checks (rv-backend's `gas_check`): a
                // negative gas register at a return or a host call is out of gas.
                Event::Returned if self.inst.gas() < 0 => return done(Outcome::OUT_OF_GAS),
                Event::Returned => match self.then.take() {
                    // The start function returned: call the export.
                    Some(f) => self.inst.call(f, &[]).map_err(InternalKind::Instantiate)?,
                    None => {
                        let gas_left = self.gas().unwrap_or(0);
                        return done(Outcome { halt: Halt::Finish(alloc::vec::Vec::new()), gas_left });
                    }
                },
                Event::Host(n) => {
                    let Some(mut gas) = self.gas() else {
                        return done(Outcome::OUT_OF_GAS);
                    };
                    let Some(h) = HostFn::from_number(n) else {
                        return Err(Invariant::HostNumber(n).into());
                    };
                    let nargs = h.params().len();
                    let args = self.inst.host_args();
                    let result = env.dispatch(frame, input, self.inst.memory_mut(), &mut gas, h, &args[..nargs]);
                    self.set_gas(gas);
                    match result {
                        Ok(Reply::Value(v)) => self.inst.set_host_result(v),
                        Ok(Reply::Suspend(request)) => {
                            self.suspended = true;
                            return Ok(Step::Suspend(request));
                        }
                        Err(exit) => return done(Outcome::of_exit(exit, gas)?),
                    }
                }
                Event::Foreign(k) => return Err(Invariant::ForeignImport(k).into()),
                // A trap of WebAssembly with a negative gas register is out of gas (the check
                // was deferred); a machine fault is no trap of the contract's, whatever its gas.
                Event::Trap(rv_instance::Trap::Wasm(_)) if self.inst.gas() < 0 => return done(Outcome::OUT_OF_GAS),
                Event::Trap(t) => return done(Outcome::fail(classify(t)?)),
                Event::BudgetExhausted => {
                    let budget = Limit { kind: LimitKind::InstructionBudget, limit: BUDGET, size: BUDGET };
                    return Err(InternalKind::Limit(budget).into());
                }
            }
        }
    }
}
