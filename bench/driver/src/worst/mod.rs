//! `zkos bench worst`: the worst-case proving cost of every operation. For each EVM opcode
//! (and variants: warm/cold, sizes), each precompile, each host-function class and WASM
//! instruction class, a contract spends a whole transaction's gas on that one operation in a
//! loop (EEST's zkEVM worst-case benchmarks are the model); the transaction runs on the rv
//! engine and the table gives RV64IM instructions per gas (of execution: the transaction's
//! gas less its 21,000 intrinsic gas).
//!
//! On the rv engine host functions (storage, keccak, precompiles, calls' journal work) run
//! natively and are not in the count: that figure is of contract code only. The kernel-mode
//! figure ([`kernel`]) runs the case's block whole inside the machine, host work, journal,
//! trie and the switches between compiled code and the kernel included, warm (artifacts
//! committed beforehand), per operation (the block's fixed overhead subtracted). The table is
//! sorted by the kernel figure (by the rv one with `--rv-only`), the worst first.
//!
//! Modules: [`evm`] (the EVM and precompile cases), [`wasm`] (the WASM cases), [`kernel`]
//! (the kernel-mode run).

pub mod evm;
pub mod kernel;
pub mod wasm;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, Bytes, B256, U256};

use crate::error::BenchError;

/// The gas of each case's transaction by default.
pub const DEFAULT_GAS: u64 = 1_000_000;
/// The intrinsic gas of a call without data.
const INTRINSIC: u64 = 21_000;
/// The goal: no operation above this many instructions per gas.
pub const GOAL: f64 = 50.0;

/// Flags of `zkos bench worst`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Gas of each case's transaction (21,000 intrinsic included; at most EIP-7825's cap
    /// 16,777,216).
    #[arg(long, default_value_t = DEFAULT_GAS)]
    pub gas: u64,
    /// Run only the cases whose name contains this text (repeatable, case-insensitive).
    #[arg(long = "only")]
    pub only: Vec<String>,
    /// The kernel ELF for the kernel-mode column (`zkos bench worst` passes the one `zkos`
    /// carries; default: target/kernel/zkos-kernel.elf of this checkout, which building `zkos`
    /// or `scripts/build-kernel.sh elf` writes).
    #[arg(long, value_name = "FILE")]
    pub kernel_elf: Option<PathBuf>,
    /// The rv engine's figure only (no kernel-mode runs).
    #[arg(long)]
    pub rv_only: bool,
    /// Run kernel mode only for the cases whose name contains this text (repeatable,
    /// case-insensitive; the others get the rv figure alone): the regression test's subset.
    #[arg(long = "kernel-only", value_name = "TEXT")]
    pub kernel_only: Vec<String>,
}

/// The kernel ELF of this checkout (see [`Args::kernel_elf`]).
const DEFAULT_KERNEL_ELF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kernel/zkos-kernel.elf");

/// One operation's figure.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// The operation.
    pub name: String,
    /// Its kind: `evm`, `precompile`, `wasm`, `host`.
    pub kind: &'static str,
    /// RV64IM instructions executed by the contract's code.
    pub rv_instructions: u64,
    /// Gas of execution (the transaction's less the intrinsic 21,000).
    pub gas: u64,
    /// rvInstructions / gas.
    pub per_gas: f64,
    /// How the transaction ended (`out of gas` is the expected end of the loop).
    pub end: String,
    /// The kernel-mode figure (absent with `--rv-only`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<KernelRow>,
}

/// One operation's kernel-mode figure: the case's block run whole in the kernel, warm, with
/// the case's gas and with a small gas; the operation's cost is the difference.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KernelRow {
    /// Instructions of the whole block with the case's gas.
    pub instructions: u64,
    /// Instructions of the same block with the small gas (the fixed overhead and a few
    /// iterations).
    pub overhead_instructions: u64,
    /// Gas used by the first block's transaction less the second's.
    pub gas: u64,
    /// (instructions - overheadInstructions) / gas.
    pub per_gas: f64,
    /// keccak-f\[1600\] accelerator calls in the first block.
    pub keccak_f1600: u64,
    /// secp256k1 recovery accelerator calls in the first block.
    pub secp256k1_recover: u64,
    /// SHA-256 compression accelerator calls in the first block.
    pub sha256_compress: u64,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The engine (`rv`).
    pub engine: &'static str,
    /// What the kernel-mode figure is (absent with `--rv-only`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<&'static str>,
    /// The fork.
    pub fork: String,
    /// Gas of each transaction.
    pub gas_per_case: u64,
    /// What the count includes.
    pub counts: &'static str,
    /// The goal.
    pub goal: f64,
    /// The rows, worst first.
    pub rows: Vec<Row>,
}

/// What the rv figure counts (the table's header says it too).
const COUNTS: &str = "rv: contract code only (host functions, storage, keccak, precompiles and calls run natively \
                      and are not counted)";

/// What the kernel figure counts.
const KERNEL_COUNTS: &str = "kernel: the whole block inside the RV64IM machine (contract code, host functions, \
                             journal, trie, host-call switches), warm (the contract's artifacts committed \
                             beforehand: no compile cost), per operation: (instructions of the block with the \
                             case's gas - instructions of the same block with a tenth of it) / (gas difference)";

