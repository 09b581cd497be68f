//! Why [`Machine::run`](super::Machine::run) returned.

use core::fmt;

/// Why [`Machine::run`](super::Machine::run) stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// An `ecall` executed. `pc` already points past it: the host reads `a7` and `a0..a5`,
    /// writes its result to `a0` and calls `run` again to resume.
    Ecall,
    /// An `ebreak` executed; `pc` points past it (like `ecall`).
    Ebreak,
    /// The instruction budget ran out; `pc` is the next instruction to execute.
    BudgetExhausted,
    /// The guest faulted. The faulting instruction did not execute (no register or memory
    /// was changed, it is not counted) and `pc` still points at it.
    Trap(Trap),
}

/// A guest fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    /// The word at `pc` is not an RV64IM instruction.
    IllegalInstruction { pc: u64, word: u32 },
    /// A taken branch or jump at `pc` targets `target`, which is not 4-byte aligned (the
    /// machine has no compressed instructions). If the host set a misaligned `pc` itself,
    /// `pc == target`.
    MisalignedFetch { pc: u64, target: u64 },
    /// `pc` is not inside an executable region, or the region ends in the middle of the
    /// instruction.
    FetchFault { pc: u64 },
    /// A load of `size` bytes from `addr` by the instruction at `pc` failed.
    LoadFault { pc: u64, addr: u64, size: u8, cause: AccessCause },
    /// A store of `size` bytes to `addr` by the instruction at `pc` failed.
    StoreFault { pc: u64, addr: u64, size: u8, cause: AccessCause },
}

/// Why a load or store faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessCause {
    /// Some byte of the access is not in the region that holds its first byte (or no region
    /// holds it). An access never spans two regions.
    Unmapped,
    /// The region is not readable (loads) or not writable (stores).
    Permission,
    /// The UART page only accepts 4-byte aligned word accesses to its registers.
    Uart,
    /// The address is not a multiple of the access size and the machine runs with
    /// [`AlignMode::Fault`](super::AlignMode::Fault).
    Misaligned,
}

impl Trap {
    /// The address of the faulting instruction.
    pub fn pc(&self) -> u64 {
        match *self {
            Trap::IllegalInstruction { pc, .. }
            | Trap::MisalignedFetch { pc, .. }
            | Trap::FetchFault { pc }
            | Trap::LoadFault { pc, .. }
            | Trap::StoreFault { pc, .. } => pc,
        }
    }
}

impl fmt::Display for AccessCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessCause::Unmapped => "unmapped",
            AccessCause::Permission => "permission denied",
            AccessCause::Uart => "UART registers take aligned 32-bit accesses only",
            AccessCause::Misaligned => "misaligned (strict alignment)",
        })
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Trap::IllegalInstruction { pc, word } => {
                write!(f, "illegal instruction {word:#010x} at {pc:#x}")
            }
            Trap::MisalignedFetch { pc, target } => {
                write!(f, "misaligned jump target {target:#x} from {pc:#x}")
            }
            Trap::FetchFault { pc } => write!(f, "instruction fetch fault at {pc:#x}"),
            Trap::LoadFault { pc, addr, size, cause } => {
                write!(f, "load fault ({cause}) of {size} bytes at {addr:#x}, pc {pc:#x}")
            }
            Trap::StoreFault { pc, addr, size, cause } => {
                write!(f, "store fault ({cause}) of {size} bytes at {addr:#x}, pc {pc:#x}")
            }
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Ecall => f.write_str("ecall"),
            Exit::Ebreak => f.write_str("ebreak"),
            Exit::BudgetExhausted => f.write_str("instruction budget exhausted"),
            Exit::Trap(t) => write!(f, "trap: {t}"),
        }
    }
}
