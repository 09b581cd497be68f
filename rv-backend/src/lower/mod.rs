//! Lowering: one WASM function to RV64IM, in one pass over its operators.
//!
//! # The operand stack
//!
//! Stack position `p` has a canonical home: register [`POOL`]`[p]`, or for positions past
//! the pool a frame slot. An entry is either *in its home* ([`Entry::Home`]) or *deferred*:
//! a constant, a local or the gas register whose value is read where it is used. Deferred
//! entries let `local.get a; local.get b; i32.add; local.set c` become one `addw`.
//!
//! Invariants:
//! - At the entry of `block`, `loop` and `if`, every entry is in its home, so entries below a
//!   label's base are in their homes on every path to that label; branches only move the
//!   label's values (its results, or a loop's parameters) to the homes at its base.
//! - A deferred local is materialized before that local is written; a deferred gas value
//!   before anything that changes `gp` (calls, host calls, `global.set`).
//! - Around calls the pool registers below the arguments are stored to their slots and
//!   loaded back right after, so the invariant above survives calls.
//!
//! # Frame
//!
//! ```text
//! sp + frame   caller's outgoing area (stack arguments and results past the eighth)
//!              home slots of stack positions 0..max_height
//!              slots of locals 12..
//!              saved s-registers, saved ra
//! sp           outgoing area of this function's calls
//! ```

mod bits;
mod call;
mod compact;

pub(crate) use call::{emit_ecall, emit_host_ecall};
mod control;
mod dispatch;
mod lean;
mod memory;
mod ops;
mod stack;

use alloc::vec::Vec;

use wasmparser::{BlockType, Operator};

use crate::abi::{Service, TrapCode};
use crate::emit::{Asm, Assembled, Label};
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::Imm12;
use crate::module::{val_type, Body, FuncType, Module, ValType};
use crate::regs::{Reg, ARGS, ECALL_NUMBER, GAS, LOCALS, POOL, RA, SP, T0, T1, VMCTX, ZERO};
use stack::OperandStack;

/// A stack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// In the home of its position.
    Home,
    /// A constant (an `i32` sign-extended).
    Const(i64),
    /// The current value of a local.
    Local(u32),
    /// The current value of the gas register.
    Gas,
}

/// Where a local lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalLoc {
    Reg(Reg),
    Slot(i64),
}

/// A function ready to lower: validated, with what its prologue needs to know. On the fast
/// path its operators come decoded ([`LeanOps`]); otherwise lowering reads them again from
/// the body with wasmparser (keeping them all would take 64 bytes per operator: hundreds of
/// megabytes for the largest transpiled init code).
pub(crate) struct FuncInput<'a> {
    pub index: u32,
    pub ty: FuncType,
    pub locals: Vec<ValType>,
    pub body: wasmparser::FunctionBody<'a>,
    pub max_height: usize,
    pub out_slots: usize,
    pub leaf: bool,
    /// Whether it makes `ecall`s (host functions, `memory.grow`).
    pub ecalls: bool,
    /// Declared locals that the entry code writes before any read (no zeroing needed).
    pub written_first: Vec<bool>,
    /// Read on the fast path ([`lean`]): lowering takes its operators from there.
    pub lean: Option<LeanOps>,
}

/// A function's operators as the fast path read them.
pub(crate) struct LeanOps {
    /// Where the operators start, in bytes from the body's start.
    pub first: usize,
    /// Every operator, decoded, if `kept`; else none (lowering decodes them again).
    pub ops: Vec<compact::Op>,
    pub kept: bool,
}

/// Which locals the straight-line code at a function's entry writes before reading them;
/// the scan stops at the first control-flow operator.
fn written_first(nlocals: usize, ops: wasmparser::OperatorsReader<'_>) -> Vec<bool> {
    let mut written = alloc::vec![false; nlocals];
    let mut read = alloc::vec![false; nlocals];
    for op in ops.into_iter().map_while(Result::ok) {
        match op {
            Operator::LocalGet { local_index } => {
                if let Some(r) = read.get_mut(local_index as usize) {
                    *r = true;
                }
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                let l = local_index as usize;
                if l < nlocals && !read[l] {
                    written[l] = true;
                }
            }
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable => break,
            _ => {}
        }
    }
    written
}

/// Reads and validates a function body: on the fast path ([`lean`]) when it handles the
/// function, else with wasmparser (which also reports every error).
pub(crate) fn prepare<'a>(m: &Module<'a>, index: u32, body: Body<'a>) -> Result<FuncInput<'a>, CompileError> {
    if let Some(input) = lean::prepare(m, index, &body.body) {
        return Ok(input);
    }
    prepare_checked(m, index, body)
}

