return stub:
      0: 00000073  ecall
func 0 (copy_word):
      4: 00050813  addi a6, a0, 0
      8: 00058e13  addi t3, a1, 0
      c: 020e1f93  slli t6, t3, 0x20
     10: 020fdf93  srli t6, t6, 0x20
     14: 000fb583  ld a1, 0(t6)
     18: 02081f93  slli t6, a6, 0x20
     1c: 020fdf93  srli t6, t6, 0x20
     20: 00bfb423  sd a1, 8(t6)
     24: 00008067  jalr zero, 0(ra)
func 1 (fixed):
     28: 00700313  addi t1, zero, 7
     2c: 06600223  sb t1, 100(zero)
     30: 06404503  lbu a0, 100(zero)
     34: 000012b7  lui t0, 0x1
     38: 00429583  lh a1, 4(t0)
     3c: 00b5053b  addw a0, a0, a1
     40: 00008067  jalr zero, 0(ra)
func 2 (grow):
     44: ff010113  addi sp, sp, -16
     48: 02416063  bltu sp, tp, 0xffffffffa0000068
     4c: 00050813  addi a6, a0, 0
     50: 00080513  addi a0, a6, 0
     54: ffe00893  addi a7, zero, -2
     58: 00000073  ecall
     5c: ff023503  ld a0, -16(tp)
     60: 01010113  addi sp, sp, 16
     64: 00008067  jalr zero, 0(ra)
     68: 00700513  addi a0, zero, 7
     6c: fff00893  addi a7, zero, -1
     70: 00000073  ecall
func 3 (sum3):
     74: 00050813  addi a6, a0, 0
     78: 02081f93  slli t6, a6, 0x20
     7c: 020fdf93  srli t6, t6, 0x20
     80: 000fa503  lw a0, 0(t6)
     84: 004fa583  lw a1, 4(t6)
     88: 008fa603  lw a2, 8(t6)
     8c: 00c585bb  addw a1, a1, a2
     90: 00b5053b  addw a0, a0, a1
     94: 00008067  jalr zero, 0(ra)
