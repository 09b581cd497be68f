//! # wasm-runtime: the zkos system layer and its engines
//!
//! Contract code reaches it validated and metered by `wasm-validator`.
//!
//! - the system layer: [`platform`] (where the pre-state comes from), [`world`] (accounts,
//!   storage, transient storage, logs and the journal), [`exec`] (calls, creates,
//!   transactions, blocks), [`host`] (the host functions, written once for every engine);
//! - [`engine`]: the engines that run contract code: wasmi (the reference) and the RV64IM
//!   machine (the provable engine, later);
//! - [`error`]: the errors in three tiers: the contract's fault, a resource limit (both
//!   charged as Ethereum charges them) and an internal error (fails the block);
//! - [`tx`]: Ethereum typed transactions, decoded and their sender recovered;
//! - [`block`]: receipts, state diff, pubdata and the Ethereum-compatible roots.
#![no_std]
// Unsafe code only in the engine that runs compiled code inside the kernel
// (`engine::in_kernel`, built for RV64IM only); forbidden everywhere else.
#![cfg_attr(not(target_arch = "riscv64"), forbid(unsafe_code))]
#![cfg_attr(target_arch = "riscv64", deny(unsafe_code))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod block;
pub mod engine;
pub mod env;
pub mod error;
pub mod exec;
pub mod fork;
pub mod host;
pub mod platform;
pub mod primitives;
pub mod stateless;
pub mod tx;
pub mod world;
