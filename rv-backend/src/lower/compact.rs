//! The fast path's decoder: the operators of the deterministic subset read straight from a
//! function body's bytes into [`Op`], 16 bytes each, with their immediates in their
//! canonical encodings.
//!
//! wasmparser's `Operator` takes 56 bytes and a reader built for every proposal; the fast
//! path ([`super::lean`]) checks a function and lowering lowers it from [`Op`]s, each
//! decoded once ([`super::lean::prepare`] keeps them for lowering) or, for bodies too large
//! to keep, again a chunk at a time ([`super::Cursor`]).

use wasmparser::BlockType;

/// The first code of the `0xfc`-prefixed operators: [`Op::code`] is `FC + sub-opcode`.
pub(crate) const FC: u16 = 0x100;
/// `memory.copy`.
pub(crate) const MEMORY_COPY: u16 = FC + 10;
/// `memory.fill`.
pub(crate) const MEMORY_FILL: u16 = FC + 11;
/// `i64.add128`.
pub(crate) const I64_ADD128: u16 = FC + 19;
/// `i64.sub128`.
pub(crate) const I64_SUB128: u16 = FC + 20;
/// `i64.mul_wide_s`.
pub(crate) const I64_MUL_WIDE_S: u16 = FC + 21;
/// `i64.mul_wide_u`.
pub(crate) const I64_MUL_WIDE_U: u16 = FC + 22;

/// An operator of the subset: its opcode, where it starts in the body and its immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Op {
    /// The opcode byte; the `0xfc`-prefixed operators as [`FC`] plus their sub-opcode.
    pub code: u16,
    /// Where it starts, in bytes from the body's start.
    pub pos: u32,
    /// The immediate: a local, global, function or type index, a branch depth, a constant
    /// (an `i32` sign-extended), a memory access's offset, or a block type's byte
    /// ([`block_type_of`]); 0 for the rest (`br_table`'s targets are read again from the
    /// body where they are needed).
    pub imm: i64,
}

impl Op {
    /// The immediate as an index or depth (which the decoder read as a `u32`).
    #[inline]
    pub fn index(self) -> u32 {
        // Truncates nothing: a u32 was zero-extended into `imm`.
        self.imm as u32
    }
}

/// Reads an unsigned LEB128 of at most 32 bits in its canonical range (at most five bytes,
/// the unused bits of the fifth zero).
#[inline(always)]
pub(super) fn u32_leb(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let b = *bytes.get(*pos)?;
    if b < 0x80 {
        *pos += 1;
        return Some(u32::from(b));
    }
    u32_leb_long(bytes, pos)
}

