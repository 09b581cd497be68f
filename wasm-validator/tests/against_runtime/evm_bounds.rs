//! EVM bounds on hand-assembled code, checked against the gas the transpiled code charges
//! when run through the system layer.

use evm_to_wasm::opcodes::op;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::{CallKind, CallParams, System};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, Bytes, U256};
use wasm_validator::bounds::evm::*;

const GAS: u64 = 10_000_000;
const C: Address = Address::repeat_byte(0xCC);

/// Assembles a tiny dialect: opcode names, `0x..` pushes (the width of the literal), and
/// `@label` / `:label` for PUSH2 of a label / a JUMPDEST there.
fn asm(src: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut labels = std::collections::BTreeMap::new();
    let mut fixups = Vec::new();
    for tok in src.split_whitespace() {
        if let Some(l) = tok.strip_prefix(':') {
            labels.insert(l, out.len());
            out.push(op::JUMPDEST);
        } else if let Some(l) = tok.strip_prefix('@') {
            out.push(op::PUSH2);
            fixups.push((out.len(), l));
            out.extend_from_slice(&[0, 0]);
        } else if let Some(h) = tok.strip_prefix("0x") {
            let bytes = hex_bytes(h);
            out.push(op::PUSH1 + bytes.len() as u8 - 1);
            out.extend_from_slice(&bytes);
        } else {
            let b = (0..=255u8)
                .find(|&b| evm_to_wasm::opcodes::info(b).is_some_and(|i| i.name == tok))
                .unwrap_or_else(|| panic!("unknown opcode {tok}"));
            out.push(b);
        }
    }
    for (at, l) in fixups {
        let t = labels[l] as u16;
        out[at..at + 2].copy_from_slice(&t.to_be_bytes());
    }
    out
}

fn hex_bytes(h: &str) -> Vec<u8> {
    let h = if h.len() % 2 == 1 { format!("0{h}") } else { h.into() };
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect()
}

/// Gas the frame uses running `code` with `calldata`.
fn measure(code: &[u8], calldata: &[u8]) -> u64 {
    let mut db = MemoryDb::default();
    let mut info = AccountInfo::default();
    info.set_code(Bytes::copy_from_slice(code));
    db.insert(C, info, std::collections::BTreeMap::new());
    let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
    let r = sys
        .call(CallParams {
            kind: CallKind::Call,
            caller: Address::repeat_byte(0xA1),
            address: C,
            code_address: C,
            value: U256::ZERO,
            apparent_value: U256::ZERO,
            input: Bytes::copy_from_slice(calldata),
            gas: GAS,
            is_static: false,
            depth: 0,
        })
        .unwrap_or_else(|e| panic!("internal error: {e}"));
    assert!(r.status != host_abi::status::CallStatus::Failure, "{:?}", r.error);
    GAS - r.gas_left
}

fn any(code: &[u8]) -> EvmBound {
    bound(code, &evm_to_wasm::analyze(code), Mode::Any)
}

#[test]
fn straight_line_is_exact() {
    let code = asm("0x01 0x02 ADD 0x00 MSTORE 0x20 0x00 RETURN");
    // Five pushes and ADD, MSTORE at 3 each; one word of memory: 3.
    let b = any(&code).bound.unwrap();
    assert_eq!(b, 7 * 3 + 3);
    assert_eq!(u128::from(measure(&code, &[])), b);
}

const DISPATCH: &str = "
    0x80 0x40 MSTORE
    0x04 CALLDATASIZE LT @fallback JUMPI
    0x00 CALLDATALOAD 0xe0 SHR
    DUP1 0xa9059cbb EQ @cheap JUMPI
    DUP1 0x70a08231 EQ @dear JUMPI
    :fallback 0x00 DUP1 REVERT
    :cheap 0x2a 0x00 SSTORE STOP
    :dear @ret1 @helper JUMP :ret1 @ret2 @helper JUMP :ret2 0x20 0x40 MLOAD RETURN
    :helper 0x01 0x00 SLOAD ADD 0x00 SSTORE JUMP
";

#[test]
fn selectors_follow_the_dispatcher_and_internal_calls() {
    let code = asm(DISPATCH);
    assert_eq!(selectors(&code), [0xa9059cbb, 0x70a08231]);
    let (whole, per) = analyze(&code);
    let cheap = per[0].bound.clone().unwrap();
    let dear = per[1].bound.clone().unwrap();
    assert!(cheap < dear, "{cheap} {dear}");
    assert!(whole.bound.clone().unwrap() >= dear);
    // The cheap path sets a fresh, cold slot: the worst case happens, the bound is exact.
    let cd = |s: u32| s.to_be_bytes().to_vec();
    assert_eq!(u128::from(measure(&code, &cd(0xa9059cbb))), cheap);
    // The dear one calls the helper twice: the analysis charges two cold SLOADs and two
    // fresh SSTOREs (2 × 24200); the run warms the slot the first time.
    let m = u128::from(measure(&code, &cd(0x70a08231)));
    assert!(m <= dear, "{m} {dear}");
    // Measured: cold SLOAD 2100, SSTORE 0 -> 1 on the now warm slot 20000, then warm 100
    // and 100.
    assert_eq!(dear - m, 2 * 24_200 - (2100 + 20_000 + 100 + 100), "{m} {dear}");
    // Unknown selector and short calldata revert, within the whole-contract bound.
    assert!(u128::from(measure(&code, &cd(0x12345678))) <= whole.bound.clone().unwrap());
    assert!(u128::from(measure(&code, &[1])) <= whole.bound.unwrap());
}

#[test]
fn loops_and_computed_jumps_are_reported() {
    let code = asm(":top 0x01 @top JUMPI");
    let b = any(&code);
    let r = b.bound.unwrap_err();
    assert!(r.message.starts_with("loop (a cycle through 1 blocks between pc 0x0 and pc 0x6)"), "{r}");
    assert_eq!(r.pc, 0);
    assert!(b.graph.iter().any(|n| n.in_loop));
    let code = asm("0x00 CALLDATALOAD JUMP :x STOP");
    let r = any(&code).bound.unwrap_err();
    assert!(r.message.contains("computed target"), "{r}");
    let code = asm("0x00 0x00 CALLDATALOAD MSTORE STOP");
    let r = any(&code).bound.unwrap_err();
    assert!(r.message.contains("memory"), "{r}");
}

#[test]
fn dynamic_costs_take_the_worst_case() {
    // KECCAK of 64 bytes, a cold BALANCE, a LOG1 of 32 bytes, a CALL forwarding all gas.
    let code = asm("0x40 0x00 KECCAK256 POP  ADDRESS BALANCE POP  0x01 0x20 0x00 LOG1
        0x00 0x00 0x00 0x00 0x00 0xdead GAS CALL STOP");
    let b = any(&code);
    assert!(b.forwards_gas);
    let v = b.bound.unwrap();
    let m = u128::from(measure(&code, &[]));
    assert!(m <= v, "{m} > {v}");
    assert!(b.dynamic.iter().any(|(o, c, _)| *o == op::BALANCE && *c == 2600));
}
