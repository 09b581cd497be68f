//! SIGNEXTEND, BYTE and shifts by amounts known only at run time. Shifts store the value
//! next to zero (or sign) padding and read it back at a byte offset, then shift the bits
//! left over: every shift is four unaligned loads and a few ALU operations.

use super::f::{m64, Fb};
use crate::codegen::ctx::Ctx;
use crate::codegen::layout::{SAR_X, SHIFT_X, TMP_WORD};
use wasm_encoder::{BlockType, Function};

/// Pushes `(x >= 2^256-1 limbs' bound) ` test: whether the 256-bit value in locals 0..4 is at
/// least `bound` (< 2^63), as an i32.
fn at_least(f: &mut Fb, bound: i64) {
    f.i().local_get(1).local_get(2).i64_or().local_get(3).i64_or().i64_const(0).i64_ne();
    f.i().local_get(0).i64_const(bound).i64_ge_u().i32_or();
}

/// Stores limbs `x` (locals) at `at`.
fn store(f: &mut Fb, at: u32, x: [u32; 4]) {
    for (j, l) in x.iter().enumerate() {
        f.i().i32_const(at as i32).local_get(*l).i64_store(m64(8 * j as u32));
    }
}

/// `signextend(b, x)`: extends the sign of byte `b` of `x` (b ≥ 31: `x` unchanged).
pub fn signextend(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let [k, pos] = f.i32s::<2>();
    let [ext, fill] = f.i64s::<2>();
    let x = [4, 5, 6, 7];
    at_least(&mut f, 31);
    f.i().if_(BlockType::Empty);
    for l in x {
        f.i().local_get(l);
    }
    f.i().return_().end();
    // bit = 8b + 7; k = bit / 64; pos = bit % 64
    f.i().local_get(0).i32_wrap_i64().i32_const(3).i32_shl().i32_const(7).i32_add().local_tee(pos);
    f.i().i32_const(6).i32_shr_u().local_set(k);
    f.i().local_get(pos).i32_const(63).i32_and().local_set(pos);
    store(&mut f, TMP_WORD, x);
    f.i().local_get(k).i32_const(3).i32_shl().i64_load(m64(TMP_WORD));
    f.i().i64_const(63).local_get(pos).i64_extend_i32_u().i64_sub().local_tee(fill).i64_shl();
    f.i().local_get(fill).i64_shr_s().local_set(ext);
    f.i().local_get(ext).i64_const(63).i64_shr_s().local_set(fill);
    // Limb k becomes `ext`, the limbs above it `fill`; the result is read back from memory.
    f.i().local_get(k).i32_const(3).i32_shl().local_get(ext).i64_store(m64(TMP_WORD));
    for j in 1..4u32 {
        f.i().local_get(k).i32_const(j as i32).i32_lt_u().if_(BlockType::Empty);
        f.i().i32_const(0).local_get(fill).i64_store(m64(TMP_WORD + 8 * j)).end();
    }
    for j in 0..4u32 {
        f.i().i32_const(0).i64_load(m64(TMP_WORD + 8 * j));
    }
    f.finish()
}

/// `byte(i, x) -> byte`: byte `i` of `x`, counting from the most significant (i ≥ 32: 0).
pub fn byte(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    at_least(&mut f, 32);
    f.i().if_(BlockType::Empty).i64_const(0).return_().end();
    store(&mut f, SHIFT_X, [4, 5, 6, 7]);
    f.i().i32_const(31).local_get(0).i32_wrap_i64().i32_sub().i64_load8_u(m64(SHIFT_X));
    f.finish()
}

/// Shared body of SHR and SAR: `buf` holds the value followed by 64 bytes of fill.
/// (Here and in SHL the bit counts `r` and `rl` are below 64: their sign extension, free on
/// RV64, is their zero extension.)
fn right_shift(f: &mut Fb, buf: u32) {
    let [base, r, rl] = f.i32s::<3>();
    f.i().i32_const(buf as i32).local_get(0).i32_wrap_i64().i32_const(3).i32_shr_u().i32_add().local_set(base);
    f.i().local_get(0).i32_wrap_i64().i32_const(7).i32_and().local_set(r);
    f.i().i32_const(63).local_get(r).i32_sub().local_set(rl);
    for j in 0..4u32 {
        f.i().local_get(base).i64_load(m64(8 * j)).local_get(r).i64_extend_i32_s().i64_shr_u();
        f.i().local_get(base).i64_load(m64(8 * j + 8)).i64_const(1).i64_shl();
        f.i().local_get(rl).i64_extend_i32_s().i64_shl().i64_or();
    }
}

/// `shr(s, x) -> x >> s` (logical; s ≥ 256: 0).
pub fn shr(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    at_least(&mut f, 256);
    f.i().if_(BlockType::Empty).i64_const(0).i64_const(0).i64_const(0).i64_const(0).return_().end();
    store(&mut f, SHIFT_X, [4, 5, 6, 7]);
    right_shift(&mut f, SHIFT_X);
    f.finish()
}

/// `sar(s, x) -> x >> s` (arithmetic; s ≥ 256: all sign bits).
pub fn sar(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let [fill] = f.i64s::<1>();
    f.i().local_get(7).i64_const(63).i64_shr_s().local_set(fill);
    at_least(&mut f, 256);
    f.i().if_(BlockType::Empty);
    for _ in 0..4 {
        f.i().local_get(fill);
    }
    f.i().return_().end();
    store(&mut f, SAR_X, [4, 5, 6, 7]);
    store(&mut f, SAR_X + 32, [fill; 4]);
    store(&mut f, SAR_X + 64, [fill; 4]);
    right_shift(&mut f, SAR_X);
    f.finish()
}

/// `shl(s, x) -> x << s` (s ≥ 256: 0). The value is stored after 64 zero bytes.
pub fn shl(_: &Ctx) -> Function {
    let mut f = Fb::new(8);
    let [base, r, rl] = f.i32s::<3>();
    at_least(&mut f, 256);
    f.i().if_(BlockType::Empty).i64_const(0).i64_const(0).i64_const(0).i64_const(0).return_().end();
    store(&mut f, SHIFT_X, [4, 5, 6, 7]);
    // base = SHIFT_X - s/8 - 8: limb j is (load(base + 8 + 8j) << r) | (load(base + 8j) >> (64 - r))
    f.i().i32_const(SHIFT_X as i32 - 8).local_get(0).i32_wrap_i64().i32_const(3).i32_shr_u().i32_sub().local_set(base);
    f.i().local_get(0).i32_wrap_i64().i32_const(7).i32_and().local_set(r);
    f.i().i32_const(63).local_get(r).i32_sub().local_set(rl);
    for j in 0..4u32 {
        f.i().local_get(base).i64_load(m64(8 * j + 8)).local_get(r).i64_extend_i32_s().i64_shl();
        f.i().local_get(base).i64_load(m64(8 * j)).i64_const(1).i64_shr_u();
        f.i().local_get(rl).i64_extend_i32_s().i64_shr_u().i64_or();
    }
    f.finish()
}
