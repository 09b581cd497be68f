//! Call chains to the depth limit (1024 frames below the transaction's) on an ordinary
//! thread with a small native stack, on both engines (issue 10 item 2): call frames live on
//! the system layer's explicit stack, so the native stack holds one frame's engine loop at a
//! time, whatever the depth. When nested calls recursed natively, these needed a 1 GiB
//! thread.
//!
//! Three chains: EVM code calling itself with all its gas (a counter in storage), a WASM
//! contract calling itself with its depth as the callee's input (each frame reads its input
//! in place in its suspended caller's memory and stores it), and EVM init code creating a
//! copy of itself. Each reaches depth 1024 exactly (the 1025th nested frame is not
//! executed); both engines agree on gas, state and frames.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, U256};
use wasm_runtime::block::{Receipt, StateDiff};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::TxEnv;
use wasm_runtime::exec::System;
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use zkos_tests::{Chain, ALICE};

/// Native stack of the thread the chains run on. A release build runs each chain in about
/// 35 KiB, whatever its depth (2 frames or 1025); the native recursion took about 8 KiB more
/// per frame (8 MiB for 1025 frames; it ran on 1 GiB threads). The margin is for debug builds.
const SMALL_STACK: usize = 256 << 10;

/// Frames of a chain to the limit: the transaction's and 1024 nested ones.
const FRAMES: u64 = host_abi::limits::MAX_CALL_DEPTH as u64 + 1;

/// Gas of each chain's transaction: enough that after 1024 levels of 63/64 forwarding, and
/// each level's own costs (up to 25,000 gas: a store to a fresh slot), the deepest frame
/// still has what it needs (with 2^40 the WASM chain ends out of gas at depth 861).
const GAS: u64 = 1 << 48;

const ME: Address = Address::repeat_byte(0xDE);

/// EVM: `slot0 += 1; call(gas, address, 0, 0, 0, 0, 0); stop`.
const EVM_SELF_CALL: &[u8] = &[
    0x5f, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, // slot0 = slot0 + 1
    0x60, 0x00, 0x5f, 0x5f, 0x5f, 0x5f, 0x30, 0x5a, 0xf1, // call(gas, address, 0, 0, 0, 0, 0)
    0x00, // stop
];

/// EVM init code: `slot0 = 1; create(0, code)` with its own code; deploys nothing.
const EVM_SELF_CREATE: &[u8] = &[
    0x60, 0x01, 0x5f, 0x55, // slot0 = 1
    0x38, 0x5f, 0x5f, 0x39, // codecopy(0, 0, codesize)
    0x38, 0x5f, 0x5f, 0xf0, // create(0, 0, codesize)
    0x00, // stop
];

/// WASM: reads its depth `d` (a `u32` LE, zero for the transaction's empty calldata) from
/// calldata, stores `d + 1` under the key whose first four bytes are `d` (LE), and calls
/// itself with all its gas and `d + 1` as the input.
const WASM_SELF_CALL: &str = r#"(module
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  (import "zkos" "storage_store" (func $sstore (param i32 i32)))
  (import "zkos" "address" (func $address (param i32)))
  (import "zkos" "gas_left" (func $gas (result i64)))
  (import "zkos" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "call")
    (call $cdc (i32.const 0) (i32.const 0) (i32.const 4))
    (i32.store (i32.const 32) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (call $sstore (i32.const 0) (i32.const 32))
    (call $address (i32.const 96))
    (drop (call $call (call $gas) (i32.const 96) (i32.const 64) (i32.const 32) (i32.const 4)))))"#;

/// What a chain did: its receipt, the frames run, the state diff.
struct Run {
    receipt: Receipt,
    frames: u64,
    diff: StateDiff,
}

/// A chain with `code` at [`ME`] (if any), and a block that takes [`GAS`]. A transaction of
/// [`GAS`] is far above what EIP-7825 lets one transaction have from Osaka (2^24): the chain
/// follows Cancun, whose rules the depth limit's cases were written for.
fn chain(engine: EngineKind, code: Option<Vec<u8>>) -> Chain {
    let mut chain = Chain::new(engine);
    chain.block.gas_limit = GAS;
    chain.block.fork = wasm_runtime::fork::Fork::Cancun;
    if let Some(code) = code {
        let mut info = AccountInfo::with_balance(U256::ZERO, 1);
        info.set_code(Bytes::from(code));
        chain.db.insert(ME, info, BTreeMap::new());
    }
    chain
}

/// Runs `tx` on `engine` over `db` on a thread with [`SMALL_STACK`] bytes of stack.
fn run_on_small_stack(engine: EngineKind, mut db: MemoryDb, chain: &Chain, tx: TxEnv) -> Run {
    let block = chain.block.clone();
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let mut sys = System::new(&mut db, block, engine);
            let receipt = sys.apply_transaction(&tx, 0).expect("no internal error").expect("valid transaction");
            Run { receipt, frames: sys.stats.frames, diff: sys.world.diff() }
        })
        .expect("spawn a small-stack thread")
        .join()
        .expect("the chain ran on a small stack")
}

