//! Issue 9, item 6: a large `currentExcessBlobGas` made the blob base fee loop for seconds
//! (10^15) or days (2^64 − 1). The fee is now the specification's exact integer, found in
//! milliseconds, and a fee of 2^256 wei or more is handled as the specification handles it:
//! a blob transaction cannot pay it (rejected), and BLOBBASEFEE, which has no word for it,
//! fails the transaction. Compared with the reference t8n of the Python execution
//! specification wherever that reference ends, and run on both engines.

mod common;

use std::time::{Duration, Instant};

use common::{normalize_alloc, qty, run_reference, run_zkos, scratch, write_inputs, zkos, T8nOutput};
use serde_json::{json, Value};

const KEY_A: &str = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
const ADDR_A: &str = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
/// `BLOBBASEFEE PUSH0 SSTORE STOP`: stores the blob base fee in slot 0.
const FEE_READER: &str = "0x000000000000000000000000000000000000fee0";
const FEE_READER_CODE: &str = "0x4a5f5500";
const RECIPIENT: &str = "0x00000000000000000000000000000000000dead1";

/// The largest excess blob gas whose blob base fee fits 256 bits, and that fee, from the
/// specification (`ethereum.forks.cancun.vm.gas.calculate_blob_gas_price`).
const MAX_EXCESS: u64 = 592_398_315;
const MAX_FEE: &str = "0xfffffd7f37d871923e777c8e1698f4a355b593742cb7f676ce08cf31f51e8874";

/// Wall time allowed for a whole `zkos` run (process start, transpiling, three
/// transactions): generous for a loaded machine; the fee itself takes microseconds.
const QUICK: Duration = Duration::from_secs(3);

fn alloc() -> Value {
    json!({
        // 2^160 wei: enough for 2^17 blob gas at a max fee of 2^128 − 1.
        ADDR_A: { "balance": "0x10000000000000000000000000000000000000000", "nonce": "0x0", "code": "0x", "storage": {} },
        FEE_READER: { "balance": "0x0", "nonce": "0x1", "code": FEE_READER_CODE, "storage": {} },
    })
}

fn env(excess: u64) -> Value {
    json!({
        "currentCoinbase": "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e",
        "currentGasLimit": "0x1c9c380",
        "currentNumber": "0x10",
        "currentTimestamp": "0x66000000",
        "currentBaseFee": "0x7",
        "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000abcdef",
        "currentExcessBlobGas": format!("{excess:#x}"),
        "parentBeaconBlockRoot": "0x00000000000000000000000000000000000000000000000000000000000000aa",
        "withdrawals": [],
    })
}

/// A blob transaction willing to pay up to `max_blob_fee` per blob gas.
fn blob_tx(nonce: u64, max_blob_fee: u128) -> Value {
    json!({
        "type": "0x3", "chainId": "0x1", "nonce": format!("{nonce:#x}"), "gas": "0x5208",
        "maxFeePerGas": "0x10", "maxPriorityFeePerGas": "0x1", "maxFeePerBlobGas": format!("{max_blob_fee:#x}"),
        "blobVersionedHashes": ["0x0100000000000000000000000000000000000000000000000000000000000001"],
        "to": RECIPIENT, "value": "0x1", "input": "0x", "accessList": [],
        "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_A
    })
}

fn tx_1559(nonce: u64, to: &str, gas: &str) -> Value {
    json!({
        "type": "0x2", "chainId": "0x1", "nonce": format!("{nonce:#x}"), "gas": gas,
        "maxFeePerGas": "0x10", "maxPriorityFeePerGas": "0x1",
        "to": to, "value": "0x0", "input": "0x", "accessList": [],
        "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_A
    })
}

/// Runs `zkos t8n` on the block, timed.
fn ours(name: &str, excess: u64, txs: &[Value]) -> (std::path::PathBuf, T8nOutput, Duration) {
    let dir = scratch(name);
    write_inputs(&dir, &alloc(), &env(excess), &Value::Array(txs.to_vec()));
    let start = Instant::now();
    let out = run_zkos(&dir, "txs.json");
    let took = start.elapsed();
    println!("{name}: excess blob gas {excess}: zkos t8n took {took:?}");
    assert!(took < QUICK, "{name}: zkos t8n took {took:?}");
    (dir, out, took)
}

