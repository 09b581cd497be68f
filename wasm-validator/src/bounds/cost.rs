//! The worst-case gas of a function from its graph: node costs (the block's weight, host
//! functions, run-time charges, callees' bounds with their arguments substituted), loops
//! collapsed innermost first, then the longest path from the entry.
//!
//! WASM control flow is reducible and every forward edge goes to a later node, so within a
//! loop (with its inner loops collapsed) and at the top level the graph is a DAG in code
//! order. A loop whose back edges are taken at most `J` times costs
//! `J · (longest path from its header to a back edge)` plus, on each way out, the longest
//! path from the header to that exit: every iteration but the last ends at a back edge,
//! the last leaves the loop (or ends the call).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use host_abi::functions::HostFn;

use super::formula::{Formula, Var};
use super::graph::{CallTarget, FunctionGraph, Reason, ReasonKind, Target};
use super::module::ModuleView;

/// A host function as a function's report lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostSummary {
    /// Call sites reachable from the function (its own and its callees').
    pub sites: u32,
    /// Worst-case cost of one call, when it does not depend on the function's arguments.
    pub worst: Option<Formula>,
}

/// The result for one function.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The bound (a formula in the function's parameters and inputs), or why none.
    pub bound: Result<Formula, Reason>,
    /// Whether calls or creates may forward gas beyond the bound.
    pub forwards: bool,
    /// Host functions reachable.
    pub host: BTreeMap<u32, HostSummary>,
    /// How worst cases were capped.
    pub notes: Vec<String>,
}

impl Summary {
    /// A function with no bound.
    pub fn unbounded(r: Reason) -> Self {
        Self { bound: Err(r), forwards: false, host: BTreeMap::new(), notes: Vec::new() }
    }
}

/// Where a unit's out-edge goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    Node(u32, bool),
    End,
}

#[derive(Clone, Debug)]
struct Unit {
    cost: Formula,
    out: Vec<(Out, Formula)>,
}

/// The functions a `call_indirect` of type `ty` may reach: those in element segments with
/// that signature.
pub fn indirect_targets(m: &ModuleView<'_>, ty: u32) -> Vec<u32> {
    let Some(sig) = m.type_sig(ty) else { return Vec::new() };
    m.table_funcs.iter().copied().filter(|f| m.sig(*f) == Some(sig)).collect()
}

fn has_local_var(f: &Formula, pred: impl Fn(&Var) -> bool) -> Option<Var> {
    f.vars().into_iter().find(|v| pred(v))
}

struct Costing<'a, 'm> {
    m: &'a ModuleView<'m>,
    g: &'a FunctionGraph,
    summaries: &'a [Option<Summary>],
    cyclic_with: &'a dyn Fn(u32) -> bool,
    forwards: bool,
    host: BTreeMap<u32, HostSummary>,
    notes: Vec<String>,
}

fn record_host(map: &mut BTreeMap<u32, HostSummary>, f: HostFn, sites: u32, worst: Option<&Formula>) {
    let worst = worst.filter(|w| !w.vars().iter().any(Var::is_local)).cloned();
    let e = map.entry(f.number()).or_insert(HostSummary { sites: 0, worst: Some(Formula::zero()) });
    e.sites = e.sites.saturating_add(sites);
    e.worst = match (e.worst.take(), worst) {
        (Some(a), Some(b)) => Some(a.max(&b)),
        _ => None,
    };
}

impl Costing<'_, '_> {
    /// The cost of one call to defined function `f` with argument bounds `args`.
    fn callee(&mut self, f: u32, args: &[Option<super::values::Ub>], offset: usize) -> Result<Formula, Reason> {
        let me = self.g.index;
        if (self.cyclic_with)(f) {
            return Err(Reason::new(
                ReasonKind::Recursion,
                format!("recursion: function {me} calls function {f}, which calls it back"),
                me,
                offset,
            ));
        }
        let Some(Some(s)) = self.summaries.get(f as usize) else {
            return Err(Reason::new(
                ReasonKind::Recursion,
                format!("function {f} is not analyzed before its caller (a cycle)"),
                me,
                offset,
            ));
        };
        let bound = s.bound.clone().map_err(|r| r.through(me, offset))?;
        self.forwards |= s.forwards;
        for (num, h) in &s.host {
            if let Some(hf) = HostFn::from_number(*num) {
                record_host(&mut self.host, hf, h.sites, h.worst.as_ref());
            }
        }
        let mut missing = None;
        let out = bound.subst(|v| match v {
            Var::Param(i) => match args.get(i as usize) {
                Some(Some(u)) => Some(u.f.clone()),
                _ => {
                    missing.get_or_insert(i);
                    None
                }
            },
            _ => None,
        });
        if let Some(i) = missing {
            return Err(Reason::new(
                ReasonKind::Argument,
                format!(
                    "call to function {f} passes parameter {i} with no known bound, and the callee's bound ({}) depends on it", bound.round_up_constant()
                ),
                me,
                offset,
            ));
        }
        Ok(out)
    }

