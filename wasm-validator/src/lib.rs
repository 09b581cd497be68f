//! # wasm-validator: the deterministic WASM subset, its gas bounds and its metering
//!
//! Checks that a contract's WASM stays inside the deterministic subset ([`validate`]), proves
//! upper bounds on the gas of its functions ([`bounds`]) and injects the gas metering every
//! engine runs ([`meter`]); [`flow`] holds the basic blocks and operator weights all three share.
//!
//! ```
//! let wasm = wat::parse_str(r#"(module
//!     (memory (export "memory") 1 1)
//!     (func (export "call") (drop (i32.add (i32.const 1) (i32.const 2)))))"#).unwrap();
//! let info = wasm_validator::validate::validate(&wasm).unwrap();
//! assert!(!info.has_deploy);
//! let bounds = wasm_validator::bounds::analyze(&wasm).unwrap();
//! assert!(bounds.export("call").unwrap().bound.constant().is_some());
//! let metered = wasm_validator::meter::meter(&wasm).unwrap();
//! assert!(metered.len() > wasm.len());
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod bounds;
pub mod flow;
pub mod meter;
pub mod validate;

use alloc::vec::Vec;

pub use meter::MeterError;

/// How to meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Elide checks where the static gas bounds allow ([`bounds::elide`]): the gas charged and
    /// every outcome stay the same, fewer instructions run.
    pub elide: bool,
}

impl Options {
    /// What [`meter::meter`] does, and the system layer deploys.
    pub const DEPLOYED: Options = Options { elide: false };
}

/// [`meter::meter`] with options: with `elide`, the gas bounds plan which checks may wait
/// ([`bounds::elide::plan`]); if the analysis fails nothing is elided.
pub fn meter_with(wasm: &[u8], options: Options) -> Result<Vec<u8>, MeterError> {
    match options.elide.then(|| bounds::elide::plan(wasm)).flatten() {
        Some(plan) => meter::meter_planned(wasm, &plan),
        None => meter::meter(wasm),
    }
}
