//! Frames that cost time or memory their gas does not pay for (issue 9, items 4, 5 and 8),
//! run as a user would: `zkos run --json` in a process of its own, on both engines, timed,
//! its peak resident memory read from `/proc`. Every case must finish in under a second of
//! wall time per million gas and under 1 GB, and both engines must agree on every receipt.
//!
//! - A callee that declares 512 pages of memory, called in a loop with gas 0 (was 13 s per
//!   100k gas on wasmi): a frame pays for its initial memory before any of it is built.
//! - An EVM contract of 4.5 KB calling itself in a loop (was 31 s and 484 MB on rv for 2M
//!   gas), one of 18 KB (54 s per million gas and 1 GB), and a WASM callee with 9,000
//!   functions (30 s per million gas): frames share their compiled code.
//! - Contracts of 4.5 KB and 18 KB calling themselves 1,024 deep: what a frame costs in
//!   memory, printed per frame.
//! - A transaction with 2^64 − 1 gas running `GAS MSTORE RETURN` succeeds with 21,017 gas,
//!   as the execution spec says, and returns the gas `GAS` saw.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::scratch;
use serde_json::{json, Value};

const SENDER: &str = "0x1111111111111111111111111111111111111111";
const ME: &str = "0x2222222222222222222222222222222222222222";
const CALLEE: &str = "0x3333333333333333333333333333333333333333";
const ENGINES: [&str; 2] = ["wasmi", "rv"];
/// Resident memory no case may reach.
const MAX_RSS_BYTES: u64 = 1 << 30;

/// What one `zkos run` did.
struct Run {
    report: Value,
    seconds: f64,
    /// Peak resident memory (VmHWM), bytes.
    peak_rss: u64,
}