    /// The cost of node `i` (its block, run-time charges and calls).
    fn node_cost(&mut self, i: usize) -> Result<Formula, Reason> {
        let n = &self.g.nodes[i];
        if let Some(b) = n.blockers.first() {
            return Err(b.clone());
        }
        let mut cost = Formula::constant(u128::from(n.block.cost)).add(&n.extra);
        for h in &n.host {
            self.forwards |= h.forwards;
            record_host(&mut self.host, h.f, 1, Some(&h.cost));
        }
        for note in &n.notes {
            if self.notes.len() < 16 {
                self.notes.push(note.clone());
            }
        }
        for c in &n.calls {
            let c_cost = match c.target {
                CallTarget::Direct(f) => self.callee(f, &c.args, c.offset)?,
                CallTarget::Indirect(ty) => {
                    let mut worst = Formula::zero();
                    for f in indirect_targets(self.m, ty) {
                        let one = match self.m.host(f) {
                            Some(hf) => {
                                return Err(Reason::new(
                                    ReasonKind::IndirectCall,
                                    format!(
                                        "call_indirect may call host function {} through the table",
                                        hf.import_name()
                                    ),
                                    self.g.index,
                                    c.offset,
                                ))
                            }
                            None => self.callee(f, &c.args, c.offset).map_err(|r| Reason {
                                kind: if r.kind == ReasonKind::Recursion {
                                    ReasonKind::Recursion
                                } else {
                                    ReasonKind::IndirectCall
                                },
                                message: format!("call_indirect may call function {f}: {}", r.message),
                                ..r
                            })?,
                        };
                        worst = worst.max(&one);
                    }
                    worst
                }
            };
            cost = cost.add(&c_cost);
        }
        Ok(cost)
    }
}

/// Longest paths over the units at `region` (ascending, entry first): the distance of
/// each unit, the longest path to each back edge to `header`, and the exits.
struct Paths {
    dist: BTreeMap<u32, Formula>,
    back: Option<Formula>,
    exits: Vec<(Out, Formula)>,
    /// An edge went backwards without being a back edge of the loop (never in valid code).
    backwards: bool,
}

fn longest(units: &[Option<Unit>], region: &[u32], header: Option<u32>, inside: impl Fn(u32) -> bool) -> Paths {
    let mut incoming: BTreeMap<u32, Formula> = BTreeMap::new();
    let mut dist: BTreeMap<u32, Formula> = BTreeMap::new();
    let mut back: Option<Formula> = None;
    let mut exits: Vec<(Out, Formula)> = Vec::new();
    let mut backwards = false;
    for (k, &i) in region.iter().enumerate() {
        let Some(u) = units[i as usize].as_ref() else { continue };
        let d = match (k, incoming.remove(&i)) {
            (0, _) => u.cost.clone(),
            (_, Some(inc)) => inc.add(&u.cost),
            (_, None) => continue,
        };
        for (out, w) in &u.out {
            let total = d.add(w);
            match *out {
                Out::Node(t, true) if Some(t) == header => {
                    back = Some(match back.take() {
                        Some(b) => b.max(&total),
                        None => total,
                    });
                }
                Out::Node(t, _) if t > i && inside(t) => {
                    let e = incoming.entry(t).or_insert_with(Formula::zero);
                    *e = e.max(&total);
                }
                Out::Node(t, _) if inside(t) => backwards = true,
                other => match exits.iter_mut().find(|(o, _)| *o == other) {
                    Some((_, f)) => *f = f.max(&total),
                    None => exits.push((other, total)),
                },
            }
        }
        dist.insert(i, d);
    }
    Paths { dist, back, exits, backwards }
}

/// Computes the summary of function graph `g`.
pub fn summarize(
    m: &ModuleView<'_>,
    g: &FunctionGraph,
    summaries: &[Option<Summary>],
    cyclic_with: &dyn Fn(u32) -> bool,
) -> Summary {
    let mut c = Costing { m, g, summaries, cyclic_with, forwards: false, host: BTreeMap::new(), notes: Vec::new() };
    let bound = bound(&mut c);
    Summary { bound, forwards: c.forwards, host: c.host, notes: c.notes }
}

