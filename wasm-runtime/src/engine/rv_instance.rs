//! Running compiled code: an [`Instance`] is an RV64IM machine ([`rv_machine`]) with a
//! module compiled by [`rv_backend`] mapped on it (code, read-only data, VM context, stack,
//! table, memory) as the compiled artifact's layout contract ([`rv_backend::abi`]) says, its
//! globals and segments initialized, on which exported functions are called.
//!
//! The embedder drives it: [`Instance::call`] sets up a call, [`Instance::run`] runs until
//! something needs the embedder ([`Event`]): a host function (`ecall` with a host-function
//! number), a foreign import, a trap, or the return. Memory growth is served inside. The rv
//! engine ([`super::rv`]) is the embedder for contracts; tests drive instances directly.
//!
//! ```
//! use wasm_runtime::engine::rv_instance::{Event, Instance};
//!
//! let wasm = wat::parse_str(r#"(module
//!     (func (export "add") (param i32 i32) (result i32)
//!         (i32.add (local.get 0) (local.get 1))))"#).unwrap();
//! let compiled = rv_backend::compile(&wasm).unwrap();
//! let f = compiled.exported_func("add").unwrap();
//! let mut inst = Instance::new(&compiled, Default::default(), &Default::default()).unwrap();
//! inst.call(f, &[40, 2]).unwrap();
//! assert_eq!(inst.run(1_000), Event::Returned);
//! assert_eq!(inst.results(), vec![42]);
//! ```

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::fmt;

use rv_machine::{CodeImage, Exit, Machine, Perm};

use rv_backend::abi::{
    self, vmctx, Service, TrapCode, CODE_BASE, DESCRIPTOR_SIZE, MEMORY_BASE, PAGE_SIZE, RODATA_BASE, STACK_BASE,
    TABLE_BASE, VMCTX_TOP,
};
use rv_backend::regs::{Reg, ARGS, ECALL_NUMBER, GAS, RA, SP, VMCTX};
use rv_backend::{Compiled, ConstInit, Limits, SegmentInfo, SegmentMode, ValType};

/// Limits of an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The memory never grows past this many pages (nor past its declared maximum).
    pub max_memory_pages: u64,
    /// The table never grows past this many entries (nor past its declared maximum).
    pub max_table_entries: u64,
    /// Bytes of stack for compiled code (bounds recursion).
    pub stack_size: u64,
    /// Keep the machine's per-instruction histogram.
    pub histogram: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_memory_pages: u64::from(host_abi::limits::MAX_MEMORY_PAGES),
            max_table_entries: u64::from(host_abi::limits::MAX_TABLE_SIZE),
            stack_size: abi::DEFAULT_STACK_SIZE,
            histogram: false,
        }
    }
}

/// What the embedder supplies for a module's imports other than functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imports<'a> {
    /// Values of the imported globals, in order.
    pub globals: &'a [u64],
    /// For an imported memory: the limits of the memory the exporter has (the instance
    /// makes a fresh one of that shape; memories are not shared).
    pub memory: Option<Limits>,
    /// For an imported table: the limits of the exporter's table (fresh, not shared).
    pub table: Option<Limits>,
}

/// Why compiled code stopped with a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    /// A WebAssembly trap.
    Wasm(TrapCode),
    /// The machine faulted outside the linear memory, or an ecall the ABI does not define:
    /// a compiler bug, never the contract's fault.
    Machine(rv_machine::Trap),
    /// An `ecall` with a number that is neither a service nor a host function nor an import.
    BadEcall(u64),
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Wasm(c) => write!(f, "{c}"),
            Trap::Machine(t) => write!(f, "compiled code faulted: {t}"),
            Trap::BadEcall(n) => write!(f, "compiled code made an unknown ecall {n:#x}"),
        }
    }
}

/// Why [`Instance::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The called function returned: read [`Instance::results`].
    Returned,
    /// A host function: number `n` (arguments from [`Instance::host_args`]); answer with
    /// [`Instance::set_host_result`] and run again.
    Host(u32),
    /// Foreign import `k` (arguments from [`Instance::args`]); answer with
    /// [`Instance::set_results`] and run again.
    Foreign(u32),
    /// A trap; the call is over.
    Trap(Trap),
    /// The instruction budget ran out (run again to go on).
    BudgetExhausted,
}

