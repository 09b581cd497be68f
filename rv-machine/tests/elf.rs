//! ELF loading: a valid executable runs; every malformed header is a clear error, never a
//! panic (truncations at every length and thousands of random corruptions).

mod common;

use common::elf_writer::{self, Section, Segment, PF_R, PF_W, PF_X};
use common::{bytes, Rng};
use rv_machine::elf::{parse, LoadOptions};
use rv_machine::isa::{encode::*, Reg};
use rv_machine::{Config, ElfProblem, Error, Exit, Machine, MapProblem, Perm};

const TEXT: u64 = 0x1_0000;
const DATA: u64 = 0x2_0000;

/// A program that loads a word from its data segment, adds the first bss word, and ecalls.
fn sample() -> Vec<u8> {
    let code = bytes(&[
        lui(Reg::A1, (DATA >> 12) as i32).unwrap(),
        lw(Reg::A0, Reg::A1, 0).unwrap(),
        ld(Reg::A2, Reg::A1, 8).unwrap(), // bss: zero
        add(Reg::A0, Reg::A0, Reg::A2),
        ld(Reg::A3, Reg::SP, 0).unwrap(), // argc slot of the start frame
        ecall(),
    ]);
    elf_writer::write(
        TEXT,
        &[
            Segment { vaddr: TEXT, flags: PF_R | PF_X, data: code, memsz: 24 },
            Segment { vaddr: DATA, flags: PF_R | PF_W, data: 1234u32.to_le_bytes().to_vec(), memsz: 64 },
        ],
    )
}

#[test]
fn loads_and_runs() {
    let file = sample();
    let elf = parse(&file).unwrap();
    assert_eq!(elf.entry, TEXT);
    assert_eq!(elf.segments.len(), 2);
    assert_eq!(elf.segments[1].perm, Perm::RW);
    let mut m = Machine::from_elf(Config::default(), &file).unwrap();
    assert_eq!(m.pc(), TEXT);
    let stack = LoadOptions::default();
    let layout: Vec<String> =
        m.regions().iter().map(|(base, size, perm)| format!("{base:#x}+{size:#x} {perm}")).collect();
    let stack_base = stack.stack_top - stack.stack_size;
    assert_eq!(layout, ["0x10000+0x18 r-x", "0x20000+0x40 rw-", &format!("{stack_base:#x}+0x100000 rw-")]);
    let top = LoadOptions::default().stack_top;
    assert_eq!(m.reg(Reg::SP), top - 64);
    assert_eq!(m.run(100), Exit::Ecall);
    assert_eq!(m.reg(Reg::A0), 1234);
    assert_eq!(m.reg(Reg::A3), 0);
    // The stack is mapped read-write below its top, and only there.
    m.write_u64(top - 8, 1).unwrap();
    m.write_u64(top - LoadOptions::default().stack_size, 1).unwrap();
    assert!(m.read_u8(top).is_err());
    // Text is not writable by the host; data is.
    assert!(m.write_u8(TEXT, 0).is_err());
    m.write_u8(DATA + 63, 1).unwrap();
    assert!(m.read_u8(DATA + 64).is_err());
}

#[test]
fn custom_stack_and_overlap() {
    let file = sample();
    let mut m = Machine::new(Config::default());
    let opts = LoadOptions { stack_top: 0x40_0000, stack_size: 0x1000 };
    m.load_elf(&file, &opts).unwrap();
    assert_eq!(m.reg(Reg::SP), 0x40_0000 - 64);
    // A stack overlapping the text segment is a mapping error.
    let mut m = Machine::new(Config::default());
    let opts = LoadOptions { stack_top: TEXT + 0x1000, stack_size: 0x1000 };
    let err = m.load_elf(&file, &opts).unwrap_err();
    assert!(matches!(err, Error::Map { problem: MapProblem::Overlap, .. }), "{err}");
    let opts = LoadOptions { stack_top: 0x40_0000, stack_size: 16 };
    let err = Machine::new(Config::default()).load_elf(&file, &opts).unwrap_err();
    assert!(matches!(err, Error::Map { problem: MapProblem::StackTooSmall, .. }), "{err}");
}

