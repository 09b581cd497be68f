//! Checked immediates: each newtype can only hold what its instruction field encodes.
//!
//! ```
//! use rv_backend::imm::{Imm12, BranchOffset};
//! assert!(Imm12::new(2047).is_some());
//! assert!(Imm12::new(2048).is_none()); // 13 bits
//! assert!(BranchOffset::new(3).is_none()); // odd
//! ```

/// A signed 12-bit immediate (`-2048..=2047`): I- and S-type instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imm12(i16);

impl Imm12 {
    /// Zero.
    pub const ZERO: Imm12 = Imm12(0);

    /// `value` if it fits in 12 signed bits.
    pub const fn new(value: i64) -> Option<Imm12> {
        if value >= -2048 && value <= 2047 {
            Some(Imm12(value as i16))
        } else {
            None
        }
    }

    /// The value.
    pub const fn get(self) -> i32 {
        self.0 as i32
    }

    /// A literal, checked where it is evaluated: use it in a `const` context
    /// (`const { Imm12::lit(16) }`), so an out-of-range literal fails the build.
    pub const fn lit(value: i64) -> Imm12 {
        match Self::new(value) {
            Some(i) => i,
            None => panic!("immediate out of range"),
        }
    }
}

/// A signed 20-bit upper immediate (`-0x80000..=0x7FFFF`): `lui`, `auipc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imm20(i32);

impl Imm20 {
    /// Zero.
    pub const ZERO: Imm20 = Imm20(0);

    /// `value` if it fits in 20 signed bits.
    pub const fn new(value: i64) -> Option<Imm20> {
        if value >= -0x80000 && value <= 0x7FFFF {
            Some(Imm20(value as i32))
        } else {
            None
        }
    }

    /// The value (the instruction's result is `value << 12`).
    pub const fn get(self) -> i32 {
        self.0
    }
}

/// A shift amount for 64-bit shifts (`0..=63`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shamt6(u8);

impl Shamt6 {
    /// `value` if it is below 64.
    pub const fn new(value: u32) -> Option<Shamt6> {
        if value < 64 {
            Some(Shamt6(value as u8))
        } else {
            None
        }
    }

    /// The amount `value % 64` (how WASM shifts use their count).
    pub const fn wrapping(value: u64) -> Shamt6 {
        Shamt6((value & 63) as u8)
    }

    /// The value.
    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

/// A shift amount for 32-bit (word) shifts (`0..=31`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shamt5(u8);

impl Shamt5 {
    /// The amount `value % 32` (how WASM shifts use their count).
    pub const fn wrapping(value: u64) -> Shamt5 {
        Shamt5((value & 31) as u8)
    }

    /// The value.
    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

/// A conditional-branch offset in bytes: even, `-4096..=4094`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BranchOffset(i16);

impl BranchOffset {
    /// `value` if a B-type instruction can encode it.
    pub const fn new(value: i64) -> Option<BranchOffset> {
        if value >= -4096 && value <= 4094 && value % 2 == 0 {
            Some(BranchOffset(value as i16))
        } else {
            None
        }
    }

    /// The value.
    pub const fn get(self) -> i32 {
        self.0 as i32
    }
}

/// A `jal` offset in bytes: even, `-0x10_0000..=0xF_FFFE` (±1 MiB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JumpOffset(i32);

impl JumpOffset {
    /// `value` if a J-type instruction can encode it.
    pub const fn new(value: i64) -> Option<JumpOffset> {
        if value >= -0x10_0000 && value <= 0xF_FFFE && value % 2 == 0 {
            Some(JumpOffset(value as i32))
        } else {
            None
        }
    }

    /// The value.
    pub const fn get(self) -> i32 {
        self.0
    }
}

/// Splits a 32-bit signed value into `lui`/`addi` parts: `(hi << 12) + lo == value`.
pub const fn split_hi_lo(value: i32) -> (Imm20, Imm12) {
    let lo = ((value << 20) >> 20) as i64; // sign-extended low 12 bits
    let hi = ((value as i64 - lo) >> 12) as i32;
    // `hi` is in 20 signed bits once wrapped: lui's result is sign-extended from bit 31.
    let hi = (hi << 12) >> 12;
    (Imm20(hi), Imm12(lo as i16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(Imm12::new(-2048).is_some() && Imm12::new(-2049).is_none());
        assert!(Imm20::new(0x7FFFF).is_some() && Imm20::new(0x80000).is_none());
        assert!(Shamt6::new(63).is_some() && Shamt6::new(64).is_none());
        assert_eq!(Shamt5::wrapping(33).get(), 1);
        assert!(BranchOffset::new(4094).is_some() && BranchOffset::new(4096).is_none());
        assert!(JumpOffset::new(-0x10_0000).is_some() && JumpOffset::new(0x10_0000).is_none());
    }

    #[test]
    fn hi_lo() {
        for v in [0, 1, -1, 2047, 2048, -2048, -2049, 0x7FFF_F800, 0x7FFF_FFFF, i32::MIN, 0x1234_5678] {
            let (hi, lo) = split_hi_lo(v);
            let lui = i64::from(hi.get() << 12) as i32;
            assert_eq!(lui.wrapping_add(lo.get()), v, "{v:#x}");
        }
    }
}
