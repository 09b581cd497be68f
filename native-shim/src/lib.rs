//! # native-shim: native RV64IM contracts, checked and lifted to WASM
//!
//! A native contract is a static RV64IM ELF executable (DESIGN.md §1, `docs/native.md`).
//! The shim checks it and lifts it to a WASM module on the host ABI, which then goes
//! through the same validation, metering and compilation as every WASM contract, so native
//! code is sandboxed and metered exactly like the other kinds.
//!
//! - [`elf`]: the loader (segments, text, entry, symbols), every rejection naming the rule
//!   and the file offset;
//! - [`decode`]: RV64IM words (rv-machine's instruction table), a rejection naming what a
//!   word outside RV64IM is and its address;
//! - [`cfg`]: basic blocks and the addresses indirect jumps may reach;
//! - [`lift`]: the WASM module: registers as `i64` locals, the ELF's memory image as data
//!   segments of the linear memory, a [`lift::STACK_SIZE`]-byte stack below the lowest
//!   segment, the program break after the highest, Linux system calls and host functions by
//!   their number in `a7`, control flow structured where it is direct and dispatched through
//!   `br_table`s where it is not.
//!
//! ```no_run
//! let elf = std::fs::read("contract.elf").unwrap();
//! match native_shim::lift(&elf) {
//!     Ok(lifted) => println!("{} instructions, {} bytes of WASM", lifted.instructions, lifted.wasm.len()),
//!     Err(e) => println!("{e}"), // e.g. "... (rule instruction) at address 0x100f0"
//! }
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod cfg;
pub mod decode;
pub mod elf;
mod error;
pub mod lift;

pub use elf::MAX_ELF_SIZE;
pub use error::{Location, Rule, ShimError};
pub use lift::{lift, Lifted};
