//! `zkos run`'s readable report: calls, returns, revert reasons and events decoded with ABIs
//! given by `--abi`, a revert told from a failure (out of gas, which trap, invalid code),
//! `debug_log` messages per frame, `--trace`'s call tree with RV64IM instructions per frame,
//! and bare WASM init code refused. Contracts: examples/vault and examples/caller (built by
//! examples/build.sh), WAT modules, and a Solidity contract compiled by solc-js
//! (tests/solidity/compile.js).

mod common;

use std::path::{Path, PathBuf};

use alloy_primitives::{keccak256, Address, U256};
use common::{scratch, zkos};
use serde_json::{json, Value};

const SENDER: &str = "0x1111111111111111111111111111111111111111";
const VAULT: &str = "0x2222222222222222222222222222222222222222";
const CALLER: &str = "0x3333333333333333333333333333333333333333";
const TRAPPER: &str = "0x4444444444444444444444444444444444444444";
const SPINNER: &str = "0x5555555555555555555555555555555555555555";
const OUT_OF_BOUNDS: &str = "0x6666666666666666666666666666666666666666";
const FLOATS: &str = "0x7777777777777777777777777777777777777777";
const CHATTY: &str = "0x8888888888888888888888888888888888888888";
const LOGGER: &str = "0x9999999999999999999999999999999999999999";

/// solc's JSON ABI of examples/vault/Vault.sol (the WASM vault has the same ABI).
const VAULT_ABI: &str = r#"[
  {"type":"function","name":"deposit","inputs":[],"outputs":[],"stateMutability":"payable"},
  {"type":"function","name":"withdraw","inputs":[{"name":"amount","type":"uint256"}],"outputs":[],"stateMutability":"nonpayable"},
  {"type":"function","name":"balanceOf","inputs":[{"name":"","type":"address"}],"outputs":[{"name":"","type":"uint256"}],"stateMutability":"view"},
  {"type":"function","name":"totalDeposits","inputs":[],"outputs":[{"name":"","type":"uint256"}],"stateMutability":"view"},
  {"type":"event","name":"Deposited","inputs":[{"name":"who","type":"address","indexed":true},{"name":"amount","type":"uint256","indexed":false}],"anonymous":false},
  {"type":"event","name":"Withdrawn","inputs":[{"name":"who","type":"address","indexed":true},{"name":"amount","type":"uint256","indexed":false}],"anonymous":false},
  {"type":"error","name":"InsufficientBalance","inputs":[{"name":"available","type":"uint256"},{"name":"requested","type":"uint256"}]}
]"#;

/// examples/caller's interface.
const CALLER_ABI: &str = r#"[
  {"type":"function","name":"forward","inputs":[{"name":"target","type":"address"},{"name":"gas","type":"uint256"},{"name":"data","type":"bytes"}],"outputs":[],"stateMutability":"payable"},
  {"type":"function","name":"forwardStatic","inputs":[{"name":"target","type":"address"},{"name":"gas","type":"uint256"},{"name":"data","type":"bytes"}],"outputs":[],"stateMutability":"nonpayable"}
]"#;

/// solc's JSON ABI of node/tests/solidity/Checks.sol.
const CHECKS_ABI: &str = r#"{"abi": [
  {"type":"function","name":"check","inputs":[{"name":"x","type":"uint256"}],"outputs":[{"name":"doubled","type":"uint256"}],"stateMutability":"pure"},
  {"type":"function","name":"ratio","inputs":[{"name":"a","type":"uint256"},{"name":"b","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}],"stateMutability":"pure"},
  {"type":"function","name":"boom","inputs":[],"outputs":[],"stateMutability":"pure"}
]}"#;

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../examples/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// `code` in the zkos envelope (kind WASM, version 0, no constants), as hex.
fn envelope(code: &[u8]) -> String {
    let mut out = vec![0xEF, 0x5A, 0x01, 0x00];
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&u32::try_from(code.len()).unwrap().to_be_bytes());
    out.extend_from_slice(code);
    format!("0x{}", hex::encode(out))
}

fn wat(text: &str) -> String {
    envelope(&wat::parse_str(text).expect("valid WAT"))
}

fn selector(sig: &str) -> Vec<u8> {
    keccak256(sig.as_bytes())[..4].to_vec()
}

fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}

fn address_word(a: &str) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(&hex::decode(&a[2..]).unwrap());
    w
}

