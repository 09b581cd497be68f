//! Tests of the bounds analysis: exact bounds of hand-checked functions, parametric bounds,
//! unbounded reasons and locations, and soundness against the gas measured by running the
//! metered module through the system layer.

use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::{CallKind, CallParams, System};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, Bytes, U256};
use wasm_validator::bounds::*;

const CONTRACT: Address = Address::repeat_byte(0xCC);
const GAS: u64 = 1_000_000_000;

fn wat(src: &str) -> Vec<u8> {
    let w = wat::parse_str(src).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{src}"));
    wasm_validator::validate::validate(&w).unwrap_or_else(|e| panic!("{e}\n{src}"));
    w
}

/// A contract with the given imports and functions (memory 1..2 pages).
fn contract(body: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "zkos" "calldata_size" (func $size (result i32)))
            (import "zkos" "calldata_copy" (func $copy (param i32 i32 i32)))
            (import "zkos" "storage_store" (func $sstore (param i32 i32)))
            (import "zkos" "finish" (func $finish (param i32 i32)))
            (memory (export "memory") 1 2)
            {body})"#
    ))
}

/// Gas the export `call` of `wasm` uses with `calldata` (validated and metered as the
/// system layer deploys it), and whether it succeeded.
fn measure(wasm: &[u8], calldata: &[u8]) -> (u64, bool) {
    measure_on(EngineKind::Wasmi, wasm, calldata)
}

/// [`measure`] on `engine`.
fn measure_on(engine: EngineKind, wasm: &[u8], calldata: &[u8]) -> (u64, bool) {
    let mut db = MemoryDb::default();
    let mut info = AccountInfo::default();
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(wasm);
    info.set_code(Bytes::from(code));
    db.insert(CONTRACT, info, std::collections::BTreeMap::new());
    let mut sys = System::new(&mut db, BlockEnv::default(), engine);
    let r = sys
        .call(CallParams {
            kind: CallKind::Call,
            caller: Address::repeat_byte(0xA1),
            address: CONTRACT,
            code_address: CONTRACT,
            value: U256::ZERO,
            apparent_value: U256::ZERO,
            input: Bytes::copy_from_slice(calldata),
            gas: GAS,
            is_static: false,
            depth: 0,
        })
        .unwrap_or_else(|e| panic!("internal error: {e}"));
    assert!(r.status != host_abi::status::CallStatus::Failure, "the call failed: {:?}", r.error);
    (GAS - r.gas_left, r.status.is_success())
}

fn bound_of(wasm: &[u8], export: &str) -> Bound {
    analyze(wasm).unwrap().export(export).unwrap().bound.clone()
}

fn constant(wasm: &[u8]) -> u128 {
    match bound_of(wasm, "call") {
        Bound::Bounded(f) => f.as_constant().unwrap_or_else(|| panic!("not constant: {f}")),
        Bound::Unbounded(r) => panic!("unbounded: {r}"),
    }
}

#[test]
fn straight_line_is_exact() {
    let w = contract(
        r#"(func (export "call")
            (i32.store (i32.const 0) (i32.mul (i32.const 3) (i32.const 4)))
            (drop (i64.div_u (i64.const 9) (i64.const 2))))"#,
    );
    // store 3, mul 1, three i32 consts, div 4, two i64 consts: 3 + 1 + 3 + 4 + 2 = 13.
    assert_eq!(constant(&w), 13);
    assert_eq!(measure(&w, &[]).0, 13);
}

#[test]
fn branches_take_the_worst_arm_exactly() {
    let w = contract(
        r#"(func (export "call")
            (if (call $size)
                (then (drop (i64.div_u (i64.const 9) (i64.const 2))) (drop (i64.div_u (i64.const 9) (i64.const 2))))
                (else (nop))))"#,
    );
    // entry: call 8 + if 1 + host 2 = 11; then arm: 2 × (2 consts + div 4) = 12.
    assert_eq!(constant(&w), 23);
    assert_eq!(measure(&w, &[1]).0, 23);
    // Empty calldata takes the cheap arm: entry 11 only.
    assert_eq!(measure(&w, &[]).0, 11);
}

