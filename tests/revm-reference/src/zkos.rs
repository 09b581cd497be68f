//! The system under test: `zkos run --json` on the block, on both engines (which must
//! agree exactly), its report read back into the harness's types, and its post-state rebuilt as the pre-state plus its `stateDiff`.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use revm::primitives::{keccak256, Address, Bytes, B256, KECCAK_EMPTY, U256};
use serde_json::Value;

use super::block::{Block, Fork};
use super::{Outcome, PostAccount, PostState};

/// Runs `zkos run --json` on `block` (written to a scratch file) on the reference and the
/// provable engine, asserts the two reports agree, and returns the reference's.
pub fn run(name: &str, block: &Value) -> Value {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("zkos-revm-reference-{}-{seq}-{safe}.json", std::process::id()));
    std::fs::write(&path, block.to_string()).unwrap_or_else(|e| panic!("{name}: writing {}: {e}", path.display()));
    let fork = super::block::parse(name, block).fork();
    let reference = run_on(name, &path, "wasmi", fork);
    let provable = run_on(name, &path, "rv", fork);
    let _ = std::fs::remove_file(&path);
    // The engines must agree on everything but the name of the engine and its work
    // counters: failures too, whose message is made from the same typed failure on both
    // (its kind and detail; a trap that one engine reported differently would show here).
    let without_work = |report: &Value| {
        let mut r = report.clone();
        if let Some(obj) = r.as_object_mut() {
            obj.remove("engine");
            obj.remove("work");
        }
        r
    };
    let mut diffs = Vec::new();
    json_diff("", &without_work(&reference), &without_work(&provable), &mut diffs);
    assert!(
        diffs.is_empty(),
        "{name}: the reference (wasmi) and provable (rv) engines disagree (left wasmi, right rv):\n{}",
        diffs.join("\n")
    );
    reference
}

/// The paths where two JSON values differ, with both values (long ones cut).
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    let short = |v: &Value| {
        let s = v.to_string();
        if s.len() > 200 {
            format!("{}… ({} chars)", &s[..200], s.len())
        } else {
            s
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let null = Value::Null;
                json_diff(&format!("{path}.{k}"), x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), u, v, out);
            }
        }
        _ if a != b => out.push(format!("  {path}: {} vs {}", short(a), short(b))),
        _ => {}
    }
}

/// The `zkos` command under test: `ZKOS_BIN`, or the one cargo built beside this test
/// (`target/<profile>/zkos`; a workspace build or test run builds it).
pub fn zkos_bin() -> std::path::PathBuf {
    if let Some(bin) = std::env::var_os("ZKOS_BIN") {
        return bin.into();
    }
    let exe = std::env::current_exe().expect("the test's own path");
    // Tests run from target/<profile>/deps/.
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("the test runs inside a target directory");
    let bin = dir.join(format!("zkos{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build --release -p zkos-node` (or set ZKOS_BIN)",
        bin.display()
    );
    bin
}

/// `zkos run --json --engine ENGINE` on the block file.
fn run_on(name: &str, path: &std::path::Path, engine: &str, fork: Fork) -> Value {
    let out = Command::new(zkos_bin())
        .args(["run", "--json", "--engine", engine, "--fork", fork.name()])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{name}: cannot start zkos: {e}"));
    assert!(
        out.status.success(),
        "{name}: `zkos run --json --engine {engine}` failed ({}):\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: `zkos run --json` printed no JSON document: {e}"));
    assert_eq!(report["engine"], engine, "{name}: the report names its engine");
    report
}

/// The transactions of a zkos report, in input order.
pub fn outcomes(name: &str, report: &Value, count: usize) -> Vec<Outcome> {
    let txs = report["transactions"].as_array().unwrap_or_else(|| panic!("{name}: zkos report: no `transactions`"));
    assert_eq!(txs.len(), count, "{name}: zkos reported {} transactions for {count} in the block", txs.len());
    txs.iter()
        .enumerate()
        .map(|(i, tx)| {
            let at = format!("{name}: zkos report: transactions[{i}]");
            assert_eq!(tx["index"].as_u64(), Some(i as u64), "{at}.index");
            let status = match tx["status"].as_str() {
                Some("success") => "success",
                Some("failure") => "failure",
                Some("rejected") => "rejected",
                other => panic!("{at}.status: unexpected {other:?}"),
            };
            let logs = tx["logs"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}.logs: missing"))
                .iter()
                .map(|log| {
                    let topics = log["topics"].as_array().unwrap_or_else(|| panic!("{at}: a log without topics"));
                    (
                        address(&at, &log["address"]),
                        topics.iter().map(|t| B256::from(u256(&at, t))).collect(),
                        bytes(&at, &log["data"]),
                    )
                })
                .collect();
            Outcome {
                status,
                gas_used: tx["gasUsed"].as_u64().unwrap_or_else(|| panic!("{at}.gasUsed: missing")),
                output: Some(bytes(&at, &tx["output"])),
                logs,
                created: tx.get("contractAddress").filter(|v| !v.is_null()).map(|v| address(&at, v)),
                error: tx["error"].as_str().map(str::to_string),
            }
        })
        .collect()
}

