//! The reference engine: wasmi interprets the normalized, metered WASM.
//!
//! A frame pays for its initial memory (`after_entry`), takes an idle instance of
//! the artifact's module or makes one (`start`), and calls the export resumably: a host
//! function stops the instance with a request that `Running::run` serves with the frame's
//! environment, then resumes it. A host function that calls or creates leaves the
//! invocation stopped: it is kept in the `Running` value, on the system layer's frame
//! stack, until the callee's result comes back. The gas global holds at most
//! [`host_abi::GAS_GLOBAL_MAX`]; the rest of the frame's gas is kept beside it. A finished
//! instance is put back as instantiation left it and kept for the next frame
//! (`reuse`): wasmi makes an entity per function on instantiation, which a frame's
//! gas does not pay for.
//!
//! Its stack limits ([`config`]) are set from [`host_abi::limits::WASM_STACK_BUDGET`] so
//! that metering's stack counter, which every engine runs identically, ends a deep recursion
//! before wasmi's own limits could.

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;

use host_abi::functions::{HostFn, ValType};
use host_abi::limits::{WASM_FRAME_OVERHEAD, WASM_STACK_BUDGET};
use wasmi::errors::{ErrorKind, InstantiationError, MemoryError};
use wasmi::{
    Config, Engine, Extern, Func, Global, Instance, Memory, Module, Ref, ResumableCall, ResumableCallHostTrap, Store,
    Table, TrapCode, Val,
};

use super::{Halt, HostEnv, Outcome, Step};
use crate::error::{EngineTrap, Internal, InternalKind, Invariant, Trap, WasmiError, WasmiStage};
use crate::exec::{Artifact, Frame, FrameResult};
use crate::host::{self, Reply, Request};
use crate::primitives::B256;

/// wasmi's recursion limit: more frames than the stack counter of metering ever lets live
/// at once, so that counter ([`host_abi::limits::WASM_STACK_BUDGET`]) always traps first.
/// Every charged frame costs at least [`WASM_FRAME_OVERHEAD`] canonical bytes, so at most
/// `BUDGET / OVERHEAD` = 524288 / 32 = 16384 frames pass their check; on top of them at
/// most one more frame is live: the one whose check fails (wasmi pushes it before its first
/// instruction), a metering helper (`__zkos_grow`, `__zkos_bulk`: uncharged leaves) or a host
/// function. One more for margin: 16386.
pub const MAX_RECURSION_DEPTH: usize = (WASM_STACK_BUDGET / WASM_FRAME_OVERHEAD) as usize + 2;

/// wasmi's value-stack limit in bytes: one 8-byte cell per local and per operand slot of
/// each frame, `8 × (locals + stack + 2)` with metering's two extra operand slots, which is
/// below the frame's canonical cost ([`wasm_validator::meter::frame`]). The frames that passed their
/// check cost at most the budget together, the one whose check fails at most the budget
/// again (metering rejects bigger frames), and a metering helper or host call a few cells:
/// `2 × 524288 + 1024` bytes.
pub const MAX_VALUE_STACK_BYTES: usize = 2 * WASM_STACK_BUDGET as usize + 1024;

/// The wasmi configuration both the engine and the tests use: wasmi's defaults with the
/// stack limits above and the wide-arithmetic proposal (in the validator's subset).
pub fn config() -> Config {
    let mut config = Config::default();
    config
        .set_max_recursion_depth(MAX_RECURSION_DEPTH)
        .set_max_stack_height(MAX_VALUE_STACK_BYTES)
        .wasm_wide_arithmetic(true);
    config
}

/// A host function call that the instance stopped at: wasmi hands it to [`Running::run`],
/// which runs it with the frame's environment and resumes the instance. So an instance
/// holds no reference to the frame and can serve the next one ([`super::reuse`]).
#[derive(Debug)]
struct HostRequest {
    f: HostFn,
    args: [u64; 6],
    len: usize,
}

impl core::fmt::Display for HostRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "host function {}", self.f.import_name())
    }
}

impl wasmi::errors::HostError for HostRequest {}

/// A host function called with an argument that is not an integer (validation rules it
/// out: imports have the host function's exact signature).
#[derive(Debug)]
struct BadArgument(HostFn);

impl core::fmt::Display for BadArgument {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "non-integer argument to host function {}", self.0.import_name())
    }
}

impl wasmi::errors::HostError for BadArgument {}

