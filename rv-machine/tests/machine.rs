//! The machine around the instructions: traps, budget, histogram, UART, mapping and host
//! memory access.

mod common;

use common::{bytes, machine, run_exit, CODE, DATA, DATA_SIZE};
use rv_machine::isa::encode::*;
use rv_machine::isa::{Opcode, Reg};
use rv_machine::machine::uart;
use rv_machine::{AccessCause, AccessProblem, Config, Error, Exit, Machine, MapProblem, Perm, Trap};

const A0: Reg = Reg::A0;
const A1: Reg = Reg::A1;

#[test]
fn illegal_instructions_trap_with_pc_and_word() {
    let words: &[u32] = &[
        0x0000_0000, // all zeros
        0xFFFF_FFFF, // all ones
        0x0000_4501, // c.li a0, 0 (compressed) padded
        0x3410_2573, // csrrs a0, mepc, zero (Zicsr)
        0xC000_2573, // rdcycle a0 (Zicsr)
        0x0000_100F, // fence.i (Zifencei)
        0x3020_0073, // mret
        0x1050_0073, // wfi
        0x00B5_252F, // amoadd.w a0, a1, (a0)
        0x0005_2507, // flw fa0, 0(a0)
        0x02B5_0553, // fadd.s-like OP-FP word
        0x0205_151B, // slliw a0, a0, 32: shamt bit 5 set, reserved
        0x0005_7503, // load with funct3 = 7
        0x0005_4523, // store with funct3 = 4
        0x0005_2563, // branch with funct3 = 2
        0x0005_1567, // jalr with funct3 = 1
        0x4005_4533, // xor with funct7 = 0x20
        0x0010_0573, // ebreak with rd = a0
        0x0020_0073, // SYSTEM imm 2 (uret)
        0x8005_1513, // slli with funct6 = 0x20
    ];
    for &word in words {
        assert_eq!(rv_machine::isa::decode(word), None, "{word:#010x} decoded");
        let (m, exit) = run_exit(&[addi(A0, A0, 1).unwrap(), word], &[]);
        assert_eq!(exit, Exit::Trap(Trap::IllegalInstruction { pc: CODE + 4, word }), "{word:#010x}");
        assert_eq!((m.pc(), m.instret(), m.reg(A0)), (CODE + 4, 1, 1));
    }
}

#[test]
fn fetch_faults() {
    // Falling off the end of the code.
    let (m, exit) = run_exit(&[addi(A0, A0, 1).unwrap()], &[]);
    assert_eq!(exit, Exit::Trap(Trap::FetchFault { pc: CODE + 4 }));
    assert_eq!(m.instret(), 1);
    // Jumping into data (readable, not executable).
    let (_, exit) = run_exit(&[jalr(Reg::ZERO, A1, 0).unwrap()], &[(A1, DATA)]);
    assert_eq!(exit, Exit::Trap(Trap::FetchFault { pc: DATA }));
    // Jumping backwards out of the region.
    let (_, exit) = run_exit(&[jal(Reg::ZERO, -8).unwrap()], &[]);
    assert_eq!(exit, Exit::Trap(Trap::FetchFault { pc: CODE - 8 }));
    // A misaligned pc set by the host.
    let mut m = machine(&[ebreak()]);
    m.set_pc(CODE + 2);
    assert_eq!(m.run(10), Exit::Trap(Trap::MisalignedFetch { pc: CODE + 2, target: CODE + 2 }));
}

#[test]
fn control_flows_between_code_regions() {
    // Two executable regions: the second continues where the first jumps.
    let mut m = Machine::new(Config::default());
    let first = bytes(&[addi(A0, A0, 1).unwrap(), jal(Reg::ZERO, 0x1000 - 4).unwrap()]);
    let second = bytes(&[addi(A0, A0, 2).unwrap(), ebreak()]);
    m.map(0x1000, first.len() as u64, Perm::RX, &first).unwrap();
    m.map(0x2000, second.len() as u64, Perm::X, &second).unwrap();
    m.set_pc(0x1000);
    assert_eq!(m.run(100), Exit::Ebreak);
    assert_eq!((m.reg(A0), m.instret()), (3, 4));
}

