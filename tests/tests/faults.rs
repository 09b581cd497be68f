//! The contract's faults as typed data (issue 10, item 3): each way a contract can fail is
//! reported as the same [`Failure`] on every engine, carried as data from the engine (or
//! host function) to the receipt, and charged as Ethereum charges an exceptional halt: all
//! the transaction's gas. Stamped per engine and in differential mode, which compares the
//! failures of both engines in full.

use alloy_primitives::U256;
use host_abi::functions::HostFn;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::error::{Failure, Fault, FaultKind, Limit, LimitKind, Trap};
use zkos_tests::{engine_tests, Chain, DEFAULT_GAS};

/// A contract of one page of memory whose `call` runs `body`, with `extra` module fields
/// (imports first, then types, tables, segments, functions).
fn contract(extra: &str, body: &str) -> String {
    format!(r#"(module {extra} (memory (export "memory") 1 1) (func (export "call") {body}))"#)
}

/// Deploys `src`, calls it, and checks that the call failed with `want`, all its gas used.
fn fails_with(engine: EngineKind, src: &str, want: Failure) {
    let mut chain = Chain::new(engine);
    let at = chain.deploy_wat(src);
    let r = chain.call(at, &[]);
    assert!(!r.success, "{src}: succeeded");
    assert_eq!(r.error.as_ref(), Some(&want), "{src}");
    assert_eq!(r.gas_used, DEFAULT_GAS, "{src}: an exceptional halt uses all the gas");
}

fn wasm_traps(engine: EngineKind) {
    // Memory is zero: loads give values the compiler cannot fold.
    let zero = "(i32.load (i32.const 0))";
    let cases = [
        ("", "unreachable".to_string(), Trap::Unreachable),
        ("", format!("(drop (i32.div_u (i32.const 1) {zero}))"), Trap::DivisionByZero),
        (
            "",
            format!("(drop (i32.div_s (i32.const 0x80000000) (i32.sub {zero} (i32.const 1))))"),
            Trap::IntegerOverflow,
        ),
        ("", "(drop (i32.load (i32.const 65534)))".to_string(), Trap::MemoryOutOfBounds),
        ("", format!("(memory.fill (i32.const 65000) {zero} (i32.const 1000))"), Trap::MemoryOutOfBounds),
    ];
    for (extra, body, trap) in cases {
        fails_with(engine, &contract(extra, &body), trap.into());
    }
}

/// `call_indirect` past the table, to a null entry and to a function of another type: wasmi
/// and the RV64IM engine name these differently (wasmi's table access out of bounds is the
/// machine's undefined element, null is uninitialized, a bad signature a type mismatch);
/// both report one kind each.
fn indirect_calls(engine: EngineKind) {
    let table = r#"(type $v (func)) (type $i (func (result i32))) (table 2 2 funcref) (elem (i32.const 0) $f)"#;
    let with_f = |body: &str| {
        format!(r#"(module {table} (memory (export "memory") 1 1) (func $f) (func (export "call") {body}))"#)
    };
    fails_with(engine, &with_f("(call_indirect (type $v) (i32.const 5))"), Trap::TableOutOfBounds.into());
    fails_with(engine, &with_f("(call_indirect (type $v) (i32.const 1))"), Trap::IndirectCallToNull.into());
    fails_with(
        engine,
        &with_f("(drop (call_indirect (type $i) (i32.const 0)))"),
        Trap::IndirectCallTypeMismatch.into(),
    );
    assert_eq!(Fault::Trap(Trap::IndirectCallToNull).kind(), FaultKind::IndirectCallToNull);
}

/// Active segments that do not fit trap when the frame's instance is made, before its code.
fn segments_that_do_not_fit(engine: EngineKind) {
    let data = r#"(module (memory (export "memory") 1 1) (data (i32.const 65535) "ab") (func (export "call")))"#;
    fails_with(engine, data, Trap::MemoryOutOfBounds.into());
    let elem = r#"(module (table 1 1 funcref) (elem (i32.const 1) $f) (memory (export "memory") 1 1)
        (func $f) (func (export "call")))"#;
    fails_with(engine, elem, Trap::TableOutOfBounds.into());
}

/// Host functions fault with what was wrong as data: the range that is not in memory, the
/// topic count, the function.
fn host_faults(engine: EngineKind) {
    let finish = format!(r#"(import "zkos" "{}" (func $finish (param i32 i32)))"#, HostFn::Finish.import_name());
    let bad_output = Fault::MemoryAccess { offset: 65_530, len: 100, size: 65_536 };
    fails_with(engine, &contract(&finish, "(call $finish (i32.const 65530) (i32.const 100))"), bad_output.into());
    let log = format!(r#"(import "zkos" "{}" (func $log (param i32 i32 i32 i32)))"#, HostFn::EmitLog.import_name());
    let body = "(call $log (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0))";
    fails_with(engine, &contract(&log, body), Fault::TooManyTopics(5).into());
    let rdc = format!(r#"(import "zkos" "{}" (func $rdc (param i32 i32 i32)))"#, HostFn::ReturndataCopy.import_name());
    let body = "(call $rdc (i32.const 0) (i32.const 0) (i32.const 1))";
    fails_with(engine, &contract(&rdc, body), Fault::ReturnDataOutOfBounds.into());
    let poseidon =
        format!(r#"(import "zkos" "{}" (func $p (param i32 i32 i32) (result i32)))"#, HostFn::Poseidon.import_name());
    let body = "(drop (call $p (i32.const 65535) (i32.const 32) (i32.const 0)))";
    let bad_input = Fault::MemoryAccess { offset: 65_535, len: 32, size: 65_536 };
    fails_with(engine, &contract(&poseidon, body), bad_input.into());
}

/// A creation whose EVM init code returns more than EIP-170 allows fails with the limit
/// and the size; one that returns code starting with 0xEF with EIP-3541's fault.
fn deposit_limits(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    // RETURN(0, size): memory is zero, so the code returned is `size` zero bytes.
    let returns = |size: u32| {
        let mut init = vec![0x63];
        init.extend_from_slice(&size.to_be_bytes());
        init.extend_from_slice(&[0x5f, 0xf3]);
        init
    };
    let limit = host_abi::limits::MAX_EVM_CODE_SIZE;
    let tx = chain.tx(zkos_tests::ALICE, None, &returns(limit as u32 + 1), U256::ZERO, DEFAULT_GAS);
    let r = chain.send(tx);
    assert!(!r.success);
    assert_eq!(r.error, Some(Limit::new(LimitKind::EvmCodeSize, limit, limit + 1).into()));
    assert_eq!(r.gas_used, DEFAULT_GAS);
    // MSTORE8(0, 0xEF), RETURN(0, 1).
    let ef = [0x60, 0xef, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0xf3];
    let tx = chain.tx(zkos_tests::ALICE, None, &ef, U256::ZERO, DEFAULT_GAS);
    let r = chain.send(tx);
    assert_eq!(r.error, Some(Fault::CodeStartsWithEf.into()));
    assert_eq!(r.gas_used, DEFAULT_GAS);
}

engine_tests!(wasm_traps, indirect_calls, segments_that_do_not_fit, host_faults, deposit_limits);
