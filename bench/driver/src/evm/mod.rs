//! `zkos bench evm`: every EVM benchmark input (`../shared/bench/evm/*.json`) executed by zkos
//! (the rv engine: the contract's EVM code transpiled to WASM, compiled to RV64IM, run on the
//! machine) and by revm built for RV64IM and run on the same machine (`bench/revm-driver`),
//! with RV64IM instructions, instructions per gas and the ratio revm / zkos per input, and
//! geometric means over the compute-heavy inputs.
//!
//! Both sides execute the same transaction on the same pre-state and must agree on status,
//! gas used and the hash of the output; any disagreement fails the command.
//!
//! What each count includes ([`ACCOUNTING`]):
//! - **zkos**: contract code only (as `zkos run --engine rv` counts it): host functions
//!   (storage, keccak, logs, calls, precompiles) run natively and are not counted;
//! - **revm**: everything `transact` executes: validation, the interpreter, the journal,
//!   the in-memory database, keccak, precompiles, building the result state;
//! - **revm interp**: revm less its host work: the instructions inside the brackets the
//!   program puts around every keccak256, database read, journal operation and precompile
//!   run. What is left is the interpreter loop and instructions, call-frame set-up and the
//!   handler's transaction steps outside the journal.
//!
//! Modules: [`input`] (the input files), [`zkos`] and [`revm`] (the two sides).

pub mod input;
pub mod revm;
pub mod zkos;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::BenchError;
use crate::report::{geomean, ratio};

/// The compute-heavy inputs (file names without `.json`) the geometric means and the goals
/// are over.
pub const COMPUTE_HEAVY: [&str; 7] = [
    "snailtracer",
    "factorial",
    "fibonacci-calldata",
    "burntpix",
    "curve-stableswap-2pool",
    "onchain-lm-v2",
    "hash_10k",
];

/// Issue 16's goals: revm at least this many times zkos's instructions on each compute-heavy
/// input, and zkos at most [`GOAL_PER_GAS`] instructions per gas (geometric mean).
pub const GOAL_RATIO: f64 = 5.0;
/// See [`GOAL_RATIO`].
pub const GOAL_PER_GAS: f64 = 3.0;

/// What the columns count (the table's footer and the JSON say it).
pub const ACCOUNTING: &str = "gas: gas used by the transaction (intrinsic included). zkos: RV64IM instructions of \
     contract code on the rv engine (as zkos run --engine rv counts them); host functions (storage, keccak, logs, \
     calls, precompiles) run natively and are not counted. revm: RV64IM instructions of revm's whole transact on \
     the same machine (validation, interpreter, journal, in-memory database, keccak, precompiles, result state). \
     revm interp: revm less the instructions inside the host brackets around every keccak256, database read, \
     journal operation (storage, accounts, code, logs, transfers, checkpoints) and precompile; the brackets' own \
     marker instructions (a few per host call) stay in both revm columns.";

/// The default folder of the inputs: `shared/bench/evm` beside the repository.
pub const DEFAULT_INPUTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench/evm");

/// Flags of `zkos bench evm`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// The directory bench/build.sh wrote (revm-driver.elf).
    #[arg(long, default_value = crate::artifacts::DEFAULT_DIR)]
    pub dir: PathBuf,
    /// The folder of the EVM benchmark inputs (*.json).
    #[arg(long, default_value = DEFAULT_INPUTS)]
    pub inputs: PathBuf,
    /// Run only this input (file name without .json; repeatable).
    #[arg(long = "only")]
    pub only: Vec<String>,
}

/// One input's figures.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// The input (file name without `.json`).
    pub input: String,
    /// The fork both sides ran it under.
    pub fork: &'static str,
    /// `success` or `failure` (both sides agree).
    pub status: &'static str,
    /// Gas used by the transaction (both sides agree).
    pub gas: u64,
    /// zkos: RV64IM instructions of contract code.
    pub zkos: u64,
    /// revm in the machine: instructions of `transact`.
    pub revm: u64,
    /// Of those, inside host brackets.
    pub revm_host: u64,
    /// revm less its host work.
    pub revm_interp: u64,
    /// Host brackets entered during `transact`.
    pub revm_host_calls: u64,
    /// revm's instructions before `transact` (input, database, code analysis): not compared.
    pub revm_setup: u64,
    pub zkos_per_gas: f64,
    pub revm_per_gas: f64,
    pub revm_interp_per_gas: f64,
    /// revm / zkos.
    pub ratio: f64,
    /// revm interp / zkos.
    pub interp_ratio: f64,
    /// In the compute-heavy set.
    pub compute_heavy: bool,
}

