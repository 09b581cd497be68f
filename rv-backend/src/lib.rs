//! # rv-backend: WASM to RV64IM, in one pass
//!
//! [`compile`] turns a validated, metered WASM module of the deterministic subset (integers
//! only, multi-value, sign extension, bulk memory, mutable globals, one memory, one funcref
//! table) into RV64IM machine code for the provable machine ([`rv_machine`]), plus what an
//! [`instance::Instance`] needs to run it.
//!
//! The crate reads like a Cranelift backend:
//! - [`regs`]: register roles (gas in `gp`, the VM context in `tp`, the operand stack in
//!   `a0..a7, t3..t6`, locals in `s0..s11`, or in free caller-saved registers in leaf
//!   functions);
//! - [`imm`]: checked immediates (`Imm12` cannot hold 13 bits);
//! - [`encode`]: instruction words, infallible over checked immediates (the machine's
//!   encoder underneath);
//! - [`emit`]: the assembler (labels, branch relaxation, constants);
//! - [`abi`]: the address space, calling convention, engine services and trap codes;
//! - `lower`: the single-pass lowering of each function (a `wasmparser` operator stream),
//!   with the operand stack and locals in registers;
//! - `runtime`: shared routines (bulk memory and table operations);
//! - [`instance`]: a compiled module on a machine, driven by an embedder.
//!
//! Sandboxing needs no bounds checks: the linear memory is mapped at address 0 at its
//! current size, nothing else lies below 8 GiB, and an access at `zero_extend(addr) +
//! offset` either hits the memory or faults (see [`abi`]). Gas lives in `gp`: a block's
//! charge is one `addi`, and the check is deferred to backward branches, `memory.grow`
//! and bulk operations, the engine treating a negative gas register at a host call, a
//! return or a trap as out of gas (same outcome and gas as checking every block).
//!
//! Lowering keeps the operand stack in registers by position, defers constants, local
//! reads and the gas register to their use (so `local.get a; local.get b; i32.add;
//! local.set c` is one `addw`), folds constants, uses immediate forms, fuses comparisons
//! with the `br_if`/`if` that consume them, and lowers the metering sequences as units.
//!
//! ```
//! let wasm = wat::parse_str(r#"(module
//!     (func (export "add") (param i32 i32) (result i32)
//!         (i32.add (local.get 0) (local.get 1))))"#).unwrap();
//! let compiled = rv_backend::compile(&wasm).unwrap();
//! let f = compiled.exported_func("add").unwrap();
//! let mut inst = rv_backend::instance::Instance::new(&compiled, Default::default(), &Default::default()).unwrap();
//! inst.call(f, &[40, 2]).unwrap();
//! assert_eq!(inst.run(1_000), rv_backend::instance::Event::Returned);
//! assert_eq!(inst.results(), vec![42]);
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod abi;
mod compile;
pub mod emit;
pub mod encode;
mod error;
pub mod imm;
pub mod instance;
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
}

/// [`compile`] with options.
pub fn compile_with(wasm: &[u8], options: &Options) -> Result<Compiled, CompileError> {
    compile::compile(wasm, options)
}
