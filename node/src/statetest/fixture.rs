//! Reading GeneralStateTests JSON: the pre-state, the environment, the transaction matrix and
//! the expected post-states of one fork.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use serde_json::Value;
use wasm_runtime::env::{AccessListItem, Authorization, BlockEnv, TxEnv};
use wasm_runtime::platform::{AccountInfo, MemoryDb};

/// One expected result: indexes into the transaction matrix and the post-state.
#[derive(Clone, Debug)]
pub struct PostCase {
    pub data: usize,
    pub gas: usize,
    pub value: usize,
    pub hash: B256,
    pub logs: B256,
    pub expect_exception: Option<String>,
}

/// One test of a file.
#[derive(Clone, Debug)]
pub struct StateTest {
    pub name: String,
    pub pre: MemoryDb,
    pub block: BlockEnv,
    pub tx: Value,
    pub posts: Vec<PostCase>,
}

type R<T> = Result<T, String>;

fn field<'a>(v: &'a Value, name: &str) -> R<&'a Value> {
    v.get(name).ok_or_else(|| format!("missing field `{name}`"))
}

fn str_of<'a>(v: &'a Value, what: &str) -> R<&'a str> {
    v.as_str().ok_or_else(|| format!("`{what}` is not a string"))
}

fn strip(s: &str) -> &str {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s)
}

pub fn u256(v: &Value, what: &str) -> R<U256> {
    let s = str_of(v, what)?;
    let h = strip(s);
    if h.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(h, 16).map_err(|e| format!("`{what}`: bad quantity {s}: {e}"))
}

pub fn u64_of(v: &Value, what: &str) -> R<u64> {
    let x = u256(v, what)?;
    u64::try_from(x).map_err(|_| format!("`{what}` does not fit 64 bits"))
}

pub fn bytes(v: &Value, what: &str) -> R<Bytes> {
    let s = str_of(v, what)?;
    hex::decode(strip(s)).map(Bytes::from).map_err(|e| format!("`{what}`: bad hex: {e}"))
}

pub fn b256(v: &Value, what: &str) -> R<B256> {
    let b = bytes(v, what)?;
    if b.len() > 32 {
        return Err(format!("`{what}` longer than 32 bytes"));
    }
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    Ok(B256::from(out))
}

pub fn address(v: &Value, what: &str) -> R<Address> {
    let b = bytes(v, what)?;
    if b.len() != 20 {
        return Err(format!("`{what}` is not a 20-byte address"));
    }
    Ok(Address::from_slice(&b))
}

fn pre_state(pre: &Value) -> R<MemoryDb> {
    let mut db = MemoryDb::default();
    let accounts = pre.as_object().ok_or("`pre` is not an object")?;
    for (addr, acc) in accounts {
        let address = address(&Value::String(addr.clone()), "pre address")?;
        let mut info =
            AccountInfo::with_balance(u256(field(acc, "balance")?, "balance")?, u64_of(field(acc, "nonce")?, "nonce")?);
        info.set_code(bytes(field(acc, "code")?, "code")?);
        let mut storage = BTreeMap::new();
        if let Some(slots) = acc.get("storage").and_then(Value::as_object) {
            for (k, v) in slots {
                storage.insert(u256(&Value::String(k.clone()), "storage key")?, u256(v, "storage value")?);
            }
        }
        db.insert(address, info, storage);
    }
    Ok(db)
}

/// The block hash state tests use for block `n`: keccak256 of its decimal string.
pub fn test_block_hash(n: u64) -> B256 {
    keccak256(n.to_string().as_bytes())
}

