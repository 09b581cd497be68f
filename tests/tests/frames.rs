//! What a call frame costs to set up, and what gas it may have (issue 9, items 4, 5 and 8),
//! on both engines and in differential mode:
//!
//! - a frame pays `host_abi::gas::initial_memory_gas` (8,192 per initial page after the
//!   first) before any of its memory is built, and fails out of gas if it cannot;
//! - frames of one artifact share its compiled code: a contract calling itself in a loop
//!   compiles once, and both engines count the same frames;
//! - a transaction may have any `u64` amount of gas: with 2^64 − 1, `GAS` returns what the
//!   execution spec says, a call forwards all but 1/64 of it, and a WASM contract's
//!   `gas_left` sees all of it.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, U256};
use host_abi::gas::{initial_memory_gas, MEMORY_GROW_PAGE};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::platform::AccountInfo;
use zkos_tests::{engine_tests, word, Chain, ALICE};

const CALLER: Address = Address::repeat_byte(0xCA);
const GAS_CONTRACT: Address = Address::repeat_byte(0x6A);

/// Puts `code` (EVM bytecode, or a WASM module in stored envelope form) at `at`.
fn install(chain: &mut Chain, at: Address, code: Vec<u8>) {
    let mut info = AccountInfo::with_balance(U256::ZERO, 1);
    info.set_code(Bytes::from(code));
    chain.db.insert(at, info, BTreeMap::new());
}

/// A WASM contract in stored form.
fn stored_wasm(wat: &str) -> Vec<u8> {
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(&zkos_tests::wat(wat));
    code
}

/// EVM code: calls the address in calldata word 0 with the gas in word 1 (no value, no
/// data) and returns the call's status as a word.
const CALL_WITH_GAS: &[u8] = &[
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, // retSize retOffset argSize argOffset value
    0x5f, 0x35, // PUSH0 CALLDATALOAD: the address
    0x60, 0x20, 0x35, // PUSH1 32 CALLDATALOAD: the gas
    0xf1, // CALL
    0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3, // PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
];

/// The calldata part of a transaction's intrinsic gas (EIP-2028).
fn calldata_gas(input: &[u8]) -> u64 {
    input.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum()
}

fn call_input(to: Address, gas: u64) -> Vec<u8> {
    let mut input = [0u8; 64];
    input[12..32].copy_from_slice(to.as_slice());
    input[32..].copy_from_slice(&word(gas));
    input.to_vec()
}

/// Item 4: a callee with `pages` initial pages costs its caller exactly
/// `initial_memory_gas(pages)` more than one with a single page; given one gas less than
/// that charge, it fails (out of gas, all its gas used) without running.
fn initial_memory_is_paid_before_the_frame(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    install(&mut chain, CALLER, CALL_WITH_GAS.to_vec());
    let mut used = BTreeMap::new();
    let mut short_of = BTreeMap::new();
    for (k, pages) in [1u64, 2, 4, 512].into_iter().enumerate() {
        let callee = Address::repeat_byte(0x10 + k as u8);
        let wat = format!(r#"(module (memory (export "memory") {pages} {pages}) (func (export "call")))"#);
        install(&mut chain, callee, stored_wasm(&wat));
        let charge = initial_memory_gas(pages);
        // Gas used besides the calldata (whose bytes differ from call to call).
        let input = call_input(callee, charge + 1_000);
        let ok = chain.call(CALLER, &input);
        assert!(ok.success, "{pages} pages: {:?}", ok.error);
        assert_eq!(ok.output.as_ref(), word(1), "{pages} pages: the call succeeds");
        let ok_used = ok.gas_used - calldata_gas(&input);
        used.insert(pages, ok_used);
        if pages > 1 {
            let input = call_input(callee, charge - 1);
            let short = chain.call(CALLER, &input);
            assert!(short.success, "{pages} pages: {:?}", short.error);
            assert_eq!(short.output.as_ref(), word(0), "{pages} pages: the call fails");
            // The caller's part is the same in both calls, and the short callee used all
            // its gas: the difference is what the empty `call` costs, plus one.
            short_of.insert(pages, ok_used - (short.gas_used - calldata_gas(&input)));
        }
    }
    assert_eq!(initial_memory_gas(1), 0, "the first page comes with the call");
    assert_eq!(used[&2] - used[&1], MEMORY_GROW_PAGE);
    assert_eq!(used[&4] - used[&1], 3 * MEMORY_GROW_PAGE);
    assert_eq!(used[&512] - used[&1], 511 * MEMORY_GROW_PAGE);
    assert_eq!(used[&512] - used[&1], 4_186_112);
    let empty_call = short_of[&2] - 1;
    assert!(empty_call < 1_000, "{short_of:?}");
    assert!(short_of.values().all(|&d| d == empty_call + 1), "{short_of:?}");
}

/// A WASM contract that reports, as four bytes, its memory byte 100 (a data segment's 'A'),
/// a mutable global (7), what table entry 1 returns (2) and its memory size (1 page), then
/// changes all four (growing its memory only if `grow`).
fn stateful(grow: bool) -> String {
    let grow = if grow { "(drop (memory.grow (i32.const 1)))" } else { "" };
    format!(
        r#"(module
            (import "zkos" "finish" (func $finish (param i32 i32)))
            (type $t (func (result i32)))
            (memory (export "memory") 1 4)
            (data (i32.const 100) "A")
            (global $g (mut i32) (i32.const 7))
            (table 2 2 funcref) (elem (i32.const 0) $one $two)
            (func $one (result i32) (i32.const 1))
            (func $two (result i32) (i32.const 2))
            (func (export "call")
                (i32.store8 (i32.const 200) (i32.load8_u (i32.const 100)))
                (i32.store8 (i32.const 201) (global.get $g))
                (i32.store8 (i32.const 202) (call_indirect (type $t) (i32.const 1)))
                (i32.store8 (i32.const 203) (memory.size))
                (i32.store8 (i32.const 100) (i32.const 90))
                (global.set $g (i32.const 99))
                (table.copy (i32.const 1) (i32.const 0) (i32.const 1))
                {grow}
                (call $finish (i32.const 200) (i32.const 4))))"#
    )
}

