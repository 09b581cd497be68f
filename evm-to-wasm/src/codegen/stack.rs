//! The virtual stack: EVM stack values as the code generator sees them.
//!
//! At the start of a labelled block the whole EVM stack is in linear memory and `bp` locates
//! its top. Inside straight-line code the generator keeps the part of the stack the code has
//! touched as a list of [`Value`]s, each made of four 64-bit [`Limb`]s: a constant (PUSH), a
//! pool local (a computed value), a limb of a slot still in memory, or a byte-swapped local
//! (a limb of a big-endian word loaded from EVM memory or written by the host, swapped only
//! when a native value is needed: stores, zero tests, equality and bitwise operations use
//! the raw form). PUSH, DUP, SWAP and POP
//! emit no code. Before control leaves straight-line code (a jump, or falling into a label),
//! [`Gen::flush`] writes the values that are not already in place and moves `bp`.

use super::asm::{bswap64, mem};
use super::gen::Gen;
use super::layout::{slot_offset, L_BP, L_POOL, L_S, L_T2, MASKS};
use alloc::vec;
use alloc::vec::Vec;

/// One 64-bit limb of a 256-bit value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limb {
    /// A constant.
    Const(u64),
    /// An i64 local (a pool local, or a scratch local inside one operation).
    Local(u32),
    /// The byte swap of an i64 local (a pool local): a limb of a big-endian word read raw
    /// from memory.
    Swapped(u32),
    /// Limb `limb` of the memory slot `depth` items below the top at the current `bp`.
    Slot {
        /// Depth below the top of the in-memory stack.
        depth: u32,
        /// Limb index, 0 least significant.
        limb: u8,
    },
}

/// A 256-bit value: four limbs, least significant first.
pub type Value = [Limb; 4];

/// A constant value.
pub const fn konst(v: [u64; 4]) -> Value {
    [Limb::Const(v[0]), Limb::Const(v[1]), Limb::Const(v[2]), Limb::Const(v[3])]
}

/// The constant zero.
pub const ZERO: Value = konst([0; 4]);

/// The value of a constant, if it is one.
pub fn as_const(v: &Value) -> Option<[u64; 4]> {
    let mut out = [0; 4];
    for (o, l) in out.iter_mut().zip(v) {
        match l {
            Limb::Const(c) => *o = *c,
            _ => return None,
        }
    }
    Some(out)
}

fn slot(depth: u32) -> Value {
    [0u8, 1, 2, 3].map(|limb| Limb::Slot { depth, limb })
}

/// Reference-counted pool of i64 locals holding stack values.
#[derive(Default)]
pub struct Pool {
    refs: Vec<u32>,
    free: Vec<u32>,
    /// Locals currently in use.
    pub live: u32,
}

impl Pool {
    /// A fresh local (reference count 1).
    pub fn alloc(&mut self) -> u32 {
        self.live += 1;
        if let Some(k) = self.free.pop() {
            self.refs[k as usize] = 1;
            L_POOL + k
        } else {
            self.refs.push(1);
            L_POOL + self.refs.len() as u32 - 1
        }
    }

    fn index(l: &Limb) -> Option<usize> {
        match *l {
            Limb::Local(x) | Limb::Swapped(x) if x >= L_POOL => Some((x - L_POOL) as usize),
            _ => None,
        }
    }

    /// One more reference to the value's locals.
    pub fn retain(&mut self, v: &Value) {
        for l in v {
            if let Some(k) = Self::index(l) {
                self.refs[k] += 1;
            }
        }
    }

    /// One reference fewer; locals reaching zero return to the pool.
    pub fn release(&mut self, v: &Value) {
        for l in v {
            if let Some(k) = Self::index(l) {
                self.refs[k] -= 1;
                if self.refs[k] == 0 {
                    self.free.push(k as u32);
                    self.live -= 1;
                }
            }
        }
    }

    /// Number of locals the function must declare.
    pub fn high_water(&self) -> u32 {
        self.refs.len() as u32
    }
}

