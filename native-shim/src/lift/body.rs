//! `run(pc)`: the whole program as one function.
//!
//! Registers `x1..x31` are the `i64` locals 1..31 (local 0 is the `pc` of an indirect
//! jump), `x0` reads as 0 and writes to it are dropped. Control flow:
//!
//! ```text
//! block $trap
//!   loop $dyn            ;; pc → word index (traps outside the text or misaligned;
//!                        ;; pc 0, the return address of the entry, is exit(0))
//!     loop $idx          ;; word index → region: br_table over chunks of 2^shift words
//!       block $r[G-1] … block $r[0] (br_table) end  region 0  end  region 1 …
//!                        ;; region: loop $l (block $b[K-1] … block $b[0] (br_table) end
//!                        ;;          code of block 0 end code of block 1 …) end
//! ```
//!
//! A region holds the blocks that start in one chunk of the text; its inner `br_table`
//! maps each word of the chunk to its block, or to `$trap`. A transfer to a later block of
//! the same region is a plain `br` (structured forward control flow, fallthrough is free);
//! to an earlier block of the region it sets the word index and branches to the region's
//! loop; to another region, to that region's entry (forward) or to `$idx` (backward). An
//! indirect jump (`jalr`) whose target the lifter does not know goes through `$dyn`.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::limits::MAX_NESTING;
use rv_machine::isa::{Inst, Opcode, Reg};
use wasm_encoder::{BlockType, Function, InstructionSink, ValType};

use super::helpers::{memarg, Cx};
use super::host::{push_args, widen_result};
use crate::cfg::{direct_target, Known, Program};
use crate::elf::Elf;
use crate::error::{Location, Rule, ShimError};

/// Local 0: the target of an indirect jump (the parameter).
const PC: u32 = 0;
/// The word index being dispatched (`i32`).
const IDX: u32 = 32;
/// `i64` scratch.
const T0: u32 = 33;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Trap,
    Dyn,
    Idx,
    Region(usize),
    Loop(usize),
    Block(usize),
    Other,
}

struct Region {
    chunk: u64,
    /// Global block indices, by address.
    blocks: Vec<usize>,
}

struct Body<'a> {
    prog: &'a Program,
    cx: &'a Cx<'a>,
    f: Function,
    ctl: Vec<Label>,
    text_start: u64,
    shift: u32,
    regions: Vec<Region>,
    /// Per block: (region, position in the region).
    place: Vec<(usize, usize)>,
    /// Per instruction: the block starting there.
    block_at: Vec<Option<usize>>,
}

/// Chooses the chunk size: the fewest labels around any block (regions + blocks of the
/// largest region) within the nesting limit.
fn choose_shift(prog: &Program, text_start: u64) -> Option<(u32, usize)> {
    let mut best: Option<(u32, usize)> = None;
    for shift in 3..=16u32 {
        let mut regions = 0usize;
        let mut widest = 0usize;
        let mut last_chunk = None;
        let mut in_chunk = 0usize;
        for b in &prog.blocks {
            let w = (prog.text.addr(b.start) - text_start) / 4;
            let chunk = w >> shift;
            if last_chunk != Some(chunk) {
                regions += 1;
                in_chunk = 0;
                last_chunk = Some(chunk);
            }
            in_chunk += 1;
            widest = widest.max(in_chunk);
        }
        let depth = regions + widest + 8;
        if depth <= MAX_NESTING as usize && best.is_none_or(|(_, d)| depth < d) {
            best = Some((shift, depth));
        }
    }
    best
}

