//! The system layer's errors, in three tiers kept apart:
//!
//! 1. **The contract's fault** ([`Fault`]): out of gas, a WebAssembly trap, a bad host-call
//!    argument, a state change in a static context, code rejected at deployment, an address
//!    collision, ... Charged as Ethereum charges an exceptional halt (a revert is no error: it
//!    is a status, and keeps its gas).
//! 2. **A resource limit** ([`Limit`]): what was limited, the limit and the size that passed
//!    it (call depth, the EIP-170 and EIP-3860 code sizes, ...). Charged like a fault.
//! 3. **An internal error** ([`Internal`]): a compiler or machine bug, a wasmi error that is no
//!    trap of the contract, a broken invariant of the system layer. Never charged to a
//!    contract: it travels as `Err` out of the frame loop, the transaction and the block, and
//!    fails the block ([`crate::block::BlockError::Internal`]).
//!
//! A frame that failed carries why as a [`Failure`] (tier 1 or 2) in its
//! [`crate::exec::FrameResult`] and in its transaction's receipt: data, not text. `Display`
//! gives each one line.
//!
//! ```
//! use wasm_runtime::error::{Failure, Fault, FaultKind, Limit, LimitKind, Trap};
//! let trap = Failure::from(Fault::Trap(Trap::Unreachable));
//! assert_eq!(trap.to_string(), "unreachable");
//! assert_eq!(Fault::Trap(Trap::DivisionByZero).kind(), FaultKind::DivisionByZero);
//! let deep = Limit { kind: LimitKind::CallDepth, limit: 1024, size: 1025 };
//! assert_eq!(deep.to_string(), "call depth limit reached: depth 1025, the limit is 1024");
//! ```

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;

use host_abi::envelope::EnvelopeError;
use host_abi::functions::HostFn;
use revm_precompile::PrecompileHalt;
use wasm_validator::meter::MeterError;
use wasm_validator::validate::ValidationError;

use crate::primitives::Address;

/// A WebAssembly trap of contract code, the same on every engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Trap {
    /// `unreachable` executed (EVM code transpiled: an invalid opcode, jump or stack).
    Unreachable = 1,
    /// A load, store or bulk memory operation outside linear memory, or an active data
    /// segment that does not fit it.
    MemoryOutOfBounds = 2,
    /// A table access or a `call_indirect` past the table's end, or an active element
    /// segment that does not fit it.
    TableOutOfBounds = 3,
    /// `call_indirect` to a null table entry.
    IndirectCallToNull = 4,
    /// `call_indirect` to a function of another type.
    IndirectCallTypeMismatch = 5,
    /// Integer division or remainder by zero.
    DivisionByZero = 6,
    /// Signed division of the smallest integer by -1.
    IntegerOverflow = 7,
}

impl Trap {
    /// The message the WebAssembly specification uses.
    pub const fn message(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::MemoryOutOfBounds => "out of bounds memory access",
            Self::TableOutOfBounds => "out of bounds table access",
            Self::IndirectCallToNull => "uninitialized element",
            Self::IndirectCallTypeMismatch => "indirect call type mismatch",
            Self::DivisionByZero => "integer divide by zero",
            Self::IntegerOverflow => "integer overflow",
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// What a frame ran out of gas for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutOfGas {
    /// Its code or a host function's charge.
    Execution,
    /// Deploying an envelope's code (validation, metering, compilation, storage) costs
    /// `charge`, more than the creation has.
    Deployment {
        /// What deploying the code costs.
        charge: u64,
    },
    /// The code deposit of what EVM init code returned (200 gas per byte) costs `charge`.
    CodeDeposit {
        /// What the deposit costs.
        charge: u64,
    },
}

/// Why code cannot be deployed or run: rejected when it is deployed, or when its artifact is
/// built from stored code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// The init data is not a valid envelope.
    Envelope(EnvelopeError),
    /// An envelope of native RV64IM code that the native shim rejects (the rule it breaks
    /// and where).
    Native(native_shim::ShimError),
    /// Stored code that starts like an envelope but whose header is not one.
    BadStoredEnvelope,
    /// The WASM module breaks a validation rule.
    Validation(ValidationError),
    /// Metering rejects the module (a function whose frame alone passes the WASM stack budget).
    Metering(MeterError),
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Envelope(e) => write!(f, "{e}"),
            Self::Native(e) => write!(f, "{e}"),
            Self::BadStoredEnvelope => f.write_str("stored code has a bad envelope header"),
            Self::Validation(e) => write!(f, "{e}"),
            Self::Metering(e) => write!(f, "{e}"),
        }
    }
}

