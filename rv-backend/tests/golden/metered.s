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
     68: fe010113  addi sp, sp, -32
     6c: 02416e63  bltu sp, tp, 0xffffffffa00000a8
     70: 00813023  sd s0, 0(sp)
     74: 00050413  addi s0, a0, 0
     78: ffe18193  addi gp, gp, -2
     7c: ffb18193  addi gp, gp, -5
     80: fff4041b  addiw s0, s0, -1
     84: 0001cc63  blt gp, zero, 0xffffffffa000009c
     88: fe041ae3  bne s0, zero, 0xffffffffa000007c
     8c: 00040513  addi a0, s0, 0
     90: 00013403  ld s0, 0(sp)
     94: 02010113  addi sp, sp, 32
     98: 00008067  jalr zero, 0(ra)
     9c: 00000513  addi a0, zero, 0
     a0: fff00893  addi a7, zero, -1
     a4: 00000073  ecall
     a8: 00700513  addi a0, zero, 7
     ac: fff00893  addi a7, zero, -1
     b0: 00000073  ecall
