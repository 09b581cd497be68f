//! Valid code at the limits runs identically on every engine (issue 9, items 1 and 10): EVM
//! runtime code of 24,576 bytes (EIP-170) and init code of 49,152 bytes (EIP-3860) made of
//! the opcodes that compile to the most machine code, WASM modules at the validator's size
//! limit made of the most expansive constructs, and 40,000 values held on the operand stack
//! across 40,000 blocks. Each runs on wasmi, on the compiled RV64IM path and in differential
//! mode (both engines, every receipt and the state diff compared); the gas is Ethereum's
//! where Ethereum defines it: the execution spec's t8n (`ethereum-spec-evm`, Cancun) gives
//! the same figures for every EVM case below (389,368; 2,483,502, 2,480,502, 94,730,
//! 94,726 and 872,968 for the runtime codes; 5,762,606, 5,759,606, 989,962, 989,960 and
//! 2,546,440 for the init codes).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, Bytes, U256};
use host_abi::limits::{
    MAX_EVM_CODE_SIZE, MAX_EVM_INITCODE_SIZE, MAX_MACHINE_CODE_PER_FUNCTION, MAX_MACHINE_CODE_PER_WASM_BYTE,
    MAX_WASM_CODE_SIZE,
};
use wasm_runtime::block::Receipt;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::exec::ArtifactCache;
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::AccountInfo;
use zkos_tests::{engine_tests, Chain, ALICE, DEFAULT_GAS};

// EVM opcodes used below.
const STOP: u8 = 0x00;
const ADDRESS: u8 = 0x30;
const BALANCE: u8 = 0x31;
const EXTCODEHASH: u8 = 0x3f;
const POP: u8 = 0x50;
const MLOAD: u8 = 0x51;
const MSTORE: u8 = 0x52;
const SLOAD: u8 = 0x54;
const PUSH0: u8 = 0x5f;
const DUP1: u8 = 0x80;

/// Intrinsic gas of a transaction (no access list), as Ethereum charges it.
const TX: u64 = 21_000;

/// Puts `code` (EVM bytecode, or a WASM module in stored envelope form) at `at`.
fn install(chain: &mut Chain, at: Address, code: &[u8]) {
    let mut info = AccountInfo::with_balance(U256::ZERO, 1);
    info.set_code(Bytes::copy_from_slice(code));
    chain.db.insert(at, info, BTreeMap::new());
}

/// A WASM module in the stored envelope form an account keeps.
fn stored_wasm(wasm: &[u8]) -> Vec<u8> {
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(wasm);
    code
}

fn repeat(unit: &[u8], times: usize) -> Vec<u8> {
    unit.repeat(times)
}

fn call_with_gas(chain: &mut Chain, to: Address, gas: u64) -> Receipt {
    let tx = chain.tx(ALICE, Some(to), &[], U256::ZERO, gas);
    chain.send(tx)
}

fn assert_success(r: &Receipt, what: &str) {
    assert!(r.success, "{what}: {:?}", r.error);
}

// ------------------------------------------------------------------ EVM runtime code

/// `ADDRESS BALANCE POP` 3,542 times, then STOP: 10,627 bytes, beyond the 1 MiB of machine
/// code the compiler used to refuse. The execution spec: success with 389,368 gas, which is
/// 21,000 + 3,542 × (2 + 100 + 2) (the contract's own balance, warm).
fn address_balance_pop_3542_times(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let mut code = repeat(&[ADDRESS, BALANCE, POP], 3_542);
    code.push(STOP);
    assert_eq!(code.len(), 10_627);
    let at = Address::repeat_byte(0x31);
    install(&mut chain, at, &code);
    let r = chain.call(at, &[]);
    assert_success(&r, "ADDRESS BALANCE POP × 3,542");
    assert_eq!(r.gas_used, 389_368);
    assert_eq!(r.gas_used, TX + 3_542 * (2 + 100 + 2));
}

