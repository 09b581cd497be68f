//! The error of reading a function body's control flow.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use super::classes::Excluded;

/// Why a function body's operators or blocks could not be read: malformed bytes or an
/// operator outside the subset (the module was not validated). Metering and the bounds
/// analysis turn it into their own error; never a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: FlowErrorKind,
    offset: usize,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowErrorKind {
    /// The bytes are not a well-formed body (the parser's message).
    Malformed(String),
    /// An operator outside the deterministic subset.
    Excluded(Excluded),
}

impl FlowError {
    pub(crate) fn new(kind: FlowErrorKind, offset: usize) -> Self {
        Self(Box::new(Inner { kind, offset }))
    }

    pub(crate) fn parse(e: &wasmparser::BinaryReaderError) -> Self {
        Self::new(FlowErrorKind::Malformed(String::from(e.message())), to_usize(e.offset()))
    }

    /// What went wrong.
    pub fn kind(&self) -> &FlowErrorKind {
        &self.0.kind
    }

    /// Byte offset in the module.
    pub fn offset(&self) -> usize {
        self.0.offset
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            FlowErrorKind::Malformed(m) => write!(f, "malformed module: {}", crate::OneLine(m))?,
            FlowErrorKind::Excluded(e) => write!(f, "instruction {} is outside the subset", e.name)?,
        }
        write!(f, " at byte offset {:#x}", self.0.offset)
    }
}

impl core::error::Error for FlowError {}

/// A parser offset as an index into the module (offsets never exceed the module's length,
/// which is a `usize`; saturates rather than wrapping if it ever did).
pub(crate) fn to_usize(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}
