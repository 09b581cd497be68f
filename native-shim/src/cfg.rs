//! The program's instructions and basic blocks.
//!
//! Every word of the text is decoded (a word outside RV64IM rejects the program with its
//! address). A block starts at a *leader*: the start of a text range, the entry point,
//! `deploy`, every direct branch or jump target (each must be an instruction of the text),
//! the instruction after every branch, jump and `jalr`, and every address an indirect jump
//! may reach: return addresses (the instruction after each `jal`/`jalr` that links), function
//! symbols, addresses the code materializes in a register (`lui`/`auipc` followed by `addi`
//! and the like, tracked within a block) and 4- or 8-byte words of the non-code bytes of the
//! segments whose value is an instruction address (jump tables, function pointers). Every
//! leader can be reached through the dispatch table; an indirect jump anywhere else traps.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use rv_machine::isa::{Inst, Opcode, Reg};

use crate::decode::decode_at;
use crate::elf::Elf;
use crate::error::{Rule, ShimError};

/// The decoded text.
#[derive(Clone, Debug)]
pub struct Text {
    /// `(start, end, index of the first instruction)` per text range.
    ranges: Vec<(u64, u64, usize)>,
    /// Every instruction, ranges after each other.
    pub insts: Vec<Inst>,
}

impl Text {
    /// Decodes every word of the text.
    pub fn decode(elf: &Elf<'_>) -> Result<Self, ShimError> {
        let mut ranges = Vec::new();
        let mut insts = Vec::new();
        for &(lo, hi) in &elf.text {
            ranges.push((lo, hi, insts.len()));
            let mut addr = lo;
            while addr < hi {
                let word = read_word(elf, addr).ok_or_else(|| {
                    ShimError::at_address(Rule::Text, addr, "an instruction word outside the file bytes of its segment")
                })?;
                insts.push(decode_at(word, addr)?);
                addr += 4;
            }
        }
        Ok(Self { ranges, insts })
    }

    /// The index of the instruction at `addr`, if it is one.
    pub fn index(&self, addr: u64) -> Option<usize> {
        if !addr.is_multiple_of(4) {
            return None;
        }
        let i = self.ranges.partition_point(|r| r.0 <= addr);
        let &(lo, hi, base) = self.ranges.get(i.checked_sub(1)?)?;
        (addr < hi).then(|| base + ((addr - lo) / 4) as usize)
    }

    /// The address of instruction `i`.
    pub fn addr(&self, i: usize) -> u64 {
        let r = self.ranges.partition_point(|r| r.2 <= i) - 1;
        let (lo, _, base) = self.ranges[r];
        lo + 4 * (i - base) as u64
    }

    /// The first address of the text.
    pub fn start(&self) -> u64 {
        self.ranges.first().map_or(0, |r| r.0)
    }

    /// One past the last address of the text.
    pub fn end(&self) -> u64 {
        self.ranges.last().map_or(0, |r| r.1)
    }

    /// Whether instruction `i` is the last of its range.
    pub fn ends_range(&self, i: usize) -> bool {
        self.ranges.iter().any(|&(lo, hi, base)| base + ((hi - lo) / 4) as usize == i + 1)
    }

    /// Whether instruction `i` is the first of its range.
    fn starts_range(&self, i: usize) -> bool {
        self.ranges.iter().any(|r| r.2 == i)
    }
}

