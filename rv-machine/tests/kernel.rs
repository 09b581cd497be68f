//! Kernel mode's machine side: the machine calls (input, output, log, halt, accelerators,
//! markers), output discarded unless the run halts with status 0, accelerator counts, and the
//! strict-alignment modes.

mod common;

use common::bytes;
use common::elf_writer::{self, Segment, PF_R, PF_W, PF_X};
use rv_machine::isa::{encode::*, Reg};
use rv_machine::kernel::{call, run_kernel, KernelFailure, KernelImage, KernelOptions};
use rv_machine::{AccessCause, AlignMode, Trap};

const CODE: u64 = 0x7800_0000;
/// A 64 KiB read-write segment (no file bytes: mapped lazily).
const DATA: u64 = 0x7810_0000;

/// `rd = value` for a value below 0x7fff_f800 (`lui` + `addi`).
fn li(rd: Reg, value: u64) -> Vec<u32> {
    assert!(value < 0x7fff_f800);
    let hi = (value + 0x800) >> 12;
    let lo = value as i64 - (hi << 12) as i64;
    vec![lui(rd, hi as i32).unwrap(), addi(rd, rd, lo as i32).unwrap()]
}

/// A machine call: `a7 = number`, then `ecall`.
fn machine_call(number: u64) -> Vec<u32> {
    let mut w = li(Reg::A7, number);
    w.push(ecall());
    w
}

/// An ELF with `words` at [`CODE`] and 64 KiB of data at [`DATA`].
fn elf(words: &[u32]) -> Vec<u8> {
    elf_writer::write(
        CODE,
        &[
            Segment { vaddr: CODE, flags: PF_R | PF_X, data: bytes(words), memsz: words.len() as u64 * 4 },
            Segment { vaddr: DATA, flags: PF_R | PF_W, data: Vec::new(), memsz: 0x1_0000 },
        ],
    )
}

fn run(words: &[u32], input: &[u8], align: AlignMode) -> rv_machine::kernel::KernelRun {
    let image = KernelImage::new(&elf(words)).expect("the test ELF loads");
    let opts = KernelOptions { budget: 10_000, align, ..KernelOptions::default() };
    run_kernel(&image, input.to_vec(), &opts).expect("the machine is built")
}

/// Reads the whole input to DATA, writes it back as output, logs "hi", halts with `status`.
fn echo(status: u64) -> Vec<u32> {
    let mut w = machine_call(call::INPUT_LEN);
    w.push(addi(Reg::S1, Reg::A0, 0).unwrap());
    w.extend(li(Reg::A0, DATA));
    w.push(addi(Reg::A1, Reg::S1, 0).unwrap());
    w.extend(machine_call(call::READ_INPUT));
    w.push(addi(Reg::A1, Reg::A0, 0).unwrap());
    w.extend(li(Reg::A0, DATA));
    w.extend(machine_call(call::WRITE_OUTPUT));
    // "hi" at DATA + 0x100.
    w.extend(li(Reg::T0, u64::from(u16::from_le_bytes(*b"hi"))));
    w.extend(li(Reg::A0, DATA + 0x100));
    w.push(sh(Reg::A0, Reg::T0, 0).unwrap());
    w.extend(li(Reg::A1, 2));
    w.extend(machine_call(call::LOG));
    w.extend(li(Reg::A0, status));
    w.extend(machine_call(call::HALT));
    w
}

#[test]
fn output_counts_only_after_a_successful_halt() {
    let input = b"the block and its witness";
    let ok = run(&echo(0), input, AlignMode::Count);
    assert_eq!(ok.result, Ok(input.to_vec()));
    assert_eq!(ok.log, "hi");
    assert!(ok.instructions > 20, "{}", ok.instructions);
    // The same run halting with a failure status (as the kernel's panic handler does) gives
    // no output, only the reason.
    let failed = run(&echo(2), input, AlignMode::Count);
    assert_eq!(failed.result, Err(KernelFailure::Status(2)));
    assert_eq!(failed.log, "hi");
}

