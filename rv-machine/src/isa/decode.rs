//! Word to [`Inst`]: find the table row whose fixed bits match, then extract the operands of
//! its format.

use super::{Format, Inst, Opcode, Reg};

/// Decodes one 32-bit instruction word, or `None` if it is not an RV64IM instruction
/// (including every compressed, floating-point, atomic, CSR and privileged encoding, the
/// all-zero word, and reserved encodings such as `slliw` with shamt bit 5 set).
pub fn decode(word: u32) -> Option<Inst> {
    let op = lookup(word)?;
    let rd = Reg::from_field(word >> 7);
    let rs1 = Reg::from_field(word >> 15);
    let rs2 = Reg::from_field(word >> 20);
    Some(match op.format() {
        Format::R => Inst::R { op, rd, rs1, rs2 },
        Format::I => Inst::I { op, rd, rs1, imm: imm_i(word) },
        Format::Ish => Inst::Shift { op, rd, rs1, shamt: (word >> 20) & 63 },
        Format::Ishw => Inst::Shift { op, rd, rs1, shamt: (word >> 20) & 31 },
        Format::S => Inst::S { op, rs1, rs2, imm: imm_s(word) },
        Format::B => Inst::B { op, rs1, rs2, offset: imm_b(word) },
        Format::U => Inst::U { op, rd, imm20: imm_u20(word) },
        Format::J => Inst::J { op, rd, offset: imm_j(word) },
        Format::Fence => {
            Inst::Fence { fm: nibble(word >> 28), pred: nibble(word >> 24), succ: nibble(word >> 20), rd, rs1 }
        }
        Format::Sys => Inst::Sys { op },
    })
}

/// Most rows that share one major opcode (`OP` has 18).
const MAX_ROWS: usize = 20;
const NONE: u8 = u8::MAX;

/// Row indices grouped by major opcode (bits 6:2; bits 1:0 are always `11`).
const BY_MAJOR: [[u8; MAX_ROWS]; 32] = group_by_major();

const fn group_by_major() -> [[u8; MAX_ROWS]; 32] {
    let mut table = [[NONE; MAX_ROWS]; 32];
    let mut i = 0;
    while i < Opcode::COUNT {
        let major = (Opcode::ALL[i].major() >> 2) as usize;
        let mut j = 0;
        // Evaluated at compile time: a group larger than MAX_ROWS fails the build.
        while table[major][j] != NONE {
            j += 1;
        }
        table[major][j] = i as u8;
        i += 1;
    }
    table
}

/// The table row matching `word`, if any.
pub(crate) fn lookup(word: u32) -> Option<Opcode> {
    if word & 3 != 3 {
        // Compressed (or all-zero) encodings.
        return None;
    }
    BY_MAJOR[((word >> 2) & 31) as usize]
        .iter()
        .take_while(|&&i| i != NONE)
        .map(|&i| Opcode::ALL[usize::from(i)])
        .find(|op| word & op.mask() == op.match_bits())
}

/// The low four bits.
fn nibble(bits: u32) -> u8 {
    (bits & 0xF) as u8
}

/// Reinterprets the word as signed so that `>>` sign-extends from bit 31.
fn signed(word: u32) -> i32 {
    i32::from_ne_bytes(word.to_ne_bytes())
}

/// I-format immediate: `word[31:20]`, sign-extended.
pub(crate) fn imm_i(word: u32) -> i32 {
    signed(word) >> 20
}

/// S-format immediate: `word[31:25] : word[11:7]`, sign-extended.
pub(crate) fn imm_s(word: u32) -> i32 {
    ((signed(word) >> 25) << 5) | ((word >> 7) & 0x1F) as i32
}

/// B-format offset: `imm[12|10:5]` in `word[31:25]`, `imm[4:1|11]` in `word[11:7]`.
pub(crate) fn imm_b(word: u32) -> i32 {
    let sign = (signed(word) >> 31) << 12;
    let b11 = ((word >> 7) & 1) << 11;
    let b10_5 = ((word >> 25) & 0x3F) << 5;
    let b4_1 = ((word >> 8) & 0xF) << 1;
    sign | (b11 | b10_5 | b4_1) as i32
}

/// U-format: `word[31:12]` as a signed 20-bit value.
pub(crate) fn imm_u20(word: u32) -> i32 {
    signed(word) >> 12
}

/// J-format offset: `imm[20|10:1|11|19:12]` in `word[31:12]`.
pub(crate) fn imm_j(word: u32) -> i32 {
    let sign = (signed(word) >> 31) << 20;
    let b19_12 = word & 0x000F_F000;
    let b11 = ((word >> 20) & 1) << 11;
    let b10_1 = ((word >> 21) & 0x3FF) << 1;
    sign | (b19_12 | b11 | b10_1) as i32
}
