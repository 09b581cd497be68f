//! Running code compiled in rv-backend's sandboxed mode ([`rv_backend::Options::sandboxed`],
//! [`rv_backend::abi::sandbox`]) in host mode: a [`SandboxedInstance`] maps a module at
//! addresses other than the default mode's, with readable bytes around its linear memory,
//! and serves the jumps to the VM context's entry the way a kernel would, so the mode's
//! position independence and its bounds checks are tested on the host before the kernel
//! runs them (the spec and differential suites run on it, `zkos bench` measures it).
//!
//! | address | what |
//! |---|---|
//! | [`STUBS`] | the entry (`ecall; jalr zero, 0(t0)`) and the return stub (`ecall`) |
//! | [`CODE_AT`] | the code, then the read-only data at `+ rodata_offset` |
//! | [`TABLE_AT`] | the table |
//! | below [`CTX_TOP`] | the VM context; the stack above it |
//! | [`MEMORY_AT`] | the linear memory, at its current size; [`CANARY`] bytes of `0xA5` mapped readable and writable just below it and just past its largest size |
//!
//! Compiled code must never touch the canaries or fault: every machine fault is
//! [`Trap::Machine`] here (a compiler bug), never a WebAssembly trap, and tests check that the
//! canaries are intact. The API is [`super::rv_instance::Instance`]'s.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::fmt;

use rv_machine::{CodeImage, Exit, Machine, Perm};

use rv_backend::abi::{self, vmctx, Service, TrapCode, DESCRIPTOR_SIZE, MEMORY_BASE_REG, MEMORY_SIZE_REG, PAGE_SIZE};
use rv_backend::regs::{Reg, ARGS, ECALL_NUMBER, GAS, RA, SP, VMCTX};
use rv_backend::{Compiled, ConstInit, SegmentMode, ValType};

use super::rv_instance::{Config, Event, Imports, InstantiateError, Trap};

/// The entry and return stubs.
pub const STUBS: u64 = 0x1_0000;
/// The entry compiled code jumps to (an `ecall`, then `jalr zero, 0(t0)`).
const ENTRY: u64 = STUBS;
/// The return address of calls: an `ecall` (the machine stops after it).
const RETURN: u64 = STUBS + 8;
/// Where the code goes (the read-only data follows it).
pub const CODE_AT: u64 = 0x8765_4000;
/// Where the table goes.
pub const TABLE_AT: u64 = 0x3_0000_0000;
/// The VM context's top (`tp`); the stack is above it.
pub const CTX_TOP: u64 = 0x5_0000_0000;
/// Where the linear memory goes.
pub const MEMORY_AT: u64 = 0x10_0000_0000;
/// Bytes of each canary region around the memory.
pub const CANARY: u64 = 1 << 16;
/// The canaries' byte.
pub const CANARY_BYTE: u8 = 0xA5;

/// Why a sandboxed instance could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxedError {
    /// The module was not compiled in the sandboxed mode.
    NotSandboxed,
    /// Instantiation failed.
    Instantiate(InstantiateError),
}

impl fmt::Display for SandboxedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSandboxed => f.write_str("the module was not compiled in the sandboxed mode"),
            Self::Instantiate(e) => write!(f, "{e}"),
        }
    }
}

impl From<InstantiateError> for SandboxedError {
    fn from(e: InstantiateError) -> Self {
        Self::Instantiate(e)
    }
}

/// Sign-extends an `i32` value to the register convention.
fn canonical(ty: ValType, v: u64) -> u64 {
    match ty {
        ValType::I32 => i64::from(v as u32 as i32) as u64,
        ValType::I64 | ValType::FuncRef => v,
    }
}

/// The compiled module an instance runs: borrowed, or shared (then the instance borrows
/// nothing and can wait on a stack of suspended frames).
enum Source<'c> {
    Borrowed(&'c Compiled),
    Shared(Rc<Compiled>),
}

impl core::ops::Deref for Source<'_> {
    type Target = Compiled;

    fn deref(&self) -> &Compiled {
        match self {
            Source::Borrowed(c) => c,
            Source::Shared(c) => c,
        }
    }
}

