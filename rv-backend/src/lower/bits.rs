//! Bit counts, rotations, sign extensions and width changes.
//!
//! RV64IM has no `clz`, `ctz`, `cpop` or rotations: counts use a binary search (`clz`) and
//! the SWAR popcount with its masks in the VM context (`popcnt`, and `ctz` through
//! `popcnt(!x & (x - 1))`); rotations are two shifts and an `or`.

use super::ops::W;
use super::{Entry, FuncCompiler};
use crate::abi::vmctx;
use crate::emit::Cond;
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::{Imm12, Shamt5, Shamt6};
use crate::regs::{Reg, T0, T1, T2, VMCTX, ZERO};

/// One-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unary {
    Clz,
    Ctz,
    Popcnt,
    /// `i32.wrap_i64` and `i64.extend32_s`.
    SignExtend32,
    /// `i64.extend_i32_u`.
    ZeroExtend32,
    SignExtend8,
    SignExtend16,
}

fn sh6(n: u32) -> Shamt6 {
    Shamt6::wrapping(u64::from(n))
}

impl Unary {
    fn fold(self, w: W, a: i64) -> i64 {
        let w32 = w == W::W32;
        match self {
            Unary::Clz if w32 => i64::from((a as u32).leading_zeros()),
            Unary::Clz => i64::from((a as u64).leading_zeros()),
            Unary::Ctz if w32 => i64::from((a as u32).trailing_zeros()),
            Unary::Ctz => i64::from((a as u64).trailing_zeros()),
            Unary::Popcnt if w32 => i64::from((a as u32).count_ones()),
            Unary::Popcnt => i64::from((a as u64).count_ones()),
            Unary::SignExtend32 => i64::from(a as i32),
            Unary::ZeroExtend32 => i64::from(a as u32),
            Unary::SignExtend8 => i64::from(a as i8),
            Unary::SignExtend16 => i64::from(a as i16),
        }
    }
}

impl FuncCompiler<'_, '_> {
    pub(super) fn unary(&mut self, op: Unary, w: W) -> Result<(), CompileError> {
        let ai = self.top() - 1;
        if let Entry::Const(a) = self.stack[ai] {
            self.stack.set_const(ai, op.fold(w, a));
            return Ok(());
        }
        let t = self.result_target(ai);
        let a = self.read(ai, T0);
        self.stack.truncate(ai);
        let rd = t.reg;
        let w32 = w == W::W32;
        match op {
            Unary::SignExtend32 => self.emit(enc::addiw(rd, a, Imm12::ZERO)),
            Unary::ZeroExtend32 => {
                self.emit(enc::slli(rd, a, sh6(32)));
                self.emit(enc::srli(rd, rd, sh6(32)));
            }
            Unary::SignExtend8 | Unary::SignExtend16 => {
                let k = if op == Unary::SignExtend8 { 56 } else { 48 };
                self.emit(enc::slli(rd, a, sh6(k)));
                self.emit(enc::srai(rd, rd, sh6(k)));
            }
            Unary::Popcnt => {
                if w32 {
                    self.emit(enc::slli(T0, a, sh6(32)));
                    self.emit(enc::srli(T0, T0, sh6(32)));
                } else {
                    self.asm.mv(T0, a);
                }
                self.popcount(rd);
            }
            Unary::Ctz => {
                // ctz(x) = popcnt(!x & (x - 1)); for i32, ctz64(x << 32) - 32.
                let x = if w32 {
                    self.emit(enc::slli(T0, a, sh6(32)));
                    T0
                } else {
                    a
                };
                self.emit(enc::addi(T1, x, const { Imm12::lit(-1) }));
                self.emit(enc::xori(T0, x, const { Imm12::lit(-1) }));
                self.emit(enc::and(T0, T0, T1));
                self.popcount(rd);
                if w32 {
                    self.emit(enc::addi(rd, rd, const { Imm12::lit(-32) }));
                }
            }
            Unary::Clz => self.clz(rd, a, w32),
        }
        self.finish_result(t);
        Ok(())
    }