/// A compiled module of an artifact and its instances ready for a frame.
struct Prepared {
    module: Module,
    /// How to put an instance back for the next frame (`None`: instances are not reused).
    plan: Option<super::reuse::Plan>,
    /// The module's bytes (where the plan's data segments are).
    wasm: Rc<[u8]>,
    /// Instances as instantiation left them.
    idle: RefCell<Vec<Instantiated>>,
}

/// Compiled wasmi modules by artifact hash (or why wasmi refused one: an internal error),
/// with idle instances.
pub(crate) struct WasmiCache {
    engine: Engine,
    modules: BTreeMap<B256, Result<Rc<Prepared>, Internal>>,
    /// Bytes of linear memory the idle instances hold, all modules together.
    idle_bytes: u64,
}

impl Default for WasmiCache {
    fn default() -> Self {
        Self { engine: Engine::new(&config()), modules: BTreeMap::new(), idle_bytes: 0 }
    }
}

/// Idle instances kept per module.
const IDLE_PER_MODULE: usize = 4;
/// Bytes of linear memory the idle instances of all modules may hold.
const IDLE_MEMORY_BYTES: u64 = 64 << 20;

/// An instance and what the engine uses of it.
struct Instantiated {
    store: Store<()>,
    instance: Instance,
    memory: Option<Memory>,
    gas: Global,
    /// The module's reserve global ([`host_abi::GAS_RESERVE_EXPORT`]), if it exports one.
    reserve_global: Option<Global>,
    /// The gas beside the gas global (see [`super::split_gas`]).
    reserve: u64,
    /// The mutable globals and table (plan order) and their values after instantiation.
    globals: Vec<(Global, Val)>,
    table: Option<(Table, Vec<Ref>)>,
}

impl Instantiated {
    /// Puts `gas` in the gas global and the reserve (both checked to be mutable `i64`s when
    /// the instance was made).
    fn set_gas(&mut self, gas: u64) -> Result<(), Internal> {
        let (global, reserve) = super::split_gas(gas);
        self.gas.set(&mut self.store, Val::I64(global)).map_err(|_| Invariant::GasGlobal)?;
        self.reserve = reserve;
        if let Some(g) = self.reserve_global {
            // The reserve is below 2^64 - 2^62: as an i64, its bits.
            g.set(&mut self.store, Val::I64(reserve as i64)).map_err(|_| Invariant::GasGlobal)?;
        }
        Ok(())
    }

    /// The gas global's value.
    fn raw_gas(&self) -> i64 {
        self.gas.get(&self.store).i64().unwrap_or(-1)
    }

    /// All the gas left; `None` if the gas global is negative (out of gas).
    fn gas_left(&self) -> Option<u64> {
        super::join_gas(self.raw_gas(), self.reserve)
    }

    /// Bytes of linear memory held.
    fn memory_bytes(&self) -> u64 {
        self.memory.map_or(0, |m| m.data(&self.store).len() as u64)
    }

    /// Puts the instance back as instantiation left it; `false` if it cannot be (the memory
    /// or the table grew).
    fn reset(&mut self, plan: &super::reuse::Plan, wasm: &[u8]) -> bool {
        if let Some(pages) = plan.pages {
            let Some(memory) = self.memory else {
                return false;
            };
            let bytes = memory.data_mut(&mut self.store);
            if bytes.len() as u64 != pages * 65_536 {
                return false;
            }
            bytes.fill(0);
            for (at, range) in &plan.data {
                let at = *at as usize;
                // Instantiation wrote them, so they fit.
                let Some(to) = bytes.get_mut(at..at + range.len()) else {
                    return false;
                };
                to.copy_from_slice(&wasm[range.clone()]);
            }
        }
        for (g, v) in &self.globals {
            if g.set(&mut self.store, v.clone()).is_err() {
                return false;
            }
        }
        if let Some((table, entries)) = &self.table {
            if table.size(&self.store) != entries.len() as u64 {
                return false;
            }
            for (i, e) in entries.iter().enumerate() {
                if table.set(&mut self.store, i as u64, *e).is_err() {
                    return false;
                }
            }
        }
        true
    }
}

/// A frame's instance and how far its code got.
pub(crate) struct Running {
    prepared: Rc<Prepared>,
    inst: Instantiated,
    state: State,
}

