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
     28: 04416263  bltu sp, tp, 0xffffffffa000006c
     2c: ff418193  addi gp, gp, -12
     30: 0201c863  blt gp, zero, 0xffffffffa0000060
     34: 00000513  addi a0, zero, 0
     38: 02000593  addi a1, zero, 32
     3c: 02051513  slli a0, a0, 0x20
     40: 02055513  srli a0, a0, 0x20
     44: 02059593  slli a1, a1, 0x20
     48: 0205d593  srli a1, a1, 0x20
     4c: 000028b7  lui a7, 0x2
     50: 71b8889b  addiw a7, a7, 1819
     54: 00000073  ecall
     58: 01010113  addi sp, sp, 16
     5c: 00008067  jalr zero, 0(ra)
     60: 00000513  addi a0, zero, 0
     64: fff00893  addi a7, zero, -1
     68: 00000073  ecall
     6c: 00700513  addi a0, zero, 7
     70: fff00893  addi a7, zero, -1
     74: 00000073  ecall