/// [`prepare`] with wasmparser's validator.
pub(crate) fn prepare_checked<'a>(m: &Module<'a>, index: u32, body: Body<'a>) -> Result<FuncInput<'a>, CompileError> {
    let err = |e: wasmparser::BinaryReaderError| CompileError::from_parser(&e).in_function(index);
    let ty = m
        .func_type(index)
        .cloned()
        .ok_or_else(|| CompileError::internal("function without a type").in_function(index))?;
    let mut v = body.validator.into_validator(Default::default());
    let mut locals = ty.params.clone();
    let mut reader = body.body.get_locals_reader().map_err(err)?;
    for _ in 0..reader.get_count() {
        let offset = reader.original_position();
        let (count, t) = reader.read().map_err(err)?;
        v.define_locals(offset, count, t).map_err(err)?;
        let t = val_type(t, offset as usize, m.float_bits).map_err(|e| e.in_function(index))?;
        locals.extend(core::iter::repeat_n(t, count as usize));
    }
    let mut reader = body.body.get_operators_reader().map_err(err)?;
    let (mut max_height, mut out_slots, mut leaf, mut ecalls) = (ty.results.len(), 0usize, true, false);
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset().map_err(err)?;
        v.op(offset, &op).map_err(err)?;
        if matches!(op, Operator::MemorySize { .. } | Operator::MemoryGrow { .. })
            && reader.original_position() != offset + 2
        {
            // wasmparser reads the reserved byte as a LEB128 memory index.
            return Err(CompileError::invalid("zero byte expected", offset as usize).in_function(index));
        }
        max_height = max_height.max(v.operand_stack_height() as usize);
        let callee = match &op {
            Operator::Call { function_index } => {
                if *function_index >= m.num_imported_funcs || !is_host_import(m, *function_index) {
                    leaf = false;
                } else {
                    ecalls = true;
                }
                m.func_type(*function_index)
            }
            Operator::MemoryGrow { .. } => {
                ecalls = true;
                None
            }
            Operator::CallIndirect { type_index, .. } => {
                leaf = false;
                m.types.get(*type_index as usize)
            }
            Operator::MemoryFill { .. }
            | Operator::MemoryCopy { .. }
            | Operator::MemoryInit { .. }
            | Operator::TableFill { .. }
            | Operator::TableCopy { .. }
            | Operator::TableInit { .. }
            | Operator::TableGrow { .. } => {
                leaf = false;
                None
            }
            _ => None,
        };
        if let Some(t) = callee {
            out_slots = out_slots.max(t.params.len().saturating_sub(8)).max(t.results.len().saturating_sub(8));
        }
    }
    reader.finish().map_err(err)?;
    let written_first = written_first(locals.len(), body.body.get_operators_reader().map_err(err)?);
    Ok(FuncInput { index, ty, locals, body: body.body, max_height, out_slots, leaf, ecalls, written_first, lean: None })
}

fn is_host_import(m: &Module<'_>, f: u32) -> bool {
    host_import(m, f).is_some()
}

pub(crate) fn host_import(m: &Module<'_>, f: u32) -> Option<host_abi::functions::HostFn> {
    match m.func_imports.get(f as usize)? {
        crate::module::ImportTarget::Host(h) => Some(*h),
        crate::module::ImportTarget::Foreign(_) => None,
    }
}

/// The foreign-import number of imported function `f`, if it is one.
pub(crate) fn foreign_import(m: &Module<'_>, f: u32) -> Option<u32> {
    match m.func_imports.get(f as usize)? {
        crate::module::ImportTarget::Foreign(n) => Some(*n),
        crate::module::ImportTarget::Host(_) => None,
    }
}

/// Lowers a prepared function: its code (to link) and its frame size in bytes.
pub(crate) fn lower(m: &Module<'_>, mut f: FuncInput<'_>) -> Result<(Assembled, u64), CompileError> {
    let lean = f.lean.take();
    let f = &f;
    // Room for a word of code per byte of body, so that the buffer seldom grows.
    let mut c = FuncCompiler::new(m, f, lean, Asm::with_capacity(f.body.as_bytes().len()));
    c.compile().map_err(|e| e.in_function(f.index))?;
    let frame = u64::try_from(c.layout.size).unwrap_or(0);
    Ok((c.asm.finish(), frame))
}

/// Declared locals in frame slots that the prologue zeroes one store each; more are
/// zeroed by a loop ([`FuncCompiler::zero_slots`]).
const ZERO_UNROLLED: usize = 32;

/// What kind of control frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CtrlKind {
    Function,
    Block,
    Loop,
    If { else_label: Label },
    Else,
}

/// A control frame.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctrl {
    pub kind: CtrlKind,
    /// Where branches go: the end (blocks) or the header (loops).
    pub label: Label,
    /// The end label (same as `label` except for loops).
    pub end: Label,
    /// Stack height below the parameters.
    pub base: usize,
    pub params: usize,
    pub results: usize,
    /// Whether code was reachable at the frame's entry.
    pub live: bool,
    /// Whether a branch targets the end label.
    pub used: bool,
}

