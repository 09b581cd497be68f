//! `zkos bench kernel` (issue 11, item 9): whole-block RV64IM instructions per gas in kernel
//! mode, cold and warm, for every `../shared/bench/evm` input (re-signed, [`super::resign`])
//! and for a block of ERC20 transfers, each record checked against host mode's.
//!
//! `zkos bench` hands every other argument list to the external `zkos-bench` driver; this
//! one runs here because the driver does not link the kernel pieces (node/src/bench.rs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use serde_json::{json, Value};

use wasm_runtime::engine::EngineKind;
use wasm_runtime::primitives::{keccak256, Address, B256, U256};

use super::resign::{resign, KEY, KEY_ADDRESS};
use super::Figures;
use crate::error::{Error, Result};
use crate::run::{read_block, Chain};
use crate::transition;

/// The inputs, from the repository root.
const INPUTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/evm");

/// The ERC20 block's row name.
const ERC20_BLOCK: &str = "erc20_block";

/// Reth on SP1, mainnet blocks, RV64IM cycles per gas (EVM execution alone: 10.3).
const RETH_SP1: f64 = 19.3;
/// ZKsync OS on Airbender, raw cycles per gas (about).
const ZKSYNC_AIRBENDER: f64 = 12.0;
/// Issue 11's requirement on a block of OpenZeppelin token transactions, instructions per gas.
const REQUIRED: f64 = 19.0;
/// Issue 11's goal.
const GOAL: f64 = 6.0;

/// `zkos bench kernel`.
#[derive(Parser, Debug)]
#[command(
    name = "zkos bench kernel",
    about = "Whole-block RV64IM instructions per gas in kernel mode, cold and warm, for the \
             ../shared/bench/evm inputs and a block of ERC20 transfers"
)]
pub struct Args {
    /// One JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Only the rows whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
    /// Also the inputs above --max-gas (onchain-lm-v2 alone takes minutes).
    #[arg(long)]
    pub all: bool,
    /// Inputs using more gas than this (in host mode) are skipped unless --all.
    #[arg(long, default_value_t = 20_000_000)]
    pub max_gas: u64,
    /// The folder of inputs (default: ../shared/bench/evm from the repository root).
    #[arg(long, value_name = "DIR")]
    pub inputs: Option<PathBuf>,
    /// Transfers in the ERC20 block (0: no ERC20 block; at most 10,000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub transfers: u32,
}

/// One measured block.
struct Row {
    name: String,
    gas: u64,
    transactions: usize,
    cold: Figures,
    warm: Figures,
    cold_seconds: f64,
    warm_seconds: f64,
}

/// What a run of the benchmark gives.
struct Bench {
    rows: Vec<Row>,
    /// Inputs not run, with their gas (host mode).
    skipped: Vec<(String, u64)>,
    max_gas: u64,
}

