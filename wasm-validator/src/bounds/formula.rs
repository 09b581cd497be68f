//! Gas bounds as formulas: polynomials with non-negative rational coefficients over named,
//! non-negative inputs (`1234 + 7/4·calldata_size`).
//!
//! Every operation keeps a formula an **upper bound**: sums and products of upper bounds of
//! non-negative quantities are upper bounds, and the coefficient-wise maximum of two
//! formulas bounds both of them (all inputs are non-negative, all coefficients too).
//! Arithmetic that overflows 128 bits makes the formula [`Formula::is_overflow`], which
//! callers report as unbounded.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A named, non-negative input a bound may depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    /// `calldata_size()` (bytes of calldata).
    CalldataSize,
    /// `returndata_size()`: the largest size of the return data observed.
    ReturndataSize,
    /// `constants_size()`.
    ConstantsSize,
    /// `code_size()`.
    CodeSize,
    /// The unsigned little-endian integer of `len` calldata bytes at `offset`, read from
    /// memory that `calldata_copy` filled (`calldata[4..8]`).
    Calldata {
        /// First calldata byte.
        offset: u32,
        /// Number of bytes (1, 2, 4 or 8).
        len: u8,
    },
    /// The largest unsigned value loaded (`len` bytes, little-endian) from the constant
    /// address `addr` of linear memory (`mem[0x100..0x104]`).
    Memory {
        /// Address.
        addr: u32,
        /// Number of bytes.
        len: u8,
    },
    /// Parameter `n` of the function (unsigned): only inside a function's own formula.
    Param(u32),
    /// The value of `local` at the header of loop `loop` (internal to the analysis of one
    /// function; never in a reported formula).
    LoopVar {
        /// Loop id within the function.
        loop_id: u32,
        /// Local index.
        local: u32,
    },
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CalldataSize => f.write_str("calldata_size"),
            Self::ReturndataSize => f.write_str("returndata_size"),
            Self::ConstantsSize => f.write_str("constants_size"),
            Self::CodeSize => f.write_str("code_size"),
            Self::Calldata { offset, len } => {
                write!(f, "calldata[{offset}..{}]", u64::from(*offset) + u64::from(*len))
            }
            Self::Memory { addr, len } => {
                write!(f, "mem[{addr:#x}..{:#x}]", u64::from(*addr) + u64::from(*len))
            }
            Self::Param(n) => write!(f, "p{n}"),
            Self::LoopVar { loop_id, local } => write!(f, "loop{loop_id}.local{local}"),
        }
    }
}

impl Var {
    /// Parses a name as [`Var`]'s `Display` writes it (not loop variables).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        match s {
            "calldata_size" => return Some(Self::CalldataSize),
            "returndata_size" => return Some(Self::ReturndataSize),
            "constants_size" => return Some(Self::ConstantsSize),
            "code_size" => return Some(Self::CodeSize),
            _ => {}
        }
        if let Some(n) = s.strip_prefix('p') {
            return n.parse().ok().map(Self::Param);
        }
        let (name, range) = s.split_once('[')?;
        let range = range.strip_suffix(']')?;
        let (a, b) = range.split_once("..")?;
        let (a, b) = (parse_num(a)?, parse_num(b)?);
        let len = u8::try_from(b.checked_sub(a)?).ok()?;
        let a = u32::try_from(a).ok()?;
        match name {
            "calldata" => Some(Self::Calldata { offset: a, len }),
            "mem" => Some(Self::Memory { addr: a, len }),
            _ => None,
        }
    }

    /// Whether the variable is internal to one function's analysis.
    pub fn is_local(&self) -> bool {
        matches!(self, Self::Param(_) | Self::LoopVar { .. })
    }
}

fn parse_num(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// A non-negative rational number `n / d`, reduced, `d > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    n: u128,
    d: u128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    /// Zero.
    pub const ZERO: Ratio = Ratio { n: 0, d: 1 };

    /// `n / d` (`None` if `d` is zero).
    pub fn new(n: u128, d: u128) -> Option<Self> {
        if d == 0 {
            return None;
        }
        let g = gcd(n, d).max(1);
        Some(Self { n: n / g, d: d / g })
    }

    /// An integer.
    pub fn int(n: u128) -> Self {
        Self { n, d: 1 }
    }

    /// Numerator and denominator.
    pub fn parts(self) -> (u128, u128) {
        (self.n, self.d)
    }

    fn add(self, o: Self) -> Option<Self> {
        let g = gcd(self.d, o.d).max(1);
        let d = (self.d / g).checked_mul(o.d)?;
        let n = self.n.checked_mul(d / self.d)?.checked_add(o.n.checked_mul(d / o.d)?)?;
        Self::new(n, d)
    }

    fn mul(self, o: Self) -> Option<Self> {
        let g1 = gcd(self.n, o.d).max(1);
        let g2 = gcd(o.n, self.d).max(1);
        let n = (self.n / g1).checked_mul(o.n / g2)?;
        let d = (self.d / g2).checked_mul(o.d / g1)?;
        Self::new(n, d)
    }

    /// The larger of the two; when the exact comparison would overflow, an integer at
    /// least both (still an upper bound of each).
    fn max(self, o: Self) -> Self {
        match (self.n.checked_mul(o.d), o.n.checked_mul(self.d)) {
            (Some(x), Some(y)) => {
                if x >= y {
                    self
                } else {
                    o
                }
            }
            _ => Self::int(self.ceil().max(o.ceil())),
        }
    }

    /// The smallest integer at least the ratio.
    pub fn ceil(self) -> u128 {
        self.n.div_ceil(self.d)
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.d == 1 {
            write!(f, "{}", self.n)
        } else {
            write!(f, "{}/{}", self.n, self.d)
        }
    }
}

