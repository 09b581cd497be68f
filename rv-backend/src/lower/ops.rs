//! Integer arithmetic, comparisons, division, `select`, locals and globals.
//!
//! `i32` values are kept sign-extended in 64-bit registers. The RV64 word instructions
//! (`addw`, `subw`, `mulw`, `sllw`, `srlw`, `sraw`, `divw`, ...) read the low 32 bits and
//! produce that form; bitwise operations and the 64-bit comparisons keep it (signed and
//! unsigned order of sign-extended values match the 32-bit order), so one set of
//! comparison and bitwise instructions serves both widths.

use super::control::Test;
use super::{Entry, FuncCompiler, LocalLoc, Next};
use crate::abi::TrapCode;
use crate::emit::{Cond, Label};
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::{Imm12, Shamt5, Shamt6};
use crate::regs::{Reg, GAS, SP, T0, T1, T2, VMCTX, ZERO};

/// Operand width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum W {
    W32,
    W64,
}

/// Two-operand ALU operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alu {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
}

impl Alu {
    fn commutative(self) -> bool {
        matches!(self, Alu::Add | Alu::Mul | Alu::And | Alu::Or | Alu::Xor)
    }

    fn fold(self, w: W, a: i64, b: i64) -> i64 {
        match w {
            W::W64 => match self {
                Alu::Add => a.wrapping_add(b),
                Alu::Sub => a.wrapping_sub(b),
                Alu::Mul => a.wrapping_mul(b),
                Alu::And => a & b,
                Alu::Or => a | b,
                Alu::Xor => a ^ b,
                Alu::Shl => a.wrapping_shl((b & 63) as u32),
                Alu::ShrS => a >> (b & 63),
                Alu::ShrU => ((a as u64) >> (b & 63)) as i64,
            },
            W::W32 => {
                let (x, y) = (a as i32, b as i32);
                let r = match self {
                    Alu::Add => x.wrapping_add(y),
                    Alu::Sub => x.wrapping_sub(y),
                    Alu::Mul => x.wrapping_mul(y),
                    Alu::And => x & y,
                    Alu::Or => x | y,
                    Alu::Xor => x ^ y,
                    Alu::Shl => x.wrapping_shl((y & 31) as u32),
                    Alu::ShrS => x >> (y & 31),
                    Alu::ShrU => ((x as u32) >> (y & 31)) as i32,
                };
                i64::from(r)
            }
        }
    }

    /// The instruction with the constant `c` as second operand, if there is one.
    fn imm_word(self, w: W, rd: Reg, a: Reg, c: i64) -> Option<u32> {
        let w32 = w == W::W32;
        let imm = Imm12::new(c);
        Some(match self {
            Alu::Add => {
                let i = imm?;
                if w32 {
                    enc::addiw(rd, a, i)
                } else {
                    enc::addi(rd, a, i)
                }
            }
            Alu::Sub => {
                let i = Imm12::new(c.checked_neg()?)?;
                if w32 {
                    enc::addiw(rd, a, i)
                } else {
                    enc::addi(rd, a, i)
                }
            }
            Alu::And => enc::andi(rd, a, imm?),
            Alu::Or => enc::ori(rd, a, imm?),
            Alu::Xor => enc::xori(rd, a, imm?),
            Alu::Shl if w32 => enc::slliw(rd, a, Shamt5::wrapping(c as u64)),
            Alu::Shl => enc::slli(rd, a, Shamt6::wrapping(c as u64)),
            Alu::ShrS if w32 => enc::sraiw(rd, a, Shamt5::wrapping(c as u64)),
            Alu::ShrS => enc::srai(rd, a, Shamt6::wrapping(c as u64)),
            Alu::ShrU if w32 => enc::srliw(rd, a, Shamt5::wrapping(c as u64)),
            Alu::ShrU => enc::srli(rd, a, Shamt6::wrapping(c as u64)),
            Alu::Mul => {
                // Multiplication by a power of two is a shift.
                let bits = if w32 { c as i32 as u32 as u64 } else { c as u64 };
                if bits == 0 || !bits.is_power_of_two() {
                    return None;
                }
                let k = bits.trailing_zeros();
                if w32 {
                    enc::slliw(rd, a, Shamt5::wrapping(u64::from(k)))
                } else {
                    enc::slli(rd, a, Shamt6::wrapping(u64::from(k)))
                }
            }
        })
    }