fn block_env(env: &Value, fork: &str) -> R<BlockEnv> {
    let fork = wasm_runtime::fork::Fork::parse(fork).ok_or_else(|| format!("unknown fork `{fork}`"))?;
    let opt_u64 = |name: &str| env.get(name).map(|v| u64_of(v, name)).transpose();
    let number = u64_of(field(env, "currentNumber")?, "currentNumber")?;
    let prev_randao = match env.get("currentRandom") {
        Some(v) => b256(v, "currentRandom")?,
        None => b256(field(env, "currentDifficulty")?, "currentDifficulty")?,
    };
    Ok(BlockEnv {
        number,
        timestamp: u64_of(field(env, "currentTimestamp")?, "currentTimestamp")?,
        coinbase: address(field(env, "currentCoinbase")?, "currentCoinbase")?,
        gas_limit: u64_of(field(env, "currentGasLimit")?, "currentGasLimit")?,
        base_fee: env
            .get("currentBaseFee")
            .map(|v| u256(v, "currentBaseFee"))
            .transpose()?
            .unwrap_or(U256::from(10u64)),
        prev_randao,
        chain_id: 1,
        excess_blob_gas: opt_u64("currentExcessBlobGas")?.unwrap_or(0),
        block_hashes: (number.saturating_sub(256)..number).map(|n| (n, test_block_hash(n))).collect(),
        fork,
    })
}

/// One named entry of a state-test file, as it concerns one fork.
#[derive(Clone, Debug)]
pub enum Entry {
    /// A test with post-states for the fork.
    Test(Box<StateTest>),
    /// A well-formed test without post-states for the fork: the forks it has instead.
    OtherForks { name: String, forks: Vec<String> },
    /// An entry that is not a well-formed state test, and why.
    Bad { name: String, error: String },
}

