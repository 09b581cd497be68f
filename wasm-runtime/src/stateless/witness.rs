//! Building a kernel input on the host: the minimal witness of a block.
//!
//! The whole pre-state is put in a [`PartialTrie`] (every node known), and the block is run
//! once natively over a [`WitnessState`] on it that records every node, code and key it
//! reads, its diff committed and its root computed as the kernel will. Since the kernel runs
//! the same code over the recorded witness, it reads exactly those nodes: the paths of the
//! keys read and written, and the sibling a deletion merges with. The artifact proof is
//! recorded the same way by replaying the kernel's artifact steps over the whole artifact
//! trie.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use alloy_trie::TrieAccount;

use super::artifacts::{self, CommittedArtifacts};
use super::trie::{NodeDb, PartialTrie};
use super::{ArtifactWitness, KernelBlock, KernelInput, StatelessError, Witness, WitnessState};
use crate::block::roots::committed_code_hash;
use crate::block::Block;
use crate::engine::EngineKind;
use crate::exec::{apply_block, ArtifactCache};
use crate::platform::MemoryDb;
use crate::primitives::{keccak256, Bytes, B256};

/// The whole pre-state as a witness (every node, every code) and its root.
pub(crate) fn whole_state(pre: &MemoryDb) -> (Witness, B256) {
    let mut nodes = NodeDb::default();
    let mut none = NodeDb::default();
    let mut accounts = PartialTrie::default();
    let mut witness = Witness::default();
    for (address, account) in &pre.accounts {
        let mut storage = PartialTrie::default();
        for (slot, value) in account.storage.iter().filter(|(_, v)| !v.is_zero()) {
            // In-memory tries read no node: inserting cannot fail.
            let _ = storage.insert(&mut none, &keccak256(slot.to_be_bytes::<32>()), alloy_rlp::encode(value));
        }
        storage.export(&mut nodes);
        let info = &account.info;
        let leaf = TrieAccount::new(info.nonce, info.balance, storage.root(), committed_code_hash(info));
        let _ = accounts.insert(&mut none, &keccak256(address), alloy_rlp::encode(leaf));
        if !info.code.is_empty() {
            witness.codes.push(info.code.clone());
        }
        if !info.constants.is_empty() {
            witness.constants.push((info.code_hash, info.constants.clone()));
        }
    }
    accounts.export(&mut nodes);
    witness.state = nodes.into_nodes();
    (witness, accounts.root())
}

pub(super) fn for_block(
    pre: &MemoryDb,
    pre_artifacts: &CommittedArtifacts,
    block: &Block,
) -> Result<KernelInput, StatelessError> {
    let kernel_block = KernelBlock::from_block(block)?;
    // Run what the kernel will run: the transactions as it decodes them.
    let block = kernel_block.to_block();
    let (witness, pre_state_root, cache) = record(pre, &block)?;

    // The artifacts the block uses that are committed as they are: given, not rebuilt.
    let given: Vec<Bytes> = cache
        .iter()
        .map(|a| artifacts::serialize(a))
        .filter(|bytes| {
            let hash = B256::from_slice(&bytes[..32]);
            pre_artifacts.leaves.get(&hash) == Some(&keccak256(bytes))
        })
        .map(Bytes::from)
        .collect();
    let mut art_db = NodeDb::default();
    pre_artifacts.trie().export(&mut art_db);
    art_db.record();
    let mut art_trie = PartialTrie::new(pre_artifacts.root());
    let mut replay = ArtifactCache::default();
    replay.set_rules(block.env.fork.evm_rules());
    let known = artifacts::load(&given, &mut art_trie, &mut art_db, &mut replay)?;
    artifacts::commit(&cache, &known, &mut art_trie, &mut art_db)?;

    Ok(KernelInput {
        block: kernel_block,
        pre_state_root,
        pre_artifact_root: pre_artifacts.root(),
        witness,
        artifacts: ArtifactWitness { artifacts: given, proof: art_db.recorded_nodes() },
    })
}

/// Runs `block` once over the whole pre-state, recording what it reads: the witness, the
/// pre-state root, and the artifacts the block built.
fn record(pre: &MemoryDb, block: &Block) -> Result<(Witness, B256, ArtifactCache), StatelessError> {
    let (whole, pre_state_root) = whole_state(pre);
    let mut state = WitnessState::new(&whole, pre_state_root);
    state.record();
    let mut cache = ArtifactCache::default();
    let applied = apply_block(&mut state, block, EngineKind::Wasmi, &mut cache);
    if let Some(e) = state.take_error() {
        return Err(e);
    }
    applied.map_err(|e| StatelessError::Block(alloc::boxed::Box::new(e)))?;

    let (nodes, recorded) = state.recorded();
    let codes_by_hash: BTreeMap<B256, &Bytes> = whole.codes.iter().map(|c| (keccak256(c), c)).collect();
    let constants_by_hash: BTreeMap<B256, &(B256, Bytes)> = whole
        .constants
        .iter()
        .map(|pair| {
            let info =
                crate::platform::AccountInfo { code_hash: pair.0, constants: pair.1.clone(), ..Default::default() };
            (committed_code_hash(&info), pair)
        })
        .collect();
    let mut keys: Vec<Bytes> = recorded.addresses.iter().map(|a| Bytes::copy_from_slice(a.as_slice())).collect();
    keys.extend(recorded.slots.iter().map(|s| Bytes::copy_from_slice(s.as_slice())));
    let witness = Witness {
        state: nodes,
        codes: recorded.codes.iter().filter_map(|h| codes_by_hash.get(h).map(|c| (*c).clone())).collect(),
        keys,
        constants: recorded.constants.iter().filter_map(|h| constants_by_hash.get(h).map(|p| (*p).clone())).collect(),
    };

    Ok((witness, pre_state_root, cache))
}

/// The witness of `block` over `pre` (what `debug_executionWitness` returns): the trie
/// nodes, codes and keys a stateless run of the block reads. Unlike
/// [`KernelInput::for_block`], the transactions need no encoding: they run as given.
pub fn of_block(pre: &MemoryDb, block: &Block) -> Result<Witness, StatelessError> {
    record(pre, block).map(|(witness, _, _)| witness)
}
