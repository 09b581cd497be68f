//! The inputs of a state transition, read from the JSON of the t8n tools: the pre-state
//! (`alloc`), the block environment (`env`) and the transactions (`txs`).

use std::collections::BTreeMap;

use alloy_eips::eip4895::Withdrawal;
use host_abi::envelope::{self, Envelope};
use serde_json::{Map, Value};
use wasm_runtime::env::{AccessListItem, Authorization, BlockEnv, TxEnv};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Bytes, B256, U256};
use wasm_runtime::tx::{self, UnsignedTx};

use crate::error::{Error, Result};
use crate::json::{join, optional, parse_hex, Reader};

/// The block environment and what surrounds the transactions.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// What the system layer sees (its `chain_id` comes from `--state.chainid`).
    pub block: BlockEnv,
    /// EIP-4895 withdrawals, credited after the transactions.
    pub withdrawals: Vec<Withdrawal>,
    /// EIP-4788: the parent beacon block root, stored by the beacon-roots contract.
    pub parent_beacon_block_root: Option<B256>,
    /// The parent's blob gas figures, when `currentExcessBlobGas` is not given: the block's
    /// excess blob gas is derived from them under its fork ([`Env::excess_blob_gas`]).
    pub parent_blob_gas: Option<ParentBlobGas>,
}

/// What EIP-4844 (and EIP-7918 from Osaka on) derives a block's excess blob gas from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParentBlobGas {
    /// `parentExcessBlobGas`.
    pub excess: u64,
    /// `parentBlobGasUsed`.
    pub used: u64,
    /// `parentBaseFee` (EIP-7918's reserve price; 0 when not given).
    pub base_fee: u64,
}

impl Env {
    /// The block's excess blob gas: `currentExcessBlobGas`, or derived from the parent's
    /// figures with the blob parameters of the block's fork.
    pub fn excess_blob_gas(&self) -> u64 {
        match self.parent_blob_gas {
            Some(p) => self.block.fork.excess_blob_gas(p.excess, p.used, p.base_fee),
            None => self.block.excess_blob_gas,
        }
    }
}

/// One transaction of the input list.
#[derive(Clone, Debug)]
pub struct TxInput {
    /// The transaction to execute, or why it cannot be (it is then rejected).
    pub tx: std::result::Result<TxEnv, tx::TxError>,
    /// Its EIP-2718 encoding, when it is a signed transaction (for `txRoot` and the body).
    pub encoded: Option<Bytes>,
}

/// Reads an alloc: `{address: {balance, nonce, code, storage}}`.
///
/// `code` is EVM bytecode, or an envelope (`0xEF5A…`): either its deploy form (header,
/// constants, code section; stored as the account's code and constants) or the stored form
/// that an account keeps (header and code section).
pub fn alloc(r: Reader, v: &Value, path: &str) -> Result<MemoryDb> {
    let mut db = MemoryDb::default();
    for (key, account) in r.object(path, v)? {
        let at = join(path, key);
        let address = crate::json::parse_address(key).map_err(|m| r.error(&at, m))?;
        let account = r.object(&at, account)?;
        let mut info = AccountInfo::default();
        if let Some(balance) = optional(account, "balance") {
            info.balance = r.u256(&join(&at, "balance"), balance)?;
        }
        if let Some(nonce) = optional(account, "nonce") {
            info.nonce = r.u64(&join(&at, "nonce"), nonce)?;
        }
        if let Some(code) = optional(account, "code") {
            let field = join(&at, "code");
            let (code, constants) = account_code(r.bytes(&field, code)?).map_err(|m| r.error(&field, m))?;
            info.set_code(code);
            info.constants = constants;
        }
        let mut storage = BTreeMap::new();
        if let Some(slots) = optional(account, "storage") {
            let field = join(&at, "storage");
            for (slot, value) in r.object(&field, slots)? {
                let slot_field = join(&field, slot);
                let key = crate::json::parse_quantity(slot).map_err(|m| r.error(&slot_field, m))?;
                storage.insert(key, r.u256(&slot_field, value)?);
            }
        }
        db.insert(address, info, storage);
    }
    Ok(db)
}