#[test]
fn constant_loops_are_exact_in_both_shapes() {
    // Bottom-tested: the body runs 10 times, the back edge is taken 9 times.
    let bottom = contract(
        r#"(func (export "call") (local $i i32)
            (loop $l
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 10)))))"#,
    );
    // header block: get, const, add, set, get, const, lt, br_if = 8 per iteration; the
    // entry pays 1 for the declared local.
    assert_eq!(constant(&bottom), 1 + 80);
    assert_eq!(measure(&bottom, &[]).0, 1 + 80);
    // Top-tested: 10 full iterations and a last partial one.
    let top = contract(
        r#"(func (export "call") (local $i i32)
            (block $done (loop $l
                (br_if $done (i32.eq (local.get $i) (i32.const 10)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    );
    // test block 4, body block 5: 10 × 9 + 4, and 1 for the declared local.
    assert_eq!(constant(&top), 1 + 94);
    assert_eq!(measure(&top, &[]).0, 1 + 94);
}

#[test]
fn loops_over_calldata_are_parametric() {
    let w = contract(
        r#"(func (export "call") (local $i i32) (local $n i32)
            (local.set $n (call $size))
            (block $done (loop $l
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (i32.store8 (local.get $i) (i32.const 1))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    );
    let b = bound_of(&w, "call");
    // entry: call 8 + host 2 + set 1 + two declared locals 2 = 13; test 4; body: get, const,
    // store 3, get, const, add, set, br = 10.
    assert_eq!(b.formula().unwrap().to_string(), "17 + 14·calldata_size");
    for n in [0usize, 1, 7, 64, 300] {
        let (used, _) = measure(&w, &vec![0u8; n]);
        let bound = b.eval(&[(Var::CalldataSize, n as u128)]).unwrap();
        assert_eq!(u128::from(used), bound, "n = {n}");
    }
}

#[test]
fn counts_read_from_calldata_are_named_inputs() {
    let w = contract(
        r#"(func (export "call") (local $i i32) (local $n i32)
            (call $copy (i32.const 0) (i32.const 4) (i32.const 4))
            (local.set $n (i32.load (i32.const 0)))
            (block $done (loop $l
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    );
    let b = bound_of(&w, "call");
    let f = b.formula().unwrap();
    assert_eq!(f.vars(), vec![Var::Calldata { offset: 4, len: 4 }]);
    assert!(f.to_string().contains("calldata[4..8]"), "{f}");
    for n in [0u32, 3, 50] {
        let mut cd = vec![0u8; 4];
        cd.extend_from_slice(&n.to_le_bytes());
        let (used, _) = measure(&w, &cd);
        let bound = b.eval(&[(Var::Calldata { offset: 4, len: 4 }, u128::from(n))]).unwrap();
        assert_eq!(u128::from(used), bound, "n = {n}");
    }
}

#[test]
fn nested_triangular_loops() {
    let w = contract(
        r#"(func (export "call") (local $i i32) (local $j i32) (local $n i32)
            (local.set $n (call $size))
            (block $d1 (loop $l1
                (br_if $d1 (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $j (i32.const 0))
                (block $d2 (loop $l2
                    (br_if $d2 (i32.ge_u (local.get $j) (local.get $i)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $l2)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l1))))"#,
    );
    let b = bound_of(&w, "call");
    let f = b.formula().unwrap();
    assert!(f.vars() == vec![Var::CalldataSize], "{f}");
    for n in [0usize, 1, 5, 20] {
        let (used, _) = measure(&w, &vec![0u8; n]);
        let bound = b.eval(&[(Var::CalldataSize, n as u128)]).unwrap();
        assert!(u128::from(used) <= bound, "n = {n}: {used} > {bound} ({f})");
    }
}

#[test]
fn countdown_and_pointer_loops() {
    // i = 16; do { i -= 1 } while (i != 0)
    let down = contract(
        r#"(func (export "call") (local $i i32)
            (local.set $i (i32.const 16))
            (loop $l
                (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const -1))))))"#,
    );
    // entry 2 and 1 for the declared local; body: get, const, add, tee, br_if = 5, 16 times.
    assert_eq!(constant(&down), 3 + 5 * 16);
    assert_eq!(measure(&down, &[]).0, 3 + 5 * 16);
    // p from 64 to 64 + 4·8 by 4, `p != end`.
    let ptr = contract(
        r#"(func (export "call") (local $p i32) (local $end i32)
            (local.set $p (i32.const 64))
            (local.set $end (i32.add (local.get $p) (i32.const 32)))
            (loop $l
                (i32.store (local.get $p) (i32.const 7))
                (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))))"#,
    );
    let c = constant(&ptr);
    let (used, _) = measure(&ptr, &[]);
    assert_eq!(u128::from(used), c);
}

#[test]
fn parameters_of_callees_take_the_call_arguments() {
    let w = contract(
        r#"(func $fill (param $p i32) (param $n i32) (local $i i32)
            (block $done (loop $l
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.const 0))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))
           (func (export "call")
            (call $fill (i32.const 0) (i32.const 32))
            (call $fill (i32.const 100) (call $size)))"#,
    );
    let a = analyze(&w).unwrap();
    let fill = a.function(4).unwrap();
    assert_eq!(fill.bound.formula().unwrap().vars(), vec![Var::Param(1)]);
    let b = a.export("call").unwrap().bound.clone();
    assert_eq!(b.formula().unwrap().vars(), vec![Var::CalldataSize]);
    for n in [0usize, 9, 40] {
        let (used, _) = measure(&w, &vec![0u8; n]);
        assert_eq!(Some(u128::from(used)), b.eval(&[(Var::CalldataSize, n as u128)]), "n = {n}");
    }
}

/// A frame pays for the initial memory its module declares before its code runs
/// (`host_abi::gas::initial_memory_gas`: 8,192 per page after the first): the bound of each
/// export counts it, a function that is not exported does not, and what a call measures on
/// either engine stays within the bound (here exactly: straight-line code, a fresh cold
/// SSTORE). Without the entry charge the bound would be below the gas measured.
#[test]
fn export_bounds_count_the_initial_memory() {
    let module = |pages: u64| {
        wat(&format!(
            r#"(module
                (import "zkos" "storage_store" (func $sstore (param i32 i32)))
                (memory (export "memory") {pages} 40)
                (func $inner (i32.store (i32.const 64) (i32.const 7)))
                (func (export "call")
                    (call $inner)
                    (i32.store8 (i32.const 32) (i32.const 1))
                    (call $sstore (i32.const 0) (i32.const 32))))"#
        ))
    };
    let one = analyze(&module(1)).unwrap();
    assert_eq!(one.entry_gas, 0, "the first page comes with every call");
    let code = one.export("call").unwrap().bound.constant().unwrap();
    for pages in [2, 5, 17, 40] {
        let w = module(pages);
        let a = analyze(&w).unwrap();
        let entry = host_abi::gas::initial_memory_gas(pages);
        assert_eq!(a.entry_gas, entry);
        assert_eq!(entry, (pages - 1) * 8_192);
        let bound = a.export("call").unwrap().bound.constant().unwrap();
        assert_eq!(bound, code + u128::from(entry), "{pages} pages");
        let inner = a.function(a.imported).unwrap();
        assert!(inner.names.is_empty());
        assert_eq!(inner.bound, one.function(one.imported).unwrap().bound, "not an entry: no memory charge");
        for engine in [EngineKind::Wasmi, EngineKind::Rv] {
            let (used, ok) = measure_on(engine, &w, &[]);
            assert!(ok, "{engine:?}, {pages} pages");
            assert!(u128::from(used) <= bound, "{engine:?}, {pages} pages: used {used} > bound {bound}");
            assert_eq!(u128::from(used), bound, "{engine:?}, {pages} pages: the worst case happens");
            assert!(u128::from(used) > code, "{engine:?}, {pages} pages: the code's bound alone is too small");
        }
    }
}

