//! 256-bit integers: Solidity's `uint256` is [`U256`], ruint's `Uint<256, 4>` (the type
//! alloy-primitives calls `U256`), with its whole arithmetic: `+ - * / %` (panicking on
//! overflow and division by zero in debug builds, wrapping in release, as Rust integers do),
//! `checked_*`, `wrapping_*`, `overflowing_*` and `saturating_*` forms, shifts (`<<`, `>>`
//! by `usize`), bit operations (`& | ^ !`), `Ord`, `pow`, `mul_mod`/`add_mod`,
//! conversions from and to the primitive integers (`U256::from(5u64)`,
//! `u64::try_from(x)`), and big-endian bytes (`U256::from_be_bytes(word)`,
//! `x.to_be_bytes::<32>()`). ruint is `no_std` without an allocator, so the same type
//! builds for `wasm32` and for native RV64IM contracts.
//!
//! Solidity's `int256` has no type of its own here: a signed value is a [`U256`] read as
//! two's complement, and [`signed`] gives the operations whose result depends on the sign
//! (division, remainder, comparison, arithmetic shift, negation), as the EVM's `SDIV`,
//! `SMOD`, `SLT`, `SGT` and `SAR` do.
//!
//! ```
//! use zkos_sdk::U256;
//! let shares = U256::from(1_000u64);
//! let assets = U256::from(3_000u64);
//! // ERC-4626 style: shares for a deposit, rounding down.
//! let deposit = U256::from(250u64);
//! assert_eq!(deposit * shares / assets, U256::from(83u64));
//! assert_eq!(U256::MAX.checked_add(U256::ONE), None);
//! assert_eq!(U256::ONE << 255usize >> 254usize, U256::from(2u64));
//! ```

use crate::types::Word;

/// An unsigned 256-bit integer (ruint's `Uint<256, 4>`).
pub use ruint::aliases::U256;

/// The value as a 32-byte big-endian word (a storage value, a topic, an ABI word).
pub const fn to_word(v: &U256) -> Word {
    v.to_be_bytes::<32>()
}

/// The value of a 32-byte big-endian word.
pub const fn from_word(w: &Word) -> U256 {
    U256::from_be_bytes::<32>(*w)
}

/// Two's complement operations: a [`U256`] read as Solidity's `int256`.
pub mod signed {
    use core::cmp::Ordering;

    use super::U256;

    /// The most negative value, -2^255.
    pub const MIN: U256 = U256::from_limbs([0, 0, 0, 1 << 63]);
    /// The largest value, 2^255 - 1.
    pub const MAX: U256 = U256::from_limbs([u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 1]);

    /// Whether `v` is negative (its top bit is set).
    pub const fn is_negative(v: U256) -> bool {
        v.as_limbs()[3] >> 63 == 1
    }

    /// `-v` (wrapping: `-MIN` is `MIN`).
    pub const fn neg(v: U256) -> U256 {
        v.wrapping_neg()
    }

    /// `|v|` as an unsigned value (so `abs(MIN)` is 2^255).
    pub const fn unsigned_abs(v: U256) -> U256 {
        if is_negative(v) {
            v.wrapping_neg()
        } else {
            v
        }
    }

    /// From an `i128`, sign-extended.
    pub fn from_i128(v: i128) -> U256 {
        let magnitude = U256::from(v.unsigned_abs());
        if v < 0 {
            magnitude.wrapping_neg()
        } else {
            magnitude
        }
    }

    /// The value as an `i128`, if it fits.
    pub fn to_i128(v: U256) -> Option<i128> {
        let magnitude = u128::try_from(unsigned_abs(v)).ok()?;
        if is_negative(v) {
            0i128.checked_sub_unsigned(magnitude)
        } else {
            i128::try_from(magnitude).ok()
        }
    }

