//! Blocks, loops, `if`/`else`, branches, `br_table`, `return`, `unreachable`.

use alloc::vec::Vec;

use wasmparser::{BlockType, Operator};

use super::compact::{block_type_of, Op};
use super::{Ctrl, CtrlKind, Entry, FuncCompiler};
use crate::abi::TrapCode;
use crate::emit::{Cond, Label};
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::Imm12;
use crate::regs::{Reg, T0, T1, T2, ZERO};

/// A branch condition on two registers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Test {
    pub cond: Cond,
    pub a: Reg,
    pub b: Reg,
}

impl Test {
    /// `r != 0`.
    pub fn nonzero(r: Reg) -> Test {
        Test { cond: Cond::Ne, a: r, b: ZERO }
    }

    fn invert(self) -> Test {
        Test { cond: self.cond.invert(), ..self }
    }
}

impl FuncCompiler<'_, '_> {
    fn frame_index(&self, depth: u32) -> Result<usize, CompileError> {
        match self.ctrl.len().checked_sub(1 + depth as usize) {
            Some(i) => Ok(i),
            None => self.internal("branch depth out of range"),
        }
    }

    fn push_frame(&mut self, kind: CtrlKind, label: Label, end: Label, bt: BlockType) -> Result<(), CompileError> {
        let (params, results) = self.block_arity(bt)?;
        let live = self.reachable;
        let base = if live {
            match self.top().checked_sub(params) {
                Some(b) => b,
                None => return self.internal("block parameters missing"),
            }
        } else {
            self.top()
        };
        self.ctrl.push(Ctrl { kind, label, end, base, params, results, live, used: false });
        Ok(())
    }

    pub(super) fn block(&mut self, bt: BlockType) -> Result<(), CompileError> {
        self.materialize_below(self.top());
        let l = self.asm.label();
        self.push_frame(CtrlKind::Block, l, l, bt)
    }

    pub(super) fn loop_(&mut self, bt: BlockType) -> Result<(), CompileError> {
        self.materialize_below(self.top());
        let header = self.asm.label();
        let end = self.asm.label();
        self.asm.bind(header);
        self.forget_addr();
        self.push_frame(CtrlKind::Loop, header, end, bt)
    }

    /// `if` on a test computed by the caller; every entry is already in its home.
    pub(super) fn if_test(&mut self, bt: BlockType, test: Test) -> Result<(), CompileError> {
        let else_label = self.asm.label();
        let end = self.asm.label();
        self.asm.branch(test.invert().cond, test.a, test.b, else_label);
        self.push_frame(CtrlKind::If { else_label }, end, end, bt)
    }

    /// `if` on the value on top of the stack.
    pub(super) fn if_(&mut self, bt: BlockType) -> Result<(), CompileError> {
        let c = self.top() - 1;
        self.materialize_below(c);
        let r = self.read(c, T0);
        self.pop()?;
        self.if_test(bt, Test::nonzero(r))
    }

    pub(super) fn else_(&mut self) -> Result<(), CompileError> {
        let Some(frame) = self.ctrl.last().copied() else {
            return self.internal("else without a frame");
        };
        let CtrlKind::If { else_label } = frame.kind else {
            return self.internal("else outside if");
        };
        if self.reachable {
            self.place_results(&frame);
            self.asm.jump(frame.end);
            if let Some(f) = self.ctrl.last_mut() {
                f.used = true;
            }
        }
        self.asm.bind(else_label);
        self.forget_addr();
        self.stack.truncate(frame.base);
        for _ in 0..frame.params {
            self.push(Entry::Home);
        }
        self.reachable = frame.live;
        if let Some(f) = self.ctrl.last_mut() {
            f.kind = CtrlKind::Else;
        }
        Ok(())
    }

    pub(super) fn end(&mut self) -> Result<(), CompileError> {
        let Some(frame) = self.ctrl.pop() else {
            return self.internal("end without a frame");
        };
        let mut reachable = self.reachable || frame.used;
        if self.reachable {
            self.place_results(&frame);
        }
        if let CtrlKind::If { else_label } = frame.kind {
            // The implicit else passes the parameters through as the results.
            self.asm.bind(else_label);
            reachable |= frame.live;
        }
        self.asm.bind(frame.end);
        self.forget_addr();
        self.stack.truncate(frame.base);
        for _ in 0..frame.results {
            self.push(Entry::Home);
        }
        self.reachable = reachable && frame.live;
        Ok(())
    }

    /// Puts the frame's results (the top `results` entries) in the homes at its base.
    fn place_results(&mut self, frame: &Ctrl) {
        self.move_values(frame.base, frame.results);
    }

