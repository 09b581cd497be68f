//! A small unsigned 256-bit integer: what token balances and Solidity `uint256` need
//! (checked and wrapping add, sub, mul; comparisons; big-endian bytes), nothing more.

use core::cmp::Ordering;
use core::fmt;

use crate::types::Word;

/// An unsigned 256-bit integer. Stored as four 64-bit limbs, least significant first;
/// converts to and from the ABI's 32-byte big-endian words.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct U256([u64; 4]);

impl U256 {
    /// 0.
    pub const ZERO: U256 = U256([0; 4]);
    /// 1.
    pub const ONE: U256 = U256([1, 0, 0, 0]);
    /// 2^256 - 1.
    pub const MAX: U256 = U256([u64::MAX; 4]);

    /// From limbs, least significant first.
    pub const fn from_limbs(limbs: [u64; 4]) -> U256 {
        U256(limbs)
    }

    /// The limbs, least significant first.
    pub const fn limbs(&self) -> [u64; 4] {
        self.0
    }

    /// From a `u64`.
    pub const fn from_u64(v: u64) -> U256 {
        U256([v, 0, 0, 0])
    }

    /// From a `u128`.
    pub const fn from_u128(v: u128) -> U256 {
        // Truncations: the low and high 64 bits.
        U256([v as u64, (v >> 64) as u64, 0, 0])
    }

    /// From a 32-byte big-endian word.
    pub const fn from_be_bytes(b: Word) -> U256 {
        let mut limbs = [0u64; 4];
        let mut i = 0;
        while i < 4 {
            let mut limb = 0u64;
            let mut j = 0;
            while j < 8 {
                limb = (limb << 8) | b[(3 - i) * 8 + j] as u64;
                j += 1;
            }
            limbs[i] = limb;
            i += 1;
        }
        U256(limbs)
    }

    /// To a 32-byte big-endian word.
    pub const fn to_be_bytes(&self) -> Word {
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 4 {
            let bytes = self.0[i].to_be_bytes();
            let mut j = 0;
            while j < 8 {
                out[(3 - i) * 8 + j] = bytes[j];
                j += 1;
            }
            i += 1;
        }
        out
    }

    /// Whether the value is zero.
    pub const fn is_zero(&self) -> bool {
        self.0[0] == 0 && self.0[1] == 0 && self.0[2] == 0 && self.0[3] == 0
    }

    /// The value as a `u64`, if it fits.
    pub const fn to_u64(&self) -> Option<u64> {
        if self.0[1] == 0 && self.0[2] == 0 && self.0[3] == 0 {
            Some(self.0[0])
        } else {
            None
        }
    }

    /// The value as a `u128`, if it fits.
    pub const fn to_u128(&self) -> Option<u128> {
        if self.0[2] == 0 && self.0[3] == 0 {
            Some(((self.0[1] as u128) << 64) | self.0[0] as u128)
        } else {
            None
        }
    }

    /// `self + rhs` modulo 2^256 and whether it overflowed.
    pub const fn overflowing_add(self, rhs: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut carry = false;
        let mut i = 0;
        while i < 4 {
            let (s1, c1) = self.0[i].overflowing_add(rhs.0[i]);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            out[i] = s2;
            carry = c1 || c2;
            i += 1;
        }
        (U256(out), carry)
    }

    /// `self - rhs` modulo 2^256 and whether it borrowed (`rhs > self`).
    pub const fn overflowing_sub(self, rhs: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut borrow = false;
        let mut i = 0;
        while i < 4 {
            let (d1, b1) = self.0[i].overflowing_sub(rhs.0[i]);
            let (d2, b2) = d1.overflowing_sub(borrow as u64);
            out[i] = d2;
            borrow = b1 || b2;
            i += 1;
        }
        (U256(out), borrow)
    }

    /// `self * rhs` modulo 2^256 and whether the true product needed more than 256 bits.
    pub const fn overflowing_mul(self, rhs: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut overflow = false;
        let mut i = 0;
        while i < 4 {
            let mut carry: u128 = 0;
            let mut j = 0;
            while j < 4 {
                if i + j < 4 {
                    let t = (self.0[i] as u128) * (rhs.0[j] as u128) + out[i + j] as u128 + carry;
                    out[i + j] = t as u64; // truncation: the low limb
                    carry = t >> 64;
                } else if self.0[i] != 0 && rhs.0[j] != 0 {
                    overflow = true;
                }
                j += 1;
            }
            if carry != 0 {
                overflow = true;
            }
            i += 1;
        }
        (U256(out), overflow)
    }

