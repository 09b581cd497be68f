//! Kernel mode: the machine side of the zkos kernel (`kernel/`), a program that runs a whole
//! block inside the machine.
//!
//! The kernel reaches the machine only through **machine calls**: `ecall` with the call number
//! in `a7`, arguments in `a0..a2`, the result in `a0`. Contract code never makes them (it
//! reaches the kernel by a call, never by `ecall`); on a zkVM the same calls are the zkVM's
//! syscalls, which is why they are few and small:
//!
//! | `a7` | call | arguments | result |
//! |---|---|---|---|
//! | [`call::HALT`] | stop the run | `a0` = status (0 = success) | does not return |
//! | [`call::INPUT_LEN`] | size of the input | | `a0` = bytes |
//! | [`call::READ_INPUT`] | copy the next input bytes | `a0` = buffer, `a1` = length | `a0` = bytes copied |
//! | [`call::WRITE_OUTPUT`] | append to the output | `a0` = bytes, `a1` = length | `a0` = 0 |
//! | [`call::LOG`] | a diagnostic line (not output) | `a0` = UTF-8 bytes, `a1` = length | `a0` = 0 |
//! | [`call::KECCAK_F1600`] | keccak-f\[1600\] in place | `a0` = 200-byte state (25 lanes, little-endian) | `a0` = 0 |
//! | [`call::SECP256K1_RECOVER`] | secp256k1 public-key recovery | `a0` = 97 bytes: hash, r, s (32 each, big-endian), recovery id (0 or 1); `a1` = 64-byte buffer | `a0` = 0 and the key's x, y (big-endian) written, or 1: no key |
//! | [`call::SHA256_COMPRESS`] | SHA-256 compression of one block | `a0` = 32-byte state (8 words, little-endian), `a1` = 64-byte block | `a0` = 0 and the state updated in place |
//! | [`call::MARK`] | phase marker | `a0` = phase number | `a0` unchanged |
//! | [`call::INSTALL_CODE`] | make generated code executable | `a0` = destination (4 KiB-aligned, in [`CODE_ARENA`]), `a1` = the bytes, `a2` = length (a multiple of 4) | `a0` = 0 |
//!
//! [`call::INSTALL_CODE`] is the kernel's `fence.i`: it maps `[a0, a0 + a2)`, which must lie in
//! [`CODE_ARENA`] and overlap nothing mapped, read-only and executable with a copy of the
//! `a2` bytes at `a1`, decoded once; from then on the kernel may call into it (compiled
//! contract code with its read-only data after it, which the code reads `pc`-relatively) and
//! nothing may write it. It is what lets rv-backend's output run natively inside the kernel.
//! zkVMs that cannot execute code generated at run time (those whose program is fixed by
//! the proving key) have no equivalent: that is the gap they leave.
//!
//! Accelerator calls ([`call::KECCAK_F1600`], [`call::SECP256K1_RECOVER`],
//! [`call::SHA256_COMPRESS`]) are counted by kind
//! beside the instruction count ([`Accelerators`]); the `ecall` itself counts as one
//! instruction. A call with an unknown number, or whose buffers are not mapped with the
//! permission it needs, fails the run. The output counts only when the kernel halts with
//! status 0: every other end (a non-zero status, a trap, the budget) discards it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::elf;
use crate::error::Error;
use crate::isa::Reg;
use crate::machine::{AlignMode, Config, Exit, Machine, Perm, Trap};

