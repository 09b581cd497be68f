//! The main function: control-flow skeleton, blocks, gas and stack checks, jumps, and the
//! per-opcode lowering dispatch.
//!
//! ```text
//! block $oog_now block $oog block $trap ;; exceptional halts (see below)
//!   loop $dispatch                  ;; only with dynamic or backward jumps;
//!                                   ;; tests the gas left on every iteration
//!     block $seg_{K-1} … block $seg_0
//!       block $entry  local.get $dest  br_table [entry, pc → $seg | $trap …]  end
//!       <code from pc 0>
//!     end <code of labelled JUMPDEST 0> … end <code of labelled JUMPDEST K-1>
//!   end
//! end unreachable                   ;; $trap
//! end gas → global, unreachable     ;; $oog: out of gas
//! end -1 → global, unreachable      ;; $oog_now: out of gas whatever is left
//! ```
//!
//! The gas left lives in a local. Blocks subtract their static gas from it without testing
//! it; the sign is tested (and the global synchronized) where gas can be observed: before
//! every host call or gas-charging helper, at GAS, when the frame ends, and at the dispatch
//! loop head, which every loop iteration passes. Between two tests runs only straight-line
//! code without effects outside the module: halting at the test rather than at the block
//! that ran out is indistinguishable, as any halt consumes all gas and reverts the frame.
//! A forward jump to a labelled JUMPDEST is `br $seg_k`; a backward or computed jump sets
//! `$dest` to pc + 1 and branches to `$dispatch`, whose `br_table` is indexed by pc: its size
//! is linear in the code size, whatever the number of jumps.

use super::asm::{Asm, Label};
use super::chunks::Chunk;
use super::ctx::{Ctx, G_GAS, G_GAS_RESERVE};
use super::helpers::Helper;
use super::layout::*;
use super::stack::{konst, Limb, Pool, Value};
use crate::analysis::{instructions, push_value, Analysis, Block, Instr, Target};
use crate::opcodes::{info, op, OpInfo};
use alloc::vec::Vec;
use wasm_encoder::{Function, ValType};

/// State of the generator of one chunk function.
pub struct Gen<'a> {
    /// The EVM code.
    pub code: &'a [u8],
    /// Its analysis.
    pub an: &'a Analysis,
    /// Function indices.
    pub ctx: &'a Ctx,
    /// The chunk being generated.
    chunk: &'a Chunk,
    /// Its labels (pcs), ascending.
    labels: &'a [u32],
    /// Whether the dispatch loop exists.
    dispatch: bool,
    /// Output.
    pub asm: Asm,
    /// Locals holding stack values.
    pub pool: Pool,
    /// The virtual stack (see [`super::stack`]).
    pub vs: Vec<Value>,
    /// Slots of the in-memory stack lifted into `vs`.
    pub lifted: u32,
    /// Whether the code being emitted can be reached by falling through.
    pub live: bool,
    /// Static gas of the current block not yet consumed by the instructions emitted so far.
    pub remaining: u64,
    /// Construct depth of the straight-line code being emitted (deeper: conditional code).
    pub top: u32,
    /// Whether [`Gen::flush`] is running.
    pub flushing: bool,
    /// Bounds proven on the height of the in-memory stack at `bp` (0..=1024 at a label).
    pub heights: (i64, i64),
}

/// Generates the function of one chunk.
pub fn chunk_function(code: &[u8], an: &Analysis, ctx: &Ctx, chunk: &Chunk) -> Function {
    let labels = &an.labels[chunk.labels.clone()];
    let mut g = Gen {
        code,
        an,
        ctx,
        chunk,
        labels,
        dispatch: !chunk.alone || an.needs_dispatch,
        asm: Asm::new(labels.len()),
        pool: Pool::default(),
        vs: Vec::new(),
        lifted: 0,
        live: true,
        remaining: 0,
        top: 0,
        flushing: false,
        // The code at pc 0 starts with an empty stack.
        heights: if chunk.blocks.start == 0 { (0, 0) } else { (0, 1024) },
    };
    g.prologue();
    g.blocks();
    g.epilogue();
    // Chunks take `bp` and `dest` (locals 0 and 1) as parameters.
    let params = if chunk.alone { 0 } else { 2 };
    let ty = |i64: bool| if i64 { ValType::I64 } else { ValType::I32 };
    let mut groups: Vec<(u32, ValType)> = LOCAL_GROUPS.iter().map(|&(n, i64)| (n, ty(i64))).collect();
    groups[0].0 -= params;
    groups.push((g.pool.high_water(), ValType::I64));
    groups.retain(|&(n, _)| n > 0);
    let mut f = Function::new(groups);
    f.raw(g.asm.buf);
    f
}

