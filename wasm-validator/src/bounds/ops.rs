//! Symbolic semantics of the operators that are not control flow: values on the stack and
//! in locals, memory facts, calls, host-function costs and run-time charges.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use host_abi::functions::{HostFn, ValType as AbiType};
use host_abi::gas::{BULK_BYTE_DIVISOR, MEMORY_GROW_PAGE};
use wasmparser::{MemArg, Operator, ValType};

use super::error::BoundsError;
use super::formula::{Formula, Ratio, Var};
use super::graph::{Call, CallTarget, HostUse, ReasonKind};
use super::host;
use super::module::GlobalValue;
use super::state::MemFact;
use super::values::{BinOp, CmpOp, Id, Node, Ub, UbKey, Values, W};
use super::walk::Walk;

fn pop(w: &mut Walk<'_, '_>) -> Id {
    match w.cur.as_mut().and_then(|s| s.stack.pop()) {
        Some(v) => v,
        None => w.unknown(W::I32),
    }
}

fn push(w: &mut Walk<'_, '_>, v: Id) {
    if let Some(s) = w.cur.as_mut() {
        s.stack.push(v);
    }
}

fn bin(w: &mut Walk<'_, '_>, f: impl FnOnce(&mut Walk<'_, '_>, Id, Id) -> Id) {
    let b = pop(w);
    let a = pop(w);
    let r = f(w, a, b);
    push(w, r);
}

fn un(w: &mut Walk<'_, '_>, f: impl FnOnce(&mut Walk<'_, '_>, Id) -> Id) {
    let a = pop(w);
    let r = f(w, a);
    push(w, r);
}

fn wt(t: ValType) -> W {
    match t {
        ValType::I64 => W::I64,
        _ => W::I32,
    }
}

