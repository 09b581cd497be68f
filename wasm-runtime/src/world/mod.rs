//! The world state as the system layer sees it during a block: accounts loaded on demand
//! from the [`Platform`], storage, transient storage (EIP-1153), logs, EIP-2929 warm sets,
//! the refund counter, the journal that lets a frame be reverted, and EIP-7702 delegation
//! designators.

mod delegation;
mod journal;

use alloc::boxed::Box;
use alloc::vec::Vec;
use hashbrown::{HashMap, HashSet};

pub use delegation::{delegated_address, delegation_code, DELEGATION_CODE_LEN, DELEGATION_MARKER};
pub use journal::Checkpoint;
use journal::Entry;

use crate::block::{AccountDiff, StateDiff};
use crate::platform::{AccountInfo, Platform};
use crate::primitives::{Address, Bytes, Log, B256, KECCAK_EMPTY, U256};

/// A storage slot with the values EIP-2200 and the block diff need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Current value.
    pub present: U256,
    /// Value at the start of the transaction (EIP-2200's "original").
    pub tx_original: U256,
}

/// An account as cached during a block.
#[derive(Clone, Debug, Default)]
pub(crate) struct Account {
    pub info: AccountInfo,
    /// Whether the account exists in the state.
    pub exists: bool,
    /// Cached slots.
    pub storage: HashMap<U256, Slot>,
    /// Storage older than this block's re-creation of the account is gone: unknown slots
    /// read as zero instead of from the platform.
    pub storage_cleared: bool,
    /// Created in the current transaction (EIP-6780).
    pub created_in_tx: bool,
    /// Self-destructed in the current transaction.
    pub selfdestructed: bool,
    /// Touched in the current transaction (EIP-161).
    pub touched: bool,
}

/// The world state of a block in progress.
pub struct World<P: Platform> {
    platform: P,
    accounts: HashMap<Address, Account>,
    /// Accounts as they were before the block, for the diff.
    originals: HashMap<Address, Option<AccountInfo>>,
    /// Slot values before the block, for the diff.
    slot_originals: HashMap<(Address, U256), U256>,
    journal: Vec<Entry>,
    warm_accounts: HashSet<Address>,
    warm_slots: HashSet<(Address, U256)>,
    transient: HashMap<(Address, U256), U256>,
    logs: Vec<Log>,
    refund: i64,
    /// The first account whose balance an addition would have taken past 2^256 − 1 wei.
    balance_overflow: Option<Address>,
}

impl<P: Platform> World<P> {
    /// A world over a platform's pre-state.
    pub fn new(platform: P) -> Self {
        Self {
            platform,
            accounts: HashMap::new(),
            originals: HashMap::new(),
            slot_originals: HashMap::new(),
            journal: Vec::new(),
            warm_accounts: HashSet::new(),
            warm_slots: HashSet::new(),
            transient: HashMap::new(),
            logs: Vec::new(),
            refund: 0,
            balance_overflow: None,
        }
    }

    /// The platform.
    pub fn platform(&mut self) -> &mut P {
        &mut self.platform
    }

    pub(crate) fn account_mut(&mut self, address: Address) -> &mut Account {
        let platform = &mut self.platform;
        let originals = &mut self.originals;
        self.accounts.entry(address).or_insert_with(|| {
            let info = platform.account(&address);
            originals.insert(address, info.clone());
            Account { exists: info.is_some(), info: info.unwrap_or_default(), ..Account::default() }
        })
    }

    /// The account's info (default for an absent account).
    pub fn info(&mut self, address: Address) -> &AccountInfo {
        &self.account_mut(address).info
    }

    /// Whether the account exists.
    pub fn exists(&mut self, address: Address) -> bool {
        self.account_mut(address).exists
    }

    /// Dead per EIP-161: absent, or empty.
    pub fn is_dead(&mut self, address: Address) -> bool {
        let acc = self.account_mut(address);
        !acc.exists || acc.info.is_empty()
    }

