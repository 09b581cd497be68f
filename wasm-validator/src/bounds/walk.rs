//! One pass over a function body in code order: builds the control-flow graph from the
//! structured control flow, runs the symbolic values along (locals, stack, facts from
//! branch conditions), records calls, host-function costs and run-time charges, and finds
//! each loop's trip count when its `end` is reached.
//!
//! Control enters a basic block only from earlier blocks, except a loop header, which back
//! edges enter too; the header's state is the state before the loop with every local the
//! loop assigns replaced by a loop variable, so one pass suffices.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use wasmparser::{BlockType, FunctionBody, Operator, ValType};

use super::error::BoundsError;
use super::formula::{Formula, Var};
use super::graph::{Edge, FunctionGraph, Loop, Node, Reason, ReasonKind, Target};
use super::module::ModuleView;
use super::state::{join_into, Locals, State};
use super::trip::{self, LoopRecord};
use super::values::{Id, Values, W};
use crate::flow::{for_each_op, Block, Op};

/// The kind of an open construct.
enum Kind {
    Func,
    Block,
    Loop(u32),
    If { cond_node: u32, else_state: Option<State>, has_else: bool },
}

/// An open construct.
struct Frame {
    kind: Kind,
    /// Stack height below its parameters.
    height: usize,
    params: usize,
    results: usize,
    /// Nodes that branch to its end.
    end_preds: Vec<u32>,
    /// Join of the states reaching its end by branches.
    end_state: Option<State>,
}

/// What a pre-scan learns about each loop, in code order.
#[derive(Default, Clone)]
struct LoopScan {
    modified: Vec<u32>,
    clobbers: bool,
}

pub(super) struct Walk<'m, 'a> {
    pub m: &'m ModuleView<'a>,
    pub func: u32,
    pub vals: Values,
    local_w: Vec<W>,
    pub nodes: Vec<Node>,
    pub loops: Vec<Loop>,
    records: Vec<Option<LoopRecord>>,
    scans: Vec<LoopScan>,
    frames: Vec<Frame>,
    pub cur: Option<State>,
    pub node: u32,
    open_loops: Vec<u32>,
}

fn width(t: ValType) -> W {
    match t {
        ValType::I64 => W::I64,
        _ => W::I32,
    }
}