impl Ctrl {
    /// How many values a branch to this frame carries.
    pub fn arity(&self) -> usize {
        if self.kind == CtrlKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// Frame layout (byte offsets from `sp`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub ra: Option<i64>,
    pub saved: i64,
    pub homes: i64,
    pub size: i64,
}

pub(crate) struct FuncCompiler<'m, 'a> {
    pub m: &'m Module<'a>,
    pub f: &'m FuncInput<'a>,
    pub asm: Asm,
    pub stack: OperandStack,
    pub ctrl: Vec<Ctrl>,
    pub reachable: bool,
    pub traps: [Option<Label>; TrapCode::ALL.len()],
    pub layout: Layout,
    pub local_locs: Vec<LocalLoc>,
    /// The operators not lowered yet.
    pub ops: Cursor<'a>,
    /// Byte offset of the operator being lowered.
    pub offset: usize,
    /// Register locals known to be non-negative (checked as memory addresses and unchanged
    /// since, on every path here).
    pub nonneg: Vec<bool>,
    /// The locals marked in `nonneg` since control flow last merged (so that forgetting
    /// them costs what was learnt, not the number of locals).
    pub nonneg_marked: Vec<u32>,
    /// Sandboxed mode: for register locals known non-negative, the largest `offset + size`
    /// an access through them was checked for (0: none): while the local is unchanged, an
    /// access ending no further needs no check (memories never shrink). Forgotten with
    /// `nonneg`.
    pub checked_end: Vec<u64>,
    /// `br_table`'s pad of each depth while it is lowered ([`Self::br_table`]); all
    /// `u32::MAX` between tables.
    pub pad_slots: Vec<u32>,
}

fn align16(n: i64) -> i64 {
    (n + 15) & !15
}

impl<'m, 'a> FuncCompiler<'m, 'a> {
    fn new(m: &'m Module<'a>, f: &'m FuncInput<'a>, lean: Option<LeanOps>, asm: Asm) -> Self {
        // A leaf function's first locals go to caller-saved registers that nothing else
        // uses there: pool registers above its stack height that no ecall, incoming
        // argument or scratch use touches. They need no saving.
        let free: Vec<Reg> = if f.leaf {
            let mut c = alloc::vec![Reg::A6, Reg::T3, Reg::T4, Reg::T5, Reg::T6];
            if !f.ecalls {
                c.push(Reg::A7);
            }
            c.into_iter()
                .filter(|r| POOL.iter().position(|p| p == r).is_some_and(|i| i >= f.max_height))
                .filter(|r| !ARGS[..f.ty.params.len().min(ARGS.len())].contains(r))
                .collect()
        } else {
            alloc::vec::Vec::new()
        };
        // The sandboxed mode reserves `s10` and `s11` (the memory's size and base).
        let callee_saved: &[Reg] = if m.sandboxed { &LOCALS[..10] } else { &LOCALS };
        let nfree = free.len().min(f.locals.len());
        let nregs = (f.locals.len() - nfree).min(callee_saved.len());
        let out = 8 * f.out_slots as i64;
        let ra = (!f.leaf).then_some(out);
        let saved = out + if f.leaf { 0 } else { 8 };
        let locals = saved + 8 * nregs as i64;
        let nslots = f.locals.len().saturating_sub(nfree + callee_saved.len()) as i64;
        let homes = locals + 8 * nslots;
        // Home slots hold spills past the pool and registers saved around calls.
        let nhomes = if f.leaf && !f.ecalls && f.max_height <= POOL.len() { 0 } else { f.max_height };
        let size = align16(homes + 8 * nhomes as i64);
        let local_locs = (0..f.locals.len())
            .map(|i| match free.get(i) {
                Some(&r) => LocalLoc::Reg(r),
                None => match callee_saved.get(i - nfree) {
                    Some(&r) => LocalLoc::Reg(r),
                    None => LocalLoc::Slot(locals + 8 * (i - nfree - callee_saved.len()) as i64),
                },
            })
            .collect();
        FuncCompiler {
            m,
            f,
            asm,
            stack: OperandStack::new(f.locals.len()),
            ctrl: Vec::new(),
            reachable: true,
            traps: [None; TrapCode::ALL.len()],
            layout: Layout { ra, saved, homes, size },
            local_locs,
            ops: Cursor::new(&f.body, lean),
            offset: 0,
            nonneg: alloc::vec![false; f.locals.len()],
            nonneg_marked: Vec::new(),
            checked_end: alloc::vec![0; f.locals.len()],
            pad_slots: Vec::new(),
        }
    }

    // ------------------------------------------------------------------ small emitters

    pub fn emit(&mut self, word: u32) {
        self.asm.emit(word);
    }

    pub fn unsupported<T>(&self, what: &str) -> Result<T, CompileError> {
        Err(CompileError::unsupported(what, self.offset))
    }

    pub fn internal<T>(&self, what: &str) -> Result<T, CompileError> {
        Err(CompileError::new(crate::error::CompileErrorKind::Internal(what.into()), Some(self.offset)))
    }

    /// The label of the stub that traps with `code`.
    pub fn trap_label(&mut self, code: TrapCode) -> Label {
        let i = code as usize;
        if let Some(l) = self.traps[i] {
            return l;
        }
        let l = self.asm.label();
        self.traps[i] = Some(l);
        l
    }

    /// `rd = [base + off]` (8 bytes), with `rd` as the temporary for large offsets.
    pub fn load_at(&mut self, rd: Reg, base: Reg, off: i64) {
        match Imm12::new(off) {
            Some(i) => self.emit(enc::ld(rd, base, i)),
            None => {
                self.asm.li(rd, off);
                self.emit(enc::add(rd, base, rd));
                self.emit(enc::ld(rd, rd, Imm12::ZERO));
            }
        }
    }

    /// `[base + off] = src` (8 bytes), with `tmp` (not `src`) for large offsets.
    pub fn store_at(&mut self, src: Reg, base: Reg, off: i64, tmp: Reg) {
        match Imm12::new(off) {
            Some(i) => self.emit(enc::sd(base, src, i)),
            None => {
                self.asm.li(tmp, off);
                self.emit(enc::add(tmp, base, tmp));
                self.emit(enc::sd(tmp, src, Imm12::ZERO));
            }
        }
    }