/// Splits alloc code into the code an account stores and its constants area.
pub fn account_code(code: Bytes) -> std::result::Result<(Bytes, Bytes), String> {
    if !envelope::is_envelope(&code) {
        return Ok((code, Bytes::new()));
    }
    match Envelope::parse(&code) {
        Ok((parsed, [])) => {
            let mut stored = parsed.header().to_vec();
            stored.extend_from_slice(parsed.code);
            Ok((stored.into(), Bytes::copy_from_slice(parsed.constants)))
        }
        Ok((_, rest)) => Err(format!("{} bytes follow the envelope", rest.len())),
        Err(_) if envelope::parse_stored_code(&code).is_some() => Ok((code, Bytes::new())),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads an env. Missing `currentRandom` falls back to `currentDifficulty`, then zero;
/// a missing `currentBaseFee` is derived from `parentBaseFee`, `parentGasUsed` and
/// `parentGasLimit` (EIP-1559), a missing `currentExcessBlobGas` from
/// `parentExcessBlobGas`, `parentBlobGasUsed` and `parentBaseFee` (EIP-4844 with the
/// fork's blob parameters, EIP-7918 from Osaka on: [`Env::excess_blob_gas`]).
pub fn env(r: Reader, v: &Value, path: &str) -> Result<Env> {
    let obj = r.object(path, v)?;
    let get = |key: &str| r.required(obj, path, key);
    let field = |key: &str| join(path, key);
    let mut block = BlockEnv {
        coinbase: r.address(&field("currentCoinbase"), get("currentCoinbase")?)?,
        gas_limit: r.u64(&field("currentGasLimit"), get("currentGasLimit")?)?,
        number: r.u64(&field("currentNumber"), get("currentNumber")?)?,
        timestamp: r.u64(&field("currentTimestamp"), get("currentTimestamp")?)?,
        ..BlockEnv::default()
    };
    let random = optional(obj, "currentRandom")
        .map(|v| (field("currentRandom"), v))
        .or_else(|| optional(obj, "currentDifficulty").map(|v| (field("currentDifficulty"), v)));
    if let Some((name, value)) = random {
        block.prev_randao = B256::from(r.u256(&name, value)?);
    }
    block.base_fee = match optional(obj, "currentBaseFee") {
        Some(fee) => r.u256(&field("currentBaseFee"), fee)?,
        None => match (optional(obj, "parentBaseFee"), optional(obj, "parentGasUsed"), optional(obj, "parentGasLimit"))
        {
            (Some(fee), Some(used), Some(limit)) => next_base_fee(
                r.u256(&field("parentBaseFee"), fee)?,
                r.u64(&field("parentGasUsed"), used)?,
                r.u64(&field("parentGasLimit"), limit)?,
            ),
            (None, None, None) => U256::ZERO,
            _ => {
                return Err(r.error(
                    &field("currentBaseFee"),
                    "missing, and parentBaseFee, parentGasUsed and parentGasLimit are not all given",
                ))
            }
        },
    };
    let mut parent_blob_gas = None;
    block.excess_blob_gas = match optional(obj, "currentExcessBlobGas") {
        Some(excess) => r.u64(&field("currentExcessBlobGas"), excess)?,
        None => {
            let parent_excess = optional(obj, "parentExcessBlobGas")
                .map(|v| r.u64(&field("parentExcessBlobGas"), v))
                .transpose()?
                .unwrap_or(0);
            let parent_used = optional(obj, "parentBlobGasUsed")
                .map(|v| r.u64(&field("parentBlobGasUsed"), v))
                .transpose()?
                .unwrap_or(0);
            // The specification adds them as 64-bit integers and fails on overflow.
            parent_excess.checked_add(parent_used).ok_or_else(|| {
                r.error(
                    &field("parentBlobGasUsed"),
                    format!(
                        "parentExcessBlobGas {parent_excess} + parentBlobGasUsed {parent_used} does not fit in 64 bits"
                    ),
                )
            })?;
            // EIP-7918's reserve price reads the parent's base fee (clamped to 2^64 - 1).
            let base_fee = optional(obj, "parentBaseFee")
                .map(|v| r.u256(&field("parentBaseFee"), v))
                .transpose()?
                .map_or(0, |fee| u64::try_from(fee).unwrap_or(u64::MAX));
            let parent = ParentBlobGas { excess: parent_excess, used: parent_used, base_fee };
            parent_blob_gas = Some(parent);
            // Under the default fork; [`Env::excess_blob_gas`] derives it under the block's.
            block.fork.excess_blob_gas(parent.excess, parent.used, parent.base_fee)
        }
    };
    if let Some(hashes) = optional(obj, "blockHashes") {
        let at = field("blockHashes");
        for (number, hash) in r.object(&at, hashes)? {
            let name = join(&at, number);
            let n = crate::json::parse_quantity(number).map_err(|m| r.error(&name, m))?;
            let n = u64::try_from(n).map_err(|_| r.error(&name, "block number does not fit in 64 bits"))?;
            block.block_hashes.push((n, r.b256(&name, hash)?));
        }
    }
    let mut withdrawals = Vec::new();
    if let Some(list) = optional(obj, "withdrawals") {
        let at = field("withdrawals");
        for (i, w) in r.array(&at, list)?.iter().enumerate() {
            let wat = format!("{at}[{i}]");
            let w = r.object(&wat, w)?;
            let num = |key: &str| r.u64(&join(&wat, key), r.required(w, &wat, key)?);
            withdrawals.push(Withdrawal {
                index: num("index")?,
                validator_index: num("validatorIndex")?,
                address: r.address(&join(&wat, "address"), r.required(w, &wat, "address")?)?,
                amount: num("amount")?,
            });
        }
    }
    let parent_beacon_block_root =
        optional(obj, "parentBeaconBlockRoot").map(|v| r.b256(&field("parentBeaconBlockRoot"), v)).transpose()?;
    Ok(Env { block, withdrawals, parent_beacon_block_root, parent_blob_gas })
}

/// EIP-1559: the base fee of the block after a parent with the given figures.
pub fn next_base_fee(parent_base_fee: U256, parent_gas_used: u64, parent_gas_limit: u64) -> U256 {
    let target = parent_gas_limit / 2;
    if target == 0 || parent_gas_used == target {
        return parent_base_fee;
    }
    let denominator = U256::from(8u64) * U256::from(target);
    if parent_gas_used > target {
        let delta = parent_base_fee * U256::from(parent_gas_used - target) / denominator;
        parent_base_fee + delta.max(U256::from(1))
    } else {
        let delta = parent_base_fee * U256::from(target - parent_gas_used) / denominator;
        parent_base_fee.saturating_sub(delta)
    }
}

/// How transactions without a signature may be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsigned {
    /// Only signed, or with `secretKey` (the t8n tools).
    Refuse,
    /// Also with an explicit `sender` and no signature (benchmark inputs).
    AllowSender,
}

/// Reads the transactions: a JSON array of transaction objects, or a JSON string holding
/// the hex of an RLP list of signed transactions (as the t8n tools accept).
pub fn txs(r: Reader, v: &Value, path: &str, chain_id: u64, unsigned: Unsigned) -> Result<Vec<TxInput>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => rlp_txs(r.file, s, chain_id),
        Value::Array(list) => {
            list.iter().enumerate().map(|(i, tx)| json_tx(r, tx, &format!("{path}[{i}]"), chain_id, unsigned)).collect()
        }
        other => {
            Err(r.error(path, format!("expected an array or an RLP hex string, found {}", crate::json::kind(other))))
        }
    }
}

