//! Kernel mode (issue 11, docs/kernel.md): the kernel ELF's layout, identical records in
//! host and kernel mode, failed runs (tampered witness, dropped code, garbage input) with no
//! output, and state tests on the kernel engine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use wasm_runtime::primitives::keccak256;
use wasm_runtime::stateless::KernelInput;

/// The re-signing `zkos bench kernel` uses (the crate has no library target).
#[path = "../src/kernel/resign.rs"]
mod resign;

fn shared() -> PathBuf {
    std::env::var_os("ZKOS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn fixtures() -> PathBuf {
    std::env::var_os("ZKOS_FIXTURES").map(PathBuf::from).unwrap_or_else(|| shared().join("fixtures"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkos-kernel-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn zkos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkos")).args(args).output().expect("run zkos")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A `../shared/bench/evm` block with its sender replaced by the key's account, its
/// transactions signed with it (the kernel takes signed transactions only).
fn signed_bench_block(name: &str, dir: &Path) -> PathBuf {
    let path = shared().join("bench/evm").join(format!("{name}.json"));
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    resign::resign(&mut doc).unwrap();
    let block = doc.as_object().unwrap().values().next().unwrap();
    assert!(block["pre"].get(resign::KEY_ADDRESS).is_some(), "the sender's account moved to the key's address");
    let out = dir.join(format!("{name}.json"));
    std::fs::write(&out, serde_json::to_string(&doc).unwrap()).unwrap();
    out
}

/// Reads the program headers: `(type, flags, offset, vaddr, filesz, memsz)`, and the
/// section headers: `(flags, offset, size)`.
#[allow(clippy::type_complexity)]
fn headers(elf: &[u8]) -> (Vec<(u32, u32, u64, u64, u64, u64)>, Vec<(u64, u64, u64)>) {
    let u16_at = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap());
    let (phoff, shoff) = (u64_at(32) as usize, u64_at(40) as usize);
    let (phnum, shnum) = (u16_at(56), u16_at(60));
    let phdrs = (0..phnum)
        .map(|i| {
            let at = phoff + i * 56;
            (u32_at(at), u32_at(at + 4), u64_at(at + 8), u64_at(at + 16), u64_at(at + 32), u64_at(at + 40))
        })
        .collect();
    let shdrs = (0..shnum)
        .map(|i| {
            let at = shoff + i * 64;
            (u64_at(at + 8), u64_at(at + 24), u64_at(at + 32))
        })
        .collect();
    (phdrs, shdrs)
}

/// Every loadable segment at or above 0x7800_0000, none writable and executable, and the
/// executable one holding only instructions: no ELF or program header, only sections marked
/// executable in its file range (SP1 v6's loader rules).
#[test]
fn the_kernel_elf_is_laid_out_for_sp1() {
    let dir = scratch("elf");
    let file = dir.join("kernel.elf");
    let out = zkos(&["kernel", "elf", "-o", p(&file)]);
    assert!(out.status.success(), "{:?}", text(&out));
    let elf = std::fs::read(&file).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    let (phdrs, shdrs) = headers(&elf);
    let loads: Vec<_> = phdrs.iter().filter(|h| h.0 == 1).collect();
    assert!(loads.len() >= 3, "{loads:?}");
    let phdrs_end = 64 + 56 * phdrs.len() as u64;
    let mut code = 0;
    for &&(_, flags, offset, vaddr, filesz, memsz) in &loads {
        assert!(vaddr >= 0x7800_0000, "segment at {vaddr:#x}");
        assert_ne!(flags & 3, 3, "segment at {vaddr:#x} is writable and executable");
        if flags & 1 != 0 {
            code += 1;
            assert!(offset >= phdrs_end, "the code segment holds the ELF headers");
            assert_eq!(filesz, memsz);
            for &(sh_flags, sh_offset, sh_size) in &shdrs {
                let alloc = sh_flags & 2 != 0;
                let inside = sh_offset < offset + filesz && offset < sh_offset + sh_size;
                if alloc && inside && sh_size > 0 {
                    assert!(sh_flags & 4 != 0, "a non-code section lies in the code segment at {sh_offset:#x}");
                }
            }
        }
    }
    assert_eq!(code, 1, "one executable segment");
    // readelf agrees (binutils, as the issue checks it).
    let readelf = ["readelf", "riscv64-unknown-elf-readelf"]
        .iter()
        .find_map(|tool| Command::new(tool).args(["-lW", p(&file)]).output().ok())
        .expect("readelf (binutils) is installed");
    let listing = String::from_utf8_lossy(&readelf.stdout);
    let load_lines: Vec<&str> = listing.lines().filter(|l| l.trim_start().starts_with("LOAD")).collect();
    assert_eq!(load_lines.len(), loads.len(), "{listing}");
    for line in load_lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let vaddr = u64::from_str_radix(fields[2].trim_start_matches("0x"), 16).unwrap();
        assert!(vaddr >= 0x7800_0000, "{line}");
        assert!(!line.contains("RWE"), "{line}");
    }
}

/// The ERC20 benchmark block (re-signed): kernel mode gives host mode's record (zkos run
/// --kernel checks it and fails otherwise), with its instructions and accelerator calls.
#[test]
fn an_erc20_block_gives_the_same_record_in_kernel_mode() {
    let dir = scratch("erc20");
    let block = signed_bench_block("erc20_transfer", &dir);
    let out = zkos(&["run", "--kernel", "--json", "--fork", "Cancun", p(&block)]);
    assert!(out.status.success(), "{:?}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kernel = &report["kernel"];
    let instructions = kernel["instructions"].as_u64().unwrap();
    let gas = report["gasUsed"].as_u64().unwrap();
    assert!(gas > 1_000_000, "{gas}");
    assert!(instructions > gas, "{instructions} instructions for {gas} gas");
    assert!(kernel["accelerators"]["keccak_f1600"].as_u64().unwrap() > 1000, "{kernel}");
    assert_eq!(kernel["accelerators"]["secp256k1_recover"], 1, "{kernel}");
    println!("erc20_transfer: {gas} gas, {kernel}");
}

/// `zkos t8n --kernel` writes the same alloc.json and result.json as host mode, plus the
/// kernel's figures.
#[test]
fn t8n_kernel_writes_the_host_results_and_the_figures() {
    let dir = scratch("t8n");
    let example: Value =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/block.json"))).unwrap();
    for (file, key) in [("alloc.json", "alloc"), ("env.json", "env"), ("txs.json", "txs")] {
        std::fs::write(dir.join(file), serde_json::to_string(&example[key]).unwrap()).unwrap();
    }
    let run = |out_dir: &str, kernel: bool| {
        let mut args = vec![
            "t8n",
            "--input.alloc",
            "alloc.json",
            "--input.env",
            "env.json",
            "--input.txs",
            "txs.json",
            "--output.basedir",
            out_dir,
            "--state.fork",
            "Cancun",
        ];
        if kernel {
            args.push("--kernel");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_zkos")).args(&args).current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{:?}", text(&out));
        let read = |f: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(dir.join(out_dir).join(f)).unwrap()).unwrap()
        };
        (read("result.json"), read("alloc.json"))
    };
    let (host_result, host_alloc) = run("host", false);
    let (mut kernel_result, kernel_alloc) = run("kernel", true);
    assert_eq!(host_alloc, kernel_alloc);
    let figures = kernel_result.as_object_mut().unwrap().remove("kernel").expect("a kernel entry");
    assert_eq!(host_result, kernel_result);
    assert!(figures["instructions"].as_u64().unwrap() > 100_000, "{figures}");
    assert!(figures["accelerators"]["secp256k1_recover"].as_u64().unwrap() >= 1, "{figures}");
}

/// Writes the kernel input of the (re-signed) counter block and returns it decoded.
fn counter_input(dir: &Path) -> KernelInput {
    let block = signed_bench_block("counter", dir);
    let file = dir.join("input.bin");
    let out = zkos(&["kernel", "input", "--fork", "Cancun", p(&block), "-o", p(&file)]);
    assert!(out.status.success(), "{:?}", text(&out));
    KernelInput::decode(&std::fs::read(&file).unwrap()).expect("zkos kernel input writes a kernel input")
}

/// Runs `zkos kernel run` on `input`: (success, stdout, stderr).
fn kernel_run(dir: &Path, name: &str, input: &[u8]) -> (bool, String, String) {
    let file = dir.join(name);
    std::fs::write(&file, input).unwrap();
    let out = zkos(&["kernel", "run", p(&file)]);
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

/// The intact input runs; a tampered witness node and a dropped code each fail the run
/// with the kernel's reason and no output.
#[test]
fn a_tampered_witness_or_a_dropped_code_fails_the_run() {
    let dir = scratch("tamper");
    let input = counter_input(&dir);
    let (ok, stdout, stderr) = kernel_run(&dir, "intact.bin", &input.encode());
    assert!(ok, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["output"]["preStateRoot"], input.pre_state_root.to_string());
    assert_eq!(report["output"]["txCount"], 1);

    // One byte of the root node changed: it no longer hashes to the pre-state root.
    let mut tampered = input.clone();
    let root = tampered.witness.state.iter().position(|n| keccak256(n) == input.pre_state_root).expect("root node");
    let mut node = tampered.witness.state[root].to_vec();
    let last = node.len() - 1;
    node[last] ^= 1;
    tampered.witness.state[root] = node.into();
    let (ok, stdout, stderr) = kernel_run(&dir, "tampered.bin", &tampered.encode());
    assert!(!ok, "a tampered witness ran: {stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("kernel run failed") && stderr.contains("status 1"), "{stderr}");
    println!("tampered node: {stderr}");

    // The contract's code dropped from the witness.
    let mut dropped = input.clone();
    assert!(!dropped.witness.codes.is_empty(), "the block runs code");
    dropped.witness.codes.remove(0);
    let (ok, stdout, stderr) = kernel_run(&dir, "dropped.bin", &dropped.encode());
    assert!(!ok, "a block without its code ran: {stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("kernel run failed") && stderr.contains("code"), "{stderr}");
    println!("dropped code: {stderr}");
}

/// Garbage, and a kernel input cut short, fail with no output.
#[test]
fn garbage_input_gives_no_output() {
    let dir = scratch("garbage");
    let (ok, stdout, stderr) = kernel_run(&dir, "garbage.bin", b"not a kernel input at all");
    assert!(!ok && stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("no kernel input"), "{stderr}");
    let input = counter_input(&dir).encode();
    let (ok, stdout, stderr) = kernel_run(&dir, "cut.bin", &input[..input.len() / 2]);
    assert!(!ok && stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("kernel run failed"), "{stderr}");
}

// Every state test on the kernel engine: node/tests/statetests.rs.

/// Milestone 2's first stage: contract code compiled in rv-backend's sandboxed mode (bounds
/// checked by the code, position-independent, no `ecall`), run in host mode on instances
/// mapped at other addresses (`--engine rv-sandboxed`), passes the same state tests as the
/// default mode, memory-heavy ones included.
#[test]
fn state_tests_pass_with_sandboxed_compiled_code() {
    let root = fixtures().join("ethereum-tests/GeneralStateTests");
    let run = |engine: &str| {
        let out = zkos(&[
            "statetest",
            "--fork",
            "Cancun",
            "--engine",
            engine,
            p(&root.join("Cancun")),
            p(&root.join("stMemoryTest")),
            p(&root.join("stReturnDataTest")),
        ]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{engine}: {stdout}\n{stderr}");
        stdout.lines().last().unwrap_or_default().to_string()
    };
    let sandboxed = run("rv-sandboxed");
    let passed: usize = sandboxed.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(sandboxed.ends_with(" passed, 0 failed") && passed >= 600, "{sandboxed}");
    assert_eq!(sandboxed, run("rv"));
}

/// A warm block (its contracts' artifacts committed before it, given in the witness and
/// checked against the artifact root) gives the same record with fewer instructions than
/// the cold one, which transpiles and meters the code inside the kernel.
#[test]
fn a_warm_block_takes_its_artifacts_from_the_witness() {
    let dir = scratch("warm");
    let block = signed_bench_block("counter", &dir);
    let instructions = |warm: bool| {
        let mut args = vec!["run", "--kernel", "--json", "--fork", "Cancun", p(&block)];
        if warm {
            args.push("--warm");
        }
        let out = zkos(&args);
        assert!(out.status.success(), "{:?}", text(&out));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["work"]["transpilations"], 1, "host mode builds the artifact");
        report["kernel"]["instructions"].as_u64().unwrap()
    };
    let (cold, warm) = (instructions(false), instructions(true));
    assert!(warm < cold, "warm {warm} >= cold {cold}");
    println!("counter: cold {cold}, warm {warm} instructions");
}
