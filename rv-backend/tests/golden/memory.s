return stub:
      0: 00000073  ecall
func 0 (copy_word):
      4: fe010113  addi sp, sp, -32
      8: 02416e63  bltu sp, tp, 0xffffffffa0000044
      c: 00813023  sd s0, 0(sp)
     10: 00913423  sd s1, 8(sp)
     14: 00050413  addi s0, a0, 0
     18: 00058493  addi s1, a1, 0
     1c: 02049f93  slli t6, s1, 0x20
     20: 020fdf93  srli t6, t6, 0x20
     24: 000fb583  ld a1, 0(t6)
     28: 02041f93  slli t6, s0, 0x20
     2c: 020fdf93  srli t6, t6, 0x20
     30: 00bfb423  sd a1, 8(t6)
     34: 00013403  ld s0, 0(sp)
     38: 00813483  ld s1, 8(sp)
     3c: 02010113  addi sp, sp, 32
     40: 00008067  jalr zero, 0(ra)
     44: 00700513  addi a0, zero, 7
     48: fff00893  addi a7, zero, -1
     4c: 00000073  ecall
func 1 (fixed):
     50: ff010113  addi sp, sp, -16
     54: 02416263  bltu sp, tp, 0xffffffffa0000078
     58: 00700313  addi t1, zero, 7
     5c: 06600223  sb t1, 100(zero)
     60: 06404503  lbu a0, 100(zero)
     64: 000012b7  lui t0, 0x1
     68: 00429583  lh a1, 4(t0)
     6c: 00b5053b  addw a0, a0, a1
     70: 01010113  addi sp, sp, 16
     74: 00008067  jalr zero, 0(ra)
     78: 00700513  addi a0, zero, 7
     7c: fff00893  addi a7, zero, -1
     80: 00000073  ecall
func 2 (grow):
     84: ff010113  addi sp, sp, -16
     88: 02416463  bltu sp, tp, 0xffffffffa00000b0
     8c: 00813023  sd s0, 0(sp)
     90: 00050413  addi s0, a0, 0
     94: 00040513  addi a0, s0, 0
     98: ffe00893  addi a7, zero, -2
     9c: 00000073  ecall
     a0: ff023503  ld a0, -16(tp)
     a4: 00013403  ld s0, 0(sp)
     a8: 01010113  addi sp, sp, 16
     ac: 00008067  jalr zero, 0(ra)
     b0: 00700513  addi a0, zero, 7
     b4: fff00893  addi a7, zero, -1
     b8: 00000073  ecall
func 3 (sum3):
     bc: fe010113  addi sp, sp, -32
     c0: 02416a63  bltu sp, tp, 0xffffffffa00000f4
     c4: 00813023  sd s0, 0(sp)
     c8: 00050413  addi s0, a0, 0
     cc: 02041f93  slli t6, s0, 0x20
     d0: 020fdf93  srli t6, t6, 0x20
     d4: 000fa503  lw a0, 0(t6)
     d8: 004fa583  lw a1, 4(t6)
     dc: 008fa603  lw a2, 8(t6)
     e0: 00c585bb  addw a1, a1, a2
     e4: 00b5053b  addw a0, a0, a1
     e8: 00013403  ld s0, 0(sp)
     ec: 02010113  addi sp, sp, 32
     f0: 00008067  jalr zero, 0(ra)
     f4: 00700513  addi a0, zero, 7
     f8: fff00893  addi a7, zero, -1
     fc: 00000073  ecall
