return stub:
      0: 00000073  ecall
func 0 (classify):
      4: ff010113  addi sp, sp, -16
      8: 04416863  bltu sp, tp, 0xffffffffa0000058
      c: 00813023  sd s0, 0(sp)
     10: 00050413  addi s0, a0, 0
     14: 00040393  addi t2, s0, 0
     18: 00038c63  beq t2, zero, 0xffffffffa0000030
     1c: 00100293  addi t0, zero, 1
     20: 00538c63  beq t2, t0, 0xffffffffa0000038
     24: 00200293  addi t0, zero, 2
     28: 00538c63  beq t2, t0, 0xffffffffa0000040
     2c: 01c0006f  jal zero, 0xffffffffa0000048
     30: 00a00513  addi a0, zero, 10
     34: 0180006f  jal zero, 0xffffffffa000004c
     38: 01400513  addi a0, zero, 20
     3c: 0100006f  jal zero, 0xffffffffa000004c
     40: 01e00513  addi a0, zero, 30
     44: 0080006f  jal zero, 0xffffffffa000004c
     48: 02800513  addi a0, zero, 40
     4c: 00013403  ld s0, 0(sp)
     50: 01010113  addi sp, sp, 16
     54: 00008067  jalr zero, 0(ra)
     58: 00700513  addi a0, zero, 7
     5c: fff00893  addi a7, zero, -1
     60: 00000073  ecall
func 1 (max):
     64: fd010113  addi sp, sp, -48
     68: 02416a63  bltu sp, tp, 0xffffffffa000009c
     6c: 00813023  sd s0, 0(sp)
     70: 00913423  sd s1, 8(sp)
     74: 00050413  addi s0, a0, 0
     78: 00058493  addi s1, a1, 0
     7c: 0084a633  slt a2, s1, s0
     80: 00040513  addi a0, s0, 0
     84: 00061463  bne a2, zero, 0xffffffffa000008c
     88: 00048513  addi a0, s1, 0
     8c: 00013403  ld s0, 0(sp)
     90: 00813483  ld s1, 8(sp)
     94: 03010113  addi sp, sp, 48
     98: 00008067  jalr zero, 0(ra)
     9c: 00700513  addi a0, zero, 7
     a0: fff00893  addi a7, zero, -1
     a4: 00000073  ecall
func 2 (abs):
     a8: fe010113  addi sp, sp, -32
     ac: 02416463  bltu sp, tp, 0xffffffffa00000d4
     b0: 00813023  sd s0, 0(sp)
     b4: 00050413  addi s0, a0, 0
     b8: 00045663  bge s0, zero, 0xffffffffa00000c4
     bc: 4080053b  subw a0, zero, s0
     c0: 0080006f  jal zero, 0xffffffffa00000c8
     c4: 00040513  addi a0, s0, 0
     c8: 00013403  ld s0, 0(sp)
     cc: 02010113  addi sp, sp, 32
     d0: 00008067  jalr zero, 0(ra)
     d4: 00700513  addi a0, zero, 7
     d8: fff00893  addi a7, zero, -1
     dc: 00000073  ecall
func 3 (div):
     e0: fe010113  addi sp, sp, -32
     e4: 04416a63  bltu sp, tp, 0xffffffffa0000138
     e8: 00813023  sd s0, 0(sp)
     ec: 00913423  sd s1, 8(sp)
     f0: 00050413  addi s0, a0, 0
     f4: 00058493  addi s1, a1, 0
     f8: 02048463  beq s1, zero, 0xffffffffa0000120
     fc: 00148393  addi t2, s1, 1
    100: 00039663  bne t2, zero, 0xffffffffa000010c
    104: 800003b7  lui t2, 0x80000
    108: 02740263  beq s0, t2, 0xffffffffa000012c
    10c: 0294453b  divw a0, s0, s1
    110: 00013403  ld s0, 0(sp)
    114: 00813483  ld s1, 8(sp)
    118: 02010113  addi sp, sp, 32
    11c: 00008067  jalr zero, 0(ra)
    120: 00100513  addi a0, zero, 1
    124: fff00893  addi a7, zero, -1
    128: 00000073  ecall
    12c: 00200513  addi a0, zero, 2
    130: fff00893  addi a7, zero, -1
    134: 00000073  ecall
    138: 00700513  addi a0, zero, 7
    13c: fff00893  addi a7, zero, -1
    140: 00000073  ecall
