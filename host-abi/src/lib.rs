//! # host-abi: the one source of truth for the zkos host interface
//!
//! Everything that crosses the boundary between a contract and the zkos system layer is
//! defined here, once:
//!
//! - [`functions`]: every host function with its number, WASM import name (module
//!   [`IMPORT_MODULE`]), signature, the meaning of each argument and its gas rule;
//! - [`status`]: the status codes that calls and creates return;
//! - [`envelope`]: the deployed-code format for WASM and RV64IM contracts;
//! - [`gas`]: the gas schedule shared by every kind of code, including the weights of WASM
//!   instructions used by metering;
//! - [`charge`]: what a call of a host function costs, computed from its gas rule by one
//!   function for the dispatcher, the bounds analysis and every test double.
//!
//! The crate is `no_std`, has no dependencies and holds no implementation besides the pure
//! gas formulas, so every other crate can lean on it.
//!
//! ```
//! use host_abi::functions::{HostFn, ValType};
//! let f = HostFn::StorageLoad;
//! assert_eq!(f.number(), 10010);
//! assert_eq!(f.import_name(), "storage_load");
//! assert_eq!(f.params().len(), 2);
//! assert_eq!(f.result(), None);
//! assert_eq!(HostFn::from_import_name("gas_left"), Some(HostFn::GasLeft));
//! assert_eq!(HostFn::GasLeft.result(), Some(ValType::I64));
//! ```
#![no_std]
#![forbid(unsafe_code)]

pub mod charge;
pub mod envelope;
pub mod functions;
pub mod gas;
pub mod status;

/// The WASM module name from which contracts import host functions.
pub const IMPORT_MODULE: &str = "zkos";

/// Name of the exported mutable `i64` global that metering appends to every normalized
/// module: the gas left. Engines set it before a call and read it after; host functions
/// charge by lowering it. Metering subtracts each block's cost and traps with `unreachable`
/// when the result is negative, so an engine that sees a trap with a negative gas global
/// reports out of gas.
pub const GAS_GLOBAL_EXPORT: &str = "__zkos_gas";

/// The most gas the gas global holds (2^62). A frame may have any `u64` amount of gas: the
/// engine keeps `min(gas, GAS_GLOBAL_MAX)` in the gas global and the rest, the *reserve*,
/// beside it, and host functions see their sum. The margin below `i64::MAX` leaves room for
/// code that credits gas to the global before a host function charges it.
pub const GAS_GLOBAL_MAX: u64 = 1 << 62;
/// Optional export: a mutable `i64` global in which the engine keeps the reserve (see
/// [`GAS_GLOBAL_MAX`]), written when the frame starts and after every host call. Transpiled
/// EVM code adds it to the gas global for `GAS`, so `GAS` sees all of a frame's gas.
pub const GAS_RESERVE_EXPORT: &str = "__zkos_gas_reserve";

/// Export that runs on every call.
pub const CALL_EXPORT: &str = "call";
/// Optional export that runs once, at deployment (the constructor).
pub const DEPLOY_EXPORT: &str = "deploy";
/// The linear memory every contract exports.
pub const MEMORY_EXPORT: &str = "memory";

