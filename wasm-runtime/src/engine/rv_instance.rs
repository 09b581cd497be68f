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
//! One [`RvInstance`] serves both compile modes: [`Instance`] runs the default mode's code at
//! the addresses [`rv_backend::abi`] fixes, [`SandboxedInstance`] the sandboxed mode's at
//! other addresses ([`super::rv_sandboxed`]); a `Placement` says where each region goes.
//!
//! [`SandboxedInstance`]: super::rv_sandboxed::SandboxedInstance
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
    self, vmctx, Service, TrapCode, CODE_BASE, DESCRIPTOR_SIZE, MEMORY_BASE, MEMORY_BASE_REG, MEMORY_SIZE_REG,
    PAGE_SIZE, RETURN_STUB, RODATA_BASE, TABLE_BASE, VMCTX_TOP,
};
use rv_backend::regs::{Reg, ARGS, ECALL_NUMBER, GAS, RA, SP, VMCTX};
use rv_backend::{Compiled, ConstInit, Limits, SegmentInfo, SegmentMode, ValType};

use super::rv_sandboxed;

/// An instance of a module compiled in the default mode.
pub type Instance<'c> = RvInstance<'c, false>;

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
    /// Inside the kernel: the platform could not install the compiled code (or none is
    /// installed).
    NotInstalled,
    /// Inside the kernel: the arena has no room for the instance.
    OutOfArena,
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
            Self::NotInstalled => f.write_str("the platform did not install the compiled code"),
            Self::OutOfArena => f.write_str("the kernel's arena for instances is full"),
            Self::Arity { function, params } => write!(f, "function {function} takes {params} arguments"),
        }
    }
}

/// Sign-extends an `i32` value to the register convention.
pub(super) fn canonical(ty: ValType, v: u64) -> u64 {
    match ty {
        ValType::I32 => i64::from(v as u32 as i32) as u64,
        ValType::I64 | ValType::FuncRef => v,
    }
}

/// Where an instance's regions go and where its calls return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Placement {
    /// The code.
    pub(super) code: u64,
    /// The read-only data.
    pub(super) rodata: u64,
    /// The table.
    pub(super) table: u64,
    /// The VM context's top (`tp`); the stack lies above it.
    pub(super) vmctx: u64,
    /// The linear memory.
    pub(super) memory: u64,
    /// The return address of calls: an `ecall`, the machine stops after it (in the
    /// kernel: the code that switches back to it).
    pub(super) ret: u64,
    /// Sandboxed mode: the address in the VM context's [`vmctx::ENTRY`] slot.
    pub(super) entry: u64,
}

impl Placement {
    /// The default mode's addresses ([`rv_backend::abi`]).
    const DEFAULT: Placement = Placement {
        code: CODE_BASE,
        rodata: RODATA_BASE,
        table: TABLE_BASE,
        vmctx: VMCTX_TOP,
        memory: MEMORY_BASE,
        ret: RETURN_STUB,
        entry: 0,
    };

    /// Where a module compiled in the default or the sandboxed mode goes.
    fn of<const SANDBOXED: bool>(compiled: &Compiled) -> Placement {
        if SANDBOXED {
            rv_sandboxed::placement(compiled)
        } else {
            Placement::DEFAULT
        }
    }
}

/// What instantiation computes from the module, the configuration, the imports and the
/// placement alone: sizes, the VM context's first bytes, the active segments to apply.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    pub(super) pages: u64,
    pub(super) max_pages: u64,
    pub(super) table_size: u64,
    pub(super) table_max: u64,
    /// The VM context as instantiation leaves it (mapped below the placement's `vmctx`).
    pub(super) ctx: Vec<u8>,
    /// Active segments in order, elements then data: (is an element segment, offset, segment).
    pub(super) actions: Vec<(bool, u64, SegmentInfo)>,
}

