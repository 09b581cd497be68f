//! # wasm-validator: the deterministic WASM subset, its gas bounds and its metering
//!
//! Checks that a contract's WASM stays inside the deterministic subset, proves upper bounds
//! on the gas of its functions, and injects the per-basic-block gas metering every engine runs.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod bounds;
pub mod meter;
pub mod validate;