/// The 32-bit little-endian word at `addr` in the segments' file bytes.
fn read_word(elf: &Elf<'_>, addr: u64) -> Option<u32> {
    let s = elf.segments.iter().find(|s| addr >= s.vaddr && addr < s.end())?;
    let at = usize::try_from(addr - s.vaddr).ok()?;
    let b = s.data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Where a direct transfer goes, if the instruction has one.
pub fn direct_target(inst: &Inst, pc: u64) -> Option<u64> {
    match *inst {
        Inst::B { offset, .. } | Inst::J { offset, .. } => Some(pc.wrapping_add_signed(i64::from(offset))),
        _ => None,
    }
}

/// Whether the instruction ends a block (a branch, jump or `jalr`).
pub fn ends_block(inst: &Inst) -> bool {
    matches!(inst, Inst::B { .. } | Inst::J { .. }) || inst.op() == Opcode::Jalr
}

/// Whether the lifted code serves an `ecall` whose number in `a7` is `number` (`None`:
/// not known at lift time) outside `run`: `write` (64) and `brk` (214) need bulk memory
/// operations and an unknown number the dispatcher, so `run` saves the registers, returns
/// the request to its driver and resumes after the `ecall` (keeping `run` a leaf function,
/// whose locals rv-backend gives more machine registers). `read` (63), `exit` (93) and the
/// host functions are served in `run`.
pub fn resumes(number: Option<i64>) -> bool {
    matches!(number, None | Some(64) | Some(214))
}

/// Register values known within a block (constants the code materializes).
#[derive(Clone, Copy)]
pub struct Known([Option<i64>; 32]);

impl Known {
    /// Nothing known (a block's start); `x0` is zero.
    pub fn new() -> Self {
        let mut k = [None; 32];
        k[0] = Some(0);
        Self(k)
    }

    /// The value of `r`, if known.
    pub fn get(&self, r: Reg) -> Option<i64> {
        self.0[usize::from(r.index())]
    }

    /// Updates what is known after `inst` at `pc`; returns the value written, if known.
    pub fn step(&mut self, inst: &Inst, pc: u64) -> Option<i64> {
        let (rd, value) = match *inst {
            Inst::U { op: Opcode::Lui, rd, imm20 } => (rd, Some(i64::from(imm20) << 12)),
            Inst::U { op: Opcode::Auipc, rd, imm20 } => (rd, Some((pc as i64).wrapping_add(i64::from(imm20) << 12))),
            Inst::I { op, rd, rs1, imm } => {
                let a = self.get(rs1);
                let v = match op {
                    Opcode::Addi => a.map(|a| a.wrapping_add(i64::from(imm))),
                    Opcode::Addiw => a.map(|a| i64::from((a as i32).wrapping_add(imm))),
                    Opcode::Ori => a.map(|a| a | i64::from(imm)),
                    Opcode::Xori => a.map(|a| a ^ i64::from(imm)),
                    Opcode::Andi => a.map(|a| a & i64::from(imm)),
                    Opcode::Jalr => Some(pc.wrapping_add(4) as i64),
                    _ => None,
                };
                (rd, v)
            }
            Inst::Shift { op: Opcode::Slli, rd, rs1, shamt } => (rd, self.get(rs1).map(|a| a << shamt)),
            Inst::R { op: Opcode::Add, rd, rs1, rs2 } => {
                (rd, self.get(rs1).zip(self.get(rs2)).map(|(a, b)| a.wrapping_add(b)))
            }
            Inst::R { rd, .. } | Inst::Shift { rd, .. } | Inst::U { rd, .. } => (rd, None),
            Inst::J { rd, .. } => (rd, Some(pc.wrapping_add(4) as i64)),
            Inst::Sys { op: Opcode::Ecall } => (Reg::A0, None),
            _ => return None,
        };
        if rd == Reg::ZERO {
            return None;
        }
        self.0[usize::from(rd.index())] = value;
        value
    }
}

impl Default for Known {
    fn default() -> Self {
        Self::new()
    }
}

/// One basic block: instructions `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// Index of its first instruction.
    pub start: usize,
    /// One past its last instruction.
    pub end: usize,
}

/// The analysed program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The decoded text.
    pub text: Text,
    /// Whether each instruction starts a block.
    pub leader: Vec<bool>,
    /// Whether an indirect jump may reach each instruction (the entry, `deploy`, function
    /// symbols, return addresses, materialized addresses, code addresses in the data, the
    /// start of each text range): only these need a place in the dispatch tables.
    pub indirect: Vec<bool>,
    /// The blocks, by address.
    pub blocks: Vec<Block>,
}

