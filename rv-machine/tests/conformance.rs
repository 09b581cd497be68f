//! Project-written conformance tests: every RV64IM instruction with its edge cases, expected
//! values written from the unprivileged spec. `every_opcode_is_exercised` runs all cases on
//! one thread and checks, through the machine's histogram, that each opcode executed.

mod common;

use common::{run, run_exit, CODE, DATA, SEEN};
use rv_machine::isa::encode::{self as e, *};
use rv_machine::isa::{Opcode, Reg};
use rv_machine::{AccessCause, Error, Exit, Trap};

const A0: Reg = Reg::A0;
const A1: Reg = Reg::A1;
const A2: Reg = Reg::A2;
const MIN: u64 = i64::MIN as u64;
const MAX: u64 = i64::MAX as u64;
const ALL1: u64 = u64::MAX;

type RFn = fn(Reg, Reg, Reg) -> u32;
type IFn = fn(Reg, Reg, i32) -> Result<u32, Error>;
type ShFn = fn(Reg, Reg, u32) -> Result<u32, Error>;

/// `op a0, a1, a2` with a1 = a, a2 = b.
fn rr(f: RFn, a: u64, b: u64) -> u64 {
    run(&[f(A0, A1, A2)], &[(A1, a), (A2, b)]).reg(A0)
}

/// `op a0, a1, imm` with a1 = a.
fn ri(f: IFn, a: u64, imm: i32) -> u64 {
    run(&[f(A0, A1, imm).unwrap()], &[(A1, a)]).reg(A0)
}

/// `op a0, a1, shamt` with a1 = a.
fn shift_imm(f: ShFn, a: u64, shamt: u32) -> u64 {
    run(&[f(A0, A1, shamt).unwrap()], &[(A1, a)]).reg(A0)
}

fn check_rr(name: &str, f: RFn, cases: &[(u64, u64, u64)]) {
    for &(a, b, want) in cases {
        let got = rr(f, a, b);
        assert_eq!(got, want, "{name} {a:#x}, {b:#x}: got {got:#x}, want {want:#x}");
    }
}

fn check_ri(name: &str, f: IFn, cases: &[(u64, i32, u64)]) {
    for &(a, imm, want) in cases {
        let got = ri(f, a, imm);
        assert_eq!(got, want, "{name} {a:#x}, {imm}: got {got:#x}, want {want:#x}");
    }
}

fn check_sh(name: &str, f: ShFn, cases: &[(u64, u32, u64)]) {
    for &(a, s, want) in cases {
        let got = shift_imm(f, a, s);
        assert_eq!(got, want, "{name} {a:#x}, {s}: got {got:#x}, want {want:#x}");
    }
}

