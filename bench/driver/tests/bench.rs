//! `zkos bench` (the `zkos-bench` driver) on the smallest sizes: the three ways agree with the host on every checksum,
//! and every instruction count is deterministic (two runs, identical counts). Timing is never
//! asserted. Needs the programs of `bench/build.sh` in `bench/out/`.

use std::path::Path;
use std::process::{Command, Output};

use bench_kernels::{Kernel, SCRATCH_WORDS};
use serde_json::Value;

const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");

/// Runs `zkos bench ARGS` (the driver the command runs).
fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkos-bench")).args(args).output().expect("run zkos-bench")
}

fn require_programs() {
    for f in ["native.elf", "wasmi-driver.elf", "compiler-driver.elf", "kernels.wasm", "standard.wasm"] {
        assert!(
            Path::new(OUT).join(f).is_file(),
            "{OUT}/{f} is missing: build the benchmark programs with bench/build.sh first"
        );
    }
}

fn bench_json() -> Value {
    require_programs();
    let out = bench(&["--size", "small", "--json"]);
    assert!(out.status.success(), "zkos bench failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// The fields of a report that are exact counts (everything but times and speeds).
fn counts(report: &Value) -> Vec<(String, u64)> {
    let mut c = Vec::new();
    for row in report["rows"].as_array().unwrap() {
        let kernel = row["kernel"].as_str().unwrap();
        for field in ["n", "native", "compiled", "interpreted", "gas", "wasmiTranslate", "wasmiInstantiate"] {
            let v = row[field].as_u64().unwrap_or_else(|| panic!("{kernel}.{field}: {}", row[field]));
            c.push((format!("{kernel}.{field}"), v));
        }
    }
    c.push(("compile.machineInstructions".into(), report["compile"]["machineInstructions"].as_u64().unwrap()));
    c.push(("meteredBytes".into(), report["meteredBytes"].as_u64().unwrap()));
    c
}

#[test]
fn three_ways_agree_and_counts_are_deterministic() {
    let first = bench_json();
    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len(), Kernel::ALL.len());
    let mut scratch = vec![0u64; SCRATCH_WORDS];
    for (row, kernel) in rows.iter().zip(Kernel::ALL) {
        assert_eq!(row["kernel"], kernel.name());
        let n = row["n"].as_u64().unwrap();
        // The command checks each way against the host; check its report independently.
        let want = format!("{:#018x}", kernel.run(n, &mut scratch));
        assert_eq!(row["checksum"], want.as_str(), "{}", kernel.name());
        for field in ["native", "compiled", "interpreted", "gas"] {
            assert!(row[field].as_u64().unwrap() > 0, "{}.{field} is zero", kernel.name());
        }
    }
    let second = bench_json();
    assert_eq!(counts(&first), counts(&second));
}

#[test]
fn ed25519_accepts_the_signature_and_rejects_the_tampered_message_on_every_way() {
    require_programs();
    let out = bench(&["--size", "small", "--kernel", "ed25519", "--json"]);
    assert!(out.status.success(), "zkos bench failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let row = &report["rows"][0];
    assert_eq!(row["n"], 2);
    // Round 0 verifies the genuine message (accepted: 1), round 1 a tampered one (rejected:
    // 0); the command checked native, compiled and interpreted against this.
    let (genuine, tampered) = (1, 1 << 1);
    let want = bench_kernels::mix(bench_kernels::mix(0, genuine), tampered);
    assert_eq!(row["checksum"], format!("{want:#018x}").as_str());
}

#[test]
fn one_kernel_and_bad_flags() {
    require_programs();
    let out = bench(&["--size", "small", "--kernel", "sha256"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\nsha256 ") && !text.contains("\nkeccak "), "{text}");
    assert!(text.contains("geomean"), "{text}");

    let out = bench(&["--kernel", "nope"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown kernel `nope`") && err.contains("fibonacci"), "{err}");

    let out = bench(&["--dir", "/nonexistent/zkos-bench-out"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/zkos-bench-out/native.elf") && err.contains("bench/build.sh"), "{err}");
}
