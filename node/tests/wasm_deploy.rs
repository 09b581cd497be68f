//! `wasm-deploy` without a node: the report of each kind of contract (`--check`), and every
//! refusal as one line on stderr with its exit code (2 usage, 3 contract, 4 node).

use std::path::{Path, PathBuf};
use std::process::Command;

const WASM_DEPLOY: &str = env!("CARGO_BIN_EXE_wasm-deploy");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn example(name: &str) -> PathBuf {
    let p = repo().join("examples/out").join(name);
    assert!(p.is_file(), "{} is missing: run examples/build.sh", p.display());
    p
}

/// Runs wasm-deploy; returns the exit code, stdout and stderr.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(WASM_DEPLOY).args(args).output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string());
    print!("{stdout}");
    eprint!("{stderr}");
    (out.status.code(), stdout, stderr)
}

/// An endpoint where nothing listens (port 1 on loopback).
const NOWHERE: &str = "http://127.0.0.1:1";

fn field<'a>(report: &'a str, label: &str) -> &'a str {
    report
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` line in\n{report}"))
        .trim()
}

/// A module with a memory and one function of type [] -> [] exported as `name`.
fn module(name: &str) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type () -> ()
    m.extend_from_slice(&[0x03, 0x02, 0x01, 0x00]); // one function of type 0
    m.extend_from_slice(&[0x05, 0x04, 0x01, 0x01, 0x01, 0x01]); // memory 1 1
    let mut exports = vec![0x02, 0x06];
    exports.extend_from_slice(b"memory");
    exports.extend_from_slice(&[0x02, 0x00]);
    exports.push(u8::try_from(name.len()).unwrap());
    exports.extend_from_slice(name.as_bytes());
    exports.extend_from_slice(&[0x00, 0x00]);
    m.push(0x07);
    m.push(u8::try_from(exports.len()).unwrap());
    m.extend_from_slice(&exports);
    m.extend_from_slice(&[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b]); // body: end
    m
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn check_reports_wasm_native_and_evm_contracts() {
    let counter = example("counter.wasm");
    let (code, out, _) = run(&[counter.to_str().unwrap(), "--check", "--constructor", "constructor(uint256)", "5"]);
    assert_eq!(code, Some(0));
    assert!(field(&out, "kind").starts_with("WASM module"));
    let size = std::fs::metadata(&counter).unwrap().len();
    assert!(field(&out, "size").starts_with(&format!("{size} bytes of 262144")));
    // 65 gas per byte: validate 3, meter 2, compile 10, store 50.
    assert!(field(&out, "deployment").starts_with(&format!("{} gas", 65 * size)));
    assert_eq!(field(&out, "constructor"), "exports deploy, 32 bytes of arguments");
    assert!(out.lines().any(|l| l.trim_start().starts_with("call: ")), "a bound line for call");
    assert!(out.lines().any(|l| l.trim_start().starts_with("deploy: ")), "a bound line for deploy");
    assert!(out.ends_with("check passed: nothing sent\n"));

    let (code, out, _) = run(&[example("native-c.elf").to_str().unwrap(), "--check"]);
    assert_eq!(code, Some(0));
    assert!(field(&out, "kind").starts_with("RV64IM ELF (envelope kind 0x02)"));
    assert!(field(&out, "size").contains("of 1048576 (native ELF size limit)"));

    // EVM init code as hex (solc's output for the gas-report test token).
    let dir = tempfile::tempdir().unwrap();
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("node/src/gas_report/testdata/token.json")).unwrap())
            .unwrap();
    let hex_file = write(dir.path(), "Token.bin", token["bytecode"].as_str().unwrap().as_bytes());
    let (code, out, _) = run(&[&hex_file, "--check"]);
    assert_eq!(code, Some(0));
    // The dry run returns the runtime code: its selectors are bounded, named from the
    // known signatures, and the code hash is the runtime code's.
    let runtime = hex::decode(token["deployedBytecode"].as_str().unwrap()).unwrap();
    assert_eq!(field(&out, "kind"), format!("EVM init code, returning {} bytes of runtime code", runtime.len()));
    assert!(field(&out, "size").contains("of 49152 (EIP-3860 init code limit)"));
    assert_eq!(field(&out, "code hash"), format!("{}", alloy_primitives::keccak256(&runtime)));
    assert!(out.contains("0xa9059cbb transfer(address,uint256): ≤ "), "a bound for transfer");
    assert!(field(&out, "dry run").starts_with("the creation succeeds locally"));
}

/// The code hash covers kind and code, never the constants (DESIGN.md §5): the same module
/// with a constants area, given with --constants or inside an envelope file, hashes the same.
#[test]
fn code_hash_does_not_depend_on_constants() {
    let counter = example("counter.wasm");
    let (_, plain, _) = run(&[counter.to_str().unwrap(), "--check"]);
    let (_, with, _) = run(&[counter.to_str().unwrap(), "--check", "--constants", "0x0102030405"]);
    assert_eq!(field(&plain, "code hash"), field(&with, "code hash"));
    assert_eq!(field(&with, "constants"), "5 bytes");
    // 200 gas per byte of constants on top of the code's charge.
    let gas = |r: &str| field(r, "deployment").split(' ').next().unwrap().parse::<u64>().unwrap();
    assert_eq!(gas(&with), gas(&plain) + 5 * 200);
    let wasm = std::fs::read(&counter).unwrap();
    let mut env = vec![0xEF, 0x5A, 0x01, 0x00, 0, 0, 0, 2, 0xAA, 0xBB];
    env.extend_from_slice(&u32::try_from(wasm.len()).unwrap().to_be_bytes());
    env.extend_from_slice(&wasm);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "counter.env", &env);
    let (code, from_file, _) = run(&[&file, "--check"]);
    assert_eq!(code, Some(0));
    assert_eq!(field(&from_file, "code hash"), field(&plain, "code hash"));
    // A constructor that reverts (the counter's deploy refuses 1 to 31 bytes of calldata):
    // the dry run says so, and --check still passes (the node's state may differ).
    let mut short_args = env.clone();
    short_args.extend_from_slice(&[1, 2, 3]);
    let file_args = write(dir.path(), "counter-args.env", &short_args);
    let (code, out, _) = run(&[&file_args, "--check"]);
    assert_eq!(code, Some(0));
    assert_eq!(field(&out, "constructor"), "exports deploy, 3 bytes of arguments");
    assert!(field(&out, "dry run").starts_with("the creation fails locally"), "{out}");
    assert!(field(&from_file, "dry run").starts_with("the creation succeeds locally"));
    // A file with its own constants area refuses --constants.
    let (code, _, err) = run(&[&file, "--check", "--constants", "00"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("its own constants area"), "{err}");
}

#[test]
fn refusals_are_one_line_with_their_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut too_large = module("call");
    too_large.resize(300 * 1024, 0);
    let mut garbage = b"\0asm\x01\0\0\0".to_vec();
    garbage.extend_from_slice(&[0xff; 16]);
    let ok = write(dir.path(), "ok.wasm", &module("call"));
    let counter = example("counter.wasm").to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (vec![write(dir.path(), "big.wasm", &too_large)], 3, "too large: WASM module"),
        (vec![write(dir.path(), "garbage.wasm", &garbage)], 3, "invalid WASM module"),
        (vec![write(dir.path(), "nocall.wasm", &module("other"))], 3, "rule call-export"),
        (vec![write(dir.path(), "text.wat", b"(module)")], 2, "WebAssembly text"),
        (vec![write(dir.path(), "empty.bin", b"")], 2, "empty file"),
        (vec![dir.path().join("missing.wasm").to_str().unwrap().into()], 2, "missing.wasm"),
        (vec![write(dir.path(), "bad.elf", b"\x7fELF\x02\x01\x01\0junk")], 3, "invalid RV64IM contract"),
        (
            vec![counter.clone(), "--constructor".into(), "constructor(uint256)".into()],
            2,
            "1 argument expected, 0 given",
        ),
        (vec![counter.clone(), "--constructor".into(), "(uint8)".into(), "300".into()], 2, "is not a uint8"),
        (vec![ok.clone(), "--constructor".into(), "(uint8)".into(), "3".into()], 2, "has no deploy export"),
        (vec![ok.clone(), "--constants".into(), "0xzz".into()], 2, "--constants: bad hex"),
        (
            vec![ok.clone(), "--private-key".into(), "0x12".into(), "--rpc".into(), NOWHERE.into()],
            2,
            "--private-key: expected 32 bytes",
        ),
        (vec![ok.clone(), "--rpc".into(), NOWHERE.into()], 4, "node unreachable at http://127.0.0.1:1"),
        (vec![ok.clone(), "--check".into(), "--rpc".into(), NOWHERE.into()], 4, "node unreachable"),
    ];
    for (args, exit, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = run(&args);
        assert_eq!(code, Some(exit), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(err.starts_with("wasm-deploy: ") && err.contains(needle), "{args:?}: `{needle}` in {err}");
    }
    // The minimal module itself passes the check.
    let (code, _, _) = run(&[&ok, "--check"]);
    assert_eq!(code, Some(0));
}
