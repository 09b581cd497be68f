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
     28: 06416063  bltu sp, tp, 0xffffffffa0000088
     2c: 00813023  sd s0, 0(sp)
     30: 00913423  sd s1, 8(sp)
     34: 01213823  sd s2, 16(sp)
     38: 01313c23  sd s3, 24(sp)
     3c: 03413023  sd s4, 32(sp)
     40: 00050e13  addi t3, a0, 0
     44: 00058e93  addi t4, a1, 0
     48: 00060f13  addi t5, a2, 0
     4c: 00068f93  addi t6, a3, 0
     50: 00070413  addi s0, a4, 0
     54: 00078493  addi s1, a5, 0
     58: 00080913  addi s2, a6, 0
     5c: 00088993  addi s3, a7, 0
     60: 03013283  ld t0, 48(sp)
     64: 00028a13  addi s4, t0, 0
     68: 014e053b  addw a0, t3, s4
     6c: 00013403  ld s0, 0(sp)
     70: 00813483  ld s1, 8(sp)
     74: 01013903  ld s2, 16(sp)
     78: 01813983  ld s3, 24(sp)
     7c: 02013a03  ld s4, 32(sp)
     80: 03010113  addi sp, sp, 48
     84: 00008067  jalr zero, 0(ra)
     88: 00700513  addi a0, zero, 7
     8c: fff00893  addi a7, zero, -1
     90: 00000073  ecall
func 3:
     94: 00050813  addi a6, a0, 0
     98: 00080513  addi a0, a6, 0
     9c: 00100593  addi a1, zero, 1
     a0: 00008067  jalr zero, 0(ra)
func 4 (direct):
     a4: fa010113  addi sp, sp, -96
     a8: 04416663  bltu sp, tp, 0xffffffffa00000f4
     ac: 00113423  sd ra, 8(sp)
     b0: 00813823  sd s0, 16(sp)
     b4: 00050413  addi s0, a0, 0
     b8: 00040513  addi a0, s0, 0
     bc: 00100593  addi a1, zero, 1
     c0: 00200613  addi a2, zero, 2
     c4: 00300693  addi a3, zero, 3
     c8: 00400713  addi a4, zero, 4
     cc: 00500793  addi a5, zero, 5
     d0: 00600813  addi a6, zero, 6
     d4: 00700893  addi a7, zero, 7
     d8: 00800293  addi t0, zero, 8
     dc: 00513023  sd t0, 0(sp)
     e0: f45ff0ef  jal ra, 0xffffffffa0000024
     e4: 01013403  ld s0, 16(sp)
     e8: 00813083  ld ra, 8(sp)
     ec: 06010113  addi sp, sp, 96
     f0: 00008067  jalr zero, 0(ra)
     f4: 00700513  addi a0, zero, 7
     f8: fff00893  addi a7, zero, -1
     fc: 00000073  ecall
func 5 (indirect):
    100: fd010113  addi sp, sp, -48
    104: 08416663  bltu sp, tp, 0xffffffffa0000190
    108: 00113023  sd ra, 0(sp)
    10c: 00813423  sd s0, 8(sp)
    110: 00913823  sd s1, 16(sp)
    114: 00050413  addi s0, a0, 0
    118: 00058493  addi s1, a1, 0
    11c: 00040393  addi t2, s0, 0
    120: 00048513  addi a0, s1, 0
    124: 00300593  addi a1, zero, 3
    128: fe823283  ld t0, -24(tp)
    12c: 0453f663  bgeu t2, t0, 0xffffffffa0000178
    130: 00339393  slli t2, t2, 0x3
    134: 800002b7  lui t0, 0x80000
    138: 005383b3  add t2, t2, t0
    13c: 0003b383  ld t2, 0(t2)
    140: 04038263  beq t2, zero, 0xffffffffa0000184
    144: 0003b283  ld t0, 0(t2)
    148: 00000313  addi t1, zero, 0
    14c: 02629063  bne t0, t1, 0xffffffffa000016c
    150: 0083b383  ld t2, 8(t2)
    154: 000380e7  jalr ra, 0(t2)
    158: 00813403  ld s0, 8(sp)
    15c: 01013483  ld s1, 16(sp)
    160: 00013083  ld ra, 0(sp)
    164: 03010113  addi sp, sp, 48
    168: 00008067  jalr zero, 0(ra)
    16c: 00400513  addi a0, zero, 4
    170: fff00893  addi a7, zero, -1
    174: 00000073  ecall
    178: 00500513  addi a0, zero, 5
    17c: fff00893  addi a7, zero, -1
    180: 00000073  ecall
    184: 00600513  addi a0, zero, 6
    188: fff00893  addi a7, zero, -1
    18c: 00000073  ecall
    190: 00700513  addi a0, zero, 7
    194: fff00893  addi a7, zero, -1
    198: 00000073  ecall
func 6 (multi):
    19c: fe010113  addi sp, sp, -32
    1a0: 02416663  bltu sp, tp, 0xffffffffa00001cc
    1a4: 00113023  sd ra, 0(sp)
    1a8: 00813423  sd s0, 8(sp)
    1ac: 00050413  addi s0, a0, 0
    1b0: 00040513  addi a0, s0, 0
    1b4: ee1ff0ef  jal ra, 0xffffffffa0000094
    1b8: 40b50533  sub a0, a0, a1
    1bc: 00813403  ld s0, 8(sp)
    1c0: 00013083  ld ra, 0(sp)
    1c4: 02010113  addi sp, sp, 32
    1c8: 00008067  jalr zero, 0(ra)
    1cc: 00700513  addi a0, zero, 7
    1d0: fff00893  addi a7, zero, -1
    1d4: 00000073  ecall
