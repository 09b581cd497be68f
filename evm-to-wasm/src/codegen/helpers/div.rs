//! Division: DIV/MOD, SDIV/SMOD, ADDMOD and MULMOD.
//!
//! The general case is Knuth's algorithm D on 32-bit digits kept in scratch memory
//! (`udivrem`, after Hacker's Delight's `divmnu`): every partial product and the trial
//! quotient fit 64-bit WASM integers. Operands that fit 64 bits use `i64.div_u` directly.

use super::f::{m32, m64, Fb};
use super::mul::emit_bitlen;
use crate::codegen::ctx::Ctx;
use crate::codegen::helpers::Helper;
use crate::codegen::layout::{DIV_Q, DIV_R, DIV_U, DIV_V};
use wasm_encoder::{BlockType, Function, ValType};

const M32: i64 = 0xffff_ffff;
const E: BlockType = BlockType::Empty;

/// Pushes the address (index × 4) of digit `a + b` (locals; `b` optional).
fn idx(f: &mut Fb, a: u32, b: Option<u32>) {
    f.i().local_get(a);
    if let Some(b) = b {
        f.i().local_get(b).i32_add();
    }
    f.i().i32_const(2).i32_shl();
}

/// `udivrem(m, n)`: divides the m-digit number at DIV_U by the n-digit number at DIV_V
/// (top digit non-zero, n ≥ 1). The quotient goes to DIV_Q (m-n+1 digits), the remainder to
/// DIV_R (n digits; with m < n, DIV_R gets the first 8 digits of DIV_U). DIV_U needs room
/// for m + 1 digits and is clobbered, as is DIV_V.
pub fn udivrem(_: &Ctx) -> Function {
    let (m, n) = (0, 1);
    let mut f = Fb::new(2);
    let [j, i, jn] = f.i32s::<3>();
    let [s, rs, vtop, vsec, num, qhat, rhat, k, t, p, v0, rem] = f.i64s::<12>();

    // n == 1: short division.
    f.i().local_get(n).i32_const(1).i32_eq().if_(E);
    f.i().i32_const(0).i64_load32_u(m32(DIV_V)).local_set(v0);
    f.i().local_get(m).local_set(j);
    f.block().loop_();
    f.i().local_get(j).i32_eqz().br_if(1);
    f.i().local_get(j).i32_const(1).i32_sub().local_set(j);
    f.i().local_get(rem).i64_const(32).i64_shl();
    idx(&mut f, j, None);
    f.i().i64_load32_u(m32(DIV_U)).i64_or().local_set(num);
    idx(&mut f, j, None);
    f.i().local_get(num).local_get(v0).i64_div_u().i64_store32(m32(DIV_Q));
    f.i().local_get(num).local_get(v0).i64_rem_u().local_set(rem);
    f.i().br(0).end().end();
    f.i().i32_const(0).local_get(rem).i64_store32(m32(DIV_R));
    f.i().return_().end();

    // m < n: the remainder is the dividend.
    f.i().local_get(m).local_get(n).i32_lt_u().if_(E);
    for w in 0..4 {
        f.i().i32_const(0).i32_const(0).i64_load(m64(DIV_U + 8 * w)).i64_store(m64(DIV_R + 8 * w));
    }
    f.i().return_().end();

    // Normalize: shift left until the divisor's top digit has its high bit set.
    idx(&mut f, n, None);
    f.i().i32_load(m32(DIV_V - 4)).i32_clz().i64_extend_i32_u().local_set(s);
    f.i().i64_const(32).local_get(s).i64_sub().local_set(rs);
    for (base, len) in [(DIV_V, n), (DIV_U, m)] {
        if base == DIV_U {
            // U[m] = U[m-1] >> rs
            idx(&mut f, m, None);
            idx(&mut f, m, None);
            f.i().i64_load32_u(m32(DIV_U - 4)).local_get(rs).i64_shr_u().i64_store32(m32(DIV_U));
        }
        f.i().local_get(len).i32_const(1).i32_sub().local_set(i);
        f.block().loop_();
        f.i().local_get(i).i32_eqz().br_if(1);
        idx(&mut f, i, None);
        idx(&mut f, i, None);
        f.i().i64_load32_u(m32(base)).local_get(s).i64_shl();
        idx(&mut f, i, None);
        f.i().i64_load32_u(m32(base - 4)).local_get(rs).i64_shr_u().i64_or().i64_store32(m32(base));
        f.i().local_get(i).i32_const(1).i32_sub().local_set(i);
        f.i().br(0).end().end();
        f.i().i32_const(0).i32_const(0).i64_load32_u(m32(base)).local_get(s).i64_shl().i64_store32(m32(base));
    }
    idx(&mut f, n, None);
    f.i().i64_load32_u(m32(DIV_V - 4)).local_set(vtop);
    idx(&mut f, n, None);
    f.i().i64_load32_u(m32(DIV_V - 8)).local_set(vsec);

    // Main loop: j = m - n down to 0.
    f.i().local_get(m).local_get(n).i32_sub().local_set(j);
    f.block().loop_();
    f.i().local_get(j).local_get(n).i32_add().local_set(jn);
    idx(&mut f, jn, None);
    f.i().i64_load32_u(m32(DIV_U)).i64_const(32).i64_shl();
    idx(&mut f, jn, None);
    f.i().i64_load32_u(m32(DIV_U - 4)).i64_or().local_tee(num);
    f.i().local_get(vtop).i64_div_u().local_set(qhat);
    f.i().local_get(num).local_get(qhat).local_get(vtop).i64_mul().i64_sub().local_set(rhat);
    // while qhat >= b || qhat*vsec > b*rhat + U[jn-2]: qhat--, rhat += vtop (until rhat >= b)
    f.block().loop_();
    f.i().local_get(qhat).i64_const(32).i64_shr_u().i64_const(0).i64_ne();
    f.i().local_get(qhat).local_get(vsec).i64_mul().local_get(rhat).i64_const(32).i64_shl();
    idx(&mut f, jn, None);
    f.i().i64_load32_u(m32(DIV_U - 8)).i64_or().i64_gt_u().i32_or().i32_eqz().br_if(1);
    f.i().local_get(qhat).i64_const(1).i64_sub().local_set(qhat);
    f.i().local_get(rhat).local_get(vtop).i64_add().local_tee(rhat);
    f.i().i64_const(32).i64_shr_u().i64_eqz().br_if(0);
    f.i().end().end();
    // Multiply and subtract.
    f.i().i64_const(0).local_set(k).i32_const(0).local_set(i);
    f.block().loop_();
    f.i().local_get(i).local_get(n).i32_eq().br_if(1);
    f.i().local_get(qhat);
    idx(&mut f, i, None);
    f.i().i64_load32_u(m32(DIV_V)).i64_mul().local_set(p);
    idx(&mut f, i, Some(j));
    idx(&mut f, i, Some(j));
    f.i().i64_load32_u(m32(DIV_U)).local_get(k).i64_sub().local_get(p).i64_const(M32).i64_and().i64_sub();
    f.i().local_tee(t).i64_store32(m32(DIV_U));
    f.i().local_get(p).i64_const(32).i64_shr_u().local_get(t).i64_const(32).i64_shr_s().i64_sub().local_set(k);
    f.i().local_get(i).i32_const(1).i32_add().local_set(i);
    f.i().br(0).end().end();
    idx(&mut f, jn, None);
    idx(&mut f, jn, None);
    f.i().i64_load32_u(m32(DIV_U)).local_get(k).i64_sub().local_tee(t).i64_store32(m32(DIV_U));
    // Subtracted too much: add back.
    f.i().local_get(t).i64_const(0).i64_lt_s().if_(E);
    f.i().local_get(qhat).i64_const(1).i64_sub().local_set(qhat);
    f.i().i64_const(0).local_set(k).i32_const(0).local_set(i);
    f.block().loop_();
    f.i().local_get(i).local_get(n).i32_eq().br_if(1);
    idx(&mut f, i, Some(j));
    idx(&mut f, i, Some(j));
    f.i().i64_load32_u(m32(DIV_U));
    idx(&mut f, i, None);
    f.i().i64_load32_u(m32(DIV_V)).i64_add().local_get(k).i64_add().local_tee(t).i64_store32(m32(DIV_U));
    f.i().local_get(t).i64_const(32).i64_shr_u().local_set(k);
    f.i().local_get(i).i32_const(1).i32_add().local_set(i);
    f.i().br(0).end().end();
    idx(&mut f, jn, None);
    idx(&mut f, jn, None);
    f.i().i64_load32_u(m32(DIV_U)).local_get(k).i64_add().i64_store32(m32(DIV_U));
    f.i().end();
    idx(&mut f, j, None);
    f.i().local_get(qhat).i64_store32(m32(DIV_Q));
    f.i().local_get(j).i32_eqz().br_if(1);
    f.i().local_get(j).i32_const(1).i32_sub().local_set(j);
    f.i().br(0).end().end();

    // Remainder: unnormalize.
    f.i().i32_const(0).local_set(i);
    f.block().loop_();
    f.i().local_get(i).local_get(n).i32_const(1).i32_sub().i32_eq().br_if(1);
    idx(&mut f, i, None);
    idx(&mut f, i, None);
    f.i().i64_load32_u(m32(DIV_U)).local_get(s).i64_shr_u();
    idx(&mut f, i, None);
    f.i().i64_load32_u(m32(DIV_U + 4)).local_get(rs).i64_shl().i64_or().i64_store32(m32(DIV_R));
    f.i().local_get(i).i32_const(1).i32_add().local_set(i);
    f.i().br(0).end().end();
    idx(&mut f, i, None);
    idx(&mut f, i, None);
    f.i().i64_load32_u(m32(DIV_U)).local_get(s).i64_shr_u().i64_store32(m32(DIV_R));
    f.finish()
}