/// Why instantiation (or setting up a call) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstantiateError {
    /// A segment does not fit (a trap of instantiation).
    Trap(TrapCode),
    /// The memory's initial size passes its maximum (the module's, the configuration's or
    /// the address space's).
    MemoryTooLarge {
        /// Initial pages.
        pages: u64,
        /// The maximum.
        limit: u64,
    },
    /// The table's initial size passes its maximum.
    TableTooLarge {
        /// Initial entries.
        entries: u64,
        /// The maximum.
        limit: u64,
    },
    /// An imported global has no value among the imports.
    MissingGlobal,
    /// An active segment's bytes are not in the read-only data.
    SegmentOutsideRodata,
    /// The machine refused to map or write a region.
    Machine(rv_machine::Error),
    /// There is no function with this index.
    NoFunction(u32),
    /// A function called with another number of arguments than it takes.
    Arity {
        /// The function.
        function: u32,
        /// The arguments it takes.
        params: usize,
    },
}

impl fmt::Display for InstantiateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Trap(c) => write!(f, "instantiation trapped: {c}"),
            Self::MemoryTooLarge { pages, limit } => write!(f, "memory of {pages} pages over the limit of {limit}"),
            Self::TableTooLarge { entries, limit } => write!(f, "table of {entries} entries over the limit of {limit}"),
            Self::MissingGlobal => f.write_str("missing value of an imported global"),
            Self::SegmentOutsideRodata => f.write_str("a segment lies outside the read-only data"),
            Self::Machine(e) => write!(f, "{e}"),
            Self::NoFunction(i) => write!(f, "no function {i}"),
            Self::Arity { function, params } => write!(f, "function {function} takes {params} arguments"),
        }
    }
}

/// Sign-extends an `i32` value to the register convention.
fn canonical(ty: ValType, v: u64) -> u64 {
    match ty {
        ValType::I32 => i64::from(v as u32 as i32) as u64,
        ValType::I64 | ValType::FuncRef => v,
    }
}

/// What instantiation computes from the module, the configuration and the imports alone:
/// sizes, the VM context's first bytes, the active segments to apply.
#[derive(Clone, Debug)]
struct Layout {
    pages: u64,
    max_pages: u64,
    table_size: u64,
    table_max: u64,
    /// The VM context as instantiation leaves it (mapped below [`VMCTX_TOP`]).
    ctx: Vec<u8>,
    /// Active segments in order, elements then data: (is an element segment, offset, segment).
    actions: Vec<(bool, u64, SegmentInfo)>,
}

impl Layout {
    fn new(compiled: &Compiled, config: &Config, imports: &Imports<'_>) -> Result<Self, InstantiateError> {
        let (mut pages, mut max_pages) = (0, 0);
        if let Some(mem) = imports.memory.or(compiled.memory) {
            max_pages = mem.maximum.unwrap_or(u64::MAX).min(config.max_memory_pages).min(abi::MAX_MEMORY_PAGES);
            if mem.initial > max_pages {
                return Err(InstantiateError::MemoryTooLarge { pages: mem.initial, limit: max_pages });
            }
            pages = mem.initial;
        }
        let (mut table_size, mut table_max) = (0, 0);
        if let Some(t) = imports.table.or(compiled.table) {
            table_max = t.maximum.unwrap_or(u64::MAX).min(config.max_table_entries).min(u32::MAX.into());
            if t.initial > table_max {
                return Err(InstantiateError::TableTooLarge { entries: t.initial, limit: table_max });
            }
            table_size = t.initial;
        }
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
        // Globals.
        let mut values: Vec<u64> = Vec::with_capacity(compiled.globals.len());
        let mut imported = imports.globals.iter();
        for g in &compiled.globals {
            let v = match g.init {
                None => match imported.next() {
                    Some(&v) => canonical(g.ty, v),
                    None => return Err(InstantiateError::MissingGlobal),
                },
                Some(init) => eval(init, &values),
            };
            values.push(v);
        }
        for (g, &v) in values.iter().enumerate() {
            put(layout.global(g as u32), v);
        }
        let mut actions = Vec::new();
        for (k, s) in compiled.elems.iter().enumerate() {
            let rec = layout.elem_record(k as u32);
            put(rec, RODATA_BASE + s.rodata_offset);
            if s.mode == SegmentMode::Passive {
                put(rec + 8, s.len);
            }
            if let SegmentMode::Active(at) = s.mode {
                actions.push((true, eval(at, &values) as u32 as u64, *s));
            }
        }
        for (k, s) in compiled.datas.iter().enumerate() {
            let rec = layout.data_record(k as u32);
            put(rec, RODATA_BASE + s.rodata_offset);
            if s.mode == SegmentMode::Passive {
                put(rec + 8, s.len);
            }
            if let SegmentMode::Active(at) = s.mode {
                actions.push((false, eval(at, &values) as u32 as u64, *s));
            }
        }
        Ok(Layout { pages, max_pages, table_size, table_max, ctx, actions })
    }
}

