//! Work a contract can cause must be paid before it is done (issue 9, items 2, 3 and 7), on
//! every engine with the same gas:
//!
//! - `debug_log` is paid like log data and keeps at most `MAX_DEBUG_OUTPUT` bytes per
//!   transaction: a contract with 32 MiB of memory looping on `debug_log(0, 32 MiB)` runs out
//!   of gas in milliseconds and in little memory (it used to take 4 GB in 10 s and abort);
//! - calls hand their input to the callee in place: calls with a 32 MiB input at about 100
//!   gas each (to an empty account, to code, to precompiles) copy nothing (they used to copy
//!   32 MiB each: about 200 s per million gas), and so do the precompile host functions;
//! - a function's declared locals are paid on entry: a function with 4,000 i64 locals called
//!   in a loop costs a few RV64IM instructions per gas (it cost 1,660), and its static bound
//!   is positive and holds.

use std::collections::BTreeMap;
use std::time::Instant;

use alloy_primitives::{Address, Bytes, U256};
use host_abi::gas::{OpClass, DEBUG_LOG, DEBUG_LOG_BYTE, DECLARED_LOCAL, MEMORY_GROW_PAGE};
use host_abi::limits::{MAX_DEBUG_OUTPUT, MAX_MEMORY_PAGES};
use wasm_runtime::block::BlockOutput;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::fork::Fork;
use wasm_runtime::host::DebugOutput;
use wasm_runtime::platform::AccountInfo;
use zkos_tests::{wat, Chain, ALICE};

/// 32 MiB: the largest memory a contract may have.
const MIB32: u32 = MAX_MEMORY_PAGES * 65_536;

/// Gas to grow a memory of one page to 32 MiB.
const GROW_GAS: u64 = (MAX_MEMORY_PAGES as u64 - 1) * MEMORY_GROW_PAGE;

/// One gigabyte: the most memory a transaction may make the node use.
const ONE_GB: u64 = 1 << 30;

/// The peak resident memory of this test process, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/self/status");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM value");
    kib * 1024
}

/// A chain whose blocks take transactions of up to `gas`.
/// A chain whose blocks take a transaction of `gas`. These transactions ask for more than
/// EIP-7825 lets one transaction have from Osaka (2^24), so the chain follows Cancun, the
/// rules these bounds were written for.
fn chain(engine: EngineKind, gas: u64) -> Chain {
    let mut chain = Chain::new(engine);
    chain.block.gas_limit = chain.block.gas_limit.max(gas);
    chain.block.fork = Fork::Cancun;
    chain
}

/// Sends a call of `to` with `gas` in its own block; the block output and the wall time.
fn timed_call(chain: &mut Chain, to: Address, data: &[u8], gas: u64) -> (BlockOutput, f64) {
    let tx = chain.tx(ALICE, Some(to), data, U256::ZERO, gas);
    let start = Instant::now();
    let out = chain.run_block(vec![tx]);
    let secs = start.elapsed().as_secs_f64();
    assert!(out.rejected.is_empty(), "rejected: {:?}", out.rejected);
    (out, secs)
}

/// Asserts the DoS bounds of the issue: under a second of wall time per million gas, and
/// under 1 GB of memory.
fn assert_cheap(what: &str, gas_used: u64, secs: f64) {
    let per_million = secs / (gas_used as f64 / 1e6);
    println!("{what}: {gas_used} gas in {secs:.3} s ({per_million:.4} s per million gas)");
    assert!(per_million < 1.0, "{what}: {per_million:.3} s per million gas");
    let rss = peak_rss();
    assert!(rss < ONE_GB, "{what}: the process reached {} MB", rss >> 20);
}

/// The debug output of the first transaction of a block.
fn debug_of(out: &BlockOutput) -> DebugOutput {
    out.debug_output.iter().find(|(i, _)| *i == 0).map(|(_, d)| d.clone()).unwrap_or_default()
}

// ------------------------------------------------------------------------ debug_log (item 2)