#[test]
fn load_store_faults() {
    let mut m = Machine::new(Config::default());
    let code = bytes(&[ld(A0, A1, 0).unwrap(), sd(A1, A0, 0).unwrap(), ebreak()]);
    m.map(CODE, code.len() as u64, Perm::RX, &code).unwrap();
    m.map(0x20_0000, 4096, Perm::R, &[]).unwrap();
    m.map(0x30_0000, 4096, Perm::W, &[]).unwrap();
    let cases = [
        // (a1, expected exit)
        (
            0x20_0000,
            Exit::Trap(Trap::StoreFault { pc: CODE + 4, addr: 0x20_0000, size: 8, cause: AccessCause::Permission }),
        ),
        (0x30_0000, Exit::Trap(Trap::LoadFault { pc: CODE, addr: 0x30_0000, size: 8, cause: AccessCause::Permission })),
        (0x40_0000, Exit::Trap(Trap::LoadFault { pc: CODE, addr: 0x40_0000, size: 8, cause: AccessCause::Unmapped })),
        (u64::MAX - 3, Exit::Trap(Trap::LoadFault { pc: CODE, addr: u64::MAX - 3, size: 8, cause: AccessCause::Uart })),
    ];
    for (a1, want) in cases {
        m.set_pc(CODE);
        m.set_reg(A1, a1);
        m.set_reg(A0, 0x55);
        assert_eq!(m.run(10), want, "a1 = {a1:#x}");
        // The faulting load left a0 alone.
        if let Exit::Trap(Trap::LoadFault { .. }) = want {
            assert_eq!(m.reg(A0), 0x55);
        }
    }
    // Code is readable as data only in an R region; a store to code faults.
    let (_, exit) = run_exit(&[lw(A0, A1, 0).unwrap(), sw(A1, A0, 0).unwrap()], &[(A1, CODE)]);
    assert_eq!(
        exit,
        Exit::Trap(Trap::StoreFault { pc: CODE + 4, addr: CODE, size: 4, cause: AccessCause::Permission })
    );
    let mut m = Machine::new(Config::default());
    let code = bytes(&[lw(A0, A1, 0).unwrap()]);
    m.map(CODE, 4, Perm::X, &code).unwrap();
    m.set_pc(CODE);
    m.set_reg(A1, CODE);
    assert_eq!(
        m.run(10),
        Exit::Trap(Trap::LoadFault { pc: CODE, addr: CODE, size: 4, cause: AccessCause::Permission })
    );
}

#[test]
fn budget_is_exact_and_resumable() {
    let words = [addi(A0, A0, 1).unwrap(), jal(Reg::ZERO, -4).unwrap()];
    let mut m = machine(&words);
    assert_eq!(m.run(0), Exit::BudgetExhausted);
    assert_eq!((m.instret(), m.pc()), (0, CODE));
    assert_eq!(m.run(7), Exit::BudgetExhausted);
    assert_eq!((m.instret(), m.reg(A0), m.pc()), (7, 4, CODE + 4));
    assert_eq!(m.run(1000), Exit::BudgetExhausted);
    assert_eq!((m.instret(), m.reg(A0)), (1007, 504));
    // An ecall as the budget's last instruction is reported as an ecall.
    let mut m = machine(&[addi(A0, A0, 1).unwrap(), ecall()]);
    assert_eq!(m.run(2), Exit::Ecall);
    assert_eq!(m.instret(), 2);
}

#[test]
fn histogram_counts_each_opcode() {
    let words = [
        addi(A0, Reg::ZERO, 5).unwrap(),
        addi(A1, A1, 2).unwrap(),
        addi(A0, A0, -1).unwrap(),
        bne(A0, Reg::ZERO, -8).unwrap(),
        ebreak(),
    ];
    let mut m = machine(&words);
    assert_eq!(m.run(1000), Exit::Ebreak);
    let h = m.histogram().unwrap();
    assert_eq!(h.get(Opcode::Addi), 11);
    assert_eq!(h.get(Opcode::Bne), 5);
    assert_eq!(h.get(Opcode::Ebreak), 1);
    assert_eq!(h.total(), m.instret());
    assert_eq!(h.sorted()[0], (Opcode::Addi, 11));
    // A trapping instruction is not counted.
    let (m, _) = run_exit(&[addi(A0, A0, 1).unwrap(), ld(A0, Reg::ZERO, 0).unwrap()], &[]);
    assert_eq!(m.histogram().unwrap().get(Opcode::Ld), 0);
    assert_eq!(m.histogram().unwrap().total(), 1);
    // Without the option there is no histogram.
    assert!(Machine::new(Config::default()).histogram().is_none());
}