/// Runtime code of exactly 24,576 bytes of each of the densest opcodes, with the gas the
/// Ethereum schedule gives it.
fn evm_runtime_code_at_the_eip170_limit(engine: EngineKind) {
    let n = MAX_EVM_CODE_SIZE;
    let cases: Vec<(&str, Vec<u8>, u64)> = vec![
        // The first EXTCODEHASH reads the contract itself (warm), the second a cold account
        // named by that hash (empty: 0), the third the cold account 0, the rest it warm.
        (
            "EXTCODEHASH",
            [vec![ADDRESS], vec![EXTCODEHASH; n - 1]].concat(),
            TX + 2 + 100 + 2 * 2_600 + (n as u64 - 4) * 100,
        ),
        // SLOAD of slot 0: cold once, then warm.
        ("SLOAD", [vec![PUSH0], vec![SLOAD; n - 1]].concat(), TX + 2 + 2_100 + (n as u64 - 2) * 100),
        // MLOAD of word 0: 3 each, and one word of memory (3).
        ("MLOAD", [vec![PUSH0], vec![MLOAD; n - 1]].concat(), TX + 2 + (n as u64 - 1) * 3 + 3),
        // MSTORE of 0 at 0, 8,191 times, with its two DUP1s: 9 each, one word of memory.
        (
            "MSTORE",
            [vec![PUSH0], repeat(&[DUP1, DUP1, MSTORE], 8_191), vec![POP, STOP]].concat(),
            TX + 2 + 8_191 * 9 + 3 + 2,
        ),
        // The contract's own balance (warm), 8,192 times.
        ("BALANCE", repeat(&[ADDRESS, BALANCE, POP], 8_192), TX + 8_192 * 104),
    ];
    let mut chain = Chain::new(engine);
    for (k, (name, code, gas)) in cases.into_iter().enumerate() {
        assert_eq!(code.len(), n, "{name}");
        let at = Address::with_last_byte(0x40 + k as u8);
        install(&mut chain, at, &code);
        let r = chain.call(at, &[]);
        assert_success(&r, name);
        assert_eq!(r.gas_used, gas, "{name}");
    }
}

// ------------------------------------------------------------------ EVM init code

/// Gas of a contract-creating transaction before its init code runs: 21,000, 32,000 for
/// the creation, 16 per non-zero byte of data (every byte below is non-zero) and EIP-3860's
/// 2 per word of init code.
fn create_intrinsic(init: &[u8]) -> u64 {
    assert!(!init.contains(&0));
    TX + 32_000 + 16 * init.len() as u64 + 2 * init.len().div_ceil(32) as u64
}

/// Init code of exactly 49,152 bytes of each of the densest opcodes, executed (each deploys
/// an empty contract), with the gas the Ethereum schedule gives it.
fn evm_init_code_at_the_eip3860_limit(engine: EngineKind) {
    let n = MAX_EVM_INITCODE_SIZE;
    let cases: Vec<(&str, Vec<u8>, u64)> = vec![
        // The new contract (warm, not empty: its nonce is 1) has the empty code's hash, which
        // names a cold empty account (0), then the cold account 0, then it warm.
        ("EXTCODEHASH", [vec![ADDRESS], vec![EXTCODEHASH; n - 1]].concat(), 2 + 100 + 2 * 2_600 + (n as u64 - 4) * 100),
        // The new contract's storage: slot 0 cold once, then warm.
        ("SLOAD", [vec![PUSH0], vec![SLOAD; n - 1]].concat(), 2 + 2_100 + (n as u64 - 2) * 100),
        ("MLOAD", [vec![PUSH0], vec![MLOAD; n - 1]].concat(), 2 + (n as u64 - 1) * 3 + 3),
        (
            "MSTORE",
            [vec![PUSH0], repeat(&[DUP1, DUP1, MSTORE], 16_383), vec![POP, ADDRESS]].concat(),
            2 + 16_383 * 9 + 3 + 2 + 2,
        ),
        // The new contract's balance (warm: it is being created).
        ("BALANCE", repeat(&[ADDRESS, BALANCE, POP], 16_384), 16_384 * 104),
    ];
    let mut chain = Chain::new(engine);
    for (name, init, execution) in cases {
        assert_eq!(init.len(), n, "{name}");
        // Cancun charges the execution exactly; from Prague EIP-7623's calldata floor
        // (21,000 + 10 per token, four tokens per non-zero byte) is the least a transaction
        // pays, which is more than the cheapest cases' execution.
        let floor = TX + 10 * 4 * init.len() as u64;
        for fork in [Fork::Cancun, Fork::Osaka] {
            chain.block.fork = fork;
            let tx = chain.tx(ALICE, None, &init, U256::ZERO, DEFAULT_GAS);
            let r = chain.send(tx);
            assert_success(&r, name);
            assert!(r.contract_address.is_some(), "{name}: no contract created");
            let want = create_intrinsic(&init) + execution;
            let want = if fork.calldata_floor() { want.max(floor) } else { want };
            assert_eq!(r.gas_used, want, "{name} under {fork}");
        }
    }
}

