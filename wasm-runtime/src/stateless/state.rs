//! [`WitnessState`]: the pre-state of a block read through its witness, every read proven
//! against the pre-state root, and the block's diff applied to the partial tries.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use alloy_rlp::{Decodable, Header};
use alloy_trie::TrieAccount;

use super::error::{TrieFault, TrieId};
use super::trie::{NodeDb, PartialTrie};
use super::{StatelessError, Witness};
use crate::block::roots::{committed_code_hash, EMPTY_TRIE_ROOT};
use crate::block::{AccountDiff, CommitState, StateDiff};
use crate::platform::{AccountInfo, Platform};
use crate::primitives::{keccak256, Address, Bytes, B256, KECCAK_EMPTY, U256};

/// What a host run records to build a minimal witness.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recorder {
    /// Code hashes of the codes read.
    pub(crate) codes: BTreeSet<B256>,
    /// Committed code hashes of the envelope accounts read (code hash and constants).
    pub(crate) constants: BTreeSet<B256>,
    /// Addresses read.
    pub(crate) addresses: BTreeSet<Address>,
    /// Storage slots read.
    pub(crate) slots: BTreeSet<B256>,
}

/// A [`CommitState`] over a witness: reads are proven against the pre-state root through
/// the partial account and storage tries, codes are found by keccak256 among the witness
/// codes, [`CommitState::commit`] applies a diff to the partial tries and
/// [`CommitState::state_root`] recomputes the root.
///
/// [`Platform`]'s methods cannot fail: the first fault (a missing or bad node, a missing
/// code) is kept ([`Self::error`]), the read returns a default, and later reads return
/// defaults too; the run must then be failed with that error.
#[derive(Clone, Debug)]
pub struct WitnessState {
    db: NodeDb,
    accounts: PartialTrie,
    storage: BTreeMap<Address, PartialTrie>,
    codes: BTreeMap<B256, Bytes>,
    /// Committed code hash -> (code hash, constants), for envelope accounts.
    constants: BTreeMap<B256, (B256, Bytes)>,
    error: Option<StatelessError>,
    recorder: Option<Recorder>,
}

/// An account leaf, decoded.
struct Leaf {
    info: AccountInfo,
    storage_root: B256,
}

impl WitnessState {
    /// The state committed to by `pre_state_root`, read through `witness`.
    pub fn new(witness: &Witness, pre_state_root: B256) -> Self {
        let codes = witness.codes.iter().map(|c| (keccak256(c), c.clone())).collect();
        let constants = witness
            .constants
            .iter()
            .map(|(code_hash, constants)| {
                let info =
                    AccountInfo { code_hash: *code_hash, constants: constants.clone(), ..AccountInfo::default() };
                (committed_code_hash(&info), (*code_hash, constants.clone()))
            })
            .collect();
        Self {
            db: NodeDb::new(&witness.state),
            accounts: PartialTrie::new(pre_state_root),
            storage: BTreeMap::new(),
            codes,
            constants,
            error: None,
            recorder: None,
        }
    }

    /// Records from now on what is read (nodes, codes, keys): the host builds the minimal
    /// witness from it.
    pub(crate) fn record(&mut self) {
        self.db.record();
        self.recorder = Some(Recorder::default());
    }

    /// The nodes read and what was recorded.
    pub(crate) fn recorded(&self) -> (Vec<Bytes>, Recorder) {
        (self.db.recorded_nodes(), self.recorder.clone().unwrap_or_default())
    }

    /// The first fault met, if any: the run that used this state must fail with it.
    pub fn error(&self) -> Option<&StatelessError> {
        self.error.as_ref()
    }

    /// Takes the first fault met.
    pub fn take_error(&mut self) -> Option<StatelessError> {
        self.error.take()
    }