/// Reads the tests of a file for `fork`. The file must be a JSON object (no key given
/// twice) of named tests, each with `env`, `pre`, `transaction` and `post`; an error here is
/// about the whole file, an entry that is not a state test is an [`Entry::Bad`].
pub fn read_file(text: &str, fork: &str) -> R<Vec<Entry>> {
    let root = crate::json::parse_strict(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(tests) = root else {
        return Err(format!(
            "not a state-test file: expected an object of named tests, found {}",
            crate::json::kind(&root)
        ));
    };
    if tests.is_empty() {
        return Err("not a state-test file: the object holds no tests".into());
    }
    Ok(tests
        .into_iter()
        .map(|(name, t)| match read_test(&name, &t, fork) {
            Ok(entry) => entry,
            Err(error) => Entry::Bad { name, error },
        })
        .collect())
}

fn read_test(name: &str, t: &Value, fork: &str) -> R<Entry> {
    if !t.is_object() {
        return Err(format!(
            "not a state test: expected an object with `env`, `pre`, `transaction` and `post`, found {}",
            crate::json::kind(t)
        ));
    }
    // A blockchain test or a transaction test has other fields: say what this is not.
    let required = |name: &str| field(t, name).map_err(|e| format!("not a state test: {e}"));
    let post = required("post")?.as_object().ok_or("`post` is not an object")?;
    let env = required("env")?;
    let pre = required("pre")?;
    let tx = required("transaction")?;
    let Some(posts) = post.get(fork) else {
        return Ok(Entry::OtherForks { name: name.to_string(), forks: post.keys().cloned().collect() });
    };
    let posts = posts
        .as_array()
        .ok_or_else(|| format!("`post.{fork}` is not an array"))?
        .iter()
        .map(|p| {
            let idx = field(p, "indexes")?;
            let index = |n: &str| {
                field(idx, n)?.as_u64().and_then(|x| usize::try_from(x).ok()).ok_or_else(|| format!("bad index {n}"))
            };
            Ok(PostCase {
                data: index("data")?,
                gas: index("gas")?,
                value: index("value")?,
                hash: b256(field(p, "hash")?, "hash")?,
                logs: b256(field(p, "logs")?, "logs")?,
                expect_exception: p.get("expectException").and_then(Value::as_str).map(str::to_string),
            })
        })
        .collect::<R<Vec<_>>>()?;
    Ok(Entry::Test(Box::new(StateTest {
        name: name.to_string(),
        pre: pre_state(pre)?,
        block: block_env(env, fork)?,
        tx: tx.clone(),
        posts,
    })))
}

/// The transaction of one post case.
pub fn tx_env(tx: &Value, case: &PostCase) -> R<TxEnv> {
    let pick = |name: &str, i: usize| -> R<&Value> {
        field(tx, name)?.as_array().and_then(|a| a.get(i)).ok_or_else(|| format!("`{name}[{i}]` missing"))
    };
    let caller = match tx.get("sender") {
        Some(s) => address(s, "sender")?,
        None => {
            let key = b256(field(tx, "secretKey")?, "secretKey")?;
            wasm_runtime::tx::secret_key_address(&key).map_err(|e| format!("secretKey: {e}"))?
        }
    };
    let to = match tx.get("to").and_then(Value::as_str) {
        None | Some("") => None,
        Some(s) => Some(address(&Value::String(s.into()), "to")?),
    };
    let access_list = match tx.get("accessLists").and_then(Value::as_array).and_then(|a| a.get(case.data)) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                Ok(AccessListItem {
                    address: address(field(item, "address")?, "accessList address")?,
                    storage_keys: field(item, "storageKeys")?
                        .as_array()
                        .ok_or("storageKeys is not an array")?
                        .iter()
                        .map(|k| b256(k, "storage key"))
                        .collect::<R<Vec<_>>>()?,
                })
            })
            .collect::<R<Vec<_>>>()?,
        _ => Vec::new(),
    };
    let has_access_list =
        matches!(tx.get("accessLists").and_then(Value::as_array).and_then(|a| a.get(case.data)), Some(Value::Array(_)));
    let blob_hashes = match tx.get("blobVersionedHashes").and_then(Value::as_array) {
        Some(hs) => hs.iter().map(|h| b256(h, "blob hash")).collect::<R<Vec<_>>>()?,
        None => Vec::new(),
    };
    let authorization_list = match tx.get("authorizationList") {
        None | Some(Value::Null) => None,
        Some(list) => Some(
            list.as_array()
                .ok_or("`authorizationList` is not an array")?
                .iter()
                .enumerate()
                .map(|(i, auth)| authorization(auth).map_err(|e| format!("authorizationList[{i}]: {e}")))
                .collect::<R<Vec<_>>>()?,
        ),
    };
    let (tx_type, max_fee, priority) = if let Some(max_fee) = tx.get("maxFeePerGas") {
        let ty = if tx.get("blobVersionedHashes").is_some() {
            3
        } else if authorization_list.is_some() {
            4
        } else {
            2
        };
        (ty, u256(max_fee, "maxFeePerGas")?, u256(field(tx, "maxPriorityFeePerGas")?, "maxPriorityFeePerGas")?)
    } else {
        let price = u256(field(tx, "gasPrice")?, "gasPrice")?;
        (if has_access_list { 1 } else { 0 }, price, price)
    };
    let gas_limit = u256(pick("gasLimit", case.gas)?, "gasLimit")?;
    let gas_limit = u64::try_from(gas_limit).map_err(|_| format!("gas limit {gas_limit} exceeds 2^64 - 1"))?;
    Ok(TxEnv {
        tx_type,
        caller,
        nonce: u64_of(field(tx, "nonce")?, "nonce")?,
        gas_limit,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: priority,
        to,
        value: u256(pick("value", case.value)?, "value")?,
        data: bytes(pick("data", case.data)?, "data")?,
        access_list,
        blob_hashes,
        max_fee_per_blob_gas: tx
            .get("maxFeePerBlobGas")
            .map(|v| u256(v, "maxFeePerBlobGas"))
            .transpose()?
            .unwrap_or_default(),
        authorization_list: authorization_list.unwrap_or_default(),
        hash: B256::ZERO,
    })
}

