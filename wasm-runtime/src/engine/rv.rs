//! The provable engine: the normalized, metered WASM compiled to RV64IM by rv-backend, run
//! on the RV64IM machine, whose executed-instruction count is the proving cost.
//!
//! A frame compiles the artifact (once, kept in [`Artifact::rv_code`] with its code
//! predecoded: an [`Image`]), maps the image on a fresh machine (code and read-only data
//! shared, not copied; stack and table committed as they are touched), puts the gas in the
//! gas register (and what exceeds [`host_abi::GAS_GLOBAL_MAX`] beside it) and calls the export. Host functions
//! arrive as `ecall`s with the host-function number: they run through [`crate::host::dispatch`]
//! with the machine's linear memory and the gas register, exactly as the reference engine
//! runs them. A host function that calls or creates leaves the machine stopped at its
//! `ecall`, kept in the `Running` value on the system layer's frame stack; the callee runs
//! on a machine of its own, and its result is written back as the host function's result
//! when the frame resumes. Outcomes map as in [`super::wasmi`]: a trap with a negative gas
//! register is out of gas.
//!
//! The frames of [`super::EngineKind::RvSandboxed`] run here too, on
//! [`super::rv_sandboxed::SandboxedInstance`]s: only where the image comes
//! from differs (the `rv_sandboxed_engine` module).

use alloc::rc::Rc;

use host_abi::functions::HostFn;
use rv_backend::abi::TrapCode;
use rv_backend::ImportTarget;

use super::rv_instance::{self, Config, Event, Image, Imports, InstantiateError, RvInstance};
use super::{Halt, HostEnv, Outcome, Step};
use crate::error::{EngineTrap, Internal, InternalKind, Invariant, Limit, LimitKind, Trap};
use crate::exec::{Artifact, Frame, FrameResult, Stats};
use crate::host::{self, Reply, Request};

/// Bytes of machine stack for compiled code: enough that metering's stack counter
/// ([`host_abi::limits::WASM_STACK_BUDGET`]) always traps first. Compiled code allocates a
/// function's frame before the counter check at its entry runs, and each real frame is at
/// most the function's canonical cost ([`wasm_validator::meter::frame`]; the tests check it against
/// [`rv_backend::Compiled::frame_sizes`]). So the frames that passed their check take at
/// most the budget, the one whose check fails at most the budget again (metering rejects
/// bigger frames), metering's helpers are leaves without a frame (0 bytes) and host calls
/// run outside the machine: `2 × 524288` bytes = 1 MiB. Transpiled EVM modules are not
/// counted; their call graph is acyclic and a few frames deep (see the recursion tests).
pub const STACK_SIZE: u64 = 2 * host_abi::limits::WASM_STACK_BUDGET as u64;

/// Instructions one frame may execute between host calls. Metering bounds execution long
/// before this; reaching it is an internal error (the reference engine has no such budget).
const BUDGET: u64 = 1 << 48;

/// The configuration of every contract instance.
pub(super) fn config() -> Config {
    Config { stack_size: STACK_SIZE, ..Config::default() }
}

/// Compiles `wasm` and prepares it for contract instances. Artifacts hold modules that
/// validation and metering (or the transpiler) made: the compiler or the image refusing one
/// is an internal error, whatever the compiler's reason.
pub(crate) fn prepare(wasm: &[u8]) -> Result<Rc<Image>, Internal> {
    image(rv_backend::compile(wasm).map_err(InternalKind::Compile)?)
}

/// The image contract instances of `compiled` are made from.
pub(crate) fn image(compiled: rv_backend::Compiled) -> Result<Rc<Image>, Internal> {
    let image = Image::new(compiled, config(), &Imports::default()).map_err(InternalKind::Instantiate)?;
    Ok(Rc::new(image))
}

/// The trap of contract code an RV64IM trap code is; `None` for the codes the configuration
/// and metering rule out (the machine stack's limit, floats).
fn trap(code: TrapCode) -> Option<Trap> {
    Some(match code {
        TrapCode::Unreachable => Trap::Unreachable,
        TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
        // A `call_indirect` past the table's end: wasmi reports it as a table access out of
        // bounds; one kind.
        TrapCode::UndefinedElement | TrapCode::TableOutOfBounds => Trap::TableOutOfBounds,
        TrapCode::UninitializedElement => Trap::IndirectCallToNull,
        TrapCode::IndirectTypeMismatch => Trap::IndirectCallTypeMismatch,
        TrapCode::DivisionByZero => Trap::DivisionByZero,
        TrapCode::IntegerOverflow => Trap::IntegerOverflow,
        TrapCode::StackExhausted | TrapCode::FloatUnsupported => return None,
    })
}