    fn reg_word(self, w: W, rd: Reg, a: Reg, b: Reg) -> u32 {
        let w32 = w == W::W32;
        match self {
            Alu::Add => {
                if w32 {
                    enc::addw(rd, a, b)
                } else {
                    enc::add(rd, a, b)
                }
            }
            Alu::Sub => {
                if w32 {
                    enc::subw(rd, a, b)
                } else {
                    enc::sub(rd, a, b)
                }
            }
            Alu::Mul => {
                if w32 {
                    enc::mulw(rd, a, b)
                } else {
                    enc::mul(rd, a, b)
                }
            }
            Alu::And => enc::and(rd, a, b),
            Alu::Or => enc::or(rd, a, b),
            Alu::Xor => enc::xor(rd, a, b),
            Alu::Shl => {
                if w32 {
                    enc::sllw(rd, a, b)
                } else {
                    enc::sll(rd, a, b)
                }
            }
            Alu::ShrS => {
                if w32 {
                    enc::sraw(rd, a, b)
                } else {
                    enc::sra(rd, a, b)
                }
            }
            Alu::ShrU => {
                if w32 {
                    enc::srlw(rd, a, b)
                } else {
                    enc::srl(rd, a, b)
                }
            }
        }
    }
}

/// Comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rel {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

impl Rel {
    /// The branch condition and whether the operands swap.
    fn cond(self) -> (Cond, bool) {
        match self {
            Rel::Eq => (Cond::Eq, false),
            Rel::Ne => (Cond::Ne, false),
            Rel::LtS => (Cond::Lt, false),
            Rel::LtU => (Cond::Ltu, false),
            Rel::GtS => (Cond::Lt, true),
            Rel::GtU => (Cond::Ltu, true),
            Rel::LeS => (Cond::Ge, true),
            Rel::LeU => (Cond::Geu, true),
            Rel::GeS => (Cond::Ge, false),
            Rel::GeU => (Cond::Geu, false),
        }
    }

    fn fold(self, a: i64, b: i64) -> bool {
        let (ua, ub) = (a as u64, b as u64);
        match self {
            Rel::Eq => a == b,
            Rel::Ne => a != b,
            Rel::LtS => a < b,
            Rel::LtU => ua < ub,
            Rel::GtS => a > b,
            Rel::GtU => ua > ub,
            Rel::LeS => a <= b,
            Rel::LeU => ua <= ub,
            Rel::GeS => a >= b,
            Rel::GeU => ua >= ub,
        }
    }
}

/// Division and remainder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DivOp {
    DivS,
    DivU,
    RemS,
    RemU,
}

impl FuncCompiler<'_, '_> {
    pub(super) fn alu(&mut self, op: Alu, w: W) -> Result<(), CompileError> {
        let top = self.top();
        let (ai, bi) = (top - 2, top - 1);
        let (ea, eb) = (self.stack[ai], self.stack[bi]);
        if let (Entry::Const(a), Entry::Const(b)) = (ea, eb) {
            self.stack.truncate(ai);
            self.push(Entry::Const(op.fold(w, a, b)));
            return Ok(());
        }
        let t = self.result_target(ai);
        let (xi, yi) = if op.commutative() && matches!(ea, Entry::Const(_)) { (bi, ai) } else { (ai, bi) };
        let x = self.read(xi, T0);
        if let Entry::Const(c) = self.stack[yi] {
            if let Some(word) = op.imm_word(w, t.reg, x, c) {
                self.stack.truncate(ai);
                self.emit(word);
                self.finish_result(t);
                return Ok(());
            }
        }
        let y = self.read(yi, T1);
        self.stack.truncate(ai);
        self.emit(op.reg_word(w, t.reg, x, y));
        self.finish_result(t);
        Ok(())
    }