/// A compiled module made ready, once, to be instantiated many times with one configuration
/// and one set of imports: its code predecoded, its read-only data shared, its VM context and
/// segments laid out. [`Instance::from_image`] maps it without copying or predecoding the
/// code, and maps the stack and table lazily, so a new instance costs the same whatever the
/// size of the module's code (only its VM context, its initial memory and its active segments
/// are written).
pub struct Image {
    compiled: Compiled,
    config: Config,
    layout: Layout,
    code: CodeImage,
    rodata: Option<Rc<[u8]>>,
}

impl Image {
    /// Prepares `compiled` for instances with `config` and `imports`.
    pub fn new(compiled: Compiled, config: Config, imports: &Imports<'_>) -> Result<Self, InstantiateError> {
        let layout = Layout::new(&compiled, &config, imports)?;
        let code = CodeImage::new(&compiled.code);
        let rodata = (!compiled.rodata.is_empty()).then(|| Rc::from(compiled.rodata.as_slice()));
        Ok(Image { compiled, config, layout, code, rodata })
    }

    /// The compiled module.
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// The configuration instances get.
    pub fn config(&self) -> Config {
        self.config
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image").field("code", &self.code).field("config", &self.config).finish_non_exhaustive()
    }
}

/// The compiled module an instance runs: borrowed from the embedder, or shared with the
/// [`Image`] it was made from (then the instance owns what it needs and can be kept anywhere,
/// e.g. on a stack of suspended call frames).
enum Source<'c> {
    Borrowed(&'c Compiled),
    Shared(Rc<Image>),
}

impl Source<'_> {
    fn get(&self) -> &Compiled {
        match self {
            Source::Borrowed(c) => c,
            Source::Shared(image) => &image.compiled,
        }
    }
}

/// A compiled module on a machine.
pub struct Instance<'c> {
    compiled: Source<'c>,
    machine: Machine,
    config: Config,
    pages: u64,
    max_pages: u64,
    /// The function called last.
    last_called: Option<u32>,
    /// `sp` at the call.
    call_sp: u64,
}

impl<'c> Instance<'c> {
    /// Maps `compiled` on a new machine and initializes it (predecoding its code: to
    /// instantiate a module many times, make an [`Image`] once and use [`Self::from_image`]).
    pub fn new(compiled: &'c Compiled, config: Config, imports: &Imports<'_>) -> Result<Self, InstantiateError> {
        let layout = Layout::new(compiled, &config, imports)?;
        let code = CodeImage::new(&compiled.code);
        let rodata = (!compiled.rodata.is_empty()).then(|| Rc::from(compiled.rodata.as_slice()));
        Self::instantiate(Source::Borrowed(compiled), config, &layout, &code, rodata)
    }

