//! The benchmark kernels built for `wasm32-unknown-unknown`: one export per kernel,
//! `(n: i64) -> i64` returning the checksum, named after `Kernel::name`. The module is shaped
//! like a zkos contract (exports `memory` and an empty `call`), so it validates and meters
//! as one.

#![no_std]

use bench_kernels::{Kernel, SCRATCH_WORDS};

struct Scratch(core::cell::UnsafeCell<[u64; SCRATCH_WORDS]>);

// SAFETY: a WASM instance runs one call at a time and the kernels do not call each other.
unsafe impl Sync for Scratch {}

static SCRATCH: Scratch = Scratch(core::cell::UnsafeCell::new([0; SCRATCH_WORDS]));

fn run(kernel: Kernel, n: i64) -> i64 {
    // SAFETY: the only live reference to SCRATCH: exports do not nest (no re-entry).
    let scratch = unsafe { &mut *SCRATCH.0.get() };
    // Bit casts between WASM's signed i64 and the kernels' u64.
    kernel.run(n as u64, scratch) as i64
}

macro_rules! exports {
    ($($name:ident => $kernel:ident,)*) => {$(
        #[doc = concat!("The `", stringify!($name), "` kernel: its checksum for size `n`.")]
        #[no_mangle]
        pub extern "C" fn $name(n: i64) -> i64 {
            run(Kernel::$kernel, n)
        }
    )*};
}

exports! {
    fibonacci => Fibonacci,
    sieve => Sieve,
    sha256 => Sha256,
    keccak => Keccak,
    mul256 => Mul256,
    sort => Sort,
    erc20 => Erc20,
}

/// The contract entry point zkos requires; the benchmark calls the kernel exports instead.
#[no_mangle]
pub extern "C" fn call() {}

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