#[test]
fn host_calls_count_at_their_worst_case() {
    let w = contract(
        r#"(func (export "call")
            (i32.store8 (i32.const 32) (i32.const 1))
            (call $sstore (i32.const 0) (i32.const 32))
            (call $finish (i32.const 0) (i32.const 0)))"#,
    );
    // 6 consts + store8 3 + 2 calls (8 each) = 25, plus a cold SSTORE setting a fresh slot.
    assert_eq!(constant(&w), 25 + 22_100);
    let (used, ok) = measure(&w, &[]);
    assert!(ok);
    assert_eq!(used, 25 + 22_100, "the slot is fresh and cold: the worst case happens");
    let f = analyze(&w).unwrap();
    let hosts: Vec<&str> = f.export("call").unwrap().host_calls.iter().map(|(h, _)| h.import_name()).collect();
    assert_eq!(hosts, ["finish", "storage_store"]);
}

#[test]
fn unbounded_reasons_name_the_place() {
    let rec = contract(
        r#"(func $f (param i32) (result i32)
            (if (result i32) (local.get 0)
                (then (call $f (i32.sub (local.get 0) (i32.const 1))))
                (else (i32.const 0))))
           (func (export "call") (drop (call $f (call $size))))"#,
    );
    let a = analyze(&rec).unwrap();
    let r = a.export("call").unwrap().bound.reason().unwrap().clone();
    assert_eq!(r.kind, ReasonKind::Recursion);
    assert_eq!(r.function, 4);
    assert!(a.function(4).unwrap().recursive);
    assert_eq!(r.via.len(), 1, "{r}");

    let data = contract(
        r#"(func (export "call") (local $p i32)
            (block $done (loop $l
                (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $l))))"#,
    );
    let r = bound_of(&data, "call");
    let r = r.reason().unwrap();
    assert_eq!(r.kind, ReasonKind::Loop);
    assert!(r.to_string().contains("at function 4, offset 0x"), "{r}");

    let indirect = wat(r#"(module (memory (export "memory") 1 1)
            (type $t (func))
            (table 2 2 funcref)
            (elem (i32.const 0) $a $b)
            (func $a)
            (func $b (loop $l (br $l)))
            (func (export "call") (call_indirect (type $t) (i32.const 0))))"#);
    let r = bound_of(&indirect, "call");
    assert_eq!(r.reason().unwrap().kind, ReasonKind::IndirectCall, "{r:?}");

    let grow = contract(r#"(func (export "call") (drop (memory.grow (i32.load (call $size)))))"#);
    assert_eq!(bound_of(&grow, "call").reason().unwrap().kind, ReasonKind::MemoryGrow);
}

