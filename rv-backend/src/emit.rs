//! The assembler: a word buffer with labels, branch relaxation and constant materialization.
//!
//! Every conditional branch and jump to a label is a *site* with a sequence number and a
//! [`Reach`]: near (one instruction: a branch reaches ±4 KiB, a `jal` ±1 MiB), long (a branch
//! as the inverted branch over a `jal`, ±1 MiB) or far (through `auipc`/`jalr` with
//! [`FAR_SCRATCH`], ±2 GiB, so a function of any size assembles). The first compile of a
//! function emits every forward site near; backward sites know their distance and take the
//! reach they need at once. If some site does not reach, [`Asm::finish`] computes the reach
//! of every site ([`Plan`]) on the layout it has: the least reaches that all fit, found by
//! growing sites that do not reach until none is left (as a compile again would, but
//! without compiling again); if that takes more than a few rounds (a chain of sites each
//! pushed out of reach by the growth of the next), every site not settled yet gets the reach
//! that fits even if every site it spans were far. The function is then compiled once more
//! with that plan, which fits by construction: compile time stays linear in the code size.
//!
//! The jump table of a `br_table` has entries of a fixed size: `jal`s, or `auipc`/`jalr`
//! pairs once some entry does not reach ([`Plan::far_tables`], [`AsmError::TableTooFar`]).

use alloc::vec::Vec;

use crate::encode as enc;
use crate::imm::{BranchOffset, Imm12, Imm20, JumpOffset, Shamt6};
use crate::regs::{Reg, T1, ZERO};

/// The register a far jump goes through (`auipc t1, hi; jalr rd, lo(t1)`). It is a scratch
/// register of one operator, and only a far jump that is taken writes it: branch targets
/// never expect a scratch value (block labels are between operators, trap stubs need
/// nothing, and the labels inside one operator are a few instructions away, never far).
pub const FAR_SCRATCH: Reg = T1;

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

/// How far a branch or jump to a label reaches, and so how many words it takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// One instruction: a conditional branch (±4 KiB) or a `jal` (±1 MiB).
    #[default]
    Near,
    /// A conditional branch as the inverted branch over a `jal` (two words, ±1 MiB); a jump
    /// stays one `jal`.
    Long,
    /// Through `auipc`/`jalr` (±2 GiB): a jump in two words, a conditional branch in three
    /// (the inverted branch over the pair).
    Far,
}

/// What a site is.
#[derive(Clone, Copy, Debug)]
enum SiteKind {
    /// `if rs1 <cond> rs2 goto label`.
    Branch { cond: Cond, rs1: Reg, rs2: Reg },
    /// `jal rd, label`.
    Jump { rd: Reg },
}

impl SiteKind {
    /// Words of the site at `reach`.
    fn words(self, reach: Reach) -> usize {
        match (self, reach) {
            (SiteKind::Branch { .. }, Reach::Near) => 1,
            (SiteKind::Branch { .. }, Reach::Long) => 2,
            (SiteKind::Branch { .. }, Reach::Far) => 3,
            (SiteKind::Jump { .. }, Reach::Near | Reach::Long) => 1,
            (SiteKind::Jump { .. }, Reach::Far) => 2,
        }
    }

    /// The word of the site, from its start, that the offset is counted from.
    fn from(self, reach: Reach) -> usize {
        match (self, reach) {
            (SiteKind::Branch { .. }, Reach::Long | Reach::Far) => 1,
            _ => 0,
        }
    }

    /// Whether a site at `reach` reaches `offset` bytes (from its [`Self::from`] word).
    fn fits(self, reach: Reach, offset: i64) -> bool {
        match (self, reach) {
            (SiteKind::Branch { .. }, Reach::Near) => BranchOffset::new(offset).is_some(),
            (_, Reach::Far) => far_parts(offset).is_some(),
            _ => JumpOffset::new(offset).is_some(),
        }
    }

    /// The next larger reach that changes anything.
    fn grow(self, reach: Reach) -> Reach {
        match (self, reach) {
            (SiteKind::Branch { .. }, Reach::Near) => Reach::Long,
            _ => Reach::Far,
        }
    }
}

