//! The block a test hands to `zkos run`, read independently of zkos: pre-state, environment
//! and transactions, in the types revm uses.

use std::collections::BTreeMap;

use revm::primitives::{keccak256, Address, Bytes, B256, U256};
use serde_json::{Map, Value};

/// An account of the pre-state.
#[derive(Clone, Debug, Default)]
pub struct Account {
    pub balance: U256,
    pub nonce: u64,
    pub code: Bytes,
    pub storage: BTreeMap<U256, U256>,
}

/// The block environment.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub coinbase: Address,
    pub gas_limit: u64,
    pub number: u64,
    pub timestamp: u64,
    pub prev_randao: B256,
    pub base_fee: u64,
    pub excess_blob_gas: u64,
    pub block_hashes: Vec<(u64, B256)>,
    /// Withdrawals: address and amount in wei.
    pub withdrawals: Vec<(Address, U256)>,
    pub parent_beacon_block_root: Option<B256>,
}

/// A transaction, with its sender known.
#[derive(Clone, Debug, Default)]
pub struct Tx {
    pub tx_type: u8,
    pub chain_id: Option<u64>,
    pub sender: Address,
    pub nonce: u64,
    pub gas_limit: u64,
    pub to: Option<Address>,
    pub value: U256,
    pub data: Bytes,
    /// Gas price (legacy, EIP-2930) or max fee per gas.
    pub max_fee: u128,
    /// Max priority fee per gas (EIP-1559 and later).
    pub priority_fee: Option<u128>,
    pub access_list: Vec<(Address, Vec<B256>)>,
    pub blob_hashes: Vec<B256>,
    pub max_fee_per_blob_gas: u128,
}

/// A whole block.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub pre: BTreeMap<Address, Account>,
    pub env: Env,
    pub txs: Vec<Tx>,
}

/// The fork both sides run a block under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fork {
    /// Prague: no cap on a transaction's gas.
    Prague,
    /// Osaka, the default of `zkos run`.
    Osaka,
}

impl Fork {
    /// The name `zkos run --fork` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Fork::Prague => "Prague",
            Fork::Osaka => "Osaka",
        }
    }
}

/// EIP-7825 (Osaka): the most gas one transaction may ask for.
pub const OSAKA_TX_GAS_CAP: u64 = 1 << 24;

impl Block {
    /// Osaka, unless a transaction asks for more gas than EIP-7825 lets one transaction have
    /// from Osaka (the benchmark inputs give 2^63 − 1): such a block was written for the
    /// forks before the cap, and both sides run it under Prague (under Osaka both would only
    /// reject it).
    pub fn fork(&self) -> Fork {
        if self.txs.iter().any(|tx| tx.gas_limit > OSAKA_TX_GAS_CAP) {
            Fork::Prague
        } else {
            Fork::Osaka
        }
    }
}

/// EIP-7691 (Prague, kept by Osaka): blob gas a block targets, six blobs. (EIP-7918's
/// reserve price does not enter: the inputs give no parent base fee.)
const TARGET_BLOB_GAS_PER_BLOCK: u64 = 786_432;

/// Reads `block` (`{alloc|pre, env, txs|transaction|transactions}`, possibly wrapped in one
/// named entry). Panics, naming `name` and the field, on input it cannot read.
pub fn parse(name: &str, block: &Value) -> Block {
    let doc = block.as_object().unwrap_or_else(|| panic!("{name}: the block is not a JSON object"));
    let obj = if doc.contains_key("env") {
        doc
    } else {
        match doc.iter().next() {
            Some((_, inner)) if doc.len() == 1 && inner.get("env").is_some() => inner.as_object().unwrap(),
            _ => panic!("{name}: no `env` (expected a block object, or one named entry holding it)"),
        }
    };
    let f = Fields { name };
    let alloc = obj.get("alloc").or_else(|| obj.get("pre")).unwrap_or_else(|| panic!("{name}: no `alloc` or `pre`"));
    let txs = ["txs", "transaction", "transactions"].iter().find_map(|k| obj.get(*k));
    let pre = f.pre(alloc);
    let env = f.env(obj.get("env").unwrap());
    let txs = match txs {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.iter().enumerate().map(|(i, tx)| f.tx(i, tx)).collect(),
        Some(other) => panic!("{name}: transactions: expected an array of objects, found {other}"),
    };
    Block { pre, env, txs }
}

