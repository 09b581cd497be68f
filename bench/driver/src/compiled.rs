//! Way 2: the metered module compiled by rv-backend, its export run on the machine
//! (the rv engine's `wasm_runtime::engine::rv_instance`), and the compiler's speed on the host.

use std::time::Instant;

use bench_kernels::protocol::{bytes_to_words, digest};
use bench_kernels::Kernel;
use wasm_runtime::engine::rv_instance::{Config, Event, Imports, Instance};

use crate::artifacts::Artifacts;
use crate::error::BenchError;
use crate::program::{self, output_u64, BUDGET};
use crate::ways::GAS;

/// A kernel's export run as rv-backend compiled it.
#[derive(Debug, Clone, Copy)]
pub struct Compiled {
    /// Instructions from the call's entry to its return.
    pub instructions: u64,
    /// The checksum.
    pub checksum: u64,
    /// Gas the call used.
    pub gas: u64,
    /// Wall-clock seconds of the call.
    pub seconds: f64,
}

/// Compiles the metered module (once; the result serves every kernel).
pub fn compile(metered: &[u8]) -> Result<rv_backend::Compiled, BenchError> {
    rv_backend::compile(metered).map_err(|e| BenchError::Module(format!("rv-backend: {e}")))
}

/// Runs `kernel`'s export of `compiled` with size `n` and the gas of [`GAS`].
pub fn run(compiled: &rv_backend::Compiled, kernel: Kernel, n: u64) -> Result<Compiled, BenchError> {
    let fail = |problem: String| BenchError::Program { program: "rv-backend code", kernel: kernel.name(), problem };
    let f = compiled.exported_func(kernel.name()).ok_or_else(|| fail("no such export".into()))?;
    let mut inst = Instance::new(compiled, Config::default(), &Imports::default()).map_err(|e| fail(e.to_string()))?;
    // Bit casts: the gas register holds a non-negative i64; WASM's i64 argument is the u64 size.
    inst.set_gas(GAS as i64);
    inst.call(f, &[n]).map_err(|e| fail(e.to_string()))?;
    let before = inst.instret();
    let start = Instant::now();
    match inst.run(BUDGET) {
        Event::Returned => {}
        Event::Trap(t) => return Err(fail(format!("trapped: {t}"))),
        Event::BudgetExhausted => return Err(fail(format!("still running after {BUDGET} instructions"))),
        Event::Host(h) => return Err(fail(format!("called host function {h}"))),
        Event::Foreign(k) => return Err(fail(format!("called foreign import {k}"))),
    }
    let seconds = start.elapsed().as_secs_f64();
    let results = inst.results();
    let [checksum] = results[..] else {
        return Err(fail(format!("returned {} values, expected 1", results.len())));
    };
    Ok(Compiled {
        instructions: inst.instret() - before,
        checksum,
        gas: GAS.saturating_sub(inst.gas() as u64),
        seconds,
    })
}

/// WASM bytes per second of `rv_backend::compile` on the host: the module compiled
/// repeatedly for at least `min_seconds`.
pub fn host_speed(metered: &[u8], min_seconds: f64) -> Result<f64, BenchError> {
    let start = Instant::now();
    let mut rounds = 0u64;
    while rounds == 0 || start.elapsed().as_secs_f64() < min_seconds {
        compile(metered)?;
        rounds += 1;
    }
    Ok((rounds * metered.len() as u64) as f64 / start.elapsed().as_secs_f64())
}

/// Instructions `rv_backend::compile` takes on the machine (`compiler-driver.elf`) for the
/// metered module. Its output must be exactly `host`, what the host compiled.
pub fn on_machine(art: &Artifacts, host: &rv_backend::Compiled) -> Result<u64, BenchError> {
    let fail = |problem: String| BenchError::Program { program: "compiler-driver.elf", kernel: "(compiling)", problem };
    let mut input = Vec::new();
    bytes_to_words(&art.metered, &mut input);
    let run = program::run(&art.compiler_driver, &input, 2).map_err(fail)?;
    let got = [0, 1, 2].map(|i| output_u64(&run.output, 2 * i));
    let want = [host.code.len() as u64, host.rodata.len() as u64, digest(&host.code, &host.rodata)];
    for (what, (got, want)) in ["code bytes", "rodata bytes", "digest"].iter().zip(got.into_iter().zip(want)) {
        let got = got.map_err(fail)?;
        if got != want {
            return Err(BenchError::Mismatch(vec![format!(
                "rv-backend on the machine: {what} {got:#x}, on the host {want:#x} \
                 (if rv-backend changed since bench/build.sh last ran, run it again)"
            )]));
        }
    }
    Ok(run.phase(0))
}
