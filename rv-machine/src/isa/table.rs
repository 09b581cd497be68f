//! The RV64IM instruction table: every instruction once.
//!
//! `rv64im_table!(callback)` expands to `callback! { rows }`, one row per instruction:
//!
//! ```text
//! Variant  mnemonic  format  opcode  funct3  extra
//! ```
//!
//! `extra` is funct7 for `R` and `Ishw`, funct6 for `Ish`, the 12-bit immediate for `Sys`,
//! and 0 where the format has no such field. Everything else in [`crate::isa`] (the
//! [`Opcode`](super::Opcode) enum, the decoder's match/mask pairs, the encoder constructors)
//! and the machine's predecoded operation enum are generated from this one list, so an
//! instruction added here shows up everywhere, and the interpreter's exhaustive `match`
//! refuses to compile until it has semantics.

/// Invokes `$cb! { ... }` with the RV64IM rows (see the module docs for the row layout).
macro_rules! rv64im_table {
    ($cb:ident) => {
        $cb! {
            // RV32I / RV64I: upper immediates and jumps.
            Lui     lui     U     0b0110111 0b000 0;
            Auipc   auipc   U     0b0010111 0b000 0;
            Jal     jal     J     0b1101111 0b000 0;
            Jalr    jalr    I     0b1100111 0b000 0;
            // Conditional branches.
            Beq     beq     B     0b1100011 0b000 0;
            Bne     bne     B     0b1100011 0b001 0;
            Blt     blt     B     0b1100011 0b100 0;
            Bge     bge     B     0b1100011 0b101 0;
            Bltu    bltu    B     0b1100011 0b110 0;
            Bgeu    bgeu    B     0b1100011 0b111 0;
            // Loads.
            Lb      lb      I     0b0000011 0b000 0;
            Lh      lh      I     0b0000011 0b001 0;
            Lw      lw      I     0b0000011 0b010 0;
            Ld      ld      I     0b0000011 0b011 0;
            Lbu     lbu     I     0b0000011 0b100 0;
            Lhu     lhu     I     0b0000011 0b101 0;
            Lwu     lwu     I     0b0000011 0b110 0;
            // Stores.
            Sb      sb      S     0b0100011 0b000 0;
            Sh      sh      S     0b0100011 0b001 0;
            Sw      sw      S     0b0100011 0b010 0;
            Sd      sd      S     0b0100011 0b011 0;
            // Register-immediate.
            Addi    addi    I     0b0010011 0b000 0;
            Slti    slti    I     0b0010011 0b010 0;
            Sltiu   sltiu   I     0b0010011 0b011 0;
            Xori    xori    I     0b0010011 0b100 0;
            Ori     ori     I     0b0010011 0b110 0;
            Andi    andi    I     0b0010011 0b111 0;
            Slli    slli    Ish   0b0010011 0b001 0b000000;
            Srli    srli    Ish   0b0010011 0b101 0b000000;
            Srai    srai    Ish   0b0010011 0b101 0b010000;
            // Register-register.
            Add     add     R     0b0110011 0b000 0b0000000;
            Sub     sub     R     0b0110011 0b000 0b0100000;
            Sll     sll     R     0b0110011 0b001 0b0000000;
            Slt     slt     R     0b0110011 0b010 0b0000000;
            Sltu    sltu    R     0b0110011 0b011 0b0000000;
            Xor     xor     R     0b0110011 0b100 0b0000000;
            Srl     srl     R     0b0110011 0b101 0b0000000;
            Sra     sra     R     0b0110011 0b101 0b0100000;
            Or      or      R     0b0110011 0b110 0b0000000;
            And     and     R     0b0110011 0b111 0b0000000;
            // RV64I word forms.
            Addiw   addiw   I     0b0011011 0b000 0;
            Slliw   slliw   Ishw  0b0011011 0b001 0b0000000;
            Srliw   srliw   Ishw  0b0011011 0b101 0b0000000;
            Sraiw   sraiw   Ishw  0b0011011 0b101 0b0100000;
            Addw    addw    R     0b0111011 0b000 0b0000000;
            Subw    subw    R     0b0111011 0b000 0b0100000;
            Sllw    sllw    R     0b0111011 0b001 0b0000000;
            Srlw    srlw    R     0b0111011 0b101 0b0000000;
            Sraw    sraw    R     0b0111011 0b101 0b0100000;
            // M extension.
            Mul     mul     R     0b0110011 0b000 0b0000001;
            Mulh    mulh    R     0b0110011 0b001 0b0000001;
            Mulhsu  mulhsu  R     0b0110011 0b010 0b0000001;
            Mulhu   mulhu   R     0b0110011 0b011 0b0000001;
            Div     div     R     0b0110011 0b100 0b0000001;
            Divu    divu    R     0b0110011 0b101 0b0000001;
            Rem     rem     R     0b0110011 0b110 0b0000001;
            Remu    remu    R     0b0110011 0b111 0b0000001;
            Mulw    mulw    R     0b0111011 0b000 0b0000001;
            Divw    divw    R     0b0111011 0b100 0b0000001;
            Divuw   divuw   R     0b0111011 0b101 0b0000001;
            Remw    remw    R     0b0111011 0b110 0b0000001;
            Remuw   remuw   R     0b0111011 0b111 0b0000001;
            // Memory ordering and environment.
            Fence   fence   Fence 0b0001111 0b000 0;
            Ecall   ecall   Sys   0b1110011 0b000 0;
            Ebreak  ebreak  Sys   0b1110011 0b000 1;
        }
    };
}

pub(crate) use rv64im_table;
