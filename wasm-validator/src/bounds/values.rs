//! Symbolic values of one function: an arena of expressions over the function's inputs,
//! with upper bounds.
//!
//! Values are immutable (a local holds a value; assigning it a new one does not change the
//! old), so a fact about a value stays true wherever it is known. Linear expressions are
//! kept in a canonical form (`c + Σ kᵢ·atomᵢ` modulo 2^width), so `end - start` of two
//! values built from the same atoms simplifies exactly. Structurally equal expressions share
//! an id, except opaque values and joins, which are unique: two unknown values are never
//! assumed equal.

use alloc::vec;
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::formula::{Formula, Ratio, Var};

/// An expression id.
pub type Id = u32;

/// The width of an integer value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum W {
    /// 32 bits.
    I32,
    /// 64 bits.
    I64,
}

impl W {
    /// Number of bits.
    pub fn bits(self) -> u32 {
        match self {
            Self::I32 => 32,
            Self::I64 => 64,
        }
    }

    /// The largest unsigned value.
    pub fn max(self) -> u64 {
        match self {
            Self::I32 => u64::from(u32::MAX),
            Self::I64 => u64::MAX,
        }
    }

    /// Reduces `v` modulo 2^width.
    pub fn wrap(self, v: u64) -> u64 {
        v & self.max()
    }

    /// Whether `v` (reduced) is negative as a signed value.
    pub fn negative(self, v: u64) -> bool {
        v >> (self.bits() - 1) & 1 == 1
    }
}

/// Non-linear binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// Multiplication of two non-constant values.
    Mul,
    /// Unsigned division.
    DivU,
    /// Signed division.
    DivS,
    /// Unsigned remainder.
    RemU,
    /// Signed remainder.
    RemS,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise xor.
    Xor,
    /// Shift left by a non-constant amount.
    Shl,
    /// Logical shift right.
    ShrU,
    /// Arithmetic shift right.
    ShrS,
    /// Rotations and anything else without useful bounds.
    Other,
}

/// Comparisons (their result is an i32 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// Signed `<`.
    LtS,
    /// Unsigned `<`.
    LtU,
    /// Signed `>`.
    GtS,
    /// Unsigned `>`.
    GtU,
    /// Signed `<=`.
    LeS,
    /// Unsigned `<=`.
    LeU,
    /// Signed `>=`.
    GeS,
    /// Unsigned `>=`.
    GeU,
}

/// An upper bound of an unsigned value: a formula, and an absolute maximum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ub {
    /// The formula.
    pub f: Formula,
    /// No value exceeds this (at most 2^width - 1).
    pub max: u128,
}

impl Ub {
    /// A constant bound.
    pub fn constant(c: u128) -> Self {
        Self { f: Formula::constant(c), max: c }
    }
}

/// One expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A constant (reduced modulo 2^width).
    Const(W, u64),
    /// `c + Σ k·atom` modulo 2^width, at least one term, terms sorted by atom id, every
    /// coefficient non-zero (reduced).
    Lin(W, u64, Vec<(Id, u64)>),
    /// A named input or loop variable (hash-consed: one value per variable).
    Sym(W, Var),
    /// An unknown value, unique; `ub` is what is known about it.
    Opaque(W, u32, Option<UbKey>),
    /// One of two values (where control flow joins), unique.
    Join(W, u32, Id, Id),
    /// A non-linear operation.
    Bin(W, BinOp, Id, Id),
    /// A comparison of two `W` values.
    Cmp(W, CmpOp, Id, Id),
    /// `eqz` of a `W` value.
    Eqz(W, Id),
    /// i64 extension of an i32 value (`true`: signed).
    Ext(bool, Id),
    /// i32 wrap of an i64 value.
    Wrap(Id),
    /// Count of bits (`clz`, `ctz`, `popcnt`): at most the width.
    Count(W, Id),
}

/// What is known about an opaque value (hashable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UbKey {
    /// At most this constant.
    Max(u64),
    /// At most the variable (which names its worst case).
    Var(Var),
}

/// The arena.
#[derive(Default)]
pub struct Values {
    nodes: Vec<Node>,
    dedup: HashMap<Node, Id>,
    ubs: Vec<Option<Option<Ub>>>,
    unique: u32,
}

/// Largest bound of a value derived only from its type and a shift or a division that is
/// still considered informative (a mask or a shift chosen by the programmer).
const INFORMATIVE: u64 = 1 << 20;

impl Values {
    /// The id the next new value will get: every value created from now on has an id at
    /// least this.
    pub fn next_id(&self) -> Id {
        u32::try_from(self.nodes.len()).unwrap_or(u32::MAX)
    }