/// A trap of compiled code: the contract's (`Ok`), or an internal error.
fn classify(t: rv_instance::Trap) -> Result<Trap, Internal> {
    match t {
        rv_instance::Trap::Wasm(code) => {
            trap(code).ok_or_else(|| InternalKind::EngineTrap(EngineTrap::Rv(code)).into())
        }
        machine => Err(InternalKind::Machine(machine).into()),
    }
}

/// An instance of compiled code as a frame drives it: on a machine of its own
/// ([`RvInstance`]) or, inside the kernel, on the machine the kernel runs on.
pub(crate) trait Code: Sized {
    /// What instances are made from (compiled once per artifact).
    type Image;
    /// The compiled module of `image`.
    fn compiled(image: &Self::Image) -> &rv_backend::Compiled;
    /// A new instance of `image`.
    fn instantiate(image: &Rc<Self::Image>) -> Result<Self, InstantiateError>;
    /// Sets up a call of function `f` (no arguments: exports are `[] -> []`).
    fn call(&mut self, f: u32) -> Result<(), InstantiateError>;
    /// Runs until something needs the embedder (see [`RvInstance::run`]).
    fn run(&mut self, budget: u64) -> Event;
    /// Runs like [`Self::run`], but runs the host calls `leaf` can ([`LeafHost::call`])
    /// without returning for them, writing the global `reserve_global` (if any) to zero
    /// after each as the frame loop does. The frame must keep no gas beside its gas register.
    /// By default the instance stops at each host call and `leaf` is tried; the kernel's
    /// instances try it from the code's entry, saving only what a call clobbers.
    fn run_hosted(&mut self, budget: u64, reserve_global: Option<u32>, mut leaf: LeafHost<'_>) -> Event {
        loop {
            let event = self.run(budget);
            let Event::Host(n) = event else {
                return event;
            };
            let Ok(mut gas) = u64::try_from(self.gas()) else {
                return event;
            };
            let args = self.host_args();
            let Some(v) = leaf.call(n, &args, self.memory_mut(), &mut gas) else {
                return event;
            };
            self.set_host_result(v);
            // At most the gas the register held: below 2^63.
            self.set_gas(gas as i64);
            if let Some(g) = reserve_global {
                self.set_global(g, 0);
            }
        }
    }
    /// The six argument registers of a host call.
    fn host_args(&self) -> [u64; 6];
    /// Writes a host function's result.
    fn set_host_result(&mut self, v: u64);
    /// The gas register.
    fn gas(&self) -> i64;
    /// Sets the gas register.
    fn set_gas(&mut self, gas: i64);
    /// Sets mutable global `g`.
    fn set_global(&mut self, g: u32, v: u64) -> bool;
    /// The linear memory.
    fn memory(&self) -> &[u8];
    /// The linear memory, writable.
    fn memory_mut(&mut self) -> &mut [u8];
    /// RV64IM instructions executed so far, where the embedder counts them (0 where the
    /// code runs on the embedder's own machine, which counts them itself).
    fn instret(&self) -> u64;
}

impl<const SANDBOXED: bool> Code for RvInstance<'static, SANDBOXED> {
    type Image = Image<SANDBOXED>;
    fn compiled(image: &Image<SANDBOXED>) -> &rv_backend::Compiled {
        image.compiled()
    }
    fn instantiate(image: &Rc<Image<SANDBOXED>>) -> Result<Self, InstantiateError> {
        RvInstance::from_image(image)
    }
    fn call(&mut self, f: u32) -> Result<(), InstantiateError> {
        RvInstance::call(self, f, &[])
    }
    fn run(&mut self, budget: u64) -> Event {
        RvInstance::run(self, budget)
    }
    fn host_args(&self) -> [u64; 6] {
        RvInstance::host_args(self)
    }
    fn set_host_result(&mut self, v: u64) {
        RvInstance::set_host_result(self, v)
    }
    fn gas(&self) -> i64 {
        RvInstance::gas(self)
    }
    fn set_gas(&mut self, gas: i64) {
        RvInstance::set_gas(self, gas)
    }
    fn set_global(&mut self, g: u32, v: u64) -> bool {
        RvInstance::set_global(self, g, v)
    }
    fn memory(&self) -> &[u8] {
        RvInstance::memory(self)
    }
    fn memory_mut(&mut self) -> &mut [u8] {
        RvInstance::memory_mut(self)
    }
    fn instret(&self) -> u64 {
        RvInstance::instret(self)
    }
}

