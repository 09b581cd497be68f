//! Kernel mode (DESIGN.md §2, docs/kernel.md): a whole block run statelessly by the kernel
//! program inside the RV64IM machine.
//!
//! - [`ELF`]: the kernel, built by `scripts/build-kernel.sh` (node/build.rs) and carried
//!   in the binary;
//! - [`input_for`]: the kernel's input for a block over a pre-state (the block and a minimal
//!   witness, [`KernelInput::for_block`]);
//! - [`run`]: the kernel on the machine, its [`PublicOutput`] and figures (instructions,
//!   accelerator calls, misaligned accesses); a failed run is an error with the kernel's
//!   reason and never an output;
//! - [`check`]: the kernel's record against host mode's;
//! - `zkos kernel elf -o FILE`, `zkos kernel input BLOCK.json -o FILE`, `zkos kernel run
//!   INPUT` ([`main`]);
//! - [`bench`]: `zkos bench kernel`, the figures table; [`resign`]: blocks whose
//!   transactions name a sender re-signed with a known key.

pub mod bench;
pub mod resign;

use std::path::PathBuf;

use serde_json::{json, Value};

use rv_machine::kernel::{run_kernel, KernelImage, KernelOptions};
use rv_machine::AlignMode;
use wasm_runtime::block::Block;
use wasm_runtime::platform::MemoryDb;
use wasm_runtime::stateless::{CommittedArtifacts, KernelInput, PublicOutput};

use crate::error::{Error, Result};
use crate::transition::Outcome;

/// The kernel ELF (`target/kernel/zkos-kernel.elf` when `zkos` was built).
pub const ELF: &[u8] = include_bytes!(env!("ZKOS_KERNEL_ELF"));

/// The most instructions a kernel run may execute (a bound on time: about ten minutes).
pub const BUDGET: u64 = 200_000_000_000;

/// `zkos kernel`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `zkos kernel`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Writes the kernel ELF (RV64IM; loads under SP1 v6 too).
    Elf {
        /// The file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Writes the kernel's input for a block (the block and its witness), for an external
    /// prover.
    Input {
        /// The block, as `zkos run` takes it ({alloc, env, txs} or {pre, env, transaction}).
        block: PathBuf,
        /// The file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The chain id transactions are checked against.
        #[arg(long, default_value_t = 1)]
        chain_id: u64,
        /// The fork rules.
        #[arg(long, default_value = "Osaka")]
        fork: String,
    },
    /// Runs the kernel on an input file (as `zkos kernel input` writes it) and prints its
    /// public output and figures as JSON; a failed run prints its reason and no output.
    Run {
        /// The kernel input.
        input: PathBuf,
    },
}

/// Runs `zkos kernel`.
pub fn main(args: &Args) -> Result<()> {
    match &args.command {
        Command::Elf { output } => write(output, ELF),
        Command::Input { block, output, chain_id, fork } => {
            let name = block.display().to_string();
            let text =
                std::fs::read_to_string(block).map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
            let chain = crate::run::Chain { id: *chain_id, fork: crate::t8n::check_fork(fork)? };
            let (pre, env, txs) = crate::run::read_block(&name, &text, chain)?;
            let input = input_for(&pre, &crate::transition::block(&pre, &env, &txs))?;
            write(output, &input.encode())
        }
        Command::Run { input } => {
            let bytes = std::fs::read(input)
                .map_err(|e| Error::Io { path: input.display().to_string(), message: e.to_string() })?;
            let (output, figures) = run(bytes)?;
            let b = |h: &wasm_runtime::primitives::B256| h.to_string();
            let doc = json!({
                "output": {
                    "preStateRoot": b(&output.pre_state_root),
                    "postStateRoot": b(&output.post_state_root),
                    "preArtifactRoot": b(&output.pre_artifact_root),
                    "postArtifactRoot": b(&output.post_artifact_root),
                    "receiptsRoot": b(&output.receipts_root),
                    "logsHash": b(&output.logs_hash),
                    "gasUsed": output.gas_used,
                    "txCount": output.tx_count,
                    "pubdataHash": b(&output.pubdata_hash),
                    "encoded": crate::json::hex_bytes(output.encode()),
                },
                "kernel": figures.to_json(output.gas_used),
            });
            println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| Error::Exec(e.to_string()))?);
            Ok(())
        }
    }
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
}

