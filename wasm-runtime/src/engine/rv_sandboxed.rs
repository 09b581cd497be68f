//! Running code compiled in rv-backend's sandboxed mode ([`rv_backend::Options::sandboxed`],
//! [`rv_backend::abi::sandbox`]) in host mode: a [`SandboxedInstance`] maps a module at
//! addresses other than the default mode's, with readable bytes around its linear memory,
//! and serves the jumps to the VM context's entry the way a kernel would, so the mode's
//! position independence and its bounds checks are tested on the host before the kernel
//! runs them (the spec and differential suites run on it, `zkos bench` measures it).
//!
//! | address | what |
//! |---|---|
//! | [`STUBS`] | the entry (`ecall; jalr zero, 0(t0)`) and the return stub (`ecall`) |
//! | [`CODE_AT`] | the code, then the read-only data at `+ rodata_offset` |
//! | [`TABLE_AT`] | the table |
//! | below [`CTX_TOP`] | the VM context; the stack above it |
//! | [`MEMORY_AT`] | the linear memory, at its current size; [`CANARY`] bytes of `0xA5` mapped readable and writable just below it and just past its largest size |
//!
//! Compiled code must never touch the canaries or fault: every machine fault is
//! [`Trap::Machine`] here (a compiler bug), never a WebAssembly trap, and tests check that the
//! canaries are intact. A [`SandboxedInstance`] is an [`RvInstance`]: the API is
//! [`super::rv_instance::Instance`]'s, and the same code maps and runs both modes.
//!
//! [`Trap::Machine`]: super::rv_instance::Trap::Machine

use alloc::vec::Vec;
use core::fmt;

use rv_machine::{Machine, Perm};

use rv_backend::abi::PAGE_SIZE;
use rv_backend::regs::Reg;
use rv_backend::Compiled;

use super::rv_instance::{Config, Imports, InstantiateError, Placement, RvInstance};

/// The entry and return stubs.
pub const STUBS: u64 = 0x1_0000;
/// The entry compiled code jumps to (an `ecall`, then `jalr zero, 0(t0)`).
pub(super) const ENTRY: u64 = STUBS;
/// The return address of calls: an `ecall` (the machine stops after it).
const RETURN: u64 = STUBS + 8;
/// Where the code goes (the read-only data follows it).
pub const CODE_AT: u64 = 0x8765_4000;
/// Where the table goes.
pub const TABLE_AT: u64 = 0x3_0000_0000;
/// The VM context's top (`tp`); the stack is above it.
pub const CTX_TOP: u64 = 0x5_0000_0000;
/// Where the linear memory goes.
pub const MEMORY_AT: u64 = 0x10_0000_0000;
/// Bytes of each canary region around the memory.
pub const CANARY: u64 = 1 << 16;
/// The canaries' byte.
pub const CANARY_BYTE: u8 = 0xA5;

/// A module compiled in the sandboxed mode, on a machine of its own.
pub type SandboxedInstance<'c> = RvInstance<'c, true>;

/// Why a sandboxed instance could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxedError {
    /// The module was not compiled in the sandboxed mode.
    NotSandboxed,
    /// Instantiation failed.
    Instantiate(InstantiateError),
}

impl fmt::Display for SandboxedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSandboxed => f.write_str("the module was not compiled in the sandboxed mode"),
            Self::Instantiate(e) => write!(f, "{e}"),
        }
    }
}

impl From<InstantiateError> for SandboxedError {
    fn from(e: InstantiateError) -> Self {
        Self::Instantiate(e)
    }
}

/// Where a module compiled in the sandboxed mode goes.
pub(super) fn placement(compiled: &Compiled) -> Placement {
    Placement {
        code: CODE_AT,
        rodata: CODE_AT + compiled.rodata_offset,
        table: TABLE_AT,
        vmctx: CTX_TOP,
        memory: MEMORY_AT,
        ret: RETURN,
        entry: ENTRY,
    }
}

/// Maps the entry and the return stub.
pub(super) fn map_stubs(m: &mut Machine) -> Result<(), rv_machine::Error> {
    use rv_backend::encode::{ecall, jalr};
    let stubs: Vec<u8> = [ecall(), jalr(Reg::ZERO, Reg::T0, rv_backend::imm::Imm12::ZERO), ecall()]
        .into_iter()
        .flat_map(u32::to_le_bytes)
        .collect();
    m.map(STUBS, stubs.len() as u64, Perm::X, &stubs)
}

/// Maps the canaries just below the memory at `memory` and just past its largest size.
pub(super) fn map_canaries(m: &mut Machine, memory: u64, max_pages: u64) -> Result<(), rv_machine::Error> {
    let canary = alloc::vec![CANARY_BYTE; CANARY as usize];
    m.map(memory - CANARY, CANARY, Perm::RW, &canary)?;
    m.map(memory + max_pages * PAGE_SIZE, CANARY, Perm::RW, &canary)
}

impl<'c> SandboxedInstance<'c> {
    /// Maps `compiled` (sandboxed mode) and initializes its memory, table, globals and
    /// segments.
    pub fn new(compiled: &'c Compiled, config: Config, imports: &Imports<'_>) -> Result<Self, SandboxedError> {
        if !compiled.sandboxed {
            return Err(SandboxedError::NotSandboxed);
        }
        Ok(Self::borrowing(compiled, config, imports)?)
    }

    /// Whether both canaries around the memory still hold only [`CANARY_BYTE`].
    pub fn canaries_intact(&self) -> bool {
        let below = self.machine.region(MEMORY_AT - CANARY);
        let above = self.machine.region(MEMORY_AT + self.max_pages * PAGE_SIZE);
        [below, above].iter().all(|r| r.is_some_and(|b| b.iter().all(|&x| x == CANARY_BYTE)))
    }
}
