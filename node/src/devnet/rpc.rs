//! The JSON-RPC methods: each one reads its parameters, asks the [`Chain`], and answers
//! in Ethereum's JSON encoding. Every method runs on the chain's thread, one at a time.

use serde_json::{json, Value};
use wasm_runtime::block::rules::{
    BEACON_ROOTS_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS, HISTORY_STORAGE_ADDRESS, MAINNET_DEPOSIT_CONTRACT,
    WITHDRAWAL_REQUEST_ADDRESS,
};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::AccessListItem;
use wasm_runtime::exec::precompile;
use wasm_runtime::platform::Platform;
use wasm_runtime::primitives::{keccak256, Address, Bytes, B256, U256};
use wasm_runtime::tx::TxError;

use super::chain::{At, CallRequest, Chain, Filter, LogQuery, Overrides, SUGGESTED_TIP};
use super::trace;
use super::wire::{self, parse_address, parse_b256, parse_bytes, parse_u256, parse_u64, RpcError, RpcResult};

/// The positional parameters of a request.
pub struct Params<'a> {
    list: &'a [Value],
    method: &'a str,
}

const NULL: Value = Value::Null;

impl<'a> Params<'a> {
    /// The parameters of `method` (absent or null: none).
    pub fn new(method: &'a str, params: &'a Value) -> RpcResult<Self> {
        match params {
            Value::Null => Ok(Self { list: &[], method }),
            Value::Array(list) => Ok(Self { list, method }),
            other => Err(RpcError::params(format!("{method}: params must be an array, got {}", wire::short(other)))),
        }
    }

    /// Parameter `i`, null when absent.
    fn get(&self, i: usize) -> &'a Value {
        self.list.get(i).unwrap_or(&NULL)
    }

    /// Parameter `i`, which must be present.
    fn req(&self, i: usize, name: &str) -> RpcResult<&'a Value> {
        match self.list.get(i) {
            Some(v) if !v.is_null() => Ok(v),
            _ => Err(RpcError::params(format!("{}: missing parameter {} ({name})", self.method, i + 1))),
        }
    }

    fn what(&self, name: &str) -> String {
        format!("{}: {name}", self.method)
    }

    fn address(&self, i: usize, name: &str) -> RpcResult<Address> {
        parse_address(self.req(i, name)?, &self.what(name))
    }

    fn u256(&self, i: usize, name: &str) -> RpcResult<U256> {
        parse_u256(self.req(i, name)?, &self.what(name))
    }

    fn u64(&self, i: usize, name: &str) -> RpcResult<u64> {
        parse_u64(self.req(i, name)?, &self.what(name))
    }

    fn b256(&self, i: usize, name: &str) -> RpcResult<B256> {
        parse_b256(self.req(i, name)?, &self.what(name))
    }

    fn bytes(&self, i: usize, name: &str) -> RpcResult<Bytes> {
        parse_bytes(self.req(i, name)?, &self.what(name))
    }

    fn bool_or(&self, i: usize, default: bool) -> RpcResult<bool> {
        match self.get(i) {
            Value::Null => Ok(default),
            Value::Bool(b) => Ok(*b),
            other => Err(RpcError::params(format!("{}: expected a boolean, got {}", self.method, wire::short(other)))),
        }
    }
}

/// A block tag or number (`latest`, `earliest`, `pending`, `safe`, `finalized`, a number,
/// or EIP-1898's `{blockNumber}` / `{blockHash}`); absent means latest.
pub fn parse_at(chain: &Chain, v: &Value, what: &str) -> RpcResult<At> {
    match v {
        Value::Null => Ok(At::Head),
        Value::String(s) => match s.as_str() {
            "latest" | "pending" | "safe" | "finalized" => Ok(At::Head),
            "earliest" => Ok(At::Number(0)),
            _ => Ok(At::Number(parse_u64(v, what)?)),
        },
        Value::Object(o) => {
            if let Some(n) = o.get("blockNumber") {
                return parse_at(chain, n, what);
            }
            if let Some(h) = o.get("blockHash") {
                let hash = parse_b256(h, what)?;
                let n = chain.store().block_number(&hash).map_err(RpcError::internal)?;
                return n.map(At::Number).ok_or_else(|| RpcError::server(format!("{what}: unknown block {hash}")));
            }
            Err(RpcError::params(format!("{what}: a block object needs blockNumber or blockHash")))
        }
        Value::Number(_) => Ok(At::Number(parse_u64(v, what)?)),
        other => Err(RpcError::params(format!("{what}: not a block tag or number: {}", wire::short(other)))),
    }
}