/// Stores the four limbs in locals `x` at `at`.
fn store(f: &mut Fb, at: u32, x: [u32; 4]) {
    for (w, l) in x.iter().enumerate() {
        f.i().i32_const(0).local_get(*l).i64_store(m64(at + 8 * w as u32));
    }
}

/// Zeroes `words` i64 words at `at`.
fn zero(f: &mut Fb, at: u32, words: u32) {
    for w in 0..words {
        f.i().i32_const(0).i64_const(0).i64_store(m64(at + 8 * w));
    }
}

/// Pushes the four limbs at `at`.
fn load(f: &mut Fb, at: u32) {
    for w in 0..4 {
        f.i().i32_const(0).i64_load(m64(at + 8 * w));
    }
}

/// Pushes the number of significant 32-bit digits of the value in locals `x`.
fn digits(f: &mut Fb, x: [u32; 4], tmp: u32) {
    emit_bitlen(f, x, tmp);
    f.i().i32_const(31).i32_add().i32_const(5).i32_shr_u();
}

/// Pushes whether the value in locals `x` is zero (i32).
fn is_zero(f: &mut Fb, x: [u32; 4]) {
    f.i().local_get(x[0]).local_get(x[1]).i64_or().local_get(x[2]).i64_or().local_get(x[3]).i64_or().i64_eqz();
}

