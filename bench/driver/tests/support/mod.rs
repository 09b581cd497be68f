//! What the instruction-count regression tests share (`regression.rs`, `evm_regression.rs`,
//! `native_regression.rs`): the toolchain's version, writing a baseline, and comparing the
//! counts of a run with it.

use std::path::Path;
use std::process::Command;

use serde_json::{Map, Value};

/// How far above its baseline a count may rise: 2%.
pub const TOLERANCE: f64 = 0.02;

/// `rustc --version` of the toolchain that builds the benchmark programs.
pub fn rustc_version() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .expect("run rustc --version");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether the run should rewrite the baseline (`ZKOS_BENCH_BLESS` set).
pub fn blessing() -> bool {
    std::env::var_os("ZKOS_BENCH_BLESS").is_some()
}

/// Writes `doc` as the baseline at `path`.
pub fn bless(path: &str, doc: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap() + "\n").expect("write the baseline");
    println!("wrote {path}");
}

/// Compares `now` with the `counts` of the baseline at `path`, which must have been measured
/// with `rustc` (`compiled` says what that toolchain compiles, for the message when it was
/// not). Prints the comparison and returns what fails: every count more than [`TOLERANCE`]
/// above its baseline, every baseline count no longer reported, every count the baseline
/// lacks. Baseline counts for which `skipped` holds are not measured by this run.
pub fn regressions(
    path: &str,
    rustc: &str,
    compiled: &str,
    now: &Map<String, Value>,
    skipped: impl Fn(&str) -> bool,
) -> Vec<String> {
    let file = Path::new(path).file_name().map_or(path.into(), |f| f.to_string_lossy().into_owned());
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("bench/{file}: {e}"));
    let baseline: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("bench/{file} is not JSON: {e}"));
    assert_eq!(
        baseline["rustc"].as_str(),
        Some(rustc),
        "the baseline was measured with another rustc ({compiled} compiled by it): rebaseline with \
         ZKOS_BENCH_BLESS=1 on this toolchain and commit bench/{file}"
    );
    let counts = baseline["counts"].as_object().expect("counts");
    let width = counts.keys().chain(now.keys()).map(String::len).max().unwrap_or(0).max(5);
    let mut regressions = Vec::new();
    println!("{:<width$} {:>14} {:>14} {:>8}", "count", "baseline", "now", "change");
    for (name, base) in counts.iter().filter(|(name, _)| !skipped(name)) {
        let base = base.as_u64().unwrap_or_else(|| panic!("baseline {name}: not a count"));
        let Some(now) = now.get(name).and_then(Value::as_u64) else {
            regressions.push(format!("{name}: no longer reported"));
            continue;
        };
        let change = (now as f64 - base as f64) / base.max(1) as f64;
        println!("{name:<width$} {base:>14} {now:>14} {:>+7.2}%", 100.0 * change);
        if change > TOLERANCE {
            regressions.push(format!("{name}: {base} -> {now} ({:+.2}%)", 100.0 * change));
        }
    }
    for name in now.keys().filter(|k| !counts.contains_key(k.as_str())) {
        regressions.push(format!("{name}: reported but not in the baseline (rebaseline)"));
    }
    regressions
}