    /// Copies the top `n` entries to the homes of positions `base..base + n` (the stack
    /// itself is left as it is). In ascending order: a home written is either the source
    /// itself or a source already read. Uses `t0`, and `t1`/`t2` as the base registers of
    /// the two runs of home slots when the frame is too large for immediate offsets.
    fn move_values(&mut self, base: usize, n: usize) {
        let top = self.top();
        let first = top - n;
        let from = self.home_window(first, top, T1);
        let to = self.home_window(base, base + n, T2);
        for j in 0..n {
            self.copy_to_home_in(first + j, base + j, from, to);
        }
    }

    fn needs_moves(&self, base: usize, n: usize) -> bool {
        let top = self.top();
        (0..n).any(|j| top - n + j != base + j || self.stack[top - n + j] != Entry::Home)
    }

    /// The label a branch to `depth` goes to, and the values it carries.
    fn branch_target(&mut self, depth: u32) -> Result<(Label, usize, usize), CompileError> {
        let i = self.frame_index(depth)?;
        let frame = &mut self.ctrl[i];
        if frame.kind != CtrlKind::Loop {
            frame.used = true;
        }
        Ok((frame.label, frame.base, frame.arity()))
    }

    /// How many values a branch to `depth` carries.
    fn branch_arity(&self, depth: u32) -> usize {
        self.frame_index(depth).map_or(0, |i| self.ctrl[i].arity())
    }

    fn targets_loop(&self, depth: u32) -> bool {
        self.frame_index(depth).is_ok_and(|i| self.ctrl[i].kind == CtrlKind::Loop)
    }

    /// Before a backward branch of a metered module: out of gas traps here (see
    /// [`Self::gas_check`]).
    fn loop_gas_check(&mut self, depth: u32) {
        if self.targets_loop(depth) {
            self.gas_check();
        }
    }

    pub(super) fn br(&mut self, depth: u32) -> Result<(), CompileError> {
        self.loop_gas_check(depth);
        let (label, base, n) = self.branch_target(depth)?;
        self.move_values(base, n);
        self.asm.jump(label);
        self.reachable = false;
        Ok(())
    }

    /// `br_if` on a test computed by the caller (the condition is already popped).
    pub(super) fn br_if_test(&mut self, depth: u32, test: Test) -> Result<(), CompileError> {
        self.loop_gas_check(depth);
        let (label, base, n) = self.branch_target(depth)?;
        if self.needs_moves(base, n) {
            let skip = self.asm.label();
            let t = test.invert();
            self.asm.branch(t.cond, t.a, t.b, skip);
            self.move_values(base, n);
            self.asm.jump(label);
            self.asm.bind(skip);
        } else {
            self.asm.branch(test.cond, test.a, test.b, label);
        }
        Ok(())
    }

    /// Before a `br_if` to `depth` whose operands start at position `below`: the values it
    /// carries that take more than two words to read are materialized now, on both paths,
    /// so that this branch and every later one copy them from their homes, if they move at
    /// all (a run of `br_if`s carrying 64-bit constants would otherwise materialize each
    /// constant at each branch).
    pub(super) fn settle_carried(&mut self, depth: u32, below: usize) {
        let Ok(i) = self.frame_index(depth) else {
            return;
        };
        let Some(first) = below.checked_sub(self.ctrl[i].arity()) else {
            return;
        };
        for k in first..below {
            if self.costly_read(k) {
                self.materialize(k);
            }
        }
    }

    pub(super) fn br_if(&mut self, depth: u32) -> Result<(), CompileError> {
        let c = self.top() - 1;
        self.settle_carried(depth, c);
        if let Entry::Const(v) = self.stack[c] {
            self.pop()?;
            if v != 0 {
                self.loop_gas_check(depth);
                let (label, base, n) = self.branch_target(depth)?;
                self.move_values(base, n);
                self.asm.jump(label);
            }
            return Ok(());
        }
        let r = self.read(c, T2);
        self.pop()?;
        self.br_if_test(depth, Test::nonzero(r))
    }

