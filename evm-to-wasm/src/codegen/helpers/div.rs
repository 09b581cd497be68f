//! Division: DIV/MOD, SDIV/SMOD, ADDMOD and MULMOD.
//!
//! Knuth's algorithm D on 64-bit limbs held in locals, unrolled for each divisor length (one
//! to four limbs) and each dividend length the helpers need (four limbs for DIV, five for
//! ADDMOD's 257-bit sum, eight for MULMOD's 512-bit product). The divisor is normalized (its
//! top bit set) and each quotient digit comes from Möller and Granlund's division by an
//! invariant integer ("Improved division by invariant integers", 2011): the reciprocal of the
//! divisor's top limb (or top two limbs) is computed once, then every digit takes a few
//! 64×64→128-bit products (`i64.mul_wide_u`) and 128-bit sums (`i64.add128`, `i64.sub128`)
//! instead of a division: a 2-by-1 step for a one-limb divisor, a 3-by-2 step otherwise, whose
//! digit is exact for a two-limb divisor and at most one too large for longer ones (then the
//! divisor is added back once). Every digit costs the same bounded work whatever the operands.

use super::f::Fb;
use crate::codegen::ctx::Ctx;
use crate::codegen::helpers::Helper;
use wasm_encoder::{BlockType, Function};

const M32: i64 = 0xffff_ffff;
const E: BlockType = BlockType::Empty;

/// Scratch locals of a division (declared once per helper, hottest first so that the
/// compiler keeps them in registers).
struct Tmp {
    /// The reciprocal of the normalized divisor's top limb(s).
    rcp: u32,
    /// The current quotient digit.
    qh: u32,
    /// General scratch.
    x: [u32; 8],
    /// Normalization shift `s` (the divisor's leading zeros) and `63 - s`.
    s: u32,
    rs: u32,
}

impl Tmp {
    fn new(f: &mut Fb) -> Self {
        let [qh, x0, x1, rcp] = f.i64s::<4>();
        let [x2, x3, x4, x5, x6, x7, s, rs] = f.i64s::<8>();
        let x = [x0, x1, x2, x3, x4, x5, x6, x7];
        Tmp { rcp, qh, x, s, rs }
    }
}

/// `q -= 1` or `q += 1`.
fn step(f: &mut Fb, q: u32, by: i64) {
    f.i().local_get(q).i64_const(by).i64_add().local_set(q);
}

/// Sets `v` to the reciprocal of the normalized (top bit set) limb `d`:
/// `floor((2^128 - 1) / d) - 2^64`, the quotient of `(!d, 2^64 - 1)` by `d`, computed as two
/// 64/32-bit quotient digits with corrections (Hacker's Delight's `divlu`; `!d < d`, so it
/// fits 64 bits).
fn emit_reciprocal(f: &mut Fb, d: u32, v: u32, x: [u32; 8]) {
    let [vn1, vn0, q1, q0, rhat, un21, ones, t] = x;
    f.i().local_get(d).i64_const(32).i64_shr_u().local_set(vn1);
    f.i().local_get(d).i64_const(M32).i64_and().local_set(vn0);
    f.i().i64_const(-1).local_set(ones);
    // q1 = !d / vn1, rhat = !d - q1 * vn1, corrected against the next 32 bits (all ones)
    f.i().local_get(d).i64_const(-1).i64_xor().local_get(vn1).i64_div_u().local_set(q1);
    f.i().local_get(d).i64_const(-1).i64_xor().local_get(q1).local_get(vn1).i64_mul().i64_sub().local_set(rhat);
    correct(f, q1, rhat, vn0, vn1, ones, true, t);
    // un21 = (!d << 32) + 2^32 - 1 - q1 * d   (mod 2^64)
    f.i().local_get(d).i64_const(-1).i64_xor().i64_const(32).i64_shl().i64_const(M32).i64_or();
    f.i().local_get(q1).local_get(d).i64_mul().i64_sub().local_set(un21);
    f.i().local_get(un21).local_get(vn1).i64_div_u().local_set(q0);
    f.i().local_get(un21).local_get(q0).local_get(vn1).i64_mul().i64_sub().local_set(rhat);
    correct(f, q0, rhat, vn0, vn1, ones, false, t);
    f.i().local_get(q1).i64_const(32).i64_shl().local_get(q0).i64_or().local_set(v);
}

