//! The conformance target: every Cancun case of the ethereum/tests and legacy tests fixtures
//! passes `zkos statetest` on every engine: wasmi, the rv engine, and the kernel (each case a
//! block run statelessly inside the RV64IM machine, contracts compiled and run inside it).
//! Exclusions, if any, are listed with reasons in tests/statetest-exclusions.txt.

use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    std::env::var_os("ZKOS_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures")))
}

fn run(engine: &str) {
    let root = fixtures();
    check(engine, &[root.join("ethereum-tests"), root.join("ethereum-legacytests")], 9000);
}

/// The folders of the suite in two halves of about equal work, for the kernel engine (each
/// case a whole kernel run: the suite's slowest run, split so both halves run at once).
fn half(second: bool) -> Vec<PathBuf> {
    let root = fixtures();
    let general = root.join("ethereum-tests/GeneralStateTests");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&general)
        .expect("the GeneralStateTests folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut half: Vec<PathBuf> =
        folders.into_iter().enumerate().filter(|(i, _)| (i % 2 == 1) == second).map(|(_, p)| p).collect();
    if second {
        half.push(root.join("ethereum-legacytests"));
    }
    half
}

/// Runs `zkos statetest` on `paths` with `engine`: every case passes, more than `at_least`.
fn check(engine: &str, paths: &[PathBuf], at_least: usize) {
    let exclusions = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/statetest-exclusions.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_zkos"))
        .args(["statetest", "--fork", "Cancun", "--engine", engine, "--exclude", exclusions])
        .args(paths)
        .output()
        .expect("run zkos statetest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).take(20).collect();
    let summary = stdout.lines().last().unwrap_or_default();
    println!("{summary}");
    assert!(out.status.success(), "statetests failed: {summary}\n{}", failures.join("\n"));
    let passed: usize = summary.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(summary.ends_with(" passed, 0 failed") && passed > at_least, "unexpected summary: {summary}");
    if engine == "kernel" {
        let figures = stdout.lines().find(|l| l.starts_with("kernel: ")).unwrap_or_default();
        println!("{figures}");
        assert!(figures.contains(" RV64IM instructions over "), "no kernel figures: {stdout}");
    }
}

#[test]
fn ethereum_state_tests_pass_on_wasmi() {
    run("wasmi");
}

#[test]
fn ethereum_state_tests_pass_on_the_rv64im_engine() {
    run("rv");
}

#[test]
fn ethereum_state_tests_pass_on_the_kernel_engine_first_half() {
    check("kernel", &half(false), 3000);
}

#[test]
fn ethereum_state_tests_pass_on_the_kernel_engine_second_half() {
    check("kernel", &half(true), 3000);
}
