//! The crate's error type.
//!
//! Errors are for the host: a bad encoding request, a malformed ELF file, a bad mapping, a
//! host memory access out of bounds. What the *guest* does wrong (illegal instruction,
//! access fault) is not an error but an [`Exit::Trap`](crate::Exit::Trap) of the machine.

use core::fmt;

use crate::isa::Opcode;

/// Everything that can go wrong in this crate's host-side API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An immediate does not fit the instruction field it is meant for.
    Imm { field: ImmField, value: i64 },
    /// An [`Inst`](crate::isa::Inst) built by hand whose variant does not match its opcode's
    /// format (e.g. `Inst::R { op: Opcode::Addi, .. }`).
    FormatMismatch { op: Opcode },
    /// The ELF file is malformed or not a static RV64IM executable; `offset` is the byte
    /// offset in the file where the problem was found.
    Elf { offset: u64, problem: ElfProblem },
    /// A region could not be mapped at `base` with `size` bytes.
    Map { base: u64, size: u64, problem: MapProblem },
    /// A host access to guest memory at `addr` of `len` bytes failed.
    Access { addr: u64, len: u64, problem: AccessProblem },
}

/// Which instruction field an immediate was checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmField {
    /// 12-bit signed (`I` and `S` formats): `-2048..=2047`.
    Signed12,
    /// Branch offset: even, `-4096..=4094`.
    Branch,
    /// Jump offset: even, `-0x10_0000..=0xF_FFFE`.
    Jump,
    /// Upper immediate: `-0x80000..=0x7FFFF`.
    Upper20,
    /// 64-bit shift amount: `0..=63`.
    Shamt6,
    /// 32-bit shift amount: `0..=31`.
    Shamt5,
    /// A 4-bit fence field (`fm`, `pred`, `succ`): `0..=15`.
    Fence4,
}

/// Why an ELF file was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfProblem {
    /// The file ends before a header or segment it describes.
    Truncated,
    /// The first four bytes are not `\x7fELF`.
    BadMagic,
    /// Not ELFCLASS64.
    NotElf64,
    /// Not little-endian.
    NotLittleEndian,
    /// `EI_VERSION` / `e_version` is not 1.
    BadVersion,
    /// `e_type` is not `ET_EXEC` (a static executable); the value found.
    NotExecutable(u16),
    /// `e_machine` is not `EM_RISCV` (243); the value found.
    NotRiscv(u16),
    /// The `e_flags` ask for the C extension or a floating-point ABI; the flags found.
    UnsupportedFlags(u32),
    /// `e_phentsize` is not 56.
    BadPhentsize(u16),
    /// A `PT_INTERP` or `PT_DYNAMIC` segment: dynamic linking is not supported.
    Dynamic,
    /// A segment's `p_filesz` exceeds its `p_memsz`, or its address range overflows.
    BadSegment,
    /// A segment is both writable and executable (W^X), and its section headers do not
    /// separate the code from the writable data.
    WritableAndExecutable,
    /// `e_shentsize` is not 64.
    BadShentsize(u16),
    /// A section's address range overflows.
    BadSection,
    /// An executable segment does not start at a 4-byte aligned address.
    MisalignedCode,
    /// There is no loadable segment.
    NoSegments,
    /// The entry point is not inside an executable segment.
    BadEntry,
}

/// Why a region could not be mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapProblem {
    /// Zero-sized region.
    Empty,
    /// `base + size` overflows the address space.
    Overflow,
    /// Overlaps a region already mapped.
    Overlap,
    /// Overlaps the reserved UART page.
    Uart,
    /// Writable and executable (the machine enforces W^X).
    WritableAndExecutable,
    /// An executable region must start at a 4-byte aligned address.
    MisalignedCode,
    /// The initial contents are longer than the region.
    DataTooLong,
    /// The total mapped memory would exceed [`Config::max_memory`](crate::Config::max_memory).
    MemoryLimit,
    /// The ELF loader's stack must hold at least 64 bytes (the start frame).
    StackTooSmall,
    /// No region starts at this address (resizing), or it is executable or shared.
    NoRegion,
    /// Shared bytes are read-only: the region may not be writable.
    SharedWritable,
    /// Code is predecoded when mapped: an executable region cannot be lazy.
    LazyCode,
    /// Code mapped without [`Perm::X`](crate::Perm::X), or shared data with it.
    WrongPermission,
}