/// An RLP list of EIP-2718 transactions (typed ones as byte strings, legacy ones as lists).
pub fn rlp_txs(file: &str, hex: &str, chain_id: u64) -> Result<Vec<TxInput>> {
    let rlp_error = |message: String| Error::Rlp { file: file.into(), message };
    let bytes = parse_hex(hex).map_err(rlp_error)?;
    let mut buf = bytes.as_slice();
    let outer = alloy_rlp::Header::decode(&mut buf).map_err(|e| rlp_error(format!("the transaction list: {e}")))?;
    if !outer.list {
        return Err(rlp_error("expected a list of transactions".into()));
    }
    if outer.payload_length != buf.len() {
        return Err(rlp_error(format!(
            "the list holds {} bytes but {} follow its header",
            outer.payload_length,
            buf.len()
        )));
    }
    let mut out = Vec::new();
    while !buf.is_empty() {
        let index = out.len();
        let start = buf;
        let header = alloy_rlp::Header::decode(&mut buf).map_err(|e| rlp_error(format!("transaction {index}: {e}")))?;
        if header.payload_length > buf.len() {
            return Err(rlp_error(format!("transaction {index} is truncated")));
        }
        let raw = if header.list {
            &start[..start.len() - buf.len() + header.payload_length]
        } else {
            &buf[..header.payload_length]
        };
        buf = &buf[header.payload_length..];
        out.push(TxInput { tx: tx::decode(raw, chain_id), encoded: Some(Bytes::copy_from_slice(raw)) });
    }
    Ok(out)
}

