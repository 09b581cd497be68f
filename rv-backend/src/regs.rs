//! Register roles of compiled code.
//!
//! | register | role |
//! |---|---|
//! | `zero` | zero |
//! | `ra` | return address (saved in the frame by functions that call) |
//! | `sp` | stack pointer; frames grow down from the top of the stack region |
//! | `gp` | [`GAS`]: the metered module's gas global, a signed 64-bit count |
//! | `tp` | [`VMCTX`]: top of the VM context (globals and sizes at negative offsets) and bottom of the stack (the stack-overflow limit) |
//! | `t0`–`t2` | [`SCRATCH`]: temporaries of one lowered operator, never live across operators |
//! | `a0`–`a7`, `t3`–`t6` | [`POOL`]: the WASM operand stack; position `p` lives in `POOL[p]`, positions past the pool in frame slots. `a0`–`a7` also carry arguments and results |
//! | `s0`–`s11` | [`LOCALS`]: the first twelve locals of a function (callee-saved) |
//!
//! Caller-saved: `ra`, `a0`–`a7`, `t0`–`t6`. Callee-saved: `s0`–`s11`, `sp`. `gp` and `tp`
//! are live everywhere: calls and host calls may change `gp` (they charge gas), nothing
//! changes `tp`.

pub use rv_machine::isa::Reg;

/// The gas register (the metered module's `__zkos_gas` global).
pub const GAS: Reg = Reg::GP;
/// The VM context pointer: globals below it, the stack above it.
pub const VMCTX: Reg = Reg::TP;
/// Stack pointer.
pub const SP: Reg = Reg::SP;
/// Return address.
pub const RA: Reg = Reg::RA;
/// Zero.
pub const ZERO: Reg = Reg::ZERO;

/// Temporaries of one operator.
pub const SCRATCH: [Reg; 3] = [Reg::T0, Reg::T1, Reg::T2];
/// First scratch register.
pub const T0: Reg = Reg::T0;
/// Second scratch register.
pub const T1: Reg = Reg::T1;
/// Third scratch register.
pub const T2: Reg = Reg::T2;

/// Registers holding the operand stack, by stack position.
pub const POOL: [Reg; 12] =
    [Reg::A0, Reg::A1, Reg::A2, Reg::A3, Reg::A4, Reg::A5, Reg::A6, Reg::A7, Reg::T3, Reg::T4, Reg::T5, Reg::T6];

/// Argument and result registers, in order.
pub const ARGS: [Reg; 8] = [Reg::A0, Reg::A1, Reg::A2, Reg::A3, Reg::A4, Reg::A5, Reg::A6, Reg::A7];

/// Callee-saved registers holding the first locals of a function.
pub const LOCALS: [Reg; 12] =
    [Reg::S0, Reg::S1, Reg::S2, Reg::S3, Reg::S4, Reg::S5, Reg::S6, Reg::S7, Reg::S8, Reg::S9, Reg::S10, Reg::S11];

/// The register `a7`, which carries the ecall number.
pub const ECALL_NUMBER: Reg = Reg::A7;
