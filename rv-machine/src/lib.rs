//! The provable machine of zkos: an interpreter of RV64IM user-level code whose executed
//! instruction count is the proving cost.
//!
//! - [`isa`]: the RV64IM instruction table and what is generated from it: decoder, encoder,
//!   disassembler.
//! - [`Machine`]: 32 registers, `pc`, memory regions with permissions, a quasi-UART, and
//!   [`Machine::run`], which executes until `ecall`, `ebreak`, a trap or the budget's end.
//! - [`elf`]: loading static RV64 executables.
//! - [`kernel`] (feature `kernel`): running the zkos kernel, its machine calls and
//!   accelerators.
//! - `bench` (feature `std`): a built-in integer workload that measures the machine's speed.
//!
//! # The rules the machine follows
//!
//! - **ISA**: RV64I and M exactly as the unprivileged spec defines them. `fence` is a no-op;
//!   `ecall` and `ebreak` stop the run ([`Exit::Ecall`], [`Exit::Ebreak`]) with `pc` past
//!   them. Everything else (A, C, F, D, Zicsr, Zifencei, privileged) is an illegal
//!   instruction. There is no `instret` CSR: the host reads [`Machine::instret`].
//! - **Counting**: every instruction that completes counts once, `ecall` and `ebreak`
//!   included; an instruction that traps does not count and changes nothing.
//! - **Memory**: regions mapped by the host or the ELF loader, each readable, writable and/or
//!   executable, never both writable and executable (W^X). Executable regions are predecoded
//!   once when mapped, into basic blocks that run with one budget charge each and with
//!   common instruction pairs fused (still counted as two). Loads need `R`, stores need `W`; code can be read as data only from a
//!   region that is also `R`.
//! - **Misaligned data access is allowed** by default (as in qemu-user; [`AlignMode`] counts
//!   them or makes them fault): a load or store of any size at
//!   any address behaves as the same bytes accessed one by one, little-endian, provided all
//!   of them lie in the *one* region that holds the first byte. An access that runs past the
//!   end of its region faults with [`AccessCause::Unmapped`] even if the next region is
//!   mapped right after it.
//! - **Instruction fetch** must be 4-byte aligned: a taken branch or jump to a misaligned
//!   target traps at the branch ([`Trap::MisalignedFetch`]); a target outside executable
//!   memory traps at the target ([`Trap::FetchFault`]).
//! - **Quasi-UART**: word-granular oracle input and output at the reserved top page of the
//!   address space (see [`machine::uart`]).
//!
//! # Example
//!
//! ```
//! use rv_machine::isa::{encode, Reg};
//! use rv_machine::{Config, Exit, Machine, Perm};
//!
//! // a0 = 6 * 7, then ecall.
//! let words = [
//!     encode::addi(Reg::A0, Reg::ZERO, 6).unwrap(),
//!     encode::addi(Reg::A1, Reg::ZERO, 7).unwrap(),
//!     encode::mul(Reg::A0, Reg::A0, Reg::A1),
//!     encode::ecall(),
//! ];
//! let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
//! let mut m = Machine::new(Config::default());
//! m.map(0x1000, code.len() as u64, Perm::RX, &code).unwrap();
//! m.set_pc(0x1000);
//! assert_eq!(m.run(1_000), Exit::Ecall);
//! assert_eq!(m.reg(Reg::A0), 42);
//! assert_eq!(m.instret(), 4);
//! assert_eq!(m.pc(), 0x1010);
//! ```

#![no_std]
#![forbid(unsafe_code)]

#[cfg(not(target_pointer_width = "64"))]
compile_error!("rv-machine needs a 64-bit host");

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
pub mod bench;
pub mod elf;
mod error;
pub mod isa;
#[cfg(feature = "kernel")]
pub mod kernel;
pub mod machine;

pub use error::{AccessProblem, ElfProblem, Error, ImmField, MapProblem};
pub use machine::{AccessCause, AlignMode, CodeImage, Config, Exit, Histogram, Machine, Perm, Trap};