/// The contract under test.
pub const CONTRACT: Address = Address::repeat_byte(0xC7);

fn addr(n: u64) -> Address {
    let mut a = [0u8; 20];
    a[12..].copy_from_slice(&n.to_be_bytes());
    Address::from(a)
}

/// A case ready to run: its deployed code (EVM code or an envelope's stored form is what
/// the platform stores; WASM cases give an envelope, deployed by a creation first).
pub enum Code {
    /// EVM code placed in the pre-state.
    Evm(Vec<u8>),
    /// A WASM envelope, deployed by a transaction, then called.
    Envelope(Vec<u8>),
}

/// A case of any kind.
pub struct Case {
    /// The row's name.
    pub name: String,
    /// The row's kind.
    pub kind: &'static str,
    /// The contract.
    pub code: Code,
}

/// Every case.
pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    for c in evm::cases() {
        all.push(Case { name: c.name, kind: "evm", code: Code::Evm(c.code) });
    }
    for c in evm::precompiles() {
        all.push(Case { name: c.name, kind: "precompile", code: Code::Evm(c.code) });
    }
    all.extend(wasm::cases());
    all
}

/// The sender: [`kernel::SECRET`]'s account.
fn sender() -> Address {
    wasm_runtime::tx::secret_key_address(&kernel::SECRET).unwrap_or_default()
}

fn pre_state() -> MemoryDb {
    let mut db = MemoryDb::default();
    let ether = U256::from(10u64).pow(U256::from(18));
    db.insert(sender(), AccountInfo::with_balance(ether * U256::from(1000u64), 0), BTreeMap::new());
    db.insert(addr(evm::FUNDED_EOA), AccountInfo::with_balance(ether, 0), BTreeMap::new());
    let mut stop = AccountInfo::with_balance(U256::ZERO, 1);
    stop.set_code(Bytes::from_static(&[0x00]));
    db.insert(addr(evm::STOP_CONTRACT), stop, BTreeMap::new());
    db
}

fn block() -> BlockEnv {
    BlockEnv {
        number: 300,
        timestamp: 1_800_000_000,
        coinbase: Address::repeat_byte(0xC0),
        gas_limit: 36_000_000,
        base_fee: U256::from(7u64),
        chain_id: 1,
        block_hashes: vec![(0, B256::repeat_byte(0x0b))],
        fork: Fork::Osaka,
        ..BlockEnv::default()
    }
}

fn tx(nonce: u64, to: Option<Address>, data: Vec<u8>, gas: u64) -> TxEnv {
    TxEnv {
        tx_type: 2,
        caller: sender(),
        nonce,
        gas_limit: gas,
        max_fee_per_gas: U256::from(10u64),
        max_priority_fee_per_gas: U256::from(1u64),
        to,
        value: U256::ZERO,
        data: Bytes::from(data),
        hash: B256::with_last_byte(nonce as u8 + 1),
        ..TxEnv::default()
    }
}

/// Runs one case on the rv engine and, given the kernel, in kernel mode.
pub fn measure(case: &Case, gas: u64, kernel: Option<&kernel::Kernel>) -> Result<Row, BenchError> {
    let fail = |m: String| BenchError::Usage(format!("worst case `{}`: {m}", case.name));
    let mut db = pre_state();
    let block = block();
    let mut nonce = 0;
    let target = match &case.code {
        Code::Evm(code) => {
            let mut info = AccountInfo::with_balance(U256::from(10u64).pow(U256::from(18)), 1);
            info.set_code(Bytes::copy_from_slice(code));
            db.insert(CONTRACT, info, BTreeMap::new());
            CONTRACT
        }
        Code::Envelope(env) => {
            let out = wasm_runtime::exec::execute_block_with(
                &mut db.clone(),
                &block,
                vec![Ok(tx(0, None, env.clone(), 10_000_000))],
                EngineKind::Wasmi,
            );
            let r = out.receipts.first().ok_or_else(|| fail(format!("deployment rejected: {:?}", out.rejected)))?;
            if !r.success {
                return Err(fail(format!("deployment failed: {:?}", r.error)));
            }
            let created = r.contract_address.ok_or_else(|| fail("deployment created nothing".into()))?;
            db.apply(&out.diff);
            nonce = 1;
            created
        }
    };
    // The same signed transaction on both: the kernel takes signed transactions only.
    let call = kernel::signed_call(&block, nonce, target, gas).map_err(fail)?;
    let call_tx = call.tx.clone().map_err(|e| fail(format!("the call: {e}")))?;
    let out = wasm_runtime::exec::execute_block_with(&mut db.clone(), &block, vec![Ok(call_tx)], EngineKind::Rv);
    if let Some(e) = &out.error {
        return Err(fail(format!("the block failed: {e}")));
    }
    let r = out.receipts.first().ok_or_else(|| fail(format!("rejected: {:?}", out.rejected)))?;
    let end = match &r.error {
        None => "success".to_string(),
        Some(e) => e.to_string(),
    };
    let used = r.gas_used.saturating_sub(INTRINSIC).max(1);
    let rv = out.stats.rv_instructions;
    let kernel = match kernel {
        None => None,
        Some(k) => {
            let f = kernel::measure(k, &db, &block, nonce, target, gas, INTRINSIC, r.gas_used)
                .map_err(|e| fail(format!("kernel mode: {e}")))?;
            Some(KernelRow {
                instructions: f.full.instructions,
                overhead_instructions: f.small.instructions,
                gas: f.full_gas.saturating_sub(f.small_gas),
                per_gas: f.per_gas(),
                keccak_f1600: f.full.accelerators.keccak_f1600,
                secp256k1_recover: f.full.accelerators.secp256k1_recover,
                sha256_compress: f.full.accelerators.sha256_compress,
            })
        }
    };
    Ok(Row {
        name: case.name.clone(),
        kind: case.kind,
        rv_instructions: rv,
        gas: used,
        per_gas: rv as f64 / used as f64,
        end,
        kernel,
    })
}