impl Gen<'_> {
    /// Pushes a value (takes over its references).
    pub fn push(&mut self, v: Value) {
        self.vs.push(v);
    }

    /// Pops the top value (the caller owns its references).
    pub fn pop(&mut self) -> Value {
        match self.vs.pop() {
            Some(v) => v,
            None => {
                let d = self.lifted;
                self.lifted += 1;
                slot(d)
            }
        }
    }

    /// Makes sure the top `n` values are in the virtual stack.
    fn ensure(&mut self, n: usize) {
        while self.vs.len() < n {
            let d = self.lifted;
            self.lifted += 1;
            self.vs.insert(0, slot(d));
        }
    }

    /// DUPn.
    pub fn dup(&mut self, n: usize) {
        self.ensure(n);
        let v = self.vs[self.vs.len() - n];
        self.pool.retain(&v);
        self.vs.push(v);
    }

    /// SWAPn.
    pub fn swap(&mut self, n: usize) {
        self.ensure(n + 1);
        let len = self.vs.len();
        self.vs.swap(len - 1, len - 1 - n);
    }

    /// Releases a value's references.
    pub fn release(&mut self, v: Value) {
        self.pool.release(&v);
    }

    /// Forgets the virtual stack without writing it (the code after this point is dead, or
    /// everything has been flushed).
    pub fn reset(&mut self) {
        for v in core::mem::take(&mut self.vs) {
            self.pool.release(&v);
        }
        self.lifted = 0;
    }

    /// Emits code that pushes a limb onto the WASM operand stack.
    pub fn get(&mut self, l: Limb) {
        match l {
            Limb::Const(c) => {
                self.asm.i().i64_const(c as i64);
            }
            Limb::Local(x) => {
                self.asm.i().local_get(x);
            }
            Limb::Swapped(x) => {
                self.asm.i().local_get(x);
                bswap64(&mut self.asm.i(), L_T2, MASKS);
                self.cache_native(x);
            }
            Limb::Slot { depth, limb } => {
                self.asm.i().local_get(L_BP).i64_load(mem(slot_offset(depth as i32, limb), 3));
            }
        }
    }

    /// After a swap of raw local `x` (the native value on the operand stack), in straight-line
    /// code: keeps the native value in a pool local and uses it wherever the virtual stack
    /// holds `Swapped(x)`, so that it is swapped once. Not while flushing: the values being
    /// written are still in the virtual stack, and replacing them could free `x` while later
    /// stores still read it.
    fn cache_native(&mut self, x: u32) {
        if self.flushing || self.asm.depth() != self.top {
            return;
        }
        let uses = self.vs.iter().flatten().filter(|l| **l == Limb::Swapped(x)).count();
        if uses == 0 {
            return;
        }
        let y = self.pool.alloc();
        self.asm.i().local_tee(y);
        for _ in 1..uses {
            self.pool.retain(&[Limb::Local(y), Limb::Const(0), Limb::Const(0), Limb::Const(0)]);
        }
        let old = Limb::Swapped(x);
        for v in self.vs.iter_mut() {
            for l in v.iter_mut() {
                if *l == old {
                    *l = Limb::Local(y);
                }
            }
        }
        for _ in 0..uses {
            self.pool.release(&[old, Limb::Const(0), Limb::Const(0), Limb::Const(0)]);
        }
    }

    /// Pushes an i64 that is zero iff the limb is zero (a swapped limb needs no swap).
    pub fn get_for_zero_test(&mut self, l: Limb) {
        match l {
            Limb::Swapped(x) => {
                self.asm.i().local_get(x);
            }
            l => self.get(l),
        }
    }

    /// Pushes all four limbs of a value, least significant first.
    pub fn get_value(&mut self, v: &Value) {
        for l in v {
            self.get(*l);
        }
    }

    /// Copies the memory (and swapped) limbs of `v` into scratch locals `L_S + 4*which ..`,
    /// so that the operation can read each limb several times cheaply.
    pub fn stage(&mut self, v: Value, which: u32) -> Value {
        let mut out = v;
        for (j, l) in v.iter().enumerate() {
            if let Limb::Slot { .. } | Limb::Swapped(_) = l {
                let x = L_S + 4 * which + j as u32;
                self.get(*l);
                self.asm.i().local_set(x);
                out[j] = Limb::Local(x);
            }
        }
        out
    }

    /// Pops the WASM operand stack's top `n` i64 values (limbs 0..n, limb n-1 on top) into
    /// fresh pool locals; the other limbs are zero.
    pub fn take_results(&mut self, n: usize) -> Value {
        let mut v = ZERO;
        for limb in v.iter_mut().take(n) {
            *limb = Limb::Local(self.pool.alloc());
        }
        for j in (0..n).rev() {
            if let Limb::Local(x) = v[j] {
                self.asm.i().local_set(x);
            }
        }
        v
    }

    /// Writes the virtual stack to memory and moves `bp` to the new top. With `consume`, the
    /// virtual stack becomes empty; without, the generator's state is kept (the code is on one
    /// branch only, e.g. a taken JUMPI, and the other branch continues with the old state).
    pub fn flush(&mut self, consume: bool) {
        let d = i64::from(self.lifted);
        let l = self.vs.len() as i64;
        let target = |i: usize| d - 1 - i as i64;
        let in_place = |i: usize, v: &Value| {
            let t = target(i);
            t >= 0 && v.iter().enumerate().all(|(j, l)| *l == Limb::Slot { depth: t as u32, limb: j as u8 })
        };
        self.flushing = true;
        let mut written = vec![false; self.lifted as usize];
        for (i, v) in self.vs.iter().enumerate() {
            if !in_place(i, v) && target(i) >= 0 {
                written[target(i) as usize] = true;
            }
        }
        // Slots about to be overwritten but still read by another value: load them first.
        let mut vals = self.vs.clone();
        let mut temps: Vec<Value> = Vec::new();
        for (i, v) in vals.iter_mut().enumerate() {
            if in_place(i, v) {
                continue;
            }
            for l in v.iter_mut() {
                if let Limb::Slot { depth, .. } = *l {
                    if written[depth as usize] {
                        let x = self.pool.alloc();
                        self.get(*l);
                        self.asm.i().local_set(x);
                        *l = Limb::Local(x);
                        temps.push([Limb::Local(x), Limb::Const(0), Limb::Const(0), Limb::Const(0)]);
                    }
                }
            }
        }
        for (i, v) in vals.iter().enumerate() {
            if in_place(i, v) {
                continue;
            }
            for (j, limb) in v.iter().enumerate() {
                self.asm.i().local_get(L_BP);
                self.get(*limb);
                self.asm.i().i64_store(mem(slot_offset(target(i) as i32, j as u8), 3));
            }
        }
        if d != l {
            self.asm.i().local_get(L_BP).i32_const((32 * (d - l)) as i32).i32_add().local_set(L_BP);
        }
        if consume {
            // The in-memory height changes by the virtual stack's net growth.
            self.heights = (self.heights.0 + l - d, self.heights.1 + l - d);
        }
        for t in temps {
            self.pool.release(&t);
        }
        self.flushing = false;
        if consume {
            self.reset();
        }
    }

    /// Height of the virtual stack above the in-memory top at `bp` (negative: below it).
    pub fn delta(&self) -> i64 {
        self.vs.len() as i64 - i64::from(self.lifted)
    }
}