#[test]
fn a_run_without_halt_is_a_failure() {
    // Output written, then the budget runs out in a loop: no output.
    let mut w = li(Reg::A0, DATA);
    w.extend(li(Reg::A1, 8));
    w.extend(machine_call(call::WRITE_OUTPUT));
    w.push(jal(Reg::ZERO, 0).unwrap());
    assert_eq!(run(&w, &[], AlignMode::Allow).result, Err(KernelFailure::Budget(10_000)));
    // An unknown call, and a buffer outside writable memory.
    let unknown = run(&machine_call(0x7ff), &[], AlignMode::Allow);
    assert!(matches!(unknown.result, Err(KernelFailure::UnknownCall { number: 0x7ff, .. })), "{unknown:?}");
    let mut w = li(Reg::A0, CODE);
    w.extend(machine_call(call::KECCAK_F1600));
    let bad = run(&w, &[], AlignMode::Allow);
    assert!(matches!(bad.result, Err(KernelFailure::BadBuffer { addr: CODE, len: 200, .. })), "{bad:?}");
    assert_eq!(bad.accelerators.keccak_f1600, 0);
}

#[test]
fn keccak_f1600_permutes_in_place_and_is_counted() {
    // keccak-f[1600] of the zero state, twice; output the 200 bytes.
    let mut w = Vec::new();
    for _ in 0..2 {
        w.extend(li(Reg::A0, DATA));
        w.extend(machine_call(call::KECCAK_F1600));
    }
    w.extend(li(Reg::A0, DATA));
    w.extend(li(Reg::A1, 200));
    w.extend(machine_call(call::WRITE_OUTPUT));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &[], AlignMode::Count);
    let state = out.result.expect("halts with 0");
    // The first lane of keccak-f[1600] applied twice to the zero state (the Keccak team's
    // KeccakF-1600 intermediate values).
    assert_eq!(u64::from_le_bytes(state[..8].try_into().unwrap()), 0x2D5C_954D_F96E_CB3C);
    assert_eq!(out.accelerators.keccak_f1600, 2);
    assert_eq!(out.accelerators.secp256k1_recover, 0);
}

#[test]
fn secp256k1_recovery_gives_the_signer_key() {
    use k256::ecdsa::SigningKey;
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let hash = [0x17u8; 32];
    let (signature, id) = key.sign_prehash_recoverable(&hash).unwrap();
    let mut input = hash.to_vec();
    input.extend_from_slice(&signature.to_bytes());
    input.push(id.to_byte());
    // Read the 97 bytes to DATA, recover into DATA + 0x100, output the result code and key.
    let mut w = li(Reg::A0, DATA);
    w.extend(li(Reg::A1, 97));
    w.extend(machine_call(call::READ_INPUT));
    w.extend(li(Reg::A0, DATA));
    w.extend(li(Reg::A1, DATA + 0x100));
    w.extend(machine_call(call::SECP256K1_RECOVER));
    w.extend(li(Reg::T0, DATA + 0x200));
    w.push(sd(Reg::T0, Reg::A0, 0).unwrap());
    w.extend(li(Reg::A0, DATA + 0x100));
    w.extend(li(Reg::A1, 0x108));
    w.extend(machine_call(call::WRITE_OUTPUT));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &input, AlignMode::Count);
    let got = out.result.expect("halts with 0");
    let expected = key.verifying_key().to_encoded_point(false);
    assert_eq!(&got[..64], &expected.as_bytes()[1..]);
    assert_eq!(got[0x100], 0, "result code");
    assert_eq!(out.accelerators.secp256k1_recover, 1);
    // A recovery id past 1 recovers nothing (result 1, the buffer untouched).
    input[96] = 2;
    let got = run(&w, &input, AlignMode::Count).result.expect("halts with 0");
    assert_eq!(got[0x100], 1);
    assert!(got[..64].iter().all(|b| *b == 0));
}

#[test]
fn misaligned_accesses_are_counted_or_fault() {
    // ld at DATA + 1 and sw at DATA + 2 (misaligned), lbu at DATA + 3 and ld at DATA + 8
    // (aligned), then halt.
    let mut w = li(Reg::T0, DATA);
    w.push(ld(Reg::T1, Reg::T0, 1).unwrap());
    w.push(sw(Reg::T0, Reg::T1, 2).unwrap());
    w.push(lbu(Reg::T1, Reg::T0, 3).unwrap());
    w.push(ld(Reg::T1, Reg::T0, 8).unwrap());
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    assert_eq!(run(&w, &[], AlignMode::Count).misaligned, 2);
    assert_eq!(run(&w, &[], AlignMode::Allow).misaligned, 0, "not counted when allowed");
    let fault = run(&w, &[], AlignMode::Fault);
    let expected = Trap::LoadFault { pc: CODE + 8, addr: DATA + 1, size: 8, cause: AccessCause::Misaligned };
    assert_eq!(fault.result, Err(KernelFailure::Trap(expected)));
    assert_eq!(fault.instructions, 2, "the faulting load is not counted");
}