/// Runs `zkos bench kernel ARGS` (`args` without `kernel`).
pub fn main(args: &[std::ffi::OsString]) -> Result<()> {
    let args = match Args::try_parse_from(std::iter::once("zkos bench kernel".into()).chain(args.iter().cloned())) {
        Ok(args) => args,
        // --help prints and exits 0; a bad flag prints the usage and exits 2 (clap's codes).
        Err(e) => e.exit(),
    };
    let bench = measure(&args)?;
    if args.json {
        let text = serde_json::to_string_pretty(&to_json(&bench)).map_err(|e| Error::Exec(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", render(&bench));
    }
    Ok(())
}

/// The blocks to run: `(name, block JSON text)`, the inputs sorted by name, then the ERC20
/// block; only those matching `--only`.
fn blocks(args: &Args) -> Result<Vec<(String, String)>> {
    let dir = args.inputs.clone().unwrap_or_else(|| PathBuf::from(INPUTS));
    let io = |path: &Path, e: std::io::Error| Error::Io { path: path.display().to_string(), message: e.to_string() };
    let mut names: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .map_err(|e| io(&dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
        .collect();
    names.sort();
    let wanted = |name: &str| args.only.as_deref().is_none_or(|only| name.contains(only));
    let mut out = Vec::new();
    for (name, path) in names.into_iter().filter(|(n, _)| wanted(n)) {
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        let file = path.display().to_string();
        let mut doc: Value =
            serde_json::from_str(&text).map_err(|e| Error::Json { file: file.clone(), message: e.to_string() })?;
        resign(&mut doc).map_err(|e| Error::Config(format!("{file}: cannot re-sign: {e}")))?;
        out.push((name, doc.to_string()));
    }
    if args.transfers > 0 && wanted(ERC20_BLOCK) {
        let path = dir.join("erc20_transfer.json");
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        out.push((ERC20_BLOCK.to_string(), erc20_block(&path.display().to_string(), &text, args.transfers)?));
    }
    if out.is_empty() {
        return Err(Error::Config(format!(
            "zkos bench kernel: no input matches{} in {}",
            args.only.as_deref().map(|o| format!(" `{o}`")).unwrap_or_default(),
            dir.display()
        )));
    }
    Ok(out)
}

/// A block of `transfers` ERC20 `transfer(to, amount)` transactions, each signed by [`KEY`]
/// to a fresh recipient, on the OpenZeppelin-style ERC20 of `erc20_transfer.json` (`text`,
/// from file `file`); [`KEY_ADDRESS`] holds the supply (OpenZeppelin's layout: balances
/// mapping at slot 0, total supply at slot 2).
fn erc20_block(file: &str, text: &str, transfers: u32) -> Result<String> {
    let bad = |what: &str| Error::Config(format!("{file}: {what} (the ERC20 block needs the erc20_transfer input)"));
    let doc: Value =
        serde_json::from_str(text).map_err(|e| Error::Json { file: file.into(), message: e.to_string() })?;
    let block = doc.as_object().and_then(|o| o.values().next()).ok_or_else(|| bad("no block"))?;
    let token = block["transaction"][0]["to"].as_str().ok_or_else(|| bad("no transaction `to`"))?;
    let code = block["pre"]
        .as_object()
        .and_then(|pre| pre.iter().find(|(k, _)| k.eq_ignore_ascii_case(token)))
        .and_then(|(_, account)| account["code"].as_str())
        .ok_or_else(|| bad("no token code"))?;
    let holder: Address = KEY_ADDRESS.parse().map_err(|_| bad("bad key address"))?;
    let supply = U256::from(1u128 << 100);
    let mut slot_key = [0u8; 64];
    slot_key[12..32].copy_from_slice(holder.as_slice());
    let balance_slot = keccak256(slot_key);
    let word = |v: U256| B256::from(v).to_string();
    let txs: Vec<Value> = (0..transfers)
        .map(|i| {
            let mut to = [0u8; 20];
            to[16..].copy_from_slice(&(0x000b_0000 + i).to_be_bytes());
            let mut data = String::from("0xa9059cbb");
            data.push_str(&hex::encode([0u8; 12]));
            data.push_str(&hex::encode(to));
            data.push_str(&hex::encode(B256::from(U256::from(1_000 + u64::from(i)))));
            json!({
                "secretKey": KEY, "nonce": format!("{i:#x}"), "to": token, "value": "0x0",
                "gasLimit": "0x30000", "gasPrice": "0x0", "data": data,
            })
        })
        .collect();
    let out = json!({ ERC20_BLOCK: {
        "env": block["env"],
        "pre": {
            KEY_ADDRESS: { "balance": "0xffffffffffffffffffff", "nonce": "0x0", "code": "0x", "storage": {} },
            token: { "balance": "0x0", "nonce": "0x1", "code": code, "storage": {
                balance_slot.to_string(): word(supply),
                word(U256::from(2)): word(supply),
            } },
        },
        "transaction": txs,
    }});
    Ok(out.to_string())
}

/// Runs every block in host mode, then (unless skipped) in kernel mode cold and warm, each
/// kernel record checked against host mode's.
fn measure(args: &Args) -> Result<Bench> {
    let chain = Chain { id: 1, fork: crate::t8n::check_fork("Cancun")? };
    let mut bench = Bench { rows: Vec::new(), skipped: Vec::new(), max_gas: args.max_gas };
    for (name, text) in blocks(args)? {
        let (pre, env, txs) = read_block(&name, &text, chain)?;
        let host = transition::apply(&pre, &env, &txs, EngineKind::Wasmi)?;
        let gas = host.output.gas_used;
        if name == ERC20_BLOCK {
            // Every transfer must have succeeded, or the row measures reverts.
            let ok = host.output.receipts.iter().filter(|r| r.success).count();
            if !host.output.rejected.is_empty() || ok != txs.len() {
                return Err(Error::Exec(format!(
                    "{ERC20_BLOCK}: {ok} of {} transfers succeeded in host mode",
                    txs.len()
                )));
            }
        }
        if gas > args.max_gas && !args.all {
            eprintln!("zkos bench kernel: {name}: {gas} gas, skipped (above --max-gas; --all runs it)");
            bench.skipped.push((name, gas));
            continue;
        }
        eprintln!("zkos bench kernel: {name}: {gas} gas ...");
        // Contract code in host mode, compiled in rv-backend's default and sandboxed modes:
        // what the sandboxed mode's bounds checks and position independence cost (the mode
        // the kernel's compiled-code engine runs), on identical outcomes.
        let rv = transition::apply(&pre, &env, &txs, EngineKind::Rv)?;
        let sandboxed = transition::apply(&pre, &env, &txs, EngineKind::RvSandboxed)?;
        for (engine, o) in [("rv", &rv), ("rv-sandboxed", &sandboxed)] {
            if (o.state_root, o.receipts_root, o.output.gas_used) != (host.state_root, host.receipts_root, gas) {
                return Err(Error::Exec(format!("{name}: host mode on {engine} differs from wasmi")));
            }
        }
        let (a, b) = (rv.output.stats.rv_instructions, sandboxed.output.stats.rv_instructions);
        eprintln!(
            "zkos bench kernel: {name}: host-mode contract code {} (rv) / {} (rv-sandboxed) RV64IM instructions per gas{}",
            ratio(per_gas(a, gas)),
            ratio(per_gas(b, gas)),
            if a > 0 { format!(", sandboxed +{:.1}%", 100.0 * (b as f64 - a as f64) / a as f64) } else { String::new() },
        );
        let block = transition::block(&pre, &env, &txs);
        let run = |warm: bool| -> Result<(Figures, f64)> {
            let input = if warm { super::warm_input_for(&pre, &block)? } else { super::input_for(&pre, &block)? };
            let start = Instant::now();
            let (output, figures) = super::run(input.encode())
                .map_err(|e| Error::Exec(format!("{name} ({}): {e}", if warm { "warm" } else { "cold" })))?;
            let seconds = start.elapsed().as_secs_f64();
            super::check(&output, &host, input.pre_state_root)
                .map_err(|e| Error::Exec(format!("{name} ({}): {e}", if warm { "warm" } else { "cold" })))?;
            Ok((figures, seconds))
        };
        let (cold, cold_seconds) = run(false)?;
        let (warm, warm_seconds) = run(true)?;
        bench.rows.push(Row {
            name,
            gas,
            transactions: host.output.receipts.len(),
            cold,
            warm,
            cold_seconds,
            warm_seconds,
        });
    }
    Ok(bench)
}

fn per_gas(instructions: u64, gas: u64) -> Option<f64> {
    (gas > 0).then(|| instructions as f64 / gas as f64)
}

fn ratio(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into())
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn phase(figures: &Figures, name: &str) -> String {
    figures.breakdown.iter().find(|(k, _)| *k == name).map(|(_, n)| thousands(*n)).unwrap_or_else(|| "-".into())
}

/// Totals over the rows: (gas, cold instructions, warm instructions).
fn totals(bench: &Bench) -> (u64, u64, u64) {
    bench.rows.iter().fold((0, 0, 0), |(g, c, w), r| (g + r.gas, c + r.cold.instructions, w + r.warm.instructions))
}

/// The table, its totals and the anchors.
fn render(bench: &Bench) -> String {
    let header = [
        "input",
        "gas",
        "cold instructions",
        "cold/gas",
        "warm instructions",
        "warm/gas",
        "keccak-f",
        "secp256k1",
        "cold input",
        "cold block",
        "cold output",
        "wall s",
    ];
    let mut lines: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in &bench.rows {
        lines.push(vec![
            r.name.clone(),
            thousands(r.gas),
            thousands(r.cold.instructions),
            ratio(per_gas(r.cold.instructions, r.gas)),
            thousands(r.warm.instructions),
            ratio(per_gas(r.warm.instructions, r.gas)),
            thousands(r.cold.accelerators.keccak_f1600),
            thousands(r.cold.accelerators.secp256k1_recover),
            phase(&r.cold, "input"),
            phase(&r.cold, "block"),
            phase(&r.cold, "output"),
            format!("{:.1}", r.cold_seconds + r.warm_seconds),
        ]);
    }
    let widths: Vec<usize> =
        (0..header.len()).map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| if c == 0 { format!("{cell:<w$}") } else { format!("{cell:>w$}") })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        if i == 0 {
            let _ = writeln!(out, "{}", "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
        }
    }
    let (gas, cold, warm) = totals(bench);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "overall: {} blocks, {} gas; cold {} instructions ({} per gas), warm {} ({} per gas)",
        bench.rows.len(),
        thousands(gas),
        thousands(cold),
        ratio(per_gas(cold, gas)),
        thousands(warm),
        ratio(per_gas(warm, gas)),
    );
    let _ = writeln!(
        out,
        "every kernel record (state, receipts and logs roots, gas, transactions) equals host mode's; \
         cold: contracts transpiled, validated, metered and compiled inside the kernel; warm: their \
         artifacts (compiled code included) taken from the witness"
    );
    if !bench.skipped.is_empty() {
        let list: Vec<String> = bench.skipped.iter().map(|(n, g)| format!("{n} ({} gas)", thousands(*g))).collect();
        let _ = writeln!(out, "skipped (above {} gas; --all runs them): {}", thousands(bench.max_gas), list.join(", "));
    }
    if let Some(r) = bench.rows.iter().find(|r| r.name == ERC20_BLOCK) {
        let _ = writeln!(
            out,
            "{ERC20_BLOCK} ({} ERC20 transfers): cold {} per gas, warm {} per gas; required at most {REQUIRED}, goal {GOAL}",
            r.transactions,
            ratio(per_gas(r.cold.instructions, r.gas)),
            ratio(per_gas(r.warm.instructions, r.gas)),
        );
    }
    let _ = writeln!(
        out,
        "anchors (issue 11): reth on SP1 {RETH_SP1} cycles per gas (EVM execution alone 10.3); ZKsync OS on \
         Airbender about {ZKSYNC_AIRBENDER} raw cycles per gas; required at most {REQUIRED} on a block of \
         OpenZeppelin token transactions, goal {GOAL}"
    );
    let _ = writeln!(
        out,
        "contract code: compiled by rv-backend (sandboxed mode) inside the kernel and run natively there"
    );
    out
}

/// The machine-readable form of [`render`].
fn to_json(bench: &Bench) -> Value {
    let figures = |f: &Figures, gas: u64, seconds: f64| {
        let mut v = f.to_json(gas);
        v["wallSeconds"] = json!(seconds);
        v
    };
    let rows: Vec<Value> = bench
        .rows
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "gasUsed": r.gas,
                "transactions": r.transactions,
                "cold": figures(&r.cold, r.gas, r.cold_seconds),
                "warm": figures(&r.warm, r.gas, r.warm_seconds),
            })
        })
        .collect();
    let (gas, cold, warm) = totals(bench);
    json!({
        "engine": "rv-backend's sandboxed code, compiled and run inside the kernel",
        "rows": rows,
        "skipped": bench.skipped.iter().map(|(n, g)| json!({"name": n, "gasUsed": g})).collect::<Vec<_>>(),
        "maxGas": bench.max_gas,
        "total": {
            "gasUsed": gas,
            "coldInstructions": cold,
            "warmInstructions": warm,
            "coldInstructionsPerGas": per_gas(cold, gas),
            "warmInstructionsPerGas": per_gas(warm, gas),
        },
        "anchors": {
            "rethSp1CyclesPerGas": RETH_SP1,
            "zksyncOsAirbenderCyclesPerGas": ZKSYNC_AIRBENDER,
            "requiredInstructionsPerGas": REQUIRED,
            "goalInstructionsPerGas": GOAL,
        },
    })
}
