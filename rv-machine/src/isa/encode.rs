//! The encoder: one pure function per format, one constructor per instruction.
//!
//! Constructors take operands in assembler order (`addi(rd, rs1, imm)`), except that stores
//! and branches take `(rs1, rs2, imm)`: `sd(base, src, offset)` encodes `sd src, offset(base)`.
//! Constructors whose format has an immediate check it and return [`Error::Imm`] when it
//! does not fit; register-only constructors cannot fail and are `const`.
//!
//! ```
//! use rv_machine::isa::{encode, Reg};
//! assert_eq!(encode::add(Reg::A0, Reg::A1, Reg::A2), 0x00c5_8533);
//! assert_eq!(encode::ld(Reg::RA, Reg::SP, 8).unwrap(), 0x0081_3083);
//! assert!(encode::addi(Reg::A0, Reg::A0, 2048).is_err());
//! assert!(encode::beq(Reg::A0, Reg::A1, 3).is_err()); // odd offset
//! ```

use super::{Format, Inst, Opcode, Reg};
use crate::error::{Error, ImmField};

fn check(ok: bool, field: ImmField, value: i64) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(Error::Imm { field, value })
    }
}

/// Reinterprets a signed immediate as its two's-complement bits.
const fn bits(imm: i32) -> u32 {
    u32::from_ne_bytes(imm.to_ne_bytes())
}

/// R-type, all fields register numbers or fixed:
///
/// ```text
/// 31     25 24  20 19  15 14    12 11   7 6      0
/// | funct7 |  rs2 |  rs1 | funct3 |  rd  | opcode |
/// ```
pub const fn r_type(opcode: u32, funct3: u32, funct7: u32, rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
    ((funct7 & 0x7F) << 25)
        | (rs2.field() << 20)
        | (rs1.field() << 15)
        | ((funct3 & 7) << 12)
        | (rd.field() << 7)
        | (opcode & 0x7F)
}

/// I-type, `imm` in `-2048..=2047`:
///
/// ```text
/// 31        20 19  15 14    12 11   7 6      0
/// | imm[11:0] |  rs1 | funct3 |  rd  | opcode |
/// ```
pub fn i_type(opcode: u32, funct3: u32, rd: Reg, rs1: Reg, imm: i32) -> Result<u32, Error> {
    check((-2048..=2047).contains(&imm), ImmField::Signed12, imm.into())?;
    Ok(((bits(imm) & 0xFFF) << 20) | (rs1.field() << 15) | ((funct3 & 7) << 12) | (rd.field() << 7) | (opcode & 0x7F))
}

/// 64-bit shift by immediate, `shamt` in `0..=63`:
///
/// ```text
/// 31     26 25        20 19  15 14    12 11   7 6      0
/// | funct6 | shamt[5:0] |  rs1 | funct3 |  rd  | opcode |
/// ```
pub fn ish_type(opcode: u32, funct3: u32, funct6: u32, rd: Reg, rs1: Reg, shamt: u32) -> Result<u32, Error> {
    check(shamt < 64, ImmField::Shamt6, shamt.into())?;
    Ok(((funct6 & 0x3F) << 26)
        | (shamt << 20)
        | (rs1.field() << 15)
        | ((funct3 & 7) << 12)
        | (rd.field() << 7)
        | (opcode & 0x7F))
}

/// 32-bit (word) shift by immediate, `shamt` in `0..=31`:
///
/// ```text
/// 31     25 24        20 19  15 14    12 11   7 6      0
/// | funct7 | shamt[4:0] |  rs1 | funct3 |  rd  | opcode |
/// ```
pub fn ishw_type(opcode: u32, funct3: u32, funct7: u32, rd: Reg, rs1: Reg, shamt: u32) -> Result<u32, Error> {
    check(shamt < 32, ImmField::Shamt5, shamt.into())?;
    Ok(((funct7 & 0x7F) << 25)
        | (shamt << 20)
        | (rs1.field() << 15)
        | ((funct3 & 7) << 12)
        | (rd.field() << 7)
        | (opcode & 0x7F))
}

/// S-type (stores `rs2` at `rs1 + imm`), `imm` in `-2048..=2047`:
///
/// ```text
/// 31        25 24  20 19  15 14    12 11       7 6      0
/// | imm[11:5] |  rs2 |  rs1 | funct3 | imm[4:0] | opcode |
/// ```
pub fn s_type(opcode: u32, funct3: u32, rs1: Reg, rs2: Reg, imm: i32) -> Result<u32, Error> {
    check((-2048..=2047).contains(&imm), ImmField::Signed12, imm.into())?;
    let imm = bits(imm);
    Ok((((imm >> 5) & 0x7F) << 25)
        | (rs2.field() << 20)
        | (rs1.field() << 15)
        | ((funct3 & 7) << 12)
        | ((imm & 0x1F) << 7)
        | (opcode & 0x7F))
}

