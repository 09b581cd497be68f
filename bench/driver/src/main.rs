//! `zkos-bench` (run as `zkos bench`): the benchmark kernels (`bench/kernels`, written once in Rust) run three ways
//! on the RV64IM machine, counting executed instructions (the proving cost):
//!
//! 1. **native**: rustc's RV64IM code (`bench/out/native.elf`);
//! 2. **compiled**: rustc's wasm32 module, validated and metered by wasm-runtime, compiled by
//!    rv-backend;
//! 3. **interpreted**: the same metered module run by wasmi, itself built for RV64IM
//!    (`bench/out/wasmi-driver.elf`).
//!
//! and a fourth, in its own table: the kernels as a native contract
//! (`bench/out/native-contract.elf`) run directly on rv-machine and lifted by native-shim,
//! metered and compiled by rv-backend on the rv engine (module [`native_lift`]).
//!
//! Every way must produce the checksum the host computes by running the kernel natively, or
//! the command fails. Counts are exact and deterministic; times are only printed. The table
//! has the three counts, the gas the metered module charged, compiled/native,
//! interpreted/compiled and interpreted/native with their geometric means; then the compiler's
//! speed and the machine's speed. `bench/build.sh` builds the programs.
//!
//! Modules: [`artifacts`] (the programs), [`program`] (running one on the machine, phase by
//! phase), [`ways`] (native and interpreted), [`compiled`] (rv-backend: the compiled way and
//! the compiler's speed), [`report`] (table and JSON), [`error`].
//!
//! The other subcommands: `zkos bench worst`, the worst-case proving cost of every operation
//! (module [`worst`]); `zkos bench evm` (module [`evm`]); `zkos bench native`; `zkos bench
//! deploy`, deployment's cost per byte on the machine (module [`deploy`]).

mod artifacts;
mod compiled;
mod deploy;
mod error;
mod evm;
mod native_lift;
mod program;
mod report;
mod ways;
mod worst;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use bench_kernels::{Kernel, Suite, SCRATCH_WORDS};

use artifacts::Artifacts;
use error::BenchError;
use report::{ratio, CompileSpeed, MachineSpeed, Means, Report, Row};

/// How big the kernels' inputs are.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Tiny inputs: the whole benchmark in a few seconds (for tests).
    Small,
    /// The benchmark's sizes: well under a minute in release.
    Default,
}

impl Size {
    fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Default => "default",
        }
    }

    /// The input size of `kernel`.
    pub fn of(self, kernel: Kernel) -> u64 {
        let (small, default) = match kernel {
            Kernel::Fibonacci => (10, 24),
            Kernel::Sieve => (1_000, 200_000),
            Kernel::Sha256 => (200, 64 * 1024),
            Kernel::Keccak => (300, 64 * 1024),
            Kernel::Mul256 => (100, 20_000),
            Kernel::Sort => (100, 20_000),
            Kernel::Erc20 => (100, 20_000),
            Kernel::Memset => (4_096, 1 << 20),
            Kernel::Memcpy => (4_096, 1 << 20),
            Kernel::ByteLoops => (4_096, 1 << 20),
            Kernel::Ed25519 => (2, 4),
            Kernel::Interp => (100, 10_000),
        };
        match self {
            Size::Small => small,
            Size::Default => default,
        }
    }

    /// Seconds to spend compiling the module repeatedly to time rv-backend on the host.
    fn compile_seconds(self) -> f64 {
        match self {
            Size::Small => 0.01,
            Size::Default => 0.3,
        }
    }

    /// Iterations of the machine's built-in speed workload.
    fn machine_iterations(self) -> u64 {
        match self {
            Size::Small => 100_000,
            Size::Default => 5_000_000,
        }
    }
}

/// Flags of `zkos bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Input sizes.
    #[arg(long, value_enum, default_value_t = Size::Default)]
    pub size: Size,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// The directory bench/build.sh wrote (native.elf, wasmi-driver.elf, kernels.wasm).
    #[arg(long, default_value = artifacts::DEFAULT_DIR)]
    pub dir: PathBuf,
    /// Run only this kernel (repeatable): fibonacci, sieve, sha256, keccak, mul256, sort, erc20,
    /// memset, memcpy, byteloops, ed25519, interp.
    #[arg(long = "kernel")]
    pub kernels: Vec<String>,
}

/// The command line of `zkos-bench` (`zkos bench` passes its arguments through).
#[derive(Parser, Debug)]
#[command(
    name = "zkos bench",
    bin_name = "zkos bench",
    version,
    about = "Benchmark kernels run three ways on the RV64IM machine (native, compiled, wasmi)",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(flatten)]
    args: Args,
    #[command(subcommand)]
    command: Option<Command>,
}

/// The subcommands (without one, the kernels' benchmark runs).
#[derive(clap::Subcommand, Debug)]
enum Command {
    /// RV64IM instructions per gas of every operation, each filling a transaction's gas in a
    /// loop (EVM opcodes, precompiles, WASM instruction classes, host functions), worst first.
    Worst(worst::Args),
    /// The EVM benchmark inputs (../shared/bench/evm) on zkos and on revm built for RV64IM,
    /// on the same machine: instructions, instructions per gas, revm / zkos.
    Evm(evm::Args),
    /// What deployment costs on the machine: RV64IM instructions per input byte of each
    /// stage (transpile, lift, validate and meter, compile) for the EVM inputs, the native
    /// contract and the kernels' modules.
    Deploy(deploy::Args),
    /// The lifting table alone: the kernels as a native contract, run directly on rv-machine
    /// and lifted by native-shim, metered and compiled by rv-backend on the rv engine.
    Native(Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Worst(args)) => emit("zkos bench worst", worst::run(args), args.json, worst::Report::text),
        Some(Command::Evm(args)) => emit("zkos bench evm", evm::run(args), args.json, evm::Report::text),
        Some(Command::Native(args)) => native_lift::main(args),
        Some(Command::Deploy(args)) => emit("zkos bench deploy", deploy::run(args), args.json, deploy::Report::text),
        None => emit("zkos bench", run(&cli.args), cli.args.json, Report::text),
    }
}