    pub fn home_slot(&self, p: usize) -> i64 {
        self.layout.homes + 8 * p as i64
    }

    // ------------------------------------------------------------------ the operand stack

    /// The register that holds entry `i`, loading it into `scratch` if it is not in one.
    #[inline]
    pub fn read(&mut self, i: usize, scratch: Reg) -> Reg {
        // Most entries are in registers: nothing to emit.
        match self.stack[i] {
            Entry::Home => {
                if let Some(&r) = POOL.get(i) {
                    return r;
                }
            }
            Entry::Const(0) => return ZERO,
            Entry::Local(l) => {
                if let Some(LocalLoc::Reg(r)) = self.local_locs.get(l as usize) {
                    return *r;
                }
            }
            Entry::Gas => return GAS,
            Entry::Const(_) => {}
        }
        self.read_slow(i, scratch)
    }

    /// [`Self::read`] of an entry that takes code to read (out of line: it saves registers
    /// that the common case does not need).
    #[inline(never)]
    fn read_slow(&mut self, i: usize, scratch: Reg) -> Reg {
        match self.stack[i] {
            Entry::Home => match POOL.get(i) {
                Some(&r) => r,
                None => {
                    let off = self.home_slot(i);
                    self.load_at(scratch, SP, off);
                    scratch
                }
            },
            Entry::Const(0) => ZERO,
            Entry::Const(v) => {
                self.asm.li_pooled(scratch, v);
                scratch
            }
            Entry::Local(l) => match self.local_locs[l as usize] {
                LocalLoc::Reg(r) => r,
                LocalLoc::Slot(off) => {
                    self.load_at(scratch, SP, off);
                    scratch
                }
            },
            Entry::Gas => GAS,
        }
    }

    /// Whether reading entry `i` takes more than two words (a constant beyond 32 bits, a
    /// local in a slot beyond immediate offsets).
    pub fn costly_read(&self, i: usize) -> bool {
        match self.stack[i] {
            Entry::Const(v) => i32::try_from(v).is_err(),
            Entry::Local(l) => {
                matches!(self.local_locs.get(l as usize), Some(LocalLoc::Slot(off)) if Imm12::new(*off).is_none())
            }
            Entry::Home | Entry::Gas => false,
        }
    }

    /// Writes the value of entry `i` into register `rd`.
    pub fn read_into(&mut self, i: usize, rd: Reg) {
        let r = self.read(i, rd);
        self.asm.mv(rd, r);
    }

    /// Stores the value of entry `src` into the home of position `p` (no state change).
    pub fn copy_to_home(&mut self, src: usize, p: usize) {
        if src == p && self.stack[src] == Entry::Home {
            return;
        }
        match POOL.get(p) {
            Some(&r) => self.read_into(src, r),
            None => {
                let r = self.read(src, T0);
                let off = self.home_slot(p);
                self.store_at(r, SP, off, T1);
            }
        }
    }

    /// A base register for the home slots of positions `from..to` (those past the pool):
    /// `sp` if their offsets fit an immediate, else `reg` set to the address of the first
    /// (one or three words). Moving many values between homes of a large frame then takes
    /// two words a value instead of up to eight, which keeps the code of a function within
    /// [`host_abi::limits::MAX_MACHINE_CODE_PER_WASM_BYTE`].
    pub fn home_window(&mut self, from: usize, to: usize, reg: Reg) -> Window {
        let from = from.max(POOL.len());
        if from >= to {
            return Window { base: SP, bias: 0 };
        }
        let (lo, hi) = (self.home_slot(from), self.home_slot(to - 1));
        if Imm12::new(lo).is_some() && Imm12::new(hi).is_some() {
            return Window { base: SP, bias: 0 };
        }
        self.asm.add_imm(reg, SP, lo, reg);
        Window { base: reg, bias: lo }
    }

    /// A base register for the home slots of the pool positions in `positions` (which
    /// are saved there around calls), as [`Self::home_window`] does for slots.
    pub fn pool_window(&mut self, positions: &[usize], reg: Reg) -> Window {
        let (Some(&lo), Some(&hi)) = (positions.iter().min(), positions.iter().max()) else {
            return Window { base: SP, bias: 0 };
        };
        let (lo, hi) = (self.home_slot(lo), self.home_slot(hi));
        if Imm12::new(lo).is_some() && Imm12::new(hi).is_some() {
            return Window { base: SP, bias: 0 };
        }
        self.asm.add_imm(reg, SP, lo, reg);
        Window { base: reg, bias: lo }
    }

    /// `rd = home of position p`, a slot inside window `w`.
    pub fn load_home(&mut self, rd: Reg, p: usize, w: Window) {
        let off = self.home_slot(p);
        self.emit(enc::ld(rd, w.base, crate::emit::imm12(off - w.bias)));
    }

    /// `home of position p = src`, a slot inside window `w`.
    pub fn store_home(&mut self, src: Reg, p: usize, w: Window) {
        let off = self.home_slot(p);
        self.emit(enc::sd(w.base, src, crate::emit::imm12(off - w.bias)));
    }