#[test]
fn indirect_calls_to_bounded_targets_take_the_worst() {
    let w = wat(r#"(module (memory (export "memory") 1 1)
            (type $t (func))
            (table 2 2 funcref)
            (elem (i32.const 0) $a $b)
            (func $a)
            (func $b (drop (i64.div_u (i64.const 1) (i64.const 1))))
            (func (export "call") (call_indirect (type $t) (i32.const 1))))"#);
    // const 1 + call_indirect 16 + the worst target ($b: 2 consts + div 4 = 6).
    assert_eq!(constant(&w), 23);
    assert_eq!(measure(&w, &[]).0, 23);
}

#[test]
fn grow_and_bulk_charges() {
    let w = contract(
        r#"(func (export "call")
            (drop (memory.grow (i32.const 1)))
            (memory.fill (i32.const 0) (i32.const 0) (i32.const 100)))"#,
    );
    // const 1 + grow 64 + 8192 + 3 consts + fill 16 + ceil(100/8) = 13.
    assert_eq!(constant(&w), 1 + 64 + 8192 + 3 + 16 + 13);
    assert_eq!(u128::from(measure(&w, &[]).0), constant(&w));
}

#[test]
fn unknown_arguments_to_parametric_callees_are_reported() {
    let w = contract(
        r#"(func $spin (param $n i32) (local $i i32)
            (block $done (loop $l
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))
           (func (export "call") (call $spin (i32.load (i32.add (call $size) (i32.const 8)))))"#,
    );
    let r = bound_of(&w, "call");
    let r = r.reason().unwrap();
    assert_eq!(r.kind, ReasonKind::Argument, "{r}");
}

