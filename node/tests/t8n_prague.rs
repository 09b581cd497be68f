//! Issue 12, item 7: `zkos t8n` agrees with the Python execution specification's t8n
//! (`ethereum-execution`) on blocks that use Prague's and Osaka's new rules: EIP-7702
//! set-code transactions (delegations set, used, skipped and cleared), EIP-7623's calldata
//! floor, the EIP-2537 BLS12-381 precompiles, and Osaka's P256VERIFY and CLZ. Both tools get
//! the same inputs; state root, receipts, logs, gas, requests hash and post-state must match.

mod common;

use alloy_primitives::{keccak256, Address, U256};
use alloy_rlp::Encodable;
use common::{normalize_alloc, qty, run_reference_fork, run_zkos_fork, scratch, write_inputs, T8nOutput};
use serde_json::{json, Value};

const KEY_A: &str = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
const ADDR_A: &str = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
const KEY_B: &str = "0x0000000000000000000000000000000000000000000000000000000000000001";
const ADDR_B: &str = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf";
const KEY_C: &str = "0x0000000000000000000000000000000000000000000000000000000000000002";
const ADDR_C: &str = "0x2b5ad5c4795c026514f8317c7a215e218dccd6cf";
const KEY_D: &str = "0x0000000000000000000000000000000000000000000000000000000000000003";
const ADDR_D: &str = "0x6813eb9362372eef6200f3b1dbc3f819671cba69";
const COINBASE: &str = "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e";
/// The delegate: stores 42, the call value and its own address (the authority's, when it
/// runs delegated), and logs.
const DELEGATE: &str = "0x00000000000000000000000000000000000de1e9";
const DELEGATE_CODE: &str = "0x602a600055346001553060025560006000a000";
/// Calls the precompile whose address is the first calldata word with the rest of the
/// calldata (STATICCALL), and stores success, the return data size and its hash.
const CALLER: &str = "0x0000000000000000000000000000000000ca11e2";
const CALLER_CODE: &str = "0x36602090038060206000376102006110008260006000355afa6000553d6001553d6110002060025500";
/// CLZ of the first calldata word, stored (Osaka).
const CLZ: &str = "0x00000000000000000000000000000000000c1200";
const CLZ_CODE: &str = "0x6000351e60005500";

/// The system contracts Prague calls around the transactions (EIP-2935, EIP-7002,
/// EIP-7251), as deployed on mainnet: the execution specification requires the code of the
/// last two.
const WITHDRAWALS_CODE: &str = "0x3373fffffffffffffffffffffffffffffffffffffffe1460cb5760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff146101f457600182026001905f5b5f82111560685781019083028483029004916001019190604d565b909390049250505036603814608857366101f457346101f4575f5260205ff35b34106101f457600154600101600155600354806003026004013381556001015f35815560010160203590553360601b5f5260385f601437604c5fa0600101600355005b6003546002548082038060101160df575060105b5f5b8181146101835782810160030260040181604c02815460601b8152601401816001015481526020019060020154807fffffffffffffffffffffffffffffffff00000000000000000000000000000000168252906010019060401c908160381c81600701538160301c81600601538160281c81600501538160201c81600401538160181c81600301538160101c81600201538160081c81600101535360010160e1565b910180921461019557906002556101a0565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff14156101cd57505f5b6001546002828201116101e25750505f6101e8565b01600290035b5f555f600155604c025ff35b5f5ffd";
const CONSOLIDATIONS_CODE: &str = "0x3373fffffffffffffffffffffffffffffffffffffffe1460d35760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff1461019a57600182026001905f5b5f82111560685781019083028483029004916001019190604d565b9093900492505050366060146088573661019a573461019a575f5260205ff35b341061019a57600154600101600155600354806004026004013381556001015f358155600101602035815560010160403590553360601b5f5260605f60143760745fa0600101600355005b6003546002548082038060021160e7575060025b5f5b8181146101295782810160040260040181607402815460601b815260140181600101548152602001816002015481526020019060030154905260010160e9565b910180921461013b5790600255610146565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff141561017357505f5b6001546001828201116101885750505f61018e565b01600190035b5f555f6001556074025ff35b5f5ffd";
const HISTORY_CODE: &str = "0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500";

