//! The error of the bounds analysis.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::flow::{FlowError, FlowErrorKind};

/// Why a module could not be analyzed. The analysis expects a module the validator
/// accepted; anything else is reported here (what and where), never a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundsError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    message: String,
    function: Option<u32>,
    offset: usize,
}

impl BoundsError {
    pub(crate) fn malformed(message: &str, offset: u64) -> Self {
        Self(Box::new(Inner {
            message: String::from(message),
            function: None,
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
        }))
    }

    pub(crate) fn parse(e: &wasmparser::BinaryReaderError) -> Self {
        Self::malformed(e.message(), e.offset())
    }

    pub(crate) fn in_function(mut self, index: u32) -> Self {
        self.0.function.get_or_insert(index);
        self
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The function (absolute index), when inside one.
    pub fn function(&self) -> Option<u32> {
        self.0.function
    }

    /// Byte offset in the module.
    pub fn offset(&self) -> usize {
        self.0.offset
    }
}

impl fmt::Display for BoundsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gas-bounds analysis failed: {}", crate::OneLine(&self.0.message))?;
        if let Some(func) = self.0.function {
            write!(f, " at function {func},")?;
        } else {
            f.write_str(" at")?;
        }
        write!(f, " byte offset {:#x}", self.0.offset)
    }
}

impl core::error::Error for BoundsError {}

impl From<FlowError> for BoundsError {
    fn from(e: FlowError) -> Self {
        let message = match e.kind() {
            FlowErrorKind::Malformed(m) => alloc::format!("malformed module: {m}"),
            FlowErrorKind::Excluded(x) => alloc::format!("instruction {} is outside the subset", x.name),
        };
        Self(Box::new(Inner { message, function: None, offset: e.offset() }))
    }
}
