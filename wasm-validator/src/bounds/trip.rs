//! Trip counts of loops: how many times the back edges of a loop can be taken per entry.
//!
//! A loop is bounded when some local `i` (the counter) changes by the same constant `s` on
//! every path from the header to a back edge, and every back edge is guarded by a condition
//! (a `br_if`, `if` or `br_if` out of the loop that did not leave) comparing `i + k` against
//! a loop-invariant value `B`:
//!
//! | counter | guard on the back edge | back edges taken |
//! |---|---|---|
//! | `i += s` | `i + k <u B` (or `<=u`, signed forms when `i ≥ 0`) | `⌈(B − i₀ − k) / s⌉` |
//! | `i += 1` | `i + k != B`, when `B ≥ i₀ + k` is known | `B − i₀ − k` |
//! | `i += 2^t` | `i + k != B` with `B − i₀ − k = 2^t·n`, `n ≥ 0` known | `n` |
//! | `i -= 1` | `i + k != B`, when `i₀ + k ≥ B` is known | `i₀ + k − B` |
//! | `i -= 1` | `i + k >u B` | `i₀ + k − B` |
//!
//! Each row checks that no value of the counter involved wraps around (using the largest
//! values the bounds allow), because a wrap would let the loop run on. Bounds of `B` and of
//! the counter's start use the facts known on the back edge: an invariant limit built from a
//! value compared with a constant before the loop is bounded through that comparison
//! ([`Values::ub_assuming`]). Anything else is
//! reported as unbounded with the loop's location: the analysis never guesses.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use hashbrown::HashMap;

use super::formula::{Formula, Ratio, Var};
use super::graph::Trip;
use super::ops::fact_bounds;
use super::state::Locals;
use super::values::{CmpOp, Id, Node, Ub, Values, W};

/// What the walker records about a loop.
pub struct LoopRecord {
    /// The loop's id.
    pub id: u32,
    /// Locals modified in the loop, with their widths.
    pub modified: Vec<(u32, W)>,
    /// Locals just before the loop (the counter's initial value).
    pub entry: Locals,
    /// The first value id created inside the loop: anything newer is not invariant unless
    /// it is built from older values only.
    pub mark: Id,
    /// The back edges: locals and facts on each.
    pub back: Vec<(Locals, Vec<(Id, bool)>)>,
}

/// A relation `a op b` known to hold.
#[derive(Clone, Copy, Debug)]
struct Rel {
    op: RelOp,
    signed: bool,
    w: W,
    a: Id,
    b: Id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RelOp {
    Lt,
    Le,
    Ne,
    Eq,
}

fn relation(vals: &mut Values, cond: Id, truth: bool) -> Option<Rel> {
    use CmpOp::*;
    let rel = |op, signed, w, a, b| Some(Rel { op, signed, w, a, b });
    match vals.node(cond).clone() {
        Node::Cmp(w, op, a, b) => match (op, truth) {
            (Eq, true) | (Ne, false) => rel(RelOp::Eq, false, w, a, b),
            (Ne, true) | (Eq, false) => rel(RelOp::Ne, false, w, a, b),
            (LtU, true) | (GeU, false) => rel(RelOp::Lt, false, w, a, b),
            (GtU, true) | (LeU, false) => rel(RelOp::Lt, false, w, b, a),
            (LeU, true) | (GtU, false) => rel(RelOp::Le, false, w, a, b),
            (GeU, true) | (LtU, false) => rel(RelOp::Le, false, w, b, a),
            (LtS, true) | (GeS, false) => rel(RelOp::Lt, true, w, a, b),
            (GtS, true) | (LeS, false) => rel(RelOp::Lt, true, w, b, a),
            (LeS, true) | (GtS, false) => rel(RelOp::Le, true, w, a, b),
            (GeS, true) | (LtS, false) => rel(RelOp::Le, true, w, b, a),
        },
        Node::Eqz(w, a) => {
            let zero = vals.constant(w, 0);
            let op = if truth { RelOp::Eq } else { RelOp::Ne };
            rel(op, false, w, a, zero)
        }
        _ => {
            let w = vals.width(cond);
            let zero = vals.constant(w, 0);
            let op = if truth { RelOp::Ne } else { RelOp::Eq };
            rel(op, false, w, cond, zero)
        }
    }
}

/// The analysis of one loop.
struct Ctx<'v> {
    vals: &'v mut Values,
    id: u32,
    mark: Id,
    memo: HashMap<Id, bool>,
    /// Bounds the facts of the back edge being checked give values: a limit read from
    /// memory and compared with a constant before the loop is bounded by that constant.
    known: Vec<(Id, Ub)>,
}