fn evm_self_calls(engine: EngineKind) -> Run {
    let chain = chain(engine, Some(EVM_SELF_CALL.to_vec()));
    let tx = chain.tx(ALICE, Some(ME), &[], U256::ZERO, GAS);
    let run = run_on_small_stack(engine, chain.db.clone(), &chain, tx);
    assert!(run.receipt.success, "{:?}", run.receipt.error);
    assert_eq!(run.frames, FRAMES, "the transaction's frame and 1024 nested ones ran");
    let storage = &run.diff.accounts[&ME].as_ref().expect("ME changed").storage;
    assert_eq!(storage[&U256::ZERO], U256::from(FRAMES), "every frame counted itself");
    run
}

/// The storage key of depth `d` in [`WASM_SELF_CALL`]: `d` LE in its first four bytes.
fn wasm_key(d: u32) -> U256 {
    let mut word = [0u8; 32];
    word[..4].copy_from_slice(&d.to_le_bytes());
    U256::from_be_bytes(word)
}

fn wasm_self_calls(engine: EngineKind) -> Run {
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(&zkos_tests::wat(WASM_SELF_CALL));
    let chain = chain(engine, Some(code));
    let tx = chain.tx(ALICE, Some(ME), &[], U256::ZERO, GAS);
    let run = run_on_small_stack(engine, chain.db.clone(), &chain, tx);
    assert!(run.receipt.success, "{:?}", run.receipt.error);
    assert_eq!(run.frames, FRAMES, "the transaction's frame and 1024 nested ones ran");
    let storage = &run.diff.accounts[&ME].as_ref().expect("ME changed").storage;
    assert_eq!(storage.len() as u64, FRAMES, "one slot per frame");
    for d in 0..FRAMES as u32 {
        let stored = storage.get(&wasm_key(d)).copied();
        // The value's first four bytes are d + 1 (LE): the frame at depth d read d from
        // its caller's memory.
        assert_eq!(stored, Some(wasm_key(d + 1)), "the frame at depth {d} read its input");
    }
    run
}

fn evm_self_creates(engine: EngineKind) -> Run {
    let chain = chain(engine, None);
    let tx = chain.tx(ALICE, None, EVM_SELF_CREATE, U256::ZERO, GAS);
    let run = run_on_small_stack(engine, chain.db.clone(), &chain, tx);
    assert!(run.receipt.success, "{:?}", run.receipt.error);
    assert_eq!(run.frames, FRAMES, "the creation's frame and 1024 nested ones ran");
    let created =
        run.diff.accounts.values().flatten().filter(|a| a.storage.get(&U256::ZERO) == Some(&U256::from(1))).count();
    assert_eq!(created as u64, FRAMES, "every init code ran in an account of its own");
    run
}

fn evm_calls_to_the_depth_limit(engine: EngineKind) {
    evm_self_calls(engine);
}

fn wasm_calls_to_the_depth_limit(engine: EngineKind) {
    wasm_self_calls(engine);
}

fn creates_to_the_depth_limit(engine: EngineKind) {
    evm_self_creates(engine);
}

mod wasmi_engine {
    use super::*;
    #[test]
    fn evm_calls() {
        evm_calls_to_the_depth_limit(EngineKind::Wasmi);
    }
    #[test]
    fn wasm_calls() {
        wasm_calls_to_the_depth_limit(EngineKind::Wasmi);
    }
    #[test]
    fn creates() {
        creates_to_the_depth_limit(EngineKind::Wasmi);
    }
}

mod rv_engine {
    use super::*;
    #[test]
    fn evm_calls() {
        evm_calls_to_the_depth_limit(EngineKind::Rv);
    }
    #[test]
    fn wasm_calls() {
        wasm_calls_to_the_depth_limit(EngineKind::Rv);
    }
    #[test]
    fn creates() {
        creates_to_the_depth_limit(EngineKind::Rv);
    }
}

/// Both engines: the same gas, output, logs, created address and state diff.
#[test]
fn both_engines_agree_at_the_depth_limit() {
    for (name, chain) in [
        ("evm calls", evm_self_calls as fn(EngineKind) -> Run),
        ("wasm calls", wasm_self_calls),
        ("creates", evm_self_creates),
    ] {
        let (a, b) = (chain(EngineKind::Wasmi), chain(EngineKind::Rv));
        assert_eq!(a.receipt.gas_used, b.receipt.gas_used, "{name}: gas");
        assert_eq!(a.receipt.output, b.receipt.output, "{name}: output");
        assert_eq!(a.receipt.logs, b.receipt.logs, "{name}: logs");
        assert_eq!(a.receipt.contract_address, b.receipt.contract_address, "{name}: created");
        assert_eq!(a.diff, b.diff, "{name}: state diff");
    }
}
