//! The benchmark kernels built by rustc for RV64IM, run directly on the machine (way 1 of
//! `zkos bench`). Input: kernel id, n; markers before and after the kernel; output: the
//! checksum (see `bench_kernels::protocol`).

#![no_std]
#![no_main]

use bench_kernels::protocol::{STATUS_BAD_INPUT, STATUS_OK};
use bench_kernels::{Kernel, SCRATCH_WORDS};
use bench_rt::{mark, uart};

struct Scratch(core::cell::UnsafeCell<[u64; SCRATCH_WORDS]>);

// SAFETY: one hart; only `bench_main` touches it, once.
unsafe impl Sync for Scratch {}

static SCRATCH: Scratch = Scratch(core::cell::UnsafeCell::new([0; SCRATCH_WORDS]));

#[no_mangle]
extern "C" fn bench_main() -> u64 {
    let Some(kernel) = Kernel::from_id(uart::read_word()) else {
        return STATUS_BAD_INPUT;
    };
    let n = uart::read_u64();
    // SAFETY: the only reference to SCRATCH ever made (bench_main runs once).
    let scratch = unsafe { &mut *SCRATCH.0.get() };
    let n = mark(n);
    let checksum = kernel.run(n, scratch);
    let checksum = mark(checksum);
    uart::write_u64(checksum);
    STATUS_OK
}