#[test]
fn uart_input_and_output() {
    let d = (uart::DATA as i64) as i32; // -8
    let s = (uart::STATUS as i64) as i32; // -4
    let z = Reg::ZERO;
    let words = [
        lwu(Reg::S0, z, s).unwrap(), // words remaining: 3
        lw(Reg::S1, z, d).unwrap(),  // 0x8000_0001 sign-extended
        lwu(Reg::S2, z, d).unwrap(), // 7
        sw(z, Reg::S2, d).unwrap(),  // output 7
        sw(z, Reg::S1, d).unwrap(),  // output 0x8000_0001
        lw(Reg::S3, z, d).unwrap(),  // 9
        lw(Reg::S4, z, d).unwrap(),  // exhausted: 0
        lwu(Reg::S5, z, s).unwrap(), // 0 remaining
        sw(z, Reg::S0, s).unwrap(),  // stores to STATUS are ignored
        ebreak(),
    ];
    let mut m = machine(&words);
    m.push_input(&[0x8000_0001, 7, 9]);
    assert_eq!(m.input_remaining(), 3);
    assert_eq!(m.run(100), Exit::Ebreak);
    assert_eq!(m.reg(Reg::S0), 3);
    assert_eq!(m.reg(Reg::S1), 0xFFFF_FFFF_8000_0001);
    assert_eq!(m.reg(Reg::S2), 7);
    assert_eq!(m.reg(Reg::S3), 9);
    assert_eq!(m.reg(Reg::S4), 0);
    assert_eq!(m.reg(Reg::S5), 0);
    assert_eq!(m.output(), &[7, 0x8000_0001]);
    assert_eq!(m.take_output(), vec![7, 0x8000_0001]);
    assert!(m.output().is_empty());
    // Only aligned word accesses to the two registers are allowed.
    for (word, addr, size, load) in [
        (ld(A0, z, d).unwrap(), uart::DATA, 8, true),
        (lb(A0, z, d).unwrap(), uart::DATA, 1, true),
        (sh(z, A0, d).unwrap(), uart::DATA, 2, false),
        (lw(A0, z, -12).unwrap(), uart::DATA - 4, 4, true),
        (sw(z, A0, -2048).unwrap(), uart::PAGE + 0x800, 4, false),
    ] {
        let (_, exit) = run_exit(&[word], &[]);
        let cause = AccessCause::Uart;
        let want = if load {
            Trap::LoadFault { pc: CODE, addr, size, cause }
        } else {
            Trap::StoreFault { pc: CODE, addr, size, cause }
        };
        assert_eq!(exit, Exit::Trap(want));
    }
}

#[test]
fn mapping_rules() {
    let mut m = Machine::new(Config { histogram: false, max_memory: 1 << 20 });
    let err = |base, size, problem| Err(Error::Map { base, size, problem });
    assert_eq!(m.map(0x1000, 0, Perm::RW, &[]), err(0x1000, 0, MapProblem::Empty));
    assert_eq!(m.map(u64::MAX - 10, 100, Perm::RW, &[]), err(u64::MAX - 10, 100, MapProblem::Overflow));
    assert_eq!(m.map(0x1000, 16, Perm::W | Perm::X, &[]), err(0x1000, 16, MapProblem::WritableAndExecutable));
    assert_eq!(m.map(0x1002, 16, Perm::RX, &[]), err(0x1002, 16, MapProblem::MisalignedCode));
    assert_eq!(m.map(0x1000, 2, Perm::RW, &[1, 2, 3]), err(0x1000, 2, MapProblem::DataTooLong));
    assert_eq!(m.map(uart::PAGE - 16, 32, Perm::RW, &[]), err(uart::PAGE - 16, 32, MapProblem::Uart));
    assert_eq!(m.map(0x10_0000, 2 << 20, Perm::RW, &[]), err(0x10_0000, 2 << 20, MapProblem::MemoryLimit));
    m.map(0x1000, 0x1000, Perm::RW, &[]).unwrap();
    assert_eq!(m.map(0x1FFF, 16, Perm::RW, &[]), err(0x1FFF, 16, MapProblem::Overlap));
    assert_eq!(m.map(0x800, 0x801, Perm::R, &[]), err(0x800, 0x801, MapProblem::Overlap));
    m.map(0x2000, 0x1000, Perm::R, &[]).unwrap();
    m.map(0x800, 0x800, Perm::R, &[]).unwrap();
}