/// One transaction object: signed (`v`, `r`, `s`), to be signed (`secretKey`), or, where
/// allowed, with an explicit `sender`.
fn json_tx(r: Reader, v: &Value, at: &str, chain_id: u64, unsigned: Unsigned) -> Result<TxInput> {
    let obj = r.object(at, v)?;
    let field = |key: &str| join(at, key);
    let get = |key: &str| r.required(obj, at, key);
    // The first of several names (`gas` or `gasLimit`, `input` or `data`).
    let either = |a: &str, b: &str| -> Result<(String, &Value)> {
        optional(obj, a)
            .map(|v| (field(a), v))
            .or_else(|| optional(obj, b).map(|v| (field(b), v)))
            .ok_or_else(|| r.error(&field(a), "missing"))
    };
    let tx_type = match optional(obj, "type") {
        Some(t) => {
            let t = r.u64(&field("type"), t)?;
            u8::try_from(t).map_err(|_| r.error(&field("type"), format!("unknown transaction type {t}")))?
        }
        None if obj.contains_key("authorizationList") => 4,
        None if obj.contains_key("maxFeePerBlobGas") => 3,
        None if obj.contains_key("maxFeePerGas") => 2,
        None if obj.contains_key("accessList") => 1,
        None => 0,
    };
    if tx_type > 4 {
        return Err(r.error(&field("type"), format!("unknown transaction type {tx_type}")));
    }
    let (gas_name, gas) = either("gas", "gasLimit")?;
    let (data_name, data) = either("input", "data")?;
    let mut fields = UnsignedTx {
        tx_type,
        chain_id: optional(obj, "chainId").map(|c| r.u64(&field("chainId"), c)).transpose()?,
        nonce: r.u64(&field("nonce"), get("nonce")?)?,
        gas_limit: r.u64(&gas_name, gas)?,
        to: match optional(obj, "to") {
            None => None,
            Some(Value::String(s)) if s.is_empty() || s == "0x" => None,
            Some(to) => Some(r.address(&field("to"), to)?),
        },
        value: r.u256(&field("value"), get("value")?)?,
        data: r.bytes(&data_name, data)?,
        ..UnsignedTx::default()
    };
    if tx_type <= 1 {
        fields.max_fee_per_gas = r.u128(&field("gasPrice"), get("gasPrice")?)?;
        fields.max_priority_fee_per_gas = fields.max_fee_per_gas;
    } else {
        fields.max_fee_per_gas = r.u128(&field("maxFeePerGas"), get("maxFeePerGas")?)?;
        fields.max_priority_fee_per_gas = r.u128(&field("maxPriorityFeePerGas"), get("maxPriorityFeePerGas")?)?;
    }
    if let Some(list) = optional(obj, "accessList") {
        fields.access_list = access_list(r, list, &field("accessList"))?;
    }
    if tx_type == 3 {
        fields.max_fee_per_blob_gas = r.u128(&field("maxFeePerBlobGas"), get("maxFeePerBlobGas")?)?;
        let at = field("blobVersionedHashes");
        for (i, h) in r.array(&at, get("blobVersionedHashes")?)?.iter().enumerate() {
            fields.blob_hashes.push(r.b256(&format!("{at}[{i}]"), h)?);
        }
    }
    if tx_type == 4 {
        fields.authorization_list = authorization_list(r, get("authorizationList")?, &field("authorizationList"))?;
    }

    let signature = ["v", "r", "s"]
        .iter()
        .map(|k| {
            let name = if *k == "v" && optional(obj, "v").is_none() { "yParity" } else { k };
            optional(obj, name).map(|x| r.u256(&field(name), x)).transpose().map(Option::unwrap_or_default)
        })
        .collect::<Result<Vec<U256>>>()?;
    let signed = signature.iter().any(|x| !x.is_zero());
    let protected = match optional(obj, "protected") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(r.error(&field("protected"), format!("expected a boolean, found {}", crate::json::kind(other))))
        }
    };

    if tx_type != 0 && fields.chain_id.is_none() {
        fields.chain_id = Some(chain_id);
    }
    let envelope = if signed {
        fields.with_signature(signature[0], signature[1], signature[2])
    } else if let Some(key) = optional(obj, "secretKey") {
        let secret = r.b256(&field("secretKey"), key)?;
        if tx_type == 0 && !protected {
            fields.chain_id = None;
        } else if fields.chain_id.is_none() {
            fields.chain_id = Some(chain_id);
        }
        fields.sign(&secret)
    } else if let (Some(sender), Unsigned::AllowSender) = (optional(obj, "sender"), unsigned) {
        let sender = r.address(&field("sender"), sender)?;
        return Ok(TxInput { tx: fields.with_sender(sender, chain_id), encoded: None });
    } else {
        let what =
            if unsigned == Unsigned::AllowSender { "v, r, s, secretKey or sender" } else { "v, r, s or secretKey" };
        return Err(r.error(at, format!("unsigned transaction: give {what}")));
    };
    Ok(match envelope {
        Ok(envelope) => TxInput { tx: tx::recover(&envelope, chain_id), encoded: Some(tx::encode(&envelope).into()) },
        Err(e) => TxInput { tx: Err(e), encoded: None },
    })
}