/// The contract's fault: why its frame failed, charged as Ethereum charges it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Out of gas.
    OutOfGas(OutOfGas),
    /// A WebAssembly trap.
    Trap(Trap),
    /// A host function given memory outside linear memory: `len` bytes at `offset` of a
    /// memory of `size` bytes.
    MemoryAccess {
        /// Where the access starts.
        offset: u32,
        /// Its length in bytes.
        len: u64,
        /// The memory's size in bytes.
        size: u64,
    },
    /// `returndata_copy` past the end of the return data.
    ReturnDataOutOfBounds,
    /// A host function that changes state (or a call that moves value) in a static context.
    StaticStateChange(HostFn),
    /// `emit_log` with this many topics, more than four.
    TooManyTopics(u32),
    /// A host function zkos does not provide yet (the Linux calls of native contracts).
    UnsupportedHostFunction(HostFn),
    /// BLOBBASEFEE when the blob base fee is 2^256 wei or more.
    BlobBaseFeeOverflow,
    /// Code rejected at deployment, or stored code whose artifact cannot be built.
    InvalidCode(Box<CodeError>),
    /// EVM init code returned code starting with 0xEF (EIP-3541).
    CodeStartsWithEf,
    /// A creation at an address that already has code or a nonce.
    AddressCollision(Address),
    /// The caller does not hold the value the call or creation sends (not executed).
    InsufficientBalance,
    /// The creating account's nonce is at its maximum (not executed).
    NonceOverflow,
    /// A precompile at `address` (0x01–0x11, 0x100) halted: out of gas or an input it rejects.
    Precompile {
        /// Its number: the address's last two bytes.
        address: u16,
        /// Why it halted.
        halt: PrecompileHalt,
    },
}

/// The kind of a [`Fault`], with a fixed number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FaultKind {
    /// [`Fault::OutOfGas`].
    OutOfGas = 1,
    /// [`Trap::Unreachable`].
    Unreachable = 2,
    /// [`Trap::MemoryOutOfBounds`].
    MemoryOutOfBounds = 3,
    /// [`Trap::TableOutOfBounds`].
    TableOutOfBounds = 4,
    /// [`Trap::IndirectCallToNull`].
    IndirectCallToNull = 5,
    /// [`Trap::IndirectCallTypeMismatch`].
    IndirectCallTypeMismatch = 6,
    /// [`Trap::DivisionByZero`].
    DivisionByZero = 7,
    /// [`Trap::IntegerOverflow`].
    IntegerOverflow = 8,
    /// [`Fault::MemoryAccess`].
    HostMemoryOutOfBounds = 9,
    /// [`Fault::ReturnDataOutOfBounds`].
    ReturnDataOutOfBounds = 10,
    /// [`Fault::StaticStateChange`].
    StaticStateChange = 11,
    /// [`Fault::TooManyTopics`].
    TooManyTopics = 12,
    /// [`Fault::UnsupportedHostFunction`].
    UnsupportedHostFunction = 13,
    /// [`Fault::BlobBaseFeeOverflow`].
    BlobBaseFeeOverflow = 14,
    /// [`Fault::InvalidCode`].
    InvalidCode = 15,
    /// [`Fault::CodeStartsWithEf`].
    CodeStartsWithEf = 16,
    /// [`Fault::AddressCollision`].
    AddressCollision = 17,
    /// [`Fault::InsufficientBalance`].
    InsufficientBalance = 18,
    /// [`Fault::NonceOverflow`].
    NonceOverflow = 19,
    /// [`Fault::Precompile`].
    Precompile = 20,
}

