//! The partial trie against alloy-trie's `HashBuilder` on random tries, the witness state
//! against [`roots::state_root`] on random states and diffs, the kernel input's encoding on
//! bad bytes, and whole blocks run statelessly against [`host_record`].

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use alloy_trie::{HashBuilder, Nibbles};

use super::error::TrieFault;
use super::trie::{NodeDb, PartialTrie};
use super::*;
use crate::block::{AccountDiff, CommitState, StateDiff};
use crate::platform::{AccountInfo, Platform};
use crate::primitives::U256;

mod blocks;

/// A small seeded generator (xorshift64*): tests are reproducible.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub(super) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    pub(super) fn b256(&mut self) -> B256 {
        B256::from_slice(&self.bytes(32))
    }
}

/// The root alloy-trie computes for `leaves`.
fn reference_root(leaves: &BTreeMap<B256, Vec<u8>>) -> B256 {
    if leaves.is_empty() {
        return roots::EMPTY_TRIE_ROOT;
    }
    let mut builder = HashBuilder::default();
    for (key, value) in leaves {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    builder.root()
}

/// A random key: half of them share a 31-byte prefix with others (deep branches, short
/// leaves that are inlined in their parent).
fn key(rng: &mut Rng, cluster: &B256) -> B256 {
    match rng.below(3) {
        0 => rng.b256(),
        1 => {
            let mut k = *cluster;
            k.0[31] = rng.next() as u8;
            k
        }
        _ => {
            let mut k = *cluster;
            k.0[30] = rng.next() as u8 & 0x3;
            k.0[31] = rng.next() as u8 & 0x1f;
            k
        }
    }
}

/// A random value, short ones included (1 to 40 bytes).
fn value(rng: &mut Rng) -> Vec<u8> {
    let n = 1 + rng.below(40) as usize;
    rng.bytes(n)
}

enum Op {
    Get(B256),
    Insert(B256, Vec<u8>),
    Remove(B256),
}

/// Random operations on `map` (applied to it as they are drawn): inserts of new keys,
/// updates, deletes of present and absent keys, reads.
fn random_ops(rng: &mut Rng, map: &mut BTreeMap<B256, Vec<u8>>, cluster: &B256, n: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    for _ in 0..n {
        let present: Option<B256> = match map.len() {
            0 => None,
            len => map.keys().nth(rng.below(len as u64) as usize).copied(),
        };
        let op = match (rng.below(6), present) {
            (0 | 1, Some(k)) => Op::Remove(k),
            (2, Some(k)) => Op::Insert(k, value(rng)),
            (3, k) => Op::Get(k.unwrap_or_else(|| key(rng, cluster))),
            (4, _) => Op::Remove(key(rng, cluster)),
            _ => Op::Insert(key(rng, cluster), value(rng)),
        };
        match &op {
            Op::Insert(k, v) => {
                map.insert(*k, v.clone());
            }
            Op::Remove(k) => {
                map.remove(k);
            }
            Op::Get(_) => {}
        }
        ops.push(op);
    }
    ops
}

/// Runs `ops`, checking every read against `expected` (the map before the ops, updated).
fn replay(
    trie: &mut PartialTrie,
    db: &mut NodeDb,
    ops: &[Op],
    expected: &mut BTreeMap<B256, Vec<u8>>,
) -> Result<(), TrieFault> {
    for op in ops {
        match op {
            Op::Get(k) => assert_eq!(trie.get(db, k)?, expected.get(k).cloned()),
            Op::Insert(k, v) => {
                trie.insert(db, k, v.clone())?;
                expected.insert(*k, v.clone());
            }
            Op::Remove(k) => {
                trie.remove(db, k)?;
                expected.remove(k);
            }
        }
    }
    Ok(())
}

fn in_memory(map: &BTreeMap<B256, Vec<u8>>) -> PartialTrie {
    let mut trie = PartialTrie::default();
    for (k, v) in map {
        trie.insert(&mut NodeDb::default(), k, v.clone()).expect("in memory");
    }
    trie
}

#[test]
fn in_memory_trie_matches_hash_builder_under_random_updates() {
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        let cluster = rng.b256();
        let mut map = BTreeMap::new();
        let mut trie = PartialTrie::default();
        let mut db = NodeDb::default();
        for round in 0..8 {
            let before = map.clone();
            let ops = random_ops(&mut rng, &mut map, &cluster, 40);
            let mut expected = before;
            replay(&mut trie, &mut db, &ops, &mut expected).expect("an in-memory trie needs no witness");
            assert_eq!(expected, map);
            assert_eq!(trie.root(), reference_root(&map), "seed {seed} round {round}, {} keys", map.len());
        }
        // Deleting every key collapses the trie back to empty.
        for k in map.keys() {
            trie.remove(&mut db, k).unwrap();
        }
        assert_eq!(trie.root(), roots::EMPTY_TRIE_ROOT);
    }
}

