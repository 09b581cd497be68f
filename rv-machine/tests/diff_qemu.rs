//! Differential tests against qemu-riscv64 (Debian `qemu-user-static`):
//! - random RV64IM sequences (seeded, forward control flow only), each wrapped in a prologue
//!   that loads x1..x29 from a data block and an epilogue that stores all registers and
//!   writes them and a 4 KiB scratch area to stdout; batched 100 per ELF;
//! - C programs compiled with `riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -nostdlib
//!   -static -O2` (Debian `gcc-riscv64-unknown-elf`).
//!
//! A missing tool fails the test with the package to install.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::elf_writer::{self, Segment, PF_R, PF_W, PF_X};
use common::linux::{run_machine, run_qemu};
use common::{tools, Rng};
use rv_machine::isa::encode::*;
use rv_machine::isa::{decode, Reg};
use rv_machine::Error;

const TEXT: u64 = 0x1_0000;
const DATA: u64 = 0x20_0000;
/// 4 KiB that random loads and stores address through x30 (which points at its middle).
const SCRATCH: u64 = DATA;
const SCRATCH_SIZE: usize = 4096;
/// Where the epilogue stores the 32 registers.
const DUMP: u64 = DATA + 0x1000;
/// Initial register blocks, 256 bytes per sequence.
const INIT: u64 = DATA + 0x1100;
const PER_BATCH: usize = 100;
const BATCHES: usize = 30;
const CHUNK: usize = 256 + SCRATCH_SIZE;

fn x(n: u32) -> Reg {
    Reg::new(n).unwrap()
}

/// `li rd, value` for `0 <= value < 2^31` (lui + addi).
fn li(out: &mut Vec<u32>, rd: Reg, value: u64) {
    let v = value as i64;
    let hi = (v + 0x800) >> 12;
    out.push(lui(rd, hi as i32).unwrap());
    out.push(addi(rd, rd, (v - (hi << 12)) as i32).unwrap());
}

fn edgy_imm(rng: &mut Rng, lo: i64, hi: i64) -> i32 {
    (match rng.below(8) {
        0 => lo,
        1 => hi,
        2 => 0,
        3 => (-1).max(lo),
        4 => rng.range(-16, 16).clamp(lo, hi),
        _ => rng.range(lo, hi),
    }) as i32
}

fn value(rng: &mut Rng) -> u64 {
    match rng.below(12) {
        0 => 0,
        1 => 1,
        2 => u64::MAX,
        3 => i64::MIN as u64,
        4 => i64::MAX as u64,
        5 => 0xFFFF_FFFF_8000_0000,
        6 => 0x8000_0000,
        7 => 0xFFFF_FFFF,
        8 => 0x7FFF_FFFF,
        9 => rng.range(-64, 64) as u64,
        _ => rng.next(),
    }
}

type RFn = fn(Reg, Reg, Reg) -> u32;
type IFn = fn(Reg, Reg, i32) -> Result<u32, Error>;
type ShFn = fn(Reg, Reg, u32) -> Result<u32, Error>;

const R_OPS: &[RFn] = &[
    add, sub, sll, slt, sltu, xor, srl, sra, or, and, addw, subw, sllw, srlw, sraw, mul, mulh, mulhsu, mulhu, div,
    divu, rem, remu, mulw, divw, divuw, remw, remuw,
];
const I_OPS: &[IFn] = &[addi, slti, sltiu, xori, ori, andi, addiw];
const LOADS: &[(IFn, i64)] = &[(lb, 1), (lh, 2), (lw, 4), (ld, 8), (lbu, 1), (lhu, 2), (lwu, 4)];
const STORES: &[(IFn, i64)] = &[(sb, 1), (sh, 2), (sw, 4), (sd, 8)];
const BRANCHES: &[IFn] = &[beq, bne, blt, bge, bltu, bgeu];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Alu,
    Branch,
    Jal,
    /// `auipc tmp, 0; jalr rd, off(tmp)`: two slots.
    JalrPair,
    JalrSecond,
}