/// One operator (not a control operator) in reachable code.
pub(super) fn step(w: &mut Walk<'_, '_>, op: &Operator<'_>, start: usize) -> Result<(), BoundsError> {
    if w.cur.is_none() {
        return Ok(());
    }
    use Operator as O;
    use W::{I32, I64};
    match op {
        O::Nop => {}
        O::Drop => {
            pop(w);
        }
        O::Select => {
            let c = pop(w);
            bin(w, |w, a, b| select(w, a, b, c));
        }
        O::LocalGet { local_index } => {
            let v = w.cur.as_ref().and_then(|s| s.locals.get(*local_index));
            let v = match v {
                Some(v) => v,
                None => w.unknown(I32),
            };
            push(w, v);
        }
        O::LocalSet { local_index } => {
            let v = pop(w);
            if let Some(s) = w.cur.as_mut() {
                s.locals.set(*local_index, v);
            }
        }
        O::LocalTee { local_index } => {
            let v = pop(w);
            if let Some(s) = w.cur.as_mut() {
                s.locals.set(*local_index, v);
            }
            push(w, v);
        }
        O::GlobalGet { global_index } => {
            let g = w.m.globals.get(*global_index as usize).copied();
            let v = match g {
                Some(GlobalValue::Const(v, is64)) => w.vals.constant(if is64 { I64 } else { I32 }, v),
                Some(GlobalValue::Unknown(true)) => w.unknown(I64),
                _ => w.unknown(I32),
            };
            push(w, v);
        }
        O::GlobalSet { .. } => {
            pop(w);
        }
        O::I32Const { value } => {
            let v = w.vals.constant(I32, super::bits32(*value));
            push(w, v);
        }
        O::I64Const { value } => {
            let v = w.vals.constant(I64, super::bits64(*value));
            push(w, v);
        }

        O::I32Add => bin(w, |w, a, b| w.vals.add(I32, a, b)),
        O::I64Add => bin(w, |w, a, b| w.vals.add(I64, a, b)),
        O::I32Sub => bin(w, |w, a, b| w.vals.sub(I32, a, b)),
        O::I64Sub => bin(w, |w, a, b| w.vals.sub(I64, a, b)),
        O::I32Mul => bin(w, |w, a, b| w.vals.bin(I32, BinOp::Mul, a, b)),
        O::I64Mul => bin(w, |w, a, b| w.vals.bin(I64, BinOp::Mul, a, b)),
        // Wide arithmetic: two 64-bit halves, unknown to the analysis.
        O::I64Add128 | O::I64Sub128 | O::I64MulWideS | O::I64MulWideU => {
            let operands = if matches!(op, O::I64Add128 | O::I64Sub128) { 4 } else { 2 };
            for _ in 0..operands {
                pop(w);
            }
            for _ in 0..2 {
                let v = w.unknown(I64);
                push(w, v);
            }
        }
        O::I32DivU => bin(w, |w, a, b| w.vals.bin(I32, BinOp::DivU, a, b)),
        O::I64DivU => bin(w, |w, a, b| w.vals.bin(I64, BinOp::DivU, a, b)),
        O::I32DivS => bin(w, |w, a, b| w.vals.bin(I32, BinOp::DivS, a, b)),
        O::I64DivS => bin(w, |w, a, b| w.vals.bin(I64, BinOp::DivS, a, b)),
        O::I32RemU => bin(w, |w, a, b| w.vals.bin(I32, BinOp::RemU, a, b)),
        O::I64RemU => bin(w, |w, a, b| w.vals.bin(I64, BinOp::RemU, a, b)),
        O::I32RemS => bin(w, |w, a, b| w.vals.bin(I32, BinOp::RemS, a, b)),
        O::I64RemS => bin(w, |w, a, b| w.vals.bin(I64, BinOp::RemS, a, b)),
        O::I32And => bin(w, |w, a, b| w.vals.bin(I32, BinOp::And, a, b)),
        O::I64And => bin(w, |w, a, b| w.vals.bin(I64, BinOp::And, a, b)),
        O::I32Or => bin(w, |w, a, b| w.vals.bin(I32, BinOp::Or, a, b)),
        O::I64Or => bin(w, |w, a, b| w.vals.bin(I64, BinOp::Or, a, b)),
        O::I32Xor => bin(w, |w, a, b| w.vals.bin(I32, BinOp::Xor, a, b)),
        O::I64Xor => bin(w, |w, a, b| w.vals.bin(I64, BinOp::Xor, a, b)),
        O::I32Shl => bin(w, |w, a, b| w.vals.bin(I32, BinOp::Shl, a, b)),
        O::I64Shl => bin(w, |w, a, b| w.vals.bin(I64, BinOp::Shl, a, b)),
        O::I32ShrU => bin(w, |w, a, b| w.vals.bin(I32, BinOp::ShrU, a, b)),
        O::I64ShrU => bin(w, |w, a, b| w.vals.bin(I64, BinOp::ShrU, a, b)),
        O::I32ShrS => bin(w, |w, a, b| w.vals.bin(I32, BinOp::ShrS, a, b)),
        O::I64ShrS => bin(w, |w, a, b| w.vals.bin(I64, BinOp::ShrS, a, b)),
        O::I32Rotl | O::I32Rotr => bin(w, |w, a, b| w.vals.bin(I32, BinOp::Other, a, b)),
        O::I64Rotl | O::I64Rotr => bin(w, |w, a, b| w.vals.bin(I64, BinOp::Other, a, b)),

        O::I32Eqz => un(w, |w, a| w.vals.eqz(I32, a)),
        O::I64Eqz => un(w, |w, a| w.vals.eqz(I64, a)),
        O::I32Eq => cmp(w, I32, CmpOp::Eq),
        O::I32Ne => cmp(w, I32, CmpOp::Ne),
        O::I32LtS => cmp(w, I32, CmpOp::LtS),
        O::I32LtU => cmp(w, I32, CmpOp::LtU),
        O::I32GtS => cmp(w, I32, CmpOp::GtS),
        O::I32GtU => cmp(w, I32, CmpOp::GtU),
        O::I32LeS => cmp(w, I32, CmpOp::LeS),
        O::I32LeU => cmp(w, I32, CmpOp::LeU),
        O::I32GeS => cmp(w, I32, CmpOp::GeS),
        O::I32GeU => cmp(w, I32, CmpOp::GeU),
        O::I64Eq => cmp(w, I64, CmpOp::Eq),
        O::I64Ne => cmp(w, I64, CmpOp::Ne),
        O::I64LtS => cmp(w, I64, CmpOp::LtS),
        O::I64LtU => cmp(w, I64, CmpOp::LtU),
        O::I64GtS => cmp(w, I64, CmpOp::GtS),
        O::I64GtU => cmp(w, I64, CmpOp::GtU),
        O::I64LeS => cmp(w, I64, CmpOp::LeS),
        O::I64LeU => cmp(w, I64, CmpOp::LeU),
        O::I64GeS => cmp(w, I64, CmpOp::GeS),
        O::I64GeU => cmp(w, I64, CmpOp::GeU),

        O::I32Clz | O::I32Ctz | O::I32Popcnt => un(w, |w, a| w.vals.count(I32, a)),
        O::I64Clz | O::I64Ctz | O::I64Popcnt => un(w, |w, a| w.vals.count(I64, a)),
        O::I32WrapI64 => un(w, |w, a| w.vals.wrap(a)),
        O::I64ExtendI32U => un(w, |w, a| w.vals.ext(false, a)),
        O::I64ExtendI32S => un(w, |w, a| w.vals.ext(true, a)),
        O::I32Extend8S | O::I32Extend16S => un(w, |w, _| w.unknown(I32)),
        O::I64Extend8S | O::I64Extend16S | O::I64Extend32S => un(w, |w, _| w.unknown(I64)),

        O::I32Load { memarg } => load(w, memarg, I32, 4, true),
        O::I64Load { memarg } => load(w, memarg, I64, 8, true),
        O::I32Load8U { memarg } => load(w, memarg, I32, 1, true),
        O::I32Load16U { memarg } => load(w, memarg, I32, 2, true),
        O::I64Load8U { memarg } => load(w, memarg, I64, 1, true),
        O::I64Load16U { memarg } => load(w, memarg, I64, 2, true),
        O::I64Load32U { memarg } => load(w, memarg, I64, 4, true),
        O::I32Load8S { memarg } => load(w, memarg, I32, 1, false),
        O::I32Load16S { memarg } => load(w, memarg, I32, 2, false),
        O::I64Load8S { memarg } => load(w, memarg, I64, 1, false),
        O::I64Load16S { memarg } => load(w, memarg, I64, 2, false),
        O::I64Load32S { memarg } => load(w, memarg, I64, 4, false),
        O::I32Store { memarg } | O::I64Store32 { memarg } => store(w, memarg, 4),
        O::I64Store { memarg } => store(w, memarg, 8),
        O::I32Store8 { memarg } | O::I64Store8 { memarg } => store(w, memarg, 1),
        O::I32Store16 { memarg } | O::I64Store16 { memarg } => store(w, memarg, 2),

        O::MemorySize { .. } => {
            let pages = w.m.memory_max_bytes / 65_536;
            let v = w.vals.opaque(I32, Some(UbKey::Max(pages)));
            push(w, v);
        }
        O::MemoryGrow { .. } => {
            let pages = pop(w);
            match ub_here(w, pages) {
                Some(u) => {
                    let c = u.f.scale(Ratio::int(u128::from(MEMORY_GROW_PAGE)));
                    note(
                        w,
                        format!(
                            "memory.grow at {start:#x}: at most {} pages, {c} gas (charged even when the grow fails)",
                            u.f
                        ),
                    );
                    add_extra(w, &c);
                }
                None => blocker(
                    w,
                    ReasonKind::MemoryGrow,
                    String::from("memory.grow by a number of pages with no known bound"),
                    start,
                ),
            }
            if let Some(s) = w.cur.as_mut() {
                s.clobber_all();
            }
            let v = w.unknown(I32);
            push(w, v);
        }
        O::MemoryCopy { .. } | O::MemoryFill { .. } | O::MemoryInit { .. } => {
            let len = pop(w);
            pop(w);
            pop(w);
            bulk(w, len, w.m.memory_max_bytes, op, start);
            if let Some(s) = w.cur.as_mut() {
                s.clobber_all();
            }
        }
        O::TableCopy { .. } | O::TableInit { .. } => {
            let len = pop(w);
            pop(w);
            pop(w);
            bulk(w, len, u64::from(host_abi::limits::MAX_TABLE_SIZE), op, start);
        }
        O::DataDrop { .. } | O::ElemDrop { .. } => {}
        O::Call { function_index } => call(w, *function_index, start),
        O::CallIndirect { type_index, .. } => {
            pop(w);
            let sig = w.m.type_sig(*type_index).cloned();
            let (params, results) = sig.map_or((Vec::new(), Vec::new()), |s| (s.params, s.results));
            let args = pop_args(w, params.len());
            let ubs = args.iter().map(|a| ub_here(w, *a)).collect();
            let node = w.node as usize;
            if let Some(n) = w.nodes.get_mut(node) {
                n.calls.push(Call { target: CallTarget::Indirect(*type_index), args: ubs, offset: start });
            }
            if let Some(s) = w.cur.as_mut() {
                s.clobber_all();
            }
            for t in results {
                let v = w.unknown(wt(t));
                push(w, v);
            }
        }
        other => {
            return Err(BoundsError::malformed(
                &format!("operator {other:?} is outside the subset (validate the module first)"),
                u64::try_from(start).unwrap_or(u64::MAX),
            ));
        }
    }
    Ok(())
}