pub(crate) fn run(prog: &Program, elf: &Elf<'_>, cx: &Cx<'_>) -> Result<Function, ShimError> {
    let text_start = prog.text.start();
    let Some((shift, _)) = choose_shift(prog, text_start) else {
        let m = format!("{} basic blocks need more nesting than the WASM subset allows", prog.blocks.len());
        return Err(ShimError::new(Rule::TooLarge, Location::Module, m));
    };
    let mut regions: Vec<Region> = Vec::new();
    let mut place = Vec::with_capacity(prog.blocks.len());
    let mut block_at = vec![None; prog.text.insts.len()];
    for (bi, b) in prog.blocks.iter().enumerate() {
        let chunk = ((prog.text.addr(b.start) - text_start) / 4) >> shift;
        if regions.last().is_none_or(|r| r.chunk != chunk) {
            regions.push(Region { chunk, blocks: Vec::new() });
        }
        let r = regions.len() - 1;
        place.push((r, regions[r].blocks.len()));
        regions[r].blocks.push(bi);
        block_at[b.start] = Some(bi);
    }
    let locals = [(31, ValType::I64), (1, ValType::I32), (1, ValType::I64)];
    let mut body =
        Body { prog, cx, f: Function::new(locals), ctl: Vec::new(), text_start, shift, regions, place, block_at };
    body.emit(elf);
    Ok(body.f)
}

