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
use core::fmt;

pub use meter::MeterError;

/// Text from the module (an import or export name, a parser message quoting one) printed
/// on one line: control characters are written escaped (`\n`, `\u{1b}`), everything else
/// as it is. Every error of this crate prints its details through it, so an error is
/// always one line whatever names the module holds.
pub(crate) struct OneLine<'a>(pub &'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

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