/// An upper bound of `v` here: its own, or a better one that a condition known to hold at
/// this point gives (a branch taken on `v <u K`, not taken on `v != x`, ...).
///
/// Better means a smaller absolute maximum; between two bounds with the same maximum, one
/// in a later parameter of the function: after a length check `dst.len() == src.len()`
/// (Rust's `copy_from_slice`), the source's length, often a constant at the call, comes
/// last. Either choice is sound: both bound the value.
pub(super) fn ub_here(w: &mut Walk<'_, '_>, v: Id) -> Option<Ub> {
    let facts = match w.cur.as_ref() {
        Some(s) => s.facts.clone(),
        None => return w.vals.ub(v),
    };
    let known = fact_bounds(&mut w.vals, &facts);
    let mut best = w.vals.ub_assuming(v, &known);
    for (c, truth) in facts {
        let Some(u) = fact_ub(&mut w.vals, c, truth, v) else { continue };
        let better = match &best {
            None => true,
            Some(b) if u.max != b.max => u.max < b.max,
            Some(b) => last_param(&u.f) > last_param(&b.f),
        };
        if better {
            best = Some(u);
        }
    }
    best
}

/// `select(a, b, c)`: one of `a` and `b`; `min(a, b)` when `c` is `a <u b` (or `<=u`, or
/// `b >u a`), which is at most the smaller constant bound of the two (`len.min(7000)` is
/// bounded even when `len` is not).
fn select(w: &mut Walk<'_, '_>, a: Id, b: Id, c: Id) -> Id {
    let is_min = match w.vals.node(c) {
        Node::Cmp(_, CmpOp::LtU | CmpOp::LeU, x, y) => (*x, *y) == (a, b),
        Node::Cmp(_, CmpOp::GtU | CmpOp::GeU, x, y) => (*x, *y) == (b, a),
        _ => false,
    };
    if is_min {
        let bound = |w: &mut Walk<'_, '_>, v: Id| ub_here(w, v).and_then(|u| u.f.as_constant());
        let m = match (bound(w, a), bound(w, b)) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        if let Some(m) = m.and_then(|m| u64::try_from(m).ok()) {
            let width = w.vals.width(a);
            return w.vals.opaque(width, Some(UbKey::Max(m)));
        }
    }
    w.vals.join(a, b)
}

