return stub:
      0: 00000073  ecall
func 0 (mix32):
      4: 00050813  addi a6, a0, 0
      8: 00058e13  addi t3, a1, 0
      c: 01c8053b  addw a0, a6, t3
     10: 0035151b  slliw a0, a0, 0x3
     14: 3e88059b  addiw a1, a6, 1000
     18: 40b5053b  subw a0, a0, a1
     1c: 00008067  jalr zero, 0(ra)
func 1 (mix64):
     20: 00050813  addi a6, a0, 0
     24: 00058e13  addi t3, a1, 0
     28: 00381513  slli a0, a6, 0x3
     2c: 010e55b3  srl a1, t3, a6
     30: 00b54533  xor a0, a0, a1
     34: 00008067  jalr zero, 0(ra)
func 2 (folded):
     38: 02a00513  addi a0, zero, 42
     3c: 00008067  jalr zero, 0(ra)
func 3 (cmp):
     40: 00050813  addi a6, a0, 0
     44: 00058e13  addi t3, a1, 0
     48: 01c83533  sltu a0, a6, t3
     4c: ffb00313  addi t1, zero, -5
     50: 006825b3  slt a1, a6, t1
     54: 0015c593  xori a1, a1, 1
     58: 00b57533  and a0, a0, a1
     5c: 00008067  jalr zero, 0(ra)
func 4 (widen):
     60: 00050813  addi a6, a0, 0
     64: 02081513  slli a0, a6, 0x20
     68: 02055513  srli a0, a0, 0x20
     6c: 01050533  add a0, a0, a6
     70: 00008067  jalr zero, 0(ra)