/// The peak resident memory of process `pid` so far, if it is still there.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `zkos run --json --engine ENGINE --fork Cancun FILE`, timed, its peak memory sampled every
/// millisecond (the high-water mark only grows, so the last sample holds the peak of the
/// run). The cases give transactions up to 2^64 − 1 gas, far above what EIP-7825 lets one
/// transaction have from Osaka (2^24): they run under Cancun, the rules they were written for.
fn run(file: &Path, engine: &str) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkos"))
        .args(["run", "--json", "--engine", engine, "--fork", "Cancun"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start zkos");
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let mut peak = 0;
    let status = loop {
        if let Some(rss) = peak_rss(pid) {
            peak = peak.max(rss);
        }
        if let Some(status) = child.try_wait().expect("wait for zkos") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let seconds = start.elapsed().as_secs_f64();
    let out = reader.join().expect("reader").expect("read stdout");
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("read stderr");
    assert!(status.success(), "zkos run --engine {engine} failed: {err}");
    // A run too short to be sampled is too short to have touched a gigabyte.
    assert!(peak > 0 || seconds < 0.02, "no memory figure read for zkos run --engine {engine}");
    Run { report: serde_json::from_slice(&out).expect("JSON report"), seconds, peak_rss: peak }
}

/// The benchmark form of one transaction from SENDER to `to` with `gas`, the block's gas
/// limit `block_gas`, and `accounts` (address, code) besides the sender.
fn block(accounts: &[(&str, &[u8])], to: &str, gas: u64, block_gas: u64) -> Value {
    let mut pre = serde_json::Map::new();
    pre.insert(SENDER.into(), json!({ "balance": "0x0", "code": "0x", "nonce": "0x0", "storage": {} }));
    for (address, code) in accounts {
        let code = format!("0x{}", hex::encode(code));
        pre.insert((*address).into(), json!({ "balance": "0x0", "code": code, "nonce": "0x1", "storage": {} }));
    }
    json!({
        "env": {
            "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
            "currentGasLimit": format!("{block_gas:#x}"), "currentNumber": "0x1", "currentTimestamp": "0x1"
        },
        "pre": pre,
        "transaction": [{
            "data": "0x", "gasLimit": format!("{gas:#x}"), "gasPrice": "0x0", "nonce": "0x0",
            "sender": SENDER, "to": to, "value": "0x0"
        }]
    })
}

fn address_bytes(address: &str) -> [u8; 20] {
    hex::decode(&address[2..]).unwrap().try_into().unwrap()
}

/// EVM code that calls `target` (itself if `None`) with `call_gas` (all it may, `GAS`, if
/// `None`) in an endless loop, padded
/// to `size` bytes with code that never runs but is compiled: `ADDRESS BALANCE POP` (host
/// calls: the most machine code per byte) behind a branch on the calldata size.
fn calling_loop(target: Option<&str>, call_gas: Option<u32>, size: usize) -> Vec<u8> {
    let mut body = vec![0x5b]; // loop: JUMPDEST
    body.extend_from_slice(&[0x5f; 5]); // retSize retOffset argSize argOffset value
    match target {
        Some(t) => {
            body.push(0x73); // PUSH20
            body.extend_from_slice(&address_bytes(t));
        }
        None => body.push(0x30), // ADDRESS
    }
    match call_gas {
        Some(gas) => {
            body.push(0x63); // PUSH4 gas
            body.extend_from_slice(&gas.to_be_bytes());
        }
        None => body.push(0x5a), // GAS
    }
    body.extend_from_slice(&[0xf1, 0x50]); // CALL POP
    let head_len = 5;
    body.extend_from_slice(&[0x60, head_len, 0x56]); // PUSH1 loop JUMP
    let pad_at = usize::from(head_len) + body.len();
    let pad = u16::try_from(pad_at).unwrap().to_be_bytes();
    let mut code = vec![0x36, 0x61, pad[0], pad[1], 0x57]; // CALLDATASIZE PUSH2 pad JUMPI
    code.extend_from_slice(&body);
    code.push(0x5b); // pad: JUMPDEST
    while code.len() + 4 <= size {
        code.extend_from_slice(&[0x30, 0x31, 0x50]); // ADDRESS BALANCE POP
    }
    code.resize(size, 0x00); // STOP
    code
}

/// EVM code that adds one to slot 0 and calls itself with all the gas it may (to the depth
/// limit), padded to `size` bytes as in [`calling_loop`].
fn recursion(size: usize) -> Vec<u8> {
    // CALLDATASIZE PUSH2 pad JUMPI; slot0 += 1; call(gas, self, 0, 0, 0, 0, 0); STOP
    let body = [0x5f, 0x54, 0x60, 0x01, 0x01, 0x5f, 0x55, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x30, 0x5a, 0xf1, 0x00];
    let pad = u16::try_from(5 + body.len()).unwrap().to_be_bytes();
    let mut code = vec![0x36, 0x61, pad[0], pad[1], 0x57];
    code.extend_from_slice(&body);
    code.push(0x5b);
    while code.len() + 4 <= size {
        code.extend_from_slice(&[0x30, 0x31, 0x50]);
    }
    code.resize(size, 0x00);
    code
}

/// A minimal WASM module writer: an unsigned LEB128.
fn leb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// A WASM contract in stored form (`0xEF5A` envelope, kind WASM): memory of `pages` pages
/// (maximum the same), exported, and `functions` functions of type `() -> ()`, the last
/// exported as `call`; each of the others adds a constant to a local three times (so 9,000
/// of them fit the 256 KB a WASM contract may have).
fn wasm_contract(pages: u64, functions: u32) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut m); // one type: () -> ()
    let mut funcs = Vec::new();
    leb(u64::from(functions), &mut funcs);
    funcs.extend(std::iter::repeat_n(0u8, functions as usize));
    section(3, &funcs, &mut m);
    let mut mem = vec![1, 1];
    leb(pages, &mut mem);
    leb(pages, &mut mem);
    section(5, &mem, &mut m);
    let mut exports = vec![2, 6];
    exports.extend_from_slice(b"memory");
    exports.extend_from_slice(&[2, 0, 4]);
    exports.extend_from_slice(b"call");
    exports.push(0);
    leb(u64::from(functions - 1), &mut exports);
    section(7, &exports, &mut m);
    let mut code = Vec::new();
    leb(u64::from(functions), &mut code);
    for f in 0..functions {
        let mut body = Vec::new();
        if f + 1 == functions {
            body.extend_from_slice(&[0, 0x0b]); // no locals; end
        } else {
            body.extend_from_slice(&[1, 1, 0x7f]); // one i32 local
            for _ in 0..3 {
                body.extend_from_slice(&[0x20, 0, 0x41]); // local.get 0; i32.const f
                let mut k = Vec::new();
                leb(u64::from(f & 0x3f), &mut k); // below 64: one byte, a positive signed LEB
                body.extend_from_slice(&k);
                body.extend_from_slice(&[0x6a, 0x21, 0]); // i32.add; local.set 0
            }
            body.push(0x0b);
        }
        leb(body.len() as u64, &mut code);
        code.extend_from_slice(&body);
    }
    section(10, &code, &mut m);
    let mut stored = vec![0xEF, 0x5A, 1, 0];
    stored.extend_from_slice(&m);
    stored
}