/// The bounds that facts give the values they compare (`len <=u 4096` bounds `len`; an
/// `eqz` around a comparison negates it), the smallest for each value: what
/// [`Values::ub_assuming`] bounds expressions built from them with.
pub(super) fn fact_bounds(vals: &mut Values, facts: &[(Id, bool)]) -> Vec<(Id, Ub)> {
    let mut out: Vec<(Id, Ub)> = Vec::new();
    for &(c, truth) in facts {
        let mut operands = Vec::new();
        let mut inner = c;
        // A chain of `eqz` ends at a comparison or a plain value (its operands' bounds).
        for _ in 0..4 {
            match vals.node(inner).clone() {
                Node::Eqz(_, x) => {
                    operands.push(x);
                    inner = x;
                }
                Node::Cmp(_, _, a, b) => {
                    operands.extend([a, b]);
                    break;
                }
                _ => break,
            }
        }
        for v in operands {
            if vals.as_const(v).is_some() {
                continue;
            }
            let Some(u) = fact_ub(vals, c, truth, v) else { continue };
            match out.iter_mut().find(|k| k.0 == v) {
                Some(k) if u.max < k.1.max => k.1 = u,
                Some(_) => {}
                None => out.push((v, u)),
            }
        }
    }
    out
}

/// The highest parameter a formula uses (`None` if it uses none).
fn last_param(f: &Formula) -> Option<u32> {
    f.vars()
        .into_iter()
        .filter_map(|v| match v {
            Var::Param(i) => Some(i),
            _ => None,
        })
        .max()
}