    /// Balance.
    pub fn balance(&mut self, address: Address) -> U256 {
        self.account_mut(address).info.balance
    }

    /// Code hash as EXTCODEHASH sees it: zero for dead accounts.
    pub fn code_hash(&mut self, address: Address) -> B256 {
        if self.is_dead(address) {
            B256::ZERO
        } else {
            self.account_mut(address).info.code_hash
        }
    }

    /// Creates the account if absent and marks it touched (EIP-161).
    pub fn touch(&mut self, address: Address) {
        let acc = self.account_mut(address);
        if !acc.touched {
            let existed = acc.exists;
            acc.touched = true;
            acc.exists = true;
            self.journal.push(Entry::Touched { address, existed });
        }
    }

    /// Sets the balance.
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        self.touch(address);
        let acc = self.account_mut(address);
        let old = core::mem::replace(&mut acc.info.balance, balance);
        self.journal.push(Entry::Balance { address, old });
    }

    /// Moves `value` from one account to another; false if `from` cannot pay. A balance
    /// that would pass 2^256 − 1 is left as it was and recorded ([`Self::balance_overflow`]).
    pub fn transfer(&mut self, from: Address, to: Address, value: U256) -> bool {
        let from_balance = self.balance(from);
        if from_balance < value {
            return false;
        }
        self.set_balance(from, from_balance - value);
        self.credit(to, value);
        true
    }

    /// Adds `amount` to a balance. A balance that would pass 2^256 − 1 wei is left as it
    /// was and the account recorded: no state can hold it (the execution specification
    /// stops with an overflow error), so the block cannot be applied
    /// ([`Self::balance_overflow`]).
    pub fn credit(&mut self, address: Address, amount: U256) {
        let balance = self.balance(address);
        match balance.checked_add(amount) {
            Some(sum) => self.set_balance(address, sum),
            None => {
                self.touch(address);
                self.balance_overflow.get_or_insert(address);
            }
        }
    }

    /// The first account whose balance a credit would have taken past 2^256 − 1 wei; once
    /// set, the block cannot be applied. Reverting a frame does not clear it.
    pub fn balance_overflow(&self) -> Option<Address> {
        self.balance_overflow
    }

    /// Sets the nonce.
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.touch(address);
        let acc = self.account_mut(address);
        let old = core::mem::replace(&mut acc.info.nonce, nonce);
        self.journal.push(Entry::Nonce { address, old });
    }

    /// Sets code (whose keccak256 the caller has computed already) and constants.
    pub fn set_code(&mut self, address: Address, code: Bytes, code_hash: B256, constants: Bytes) {
        debug_assert_eq!(code_hash, crate::primitives::keccak256(&code), "the hash of the code");
        let acc = self.account_mut(address);
        let old_code = core::mem::replace(&mut acc.info.code, code);
        let old_constants = core::mem::replace(&mut acc.info.constants, constants);
        let old_hash = core::mem::replace(&mut acc.info.code_hash, code_hash);
        self.journal.push(Entry::Code { address, code: old_code, code_hash: old_hash, constants: old_constants });
    }

    /// Starts a new account at `address` (CREATE/CREATE2): nonce 1, the old balance kept,
    /// storage cleared, marked as created in this transaction.
    pub fn create_account(&mut self, address: Address) {
        let acc = self.account_mut(address);
        let old = Box::new(acc.clone());
        let balance = acc.info.balance;
        *acc = Account {
            info: AccountInfo { nonce: 1, balance, ..AccountInfo::default() },
            exists: true,
            storage: HashMap::new(),
            storage_cleared: true,
            created_in_tx: true,
            selfdestructed: false,
            touched: true,
        };
        self.journal.push(Entry::Created { address, old });
    }

    /// Whether CREATE at `address` collides with an existing account (nonce or code or
    /// storage, EIP-684 and EIP-7610).
    pub fn create_collides(&mut self, address: Address) -> bool {
        let acc = self.account_mut(address);
        if acc.info.nonce != 0 || acc.info.code_hash != KECCAK_EMPTY {
            return true;
        }
        if acc.storage.values().any(|s| !s.present.is_zero()) {
            return true;
        }
        !acc.storage_cleared && self.platform.has_storage(&address)
    }

    fn slot_mut(&mut self, address: Address, key: U256) -> &mut Slot {
        let acc = self.account_mut(address);
        let cleared = acc.storage_cleared;
        if !acc.storage.contains_key(&key) {
            let value = if cleared { U256::ZERO } else { self.platform.storage(&address, &key) };
            self.slot_originals.entry((address, key)).or_insert(value);
            let acc = self.accounts.get_mut(&address).expect("account loaded above");
            acc.storage.insert(key, Slot { present: value, tx_original: value });
        }
        self.accounts.get_mut(&address).and_then(|a| a.storage.get_mut(&key)).expect("slot inserted above")
    }

    /// Current and transaction-original value of a slot.
    pub fn storage(&mut self, address: Address, key: U256) -> (U256, U256) {
        let slot = self.slot_mut(address, key);
        (slot.present, slot.tx_original)
    }

    /// Writes a slot.
    pub fn set_storage(&mut self, address: Address, key: U256, value: U256) {
        let slot = self.slot_mut(address, key);
        let old = core::mem::replace(&mut slot.present, value);
        self.journal.push(Entry::Storage { address, key, old });
    }

    /// Reads transient storage.
    pub fn transient(&self, address: Address, key: U256) -> U256 {
        self.transient.get(&(address, key)).copied().unwrap_or(U256::ZERO)
    }

    /// Writes transient storage.
    pub fn set_transient(&mut self, address: Address, key: U256, value: U256) {
        let old = self.transient.insert((address, key), value).unwrap_or(U256::ZERO);
        self.journal.push(Entry::Transient { address, key, old });
    }

    /// Marks an address warm; returns whether it was cold.
    pub fn warm_account(&mut self, address: Address) -> bool {
        let cold = self.warm_accounts.insert(address);
        if cold {
            self.journal.push(Entry::WarmAccount { address });
        }
        cold
    }

    /// Marks a slot warm; returns whether it was cold.
    pub fn warm_slot(&mut self, address: Address, key: U256) -> bool {
        let cold = self.warm_slots.insert((address, key));
        if cold {
            self.journal.push(Entry::WarmSlot { address, key });
        }
        cold
    }

    /// Adds to the refund counter (may be negative, EIP-2200).
    pub fn add_refund(&mut self, delta: i64) {
        let old = self.refund;
        self.refund += delta;
        self.journal.push(Entry::Refund { old });
    }

    /// The refund counter.
    pub fn refund(&self) -> i64 {
        self.refund
    }

    /// Appends a log.
    pub fn log(&mut self, log: Log) {
        self.logs.push(log);
    }

    /// Whether the account was created in this transaction.
    pub fn created_in_tx(&mut self, address: Address) -> bool {
        self.account_mut(address).created_in_tx
    }

    /// Marks the account self-destructed (EIP-6780: only effective for accounts created in
    /// this transaction; the caller checks).
    pub fn mark_selfdestructed(&mut self, address: Address) {
        let acc = self.account_mut(address);
        if !acc.selfdestructed {
            acc.selfdestructed = true;
            self.journal.push(Entry::SelfDestructed { address });
        }
    }

    /// A point to revert to.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint { journal: self.journal.len(), logs: self.logs.len() }
    }

    /// Undoes every change since the checkpoint.
    pub fn revert_to(&mut self, cp: Checkpoint) {
        while self.journal.len() > cp.journal {
            let Some(entry) = self.journal.pop() else { break };
            self.undo(entry);
        }
        self.logs.truncate(cp.logs);
    }

    fn undo(&mut self, entry: Entry) {
        match entry {
            Entry::Touched { address, existed } => {
                if let Some(acc) = self.accounts.get_mut(&address) {
                    acc.touched = false;
                    acc.exists = existed;
                }
            }
            Entry::Balance { address, old } => {
                if let Some(acc) = self.accounts.get_mut(&address) {
                    acc.info.balance = old;
                }
            }
            Entry::Nonce { address, old } => {
                if let Some(acc) = self.accounts.get_mut(&address) {
                    acc.info.nonce = old;
                }
            }
            Entry::Storage { address, key, old } => {
                if let Some(slot) = self.accounts.get_mut(&address).and_then(|a| a.storage.get_mut(&key)) {
                    slot.present = old;
                }
            }
            Entry::Transient { address, key, old } => {
                self.transient.insert((address, key), old);
            }
            Entry::Created { address, old } => {
                self.accounts.insert(address, *old);
            }
            Entry::Code { address, code, code_hash, constants } => {
                if let Some(acc) = self.accounts.get_mut(&address) {
                    acc.info.code = code;
                    acc.info.code_hash = code_hash;
                    acc.info.constants = constants;
                }
            }
            Entry::WarmAccount { address } => {
                self.warm_accounts.remove(&address);
            }
            Entry::WarmSlot { address, key } => {
                self.warm_slots.remove(&(address, key));
            }
            Entry::Refund { old } => self.refund = old,
            Entry::SelfDestructed { address } => {
                if let Some(acc) = self.accounts.get_mut(&address) {
                    acc.selfdestructed = false;
                }
            }
        }
    }

    /// Logs of the current transaction.
    pub fn logs(&self) -> &[Log] {
        &self.logs
    }

    /// Ends a transaction: deletes self-destructed accounts and touched empty accounts
    /// (EIP-161), clears transient storage, warm sets, the refund counter and the journal,
    /// and returns the transaction's logs.
    pub fn finish_tx(&mut self) -> Vec<Log> {
        for acc in self.accounts.values_mut() {
            if acc.selfdestructed || (acc.touched && acc.exists && acc.info.is_empty()) {
                *acc = Account { storage_cleared: true, ..Account::default() };
            }
            acc.created_in_tx = false;
            acc.selfdestructed = false;
            acc.touched = false;
            for slot in acc.storage.values_mut() {
                slot.tx_original = slot.present;
            }
        }
        self.journal.clear();
        self.warm_accounts.clear();
        self.warm_slots.clear();
        self.transient.clear();
        self.refund = 0;
        core::mem::take(&mut self.logs)
    }

    /// Discards everything the current transaction did (used when a transaction turns out
    /// to be invalid after state was touched).
    pub fn abort_tx(&mut self) {
        self.revert_to(Checkpoint { journal: 0, logs: 0 });
        let _ = self.finish_tx();
    }

    /// The state diff of the block so far: final values of changed accounts and slots.
    pub fn diff(&self) -> StateDiff {
        let mut diff = StateDiff::default();
        for (address, acc) in &self.accounts {
            let original = self.originals.get(address).cloned().flatten();
            if !acc.exists {
                if original.is_some() {
                    diff.accounts.insert(*address, None);
                }
                continue;
            }
            let mut storage = alloc::collections::BTreeMap::new();
            for (key, slot) in &acc.storage {
                let before = if acc.storage_cleared && original.is_some() {
                    // Re-created: every non-zero slot is new.
                    U256::ZERO
                } else {
                    self.slot_originals.get(&(*address, *key)).copied().unwrap_or(U256::ZERO)
                };
                if slot.present != before {
                    storage.insert(*key, slot.present);
                }
            }
            let cleared = acc.storage_cleared && original.is_some();
            if original.as_ref() != Some(&acc.info) || !storage.is_empty() || cleared {
                diff.accounts
                    .insert(*address, Some(AccountDiff { info: acc.info.clone(), storage, storage_cleared: cleared }));
            }
        }
        diff
    }
}
