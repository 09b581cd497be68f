return stub:
      0: 00000073  ecall
func 0:
      4: fe010113  addi sp, sp, -32
      8: 02416463  bltu sp, tp, 0xffffffffa0000030
      c: 00813023  sd s0, 0(sp)
     10: 00913423  sd s1, 8(sp)
     14: 00050413  addi s0, a0, 0
     18: 00058493  addi s1, a1, 0
     1c: 0094053b  addw a0, s0, s1
     20: 00013403  ld s0, 0(sp)
     24: 00813483  ld s1, 8(sp)
     28: 02010113  addi sp, sp, 32
     2c: 00008067  jalr zero, 0(ra)
     30: 00700513  addi a0, zero, 7
     34: fff00893  addi a7, zero, -1
     38: 00000073  ecall
func 1:
     3c: fe010113  addi sp, sp, -32
     40: 02416463  bltu sp, tp, 0xffffffffa0000068
     44: 00813023  sd s0, 0(sp)
     48: 00913423  sd s1, 8(sp)
     4c: 00050413  addi s0, a0, 0
     50: 00058493  addi s1, a1, 0
     54: 4094053b  subw a0, s0, s1
     58: 00013403  ld s0, 0(sp)
     5c: 00813483  ld s1, 8(sp)
     60: 02010113  addi sp, sp, 32
     64: 00008067  jalr zero, 0(ra)
     68: 00700513  addi a0, zero, 7
     6c: fff00893  addi a7, zero, -1
     70: 00000073  ecall
func 2:
     74: fa010113  addi sp, sp, -96
     78: 08416063  bltu sp, tp, 0xffffffffa00000f8
     7c: 00813023  sd s0, 0(sp)
     80: 00913423  sd s1, 8(sp)
     84: 01213823  sd s2, 16(sp)
     88: 01313c23  sd s3, 24(sp)
     8c: 03413023  sd s4, 32(sp)
     90: 03513423  sd s5, 40(sp)
     94: 03613823  sd s6, 48(sp)
     98: 03713c23  sd s7, 56(sp)
     9c: 05813023  sd s8, 64(sp)
     a0: 00050413  addi s0, a0, 0
     a4: 00058493  addi s1, a1, 0
     a8: 00060913  addi s2, a2, 0
     ac: 00068993  addi s3, a3, 0
     b0: 00070a13  addi s4, a4, 0
     b4: 00078a93  addi s5, a5, 0
     b8: 00080b13  addi s6, a6, 0
     bc: 00088b93  addi s7, a7, 0
     c0: 06013283  ld t0, 96(sp)
     c4: 00028c13  addi s8, t0, 0
     c8: 0184053b  addw a0, s0, s8
     cc: 00013403  ld s0, 0(sp)
     d0: 00813483  ld s1, 8(sp)
     d4: 01013903  ld s2, 16(sp)
     d8: 01813983  ld s3, 24(sp)
     dc: 02013a03  ld s4, 32(sp)
     e0: 02813a83  ld s5, 40(sp)
     e4: 03013b03  ld s6, 48(sp)
     e8: 03813b83  ld s7, 56(sp)
     ec: 04013c03  ld s8, 64(sp)
     f0: 06010113  addi sp, sp, 96
     f4: 00008067  jalr zero, 0(ra)
     f8: 00700513  addi a0, zero, 7
     fc: fff00893  addi a7, zero, -1
    100: 00000073  ecall
func 3:
    104: fe010113  addi sp, sp, -32
    108: 02416063  bltu sp, tp, 0xffffffffa0000128
    10c: 00813023  sd s0, 0(sp)
    110: 00050413  addi s0, a0, 0
    114: 00040513  addi a0, s0, 0
    118: 00100593  addi a1, zero, 1
    11c: 00013403  ld s0, 0(sp)
    120: 02010113  addi sp, sp, 32
    124: 00008067  jalr zero, 0(ra)
    128: 00700513  addi a0, zero, 7
    12c: fff00893  addi a7, zero, -1
    130: 00000073  ecall