/// Pushes whether all the given locals are zero (i32).
fn all_zero(f: &mut Fb, xs: &[u32]) {
    f.i().local_get(xs[0]);
    for x in &xs[1..] {
        f.i().local_get(*x).i64_or();
    }
    f.i().i64_eqz();
}

/// Pushes `a < b` (unsigned, locals).
fn lt(f: &mut Fb, a: [u32; 4], b: [u32; 4]) {
    f.i().local_get(a[0]).local_get(b[0]).i64_lt_u();
    for k in 1..4 {
        f.i().local_get(a[k]).local_get(b[k]).i64_eq().i32_and();
        f.i().local_get(a[k]).local_get(b[k]).i64_lt_u().i32_or();
    }
}

fn ret_zeros(f: &mut Fb, n: usize) {
    for _ in 0..n {
        f.i().i64_const(0);
    }
    f.i().return_();
}

/// `udivmod(a, b) -> (a / b, a % b)` (unsigned; b = 0 gives 0, 0).
pub fn udivmod(ctx: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let (a, b) = ([0, 1, 2, 3], [4, 5, 6, 7]);
    let [tmp] = f.i32s::<1>();
    is_zero(&mut f, b);
    f.if_();
    ret_zeros(&mut f, 8);
    f.i().end();
    all_zero(&mut f, &[1, 2, 3, 5, 6, 7]);
    f.if_();
    f.i().local_get(0).local_get(4).i64_div_u().i64_const(0).i64_const(0).i64_const(0);
    f.i().local_get(0).local_get(4).i64_rem_u().i64_const(0).i64_const(0).i64_const(0).return_().end();
    lt(&mut f, a, b);
    f.if_();
    f.i().i64_const(0).i64_const(0).i64_const(0).i64_const(0);
    f.i().local_get(0).local_get(1).local_get(2).local_get(3).return_().end();
    // Divisor below 2^32: short division over the eight 32-bit digits, in locals.
    all_zero(&mut f, &[5, 6, 7]);
    f.i().local_get(4).i64_const(32).i64_shr_u().i64_eqz().i32_and();
    f.if_();
    short_division(&mut f, a, 4);
    f.i().return_().end();
    // Divisor below 2^64: four 128/64-bit steps in locals.
    all_zero(&mut f, &[5, 6, 7]);
    f.if_();
    long_division_64(&mut f, a, 4);
    f.i().return_().end();
    store(&mut f, DIV_U, a);
    store(&mut f, DIV_V, b);
    zero(&mut f, DIV_Q, 4);
    zero(&mut f, DIV_R, 4);
    digits(&mut f, a, tmp);
    digits(&mut f, b, tmp);
    f.i().call(ctx.helper(Helper::UDivRem));
    load(&mut f, DIV_Q);
    load(&mut f, DIV_R);
    f.finish()
}

