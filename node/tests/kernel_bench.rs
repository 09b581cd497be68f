//! `zkos bench kernel` (issue 11, item 9; docs/kernel.md "Figures"): the table's structure,
//! the JSON form, the ERC20 block, skipping by gas, and cold runs costing at least as much as
//! warm ones. Small inputs only (the whole table takes minutes).

use std::process::{Command, Output};

use serde_json::Value;

fn zkos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkos")).args(args).output().expect("run zkos")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A number as the table prints it (`1,234`).
fn number(cell: &str) -> u64 {
    cell.replace(',', "").parse().unwrap_or_else(|_| panic!("not a number: {cell}"))
}

#[test]
fn the_table_has_a_row_per_input_and_the_anchors() {
    let out = zkos(&["bench", "kernel", "--only", "counter"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let header: Vec<&str> = lines[0].split("  ").map(str::trim).filter(|s| !s.is_empty()).collect();
    assert_eq!(
        header,
        [
            "input",
            "gas",
            "cold instructions",
            "cold/gas",
            "warm instructions",
            "warm/gas",
            "keccak-f",
            "secp256k1",
            "cold input",
            "cold block",
            "cold output",
            "wall s"
        ],
        "{stdout}"
    );
    assert!(lines[1].chars().all(|c| c == '-'), "{stdout}");
    let rows: Vec<Vec<&str>> =
        lines[2..].iter().take_while(|l| !l.is_empty()).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 1, "only the counter input: {stdout}");
    let row = &rows[0];
    assert_eq!(row.len(), header.len(), "{stdout}");
    assert_eq!(row[0], "counter");
    let (gas, cold, warm) = (number(row[1]), number(row[2]), number(row[4]));
    assert!(gas > 21_000 && cold > gas, "{stdout}");
    assert!(cold >= warm && warm > 0, "cold {cold} < warm {warm}: {stdout}");
    let per_gas: f64 = row[3].parse().unwrap();
    assert!((per_gas - cold as f64 / gas as f64).abs() < 0.06, "{stdout}");
    assert_eq!(number(row[7]), 1, "one sender recovered: {stdout}");
    assert!(number(row[6]) > 0, "{stdout}");
    let phases: u64 = row[8..11].iter().map(|c| number(c)).sum();
    assert_eq!(phases, cold, "the phases add up to the cold run: {stdout}");
    assert!(stdout.contains("overall: 1 blocks"), "{stdout}");
    assert!(stdout.contains("reth on SP1 19.3") && stdout.contains("Airbender about 12"), "{stdout}");
    assert!(stdout.contains("required at most 19") && stdout.contains("goal 6"), "{stdout}");
    assert!(stdout.contains("compiled by rv-backend") && stdout.contains("inside the kernel"), "{stdout}");
    assert!(!stdout.contains("skipped"), "{stdout}");
}

#[test]
fn the_json_has_the_erc20_block_and_the_skipped_inputs() {
    let out = zkos(&["bench", "kernel", "--json", "--only", "erc20", "--max-gas", "1000000", "--transfers", "4"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    // erc20_transfer (13.5 M gas) is above --max-gas: named, not run.
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{doc}");
    assert_eq!(skipped[0]["name"], "erc20_transfer");
    assert!(skipped[0]["gasUsed"].as_u64().unwrap() > 1_000_000, "{doc}");
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{doc}");
    let row = &rows[0];
    assert_eq!(row["name"], "erc20_block");
    assert_eq!(row["transactions"], 4);
    let gas = row["gasUsed"].as_u64().unwrap();
    // Four transfers to fresh accounts: each more than a plain transfer.
    assert!(gas > 4 * 40_000 && gas < 4 * 80_000, "{gas}");
    let (cold, warm) = (&row["cold"], &row["warm"]);
    let instructions = |f: &Value| f["instructions"].as_u64().unwrap();
    assert!(instructions(cold) >= instructions(warm), "{row}");
    assert!(instructions(warm) > gas, "{row}");
    for f in [cold, warm] {
        assert_eq!(f["accelerators"]["secp256k1_recover"], 4, "every sender recovered: {f}");
        let phases: u64 = f["breakdown"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(phases, instructions(f), "{f}");
        // The block's own phases: all six, together nearly the whole `block` phase (the
        // markers sit just inside it), execution among them.
        let block = f["breakdown"]["block"].as_u64().unwrap();
        let inner = f["blockPhases"].as_object().unwrap();
        let names: Vec<&str> = inner.keys().map(String::as_str).collect();
        for name in ["senderRecovery", "witness", "artifacts", "execution", "stateRoot", "artifactRoot"] {
            assert!(names.contains(&name), "{name} in {f}");
        }
        let sum: u64 = inner.values().map(|v| v.as_u64().unwrap()).sum();
        assert!(sum <= block && sum * 100 >= block * 99, "{sum} of {block}: {f}");
        assert!(inner["execution"].as_u64().unwrap() > 0 && inner["senderRecovery"].as_u64().unwrap() > 0, "{f}");
        assert_eq!(f["misalignedAccesses"], 0, "{f}");
    }
    assert_eq!(doc["total"]["gasUsed"], gas);
    assert_eq!(doc["anchors"]["rethSp1CyclesPerGas"], 19.3);
    assert_eq!(doc["anchors"]["requiredInstructionsPerGas"], 19.0);
}

#[test]
fn no_matching_input_is_an_error() {
    let out = zkos(&["bench", "kernel", "--only", "no-such-input"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("no input matches `no-such-input`"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

/// Issue 11, item 8: every `../shared/bench/evm` input (the three largest included) gives the
/// same record in kernel mode as in host mode, cold and warm: `zkos bench kernel` fails (exit
/// code 2) on any difference, and here every input has its row.
#[test]
fn every_bench_input_gives_host_modes_record_in_kernel_mode() {
    let out = zkos(&["bench", "kernel", "--all", "--json"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let inputs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/evm");
    let mut expected: Vec<String> = std::fs::read_dir(inputs)
        .expect("../shared/bench/evm")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    expected.push("erc20_block".into());
    expected.sort();
    let mut rows: Vec<String> =
        doc["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect();
    rows.sort();
    assert_eq!(rows, expected, "{doc}");
    assert!(doc["skipped"].as_array().unwrap().is_empty(), "{doc}");
    for row in doc["rows"].as_array().unwrap() {
        let instructions = |f: &str| row[f]["instructions"].as_u64().unwrap();
        assert!(instructions("cold") >= instructions("warm"), "{row}");
    }
    println!("{}", doc["total"]);
}