fn inconsistent(g: &FunctionGraph, offset: usize) -> Reason {
    Reason::new(
        ReasonKind::Loop,
        String::from("a backward edge that is not a loop's back edge (the analysis refuses to guess)"),
        g.index,
        offset,
    )
}

fn bound(c: &mut Costing<'_, '_>) -> Result<Formula, Reason> {
    let g = c.g;
    let n = g.nodes.len();
    let mut units: Vec<Option<Unit>> = vec![None; n];
    for (i, node) in g.nodes.iter().enumerate() {
        if !node.reachable {
            continue;
        }
        let cost = c.node_cost(i)?;
        let mut out: Vec<(Out, Formula)> = node
            .succs
            .iter()
            .map(|e| {
                let o = match e.to {
                    Target::Node(t) => Out::Node(t, e.back),
                    Target::Exit => Out::End,
                };
                (o, Formula::zero())
            })
            .collect();
        if out.is_empty() {
            out.push((Out::End, Formula::zero()));
        }
        units[i] = Some(Unit { cost, out });
    }
    // The representative unit of each node once loops are collapsed.
    let mut absorbed = vec![false; n];
    for (id, l) in g.loops.iter().enumerate().rev() {
        let h = l.header as usize;
        if units.get(h).is_none_or(Option::is_none) {
            continue;
        }
        let region: Vec<u32> =
            (l.header..=l.last.max(l.header)).filter(|&i| (i as usize) < n && !absorbed[i as usize]).collect();
        let trip = l.trip.clone()?;
        let (lo, hi) = (l.header, l.last);
        let paths = longest(&units, &region, Some(l.header), |t| t > lo && t <= hi);
        if paths.backwards {
            return Err(inconsistent(g, l.offset));
        }
        let id32 = u32::try_from(id).unwrap_or(u32::MAX);
        let subst = |f: &Formula| {
            f.subst(|v| match v {
                Var::LoopVar { loop_id, local } if loop_id == id32 => {
                    trip.var_ubs.iter().find(|(l, _)| *l == local).map(|(_, u)| u.clone())
                }
                _ => None,
            })
        };
        let check = |f: Formula| -> Result<Formula, Reason> {
            if let Some(v) = has_local_var(&f, |v| matches!(v, Var::LoopVar { loop_id, .. } if *loop_id == id32)) {
                let local = match v {
                    Var::LoopVar { local, .. } => local,
                    _ => 0,
                };
                return Err(Reason::new(
                    ReasonKind::Loop,
                    format!("code in this loop depends on local {local}, which the loop changes with no known bound"),
                    g.index,
                    l.offset,
                ));
            }
            Ok(f)
        };
        let back = check(subst(&paths.back.unwrap_or_default()))?;
        let j = check(subst(&trip.back_edges))?;
        let cost = j.mul(&back);
        let mut exits = Vec::with_capacity(paths.exits.len());
        for (o, w) in paths.exits {
            exits.push((o, check(subst(&w))?));
        }
        for &i in &region {
            if i != l.header {
                absorbed[i as usize] = true;
                units[i as usize] = None;
            }
        }
        units[h] = Some(Unit { cost, out: exits });
    }
    let region: Vec<u32> = (0..u32::try_from(n).unwrap_or(u32::MAX)).filter(|&i| !absorbed[i as usize]).collect();
    let paths = longest(&units, &region, None, |_| true);
    let start = g.nodes.first().map_or(0, |n| n.block.start);
    if paths.backwards || paths.exits.iter().any(|(o, _)| matches!(o, Out::Node(..))) {
        return Err(inconsistent(g, start));
    }
    let mut total = Formula::zero();
    for (_, w) in &paths.exits {
        total = total.max(w);
    }
    for d in paths.dist.values() {
        total = total.max(d);
    }
    if let Some(v) = has_local_var(&total, |v| matches!(v, Var::LoopVar { .. })) {
        return Err(Reason::new(
            ReasonKind::Loop,
            format!("the bound depends on {v}, a loop variable with no known bound"),
            g.index,
            g.nodes.first().map_or(0, |n| n.block.start),
        ));
    }
    if total.is_overflow() {
        return Err(Reason::new(
            ReasonKind::Overflow,
            String::from("the bound exceeds 2^128"),
            g.index,
            g.nodes.first().map_or(0, |n| n.block.start),
        ));
    }
    Ok(total)
}