/// The upper bound of unsigned value `v` that condition `c` being `truth` gives, if any.
fn fact_ub(vals: &mut Values, c: Id, truth: bool, v: Id) -> Option<Ub> {
    match vals.node(c).clone() {
        Node::Eqz(_, x) if x == v => truth.then(|| Ub::constant(0)),
        Node::Eqz(_, x) => fact_ub(vals, x, !truth, v),
        Node::Cmp(_, op, a, b) => {
            // Put `v` on the left: `v op other`.
            let (op, other) = if a == v {
                (op, b)
            } else if b == v {
                (swap(op), a)
            } else {
                return None;
            };
            let op = if truth { op } else { negate(op) };
            match op {
                CmpOp::Eq | CmpOp::LeU => vals.ub(other),
                CmpOp::LtU => match vals.as_const(other) {
                    Some(k) => Some(Ub::constant(u128::from(k.checked_sub(1)?))),
                    None => vals.ub(other),
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// `a op b` as `b op' a`.
fn swap(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::LtS => CmpOp::GtS,
        CmpOp::LtU => CmpOp::GtU,
        CmpOp::GtS => CmpOp::LtS,
        CmpOp::GtU => CmpOp::LtU,
        CmpOp::LeS => CmpOp::GeS,
        CmpOp::LeU => CmpOp::GeU,
        CmpOp::GeS => CmpOp::LeS,
        CmpOp::GeU => CmpOp::LeU,
        other => other,
    }
}

/// `!(a op b)` as `a op' b`.
fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::LtS => CmpOp::GeS,
        CmpOp::LtU => CmpOp::GeU,
        CmpOp::GtS => CmpOp::LeS,
        CmpOp::GtU => CmpOp::LeU,
        CmpOp::LeS => CmpOp::GtS,
        CmpOp::LeU => CmpOp::GtU,
        CmpOp::GeS => CmpOp::LtS,
        CmpOp::GeU => CmpOp::LtU,
    }
}

fn cmp(w: &mut Walk<'_, '_>, width: W, op: CmpOp) {
    bin(w, |w, a, b| w.vals.cmp(width, op, a, b));
}

fn pop_args(w: &mut Walk<'_, '_>, n: usize) -> Vec<Id> {
    let mut args: Vec<Id> = (0..n).map(|_| pop(w)).collect();
    args.reverse();
    args
}

fn add_extra(w: &mut Walk<'_, '_>, c: &Formula) {
    let node = w.node as usize;
    if let Some(n) = w.nodes.get_mut(node) {
        n.extra = n.extra.add(c);
    }
}

fn blocker(w: &mut Walk<'_, '_>, kind: ReasonKind, message: String, offset: usize) {
    let r = w.reason(kind, message, offset);
    let node = w.node as usize;
    if let Some(n) = w.nodes.get_mut(node) {
        n.blockers.push(r);
    }
}

fn note(w: &mut Walk<'_, '_>, text: String) {
    let node = w.node as usize;
    if let Some(n) = w.nodes.get_mut(node) {
        if n.notes.len() < 8 {
            n.notes.push(text);
        }
    }
}

/// The run-time charge of a bulk operation: one gas per 8 bytes, rounded up.
fn bulk(w: &mut Walk<'_, '_>, len: Id, cap: u64, op: &Operator<'_>, start: usize) {
    let d = u128::from(BULK_BYTE_DIVISOR);
    let f = match ub_here(w, len) {
        Some(u) if u.max <= u128::from(cap) || u.f.as_constant().is_none() => u.f,
        _ => {
            let name = bulk_name(op);
            note(w, format!("{name} at {start:#x}: length unknown, capped at {cap} (the largest that does not trap)"));
            Formula::constant(u128::from(cap))
        }
    };
    let c = match f.as_constant() {
        Some(c) => Formula::constant(c.div_ceil(d)),
        None => f.add_const(d - 1).scale(Ratio::new(1, d).unwrap_or(Ratio::ZERO)),
    };
    add_extra(w, &c);
}

fn bulk_name(op: &Operator<'_>) -> &'static str {
    match op {
        Operator::MemoryCopy { .. } => "memory.copy",
        Operator::MemoryFill { .. } => "memory.fill",
        Operator::MemoryInit { .. } => "memory.init",
        Operator::TableCopy { .. } => "table.copy",
        _ => "table.init",
    }
}

fn effective(w: &mut Walk<'_, '_>, addr: Id, memarg: &MemArg) -> Option<u64> {
    w.vals.as_const(addr).map(|a| a.saturating_add(memarg.offset))
}

/// Under assumptions, an address that is a symbolic base plus a constant (a buffer on the
/// shadow stack: `sp - 320 + 48`): the base and the offset modulo 2^32, with the memarg's
/// offset added.
fn relative(w: &mut Walk<'_, '_>, addr: Id, extra: u64) -> Option<(Id, u32)> {
    if !w.m.assuming() || w.vals.width(addr) != W::I32 {
        return None;
    }
    let (c, terms) = w.vals.linear(addr);
    if terms.is_empty() {
        return None;
    }
    let base = w.vals.make_linear(W::I32, 0, terms);
    let off = u32::try_from(W::I32.wrap(c.wrapping_add(extra))).ok()?;
    Some((base, off))
}

/// The calldata offset that `bytes` bytes of memory at `ea` (absolute) or `rel` (relative
/// to a base) hold, if a fact says so.
fn calldata_at(w: &Walk<'_, '_>, ea: Option<u64>, rel: Option<(Id, u32)>, bytes: u8) -> Option<u32> {
    let s = w.cur.as_ref()?;
    s.mem.iter().find_map(|m| match (m.base, ea, rel) {
        (None, Some(ea), _) => {
            let start = u64::from(m.addr);
            let end = start + u64::from(m.len);
            (ea >= start && ea + u64::from(bytes) <= end)
                .then(|| u32::try_from(ea - start + u64::from(m.calldata)).ok())
                .flatten()
        }
        (Some(b), _, Some((base, off))) if b == base => {
            // Within the fact's range, measured from its start modulo 2^32 (a load that
            // does not trap lies in memory, so the distance is the real one).
            let d = off.wrapping_sub(m.addr);
            (u64::from(d) + u64::from(bytes) <= u64::from(m.len)).then(|| d.checked_add(m.calldata)).flatten()
        }
        _ => None,
    })
}

fn load(w: &mut Walk<'_, '_>, memarg: &MemArg, width: W, bytes: u8, unsigned: bool) {
    let addr = pop(w);
    let ea = effective(w, addr, memarg);
    let rel = if ea.is_none() { relative(w, addr, memarg.offset) } else { None };
    let small = (bytes <= 2).then(|| UbKey::Max((1u64 << (8 * bytes)) - 1));
    let v = match (unsigned, calldata_at(w, ea, rel, bytes)) {
        (true, Some(offset)) => match w.m.known_calldata(offset, bytes) {
            // The assumptions give these bytes: the load's value is known.
            Some(k) => w.vals.constant(width, k),
            None => w.vals.sym(width, Var::Calldata { offset, len: bytes }),
        },
        (true, None) if small.is_some() => w.vals.opaque(width, small),
        (true, None) => match ea.map(u32::try_from) {
            Some(Ok(addr)) => w.vals.opaque(width, Some(UbKey::Var(Var::Memory { addr, len: bytes }))),
            _ => w.unknown(width),
        },
        (false, _) => w.unknown(width),
    };
    push(w, v);
}

fn store(w: &mut Walk<'_, '_>, memarg: &MemArg, bytes: u64) {
    pop(w);
    let addr = pop(w);
    let ea = effective(w, addr, memarg);
    let rel = if ea.is_none() { relative(w, addr, memarg.offset) } else { None };
    if let Some(s) = w.cur.as_mut() {
        match (ea, rel) {
            (Some(ea), _) => s.clobber(ea, bytes),
            (None, Some((base, off))) => s.clobber_relative(base, off, u32::try_from(bytes).unwrap_or(u32::MAX)),
            (None, None) => s.clobber_all(),
        }
    }
}

fn call(w: &mut Walk<'_, '_>, f: u32, start: usize) {
    let sig = w.m.sig(f).cloned();
    let (params, results) = sig.map_or((Vec::new(), Vec::new()), |s| (s.params, s.results));
    let args = pop_args(w, params.len());
    let Some(hf) = w.m.host(f) else {
        let ubs = args.iter().map(|a| ub_here(w, *a)).collect();
        let node = w.node as usize;
        if let Some(n) = w.nodes.get_mut(node) {
            n.calls.push(Call { target: CallTarget::Direct(f), args: ubs, offset: start });
        }
        if let Some(s) = w.cur.as_mut() {
            s.clobber_all();
        }
        for t in results {
            let v = w.unknown(wt(t));
            push(w, v);
        }
        return;
    };
    host_call(w, hf, &args, start);
}

fn host_call(w: &mut Walk<'_, '_>, f: HostFn, args: &[Id], start: usize) {
    let memory_max = w.m.memory_max_bytes;
    let facts = w.cur.as_ref().map(|s| s.facts.clone()).unwrap_or_default();
    let known = fact_bounds(&mut w.vals, &facts);
    let hc = host::cost(f, args, &mut host::Ctx { vals: &mut w.vals, memory_max, known });
    add_extra(w, &hc.cost);
    if let Some(b) = hc.blocker {
        blocker(w, ReasonKind::HostCall, b, start);
    }
    if let Some(n) = hc.note {
        note(w, format!("{n} (at {start:#x})"));
    }
    let node = w.node as usize;
    if let Some(n) = w.nodes.get_mut(node) {
        n.host.push(HostUse { f, offset: start, cost: hc.cost, forwards: hc.forwards });
    }
    // Memory effects.
    let consts: Vec<Option<u64>> = args.iter().map(|a| w.vals.as_const(*a)).collect();
    let rel_dest = match (f, args.first()) {
        (HostFn::CalldataCopy, Some(&dest)) if consts.first() == Some(&None) => relative(w, dest, 0),
        _ => None,
    };
    if let Some(s) = w.cur.as_mut() {
        match (f, consts.as_slice()) {
            (HostFn::CalldataCopy, [Some(dest), Some(off), Some(len)]) => {
                if let (Ok(addr), Ok(calldata), Ok(len)) =
                    (u32::try_from(*dest), u32::try_from(*off), u32::try_from(*len))
                {
                    s.remember(MemFact { base: None, addr, len, calldata });
                } else {
                    s.clobber_all();
                }
            }
            (HostFn::CalldataCopy, [None, Some(off), Some(len)]) if rel_dest.is_some() => {
                match (rel_dest, u32::try_from(*off), u32::try_from(*len)) {
                    (Some((base, addr)), Ok(calldata), Ok(len)) => {
                        s.remember(MemFact { base: Some(base), addr, len, calldata })
                    }
                    _ => s.clobber_all(),
                }
            }
            _ if host::writes_memory(f) => s.clobber_all(),
            _ => {}
        }
    }
    // Results.
    let result = match (f, f.result()) {
        (_, None) => None,
        (HostFn::CalldataSize, _) => Some(w.vals.sym(W::I32, Var::CalldataSize)),
        (HostFn::ConstantsSize, _) => Some(w.vals.sym(W::I32, Var::ConstantsSize)),
        (HostFn::CodeSize, _) => Some(w.vals.sym(W::I32, Var::CodeSize)),
        (HostFn::ReturndataSize, _) => Some(w.vals.opaque(W::I32, Some(UbKey::Var(Var::ReturndataSize)))),
        (_, Some(AbiType::I64)) => Some(w.unknown(W::I64)),
        (_, Some(AbiType::I32)) => Some(w.unknown(W::I32)),
    };
    if let Some(v) = result {
        push(w, v);
    }
    if f.terminates() {
        w.cur = None;
    }
}
