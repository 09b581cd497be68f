//! `zkos t8n` against filled GeneralStateTests (ethereum/tests and the legacy tests,
//! Cancun). Every case that runs no contract code becomes t8n inputs, and the state root
//! and logs hash must equal the fixture's `post.Cancun[i].hash` and `.logs`. A case runs no
//! code when its transaction is invalid (the post-state is then the pre-state, so its root
//! checks the state root of pre-states with code and storage), or when the pre-state holds
//! no code and the transaction is a transfer to a codeless account or a creation with
//! empty init code.
//!
//! Each valid case runs twice: with the transaction as JSON fields signed from `secretKey`
//! (whose encoding must then equal the fixture's `txbytes`), and as the fixture's `txbytes`
//! in an RLP list. Cases that expect an exception run from `txbytes` only (some carry
//! values JSON cannot express) and must be rejected.

mod common;

use std::path::{Path, PathBuf};

use common::{run_zkos, scratch, write_inputs};
use serde_json::{json, Map, Value};

/// The fixture directory (`ZKOS_FIXTURES`, default `../shared/fixtures` beside the repository).
fn fixtures() -> PathBuf {
    std::env::var("ZKOS_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures")))
}

/// The GeneralStateTests trees, under the fixture directory.
const ROOTS: &[&str] = &["ethereum-tests/GeneralStateTests", "ethereum-legacytests/Cancun/GeneralStateTests"];

/// Whether the test runs no code: no code in the pre-state, no precompile target, and no
/// init code for a creation.
fn runs_no_code(test: &Map<String, Value>) -> bool {
    let pre = test["pre"].as_object().unwrap();
    let no_code = pre.values().all(|a| a.get("code").and_then(Value::as_str).is_none_or(|c| c == "0x" || c.is_empty()));
    let tx = &test["transaction"];
    let to = tx["to"].as_str().unwrap_or("");
    let target_ok = if to.is_empty() {
        tx["data"].as_array().unwrap().iter().all(|d| d == "0x")
    } else {
        let n = u128::from_str_radix(to.trim_start_matches("0x"), 16).unwrap_or(u128::MAX);
        n > 0x11
    };
    no_code && target_ok && tx.get("maxFeePerBlobGas").is_none()
}

struct Case {
    name: String,
    env: Value,
    pre: Value,
    tx: Value,
    txbytes: String,
    hash: Value,
    logs: Value,
    exception: Option<String>,
}

