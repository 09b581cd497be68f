//! Intervals of 256-bit words: what the EVM analysis knows about a stack value.

use ruint::aliases::U256;

/// An inclusive interval `[lo, hi]` of unsigned 256-bit words; a constant when `lo == hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Iv {
    /// Smallest possible value.
    pub lo: U256,
    /// Largest possible value.
    pub hi: U256,
}

impl Iv {
    /// Any value.
    pub const TOP: Iv = Iv { lo: U256::ZERO, hi: U256::MAX };

    /// A constant.
    pub fn k(v: U256) -> Self {
        Self { lo: v, hi: v }
    }

    /// A small constant.
    pub fn n(v: u64) -> Self {
        Self::k(U256::from(v))
    }

    /// `[lo, hi]` (ordered).
    pub fn range(lo: U256, hi: U256) -> Self {
        if lo <= hi {
            Self { lo, hi }
        } else {
            Self { lo: hi, hi: lo }
        }
    }

    /// Zero or one.
    pub fn bool() -> Self {
        Self::range(U256::ZERO, U256::from(1u8))
    }

    /// Values below 2^bits.
    pub fn bits(bits: usize) -> Self {
        match bits {
            256.. => Self::TOP,
            _ => Self::range(U256::ZERO, (U256::from(1u8) << bits) - U256::from(1u8)),
        }
    }

    /// The constant, if it is one.
    pub fn as_const(&self) -> Option<U256> {
        (self.lo == self.hi).then_some(self.hi)
    }

    /// The constant as a `u64`, if it is a small constant.
    pub fn small(&self) -> Option<u64> {
        self.as_const().and_then(|v| u64::try_from(v).ok())
    }

    /// The upper end as a `u64`, if it fits.
    pub fn hi_u64(&self) -> Option<u64> {
        u64::try_from(self.hi).ok()
    }

    /// The smallest interval containing both.
    pub fn join(&self, o: &Self) -> Self {
        Self { lo: self.lo.min(o.lo), hi: self.hi.max(o.hi) }
    }

    fn from_bool(b: bool) -> Self {
        Self::n(u64::from(b))
    }
}

fn top_bits(v: U256) -> Iv {
    Iv::bits(v.bit_len())
}

fn signed_small(a: &Iv) -> bool {
    // Both ends below 2^255: signed and unsigned orders agree.
    !a.hi.bit(255)
}

