//! A small builder for helper-function bodies.

use crate::codegen::asm::mem;
use crate::codegen::ctx::G_GAS;
use alloc::vec::Vec;
use wasm_encoder::{BlockType, Function, InstructionSink, MemArg, ValType};

/// Body under construction: instructions plus declared locals.
pub struct Fb {
    buf: Vec<u8>,
    params: u32,
    locals: Vec<ValType>,
}

impl Fb {
    /// A body for a function with `params` parameters.
    pub fn new(params: u32) -> Self {
        Self { buf: Vec::new(), params, locals: Vec::new() }
    }

    /// Declares a local.
    pub fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.params + self.locals.len() as u32 - 1
    }

    /// Declares `N` i64 locals.
    pub fn i64s<const N: usize>(&mut self) -> [u32; N] {
        core::array::from_fn(|_| self.local(ValType::I64))
    }

    /// Declares `N` i32 locals.
    pub fn i32s<const N: usize>(&mut self) -> [u32; N] {
        core::array::from_fn(|_| self.local(ValType::I32))
    }

    /// The instruction sink.
    pub fn i(&mut self) -> InstructionSink<'_> {
        InstructionSink::new(&mut self.buf)
    }

    /// `block` (empty type).
    pub fn block(&mut self) -> &mut Self {
        self.i().block(BlockType::Empty);
        self
    }

    /// `loop` (empty type).
    pub fn loop_(&mut self) -> &mut Self {
        self.i().loop_(BlockType::Empty);
        self
    }

    /// `if` (empty type).
    pub fn if_(&mut self) -> &mut Self {
        self.i().if_(BlockType::Empty);
        self
    }

    /// Charges gas: `amount` pushes an i64; traps when the gas global goes negative.
    pub fn charge(&mut self, amount: impl FnOnce(&mut Self)) {
        self.i().global_get(G_GAS);
        amount(self);
        self.i().i64_sub().global_set(G_GAS);
        self.i().global_get(G_GAS).i64_const(0).i64_lt_s().if_(BlockType::Empty).unreachable().end();
    }

    /// Adds a constant to the gas global (pays in advance a host function's fixed charge
    /// that the transpiled code has already accounted for).
    pub fn credit(&mut self, amount: u64) {
        self.i().global_get(G_GAS).i64_const(amount as i64).i64_add().global_set(G_GAS);
    }

    /// The finished function (the final `end` is added here).
    pub fn finish(mut self) -> Function {
        self.i().end();
        let mut groups: Vec<(u32, ValType)> = Vec::new();
        for t in &self.locals {
            match groups.last_mut() {
                Some((n, u)) if u == t => *n += 1,
                _ => groups.push((1, *t)),
            }
        }
        let mut f = Function::new(groups);
        f.raw(self.buf);
        f
    }
}

/// `MemArg` for an i64 access at `offset` (alignment hint 1 byte: addresses may be unaligned).
pub fn m64(offset: u32) -> MemArg {
    mem(u64::from(offset), 0)
}