#[test]
fn rwx_segment_is_split_by_sections() {
    // One RWX segment: 0x40 bytes of header-like data, code, then read-only data and bss.
    let code = bytes(&[
        lui(Reg::A1, ((TEXT + 0x1000) >> 12) as i32).unwrap(),
        sd(Reg::A1, Reg::A1, 0).unwrap(), // bss is writable
        ld(Reg::A0, Reg::A1, 0).unwrap(),
        ecall(),
    ]);
    let mut data = vec![0u8; 0x40];
    data.extend_from_slice(&code);
    data.extend_from_slice(&[7; 8]);
    let seg = |data: Vec<u8>| Segment { vaddr: TEXT, flags: PF_R | PF_W | PF_X, data, memsz: 0x1100 };
    let text = Section { addr: TEXT + 0x40, size: code.len() as u64, flags: 2 | 4 };
    let rodata = Section { addr: TEXT + 0x50, size: 8, flags: 2 };
    let bss = Section { addr: TEXT + 0x1000, size: 0x100, flags: 2 | 1 };
    let file = elf_writer::write_with_sections(TEXT + 0x40, &[seg(data.clone())], &[text, rodata, bss]);
    let mut m = Machine::from_elf(Config::default(), &file).unwrap();
    let layout: Vec<(u64, u64, Perm)> = m.regions().into_iter().take(3).collect();
    assert_eq!(layout, [(TEXT, 0x40, Perm::RW), (TEXT + 0x40, 0x10, Perm::RX), (TEXT + 0x50, 0x10b0, Perm::RW)]);
    assert_eq!(m.run(100), Exit::Ecall);
    assert_eq!(m.reg(Reg::A0), TEXT + 0x1000);
    assert_eq!(m.read_u64(TEXT + 0x50).unwrap(), 0x0707_0707_0707_0707);
    // Without section headers, or with a writable section inside the code, it is rejected.
    let text = || Section { addr: TEXT + 0x40, size: 0x10, flags: 2 | 4 };
    for sections in [vec![], vec![text(), Section { addr: TEXT + 0x48, size: 4, flags: 3 }]] {
        let file = elf_writer::write_with_sections(TEXT + 0x40, &[seg(data.clone())], &sections);
        let err = parse(&file).unwrap_err();
        assert_eq!(err, Error::Elf { offset: 64 + 4, problem: ElfProblem::WritableAndExecutable });
    }
}

fn expect(file: &[u8], offset: u64, problem: ElfProblem) {
    match parse(file) {
        Err(Error::Elf { offset: o, problem: p }) => {
            assert_eq!((o, p), (offset, problem), "got: {}", Error::Elf { offset: o, problem: p });
        }
        other => panic!("expected {problem:?} at {offset}, got {other:?}"),
    }
}

fn patch(file: &[u8], at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut f = file.to_vec();
    f[at..at + bytes.len()].copy_from_slice(bytes);
    f
}

