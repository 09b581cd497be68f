//! The entry point: stack, zeroed bss, then `kernel_main`.

use core::arch::global_asm;

global_asm!(
    ".section .text._start, \"ax\", @progbits",
    ".globl _start",
    "_start:",
    "    la sp, __stack_top",
    "    la t0, __bss_start",
    "    la t1, __bss_end",
    "1:  bgeu t0, t1, 2f",
    "    sd zero, 0(t0)",
    "    addi t0, t0, 8",
    "    j 1b",
    "2:  call kernel_main",
    // kernel_main never returns; if it did, halt with the failure status.
    "    li a0, 1",
    "    li a7, 0",
    "3:  ecall",
    "    j 3b",
);