enum State {
    /// The export is not called yet: its name and the gas after the entry charge.
    Fresh { export: &'static str, gas: u64 },
    /// Stopped at host function `f`, which made a request: the invocation waits for the
    /// callee's result.
    Suspended { invocation: ResumableCallHostTrap, f: HostFn },
    /// The code ended.
    Over,
}

/// Makes the instance of a frame running `export` of `artifact` with `gas`: pays the entry
/// charge, then takes an idle instance of the artifact's module or makes one. The frame's
/// outcome instead (`Ok(Err)`) if it ends before its code runs (its entry charge, a segment
/// that does not fit); `Err` if wasmi fails on the module otherwise.
pub(crate) fn start(
    cache: &mut WasmiCache,
    artifact: &Artifact,
    export: &'static str,
    gas: u64,
) -> Result<Result<Running, Outcome>, Internal> {
    let Some(gas) = super::after_entry(artifact, gas) else {
        return Ok(Err(Outcome::OUT_OF_GAS));
    };
    let engine = cache.engine.clone();
    let prepared = cache.modules.entry(artifact.hash).or_insert_with(|| prepare(&engine, &artifact.wasm)).clone()?;
    let idle = prepared.idle.borrow_mut().pop();
    let inst = match idle {
        Some(inst) => {
            cache.idle_bytes -= inst.memory_bytes();
            inst
        }
        None => match instantiate(&engine, &prepared)? {
            Ok(inst) => inst,
            Err(trap) => return Ok(Err(Outcome::fail(trap))),
        },
    };
    Ok(Ok(Running { prepared, inst, state: State::Fresh { export, gas } }))
}

/// The trap of contract code a wasmi trap code is; `None` for the codes the configuration
/// and metering rule out (wasmi's stack limits, floats, fuel, ...).
fn trap(code: TrapCode) -> Option<Trap> {
    Some(match code {
        TrapCode::UnreachableCodeReached => Trap::Unreachable,
        TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
        // wasmi reports a `call_indirect` past the table's end as a table access out of
        // bounds (the RV64IM engine as "undefined element"): one kind.
        TrapCode::TableOutOfBounds => Trap::TableOutOfBounds,
        TrapCode::IndirectCallToNull => Trap::IndirectCallToNull,
        TrapCode::BadSignature => Trap::IndirectCallTypeMismatch,
        TrapCode::IntegerDivisionByZero => Trap::DivisionByZero,
        TrapCode::IntegerOverflow => Trap::IntegerOverflow,
        _ => return None,
    })
}

/// A wasmi error at `stage` as an internal error.
fn internal(stage: WasmiStage, error: wasmi::Error) -> Internal {
    InternalKind::Wasmi(WasmiError { stage, error: Arc::new(error) }).into()
}

/// Why running the frame's code failed: a trap of contract code (`Ok`), or an internal error.
fn run_error(error: wasmi::Error) -> Result<Trap, Internal> {
    match error.as_trap_code() {
        Some(code) => trap(code).ok_or_else(|| InternalKind::EngineTrap(EngineTrap::Wasmi(code)).into()),
        None => Err(internal(WasmiStage::Run, error)),
    }
}

impl Running {
    /// Runs the code until it ends or a host function asks for a frame; `resume` is the
    /// request a suspended frame made and the callee's result.
    pub(crate) fn run(
        &mut self,
        env: &mut dyn HostEnv,
        frame: &mut Frame,
        input: &[u8],
        resume: Option<(Request, FrameResult)>,
    ) -> Result<Step, Internal> {
        let inst = &mut self.inst;
        let call = match core::mem::replace(&mut self.state, State::Over) {
            State::Fresh { export, gas } => {
                // Validation makes every module export `call` (and `deploy`, if it is
                // exported) as `[] -> []`; the transpiler does the same.
                if inst.instance.get_typed_func::<(), ()>(&inst.store, export).is_err() {
                    return Err(Invariant::Export(export).into());
                }
                let Some(func) = inst.instance.get_func(&inst.store, export) else {
                    return Err(Invariant::Export(export).into());
                };
                inst.set_gas(gas)?;
                func.call_resumable(&mut inst.store, &[], &mut [])
            }
            State::Suspended { invocation, f } => {
                let Some((request, child)) = resume else {
                    return Err(Invariant::ResumeMismatch.into());
                };
                // The gas global and the memory were in order when the frame was suspended.
                let (Some(mut gas), Some(memory)) = (inst.gas_left(), inst.memory) else {
                    return Err(Invariant::SuspendedStateLost.into());
                };
                let result = host::complete(frame, memory.data_mut(&mut inst.store), &mut gas, &request, child);
                inst.set_gas(gas)?;
                match result {
                    Ok(value) => invocation.resume(&mut inst.store, typed(f, value).as_slice(), &mut []),
                    Err(exit) => return Ok(Step::Done(Outcome::of_exit(exit, gas)?)),
                }
            }
            State::Over => return Err(Invariant::CodeEnded.into()),
        };
        self.drive(env, frame, input, call)
    }