    /// The node of `id`.
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id as usize]
    }

    fn intern(&mut self, n: Node) -> Id {
        if let Some(id) = self.dedup.get(&n) {
            return *id;
        }
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(n.clone());
        self.ubs.push(None);
        self.dedup.insert(n, id);
        id
    }

    fn push_unique(&mut self, n: Node) -> Id {
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(n);
        self.ubs.push(None);
        id
    }

    fn next_unique(&mut self) -> u32 {
        self.unique = self.unique.wrapping_add(1);
        self.unique
    }

    /// The width of a value.
    pub fn width(&self, id: Id) -> W {
        match self.node(id) {
            Node::Const(w, _)
            | Node::Lin(w, ..)
            | Node::Sym(w, _)
            | Node::Opaque(w, ..)
            | Node::Join(w, ..)
            | Node::Bin(w, ..)
            | Node::Count(w, _) => *w,
            Node::Cmp(..) | Node::Eqz(..) | Node::Wrap(_) => W::I32,
            Node::Ext(..) => W::I64,
        }
    }

    /// A constant.
    pub fn constant(&mut self, w: W, v: u64) -> Id {
        self.intern(Node::Const(w, w.wrap(v)))
    }

    /// The constant value of `id`, if it is one.
    pub fn as_const(&self, id: Id) -> Option<u64> {
        match self.node(id) {
            Node::Const(_, v) => Some(*v),
            _ => None,
        }
    }

    /// A named input or loop variable.
    pub fn sym(&mut self, w: W, v: Var) -> Id {
        self.intern(Node::Sym(w, v))
    }

    /// A fresh unknown value.
    pub fn opaque(&mut self, w: W, ub: Option<UbKey>) -> Id {
        let u = self.next_unique();
        self.push_unique(Node::Opaque(w, u, ub))
    }

    /// The value that is `a` on one path and `b` on another.
    pub fn join(&mut self, a: Id, b: Id) -> Id {
        if a == b {
            return a;
        }
        let w = self.width(a);
        let u = self.next_unique();
        self.push_unique(Node::Join(w, u, a, b))
    }

    /// The linear form of a value: constant and terms.
    pub fn linear(&self, id: Id) -> (u64, Vec<(Id, u64)>) {
        match self.node(id) {
            Node::Const(_, v) => (*v, Vec::new()),
            Node::Lin(_, c, t) => (*c, t.clone()),
            _ => (0, vec![(id, 1)]),
        }
    }

    /// The value of a linear form (canonical).
    pub fn make_linear(&mut self, w: W, c: u64, mut terms: Vec<(Id, u64)>) -> Id {
        terms.sort_unstable_by_key(|t| t.0);
        let mut merged: Vec<(Id, u64)> = Vec::with_capacity(terms.len());
        for (a, k) in terms {
            match merged.last_mut() {
                Some(last) if last.0 == a => last.1 = w.wrap(last.1.wrapping_add(k)),
                _ => merged.push((a, w.wrap(k))),
            }
        }
        merged.retain(|t| t.1 != 0);
        let c = w.wrap(c);
        match merged.as_slice() {
            [] => self.constant(w, c),
            [(a, 1)] if c == 0 => *a,
            _ => self.intern(Node::Lin(w, c, merged)),
        }
    }

    /// `a + b`.
    pub fn add(&mut self, w: W, a: Id, b: Id) -> Id {
        let (ca, mut ta) = self.linear(a);
        let (cb, tb) = self.linear(b);
        ta.extend(tb);
        self.make_linear(w, ca.wrapping_add(cb), ta)
    }

    /// `k · a`.
    pub fn scale(&mut self, w: W, a: Id, k: u64) -> Id {
        let (c, t) = self.linear(a);
        let t = t.into_iter().map(|(x, m)| (x, m.wrapping_mul(k))).collect();
        self.make_linear(w, c.wrapping_mul(k), t)
    }

    /// `a - b`.
    pub fn sub(&mut self, w: W, a: Id, b: Id) -> Id {
        let nb = self.scale(w, b, w.max());
        self.add(w, a, nb)
    }

    /// A binary operation (folding constants and linear cases).
    pub fn bin(&mut self, w: W, op: BinOp, a: Id, b: Id) -> Id {
        let (ca, cb) = (self.as_const(a), self.as_const(b));
        if let (Some(x), Some(y)) = (ca, cb) {
            if let Some(v) = fold(w, op, x, y) {
                return self.constant(w, v);
            }
        }
        match (op, ca, cb) {
            (BinOp::Mul, Some(k), _) => return self.scale(w, b, k),
            (BinOp::Mul, _, Some(k)) => return self.scale(w, a, k),
            (BinOp::Shl, _, Some(k)) => {
                let k = k % u64::from(w.bits());
                return self.scale(w, a, 1u64 << k);
            }
            (BinOp::ShrU | BinOp::ShrS, _, Some(k)) if k % u64::from(w.bits()) == 0 => return a,
            _ => {}
        }
        self.intern(Node::Bin(w, op, a, b))
    }

    /// A comparison (folded for constants).
    pub fn cmp(&mut self, w: W, op: CmpOp, a: Id, b: Id) -> Id {
        if let (Some(x), Some(y)) = (self.as_const(a), self.as_const(b)) {
            return self.constant(W::I32, u64::from(compare(w, op, x, y)));
        }
        self.intern(Node::Cmp(w, op, a, b))
    }

    /// `eqz a`.
    pub fn eqz(&mut self, w: W, a: Id) -> Id {
        if let Some(x) = self.as_const(a) {
            return self.constant(W::I32, u64::from(x == 0));
        }
        self.intern(Node::Eqz(w, a))
    }

    /// i64 extension.
    pub fn ext(&mut self, signed: bool, a: Id) -> Id {
        if let Some(x) = self.as_const(a) {
            let v = match signed {
                true => sign_extend32(x),
                false => x,
            };
            return self.constant(W::I64, v);
        }
        self.intern(Node::Ext(signed, a))
    }

    /// i32 wrap.
    pub fn wrap(&mut self, a: Id) -> Id {
        if let Some(x) = self.as_const(a) {
            return self.constant(W::I32, x);
        }
        // wrap(extend(x)) is x.
        if let Node::Ext(_, x) = self.node(a) {
            return *x;
        }
        self.intern(Node::Wrap(a))
    }

    /// `clz`, `ctz` or `popcnt`.
    pub fn count(&mut self, w: W, a: Id) -> Id {
        self.intern(Node::Count(w, a))
    }

    /// An upper bound of the unsigned value of `id`, or `None` when nothing better than the
    /// type's maximum is known.
    pub fn ub(&mut self, id: Id) -> Option<Ub> {
        if let Some(Some(memo)) = self.ubs.get(id as usize) {
            return memo.clone();
        }
        let r = self.compute_ub(id);
        if let Some(slot) = self.ubs.get_mut(id as usize) {
            *slot = Some(r.clone());
        }
        r
    }

    fn compute_ub(&mut self, id: Id) -> Option<Ub> {
        self.node_ub(id, &mut |v, x| v.ub(x))
    }

    /// An upper bound of the unsigned value of `id` where the atoms `known` lists are known
    /// to be at most their bounds (facts of the program point: `len <=u 4096` on a path
    /// bounds `(len + 31) >> 5` there too). Values are immutable, so a fact about an atom
    /// holds for every expression built from it at that point. The better of this and
    /// [`Self::ub`] (by absolute maximum).
    pub fn ub_assuming(&mut self, id: Id, known: &[(Id, Ub)]) -> Option<Ub> {
        let Some(first) = known.iter().map(|k| k.0).min() else { return self.ub(id) };
        let mut memo = HashMap::new();
        self.ub_rec(id, first, known, &mut memo)
    }

    fn ub_rec(&mut self, id: Id, first: Id, known: &[(Id, Ub)], memo: &mut HashMap<Id, Option<Ub>>) -> Option<Ub> {
        let plain = self.ub(id);
        // Operands are interned before what uses them: an older value mentions no atom of
        // `known`.
        if id < first {
            return plain;
        }
        if let Some(r) = memo.get(&id) {
            return r.clone();
        }
        let derived = match known.iter().find(|k| k.0 == id) {
            Some(k) => Some(k.1.clone()),
            None => self.node_ub(id, &mut |v, x| v.ub_rec(x, first, known, memo)),
        };
        let r = match (plain, derived) {
            (Some(p), Some(d)) => Some(if d.max < p.max { d } else { p }),
            (p, d) => p.or(d),
        };
        memo.insert(id, r.clone());
        r
    }

    /// The bound of node `id` from its operands' bounds (`child`).
    fn node_ub(&mut self, id: Id, child: &mut dyn FnMut(&mut Self, Id) -> Option<Ub>) -> Option<Ub> {
        let node = self.node(id).clone();
        match node {
            Node::Const(_, v) => Some(Ub::constant(u128::from(v))),
            Node::Sym(w, v) => Some(Ub { f: Formula::var(v), max: u128::from(var_max(w, v)) }),
            Node::Opaque(w, _, ub) => match ub? {
                UbKey::Max(m) => Some(Ub::constant(u128::from(m.min(w.max())))),
                UbKey::Var(v) => Some(Ub { f: Formula::var(v), max: u128::from(var_max(w, v)) }),
            },
            Node::Join(_, _, a, b) => {
                let (ua, ub) = (child(self, a)?, child(self, b)?);
                Some(Ub { f: ua.f.max(&ub.f), max: ua.max.max(ub.max) })
            }
            Node::Lin(w, c, terms) => {
                let half = 1u64 << (w.bits() - 1);
                if c >= half || terms.iter().any(|t| t.1 >= half) {
                    return None;
                }
                let mut f = Formula::constant(u128::from(c));
                let mut max = u128::from(c);
                for (a, k) in terms {
                    let u = child(self, a)?;
                    f = f.add(&u.f.scale(Ratio::int(u128::from(k))));
                    max = max.saturating_add(u.max.saturating_mul(u128::from(k)));
                }
                Some(Ub { f, max: max.min(u128::from(w.max())) })
            }
            Node::Bin(w, op, a, b) => self.ub_bin(w, op, a, b, child),
            Node::Cmp(..) | Node::Eqz(..) => Some(Ub::constant(1)),
            Node::Ext(false, a) => child(self, a),
            Node::Ext(true, a) => child(self, a).filter(|u| u.max < 1 << 31),
            Node::Wrap(a) => child(self, a).filter(|u| u.max <= u128::from(u32::MAX)),
            Node::Count(w, _) => Some(Ub::constant(u128::from(w.bits()))),
        }
    }

    fn ub_bin(
        &mut self,
        w: W,
        op: BinOp,
        a: Id,
        b: Id,
        child: &mut dyn FnMut(&mut Self, Id) -> Option<Ub>,
    ) -> Option<Ub> {
        let cb = self.as_const(b);
        match op {
            BinOp::And => {
                let (ua, ubb) = (child(self, a), child(self, b));
                match (ua, ubb) {
                    (Some(x), Some(y)) => Some(if x.max <= y.max { x } else { y }),
                    (Some(x), None) | (None, Some(x)) => Some(x),
                    (None, None) => None,
                }
            }
            BinOp::Or | BinOp::Xor => {
                let (x, y) = (child(self, a)?, child(self, b)?);
                Some(Ub { f: x.f.add(&y.f), max: x.max.saturating_add(y.max).min(u128::from(w.max())) })
            }
            BinOp::ShrU | BinOp::DivU => {
                let d = match (op, cb) {
                    (BinOp::ShrU, Some(k)) => 1u128 << (k % u64::from(w.bits())),
                    (BinOp::DivU, Some(k)) if k > 0 => u128::from(k),
                    _ => return child(self, a),
                };
                match child(self, a) {
                    Some(x) => Some(Ub { f: x.f.scale(Ratio::new(1, d)?), max: x.max / d }),
                    None => {
                        let m = u128::from(w.max()) / d;
                        (m <= u128::from(INFORMATIVE)).then(|| Ub::constant(m))
                    }
                }
            }
            BinOp::RemU => match cb {
                Some(k) if k > 0 => {
                    let m = u128::from(k - 1);
                    Some(match child(self, a) {
                        Some(x) if x.max <= m => x,
                        _ => Ub::constant(m),
                    })
                }
                _ => child(self, a),
            },
            BinOp::Mul => {
                let (x, y) = (child(self, a)?, child(self, b)?);
                Some(Ub { f: x.f.mul(&y.f), max: x.max.saturating_mul(y.max).min(u128::from(w.max())) })
            }
            BinOp::ShrS => {
                let x = child(self, a)?;
                let k = cb?;
                if x.max >= 1u128 << (w.bits() - 1) {
                    return None;
                }
                let d = 1u128 << (k % u64::from(w.bits()));
                Some(Ub { f: x.f.scale(Ratio::new(1, d)?), max: x.max / d })
            }
            BinOp::DivS | BinOp::RemS | BinOp::Shl | BinOp::Other => None,
        }
    }
}

