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

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../native-baseline.json");

/// How far above its baseline a count may rise: 2%.
const TOLERANCE: f64 = 0.02;

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

fn rustc_version() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .expect("run rustc --version");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
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

    if std::env::var_os("ZKOS_BENCH_BLESS").is_some() {
        let doc = json!({ "rustc": rustc, "counts": now, "direct": direct });
        std::fs::write(BASELINE, serde_json::to_string_pretty(&doc).unwrap() + "\n").expect("write the baseline");
        println!("wrote {BASELINE}");
        return;
    }

    let text = std::fs::read_to_string(BASELINE).expect("bench/native-baseline.json");
    let baseline: Value = serde_json::from_str(&text).expect("bench/native-baseline.json is JSON");
    assert_eq!(
        baseline["rustc"].as_str(),
        Some(rustc.as_str()),
        "the baseline was measured with another rustc (the kernels are compiled by it): rebaseline \
         with ZKOS_BENCH_BLESS=1 on this toolchain and commit bench/native-baseline.json"
    );
    let mut regressions = Vec::new();
    println!("{:<24} {:>14} {:>14} {:>8}", "count", "baseline", "now", "change");
    for (name, base) in baseline["counts"].as_object().expect("counts") {
        let base = base.as_u64().unwrap_or_else(|| panic!("baseline {name}: not a count"));
        let now = now.get(name).and_then(Value::as_u64).unwrap_or_else(|| panic!("{name}: no longer reported"));
        let change = (now as f64 - base as f64) / base.max(1) as f64;
        println!("{name:<24} {base:>14} {now:>14} {:>+7.2}%", 100.0 * change);
        if change > TOLERANCE {
            regressions.push(format!("{name}: {base} -> {now} ({:+.2}%)", 100.0 * change));
        }
    }
    for name in now.keys().filter(|k| baseline["counts"].get(k.as_str()).is_none()) {
        regressions.push(format!("{name}: reported but not in the baseline (rebaseline)"));
    }
    println!("lifted / direct (geomean): {}", report["geomean"]);
    assert!(regressions.is_empty(), "lifted instruction counts rose more than 2%:\n{}", regressions.join("\n"));
}