    /// [`Self::copy_to_home`] with the home slots of `src` in window `from` and of `p` in
    /// window `to` (`t0` holds the value on its way).
    pub fn copy_to_home_in(&mut self, src: usize, p: usize, from: Window, to: Window) {
        if src == p && self.stack[src] == Entry::Home {
            return;
        }
        let r = match (self.stack[src], POOL.get(src), POOL.get(p)) {
            (Entry::Home, None, Some(&rd)) => {
                self.load_home(rd, src, from);
                return;
            }
            (Entry::Home, None, None) => {
                self.load_home(T0, src, from);
                T0
            }
            (_, _, Some(&rd)) => {
                self.read_into(src, rd);
                return;
            }
            _ => self.read(src, T0),
        };
        self.store_home(r, p, to);
    }

    /// Puts entry `i` in its home.
    pub fn materialize(&mut self, i: usize) {
        if self.stack[i] != Entry::Home {
            self.copy_to_home(i, i);
            self.stack.set_home(i);
        }
    }

    /// Puts every entry below `top` in its home.
    pub fn materialize_below(&mut self, top: usize) {
        while let Some(i) = self.stack.deferred_below(top) {
            self.materialize(i);
        }
    }

    /// Materializes every deferred read of local `l` below position `top`.
    pub fn invalidate_local(&mut self, l: u32, top: usize) {
        while let Some(i) = self.stack.local_below(l, top) {
            self.materialize(i);
        }
    }

    /// Local `l` is about to change: it is no longer known non-negative.
    pub fn local_written(&mut self, l: u32) {
        if let Some(k) = self.nonneg.get_mut(l as usize) {
            *k = false;
        }
        if let Some(e) = self.checked_end.get_mut(l as usize) {
            *e = 0;
        }
    }

    /// Local `l` was checked non-negative (as a memory address).
    pub fn mark_nonneg(&mut self, l: u32) {
        if let Some(k) = self.nonneg.get_mut(l as usize) {
            if !*k {
                *k = true;
                self.nonneg_marked.push(l);
            }
        }
    }

    /// Control flow merges here: forget what was known about locals.
    pub fn forget_addr(&mut self) {
        for l in self.nonneg_marked.drain(..) {
            if let Some(k) = self.nonneg.get_mut(l as usize) {
                *k = false;
            }
            if let Some(e) = self.checked_end.get_mut(l as usize) {
                *e = 0;
            }
        }
    }

    pub fn push(&mut self, e: Entry) {
        self.stack.push(e);
    }

    pub fn pop(&mut self) -> Result<Entry, CompileError> {
        match self.stack.pop() {
            Some(e) => Ok(e),
            None => self.internal("operand stack underflow"),
        }
    }

    pub fn top(&self) -> usize {
        self.stack.len()
    }

    /// What the operator after the current one is, for fusing (`None`: the body ends).
    pub fn peek(&mut self) -> Option<Next> {
        self.ops.peek_next(0)
    }

    /// Where the result of the operator being lowered goes; `base` is the position of its
    /// first operand, where the result will be. If the next operator is
    /// `local.set`/`local.tee` of a register local, the result goes straight there (that
    /// operator is consumed; deferred reads of the local below `base` are materialized, so
    /// call this before reading the operands); otherwise to the home of position `base` (a
    /// scratch register when that home is a slot). Pop the operands, write the result, then
    /// call [`Self::finish_result`].
    #[inline]
    pub fn result_target(&mut self, base: usize) -> Target {
        if let Some((l, tee)) = self.ops.peek_local_set() {
            if let Some(t) = self.result_to_local(base, l, tee) {
                return t;
            }
        }
        match POOL.get(base) {
            Some(&r) => Target { reg: r, to: TargetKind::Home },
            None => Target { reg: crate::regs::T2, to: TargetKind::Home },
        }
    }

    /// [`Self::result_target`] when the next operator sets local `l` (`tee`: or tees it):
    /// the target if `l` is in a register.
    #[inline(never)]
    fn result_to_local(&mut self, base: usize, l: u32, tee: bool) -> Option<Target> {
        let Some(LocalLoc::Reg(r)) = self.local_locs.get(l as usize).copied() else {
            return None;
        };
        self.invalidate_local(l, base);
        self.local_written(l);
        self.ops.skip(1);
        Some(Target { reg: r, to: TargetKind::Local { l, tee } })
    }

    /// Records the result written to `t.reg`.
    pub fn finish_result(&mut self, t: Target) {
        match t.to {
            TargetKind::Local { l, tee } => {
                if tee {
                    self.push(Entry::Local(l));
                }
            }
            TargetKind::Home => {
                let p = self.top();
                if p >= POOL.len() {
                    let off = self.home_slot(p);
                    self.store_at(t.reg, SP, off, T1);
                }
                self.push(Entry::Home);
            }
        }
    }

    // ------------------------------------------------------------------ the function

    fn compile(&mut self) -> Result<(), CompileError> {
        let end = self.asm.label();
        self.ctrl.push(Ctrl {
            kind: CtrlKind::Function,
            label: end,
            end,
            base: 0,
            params: 0,
            results: self.f.ty.results.len(),
            live: true,
            used: false,
        });
        self.prologue();
        if self.ops.is_lean() {
            while let Some(op) = self.ops.next_op() {
                self.offset = self.ops.offset_of(op);
                if self.reachable {
                    self.lower_compact(op)?;
                } else {
                    self.skip_compact(op)?;
                }
                if self.ctrl.is_empty() {
                    break;
                }
            }
        } else {
            while let Some((op, offset)) = self.ops.next() {
                self.offset = offset;
                if self.reachable {
                    self.lower_op(&op)?;
                } else {
                    self.skip_op(&op)?;
                }
                if self.ctrl.is_empty() {
                    break;
                }
            }
        }
        if self.ops.failed {
            return self.internal("operators read differently the second time");
        }
        self.epilogue();
        self.trap_stubs();
        Ok(())
    }

