//! A built-in integer workload to measure the machine's speed (`zkos bench`).
//!
//! The program, assembled with [`crate::isa::encode`], runs a loop that advances a xorshift64
//! generator, reads, updates and writes an element of a 2 KiB table (`ld`/`sd`, `lw`/`sw`),
//! multiplies, takes a data-dependent branch and calls a leaf function (`jal`/`jalr`): about
//! 24 instructions per iteration. The result in `a0` is a checksum that
//! [`expected_checksum`] recomputes natively, so a wrong machine cannot post a good time.
//!
//! ```
//! let r = rv_machine::bench::run(1000).unwrap();
//! assert!(r.verified());
//! assert!(r.instructions > 20_000);
//! ```

use alloc::vec::Vec;
use std::time::Instant;

use crate::isa::encode::*;
use crate::isa::Reg;
use crate::machine::{Config, Exit, Machine, Perm};
use crate::Error;

/// Where the workload's code and table live.
const CODE: u64 = 0x1_0000;
const TABLE: u64 = 0x10_0000;
/// Table bytes (256 eight-byte entries).
const TABLE_SIZE: u64 = 2048;

/// What one benchmark run measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BenchResult {
    /// Instructions executed (exact).
    pub instructions: u64,
    /// Wall-clock seconds spent in [`Machine::run`].
    pub seconds: f64,
    /// The workload's checksum in `a0` at the final `ebreak`.
    pub checksum: u64,
    /// What the checksum must be ([`expected_checksum`]); they differ only if the machine
    /// computed wrongly or did not reach the final `ebreak`.
    pub expected: u64,
}

impl BenchResult {
    /// Whether the machine computed the right checksum.
    pub fn verified(&self) -> bool {
        self.checksum == self.expected
    }

    /// Millions of instructions per second.
    pub fn mips(&self) -> f64 {
        self.instructions as f64 / self.seconds.max(1e-9) / 1e6
    }
}

/// The workload's code for `iterations` loop iterations.
pub fn program(iterations: u64) -> Result<Vec<u32>, Error> {
    use Reg as R;
    let (base, i, n, x, acc) = (R::S0, R::S1, R::S2, R::S3, R::S4);
    let (t0, t1, t2, t3) = (R::T0, R::T1, R::T2, R::T3);
    let mut p = Vec::new();
    // base = TABLE (fits lui), n = iterations (up to 2^31 via lui/addi), x = seed.
    p.push(lui(base, (TABLE >> 12) as i32)?);
    p.push(addi(i, R::ZERO, 0)?);
    let n32 = clamp(iterations) as i32;
    p.push(lui(n, (n32 + 0x800) >> 12)?);
    p.push(addi(n, n, n32 - (((n32 + 0x800) >> 12) << 12))?);
    p.push(addi(x, R::ZERO, 0x5A5)?);
    p.push(addi(acc, R::ZERO, 0)?);
    p.push(addi(R::A0, R::ZERO, 0)?);
    let top = p.len();
    // xorshift64: x ^= x << 13; x ^= x >> 7; x ^= x << 17.
    p.push(slli(t0, x, 13)?);
    p.push(xor(x, x, t0));
    p.push(srli(t0, x, 7)?);
    p.push(xor(x, x, t0));
    p.push(slli(t0, x, 17)?);
    p.push(xor(x, x, t0));
    // t1 = &table[x & 255]; t2 = table[..] + x; table[..] = t2.
    p.push(andi(t1, x, 0x7F8)?);
    p.push(add(t1, t1, base));
    p.push(ld(t2, t1, 0)?);
    p.push(add(t2, t2, x));
    p.push(sd(t1, t2, 0)?);
    // A 32-bit counter in the other half of the entry.
    p.push(lw(t3, t1, 4)?);
    p.push(addiw(t3, t3, 3)?);
    p.push(sw(t1, t3, 4)?);
    // acc ^= t2 * i; if t2*i < acc (unsigned) acc += 1.
    p.push(mul(t3, t2, i));
    p.push(xor(acc, acc, t3));
    p.push(bgeu(t3, acc, 8)?);
    p.push(addi(acc, acc, 1)?);
    // a0 = leaf(a0): a0 += acc >> 3.
    let call_at = p.len();
    p.push(0); // patched below
    p.push(addi(i, i, 1)?);
    let back = (top as i32 - p.len() as i32) * 4;
    p.push(bne(i, n, back)?);
    p.push(xor(R::A0, R::A0, acc));
    p.push(ebreak());
    let leaf = p.len();
    p.push(srli(t0, acc, 3)?);
    p.push(add(R::A0, R::A0, t0));
    p.push(jalr(R::ZERO, R::RA, 0)?);
    p[call_at] = jal(R::RA, (leaf as i32 - call_at as i32) * 4)?;
    Ok(p)
}

/// The loop count the program actually uses.
fn clamp(iterations: u64) -> u64 {
    iterations.clamp(1, 0x7FFF_F7FF)
}

/// The checksum the workload leaves in `a0`, computed natively.
pub fn expected_checksum(iterations: u64) -> u64 {
    let mut table = [0u64; (TABLE_SIZE / 8) as usize];
    let (mut x, mut acc, mut a0) = (0x5A5u64, 0u64, 0u64);
    for i in 0..clamp(iterations) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let slot = ((x & 0x7F8) >> 3) as usize;
        let t2 = table[slot].wrapping_add(x);
        let counter = ((t2 >> 32) as u32).wrapping_add(3);
        table[slot] = (t2 & 0xFFFF_FFFF) | (u64::from(counter) << 32);
        let t3 = t2.wrapping_mul(i);
        acc ^= t3;
        if t3 < acc {
            acc += 1;
        }
        a0 = a0.wrapping_add(acc >> 3);
    }
    a0 ^ acc
}

/// Runs the workload for `iterations` iterations (clamped to `1..=0x7FFF_F7FF`) and times it.
/// About 24 instructions per iteration: 10 million iterations take about a second.
pub fn run(iterations: u64) -> Result<BenchResult, Error> {
    let code: Vec<u8> = program(iterations)?.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut m = Machine::new(Config::default());
    m.map(CODE, code.len() as u64, Perm::RX, &code)?;
    m.map(TABLE, TABLE_SIZE, Perm::RW, &[])?;
    m.set_pc(CODE);
    let start = Instant::now();
    let exit = m.run(u64::MAX);
    let seconds = start.elapsed().as_secs_f64();
    let checksum = if exit == Exit::Ebreak { m.reg(Reg::A0) } else { !expected_checksum(iterations) };
    Ok(BenchResult { instructions: m.instret(), seconds, checksum, expected: expected_checksum(iterations) })
}