#[test]
fn partial_trie_runs_on_the_nodes_it_recorded_and_names_each_missing_one() {
    for seed in 0..12 {
        let mut rng = Rng::new(100 + seed);
        let cluster = rng.b256();
        let mut map = BTreeMap::new();
        for _ in 0..200 {
            map.insert(key(&mut rng, &cluster), value(&mut rng));
        }
        let pre = map.clone();
        let mut full = in_memory(&pre);
        let root = full.root();
        assert_eq!(root, reference_root(&pre));
        let mut all = NodeDb::default();
        full.export(&mut all);

        // Over every node, recording.
        let ops = random_ops(&mut rng, &mut map, &cluster, 30);
        all.record();
        let mut trie = PartialTrie::new(root);
        replay(&mut trie, &mut all, &ops, &mut pre.clone()).expect("the whole trie is there");
        let post_root = trie.root();
        assert_eq!(post_root, reference_root(&map), "seed {seed}");
        let recorded = all.recorded_nodes();
        assert!(recorded.len() < all.len() / 2, "{} of {} nodes", recorded.len(), all.len());

        // Over the recorded nodes only: the same results.
        let mut witness = NodeDb::new(&recorded);
        let mut trie = PartialTrie::new(root);
        replay(&mut trie, &mut witness, &ops, &mut pre.clone()).expect("the recorded nodes suffice");
        assert_eq!(trie.root(), post_root);

        // Without any one of them: that node is reported missing.
        for dropped in recorded.iter().step_by(3) {
            let rest: Vec<Bytes> = recorded.iter().filter(|n| *n != dropped).cloned().collect();
            let mut witness = NodeDb::new(&rest);
            let mut trie = PartialTrie::new(root);
            match replay(&mut trie, &mut witness, &ops, &mut pre.clone()) {
                Err(TrieFault::Missing { hash, .. }) => assert_eq!(hash, keccak256(dropped)),
                other => panic!("seed {seed}: expected the dropped node to be missing, got {other:?}"),
            }
        }
    }
}