/// Machine call numbers (the value of `a7` at an `ecall`).
pub mod call {
    /// Stops the run with status `a0`.
    pub const HALT: u64 = 0;
    /// `a0` = the input's length in bytes.
    pub const INPUT_LEN: u64 = 1;
    /// Copies up to `a1` bytes of the input not yet read to `a0`; `a0` = bytes copied.
    pub const READ_INPUT: u64 = 2;
    /// Appends the `a1` bytes at `a0` to the output.
    pub const WRITE_OUTPUT: u64 = 3;
    /// Appends the `a1` bytes at `a0` to the log (diagnostics such as why a run fails; never
    /// part of the output).
    pub const LOG: u64 = 4;
    /// Applies keccak-f\[1600\] to the 25 little-endian lanes at `a0`.
    pub const KECCAK_F1600: u64 = 0x10;
    /// Recovers a secp256k1 public key: `a0` points at hash ‖ r ‖ s ‖ recovery id (97 bytes),
    /// the key's x ‖ y (64 bytes) goes to `a1`; `a0` = 0, or 1 if the signature recovers none.
    pub const SECP256K1_RECOVER: u64 = 0x11;
    /// SHA-256's compression function: the 8-word state at `a0` (each word little-endian)
    /// absorbs the 64-byte block at `a1` (message bytes as they are; padding is the caller's).
    pub const SHA256_COMPRESS: u64 = 0x12;
    /// Notes the instruction count under phase `a0` ([`super::KernelRun::marks`]).
    pub const MARK: u64 = 0x20;
    /// Maps the `a2` bytes at `a1` at `a0` (in [`super::CODE_ARENA`]), read-only and
    /// executable.
    pub const INSTALL_CODE: u64 = 0x30;
}

/// Where [`call::INSTALL_CODE`] may map code: `[4 GiB, 8 GiB)`, above the kernel's segments.
pub const CODE_ARENA: core::ops::Range<u64> = 0x1_0000_0000..0x2_0000_0000;
/// The most bytes one [`call::INSTALL_CODE`] maps (256 MiB).
pub const MAX_INSTALL: u64 = 1 << 28;

/// How many accelerator calls of each kind a run made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accelerators {
    /// keccak-f\[1600\] permutations.
    pub keccak_f1600: u64,
    /// secp256k1 public-key recoveries.
    pub secp256k1_recover: u64,
    /// SHA-256 compressions (64-byte blocks).
    pub sha256_compress: u64,
}

impl Accelerators {
    /// `(name, count)` for every kind, in a fixed order (the names used in reports).
    pub fn by_kind(&self) -> [(&'static str, u64); 3] {
        [
            ("keccak_f1600", self.keccak_f1600),
            ("secp256k1_recover", self.secp256k1_recover),
            ("sha256_compress", self.sha256_compress),
        ]
    }
}

/// Options of a kernel run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelOptions {
    /// The most instructions the run may execute.
    pub budget: u64,
    /// How misaligned loads and stores are treated ([`AlignMode::Count`] by default, so every
    /// run reports how many the kernel made).
    pub align: AlignMode,
    /// Upper bound on mapped memory (the kernel's segments, heap included).
    pub max_memory: u64,
}

impl Default for KernelOptions {
    fn default() -> Self {
        KernelOptions { budget: 1 << 40, align: AlignMode::Count, max_memory: 8 << 30 }
    }
}

/// Why a kernel run produced no output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelFailure {
    /// The kernel halted with a non-zero status (its own failure: bad input, a witness that
    /// does not prove a read, a panic).
    Status(u64),
    /// The kernel faulted.
    Trap(Trap),
    /// The instruction budget ran out.
    Budget(u64),
    /// The kernel stopped by `ebreak` (it halts by [`call::HALT`] only).
    Ebreak { pc: u64 },
    /// An `ecall` with a number that is no machine call.
    UnknownCall { pc: u64, number: u64 },
    /// A machine call's buffer is not mapped with the permission it needs.
    BadBuffer { pc: u64, number: u64, addr: u64, len: u64 },
}

impl fmt::Display for KernelFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelFailure::Status(s) => write!(f, "the kernel halted with failure status {s}"),
            KernelFailure::Trap(t) => write!(f, "the kernel faulted: {t}"),
            KernelFailure::Budget(b) => write!(f, "the kernel ran out of its budget of {b} instructions"),
            KernelFailure::Ebreak { pc } => write!(f, "the kernel stopped by ebreak at {pc:#x}"),
            KernelFailure::UnknownCall { pc, number } => {
                write!(f, "the kernel made an unknown machine call {number:#x} at {pc:#x}")
            }
            KernelFailure::BadBuffer { pc, number, addr, len } => write!(
                f,
                "machine call {number:#x} at {pc:#x} passed a buffer of {len} bytes at {addr:#x} that is not mapped for it"
            ),
        }
    }
}