/// `divlu`'s correction loop for a quotient digit `qd` with remainder `rhat`: while
/// `qd >= 2^32 || qd * vn0 > (rhat << 32) + un`, decrement `qd` and add `vn1` to `rhat`
/// (stopping once `rhat >= 2^32`). `un` is the high (`high`) or low half of local `u`. It
/// runs at most twice.
#[allow(clippy::too_many_arguments)]
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

/// Sets `v` to the reciprocal of the normalized two-limb divisor `(d1, d0)`:
/// `floor((2^192 - 1) / (d1, d0)) - 2^64` (Möller and Granlund, algorithm 6), from the
/// reciprocal of `d1` with at most four corrections.
fn emit_reciprocal_3by2(f: &mut Fb, d1: u32, d0: u32, v: u32, x: [u32; 8]) {
    emit_reciprocal(f, d1, v, x);
    let [p, t0, t1, ..] = x;
    // p = d1 * v + d0 (mod 2^64); on a carry, v -= 1 (twice when p >= d1), p -= d1 alike.
    f.i().local_get(d1).local_get(v).i64_mul().local_get(d0).i64_add().local_tee(p);
    f.i().local_get(d0).i64_lt_u().if_(E);
    step(f, v, -1);
    f.i().local_get(p).local_get(d1).i64_ge_u().if_(E);
    step(f, v, -1);
    f.i().local_get(p).local_get(d1).i64_sub().local_set(p);
    f.i().end();
    f.i().local_get(p).local_get(d1).i64_sub().local_set(p);
    f.i().end();
    // (t1, t0) = v * d0; p += t1; on a carry, v -= 1 (twice when (p, t0) >= (d1, d0)).
    f.i().local_get(v).local_get(d0).i64_mul_wide_u().local_set(t1).local_set(t0);
    f.i().local_get(p).local_get(t1).i64_add().local_tee(p).local_get(t1).i64_lt_u().if_(E);
    step(f, v, -1);
    ge128(f, p, t0, d1, d0);
    f.i().if_(E);
    step(f, v, -1);
    f.i().end();
    f.i().end();
}

/// Pushes `(a1, a0) >= (b1, b0)` (i32).
fn ge128(f: &mut Fb, a1: u32, a0: u32, b1: u32, b0: u32) {
    f.i().local_get(a1).local_get(b1).i64_gt_u();
    f.i().local_get(a1).local_get(b1).i64_eq().local_get(a0).local_get(b0).i64_ge_u().i32_and();
    f.i().i32_or();
}

/// `(q, r) = (u1, u0) / d` for a normalized `d` with reciprocal `v` and `u1 < d`
/// (Möller and Granlund, algorithm 4). `r` may be `u1`; `q` and `t` are other locals.
#[allow(clippy::too_many_arguments)]
fn emit_2by1(f: &mut Fb, u1: u32, u0: u32, d: u32, v: u32, q: u32, r: u32, t: u32) {
    // (q, t) = v * u1 + (u1, u0); q += 1
    f.i().local_get(v).local_get(u1).i64_mul_wide_u().local_get(u0).local_get(u1).i64_add128();
    f.i().local_set(q).local_set(t);
    // r = u0 - q * d  (mod 2^64)
    f.i().local_get(u0).local_get(q).i64_const(1).i64_add().local_tee(q).local_get(d).i64_mul().i64_sub().local_tee(r);
    // r > t: q -= 1, r += d; then (rarely) r >= d: q += 1, r -= d
    f.i().local_get(t).i64_gt_u().if_(E);
    step(f, q, -1);
    f.i().local_get(r).local_get(d).i64_add().local_set(r);
    f.i().end();
    f.i().local_get(r).local_get(d).i64_ge_u().if_(E);
    step(f, q, 1);
    f.i().local_get(r).local_get(d).i64_sub().local_set(r);
    f.i().end();
}