/// A branch or jump to a label.
#[derive(Clone, Copy, Debug)]
struct Site {
    at: usize,
    label: Label,
    kind: SiteKind,
    reach: Reach,
}

/// An entry of a `br_table` jump table (a `jal`, or an `auipc`/`jalr` pair in far tables).
#[derive(Clone, Copy, Debug)]
struct TableEntry {
    at: usize,
    label: Label,
}

/// The `auipc`/`jalr` parts of a pc-relative `offset`: `(hi << 12) + lo == offset`.
fn far_parts(offset: i64) -> Option<(Imm20, Imm12)> {
    let lo = (offset << 52) >> 52;
    Some((Imm20::new((offset - lo) >> 12)?, Imm12::new(lo)?))
}

/// How to emit the sites of a function: the reach of each site (by sequence number; sites
/// past the end are near) and whether jump tables are far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The reach of site `k`.
    pub reach: Vec<Reach>,
    /// Whether `br_table` jump tables use `auipc`/`jalr` pairs.
    pub far_tables: bool,
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
    /// Some sites do not reach: compile again with this plan (which fits).
    Relax(Plan),
    /// A jump-table entry does not reach: compile again with far tables.
    TableTooFar,
}

/// Rounds of exact relaxation before the conservative plan (see the module docs).
const EXACT_ROUNDS: usize = 16;

/// The assembler of one function (or of the module's shared code).
pub struct Asm {
    words: Vec<u32>,
    labels: Vec<Option<usize>>,
    sites: Vec<Site>,
    table: Vec<TableEntry>,
    relocs: Vec<Reloc>,
    plan: Plan,
    far_calls: bool,
}