    fn prologue(&mut self) {
        let size = self.layout.size;
        // A function without a frame is a leaf that touches no stack: it cannot recurse.
        if size > 0 {
            match Imm12::new(-size) {
                Some(i) => self.emit(enc::addi(SP, SP, i)),
                None => {
                    self.asm.li(T0, size);
                    self.emit(enc::sub(SP, SP, T0));
                }
            }
            let exhausted = self.trap_label(TrapCode::StackExhausted);
            self.asm.branch(crate::emit::Cond::Ltu, SP, VMCTX, exhausted);
        }
        if let Some(off) = self.layout.ra {
            self.store_at(RA, SP, off, T0);
        }
        for (k, r) in self.saved_regs().into_iter().enumerate() {
            let off = self.layout.saved + 8 * k as i64;
            self.store_at(r, SP, off, T0);
        }
        let nparams = self.f.ty.params.len();
        let zero_loop = self.slots_to_zero();
        for i in 0..self.f.locals.len() {
            let loc = self.local_locs[i];
            if i < nparams {
                let src = match ARGS.get(i) {
                    Some(&a) => a,
                    None => {
                        self.load_at(T0, SP, size + 8 * (i - ARGS.len()) as i64);
                        T0
                    }
                };
                match loc {
                    LocalLoc::Reg(r) => self.asm.mv(r, src),
                    LocalLoc::Slot(off) => self.store_at(src, SP, off, T1),
                }
            } else if !self.f.written_first.get(i).copied().unwrap_or(false) {
                match loc {
                    LocalLoc::Reg(r) => self.emit(enc::mv(r, ZERO)),
                    LocalLoc::Slot(_) if zero_loop.is_some() => {}
                    LocalLoc::Slot(off) => self.store_at(ZERO, SP, off, T1),
                }
            }
        }
        if let Some((first, count)) = zero_loop {
            self.zero_slots(first, count);
        }
    }

    /// The declared locals in frame slots, when there are enough of them to zero with a
    /// loop: the offset of the first and how many (they are contiguous).
    fn slots_to_zero(&self) -> Option<(i64, usize)> {
        let nparams = self.f.ty.params.len();
        let mut slots = (nparams..self.f.locals.len()).filter_map(|i| match self.local_locs[i] {
            LocalLoc::Slot(off) => Some(off),
            LocalLoc::Reg(_) => None,
        });
        let first = slots.next()?;
        let count = 1 + slots.count();
        (count > ZERO_UNROLLED).then_some((first, count))
    }

    /// Zeroes `count` slots from `sp + first`: eight stores a round, so that the code of a
    /// function with thousands of locals stays a few words (straight stores would take up
    /// to four words per local: compiled code must stay within
    /// [`host_abi::limits::MAX_MACHINE_CODE_PER_FUNCTION`]).
    fn zero_slots(&mut self, first: i64, count: usize) {
        let rounds = count / 8;
        self.asm.add_imm(T0, SP, first, T0);
        if rounds > 0 {
            self.asm.add_imm(T1, T0, 64 * rounds as i64, T1);
            let top = self.asm.label();
            self.asm.bind(top);
            for j in 0..8 {
                self.emit(enc::sd(T0, ZERO, crate::emit::imm12(8 * j)));
            }
            self.emit(enc::addi(T0, T0, const { Imm12::lit(64) }));
            self.asm.branch(crate::emit::Cond::Ltu, T0, T1, top);
        }
        for j in 0..count % 8 {
            self.emit(enc::sd(T0, ZERO, crate::emit::imm12(8 * j as i64)));
        }
    }

    fn epilogue(&mut self) {
        let size = self.layout.size;
        for j in ARGS.len()..self.f.ty.results.len() {
            let r = match POOL.get(j) {
                Some(&r) => r,
                None => {
                    let off = self.home_slot(j);
                    self.load_at(T0, SP, off);
                    T0
                }
            };
            self.store_at(r, SP, size + 8 * (j - ARGS.len()) as i64, T1);
        }
        for (k, r) in self.saved_regs().into_iter().enumerate() {
            let off = self.layout.saved + 8 * k as i64;
            self.load_at(r, SP, off);
        }
        if let Some(off) = self.layout.ra {
            self.load_at(RA, SP, off);
        }
        if size > 0 {
            match Imm12::new(size) {
                Some(i) => self.emit(enc::addi(SP, SP, i)),
                None => {
                    self.asm.li(T0, size);
                    self.emit(enc::add(SP, SP, T0));
                }
            }
        }
        self.emit(enc::jalr(ZERO, RA, Imm12::ZERO));
    }

