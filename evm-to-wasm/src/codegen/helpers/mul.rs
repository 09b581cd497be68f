//! MUL and EXP.

use super::f::{m64, Fb};
use crate::codegen::ctx::Ctx;
use crate::codegen::helpers::Helper;
use crate::codegen::layout::TMP_WORD;
use wasm_encoder::{BlockType, Function};

/// One row of the schoolbook product: `out[k] + x * y[j]` added into `out[k..]` for
/// `k = row + j`, the carry going up; `fresh` when the row's limbs of `out` are still unset
/// (the first row). The top limb only takes the low halves.
fn row(f: &mut Fb, x: u32, y: &[u32], out: [u32; 4], row: usize, fresh: bool, carry: u32) {
    let last = 3 - row;
    for (j, &yj) in y.iter().enumerate().take(last + 1) {
        let k = row + j;
        if j == last {
            // out[3] (+)= carry + low(x * y[j])
            if !fresh {
                f.i().local_get(out[3]);
            }
            f.i().local_get(x).local_get(yj).i64_mul();
            if j > 0 {
                f.i().local_get(carry).i64_add();
            }
            if !fresh {
                f.i().i64_add();
            }
            f.i().local_set(out[3]);
            return;
        }
        // (out[k], carry) = x * y[j] + out[k] + carry
        f.i().local_get(x).local_get(yj).i64_mul_wide_u();
        if !fresh {
            f.i().local_get(out[k]).i64_const(0).i64_add128();
        }
        if j > 0 {
            f.i().local_get(carry).i64_const(0).i64_add128();
        }
        f.i().local_set(carry).local_set(out[k]);
    }
}

/// Emits the 256-bit wrapping product of the values in locals `a` and `b` (four limbs each)
/// into the limbs `out`: six full 64×64 products (`i64.mul_wide_u`) summed with
/// `i64.add128` for the three low limbs, four low halves for the top limb. One row (three
/// full products) when either operand fits 64 bits.
fn emit_mul(f: &mut Fb, a: [u32; 4], b: [u32; 4], out: [u32; 4]) {
    let [carry] = f.i64s::<1>();
    let small = |f: &mut Fb, x: [u32; 4]| {
        f.i().local_get(x[1]).local_get(x[2]).i64_or().local_get(x[3]).i64_or().i64_eqz();
    };
    small(f, a);
    f.i().if_(BlockType::Empty);
    row(f, a[0], &b, out, 0, true, carry);
    f.i().else_();
    small(f, b);
    f.i().if_(BlockType::Empty);
    row(f, b[0], &a, out, 0, true, carry);
    f.i().else_();
    for (i, &ai) in a.iter().enumerate() {
        row(f, ai, &b, out, i, i == 0, carry);
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
        f.i().local_get(nb).i32_const(7).i32_add().i32_const(3).i32_shr_u().i64_extend_i32_s();
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
        f.i().i64_const(0).local_get(sh).i64_const(6).i64_shr_u().i64_const(j).i64_eq().i64_extend_i32_s().i64_sub();
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
    f.i().local_get(k).i32_const(63).i32_and().i64_extend_i32_s().i64_shr_u().i64_const(1).i64_and();
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
