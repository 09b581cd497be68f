//! # evm-to-wasm: EVM bytecode to WASM on the zkos host ABI
//!
//! [`transpile`] turns EVM code (Cancun) into a WASM module that imports host functions from
//! module `zkos` ([`host_abi::functions::HostFn`]) and exports `memory`, `call` (type
//! `[] -> []`, runs the code from pc 0) and the mutable i64 global `__zkos_gas`. The engine
//! sets the global to the frame's gas before `call` and reads it after; the module charges
//! Ethereum's gas itself, so its gas is exactly Ethereum's (it is not metered again).
//!
//! ```
//! // PUSH1 2, PUSH1 3, ADD, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN
//! let evm = [0x60, 2, 0x60, 3, 0x01, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3];
//! let wasm = evm_to_wasm::transpile(&evm).unwrap();
//! assert_eq!(&wasm[..4], b"\0asm");
//! let a = evm_to_wasm::analyze(&evm);
//! assert_eq!(a.blocks.len(), 1);
//! assert_eq!(a.blocks[0].gas, 3 + 3 + 3 + 3 + 3 + 3 + 3); // RETURN is charged by the host
//! ```
//!
//! ## Design
//!
//! - **Analysis** ([`analysis`]): JUMPDEST bitmap; basic blocks split at JUMPDESTs, after
//!   jumps, halts and opcodes that observe the gas left (SSTORE, CALL family, CREATE family);
//!   each block's static gas and stack effect; constant tracking along straight-line code to
//!   find static jump targets; reachability; the set of labelled JUMPDESTs (jump targets).
//! - **Control flow**: labelled JUMPDESTs are nested `block`s in code order, so a forward
//!   static jump is a direct `br`. Backward and computed jumps set a local to `pc + 1` and
//!   branch to a dispatch `loop` whose `br_table` is indexed by pc (its size is linear in the
//!   code, whatever the number of jumps). Large code is split into **chunks** (consecutive
//!   labelled segments, at most [`Config::chunk_labels`] labels and about
//!   [`Config::chunk_budget`] bytes of EVM code), one function each, so that nesting depth and
//!   function size stay within host-abi's limits; a jump leaving a chunk returns its
//!   destination to the dispatcher in `call`, which calls the chunk holding it. Code that
//!   fits one chunk is `call` itself.
//! - **Stack**: in linear memory (1024 × 32 bytes, four little-endian i64 limbs per slot) at
//!   labels, with a `bp` local. Inside straight-line code the generator keeps a virtual stack
//!   of 64-bit limbs: constants, i64 locals, slots not yet loaded, and *swapped* limbs (the
//!   raw big-endian halves read from EVM memory or written by the host, byte-swapped only
//!   when a native value is needed: stores, zero tests, equality and bitwise operations use
//!   the raw form). PUSH, DUP, SWAP and POP cost nothing at run time, constants fold, and only
//!   values that moved are written back before a jump. Underflow and overflow are checked
//!   once per region (straight-line code between labels and JUMPIs), at its entry; any
//!   exceptional halt consumes all gas and reverts the frame, so the earlier check is
//!   indistinguishable from EVM's per-instruction one.
//! - **Gas**: the gas left lives in a local; each block subtracts its static gas at entry.
//!   Its sign is tested (and the exported global synchronized) where gas can be observed:
//!   before every host call and gas-charging helper, at GAS, when the frame ends, and at the
//!   dispatch loop head, which every loop iteration passes; a negative value halts as out of
//!   gas. Memory expansion (3·w + w²/512 on the increase), EXP's per-byte cost and copy
//!   costs are charged where they arise. Opcodes implemented by a host function are charged
//!   by the host; where the host's fixed charge differs from the EVM cost (CALLDATALOAD
//!   through `calldata_copy`, the return-data copy of the CALL family) the code credits it
//!   first. GAS adds back the static gas charged in advance for the rest of its block.
//! - **Arithmetic**: ADD, SUB, comparisons, bitwise operations and shifts by constants are
//!   inline; MUL (64-bit limbs), division (short division for 32-bit divisors, Knuth's
//!   algorithm D otherwise), ADDMOD/MULMOD (257- and 512-bit intermediates), EXP, SIGNEXTEND,
//!   BYTE and dynamic shifts are helper functions inside the module.
//! - **Memory**: EVM memory starts at linear address 0x10000 and grows with `memory.grow`
//!   (up to [`MAX_EVM_MEMORY`]). Scratch space for host-call arguments is below the stack.
//!
//! Each module instance runs one call frame: instantiate a fresh instance per frame.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod analysis;
mod codegen;
mod error;
pub mod opcodes;
mod u256;

pub use analysis::{analyze, analyze_for, Analysis};
pub use error::TranspileError;
pub use opcodes::Rules;

use alloc::vec::Vec;

/// Largest code the transpiler accepts, in bytes (the generated module is linear in it).
pub const MAX_CODE_SIZE: usize = 0x4_0000;

/// Largest EVM memory a transpiled module supports, in bytes. Expanding beyond it halts;
/// paying for it takes more than 2·10⁹ gas.
pub const MAX_EVM_MEMORY: u64 = codegen::layout::MAX_EVM_MEMORY;

/// Tuning knobs of the transpiler (the defaults are what [`transpile`] uses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Bytes of EVM code per chunk function, first try (halved while a chunk comes out
    /// larger than host-abi's `MAX_FUNCTION_SIZE`).
    pub chunk_budget: usize,
    /// Labelled JUMPDESTs per chunk function (each is a nested block; nesting is limited).
    pub chunk_labels: usize,
    /// The opcodes of the fork the code runs under (an opcode they leave out halts).
    pub rules: Rules,
}

impl Default for Config {
    fn default() -> Self {
        Self { chunk_budget: 6 * 1024, chunk_labels: 200, rules: Rules::LATEST }
    }
}

/// Transpiles EVM code to a WASM module (see the crate documentation for the contract).
///
/// Every byte string is valid EVM code; the only error is [`TranspileError::CodeTooLarge`]
/// for code longer than [`MAX_CODE_SIZE`].
pub fn transpile(evm: &[u8]) -> Result<Vec<u8>, TranspileError> {
    transpile_with(evm, &Config::default())
}

/// [`transpile`] with explicit [`Config`].
pub fn transpile_with(evm: &[u8], config: &Config) -> Result<Vec<u8>, TranspileError> {
    if evm.len() > MAX_CODE_SIZE {
        return Err(TranspileError::CodeTooLarge { len: evm.len(), max: MAX_CODE_SIZE });
    }
    let an = analyze_for(evm, config.rules);
    codegen::generate(evm, &an, config)
}
