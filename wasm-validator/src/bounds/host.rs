//! Worst-case gas of each host function, from its arguments' upper bounds.
//!
//! The price is host-abi's, the one the system layer charges: [`host_abi::charge::worst`]
//! gives it for the dearest state (cold accesses, an SSTORE that sets a fresh slot, value
//! moving to a new account) as a fixed part and terms linear in arguments, and this module
//! bounds each term by the bound of its argument. Gas a call or a create forwards to another
//! frame is not part of the cost: the caller is charged what the callee uses, at most the
//! gas it forwards, which only the caller's gas limit bounds (EIP-150 forwards all but 1/64
//! of what is left). Such calls are flagged `forwards`; a `call` whose `gas` argument has a
//! known bound adds that bound instead.
//!
//! Lengths that only a trap would make larger than the memory are capped at the memory's
//! maximum size: a call that returns or reverts has copied at most that many bytes.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use host_abi::charge::{worst, Cap, Forward, Term};
use host_abi::functions::{Group, HostFn};

use super::formula::{Formula, Ratio};
use super::values::{Id, Ub, Values};

/// A requested call gas this large (2^32, far above any block's gas limit) means "all
/// that may be forwarded": flagged as forwarding rather than added to the bound.
const FORWARD_ALL: u128 = 1 << 32;

/// The worst-case cost of one host call.
pub struct HostCost {
    /// Gas charged (forwarded gas excluded unless bounded).
    pub cost: Formula,
    /// Whether gas is forwarded to another frame beyond `cost`.
    pub forwards: bool,
    /// Why the cost cannot be bounded, if so.
    pub blocker: Option<String>,
    /// How a length was capped, if it was.
    pub note: Option<String>,
}

impl HostCost {
    fn fixed(n: u64) -> Self {
        Self { cost: Formula::constant(u128::from(n)), forwards: false, blocker: None, note: None }
    }
}

/// Context for bounding lengths.
pub struct Ctx<'v> {
    /// The values.
    pub vals: &'v mut Values,
    /// The memory's maximum size in bytes.
    pub memory_max: u64,
    /// Bounds the facts of the call's program point give values (see
    /// [`Values::ub_assuming`]).
    pub known: Vec<(Id, Ub)>,
}

impl Ctx<'_> {
    /// An upper bound of `id` at the call.
    fn ub(&mut self, id: Id) -> Option<Ub> {
        self.vals.ub_assuming(id, &self.known)
    }
}

impl Ctx<'_> {
    /// An upper bound of a length argument: its bound, or the memory's size (noted).
    fn len(&mut self, f: HostFn, id: Option<Id>, note: &mut Option<String>) -> Formula {
        if let Some(u) = id.and_then(|id| self.ub(id)) {
            if u.max <= u128::from(self.memory_max) {
                return u.f;
            }
            // A bound above the memory size: the cap is smaller; keep the formula if it
            // has variables (it is still a bound, and says more).
            if u.f.as_constant().is_none() {
                return u.f;
            }
        }
        *note =
            Some(format!("{}: length unknown, capped at the memory size ({} bytes)", f.import_name(), self.memory_max));
        Formula::constant(u128::from(self.memory_max))
    }

    /// An upper bound of the gas of term `t` of `f`'s price, whose argument is `id`: the
    /// argument bounded by its bound or its cap, then priced per unit (a partial unit
    /// counted whole bounded by `gas · (v + per - 1) / per`, exactly when `v` is a
    /// constant). `Err` with why if nothing bounds the argument.
    fn term(&mut self, f: HostFn, t: Term, id: Option<Id>, note: &mut Option<String>) -> Result<Formula, String> {
        let value = match t.cap {
            Cap::Memory => self.len(f, id, note),
            Cap::Max(n) => {
                let known = id.and_then(|id| self.ub(id)).and_then(|u| u.f.as_constant());
                Formula::constant(known.map_or(u128::from(n), |k| k.min(u128::from(n))))
            }
            Cap::None => match id.and_then(|id| self.ub(id)) {
                Some(u) => u.f,
                None => {
                    let name = f.params().get(t.arg).map_or("argument", |p| p.name);
                    return Err(format!("{} of an {name} with no known bound", f.import_name()));
                }
            },
        };
        let (gas, per) = (u128::from(t.gas), u128::from(t.per.max(1)));
        let per_unit = Ratio::new(gas, per).unwrap_or(Ratio::ZERO);
        Ok(match (t.round_up, value.as_constant()) {
            (true, Some(c)) => Formula::constant(c.div_ceil(per).saturating_mul(gas)),
            (true, None) => value.add_const(per - 1).scale(per_unit),
            (false, _) => value.scale(per_unit),
        })
    }
}