/// [`u32_leb`] past its one-byte form.
fn u32_leb_long(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut value = 0u32;
    for k in 0..5 {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        if k == 4 {
            if b & 0xf0 != 0 {
                return None;
            }
            return Some(value | (u32::from(b) << 28));
        }
        value |= u32::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Reads a signed LEB128 of at most 32 bits (at most five bytes, the unused bits of the fifth
/// a sign extension).
pub(super) fn i32_leb(bytes: &[u8], pos: &mut usize) -> Option<i32> {
    let mut value = 0u32;
    for k in 0..5 {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        if k == 4 {
            // Four value bits; the three above them repeat the sign.
            if b & 0x80 != 0 || !matches!(b & 0x78, 0 | 0x78) {
                return None;
            }
            return Some((value | (u32::from(b) << 28)) as i32);
        }
        value |= u32::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            let shift = 7 * (k + 1);
            // Sign-extend from the last byte's sign bit.
            return Some(((value << (32 - shift)) as i32) >> (32 - shift));
        }
    }
    None
}

/// Reads a signed LEB128 of at most 64 bits (at most ten bytes, the unused bits of the tenth a
/// sign extension).
pub(super) fn i64_leb(bytes: &[u8], pos: &mut usize) -> Option<i64> {
    let mut value = 0u64;
    for k in 0..10 {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        if k == 9 {
            // One value bit; the six above it repeat the sign.
            if !matches!(b, 0 | 0x7f) {
                return None;
            }
            return Some((value | (u64::from(b) << 63)) as i64);
        }
        value |= u64::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            let shift = 7 * (k + 1);
            if shift >= 64 {
                return Some(value as i64);
            }
            return Some(((value << (64 - shift)) as i64) >> (64 - shift));
        }
    }
    None
}

/// A memory immediate of an access of `2^natural` bytes (alignment at most natural, no
/// memory index, a 32-bit offset): its offset.
#[inline]
pub(super) fn memarg(bytes: &[u8], pos: &mut usize, natural: u8) -> Option<u32> {
    let align = u32_leb(bytes, pos)?;
    if align > u32::from(natural) {
        return None;
    }
    u32_leb(bytes, pos)
}

/// The natural alignment (log2 of the width) of the load or store with opcode `b`.
pub(super) const fn natural(b: u8) -> u8 {
    match b {
        0x29 | 0x37 => 3,
        0x28 | 0x34 | 0x35 | 0x36 | 0x3e => 2,
        0x2e | 0x2f | 0x32 | 0x33 | 0x3b | 0x3d => 1,
        _ => 0,
    }
}

/// A block type's byte: empty (`0x40`), `i32` (`0x7f`), `i64` (`0x7e`) or a type index below
/// 64 (its one-byte form).
#[inline]
fn block_type_byte(bytes: &[u8], pos: &mut usize) -> Option<u8> {
    let b = *bytes.get(*pos)?;
    *pos += 1;
    matches!(b, 0x40 | 0x7f | 0x7e | 0..=0x3f).then_some(b)
}

/// The block type of a block type's byte (as [`decode`] keeps it in [`Op::imm`]).
pub(crate) fn block_type_of(imm: i64) -> BlockType {
    match imm {
        0x7f => BlockType::Type(wasmparser::ValType::I32),
        0x7e => BlockType::Type(wasmparser::ValType::I64),
        0..=0x3f => BlockType::FuncType(imm as u32),
        _ => BlockType::Empty,
    }
}

/// A byte that must be zero (a memory or table index in its one-byte form).
#[inline]
fn zero_byte(bytes: &[u8], pos: &mut usize) -> Option<()> {
    let b = *bytes.get(*pos)?;
    *pos += 1;
    (b == 0).then_some(())
}

/// wasmparser's limit on a `br_table`'s targets.
const MAX_BR_TABLE_TARGETS: u32 = 7_654_321;

/// `br_table` at `bytes[start]`: calls `target` with each target's depth in order, then
/// returns the default depth and where the operator ends. `None` if it does not read as
/// wasmparser reads it (the count within wasmparser's limit, every depth a `u32` LEB128), or
/// if `target` gives up.
#[inline(never)]
pub(crate) fn br_table(bytes: &[u8], start: usize, mut target: impl FnMut(u32) -> Option<()>) -> Option<(u32, usize)> {
    let mut p = start.checked_add(1)?;
    if bytes.get(start) != Some(&0x0e) {
        return None;
    }
    let count = u32_leb(bytes, &mut p)?;
    // Each target takes a byte at least: a count past the body cannot be read.
    if count > MAX_BR_TABLE_TARGETS || count as usize > bytes.len() {
        return None;
    }
    for _ in 0..count {
        target(u32_leb(bytes, &mut p)?)?;
    }
    let default = u32_leb(bytes, &mut p)?;
    Some((default, p))
}

/// The immediate of each opcode byte, as [`decode`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Imm {
    None,
    U32,
    I32,
    I64,
    /// A memory access's of `2^n` bytes.
    Mem(u8),
    Block,
    /// Read by [`decode_rare`] (which also rejects what is not in the subset).
    Rare,
}

/// [`Imm`] of each opcode byte (a table: a chain of range tests costs more on the machine).
const IMM: [Imm; 256] = {
    let mut t = [Imm::Rare; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            0x00
            | 0x01
            | 0x05
            | 0x0b
            | 0x0f
            | 0x1a
            | 0x1b
            | 0x45..=0x5a
            | 0x67..=0x8a
            | 0xa7
            | 0xac
            | 0xad
            | 0xc0..=0xc4 => Imm::None,
            0x20..=0x24 | 0x0c | 0x0d | 0x10 => Imm::U32,
            0x41 => Imm::I32,
            0x42 => Imm::I64,
            op @ (0x28 | 0x29 | 0x2c..=0x37 | 0x3a..=0x3e) => Imm::Mem(natural(op)),
            0x02..=0x04 => Imm::Block,
            _ => Imm::Rare,
        };
        b += 1;
    }
    t
};

/// Decodes the operator at `bytes[*pos]`, if it is one this path handles in its canonical
/// encoding; `pos` moves past it.
#[inline]
pub(crate) fn decode(bytes: &[u8], pos: &mut usize) -> Option<Op> {
    let start = *pos;
    let (code, imm, end) = decode_at(bytes, start)?;
    *pos = end;
    Some(Op { code, pos: u32::try_from(start).ok()?, imm })
}

