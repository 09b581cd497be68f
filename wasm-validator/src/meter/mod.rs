//! Gas metering injected into WASM, per basic block.
//!
//! [`meter`] turns a validated module into the **normalized, metered** module that every
//! engine runs, so every engine charges exactly the same gas:
//!
//! - a mutable `i64` global exported as [`host_abi::GAS_GLOBAL_EXPORT`] (`__zkos_gas`) is
//!   appended after the existing globals (index = number of globals, so no index moves),
//!   initial value 0: the engine sets it to the gas left before each call and reads it
//!   after;
//! - each basic block (defined in [`crate::flow::blocks`]) whose operators weigh more than zero starts by
//!   subtracting that weight and trapping with `unreachable` if the result is negative
//!   ([`inject`]); an engine that sees a trap with a negative gas global reports out of gas;
//! - every defined function takes its canonical frame cost ([`frame`]) from a stack counter
//!   (a mutable `i32` global after the gas global, initialised to
//!   [`host_abi::limits::WASM_STACK_BUDGET`]) on entry, traps with `unreachable` if it would
//!   go below zero, and gives it back on return ([`inject`]): recursion ends at the same
//!   call on every engine, and a function whose frame alone exceeds the budget is rejected;
//! - `memory.grow` and the bulk operations also charge per page / per byte at run time,
//!   through helper functions appended after every existing function ([`inject`]);
//! - all sections are kept byte for byte except those that grow; custom sections (names
//!   included) are dropped, but for the contract's JSON ABI ([`ABI_SECTION`]), kept as it is
//!   at the end of the module (`module`).
//!
//! The weights come from [`crate::flow::op_class`], one match over every operator of the
//! subset onto a [`host_abi::gas::OpClass`]; the static gas-bounds analysis uses the same
//! table and the same [`crate::flow::basic_blocks`]. What each block emits follows a
//! [`Plan`] when one is given ([`meter_planned`]; [`crate::meter_with`] computes one from
//! the gas bounds).
//!
//! ```
//! let wasm = wat::parse_str(r#"(module
//!     (memory (export "memory") 1 1)
//!     (func (export "call") (drop (i32.add (i32.const 1) (i32.const 2)))))"#).unwrap();
//! wasm_validator::validate::validate(&wasm).unwrap();
//! let metered = wasm_validator::meter::meter(&wasm).unwrap();
//! assert!(metered.len() > wasm.len());
//! assert_eq!(wasm_validator::meter::metering_gas(wasm.len()), 2 * wasm.len() as u64);
//! ```

mod error;
pub mod frame;
pub mod inject;
mod module;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

use crate::flow::Plan;

pub use error::{MeterError, MeterErrorKind};
pub use frame::{frames, Frame};

/// The name of the custom section that holds a contract's Solidity JSON ABI (UTF-8 JSON, as
/// solc writes it; `#[zkos::contract]` embeds it): the one custom section metering keeps.
pub const ABI_SECTION: &str = "zkos:abi";

/// The normalized, metered module for an already-validated module (see the module docs):
/// what the system layer deploys. Input that is not a well-formed module of the subset
/// gives an error, never a panic.
pub fn meter(wasm: &[u8]) -> Result<Vec<u8>, MeterError> {
    module::rewrite(wasm, None)
}

/// [`meter`] following `plan`: per defined function, per basic block, what to emit. A plan
/// that does not match a function's blocks is ignored for that function (every block then
/// charges and checks).
pub fn meter_planned(wasm: &[u8], plan: &Plan) -> Result<Vec<u8>, MeterError> {
    module::rewrite(wasm, Some(plan))
}

/// What metering costs at deployment: [`host_abi::gas::METER_BYTE`] per byte of the module.
pub fn metering_gas(code_len: usize) -> u64 {
    u64::try_from(code_len).unwrap_or(u64::MAX).saturating_mul(host_abi::gas::METER_BYTE)
}
