//! Issue 12's conformance target for state tests: every Prague and Osaka state test of
//! execution-spec-tests v5.4.0 (`../shared/fixtures/eest`, unpacked into `target/eest` by
//! `scripts/unpack-eest.sh`, which the test command runs) passes `zkos statetest` on both
//! engines. Cases excluded, if any, are listed with their reasons in
//! `tests/eest-exclusions.txt`.

use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    std::env::var_os("ZKOS_EEST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/eest")))
}

fn run(fork: &str, engine: &str) {
    let dir = fixtures().join(fork.to_ascii_lowercase()).join("state_tests");
    assert!(dir.is_dir(), "{} is missing: run scripts/unpack-eest.sh (the test command does)", dir.display());
    let exclusions = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/eest-exclusions.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_zkos"))
        .args(["statetest", "--fork", fork, "--engine", engine, "--exclude", exclusions])
        .arg(&dir)
        .output()
        .expect("run zkos statetest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).take(20).collect();
    let summary = stdout.lines().last().unwrap_or_default();
    println!("{fork} on {engine}: {summary}");
    for line in stdout.lines().filter(|l| l.starts_with("excluded:") || l.starts_with("skipped:")) {
        println!("{line}");
    }
    assert!(out.status.success(), "{fork} state tests failed on {engine}: {summary}\n{}", failures.join("\n"));
    let passed: usize = summary.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    // The archives hold several thousand cases per fork (Prague: 7,442 at the start).
    assert!(summary.ends_with(" passed, 0 failed") && passed > 5000, "unexpected summary: {summary}");
}

#[test]
fn prague_state_tests_pass_on_wasmi() {
    run("Prague", "wasmi");
}

#[test]
fn prague_state_tests_pass_on_the_rv64im_engine() {
    run("Prague", "rv");
}

#[test]
fn osaka_state_tests_pass_on_wasmi() {
    run("Osaka", "wasmi");
}

#[test]
fn osaka_state_tests_pass_on_the_rv64im_engine() {
    run("Osaka", "rv");
}
