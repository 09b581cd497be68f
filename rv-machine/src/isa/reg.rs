//! Integer registers `x0`..`x31` and their ABI names.

/// An integer register, `x0`..=`x31`. `x0` reads as zero and ignores writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(u8);

const ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2",
    "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

impl Reg {
    /// `x0`, hard-wired to zero.
    pub const ZERO: Reg = Reg(0);
    /// `x1`, return address.
    pub const RA: Reg = Reg(1);
    /// `x2`, stack pointer.
    pub const SP: Reg = Reg(2);
    /// `x3`, global pointer.
    pub const GP: Reg = Reg(3);
    /// `x4`, thread pointer.
    pub const TP: Reg = Reg(4);
    /// `x5`.
    pub const T0: Reg = Reg(5);
    /// `x6`.
    pub const T1: Reg = Reg(6);
    /// `x7`.
    pub const T2: Reg = Reg(7);
    /// `x8`, also the frame pointer.
    pub const S0: Reg = Reg(8);
    /// `x9`.
    pub const S1: Reg = Reg(9);
    /// `x10`, first argument and return value.
    pub const A0: Reg = Reg(10);
    /// `x11`.
    pub const A1: Reg = Reg(11);
    /// `x12`.
    pub const A2: Reg = Reg(12);
    /// `x13`.
    pub const A3: Reg = Reg(13);
    /// `x14`.
    pub const A4: Reg = Reg(14);
    /// `x15`.
    pub const A5: Reg = Reg(15);
    /// `x16`.
    pub const A6: Reg = Reg(16);
    /// `x17`, the syscall number register.
    pub const A7: Reg = Reg(17);
    /// `x18`.
    pub const S2: Reg = Reg(18);
    /// `x19`.
    pub const S3: Reg = Reg(19);
    /// `x20`.
    pub const S4: Reg = Reg(20);
    /// `x21`.
    pub const S5: Reg = Reg(21);
    /// `x22`.
    pub const S6: Reg = Reg(22);
    /// `x23`.
    pub const S7: Reg = Reg(23);
    /// `x24`.
    pub const S8: Reg = Reg(24);
    /// `x25`.
    pub const S9: Reg = Reg(25);
    /// `x26`.
    pub const S10: Reg = Reg(26);
    /// `x27`.
    pub const S11: Reg = Reg(27);
    /// `x28`.
    pub const T3: Reg = Reg(28);
    /// `x29`.
    pub const T4: Reg = Reg(29);
    /// `x30`.
    pub const T5: Reg = Reg(30);
    /// `x31`.
    pub const T6: Reg = Reg(31);

    /// `x{n}`, or `None` if `n > 31`.
    pub const fn new(n: u32) -> Option<Reg> {
        if n < 32 {
            Some(Reg(n as u8))
        } else {
            None
        }
    }

    /// The register named by the low five bits of `bits` (as a decoder extracts it).
    pub(crate) const fn from_field(bits: u32) -> Reg {
        Reg((bits & 31) as u8)
    }

    /// The register number, `0..=31`.
    pub const fn index(self) -> u8 {
        self.0
    }

    /// The register number as a `u32` field value.
    pub(crate) const fn field(self) -> u32 {
        self.0 as u32
    }

    /// The ABI name used by the disassembler (`zero`, `ra`, `sp`, `a0`, ...).
    pub const fn abi_name(self) -> &'static str {
        ABI_NAMES[self.0 as usize]
    }

    /// All 32 registers, `x0` first.
    pub fn all() -> impl Iterator<Item = Reg> {
        (0u8..32).map(Reg)
    }
}

impl core::fmt::Display for Reg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.abi_name())
    }
}