/// B-type, `offset` even in `-4096..=4094` (bit 0 is not stored):
///
/// ```text
/// 31        30      25 24  20 19  15 14    12 11     8 7         6      0
/// | imm[12] | imm[10:5] |  rs2 |  rs1 | funct3 | imm[4:1] | imm[11] | opcode |
/// ```
pub fn b_type(opcode: u32, funct3: u32, rs1: Reg, rs2: Reg, offset: i32) -> Result<u32, Error> {
    let ok = (-4096..=4094).contains(&offset) && offset % 2 == 0;
    check(ok, ImmField::Branch, offset.into())?;
    let imm = bits(offset);
    Ok((((imm >> 12) & 1) << 31)
        | (((imm >> 5) & 0x3F) << 25)
        | (rs2.field() << 20)
        | (rs1.field() << 15)
        | ((funct3 & 7) << 12)
        | (((imm >> 1) & 0xF) << 8)
        | (((imm >> 11) & 1) << 7)
        | (opcode & 0x7F))
}

/// U-type, `imm20` in `-0x80000..=0x7FFFF` (the instruction's value is `imm20 << 12`):
///
/// ```text
/// 31         12 11   7 6      0
/// | imm[31:12] |  rd  | opcode |
/// ```
pub fn u_type(opcode: u32, rd: Reg, imm20: i32) -> Result<u32, Error> {
    check((-0x80000..=0x7FFFF).contains(&imm20), ImmField::Upper20, imm20.into())?;
    Ok(((bits(imm20) & 0xF_FFFF) << 12) | (rd.field() << 7) | (opcode & 0x7F))
}

/// J-type, `offset` even in `-0x10_0000..=0xF_FFFE` (bit 0 is not stored):
///
/// ```text
/// 31        30       21 20        19        12 11   7 6      0
/// | imm[20] | imm[10:1] | imm[11] | imm[19:12] |  rd  | opcode |
/// ```
pub fn j_type(opcode: u32, rd: Reg, offset: i32) -> Result<u32, Error> {
    let ok = (-0x10_0000..=0xF_FFFE).contains(&offset) && offset % 2 == 0;
    check(ok, ImmField::Jump, offset.into())?;
    let imm = bits(offset);
    Ok((((imm >> 20) & 1) << 31)
        | (((imm >> 1) & 0x3FF) << 21)
        | (((imm >> 11) & 1) << 20)
        | (imm & 0x000F_F000)
        | (rd.field() << 7)
        | (opcode & 0x7F))
}

/// `fence`, each of `fm`, `pred`, `succ` in `0..=15` (`pred`/`succ` bits: `i o r w` from bit 3
/// down to bit 0):
///
/// ```text
/// 31  28 27    24 23    20 19  15 14    12 11   7 6      0
/// | fm  |  pred  |  succ  |  rs1 | funct3 |  rd  | opcode |
/// ```
pub fn fence_type(opcode: u32, funct3: u32, fm: u8, pred: u8, succ: u8, rd: Reg, rs1: Reg) -> Result<u32, Error> {
    for v in [fm, pred, succ] {
        check(v < 16, ImmField::Fence4, v.into())?;
    }
    Ok((u32::from(fm) << 28)
        | (u32::from(pred) << 24)
        | (u32::from(succ) << 20)
        | (rs1.field() << 15)
        | ((funct3 & 7) << 12)
        | (rd.field() << 7)
        | (opcode & 0x7F))
}

/// `fence iorw, iorw`, the full barrier (a no-op on this single-hart machine).
pub const fn fence_all() -> u32 {
    (0b1111 << 24) | (0b1111 << 20) | Opcode::Fence.match_bits()
}