impl Ctx<'_> {
    /// An upper bound of `x` on the back edge being checked.
    fn ub(&mut self, x: Id) -> Option<Ub> {
        self.vals.ub_assuming(x, &self.known)
    }

    /// Whether `x` has the same value on every iteration of the loop.
    fn invariant(&mut self, x: Id) -> bool {
        if let Some(r) = self.memo.get(&x) {
            return *r;
        }
        let r = match self.vals.node(x).clone() {
            Node::Const(..) => true,
            Node::Sym(_, Var::LoopVar { loop_id, .. }) => loop_id != self.id,
            Node::Sym(..) => true,
            Node::Opaque(..) | Node::Join(..) => x < self.mark,
            Node::Lin(_, _, terms) => terms.iter().all(|(a, _)| self.invariant(*a)),
            Node::Bin(_, _, a, b) | Node::Cmp(_, _, a, b) => self.invariant(a) && self.invariant(b),
            Node::Eqz(_, a) | Node::Ext(_, a) | Node::Wrap(a) | Node::Count(_, a) => self.invariant(a),
        };
        self.memo.insert(x, r);
        r
    }

    /// `x - y` if it is a constant.
    fn offset(&mut self, w: W, x: Id, y: Id) -> Option<u64> {
        let d = self.vals.sub(w, x, y);
        self.vals.as_const(d)
    }

    /// An upper bound of `d` (a value of width `w`) as a non-negative integer, when no
    /// wrap-around is possible given the facts: every coefficient and the constant are
    /// small and positive, or the constant is −1 and a fact says the rest is not zero.
    fn nonneg_ub(&mut self, w: W, d: Id, facts: &[(Id, bool)]) -> Option<Formula> {
        if let Some(u) = self.ub(d) {
            return Some(u.f);
        }
        let (c, terms) = self.vals.linear(d);
        if c != w.max() || terms.is_empty() {
            return None;
        }
        let rest = self.vals.make_linear(w, 0, terms);
        let u = self.ub(rest)?;
        self.known_nonzero(w, rest, facts).then_some(u.f)
    }

    /// Whether the facts say `x != 0`.
    fn known_nonzero(&mut self, w: W, x: Id, facts: &[(Id, bool)]) -> bool {
        for &(cond, truth) in facts {
            let Some(r) = relation(self.vals, cond, truth) else { continue };
            if r.w != w {
                continue;
            }
            match r.op {
                RelOp::Ne => {
                    let d = self.vals.sub(w, r.a, r.b);
                    let nd = self.vals.sub(w, r.b, r.a);
                    if d == x || nd == x {
                        return true;
                    }
                }
                // c < x for a constant c (unsigned, or signed and c >= 0).
                RelOp::Lt if r.b == x && matches!(self.vals.as_const(r.a), Some(c) if !r.signed || !w.negative(c)) => {
                    return true;
                }
                // c <= x with c >= 1.
                RelOp::Le
                    if r.b == x
                        && matches!(self.vals.as_const(r.a), Some(c) if c >= 1 && (!r.signed || !w.negative(c))) =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
    }
}

/// How many back edges one guard allows, for a counter `x` (header value) starting at `v0`
/// and changing by `step` (reduced modulo 2^w).
struct Counter {
    x: Id,
    v0: Id,
    step: u64,
    w: W,
}

fn div_ceil_formula(f: &Formula, s: u64) -> Formula {
    match f.as_constant() {
        Some(c) => Formula::constant(c.div_ceil(u128::from(s))),
        None => f.add_const(u128::from(s - 1)).scale(Ratio::new(1, u128::from(s)).unwrap_or(Ratio::ZERO)),
    }
}

impl Ctx<'_> {
    /// The bound one guard gives, with a short description.
    fn guard(&mut self, c: &Counter, r: Rel, facts: &[(Id, bool)]) -> Option<(Formula, Formula, String)> {
        if r.w != c.w {
            return None;
        }
        let w = c.w;
        let half = 1u64 << (w.bits() - 1);
        let increasing = c.step < half;
        // Which side is the counter: `a = x + k` with the other side invariant.
        let (k, limit, counter_left) = if let Some(k) = self.offset(w, r.a, c.x) {
            (k, r.b, true)
        } else if let Some(k) = self.offset(w, r.b, c.x) {
            (k, r.a, false)
        } else {
            return None;
        };
        if !self.invariant(limit) {
            return None;
        }
        let v0k = {
            let kc = self.vals.constant(w, k);
            self.vals.add(w, c.v0, kc)
        };
        match (r.op, increasing, counter_left) {
            (RelOp::Lt | RelOp::Le, true, true) => self.increasing_lt(c, r, k, limit, v0k),
            (RelOp::Ne, true, _) => self.increasing_ne(c, v0k, limit, facts),
            (RelOp::Ne, false, _) if c.step == w.max() => {
                // i -= 1 until i + k == B: J <= i0 + k - B when that is non-negative.
                let d = self.vals.sub(w, v0k, limit);
                let j = self.nonneg_ub(w, d, facts)?;
                let var = self.ub(c.v0)?.f;
                Some((j, var, String::from("counts down by 1 to a limit (!=)")))
            }
            (RelOp::Lt, false, false) if c.step == w.max() && !r.signed => {
                // i -= 1 while i + k > B (unsigned): the first comparison must not wrap.
                let first = self.nonneg_ub(w, v0k, facts)?;
                let d = self.vals.sub(w, v0k, limit);
                let j = self.nonneg_ub(w, d, facts).unwrap_or(first);
                let var = self.ub(c.v0)?.f;
                Some((j, var, String::from("counts down by 1 while above a limit")))
            }
            _ => None,
        }
    }

    fn increasing_lt(&mut self, c: &Counter, r: Rel, k: u64, limit: Id, v0k: Id) -> Option<(Formula, Formula, String)> {
        let w = c.w;
        let s = c.step;
        let half = 1u64 << (w.bits() - 1);
        if k >= half {
            return None;
        }
        let top: u128 = if r.signed { u128::from(half) - 1 } else { u128::from(w.max()) };
        // `i + k <= B` is `i + k < B + 1`, when `B` is below the top (else it always holds).
        let b0 = self.ub(limit)?;
        let (limit, plus) = match r.op {
            RelOp::Le => {
                if b0.max >= top {
                    return None;
                }
                let one = self.vals.constant(w, 1);
                (self.vals.add(w, limit, one), 1u128)
            }
            _ => (limit, 0),
        };
        let b = self.ub(limit)?;
        // After a back edge, i + k < B <= top; the next value i + s + k must not wrap: any
        // limit works for a step of one, larger steps need B + s - 1 <= top.
        if s > 1 && (b0.max + plus).checked_add(u128::from(s))? > top + 1 {
            return None;
        }
        // The first comparison must not wrap either: i0 + k <= top, and a signed counter
        // must start non-negative.
        let v0 = self.ub(c.v0);
        match &v0 {
            Some(u) if u.max.checked_add(u128::from(k))? <= top => {}
            None if k == 0 && !r.signed => {}
            _ => return None,
        }
        // Back edges: ceil((B - i0 - k) / s), at most ceil(B / s).
        let d = self.vals.sub(w, limit, v0k);
        let j = match (self.vals.as_const(limit), self.vals.as_const(v0k)) {
            (Some(bc), _) if r.signed && w.negative(bc) => Formula::zero(),
            (Some(bc), Some(vc)) => Formula::constant(u128::from(bc.saturating_sub(vc)).div_ceil(u128::from(s))),
            _ => match self.ub(d) {
                Some(du) => div_ceil_formula(&du.f, s),
                None => div_ceil_formula(&b.f, s),
            },
        };
        let mut var = b.f.add_const(u128::from(s));
        if let Some(u) = v0 {
            var = var.max(&u.f);
        }
        let how = format!("counts up by {s} while {} a limit", if plus == 1 { "<=" } else { "<" });
        Some((j, var, how))
    }

    fn increasing_ne(
        &mut self,
        c: &Counter,
        v0k: Id,
        limit: Id,
        facts: &[(Id, bool)],
    ) -> Option<(Formula, Formula, String)> {
        let w = c.w;
        let s = c.step;
        if !s.is_power_of_two() {
            return None;
        }
        let d = self.vals.sub(w, limit, v0k);
        // D must be a multiple of s (as a signed linear form), then J <= D / s.
        let (dc, terms) = self.vals.linear(d);
        let signed_div = |x: u64| -> Option<u64> {
            let neg = w.negative(x);
            let mag = if neg { w.wrap(x.wrapping_neg()) } else { x };
            (mag % s == 0).then(|| {
                let q = mag / s;
                if neg {
                    w.wrap(q.wrapping_neg())
                } else {
                    q
                }
            })
        };
        let qc = signed_div(dc)?;
        let mut qt = Vec::with_capacity(terms.len());
        for (a, m) in terms {
            qt.push((a, signed_div(m)?));
        }
        let q = self.vals.make_linear(w, qc, qt);
        let j = self.nonneg_ub(w, q, facts)?;
        let mut var = self.ub(limit)?.f;
        if let Some(u) = self.ub(c.v0) {
            var = var.max(&u.f);
        }
        Some((j, var, format!("counts up by {s} until it equals a limit")))
    }
}