fn unmapped<T>(addr: u64, len: u64) -> Result<T, Error> {
    Err(Error::Access { addr, len, problem: AccessProblem::Unmapped })
}

#[test]
fn host_memory_access() {
    let mut m = machine(&[ebreak()]);
    m.write_u64(DATA + 8, 0x0102_0304_0506_0708).unwrap();
    assert_eq!(m.read_u64(DATA + 8).unwrap(), 0x0102_0304_0506_0708);
    assert_eq!(m.read_u32(DATA + 9).unwrap(), 0x0405_0607);
    assert_eq!(m.read_u16(DATA + 14).unwrap(), 0x0102);
    assert_eq!(m.read_u8(DATA + 15).unwrap(), 0x01);
    m.write_u8(DATA, 0xAA).unwrap();
    m.write_u16(DATA + 1, 0xBBCC).unwrap();
    m.write_u32(DATA + 3, 0xDDEE_FF00).unwrap();
    assert_eq!(m.read_vec(DATA, 7).unwrap(), [0xAA, 0xCC, 0xBB, 0x00, 0xFF, 0xEE, 0xDD]);
    // Code is readable by the host, not writable.
    assert_eq!(m.read_u32(CODE).unwrap(), ebreak());
    assert_eq!(
        m.write_u32(CODE, 0),
        Err(Error::Access { addr: CODE, len: 4, problem: AccessProblem::ExecutableRegion })
    );
    // Out of bounds: errors, not panics.
    let end = DATA + DATA_SIZE;
    assert_eq!(m.read_u64(end - 4), unmapped(end - 4, 8));
    assert_eq!(m.write_u64(end - 1, 0), unmapped(end - 1, 8));
    assert_eq!(m.read_u8(0), unmapped(0, 1));
    assert_eq!(m.read_u32(u64::MAX - 1), unmapped(u64::MAX - 1, 4));
    assert_eq!(m.read_vec(DATA, DATA_SIZE as usize + 1).map(|v| v.len()), unmapped(DATA, DATA_SIZE + 1));
    let mut big = vec![0u8; 16];
    assert!(m.read_bytes(end - 8, &mut big).is_err());
    assert!(m.write_bytes(end - 8, &big).is_err());
    // Registers: x0 ignores writes.
    m.set_reg(Reg::ZERO, 5);
    assert_eq!(m.reg(Reg::ZERO), 0);
}

#[test]
fn errors_display_clearly() {
    let e = addi(A0, A0, 4096).unwrap_err();
    assert_eq!(e.to_string(), "immediate 4096 does not fit: 12-bit signed immediate (-2048..=2047)");
    let t = Trap::LoadFault { pc: 0x1000, addr: 0x20, size: 8, cause: AccessCause::Unmapped };
    assert_eq!(t.to_string(), "load fault (unmapped) of 8 bytes at 0x20, pc 0x1000");
    assert_eq!(Exit::Trap(t).to_string(), "trap: load fault (unmapped) of 8 bytes at 0x20, pc 0x1000");
}

