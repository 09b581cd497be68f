//! The RV64IM instruction set, written once.
//!
//! [`table`](self) lists every RV64I and M instruction with its format, major opcode, funct3
//! and funct7/funct6. From that list this module generates:
//!
//! - [`Opcode`], one variant per instruction, with its [`Format`] and fixed bits;
//! - the decoder [`decode`]: a `u32` word to an [`Inst`] with its operands;
//! - the encoder [`encode`]: one pure function per format (bit layout in its docs) and one
//!   constructor per instruction, e.g. [`encode::addi`];
//! - the disassembler: `Display` for [`Inst`] in objdump's no-alias style (`addi a0, a0, 1`,
//!   `ld ra, 8(sp)`), and [`Inst::display_at`] for branch targets as absolute addresses.
//!
//! Everything outside RV64IM (A, C, F, D, Zicsr, Zifencei, privileged instructions) does not
//! decode: [`decode`] returns `None`, and the machine traps with an illegal instruction.
//!
//! ```
//! use rv_machine::isa::{decode, encode, Reg};
//! let word = encode::addi(Reg::A0, Reg::A0, 1).unwrap();
//! assert_eq!(word, 0x0015_0513);
//! assert_eq!(decode(word).unwrap().to_string(), "addi a0, a0, 1");
//! ```

mod decode;
mod disasm;
pub mod encode;
mod reg;
mod table;

pub use decode::decode;
pub use disasm::{disassemble, DisplayAt};
pub use reg::Reg;
pub(crate) use table::rv64im_table;

/// The operand layout of an instruction word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Register-register: `funct7 rs2 rs1 funct3 rd opcode`.
    R,
    /// Register-immediate, loads and `jalr`: `imm[11:0] rs1 funct3 rd opcode`.
    I,
    /// 64-bit shift by immediate: `funct6 shamt[5:0] rs1 funct3 rd opcode`.
    Ish,
    /// 32-bit (word) shift by immediate: `funct7 shamt[4:0] rs1 funct3 rd opcode`.
    Ishw,
    /// Store: `imm[11:5] rs2 rs1 funct3 imm[4:0] opcode`.
    S,
    /// Conditional branch: `imm[12|10:5] rs2 rs1 funct3 imm[4:1|11] opcode`.
    B,
    /// Upper immediate: `imm[31:12] rd opcode`.
    U,
    /// Jump: `imm[20|10:1|11|19:12] rd opcode`.
    J,
    /// `fence`: `fm pred succ rs1 funct3 rd opcode`.
    Fence,
    /// `ecall`/`ebreak`: the whole word is fixed.
    Sys,
}

impl Format {
    /// The bits of a word that this format's fixed fields (opcode, funct3, funct7...) occupy.
    pub const fn mask(self) -> u32 {
        match self {
            Format::R | Format::Ishw => 0xFE00_707F,
            Format::Ish => 0xFC00_707F,
            Format::I | Format::S | Format::B | Format::Fence => 0x0000_707F,
            Format::U | Format::J => 0x0000_007F,
            Format::Sys => 0xFFFF_FFFF,
        }
    }

    /// The fixed bits for the given field values (`extra` as in the table).
    const fn fixed_bits(self, major: u32, funct3: u32, extra: u32) -> u32 {
        match self {
            Format::R | Format::Ishw => major | (funct3 << 12) | (extra << 25),
            Format::Ish => major | (funct3 << 12) | (extra << 26),
            Format::I | Format::S | Format::B | Format::Fence => major | (funct3 << 12),
            Format::U | Format::J => major,
            Format::Sys => major | (funct3 << 12) | (extra << 20),
        }
    }
}