/// The trip count of a loop, or why none was found.
pub fn analyze(vals: &mut Values, rec: &LoopRecord) -> Result<Trip, String> {
    if rec.back.is_empty() {
        return Ok(Trip {
            back_edges: Formula::zero(),
            var_ubs: Vec::new(),
            how: String::from("no back edge: runs once"),
        });
    }
    let mut cx = Ctx { vals, id: rec.id, mark: rec.mark, memo: HashMap::new(), known: Vec::new() };
    let mut why = String::from("no local changes by a constant step on every back edge");
    for &(local, w) in &rec.modified {
        let x = cx.vals.sym(w, Var::LoopVar { loop_id: rec.id, local });
        let mut step = None;
        let mut ok = true;
        for (locals, _) in &rec.back {
            let Some(v) = locals.get(local) else {
                ok = false;
                break;
            };
            match cx.offset(w, v, x) {
                Some(s) if s != 0 && step.is_none_or(|t| t == s) => step = Some(s),
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        let (true, Some(step)) = (ok, step) else { continue };
        let Some(v0) = rec.entry.get(local) else { continue };
        let counter = Counter { x, v0, step, w };
        let mut total: Option<(Formula, Formula, String)> = None;
        let mut all = true;
        for (_, facts) in &rec.back {
            cx.known = fact_bounds(cx.vals, facts);
            let mut best: Option<(Formula, Formula, String)> = None;
            for &(cond, truth) in facts.iter().rev() {
                let Some(r) = relation(cx.vals, cond, truth) else { continue };
                if let Some(g) = cx.guard(&counter, r, facts) {
                    let better = match (&best, g.0.as_constant()) {
                        (None, _) => true,
                        (Some(b), Some(c)) => b.0.as_constant().is_none_or(|bc| c < bc),
                        (Some(_), None) => false,
                    };
                    if better {
                        best = Some(g);
                    }
                }
            }
            match best {
                Some(g) => {
                    total = Some(match total {
                        None => g,
                        Some(t) => (t.0.max(&g.0), t.1.max(&g.1), t.2),
                    })
                }
                None => {
                    all = false;
                    break;
                }
            }
        }
        if let (true, Some((j, var, how))) = (all, total) {
            return Ok(Trip { back_edges: j, var_ubs: alloc::vec![(local, var)], how: format!("local {local} {how}") });
        }
        why = format!(
            "local {local} changes by a constant step, but not every back edge is guarded by a comparison with a bounded loop-invariant limit"
        );
    }
    Err(why)
}
