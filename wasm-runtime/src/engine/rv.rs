//! The provable engine: the normalized, metered WASM compiled to RV64IM by rv-backend, run
//! on the RV64IM machine, whose executed-instruction count is the proving cost.
//!
//! A frame compiles the artifact (once, kept in [`Artifact::rv_code`] with its code
//! predecoded: an [`Image`]), maps the image on a fresh machine (code and read-only data
//! shared, not copied; stack and table committed as they are touched), puts the gas in the
//! gas register (and what exceeds [`host_abi::GAS_GLOBAL_MAX`] beside it) and calls the export. Host functions
//! arrive as `ecall`s with the host-function number: they run through [`crate::host::dispatch`]
//! with the machine's linear memory and the gas register, exactly as the reference engine
//! runs them, and nested calls run on machines of their own. Outcomes map as in
//! [`super::wasmi`]: a trap with a negative gas register is out of gas.

use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;

use host_abi::functions::HostFn;
use rv_backend::instance::{Config, Event, Image, Imports, Instance};
use rv_backend::ImportTarget;

use super::wasmi::HostEnv;
use super::{Halt, Outcome};
use crate::exec::{Artifact, Frame, System};
use crate::host::HostExit;
use crate::platform::Platform;

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
/// before this; reaching it is reported as a trap.
const BUDGET: u64 = 1 << 48;

fn trap(msg: String) -> Outcome {
    Outcome { halt: Halt::Trap(msg), gas_left: 0 }
}

/// The configuration of every contract instance.
fn config() -> Config {
    Config { stack_size: STACK_SIZE, ..Config::default() }
}

/// Compiles `wasm` and prepares it for contract instances.
fn prepare(wasm: &[u8]) -> Result<Rc<Image>, String> {
    let compiled = rv_backend::compile(wasm).map_err(|e| format!("the engine rejected the module: {e}"))?;
    let image =
        Image::new(compiled, config(), &Imports::default()).map_err(|e| format!("instantiation failed: {e}"))?;
    Ok(Rc::new(image))
}

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
    // Compiled and prepared once per artifact and kept with it (errors too), so a chain that
    // keeps its artifacts never compiles a code hash twice, and every frame maps the same
    // predecoded code.
    if artifact.rv_code.get().is_none() {
        sys.stats.rv_compilations += 1;
    }
    let image = match artifact.rv_code.get_or_init(|| prepare(&artifact.wasm)) {
        Ok(image) => image.clone(),
        Err(e) => return trap(e.clone()),
    };
    let mut executed = 0;
    let outcome = execute(sys, frame, &image, export, gas, &mut executed);
    sys.stats.rv_instructions += executed;
    outcome
}

/// An instance and the gas reserve beside its gas register (see [`super::split_gas`]).
struct Running<'c> {
    inst: Instance<'c>,
    reserve: u64,
    /// The module's reserve global, if it exports one.
    reserve_global: Option<u32>,
}

impl Running<'_> {
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
}

fn execute(
    env: &mut dyn HostEnv,
    frame: &mut Frame,
    image: &Image,
    export: &str,
    gas: u64,
    executed: &mut u64,
) -> Outcome {
    let compiled = image.compiled();
    for import in &compiled.imports {
        if !matches!(import.kind, rv_backend::ImportKind::Func { target: ImportTarget::Host(_), .. }) {
            return trap(format!("unknown import {}.{}", import.module, import.name));
        }
    }
    if compiled.gas_global.is_none() {
        return trap("module has no gas global".into());
    }
    let Some(func) = compiled.exported_func(export) else {
        return trap(format!("export `{export}`: not found"));
    };
    if compiled.func_type(func).is_none_or(|t| !t.params.is_empty() || !t.results.is_empty()) {
        return trap(format!("export `{export}`: not a function of type () -> ()"));
    }
    let reserve_global = compiled
        .export(host_abi::GAS_RESERVE_EXPORT)
        .filter(|e| e.kind == rv_backend::ExportKind::Global)
        .map(|e| e.index)
        .filter(|&g| compiled.globals.get(g as usize).is_some_and(|d| d.mutable && d.ty == rv_backend::ValType::I64));
    let inst = match Instance::from_image(image) {
        Ok(i) => i,
        Err(e) => return trap(format!("instantiation failed: {e}")),
    };
    let mut run = Running { inst, reserve: 0, reserve_global };
    run.set_gas(gas);
    let mut outcome = None;
    if let Some(start) = compiled.start {
        outcome = call(env, frame, &mut run, start, executed);
    }
    match outcome {
        Some(o) => o,
        None => call(env, frame, &mut run, func, executed).unwrap_or_else(|| Outcome {
            halt: Halt::Finish(alloc::vec::Vec::new()),
            gas_left: run.gas().unwrap_or(0),
        }),
    }
}

/// Runs function `f` to its end; `None` if it returned normally, the frame's outcome if a
/// host function or a trap ended the frame.
fn call(
    env: &mut dyn HostEnv,
    frame: &mut Frame,
    run: &mut Running<'_>,
    f: u32,
    executed: &mut u64,
) -> Option<Outcome> {
    let before = run.inst.instret();
    let result = drive(env, frame, run, f);
    *executed += run.inst.instret() - before;
    result
}

fn drive(env: &mut dyn HostEnv, frame: &mut Frame, run: &mut Running<'_>, f: u32) -> Option<Outcome> {
    const OUT_OF_GAS: Outcome = Outcome { halt: Halt::OutOfGas, gas_left: 0 };
    if let Err(e) = run.inst.call(f, &[]) {
        return Some(trap(format!("{e}")));
    }
    loop {
        match run.inst.run(BUDGET) {
            // Compiled code defers the metering's gas checks (rv-backend's `gas_check`): a
            // negative gas register at a return or a host call is out of gas.
            Event::Returned if run.inst.gas() < 0 => return Some(OUT_OF_GAS),
            Event::Returned => return None,
            Event::Host(n) => {
                let Some(mut gas) = run.gas() else {
                    return Some(OUT_OF_GAS);
                };
                let Some(h) = HostFn::from_number(n) else {
                    return Some(trap(format!("unknown host function {n}")));
                };
                let nargs = h.params().len();
                let args = run.inst.host_args();
                let result = env.dispatch(frame, run.inst.memory_mut(), &mut gas, h, &args[..nargs]);
                run.set_gas(gas);
                let gas_left = gas;
                match result {
                    Ok(v) => run.inst.set_host_result(v),
                    Err(exit) => {
                        return Some(match exit {
                            HostExit::Finish(out) => Outcome { halt: Halt::Finish(out), gas_left },
                            HostExit::Revert(out) => Outcome { halt: Halt::Revert(out), gas_left },
                            HostExit::SelfDestruct => Outcome { halt: Halt::SelfDestruct, gas_left },
                            HostExit::OutOfGas => OUT_OF_GAS,
                            HostExit::Trap(why) => trap(why),
                        })
                    }
                }
            }
            Event::Foreign(k) => return Some(trap(format!("call to foreign import {k}"))),
            Event::Trap(t) => {
                if run.inst.gas() < 0 {
                    return Some(OUT_OF_GAS);
                }
                return Some(trap(format!("{t}")));
            }
            Event::BudgetExhausted => return Some(trap("instruction budget exhausted".into())),
        }
    }
}
