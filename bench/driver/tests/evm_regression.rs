//! Issue 16, item 6, the EVM half: no instruction-count regressions on the EVM benchmark
//! inputs. `zkos bench evm --json` is compared with the figures committed in
//! `bench/evm-baseline.json`: any input's zkos count (contract code on the rv engine), revm
//! count (revm built for RV64IM, its whole `transact`), revm interpreter count (revm less its
//! bracketed host work) or gas more than 2% above its baseline fails. Counts are exact, so
//! this is not a timed test.
//!
//! The check runs every input but [`SKIPPED`] (onchain-lm-v2 alone takes about a minute of
//! machine time, three times all the others together); blessing runs and records them all.
//! After an improvement (or a deliberate change), rewrite the baseline with
//! `ZKOS_BENCH_BLESS=1 cargo test --release -p zkos-bench --test evm_regression` and commit it.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Map, Value};
use support::{bless, blessing, regressions, rustc_version};

mod support;

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");
const INPUTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench/evm");
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../evm-baseline.json");

/// Inputs the check leaves out for time (blessing records them).
const SKIPPED: [&str; 1] = ["onchain-lm-v2"];

/// The checked counts of a report, by name.
fn counts(report: &Value) -> Map<String, Value> {
    let mut c = Map::new();
    for row in report["rows"].as_array().expect("rows") {
        let input = row["input"].as_str().expect("input");
        for field in ["gas", "zkos", "revm", "revmInterp"] {
            c.insert(format!("{input}.{field}"), row[field].clone());
        }
    }
    c
}

/// The input names (file names without `.json`), sorted.
fn inputs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(INPUTS)
        .unwrap_or_else(|e| panic!("the EVM benchmark inputs {INPUTS}: {e}"))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn bench_evm(only: &[String]) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkos-bench"));
    cmd.args(["evm", "--json"]);
    for name in only {
        cmd.args(["--only", name]);
    }
    let out = cmd.output().expect("run zkos-bench evm");
    assert!(out.status.success(), "zkos bench evm failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn evm_instruction_counts_do_not_regress() {
    assert!(
        Path::new(OUT).join("revm-driver.elf").is_file(),
        "{OUT}/revm-driver.elf is missing: run bench/build.sh first"
    );
    let all = inputs();
    assert!(all.len() >= 21, "expected the 21 EVM benchmark inputs in {INPUTS}, found {}", all.len());
    let rustc = rustc_version();

    if blessing() {
        let report = bench_evm(&all);
        let doc = json!({ "rustc": rustc, "counts": counts(&report) });
        bless(BASELINE, &doc);
        return;
    }

    let checked: Vec<String> = all.iter().filter(|n| !SKIPPED.contains(&n.as_str())).cloned().collect();
    let now = counts(&bench_evm(&checked));
    let skipped = |name: &str| SKIPPED.contains(&name.rsplit_once('.').map_or(name, |(input, _)| input));
    let regressions = regressions(BASELINE, &rustc, "revm-driver.elf is", &now, skipped);
    assert!(regressions.is_empty(), "EVM instruction counts rose more than 2%:\n{}", regressions.join("\n"));
}