    /// Serves the host calls of the invocation until it ends or suspends.
    fn drive(
        &mut self,
        env: &mut dyn HostEnv,
        frame: &mut Frame,
        input: &[u8],
        mut call: Result<ResumableCall, wasmi::Error>,
    ) -> Result<Step, Internal> {
        let inst = &mut self.inst;
        let done = |outcome| Ok(Step::Done(outcome));
        loop {
            let invocation = match call {
                Ok(ResumableCall::Finished) => {
                    return done(Outcome { halt: Halt::Finish(Vec::new()), gas_left: inst.gas_left().unwrap_or(0) });
                }
                Ok(ResumableCall::HostTrap(invocation)) => invocation,
                // No fuel is configured.
                Ok(ResumableCall::OutOfFuel(_)) => {
                    return Err(InternalKind::EngineTrap(EngineTrap::Wasmi(TrapCode::OutOfFuel)).into());
                }
                // Metering traps when the gas global goes negative: whatever wasmi reports.
                Err(_) if inst.raw_gas() < 0 => return done(Outcome::OUT_OF_GAS),
                Err(e) => return done(Outcome::fail(run_error(e)?)),
            };
            let Some(req) = invocation.host_error().downcast_ref::<HostRequest>() else {
                return Err(match invocation.host_error().downcast_ref::<BadArgument>() {
                    Some(BadArgument(f)) => Invariant::HostArgument(*f).into(),
                    None => Invariant::HostError.into(),
                });
            };
            let (f, args, len) = (req.f, req.args, req.len);
            // A negative gas global is out of gas (the rv engine checks the same).
            let Some(mut gas) = inst.gas_left() else {
                return done(Outcome::OUT_OF_GAS);
            };
            let Some(memory) = inst.memory else {
                return Err(Invariant::NoMemory.into());
            };
            let result = env.dispatch(frame, input, memory.data_mut(&mut inst.store), &mut gas, f, &args[..len]);
            inst.set_gas(gas)?;
            let value = match result {
                Ok(Reply::Value(v)) => v,
                Ok(Reply::Suspend(request)) => {
                    self.state = State::Suspended { invocation, f };
                    return Ok(Step::Suspend(request));
                }
                Err(exit) => return done(Outcome::of_exit(exit, gas)?),
            };
            call = invocation.resume(&mut inst.store, typed(f, value).as_slice(), &mut []);
        }
    }

    /// The instance's linear memory.
    pub(crate) fn memory(&self) -> &[u8] {
        self.inst.memory.map_or(&[], |m| m.data(&self.inst.store))
    }