#[test]
fn rejects_malformed_headers() {
    let good = sample();
    const PH: usize = 64; // first program header
    expect(&[], 0, ElfProblem::Truncated);
    expect(&good[..3], 0, ElfProblem::Truncated);
    expect(&good[..40], 40, ElfProblem::Truncated);
    expect(&patch(&good, 0, b"\x7fELG"), 0, ElfProblem::BadMagic);
    expect(&patch(&good, 4, &[1]), 4, ElfProblem::NotElf64);
    expect(&patch(&good, 5, &[2]), 5, ElfProblem::NotLittleEndian);
    expect(&patch(&good, 6, &[0]), 6, ElfProblem::BadVersion);
    expect(&patch(&good, 16, &3u16.to_le_bytes()), 16, ElfProblem::NotExecutable(3));
    expect(&patch(&good, 18, &62u16.to_le_bytes()), 18, ElfProblem::NotRiscv(62));
    expect(&patch(&good, 20, &2u32.to_le_bytes()), 20, ElfProblem::BadVersion);
    expect(&patch(&good, 48, &1u32.to_le_bytes()), 48, ElfProblem::UnsupportedFlags(1));
    expect(&patch(&good, 48, &4u32.to_le_bytes()), 48, ElfProblem::UnsupportedFlags(4));
    expect(&patch(&good, 54, &32u16.to_le_bytes()), 54, ElfProblem::BadPhentsize(32));
    expect(&patch(&good, 32, &0xFFFF_0000u64.to_le_bytes()), 0xFFFF_0000, ElfProblem::Truncated);
    expect(&patch(&good, 32, &u64::MAX.to_le_bytes()), u64::MAX, ElfProblem::Truncated);
    // With 65535 headers, the first one that does not fit in the file is reported.
    let first_cut = (0..).map(|k| 64 + 56 * k).find(|at| at + 56 > good.len()).unwrap();
    expect(&patch(&good, 56, &0xFFFFu16.to_le_bytes()), first_cut as u64, ElfProblem::Truncated);
    expect(&patch(&good, 56, &0u16.to_le_bytes()), 32, ElfProblem::NoSegments);
    // Segment problems.
    expect(&patch(&good, PH + 8, &0x10_0000u64.to_le_bytes()), (PH + 8) as u64, ElfProblem::Truncated);
    expect(&patch(&good, PH + 32, &0x10_0000u64.to_le_bytes()), PH as u64, ElfProblem::BadSegment);
    expect(&patch(&good, PH + 16, &(u64::MAX - 8).to_le_bytes()), PH as u64, ElfProblem::BadSegment);
    expect(&patch(&good, PH + 4, &7u32.to_le_bytes()), (PH + 4) as u64, ElfProblem::WritableAndExecutable);
    expect(&patch(&good, PH + 16, &(TEXT + 2).to_le_bytes()), (PH + 16) as u64, ElfProblem::MisalignedCode);
    expect(&patch(&good, PH, &3u32.to_le_bytes()), PH as u64, ElfProblem::Dynamic);
    expect(&patch(&good, PH, &2u32.to_le_bytes()), PH as u64, ElfProblem::Dynamic);
    expect(&patch(&good, 24, &DATA.to_le_bytes()), 24, ElfProblem::BadEntry);
    expect(&patch(&good, 24, &(TEXT + 24).to_le_bytes()), 24, ElfProblem::BadEntry);
    // Other segment types are ignored: turning the data segment into PT_NOTE still loads.
    assert_eq!(parse(&patch(&good, PH + 56, &4u32.to_le_bytes())).unwrap().segments.len(), 1);
    // Errors display with the offset.
    let e = parse(&patch(&good, 18, &62u16.to_le_bytes())).unwrap_err();
    assert_eq!(e.to_string(), "bad ELF at offset 0x12: e_machine 62 is not EM_RISCV (243)");
}

/// Loads `file` into a machine with a small memory limit; must not panic.
fn try_load(file: &[u8]) -> Result<(), Error> {
    let config = Config { histogram: false, max_memory: 4 << 20 };
    let mut m = Machine::from_elf(config, file)?;
    let _ = m.run(1000);
    Ok(())
}

#[test]
fn truncations_and_corruptions_never_panic() {
    let good = sample();
    try_load(&good).unwrap();
    for len in 0..good.len() {
        // Every truncation before the end of the last segment's data fails.
        assert!(try_load(&good[..len]).is_err(), "truncated to {len} bytes loaded");
    }
    let mut rng = Rng(99);
    let mut rejected = 0;
    for _ in 0..5000 {
        let mut f = good.clone();
        for _ in 0..1 + rng.below(4) {
            // Mostly corrupt the headers, sometimes anywhere.
            let at = if rng.below(4) == 0 { rng.below(f.len() as u64) } else { rng.below(64 + 112) };
            f[at as usize] = rng.next() as u8;
        }
        if try_load(&f).is_err() {
            rejected += 1;
        }
    }
    assert!(rejected > 1000, "only {rejected} of 5000 corruptions were rejected");
}