/// A call or transaction request object.
pub fn parse_call(v: &Value, what: &str) -> RpcResult<CallRequest> {
    let o = v.as_object().ok_or_else(|| RpcError::params(format!("{what}: expected a transaction object")))?;
    let field = |name: &str| o.get(name).filter(|v| !v.is_null());
    let w = |name: &str| format!("{what}.{name}");
    let mut req = CallRequest {
        from: field("from").map(|v| parse_address(v, &w("from"))).transpose()?,
        to: field("to").map(|v| parse_address(v, &w("to"))).transpose()?,
        gas: field("gas").map(|v| parse_u64(v, &w("gas"))).transpose()?,
        gas_price: field("gasPrice").map(|v| parse_u256(v, &w("gasPrice"))).transpose()?,
        max_fee_per_gas: field("maxFeePerGas").map(|v| parse_u256(v, &w("maxFeePerGas"))).transpose()?,
        max_priority_fee_per_gas: field("maxPriorityFeePerGas")
            .map(|v| parse_u256(v, &w("maxPriorityFeePerGas")))
            .transpose()?,
        value: field("value").map(|v| parse_u256(v, &w("value"))).transpose()?,
        data: None,
        nonce: field("nonce").map(|v| parse_u64(v, &w("nonce"))).transpose()?,
        access_list: Vec::new(),
        tx_type: field("type").map(|v| parse_u64(v, &w("type"))).transpose()?.map(|t| t.min(255) as u8),
    };
    let input = field("input").or_else(|| field("data"));
    req.data = input.map(|v| parse_bytes(v, &w("input"))).transpose()?;
    if let Some(list) = field("accessList") {
        let items = list.as_array().ok_or_else(|| RpcError::params(format!("{what}.accessList: expected an array")))?;
        for item in items {
            let address = parse_address(&item["address"], &w("accessList.address"))?;
            let keys = item["storageKeys"].as_array().cloned().unwrap_or_default();
            let storage_keys =
                keys.iter().map(|k| parse_b256(k, &w("accessList.storageKeys"))).collect::<RpcResult<_>>()?;
            req.access_list.push(AccessListItem { address, storage_keys });
        }
    }
    if let Some(t) = req.tx_type {
        if t > 4 {
            return Err(RpcError::params(format!("{what}.type: unknown transaction type {t}")));
        }
    }
    Ok(req)
}

/// `eth_call`'s state overrides: `{address: {balance, nonce, code, state, stateDiff}}`.
pub fn parse_overrides(v: &Value, what: &str) -> RpcResult<Option<Overrides>> {
    let Some(o) = v.as_object() else {
        return if v.is_null() { Ok(None) } else { Err(RpcError::params(format!("{what}: expected an object"))) };
    };
    let mut out = Overrides::default();
    for (address, fields) in o {
        let address = parse_address(&Value::String(address.clone()), what)?;
        let f = |name: &str| fields.get(name).filter(|v| !v.is_null());
        let slots = |name: &str| -> RpcResult<Option<Vec<(U256, U256)>>> {
            let Some(m) = f(name) else { return Ok(None) };
            let m = m.as_object().ok_or_else(|| RpcError::params(format!("{what}.{name}: expected an object")))?;
            m.iter()
                .map(|(k, v)| Ok((parse_u256(&Value::String(k.clone()), what)?, parse_u256(v, what)?)))
                .collect::<RpcResult<Vec<_>>>()
                .map(Some)
        };
        out.accounts.push(super::chain::AccountOverride {
            address,
            balance: f("balance").map(|v| parse_u256(v, what)).transpose()?,
            nonce: f("nonce").map(|v| parse_u64(v, what)).transpose()?,
            code: f("code").map(|v| parse_bytes(v, what)).transpose()?,
            state: slots("state")?,
            state_diff: slots("stateDiff")?,
        });
    }
    Ok(Some(out))
}

