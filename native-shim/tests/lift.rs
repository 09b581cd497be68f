//! The lifter on a real ELF (the C counter example, built with riscv64-unknown-elf-gcc
//! -march=rv64im -mabi=lp64 -O2 -nostdlib -static): the module passes the validator and
//! metering, and malformed variants of the file are rejected with a rule, never a panic.

use native_shim::{lift, Rule};

const COUNTER: &[u8] = include_bytes!("fixtures/counter.elf");

#[test]
fn the_counter_lifts_to_a_valid_module() {
    let lifted = lift(COUNTER).unwrap_or_else(|e| panic!("{e}"));
    let info = wasm_validator::validate::validate(&lifted.wasm).unwrap_or_else(|e| panic!("{e}"));
    assert!(info.has_deploy);
    wasm_validator::meter::meter(&lifted.wasm).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{} instructions, {} blocks, {} bytes of WASM from {} bytes of ELF",
        lifted.instructions,
        lifted.blocks,
        lifted.wasm.len(),
        COUNTER.len()
    );
}

/// `run` (the first defined function) is a leaf: it calls host functions (imports) and
/// nothing else, and uses no bulk memory operation or `memory.grow` (which metering turns
/// into calls), so rv-backend keeps more of its locals in registers. The counter reads,
/// writes, grows its heap with `brk` and exits: those `ecall`s are served inline or by the
/// driver.
#[test]
fn run_is_a_leaf() {
    use wasmparser::{Operator, Parser, Payload};
    let lifted = lift(COUNTER).unwrap_or_else(|e| panic!("{e}"));
    let mut imports = 0;
    let mut run = None;
    for payload in Parser::new(0).parse_all(&lifted.wasm) {
        match payload.expect("a valid module") {
            Payload::ImportSection(r) => imports = r.count(),
            Payload::CodeSectionEntry(body) if run.is_none() => run = Some(body),
            _ => {}
        }
    }
    let run = run.expect("run's body");
    let mut ops = run.get_operators_reader().expect("operators");
    let mut host_calls = 0;
    while !ops.eof() {
        match ops.read().expect("an operator") {
            Operator::Call { function_index } => {
                assert!(function_index < imports, "run calls function {function_index}, not a host function");
                host_calls += 1;
            }
            op @ (Operator::CallIndirect { .. }
            | Operator::MemoryCopy { .. }
            | Operator::MemoryFill { .. }
            | Operator::MemoryInit { .. }
            | Operator::MemoryGrow { .. }) => panic!("run uses {op:?}"),
            _ => {}
        }
    }
    assert!(host_calls > 0, "the counter's run calls host functions");
}

#[test]
fn every_truncation_is_rejected_cleanly() {
    for len in 0..COUNTER.len() {
        let _ = lift(&COUNTER[..len]);
    }
    assert_eq!(lift(&COUNTER[..10]).unwrap_err().rule(), Rule::Truncated);
}

#[test]
fn bit_flips_never_panic() {
    let mut file = COUNTER.to_vec();
    for at in 0..file.len() {
        for bit in 0..8 {
            file[at] ^= 1 << bit;
            if let Ok(l) = lift(&file) {
                // Whatever lifts must still be a module the validator judges (no panic).
                let _ = wasm_validator::validate::validate(&l.wasm);
            }
            file[at] ^= 1 << bit;
        }
    }
}

fn u64_at(f: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(f[at..at + 8].try_into().unwrap())
}