/// Grows memory to 32 MiB, then calls `debug_log(0, len)` `count` times (forever if `count`
/// is zero) and finishes.
fn debug_logger(len: u32, count: u32) -> String {
    format!(
        r#"(module
  (import "zkos" "debug_log" (func $log (param i32 i32)))
  (memory (export "memory") 1 {MAX_MEMORY_PAGES})
  (data (i32.const 0) "zkos says hi")
  (func (export "call") (local $i i32)
    (drop (memory.grow (i32.const {grow})))
    (loop $next
      (call $log (i32.const 0) (i32.const {len}))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.or (i32.eqz (i32.const {count})) (i32.lt_u (local.get $i) (i32.const {count}))))))
)"#,
        grow = MAX_MEMORY_PAGES - 1
    )
}

/// The issue's case: `debug_log(0, 32 MiB)` in a loop, with gas for three messages. Each costs
/// a log's price for 32 MiB of data; the fourth runs out of gas before anything is kept, and
/// only the cap's worth of the first message is ever copied.
fn debug_log_of_32_mib_in_a_loop(engine: EngineKind) {
    let per_message = DEBUG_LOG + DEBUG_LOG_BYTE * u64::from(MIB32);
    assert_eq!(per_message, 268_435_831);
    let gas = 21_000 + GROW_GAS + 3 * per_message + 100_000;
    let mut chain = chain(engine, gas);
    let logger = chain.deploy_wat(&debug_logger(MIB32, 0));
    let (out, secs) = timed_call(&mut chain, logger, &[], gas);
    let r = &out.receipts[0];
    assert!(!r.success, "the loop must run out of gas");
    assert_eq!(r.gas_used, gas);
    assert_cheap("debug_log(0, 32 MiB) loop", r.gas_used, secs);
    let debug = debug_of(&out);
    let kept: Vec<&[u8]> = debug.messages().collect();
    assert_eq!(kept.len(), 1, "the first message fills the cap");
    assert_eq!(kept[0].len(), MAX_DEBUG_OUTPUT - 1);
    assert!(kept[0].starts_with(b"zkos says hi"));
    assert_eq!(debug.used(), MAX_DEBUG_OUTPUT);
    assert_eq!(debug.dropped(), 3 * u64::from(MIB32) - (MAX_DEBUG_OUTPUT as u64 - 1));
    assert_eq!(debug.dropped_messages(), 2);
}

/// A hundred messages of 1,000 bytes: 65 fit whole under the 64 KiB cap (1,001 bytes each
/// with the separator), the 66th is cut to the 470 bytes left, the last 34 are dropped and
/// counted; each is paid in full.
fn debug_log_keeps_the_cap_and_counts_the_rest(engine: EngineKind) {
    assert_eq!(MAX_DEBUG_OUTPUT, 65_536);
    let mut chain = chain(engine, 10_000_000);
    let logger = chain.deploy_wat(&debug_logger(1_000, 100));
    let (out, _) = timed_call(&mut chain, logger, &[], 10_000_000);
    let r = &out.receipts[0];
    assert!(r.success, "{:?}", r.error);
    let debug = debug_of(&out);
    let lens: Vec<usize> = debug.messages().map(<[u8]>::len).collect();
    assert_eq!(lens.len(), 66);
    assert!(lens[..65].iter().all(|&n| n == 1_000));
    assert_eq!(lens[65], 470);
    assert_eq!((debug.dropped(), debug.dropped_messages()), (530 + 34 * 1_000, 34));
    // The same contract without the messages costs exactly their price less: a log's base and
    // data price each, plus the `call` and its two constants.
    let mut quiet = self::chain(engine, 10_000_000);
    let silent = debug_logger(1_000, 100).replace("(call $log (i32.const 0) (i32.const 1000))", "");
    let silent = quiet.deploy_wat(&silent);
    let (out2, _) = timed_call(&mut quiet, silent, &[], 10_000_000);
    let r2 = &out2.receipts[0];
    assert!(r2.success && out2.debug_output.is_empty(), "{:?}", r2.error);
    let ops = OpClass::Call.weight() + 2 * OpClass::Move.weight();
    assert_eq!(r.gas_used - r2.gas_used, 100 * (DEBUG_LOG + 1_000 * DEBUG_LOG_BYTE + ops));
}

