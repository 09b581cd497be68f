//! `zkos run`: runs a block given in one JSON file and prints what happened.
//!
//! The file is `{ "alloc": …, "env": …, "txs": [...] }` (t8n's three inputs in one), or the
//! benchmark form `{ "env": …, "pre": …, "transaction": [...] }`, possibly wrapped in an
//! object with one named entry. Transactions are signed, carry a `secretKey`, or name their
//! `sender` explicitly. Without a file, the example block shipped with zkos runs.
//!
//! Where an ABI is known (`--abi ADDRESS=FILE`, or the one a WASM contract embeds) the report
//! decodes calls, return values, revert reasons and events ([`crate::decode`]); it tells a
//! revert (with its reason) from a failure (with the system layer's reason: out of gas, which
//! trap, invalid code, ...), prints each transaction's `debug_log` messages, and with
//! `--trace` the call tree ([`crate::trace`]). Init code that is a bare WASM module or ELF
//! (which the chain, Ethereum-exact, would run as EVM code) is refused with how to wrap it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::decode::Abis;
use crate::error::{Error, Result};
use crate::input::{self, Env, TxInput, Unsigned};
use crate::json::{hex_bytes, join, optional, Reader};
use crate::statediff::{self, AccountChange};
use crate::trace::{self, printable};
use crate::{t8n, transition};
use host_abi::envelope::{self, Envelope, Kind};
use host_abi::status::CallStatus;
use wasm_runtime::block::{BlockOutput, Receipt};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::TxEnv;
use wasm_runtime::exec::{CallKind, CallTrace, CodeKind, TraceKind};
use wasm_runtime::platform::MemoryDb;
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
    /// The fork rules: Cancun, Prague, Osaka or a blob-parameter-only fork (BPO1–BPO4).
    #[arg(long, default_value = "Osaka")]
    pub fork: String,
    /// Also run the block in kernel mode (statelessly, inside the RV64IM machine), check
    /// that its record equals host mode's and report its instructions and accelerator calls.
    #[arg(long)]
    pub kernel: bool,
    /// With `--kernel`: the artifacts of the contracts the block runs are committed before it
    /// (a warm block: the kernel takes them from the witness instead of rebuilding them).
    #[arg(long, requires = "kernel")]
    pub warm: bool,
    /// Print each transaction's call tree: per frame the kind of code, call kind, from and
    /// to, value, gas given and used, how it ended, and RV64IM instructions on the rv engine.
    #[arg(long)]
    pub trace: bool,
    /// Decode calls, returns, errors and events of the contract at ADDRESS with the JSON ABI
    /// in FILE (solc's `--abi` output, or an artifact with an `abi` field) instead of the ABI
    /// the contract embeds, if any; repeatable.
    #[arg(long, value_name = "ADDRESS=FILE")]
    pub abi: Vec<String>,
    /// Run init code that is a bare WASM module or ELF (no envelope) as the chain would: as
    /// EVM code. Without it such a transaction is refused with how to wrap it.
    #[arg(long)]
    pub allow_unwrapped: bool,
}

/// How `zkos run` runs and reports a block, beside its chain.
#[derive(Clone, Debug)]
pub struct Options {
    /// The engine.
    pub engine: Engine,
    /// Whether the report carries the call trees.
    pub trace: bool,
    /// The ABIs given on the command line.
    pub abis: Abis,
    /// Whether bare WASM or ELF init code runs (as EVM code) instead of being refused.
    pub allow_unwrapped: bool,
}

impl Options {
    /// Plain options: `engine`, no trace, no ABI, bare init code refused.
    pub fn on(engine: Engine) -> Self {
        Self { engine, trace: false, abis: Abis::default(), allow_unwrapped: false }
    }
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
    /// Kernel mode's figures (`--kernel`): instructions, accelerator calls, misaligned
    /// accesses, instructions per gas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<Value>,
}

