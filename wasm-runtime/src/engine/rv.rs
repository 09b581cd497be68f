//! The provable engine: the normalized, metered WASM compiled to RV64IM by rv-backend, run
//! on the RV64IM machine, whose executed-instruction count is the proving cost.
//!
//! A frame compiles the artifact (once, kept in [`Artifact::rv_code`]), maps it on
//! a fresh machine, puts the gas in the gas register and calls the export. Host functions
//! arrive as `ecall`s with the host-function number: they run through [`crate::host::dispatch`]
//! with the machine's linear memory and the gas register, exactly as the reference engine
//! runs them, and nested calls run on machines of their own. Outcomes map as in
//! [`super::wasmi`]: a trap with a negative gas register is out of gas.

use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;

use host_abi::functions::HostFn;
use rv_backend::instance::{Config, Event, Imports, Instance};
use rv_backend::{Compiled, ImportTarget};

use super::wasmi::HostEnv;
use super::{Halt, Outcome};
use crate::exec::{Artifact, Frame, System};
use crate::host::HostExit;
use crate::platform::Platform;

/// Bytes of machine stack for compiled code: enough that metering's stack counter
/// ([`host_abi::limits::WASM_STACK_BUDGET`]) always traps first. Compiled code allocates a
/// function's frame before the counter check at its entry runs, and each real frame is at
/// most the function's canonical cost ([`crate::meter::frame`]; the tests check it against
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

/// Runs `export` of `artifact` for `frame` with `gas`.
pub(crate) fn run<P: Platform>(
    sys: &mut System<P>,
    frame: &mut Frame,
    artifact: &Artifact,
    export: &str,
    gas: u64,
) -> Outcome {
    // Compiled once per artifact and kept with it (compile errors too), so a chain that
    // keeps its artifacts never compiles a code hash twice.
    if artifact.rv_code.get().is_none() {
        sys.stats.rv_compilations += 1;
    }
    let compiled = artifact
        .rv_code
        .get_or_init(|| rv_backend::compile(&artifact.wasm).map(Rc::new).map_err(|e| format!("{e}")))
        .clone();
    let compiled = match compiled {
        Ok(c) => c,
        Err(e) => return trap(format!("the engine rejected the module: {e}")),
    };
    let mut executed = 0;
    let outcome = execute(sys, frame, &compiled, export, gas, &mut executed);
    sys.stats.rv_instructions += executed;
    outcome
}

fn execute(
    env: &mut dyn HostEnv,
    frame: &mut Frame,
    compiled: &Compiled,
    export: &str,
    gas: u64,
    executed: &mut u64,
) -> Outcome {
    for import in &compiled.imports {
        if !matches!(import.kind, rv_backend::ImportKind::Func { target: ImportTarget::Host(_), .. }) {
            return trap(format!("unknown import {}.{}", import.module, import.name));
        }
    }
    if compiled.gas_global.is_none() {
        return trap("module has no gas global".into());
    }
    let Ok(gas_signed) = i64::try_from(gas) else {
        return trap("gas above 2^63".into());
    };
    let Some(func) = compiled.exported_func(export) else {
        return trap(format!("export `{export}`: not found"));
    };
    if compiled.func_type(func).is_none_or(|t| !t.params.is_empty() || !t.results.is_empty()) {
        return trap(format!("export `{export}`: not a function of type () -> ()"));
    }
    let config = Config { stack_size: STACK_SIZE, ..Config::default() };
    let mut inst = match Instance::new(compiled, config, &Imports::default()) {
        Ok(i) => i,
        Err(e) => return trap(format!("instantiation failed: {e}")),
    };
    inst.set_gas(gas_signed);
    let mut outcome = None;
    if let Some(start) = compiled.start {
        outcome = call(env, frame, &mut inst, start, executed);
    }
    match outcome {
        Some(o) => o,
        None => call(env, frame, &mut inst, func, executed).unwrap_or_else(|| Outcome {
            halt: Halt::Finish(alloc::vec::Vec::new()),
            gas_left: u64::try_from(inst.gas()).unwrap_or(0),
        }),
    }
}

/// Runs function `f` to its end; `None` if it returned normally, the frame's outcome if a
/// host function or a trap ended the frame.
fn call(
    env: &mut dyn HostEnv,
    frame: &mut Frame,
    inst: &mut Instance<'_>,
    f: u32,
    executed: &mut u64,
) -> Option<Outcome> {
    let before = inst.instret();
    let result = drive(env, frame, inst, f);
    *executed += inst.instret() - before;
    result
}

fn drive(env: &mut dyn HostEnv, frame: &mut Frame, inst: &mut Instance<'_>, f: u32) -> Option<Outcome> {
    if let Err(e) = inst.call(f, &[]) {
        return Some(trap(format!("{e}")));
    }
    loop {
        match inst.run(BUDGET) {
            // Compiled code defers the metering's gas checks (rv-backend's `gas_check`): a
            // negative gas register at a return or a host call is out of gas.
            Event::Returned if inst.gas() < 0 => return Some(Outcome { halt: Halt::OutOfGas, gas_left: 0 }),
            Event::Host(_) if inst.gas() < 0 => return Some(Outcome { halt: Halt::OutOfGas, gas_left: 0 }),
            Event::Returned => return None,
            Event::Host(n) => {
                let Some(h) = HostFn::from_number(n) else {
                    return Some(trap(format!("unknown host function {n}")));
                };
                let nargs = h.params().len();
                let args = inst.host_args();
                let mut gas = u64::try_from(inst.gas()).unwrap_or(0);
                let result = env.dispatch(frame, inst.memory_mut(), &mut gas, h, &args[..nargs]);
                inst.set_gas(i64::try_from(gas).unwrap_or(i64::MAX));
                let gas_left = gas;
                match result {
                    Ok(v) => inst.set_host_result(v),
                    Err(exit) => {
                        return Some(match exit {
                            HostExit::Finish(out) => Outcome { halt: Halt::Finish(out), gas_left },
                            HostExit::Revert(out) => Outcome { halt: Halt::Revert(out), gas_left },
                            HostExit::SelfDestruct => Outcome { halt: Halt::SelfDestruct, gas_left },
                            HostExit::OutOfGas => Outcome { halt: Halt::OutOfGas, gas_left: 0 },
                            HostExit::Trap(why) => trap(why),
                        })
                    }
                }
            }
            Event::Foreign(k) => return Some(trap(format!("call to foreign import {k}"))),
            Event::Trap(t) => {
                if inst.gas() < 0 {
                    return Some(Outcome { halt: Halt::OutOfGas, gas_left: 0 });
                }
                return Some(trap(format!("{t}")));
            }
            Event::BudgetExhausted => return Some(trap("instruction budget exhausted".into())),
        }
    }
}