fn log_query(chain: &Chain, v: &Value, what: &str) -> RpcResult<LogQuery> {
    let o = v.as_object().ok_or_else(|| RpcError::params(format!("{what}: expected a filter object")))?;
    let number = |name: &str| -> RpcResult<Option<u64>> {
        match o.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match parse_at(chain, v, what)? {
                At::Head => Ok(Some(chain.head().header.number)),
                At::Number(n) => Ok(Some(n)),
            },
        }
    };
    let mut q = LogQuery { from: number("fromBlock")?, to: number("toBlock")?, ..LogQuery::default() };
    if let Some(h) = o.get("blockHash").filter(|v| !v.is_null()) {
        q.block_hash = Some(parse_b256(h, what)?);
    }
    match o.get("address") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            q.addresses = list.iter().map(|a| parse_address(a, what)).collect::<RpcResult<_>>()?;
        }
        Some(a) => q.addresses = vec![parse_address(a, what)?],
    }
    if let Some(topics) = o.get("topics").and_then(Value::as_array) {
        for t in topics {
            q.topics.push(match t {
                Value::Null => Vec::new(),
                Value::Array(any) => any.iter().map(|t| parse_b256(t, what)).collect::<RpcResult<_>>()?,
                one => vec![parse_b256(one, what)?],
            });
        }
    }
    Ok(q)
}

/// The log filter of `eth_subscribe("logs", filter)`.
pub fn subscription_filter(chain: &Chain, v: &Value) -> RpcResult<LogQuery> {
    if v.is_null() {
        return Ok(LogQuery::default());
    }
    log_query(chain, v, "eth_subscribe")
}

fn tx_error(e: TxError) -> RpcError {
    match e {
        TxError::Empty | TxError::Rlp { .. } | TxError::UnknownType(_) | TxError::TrailingBytes { .. } => {
            RpcError::params(format!("eth_sendRawTransaction: cannot decode the transaction: {e}"))
        }
        _ => RpcError::server(e.to_string()),
    }
}

/// The EIP-7910 names of the precompiles.
fn precompile_name(n: u16) -> &'static str {
    match n {
        0x01 => "ECREC",
        0x02 => "SHA256",
        0x03 => "RIPEMD160",
        0x04 => "ID",
        0x05 => "MODEXP",
        0x06 => "BN254_ADD",
        0x07 => "BN254_MUL",
        0x08 => "BN254_PAIRING",
        0x09 => "BLAKE2F",
        0x0a => "KZG_POINT_EVALUATION",
        0x0b => "BLS12_G1ADD",
        0x0c => "BLS12_G1MSM",
        0x0d => "BLS12_G2ADD",
        0x0e => "BLS12_G2MSM",
        0x0f => "BLS12_PAIRING_CHECK",
        0x10 => "BLS12_MAP_FP_TO_G1",
        0x11 => "BLS12_MAP_FP2_TO_G2",
        precompile::P256VERIFY => "P256VERIFY",
        _ => "UNKNOWN",
    }
}