/// What happened to one transaction.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TxReport {
    /// Index in the input list.
    pub index: usize,
    /// `success`, `failure` or `rejected`.
    pub status: &'static str,
    /// `success`, `reverted`, `failed` or `rejected`: [`Self::status`] with a revert told
    /// apart from a failure.
    pub outcome: &'static str,
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
    /// The call decoded with the callee's ABI: `name(arg: value, ...)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The return values decoded with the callee's ABI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<String>,
    /// Why it reverted: `Error("...")`, `Panic(0x11: ...)`, a custom error of an ABI, or the
    /// unknown selector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
    /// The kind of failure (`out of gas`, `trap`, `invalid code`, `limit`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_kind: Option<&'static str>,
    /// The failure as one line: its kind, the system layer's reason, what it means for the
    /// kind of code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Logs emitted.
    pub logs: Vec<LogReport>,
    /// What its contracts wrote with `debug_log`, one string per message (UTF-8, invalid
    /// bytes replaced), as kept: up to `host_abi::limits::MAX_DEBUG_OUTPUT` bytes per
    /// transaction. Not part of consensus.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub debug: Vec<String>,
    /// Debug output past the cap, counted and not kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug_dropped: Option<DebugDropped>,
    /// Why it failed or was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its call tree (`--trace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<trace::Frame>,
}

/// Debug output a transaction wrote past the cap.
#[derive(Debug, Serialize)]
pub struct DebugDropped {
    /// Bytes not kept.
    pub bytes: u64,
    /// Messages not kept at all (a message cut at the cap is kept in part).
    pub messages: u64,
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
    /// The event decoded with an ABI: `Name(field: value, ...)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
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
    let fork = t8n::check_fork(&args.fork)?;
    let mut options = Options::on(args.engine);
    options.trace = args.trace;
    options.allow_unwrapped = args.allow_unwrapped;
    for option in &args.abi {
        options.abis.read_option(option)?;
    }
    let mut report = run_text(&name, &text, Chain { id: args.chain_id, fork }, &options)?;
    if args.kernel {
        let (pre, env, txs) = read_block(&name, &text, Chain { id: args.chain_id, fork })?;
        let block = transition::block(&pre, &env, &txs);
        let host = transition::apply(&pre, &env, &txs, EngineKind::Wasmi)?;
        let input = if args.warm {
            crate::kernel::warm_input_for(&pre, &block)?
        } else {
            crate::kernel::input_for(&pre, &block)?
        };
        let (output, figures) = crate::kernel::run(input.encode())?;
        crate::kernel::check(&output, &host, input.pre_state_root)?;
        report.kernel = Some(figures.to_json(output.gas_used));
    }
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| Error::Exec(e.to_string()))?;
        println!("{json}");
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}

/// The chain a block runs on: its id and its fork.
#[derive(Clone, Copy, Debug, Default)]
pub struct Chain {
    /// The chain id transactions are checked against.
    pub id: u64,
    /// The fork whose rules apply.
    pub fork: wasm_runtime::fork::Fork,
}

/// The pre-state, environment and transactions of the block in `text` (from file `name`).
pub fn read_block(name: &str, text: &str, chain: Chain) -> Result<(MemoryDb, Env, Vec<TxInput>)> {
    let chain_id = chain.id;
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
    env.block.fork = chain.fork;
    let txs = match optional(obj, txs_key) {
        Some(v) => input::txs(r, v, &join(&path, txs_key), chain_id, Unsigned::AllowSender)?,
        None => Vec::new(),
    };
    Ok((pre, env, txs))
}

