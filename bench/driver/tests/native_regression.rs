//! The lifting column (issue 13 item 2) does not regress: `zkos bench native --json` at the
//! default sizes (the kernels as a native contract, `bench/out/native-contract.elf`, lifted by
//! native-shim, metered and compiled by rv-backend, on the rv engine) is compared with
//! `bench/native-baseline.json`; a lifted count or the call's gas more than 2% above its
//! baseline fails, as `regression.rs` does for the other ways. The direct counts are rustc's
//! code run as it is: shown, not checked. After an improvement (or a deliberate change),
//! rewrite the baseline with `ZKOS_BENCH_BLESS=1 cargo test --release -p zkos-bench --test
//! native_regression` and commit it.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Map, Value};
use support::{bless, blessing, regressions, rustc_version};

mod support;

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../native-baseline.json");

/// The checked counts of a report, by name.
fn counts(report: &Value) -> Map<String, Value> {
    let mut c = Map::new();
    for row in report["rows"].as_array().expect("rows") {
        let kernel = row["kernel"].as_str().expect("kernel");
        for field in ["lifted", "gas"] {
            c.insert(format!("{kernel}.{field}"), row[field].clone());
        }
    }
    c
}

#[test]
fn lifted_counts_do_not_regress() {
    let elf = Path::new(OUT).join("native-contract.elf");
    assert!(elf.is_file(), "{} is missing: run bench/build.sh first", elf.display());
    let out =
        Command::new(env!("CARGO_BIN_EXE_zkos-bench")).args(["native", "--json"]).output().expect("run zkos-bench");
    assert!(out.status.success(), "zkos bench native failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let now = counts(&report);
    let direct: Map<String, Value> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["kernel"].as_str().expect("kernel").to_string(), r["direct"].clone()))
        .collect();
    let rustc = rustc_version();

    if blessing() {
        let doc = json!({ "rustc": rustc, "counts": now, "direct": direct });
        bless(BASELINE, &doc);
        return;
    }

    let regressions = regressions(BASELINE, &rustc, "the kernels are", &now, |_| false);
    println!("lifted / direct (geomean): {}", report["geomean"]);
    assert!(regressions.is_empty(), "lifted instruction counts rose more than 2%:\n{}", regressions.join("\n"));
}
