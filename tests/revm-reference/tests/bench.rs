//! Every EVM benchmark input (`../shared/bench/evm/*.json`: ERC20 transfer, Uniswap V2,
//! Seaport, snailtracer, …) runs through `zkos run --json` and through revm 43 (Osaka) with
//! the same result: status, gas, output, logs and the whole post-state must agree.
//!
//! The folder is `ZKOS_BENCH_EVM` if set, else `bench/evm` of the shared folder next to the
//! repository (`../shared/bench/evm`).

use zkos_revm_reference as revm_reference;

use std::path::PathBuf;
use std::time::Instant;

/// The benchmark folder.
fn bench_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ZKOS_BENCH_EVM") {
        return dir.into();
    }
    let repo_parent = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    repo_parent.join("shared/bench/evm")
}

/// The inputs, by file name.
fn inputs() -> Vec<PathBuf> {
    let dir = bench_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("the EVM benchmark folder {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    files.sort();
    files
}

#[test]
fn every_bench_input_agrees_with_revm() {
    let files = inputs();
    assert!(
        files.len() >= 21,
        "expected at least 21 EVM benchmark inputs in {}, found {}",
        bench_dir().display(),
        files.len()
    );
    // Two workers: the inputs are independent, and the heavy ones dominate.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, String, std::thread::Result<Vec<revm_reference::TxResult>>, f64)> = Vec::new();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        let name = path.file_name().unwrap().to_string_lossy().into_owned();
                        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
                        let block: serde_json::Value =
                            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
                        let start = Instant::now();
                        let result = std::panic::catch_unwind(|| revm_reference::check_block(&name, &block));
                        done.push((i, name, result, start.elapsed().as_secs_f64()));
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            results.extend(w.join().unwrap());
        }
    });
    results.sort_by_key(|r| r.0);

    println!("{:<30} {:>3}  {:<10} {:>14}  {:>7}", "file", "txs", "status", "gas used", "seconds");
    let mut failed = Vec::new();
    for (_, name, result, seconds) in &results {
        match result {
            Ok(txs) => {
                for (k, tx) in txs.iter().enumerate() {
                    let (file, count) =
                        if k == 0 { (name.as_str(), txs.len().to_string()) } else { ("", String::new()) };
                    println!("{file:<30} {count:>3}  {:<10} {:>14}  {seconds:>7.2}", tx.status, tx.gas_used);
                }
                if txs.is_empty() {
                    println!("{name:<30} {:>3}", 0);
                }
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                println!("{name:<30} DISAGREES");
                failed.push(message);
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs disagree with revm:\n{}",
        failed.len(),
        results.len(),
        failed.join("\n\n")
    );
}

fn bench_block(file: &str) -> serde_json::Value {
    let path = bench_dir().join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The comparison is not vacuous: each kind of change to a genuine zkos report (WETH
/// transfer: output, a log, storage) is reported, naming its field.
#[test]
fn every_kind_of_difference_is_caught() {
    use serde_json::{json, Value};
    let block = bench_block("weth.json");
    let report = revm_reference::run_zkos("weth", &block);
    let (txs, errors) = revm_reference::compare_report("weth", &block, &report);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(txs, [revm_reference::TxResult { status: "success", gas_used: 51318 }]);

    let contract = "0xcccccccccccccccccccccccccccccccccccccccc";
    let entry = |r: &mut Value, address: &str| -> usize {
        let diff = r["stateDiff"].as_array().unwrap();
        diff.iter().position(|c| c["address"].as_str().unwrap().eq_ignore_ascii_case(address)).unwrap()
    };
    type Mutation = (&'static str, fn(&mut Value), &'static str);
    let mutations: Vec<Mutation> = vec![
        ("gas", |r| r["transactions"][0]["gasUsed"] = json!(51319), "tx 0: gas used"),
        ("status", |r| r["transactions"][0]["status"] = json!("failure"), "tx 0: status"),
        ("output", |r| r["transactions"][0]["output"] = json!("0x00"), "tx 0: output"),
        ("log data", |r| r["transactions"][0]["logs"][0]["data"] = json!("0x01"), "log 0 data"),
        (
            "log topic",
            |r| r["transactions"][0]["logs"][0]["topics"][1] = json!(format!("0x{:064x}", 7)),
            "log 0 topics",
        ),
        (
            "log address",
            |r| r["transactions"][0]["logs"][0]["address"] = json!(format!("0x{:040x}", 7)),
            "log 0 address",
        ),
        ("log count", |r| r["transactions"][0]["logs"] = json!([]), "log count"),
        ("created", |r| r["transactions"][0]["contractAddress"] = json!(format!("0x{:040x}", 9)), "created address"),
        ("nonce", |r| r["stateDiff"][0]["nonce"][1] = json!(2), "nonce"),
        (
            "balance",
            |r| {
                r["stateDiff"][0]["balance"] =
                    json!(["0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "0x1"])
            },
            "balance",
        ),
        (
            "new account",
            |r| {
                r["stateDiff"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"address": format!("0x{:040x}", 5), "status": "created", "balance": ["0x0", "0x5"]}))
            },
            "exists",
        ),
    ];
    for (what, mutate, expected) in mutations {
        let mut bad = report.clone();
        mutate(&mut bad);
        let (_, errors) = revm_reference::compare_report("weth", &block, &bad);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{what}: expected a difference in `{expected}`, got {errors:?}"
        );
    }
    // Storage: a slot's new value, and the contract's whole entry left out.
    let mut bad = report.clone();
    let k = entry(&mut bad, contract);
    bad["stateDiff"][k]["storage"][0][2] = json!("0x1234");
    let (_, errors) = revm_reference::compare_report("weth", &block, &bad);
    assert!(errors.iter().any(|e| e.contains("storage slot(s) differ")), "{errors:?}");
    let mut bad = report.clone();
    let k = entry(&mut bad, contract);
    bad["stateDiff"].as_array_mut().unwrap().remove(k);
    let (_, errors) = revm_reference::compare_report("weth", &block, &bad);
    assert!(errors.iter().any(|e| e.contains("2 storage slot(s) differ")), "{errors:?}");
}

/// Forms the benchmark inputs do not use, checked the same way: a creation (type 2, signed
/// by secret key), calls with value, logs and a revert with data, a nonce too high, a
/// transfer that creates an account, a transaction above the block's remaining gas, a
/// non-zero base fee and tip to the coinbase, an access list, and a withdrawal.
#[test]
fn other_block_forms_agree_with_revm() {
    use serde_json::json;
    // Runtime: x = calldata[0..32]; if x == 0 revert(0xde); else sstore(0, x), log1(x, 0xaa),
    // return x. Init code copies it out.
    let runtime = "6000358015601b5780600055600052 60aa60206000a160206000f35b60de60005360016000fd".replace(' ', "");
    let init = format!("6026600c60003960266000f3{runtime}");
    let key = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
    let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
    let other = "0x1111111111111111111111111111111111111111";
    // The contract created by `sender` at nonce 0.
    let contract = "0x6295ee1b4f6dd65047762f924ecd367c17eabf8f";
    let word = |x: u64| format!("0x{x:064x}");
    let block = json!({
        "alloc": {
            sender: { "balance": "0xde0b6b3a7640000", "nonce": "0x0" },
            other: { "balance": "0xde0b6b3a7640000", "nonce": "0x0" }
        },
        "env": {
            "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
            "currentGasLimit": "0x2dc6c0",
            "currentNumber": "0x1",
            "currentTimestamp": "0x3e8",
            "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
            "currentBaseFee": "0x7",
            "withdrawals": [ { "index": "0x0", "validatorIndex": "0x1", "address": "0x3333333333333333333333333333333333333333", "amount": "0x2" } ]
        },
        "txs": [
            { "type": "0x2", "secretKey": key, "nonce": "0x0", "gas": "0x30d40", "maxFeePerGas": "0xa", "maxPriorityFeePerGas": "0x2", "value": "0x0", "input": format!("0x{init}") },
            { "sender": other, "to": contract, "nonce": "0x0", "gas": "0x186a0", "gasPrice": "0xa", "value": "0x5", "data": word(42) },
            { "sender": other, "to": contract, "nonce": "0x1", "gas": "0x186a0", "gasPrice": "0xa", "value": "0x0", "data": word(0) },
            { "sender": other, "to": contract, "nonce": "0x7", "gas": "0x186a0", "gasPrice": "0xa", "value": "0x0", "data": word(1) },
            { "sender": other, "to": "0x4444444444444444444444444444444444444444", "nonce": "0x2", "gas": "0x5208", "gasPrice": "0x8", "value": "0x1", "data": "0x" },
            { "sender": other, "to": contract, "nonce": "0x3", "gas": "0x2dc6c0", "gasPrice": "0xa", "value": "0x0", "data": word(3) },
            { "type": "0x1", "sender": other, "to": contract, "nonce": "0x3", "gas": "0x186a0", "gasPrice": "0xa", "value": "0x0", "data": word(43),
              "accessList": [ { "address": contract, "storageKeys": [ word(0) ] } ] }
        ]
    });
    let txs = revm_reference::check_block("other forms", &block);
    let statuses: Vec<&str> = txs.iter().map(|t| t.status).collect();
    assert_eq!(statuses, ["success", "success", "failure", "rejected", "success", "rejected", "success"], "{txs:?}");
}

/// Rules around the transactions: the EIP-4788 beacon-root system call (read back by a
/// transaction), EIP-161 (an empty account touched by a call disappears), SELFDESTRUCT of a
/// contract created in the same transaction (gone, EIP-6780) and of an older one (only its
/// balance moves).
#[test]
fn system_call_and_account_removal_agree_with_revm() {
    use serde_json::json;
    // EIP-4788's contract code, as the EIP publishes it.
    let beacon_code = "0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500";
    let beacon = "0x000f3df6d732807ef1319fb7b8bb8522d0beac02";
    let sender = "0x1111111111111111111111111111111111111111";
    let empty = "0x5555555555555555555555555555555555555555";
    let old = "0x6666666666666666666666666666666666666666";
    let heir = "0x7777777777777777777777777777777777777777";
    let root = format!("0x{}", "ab".repeat(32));
    let block = json!({
        "pre": {
            sender: { "balance": "0xde0b6b3a7640000" },
            beacon: { "balance": "0x0", "nonce": "0x1", "code": beacon_code },
            empty: { "balance": "0x0" },
            // CALLER SELFDESTRUCT
            old: { "balance": "0x9", "nonce": "0x1", "code": "0x33ff" }
        },
        "env": {
            "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
            "currentGasLimit": "0x1c9c380",
            "currentNumber": "0x2",
            "currentTimestamp": "0x3e8",
            "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
            "currentBaseFee": "0x0",
            "parentBeaconBlockRoot": root
        },
        "transaction": [
            { "sender": sender, "to": beacon, "nonce": "0x0", "gasLimit": "0x186a0", "gasPrice": "0x1", "value": "0x0", "data": format!("0x{:064x}", 1000) },
            { "sender": sender, "to": empty, "nonce": "0x1", "gasLimit": "0x186a0", "gasPrice": "0x1", "value": "0x0", "data": "0x" },
            { "sender": sender, "to": "", "nonce": "0x2", "gasLimit": "0x186a0", "gasPrice": "0x1", "value": "0x3", "data": format!("0x73{}ff", &heir[2..]) },
            { "sender": sender, "to": old, "nonce": "0x3", "gasLimit": "0x186a0", "gasPrice": "0x1", "value": "0x0", "data": "0x" }
        ]
    });
    let txs = revm_reference::check_block("system call and removal", &block);
    assert!(txs.iter().all(|t| t.status == "success"), "{txs:?}");
    // The read-back is compared as output; make sure it was the root, not a revert.
    let report = revm_reference::run_zkos("system call and removal", &block);
    assert_eq!(report["transactions"][0]["output"], root.as_str());
    let diff = report["stateDiff"].as_array().unwrap();
    let status = |a: &str| diff.iter().find(|c| c["address"] == a).map(|c| c["status"].as_str().unwrap().to_string());
    assert_eq!(status(empty).as_deref(), Some("deleted"));
    assert_eq!(status(heir).as_deref(), Some("created"));
}