/// A product of variables (with repetition), sorted; empty for the constant term.
pub type Monomial = Vec<Var>;

/// A polynomial with non-negative rational coefficients over [`Var`]s.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Formula {
    terms: BTreeMap<Monomial, Ratio>,
    overflow: bool,
}

impl Formula {
    /// Zero.
    pub fn zero() -> Self {
        Self::default()
    }

    /// A constant.
    pub fn constant(c: u128) -> Self {
        let mut f = Self::zero();
        if c != 0 {
            f.terms.insert(Vec::new(), Ratio::int(c));
        }
        f
    }

    /// A variable.
    pub fn var(v: Var) -> Self {
        let mut f = Self::zero();
        f.terms.insert(alloc::vec![v], Ratio::int(1));
        f
    }

    /// A formula that overflowed: reported as unbounded.
    pub fn overflowed() -> Self {
        Self { terms: BTreeMap::new(), overflow: true }
    }

    /// Whether an operation overflowed 128 bits.
    pub fn is_overflow(&self) -> bool {
        self.overflow
    }

    /// Whether the formula is zero.
    pub fn is_zero(&self) -> bool {
        !self.overflow && self.terms.is_empty()
    }

    /// The terms, monomial by monomial.
    pub fn terms(&self) -> impl Iterator<Item = (&Monomial, Ratio)> + '_ {
        self.terms.iter().map(|(m, r)| (m, *r))
    }

    /// The value if the formula has no variables (rounded up), `None` otherwise or on
    /// overflow.
    pub fn as_constant(&self) -> Option<u128> {
        if self.overflow {
            return None;
        }
        match self.terms.len() {
            0 => Some(0),
            1 => self.terms.get(&Vec::new()).map(|r| r.ceil()),
            _ => None,
        }
    }

    /// The same formula with its constant term rounded up to an integer (still a bound;
    /// reads better).
    pub fn round_up_constant(&self) -> Self {
        let mut out = self.clone();
        if let Some(c) = out.terms.get_mut(&Vec::new()) {
            *c = Ratio::int(c.ceil());
        }
        out
    }

    /// Every variable that occurs.
    pub fn vars(&self) -> Vec<Var> {
        let mut out: Vec<Var> = self.terms.keys().flatten().copied().collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn insert(&mut self, m: Monomial, r: Ratio) {
        if r == Ratio::ZERO {
            return;
        }
        match self.terms.get_mut(&m) {
            Some(old) => match old.add(r) {
                Some(sum) => *old = sum,
                None => self.overflow = true,
            },
            None => {
                self.terms.insert(m, r);
            }
        }
    }

    /// `self + o`.
    pub fn add(&self, o: &Self) -> Self {
        let mut out = self.clone();
        out.overflow |= o.overflow;
        for (m, r) in &o.terms {
            out.insert(m.clone(), *r);
        }
        out
    }

    /// `self + c`.
    pub fn add_const(&self, c: u128) -> Self {
        self.add(&Self::constant(c))
    }

    /// `self · o`.
    pub fn mul(&self, o: &Self) -> Self {
        let mut out = Self::zero();
        out.overflow = self.overflow || o.overflow;
        for (ma, ra) in &self.terms {
            for (mb, rb) in &o.terms {
                let mut m = ma.clone();
                m.extend_from_slice(mb);
                m.sort_unstable();
                match ra.mul(*rb) {
                    Some(r) => out.insert(m, r),
                    None => out.overflow = true,
                }
            }
        }
        out
    }

    /// `self · r`.
    pub fn scale(&self, r: Ratio) -> Self {
        let mut out = Self::zero();
        out.overflow = self.overflow;
        for (m, c) in &self.terms {
            match c.mul(r) {
                Some(p) => out.insert(m.clone(), p),
                None => out.overflow = true,
            }
        }
        out
    }

    /// A formula at least both: the coefficient-wise maximum.
    pub fn max(&self, o: &Self) -> Self {
        let mut out = self.clone();
        out.overflow |= o.overflow;
        for (m, r) in &o.terms {
            match out.terms.get_mut(m) {
                Some(old) => *old = old.max(*r),
                None => {
                    out.terms.insert(m.clone(), *r);
                }
            }
        }
        out
    }

    /// Replaces variables: `f(v)` gives the replacement, `None` keeps the variable.
    pub fn subst(&self, mut f: impl FnMut(Var) -> Option<Formula>) -> Self {
        let mut out = Self::zero();
        out.overflow = self.overflow;
        for (m, r) in &self.terms {
            let mut term = Self::constant(1).scale(*r);
            let mut kept: Monomial = Vec::new();
            for v in m {
                match f(*v) {
                    Some(x) => term = term.mul(&x),
                    None => kept.push(*v),
                }
            }
            if !kept.is_empty() {
                let mut k = Self::zero();
                k.terms.insert(kept, Ratio::int(1));
                term = term.mul(&k);
            }
            out = out.add(&term);
        }
        out
    }

    /// The value for the inputs `env` gives (rounded up); `None` if a variable has no value
    /// or on overflow.
    pub fn eval(&self, env: impl Fn(Var) -> Option<u128>) -> Option<u128> {
        if self.overflow {
            return None;
        }
        let mut total = Ratio::ZERO;
        for (m, r) in &self.terms {
            let mut term = *r;
            for v in m {
                term = term.mul(Ratio::int(env(*v)?))?;
            }
            total = total.add(term)?;
        }
        Some(total.ceil())
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.overflow {
            return f.write_str("(overflow)");
        }
        if self.terms.is_empty() {
            return f.write_str("0");
        }
        let mut first = true;
        for (m, r) in &self.terms {
            if !first {
                f.write_str(" + ")?;
            }
            first = false;
            if m.is_empty() {
                write!(f, "{r}")?;
                continue;
            }
            if *r != Ratio::int(1) {
                write!(f, "{r}·")?;
            }
            let mut i = 0;
            while i < m.len() {
                let mut j = i + 1;
                while j < m.len() && m[j] == m[i] {
                    j += 1;
                }
                if i > 0 {
                    f.write_str("·")?;
                }
                write!(f, "{}", m[i])?;
                if j - i > 1 {
                    write!(f, "^{}", j - i)?;
                }
                i = j;
            }
        }
        Ok(())
    }
}

