//! `zkos run`: runs a block given in one JSON file and prints what happened.
//!
//! The file is `{ "alloc": …, "env": …, "txs": [...] }` (t8n's three inputs in one), or the
//! benchmark form `{ "env": …, "pre": …, "transaction": [...] }`, possibly wrapped in an
//! object with one named entry. Transactions are signed, carry a `secretKey`, or name their
//! `sender` explicitly. Without a file, the example block shipped with zkos runs.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::input::{self, Unsigned};
use crate::json::{hex_bytes, join, optional, Reader};
use crate::statediff::{self, AccountChange};
use crate::{t8n, transition};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::primitives::{Address, B256};

/// The example block: plain transfers, embedded in the binary.
pub const EXAMPLE_BLOCK: &str = include_str!("../examples/block.json");

/// Flags of `zkos run`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The block file; without it, the example block shipped with zkos.
    pub file: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// The chain id transactions are checked against.
    #[arg(long, default_value_t = 1)]
    pub chain_id: u64,
    /// The engine: wasmi (the reference) or rv (compiled to RV64IM, on the RV64IM machine).
    #[arg(long, value_enum, default_value_t = Engine::Wasmi)]
    pub engine: Engine,
}

/// The engines `zkos run` offers.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// wasmi interprets the normalized WASM (the reference).
    Wasmi,
    /// rv-backend compiles it to RV64IM and the RV64IM machine runs it.
    Rv,
}

impl Engine {
    fn kind(self) -> EngineKind {
        match self {
            Engine::Wasmi => EngineKind::Wasmi,
            Engine::Rv => EngineKind::Rv,
        }
    }
}

/// Deployment-time and execution work a block did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Work {
    /// EVM codes transpiled (init code when it runs, deployed code at deployment).
    pub transpilations: u64,
    /// WASM modules validated and metered.
    pub normalizations: u64,
    /// Artifacts compiled to RV64IM (the rv engine).
    pub rv_compilations: u64,
    /// Call and create frames run.
    pub frames: u64,
    /// RV64IM instructions executed (the rv engine; zero on wasmi).
    pub rv_instructions: u64,
}

/// The report of `zkos run --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Every input transaction, in input order.
    pub transactions: Vec<TxReport>,
    /// Changed accounts and slots.
    pub state_diff: Vec<AccountChange>,
    /// State root after the block.
    pub state_root: B256,
    /// Gas used by the block.
    pub gas_used: u64,
    /// The block's pubdata (the state diff as published), hex.
    pub pubdata: String,
    /// Its size in bytes.
    pub pubdata_size: usize,
    /// The engine that ran the block.
    pub engine: &'static str,
    /// The work the block did.
    pub work: Work,
}

/// What happened to one transaction.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TxReport {
    /// Index in the input list.
    pub index: usize,
    /// `success`, `failure` or `rejected`.
    pub status: &'static str,
    /// The transaction hash (included transactions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<B256>,
    /// Gas used.
    pub gas_used: u64,
    /// The created contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_address: Option<Address>,
    /// Return or revert data, hex.
    pub output: String,
    /// Logs emitted.
    pub logs: Vec<LogReport>,
    /// Why it failed or was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A log.
#[derive(Debug, Serialize)]
pub struct LogReport {
    /// The emitting contract.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data, hex.
    pub data: String,
}

/// Runs `zkos run`.
pub fn main(args: &Args) -> Result<()> {
    let (name, text) = match &args.file {
        Some(path) => {
            let name = path.display().to_string();
            let text =
                std::fs::read_to_string(path).map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
            (name, text)
        }
        None => ("examples/block.json (built in)".to_string(), EXAMPLE_BLOCK.to_string()),
    };
    let report = run_text(&name, &text, args.chain_id, args.engine)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| Error::Exec(e.to_string()))?;
        println!("{json}");
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}

