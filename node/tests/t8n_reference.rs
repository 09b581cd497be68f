//! Conformance of `zkos t8n` with the reference t8n of the Python execution specification
//! (`ethereum-execution` on PyPI): the same block of plain transfers gives the same state
//! root, gas, receipts, logs hash, rejected transactions and post-state.

mod common;

use common::{assert_same_block, normalize_alloc, run_reference, run_zkos, scratch, write_inputs, T8nOutput};
use serde_json::{json, Value};

const KEY_A: &str = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
const ADDR_A: &str = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
const KEY_B: &str = "0x0000000000000000000000000000000000000000000000000000000000000001";
const ADDR_B: &str = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf";
const KEY_C: &str = "0x0000000000000000000000000000000000000000000000000000000000000002";
const ADDR_C: &str = "0x2b5ad5c4795c026514f8317c7a215e218dccd6cf";
const KEY_D: &str = "0x0000000000000000000000000000000000000000000000000000000000000003";
const ADDR_D: &str = "0x6813eb9362372eef6200f3b1dbc3f819671cba69";
/// Not in the pre-state: the transfer to it creates it.
const NEW_ACCOUNT: &str = "0x00000000000000000000000000000000000dead1";
const COINBASE: &str = "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e";

fn alloc() -> Value {
    json!({
        ADDR_A: { "balance": "0x56bc75e2d63100000", "nonce": "0x0", "code": "0x", "storage": {} },
        ADDR_B: { "balance": "0x1bc16d674ec80000", "nonce": "0x3", "code": "0x", "storage": {} },
        ADDR_C: { "balance": "0xde0b6b3a7640000", "nonce": "0x0", "code": "0x", "storage": {} },
        ADDR_D: { "balance": "0x6f05b59d3b20000", "nonce": "0x1", "code": "0x", "storage": {} },
    })
}

fn env() -> Value {
    json!({
        "currentCoinbase": COINBASE,
        "currentGasLimit": "0x1c9c380",
        "currentNumber": "0x10",
        "currentTimestamp": "0x66000000",
        "currentBaseFee": "0x3b9aca00",
        "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000abcdef",
        "currentExcessBlobGas": "0x0",
        "parentBeaconBlockRoot": "0x00000000000000000000000000000000000000000000000000000000000000aa",
        "withdrawals": [],
        "blockHashes": { "0xf": "0x1111111111111111111111111111111111111111111111111111111111111111" }
    })
}

fn tx_1559(key: &str, nonce: u64, to: &str, value: &str, input: &str, gas: &str, tip: &str) -> Value {
    json!({
        "type": "0x2", "chainId": "0x1", "nonce": format!("{nonce:#x}"), "gas": gas,
        "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": tip,
        "to": to, "value": value, "input": input, "accessList": [],
        "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": key
    })
}

/// Plain transfers from four senders: EIP-1559, EIP-155 legacy, EIP-2930 with an access
/// list, an unprotected legacy one, calldata to a codeless account, a transfer that creates
/// an account, an EIP-4844 transaction with two blobs, priority fees for the coinbase (which
/// does not exist before).
fn valid_txs() -> Vec<Value> {
    vec![
        tx_1559(KEY_A, 0, ADDR_B, "0xde0b6b3a7640000", "0x", "0x5208", "0x3b9aca00"),
        json!({
            "type": "0x0", "nonce": "0x3", "gas": "0x5208", "gasPrice": "0x12a05f200",
            "to": NEW_ACCOUNT, "value": "0x2386f26fc10000", "input": "0x",
            "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_B
        }),
        json!({
            "type": "0x1", "chainId": "0x1", "nonce": "0x0", "gas": "0x9c40", "gasPrice": "0x59682f00",
            "to": ADDR_A, "value": "0x1", "input": "0x",
            "accessList": [
                { "address": ADDR_A, "storageKeys": [
                    "0x0000000000000000000000000000000000000000000000000000000000000001"
                ] },
                { "address": NEW_ACCOUNT, "storageKeys": [] }
            ],
            "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_C
        }),
        json!({
            "type": "0x0", "nonce": "0x1", "gas": "0x5208", "gasPrice": "0x3b9aca00",
            "to": ADDR_C, "value": "0x5", "input": "0x", "protected": false,
            "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_D
        }),
        tx_1559(KEY_A, 1, ADDR_D, "0x0", "0x00ff00ff0000000000000001deadbeef", "0x7530", "0x2"),
        json!({
            "type": "0x3", "chainId": "0x1", "nonce": "0x4", "gas": "0x5208",
            "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x3", "maxFeePerBlobGas": "0x10",
            "blobVersionedHashes": [
                "0x0100000000000000000000000000000000000000000000000000000000000001",
                "0x01000000000000000000000000000000000000000000000000000000000000ff"
            ],
            "to": ADDR_A, "value": "0x7", "input": "0x", "accessList": [],
            "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": KEY_B
        }),
    ]
}

/// A transaction with a nonce far ahead of its sender's: rejected.
fn bad_nonce_tx() -> Value {
    tx_1559(KEY_C, 7, ADDR_B, "0x1", "0x", "0x5208", "0x1")
}

fn compare(name: &str, txs: Vec<Value>, check_tx_root: bool) -> (T8nOutput, T8nOutput) {
    let dir = scratch(name);
    write_inputs(&dir, &alloc(), &env(), &Value::Array(txs));
    let reference = run_reference(&dir, "txs.json");
    let ours = run_zkos(&dir, "txs.json");
    assert_same_block(name, &ours, &reference, check_tx_root);
    let _ = std::fs::remove_dir_all(&dir);
    (ours, reference)
}