/// Runs the block in `text` (from file `name`) as `options` say and reports.
pub fn run_text(name: &str, text: &str, chain: Chain, options: &Options) -> Result<Report> {
    let (pre, env, txs) = read_block(name, text, chain)?;
    if !options.allow_unwrapped {
        refuse_unwrapped(name, &txs)?;
    }
    let engine = options.engine;
    // Traced always (tracing reads counters only: the same receipts, gas and state), so
    // that a failure is told with the kind of code it happened in.
    let applied = transition::apply_traced(&pre, &env, &txs, engine.kind())?;
    let output = &applied.output;
    let abis = &with_embedded_abis(&options.abis, &[&applied.post, &pre], output);
    let mut transactions = Vec::new();
    for (index, input) in txs.iter().enumerate() {
        if let Some(rejected) = output.rejected.iter().find(|r| r.index == index) {
            transactions.push(TxReport {
                index,
                status: "rejected",
                outcome: "rejected",
                hash: None,
                gas_used: 0,
                contract_address: None,
                output: "0x".into(),
                call: None,
                returned: None,
                revert_reason: None,
                failure_kind: None,
                failure: None,
                logs: Vec::new(),
                debug: Vec::new(),
                debug_dropped: None,
                error: Some(rejected.error.to_string()),
                trace: None,
            });
            continue;
        }
        let Some(k) = applied.included.iter().position(|&i| i == index) else {
            continue;
        };
        let receipt = &output.receipts[k];
        let debug = output.debug_output.iter().find(|(i, _)| *i == index).map(|(_, d)| d);
        let messages: Vec<String> =
            debug.map(|d| d.messages().map(|m| String::from_utf8_lossy(m).into_owned()).collect()).unwrap_or_default();
        let frames = output.traces.iter().find(|(i, _)| *i == index).map(|(_, f)| f.as_slice()).unwrap_or_default();
        let tx = input.tx.as_ref().ok();
        let top = frames.first().cloned().or_else(|| tx.map(|t| untraced_top(t, receipt, &[&applied.post, &pre])));
        let to = tx.and_then(|t| t.to);
        let data = tx.map(|t| t.data.as_ref()).unwrap_or_default();
        let (outcome, revert_reason, failure_kind, failure) = match (receipt.success, &receipt.error) {
            (true, _) => ("success", None, None, None),
            (false, None) => ("reverted", Some(abis.revert_reason(to.as_ref(), &receipt.output)), None, None),
            (false, Some(f)) => (
                "failed",
                None,
                Some(trace::failure_kind(f)),
                Some(trace::failure_text(f, top.as_ref().and_then(|t| t.code))),
            ),
        };
        let cx = trace::Context { abis, fork: chain.fork, rv: engine == Engine::Rv, debug: &messages };
        transactions.push(TxReport {
            index,
            status: if receipt.success { "success" } else { "failure" },
            outcome,
            hash: Some(receipt.tx_hash),
            gas_used: receipt.gas_used,
            contract_address: receipt.contract_address,
            output: hex_bytes(&receipt.output),
            call: to.and_then(|to| abis.call(&to, data)),
            returned: to.filter(|_| receipt.success).and_then(|to| abis.returned(&to, data, &receipt.output)),
            revert_reason,
            failure_kind,
            failure,
            logs: receipt
                .logs
                .iter()
                .map(|log| LogReport {
                    address: log.address,
                    topics: log.topics().to_vec(),
                    data: hex_bytes(&log.data.data),
                    event: abis.event(&log.address, log.topics(), &log.data.data),
                })
                .collect(),
            debug_dropped: debug
                .filter(|d| d.dropped() > 0 || d.dropped_messages() > 0)
                .map(|d| DebugDropped { bytes: d.dropped(), messages: d.dropped_messages() }),
            error: receipt.error.as_ref().map(ToString::to_string),
            trace: top.filter(|_| options.trace).map(|t| trace::frame(&t, &cx)),
            debug: messages,
        });
    }
    let pubdata = output.diff.pubdata();
    let stats = output.stats;
    Ok(Report {
        transactions,
        state_diff: statediff::diff(&pre, &applied.post),
        state_root: applied.state_root,
        gas_used: output.gas_used,
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
        kernel: None,
    })
}

/// `abis` and the ABIs that the WASM contracts the block called, created or heard from embed
/// (the `zkos:abi` section, [`crate::abi::embedded_abi`]); an ABI given for an address on
/// the command line wins. `states`: where to find their code, first match kept.
fn with_embedded_abis(abis: &Abis, states: &[&MemoryDb], output: &BlockOutput) -> Abis {
    fn frames(t: &CallTrace, into: &mut BTreeSet<Address>) {
        into.insert(t.to);
        t.calls.iter().for_each(|c| frames(c, into));
    }
    let mut addresses = BTreeSet::new();
    for receipt in &output.receipts {
        addresses.extend(receipt.contract_address);
        addresses.extend(receipt.logs.iter().map(|log| log.address));
    }
    for (_, traces) in &output.traces {
        traces.iter().for_each(|t| frames(t, &mut addresses));
    }
    let mut all = abis.clone();
    for address in addresses.into_iter().filter(|a| !abis.has(a)) {
        let code = states.iter().find_map(|db| db.accounts.get(&address).map(|a| &a.info.code));
        // A section that is not a JSON ABI decodes nothing; the run itself is unaffected.
        if let Some(Ok(Some(abi))) = code.map(|c| crate::abi::embedded_abi(c)) {
            all.insert(address, abi);
        }
    }
    all
}