/// CRC-32 (IEEE), for EIP-2124's fork id.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// EIP-7910's `eth_config`: the rules of the fork in force (every fork from genesis on, so
/// no next or last).
fn config(chain: &Chain) -> RpcResult<Value> {
    let fork = chain.settings.fork;
    let blob = fork.blob_params();
    let mut precompiles = serde_json::Map::new();
    for n in precompile::CANCUN.chain(precompile::BLS12_381).chain([precompile::P256VERIFY]) {
        if precompile::exists(fork, n) {
            precompiles.insert(precompile_name(n).into(), wire::address(&precompile::address(n)));
        }
    }
    let mut system = serde_json::Map::new();
    system.insert("BEACON_ROOTS_ADDRESS".into(), wire::address(&BEACON_ROOTS_ADDRESS));
    if fork.history_in_state() {
        system.insert("HISTORY_STORAGE_ADDRESS".into(), wire::address(&HISTORY_STORAGE_ADDRESS));
    }
    if fork.requests() {
        system.insert("CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS".into(), wire::address(&CONSOLIDATION_REQUEST_ADDRESS));
        system.insert("DEPOSIT_CONTRACT_ADDRESS".into(), wire::address(&MAINNET_DEPOSIT_CONTRACT));
        system.insert("WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS".into(), wire::address(&WITHDRAWAL_REQUEST_ADDRESS));
    }
    let genesis = chain.block(0)?.ok_or_else(|| RpcError::internal("no genesis block"))?;
    Ok(json!({
        "current": {
            "activationTime": 0,
            "blobSchedule": {
                "baseFeeUpdateFraction": blob.update_fraction,
                "max": blob.max,
                "target": blob.target,
            },
            "chainId": wire::qty(chain.settings.chain_id),
            "forkId": format!("0x{:08x}", crc32(genesis.hash.as_slice())),
            "fork": fork.name(),
            "precompiles": precompiles,
            "systemContracts": system,
        },
        "next": null,
        "last": null,
    }))
}

