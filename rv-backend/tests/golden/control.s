return stub:
      0: 00000073  ecall
func 0 (classify):
      4: 00050813  addi a6, a0, 0
      8: 00080393  addi t2, a6, 0
      c: 00038c63  beq t2, zero, 0xffffffffa0000024
     10: 00100293  addi t0, zero, 1
     14: 00538c63  beq t2, t0, 0xffffffffa000002c
     18: 00200293  addi t0, zero, 2
     1c: 00538c63  beq t2, t0, 0xffffffffa0000034
     20: 01c0006f  jal zero, 0xffffffffa000003c
     24: 00a00513  addi a0, zero, 10
     28: 0180006f  jal zero, 0xffffffffa0000040
     2c: 01400513  addi a0, zero, 20
     30: 0100006f  jal zero, 0xffffffffa0000040
     34: 01e00513  addi a0, zero, 30
     38: 0080006f  jal zero, 0xffffffffa0000040
     3c: 02800513  addi a0, zero, 40
     40: 00008067  jalr zero, 0(ra)
func 1 (max):
     44: 00050813  addi a6, a0, 0
     48: 00058e13  addi t3, a1, 0
     4c: 010e2633  slt a2, t3, a6
     50: 00080513  addi a0, a6, 0
     54: 00061463  bne a2, zero, 0xffffffffa000005c
     58: 000e0513  addi a0, t3, 0
     5c: 00008067  jalr zero, 0(ra)
func 2 (abs):
     60: 00050813  addi a6, a0, 0
     64: 00085663  bge a6, zero, 0xffffffffa0000070
     68: 4100053b  subw a0, zero, a6
     6c: 0080006f  jal zero, 0xffffffffa0000074
     70: 00080513  addi a0, a6, 0
     74: 00008067  jalr zero, 0(ra)
func 3 (div):
     78: 00050813  addi a6, a0, 0
     7c: 00058e13  addi t3, a1, 0
     80: 000e0e63  beq t3, zero, 0xffffffffa000009c
     84: 001e0393  addi t2, t3, 1
     88: 00039663  bne t2, zero, 0xffffffffa0000094
     8c: 800003b7  lui t2, 0x80000
     90: 00780c63  beq a6, t2, 0xffffffffa00000a8
     94: 03c8453b  divw a0, a6, t3
     98: 00008067  jalr zero, 0(ra)
     9c: 00100513  addi a0, zero, 1
     a0: fff00893  addi a7, zero, -1
     a4: 00000073  ecall
     a8: 00200513  addi a0, zero, 2
     ac: fff00893  addi a7, zero, -1
     b0: 00000073  ecall