/// What a kernel run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelRun {
    /// The output, if the kernel halted with status 0; otherwise why not (its output, if
    /// any, is discarded).
    pub result: Result<Vec<u8>, KernelFailure>,
    /// RV64IM instructions executed (every `ecall` included).
    pub instructions: u64,
    /// Accelerator calls by kind.
    pub accelerators: Accelerators,
    /// Misaligned loads and stores (counted under [`AlignMode::Count`]).
    pub misaligned: u64,
    /// `(phase, instructions executed before the marker)` for every [`call::MARK`], in order.
    pub marks: Vec<(u64, u64)>,
    /// What the kernel logged ([`call::LOG`]), lossily decoded as UTF-8.
    pub log: String,
}

/// A machine loaded with a kernel and its input, run by [`KernelMachine::run`].
pub struct KernelMachine {
    machine: Machine,
    input: Vec<u8>,
    read: usize,
    output: Vec<u8>,
    accelerators: Accelerators,
    marks: Vec<(u64, u64)>,
    log: Vec<u8>,
}

/// A kernel ELF parsed, and its code predecoded, once for any number of runs: code and
/// read-only segments are shared by the machines that map it (no copy), writable segments
/// are copied per run, and segments without file bytes (stack, heap) are mapped lazily.
pub struct KernelImage {
    entry: u64,
    segments: Vec<ImageSegment>,
}

enum ImageSegment {
    Code { vaddr: u64, perm: Perm, code: crate::machine::CodeImage },
    Shared { vaddr: u64, perm: Perm, bytes: alloc::rc::Rc<[u8]> },
    Data { vaddr: u64, memsz: u64, perm: Perm, bytes: Vec<u8> },
    Lazy { vaddr: u64, memsz: u64, perm: Perm },
}

impl KernelImage {
    /// Parses and validates the ELF and predecodes its code.
    pub fn new(elf_file: &[u8]) -> Result<KernelImage, Error> {
        let elf = elf::parse(elf_file)?;
        let mut segments = Vec::new();
        for s in &elf.segments {
            let padded = || {
                let mut bytes = s.data.to_vec();
                bytes.resize(usize::try_from(s.memsz).unwrap_or(usize::MAX).max(s.data.len()), 0);
                bytes
            };
            let segment = if s.perm.contains(Perm::X) {
                ImageSegment::Code { vaddr: s.vaddr, perm: s.perm, code: crate::machine::CodeImage::new(&padded()) }
            } else if s.data.is_empty() {
                ImageSegment::Lazy { vaddr: s.vaddr, memsz: s.memsz, perm: s.perm }
            } else if !s.perm.contains(Perm::W) {
                ImageSegment::Shared { vaddr: s.vaddr, perm: s.perm, bytes: padded().into() }
            } else {
                ImageSegment::Data { vaddr: s.vaddr, memsz: s.memsz, perm: s.perm, bytes: s.data.to_vec() }
            };
            segments.push(segment);
        }
        Ok(KernelImage { entry: elf.entry, segments })
    }
}

impl KernelMachine {
    /// A machine with the kernel mapped (each segment a region with its permissions), `pc` at
    /// its entry and `input` to read. The kernel brings its own stack.
    pub fn new(image: &KernelImage, input: Vec<u8>, opts: &KernelOptions) -> Result<KernelMachine, Error> {
        let mut machine = Machine::new(Config { histogram: false, max_memory: opts.max_memory });
        for s in &image.segments {
            match s {
                ImageSegment::Code { vaddr, perm, code } => machine.map_code(*vaddr, *perm, code)?,
                ImageSegment::Shared { vaddr, perm, bytes } => machine.map_shared(*vaddr, *perm, bytes.clone())?,
                ImageSegment::Data { vaddr, memsz, perm, bytes } => machine.map(*vaddr, *memsz, *perm, bytes)?,
                ImageSegment::Lazy { vaddr, memsz, perm } => machine.map_lazy(*vaddr, *memsz, *perm)?,
            }
        }
        machine.set_pc(image.entry);
        machine.set_align_mode(opts.align);
        Ok(KernelMachine {
            machine,
            input,
            read: 0,
            output: Vec::new(),
            accelerators: Accelerators::default(),
            marks: Vec::new(),
            log: Vec::new(),
        })
    }