    fn trap_stubs(&mut self) {
        for &code in TrapCode::ALL {
            if let Some(l) = self.traps[code as usize] {
                self.asm.bind(l);
                self.emit(enc::addi(Reg::A0, ZERO, crate::emit::imm12(code as i64)));
                self.emit(enc::addi(ECALL_NUMBER, ZERO, const { Imm12::lit(Service::Trap as i64) }));
                emit_ecall(&mut self.asm, self.m.sandboxed);
            }
        }
    }

    /// The callee-saved registers this function's locals use (saved in its frame).
    fn saved_regs(&self) -> Vec<Reg> {
        self.local_locs
            .iter()
            .filter_map(|l| match l {
                LocalLoc::Reg(r) if LOCALS.contains(r) => Some(*r),
                _ => None,
            })
            .collect()
    }

    /// Parameter and result counts of a block type.
    pub fn block_arity(&self, bt: BlockType) -> Result<(usize, usize), CompileError> {
        match bt {
            BlockType::Empty => Ok((0, 0)),
            BlockType::Type(_) => Ok((0, 1)),
            BlockType::FuncType(t) => match self.m.types.get(t as usize) {
                Some(t) => Ok((t.params.len(), t.results.len())),
                None => self.internal("block type out of range"),
            },
        }
    }
}

/// A base register and the offset from `sp` it holds ([`FuncCompiler::home_window`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub base: Reg,
    pub bias: i64,
}

/// How many operators [`Cursor`] holds ahead at most with wasmparser's reader (a power of
/// two).
const AHEAD: usize = 8;

/// How many operators the fast path decodes at a time when the body's were not kept.
pub(super) const CHUNK: usize = 4096;

/// The operators of a function, read one at a time with a few of lookahead.
///
/// On the fast path they are [`compact::Op`]s: all of them as [`lean::prepare`] decoded
/// them, or (bodies too large to keep) decoded again a chunk at a time. Otherwise
/// wasmparser's reader reads them, and the ones read ahead are kept whole.
pub(crate) struct Cursor<'a> {
    reader: Option<wasmparser::OperatorsReader<'a>>,
    /// wasmparser's reader: the operators read ahead, `len` of them from `head`, in a ring.
    ahead: [Option<(Operator<'a>, usize)>; AHEAD],
    head: usize,
    len: usize,
    /// The fast path.
    lean: Option<LeanCursor<'a>>,
    /// Reading failed (it cannot: the body was validated when it was prepared).
    pub failed: bool,
}

/// The fast path's operators: `ops[i..]` are next; past them, the body's bytes from `src`
/// are still to decode.
struct LeanCursor<'a> {
    bytes: &'a [u8],
    /// The module offset of `bytes[0]`.
    base: usize,
    src: usize,
    ops: Vec<compact::Op>,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(body: &wasmparser::FunctionBody<'a>, lean: Option<LeanOps>) -> Self {
        let base = usize::try_from(body.range().start).unwrap_or(usize::MAX);
        let lean = lean.map(|l| LeanCursor {
            bytes: body.as_bytes(),
            base,
            src: if l.kept { body.as_bytes().len() } else { l.first },
            ops: l.ops,
            i: 0,
        });
        let reader = if lean.is_some() { None } else { body.get_operators_reader().ok() };
        let failed = reader.is_none() && lean.is_none();
        Cursor { failed, reader, ahead: core::array::from_fn(|_| None), head: 0, len: 0, lean }
    }

    /// Whether the operators come from the fast path ([`Self::next_op`]), not wasmparser's
    /// reader ([`Self::next`]).
    pub fn is_lean(&self) -> bool {
        self.lean.is_some()
    }

    /// The module offset of a fast-path operator.
    pub fn offset_of(&self, op: compact::Op) -> usize {
        self.lean.as_ref().map_or(0, |l| l.base) + op.pos as usize
    }

    /// The fast path: decodes the next chunk of operators (when they were not kept),
    /// dropping the ones lowered. An operator that does not decode ends the body, and
    /// [`Self::failed`] says so.
    #[inline(never)]
    fn refill(&mut self) {
        let Some(l) = self.lean.as_mut() else {
            return;
        };
        if l.src >= l.bytes.len() {
            return;
        }
        l.ops.drain(..l.i);
        l.i = 0;
        while l.ops.len() < CHUNK && l.src < l.bytes.len() {
            match compact::decode(l.bytes, &mut l.src) {
                Some(op) => l.ops.push(op),
                None => {
                    self.failed = true;
                    l.src = l.bytes.len();
                }
            }
        }
    }

    /// The fast path: the next operator.
    #[inline]
    pub fn next_op(&mut self) -> Option<compact::Op> {
        let l = self.lean.as_mut()?;
        if l.i >= l.ops.len() {
            self.refill();
        }
        let l = self.lean.as_mut()?;
        let op = *l.ops.get(l.i)?;
        l.i += 1;
        Some(op)
    }

    /// The fast path: `br_table`'s target depths (into `depths`) and its default depth.
    pub fn br_table_of(&self, op: compact::Op, depths: &mut Vec<u32>) -> Option<u32> {
        let l = self.lean.as_ref()?;
        let (default, _) = compact::br_table(l.bytes, op.pos as usize, |d| {
            depths.push(d);
            Some(())
        })?;
        Some(default)
    }

    /// Reads the next operator from wasmparser's reader.
    fn read(&mut self) -> Option<(Operator<'a>, usize)> {
        let reader = self.reader.as_mut().filter(|r| !r.eof())?;
        match reader.read_with_offset() {
            Ok((op, offset)) => Some((op, usize::try_from(offset).unwrap_or(usize::MAX))),
            Err(_) => {
                self.failed = true;
                self.reader = None;
                None
            }
        }
    }

    /// Reads ahead until `n` operators are waiting (fewer at the end of the body).
    fn fill(&mut self, n: usize) {
        while self.len < n.min(AHEAD) {
            let Some(item) = self.read() else {
                return;
            };
            self.ahead[(self.head + self.len) % AHEAD] = Some(item);
            self.len += 1;
        }
    }

    /// What the operator `k` places after the next one to lower is (0: the next), as the
    /// fusing patterns of lowering see it; `None` past the end of the body.
    #[inline(always)]
    pub fn peek_next(&mut self, k: usize) -> Option<Next> {
        if let Some(l) = self.lean.as_ref() {
            if let Some(&op) = l.ops.get(l.i + k) {
                return Some(Next::of_op(op));
            }
        }
        self.peek_slow(k)
    }

    /// Whether the next operator is `local.set` (`Some((l, false))`) or `local.tee`
    /// (`Some((l, true))`) of local `l`: [`Self::peek_next`] for that one question.
    #[inline(always)]
    pub fn peek_local_set(&mut self) -> Option<(u32, bool)> {
        if let Some(l) = self.lean.as_ref() {
            if let Some(&op) = l.ops.get(l.i) {
                return match op.code {
                    0x21 => Some((op.index(), false)),
                    0x22 => Some((op.index(), true)),
                    _ => None,
                };
            }
        }
        match self.peek_slow(0) {
            Some(Next::LocalSet(l)) => Some((l, false)),
            Some(Next::LocalTee(l)) => Some((l, true)),
            _ => None,
        }
    }

    /// [`Self::peek_next`] past the operators decoded, or with wasmparser's reader.
    #[inline(never)]
    fn peek_slow(&mut self, k: usize) -> Option<Next> {
        if self.lean.is_some() {
            self.refill();
            let l = self.lean.as_ref()?;
            return l.ops.get(l.i + k).map(|&op| Next::of_op(op));
        }
        self.peek_read(k)
    }

    /// [`Self::peek_next`] with wasmparser's reader.
    #[inline(never)]
    fn peek_read(&mut self, k: usize) -> Option<Next> {
        self.fill(k + 1);
        if k >= self.len {
            return None;
        }
        self.ahead[(self.head + k) % AHEAD].as_ref().map(|(op, _)| Next::of(op))
    }

    /// wasmparser's reader: the next operator and its offset in the module.
    pub fn next(&mut self) -> Option<(Operator<'a>, usize)> {
        if self.len == 0 {
            return self.read();
        }
        let item = self.ahead[self.head].take();
        self.head = (self.head + 1) % AHEAD;
        self.len -= 1;
        item
    }

    /// Skips `n` operators (lowered with the current one; the patterns peeked at them).
    pub fn skip(&mut self, n: usize) {
        if let Some(l) = self.lean.as_mut() {
            l.i = (l.i + n).min(l.ops.len());
            return;
        }
        for _ in 0..n {
            self.next();
        }
    }
}