/// Limits of the deterministic WASM subset (DESIGN.md §1), enforced by the validator.
pub mod limits {
    /// Maximum linear memory, in 64 KiB pages (a memory must declare a maximum at most this).
    pub const MAX_MEMORY_PAGES: u32 = 512;
    /// Maximum table size (initial and maximum).
    pub const MAX_TABLE_SIZE: u32 = 4096;
    /// Maximum number of tables.
    pub const MAX_TABLES: u32 = 1;
    /// Maximum number of functions (imported and defined).
    pub const MAX_FUNCTIONS: u32 = 10_000;
    /// Maximum number of globals.
    pub const MAX_GLOBALS: u32 = 1_000;
    /// Maximum locals of one function (parameters included).
    pub const MAX_LOCALS: u32 = 4_096;
    /// Maximum nesting of blocks, loops and ifs in one function.
    pub const MAX_NESTING: u32 = 256;
    /// Maximum size of a function body in bytes.
    pub const MAX_FUNCTION_SIZE: u32 = 256 * 1024;
    /// Maximum parameters or results of one function type.
    pub const MAX_TYPE_ARITY: u32 = 32;
    /// Maximum size of a WASM contract module, all sections included (the WASM analogue of
    /// EIP-170).
    pub const MAX_WASM_CODE_SIZE: usize = 256 * 1024;
    /// Maximum size of an EVM contract's runtime code (EIP-170).
    pub const MAX_EVM_CODE_SIZE: usize = 24_576;
    /// Maximum size of EVM init code (EIP-3860).
    pub const MAX_EVM_INITCODE_SIZE: usize = 2 * MAX_EVM_CODE_SIZE;
    /// The largest RV64IM code of one compiled module, in bytes: the code region of the
    /// provable engine (rv-backend's address space takes its size from here). Every module
    /// the validator accepts fits, and so does every EVM contract: the compiler has no limit
    /// of its own (branches and calls reach across any code), and the bounds below, which
    /// the assertions after them check against this size, are what rv-backend's tests hold
    /// it to.
    pub const MAX_MACHINE_CODE_SIZE: usize = 256 * 1024 * 1024;
    /// The most machine code rv-backend emits per byte of a validated module (metering's
    /// additions included), in bytes, not counting [`MAX_MACHINE_CODE_PER_FUNCTION`]. The
    /// densest constructs known stay under 250: a `br_table` whose every entry (one byte)
    /// lands on a pad that copies 32 values between the homes of a large frame, a `call`
    /// (two bytes) of a function with 32 results; stores with large offsets take 1.3.
    pub const MAX_MACHINE_CODE_PER_WASM_BYTE: usize = 512;
    /// The most machine code of one function besides what its bytes account for, in bytes:
    /// prologue and epilogue (up to 32 parameters and results, twelve saved registers,
    /// the loop that zeroes the locals) and the trap stubs.
    pub const MAX_MACHINE_CODE_PER_FUNCTION: usize = 4096;
    /// The most machine code per byte of EVM code, transpiled and compiled, in bytes (runs
    /// of `MLOAD` reach about 650, the most of any opcode).
    pub const MAX_MACHINE_CODE_PER_EVM_BYTE: usize = 1024;
    const _: () = assert!(
        MAX_WASM_CODE_SIZE * MAX_MACHINE_CODE_PER_WASM_BYTE + MAX_FUNCTIONS as usize * MAX_MACHINE_CODE_PER_FUNCTION
            <= MAX_MACHINE_CODE_SIZE,
        "every valid WASM module compiles within the code region"
    );
    const _: () = assert!(
        MAX_EVM_INITCODE_SIZE * MAX_MACHINE_CODE_PER_EVM_BYTE <= MAX_MACHINE_CODE_SIZE,
        "every EVM contract and init code compiles within the code region"
    );
    /// Maximum size of the constants area of an envelope.
    pub const MAX_CONSTANTS_SIZE: usize = 16 * 1024;
    /// Maximum call depth (Ethereum's).
    pub const MAX_CALL_DEPTH: usize = 1024;
    /// The WASM stack budget of one contract call, in canonical bytes: how deep WASM code may
    /// recurse, the same on every engine. Metering gives every defined function a canonical
    /// frame cost computed from the WASM alone, `WASM_SLOT_BYTES × (locals + stack + arity) +
    /// WASM_FRAME_OVERHEAD` (locals: parameters included; stack: the deepest operand stack,
    /// at least the results; arity: the most values a call in the function passes or gets
    /// back), and injects code that subtracts it from a per-call counter initialised to this
    /// budget on entry, traps with `unreachable` if the counter would go below zero, and adds
    /// it back on return. Every engine gives compiled code enough native room for this budget,
    /// so this check always fires first. A function whose frame alone costs more than the
    /// budget could never run: metering rejects it.
    pub const WASM_STACK_BUDGET: u32 = 512 * 1024;
    /// Canonical bytes per local, operand-stack slot and call argument or result of a frame
    /// (see [`WASM_STACK_BUDGET`]).
    pub const WASM_SLOT_BYTES: u32 = 8;
    /// Canonical bytes every frame costs on top of its slots (see [`WASM_STACK_BUDGET`]).
    pub const WASM_FRAME_OVERHEAD: u32 = 32;
    /// Debug output (`debug_log`) kept per transaction, in bytes: each message counts its
    /// length plus one. What comes after is paid for like the rest and counted, not kept.
    pub const MAX_DEBUG_OUTPUT: usize = 64 * 1024;
}
