//! The wide-arithmetic proposal (issue 16, item 2): `i64.add128`, `i64.sub128`,
//! `i64.mul_wide_s` and `i64.mul_wide_u` in contracts, on both engines and in differential
//! mode, at the edge values (0, 1, `u64::MAX`, `i64::MIN`, `i64::MAX`, carries and borrows
//! across the halves). Operands come from calldata (registers), from constants (folded by the
//! compiler), mixed, and deep in the operand stack (homes in frame slots).

use wasm_runtime::engine::EngineKind;
use zkos_tests::{engine_tests, Chain};

const EDGES: [u64; 9] =
    [0, 1, 2, u64::MAX, u64::MAX - 1, i64::MIN as u64, i64::MAX as u64, 0xFFFF_FFFF, 0x9E37_79B9_7F4A_7C15];

/// What the four operators give for `a = a_hi:a_lo`, `b = b_hi:b_lo`: the sum, the
/// difference, and the signed and unsigned products of the low halves, low half first.
fn expected(a_lo: u64, a_hi: u64, b_lo: u64, b_hi: u64) -> [u64; 8] {
    let a = u128::from(a_lo) | (u128::from(a_hi) << 64);
    let b = u128::from(b_lo) | (u128::from(b_hi) << 64);
    let sum = a.wrapping_add(b);
    let diff = a.wrapping_sub(b);
    let ps = (i128::from(a_lo as i64) * i128::from(b_lo as i64)) as u128;
    let pu = u128::from(a_lo) * u128::from(b_lo);
    let halves = |x: u128| [x as u64, (x >> 64) as u64];
    let [s0, s1] = halves(sum);
    let [d0, d1] = halves(diff);
    let [p0, p1] = halves(ps);
    let [q0, q1] = halves(pu);
    [s0, s1, d0, d1, p0, p1, q0, q1]
}

/// The body that stores the eight results from offset 64 on, with the operands given by the
/// WAT expressions `a_lo`, `a_hi`, `b_lo`, `b_hi` and `depth` unrelated values below them on
/// the operand stack (dropped at the end).
fn compute(a: [&str; 2], b: [&str; 2], depth: usize) -> String {
    let [a_lo, a_hi] = a;
    let [b_lo, b_hi] = b;
    let mut s = String::new();
    for k in 0..depth {
        s += &format!("(i64.const {})\n", k + 100);
    }
    let ops = [
        format!("(i64.add128 {a_lo} {a_hi} {b_lo} {b_hi})"),
        format!("(i64.sub128 {a_lo} {a_hi} {b_lo} {b_hi})"),
        format!("(i64.mul_wide_s {a_lo} {b_lo})"),
        format!("(i64.mul_wide_u {a_lo} {b_lo})"),
    ];
    for (k, op) in ops.iter().enumerate() {
        // The high half is on top.
        s += &format!("{op} (local.set $hi) (local.set $lo)\n");
        s += &format!("(i64.store (i32.const {}) (local.get $lo))\n", 64 + 16 * k);
        s += &format!("(i64.store (i32.const {}) (local.get $hi))\n", 72 + 16 * k);
    }
    for _ in 0..depth {
        s += "(drop)\n";
    }
    s
}

/// A contract whose `call` reads four little-endian i64 from calldata (`a_lo a_hi b_lo
/// b_hi`) and returns the eight results; `pad` locals before the two it sets (which then
/// live in frame slots past the register locals).
fn from_calldata(depth: usize, pad: usize) -> String {
    let load = |k: usize| format!("(i64.load (i32.const {}))", 8 * k);
    let body = compute([&load(0), &load(1)], [&load(2), &load(3)], depth);
    let pads = "(local i64)".repeat(pad);
    format!(
        r#"(module
  (import "zkos" "calldata_copy" (func $cd (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "call") {pads} (local $lo i64) (local $hi i64)
    (call $cd (i32.const 0) (i32.const 0) (i32.const 32))
    {body}
    (call $finish (i32.const 64) (i32.const 64))))"#
    )
}

