//! Bad input to `zkos t8n` and `zkos run`: a clear message naming the file and field, a
//! non-zero exit code (geth's t8n codes), never a panic.

mod common;

use std::path::Path;
use std::process::Output;

use common::{scratch, write_inputs, zkos};
use serde_json::{json, Value};

fn alloc() -> Value {
    json!({ "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": { "balance": "0x3635c9adc5dea00000", "nonce": "0x0" } })
}

fn env() -> Value {
    json!({
        "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
        "currentGasLimit": "0x1000000",
        "currentNumber": "0x1",
        "currentTimestamp": "0x3e8",
        "currentBaseFee": "0x7",
        "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
        "withdrawals": []
    })
}

fn tx() -> Value {
    json!({
        "type": "0x2", "chainId": "0x1", "nonce": "0x0", "gas": "0x5208",
        "maxFeePerGas": "0x10", "maxPriorityFeePerGas": "0x2",
        "to": "0x1000000000000000000000000000000000000001", "value": "0x100", "input": "0x",
        "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
    })
}

/// Runs `zkos t8n` on the inputs in `dir`; `overrides` are flag/value pairs that replace
/// the defaults or add to them.
fn t8n(dir: &Path, overrides: &[&str]) -> Output {
    let p = |f: &str| dir.join(f).display().to_string();
    let mut flags: Vec<(String, String)> = vec![
        ("--input.alloc".into(), p("alloc.json")),
        ("--input.env".into(), p("env.json")),
        ("--input.txs".into(), p("txs.json")),
        ("--output.basedir".into(), dir.display().to_string()),
        ("--state.fork".into(), "Cancun".into()),
    ];
    for pair in overrides.chunks(2) {
        match flags.iter_mut().find(|(flag, _)| flag == pair[0]) {
            Some(slot) => slot.1 = pair[1].to_string(),
            None => flags.push((pair[0].to_string(), pair[1].to_string())),
        }
    }
    let mut args = vec!["t8n".to_string()];
    for (flag, value) in flags {
        args.push(flag);
        args.push(value);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    zkos(&args)
}

/// Asserts a failure with `code` whose message contains every one of `needles`.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
    }
}

/// Writes valid inputs, then lets `edit` break one file.
fn case(name: &str, edit: impl FnOnce(&Path)) -> std::path::PathBuf {
    let dir = scratch(name);
    write_inputs(&dir, &alloc(), &env(), &json!([tx()]));
    edit(&dir);
    dir
}

#[test]
fn valid_inputs_succeed() {
    let dir = case("ok", |_| {});
    let out = t8n(&dir, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("result.json")).unwrap()).unwrap();
    assert_eq!(result["gasUsed"], "0x5208");
    assert_eq!(result["receipts"][0]["status"], "0x1");
}

#[test]
fn unsupported_fork_is_a_configuration_error() {
    let dir = case("fork", |_| {});
    assert_fails(&t8n(&dir, &["--state.fork", "London"]), 3, &["unsupported fork `London`", "Cancun"]);
}

#[test]
fn malformed_json_names_the_file() {
    let dir = case("badjson", |d| std::fs::write(d.join("alloc.json"), "{ \"0xa94f\": ").unwrap());
    assert_fails(&t8n(&dir, &[]), 10, &["alloc.json", "invalid JSON", "line 1"]);
}

#[test]
fn bad_hex_names_the_field() {
    let dir = case("badhex", |d| {
        let bad = json!({ "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": { "balance": "0xzz" } });
        std::fs::write(d.join("alloc.json"), bad.to_string()).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["alloc.json", "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b.balance", "0xzz"]);
}

#[test]
fn bad_code_hex_names_the_field() {
    let dir = case("badcode", |d| {
        let bad = json!({ "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": { "balance": "0x1", "code": "0x123" } });
        std::fs::write(d.join("alloc.json"), bad.to_string()).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["code", "not hex"]);
}

#[test]
fn missing_env_field_is_named() {
    let dir = case("noenv", |d| {
        let mut e = env();
        e.as_object_mut().unwrap().remove("currentCoinbase");
        std::fs::write(d.join("env.json"), e.to_string()).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["env.json", "currentCoinbase", "missing"]);
}

#[test]
fn missing_tx_field_is_named() {
    let dir = case("notx", |d| {
        let mut t = tx();
        t.as_object_mut().unwrap().remove("nonce");
        std::fs::write(d.join("txs.json"), json!([tx(), t]).to_string()).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["txs.json", "[1].nonce", "missing"]);
}

#[test]
fn unsigned_tx_without_key_is_an_error() {
    let dir = case("unsigned", |d| {
        let mut t = tx();
        t.as_object_mut().unwrap().remove("secretKey");
        std::fs::write(d.join("txs.json"), json!([t]).to_string()).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["[0]", "secretKey"]);
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = case("nofile", |d| std::fs::remove_file(d.join("env.json")).unwrap());
    assert_fails(&t8n(&dir, &[]), 11, &["env.json"]);
}

#[test]
fn malformed_rlp_list_is_an_rlp_error() {
    let dir = case("badrlp", |d| std::fs::write(d.join("txs.rlp"), "\"0xf90000\"").unwrap());
    let txs = dir.join("txs.rlp").display().to_string();
    assert_fails(&t8n(&dir, &["--input.txs", &txs]), 12, &["txs.rlp", "RLP"]);
}

/// Undecodable bytes inside a well-formed list reject that transaction only.
#[test]
fn garbage_transaction_in_rlp_list_is_rejected() {
    // [ 0x05c0 (unknown type 5), 0x80 (an empty string) ]
    let dir = case("garbage", |d| std::fs::write(d.join("txs.rlp"), "\"0xc48205c080\"").unwrap());
    let txs = dir.join("txs.rlp").display().to_string();
    let out = t8n(&dir, &["--input.txs", &txs, "--output.result", "stdout"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rejected = json["result"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert!(rejected[0]["error"].as_str().unwrap().contains("unknown transaction type 0x05"), "{rejected:?}");
    assert!(rejected[1]["error"].as_str().unwrap().contains("empty"), "{rejected:?}");
}

#[test]
fn stdin_inputs_and_stdout_outputs() {
    let input = json!({ "alloc": alloc(), "env": env(), "txs": [tx()] }).to_string();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zkos"))
        .args([
            "t8n",
            "--input.alloc",
            "stdin",
            "--input.env",
            "stdin",
            "--input.txs",
            "stdin",
            "--output.result",
            "stdout",
            "--output.alloc",
            "stdout",
            "--state.fork",
            "Cancun",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"]["gasUsed"], "0x5208");
    assert_eq!(json["alloc"]["0x1000000000000000000000000000000000000001"]["balance"], "0x100");
}

#[test]
fn run_reports_bad_files_clearly() {
    let dir = scratch("run-bad");
    let file = dir.join("block.json");
    std::fs::write(&file, json!({ "env": env(), "txs": [] }).to_string()).unwrap();
    let path = file.display().to_string();
    assert_fails(&zkos(&["run", &path]), 10, &["block.json", "alloc"]);
    std::fs::write(&file, "not json").unwrap();
    assert_fails(&zkos(&["run", &path]), 10, &["block.json", "invalid JSON"]);
    assert_fails(&zkos(&["run", "/nonexistent/block.json"]), 11, &["/nonexistent/block.json"]);
}
