return stub:
      0: 00000073  ecall
func 0 (copy_word):
      4: 00050813  addi a6, a0, 0
      8: 00058e13  addi t3, a1, 0
      c: 000e4a63  blt t3, zero, 0xffffffffa0000020
     10: 000e3583  ld a1, 0(t3)
     14: 00084663  blt a6, zero, 0xffffffffa0000020
     18: 00b83423  sd a1, 8(a6)
     1c: 00008067  jalr zero, 0(ra)
     20: 00300513  addi a0, zero, 3
     24: fff00893  addi a7, zero, -1
     28: 00000073  ecall
func 1 (fixed):
     2c: 00700313  addi t1, zero, 7
     30: 06600223  sb t1, 100(zero)
     34: 06404503  lbu a0, 100(zero)
     38: 000012b7  lui t0, 0x1
     3c: 00429583  lh a1, 4(t0)
     40: 00b5053b  addw a0, a0, a1
     44: 00008067  jalr zero, 0(ra)
func 2 (grow):
     48: ff010113  addi sp, sp, -16
     4c: 02416063  bltu sp, tp, 0xffffffffa000006c
     50: 00050813  addi a6, a0, 0
     54: 00080513  addi a0, a6, 0
     58: ffe00893  addi a7, zero, -2
     5c: 00000073  ecall
     60: ff023503  ld a0, -16(tp)
     64: 01010113  addi sp, sp, 16
     68: 00008067  jalr zero, 0(ra)
     6c: 00700513  addi a0, zero, 7
     70: fff00893  addi a7, zero, -1
     74: 00000073  ecall
func 3 (sum3):
     78: 00050813  addi a6, a0, 0
     7c: 00084e63  blt a6, zero, 0xffffffffa0000098
     80: 00082503  lw a0, 0(a6)
     84: 00482583  lw a1, 4(a6)
     88: 00882603  lw a2, 8(a6)
     8c: 00c585bb  addw a1, a1, a2
     90: 00b5053b  addw a0, a0, a1
     94: 00008067  jalr zero, 0(ra)
     98: 00300513  addi a0, zero, 3
     9c: fff00893  addi a7, zero, -1
     a0: 00000073  ecall
