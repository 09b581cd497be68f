//! MUL and EXP.

use super::f::{m64, Fb};
use crate::codegen::ctx::Ctx;
use crate::codegen::helpers::Helper;
use crate::codegen::layout::TMP_WORD;
use wasm_encoder::{BlockType, Function};

const M32: i64 = 0xffff_ffff;

/// 32-bit halves of a 64-bit local, computed once and shared by the products using it.
#[derive(Clone, Copy)]
struct Halves {
    lo: u32,
    hi: u32,
}

fn halves(f: &mut Fb, x: u32) -> Halves {
    let [lo, hi] = f.i64s::<2>();
    f.i().local_get(x).i64_const(M32).i64_and().local_set(lo);
    f.i().local_get(x).i64_const(32).i64_shr_u().local_set(hi);
    Halves { lo, hi }
}

/// Emits the full 128-bit product of two 64-bit values (from their halves) into `lo`, `hi`:
/// four 32×32 products whose sums fit 64 bits.
fn mul_wide(f: &mut Fb, x: Halves, y: Halves, lo: u32, hi: u32, t: u32) {
    // t = x.lo*y.lo; mid = (t >> 32) + (x.hi*y.lo & M32) + (x.lo*y.hi & M32)
    // hi = x.hi*y.hi + (x.hi*y.lo >> 32) + (x.lo*y.hi >> 32) + (mid >> 32)
    // lo = (mid << 32) | (t & M32)
    let [p10, p01] = [lo, hi];
    f.i().local_get(x.lo).local_get(y.lo).i64_mul().local_set(t);
    f.i().local_get(x.hi).local_get(y.lo).i64_mul().local_set(p10);
    f.i().local_get(x.lo).local_get(y.hi).i64_mul().local_set(p01);
    // hi part without the mid carry (uses p10, p01 before they are overwritten)
    f.i().local_get(x.hi).local_get(y.hi).i64_mul();
    f.i().local_get(p10).i64_const(32).i64_shr_u().i64_add();
    f.i().local_get(p01).i64_const(32).i64_shr_u().i64_add();
    // mid, leaving [hi_partial] on the stack
    f.i().local_get(t).i64_const(32).i64_shr_u();
    f.i().local_get(p10).i64_const(M32).i64_and().i64_add();
    f.i().local_get(p01).i64_const(M32).i64_and().i64_add().local_set(p10); // p10 := mid
    f.i().local_get(p10).i64_const(32).i64_shr_u().i64_add().local_set(hi);
    f.i().local_get(p10).i64_const(32).i64_shl().local_get(t).i64_const(M32).i64_and().i64_or().local_set(lo);
}

/// `acc += x`, counting the carry out into `carry` (when given).
fn add_to(f: &mut Fb, acc: u32, x: u32, carry: Option<u32>) {
    f.i().local_get(acc).local_get(x).i64_add().local_set(acc);
    if let Some(c) = carry {
        f.i().local_get(c).local_get(acc).local_get(x).i64_lt_u().i64_extend_i32_u().i64_add().local_set(c);
    }
}