    /// `rd = popcount(t0)`; clobbers t0..t2.
    fn popcount(&mut self, rd: Reg) {
        let e = |s: &mut Self, w| s.emit(w);
        e(self, enc::srli(T1, T0, sh6(1)));
        e(self, enc::ld(T2, VMCTX, const { Imm12::lit(vmctx::M1) }));
        e(self, enc::and(T1, T1, T2));
        e(self, enc::sub(T0, T0, T1));
        e(self, enc::ld(T2, VMCTX, const { Imm12::lit(vmctx::M2) }));
        e(self, enc::and(T1, T0, T2));
        e(self, enc::srli(T0, T0, sh6(2)));
        e(self, enc::and(T0, T0, T2));
        e(self, enc::add(T0, T0, T1));
        e(self, enc::srli(T1, T0, sh6(4)));
        e(self, enc::add(T0, T0, T1));
        e(self, enc::ld(T2, VMCTX, const { Imm12::lit(vmctx::M4) }));
        e(self, enc::and(T0, T0, T2));
        e(self, enc::ld(T2, VMCTX, const { Imm12::lit(vmctx::H01) }));
        e(self, enc::mul(T0, T0, T2));
        e(self, enc::srli(rd, T0, sh6(56)));
    }

    /// `rd = clz(a)` by binary search; t0 = x, t1 = count, t2 = test.
    fn clz(&mut self, rd: Reg, a: Reg, w32: bool) {
        if w32 {
            // x = (a << 32) | (1 << 31): the marker bit stops the count at 32.
            self.emit(enc::slli(T0, a, sh6(1)));
            self.emit(enc::ori(T0, T0, const { Imm12::lit(1) }));
            self.emit(enc::slli(T0, T0, sh6(31)));
        } else {
            self.asm.mv(T0, a);
        }
        self.emit(enc::mv(T1, ZERO));
        for (test, step) in [(32u32, 32i64), (48, 16), (56, 8), (60, 4), (62, 2), (63, 1)] {
            let skip = self.asm.label();
            self.emit(enc::srli(T2, T0, sh6(test)));
            self.asm.branch(Cond::Ne, T2, ZERO, skip);
            self.emit(enc::addi(T1, T1, crate::emit::imm12(step)));
            if step > 1 {
                self.emit(enc::slli(T0, T0, sh6(step as u32)));
            }
            self.asm.bind(skip);
        }
        if w32 {
            self.asm.mv(rd, T1);
        } else {
            // x == 0 counted 63 so far.
            self.emit(enc::sltiu(T2, T0, const { Imm12::lit(1) }));
            self.emit(enc::add(rd, T1, T2));
        }
    }

    pub(super) fn rotate(&mut self, left: bool, w: W) -> Result<(), CompileError> {
        let top = self.top();
        let (ai, bi) = (top - 2, top - 1);
        let bits: u32 = if w == W::W32 { 32 } else { 64 };
        if let (Entry::Const(a), Entry::Const(b)) = (self.stack[ai], self.stack[bi]) {
            let v = match (w, left) {
                (W::W32, true) => i64::from((a as u32).rotate_left(b as u32 % 32) as i32),
                (W::W32, false) => i64::from((a as u32).rotate_right(b as u32 % 32) as i32),
                (W::W64, true) => (a as u64).rotate_left((b as u64 % 64) as u32) as i64,
                (W::W64, false) => (a as u64).rotate_right((b as u64 % 64) as u32) as i64,
            };
            self.stack.truncate(ai);
            self.push(Entry::Const(v));
            return Ok(());
        }
        let t = self.result_target(ai);
        let rd = t.reg;
        let a = self.read(ai, T0);
        let w32 = w == W::W32;
        if let Entry::Const(c) = self.stack[bi] {
            self.stack.truncate(ai);
            let k = (c as u64 % u64::from(bits)) as u32;
            let l = if left { k } else { (bits - k) % bits };
            if l == 0 {
                self.asm.mv(rd, a);
            } else if w32 {
                self.emit(enc::slliw(T2, a, Shamt5::wrapping(u64::from(l))));
                self.emit(enc::srliw(T1, a, Shamt5::wrapping(u64::from(32 - l))));
                self.emit(enc::or(rd, T2, T1));
            } else {
                self.emit(enc::slli(T2, a, sh6(l)));
                self.emit(enc::srli(T1, a, sh6(64 - l)));
                self.emit(enc::or(rd, T2, T1));
            }
            self.finish_result(t);
            return Ok(());
        }
        let b = self.read(bi, T1);
        self.stack.truncate(ai);
        // rotl(a, b) = (a << b) | (a >> -b); shifts use the count modulo the width.
        type RegOp = fn(Reg, Reg, Reg) -> u32;
        let (first, second): (RegOp, RegOp) = match (left, w32) {
            (true, true) => (enc::sllw, enc::srlw),
            (false, true) => (enc::srlw, enc::sllw),
            (true, false) => (enc::sll, enc::srl),
            (false, false) => (enc::srl, enc::sll),
        };
        self.emit(first(T2, a, b));
        self.emit(enc::sub(T1, ZERO, b));
        self.emit(second(T1, a, T1));
        self.emit(enc::or(rd, T2, T1));
        self.finish_result(t);
        Ok(())
    }
}
