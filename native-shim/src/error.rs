//! The crate's error: every rejection names the rule it breaks and where (a byte offset in
//! the file or an address in the program).

use core::fmt;

use alloc::string::String;

/// Where a problem was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A byte offset in the ELF file.
    Offset(u64),
    /// An address in the program (a segment, an instruction).
    Address(u64),
    /// The lifted module as a whole.
    Module,
}

/// The rule a native contract breaks (stable short names, listed in `docs/native.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The file is larger than [`crate::MAX_ELF_SIZE`].
    FileSize,
    /// The file ends before a header, table or segment it describes.
    Truncated,
    /// Not `\x7fELF`, ELFCLASS64, little-endian, version 1.
    Ident,
    /// `e_type` is not `ET_EXEC`.
    Type,
    /// `e_machine` is not `EM_RISCV`.
    Machine,
    /// `e_flags` ask for compressed instructions, a float ABI or RVE.
    Flags,
    /// A header or table entry size is not the ELF64 one.
    HeaderSize,
    /// `PT_DYNAMIC`, `PT_INTERP` or `PT_TLS`: only static executables without TLS.
    Dynamic,
    /// A segment's sizes or address range are inconsistent.
    Segment,
    /// Two loadable segments overlap.
    Overlap,
    /// A segment is both writable and executable.
    WritableExecutable,
    /// An executable segment or section that is not 4-byte aligned, or code outside one.
    Text,
    /// No loadable segment, or no code.
    Empty,
    /// The program's memory (segments, stack, heap) does not fit the linear memory.
    Memory,
    /// The entry point (or `deploy`) is not an instruction of the text.
    Entry,
    /// A section header or symbol table entry is inconsistent.
    Section,
    /// An instruction word outside RV64IM.
    Instruction,
    /// A direct branch or jump whose target is not an instruction of the text.
    BranchTarget,
    /// The lifted code exceeds a limit of the WASM subset (nesting, function size).
    TooLarge,
}

impl Rule {
    /// The rule's stable short name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::FileSize => "file-size",
            Self::Truncated => "truncated",
            Self::Ident => "ident",
            Self::Type => "type",
            Self::Machine => "machine",
            Self::Flags => "flags",
            Self::HeaderSize => "header-size",
            Self::Dynamic => "dynamic",
            Self::Segment => "segment",
            Self::Overlap => "overlap",
            Self::WritableExecutable => "w-xor-x",
            Self::Text => "text",
            Self::Empty => "empty",
            Self::Memory => "memory",
            Self::Entry => "entry",
            Self::Section => "section",
            Self::Instruction => "instruction",
            Self::BranchTarget => "branch-target",
            Self::TooLarge => "too-large",
        }
    }
}

/// Why a native contract is rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShimError {
    rule: Rule,
    at: Location,
    message: String,
}

impl ShimError {
    pub(crate) fn new(rule: Rule, at: Location, message: impl Into<String>) -> Self {
        Self { rule, at, message: message.into() }
    }

    pub(crate) fn at_offset(rule: Rule, offset: u64, message: impl Into<String>) -> Self {
        Self::new(rule, Location::Offset(offset), message)
    }

    pub(crate) fn at_address(rule: Rule, address: u64, message: impl Into<String>) -> Self {
        Self::new(rule, Location::Address(address), message)
    }

    /// The rule broken.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// Where.
    pub fn location(&self) -> Location {
        self.at
    }

    /// What exactly is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ShimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "native contract rejected: {} (rule {})", self.message, self.rule.name())?;
        match self.at {
            Location::Offset(o) => write!(f, " at file offset {o:#x}"),
            Location::Address(a) => write!(f, " at address {a:#x}"),
            Location::Module => Ok(()),
        }
    }
}