macro_rules! define_opcodes {
    ($($V:ident $m:ident $fmt:ident $major:literal $f3:literal $extra:literal;)*) => {
        /// One RV64IM instruction (its mnemonic), as listed in the instruction table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Opcode {
            $(
                #[doc = concat!("`", stringify!($m), "`")]
                $V,
            )*
        }

        impl Opcode {
            /// Every instruction, in table order (`Opcode::ALL[op as usize] == op`).
            pub const ALL: &'static [Opcode] = &[$(Opcode::$V,)*];
            /// The number of instructions in the table.
            pub const COUNT: usize = Self::ALL.len();

            /// The assembler mnemonic, e.g. `"addiw"`.
            pub const fn mnemonic(self) -> &'static str {
                match self { $(Opcode::$V => stringify!($m),)* }
            }

            /// The operand layout.
            pub const fn format(self) -> Format {
                match self { $(Opcode::$V => Format::$fmt,)* }
            }

            /// The 7-bit major opcode (bits 6:0).
            pub const fn major(self) -> u32 {
                match self { $(Opcode::$V => $major,)* }
            }

            /// The 3-bit funct3 field (bits 14:12); 0 where the format has none.
            pub const fn funct3(self) -> u32 {
                match self { $(Opcode::$V => $f3,)* }
            }

            /// funct7 (`R`, `Ishw`), funct6 (`Ish`) or the fixed 12-bit immediate (`Sys`);
            /// 0 for the other formats.
            pub const fn extra(self) -> u32 {
                match self { $(Opcode::$V => $extra,)* }
            }
        }
    };
}

rv64im_table!(define_opcodes);

impl Opcode {
    /// The bits of a word that identify this instruction ([`Format::mask`]).
    pub const fn mask(self) -> u32 {
        self.format().mask()
    }

    /// The value of the identifying bits: `word & op.mask() == op.match_bits()`.
    pub const fn match_bits(self) -> u32 {
        self.format().fixed_bits(self.major(), self.funct3(), self.extra())
    }

    /// True for `lb`, `lh`, `lw`, `ld`, `lbu`, `lhu`, `lwu`.
    pub const fn is_load(self) -> bool {
        self.major() == 0b000_0011
    }

    /// True for the M extension (`mul` ... `remuw`).
    pub const fn is_m(self) -> bool {
        matches!(self.format(), Format::R) && self.extra() == 1
    }
}

impl core::fmt::Display for Opcode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.mnemonic())
    }
}

/// A decoded instruction: its [`Opcode`] and operands, grouped by [`Format`].
///
/// Immediates are stored sign-extended, as the hardware uses them; branch and jump offsets
/// are in bytes, relative to the instruction's own address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inst {
    /// `op rd, rs1, rs2`.
    R { op: Opcode, rd: Reg, rs1: Reg, rs2: Reg },
    /// `op rd, rs1, imm`; also loads (`op rd, imm(rs1)`) and `jalr rd, imm(rs1)`.
    /// `imm` is in `-2048..=2047`.
    I { op: Opcode, rd: Reg, rs1: Reg, imm: i32 },
    /// `op rd, rs1, shamt`: `shamt` is `0..=63` (format `Ish`) or `0..=31` (`Ishw`).
    Shift { op: Opcode, rd: Reg, rs1: Reg, shamt: u32 },
    /// `op rs2, imm(rs1)`: stores `rs2` at `rs1 + imm`, `imm` in `-2048..=2047`.
    S { op: Opcode, rs1: Reg, rs2: Reg, imm: i32 },
    /// `op rs1, rs2, offset`: `offset` even, in `-4096..=4094`.
    B { op: Opcode, rs1: Reg, rs2: Reg, offset: i32 },
    /// `op rd, imm20`: `imm20` in `-0x80000..=0x7FFFF`; the value is `imm20 << 12`,
    /// sign-extended to 64 bits.
    U { op: Opcode, rd: Reg, imm20: i32 },
    /// `jal rd, offset`: `offset` even, in `-0x10_0000..=0xF_FFFE`.
    J { op: Opcode, rd: Reg, offset: i32 },
    /// `fence pred, succ` (`fm` = 8 with `rw, rw` is `fence.tso`). `rd` and `rs1` are
    /// reserved fields that the machine ignores; they are kept so encoding round-trips.
    Fence { fm: u8, pred: u8, succ: u8, rd: Reg, rs1: Reg },
    /// `ecall` or `ebreak`.
    Sys { op: Opcode },
}

impl Inst {
    /// The instruction's opcode.
    pub const fn op(&self) -> Opcode {
        match *self {
            Inst::R { op, .. }
            | Inst::I { op, .. }
            | Inst::Shift { op, .. }
            | Inst::S { op, .. }
            | Inst::B { op, .. }
            | Inst::U { op, .. }
            | Inst::J { op, .. }
            | Inst::Sys { op } => op,
            Inst::Fence { .. } => Opcode::Fence,
        }
    }
}
