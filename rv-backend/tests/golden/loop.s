return stub:
      0: 00000073  ecall
func 0 (sum):
      4: 00050813  addi a6, a0, 0
      8: 00000e13  addi t3, zero, 0
      c: 00000e93  addi t4, zero, 0
     10: 010e7863  bgeu t3, a6, 0xffffffffa0000020
     14: 01ce8ebb  addw t4, t4, t3
     18: 001e0e1b  addiw t3, t3, 1
     1c: ff5ff06f  jal zero, 0xffffffffa0000010
     20: 000e8513  addi a0, t4, 0
     24: 00008067  jalr zero, 0(ra)
