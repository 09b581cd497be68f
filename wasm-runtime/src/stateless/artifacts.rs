//! Deployment artifacts as the kernel takes and commits them.
//!
//! **Serialization** of an [`Artifact`]: `code_hash(32) ‖ kind(1: 0 WASM, 1 EVM, 2 native)
//! ‖ has_deploy(1: 0 or 1) ‖ wasm_len(4, big-endian) ‖ wasm ‖ image`: the normalized, metered
//! module, then the module compiled to RV64IM in rv-backend's sandboxed mode, as
//! [`rv_backend::Compiled::encode`] writes it (to the end; empty if it does not compile). The
//! initial memory pages are derived from the module. So a block whose artifacts are committed
//! neither transpiles, validates and meters nor compiles them: the kernel that built them
//! did, in an earlier block whose post-artifact root committed the result.
//!
//! **Artifact root**: the root of a Merkle-Patricia trie (the same trie as Ethereum's, keys
//! not hashed again: a code hash is already a keccak256) mapping each code hash to the RLP
//! string of `keccak256(serialization)`. It is kept beside the state root, never in it. A
//! block's post-artifact root is its pre-artifact root with the leaf of every artifact the
//! block used or built set: artifacts are only added or replaced (an EVM artifact rebuilt
//! under a later fork's opcodes replaces the earlier one), never removed.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::error::{TrieFault, TrieId};
use super::trie::{NodeDb, PartialTrie};
use super::StatelessError;
use crate::exec::{Artifact, ArtifactCache, CodeKind};
use crate::primitives::{keccak256, Bytes, B256};

/// The serialization of an artifact (see the module docs).
pub fn serialize(artifact: &Artifact) -> Vec<u8> {
    let image = artifact.sandboxed_image();
    let mut out = Vec::with_capacity(38 + artifact.wasm.len() + image.len());
    out.extend_from_slice(artifact.hash.as_slice());
    out.push(match artifact.kind {
        CodeKind::Wasm => 0,
        CodeKind::Evm => 1,
        CodeKind::Native => 2,
    });
    out.push(u8::from(artifact.has_deploy));
    // Modules are far below 4 GiB (host-abi's code-size limits).
    out.extend_from_slice(&u32::try_from(artifact.wasm.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&artifact.wasm);
    out.extend_from_slice(image);
    out
}

/// Reads a serialized artifact.
pub fn deserialize(bytes: &[u8]) -> Result<Artifact, &'static str> {
    if bytes.len() < 38 {
        return Err("shorter than its 38-byte header");
    }
    let hash = B256::from_slice(&bytes[..32]);
    let kind = match bytes[32] {
        0 => CodeKind::Wasm,
        1 => CodeKind::Evm,
        2 => CodeKind::Native,
        _ => return Err("an unknown code kind"),
    };
    let has_deploy = match bytes[33] {
        0 => false,
        1 => true,
        _ => return Err("a deploy flag other than 0 or 1"),
    };
    let wasm_len = u32::from_be_bytes([bytes[34], bytes[35], bytes[36], bytes[37]]) as usize;
    let Some(wasm) = bytes.get(38..).and_then(|rest| rest.get(..wasm_len)) else {
        return Err("a module longer than the artifact");
    };
    let artifact = Artifact::new(hash, kind, wasm.to_vec(), has_deploy);
    let _ = artifact.image.set(bytes[38 + wasm_len..].to_vec());
    Ok(artifact)
}

/// The artifact trie's leaf value for serialized artifact bytes: the RLP of their hash.
pub(crate) fn leaf_value(serialized: &[u8]) -> Vec<u8> {
    alloy_rlp::encode(keccak256(serialized))
}

/// The committed artifacts of a chain, by code hash: `keccak256` of each serialization.
/// What the host keeps to compute artifact roots (the artifacts themselves stay in its
/// [`ArtifactCache`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommittedArtifacts {
    /// `keccak256(serialization)` by code hash.
    pub leaves: BTreeMap<B256, B256>,
}

impl CommittedArtifacts {
    /// The artifact root.
    pub fn root(&self) -> B256 {
        self.trie().root()
    }

    /// Commits every artifact of `cache` (adding or replacing its leaf).
    pub fn add(&mut self, cache: &ArtifactCache) {
        for artifact in cache.iter() {
            self.leaves.insert(artifact.hash, keccak256(serialize(artifact)));
        }
    }

    /// The whole artifact trie, in memory.
    pub(crate) fn trie(&self) -> PartialTrie {
        let mut trie = PartialTrie::default();
        let mut none = NodeDb::default();
        for (hash, leaf) in &self.leaves {
            // An in-memory trie reads no node: inserting cannot fail.
            let _ = trie.insert(&mut none, hash, alloy_rlp::encode(leaf));
        }
        trie
    }
}

/// The artifacts a block is given, with the artifact-trie nodes that prove them and the
/// paths of the artifacts it builds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArtifactWitness {
    /// Serialized artifacts (see [`serialize`]), each committed by the pre-artifact root.
    pub artifacts: Vec<Bytes>,
    /// Artifact-trie node preimages: the paths of the given artifacts' code hashes and of
    /// those the block builds.
    pub proof: Vec<Bytes>,
}

fn fault(e: TrieFault) -> StatelessError {
    StatelessError::trie(TrieId::Artifacts, e)
}

/// Checks the given artifacts against the artifact trie and loads them into `cache`;
/// returns their leaf values by code hash.
pub(crate) fn load(
    given: &[Bytes],
    trie: &mut PartialTrie,
    db: &mut NodeDb,
    cache: &mut ArtifactCache,
) -> Result<BTreeMap<B256, Vec<u8>>, StatelessError> {
    let mut leaves = BTreeMap::new();
    for (index, bytes) in given.iter().enumerate() {
        let artifact = deserialize(bytes).map_err(|reason| StatelessError::BadArtifact { index, reason })?;
        let leaf = leaf_value(bytes);
        match trie.get(db, &artifact.hash).map_err(fault)? {
            None => return Err(StatelessError::ArtifactNotCommitted { code_hash: artifact.hash }),
            Some(committed) if committed != leaf => {
                return Err(StatelessError::ArtifactMismatch { code_hash: artifact.hash })
            }
            Some(_) => {}
        }
        leaves.insert(artifact.hash, leaf);
        cache.insert(artifact);
    }
    Ok(leaves)
}

/// Sets the leaf of every artifact in `cache` (given ones by their known leaf, the others
/// serialized) and returns the new artifact root.
pub(crate) fn commit(
    cache: &ArtifactCache,
    known: &BTreeMap<B256, Vec<u8>>,
    trie: &mut PartialTrie,
    db: &mut NodeDb,
) -> Result<B256, StatelessError> {
    for artifact in cache.iter() {
        let leaf = match known.get(&artifact.hash) {
            Some(leaf) => leaf.clone(),
            None => leaf_value(&serialize(artifact)),
        };
        trie.insert(db, &artifact.hash, leaf).map_err(fault)?;
    }
    Ok(trie.root())
}
