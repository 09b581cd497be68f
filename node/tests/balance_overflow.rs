//! Issue 9, item 9: a balance that would pass 2^256 − 1 wei saturated silently (value
//! transfers) or wrapped (fees). The execution specification stops with an overflow error
//! there; zkos refuses the block with one clear line and a non-zero exit, on both engines.
//! A transaction whose gas × price + value passes 2^256 − 1 is rejected for insufficient
//! funds, as the specification rejects it (its sum saturated to 2^256 − 1 and a sender
//! holding exactly that paid it).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{normalize_alloc, qty, run_reference, run_zkos, scratch, write_inputs, zkos};
use serde_json::{json, Value};

const KEY_A: &str = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
const ADDR_A: &str = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
const FULL: &str = "0x00000000000000000000000000000000000000ff";
const MAX: &str = "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const COINBASE: &str = "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e";

fn env(coinbase: &str, withdrawals: Value) -> Value {
    json!({
        "currentCoinbase": coinbase,
        "currentGasLimit": "0x1000000",
        "currentNumber": "0x1",
        "currentTimestamp": "0x3e8",
        "currentBaseFee": "0x7",
        "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
        "currentExcessBlobGas": "0x0",
        "parentBeaconBlockRoot": "0x00000000000000000000000000000000000000000000000000000000000000aa",
        "withdrawals": withdrawals,
    })
}

fn alloc(sender_balance: &str) -> Value {
    json!({
        ADDR_A: { "balance": sender_balance, "nonce": "0x0", "code": "0x", "storage": {} },
        FULL: { "balance": MAX, "nonce": "0x0", "code": "0x", "storage": {} },
    })
}

fn transfer(to: &str, value: &str, max_fee: &str) -> Value {
    json!({
        "type": "0x2", "chainId": "0x1", "nonce": "0x0", "gas": "0x5208",
        "maxFeePerGas": max_fee, "maxPriorityFeePerGas": "0x2",
        "to": to, "value": value, "input": "0x", "accessList": [],
        "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_A
    })
}

fn t8n(dir: &Path) -> Output {
    let p = |f: &str| dir.join(f).display().to_string();
    zkos(&[
        "t8n",
        "--input.alloc",
        &p("alloc.json"),
        "--input.env",
        &p("env.json"),
        "--input.txs",
        &p("txs.json"),
        "--output.basedir",
        &p("out"),
        "--state.fork",
        "Cancun",
    ])
}