/// Every frame starts from the module's initial state, whatever the frames before it did to
/// theirs (wasmi keeps finished instances for the next frame and puts them back): an EVM
/// contract calls the same WASM contract twice in one transaction and returns both reports.
fn every_frame_starts_from_the_initial_state(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    for (k, grow) in [false, true].into_iter().enumerate() {
        let callee = Address::repeat_byte(0x50 + k as u8);
        install(&mut chain, callee, stored_wasm(&stateful(grow)));
        let direct = chain.call(callee, &[]);
        assert!(direct.success, "grow: {grow}: {:?}", direct.error);
        let mut code = Vec::new();
        for ret in [0u8, 32] {
            // CALL(gas, callee, 0, 0, 0, ret, 4) POP
            code.extend_from_slice(&[0x60, 4, 0x60, ret, 0x5f, 0x5f, 0x5f, 0x73]);
            code.extend_from_slice(callee.as_slice());
            code.extend_from_slice(&[0x5a, 0xf1, 0x50]);
        }
        code.extend_from_slice(&[0x60, 0x40, 0x5f, 0xf3]); // RETURN(0, 64)
        install(&mut chain, CALLER, code);
        for _ in 0..2 {
            let r = chain.call(CALLER, &[]);
            assert!(r.success, "{:?}", r.error);
            let mut want = [0u8; 64];
            want[..4].copy_from_slice(&[b'A', 7, 2, 1]);
            want[32..36].copy_from_slice(&[b'A', 7, 2, 1]);
            assert_eq!(r.output.as_ref(), want, "grow: {grow}");
        }
    }
}

/// Item 5: a contract of 4.5 KB calling itself with gas 0 in a loop: one compilation, the
/// same frames on both engines, every frame out of gas at its first block.
fn frames_of_one_artifact_share_its_code(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    // CALLDATASIZE PUSH2 pad JUMPI; loop: JUMPDEST PUSH0×5 ADDRESS PUSH0 CALL POP PUSH1 loop
    // JUMP; pad: JUMPDEST (ADDRESS BALANCE POP)… STOP
    let mut code = vec![0x36, 0x61, 0x00, 0x13, 0x57, 0x5b, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x30, 0x5f, 0xf1, 0x50];
    code.extend_from_slice(&[0x60, 0x05, 0x56, 0x5b]);
    while code.len() < 4_499 {
        code.extend_from_slice(&[0x30, 0x31, 0x50]);
    }
    code.push(0x00);
    install(&mut chain, CALLER, code);
    let gas = 2_000_000;
    let tx = chain.tx(ALICE, Some(CALLER), &[], U256::ZERO, gas);
    let r = chain.send(tx);
    assert!(!r.success, "the loop ends out of gas");
    assert_eq!(r.gas_used, gas);
    let stats = chain.blocks.last().unwrap().stats;
    // 21,000 intrinsic, 15 for the branch on the calldata size, then 128 gas a call (the
    // contract is warm: it is the transaction's destination): JUMPDEST 1, five PUSH0 10,
    // ADDRESS 2, PUSH0 2, CALL 100, POP 2, PUSH1 3, JUMP 8.
    assert_eq!(stats.frames, 1 + (gas - 21_000 - 15) / 128);
    // (In differential mode the block's figures are the reference engine's.)
    if engine == EngineKind::Rv && !chain.differential {
        assert_eq!(stats.rv_compilations, 1);
    }
}

/// Item 8: `GAS PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN` with 2^64 − 1 gas: 21,017 gas
/// (21,000 intrinsic; 2 + 3 + 3 + 3 for the first memory word + 3 + 3) and `GAS` returns
/// the gas after its own 2: 2^64 − 1 − 21,002, as the execution spec has it.
const GAS_MSTORE_RETURN: &[u8] = &[0x5a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];