/// `(q, (u1, u0)) = (u2, u1, u0) / (d1, d0)` in place: the remainder replaces `u1` and `u0`,
/// for a normalized divisor with reciprocal `v` (from [`emit_reciprocal_3by2`]) and
/// `(u2, u1) < (d1, d0)` (Möller and Granlund, algorithm 5). `q` and `t` are other locals.
#[allow(clippy::too_many_arguments)]
fn emit_3by2(f: &mut Fb, u2: u32, u1: u32, u0: u32, d1: u32, d0: u32, v: u32, q: u32, t: u32) {
    // (q, t) = v * u2 + (u2, u1)
    f.i().local_get(v).local_get(u2).i64_mul_wide_u().local_get(u1).local_get(u2).i64_add128();
    f.i().local_set(q).local_set(t);
    // r1 = u1 - q * d1 (mod 2^64); (r1, r0) = (r1, u0) - d0 * q - (d1, d0)
    f.i().local_get(u1).local_get(q).local_get(d1).i64_mul().i64_sub().local_set(u1);
    f.i().local_get(u0).local_get(u1).local_get(d0).local_get(q).i64_mul_wide_u().i64_sub128();
    f.i().local_get(d0).local_get(d1).i64_sub128().local_set(u1).local_set(u0);
    // q += 1, unless r1 >= t: then r += d instead
    f.i().local_get(u1).local_get(t).i64_ge_u().if_(E);
    f.i().local_get(u0).local_get(u1).local_get(d0).local_get(d1).i64_add128().local_set(u1).local_set(u0);
    f.i().else_();
    step(f, q, 1);
    f.i().end();
    // (rarely) r >= d: q += 1, r -= d; r1 < d1 settles it in one comparison
    f.i().local_get(u1).local_get(d1).i64_ge_u().if_(E);
    ge128(f, u1, u0, d1, d0);
    f.i().if_(E);
    step(f, q, 1);
    f.i().local_get(u0).local_get(u1).local_get(d0).local_get(d1).i64_sub128().local_set(u1).local_set(u0);
    f.i().end();
    f.i().end();
}

/// `u -= q * v` over `v.len()` limbs (`u` as long as `v`), leaving the borrow out of the top
/// limb in `b` (below 2^64: `q * v + b < 2^64 · 2^(64·len)`).
fn emit_submul(f: &mut Fb, u: &[u32], v: &[u32], q: u32, b: u32) {
    for (i, (&ui, &vi)) in u.iter().zip(v).enumerate() {
        // (u_i, h) = (u_i, 0) - (v_i * q + b): h is minus the borrow out
        f.i().local_get(ui).i64_const(0).local_get(vi).local_get(q).i64_mul_wide_u();
        if i > 0 {
            f.i().local_get(b).i64_const(0).i64_add128();
        }
        f.i().i64_sub128().local_set(b).local_set(ui);
        f.i().i64_const(0).local_get(b).i64_sub().local_set(b);
    }
}

/// `u += v` over `v.len()` limbs (three or four), the carry out dropped: the low two limbs
/// as one 128-bit sum, whose carry (the sum below the addend) goes into the high limbs.
fn emit_add_back(f: &mut Fb, u: &[u32], v: &[u32]) {
    f.i().local_get(u[0]).local_get(u[1]).local_get(v[0]).local_get(v[1]).i64_add128().local_set(u[1]).local_set(u[0]);
    // carry = (u1, u0) < (v1, v0)
    f.i().local_get(u[1]).local_get(v[1]).i64_lt_u();
    f.i().local_get(u[1]).local_get(v[1]).i64_eq().local_get(u[0]).local_get(v[0]).i64_lt_u().i32_and().i32_or();
    if v.len() == 4 {
        f.i()
            .local_get(u[2])
            .local_get(u[3])
            .local_get(v[2])
            .local_get(v[3])
            .i64_add128()
            .local_set(u[3])
            .local_set(u[2]);
        f.i().if_(E);
        f.i().local_get(u[2]).local_get(u[3]).i64_const(1).i64_const(0).i64_add128().local_set(u[3]).local_set(u[2]);
        f.i().end();
    } else {
        f.i().local_get(u[2]).local_get(v[2]).i64_add().local_set(u[2]);
        f.i().if_(E);
        step(f, u[2], 1);
        f.i().end();
    }
}