#[test]
fn markers_note_the_instruction_count() {
    let mut w = li(Reg::A0, 7);
    w.extend(machine_call(call::MARK));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &[], AlignMode::Allow);
    assert_eq!(out.result, Ok(Vec::new()));
    assert_eq!(out.marks, vec![(7, 5)]);
}

/// `rd = 1 << 32` (the start of the code arena).
fn arena(rd: Reg) -> Vec<u32> {
    vec![addi(rd, Reg::ZERO, 1).unwrap(), slli(rd, rd, 32).unwrap()]
}

/// Writes `addi a0, a0, 1; ret` at DATA and installs it at the arena's start, with `len`
/// bytes and the destination moved by `shift`.
fn install(len: u64, shift: i32) -> Vec<u32> {
    let mut w = Vec::new();
    for (k, word) in [addi(Reg::A0, Reg::A0, 1).unwrap(), jalr(Reg::ZERO, Reg::RA, 0).unwrap()].into_iter().enumerate()
    {
        w.extend(li(Reg::T0, u64::from(word) & 0x7fff_ffff));
        if word & 0x8000_0000 != 0 {
            w.extend(li(Reg::T1, 0x4000_0000));
            w.push(add(Reg::T0, Reg::T0, Reg::T1));
            w.push(add(Reg::T0, Reg::T0, Reg::T1));
        }
        w.extend(li(Reg::T1, DATA + 4 * k as u64));
        w.push(sw(Reg::T1, Reg::T0, 0).unwrap());
    }
    w.extend(arena(Reg::A0));
    w.push(addi(Reg::A0, Reg::A0, shift).unwrap());
    w.extend(li(Reg::A1, DATA));
    w.extend(li(Reg::A2, len));
    w.extend(machine_call(call::INSTALL_CODE));
    w
}

#[test]
fn installed_code_runs_and_is_read_only() {
    // Install, call it with a0 = 41, output the 8 bytes of a0.
    let mut w = install(8, 0);
    w.extend(li(Reg::A0, 41));
    w.extend(arena(Reg::T2));
    w.push(jalr(Reg::RA, Reg::T2, 0).unwrap());
    w.extend(li(Reg::T1, DATA + 0x100));
    w.push(sd(Reg::T1, Reg::A0, 0).unwrap());
    w.extend(li(Reg::A0, DATA + 0x100));
    w.extend(li(Reg::A1, 8));
    w.extend(machine_call(call::WRITE_OUTPUT));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &[], AlignMode::Count);
    assert_eq!(out.result.expect("halts with 0"), 42u64.to_le_bytes());

    // A store into the installed code faults: it is read-only.
    let mut w = install(8, 0);
    w.extend(arena(Reg::T2));
    w.push(sw(Reg::T2, Reg::ZERO, 0).unwrap());
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &[], AlignMode::Count);
    assert!(matches!(out.result, Err(KernelFailure::Trap(_))), "{:?}", out.result);
}

#[test]
fn installing_code_outside_the_rules_fails_the_run() {
    for (len, shift, why) in [(8, 4, "unaligned destination"), (6, 0, "length not a multiple of 4"), (0, 0, "empty")] {
        let mut w = install(len, shift);
        w.extend(li(Reg::A0, 0));
        w.extend(machine_call(call::HALT));
        let out = run(&w, &[], AlignMode::Count);
        assert!(
            matches!(out.result, Err(KernelFailure::BadBuffer { number: call::INSTALL_CODE, .. })),
            "{why}: {:?}",
            out.result
        );
    }
    // Twice at the same address: the second overlaps the first.
    let mut w = install(8, 0);
    w.extend(install(8, 0));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &[], AlignMode::Count);
    assert!(matches!(out.result, Err(KernelFailure::BadBuffer { number: call::INSTALL_CODE, .. })), "{:?}", out.result);
    // Outside the arena (the kernel's own data).
    let mut w = Vec::new();
    w.extend(li(Reg::A0, DATA));
    w.extend(li(Reg::A1, DATA));
    w.extend(li(Reg::A2, 8));
    w.extend(machine_call(call::INSTALL_CODE));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    let out = run(&w, &[], AlignMode::Count);
    assert!(matches!(out.result, Err(KernelFailure::BadBuffer { number: call::INSTALL_CODE, .. })), "{:?}", out.result);
}