/// Runs `doc` on both engines; asserts they agree, and that each run took under a second per
/// million gas used (a second for runs of less) and under 1 GB. Returns the runs (wasmi, rv).
fn check(name: &str, doc: &Value) -> [Run; 2] {
    let dir = scratch(&format!("dos-{name}"));
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, doc.to_string()).unwrap();
    let runs = ENGINES.map(|engine| run(&file, engine));
    let _ = std::fs::remove_dir_all(&dir);
    let tx = |r: &Run| r.report["transactions"][0].clone();
    let (a, b) = (tx(&runs[0]), tx(&runs[1]));
    for field in ["status", "gasUsed", "output", "logs"] {
        assert_eq!(a[field], b[field], "{name}: the engines disagree on {field}");
    }
    assert_eq!(runs[0].report["stateDiff"], runs[1].report["stateDiff"], "{name}: state diff");
    assert_eq!(runs[0].report["work"]["frames"], runs[1].report["work"]["frames"], "{name}: frames");
    for (engine, r) in ENGINES.iter().zip(&runs) {
        let gas = r.report["gasUsed"].as_u64().expect("gas used") as f64;
        // A run of less than a million gas gets a second in all (starting the process, and
        // transpiling and compiling the contracts once, are not work per gas).
        let per_million = r.seconds / (gas / 1e6).max(1.0);
        println!(
            "{name} on {engine}: {} frames, {gas} gas, {:.3} s ({per_million:.3} s per million gas), peak {:.1} MB",
            r.report["work"]["frames"],
            r.seconds,
            r.peak_rss as f64 / 1e6
        );
        assert!(per_million < 1.0, "{name} on {engine}: {per_million:.2} s per million gas");
        assert!(r.peak_rss < MAX_RSS_BYTES, "{name} on {engine}: {} bytes resident", r.peak_rss);
    }
    runs
}

/// A transaction that spends its gas calling in a loop fails, out of gas, with all its gas.
fn assert_spent(name: &str, runs: &[Run; 2], gas: u64, min_frames: u64) {
    let tx = &runs[0].report["transactions"][0];
    assert_eq!(tx["status"], "failure", "{name}: {tx}");
    assert_eq!(tx["gasUsed"].as_u64(), Some(gas), "{name}");
    let frames = runs[0].report["work"]["frames"].as_u64().unwrap();
    assert!(frames >= min_frames, "{name}: {frames} frames");
}

/// Item 4: a callee declaring `(memory 512 512)`, called in a loop with gas 0 (13 s per
/// 100k gas before), here with a million gas.
#[test]
fn callee_with_512_pages_called_with_no_gas() {
    let callee = wasm_contract(512, 1);
    let caller = calling_loop(Some(CALLEE), Some(0), 64);
    let gas = 1_000_000;
    let runs = check("memory-512-gas-0", &block(&[(ME, &caller), (CALLEE, &callee)], ME, gas, gas));
    // 21,000 intrinsic, 2,500 more for the first (cold) call, then 130 gas a call
    // (JUMPDEST 1, five PUSH0 10, PUSH20 3, PUSH4 3, CALL 100, POP 2, PUSH1 3, JUMP 8):
    // 7,511 calls, none of which builds its memory.
    assert_spent("memory-512-gas-0", &runs, gas, 7_512);
}

/// Item 4: the same callee given enough gas to pay for its memory (511 pages at 8,192 gas):
/// every frame builds its 32 MiB, and pays for it.
#[test]
fn callee_with_512_pages_that_pays_for_them() {
    let callee = wasm_contract(512, 1);
    let caller = calling_loop(Some(CALLEE), Some(4_200_000), 64);
    let gas = 30_000_000;
    let runs = check("memory-512-paid", &block(&[(ME, &caller), (CALLEE, &callee)], ME, gas, gas));
    assert_spent("memory-512-paid", &runs, gas, 7);
}