impl Program {
    /// Decodes and splits the text into blocks (see the module docs).
    pub fn analyze(elf: &Elf<'_>) -> Result<Self, ShimError> {
        let text = Text::decode(elf)?;
        let n = text.insts.len();
        let mut leader = vec![false; n];
        let mark = |leader: &mut Vec<bool>, addr: u64| {
            if let Some(i) = text.index(addr) {
                leader[i] = true;
            }
        };
        let mut indirect = vec![false; n];
        mark(&mut indirect, elf.entry);
        if let Some(d) = elf.deploy {
            mark(&mut indirect, d);
        }
        for &f in &elf.functions {
            mark(&mut indirect, f);
        }
        for (i, inst) in text.insts.iter().enumerate() {
            if text.starts_range(i) {
                indirect[i] = true;
            }
            let pc = text.addr(i);
            if let Some(t) = direct_target(inst, pc) {
                if text.index(t).is_none() {
                    let m = format!("{} jumps to {t:#x}, which is not an instruction of the text", inst.display_at(pc));
                    return Err(ShimError::at_address(Rule::BranchTarget, pc, m));
                }
                mark(&mut leader, t);
            }
            if ends_block(inst) && i + 1 < n {
                leader[i + 1] = true;
            }
        }
        // Jump tables and function pointers in the data: aligned words holding a code address.
        let mut from_data = BTreeSet::new();
        for s in &elf.segments {
            let mut at = 0usize;
            while at + 4 <= s.data.len() {
                let addr = s.vaddr + at as u64;
                if !elf.in_text(addr) {
                    let w = &s.data[at..at + 4];
                    from_data.insert(u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]])));
                    if addr.is_multiple_of(8) {
                        if let Some(d) = s.data.get(at..at + 8) {
                            let mut b = [0u8; 8];
                            b.copy_from_slice(d);
                            from_data.insert(u64::from_le_bytes(b));
                        }
                    }
                }
                at += 4;
            }
        }
        for addr in from_data {
            mark(&mut indirect, addr);
        }
        for (l, &t) in leader.iter_mut().zip(&indirect) {
            *l |= t;
        }
        // Addresses the code materializes, tracked within blocks as split so far.
        let mut known = Known::new();
        let mut found = Vec::new();
        for (i, inst) in text.insts.iter().enumerate() {
            if leader[i] {
                known = Known::new();
            }
            if let Some(v) = known.step(inst, text.addr(i)) {
                found.push(v as u64);
            }
        }
        for addr in found {
            mark(&mut indirect, addr);
            mark(&mut leader, addr);
        }
        // The instruction after an `ecall` that the lifted `run` serves by returning to its
        // driver (see [`resumes`]) is where `run` resumes: a leader and an indirect target.
        // In order, so that a split resets what later `ecall`s of the block know, as the
        // lifter's tracking of the final blocks does.
        let mut known = Known::new();
        for i in 0..n {
            if leader[i] {
                known = Known::new();
            }
            let inst = &text.insts[i];
            if inst.op() == Opcode::Ecall && resumes(known.get(Reg::A7)) && i + 1 < n && !text.ends_range(i) {
                leader[i + 1] = true;
                indirect[i + 1] = true;
            }
            known.step(inst, text.addr(i));
        }
        let mut blocks = Vec::new();
        let mut start = 0;
        for i in 0..n {
            let last = i + 1 == n || leader[i + 1] || text.ends_range(i);
            if last {
                blocks.push(Block { start, end: i + 1 });
                start = i + 1;
            }
        }
        // A range's end that is not a leader (no terminator before it) is one anyway.
        for b in &blocks {
            leader[b.start] = true;
        }
        Ok(Self { text, leader, indirect, blocks })
    }
}
