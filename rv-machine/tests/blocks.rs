//! The block interpreter against the stepping one.
//!
//! A machine with the histogram on steps instruction by instruction; without it, it runs whole
//! basic blocks (charging each block's budget at once, fusing common instruction pairs). Both
//! must end every run in the same state with the same count, whatever the budget: random
//! looping programs (loads, stores, calls, branches both ways, a fault now and then) run
//! stepping, in one block-interpreted run, and in block-interpreted runs cut into random
//! budget slices, and every run's exit, pc, count, registers and data are compared.

mod common;

use common::{bytes, Rng};
use rv_machine::isa::encode::*;
use rv_machine::isa::Reg;
use rv_machine::{Config, Error, Exit, Machine, Perm};

const CODE: u64 = 0x1_0000;
const DATA: u64 = 0x20_0000;
const DATA_SIZE: u64 = 0x2000;

fn x(n: u32) -> Reg {
    Reg::new(n).unwrap()
}

type RFn = fn(Reg, Reg, Reg) -> u32;
type IFn = fn(Reg, Reg, i32) -> Result<u32, Error>;

const R_OPS: &[RFn] = &[
    add, sub, sll, slt, sltu, xor, srl, sra, or, and, addw, subw, sllw, srlw, sraw, mul, mulh, mulhsu, mulhu, div,
    divu, rem, remu, mulw, divw, divuw, remw, remuw,
];
const I_OPS: &[IFn] = &[addi, slti, sltiu, xori, ori, andi, addiw];
const LOADS: &[(IFn, i32)] = &[(lb, 1), (lh, 2), (lw, 4), (ld, 8), (lbu, 1), (lhu, 2), (lwu, 4)];
const STORES: &[(IFn, i32)] = &[(sb, 1), (sh, 2), (sw, 4), (sd, 8)];
const BRANCHES: &[IFn] = &[beq, bne, blt, bge, bltu, bgeu];

/// Registers the random code computes with: x5..x25 (x26..x31 have fixed jobs: x26 the data
/// base, x27 the loop counter, x28 the link for calls, x29 scratch for faults).
fn work(rng: &mut Rng) -> Reg {
    x(5 + rng.below(21) as u32)
}

fn src(rng: &mut Rng) -> Reg {
    if rng.below(10) == 0 {
        Reg::ZERO
    } else {
        work(rng)
    }
}

fn dst(rng: &mut Rng) -> Reg {
    if rng.below(25) == 0 {
        Reg::ZERO
    } else {
        work(rng)
    }
}

/// Straight-line instructions, with the pairs a compiler emits often (and the interpreter may
/// fuse) more likely than chance would make them.
fn straight(rng: &mut Rng, out: &mut Vec<u32>, n: usize) {
    let base = x(26);
    for _ in 0..n {
        match rng.below(100) {
            0..=24 => out.push(rng.pick(R_OPS)(dst(rng), src(rng), src(rng))),
            25..=39 => out.push(rng.pick(I_OPS)(dst(rng), src(rng), rng.range(-2048, 2047) as i32).unwrap()),
            40..=44 => out.push(slli(dst(rng), src(rng), rng.below(64) as u32).unwrap()),
            45..=47 => out.push(srli(dst(rng), src(rng), rng.below(64) as u32).unwrap()),
            48..=49 => out.push(srai(dst(rng), src(rng), rng.below(64) as u32).unwrap()),
            50..=59 => {
                let &(f, size) = rng.pick(LOADS);
                out.push(f(dst(rng), base, rng.range(-2048, 2048 - i64::from(size)) as i32).unwrap());
            }
            60..=67 => {
                let &(f, size) = rng.pick(STORES);
                out.push(f(base, src(rng), rng.range(-2048, 2048 - i64::from(size)) as i32).unwrap());
            }
            68..=70 => out.push(lui(dst(rng), rng.range(-0x80000, 0x7FFFF) as i32).unwrap()),
            71 => out.push(auipc(dst(rng), rng.range(-0x80000, 0x7FFFF) as i32).unwrap()),
            72..=75 => {
                // mul and mulhu (or mulh) of the same operands.
                let (a, b, lo, hi) = (src(rng), src(rng), dst(rng), dst(rng));
                out.push(mul(lo, a, b));
                out.push(if rng.below(2) == 0 { mulhu(hi, a, b) } else { mulh(hi, a, b) });
            }
            76..=79 => {
                // Add with carry out: sum = a + b; carry = sum < a.
                let (a, b, sum, carry) = (src(rng), src(rng), dst(rng), dst(rng));
                out.push(add(sum, a, b));
                out.push(sltu(carry, sum, a));
            }
            80..=84 => {
                // Register moves and constants.
                for _ in 0..1 + rng.below(4) {
                    out.push(addi(dst(rng), src(rng), if rng.below(2) == 0 { 0 } else { 1 }).unwrap());
                }
            }
            85..=89 => {
                // Loads or stores at neighbouring offsets from one base.
                let at = rng.range(-2048, 2000) as i32 & !7;
                for i in 0..2 + rng.below(3) as i32 {
                    let off = at + 8 * i;
                    out.push(if rng.below(2) == 0 {
                        ld(dst(rng), base, off).unwrap()
                    } else {
                        sd(base, src(rng), off).unwrap()
                    });
                }
            }
            90..=91 => {
                // A load or store that faults once in a while (x29 holds 0 or an unmapped
                // address).
                out.push(if rng.below(2) == 0 {
                    ld(dst(rng), x(29), 0).unwrap()
                } else {
                    sd(x(29), src(rng), 0).unwrap()
                });
            }
            92 => out.push(fence(3, 3).unwrap()),
            _ => {
                // Misaligned data access (allowed).
                out.push(lw(dst(rng), base, 2 * rng.range(-1024, 1020) as i32 + 1).unwrap());
            }
        }
    }
}