/// An EIP-7702 authorization list: `chainId`, `address`, `nonce`, `yParity` (or `v`), `r`,
/// `s` each; the authorities are recovered from the signatures.
fn authorization_list(r: Reader, v: &Value, at: &str) -> Result<Vec<Authorization>> {
    let mut out = Vec::new();
    for (i, item) in r.array(at, v)?.iter().enumerate() {
        let iat = format!("{at}[{i}]");
        let obj: &Map<String, Value> = r.object(&iat, item)?;
        let get = |key: &str| r.required(obj, &iat, key);
        let parity_name = if optional(obj, "yParity").is_some() { "yParity" } else { "v" };
        let parity = r.u64(&join(&iat, parity_name), get(parity_name)?)?;
        let y_parity = u8::try_from(parity)
            .map_err(|_| r.error(&join(&iat, parity_name), format!("y parity {parity} does not fit 8 bits")))?;
        out.push(Authorization::signed(
            r.u256(&join(&iat, "chainId"), get("chainId")?)?,
            r.address(&join(&iat, "address"), get("address")?)?,
            r.u64(&join(&iat, "nonce"), get("nonce")?)?,
            y_parity,
            r.u256(&join(&iat, "r"), get("r")?)?,
            r.u256(&join(&iat, "s"), get("s")?)?,
        ));
    }
    Ok(out)
}