/// The kernel's input for `block` over `pre` (no artifacts committed yet: a cold block).
pub fn input_for(pre: &MemoryDb, block: &Block) -> Result<KernelInput> {
    KernelInput::for_block(pre, &CommittedArtifacts::default(), block)
        .map_err(|e| Error::Exec(format!("the kernel input cannot be built: {e}")))
}

/// The kernel's input for `block` over `pre` with the artifacts of every contract the block
/// runs already committed (as if an earlier block had deployed them): a warm block, whose
/// kernel takes those artifacts from the witness instead of transpiling and metering again.
pub fn warm_input_for(pre: &MemoryDb, block: &Block) -> Result<KernelInput> {
    let cold = wasm_runtime::stateless::host_record(
        pre,
        &CommittedArtifacts::default(),
        block,
        wasm_runtime::engine::EngineKind::Wasmi,
    )
    .map_err(|e| Error::Exec(format!("the kernel input cannot be built: {e}")))?;
    KernelInput::for_block(pre, &cold.post_artifacts, block)
        .map_err(|e| Error::Exec(format!("the kernel input cannot be built: {e}")))
}

/// What a kernel run cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    /// RV64IM instructions the machine executed (the whole block's proving cost).
    pub instructions: u64,
    /// Accelerator calls by kind.
    pub accelerators: rv_machine::kernel::Accelerators,
    /// Misaligned loads and stores the kernel made.
    pub misaligned: u64,
    /// Instructions by phase, from the kernel's markers: `input` (reading and decoding the
    /// input), `block` (`run_stateless`: witness checks, sender recovery, deployment,
    /// contract code, system layer, roots), `output` (writing the record and halting).
    pub breakdown: Vec<(&'static str, u64)>,
    /// The `block` phase split by the system layer's own phases: sender recovery, witness
    /// (hashing its nodes and codes), artifacts (checking the given ones), execution (contract
    /// code, deployment and the system layer, with the state reads proven as they happen),
    /// state root (committing the diff to the partial tries and the block's commitments),
    /// artifact root.
    pub block_phases: Vec<(&'static str, u64)>,
}

/// The phases of [`Figures::breakdown`] from the markers the kernel makes (phase 1 after
/// decoding the input, 2 after the block); empty if they are not both there, in order.
fn breakdown(marks: &[(u64, u64)], total: u64) -> Vec<(&'static str, u64)> {
    let outer: Vec<(u64, u64)> = marks.iter().copied().filter(|(p, _)| *p < BLOCK_PHASE_BASE).collect();
    match outer[..] {
        [(1, decoded), (2, done)] if decoded <= done && done <= total => {
            vec![("input", decoded), ("block", done - decoded), ("output", total - done)]
        }
        _ => Vec::new(),
    }
}

/// The kernel's markers inside the block: this plus `wasm_runtime::stateless::Phase`.
const BLOCK_PHASE_BASE: u64 = 10;

/// The split of the `block` phase from the markers `run_stateless_marked` makes at the start
/// of each of its phases (the last, `done`, ends the one before); empty if they are missing
/// or out of order.
fn block_phases(marks: &[(u64, u64)]) -> Vec<(&'static str, u64)> {
    use wasm_runtime::stateless::Phase;
    let name = |p: u64| {
        [
            (Phase::SenderRecovery, "senderRecovery"),
            (Phase::Witness, "witness"),
            (Phase::Artifacts, "artifacts"),
            (Phase::Execution, "execution"),
            (Phase::StateRoot, "stateRoot"),
            (Phase::ArtifactRoot, "artifactRoot"),
        ]
        .into_iter()
        .find(|(phase, _)| BLOCK_PHASE_BASE + *phase as u64 == p)
        .map(|(_, n)| n)
    };
    let inner: Vec<(u64, u64)> = marks.iter().copied().filter(|(p, _)| *p > BLOCK_PHASE_BASE).collect();
    let mut out = Vec::new();
    for pair in inner.windows(2) {
        let ((p, start), (_, end)) = (pair[0], pair[1]);
        match name(p) {
            Some(n) if start <= end => out.push((n, end - start)),
            _ => return Vec::new(),
        }
    }
    let done = BLOCK_PHASE_BASE + wasm_runtime::stateless::Phase::Done as u64;
    if inner.last().map(|(p, _)| *p) != Some(done) {
        return Vec::new();
    }
    out
}

impl Figures {
    /// The `"kernel"` object of t8n's result.json and `zkos run --json`.
    pub fn to_json(&self, gas_used: u64) -> Value {
        let accelerators: serde_json::Map<String, Value> =
            self.accelerators.by_kind().iter().map(|(k, n)| (k.to_string(), json!(n))).collect();
        json!({
            "instructions": self.instructions,
            "accelerators": accelerators,
            "misalignedAccesses": self.misaligned,
            "instructionsPerGas": (gas_used > 0).then(|| self.instructions as f64 / gas_used as f64),
            "breakdown": self.breakdown.iter().map(|(k, n)| (k.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "blockPhases": self.block_phases.iter().map(|(k, n)| (k.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        })
    }
}

/// Runs the kernel on the encoded `input`: its public output and figures, or why it failed
/// (the kernel's own reason when it gave one).
pub fn run(input: Vec<u8>) -> Result<(PublicOutput, Figures)> {
    let opts = KernelOptions { budget: BUDGET, align: AlignMode::Count, ..KernelOptions::default() };
    thread_local! {
        // Parsed and predecoded once per thread (most of a small block's time otherwise).
        static IMAGE: std::result::Result<KernelImage, rv_machine::Error> = KernelImage::new(ELF);
    }
    let run = IMAGE.with(|image| match image {
        Ok(image) => run_kernel(image, input, &opts),
        Err(e) => Err(*e),
    });
    let run = run.map_err(|e| Error::Exec(format!("the kernel ELF does not load: {e}")))?;
    let figures = Figures {
        instructions: run.instructions,
        accelerators: run.accelerators,
        misaligned: run.misaligned,
        breakdown: breakdown(&run.marks, run.instructions),
        block_phases: block_phases(&run.marks),
    };
    match run.result {
        Ok(bytes) => {
            let output = PublicOutput::decode(&bytes)
                .map_err(|e| Error::Exec(format!("the kernel's output is no public output: {e}")))?;
            Ok((output, figures))
        }
        Err(failure) => {
            let why = if run.log.is_empty() { String::new() } else { format!(": {}", run.log.trim_end()) };
            Err(Error::Exec(format!("kernel run failed after {} instructions ({failure}){why}", run.instructions)))
        }
    }
}

/// Checks the kernel's record against host mode's outcome of the same block: state root,
/// receipts root, logs hash, gas used and transaction count must be identical.
pub fn check(kernel: &PublicOutput, host: &Outcome, pre_state_root: wasm_runtime::primitives::B256) -> Result<()> {
    let pairs = [
        ("pre-state root", kernel.pre_state_root.to_string(), pre_state_root.to_string()),
        ("post-state root", kernel.post_state_root.to_string(), host.state_root.to_string()),
        ("receipts root", kernel.receipts_root.to_string(), host.receipts_root.to_string()),
        ("logs hash", kernel.logs_hash.to_string(), host.logs_hash.to_string()),
        ("gas used", kernel.gas_used.to_string(), host.output.gas_used.to_string()),
        ("transaction count", kernel.tx_count.to_string(), host.output.receipts.len().to_string()),
    ];
    for (what, k, h) in pairs {
        if k != h {
            return Err(Error::Exec(format!("kernel and host mode disagree on the {what}: kernel {k}, host {h}")));
        }
    }
    Ok(())
}