impl Asm {
    /// An empty buffer that emits sites by `plan`; `far_calls`: whether calls use
    /// `auipc`/`jalr` pairs.
    pub fn new(plan: Plan, far_calls: bool) -> Asm {
        Asm { words: Vec::new(), labels: Vec::new(), sites: Vec::new(), table: Vec::new(), relocs: Vec::new(), plan, far_calls }
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

    /// The number of branch and jump sites emitted so far.
    pub fn sites(&self) -> usize {
        self.sites.len()
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

    /// Emits a site: at its planned reach, or more if it goes back farther than that.
    fn site(&mut self, kind: SiteKind, label: Label) {
        let mut reach = self.plan.reach.get(self.sites.len()).copied().unwrap_or_default();
        let at = self.words.len();
        if let Some(to) = self.target(label) {
            while reach != Reach::Far && !kind.fits(reach, Self::byte_offset(at + kind.from(reach), to)) {
                reach = kind.grow(reach);
            }
        }
        self.sites.push(Site { at, label, kind, reach });
        for _ in 0..kind.words(reach) {
            self.emit(enc::ILLEGAL);
        }
    }

    /// `if rs1 <cond> rs2 goto label`.
    pub fn branch(&mut self, cond: Cond, rs1: Reg, rs2: Reg, label: Label) {
        self.site(SiteKind::Branch { cond, rs1, rs2 }, label);
    }

    /// `jal rd, label` (`rd = zero`: a plain jump).
    pub fn jal(&mut self, rd: Reg, label: Label) {
        self.site(SiteKind::Jump { rd }, label);
    }

    /// `j label`.
    pub fn jump(&mut self, label: Label) {
        self.jal(ZERO, label);
    }

    /// `log2` of the bytes of a jump-table entry ([`Self::table_jump`]).
    pub fn table_entry_shift(&self) -> u32 {
        if self.plan.far_tables {
            3
        } else {
            2
        }
    }

    /// A jump-table entry: a jump to `label` in [`Self::table_entry_shift`] bytes.
    pub fn table_jump(&mut self, label: Label) {
        self.table.push(TableEntry { at: self.words.len(), label });
        self.emit(enc::ILLEGAL);
        if self.plan.far_tables {
            self.emit(enc::ILLEGAL);
        }
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

    /// Resolves every label reference. Returns the words and the call relocations.
    pub fn finish(mut self) -> Result<(Vec<u32>, Vec<Reloc>), AsmError> {
        let mut fits = true;
        for k in 0..self.sites.len() {
            let s = self.sites[k];
            // An unbound label is never jumped to at run time only if the code that refers
            // to it is unreachable; such references stay illegal instructions.
            let Some(to) = self.target(s.label) else {
                continue;
            };
            let off = Self::byte_offset(s.at + s.kind.from(s.reach), to);
            if !s.kind.fits(s.reach, off) {
                fits = false;
                continue;
            }
            if fits {
                self.patch(s, off);
            }
        }
        if !fits {
            return Err(AsmError::Relax(Plan { reach: self.relax(), far_tables: self.plan.far_tables }));
        }
        for k in 0..self.table.len() {
            let e = self.table[k];
            let Some(to) = self.target(e.label) else {
                continue;
            };
            let off = Self::byte_offset(e.at, to);
            if self.plan.far_tables {
                let (hi, lo) = far_parts(off).ok_or(AsmError::TableTooFar)?;
                self.words[e.at] = enc::auipc(FAR_SCRATCH, hi);
                self.words[e.at + 1] = enc::jalr(ZERO, FAR_SCRATCH, lo);
            } else {
                let o = JumpOffset::new(off).ok_or(AsmError::TableTooFar)?;
                self.words[e.at] = enc::jal(ZERO, o);
            }
        }
        Ok((self.words, self.relocs))
    }

    /// Writes site `s`, which reaches `off`.
    fn patch(&mut self, s: Site, off: i64) {
        let w = &mut self.words[s.at..s.at + s.kind.words(s.reach)];
        match (s.kind, s.reach) {
            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Near) => {
                if let Some(o) = BranchOffset::new(off) {
                    w[0] = cond.encode(rs1, rs2, o);
                }
            }
            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Long) => {
                // Skip the jump unless the condition holds.
                w[0] = cond.invert().encode(rs1, rs2, SKIP_ONE);
                if let Some(o) = JumpOffset::new(off) {
                    w[1] = enc::jal(ZERO, o);
                }
            }
            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Far) => {
                w[0] = cond.invert().encode(rs1, rs2, SKIP_TWO);
                if let Some((hi, lo)) = far_parts(off) {
                    w[1] = enc::auipc(FAR_SCRATCH, hi);
                    w[2] = enc::jalr(ZERO, FAR_SCRATCH, lo);
                }
            }
            (SiteKind::Jump { rd }, Reach::Near | Reach::Long) => {
                if let Some(o) = JumpOffset::new(off) {
                    w[0] = enc::jal(rd, o);
                }
            }
            (SiteKind::Jump { rd }, Reach::Far) => {
                if let Some((hi, lo)) = far_parts(off) {
                    w[0] = enc::auipc(FAR_SCRATCH, hi);
                    w[1] = enc::jalr(rd, FAR_SCRATCH, lo);
                }
            }
        }
    }