fn fee_history(chain: &Chain, p: &Params) -> RpcResult<Value> {
    let count = p.u64(0, "blockCount")?.clamp(1, 1024);
    let newest = match parse_at(chain, p.get(1), "eth_feeHistory: newestBlock")? {
        At::Head => chain.head().header.number,
        At::Number(n) => chain.number_of(At::Number(n))?,
    };
    let percentiles: Vec<f64> = match p.get(2) {
        Value::Null => Vec::new(),
        Value::Array(list) => list
            .iter()
            .map(|v| v.as_f64().filter(|x| (0.0..=100.0).contains(x)))
            .collect::<Option<_>>()
            .ok_or_else(|| RpcError::params("eth_feeHistory: reward percentiles must be numbers in 0..=100"))?,
        other => return Err(RpcError::params(format!("eth_feeHistory: rewardPercentiles: {}", wire::short(other)))),
    };
    let oldest = newest.saturating_sub(count - 1);
    let mut base_fees = Vec::new();
    let mut ratios = Vec::new();
    let mut rewards = Vec::new();
    let mut last = None;
    for n in oldest..=newest {
        let b = chain.block(n)?.ok_or_else(|| RpcError::server(format!("block {n} not found")))?;
        let h = &b.header;
        let base = h.base_fee_per_gas.unwrap_or(0);
        base_fees.push(wire::qty(base));
        ratios.push(json!(h.gas_used as f64 / h.gas_limit.max(1) as f64));
        if !percentiles.is_empty() {
            let mut tips: Vec<u128> = b
                .txs
                .iter()
                .filter_map(|t| chain.store().tx(t).ok().flatten())
                .filter_map(|t| {
                    u128::from_str_radix(t.receipt["effectiveGasPrice"].as_str()?.trim_start_matches("0x"), 16).ok()
                })
                .map(|price| price.saturating_sub(u128::from(base)))
                .collect();
            tips.sort_unstable();
            let row: Vec<Value> = percentiles
                .iter()
                .map(|pct| {
                    if tips.is_empty() {
                        return wire::qty(0u64);
                    }
                    let i = ((pct / 100.0) * (tips.len() - 1) as f64).round() as usize;
                    wire::qty(U256::from(tips[i.min(tips.len() - 1)]))
                })
                .collect();
            rewards.push(Value::Array(row));
        }
        last = Some(b);
    }
    // The base fee of the block after the newest.
    let next = match last {
        Some(b) if b.header.number == chain.head().header.number => chain.next_base_fee(),
        Some(b) => U256::from(chain.block(b.header.number + 1)?.and_then(|n| n.header.base_fee_per_gas).unwrap_or(0)),
        None => U256::ZERO,
    };
    base_fees.push(wire::qty(next));
    let mut out = json!({
        "oldestBlock": wire::qty(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": ratios,
        "baseFeePerBlobGas": vec![wire::qty(1u64); (newest - oldest + 2) as usize],
        "blobGasUsedRatio": vec![json!(0.0); (newest - oldest + 1) as usize],
    });
    if !percentiles.is_empty() {
        out["reward"] = Value::Array(rewards);
    }
    Ok(out)
}

fn set_account(chain: &mut Chain, p: &Params, what: &str) -> RpcResult<Value> {
    let address = p.address(0, "address")?;
    match what {
        "balance" => {
            let v = p.u256(1, "balance")?;
            chain.cheat(address, |info, _| info.balance = v)?;
        }
        "nonce" => {
            let v = p.u64(1, "nonce")?;
            chain.cheat(address, |info, _| info.nonce = v)?;
        }
        "code" => {
            let code = p.bytes(1, "code")?;
            chain.cheat(address, |info, _| info.set_code(code))?;
        }
        _ => {
            let slot = p.u256(1, "slot")?;
            let value = U256::from_be_bytes(p.b256(2, "value")?.0);
            chain.cheat(address, |_, slots| {
                slots.insert(slot, value);
            })?;
        }
    }
    Ok(json!(true))
}

/// Answers one method.
pub fn handle(chain: &mut Chain, method: &str, params: &Value) -> RpcResult<Value> {
    let p = Params::new(method, params)?;
    let head = chain.head().header.number;
    match method {
        "web3_clientVersion" => {
            let engine = match chain.settings.engine {
                EngineKind::Rv => "rv",
                _ => "wasmi",
            };
            Ok(json!(format!("zkos/v{}/{engine}", env!("CARGO_PKG_VERSION"))))
        }
        "web3_sha3" => Ok(wire::hash(&keccak256(p.bytes(0, "data")?))),
        "net_version" => Ok(json!(chain.settings.chain_id.to_string())),
        "net_listening" => Ok(json!(true)),
        "net_peerCount" => Ok(wire::qty(0u64)),
        "eth_chainId" => Ok(wire::qty(chain.settings.chain_id)),
        "eth_blockNumber" => Ok(wire::qty(head)),
        "eth_syncing" => Ok(json!(false)),
        "eth_mining" => Ok(json!(chain.settings.automine)),
        "eth_hashrate" => Ok(wire::qty(0u64)),
        "eth_coinbase" => Ok(wire::address(&Address::ZERO)),
        "eth_accounts" => {
            let mut list: Vec<Address> = chain.settings.accounts.iter().map(|a| a.address).collect();
            list.extend(chain.impersonated.iter().copied().filter(|a| !list.contains(a)).collect::<Vec<_>>());
            Ok(Value::Array(list.iter().map(wire::address).collect()))
        }
        "eth_gasPrice" => Ok(wire::qty(chain.next_base_fee() + U256::from(SUGGESTED_TIP))),
        "eth_maxPriorityFeePerGas" => Ok(wire::qty(SUGGESTED_TIP)),
        "eth_blobBaseFee" => Ok(wire::qty(1u64)),
        "eth_feeHistory" => fee_history(chain, &p),
        "eth_config" => config(chain),
        "eth_getBalance" | "eth_getTransactionCount" | "eth_getCode" => {
            let address = p.address(0, "address")?;
            let at = parse_at(chain, p.get(1), &p.what("block"))?;
            if method == "eth_getTransactionCount" && p.get(1).as_str() == Some("pending") {
                return Ok(wire::qty(chain.next_nonce(address)));
            }
            let account = chain.with_state(at, |db| db.account(&address))?.unwrap_or_default();
            Ok(match method {
                "eth_getBalance" => wire::qty(account.balance),
                "eth_getTransactionCount" => wire::qty(account.nonce),
                _ => wire::data_value(&account.code),
            })
        }
        "eth_getStorageAt" => {
            let address = p.address(0, "address")?;
            let slot = p.u256(1, "slot")?;
            let at = parse_at(chain, p.get(2), &p.what("block"))?;
            let v = chain.with_state(at, |db| db.storage(&address, &slot))?;
            Ok(wire::hash(&B256::from(v.to_be_bytes::<32>())))
        }
        "eth_sendRawTransaction" => {
            let raw = p.bytes(0, "transaction")?;
            let tx = wasm_runtime::tx::decode(&raw, chain.settings.chain_id).map_err(tx_error)?;
            chain.submit(tx, Some(raw)).map(|h| wire::hash(&h))
        }
        "eth_sendTransaction" => {
            let req = parse_call(p.req(0, "transaction")?, "eth_sendTransaction")?;
            let (tx, raw) = chain.fill_transaction(req)?;
            chain.submit(tx, raw).map(|h| wire::hash(&h))
        }
        "eth_call" => {
            let req = parse_call(p.req(0, "transaction")?, "eth_call")?;
            let at = parse_at(chain, p.get(1), "eth_call: block")?;
            let overrides = parse_overrides(p.get(2), "eth_call: state overrides")?;
            let out = chain.call(&req, at, None, overrides.as_ref())?;
            Ok(wire::data_value(&out.into_result()?))
        }
        "eth_estimateGas" => {
            let req = parse_call(p.req(0, "transaction")?, "eth_estimateGas")?;
            let at = parse_at(chain, p.get(1), "eth_estimateGas: block")?;
            let overrides = parse_overrides(p.get(2), "eth_estimateGas: state overrides")?;
            chain.estimate_gas(&req, at, overrides.as_ref()).map(wire::qty)
        }
        "zkos_getArtifact" => Ok(chain.artifact_info(&p.b256(0, "codeHash")?).unwrap_or(Value::Null)),
        "zkos_gasBound" => {
            let req = parse_call(p.req(0, "transaction")?, "zkos_gasBound")?;
            Ok(chain.gas_bound(&req)?.to_json())
        }
        "eth_getBlockByNumber"
        | "eth_getBlockByHash"
        | "eth_getBlockTransactionCountByNumber"
        | "eth_getBlockTransactionCountByHash" => {
            let by_hash = method.ends_with("ByHash");
            let number = if by_hash {
                let h = p.b256(0, "hash")?;
                chain.store().block_number(&h).map_err(RpcError::internal)?
            } else {
                match parse_at(chain, p.req(0, "block")?, &p.what("block"))? {
                    At::Head => Some(head),
                    At::Number(n) => Some(n),
                }
            };
            let Some(block) = number.map(|n| chain.block(n)).transpose()?.flatten() else {
                return Ok(Value::Null);
            };
            if method.contains("TransactionCount") {
                return Ok(wire::qty(block.txs.len() as u64));
            }
            let full = p.bool_or(1, false)?;
            Ok(chain.block_json(&block, full))
        }
        "eth_sign" | "personal_sign" => {
            // eth_sign(address, data); personal_sign(data, address). EIP-191's prefix either way.
            let (a, d) = if method == "eth_sign" { (0, 1) } else { (1, 0) };
            let address = p.address(a, "address")?;
            let message = p.bytes(d, "message")?;
            let secret = chain
                .settings
                .accounts
                .iter()
                .find(|x| x.address == address)
                .map(|x| x.secret)
                .ok_or_else(|| RpcError::server(format!("no key for {address}: not a development account")))?;
            let mut prefixed = format!("\x19Ethereum Signed Message:\n{}", message.len()).into_bytes();
            prefixed.extend_from_slice(&message);
            let sig = alloy_consensus::crypto::secp256k1::sign_message(secret, keccak256(&prefixed))
                .map_err(|e| RpcError::internal(format!("signing failed: {e}")))?;
            Ok(wire::data_value(&sig.as_bytes()))
        }
        "eth_getBlockReceipts" => {
            let n = match parse_at(chain, p.req(0, "block")?, &p.what("block"))? {
                At::Head => Some(head),
                At::Number(n) => Some(n),
            };
            let Some(block) = n.map(|n| chain.block(n)).transpose()?.flatten() else {
                return Ok(Value::Null);
            };
            let mut out = Vec::new();
            for h in &block.txs {
                let t = chain.store().tx(h).map_err(RpcError::internal)?;
                out.extend(t.map(|t| t.receipt));
            }
            Ok(Value::Array(out))
        }
        "eth_getTransactionByHash" | "eth_getTransactionReceipt" => {
            let h = p.b256(0, "hash")?;
            let tx = chain.store().tx(&h).map_err(RpcError::internal)?;
            Ok(match tx {
                Some(t) if method == "eth_getTransactionByHash" => t.tx,
                Some(t) => t.receipt,
                None => Value::Null,
            })
        }
        "eth_getTransactionByBlockNumberAndIndex" | "eth_getTransactionByBlockHashAndIndex" => {
            let number = if method.contains("Hash") {
                chain.store().block_number(&p.b256(0, "hash")?).map_err(RpcError::internal)?
            } else {
                match parse_at(chain, p.req(0, "block")?, &p.what("block"))? {
                    At::Head => Some(head),
                    At::Number(n) => Some(n),
                }
            };
            let index = p.u64(1, "index")?;
            let block = number.map(|n| chain.block(n)).transpose()?.flatten();
            let hash = block.and_then(|b| usize::try_from(index).ok().and_then(|i| b.txs.get(i).copied()));
            let tx = hash.map(|h| chain.store().tx(&h)).transpose().map_err(RpcError::internal)?.flatten();
            Ok(tx.map_or(Value::Null, |t| t.tx))
        }
        "eth_getLogs" => {
            let q = log_query(chain, p.req(0, "filter")?, "eth_getLogs")?;
            chain.logs(&q).map(Value::Array)
        }
        "eth_newFilter" => {
            let q = log_query(chain, p.req(0, "filter")?, "eth_newFilter")?;
            let next = q.from.unwrap_or(head + 1);
            Ok(wire::qty(chain.new_filter(Filter::Logs { query: q, next })))
        }
        "eth_newBlockFilter" => Ok(wire::qty(chain.new_filter(Filter::Blocks { next: head + 1 }))),
        "eth_getFilterChanges" => chain.filter_changes(p.u64(0, "id")?),
        "eth_getFilterLogs" => {
            let q = chain.filter_query(p.u64(0, "id")?)?;
            chain.logs(&q).map(Value::Array)
        }
        "eth_uninstallFilter" => Ok(json!(chain.remove_filter(p.u64(0, "id")?))),
        "evm_snapshot" | "anvil_snapshot" => Ok(wire::qty(chain.snapshot())),
        "evm_revert" | "anvil_revert" => Ok(json!(chain.revert(p.u64(0, "id")?)?)),
        "evm_mine" | "anvil_mine" | "hardhat_mine" => {
            let (blocks, interval, timestamp) = if method == "evm_mine" {
                match p.get(0) {
                    Value::Object(o) => {
                        let t = o
                            .get("timestamp")
                            .filter(|v| !v.is_null())
                            .map(|v| parse_u64(v, "evm_mine: timestamp"))
                            .transpose()?;
                        let n = o
                            .get("blocks")
                            .filter(|v| !v.is_null())
                            .map(|v| parse_u64(v, "evm_mine: blocks"))
                            .transpose()?;
                        (n.unwrap_or(1), 0, t)
                    }
                    Value::Null => (1, 0, None),
                    v => (1, 0, Some(parse_u64(v, "evm_mine: timestamp")?)),
                }
            } else {
                let n = match p.get(0) {
                    Value::Null => 1,
                    v => parse_u64(v, &p.what("blocks"))?,
                };
                let interval = match p.get(1) {
                    Value::Null => 0,
                    v => parse_u64(v, &p.what("interval"))?,
                };
                (n, interval, None)
            };
            if blocks > 10_000 {
                return Err(RpcError::params(format!("{method}: at most 10000 blocks at once, asked {blocks}")));
            }
            for i in 0..blocks {
                let t = match (timestamp, interval) {
                    (Some(t), _) if i == 0 => Some(t),
                    (_, d) if d > 0 && i > 0 => Some(chain.head().header.timestamp + d),
                    _ => None,
                };
                chain.mine_pending(t)?;
            }
            Ok(json!("0x0"))
        }
        "evm_increaseTime" | "anvil_increaseTime" => {
            let s = p.u64(0, "seconds")?;
            let total = chain.increase_time(i64::try_from(s).unwrap_or(i64::MAX));
            Ok(wire::qty(total.unsigned_abs()))
        }
        "evm_setNextBlockTimestamp" | "anvil_setNextBlockTimestamp" => {
            chain.set_next_timestamp(p.u64(0, "timestamp")?)?;
            Ok(Value::Null)
        }
        "evm_setAutomine" | "anvil_setAutomine" => {
            let on = p.bool_or(0, true)?;
            chain.settings.automine = on;
            if on && chain.pool_len() > 0 {
                chain.mine_pending(None)?;
            }
            Ok(json!(true))
        }
        "anvil_getAutomine" | "hardhat_getAutomine" => Ok(json!(chain.settings.automine)),
        "anvil_setBalance" | "hardhat_setBalance" => set_account(chain, &p, "balance"),
        "anvil_setNonce" | "hardhat_setNonce" => set_account(chain, &p, "nonce"),
        "anvil_setCode" | "hardhat_setCode" => set_account(chain, &p, "code"),
        "anvil_setStorageAt" | "hardhat_setStorageAt" => set_account(chain, &p, "storage"),
        "anvil_impersonateAccount" | "hardhat_impersonateAccount" => {
            let a = p.address(0, "address")?;
            chain.impersonated.insert(a);
            Ok(Value::Null)
        }
        "anvil_stopImpersonatingAccount" | "hardhat_stopImpersonatingAccount" => {
            let a = p.address(0, "address")?;
            chain.impersonated.remove(&a);
            Ok(Value::Null)
        }
        "debug_executionWitness" => {
            let at = parse_at(chain, p.req(0, "block")?, "debug_executionWitness: block")?;
            let n = chain.number_of(at)?;
            let (witness, parent) = chain.execution_witness(n)?;
            let hex_list = |items: &[Bytes]| items.iter().map(|b| Value::String(format!("{b}"))).collect::<Vec<_>>();
            let mut header = Vec::new();
            alloy_rlp::Encodable::encode(&parent, &mut header);
            Ok(json!({
                "state": hex_list(&witness.state),
                "codes": hex_list(&witness.codes),
                "keys": hex_list(&witness.keys),
                "headers": [format!("{}", Bytes::from(header))],
            }))
        }
        "debug_traceTransaction" => {
            let h = p.b256(0, "hash")?;
            trace::trace_transaction(chain, h, p.get(1))
        }
        "debug_traceCall" => {
            let req = parse_call(p.req(0, "transaction")?, "debug_traceCall")?;
            let at = parse_at(chain, p.get(1), "debug_traceCall: block")?;
            trace::trace_call(chain, &req, at, p.get(2))
        }
        "eth_subscribe" | "eth_unsubscribe" => {
            Err(RpcError::new(-32601, format!("{method} needs a WebSocket connection (ws://, the same port)")))
        }
        _ => Err(RpcError::unknown_method(method)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EIP-2124's checksum is the standard CRC-32: "123456789" gives 0xCBF43926.
    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