/// Pushes (q0, q1, q2, q3, r, 0, 0, 0) for `a / d` with `d` (local) below 2^32.
fn short_division(f: &mut Fb, a: [u32; 4], d: u32) {
    let [r, num] = f.i64s::<2>();
    let q = f.i64s::<8>();
    f.i().i64_const(0).local_set(r);
    for k in (0..8).rev() {
        // num = (r << 32) | digit k of a; q_k = num / d; r = num - q_k * d
        f.i().local_get(r).i64_const(32).i64_shl().local_get(a[k / 2]);
        if k % 2 == 1 {
            f.i().i64_const(32).i64_shr_u();
        } else {
            f.i().i64_const(M32).i64_and();
        }
        f.i().i64_or().local_tee(num).local_get(d).i64_div_u().local_tee(q[k]);
        f.i().local_get(d).i64_mul().local_set(r);
        f.i().local_get(num).local_get(r).i64_sub().local_set(r);
    }
    for k in 0..4 {
        f.i().local_get(q[2 * k + 1]).i64_const(32).i64_shl().local_get(q[2 * k]).i64_or();
    }
    f.i().local_get(r).i64_const(0).i64_const(0).i64_const(0);
}

/// Pushes (q0, q1, q2, q3, r, 0, 0, 0) for `a / d` with `d` (local) in [2^32, 2^64):
/// the divisor is normalized (top bit set), the dividend shifted alike into five limbs, and
/// each quotient limb comes from a 128/64-bit division done as two 64/32-bit quotient digits
/// with corrections (Hacker's Delight, `divlu`).
fn long_division_64(f: &mut Fb, a: [u32; 4], d: u32) {
    let [s, rs, v, vn1, vn0, r, u, q1, q0, rhat, un21, t] = f.i64s::<12>();
    let q = f.i64s::<4>();
    // s = clz(d); v = d << s; rs = 64 - s (shifting by 64 is done as two shifts)
    f.i().local_get(d).i64_clz().local_tee(s).i64_const(64).local_get(s).i64_sub().local_set(rs);
    f.i().local_get(d).local_get(s).i64_shl().local_tee(v).i64_const(32).i64_shr_u().local_set(vn1);
    f.i().local_get(v).i64_const(M32).i64_and().local_set(vn0);
    // r = a3 >> (64 - s) (zero when s = 0): the top limb of the shifted dividend, below v.
    let shr_rs = |f: &mut Fb, x: u32| {
        f.i().local_get(x).i64_const(1).i64_shr_u().local_get(rs).i64_const(1).i64_sub().i64_shr_u();
    };
    shr_rs(f, a[3]);
    f.i().local_set(r);
    for k in (0..4).rev() {
        // u = (a_k << s) | (a_{k-1} >> (64 - s)): the next shifted limb.
        f.i().local_get(a[k]).local_get(s).i64_shl();
        if k > 0 {
            shr_rs(f, a[k - 1]);
            f.i().i64_or();
        }
        f.i().local_set(u);
        // (q_k, r) = (r:u) / v, r < v.
        // q1 = r / vn1, rhat = r - q1 * vn1, corrected
        f.i().local_get(r).local_get(vn1).i64_div_u().local_tee(q1);
        f.i().local_get(vn1).i64_mul().local_set(t);
        f.i().local_get(r).local_get(t).i64_sub().local_set(rhat);
        correct(f, q1, rhat, vn0, vn1, u, true, t);
        // un21 = (r << 32) + (u >> 32) - q1 * v   (mod 2^64)
        f.i().local_get(r).i64_const(32).i64_shl().local_get(u).i64_const(32).i64_shr_u().i64_add();
        f.i().local_get(q1).local_get(v).i64_mul().i64_sub().local_set(un21);
        f.i().local_get(un21).local_get(vn1).i64_div_u().local_tee(q0);
        f.i().local_get(vn1).i64_mul().local_set(t);
        f.i().local_get(un21).local_get(t).i64_sub().local_set(rhat);
        correct(f, q0, rhat, vn0, vn1, u, false, t);
        // r = (un21 << 32) + (u & M32) - q0 * v; q_k = (q1 << 32) + q0
        f.i().local_get(un21).i64_const(32).i64_shl().local_get(u).i64_const(M32).i64_and().i64_add();
        f.i().local_get(q0).local_get(v).i64_mul().i64_sub().local_set(r);
        f.i().local_get(q1).i64_const(32).i64_shl().local_get(q0).i64_add().local_set(q[k]);
    }
    for x in q {
        f.i().local_get(x);
    }
    f.i().local_get(r).local_get(s).i64_shr_u().i64_const(0).i64_const(0).i64_const(0);
}

