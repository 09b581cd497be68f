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

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../baseline.json");

/// How far above its baseline a count may rise: 2%.
const TOLERANCE: f64 = 0.02;

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

fn rustc_version() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .expect("run rustc --version");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn instruction_counts_do_not_regress() {
    for f in ["native.elf", "wasmi-driver.elf", "compiler-driver.elf", "kernels.wasm"] {
        assert!(Path::new(OUT).join(f).is_file(), "{OUT}/{f} is missing: run bench/build.sh first");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zkos-bench")).arg("--json").output().expect("run zkos-bench");
    assert!(out.status.success(), "zkos bench failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let now = counts(&report);
    let rustc = rustc_version();

    if std::env::var_os("ZKOS_BENCH_BLESS").is_some() {
        let native: Map<String, Value> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["kernel"].as_str().unwrap().to_string(), r["native"].clone()))
            .collect();
        let doc = json!({ "rustc": rustc, "counts": now, "native": native });
        std::fs::write(BASELINE, serde_json::to_string_pretty(&doc).unwrap() + "\n").expect("write the baseline");
        println!("wrote {BASELINE}");
        return;
    }

    let text = std::fs::read_to_string(BASELINE).expect("bench/baseline.json");
    let baseline: Value = serde_json::from_str(&text).expect("bench/baseline.json is JSON");
    assert_eq!(
        baseline["rustc"].as_str(),
        Some(rustc.as_str()),
        "the baseline was measured with another rustc (the kernels are compiled by it): rebaseline \
         with ZKOS_BENCH_BLESS=1 on this toolchain and commit bench/baseline.json"
    );
    let mut regressions = Vec::new();
    println!("{:<34} {:>14} {:>14} {:>8}", "count", "baseline", "now", "change");
    for (name, base) in baseline["counts"].as_object().expect("counts") {
        let base = base.as_u64().unwrap_or_else(|| panic!("baseline {name}: not a count"));
        let now = now.get(name).and_then(Value::as_u64).unwrap_or_else(|| panic!("{name}: no longer reported"));
        let change = (now as f64 - base as f64) / base.max(1) as f64;
        println!("{name:<34} {base:>14} {now:>14} {:>+7.2}%", 100.0 * change);
        if change > TOLERANCE {
            regressions.push(format!("{name}: {base} -> {now} ({:+.2}%)", 100.0 * change));
        }
    }
    for name in now.keys().filter(|k| baseline["counts"].get(k.as_str()).is_none()) {
        regressions.push(format!("{name}: reported but not in the baseline (rebaseline)"));
    }
    assert!(regressions.is_empty(), "instruction counts rose more than 2%:\n{}", regressions.join("\n"));
}
