//! The benchmark kernels as a native RV64IM contract (docs/native.md): the same kernels as
//! `bench-native`, behind the contract's entry instead of the benchmark runtime's, so that
//! `zkos bench` can run one ELF both directly on rv-machine and lifted by native-shim,
//! metered and compiled by rv-backend (the lifting column).
//!
//! Calldata: the kernel's id (`u32`, little-endian, padded to 8 bytes; a core kernel,
//! `bench_kernels::Suite::Core`: lifted, the standard ones would pass a contract's size limit)
//! and `n` (`u64`, little-endian), read with `read(0)`. Output: the checksum (`u64`, little-endian) written
//! with `write(1)`, then `exit(0)`. Bad input exits with 1, a panic with 2. The program uses
//! the stack the shim provides (64 KiB) and a static 1 MiB scratch area; nothing else.

#![cfg_attr(all(target_arch = "riscv64", target_os = "none"), no_std, no_main)]

#[cfg(all(target_arch = "riscv64", target_os = "none"))]
mod contract {
    use core::arch::{asm, global_asm};

    use bench_kernels::{Kernel, SCRATCH_WORDS};

    /// Linux system call numbers of the native ABI.
    const READ: u64 = 63;
    const WRITE: u64 = 64;
    const EXIT: u64 = 93;

    struct Scratch(core::cell::UnsafeCell<[u64; SCRATCH_WORDS]>);

    // SAFETY: one hart; only `contract_main` touches it, once per call.
    unsafe impl Sync for Scratch {}

    static SCRATCH: Scratch = Scratch(core::cell::UnsafeCell::new([0; SCRATCH_WORDS]));

    // `_start`: the stack is the shim's (or the machine loader's); `exit(contract_main())`.
    global_asm!(
        ".section .text._start, \"ax\", @progbits",
        ".globl _start",
        "_start:",
        "    call contract_main",
        "    li a7, {exit}",
        "    ecall",
        "1:  j 1b",
        exit = const EXIT,
    );

    /// `ecall` number `n` with three arguments; the result in `a0`.
    #[inline(always)]
    fn syscall3(n: u64, a0: u64, a1: u64, a2: u64) -> u64 {
        let r;
        // SAFETY: read and write touch only the buffer they are given, which the callers own
        // for the call's duration; exit does not return.
        unsafe {
            asm!("ecall", inlateout("a0") a0 => r, in("a1") a1, in("a2") a2, in("a7") n, options(nostack));
        }
        r
    }

    fn exit(code: u64) -> ! {
        syscall3(EXIT, code, 0, 0);
        loop {}
    }

    #[no_mangle]
    extern "C" fn contract_main() -> u64 {
        let mut input = [0u8; 16];
        let got = syscall3(READ, 0, input.as_mut_ptr() as u64, input.len() as u64);
        if got != 16 {
            return 1;
        }
        let [id, n] = [0, 8].map(|at| u64::from_le_bytes(input[at..at + 8].try_into().unwrap_or_default()));
        let Some(kernel) = u32::try_from(id).ok().and_then(Kernel::from_id) else {
            return 1;
        };
        // SAFETY: the only reference to SCRATCH made during the call.
        let scratch = unsafe { &mut *SCRATCH.0.get() };
        // The core kernels only: lifted, the standard ones (ed25519) pass the size limit.
        let Some(checksum) = kernel.run_core(n, scratch) else {
            return 1;
        };
        let checksum = checksum.to_le_bytes();
        syscall3(WRITE, 1, checksum.as_ptr() as u64, checksum.len() as u64);
        0
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        exit(2)
    }
}

/// On the host the crate is empty (the workspace's tests build every member).
#[cfg(not(all(target_arch = "riscv64", target_os = "none")))]
fn main() {}
