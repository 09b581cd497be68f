//! Static gas bounds and metering elision on the suites' contracts: the actor (scripts of
//! storage, logs, nested calls, reverts, infinite loops, creates) and the example
//! contracts. The analysis must succeed and name places inside the module; elided and
//! unelided metering must give the same status, output, gas left and state changes at
//! every gas limit tried, nested frames included; bounded exports stay within their bound.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, U256};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::{Artifact, CallKind, CallParams, CodeKind, FrameResult, System};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_validator::bounds::{self, Bound};
use wasm_validator::{meter_with, Options};
use zkos_tests::actor::{Script, ACTOR_WAT};
use zkos_tests::wat;

const A: Address = Address::repeat_byte(0xAA);
const B: Address = Address::repeat_byte(0xBB);
const SENDER: Address = Address::repeat_byte(0xA1);

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../examples/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// Stored code of a WASM contract (envelope header and module).
fn stored(wasm: &[u8]) -> Vec<u8> {
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(wasm);
    code
}

/// A state with actors at A and B (funded).
fn world(wasm: &[u8]) -> MemoryDb {
    let mut db = MemoryDb::default();
    for who in [A, B] {
        let mut info = AccountInfo::with_balance(U256::from(1_000_000u64), 1);
        info.set_code(Bytes::from(stored(wasm)));
        db.insert(who, info, BTreeMap::new());
    }
    db.insert(SENDER, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(20u8)), 0), BTreeMap::new());
    db
}

/// Calls `to` with `input` and `gas`; the contracts' code metered with or without elision.
fn run(db: &MemoryDb, wasm: &[u8], to: Address, input: &[u8], gas: u64, elide: bool) -> (FrameResult, String) {
    let mut db = db.clone();
    let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
    let hash = keccak256(stored(wasm));
    let metered = meter_with(wasm, Options { elide }).unwrap();
    let has_deploy = wasm_validator::validate::validate(wasm).unwrap().has_deploy;
    sys.artifacts.get_or_build_with(hash, || Ok(Artifact::new(hash, CodeKind::Wasm, metered, has_deploy))).unwrap();
    let r = sys
        .call(CallParams {
            kind: CallKind::Call,
            caller: SENDER,
            address: to,
            code_address: to,
            value: U256::ZERO,
            apparent_value: U256::ZERO,
            input: Bytes::copy_from_slice(input),
            gas,
            is_static: false,
            depth: 0,
        })
        .unwrap_or_else(|e| panic!("internal error: {e}"));
    let diff = format!("{:?}", sys.world.diff());
    (r, diff)
}

/// Elided and unelided metering agree at many gas limits; returns the comparisons made.
fn agree(db: &MemoryDb, wasm: &[u8], to: Address, input: &[u8], seed: u64) -> usize {
    let (full, _) = run(db, wasm, to, input, 5_000_000, false);
    let used = 5_000_000 - full.gas_left;
    let mut limits = vec![5_000_000, used, used.saturating_sub(1), used / 2, used / 3, 3, 0];
    let mut x = seed | 1;
    for _ in 0..10 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        limits.push(x % (used + 1));
    }
    for &gas in &limits {
        let (a, da) = run(db, wasm, to, input, gas, false);
        let (b, db_) = run(db, wasm, to, input, gas, true);
        assert_eq!(
            (a.status, &a.output, a.gas_left, &da),
            (b.status, &b.output, b.gas_left, &db_),
            "gas {gas} (full run {used}): {:?} / {:?}",
            a.error,
            b.error
        );
    }
    limits.len()
}

fn scripts() -> Vec<Script> {
    let inner = Script::new().sstore(7, 8).log(3).sload(7);
    vec![
        Script::new().sstore(1, 2).sload(1),
        Script::new().tstore(1, 5).tload(1).log(9),
        Script::new().call(B, 0, 100_000, &inner).returndata(),
        Script::new().call(B, 5, 50_000, &inner.clone().revert()).sstore(2, 3),
        Script::new().call(B, 0, 30_000, &Script::new().spin()).save(4),
        Script::new().static_call(B, 40_000, &inner).returndata(),
        Script::new().delegate_call(B, 40_000, &inner).sload(7),
        Script::new().sstore(1, 1).revert(),
        Script::new().balance(B).trap(),
        Script::new().spin(),
        Script::new().create2(0, 1, &zkos_tests::envelope(&wat(ACTOR_WAT), &[])),
    ]
}

#[test]
fn actor_scripts_behave_the_same_with_elision() {
    {
        let w = wat(ACTOR_WAT);
        let db = world(&w);
        let mut n = 0;
        for (k, s) in scripts().iter().enumerate() {
            n += agree(&db, &w, A, s.bytes(), k as u64 + 1);
        }
        assert!(n >= 11 * 17, "{n}");
    };
}

#[test]
fn suite_contracts_are_analyzed_with_places_inside_them() {
    let mut contracts = vec![(String::from("actor"), wat(ACTOR_WAT))];
    for name in ["counter", "erc20", "caller", "abi-probe", "as-counter"] {
        contracts.push((name.to_string(), example(name)));
    }
    for (name, w) in &contracts {
        let a = bounds::analyze(w).unwrap_or_else(|e| panic!("{name}: {e}"));
        let count = a.imported + a.functions.len() as u32;
        for f in &a.functions {
            if let Bound::Unbounded(r) = &f.bound {
                assert!(r.function >= a.imported && r.function < count, "{name}: {r}");
                assert!(r.offset < w.len(), "{name}: {r}");
                for (caller, off) in &r.via {
                    assert!(*caller < count && *off < w.len(), "{name}: {r}");
                }
            }
        }
        let bounded = a.functions.iter().filter(|f| f.bound.formula().is_some()).count();
        assert!(bounded * 2 >= a.functions.len(), "{name}: only {bounded} of {} functions bounded", a.functions.len());
        println!("{name}: {bounded} of {} functions bounded", a.functions.len());
    }
    // The actor's interpreter loop advances by a command's length: not a constant step.
    let actor = bounds::analyze(&wat(ACTOR_WAT)).unwrap();
    assert_eq!(actor.export("call").unwrap().bound.reason().unwrap().kind, bounds::ReasonKind::Loop);
}

fn selector(sig: &str) -> Vec<u8> {
    keccak256(sig.as_bytes())[..4].to_vec()
}

#[test]
fn example_calls_behave_the_same_with_elision() {
    {
        let mut n = 0;
        for (name, inputs) in [
            ("counter", vec![selector("increment()"), selector("get()"), vec![1, 2]]),
            ("as-counter", vec![selector("increment()"), selector("get()")]),
            ("erc20", vec![selector("totalSupply()"), selector("name()"), selector("decimals()")]),
        ] {
            let w = example(name);
            let db = world(&w);
            for (k, input) in inputs.iter().enumerate() {
                n += agree(&db, &w, A, input, k as u64 + 7);
            }
        }
        assert!(n >= 8 * 17, "{n}");
    };
}
