return stub:
      0: 00000073  ecall
func 0 (clz32):
      4: ff010113  addi sp, sp, -16
      8: 08416463  bltu sp, tp, 0xffffffffa0000090
      c: 00813023  sd s0, 0(sp)
     10: 00050413  addi s0, a0, 0
     14: 00141293  slli t0, s0, 0x1
     18: 0012e293  ori t0, t0, 1
     1c: 01f29293  slli t0, t0, 0x1f
     20: 00000313  addi t1, zero, 0
     24: 0202d393  srli t2, t0, 0x20
     28: 00039663  bne t2, zero, 0xffffffffa0000034
     2c: 02030313  addi t1, t1, 32
     30: 02029293  slli t0, t0, 0x20
     34: 0302d393  srli t2, t0, 0x30
     38: 00039663  bne t2, zero, 0xffffffffa0000044
     3c: 01030313  addi t1, t1, 16
     40: 01029293  slli t0, t0, 0x10
     44: 0382d393  srli t2, t0, 0x38
     48: 00039663  bne t2, zero, 0xffffffffa0000054
     4c: 00830313  addi t1, t1, 8
     50: 00829293  slli t0, t0, 0x8
     54: 03c2d393  srli t2, t0, 0x3c
     58: 00039663  bne t2, zero, 0xffffffffa0000064
     5c: 00430313  addi t1, t1, 4
     60: 00429293  slli t0, t0, 0x4
     64: 03e2d393  srli t2, t0, 0x3e
     68: 00039663  bne t2, zero, 0xffffffffa0000074
     6c: 00230313  addi t1, t1, 2
     70: 00229293  slli t0, t0, 0x2
     74: 03f2d393  srli t2, t0, 0x3f
     78: 00039463  bne t2, zero, 0xffffffffa0000080
     7c: 00130313  addi t1, t1, 1
     80: 00030513  addi a0, t1, 0
     84: 00013403  ld s0, 0(sp)
     88: 01010113  addi sp, sp, 16
     8c: 00008067  jalr zero, 0(ra)
     90: 00700513  addi a0, zero, 7
     94: fff00893  addi a7, zero, -1
     98: 00000073  ecall
func 1 (ctz64):
     9c: ff010113  addi sp, sp, -16
     a0: 06416263  bltu sp, tp, 0xffffffffa0000104
     a4: 00813023  sd s0, 0(sp)
     a8: 00050413  addi s0, a0, 0
     ac: fff40313  addi t1, s0, -1
     b0: fff44293  xori t0, s0, -1
     b4: 0062f2b3  and t0, t0, t1
     b8: 0012d313  srli t1, t0, 0x1
     bc: fd823383  ld t2, -40(tp)
     c0: 00737333  and t1, t1, t2
     c4: 406282b3  sub t0, t0, t1
     c8: fd023383  ld t2, -48(tp)
     cc: 0072f333  and t1, t0, t2
     d0: 0022d293  srli t0, t0, 0x2
     d4: 0072f2b3  and t0, t0, t2
     d8: 006282b3  add t0, t0, t1
     dc: 0042d313  srli t1, t0, 0x4
     e0: 006282b3  add t0, t0, t1
     e4: fc823383  ld t2, -56(tp)
     e8: 0072f2b3  and t0, t0, t2
     ec: fc023383  ld t2, -64(tp)
     f0: 027282b3  mul t0, t0, t2
     f4: 0382d513  srli a0, t0, 0x38
     f8: 00013403  ld s0, 0(sp)
     fc: 01010113  addi sp, sp, 16
    100: 00008067  jalr zero, 0(ra)
    104: 00700513  addi a0, zero, 7
    108: fff00893  addi a7, zero, -1
    10c: 00000073  ecall
func 2 (popcnt32):
    110: ff010113  addi sp, sp, -16
    114: 06416063  bltu sp, tp, 0xffffffffa0000174
    118: 00813023  sd s0, 0(sp)
    11c: 00050413  addi s0, a0, 0
    120: 02041293  slli t0, s0, 0x20
    124: 0202d293  srli t0, t0, 0x20
    128: 0012d313  srli t1, t0, 0x1
    12c: fd823383  ld t2, -40(tp)
    130: 00737333  and t1, t1, t2
    134: 406282b3  sub t0, t0, t1
    138: fd023383  ld t2, -48(tp)
    13c: 0072f333  and t1, t0, t2
    140: 0022d293  srli t0, t0, 0x2
    144: 0072f2b3  and t0, t0, t2
    148: 006282b3  add t0, t0, t1
    14c: 0042d313  srli t1, t0, 0x4
    150: 006282b3  add t0, t0, t1
    154: fc823383  ld t2, -56(tp)
    158: 0072f2b3  and t0, t0, t2
    15c: fc023383  ld t2, -64(tp)
    160: 027282b3  mul t0, t0, t2
    164: 0382d513  srli a0, t0, 0x38
    168: 00013403  ld s0, 0(sp)
    16c: 01010113  addi sp, sp, 16
    170: 00008067  jalr zero, 0(ra)
    174: 00700513  addi a0, zero, 7
    178: fff00893  addi a7, zero, -1
    17c: 00000073  ecall
func 3 (rotl64):
    180: fe010113  addi sp, sp, -32
    184: 02416a63  bltu sp, tp, 0xffffffffa00001b8
    188: 00813023  sd s0, 0(sp)
    18c: 00913423  sd s1, 8(sp)
    190: 00050413  addi s0, a0, 0
    194: 00058493  addi s1, a1, 0
    198: 009413b3  sll t2, s0, s1
    19c: 40900333  sub t1, zero, s1
    1a0: 00645333  srl t1, s0, t1
    1a4: 0063e533  or a0, t2, t1
    1a8: 00013403  ld s0, 0(sp)
    1ac: 00813483  ld s1, 8(sp)
    1b0: 02010113  addi sp, sp, 32
    1b4: 00008067  jalr zero, 0(ra)
    1b8: 00700513  addi a0, zero, 7
    1bc: fff00893  addi a7, zero, -1
    1c0: 00000073  ecall
func 4 (rotr32_3):
    1c4: fe010113  addi sp, sp, -32
    1c8: 02416263  bltu sp, tp, 0xffffffffa00001ec
    1cc: 00813023  sd s0, 0(sp)
    1d0: 00050413  addi s0, a0, 0
    1d4: 01d4139b  slliw t2, s0, 0x1d
    1d8: 0034531b  srliw t1, s0, 0x3
    1dc: 0063e533  or a0, t2, t1
    1e0: 00013403  ld s0, 0(sp)
    1e4: 02010113  addi sp, sp, 32
    1e8: 00008067  jalr zero, 0(ra)
    1ec: 00700513  addi a0, zero, 7
    1f0: fff00893  addi a7, zero, -1
    1f4: 00000073  ecall
