//! `zkos run`: the example block, its JSON report, the benchmark input form, and agreement
//! with `zkos t8n` on the same block.

mod common;

use common::{run_zkos, scratch, write_inputs, zkos};
use serde_json::{json, Value};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/block.json");

fn run_json(args: &[&str]) -> Value {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = zkos(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn example_block_runs_by_default() {
    let out = zkos(&["run"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("state root 0x"), "{text}");
    assert!(text.contains("rejected: nonce too high"), "{text}");
    assert!(text.contains("state changes:"), "{text}");
    // The built-in block is the file shipped in the repository.
    assert_eq!(run_json(&[]), run_json(&[EXAMPLE]));
}

#[test]
fn json_report_of_the_example() {
    let report = run_json(&[EXAMPLE]);
    let txs = report["transactions"].as_array().unwrap();
    let statuses: Vec<&str> = txs.iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["success", "success", "success", "success", "success", "success", "rejected"]);
    // The counter WASM contract: deployed with 5, incremented to 6 (with its event), read.
    let counter = "0xec0e71ad0a90ffe1909d27dac207f7680abba42d";
    assert!(txs[3]["contractAddress"].as_str().unwrap().eq_ignore_ascii_case(counter));
    let log = &txs[4]["logs"][0];
    assert!(log["address"].as_str().unwrap().eq_ignore_ascii_case(counter));
    assert_eq!(log["topics"][0], "0x38ac789ed44572701765277c4d0970f2db1c1a571ed39e84358095ae4eaa5420");
    let six = format!("0x{:064x}", 6);
    assert_eq!(log["data"], six.as_str());
    assert_eq!(txs[5]["output"], six.as_str());
    let slot = report["stateDiff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"].as_str().unwrap().eq_ignore_ascii_case(counter));
    assert_eq!(slot.unwrap()["storage"][0][2], "0x6");
    let gas: u64 = txs.iter().map(|t| t["gasUsed"].as_u64().unwrap()).sum();
    assert_eq!(report["gasUsed"].as_u64().unwrap(), gas);
    // Legacy transfer to a new account creates it.
    let created: Vec<&Value> =
        report["stateDiff"].as_array().unwrap().iter().filter(|c| c["status"] == "created").collect();
    assert!(created
        .iter()
        .any(|c| c["address"].as_str().unwrap().eq_ignore_ascii_case("0x6813eb9362372eef6200f3b1dbc3f819671cba69")));
    assert!(report["pubdataSize"].as_u64().unwrap() > 0);
    assert_eq!(report["pubdata"].as_str().unwrap().len(), 2 + 2 * report["pubdataSize"].as_u64().unwrap() as usize);
}

/// `zkos run` and `zkos t8n` agree on the state root of the same block.
#[test]
fn run_agrees_with_t8n() {
    let block: Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    let dir = scratch("run-vs-t8n");
    write_inputs(&dir, &block["alloc"], &block["env"], &block["txs"]);
    let t8n = run_zkos(&dir, "txs.json");
    let report = run_json(&[EXAMPLE]);
    assert_eq!(report["stateRoot"], t8n.result["stateRoot"]);
    assert_eq!(report["gasUsed"].as_u64().unwrap(), common::qty(&t8n.result["gasUsed"]) as u64);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The benchmark form: `{name: {env, pre, transaction}}` with explicit senders.
#[test]
fn benchmark_form_with_senders() {
    let sender = "0x1111111111111111111111111111111111111111";
    let to = "0x2222222222222222222222222222222222222222";
    let doc = json!({ "transfer": {
        "env": {
            "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
            "currentGasLimit": "0x7fffffffffffffff", "currentNumber": "0x1", "currentTimestamp": "0x1"
        },
        "pre": { sender: { "balance": "0x1000", "code": "0x", "nonce": "0x0", "storage": {} } },
        "transaction": [
            { "data": "0x", "gasLimit": "0x5208", "gasPrice": "0x0", "nonce": "0x0", "sender": sender, "to": to, "value": "0x10" },
            { "data": "0x", "gasLimit": "0x5208", "gasPrice": "0x0", "nonce": "0x1", "sender": sender, "to": to, "value": "0x20" }
        ]
    }});
    let dir = scratch("bench-form");
    let file = dir.join("transfer.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let report = run_json(&[file.to_str().unwrap()]);
    let txs = report["transactions"].as_array().unwrap();
    assert!(txs.iter().all(|t| t["status"] == "success"), "{txs:?}");
    let diff = report["stateDiff"].as_array().unwrap();
    let to_change = diff.iter().find(|c| c["address"].as_str().unwrap().eq_ignore_ascii_case(to)).unwrap();
    assert_eq!(to_change["status"], "created");
    assert_eq!(to_change["balance"][1], "0x30");
    // t8n refuses the same unsigned transactions: it only takes signatures or secret keys.
    write_inputs(&dir, &doc["transfer"]["pre"], &doc["transfer"]["env"], &doc["transfer"]["transaction"]);
    let p = |f: &str| dir.join(f).display().to_string();
    let out = zkos(&[
        "t8n",
        "--input.alloc",
        &p("alloc.json"),
        "--input.env",
        &p("env.json"),
        "--input.txs",
        &p("txs.json"),
        "--output.basedir",
        &p(""),
        "--state.fork",
        "Cancun",
    ]);
    assert_eq!(out.status.code(), Some(10));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The post-state `zkos t8n` writes reads back to the same state root, envelope contracts
/// (written in deploy form, with their constants) included.
#[test]
fn post_alloc_round_trips() {
    let block: Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    let dir = scratch("round-trip");
    write_inputs(&dir, &block["alloc"], &block["env"], &block["txs"]);
    let first = run_zkos(&dir, "txs.json");
    let code = first.alloc["0xec0e71ad0a90ffe1909d27dac207f7680abba42d"]["code"].as_str().unwrap();
    assert!(code.starts_with("0xef5a0100"), "envelope in deploy form: {}", &code[..20]);
    write_inputs(&dir, &first.alloc, &block["env"], &json!([]));
    let again = run_zkos(&dir, "txs.json");
    assert_eq!(again.result["stateRoot"], first.result["stateRoot"]);
    assert_eq!(again.alloc, first.alloc);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A contract that calls itself until the 1024-frame depth limit stops it: `zkos run` runs
/// blocks on a stack that holds every frame, and both engines count the same frames.
#[test]
fn calls_to_the_depth_limit_on_both_engines() {
    let sender = "0x1111111111111111111111111111111111111111";
    let me = "0x2222222222222222222222222222222222222222";
    // slot0 += 1; call(gas, self, 0, 0, 0, 0, 0); stop
    let code = "0x5f5460010160005560005f5f5f5f305af100";
    let doc = json!({
        "env": {
            "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
            "currentGasLimit": "0x7fffffffffffffff", "currentNumber": "0x1", "currentTimestamp": "0x1"
        },
        "pre": {
            sender: { "balance": "0x0", "code": "0x", "nonce": "0x0", "storage": {} },
            me: { "balance": "0x0", "code": code, "nonce": "0x1", "storage": {} }
        },
        "transaction": [
            { "data": "0x", "gasLimit": "0x4000000000000000", "gasPrice": "0x0", "nonce": "0x0", "sender": sender, "to": me, "value": "0x0" }
        ]
    });
    let dir = scratch("depth-limit");
    let file = dir.join("deep.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let mut reports = Vec::new();
    for engine in ["wasmi", "rv"] {
        // 2^62 gas is far above what EIP-7825 lets one transaction have from Osaka (2^24):
        // the case runs under Cancun, the rules it was written for.
        let report = run_json(&[file.to_str().unwrap(), "--engine", engine, "--fork", "Cancun"]);
        let tx = &report["transactions"][0];
        assert_eq!(tx["status"], "success", "{engine}: {tx}");
        let change = report["stateDiff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"].as_str().unwrap().eq_ignore_ascii_case(me))
            .unwrap()
            .clone();
        // The transaction's frame and 1024 nested ones ran.
        assert_eq!(change["storage"][0][2], "0x401", "{engine}");
        assert_eq!(report["work"]["frames"], 1025, "{engine}");
        reports.push((tx["gasUsed"].clone(), change));
    }
    assert_eq!(reports[0], reports[1], "both engines agree");
}

/// Issue 13: `zkos gas-report` takes a native contract, an ELF or its envelope, and reports
/// the bounds of the module its deployment lifts it to.
#[test]
fn gas_report_of_a_native_contract() {
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/out/native-c.elf");
    assert!(std::path::Path::new(elf).is_file(), "{elf} is missing: run examples/build.sh");
    let out = zkos(&["gas-report", elf, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    assert!(text.contains("\"call\""), "the lifted module's call export is reported: {text:.400}");
}
