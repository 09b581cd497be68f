//! `zkos bench deploy`: what deployment costs inside the RV64IM machine, stage by stage, per
//! input byte — the work every deployment pays in kernel mode, proven.
//!
//! The stages are zkos's deployment pipeline, built for RV64IM: `deploy-driver.elf` runs one of
//! the first three per run between two markers, `compiler-driver.elf` (`zkos bench`'s compile
//! figure) the last:
//! - **transpile**: EVM code to metered WASM (`evm_to_wasm::transpile`: the transpiler meters
//!   what it writes, so the module goes straight to rv-backend), per EVM byte;
//! - **lift**: a static RV64IM ELF to WASM (`native_shim::lift`), per ELF byte;
//! - **check**: validation and metering of a WASM contract or a lifted ELF (`wasm_validator`),
//!   per WASM byte;
//! - **compile**: rv-backend on the metered module, per metered byte.
//!
//! Inputs: the code each `../shared/bench/evm` input calls (distinct codes once), the kernels
//! as a native contract (`native-contract.elf`) and the kernels' WASM modules (`kernels.wasm`,
//! `standard.wasm`), all from their first stage to the compiled code. The host runs every
//! stage too; each result's length and digest on the machine must be the host's.

use std::path::PathBuf;

use serde::Serialize;

use bench_kernels::protocol::{bytes_to_words, digest};

use crate::error::BenchError;
use crate::program::{self, output_u64};

/// Flags of `zkos bench deploy`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// The directory bench/build.sh wrote (deploy-driver.elf, compiler-driver.elf,
    /// native-contract.elf, kernels.wasm, standard.wasm).
    #[arg(long, default_value = crate::artifacts::DEFAULT_DIR)]
    pub dir: PathBuf,
    /// The folder of the EVM benchmark inputs (*.json).
    #[arg(long, default_value = crate::evm::DEFAULT_INPUTS)]
    pub inputs: PathBuf,
}

/// A deployment stage, numbered as `deploy-driver.elf` takes it (compilation is
/// `compiler-driver.elf`'s, which takes the module alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Compile = 0,
    Transpile = 1,
    Lift = 2,
    Check = 3,
}

impl Stage {
    const ALL: [Stage; 4] = [Stage::Transpile, Stage::Lift, Stage::Check, Stage::Compile];

    fn name(self) -> &'static str {
        match self {
            Stage::Compile => "compile",
            Stage::Transpile => "transpile",
            Stage::Lift => "lift",
            Stage::Check => "check",
        }
    }

    /// The stage on the host: its output bytes (for the next stage) and the words the machine
    /// must write.
    fn host(self, input: &[u8]) -> Result<(Vec<u8>, Vec<u64>), String> {
        let bytes = |out: Vec<u8>| {
            let words = vec![out.len() as u64, digest(&out, &[])];
            (out, words)
        };
        match self {
            Stage::Compile => {
                let c = rv_backend::compile(input).map_err(|e| format!("rv-backend: {e}"))?;
                Ok((Vec::new(), vec![c.code.len() as u64, c.rodata.len() as u64, digest(&c.code, &c.rodata)]))
            }
            Stage::Transpile => evm_to_wasm::transpile(input).map(bytes).map_err(|e| format!("transpiling: {e}")),
            Stage::Lift => native_shim::lift(input).map(|l| bytes(l.wasm)).map_err(|e| format!("lifting: {e}")),
            Stage::Check => {
                wasm_validator::validate::validate(input).map_err(|e| format!("validating: {e}"))?;
                wasm_validator::meter::meter(input).map(bytes).map_err(|e| format!("metering: {e}"))
            }
        }
    }
}

/// The words a driver reads for `stage`: `deploy-driver.elf` the stage byte, then the input;
/// `compiler-driver.elf` the module alone.
fn stage_input(stage: Stage, input: &[u8]) -> Vec<u32> {
    let mut bytes = Vec::with_capacity(input.len() + 1);
    if stage != Stage::Compile {
        bytes.push(stage as u8);
    }
    bytes.extend_from_slice(input);
    let mut words = Vec::new();
    bytes_to_words(&bytes, &mut words);
    words
}

/// The two programs that run the stages.
struct Drivers {
    deploy: Vec<u8>,
    compiler: Vec<u8>,
}

/// One stage of one input on the machine.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageRun {
    pub stage: Stage,
    /// The stage's input bytes.
    pub bytes: u64,
    /// RV64IM instructions between the markers.
    pub instructions: u64,
    pub per_byte: f64,
}

/// Where an input's pipeline starts: the kind of code as deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Evm,
    Native,
    Wasm,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Evm => "evm",
            Kind::Native => "native",
            Kind::Wasm => "wasm",
        }
    }

    /// The stages code of this kind goes through, in order.
    fn stages(self) -> &'static [Stage] {
        match self {
            Kind::Evm => &[Stage::Transpile, Stage::Compile],
            Kind::Native => &[Stage::Lift, Stage::Check, Stage::Compile],
            Kind::Wasm => &[Stage::Check, Stage::Compile],
        }
    }
}

/// One input through the pipeline.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub input: String,
    pub kind: Kind,
    pub stages: Vec<StageRun>,
    /// All stages' instructions per byte of the code as deployed (EVM code, ELF or WASM).
    pub total_per_byte: f64,
}

/// Per stage over every input: instructions and bytes summed, and their quotient.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub stage: Stage,
    pub bytes: u64,
    pub instructions: u64,
    pub per_byte: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub rows: Vec<Row>,
    pub totals: Vec<Total>,
}

