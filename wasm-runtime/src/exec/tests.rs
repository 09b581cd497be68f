//! The three tiers of errors through whole blocks, on both engines: an internal error (a
//! module the engine cannot take, a host-function argument validation rules out, a machine
//! fault in compiled code) fails the block, charges no one and is reported in one line; a
//! contract's fault is charged as Ethereum charges it, and both engines name the same one.
//!
//! Internal errors come from artifacts made inconsistent on purpose and put in the artifact
//! cache under the code hash of an account's code, as a chain that trusted a corrupted
//! artifact would hold them: the system layer runs them through its real paths.

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;

use crate::block::{Block, BlockError, BlockStep, BlockTx};
use crate::engine::EngineKind;
use crate::env::{BlockEnv, TxEnv};
use crate::error::{Failure, Fault, Internal, InternalKind, Invariant, Trap, WasmiStage};
use crate::exec::{apply_block, execute_block_in, Artifact, ArtifactCache, CodeKind};
use crate::platform::{AccountInfo, MemoryDb};
use crate::primitives::{keccak256, Address, Bytes, U256};

const SENDER: Address = Address::repeat_byte(0xA1);
const COINBASE: Address = Address::repeat_byte(0xC0);
/// An EVM contract that calls [`TARGET`] with [`FORWARDED`] gas, then stores 1 at slot 0.
const CALLER: Address = Address::repeat_byte(0xCA);
/// The contract under test.
const TARGET: Address = Address::repeat_byte(0x7A);
const GAS_LIMIT: u64 = 1_000_000;
/// Max fee per gas of the transactions; the base fee is 7 and the tip 1.
const MAX_FEE: u64 = 10;
/// What the transactions pay per gas: the base fee and the tip.
const PRICE: u64 = 8;

/// The gas [`CALLER`] gives [`TARGET`] (0x0186a0).
const FORWARDED: u64 = 100_000;

/// The code of [`CALLER`]: CALL(100000, TARGET, 0, 0, 0, 0, 0), then SSTORE(0, 1).
fn caller_code() -> Vec<u8> {
    let mut code = vec![0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x73];
    code.extend_from_slice(TARGET.as_slice());
    code.extend_from_slice(&[0x62, 0x01, 0x86, 0xa0, 0xf1, 0x50, 0x60, 0x01, 0x5f, 0x55, 0x00]);
    code
}

fn env() -> BlockEnv {
    BlockEnv {
        number: 1,
        timestamp: 1_700_000_000,
        coinbase: COINBASE,
        gas_limit: 30_000_000,
        base_fee: U256::from(7),
        chain_id: 1,
        ..BlockEnv::default()
    }
}

/// The sender with 1 ether, [`CALLER`], and [`TARGET`] holding `target`.
fn state(target: &[u8]) -> MemoryDb {
    let mut db = MemoryDb::default();
    db.insert(SENDER, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(18)), 0), BTreeMap::new());
    for (address, code) in [(CALLER, caller_code()), (TARGET, target.to_vec())] {
        let mut info = AccountInfo::default();
        info.set_code(Bytes::from(code));
        db.insert(address, info, BTreeMap::new());
    }
    db
}

/// A block of one transaction from [`SENDER`] to `to`.
fn block(to: Address) -> Block {
    let tx = TxEnv {
        tx_type: 2,
        caller: SENDER,
        gas_limit: GAS_LIMIT,
        max_fee_per_gas: U256::from(MAX_FEE),
        max_priority_fee_per_gas: U256::from(1),
        to: Some(to),
        ..TxEnv::default()
    };
    Block { env: env(), transactions: vec![BlockTx::unencoded(tx)], ..Block::default() }
}

/// An artifact cache holding `artifact` for the code `code`, as if it had been built from it.
fn seeded(code: &[u8], artifact: impl FnOnce(crate::primitives::B256) -> Artifact) -> ArtifactCache {
    let mut cache = ArtifactCache::default();
    let hash = keccak256(code);
    cache.get_or_build_with(hash, || Ok(artifact(hash))).expect("seeded");
    cache
}