/// The absolute maximum of a variable of width `w`.
fn var_max(w: W, v: Var) -> u64 {
    match v {
        Var::Calldata { len, .. } | Var::Memory { len, .. } if len < 8 => (1u64 << (u32::from(len) * 8)) - 1,
        _ => w.max(),
    }
}

fn sign_extend32(x: u64) -> u64 {
    let low = u32::try_from(x & 0xffff_ffff).unwrap_or(0);
    // Reinterpret the 32-bit pattern as signed, then widen.
    let signed = i32::from_ne_bytes(low.to_ne_bytes());
    u64::from_ne_bytes(i64::from(signed).to_ne_bytes())
}

fn to_signed(w: W, x: u64) -> i64 {
    match w {
        W::I32 => i64::from(i32::from_ne_bytes(u32::try_from(x & 0xffff_ffff).unwrap_or(0).to_ne_bytes())),
        W::I64 => i64::from_ne_bytes(x.to_ne_bytes()),
    }
}

/// Evaluates a comparison of constants.
pub fn compare(w: W, op: CmpOp, x: u64, y: u64) -> bool {
    let (sx, sy) = (to_signed(w, x), to_signed(w, y));
    match op {
        CmpOp::Eq => x == y,
        CmpOp::Ne => x != y,
        CmpOp::LtU => x < y,
        CmpOp::GtU => x > y,
        CmpOp::LeU => x <= y,
        CmpOp::GeU => x >= y,
        CmpOp::LtS => sx < sy,
        CmpOp::GtS => sx > sy,
        CmpOp::LeS => sx <= sy,
        CmpOp::GeS => sx >= sy,
    }
}