/// The result of a pure arithmetic opcode on intervals (`op` is the opcode byte; the
/// operands are in stack order, top first).
pub fn arith(op: u8, a: &[Iv]) -> Iv {
    use evm_to_wasm::opcodes::op as o;
    let x = a.first().copied().unwrap_or(Iv::TOP);
    let y = a.get(1).copied().unwrap_or(Iv::TOP);
    let z = a.get(2).copied().unwrap_or(Iv::TOP);
    let (cx, cy) = (x.as_const(), y.as_const());
    match op {
        o::ADD => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p.wrapping_add(q)),
            _ => match (x.lo.checked_add(y.lo), x.hi.checked_add(y.hi)) {
                (Some(lo), Some(hi)) => Iv::range(lo, hi),
                _ => Iv::TOP,
            },
        },
        o::SUB => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p.wrapping_sub(q)),
            _ if x.lo >= y.hi => Iv::range(x.lo - y.hi, x.hi - y.lo),
            _ => Iv::TOP,
        },
        o::MUL => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p.wrapping_mul(q)),
            _ => match x.hi.checked_mul(y.hi) {
                Some(hi) => Iv::range(x.lo.saturating_mul(y.lo), hi),
                None => Iv::TOP,
            },
        },
        o::DIV => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(if q.is_zero() { U256::ZERO } else { p / q }),
            _ if !y.lo.is_zero() => Iv::range(x.lo / y.hi, x.hi / y.lo),
            _ => Iv::range(U256::ZERO, x.hi),
        },
        o::MOD => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(if q.is_zero() { U256::ZERO } else { p % q }),
            _ if !y.hi.is_zero() => Iv::range(U256::ZERO, x.hi.min(y.hi - U256::from(1u8))),
            _ => Iv::n(0),
        },
        o::ADDMOD | o::MULMOD => match z.as_const() {
            Some(m) if m.is_zero() => Iv::n(0),
            _ if !z.hi.is_zero() => Iv::range(U256::ZERO, z.hi - U256::from(1u8)),
            _ => Iv::n(0),
        },
        o::EXP => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p.wrapping_pow(q)),
            _ => Iv::TOP,
        },
        o::LT => cmp(&x, &y),
        o::GT => cmp(&y, &x),
        o::SLT if signed_small(&x) && signed_small(&y) => cmp(&x, &y),
        o::SGT if signed_small(&x) && signed_small(&y) => cmp(&y, &x),
        o::SLT | o::SGT => match (cx, cy) {
            (Some(p), Some(q)) => {
                let (sp, sq) = (p.bit(255), q.bit(255));
                let lt = if sp != sq { sp } else { p < q };
                Iv::from_bool(if op == o::SLT { lt } else { !lt && p != q })
            }
            _ => Iv::bool(),
        },
        o::EQ => match (cx, cy) {
            (Some(p), Some(q)) => Iv::from_bool(p == q),
            _ if x.hi < y.lo || y.hi < x.lo => Iv::n(0),
            _ => Iv::bool(),
        },
        o::ISZERO => match cx {
            Some(p) => Iv::from_bool(p.is_zero()),
            None if !x.lo.is_zero() => Iv::n(0),
            None => Iv::bool(),
        },
        o::AND => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p & q),
            _ => Iv::range(U256::ZERO, x.hi.min(y.hi)),
        },
        o::OR => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p | q),
            _ => {
                let t = top_bits(x.hi.max(y.hi));
                Iv::range(x.lo.max(y.lo), t.hi)
            }
        },
        o::XOR => match (cx, cy) {
            (Some(p), Some(q)) => Iv::k(p ^ q),
            _ => top_bits(x.hi.max(y.hi)),
        },
        o::NOT => Iv::range(!x.hi, !x.lo),
        o::BYTE => match (cx, cy) {
            (Some(i), Some(v)) => match u64::try_from(i) {
                Ok(i) if i < 32 => Iv::n(u64::from(v.byte(31 - i as usize))),
                _ => Iv::n(0),
            },
            _ => Iv::bits(8),
        },
        o::SHL => match cx {
            Some(s) => match usize::try_from(s) {
                Ok(s) if s < 256 => match (cy, y.hi.leading_zeros() >= s) {
                    (Some(v), _) => Iv::k(v << s),
                    (None, true) => Iv::range(y.lo << s, y.hi << s),
                    (None, false) => Iv::TOP,
                },
                _ => Iv::n(0),
            },
            None => Iv::TOP,
        },
        o::SHR => match cx {
            Some(s) => match usize::try_from(s) {
                Ok(s) if s < 256 => Iv::range(y.lo >> s, y.hi >> s),
                _ => Iv::n(0),
            },
            None => Iv::range(U256::ZERO, y.hi),
        },
        o::SAR => match (cx, cy) {
            (Some(s), Some(v)) if !v.bit(255) => match usize::try_from(s) {
                Ok(s) if s < 256 => Iv::k(v >> s),
                _ => Iv::n(0),
            },
            (Some(s), None) if signed_small(&y) => match usize::try_from(s) {
                Ok(s) if s < 256 => Iv::range(y.lo >> s, y.hi >> s),
                _ => Iv::n(0),
            },
            _ => Iv::TOP,
        },
        o::SIGNEXTEND => match (cx, cy) {
            (Some(b), Some(v)) => match u64::try_from(b) {
                Ok(b) if b < 31 => {
                    let bits = 8 * (b as usize + 1);
                    let mask = (U256::from(1u8) << bits) - U256::from(1u8);
                    let low = v & mask;
                    Iv::k(if low.bit(bits - 1) { low | !mask } else { low })
                }
                _ => Iv::k(v),
            },
            _ => Iv::TOP,
        },
        _ => Iv::TOP,
    }
}

fn cmp(a: &Iv, b: &Iv) -> Iv {
    // a < b ?
    if a.hi < b.lo {
        Iv::n(1)
    } else if a.lo >= b.hi {
        Iv::n(0)
    } else {
        Iv::bool()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evm_to_wasm::opcodes::op;

    #[test]
    fn selector_extraction_is_exact() {
        let sel = U256::from(0xa905_9cbbu64);
        let word = Iv::range(sel << 224, (sel << 224) | ((U256::from(1u8) << 224) - U256::from(1u8)));
        let shifted = arith(op::SHR, &[Iv::n(224), word]);
        assert_eq!(shifted.as_const(), Some(sel));
        let div = arith(op::DIV, &[word, Iv::k(U256::from(1u8) << 224)]);
        assert_eq!(div.as_const(), Some(sel));
        assert_eq!(arith(op::EQ, &[shifted, Iv::k(sel)]).small(), Some(1));
        assert_eq!(arith(op::EQ, &[shifted, Iv::n(5)]).small(), Some(0));
        assert_eq!(arith(op::GT, &[shifted, Iv::n(5)]).small(), Some(1));
    }

    #[test]
    fn arithmetic_keeps_bounds() {
        let a = Iv::range(U256::from(4u8), U256::from(10u8));
        assert_eq!(arith(op::ADD, &[a, Iv::n(32)]), Iv::range(U256::from(36u8), U256::from(42u8)));
        assert_eq!(arith(op::SUB, &[a, Iv::n(2)]), Iv::range(U256::from(2u8), U256::from(8u8)));
        assert_eq!(arith(op::SUB, &[Iv::n(2), a]), Iv::TOP);
        assert_eq!(arith(op::AND, &[Iv::TOP, Iv::n(0xff)]).hi, U256::from(0xffu8));
        assert_eq!(arith(op::LT, &[a, Iv::n(11)]).small(), Some(1));
        assert_eq!(arith(op::ISZERO, &[a]).small(), Some(0));
        assert_eq!(arith(op::SHL, &[Iv::n(5), a]).hi, U256::from(320u16));
    }
}