/// Applies a block calling `to` with the artifacts `cache` makes, and checks that it fails
/// with an internal error in its transaction, leaves the state exactly as it was (nothing
/// charged: no fee, no nonce), and reports it in one line; returns the error.
fn fails_the_block(target: &[u8], to: Address, engine: EngineKind, cache: impl Fn() -> ArtifactCache) -> Internal {
    let before = state(target);
    let mut after = before.clone();
    let err = apply_block(&mut after, &block(to), engine, &mut cache()).expect_err("an internal error fails the block");
    assert_eq!(after, before, "a failed block changes nothing: no fee, no nonce, no state");
    let message = alloc::format!("{err}");
    assert!(message.starts_with("transaction 0: internal error: "), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");
    let BlockError::Internal { step: BlockStep::Transaction(0), error } = err else {
        panic!("expected an internal error in transaction 0, got {err:?}");
    };
    // The loop stops there: no receipt, nothing rejected, the error reported.
    let txs = vec![Ok(block(to).transactions[0].tx.clone().expect("a transaction"))];
    let out = execute_block_in(&mut before.clone(), &env(), txs, engine, &mut cache());
    assert!(out.receipts.is_empty() && out.rejected.is_empty(), "{out:?}");
    assert_eq!(out.error, Some(BlockError::Internal { step: BlockStep::Transaction(0), error: error.clone() }));
    error
}

/// A module no engine can take: its bytes end inside a section.
const GARBAGE: &[u8] = b"\0asm\x01\0\0\0\x01\x7f";

fn garbage_module_fails_the_block(engine: EngineKind) {
    let code = [0x00];
    let cache = || seeded(&code, |hash| Artifact::new(hash, CodeKind::Evm, GARBAGE.to_vec(), false));
    // Called by the transaction, and from inside another contract's frame: the caller is not
    // resumed, charged or kept either.
    for to in [TARGET, CALLER] {
        let error = fails_the_block(&code, to, engine, cache);
        match (engine, error.kind()) {
            (EngineKind::Wasmi, InternalKind::Wasmi(e)) => assert_eq!(e.stage, WasmiStage::Compile),
            (EngineKind::Rv, InternalKind::Compile(e)) => assert!(e.is_invalid(), "{e}"),
            (_, other) => panic!("{}: unexpected {other:?}", engine.name()),
        }
    }
}

/// A module whose import of `gas_left` takes a float: validation rules it out (imports have
/// the host function's exact signature). wasmi runs it and meets the float argument at the
/// host call; the compiler rejects the float.
fn float_host_argument_fails_the_block(engine: EngineKind) {
    let wat = alloc::format!(
        r#"(module
            (import "zkos" "{gas_left}" (func $g (param f64) (result i64)))
            (memory (export "{memory}") 1)
            (global (export "{gas}") (mut i64) (i64.const 0))
            (func (export "{call}") (drop (call $g (f64.const 1)))))"#,
        gas_left = host_abi::functions::HostFn::GasLeft.import_name(),
        memory = host_abi::MEMORY_EXPORT,
        gas = host_abi::GAS_GLOBAL_EXPORT,
        call = host_abi::CALL_EXPORT,
    );
    let wasm = wat::parse_str(wat).expect("WAT");
    let code = [0x00];
    let cache = || seeded(&code, |hash| Artifact::new(hash, CodeKind::Evm, wasm.clone(), false));
    let error = fails_the_block(&code, CALLER, engine, cache);
    match (engine, error.kind()) {
        (EngineKind::Wasmi, InternalKind::Invariant(Invariant::HostArgument(f))) => {
            assert_eq!(*f, host_abi::functions::HostFn::GasLeft);
        }
        (EngineKind::Rv, InternalKind::Compile(e)) => assert!(e.is_unsupported(), "{e}"),
        (_, other) => panic!("{}: unexpected {other:?}", engine.name()),
    }
}

/// The RV64IM code of a valid contract, its `call` export's first instruction overwritten
/// with an illegal one: the machine faults in compiled code, which no contract can cause.
#[test]
fn machine_fault_in_compiled_code_fails_the_block() {
    // STOP: a valid contract on its own.
    let code = [0x00];
    let wasm = evm_to_wasm::transpile(&code).expect("transpiles");
    let cache = || {
        seeded(&code, |hash| {
            let mut compiled = rv_backend::compile(&wasm).expect("compiles");
            let call = compiled.exported_func(host_abi::CALL_EXPORT).expect("exports call");
            let at = (compiled.entry(call).expect("an entry") - rv_backend::abi::CODE_BASE) as usize;
            compiled.code[at..at + 4].copy_from_slice(&0u32.to_le_bytes());
            let artifact = Artifact::new(hash, CodeKind::Evm, wasm.clone(), false);
            let image: Result<Rc<_>, Internal> = crate::engine::rv::image(compiled);
            assert!(artifact.rv_code.set(image).is_ok());
            artifact
        })
    };
    let error = fails_the_block(&code, CALLER, EngineKind::Rv, cache);
    let InternalKind::Machine(crate::engine::rv_instance::Trap::Machine(fault)) = error.kind() else {
        panic!("expected a machine fault, got {error:?}");
    };
    assert!(matches!(fault, rv_machine::Trap::IllegalInstruction { word: 0, .. }), "{fault:?}");
    // The same artifact, untouched, runs (the fault is the corruption's).
    let mut fine = state(&code);
    let applied = apply_block(&mut fine, &block(CALLER), EngineKind::Rv, &mut ArtifactCache::default());
    assert!(applied.expect("applies").output.receipts[0].success);
}

/// What a transaction calling `to` in `target`'s state came to: its receipt's status, gas
/// used and failure, the sender's balance after, and [`CALLER`]'s slot 0.
fn charged(target: &[u8], to: Address, engine: EngineKind) -> (bool, u64, Option<Failure>, U256, U256) {
    let mut db = state(target);
    let applied = apply_block(&mut db, &block(to), engine, &mut ArtifactCache::default()).expect("applies");
    let r = &applied.output.receipts[0];
    let account = |a: Address| db.accounts.get(&a).cloned().unwrap_or_default();
    let slot = account(CALLER).storage.get(&U256::ZERO).copied().unwrap_or_default();
    (r.success, r.gas_used, r.error.clone(), account(SENDER).info.balance, slot)
}

