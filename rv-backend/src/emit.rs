//! The assembler: a word buffer with labels, branch relaxation and constant materialization.
//!
//! Conditional branches reach ±4 KiB. Each one gets a sequence number; the first compile of
//! a function emits every forward branch in the short form, and [`Asm::finish`] reports the
//! numbers of those that ended up too far. The function is then compiled again with those
//! branches in the long form (the inverted branch over a `jal`, ±1 MiB), until every branch
//! fits. Backward branches know their distance and pick their form at once.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::encode as enc;
use crate::imm::{BranchOffset, Imm12, Imm20, JumpOffset, Shamt6};
use crate::regs::{Reg, ZERO};

/// A position in the code, bound once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(u32);

/// A branch condition on two registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// `rs1 == rs2`
    Eq,
    /// `rs1 != rs2`
    Ne,
    /// signed `rs1 < rs2`
    Lt,
    /// signed `rs1 >= rs2`
    Ge,
    /// unsigned `rs1 < rs2`
    Ltu,
    /// unsigned `rs1 >= rs2`
    Geu,
}

impl Cond {
    /// The opposite condition.
    pub const fn invert(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Lt => Cond::Ge,
            Cond::Ge => Cond::Lt,
            Cond::Ltu => Cond::Geu,
            Cond::Geu => Cond::Ltu,
        }
    }

    fn encode(self, rs1: Reg, rs2: Reg, offset: BranchOffset) -> u32 {
        match self {
            Cond::Eq => enc::beq(rs1, rs2, offset),
            Cond::Ne => enc::bne(rs1, rs2, offset),
            Cond::Lt => enc::blt(rs1, rs2, offset),
            Cond::Ge => enc::bge(rs1, rs2, offset),
            Cond::Ltu => enc::bltu(rs1, rs2, offset),
            Cond::Geu => enc::bgeu(rs1, rs2, offset),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum FixKind {
    /// A short conditional branch (sequence number `id`).
    Branch { cond: Cond, rs1: Reg, rs2: Reg, id: u32 },
    /// `jal rd, label`.
    Jal { rd: Reg },
}

#[derive(Clone, Copy, Debug)]
struct Fixup {
    at: usize,
    label: Label,
    kind: FixKind,
}

/// A reference from this code to something outside it, patched by the module assembler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reloc {
    /// Word index of the `jal` (or `auipc` of an `auipc`/`jalr` pair).
    pub at: usize,
    /// What it calls.
    pub target: CallTarget,
    /// Whether the site is an `auipc ra`/`jalr ra` pair (far) or one `jal ra`.
    pub far: bool,
}

/// The target of a call relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CallTarget {
    /// A defined or imported function (its stub), by function index.
    Func(u32),
    /// A runtime helper.
    Helper(crate::abi::Helper),
}

/// Why assembling failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsmError {
    /// Some short branches do not reach: compile again with these in the long form.
    Relax(Vec<u32>),
    /// A `jal` does not reach (the function is over 1 MiB of code).
    TooFar,
}

/// The assembler of one function (or of the module's shared code).
pub struct Asm {
    words: Vec<u32>,
    labels: Vec<Option<usize>>,
    fixups: Vec<Fixup>,
    relocs: Vec<Reloc>,
    long: BTreeSet<u32>,
    next_branch: u32,
    far_calls: bool,
}

impl Asm {
    /// An empty buffer; `long` lists the branches to emit in the long form, `far_calls`
    /// whether calls use `auipc`/`jalr` pairs.
    pub fn new(long: BTreeSet<u32>, far_calls: bool) -> Asm {
        Asm {
            words: Vec::new(),
            labels: Vec::new(),
            fixups: Vec::new(),
            relocs: Vec::new(),
            long,
            next_branch: 0,
            far_calls,
        }
    }

    /// Appends one instruction word.
    pub fn emit(&mut self, word: u32) {
        self.words.push(word);
    }

    /// The number of words emitted so far.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether nothing was emitted.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// A new unbound label.
    pub fn label(&mut self) -> Label {
        self.labels.push(None);
        Label(u32::try_from(self.labels.len() - 1).unwrap_or(u32::MAX))
    }

    /// Binds `label` to the current position.
    pub fn bind(&mut self, label: Label) {
        let here = self.words.len();
        if let Some(slot) = self.labels.get_mut(label.0 as usize) {
            *slot = Some(here);
        }
    }

