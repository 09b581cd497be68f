//! The lifter: a checked program to a WASM module on the host ABI.
//!
//! Module layout (indices fixed here, used by [`body`] and [`helpers`]):
//!
//! - imports: host functions from module `zkos`, by number;
//! - functions: `run` (the program, one function, a leaf: it calls host functions only),
//!   `call` (the driver: runs `run` from the entry point and serves the requests it returns
//!   with), the helpers (`read`, `write`, `exit`, `brk`, `grow`, `serve`, the `ecall`
//!   dispatcher when some `ecall` number is not known at lift time) and `deploy` (a driver
//!   too) when the ELF has one;
//! - globals: the calldata cursor of `read`, the program break, the output buffer's start
//!   and length, where `run` starts or resumes, whether it resumes, its request, and the
//!   registers while it is out for one;
//! - one memory, exported, its initial pages holding the stack and the segments (data
//!   segments), growing up to the subset's maximum for the heap and the output buffer.

mod body;
mod helpers;
pub mod host;

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::limits::MAX_MEMORY_PAGES;
use wasm_encoder::{
    CodeSection, ConstExpr, DataCountSection, DataSection, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, MemorySection, MemoryType, Module, TypeSection, ValType,
};

use crate::cfg::{Known, Program};
use crate::elf::Elf;
use crate::error::{Location, Rule, ShimError};

/// The stack the shim gives a native contract, in bytes: `sp` starts at its top, which is
/// the lowest segment's 4 KiB page, and the stack grows down below it (past its bottom, an
/// access leaves the linear memory and traps).
pub const STACK_SIZE: u64 = 64 * 1024;

const PAGE: u64 = 65536;

/// Where the program's addresses are in linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Linear address = program address + `delta` (modulo 2^32).
    pub delta: i64,
    /// The stack's top (program address): the lowest segment's page.
    pub stack_top: u64,
    /// The initial program break (program address): after the highest segment, 16-aligned.
    pub brk: u64,
    /// The largest program break.
    pub brk_max: u64,
    /// Where the output buffer starts (linear address).
    pub out_start: u32,
    /// Initial pages of linear memory.
    pub initial_pages: u32,
}

impl Layout {
    /// The layout of `elf`, or [`Rule::Memory`] if it does not fit the linear memory.
    pub fn new(elf: &Elf<'_>) -> Result<Self, ShimError> {
        let low = elf.segments.iter().map(|s| s.vaddr).min().unwrap_or(0) & !0xFFF;
        let high = elf.segments.iter().map(|s| s.end()).max().unwrap_or(0);
        let max = u64::from(MAX_MEMORY_PAGES) * PAGE;
        let brk = high.checked_next_multiple_of(16).unwrap_or(u64::MAX);
        let span = brk.saturating_sub(low).saturating_add(STACK_SIZE);
        // Half the memory at most for the image and the stack: the rest is for the heap and
        // the output buffer.
        if span > max / 2 {
            let m = format!(
                "segments from {low:#x} to {high:#x} and a {STACK_SIZE}-byte stack need {span} bytes, more than {}",
                max / 2
            );
            return Err(ShimError::at_address(Rule::Memory, low, m));
        }
        let delta = STACK_SIZE as i64 - low as i64;
        let out_start = span; // the break's linear address, 16-aligned
        let initial_pages = span.div_ceil(PAGE).max(1);
        Ok(Self {
            delta,
            stack_top: low,
            brk,
            brk_max: (max as i64 - delta) as u64,
            out_start: out_start as u32,
            initial_pages: initial_pages as u32,
        })
    }

    /// `delta` as the `i32` added to a wrapped address.
    pub fn delta32(&self) -> i32 {
        self.delta as i32
    }
}

/// A lifted contract.
#[derive(Clone, Debug)]
pub struct Lifted {
    /// The WASM module (not yet validated or metered).
    pub wasm: Vec<u8>,
    /// Whether it exports `deploy`.
    pub has_deploy: bool,
    /// RV64IM instructions lifted.
    pub instructions: usize,
    /// Basic blocks.
    pub blocks: usize,
    /// The memory layout.
    pub layout: Layout,
}

/// Function indices of the module.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Funcs {
    pub run: u32,
    pub call: u32,
    pub read: u32,
    pub write: u32,
    pub exit: u32,
    pub brk: u32,
    pub grow: u32,
    /// Serves the request `run` returned with.
    pub serve: u32,
    pub ecall: Option<u32>,
    pub deploy: Option<u32>,
}