fn access_list(r: Reader, v: &Value, at: &str) -> Result<Vec<AccessListItem>> {
    let mut out = Vec::new();
    for (i, item) in r.array(at, v)?.iter().enumerate() {
        let iat = format!("{at}[{i}]");
        let obj: &Map<String, Value> = r.object(&iat, item)?;
        let address = r.address(&join(&iat, "address"), r.required(obj, &iat, "address")?)?;
        let kat = join(&iat, "storageKeys");
        let mut storage_keys = Vec::new();
        if let Some(keys) = optional(obj, "storageKeys") {
            for (j, key) in r.array(&kat, keys)?.iter().enumerate() {
                storage_keys.push(r.b256(&format!("{kat}[{j}]"), key)?);
            }
        }
        out.push(AccessListItem { address, storage_keys });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use wasm_runtime::fork::Fork;

    use super::*;

    #[test]
    fn base_fee_follows_eip1559() {
        let gwei = U256::from(1_000_000_000u64);
        assert_eq!(next_base_fee(gwei, 15_000_000, 30_000_000), gwei);
        assert_eq!(next_base_fee(gwei, 30_000_000, 30_000_000), U256::from(1_125_000_000u64));
        assert_eq!(next_base_fee(gwei, 0, 30_000_000), U256::from(875_000_000u64));
        // The increase is at least 1 wei.
        assert_eq!(next_base_fee(U256::from(7), 15_000_001, 30_000_000), U256::from(8));
    }

    #[test]
    fn alloc_code_forms() {
        let evm = Bytes::from_static(&[0x60, 0x01, 0x00]);
        assert_eq!(account_code(evm.clone()), Ok((evm, Bytes::new())));
        let wasm = b"\0asm\x01\0\0\0";
        let deploy = Envelope { kind: envelope::Kind::Wasm, version: 0, constants: &[7, 7, 7], code: wasm };
        let mut bytes = vec![0u8; deploy.encoded_len()];
        deploy.encode_into(&mut bytes).unwrap();
        let (code, constants) = account_code(bytes.clone().into()).unwrap();
        assert_eq!(&code[..4], &[0xEF, 0x5A, 1, 0]);
        assert_eq!(&code[4..], wasm);
        assert_eq!(&constants[..], &[7, 7, 7]);
        // The stored form reads as it is, without constants.
        assert_eq!(account_code(code.clone()), Ok((code, Bytes::new())));
        // Trailing bytes and unknown kinds are errors.
        bytes.push(0);
        assert!(account_code(bytes.into()).unwrap_err().contains("follow the envelope"));
        assert!(account_code(Bytes::from_static(&[0xEF, 0x5A, 9, 0, 0])).unwrap_err().contains("unknown kind"));
    }

    #[test]
    fn env_derives_base_fee_and_excess_blob_gas() {
        let v = serde_json::json!({
            "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
            "currentGasLimit": "30000000",
            "currentNumber": "1",
            "currentTimestamp": "1000",
            "parentBaseFee": "0x3b9aca00",
            "parentGasUsed": "0x1c9c380",
            "parentGasLimit": "0x1c9c380",
            "parentExcessBlobGas": "0x60000",
            "parentBlobGasUsed": "0x40000",
            "blockHashes": { "0": "0x1111111111111111111111111111111111111111111111111111111111111111" }
        });
        let mut env = env(Reader::new("env.json"), &v, "").unwrap();
        assert_eq!(env.block.base_fee, U256::from(1_125_000_000u64));
        // Cancun's target is 3 blobs (393216 blob gas); Prague's and Osaka's 6 (786432),
        // above the parent's 0x60000 + 0x40000 = 655360.
        env.block.fork = Fork::Cancun;
        assert_eq!(env.excess_blob_gas(), 0x60000 + 0x40000 - 393_216);
        env.block.fork = Fork::Prague;
        assert_eq!(env.excess_blob_gas(), 0);
        assert_eq!(env.block.block_hash(0), B256::repeat_byte(0x11));
        let mut partial = v.clone();
        partial.as_object_mut().unwrap().remove("parentGasUsed");
        let e = super::env(Reader::new("env.json"), &partial, "").unwrap_err();
        assert!(e.to_string().contains("currentBaseFee"), "{e}");
    }

    /// A t8n set-code transaction (type 4) with an authorization list: signed with its
    /// secret key, its authorizations' authorities recovered, and its encoding decoding back
    /// to the same list; a y parity past 255 and a missing list are refused with the field.
    #[test]
    fn set_code_transaction_with_authorizations() {
        // The first authorization of EEST's test_account_warming and its signer.
        let auth = serde_json::json!({
            "chainId": "0x00",
            "address": "0xfbe95a58917d8536842271e6c811ad8ab4d12280",
            "nonce": "0x00",
            "yParity": "0x01",
            "r": "0x4f15ccc0d9bf3764fbd1d8ca5080bed22e1aca53c61134017502c78b4a1bbf44",
            "s": "0x06c20bfe36dc74f3e0175bc9e5b7aac3dc6b2be918b48c26c30a947bd36392bd"
        });
        let tx = serde_json::json!({
            "type": "0x04", "chainId": "0x01", "nonce": "0x00", "gas": "0x0f4240",
            "maxFeePerGas": "0x07", "maxPriorityFeePerGas": "0x00",
            "to": "0x308d4fb82c3d5fc05022dad61266a0759ec4b73d", "value": "0x00", "input": "0x",
            "accessList": [], "authorizationList": [auth.clone()],
            "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
        });
        let r = Reader::new("txs.json");
        let input = json_tx(r, &tx, "[0]", 1, Unsigned::Refuse).unwrap();
        let env = input.tx.expect("a valid transaction");
        assert_eq!(env.tx_type, 4);
        assert_eq!(env.authorization_list.len(), 1);
        let signer: wasm_runtime::primitives::Address = "0x4c27a74c25067330da74487a844de15e7747b7ee".parse().unwrap();
        assert_eq!(env.authorization_list[0].authority, Some(signer));
        let decoded = tx::decode(&input.encoded.expect("signed"), 1).unwrap();
        assert_eq!(decoded, env);
        let mut bad = tx.clone();
        bad["authorizationList"][0]["yParity"] = "0x100".into();
        let e = json_tx(r, &bad, "[0]", 1, Unsigned::Refuse).unwrap_err();
        assert!(e.to_string().contains("authorizationList[0].yParity"), "{e}");
        let mut missing = tx;
        missing.as_object_mut().unwrap().remove("authorizationList");
        missing["type"] = "0x04".into();
        let e = json_tx(r, &missing, "[0]", 1, Unsigned::Refuse).unwrap_err();
        assert!(e.to_string().contains("authorizationList"), "{e}");
    }
}
