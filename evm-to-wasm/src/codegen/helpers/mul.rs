//! MUL and EXP.

use super::f::{m64, Fb};
use crate::codegen::ctx::Ctx;
use crate::codegen::helpers::Helper;
use crate::codegen::layout::TMP_WORD;
use wasm_encoder::{BlockType, Function};

const M32: i64 = 0xffff_ffff;

/// Emits the 256-bit wrapping product of the values in locals `a` and `b` (four limbs each)
/// into the limbs `out`, using 32-bit digits so that every partial product fits 64 bits.
fn emit_mul(f: &mut Fb, a: [u32; 4], b: [u32; 4], out: [u32; 4]) {
    let ad = f.i64s::<8>();
    let bd = f.i64s::<8>();
    let r = f.i64s::<8>();
    let [t, c] = f.i64s::<2>();
    for (digits, limbs) in [(ad, a), (bd, b)] {
        for k in 0..8 {
            f.i().local_get(limbs[k / 2]);
            if k % 2 == 1 {
                f.i().i64_const(32).i64_shr_u();
            } else {
                f.i().i64_const(M32).i64_and();
            }
            f.i().local_set(digits[k]);
        }
    }
    for d in r {
        f.i().i64_const(0).local_set(d);
    }
    for i in 0..8 {
        f.i().i64_const(0).local_set(c);
        for j in 0..8 - i {
            // t = r[i+j] + a[i]*b[j] + c; r[i+j] = low 32 bits; c = high 32 bits.
            f.i().local_get(ad[i]).local_get(bd[j]).i64_mul().local_get(r[i + j]).i64_add();
            f.i().local_get(c).i64_add().local_tee(t).i64_const(M32).i64_and().local_set(r[i + j]);
            if i + j < 7 {
                f.i().local_get(t).i64_const(32).i64_shr_u().local_set(c);
            }
        }
    }
    for (k, o) in out.iter().enumerate() {
        f.i().local_get(r[2 * k]).local_get(r[2 * k + 1]).i64_const(32).i64_shl().i64_or().local_set(*o);
    }
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