    /// A comparison; fused with a following `br_if` or `if` into one branch.
    pub(super) fn compare(&mut self, rel: Rel) -> Result<(), CompileError> {
        let top = self.top();
        let (ai, bi) = (top - 2, top - 1);
        if let (Entry::Const(a), Entry::Const(b)) = (self.stack[ai], self.stack[bi]) {
            self.stack.truncate(ai);
            self.push(Entry::Const(i64::from(rel.fold(a, b))));
            return Ok(());
        }
        let (cond, swap) = rel.cond();
        match self.peek() {
            Some(Next::BrIf(relative_depth)) => {
                let depth = relative_depth;
                self.settle_carried(depth, ai);
                let a = self.read(ai, T0);
                let b = self.read(bi, T1);
                self.stack.truncate(ai);
                self.ops.skip(1);
                let (a, b) = if swap { (b, a) } else { (a, b) };
                return self.br_if_test(depth, Test { cond, a, b });
            }
            Some(Next::If(blockty)) => {
                let bt = blockty;
                self.materialize_below(ai);
                let a = self.read(ai, T0);
                let b = self.read(bi, T1);
                self.stack.truncate(ai);
                self.ops.skip(1);
                let (a, b) = if swap { (b, a) } else { (a, b) };
                return self.if_test(bt, Test { cond, a, b });
            }
            _ => {}
        }
        let t = self.result_target(ai);
        let rd = t.reg;
        let a = self.read(ai, T0);
        let cb = match self.stack[bi] {
            Entry::Const(c) => Some(c),
            _ => None,
        };
        // Immediate forms.
        let done = match (rel, cb) {
            (Rel::Eq, Some(0)) => {
                self.emit(enc::sltiu(rd, a, const { Imm12::lit(1) }));
                true
            }
            (Rel::Ne, Some(0)) => {
                self.emit(enc::sltu(rd, ZERO, a));
                true
            }
            (Rel::LtS, Some(c)) if Imm12::new(c).is_some() => {
                self.emit(enc::slti(rd, a, crate::emit::imm12(c)));
                true
            }
            (Rel::LtU, Some(c)) if Imm12::new(c).is_some() => {
                self.emit(enc::sltiu(rd, a, crate::emit::imm12(c)));
                true
            }
            _ => false,
        };
        if !done {
            let b = self.read(bi, T1);
            let (x, y) = if swap { (b, a) } else { (a, b) };
            match cond {
                Cond::Eq => {
                    self.emit(enc::xor(rd, x, y));
                    self.emit(enc::sltiu(rd, rd, const { Imm12::lit(1) }));
                }
                Cond::Ne => {
                    self.emit(enc::xor(rd, x, y));
                    self.emit(enc::sltu(rd, ZERO, rd));
                }
                Cond::Lt => self.emit(enc::slt(rd, x, y)),
                Cond::Ltu => self.emit(enc::sltu(rd, x, y)),
                Cond::Ge => {
                    self.emit(enc::slt(rd, x, y));
                    self.emit(enc::xori(rd, rd, const { Imm12::lit(1) }));
                }
                Cond::Geu => {
                    self.emit(enc::sltu(rd, x, y));
                    self.emit(enc::xori(rd, rd, const { Imm12::lit(1) }));
                }
            }
        }
        self.stack.truncate(ai);
        self.finish_result(t);
        Ok(())
    }

    /// `eqz` (and `ref.is_null`): a comparison with zero.
    pub(super) fn eqz(&mut self) -> Result<(), CompileError> {
        self.push(Entry::Const(0));
        self.compare(Rel::Eq)
    }

