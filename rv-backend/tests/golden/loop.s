return stub:
      0: 00000073  ecall
func 0 (sum):
      4: fd010113  addi sp, sp, -48
      8: 04416263  bltu sp, tp, 0xffffffffa000004c
      c: 00813023  sd s0, 0(sp)
     10: 00913423  sd s1, 8(sp)
     14: 01213823  sd s2, 16(sp)
     18: 00050413  addi s0, a0, 0
     1c: 00000493  addi s1, zero, 0
     20: 00000913  addi s2, zero, 0
     24: 0084f863  bgeu s1, s0, 0xffffffffa0000034
     28: 0099093b  addw s2, s2, s1
     2c: 0014849b  addiw s1, s1, 1
     30: ff5ff06f  jal zero, 0xffffffffa0000024
     34: 00090513  addi a0, s2, 0
     38: 00013403  ld s0, 0(sp)
     3c: 00813483  ld s1, 8(sp)
     40: 01013903  ld s2, 16(sp)
     44: 03010113  addi sp, sp, 48
     48: 00008067  jalr zero, 0(ra)
     4c: 00700513  addi a0, zero, 7
     50: fff00893  addi a7, zero, -1
     54: 00000073  ecall