    fn fail(&mut self, error: StatelessError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    fn leaf(&mut self, address: &Address) -> Result<Option<Leaf>, StatelessError> {
        if let Some(r) = &mut self.recorder {
            r.addresses.insert(*address);
        }
        let key = keccak256(address);
        let Some(rlp) = self.accounts.get(&mut self.db, &key).map_err(|e| StatelessError::trie(TrieId::Accounts, e))?
        else {
            return Ok(None);
        };
        let bad = |reason| StatelessError::BadAccount { address: *address, reason };
        let account = decode_account(&rlp).map_err(bad)?;
        let mut info = AccountInfo::with_balance(account.balance, account.nonce);
        let committed = account.code_hash;
        if committed != KECCAK_EMPTY {
            let (code_hash, constants) = match self.codes.get(&committed) {
                Some(_) => (committed, Bytes::new()),
                None => match self.constants.get(&committed) {
                    Some((code_hash, constants)) => {
                        if let Some(r) = &mut self.recorder {
                            r.constants.insert(committed);
                        }
                        (*code_hash, constants.clone())
                    }
                    None => return Err(StatelessError::MissingCode { address: *address, code_hash: committed }),
                },
            };
            let Some(code) = self.codes.get(&code_hash) else {
                return Err(StatelessError::MissingCode { address: *address, code_hash });
            };
            if let Some(r) = &mut self.recorder {
                r.codes.insert(code_hash);
            }
            info.code = code.clone();
            info.code_hash = code_hash;
            info.constants = constants;
        }
        Ok(Some(Leaf { info, storage_root: account.storage_root }))
    }

    /// Opens the storage trie of `address` at the storage root of its leaf (once).
    fn open_storage(&mut self, address: &Address) -> Result<(), StatelessError> {
        if !self.storage.contains_key(address) {
            let root = self.leaf(address)?.map_or(EMPTY_TRIE_ROOT, |l| l.storage_root);
            self.storage.insert(*address, PartialTrie::new(root));
        }
        Ok(())
    }

    fn read_storage(&mut self, address: &Address, key: &U256) -> Result<U256, StatelessError> {
        let slot = keccak256(key.to_be_bytes::<32>());
        if let Some(r) = &mut self.recorder {
            r.slots.insert(B256::from(key.to_be_bytes::<32>()));
        }
        self.open_storage(address)?;
        let trie = self.storage.entry(*address).or_default();
        let db = &mut self.db;
        let fault = |e: TrieFault| StatelessError::trie(TrieId::Storage(*address), e);
        match trie.get(db, &slot).map_err(fault)? {
            None => Ok(U256::ZERO),
            Some(rlp) => decode_value(&rlp).ok_or(StatelessError::BadStorageValue { address: *address }),
        }
    }

    fn commit_account(&mut self, address: &Address, diff: &AccountDiff) -> Result<(), StatelessError> {
        let storage_root = if diff.storage_cleared && diff.storage.is_empty() {
            self.storage.insert(*address, PartialTrie::default());
            EMPTY_TRIE_ROOT
        } else {
            if diff.storage_cleared {
                self.storage.insert(*address, PartialTrie::default());
            } else {
                self.open_storage(address)?;
            }
            let trie = self.storage.entry(*address).or_default();
            let db = &mut self.db;
            let fault = |e: TrieFault| StatelessError::trie(TrieId::Storage(*address), e);
            for (key, value) in &diff.storage {
                let slot = keccak256(key.to_be_bytes::<32>());
                if value.is_zero() {
                    trie.remove(db, &slot).map_err(fault)?;
                } else {
                    trie.insert(db, &slot, alloy_rlp::encode(value)).map_err(fault)?;
                }
            }
            trie.root()
        };
        let leaf = TrieAccount::new(diff.info.nonce, diff.info.balance, storage_root, committed_code_hash(&diff.info));
        let key = keccak256(address);
        self.accounts
            .insert(&mut self.db, &key, alloy_rlp::encode(leaf))
            .map_err(|e| StatelessError::trie(TrieId::Accounts, e))
    }

    fn apply(&mut self, diff: &StateDiff) -> Result<(), StatelessError> {
        for (address, change) in &diff.accounts {
            match change {
                None => {
                    self.storage.remove(address);
                    let key = keccak256(address);
                    self.accounts.remove(&mut self.db, &key).map_err(|e| StatelessError::trie(TrieId::Accounts, e))?;
                }
                Some(account) => self.commit_account(address, account)?,
            }
        }
        Ok(())
    }
}

/// Decodes an account leaf `rlp([nonce, balance, storage_root, code_hash])`.
fn decode_account(rlp: &[u8]) -> Result<TrieAccount, &'static str> {
    let mut buf = rlp;
    let header = Header::decode(&mut buf).map_err(|_| "malformed RLP")?;
    if !header.list || header.payload_length != buf.len() {
        return Err("not one RLP list");
    }
    let nonce = u64::decode(&mut buf).map_err(|_| "a malformed nonce")?;
    let balance = U256::decode(&mut buf).map_err(|_| "a malformed balance")?;
    let storage_root = B256::decode(&mut buf).map_err(|_| "a malformed storage root")?;
    let code_hash = B256::decode(&mut buf).map_err(|_| "a malformed code hash")?;
    if !buf.is_empty() {
        return Err("more than four fields");
    }
    Ok(TrieAccount { nonce, balance, storage_root, code_hash })
}

/// Decodes a storage leaf: the RLP of a non-zero 256-bit value.
fn decode_value(rlp: &[u8]) -> Option<U256> {
    let mut buf = rlp;
    let value = U256::decode(&mut buf).ok()?;
    (buf.is_empty() && !value.is_zero()).then_some(value)
}

impl Platform for WitnessState {
    fn account(&mut self, address: &Address) -> Option<AccountInfo> {
        if self.error.is_some() {
            return None;
        }
        match self.leaf(address) {
            Ok(leaf) => leaf.map(|l| l.info),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    fn storage(&mut self, address: &Address, key: &U256) -> U256 {
        if self.error.is_some() {
            return U256::ZERO;
        }
        self.read_storage(address, key).unwrap_or_else(|e| {
            self.fail(e);
            U256::ZERO
        })
    }

    fn has_storage(&mut self, address: &Address) -> bool {
        if self.error.is_some() {
            return false;
        }
        match self.leaf(address) {
            Ok(leaf) => leaf.is_some_and(|l| l.storage_root != EMPTY_TRIE_ROOT),
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }
}

impl CommitState for WitnessState {
    fn commit(&mut self, diff: &StateDiff) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.apply(diff) {
            self.fail(e);
        }
    }

    fn state_root(&mut self) -> B256 {
        self.accounts.root()
    }
}