    pub(super) fn divrem(&mut self, op: DivOp, w: W) -> Result<(), CompileError> {
        let top = self.top();
        let (ai, bi) = (top - 2, top - 1);
        let (ea, eb) = (self.stack[ai], self.stack[bi]);
        let min = match w {
            W::W32 => i64::from(i32::MIN),
            W::W64 => i64::MIN,
        };
        if let (Entry::Const(a), Entry::Const(b)) = (ea, eb) {
            if let Some(v) = fold_div(op, w, a, b) {
                self.stack.truncate(ai);
                self.push(Entry::Const(v));
                return Ok(());
            }
        }
        let t = self.result_target(ai);
        let a = self.read(ai, T0);
        let b = self.read(bi, T1);
        self.stack.truncate(ai);
        let cb = match eb {
            Entry::Const(c) => Some(c),
            _ => None,
        };
        if cb.is_none_or(|c| c == 0) {
            let l = self.trap_label(TrapCode::DivisionByZero);
            self.asm.branch(Cond::Eq, b, ZERO, l);
        }
        if op == DivOp::DivS && cb.is_none_or(|c| c == -1) {
            let skip: Option<Label> = if cb.is_none() {
                let skip = self.asm.label();
                self.emit(enc::addi(T2, b, const { Imm12::lit(1) }));
                self.asm.branch(Cond::Ne, T2, ZERO, skip);
                Some(skip)
            } else {
                None
            };
            self.asm.li(T2, min);
            let l = self.trap_label(TrapCode::IntegerOverflow);
            self.asm.branch(Cond::Eq, a, T2, l);
            if let Some(skip) = skip {
                self.asm.bind(skip);
            }
        }
        let rd = t.reg;
        self.emit(match (op, w) {
            (DivOp::DivS, W::W32) => enc::divw(rd, a, b),
            (DivOp::DivU, W::W32) => enc::divuw(rd, a, b),
            (DivOp::RemS, W::W32) => enc::remw(rd, a, b),
            (DivOp::RemU, W::W32) => enc::remuw(rd, a, b),
            (DivOp::DivS, W::W64) => enc::div(rd, a, b),
            (DivOp::DivU, W::W64) => enc::divu(rd, a, b),
            (DivOp::RemS, W::W64) => enc::rem(rd, a, b),
            (DivOp::RemU, W::W64) => enc::remu(rd, a, b),
        });
        self.finish_result(t);
        Ok(())
    }

    pub(super) fn select(&mut self) -> Result<(), CompileError> {
        let top = self.top();
        let (ai, bi, ci) = (top - 3, top - 2, top - 1);
        if let Entry::Const(c) = self.stack[ci] {
            if c != 0 {
                self.stack.truncate(bi);
            } else {
                let e = self.stack[bi];
                if e == Entry::Home {
                    self.copy_to_home(bi, ai);
                }
                self.stack.truncate(ai);
                self.push(e);
            }
            return Ok(());
        }
        let t = self.result_target(ai);
        let rd = t.reg;
        let c = self.read(ci, T2);
        let a = self.read(ai, T0);
        let b = self.read(bi, T1);
        self.stack.truncate(ai);
        let skip = self.asm.label();
        if rd == c {
            // Test before writing rd.
            let take_a = self.asm.label();
            self.asm.branch(Cond::Ne, c, ZERO, take_a);
            self.asm.mv(rd, b);
            self.asm.jump(skip);
            self.asm.bind(take_a);
            self.asm.mv(rd, a);
        } else if rd == a {
            self.asm.branch(Cond::Ne, c, ZERO, skip);
            self.asm.mv(rd, b);
        } else if rd == b {
            self.asm.branch(Cond::Eq, c, ZERO, skip);
            self.asm.mv(rd, a);
        } else {
            self.asm.mv(rd, a);
            self.asm.branch(Cond::Ne, c, ZERO, skip);
            self.asm.mv(rd, b);
        }
        self.asm.bind(skip);
        self.finish_result(t);
        Ok(())
    }

    pub(super) fn local_get(&mut self, l: u32) {
        self.push(Entry::Local(l));
    }

    pub(super) fn local_set(&mut self, l: u32, tee: bool) -> Result<(), CompileError> {
        let e = self.pop()?;
        let top = self.top();
        if e == Entry::Local(l) {
            if tee {
                self.push(e);
            }
            return Ok(());
        }
        self.stack.push(e);
        self.invalidate_local(l, top);
        self.local_written(l);
        match self.local_locs[l as usize] {
            LocalLoc::Reg(r) => self.read_into(top, r),
            LocalLoc::Slot(off) => {
                let r = self.read(top, T0);
                self.store_at(r, SP, off, T1);
            }
        }
        self.stack.truncate(top);
        if tee {
            self.push(Entry::Local(l));
        }
        Ok(())
    }

