return stub:
      0: 00000073  ecall
func 0 (clz32):
      4: 00050813  addi a6, a0, 0
      8: 00181293  slli t0, a6, 0x1
      c: 0012e293  ori t0, t0, 1
     10: 01f29293  slli t0, t0, 0x1f
     14: 00000313  addi t1, zero, 0
     18: 0202d393  srli t2, t0, 0x20
     1c: 00039663  bne t2, zero, 0xffffffffa0000028
     20: 02030313  addi t1, t1, 32
     24: 02029293  slli t0, t0, 0x20
     28: 0302d393  srli t2, t0, 0x30
     2c: 00039663  bne t2, zero, 0xffffffffa0000038
     30: 01030313  addi t1, t1, 16
     34: 01029293  slli t0, t0, 0x10
     38: 0382d393  srli t2, t0, 0x38
     3c: 00039663  bne t2, zero, 0xffffffffa0000048
     40: 00830313  addi t1, t1, 8
     44: 00829293  slli t0, t0, 0x8
     48: 03c2d393  srli t2, t0, 0x3c
     4c: 00039663  bne t2, zero, 0xffffffffa0000058
     50: 00430313  addi t1, t1, 4
     54: 00429293  slli t0, t0, 0x4
     58: 03e2d393  srli t2, t0, 0x3e
     5c: 00039663  bne t2, zero, 0xffffffffa0000068
     60: 00230313  addi t1, t1, 2
     64: 00229293  slli t0, t0, 0x2
     68: 03f2d393  srli t2, t0, 0x3f
     6c: 00039463  bne t2, zero, 0xffffffffa0000074
     70: 00130313  addi t1, t1, 1
     74: 00030513  addi a0, t1, 0
     78: 00008067  jalr zero, 0(ra)
func 1 (ctz64):
     7c: 00050813  addi a6, a0, 0
     80: fff80313  addi t1, a6, -1
     84: fff84293  xori t0, a6, -1
     88: 0062f2b3  and t0, t0, t1
     8c: 0012d313  srli t1, t0, 0x1
     90: fd823383  ld t2, -40(tp)
     94: 00737333  and t1, t1, t2
     98: 406282b3  sub t0, t0, t1
     9c: fd023383  ld t2, -48(tp)
     a0: 0072f333  and t1, t0, t2
     a4: 0022d293  srli t0, t0, 0x2
     a8: 0072f2b3  and t0, t0, t2
     ac: 006282b3  add t0, t0, t1
     b0: 0042d313  srli t1, t0, 0x4
     b4: 006282b3  add t0, t0, t1
     b8: fc823383  ld t2, -56(tp)
     bc: 0072f2b3  and t0, t0, t2
     c0: fc023383  ld t2, -64(tp)
     c4: 027282b3  mul t0, t0, t2
     c8: 0382d513  srli a0, t0, 0x38
     cc: 00008067  jalr zero, 0(ra)
func 2 (popcnt32):
     d0: 00050813  addi a6, a0, 0
     d4: 02081293  slli t0, a6, 0x20
     d8: 0202d293  srli t0, t0, 0x20
     dc: 0012d313  srli t1, t0, 0x1
     e0: fd823383  ld t2, -40(tp)
     e4: 00737333  and t1, t1, t2
     e8: 406282b3  sub t0, t0, t1
     ec: fd023383  ld t2, -48(tp)
     f0: 0072f333  and t1, t0, t2
     f4: 0022d293  srli t0, t0, 0x2
     f8: 0072f2b3  and t0, t0, t2
     fc: 006282b3  add t0, t0, t1
    100: 0042d313  srli t1, t0, 0x4
    104: 006282b3  add t0, t0, t1
    108: fc823383  ld t2, -56(tp)
    10c: 0072f2b3  and t0, t0, t2
    110: fc023383  ld t2, -64(tp)
    114: 027282b3  mul t0, t0, t2
    118: 0382d513  srli a0, t0, 0x38
    11c: 00008067  jalr zero, 0(ra)
func 3 (rotl64):
    120: 00050813  addi a6, a0, 0
    124: 00058e13  addi t3, a1, 0
    128: 01c813b3  sll t2, a6, t3
    12c: 41c00333  sub t1, zero, t3
    130: 00685333  srl t1, a6, t1
    134: 0063e533  or a0, t2, t1
    138: 00008067  jalr zero, 0(ra)
func 4 (rotr32_3):
    13c: 00050813  addi a6, a0, 0
    140: 01d8139b  slliw t2, a6, 0x1d
    144: 0038531b  srliw t1, a6, 0x3
    148: 0063e533  or a0, t2, t1
    14c: 00008067  jalr zero, 0(ra)
