//! Metering elision: where the static gas bounds prove a region finite, blocks inside it
//! subtract their cost without checking, and the check happens once, later.
//!
//! **What changes.** Nothing about the gas *charged*: every block still subtracts exactly
//! its cost at its entry, in the same order. Only the check `if gas < 0 { unreachable }`
//! moves: a block whose check is elided subtracts and goes on, and the next check (or a
//! later one) sees the sum. A block keeps its check ([`Emit::Charge`]) when it
//!
//! 1. calls a host function: host functions read the gas global (`gas_left`, the 63/64 of
//!    `call`, SSTORE's 2300 stipend check, every charge), so they must see the true,
//!    non-negative amount and never run after the point where the unelided module would
//!    have stopped;
//! 2. leaves the function (`return`, the final `end`, a branch to the function's label), so
//!    a function never returns with charges it made unchecked (the engine reads the global
//!    after an export returns);
//! 3. is the header of a loop whose trip count is not a known constant, so every
//!    unbounded repetition checks (each iteration charges at least one gas);
//!
//! and a block of cost zero that must check emits the check alone ([`Emit::Check`]) when an
//! unchecked charge may be pending. Recursive functions, and functions whose own code
//! could charge more than 2^40 gas between two checks, keep every check.
//!
//! **Why the outcome is identical.** Take a run of the unelided module. If it never runs
//! out of gas, the gas global is never negative, so no elided check would have fired and
//! both modules do the same thing. If it runs out of gas at some check, the elided module
//! has the same gas value there (same subtractions) but continues; until its next check it
//! runs only the module's own code (no host function: those blocks check first; no return
//! from the function: exits check), for a bounded number of steps (no unbounded loop: their
//! headers check; no recursion: recursive functions check every block), then either
//! reaches a check, which traps because gas only decreased, or traps earlier (bad memory
//! access, division by zero, `unreachable`, a helper's own check) with a negative gas
//! global, which engines report as out of gas too. Memory writes and anything else it did
//! in between are discarded with the frame. Either way the frame ends out of gas with all
//! its gas consumed: the same observable result, the same gas used. The gas global cannot
//! wrap around: between two checks a run charges at most the unchecked code of each
//! function on the call stack once (each at most 2^40, fewer than 2^14 functions), far
//! from 2^63.

use alloc::vec;
use alloc::vec::Vec;

use super::{FunctionGraph, ModuleBounds, Target};
use crate::flow::{ElisionStats, Emit, Plan};

/// Most gas a function's own code may charge between two checks for its checks to be
/// elided.
pub const MAX_UNCHECKED: u128 = 1 << 40;

/// The plan for a module (`None` if the analysis fails: then nothing is elided).
pub fn plan(wasm: &[u8]) -> Option<Plan> {
    let b = super::analyze(wasm).ok()?;
    Some(plan_from(&b))
}

/// The plan from an analysis.
pub fn plan_from(b: &ModuleBounds) -> Plan {
    let mut stats = ElisionStats { functions: b.functions.len(), ..ElisionStats::default() };
    let mut functions = Vec::with_capacity(b.functions.len());
    for f in &b.functions {
        let full: Vec<Emit> =
            f.graph.nodes.iter().map(|n| if n.block.cost > 0 { Emit::Charge } else { Emit::Nothing }).collect();
        stats.checks_before += full.iter().filter(|e| **e == Emit::Charge).count();
        let emits = match (f.recursive, function_plan(&f.graph)) {
            (false, Some(p)) => p,
            _ => full,
        };
        let kept = emits.iter().filter(|e| matches!(e, Emit::Charge | Emit::Check)).count();
        if emits.contains(&Emit::Subtract) {
            stats.functions_elided += 1;
        }
        stats.checks_after += kept;
        functions.push(emits);
    }
    Plan { functions, stats }
}

/// The constant number of back edges of loop `l`, if known.
fn constant_trip(g: &FunctionGraph, l: u32) -> Option<u128> {
    let lp = g.loops.get(l as usize)?;
    lp.trip.as_ref().ok()?.back_edges.as_constant()
}

/// How many times a block of loop `innermost` may run per pass through the innermost loop
/// without a constant trip count around it (product of `trip + 1` of the constant loops).
fn multiplicity(g: &FunctionGraph, innermost: Option<u32>) -> u128 {
    let mut m: u128 = 1;
    let mut l = innermost;
    while let Some(id) = l {
        match constant_trip(g, id) {
            Some(j) => m = m.saturating_mul(j.saturating_add(1)),
            None => break,
        }
        l = g.loops.get(id as usize).and_then(|lp| lp.parent);
    }
    m
}

fn function_plan(g: &FunctionGraph) -> Option<Vec<Emit>> {
    let n = g.nodes.len();
    // The function's own code between checks stays small.
    let mut own: u128 = 0;
    for node in g.nodes.iter().filter(|n| n.reachable) {
        let c = u128::from(node.block.cost).saturating_mul(multiplicity(g, node.loop_id));
        own = own.saturating_add(c);
    }
    if own > MAX_UNCHECKED {
        return None;
    }
    // Blocks that must check.
    let mut keep = vec![false; n];
    for (i, node) in g.nodes.iter().enumerate() {
        if !node.reachable {
            keep[i] = true;
            continue;
        }
        let exits = node.succs.iter().any(|e| e.to == Target::Exit);
        keep[i] = exits || !node.host.is_empty();
    }
    for (id, l) in g.loops.iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        if constant_trip(g, id).is_none() {
            if let Some(k) = keep.get_mut(l.header as usize) {
                *k = true;
            }
        }
    }
    // Whether an unchecked charge may be pending at each block's entry (a caller's
    // pending charge at the function's entry).
    let mut dirty_in = vec![false; n];
    if let Some(d) = dirty_in.first_mut() {
        *d = true;
    }
    let checks = |i: usize, dirty: bool| keep[i] && (g.nodes[i].block.cost > 0 || dirty);
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..n {
            let node = &g.nodes[i];
            let out = !checks(i, dirty_in[i]) && (dirty_in[i] || node.block.cost > 0);
            if !out {
                continue;
            }
            for e in &node.succs {
                if let Target::Node(t) = e.to {
                    if let Some(d) = dirty_in.get_mut(t as usize) {
                        if !*d {
                            *d = true;
                            changed = true;
                        }
                    }
                }
            }
        }
    }
    Some(
        (0..n)
            .map(|i| match (g.nodes[i].block.cost > 0, keep[i], dirty_in[i]) {
                (true, true, _) => Emit::Charge,
                (true, false, _) => Emit::Subtract,
                (false, true, true) => Emit::Check,
                (false, _, _) => Emit::Nothing,
            })
            .collect(),
    )
}