macro_rules! cases {
    ($(fn $name:ident() $body:block)*) => {
        $( #[test] fn $name() $body )*
        const ALL_CASES: &[(&str, fn())] = &[$((stringify!($name), $name),)*];
    };
}

cases! {
fn add_sub() {
    check_rr("add", add, &[(1, 2, 3), (MAX, 1, MIN), (ALL1, 1, 0), (MIN, MIN, 0)]);
    check_rr("sub", sub, &[(3, 2, 1), (0, 1, ALL1), (MIN, 1, MAX), (5, 5, 0)]);
}

fn logic() {
    let (x, y) = (0xF0F0_1234_5678_9ABC, 0x0FF0_FFFF_0000_1111);
    check_rr("and", and, &[(x, y, x & y)]);
    check_rr("or", or, &[(x, y, x | y)]);
    check_rr("xor", xor, &[(x, y, x ^ y), (x, x, 0)]);
    check_ri("andi", andi, &[(x, -1, x), (x, 0x7FF, 0x2BC), (x, -2048, x & !0x7FF)]);
    check_ri("ori", ori, &[(0, -1, ALL1), (0x100, 0x0FF, 0x1FF), (0, -2048, !0x7FF)]);
    check_ri("xori", xori, &[(0, -1, ALL1), (ALL1, -1, 0), (0x5, 0x3, 0x6)]);
}

fn compares() {
    check_rr("slt", slt, &[(ALL1, 0, 1), (0, ALL1, 0), (MIN, MAX, 1), (3, 3, 0)]);
    check_rr("sltu", sltu, &[(ALL1, 0, 0), (0, ALL1, 1), (MIN, MAX, 0), (0, 1, 1)]);
    check_ri("slti", slti, &[(ALL1, 0, 1), (0, -1, 0), (MIN, -2048, 1), (2047, 2047, 0)]);
    // The immediate is sign-extended, then compared unsigned.
    check_ri("sltiu", sltiu, &[(0, -1, 1), (ALL1 - 1, -1, 1), (ALL1, -1, 0), (0, 1, 1), (1, 0, 0)]);
}

fn addi_edges() {
    check_ri("addi", addi, &[(0, -2048, (-2048i64) as u64), (0, 2047, 2047), (ALL1, 1, 0), (MAX, 1, MIN)]);
}

fn shifts_64() {
    // Register shifts use the low 6 bits of rs2.
    check_rr("sll", sll, &[(1, 63, MIN), (1, 64, 1), (1, 65, 2), (3, 0xFFFF_FFC1, 6)]);
    check_rr("srl", srl, &[(MIN, 63, 1), (MIN, 64, MIN), (ALL1, 4, ALL1 >> 4)]);
    check_rr("sra", sra, &[(MIN, 63, ALL1), (MIN, 64, MIN), (MIN, 1, 0xC000_0000_0000_0000), (MAX, 62, 1)]);
    check_sh("slli", slli, &[(1, 63, MIN), (0xFF, 0, 0xFF), (0x8000_0001, 32, 0x8000_0001_0000_0000)]);
    check_sh("srli", srli, &[(MIN, 63, 1), (ALL1, 32, 0xFFFF_FFFF), (ALL1, 0, ALL1)]);
    check_sh("srai", srai, &[(MIN, 63, ALL1), (MIN, 32, 0xFFFF_FFFF_8000_0000), (MAX, 63, 0)]);
}

fn word_add_sub() {
    check_rr("addw", addw, &[
        (0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000),
        (0xFFFF_FFFF, 1, 0),
        (0x1234_5678_0000_0001, 0xABCD_0000_0000_0002, 3),
    ]);
    check_rr("subw", subw, &[
        (0, 1, ALL1),
        (0x8000_0000, 1, 0x7FFF_FFFF),
        (0x1_0000_0000, 0, 0),
    ]);
    check_ri("addiw", addiw, &[
        (0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000),
        (0x1234_5678_8000_0000, 0, 0xFFFF_FFFF_8000_0000), // sext.w
        (0xFFFF_FFFF_FFFF_FFFF, 2047, 2046),
        (0, -2048, (-2048i64) as u64),
    ]);
}

fn word_shifts() {
    // Word shifts use the low 5 bits of rs2 and sign-extend the 32-bit result.
    check_rr("sllw", sllw, &[(1, 31, 0xFFFF_FFFF_8000_0000), (1, 32, 1), (1, 33, 2), (0xFFFF_FFFF_0000_0001, 4, 0x10)]);
    check_rr("srlw", srlw, &[
        (0x8000_0000, 0, 0xFFFF_FFFF_8000_0000),
        (0xFFFF_FFFF_8000_0000, 31, 1),
        (0x8000_0000, 1, 0x4000_0000),
        (0x8000_0000, 33, 0x4000_0000),
        (0xABCD_0000_0000_0010, 4, 1),
    ]);
    check_rr("sraw", sraw, &[
        (0x8000_0000, 31, ALL1),
        (0x8000_0000, 32, 0xFFFF_FFFF_8000_0000),
        (0x7FFF_FFFF, 30, 1),
        (0x0000_0001_8000_0000, 4, 0xFFFF_FFFF_F800_0000),
    ]);
    check_sh("slliw", slliw, &[(1, 31, 0xFFFF_FFFF_8000_0000), (0xFFFF_FFFF, 0, ALL1), (0x1_0000_0001, 1, 2)]);
    check_sh("srliw", srliw, &[(0x8000_0000, 0, 0xFFFF_FFFF_8000_0000), (0x8000_0000, 31, 1), (ALL1, 16, 0xFFFF)]);
    check_sh("sraiw", sraiw, &[(0x8000_0000, 31, ALL1), (0x8000_0000, 0, 0xFFFF_FFFF_8000_0000), (0x1_4000_0000, 30, 1)]);
}

fn multiply() {
    check_rr("mul", mul, &[(3, 5, 15), (ALL1, ALL1, 1), (MIN, ALL1, MIN), (0x1_0000_0000, 0x1_0000_0000, 0)]);
    check_rr("mulh", mulh, &[
        (ALL1, ALL1, 0),
        (MIN, MIN, 0x4000_0000_0000_0000),
        (MIN, 2, ALL1),
        (MAX, MAX, 0x3FFF_FFFF_FFFF_FFFF),
        (ALL1, 1, ALL1),
    ]);
    check_rr("mulhu", mulhu, &[
        (ALL1, ALL1, ALL1 - 1),
        (MIN, 2, 1),
        (0x1_0000_0000, 0x1_0000_0000, 1),
        (ALL1, 1, 0),
    ]);
    // rs1 signed, rs2 unsigned.
    check_rr("mulhsu", mulhsu, &[
        (ALL1, ALL1, ALL1),
        (MIN, ALL1, MIN),
        (2, ALL1, 1),
        (ALL1, 1, ALL1),
        (1, MIN, 0),
    ]);
    check_rr("mulw", mulw, &[
        (0x7FFF_FFFF, 2, ALL1 - 1),
        (0x1234_5678_0000_0003, 0x9999_0000_0000_0005, 15),
        (0x8000_0000, ALL1, 0xFFFF_FFFF_8000_0000),
        (0x1_0000, 0x1_0000, 0),
    ]);
}

fn divide_64() {
    let m7 = (-7i64) as u64;
    check_rr("div", div, &[
        (7, 2, 3),
        (m7, 2, (-3i64) as u64),
        (7, (-2i64) as u64, (-3i64) as u64),
        (42, 0, ALL1),
        (0, 0, ALL1),
        (MIN, ALL1, MIN),
    ]);
    check_rr("divu", divu, &[(7, 2, 3), (42, 0, ALL1), (ALL1, 1, ALL1), (MIN, ALL1, 0), (ALL1, 2, MAX)]);
    check_rr("rem", rem, &[
        (m7, 2, ALL1),
        (7, (-2i64) as u64, 1),
        (42, 0, 42),
        (m7, 0, m7),
        (MIN, ALL1, 0),
    ]);
    check_rr("remu", remu, &[(7, 2, 1), (42, 0, 42), (ALL1, 0, ALL1), (ALL1, 10, 5)]);
}

fn divide_32() {
    let w_min = 0xFFFF_FFFF_8000_0000u64; // i32::MIN sign-extended
    check_rr("divw", divw, &[
        (w_min, ALL1, w_min),
        (0x8000_0000, 0xFFFF_FFFF, w_min), // only the low 32 bits count
        (42, 0, ALL1),
        (0x1_0000_0007, 2, 3),
        ((-7i64) as u64, 2, (-3i64) as u64),
    ]);
    check_rr("divuw", divuw, &[
        (42, 0, ALL1),
        (0xFFFF_FFFF, 1, ALL1),
        (0x8000_0000, 1, w_min),
        (0xFFFF_FFFF_0000_0007, 0x1_0000_0002, 3),
    ]);
    check_rr("remw", remw, &[
        (42, 0, 42),
        (0x1_8000_0000, 0, w_min), // rs1's low word, sign-extended
        (w_min, ALL1, 0),
        ((-7i64) as u64, 2, ALL1),
        (0x5_0000_0007, 0x1_0000_0004, 3),
    ]);
    check_rr("remuw", remuw, &[
        (0x1_8000_0000, 0, w_min),
        (42, 0, 42),
        (0xFFFF_FFFF, 0x10, 0xF),
        (0xFFFF_FFFE, 0xFFFF_FFFF, ALL1 - 1),
    ]);
}

fn aliasing_and_x0() {
    // rd == rs1 == rs2.
    let m = run(&[add(A0, A0, A0), mul(A1, A1, A1)], &[(A0, 21), (A1, 12)]);
    assert_eq!((m.reg(A0), m.reg(A1)), (42, 144));
    // Writes to x0 are discarded by every kind of instruction; x0 still reads 0.
    let z = Reg::ZERO;
    let m = run(
        &[
            addi(z, z, 5).unwrap(),
            lui(z, 0x12345).unwrap(),
            auipc(z, 1).unwrap(),
            add(z, A1, A1),
            ld(z, A2, 0).unwrap(),
            jal(z, 4).unwrap(),
            addi(A0, z, 0).unwrap(),
        ],
        &[(A1, 7), (A2, DATA)],
    );
    assert_eq!(m.reg(z), 0);
    assert_eq!(m.reg(A0), 0);
    assert_eq!(m.regs()[0], 0);
}

fn lui_auipc() {
    let m = run(&[lui(A0, 0x80000 - 0x100000).unwrap(), lui(A1, 0x7FFFF).unwrap(), lui(A2, 1).unwrap()], &[]);
    assert_eq!(m.reg(A0), 0xFFFF_FFFF_8000_0000);
    assert_eq!(m.reg(A1), 0x7FFF_F000);
    assert_eq!(m.reg(A2), 0x1000);
    let m = run(&[auipc(A0, 0).unwrap(), auipc(A1, 1).unwrap(), auipc(A2, -1).unwrap()], &[]);
    assert_eq!(m.reg(A0), CODE);
    assert_eq!(m.reg(A1), CODE + 4 + 0x1000);
    assert_eq!(m.reg(A2), (CODE + 8).wrapping_sub(0x1000));
    let m = run(&[auipc(A0, -0x80000).unwrap()], &[]);
    assert_eq!(m.reg(A0), CODE.wrapping_sub(0x8000_0000));
}

fn branches() {
    // Each branch: a0 = 1 if taken (skips `addi a0, zero, 2`).
    type BFn = fn(Reg, Reg, i32) -> Result<u32, Error>;
    let table: &[(&str, BFn, u64, u64, bool)] = &[
        ("beq", beq, 5, 5, true), ("beq", beq, 5, 6, false),
        ("bne", bne, 5, 6, true), ("bne", bne, 5, 5, false),
        ("blt", blt, ALL1, 0, true), ("blt", blt, 0, ALL1, false), ("blt", blt, 3, 3, false),
        ("bge", bge, 0, ALL1, true), ("bge", bge, 3, 3, true), ("bge", bge, MIN, MAX, false),
        ("bltu", bltu, 0, ALL1, true), ("bltu", bltu, ALL1, 0, false), ("bltu", bltu, 3, 3, false),
        ("bgeu", bgeu, ALL1, 0, true), ("bgeu", bgeu, 3, 3, true), ("bgeu", bgeu, 0, ALL1, false),
    ];
    for &(name, f, a, b, taken) in table {
        let m = run(
            &[
                addi(A0, Reg::ZERO, 1).unwrap(),
                f(A1, A2, 8).unwrap(),
                addi(A0, Reg::ZERO, 2).unwrap(),
            ],
            &[(A1, a), (A2, b)],
        );
        assert_eq!(m.reg(A0), if taken { 1 } else { 2 }, "{name} {a:#x}, {b:#x}");
    }
    // A backward branch: count a1 down to zero.
    let m = run(
        &[addi(A0, A0, 3).unwrap(), addi(A1, A1, -1).unwrap(), bne(A1, Reg::ZERO, -8).unwrap()],
        &[(A1, 10)],
    );
    assert_eq!(m.reg(A0), 30);
    assert_eq!(m.instret(), 31);
}

fn jal_jalr() {
    // jal ra, +8 skips one instruction and links pc + 4.
    let m = run(&[jal(Reg::RA, 8).unwrap(), addi(A0, A0, 1).unwrap(), addi(A1, A1, 1).unwrap()], &[]);
    assert_eq!((m.reg(A0), m.reg(A1), m.reg(Reg::RA)), (0, 1, CODE + 4));
    // jalr clears bit 0 of the target: a1 = CODE + 13 -> CODE + 12.
    let m = run(
        &[
            jalr(Reg::RA, A1, 1).unwrap(),
            addi(A0, A0, 1).unwrap(),
            addi(A0, A0, 2).unwrap(),
            addi(A0, A0, 4).unwrap(),
        ],
        &[(A1, CODE + 11)],
    );
    assert_eq!(m.reg(A0), 4);
    assert_eq!(m.reg(Reg::RA), CODE + 4);
    // rd == rs1: the target uses the old value.
    let m = run(&[jalr(A1, A1, -4).unwrap(), addi(A0, A0, 1).unwrap(), addi(A0, A0, 2).unwrap()], &[(A1, CODE + 12)]);
    assert_eq!((m.reg(A0), m.reg(A1)), (2, CODE + 4));
    // A jalr to a target with bit 1 set traps at the jalr without writing rd.
    let (m, exit) = run_exit(&[jalr(Reg::RA, A1, 0).unwrap()], &[(A1, CODE + 6)]);
    assert_eq!(exit, Exit::Trap(Trap::MisalignedFetch { pc: CODE, target: CODE + 6 }));
    assert_eq!((m.reg(Reg::RA), m.pc(), m.instret()), (0, CODE, 0));
    // A jal with an offset that is a multiple of 2 but not 4 traps too.
    let (_, exit) = run_exit(&[addi(A0, A0, 1).unwrap(), jal(Reg::RA, 6).unwrap()], &[]);
    assert_eq!(exit, Exit::Trap(Trap::MisalignedFetch { pc: CODE + 4, target: CODE + 10 }));
}

fn misaligned_branch_traps_only_when_taken() {
    let words = [beq(A1, A2, 6).unwrap(), addi(A0, A0, 1).unwrap(), ebreak()];
    let (m, exit) = run_exit(&words, &[(A1, 1), (A2, 2)]);
    assert_eq!(exit, Exit::Ebreak);
    assert_eq!(m.reg(A0), 1);
    assert_eq!(m.histogram().unwrap().get(Opcode::Beq), 1);
    let (m, exit) = run_exit(&words, &[(A1, 1), (A2, 1)]);
    assert_eq!(exit, Exit::Trap(Trap::MisalignedFetch { pc: CODE, target: CODE + 6 }));
    assert_eq!(m.instret(), 0);
}

fn loads_extend() {
    let bytes = [0x80u8, 0x80, 0xFF, 0x7F, 0x00, 0x00, 0x00, 0x80];
    let cases: &[(IFn, u64)] = &[
        (lb, 0xFFFF_FFFF_FFFF_FF80),
        (lbu, 0x80),
        (lh, 0xFFFF_FFFF_FFFF_8080),
        (lhu, 0x8080),
        (lw, 0x7FFF_8080),
        (lwu, 0x7FFF_8080),
        (ld, 0x8000_0000_7FFF_8080),
    ];
    for &(f, want) in cases {
        let mut m = common::machine(&[f(A0, A1, 8).unwrap(), ebreak()]);
        m.write_bytes(DATA + 8, &bytes).unwrap();
        m.set_reg(A1, DATA);
        assert_eq!(m.run(10), Exit::Ebreak);
        common::record(&m);
        assert_eq!(m.reg(A0), want);
    }
    // Sign extension of a negative word, zero extension by lwu; negative offsets.
    let mut m = common::machine(&[lw(A0, A1, -4).unwrap(), lwu(A2, A1, -4).unwrap(), ebreak()]);
    m.write_u32(DATA + 16, 0x8000_0001).unwrap();
    m.set_reg(A1, DATA + 20);
    assert_eq!(m.run(10), Exit::Ebreak);
    common::record(&m);
    assert_eq!((m.reg(A0), m.reg(A2)), (0xFFFF_FFFF_8000_0001, 0x8000_0001));
}

fn stores_width() {
    let v = 0x1122_3344_5566_7788u64;
    let cases: &[(IFn, [u8; 10])] = &[
        (sb, [0xEE, 0x88, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE]),
        (sh, [0xEE, 0x88, 0x77, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE]),
        (sw, [0xEE, 0x88, 0x77, 0x66, 0x55, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE]),
        (sd, [0xEE, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xEE]),
    ];
    for &(f, want) in cases {
        let mut m = common::machine(&[f(A1, A2, 1).unwrap(), ebreak()]);
        m.write_bytes(DATA, &[0xEE; 10]).unwrap();
        m.set_reg(A1, DATA);
        m.set_reg(A2, v);
        assert_eq!(m.run(10), Exit::Ebreak);
        common::record(&m);
        assert_eq!(m.read_vec(DATA, 10).unwrap(), want);
    }
}

fn misaligned_access_allowed() {
    // ld/sd/lw/sh at odd addresses work like byte accesses.
    let mut m = common::machine(&[
        sd(A1, A2, 3).unwrap(),
        ld(A0, A1, 3).unwrap(),
        lw(Reg::A3, A1, 5).unwrap(),
        sh(A1, A2, 0x101).unwrap(),
        lhu(Reg::A4, A1, 0x101).unwrap(),
        ebreak(),
    ]);
    m.set_reg(A1, DATA);
    m.set_reg(A2, 0x0102_0304_0506_0708);
    assert_eq!(m.run(10), Exit::Ebreak);
    common::record(&m);
    assert_eq!(m.reg(A0), 0x0102_0304_0506_0708);
    assert_eq!(m.reg(Reg::A3), 0x0304_0506);
    assert_eq!(m.read_vec(DATA + 3, 8).unwrap(), [8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(m.reg(Reg::A4), 0x0708);
    // An access that runs past the end of its region faults, and changes nothing.
    let end = DATA + common::DATA_SIZE;
    let (m, exit) = run_exit(&[sd(A1, A2, 0).unwrap()], &[(A1, end - 4), (A2, ALL1)]);
    assert_eq!(
        exit,
        Exit::Trap(Trap::StoreFault { pc: CODE, addr: end - 4, size: 8, cause: AccessCause::Unmapped })
    );
    assert_eq!(m.read_u32(end - 4).unwrap(), 0);
    let (_, exit) = run_exit(&[lw(A0, A1, 0).unwrap()], &[(A1, end - 3)]);
    assert_eq!(
        exit,
        Exit::Trap(Trap::LoadFault { pc: CODE, addr: end - 3, size: 4, cause: AccessCause::Unmapped })
    );
    // The last bytes of the region are reachable with a fitting size.
    let (m, exit) = run_exit(&[lw(A0, A1, 0).unwrap(), ebreak()], &[(A1, end - 4)]);
    assert_eq!((exit, m.reg(A0)), (Exit::Ebreak, 0));
}

fn fence_is_noop() {
    let m = run(&[e::fence(0xF, 0xF).unwrap(), fence_all(), addi(A0, A0, 1).unwrap()], &[]);
    assert_eq!(m.reg(A0), 1);
    assert_eq!(m.instret(), 4);
}

fn ecall_ebreak() {
    let (mut m, exit) = run_exit(&[ecall(), addi(A0, A0, 1).unwrap(), ebreak(), addi(A0, A0, 2).unwrap()], &[]);
    assert_eq!(exit, Exit::Ecall);
    assert_eq!((m.pc(), m.instret()), (CODE + 4, 1));
    m.set_reg(A0, 10);
    assert_eq!(m.run(100), Exit::Ebreak);
    assert_eq!((m.pc(), m.instret(), m.reg(A0)), (CODE + 12, 3, 11));
    common::record(&m);
}
}

#[test]
fn every_opcode_is_exercised() {
    for (_, case) in ALL_CASES {
        case();
    }
    SEEN.with(|seen| {
        let seen = seen.borrow();
        let missing: Vec<&str> =
            Opcode::ALL.iter().filter(|&&op| seen[op as usize] == 0).map(|op| op.mnemonic()).collect();
        assert!(missing.is_empty(), "opcodes no conformance case executed: {missing:?}");
    });
}
