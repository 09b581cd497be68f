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
use crate::output::{self, ReceiptJson, RejectedJson};
use crate::statediff::{self, AccountChange};
use crate::{t8n, transition};
use wasm_runtime::primitives::Address;

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
}

/// The report of `zkos run --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Receipts of the included transactions.
    pub receipts: Vec<ReceiptJson>,
    /// For each receipt, the index of its transaction in the input list.
    pub included: Vec<usize>,
    /// Rejected transactions.
    pub rejected: Vec<RejectedJson>,
    /// Changed accounts and slots.
    pub state_diff: Vec<AccountChange>,
    /// State root after the block.
    pub state_root: String,
    /// Gas used by the block.
    pub gas_used: u64,
    /// The block's pubdata (the state diff as published), hex.
    pub pubdata: String,
    /// Its size in bytes.
    pub pubdata_size: usize,
}

/// Runs `zkos run`.
pub fn main(args: &Args) -> Result<()> {
    let (name, text) = match &args.file {
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
                path: name.clone(),
                message: e.to_string(),
            })?;
            (name, text)
        }
        None => (
            "examples/block.json (built in)".to_string(),
            EXAMPLE_BLOCK.to_string(),
        ),
    };
    let report = run_text(&name, &text, args.chain_id)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| Error::Exec(e.to_string()))?;
        println!("{json}");
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}

/// Runs the block in `text` (from file `name`) and reports.
pub fn run_text(name: &str, text: &str, chain_id: u64) -> Result<Report> {
    let doc = t8n::parse_json(name, text)?;
    let r = Reader::new(name);
    let (path, obj) = block_object(r, &doc)?;
    let (alloc_key, txs_key) = if obj.contains_key("alloc") {
        ("alloc", "txs")
    } else if obj.contains_key("pre") {
        (
            "pre",
            if obj.contains_key("transaction") {
                "transaction"
            } else {
                "transactions"
            },
        )
    } else {
        return Err(r.error(
            &path,
            "expected `alloc`, `env` and `txs` (or `pre`, `env` and `transaction`)",
        ));
    };
    let pre = input::alloc(
        r,
        r.required(obj, &path, alloc_key)?,
        &join(&path, alloc_key),
    )?;
    let mut env = input::env(r, r.required(obj, &path, "env")?, &join(&path, "env"))?;
    env.block.chain_id = chain_id;
    let txs = match optional(obj, txs_key) {
        Some(v) => input::txs(r, v, &join(&path, txs_key), chain_id, Unsigned::AllowSender)?,
        None => Vec::new(),
    };
    let outcome = transition::apply(&pre, &env, &txs)?;
    let result = output::result(&env, &outcome);
    let pubdata = outcome.output.diff.pubdata();
    Ok(Report {
        receipts: result.receipts,
        included: outcome.included.clone(),
        rejected: result.rejected,
        state_diff: statediff::diff(&pre, &outcome.post),
        state_root: format!("{}", outcome.state_root),
        gas_used: outcome.output.gas_used,
        pubdata_size: pubdata.len(),
        pubdata: hex_bytes(&pubdata),
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
        _ => Err(r.error(
            "env",
            "missing (expected a block object, or one named entry holding it)",
        )),
    }
}

/// The text report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} transaction(s) included, {} rejected, gas used {}",
        report.receipts.len(),
        report.rejected.len(),
        report.gas_used
    );
    let count = report.receipts.len() + report.rejected.len();
    for index in 0..count {
        if let Some(rejected) = report.rejected.iter().find(|r| r.index == index) {
            let _ = writeln!(out, "\ntx {index}: rejected: {}", rejected.error);
            continue;
        }
        let Some(receipt) = report
            .included
            .iter()
            .position(|&i| i == index)
            .map(|k| &report.receipts[k])
        else {
            continue;
        };
        let status = if receipt.status == "0x1" {
            "success"
        } else {
            "failure"
        };
        let gas = u64::from_str_radix(receipt.gas_used.trim_start_matches("0x"), 16).unwrap_or(0);
        let _ = writeln!(
            out,
            "\ntx {index} {}: {status}, gas used {gas}",
            receipt.transaction_hash
        );
        if receipt.contract_address != Address::ZERO {
            let _ = writeln!(out, "  created {}", receipt.contract_address);
        }
        for log in receipt.logs.iter().flatten() {
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
    out
}
