//! The block form of predecoded code: what the fast interpreter ([`super::block`]) runs.
//!
//! Built once per executable region from its [`Micro`] operations, one [`Op`] per instruction
//! word (so an instruction's index is the same in both forms):
//! - every operation knows how many instructions lie from it to the end of its basic block
//!   ([`Op::len`]), so the interpreter charges the budget once per block;
//! - immediates are sign-extended to 64 bits here, not at run time;
//! - an instruction followed in its block by one that often follows it (the pairs of
//!   [`fused_pairs`]) becomes one operation that does both, one after the other, exactly as
//!   the two would: the interpreter dispatches once for two instructions, and still counts
//!   two. The operation at the second instruction's index stays the plain second instruction,
//!   for control that enters the block there.
//!
//! A basic block ends at an instruction that can transfer control (a branch, `jal`, `jalr`,
//! `ecall`, `ebreak`) or that always traps; it may be entered anywhere (any instruction can be
//! a jump target), which is why every operation carries its own length.

use alloc::vec::Vec;

use super::alu::sext_imm;
use super::predecode::{Micro, XOp};

/// Expands to `$cb! { $pass pairs: [Pair = First Second; ...] }` with the fused pairs: the
/// instruction pairs that compiled contract code and the kernel execute most often (counted
/// on vmPerformance's loopExp state test and on the kernel running stExample). The first of a pair never ends a
/// block; the second may (a branch then ends the block for both). Neither is `lui`, `auipc`
/// or `jal`, whose immediates do not fit a pair.
macro_rules! fused_pairs {
    ($cb:ident ! { $($pass:tt)* }) => {
        $cb! { $($pass)* pairs: [
            AddiAddi = Addi Addi;
            AddiAdd = Addi Add;
            AddAddi = Add Addi;
            AddAdd = Add Add;
            LdLd = Ld Ld;
            SdSd = Sd Sd;
            MulMulhu = Mul Mulhu;
            AddSltu = Add Sltu;
            SltuAdd = Sltu Add;
            MulhuAdd = Mulhu Add;
            MulAdd = Mul Add;
            AddMul = Add Mul;
            AddiMul = Addi Mul;
            AddiBne = Addi Bne;
        ] }
    };
}
pub(crate) use fused_pairs;

macro_rules! define_bops {
    (
        singles: [$($V:ident $m:ident $fmt:ident $major:literal $f3:literal $extra:literal;)*]
        pairs: [$($P:ident = $A:ident $B:ident;)*]
    ) => {
        /// An operation of the block interpreter: every [`XOp`] (same name), then the fused
        /// pairs (`AddiAdd` is `addi` then `add`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum BOp {
            $($V,)*
            /// See [`XOp::Illegal`].
            Illegal,
            /// See [`XOp::MisalignedJal`].
            MisalignedJal,
            /// See [`XOp::MisalignedBranch`].
            MisalignedBranch,
            $($P,)*
        }

        impl BOp {
            const fn from_xop(op: XOp) -> BOp {
                match op {
                    $(XOp::$V => BOp::$V,)*
                    XOp::Illegal => BOp::Illegal,
                    XOp::MisalignedJal => BOp::MisalignedJal,
                    XOp::MisalignedBranch => BOp::MisalignedBranch,
                }
            }

            /// The fused operation for `first` then `second`, if there is one.
            const fn pair(first: XOp, second: XOp) -> Option<BOp> {
                match (first, second) {
                    $((XOp::$A, XOp::$B) => Some(BOp::$P),)*
                    _ => None,
                }
            }
        }
    };
}

macro_rules! bops_with_pairs {
    ($($rows:tt)*) => {
        fused_pairs!(define_bops! { singles: [$($rows)*] });
    };
}

crate::isa::rv64im_table!(bops_with_pairs);