    /// Runs the kernel to its end within `budget` instructions.
    pub fn run(mut self, budget: u64) -> KernelRun {
        let result = loop {
            let left = budget.saturating_sub(self.machine.instret());
            match self.machine.run(left) {
                Exit::Ecall => match self.call() {
                    Ok(None) => {}
                    Ok(Some(0)) => break Ok(core::mem::take(&mut self.output)),
                    Ok(Some(status)) => break Err(KernelFailure::Status(status)),
                    Err(failure) => break Err(failure),
                },
                Exit::Ebreak => break Err(KernelFailure::Ebreak { pc: self.machine.pc() - 4 }),
                Exit::BudgetExhausted => break Err(KernelFailure::Budget(budget)),
                Exit::Trap(trap) => break Err(KernelFailure::Trap(trap)),
            }
        };
        KernelRun {
            result,
            instructions: self.machine.instret(),
            accelerators: self.accelerators,
            misaligned: self.machine.misaligned(),
            marks: self.marks,
            log: String::from_utf8_lossy(&self.log).into_owned(),
        }
    }

    /// Serves the machine call at the `ecall` just executed: `Some(status)` if it halts.
    fn call(&mut self) -> Result<Option<u64>, KernelFailure> {
        let m = &mut self.machine;
        let number = m.reg(Reg::A7);
        let (a0, a1) = (m.reg(Reg::A0), m.reg(Reg::A1));
        let pc = m.pc() - 4;
        let bad = |addr: u64, len: u64| KernelFailure::BadBuffer { pc, number, addr, len };
        let result = match number {
            call::HALT => return Ok(Some(a0)),
            call::INPUT_LEN => self.input.len() as u64,
            call::READ_INPUT => {
                let rest = &self.input[self.read..];
                let n = rest.len().min(usize::try_from(a1).unwrap_or(usize::MAX));
                if n > 0 {
                    writable(m, a0, n as u64).ok_or(bad(a0, n as u64))?;
                    m.write_bytes(a0, &rest[..n]).map_err(|_| bad(a0, n as u64))?;
                }
                self.read += n;
                n as u64
            }
            call::WRITE_OUTPUT | call::LOG => {
                let sink = if number == call::LOG { &mut self.log } else { &mut self.output };
                if a1 > 0 {
                    let len = usize::try_from(a1).map_err(|_| bad(a0, a1))?;
                    if len > 1 << 30 || sink.len() + len > 1 << 30 {
                        return Err(bad(a0, a1));
                    }
                    let bytes = m.read_vec(a0, len).map_err(|_| bad(a0, a1))?;
                    sink.extend_from_slice(&bytes);
                }
                0
            }
            call::KECCAK_F1600 => {
                writable(m, a0, 200).ok_or(bad(a0, 200))?;
                let mut raw = [0u8; 200];
                m.read_bytes(a0, &mut raw).map_err(|_| bad(a0, 200))?;
                let mut lanes = [0u64; 25];
                for (lane, b) in lanes.iter_mut().zip(raw.chunks_exact(8)) {
                    *lane = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                }
                keccak::f1600(&mut lanes);
                for (lane, b) in lanes.iter().zip(raw.chunks_exact_mut(8)) {
                    b.copy_from_slice(&lane.to_le_bytes());
                }
                m.write_bytes(a0, &raw).map_err(|_| bad(a0, 200))?;
                self.accelerators.keccak_f1600 += 1;
                0
            }
            call::SECP256K1_RECOVER => {
                let mut input = [0u8; 97];
                m.read_bytes(a0, &mut input).map_err(|_| bad(a0, 97))?;
                writable(m, a1, 64).ok_or(bad(a1, 64))?;
                self.accelerators.secp256k1_recover += 1;
                match secp256k1_recover(&input) {
                    Some(key) => {
                        m.write_bytes(a1, &key).map_err(|_| bad(a1, 64))?;
                        0
                    }
                    None => 1,
                }
            }
            call::SHA256_COMPRESS => {
                writable(m, a0, 32).ok_or(bad(a0, 32))?;
                let mut raw = [0u8; 32];
                m.read_bytes(a0, &mut raw).map_err(|_| bad(a0, 32))?;
                let mut block = [0u8; 64];
                m.read_bytes(a1, &mut block).map_err(|_| bad(a1, 64))?;
                let mut state = [0u32; 8];
                for (word, b) in state.iter_mut().zip(raw.chunks_exact(4)) {
                    *word = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
                sha2::compress256(&mut state, &[block.into()]);
                for (word, b) in state.iter().zip(raw.chunks_exact_mut(4)) {
                    b.copy_from_slice(&word.to_le_bytes());
                }
                m.write_bytes(a0, &raw).map_err(|_| bad(a0, 32))?;
                self.accelerators.sha256_compress += 1;
                0
            }
            call::MARK => {
                self.marks.push((a0, m.instret()));
                a0
            }
            call::INSTALL_CODE => {
                let len = m.reg(Reg::A2);
                let end = a0.checked_add(len).ok_or(bad(a0, len))?;
                if !a0.is_multiple_of(4096)
                    || len == 0
                    || !len.is_multiple_of(4)
                    || len > MAX_INSTALL
                    || a0 < CODE_ARENA.start
                    || end > CODE_ARENA.end
                {
                    return Err(bad(a0, len));
                }
                let bytes = m.read_vec(a1, len as usize).map_err(|_| bad(a1, len))?;
                // `map` refuses a range that overlaps a mapped region.
                m.map(a0, len, Perm::RX, &bytes).map_err(|_| bad(a0, len))?;
                0
            }
            _ => return Err(KernelFailure::UnknownCall { pc, number }),
        };
        m.set_reg(Reg::A0, result);
        Ok(None)
    }
}

/// Whether `[addr, addr + len)` lies in one writable region (the host may write read-only
/// regions; a machine call may not).
fn writable(m: &Machine, addr: u64, len: u64) -> Option<()> {
    let end = addr.checked_add(len)?;
    m.regions()
        .iter()
        .any(|&(base, size, perm)| perm.contains(Perm::W) && addr >= base && end <= base + size)
        .then_some(())
}

/// Runs the kernel `image` on `input` in a fresh machine ([`KernelMachine`]).
pub fn run_kernel(image: &KernelImage, input: Vec<u8>, opts: &KernelOptions) -> Result<KernelRun, Error> {
    Ok(KernelMachine::new(image, input, opts)?.run(opts.budget))
}

/// The public key (x ‖ y, big-endian) that signed `hash` with `(r, s, recovery id)`, laid
/// out as [`call::SECP256K1_RECOVER`] reads them; `None` if there is none or the recovery id
/// is not 0 or 1. As Ethereum's unchecked recovery does, an `s` in the upper half of the
/// curve order is replaced by `n - s` with the recovery id flipped (EIP-2's bound is the
/// kernel's to check).
pub fn secp256k1_recover(input: &[u8; 97]) -> Option<[u8; 64]> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let (hash, rest) = input.split_at(32);
    let (rs, id) = rest.split_at(64);
    let mut id = id[0];
    if id > 1 {
        return None;
    }
    let mut signature = Signature::from_slice(rs).ok()?;
    if let Some(normalized) = signature.normalize_s() {
        signature = normalized;
        id ^= 1;
    }
    let key = VerifyingKey::recover_from_prehash(hash, &signature, RecoveryId::from_byte(id)?).ok()?;
    let point = key.to_encoded_point(false);
    let mut out = [0u8; 64];
    out.copy_from_slice(point.as_bytes().get(1..65)?);
    Some(out)
}