/// Geometric means over the compute-heavy rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Means {
    /// How many rows they are over.
    pub inputs: usize,
    pub zkos_per_gas: Option<f64>,
    pub revm_per_gas: Option<f64>,
    pub revm_interp_per_gas: Option<f64>,
    pub ratio: Option<f64>,
    pub interp_ratio: Option<f64>,
}

/// Whether the goals hold on the compute-heavy rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Goals {
    /// revm / zkos ≥ 5 on every compute-heavy input.
    pub ratio_at_least_5_each: bool,
    /// The same with revm interp / zkos.
    pub interp_ratio_at_least_5_each: bool,
    /// zkos instructions per gas ≤ 3 (geometric mean).
    pub zkos_per_gas_at_most_3: bool,
}

/// The report of `zkos bench evm`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The inputs' folder.
    pub inputs: String,
    /// What each column counts.
    pub accounting: &'static str,
    pub rows: Vec<Row>,
    /// Over the compute-heavy inputs.
    pub geomean: Means,
    pub goals: Goals,
}

fn elf(dir: &Path) -> Result<Vec<u8>, BenchError> {
    let path = dir.join("revm-driver.elf");
    std::fs::read(&path).map_err(|e| BenchError::Artifact { path: path.display().to_string(), message: e.to_string() })
}

/// Runs every selected input on both sides and checks they agree.
pub fn run(args: &Args) -> Result<Report, BenchError> {
    let elf = elf(&args.dir)?;
    let mut files = input::files(&args.inputs).map_err(|e| BenchError::Usage(format!("the EVM inputs: {e}")))?;
    if !args.only.is_empty() {
        let stem = |p: &PathBuf| p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        for name in &args.only {
            if !files.iter().any(|f| &stem(f) == name) {
                return Err(BenchError::Usage(format!("--only {name}: no {name}.json in {}", args.inputs.display())));
            }
        }
        files.retain(|f| args.only.contains(&stem(f)));
    }
    if files.is_empty() {
        return Err(BenchError::Usage(format!("no EVM inputs (*.json) in {}", args.inputs.display())));
    }
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    for file in &files {
        let case = input::load(file).map_err(|e| BenchError::Usage(format!("EVM input {e}")))?;
        let fail = |program: &'static str, problem: String| BenchError::Program {
            program,
            kernel: "an EVM input",
            problem: format!("{}: {problem}", case.name),
        };
        let z = zkos::run(&case).map_err(|e| fail("zkos (rv engine)", e))?;
        let r = revm::run(&elf, &case).map_err(|e| fail("revm-driver.elf", e))?;
        let name = &case.name;
        if z.status != r.status {
            mismatches.push(format!("{name}: status {} on zkos, {} ({}) on revm", z.status, r.status, r.detail));
        }
        if z.gas_used != r.gas_used {
            mismatches.push(format!("{name}: gas used {} on zkos, {} on revm", z.gas_used, r.gas_used));
        }
        if z.output_hash != r.output_hash {
            mismatches.push(format!("{name}: output hash {} on zkos, {} on revm", z.output_hash, r.output_hash));
        }
        let interp = r.transact - r.host;
        let gas = z.gas_used;
        rows.push(Row {
            input: case.name.clone(),
            fork: if case.osaka { "Osaka" } else { "Prague" },
            status: z.status,
            gas,
            zkos: z.instructions,
            revm: r.transact,
            revm_host: r.host,
            revm_interp: interp,
            revm_host_calls: r.host_calls,
            revm_setup: r.setup,
            zkos_per_gas: ratio(z.instructions, gas),
            revm_per_gas: ratio(r.transact, gas),
            revm_interp_per_gas: ratio(interp, gas),
            ratio: ratio(r.transact, z.instructions),
            interp_ratio: ratio(interp, z.instructions),
            compute_heavy: COMPUTE_HEAVY.contains(&case.name.as_str()),
        });
    }
    if !mismatches.is_empty() {
        return Err(BenchError::Mismatch(mismatches));
    }
    let heavy: Vec<&Row> = rows.iter().filter(|r| r.compute_heavy).collect();
    let mean = |f: fn(&Row) -> f64| geomean(heavy.iter().map(|r| f(r)));
    let geomean = Means {
        inputs: heavy.len(),
        zkos_per_gas: mean(|r| r.zkos_per_gas),
        revm_per_gas: mean(|r| r.revm_per_gas),
        revm_interp_per_gas: mean(|r| r.revm_interp_per_gas),
        ratio: mean(|r| r.ratio),
        interp_ratio: mean(|r| r.interp_ratio),
    };
    let goals = Goals {
        ratio_at_least_5_each: !heavy.is_empty() && heavy.iter().all(|r| r.ratio >= GOAL_RATIO),
        interp_ratio_at_least_5_each: !heavy.is_empty() && heavy.iter().all(|r| r.interp_ratio >= GOAL_RATIO),
        zkos_per_gas_at_most_3: geomean.zkos_per_gas.is_some_and(|g| g <= GOAL_PER_GAS),
    };
    // The default folder is named as the repository names it, not by this machine's path.
    let inputs = if args.inputs == Path::new(DEFAULT_INPUTS) {
        "../shared/bench/evm".to_string()
    } else {
        args.inputs.display().to_string()
    };
    Ok(Report { inputs, accounting: ACCOUNTING, rows, geomean, goals })
}

