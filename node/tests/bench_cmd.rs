//! `zkos bench` runs the benchmark driver built beside `zkos` (`zkos-bench`, crate
//! `bench/driver`, whose own tests run the benchmark) with the same arguments: its errors
//! and exit codes are the command's. The workspace build puts both binaries in one folder.

use std::process::Command;

#[test]
fn zkos_bench_runs_the_driver_with_its_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_zkos")).args(["bench", "--kernel", "nope"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("unknown kernel `nope`"), "{stderr}");
}

#[test]
fn zkos_bench_without_the_driver_says_how_to_build_it() {
    let dir = std::env::temp_dir().join(format!("zkos-bench-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zkos = dir.join("zkos");
    std::fs::copy(env!("CARGO_BIN_EXE_zkos"), &zkos).unwrap();
    let out = Command::new(&zkos).args(["bench", "--size", "small"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(11), "{stderr}");
    assert!(stderr.contains("zkos-bench") && stderr.contains("cargo build --release -p zkos-bench"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