/// A chain whose blocks take a transaction of 2^64 − 1 gas. That is far above what EIP-7825
/// lets one transaction have from Osaka (2^24): the chain follows Cancun, whose rules these
/// cases were written for.
fn huge_gas_chain(engine: EngineKind) -> Chain {
    let mut chain = Chain::new(engine);
    chain.block.gas_limit = u64::MAX;
    chain.block.fork = wasm_runtime::fork::Fork::Cancun;
    install(&mut chain, GAS_CONTRACT, GAS_MSTORE_RETURN.to_vec());
    chain
}

fn gas_of_2_pow_64_minus_1(engine: EngineKind) {
    let mut chain = huge_gas_chain(engine);
    let tx = chain.tx(ALICE, Some(GAS_CONTRACT), &[], U256::ZERO, u64::MAX);
    let r = chain.send(tx);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.gas_used, 21_017);
    assert_eq!(r.output.as_ref(), word(u64::MAX - 21_002));
}

/// Item 8: an EVM contract forwards all it may (`GAS CALL`) of 2^64 − 1 gas to the `GAS`
/// contract, which returns what it has. As the spec computes it: before the CALL the caller
/// has `2^64 − 1 − 21,000 − 16` (PUSH1, four PUSH0, PUSH20, GAS); the CALL costs 2,600 (cold
/// callee) and 3 (the return word's memory); the callee gets all but 1/64 of what is left,
/// and its `GAS` sees that less 2. The callee uses 17, then the caller pays POP, PUSH1,
/// PUSH0: 21,000 + 16 + 2,603 + 17 + 7 = 23,643 in all.
fn forwarding_2_pow_64_minus_1(engine: EngineKind) {
    let mut chain = huge_gas_chain(engine);
    let mut code = vec![0x60, 0x20, 0x5f, 0x5f, 0x5f, 0x5f, 0x73];
    code.extend_from_slice(GAS_CONTRACT.as_slice());
    code.extend_from_slice(&[0x5a, 0xf1, 0x50, 0x60, 0x20, 0x5f, 0xf3]);
    install(&mut chain, CALLER, code);
    let tx = chain.tx(ALICE, Some(CALLER), &[], U256::ZERO, u64::MAX);
    let r = chain.send(tx);
    assert!(r.success, "{:?}", r.error);
    let left = u64::MAX - 21_000 - 16 - 2_603;
    let callee_gas = left - left / 64;
    assert!(callee_gas > 1 << 63, "the callee's gas does not fit an i64 either");
    assert_eq!(r.output.as_ref(), word(callee_gas - 2));
    assert_eq!(r.gas_used, 23_643);
}

/// Item 8: a WASM contract returns `gas_left()`: with 2^64 − 1 gas it reports 2^64 − 1 −
/// 10,000,000 more than with 10,000,000 gas, and both runs use the same gas.
fn wasm_gas_left_of_2_pow_64_minus_1(engine: EngineKind) {
    let mut chain = huge_gas_chain(engine);
    let contract = Address::repeat_byte(0x9A);
    install(
        &mut chain,
        contract,
        stored_wasm(
            r#"(module
                (import "zkos" "gas_left" (func $gas_left (result i64)))
                (import "zkos" "finish" (func $finish (param i32 i32)))
                (memory (export "memory") 1 1)
                (func (export "call")
                    (i64.store (i32.const 0) (call $gas_left))
                    (call $finish (i32.const 0) (i32.const 8))))"#,
        ),
    );
    let mut seen = Vec::new();
    for gas in [10_000_000, u64::MAX] {
        let tx = chain.tx(ALICE, Some(contract), &[], U256::ZERO, gas);
        let r = chain.send(tx);
        assert!(r.success, "{gas}: {:?}", r.error);
        let left = u64::from_le_bytes(r.output.as_ref().try_into().expect("8 bytes"));
        seen.push((gas, left, r.gas_used));
    }
    let [(small, small_left, small_used), (big, big_left, big_used)] = seen[..] else { unreachable!() };
    assert_eq!(small_used, big_used);
    assert_eq!(big_left - small_left, big - small);
    assert!(small_left < small && small - small_left <= small_used);
}

engine_tests!(
    initial_memory_is_paid_before_the_frame,
    every_frame_starts_from_the_initial_state,
    frames_of_one_artifact_share_its_code,
    gas_of_2_pow_64_minus_1,
    forwarding_2_pow_64_minus_1,
    wasm_gas_left_of_2_pow_64_minus_1,
);

/// Transpiled EVM code declares one page of memory, which comes with the call: its frames
/// pay nothing for memory, so EVM gas stays Ethereum's.
#[test]
fn evm_frames_pay_nothing_for_their_memory() {
    let mut cache = wasm_runtime::exec::ArtifactCache::default();
    let mut stats = wasm_runtime::exec::Stats::default();
    let hash = alloy_primitives::keccak256(GAS_MSTORE_RETURN);
    let artifact = cache.get_or_build(hash, GAS_MSTORE_RETURN, &mut stats).unwrap();
    assert_eq!(stats.transpilations, 1);
    assert_eq!(artifact.initial_pages, 1);
    assert_eq!(initial_memory_gas(artifact.initial_pages), 0);
}