func 4 (direct):
    134: fa010113  addi sp, sp, -96
    138: 04416663  bltu sp, tp, 0xffffffffa0000184
    13c: 00113423  sd ra, 8(sp)
    140: 00813823  sd s0, 16(sp)
    144: 00050413  addi s0, a0, 0
    148: 00040513  addi a0, s0, 0
    14c: 00100593  addi a1, zero, 1
    150: 00200613  addi a2, zero, 2
    154: 00300693  addi a3, zero, 3
    158: 00400713  addi a4, zero, 4
    15c: 00500793  addi a5, zero, 5
    160: 00600813  addi a6, zero, 6
    164: 00700893  addi a7, zero, 7
    168: 00800293  addi t0, zero, 8
    16c: 00513023  sd t0, 0(sp)
    170: f05ff0ef  jal ra, 0xffffffffa0000074
    174: 01013403  ld s0, 16(sp)
    178: 00813083  ld ra, 8(sp)
    17c: 06010113  addi sp, sp, 96
    180: 00008067  jalr zero, 0(ra)
    184: 00700513  addi a0, zero, 7
    188: fff00893  addi a7, zero, -1
    18c: 00000073  ecall
func 5 (indirect):
    190: fd010113  addi sp, sp, -48
    194: 08416663  bltu sp, tp, 0xffffffffa0000220
    198: 00113023  sd ra, 0(sp)
    19c: 00813423  sd s0, 8(sp)
    1a0: 00913823  sd s1, 16(sp)
    1a4: 00050413  addi s0, a0, 0
    1a8: 00058493  addi s1, a1, 0
    1ac: 00040393  addi t2, s0, 0
    1b0: 00048513  addi a0, s1, 0
    1b4: 00300593  addi a1, zero, 3
    1b8: fe823283  ld t0, -24(tp)
    1bc: 0453f663  bgeu t2, t0, 0xffffffffa0000208
    1c0: 00339393  slli t2, t2, 0x3
    1c4: 800002b7  lui t0, 0x80000
    1c8: 005383b3  add t2, t2, t0
    1cc: 0003b383  ld t2, 0(t2)
    1d0: 04038263  beq t2, zero, 0xffffffffa0000214
    1d4: 0003b283  ld t0, 0(t2)
    1d8: 00000313  addi t1, zero, 0
    1dc: 02629063  bne t0, t1, 0xffffffffa00001fc
    1e0: 0083b383  ld t2, 8(t2)
    1e4: 000380e7  jalr ra, 0(t2)
    1e8: 00813403  ld s0, 8(sp)
    1ec: 01013483  ld s1, 16(sp)
    1f0: 00013083  ld ra, 0(sp)
    1f4: 03010113  addi sp, sp, 48
    1f8: 00008067  jalr zero, 0(ra)
    1fc: 00400513  addi a0, zero, 4
    200: fff00893  addi a7, zero, -1
    204: 00000073  ecall
    208: 00500513  addi a0, zero, 5
    20c: fff00893  addi a7, zero, -1
    210: 00000073  ecall
    214: 00600513  addi a0, zero, 6
    218: fff00893  addi a7, zero, -1
    21c: 00000073  ecall
    220: 00700513  addi a0, zero, 7
    224: fff00893  addi a7, zero, -1
    228: 00000073  ecall
func 6 (multi):
    22c: fe010113  addi sp, sp, -32
    230: 02416663  bltu sp, tp, 0xffffffffa000025c
    234: 00113023  sd ra, 0(sp)
    238: 00813423  sd s0, 8(sp)
    23c: 00050413  addi s0, a0, 0
    240: 00040513  addi a0, s0, 0
    244: ec1ff0ef  jal ra, 0xffffffffa0000104
    248: 40b50533  sub a0, a0, a1
    24c: 00813403  ld s0, 8(sp)
    250: 00013083  ld ra, 0(sp)
    254: 02010113  addi sp, sp, 32
    258: 00008067  jalr zero, 0(ra)
    25c: 00700513  addi a0, zero, 7
    260: fff00893  addi a7, zero, -1
    264: 00000073  ecall
