//! The standard kernels (`bench_kernels::Suite::Standard`) built for `wasm32-unknown-unknown`:
//! one export per kernel, `(n: i64) -> i64` returning the checksum, named after
//! `Kernel::name`, in a module apart from `kernels.wasm` so that module and its counts stay
//! as they were. Shaped like a zkos contract (exports `memory` and an empty `call`). None of
//! these kernels uses the scratch area: their buffers are on the stack.

#![no_std]

use bench_kernels::Kernel;

fn run(kernel: Kernel, n: i64) -> i64 {
    // Bit casts between WASM's signed i64 and the kernels' u64.
    kernel.run(n as u64, &mut []) as i64
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
    memset => Memset,
    memcpy => Memcpy,
    byteloops => ByteLoops,
    ed25519 => Ed25519,
    interp => Interp,
}

/// The contract entry point zkos requires; the benchmark calls the kernel exports instead.
#[no_mangle]
pub extern "C" fn call() {}

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
