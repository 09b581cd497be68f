//! The JSON the t8n tools write: `result.json` (roots, receipts, rejected transactions)
//! and `alloc.json` (the post-state), in geth's `evm t8n` format.

use std::collections::BTreeMap;

use host_abi::envelope::{self, Envelope};
use serde::Serialize;
use wasm_runtime::block::Receipt;
use wasm_runtime::platform::{DbAccount, MemoryDb};
use wasm_runtime::primitives::{Address, B256, U256};

use crate::input::Env;
use crate::json::{hex_bytes, quantity};
use crate::transition::Outcome;

/// `result.json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultJson {
    /// State root after the block.
    pub state_root: B256,
    /// Root of the included transactions.
    pub tx_root: B256,
    /// Receipts root.
    pub receipts_root: B256,
    /// Withdrawals root.
    pub withdrawals_root: B256,
    /// keccak256 of the RLP list of all logs.
    pub logs_hash: B256,
    /// Logs bloom of the block.
    pub logs_bloom: String,
    /// Receipts of the included transactions.
    pub receipts: Vec<ReceiptJson>,
    /// Transactions left out, with the reason.
    pub rejected: Vec<RejectedJson>,
    /// Always `null` after the merge.
    pub current_difficulty: Option<String>,
    /// Gas used by the block.
    pub gas_used: String,
    /// The block's base fee.
    pub current_base_fee: String,
    /// The block's excess blob gas.
    pub current_excess_blob_gas: String,
    /// Blob gas used by the block.
    pub blob_gas_used: String,
    /// EIP-7685 (Prague+): the requests hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_hash: Option<B256>,
    /// EIP-7685 (Prague+): the requests, each `type ‖ data`, as the execution specs' t8n
    /// writes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<String>>,
}

/// A receipt, as geth prints it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJson {
    /// EIP-2718 type.
    #[serde(rename = "type")]
    pub tx_type: String,
    /// Pre-Byzantium post-state root: empty.
    pub root: String,
    /// `0x1` success, `0x0` failure.
    pub status: String,
    /// Gas used up to and including this transaction.
    pub cumulative_gas_used: String,
    /// This receipt's bloom.
    pub logs_bloom: String,
    /// Logs, `null` when there are none (as geth writes).
    pub logs: Option<Vec<LogJson>>,
    /// The transaction hash.
    pub transaction_hash: B256,
    /// The created contract, or the zero address.
    pub contract_address: Address,
    /// Gas used by this transaction.
    pub gas_used: String,
    /// Not known to t8n: `null`.
    pub effective_gas_price: Option<String>,
    /// Not known to t8n: zero.
    pub block_hash: B256,
    /// Index among the included transactions.
    pub transaction_index: String,
}

/// A log inside a receipt.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogJson {
    /// The emitting contract.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data.
    pub data: String,
    /// The block number.
    pub block_number: String,
    /// The transaction hash.
    pub transaction_hash: B256,
    /// Index of the transaction among the included ones.
    pub transaction_index: String,
    /// Not known to t8n: zero.
    pub block_hash: B256,
    /// Index of the log in the block.
    pub log_index: String,
    /// Always false.
    pub removed: bool,
}

/// A rejected transaction.
#[derive(Clone, Debug, Serialize)]
pub struct RejectedJson {
    /// Index in the input list.
    pub index: usize,
    /// Why.
    pub error: String,
}

/// Builds `result.json` from a block's outcome.
pub fn result(env: &Env, outcome: &Outcome) -> ResultJson {
    let mut log_index = 0u64;
    let receipts = outcome
        .output
        .receipts
        .iter()
        .enumerate()
        .map(|(i, r)| receipt(env.block.number, i, r, &mut log_index))
        .collect();
    ResultJson {
        state_root: outcome.state_root,
        tx_root: outcome.tx_root,
        receipts_root: outcome.receipts_root,
        withdrawals_root: outcome.withdrawals_root,
        logs_hash: outcome.logs_hash,
        logs_bloom: hex_bytes(outcome.logs_bloom),
        receipts,
        rejected: outcome
            .output
            .rejected
            .iter()
            .map(|r| RejectedJson { index: r.index, error: r.error.to_string() })
            .collect(),
        current_difficulty: None,
        gas_used: quantity(U256::from(outcome.output.gas_used)),
        current_base_fee: quantity(env.block.base_fee),
        current_excess_blob_gas: quantity(U256::from(outcome.excess_blob_gas)),
        blob_gas_used: quantity(U256::from(outcome.blob_gas_used)),
        requests_hash: outcome.requests_hash,
        requests: outcome.requests.as_ref().map(|list| list.iter().map(hex_bytes).collect()),
    }
}

fn receipt(number: u64, index: usize, r: &Receipt, log_index: &mut u64) -> ReceiptJson {
    let logs: Vec<LogJson> = r
        .logs
        .iter()
        .map(|log| {
            let json = LogJson {
                address: log.address,
                topics: log.topics().to_vec(),
                data: hex_bytes(&log.data.data),
                block_number: quantity(U256::from(number)),
                transaction_hash: r.tx_hash,
                transaction_index: quantity(U256::from(index)),
                block_hash: B256::ZERO,
                log_index: quantity(U256::from(*log_index)),
                removed: false,
            };
            *log_index += 1;
            json
        })
        .collect();
    ReceiptJson {
        tx_type: quantity(U256::from(r.tx_type)),
        root: "0x".into(),
        status: quantity(U256::from(u8::from(r.success))),
        cumulative_gas_used: quantity(U256::from(r.cumulative_gas_used)),
        logs_bloom: hex_bytes(r.bloom()),
        logs: if logs.is_empty() { None } else { Some(logs) },
        transaction_hash: r.tx_hash,
        contract_address: r.contract_address.unwrap_or(Address::ZERO),
        gas_used: quantity(U256::from(r.gas_used)),
        effective_gas_price: None,
        block_hash: B256::ZERO,
        transaction_index: quantity(U256::from(index)),
    }
}

/// One account of `alloc.json`.
#[derive(Clone, Debug, Serialize)]
pub struct AccountJson {
    /// Balance.
    pub balance: String,
    /// Nonce, when not zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Code, when there is any. Envelope contracts are written in deploy form (with their
    /// constants), so the file reads back to the same state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Non-zero storage slots.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<B256, B256>,
}

/// Builds `alloc.json` from a state.
pub fn alloc(db: &MemoryDb) -> BTreeMap<Address, AccountJson> {
    db.accounts.iter().map(|(address, account)| (*address, account_json(account))).collect()
}

fn account_json(account: &DbAccount) -> AccountJson {
    let info = &account.info;
    let code = if info.code.is_empty() { None } else { Some(hex_bytes(deploy_form(&info.code, &info.constants))) };
    AccountJson {
        balance: quantity(info.balance),
        nonce: (info.nonce != 0).then(|| quantity(U256::from(info.nonce))),
        code,
        storage: account.storage.iter().map(|(k, v)| (B256::from(*k), B256::from(*v))).collect(),
    }
}

/// Stored envelope code and its constants, back in deploy form; other code as it is.
fn deploy_form(code: &[u8], constants: &[u8]) -> Vec<u8> {
    let Some((kind, section)) = envelope::parse_stored_code(code) else {
        return code.to_vec();
    };
    let env = Envelope { kind, version: code[3], constants, code: section };
    let mut out = vec![0u8; env.encoded_len()];
    match env.encode_into(&mut out) {
        Some(()) => out,
        None => code.to_vec(),
    }
}