/// A random program: `loops` times a body of random blocks with forward branches and calls
/// to a leaf, then `ebreak`. The leaf returns through `jalr`.
fn program(rng: &mut Rng) -> Vec<u32> {
    let mut p = Vec::new();
    p.push(addi(x(27), Reg::ZERO, 1 + rng.below(40) as i32).unwrap());
    let top = p.len();
    let mut call_sites = Vec::new();
    for _ in 0..1 + rng.below(6) {
        let n = rng.below(12) as usize;
        straight(rng, &mut p, n);
        match rng.below(4) {
            0 => {
                // A forward branch over a few instructions.
                let skip = 1 + rng.below(5) as usize;
                let at = p.len();
                p.push(0);
                straight(rng, &mut p, skip);
                let off = 4 * (p.len() - at) as i32;
                p[at] = rng.pick(BRANCHES)(src(rng), src(rng), off).unwrap();
            }
            1 => {
                call_sites.push(p.len());
                p.push(0);
            }
            2 => {
                // jal over one instruction.
                p.push(jal(dst(rng), 8).unwrap());
                straight(rng, &mut p, 1);
            }
            _ => {}
        }
    }
    p.push(addi(x(27), x(27), -1).unwrap());
    let back = -4 * (p.len() - top) as i32;
    p.push(bne(x(27), Reg::ZERO, back).unwrap());
    p.push(ebreak());
    let leaf = p.len();
    let n = rng.below(6) as usize;
    straight(rng, &mut p, n);
    p.push(jalr(Reg::ZERO, x(28), 0).unwrap());
    for at in call_sites {
        p[at] = jal(x(28), 4 * (leaf - at) as i32).unwrap();
    }
    p
}

struct Setup {
    words: Vec<u32>,
    regs: Vec<(Reg, u64)>,
    data: Vec<u8>,
}

fn setup(rng: &mut Rng) -> Setup {
    let words = program(rng);
    let mut regs = vec![(x(26), DATA + 2048), (x(29), if rng.below(5) == 0 { 0x9_0000_0000 } else { DATA + 0x1000 })];
    for r in 5..26 {
        regs.push((x(r), rng.next() >> rng.below(64)));
    }
    let data = (0..DATA_SIZE).map(|_| rng.next() as u8).collect();
    Setup { words, regs, data }
}

fn machine(s: &Setup, histogram: bool) -> Machine {
    let mut m = Machine::new(Config { histogram, ..Config::default() });
    let code = bytes(&s.words);
    m.map(CODE, code.len() as u64, Perm::RX, &code).unwrap();
    m.map(DATA, DATA_SIZE, Perm::RW, &s.data).unwrap();
    for &(r, v) in &s.regs {
        m.set_reg(r, v);
    }
    m.set_pc(CODE);
    m
}

