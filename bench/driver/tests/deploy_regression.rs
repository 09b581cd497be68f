//! Deployment's cost on the machine (issue 16 item 4) does not regress: `zkos bench deploy
//! --json` (every stage of zkos's deployment pipeline run on rv-machine by `deploy-driver.elf`
//! and `compiler-driver.elf`, each result checked against the host's by the command) is compared with
//! `bench/deploy-baseline.json`; a stage's instruction count more than 2% above its baseline
//! fails. After an improvement (or a deliberate change), rewrite the baseline with
//! `ZKOS_BENCH_BLESS=1 cargo test --release -p zkos-bench --test deploy_regression` and commit
//! it.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Map, Value};
use support::{bless, blessing, regressions, rustc_version};

mod support;

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy-baseline.json");

#[test]
fn deployment_stages_run_on_the_machine_and_do_not_regress() {
    let driver = Path::new(OUT).join("deploy-driver.elf");
    assert!(driver.is_file(), "{} is missing: run bench/build.sh first", driver.display());
    let out =
        Command::new(env!("CARGO_BIN_EXE_zkos-bench")).args(["deploy", "--json"]).output().expect("run zkos-bench");
    assert!(out.status.success(), "zkos bench deploy failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let rows = report["rows"].as_array().expect("rows");

    // Every kind of code goes through its whole pipeline, each stage doing work.
    let stages_of = |kind: &str| -> Vec<Vec<String>> {
        rows.iter()
            .filter(|r| r["kind"] == kind)
            .map(|r| r["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap().to_owned()).collect())
            .collect()
    };
    let evm = stages_of("evm");
    assert!(evm.len() >= 20, "the distinct codes of ../shared/bench/evm: {}", evm.len());
    assert!(evm.iter().all(|s| s == &["transpile", "compile"]), "{evm:?}");
    assert_eq!(stages_of("native"), vec![vec!["lift", "check", "compile"]]);
    assert_eq!(stages_of("wasm"), vec![vec!["check", "compile"]; 2]);
    let mut now = Map::new();
    for row in rows {
        for stage in row["stages"].as_array().unwrap() {
            let instructions = stage["instructions"].as_u64().expect("instructions");
            assert!(instructions > stage["bytes"].as_u64().unwrap(), "{row}");
            now.insert(
                format!("{}.{}", row["input"].as_str().unwrap(), stage["stage"].as_str().unwrap()),
                instructions.into(),
            );
        }
    }
    let rustc = rustc_version();
    if blessing() {
        bless(BASELINE, &json!({ "rustc": rustc, "counts": now }));
        return;
    }
    for total in report["totals"].as_array().expect("totals") {
        println!("{}: {:.1} instructions per byte", total["stage"], total["perByte"].as_f64().unwrap());
    }
    let regressions = regressions(BASELINE, &rustc, "the deployment pipeline is", &now, |_| false);
    assert!(regressions.is_empty(), "deployment instruction counts rose more than 2%:\n{}", regressions.join("\n"));
}