/// One operation in block form: 16 bytes.
///
/// A single instruction keeps its [`Micro`] fields, with `imm` sign-extended to 64 bits
/// (branch and `jal` offsets in instructions, shift amounts, `lui`/`auipc` values; the
/// misaligned jumps keep their byte offsets). A fused pair keeps its first instruction's
/// registers in `rd`, `rs1`, `rs2`, and packs the rest in `imm` ([`Op::imm1`] and the
/// other accessors).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    pub(crate) op: BOp,
    pub(crate) rd: u8,
    pub(crate) rs1: u8,
    pub(crate) rs2: u8,
    /// Instructions from this one to the end of its basic block, this one included (at least
    /// 1; saturated at `u32::MAX`, which the interpreter never charges at once).
    pub(crate) len: u32,
    pub(crate) imm: u64,
}

/// Sign-extends 16 bits.
#[inline(always)]
fn sext16(bits: u64) -> u64 {
    i64::from(bits as u16 as i16) as u64
}

impl Op {
    /// A fused pair's first immediate, sign-extended (bits 0..16 of `imm`).
    #[inline(always)]
    pub(crate) fn imm1(&self) -> u64 {
        sext16(self.imm)
    }

    /// A fused pair's second immediate, sign-extended (bits 16..32).
    #[inline(always)]
    pub(crate) fn imm2(&self) -> u64 {
        sext16(self.imm >> 16)
    }

    /// A fused pair's second `rd` (bits 32..40).
    #[inline(always)]
    pub(crate) fn rd2(&self) -> u8 {
        (self.imm >> 32) as u8
    }

    /// A fused pair's second `rs1` (bits 40..48).
    #[inline(always)]
    pub(crate) fn rs1_2(&self) -> u8 {
        (self.imm >> 40) as u8
    }

    /// A fused pair's second `rs2` (bits 48..56).
    #[inline(always)]
    pub(crate) fn rs2_2(&self) -> u8 {
        (self.imm >> 48) as u8
    }
}

/// Whether the operation ends a basic block: it may transfer control, stop the run, or it
/// always traps.
fn ends_block(op: XOp) -> bool {
    matches!(
        op,
        XOp::Jal
            | XOp::Jalr
            | XOp::Beq
            | XOp::Bne
            | XOp::Blt
            | XOp::Bge
            | XOp::Bltu
            | XOp::Bgeu
            | XOp::Ecall
            | XOp::Ebreak
            | XOp::Illegal
            | XOp::MisalignedJal
            | XOp::MisalignedBranch
    )
}

/// The immediate of `m` as a fused pair holds it, if it fits there exactly.
fn imm16(m: &Micro) -> Option<u64> {
    let imm = i16::try_from(m.imm).ok()?;
    Some(u64::from(imm as u16))
}

/// The fused operation for `a` then `b` (which follows `a` in its block), if they have one
/// and their immediates fit.
fn fuse(a: &Micro, b: &Micro, len: u32) -> Option<Op> {
    let op = BOp::pair(a.op, b.op)?;
    let imm = imm16(a)? | imm16(b)? << 16 | u64::from(b.rd) << 32 | u64::from(b.rs1) << 40 | u64::from(b.rs2) << 48;
    Some(Op { op, rd: a.rd, rs1: a.rs1, rs2: a.rs2, len, imm })
}

/// The block form of a region's operations.
pub(crate) fn build(micro: &[Micro]) -> Vec<Op> {
    let mut ops: Vec<Op> = micro
        .iter()
        .map(|m| Op { op: BOp::from_xop(m.op), rd: m.rd, rs1: m.rs1, rs2: m.rs2, len: 1, imm: sext_imm(m.imm) })
        .collect();
    // Block lengths, from the end: an instruction that does not end its block reaches one
    // further than the next. The last instruction of the region ends its block either way
    // (control falls out of the region after it).
    let mut next: u32 = 0;
    for (op, m) in ops.iter_mut().zip(micro).rev() {
        op.len = if ends_block(m.op) { 1 } else { next.saturating_add(1) };
        next = op.len;
    }
    // Pairs within a block. A block too long to count (saturated) is stepped through, never
    // run from this form, so its pairs do not matter.
    for (i, pair) in micro.windows(2).enumerate() {
        let len = ops[i].len;
        if !ends_block(pair[0].op) && len != u32::MAX {
            if let Some(op) = fuse(&pair[0], &pair[1], len) {
                ops[i] = op;
            }
        }
    }
    ops
}