/// The top frame of a transaction that the tracer did not see start (no code ran: a
/// transfer; or the call ended before its code started: code rejected when its artifact was
/// built), made from the transaction and its receipt; the kind of code from the callee's
/// code in `states` (first match) or from the init code.
fn untraced_top(tx: &TxEnv, receipt: &Receipt, states: &[&MemoryDb]) -> CallTrace {
    let code: &[u8] = match tx.to {
        Some(to) => states.iter().find_map(|db| db.accounts.get(&to)).map(|a| a.info.code.as_ref()).unwrap_or_default(),
        None => &tx.data,
    };
    let envelope_kind = envelope::parse_stored_code(code)
        .map(|(kind, _)| kind)
        .or_else(|| Envelope::parse(code).ok().map(|(e, _)| e.kind));
    let code = match envelope_kind {
        Some(Kind::Wasm) => Some(CodeKind::Wasm),
        Some(Kind::Rv64im) => Some(CodeKind::Native),
        None if code.is_empty() => None,
        None => Some(CodeKind::Evm),
    };
    let status = match (receipt.success, &receipt.error) {
        (true, _) => CallStatus::Success,
        (false, None) => CallStatus::Revert,
        (false, Some(_)) => CallStatus::Failure,
    };
    CallTrace {
        kind: if tx.to.is_some() { TraceKind::Call(CallKind::Call) } else { TraceKind::Create },
        from: tx.caller,
        to: tx.to.or(receipt.contract_address).unwrap_or_default(),
        value: tx.value,
        gas: tx.gas_limit,
        gas_used: receipt.gas_used,
        input: tx.data.clone(),
        output: receipt.output.clone(),
        status,
        error: receipt.error.clone(),
        code,
        rv_instructions: 0,
        debug: 0..0,
        calls: Vec::new(),
    }
}

/// Refuses a creation whose init code is a bare WASM module or ELF: the chain, Ethereum-exact,
/// would run it as EVM code (and its first bytes as opcodes).
fn refuse_unwrapped(name: &str, txs: &[TxInput]) -> Result<()> {
    for (index, input) in txs.iter().enumerate() {
        let Ok(tx) = &input.tx else { continue };
        if tx.to.is_some() {
            continue;
        }
        if let Some(message) = unwrapped_init_code(&tx.data) {
            return Err(Error::Config(format!(
                "{name}: transaction {index}: {message}; or pass --allow-unwrapped to run it as the chain would, as EVM code"
            )));
        }
    }
    Ok(())
}