/// Emits the 256-bit wrapping product of the values in locals `a` and `b` (four limbs each)
/// into the limbs `out`: six full 64×64 products for the three low limbs, four low halves
/// for the top limb. Fast paths when either operand fits 64 bits.
fn emit_mul(f: &mut Fb, a: [u32; 4], b: [u32; 4], out: [u32; 4]) {
    let [lo, hi, t, c1, c2] = f.i64s::<5>();
    let [small_a, small_b] = f.i32s::<2>();
    let or3 = |f: &mut Fb, x: [u32; 4]| {
        f.i().local_get(x[1]).local_get(x[2]).i64_or().local_get(x[3]).i64_or().i64_eqz();
    };
    or3(f, a);
    f.i().local_set(small_a);
    or3(f, b);
    f.i().local_set(small_b);
    let ha: [Halves; 3] = core::array::from_fn(|k| halves(f, a[k]));
    let hb: [Halves; 3] = core::array::from_fn(|k| halves(f, b[k]));
    // Both small: one wide product.
    f.i().local_get(small_a).local_get(small_b).i32_and().if_(BlockType::Empty);
    mul_wide(f, ha[0], hb[0], out[0], out[1], t);
    f.i().i64_const(0).local_set(out[2]).i64_const(0).local_set(out[3]);
    f.i().else_();
    // a small (swap when b is): out = a0 * (b0, b1, b2, b3)
    f.i().local_get(small_a).local_get(small_b).i32_or().if_(BlockType::Empty);
    let (x, y, y3) = (ha[0], hb, b[3]);
    let (x2, y2, y23) = (hb[0], ha, a[3]);
    for (x, y, y3, cond) in [(x, y, y3, true), (x2, y2, y23, false)] {
        if cond {
            f.i().local_get(small_a).if_(BlockType::Empty);
        } else {
            f.i().else_();
        }
        mul_wide(f, x, y[0], out[0], out[1], t);
        mul_wide(f, x, y[1], lo, hi, t);
        f.i().i64_const(0).local_set(c1);
        add_to(f, out[1], lo, Some(c1));
        f.i().local_get(hi).local_get(c1).i64_add().local_set(out[2]); // cannot overflow
        mul_wide(f, x, y[2], lo, hi, t);
        f.i().i64_const(0).local_set(c1);
        add_to(f, out[2], lo, Some(c1));
        // out3 = hi + c1 + low(x * y3)
        f.i().local_get(hi).local_get(c1).i64_add();
        f.i().local_get(x.hi).i64_const(32).i64_shl().local_get(x.lo).i64_or().local_get(y3).i64_mul();
        f.i().i64_add().local_set(out[3]);
    }
    f.i().end();
    f.i().else_();
    // General case.
    mul_wide(f, ha[0], hb[0], out[0], out[1], t);
    f.i().i64_const(0).local_set(c1).i64_const(0).local_set(c2).i64_const(0).local_set(out[2]);
    // column 1: lo(a0b1) + lo(a1b0); their highs go to column 2
    for (i, j) in [(0usize, 1usize), (1, 0)] {
        mul_wide(f, ha[i], hb[j], lo, hi, t);
        add_to(f, out[1], lo, Some(c1));
        add_to(f, out[2], hi, Some(c2));
    }
    // column 2: + c1 + lo(a0b2) + lo(a1b1) + lo(a2b0); the highs go to column 3
    add_to(f, out[2], c1, Some(c2));
    f.i().local_get(c2).local_set(out[3]);
    for (i, j) in [(0usize, 2usize), (1, 1), (2, 0)] {
        mul_wide(f, ha[i], hb[j], lo, hi, t);
        add_to(f, out[2], lo, Some(out[3]));
        add_to(f, out[3], hi, None);
    }
    // column 3: + low halves of a0b3, a1b2, a2b1, a3b0
    for (i, j) in [(0usize, 3usize), (1, 2), (2, 1), (3, 0)] {
        f.i().local_get(out[3]).local_get(a[i]).local_get(b[j]).i64_mul().i64_add().local_set(out[3]);
    }
    f.i().end();
    f.i().end();
}

/// `mul(a, b) -> a * b mod 2^256`.
pub fn mul(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let out = f.i64s::<4>();
    emit_mul(&mut f, [0, 1, 2, 3], [4, 5, 6, 7], out);
    for o in out {
        f.i().local_get(o);
    }
    f.finish()
}

/// Pushes the bit length (i32) of the value in limbs `x`.
pub fn emit_bitlen(f: &mut Fb, x: [u32; 4], tmp: u32) {
    f.i().i32_const(64).local_get(x[0]).i64_clz().i32_wrap_i64().i32_sub().local_set(tmp);
    for k in 1..4u32 {
        f.i().i32_const(64 * (k as i32 + 1)).local_get(x[k as usize]).i64_clz().i32_wrap_i64().i32_sub();
        f.i().local_get(tmp).local_get(x[k as usize]).i64_const(0).i64_ne().select().local_set(tmp);
    }
    f.i().local_get(tmp);
}