    fn global_offset(&self, g: u32) -> i64 {
        self.m.vmctx().global(g)
    }

    pub(super) fn global_get(&mut self, g: u32) {
        if Some(g) == self.m.gas_global {
            self.push(Entry::Gas);
            return;
        }
        let top = self.top();
        let t = self.result_target(top);
        let off = self.global_offset(g);
        self.load_at(t.reg, VMCTX, off);
        self.finish_result(t);
    }

    pub(super) fn global_set(&mut self, g: u32) -> Result<(), CompileError> {
        let top = self.top() - 1;
        if Some(g) == self.m.gas_global {
            self.invalidate_gas_below(top);
            self.read_into(top, GAS);
        } else {
            let r = self.read(top, T0);
            let off = self.global_offset(g);
            self.store_at(r, VMCTX, off, T1);
        }
        self.pop()?;
        Ok(())
    }

    /// Materializes deferred reads of the gas register below `top`.
    pub(super) fn invalidate_gas_below(&mut self, top: usize) {
        while let Some(i) = self.stack.gas_below(top) {
            self.materialize(i);
        }
    }

    /// The metering sequences, lowered as a unit:
    /// `global.get $gas; i64.const c; i64.sub; global.set $gas` becomes `gp -= c`, and
    /// `global.get $gas; i64.const 0; i64.lt_s; if; unreachable; end` becomes nothing: the
    /// check is deferred (see [`Self::gas_check`]). Returns whether the operators at the
    /// cursor were one of them.
    pub(super) fn gas_pattern(&mut self, g: u32) -> bool {
        // The cursor is past `global.get $gas`.
        match self.ops.peek_next(0) {
            Some(Next::I64Const(0)) => {
                // The check, or a charge of nothing.
                if self.ops.peek_next(1) == Some(Next::I64LtS)
                    && self.ops.peek_next(2) == Some(Next::If(wasmparser::BlockType::Empty))
                    && self.ops.peek_next(3) == Some(Next::Unreachable)
                    && self.ops.peek_next(4) == Some(Next::End)
                {
                    self.ops.skip(5);
                    return true;
                }
                self.gas_charge(g, 0)
            }
            Some(Next::I64Const(c)) => self.gas_charge(g, c),
            _ => false,
        }
    }

    /// `global.get $gas` (lowered: the cursor is past it), then `i64.const c` (next);
    /// whether `i64.sub; global.set $gas` follow, lowered as `gp -= c`.
    fn gas_charge(&mut self, g: u32, c: i64) -> bool {
        if self.ops.peek_next(1) != Some(Next::I64Sub) || self.ops.peek_next(2) != Some(Next::GlobalSet(g)) {
            return false;
        }
        self.invalidate_gas_below(self.top());
        self.ops.skip(3);
        match c.checked_neg().and_then(Imm12::new) {
            Some(i) => self.emit(enc::addi(GAS, GAS, i)),
            None => {
                self.asm.li(T0, c);
                self.emit(enc::sub(GAS, GAS, T0));
            }
        }
        true
    }
}

impl FuncCompiler<'_, '_> {
    /// `blt gp, zero, trap` in a metered module.
    ///
    /// Metering checks the gas after every block's charge; compiled code defers those
    /// checks. Once the gas is negative the frame can only end out of gas, and nothing it
    /// does before the check is visible: its state changes are reverted with it, the engine
    /// refuses host calls (and treats a return or any trap) with negative gas as out of
    /// gas. So checks remain only where execution could otherwise go on without bound or
    /// do costly work: before every backward branch (each loop iteration), before
    /// `memory.grow` and bulk operations. The outcome and the gas used are exactly those of
    /// the per-block checks.
    pub(super) fn gas_check(&mut self) {
        if self.m.gas_global.is_some() {
            let l = self.trap_label(TrapCode::Unreachable);
            self.asm.branch(Cond::Lt, GAS, ZERO, l);
        }
    }
}

