//! The abstract state at a program point: locals, operand stack, known facts and what parts
//! of memory hold calldata.
//!
//! Locals live in a persistent vector of shared chunks, so copying a state at a branch and
//! joining two states that differ in a few locals cost a few chunks, not every local: the
//! analysis stays close to linear in code size even for functions with thousands of locals.

use alloc::rc::Rc;
use alloc::vec::Vec;

use super::values::{Id, Values};

const CHUNK: usize = 32;

/// The locals of a function, copy-on-write in chunks.
#[derive(Clone, Debug)]
pub struct Locals {
    chunks: Vec<Rc<[Id; CHUNK]>>,
    len: usize,
}

impl Locals {
    /// Locals with initial values.
    pub fn new(values: &[Id]) -> Self {
        let mut chunks = Vec::with_capacity(values.len().div_ceil(CHUNK));
        for part in values.chunks(CHUNK) {
            let mut c = [0; CHUNK];
            c[..part.len()].copy_from_slice(part);
            chunks.push(Rc::new(c));
        }
        Self { chunks, len: values.len() }
    }

    /// Number of locals.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of local `i` (`None` past the end: invalid code).
    pub fn get(&self, i: u32) -> Option<Id> {
        let i = usize::try_from(i).ok()?;
        if i >= self.len {
            return None;
        }
        self.chunks.get(i / CHUNK).map(|c| c[i % CHUNK])
    }

    /// Sets local `i` (ignored past the end).
    pub fn set(&mut self, i: u32, v: Id) {
        let Ok(i) = usize::try_from(i) else { return };
        if i >= self.len {
            return;
        }
        if let Some(c) = self.chunks.get_mut(i / CHUNK) {
            if c[i % CHUNK] != v {
                Rc::make_mut(c)[i % CHUNK] = v;
            }
        }
    }

    /// The join of two sets of locals: equal values are kept, different ones joined.
    pub fn join(&self, other: &Self, vals: &mut Values) -> Self {
        let mut chunks = Vec::with_capacity(self.chunks.len());
        for (a, b) in self.chunks.iter().zip(&other.chunks) {
            if Rc::ptr_eq(a, b) || **a == **b {
                chunks.push(a.clone());
                continue;
            }
            let mut c = **a;
            for (x, y) in c.iter_mut().zip(b.iter()) {
                *x = vals.join(*x, *y);
            }
            chunks.push(Rc::new(c));
        }
        Self { chunks, len: self.len.min(other.len) }
    }
}

/// A range of memory known to hold calldata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFact {
    /// The symbolic base the address is relative to (a stack pointer held in a local), or
    /// `None` for an absolute address. Only the analysis under [`super::Assumptions`] keeps
    /// relative facts.
    pub base: Option<Id>,
    /// First address (relative to `base`, modulo 2^32, when there is one).
    pub addr: u32,
    /// Length in bytes.
    pub len: u32,
    /// Calldata offset of the first byte.
    pub calldata: u32,
}

/// Most facts kept per state (older ones are dropped, which is always sound).
const MAX_FACTS: usize = 32;
/// Most memory facts kept per state.
const MAX_MEM: usize = 8;

/// The abstract state at a program point.
#[derive(Clone, Debug)]
pub struct State {
    /// Locals.
    pub locals: Locals,
    /// Operand stack.
    pub stack: Vec<Id>,
    /// Conditions known to hold: (condition value, whether it is non-zero).
    pub facts: Vec<(Id, bool)>,
    /// Memory ranges that hold calldata.
    pub mem: Vec<MemFact>,
}

impl State {
    /// Adds a fact.
    pub fn assume(&mut self, cond: Id, truth: bool) {
        if self.facts.contains(&(cond, truth)) {
            return;
        }
        if self.facts.len() >= MAX_FACTS {
            self.facts.remove(0);
        }
        self.facts.push((cond, truth));
    }

    /// Forgets what memory holds.
    pub fn clobber_all(&mut self) {
        self.mem.clear();
    }

    /// Forgets what `[addr, addr+len)` held.
    pub fn clobber(&mut self, addr: u64, len: u64) {
        let end = addr.saturating_add(len);
        self.mem.retain(|m| {
            let (a, e) = (u64::from(m.addr), u64::from(m.addr) + u64::from(m.len));
            // A fact relative to a base may be anywhere.
            m.base.is_none() && (e <= addr || a >= end)
        });
    }

    /// Forgets what `[base + addr, base + addr + len)` held: every fact about another base
    /// (the two may alias) and the overlapping ones about the same base (offsets modulo
    /// 2^32, as the program computes them).
    pub fn clobber_relative(&mut self, base: Id, addr: u32, len: u32) {
        self.mem.retain(|m| {
            m.base == Some(base) && {
                // Disjoint when each range starts at or after the other's end, measured from
                // its own start modulo 2^32.
                let from_m = addr.wrapping_sub(m.addr);
                let from_new = m.addr.wrapping_sub(addr);
                from_m >= m.len && from_new >= len
            }
        });
    }

    /// Records that `[addr, addr+len)` (relative to `fact.base` if it has one) now holds
    /// calldata from `calldata`.
    pub fn remember(&mut self, fact: MemFact) {
        match fact.base {
            None => self.clobber(u64::from(fact.addr), u64::from(fact.len)),
            Some(b) => self.clobber_relative(b, fact.addr, fact.len),
        }
        if fact.len == 0 {
            return;
        }
        if self.mem.len() >= MAX_MEM {
            self.mem.remove(0);
        }
        self.mem.push(fact);
    }

    /// The join of two states reaching the same point (stacks of equal height).
    pub fn join(&self, other: &Self, vals: &mut Values) -> Self {
        let locals = self.locals.join(&other.locals, vals);
        let stack = self.stack.iter().zip(&other.stack).map(|(a, b)| vals.join(*a, *b)).collect();
        let facts = self.facts.iter().filter(|f| other.facts.contains(f)).copied().collect();
        let mem = self.mem.iter().filter(|m| other.mem.contains(m)).copied().collect();
        Self { locals, stack, facts, mem }
    }
}

/// Joins `s` into an optional accumulated state.
pub fn join_into(acc: &mut Option<State>, s: State, vals: &mut Values) {
    *acc = Some(match acc.take() {
        None => s,
        Some(a) => a.join(&s, vals),
    });
}