/// `exp(base, exponent) -> base ** exponent mod 2^256`, charging 50 gas per byte of the
/// exponent (the static 10 is charged by the block).
pub fn exp(ctx: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let r = f.i64s::<4>();
    let [nb, k, tmp] = f.i32s::<3>();
    let e = [4, 5, 6, 7];
    let b = [0, 1, 2, 3];
    emit_bitlen(&mut f, e, tmp);
    f.i().local_set(nb);
    f.charge(|f| {
        f.i().local_get(nb).i32_const(7).i32_add().i32_const(3).i32_shr_u().i64_extend_i32_u();
        f.i().i64_const(50).i64_mul();
    });
    f.i().i64_const(1).local_set(r[0]);
    f.i().local_get(nb).i32_eqz().if_(BlockType::Empty);
    f.i().i64_const(1).i64_const(0).i64_const(0).i64_const(0).return_().end();
    // A power-of-two base 2^k: the result is 1 << (k * exponent), zero from 256 bits on.
    let [k64, sh] = f.i64s::<2>();
    f.i().local_get(1).local_get(2).i64_or().local_get(3).i64_or().i64_eqz();
    f.i().local_get(0).i64_const(0).i64_ne().i32_and();
    f.i().local_get(0).local_get(0).i64_const(1).i64_sub().i64_and().i64_eqz().i32_and();
    f.i().if_(BlockType::Empty);
    f.i().local_get(0).i64_ctz().local_tee(k64).i64_eqz().if_(BlockType::Empty);
    f.i().i64_const(1).i64_const(0).i64_const(0).i64_const(0).return_().end();
    f.i().local_get(5).local_get(6).i64_or().local_get(7).i64_or().i64_const(0).i64_ne();
    f.i().local_get(4).i64_const(256).i64_ge_u().i32_or().if_(BlockType::Empty);
    f.i().i64_const(0).i64_const(0).i64_const(0).i64_const(0).return_().end();
    f.i().local_get(k64).local_get(4).i64_mul().local_tee(sh).i64_const(256).i64_ge_u().if_(BlockType::Empty);
    f.i().i64_const(0).i64_const(0).i64_const(0).i64_const(0).return_().end();
    for j in 0..4 {
        // limb j = (1 << (sh & 63)) if sh / 64 == j, else 0
        f.i().i64_const(1).local_get(sh).i64_shl();
        f.i().i64_const(0).local_get(sh).i64_const(6).i64_shr_u().i64_const(j).i64_eq().i64_extend_i32_u().i64_sub();
        f.i().i64_and();
    }
    f.i().return_().end();
    for (j, l) in e.iter().enumerate() {
        f.i().i32_const(TMP_WORD as i32).local_get(*l).i64_store(m64(8 * j as u32));
    }
    let mul = ctx.helper(Helper::Mul);
    f.block().loop_();
    // bit k of the exponent
    f.i().local_get(k).i32_const(6).i32_shr_u().i32_const(3).i32_shl().i64_load(m64(TMP_WORD));
    f.i().local_get(k).i32_const(63).i32_and().i64_extend_i32_u().i64_shr_u().i64_const(1).i64_and();
    f.i().i32_wrap_i64().if_(BlockType::Empty);
    for l in r.iter().chain(b.iter()) {
        f.i().local_get(*l);
    }
    f.i().call(mul);
    for l in r.iter().rev() {
        f.i().local_set(*l);
    }
    f.i().end();
    f.i().local_get(k).i32_const(1).i32_add().local_tee(k).local_get(nb).i32_eq().br_if(1);
    for l in b.iter().chain(b.iter()) {
        f.i().local_get(*l);
    }
    f.i().call(mul);
    for l in b.iter().rev() {
        f.i().local_set(*l);
    }
    f.i().br(0).end().end();
    for l in r {
        f.i().local_get(l);
    }
    f.finish()
}