// ------------------------------------------------------------------------- calls (item 3)

/// Grows memory to 32 MiB, then loops on `body` (which reads the 20-byte target address at
/// offset 0 of memory, copied there from calldata) until it runs out of gas.
fn caller(imports: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  {imports}
  (memory (export "memory") 1 {MAX_MEMORY_PAGES})
  (func (export "call")
    (drop (memory.grow (i32.const {grow})))
    (call $cdc (i32.const 0) (i32.const 0) (i32.const 20))
    (loop $next
      {body}
      (br $next))))"#,
        grow = MAX_MEMORY_PAGES - 1
    )
}

const CALL: &str = r#"(import "zkos" "call" (func $f (param i64 i32 i32 i32 i32) (result i32)))"#;
const CALL_CODE: &str = r#"(import "zkos" "call_code" (func $f (param i64 i32 i32 i32 i32) (result i32)))"#;
const DELEGATE: &str = r#"(import "zkos" "delegate_call" (func $f (param i64 i32 i32 i32) (result i32)))"#;
const STATIC: &str = r#"(import "zkos" "static_call" (func $f (param i64 i32 i32 i32) (result i32)))"#;

/// `call`-like (with a zero value word at offset 32) and `static_call`-like bodies: gas 0
/// forwarded, the whole 32 MiB memory as input.
fn with_value() -> String {
    format!("(drop (call $f (i64.const 0) (i32.const 0) (i32.const 32) (i32.const 0) (i32.const {MIB32})))")
}
fn without_value() -> String {
    format!("(drop (call $f (i64.const 0) (i32.const 0) (i32.const 0) (i32.const {MIB32})))")
}

/// An account with `code` (and no balance) at `address`.
fn put_code(chain: &mut Chain, address: Address, code: &[u8]) {
    let mut info = AccountInfo::with_balance(U256::ZERO, 1);
    info.set_code(Bytes::copy_from_slice(code));
    chain.db.insert(address, info, BTreeMap::new());
}

/// Runs a looping caller of `target` with the gas to grow its memory and a million more;
/// asserts it ran out of gas within the issue's bounds.
fn loop_calls(engine: EngineKind, what: &str, imports: &str, body: &str, target: Address, code: Option<&[u8]>) {
    let gas = 21_000 + 20 * 16 + GROW_GAS + 1_000_000;
    let mut chain = chain(engine, gas);
    if let Some(code) = code {
        put_code(&mut chain, target, code);
    }
    let contract = chain.deploy_wat(&caller(imports, body));
    let (out, secs) = timed_call(&mut chain, contract, target.as_slice(), gas);
    let r = &out.receipts[0];
    assert!(!r.success, "{what}: the loop must run out of gas");
    assert_eq!(r.gas_used, gas);
    assert_cheap(what, r.gas_used, secs);
}

/// The issue's case: each ~100-gas call to an empty account copied 32 MiB.
fn calls_to_an_empty_account_with_32_mib_of_input(engine: EngineKind) {
    let empty = Address::repeat_byte(0xE0);
    loop_calls(engine, "static_call(empty, 32 MiB)", STATIC, &without_value(), empty, None);
    loop_calls(engine, "call(empty, 32 MiB)", CALL, &with_value(), empty, None);
    loop_calls(engine, "call_code(empty, 32 MiB)", CALL_CODE, &with_value(), empty, None);
    loop_calls(engine, "delegate_call(empty, 32 MiB)", DELEGATE, &without_value(), empty, None);
}