/// Pushes `(x >> 1) >> rs`, which is `x >> (64 - s)`, zero for `s = 0`.
fn shr_rest(f: &mut Fb, x: u32, rs: u32) {
    f.i().local_get(x).i64_const(1).i64_shr_u().local_get(rs).i64_shr_u();
}

/// Shifts the limbs `x` left by `s`, the bits out of the top going to `top` when given.
fn shift_left(f: &mut Fb, x: &[u32], top: Option<u32>, s: u32, rs: u32) {
    let n = x.len();
    if let Some(top) = top {
        shr_rest(f, x[n - 1], rs);
        f.i().local_set(top);
    }
    for k in (1..n).rev() {
        f.i().local_get(x[k]).local_get(s).i64_shl();
        shr_rest(f, x[k - 1], rs);
        f.i().i64_or().local_set(x[k]);
    }
    f.i().local_get(x[0]).local_get(s).i64_shl().local_set(x[0]);
}

/// Emits the division of the value in limbs `u[..u.len() - 1]` (the last local spare) by the
/// `v.len()`-limb divisor in `v` (top limb non-zero, not longer than the dividend): quotient
/// digit `j` goes to `q[j]` when `q` is given (digits past `u.len() - 1 - v.len()` are left
/// alone), the remainder to `u[..4]`. Clobbers `v`.
fn divide(f: &mut Fb, u: &[u32], v: &[u32], q: Option<&[u32]>, t: &Tmp) {
    let (ulen, n) = (u.len() - 1, v.len());
    let digit = |j: usize| q.map_or(t.qh, |q| q[j]);
    // Normalize: shift both so that the divisor's top bit is set (the shifts held in the
    // digit's and first scratch local meanwhile, which are registers, then kept for the end).
    let (s, rs) = (t.qh, t.x[0]);
    f.i().local_get(v[n - 1]).i64_clz().local_tee(s).i64_const(63).i64_xor().local_set(rs);
    shift_left(f, v, None, s, rs);
    shift_left(f, &u[..ulen], Some(u[ulen]), s, rs);
    f.i().local_get(s).local_set(t.s).local_get(rs).local_set(t.rs);
    match n {
        1 => {
            emit_reciprocal(f, v[0], t.rcp, t.x);
            // The remainder runs down in the top limb.
            let r = u[ulen];
            for j in (0..ulen).rev() {
                emit_2by1(f, r, u[j], v[0], t.rcp, digit(j), r, t.x[0]);
            }
            f.i().local_get(r).local_set(u[0]);
        }
        2 => {
            emit_reciprocal_3by2(f, v[1], v[0], t.rcp, t.x);
            for j in (0..ulen - 1).rev() {
                emit_3by2(f, u[j + 2], u[j + 1], u[j], v[1], v[0], t.rcp, digit(j), t.x[0]);
            }
        }
        _ => {
            emit_reciprocal_3by2(f, v[n - 1], v[n - 2], t.rcp, t.x);
            let [aux, b, ..] = t.x;
            for j in (0..=ulen - n).rev() {
                let (u2, u1, u0) = (u[j + n], u[j + n - 1], u[j + n - 2]);
                let qd = digit(j);
                // Top limbs equal to the divisor's: the digit is 2^64 - 1, exact. Otherwise the
                // digit of the top three limbs by the top two, remainder in (u1, u0); then the
                // rest of the product, its borrow taken from (u1, u0).
                f.block().block();
                f.i().local_get(u2).local_get(v[n - 1]).i64_ne().br_if(0);
                f.i().local_get(u1).local_get(v[n - 2]).i64_ne().br_if(0);
                f.i().i64_const(-1).local_set(qd);
                emit_submul(f, &u[j..j + n], v, qd, b);
                f.i().br(1).end();
                emit_3by2(f, u2, u1, u0, v[n - 1], v[n - 2], t.rcp, qd, aux);
                emit_submul(f, &u[j..j + n - 2], &v[..n - 2], qd, b);
                // (u1, u0) -= b; below zero (u1 = 0, u0 < b): the digit was one too large.
                f.i().local_get(u0).local_get(b).i64_lt_u();
                f.i().local_get(u0).local_get(b).i64_sub().local_set(u0);
                f.i().if_(E);
                f.i().local_get(u1).i64_eqz();
                step(f, u1, -1);
                f.i().if_(E);
                step(f, qd, -1);
                emit_add_back(f, &u[j..j + n], v);
                f.i().end();
                f.i().end();
                f.i().end();
            }
        }
    }
    // Unnormalize the remainder; the limbs above it are zero.
    for k in 0..n - 1 {
        f.i().local_get(u[k]).local_get(t.s).i64_shr_u();
        f.i().local_get(u[k + 1]).i64_const(1).i64_shl().local_get(t.rs).i64_shl().i64_or().local_set(u[k]);
    }
    f.i().local_get(u[n - 1]).local_get(t.s).i64_shr_u().local_set(u[n - 1]);
    for &l in &u[n..4] {
        f.i().i64_const(0).local_set(l);
    }
}