/// A module compiled in the sandboxed mode, on a machine of its own.
pub struct SandboxedInstance<'c> {
    compiled: Source<'c>,
    machine: Machine,
    config: Config,
    pages: u64,
    max_pages: u64,
    last_called: Option<u32>,
    call_sp: u64,
}

impl<'c> SandboxedInstance<'c> {
    /// Maps `compiled` (sandboxed mode) and initializes its memory, table, globals and
    /// segments.
    pub fn new(compiled: &'c Compiled, config: Config, imports: &Imports<'_>) -> Result<Self, SandboxedError> {
        Self::make(Source::Borrowed(compiled), config, imports)
    }

    /// [`Self::new`] for a shared module: the instance borrows nothing.
    pub fn shared(
        compiled: Rc<Compiled>,
        config: Config,
        imports: &Imports<'_>,
    ) -> Result<SandboxedInstance<'static>, SandboxedError> {
        SandboxedInstance::make(Source::Shared(compiled), config, imports)
    }

    fn make(compiled: Source<'c>, config: Config, imports: &Imports<'_>) -> Result<Self, SandboxedError> {
        if !compiled.sandboxed {
            return Err(SandboxedError::NotSandboxed);
        }
        let (mut pages, mut max_pages) = (0, 0);
        if let Some(mem) = imports.memory.or(compiled.memory) {
            max_pages = mem.maximum.unwrap_or(u64::MAX).min(config.max_memory_pages).min(abi::MAX_MEMORY_PAGES);
            if mem.initial > max_pages {
                return Err(InstantiateError::MemoryTooLarge { pages: mem.initial, limit: max_pages }.into());
            }
            pages = mem.initial;
        }
        let (mut table_size, mut table_max) = (0, 0);
        if let Some(t) = imports.table.or(compiled.table) {
            table_max = t.maximum.unwrap_or(u64::MAX).min(config.max_table_entries).min(u32::MAX.into());
            if t.initial > table_max {
                return Err(InstantiateError::TableTooLarge { entries: t.initial, limit: table_max }.into());
            }
            table_size = t.initial;
        }
        let rodata_at = CODE_AT + compiled.rodata_offset;
        let layout = compiled.vmctx;
        let size = layout.size();
        let mut ctx = alloc::vec![0u8; size as usize];
        let mut put = |off: i64, v: u64| {
            let at = (size as i64 + off) as usize;
            ctx[at..at + 8].copy_from_slice(&v.to_le_bytes());
        };
        put(vmctx::MEMORY_BYTES, pages * PAGE_SIZE);
        put(vmctx::MEMORY_PAGES, pages);
        put(vmctx::TABLE_SIZE, table_size);
        put(vmctx::TABLE_MAX, table_max);
        for (off, v) in vmctx::CONSTANTS {
            put(off, v);
        }
        put(vmctx::ENTRY, ENTRY);
        put(vmctx::TABLE_ADDR, TABLE_AT);
        put(vmctx::RODATA_ADDR, rodata_at);
        let mut values: Vec<u64> = Vec::with_capacity(compiled.globals.len());
        let mut imported = imports.globals.iter();
        for g in &compiled.globals {
            let v = match g.init {
                None => match imported.next() {
                    Some(&v) => canonical(g.ty, v),
                    None => return Err(InstantiateError::MissingGlobal.into()),
                },
                Some(init) => eval(init, &values, rodata_at),
            };
            values.push(v);
        }
        for (g, &v) in values.iter().enumerate() {
            put(layout.global(g as u32), v);
        }
        let mut actions = Vec::new();
        for (k, s) in compiled.elems.iter().enumerate() {
            let rec = layout.elem_record(k as u32);
            put(rec, rodata_at + s.rodata_offset);
            if s.mode == SegmentMode::Passive {
                put(rec + 8, s.len);
            }
            if let SegmentMode::Active(at) = s.mode {
                actions.push((true, eval(at, &values, rodata_at) as u32 as u64, *s));
            }
        }
        for (k, s) in compiled.datas.iter().enumerate() {
            let rec = layout.data_record(k as u32);
            put(rec, rodata_at + s.rodata_offset);
            if s.mode == SegmentMode::Passive {
                put(rec + 8, s.len);
            }
            if let SegmentMode::Active(at) = s.mode {
                actions.push((false, eval(at, &values, rodata_at) as u32 as u64, *s));
            }
        }

        let mut m = Machine::new(rv_machine::Config { histogram: config.histogram, max_memory: 16 << 30 });
        let err = |e| SandboxedError::Instantiate(InstantiateError::Machine(e));
        let stubs: Vec<u8> =
            [rv_backend::encode::ecall(), rv_backend::encode::jalr(Reg::ZERO, Reg::T0, rv_backend::imm::Imm12::ZERO)]
                .into_iter()
                .chain([rv_backend::encode::ecall()])
                .flat_map(u32::to_le_bytes)
                .collect();
        m.map(STUBS, stubs.len() as u64, Perm::X, &stubs).map_err(err)?;
        if !compiled.code.is_empty() {
            m.map_code(CODE_AT, Perm::X, &CodeImage::new(&compiled.code)).map_err(err)?;
        }
        let rodata = compiled.rebased_rodata(CODE_AT);
        if !rodata.is_empty() {
            m.map(rodata_at, rodata.len() as u64, Perm::R, &rodata).map_err(err)?;
        }
        m.map_lazy(CTX_TOP, config.stack_size, Perm::RW).map_err(err)?;
        m.map(CTX_TOP - size, size, Perm::RW, &ctx).map_err(err)?;
        if table_max > 0 {
            m.map_lazy(TABLE_AT, table_max * 8, Perm::RW).map_err(err)?;
        }
        let canary = alloc::vec![CANARY_BYTE; CANARY as usize];
        m.map(MEMORY_AT - CANARY, CANARY, Perm::RW, &canary).map_err(err)?;
        m.map(MEMORY_AT + max_pages * PAGE_SIZE, CANARY, Perm::RW, &canary).map_err(err)?;
        if pages > 0 {
            m.map(MEMORY_AT, pages * PAGE_SIZE, Perm::RW, &[]).map_err(err)?;
        }
        for &(elem, at, s) in &actions {
            let (bound, unit, base, trap) = if elem {
                (table_size, 8, TABLE_AT, TrapCode::TableOutOfBounds)
            } else {
                (pages * PAGE_SIZE, 1, MEMORY_AT, TrapCode::MemoryOutOfBounds)
            };
            if at + s.len > bound {
                return Err(InstantiateError::Trap(trap).into());
            }
            if s.len > 0 {
                let from = s.rodata_offset as usize;
                let bytes =
                    rodata.get(from..from + (s.len * unit) as usize).ok_or(InstantiateError::SegmentOutsideRodata)?;
                m.write_bytes(base + at * unit, bytes).map_err(err)?;
            }
        }
        m.set_reg(VMCTX, CTX_TOP);
        m.set_reg(MEMORY_BASE_REG, MEMORY_AT);
        m.set_reg(MEMORY_SIZE_REG, pages * PAGE_SIZE);
        Ok(SandboxedInstance { compiled, machine: m, config, pages, max_pages, last_called: None, call_sp: 0 })
    }

    /// The compiled module.
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Sets up a call of function `f` with `args`.
    pub fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError> {
        let (Some(ty), Some(info)) = (self.compiled.func_type(f), self.compiled.funcs.get(f as usize)) else {
            return Err(InstantiateError::NoFunction(f));
        };
        if ty.params.len() != args.len() {
            return Err(InstantiateError::Arity { function: f, params: ty.params.len() });
        }
        let extra = ty.params.len().max(ty.results.len()).saturating_sub(ARGS.len()) as u64;
        let sp = (CTX_TOP + self.config.stack_size - 8 * extra) & !15;
        self.call_sp = sp;
        let m = &mut self.machine;
        m.set_reg(SP, sp);
        m.set_reg(RA, RETURN);
        m.set_reg(VMCTX, CTX_TOP);
        for (i, (&v, &t)) in args.iter().zip(&ty.params).enumerate() {
            let v = canonical(t, v);
            match ARGS.get(i) {
                Some(&r) => m.set_reg(r, v),
                None => m.write_u64(sp + 8 * (i - ARGS.len()) as u64, v).map_err(InstantiateError::Machine)?,
            }
        }
        m.set_pc(CODE_AT + info.offset);
        self.last_called = Some(f);
        Ok(())
    }

    /// Runs at most `budget` instructions.
    pub fn run(&mut self, budget: u64) -> Event {
        let start = self.machine.instret();
        loop {
            let used = self.machine.instret() - start;
            match self.machine.run(budget.saturating_sub(used)) {
                Exit::BudgetExhausted => return Event::BudgetExhausted,
                Exit::Ebreak => return Event::Trap(Trap::BadEcall(u64::MAX)),
                // Bounds are checked by the code: any fault is the compiler's.
                Exit::Trap(t) => return Event::Trap(Trap::Machine(t)),
                Exit::Ecall => {
                    let pc = self.machine.pc();
                    if pc == RETURN + 4 {
                        return Event::Returned;
                    }
                    let a7 = self.machine.reg(ECALL_NUMBER);
                    if pc != ENTRY + 4 {
                        return Event::Trap(Trap::BadEcall(a7));
                    }
                    match Service::from_a7(a7) {
                        Some(Service::Trap) => {
                            let code = self.machine.reg(Reg::A0);
                            return Event::Trap(match TrapCode::from_u64(code) {
                                Some(c) => Trap::Wasm(c),
                                None => Trap::BadEcall(a7),
                            });
                        }
                        Some(Service::MemoryGrow) => {
                            let delta = self.machine.reg(Reg::A0) as u32 as u64;
                            let r = self.grow(delta);
                            self.machine.set_reg(Reg::A0, r);
                        }
                        None => {
                            let n = a7 as i64;
                            if let Ok(h) = u32::try_from(a7) {
                                return Event::Host(h);
                            }
                            if n <= abi::FOREIGN_IMPORT && n > abi::FOREIGN_IMPORT - (1 << 20) {
                                return Event::Foreign((abi::FOREIGN_IMPORT - n) as u32);
                            }
                            return Event::Trap(Trap::BadEcall(a7));
                        }
                    }
                }
            }
        }
    }

    /// `memory.grow`: the old size in pages, or `-1` (sign-extended) if it cannot grow.
    fn grow(&mut self, delta: u64) -> u64 {
        let old = self.pages;
        let new = old + delta;
        if self.compiled.memory.is_none() || new > self.max_pages {
            return u64::MAX;
        }
        if delta == 0 {
            return old;
        }
        let ok = if old == 0 {
            self.machine.map(MEMORY_AT, new * PAGE_SIZE, Perm::RW, &[]).is_ok()
        } else {
            self.machine.resize(MEMORY_AT, new * PAGE_SIZE).is_ok()
        };
        if !ok {
            return u64::MAX;
        }
        self.pages = new;
        let w = |m: &mut Machine, off: i64, v: u64| m.write_u64(CTX_TOP.wrapping_add(off as u64), v);
        if w(&mut self.machine, vmctx::MEMORY_BYTES, new * PAGE_SIZE).is_err()
            || w(&mut self.machine, vmctx::MEMORY_PAGES, new).is_err()
        {
            return u64::MAX;
        }
        self.machine.set_reg(MEMORY_SIZE_REG, new * PAGE_SIZE);
        old
    }

    /// Whether both canaries around the memory still hold only [`CANARY_BYTE`].
    pub fn canaries_intact(&self) -> bool {
        let below = self.machine.region(MEMORY_AT - CANARY);
        let above = self.machine.region(MEMORY_AT + self.max_pages * PAGE_SIZE);
        [below, above].iter().all(|r| r.is_some_and(|b| b.iter().all(|&x| x == CANARY_BYTE)))
    }

    /// The results of the function that returned, per its type (`i32` zero-extended).
    pub fn results(&self) -> Vec<u64> {
        let Some(ty) = self.last_called.and_then(|f| self.compiled.func_type(f)) else {
            return Vec::new();
        };
        ty.results
            .iter()
            .enumerate()
            .map(|(j, &t)| {
                let v = match ARGS.get(j) {
                    Some(&r) => self.machine.reg(r),
                    None => self.machine.read_u64(self.call_sp + 8 * (j - ARGS.len()) as u64).unwrap_or(0),
                };
                if t == ValType::I32 {
                    v as u32 as u64
                } else {
                    v
                }
            })
            .collect()
    }

    /// The six argument registers of a host call.
    pub fn host_args(&self) -> [u64; 6] {
        core::array::from_fn(|i| self.machine.reg(ARGS[i]))
    }

    /// Writes a host function's result (`a0`).
    pub fn set_host_result(&mut self, v: u64) {
        self.machine.set_reg(Reg::A0, v);
    }

    /// The `n` arguments of a foreign call (registers, then the stack).
    pub fn args(&self, n: usize) -> Vec<u64> {
        let sp = self.machine.reg(SP);
        (0..n)
            .map(|i| match ARGS.get(i) {
                Some(&r) => self.machine.reg(r),
                None => self.machine.read_u64(sp + 8 * (i - ARGS.len()) as u64).unwrap_or(0),
            })
            .collect()
    }

    /// Writes the results of a foreign call, typed by `types`.
    pub fn set_results(&mut self, types: &[ValType], values: &[u64]) {
        let sp = self.machine.reg(SP);
        for (j, (&t, &v)) in types.iter().zip(values).enumerate() {
            let v = canonical(t, v);
            match ARGS.get(j) {
                Some(&r) => self.machine.set_reg(r, v),
                None => {
                    let _ = self.machine.write_u64(sp + 8 * (j - ARGS.len()) as u64, v);
                }
            }
        }
    }

    /// The gas register.
    pub fn gas(&self) -> i64 {
        self.machine.reg(GAS) as i64
    }

    /// Sets the gas register.
    pub fn set_gas(&mut self, gas: i64) {
        self.machine.set_reg(GAS, gas as u64);
    }

    /// The linear memory.
    pub fn memory(&self) -> &[u8] {
        if self.pages == 0 {
            return &[];
        }
        self.machine.region(MEMORY_AT).unwrap_or(&[])
    }

    /// The linear memory, writable.
    pub fn memory_mut(&mut self) -> &mut [u8] {
        if self.pages == 0 {
            return &mut [];
        }
        self.machine.region_mut(MEMORY_AT).unwrap_or(&mut [])
    }

    /// The current value of global `g` (`i32` zero-extended).
    pub fn global(&self, g: u32) -> Option<u64> {
        let def = self.compiled.globals.get(g as usize)?;
        let v = if Some(g) == self.compiled.gas_global {
            self.machine.reg(GAS)
        } else {
            let off = self.compiled.vmctx.global(g);
            self.machine.read_u64(CTX_TOP.wrapping_add(off as u64)).ok()?
        };
        Some(if def.ty == ValType::I32 { v as u32 as u64 } else { v })
    }

    /// Sets mutable global `g`; `false` if the module has no such mutable global.
    pub fn set_global(&mut self, g: u32, v: u64) -> bool {
        let Some(def) = self.compiled.globals.get(g as usize) else {
            return false;
        };
        if !def.mutable {
            return false;
        }
        let v = canonical(def.ty, v);
        if Some(g) == self.compiled.gas_global {
            self.machine.set_reg(GAS, v);
            return true;
        }
        let off = self.compiled.vmctx.global(g);
        self.machine.write_u64(CTX_TOP.wrapping_add(off as u64), v).is_ok()
    }

    /// A function reference's value here (its descriptor's address).
    pub fn func_ref(&self, f: u32) -> u64 {
        CODE_AT + self.compiled.rodata_offset + DESCRIPTOR_SIZE * u64::from(f)
    }

    /// Instructions executed so far.
    pub fn instret(&self) -> u64 {
        self.machine.instret()
    }

    /// The machine.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }
}

/// The value of a constant initializer given the globals so far.
fn eval(init: ConstInit, globals: &[u64], rodata_at: u64) -> u64 {
    match init {
        ConstInit::Value(v) => v as u64,
        ConstInit::Global(g) => globals.get(g as usize).copied().unwrap_or(0),
        ConstInit::RefNull => 0,
        ConstInit::RefFunc(f) => rodata_at + DESCRIPTOR_SIZE * u64::from(f),
    }
}