/// Why a host access to guest memory failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessProblem {
    /// Some byte of the range is not inside one mapped region.
    Unmapped,
    /// The host may not write executable (predecoded) memory.
    ExecutableRegion,
    /// The host may not write bytes shared between machines.
    SharedRegion,
}

impl fmt::Display for ImmField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImmField::Signed12 => "12-bit signed immediate (-2048..=2047)",
            ImmField::Branch => "branch offset (even, -4096..=4094)",
            ImmField::Jump => "jump offset (even, -1048576..=1048574)",
            ImmField::Upper20 => "20-bit upper immediate (-0x80000..=0x7ffff)",
            ImmField::Shamt6 => "shift amount (0..=63)",
            ImmField::Shamt5 => "word shift amount (0..=31)",
            ImmField::Fence4 => "4-bit fence field (0..=15)",
        })
    }
}

impl fmt::Display for ElfProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfProblem::Truncated => f.write_str("file is truncated"),
            ElfProblem::BadMagic => f.write_str("not an ELF file (bad magic)"),
            ElfProblem::NotElf64 => f.write_str("not a 64-bit ELF file"),
            ElfProblem::NotLittleEndian => f.write_str("not a little-endian ELF file"),
            ElfProblem::BadVersion => f.write_str("unsupported ELF version"),
            ElfProblem::NotExecutable(t) => {
                write!(f, "e_type {t} is not ET_EXEC (need a static executable)")
            }
            ElfProblem::NotRiscv(m) => write!(f, "e_machine {m} is not EM_RISCV (243)"),
            ElfProblem::UnsupportedFlags(x) => {
                write!(f, "e_flags {x:#x}: compressed or floating-point ABI, need rv64im/lp64")
            }
            ElfProblem::BadPhentsize(n) => write!(f, "e_phentsize {n}, expected 56"),
            ElfProblem::Dynamic => f.write_str("dynamically linked (PT_INTERP/PT_DYNAMIC)"),
            ElfProblem::BadSegment => f.write_str("segment with filesz > memsz or overflowing"),
            ElfProblem::WritableAndExecutable => {
                f.write_str("segment is writable and executable and its sections do not separate code from data")
            }
            ElfProblem::BadShentsize(n) => write!(f, "e_shentsize {n}, expected 64"),
            ElfProblem::BadSection => f.write_str("section address range overflows"),
            ElfProblem::MisalignedCode => f.write_str("executable segment not 4-byte aligned"),
            ElfProblem::NoSegments => f.write_str("no PT_LOAD segment"),
            ElfProblem::BadEntry => f.write_str("entry point outside executable segments"),
        }
    }
}

impl fmt::Display for MapProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MapProblem::Empty => "empty region",
            MapProblem::Overflow => "region wraps around the address space",
            MapProblem::Overlap => "overlaps a mapped region",
            MapProblem::Uart => "overlaps the UART page",
            MapProblem::WritableAndExecutable => "writable and executable",
            MapProblem::MisalignedCode => "executable region not 4-byte aligned",
            MapProblem::DataTooLong => "initial data longer than the region",
            MapProblem::MemoryLimit => "memory limit exceeded",
            MapProblem::StackTooSmall => "stack smaller than 64 bytes",
            MapProblem::NoRegion => "no data region starts there",
            MapProblem::SharedWritable => "shared bytes mapped writable",
            MapProblem::LazyCode => "executable region mapped lazily",
            MapProblem::WrongPermission => "code must be mapped executable, shared data not",
        })
    }
}

impl fmt::Display for AccessProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessProblem::Unmapped => "not inside one mapped region",
            AccessProblem::ExecutableRegion => "executable memory is read-only for the host",
            AccessProblem::SharedRegion => "shared memory is read-only for the host",
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Imm { field, value } => write!(f, "immediate {value} does not fit: {field}"),
            Error::FormatMismatch { op } => {
                write!(f, "instruction variant does not match the format of `{op}`")
            }
            Error::Elf { offset, problem } => write!(f, "bad ELF at offset {offset:#x}: {problem}"),
            Error::Map { base, size, problem } => {
                write!(f, "cannot map {size:#x} bytes at {base:#x}: {problem}")
            }
            Error::Access { addr, len, problem } => {
                write!(f, "host access of {len} bytes at {addr:#x}: {problem}")
            }
        }
    }
}

impl core::error::Error for Error {}