impl Fault {
    /// Its kind.
    pub const fn kind(&self) -> FaultKind {
        match self {
            Self::OutOfGas(_) => FaultKind::OutOfGas,
            Self::Trap(t) => match t {
                Trap::Unreachable => FaultKind::Unreachable,
                Trap::MemoryOutOfBounds => FaultKind::MemoryOutOfBounds,
                Trap::TableOutOfBounds => FaultKind::TableOutOfBounds,
                Trap::IndirectCallToNull => FaultKind::IndirectCallToNull,
                Trap::IndirectCallTypeMismatch => FaultKind::IndirectCallTypeMismatch,
                Trap::DivisionByZero => FaultKind::DivisionByZero,
                Trap::IntegerOverflow => FaultKind::IntegerOverflow,
            },
            Self::MemoryAccess { .. } => FaultKind::HostMemoryOutOfBounds,
            Self::ReturnDataOutOfBounds => FaultKind::ReturnDataOutOfBounds,
            Self::StaticStateChange(_) => FaultKind::StaticStateChange,
            Self::TooManyTopics(_) => FaultKind::TooManyTopics,
            Self::UnsupportedHostFunction(_) => FaultKind::UnsupportedHostFunction,
            Self::BlobBaseFeeOverflow => FaultKind::BlobBaseFeeOverflow,
            Self::InvalidCode(_) => FaultKind::InvalidCode,
            Self::CodeStartsWithEf => FaultKind::CodeStartsWithEf,
            Self::AddressCollision(_) => FaultKind::AddressCollision,
            Self::InsufficientBalance => FaultKind::InsufficientBalance,
            Self::NonceOverflow => FaultKind::NonceOverflow,
            Self::Precompile { .. } => FaultKind::Precompile,
        }
    }

    /// Running out of gas in code or a host function.
    pub const OUT_OF_GAS: Self = Self::OutOfGas(OutOfGas::Execution);

    /// Code rejected for `why`.
    pub fn invalid_code(why: CodeError) -> Self {
        Self::InvalidCode(Box::new(why))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfGas(OutOfGas::Execution) => f.write_str("out of gas"),
            Self::OutOfGas(OutOfGas::Deployment { charge }) => {
                write!(f, "out of gas: deploying this code costs {charge}")
            }
            Self::OutOfGas(OutOfGas::CodeDeposit { charge }) => {
                write!(f, "out of gas for the code deposit: it costs {charge}")
            }
            Self::Trap(t) => write!(f, "{t}"),
            Self::MemoryAccess { offset, len, size } => {
                write!(f, "memory access out of bounds: {len} bytes at offset {offset:#x}, memory is {size} bytes")
            }
            Self::ReturnDataOutOfBounds => f.write_str("returndata_copy reads past the end of the return data"),
            Self::StaticStateChange(HostFn::Call) => f.write_str("call with value in a static context"),
            Self::StaticStateChange(h) => write!(f, "{} in a static context", h.import_name()),
            Self::TooManyTopics(n) => write!(f, "emit_log: {n} topics, more than {}", host_abi::gas::MAX_LOG_TOPICS),
            Self::UnsupportedHostFunction(h @ (HostFn::Read | HostFn::Write | HostFn::Exit | HostFn::Brk)) => {
                write!(f, "{}: Linux system calls are for native contracts (not supported yet)", h.import_name())
            }
            Self::UnsupportedHostFunction(h) => write!(f, "host function {} is not supported yet", h.import_name()),
            Self::BlobBaseFeeOverflow => f.write_str("BLOBBASEFEE: the blob base fee is 2^256 wei or more"),
            Self::InvalidCode(why) => write!(f, "{why}"),
            Self::CodeStartsWithEf => f.write_str("deployed code starts with 0xEF (EIP-3541)"),
            Self::AddressCollision(address) => write!(f, "address collision at {address}"),
            Self::InsufficientBalance => f.write_str("insufficient balance for the value"),
            Self::NonceOverflow => f.write_str("sender nonce overflow"),
            Self::Precompile { address, halt } => {
                let name = crate::exec::precompile::name(*address);
                write!(f, "precompile {address:#04x} ({name}): {halt}")
            }
        }
    }
}