/// A leaf host call's fast path as [`Code::run_hosted`] takes it: the frame loop's
/// environment, the frame and its input, for [`HostEnv::leaf`].
pub(crate) struct LeafHost<'a> {
    env: &'a mut dyn HostEnv,
    frame: &'a Frame,
    input: &'a [u8],
}

impl LeafHost<'_> {
    /// Runs host function `number` with `args` on `mem` and `gas` (all the frame's gas) if
    /// the fast path can: [`HostEnv::leaf`].
    pub(crate) fn call(&mut self, number: u32, args: &[u64; 6], mem: &mut [u8], gas: &mut u64) -> Option<u64> {
        self.env.leaf(self.frame, self.input, mem, gas, number, args)
    }
}

/// Where a frame gets the image of its artifact (compiled on its first frame, then kept).
pub(crate) type ImageOf<I> = fn(&mut Stats, &Artifact) -> Result<Rc<<I as Code>::Image>, Internal>;

/// A frame's instance and the gas reserve beside its gas register (see
/// [`super::split_gas`]): the default mode's instance unless `I` says otherwise.
pub(crate) struct Running<I: Code = RvInstance<'static, false>> {
    inst: I,
    reserve: u64,
    /// The module's reserve global, if it exports one.
    reserve_global: Option<u32>,
    /// The export, still to call once the start function (called first) returns.
    then: Option<u32>,
    /// Whether the machine is stopped at a host call that made a request.
    suspended: bool,
}

/// Makes the machine of a frame running `export` of `artifact` with `gas`: pays the entry
/// charge, gets the artifact's image from `image` (the default mode's compiles it on its first
/// frame and keeps it with the artifact), maps it and sets up the first call (the start
/// function if the module has one, else the export). The frame's outcome instead (`Ok(Err)`)
/// if it ends before its code runs (its entry charge, a segment that does not fit); `Err` for
/// an internal error.
pub(crate) fn start<I: Code>(
    stats: &mut Stats,
    artifact: &Artifact,
    export: &'static str,
    gas: u64,
    image: ImageOf<I>,
) -> Result<Result<Running<I>, Outcome>, Internal> {
    let Some(gas) = super::after_entry(artifact, gas) else {
        return Ok(Err(Outcome::OUT_OF_GAS));
    };
    let image = image(stats, artifact)?;
    let compiled = I::compiled(&image);
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
    let inst = match I::instantiate(&image) {
        Ok(inst) => inst,
        // An active segment that does not fit: the specification traps at instantiation.
        Err(InstantiateError::Trap(code)) => {
            return Ok(Err(Outcome::fail(classify(rv_instance::Trap::Wasm(code))?)));
        }
        Err(e) => return Err(InternalKind::Instantiate(e).into()),
    };
    let mut run = Running { inst, reserve: 0, reserve_global, then, suspended: false };
    run.set_gas(gas);
    run.inst.call(first).map_err(InternalKind::Instantiate)?;
    Ok(Ok(run))
}

/// The default mode's image of `artifact`: compiled and prepared once per artifact and kept
/// with it (errors too), so a chain that keeps its artifacts never compiles a code hash
/// twice, and every frame maps the same predecoded code.
pub(crate) fn cached_image(stats: &mut Stats, artifact: &Artifact) -> Result<Rc<Image>, Internal> {
    if artifact.rv_code.get().is_none() {
        stats.rv_compilations += 1;
    }
    artifact.rv_code.get_or_init(|| prepare(&artifact.wasm)).clone()
}

impl<I: Code> Running<I> {
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
            // Leaf host functions may run without leaving the code while no gas is kept
            // beside the gas register (always, below 2^62 gas).
            let event = if self.reserve == 0 {
                let reserve_global = self.reserve_global;
                let frame: &Frame = frame;
                self.inst.run_hosted(BUDGET, reserve_global, LeafHost { env: &mut *env, frame, input })
            } else {
                self.inst.run(BUDGET)
            };
            match event {
                // Compiled code defers the metering's gas checks (rv-backend's `gas_check`): a
                // negative gas register at a return or a host call is out of gas.
                Event::Returned if self.inst.gas() < 0 => return done(Outcome::OUT_OF_GAS),
                Event::Returned => match self.then.take() {
                    // The start function returned: call the export.
                    Some(f) => self.inst.call(f).map_err(InternalKind::Instantiate)?,
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
