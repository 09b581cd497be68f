//! The assembler: a word buffer with labels, branch relaxation and constant materialization.
//!
//! Lowering emits each function once. Every conditional branch and jump to a label is a
//! *site*, every `br_table` entry a table entry and every call a relocation, each emitted as
//! one placeholder word; [`Asm::finish`] keeps them with the words ([`Assembled`]), and
//! [`Assembled::link`] lays the function out: it gives each site a [`Reach`], grows the
//! placeholders that need more words, and writes every instruction. Nothing is compiled
//! twice, so compile time stays linear in the code size.
//!
//! A site is near (one instruction: a branch reaches ±4 KiB, a `jal` ±1 MiB), long (a
//! branch as the inverted branch over a `jal`, ±1 MiB) or far (through `auipc`/`jalr` with
//! [`FAR_SCRATCH`], ±2 GiB), so a function of any size links. The reaches are the least that
//! all fit, found by growing the sites that do not reach until none is left; if that takes
//! more than a few rounds (a chain of sites each pushed out of reach by the growth of the
//! next), every site not settled yet gets the reach that fits even if every site it spans
//! were far. Jump tables have entries of one size: `jal`s, or `auipc`/`jalr` pairs once
//! some entry does not reach. Calls are one `jal` or, in far-call mode, an `auipc`/`jalr`
//! pair (the module assembler patches them).

use alloc::vec::Vec;

use crate::encode as enc;
use crate::imm::{BranchOffset, Imm12, Imm20, JumpOffset, Shamt6};
use crate::regs::{Reg, T0, T1, ZERO};

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

    /// Appends the words of the site at `reach`, `offset` bytes from its target; `false`
    /// (and illegal instructions) if the offset does not fit that reach.
    fn encode(self, reach: Reach, offset: i64, out: &mut Vec<u32>) -> bool {
        if !self.fits(reach, offset) {
            out.extend(core::iter::repeat_n(enc::ILLEGAL, self.words(reach)));
            return false;
        }
        let jal = |rd: Reg| JumpOffset::new(offset).map_or(enc::ILLEGAL, |o| enc::jal(rd, o));
        let (hi, lo) = far_parts(offset).unwrap_or((Imm20::ZERO, Imm12::ZERO));
        match (self, reach) {
            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Near) => {
                out.push(BranchOffset::new(offset).map_or(enc::ILLEGAL, |o| cond.encode(rs1, rs2, o)));
            }
            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Long) => {
                // Skip the jump unless the condition holds.
                out.push(cond.invert().encode(rs1, rs2, SKIP_ONE));
                out.push(jal(ZERO));
            }
            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Far) => {
                out.push(cond.invert().encode(rs1, rs2, SKIP_TWO));
                out.push(enc::auipc(FAR_SCRATCH, hi));
                out.push(enc::jalr(ZERO, FAR_SCRATCH, lo));
            }
            (SiteKind::Jump { rd }, Reach::Near | Reach::Long) => out.push(jal(rd)),
            (SiteKind::Jump { rd }, Reach::Far) => {
                out.push(enc::auipc(FAR_SCRATCH, hi));
                out.push(enc::jalr(rd, FAR_SCRATCH, lo));
            }
        }
        true
    }
}

/// The number of instructions [`Asm::li`] takes for `value`.
fn li_len(value: i64) -> usize {
    if let Ok(v32) = i32::try_from(value) {
        let lo = i64::from((v32 << 20) >> 20);
        let hi = ((i64::from(v32) - lo) >> 12) as i32;
        let hi = (hi << 12) >> 12;
        return if hi != 0 { usize::from(Imm20::new(i64::from(hi)).is_some()) + usize::from(lo != 0) } else { 1 };
    }
    let lo = (value << 52) >> 52;
    let hi52 = (value as u64).wrapping_add(0x800) >> 12;
    let shift = 12 + hi52.trailing_zeros();
    let hi = ((hi52 >> (shift - 12)) << shift) as i64 >> shift;
    li_len(hi) + 1 + usize::from(lo != 0)
}