fn calldata(sig: &str, words: &[[u8; 32]]) -> String {
    let mut out = selector(sig);
    for w in words {
        out.extend_from_slice(w);
    }
    format!("0x{}", hex::encode(out))
}

/// `forwardStatic(target, 0, data)`'s calldata for examples/caller.
fn forward_static(target: &str, data: &str) -> String {
    let data = hex::decode(&data[2..]).unwrap();
    let mut out = selector("forwardStatic(address,uint256,bytes)");
    out.extend_from_slice(&address_word(target));
    out.extend_from_slice(&word(0));
    out.extend_from_slice(&word(96));
    out.extend_from_slice(&word(data.len() as u64));
    out.extend_from_slice(&data);
    out.resize(4 + (out.len() - 4).div_ceil(32) * 32, 0);
    format!("0x{}", hex::encode(out))
}

fn tx(nonce: u64, to: Option<&str>, data: &str, value: u64, gas: u64) -> Value {
    let mut t = json!({ "data": data, "gasLimit": format!("{gas:#x}"), "gasPrice": "0x0",
        "nonce": format!("{nonce:#x}"), "sender": SENDER, "value": format!("{value:#x}") });
    if let Some(to) = to {
        t["to"] = json!(to);
    }
    t
}

fn account(code: &str) -> Value {
    json!({ "balance": "0x0", "nonce": "0x1", "code": code, "storage": {} })
}

