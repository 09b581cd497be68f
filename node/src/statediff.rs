//! What a block changed, account by account, found by comparing the pre- and post-state
//! (so it includes withdrawals and the beacon-root update as well as the transactions).

use serde::Serialize;
use wasm_runtime::platform::{DbAccount, MemoryDb};
use wasm_runtime::primitives::{Address, B256, U256};

/// The change of one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountChange {
    /// The account.
    pub address: Address,
    /// `created`, `changed` or `deleted`.
    pub status: &'static str,
    /// Balance before and after, if it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<[U256; 2]>,
    /// Nonce before and after, if it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<[u64; 2]>,
    /// Code hash before and after, if the code changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<[B256; 2]>,
    /// Size of the new code in bytes, if the code changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_size: Option<usize>,
    /// Slots whose value changed: slot, before, after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<[U256; 3]>,
}

/// Every account that differs between `pre` and `post`, in address order.
pub fn diff(pre: &MemoryDb, post: &MemoryDb) -> Vec<AccountChange> {
    let empty = DbAccount::default();
    let mut addresses: Vec<&Address> = pre.accounts.keys().chain(post.accounts.keys()).collect();
    addresses.sort();
    addresses.dedup();
    addresses
        .into_iter()
        .filter_map(|address| {
            let before = pre.accounts.get(address);
            let after = post.accounts.get(address);
            let status = match (before, after) {
                (None, Some(_)) => "created",
                (Some(_), None) => "deleted",
                (Some(a), Some(b)) if a != b => "changed",
                _ => return None,
            };
            let (a, b) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
            let slots = a.storage.keys().chain(b.storage.keys());
            let mut storage: Vec<[U256; 3]> = slots
                .map(|slot| {
                    let get = |acc: &DbAccount| acc.storage.get(slot).copied().unwrap_or(U256::ZERO);
                    [*slot, get(a), get(b)]
                })
                .filter(|[_, x, y]| x != y)
                .collect();
            storage.sort();
            storage.dedup();
            let code_changed = a.info.code_hash != b.info.code_hash || a.info.constants != b.info.constants;
            Some(AccountChange {
                address: *address,
                status,
                balance: (a.info.balance != b.info.balance).then_some([a.info.balance, b.info.balance]),
                nonce: (a.info.nonce != b.info.nonce).then_some([a.info.nonce, b.info.nonce]),
                code_hash: code_changed.then_some([a.info.code_hash, b.info.code_hash]),
                code_size: code_changed.then_some(b.info.code.len()),
                storage,
            })
        })
        .collect()
}