    /// The reach of every site such that all of them fit, computed on this layout (see the
    /// module docs): exact rounds, then the conservative bound for what is left.
    fn relax(&self) -> Vec<Reach> {
        let sites = &self.sites;
        let mut reach: Vec<Reach> = sites.iter().map(|s| s.reach).collect();
        // Sites before each label (sites are in address order).
        let before: Vec<Option<usize>> = sites
            .iter()
            .map(|s| self.target(s.label).map(|to| sites.partition_point(|q| q.at < to)))
            .collect();
        let growth = |k: usize, r: Reach| (sites[k].kind.words(r) - sites[k].kind.words(sites[k].reach)) as i64;
        let mut prefix = alloc::vec![0i64; sites.len() + 1];
        for _ in 0..EXACT_ROUNDS {
            for k in 0..sites.len() {
                prefix[k + 1] = prefix[k] + growth(k, reach[k]);
            }
            let mut changed = false;
            for (k, s) in sites.iter().enumerate() {
                let (Some(to), Some(b)) = (self.target(s.label), before[k]) else {
                    continue;
                };
                let at = s.at as i64 + prefix[k] + s.kind.from(reach[k]) as i64;
                let to = to as i64 + prefix[b];
                if !s.kind.fits(reach[k], (to - at) * 4) {
                    reach[k] = s.kind.grow(reach[k]);
                    changed = true;
                }
            }
            if !changed {
                return reach;
            }
        }
        // Conservative: every other site as large as it can get.
        for k in 0..sites.len() {
            prefix[k + 1] = prefix[k] + growth(k, Reach::Far);
        }
        for (k, s) in sites.iter().enumerate() {
            let (Some(to), Some(b)) = (self.target(s.label), before[k]) else {
                continue;
            };
            while reach[k] != Reach::Far {
                let r = reach[k];
                let at = s.at as i64 + prefix[k] + s.kind.from(r) as i64;
                // A forward target moves with this site's own growth, counted at its reach.
                let own = if b > k { growth(k, Reach::Far) - growth(k, r) } else { 0 };
                let to = to as i64 + prefix[b] - own;
                if s.kind.fits(r, (to - at) * 4) {
                    break;
                }
                reach[k] = s.kind.grow(r);
            }
        }
        reach
    }
}

/// The offset that skips the next instruction (checked when the crate compiles).
const SKIP_ONE: BranchOffset = match BranchOffset::new(8) {
    Some(o) => o,
    None => panic!("8 is a valid branch offset"),
};

