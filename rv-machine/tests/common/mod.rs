//! Helpers shared by the integration tests: run a few encoded words on a fresh machine.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

pub mod elf_writer;
pub mod linux;
pub mod tools;

use std::cell::RefCell;

use rv_machine::isa::{Opcode, Reg};
use rv_machine::{Config, Exit, Machine, Perm};

/// Where test code is mapped.
pub const CODE: u64 = 0x1000;
/// A 64 KiB read-write data region.
pub const DATA: u64 = 0x10_0000;
pub const DATA_SIZE: u64 = 0x1_0000;

thread_local! {
    /// Opcodes executed by `run` on this thread (for the coverage test).
    pub static SEEN: RefCell<Vec<u64>> = RefCell::new(vec![0; Opcode::COUNT]);
}

pub fn bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A machine with `words` at [`CODE`] and a zeroed data region at [`DATA`], pc at `CODE`,
/// keeping a histogram (so it steps instruction by instruction).
pub fn machine(words: &[u32]) -> Machine {
    machine_with(words, true)
}

/// As [`machine`], with or without the histogram: without it, the machine runs whole basic
/// blocks.
pub fn machine_with(words: &[u32], histogram: bool) -> Machine {
    let mut m = Machine::new(Config { histogram, ..Config::default() });
    let code = bytes(words);
    m.map(CODE, code.len() as u64, Perm::RX, &code).unwrap();
    m.map(DATA, DATA_SIZE, Perm::RW, &[]).unwrap();
    m.set_pc(CODE);
    m
}

/// Records the machine's histogram into [`SEEN`].
pub fn record(m: &Machine) {
    let h = m.histogram().unwrap();
    SEEN.with(|s| {
        let mut s = s.borrow_mut();
        for &op in Opcode::ALL {
            s[op as usize] += h.get(op);
        }
    });
}

/// Runs `words` with the registers preset by `init`, expecting to stop at an `ebreak` that the
/// caller placed last. Returns the machine.
pub fn run_with(words: &[u32], init: &[(Reg, u64)]) -> Machine {
    let mut m = machine(words);
    for &(r, v) in init {
        m.set_reg(r, v);
    }
    let exit = m.run(10_000);
    assert_eq!(exit, Exit::Ebreak, "program did not reach its ebreak");
    record(&m);
    same_as_blocks(&m, exit, words, init);
    m
}

/// Runs `words` again without the histogram (the block interpreter) and checks that it ends
/// exactly as `stepped` did: exit, pc, count, registers, data.
pub fn same_as_blocks(stepped: &Machine, exit: Exit, words: &[u32], init: &[(Reg, u64)]) {
    let mut m = machine_with(words, false);
    for &(r, v) in init {
        m.set_reg(r, v);
    }
    assert_eq!(m.run(10_000), exit, "the block interpreter stopped differently");
    assert_eq!(
        (m.pc(), m.instret(), m.regs()),
        (stepped.pc(), stepped.instret(), stepped.regs()),
        "the block interpreter ended in another state"
    );
    let data = |m: &Machine| m.read_vec(DATA, DATA_SIZE as usize).unwrap();
    assert!(data(&m) == data(stepped), "the block interpreter left other data");
}

/// Runs a program whose last instruction must be an `ebreak` (appended here).
pub fn run(words: &[u32], init: &[(Reg, u64)]) -> Machine {
    let mut w = words.to_vec();
    w.push(rv_machine::isa::encode::ebreak());
    run_with(&w, init)
}

/// Runs `words` expecting a trap or other exit; returns the machine and the exit.
pub fn run_exit(words: &[u32], init: &[(Reg, u64)]) -> (Machine, Exit) {
    let mut m = machine(words);
    for &(r, v) in init {
        m.set_reg(r, v);
    }
    let exit = m.run(10_000);
    record(&m);
    same_as_blocks(&m, exit, words, init);
    (m, exit)
}

/// A small deterministic PRNG (splitmix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.below((hi - lo + 1) as u64) as i64)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
