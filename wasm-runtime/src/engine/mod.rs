//! The engines that run contract code.
//!
//! Both engines run the same normalized, metered WASM and call the same host functions
//! ([`crate::host`]), so they agree exactly on state, output, logs and gas.

use alloc::string::String;
use alloc::vec::Vec;

mod reuse;
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

/// A frame's gas at the engine border: the gas global holds at most
/// [`host_abi::GAS_GLOBAL_MAX`], the rest is the reserve kept beside it.
pub(crate) fn split_gas(gas: u64) -> (i64, u64) {
    let global = gas.min(host_abi::GAS_GLOBAL_MAX);
    // At most 2^62: the conversion is exact.
    (global as i64, gas - global)
}

/// All of a frame's gas from the gas global and the reserve; `None` if the global is
/// negative (out of gas: the global never goes below zero before it has spent 2^62 gas more
/// than it was given since the last host call).
pub(crate) fn join_gas(global: i64, reserve: u64) -> Option<u64> {
    u64::try_from(global).ok().map(|g| g.saturating_add(reserve))
}

/// The gas a frame of `artifact` has left for its code once it has paid for its initial
/// memory ([`host_abi::gas::initial_memory_gas`]); `None` if it cannot pay, and then no
/// instance is made: every engine charges this before building anything of the frame.
pub(crate) fn after_entry(artifact: &crate::exec::Artifact, gas: u64) -> Option<u64> {
    gas.checked_sub(host_abi::gas::initial_memory_gas(artifact.initial_pages))
}

/// What an engine returns for a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// How it ended.
    pub halt: Halt,
    /// Gas left (meaningful for finish and revert; zero otherwise).
    pub gas_left: u64,
}
