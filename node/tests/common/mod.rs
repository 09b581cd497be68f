//! Helpers shared by the t8n tests: scratch directories, running `zkos t8n` and the
//! reference t8n of the Python execution specification.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// The pip package that provides the reference t8n.
pub const REFERENCE_PACKAGE: &str = "ethereum-execution";

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkos-t8n-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `alloc.json`, `env.json` and `txs.json` into `dir`.
pub fn write_inputs(dir: &Path, alloc: &Value, env: &Value, txs: &Value) {
    for (file, value) in [("alloc.json", alloc), ("env.json", env), ("txs.json", txs)] {
        std::fs::write(dir.join(file), serde_json::to_string_pretty(value).unwrap()).unwrap();
    }
}

/// The flags both tools take, reading inputs from and writing outputs to `dir`.
fn t8n_flags(dir: &Path, txs_file: &str, fork: &str) -> Vec<String> {
    let p = |f: &str| dir.join(f).display().to_string();
    vec![
        "t8n".into(),
        "--input.alloc".into(),
        p("alloc.json"),
        "--input.env".into(),
        p("env.json"),
        "--input.txs".into(),
        p(txs_file),
        "--output.basedir".into(),
        dir.display().to_string(),
        "--output.result".into(),
        "result.json".into(),
        "--output.alloc".into(),
        "post.json".into(),
        "--output.body".into(),
        "body.json".into(),
        "--state.fork".into(),
        fork.into(),
        "--state.chainid".into(),
        "1".into(),
    ]
}

/// What a t8n run wrote.
#[derive(Debug)]
pub struct T8nOutput {
    /// `result.json`.
    pub result: Value,
    /// The post-state alloc.
    pub alloc: Value,
    /// The RLP of the transactions (a hex string).
    pub body: Value,
}

fn read_outputs(dir: &Path, who: &str, out: &Output) -> T8nOutput {
    assert!(
        out.status.success(),
        "{who} t8n failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{who}: {f}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{who}: {f}: {e}"))
    };
    T8nOutput { result: read("result.json"), alloc: read("post.json"), body: read("body.json") }
}

/// Runs `zkos t8n` on the inputs in `dir` (Cancun rules).
pub fn run_zkos(dir: &Path, txs_file: &str) -> T8nOutput {
    run_zkos_fork(dir, txs_file, "Cancun")
}

/// Runs `zkos t8n` on the inputs in `dir` under `fork`.
pub fn run_zkos_fork(dir: &Path, txs_file: &str, fork: &str) -> T8nOutput {
    let out = Command::new(env!("CARGO_BIN_EXE_zkos")).args(t8n_flags(dir, txs_file, fork)).output().unwrap();
    read_outputs(dir, "zkos", &out)
}

/// Runs `zkos t8n` on the inputs in `dir` under `fork`, with `extra` flags.
pub fn run_zkos_with(dir: &Path, txs_file: &str, fork: &str, extra: &[&str]) -> T8nOutput {
    let out =
        Command::new(env!("CARGO_BIN_EXE_zkos")).args(t8n_flags(dir, txs_file, fork)).args(extra).output().unwrap();
    read_outputs(dir, "zkos", &out)
}