fn put_u64(f: &mut [u8], at: usize, v: u64) {
    f[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// File offsets of the PT_LOAD program headers.
fn loads(f: &[u8]) -> Vec<usize> {
    let phoff = u64_at(f, 32) as usize;
    let phnum = u16::from_le_bytes([f[56], f[57]]) as usize;
    (0..phnum).map(|i| phoff + 56 * i).filter(|&at| f[at..at + 4] == [1, 0, 0, 0]).collect()
}

/// The file offset of the instruction at `addr` (in the first, executable segment).
fn text_offset(f: &[u8], addr: u64) -> usize {
    let ph = loads(f)[0];
    (u64_at(f, ph + 8) + addr - u64_at(f, ph + 16)) as usize
}

fn rejected(f: &[u8]) -> native_shim::ShimError {
    lift(f).expect_err("the file must be rejected")
}

#[test]
fn malformed_headers_name_their_rule_and_offset() {
    let entry = u64_at(COUNTER, 24);
    let [text, data] = loads(COUNTER)[..] else { panic!("two segments") };
    let case = |edit: &dyn Fn(&mut Vec<u8>), rule: Rule, text: &str| {
        let mut f = COUNTER.to_vec();
        edit(&mut f);
        let e = rejected(&f);
        assert_eq!(e.rule(), rule, "{e}");
        assert!(e.to_string().contains(text), "{e} should contain {text}");
    };
    case(&|f| f[4] = 1, Rule::Ident, "file offset 0x4");
    case(&|f| f[16] = 3, Rule::Type, "ET_EXEC");
    case(&|f| f[48] = 1, Rule::Flags, "file offset 0x30");
    case(&|f| f[data] = 2, Rule::Dynamic, "dynamic linking");
    // W^X: the code segment made writable.
    case(&|f| f[text + 4] = 7, Rule::WritableExecutable, &format!("file offset {text:#x}"));
    // The data segment moved onto the code.
    case(&|f| put_u64(f, data + 16, u64_at(COUNTER, text + 16) + 0x100), Rule::Overlap, "overlap");
    // p_filesz above p_memsz, a giant p_memsz, and one whose end overflows.
    case(&|f| put_u64(f, data + 32, u64_at(COUNTER, data + 40) + 1), Rule::Segment, "exceeds p_memsz");
    case(&|f| put_u64(f, data + 40, 1 << 40), Rule::Memory, "more than");
    case(&|f| put_u64(f, data + 40, u64::MAX - 8), Rule::Segment, "overflows");
    // A segment's bytes past the end of the file.
    let long = |f: &mut Vec<u8>| {
        put_u64(f, text + 32, 1 << 20);
        put_u64(f, text + 40, 1 << 20);
    };
    case(&long, Rule::Truncated, "past the end of the file");
    // The entry point in the ELF header's bytes, and misaligned.
    case(&|f| put_u64(f, 24, u64_at(COUNTER, text + 16)), Rule::Entry, "file offset 0x18");
    case(&|f| put_u64(f, 24, entry + 2), Rule::Entry, "not an instruction of the text");
}

#[test]
fn instructions_outside_rv64im_name_their_address() {
    let entry = u64_at(COUNTER, 24);
    let at = text_offset(COUNTER, entry);
    for (word, what) in
        [(0x0000_0001u32, "compressed"), (0x00B5_7553, "floating-point"), (0x00B5_202F, "atomic"), (0xC000_2573, "CSR")]
    {
        let mut f = COUNTER.to_vec();
        f[at..at + 4].copy_from_slice(&word.to_le_bytes());
        let e = rejected(&f);
        assert_eq!(e.rule(), Rule::Instruction);
        assert!(e.to_string().contains(what) && e.to_string().ends_with(&format!("at address {entry:#x}")), "{e}");
    }
    // jal zero, +1 MiB - 2: far outside the text.
    let mut f = COUNTER.to_vec();
    f[at..at + 4].copy_from_slice(&0x7FFF_F06Fu32.to_le_bytes());
    let e = rejected(&f);
    assert_eq!(e.rule(), Rule::BranchTarget, "{e}");
    assert!(e.to_string().ends_with(&format!("at address {entry:#x}")), "{e}");
}

fn elf_of(code: &[u32]) -> Vec<u8> {
    native_shim::elf::minimal(code)
}

/// A program of `n` instructions: runs of ALU operations, loads and stores, forward and
/// backward branches, calls and returns, ending with exit(0).
fn synthetic(n: usize) -> Vec<u32> {
    use rv_machine::isa::{encode, Reg};
    let mut code = Vec::with_capacity(n);
    let regs = [Reg::A0, Reg::A1, Reg::A2, Reg::A3, Reg::T0, Reg::T1, Reg::S1, Reg::S2];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    while code.len() + 4 < n {
        let r = next();
        let (a, b, c) = (regs[(r % 8) as usize], regs[(r / 8 % 8) as usize], regs[(r / 64 % 8) as usize]);
        let word = match r / 512 % 10 {
            0 => encode::add(a, b, c),
            1 => encode::mul(a, b, c),
            2 => encode::divu(a, b, c),
            3 => encode::addi(a, b, (r % 2000) as i32 - 1000).unwrap(),
            4 => encode::xor(a, b, c),
            5 => encode::ld(a, Reg::SP, -8 * (1 + (r % 32) as i32)).unwrap(),
            6 => encode::sd(Reg::SP, b, -8 * (1 + (r % 32) as i32)).unwrap(),
            7 if code.len() + 12 < n => encode::bne(a, b, 8 + 4 * (r % 6) as i32).unwrap(),
            8 if code.len() > 16 => encode::beq(a, b, -4 * (1 + (r % 12) as i32)).unwrap(),
            _ => encode::sltu(a, b, c),
        };
        code.push(word);
    }
    code.push(encode::addi(Reg::A0, Reg::ZERO, 0).unwrap());
    code.push(encode::addi(Reg::A7, Reg::ZERO, 93).unwrap());
    code.push(encode::ecall());
    code.push(encode::ecall());
    code
}

/// Lifting is linear in the code size: the time per instruction (best of five) stays flat
/// from 1,000 to 12,000 instructions, and so does the size of the lifted module (a table: the
/// clock is not asserted, the module sizes, which are exact, are); every size lifts to a
/// module the validator accepts, and past the WASM contract size the rejection is clear.
#[test]
fn lifting_is_linear_in_the_code_size() {
    let mut bytes_per = Vec::new();
    eprintln!(
        "| instructions | ELF bytes | WASM bytes | lift µs (best of 5) | ns per instruction |\n|---|---|---|---|---|"
    );
    for n in [1_000, 2_000, 4_000, 8_000, 12_000] {
        let elf = elf_of(&synthetic(n));
        let mut best = std::time::Duration::MAX;
        let mut lifted = None;
        for _ in 0..5 {
            let start = std::time::Instant::now();
            lifted = Some(lift(&elf).unwrap_or_else(|e| panic!("{n}: {e}")));
            best = best.min(start.elapsed());
        }
        let lifted = lifted.expect("lifted");
        wasm_validator::validate::validate(&lifted.wasm).unwrap_or_else(|e| panic!("{n}: {e}"));
        let ns = best.as_nanos() as f64 / n as f64;
        eprintln!("| {n} | {} | {} | {} | {ns:.0} |", elf.len(), lifted.wasm.len(), best.as_micros());
        bytes_per.push(lifted.wasm.len() as f64 / n as f64);
    }
    let (lo, hi) = bytes_per.iter().fold((f64::MAX, 0f64), |(l, h), &x| (l.min(x), h.max(x)));
    assert!(hi < 1.1 * lo, "WASM bytes per instruction from {lo:.1} to {hi:.1}");
    // Past the WASM contract size (about 18 bytes of WASM per instruction), a clear rejection.
    let e = lift(&elf_of(&synthetic(16_000))).unwrap_err();
    assert_eq!(e.rule(), Rule::TooLarge, "{e}");
}
