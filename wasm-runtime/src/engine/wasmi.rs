//! The reference engine: wasmi interprets the normalized, metered WASM with the host
//! functions bound.
//!
//! Its stack limits ([`config`]) are set from [`host_abi::limits::WASM_STACK_BUDGET`] so
//! that metering's stack counter, which every engine runs identically, ends a deep recursion
//! before wasmi's own limits could.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

use host_abi::functions::{HostFn, ValType};
use host_abi::limits::{WASM_FRAME_OVERHEAD, WASM_STACK_BUDGET};
use wasmi::{Caller, Config, Engine, Extern, Func, Global, Instance, Memory, Module, Store, Val};

use super::{Halt, Outcome};
use crate::exec::{Artifact, Frame, System};
use crate::host::{self, HostExit};
use crate::platform::Platform;
use crate::primitives::B256;

/// Compiled wasmi modules by artifact hash.
pub(crate) struct WasmiCache {
    engine: Engine,
    modules: BTreeMap<B256, Module>,
}

impl Default for WasmiCache {
    fn default() -> Self {
        Self { engine: Engine::new(&config()), modules: BTreeMap::new() }
    }
}

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
/// below the frame's canonical cost ([`crate::meter::frame`]). The frames that passed their
/// check cost at most the budget together, the one whose check fails at most the budget
/// again (metering rejects bigger frames), and a metering helper or host call a few cells:
/// `2 × 524288 + 1024` bytes.
pub const MAX_VALUE_STACK_BYTES: usize = 2 * WASM_STACK_BUDGET as usize + 1024;

/// The wasmi configuration both the engine and the tests use: wasmi's defaults with the
/// stack limits above.
pub fn config() -> Config {
    let mut config = Config::default();
    config.set_max_recursion_depth(MAX_RECURSION_DEPTH).set_max_stack_height(MAX_VALUE_STACK_BYTES);
    config
}

/// The host functions behind a frame, with the platform type erased.
pub(crate) trait HostEnv {
    fn dispatch(
        &mut self,
        frame: &mut Frame,
        mem: &mut [u8],
        gas: &mut u64,
        f: HostFn,
        args: &[u64],
    ) -> Result<u64, HostExit>;
}

impl<P: Platform> HostEnv for System<P> {
    fn dispatch(
        &mut self,
        frame: &mut Frame,
        mem: &mut [u8],
        gas: &mut u64,
        f: HostFn,
        args: &[u64],
    ) -> Result<u64, HostExit> {
        host::dispatch(self, frame, mem, gas, f, args)
    }
}

struct HostData<'a, 'i> {
    env: &'a mut dyn HostEnv,
    frame: &'a mut Frame<'i>,
    /// The instance's memory and gas global, found once after instantiation (host calls
    /// need them on every call).
    exports: Option<(Option<Memory>, Global)>,
    /// The gas beside the gas global (see [`super::split_gas`]).
    reserve: u64,
    /// The module's reserve global ([`host_abi::GAS_RESERVE_EXPORT`]), if it exports one.
    reserve_global: Option<Global>,
}

impl HostData<'_, '_> {
    /// Puts `gas` in the gas global and the reserve.
    fn set_gas(ctx: &mut impl wasmi::AsContextMut<Data = Self>, gas_global: Global, gas: u64) -> Result<(), ()> {
        let (global, reserve) = super::split_gas(gas);
        let mut ctx = ctx.as_context_mut();
        gas_global.set(&mut ctx, Val::I64(global)).map_err(|_| ())?;
        ctx.data_mut().reserve = reserve;
        if let Some(g) = ctx.data().reserve_global {
            // The reserve is below 2^64 - 2^62: as an i64, its bits.
            g.set(&mut ctx, Val::I64(reserve as i64)).map_err(|_| ())?;
        }
        Ok(())
    }
}

#[derive(Debug)]
struct ExitError(HostExit);

impl core::fmt::Display for ExitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.0, f)
    }
}

impl wasmi::errors::HostError for ExitError {}

/// Runs `export` of `artifact` for `frame` with `gas`.
pub(crate) fn run<P: Platform>(
    sys: &mut System<P>,
    frame: &mut Frame,
    artifact: &Artifact,
    export: &str,
    gas: u64,
) -> Outcome {
    let Some(gas) = super::after_entry(artifact, gas) else {
        return Outcome { halt: Halt::OutOfGas, gas_left: 0 };
    };
    let engine = sys.wasmi.engine.clone();
    let module = match sys.wasmi.modules.get(&artifact.hash) {
        Some(m) => m.clone(),
        None => match Module::new(&engine, &artifact.wasm) {
            Ok(m) => {
                sys.wasmi.modules.insert(artifact.hash, m.clone());
                m
            }
            Err(e) => return trap(format!("the engine rejected the module: {e}")),
        },
    };
    let data = HostData { env: sys, frame, exports: None, reserve: 0, reserve_global: None };
    execute(&engine, &module, data, export, gas)
}