impl Gen<'_> {
    /// The chunk-local index of the label at `pc`.
    fn label_index(&self, pc: u32) -> Option<u32> {
        self.labels.binary_search(&pc).ok().map(|k| k as u32)
    }

    /// First pc + 1 the chunk's dispatch table covers (0 in the chunk holding pc 0).
    fn table_base(&self) -> u32 {
        if self.chunk.blocks.start == 0 {
            0
        } else {
            self.labels.first().map_or(0, |pc| pc + 1)
        }
    }

    fn prologue(&mut self) {
        if self.chunk.alone {
            self.asm.i().i32_const((STACK_TOP - STACK_BIAS) as i32).local_set(L_BP);
        }
        self.asm.i().global_get(G_GAS).local_set(L_GAS);
        self.asm.i().i64_const(super::asm::M8).local_set(L_M8);
        self.asm.i().i64_const(super::asm::M16).local_set(L_M16);
        self.asm.block(Some(Label::OogNow));
        self.asm.block(Some(Label::Oog));
        self.asm.block(Some(Label::Trap));
        if !self.chunk.alone {
            self.asm.block(Some(Label::Exit));
        }
        if self.dispatch {
            self.asm.loop_(Some(Label::Dispatch));
            self.check_gas();
        }
        for k in (0..self.labels.len()).rev() {
            self.asm.block(Some(Label::Seg(k as u32)));
        }
        if self.dispatch {
            // Indexed by dest - base: the entry (dest 0, first chunk only), then one entry
            // per pc up to the last label; other pcs trap, dests outside the chunk leave it.
            self.asm.block(None);
            let base = self.table_base();
            let last = self.labels.last().map_or(base, |&pc| pc + 1);
            let trap = self.asm.depth_of(Label::Trap);
            let outside = if self.chunk.alone { trap } else { self.asm.depth_of(Label::Exit) };
            let mut table = Vec::with_capacity((last - base) as usize + 1);
            for dest in base..=last {
                let entry = if dest == 0 {
                    0
                } else {
                    match self.label_index(dest - 1) {
                        Some(k) => self.asm.depth_of(Label::Seg(k)),
                        None => trap,
                    }
                };
                table.push(entry);
            }
            self.asm.i().local_get(L_DEST);
            if base > 0 {
                self.asm.i().i32_const(base as i32).i32_sub();
            }
            self.asm.i().br_table(table, outside);
            self.asm.end();
        }
    }

    fn blocks(&mut self) {
        let mut next_label = 0usize;
        for b in &self.an.blocks[self.chunk.blocks.clone()] {
            if self.labels.get(next_label) == Some(&b.start) {
                if self.live {
                    self.flush(true);
                }
                self.asm.end();
                self.reset();
                self.live = true;
                self.heights = (0, 1024);
                next_label += 1;
            }
            if self.live {
                self.block(b);
            }
        }
    }

    fn epilogue(&mut self) {
        if self.live {
            if self.chunk.blocks.end == self.an.blocks.len() {
                self.stop();
            } else {
                // Falls into the next chunk's first label.
                let next = self.an.blocks[self.chunk.blocks.end].start;
                self.flush(true);
                self.exit_to(next);
            }
        }
        if self.dispatch {
            self.asm.end();
        }
        if !self.chunk.alone {
            self.asm.end();
            // $exit: leave the chunk with bp and dest.
            self.asm.i().local_get(L_GAS).global_set(G_GAS);
            self.asm.i().local_get(L_BP).local_get(L_DEST).return_();
        }
        self.asm.end();
        self.asm.i().unreachable();
        self.asm.end();
        self.asm.i().local_get(L_GAS).global_set(G_GAS).unreachable();
        self.asm.end();
        self.asm.i().i64_const(-1).global_set(G_GAS).unreachable().end();
    }

    /// Leaves the chunk to continue at the JUMPDEST at `pc` (the stack is flushed).
    fn exit_to(&mut self, pc: u32) {
        self.asm.i().i32_const(pc as i32 + 1).local_set(L_DEST);
        self.asm.br(Label::Exit);
        self.live = false;
    }

    /// Halts as out of gas if the gas left is negative.
    pub fn check_gas(&mut self) {
        self.asm.i().local_get(L_GAS).i64_const(0).i64_lt_s();
        self.asm.br_if(Label::Oog);
    }

    /// Before a call that observes or charges gas: tests the gas and writes it to the global.
    pub fn gas_out(&mut self) {
        self.check_gas();
        self.asm.i().local_get(L_GAS).global_set(G_GAS);
    }

    /// After such a call: reads the gas back.
    pub fn gas_in(&mut self) {
        self.asm.i().global_get(G_GAS).local_set(L_GAS);
    }

    /// Calls a helper that charges gas or calls the host (arguments already pushed).
    pub fn call_gas_helper(&mut self, h: Helper) {
        self.gas_out();
        let f = self.ctx.helper(h);
        self.asm.i().call(f);
        self.gas_in();
    }

    /// STOP, or falling off the end of the code.
    pub fn stop(&mut self) {
        let finish = self.ctx.host(host_abi::functions::HostFn::Finish);
        self.gas_out();
        self.asm.i().i32_const(0).i32_const(0).call(finish).unreachable();
        self.dead();
    }

    /// The code after this point is unreachable until the next label.
    pub fn dead(&mut self) {
        self.reset();
        self.live = false;
    }

    /// Branches to the trap (exceptional halt).
    pub fn trap(&mut self) {
        self.asm.br(Label::Trap);
        self.dead();
    }

    fn block(&mut self, b: &Block) {
        self.top = self.asm.depth();
        if let Some((need, grow)) = b.check {
            if !self.stack_check(need, grow) {
                self.trap();
                return;
            }
        }
        if b.gas > 0 {
            self.charge_static(b.gas);
        }
        self.remaining = b.gas;
        for ins in instructions(self.code, b.start, b.end) {
            if self.pool.live + 64 > POOL_MAX || self.delta() > MAX_VIRTUAL_GROWTH {
                self.flush(true);
            }
            self.remaining -= self.an.rules.info(ins.op).map_or(0, OpInfo::block_gas);
            self.lower(&ins, b);
            if !self.live {
                return;
            }
        }
    }

    /// Stack check at a region's entry: `need` items below and `grow` above the current
    /// height must be within 0..=1024. Returns false when it can never pass.
    fn stack_check(&mut self, need: u16, grow: u16) -> bool {
        let delta = self.delta();
        // Required in-memory height at bp: need' <= height <= 1024 - grow'.
        let need = i64::from(need) - delta;
        let grow = i64::from(grow) + delta;
        let (req_lo, req_hi) = (need.max(0), 1024 - grow.max(0));
        let (known_lo, known_hi) = self.heights;
        if req_lo > req_hi || req_lo > known_hi || req_hi < known_lo {
            return false;
        }
        // Parts already proven by an earlier check in this straight-line code are skipped.
        let need = if known_lo >= req_lo { 0 } else { need };
        let grow = if known_hi <= req_hi { 0 } else { grow };
        self.heights = (known_lo.max(req_lo), known_hi.min(req_hi));
        // height = (STACK_TOP - bp - STACK_BIAS) / 32
        let hi = i64::from(STACK_TOP - STACK_BIAS) - 32 * need.max(0);
        let lo = i64::from(STACK_LOW) - i64::from(STACK_BIAS) + 32 * grow.max(0);
        let i = &mut self.asm;
        match (need > 0, grow > 0) {
            (true, true) => {
                i.i().local_get(L_BP).i32_const(lo as i32).i32_sub().i32_const((hi - lo) as i32).i32_gt_u();
            }
            (true, false) => {
                i.i().local_get(L_BP).i32_const(hi as i32).i32_gt_u();
            }
            (false, true) => {
                i.i().local_get(L_BP).i32_const(lo as i32).i32_lt_u();
            }
            (false, false) => return true,
        }
        self.asm.br_if(Label::Trap);
        true
    }

    /// Charges a constant amount of gas (tested later, see the module docs).
    pub fn charge_static(&mut self, gas: u64) {
        if gas > 0 {
            self.asm.i().local_get(L_GAS).i64_const(gas as i64).i64_sub().local_set(L_GAS);
        }
    }

    /// Jumps to a JUMPDEST known at compile time (the virtual stack must be flushed).
    fn goto(&mut self, target: u32, from: u32) {
        match self.label_index(target) {
            Some(k) if target > from => self.asm.br(Label::Seg(k)),
            Some(_) => {
                self.asm.i().i32_const(target as i32 + 1).local_set(L_DEST);
                self.asm.br(Label::Dispatch);
            }
            None => {
                self.asm.i().i32_const(target as i32 + 1).local_set(L_DEST);
                self.asm.br(Label::Exit);
            }
        }
    }

    /// Sets `$dest` from a computed jump destination (out of range: the trap entry).
    fn set_dest(&mut self, v: Value) {
        let v = self.stage(v, 0);
        self.get(v[0]);
        self.asm.i().i32_wrap_i64().i32_const(1).i32_add().i32_const(-1);
        self.get(v[0]);
        self.asm.i().i64_const(31).i64_shr_u();
        for l in &v[1..] {
            self.get(*l);
            self.asm.i().i64_or();
        }
        self.asm.i().i64_eqz().select().local_set(L_DEST);
    }

    fn jump(&mut self, t: Target, pc: u32) {
        let dest = self.pop();
        match t {
            Target::Static(to) => {
                self.release(dest);
                self.flush(true);
                self.goto(to, pc);
            }
            Target::Invalid => {
                self.release(dest);
                return self.trap();
            }
            Target::Dynamic => {
                self.set_dest(dest);
                self.release(dest);
                self.flush(true);
                self.asm.br(Label::Dispatch);
            }
        }
        self.dead();
    }

    fn jumpi(&mut self, t: Target, pc: u32) {
        let dest = self.pop();
        let cond = self.pop();
        if let Some(c) = super::stack::as_const(&cond) {
            if c == [0; 4] {
                self.release(dest);
                return;
            }
            self.push(dest);
            return self.jump(t, pc);
        }
        self.truthy(cond);
        self.release(cond);
        match t {
            Target::Invalid => self.asm.br_if(Label::Trap),
            Target::Static(to) => {
                self.asm.if_();
                self.flush(false);
                self.goto(to, pc);
                self.asm.end();
            }
            Target::Dynamic => {
                self.asm.if_();
                self.set_dest(dest);
                self.flush(false);
                self.asm.br(Label::Dispatch);
                self.asm.end();
            }
        }
        self.release(dest);
    }

    /// Pushes `v != 0` as an i32.
    pub fn truthy(&mut self, v: Value) {
        self.zero_test(v, false);
    }

    /// Pushes `v != 0` (`v == 0` with `is_zero`) as an i32.
    pub fn zero_test(&mut self, v: Value, is_zero: bool) {
        let mut first = true;
        for l in v {
            if l == Limb::Const(0) {
                continue;
            }
            self.get_for_zero_test(l);
            if !first {
                self.asm.i().i64_or();
            }
            first = false;
        }
        if first {
            self.asm.i().i32_const(i32::from(is_zero));
        } else if is_zero {
            self.asm.i().i64_eqz();
        } else {
            self.asm.i().i64_const(0).i64_ne();
        }
    }

    fn lower(&mut self, ins: &Instr<'_>, b: &Block) {
        let o = ins.op;
        match o {
            op::PUSH0..=op::PUSH32 => {
                let v = push_value(ins.imm, OpInfo::immediate_len(o));
                self.push(konst(v));
            }
            op::DUP1..=op::DUP16 => self.dup(usize::from(o - op::DUP1) + 1),
            op::SWAP1..=op::SWAP16 => self.swap(usize::from(o - op::SWAP1) + 1),
            op::POP => {
                let v = self.pop();
                self.release(v);
            }
            op::JUMPDEST => {}
            op::PC => self.push(konst([u64::from(ins.pc), 0, 0, 0])),
            op::GAS => {
                self.check_gas();
                // All the frame's gas: the global's share and the reserve beside it.
                self.asm.i().local_get(L_GAS).i64_const(self.remaining as i64).i64_add();
                self.asm.i().global_get(G_GAS_RESERVE).i64_add();
                let v = self.take_results(1);
                self.push(v);
            }
            op::JUMP | op::JUMPI => {
                let t = match b.exit {
                    crate::analysis::Exit::Jump(t) | crate::analysis::Exit::JumpI(t) => t,
                    _ => Target::Dynamic,
                };
                if o == op::JUMP {
                    self.jump(t, ins.pc);
                } else {
                    self.jumpi(t, ins.pc);
                }
            }
            op::STOP => self.stop(),
            op::INVALID => self.trap(),
            _ if self.an.rules.info(o).is_none() => self.trap(),
            _ => {
                if !self.arith(o) && !self.memory_op(o) && !self.env_op(o) {
                    self.ctx.missing.set(Some(info(o).map_or("?", |i| i.name)));
                    self.trap();
                }
            }
        }
    }
}