/// The worst-case cost of calling `f` with arguments `args` (values on the stack).
pub fn cost(f: HostFn, args: &[Id], cx: &mut Ctx<'_>) -> HostCost {
    // Not importable; the validator rejects them.
    if matches!(f.group(), Group::Linux) {
        return HostCost::fixed(0);
    }
    let arg = |i: usize| args.get(i).copied();
    let p = worst(f);
    if let Some(why) = p.priced_by_input {
        return HostCost { blocker: Some(format!("{}: {why}", f.import_name())), ..HostCost::fixed(0) };
    }
    let mut note = None;
    let mut out = HostCost::fixed(p.fixed);
    for t in p.terms.into_iter().flatten() {
        match cx.term(f, t, arg(t.arg), &mut note) {
            Ok(gas) => out.cost = out.cost.add(&gas),
            Err(why) => out.blocker = Some(why),
        }
    }
    match p.forward {
        Forward::Nothing => {}
        Forward::Requested { arg: requested, .. } => match arg(requested).and_then(|id| cx.ub(id)) {
            Some(u) if u.max < FORWARD_ALL => out.cost = out.cost.add(&u.f),
            // Unbounded, or as much as no block holds (the SDKs ask for `i64::MAX` to
            // forward all they may): the callee's use comes on top, as for a create.
            _ => out.forwards = true,
        },
        Forward::All => out.forwards = true,
    }
    out.note = note;
    out
}

/// Whether a host function may write the caller's memory or state that later loads see
/// (everything except pure queries without pointer arguments).
pub fn writes_memory(f: HostFn) -> bool {
    !f.params().is_empty() && !matches!(f, HostFn::ChargeGas | HostFn::BlockNumber)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::values::W;
    use alloc::string::ToString;

    #[test]
    fn worst_cases() {
        let mut vals = Values::default();
        let mut cx = Ctx { vals: &mut vals, memory_max: 65_536, known: Vec::new() };
        let store = cost(HostFn::StorageStore, &[], &mut cx);
        assert_eq!(store.cost.as_constant(), Some(22_100));
        let n = cx.vals.sym(W::I32, super::super::formula::Var::CalldataSize);
        let zero = cx.vals.constant(W::I32, 0);
        let copy = cost(HostFn::CalldataCopy, &[zero, zero, n], &mut cx);
        assert_eq!(copy.cost.to_string(), "189/32 + 3/32·calldata_size");
        let len = cx.vals.constant(W::I32, 64);
        let k = cost(HostFn::Keccak256, &[zero, len, zero], &mut cx);
        assert_eq!(k.cost.as_constant(), Some(30 + 12));
        let unknown = cx.vals.opaque(W::I32, None);
        let k = cost(HostFn::Keccak256, &[zero, unknown, zero], &mut cx);
        assert_eq!(k.cost.as_constant(), Some(30 + 6 * 2048));
        assert!(k.note.is_some());
        let g = cx.vals.opaque(W::I64, None);
        let c = cost(HostFn::Call, &[g, zero, zero, zero, zero], &mut cx);
        assert!(c.forwards);
        // Cold, value to a dead account, a cold EIP-7702 delegate.
        assert_eq!(c.cost.as_constant(), Some(2600 + 9000 + 25_000 + 2600));
        let g = cx.vals.constant(W::I64, 5000);
        let c = cost(HostFn::StaticCall, &[g, zero, zero, zero], &mut cx);
        assert!(!c.forwards);
        assert_eq!(c.cost.as_constant(), Some(2600 + 2600 + 5000));
        assert!(cost(HostFn::Modexp, &[], &mut cx).blocker.is_some());
        // debug_log: a log's base and per-byte price, the length capped at the memory.
        let d = cost(HostFn::DebugLog, &[zero, len], &mut cx);
        assert_eq!(d.cost.as_constant(), Some(375 + 8 * 64));
        let d = cost(HostFn::DebugLog, &[zero, unknown], &mut cx);
        assert_eq!(d.cost.as_constant(), Some(375 + 8 * 65_536));
        assert!(d.note.is_some());
    }
}