// ------------------------------------------------------------------ WASM at the limit

/// `(result i64 × 32)`, the largest arity the validator admits.
const T32: &str = "(type $t (func (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
    i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)))";

/// A WASM contract whose `call` is `body`, with `locals` extra `i64` locals after an `i32`
/// local 0 that stays 0.
fn contract(types: &str, locals: usize, body: &str) -> Vec<u8> {
    let locals = if locals > 0 { format!("(local {})", "i64 ".repeat(locals)) } else { String::new() };
    zkos_tests::wat(&format!(
        "(module {types} (memory (export \"memory\") 1 1)
           (func (export \"call\") (local i32) {locals} {body}))"
    ))
}

/// About 210 KB of `i32.store offset=0xff00` lines.
fn store_lines() -> Vec<u8> {
    contract("", 0, &"local.get 0 i32.const 1 i32.store offset=0xff00\n".repeat(23_300))
}

/// As large as the module limit allows: nested blocks of 32 results with distinct bases; in
/// each level the inner block's results are carried by a `br_table` to every enclosing
/// block (one pad of 32 copies between homes of a 4,000-local frame per one-byte entry,
/// the densest code known), and execution goes through every level.
fn nested_br_tables() -> Vec<u8> {
    let nest = |s: &mut String| {
        let depth = 127;
        for _ in 0..depth {
            s.push_str("i64.const 0 block (type $t)\n");
        }
        for k in 0..32 {
            s.push_str(&format!("local.get {}\n", 1 + (k * 37) % 4000));
        }
        s.push_str("br 0\n");
        for level in 0..depth - 1 {
            s.push_str("end local.get 0 br_table");
            for d in 0..depth - level - 1 {
                s.push_str(&format!(" {d}"));
            }
            s.push('\n');
        }
        s.push_str("end");
        s.push_str(&" drop".repeat(33));
        s.push('\n');
    };
    let mut body = String::new();
    let mut nests = 0;
    loop {
        let mut more = body.clone();
        nest(&mut more);
        if contract(T32, 4000, &more).len() > MAX_WASM_CODE_SIZE {
            break;
        }
        body = more;
        nests += 1;
    }
    assert!(nests > 20);
    // Up to the limit exactly (the body's and section's sizes keep their three-byte LEBs).
    let short = MAX_WASM_CODE_SIZE - contract(T32, 4000, &body).len();
    body.push_str(&"nop ".repeat(short));
    contract(T32, 4000, &body)
}

/// The code size the provable engine compiled for the contract at `at` (after a call).
fn compiled_size(chain: &Chain, at: Address, input: &[u8]) -> usize {
    let mut db = chain.db.clone();
    let block = chain.block.clone();
    let tx = chain.tx(ALICE, Some(at), input, U256::ZERO, DEFAULT_GAS);
    let hash = chain.account(at).expect("installed").code_hash;
    {
        let mut artifacts = ArtifactCache::default();
        let out = wasm_runtime::exec::execute_block_in(&mut db, &block, vec![Ok(tx)], EngineKind::Rv, &mut artifacts);
        assert!(out.receipts[0].success, "{:?}", out.receipts[0].error);
        let artifact = artifacts.get_or_build_with(hash, || panic!("the block built it")).expect("artifact");
        let image = artifact.rv_code.get().expect("compiled").as_ref().expect("compiles");
        image.compiled().code.len()
    }
}

fn wasm_stores_of_210_kb(engine: EngineKind) {
    let wasm = store_lines();
    assert!((205_000..=215_000).contains(&wasm.len()), "{} bytes", wasm.len());
    let mut chain = Chain::new(engine);
    let at = Address::repeat_byte(0x57);
    install(&mut chain, at, &stored_wasm(&wasm));
    let r = chain.call(at, &[]);
    assert_success(&r, "210 KB of stores");
}

fn wasm_densest_function_at_the_size_limit(engine: EngineKind) {
    let wasm = nested_br_tables();
    assert_eq!(wasm.len(), MAX_WASM_CODE_SIZE);
    let mut chain = Chain::new(engine);
    // 20 million gas is more than EIP-7825 lets one transaction have from Osaka: Cancun's
    // rules, for which the case was written.
    chain.block.fork = Fork::Cancun;
    let at = Address::repeat_byte(0x5B);
    install(&mut chain, at, &stored_wasm(&wasm));
    let r = call_with_gas(&mut chain, at, 20_000_000);
    assert_success(&r, "nested br_tables");
}

/// The metered modules compile within the bound host-abi states (per byte of the module as
/// deployed, so metering's additions count against it): the densest construct known takes
/// about 250 bytes of code per byte.
#[test]
fn densest_wasm_compiles_within_the_machine_code_bound() {
    for (name, wasm) in [("nested br_tables", nested_br_tables()), ("210 KB of stores", store_lines())] {
        let mut chain = Chain::new(EngineKind::Rv);
        let at = Address::repeat_byte(0x5C);
        install(&mut chain, at, &stored_wasm(&wasm));
        let size = compiled_size(&chain, at, &[]);
        let bound = MAX_MACHINE_CODE_PER_WASM_BYTE * wasm.len() + 4 * MAX_MACHINE_CODE_PER_FUNCTION;
        eprintln!("{name}: {} bytes of WASM, {size} bytes of code", wasm.len());
        assert!(size <= bound, "{name}: {size} bytes of code, bound {bound}");
    }
}

// ------------------------------------------------------------------ item 10

/// 40,000 values held on the operand stack across 40,000 blocks.
fn deep_stack() -> Vec<u8> {
    contract("", 0, &format!("{}{}", "i32.const 1 block end\n".repeat(40_000), "drop\n".repeat(40_000)))
}

fn forty_thousand_values_across_forty_thousand_blocks(engine: EngineKind) {
    let wasm = deep_stack();
    assert!(wasm.len() <= MAX_WASM_CODE_SIZE);
    let mut chain = Chain::new(engine);
    let at = Address::repeat_byte(0x4D);
    install(&mut chain, at, &stored_wasm(&wasm));
    let r = chain.call(at, &[]);
    assert_success(&r, "40,000 values across 40,000 blocks");
}

/// The whole transaction on the provable engine (validation, metering, compiling, running:
/// about 0.4 s here) in less than the 3 s that compiling alone took when compile time was
/// quadratic in the stack depth; generous for a loaded machine (rv-backend's tests check
/// the scaling itself).
#[test]
fn forty_thousand_values_take_less_than_the_old_compile_time_on_rv() {
    let mut chain = Chain::new(EngineKind::Rv);
    let at = Address::repeat_byte(0x4E);
    install(&mut chain, at, &stored_wasm(&deep_stack()));
    let t = Instant::now();
    let r = chain.call(at, &[]);
    let took = t.elapsed();
    assert_success(&r, "40,000 values across 40,000 blocks");
    eprintln!("40,000 values across 40,000 blocks on rv: {took:?}");
    assert!(took < Duration::from_millis(2500), "{took:?}");
}

engine_tests!(
    address_balance_pop_3542_times,
    evm_runtime_code_at_the_eip170_limit,
    evm_init_code_at_the_eip3860_limit,
    wasm_stores_of_210_kb,
    wasm_densest_function_at_the_size_limit,
    forty_thousand_values_across_forty_thousand_blocks,
);
