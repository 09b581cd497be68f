//! Issue 17, item 2: the worst-case proving cost must not regress. `zkos bench worst --json`
//! (every EVM opcode variant, precompile, WASM instruction class and host function, each
//! filling a 1,000,000-gas transaction on the rv engine) is compared with the figures
//! committed in `bench/worst-baseline.json`: any operation whose RV64IM instructions per gas
//! rose more than 5% fails, and so does an operation missing from either side. The kernel-mode
//! figure (the whole block in the machine, warm, per operation) is checked the same way on
//! [`KERNEL_SUBSET`], a representative subset (every case in kernel mode takes about two
//! minutes on a busy 2-core machine; the command prints them all). The counts are exact (the
//! machine is deterministic), so this is not a timed test. After an improvement (or a
//! deliberate change), rewrite the baseline (every case, kernel mode included) with
//! `ZKOS_BENCH_BLESS=1 cargo test --release -p zkos-bench --test worst` and commit it.
//!
//! The kernel ELF is the one `scripts/build-kernel.sh elf` builds from this tree (run first,
//! a no-op when it is current), so the figures are those of the code under test.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Map, Value};

const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../worst-baseline.json");

/// How far above its baseline an operation's instructions per gas may rise: 5%.
const TOLERANCE: f64 = 0.05;

/// The cases checked in kernel mode (substrings of their names): the worst of each family
/// (cheap-gas host calls from EVM and WASM, calls, storage, keccak, hashing and curve
/// precompiles, arithmetic) and typical ones.
const KERNEL_SUBSET: &[&str] = &[
    "ADDRESS",
    "BLOBBASEFEE",
    "CALLDATALOAD",
    "STATICCALL (STOP contract)",
    "CALL (empty account)",
    "SSTORE (warm, unchanged)",
    "SLOAD (warm)",
    "SLOAD (cold)",
    "KECCAK256 (32 bytes)",
    "MULMOD",
    "SDIV",
    "ADD",
    "MLOAD",
    "ECRECOVER",
    "SHA256 (1024 bytes)",
    "BLS12 MAP_FP_TO_G1",
    "BN254 ADD",
    "host poseidon",
    "host address",
    "host storage_store",
    "host keccak256",
    "host call",
    "wasm Alu: i64.add",
    "wasm Bulk: memory.copy",
];

/// Builds the kernel ELF of this tree: `target/kernel/zkos-kernel.elf`.
fn kernel_elf() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = Command::new("bash")
        .arg(root.join("scripts/build-kernel.sh"))
        .arg("elf")
        .status()
        .expect("run scripts/build-kernel.sh elf");
    assert!(status.success(), "scripts/build-kernel.sh elf failed");
    root.join("target/kernel/zkos-kernel.elf").display().to_string()
}

fn report(bless: bool) -> Value {
    let mut args = vec!["worst".to_string(), "--json".into(), "--kernel-elf".into(), kernel_elf()];
    if !bless {
        for name in KERNEL_SUBSET {
            args.extend(["--kernel-only".to_string(), name.to_string()]);
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zkos-bench")).args(&args).output().expect("run zkos-bench worst");
    assert!(out.status.success(), "zkos bench worst failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn worst_case_instructions_per_gas_do_not_regress() {
    let bless = std::env::var_os("ZKOS_BENCH_BLESS").is_some();
    let report = report(bless);
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

    // Every case of the subset ran in kernel mode.
    for name in KERNEL_SUBSET {
        assert!(
            rows.iter().any(|r| r["name"].as_str().unwrap().contains(name) && r["kernel"].is_object()),
            "no kernel-mode figure for `{name}`"
        );
    }

    let now: Map<String, Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({ "rvInstructions": r["rvInstructions"], "gas": r["gas"] });
            if let Some(k) = r["kernel"].as_object() {
                v["kernelInstructions"] = k["instructions"].clone();
                v["kernelOverheadInstructions"] = k["overheadInstructions"].clone();
                v["kernelGas"] = k["gas"].clone();
            }
            (r["name"].as_str().unwrap().to_string(), v)
        })
        .collect();

    if bless {
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
    // The kernel figure: (instructions - overhead) / gas; `None` where not measured.
    let kernel_per_gas = |v: &Value| {
        let full = v["kernelInstructions"].as_u64()?;
        let overhead = v["kernelOverheadInstructions"].as_u64()?;
        let gas = v["kernelGas"].as_u64()?;
        Some(full.saturating_sub(overhead) as f64 / gas.max(1) as f64)
    };
    let rise = |b: f64, n: f64| {
        if b > 0.0 {
            (n - b) / b
        } else if n > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    };
    let mut regressions = Vec::new();
    println!("{:<52} {:>12} {:>12} {:>9}", "operation", "baseline", "now", "change");
    for (name, base) in baseline["operations"].as_object().expect("operations") {
        let Some(cur) = now.get(name) else {
            regressions.push(format!("{name}: no longer measured (rebaseline)"));
            continue;
        };
        let (b, n) = (per_gas(base), per_gas(cur));
        let change = rise(b, n);
        println!("{name:<52} {b:>12.4} {n:>12.4} {:>+8.2}%", 100.0 * change);
        if change > TOLERANCE {
            regressions.push(format!("{name}: {b:.4} -> {n:.4} instructions per gas ({:+.2}%)", 100.0 * change));
        }
        if let Some(n) = kernel_per_gas(cur) {
            let Some(b) = kernel_per_gas(base) else {
                regressions.push(format!("{name}: measured in kernel mode but not in the baseline (rebaseline)"));
                continue;
            };
            let change = rise(b, n);
            println!("{:<52} {b:>12.4} {n:>12.4} {:>+8.2}%", format!("{name} (kernel)"), 100.0 * change);
            if change > TOLERANCE {
                regressions.push(format!(
                    "{name}: kernel mode {b:.4} -> {n:.4} instructions per gas ({:+.2}%)",
                    100.0 * change
                ));
            }
        }
    }
    for name in now.keys().filter(|k| baseline["operations"].get(k.as_str()).is_none()) {
        regressions.push(format!("{name}: measured but not in the baseline (rebaseline)"));
    }
    assert!(regressions.is_empty(), "instructions per gas rose more than 5%:\n{}", regressions.join("\n"));
}