/// A callee with code gets the input in place too (EVM `STOP`, and a WASM contract reading
/// the size of its calldata).
fn calls_to_code_with_32_mib_of_input(engine: EngineKind) {
    let stop = Address::repeat_byte(0xE1);
    loop_calls(engine, "static_call(STOP, 32 MiB)", STATIC, &without_value(), stop, Some(&[0x00]));
    loop_calls(engine, "call(STOP, 32 MiB)", CALL, &with_value(), stop, Some(&[0x00]));
    // EVM `CALLDATASIZE POP STOP` reads the size of the 32 MiB input.
    let size = Address::repeat_byte(0xE2);
    loop_calls(engine, "static_call(CALLDATASIZE, 32 MiB)", STATIC, &without_value(), size, Some(&[0x36, 0x50, 0x00]));
}

/// Precompiles read their input in place and check their gas first.
fn calls_to_precompiles_with_32_mib_of_input(engine: EngineKind) {
    for (n, name) in [(1u8, "ecrecover"), (4, "identity"), (5, "modexp"), (8, "bn254 pairing"), (9, "blake2f")] {
        let what = format!("static_call({name}, 32 MiB)");
        loop_calls(engine, &what, STATIC, &without_value(), Address::with_last_byte(n), None);
    }
}

/// The host functions that take an input of any length: modexp (200 gas for an all-zero
/// header, however long the input) and the hashes (paid per word before they read).
fn precompile_host_functions_with_32_mib_of_input(engine: EngineKind) {
    let modexp = r#"(import "zkos" "modexp" (func $f (param i32 i32 i32 i32) (result i32)))"#;
    let body = format!("(drop (call $f (i32.const 64) (i32.const {}) (i32.const 0) (i32.const 0)))", MIB32 - 64);
    loop_calls(engine, "modexp(32 MiB)", modexp, &body, Address::ZERO, None);
    for hash in ["keccak256", "sha256", "ripemd160"] {
        let import = format!(r#"(import "zkos" "{hash}" (func $f (param i32 i32 i32)))"#);
        let body = format!("(call $f (i32.const 0) (i32.const {MIB32}) (i32.const 0))");
        loop_calls(engine, &format!("{hash}(32 MiB)"), &import, &body, Address::ZERO, None);
    }
    let pairing = r#"(import "zkos" "bn254_pairing" (func $f (param i32 i32 i32) (result i32)))"#;
    let body = format!("(drop (call $f (i32.const 0) (i32.const {}) (i32.const 0)))", MIB32 / 192 * 192);
    loop_calls(engine, "bn254_pairing(32 MiB)", pairing, &body, Address::ZERO, None);
}

/// A callee receives its input intact in place: a 1 MiB input of a known pattern, hashed
/// by the callee (keccak of its calldata, returned) and compared by the caller.
fn callees_read_their_input_in_place(engine: EngineKind) {
    let callee = r#"(module
  (import "zkos" "calldata_size" (func $cds (result i32)))
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  (import "zkos" "keccak256" (func $k (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 32 32)
  (func (export "call")
    (call $cdc (i32.const 64) (i32.const 0) (call $cds))
    (call $k (i32.const 64) (call $cds) (i32.const 0))
    (call $finish (i32.const 0) (i32.const 32))))"#;
    let caller = r#"(module
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  (import "zkos" "static_call" (func $sc (param i64 i32 i32 i32) (result i32)))
  (import "zkos" "returndata_copy" (func $rdc (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 32 32)
  (func (export "call") (local $i i32)
    (call $cdc (i32.const 0) (i32.const 0) (i32.const 20))
    (loop $fill
      (i32.store8 (i32.add (i32.const 1024) (local.get $i)) (i32.mul (local.get $i) (i32.const 31)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1048576))))
    (if (call $sc (i64.const 8000000) (i32.const 0) (i32.const 1024) (i32.const 1048576)) (then (unreachable)))
    (call $rdc (i32.const 32) (i32.const 0) (i32.const 32))
    (call $finish (i32.const 32) (i32.const 32))))"#;
    let mut chain = chain(engine, 30_000_000);
    let (a, b) = (chain.deploy_wat(caller), chain.deploy_wat(callee));
    let tx = chain.tx(ALICE, Some(a), b.as_slice(), U256::ZERO, 30_000_000);
    let r = chain.send(tx);
    assert!(r.success, "{:?}", r.error);
    let input: Vec<u8> = (0..1_048_576u32).map(|i| i.wrapping_mul(31) as u8).collect();
    assert_eq!(r.output.as_ref(), alloy_primitives::keccak256(&input).as_slice());
}

// ------------------------------------------------------------------------ locals (item 7)

/// `$wide` declares `locals` i64 locals and does nothing else; `call` calls it `n` times.
fn wide_caller(locals: usize, n: u32) -> String {
    let decl = if locals == 0 { String::new() } else { format!("(local{})", " i64".repeat(locals)) };
    format!(
        r#"(module
  (memory (export "memory") 1 1)
  (func $wide {decl})
  (func (export "call") (local $i i32)
    (loop $next
      (call $wide)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const {n}))))))"#
    )
}