/// A random body of about `len` instructions that only jumps forward, never into the
/// middle of an `auipc`/`jalr` pair, and never past its end (the epilogue's first word).
fn body(rng: &mut Rng, len: usize) -> Vec<u32> {
    let mut kinds = Vec::new();
    while kinds.len() < len {
        match rng.below(100) {
            0..=7 => kinds.push(Kind::Branch),
            8..=10 => kinds.push(Kind::Jal),
            11..=13 => kinds.extend([Kind::JalrPair, Kind::JalrSecond]),
            _ => kinds.push(Kind::Alu),
        }
    }
    let n = kinds.len();
    let rd = |rng: &mut Rng| {
        if rng.below(20) == 0 {
            Reg::ZERO
        } else {
            x(1 + rng.below(29) as u32)
        }
    };
    let rs = |rng: &mut Rng| x(rng.below(32) as u32);
    // A forward target in p+1..=p+6 that is not the second word of a pair (n is always ok).
    let target = |rng: &mut Rng, p: usize, min: usize| loop {
        let t = (p + min + rng.below(6) as usize).min(n);
        if t == n || kinds[t] != Kind::JalrSecond {
            break t;
        }
    };
    let mut out = Vec::with_capacity(n);
    for (p, &kind) in kinds.iter().enumerate() {
        let word = match kind {
            Kind::Alu => match rng.below(100) {
                0..=39 => rng.pick(R_OPS)(rd(rng), rs(rng), rs(rng)),
                40..=59 => rng.pick(I_OPS)(rd(rng), rs(rng), edgy_imm(rng, -2048, 2047)).unwrap(),
                60..=64 => slli(rd(rng), rs(rng), edgy_imm(rng, 0, 63) as u32).unwrap(),
                65..=67 => srli(rd(rng), rs(rng), edgy_imm(rng, 0, 63) as u32).unwrap(),
                68..=70 => srai(rd(rng), rs(rng), edgy_imm(rng, 0, 63) as u32).unwrap(),
                71..=72 => {
                    let f: &[ShFn] = &[slliw, srliw, sraiw];
                    rng.pick(f)(rd(rng), rs(rng), edgy_imm(rng, 0, 31) as u32).unwrap()
                }
                73..=83 => {
                    let &(f, size) = rng.pick(LOADS);
                    f(rd(rng), x(30), edgy_imm(rng, -2048, 2048 - size)).unwrap()
                }
                84..=93 => {
                    let &(f, size) = rng.pick(STORES);
                    f(x(30), rs(rng), edgy_imm(rng, -2048, 2048 - size)).unwrap()
                }
                94..=95 => lui(rd(rng), edgy_imm(rng, -0x80000, 0x7FFFF)).unwrap(),
                96..=97 => auipc(rd(rng), edgy_imm(rng, -0x80000, 0x7FFFF)).unwrap(),
                _ => fence(1 + rng.below(15) as u8, 1 + rng.below(15) as u8).unwrap(),
            },
            Kind::Branch => {
                let t = target(rng, p, 1);
                rng.pick(BRANCHES)(rs(rng), rs(rng), 4 * (t - p) as i32).unwrap()
            }
            Kind::Jal => {
                let t = target(rng, p, 1);
                jal(rd(rng), 4 * (t - p) as i32).unwrap()
            }
            Kind::JalrPair => {
                let tmp = x(1 + rng.below(29) as u32);
                let t = target(rng, p, 2);
                // Bit 0 of the target is cleared by jalr: set it sometimes.
                let off = 4 * (t - p) as i32 + rng.below(2) as i32;
                out.push(auipc(tmp, 0).unwrap());
                jalr(rd(rng), tmp, off).unwrap()
            }
            Kind::JalrSecond => continue,
        };
        out.push(word);
    }
    out
}

struct Batch {
    elf: Vec<u8>,
    /// The body of each sequence and the text address where it starts.
    bodies: Vec<(u64, Vec<u32>)>,
}

fn batch(rng: &mut Rng) -> Batch {
    let mut text = Vec::new();
    let mut data = vec![0u8; (INIT - DATA) as usize + 256 * PER_BATCH];
    for b in &mut data[..SCRATCH_SIZE] {
        *b = rng.next() as u8;
    }
    let mut bodies = Vec::new();
    for k in 0..PER_BATCH {
        let block = INIT + 256 * k as u64;
        let at = (block - DATA) as usize;
        for i in 1..30 {
            let v = value(rng);
            data[at + 8 * i..at + 8 * i + 8].copy_from_slice(&v.to_le_bytes());
        }
        // Prologue.
        li(&mut text, x(31), block);
        for i in 1..30 {
            text.push(ld(x(i), x(31), 8 * i as i32).unwrap());
        }
        li(&mut text, x(30), SCRATCH + 2048);
        let len = 10 + rng.below(50) as usize;
        let b = body(rng, len);
        bodies.push((TEXT + 4 * text.len() as u64, b.clone()));
        text.extend(b);
        // Epilogue: dump registers, then write(1, DUMP, 256) and write(1, SCRATCH, 4096).
        li(&mut text, x(31), DUMP);
        for i in 0..32 {
            text.push(sd(x(31), x(i), 8 * i as i32).unwrap());
        }
        text.push(addi(Reg::A7, Reg::ZERO, 64).unwrap());
        text.push(addi(Reg::A0, Reg::ZERO, 1).unwrap());
        text.push(addi(Reg::A1, x(31), 0).unwrap());
        text.push(addi(Reg::A2, Reg::ZERO, 256).unwrap());
        text.push(ecall());
        text.push(addi(Reg::A0, Reg::ZERO, 1).unwrap());
        li(&mut text, Reg::A1, SCRATCH);
        text.push(lui(Reg::A2, 1).unwrap());
        text.push(ecall());
    }
    text.push(addi(Reg::A7, Reg::ZERO, 93).unwrap());
    text.push(addi(Reg::A0, Reg::ZERO, 0).unwrap());
    text.push(ecall());
    let code = common::bytes(&text);
    let elf = elf_writer::write(
        TEXT,
        &[
            Segment { vaddr: TEXT, flags: PF_R | PF_X, memsz: code.len() as u64, data: code },
            Segment { vaddr: DATA, flags: PF_R | PF_W, memsz: data.len() as u64, data },
        ],
    );
    Batch { elf, bodies }
}