/// One EIP-7702 authorization: `chainId`, `address`, `nonce`, `yParity` (or `v`), `r`, `s`.
/// Its authority is recovered from the signature (the fixtures' `signer` is not trusted); a
/// field that no transaction can encode (a nonce past 2^64 − 1, a y parity past 255) makes
/// the transaction unbuildable.
fn authorization(auth: &Value) -> R<Authorization> {
    let y_parity = u256(auth.get("yParity").or_else(|| auth.get("v")).ok_or("missing field `yParity`")?, "yParity")?;
    let y_parity = u8::try_from(y_parity).map_err(|_| format!("`yParity` {y_parity} does not fit 8 bits"))?;
    Ok(Authorization::signed(
        u256(field(auth, "chainId")?, "chainId")?,
        address(field(auth, "address")?, "address")?,
        u64_of(field(auth, "nonce")?, "nonce")?,
        y_parity,
        u256(field(auth, "r")?, "r")?,
        u256(field(auth, "s")?, "s")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> PostCase {
        PostCase { data: 0, gas: 0, value: 0, hash: B256::ZERO, logs: B256::ZERO, expect_exception: None }
    }

    /// The transaction of EEST's `test_account_warming` (Prague), cut to one authorization:
    /// a set-code transaction whose authority is recovered from the signature (the fixture's
    /// `signer`).
    fn set_code_tx() -> Value {
        serde_json::json!({
            "nonce": "0x00", "maxPriorityFeePerGas": "0x00", "maxFeePerGas": "0x07",
            "gasLimit": ["0x0f4240"], "to": "0x308d4fb82c3d5fc05022dad61266a0759ec4b73d",
            "value": ["0x00"], "data": ["0x"], "accessLists": [[]],
            "authorizationList": [{
                "chainId": "0x00", "address": "0xfbe95a58917d8536842271e6c811ad8ab4d12280", "nonce": "0x00",
                "v": "0x01", "yParity": "0x01",
                "r": "0x4f15ccc0d9bf3764fbd1d8ca5080bed22e1aca53c61134017502c78b4a1bbf44",
                "s": "0x06c20bfe36dc74f3e0175bc9e5b7aac3dc6b2be918b48c26c30a947bd36392bd",
                "signer": "0x4c27a74c25067330da74487a844de15e7747b7ee"
            }],
            "sender": "0x0c4848f99786f3a750cfc6d0cb62e9edf64d31bb",
            "secretKey": "0x227dbf65f89a870e804221c4308d4fb82c3d5fc05022dad61266a0759ec4b73e"
        })
    }

    #[test]
    fn authorization_lists_make_set_code_transactions() {
        let tx = tx_env(&set_code_tx(), &case()).unwrap();
        assert_eq!(tx.tx_type, 4);
        let auth = &tx.authorization_list[0];
        let signer = address(&"0x4c27a74c25067330da74487a844de15e7747b7ee".into(), "signer").unwrap();
        assert_eq!((auth.nonce, auth.y_parity, auth.authority), (0, 1, Some(signer)));
        // An empty list is still a set-code transaction (which the system layer rejects).
        let mut empty = set_code_tx();
        empty["authorizationList"] = serde_json::json!([]);
        assert_eq!(tx_env(&empty, &case()).unwrap().tx_type, 4);
        // Fields no transaction can encode make it unbuildable, naming the field.
        let mut big_nonce = set_code_tx();
        big_nonce["authorizationList"][0]["nonce"] = "0x010000000000000000".into();
        let e = tx_env(&big_nonce, &case()).unwrap_err();
        assert!(e.contains("authorizationList[0]") && e.contains("nonce"), "{e}");
        let mut big_parity = set_code_tx();
        big_parity["authorizationList"][0]["yParity"] = "0x0100".into();
        let e = tx_env(&big_parity, &case()).unwrap_err();
        assert!(e.contains("yParity"), "{e}");
    }
}
