//! Issue 9, item 9: `zkos statetest` on input that holds no state test (a file that is not
//! one, an empty folder, a test without `post`, a test for other forks only) printed
//! "0 passed, 0 failed" and exited 0. Now it says what it found and exits non-zero, in one
//! line; real tests still run, and tests for other forks among them are counted as skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{scratch, zkos};
use serde_json::{json, Value};

/// A real Cancun state test (`stExample/add11.json` of ethereum/tests).
fn add11() -> Value {
    let root = std::env::var_os("ZKOS_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures")));
    let path = root.join("ethereum-tests/GeneralStateTests/stExample/add11.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn statetest(paths: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["statetest".to_string()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    // The fixtures here are Cancun tests; the command's default is the latest fork.
    if !extra.contains(&"--fork") {
        args.extend(["--fork".to_string(), "Cancun".to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    zkos(&args)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Exit code `code`, stderr one line `zkos: …` holding every needle, no panic.
fn assert_refused(out: &Output, code: i32, needles: &[&str]) {
    let (stdout, stderr) = text(out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(code), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("zkos: "), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` not in {stderr}");
    }
}

/// A case reported as failed (`FAIL …` naming the problem), and the run exits non-zero.
fn assert_failed_case(out: &Output, needles: &[&str]) {
    let (stdout, stderr) = text(out);
    assert_refused(out, 2, &["1 state test cases failed"]);
    let fail: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(fail.len(), 1, "{stdout}\n{stderr}");
    for needle in needles {
        assert!(fail[0].contains(needle), "`{needle}` not in {}", fail[0]);
    }
    assert!(stdout.trim_end().ends_with("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn a_file_that_is_not_a_state_test_fails() {
    let dir = scratch("st-not-a-test");
    let array = write(&dir, "array.json", "[1, 2, 3]");
    assert_failed_case(&statetest(&[&array], &[]), &["array.json", "not a state-test file", "found an array"]);
    let object = write(&dir, "object.json", r#"{"a": 1}"#);
    assert_failed_case(&statetest(&[&object], &[]), &["object.json: a", "not a state test", "found a number"]);
    let empty = write(&dir, "empty.json", "{}");
    assert_failed_case(&statetest(&[&empty], &[]), &["empty.json", "holds no tests"]);
    let garbage = write(&dir, "notes.txt", "hello");
    assert_failed_case(&statetest(&[&garbage], &[]), &["notes.txt", "invalid JSON"]);
}

#[test]
fn an_empty_folder_is_refused() {
    let dir = scratch("st-empty");
    let empty = dir.join("nothing");
    std::fs::create_dir_all(empty.join("deeper")).unwrap();
    write(&empty, "README.md", "no tests here");
    assert_refused(&statetest(&[&empty], &[]), 3, &["no .json file in", "nothing"]);
}

#[test]
fn a_test_without_post_fails() {
    let dir = scratch("st-no-post");
    let mut doc = add11();
    let test = doc.as_object_mut().unwrap().values_mut().next().unwrap();
    test.as_object_mut().unwrap().remove("post");
    let file = write(&dir, "nopost.json", &doc.to_string());
    assert_failed_case(&statetest(&[&file], &[]), &["nopost.json: add11", "missing field `post`"]);
}

#[test]
fn a_test_for_other_forks_only_is_refused() {
    let dir = scratch("st-other-fork");
    let mut doc = add11();
    let test = doc.as_object_mut().unwrap().values_mut().next().unwrap();
    let cancun = test["post"]["Cancun"].clone();
    test["post"] = json!({ "Frontier": cancun.clone(), "MadeUpFork": cancun });
    let file = write(&dir, "frontier.json", &doc.to_string());
    assert_refused(
        &statetest(&[&file], &[]),
        3,
        &[
            "no Cancun state-test case in",
            "1 file(s) read",
            "1 test(s) with post-states only for other forks: Frontier, MadeUpFork",
        ],
    );
    // A fork zkos does not implement is refused by name, before anything runs.
    assert_refused(&statetest(&[&file], &["--fork", "Frontier"]), 3, &["unsupported fork `Frontier`", "Cancun"]);
    // A filter that leaves nothing says so.
    let real = write(&dir, "add11.json", &add11().to_string());
    assert_refused(&statetest(&[&real], &["--filter", "nope"]), 3, &["1 test(s) left out by --filter"]);
}

#[test]
fn duplicate_keys_in_a_state_test_fail() {
    let dir = scratch("st-dup");
    let text = add11().to_string().replacen(r#""env":{"#, r#""env":{"currentNumber":"0x2","#, 1);
    assert!(text.contains(r#""currentNumber":"0x2","#), "the edit applies");
    let file = write(&dir, "dup.json", &text);
    assert_failed_case(&statetest(&[&file], &[]), &["dup.json", "duplicate key `currentNumber`"]);
}

/// Real tests still pass, with tests for other forks beside them counted as skipped, and
/// `--fork cancun` is read as Cancun.
#[test]
fn real_tests_run_and_other_forks_are_counted() {
    let dir = scratch("st-real");
    let mut doc = add11();
    let obj = doc.as_object_mut().unwrap();
    let mut other = obj.values().next().unwrap().clone();
    other["post"] = json!({ "Shanghai": other["post"]["Cancun"].clone() });
    obj.insert("add11_shanghai_only".into(), other);
    let file = write(&dir, "mixed.json", &doc.to_string());
    for fork in ["Cancun", "cancun"] {
        let out = statetest(&[&file], &["--fork", fork]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("skipped: 1 test(s) without Cancun post-states"), "{stdout}");
        assert!(stdout.trim_end().ends_with("1 passed, 0 failed"), "{stdout}");
    }
}