/// Explains the first differing sequence of a batch.
fn explain(b: &Batch, ours: &[u8], theirs: &[u8]) -> String {
    let k = (0..PER_BATCH)
        .find(|&k| {
            let r = k * CHUNK..((k + 1) * CHUNK);
            ours.get(r.clone()) != theirs.get(r)
        })
        .unwrap_or(PER_BATCH);
    let mut s = format!("sequence {k} of the batch differs");
    let Some((start, body)) = b.bodies.get(k) else {
        return format!("{s}; output lengths {} vs {}", ours.len(), theirs.len());
    };
    let chunk = |out: &[u8]| out.get(k * CHUNK..(k + 1) * CHUNK).map(<[u8]>::to_vec);
    match (chunk(ours), chunk(theirs)) {
        (Some(o), Some(t)) => {
            for i in 0..32 {
                let reg = |c: &[u8]| u64::from_le_bytes(c[8 * i..8 * i + 8].try_into().unwrap());
                if reg(&o) != reg(&t) {
                    let _ = write!(s, "\n  x{i}: machine {:#x}, qemu {:#x}", reg(&o), reg(&t));
                }
            }
            if let Some(off) = (256..CHUNK).find(|&j| o[j] != t[j]) {
                let _ = write!(s, "\n  scratch differs from offset {}", off - 256);
            }
        }
        _ => {
            let _ = write!(s, "\n  output lengths {} vs {}", ours.len(), theirs.len());
        }
    }
    s.push_str("\n  body:");
    for (i, &w) in body.iter().enumerate() {
        let pc = start + 4 * i as u64;
        let text = decode(w).map(|d| d.display_at(pc).to_string()).unwrap_or_default();
        let _ = write!(s, "\n    {pc:#x}: {w:08x}  {text}");
    }
    s
}

#[test]
fn random_sequences_match_qemu() {
    tools::qemu();
    let dir = tools::scratch_dir("random");
    let mut rng = Rng(0x5EED_2024);
    let mut executed = 0;
    for i in 0..BATCHES {
        let b = batch(&mut rng);
        let path = dir.join(format!("batch{i}.elf"));
        tools::write_executable(&path, &b.elf);
        let theirs = run_qemu(&path);
        let (ours, m) = run_machine(&b.elf, 10_000_000);
        executed += m.instret();
        assert_eq!(theirs.status, 0, "qemu failed on {}", path.display());
        assert_eq!(theirs.stdout.len(), PER_BATCH * CHUNK, "qemu output of {}", path.display());
        if ours != theirs {
            panic!("batch {i} ({}): {}", path.display(), explain(&b, &ours.stdout, &theirs.stdout));
        }
    }
    eprintln!("{} sequences, {executed} instructions, identical", BATCHES * PER_BATCH);
}

fn compile(src: &Path, out: &Path) {
    let st = Command::new(tools::gcc())
        .args(["-march=rv64im", "-mabi=lp64", "-nostdlib", "-static", "-O2", "-o"])
        .arg(out)
        .arg(src)
        .output()
        .unwrap();
    assert!(st.status.success(), "compiling {}: {}", src.display(), String::from_utf8_lossy(&st.stderr));
}

#[test]
fn c_programs_match_qemu() {
    tools::qemu();
    let dir = tools::scratch_dir("c");
    let src_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    for name in ["sort", "hash", "math"] {
        let exe = dir.join(name);
        compile(&src_dir.join(format!("{name}.c")), &exe);
        let elf = std::fs::read(&exe).unwrap();
        let theirs = run_qemu(&exe);
        let (ours, m) = run_machine(&elf, 2_000_000_000);
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{name}: output differs"
        );
        assert_eq!(ours.status, theirs.status, "{name}: exit status differs");
        // Each program checks its own results and exits 1 on a wrong answer.
        assert_ne!(ours.status, 1, "{name} reported a wrong result:\n{}", String::from_utf8_lossy(&ours.stdout));
        let hist = m.histogram().unwrap();
        eprintln!("{name}: exit {}, {} instructions, top: {:?}", ours.status, m.instret(), &hist.sorted()[..5]);
    }
}