/// What a [`Limit`] limits, with a fixed number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LimitKind {
    /// Frames below a call or creation ([`host_abi::limits::MAX_CALL_DEPTH`]).
    CallDepth = 1,
    /// EVM init code in bytes (EIP-3860).
    InitCodeSize = 2,
    /// Deployed EVM code in bytes (EIP-170).
    EvmCodeSize = 3,
    /// An envelope's WASM code in bytes ([`host_abi::limits::MAX_WASM_CODE_SIZE`]).
    WasmCodeSize = 4,
    /// EVM code the transpiler takes, in bytes ([`evm_to_wasm::MAX_CODE_SIZE`]).
    TranspiledCodeSize = 5,
    /// Instructions one frame of the RV64IM engine executes between host calls (metering
    /// ends every frame long before: reaching it is an internal error).
    InstructionBudget = 6,
}

/// A resource limit passed: what, the limit, and the size that passed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    /// What is limited.
    pub kind: LimitKind,
    /// The limit.
    pub limit: u64,
    /// The size that passed it.
    pub size: u64,
}

impl Limit {
    /// `size` past the limit of `kind`, `limit`.
    pub fn new(kind: LimitKind, limit: usize, size: usize) -> Self {
        // usize is at most 64 bits on every target zkos builds for.
        Self { kind, limit: limit as u64, size: size as u64 }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { kind, limit, size } = self;
        match kind {
            LimitKind::CallDepth => write!(f, "call depth limit reached: depth {size}, the limit is {limit}"),
            LimitKind::InitCodeSize => write!(f, "init code of {size} bytes exceeds the limit of {limit} (EIP-3860)"),
            LimitKind::EvmCodeSize => write!(f, "code size {size} exceeds the limit of {limit} bytes (EIP-170)"),
            LimitKind::WasmCodeSize => write!(f, "WASM code size {size} exceeds the limit of {limit} bytes"),
            LimitKind::TranspiledCodeSize => {
                write!(f, "EVM code of {size} bytes is larger than the supported {limit} bytes")
            }
            LimitKind::InstructionBudget => {
                write!(f, "{size} instructions without a host call, past the budget of {limit}")
            }
        }
    }
}

/// Why a frame failed (a revert aside): the contract's fault or a resource limit, charged
/// as Ethereum charges them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The contract's fault.
    Fault(Fault),
    /// A resource limit passed.
    Limit(Limit),
}

impl Failure {
    /// Out of gas in code or a host function.
    pub const OUT_OF_GAS: Self = Self::Fault(Fault::OUT_OF_GAS);

    /// The fault, if it is one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Self::Fault(f) => Some(f),
            Self::Limit(_) => None,
        }
    }
}

impl From<Fault> for Failure {
    fn from(f: Fault) -> Self {
        Self::Fault(f)
    }
}

impl From<Limit> for Failure {
    fn from(l: Limit) -> Self {
        Self::Limit(l)
    }
}

impl From<Trap> for Failure {
    fn from(t: Trap) -> Self {
        Self::Fault(Fault::Trap(t))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fault(x) => write!(f, "{x}"),
            Self::Limit(x) => write!(f, "{x}"),
        }
    }
}

impl core::error::Error for Failure {}

