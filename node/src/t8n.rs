//! `zkos t8n`: the state transition tool, with the flags and JSON of geth's `evm t8n` and
//! the execution specs' `ethereum-spec-evm t8n`.

use std::path::Path;

use serde_json::Value;

use wasm_runtime::fork::Fork;

use crate::error::{Error, Result};
use crate::input::{self, TxInput, Unsigned};
use crate::json::Reader;
use crate::{output, transition};

/// Flags of `zkos t8n`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The pre-state (JSON file, or `stdin`).
    #[arg(long = "input.alloc", default_value = "alloc.json")]
    pub input_alloc: String,
    /// The block environment (JSON file, or `stdin`).
    #[arg(long = "input.env", default_value = "env.json")]
    pub input_env: String,
    /// The transactions: a JSON array, a JSON string of RLP hex (e.g. a `.rlp` file), or
    /// `stdin`.
    #[arg(long = "input.txs", default_value = "txs.json")]
    pub input_txs: String,
    /// Directory the outputs are written to.
    #[arg(long = "output.basedir", default_value = ".")]
    pub output_basedir: String,
    /// Where the result goes (`stdout`, `stderr`, or a file in the base directory).
    #[arg(long = "output.result", default_value = "result.json")]
    pub output_result: String,
    /// Where the post-state goes (`stdout`, `stderr`, or a file in the base directory).
    #[arg(long = "output.alloc", default_value = "alloc.json")]
    pub output_alloc: String,
    /// Where the RLP of the transactions goes, if anywhere.
    #[arg(long = "output.body")]
    pub output_body: Option<String>,
    /// The fork rules: Cancun, Prague, Osaka or a blob-parameter-only fork (BPO1–BPO4).
    #[arg(long = "state.fork", default_value = "Osaka")]
    pub fork: String,
    /// The chain id.
    #[arg(long = "state.chainid", default_value_t = 1)]
    pub chain_id: u64,
    /// Block reward before the merge; accepted for compatibility, unused after it.
    #[arg(long = "state.reward", allow_hyphen_values = true)]
    pub reward: Option<i64>,
    /// Also run the block in kernel mode (statelessly, inside the RV64IM machine): the
    /// kernel's record must equal host mode's (else exit code 2 and nothing written), and
    /// result.json gets `"kernel": {"instructions", "accelerators", ...}`.
    #[arg(long)]
    pub kernel: bool,
    /// With `--kernel`: the artifacts (compiled code included) of the contracts the block
    /// runs are committed before it, as the blocks that deployed them would have left them (a
    /// warm block: the kernel takes them from the witness instead of building them again).
    #[arg(long, requires = "kernel")]
    pub warm: bool,
}

