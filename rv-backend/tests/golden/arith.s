return stub:
      0: 00000073  ecall
func 0 (mix32):
      4: fd010113  addi sp, sp, -48
      8: 02416a63  bltu sp, tp, 0xffffffffa000003c
      c: 00813023  sd s0, 0(sp)
     10: 00913423  sd s1, 8(sp)
     14: 00050413  addi s0, a0, 0
     18: 00058493  addi s1, a1, 0
     1c: 0094053b  addw a0, s0, s1
     20: 0035151b  slliw a0, a0, 0x3
     24: 3e84059b  addiw a1, s0, 1000
     28: 40b5053b  subw a0, a0, a1
     2c: 00013403  ld s0, 0(sp)
     30: 00813483  ld s1, 8(sp)
     34: 03010113  addi sp, sp, 48
     38: 00008067  jalr zero, 0(ra)
     3c: 00700513  addi a0, zero, 7
     40: fff00893  addi a7, zero, -1
     44: 00000073  ecall
func 1 (mix64):
     48: fd010113  addi sp, sp, -48
     4c: 02416863  bltu sp, tp, 0xffffffffa000007c
     50: 00813023  sd s0, 0(sp)
     54: 00913423  sd s1, 8(sp)
     58: 00050413  addi s0, a0, 0
     5c: 00058493  addi s1, a1, 0
     60: 00341513  slli a0, s0, 0x3
     64: 0084d5b3  srl a1, s1, s0
     68: 00b54533  xor a0, a0, a1
     6c: 00013403  ld s0, 0(sp)
     70: 00813483  ld s1, 8(sp)
     74: 03010113  addi sp, sp, 48
     78: 00008067  jalr zero, 0(ra)
     7c: 00700513  addi a0, zero, 7
     80: fff00893  addi a7, zero, -1
     84: 00000073  ecall
func 2 (folded):
     88: fe010113  addi sp, sp, -32
     8c: 00416863  bltu sp, tp, 0xffffffffa000009c
     90: 02a00513  addi a0, zero, 42
     94: 02010113  addi sp, sp, 32
     98: 00008067  jalr zero, 0(ra)
     9c: 00700513  addi a0, zero, 7
     a0: fff00893  addi a7, zero, -1
     a4: 00000073  ecall
func 3 (cmp):
     a8: fd010113  addi sp, sp, -48
     ac: 02416c63  bltu sp, tp, 0xffffffffa00000e4
     b0: 00813023  sd s0, 0(sp)
     b4: 00913423  sd s1, 8(sp)
     b8: 00050413  addi s0, a0, 0
     bc: 00058493  addi s1, a1, 0
     c0: 00943533  sltu a0, s0, s1
     c4: ffb00313  addi t1, zero, -5
     c8: 006425b3  slt a1, s0, t1
     cc: 0015c593  xori a1, a1, 1
     d0: 00b57533  and a0, a0, a1
     d4: 00013403  ld s0, 0(sp)
     d8: 00813483  ld s1, 8(sp)
     dc: 03010113  addi sp, sp, 48
     e0: 00008067  jalr zero, 0(ra)
     e4: 00700513  addi a0, zero, 7
     e8: fff00893  addi a7, zero, -1
     ec: 00000073  ecall
func 4 (widen):
     f0: fe010113  addi sp, sp, -32
     f4: 02416263  bltu sp, tp, 0xffffffffa0000118
     f8: 00813023  sd s0, 0(sp)
     fc: 00050413  addi s0, a0, 0
    100: 02041513  slli a0, s0, 0x20
    104: 02055513  srli a0, a0, 0x20
    108: 00850533  add a0, a0, s0
    10c: 00013403  ld s0, 0(sp)
    110: 02010113  addi sp, sp, 32
    114: 00008067  jalr zero, 0(ra)
    118: 00700513  addi a0, zero, 7
    11c: fff00893  addi a7, zero, -1
    120: 00000073  ecall
