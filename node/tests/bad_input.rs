//! Issue 17, item 5: bad input of every kind answered the same way — one line `zkos: …`
//! naming the file and the field (or byte offset) that is wrong, a non-zero exit code, and
//! no output file written (not even half of one). Malformed, truncated, deeply nested and
//! oversized (100 MB) inputs, and numbers at every boundary: one past the largest value a
//! field holds is bad input; the largest value itself is read, and the transaction that
//! carries it is rejected by the block rules with its reason (gas limit 2^64 − 1, nonce
//! 2^64 − 1, a value of 2^256 − 1 wei, a chain id mismatch).
//!
//! The 100 MB cases are built so the command refuses them after one read of the file
//! (about half a second each in release mode).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::{scratch, write_inputs, zkos};
use serde_json::{json, Value};

const SENDER_KEY: &str = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
const MB_100: usize = 100_000_000;

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
        "secretKey": SENDER_KEY
    })
}

/// Valid t8n inputs in a fresh directory; outputs go to its `out/`.
fn inputs(name: &str) -> PathBuf {
    let dir = scratch(&format!("bad-input-{name}"));
    write_inputs(&dir, &alloc(), &env(), &json!([tx()]));
    dir
}

/// `zkos t8n` on the inputs in `dir`, with `txs` as the transactions file.
fn t8n(dir: &Path, txs: &str) -> Output {
    let p = |f: &str| dir.join(f).display().to_string();
    zkos(&[
        "t8n",
        "--input.alloc",
        &p("alloc.json"),
        "--input.env",
        &p("env.json"),
        "--input.txs",
        &p(txs),
        "--output.basedir",
        &p("out"),
        "--output.result",
        "result.json",
        "--output.alloc",
        "alloc.json",
        "--state.fork",
        "Prague",
    ])
}

/// The failure: exit `code`, one line `zkos: …` holding every needle, no panic.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "not one line: {stderr}");
    assert!(lines[0].starts_with("zkos: "), "{stderr}");
    assert!(lines[0].len() < 600, "an overlong line ({} bytes): {}", lines[0].len(), &lines[0][..600]);
    for needle in needles {
        assert!(lines[0].contains(needle), "`{needle}` not in: {stderr}");
    }
}

/// Nothing written: no output directory, or an empty one.
fn assert_nothing_written(dir: &Path) {
    let out = dir.join("out");
    if let Ok(entries) = std::fs::read_dir(&out) {
        let names: Vec<_> = entries.map(|e| e.unwrap().file_name()).collect();
        assert!(names.is_empty(), "written after a failure: {names:?}");
    }
}