impl Layout {
    pub(super) fn new(
        compiled: &Compiled,
        config: &Config,
        imports: &Imports<'_>,
        place: &Placement,
        sandboxed: bool,
    ) -> Result<Self, InstantiateError> {
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
        if sandboxed {
            put(vmctx::ENTRY, place.entry);
            put(vmctx::TABLE_ADDR, place.table);
            put(vmctx::RODATA_ADDR, place.rodata);
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
                Some(init) => eval(init, &values, place.rodata),
            };
            values.push(v);
        }
        for (g, &v) in values.iter().enumerate() {
            put(layout.global(g as u32), v);
        }
        let mut actions = Vec::new();
        for (k, s) in compiled.elems.iter().enumerate() {
            let rec = layout.elem_record(k as u32);
            put(rec, place.rodata + s.rodata_offset);
            if s.mode == SegmentMode::Passive {
                put(rec + 8, s.len);
            }
            if let SegmentMode::Active(at) = s.mode {
                actions.push((true, eval(at, &values, place.rodata) as u32 as u64, *s));
            }
        }
        for (k, s) in compiled.datas.iter().enumerate() {
            let rec = layout.data_record(k as u32);
            put(rec, place.rodata + s.rodata_offset);
            if s.mode == SegmentMode::Passive {
                put(rec + 8, s.len);
            }
            if let SegmentMode::Active(at) = s.mode {
                actions.push((false, eval(at, &values, place.rodata) as u32 as u64, *s));
            }
        }
        Ok(Layout { pages, max_pages, table_size, table_max, ctx, actions })
    }
}

/// A compiled module made ready, once, to be instantiated many times with one configuration
/// and one set of imports: its code predecoded, its read-only data shared, its VM context and
/// segments laid out. [`RvInstance::from_image`] maps it without copying or predecoding the
/// code, and maps the stack and table lazily, so a new instance costs the same whatever the
/// size of the module's code (only its VM context, its initial memory and its active segments
/// are written). `SANDBOXED`: for [`SandboxedInstance`]s.
///
/// [`SandboxedInstance`]: rv_sandboxed::SandboxedInstance
pub struct Image<const SANDBOXED: bool = false> {
    compiled: Compiled,
    config: Config,
    parts: Parts,
}

/// What instances of a module share: its placement, layout, predecoded code and read-only
/// data (rebased to the placement).
struct Parts {
    place: Placement,
    layout: Layout,
    code: CodeImage,
    rodata: Option<Rc<[u8]>>,
}

impl Parts {
    fn new<const SANDBOXED: bool>(
        compiled: &Compiled,
        config: &Config,
        imports: &Imports<'_>,
    ) -> Result<Self, InstantiateError> {
        let place = Placement::of::<SANDBOXED>(compiled);
        let layout = Layout::new(compiled, config, imports, &place, SANDBOXED)?;
        let code = CodeImage::new(&compiled.code);
        let rodata = (!compiled.rodata.is_empty()).then(|| Rc::from(compiled.rebased_rodata(place.code)));
        Ok(Parts { place, layout, code, rodata })
    }
}

impl<const SANDBOXED: bool> Image<SANDBOXED> {
    /// Prepares `compiled` for instances with `config` and `imports`.
    pub fn new(compiled: Compiled, config: Config, imports: &Imports<'_>) -> Result<Self, InstantiateError> {
        let parts = Parts::new::<SANDBOXED>(&compiled, &config, imports)?;
        Ok(Image { compiled, config, parts })
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

impl<const SANDBOXED: bool> fmt::Debug for Image<SANDBOXED> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image").field("code", &self.parts.code).field("config", &self.config).finish_non_exhaustive()
    }
}

/// The compiled module an instance runs: borrowed from the embedder, or shared with the
/// [`Image`] it was made from (then the instance owns what it needs and can be kept anywhere,
/// e.g. on a stack of suspended call frames).
enum Source<'c, const SANDBOXED: bool> {
    Borrowed(&'c Compiled),
    Shared(Rc<Image<SANDBOXED>>),
}

impl<const SANDBOXED: bool> Source<'_, SANDBOXED> {
    fn get(&self) -> &Compiled {
        match self {
            Source::Borrowed(c) => c,
            Source::Shared(image) => &image.compiled,
        }
    }
}