/// A lazy region reads as zeros, commits what is touched (from either end, and across the
/// window's edge), and faults past its end like any region.
#[test]
fn lazy_regions_commit_what_is_touched() {
    const STACK: u64 = 0x4000_0000;
    const SIZE: u64 = 1 << 20;
    // a0 = [a1]; [a1 - 8] = a2; a3 = [a1 - 8]; [a4] = a2 (a doubleword across the lower
    // edge of the window the first access committed, 4 KiB); a5 = [a4]; ecall.
    let words = [
        ld(A0, A1, 0).unwrap(),
        sd(A1, Reg::A2, -8).unwrap(),
        ld(Reg::A3, A1, -8).unwrap(),
        sd(Reg::A4, Reg::A2, 0).unwrap(),
        ld(Reg::A5, Reg::A4, 0).unwrap(),
        ecall(),
    ];
    let mut m = Machine::new(Config::default());
    m.map(CODE, 4 * words.len() as u64, Perm::RX, &bytes(&words)).unwrap();
    m.map_lazy(STACK, SIZE, Perm::RW).unwrap();
    assert_eq!(m.region(STACK), None, "nothing committed yet");
    let top = STACK + SIZE - 8;
    m.set_reg(A1, top);
    m.set_reg(Reg::A2, 0x1122_3344_5566_7788);
    let edge = STACK + SIZE - 4 * 1024 - 4;
    m.set_reg(Reg::A4, edge);
    m.set_pc(CODE);
    assert_eq!(m.run(100), Exit::Ecall);
    assert_eq!(m.reg(A0), 0);
    assert_eq!(m.reg(Reg::A3), 0x1122_3344_5566_7788);
    assert_eq!(m.reg(Reg::A5), 0x1122_3344_5566_7788);
    assert_eq!(m.instret(), 6);
    // The host sees the same bytes, zeros where nothing was written.
    assert_eq!(m.read_u64(top - 8).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(m.read_u64(STACK + SIZE / 2).unwrap(), 0);
    m.write_u32(STACK + SIZE / 2, 7).unwrap();
    assert_eq!(m.read_u32(STACK + SIZE / 2).unwrap(), 7);
    // Committing the whole region keeps every byte.
    let all = m.region_mut(STACK).unwrap();
    assert_eq!(all.len() as u64, SIZE);
    assert_eq!(all[(SIZE / 2) as usize], 7);
    assert_eq!(m.read_u64(edge).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(m.read_u64(STACK + 12).unwrap(), 0);
    // Past the end: a fault, nothing committed beyond the region.
    let mut m = Machine::new(Config::default());
    m.map(CODE, 8, Perm::RX, &bytes(&[ld(A0, A1, 0).unwrap(), ecall()])).unwrap();
    m.map_lazy(STACK, SIZE, Perm::RW).unwrap();
    m.set_reg(A1, STACK + SIZE - 4);
    m.set_pc(CODE);
    let fault = Trap::LoadFault { pc: CODE, addr: STACK + SIZE - 4, size: 8, cause: AccessCause::Unmapped };
    assert_eq!(m.run(10), Exit::Trap(fault));
    assert_eq!(m.instret(), 0);
    // Lazy code cannot be predecoded.
    assert_eq!(
        m.map_lazy(0x8000_0000, 4096, Perm::RX),
        Err(Error::Map { base: 0x8000_0000, size: 4096, problem: MapProblem::LazyCode })
    );
}

/// A lazy region's window grows by doubling: touching a region from the top down, a page at
/// a time, copies at most about twice what ends up committed.
#[test]
fn lazy_regions_grow_geometrically() {
    const BASE: u64 = 0x4000_0000;
    const SIZE: u64 = 64 << 20;
    let mut m = Machine::new(Config::default());
    m.map_lazy(BASE, SIZE, Perm::RW).unwrap();
    // The host commits through the same path as the guest; touch every 4 KiB page from the
    // top: 16384 touches, each cheap once its window is there.
    let start = std::time::Instant::now();
    for page in (0..SIZE / 4096).rev() {
        m.write_u8(BASE + page * 4096, 1).unwrap();
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(2), "{:?}", start.elapsed());
    assert_eq!(m.region(BASE).map(<[u8]>::len), Some(SIZE as usize));
}

/// Code and read-only data mapped from one image on many machines: each runs it, none can
/// write it.
#[test]
fn shared_code_and_data() {
    const RO: u64 = 0x20_0000;
    let words = [ld(A0, A1, 0).unwrap(), sd(A1, A0, 0).unwrap(), ecall()];
    let image = rv_machine::CodeImage::new(&bytes(&words));
    let data: std::rc::Rc<[u8]> = 42u64.to_le_bytes().to_vec().into();
    for _ in 0..3 {
        let mut m = Machine::new(Config::default());
        m.map_code(CODE, Perm::X, &image).unwrap();
        m.map_shared(RO, Perm::R, data.clone()).unwrap();
        m.set_reg(A1, RO);
        m.set_pc(CODE);
        let fault = Trap::StoreFault { pc: CODE + 4, addr: RO, size: 8, cause: AccessCause::Permission };
        assert_eq!(m.run(10), Exit::Trap(fault));
        assert_eq!(m.reg(A0), 42);
        assert_eq!(m.write_u8(RO, 1), Err(Error::Access { addr: RO, len: 1, problem: AccessProblem::SharedRegion }));
        assert_eq!(
            m.map_shared(0x30_0000, Perm::RW, data.clone()),
            Err(Error::Map { base: 0x30_0000, size: 8, problem: MapProblem::SharedWritable })
        );
        assert_eq!(
            m.map_code(0x40_0000, Perm::R, &image),
            Err(Error::Map { base: 0x40_0000, size: 12, problem: MapProblem::WrongPermission })
        );
    }
    assert_eq!(std::rc::Rc::strong_count(&data), 1);
}
