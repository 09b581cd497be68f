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

/// Asserts a failure with `code` whose message is one line, `zkos: …`, in no Rust `Debug`
/// form, and contains every one of `needles`.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_one_clear_line(&stderr);
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
    }
}

/// One line starting `zkos: `, without the braces of a struct's `Debug` form.
fn assert_one_clear_line(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "not one line: {stderr}");
    assert!(lines[0].starts_with("zkos: "), "{stderr}");
    let debug_form = lines[0]
        .split_whitespace()
        .zip(lines[0].split_whitespace().skip(1))
        .any(|(word, next)| next == "{" && word.chars().next().is_some_and(char::is_uppercase));
    assert!(!debug_form, "a Debug form: {stderr}");
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

/// Issue 9, item 6: `parentExcessBlobGas + parentBlobGasUsed` was an unchecked 64-bit add.
/// The specification adds them as 64-bit integers and fails; so does zkos, naming both.
#[test]
fn parent_blob_gas_past_64_bits_is_an_error() {
    let dir = case("parent-blob", |d| {
        let mut e = env();
        let obj = e.as_object_mut().unwrap();
        obj.insert("parentExcessBlobGas".into(), json!("0xffffffffffffffff"));
        obj.insert("parentBlobGasUsed".into(), json!("0x20000"));
        std::fs::write(d.join("env.json"), e.to_string()).unwrap();
    });
    assert_fails(
        &t8n(&dir, &[]),
        10,
        &["env.json", "parentExcessBlobGas 18446744073709551615 + parentBlobGasUsed 131072", "does not fit in 64 bits"],
    );
    // Just below the limit the sum is fine, and the excess is derived from it.
    let dir = case("parent-blob-ok", |d| {
        let mut e = env();
        let obj = e.as_object_mut().unwrap();
        obj.insert("parentExcessBlobGas".into(), json!("0xfffffffffffdffff"));
        obj.insert("parentBlobGasUsed".into(), json!("0x20000"));
        std::fs::write(d.join("env.json"), e.to_string()).unwrap();
    });
    let out = t8n(&dir, &["--output.result", "stdout"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"]["currentExcessBlobGas"], format!("{:#x}", u64::MAX - 393_216));
}

/// Issue 9, item 9: a key given twice in an object was silently the last one. Every input
/// file refuses it, naming the key.
#[test]
fn duplicate_json_keys_are_refused() {
    let dir = case("dup-alloc", |d| {
        let text = r#"{ "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": { "balance": "0x1", "nonce": "0x0", "balance": "0x3635c9adc5dea00000" } }"#;
        std::fs::write(d.join("alloc.json"), text).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["alloc.json", "invalid JSON", "duplicate key `balance`", "line 1"]);
    let dir = case("dup-env", |d| {
        let text = env().to_string().replacen('{', r#"{"currentNumber": "0x2", "#, 1);
        std::fs::write(d.join("env.json"), text).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["env.json", "duplicate key `currentNumber`"]);
    let dir = case("dup-tx", |d| {
        let text = format!("[{}]", tx().to_string().replacen('{', r#"{"value": "0x0", "#, 1));
        std::fs::write(d.join("txs.json"), text).unwrap();
    });
    assert_fails(&t8n(&dir, &[]), 10, &["txs.json", "duplicate key `value`"]);
    // The same key in two different objects is no duplicate.
    let dir = case("dup-none", |d| {
        std::fs::write(d.join("txs.json"), json!([tx(), tx()]).to_string()).unwrap();
    });
    assert!(t8n(&dir, &[]).status.success());
    // `zkos run` reads its one file the same way.
    let file = dir.join("block.json");
    let text = json!({ "alloc": alloc(), "env": env(), "txs": [] }).to_string().replacen('{', r#"{"txs": [], "#, 1);
    std::fs::write(&file, text).unwrap();
    assert_fails(&zkos(&["run", file.to_str().unwrap()]), 10, &["block.json", "duplicate key `txs`"]);
}

/// Issue 9, item 9: a transaction given with `sender` (the benchmark form of `zkos run`)
/// skipped the chain-id check that one given with `secretKey` has. Both are now refused
/// for a chain id other than the block's, with the same reason.
#[test]
fn sender_form_is_held_to_the_chain_id() {
    let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
    let key = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
    let dir = scratch("sender-chain");
    let file = dir.join("block.json");
    for chain_id in ["0x5", "0x1"] {
        let tx = |who: Value| {
            let mut t = json!({
                "type": "0x2", "chainId": chain_id, "nonce": "0x0", "gas": "0x5208",
                "maxFeePerGas": "0x10", "maxPriorityFeePerGas": "0x1",
                "to": "0x1000000000000000000000000000000000000001", "value": "0x1", "input": "0x"
            });
            t.as_object_mut().unwrap().extend(who.as_object().unwrap().clone());
            t
        };
        for (form, who) in [("sender", json!({ "sender": sender })), ("secretKey", json!({ "secretKey": key }))] {
            let doc = json!({ "alloc": alloc(), "env": env(), "txs": [tx(who)] });
            std::fs::write(&file, doc.to_string()).unwrap();
            let out = zkos(&["run", file.to_str().unwrap(), "--json", "--chain-id", "1"]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            let t = &report["transactions"][0];
            if chain_id == "0x5" {
                assert_eq!(t["status"], "rejected", "{form}: {t}");
                assert_eq!(t["error"], "wrong chain id: transaction signed for 5, chain is 1", "{form}");
            } else {
                assert_eq!(t["status"], "success", "{form}: {t}");
            }
        }
    }
}

/// Issue 9, item 9: `gas-report --input` took values that overflow the bound and names no
/// bound depends on, and printed the report without a value; EVM code ignored inputs.
#[test]
fn gas_report_refuses_inputs_it_cannot_use() {
    let wasm = concat!(env!("CARGO_MANIFEST_DIR"), "/src/gas_report/testdata/loops.wasm");
    let report = |inputs: &[&str]| {
        let mut args = vec!["gas-report", wasm];
        for i in inputs {
            args.extend_from_slice(&["--input", i]);
        }
        zkos(&args)
    };
    let ok = report(&["calldata_size=10"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // calldata_size is a 32-bit size.
    assert_fails(
        &report(&["calldata_size=340282366920938463463374607431768211455"]),
        3,
        &["--input calldata_size=340282366920938463463374607431768211455", "holds 32 bits"],
    );
    assert_fails(&report(&["calldata_size=0x1ffffffff"]), 3, &["calldata_size holds 32 bits"]);
    assert_fails(&report(&["calldata_size=1000000000000000000000000000000000000000"]), 3, &["bad value"]);
    // Names that parse but that no bound of this module depends on.
    for (input, var) in [
        ("p9=5", "p9"),
        ("mem[0..4]=7", "mem[0x0..0x4]"),
        ("calldata[0..1]=1", "calldata[0..1]"),
        ("returndata_size=3", "returndata_size"),
    ] {
        assert_fails(
            &report(&[input]),
            3,
            &[&format!("no bound of {wasm} depends on {var}"), "its bounds use: calldata_size"],
        );
    }
    assert_fails(&report(&["calldata[0..1]=256"]), 3, &["calldata[0..1] holds 8 bits: 256 does not fit"]);
    assert_fails(&report(&["calldata[4..4]=0"]), 3, &["empty byte range"]);
    assert_fails(&report(&["calldata_size=1", "calldata_size=2"]), 3, &["calldata_size is given twice"]);
    assert_fails(&report(&["nope=1"]), 3, &["unknown input `nope`"]);
    // EVM bounds do not depend on inputs.
    let dir = scratch("gas-report-evm");
    let evm = dir.join("code.hex");
    std::fs::write(&evm, "0x6001600101").unwrap();
    let out = zkos(&["gas-report", evm.to_str().unwrap(), "--input", "calldata_size=4"]);
    assert_fails(&out, 3, &["EVM code, whose bounds do not depend on inputs"]);
}

/// Issue 9, item 9: errors read as one line in words, never a Rust `Debug` form such as
/// `ConstantsTooLarge { size: 4294967295, limit: 16384 }`.
#[test]
fn errors_are_one_clear_line() {
    let dir = scratch("one-line");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let big_constants = write("constants.bin", &[0xEF, 0x5A, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    assert_fails(
        &zkos(&["gas-report", &big_constants]),
        3,
        &["bad envelope", "constants area of 4294967295 bytes exceeds the limit of 16384"],
    );
    let rv_envelope = write("rv.bin", &[0xEF, 0x5A, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_fails(&zkos(&["gas-report", &rv_envelope]), 3, &["rv.bin", "not a native contract"]);
    let truncated = write("truncated.wasm", b"\0asm\x01\0\0\0\x01\x02");
    assert_fails(&zkos(&["gas-report", &truncated]), 3, &["validation failed", "byte offset"]);
    let bad_body = write("body.wasm", b"\0asm\x01\0\0\0\x0a\x05\x01\x03\x00\xff\x0b");
    assert_fails(&zkos(&["gas-report", &bad_body]), 3, &["validation failed"]);
    // A name taken from the module, with a newline in it, stays on the line (escaped).
    let newline_import = write("newline.wasm", b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x02\x0c\x01\x04zkos\x03a\nb\0\0");
    assert_fails(&zkos(&["gas-report", &newline_import]), 3, &["import zkos.a\\nb", "not a host function"]);
    let wat = write("loops.wat", b"(module (func (export \"call\")))");
    assert_fails(&zkos(&["gas-report", &wat]), 3, &["loops.wat", "WebAssembly text"]);
    let elf = write("native.elf", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\xf3\0");
    assert_fails(&zkos(&["gas-report", &elf]), 3, &["native.elf", "not a native contract"]);
    let abi = write("abi.json", br#"[{"type": "function", "name": "f", "name": "g", "inputs": []}]"#);
    let code = write("code.hex", b"6001");
    assert_fails(&zkos(&["gas-report", &code, "--abi", &abi]), 10, &["abi.json", "duplicate key `name`"]);
}