    /// Whether `label` is bound.
    pub fn is_bound(&self, label: Label) -> bool {
        self.target(label).is_some()
    }

    fn target(&self, label: Label) -> Option<usize> {
        self.labels.get(label.0 as usize).copied().flatten()
    }

    fn byte_offset(from: usize, to: usize) -> i64 {
        (to as i64 - from as i64) * 4
    }

    /// `if rs1 <cond> rs2 goto label`.
    pub fn branch(&mut self, cond: Cond, rs1: Reg, rs2: Reg, label: Label) {
        let id = self.next_branch;
        self.next_branch += 1;
        let here = self.words.len();
        if let Some(to) = self.target(label) {
            if let Some(off) = BranchOffset::new(Self::byte_offset(here, to)) {
                self.emit(cond.encode(rs1, rs2, off));
                return;
            }
        } else if !self.long.contains(&id) {
            self.fixups.push(Fixup { at: here, label, kind: FixKind::Branch { cond, rs1, rs2, id } });
            self.emit(enc::ILLEGAL);
            return;
        }
        // Long form: skip the jump unless the condition holds.
        self.emit(cond.invert().encode(rs1, rs2, SKIP_ONE));
        self.jal(ZERO, label);
    }

    /// `jal rd, label` (`rd = zero`: a plain jump).
    pub fn jal(&mut self, rd: Reg, label: Label) {
        let here = self.words.len();
        self.fixups.push(Fixup { at: here, label, kind: FixKind::Jal { rd } });
        self.emit(enc::ILLEGAL);
    }

    /// `j label`.
    pub fn jump(&mut self, label: Label) {
        self.jal(ZERO, label);
    }

    /// A call to `target` (`ra` is the link register), patched by the module assembler.
    pub fn call(&mut self, target: CallTarget) {
        let at = self.words.len();
        self.relocs.push(Reloc { at, target, far: self.far_calls });
        self.emit(enc::ILLEGAL);
        if self.far_calls {
            self.emit(enc::ILLEGAL);
        }
    }

    /// `rd = value`, in at most eight instructions (the usual `lui`/`addi(w)`/`slli` chain).
    pub fn li(&mut self, rd: Reg, value: i64) {
        if let Ok(v32) = i32::try_from(value) {
            let lo = i64::from((v32 << 20) >> 20);
            let hi = ((i64::from(v32) - lo) >> 12) as i32;
            let hi = (hi << 12) >> 12; // wrap to 20 bits; addiw below fixes the top half
            if hi != 0 {
                if let Some(h) = Imm20::new(i64::from(hi)) {
                    self.emit(enc::lui(rd, h));
                }
                if lo != 0 {
                    self.emit(enc::addiw(rd, rd, imm12(lo)));
                }
            } else {
                self.emit(enc::addi(rd, ZERO, imm12(lo)));
            }
            return;
        }
        let lo = (value << 52) >> 52;
        let hi52 = (value as u64).wrapping_add(0x800) >> 12;
        let shift = 12 + hi52.trailing_zeros();
        let hi = ((hi52 >> (shift - 12)) << shift) as i64 >> shift;
        self.li(rd, hi);
        self.emit(enc::slli(rd, rd, Shamt6::wrapping(u64::from(shift))));
        if lo != 0 {
            self.emit(enc::addi(rd, rd, imm12(lo)));
        }
    }

    /// `rd = rs + value`, using `tmp` when `value` does not fit 12 bits (`tmp` may be `rd`
    /// if `rs` is not).
    pub fn add_imm(&mut self, rd: Reg, rs: Reg, value: i64, tmp: Reg) {
        if let Some(i) = Imm12::new(value) {
            self.emit(enc::addi(rd, rs, i));
        } else {
            self.li(tmp, value);
            self.emit(enc::add(rd, rs, tmp));
        }
    }

    /// `rd = rs` (nothing if they are the same register).
    pub fn mv(&mut self, rd: Reg, rs: Reg) {
        if rd != rs {
            self.emit(enc::mv(rd, rs));
        }
    }