    /// Signed comparison.
    pub fn cmp(a: U256, b: U256) -> Ordering {
        match (is_negative(a), is_negative(b)) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Same sign: two's complement orders like the unsigned value.
            _ => a.cmp(&b),
        }
    }

    /// `a / b` rounding towards zero; `None` if `b` is zero or the quotient overflows
    /// (`MIN / -1`), where Solidity's checked arithmetic panics.
    pub fn checked_div(a: U256, b: U256) -> Option<U256> {
        if b.is_zero() || (a == MIN && b == U256::MAX) {
            return None;
        }
        Some(wrapping_div(a, b))
    }

    /// `a / b` rounding towards zero, as the EVM's `SDIV`: zero for a zero divisor, and
    /// `MIN / -1` is `MIN`.
    pub fn wrapping_div(a: U256, b: U256) -> U256 {
        if b.is_zero() {
            return U256::ZERO;
        }
        let q = unsigned_abs(a) / unsigned_abs(b);
        if is_negative(a) != is_negative(b) {
            q.wrapping_neg()
        } else {
            q
        }
    }

    /// `a % b` with the sign of `a`, as the EVM's `SMOD` (zero for a zero divisor).
    pub fn wrapping_rem(a: U256, b: U256) -> U256 {
        if b.is_zero() {
            return U256::ZERO;
        }
        let r = unsigned_abs(a) % unsigned_abs(b);
        if is_negative(a) {
            r.wrapping_neg()
        } else {
            r
        }
    }

    /// `a + b`, or `None` if the signed sum overflows.
    pub fn checked_add(a: U256, b: U256) -> Option<U256> {
        let s = a.wrapping_add(b);
        // Overflow: both operands have one sign and the sum the other.
        let overflow = is_negative(a) == is_negative(b) && is_negative(s) != is_negative(a);
        (!overflow).then_some(s)
    }

    /// `a - b`, or `None` if the signed difference overflows.
    pub fn checked_sub(a: U256, b: U256) -> Option<U256> {
        let d = a.wrapping_sub(b);
        let overflow = is_negative(a) != is_negative(b) && is_negative(d) != is_negative(a);
        (!overflow).then_some(d)
    }

    /// `a * b`, or `None` if the signed product overflows.
    pub fn checked_mul(a: U256, b: U256) -> Option<U256> {
        let m = unsigned_abs(a).checked_mul(unsigned_abs(b))?;
        if is_negative(a) != is_negative(b) {
            // The magnitude may reach 2^255 (MIN) when negative.
            (m <= MIN).then(|| m.wrapping_neg())
        } else {
            (m <= MAX).then_some(m)
        }
    }

    /// `v >> shift` filling with the sign bit, as the EVM's `SAR`.
    pub fn sar(v: U256, shift: usize) -> U256 {
        v.arithmetic_shr(shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cmp::Ordering;

    fn big(hi: u128, lo: u128) -> U256 {
        (U256::from(hi) << 128usize) | U256::from(lo)
    }

    #[test]
    fn bytes_round_trip_and_limb_order() {
        let mut w = [0u8; 32];
        for (i, b) in w.iter_mut().enumerate() {
            *b = i as u8;
        }
        let v = from_word(&w);
        assert_eq!(to_word(&v), w);
        assert_eq!(v.as_limbs()[0], 0x18191a1b1c1d1e1f);
        assert_eq!(v.as_limbs()[3], 0x0001020304050607);
        assert_eq!(to_word(&U256::from(258u64))[30..], [1, 2]);
    }

    #[test]
    fn arithmetic_across_limbs() {
        let x = U256::from(u128::MAX);
        assert_eq!(x.checked_mul(x), Some(big(u128::MAX - 1, 1)));
        assert_eq!(big(1, 0).checked_mul(big(1, 0)), None);
        assert_eq!(U256::MAX.wrapping_add(U256::ONE), U256::ZERO);
        assert_eq!(U256::ZERO.checked_sub(U256::ONE), None);
        // Division and remainder with a divisor over 128 bits.
        let n = big(0x1234_5678_9abc_def0, 42);
        let d = big(3, 7);
        let (q, r) = (n / d, n % d);
        assert_eq!(q * d + r, n);
        assert!(r < d);
        assert_eq!(n.checked_div(U256::ZERO), None);
        assert_eq!(n.checked_rem(U256::ZERO), None);
        assert_eq!((U256::ONE << 200usize) >> 199usize, U256::from(2u64));
        assert_eq!(U256::MAX >> 255usize, U256::ONE);
        assert_eq!(big(0xff, 0xf0) & big(0x0f, 0xff), big(0x0f, 0xf0));
        assert_eq!(!U256::ZERO, U256::MAX);
        assert!(big(1, 0) > big(0, u128::MAX));
        assert_eq!(u64::try_from(U256::from(7u64)).ok(), Some(7));
        assert!(u64::try_from(big(1, 0)).is_err());
        assert_eq!(U256::from(3u64).pow(U256::from(5u64)), U256::from(243u64));
        assert_eq!(U256::from(10u64).mul_mod(U256::from(10u64), U256::from(7u64)), U256::from(2u64));
    }

    #[test]
    fn signed_matches_evm_semantics() {
        use signed::*;
        let m = |v: i128| from_i128(v);
        assert_eq!(wrapping_div(m(-7), m(2)), m(-3), "rounds towards zero");
        assert_eq!(wrapping_rem(m(-7), m(2)), m(-1), "sign of the dividend");
        assert_eq!(wrapping_rem(m(7), m(-2)), m(1));
        assert_eq!(wrapping_div(MIN, U256::MAX), MIN, "SDIV(MIN, -1) = MIN");
        assert_eq!(checked_div(MIN, U256::MAX), None);
        assert_eq!(checked_div(m(5), U256::ZERO), None);
        assert_eq!(cmp(m(-1), m(1)), Ordering::Less);
        assert_eq!(cmp(m(-1), m(-2)), Ordering::Greater);
        assert_eq!(sar(m(-8), 2), m(-2));
        assert_eq!(sar(m(8), 2), m(2));
        assert_eq!(to_i128(m(-5)), Some(-5));
        assert_eq!(to_i128(m(i128::MIN)), Some(i128::MIN));
        assert_eq!(to_i128(MIN), None);
        assert_eq!(checked_add(MAX, U256::ONE), None);
        assert_eq!(checked_add(m(-3), m(1)), Some(m(-2)));
        assert_eq!(checked_sub(MIN, U256::ONE), None);
        assert_eq!(checked_mul(m(-3), m(4)), Some(m(-12)));
        assert_eq!(checked_mul(MIN, U256::MAX), None, "MIN * -1 overflows");
        assert_eq!(checked_mul(m(1) << 254usize, m(-2)), Some(MIN));
        assert_eq!(unsigned_abs(MIN), U256::ONE << 255usize);
        assert_eq!(neg(m(5)), m(-5));
        assert!(is_negative(MIN) && !is_negative(MAX));
    }
}