/// Global indices.
pub(crate) mod globals {
    /// The calldata cursor of `read` (i64).
    pub const CURSOR: u32 = 0;
    /// The program break (i64, program address).
    pub const BRK: u32 = 1;
    /// The output buffer's start (i32, linear).
    pub const OUT_START: u32 = 2;
    /// The output buffer's length (i32).
    pub const OUT_LEN: u32 = 3;
    /// Where `run` starts (i64): the entry point or `deploy`, or where it resumes after a
    /// request.
    pub const START: u32 = 4;
    /// Whether `run` resumes (i32, 1) with the registers in [`reg`], or starts (0).
    pub const RESUMED: u32 = 5;
    /// The request `run` returned with (i32, see [`super::Request`]).
    pub const REQUEST: u32 = 6;
    /// Register `x<v>` (`v` in `1..32`, i64) while `run` is out for a request.
    pub const fn reg(v: u32) -> u32 {
        6 + v
    }
}

/// What `run` returns to its driver for (the global `REQUEST`); the registers are in the
/// globals, `START` is where `run` resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// `write(a0, a1, a2)`, its result to `a0`.
    Write,
    /// `brk(a0)`, its result to `a0`.
    Brk,
    /// The `ecall` dispatcher on `a0..a5` and `a7`, its result to `a0`.
    Ecall,
    /// Write debug message `k` (of the body's messages) and trap.
    Fail(u32),
}

impl Request {
    pub fn code(self) -> i32 {
        match self {
            Request::Write => 1,
            Request::Brk => 2,
            Request::Ecall => 3,
            Request::Fail(k) => 4 + k as i32,
        }
    }
}

/// The imported host functions and their indices.
#[derive(Clone, Debug)]
pub(crate) struct Imports {
    list: Vec<HostFn>,
}

impl Imports {
    pub fn index(&self, f: HostFn) -> u32 {
        self.list.iter().position(|&g| g == f).map_or(u32::MAX, |i| i as u32)
    }
    pub fn all(&self) -> &[HostFn] {
        &self.list
    }
}

/// Host functions the helpers call.
const HELPER_IMPORTS: [HostFn; 6] =
    [HostFn::CalldataSize, HostFn::CalldataCopy, HostFn::DebugLog, HostFn::ChargeGas, HostFn::Finish, HostFn::Revert];

/// The `ecall` numbers known at lift time and whether some are not.
fn ecall_numbers(prog: &Program) -> (BTreeSet<i64>, bool) {
    let mut known_numbers = BTreeSet::new();
    let mut dynamic = false;
    for b in &prog.blocks {
        let mut k = Known::new();
        for i in b.start..b.end {
            let inst = &prog.text.insts[i];
            if inst.op() == rv_machine::isa::Opcode::Ecall {
                match k.get(rv_machine::isa::Reg::A7) {
                    Some(n) => {
                        known_numbers.insert(n);
                    }
                    None => dynamic = true,
                }
            }
            k.step(inst, prog.text.addr(i));
        }
    }
    (known_numbers, dynamic)
}

