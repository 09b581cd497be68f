//! The compiler's error: what went wrong and where.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// What kind of problem stopped compilation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileErrorKind {
    /// The module is not valid WebAssembly (the contract's fault).
    Invalid(String),
    /// Valid WebAssembly outside the subset this compiler handles (floats, SIMD, several
    /// memories or tables, `externref`, ...).
    Unsupported(String),
    /// The module is too large to compile: its code or read-only data over the limit of its
    /// region. Valid modules never are (see [`host_abi::limits::MAX_MACHINE_CODE_SIZE`]).
    TooLarge(String),
    /// A broken invariant of the compiler itself (a bug, never the module's fault).
    Internal(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: CompileErrorKind,
    offset: Option<usize>,
    function: Option<u32>,
}

/// Why [`crate::compile`] failed, with the byte offset in the module and the function index
/// where known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError(Box<Inner>);

impl CompileError {
    /// An error of `kind` at byte `offset` of the module.
    pub fn new(kind: CompileErrorKind, offset: Option<usize>) -> CompileError {
        CompileError(Box::new(Inner { kind, offset, function: None }))
    }

    pub(crate) fn invalid(msg: impl Into<String>, offset: usize) -> CompileError {
        Self::new(CompileErrorKind::Invalid(msg.into()), Some(offset))
    }

    pub(crate) fn unsupported(msg: impl Into<String>, offset: usize) -> CompileError {
        Self::new(CompileErrorKind::Unsupported(msg.into()), Some(offset))
    }

    pub(crate) fn internal(msg: impl Into<String>) -> CompileError {
        Self::new(CompileErrorKind::Internal(msg.into()), None)
    }

    pub(crate) fn too_large(msg: impl Into<String>) -> CompileError {
        Self::new(CompileErrorKind::TooLarge(msg.into()), None)
    }

    pub(crate) fn from_parser(e: &wasmparser::BinaryReaderError) -> CompileError {
        Self::invalid(
            alloc::string::ToString::to_string(e.message()),
            usize::try_from(e.offset()).unwrap_or(usize::MAX),
        )
    }

    /// Attaches the index of the function being compiled.
    pub(crate) fn in_function(mut self, index: u32) -> CompileError {
        self.0.function.get_or_insert(index);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &CompileErrorKind {
        &self.0.kind
    }

    /// Byte offset in the module, if known.
    pub fn offset(&self) -> Option<usize> {
        self.0.offset
    }

    /// Index of the function being compiled, if the error is inside one.
    pub fn function(&self) -> Option<u32> {
        self.0.function
    }

    /// Whether the module is invalid WebAssembly (as opposed to unsupported or too large).
    pub fn is_invalid(&self) -> bool {
        matches!(self.0.kind, CompileErrorKind::Invalid(_))
    }

    /// Whether the module uses something outside the supported subset.
    pub fn is_unsupported(&self) -> bool {
        matches!(self.0.kind, CompileErrorKind::Unsupported(_))
    }

    /// Whether it is the compiler's own bug ([`CompileErrorKind::Internal`]), whatever the
    /// module. (An embedder that compiles only modules its validator accepted treats every
    /// other kind as a bug too: a gap between the validator and this compiler.)
    pub fn is_internal(&self) -> bool {
        matches!(self.0.kind, CompileErrorKind::Internal(_))
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            CompileErrorKind::Invalid(m) => write!(f, "invalid module: {m}")?,
            CompileErrorKind::Unsupported(m) => write!(f, "unsupported: {m}")?,
            CompileErrorKind::TooLarge(m) => write!(f, "too large to compile: {m}")?,
            CompileErrorKind::Internal(m) => write!(f, "compiler bug: {m}")?,
        }
        if let Some(i) = self.0.function {
            write!(f, " (function {i})")?;
        }
        if let Some(o) = self.0.offset {
            write!(f, " at offset {o:#x}")?;
        }
        Ok(())
    }
}

impl core::error::Error for CompileError {}