/// Field readers that name the block in their panics.
struct Fields<'a> {
    name: &'a str,
}

impl Fields<'_> {
    fn fail(&self, at: &str, what: impl std::fmt::Display) -> ! {
        panic!("{}: {at}: {what}", self.name)
    }

    fn u256(&self, at: &str, v: &Value) -> U256 {
        let parsed = match v {
            Value::String(s) => match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some("") => Ok(U256::ZERO),
                Some(hex) => U256::from_str_radix(hex, 16).map_err(|e| e.to_string()),
                None => U256::from_str_radix(s, 10).map_err(|e| e.to_string()),
            },
            Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| format!("not an unsigned integer: {n}")),
            other => Err(format!("expected a quantity, found {other}")),
        };
        parsed.unwrap_or_else(|e| self.fail(at, e))
    }

    fn u64(&self, at: &str, v: &Value) -> u64 {
        u64::try_from(self.u256(at, v)).unwrap_or_else(|_| self.fail(at, "does not fit in 64 bits"))
    }

    fn u128(&self, at: &str, v: &Value) -> u128 {
        u128::try_from(self.u256(at, v)).unwrap_or_else(|_| self.fail(at, "does not fit in 128 bits"))
    }

    fn bytes(&self, at: &str, v: &Value) -> Bytes {
        let s = v.as_str().unwrap_or_else(|| self.fail(at, format!("expected hex, found {v}")));
        let hex = s.strip_prefix("0x").unwrap_or(s);
        Bytes::from(revm::primitives::hex::decode(hex).unwrap_or_else(|e| self.fail(at, e)))
    }

    fn b256(&self, at: &str, v: &Value) -> B256 {
        B256::from(self.u256(at, v))
    }

    fn address(&self, at: &str, v: &Value) -> Address {
        let bytes = self.bytes(at, v);
        Address::try_from(bytes.as_ref()).unwrap_or_else(|_| self.fail(at, "expected 20 bytes"))
    }

    fn object<'v>(&self, at: &str, v: &'v Value) -> &'v Map<String, Value> {
        v.as_object().unwrap_or_else(|| self.fail(at, format!("expected an object, found {v}")))
    }

    fn pre(&self, v: &Value) -> BTreeMap<Address, Account> {
        let mut pre = BTreeMap::new();
        for (key, account) in self.object("pre", v) {
            let at = format!("pre.{key}");
            let address = self.address(&at, &Value::String(key.clone()));
            let obj = self.object(&at, account);
            let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
            let mut acc = Account::default();
            if let Some(b) = get("balance") {
                acc.balance = self.u256(&format!("{at}.balance"), b);
            }
            if let Some(n) = get("nonce") {
                acc.nonce = self.u64(&format!("{at}.nonce"), n);
            }
            if let Some(c) = get("code") {
                acc.code = self.bytes(&format!("{at}.code"), c);
                if acc.code.starts_with(&[0xEF, 0x5A]) {
                    self.fail(&format!("{at}.code"), "envelope (WASM/native) code: the revm reference runs EVM only");
                }
            }
            if let Some(s) = get("storage") {
                for (slot, value) in self.object(&format!("{at}.storage"), s) {
                    let sat = format!("{at}.storage.{slot}");
                    let value = self.u256(&sat, value);
                    if !value.is_zero() {
                        acc.storage.insert(self.u256(&sat, &Value::String(slot.clone())), value);
                    }
                }
            }
            pre.insert(address, acc);
        }
        pre
    }

    fn env(&self, v: &Value) -> Env {
        let obj = self.object("env", v);
        let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
        let need = |k: &str| get(k).unwrap_or_else(|| self.fail(&format!("env.{k}"), "missing"));
        let at = |k: &str| format!("env.{k}");
        let mut env = Env {
            coinbase: self.address(&at("currentCoinbase"), need("currentCoinbase")),
            gas_limit: self.u64(&at("currentGasLimit"), need("currentGasLimit")),
            number: self.u64(&at("currentNumber"), need("currentNumber")),
            timestamp: self.u64(&at("currentTimestamp"), need("currentTimestamp")),
            ..Env::default()
        };
        if let Some((k, r)) = get("currentRandom")
            .map(|r| ("currentRandom", r))
            .or(get("currentDifficulty").map(|r| ("currentDifficulty", r)))
        {
            env.prev_randao = self.b256(&at(k), r);
        }
        env.base_fee = match get("currentBaseFee") {
            Some(fee) => self.u64(&at("currentBaseFee"), fee),
            None => match (get("parentBaseFee"), get("parentGasUsed"), get("parentGasLimit")) {
                (Some(fee), Some(used), Some(limit)) => next_base_fee(
                    self.u64(&at("parentBaseFee"), fee),
                    self.u64(&at("parentGasUsed"), used),
                    self.u64(&at("parentGasLimit"), limit),
                ),
                (None, None, None) => 0,
                _ => self
                    .fail(&at("currentBaseFee"), "missing, and the parent's fee, gas used and limit are not all given"),
            },
        };
        env.excess_blob_gas = match get("currentExcessBlobGas") {
            Some(x) => self.u64(&at("currentExcessBlobGas"), x),
            None => {
                let excess = get("parentExcessBlobGas").map_or(0, |v| self.u64(&at("parentExcessBlobGas"), v));
                let used = get("parentBlobGasUsed").map_or(0, |v| self.u64(&at("parentBlobGasUsed"), v));
                (excess + used).saturating_sub(TARGET_BLOB_GAS_PER_BLOCK)
            }
        };
        if let Some(hashes) = get("blockHashes") {
            for (n, h) in self.object(&at("blockHashes"), hashes) {
                let hat = format!("env.blockHashes.{n}");
                env.block_hashes.push((self.u64(&hat, &Value::String(n.clone())), self.b256(&hat, h)));
            }
        }
        if let Some(list) = get("withdrawals") {
            let list = list.as_array().unwrap_or_else(|| self.fail(&at("withdrawals"), "expected an array"));
            for (i, w) in list.iter().enumerate() {
                let wat = format!("env.withdrawals[{i}]");
                let w = self.object(&wat, w);
                let field = |k: &str| w.get(k).unwrap_or_else(|| self.fail(&format!("{wat}.{k}"), "missing"));
                let gwei = self.u64(&format!("{wat}.amount"), field("amount"));
                let wei = U256::from(gwei) * U256::from(1_000_000_000u64);
                env.withdrawals.push((self.address(&format!("{wat}.address"), field("address")), wei));
            }
        }
        env.parent_beacon_block_root = get("parentBeaconBlockRoot").map(|r| self.b256(&at("parentBeaconBlockRoot"), r));
        env
    }

    fn tx(&self, index: usize, v: &Value) -> Tx {
        let at = format!("transaction[{index}]");
        let obj = self.object(&at, v);
        let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
        let fat = |k: &str| format!("{at}.{k}");
        let need = |k: &str| get(k).unwrap_or_else(|| self.fail(&fat(k), "missing"));
        let either = |a: &str, b: &str| {
            get(a)
                .map(|v| (fat(a), v))
                .or_else(|| get(b).map(|v| (fat(b), v)))
                .unwrap_or_else(|| self.fail(&fat(a), "missing"))
        };
        let tx_type = match get("type") {
            Some(t) => u8::try_from(self.u64(&fat("type"), t)).unwrap_or_else(|_| self.fail(&fat("type"), "too large")),
            None if obj.contains_key("authorizationList") => 4,
            None if obj.contains_key("maxFeePerBlobGas") => 3,
            None if obj.contains_key("maxFeePerGas") => 2,
            None if obj.contains_key("accessList") => 1,
            None => 0,
        };
        if tx_type > 3 {
            self.fail(&fat("type"), format!("type {tx_type}: the revm reference covers types 0 to 3"));
        }
        let (gas_at, gas) = either("gas", "gasLimit");
        let (data_at, data) = either("input", "data");
        let mut tx = Tx {
            tx_type,
            chain_id: get("chainId").map(|c| self.u64(&fat("chainId"), c)),
            nonce: self.u64(&fat("nonce"), need("nonce")),
            gas_limit: self.u64(&gas_at, gas),
            to: match get("to") {
                None => None,
                Some(Value::String(s)) if s.is_empty() || s == "0x" => None,
                Some(to) => Some(self.address(&fat("to"), to)),
            },
            value: self.u256(&fat("value"), need("value")),
            data: self.bytes(&data_at, data),
            ..Tx::default()
        };
        if tx_type <= 1 {
            tx.max_fee = self.u128(&fat("gasPrice"), need("gasPrice"));
        } else {
            tx.max_fee = self.u128(&fat("maxFeePerGas"), need("maxFeePerGas"));
            tx.priority_fee = Some(self.u128(&fat("maxPriorityFeePerGas"), need("maxPriorityFeePerGas")));
        }
        if let Some(list) = get("accessList") {
            let list = list.as_array().unwrap_or_else(|| self.fail(&fat("accessList"), "expected an array"));
            for (i, item) in list.iter().enumerate() {
                let iat = format!("{at}.accessList[{i}]");
                let item = self.object(&iat, item);
                let address = self.address(&format!("{iat}.address"), item.get("address").unwrap_or(&Value::Null));
                let keys = item.get("storageKeys").and_then(Value::as_array).cloned().unwrap_or_default();
                let keys = keys.iter().map(|k| self.b256(&format!("{iat}.storageKeys"), k)).collect();
                tx.access_list.push((address, keys));
            }
        }
        if tx_type == 3 {
            tx.max_fee_per_blob_gas = self.u128(&fat("maxFeePerBlobGas"), need("maxFeePerBlobGas"));
            let hashes = need("blobVersionedHashes").as_array().cloned().unwrap_or_default();
            tx.blob_hashes = hashes.iter().map(|h| self.b256(&fat("blobVersionedHashes"), h)).collect();
        }
        if ["v", "r", "s"].iter().any(|k| get(k).is_some_and(|x| !self.u256(&fat(k), x).is_zero())) {
            self.fail(
                &at,
                "signed (v, r, s) transactions are not supported by the revm reference: give sender or secretKey",
            );
        }
        let protected = !matches!(get("protected"), Some(Value::Bool(false)));
        let sender = get("sender").map(|s| self.address(&fat("sender"), s));
        if let Some(key) = get("secretKey") {
            let from_key =
                address_of_key(&self.b256(&fat("secretKey"), key)).unwrap_or_else(|e| self.fail(&fat("secretKey"), e));
            if let Some(sender) = sender.filter(|s| *s != from_key) {
                self.fail(&fat("sender"), format!("{sender} is not the address of secretKey ({from_key})"));
            }
            tx.sender = from_key;
            // A signed legacy transaction is EIP-155 protected unless `protected` is false.
            if tx_type == 0 && !protected {
                tx.chain_id = None;
            } else if tx.chain_id.is_none() {
                tx.chain_id = Some(1);
            }
        } else if let Some(sender) = sender {
            tx.sender = sender;
            if tx_type != 0 && tx.chain_id.is_none() {
                tx.chain_id = Some(1);
            }
        } else {
            self.fail(&at, "no sender: give sender or secretKey");
        }
        tx
    }
}

/// The address of a secp256k1 secret key.
fn address_of_key(key: &B256) -> Result<Address, String> {
    let signing = k256::ecdsa::SigningKey::from_slice(key.as_slice()).map_err(|e| e.to_string())?;
    let point = signing.verifying_key().to_encoded_point(false);
    Ok(Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]))
}

/// EIP-1559: the base fee after a parent block with these figures.
fn next_base_fee(parent_fee: u64, parent_used: u64, parent_limit: u64) -> u64 {
    let (fee, target) = (u128::from(parent_fee), u128::from(parent_limit / 2));
    let used = u128::from(parent_used);
    if target == 0 || used == target {
        return parent_fee;
    }
    let next = if used > target {
        fee + (fee * (used - target) / target / 8).max(1)
    } else {
        fee.saturating_sub(fee * (target - used) / target / 8)
    };
    u64::try_from(next).unwrap_or(u64::MAX)
}