/// t8n with one input file replaced by `bytes`: fails with `code` and the needles, writes
/// nothing, and within `seconds`.
fn t8n_refuses(name: &str, file: &str, bytes: &[u8], code: i32, needles: &[&str], seconds: u64) {
    let dir = inputs(name);
    std::fs::write(dir.join(file), bytes).unwrap();
    let start = Instant::now();
    let out = t8n(&dir, if file.ends_with(".rlp") { file } else { "txs.json" });
    let took = start.elapsed();
    assert_fails(&out, code, needles);
    assert_nothing_written(&dir);
    assert!(took < Duration::from_secs(seconds), "{name}: {took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The result of a t8n run that succeeded (one transaction rejected or included).
fn t8n_result(name: &str, tx: Value, env_edit: impl FnOnce(&mut Value)) -> Value {
    let dir = inputs(name);
    let mut e = env();
    env_edit(&mut e);
    write_inputs(&dir, &alloc(), &e, &json!([tx]));
    let out = t8n(&dir, "txs.json");
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("out/result.json")).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn with(field: &str, value: &str) -> Value {
    let mut t = tx();
    t[field] = json!(value);
    t
}

fn rejection(result: &Value) -> String {
    let rejected = result["rejected"].as_array().expect("a rejected list");
    assert_eq!(rejected.len(), 1, "{result}");
    let error = rejected[0]["error"].as_str().unwrap().to_string();
    assert!(!error.contains('\n'), "{error}");
    error
}

#[test]
fn malformed_and_truncated_json_names_the_file_and_place() {
    let valid = serde_json::to_vec(&json!([tx()])).unwrap();
    t8n_refuses("trunc-txs", "txs.json", &valid[..valid.len() / 2], 10, &["txs.json", "invalid JSON", "line 1"], 10);
    let env_text = serde_json::to_vec(&env()).unwrap();
    t8n_refuses("trunc-env", "env.json", &env_text[..40], 10, &["env.json", "invalid JSON", "EOF"], 10);
    t8n_refuses("empty-alloc", "alloc.json", b"", 10, &["alloc.json", "invalid JSON"], 10);
    t8n_refuses("garbage-alloc", "alloc.json", b"{\"0xa9\": [}", 10, &["alloc.json", "invalid JSON", "column"], 10);
    // Bytes that are not UTF-8 fail as the file's read (exit 11), naming it.
    t8n_refuses("binary-txs", "txs.json", &[0xff, 0xfe, 0x00, 0x7b], 11, &["txs.json", "valid UTF-8"], 10);
    // A well-formed file of the wrong shape names the field.
    t8n_refuses("shape-env", "env.json", b"[]", 10, &["env.json", "expected an object"], 10);
    t8n_refuses("shape-tx", "txs.json", b"[7]", 10, &["txs.json", "[0]", "expected an object"], 10);
}

#[test]
fn deeply_nested_json_is_refused_at_a_depth() {
    for (file, name) in [("alloc.json", "deep-alloc"), ("env.json", "deep-env"), ("txs.json", "deep-txs")] {
        let depth = 100_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        t8n_refuses(name, file, text.as_bytes(), 10, &[file, "recursion limit exceeded", "column 128"], 10);
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        t8n_refuses(name, file, objects.as_bytes(), 10, &[file, "recursion limit exceeded"], 10);
    }
}

#[test]
fn oversized_inputs_of_100_mb_are_refused_quickly() {
    // 100 MB of code hex with an odd digit count: the field is named, the value cut short.
    let mut text = b"{\"0x1000000000000000000000000000000000000001\":{\"balance\":\"0x0\",\"code\":\"0x".to_vec();
    text.resize(text.len() + MB_100 + 1, b'0');
    text.extend_from_slice(b"\"}}");
    t8n_refuses(
        "big-code",
        "alloc.json",
        &text,
        10,
        &["alloc.json", "0x1000000000000000000000000000000000000001.code", "not hex"],
        10,
    );
    // 100 MB of a quantity: the number is too big for its field.
    let mut e = env();
    e["currentGasLimit"] = json!("HUGE");
    let e = e.to_string();
    let (head, tail) = e.split_once("HUGE").unwrap();
    let mut text = format!("{head}0x").into_bytes();
    text.resize(text.len() + MB_100, b'f');
    text.extend_from_slice(tail.as_bytes());
    t8n_refuses(
        "big-number",
        "env.json",
        &text,
        10,
        &["env.json", "currentGasLimit", "(100000002 characters)` does not fit in 256 bits"],
        10,
    );
    // 100 MB of an RLP transaction list whose header claims less than follows.
    let mut text = b"\"0xf9ffff".to_vec();
    text.resize(text.len() + MB_100, b'0');
    text.push(b'"');
    t8n_refuses("big-rlp", "txs.rlp", &text, 12, &["txs.rlp", "invalid RLP", "65535 bytes"], 10);
}

#[test]
fn numbers_one_past_their_field_are_bad_input() {
    let refuse = |name: &str, field: &str, value: &str, needles: &[&str]| {
        let dir = inputs(name);
        std::fs::write(dir.join("txs.json"), json!([with(field, value)]).to_string()).unwrap();
        assert_fails(&t8n(&dir, "txs.json"), 10, needles);
        assert_nothing_written(&dir);
    };
    refuse("gas-2^64", "gas", "0x10000000000000000", &["txs.json", "[0].gas", "does not fit in 64 bits"]);
    refuse("nonce-2^64", "nonce", "0x10000000000000000", &["txs.json", "[0].nonce", "64 bits"]);
    let two_256 = format!("0x1{}", "0".repeat(64));
    refuse("value-2^256", "value", &two_256, &["txs.json", "[0].value", "does not fit in 256 bits"]);
    refuse("fee-2^256", "maxFeePerGas", &two_256, &["txs.json", "[0].maxFeePerGas", "256 bits"]);
    refuse("chain-2^64", "chainId", "0x10000000000000000", &["txs.json", "[0].chainId"]);
    refuse("negative-gas", "gas", "-1", &["txs.json", "[0].gas"]);

    let dir = inputs("env-gas-2^64");
    let mut e = env();
    e["currentGasLimit"] = json!("0x10000000000000000");
    std::fs::write(dir.join("env.json"), e.to_string()).unwrap();
    assert_fails(&t8n(&dir, "txs.json"), 10, &["env.json", "currentGasLimit", "does not fit in 64 bits"]);
    assert_nothing_written(&dir);
}

#[test]
fn numbers_at_their_maximum_are_read_and_the_transaction_rejected() {
    let max64 = "0xffffffffffffffff";
    let gas = rejection(&t8n_result("gas-max", with("gas", max64), |_| {}));
    assert!(gas.contains("18446744073709551615") && gas.contains("block's remaining 16777216"), "{gas}");
    let nonce = rejection(&t8n_result("nonce-max", with("nonce", max64), |_| {}));
    assert!(nonce.contains("nonce too high") && nonce.contains("18446744073709551615"), "{nonce}");
    let max256 = format!("0x{}", "f".repeat(64));
    let value = rejection(&t8n_result("value-max", with("value", &max256), |_| {}));
    assert!(value.contains("insufficient funds") && value.contains("2^256 or more"), "{value}");
    let chain = rejection(&t8n_result("chain-mismatch", with("chainId", "0x5"), |_| {}));
    assert!(chain.contains("wrong chain id") && chain.contains("5") && chain.contains("chain is 1"), "{chain}");
    // The block's gas limit at 2^64 − 1 is read; the transaction then fits and runs.
    let result = t8n_result("env-gas-max", tx(), |e| e["currentGasLimit"] = json!(max64));
    assert_eq!(result["gasUsed"], "0x5208", "{result}");
}

#[test]
fn malformed_rlp_transactions_name_the_file() {
    // A list header claiming more than follows; a string where the list should be; not hex.
    t8n_refuses("rlp-trunc", "txs.rlp", b"\"0xf90100c0\"", 12, &["txs.rlp", "invalid RLP"], 10);
    t8n_refuses("rlp-string", "txs.rlp", b"\"0x83010203\"", 12, &["txs.rlp", "invalid RLP"], 10);
    t8n_refuses("rlp-hex", "txs.rlp", b"\"0xzz\"", 12, &["txs.rlp"], 10);
}

#[test]
fn run_refuses_bad_block_files() {
    let dir = scratch("bad-input-run");
    let file = dir.join("block.json");
    let path = file.display().to_string();
    let block = json!({ "alloc": alloc(), "env": env(), "txs": [tx()] }).to_string();
    std::fs::write(&file, &block[..block.len() / 2]).unwrap();
    assert_fails(&zkos(&["run", &path]), 10, &["block.json", "invalid JSON"]);
    std::fs::write(&file, format!("{}{}", "[".repeat(50_000), "]".repeat(50_000))).unwrap();
    assert_fails(&zkos(&["run", &path]), 10, &["block.json", "recursion limit exceeded"]);
    let mut bad = json!({ "alloc": alloc(), "env": env(), "txs": [with("nonce", "0x10000000000000000")] });
    std::fs::write(&file, bad.to_string()).unwrap();
    assert_fails(&zkos(&["run", &path]), 10, &["block.json", "txs[0].nonce", "64 bits"]);
    bad["txs"] = json!([tx()]);
    bad["env"]["currentGasLimit"] = json!("0x10000000000000000");
    std::fs::write(&file, bad.to_string()).unwrap();
    assert_fails(&zkos(&["run", &path]), 10, &["block.json", "currentGasLimit"]);
}

/// The test runners report a bad file as a failed case naming it (on stdout, with the test
/// results), and exit non-zero with one line on stderr.
#[test]
fn statetest_and_blocktest_report_bad_files() {
    let dir = scratch("bad-input-tests");
    let check = |command: &str, name: &str, text: &str, needle: &str| {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let out = zkos(&[command, &file.display().to_string()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stderr.contains("panicked"), "{command} {name}: {stderr}");
        assert_ne!(out.status.code(), Some(0), "{command} {name}: {stdout}");
        assert!(out.status.code().is_some(), "{command} {name}: killed by a signal");
        assert_eq!(stderr.lines().filter(|l| !l.trim().is_empty()).count(), 1, "{command} {name}: {stderr}");
        let line =
            stdout.lines().find(|l| l.starts_with("FAIL")).unwrap_or_else(|| panic!("{command} {name}: {stdout}"));
        assert!(line.contains(name) && line.contains(needle), "{command} {name}: {line}");
    };
    check("statetest", "st_trunc.json", "{\"t\": {\"env\": {\"currentNumber\": \"0x1\"", "invalid JSON");
    check(
        "statetest",
        "st_deep.json",
        &format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)),
        "recursion limit",
    );
    check("statetest", "st_shape.json", "{\"t\": {\"env\": {}}}", "missing field");
    check("blocktest", "bt_trunc.json", "{\"t\": {\"blocks\": [{\"rlp\": \"0xf9", "invalid JSON");
    check("blocktest", "bt_deep.json", &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), "recursion limit");
}

