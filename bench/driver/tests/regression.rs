//! Issue 16, item 6: no instruction-count regressions. `zkos bench --json` at the default
//! sizes is compared with the figures committed in `bench/baseline.json`; any exact count
//! (compiled code, wasmi on the machine, gas, rv-backend compiling on the machine, wasmi's
//! translation) more than 2% above its baseline fails. Counts are exact, so this is not a
//! timed test. The native programs' counts are rustc's, not ours: they are shown, not
//! checked. After an improvement (or a deliberate change), rewrite the baseline with
//! `ZKOS_BENCH_BLESS=1 cargo test --release -p zkos-bench --test regression` and commit it.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Map, Value};
use support::{bless, blessing, regressions, rustc_version};

mod support;

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../baseline.json");

/// The checked counts of a report, by name.
fn counts(report: &Value) -> Map<String, Value> {
    let mut c = Map::new();
    for row in report["rows"].as_array().expect("rows") {
        let kernel = row["kernel"].as_str().expect("kernel");
        for field in ["compiled", "interpreted", "gas", "wasmiInstantiate"] {
            c.insert(format!("{kernel}.{field}"), row[field].clone());
        }
    }
    c.insert("compile.machineInstructions".into(), report["compile"]["machineInstructions"].clone());
    c.insert("wasmiTranslate".into(), report["rows"][0]["wasmiTranslate"].clone());
    c.insert("meteredBytes".into(), report["meteredBytes"].clone());
    c
}

#[test]
fn instruction_counts_do_not_regress() {
    for f in ["native.elf", "wasmi-driver.elf", "compiler-driver.elf", "kernels.wasm", "standard.wasm"] {
        assert!(Path::new(OUT).join(f).is_file(), "{OUT}/{f} is missing: run bench/build.sh first");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zkos-bench")).arg("--json").output().expect("run zkos-bench");
    assert!(out.status.success(), "zkos bench failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let now = counts(&report);
    let rustc = rustc_version();

    if blessing() {
        let native: Map<String, Value> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["kernel"].as_str().unwrap().to_string(), r["native"].clone()))
            .collect();
        let doc = json!({ "rustc": rustc, "counts": now, "native": native });
        bless(BASELINE, &doc);
        return;
    }

    let regressions = regressions(BASELINE, &rustc, "the kernels are", &now, |_| false);
    assert!(regressions.is_empty(), "instruction counts rose more than 2%:\n{}", regressions.join("\n"));
}