fn pre_scan(body: &FunctionBody<'_>) -> Result<Vec<LoopScan>, BoundsError> {
    let mut scans: Vec<LoopScan> = Vec::new();
    // Open constructs: the loop id of each, if it is a loop.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut loops: Vec<usize> = Vec::new();
    for_each_op::<BoundsError>(body, |Op { op, .. }| {
        match &op {
            Operator::Loop { .. } => {
                scans.push(LoopScan::default());
                open.push(Some(scans.len() - 1));
                loops.push(scans.len() - 1);
            }
            Operator::Block { .. } | Operator::If { .. } => open.push(None),
            Operator::End => {
                if let Some(Some(id)) = open.pop() {
                    loops.pop();
                    if let Some(&parent) = loops.last() {
                        let inner = scans[id].clone();
                        let p = &mut scans[parent];
                        p.modified.extend(inner.modified);
                        p.clobbers |= inner.clobbers;
                    }
                }
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                if let Some(&l) = loops.last() {
                    scans[l].modified.push(*local_index);
                }
            }
            o if clobbers(o) => {
                if let Some(&l) = loops.last() {
                    scans[l].clobbers = true;
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    for s in &mut scans {
        s.modified.sort_unstable();
        s.modified.dedup();
    }
    Ok(scans)
}

/// Whether an operator may change what memory holds.
fn clobbers(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::I32Store { .. }
            | Operator::I64Store { .. }
            | Operator::I32Store8 { .. }
            | Operator::I32Store16 { .. }
            | Operator::I64Store8 { .. }
            | Operator::I64Store16 { .. }
            | Operator::I64Store32 { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::MemoryCopy { .. }
            | Operator::MemoryFill { .. }
            | Operator::MemoryInit { .. }
            | Operator::MemoryGrow { .. }
    )
}

impl<'m, 'a> Walk<'m, 'a> {
    fn new(m: &'m ModuleView<'a>, func: u32, blocks: &[Block]) -> Self {
        let nodes = blocks
            .iter()
            .map(|b| Node {
                block: *b,
                reachable: false,
                succs: Vec::new(),
                loop_id: None,
                extra: Formula::zero(),
                calls: Vec::new(),
                host: Vec::new(),
                blockers: Vec::new(),
                notes: Vec::new(),
            })
            .collect();
        Self {
            m,
            func,
            vals: Values::default(),
            local_w: Vec::new(),
            nodes,
            loops: Vec::new(),
            records: Vec::new(),
            scans: Vec::new(),
            frames: Vec::new(),
            cur: None,
            node: 0,
            open_loops: Vec::new(),
        }
    }

    fn edge(&mut self, from: u32, to: Target, back: bool) {
        if let Some(n) = self.nodes.get_mut(from as usize) {
            let e = Edge { to, back };
            if !n.succs.contains(&e) {
                n.succs.push(e);
            }
        }
    }

    fn next(&self) -> Target {
        match self.node as usize + 1 < self.nodes.len() {
            true => Target::Node(self.node + 1),
            false => Target::Exit,
        }
    }

    pub fn reason(&self, kind: ReasonKind, message: String, offset: usize) -> Reason {
        Reason::new(kind, message, self.func, offset)
    }

    pub fn block_arity(&self, ty: BlockType) -> (usize, usize) {
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => self.m.type_sig(i).map_or((0, 0), |s| (s.params.len(), s.results.len())),
        }
    }

    /// The constant value of `v` when the analysis runs under assumptions (only then are
    /// branches on known values followed one way: the bounds of every call keep both).
    fn known_value(&self, v: Id) -> Option<u64> {
        let k = self.m.assuming().then(|| self.vals.as_const(v)).flatten();
        if k.is_some() {
            self.m.decided();
        }
        k
    }

    /// Whether condition `c` is known to be non-zero (under assumptions).
    fn known(&self, c: Id) -> Option<bool> {
        self.known_value(c).map(|v| v != 0)
    }

    /// A fresh unknown value of width `w`.
    pub fn unknown(&mut self, w: W) -> Id {
        self.vals.opaque(w, None)
    }

    /// The state after a branch to the construct at `depth`: its label values on top of its
    /// base stack.
    fn branch(&mut self, depth: u32, state: &State) {
        let Some(fi) = self.frames.len().checked_sub(1 + depth as usize) else {
            return;
        };
        let (height, arity) = {
            let f = &self.frames[fi];
            match f.kind {
                Kind::Loop(_) => (f.height, f.params),
                _ => (f.height, f.results),
            }
        };
        let mut s = state.clone();
        let top = s.stack.len().saturating_sub(arity);
        let label: Vec<Id> = s.stack.drain(top..).collect();
        s.stack.truncate(height);
        s.stack.extend(label);
        let from = self.node;
        match self.frames[fi].kind {
            Kind::Func => {
                self.edge(from, Target::Exit, false);
            }
            Kind::Loop(id) => {
                let header = self.loops[id as usize].header;
                self.edge(from, Target::Node(header), true);
                if let Some(Some(rec)) = self.records.get_mut(id as usize) {
                    rec.back.push((s.locals, s.facts));
                }
            }
            _ => {
                let f = &mut self.frames[fi];
                if !f.end_preds.contains(&from) {
                    f.end_preds.push(from);
                }
                let mut acc = f.end_state.take();
                join_into(&mut acc, s, &mut self.vals);
                self.frames[fi].end_state = acc;
            }
        }
    }

    fn control(&mut self, op: &Operator<'_>, start: usize) -> bool {
        match op {
            Operator::Block { blockty } => {
                let (params, results) = self.block_arity(*blockty);
                let height = self.cur.as_ref().map_or(0, |s| s.stack.len().saturating_sub(params));
                self.frames.push(Frame {
                    kind: Kind::Block,
                    height,
                    params,
                    results,
                    end_preds: Vec::new(),
                    end_state: None,
                });
            }
            Operator::Loop { blockty } => self.enter_loop(*blockty, start),
            Operator::If { blockty } => {
                let (params, results) = self.block_arity(*blockty);
                let cond = self.cur.as_mut().and_then(|s| s.stack.pop());
                let height = self.cur.as_ref().map_or(0, |s| s.stack.len().saturating_sub(params));
                let mut else_state = None;
                let known = cond.and_then(|c| self.known(c));
                if let (Some(s), Some(c)) = (self.cur.as_mut(), cond) {
                    let mut e = s.clone();
                    e.assume(c, false);
                    s.assume(c, true);
                    // A known condition takes one side only.
                    if known != Some(true) {
                        else_state = Some(e);
                    }
                }
                if known == Some(false) {
                    self.cur = None;
                }
                if self.cur.is_some() {
                    let next = self.next();
                    self.edge(self.node, next, false);
                }
                self.frames.push(Frame {
                    kind: Kind::If { cond_node: self.node, else_state, has_else: false },
                    height,
                    params,
                    results,
                    end_preds: Vec::new(),
                    end_state: None,
                });
            }
            Operator::Else => {
                let from = self.node;
                let next = self.next();
                let cur = self.cur.take();
                let live = cur.is_some();
                let Some(f) = self.frames.last_mut() else { return true };
                if let Some(s) = cur {
                    let mut s = s;
                    let top = s.stack.len().saturating_sub(f.results);
                    let label: Vec<Id> = s.stack.drain(top..).collect();
                    s.stack.truncate(f.height);
                    s.stack.extend(label);
                    let mut acc = f.end_state.take();
                    join_into(&mut acc, s, &mut self.vals);
                    f.end_state = acc;
                }
                if live && !f.end_preds.contains(&from) {
                    f.end_preds.push(from);
                }
                let mut cond_edge = None;
                if let Kind::If { cond_node, else_state, has_else } = &mut f.kind {
                    *has_else = true;
                    if let Some(e) = else_state.take() {
                        self.cur = Some(e);
                        cond_edge = Some(*cond_node);
                    }
                }
                if let Some(c) = cond_edge {
                    self.edge(c, next, false);
                }
            }
            Operator::End => self.end(),
            Operator::Br { relative_depth } => {
                if let Some(s) = self.cur.take() {
                    self.branch(*relative_depth, &s);
                }
            }
            Operator::BrIf { relative_depth } => {
                if let Some(mut s) = self.cur.take() {
                    let c = s.stack.pop().unwrap_or_else(|| self.vals.opaque(W::I32, None));
                    let known = self.known(c);
                    let mut taken = s.clone();
                    taken.assume(c, true);
                    if known != Some(false) {
                        self.branch(*relative_depth, &taken);
                    }
                    if known == Some(true) {
                        return true;
                    }
                    s.assume(c, false);
                    let next = self.next();
                    self.edge(self.node, next, false);
                    self.cur = Some(s);
                }
            }
            Operator::BrTable { targets } => {
                if let Some(mut s) = self.cur.take() {
                    let index = s.stack.pop().and_then(|i| self.known_value(i));
                    let mut depths: Vec<u32> = targets.targets().filter_map(Result::ok).collect();
                    depths.push(targets.default());
                    if let Some(i) = index {
                        // A known index takes one target: its own, or the default past the end.
                        let own = usize::try_from(i).ok().and_then(|i| targets.targets().nth(i)).and_then(Result::ok);
                        depths = alloc::vec![own.unwrap_or(targets.default())];
                    }
                    depths.sort_unstable();
                    depths.dedup();
                    for d in depths {
                        self.branch(d, &s);
                    }
                }
            }
            Operator::Return => {
                if self.cur.take().is_some() {
                    self.edge(self.node, Target::Exit, false);
                }
            }
            Operator::Unreachable => self.cur = None,
            _ => return false,
        }
        true
    }

    fn enter_loop(&mut self, blockty: BlockType, start: usize) {
        let (params, results) = self.block_arity(blockty);
        let id = u32::try_from(self.loops.len()).unwrap_or(u32::MAX);
        let header = self.node + 1;
        let scan = self.scans.get(id as usize).cloned().unwrap_or_default();
        let height = self.cur.as_ref().map_or(0, |s| s.stack.len().saturating_sub(params));
        let mut record = None;
        if let Some(s) = self.cur.as_mut() {
            let mark = self.vals.next_id();
            let entry = s.locals.clone();
            let mut modified = Vec::with_capacity(scan.modified.len());
            for &l in &scan.modified {
                let w = self.local_w.get(l as usize).copied().unwrap_or(W::I32);
                let v = self.vals.sym(w, Var::LoopVar { loop_id: id, local: l });
                s.locals.set(l, v);
                modified.push((l, w));
            }
            let n = s.stack.len();
            for i in n.saturating_sub(params)..n {
                let w = self.vals.width(s.stack[i]);
                s.stack[i] = self.vals.opaque(w, None);
            }
            if scan.clobbers {
                s.clobber_all();
            }
            record = Some(LoopRecord { id, modified, entry, mark, back: Vec::new() });
        }
        if self.cur.is_some() {
            self.edge(self.node, Target::Node(header), false);
        }
        self.loops.push(Loop {
            header,
            last: header,
            parent: self.open_loops.last().copied(),
            offset: start,
            trip: Err(self.reason(ReasonKind::Loop, String::from("loop not analyzed"), start)),
        });
        self.records.push(record);
        self.open_loops.push(id);
        self.frames.push(Frame {
            kind: Kind::Loop(id),
            height,
            params,
            results,
            end_preds: Vec::new(),
            end_state: None,
        });
    }

    fn end(&mut self) {
        let Some(frame) = self.frames.pop() else { return };
        let from = self.node;
        let next = if self.frames.is_empty() { Target::Exit } else { self.next() };
        let mut acc = frame.end_state;
        if let Some(mut s) = self.cur.take() {
            let top = s.stack.len().saturating_sub(frame.results);
            let label: Vec<Id> = s.stack.drain(top..).collect();
            s.stack.truncate(frame.height);
            s.stack.extend(label);
            join_into(&mut acc, s, &mut self.vals);
            self.edge(from, next, false);
        }
        for p in &frame.end_preds {
            self.edge(*p, next, false);
        }
        match frame.kind {
            Kind::If { cond_node, else_state: Some(e), has_else: false } => {
                join_into(&mut acc, e, &mut self.vals);
                self.edge(cond_node, next, false);
            }
            Kind::Loop(id) => {
                self.open_loops.pop();
                if let Some(l) = self.loops.get_mut(id as usize) {
                    l.last = from;
                }
                let trip = match self.records.get_mut(id as usize).and_then(Option::take) {
                    Some(rec) => trip::analyze(&mut self.vals, &rec),
                    None => Err(String::from("unreachable loop")),
                };
                let offset = self.loops[id as usize].offset;
                self.loops[id as usize].trip = trip.map_err(|m| {
                    self.reason(ReasonKind::Loop, format!("loop with no bounded trip count: {m}"), offset)
                });
            }
            _ => {}
        }
        self.cur = acc;
    }
}

/// Walks function `func` (absolute index) with body `body` and its basic blocks.
///
/// A first walk uses, as the locals each loop may change, every local assigned inside it.
/// That is more than needed when an assignment is only on a way out of the loop (a
/// counter of an outer loop incremented right before branching back to the outer loop from
/// inside an inner one), so the sets are then narrowed to the assignments on paths that
/// reach a back edge of the loop, and the function is walked again if any set shrank.
pub(super) fn walk(
    m: &ModuleView<'_>,
    func: u32,
    body: &FunctionBody<'_>,
    blocks: &[Block],
) -> Result<FunctionGraph, BoundsError> {
    let scans = pre_scan(body)?;
    let (graph, assigns, clobbering) = walk_with(m, func, body, blocks, scans.clone())?;
    let narrowed = narrow(&graph, &assigns, &clobbering);
    let shrank =
        narrowed.iter().zip(&scans).any(|(a, b)| a.modified.len() < b.modified.len() || (b.clobbers && !a.clobbers));
    if !shrank {
        return Ok(graph);
    }
    Ok(walk_with(m, func, body, blocks, narrowed)?.0)
}

/// The locals (and memory) each loop changes on paths from its header to its back edges.
fn narrow(g: &FunctionGraph, assigns: &[Vec<u32>], clobbering: &[bool]) -> Vec<LoopScan> {
    let n = g.nodes.len();
    let mut preds: Vec<Vec<u32>> = alloc::vec![Vec::new(); n];
    for (i, node) in g.nodes.iter().enumerate() {
        for e in &node.succs {
            if let Target::Node(t) = e.to {
                if let Some(p) = preds.get_mut(t as usize) {
                    p.push(u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
        }
    }
    g.loops
        .iter()
        .map(|l| {
            let (lo, hi) = (l.header, l.last.max(l.header));
            let inside = |x: u32| x >= lo && x <= hi;
            let mut seen = alloc::vec![false; (hi - lo + 1) as usize];
            let mut work: Vec<u32> =
                preds.get(lo as usize).map(|p| p.iter().copied().filter(|&x| inside(x)).collect()).unwrap_or_default();
            let mut scan = LoopScan::default();
            while let Some(x) = work.pop() {
                let slot = &mut seen[(x - lo) as usize];
                if *slot {
                    continue;
                }
                *slot = true;
                scan.modified.extend(assigns.get(x as usize).into_iter().flatten());
                scan.clobbers |= clobbering.get(x as usize).copied().unwrap_or(true);
                if x != lo {
                    if let Some(p) = preds.get(x as usize) {
                        work.extend(p.iter().copied().filter(|&y| inside(y)));
                    }
                }
            }
            scan.modified.sort_unstable();
            scan.modified.dedup();
            scan
        })
        .collect()
}

type Walked = (FunctionGraph, Vec<Vec<u32>>, Vec<bool>);

fn walk_with(
    m: &ModuleView<'_>,
    func: u32,
    body: &FunctionBody<'_>,
    blocks: &[Block],
    scans: Vec<LoopScan>,
) -> Result<Walked, BoundsError> {
    let mut w = Walk::new(m, func, blocks);
    w.scans = scans;
    let mut assigns: Vec<Vec<u32>> = alloc::vec![Vec::new(); blocks.len()];
    let mut clobbering = alloc::vec![false; blocks.len()];
    let sig = m.sig(func).cloned();
    let params = sig.as_ref().map_or(0, |s| s.params.len());
    let results = sig.as_ref().map_or(0, |s| s.results.len());
    // Locals: parameters are inputs, the others start at zero.
    let mut init: Vec<Id> = Vec::new();
    if let Some(sig) = &sig {
        for (i, t) in sig.params.iter().enumerate() {
            let wd = width(*t);
            w.local_w.push(wd);
            let p = w.vals.sym(wd, Var::Param(u32::try_from(i).unwrap_or(u32::MAX)));
            init.push(p);
        }
    }
    let mut locals = body.get_locals_reader().map_err(|e| BoundsError::parse(&e))?;
    for _ in 0..locals.get_count() {
        let (count, t) = locals.read().map_err(|e| BoundsError::parse(&e))?;
        let wd = width(t);
        let zero = w.vals.constant(wd, 0);
        for _ in 0..count {
            w.local_w.push(wd);
            init.push(zero);
        }
    }
    w.cur = Some(State { locals: Locals::new(&init), stack: Vec::new(), facts: Vec::new(), mem: Vec::new() });
    w.frames.push(Frame { kind: Kind::Func, height: 0, params: 0, results, end_preds: Vec::new(), end_state: None });
    let mut index = 0usize;
    let mut next_block = 1usize;
    if let Some(n) = w.nodes.first_mut() {
        n.reachable = true;
    }
    let mut result = Ok(());
    for_each_op(body, |Op { op, start, .. }| {
        if blocks.get(next_block).is_some_and(|b| b.first_op == index) {
            w.node = u32::try_from(next_block).unwrap_or(u32::MAX);
            next_block += 1;
            let reachable = w.cur.is_some();
            let loop_id = w.open_loops.last().copied();
            if let Some(n) = w.nodes.get_mut(w.node as usize) {
                n.reachable = reachable;
                n.loop_id = loop_id;
            }
        }
        index += 1;
        let at = w.node as usize;
        match &op {
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                if let Some(a) = assigns.get_mut(at) {
                    a.push(*local_index);
                }
            }
            o if clobbers(o) => {
                if let Some(c) = clobbering.get_mut(at) {
                    *c = true;
                }
            }
            _ => {}
        }
        if !w.control(&op, start) {
            if let Err(e) = super::ops::step(&mut w, &op, start) {
                result = Err(e);
            }
        }
        Ok(())
    })
    .map_err(|e: BoundsError| e.in_function(func))?;
    result.map_err(|e: BoundsError| e.in_function(func))?;
    let graph = FunctionGraph {
        index: func,
        params: u32::try_from(params).unwrap_or(u32::MAX),
        nodes: w.nodes,
        loops: w.loops,
    };
    Ok((graph, assigns, clobbering))
}