macro_rules! constructor {
    (R $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rd, rs1, rs2`")]
        pub const fn $m(rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
            let op = Opcode::$V;
            r_type(op.major(), op.funct3(), op.extra(), rd, rs1, rs2)
        }
    };
    (I $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), "` with rd, rs1 and a 12-bit signed immediate.")]
        pub fn $m(rd: Reg, rs1: Reg, imm: i32) -> Result<u32, Error> {
            let op = Opcode::$V;
            i_type(op.major(), op.funct3(), rd, rs1, imm)
        }
    };
    (Ish $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rd, rs1, shamt` with `shamt` in `0..=63`.")]
        pub fn $m(rd: Reg, rs1: Reg, shamt: u32) -> Result<u32, Error> {
            let op = Opcode::$V;
            ish_type(op.major(), op.funct3(), op.extra(), rd, rs1, shamt)
        }
    };
    (Ishw $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rd, rs1, shamt` with `shamt` in `0..=31`.")]
        pub fn $m(rd: Reg, rs1: Reg, shamt: u32) -> Result<u32, Error> {
            let op = Opcode::$V;
            ishw_type(op.major(), op.funct3(), op.extra(), rd, rs1, shamt)
        }
    };
    (S $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rs2, imm(rs1)`: stores `rs2` at `rs1 + imm`.")]
        pub fn $m(rs1: Reg, rs2: Reg, imm: i32) -> Result<u32, Error> {
            let op = Opcode::$V;
            s_type(op.major(), op.funct3(), rs1, rs2, imm)
        }
    };
    (B $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rs1, rs2, offset` (byte offset, even).")]
        pub fn $m(rs1: Reg, rs2: Reg, offset: i32) -> Result<u32, Error> {
            let op = Opcode::$V;
            b_type(op.major(), op.funct3(), rs1, rs2, offset)
        }
    };
    (U $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rd, imm20`: the value is `imm20 << 12`.")]
        pub fn $m(rd: Reg, imm20: i32) -> Result<u32, Error> {
            u_type(Opcode::$V.major(), rd, imm20)
        }
    };
    (J $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " rd, offset` (byte offset, even).")]
        pub fn $m(rd: Reg, offset: i32) -> Result<u32, Error> {
            j_type(Opcode::$V.major(), rd, offset)
        }
    };
    (Fence $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), " pred, succ` (4-bit `iorw` sets, `fm` = 0).")]
        pub fn $m(pred: u8, succ: u8) -> Result<u32, Error> {
            let op = Opcode::$V;
            fence_type(op.major(), op.funct3(), 0, pred, succ, Reg::ZERO, Reg::ZERO)
        }
    };
    (Sys $V:ident $m:ident) => {
        #[doc = concat!("`", stringify!($m), "`")]
        pub const fn $m() -> u32 {
            Opcode::$V.match_bits()
        }
    };
}

macro_rules! define_constructors {
    ($($V:ident $m:ident $fmt:ident $major:literal $f3:literal $extra:literal;)*) => {
        $( constructor!($fmt $V $m); )*
    };
}

super::rv64im_table!(define_constructors);

impl Inst {
    /// Encodes the instruction. Fails if an immediate is out of range or if the variant does
    /// not match the opcode's format; `decode(w).unwrap().encode() == Ok(w)` for every word
    /// that decodes.
    pub fn encode(&self) -> Result<u32, Error> {
        let op = self.op();
        let (major, f3, extra) = (op.major(), op.funct3(), op.extra());
        let want = |format: Format| {
            if op.format() == format {
                Ok(())
            } else {
                Err(Error::FormatMismatch { op })
            }
        };
        match *self {
            Inst::R { rd, rs1, rs2, .. } => {
                want(Format::R)?;
                Ok(r_type(major, f3, extra, rd, rs1, rs2))
            }
            Inst::I { rd, rs1, imm, .. } => {
                want(Format::I)?;
                i_type(major, f3, rd, rs1, imm)
            }
            Inst::Shift { rd, rs1, shamt, .. } => match op.format() {
                Format::Ish => ish_type(major, f3, extra, rd, rs1, shamt),
                Format::Ishw => ishw_type(major, f3, extra, rd, rs1, shamt),
                _ => Err(Error::FormatMismatch { op }),
            },
            Inst::S { rs1, rs2, imm, .. } => {
                want(Format::S)?;
                s_type(major, f3, rs1, rs2, imm)
            }
            Inst::B { rs1, rs2, offset, .. } => {
                want(Format::B)?;
                b_type(major, f3, rs1, rs2, offset)
            }
            Inst::U { rd, imm20, .. } => {
                want(Format::U)?;
                u_type(major, rd, imm20)
            }
            Inst::J { rd, offset, .. } => {
                want(Format::J)?;
                j_type(major, rd, offset)
            }
            Inst::Fence { fm, pred, succ, rd, rs1 } => fence_type(major, f3, fm, pred, succ, rd, rs1),
            Inst::Sys { .. } => {
                want(Format::Sys)?;
                Ok(op.match_bits())
            }
        }
    }
}
