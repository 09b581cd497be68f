//! The crate's error type.

use core::fmt;

/// Why a transpilation failed. Every byte string is valid EVM code (undefined opcodes are
/// run-time halts), so the only failures are resource limits of the transpiler.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TranspileError {
    /// The code is longer than [`crate::MAX_CODE_SIZE`] bytes.
    CodeTooLarge {
        /// Length of the code, in bytes.
        len: usize,
        /// The supported maximum, in bytes.
        max: usize,
    },
    /// A broken invariant of the transpiler itself (a bug, never the code's fault).
    Internal(&'static str),
}

impl fmt::Display for TranspileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CodeTooLarge { len, max } => {
                write!(f, "EVM code of {len} bytes is larger than the supported {max} bytes")
            }
            Self::Internal(what) => write!(f, "internal transpiler error: {what}"),
        }
    }
}

impl core::error::Error for TranspileError {}
