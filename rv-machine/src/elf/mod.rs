//! Loading static RV64 ELF executables.
//!
//! Accepted: ELF64, little-endian, `ET_EXEC`, `EM_RISCV`, no compressed or floating-point ABI
//! flags, no `PT_INTERP`/`PT_DYNAMIC`. Each non-empty `PT_LOAD` segment becomes one region of
//! exactly `[p_vaddr, p_vaddr + p_memsz)` with the segment's permissions (bytes past
//! `p_filesz` are zero). Every other segment type is ignored.
//!
//! The machine enforces W^X, but GNU ld sometimes emits one RWX segment for small programs
//! (text, read-only data and bss together). Such a segment is split using the section
//! headers: the range covered by its executable sections becomes a read-execute region, the
//! parts before and after it read-write regions. Without section headers, with no
//! executable section, or with a writable section inside the code range, a writable and
//! executable segment is rejected. Anything else is an [`Error::Elf`] naming the file offset of the
//! problem; malformed input never panics.

mod rwx;

use alloc::vec::Vec;

use crate::error::{ElfProblem, Error, MapProblem};
use crate::isa::Reg;
use crate::machine::{Config, Machine, Perm};

const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;
const ET_EXEC: u16 = 2;
const EM_RISCV: u16 = 243;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
/// `EF_RISCV_RVC | EF_RISCV_FLOAT_ABI | EF_RISCV_RVE`.
const UNSUPPORTED_FLAGS: u32 = 0x1 | 0x6 | 0x8;

/// Where the loader puts the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// One past the highest stack byte (16-byte aligned).
    pub stack_top: u64,
    /// Stack size in bytes.
    pub stack_size: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { stack_top: 0x8000_0000, stack_size: 1 << 20 }
    }
}

/// One loadable segment of a parsed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Guest address of the first byte.
    pub vaddr: u64,
    /// Size in memory (`>= data.len()`; the rest is zero).
    pub memsz: u64,
    /// Permissions from `p_flags`.
    pub perm: Perm,
    /// The file bytes of the segment.
    pub data: &'a [u8],
}

/// A parsed, validated executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elf<'a> {
    /// The entry point.
    pub entry: u64,
    /// The non-empty `PT_LOAD` segments in file order (an RWX segment split in its parts).
    pub segments: Vec<Segment<'a>>,
}

pub(crate) fn fail<T>(offset: usize, problem: ElfProblem) -> Result<T, Error> {
    Err(Error::Elf { offset: offset as u64, problem })
}

/// Bounds-checked little-endian field reads.
pub(crate) struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    pub(crate) fn bytes<const N: usize>(&self, at: usize) -> Result<[u8; N], Error> {
        match self.0.get(at..).and_then(|s| s.first_chunk::<N>()) {
            Some(b) => Ok(*b),
            None => fail(at, ElfProblem::Truncated),
        }
    }
    pub(crate) fn u16(&self, at: usize) -> Result<u16, Error> {
        self.bytes(at).map(u16::from_le_bytes)
    }
    pub(crate) fn u32(&self, at: usize) -> Result<u32, Error> {
        self.bytes(at).map(u32::from_le_bytes)
    }
    pub(crate) fn u64(&self, at: usize) -> Result<u64, Error> {
        self.bytes(at).map(u64::from_le_bytes)
    }
}