/// Runs `zkos t8n`.
pub fn main(args: &Args) -> Result<()> {
    let fork = check_fork(&args.fork)?;
    let stdin = if [&args.input_alloc, &args.input_env, &args.input_txs].iter().any(|f| *f == "stdin") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Error::Io { path: "stdin".into(), message: e.to_string() })?;
        Some(parse_json("stdin", &text)?)
    } else {
        None
    };
    let load = |file: &str, key: &str| -> Result<(String, Value)> {
        if file == "stdin" {
            let all = stdin.as_ref().and_then(|v| v.get(key)).cloned();
            return all.map(|v| ("stdin".to_string(), v)).ok_or_else(|| Error::field("stdin", key, "missing"));
        }
        Ok((file.to_string(), read_input(file)?))
    };
    let (alloc_file, alloc_json) = load(&args.input_alloc, "alloc")?;
    let (env_file, env_json) = load(&args.input_env, "env")?;
    let (txs_file, txs_json) = load(&args.input_txs, "txs")?;
    let prefix = |file: &str, key: &'static str| if file == "stdin" { key } else { "" };

    let pre = input::alloc(Reader::new(&alloc_file), &alloc_json, prefix(&alloc_file, "alloc"))?;
    let mut env = input::env(Reader::new(&env_file), &env_json, prefix(&env_file, "env"))?;
    env.block.fork = fork;
    env.block.chain_id = args.chain_id;
    let txs = input::txs(Reader::new(&txs_file), &txs_json, prefix(&txs_file, "txs"), args.chain_id, Unsigned::Refuse)?;

    let outcome = transition::apply(&pre, &env, &txs, wasm_runtime::engine::EngineKind::Wasmi)?;
    let kernel = if args.kernel {
        let block = transition::block(&pre, &env, &txs);
        let input = if args.warm {
            crate::kernel::warm_input_for(&pre, &block)?
        } else {
            crate::kernel::input_for(&pre, &block)?
        };
        let (record, figures) = crate::kernel::run(input.encode())?;
        crate::kernel::check(&record, &outcome, input.pre_state_root)?;
        Some(figures.to_json(record.gas_used))
    } else {
        None
    };

    let mut to_stdout = serde_json::Map::new();
    let mut result = to_value(&output::result(&env, &outcome))?;
    if let (Some(kernel), Value::Object(fields)) = (kernel, &mut result) {
        fields.insert("kernel".into(), kernel);
    }
    let alloc = to_value(&output::alloc(&outcome.post))?;
    emit(&args.output_basedir, &args.output_result, "result", result, &mut to_stdout)?;
    emit(&args.output_basedir, &args.output_alloc, "alloc", alloc, &mut to_stdout)?;
    if let Some(body) = &args.output_body {
        let rlp = crate::json::hex_bytes(body_rlp(&txs));
        emit(&args.output_basedir, body, "body", Value::String(rlp), &mut to_stdout)?;
    }
    if !to_stdout.is_empty() {
        println!("{}", pretty(&Value::Object(to_stdout))?);
    }
    Ok(())
}

/// The fork named `fork` (any case), or an error that lists the forks zkos implements.
pub fn check_fork(fork: &str) -> Result<Fork> {
    Fork::parse(fork).ok_or_else(|| {
        let known: Vec<&str> = Fork::names().collect();
        Error::Config(format!("unsupported fork `{fork}`: zkos implements {}", known.join(", ")))
    })
}

/// Reads a JSON input file. A `.rlp` file may also hold bare RLP hex.
pub fn read_input(path: &str) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.into(), message: e.to_string() })?;
    if path.ends_with(".rlp") {
        let trimmed = text.trim();
        if trimmed.starts_with("0x") {
            return Ok(Value::String(trimmed.to_string()));
        }
    }
    parse_json(path, &text)
}

/// Parses JSON text, naming the file and the line and column of an error.
pub fn parse_json(file: &str, text: &str) -> Result<Value> {
    crate::json::parse_strict(text).map_err(|e| Error::Json { file: file.into(), message: e.to_string() })
}

fn to_value(v: &impl serde::Serialize) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Exec(format!("serializing the output: {e}")))
}

fn pretty(v: &Value) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Exec(format!("serializing the output: {e}")))
}

/// Writes one output: to stdout (collected into one object), stderr, or a file.
fn emit(
    basedir: &str,
    target: &str,
    key: &str,
    value: Value,
    stdout: &mut serde_json::Map<String, Value>,
) -> Result<()> {
    match target {
        "stdout" => {
            stdout.insert(key.into(), value);
        }
        "stderr" => eprintln!("{}", pretty(&value)?),
        file => {
            let path = Path::new(basedir).join(file);
            std::fs::create_dir_all(basedir).map_err(|e| Error::Io { path: basedir.into(), message: e.to_string() })?;
            std::fs::write(&path, pretty(&value)? + "\n")
                .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
        }
    }
    Ok(())
}

/// The RLP list of the transactions that have an encoding (typed ones as byte strings,
/// legacy ones as their list), as the t8n tools write the block body.
pub fn body_rlp(txs: &[TxInput]) -> Vec<u8> {
    let mut payload = Vec::new();
    for raw in txs.iter().filter_map(|t| t.encoded.as_deref()) {
        if raw.first().is_some_and(|b| *b >= 0xc0) {
            payload.extend_from_slice(raw);
        } else {
            alloy_rlp::Encodable::encode(&raw, &mut payload);
        }
    }
    let mut out = Vec::new();
    alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
    out.extend_from_slice(&payload);
    out
}
