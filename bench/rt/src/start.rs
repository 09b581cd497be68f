//! `_start`, the phase marker and exit.

use core::arch::{asm, global_asm};

use bench_kernels::protocol::{MARK, STATUS_PANIC};

const STACK_SIZE: usize = 1 << 20;

#[repr(C, align(16))]
struct Stack([u8; STACK_SIZE]);

/// The program's stack (only `_start` names it: it sets `sp` to its end).
static mut STACK: Stack = Stack([0; STACK_SIZE]);

// `_start`: sp = end of STACK, a0 = bench_main(), then ebreak with a0 as the status. A host
// that resumes after the ebreak finds it again.
global_asm!(
    ".section .text._start, \"ax\", @progbits",
    ".globl _start",
    "_start:",
    "    la sp, {stack}",
    "    li t0, {size}",
    "    add sp, sp, t0",
    "    call bench_main",
    "1:  ebreak",
    "    j 1b",
    stack = sym STACK,
    size = const STACK_SIZE,
);

/// The phase marker: `ecall` with `a7 = MARK`. `value` passes through `a0` and comes back
/// unchanged, which ties the computations before and after the marker to its place.
#[inline(always)]
pub fn mark(value: u64) -> u64 {
    let mut v = value;
    // SAFETY: the host handles the marker ecall by noting the instruction count and resuming
    // at the next instruction, changing no register or memory.
    unsafe {
        asm!("ecall", inout("a0") v, in("a7") MARK, options(nostack, preserves_flags));
    }
    v
}

/// Stops the program with `status` in `a0` (`ebreak`), for good.
pub fn exit(status: u64) -> ! {
    // SAFETY: ebreak stops the machine; if a host resumes it, the loop stops it again.
    unsafe {
        asm!("2: ebreak", "j 2b", in("a0") status, options(noreturn, nostack));
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    exit(STATUS_PANIC)
}
