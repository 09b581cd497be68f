//! Predecoding: an executable region becomes a vector of compact [`Micro`] operations, one per
//! instruction word, built once when the region is mapped (W^X guarantees it never changes).
//!
//! The predecoded form is shaped for the interpreter:
//! - a write to `x0` is redirected to a sink register ([`SINK`]) that nothing reads, so the
//!   hot loop never tests for `x0`;
//! - branch and `jal` offsets are in instructions, not bytes;
//! - `lui`/`auipc` carry the final `imm20 << 12` value;
//! - words that do not decode, and branches/jumps whose offsets are not multiples of 4, get
//!   their own operations that trap (or, for a not-taken branch, fall through).

use alloc::vec::Vec;

use crate::isa::{decode, Inst, Opcode, Reg};

/// Register index that absorbs writes to `x0`.
pub(crate) const SINK: u8 = 32;

macro_rules! define_xops {
    ($($V:ident $m:ident $fmt:ident $major:literal $f3:literal $extra:literal;)*) => {
        /// An operation of the interpreter: every [`Opcode`] (same discriminant), then the
        /// operations that exist only in predecoded code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum XOp {
            $($V,)*
            /// The word does not decode.
            Illegal,
            /// `jal` whose byte offset is not a multiple of 4: always traps.
            MisalignedJal,
            /// A branch whose byte offset is not a multiple of 4: traps when taken. `rd`
            /// holds the branch's funct3, `imm` the byte offset.
            MisalignedBranch,
        }

        impl XOp {
            pub(crate) const fn from_opcode(op: Opcode) -> XOp {
                match op { $(Opcode::$V => XOp::$V,)* }
            }
        }
    };
}

crate::isa::rv64im_table!(define_xops);

/// Number of [`XOp`] values (size of the histogram).
pub(crate) const XOP_COUNT: usize = XOp::MisalignedBranch as usize + 1;

/// One predecoded instruction: 8 bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Micro {
    pub(crate) op: XOp,
    pub(crate) rd: u8,
    pub(crate) rs1: u8,
    pub(crate) rs2: u8,
    pub(crate) imm: i32,
}

fn dest(rd: Reg) -> u8 {
    if rd == Reg::ZERO {
        SINK
    } else {
        rd.index()
    }
}

fn micro(op: XOp, rd: u8, rs1: Reg, rs2: Reg, imm: i32) -> Micro {
    Micro { op, rd, rs1: rs1.index(), rs2: rs2.index(), imm }
}

/// Predecodes one instruction word.
pub(crate) fn predecode(word: u32) -> Micro {
    let z = Reg::ZERO;
    let Some(inst) = decode(word) else {
        return micro(XOp::Illegal, SINK, z, z, 0);
    };
    let x = XOp::from_opcode(inst.op());
    match inst {
        Inst::R { rd, rs1, rs2, .. } => micro(x, dest(rd), rs1, rs2, 0),
        Inst::I { rd, rs1, imm, .. } => micro(x, dest(rd), rs1, z, imm),
        Inst::Shift { rd, rs1, shamt, .. } => {
            // shamt <= 63 by decoding.
            micro(x, dest(rd), rs1, z, shamt as i32)
        }
        Inst::S { rs1, rs2, imm, .. } => micro(x, SINK, rs1, rs2, imm),
        Inst::B { op, rs1, rs2, offset } if offset % 4 != 0 => {
            // funct3 is three bits.
            micro(XOp::MisalignedBranch, op.funct3() as u8, rs1, rs2, offset)
        }
        Inst::B { rs1, rs2, offset, .. } => micro(x, SINK, rs1, rs2, offset / 4),
        // imm20 is in -2^19..2^19, so imm20 << 12 fits an i32 exactly.
        Inst::U { rd, imm20, .. } => micro(x, dest(rd), z, z, imm20 << 12),
        Inst::J { rd, offset, .. } if offset % 4 != 0 => micro(XOp::MisalignedJal, dest(rd), z, z, offset),
        Inst::J { rd, offset, .. } => micro(x, dest(rd), z, z, offset / 4),
        Inst::Fence { .. } | Inst::Sys { .. } => micro(x, SINK, z, z, 0),
    }
}

/// Predecodes the whole words of `bytes` (a trailing partial word is not fetchable).
pub(crate) fn predecode_region(bytes: &[u8]) -> Vec<Micro> {
    bytes.chunks_exact(4).map(|w| predecode(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))).collect()
}
