//! # wasm-runtime: the zkos system layer and its engines
//!
//! - [`validate`]: the validator of the deterministic WASM subset;
//! - [`meter`]: gas metering injected into WASM per basic block;
//! - the system layer (state, journal, calls, transactions, blocks), generic over a
//!   [`platform`](crate) trait so that the same code runs on the host and in kernel mode;
//! - the engines: wasmi (reference) and, later, the RV64IM machine (provable).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod meter;
pub mod validate;
