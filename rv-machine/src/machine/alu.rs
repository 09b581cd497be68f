//! Arithmetic with the exact RV64IM semantics, for the interpreter: sign extension, division
//! by zero and overflow, high multiplies, branch conditions.
//!
//! Casts here say what they do through the helpers' names: `sext_imm`, `sext32`, `signed`,
//! `low32`.

use super::predecode::XOp;

/// Sign-extends an immediate to 64 bits, as a register value.
#[inline(always)]
pub(crate) fn sext_imm(imm: i32) -> u64 {
    i64::from(imm) as u64
}

/// Sign-extends the low 32 bits of a result (what every `*w` instruction does).
#[inline(always)]
pub(crate) fn sext32(value: u64) -> u64 {
    value as u32 as i32 as i64 as u64
}

/// Reinterprets a register as signed.
#[inline(always)]
pub(crate) fn signed(value: u64) -> i64 {
    value as i64
}

/// The low 32 bits of a register.
#[inline(always)]
pub(crate) fn low32(value: u64) -> u32 {
    value as u32
}

pub(crate) fn div(a: u64, b: u64) -> u64 {
    if b == 0 {
        u64::MAX
    } else {
        signed(a).wrapping_div(signed(b)) as u64
    }
}

pub(crate) fn divu(a: u64, b: u64) -> u64 {
    a.checked_div(b).unwrap_or(u64::MAX)
}

pub(crate) fn rem(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        signed(a).wrapping_rem(signed(b)) as u64
    }
}

pub(crate) fn remu(a: u64, b: u64) -> u64 {
    a.checked_rem(b).unwrap_or(a)
}

pub(crate) fn divw(a: u64, b: u64) -> u64 {
    let (a, b) = (low32(a) as i32, low32(b) as i32);
    if b == 0 {
        u64::MAX
    } else {
        i64::from(a.wrapping_div(b)) as u64
    }
}

pub(crate) fn divuw(a: u64, b: u64) -> u64 {
    match low32(a).checked_div(low32(b)) {
        Some(q) => sext32(q.into()),
        None => u64::MAX,
    }
}

pub(crate) fn remw(a: u64, b: u64) -> u64 {
    let (a, b) = (low32(a) as i32, low32(b) as i32);
    if b == 0 {
        i64::from(a) as u64
    } else {
        i64::from(a.wrapping_rem(b)) as u64
    }
}

pub(crate) fn remuw(a: u64, b: u64) -> u64 {
    let (a, b) = (low32(a), low32(b));
    sext32(a.checked_rem(b).unwrap_or(a).into())
}

pub(crate) fn mulh(a: u64, b: u64) -> u64 {
    let p = i128::from(signed(a)) * i128::from(signed(b));
    (p >> 64) as u64
}

pub(crate) fn mulhsu(a: u64, b: u64) -> u64 {
    // |a| <= 2^63 and b < 2^64, so the product fits in an i128.
    let p = i128::from(signed(a)) * i128::from(b);
    (p >> 64) as u64
}

pub(crate) fn mulhu(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p >> 64) as u64
}

/// Whether the branch with this funct3 is taken.
pub(crate) fn branch_taken(funct3: u8, a: u64, b: u64) -> bool {
    match funct3 {
        0 => a == b,
        1 => a != b,
        4 => signed(a) < signed(b),
        5 => signed(a) >= signed(b),
        6 => a < b,
        _ => a >= b,
    }
}

/// The operation a branch funct3 stands for (for the histogram).
pub(crate) fn branch_op(funct3: u8) -> XOp {
    match funct3 {
        0 => XOp::Beq,
        1 => XOp::Bne,
        4 => XOp::Blt,
        5 => XOp::Bge,
        6 => XOp::Bltu,
        _ => XOp::Bgeu,
    }
}
