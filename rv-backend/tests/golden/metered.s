return stub:
      0: 00000073  ecall
func 0:
      4: 02051513  slli a0, a0, 0x20
      8: 02055513  srli a0, a0, 0x20
      c: 02059593  slli a1, a1, 0x20
     10: 0205d593  srli a1, a1, 0x20
     14: 000028b7  lui a7, 0x2
     18: 71b8889b  addiw a7, a7, 1819
     1c: 00000073  ecall
     20: 00008067  jalr zero, 0(ra)
func 1 (call):
     24: ff010113  addi sp, sp, -16
     28: 02416a63  bltu sp, tp, 0xffffffffa000005c
     2c: ff418193  addi gp, gp, -12
     30: 00000513  addi a0, zero, 0
     34: 02000593  addi a1, zero, 32
     38: 02051513  slli a0, a0, 0x20
     3c: 02055513  srli a0, a0, 0x20
     40: 02059593  slli a1, a1, 0x20
     44: 0205d593  srli a1, a1, 0x20
     48: 000028b7  lui a7, 0x2
     4c: 71b8889b  addiw a7, a7, 1819
     50: 00000073  ecall
     54: 01010113  addi sp, sp, 16
     58: 00008067  jalr zero, 0(ra)
     5c: 00700513  addi a0, zero, 7
     60: fff00893  addi a7, zero, -1
     64: 00000073  ecall
func 2 (spin):
     68: 00050813  addi a6, a0, 0
     6c: ffe18193  addi gp, gp, -2
     70: ffb18193  addi gp, gp, -5
     74: fff8081b  addiw a6, a6, -1
     78: 0001c863  blt gp, zero, 0xffffffffa0000088
     7c: fe081ae3  bne a6, zero, 0xffffffffa0000070
     80: 00080513  addi a0, a6, 0
     84: 00008067  jalr zero, 0(ra)
     88: 00000513  addi a0, zero, 0
     8c: fff00893  addi a7, zero, -1
     90: 00000073  ecall
