//! The disassembler: objdump's no-alias syntax with ABI register names and `, ` between
//! operands (`addi a0, a0, 1`, `ld ra, 8(sp)`, `lui a0, 0x12345`, `slli a0, a0, 0x3`).
//!
//! Branch and jump targets print relative to the instruction (`beq a0, a1, .+16`) with
//! `Display`, or as absolute addresses with [`Inst::display_at`].

use core::fmt;

use super::{decode, Inst, Opcode};

/// An [`Inst`] shown with absolute branch/jump targets, as by objdump.
#[derive(Clone, Copy, Debug)]
pub struct DisplayAt {
    inst: Inst,
    pc: u64,
}

impl Inst {
    /// Displays the instruction as if located at `pc`: branch and jump targets become
    /// absolute hex addresses (`jal ra, 0x10074`).
    pub fn display_at(&self, pc: u64) -> DisplayAt {
        DisplayAt { inst: *self, pc }
    }
}

/// Disassembles one word at `pc`: the instruction, or `.word 0x...` if it does not decode.
///
/// ```
/// use rv_machine::isa::disassemble;
/// assert_eq!(disassemble(0x0000_0073, 0).to_string(), "ecall");
/// assert_eq!(disassemble(0, 0).to_string(), ".word 0x00000000");
/// ```
pub fn disassemble(word: u32, pc: u64) -> impl fmt::Display {
    Disassembly { word, pc }
}

struct Disassembly {
    word: u32,
    pc: u64,
}

impl fmt::Display for Disassembly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match decode(self.word) {
            Some(inst) => fmt::Display::fmt(&inst.display_at(self.pc), f),
            None => write!(f, ".word {:#010x}", self.word),
        }
    }
}

/// How a branch/jump target is shown.
#[derive(Clone, Copy)]
enum Target {
    Relative,
    Absolute(u64),
}

impl Target {
    fn show(self, f: &mut fmt::Formatter<'_>, offset: i32) -> fmt::Result {
        match self {
            Target::Relative if offset < 0 => write!(f, ".{offset}"),
            Target::Relative => write!(f, ".+{offset}"),
            Target::Absolute(pc) => write!(f, "{:#x}", pc.wrapping_add_signed(offset.into())),
        }
    }
}

/// The `iorw` letters of a fence predecessor/successor set; `0` for the empty set.
fn fence_set(f: &mut fmt::Formatter<'_>, set: u8) -> fmt::Result {
    if set == 0 {
        return f.write_str("0");
    }
    for (bit, letter) in [(8, 'i'), (4, 'o'), (2, 'r'), (1, 'w')] {
        if set & bit != 0 {
            write!(f, "{letter}")?;
        }
    }
    Ok(())
}

fn show(inst: &Inst, f: &mut fmt::Formatter<'_>, target: Target) -> fmt::Result {
    let m = inst.op().mnemonic();
    match *inst {
        Inst::R { rd, rs1, rs2, .. } => write!(f, "{m} {rd}, {rs1}, {rs2}"),
        Inst::I { op, rd, rs1, imm } if op.is_load() || op == Opcode::Jalr => {
            write!(f, "{m} {rd}, {imm}({rs1})")
        }
        Inst::I { rd, rs1, imm, .. } => write!(f, "{m} {rd}, {rs1}, {imm}"),
        Inst::Shift { rd, rs1, shamt, .. } => write!(f, "{m} {rd}, {rs1}, {shamt:#x}"),
        Inst::S { rs1, rs2, imm, .. } => write!(f, "{m} {rs2}, {imm}({rs1})"),
        Inst::B { rs1, rs2, offset, .. } => {
            write!(f, "{m} {rs1}, {rs2}, ")?;
            target.show(f, offset)
        }
        Inst::U { rd, imm20, .. } => write!(f, "{m} {rd}, {:#x}", imm20 & 0xF_FFFF),
        Inst::J { rd, offset, .. } => {
            write!(f, "{m} {rd}, ")?;
            target.show(f, offset)
        }
        Inst::Fence { fm: 8, pred: 3, succ: 3, .. } => f.write_str("fence.tso"),
        Inst::Fence { pred, succ, .. } => {
            f.write_str("fence ")?;
            fence_set(f, pred)?;
            f.write_str(", ")?;
            fence_set(f, succ)
        }
        Inst::Sys { .. } => f.write_str(m),
    }
}

impl fmt::Display for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show(self, f, Target::Relative)
    }
}

impl fmt::Display for DisplayAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show(&self.inst, f, Target::Absolute(self.pc))
    }
}
