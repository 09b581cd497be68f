//! Ethereum-compatible commitments: state root, receipts root, transactions root, logs hash
//! and bloom.
//!
//! The state root is Ethereum's Merkle-Patricia state trie: each account is a leaf keyed by
//! `keccak256(address)` holding `rlp([nonce, balance, storage_root, code_hash])`, and each
//! storage trie has leaves keyed by `keccak256(slot)` holding the RLP of the value (zero
//! slots are absent). An EVM or codeless account therefore commits exactly as in Ethereum.
//!
//! Envelope contracts keep a **constants area** beside their code, which their code hash
//! deliberately does not cover (DESIGN.md §5). So that the root still commits to the
//! constants, the leaf of an account whose constants are non-empty holds
//! `keccak256(code_hash ‖ keccak256(constants))` in place of `code_hash`
//! ([`committed_code_hash`]). Accounts without constants (every EVM account) are unaffected.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use alloy_consensus::{Eip658Value, Receipt as AlloyReceipt, ReceiptEnvelope, ReceiptWithBloom, TxType};
use alloy_eips::eip2718::Encodable2718;
use alloy_trie::root::ordered_trie_root_encoded;
use alloy_trie::{HashBuilder, Nibbles, TrieAccount, EMPTY_ROOT_HASH};

use super::Receipt;
use crate::platform::{AccountInfo, MemoryDb};
use crate::primitives::{keccak256, Bloom, Log, B256, U256};

/// The root of the empty trie: keccak256 of the RLP empty string.
pub const EMPTY_TRIE_ROOT: B256 = EMPTY_ROOT_HASH;

/// The logs bloom of a list of logs.
pub fn logs_bloom(logs: &[Log]) -> Bloom {
    let mut bloom = Bloom::ZERO;
    for log in logs {
        bloom.accrue_log(log);
    }
    bloom
}

/// The Ethereum state root of a whole in-memory state.
pub fn state_root(db: &MemoryDb) -> B256 {
    let mut leaves: Vec<(B256, Vec<u8>)> = db
        .accounts
        .iter()
        .map(|(address, account)| {
            let leaf = TrieAccount::new(
                account.info.nonce,
                account.info.balance,
                storage_root(&account.storage),
                committed_code_hash(&account.info),
            );
            (keccak256(address), alloy_rlp::encode(leaf))
        })
        .collect();
    trie_root(&mut leaves)
}

/// The root of one account's storage trie (zero values are left out, as deleted slots).
pub fn storage_root(storage: &BTreeMap<U256, U256>) -> B256 {
    let mut leaves: Vec<(B256, Vec<u8>)> = storage
        .iter()
        .filter(|(_, value)| !value.is_zero())
        .map(|(slot, value)| (keccak256(slot.to_be_bytes::<32>()), alloy_rlp::encode(value)))
        .collect();
    trie_root(&mut leaves)
}

/// The code hash an account's leaf commits to: its code hash, or for an account with a
/// constants area `keccak256(code_hash ‖ keccak256(constants))`.
pub fn committed_code_hash(info: &AccountInfo) -> B256 {
    if info.constants.is_empty() {
        return info.code_hash;
    }
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(info.code_hash.as_slice());
    preimage[32..].copy_from_slice(keccak256(&info.constants).as_slice());
    keccak256(preimage)
}