    /// `self + rhs`, or `None` on overflow.
    pub const fn checked_add(self, rhs: U256) -> Option<U256> {
        match self.overflowing_add(rhs) {
            (v, false) => Some(v),
            _ => None,
        }
    }

    /// `self - rhs`, or `None` if `rhs > self`.
    pub const fn checked_sub(self, rhs: U256) -> Option<U256> {
        match self.overflowing_sub(rhs) {
            (v, false) => Some(v),
            _ => None,
        }
    }

    /// `self * rhs`, or `None` on overflow.
    pub const fn checked_mul(self, rhs: U256) -> Option<U256> {
        match self.overflowing_mul(rhs) {
            (v, false) => Some(v),
            _ => None,
        }
    }

    /// `self + rhs` modulo 2^256.
    pub const fn wrapping_add(self, rhs: U256) -> U256 {
        self.overflowing_add(rhs).0
    }

    /// `self - rhs` modulo 2^256.
    pub const fn wrapping_sub(self, rhs: U256) -> U256 {
        self.overflowing_sub(rhs).0
    }

    /// `self * rhs` modulo 2^256.
    pub const fn wrapping_mul(self, rhs: U256) -> U256 {
        self.overflowing_mul(rhs).0
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        // Most significant limb first.
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<u64> for U256 {
    fn from(v: u64) -> Self {
        U256::from_u64(v)
    }
}

impl From<u128> for U256 {
    fn from(v: u128) -> Self {
        U256::from_u128(v)
    }
}

impl From<Word> for U256 {
    fn from(w: Word) -> Self {
        U256::from_be_bytes(w)
    }
}

impl From<U256> for Word {
    fn from(v: U256) -> Self {
        v.to_be_bytes()
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x")?;
        for b in self.to_be_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(hi: u128, lo: u128) -> U256 {
        let mut w = [0u8; 32];
        w[..16].copy_from_slice(&hi.to_be_bytes());
        w[16..].copy_from_slice(&lo.to_be_bytes());
        U256::from_be_bytes(w)
    }

    #[test]
    fn bytes_round_trip_and_limb_order() {
        let mut w = [0u8; 32];
        for (i, b) in w.iter_mut().enumerate() {
            *b = i as u8;
        }
        let v = U256::from_be_bytes(w);
        assert_eq!(v.to_be_bytes(), w);
        assert_eq!(v.limbs()[0], 0x18191a1b1c1d1e1f);
        assert_eq!(v.limbs()[3], 0x0001020304050607);
        assert_eq!(U256::from_u64(258).to_be_bytes()[30..], [1, 2]);
    }

    #[test]
    fn add_sub_carry_across_limbs() {
        let a = U256::from_u128(u64::MAX as u128);
        assert_eq!(a.checked_add(U256::ONE), Some(U256::from_u128(1 << 64)));
        assert_eq!(U256::MAX.checked_add(U256::ONE), None);
        assert_eq!(U256::MAX.wrapping_add(U256::ONE), U256::ZERO);
        assert_eq!(U256::ZERO.checked_sub(U256::ONE), None);
        assert_eq!(U256::ZERO.wrapping_sub(U256::ONE), U256::MAX);
        assert_eq!(big(1, 0).checked_sub(U256::ONE), Some(big(0, u128::MAX)));
    }

    #[test]
    fn mul_and_overflow() {
        let x = U256::from_u128(u128::MAX);
        // (2^128 - 1)^2 = 2^256 - 2^129 + 1
        let sq = x.checked_mul(x).unwrap();
        assert_eq!(sq, big(u128::MAX - 1, 1));
        assert_eq!(big(1, 0).checked_mul(big(1, 0)), None);
        assert_eq!(U256::MAX.checked_mul(U256::from_u64(2)), None);
        assert_eq!(U256::MAX.checked_mul(U256::ONE), Some(U256::MAX));
        assert_eq!(U256::MAX.wrapping_mul(U256::from_u64(2)), U256::MAX.wrapping_sub(U256::ONE));
        assert_eq!(big(0, 3).checked_mul(big(5, 0)), Some(big(15, 0)));
    }

    #[test]
    fn ordering_is_numeric() {
        assert!(big(1, 0) > big(0, u128::MAX));
        assert!(U256::from_u64(2) > U256::ONE);
        assert_eq!(U256::from_u64(7).to_u64(), Some(7));
        assert_eq!(big(1, 0).to_u64(), None);
        assert_eq!(big(0, u128::MAX).to_u128(), Some(u128::MAX));
    }
}