/// Item 5: a 4.5 KB EVM contract calling itself (with gas 0) in a loop, 2M gas.
#[test]
fn evm_contract_of_4_5_kb_calling_itself() {
    let gas = 2_000_000;
    let runs = check("evm-4.5kb", &block(&[(ME, &calling_loop(None, Some(0), 4_500))], ME, gas, gas));
    assert_spent("evm-4.5kb", &runs, gas, 13_579);
}

/// Item 5: an 18 KB EVM contract calling itself (with gas 0) in a loop, 1M gas.
#[test]
fn evm_contract_of_18_kb_calling_itself() {
    let gas = 1_000_000;
    let runs = check("evm-18kb", &block(&[(ME, &calling_loop(None, Some(0), 18_000))], ME, gas, gas));
    assert_spent("evm-18kb", &runs, gas, 7_000);
}

/// Item 5: contracts of 4.5 KB (2M gas) and 18 KB (1M gas) calling themselves in a loop
/// with all the gas they may: each frame's calls nest hundreds deep before the innermost
/// runs out, thousands of frames in all.
#[test]
fn evm_contracts_calling_themselves_with_all_their_gas() {
    for (size, gas, min_frames) in [(4_500, 2_000_000, 10_000), (18_000, 1_000_000, 5_000)] {
        let name = format!("evm-{size}-all-gas");
        let runs = check(&name, &block(&[(ME, &calling_loop(None, None, size))], ME, gas, gas));
        assert_spent(&name, &runs, gas, min_frames);
    }
}

/// Item 5: a WASM callee with 9,000 functions called in a loop (gas 0), 1M gas.
#[test]
fn wasm_callee_with_9000_functions() {
    let callee = wasm_contract(1, 9_000);
    let caller = calling_loop(Some(CALLEE), Some(0), 64);
    let gas = 1_000_000;
    let runs = check("wasm-9000-functions", &block(&[(ME, &caller), (CALLEE, &callee)], ME, gas, gas));
    assert_spent("wasm-9000-functions", &runs, gas, 7_000);
}

/// Item 5: contracts of 4.5 KB and 18 KB calling themselves to the depth limit, 1,025 frames
/// alive at once: the memory each frame costs (printed) keeps the run under 1 GB.
#[test]
fn big_contracts_calling_themselves_1024_deep() {
    let mut base = [0u64; 2];
    for (k, size) in [64, 4_500, 18_000].into_iter().enumerate() {
        let name = format!("deep-{size}");
        let gas = 1 << 62;
        let runs = check(&name, &block(&[(ME, &recursion(size))], ME, gas, u64::MAX));
        for (e, r) in runs.iter().enumerate() {
            let tx = &r.report["transactions"][0];
            assert_eq!(tx["status"], "success", "{name}: {tx}");
            assert_eq!(r.report["work"]["frames"], 1025, "{name}");
            let slot = r.report["stateDiff"].as_array().unwrap().iter().find(|c| c["address"] == ME).unwrap().clone();
            assert_eq!(slot["storage"][0][2], "0x401", "{name}");
            if k == 0 {
                base[e] = r.peak_rss;
            } else {
                let per_frame = r.peak_rss.saturating_sub(base[e]) / 1025;
                println!(
                    "{name} on {}: about {} KB more per live frame than a 64-byte contract",
                    ENGINES[e],
                    per_frame / 1000
                );
            }
        }
    }
}

/// Item 8: a transaction with 2^64 − 1 gas (and a block gas limit of 2^64 − 1) running
/// `GAS PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN` succeeds with 21,017 gas, as the execution
/// spec says (21,000 intrinsic, then 2 + 3 + 3 + 3 memory + 3 + 3), and returns what `GAS`
/// pushed: the gas left after its own 2, 2^64 − 1 − 21,002.
#[test]
fn gas_of_2_pow_64_minus_1() {
    let code = [0x5a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];
    let runs = check("gas-2^64-1", &block(&[(ME, &code)], ME, u64::MAX, u64::MAX));
    for (engine, r) in ENGINES.iter().zip(&runs) {
        let tx = &r.report["transactions"][0];
        assert_eq!(tx["status"], "success", "{engine}: {tx}");
        assert_eq!(tx["gasUsed"].as_u64(), Some(21_017), "{engine}");
        let want = format!("0x{:064x}", u64::MAX - 21_002);
        assert_eq!(tx["output"].as_str(), Some(want.as_str()), "{engine}");
    }
}
