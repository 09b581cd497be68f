//! Issue 17, item 2: the worst-case proving cost must not regress. `zkos bench worst --json`
//! (every EVM opcode variant, precompile, WASM instruction class and host function, each
//! filling a 1,000,000-gas transaction on the rv engine) is compared with the figures
//! committed in `bench/worst-baseline.json`: any operation whose RV64IM instructions per gas
//! rose more than 5% fails, and so does an operation missing from either side. The counts are
//! exact (the machine is deterministic), so this is not a timed test. After an improvement (or
//! a deliberate change), rewrite the baseline with
//! `ZKOS_BENCH_BLESS=1 cargo test --release -p zkos-bench --test worst` and commit it.

use std::process::Command;

use serde_json::{json, Map, Value};

const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../worst-baseline.json");

/// How far above its baseline an operation's instructions per gas may rise: 5%.
const TOLERANCE: f64 = 0.05;

fn report() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_zkos-bench"))
        .args(["worst", "--json"])
        .output()
        .expect("run zkos-bench worst");
    assert!(out.status.success(), "zkos bench worst failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn worst_case_instructions_per_gas_do_not_regress() {
    let report = report();
    let rows = report["rows"].as_array().expect("rows");

    // Every WASM instruction class of the cost model (but the free one) and every host
    // function a contract can import and return from has a row.
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().expect("name")).collect();
    for class in host_abi::gas::OpClass::ALL.iter().filter(|c| c.weight() > 0) {
        let prefix = format!("wasm {class:?}:");
        assert!(names.iter().any(|n| n.starts_with(&prefix)), "no case for WASM class {class:?}");
    }
    for f in host_abi::functions::HostFn::ALL.iter().filter(|f| f.importable() && !f.terminates()) {
        let name = format!("host {}", f.import_name());
        assert!(names.contains(&name.as_str()), "no case for host function {}", f.import_name());
    }
    // Every loop runs until it is out of gas: a case that ends otherwise measures something
    // else than its operation.
    for r in rows {
        assert_eq!(r["end"], "out of gas", "{}: ended with {}", r["name"], r["end"]);
    }

    let now: Map<String, Value> = rows
        .iter()
        .map(|r| {
            (r["name"].as_str().unwrap().to_string(), json!({ "rvInstructions": r["rvInstructions"], "gas": r["gas"] }))
        })
        .collect();

    if std::env::var_os("ZKOS_BENCH_BLESS").is_some() {
        let doc = json!({ "gasPerCase": report["gasPerCase"], "fork": report["fork"], "operations": now });
        std::fs::write(BASELINE, serde_json::to_string_pretty(&doc).unwrap() + "\n").expect("write the baseline");
        println!("wrote {BASELINE}");
        return;
    }

    let text = std::fs::read_to_string(BASELINE).expect("bench/worst-baseline.json");
    let baseline: Value = serde_json::from_str(&text).expect("bench/worst-baseline.json is JSON");
    assert_eq!(baseline["gasPerCase"], report["gasPerCase"], "the baseline was measured with another gas per case");
    let per_gas = |v: &Value| {
        let rv = v["rvInstructions"].as_u64().expect("rvInstructions");
        let gas = v["gas"].as_u64().expect("gas");
        rv as f64 / gas.max(1) as f64
    };
    let mut regressions = Vec::new();
    println!("{:<52} {:>12} {:>12} {:>9}", "operation", "baseline", "now", "change");
    for (name, base) in baseline["operations"].as_object().expect("operations") {
        let Some(cur) = now.get(name) else {
            regressions.push(format!("{name}: no longer measured (rebaseline)"));
            continue;
        };
        let (b, n) = (per_gas(base), per_gas(cur));
        // Exact counts: a rise below one instruction in the whole run is no rise.
        let change = if b > 0.0 {
            (n - b) / b
        } else if n > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        println!("{name:<52} {b:>12.4} {n:>12.4} {:>+8.2}%", 100.0 * change);
        if change > TOLERANCE {
            regressions.push(format!("{name}: {b:.4} -> {n:.4} instructions per gas ({:+.2}%)", 100.0 * change));
        }
    }
    for name in now.keys().filter(|k| baseline["operations"].get(k.as_str()).is_none()) {
        regressions.push(format!("{name}: measured but not in the baseline (rebaseline)"));
    }
    assert!(regressions.is_empty(), "instructions per gas rose more than 5%:\n{}", regressions.join("\n"));
}