/// Runs `stage` on the machine and checks it wrote what the host computed.
fn on_machine(
    drivers: &Drivers,
    input_name: &str,
    stage: Stage,
    input: &[u8],
    want: &[u64],
) -> Result<u64, BenchError> {
    let (program, driver) = match stage {
        Stage::Compile => ("compiler-driver.elf", &drivers.compiler),
        _ => ("deploy-driver.elf", &drivers.deploy),
    };
    let fail = |problem: String| BenchError::Program { program, kernel: stage.name(), problem };
    let run = program::run(driver, &stage_input(stage, input), 2).map_err(|e| fail(format!("{input_name}: {e}")))?;
    for (i, want) in want.iter().enumerate() {
        let got = output_u64(&run.output, 2 * i).map_err(|e| fail(format!("{input_name}: {e}")))?;
        if got != *want {
            return Err(BenchError::Mismatch(vec![format!(
                "{input_name}: {} on the machine wrote {got:#x} as word {i}, the host {want:#x} \
                 (if the pipeline changed since bench/build.sh last ran, run it again)",
                stage.name()
            )]));
        }
    }
    Ok(run.phase(0))
}

/// One input through its stages, from the code as deployed to the compiled code.
fn pipeline(drivers: &Drivers, name: String, kind: Kind, code: &[u8]) -> Result<Row, BenchError> {
    let mut input = code.to_vec();
    let mut runs = Vec::new();
    for &stage in kind.stages() {
        let (out, want) = stage.host(&input).map_err(|e| BenchError::Module(format!("{name}: {e}")))?;
        let instructions = on_machine(drivers, &name, stage, &input, &want)?;
        let bytes = input.len() as u64;
        runs.push(StageRun { stage, bytes, instructions, per_byte: instructions as f64 / bytes.max(1) as f64 });
        input = out;
    }
    let all: u64 = runs.iter().map(|r| r.instructions).sum();
    Ok(Row { input: name, kind, stages: runs, total_per_byte: all as f64 / code.len().max(1) as f64 })
}

/// Every input through the pipeline on the machine.
pub fn run(args: &Args) -> Result<Report, BenchError> {
    let read = |file: &str| {
        let path = args.dir.join(file);
        std::fs::read(&path)
            .map_err(|e| BenchError::Artifact { path: path.display().to_string(), message: e.to_string() })
    };
    let drivers = Drivers { deploy: read("deploy-driver.elf")?, compiler: read("compiler-driver.elf")? };
    let mut inputs: Vec<(String, Kind, Vec<u8>)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let files = crate::evm::input::files(&args.inputs).map_err(BenchError::Usage)?;
    for path in files {
        let case = crate::evm::input::load(&path).map_err(BenchError::Usage)?;
        let Some(to) = case.tx.to else { continue };
        let Some(account) = case.pre.get(&to) else { continue };
        if account.code.is_empty() || !seen.insert(account.code.clone()) {
            continue;
        }
        inputs.push((case.name.clone(), Kind::Evm, account.code.to_vec()));
    }
    inputs.push((crate::native_lift::FILE.to_owned(), Kind::Native, read(crate::native_lift::FILE)?));
    for file in ["kernels.wasm", "standard.wasm"] {
        inputs.push((file.to_owned(), Kind::Wasm, read(file)?));
    }
    let rows = inputs
        .into_iter()
        .map(|(name, kind, code)| pipeline(&drivers, name, kind, &code))
        .collect::<Result<Vec<_>, _>>()?;
    let totals = Stage::ALL
        .iter()
        .map(|&stage| {
            let of = rows.iter().flat_map(|r| &r.stages).filter(|s| s.stage == stage);
            let (bytes, instructions) = of.fold((0, 0), |(b, i), s| (b + s.bytes, i + s.instructions));
            Total { stage, bytes, instructions, per_byte: instructions as f64 / bytes.max(1) as f64 }
        })
        .collect();
    Ok(Report { rows, totals })
}

impl Report {
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from(
            "zkos bench deploy: RV64IM instructions per input byte of each deployment stage, on the machine\n",
        );
        let _ = writeln!(
            out,
            "{:<24} {:<6} {:>8} {:>10} {:>8} {:>8} {:>10} {:>8} {:>9} {:>8}",
            "input", "kind", "bytes", "transpile", "lift", "wasm B", "check", "metered", "compile", "total"
        );
        let cell = |row: &Row, stage: Stage| {
            row.stages.iter().find(|s| s.stage == stage).map_or("-".to_owned(), |s| format!("{:.1}", s.per_byte))
        };
        let bytes_of = |row: &Row, stage: Stage| {
            row.stages.iter().find(|s| s.stage == stage).map_or("-".to_owned(), |s| s.bytes.to_string())
        };
        for row in &self.rows {
            let _ = writeln!(
                out,
                "{:<24} {:<6} {:>8} {:>10} {:>8} {:>8} {:>10} {:>8} {:>9} {:>8.1}",
                row.input,
                row.kind.name(),
                row.stages[0].bytes,
                cell(row, Stage::Transpile),
                cell(row, Stage::Lift),
                bytes_of(row, Stage::Check),
                cell(row, Stage::Check),
                bytes_of(row, Stage::Compile),
                cell(row, Stage::Compile),
                row.total_per_byte
            );
        }
        for t in &self.totals {
            let _ = writeln!(
                out,
                "{:<10} {:>12} instructions over {:>9} bytes: {:>6.1} per byte",
                t.stage.name(),
                t.instructions,
                t.bytes,
                t.per_byte
            );
        }
        out.push_str(
            "per byte: of the stage's input (EVM code, ELF, WASM, metered WASM); total: every stage per byte of the \
             code as deployed; each stage's result on the machine equals the host's (length and digest)\n",
        );
        out
    }
}
