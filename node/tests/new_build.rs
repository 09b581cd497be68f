//! `zkos new` writes a project that builds outside this repository: in a temporary folder,
//! `zkos new`, `zkos build` (the module, its envelope, size, costs, gas bounds) and
//! `cargo test` of the project (the SDK's mock and the harness on both engines).
//!
//! The project's builds share `target/zkos-new/` of this repository (so its dependencies
//! are compiled once, not per run); the first run compiles the engines (unoptimized, about
//! two minutes), later runs take seconds.

use std::path::{Path, PathBuf};
use std::process::Command;

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/zkos-new")
}

fn zkos(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkos"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("zkos runs")
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_new_rust_project_builds_and_passes_its_tests_outside_the_repository() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap();
    assert!(!tmp.path().starts_with(&repo), "the project must be outside the repository");

    let out = zkos(tmp.path(), &["new", "tally"]);
    assert!(out.status.success(), "zkos new: {}", text(&out));
    let dir = tmp.path().join("tally");
    for f in ["Cargo.toml", ".cargo/config.toml", "src/lib.rs", "tests/counter.rs", "README.md", "Cargo.lock"] {
        assert!(dir.join(f).is_file(), "zkos new wrote no {f}");
    }
    // A second `new` into the same folder is refused.
    let again = zkos(tmp.path(), &["new", "tally"]);
    assert!(!again.status.success() && text(&again).contains("not empty"), "{}", text(&again));

    // zkos build: constructor argument 5 for the dry run.
    let five = format!("{:064x}", 5);
    let out = zkos(&dir, &["build", "--args", &five]);
    let report = text(&out);
    assert!(out.status.success(), "zkos build: {report}");
    assert!(report.contains("bytes of 262144 allowed"), "{report}");
    assert!(report.contains("deploy fee"), "{report}");
    assert!(report.contains("dry run on wasmi and rv"), "{report}");
    assert!(report.contains("export") && report.contains("call"), "no gas-bound table: {report}");
    let envelope = target_dir().join("wasm32-unknown-unknown/release/tally.zkos");
    let bytes = std::fs::read(&envelope).expect("zkos build wrote the envelope");
    assert!(host_abi::envelope::is_envelope(&bytes), "{} is not an envelope", envelope.display());

    // cargo test of the project: the mock unit test and the harness tests.
    // The project optimizes its dependencies in tests (the engines run faster); here the
    // engines are built unoptimized instead, which takes a quarter of the time on a cold CI
    // target: the test checks that the project builds and passes, not how fast it runs.
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--config", "profile.dev.package.\"*\".opt-level=0"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs");
    let log = text(&out);
    assert!(out.status.success(), "cargo test of the new project failed:\n{log}");
    for test in ["bump_under_the_mock", "bumps_and_logs", "rejects_big_steps_and_value", "any_bumps_add_up"] {
        assert!(log.contains(&format!("{test} ... ok")), "{test} did not pass:\n{log}");
    }
}

#[test]
fn build_outside_a_project_says_what_is_missing() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let out = zkos(tmp.path(), &["build"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not a contract project"), "{}", text(&out));
    let out = zkos(tmp.path(), &["new", "Bad Name"]);
    assert!(!out.status.success() && text(&out).contains("not a usable project name"), "{}", text(&out));
}
