//! Why ABI data does not decode.

use core::fmt;

/// What was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiErrorKind {
    /// The data ends before a word or a byte string that starts here is complete.
    OutOfBounds,
    /// An offset or length word is larger than the data could hold.
    BadOffset,
    /// A value word has bits set outside its type (a `uintN` too large, an address with
    /// non-zero high bytes, a `bool` other than 0 or 1).
    NotCanonical,
    /// A `string` is not UTF-8.
    InvalidUtf8,
}

/// An ABI decoding error: what, and the byte offset in the data where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbiError {
    /// What was wrong.
    pub kind: AbiErrorKind,
    /// Byte offset of the offending word in the decoded data.
    pub offset: usize,
}

impl AbiError {
    pub(crate) fn new(kind: AbiErrorKind, offset: usize) -> Self {
        AbiError { kind, offset }
    }
}

impl fmt::Display for AbiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            AbiErrorKind::OutOfBounds => "data too short",
            AbiErrorKind::BadOffset => "offset or length out of range",
            AbiErrorKind::NotCanonical => "value out of range for its type",
            AbiErrorKind::InvalidUtf8 => "string is not UTF-8",
        };
        write!(f, "ABI decode: {what} at byte offset {}", self.offset)
    }
}