/// A system-layer invariant found broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invariant {
    /// A frame resumed without the result of the frame it waited for, or with a result it
    /// did not wait for.
    ResumeMismatch,
    /// A suspended frame's gas or memory is gone when it resumes.
    SuspendedStateLost,
    /// A frame's code was run again after it ended.
    CodeEnded,
    /// The frame loop found no frame to run, resume or finish.
    EmptyFrameStack,
    /// A call's input is not in its caller's memory, where it was checked to lie when the
    /// call was made.
    InputOutsideCaller,
    /// A host function reached the code of another (the hashes, the precompile host
    /// functions, a system call entered from a contract).
    Dispatch(HostFn),
    /// An artifact's module has no gas global, or one that is not a mutable `i64`.
    GasGlobal,
    /// An artifact's module exports no memory.
    NoMemory,
    /// An artifact's module lacks the export a frame calls, or it is not `[] -> []`.
    Export(&'static str),
    /// An artifact's module imports something other than a host function (its import index).
    Import(u32),
    /// A host function called with an argument that is not an integer.
    HostArgument(HostFn),
    /// Compiled code called a host function number that does not exist.
    HostNumber(u32),
    /// Compiled code called foreign import `k` (artifacts import host functions only).
    ForeignImport(u32),
    /// wasmi stopped on a host error that is no host function's request.
    HostError,
    /// An instance of a module exposed for reuse lacks a global or table entry the module
    /// was made to export.
    Reuse,
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ResumeMismatch => f.write_str("a frame resumed without the result it waited for"),
            Self::SuspendedStateLost => f.write_str("a suspended frame lost its gas or memory"),
            Self::CodeEnded => f.write_str("a frame's code ran after it ended"),
            Self::EmptyFrameStack => f.write_str("the frame stack is empty"),
            Self::InputOutsideCaller => f.write_str("a callee's input is outside its caller's memory"),
            Self::Dispatch(h) => write!(f, "host function {} reached code that is not its own", h.import_name()),
            Self::GasGlobal => f.write_str("the module has no gas global, or it is not a mutable i64"),
            Self::NoMemory => f.write_str("the module exports no memory"),
            Self::Export(name) => write!(f, "the module has no export `{name}` of type [] -> []"),
            Self::Import(i) => write!(f, "import {i} of the module is not a host function"),
            Self::HostArgument(h) => {
                write!(f, "host function {} got an argument that is not an integer", h.import_name())
            }
            Self::HostNumber(n) => write!(f, "compiled code called host function number {n}, which does not exist"),
            Self::ForeignImport(k) => write!(f, "compiled code called foreign import {k}"),
            Self::HostError => f.write_str("wasmi stopped on a host error that is not a host function's request"),
            Self::Reuse => f.write_str("an instance lacks a global or table entry its module exports for reuse"),
        }
    }
}

/// Where wasmi failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmiStage {
    /// Compiling a module.
    Compile,
    /// Instantiating it.
    Instantiate,
    /// Running it.
    Run,
}

/// An error wasmi reported that is no trap of the contract's code. Shared, as wasmi's errors
/// cannot be cloned; two are equal if they come from the same stage and wasmi describes them
/// alike (its errors have no equality of their own).
#[derive(Clone, Debug)]
pub struct WasmiError {
    /// Where it failed.
    pub stage: WasmiStage,
    /// What wasmi reported.
    pub error: Arc<wasmi::Error>,
}

impl PartialEq for WasmiError {
    fn eq(&self, other: &Self) -> bool {
        use alloc::string::ToString;
        self.stage == other.stage
            && (Arc::ptr_eq(&self.error, &other.error) || self.error.to_string() == other.error.to_string())
    }
}

impl Eq for WasmiError {}

/// An engine's trap code that the engines' configuration and metering rule out for contract
/// code (an engine's own stack limit, floats, fuel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineTrap {
    /// wasmi's.
    Wasmi(wasmi::TrapCode),
    /// The RV64IM engine's.
    Rv(rv_backend::abi::TrapCode),
}

