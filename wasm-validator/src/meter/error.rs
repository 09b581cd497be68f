//! The error of metering.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::flow::classes::Excluded;
use crate::flow::{to_usize, FlowError, FlowErrorKind};

/// Why a module could not be metered. Metering expects a module that
/// [`crate::validate::validate`] accepted; anything else is reported here, never a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: MeterErrorKind,
    function: Option<u32>,
    offset: usize,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeterErrorKind {
    /// The bytes are not a well-formed module (the parser's message).
    Malformed(String),
    /// An operator outside the deterministic subset (the module was not validated).
    Excluded(Excluded),
    /// A construct metering does not handle (the module was not validated).
    Unsupported(&'static str),
    /// A function whose frame alone costs more than the WASM stack budget: it could never
    /// run ([`super::frame`], [`host_abi::limits::WASM_STACK_BUDGET`]).
    FrameTooLarge {
        /// The canonical cost of its frame, in bytes.
        cost: u64,
    },
}

impl MeterError {
    pub(crate) fn new(kind: MeterErrorKind, offset: usize) -> Self {
        Self(Box::new(Inner { kind, function: None, offset }))
    }

    pub(crate) fn parse(e: &wasmparser::BinaryReaderError) -> Self {
        Self::new(MeterErrorKind::Malformed(String::from(e.message())), to_usize(e.offset()))
    }

    pub(crate) fn in_function(mut self, index: u32) -> Self {
        self.0.function.get_or_insert(index);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &MeterErrorKind {
        &self.0.kind
    }

    /// The absolute index of the function (imports counted), when inside one.
    pub fn function(&self) -> Option<u32> {
        self.0.function
    }

    /// Byte offset in the module.
    pub fn offset(&self) -> usize {
        self.0.offset
    }
}

impl fmt::Display for MeterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("metering failed: ")?;
        match &self.0.kind {
            MeterErrorKind::Malformed(m) => write!(f, "malformed module: {}", crate::OneLine(m))?,
            MeterErrorKind::Excluded(e) => write!(f, "instruction {} is outside the subset", e.name)?,
            MeterErrorKind::Unsupported(m) => write!(f, "{}", crate::OneLine(m))?,
            MeterErrorKind::FrameTooLarge { cost } => write!(
                f,
                "a frame of {cost} canonical bytes, more than the WASM stack budget of {}",
                host_abi::limits::WASM_STACK_BUDGET
            )?,
        }
        if let Some(func) = self.0.function {
            write!(f, " at function {func},")?;
        } else {
            f.write_str(" at")?;
        }
        write!(f, " byte offset {:#x}", self.0.offset)
    }
}

impl core::error::Error for MeterError {}

impl From<FlowError> for MeterError {
    fn from(e: FlowError) -> Self {
        let kind = match e.kind() {
            FlowErrorKind::Malformed(m) => MeterErrorKind::Malformed(m.clone()),
            FlowErrorKind::Excluded(x) => MeterErrorKind::Excluded(*x),
        };
        Self::new(kind, e.offset())
    }
}