/// Two leaves under the root branch: deleting one merges the branch with the other, whose
/// node a proof of the first alone does not hold.
#[test]
fn a_collapsing_delete_needs_the_remaining_sibling() {
    let a = B256::repeat_byte(0x11);
    let b = B256::repeat_byte(0x22);
    let c = B256::repeat_byte(0x23);
    let map = BTreeMap::from([(a, vec![1u8; 40]), (b, vec![2u8; 40]), (c, vec![3u8; 40])]);
    let mut full = in_memory(&map);
    let root = full.root();
    let mut all = NodeDb::default();
    full.export(&mut all);
    all.record();
    let mut trie = PartialTrie::new(root);
    assert_eq!(trie.get(&mut all, &a).unwrap(), Some(vec![1u8; 40]));
    // Absent: proven by the branch's empty slot 3.
    assert_eq!(trie.get(&mut all, &B256::repeat_byte(0x33)).unwrap(), None);
    let proof = all.recorded_nodes();
    assert_eq!(proof.len(), 2, "the root branch and a's leaf");

    // Deleting a leaves the root branch with slot 2 only: it merges with that subtree.
    let mut trie = PartialTrie::new(root);
    let mut witness = NodeDb::new(&proof);
    let error = trie.remove(&mut witness, &a).unwrap_err();
    let mut under_two = in_memory(&BTreeMap::from([(b, vec![2u8; 40]), (c, vec![3u8; 40])]));
    let mut expected_nodes = NodeDb::default();
    under_two.export(&mut expected_nodes);
    let TrieFault::Missing { hash, path } = &error else { panic!("{error:?}") };
    assert_eq!(path, &vec![2u8]);
    assert!(expected_nodes.into_nodes().iter().any(|n| keccak256(n) == *hash), "the sibling at slot 2");
    let message = StatelessError::trie(TrieId::Accounts, error.clone()).to_string();
    assert!(
        message.starts_with(&alloc::format!("missing witness node {hash} at path 0x2 in the account trie")),
        "{message}"
    );

    // With the sibling's node the delete goes through and the root is right.
    let mut all = NodeDb::default();
    full.export(&mut all);
    let mut trie = PartialTrie::new(root);
    trie.remove(&mut all, &a).unwrap();
    assert_eq!(trie.root(), reference_root(&BTreeMap::from([(b, vec![2u8; 40]), (c, vec![3u8; 40])])));
}

#[test]
fn node_decoding_refuses_garbage_without_panicking() {
    let mut rng = Rng::new(7);
    let cluster = rng.b256();
    let mut map = BTreeMap::new();
    for _ in 0..64 {
        map.insert(key(&mut rng, &cluster), value(&mut rng));
    }
    let mut all = NodeDb::default();
    in_memory(&map).export(&mut all);
    let nodes = all.into_nodes();
    for node in &nodes {
        for depth in 0..=64 {
            let _ = super::node::decode(node, depth);
        }
        for cut in 0..node.len() {
            assert!(super::node::decode(&node[..cut], 64).is_err());
        }
        for _ in 0..20 {
            let mut bad = node.to_vec();
            let i = rng.below(bad.len() as u64) as usize;
            bad[i] ^= 1 << rng.below(8);
            let _ = super::node::decode(&bad, 64);
        }
    }
    for _ in 0..2000 {
        let n = rng.below(80) as usize;
        let mut bytes = rng.bytes(n);
        if let Some(first) = bytes.first_mut() {
            *first |= 0xc0;
        }
        let _ = super::node::decode(&bytes, rng.below(65) as usize);
    }
}

/// A random state: accounts with balances, some with code, storage and constants.
pub(super) fn random_state(rng: &mut Rng, accounts: usize) -> MemoryDb {
    let mut db = MemoryDb::default();
    for i in 0..accounts {
        let address = Address::from_slice(&rng.bytes(20));
        let mut info = AccountInfo::with_balance(U256::from(rng.next()), rng.below(5));
        if i % 3 == 0 {
            let n = 1 + rng.below(60) as usize;
            info.set_code(Bytes::from(rng.bytes(n)));
            if i % 9 == 0 {
                info.constants = Bytes::from(rng.bytes(12));
            }
        }
        let mut storage = BTreeMap::new();
        if i % 2 == 0 {
            for _ in 0..rng.below(12) {
                storage.insert(U256::from(rng.below(40)), U256::from(1 + rng.below(1 << 40)));
            }
        }
        db.insert(address, info, storage);
    }
    db
}