#[test]
fn code_files_are_refused_with_the_place() {
    let dir = scratch("bad-input-code");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    // EVM code: hex with an odd digit count.
    assert_fails(&zkos(&["gas-report", &write("odd.hex", b"0x6001600")]), 3, &["odd.hex", "bad hex"]);
    // EVM code: 100 MB of hex (50 MB of code), past the largest code zkos runs: refused
    // before the analysis (which took 30 s and 3.6 GB on it).
    let mut big = Vec::with_capacity(MB_100);
    big.resize(MB_100, b'0');
    let start = Instant::now();
    assert_fails(
        &zkos(&["gas-report", &write("big.hex", &big)]),
        3,
        &["big.hex", "EVM code of 50000000 bytes, more than the 262144 bytes zkos runs"],
    );
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    // WASM: truncated inside a section, 100 MB. (A file without the WASM magic number is
    // read as EVM bytecode by gas-report; wasm-validator's tests/error_lines.rs holds the
    // bad magic number's one-line error.)
    let counter = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/out/counter.wasm"));
    if let Ok(counter) = counter {
        let cut = write("cut.wasm", &counter[..counter.len() / 2]);
        assert_fails(&zkos(&["gas-report", &cut]), 3, &["cut.wasm", "validation failed", "byte offset"]);
    }
    let mut big = b"\0asm\x01\0\0\0".to_vec();
    big.resize(MB_100, 0);
    let start = Instant::now();
    assert_fails(&zkos(&["gas-report", &write("big.wasm", &big)]), 3, &["big.wasm", "more than 262144", "code-size"]);
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    // ELF: truncated, and 100 MB.
    let elf = write("cut.elf", b"\x7fELF\x02\x01\x01\0\0\0");
    assert_fails(&zkos(&["gas-report", &elf]), 3, &["cut.elf", "ELF"]);
    let mut big = b"\x7fELF\x02\x01\x01\0".to_vec();
    big.resize(MB_100, 0);
    assert_fails(
        &zkos(&["gas-report", &write("big.elf", &big)]),
        3,
        &["big.elf", "100000000 bytes, more than 1048576", "file-size"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