/// Runs with `budget` in slices of at most `slice` instructions: the exit of the last run.
fn run_sliced(m: &mut Machine, budget: u64, slice: &mut dyn FnMut() -> u64) -> Exit {
    loop {
        let left = budget - m.instret();
        let exit = m.run(left.min(slice()));
        if exit != Exit::BudgetExhausted || m.instret() == budget {
            return exit;
        }
    }
}

type State = (Exit, u64, u64, [u64; 32], Vec<u8>);

fn state(m: &Machine, exit: Exit) -> State {
    (exit, m.pc(), m.instret(), m.regs(), m.read_vec(DATA, DATA_SIZE as usize).unwrap())
}

fn check(seed: u64, what: &str, stepped: &State, other: &State) {
    assert_eq!(
        (stepped.0, stepped.1, stepped.2, stepped.3),
        (other.0, other.1, other.2, other.3),
        "seed {seed}: {what} ended differently"
    );
    assert!(stepped.4 == other.4, "seed {seed}: {what} left other data");
}

#[test]
fn blocks_agree_with_stepping_at_any_budget() {
    let mut rng = Rng(0xB10C);
    let mut total = 0;
    for seed in 0..600 {
        let s = setup(&mut rng);
        let budget = 20_000;
        let mut m = machine(&s, true);
        let exit = m.run(budget);
        let stepped = state(&m, exit);
        total += stepped.2;

        let mut m = machine(&s, false);
        let exit = m.run(budget);
        check(seed, "one block-interpreted run", &stepped, &state(&m, exit));

        let mut m = machine(&s, false);
        let exit = run_sliced(&mut m, budget, &mut || 1 + rng.below(40));
        check(seed, "block-interpreted runs in slices", &stepped, &state(&m, exit));

        // A budget that ends somewhere inside the run, with and without the histogram.
        let cut = 1 + rng.below(stepped.2.max(1));
        let mut a = machine(&s, true);
        let exit_a = a.run(cut);
        let mut b = machine(&s, false);
        let exit_b = b.run(cut);
        check(seed, "a run cut short", &state(&a, exit_a), &state(&b, exit_b));
        // And both resume to the same end.
        let (exit_a, exit_b) = (a.run(budget - a.instret()), b.run(budget - b.instret()));
        check(seed, "a resumed run", &state(&a, exit_a), &state(&b, exit_b));
    }
    // The programs loop: make sure they did real work.
    assert!(total > 300_000, "only {total} instructions");
}

#[test]
fn a_fault_inside_a_block_counts_what_completed() {
    // addi, addi, a faulting load, addi: the load is the third of a four-instruction block.
    let words =
        [addi(Reg::A0, Reg::A0, 1).unwrap(), addi(Reg::A1, Reg::A1, 2).unwrap(), ld(Reg::A2, Reg::ZERO, 8).unwrap()];
    let s = Setup {
        words: [&words[..], &[addi(Reg::A3, Reg::A3, 3).unwrap(), ebreak()]].concat(),
        regs: vec![],
        data: vec![],
    };
    for histogram in [true, false] {
        let mut m = machine(&s, histogram);
        let exit = m.run(100);
        assert!(matches!(exit, Exit::Trap(rv_machine::Trap::LoadFault { pc, .. }) if pc == CODE + 8), "{exit:?}");
        assert_eq!((m.instret(), m.pc(), m.reg(Reg::A0), m.reg(Reg::A1), m.reg(Reg::A3)), (2, CODE + 8, 1, 2, 0));
    }
}

#[test]
fn a_budget_ending_inside_a_block_stops_exactly_there() {
    let words: Vec<u32> = (0..10).map(|i| addi(Reg::A0, Reg::A0, i).unwrap()).chain([ebreak()]).collect();
    let s = Setup { words, regs: vec![], data: vec![] };
    for budget in 0..=11 {
        let mut m = machine(&s, false);
        let exit = m.run(budget);
        let done = budget.min(11);
        assert_eq!(m.instret(), done);
        assert_eq!(m.pc(), CODE + 4 * done.min(11));
        assert_eq!(exit, if budget == 11 { Exit::Ebreak } else { Exit::BudgetExhausted });
        assert_eq!(m.reg(Reg::A0), (0..done.min(10)).sum::<u64>());
    }
}