/// The reference t8n on the same inputs (it must fail: the specification's U256 raises
/// `OverflowError`).
fn reference_fails(dir: &Path) -> bool {
    let p = |f: &str| dir.join(f).display().to_string();
    std::fs::create_dir_all(dir.join("reference")).unwrap();
    let python = std::env::var("ZKOS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .args(["-m", "ethereum_spec_tools.evm_tools", "t8n", "--state.fork", "Cancun"])
        .args(["--input.alloc", &p("alloc.json"), "--input.env", &p("env.json"), "--input.txs", &p("txs.json")])
        .args(["--output.basedir", &p("reference"), "--output.result", "result.json", "--output.alloc", "alloc.json"])
        .output()
        .expect("the reference t8n (python3 -m pip install ethereum-execution)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    !out.status.success() && stderr.contains("OverflowError")
}

/// One line, `zkos: block execution: …`, exit code 2 (geth's code for execution errors).
fn assert_block_refused(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("zkos: block execution: "), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` not in {stderr}");
    }
}

#[test]
fn value_transfer_past_2_256_fails_the_block() {
    let dir = scratch("overflow-transfer");
    write_inputs(
        &dir,
        &alloc("0xffffffffffffffffffffffff"),
        &env(COINBASE, json!([])),
        &json!([transfer(FULL, "0x1", "0x10")]),
    );
    assert_block_refused(&t8n(&dir), &["transaction 0", "the balance of 0x00000000000000000000000000000000000000ff"]);
    assert!(reference_fails(&dir), "the specification overflows too");
}

#[test]
fn fee_to_a_full_coinbase_fails_the_block() {
    let dir = scratch("overflow-coinbase");
    write_inputs(
        &dir,
        &alloc("0xffffffffffffffffffffffff"),
        &env(FULL, json!([])),
        &json!([transfer(ADDR_A, "0x0", "0x10")]),
    );
    assert_block_refused(&t8n(&dir), &["transaction 0", "would exceed 2^256 - 1 wei"]);
    assert!(reference_fails(&dir), "the specification overflows too");
}

#[test]
fn withdrawal_to_a_full_account_fails_the_block() {
    let dir = scratch("overflow-withdrawal");
    let withdrawals = json!([{ "index": "0x0", "validatorIndex": "0x1", "address": FULL, "amount": "0x1" }]);
    write_inputs(&dir, &alloc("0xffffffffffffffffffffffff"), &env(COINBASE, withdrawals), &json!([]));
    assert_block_refused(&t8n(&dir), &["withdrawal 0", "would exceed 2^256 - 1 wei"]);
    assert!(reference_fails(&dir), "the specification overflows too");
}

/// gas × max fee + value is 2^256 + 335,999 here; the sender holds 2^256 − 1. The sum
/// saturated to 2^256 − 1 before, the sender "paid" it and its balance wrapped.
#[test]
fn upfront_cost_past_2_256_is_insufficient_funds() {
    let dir = scratch("overflow-upfront");
    write_inputs(&dir, &alloc(MAX), &env(COINBASE, json!([])), &json!([transfer(FULL, MAX, "0x10")]));
    let ours = run_zkos(&dir, "txs.json");
    let rejected = ours.result["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(
        rejected[0]["error"],
        format!("insufficient funds for gas * price + value: have {} want 2^256 or more", alloy_max())
    );
    let reference = run_reference(&dir, "txs.json");
    assert_eq!(ours.result["stateRoot"], reference.result["stateRoot"]);
    assert_eq!(reference.result["rejected"].as_array().map(Vec::len), Some(1));
    assert_eq!(normalize_alloc(&ours.alloc), normalize_alloc(&reference.alloc));
    assert_eq!(qty(&ours.result["gasUsed"]), 0);
}

fn alloy_max() -> String {
    "115792089237316195423570985008687907853269984665640564039457584007913129639935".into()
}

/// Contract code moving value into the full account (CALL with value, SELFDESTRUCT): both
/// engines refuse the block with the same line.
#[test]
fn contract_transfers_past_2_256_fail_the_block_on_both_engines() {
    let sender = "0x1111111111111111111111111111111111111111";
    let full = FULL.trim_start_matches("0x");
    // PUSH0 ×4, PUSH1 1, PUSH20 full, GAS, CALL, STOP
    let caller = format!("0x5f5f5f5f600173{full}5af100");
    // PUSH20 full, SELFDESTRUCT
    let destructor = format!("0x73{full}ff");
    for (name, code) in [("call", caller), ("selfdestruct", destructor)] {
        let contract = "0x2222222222222222222222222222222222222222";
        let doc = json!({
            "env": {
                "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
                "currentGasLimit": "0x7fffffffffffffff", "currentNumber": "0x1", "currentTimestamp": "0x1"
            },
            "pre": {
                sender: { "balance": "0x0", "code": "0x", "nonce": "0x0", "storage": {} },
                contract: { "balance": "0x5", "code": code, "nonce": "0x1", "storage": {} },
                FULL: { "balance": MAX, "code": "0x", "nonce": "0x0", "storage": {} }
            },
            "transaction": [
                { "data": "0x", "gasLimit": "0x100000", "gasPrice": "0x0", "nonce": "0x0", "sender": sender, "to": contract, "value": "0x0" }
            ]
        });
        let dir = scratch(&format!("overflow-{name}"));
        let file = dir.join("block.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let mut lines = Vec::new();
        for engine in ["wasmi", "rv"] {
            let out = zkos(&["run", file.to_str().unwrap(), "--engine", engine]);
            assert_block_refused(&out, &["transaction 0", "would exceed 2^256 - 1 wei"]);
            lines.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        assert_eq!(lines[0], lines[1], "{name}: both engines");
    }
}