impl Row {
    /// The figure the table sorts by: the kernel's when measured, else the rv engine's.
    pub fn sort_key(&self) -> f64 {
        self.kernel.as_ref().map_or(self.per_gas, |k| k.per_gas)
    }
}

/// Runs the cases `args` selects, worst first.
pub fn run(args: &Args) -> Result<Report, BenchError> {
    if !(INTRINSIC + 1000..=16_777_216).contains(&args.gas) {
        return Err(BenchError::Usage(format!("--gas {}: expected 22,000 to 16,777,216 (EIP-7825's cap)", args.gas)));
    }
    let only: Vec<String> = args.only.iter().map(|s| s.to_lowercase()).collect();
    let selected: Vec<Case> = cases()
        .into_iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| c.name.to_lowercase().contains(o)))
        .collect();
    if selected.is_empty() {
        return Err(BenchError::Usage(format!("no case matches --only {}", args.only.join(", "))));
    }
    let kernel = if args.rv_only {
        None
    } else {
        let path = args.kernel_elf.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_KERNEL_ELF));
        Some(kernel::Kernel::load(&path).map_err(|e| {
            BenchError::Usage(format!(
                "{e} (build `zkos` or run scripts/build-kernel.sh elf; --rv-only skips kernel mode)"
            ))
        })?)
    };
    let kernel_only: Vec<String> = args.kernel_only.iter().map(|s| s.to_lowercase()).collect();
    let mut rows = Vec::new();
    for case in &selected {
        let start = Instant::now();
        let in_kernel = kernel_only.is_empty() || kernel_only.iter().any(|o| case.name.to_lowercase().contains(o));
        let row = measure(case, args.gas, kernel.as_ref().filter(|_| in_kernel))?;
        if std::env::var_os("ZKOS_BENCH_VERBOSE").is_some() {
            eprintln!(
                "{:<44} {:>10.2} {:>10.2} ({:.2}s, {})",
                row.name,
                row.per_gas,
                row.kernel.as_ref().map_or(f64::NAN, |k| k.per_gas),
                start.elapsed().as_secs_f64(),
                row.end
            );
        }
        rows.push(row);
    }
    rows.sort_by(|a, b| b.sort_key().total_cmp(&a.sort_key()).then_with(|| a.name.cmp(&b.name)));
    Ok(Report {
        engine: EngineKind::Rv.name(),
        kernel: kernel.is_some().then_some(KERNEL_COUNTS),
        fork: format!("{:?}", Fork::Osaka),
        gas_per_case: args.gas,
        counts: COUNTS,
        goal: GOAL,
        rows,
    })
}

impl Report {
    /// The table.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Worst-case proving cost: RV64IM instructions per gas, one operation per transaction \
             ({} gas, {}, {} engine{})",
            self.gas_per_case,
            self.fork,
            self.engine,
            if self.kernel.is_some() { " and kernel mode" } else { "" }
        );
        let _ = writeln!(out, "Counts: {}.", self.counts);
        if let Some(k) = self.kernel {
            let _ = writeln!(out, "Counts: {k}.");
        }
        let _ = writeln!(
            out,
            "{:<48} {:<10} {:>14} {:>10} {:>10} {:>11}  end",
            "operation", "kind", "rv instr", "gas", "rv/gas", "kernel/gas"
        );
        let over = |r: &Row| r.sort_key() > self.goal;
        for r in &self.rows {
            let mark = if over(r) { " !" } else { "" };
            let kernel = r.kernel.as_ref().map_or("-".to_string(), |k| format!("{:.2}", k.per_gas));
            let _ = writeln!(
                out,
                "{:<48} {:<10} {:>14} {:>10} {:>10.2} {:>11}{mark}  {}",
                r.name, r.kind, r.rv_instructions, r.gas, r.per_gas, kernel, r.end
            );
        }
        let count = self.rows.iter().filter(|r| over(r)).count();
        let _ = writeln!(
            out,
            "{count} of {} operations above the goal of {} instructions per gas{} (marked !).",
            self.rows.len(),
            self.goal,
            if self.kernel.is_some() { " in kernel mode" } else { "" }
        );
        out
    }
}