/// The offset that skips the next two instructions.
const SKIP_TWO: BranchOffset = match BranchOffset::new(12) {
    Some(o) => o,
    None => panic!("12 is a valid branch offset"),
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
            let mut a = Asm::new(Plan::default(), false);
            a.li(Reg::A0, v);
            assert!(a.len() <= 8, "{v:#x}: {} words", a.len());
            let (words, _) = a.finish().unwrap();
            assert_eq!(run(&words).reg(Reg::A0) as i64, v, "{v:#x}");
        }
    }

    /// Assembles `build` as the lowering does: again with the plan until it fits. Returns
    /// the words and the number of rounds.
    fn assemble(build: impl Fn(&mut Asm)) -> (Vec<u32>, usize) {
        let mut plan = Plan::default();
        for round in 1..=4 {
            let mut a = Asm::new(plan.clone(), false);
            build(&mut a);
            match a.finish() {
                Ok((words, _)) => return (words, round),
                Err(AsmError::Relax(p)) => plan = p,
                Err(AsmError::TableTooFar) => plan.far_tables = true,
            }
        }
        panic!("no fit after four rounds");
    }

    fn run_for(words: &[u32], steps: u64) -> Machine {
        let mut code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        code.extend_from_slice(&enc::ecall().to_le_bytes());
        let mut m = Machine::new(Config::default());
        m.map(0x1000, code.len() as u64, Perm::RX, &code).unwrap();
        m.set_pc(0x1000);
        assert_eq!(m.run(steps), Exit::Ecall);
        m
    }

    const FILLER: usize = 300_000;

    fn filler(a: &mut Asm) {
        for _ in 0..FILLER {
            a.emit(enc::addi(Reg::A0, Reg::A0, Imm12::lit(1)));
        }
    }

    #[test]
    fn far_forward_branches_ask_for_relaxation() {
        let build = |a: &mut Asm| {
            let l = a.label();
            a.branch(Cond::Eq, Reg::A0, Reg::A1, l);
            for _ in 0..2000 {
                a.emit(enc::addi(Reg::A2, Reg::A2, Imm12::ZERO));
            }
            a.bind(l);
        };
        let mut a = Asm::new(Plan::default(), false);
        build(&mut a);
        let plan = Plan { reach: alloc::vec![Reach::Long], far_tables: false };
        assert_eq!(a.finish().unwrap_err(), AsmError::Relax(plan));
        let (words, rounds) = assemble(build);
        assert_eq!((words.len(), rounds), (2002, 2));
    }

    #[test]
    fn branches_and_jumps_reach_past_one_mib() {
        // Forward far jump, backward far branch, forward far jump, over 1.2 MB of code that
        // would count in a0 if it ran.
        let (words, rounds) = assemble(|a| {
            let (start, back, end) = (a.label(), a.label(), a.label());
            a.jump(start);
            a.bind(back);
            a.emit(enc::addi(Reg::A1, Reg::A1, Imm12::lit(7)));
            a.jump(end);
            filler(a);
            a.bind(start);
            a.branch(Cond::Eq, ZERO, ZERO, back);
            a.bind(end);
        });
        assert_eq!(rounds, 2);
        assert_eq!(words.len(), FILLER + 2 + 2 + 1 + 3);
        let m = run_for(&words, 100);
        assert_eq!((m.reg(Reg::A0), m.reg(Reg::A1)), (0, 7));
        // A far branch not taken falls through, and does not touch its scratch register.
        let (words, _) = assemble(|a| {
            let l = a.label();
            a.emit(enc::addi(FAR_SCRATCH, ZERO, Imm12::lit(5)));
            a.branch(Cond::Ne, ZERO, ZERO, l);
            filler(a);
            a.bind(l);
        });
        let m = run_for(&words, FILLER as u64 + 10);
        assert_eq!((m.reg(Reg::A0), m.reg(FAR_SCRATCH)), (FILLER as u64, 5));
    }

    #[test]
    fn jump_tables_turn_far_when_an_entry_does_not_reach() {
        let (words, rounds) = assemble(|a| {
            let (near, far) = (a.label(), a.label());
            // a0 = 1: entry 1 (the far one).
            a.emit(enc::addi(Reg::A1, ZERO, Imm12::lit(1)));
            a.emit(enc::auipc(Reg::T0, Imm20::ZERO));
            a.emit(enc::slli(Reg::T2, Reg::A1, Shamt6::wrapping(u64::from(a.table_entry_shift()))));
            a.emit(enc::add(Reg::T0, Reg::T0, Reg::T2));
            a.emit(enc::jalr(ZERO, Reg::T0, Imm12::lit(16)));
            a.table_jump(near);
            a.table_jump(far);
            a.bind(near);
            a.emit(enc::addi(Reg::A2, ZERO, Imm12::lit(1)));
            filler(a);
            a.bind(far);
            a.emit(enc::addi(Reg::A2, ZERO, Imm12::lit(2)));
        });
        assert_eq!(rounds, 2);
        let m = run_for(&words, 100);
        assert_eq!((m.reg(Reg::A0), m.reg(Reg::A2)), (0, 2));
    }

    #[test]
    fn a_chain_of_relaxations_settles_in_one_more_compile() {
        // Branch k (at step 2k) spans 1023 words: exactly in reach until one site inside
        // grows. The last one does not reach, and its growth pushes the 511 before it out,
        // which push the ones before them out...: about 40 rounds of exact relaxation,
        // settled by the conservative plan in one compile.
        let n = 20_000usize;
        let steps = 2 * n + 5001;
        let (words, rounds) = assemble(|a| {
            let labels: Vec<Label> = (0..=n).map(|_| a.label()).collect();
            let mut at: Vec<Vec<usize>> = alloc::vec![Vec::new(); steps + 1];
            for k in 0..n {
                at[2 * k + 1023].push(k);
            }
            at[2 * n + 5000].push(n);
            for (step, bound) in at.iter().enumerate() {
                for &k in bound {
                    a.bind(labels[k]);
                }
                if step % 2 == 0 && step / 2 <= n {
                    a.branch(Cond::Ne, ZERO, ZERO, labels[step / 2]);
                } else if step < steps {
                    a.emit(enc::addi(Reg::A0, Reg::A0, Imm12::lit(1)));
                }
            }
        });
        assert_eq!(rounds, 2);
        assert_eq!(words.len(), steps + n + 1, "every branch long");
        let m = run_for(&words, 200_000);
        assert_eq!(m.reg(Reg::A0), (steps - n - 1) as u64);
    }
}