/// SHA-256's padding (FIPS 180-4, 5.1.1) of `message`: the message, 0x80, zeros to 56 bytes
/// mod 64, the length in bits (64-bit big-endian).
fn sha256_padded(message: &[u8]) -> Vec<u8> {
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&(message.len() as u64 * 8).to_be_bytes());
    padded
}

/// Reads the input (an 8-word state, then blocks) to DATA, compresses every block into the
/// state with [`call::SHA256_COMPRESS`], outputs the state.
fn sha256_blocks() -> Vec<u32> {
    let mut w = machine_call(call::INPUT_LEN);
    w.push(addi(Reg::S1, Reg::A0, 0).unwrap());
    w.extend(li(Reg::A0, DATA));
    w.push(addi(Reg::A1, Reg::S1, 0).unwrap());
    w.extend(machine_call(call::READ_INPUT));
    w.extend(li(Reg::S0, DATA));
    w.push(add(Reg::S3, Reg::S0, Reg::S1));
    w.push(addi(Reg::S2, Reg::S0, 32).unwrap());
    // loop: while s2 < s3 { compress(DATA, s2); s2 += 64 }
    let body = [
        addi(Reg::A0, Reg::S0, 0).unwrap(),
        addi(Reg::A1, Reg::S2, 0).unwrap(),
        addi(Reg::A7, Reg::ZERO, call::SHA256_COMPRESS as i32).unwrap(),
        ecall(),
        addi(Reg::S2, Reg::S2, 64).unwrap(),
    ];
    w.push(bgeu(Reg::S2, Reg::S3, 4 * (body.len() as i32 + 2)).unwrap());
    w.extend(body);
    w.push(jal(Reg::ZERO, -4 * (body.len() as i32 + 1)).unwrap());
    w.push(addi(Reg::A0, Reg::S0, 0).unwrap());
    w.extend(li(Reg::A1, 32));
    w.extend(machine_call(call::WRITE_OUTPUT));
    w.extend(li(Reg::A0, 0));
    w.extend(machine_call(call::HALT));
    w
}

#[test]
fn sha256_compression_hashes_as_sha2_does() {
    use sha2::{Digest, Sha256};
    // 2 MiB of data, enough for 1 MiB and its padding.
    let words = sha256_blocks();
    let image = KernelImage::new(&elf_writer::write(
        CODE,
        &[
            Segment { vaddr: CODE, flags: PF_R | PF_X, data: bytes(&words), memsz: words.len() as u64 * 4 },
            Segment { vaddr: DATA, flags: PF_R | PF_W, data: Vec::new(), memsz: 2 << 20 },
        ],
    ))
    .expect("the test ELF loads");
    let opts = KernelOptions { budget: 1 << 24, align: AlignMode::Count, ..KernelOptions::default() };
    const IV: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 1 << 20] {
        let message: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        let mut input: Vec<u8> = IV.iter().flat_map(|w| w.to_le_bytes()).collect();
        input.extend(sha256_padded(&message));
        let blocks = (input.len() as u64 - 32) / 64;
        let out = run_kernel(&image, input, &opts).expect("the machine is built");
        let state = out.result.expect("halts with 0");
        let digest: Vec<u8> = state.chunks_exact(4).flat_map(|w| [w[3], w[2], w[1], w[0]]).collect();
        assert_eq!(digest, Sha256::digest(&message).to_vec(), "{len} bytes");
        assert_eq!(out.accelerators.sha256_compress, blocks, "{len} bytes");
        assert_eq!((out.accelerators.keccak_f1600, out.accelerators.secp256k1_recover), (0, 0));
    }
    // A state outside writable memory (the code) fails the run, uncounted.
    let mut w = li(Reg::A0, CODE);
    w.extend(li(Reg::A1, DATA));
    w.extend(machine_call(call::SHA256_COMPRESS));
    let bad = run(&w, &[], AlignMode::Allow);
    assert!(matches!(bad.result, Err(KernelFailure::BadBuffer { addr: CODE, len: 32, .. })), "{bad:?}");
    // A block that is not mapped, too.
    let mut w = li(Reg::A0, DATA);
    w.extend(li(Reg::A1, 0x1000));
    w.extend(machine_call(call::SHA256_COMPRESS));
    let bad = run(&w, &[], AlignMode::Allow);
    assert!(matches!(bad.result, Err(KernelFailure::BadBuffer { addr: 0x1000, len: 64, .. })), "{bad:?}");
    assert_eq!(bad.accelerators.sha256_compress, 0);
}
