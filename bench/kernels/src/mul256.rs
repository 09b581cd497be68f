//! 256-bit multiply-add loop on four 64-bit limbs (as ruint and most EVM code represent
//! U256), with 64x64→128-bit products.

use crate::mix;

/// A 256-bit integer, least significant limb first.
pub type U256 = [u64; 4];

/// The odd multiplier of the kernel.
pub const C: U256 = [0x9E37_79B9_7F4A_7C15, 0xF39C_C060_5CED_C835, 0x1082_276B_F3A2_7251, 0xF86C_6A11_D0C1_8E95];

/// `a * b` modulo 2^256 (schoolbook, upper half dropped).
pub fn mul(a: &U256, b: &U256) -> U256 {
    let mut r = [0u64; 4];
    for i in 0..4 {
        let mut carry = 0u64;
        for j in 0..4 - i {
            let t = u128::from(a[i]) * u128::from(b[j]) + u128::from(r[i + j]) + u128::from(carry);
            r[i + j] = t as u64;
            carry = (t >> 64) as u64;
        }
    }
    r
}

/// `a + x` modulo 2^256.
pub fn add_small(a: &U256, x: u64) -> U256 {
    let mut r = *a;
    let (v, mut carry) = r[0].overflowing_add(x);
    r[0] = v;
    for limb in &mut r[1..] {
        let (v, c) = limb.overflowing_add(u64::from(carry));
        *limb = v;
        carry = c;
    }
    r
}

/// The kernel: `x = x * C + i` for `i` in `0..n`, starting from `x = 1`; the limbs folded.
pub fn kernel(n: u64) -> u64 {
    let mut x: U256 = [1, 0, 0, 0];
    for i in 0..n {
        x = add_small(&mul(&x, &C), i);
    }
    x.iter().fold(0, |acc, &l| mix(acc, l))
}

#[cfg(test)]
mod tests {
    use ruint::aliases::U256 as R;

    #[test]
    fn matches_ruint() {
        let c = R::from_limbs(super::C);
        let mut want = R::from(1u64);
        let mut x: super::U256 = [1, 0, 0, 0];
        for i in 0..1000u64 {
            want = want.wrapping_mul(c).wrapping_add(R::from(i));
            x = super::add_small(&super::mul(&x, &super::C), i);
            assert_eq!(x, *want.as_limbs(), "step {i}");
        }
        let max = [u64::MAX; 4];
        assert_eq!(super::add_small(&max, 1), [0; 4]);
        assert_eq!(super::mul(&max, &max), [1, 0, 0, 0]);
    }
}
