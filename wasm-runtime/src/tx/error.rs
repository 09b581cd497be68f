//! The error of transaction decoding, recovery and signing.

use core::fmt;

use crate::primitives::U256;

/// Why bytes or fields do not make a valid signed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxError {
    /// No bytes at all.
    Empty,
    /// The RLP is malformed; `offset` is where the decoder stopped.
    Rlp {
        /// Byte offset into the transaction.
        offset: usize,
        /// What the RLP decoder reported.
        error: alloy_rlp::Error,
    },
    /// The first byte is not a transaction type this chain knows.
    UnknownType(u8),
    /// The transaction is followed by more bytes.
    TrailingBytes {
        /// Offset of the first byte after the transaction.
        offset: usize,
    },
    /// The signature is invalid: a zero or out-of-range `r`/`s`, a high `s` (EIP-2), or a
    /// signature that recovers no public key.
    BadSignature(&'static str),
    /// The transaction is signed for another chain.
    WrongChainId {
        /// The chain this block runs on.
        expected: u64,
        /// The chain id the transaction carries.
        got: u64,
    },
    /// A `v` value that fits neither the transaction type nor its chain id.
    BadV(U256),
    /// The secret key is zero or not below the curve order.
    BadSecretKey,
    /// A field that the transaction type cannot carry (e.g. a blob transaction without `to`).
    InvalidField(&'static str),
}

impl fmt::Display for TxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty transaction"),
            Self::Rlp { offset, error } => write!(f, "bad RLP at byte {offset}: {error}"),
            Self::UnknownType(ty) => write!(f, "unknown transaction type 0x{ty:02x}"),
            Self::TrailingBytes { offset } => {
                write!(f, "unexpected bytes after the transaction at byte {offset}")
            }
            Self::BadSignature(why) => write!(f, "invalid signature: {why}"),
            Self::WrongChainId { expected, got } => {
                write!(f, "wrong chain id: transaction signed for {got}, chain is {expected}")
            }
            Self::BadV(v) => write!(f, "invalid signature v value {v}"),
            Self::BadSecretKey => f.write_str("invalid secret key"),
            Self::InvalidField(what) => write!(f, "invalid transaction field: {what}"),
        }
    }
}

impl core::error::Error for TxError {}