fn fold_div(op: DivOp, w: W, a: i64, b: i64) -> Option<i64> {
    match w {
        W::W32 => {
            let (x, y) = (a as i32, b as i32);
            let r = match op {
                DivOp::DivS => x.checked_div(y)?,
                DivOp::DivU => ((x as u32).checked_div(y as u32)?) as i32,
                DivOp::RemS => {
                    if y == 0 {
                        return None;
                    }
                    x.wrapping_rem(y)
                }
                DivOp::RemU => ((x as u32).checked_rem(y as u32)?) as i32,
            };
            Some(i64::from(r))
        }
        W::W64 => match op {
            DivOp::DivS => a.checked_div(b),
            DivOp::DivU => (a as u64).checked_div(b as u64).map(|v| v as i64),
            DivOp::RemS => (b != 0).then(|| a.wrapping_rem(b)),
            DivOp::RemU => (a as u64).checked_rem(b as u64).map(|v| v as i64),
        },
    }
}

/// The wide-arithmetic operators (`i64.add128`, `i64.sub128`, `i64.mul_wide_s`,
/// `i64.mul_wide_u`): two 64-bit results, the low half below the high half.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wide {
    Add128,
    Sub128,
    MulS,
    MulU,
}

impl Wide {
    /// How many operands it pops.
    fn operands(self) -> usize {
        match self {
            Wide::Add128 | Wide::Sub128 => 4,
            Wide::MulS | Wide::MulU => 2,
        }
    }

    /// Both halves of the result for constant operands (low halves first).
    fn fold(self, v: &[i64]) -> (i64, i64) {
        let u128_of = |lo: i64, hi: i64| u128::from(lo as u64) | (u128::from(hi as u64) << 64);
        let r = match self {
            Wide::Add128 => u128_of(v[0], v[1]).wrapping_add(u128_of(v[2], v[3])),
            Wide::Sub128 => u128_of(v[0], v[1]).wrapping_sub(u128_of(v[2], v[3])),
            Wide::MulS => (i128::from(v[0]) * i128::from(v[1])) as u128,
            Wide::MulU => u128::from(v[0] as u64) * u128::from(v[1] as u64),
        };
        (r as u64 as i64, (r >> 64) as u64 as i64)
    }
}

impl FuncCompiler<'_, '_> {
    /// Writes `value` to the home of position `p` (with `tmp` for large offsets).
    fn home_value(&mut self, p: usize, value: Reg, tmp: Reg) {
        match super::POOL.get(p) {
            Some(&r) => self.asm.mv(r, value),
            None => {
                let off = self.home_slot(p);
                self.store_at(value, SP, off, tmp);
            }
        }
    }

    /// The locals that take the halves of a wide operator whose first operand is at
    /// position `p`: a `local.set` right after it takes the high half, and a `local.set` or
    /// `local.tee` of another local after that the low half (both consumed). Deferred reads
    /// of those locals below `p` are materialized first.
    #[allow(clippy::type_complexity)]
    fn wide_targets(&mut self, p: usize) -> (Option<(u32, LocalLoc)>, Option<(u32, LocalLoc, bool)>) {
        let loc = |c: &Self, l: u32| c.local_locs.get(l as usize).copied();
        let Some(Next::LocalSet(h)) = self.ops.peek_next(0) else {
            return (None, None);
        };
        let Some(hl) = loc(self, h) else {
            return (None, None);
        };
        let lo = match self.ops.peek_next(1) {
            Some(Next::LocalSet(l)) if l != h => loc(self, l).map(|r| (l, r, false)),
            Some(Next::LocalTee(l)) if l != h => loc(self, l).map(|r| (l, r, true)),
            _ => None,
        };
        self.invalidate_local(h, p);
        self.local_written(h);
        self.ops.skip(1);
        if let Some((l, _, _)) = lo {
            self.invalidate_local(l, p);
            self.local_written(l);
            self.ops.skip(1);
        }
        (Some((h, hl)), lo)
    }