/// Asserts that `ours` is the block `reference` computed: state, receipts and logs roots,
/// bloom, withdrawals root (and transactions root if `check_tx_root`), gas, base and blob
/// fees, every receipt, the rejected transactions and the post-state.
pub fn assert_same_block(name: &str, ours: &T8nOutput, reference: &T8nOutput, check_tx_root: bool) {
    let (r, o) = (&reference.result, &ours.result);
    let mut keys = vec!["stateRoot", "receiptsRoot", "logsHash", "logsBloom", "withdrawalsRoot"];
    if check_tx_root {
        keys.push("txRoot");
    }
    for key in keys {
        assert!(r[key].is_string(), "{name}: the reference wrote no {key}");
        assert_eq!(o[key], r[key], "{name}: {key}");
    }
    assert_eq!(qty(&o["gasUsed"]), qty(&r["gasUsed"]), "{name}: gasUsed");
    assert_eq!(qty(&o["currentBaseFee"]), qty(&r["currentBaseFee"]), "{name}: currentBaseFee");
    assert_eq!(qty(&o["currentExcessBlobGas"]), qty(&r["currentExcessBlobGas"]), "{name}: excess blob gas");

    let ours_receipts = o["receipts"].as_array().unwrap();
    let reference_receipts = r["receipts"].as_array().unwrap();
    assert_eq!(ours_receipts.len(), reference_receipts.len(), "{name}: receipt count");
    let mut previous = 0;
    for (i, (ours_r, ref_r)) in ours_receipts.iter().zip(reference_receipts).enumerate() {
        let cumulative = qty(&ref_r["cumulativeGasUsed"]);
        assert_eq!(qty(&ours_r["cumulativeGasUsed"]), cumulative, "{name}: receipt {i} cumulativeGasUsed");
        assert_eq!(qty(&ours_r["gasUsed"]), cumulative - previous, "{name}: receipt {i} gasUsed");
        previous = cumulative;
        let success = ref_r["succeeded"].as_bool().unwrap();
        assert_eq!(qty(&ours_r["status"]), u128::from(success), "{name}: receipt {i} status");
        assert_eq!(ours_r["transactionHash"], ref_r["transactionHash"], "{name}: receipt {i} transactionHash");
        assert_eq!(ours_r["logsBloom"], ref_r["bloom"], "{name}: receipt {i} bloom");
    }
    let rejected = |v: &Value| -> Vec<u64> {
        v["rejected"].as_array().unwrap().iter().map(|x| x["index"].as_u64().unwrap()).collect()
    };
    assert_eq!(rejected(o), rejected(r), "{name}: rejected indices");
    assert_eq!(normalize_alloc(&ours.alloc), normalize_alloc(&reference.alloc), "{name}: post-state alloc");
}

/// Runs `zkos` with `args`, returning its output whatever the exit status.
pub fn zkos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkos")).args(args).output().unwrap()
}