/// A compiled module on a machine: [`Instance`] for the default mode, [`SandboxedInstance`]
/// (`SANDBOXED`) for the sandboxed mode, whose code reaches the embedder by jumping to the VM
/// context's entry, keeps the memory's base and size in registers and checks its own bounds
/// (every machine fault is then the compiler's, never a WebAssembly trap).
///
/// [`SandboxedInstance`]: rv_sandboxed::SandboxedInstance
pub struct RvInstance<'c, const SANDBOXED: bool> {
    compiled: Source<'c, SANDBOXED>,
    pub(super) machine: Machine,
    config: Config,
    pub(super) place: Placement,
    pages: u64,
    pub(super) max_pages: u64,
    /// The function called last.
    last_called: Option<u32>,
    /// `sp` at the call.
    call_sp: u64,
}

impl<'c> Instance<'c> {
    /// Maps `compiled` on a new machine and initializes it (predecoding its code: to
    /// instantiate a module many times, make an [`Image`] once and use [`Self::from_image`]).
    pub fn new(compiled: &'c Compiled, config: Config, imports: &Imports<'_>) -> Result<Self, InstantiateError> {
        Self::borrowing(compiled, config, imports)
    }
}

impl<'c, const SANDBOXED: bool> RvInstance<'c, SANDBOXED> {
    /// Maps `compiled` on a new machine and initializes it.
    pub(super) fn borrowing(
        compiled: &'c Compiled,
        config: Config,
        imports: &Imports<'_>,
    ) -> Result<Self, InstantiateError> {
        let parts = Parts::new::<SANDBOXED>(compiled, &config, imports)?;
        Self::instantiate(Source::Borrowed(compiled), config, &parts)
    }

