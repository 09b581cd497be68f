return stub:
      0: 00000073  ecall
func 0:
      4: 00050813  addi a6, a0, 0
      8: 00058e13  addi t3, a1, 0
      c: 01c8053b  addw a0, a6, t3
     10: 00008067  jalr zero, 0(ra)
func 1:
     14: 00050813  addi a6, a0, 0
     18: 00058e13  addi t3, a1, 0
     1c: 41c8053b  subw a0, a6, t3
     20: 00008067  jalr zero, 0(ra)
func 2:
     24: fd010113  addi sp, sp, -48
     28: 06416463  bltu sp, tp, 0xffffffffa0000090
     2c: 00813023  sd s0, 0(sp)
     30: 00913423  sd s1, 8(sp)
     34: 01213823  sd s2, 16(sp)
     38: 01313c23  sd s3, 24(sp)
     3c: 03413023  sd s4, 32(sp)
     40: 03513423  sd s5, 40(sp)
     44: 00050e13  addi t3, a0, 0
     48: 00058e93  addi t4, a1, 0
     4c: 00060f13  addi t5, a2, 0
     50: 00068413  addi s0, a3, 0
     54: 00070493  addi s1, a4, 0
     58: 00078913  addi s2, a5, 0
     5c: 00080993  addi s3, a6, 0
     60: 00088a13  addi s4, a7, 0
     64: 03013283  ld t0, 48(sp)
     68: 00028a93  addi s5, t0, 0
     6c: 015e053b  addw a0, t3, s5
     70: 00013403  ld s0, 0(sp)
     74: 00813483  ld s1, 8(sp)
     78: 01013903  ld s2, 16(sp)
     7c: 01813983  ld s3, 24(sp)
     80: 02013a03  ld s4, 32(sp)
     84: 02813a83  ld s5, 40(sp)
     88: 03010113  addi sp, sp, 48
     8c: 00008067  jalr zero, 0(ra)
     90: 00700513  addi a0, zero, 7
     94: fff00893  addi a7, zero, -1
     98: 00000073  ecall
func 3:
     9c: 00050813  addi a6, a0, 0
     a0: 00080513  addi a0, a6, 0
     a4: 00100593  addi a1, zero, 1
     a8: 00008067  jalr zero, 0(ra)
func 4 (direct):
     ac: fa010113  addi sp, sp, -96
     b0: 04416663  bltu sp, tp, 0xffffffffa00000fc
     b4: 00113423  sd ra, 8(sp)
     b8: 00813823  sd s0, 16(sp)
     bc: 00050413  addi s0, a0, 0
     c0: 00040513  addi a0, s0, 0
     c4: 00100593  addi a1, zero, 1
     c8: 00200613  addi a2, zero, 2
     cc: 00300693  addi a3, zero, 3
     d0: 00400713  addi a4, zero, 4
     d4: 00500793  addi a5, zero, 5
     d8: 00600813  addi a6, zero, 6
     dc: 00700893  addi a7, zero, 7
     e0: 00800293  addi t0, zero, 8
     e4: 00513023  sd t0, 0(sp)
     e8: f3dff0ef  jal ra, 0xffffffffa0000024
     ec: 01013403  ld s0, 16(sp)
     f0: 00813083  ld ra, 8(sp)
     f4: 06010113  addi sp, sp, 96
     f8: 00008067  jalr zero, 0(ra)
     fc: 00700513  addi a0, zero, 7
    100: fff00893  addi a7, zero, -1
    104: 00000073  ecall
func 5 (indirect):
    108: fd010113  addi sp, sp, -48
    10c: 08416663  bltu sp, tp, 0xffffffffa0000198
    110: 00113023  sd ra, 0(sp)
    114: 00813423  sd s0, 8(sp)
    118: 00913823  sd s1, 16(sp)
    11c: 00050413  addi s0, a0, 0
    120: 00058493  addi s1, a1, 0
    124: 00040393  addi t2, s0, 0
    128: 00048513  addi a0, s1, 0
    12c: 00300593  addi a1, zero, 3
    130: fe823283  ld t0, -24(tp)
    134: 0453f663  bgeu t2, t0, 0xffffffffa0000180
    138: 00339393  slli t2, t2, 0x3
    13c: 800002b7  lui t0, 0x80000
    140: 005383b3  add t2, t2, t0
    144: 0003b383  ld t2, 0(t2)
    148: 04038263  beq t2, zero, 0xffffffffa000018c
    14c: 0003b283  ld t0, 0(t2)
    150: 00000313  addi t1, zero, 0
    154: 02629063  bne t0, t1, 0xffffffffa0000174
    158: 0083b383  ld t2, 8(t2)
    15c: 000380e7  jalr ra, 0(t2)
    160: 00813403  ld s0, 8(sp)
    164: 01013483  ld s1, 16(sp)
    168: 00013083  ld ra, 0(sp)
    16c: 03010113  addi sp, sp, 48
    170: 00008067  jalr zero, 0(ra)
    174: 00400513  addi a0, zero, 4
    178: fff00893  addi a7, zero, -1
    17c: 00000073  ecall
    180: 00500513  addi a0, zero, 5
    184: fff00893  addi a7, zero, -1
    188: 00000073  ecall
    18c: 00600513  addi a0, zero, 6
    190: fff00893  addi a7, zero, -1
    194: 00000073  ecall
    198: 00700513  addi a0, zero, 7
    19c: fff00893  addi a7, zero, -1
    1a0: 00000073  ecall
func 6 (multi):
    1a4: fe010113  addi sp, sp, -32
    1a8: 02416663  bltu sp, tp, 0xffffffffa00001d4
    1ac: 00113023  sd ra, 0(sp)
    1b0: 00813423  sd s0, 8(sp)
    1b4: 00050413  addi s0, a0, 0
    1b8: 00040513  addi a0, s0, 0
    1bc: ee1ff0ef  jal ra, 0xffffffffa000009c
    1c0: 40b50533  sub a0, a0, a1
    1c4: 00813403  ld s0, 8(sp)
    1c8: 00013083  ld ra, 0(sp)
    1cc: 02010113  addi sp, sp, 32
    1d0: 00008067  jalr zero, 0(ra)
    1d4: 00700513  addi a0, zero, 7
    1d8: fff00893  addi a7, zero, -1
    1dc: 00000073  ecall