fn trap(msg: alloc::string::String) -> Outcome {
    Outcome { halt: Halt::Trap(msg), gas_left: 0 }
}

fn execute(engine: &Engine, module: &Module, data: HostData<'_, '_>, export: &str, gas: u64) -> Outcome {
    let mut store = Store::new(engine, data);
    let mut imports: Vec<Extern> = Vec::new();
    for import in module.imports() {
        let Some(f) = HostFn::from_import_name(import.name()) else {
            return trap(format!("unknown import {}.{}", import.module(), import.name()));
        };
        let Some(ty) = import.ty().func() else {
            return trap(format!("import {} is not a function", import.name()));
        };
        let func = Func::new(&mut store, ty.clone(), move |caller, args, results| trampoline(f, caller, args, results));
        imports.push(func.into());
    }
    let instance = match Instance::new(&mut store, module, &imports) {
        Ok(i) => i,
        Err(e) => return trap(format!("instantiation failed: {e}")),
    };
    let Some(gas_global) = instance.get_global(&store, host_abi::GAS_GLOBAL_EXPORT) else {
        return trap("module has no gas global".into());
    };
    store.data_mut().reserve_global = instance
        .get_global(&store, host_abi::GAS_RESERVE_EXPORT)
        .filter(|g| g.ty(&store).content() == wasmi::ValType::I64 && g.ty(&store).mutability().is_mut());
    if HostData::set_gas(&mut store, gas_global, gas).is_err() {
        return trap("gas global is not a mutable i64".into());
    }
    let memory = instance.get_memory(&store, host_abi::MEMORY_EXPORT);
    store.data_mut().exports = Some((memory, gas_global));
    let func = match instance.get_typed_func::<(), ()>(&store, export) {
        Ok(f) => f,
        Err(e) => return trap(format!("export `{export}`: {e}")),
    };
    let result = func.call(&mut store, ());
    let raw_gas = gas_global.get(&store).i64().unwrap_or(-1);
    let gas_left = super::join_gas(raw_gas, store.data().reserve).unwrap_or(0);
    match result {
        Ok(()) => Outcome { halt: Halt::Finish(Vec::new()), gas_left },
        Err(e) => match e.downcast_ref::<ExitError>() {
            Some(ExitError(exit)) => match exit.clone() {
                HostExit::Finish(out) => Outcome { halt: Halt::Finish(out), gas_left },
                HostExit::Revert(out) => Outcome { halt: Halt::Revert(out), gas_left },
                HostExit::SelfDestruct => Outcome { halt: Halt::SelfDestruct, gas_left },
                HostExit::OutOfGas => Outcome { halt: Halt::OutOfGas, gas_left: 0 },
                HostExit::Trap(why) => trap(why),
            },
            None if raw_gas < 0 => Outcome { halt: Halt::OutOfGas, gas_left: 0 },
            None => trap(format!("{e}")),
        },
    }
}

fn trampoline(
    f: HostFn,
    mut caller: Caller<'_, HostData<'_, '_>>,
    args: &[Val],
    results: &mut [Val],
) -> Result<(), wasmi::Error> {
    let host_err = |exit: HostExit| wasmi::Error::host(ExitError(exit));
    let Some((memory, gas_global)) = caller.data().exports else {
        // A host call from the start function, before the exports are known.
        return Err(host_err(HostExit::Trap("host call before instantiation finished".into())));
    };
    let memory = memory.ok_or_else(|| host_err(HostExit::Trap("module exports no memory".into())))?;
    // A negative gas global is out of gas (the rv engine checks the same).
    let Some(mut gas) = super::join_gas(gas_global.get(&caller).i64().unwrap_or(-1), caller.data().reserve) else {
        return Err(host_err(HostExit::OutOfGas));
    };
    let mut raw = [0u64; 6];
    for (slot, v) in raw.iter_mut().zip(args) {
        *slot = match v {
            // i32 arguments are passed zero-extended.
            Val::I32(x) => u64::from(*x as u32),
            Val::I64(x) => *x as u64,
            _ => return Err(host_err(HostExit::Trap("non-integer argument to a host function".into()))),
        };
    }
    let (mem, data) = memory.data_and_store_mut(&mut caller);
    let result = data.env.dispatch(data.frame, mem, &mut gas, f, &raw[..args.len()]);
    HostData::set_gas(&mut caller, gas_global, gas)
        .map_err(|_| host_err(HostExit::Trap("gas global is not a mutable i64".into())))?;
    let value = result.map_err(host_err)?;
    if let (Some(ty), Some(slot)) = (f.result(), results.first_mut()) {
        *slot = match ty {
            // Results are truncated to the declared width.
            ValType::I32 => Val::I32(value as u32 as i32),
            ValType::I64 => Val::I64(value as i64),
        };
    }
    Ok(())
}