fn block(pre: Value, txs: Vec<Value>) -> Value {
    json!({
        "env": { "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
            "currentGasLimit": "0x10000000", "currentNumber": "0x1", "currentTimestamp": "0x1" },
        "pre": pre,
        "transaction": txs
    })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `zkos run FILE ARGS...`: stdout, or the test fails with stderr.
fn run(file: &Path, args: &[&str]) -> String {
    let mut all = vec!["run", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = zkos(&all);
    assert!(out.status.success(), "zkos {all:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of transaction `index`'s part of a text report.
fn tx_text(text: &str, index: usize) -> &str {
    let start = text.find(&format!("\ntx {index} ")).unwrap_or_else(|| panic!("no tx {index} in {text}"));
    let rest = &text[start + 1..];
    let end = rest[1..].find("\ntx ").or_else(|| rest.find("\nstate changes:")).map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

/// The WASM block: the vault (deposit, a withdrawal past the balance, a view), examples/caller
/// reading the vault through a static call, contracts that trap, spin, read out of bounds or
/// use floats, and one that logs around a call to another that logs.
fn wasm_block(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let trapper = wat(r#"(module (memory (export "memory") 1 1) (func (export "call") unreachable))"#);
    let spinner = wat(r#"(module (memory (export "memory") 1 1) (func (export "call") (loop $l (br $l))))"#);
    let out_of_bounds =
        wat(r#"(module (memory (export "memory") 1 1) (func (export "call") (drop (i32.load (i32.const 70000)))))"#);
    let floats = wat(r#"(module (memory (export "memory") 1 1) (func (export "call") (drop (f32.const 1))))"#);
    let logger = wat(r#"(module (import "zkos" "debug_log" (func $log (param i32 i32)))
        (memory (export "memory") 1 1) (data (i32.const 0) "inner")
        (func (export "call") (call $log (i32.const 0) (i32.const 5))))"#);
    // Logs "before", calls LOGGER (address at 0, zero value at 32, no input), logs "after".
    let chatty = wat(r#"(module
        (import "zkos" "debug_log" (func $log (param i32 i32)))
        (import "zkos" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1 1)
        (data (i32.const 0) "\99\99\99\99\99\99\99\99\99\99\99\99\99\99\99\99\99\99\99\99")
        (data (i32.const 64) "beforeafter")
        (func (export "call")
          (call $log (i32.const 64) (i32.const 6))
          (drop (call $call (i64.const 100000) (i32.const 0) (i32.const 32) (i32.const 0) (i32.const 0)))
          (call $log (i32.const 70) (i32.const 5))))"#);
    let mut pre = serde_json::Map::new();
    pre.insert(SENDER.into(), json!({ "balance": "0xffffffffffffffff", "nonce": "0x0", "code": "0x", "storage": {} }));
    for (address, code) in [
        (VAULT, envelope(&example("vault"))),
        (CALLER, envelope(&example("caller"))),
        (TRAPPER, trapper),
        (SPINNER, spinner),
        (OUT_OF_BOUNDS, out_of_bounds),
        (FLOATS, floats),
        (CHATTY, chatty),
        (LOGGER, logger),
    ] {
        pre.insert(address.into(), account(&code));
    }
    let balance_of = calldata("balanceOf(address)", &[address_word(SENDER)]);
    let txs = vec![
        tx(0, Some(VAULT), &calldata("deposit()", &[]), 1000, 200_000),
        tx(1, Some(VAULT), &calldata("withdraw(uint256)", &[word(5000)]), 0, 200_000),
        tx(2, Some(VAULT), &balance_of, 0, 200_000),
        tx(3, Some(CALLER), &forward_static(VAULT, &balance_of), 0, 500_000),
        tx(4, Some(TRAPPER), "0x", 0, 100_000),
        tx(5, Some(SPINNER), "0x", 0, 100_000),
        tx(6, Some(OUT_OF_BOUNDS), "0x", 0, 100_000),
        tx(7, Some(FLOATS), "0x", 0, 100_000),
        tx(8, Some(CHATTY), "0x", 0, 500_000),
    ];
    let file = write(dir, "wasm.json", &block(Value::Object(pre), txs).to_string());
    (file, write(dir, "vault.abi.json", VAULT_ABI), write(dir, "caller.abi.json", CALLER_ABI))
}

#[test]
fn wasm_contracts_decoded_and_failures_told_apart() {
    let dir = scratch("readable-wasm");
    let (file, vault_abi, caller_abi) = wasm_block(&dir);
    let vault_opt = format!("{VAULT}={}", vault_abi.display());
    let caller_opt = format!("{CALLER}={}", caller_abi.display());
    let text = run(&file, &["--abi", &vault_opt, "--abi", &caller_opt]);
    assert!(text.starts_with("9 transaction(s): 4 succeeded, 1 reverted, 4 failed, 0 rejected"), "{text}");

    let t = tx_text(&text, 0);
    assert!(t.contains(": success, gas used"), "{t}");
    assert!(t.contains("\n  call deposit()\n"), "{t}");
    assert!(t.contains(&format!("\n  event from {VAULT}: Deposited(who: {SENDER}, amount: 1000)\n")), "{t}");
    assert!(!t.contains("topic 0"), "a decoded event is not printed raw: {t}");

    let t = tx_text(&text, 1);
    assert!(t.contains(": reverted: InsufficientBalance(available: 1000, requested: 5000), gas used"), "{t}");
    assert!(t.contains("\n  call withdraw(amount: 5000)\n"), "{t}");

    let t = tx_text(&text, 2);
    assert!(t.contains(&format!("\n  call balanceOf({SENDER})\n  returned (1000)\n")), "{t}");

    let t = tx_text(&text, 3);
    assert!(t.contains(&format!("\n  call forwardStatic(target: {VAULT}, gas: 0, data: 0x70a08231")), "{t}");

    let t = tx_text(&text, 4);
    assert!(t.contains(": failed (trap: unreachable (an `unreachable` instruction, a panic, or the WASM stack budget used up)), gas used 100000"), "{t}");
    let t = tx_text(&text, 5);
    assert!(t.contains(": failed (out of gas), gas used 100000"), "{t}");
    let t = tx_text(&text, 6);
    assert!(t.contains(": failed (trap: out of bounds memory access), gas used 100000"), "{t}");
    let t = tx_text(&text, 7);
    assert!(t.contains(": failed (invalid code: "), "{t}");

    // Without --abi: the vault's calls, errors and events are still decoded, by the ABI that
    // #[contract] embeds in its module (the zkos:abi section); examples/caller embeds none, so
    // its call stays raw.
    let plain = run(&file, &[]);
    assert!(tx_text(&plain, 0).contains("\n  call deposit()\n"), "{plain}");
    assert!(
        tx_text(&plain, 1).contains(": reverted: InsufficientBalance(available: 1000, requested: 5000)"),
        "{plain}"
    );
    let t = tx_text(&plain, 3);
    assert!(!t.contains("call "), "{t}");
    assert!(t.contains(&format!("\n  output 0x{}\n", hex::encode(word(1000)))), "{t}");
    // An ABI given on the command line wins over the embedded one.
    let renamed = write(
        &dir,
        "renamed.json",
        &VAULT_ABI.replace(r#"{"name":"amount","type":"uint256"}"#, r#"{"name":"wad","type":"uint256"}"#),
    );
    let text = run(&file, &["--abi", &format!("{VAULT}={}", renamed.display())]);
    assert!(tx_text(&text, 1).contains("\n  call withdraw(wad: 5000)\n"), "{text}");
    // Revert data no ABI knows.
    let unknown = write(&dir, "unknown.json", "[]");
    let text = run(&file, &["--abi", &format!("{VAULT}={}", unknown.display())]);
    assert!(tx_text(&text, 1).contains(": reverted: unknown error 0xcf479181 (68 bytes), gas used"), "{text}");
    assert!(tx_text(&text, 0).contains("    topic 0: 0x"), "{text}");

    // JSON: the old fields as they were, the new ones beside them.
    let out = zkos(&["run", file.to_str().unwrap(), "--json", "--abi", &vault_opt]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let txs = report["transactions"].as_array().unwrap();
    let statuses: Vec<&str> = txs.iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        ["success", "failure", "success", "success", "failure", "failure", "failure", "failure", "success"]
    );
    let outcomes: Vec<&str> = txs.iter().map(|t| t["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        ["success", "reverted", "success", "success", "failed", "failed", "failed", "failed", "success"]
    );
    assert_eq!(txs[1]["revertReason"], "InsufficientBalance(available: 1000, requested: 5000)");
    assert_eq!(txs[1]["output"].as_str().unwrap().len(), 2 + 2 * 68);
    assert_eq!(txs[0]["logs"][0]["event"], format!("Deposited(who: {SENDER}, amount: 1000)"));
    assert_eq!(txs[0]["logs"][0]["topics"].as_array().unwrap().len(), 2);
    let kinds: Vec<&str> = txs[4..8].iter().map(|t| t["failureKind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["trap", "out of gas", "trap", "invalid code"]);
    assert_eq!(txs[5]["error"], "out of gas");
    assert!(txs[0].get("trace").is_none(), "no tree without --trace");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn trace_shows_frames_debug_output_and_instructions() {
    let dir = scratch("readable-trace");
    let (file, vault_abi, caller_abi) = wasm_block(&dir);
    let vault_opt = format!("{VAULT}={}", vault_abi.display());
    let caller_opt = format!("{CALLER}={}", caller_abi.display());
    for engine in ["wasmi", "rv"] {
        let args = ["--trace", "--engine", engine, "--abi", &vault_opt, "--abi", &caller_opt];
        let text = run(&file, &args);
        let t = tx_text(&text, 3);
        let call = format!("\n    CALL [WASM] {SENDER} -> {CALLER}, value 0, gas ");
        assert!(t.contains(&call), "{engine}: {t}");
        let inner = format!("\n      STATICCALL [WASM] {CALLER} -> {VAULT}, value 0, gas ");
        let at = t.find(&inner).unwrap_or_else(|| panic!("{engine}: no nested static call in {t}"));
        assert!(
            t[at..].contains(&format!("\n        balanceOf({SENDER})\n        returned (1000)\n")),
            "{engine}: {t}"
        );
        // The debug messages sit in the frame that wrote them, in the order written.
        let t = tx_text(&text, 8);
        let outer = t.find(&format!("CALL [WASM] {SENDER} -> {CHATTY}")).expect("the outer frame");
        let before = t.find("\n      debug: before\n").expect("before");
        let nested = t.find(&format!("\n      CALL [WASM] {CHATTY} -> {LOGGER}")).expect("the nested frame");
        let inner_msg = t.find("\n        debug: inner\n").expect("inner, one level in");
        let after = t.find("\n      debug: after\n").expect("after");
        assert!(outer < before && before < nested && nested < inner_msg && inner_msg < after, "{engine}: {t}");
        // The transaction's list keeps all three.
        assert!(t.contains("  debug: before\n  debug: inner\n  debug: after\n"), "{engine}: {t}");
        let t = tx_text(&text, 1);
        assert!(
            t.contains(
                ": reverted: InsufficientBalance(available: 1000, requested: 5000)\n      withdraw(amount: 5000)\n"
            ),
            "{engine}: {t}"
        );
        let t = tx_text(&text, 5);
        assert!(t.contains(&format!("CALL [WASM] {SENDER} -> {SPINNER}, value 0, gas ")), "{engine}: {t}");
        assert!(t.contains(": failed: out of gas\n"), "{engine}: {t}");
        // Code rejected when its artifact is built: the frame never started, the tree still
        // names it, from the transaction and its receipt.
        let t = tx_text(&text, 7);
        assert!(
            t.contains(&format!("\n    CALL [WASM] {SENDER} -> {FLOATS}, value 0, gas 100000, used 100000")),
            "{t}"
        );
        assert!(t.contains(": failed: invalid code: validation failed: float instruction f32.const"), "{t}");
        assert_eq!(text.contains("RV64IM instructions ("), engine == "rv", "{engine}: {text}");
    }
    // JSON: instructions per frame add up (own + callees = all) on the rv engine.
    let out = zkos(&["run", file.to_str().unwrap(), "--json", "--trace", "--engine", "rv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = &report["transactions"][3]["trace"];
    let nested = &top["calls"][0];
    assert_eq!(nested["type"], "STATICCALL");
    assert_eq!(nested["codeKind"], "WASM");
    let all = top["rvInstructions"].as_u64().unwrap();
    let own = top["rvInstructionsOwn"].as_u64().unwrap();
    let inner = nested["rvInstructions"].as_u64().unwrap();
    assert!(inner > 0 && own > 0, "{top}");
    assert_eq!(own + inner, all, "{top}");
    let chatty = &report["transactions"][8]["trace"];
    assert_eq!(chatty["debug"], json!(["before", "after"]));
    assert_eq!(chatty["calls"][0]["debug"], json!(["inner"]));
    let sum: u64 =
        report["transactions"].as_array().unwrap().iter().filter_map(|t| t["trace"]["rvInstructions"].as_u64()).sum();
    assert!(sum <= report["work"]["rvInstructions"].as_u64().unwrap(), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Creation bytecode of node/tests/solidity/Checks.sol, compiled by solc-js.
fn checks_bytecode() -> String {
    let script = format!("{}/../tests/solidity/compile.js", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg("../../node/tests/solidity")
        .output()
        .unwrap_or_else(|e| panic!("running node {script}: {e} (node and npm are needed)"));
    assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("compile.js prints JSON");
    format!("0x{}", json["contracts"]["Checks"].as_str().expect("Checks compiled"))
}

#[test]
fn evm_error_string_panic_and_invalid_opcode() {
    let dir = scratch("readable-evm");
    let sender: Address = SENDER.parse().unwrap();
    let checks = sender.create(0).to_checksum(None);
    let pre = json!({ SENDER: { "balance": "0xffffffffffffffff", "nonce": "0x0", "code": "0x", "storage": {} } });
    let txs = vec![
        tx(0, None, &checks_bytecode(), 0, 1_000_000),
        tx(1, Some(&checks), &calldata("check(uint256)", &[word(5)]), 0, 100_000),
        tx(2, Some(&checks), &calldata("ratio(uint256,uint256)", &[word(1), word(0)]), 0, 100_000),
        tx(3, Some(&checks), &calldata("check(uint256)", &[word(21)]), 0, 100_000),
        tx(4, Some(&checks), &calldata("boom()", &[]), 0, 100_000),
    ];
    let file = write(&dir, "evm.json", &block(pre, txs).to_string());
    let abi = write(&dir, "checks.json", CHECKS_ABI);
    let opt = format!("{checks}={}", abi.display());
    let text = run(&file, &["--abi", &opt, "--trace"]);
    assert!(tx_text(&text, 0).contains(&format!("\n  created {checks}\n")), "{text}");
    let t = tx_text(&text, 1);
    assert!(t.contains(": reverted: Error(\"x too small\"), gas used"), "{t}");
    assert!(t.contains("\n  call check(x: 5)\n"), "{t}");
    assert!(t.contains(&format!("CALL [EVM] {SENDER} -> {checks}")), "{t}");
    let t = tx_text(&text, 2);
    assert!(t.contains(": reverted: Panic(0x12: division or modulo by zero), gas used"), "{t}");
    assert!(t.contains("\n  call ratio(a: 1, b: 0)\n"), "{t}");
    let t = tx_text(&text, 3);
    assert!(t.contains("\n  returned (doubled: 42)\n"), "{t}");
    let t = tx_text(&text, 4);
    assert!(
        t.contains(": failed (trap: unreachable (EVM code: an invalid opcode, a bad jump or a stack underflow or overflow)), gas used 100000"),
        "{t}"
    );
    // The well-known errors need no ABI.
    let plain = run(&file, &[]);
    assert!(tx_text(&plain, 1).contains(": reverted: Error(\"x too small\")"), "{plain}");
    assert!(tx_text(&plain, 2).contains(": reverted: Panic(0x12: division or modulo by zero)"), "{plain}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bare_wasm_and_elf_init_code_are_refused() {
    let dir = scratch("readable-unwrapped");
    let module = wat::parse_str(r#"(module (memory (export "memory") 1 1) (func (export "call")))"#).unwrap();
    let pre = json!({ SENDER: { "balance": "0xffffffffffffffff", "nonce": "0x0", "code": "0x", "storage": {} } });
    let raw = format!("0x{}", hex::encode(&module));
    let file = write(&dir, "raw.json", &block(pre.clone(), vec![tx(0, None, &raw, 0, 1_000_000)]).to_string());
    let out = zkos(&["run", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("transaction 0: init code is a WASM module (\\0asm) without the zkos envelope"), "{err}");
    assert!(err.contains("wrap it as 0xEF 0x5A 0x01 0x00"), "{err}");
    assert!(err.contains("wasm-deploy wraps it automatically"), "{err}");
    // The chain itself is Ethereum's: asked to, zkos runs it as EVM code.
    let text = run(&file, &["--allow-unwrapped"]);
    assert!(text.starts_with("1 transaction(s): "), "{text}");
    // An ELF header too; the same module in its envelope deploys.
    let elf = "0x7f454c460201010000000000000000000200f300";
    let file = write(&dir, "elf.json", &block(pre.clone(), vec![tx(0, None, elf, 0, 1_000_000)]).to_string());
    let err = String::from_utf8(zkos(&["run", file.to_str().unwrap()]).stderr).unwrap();
    assert!(err.contains("init code is an ELF (0x7F 'E' 'L' 'F') without the zkos envelope"), "{err}");
    assert!(err.contains("wrap it as 0xEF 0x5A 0x02 0x00"), "{err}");
    let file =
        write(&dir, "wrapped.json", &block(pre, vec![tx(0, None, &envelope(&module), 0, 1_000_000)]).to_string());
    let text = run(&file, &[]);
    assert!(text.contains("\n  created 0x"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// examples/erc20-macro deployed with its constructor arguments: its transfer, its event and
/// its OpenZeppelin-style custom error decoded by the ABI the macro embeds, no --abi given.
#[test]
fn erc20_macro_decoded_by_its_embedded_abi() {
    use alloy_dyn_abi::DynSolValue;
    let dir = scratch("readable-erc20");
    let sender: Address = SENDER.parse().unwrap();
    let token = sender.create(0).to_checksum(None);
    let args = DynSolValue::Tuple(vec![
        DynSolValue::String("Token".into()),
        DynSolValue::String("TOK".into()),
        DynSolValue::Uint(U256::from(1000), 256),
    ])
    .abi_encode_params();
    let init = format!("{}{}", envelope(&example("erc20-macro")), hex::encode(args));
    let pre = json!({ SENDER: { "balance": "0xffffffffffffffff", "nonce": "0x0", "code": "0x", "storage": {} } });
    let txs = vec![
        tx(0, None, &init, 0, 5_000_000),
        tx(1, Some(&token), &calldata("transfer(address,uint256)", &[address_word(VAULT), word(10)]), 0, 200_000),
        tx(2, Some(&token), &calldata("transfer(address,uint256)", &[address_word(VAULT), word(5000)]), 0, 200_000),
    ];
    let file = write(&dir, "erc20.json", &block(pre, txs).to_string());
    let text = run(&file, &[]);
    let t = tx_text(&text, 0);
    assert!(t.contains(": success, gas used"), "{t}");
    assert!(
        t.contains(&format!(
            "event from {token}: Transfer(from: 0x0000000000000000000000000000000000000000, to: {SENDER}, value: 1000)"
        )),
        "{t}"
    );
    let t = tx_text(&text, 1);
    assert!(t.contains(&format!("\n  call transfer(to: {VAULT}, value: 10)\n")), "{t}");
    assert!(t.contains("\n  returned (true)\n"), "{t}");
    assert!(t.contains(&format!("event from {token}: Transfer(from: {SENDER}, to: {VAULT}, value: 10)")), "{t}");
    let t = tx_text(&text, 2);
    assert!(
        t.contains(&format!(
            ": reverted: ERC20InsufficientBalance(sender: {SENDER}, balance: 990, needed: 5000), gas used"
        )),
        "{t}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