/// The Python interpreter that has the reference t8n (`ZKOS_PYTHON`, default `python3`).
fn python() -> String {
    std::env::var("ZKOS_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs the reference t8n (`python3 -m ethereum_spec_tools.evm_tools t8n`) on the inputs in
/// `dir` into the subdirectory `reference`. Fails the test, naming the pip package, when the
/// reference is not installed. Cancun rules.
pub fn run_reference(dir: &Path, txs_file: &str) -> T8nOutput {
    run_reference_fork(dir, txs_file, "Cancun")
}

/// [`run_reference`] under `fork`.
pub fn run_reference_fork(dir: &Path, txs_file: &str, fork: &str) -> T8nOutput {
    let probe = Command::new(python()).args(["-c", "import ethereum_spec_tools.evm_tools"]).output();
    let installed = probe.as_ref().is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "the reference t8n is missing: install the Python execution specification with \
         `python3 -m pip install {REFERENCE_PACKAGE}` (it provides \
         `python3 -m ethereum_spec_tools.evm_tools t8n`, also installed as `ethereum-spec-evm`)"
    );
    let out_dir = dir.join("reference");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut flags = t8n_flags(dir, txs_file, fork);
    let basedir = flags.iter().position(|f| f == "--output.basedir").unwrap() + 1;
    flags[basedir] = out_dir.display().to_string();
    let out = Command::new(python()).args(["-m", "ethereum_spec_tools.evm_tools"]).args(&flags).output().unwrap();
    read_outputs(&out_dir, "reference", &out)
}

/// A hex quantity as a number.
pub fn qty(v: &Value) -> u128 {
    let s = v.as_str().unwrap_or_else(|| panic!("expected a hex quantity, found {v}"));
    u128::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// An alloc normalized for comparison: lowercase addresses, quantities as numbers, empty
/// code and storage left out, storage keys and values as numbers.
pub fn normalize_alloc(alloc: &Value) -> std::collections::BTreeMap<String, String> {
    let big = |v: &Value| {
        let s = v.as_str().unwrap().trim_start_matches("0x").trim_start_matches('0');
        if s.is_empty() {
            "0".to_string()
        } else {
            s.to_lowercase()
        }
    };
    alloc
        .as_object()
        .unwrap()
        .iter()
        .map(|(address, account)| {
            let get = |k: &str| account.get(k).filter(|v| !v.is_null());
            let balance = get("balance").map(big).unwrap_or_else(|| "0".into());
            let nonce = get("nonce").map(big).unwrap_or_else(|| "0".into());
            let code = get("code").and_then(Value::as_str).unwrap_or("0x").to_lowercase();
            let mut storage: Vec<(String, String)> = get("storage")
                .and_then(Value::as_object)
                .map(|s| {
                    s.iter().map(|(k, v)| (big(&Value::String(k.clone())), big(v))).filter(|(_, v)| v != "0").collect()
                })
                .unwrap_or_default();
            storage.sort();
            (address.to_lowercase(), format!("balance={balance} nonce={nonce} code={code} storage={storage:?}"))
        })
        .collect()
}

// Building blocks of signed transactions (the kernel takes signed transactions only).

/// Senders: `(secret key, address)`.
pub const A: (&str, &str) =
    ("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8", "a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
pub const B: (&str, &str) =
    ("0x0000000000000000000000000000000000000000000000000000000000000001", "7e5f4552091a69125d5dfcb7b8c2659029395bdf");
pub const C: (&str, &str) =
    ("0x0000000000000000000000000000000000000000000000000000000000000002", "2b5ad5c4795c026514f8317c7a215e218dccd6cf");
pub const D: (&str, &str) =
    ("0x0000000000000000000000000000000000000000000000000000000000000003", "6813eb9362372eef6200f3b1dbc3f819671cba69");

/// A 32-byte ABI word of `v` (hex, no prefix).
pub fn word(v: u64) -> String {
    format!("{v:064x}")
}

/// An address as a 32-byte ABI word (hex, no prefix).
pub fn address_word(a: &str) -> String {
    format!("{:0>64}", a.trim_start_matches("0x"))
}

/// The 4-byte selector of a Solidity signature (hex).
pub fn selector(signature: &str) -> String {
    hex::encode(&wasm_runtime::primitives::keccak256(signature.as_bytes())[..4])
}

/// Calldata: the selector of `signature`, then the words.
pub fn call(signature: &str, words: &[String]) -> String {
    format!("0x{}{}", selector(signature), words.concat())
}

/// An ABI-encoded `uint256[]` tail for a dynamic argument.
pub fn array(values: &[u64]) -> String {
    let mut out = word(values.len() as u64);
    for &v in values {
        out.push_str(&word(v));
    }
    out
}

/// Per-sender nonces and the transactions of one block.
pub struct Block {
    pub nonces: std::collections::BTreeMap<&'static str, u64>,
    pub txs: Vec<Value>,
}

impl Block {
    pub fn new(nonces: &[(&'static str, u64)]) -> Self {
        Block { nonces: nonces.iter().copied().collect(), txs: Vec::new() }
    }

    /// An EIP-1559 transaction from `from` (`to` `None`: a create).
    pub fn tx(&mut self, from: (&'static str, &str), to: Option<&str>, input: String, gas: u64) {
        self.tx_with_value(from, to, 0, input, gas);
    }

    /// An EIP-1559 transaction from `from` sending `value` wei (`to` `None`: a create).
    pub fn tx_with_value(
        &mut self,
        from: (&'static str, &str),
        to: Option<&str>,
        value: u128,
        input: String,
        gas: u64,
    ) {
        let nonce = self.nonces.entry(from.0).or_default();
        let mut tx = json!({
            "type": "0x2", "chainId": "0x1", "nonce": format!("{:#x}", *nonce), "gas": format!("{gas:#x}"),
            "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x2", "value": format!("{value:#x}"), "input": input,
            "accessList": [], "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": from.0,
        });
        tx["to"] = to.map_or(Value::Null, |t| Value::String(format!("0x{}", t.trim_start_matches("0x"))));
        *nonce += 1;
        self.txs.push(tx);
    }
}

pub fn env(number: u64) -> Value {
    json!({
        "currentCoinbase": "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e",
        "currentGasLimit": "0x1c9c380",
        "currentNumber": format!("{number:#x}"),
        "currentTimestamp": format!("{:#x}", 0x6600_0000 + 12 * number),
        "currentBaseFee": "0x3b9aca00",
        "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000abcdef",
        "currentExcessBlobGas": "0x0",
        "parentBeaconBlockRoot": "0x00000000000000000000000000000000000000000000000000000000000000aa",
        "withdrawals": [],
        "blockHashes": { format!("{:#x}", number - 1): "0x1111111111111111111111111111111111111111111111111111111111111111" }
    })
}