/// `divlu`'s correction loop for a quotient digit `qd` with remainder `rhat`: while
/// `qd >= 2^32 || qd * vn0 > (rhat << 32) + un`, decrement `qd` and add `vn1` to `rhat`
/// (stopping once `rhat >= 2^32`). `un` is the high (`high`) or low half of local `u`.
fn correct(f: &mut Fb, qd: u32, rhat: u32, vn0: u32, vn1: u32, u: u32, high: bool, t: u32) {
    f.block().loop_();
    f.i().local_get(qd).i64_const(32).i64_shr_u().i64_const(0).i64_ne();
    f.i().local_get(qd).local_get(vn0).i64_mul();
    f.i().local_get(rhat).i64_const(32).i64_shl().local_get(u);
    if high {
        f.i().i64_const(32).i64_shr_u();
    } else {
        f.i().i64_const(M32).i64_and();
    }
    f.i().i64_add().i64_gt_u().i32_or().i32_eqz().br_if(1);
    f.i().local_get(qd).i64_const(1).i64_sub().local_set(qd);
    f.i().local_get(rhat).local_get(vn1).i64_add().local_tee(t).local_set(rhat);
    f.i().local_get(t).i64_const(32).i64_shr_u().i64_eqz().br_if(0);
    f.i().end().end();
}