/// `x` with thousands separators.
fn grouped(x: u64) -> String {
    let digits = x.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn opt(x: Option<f64>, width: usize, precision: usize) -> String {
    x.map_or_else(|| format!("{:>width$}", "-"), |v| format!("{v:>width$.precision$}"))
}

impl Report {
    /// The table.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "zkos bench evm: {} inputs from {}, RV64IM instructions on the same machine (* = compute-heavy)",
            self.rows.len(),
            self.inputs
        );
        let _ = writeln!(
            out,
            "{:<25} {:<6} {:>12} {:>15} {:>8} {:>16} {:>8} {:>16} {:>8} {:>9} {:>9}",
            "input",
            "fork",
            "gas",
            "zkos",
            "zkos/gas",
            "revm",
            "revm/gas",
            "revm interp",
            "int/gas",
            "revm/zkos",
            "int/zkos"
        );
        for r in &self.rows {
            let name = format!("{}{}", r.input, if r.compute_heavy { " *" } else { "" });
            let _ = writeln!(
                out,
                "{:<25} {:<6} {:>12} {:>15} {:>8.2} {:>16} {:>8.2} {:>16} {:>8.2} {:>9.2} {:>9.2}",
                name,
                r.fork,
                grouped(r.gas),
                grouped(r.zkos),
                r.zkos_per_gas,
                grouped(r.revm),
                r.revm_per_gas,
                grouped(r.revm_interp),
                r.revm_interp_per_gas,
                r.ratio,
                r.interp_ratio
            );
        }
        let g = &self.geomean;
        let _ = writeln!(
            out,
            "{:<25} {:<6} {:>12} {:>15} {} {:>16} {} {:>16} {} {} {}",
            format!("geomean ({} *)", g.inputs),
            "",
            "",
            "",
            opt(g.zkos_per_gas, 8, 2),
            "",
            opt(g.revm_per_gas, 8, 2),
            "",
            opt(g.revm_interp_per_gas, 8, 2),
            opt(g.ratio, 9, 2),
            opt(g.interp_ratio, 9, 2)
        );
        let yes = |b: bool| if b { "met" } else { "NOT met" };
        let _ = writeln!(
            out,
            "goals (compute-heavy inputs): revm/zkos >= {GOAL_RATIO} on each: {}; revm interp/zkos >= {GOAL_RATIO} on each: {}; \
             zkos <= {GOAL_PER_GAS} instructions per gas (geomean): {}",
            yes(self.goals.ratio_at_least_5_each),
            yes(self.goals.interp_ratio_at_least_5_each),
            yes(self.goals.zkos_per_gas_at_most_3)
        );
        let _ = writeln!(out, "both sides agree on every input's status, gas used and output hash");
        let _ = writeln!(out, "accounting: {}", self.accounting);
        out
    }
}
