//! `zkos blocktest` (issue 12, item 4) on the blockchain tests of execution-spec-tests
//! v5.4.0 (`../shared/fixtures/eest`, unpacked into `target/eest` by
//! `scripts/unpack-eest.sh`, which the test command runs): every Prague and Osaka test
//! passes on both engines, invalid blocks are rejected for a reason, a tampered block is
//! rejected, malformed input gives one clear line; and `zkos t8n` writes the requests and
//! their hash as the Python execution specification's t8n does (item 3).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use alloy_rlp::Header;
use common::{run_reference_fork, run_zkos_fork, scratch, zkos};
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    std::env::var_os("ZKOS_EEST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/eest")))
}

fn blockchain_tests(archive: &str) -> PathBuf {
    let dir = fixtures().join(archive).join("blockchain_tests");
    assert!(dir.is_dir(), "{} is missing: run scripts/unpack-eest.sh (the test command does)", dir.display());
    dir
}

/// The test `requests_test` uses: one Prague block with a deposit, a withdrawal request and
/// a consolidation request, so its header's requests hash covers all three types.
fn requests_fixture() -> (String, Value) {
    let path = blockchain_tests("prague")
        .join("prague/eip7685_general_purpose_el_requests/test_valid_multi_type_request_from_same_tx.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let all: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    let (name, test) = all
        .into_iter()
        .find(|(name, _)| name.ends_with("[fork_Prague-blockchain_test-consolidation+deposit+withdrawal]"))
        .expect("the test is in the archive");
    (name, test)
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn blocktest(paths: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["blocktest".to_string()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    zkos(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Writes `{name: test}` into a file of its own.
fn write_test(dir: &Path, file: &str, name: &str, test: &Value) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, serde_json::to_string(&json!({ name: test })).unwrap()).unwrap();
    path
}

/// The run passed every test it ran, and ran at least `at_least`.
fn assert_all_passed(out: &Output, at_least: usize) -> usize {
    let (stdout, stderr) = text(out);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).take(20).collect();
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(out.status.success(), "{summary}\n{}\n{stderr}", failures.join("\n"));
    let passed: usize = summary.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(summary.ends_with(" passed, 0 failed") && passed >= at_least, "unexpected summary: {summary}");
    passed
}

/// One test failed with a `FAIL` line holding every needle; exit code 2.
fn assert_one_failure(out: &Output, needles: &[&str]) {
    let (stdout, stderr) = text(out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "stdout: {stdout}\nstderr: {stderr}");
    let fail: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(fail.len(), 1, "{stdout}");
    for needle in needles {
        assert!(fail[0].contains(needle), "`{needle}` not in {}", fail[0]);
    }
    assert!(stdout.trim_end().ends_with("0 passed, 1 failed"), "{stdout}");
    assert_eq!(stderr.trim(), "zkos: block execution: 1 blockchain tests failed");
}

/// The whole archive's blockchain tests (Prague: the Prague and Osaka folders under the
/// networks Prague and CancunToPragueAtTime15k; Osaka: Osaka, PragueToOsakaAtTime15k and
/// the BPO forks), every test passing.
fn archive_passes(archive: &str, engine: &str) {
    let out = blocktest(&[&blockchain_tests(archive)], &["--engine", engine]);
    let passed = assert_all_passed(&out, 500);
    println!("{archive} blockchain tests on {engine}: {passed} passed, 0 failed");
}

#[test]
fn prague_archive_passes_on_wasmi() {
    archive_passes("prague", "wasmi");
}

#[test]
fn prague_archive_passes_on_the_rv64im_engine() {
    archive_passes("prague", "rv");
}

#[test]
fn osaka_archive_passes_on_wasmi() {
    archive_passes("osaka", "wasmi");
}

#[test]
fn osaka_archive_passes_on_the_rv64im_engine() {
    archive_passes("osaka", "rv");
}

/// The folders of the block-level EIPs, with `--json`: every block the fixture expects
/// rejected is rejected, with zkos's reason beside the fixture's exception, of the same
/// kind (a transaction's fault, or the block's) and family (its requests, a system
/// contract, a deposit log, the gas cap, a transaction rule).
#[test]
fn invalid_blocks_are_rejected_for_their_reason() {
    let prague = blockchain_tests("prague").join("prague");
    let osaka = blockchain_tests("osaka").join("osaka");
    let folders = [
        prague.join("eip2935_historical_block_hashes_from_state"),
        prague.join("eip6110_deposits"),
        prague.join("eip7002_el_triggerable_withdrawals"),
        prague.join("eip7251_consolidations"),
        prague.join("eip7685_general_purpose_el_requests"),
        osaka.join("eip7918_blob_reserve_price"),
        osaka.join("eip7825_transaction_gas_limit_cap"),
    ];
    for engine in ["wasmi", "rv"] {
        let paths: Vec<&Path> = folders.iter().map(PathBuf::as_path).collect();
        let out = blocktest(&paths, &["--engine", engine, "--json"]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{engine}: {stderr}");
        let mut rejected = 0;
        for line in stdout.lines().filter(|l| l.starts_with('{')) {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["pass"], true, "{line}");
            for r in v["rejected"].as_array().unwrap() {
                let (expected, reason) = (r["expected"].as_str().unwrap(), r["reason"].as_str().unwrap());
                rejected += 1;
                let family = if expected.contains("DEPOSIT") {
                    "invalid deposit log"
                } else if expected.contains("SYSTEM_CONTRACT_EMPTY") {
                    "has no code"
                } else if expected.contains("SYSTEM_CONTRACT_CALL_FAILED") {
                    "the system contract"
                } else if expected.contains("INVALID_REQUESTS") {
                    "requests hash"
                } else if expected.contains("GAS_LIMIT_EXCEEDS_MAXIMUM") {
                    "transaction gas limit too high"
                } else if expected.starts_with("TransactionException") {
                    "transaction "
                } else {
                    ""
                };
                assert!(reason.contains(family), "{engine}: expected {expected}, rejected for: {reason}");
                assert_eq!(r["sameKind"], true, "{engine}: {r}");
            }
        }
        assert!(rejected >= 60, "{engine}: only {rejected} rejections");
    }
}

/// The test's genesis hash and state root: where the chain stays when its block is rejected.
fn genesis(test: &Value) -> (String, String) {
    let g = &test["genesisBlockHeader"];
    (g["hash"].as_str().unwrap().to_string(), g["stateRoot"].as_str().unwrap().to_string())
}

/// `test` with its block's RLP changed by `tamper`, and, when `expect` says so, marked
/// invalid: the chain then ends at genesis.
fn tampered(test: &Value, tamper: impl Fn(&str) -> String, expect: Option<&str>) -> Value {
    let mut t = test.clone();
    let rlp = t["blocks"][0]["rlp"].as_str().unwrap().to_string();
    let changed = tamper(&rlp);
    assert_ne!(rlp, changed, "the tamper changes the block");
    t["blocks"][0]["rlp"] = Value::String(changed);
    if let Some(exception) = expect {
        let (hash, root) = genesis(test);
        t["blocks"][0]["expectException"] = Value::String(exception.into());
        t["lastblockhash"] = Value::String(hash);
        t.as_object_mut().unwrap().remove("postState");
        t["postStateHash"] = Value::String(root);
    }
    t
}

/// Replaces the 32-byte field `field` of the block header (as the fixture's `blockHeader`
/// gives it) in the RLP hex.
fn replace_field(rlp: &str, header: &Value, field: &str, with: &str) -> String {
    let old = header[field].as_str().unwrap().trim_start_matches("0x").to_string();
    assert_eq!(rlp.matches(&old).count(), 1, "{field} occurs once");
    rlp.replacen(&old, with.trim_start_matches("0x"), 1)
}

/// A block whose header claims another requests hash, or another state root, or whose
/// parent is unknown, is rejected; the fixture passes only when it expects that; the
/// untouched block passes, and marked invalid it fails as accepted. On both engines.
#[test]
fn a_tampered_block_is_rejected() {
    let (name, test) = requests_fixture();
    let header = test["blocks"][0]["blockHeader"].clone();
    let dir = scratch("blocktest-tampered");
    let other = "0x1111111111111111111111111111111111111111111111111111111111111111";
    for engine in ["wasmi", "rv"] {
        let e = ["--engine", engine];
        let original = write_test(&dir, "original.json", &name, &test);
        assert_all_passed(&blocktest(&[&original], &e), 1);

        let cases = [
            ("requestsHash", "block 0 rejected: requests hash Some(0xbb5c4b30"),
            ("stateRoot", "block 0 rejected: state root 0x4fc8c192"),
            ("parentHash", "block 0 rejected: unknown parent 0x1111"),
            ("receiptTrie", "block 0 rejected: receipts root"),
        ];
        for (field, why) in cases {
            let tamper = |rlp: &str| replace_field(rlp, &header, field, other);
            let unmarked = write_test(&dir, "unmarked.json", &name, &tampered(&test, tamper, None));
            assert_one_failure(&blocktest(&[&unmarked], &e), &[&name, why]);
            let marked = tampered(&test, tamper, Some("BlockException.INVALID_REQUESTS"));
            let marked = write_test(&dir, "marked.json", &name, &marked);
            assert_all_passed(&blocktest(&[&marked], &e), 1);
        }

        // The valid block marked invalid: accepted, so the test fails.
        let mut wrong = test.clone();
        wrong["blocks"][0]["expectException"] = Value::String("BlockException.INVALID_REQUESTS".into());
        let wrong = write_test(&dir, "wrong.json", &name, &wrong);
        assert_one_failure(
            &blocktest(&[&wrong], &e),
            &["block 0: accepted, but the fixture expects it rejected (BlockException.INVALID_REQUESTS)"],
        );
    }
}

/// Malformed input: each problem is one `FAIL` line naming it (the run goes on with the
/// other files), and a run with nothing to run is one `zkos:` line, exit code 3.
#[test]
fn malformed_input_gives_one_clear_line() {
    let (name, test) = requests_fixture();
    let dir = scratch("blocktest-malformed");
    let not_json = dir.join("notes.json");
    std::fs::write(&not_json, "hello").unwrap();
    assert_one_failure(&blocktest(&[&not_json], &[]), &["notes.json", "invalid JSON"]);

    let array = dir.join("array.json");
    std::fs::write(&array, "[1]").unwrap();
    assert_one_failure(&blocktest(&[&array], &[]), &["array.json", "expected an object of blockchain tests"]);

    let mut no_blocks = test.clone();
    no_blocks.as_object_mut().unwrap().remove("blocks");
    let path = write_test(&dir, "no_blocks.json", &name, &no_blocks);
    assert_one_failure(&blocktest(&[&path], &[]), &["no_blocks.json", "field `blocks`: missing"]);

    let mut network = test.clone();
    network["network"] = Value::String("Frontier".into());
    let path = write_test(&dir, "network.json", &name, &network);
    assert_one_failure(&blocktest(&[&path], &[]), &["network `Frontier` is not a fork zkos implements"]);

    // Bad hex and RLP cut short: the block is rejected (and the test fails, not expecting it).
    let mut odd = test.clone();
    odd["blocks"][0]["rlp"] = Value::String("0xf9012".into());
    let path = write_test(&dir, "odd.json", &name, &odd);
    assert_one_failure(&blocktest(&[&path], &[]), &["block 0 rejected: field `blocks[0].rlp`"]);
    let short = tampered(&test, |rlp| rlp[..rlp.len() - 20].to_string(), None);
    let path = write_test(&dir, "short.json", &name, &short);
    assert_one_failure(&blocktest(&[&path], &[]), &["block 0 rejected: the block: "]);

    let empty = scratch("blocktest-empty");
    let out = blocktest(&[&empty], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("zkos: no blockchain test to run in "), "{stderr}");

    let prague_only = write_test(&dir, "prague_only.json", &name, &test);
    let out = blocktest(&[&prague_only], &["--fork", "Osaka"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("1 test(s) of other networks than --fork's"), "{stderr}");
    let out = blocktest(&[&prague_only], &["--engine", "evmone"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).1.contains("unknown engine `evmone`"));
}

/// The fixture's block as t8n inputs in `dir`: its pre-state, its header as the
/// environment (changed by `env`), its transactions as RLP (`txs.rlp`). Returns the header.
fn t8n_inputs(dir: &Path, env: impl Fn(&mut serde_json::Map<String, Value>)) -> Value {
    let (_, test) = requests_fixture();
    let h = test["blocks"][0]["blockHeader"].clone();
    let mut environment = json!({
        "currentCoinbase": h["coinbase"], "currentGasLimit": h["gasLimit"], "currentNumber": h["number"],
        "currentTimestamp": h["timestamp"], "currentBaseFee": h["baseFeePerGas"], "currentRandom": h["mixHash"],
        "currentDifficulty": "0x0", "currentExcessBlobGas": h["excessBlobGas"],
        "parentBeaconBlockRoot": h["parentBeaconBlockRoot"], "withdrawals": [],
        "blockHashes": { "0x0": test["genesisBlockHeader"]["hash"] },
    });
    env(environment.as_object_mut().unwrap());
    // The block's transaction list, as RLP: the second item of the block.
    let rlp = hex::decode(test["blocks"][0]["rlp"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let mut rest = rlp.as_slice();
    Header::decode(&mut rest).unwrap(); // into the block's list
    let header = Header::decode(&mut rest).unwrap(); // past the header
    rest = &rest[header.payload_length..];
    let start = rest;
    let list = Header::decode(&mut rest).unwrap();
    let txs_rlp = &start[..start.len() - rest.len() + list.payload_length];
    std::fs::write(dir.join("alloc.json"), test["pre"].to_string()).unwrap();
    std::fs::write(dir.join("env.json"), environment.to_string()).unwrap();
    std::fs::write(dir.join("txs.rlp"), format!("\"0x{}\"", hex::encode(txs_rlp))).unwrap();
    h
}

/// `zkos t8n` on the fixture's block writes the header's requests hash and state root, and
/// the same `requests` and `requestsHash` as the Python execution specification's t8n.
#[test]
fn t8n_requests_match_the_reference() {
    let dir = scratch("t8n-requests");
    let h = t8n_inputs(&dir, |_| {});
    let ours = run_zkos_fork(&dir, "txs.rlp", "Prague");
    let reference = run_reference_fork(&dir, "txs.rlp", "Prague");
    let (r, z) = (&reference.result, &ours.result);
    assert_eq!(z["requestsHash"], h["requestsHash"]);
    assert_eq!(z["stateRoot"], h["stateRoot"]);
    assert_eq!(z["requestsHash"], r["requestsHash"]);
    assert_eq!(z["requests"], r["requests"]);
    assert_eq!(z["stateRoot"], r["stateRoot"]);
    let requests = z["requests"].as_array().unwrap();
    let types: Vec<&str> = requests.iter().map(|q| &q.as_str().unwrap()[..4]).collect();
    assert_eq!(types, ["0x00", "0x01", "0x02"]);
}

/// Without `currentExcessBlobGas` t8n derives it from the parent's figures under the fork:
/// a parent with 6 blobs (786432 blob gas) and no excess at a 1 gwei base fee gives 0 in
/// Prague (its target is 6 blobs) and 262144 in Osaka (EIP-7918: the blob price of 1 wei is
/// below the reserve, so the excess grows by 786432 × 3 / 9), as the reference computes.
#[test]
fn t8n_excess_blob_gas_follows_the_fork_as_the_reference() {
    for (fork, want) in [("Prague", "0x0"), ("Osaka", "0x40000")] {
        let dir = scratch(&format!("t8n-excess-{fork}"));
        t8n_inputs(&dir, |env| {
            env.remove("currentExcessBlobGas");
            env.remove("currentBaseFee");
            env.insert("parentBaseFee".into(), json!("0x3b9aca00"));
            env.insert("parentGasUsed".into(), json!("0x0"));
            env.insert("parentGasLimit".into(), env["currentGasLimit"].clone());
            env.insert("parentExcessBlobGas".into(), json!("0x0"));
            env.insert("parentBlobGasUsed".into(), json!("0xc0000"));
        });
        let ours = run_zkos_fork(&dir, "txs.rlp", fork);
        let reference = run_reference_fork(&dir, "txs.rlp", fork);
        assert_eq!(ours.result["currentExcessBlobGas"], want, "{fork}");
        assert_eq!(ours.result["currentExcessBlobGas"], reference.result["currentExcessBlobGas"], "{fork}");
        assert_eq!(ours.result["stateRoot"], reference.result["stateRoot"], "{fork}");
        assert_eq!(ours.result["requestsHash"], reference.result["requestsHash"], "{fork}");
    }
}