/// Runs the block in `text` (from file `name`) on `engine` and reports.
pub fn run_text(name: &str, text: &str, chain_id: u64, engine: Engine) -> Result<Report> {
    let doc = t8n::parse_json(name, text)?;
    let r = Reader::new(name);
    let (path, obj) = block_object(r, &doc)?;
    let (alloc_key, txs_key) = if obj.contains_key("alloc") {
        ("alloc", "txs")
    } else if obj.contains_key("pre") {
        ("pre", if obj.contains_key("transaction") { "transaction" } else { "transactions" })
    } else {
        return Err(r.error(&path, "expected `alloc`, `env` and `txs` (or `pre`, `env` and `transaction`)"));
    };
    let pre = input::alloc(r, r.required(obj, &path, alloc_key)?, &join(&path, alloc_key))?;
    let mut env = input::env(r, r.required(obj, &path, "env")?, &join(&path, "env"))?;
    env.block.chain_id = chain_id;
    let txs = match optional(obj, txs_key) {
        Some(v) => input::txs(r, v, &join(&path, txs_key), chain_id, Unsigned::AllowSender)?,
        None => Vec::new(),
    };
    let outcome = transition::apply(&pre, &env, &txs, engine.kind())?;
    let mut transactions = Vec::new();
    for index in 0..txs.len() {
        if let Some(rejected) = outcome.output.rejected.iter().find(|r| r.index == index) {
            transactions.push(TxReport {
                index,
                status: "rejected",
                hash: None,
                gas_used: 0,
                contract_address: None,
                output: "0x".into(),
                logs: Vec::new(),
                error: Some(rejected.error.clone()),
            });
            continue;
        }
        let Some(k) = outcome.included.iter().position(|&i| i == index) else {
            continue;
        };
        let receipt = &outcome.output.receipts[k];
        transactions.push(TxReport {
            index,
            status: if receipt.success { "success" } else { "failure" },
            hash: Some(receipt.tx_hash),
            gas_used: receipt.gas_used,
            contract_address: receipt.contract_address,
            output: hex_bytes(&receipt.output),
            logs: receipt
                .logs
                .iter()
                .map(|log| LogReport {
                    address: log.address,
                    topics: log.topics().to_vec(),
                    data: hex_bytes(&log.data.data),
                })
                .collect(),
            error: receipt.error.clone(),
        });
    }
    let pubdata = outcome.output.diff.pubdata();
    let stats = outcome.output.stats;
    Ok(Report {
        transactions,
        state_diff: statediff::diff(&pre, &outcome.post),
        state_root: outcome.state_root,
        gas_used: outcome.output.gas_used,
        pubdata_size: pubdata.len(),
        pubdata: hex_bytes(&pubdata),
        engine: engine.kind().name(),
        work: Work {
            transpilations: stats.transpilations,
            normalizations: stats.normalizations,
            rv_compilations: stats.rv_compilations,
            frames: stats.frames,
            rv_instructions: stats.rv_instructions,
        },
    })
}

/// The object holding the block: the document itself, or its one named entry.
fn block_object<'v>(r: Reader, doc: &'v Value) -> Result<(String, &'v Map<String, Value>)> {
    let obj = r.object("", doc)?;
    if obj.contains_key("env") {
        return Ok((String::new(), obj));
    }
    match obj.iter().next() {
        Some((name, inner)) if obj.len() == 1 && inner.get("env").is_some() => {
            Ok((name.clone(), r.object(name, inner)?))
        }
        _ => Err(r.error("env", "missing (expected a block object, or one named entry holding it)")),
    }
}

/// The text report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let count = |status: &str| report.transactions.iter().filter(|t| t.status == status).count();
    let _ = writeln!(
        out,
        "{} transaction(s): {} succeeded, {} failed, {} rejected; gas used {}",
        report.transactions.len(),
        count("success"),
        count("failure"),
        count("rejected"),
        report.gas_used
    );
    for tx in &report.transactions {
        let _ = write!(out, "\ntx {}", tx.index);
        if let Some(hash) = tx.hash {
            let _ = write!(out, " {hash}");
        }
        match (&tx.error, tx.status) {
            (Some(error), "rejected") => {
                let _ = writeln!(out, ": rejected: {error}");
                continue;
            }
            (Some(error), status) => {
                let _ = writeln!(out, ": {status} ({error}), gas used {}", tx.gas_used);
            }
            (None, status) => {
                let _ = writeln!(out, ": {status}, gas used {}", tx.gas_used);
            }
        }
        if let Some(address) = tx.contract_address {
            let _ = writeln!(out, "  created {address}");
        }
        if tx.output != "0x" {
            let _ = writeln!(out, "  output {}", tx.output);
        }
        for log in &tx.logs {
            let _ = writeln!(out, "  log from {}", log.address);
            for (t, topic) in log.topics.iter().enumerate() {
                let _ = writeln!(out, "    topic {t}: {topic}");
            }
            let _ = writeln!(out, "    data: {}", log.data);
        }
    }
    let _ = writeln!(out, "\nstate changes:");
    if report.state_diff.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for change in &report.state_diff {
        let _ = writeln!(out, "  {} ({})", change.address, change.status);
        if let Some([a, b]) = change.balance {
            let _ = writeln!(out, "    balance {a} -> {b}");
        }
        if let Some([a, b]) = change.nonce {
            let _ = writeln!(out, "    nonce {a} -> {b}");
        }
        if let (Some([_, hash]), Some(size)) = (change.code_hash, change.code_size) {
            let _ = writeln!(out, "    code {size} bytes, hash {hash}");
        }
        for [slot, a, b] in &change.storage {
            let _ = writeln!(out, "    slot {slot:#x}: {a:#x} -> {b:#x}");
        }
    }
    let _ = writeln!(out, "\nstate root {}", report.state_root);
    let _ = writeln!(out, "pubdata {} bytes", report.pubdata_size);
    let w = &report.work;
    let _ = write!(
        out,
        "engine {}: {} frame(s), {} transpilation(s), {} WASM normalization(s)",
        report.engine, w.frames, w.transpilations, w.normalizations
    );
    if report.engine == "rv" {
        let _ = write!(out, ", {} RV64IM instructions", w.rv_instructions);
    }
    let _ = writeln!(out);
    out
}
