//! The engines that run contract code.
//!
//! Both engines run the same normalized, metered WASM and call the same host functions
//! ([`crate::host`]), so they agree exactly on state, output, logs and gas.

use alloc::string::String;
use alloc::vec::Vec;

pub mod rv;
pub mod wasmi;

/// Which engine runs contract code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// wasmi interprets the normalized WASM: the reference.
    #[default]
    Wasmi,
    /// The RV64IM machine runs compiled code: the provable engine.
    Rv,
}

impl EngineKind {
    /// The engine's name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Wasmi => "wasmi",
            Self::Rv => "rv",
        }
    }
}

/// How a frame's code ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Halt {
    /// Finished normally with this output.
    Finish(Vec<u8>),
    /// Reverted with this data.
    Revert(Vec<u8>),
    /// Self-destructed (a successful end with empty output).
    SelfDestruct,
    /// Ran out of gas.
    OutOfGas,
    /// Trapped: the contract's fault (invalid operation, bad memory access, ...).
    Trap(String),
}

/// What an engine returns for a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// How it ended.
    pub halt: Halt,
    /// Gas left (meaningful for finish and revert; zero otherwise).
    pub gas_left: u64,
}