#[test]
fn plain_transfers_match_the_reference() {
    let (ours, _) = compare("valid", valid_txs(), true);
    let receipts = ours.result["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 6);
    assert_eq!(ours.result["blobGasUsed"], "0x40000");
    assert!(receipts.iter().all(|r| r["status"] == "0x1"));
    let post = normalize_alloc(&ours.alloc);
    assert!(post.contains_key(NEW_ACCOUNT), "the transfer creates {NEW_ACCOUNT}");
    assert!(post.contains_key(COINBASE), "priority fees create the coinbase");
}

/// The reference t8n puts a rejected transaction into its transactions trie (its
/// `process_transaction` adds the transaction before validating it), where geth and zkos
/// leave it out of the block; so with a rejection `txRoot` is not compared. A rejection
/// before other transactions would likewise shift the reference's receipt keys, so the
/// rejected transaction comes last.
#[test]
fn bad_nonce_is_rejected_like_the_reference() {
    let mut txs = valid_txs();
    txs.push(bad_nonce_tx());
    let (ours, _) = compare("rejected", txs, false);
    let rejected = ours.result["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["index"], 6);
    assert!(rejected[0]["error"].as_str().unwrap().contains("nonce"), "{}", rejected[0]["error"]);
}

/// The same block given as an RLP list of signed transactions (the reference's body
/// output) gives the same result as the JSON form.
#[test]
fn rlp_transactions_match_the_reference() {
    let dir = scratch("rlp-source");
    write_inputs(&dir, &alloc(), &env(), &Value::Array(valid_txs()));
    let first = run_reference(&dir, "txs.json");
    let rlp_dir = scratch("rlp");
    write_inputs(&rlp_dir, &alloc(), &env(), &Value::Null);
    std::fs::write(rlp_dir.join("txs.rlp"), serde_json::to_string(&first.body).unwrap()).unwrap();
    let reference = run_reference(&rlp_dir, "txs.rlp");
    let ours = run_zkos(&rlp_dir, "txs.rlp");
    for key in ["stateRoot", "txRoot", "receiptsRoot", "logsHash", "gasUsed"] {
        assert_eq!(ours.result[key], reference.result[key], "rlp: {key}");
    }
    // zkos writes the same body back.
    assert_eq!(ours.body, first.body);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&rlp_dir);
}

/// The block-level updates around the transactions: the EIP-4788 beacon-roots contract
/// storing the parent beacon root (its EVM code run by a system call on both sides) and
/// EIP-4895 withdrawals (to an existing account, to a new one, and a zero withdrawal to an
/// account that does not exist, which leaves no trace).
#[test]
fn beacon_root_and_withdrawals_match_the_reference() {
    let dir = scratch("system");
    let mut pre = alloc();
    pre["0x000f3df6d732807ef1319fb7b8bb8522d0beac02"] = json!({
        "balance": "0x0", "nonce": "0x1", "storage": {},
        "code": "0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500"
    });
    let mut block_env = env();
    block_env["withdrawals"] = json!([
        { "index": "0x0", "validatorIndex": "0x5", "address": ADDR_C, "amount": "0x3b9aca00" },
        { "index": "0x1", "validatorIndex": "0x6", "address": "0x00000000000000000000000000000000000bee01", "amount": "0x1" },
        { "index": "0x2", "validatorIndex": "0x7", "address": "0x00000000000000000000000000000000000bee02", "amount": "0x0" }
    ]);
    write_inputs(&dir, &pre, &block_env, &Value::Array(valid_txs()));
    let reference = run_reference(&dir, "txs.json");
    let ours = run_zkos(&dir, "txs.json");
    for key in ["stateRoot", "txRoot", "receiptsRoot", "withdrawalsRoot", "gasUsed"] {
        assert!(reference.result[key].is_string(), "the reference wrote no {key}");
        assert_eq!(ours.result[key], reference.result[key], "{key}");
    }
    assert_eq!(normalize_alloc(&ours.alloc), normalize_alloc(&reference.alloc));
    let beacon = &normalize_alloc(&ours.alloc)["0x000f3df6d732807ef1319fb7b8bb8522d0beac02"];
    assert!(beacon.contains("aa"), "the root is stored: {beacon}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A rejection before other transactions. The reference keeps the rejected transaction's
/// slot in its transactions and receipts tries (see above), so its roots are those of a
/// different block; zkos, like geth, builds the block of the valid transactions. So: the
/// state and the rejected index agree with the reference on the same input, and the roots
/// agree with the reference on the block without the rejected transaction.
#[test]
fn rejection_before_valid_transactions() {
    let mut txs = valid_txs();
    txs.insert(2, bad_nonce_tx());
    let dir = scratch("middle");
    write_inputs(&dir, &alloc(), &env(), &Value::Array(txs));
    let reference = run_reference(&dir, "txs.json");
    let ours = run_zkos(&dir, "txs.json");
    assert_eq!(ours.result["stateRoot"], reference.result["stateRoot"]);
    assert_eq!(ours.result["rejected"][0]["index"], 2);
    assert_eq!(reference.result["rejected"][0]["index"], 2);
    assert_eq!(normalize_alloc(&ours.alloc), normalize_alloc(&reference.alloc));

    let (_, without) = compare("middle-valid", valid_txs(), true);
    for key in ["stateRoot", "txRoot", "receiptsRoot", "gasUsed", "logsHash"] {
        assert_eq!(ours.result[key], without.result[key], "{key}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