/// Every `*.json` two levels under each root, sorted.
fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in ROOTS {
        let root = fixtures().join(root);
        let dirs =
            std::fs::read_dir(&root).unwrap_or_else(|e| panic!("fixtures {}: {e} (set ZKOS_FIXTURES)", root.display()));
        for dir in dirs {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|x| x == "json") {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    files
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    {
        for file in fixture_files() {
            let dir = file.parent().and_then(Path::file_name).unwrap().to_string_lossy().to_string();
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            for (name, test) in doc.as_object().unwrap() {
                let test = test.as_object().unwrap();
                let Some(posts) = test["post"].get("Cancun").and_then(Value::as_array) else {
                    continue;
                };
                let codeless = runs_no_code(test);
                for (i, post) in posts.iter().enumerate() {
                    if !codeless && post.get("expectException").is_none() {
                        continue;
                    }
                    out.push(Case {
                        name: format!("{dir}/{name}[{i}]"),
                        env: test["env"].clone(),
                        pre: test["pre"].clone(),
                        tx: select_tx(&test["transaction"], &post["indexes"], post["txbytes"].as_str().unwrap()),
                        txbytes: post["txbytes"].as_str().unwrap().to_string(),
                        hash: post["hash"].clone(),
                        logs: post["logs"].clone(),
                        exception: post.get("expectException").and_then(Value::as_str).map(String::from),
                    });
                }
            }
        }
    }
    out
}

/// The t8n transaction of one post entry: the indexed data, gas and value; the type as the
/// fixture's `txbytes` has it (legacy ones are signed without EIP-155, as the fillers do).
fn select_tx(tx: &Value, indexes: &Value, txbytes: &str) -> Value {
    let pick = |field: &str, index: &str| tx[field][indexes[index].as_u64().unwrap() as usize].clone();
    let d = indexes["data"].as_u64().unwrap() as usize;
    let first = u8::from_str_radix(&txbytes[2..4], 16).unwrap();
    let mut out = json!({
        "chainId": "0x1",
        "nonce": tx["nonce"],
        "gas": pick("gasLimit", "gas"),
        "value": pick("value", "value"),
        "input": pick("data", "data"),
        "secretKey": tx["secretKey"],
    });
    let to = tx["to"].as_str().unwrap_or("");
    if !to.is_empty() {
        out["to"] = json!(to);
    }
    let access_list = tx.get("accessLists").and_then(|l| l.get(d)).filter(|l| !l.is_null()).cloned();
    match first {
        0x01 => {
            out["type"] = json!("0x1");
            out["gasPrice"] = tx["gasPrice"].clone();
            out["accessList"] = access_list.unwrap_or(json!([]));
        }
        0x02 => {
            out["type"] = json!("0x2");
            out["maxFeePerGas"] = tx["maxFeePerGas"].clone();
            out["maxPriorityFeePerGas"] = tx["maxPriorityFeePerGas"].clone();
            out["accessList"] = access_list.unwrap_or(json!([]));
        }
        _ => {
            out["type"] = json!("0x0");
            out["gasPrice"] = tx["gasPrice"].clone();
            out["protected"] = json!(false);
        }
    }
    out
}

/// A JSON string holding the RLP list of one raw transaction.
fn rlp_list_of(txbytes: &str) -> Value {
    let raw = hex::decode(txbytes.trim_start_matches("0x")).unwrap();
    let mut payload = Vec::new();
    if raw[0] >= 0xc0 {
        payload.extend_from_slice(&raw);
    } else {
        alloy_rlp::Encodable::encode(&raw.as_slice(), &mut payload);
    }
    let mut out = Vec::new();
    alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
    out.extend_from_slice(&payload);
    Value::String(format!("0x{}", hex::encode(out)))
}

fn check(case: &Case, dir: &Path, txs_file: &str, failures: &mut Vec<String>) {
    let out = run_zkos(dir, txs_file);
    let how = if txs_file.ends_with(".rlp") { "txbytes" } else { "json" };
    if out.result["stateRoot"] != case.hash {
        failures.push(format!("{} ({how}): stateRoot {} expected {}", case.name, out.result["stateRoot"], case.hash));
    }
    if out.result["logsHash"] != case.logs {
        failures.push(format!("{} ({how}): logsHash {} expected {}", case.name, out.result["logsHash"], case.logs));
    }
    let rejected = out.result["rejected"].as_array().unwrap();
    match &case.exception {
        Some(e) if rejected.is_empty() => failures.push(format!("{} ({how}): not rejected, expected {e}", case.name)),
        None if !rejected.is_empty() => {
            failures.push(format!("{} ({how}): rejected: {}", case.name, rejected[0]["error"]))
        }
        _ => {}
    }
    if how == "json" && case.exception.is_none() && out.body != rlp_list_of(&case.txbytes) {
        failures.push(format!("{} (json): signed encoding differs from txbytes", case.name));
    }
}

#[test]
fn codeless_state_tests_reach_the_fixture_roots() {
    let cases = cases();
    assert!(cases.len() >= 100, "only {} codeless cases found under {}", cases.len(), fixtures().display());
    let mut failures = Vec::new();
    let (mut json_runs, mut rlp_runs) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let dir = scratch(&format!("state-{i}"));
        let mut env = case.env.clone();
        env["withdrawals"] = json!([]);
        write_inputs(&dir, &case.pre, &env, &Value::Array(vec![case.tx.clone()]));
        std::fs::write(dir.join("txs.rlp"), rlp_list_of(&case.txbytes).to_string()).unwrap();
        if case.exception.is_none() {
            check(case, &dir, "txs.json", &mut failures);
            json_runs += 1;
        }
        check(case, &dir, "txs.rlp", &mut failures);
        rlp_runs += 1;
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!("{} cases: {json_runs} from JSON fields, {rlp_runs} from txbytes", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        json_runs + rlp_runs,
        failures.join("\n")
    );
}