    /// `br_table` with target `depths` and `default`.
    pub(super) fn br_table(&mut self, depths: &[u32], default: u32) -> Result<(), CompileError> {
        let c = self.top() - 1;
        if let Entry::Const(v) = self.stack[c] {
            self.pop()?;
            let i = v as u32 as usize;
            return self.br(depths.get(i).copied().unwrap_or(default));
        }
        let r = self.read(c, T2);
        self.asm.mv(T2, r);
        self.pop()?;
        // Each distinct depth gets one landing label: the target itself when no value
        // moves, otherwise a pad that moves the values and jumps. `slots[depth]` is the
        // index of the depth's pad (`u32::MAX`: none yet), so that a table of thousands of
        // entries finds each in one step; reset to `u32::MAX` below.
        let mut pads: Vec<(u32, Label, bool)> = Vec::new();
        let mut slots = core::mem::take(&mut self.pad_slots);
        if slots.len() < self.ctrl.len() {
            slots.resize(self.ctrl.len(), u32::MAX);
        }
        let mut pad_of = |s: &mut Self, depth: u32| -> Result<Label, CompileError> {
            if let Some(&k) = slots.get(depth as usize) {
                if let Some(&(_, l, _)) = pads.get(k as usize) {
                    return Ok(l);
                }
            }
            let (label, base, n) = s.branch_target(depth)?;
            let l = if s.needs_moves(base, n) { s.asm.label() } else { label };
            if let Some(k) = slots.get_mut(depth as usize) {
                *k = u32::try_from(pads.len()).unwrap_or(u32::MAX);
            }
            pads.push((depth, l, l != label));
            Ok(l)
        };
        let default_label = pad_of(self, default);
        let mut labels = Vec::with_capacity(depths.len());
        let mut failed = None;
        // The last depth and its pad (tables repeat a depth in runs).
        let mut last = None;
        for &d in depths {
            let l = match last {
                Some((ld, l)) if ld == d => Ok(l),
                _ => pad_of(self, d),
            };
            match l {
                Ok(l) => {
                    last = Some((d, l));
                    labels.push(l);
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        for p in &pads {
            if let Some(k) = slots.get_mut(p.0 as usize) {
                *k = u32::MAX;
            }
        }
        self.pad_slots = slots;
        let default_label = default_label?;
        if let Some(e) = failed {
            return Err(e);
        }
        // Every depth has a pad: a branch to a loop checks gas first.
        if pads.iter().any(|p| self.targets_loop(p.0)) {
            self.gas_check();
        }
        // Pads copy the values they carry to their homes: a deferred value that takes more
        // than two words to read (a 64-bit constant takes up to eight) is materialized
        // once here rather than by every pad.
        if pads.iter().filter(|p| p.2).count() > 1 {
            let carried = pads.iter().filter(|p| p.2).map(|p| self.branch_arity(p.0)).max().unwrap_or(0);
            for i in self.top().saturating_sub(carried)..self.top() {
                if self.costly_read(i) {
                    self.materialize(i);
                }
            }
        }
        if labels.len() <= 3 {
            for (i, &l) in labels.iter().enumerate() {
                if i == 0 {
                    self.asm.branch(Cond::Eq, T2, ZERO, l);
                } else {
                    self.emit(enc::addi(T0, ZERO, Imm12::new(i as i64).unwrap_or(Imm12::ZERO)));
                    self.asm.branch(Cond::Eq, T2, T0, l);
                }
            }
            self.asm.jump(default_label);
        } else {
            self.asm.li(T0, labels.len() as i64);
            self.asm.branch(Cond::Geu, T2, T0, default_label);
            self.asm.jump_table(T2, &labels);
        }
        for (depth, l, is_pad) in pads {
            if is_pad {
                self.asm.bind(l);
                let (label, base, n) = self.branch_target(depth)?;
                self.move_values(base, n);
                self.asm.jump(label);
            }
        }
        self.reachable = false;
        Ok(())
    }

    pub(super) fn return_(&mut self) -> Result<(), CompileError> {
        let depth = u32::try_from(self.ctrl.len() - 1).unwrap_or(u32::MAX);
        self.br(depth)
    }

    pub(super) fn unreachable(&mut self) {
        let l = self.trap_label(TrapCode::Unreachable);
        self.asm.jump(l);
        self.reachable = false;
    }

    /// Tracks the structure of unreachable code (nothing is emitted for it).
    pub(super) fn skip_op(&mut self, op: &Operator<'_>) -> Result<(), CompileError> {
        match op {
            Operator::Block { blockty } | Operator::Loop { blockty } => self.skip_block(*blockty, false),
            Operator::If { blockty } => self.skip_block(*blockty, true),
            Operator::Else => self.skip_else(),
            Operator::End => self.skip_end(),
            _ => Ok(()),
        }
    }

    /// [`Self::skip_op`] for the fast path's operators.
    pub(super) fn skip_compact(&mut self, op: Op) -> Result<(), CompileError> {
        match op.code {
            0x02 | 0x03 => self.skip_block(block_type_of(op.imm), false),
            0x04 => self.skip_block(block_type_of(op.imm), true),
            0x05 => self.skip_else(),
            0x0b => self.skip_end(),
            _ => Ok(()),
        }
    }

    fn skip_block(&mut self, bt: BlockType, is_if: bool) -> Result<(), CompileError> {
        if is_if {
            let else_label = self.asm.label();
            let l = self.asm.label();
            self.push_frame(CtrlKind::If { else_label }, l, l, bt)
        } else {
            let l = self.asm.label();
            self.push_frame(CtrlKind::Block, l, l, bt)
        }
    }

    fn skip_else(&mut self) -> Result<(), CompileError> {
        if self.ctrl.last().is_some_and(|f| f.live) {
            self.else_()
        } else {
            Ok(())
        }
    }

    fn skip_end(&mut self) -> Result<(), CompileError> {
        if self.ctrl.last().is_some_and(|f| f.live) {
            self.end()
        } else {
            self.ctrl.pop();
            Ok(())
        }
    }
}
