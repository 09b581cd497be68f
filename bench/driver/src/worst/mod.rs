//! `zkos bench worst`: the worst-case proving cost of every operation. For each EVM opcode
//! (and variants: warm/cold, sizes), each precompile, each host-function class and WASM
//! instruction class, a contract spends a whole transaction's gas on that one operation in a
//! loop (EEST's zkEVM worst-case benchmarks are the model); the transaction runs on the rv
//! engine and the table gives RV64IM instructions per gas (of execution: the transaction's
//! gas less its 21,000 intrinsic gas), sorted, the worst first.
//!
//! Host functions (storage, keccak, precompiles, calls' journal work) run natively today and
//! are not in the count: the figures are of contract code only, until the kernel mode counts
//! the host's work too.
//!
//! Modules: [`evm`] (the EVM and precompile cases), [`wasm`] (the WASM cases).

pub mod evm;
pub mod wasm;

use std::collections::BTreeMap;
use std::fmt::Write as _;
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
}

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
}

/// The report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The engine (`rv`).
    pub engine: &'static str,
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

/// What the counts include (the table's header says it too).
const COUNTS: &str = "contract code only: host functions (storage, keccak, precompiles, calls) run natively \
                      and are not counted until kernel mode";

/// The contract under test.
pub const CONTRACT: Address = Address::repeat_byte(0xC7);
/// The sender.
const SENDER: Address = Address::repeat_byte(0xA1);

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

fn pre_state() -> MemoryDb {
    let mut db = MemoryDb::default();
    let ether = U256::from(10u64).pow(U256::from(18));
    db.insert(SENDER, AccountInfo::with_balance(ether * U256::from(1000u64), 0), BTreeMap::new());
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
        caller: SENDER,
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

/// Runs one case on the rv engine.
pub fn measure(case: &Case, gas: u64) -> Result<Row, BenchError> {
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
    let out = wasm_runtime::exec::execute_block_with(
        &mut db,
        &block,
        vec![Ok(tx(nonce, Some(target), Vec::new(), gas))],
        EngineKind::Rv,
    );
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
    Ok(Row {
        name: case.name.clone(),
        kind: case.kind,
        rv_instructions: rv,
        gas: used,
        per_gas: rv as f64 / used as f64,
        end,
    })
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
    let mut rows = Vec::new();
    for case in &selected {
        let start = Instant::now();
        let row = measure(case, args.gas)?;
        if std::env::var_os("ZKOS_BENCH_VERBOSE").is_some() {
            eprintln!("{:<44} {:>10.2} ({:.2}s, {})", row.name, row.per_gas, start.elapsed().as_secs_f64(), row.end);
        }
        rows.push(row);
    }
    rows.sort_by(|a, b| b.per_gas.total_cmp(&a.per_gas).then_with(|| a.name.cmp(&b.name)));
    Ok(Report {
        engine: EngineKind::Rv.name(),
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
             ({} gas, {}, {} engine)",
            self.gas_per_case, self.fork, self.engine
        );
        let _ = writeln!(out, "Counts: {}.", self.counts);
        let _ = writeln!(
            out,
            "{:<48} {:<10} {:>14} {:>10} {:>10}  end",
            "operation", "kind", "rv instr", "gas", "instr/gas"
        );
        for r in &self.rows {
            let mark = if r.per_gas > self.goal { " !" } else { "" };
            let _ = writeln!(
                out,
                "{:<48} {:<10} {:>14} {:>10} {:>10.2}{mark}  {}",
                r.name, r.kind, r.rv_instructions, r.gas, r.per_gas, r.end
            );
        }
        let over = self.rows.iter().filter(|r| r.per_gas > self.goal).count();
        let _ = writeln!(
            out,
            "{over} of {} operations above the goal of {} instructions per gas (marked !).",
            self.rows.len(),
            self.goal
        );
        out
    }
}