/// A random diff of `db`: accounts deleted, storage wiped, slots written and zeroed, new
/// accounts.
fn random_diff(rng: &mut Rng, db: &MemoryDb) -> StateDiff {
    let mut diff = StateDiff::default();
    for (address, account) in &db.accounts {
        let change = match rng.below(6) {
            0 => None,
            1 | 2 => {
                let mut info = account.info.clone();
                info.balance = U256::from(rng.next());
                let storage_cleared = rng.below(4) == 0;
                let mut storage = BTreeMap::new();
                for slot in account.storage.keys() {
                    if rng.below(2) == 0 {
                        storage.insert(*slot, if rng.below(2) == 0 { U256::ZERO } else { U256::from(rng.next()) });
                    }
                }
                for _ in 0..rng.below(3) {
                    storage.insert(U256::from(100 + rng.below(10)), U256::from(rng.below(3)));
                }
                Some(AccountDiff { info, storage, storage_cleared })
            }
            _ => continue,
        };
        diff.accounts.insert(*address, change);
    }
    for _ in 0..3 {
        let address = Address::from_slice(&rng.bytes(20));
        let info = AccountInfo::with_balance(U256::from(1 + rng.below(100)), 0);
        let storage = BTreeMap::from([(U256::from(1), U256::from(rng.below(2)))]);
        diff.accounts.insert(address, Some(AccountDiff { info, storage, storage_cleared: false }));
    }
    diff
}

#[test]
fn witness_state_reads_and_commits_as_memory_db() {
    for seed in 0..6 {
        let mut rng = Rng::new(1000 + seed);
        let mut db = random_state(&mut rng, 60);
        let (whole, root) = witness::whole_state(&db);
        assert_eq!(root, roots::state_root(&db));
        let mut state = WitnessState::new(&whole, root);
        for (address, account) in db.accounts.clone() {
            assert_eq!(state.account(&address), Some(account.info.clone()));
            assert_eq!(state.has_storage(&address), !account.storage.is_empty());
            for slot in 0..45 {
                let slot = U256::from(slot);
                assert_eq!(state.storage(&address, &slot), account.storage.get(&slot).copied().unwrap_or_default());
            }
        }
        assert_eq!(state.account(&Address::repeat_byte(0xfe)), None);
        let diff = random_diff(&mut rng, &db);
        state.commit(&diff);
        db.apply(&diff);
        assert!(state.error().is_none(), "{:?}", state.error());
        assert_eq!(state.state_root(), roots::state_root(&db), "seed {seed}");
    }
}

#[test]
fn witness_state_records_the_first_fault_and_returns_defaults() {
    let mut rng = Rng::new(5);
    let db = random_state(&mut rng, 30);
    let (mut whole, root) = witness::whole_state(&db);
    let (address, account) =
        db.accounts.iter().find(|(_, a)| !a.info.code.is_empty() && a.info.constants.is_empty()).unwrap();
    whole.codes.retain(|c| *c != account.info.code);
    let mut state = WitnessState::new(&whole, root);
    assert_eq!(state.account(address), None);
    let expected = StatelessError::MissingCode { address: *address, code_hash: account.info.code_hash };
    assert_eq!(state.error(), Some(&expected));
    // Later reads return defaults and keep the first fault.
    let other = db.accounts.keys().find(|a| *a != address).unwrap();
    assert_eq!(state.account(other), None);
    assert_eq!(state.error(), Some(&expected));
    assert_eq!(
        expected.to_string(),
        alloc::format!("missing witness code {} of account {address}", account.info.code_hash)
    );
}

#[test]
fn public_output_round_trips_and_refuses_other_lengths() {
    let out = PublicOutput {
        pre_state_root: B256::repeat_byte(1),
        post_state_root: B256::repeat_byte(2),
        pre_artifact_root: B256::repeat_byte(3),
        post_artifact_root: B256::repeat_byte(4),
        receipts_root: B256::repeat_byte(5),
        logs_hash: B256::repeat_byte(6),
        gas_used: 0x0102_0304,
        tx_count: 7,
        pubdata_hash: B256::repeat_byte(8),
    };
    let bytes = out.encode();
    assert_eq!(bytes.len(), PublicOutput::SIZE);
    assert_eq!(&bytes[192..208], &[0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 7]);
    assert_eq!(PublicOutput::decode(&bytes), Ok(out));
    assert!(PublicOutput::decode(&bytes[..239]).is_err());
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(PublicOutput::decode(&long), Err(StatelessError::Decode { offset: 240, what: "the end of the input" }));
}
