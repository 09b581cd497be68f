//! The tiny runtime of the RV64IM benchmark programs (`bench/native`, `bench/wasmi-driver`).
//!
//! - `_start` sets `sp` to a 1 MiB static stack, calls the program's
//!   `extern "C" fn bench_main() -> u64` and stops with `ebreak`, the status in `a0`;
//! - [`uart`]: words in and out through the machine's quasi-UART;
//! - [`mark`]: the phase marker `ecall` of [`bench_kernels::protocol`];
//! - [`exit`]: `ebreak` with a status; a panic exits with `STATUS_PANIC`;
//! - feature `heap`: a bump allocator over a static heap as the global allocator;
//! - `__sync_*`: the atomic read-modify-write calls LLVM emits for the `+forced-atomics`
//!   target spec (one hart: plain loads and stores).
//!
//! Everything is compiled only for `riscv64` without an OS; on other targets the crate is
//! empty. A program looks like this:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use bench_rt as _;
//!
//! #[no_mangle]
//! extern "C" fn bench_main() -> u64 {
//!     let n = bench_rt::uart::read_u64();
//!     bench_rt::uart::write_u64(n * 2);
//!     0
//! }
//! ```

#![no_std]

#[cfg(all(target_arch = "riscv64", target_os = "none"))]
mod atomics;
#[cfg(all(target_arch = "riscv64", target_os = "none", feature = "heap"))]
mod heap;
#[cfg(all(target_arch = "riscv64", target_os = "none"))]
mod start;
#[cfg(all(target_arch = "riscv64", target_os = "none"))]
pub mod uart;

#[cfg(all(target_arch = "riscv64", target_os = "none"))]
pub use start::{exit, mark};