/// Why init code `data` cannot be meant as it is: a bare WASM module or RV64IM ELF, which
/// deploys only inside the zkos envelope (`None`: it can).
pub fn unwrapped_init_code(data: &[u8]) -> Option<String> {
    let (what, kind) = if data.starts_with(b"\0asm") {
        ("a WASM module (\\0asm)", 0x01)
    } else if data.starts_with(b"\x7fELF") {
        ("an ELF (0x7F 'E' 'L' 'F')", 0x02)
    } else {
        return None;
    };
    Some(format!(
        "init code is {what} without the zkos envelope, which the chain would run as EVM code: wrap it as \
         0xEF 0x5A {kind:#04x} 0x00, the constants length (4 bytes, big-endian), the constants, the code length \
         (4 bytes, big-endian), the code, then the constructor arguments (wasm-deploy wraps it automatically)"
    ))
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
    let count = |outcome: &str| report.transactions.iter().filter(|t| t.outcome == outcome).count();
    let _ = writeln!(
        out,
        "{} transaction(s): {} succeeded, {} reverted, {} failed, {} rejected; gas used {}",
        report.transactions.len(),
        count("success"),
        count("reverted"),
        count("failed"),
        count("rejected"),
        report.gas_used
    );
    for tx in &report.transactions {
        let _ = write!(out, "\ntx {}", tx.index);
        if let Some(hash) = tx.hash {
            let _ = write!(out, " {hash}");
        }
        let _ = match (tx.outcome, &tx.error, &tx.revert_reason, &tx.failure) {
            ("rejected", Some(error), _, _) => {
                let _ = writeln!(out, ": rejected: {error}");
                continue;
            }
            (_, _, Some(reason), _) => writeln!(out, ": reverted: {}, gas used {}", printable(reason), tx.gas_used),
            (_, _, _, Some(failure)) => writeln!(out, ": failed ({failure}), gas used {}", tx.gas_used),
            (outcome, Some(error), _, _) => writeln!(out, ": {outcome} ({error}), gas used {}", tx.gas_used),
            (outcome, None, _, _) => writeln!(out, ": {outcome}, gas used {}", tx.gas_used),
        };
        if let Some(call) = &tx.call {
            let _ = writeln!(out, "  call {}", printable(call));
        }
        if let Some(address) = tx.contract_address {
            let _ = writeln!(out, "  created {address}");
        }
        match &tx.returned {
            Some(returned) => {
                let _ = writeln!(out, "  returned {}", printable(returned));
            }
            None if tx.output != "0x" => {
                let _ = writeln!(out, "  output {}", tx.output);
            }
            None => {}
        }
        for log in &tx.logs {
            if let Some(event) = &log.event {
                let _ = writeln!(out, "  event from {}: {}", log.address, printable(event));
                continue;
            }
            let _ = writeln!(out, "  log from {}", log.address);
            for (t, topic) in log.topics.iter().enumerate() {
                let _ = writeln!(out, "    topic {t}: {topic}");
            }
            let _ = writeln!(out, "    data: {}", log.data);
        }
        for message in &tx.debug {
            let _ = writeln!(out, "  debug: {}", printable(message));
        }
        if let Some(d) = &tx.debug_dropped {
            let _ = writeln!(
                out,
                "  debug output cut at {} bytes: {} more byte(s) not kept ({} message(s) dropped whole)",
                host_abi::limits::MAX_DEBUG_OUTPUT,
                d.bytes,
                d.messages
            );
        }
        if let Some(frame) = &tx.trace {
            let _ = writeln!(out, "  call tree:");
            trace::render(&mut out, frame, 2);
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
    if let Some(k) = &report.kernel {
        let accelerators = k["accelerators"]
            .as_object()
            .map(|a| a.iter().map(|(kind, n)| format!("{kind} {n}")).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let _ = write!(out, "kernel mode: same record as host mode; {} RV64IM instructions", k["instructions"]);
        if let Some(per_gas) = k["instructionsPerGas"].as_f64() {
            let _ = write!(out, " ({per_gas:.1} per gas)");
        }
        let _ = writeln!(out, "; accelerators: {accelerators}; {} misaligned accesses", k["misalignedAccesses"]);
        if let Some(phases) = k["breakdown"].as_object().filter(|p| !p.is_empty()) {
            let phases: Vec<String> = phases.iter().map(|(phase, n)| format!("{phase} {n}")).collect();
            let _ = writeln!(out, "kernel phases (instructions): {}", phases.join(", "));
        }
        if let Some(phases) = k["blockPhases"].as_object().filter(|p| !p.is_empty()) {
            let phases: Vec<String> = phases.iter().map(|(phase, n)| format!("{phase} {n}")).collect();
            let _ = writeln!(out, "block phases (instructions): {}", phases.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use host_abi::envelope::{Envelope, Kind};

    /// `(module (import "zkos" "debug_log" (func (param i32 i32))) (memory (export "memory") 1 1)
    /// (data (i32.const 0) "hello\nzkos") (func (export "call") (call 0 (i32.const 0)
    /// (i32.const 5)) (call 0 (i32.const 0) (i32.const 10))))`, assembled by hand.
    const LOGGER: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
        0x01, 0x09, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x00, 0x00, // types
        0x02, 0x12, 0x01, 0x04, b'z', b'k', b'o', b's', 0x09, b'd', b'e', b'b', b'u', b'g', b'_', b'l', b'o', b'g',
        0x00, 0x00, // import
        0x03, 0x02, 0x01, 0x01, // functions
        0x05, 0x04, 0x01, 0x01, 0x01, 0x01, // memory 1 1
        0x07, 0x11, 0x02, 0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00, 0x04, b'c', b'a', b'l', b'l', 0x00,
        0x01, // exports
        0x0a, 0x10, 0x01, 0x0e, 0x00, 0x41, 0x00, 0x41, 0x05, 0x10, 0x00, 0x41, 0x00, 0x41, 0x0a, 0x10, 0x00,
        0x0b, // code
        0x0b, 0x10, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x0a, b'h', b'e', b'l', b'l', b'o', b'\n', b'z', b'k', b'o',
        b's', // data
    ];

    fn block() -> String {
        let env = Envelope { kind: Kind::Wasm, version: 0, constants: &[], code: LOGGER };
        let mut code = vec![0u8; env.encoded_len()];
        env.encode_into(&mut code).expect("encoded length");
        let sender = "0x1111111111111111111111111111111111111111";
        let logger = "0x2222222222222222222222222222222222222222";
        let tx = |nonce: u64| {
            serde_json::json!({ "data": "0x", "gasLimit": "0x100000", "gasPrice": "0x0",
                "nonce": format!("{nonce:#x}"), "sender": sender, "to": logger, "value": "0x0" })
        };
        serde_json::json!({
            "env": { "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
                "currentGasLimit": "0x1000000", "currentNumber": "0x1", "currentTimestamp": "0x1" },
            "pre": {
                sender: { "balance": "0x1000", "nonce": "0x0", "code": "0x", "storage": {} },
                logger: { "balance": "0x0", "nonce": "0x1", "code": hex_bytes(&code), "storage": {} }
            },
            "transaction": [tx(0), tx(1)]
        })
        .to_string()
    }

    #[test]
    fn run_prints_debug_output_per_transaction() {
        for engine in [Engine::Wasmi, Engine::Rv] {
            let report = run_text("debug.json", &block(), Chain { id: 1, ..Chain::default() }, &Options::on(engine))
                .expect("the block runs");
            for tx in &report.transactions {
                assert_eq!(tx.status, "success", "{:?}", tx.error);
                // Kept per transaction: each has its own two messages.
                assert_eq!(tx.debug, ["hello", "hello\nzkos"]);
                assert!(tx.debug_dropped.is_none());
            }
            let text = render(&report);
            assert_eq!(text.matches("  debug: hello\n").count(), 2, "{text}");
            // A newline in a message cannot start a line of the report.
            assert_eq!(text.matches("  debug: hello\\nzkos\n").count(), 2, "{text}");
            assert_eq!(printable("a\0b\u{1b}[2J"), "a\\0b\\u{1b}[2J");
            let json = serde_json::to_value(&report).expect("serializes");
            assert_eq!(json["transactions"][1]["debug"], serde_json::json!(["hello", "hello\nzkos"]));
            assert!(json["transactions"][1].get("debugDropped").is_none());
        }
    }

    #[test]
    fn text_of_dropped_debug_output() {
        let mut report =
            run_text("debug.json", &block(), Chain { id: 1, ..Chain::default() }, &Options::on(Engine::Wasmi))
                .expect("the block runs");
        report.transactions[0].debug_dropped = Some(DebugDropped { bytes: 7, messages: 2 });
        let text = render(&report);
        assert!(
            text.contains("debug output cut at 65536 bytes: 7 more byte(s) not kept (2 message(s) dropped whole)"),
            "{text}"
        );
        let json = serde_json::to_value(&report).expect("serializes");
        assert_eq!(json["transactions"][0]["debugDropped"], serde_json::json!({ "bytes": 7, "messages": 2 }));
    }
}