/// Formats a formula to a string (for reports).
pub fn to_string(f: &Formula) -> String {
    alloc::format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn arithmetic_and_display() {
        let n = Formula::var(Var::CalldataSize);
        let f = Formula::constant(1234).add(&n.scale(Ratio::new(7, 4).unwrap()));
        assert_eq!(f.to_string(), "1234 + 7/4·calldata_size");
        assert_eq!(f.eval(|_| Some(100)), Some(1234 + 175));
        assert_eq!(f.eval(|_| Some(1)), Some(1236));
        let sq = n.mul(&n).add(&n);
        assert_eq!(sq.to_string(), "calldata_size + calldata_size^2");
        assert_eq!(Formula::constant(5).as_constant(), Some(5));
        assert_eq!(f.as_constant(), None);
        assert_eq!(f.vars(), alloc::vec![Var::CalldataSize]);
    }

    #[test]
    fn max_bounds_both() {
        let a = Formula::constant(10).add(&Formula::var(Var::Param(0)).scale(Ratio::int(3)));
        let b = Formula::constant(20).add(&Formula::var(Var::Param(1)));
        let m = a.max(&b);
        for (x, y) in [(0, 0), (5, 1), (1, 100)] {
            let env = |v: Var| match v {
                Var::Param(0) => Some(x),
                _ => Some(y),
            };
            let mv = m.eval(env).unwrap();
            assert!(mv >= a.eval(env).unwrap() && mv >= b.eval(env).unwrap());
        }
    }

    #[test]
    fn substitution() {
        let f = Formula::constant(2).add(&Formula::var(Var::Param(0)).scale(Ratio::int(5)));
        let g = f.subst(|v| match v {
            Var::Param(0) => Some(Formula::var(Var::CalldataSize).add_const(1)),
            _ => None,
        });
        assert_eq!(g.to_string(), "7 + 5·calldata_size");
    }

    #[test]
    fn overflow_is_sticky() {
        let big = Formula::constant(u128::MAX);
        assert!(big.add(&big).is_overflow());
        assert!(big.mul(&Formula::constant(2)).is_overflow());
        assert_eq!(big.add(&big).as_constant(), None);
    }

    #[test]
    fn names_round_trip() {
        for v in [
            Var::CalldataSize,
            Var::ReturndataSize,
            Var::Calldata { offset: 4, len: 4 },
            Var::Memory { addr: 0x100, len: 8 },
            Var::Param(3),
        ] {
            assert_eq!(Var::parse(&v.to_string()), Some(v), "{v}");
        }
        assert_eq!(Var::parse("nope"), None);
    }
}