/// Negates the value in locals `x` in place when `mask` (an i64 local, 0 or -1) is -1.
fn cond_neg(f: &mut Fb, x: [u32; 4], mask: u32, c: u32, t: u32) {
    f.i().local_get(mask).i64_const(1).i64_and().local_set(c);
    for l in x {
        f.i().local_get(l).local_get(mask).i64_xor().local_get(c).i64_add().local_tee(t);
        f.i().local_get(c).i64_lt_u().i64_extend_i32_u().local_set(c);
        f.i().local_get(t).local_set(l);
    }
}

/// Shared body of SDIV (`rem` false) and SMOD.
fn signed(ctx: &Ctx, rem: bool) -> Function {
    let mut f = Fb::new(8);
    let (a, b) = ([0, 1, 2, 3], [4, 5, 6, 7]);
    let [sa, sb, c, t] = f.i64s::<4>();
    let r = f.i64s::<4>();
    f.i().local_get(3).i64_const(63).i64_shr_s().local_set(sa);
    f.i().local_get(7).i64_const(63).i64_shr_s().local_set(sb);
    cond_neg(&mut f, a, sa, c, t);
    cond_neg(&mut f, b, sb, c, t);
    for l in a.iter().chain(b.iter()) {
        f.i().local_get(*l);
    }
    f.i().call(ctx.helper(Helper::UDivMod));
    for l in r.iter().rev() {
        f.i().local_set(*l);
    }
    if rem {
        // Keep the remainder (on top), drop the quotient.
        f.i().drop().drop().drop().drop();
        cond_neg(&mut f, r, sa, c, t);
    } else {
        // r holds the remainder; the quotient is below it.
        for l in r.iter().rev() {
            f.i().local_set(*l);
        }
        f.i().local_get(sa).local_get(sb).i64_xor().local_set(sa);
        cond_neg(&mut f, r, sa, c, t);
    }
    for l in r {
        f.i().local_get(l);
    }
    f.finish()
}

/// `sdiv(a, b)`: signed division rounding toward zero (b = 0: 0; MIN / -1 = MIN).
pub fn sdiv(ctx: &Ctx) -> Function {
    signed(ctx, false)
}

/// `smod(a, b)`: signed remainder with the sign of `a` (b = 0: 0).
pub fn smod(ctx: &Ctx) -> Function {
    signed(ctx, true)
}

/// Divides the number at DIV_U (its significant digit count on the operand stack) by the
/// value in locals `nl` and pushes the remainder.
fn reduce(f: &mut Fb, ctx: &Ctx, nl: [u32; 4], tmp: u32) {
    let [m] = f.i32s::<1>();
    f.i().local_set(m);
    store(f, DIV_V, nl);
    zero(f, DIV_R, 4);
    f.i().local_get(m);
    digits(f, nl, tmp);
    f.i().call(ctx.helper(Helper::UDivRem));
    load(f, DIV_R);
}