/// Checks and lifts an RV64IM ELF (see the crate docs).
pub fn lift(file: &[u8]) -> Result<Lifted, ShimError> {
    let elf = crate::elf::parse(file)?;
    let layout = Layout::new(&elf)?;
    let prog = Program::analyze(&elf)?;
    let (numbers, dynamic) = ecall_numbers(&prog);
    let mut wanted: BTreeSet<u32> = HELPER_IMPORTS.iter().map(|f| f.number()).collect();
    if dynamic {
        wanted.extend(HostFn::ALL.iter().filter(|f| f.importable()).map(|f| f.number()));
    } else {
        for n in &numbers {
            let f = u32::try_from(*n).ok().and_then(HostFn::from_number);
            if let Some(f) = f.filter(|f| f.importable()) {
                wanted.insert(f.number());
            }
        }
    }
    let imports = Imports { list: wanted.iter().filter_map(|&n| HostFn::from_number(n)).collect() };
    let base = imports.list.len() as u32;
    let mut next = base + 8;
    let ecall = dynamic.then(|| {
        next += 1;
        next - 1
    });
    let deploy = elf.deploy.map(|_| next);
    let funcs = Funcs {
        run: base,
        call: base + 1,
        read: base + 2,
        write: base + 3,
        exit: base + 4,
        brk: base + 5,
        grow: base + 6,
        serve: base + 7,
        ecall,
        deploy,
    };

    let mut types = Types::default();
    let mut import_section = ImportSection::new();
    for f in imports.all() {
        let params: Vec<ValType> = f.params().iter().map(|p| abi(p.ty)).collect();
        let results: Vec<ValType> = f.result().map(abi).into_iter().collect();
        let ty = types.get(&params, &results);
        import_section.import(host_abi::IMPORT_MODULE, f.import_name(), EntityType::Function(ty));
    }

    let cx = helpers::Cx { funcs, imports: &imports, layout };
    let trimmed = |s: &crate::elf::Segment<'_>| s.data.len() - s.data.iter().rev().take_while(|&&b| b == 0).count();
    let active = elf.segments.iter().filter(|s| trimmed(s) > 0).count() as u32;
    let (run, messages) = body::run(&prog, &elf, &cx)?;
    let mut defined: Vec<(u32, Function)> = Vec::new();
    let i64s = |n: usize| alloc::vec![ValType::I64; n];
    defined.push((types.get(&[], &[]), run));
    defined.push((types.get(&[], &[]), helpers::start(&cx, elf.entry)));
    defined.push((types.get(&i64s(3), &i64s(1)), helpers::read(&cx)));
    defined.push((types.get(&i64s(3), &i64s(1)), helpers::write(&cx)));
    defined.push((types.get(&i64s(1), &[]), helpers::exit(&cx)));
    defined.push((types.get(&i64s(1), &i64s(1)), helpers::brk(&cx)));
    defined.push((types.get(&i64s(1), &[]), helpers::grow()));
    defined.push((types.get(&[], &[]), helpers::serve(&cx, active, &messages)));
    if ecall.is_some() {
        defined.push((types.get(&i64s(7), &i64s(1)), helpers::ecall(&cx)));
    }
    if let Some(d) = elf.deploy {
        defined.push((types.get(&[], &[]), helpers::start(&cx, d)));
    }

    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    for (ty, f) in &defined {
        functions.function(*ty);
        code.function(f);
    }
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: u64::from(layout.initial_pages),
        maximum: Some(u64::from(MAX_MEMORY_PAGES)),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    let g = |val_type| GlobalType { val_type, mutable: true, shared: false };
    globals.global(g(ValType::I64), &ConstExpr::i64_const(0));
    globals.global(g(ValType::I64), &ConstExpr::i64_const(layout.brk as i64));
    globals.global(g(ValType::I32), &ConstExpr::i32_const(layout.out_start as i32));
    globals.global(g(ValType::I32), &ConstExpr::i32_const(0));
    globals.global(g(ValType::I64), &ConstExpr::i64_const(0));
    globals.global(g(ValType::I32), &ConstExpr::i32_const(0));
    globals.global(g(ValType::I32), &ConstExpr::i32_const(0));
    for _ in 1..32 {
        globals.global(g(ValType::I64), &ConstExpr::i64_const(0));
    }
    let mut exports = ExportSection::new();
    exports.export(host_abi::MEMORY_EXPORT, ExportKind::Memory, 0);
    exports.export(host_abi::CALL_EXPORT, ExportKind::Func, funcs.call);
    if let Some(d) = funcs.deploy {
        exports.export(host_abi::DEPLOY_EXPORT, ExportKind::Func, d);
    }
    let mut data = DataSection::new();
    for s in &elf.segments {
        let bytes = &s.data[..trimmed(s)];
        if bytes.is_empty() {
            continue;
        }
        let at = (s.vaddr as i64).wrapping_add(layout.delta) as i32;
        data.active(0, &ConstExpr::i32_const(at), bytes.iter().copied());
    }

    for m in &messages {
        data.passive(m.iter().copied());
    }

    let mut module = Module::new();
    module.section(&types.section);
    module.section(&import_section);
    module.section(&functions);
    module.section(&memory);
    module.section(&globals);
    module.section(&exports);
    if !messages.is_empty() {
        module.section(&DataCountSection { count: active + messages.len() as u32 });
    }
    module.section(&code);
    module.section(&data);
    let wasm = module.finish();
    if wasm.len() > host_abi::limits::MAX_WASM_CODE_SIZE {
        let m = format!(
            "the lifted module has {} bytes, more than the {} a WASM contract may have",
            wasm.len(),
            host_abi::limits::MAX_WASM_CODE_SIZE
        );
        return Err(ShimError::new(Rule::TooLarge, Location::Module, m));
    }
    Ok(Lifted {
        wasm,
        has_deploy: elf.deploy.is_some(),
        instructions: prog.text.insts.len(),
        blocks: prog.blocks.len(),
        layout,
    })
}

fn abi(t: host_abi::functions::ValType) -> ValType {
    match t {
        host_abi::functions::ValType::I32 => ValType::I32,
        host_abi::functions::ValType::I64 => ValType::I64,
    }
}

/// The type section, one entry per distinct signature.
#[derive(Default)]
struct Types {
    section: TypeSection,
    seen: Vec<(Vec<ValType>, Vec<ValType>)>,
}

impl Types {
    fn get(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        if let Some(i) = self.seen.iter().position(|(p, r)| p == params && r == results) {
            return i as u32;
        }
        self.section.ty().function(params.iter().copied(), results.iter().copied());
        self.seen.push((params.to_vec(), results.to_vec()));
        (self.seen.len() - 1) as u32
    }
}