/// The state after the block: `block`'s pre-state with the report's `stateDiff` applied.
/// Panics if a diff's "before" values disagree with the pre-state (zkos read it wrong).
pub fn post_state(name: &str, block: &Block, report: &Value) -> PostState {
    let mut post: PostState = block
        .pre
        .iter()
        .map(|(address, a)| {
            let code_hash = if a.code.is_empty() { KECCAK_EMPTY } else { keccak256(&a.code) };
            let account = PostAccount {
                balance: a.balance,
                nonce: a.nonce,
                code_hash,
                code_size: Some(a.code.len()),
                storage: a.storage.clone(),
            };
            (*address, account)
        })
        .collect();
    let diff = report["stateDiff"].as_array().unwrap_or_else(|| panic!("{name}: zkos report: no `stateDiff`"));
    for change in diff {
        let addr = address(name, &change["address"]);
        let at = format!("{name}: zkos stateDiff of {addr}");
        let status = change["status"].as_str().unwrap_or("");
        match status {
            "deleted" => {
                assert!(post.remove(&addr).is_some(), "{at}: deleted, but not in the pre-state");
                continue;
            }
            "created" => {
                let fresh = PostAccount { code_hash: KECCAK_EMPTY, code_size: Some(0), ..PostAccount::default() };
                assert!(post.insert(addr, fresh).is_none(), "{at}: created, but already in the pre-state");
            }
            "changed" => assert!(post.contains_key(&addr), "{at}: changed, but not in the pre-state"),
            other => panic!("{at}: unknown status {other:?}"),
        }
        let account = post.get_mut(&addr).unwrap();
        let pair = |key: &str| {
            change.get(key).filter(|v| !v.is_null()).map(|v| {
                let v = v.as_array().filter(|v| v.len() == 2).unwrap_or_else(|| panic!("{at}: {key}: expected a pair"));
                (v[0].clone(), v[1].clone())
            })
        };
        if let Some((before, after)) = pair("balance") {
            assert_eq!(u256(&at, &before), account.balance, "{at}: balance before");
            account.balance = u256(&at, &after);
        }
        if let Some((before, after)) = pair("nonce") {
            assert_eq!(before.as_u64(), Some(account.nonce), "{at}: nonce before");
            account.nonce = after.as_u64().unwrap_or_else(|| panic!("{at}: nonce: not a number"));
        }
        if let Some((before, after)) = pair("codeHash") {
            assert_eq!(code_hash(&at, &before), account.code_hash, "{at}: code hash before");
            account.code_hash = code_hash(&at, &after);
            account.code_size = change["codeSize"].as_u64().map(|s| s as usize);
        }
        if let Some(slots) = change.get("storage").and_then(Value::as_array) {
            for slot in slots {
                let s = slot.as_array().filter(|s| s.len() == 3).unwrap_or_else(|| panic!("{at}: storage: {slot}"));
                let (key, before, after) = (u256(&at, &s[0]), u256(&at, &s[1]), u256(&at, &s[2]));
                let current = account.storage.get(&key).copied().unwrap_or_default();
                assert_eq!(before, current, "{at}: slot {key:#x} before");
                if after.is_zero() {
                    account.storage.remove(&key);
                } else {
                    account.storage.insert(key, after);
                }
            }
        }
    }
    post
}

fn code_hash(at: &str, v: &Value) -> B256 {
    let hash = B256::from(u256(at, v));
    if hash == B256::ZERO {
        KECCAK_EMPTY
    } else {
        hash
    }
}

fn u256(at: &str, v: &Value) -> U256 {
    let s = v.as_str().unwrap_or_else(|| panic!("{at}: expected a hex string, found {v}"));
    let hex = s.strip_prefix("0x").unwrap_or_else(|| panic!("{at}: expected 0x-prefixed hex, found {s}"));
    if hex.is_empty() {
        return U256::ZERO;
    }
    U256::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("{at}: {s}: {e}"))
}

fn bytes(at: &str, v: &Value) -> Bytes {
    let s = v.as_str().unwrap_or_else(|| panic!("{at}: expected hex data, found {v}"));
    let hex = s.strip_prefix("0x").unwrap_or(s);
    Bytes::from(revm::primitives::hex::decode(hex).unwrap_or_else(|e| panic!("{at}: {s}: {e}")))
}

fn address(at: &str, v: &Value) -> Address {
    let b = bytes(at, v);
    Address::try_from(b.as_ref()).unwrap_or_else(|_| panic!("{at}: {v} is not an address"))
}
