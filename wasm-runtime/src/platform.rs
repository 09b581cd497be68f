//! The platform the system layer runs on: where the pre-state comes from.
//!
//! The node backs it with its database, tests and `zkos t8n` with [`MemoryDb`], kernel mode
//! with a witness read through the quasi-UART. The system layer only reads through this
//! trait; what it writes comes back as a [`crate::block::StateDiff`].

use alloc::collections::BTreeMap;

use crate::primitives::{keccak256, Address, Bytes, B256, KECCAK_EMPTY, U256};

/// An account as the platform stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccountInfo {
    /// Nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Deployed code: EVM bytecode, or an envelope's stored form (header and code section).
    pub code: Bytes,
    /// keccak256 of `code`.
    pub code_hash: B256,
    /// The constants area (envelope contracts only).
    pub constants: Bytes,
}

impl Default for AccountInfo {
    fn default() -> Self {
        Self { nonce: 0, balance: U256::ZERO, code: Bytes::new(), code_hash: KECCAK_EMPTY, constants: Bytes::new() }
    }
}

impl AccountInfo {
    /// An account with balance and nonce, no code.
    pub fn with_balance(balance: U256, nonce: u64) -> Self {
        Self { nonce, balance, ..Self::default() }
    }

    /// Sets the code and its hash.
    pub fn set_code(&mut self, code: Bytes) {
        self.code_hash = if code.is_empty() { KECCAK_EMPTY } else { keccak256(&code) };
        self.code = code;
    }

    /// Empty per EIP-161: no code, zero nonce, zero balance.
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code.is_empty()
    }
}

/// Read access to the pre-state.
pub trait Platform {
    /// The account at `address`, if it exists.
    fn account(&mut self, address: &Address) -> Option<AccountInfo>;
    /// The value of a storage slot (zero if unset).
    fn storage(&mut self, address: &Address, key: &U256) -> U256;
    /// Whether the account has any non-zero storage (for the CREATE collision rule).
    fn has_storage(&mut self, address: &Address) -> bool;
}

impl<P: Platform + ?Sized> Platform for &mut P {
    fn account(&mut self, address: &Address) -> Option<AccountInfo> {
        (**self).account(address)
    }
    fn storage(&mut self, address: &Address, key: &U256) -> U256 {
        (**self).storage(address, key)
    }
    fn has_storage(&mut self, address: &Address) -> bool {
        (**self).has_storage(address)
    }
}

/// A state held in memory: accounts with their storage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryDb {
    /// Accounts by address.
    pub accounts: BTreeMap<Address, DbAccount>,
}

/// An account of a [`MemoryDb`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DbAccount {
    /// Everything but storage.
    pub info: AccountInfo,
    /// Non-zero storage slots.
    pub storage: BTreeMap<U256, U256>,
}

impl MemoryDb {
    /// Inserts or replaces an account.
    pub fn insert(&mut self, address: Address, info: AccountInfo, storage: BTreeMap<U256, U256>) {
        let storage = storage.into_iter().filter(|(_, v)| !v.is_zero()).collect();
        self.accounts.insert(address, DbAccount { info, storage });
    }

    /// Applies a state diff produced by the system layer.
    pub fn apply(&mut self, diff: &crate::block::StateDiff) {
        for (address, change) in &diff.accounts {
            match change {
                None => {
                    self.accounts.remove(address);
                }
                Some(acc) => {
                    let entry = self.accounts.entry(*address).or_default();
                    if acc.storage_cleared {
                        entry.storage.clear();
                    }
                    entry.info = acc.info.clone();
                    for (k, v) in &acc.storage {
                        if v.is_zero() {
                            entry.storage.remove(k);
                        } else {
                            entry.storage.insert(*k, *v);
                        }
                    }
                }
            }
        }
    }
}

impl Platform for MemoryDb {
    fn account(&mut self, address: &Address) -> Option<AccountInfo> {
        self.accounts.get(address).map(|a| a.info.clone())
    }

    fn storage(&mut self, address: &Address, key: &U256) -> U256 {
        self.accounts.get(address).and_then(|a| a.storage.get(key).copied()).unwrap_or(U256::ZERO)
    }

    fn has_storage(&mut self, address: &Address) -> bool {
        self.accounts.get(address).is_some_and(|a| !a.storage.is_empty())
    }
}
