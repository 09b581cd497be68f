//! Instruction words, infallibly: [`rv_machine::isa::encode`] with operands whose ranges the
//! [`crate::imm`] newtypes guarantee.
//!
//! The machine's encoder checks immediates and returns a `Result`; here every immediate is
//! already a checked newtype, so the check cannot fail. Should it ever (a bug), the word is
//! `0`, which RISC-V defines as an illegal instruction: the compiled code traps there
//! instead of doing something else.

use rv_machine::isa::encode as e;

use crate::imm::{BranchOffset, Imm12, Imm20, JumpOffset, Shamt5, Shamt6};
use crate::regs::Reg;

/// The all-zero word: an illegal instruction.
pub const ILLEGAL: u32 = 0;

fn ok(word: Result<u32, rv_machine::Error>) -> u32 {
    word.unwrap_or(ILLEGAL)
}

macro_rules! r_ops {
    ($($m:ident)*) => {$(
        #[doc = concat!("`", stringify!($m), " rd, rs1, rs2`")]
        pub const fn $m(rd: Reg, rs1: Reg, rs2: Reg) -> u32 {
            e::$m(rd, rs1, rs2)
        }
    )*};
}

macro_rules! i_ops {
    ($($m:ident)*) => {$(
        #[doc = concat!("`", stringify!($m), " rd, rs1, imm` (loads: `", stringify!($m), " rd, imm(rs1)`)")]
        pub fn $m(rd: Reg, rs1: Reg, imm: Imm12) -> u32 {
            ok(e::$m(rd, rs1, imm.get()))
        }
    )*};
}

macro_rules! s_ops {
    ($($m:ident)*) => {$(
        #[doc = concat!("`", stringify!($m), " src, imm(base)`")]
        pub fn $m(base: Reg, src: Reg, imm: Imm12) -> u32 {
            ok(e::$m(base, src, imm.get()))
        }
    )*};
}

macro_rules! b_ops {
    ($($m:ident)*) => {$(
        #[doc = concat!("`", stringify!($m), " rs1, rs2, offset`")]
        pub fn $m(rs1: Reg, rs2: Reg, offset: BranchOffset) -> u32 {
            ok(e::$m(rs1, rs2, offset.get()))
        }
    )*};
}

r_ops! {
    add sub sll slt sltu xor srl sra or and
    addw subw sllw srlw sraw
    mul mulh mulhu div divu rem remu mulw divw divuw remw remuw
}
i_ops! { addi slti sltiu xori ori andi addiw jalr lb lh lw ld lbu lhu lwu }
s_ops! { sb sh sw sd }
b_ops! { beq bne blt bge bltu bgeu }

/// `slli rd, rs1, shamt`
pub fn slli(rd: Reg, rs1: Reg, shamt: Shamt6) -> u32 {
    ok(e::slli(rd, rs1, shamt.get()))
}

/// `srli rd, rs1, shamt`
pub fn srli(rd: Reg, rs1: Reg, shamt: Shamt6) -> u32 {
    ok(e::srli(rd, rs1, shamt.get()))
}

/// `srai rd, rs1, shamt`
pub fn srai(rd: Reg, rs1: Reg, shamt: Shamt6) -> u32 {
    ok(e::srai(rd, rs1, shamt.get()))
}

/// `slliw rd, rs1, shamt`
pub fn slliw(rd: Reg, rs1: Reg, shamt: Shamt5) -> u32 {
    ok(e::slliw(rd, rs1, shamt.get()))
}

/// `srliw rd, rs1, shamt`
pub fn srliw(rd: Reg, rs1: Reg, shamt: Shamt5) -> u32 {
    ok(e::srliw(rd, rs1, shamt.get()))
}

/// `sraiw rd, rs1, shamt`
pub fn sraiw(rd: Reg, rs1: Reg, shamt: Shamt5) -> u32 {
    ok(e::sraiw(rd, rs1, shamt.get()))
}

/// `lui rd, imm20`
pub fn lui(rd: Reg, imm: Imm20) -> u32 {
    ok(e::lui(rd, imm.get()))
}

/// `auipc rd, imm20`
pub fn auipc(rd: Reg, imm: Imm20) -> u32 {
    ok(e::auipc(rd, imm.get()))
}

/// `jal rd, offset`
pub fn jal(rd: Reg, offset: JumpOffset) -> u32 {
    ok(e::jal(rd, offset.get()))
}

/// `ecall`
pub const fn ecall() -> u32 {
    e::ecall()
}

/// `addi rd, rs, 0` (the `mv` pseudo-instruction).
pub fn mv(rd: Reg, rs: Reg) -> u32 {
    addi(rd, rs, Imm12::ZERO)
}