fn rejected(out: &T8nOutput) -> Vec<(u64, String)> {
    out.result["rejected"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| (r["index"].as_u64().unwrap(), r["error"].as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn statuses(out: &T8nOutput) -> Vec<u128> {
    out.result["receipts"].as_array().unwrap().iter().map(|r| qty(&r["status"])).collect()
}

/// What the fee reader stored in its one slot.
fn stored_fee(out: &T8nOutput) -> &Value {
    let storage = out.alloc[FEE_READER]["storage"].as_object().expect("the fee reader's storage");
    assert_eq!(storage.len(), 1, "{storage:?}");
    storage.values().next().unwrap()
}

/// Same block through the reference: same state root, gas, receipts and rejections.
fn agrees_with_reference(name: &str, dir: &std::path::Path, ours: &T8nOutput) {
    let reference = run_reference(dir, "txs.json");
    let (o, r) = (&ours.result, &reference.result);
    assert_eq!(o["stateRoot"], r["stateRoot"], "{name}: stateRoot");
    assert_eq!(o["receiptsRoot"], r["receiptsRoot"], "{name}: receiptsRoot");
    assert_eq!(qty(&o["gasUsed"]), qty(&r["gasUsed"]), "{name}: gasUsed");
    let indices = |out: &Value| -> Vec<u64> {
        out["rejected"].as_array().map(|l| l.iter().map(|r| r["index"].as_u64().unwrap()).collect()).unwrap_or_default()
    };
    assert_eq!(indices(o), indices(r), "{name}: rejected transactions");
    assert_eq!(normalize_alloc(&ours.alloc), normalize_alloc(&reference.alloc), "{name}: post-state");
}

/// Where the fee fits 256 bits (and one past it, for a blob transaction only), zkos and
/// the specification agree: the fee charged to an included blob transaction, the value
/// BLOBBASEFEE pushes at the largest representable fee, and the rejections.
#[test]
fn blob_base_fee_agrees_with_the_specification() {
    // A fee of 10,203,769,476,395 wei: the blob transaction pays 2^17 times that.
    let (dir, out, _) = ours("blob-100m", 100_000_000, &[blob_tx(0, u128::MAX), tx_1559(1, FEE_READER, "0x10000")]);
    assert!(rejected(&out).is_empty(), "{:?}", rejected(&out));
    assert_eq!(qty(stored_fee(&out)), 10_203_769_476_395, "BLOBBASEFEE at excess 10^8");
    agrees_with_reference("blob-100m", &dir, &out);

    // The largest representable fee: no 128-bit max fee pays it; BLOBBASEFEE pushes it.
    // (Rejected transactions go last: the reference keys receipts by input index.)
    let (dir, out, _) = ours("blob-max", MAX_EXCESS, &[tx_1559(0, FEE_READER, "0x10000"), blob_tx(1, u128::MAX)]);
    let why = rejected(&out);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(why[0].1.contains("max fee per blob gas below the blob base fee"), "{why:?}");
    let stored = stored_fee(&out).as_str().unwrap();
    assert_eq!(stored.trim_start_matches("0x"), MAX_FEE.trim_start_matches("0x"), "BLOBBASEFEE at the largest excess");
    agrees_with_reference("blob-max", &dir, &out);

    // One more: the fee passes 2^256; the blob transaction is rejected, a transfer runs.
    let (dir, out, _) =
        ours("blob-max-plus-one", MAX_EXCESS + 1, &[tx_1559(0, RECIPIENT, "0x5208"), blob_tx(1, u128::MAX)]);
    assert_eq!(rejected(&out).iter().map(|r| r.0).collect::<Vec<_>>(), [1]);
    assert_eq!(statuses(&out), [1]);
    agrees_with_reference("blob-max-plus-one", &dir, &out);
}

/// The inputs of the issue: 10^15 (seconds before) and 2^64 − 1 (days before). The run ends
/// at once: the blob transaction is rejected (no max fee reaches a fee past 2^256), the
/// contract that reads BLOBBASEFEE fails (no word holds the fee), a transfer succeeds; the
/// reference agrees on the block without the blob transaction and the fee reader (it would
/// run for days on the first and fail on the second).
#[test]
fn huge_excess_blob_gas_ends_in_milliseconds() {
    for (name, excess) in [("blob-1e15", 1_000_000_000_000_000), ("blob-u64-max", u64::MAX)] {
        let txs = [blob_tx(0, u128::MAX), tx_1559(0, FEE_READER, "0x10000"), tx_1559(1, RECIPIENT, "0x5208")];
        let (_, out, _) = ours(name, excess, &txs);
        let why = rejected(&out);
        assert_eq!(why.iter().map(|r| r.0).collect::<Vec<_>>(), [0], "{name}");
        assert!(why[0].1.contains("max fee per blob gas below the blob base fee"), "{name}: {why:?}");
        assert_eq!(statuses(&out), [0, 1], "{name}: the fee reader fails, the transfer succeeds");
        assert_eq!(qty(&out.result["receipts"][0]["gasUsed"]), 0x10000, "{name}: a failure takes all its gas");

        let (dir, out, _) = ours(&format!("{name}-transfer"), excess, &[tx_1559(0, RECIPIENT, "0x5208")]);
        assert_eq!(statuses(&out), [1]);
        agrees_with_reference(name, &dir, &out);
    }
}

/// BLOBBASEFEE runs in contract code: both engines push the exact fee at the largest
/// excess, and both fail the transaction past it, with the same gas.
#[test]
fn blobbasefee_on_both_engines() {
    let sender = "0x1111111111111111111111111111111111111111";
    for (excess, fits) in
        [(MAX_EXCESS, true), (MAX_EXCESS + 1, false), (1_000_000_000_000_000, false), (u64::MAX, false)]
    {
        let doc = json!({
            "env": {
                "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
                "currentGasLimit": "0x7fffffffffffffff", "currentNumber": "0x1", "currentTimestamp": "0x1",
                "currentExcessBlobGas": format!("{excess:#x}")
            },
            "pre": {
                sender: { "balance": "0x0", "code": "0x", "nonce": "0x0", "storage": {} },
                FEE_READER: { "balance": "0x0", "code": FEE_READER_CODE, "nonce": "0x1", "storage": {} }
            },
            "transaction": [
                { "data": "0x", "gasLimit": "0x10000", "gasPrice": "0x0", "nonce": "0x0", "sender": sender, "to": FEE_READER, "value": "0x0" }
            ]
        });
        let dir = scratch(&format!("blobbasefee-{excess}"));
        let file = dir.join("block.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let mut seen = Vec::new();
        for engine in ["wasmi", "rv"] {
            let start = Instant::now();
            // The fee of the specification's Cancun rules (MAX_EXCESS is Cancun's).
            let out = zkos(&["run", file.to_str().unwrap(), "--fork", "Cancun", "--engine", engine, "--json"]);
            let took = start.elapsed();
            println!("BLOBBASEFEE at excess {excess} on {engine}: {took:?}");
            assert!(took < QUICK, "{engine}: took {took:?}");
            assert!(out.status.success(), "{engine}: {}", String::from_utf8_lossy(&out.stderr));
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            let tx = &report["transactions"][0];
            if fits {
                assert_eq!(tx["status"], "success", "{engine}: {tx}");
                let change = report["stateDiff"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["address"].as_str().unwrap().eq_ignore_ascii_case(FEE_READER))
                    .unwrap();
                let stored = change["storage"][0][2].as_str().unwrap();
                assert_eq!(stored.trim_start_matches("0x"), MAX_FEE.trim_start_matches("0x"), "{engine}");
            } else {
                assert_eq!(tx["status"], "failure", "{engine}: {tx}");
                assert!(tx["error"].as_str().unwrap().contains("blob base fee is 2^256 wei or more"), "{engine}: {tx}");
            }
            seen.push((tx["status"].clone(), tx["gasUsed"].clone(), report["stateRoot"].clone()));
        }
        assert_eq!(seen[0], seen[1], "excess {excess}: both engines agree");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
