//! Compile-time 256-bit arithmetic on little-endian limbs, for constant folding.

/// A 256-bit value, least significant limb first.
pub type W = [u64; 4];

/// Wrapping addition.
pub fn add(a: W, b: W) -> W {
    let mut r = [0; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        r[i] = s;
        carry = c1 || c2;
    }
    r
}

/// Two's complement negation.
pub fn neg(a: W) -> W {
    add(a.map(|x| !x), [1, 0, 0, 0])
}

/// Wrapping subtraction.
pub fn sub(a: W, b: W) -> W {
    add(a, neg(b))
}

/// Wrapping multiplication.
pub fn mul(a: W, b: W) -> W {
    let mut r = [0u64; 4];
    for i in 0..4 {
        let mut carry: u128 = 0;
        for j in 0..4 - i {
            let t = u128::from(a[i]) * u128::from(b[j]) + u128::from(r[i + j]) + carry;
            r[i + j] = t as u64;
            carry = t >> 64;
        }
    }
    r
}

/// Unsigned less-than.
pub fn lt(a: W, b: W) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// Signed less-than.
pub fn slt(a: W, b: W) -> bool {
    let (sa, sb) = (a[3] >> 63, b[3] >> 63);
    if sa != sb {
        return sa == 1;
    }
    lt(a, b)
}

/// Shift amount of a 256-bit shift operand, saturated at 256.
pub fn shift_amount(s: W) -> u32 {
    if s[1] | s[2] | s[3] != 0 || s[0] >= 256 {
        256
    } else {
        s[0] as u32
    }
}

/// Left shift (`s` ≥ 256 gives zero).
pub fn shl(x: W, s: u32) -> W {
    let mut r = [0; 4];
    if s >= 256 {
        return r;
    }
    let (q, b) = ((s / 64) as usize, s % 64);
    for i in q..4 {
        r[i] = x[i - q] << b;
        if b > 0 && i > q {
            r[i] |= x[i - q - 1] >> (64 - b);
        }
    }
    r
}

/// Logical right shift.
pub fn shr(x: W, s: u32) -> W {
    let mut r = [0; 4];
    if s >= 256 {
        return r;
    }
    let (q, b) = ((s / 64) as usize, s % 64);
    for i in 0..4 - q {
        r[i] = x[i + q] >> b;
        if b > 0 && i + q + 1 < 4 {
            r[i] |= x[i + q + 1] << (64 - b);
        }
    }
    r
}

/// Arithmetic right shift.
pub fn sar(x: W, s: u32) -> W {
    let negative = x[3] >> 63 == 1;
    if !negative {
        return shr(x, s);
    }
    if s >= 256 {
        return [u64::MAX; 4];
    }
    // !(!x >> s)
    shr(x.map(|l| !l), s).map(|l| !l)
}

/// Exponentiation by squaring (wrapping).
pub fn pow(mut base: W, e: W) -> W {
    let mut r = [1, 0, 0, 0];
    for limb in e {
        for bit in 0..64 {
            if limb >> bit & 1 == 1 {
                r = mul(r, base);
            }
            base = mul(base, base);
        }
    }
    r
}

/// Leading zero bits of `x` (EIP-7939's CLZ: 256 for zero).
pub fn clz(x: W) -> u64 {
    let mut n = 0;
    for limb in x.iter().rev() {
        n += u64::from(limb.leading_zeros());
        if *limb != 0 {
            break;
        }
    }
    n
}

/// Number of significant bytes (EXP's gas).
pub fn byte_len(x: W) -> u64 {
    for i in (0..4).rev() {
        if x[i] != 0 {
            return (64 * i as u64 + 64 - u64::from(x[i].leading_zeros())).div_ceil(8);
        }
    }
    0
}

/// Whether `x` is a power of two, and which.
pub fn log2_exact(x: W) -> Option<u32> {
    let ones: u32 = x.iter().map(|l| l.count_ones()).sum();
    if ones != 1 {
        return None;
    }
    let i = x.iter().position(|l| *l != 0)?;
    Some(64 * i as u32 + x[i].trailing_zeros())
}
