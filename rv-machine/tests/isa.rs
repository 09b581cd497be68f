//! The instruction table's decoder, encoder and disassembler: round trips, immediate checks,
//! and a differential test against GNU binutils (`as` encodes our disassembly, `objdump`
//! disassembles our encoding).

mod common;

use std::fmt::Write as _;
use std::process::Command;

use common::{tools, Rng};
use rv_machine::isa::{decode, encode, Format, Inst, Opcode, Reg};
use rv_machine::{Error, ImmField};

fn reg(rng: &mut Rng) -> Reg {
    Reg::new(rng.below(32) as u32).unwrap()
}

/// A value in `lo..=hi`, often one of the edges.
fn edgy(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    match rng.below(6) {
        0 => lo,
        1 => hi,
        2 => 0.clamp(lo, hi),
        3 => (-1).clamp(lo, hi),
        _ => rng.range(lo, hi),
    }
}

fn random_inst(rng: &mut Rng, op: Opcode) -> Inst {
    let (rd, rs1, rs2) = (reg(rng), reg(rng), reg(rng));
    match op.format() {
        Format::R => Inst::R { op, rd, rs1, rs2 },
        Format::I => Inst::I { op, rd, rs1, imm: edgy(rng, -2048, 2047) as i32 },
        Format::Ish => Inst::Shift { op, rd, rs1, shamt: edgy(rng, 0, 63) as u32 },
        Format::Ishw => Inst::Shift { op, rd, rs1, shamt: edgy(rng, 0, 31) as u32 },
        Format::S => Inst::S { op, rs1, rs2, imm: edgy(rng, -2048, 2047) as i32 },
        Format::B => Inst::B { op, rs1, rs2, offset: edgy(rng, -2048, 2047) as i32 * 2 },
        Format::U => Inst::U { op, rd, imm20: edgy(rng, -0x80000, 0x7FFFF) as i32 },
        Format::J => Inst::J { op, rd, offset: edgy(rng, -0x8_0000, 0x7_FFFF) as i32 * 2 },
        Format::Fence if rng.below(8) == 0 => Inst::Fence { fm: 8, pred: 3, succ: 3, rd: Reg::ZERO, rs1: Reg::ZERO },
        Format::Fence => Inst::Fence {
            fm: 0,
            pred: rng.range(1, 15) as u8,
            succ: rng.range(1, 15) as u8,
            rd: Reg::ZERO,
            rs1: Reg::ZERO,
        },
        Format::Sys => Inst::Sys { op },
    }
}

#[test]
fn table_is_consistent() {
    assert_eq!(Opcode::COUNT, 65, "RV64I has 52 instructions and M has 13");
    for (i, &op) in Opcode::ALL.iter().enumerate() {
        assert_eq!(op as usize, i);
        // Fixed bits lie inside the mask, and no two rows claim the same words.
        assert_eq!(op.match_bits() & !op.mask(), 0, "{op}");
        for &other in &Opcode::ALL[i + 1..] {
            let common = op.mask() & other.mask();
            assert_ne!(op.match_bits() & common, other.match_bits() & common, "{op} vs {other}");
        }
        assert_eq!(op.match_bits() & 3, 3, "{op} must be a 32-bit encoding");
    }
    let m: Vec<&str> = Opcode::ALL.iter().filter(|o| o.is_m()).map(|o| o.mnemonic()).collect();
    assert_eq!(m.len(), 13, "{m:?}");
}

#[test]
fn encode_decode_round_trip() {
    let mut rng = Rng(1);
    for &op in Opcode::ALL {
        for _ in 0..500 {
            let inst = random_inst(&mut rng, op);
            let word = inst.encode().unwrap();
            assert_eq!(decode(word), Some(inst), "{inst:?} -> {word:#010x}");
        }
    }
    // Every word that decodes encodes back to itself.
    let mut decoded = 0;
    for _ in 0..1_000_000 {
        let word = (rng.next() as u32) | 3; // 32-bit encodings only, to hit more rows
        if let Some(inst) = decode(word) {
            decoded += 1;
            assert_eq!(inst.encode(), Ok(word), "{inst:?}");
        }
    }
    assert!(decoded > 10_000, "only {decoded} random words decoded");
}

#[test]
fn immediates_are_checked() {
    use encode::*;
    let (a, b) = (Reg::A0, Reg::A1);
    let err = |field, value| Err(Error::Imm { field, value });
    assert_eq!(addi(a, b, 2048), err(ImmField::Signed12, 2048));
    assert_eq!(ld(a, b, -2049), err(ImmField::Signed12, -2049));
    assert_eq!(sd(a, b, 2048), err(ImmField::Signed12, 2048));
    assert_eq!(beq(a, b, 4096), err(ImmField::Branch, 4096));
    assert_eq!(beq(a, b, -4098), err(ImmField::Branch, -4098));
    assert_eq!(beq(a, b, 7), err(ImmField::Branch, 7));
    assert_eq!(jal(a, 0x10_0000), err(ImmField::Jump, 0x10_0000));
    assert_eq!(jal(a, 3), err(ImmField::Jump, 3));
    assert_eq!(lui(a, 0x80000), err(ImmField::Upper20, 0x80000));
    assert_eq!(auipc(a, -0x80001), err(ImmField::Upper20, -0x80001));
    assert_eq!(slli(a, b, 64), err(ImmField::Shamt6, 64));
    assert_eq!(slliw(a, b, 32), err(ImmField::Shamt5, 32));
    assert_eq!(fence(16, 0), err(ImmField::Fence4, 16));
    // The extremes that do fit.
    assert!(addi(a, b, -2048).is_ok() && beq(a, b, -4096).is_ok() && beq(a, b, 4094).is_ok());
    assert!(jal(a, -0x10_0000).is_ok() && jal(a, 0xF_FFFE).is_ok() && lui(a, -0x80000).is_ok());
    // A hand-built Inst whose variant does not match its opcode.
    let bad = Inst::R { op: Opcode::Addi, rd: a, rs1: a, rs2: a };
    assert_eq!(bad.encode(), Err(Error::FormatMismatch { op: Opcode::Addi }));
}