/// An operator ahead of the one being lowered, as far as the fusing patterns care: the
/// operators they look for, with their immediates (a small copy instead of a clone of the
/// operator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),
    BrIf(u32),
    If(BlockType),
    I64Const(i64),
    I64Sub,
    I64LtS,
    Unreachable,
    End,
    /// Any other operator.
    Other,
}

impl Next {
    fn of(op: &Operator<'_>) -> Next {
        match *op {
            Operator::LocalSet { local_index } => Next::LocalSet(local_index),
            Operator::LocalTee { local_index } => Next::LocalTee(local_index),
            Operator::GlobalGet { global_index } => Next::GlobalGet(global_index),
            Operator::GlobalSet { global_index } => Next::GlobalSet(global_index),
            Operator::BrIf { relative_depth } => Next::BrIf(relative_depth),
            Operator::If { blockty } => Next::If(blockty),
            Operator::I64Const { value } => Next::I64Const(value),
            Operator::I64Sub => Next::I64Sub,
            Operator::I64LtS => Next::I64LtS,
            Operator::Unreachable => Next::Unreachable,
            Operator::End => Next::End,
            _ => Next::Other,
        }
    }

    /// [`Self::of`] for the fast path's operators.
    #[inline]
    fn of_op(op: compact::Op) -> Next {
        match op.code {
            0x21 => Next::LocalSet(op.index()),
            0x22 => Next::LocalTee(op.index()),
            0x23 => Next::GlobalGet(op.index()),
            0x24 => Next::GlobalSet(op.index()),
            0x0d => Next::BrIf(op.index()),
            0x04 => Next::If(compact::block_type_of(op.imm)),
            0x42 => Next::I64Const(op.imm),
            0x7d => Next::I64Sub,
            0x53 => Next::I64LtS,
            0x00 => Next::Unreachable,
            0x0b => Next::End,
            _ => Next::Other,
        }
    }
}

/// Where a result goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target {
    pub reg: Reg,
    pub to: TargetKind,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum TargetKind {
    /// The home of the new top position.
    Home,
    /// A register local (`tee`: also push its value).
    Local { l: u32, tee: bool },
}