/// `addmod(a, b, n) -> (a + b) mod n` with a 257-bit sum (n = 0: 0).
pub fn addmod(ctx: &Ctx) -> Function {
    let mut f = Fb::new(12);
    let (a, b, nl) = ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]);
    let s = f.i64s::<4>();
    let [c, t] = f.i64s::<2>();
    let [tmp] = f.i32s::<1>();
    is_zero(&mut f, nl);
    f.if_();
    ret_zeros(&mut f, 4);
    f.i().end();
    // s = a + b, carry c
    f.i().i64_const(0).local_set(c);
    for k in 0..4 {
        f.i().local_get(a[k]).local_get(b[k]).i64_add().local_tee(t).local_get(a[k]).i64_lt_u();
        f.i().local_get(t).local_get(c).i64_add().local_tee(s[k]).local_get(t).i64_lt_u();
        f.i().i32_or().i64_extend_i32_u().local_set(c);
    }
    f.i().local_get(c).i64_eqz().if_(E);
    lt(&mut f, s, nl);
    f.if_();
    for l in s {
        f.i().local_get(l);
    }
    f.i().return_().end();
    all_zero(&mut f, &[s[1], s[2], s[3], nl[1], nl[2], nl[3]]);
    f.if_();
    f.i().local_get(s[0]).local_get(nl[0]).i64_rem_u().i64_const(0).i64_const(0).i64_const(0).return_().end();
    f.i().end();
    store(&mut f, DIV_U, s);
    f.i().i32_const(0).local_get(c).i64_store(m64(DIV_U + 32));
    f.i().i32_const(9);
    digits(&mut f, s, tmp);
    f.i().local_get(c).i32_wrap_i64().select();
    reduce(&mut f, ctx, nl, tmp);
    f.finish()
}

/// `mulmod(a, b, n) -> (a * b) mod n` with a 512-bit product (n = 0: 0).
pub fn mulmod(ctx: &Ctx) -> Function {
    let mut f = Fb::new(12);
    let (a, b, nl) = ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]);
    let [m, tmp] = f.i32s::<2>();
    let [c] = f.i64s::<1>();
    is_zero(&mut f, nl);
    f.if_();
    ret_zeros(&mut f, 4);
    f.i().end();
    // Small operands: the product fits 64 bits.
    all_zero(&mut f, &[1, 2, 3, 5, 6, 7, 9, 10, 11]);
    f.i().local_get(0).local_get(4).i64_or().i64_const(32).i64_shr_u().i64_eqz().i32_and();
    f.if_();
    f.i().local_get(0).local_get(4).i64_mul().local_get(8).i64_rem_u();
    f.i().i64_const(0).i64_const(0).i64_const(0).return_().end();
    // Schoolbook product of the 64-bit limbs into DIV_U (8 limbs: 16 digits, little-endian)
    // with full products (`i64.mul_wide_u`) and 128-bit sums (`i64.add128`).
    let p = f.i64s::<8>();
    for i in 0..4 {
        for j in 0..4 {
            // (p[i+j], c) = a[i] * b[j] + p[i+j] + c, the first row without p, each row's first
            // column without c.
            f.i().local_get(a[i]).local_get(b[j]).i64_mul_wide_u();
            if i > 0 {
                f.i().local_get(p[i + j]).i64_const(0).i64_add128();
            }
            if j > 0 {
                f.i().local_get(c).i64_const(0).i64_add128();
            }
            f.i().local_set(c).local_set(p[i + j]);
        }
        f.i().local_get(c).local_set(p[i + 4]);
    }
    for (k, l) in p.iter().enumerate() {
        f.i().i32_const(0).local_get(*l).i64_store(m64(DIV_U + 8 * k as u32));
    }
    zero(&mut f, DIV_U + 64, 1);
    // m = significant digits of the product.
    f.i().i32_const(16).local_set(m);
    f.block().loop_();
    f.i().local_get(m).i32_eqz().br_if(1);
    idx(&mut f, m, None);
    f.i().i32_load(m32(DIV_U - 4)).br_if(1);
    f.i().local_get(m).i32_const(1).i32_sub().local_set(m);
    f.i().br(0).end().end();
    f.i().local_get(m).i32_eqz().if_(E);
    ret_zeros(&mut f, 4);
    f.i().end();
    f.i().local_get(m);
    reduce(&mut f, ctx, nl, tmp);
    let _ = ValType::I32;
    f.finish()
}