#[test]
fn known_encodings_and_syntax() {
    use encode::*;
    let cases: &[(u32, &str)] = &[
        (addi(Reg::A0, Reg::A0, 1).unwrap(), "addi a0, a0, 1"),
        (ld(Reg::RA, Reg::SP, 8).unwrap(), "ld ra, 8(sp)"),
        (sd(Reg::SP, Reg::A0, -8).unwrap(), "sd a0, -8(sp)"),
        (lui(Reg::A0, -0x80000).unwrap(), "lui a0, 0x80000"),
        (slli(Reg::A0, Reg::A1, 63).unwrap(), "slli a0, a1, 0x3f"),
        (beq(Reg::A0, Reg::A1, 16).unwrap(), "beq a0, a1, .+16"),
        (bne(Reg::A0, Reg::A1, -8).unwrap(), "bne a0, a1, .-8"),
        (jalr(Reg::ZERO, Reg::RA, 0).unwrap(), "jalr zero, 0(ra)"),
        (fence_all(), "fence iorw, iorw"),
        (0x8330_000F, "fence.tso"),
        (ecall(), "ecall"),
        (ebreak(), "ebreak"),
    ];
    let expect_words = [
        0x0015_0513,
        0x0081_3083,
        0xFEA1_3C23,
        0x8000_0537,
        0x03F5_9513,
        0x00B5_0863,
        0xFEB5_1CE3,
        0x0000_8067,
        0x0FF0_000F,
        0x8330_000F,
        0x0000_0073,
        0x0010_0073,
    ];
    for (&(word, text), want) in cases.iter().zip(expect_words) {
        assert_eq!(word, want, "{text}");
        assert_eq!(decode(word).unwrap().to_string(), text);
    }
    let j = decode(encode::jal(Reg::RA, 0x800).unwrap()).unwrap();
    assert_eq!(j.display_at(0x10024).to_string(), "jal ra, 0x10824");
}

/// objdump's rendering of one instruction, in our syntax.
fn normalize_objdump(line: &str) -> Option<(u32, String)> {
    let parts: Vec<&str> = line.split('\t').collect();
    if parts.len() < 3 || !parts[0].trim_end().ends_with(':') {
        return None;
    }
    let word = u32::from_str_radix(parts[1].trim(), 16).ok()?;
    let mut text = parts[2].trim().to_string();
    if let Some(ops) = parts.get(3) {
        let ops = ops.split(" <").next().unwrap().split(" #").next().unwrap();
        text.push(' ');
        text.push_str(&ops.trim().replace(',', ", "));
    }
    Some((word, text))
}

#[test]
fn differential_against_binutils() {
    let (as_bin, objdump) = (tools::assembler(), tools::objdump());
    let dir = tools::scratch_dir("isa");
    let mut rng = Rng(7);
    let mut insts = Vec::new();
    for &op in Opcode::ALL {
        for _ in 0..24 {
            insts.push(random_inst(&mut rng, op));
        }
    }
    // 1. GNU as assembles our disassembly to our encoding.
    let mut src = String::from(".text\n.option norvc\n");
    for inst in &insts {
        writeln!(src, "{inst}").unwrap();
    }
    std::fs::write(dir.join("t.s"), &src).unwrap();
    let st = Command::new(&as_bin)
        .args(["-march=rv64im", "-mabi=lp64", "-o"])
        .arg(dir.join("t.o"))
        .arg(dir.join("t.s"))
        .status()
        .unwrap();
    assert!(st.success(), "as rejected our disassembly (see {})", dir.display());
    let out = Command::new(&objdump).args(["-d", "-M", "no-aliases"]).arg(dir.join("t.o")).output().unwrap();
    assert!(out.status.success());
    let listing: Vec<(u32, String)> =
        String::from_utf8(out.stdout).unwrap().lines().filter_map(normalize_objdump).collect();
    assert_eq!(listing.len(), insts.len(), "objdump listed a different number of instructions");
    for (i, (inst, (word, theirs))) in insts.iter().zip(&listing).enumerate() {
        let pc = 4 * i as u64;
        // 1. Same encoding.
        assert_eq!(inst.encode(), Ok(*word), "as encoded `{inst}` as {word:#010x}");
        // 2. Same disassembly (objdump prints absolute targets without 0x).
        let mut ours = inst.display_at(pc).to_string();
        if matches!(inst.op().format(), Format::B | Format::J) {
            ours = ours.replace("0x", "");
        }
        assert_eq!(ours, *theirs, "disassembly of {word:#010x} at {pc:#x}");
    }
}