fn account(balance: &str, nonce: u64, code: &str) -> Value {
    json!({ "balance": balance, "nonce": format!("{nonce:#x}"), "code": code, "storage": {} })
}

fn alloc() -> Value {
    json!({
        ADDR_A: account("0x56bc75e2d63100000", 0, "0x"),
        ADDR_B: account("0x1bc16d674ec80000", 3, "0x"),
        ADDR_C: account("0xde0b6b3a7640000", 0, "0x"),
        ADDR_D: account("0x6f05b59d3b20000", 1, "0x"),
        DELEGATE: account("0x0", 1, DELEGATE_CODE),
        CALLER: account("0x0", 1, CALLER_CODE),
        CLZ: account("0x0", 1, CLZ_CODE),
        "0x0000f90827f1c53a10cb7a02335b175320002935": account("0x0", 1, HISTORY_CODE),
        "0x00000961ef480eb55e80d19ad83579a64c007002": account("0x0", 1, WITHDRAWALS_CODE),
        "0x0000bbddc7ce488642fb579f8b00f3a590007251": account("0x0", 1, CONSOLIDATIONS_CODE),
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

fn hex_u64(n: u64) -> String {
    format!("{n:#x}")
}

fn tx_1559(key: &str, nonce: u64, to: &str, value: &str, input: &str, gas: u64) -> Value {
    json!({
        "type": "0x2", "chainId": "0x1", "nonce": hex_u64(nonce), "gas": hex_u64(gas),
        "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x2",
        "to": to, "value": value, "input": input, "accessList": [],
        "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": key
    })
}

fn tx_7702(key: &str, nonce: u64, to: &str, value: &str, authorizations: Vec<Value>) -> Value {
    json!({
        "type": "0x4", "chainId": "0x1", "nonce": hex_u64(nonce), "gas": "0x30d40",
        "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x2",
        "to": to, "value": value, "input": "0x", "accessList": [],
        "authorizationList": authorizations,
        "v": "0x0", "r": "0x0", "s": "0x0", "secretKey": key
    })
}

/// An EIP-7702 authorization signed by `key`: the secp256k1 signature of
/// `keccak256(0x05 ‖ rlp([chain_id, address, nonce]))`.
fn authorization(key: &str, chain_id: u64, address: &str, nonce: u64) -> Value {
    let target: Address = address.parse().unwrap();
    let mut fields = Vec::new();
    chain_id.encode(&mut fields);
    target.encode(&mut fields);
    nonce.encode(&mut fields);
    let mut message = vec![0x05];
    alloy_rlp::Header { list: true, payload_length: fields.len() }.encode(&mut message);
    message.extend_from_slice(&fields);
    let digest = keccak256(&message);
    let secret = hex::decode(key.trim_start_matches("0x")).unwrap();
    let signer = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
    let (signature, recovery) = signer.sign_prehash_recoverable(digest.as_slice()).unwrap();
    let (r, s) = (U256::from_be_slice(&signature.r().to_bytes()), U256::from_be_slice(&signature.s().to_bytes()));
    json!({
        "chainId": hex_u64(chain_id), "address": address, "nonce": hex_u64(nonce),
        "v": hex_u64(u64::from(recovery.to_byte())), "r": format!("{r:#x}"), "s": format!("{s:#x}"),
    })
}

fn compare(name: &str, fork: &str, txs: Vec<Value>) -> (T8nOutput, T8nOutput) {
    let dir = scratch(name);
    write_inputs(&dir, &alloc(), &env(), &Value::Array(txs));
    let reference = run_reference_fork(&dir, "txs.json", fork);
    let ours = run_zkos_fork(&dir, "txs.json", fork);
    let (r, o) = (&reference.result, &ours.result);
    for key in ["stateRoot", "txRoot", "receiptsRoot", "logsHash", "logsBloom", "withdrawalsRoot", "requestsHash"] {
        assert!(r[key].is_string(), "{name}: the reference wrote no {key}");
        assert_eq!(o[key], r[key], "{name}: {key}");
    }
    assert_eq!(qty(&o["gasUsed"]), qty(&r["gasUsed"]), "{name}: gasUsed");
    let (ours_receipts, reference_receipts) = (o["receipts"].as_array().unwrap(), r["receipts"].as_array().unwrap());
    assert_eq!(ours_receipts.len(), reference_receipts.len(), "{name}: receipt count");
    for (i, (ours_r, ref_r)) in ours_receipts.iter().zip(reference_receipts).enumerate() {
        assert_eq!(qty(&ours_r["cumulativeGasUsed"]), qty(&ref_r["cumulativeGasUsed"]), "{name}: receipt {i} gas");
        let success = ref_r["succeeded"].as_bool().unwrap();
        assert_eq!(qty(&ours_r["status"]), u128::from(success), "{name}: receipt {i} status");
        assert_eq!(ours_r["transactionHash"], ref_r["transactionHash"], "{name}: receipt {i} hash");
    }
    assert_eq!(o["rejected"], r["rejected"], "{name}: rejected");
    assert_eq!(normalize_alloc(&ours.alloc), normalize_alloc(&reference.alloc), "{name}: post-state alloc");
    let _ = std::fs::remove_dir_all(&dir);
    (ours, reference)
}

fn storage(alloc: &Value, address: &str, slot: &str) -> Option<String> {
    let account = alloc.as_object().unwrap().iter().find(|(a, _)| a.eq_ignore_ascii_case(address))?.1;
    let storage = account.get("storage")?.as_object()?;
    storage.iter().find(|(k, _)| qty(&json!(k)) == qty(&json!(slot))).map(|(_, v)| v.as_str().unwrap().to_string())
}

fn code(alloc: &Value, address: &str) -> String {
    alloc
        .as_object()
        .unwrap()
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(address))
        .map_or(String::new(), |(_, acc)| acc.get("code").and_then(Value::as_str).unwrap_or("0x").to_lowercase())
}

/// EIP-7702 and EIP-7623 under Prague: D delegates to the delegate contract in a type-4
/// transaction that calls D (the delegated code runs in D's account); in the same list an
/// authorization for another chain is skipped and one for any chain (id 0) from B is applied;
/// then C calls B (delegated), A sends 1,000 nonzero calldata bytes to an account without
/// code (the calldata floor, 61,000 gas, exceeds its intrinsic gas), and C clears D's
/// delegation by authorizing the zero address.
#[test]
fn set_code_transactions_and_the_calldata_floor_match_the_reference() {
    let big_calldata = format!("0x{}", "ab".repeat(1000));
    let txs = vec![
        tx_7702(
            KEY_A,
            0,
            ADDR_D,
            "0x7",
            vec![
                authorization(KEY_D, 1, DELEGATE, 1),
                authorization(KEY_C, 5, DELEGATE, 0),
                authorization(KEY_B, 0, DELEGATE, 3),
            ],
        ),
        tx_1559(KEY_C, 0, ADDR_B, "0x5", "0x", 100_000),
        tx_1559(KEY_A, 1, ADDR_C, "0x0", &big_calldata, 70_000),
        tx_7702(
            KEY_C,
            1,
            ADDR_A,
            "0x0",
            vec![authorization(KEY_D, 1, "0x0000000000000000000000000000000000000000", 2)],
        ),
    ];
    let (ours, _) = compare("prague-7702", "Prague", txs);
    let receipts = ours.result["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 4);
    assert!(receipts.iter().all(|r| r["status"] == "0x1"), "{receipts:?}");
    // The floor: 21,000 + 10 × 4 × 1,000.
    assert_eq!(qty(&receipts[2]["gasUsed"]), 61_000);
    let designator = format!("0xef0100{}", DELEGATE.trim_start_matches("0x"));
    assert_eq!(code(&ours.alloc, ADDR_B), designator, "B delegates");
    assert_eq!(code(&ours.alloc, ADDR_D), "0x", "D's delegation is cleared");
    assert_eq!(storage(&ours.alloc, ADDR_D, "0x0").as_deref().map(|v| qty(&json!(v))), Some(42));
    assert_eq!(storage(&ours.alloc, ADDR_B, "0x1").as_deref().map(|v| qty(&json!(v))), Some(5));
    assert!(storage(&ours.alloc, DELEGATE, "0x0").is_none(), "the delegate's own storage is untouched");
}

/// A G1 point of BLS12-381 in EIP-2537's encoding: two 64-byte field elements.
const G1_GENERATOR: &str = concat!(
    "0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
    "0000000000000000000000000000000008b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1",
);

fn precompile_call(key: &str, nonce: u64, precompile: u16, input: &str) -> Value {
    tx_1559(key, nonce, CALLER, "0x0", &format!("0x{precompile:064x}{input}"), 400_000)
}

/// EIP-2537 under Prague, called from an EVM contract: G1ADD of the generator to itself,
/// G1ADD of a point off the curve (fails), G1MSM of the generator by 2, MAP_FP_TO_G1 of 1,
/// and PAIRING_CHECK of nothing (an error).
#[test]
fn bls12_381_calls_match_the_reference() {
    let off_curve = format!("{:0>128}{:0>128}", "1", "1");
    let scalar_two = format!("{:0>64}", "2");
    let txs = vec![
        precompile_call(KEY_A, 0, 0x0b, &format!("{G1_GENERATOR}{G1_GENERATOR}")),
        precompile_call(KEY_A, 1, 0x0b, &format!("{off_curve}{G1_GENERATOR}")),
        precompile_call(KEY_A, 2, 0x0c, &format!("{G1_GENERATOR}{scalar_two}")),
        precompile_call(KEY_A, 3, 0x10, &format!("{:0>128}", "1")),
        precompile_call(KEY_A, 4, 0x0f, ""),
    ];
    let (ours, _) = compare("prague-bls", "Prague", txs);
    // A failing precompile consumes the gas it was given: 63/64 of the caller's, too little
    // left to store the results, so those transactions fail; the others store success and
    // 128 bytes of output (a G1 point).
    let status: Vec<u128> = ours.result["receipts"].as_array().unwrap().iter().map(|r| qty(&r["status"])).collect();
    assert_eq!(status, [1, 0, 1, 1, 0]);
    let slot = |n: &str| storage(&ours.alloc, CALLER, n).as_deref().map(|v| qty(&json!(v)));
    assert_eq!((slot("0x0"), slot("0x1")), (Some(1), Some(128)));
}

/// Osaka: P256VERIFY (EIP-7951) on a valid signature and on a tampered one, and CLZ
/// (EIP-7939) of 1 and of 0.
#[test]
fn p256verify_and_clz_match_the_reference_under_osaka() {
    let valid = "bb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca6050232ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e184cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd762927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e";
    let tampered = format!("{}00", &valid[..valid.len() - 2]);
    let txs = vec![
        precompile_call(KEY_A, 0, 0x100, valid),
        tx_1559(KEY_B, 3, CLZ, "0x0", &format!("0x{:064x}", 1), 100_000),
        precompile_call(KEY_A, 1, 0x100, &tampered),
        tx_1559(KEY_B, 4, CLZ, "0x0", &format!("0x{:064x}", 0), 100_000),
    ];
    let (ours, _) = compare("osaka-p256-clz", "Osaka", txs);
    // The last CLZ was of zero: 256.
    assert_eq!(storage(&ours.alloc, CLZ, "0x0").as_deref().map(|v| qty(&json!(v))), Some(256));
}