impl Body<'_> {
    fn s(&mut self) -> InstructionSink<'_> {
        self.f.instructions()
    }

    fn depth(&self, l: Label) -> u32 {
        let pos = self.ctl.iter().rposition(|&x| x == l).expect("label in scope");
        (self.ctl.len() - 1 - pos) as u32
    }

    fn open_block(&mut self, l: Label) {
        self.s().block(BlockType::Empty);
        self.ctl.push(l);
    }

    fn open_loop(&mut self, l: Label) {
        self.s().loop_(BlockType::Empty);
        self.ctl.push(l);
    }

    fn close(&mut self) {
        self.s().end();
        self.ctl.pop();
    }

    fn br(&mut self, l: Label) {
        let d = self.depth(l);
        self.s().br(d);
    }

    fn get(&mut self, r: Reg) {
        if r == Reg::ZERO {
            self.s().i64_const(0);
        } else {
            self.s().local_get(u32::from(r.index()));
        }
    }

    fn set(&mut self, r: Reg) {
        if r == Reg::ZERO {
            self.s().drop();
        } else {
            self.s().local_set(u32::from(r.index()));
        }
    }

    fn word_of(&self, addr: u64) -> u64 {
        (addr - self.text_start) / 4
    }

    fn emit(&mut self, elf: &Elf<'_>) {
        let layout = self.cx.layout;
        self.s().i64_const(layout.stack_top as i64).local_set(u32::from(Reg::SP.index()));
        if let Some(gp) = elf.global_pointer {
            self.s().i64_const(gp as i64).local_set(u32::from(Reg::GP.index()));
        }
        let text_len = self.prog.text.end() - self.text_start;
        self.open_block(Label::Trap);
        self.open_loop(Label::Dyn);
        {
            // pc 0: the entry (or deploy) returned to the `ra` it started with.
            let exit = self.cx.funcs.exit;
            self.s().local_get(PC).i64_eqz().if_(BlockType::Empty).i64_const(0).call(exit).unreachable().end();
            let start = self.text_start as i64;
            self.s().local_get(PC).i64_const(start).i64_sub().local_tee(T0);
            self.s().i64_const(text_len as i64).i64_ge_u();
            self.s().local_get(T0).i32_wrap_i64().i32_const(3).i32_and().i32_or();
            let d = self.depth(Label::Trap);
            self.s().br_if(d);
            self.s().local_get(T0).i64_const(2).i64_shr_u().i32_wrap_i64().local_set(IDX);
        }
        self.open_loop(Label::Idx);
        let g = self.regions.len();
        for r in (0..g).rev() {
            self.open_block(Label::Region(r));
        }
        {
            let chunks = ((text_len / 4) >> self.shift) + 1;
            let mut table = Vec::with_capacity(chunks as usize);
            let mut r = 0;
            for c in 0..chunks {
                while r < g && self.regions[r].chunk < c {
                    r += 1;
                }
                let l = if r < g && self.regions[r].chunk == c { Label::Region(r) } else { Label::Trap };
                table.push(self.depth(l));
            }
            let trap = self.depth(Label::Trap);
            let shift = self.shift as i32;
            self.s().local_get(IDX).i32_const(shift).i32_shr_u().br_table(table, trap);
        }
        for r in 0..g {
            self.close(); // Region(r): its code follows
            self.region(r);
        }
        self.close(); // Idx
        self.close(); // Dyn
        self.close(); // Trap
        self.s().unreachable().end();
    }

    fn region(&mut self, r: usize) {
        self.open_loop(Label::Loop(r));
        let k = self.regions[r].blocks.len();
        for j in (0..k).rev() {
            self.open_block(Label::Block(j));
        }
        let base = self.regions[r].chunk << self.shift;
        let words = 1u64 << self.shift;
        let mut table = Vec::with_capacity(words as usize);
        for w in base..base + words {
            let addr = self.text_start + 4 * w;
            let l = match self.prog.text.index(addr).and_then(|i| self.block_at[i]) {
                Some(b) if self.place[b].0 == r => Label::Block(self.place[b].1),
                _ => Label::Trap,
            };
            table.push(self.depth(l));
        }
        let trap = self.depth(Label::Trap);
        self.s().local_get(IDX).i32_const(base as i32).i32_sub().br_table(table, trap);
        for j in 0..k {
            self.close();
            let b = self.regions[r].blocks[j];
            self.block(b);
        }
        self.close(); // Loop(r)
    }

    /// Branches to the block at `addr` (which must start one) from block `from`.
    fn transfer(&mut self, from: usize, addr: u64) {
        let target = self.prog.text.index(addr).and_then(|i| self.block_at[i]);
        let Some(to) = target else {
            // Falling off the end of the text.
            self.br(Label::Trap);
            return;
        };
        let (r, j) = self.place[from];
        let (r2, j2) = self.place[to];
        if r2 == r && j2 > j {
            self.br(Label::Block(j2));
            return;
        }
        let w = self.word_of(addr) as i32;
        self.s().i32_const(w).local_set(IDX);
        let l = if r2 == r {
            Label::Loop(r)
        } else if r2 > r {
            Label::Region(r2)
        } else {
            Label::Idx
        };
        self.br(l);
    }

    fn block(&mut self, b: usize) {
        let blk = self.prog.blocks[b];
        let mut known = Known::new();
        let mut open_end = true;
        for i in blk.start..blk.end {
            let inst = self.prog.text.insts[i];
            let pc = self.prog.text.addr(i);
            open_end = self.inst(b, &inst, pc, &known);
            known.step(&inst, pc);
        }
        if open_end {
            let next = self.prog.text.addr(blk.end - 1) + 4;
            let natural = blk.end < self.prog.text.insts.len()
                && self.block_at[blk.end] == Some(b + 1)
                && self.place.get(b + 1).is_some_and(|&(r, j)| (r, j) == (self.place[b].0, self.place[b].1 + 1))
                && self.prog.text.addr(blk.end) == next;
            if !natural {
                self.transfer(b, next);
            }
        }
    }

    /// Address operand of a load or store: `rs1 + imm` moved to linear memory; returns the
    /// static offset for the memory argument.
    fn address(&mut self, rs1: Reg, imm: i32) -> u64 {
        let delta = self.cx.layout.delta;
        let off = i64::from(imm) + delta;
        if rs1 == Reg::ZERO {
            self.s().i32_const(off as i32);
            return 0;
        }
        self.get(rs1);
        self.s().i32_wrap_i64();
        if (0..=i64::from(u32::MAX)).contains(&off) {
            return off as u64;
        }
        self.s().i32_const(off as i32).i32_add();
        0
    }

    /// Lowers one instruction; returns whether control may fall through to the next.
    fn inst(&mut self, b: usize, inst: &Inst, pc: u64, known: &Known) -> bool {
        match *inst {
            Inst::U { op, rd, imm20 } => {
                let v = i64::from(imm20) << 12;
                let v = if op == Opcode::Auipc { (pc as i64).wrapping_add(v) } else { v };
                if rd != Reg::ZERO {
                    self.s().i64_const(v);
                    self.set(rd);
                }
            }
            Inst::J { rd, offset, .. } => {
                if rd != Reg::ZERO {
                    self.s().i64_const(pc.wrapping_add(4) as i64);
                    self.set(rd);
                }
                self.transfer(b, pc.wrapping_add_signed(i64::from(offset)));
                return false;
            }
            Inst::I { op: Opcode::Jalr, rd, rs1, imm } => {
                self.get(rs1);
                self.s().i64_const(i64::from(imm)).i64_add().i64_const(-2).i64_and().local_set(PC);
                if rd != Reg::ZERO {
                    self.s().i64_const(pc.wrapping_add(4) as i64);
                    self.set(rd);
                }
                let fixed = known.get(rs1).map(|v| (v.wrapping_add(i64::from(imm)) & !1) as u64);
                match fixed.filter(|&t| self.prog.text.index(t).is_some_and(|i| self.block_at[i].is_some())) {
                    Some(t) => self.transfer(b, t),
                    None => self.br(Label::Dyn),
                }
                return false;
            }
            Inst::B { op, rs1, rs2, .. } => {
                let target = direct_target(inst, pc).unwrap_or(0);
                self.get(rs1);
                self.get(rs2);
                match op {
                    Opcode::Beq => self.s().i64_eq(),
                    Opcode::Bne => self.s().i64_ne(),
                    Opcode::Blt => self.s().i64_lt_s(),
                    Opcode::Bge => self.s().i64_ge_s(),
                    Opcode::Bltu => self.s().i64_lt_u(),
                    _ => self.s().i64_ge_u(),
                };
                let to = self.prog.text.index(target).and_then(|i| self.block_at[i]);
                let forward = to.filter(|&t| self.place[t].0 == self.place[b].0 && self.place[t].1 > self.place[b].1);
                if let Some(t) = forward {
                    let d = self.depth(Label::Block(self.place[t].1));
                    self.s().br_if(d);
                } else {
                    self.s().if_(BlockType::Empty);
                    self.ctl.push(Label::Other);
                    self.transfer(b, target);
                    self.close();
                }
            }
            Inst::I { op, rd, rs1, imm } if op.is_load() => {
                let offset = self.address(rs1, imm);
                let m = memarg(offset);
                let s = &mut self.s();
                match op {
                    Opcode::Lb => s.i64_load8_s(m),
                    Opcode::Lh => s.i64_load16_s(m),
                    Opcode::Lw => s.i64_load32_s(m),
                    Opcode::Ld => s.i64_load(m),
                    Opcode::Lbu => s.i64_load8_u(m),
                    Opcode::Lhu => s.i64_load16_u(m),
                    _ => s.i64_load32_u(m),
                };
                self.set(rd);
            }
            Inst::S { op, rs1, rs2, imm } => {
                let offset = self.address(rs1, imm);
                self.get(rs2);
                let m = memarg(offset);
                let s = &mut self.s();
                match op {
                    Opcode::Sb => s.i64_store8(m),
                    Opcode::Sh => s.i64_store16(m),
                    Opcode::Sw => s.i64_store32(m),
                    _ => s.i64_store(m),
                };
            }
            Inst::I { op, rd, rs1, imm } => {
                if rd == Reg::ZERO {
                    return true; // no side effect: a hint or nop
                }
                let imm = i64::from(imm);
                match op {
                    Opcode::Addi if rs1 == Reg::ZERO => {
                        self.s().i64_const(imm);
                    }
                    Opcode::Addiw => {
                        self.get(rs1);
                        self.s().i32_wrap_i64().i32_const(imm as i32).i32_add().i64_extend_i32_s();
                    }
                    _ => {
                        self.get(rs1);
                        let s = &mut self.s();
                        s.i64_const(imm);
                        match op {
                            Opcode::Addi => s.i64_add(),
                            Opcode::Slti => s.i64_lt_s().i64_extend_i32_u(),
                            Opcode::Sltiu => s.i64_lt_u().i64_extend_i32_u(),
                            Opcode::Xori => s.i64_xor(),
                            Opcode::Ori => s.i64_or(),
                            _ => s.i64_and(),
                        };
                    }
                }
                self.set(rd);
            }
            Inst::Shift { op, rd, rs1, shamt } => {
                if rd == Reg::ZERO {
                    return true;
                }
                self.get(rs1);
                let s = &mut self.s();
                match op {
                    Opcode::Slli => s.i64_const(i64::from(shamt)).i64_shl(),
                    Opcode::Srli => s.i64_const(i64::from(shamt)).i64_shr_u(),
                    Opcode::Srai => s.i64_const(i64::from(shamt)).i64_shr_s(),
                    Opcode::Slliw => s.i32_wrap_i64().i32_const(shamt as i32).i32_shl().i64_extend_i32_s(),
                    Opcode::Srliw => s.i32_wrap_i64().i32_const(shamt as i32).i32_shr_u().i64_extend_i32_s(),
                    _ => s.i32_wrap_i64().i32_const(shamt as i32).i32_shr_s().i64_extend_i32_s(),
                };
                self.set(rd);
            }
            Inst::R { op, rd, rs1, rs2 } => {
                if rd == Reg::ZERO {
                    return true; // R-type instructions have no side effect (division never traps)
                }
                self.alu(op, rs1, rs2);
                self.set(rd);
            }
            Inst::Fence { .. } => {}
            Inst::Sys { op: Opcode::Ecall } => return self.ecall(known),
            Inst::Sys { .. } => {
                self.s().unreachable();
                return false;
            }
        }
        true
    }

    fn word_operands(&mut self, rs1: Reg, rs2: Reg) {
        self.get(rs1);
        self.s().i32_wrap_i64();
        self.get(rs2);
        self.s().i32_wrap_i64();
    }

    /// Register-register operations; the result is left on the stack.
    fn alu(&mut self, op: Opcode, rs1: Reg, rs2: Reg) {
        use Opcode::*;
        match op {
            Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra | Or | And | Mul => {
                self.get(rs1);
                self.get(rs2);
                let s = &mut self.s();
                match op {
                    Add => s.i64_add(),
                    Sub => s.i64_sub(),
                    Sll => s.i64_shl(),
                    Slt => s.i64_lt_s().i64_extend_i32_u(),
                    Sltu => s.i64_lt_u().i64_extend_i32_u(),
                    Xor => s.i64_xor(),
                    Srl => s.i64_shr_u(),
                    Sra => s.i64_shr_s(),
                    Or => s.i64_or(),
                    And => s.i64_and(),
                    _ => s.i64_mul(),
                };
            }
            Addw | Subw | Sllw | Srlw | Sraw | Mulw => {
                self.word_operands(rs1, rs2);
                let s = &mut self.s();
                match op {
                    Addw => s.i32_add(),
                    Subw => s.i32_sub(),
                    Sllw => s.i32_shl(),
                    Srlw => s.i32_shr_u(),
                    Sraw => s.i32_shr_s(),
                    _ => s.i32_mul(),
                };
                s.i64_extend_i32_s();
            }
            Mulhu | Mulh | Mulhsu => {
                let mulhu = self.cx.funcs.mulhu;
                self.get(rs1);
                self.get(rs2);
                self.s().call(mulhu);
                // Signed corrections: − (rs1 < 0 ? rs2 : 0) for mulh and mulhsu, − (rs2 < 0 ? rs1 : 0) for mulh.
                if op != Mulhu {
                    self.get(rs2);
                    self.get(rs1);
                    self.s().i64_const(63).i64_shr_s().i64_and().i64_sub();
                }
                if op == Mulh {
                    self.get(rs1);
                    self.get(rs2);
                    self.s().i64_const(63).i64_shr_s().i64_and().i64_sub();
                }
            }
            Div | Divu | Rem | Remu => {
                // RISC-V never traps: x / 0 = -1 (all ones), x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0.
                self.get(rs1);
                // divisor' = 1 where WASM would trap.
                self.s().i64_const(1);
                self.get(rs2);
                self.get(rs2);
                self.s().i64_eqz();
                if op == Div {
                    self.get(rs1);
                    self.s().i64_const(i64::MIN).i64_eq();
                    self.get(rs2);
                    self.s().i64_const(-1).i64_eq().i32_and().i32_or();
                }
                self.s().select();
                match op {
                    Div => self.s().i64_div_s(),
                    Divu => self.s().i64_div_u(),
                    Rem => self.s().i64_rem_s(),
                    _ => self.s().i64_rem_u(),
                };
                self.s().local_set(T0);
                if matches!(op, Div | Divu) {
                    self.s().i64_const(-1);
                } else {
                    self.get(rs1);
                }
                self.s().local_get(T0);
                self.get(rs2);
                self.s().i64_eqz().select();
            }
            _ => {
                // Divw, Divuw, Remw, Remuw: the same on the low 32 bits, sign-extended.
                self.get(rs1);
                self.s().i32_wrap_i64().i32_const(1);
                self.get(rs2);
                self.s().i32_wrap_i64();
                self.get(rs2);
                self.s().i32_wrap_i64().i32_eqz();
                if op == Divw {
                    self.get(rs1);
                    self.s().i32_wrap_i64().i32_const(i32::MIN).i32_eq();
                    self.get(rs2);
                    self.s().i32_wrap_i64().i32_const(-1).i32_eq().i32_and().i32_or();
                }
                self.s().select();
                match op {
                    Divw => self.s().i32_div_s(),
                    Divuw => self.s().i32_div_u(),
                    Remw => self.s().i32_rem_s(),
                    _ => self.s().i32_rem_u(),
                };
                self.s().i64_extend_i32_s().local_set(T0);
                if matches!(op, Divw | Divuw) {
                    self.s().i64_const(-1);
                } else {
                    self.get(rs1);
                    self.s().i32_wrap_i64().i64_extend_i32_s();
                }
                self.s().local_get(T0);
                self.get(rs2);
                self.s().i32_wrap_i64().i32_eqz().select();
            }
        }
    }

    /// `ecall`: the number in `a7`, known here or dispatched at run time.
    fn ecall(&mut self, known: &Known) -> bool {
        let a = |k: usize| u32::from(Reg::A0.index()) + k as u32;
        let funcs = self.cx.funcs;
        let Some(n) = known.get(Reg::A7) else {
            let ecall = funcs.ecall.expect("the dispatcher exists when a number is not known");
            for k in 0..6 {
                self.s().local_get(a(k));
            }
            self.s().local_get(u32::from(Reg::A7.index())).call(ecall).local_set(a(0));
            return true;
        };
        match n {
            63 | 64 => {
                let f = if n == 63 { funcs.read } else { funcs.write };
                self.s().local_get(a(0)).local_get(a(1)).local_get(a(2)).call(f).local_set(a(0));
            }
            93 => {
                self.s().local_get(a(0)).call(funcs.exit).unreachable();
                return false;
            }
            214 => {
                self.s().local_get(a(0)).call(funcs.brk).local_set(a(0));
            }
            _ => {
                let host = u32::try_from(n).ok().and_then(HostFn::from_number).filter(|h| h.importable());
                let Some(h) = host else {
                    // Not a system call or host function: the call fails here.
                    self.s().unreachable();
                    return false;
                };
                let delta = self.cx.layout.delta32();
                let import = self.cx.import(h);
                let s = &mut self.s();
                push_args(s, h, |k| Some(a(k)), delta);
                s.call(import);
                if h.terminates() {
                    s.unreachable();
                    return false;
                }
                if widen_result(s, h) {
                    s.local_set(a(0));
                }
            }
        }
        true
    }
}