/// [`decode`] as parts: the operator at `bytes[start]`'s [`Op::code`], [`Op::imm`] and
/// where it ends.
#[inline(always)]
pub(crate) fn decode_at(bytes: &[u8], start: usize) -> Option<(u16, i64, usize)> {
    let b = *bytes.get(start)?;
    let mut p = start + 1;
    let imm = match IMM[usize::from(b)] {
        Imm::None => 0,
        Imm::U32 => i64::from(u32_leb(bytes, &mut p)?),
        Imm::I32 => i64::from(i32_leb(bytes, &mut p)?),
        Imm::I64 => i64_leb(bytes, &mut p)?,
        Imm::Mem(natural) => i64::from(memarg(bytes, &mut p, natural)?),
        Imm::Block => i64::from(block_type_byte(bytes, &mut p)?),
        Imm::Rare => return decode_rare(bytes, start),
    };
    Some((u16::from(b), imm, p))
}

/// [`decode_at`] of the rarer operators (kept apart so that [`decode_at`] stays small where
/// it is inlined).
#[inline(never)]
fn decode_rare(bytes: &[u8], start: usize) -> Option<(u16, i64, usize)> {
    let b = *bytes.get(start)?;
    let mut p = start + 1;
    let mut code = u16::from(b);
    let imm = match b {
        0x0e => {
            p = br_table(bytes, start, |_| Some(()))?.1;
            0
        }
        0x11 => {
            let type_index = u32_leb(bytes, &mut p)?;
            zero_byte(bytes, &mut p)?;
            i64::from(type_index)
        }
        0x3f | 0x40 => {
            zero_byte(bytes, &mut p)?;
            0
        }
        0xfc => {
            let sub = u32_leb(bytes, &mut p)?;
            match sub {
                10 => {
                    zero_byte(bytes, &mut p)?;
                    zero_byte(bytes, &mut p)?;
                }
                11 => zero_byte(bytes, &mut p)?,
                19..=22 => {}
                _ => return None,
            }
            // At most 22: fits.
            code = FC + sub as u16;
            0
        }
        _ => return None,
    };
    Some((code, imm, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_canonical_forms() {
        let u = |b: &[u8]| u32_leb(b, &mut 0);
        assert_eq!(u(&[0x00]), Some(0));
        assert_eq!(u(&[0xe5, 0x8e, 0x26]), Some(624_485));
        assert_eq!(u(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Some(u32::MAX));
        assert_eq!(u(&[0xff, 0xff, 0xff, 0xff, 0x1f]), None);
        assert_eq!(u(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), None);
        assert_eq!(u(&[0x80]), None);
        let s = |b: &[u8]| i32_leb(b, &mut 0);
        assert_eq!(s(&[0x7f]), Some(-1));
        assert_eq!(s(&[0xc0, 0xbb, 0x78]), Some(-123_456));
        assert_eq!(s(&[0x80, 0x80, 0x80, 0x80, 0x78]), Some(i32::MIN));
        assert_eq!(s(&[0xff, 0xff, 0xff, 0xff, 0x07]), Some(i32::MAX));
        assert_eq!(s(&[0xff, 0xff, 0xff, 0xff, 0x0f]), None);
        assert_eq!(s(&[0x80, 0x80, 0x80, 0x80, 0x70]), None);
        let l = |b: &[u8]| i64_leb(b, &mut 0);
        assert_eq!(l(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]), Some(i64::MIN));
        assert_eq!(l(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]), Some(i64::MAX));
        assert_eq!(l(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), None);
        assert_eq!(l(&[0x3f]), Some(63));
        assert_eq!(l(&[0x40]), Some(-64));
    }

    #[test]
    fn ops_keep_their_immediates() {
        let d = |b: &[u8]| {
            let mut p = 0;
            let op = decode(b, &mut p);
            (op.map(|o| (o.code, o.imm)), p)
        };
        assert_eq!(d(&[0x20, 0xe5, 0x8e, 0x26]), (Some((0x20, 624_485)), 4));
        assert_eq!(d(&[0x41, 0x7f]), (Some((0x41, -1)), 2));
        assert_eq!(d(&[0x29, 0x03, 0x10]), (Some((0x29, 16)), 3));
        // Alignment past natural.
        assert_eq!(d(&[0x28, 0x03, 0x10]).0, None);
        assert_eq!(d(&[0x04, 0x7e]), (Some((0x04, 0x7e)), 2));
        assert_eq!(d(&[0x02, 0x70]).0, None);
        assert_eq!(d(&[0xfc, 0x0a, 0x00, 0x00]), (Some((MEMORY_COPY, 0)), 4));
        assert_eq!(d(&[0xfc, 0x0a, 0x00, 0x01]).0, None);
        assert_eq!(d(&[0x11, 0x02, 0x00]), (Some((0x11, 2)), 3));
        assert_eq!(d(&[0x0e, 0x02, 0x00, 0x01, 0x02]), (Some((0x0e, 0)), 5));
        // f32.load: outside the subset.
        assert_eq!(d(&[0x2a, 0x02, 0x00]).0, None);
        assert_eq!(core::mem::size_of::<Op>(), 16);
    }
}