    /// A new instance of `image`: its code and read-only data are mapped, not copied. The
    /// instance holds the image (a reference count), so it borrows nothing.
    pub fn from_image(image: &Rc<Image>) -> Result<Instance<'static>, InstantiateError> {
        let (config, rodata) = (image.config, image.rodata.clone());
        Instance::instantiate(Source::Shared(image.clone()), config, &image.layout, &image.code, rodata)
    }

    fn instantiate(
        compiled: Source<'c>,
        config: Config,
        layout: &Layout,
        code: &CodeImage,
        rodata: Option<Rc<[u8]>>,
    ) -> Result<Self, InstantiateError> {
        let mut m = Machine::new(rv_machine::Config { histogram: config.histogram, max_memory: 16 << 30 });
        let err = InstantiateError::Machine;
        if code.bytes().is_empty() {
            m.map(CODE_BASE, 4, Perm::X, &[]).map_err(err)?;
        } else {
            m.map_code(CODE_BASE, Perm::X, code).map_err(err)?;
        }
        if let Some(bytes) = &rodata {
            m.map_shared(RODATA_BASE, Perm::R, bytes.clone()).map_err(err)?;
        }
        // The stack and the table cost what compiled code touches of them.
        m.map_lazy(STACK_BASE, config.stack_size, Perm::RW).map_err(err)?;
        let Layout { pages, max_pages, table_size, table_max, .. } = *layout;
        if pages > 0 {
            m.map(MEMORY_BASE, pages * PAGE_SIZE, Perm::RW, &[]).map_err(err)?;
        }
        if table_max > 0 {
            m.map_lazy(TABLE_BASE, table_max * 8, Perm::RW).map_err(err)?;
        }
        let size = layout.ctx.len() as u64;
        m.map(VMCTX_TOP - size, size, Perm::RW, &layout.ctx).map_err(err)?;
        // Active segments, in order: elements, then data.
        let rodata: &[u8] = rodata.as_deref().unwrap_or(&[]);
        for &(elem, at, s) in &layout.actions {
            let (bound, unit, base, trap) = if elem {
                (table_size, 8, TABLE_BASE, TrapCode::TableOutOfBounds)
            } else {
                (pages * PAGE_SIZE, 1, MEMORY_BASE, TrapCode::MemoryOutOfBounds)
            };
            if at + s.len > bound {
                return Err(InstantiateError::Trap(trap));
            }
            if s.len > 0 {
                let from = s.rodata_offset as usize;
                let bytes =
                    rodata.get(from..from + (s.len * unit) as usize).ok_or(InstantiateError::SegmentOutsideRodata)?;
                m.write_bytes(base + at * unit, bytes).map_err(err)?;
            }
        }
        m.set_reg(VMCTX, VMCTX_TOP);
        Ok(Instance { compiled, machine: m, config, pages, max_pages, last_called: None, call_sp: 0 })
    }

    /// The compiled module.
    pub fn compiled(&self) -> &Compiled {
        self.compiled.get()
    }

    /// Sets up a call of function `f` with `args` (`i32` values may be given either
    /// sign- or zero-extended). Run it with [`Self::run`].
    pub fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError> {
        let (Some(ty), Some(entry)) = (self.compiled.get().func_type(f), self.compiled.get().entry(f)) else {
            return Err(InstantiateError::NoFunction(f));
        };
        if ty.params.len() != args.len() {
            return Err(InstantiateError::Arity { function: f, params: ty.params.len() });
        }
        let extra = ty.params.len().max(ty.results.len()).saturating_sub(ARGS.len()) as u64;
        let sp = (STACK_BASE + self.config.stack_size - 8 * extra) & !15;
        self.call_sp = sp;
        let m = &mut self.machine;
        m.set_reg(SP, sp);
        m.set_reg(RA, CODE_BASE);
        m.set_reg(VMCTX, VMCTX_TOP);
        for (i, (&v, &t)) in args.iter().zip(&ty.params).enumerate() {
            let v = canonical(t, v);
            match ARGS.get(i) {
                Some(&r) => m.set_reg(r, v),
                None => m.write_u64(sp + 8 * (i - ARGS.len()) as u64, v).map_err(InstantiateError::Machine)?,
            }
        }
        m.set_pc(entry);
        self.last_called = Some(f);
        Ok(())
    }

    /// Runs at most `budget` instructions.
    pub fn run(&mut self, budget: u64) -> Event {
        let start = self.machine.instret();
        loop {
            let used = self.machine.instret() - start;
            let exit = self.machine.run(budget.saturating_sub(used));
            match exit {
                Exit::BudgetExhausted => return Event::BudgetExhausted,
                Exit::Ebreak => return Event::Trap(Trap::BadEcall(u64::MAX)),
                Exit::Trap(t) => {
                    let oob = match t {
                        rv_machine::Trap::LoadFault { addr, .. } | rv_machine::Trap::StoreFault { addr, .. } => {
                            addr < abi::GUARD_END
                        }
                        _ => false,
                    };
                    return Event::Trap(if oob { Trap::Wasm(TrapCode::MemoryOutOfBounds) } else { Trap::Machine(t) });
                }
                Exit::Ecall => {
                    if self.machine.pc() == abi::RETURN_STUB + 4 {
                        return Event::Returned;
                    }
                    let a7 = self.machine.reg(ECALL_NUMBER);
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
        if self.compiled.get().memory.is_none() || new > self.max_pages {
            return u64::MAX;
        }
        if delta == 0 {
            return old;
        }
        let ok = if old == 0 {
            self.machine.map(MEMORY_BASE, new * PAGE_SIZE, Perm::RW, &[]).is_ok()
        } else {
            self.machine.resize(MEMORY_BASE, new * PAGE_SIZE).is_ok()
        };
        if !ok {
            return u64::MAX;
        }
        self.pages = new;
        let w = |m: &mut Machine, off: i64, v: u64| m.write_u64(VMCTX_TOP.wrapping_add(off as u64), v);
        if w(&mut self.machine, vmctx::MEMORY_BYTES, new * PAGE_SIZE).is_err()
            || w(&mut self.machine, vmctx::MEMORY_PAGES, new).is_err()
        {
            return u64::MAX;
        }
        old
    }

    /// The results of the function that returned, per its type (`i32` zero-extended).
    pub fn results(&self) -> Vec<u64> {
        let Some(ty) = self.last_called.and_then(|f| self.compiled.get().func_type(f)) else {
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
        self.machine.region(MEMORY_BASE).unwrap_or(&[])
    }

    /// The linear memory, writable.
    pub fn memory_mut(&mut self) -> &mut [u8] {
        self.machine.region_mut(MEMORY_BASE).unwrap_or(&mut [])
    }

    /// The current value of global `g` (`i32` zero-extended).
    pub fn global(&self, g: u32) -> Option<u64> {
        let def = self.compiled.get().globals.get(g as usize)?;
        let v = if Some(g) == self.compiled.get().gas_global {
            self.machine.reg(GAS)
        } else {
            let off = self.compiled.get().vmctx.global(g);
            self.machine.read_u64(VMCTX_TOP.wrapping_add(off as u64)).ok()?
        };
        Some(if def.ty == ValType::I32 { v as u32 as u64 } else { v })
    }

    /// Sets mutable global `g` (an `i32` value may be given sign- or zero-extended); `false`
    /// if the module has no such mutable global.
    pub fn set_global(&mut self, g: u32, v: u64) -> bool {
        let Some(def) = self.compiled.get().globals.get(g as usize) else {
            return false;
        };
        if !def.mutable {
            return false;
        }
        let v = canonical(def.ty, v);
        if Some(g) == self.compiled.get().gas_global {
            self.machine.set_reg(GAS, v);
            return true;
        }
        let off = self.compiled.get().vmctx.global(g);
        self.machine.write_u64(VMCTX_TOP.wrapping_add(off as u64), v).is_ok()
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
fn eval(init: ConstInit, globals: &[u64]) -> u64 {
    match init {
        ConstInit::Value(v) => v as u64,
        ConstInit::Global(g) => globals.get(g as usize).copied().unwrap_or(0),
        ConstInit::RefNull => 0,
        ConstInit::RefFunc(f) => RODATA_BASE + DESCRIPTOR_SIZE * u64::from(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Instances of one image map the same code and read-only data (no copy, no second
    /// predecoding), commit no stack before they run, and each runs on its own state.
    #[test]
    fn instances_of_an_image_share_its_code() {
        let wasm = wat::parse_str(
            r#"(module
                (memory 1 1) (data (i32.const 8) "\2a")
                (global $n (mut i32) (i32.const 0))
                (table 2 funcref) (elem (i32.const 0) $f $f)
                (func $f (result i32) (i32.load8_u (i32.const 8)))
                (func (export "run") (result i32)
                    (global.set $n (i32.add (global.get $n) (i32.const 1)))
                    (i32.add (call_indirect (result i32) (i32.const 1)) (global.get $n))))"#,
        )
        .unwrap();
        let compiled = rv_backend::compile(&wasm).unwrap();
        let run = compiled.exported_func("run").unwrap();
        let image = Rc::new(Image::new(compiled, Config::default(), &Imports::default()).unwrap());
        let mut a = Instance::from_image(&image).unwrap();
        let mut b = Instance::from_image(&image).unwrap();
        let at = |i: &Instance<'_>, base| i.machine().region(base).map(<[u8]>::as_ptr);
        assert_eq!(at(&a, CODE_BASE), at(&b, CODE_BASE));
        assert_eq!(at(&a, RODATA_BASE), at(&b, RODATA_BASE));
        assert!(at(&a, CODE_BASE).is_some());
        assert_eq!(at(&a, STACK_BASE), None, "no stack committed before a call");
        let call = |inst: &mut Instance<'_>| {
            inst.call(run, &[]).unwrap();
            assert_eq!(inst.run(10_000), Event::Returned);
            inst.results()
        };
        assert_eq!(call(&mut a), [43]);
        assert_eq!(call(&mut a), [44]);
        assert_eq!(call(&mut b), [43], "a global of its own");
    }
}
