//! The WASM stack budget end to end: a contract recurses as deep as its calldata says, and
//! every engine succeeds up to exactly the same depth and fails one frame deeper, with the
//! same gas (host_abi::limits::WASM_STACK_BUDGET, wasm_validator::meter::frame).

use host_abi::limits::WASM_STACK_BUDGET;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::error::Trap;
use wasm_validator::meter::frames;
use zkos_tests::{wat, Chain, DEFAULT_GAS};

/// `call`: calldata is `[depth: u32 LE, wide: u32 LE]`; recurses `depth` deep through `$rec`
/// (one local) or, if `wide` is not zero, through `$wide` (one hundred and one locals), and
/// returns the depth reached as a `u32` LE.
fn contract() -> String {
    let locals = " i64".repeat(100);
    format!(
        r#"(module
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1 1)
  (func $rec (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $rec (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func $wide (param $n i32) (result i32) (local{locals})
    (if (result i32) (local.get $n)
      (then (i32.add (call $wide (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "call")
    (call $cdc (i32.const 0) (i32.const 0) (i32.const 8))
    (i32.store (i32.const 16)
      (if (result i32) (i32.load (i32.const 4))
        (then (call $wide (i32.load (i32.const 0))))
        (else (call $rec (i32.load (i32.const 0))))))
    (call $finish (i32.const 16) (i32.const 4))))"#
    )
}

fn calldata(depth: u32, wide: bool) -> Vec<u8> {
    let mut out = depth.to_le_bytes().to_vec();
    out.extend_from_slice(&u32::from(wide).to_le_bytes());
    out
}

/// The deepest `depth` the budget allows: `call`'s frame, then `depth + 1` frames of the
/// recursive function (defined function 0 or 1; `call` is 2).
fn deepest(wide: bool) -> u32 {
    let f = frames(&wat(&contract())).unwrap();
    let (call, rec) = (f[2].cost(), f[usize::from(wide)].cost());
    u32::try_from((u64::from(WASM_STACK_BUDGET) - call) / rec).unwrap() - 1
}

#[test]
fn the_deepest_depths_follow_the_frame_costs() {
    // call: 3 operand slots and 3 arguments (calldata_copy): 8 × 6 + 32 = 80 bytes;
    // rec: 1 local, 2 slots, 1 argument: 64 bytes; wide: 101 locals: 864 bytes.
    let f = frames(&wat(&contract())).unwrap();
    assert_eq!([f[0].cost(), f[1].cost(), f[2].cost()], [64, 864, 80]);
    assert_eq!(deepest(false), (524_288 - 80) / 64 - 1);
    assert_eq!(deepest(false), 8189);
    // Functions with more locals reach the limit proportionally sooner.
    assert_eq!(deepest(true), (524_288 - 80) / 864 - 1);
    assert_eq!(deepest(true), 605);
}

/// At the deepest depth the call succeeds and returns it; one deeper it fails and consumes
/// all its gas; the gas of each outcome is returned.
fn recursion_limit(engine: EngineKind, wide: bool) -> (u64, u64) {
    let mut chain = Chain::new(engine);
    let contract = chain.deploy_wat(&contract());
    let max = deepest(wide);
    let ok = chain.call(contract, &calldata(max, wide));
    assert!(ok.success, "depth {max}: {:?}", ok.error);
    assert_eq!(ok.output.as_ref(), &max.to_le_bytes());
    let again = chain.call(contract, &calldata(max, wide));
    assert!(again.success && again.gas_used == ok.gas_used, "a second call behaves the same");
    let deeper = chain.call(contract, &calldata(max + 1, wide));
    assert!(!deeper.success, "depth {} succeeded", max + 1);
    assert_eq!(deeper.gas_used, DEFAULT_GAS, "a trap consumes all gas");
    // Metering's stack counter ends it (an engine's own stack limit would be an internal
    // error, failing the block).
    assert_eq!(deeper.error, Some(Trap::Unreachable.into()), "the stack counter ends the call");
    let shallow = chain.call(contract, &calldata(10, wide));
    assert!(shallow.success && shallow.gas_used < ok.gas_used);
    (ok.gas_used, deeper.gas_used)
}

fn narrow_frames(engine: EngineKind) {
    recursion_limit(engine, false);
}

fn wide_frames(engine: EngineKind) {
    recursion_limit(engine, true);
}

/// `call`: calldata is `[depth: u32 LE]`, optionally followed by a 20-byte address and the
/// 4-byte calldata to send it: recurses `depth` deep, and at the bottom calls the address
/// (if given), trapping unless that call succeeds; returns the depth.
const NESTING: &str = r#"(module
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  (import "zkos" "calldata_size" (func $cds (result i32)))
  (import "zkos" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1 1)
  (func $bottom (result i32)
    (if (i32.gt_u (call $cds) (i32.const 4))
      (then (if (call $call (i64.const 5000000) (i32.const 4) (i32.const 64) (i32.const 24) (i32.const 4))
        (then (unreachable)))))
    (i32.const 0))
  (func $rec (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (call $rec (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
      (else (call $bottom))))
  (func (export "call")
    (call $cdc (i32.const 0) (i32.const 0) (call $cds))
    (i32.store (i32.const 128) (call $rec (i32.load (i32.const 0))))
    (call $finish (i32.const 128) (i32.const 4))))"#;

/// Every contract call has a budget of its own: a contract at its deepest calls another
/// that goes to its deepest too; one frame more in either fails.
fn budget_per_contract_call(engine: EngineKind) {
    let f = frames(&wat(NESTING)).unwrap();
    let (bottom, rec, call) = (f[0].cost(), f[1].cost(), f[2].cost());
    let max = u32::try_from((u64::from(WASM_STACK_BUDGET) - call - bottom) / rec).unwrap() - 1;
    let mut chain = Chain::new(engine);
    let (a, b) = (chain.deploy_wat(NESTING), chain.deploy_wat(NESTING));
    let data = |outer: u32, inner: Option<u32>| {
        let mut d = outer.to_le_bytes().to_vec();
        if let Some(inner) = inner {
            d.extend_from_slice(b.as_slice());
            d.extend_from_slice(&inner.to_le_bytes());
        }
        d
    };
    let ok = chain.call(a, &data(max, Some(max)));
    assert!(ok.success, "{:?}", ok.error);
    assert_eq!(ok.output.as_ref(), &max.to_le_bytes());
    for (outer, inner) in [(max + 1, Some(max)), (max, Some(max + 1)), (max + 1, None)] {
        let r = chain.call(a, &data(outer, inner));
        assert!(!r.success && r.gas_used == DEFAULT_GAS, "{outer} {inner:?}");
    }
}

zkos_tests::engine_tests!(narrow_frames, wide_frames, budget_per_contract_call);

#[test]
fn both_engines_charge_the_same_gas_at_the_limit() {
    for wide in [false, true] {
        let a = recursion_limit(EngineKind::Wasmi, wide);
        let b = recursion_limit(EngineKind::Rv, wide);
        assert_eq!(a, b, "wide = {wide}");
    }
}