#[test]
fn signed_counters_and_inclusive_limits() {
    // `i <= n` (signed) never ends when n is the largest i32: calldata_size could be.
    let forever = contract(
        r#"(func (export "call") (local $i i32) (local $n i32)
            (local.set $n (call $size))
            (block $done (loop $l
                (br_if $done (i32.gt_s (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    );
    assert_eq!(bound_of(&forever, "call").reason().unwrap().kind, ReasonKind::Loop);
    // Signed `<`, and `<=` a masked limit, are bounded.
    let lt = contract(
        r#"(func (export "call") (local $i i32) (local $n i32)
            (local.set $n (call $size))
            (block $done (loop $l
                (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    );
    let b = bound_of(&lt, "call");
    for n in [0usize, 1, 17] {
        let (used, _) = measure(&lt, &vec![0u8; n]);
        assert_eq!(Some(u128::from(used)), b.eval(&[(Var::CalldataSize, n as u128)]), "n = {n}");
    }
    let w = contract(
        r#"(func (export "call") (local $i i32) (local $n i32)
            (local.set $n (i32.and (call $size) (i32.const 0xffff)))
            (block $done (loop $l
                (br_if $done (i32.gt_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))"#,
    );
    // The mask bounds n by 65535: 65536 iterations of 9 at most, plus entry 13 and 2 for
    // the declared locals, and the last test 4; exact for calldata of 65535 bytes.
    let b = bound_of(&w, "call").constant().unwrap();
    assert_eq!(b, 15 + 65_536 * 9 + 4);
    for n in [0usize, 1, 17] {
        let (used, _) = measure(&w, &vec![0u8; n]);
        assert_eq!(u128::from(used), 15 + (n as u128 + 1) * 9 + 4, "n = {n}");
    }
}

#[test]
fn report_strings() {
    let w = contract(r#"(func (export "call") (loop $l (br $l)))"#);
    let r = bound_of(&w, "call");
    let s: String = r.reason().unwrap().to_string();
    assert!(s.starts_with("loop with no bounded trip count"), "{s}");
}

#[test]
fn random_contracts_are_bounded_and_the_bound_holds() {
    use crate::testkit::{calldata, random_contract, run, Rng};
    let mut rng = Rng::new(0x5eed);
    let mut runs = 0;
    for case in 0..60 {
        let src = random_contract(&mut rng);
        let w = wat(&src);
        let a = analyze(&w).unwrap();
        let b = match &a.export("call").unwrap().bound {
            Bound::Bounded(f) => f.clone(),
            Bound::Unbounded(r) => panic!("case {case}: unbounded: {r}\n{src}"),
        };
        for len in [0usize, 1, 5, 33, 64, 100] {
            let cd = calldata(&mut rng, len);
            let r = run(&w, &cd, GAS, false);
            assert!(r.status.is_success(), "case {case}: {:?}\n{src}", r.error);
            let used = u128::from(GAS - r.gas_left);
            let bound = b.eval(|v| (v == Var::CalldataSize).then_some(len as u128)).unwrap();
            assert!(used <= bound, "case {case}, calldata {len}: used {used} > bound {bound} ({b})\n{src}");
            runs += 1;
        }
    }
    assert_eq!(runs, 360);
}

/// A contract whose `call` reads a little-endian `u32` from calldata into local `$x`, then
/// runs `body`. `$x` goes through a rotation by zero, which the analysis does not follow: to
/// it `$x` is any value (not a named input).
fn with_x(body: &str) -> Vec<u8> {
    contract(&format!(
        r#"(func $spin (param $n i32) (local $i i32)
            (block $done (loop $l
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $l))))
           (func (export "call") (local $x i32) (local $n i32) (local $i i32)
            (call $copy (i32.const 0) (i32.const 0) (i32.const 4))
            (local.set $x (i32.rotl (i32.load (i32.const 0)) (i32.const 0)))
            {body})"#
    ))
}

/// Checks `w`'s bound against runs with `x` set to each of `xs`, and returns it.
fn bounded_for(w: &[u8], xs: &[u32]) -> u128 {
    let bound = constant(w);
    for x in xs {
        let (used, _) = measure(w, &x.to_le_bytes());
        assert!(u128::from(used) <= bound, "x = {x}: used {used} > bound {bound}");
    }
    bound
}

/// A loop limit computed from a value read from memory is bounded by a comparison of that
/// value made before the loop (the string getters' shape: `len > MAX` leaves, then
/// `(len + 31) / 32` words are read), and so is a callee's parameter built from it.
#[test]
fn facts_before_a_loop_bound_its_limit() {
    let words_loop = r#"
        (local.set $n (i32.shr_u (i32.add (local.get $x) (i32.const 31)) (i32.const 5)))
        (block $done (loop $l
            (br_if $done (i32.eq (local.get $i) (local.get $n)))
            (i32.store8 (local.get $i) (i32.const 1))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))"#;
    let checked = with_x(&format!("(if (i32.gt_u (local.get $x) (i32.const 4096)) (then (return))) {words_loop}"));
    let bound = bounded_for(&checked, &[0, 1, 31, 33, 4000, 4096, 4097, u32::MAX]);
    // 128 words at most: the bound is within one iteration (14 gas) of the longest run.
    let worst = u128::from(measure(&checked, &4096u32.to_le_bytes()).0);
    assert!(bound - worst <= 14, "bound {bound}, longest run {worst}");
    // Without the check nothing bounds the limit.
    let unchecked = with_x(words_loop);
    let r = bound_of(&unchecked, "call");
    assert_eq!(r.reason().expect("unbounded without the check").kind, ReasonKind::Loop);

    // A parameter `x + 1` after `x <= 50`: the callee's parametric bound applies.
    let call = with_x("(if (i32.gt_u (local.get $x) (i32.const 50)) (then (return))) (call $spin (i32.add (local.get $x) (i32.const 1)))");
    let bound = bounded_for(&call, &[0, 7, 50, 51, 1000]);
    assert_eq!(u128::from(measure(&call, &50u32.to_le_bytes()).0), bound);
}

/// `select(x, c, x <u c)` (`x.min(c)`, as LLVM writes it) is at most `c`.
#[test]
fn a_minimum_through_select_is_bounded() {
    let w = with_x(
        r#"(local.set $n (select (local.get $x) (i32.const 100) (i32.lt_u (local.get $x) (i32.const 100))))
           (call $spin (local.get $n))"#,
    );
    let bound = bounded_for(&w, &[0, 5, 99, 100, 1000, u32::MAX]);
    assert_eq!(u128::from(measure(&w, &1000u32.to_le_bytes()).0), bound);
    // The maximum is not bounded by it.
    let max = with_x(
        r#"(local.set $n (select (local.get $x) (i32.const 100) (i32.gt_u (local.get $x) (i32.const 100))))
           (call $spin (local.get $n))"#,
    );
    assert!(bound_of(&max, "call").reason().is_some());
}

/// A call that asks for more gas than any block holds (the SDKs' `i64::MAX`: all that may
/// be forwarded) forwards gas beyond the bound; a small request is part of the bound.
#[test]
fn calls_asking_for_all_gas_forward_it() {
    let module = |gas: &str| {
        wat(&format!(
            r#"(module
                (import "zkos" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
                (memory (export "memory") 1 2)
                (func (export "call")
                    (drop (call $call (i64.const {gas}) (i32.const 0) (i32.const 32) (i32.const 64) (i32.const 0)))))"#
        ))
    };
    let all = analyze(&module("9223372036854775807")).unwrap();
    let all = all.export("call").unwrap();
    assert!(all.forwards_gas);
    let own = all.bound.formula().and_then(|f| f.as_constant()).expect("a constant bound");
    assert!(own < 1_000_000, "{own}");
    let some = analyze(&module("5000")).unwrap();
    let some = some.export("call").unwrap();
    assert!(!some.forwards_gas);
    let with = some.bound.formula().and_then(|f| f.as_constant()).expect("a constant bound");
    assert_eq!(with, own + 5000);
}