fn fold(w: W, op: BinOp, x: u64, y: u64) -> Option<u64> {
    let bits = u64::from(w.bits());
    Some(w.wrap(match op {
        BinOp::Mul => x.wrapping_mul(y),
        BinOp::DivU => x.checked_div(y)?,
        BinOp::RemU => x.checked_rem(y)?,
        BinOp::And => x & y,
        BinOp::Or => x | y,
        BinOp::Xor => x ^ y,
        BinOp::Shl => x << (y % bits),
        BinOp::ShrU => x >> (y % bits),
        BinOp::DivS | BinOp::RemS | BinOp::ShrS | BinOp::Other => return None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn linear_forms_cancel() {
        let mut v = Values::default();
        let p = v.sym(W::I32, Var::Param(0));
        let n = v.sym(W::I32, Var::Param(1));
        let four_n = v.scale(W::I32, n, 4);
        let end = v.add(W::I32, p, four_n);
        let d = v.sub(W::I32, end, p);
        assert_eq!(d, four_n);
        let back = v.sub(W::I32, d, four_n);
        assert_eq!(v.as_const(back), Some(0));
        // x + 0 is x itself.
        let zero = v.constant(W::I32, 0);
        assert_eq!(v.add(W::I32, p, zero), p);
    }

    #[test]
    fn bounds_of_expressions() {
        let mut v = Values::default();
        let n = v.sym(W::I32, Var::CalldataSize);
        let c4 = v.constant(W::I32, 4);
        let sum = v.add(W::I32, n, c4);
        assert_eq!(v.ub(sum).unwrap().f.to_string(), "4 + calldata_size");
        let minus = v.sub(W::I32, n, c4);
        assert_eq!(v.ub(minus), None, "n - 4 wraps when n < 4");
        let c5 = v.constant(W::I32, 5);
        let words = v.bin(W::I32, BinOp::ShrU, n, c5);
        assert_eq!(v.ub(words).unwrap().f.to_string(), "1/32·calldata_size");
        let x = v.opaque(W::I32, None);
        assert_eq!(v.ub(x), None);
        let mask = v.constant(W::I32, 0xff);
        let masked = v.bin(W::I32, BinOp::And, x, mask);
        assert_eq!(v.ub(masked).unwrap().max, 0xff);
        let c28 = v.constant(W::I32, 28);
        let top = v.bin(W::I32, BinOp::ShrU, x, c28);
        assert_eq!(v.ub(top).unwrap().max, 15);
        let c1 = v.constant(W::I32, 1);
        let half = v.bin(W::I32, BinOp::ShrU, x, c1);
        assert_eq!(v.ub(half), None, "2^31 is not informative");
        let j = v.join(c4, c5);
        assert_eq!(v.ub(j).unwrap().max, 5);
    }

    #[test]
    fn constants_fold() {
        let mut v = Values::default();
        let a = v.constant(W::I32, 7);
        let b = v.constant(W::I32, 3);
        let s = v.sub(W::I32, b, a);
        assert_eq!(v.as_const(s), Some(0xffff_fffc));
        let lt = v.cmp(W::I32, CmpOp::LtS, s, a);
        assert_eq!(v.as_const(lt), Some(1));
        let lt = v.cmp(W::I32, CmpOp::LtU, s, a);
        assert_eq!(v.as_const(lt), Some(0));
        let sh = v.bin(W::I32, BinOp::Shl, a, b);
        assert_eq!(v.as_const(sh), Some(56));
    }
}