/// A contract computing the operators on constants (folded by the compiler).
fn from_constants(a: [u64; 2], b: [u64; 2]) -> String {
    let c = |x: u64| format!("(i64.const {})", x as i64);
    let body = compute([&c(a[0]), &c(a[1])], [&c(b[0]), &c(b[1])], 0);
    format!(
        r#"(module
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "call") (local $lo i64) (local $hi i64)
    {body}
    (call $finish (i32.const 64) (i32.const 64))))"#
    )
}

fn calldata(v: [u64; 4]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn words(out: &[u8]) -> Vec<u64> {
    out.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect()
}

/// Every pair of edge values, as low halves and with high halves that make the 128-bit sum
/// and difference carry and borrow, at stack depths that put the operands and results in
/// registers, across the register pool's end and in frame slots, with the locals taking the
/// halves in registers and in frame slots.
fn edge_values(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    for (depth, pad) in [(0, 0), (9, 0), (10, 0), (11, 0), (12, 0), (0, 20), (12, 20)] {
        let at = chain.deploy_wat(&from_calldata(depth, pad));
        for &x in &EDGES {
            for &y in &EDGES {
                for (a_hi, b_hi) in [(0, 0), (x, y), (u64::MAX, 1), (i64::MIN as u64, u64::MAX)] {
                    let v = [x, a_hi, y, b_hi];
                    let r = chain.call(at, &calldata(v));
                    assert!(r.success, "{v:x?} at depth {depth}, {pad} locals: {:?}", r.error);
                    assert_eq!(words(&r.output), expected(x, a_hi, y, b_hi), "{v:x?} at {depth}, {pad}");
                }
            }
        }
    }
}

/// Constant operands: folded by the compiler, the same results as computed at run time.
fn constant_operands(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let cases = [
        ([u64::MAX, 0], [1, 0]),
        ([u64::MAX, u64::MAX], [1, 0]),
        ([0, 0], [1, 0]),
        ([i64::MIN as u64, 5], [u64::MAX, 7]),
        ([u64::MAX, i64::MAX as u64], [u64::MAX, 1]),
    ];
    for (a, b) in cases {
        let at = chain.deploy_wat(&from_constants(a, b));
        let r = chain.call(at, &[]);
        assert!(r.success, "{a:x?} {b:x?}: {:?}", r.error);
        assert_eq!(words(&r.output), expected(a[0], a[1], b[0], b[1]), "{a:x?} {b:x?}");
    }
}

/// Mixed operands as rustc emits them: a 64-bit add with carry out (`add128 a 0 b 0`) and a
/// product by a constant.
fn mixed_operands(engine: EngineKind) {
    let src = r#"(module
  (import "zkos" "calldata_copy" (func $cd (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "call") (local $a i64) (local $b i64) (local $lo i64) (local $hi i64)
    (call $cd (i32.const 0) (i32.const 0) (i32.const 16))
    (local.set $a (i64.load (i32.const 0)))
    (local.set $b (i64.load (i32.const 8)))
    (i64.add128 (local.get $a) (i64.const 0) (local.get $b) (i64.const 0))
    (local.set $hi) (local.tee $lo) (drop)
    (i64.store (i32.const 64) (local.get $lo))
    (i64.store (i32.const 72) (local.get $hi))
    (i32.const 80)
    (i64.mul_wide_u (local.get $a) (i64.const -7046029254386353131))
    (local.set $hi)
    (i64.store)
    (i64.store (i32.const 88) (local.get $hi))
    (call $finish (i32.const 64) (i32.const 32))))"#;
    let mut chain = Chain::new(engine);
    let at = chain.deploy_wat(src);
    for &a in &EDGES {
        for &b in &EDGES {
            let r = chain.call(at, &calldata([a, b, 0, 0])[..16]);
            assert!(r.success, "{a:x} {b:x}: {:?}", r.error);
            let sum = u128::from(a) + u128::from(b);
            let p = u128::from(a) * u128::from(0x9E37_79B9_7F4A_7C15u64);
            let want = [sum as u64, (sum >> 64) as u64, p as u64, (p >> 64) as u64];
            assert_eq!(words(&r.output), want, "{a:x} {b:x}");
        }
    }
}

engine_tests!(edge_values, constant_operands, mixed_operands);