/// Runs `wide_caller(locals, n)`: the gas of the call (intrinsic gas aside) and the RV64IM
/// instructions it executed (zero on wasmi).
fn run_wide(engine: EngineKind, locals: usize, n: u32) -> (u64, u64) {
    let mut chain = chain(engine, 30_000_000);
    let contract = chain.deploy_wat(&wide_caller(locals, n));
    let (out, secs) = timed_call(&mut chain, contract, &[], 30_000_000);
    let r = &out.receipts[0];
    assert!(r.success, "{:?}", r.error);
    let gas = r.gas_used - 21_000;
    assert_cheap(&format!("{n} calls of a function with {locals} locals"), r.gas_used, secs);
    (gas, out.stats.rv_instructions)
}

/// The issue's case: 4,000 i64 locals, called 1,000 times. Each call pays 4,000 ×
/// `DECLARED_LOCAL` for its locals; on rv the zeroing costs a few instructions per gas, like
/// code without locals (1,660 before); the static bound is positive and holds.
fn four_thousand_locals_in_a_loop(engine: EngineKind) {
    let (gas, instructions) = run_wide(engine, 4_000, 1_000);
    let (base_gas, base_instructions) = run_wide(engine, 0, 1_000);
    assert_eq!(gas - base_gas, 1_000 * 4_000 * DECLARED_LOCAL, "every call pays for its locals");
    if engine == EngineKind::Rv {
        let per_gas = instructions as f64 / gas as f64;
        let base_per_gas = base_instructions as f64 / base_gas as f64;
        println!("4,000 locals: {instructions} instructions for {gas} gas: {per_gas:.2} per gas (no locals: {base_per_gas:.2})");
        assert!(per_gas <= 3.0, "{per_gas:.1} RV64IM instructions per gas");
    }
    // The bound gas-report gives: positive for the function alone, and at least what the
    // loop was charged.
    let wasm = wat(&wide_caller(4_000, 1_000));
    let bounds = wasm_validator::bounds::analyze(&wasm).expect("analysis");
    let wide = bounds.function(0).and_then(|f| f.bound.constant()).expect("$wide is bounded");
    assert_eq!(wide, u128::from(4_000 * DECLARED_LOCAL));
    let call = bounds.export("call").and_then(|f| f.bound.constant()).expect("call is bounded");
    assert!(call >= u128::from(gas), "bound {call} < measured {gas}");
}

zkos_tests::engine_tests!(
    debug_log_of_32_mib_in_a_loop,
    debug_log_keeps_the_cap_and_counts_the_rest,
    calls_to_an_empty_account_with_32_mib_of_input,
    calls_to_code_with_32_mib_of_input,
    calls_to_precompiles_with_32_mib_of_input,
    precompile_host_functions_with_32_mib_of_input,
    callees_read_their_input_in_place,
    four_thousand_locals_in_a_loop,
);