/// Prints a command's report, as JSON or as its text, or why there is none; the exit code.
pub(crate) fn emit<R: serde::Serialize>(
    command: &str,
    report: Result<R, BenchError>,
    json: bool,
    text: impl FnOnce(&R) -> String,
) -> ExitCode {
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            eprintln!("zkos: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("{command}: the report as JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", text(&report));
    }
    ExitCode::SUCCESS
}

fn selected(names: &[String]) -> Result<Vec<Kernel>, BenchError> {
    if names.is_empty() {
        return Ok(Kernel::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| {
            Kernel::from_name(n).ok_or_else(|| {
                let all: Vec<&str> = Kernel::ALL.iter().map(|k| k.name()).collect();
                BenchError::Usage(format!("unknown kernel `{n}` (kernels: {})", all.join(", ")))
            })
        })
        .collect()
}

/// Runs the benchmark and checks every checksum against the host's.
pub fn run(args: &Args) -> Result<Report, BenchError> {
    let kernels = selected(&args.kernels)?;
    let art = Artifacts::load(&args.dir)?;
    let lifting = native_lift::run(&args.dir, &kernels, args.size)?;
    let compiled_module = compiled::compile(&art.metered)?;
    let compiled_standard = compiled::compile(&art.standard_metered)?;
    let mut scratch = vec![0u64; SCRATCH_WORDS];
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    let (mut machine_instructions, mut machine_seconds) = (0u64, 0f64);
    for kernel in kernels {
        let n = args.size.of(kernel);
        let expected = kernel.run(n, &mut scratch);
        let native = ways::native(&art, kernel, n)?;
        let interp = ways::interpreted(&art, kernel, n)?;
        let module = match kernel.suite() {
            Suite::Core => &compiled_module,
            Suite::Standard => &compiled_standard,
        };
        let comp = compiled::run(module, kernel, n)?;
        machine_seconds += native.seconds + interp.seconds + comp.seconds;
        machine_instructions += native.total + interp.total + comp.instructions;
        let name = kernel.name();
        for (way, got) in [("native", native.checksum), ("compiled", comp.checksum), ("interpreted", interp.checksum)] {
            if got != expected {
                mismatches.push(format!("{name} n={n}: {way} checksum {got:#018x}, host {expected:#018x}"));
            }
        }
        if comp.gas != interp.gas {
            mismatches.push(format!("{name} n={n}: gas {} compiled, {} interpreted", comp.gas, interp.gas));
        }
        rows.push(Row {
            kernel: kernel.name(),
            unit: kernel.unit(),
            n,
            checksum: format!("{expected:#018x}"),
            native: native.instructions,
            compiled: comp.instructions,
            interpreted: interp.call,
            gas: interp.gas,
            wasmi_translate: interp.translate,
            wasmi_instantiate: interp.instantiate,
            compiled_over_native: ratio(comp.instructions, native.instructions),
            interpreted_over_compiled: ratio(interp.call, comp.instructions),
            interpreted_over_native: ratio(interp.call, native.instructions),
            compiled_mips: comp.instructions as f64 / comp.seconds.max(1e-9) / 1e6,
        });
    }
    if !mismatches.is_empty() {
        return Err(BenchError::Mismatch(mismatches));
    }
    let speed = rv_machine::bench::run(args.size.machine_iterations())
        .map_err(|e| BenchError::Usage(format!("the machine's speed workload: {e}")))?;
    if !speed.verified() {
        return Err(BenchError::Mismatch(vec![format!(
            "rv_machine::bench: checksum {:#x}, expected {:#x}",
            speed.checksum, speed.expected
        )]));
    }
    let translate = rows.first().map_or(0, |r| r.wasmi_translate);
    let host_speed = compiled::host_speed(&art.metered, args.size.compile_seconds())?;
    let on_machine = compiled::on_machine(&art, &compiled_module)?;
    Ok(Report {
        size: args.size.name(),
        dir: art.dir.display().to_string(),
        wasm_bytes: art.wasm.len(),
        metered_bytes: art.metered.len(),
        standard_wasm_bytes: art.standard_wasm.len(),
        standard_metered_bytes: art.standard_metered.len(),
        geomean: Means::of(&rows),
        compile: CompileSpeed {
            host_bytes_per_second: host_speed,
            machine_instructions: on_machine,
            machine_instructions_per_byte: ratio(on_machine, art.metered.len() as u64),
            wasmi_instructions_per_byte: ratio(translate, art.metered.len() as u64),
        },
        lifting,
        machine: MachineSpeed {
            instructions: speed.instructions,
            seconds: speed.seconds,
            mips: speed.mips(),
            benchmark_mips: machine_instructions as f64 / machine_seconds.max(1e-9) / 1e6,
        },
        rows,
    })
}
