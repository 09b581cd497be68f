//! # rv-backend: WASM to RV64IM, in one pass
//!
//! [`compile`] turns a validated, metered WASM module of the deterministic subset (integers
//! only, multi-value, sign extension, bulk memory, mutable globals, one memory, one funcref
//! table) into RV64IM machine code for the provable machine ([`rv_machine`]): a [`Compiled`]
//! artifact. The crate only compiles; running compiled code belongs to the rv engine in
//! wasm-runtime (`wasm_runtime::engine::rv_instance` maps an artifact on a machine).
//!
//! # The compiled artifact's layout contract
//!
//! What an engine needs to run what the compiler ([`compile`], [`Options`], [`CompileError`])
//! produced is this, and nothing more:
//! - [`Compiled`]: the code and read-only data, and what instantiation reads: functions
//!   ([`FuncInfo`], [`FuncType`], [`ValType`]), globals ([`GlobalDef`], [`ConstInit`]), the
//!   memory and table ([`Limits`]), data and element segments ([`SegmentInfo`],
//!   [`SegmentMode`]), imports and exports, the VM context's layout;
//! - [`abi`]: where each part is mapped, the VM context's fixed slots, the calling
//!   convention, the engine services (`ecall`s with a negative number) and the trap codes,
//!   and the sandboxed mode's variant of all that ([`abi::sandbox`]);
//! - [`regs`]: the registers of that convention (gas in `gp`, the VM context in `tp`,
//!   arguments and results in `a0..a7`, the ecall number in `a7`) and the roles the
//!   compiler gives the others.
//!
//! # Inside
//!
//! The crate reads like a Cranelift backend (the assembler's modules are public for reading
//! and testing; an engine needs none of them):
//! - [`regs`]: register roles (gas in `gp`, the VM context in `tp`, the operand stack in
//!   `a0..a7, t3..t6`, locals in `s0..s11`, or in free caller-saved registers in leaf
//!   functions);
//! - [`imm`]: checked immediates (`Imm12` cannot hold 13 bits);
//! - [`encode`]: instruction words, infallible over checked immediates (the machine's
//!   encoder, `rv_machine::isa::encode`, underneath: the one instruction table);
//! - [`emit`]: the assembler (labels, branch relaxation, constants);
//! - [`abi`]: the address space, calling convention, engine services and trap codes;
//! - `lower`: the single-pass lowering of each function (a `wasmparser` operator stream),
//!   with the operand stack and locals in registers;
//! - `runtime`: shared routines (bulk memory and table operations), internal to a module's
//!   code.
//!
//! Sandboxing in the default mode needs no bounds checks: the linear memory is mapped at
//! address 0 at its current size, nothing else lies below 8 GiB, and an access at
//! `zero_extend(addr) + offset` either hits the memory or faults (see [`abi`]). The
//! sandboxed mode ([`Options::sandboxed`], [`abi::sandbox`]), for code that shares one
//! address space with a kernel, checks every access against the memory's size in a
//! register, reaches everything else relative to `tp` or `pc`, and makes no `ecall`.
//!
//! Gas lives in `gp`: a block's charge is one `addi`, and the check is deferred to
//! backward branches, `memory.grow` and bulk operations, the engine treating a negative
//! gas register at a host call, a return or a trap as out of gas (same outcome and gas as
//! checking every block).
//!
//! Lowering keeps the operand stack in registers by position, defers constants, local
//! reads and the gas register to their use (so `local.get a; local.get b; i32.add;
//! local.set c` is one `addw`), folds constants, uses immediate forms, fuses comparisons
//! with the `br_if`/`if` that consume them, and lowers the metering sequences as units.
//!
//! ```
//! use rv_backend::{abi, ValType};
//!
//! let wasm = wat::parse_str(r#"(module
//!     (func (export "add") (param i32 i32) (result i32)
//!         (i32.add (local.get 0) (local.get 1))))"#).unwrap();
//! let compiled = rv_backend::compile(&wasm).unwrap();
//! let f = compiled.exported_func("add").unwrap();
//! assert_eq!(compiled.func_type(f).unwrap().params, [ValType::I32; 2]);
//! // The code is mapped at `CODE_BASE`; its first word is the return stub, an `ecall`.
//! assert_eq!(abi::RETURN_STUB, abi::CODE_BASE);
//! assert_eq!(compiled.words().next(), Some(0x0000_0073));
//! assert!(compiled.entry(f).unwrap() > abi::CODE_BASE);
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod abi;
mod compile;
pub mod emit;
pub mod encode;
mod error;
pub mod image;
pub mod imm;
mod lower;
mod module;
pub mod regs;
mod runtime;

pub use compile::{Compiled, FuncInfo, SegmentInfo};
pub use error::{CompileError, CompileErrorKind};
pub use module::{
    ConstInit, ElemSegment, Export, ExportKind, FuncType, GlobalDef, Import, ImportKind, ImportTarget, Limits,
    SegmentMode, ValType,
};

/// Compiles a validated (and, for contracts, metered) WASM module to RV64IM.
///
/// The module is validated again here (WebAssembly 2.0 rules); invalid modules and modules
/// outside the supported subset get a [`CompileError`] naming the problem and its offset.
pub fn compile(wasm: &[u8]) -> Result<Compiled, CompileError> {
    compile::compile(wasm, &Options::default())
}

/// Compilation options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// A testing aid, off for contracts: accept `f32`/`f64` values as their bit patterns
    /// (constants, locals, globals, parameters, loads, stores, `select`, reinterpretations)
    /// and compile every float computation to a trap with
    /// [`abi::TrapCode::FloatUnsupported`]. The spec-test harness uses it to run the
    /// integer commands of modules that also contain float code.
    pub float_bits: bool,
    /// The sandboxed, position-independent mode (see [`abi::sandbox`]), for code that runs
    /// in one flat address space beside other code, as inside the kernel: every load and
    /// store checks its bounds against a memory at a base in a register, the table and the
    /// read-only data are reached through the VM context and `pc`-relatively, and host
    /// calls, engine services and traps jump to an address in the VM context instead of
    /// making an `ecall`. Off by default: the default mode relies on the machine's memory
    /// map for sandboxing and is what host mode runs.
    pub sandboxed: bool,
}

/// [`compile`] with options.
pub fn compile_with(wasm: &[u8], options: &Options) -> Result<Compiled, CompileError> {
    compile::compile(wasm, options)
}