/// The `auipc`/`jalr` parts of a pc-relative `offset`: `(hi << 12) + lo == offset`.
fn far_parts(offset: i64) -> Option<(Imm20, Imm12)> {
    let lo = (offset << 52) >> 52;
    Some((Imm20::new((offset - lo) >> 12)?, Imm12::new(lo)?))
}

/// A placeholder word and what it becomes.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A branch or jump to a label.
    Site { label: Label, kind: SiteKind },
    /// The entries of a jump table, one placeholder word each: `jal zero`s, or
    /// `auipc`/`jalr` pairs in far tables. Their labels are `table_labels[first..first + len]`.
    Table { first: u32, len: u32 },
    /// The `slli` of a jump-table dispatch, which scales the index by the entry size.
    TableShift { rd: Reg, rs: Reg },
    /// A call, patched by the module assembler: one `jal ra`, or an `auipc`/`jalr` pair.
    Call { target: CallTarget },
    /// `rd = value` loaded from the module's constant pool in the read-only data: `lui rd,
    /// hi; ld rd, lo(rd)`, the address patched by the module assembler.
    Pooled { rd: Reg, value: i64 },
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
    /// Not a call: a `lui`/`ld` pair that loads this constant from the constant pool.
    Pooled(i64),
}

/// Code shorter than this (in bytes) is within a conditional branch's reach (±4 KiB)
/// everywhere.
const SMALL_CODE_BYTES: usize = 4000;

/// Rounds of exact relaxation before the conservative plan (see the module docs).
const EXACT_ROUNDS: usize = 16;

/// The assembler of one function (or of the module's shared code).
#[derive(Default)]
pub struct Asm {
    words: Vec<u32>,
    /// Where each bound label is, and how many placeholders come before it.
    labels: Vec<Option<(usize, usize)>>,
    /// Placeholders, by position.
    items: Vec<(usize, Item)>,
    /// How many placeholders are calls or pooled constants (relocations when linked).
    relocs: usize,
    /// The labels of the jump tables' entries ([`Item::Table`]).
    table_labels: Vec<Label>,
}

impl Asm {
    /// An empty buffer.
    pub fn new() -> Asm {
        Asm::default()
    }

    /// An empty buffer with room for `words` words, and for the placeholders and labels
    /// that many words usually have (a placeholder per 4 words, a label per 8, up to a
    /// bound), so that their buffers seldom grow.
    pub fn with_capacity(words: usize) -> Asm {
        let typical = words.min(1 << 16);
        Asm {
            words: Vec::with_capacity(words),
            labels: Vec::with_capacity(typical / 8),
            items: Vec::with_capacity(typical / 4),
            relocs: 0,
            table_labels: Vec::new(),
        }
    }

    /// Appends one instruction word.
    pub fn emit(&mut self, word: u32) {
        self.words.push(word);
    }