    /// A new instance of `image`: its code and read-only data are mapped, not copied. The
    /// instance holds the image (a reference count), so it borrows nothing.
    pub fn from_image(image: &Rc<Image<SANDBOXED>>) -> Result<RvInstance<'static, SANDBOXED>, InstantiateError> {
        RvInstance::instantiate(Source::Shared(image.clone()), image.config, &image.parts)
    }

    fn instantiate(compiled: Source<'c, SANDBOXED>, config: Config, parts: &Parts) -> Result<Self, InstantiateError> {
        let Parts { place, ref layout, ref code, ref rodata } = *parts;
        let mut m = Machine::new(rv_machine::Config { histogram: config.histogram, max_memory: 16 << 30 });
        let err = InstantiateError::Machine;
        if SANDBOXED {
            rv_sandboxed::map_stubs(&mut m).map_err(err)?;
        }
        if !code.bytes().is_empty() {
            m.map_code(place.code, Perm::X, code).map_err(err)?;
        } else if !SANDBOXED {
            // The return stub's address stays executable.
            m.map(place.code, 4, Perm::X, &[]).map_err(err)?;
        }
        if let Some(bytes) = rodata {
            m.map_shared(place.rodata, Perm::R, bytes.clone()).map_err(err)?;
        }
        // The stack and the table cost what compiled code touches of them.
        m.map_lazy(place.vmctx, config.stack_size, Perm::RW).map_err(err)?;
        let Layout { pages, max_pages, table_size, table_max, .. } = *layout;
        if SANDBOXED {
            rv_sandboxed::map_canaries(&mut m, place.memory, max_pages).map_err(err)?;
        }
        if pages > 0 {
            m.map(place.memory, pages * PAGE_SIZE, Perm::RW, &[]).map_err(err)?;
        }
        if table_max > 0 {
            m.map_lazy(place.table, table_max * 8, Perm::RW).map_err(err)?;
        }
        let size = layout.ctx.len() as u64;
        m.map(place.vmctx - size, size, Perm::RW, &layout.ctx).map_err(err)?;
        // Active segments, in order: elements, then data.
        let rodata: &[u8] = rodata.as_deref().unwrap_or(&[]);
        for &(elem, at, s) in &layout.actions {
            let (bound, unit, base, trap) = if elem {
                (table_size, 8, place.table, TrapCode::TableOutOfBounds)
            } else {
                (pages * PAGE_SIZE, 1, place.memory, TrapCode::MemoryOutOfBounds)
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
        m.set_reg(VMCTX, place.vmctx);
        if SANDBOXED {
            m.set_reg(MEMORY_BASE_REG, place.memory);
            m.set_reg(MEMORY_SIZE_REG, pages * PAGE_SIZE);
        }
        Ok(RvInstance { compiled, machine: m, config, place, pages, max_pages, last_called: None, call_sp: 0 })
    }

    /// The compiled module.
    pub fn compiled(&self) -> &Compiled {
        self.compiled.get()
    }

    /// Sets up a call of function `f` with `args` (`i32` values may be given either
    /// sign- or zero-extended). Run it with [`Self::run`].
    pub fn call(&mut self, f: u32, args: &[u64]) -> Result<(), InstantiateError> {
        let (Some(ty), Some(info)) = (self.compiled.get().func_type(f), self.compiled.get().funcs.get(f as usize))
        else {
            return Err(InstantiateError::NoFunction(f));
        };
        if ty.params.len() != args.len() {
            return Err(InstantiateError::Arity { function: f, params: ty.params.len() });
        }
        let extra = ty.params.len().max(ty.results.len()).saturating_sub(ARGS.len()) as u64;
        let sp = (self.place.vmctx + self.config.stack_size - 8 * extra) & !15;
        self.call_sp = sp;
        let entry = self.place.code + info.offset;
        let m = &mut self.machine;
        m.set_reg(SP, sp);
        m.set_reg(RA, self.place.ret);
        m.set_reg(VMCTX, self.place.vmctx);
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
                // The sandboxed mode checks its bounds in the code: any fault is the compiler's.
                Exit::Trap(t) if SANDBOXED => return Event::Trap(Trap::Machine(t)),
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
                    let pc = self.machine.pc();
                    if pc == self.place.ret + 4 {
                        return Event::Returned;
                    }
                    let a7 = self.machine.reg(ECALL_NUMBER);
                    if SANDBOXED && pc != rv_sandboxed::ENTRY + 4 {
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
        if self.compiled.get().memory.is_none() || new > self.max_pages {
            return u64::MAX;
        }
        if delta == 0 {
            return old;
        }
        let ok = if old == 0 {
            self.machine.map(self.place.memory, new * PAGE_SIZE, Perm::RW, &[]).is_ok()
        } else {
            self.machine.resize(self.place.memory, new * PAGE_SIZE).is_ok()
        };
        if !ok {
            return u64::MAX;
        }
        self.pages = new;
        let top = self.place.vmctx;
        let w = |m: &mut Machine, off: i64, v: u64| m.write_u64(top.wrapping_add(off as u64), v);
        if w(&mut self.machine, vmctx::MEMORY_BYTES, new * PAGE_SIZE).is_err()
            || w(&mut self.machine, vmctx::MEMORY_PAGES, new).is_err()
        {
            return u64::MAX;
        }
        if SANDBOXED {
            self.machine.set_reg(MEMORY_SIZE_REG, new * PAGE_SIZE);
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
        if self.pages == 0 {
            return &[];
        }
        self.machine.region(self.place.memory).unwrap_or(&[])
    }

    /// The linear memory, writable.
    pub fn memory_mut(&mut self) -> &mut [u8] {
        if self.pages == 0 {
            return &mut [];
        }
        self.machine.region_mut(self.place.memory).unwrap_or(&mut [])
    }

    /// The current value of global `g` (`i32` zero-extended).
    pub fn global(&self, g: u32) -> Option<u64> {
        let def = self.compiled.get().globals.get(g as usize)?;
        let v = if Some(g) == self.compiled.get().gas_global {
            self.machine.reg(GAS)
        } else {
            let off = self.compiled.get().vmctx.global(g);
            self.machine.read_u64(self.place.vmctx.wrapping_add(off as u64)).ok()?
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
        self.machine.write_u64(self.place.vmctx.wrapping_add(off as u64), v).is_ok()
    }

    /// A function reference's value here (its descriptor's address).
    pub fn func_ref(&self, f: u32) -> u64 {
        self.place.rodata + DESCRIPTOR_SIZE * u64::from(f)
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
fn eval(init: ConstInit, globals: &[u64], rodata: u64) -> u64 {
    match init {
        ConstInit::Value(v) => v as u64,
        ConstInit::Global(g) => globals.get(g as usize).copied().unwrap_or(0),
        ConstInit::RefNull => 0,
        ConstInit::RefFunc(f) => rodata + DESCRIPTOR_SIZE * u64::from(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rv_backend::abi::STACK_BASE;

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
