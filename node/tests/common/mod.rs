//! Helpers shared by the t8n tests: scratch directories, running `zkos t8n` and the
//! reference t8n of the Python execution specification.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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