/// What went wrong inside zkos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InternalKind {
    /// rv-backend could not compile a module that validation and metering (or the
    /// transpiler) produced: a compiler bug, or a gap between the validator and the compiler.
    Compile(rv_backend::CompileError),
    /// The RV64IM image or instance of a compiled module could not be made (not a trap of
    /// its segments).
    Instantiate(crate::engine::rv_instance::InstantiateError),
    /// The machine faulted where compiled code cannot make it fault (outside linear memory),
    /// or compiled code made an ecall the ABI does not define.
    Machine(crate::engine::rv_instance::Trap),
    /// wasmi failed other than by a trap of the contract.
    Wasmi(WasmiError),
    /// A trap the configuration and metering rule out.
    EngineTrap(EngineTrap),
    /// A limit of an engine that metering keeps contract code from reaching.
    Limit(Limit),
    /// Metering failed on a module the validator accepted.
    Meter(MeterError),
    /// The transpiler failed on its own invariant.
    Transpile(evm_to_wasm::TranspileError),
    /// An invariant of the system layer.
    Invariant(Invariant),
}

/// An internal error: a bug of zkos, never the contract's fault. It fails the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Internal(Box<InternalKind>);

impl Internal {
    /// What went wrong.
    pub fn kind(&self) -> &InternalKind {
        &self.0
    }
}

impl From<InternalKind> for Internal {
    fn from(kind: InternalKind) -> Self {
        Self(Box::new(kind))
    }
}

impl From<Invariant> for Internal {
    fn from(i: Invariant) -> Self {
        InternalKind::Invariant(i).into()
    }
}

impl fmt::Display for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            InternalKind::Compile(e) if e.is_internal() => write!(f, "the RV64IM compiler failed: {e}"),
            InternalKind::Compile(e) => {
                write!(f, "the RV64IM compiler rejected a module the validator accepted: {e}")
            }
            InternalKind::Instantiate(e) => write!(f, "a compiled module could not be instantiated: {e}"),
            InternalKind::Machine(t) => write!(f, "{t} (a compiler or machine bug)"),
            InternalKind::Wasmi(WasmiError { stage, error }) => {
                let stage = match stage {
                    WasmiStage::Compile => "compiling",
                    WasmiStage::Instantiate => "instantiating",
                    WasmiStage::Run => "running",
                };
                write!(f, "wasmi failed {stage} a module: {error}")
            }
            InternalKind::EngineTrap(EngineTrap::Wasmi(c)) => {
                write!(f, "wasmi trapped with {c}, which the engine's limits and metering rule out")
            }
            InternalKind::EngineTrap(EngineTrap::Rv(c)) => {
                write!(f, "compiled code trapped with {c}, which the engine's limits and metering rule out")
            }
            InternalKind::Limit(l) => write!(f, "{l}, which metering rules out"),
            InternalKind::Meter(e) => write!(f, "{e} (on a module the validator accepted)"),
            InternalKind::Transpile(e) => write!(f, "{e}"),
            InternalKind::Invariant(i) => write!(f, "broken invariant: {i}"),
        }
    }
}

impl core::error::Error for Internal {}

/// Why an artifact could not be built: the code's fault or limit (charged to the frame that
/// runs it) or an internal error (fails the block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The code cannot be deployed or run.
    Failed(Failure),
    /// A bug of zkos.
    Internal(Internal),
}

impl From<Failure> for BuildError {
    fn from(f: Failure) -> Self {
        Self::Failed(f)
    }
}

impl From<Internal> for BuildError {
    fn from(i: Internal) -> Self {
        Self::Internal(i)
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(x) => write!(f, "{x}"),
            Self::Internal(x) => write!(f, "internal error: {x}"),
        }
    }
}

impl core::error::Error for BuildError {}