/// The root of a secure trie given its leaves (hashed key, RLP value), in any order.
fn trie_root(leaves: &mut [(B256, Vec<u8>)]) -> B256 {
    if leaves.is_empty() {
        return EMPTY_ROOT_HASH;
    }
    leaves.sort_unstable_by_key(|leaf| leaf.0);
    let mut builder = HashBuilder::default();
    for (key, value) in leaves.iter() {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    builder.root()
}

/// The EIP-2718 encoding of a receipt: `type ‖ rlp([status, cumulative_gas_used, bloom,
/// logs])` (no type byte for legacy transactions).
pub fn encode_receipt(receipt: &Receipt) -> Vec<u8> {
    let inner = ReceiptWithBloom {
        receipt: AlloyReceipt {
            status: Eip658Value::Eip658(receipt.success),
            cumulative_gas_used: receipt.cumulative_gas_used,
            logs: receipt.logs.clone(),
        },
        logs_bloom: receipt.bloom(),
    };
    let envelope: ReceiptEnvelope = match TxType::try_from(receipt.tx_type) {
        Ok(TxType::Eip2930) => ReceiptEnvelope::Eip2930(inner),
        Ok(TxType::Eip1559) => ReceiptEnvelope::Eip1559(inner),
        Ok(TxType::Eip4844) => ReceiptEnvelope::Eip4844(inner),
        Ok(TxType::Eip7702) => ReceiptEnvelope::Eip7702(inner),
        Ok(TxType::Legacy) | Err(_) => ReceiptEnvelope::Legacy(inner),
    };
    envelope.encoded_2718()
}

/// The receipts root of a block: the ordered trie of the EIP-2718 encoded receipts.
pub fn receipts_root(receipts: &[Receipt]) -> B256 {
    let encoded: Vec<Vec<u8>> = receipts.iter().map(encode_receipt).collect();
    ordered_trie_root_encoded(&encoded)
}

/// The transactions root of a block, given each transaction's EIP-2718 encoding.
pub fn tx_root<T: AsRef<[u8]>>(encoded_txs: &[T]) -> B256 {
    ordered_trie_root_encoded(encoded_txs)
}

/// keccak256 of the RLP list of all logs (the `logsHash` of state tests and t8n tools).
pub fn logs_hash(logs: &[Log]) -> B256 {
    let mut out = Vec::new();
    alloy_rlp::encode_list(logs, &mut out);
    keccak256(out)
}

#[cfg(test)]
mod tests {
    //! Expected values come from the Python execution specification (`ethereum-execution`,
    //! `ethereum.forks.cancun`), computed on the same inputs.

    use super::*;
    use crate::primitives::{Address, Bytes, LogData};

    fn b256(s: &str) -> B256 {
        s.parse().unwrap()
    }

    #[test]
    fn empty_roots() {
        let empty = b256("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
        assert_eq!(state_root(&MemoryDb::default()), empty);
        assert_eq!(storage_root(&BTreeMap::new()), empty);
        assert_eq!(receipts_root(&[]), empty);
        assert_eq!(tx_root::<&[u8]>(&[]), empty);
        // keccak256(rlp([])) = keccak256(0xc0)
        assert_eq!(logs_hash(&[]), b256("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"));
    }

    fn two_accounts() -> MemoryDb {
        let mut db = MemoryDb::default();
        let a: Address = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b".parse().unwrap();
        db.insert(a, AccountInfo::with_balance(U256::from(10u64.pow(18)), 1), BTreeMap::new());
        let mut info = AccountInfo::with_balance(U256::from(5), 0);
        info.set_code(Bytes::from_static(&[0x60, 0x01, 0x60, 0x00, 0x55]));
        let storage = BTreeMap::from([
            (U256::from(1), U256::from(2)),
            (U256::from(0x100), U256::from(1) << 255),
            (U256::from(7), U256::ZERO),
        ]);
        let b: Address = "0x1000000000000000000000000000000000000001".parse().unwrap();
        db.insert(b, info, storage);
        db
    }

    #[test]
    fn state_root_matches_the_specification() {
        assert_eq!(
            state_root(&two_accounts()),
            b256("0x018908fbd949f16c63d7c5f0467874963b0a20e30ebc20fe821c2fa4e8726375")
        );
    }

    #[test]
    fn constants_change_the_root_but_not_the_code_hash() {
        let plain = two_accounts();
        let mut with_constants = plain.clone();
        let account = with_constants.accounts.values_mut().last().unwrap();
        account.info.constants = Bytes::from_static(&[9; 40]);
        let code_hash = account.info.code_hash;
        assert_ne!(committed_code_hash(&account.info), code_hash);
        assert_ne!(state_root(&with_constants), state_root(&plain));
        let mut other = with_constants.clone();
        other.accounts.values_mut().last().unwrap().info.constants = Bytes::from_static(&[8; 40]);
        assert_ne!(state_root(&other), state_root(&with_constants));
    }

    #[test]
    fn receipts_root_and_logs_hash_match_the_specification() {
        let log = Log {
            address: Address::repeat_byte(0x11),
            data: LogData::new_unchecked(
                alloc::vec![B256::repeat_byte(0x22), B256::repeat_byte(0x33)],
                Bytes::from_static(&[1, 2, 3]),
            ),
        };
        let receipts = [
            Receipt {
                tx_hash: B256::ZERO,
                tx_type: 0,
                success: true,
                gas_used: 21_000,
                cumulative_gas_used: 21_000,
                logs: Vec::new(),
                contract_address: None,
                output: Bytes::new(),
                error: None,
            },
            Receipt {
                tx_hash: B256::ZERO,
                tx_type: 2,
                success: false,
                gas_used: 19_000,
                cumulative_gas_used: 40_000,
                logs: alloc::vec![log.clone()],
                contract_address: None,
                output: Bytes::new(),
                error: None,
            },
        ];
        assert_eq!(
            receipts_root(&receipts),
            b256("0x3dc2ec81d106605f7aa56064bc7c8acdcb90fb067cdbb53a5dda6059cefa15b0")
        );
        assert_eq!(logs_hash(&[log]), b256("0xa680aeadcc5d590c63bb8541579e28284d603f6ef901afc97f9febde3c007957"));
    }
}