/// Parses and validates a static RV64 executable.
pub fn parse(file: &[u8]) -> Result<Elf<'_>, Error> {
    let r = Reader(file);
    let ident: [u8; 16] = r.bytes(0)?;
    if ident[..4] != *b"\x7fELF" {
        return fail(0, ElfProblem::BadMagic);
    }
    if ident[4] != 2 {
        return fail(4, ElfProblem::NotElf64);
    }
    if ident[5] != 1 {
        return fail(5, ElfProblem::NotLittleEndian);
    }
    if ident[6] != 1 {
        return fail(6, ElfProblem::BadVersion);
    }
    if file.len() < EHDR_SIZE {
        return fail(file.len(), ElfProblem::Truncated);
    }
    let e_type = r.u16(16)?;
    if e_type != ET_EXEC {
        return fail(16, ElfProblem::NotExecutable(e_type));
    }
    let machine = r.u16(18)?;
    if machine != EM_RISCV {
        return fail(18, ElfProblem::NotRiscv(machine));
    }
    if r.u32(20)? != 1 {
        return fail(20, ElfProblem::BadVersion);
    }
    let entry = r.u64(24)?;
    let phoff = r.u64(32)?;
    let flags = r.u32(48)?;
    if flags & UNSUPPORTED_FLAGS != 0 {
        return fail(48, ElfProblem::UnsupportedFlags(flags));
    }
    let phentsize = r.u16(54)?;
    let phnum = usize::from(r.u16(56)?);
    if phnum > 0 && usize::from(phentsize) != PHDR_SIZE {
        return fail(54, ElfProblem::BadPhentsize(phentsize));
    }
    let Ok(phoff) = usize::try_from(phoff) else {
        return fail(32, ElfProblem::Truncated);
    };
    let mut segments = Vec::new();
    for i in 0..phnum {
        let Some(at) = i.checked_mul(PHDR_SIZE).and_then(|o| o.checked_add(phoff)) else {
            return fail(32, ElfProblem::Truncated);
        };
        let p_type = r.u32(at)?;
        let _: [u8; PHDR_SIZE] = r.bytes(at)?;
        match p_type {
            PT_LOAD => {}
            PT_DYNAMIC | PT_INTERP => return fail(at, ElfProblem::Dynamic),
            _ => continue,
        }
        let p_flags = r.u32(at + 4)?;
        let offset = r.u64(at + 8)?;
        let vaddr = r.u64(at + 16)?;
        let filesz = r.u64(at + 32)?;
        let memsz = r.u64(at + 40)?;
        if filesz > memsz || vaddr.checked_add(memsz).is_none() {
            return fail(at, ElfProblem::BadSegment);
        }
        if memsz == 0 {
            continue;
        }
        let perm = Perm::from_elf_flags(p_flags);
        let data = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(filesz).ok())
            .and_then(|(o, n)| file.get(o..o.checked_add(n)?));
        let Some(data) = data else {
            return fail(at + 8, ElfProblem::Truncated);
        };
        let segment = Segment { vaddr, memsz, perm, data };
        if perm.contains(Perm::W | Perm::X) {
            segments.extend(rwx::split(&r, segment, at)?);
            continue;
        }
        if perm.contains(Perm::X) && !vaddr.is_multiple_of(4) {
            return fail(at + 16, ElfProblem::MisalignedCode);
        }
        segments.push(segment);
    }
    if segments.is_empty() {
        return fail(32, ElfProblem::NoSegments);
    }
    let entry_ok = segments.iter().any(|s| s.perm.contains(Perm::X) && entry >= s.vaddr && entry - s.vaddr < s.memsz);
    if !entry_ok {
        return fail(24, ElfProblem::BadEntry);
    }
    Ok(Elf { entry, segments })
}

impl Machine {
    /// Builds a machine from a static RV64 executable with the default [`LoadOptions`].
    pub fn from_elf(config: Config, file: &[u8]) -> Result<Machine, Error> {
        let mut m = Machine::new(config);
        m.load_elf(file, &LoadOptions::default())?;
        Ok(m)
    }

    /// Maps the executable's segments and a zeroed stack of `opts.stack_size` bytes below
    /// `opts.stack_top`, sets `pc` to the entry point and `sp` to `stack_top - 64`, so that
    /// `0(sp)` reads a Linux-like empty start frame (argc = 0, argv and envp empty, auxv
    /// `AT_NULL`). The file is fully validated before anything is mapped; a mapping error
    /// (e.g. a segment overlapping the stack) may leave earlier segments mapped.
    pub fn load_elf(&mut self, file: &[u8], opts: &LoadOptions) -> Result<(), Error> {
        let elf = parse(file)?;
        for s in &elf.segments {
            self.map(s.vaddr, s.memsz, s.perm, s.data)?;
        }
        let top = opts.stack_top & !15;
        let size = opts.stack_size;
        let Some(base) = top.checked_sub(size) else {
            return Err(Error::Map { base: 0, size, problem: MapProblem::Overflow });
        };
        if size < 64 {
            return Err(Error::Map { base, size, problem: MapProblem::StackTooSmall });
        }
        self.map(base, size, Perm::RW, &[])?;
        self.set_reg(Reg::SP, top - 64);
        self.set_pc(elf.entry);
        Ok(())
    }
}