    /// Puts the instance back with its module's idle instances, as instantiation left it,
    /// if there is room and it can be reset.
    pub(crate) fn retire(self, cache: &mut WasmiCache) {
        let Running { prepared, mut inst, .. } = self;
        if let Some(plan) = &prepared.plan {
            let bytes = inst.memory_bytes();
            let room = cache.idle_bytes + bytes <= IDLE_MEMORY_BYTES;
            if room && prepared.idle.borrow().len() < IDLE_PER_MODULE && inst.reset(plan, &prepared.wasm) {
                cache.idle_bytes += bytes;
                prepared.idle.borrow_mut().push(inst);
            }
        }
    }
}

/// A host function's result as wasmi takes it: truncated to the declared width.
fn typed(f: HostFn, value: u64) -> Option<Val> {
    match f.result() {
        Some(ValType::I32) => Some(Val::I32(value as u32 as i32)),
        Some(ValType::I64) => Some(Val::I64(value as i64)),
        None => None,
    }
}

/// Compiles the module of an artifact, exposed for reuse where its instances can be reset.
/// Artifacts hold modules that validation and metering (or the transpiler) made: wasmi
/// refusing one is an internal error.
fn prepare(engine: &Engine, wasm: &[u8]) -> Result<Rc<Prepared>, Internal> {
    let (bytes, plan) = match super::reuse::expose(wasm) {
        Some((exposed, plan)) => (exposed, Some(plan)),
        None => (wasm.to_vec(), None),
    };
    // wasmi 2.0.0 mistranslates `select` on a zero test: it is given the module with every
    // `select`'s condition passed through a local (see `wasmi_guard`).
    let bytes = super::wasmi_guard::guard_select(&bytes).unwrap_or(bytes);
    let module = Module::new(engine, &bytes).map_err(|e| internal(WasmiStage::Compile, e))?;
    Ok(Rc::new(Prepared { module, plan, wasm: wasm.into(), idle: RefCell::new(Vec::new()) }))
}

/// A new instance of a prepared module, with its host functions bound; the trap of an
/// active segment that does not fit (`Ok(Err)`), as the specification traps at
/// instantiation; `Err` if wasmi fails otherwise.
fn instantiate(engine: &Engine, prepared: &Prepared) -> Result<Result<Instantiated, Trap>, Internal> {
    let module = &prepared.module;
    let mut store = Store::new(engine, ());
    let mut imports: Vec<Extern> = Vec::new();
    for (i, import) in module.imports().enumerate() {
        let (Some(f), Some(ty)) = (HostFn::from_import_name(import.name()), import.ty().func()) else {
            return Err(Invariant::Import(u32::try_from(i).unwrap_or(u32::MAX)).into());
        };
        let func = Func::new(&mut store, ty.clone(), move |_, args, _| request(f, args));
        imports.push(func.into());
    }
    let instance = match Instance::new(&mut store, module, &imports) {
        Ok(instance) => instance,
        Err(e) => {
            return match e.kind() {
                ErrorKind::Memory(MemoryError::OutOfBoundsAccess) => Ok(Err(Trap::MemoryOutOfBounds)),
                ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) => {
                    Ok(Err(Trap::TableOutOfBounds))
                }
                ErrorKind::TrapCode(code) => match trap(*code) {
                    Some(t) => Ok(Err(t)),
                    None => Err(InternalKind::EngineTrap(EngineTrap::Wasmi(*code)).into()),
                },
                _ => Err(internal(WasmiStage::Instantiate, e)),
            };
        }
    };
    let Some(gas) = instance.get_global(&store, host_abi::GAS_GLOBAL_EXPORT) else {
        return Err(Invariant::GasGlobal.into());
    };
    let ty = gas.ty(&store);
    if ty.content() != wasmi::ValType::I64 || !ty.mutability().is_mut() {
        return Err(Invariant::GasGlobal.into());
    }
    let reserve_global = instance
        .get_global(&store, host_abi::GAS_RESERVE_EXPORT)
        .filter(|g| g.ty(&store).content() == wasmi::ValType::I64 && g.ty(&store).mutability().is_mut());
    let memory = instance.get_memory(&store, host_abi::MEMORY_EXPORT);
    let (mut globals, mut table) = (Vec::new(), None);
    if let Some(plan) = &prepared.plan {
        // The plan's names were exported by `reuse::expose` itself.
        for name in &plan.globals {
            let Some(g) = instance.get_global(&store, name) else {
                return Err(Invariant::Reuse.into());
            };
            globals.push((g, g.get(&store)));
        }
        if let Some(name) = &plan.table {
            let Some(t) = instance.get_table(&store, name) else {
                return Err(Invariant::Reuse.into());
            };
            let entries: Option<Vec<Ref>> = (0..t.size(&store)).map(|i| t.get(&store, i)).collect();
            let Some(entries) = entries else {
                return Err(Invariant::Reuse.into());
            };
            table = Some((t, entries));
        }
    }
    Ok(Ok(Instantiated { store, instance, memory, gas, reserve_global, reserve: 0, globals, table }))
}

/// The host function wrapper: stops the instance with a [`HostRequest`].
fn request(f: HostFn, args: &[Val]) -> Result<(), wasmi::Error> {
    let mut raw = [0u64; 6];
    for (slot, v) in raw.iter_mut().zip(args) {
        *slot = match v {
            // i32 arguments are passed zero-extended.
            Val::I32(x) => u64::from(*x as u32),
            Val::I64(x) => *x as u64,
            _ => return Err(wasmi::Error::host(BadArgument(f))),
        };
    }
    Err(wasmi::Error::host(HostRequest { f, args: raw, len: args.len().min(6) }))
}