    /// Inserts `words` at the start, moving every label, fixup and relocation with the code.
    pub fn prepend(&mut self, words: &[u32]) {
        let n = words.len();
        self.words.splice(0..0, words.iter().copied());
        for l in self.labels.iter_mut().flatten() {
            *l += n;
        }
        for f in &mut self.fixups {
            f.at += n;
        }
        for r in &mut self.relocs {
            r.at += n;
        }
    }

    /// Resolves every label reference. Returns the words and the call relocations.
    pub fn finish(mut self) -> Result<(Vec<u32>, Vec<Reloc>), AsmError> {
        let mut relax = Vec::new();
        for f in &self.fixups {
            let Some(to) = self.target(f.label) else {
                // An unbound label is never jumped to at run time only if the code that
                // refers to it is unreachable; bind such references to themselves.
                continue;
            };
            let off = Self::byte_offset(f.at, to);
            match f.kind {
                FixKind::Branch { cond, rs1, rs2, id } => match BranchOffset::new(off) {
                    Some(o) => self.words[f.at] = cond.encode(rs1, rs2, o),
                    None => relax.push(id),
                },
                FixKind::Jal { rd } => match JumpOffset::new(off) {
                    Some(o) => self.words[f.at] = enc::jal(rd, o),
                    None => return Err(AsmError::TooFar),
                },
            }
        }
        if !relax.is_empty() {
            return Err(AsmError::Relax(relax));
        }
        Ok((self.words, self.relocs))
    }
}

/// The offset that skips the next instruction (checked when the crate compiles).
const SKIP_ONE: BranchOffset = match BranchOffset::new(8) {
    Some(o) => o,
    None => panic!("8 is a valid branch offset"),
};

/// A 12-bit immediate from a value known to fit (the callers compute it so); out-of-range
/// values become 0, which a test would catch.
pub(crate) fn imm12(value: i64) -> Imm12 {
    Imm12::new(value).unwrap_or(Imm12::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rv_machine::{Config, Exit, Machine, Perm};

    fn run(words: &[u32]) -> Machine {
        let mut code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        code.extend_from_slice(&enc::ecall().to_le_bytes());
        let mut m = Machine::new(Config::default());
        m.map(0x1000, code.len() as u64, Perm::RX, &code).unwrap();
        m.set_pc(0x1000);
        assert_eq!(m.run(1000), Exit::Ecall);
        m
    }

    #[test]
    fn li_materializes_every_kind_of_constant() {
        let mut values = alloc::vec![
            0i64,
            1,
            -1,
            2047,
            -2048,
            2048,
            -2049,
            0x7FFF_F7FF,
            0x7FFF_F800,
            0x7FFF_FFFF,
            -0x8000_0000,
            0x8000_0000,
            0xFFFF_FFFF,
            0x1_0000_0000,
            i64::MAX,
            i64::MIN,
            0x1234_5678_9ABC_DEF0,
            -0x1234_5678_9ABC_DEF0,
            0xFFFF_FFFF_8000_0000u64 as i64,
            0x0101_0101_0101_0101,
            0x5555_5555_5555_5555,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x as i64);
            values.push((x >> (x % 64)) as i64);
        }
        for v in values {
            let mut a = Asm::new(BTreeSet::new(), false);
            a.li(Reg::A0, v);
            assert!(a.len() <= 8, "{v:#x}: {} words", a.len());
            let (words, _) = a.finish().unwrap();
            assert_eq!(run(&words).reg(Reg::A0) as i64, v, "{v:#x}");
        }
    }

    #[test]
    fn far_forward_branches_ask_for_relaxation() {
        let mut a = Asm::new(BTreeSet::new(), false);
        let l = a.label();
        a.branch(Cond::Eq, Reg::A0, Reg::A1, l);
        for _ in 0..2000 {
            a.emit(enc::addi(Reg::A2, Reg::A2, Imm12::ZERO));
        }
        a.bind(l);
        assert_eq!(a.finish().unwrap_err(), AsmError::Relax(alloc::vec![0]));
        let mut a = Asm::new([0].into_iter().collect(), false);
        let l = a.label();
        a.branch(Cond::Eq, Reg::A0, Reg::A1, l);
        for _ in 0..2000 {
            a.emit(enc::addi(Reg::A2, Reg::A2, Imm12::ZERO));
        }
        a.bind(l);
        let (words, _) = a.finish().unwrap();
        assert_eq!(words.len(), 2002);
    }
}
