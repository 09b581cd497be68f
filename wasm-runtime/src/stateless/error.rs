//! Why a stateless block cannot be run: a bad input, a witness that does not prove what the
//! block reads, an artifact that does not match the artifact root, or the block's own error.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use crate::block::BlockError;
use crate::primitives::{Address, B256};

/// The trie a witness fault was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrieId {
    /// The account trie (the state root).
    Accounts,
    /// The storage trie of an account.
    Storage(Address),
    /// The artifact trie (the artifact root).
    Artifacts,
}

impl fmt::Display for TrieId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accounts => write!(f, "the account trie"),
            Self::Storage(address) => write!(f, "the storage trie of {address}"),
            Self::Artifacts => write!(f, "the artifact trie"),
        }
    }
}

/// A trie node the witness should hold but does not, or holds in a form no trie has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrieFault {
    /// No witness node hashes to `hash`, the node referenced at `path`.
    Missing {
        /// The hash the parent (or the root) commits to.
        hash: B256,
        /// The nibbles from the root to the node.
        path: Vec<u8>,
    },
    /// The node hashing to `hash` at `path` is not a valid node of a 32-byte-key trie.
    Bad {
        /// Its hash.
        hash: B256,
        /// The nibbles from the root to it.
        path: Vec<u8>,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Prints nibbles as hex digits (`0x` and one digit per nibble; `0x` alone is the root).
pub(crate) struct NibblePath<'a>(pub &'a [u8]);

impl fmt::Display for NibblePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x")?;
        for nibble in self.0 {
            write!(f, "{:x}", nibble & 0xf)?;
        }
        Ok(())
    }
}

/// Why [`super::run_stateless`] (or building its input) failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatelessError {
    /// The input bytes are malformed.
    Decode {
        /// Offset in the input where it went wrong.
        offset: usize,
        /// What was expected there.
        what: &'static str,
    },
    /// A trie node needed to read or update the state is not in the witness.
    MissingNode {
        /// The trie.
        trie: TrieId,
        /// The node's hash.
        hash: B256,
        /// Its path (nibbles from the trie's root).
        path: Vec<u8>,
    },
    /// A witness node is not a valid trie node (or holds a malformed account or value).
    BadNode {
        /// The trie.
        trie: TrieId,
        /// The node's hash (the hash of the node holding the bad leaf, for a bad value).
        hash: B256,
        /// Its path.
        path: Vec<u8>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An account's leaf holds a malformed account.
    BadAccount {
        /// The account.
        address: Address,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A storage leaf holds a malformed value.
    BadStorageValue {
        /// The account.
        address: Address,
    },
    /// The code an account commits to is not among the witness codes.
    MissingCode {
        /// The account.
        address: Address,
        /// The code hash its leaf holds.
        code_hash: B256,
    },
    /// A given artifact is not committed by the pre-artifact root (no leaf for its code hash).
    ArtifactNotCommitted {
        /// Its code hash.
        code_hash: B256,
    },
    /// A given artifact differs from the one the artifact root commits to.
    ArtifactMismatch {
        /// Its code hash.
        code_hash: B256,
    },
    /// A given artifact's bytes are malformed.
    BadArtifact {
        /// Its index among the given artifacts.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A transaction of the block has no EIP-2718 encoding: the kernel reads transactions
    /// only as signed bytes, and recovers their senders itself.
    UnencodedTransaction {
        /// Its index in the block.
        index: usize,
    },
    /// The block cannot be applied (its own error, as in host mode).
    Block(Box<BlockError>),
}

impl StatelessError {
    /// This fault of `trie` as a stateless error.
    pub(crate) fn trie(trie: TrieId, fault: TrieFault) -> Self {
        match fault {
            TrieFault::Missing { hash, path } => Self::MissingNode { trie, hash, path },
            TrieFault::Bad { hash, path, reason } => Self::BadNode { trie, hash, path, reason },
        }
    }
}

impl fmt::Display for StatelessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode { offset, what } => write!(f, "malformed kernel input at offset {offset}: expected {what}"),
            Self::MissingNode { trie, hash, path } => {
                write!(f, "missing witness node {hash} at path {} in {trie}", NibblePath(path))
            }
            Self::BadNode { trie, hash, path, reason } => {
                write!(f, "bad witness node {hash} at path {} in {trie}: {reason}", NibblePath(path))
            }
            Self::BadAccount { address, reason } => write!(f, "the witness leaf of account {address} is bad: {reason}"),
            Self::BadStorageValue { address } => {
                write!(f, "a witness storage leaf of {address} holds no RLP-encoded 256-bit value")
            }
            Self::MissingCode { address, code_hash } => {
                write!(f, "missing witness code {code_hash} of account {address}")
            }
            Self::ArtifactNotCommitted { code_hash } => {
                write!(f, "the artifact given for code {code_hash} is not committed by the artifact root")
            }
            Self::ArtifactMismatch { code_hash } => {
                write!(f, "the artifact given for code {code_hash} differs from the one the artifact root commits to")
            }
            Self::BadArtifact { index, reason } => write!(f, "given artifact {index} is malformed: {reason}"),
            Self::UnencodedTransaction { index } => {
                write!(f, "transaction {index} has no EIP-2718 encoding (the kernel takes signed transactions)")
            }
            Self::Block(e) => write!(f, "the block cannot be applied: {e}"),
        }
    }
}

impl core::error::Error for StatelessError {}