    /// A wide-arithmetic operator: `mul` and `mulhu`/`mulh` for the products; for 128-bit
    /// sums and differences the low halves with their carry (`sltu`), then the high halves.
    pub(super) fn wide(&mut self, op: Wide) -> Result<(), CompileError> {
        let n = op.operands();
        let top = self.top();
        let Some(p) = top.checked_sub(n) else {
            return self.internal("operand stack underflow");
        };
        let mut consts = [0i64; 4];
        if (0..n).all(|k| matches!(self.stack[p + k], Entry::Const(_))) {
            for (k, c) in consts.iter_mut().enumerate().take(n) {
                if let Entry::Const(v) = self.stack[p + k] {
                    *c = v;
                }
            }
            let (lo, hi) = op.fold(&consts[..n]);
            self.stack.truncate(p);
            self.push(Entry::Const(lo));
            self.push(Entry::Const(hi));
            return Ok(());
        }
        // Where the halves go: `local.set`s right after the operator take them (rustc's
        // `mul_wide_u; local.set hi; local.set lo`); otherwise their homes. The high half is
        // written after every operand was read (to a scratch register when its place is a
        // slot); the low half goes straight to its register when no operand still to be read
        // is there, else waits in a scratch register.
        let (hi_local, lo_local) = self.wide_targets(p);
        let hi_home = super::POOL.get(p + 1).copied();
        let hi = match hi_local {
            Some((_, LocalLoc::Reg(r))) => r,
            Some((_, LocalLoc::Slot(_))) => T1,
            None => hi_home.unwrap_or(T1),
        };
        let lo_place = match lo_local {
            Some((_, LocalLoc::Reg(r), _)) => Some(r),
            Some((_, LocalLoc::Slot(_), _)) => None,
            None if hi_local.is_some() || hi_home.is_some() => super::POOL.get(p).copied(),
            None => None,
        };
        let lo = match op {
            Wide::MulS | Wide::MulU => {
                let x = self.read(p, T0);
                let y = self.read(p + 1, T1);
                let d = lo_place.filter(|&d| d != x && d != y && d != hi).unwrap_or(T2);
                self.emit(enc::mul(d, x, y));
                if op == Wide::MulU {
                    self.emit(enc::mulhu(hi, x, y));
                } else {
                    self.emit(enc::mulh(hi, x, y));
                }
                d
            }
            Wide::Add128 => {
                let al = self.read(p, T0);
                let bl = self.read(p + 2, T1);
                self.emit(enc::add(T2, al, bl));
                self.emit(enc::sltu(T0, T2, al));
                let ah = self.read(p + 1, T1);
                if ah != ZERO {
                    self.emit(enc::add(T0, ah, T0));
                }
                let bh = self.read(p + 3, T1);
                self.emit(enc::add(hi, T0, bh));
                T2
            }
            Wide::Sub128 => {
                let al = self.read(p, T0);
                let bl = self.read(p + 2, T1);
                self.emit(enc::sltu(T2, al, bl));
                self.emit(enc::sub(T0, al, bl));
                let ah = self.read(p + 1, T1);
                self.emit(enc::sub(T2, ah, T2));
                let bh = self.read(p + 3, T1);
                self.emit(enc::sub(hi, T2, bh));
                T0
            }
        };
        // A scratch register that holds neither half.
        let spare = [T0, T2].into_iter().find(|&r| r != lo && r != hi).unwrap_or(T0);
        self.stack.truncate(p);
        if let Some((_, hl)) = hi_local {
            if let LocalLoc::Slot(off) = hl {
                self.store_at(hi, SP, off, spare);
            }
            // The low half stays on the stack, or goes to its local too.
            match lo_local {
                Some((ll, loc, tee)) => {
                    match loc {
                        LocalLoc::Reg(r) => self.asm.mv(r, lo),
                        LocalLoc::Slot(off) => self.store_at(lo, SP, off, spare),
                    }
                    if tee {
                        self.push(Entry::Local(ll));
                    }
                }
                None => {
                    self.home_value(p, lo, spare);
                    self.push(Entry::Home);
                }
            }
            return Ok(());
        }
        if hi_home.is_none() {
            let off = self.home_slot(p + 1);
            self.store_at(hi, SP, off, spare);
        }
        self.home_value(p, lo, spare);
        self.push(Entry::Home);
        self.push(Entry::Home);
        Ok(())
    }
}