/// Divides by the divisor in `v` (four limbs, not zero) with [`divide`], unrolled for each
/// length of the divisor.
fn divide_any(f: &mut Fb, u: &[u32], v: [u32; 4], q: Option<&[u32]>, t: &Tmp) {
    // if v3 != 0 { 4 } else if v2 != 0 { 3 } else if v1 != 0 { 2 } else { 1 }
    for n in (2..=4).rev() {
        f.i().local_get(v[n - 1]).i64_const(0).i64_ne().if_(E);
        divide(f, u, &v[..n], q, t);
        f.i().else_();
    }
    divide(f, u, &v[..1], q, t);
    f.i().end().end().end();
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

fn push(f: &mut Fb, xs: &[u32]) {
    for &x in xs {
        f.i().local_get(x);
    }
}

/// `udivmod(a, b) -> (a / b, a % b)` (unsigned; b = 0 gives 0, 0).
pub fn udivmod(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let (a, b) = ([0, 1, 2, 3], [4, 5, 6, 7]);
    let [top] = f.i64s::<1>();
    let t = Tmp::new(&mut f);
    let q = f.i64s::<4>();
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
    push(&mut f, &a);
    f.i().return_().end();
    // A divisor below 2^32: schoolbook short division on 32-bit digits, each a 64/32-bit
    // `i64.div_u`, cheaper than a reciprocal.
    all_zero(&mut f, &[5, 6, 7]);
    f.i().local_get(4).i64_const(32).i64_shr_u().i64_eqz().i32_and();
    f.if_();
    short_division(&mut f, a, 4, top, t.qh, t.x);
    f.i().return_().end();
    let u = [a[0], a[1], a[2], a[3], top];
    divide_any(&mut f, &u, b, Some(&q), &t);
    push(&mut f, &q);
    push(&mut f, &a);
    f.finish()
}

/// Pushes (q0, q1, q2, q3, r, 0, 0, 0) for `a / d` with `d` (local) below 2^32, with the
/// scratch locals `r`, `num` and the digits `q`.
fn short_division(f: &mut Fb, a: [u32; 4], d: u32, r: u32, num: u32, q: [u32; 8]) {
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

/// Negates the value in locals `x` in place when `mask` (an i64 local, 0 or -1) is -1.
fn cond_neg(f: &mut Fb, x: [u32; 4], mask: u32, c: u32, t: u32) {
    f.i().local_get(mask).i64_const(1).i64_and().local_set(c);
    for l in x {
        f.i().local_get(l).local_get(mask).i64_xor().local_get(c).i64_add().local_tee(t);
        f.i().local_get(c).i64_lt_u().i64_extend_i32_s().local_set(c); // 0 or 1
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
    push(&mut f, &a);
    push(&mut f, &b);
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
    push(&mut f, &r);
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

/// `x += y` (four limbs), the carry out in `c`.
fn add_into(f: &mut Fb, x: [u32; 4], y: [u32; 4], c: u32) {
    for k in 0..4 {
        f.i().local_get(x[k]).i64_const(0).local_get(y[k]).i64_const(0).i64_add128();
        if k > 0 {
            f.i().local_get(c).i64_const(0).i64_add128();
        }
        f.i().local_set(c).local_set(x[k]);
    }
}

/// `x -= y` (four limbs, wrapping); `c` is scratch.
fn sub_into(f: &mut Fb, x: [u32; 4], y: [u32; 4], c: u32) {
    for k in 0..4 {
        // (x_k, c) = x_k - y_k + c, with the borrow c as 0 or -1 (sign-extended)
        f.i().local_get(x[k]).i64_const(0).local_get(y[k]).i64_const(0).i64_sub128();
        if k > 0 {
            f.i().local_get(c).local_get(c).i64_add128();
        }
        f.i().local_set(c).local_set(x[k]);
    }
}

/// `addmod(a, b, n) -> (a + b) mod n` with a 257-bit sum (n = 0: 0). Operands already below
/// the modulus (the usual case) need one conditional subtraction; others divide the sum.
pub fn addmod(_: &Ctx) -> Function {
    let mut f = Fb::new(12);
    let (a, b, nl) = ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]);
    let [c, top] = f.i64s::<2>();
    let t = Tmp::new(&mut f);
    is_zero(&mut f, nl);
    f.if_();
    ret_zeros(&mut f, 4);
    f.i().end();
    // a, b < n: a + b < 2n, so the sum less n when it is not below n.
    lt(&mut f, a, nl);
    lt(&mut f, b, nl);
    f.i().i32_and().if_(E);
    add_into(&mut f, a, b, c);
    f.i().local_get(c).i32_wrap_i64();
    lt(&mut f, a, nl);
    f.i().i32_eqz().i32_or().if_(E);
    sub_into(&mut f, a, nl, c);
    f.i().end();
    push(&mut f, &a);
    f.i().return_().end();
    add_into(&mut f, a, b, c);
    let u = [a[0], a[1], a[2], a[3], c, top];
    divide_any(&mut f, &u, nl, None, &t);
    push(&mut f, &a);
    f.finish()
}

/// `mulmod(a, b, n) -> (a * b) mod n` with a 512-bit product (n = 0: 0).
pub fn mulmod(_: &Ctx) -> Function {
    let mut f = Fb::new(12);
    let (a, b, nl) = ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]);
    let [top] = f.i64s::<1>();
    let t = Tmp::new(&mut f);
    // The product's limbs and carry live in scratch locals that the division needs only
    // later, the most used of them in registers.
    let x = t.x;
    let p = [x[2], x[3], t.qh, x[0], x[1], x[4], x[5], x[6]];
    let c = top;
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
    // Schoolbook product of the 64-bit limbs with full products (`i64.mul_wide_u`) and
    // 128-bit sums (`i64.add128`).
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
    // Below the modulus: the product itself.
    all_zero(&mut f, &p[4..]);
    lt(&mut f, [p[0], p[1], p[2], p[3]], nl);
    f.i().i32_and().if_(E);
    push(&mut f, &p[..4]);
    f.i().return_().end();
    // The division runs on the first locals (kept in registers): the product moves to the
    // operands' places.
    let u = [0, 1, 2, 3, 4, 5, 6, 7, top];
    for (&d, &s) in u.iter().zip(&p) {
        f.i().local_get(s).local_set(d);
    }
    divide_any(&mut f, &u, nl, None, &t);
    push(&mut f, &u[..4]);
    f.finish()
}