    /// The number of words emitted so far (placeholders count one word).
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
        // Every placeholder so far is before `here`, every later one after it.
        let items = self.items.len();
        if let Some(slot) = self.labels.get_mut(label.0 as usize) {
            *slot = Some((here, items));
        }
    }

    /// Whether `label` is bound.
    pub fn is_bound(&self, label: Label) -> bool {
        self.labels.get(label.0 as usize).copied().flatten().is_some()
    }

    fn placeholder(&mut self, item: Item) {
        self.items.push((self.words.len(), item));
        self.emit(enc::ILLEGAL);
    }

    /// `if rs1 <cond> rs2 goto label`.
    pub fn branch(&mut self, cond: Cond, rs1: Reg, rs2: Reg, label: Label) {
        self.placeholder(Item::Site { label, kind: SiteKind::Branch { cond, rs1, rs2 } });
    }

    /// `jal rd, label` (`rd = zero`: a plain jump).
    pub fn jal(&mut self, rd: Reg, label: Label) {
        self.placeholder(Item::Site { label, kind: SiteKind::Jump { rd } });
    }

    /// `j label`.
    pub fn jump(&mut self, label: Label) {
        self.jal(ZERO, label);
    }

    /// Jumps to `labels[index]` (`index` in range, checked by the caller), through a table:
    /// `auipc t0, 0; slli t1, index, log2(entry); add t0, t0, t1; jalr zero, 16(t0)`, then
    /// one entry per label. Clobbers `t0` and `t1`.
    pub fn jump_table(&mut self, index: Reg, labels: &[Label]) {
        self.emit(enc::auipc(T0, Imm20::ZERO));
        self.placeholder(Item::TableShift { rd: T1, rs: index });
        self.emit(enc::add(T0, T0, T1));
        self.emit(enc::jalr(ZERO, T0, const { Imm12::lit(16) }));
        let first = u32::try_from(self.table_labels.len()).unwrap_or(u32::MAX);
        let len = u32::try_from(labels.len()).unwrap_or(u32::MAX);
        self.items.push((self.words.len(), Item::Table { first, len }));
        self.table_labels.extend_from_slice(labels);
        self.words.extend(core::iter::repeat_n(enc::ILLEGAL, labels.len()));
    }

    /// A call to `target` (`ra` is the link register), patched by the module assembler.
    pub fn call(&mut self, target: CallTarget) {
        self.relocs += 1;
        self.placeholder(Item::Call { target });
    }

    /// `rd = value` (`rd` not `zero`): [`Self::li`] when that takes at most two
    /// instructions, else a load from the module's constant pool (two instructions, where a
    /// 64-bit constant would take up to eight).
    pub fn li_pooled(&mut self, rd: Reg, value: i64) {
        if li_len(value) <= 2 || rd == ZERO {
            self.li(rd, value);
        } else {
            self.relocs += 1;
            self.placeholder(Item::Pooled { rd, value });
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

    /// The code with its placeholders, ready to link.
    pub fn finish(self) -> Assembled {
        Assembled {
            words: self.words,
            labels: self.labels,
            items: self.items,
            relocs: self.relocs,
            table_labels: self.table_labels,
        }
    }
}

/// The code of a function with its placeholders ([`Asm::finish`]).
#[derive(Clone, Debug)]
pub struct Assembled {
    words: Vec<u32>,
    labels: Vec<Option<(usize, usize)>>,
    items: Vec<(usize, Item)>,
    relocs: usize,
    table_labels: Vec<Label>,
}

/// How each placeholder is laid out.
struct Plan {
    /// The reach of each site (by item; other items: near).
    reach: Vec<Reach>,
    /// Whether jump-table entries are `auipc`/`jalr` pairs.
    far_tables: bool,
    /// Whether calls are `auipc`/`jalr` pairs.
    far_calls: bool,
    /// `prefix[k]`: words the items before item `k` grow by ([`Assembled::prefix`]), if
    /// the plan's search computed it for the plan as it is; else empty.
    prefix: Vec<usize>,
}

impl Assembled {
    /// The number of words before linking (each placeholder one word).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there is no code.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The calls: each one's word index before linking and its target.
    pub fn calls(&self) -> impl Iterator<Item = (usize, CallTarget)> + '_ {
        self.items.iter().filter_map(|&(at, item)| match item {
            Item::Call { target } => Some((at, target)),
            _ => None,
        })
    }

    /// How many relocations linking gives (calls and pooled constants).
    pub fn relocations(&self) -> usize {
        self.relocs
    }

    /// The labels of a jump table's entries.
    fn table_entries(&self, first: u32, len: u32) -> &[Label] {
        let first = first as usize;
        self.table_labels.get(first..first + len as usize).unwrap_or(&[])
    }

    /// Where `label` is (in words before linking), and how many items come before it.
    fn target(&self, label: Label) -> Option<(usize, usize)> {
        self.labels.get(label.0 as usize).copied().flatten()
    }

    /// Words that item `k` grows by under `plan`.
    fn growth(&self, k: usize, plan: &Plan) -> usize {
        match self.items[k].1 {
            Item::Site { kind, .. } => kind.words(plan.reach[k]) - 1,
            Item::Table { len, .. } => len as usize * usize::from(plan.far_tables),
            Item::TableShift { .. } => 0,
            Item::Call { .. } => usize::from(plan.far_calls),
            Item::Pooled { .. } => 1,
        }
    }

    /// `prefix[k]`: words that the items before item `k` grow by under `plan`.
    fn prefix(&self, plan: &Plan, prefix: &mut [usize]) {
        for k in 0..self.items.len() {
            prefix[k + 1] = prefix[k] + self.growth(k, plan);
        }
    }

    /// The final code: every site at a reach that fits, jump tables and calls laid out
    /// (calls as `auipc`/`jalr` pairs if `far_calls`), and the call relocations. An error
    /// means that the plan was wrong: a bug.
    pub fn link(&self, far_calls: bool) -> Result<(Vec<u32>, Vec<Reloc>), LinkError> {
        let (mut out, mut relocs) = (Vec::new(), Vec::new());
        self.link_onto(far_calls, &mut out, &mut relocs)?;
        Ok((out, relocs))
    }

    /// [`Self::link`] appending the code to `out` and the relocations to `relocs` (their
    /// positions counted in `out`), without a buffer of its own.
    pub fn link_onto(&self, far_calls: bool, out: &mut Vec<u32>, relocs: &mut Vec<Reloc>) -> Result<(), LinkError> {
        let mut plan = self.plan(far_calls);
        let n = self.items.len();
        let mut prefix = core::mem::take(&mut plan.prefix);
        if prefix.len() != n + 1 {
            prefix = alloc::vec![0; n + 1];
            self.prefix(&plan, &mut prefix);
        }
        let base = out.len();
        out.reserve(self.words.len() + prefix[n]);
        let mut copied = 0;
        let mut fits = true;
        for (k, &(at, item)) in self.items.iter().enumerate() {
            // The runs between placeholders are short: copied in one loop without a call of
            // `memcpy` (an extension of known length checks the room once).
            out.extend(self.words.get(copied..at).unwrap_or(&[]).iter().copied());
            copied = at + 1;
            let here = out.len();
            let offset = |label: Label, from: usize| {
                self.target(label).map(|(to, b)| ((base + to + prefix[b]) as i64 - (here + from) as i64) * 4)
            };
            match item {
                Item::Site { label, kind } => {
                    let reach = plan.reach[k];
                    match offset(label, kind.from(reach)) {
                        // The commonest sites in place: a near branch, a jump.
                        Some(off) => match (kind, reach) {
                            (SiteKind::Branch { cond, rs1, rs2 }, Reach::Near) => match BranchOffset::new(off) {
                                Some(o) => out.push(cond.encode(rs1, rs2, o)),
                                None => {
                                    fits = false;
                                    out.push(enc::ILLEGAL);
                                }
                            },
                            (SiteKind::Jump { rd }, Reach::Near | Reach::Long) => match JumpOffset::new(off) {
                                Some(o) => out.push(enc::jal(rd, o)),
                                None => {
                                    fits = false;
                                    out.push(enc::ILLEGAL);
                                }
                            },
                            _ => fits &= kind.encode(reach, off, out),
                        },
                        // An unbound label is never jumped to at run time only if the code
                        // that refers to it is unreachable: illegal instructions.
                        None => out.extend(core::iter::repeat_n(enc::ILLEGAL, kind.words(reach))),
                    }
                }
                Item::Table { first, len } => {
                    copied = at + len as usize;
                    for &label in self.table_entries(first, len) {
                        let here = out.len();
                        let off =
                            self.target(label).map_or(0, |(to, b)| ((base + to + prefix[b]) as i64 - here as i64) * 4);
                        match JumpOffset::new(off) {
                            Some(o) if !plan.far_tables => out.push(enc::jal(ZERO, o)),
                            _ => {
                                let reach = if plan.far_tables { Reach::Far } else { Reach::Near };
                                fits &= SiteKind::Jump { rd: ZERO }.encode(reach, off, out);
                            }
                        }
                    }
                }
                Item::TableShift { rd, rs } => {
                    out.push(enc::slli(rd, rs, Shamt6::wrapping(2 + u64::from(plan.far_tables))));
                }
                Item::Call { target } => {
                    relocs.push(Reloc { at: here, target, far: far_calls });
                    out.push(enc::ILLEGAL);
                    if far_calls {
                        out.push(enc::ILLEGAL);
                    }
                }
                Item::Pooled { rd, value } => {
                    // The immediates are patched with the constant's address.
                    relocs.push(Reloc { at: here, target: CallTarget::Pooled(value), far: false });
                    out.push(enc::lui(rd, Imm20::ZERO));
                    out.push(enc::ld(rd, rd, Imm12::ZERO));
                }
            }
        }
        out.extend_from_slice(&self.words[copied..]);
        if !fits {
            return Err(LinkError);
        }
        Ok(())
    }

    /// The layout (see the module docs).
    fn plan(&self, far_calls: bool) -> Plan {
        // Code that spans less than a branch's reach even with every placeholder at its
        // widest (three words) is all near, without a search.
        if (self.words.len() + 3 * self.items.len()) * 4 < SMALL_CODE_BYTES {
            return Plan {
                reach: alloc::vec![Reach::Near; self.items.len()],
                far_tables: false,
                far_calls,
                prefix: Vec::new(),
            };
        }
        match self.exact_plan(far_calls) {
            Ok(plan) => plan,
            Err(settled) => self.conservative_plan(settled),
        }
    }

    /// The target of each site and table entry, and the number of items before it (items
    /// are in address order).
    fn targets(&self) -> Vec<Option<(usize, usize)>> {
        self.items
            .iter()
            .map(|&(_, item)| match item {
                Item::Site { label, .. } => self.target(label),
                Item::Table { .. } | Item::TableShift { .. } | Item::Call { .. } | Item::Pooled { .. } => None,
            })
            .collect()
    }

    /// The least layout where everything reaches: from every site and table near, grow
    /// what does not reach, again until nothing does. After [`EXACT_ROUNDS`], the layout
    /// so far (a lower bound) as the error.
    fn exact_plan(&self, far_calls: bool) -> Result<Plan, Plan> {
        let n = self.items.len();
        let mut plan = Plan { reach: alloc::vec![Reach::Near; n], far_tables: false, far_calls, prefix: Vec::new() };
        // The items a round may grow, with their targets (and for a jump table's entry, its
        // index in the table). In a function that spans less than a `jal`'s reach even with
        // every placeholder at its widest (a site grows by two words at most, a table by a
        // word per entry), jumps and table entries reach as they are and a branch reaches as
        // a long one; a branch whose target is in a near branch's reach in that widest
        // layout stays near. Only the other branches can grow, and each round looks at them
        // alone: it decides as it would over every item.
        let entries = self.table_labels.len();
        let small = JumpOffset::new(4 * (self.words.len() + 2 * n + entries + 1) as i64).is_some();
        // With tables, the most that the items before each item can grow by.
        let mut widest: Vec<usize> = Vec::new();
        if entries > 0 {
            widest.reserve(n + 1);
            widest.push(0);
            for &(_, item) in &self.items {
                let most = match item {
                    Item::Table { len, .. } => len as usize,
                    _ => 2,
                };
                widest.push(widest[widest.len() - 1] + most);
            }
        }
        let mut check: Vec<(usize, usize, usize, usize)> = Vec::new();
        for (k, &(at, item)) in self.items.iter().enumerate() {
            let label = match item {
                Item::Site { label, kind: SiteKind::Branch { .. } } => label,
                Item::Site { label, .. } if !small => label,
                Item::Table { first, len } if !small => {
                    for (j, &label) in self.table_entries(first, len).iter().enumerate() {
                        if let Some((to, b)) = self.target(label) {
                            check.push((k, to, b, j));
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let Some((to, b)) = self.target(label) else {
                continue;
            };
            // The distance in words, in any layout, is at most this.
            let growth = match widest.get(b).zip(widest.get(k)) {
                Some((&wb, &wk)) => wb.abs_diff(wk),
                None => 2 * b.abs_diff(k),
            };
            let span = to.abs_diff(at) + growth + 2;
            if small && BranchOffset::new(4 * span as i64).is_some() {
                continue;
            }
            check.push((k, to, b, 0));
        }
        if check.is_empty() {
            return Ok(plan);
        }
        let mut prefix = alloc::vec![0; n + 1];
        for _ in 0..EXACT_ROUNDS {
            self.prefix(&plan, &mut prefix);
            let mut changed = false;
            for &(k, to, b, j) in &check {
                let (at, item) = self.items[k];
                let to = (to + prefix[b]) as i64;
                match item {
                    Item::Site { kind, .. } => {
                        let from = (at + prefix[k] + kind.from(plan.reach[k])) as i64;
                        if !kind.fits(plan.reach[k], (to - from) * 4) {
                            plan.reach[k] = kind.grow(plan.reach[k]);
                            changed = true;
                        }
                    }
                    Item::Table { .. }
                        if !plan.far_tables && JumpOffset::new((to - (at + j + prefix[k]) as i64) * 4).is_none() =>
                    {
                        plan.far_tables = true;
                        changed = true;
                    }
                    _ => {}
                }
            }
            if !changed {
                plan.prefix = prefix;
                return Ok(plan);
            }
        }
        Err(plan)
    }

    /// From a lower bound of the layout: every site gets the least reach that fits even
    /// if every other site were far, and tables are far.
    fn conservative_plan(&self, mut plan: Plan) -> Plan {
        let n = self.items.len();
        plan.far_tables = true;
        let widest =
            Plan { reach: alloc::vec![Reach::Far; n], far_tables: true, far_calls: plan.far_calls, prefix: Vec::new() };
        let mut prefix = alloc::vec![0; n + 1];
        self.prefix(&widest, &mut prefix);
        let targets = self.targets();
        for (k, &(at, item)) in self.items.iter().enumerate() {
            let (Item::Site { kind, .. }, Some((to, b))) = (item, targets[k]) else {
                continue;
            };
            while plan.reach[k] != Reach::Far {
                let r = plan.reach[k];
                let from = (at + prefix[k] + kind.from(r)) as i64;
                // A forward target moves with this site's own growth, counted at its reach.
                let own = if b > k { kind.words(Reach::Far) - kind.words(r) } else { 0 };
                let to = (to + prefix[b] - own) as i64;
                if kind.fits(r, (to - from) * 4) {
                    break;
                }
                plan.reach[k] = kind.grow(r);
            }
        }
        plan
    }
}

/// A site does not reach its target after linking (a bug of the plan).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkError;

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
        run_for(words, 1000)
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

    /// Assembles and links `build`; no word is left illegal.
    fn assemble(build: impl Fn(&mut Asm)) -> Vec<u32> {
        let mut a = Asm::new();
        build(&mut a);
        let (words, _) = a.finish().link(false).unwrap();
        assert!(!words.contains(&enc::ILLEGAL));
        words
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
            let mut a = Asm::new();
            a.li(Reg::A0, v);
            assert!(a.len() <= 8, "{v:#x}: {} words", a.len());
            let (words, _) = a.finish().link(false).unwrap();
            assert_eq!(run(&words).reg(Reg::A0) as i64, v, "{v:#x}");
        }
    }

    const FILLER: usize = 300_000;

    fn filler(a: &mut Asm) {
        for _ in 0..FILLER {
            a.emit(enc::addi(Reg::A0, Reg::A0, Imm12::lit(1)));
        }
    }

    #[test]
    fn far_forward_branches_grow() {
        let words = assemble(|a| {
            let l = a.label();
            a.branch(Cond::Eq, Reg::A0, Reg::A1, l);
            for _ in 0..2000 {
                a.emit(enc::addi(Reg::A2, Reg::A2, Imm12::ZERO));
            }
            a.bind(l);
        });
        assert_eq!(words.len(), 2002);
        assert_eq!(words[0], Cond::Ne.encode(Reg::A0, Reg::A1, SKIP_ONE));
    }

    #[test]
    fn branches_and_jumps_reach_past_one_mib() {
        // Forward far jump, backward far branch, forward far jump, over 1.2 MB of code that
        // would count in a0 if it ran.
        let words = assemble(|a| {
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
        assert_eq!(words.len(), FILLER + 2 + 1 + 2 + 3);
        let m = run(&words);
        assert_eq!((m.reg(Reg::A0), m.reg(Reg::A1)), (0, 7));
        // A far branch not taken falls through, and does not touch its scratch register.
        let words = assemble(|a| {
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
        for (index, want) in [(0, 1), (1, 2)] {
            let words = assemble(|a| {
                let (near, far) = (a.label(), a.label());
                a.emit(enc::addi(Reg::A1, ZERO, Imm12::lit(index)));
                a.jump_table(Reg::A1, &[near, far]);
                a.bind(near);
                a.emit(enc::addi(Reg::A2, ZERO, Imm12::lit(1)));
                let end = a.label();
                a.jump(end);
                filler(a);
                a.bind(far);
                a.emit(enc::addi(Reg::A2, ZERO, Imm12::lit(2)));
                a.bind(end);
            });
            // Two entries of two words each.
            assert_eq!(words.len(), 1 + 4 + 4 + 1 + 2 + FILLER + 1);
            let m = run(&words);
            assert_eq!((m.reg(Reg::A0), m.reg(Reg::A2)), (0, want));
        }
    }

    #[test]
    fn calls_grow_into_pairs_in_far_mode() {
        let mut a = Asm::new();
        let l = a.label();
        a.emit(enc::addi(Reg::A0, ZERO, Imm12::ZERO));
        a.call(CallTarget::Func(3));
        a.branch(Cond::Eq, Reg::A0, ZERO, l);
        a.bind(l);
        let a = a.finish();
        let (near, relocs) = a.link(false).unwrap();
        assert_eq!((near.len(), relocs), (3, alloc::vec![Reloc { at: 1, target: CallTarget::Func(3), far: false }]));
        let (far, relocs) = a.link(true).unwrap();
        assert_eq!((far.len(), relocs), (4, alloc::vec![Reloc { at: 1, target: CallTarget::Func(3), far: true }]));
        // The branch after the call still lands on its label (the next word).
        assert_eq!(far[3], Cond::Eq.encode(Reg::A0, ZERO, BranchOffset::new(4).unwrap()));
    }

    #[test]
    fn a_chain_of_relaxations_settles_in_one_plan() {
        // Branch k (at word 2k) spans 1023 words: exactly in reach until one site inside
        // grows. The last one does not reach, and its growth pushes the 511 before it out,
        // which push the ones before them out...: about 40 rounds of exact relaxation,
        // settled by the conservative plan.
        let n = 20_000usize;
        let steps = 2 * n + 5001;
        let build = |a: &mut Asm| {
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
        };
        let mut a = Asm::new();
        build(&mut a);
        assert!(a.finish().exact_plan(false).is_err(), "the exact rounds do not settle this");
        let words = assemble(build);
        assert_eq!(words.len(), steps + n + 1, "every branch long");
        let m = run_for(&words, 200_000);
        assert_eq!(m.reg(Reg::A0), (steps - n - 1) as u64);
    }
}