/// A WASM contract whose `call` executes `unreachable`, in its stored form.
fn unreachable_contract() -> Vec<u8> {
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1 1) (func (export "call") unreachable))"#);
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(&wasm.expect("WAT"));
    code
}

fn contract_fault_is_charged_as_before(engine: EngineKind) {
    let ether = U256::from(10u64).pow(U256::from(18));
    let fee = |gas: u64| U256::from(gas * PRICE);
    // The trap ends the transaction's frame: all its gas is used, the fee paid.
    let (success, gas_used, error, balance, _) = charged(&unreachable_contract(), TARGET, engine);
    assert!(!success);
    assert_eq!(gas_used, GAS_LIMIT, "a trap uses all the transaction's gas");
    assert_eq!(error, Some(Trap::Unreachable.into()));
    assert_eq!(balance, ether - fee(GAS_LIMIT));
    // EVM's INVALID, transpiled to `unreachable`: an exceptional halt, all gas used.
    let (success, gas_used, error, _, _) = charged(&[0xfe], TARGET, engine);
    assert!(!success);
    assert_eq!(gas_used, GAS_LIMIT);
    assert_eq!(error, Some(Trap::Unreachable.into()));
    // Called from a contract, the trap fails the callee only: the gas it was given is used,
    // the caller goes on and stores.
    let (success, nested_gas, error, _, slot) = charged(&unreachable_contract(), CALLER, engine);
    assert!(success && error.is_none() && slot == U256::from(1), "{error:?}");
    // The transaction, the callee's gas, the cold call and the cold store (plus the pushes).
    let floor = 21_000 + FORWARDED + 2_600 + 22_100;
    assert!((floor..floor + 100).contains(&nested_gas), "{nested_gas}");
}

/// Both engines name the same fault and charge the same gas for the same failures.
#[test]
fn both_engines_report_the_same_fault() {
    for (target, to) in [(unreachable_contract(), TARGET), (vec![0xfe], TARGET), (unreachable_contract(), CALLER)] {
        let wasmi = charged(&target, to, EngineKind::Wasmi);
        let rv = charged(&target, to, EngineKind::Rv);
        assert_eq!(wasmi, rv);
    }
    // The kinds have fixed numbers.
    assert_eq!(Fault::Trap(Trap::Unreachable).kind() as u8, 2);
    assert_eq!(Fault::OUT_OF_GAS.kind() as u8, 1);
}

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod wasmi_engine {
            $( #[test] fn $name() { super::$name(crate::engine::EngineKind::Wasmi) } )*
        }
        mod rv_engine {
            $( #[test] fn $name() { super::$name(crate::engine::EngineKind::Rv) } )*
        }
    };
}

on_both_engines!(
    garbage_module_fails_the_block,
    float_host_argument_fails_the_block,
    contract_fault_is_charged_as_before
);

/// Tracing (`zkos run`, the devnet's `debug_trace*`) changes nothing a block produces: the
/// same state, receipts, diff, gas, work counters and commitments on both engines; the traced
/// block also holds each transaction's call tree: the EVM caller, and under it the WASM callee
/// that trapped with all the gas it was given.
#[test]
fn a_traced_block_is_the_same_block() {
    use crate::exec::apply_block_traced;
    for engine in [EngineKind::Wasmi, EngineKind::Rv] {
        let (mut plain, mut traced) = (state(&unreachable_contract()), state(&unreachable_contract()));
        let a = apply_block(&mut plain, &block(CALLER), engine, &mut ArtifactCache::default()).expect("applies");
        let b =
            apply_block_traced(&mut traced, &block(CALLER), engine, &mut ArtifactCache::default()).expect("applies");
        assert_eq!(plain, traced);
        assert_eq!(a.commitments, b.commitments);
        assert!(a.output.traces.is_empty());
        let mut output = b.output.clone();
        let traces = core::mem::take(&mut output.traces);
        assert_eq!(a.output, output);
        let [(0, frames)] = &traces[..] else { panic!("one traced transaction: {traces:?}") };
        let [top] = &frames[..] else { panic!("one top frame: {frames:?}") };
        assert_eq!((top.to, top.code, top.error.clone()), (CALLER, Some(CodeKind::Evm), None));
        let [callee] = &top.calls[..] else { panic!("one callee: {top:?}") };
        assert_eq!((callee.to, callee.code), (TARGET, Some(CodeKind::Wasm)));
        assert_eq!(callee.error, Some(Trap::Unreachable.into()));
        assert_eq!((callee.gas, callee.gas_used), (FORWARDED, FORWARDED));
        assert_eq!(callee.debug, 0..0);
        if engine == EngineKind::Rv {
            assert!(callee.rv_instructions > 0 && top.rv_instructions > callee.rv_instructions, "{top:?}");
            assert!(top.rv_instructions <= b.output.stats.rv_instructions);
        } else {
            assert_eq!(top.rv_instructions, 0);
        }
    }
}
