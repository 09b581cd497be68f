//! The chain: the head state in memory, blocks mined with
//! [`wasm_runtime::exec::apply_block`], each one committed to the store in one write
//! transaction, calls run against the head or an earlier state, and the development
//! methods' changes (balances, code, snapshots, time).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_consensus::constants::EMPTY_OMMER_ROOT_HASH;
use alloy_consensus::Header;
use alloy_rlp::Encodable;
use serde_json::{json, Value};
use tokio::sync::broadcast;
use wasm_runtime::block::{roots, Block, BlockTx, CommitState, Rejection, StateDiff};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{AccessListItem, BlockEnv, TxEnv};
use wasm_runtime::exec::{Artifact, ArtifactCache, CodeKind};
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::{AccountInfo, MemoryDb, Platform};
use wasm_runtime::primitives::{keccak256, Address, Bytes, B256, U256};

use super::accounts::DevAccount;
use super::store::{ChainConfig, Store, StoredArtifact, StoredBlock, StoredTx, Touched, UndoAccount, UndoEntry};
use super::wire::{self, RpcError, RpcResult};

/// The base fee of the genesis block: 1 gwei, as anvil's.
pub const GENESIS_BASE_FEE: u64 = 1_000_000_000;

/// The tip `eth_maxPriorityFeePerGas` suggests: 1 gwei.
pub const SUGGESTED_TIP: u64 = 1_000_000_000;

/// What the chain is started with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The fork whose rules every block follows.
    pub fork: Fork,
    /// The engine contract code runs on.
    pub engine: EngineKind,
    /// The block gas limit.
    pub gas_limit: u64,
    /// The funded development accounts.
    pub accounts: Vec<DevAccount>,
    /// Each one's balance in wei.
    pub balance: U256,
    /// Mine a block per transaction (else on `evm_mine` or the block timer).
    pub automine: bool,
    /// Print each block and transaction.
    pub verbose: bool,
}

/// Something subscribers hear about.
#[derive(Clone, Debug)]
pub enum Event {
    /// A new block: its header as `eth_getBlockByNumber` returns it, and its logs.
    Block { header: Value, logs: Vec<Value> },
}

/// A state-changing request that `evm_snapshot` can take back.
#[derive(Clone, Debug)]
struct Snapshot {
    head: u64,
    seq: u64,
    time_offset: i64,
}

/// A transaction waiting for a block (automine off).
#[derive(Clone, Debug)]
struct Pending {
    tx: TxEnv,
    raw: Option<Bytes>,
}

/// A filter of `eth_newFilter`, `eth_newBlockFilter`.
#[derive(Clone, Debug)]
pub enum Filter {
    /// Logs matching a query, from the block after the last poll.
    Logs { query: LogQuery, next: u64 },
    /// New block hashes after the last poll.
    Blocks { next: u64 },
}

/// An `eth_getLogs` query.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    /// First block.
    pub from: Option<u64>,
    /// Last block.
    pub to: Option<u64>,
    /// A single block by hash.
    pub block_hash: Option<B256>,
    /// Addresses (empty: any).
    pub addresses: Vec<Address>,
    /// Per position, the topics allowed (empty: any).
    pub topics: Vec<Vec<B256>>,
}

impl LogQuery {
    /// Whether a log (as JSON) matches the address and topic conditions.
    pub fn matches(&self, log: &Value) -> bool {
        let address = log["address"].as_str().and_then(|a| a.parse::<Address>().ok());
        if !self.addresses.is_empty() && !address.is_some_and(|a| self.addresses.contains(&a)) {
            return false;
        }
        let topics: Vec<B256> = log["topics"]
            .as_array()
            .map(|t| t.iter().filter_map(|t| t.as_str()?.parse().ok()).collect())
            .unwrap_or_default();
        self.topics
            .iter()
            .enumerate()
            .all(|(i, allowed)| allowed.is_empty() || topics.get(i).is_some_and(|t| allowed.contains(t)))
    }
}

/// A call's request: the fields of `eth_call`, `eth_estimateGas`, `eth_sendTransaction`.
#[derive(Clone, Debug, Default)]
pub struct CallRequest {
    pub from: Option<Address>,
    pub to: Option<Address>,
    pub gas: Option<u64>,
    pub gas_price: Option<U256>,
    pub max_fee_per_gas: Option<U256>,
    pub max_priority_fee_per_gas: Option<U256>,
    pub value: Option<U256>,
    pub data: Option<Bytes>,
    pub nonce: Option<u64>,
    pub access_list: Vec<AccessListItem>,
    pub tx_type: Option<u8>,
}

/// One account's `eth_call` state override.
#[derive(Clone, Debug, Default)]
pub struct AccountOverride {
    pub address: Address,
    pub balance: Option<U256>,
    pub nonce: Option<u64>,
    pub code: Option<Bytes>,
    /// Replaces the whole storage.
    pub state: Option<Vec<(U256, U256)>>,
    /// Replaces these slots.
    pub state_diff: Option<Vec<(U256, U256)>>,
}

/// `eth_call`'s state overrides.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub accounts: Vec<AccountOverride>,
}

impl Overrides {
    fn apply(&self, db: &mut MemoryDb) {
        for o in &self.accounts {
            let acc = db.accounts.entry(o.address).or_default();
            if let Some(b) = o.balance {
                acc.info.balance = b;
            }
            if let Some(n) = o.nonce {
                acc.info.nonce = n;
            }
            if let Some(code) = &o.code {
                acc.info.set_code(code.clone());
            }
            if let Some(state) = &o.state {
                acc.storage = state.iter().copied().filter(|(_, v)| !v.is_zero()).collect();
            }
            for (k, v) in o.state_diff.iter().flatten() {
                if v.is_zero() {
                    acc.storage.remove(k);
                } else {
                    acc.storage.insert(*k, *v);
                }
            }
        }
    }
}

/// Which state a request reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The head, with development changes since (latest, pending, safe, finalized).
    Head,
    /// The state after block `n`.
    Number(u64),
}

/// A transaction run with the call tracer on.
#[derive(Clone, Debug)]
pub struct Traced {
    /// Its receipt.
    pub receipt: wasm_runtime::block::Receipt,
    /// Its frames (none when no code ran: a transfer to an account without code).
    pub frames: Vec<wasm_runtime::exec::CallTrace>,
    /// RV64IM instructions the transaction executed (provable engine).
    pub rv_instructions: u64,
}

/// How a call ended.
#[derive(Clone, Debug)]
pub struct CallOutcome {
    /// It succeeded.
    pub success: bool,
    /// Its return or revert data.
    pub output: Bytes,
    /// Gas used, refunds taken.
    pub gas_used: u64,
    /// Why it halted, when it halted exceptionally.
    pub error: Option<String>,
}

impl CallOutcome {
    /// The outcome as a JSON-RPC result: the output, or the revert / halt as an error.
    pub fn into_result(self) -> RpcResult<Bytes> {
        match (self.success, self.error) {
            (true, _) => Ok(self.output),
            (false, None) => Err(RpcError::reverted(&self.output)),
            (false, Some(why)) => Err(RpcError::server(format!("execution failed: {why}"))),
        }
    }
}

/// The head state as a block commits to it: the diff's undo is kept for the store.
struct HeadState<'a> {
    db: &'a mut MemoryDb,
    undo: UndoEntry,
    touched: Vec<(Address, Touched)>,
}

impl Platform for HeadState<'_> {
    fn account(&mut self, address: &Address) -> Option<AccountInfo> {
        self.db.account(address)
    }
    fn storage(&mut self, address: &Address, key: &U256) -> U256 {
        self.db.storage(address, key)
    }
    fn has_storage(&mut self, address: &Address) -> bool {
        self.db.has_storage(address)
    }
}

impl CommitState for HeadState<'_> {
    fn commit(&mut self, diff: &StateDiff) {
        let (undo, touched) = undo_of(self.db, diff);
        self.undo = undo;
        self.touched = touched;
        self.db.apply(diff);
    }
    fn state_root(&mut self) -> B256 {
        roots::state_root(self.db)
    }
}

/// How to take back `diff` from `db` (before it is applied), and what it touches.
fn undo_of(db: &MemoryDb, diff: &StateDiff) -> (UndoEntry, Vec<(Address, Touched)>) {
    let mut undo = UndoEntry::default();
    let mut touched = Vec::new();
    for (address, change) in &diff.accounts {
        let before = db.accounts.get(address);
        let wipes = change.as_ref().is_none_or(|c| c.storage_cleared);
        let full = || before.map(|b| b.storage.iter().map(|(k, v)| (*k, *v)).collect()).unwrap_or_default();
        let (slots, storage, what) = match change {
            Some(c) if !wipes => {
                let slots: Vec<U256> = c.storage.keys().copied().collect();
                let prior = slots
                    .iter()
                    .map(|k| (*k, before.and_then(|b| b.storage.get(k).copied()).unwrap_or(U256::ZERO)))
                    .collect();
                (prior, None, Touched::Slots(slots))
            }
            _ => (Vec::new(), Some(full()), Touched::All),
        };
        undo.accounts.push(UndoAccount { address: *address, prior: before.map(|b| b.info.clone()), slots, storage });
        touched.push((*address, what));
    }
    (undo, touched)
}

/// Takes `entry` back in `db`; returns what it touched.
fn revert_entry(db: &mut MemoryDb, entry: &UndoEntry) -> Vec<(Address, Touched)> {
    let mut touched = Vec::new();
    for acc in entry.accounts.iter().rev() {
        match &acc.prior {
            None => {
                db.accounts.remove(&acc.address);
                touched.push((acc.address, Touched::All));
            }
            Some(info) => {
                let e = db.accounts.entry(acc.address).or_default();
                e.info = info.clone();
                if let Some(storage) = &acc.storage {
                    e.storage = storage.iter().copied().filter(|(_, v)| !v.is_zero()).collect();
                    touched.push((acc.address, Touched::All));
                } else {
                    for (k, v) in &acc.slots {
                        if v.is_zero() {
                            e.storage.remove(k);
                        } else {
                            e.storage.insert(*k, *v);
                        }
                    }
                    touched.push((acc.address, Touched::Slots(acc.slots.iter().map(|(k, _)| *k).collect())));
                }
            }
        }
    }
    touched
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A block just mined, for the caller.
#[derive(Clone, Debug)]
pub struct Mined {
    /// Transactions rejected, with why.
    pub rejected: Vec<(B256, String)>,
}

/// The chain.
pub struct Chain {
    /// Its settings.
    pub settings: Settings,
    store: Store,
    db: MemoryDb,
    artifacts: ArtifactCache,
    head: StoredBlock,
    next_seq: u64,
    /// The last 256 block hashes by number.
    recent: VecDeque<(u64, B256)>,
    pool: Vec<Pending>,
    time_offset: i64,
    next_timestamp: Option<u64>,
    snapshots: BTreeMap<u64, Snapshot>,
    next_snapshot: u64,
    /// Accounts `eth_sendTransaction` may send from without a key.
    pub impersonated: HashSet<Address>,
    filters: HashMap<u64, Filter>,
    next_filter: u64,
    events: broadcast::Sender<Event>,
    /// Whether the chain was resumed from its data directory.
    pub resumed: bool,
    /// Code hashes whose artifacts the store holds.
    stored_artifacts: HashSet<B256>,
}

impl Chain {
    /// Opens the chain in `store`: resumes at its head, or writes the genesis block.
    pub fn open(store: Store, mut settings: Settings, events: broadcast::Sender<Event>) -> Result<Self, String> {
        let resumed = store.head()?.is_some();
        if let Some(config) = store.config()? {
            let fork = Fork::parse(&config.fork)
                .ok_or_else(|| format!("the data directory's fork {} is unknown", config.fork))?;
            settings.chain_id = config.chain_id;
            settings.fork = fork;
            settings.gas_limit = config.gas_limit;
        }
        let (head, next_seq, db) = match store.head()? {
            Some((number, next_seq)) => {
                let head =
                    store.block(number)?.ok_or_else(|| format!("database: the head block {number} is missing"))?;
                (head, next_seq, store.load_state()?)
            }
            None => Self::genesis(&store, &settings)?,
        };
        let mut recent = VecDeque::new();
        let first = head.header.number.saturating_sub(255);
        for n in first..=head.header.number {
            let b = store.block(n)?.ok_or_else(|| format!("database: block {n} is missing"))?;
            recent.push_back((n, b.hash));
        }
        // The artifacts of earlier runs, those built under this fork's EVM rules.
        let mut artifacts = ArtifactCache::default();
        let rules = settings.fork.evm_rules();
        artifacts.set_rules(rules);
        let mut stored_artifacts = HashSet::new();
        for (hash, a) in store.artifacts()? {
            stored_artifacts.insert(hash);
            let kind = match a.kind.as_str() {
                "wasm" => CodeKind::Wasm,
                "native" => CodeKind::Native,
                _ if a.clz != rules.clz => continue,
                _ => CodeKind::Evm,
            };
            let _ = artifacts.get_or_build_with(hash, || Ok(Artifact::new(hash, kind, a.wasm, a.has_deploy)));
        }
        let chain = Self {
            settings,
            store,
            db,
            artifacts,
            head,
            next_seq,
            recent,
            pool: Vec::new(),
            time_offset: 0,
            next_timestamp: None,
            snapshots: BTreeMap::new(),
            next_snapshot: 1,
            impersonated: HashSet::new(),
            filters: HashMap::new(),
            next_filter: 1,
            events,
            resumed,
            stored_artifacts,
        };
        Ok(chain)
    }

    fn genesis(store: &Store, settings: &Settings) -> Result<(StoredBlock, u64, MemoryDb), String> {
        let mut db = MemoryDb::default();
        for a in &settings.accounts {
            db.insert(a.address, AccountInfo::with_balance(settings.balance, 0), BTreeMap::new());
        }
        let header = Header {
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            state_root: roots::state_root(&db),
            transactions_root: roots::tx_root::<&[u8]>(&[]),
            receipts_root: roots::receipts_root(&[]),
            withdrawals_root: Some(alloy_consensus::constants::EMPTY_WITHDRAWALS),
            gas_limit: settings.gas_limit,
            timestamp: now(),
            base_fee_per_gas: Some(GENESIS_BASE_FEE),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: settings.fork.requests().then_some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH),
            ..Header::default()
        };
        let block =
            StoredBlock { hash: header.hash_slow(), size: header.length() as u64, header, txs: Vec::new(), end_seq: 0 };
        let batch = store.batch()?;
        batch.set_config(&ChainConfig {
            chain_id: settings.chain_id,
            fork: settings.fork.name().to_string(),
            gas_limit: settings.gas_limit,
        })?;
        let touched: Vec<_> = db.accounts.keys().map(|a| (*a, Touched::All)).collect();
        batch.put_accounts(&db, &touched)?;
        batch.put_block(&block, &[], &[])?;
        batch.set_head(0, 0)?;
        batch.commit()?;
        Ok((block, 0, db))
    }

    /// The head block.
    pub fn head(&self) -> &StoredBlock {
        &self.head
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The base fee of the next block (EIP-1559).
    pub fn next_base_fee(&self) -> U256 {
        let h = &self.head.header;
        crate::input::next_base_fee(U256::from(h.base_fee_per_gas.unwrap_or(0)), h.gas_used, h.gas_limit)
    }

    /// The block with number `n`.
    pub fn block(&self, n: u64) -> RpcResult<Option<StoredBlock>> {
        if n == self.head.header.number {
            return Ok(Some(self.head.clone()));
        }
        self.store.block(n).map_err(RpcError::internal)
    }

    /// Resolves a block number, refusing one past the head.
    pub fn number_of(&self, at: At) -> RpcResult<u64> {
        match at {
            At::Head => Ok(self.head.header.number),
            At::Number(n) if n <= self.head.header.number => Ok(n),
            At::Number(n) => Err(RpcError::server(format!(
                "header not found: block {n} is past the head {}",
                self.head.header.number
            ))),
        }
    }

    /// The state after block `n`: the head state with the later undo entries taken back.
    fn state_at(&self, n: u64) -> RpcResult<MemoryDb> {
        let block = self.block(n)?.ok_or_else(|| RpcError::server(format!("header not found: block {n}")))?;
        let mut db = self.db.clone();
        for entry in self.store.undo_since(block.end_seq).map_err(RpcError::internal)? {
            revert_entry(&mut db, &entry);
        }
        Ok(db)
    }

    /// Runs `f` on the state `at` (the head state itself, or a copy of an earlier one).
    pub fn with_state<T>(&mut self, at: At, f: impl FnOnce(&mut MemoryDb) -> T) -> RpcResult<T> {
        let n = self.number_of(at)?;
        if n == self.head.header.number {
            return Ok(f(&mut self.db));
        }
        let mut db = self.state_at(n)?;
        Ok(f(&mut db))
    }

    /// The nonce the next transaction of `address` needs (queued ones counted).
    pub fn next_nonce(&mut self, address: Address) -> u64 {
        let queued = self.pool.iter().filter(|p| p.tx.caller == address).map(|p| p.tx.nonce + 1).max();
        let state = self.db.account(&address).map_or(0, |a| a.nonce);
        queued.unwrap_or(0).max(state)
    }

    fn block_env(&self, number: u64, timestamp: u64, base_fee: U256) -> BlockEnv {
        let fork = self.settings.fork;
        let parent = &self.head.header;
        BlockEnv {
            number,
            timestamp,
            coinbase: Address::ZERO,
            gas_limit: self.settings.gas_limit,
            base_fee,
            prev_randao: keccak256(number.to_be_bytes()),
            chain_id: self.settings.chain_id,
            excess_blob_gas: fork.excess_blob_gas(
                parent.excess_blob_gas.unwrap_or(0),
                parent.blob_gas_used.unwrap_or(0),
                parent.base_fee_per_gas.unwrap_or(0),
            ),
            block_hashes: self.recent.iter().copied().collect(),
            fork,
        }
    }

    /// The most gas one transaction may use: the block's limit, and EIP-7825's cap.
    pub fn tx_gas_cap(&self) -> u64 {
        let cap = self.settings.fork.tx_gas_cap().unwrap_or(u64::MAX);
        self.settings.gas_limit.min(cap)
    }

    /// A call request as a transaction of `caller` on the state `db`.
    fn call_tx(req: &CallRequest, db: &mut MemoryDb, gas: u64, hash: B256) -> TxEnv {
        let caller = req.from.unwrap_or(Address::ZERO);
        // As geth's eth_call: the sender's nonce in the state, whatever the request says.
        let nonce = db.account(&caller).map_or(0, |a| a.nonce);
        let (tx_type, max_fee, tip) = match (req.gas_price, req.max_fee_per_gas) {
            (Some(price), None) => (req.tx_type.unwrap_or(0), price, price),
            (_, fee) => {
                let fee = fee.unwrap_or(U256::ZERO);
                (req.tx_type.unwrap_or(2), fee, req.max_priority_fee_per_gas.unwrap_or(U256::ZERO).min(fee))
            }
        };
        TxEnv {
            tx_type: if tx_type == 0 && !req.access_list.is_empty() { 1 } else { tx_type },
            caller,
            nonce,
            gas_limit: gas,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            to: req.to,
            value: req.value.unwrap_or(U256::ZERO),
            data: req.data.clone().unwrap_or_default(),
            access_list: req.access_list.clone(),
            hash,
            ..TxEnv::default()
        }
    }

    /// Executes `req` on the state `at` without keeping anything (`eth_call`): the base fee
    /// is zero unless a price is given, the nonce is the sender's.
    pub fn call(
        &mut self,
        req: &CallRequest,
        at: At,
        gas: Option<u64>,
        overrides: Option<&Overrides>,
    ) -> RpcResult<CallOutcome> {
        let number = self.number_of(at)?;
        let header = self.block(number)?.map(|b| b.header).unwrap_or_default();
        let priced = req.gas_price.is_some() || req.max_fee_per_gas.is_some();
        let base_fee = if priced { U256::from(header.base_fee_per_gas.unwrap_or(0)) } else { U256::ZERO };
        let mut env = self.block_env(number, header.timestamp, base_fee);
        env.block_hashes.retain(|(n, _)| *n < number);
        let gas = gas.or(req.gas).unwrap_or_else(|| self.tx_gas_cap());
        let engine = self.settings.engine;
        let mut artifacts = std::mem::take(&mut self.artifacts);
        let result = self.with_state(at, |db| {
            let run = |db: &mut MemoryDb, artifacts: &mut ArtifactCache| {
                let tx = Self::call_tx(req, db, gas, B256::ZERO);
                wasm_runtime::exec::execute_block_in(db, &env, vec![Ok(tx)], engine, artifacts)
            };
            match overrides {
                Some(o) => {
                    let mut copy = db.clone();
                    o.apply(&mut copy);
                    run(&mut copy, &mut artifacts)
                }
                None => run(db, &mut artifacts),
            }
        });
        self.artifacts = artifacts;
        let out = result?;
        if let Some(e) = out.error {
            return Err(RpcError::internal(format!("zkos internal error: {e}")));
        }
        if let Some(r) = out.rejected.first() {
            return Err(RpcError::server(r.error.to_string()));
        }
        let receipt = out.receipts.first().ok_or_else(|| RpcError::internal("the call produced no receipt"))?;
        Ok(CallOutcome {
            success: receipt.success,
            output: Bytes::copy_from_slice(&receipt.output),
            gas_used: receipt.gas_used,
            error: receipt.error.as_ref().map(ToString::to_string),
        })
    }

    /// `eth_estimateGas`: the code's proven static bound when it is at most twice the gas the
    /// call used (a limit that holds whatever the call's path; checked by running at it once);
    /// otherwise the least gas limit with which `req` succeeds, by binary search between the gas
    /// it used and the cap. A bound far above the use (an SDK contract's bound pays for the
    /// largest allocation it may make) would make wallets set aside gas the call never needs.
    pub fn estimate_gas(&mut self, req: &CallRequest, at: At, overrides: Option<&Overrides>) -> RpcResult<u64> {
        let cap = req.gas.unwrap_or_else(|| self.tx_gas_cap());
        let first = self.call(req, at, Some(cap), overrides)?;
        if !first.success {
            first.into_result()?;
            return Err(RpcError::server("gas required exceeds allowance"));
        }
        let succeeds = |chain: &mut Self, gas: u64| chain.call(req, at, Some(gas), overrides).map(|o| o.success);
        // A proven static bound, when the code has one near the use (checked by running at it
        // once).
        if at == At::Head && overrides.is_none() {
            let near = |b: &u64| *b <= cap && *b >= first.gas_used && *b <= first.gas_used.saturating_mul(2);
            if let Some(bound) = self.gas_bound(req)?.bound.filter(near) {
                if succeeds(self, bound)? {
                    return Ok(bound);
                }
            }
        }
        // Most calls succeed with what they used plus the 1/64 a call keeps back.
        let guess = first.gas_used.saturating_mul(64) / 63 + 1;
        if first.gas_used < cap && succeeds(self, first.gas_used)? {
            return Ok(first.gas_used);
        }
        let (mut lo, mut hi) = (first.gas_used, cap);
        if guess < cap && succeeds(self, guess)? {
            hi = guess;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if succeeds(self, mid)? {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// `zkos_gasBound`: the static bound of `req` on the head state.
    pub fn gas_bound(&mut self, req: &CallRequest) -> RpcResult<super::gasbound::GasBound> {
        let gas = req.gas.unwrap_or_else(|| self.tx_gas_cap());
        let tx = Self::call_tx(req, &mut self.db, gas, B256::ZERO);
        let code = req.to.and_then(|to| self.db.account(&to)).map(|a| a.code).unwrap_or_default();
        Ok(super::gasbound::gas_bound(&tx, &code, self.settings.fork.calldata_floor()))
    }

    /// The block environment of a mined block.
    fn env_of(&self, header: &Header) -> RpcResult<BlockEnv> {
        let mut hashes = Vec::new();
        for n in header.number.saturating_sub(256)..header.number {
            if let Some(b) = self.block(n)? {
                hashes.push((n, b.hash));
            }
        }
        Ok(BlockEnv {
            number: header.number,
            timestamp: header.timestamp,
            coinbase: header.beneficiary,
            gas_limit: header.gas_limit,
            base_fee: U256::from(header.base_fee_per_gas.unwrap_or(0)),
            prev_randao: header.mix_hash,
            chain_id: self.settings.chain_id,
            excess_blob_gas: header.excess_blob_gas.unwrap_or(0),
            block_hashes: hashes,
            fork: self.settings.fork,
        })
    }

    /// Runs `prior` then `tx` on `db` (not kept) with the call tracer on for `tx`: its
    /// receipt, trace and RV64IM instructions.
    fn run_traced(&mut self, db: &mut MemoryDb, env: BlockEnv, prior: &[TxEnv], tx: &TxEnv) -> RpcResult<Traced> {
        let artifacts = std::mem::take(&mut self.artifacts);
        let mut sys = wasm_runtime::exec::System::with_artifacts(&mut *db, env, self.settings.engine, artifacts);
        let internal = |e: wasm_runtime::error::Internal| RpcError::internal(format!("zkos internal error: {e}"));
        let mut run = || -> RpcResult<Traced> {
            let mut used = 0;
            for p in prior {
                if let Ok(r) = sys.apply_transaction(p, used).map_err(internal)? {
                    used += r.gas_used;
                }
            }
            sys.tracer = Some(Box::default());
            let before = sys.stats.rv_instructions;
            let receipt =
                sys.apply_transaction(tx, used).map_err(internal)?.map_err(|e| RpcError::server(e.to_string()))?;
            let frames = sys.tracer.take().map(|t| t.frames).unwrap_or_default();
            Ok(Traced { receipt, frames, rv_instructions: sys.stats.rv_instructions - before })
        };
        let out = run();
        self.artifacts = std::mem::take(&mut sys.artifacts);
        out
    }

    /// A mined transaction run again, traced, on the state it ran on.
    pub fn replay(&mut self, stored: &StoredTx) -> RpcResult<Traced> {
        let block = self.block(stored.block)?.ok_or_else(|| RpcError::internal("the transaction's block is gone"))?;
        let env = self.env_of(&block.header)?;
        let mut db = self.state_at(stored.block.saturating_sub(1))?;
        let mut prior = Vec::new();
        for h in block.txs.iter().take_while(|h| **h != stored.env.hash) {
            let t = self.store.tx(h).map_err(RpcError::internal)?;
            prior.push(t.ok_or_else(|| RpcError::internal("a transaction of the block is gone"))?.env);
        }
        self.run_traced(&mut db, env, &prior, &stored.env)
    }

    /// `debug_executionWitness`: the witness of mined block `n` (trie nodes, codes, keys
    /// a stateless run of it reads, as the kernel takes it), and the parent's header, whose
    /// state root the nodes are checked against.
    pub fn execution_witness(&mut self, n: u64) -> RpcResult<(wasm_runtime::stateless::Witness, Header)> {
        if n == 0 {
            return Err(RpcError::server("block 0 is the genesis: it executes nothing and has no witness"));
        }
        let stored = self.block(n)?.ok_or_else(|| RpcError::server(format!("header not found: block {n}")))?;
        let parent = self.block(n - 1)?.ok_or_else(|| RpcError::internal("the parent block is gone"))?;
        let env = self.env_of(&stored.header)?;
        let mut transactions = Vec::new();
        for h in &stored.txs {
            let t = self.store.tx(h).map_err(RpcError::internal)?;
            let t = t.ok_or_else(|| RpcError::internal("a transaction of the block is gone"))?;
            transactions.push(BlockTx { tx: Ok(t.env), encoded: None });
        }
        let block = Block {
            env,
            parent_beacon_block_root: None,
            parent_hash: Some(parent.hash),
            deposit_contract: None,
            transactions,
            withdrawals: Vec::new(),
        };
        let pre = self.state_at(n - 1)?;
        let witness = wasm_runtime::stateless::Witness::of_block(&pre, &block)
            .map_err(|e| RpcError::internal(format!("zkos internal error: block {n} does not replay: {e}")))?;
        Ok((witness, parent.header))
    }

    /// A call traced (`debug_traceCall`), on the state `at`, as `eth_call` runs it.
    pub fn trace_call(&mut self, req: &CallRequest, at: At) -> RpcResult<(TxEnv, Traced)> {
        let number = self.number_of(at)?;
        let header = self.block(number)?.map(|b| b.header).unwrap_or_default();
        let priced = req.gas_price.is_some() || req.max_fee_per_gas.is_some();
        let base_fee = if priced { U256::from(header.base_fee_per_gas.unwrap_or(0)) } else { U256::ZERO };
        let mut env = self.block_env(number, header.timestamp, base_fee);
        env.block_hashes.retain(|(n, _)| *n < number);
        let gas = req.gas.unwrap_or_else(|| self.tx_gas_cap());
        let mut db = if number == self.head.header.number { self.db.clone() } else { self.state_at(number)? };
        let tx = Self::call_tx(req, &mut db, gas, B256::ZERO);
        let traced = self.run_traced(&mut db, env, &[], &tx)?;
        Ok((tx, traced))
    }

    /// The request of `eth_sendTransaction` as a transaction: signed with the dev key of
    /// `from`, or (impersonated) executed for `from` without a signature.
    pub fn fill_transaction(&mut self, mut req: CallRequest) -> RpcResult<(TxEnv, Option<Bytes>)> {
        let from = req.from.ok_or_else(|| RpcError::params("eth_sendTransaction: no from"))?;
        let nonce = match req.nonce {
            Some(n) => n,
            None => self.next_nonce(from),
        };
        req.nonce = Some(nonce);
        let gas = match req.gas {
            Some(g) => g,
            None => self.estimate_gas(&req, At::Head, None)?,
        };
        let base = self.next_base_fee();
        let (tx_type, max_fee, tip) = match (req.gas_price, req.max_fee_per_gas) {
            (Some(price), None) => (0u8, price, price),
            (_, fee) => {
                let tip = req.max_priority_fee_per_gas.unwrap_or(U256::from(SUGGESTED_TIP));
                (2, fee.unwrap_or(base * U256::from(2) + tip), tip)
            }
        };
        let to_u128 = |v: U256| u128::try_from(v).map_err(|_| RpcError::params("a fee does not fit 128 bits"));
        let unsigned = wasm_runtime::tx::UnsignedTx {
            tx_type: if tx_type == 0 && !req.access_list.is_empty() { 1 } else { req.tx_type.unwrap_or(tx_type) },
            chain_id: Some(self.settings.chain_id),
            nonce,
            gas_limit: gas,
            max_fee_per_gas: to_u128(max_fee)?,
            max_priority_fee_per_gas: to_u128(tip.min(max_fee))?,
            to: req.to,
            value: req.value.unwrap_or(U256::ZERO),
            data: req.data.clone().unwrap_or_default(),
            access_list: req.access_list.clone(),
            ..Default::default()
        };
        if let Some(key) = self.settings.accounts.iter().find(|a| a.address == from).map(|a| a.secret) {
            if !self.impersonated.contains(&from) {
                let env = unsigned.sign(&key).map_err(|e| RpcError::server(e.to_string()))?;
                let raw = Bytes::from(wasm_runtime::tx::encode(&env));
                let tx = wasm_runtime::tx::recover(&env, self.settings.chain_id)
                    .map_err(|e| RpcError::server(e.to_string()))?;
                return Ok((tx, Some(raw)));
            }
        }
        if !self.impersonated.contains(&from) {
            return Err(RpcError::server(format!("no key for {from}: not a development account and not impersonated")));
        }
        let tx = unsigned.with_sender(from, self.settings.chain_id).map_err(|e| RpcError::server(e.to_string()))?;
        Ok((tx, None))
    }

    /// Accepts a transaction: mines it at once (automine) or queues it. A transaction that
    /// would not be included (bad nonce, fees, balance) is refused with the reason.
    pub fn submit(&mut self, tx: TxEnv, raw: Option<Bytes>) -> RpcResult<B256> {
        let hash = tx.hash;
        if self.store.tx(&hash).map_err(RpcError::internal)?.is_some() || self.pool.iter().any(|p| p.tx.hash == hash) {
            return Err(RpcError::server(format!("transaction already known: {hash}")));
        }
        let expected = self.next_nonce(tx.caller);
        if tx.nonce > expected {
            return Err(RpcError::server(format!(
                "nonce too high: the transaction has nonce {}, the account's next is {expected} (zkos node does not queue nonce gaps)",
                tx.nonce
            )));
        }
        if tx.nonce < expected {
            return Err(RpcError::server(format!(
                "nonce too low: the transaction has nonce {}, the account's next is {expected}",
                tx.nonce
            )));
        }
        if let Some(cap) = self.settings.fork.tx_gas_cap() {
            if tx.gas_limit > cap {
                return Err(RpcError::server(format!(
                    "gas limit {} is above the transaction cap {cap} (EIP-7825)",
                    tx.gas_limit
                )));
            }
        }
        if tx.gas_limit > self.settings.gas_limit {
            return Err(RpcError::server(format!(
                "gas limit {} is above the block gas limit {}",
                tx.gas_limit, self.settings.gas_limit
            )));
        }
        if !self.settings.automine {
            self.pool.push(Pending { tx, raw });
            return Ok(hash);
        }
        let mined = self.mine_txs(vec![Pending { tx, raw }], None, true)?;
        match mined.rejected.first() {
            Some((_, why)) => Err(RpcError::server(why.clone())),
            None => Ok(hash),
        }
    }

    /// Mines a block with the queued transactions (`evm_mine`, the block timer).
    pub fn mine_pending(&mut self, timestamp: Option<u64>) -> RpcResult<Mined> {
        let pool = std::mem::take(&mut self.pool);
        self.mine_txs(pool, timestamp, false)
    }

    fn next_timestamp(&mut self, given: Option<u64>) -> u64 {
        let parent = self.head.header.timestamp;
        let t = given.or(self.next_timestamp.take()).unwrap_or_else(|| now().saturating_add_signed(self.time_offset));
        t.max(parent.saturating_add(1))
    }

    /// Mines one block of `txs`. With `only_if_included`, a block whose transactions are
    /// all rejected is not mined (the sender hears why).
    fn mine_txs(&mut self, txs: Vec<Pending>, timestamp: Option<u64>, only_if_included: bool) -> RpcResult<Mined> {
        let number = self.head.header.number + 1;
        let timestamp = self.next_timestamp(timestamp);
        let base_fee = self.next_base_fee();
        let env = self.block_env(number, timestamp, base_fee);
        let block = Block {
            env: env.clone(),
            parent_beacon_block_root: None,
            parent_hash: Some(self.head.hash),
            deposit_contract: None,
            transactions: txs.iter().map(|p| BlockTx { tx: Ok(p.tx.clone()), encoded: p.raw.clone() }).collect(),
            withdrawals: Vec::new(),
        };
        let mut head = HeadState { db: &mut self.db, undo: UndoEntry::default(), touched: Vec::new() };
        let applied = wasm_runtime::exec::apply_block(&mut head, &block, self.settings.engine, &mut self.artifacts)
            .map_err(|e| RpcError::internal(format!("zkos internal error, block not mined: {e}")))?;
        let (undo, touched) = (head.undo, head.touched);
        let out = &applied.output;
        let rejected: Vec<(B256, String)> = out
            .rejected
            .iter()
            .map(|r| {
                let why = match &r.error {
                    Rejection::Invalid(e) => e.to_string(),
                    other => other.to_string(),
                };
                (txs[r.index].tx.hash, why)
            })
            .collect();
        if only_if_included && out.included.is_empty() {
            // Nothing was included: the diff is empty, the state unchanged.
            revert_entry(self.db_mut(), &undo);
            return Ok(Mined { rejected });
        }
        let c = applied.commitments;
        let header = Header {
            parent_hash: self.head.hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: env.coinbase,
            state_root: c.state_root,
            transactions_root: c.transactions_root,
            receipts_root: c.receipts_root,
            logs_bloom: c.logs_bloom,
            difficulty: U256::ZERO,
            number,
            gas_limit: env.gas_limit,
            gas_used: out.gas_used,
            timestamp,
            mix_hash: env.prev_randao,
            base_fee_per_gas: Some(u64::try_from(base_fee).unwrap_or(u64::MAX)),
            withdrawals_root: Some(c.withdrawals_root),
            blob_gas_used: Some(c.blob_gas_used),
            excess_blob_gas: Some(env.excess_blob_gas),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: self.settings.fork.requests().then_some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH),
            ..Header::default()
        };
        let hash = header.hash_slow();
        let seq = self.next_seq;
        let mut size = header.length() as u64;
        let mut stored_txs = Vec::new();
        let mut logs = Vec::new();
        let mut log_index = 0u64;
        for (i, (receipt, &index)) in out.receipts.iter().zip(&out.included).enumerate() {
            let p = &txs[index];
            size += p.raw.as_ref().map_or(0, |r| r.len() as u64);
            let price = p.tx.effective_gas_price(base_fee).unwrap_or(base_fee);
            let tx_json = tx_json(p, &hash, number, i as u64, price, self.settings.chain_id);
            let mut receipt_logs = Vec::new();
            for log in &receipt.logs {
                let l = json!({
                    "address": wire::address(&log.address),
                    "topics": log.topics().iter().map(wire::hash).collect::<Vec<_>>(),
                    "data": wire::data_value(&log.data.data),
                    "blockNumber": wire::qty(number),
                    "blockHash": wire::hash(&hash),
                    "blockTimestamp": wire::qty(timestamp),
                    "transactionHash": wire::hash(&receipt.tx_hash),
                    "transactionIndex": wire::qty(i as u64),
                    "logIndex": wire::qty(log_index),
                    "removed": false,
                });
                log_index += 1;
                receipt_logs.push(l.clone());
                logs.push(l);
            }
            let receipt_json = json!({
                "transactionHash": wire::hash(&receipt.tx_hash),
                "transactionIndex": wire::qty(i as u64),
                "blockHash": wire::hash(&hash),
                "blockNumber": wire::qty(number),
                "from": wire::address(&p.tx.caller),
                "to": p.tx.to.as_ref().map_or(Value::Null, wire::address),
                "cumulativeGasUsed": wire::qty(receipt.cumulative_gas_used),
                "gasUsed": wire::qty(receipt.gas_used),
                "effectiveGasPrice": wire::qty(price),
                "contractAddress": receipt.contract_address.as_ref().map_or(Value::Null, wire::address),
                "logs": receipt_logs,
                "logsBloom": wire::data_value(receipt.bloom().as_slice()),
                "type": wire::qty(u64::from(receipt.tx_type)),
                "status": wire::qty(u64::from(receipt.success)),
                "blobGasUsed": wire::qty(0u64),
                "revertReason": if receipt.success { Value::Null } else { wire::data_value(&receipt.output) },
            });
            stored_txs.push((
                receipt.tx_hash,
                StoredTx { tx: tx_json, receipt: receipt_json, block: number, env: p.tx.clone() },
            ));
        }
        let block =
            StoredBlock { header, hash, txs: stored_txs.iter().map(|(h, _)| *h).collect(), end_seq: seq + 1, size };
        let clz = self.settings.fork.evm_rules().clz;
        let new_artifacts: Vec<(B256, StoredArtifact)> = self
            .artifacts
            .iter()
            .filter(|a| !self.stored_artifacts.contains(&a.hash))
            .map(|a| {
                let kind = match a.kind {
                    CodeKind::Wasm => "wasm",
                    CodeKind::Evm => "evm",
                    CodeKind::Native => "native",
                };
                (a.hash, StoredArtifact { kind: kind.into(), clz, wasm: a.wasm.clone(), has_deploy: a.has_deploy })
            })
            .collect();
        let written = (|| {
            let batch = self.store.batch()?;
            batch.put_artifacts(&new_artifacts)?;
            batch.put_block(&block, &stored_txs, &logs)?;
            batch.put_accounts(&self.db, &touched)?;
            batch.put_undo(seq, &undo)?;
            batch.set_head(number, seq + 1)?;
            batch.commit()
        })();
        if let Err(e) = written {
            revert_entry(&mut self.db, &undo);
            return Err(RpcError::internal(format!("block {number} not stored: {e}")));
        }
        self.next_seq = seq + 1;
        self.stored_artifacts.extend(new_artifacts.iter().map(|(h, _)| *h));
        self.head = block.clone();
        self.recent.push_back((number, hash));
        while self.recent.len() > 256 {
            self.recent.pop_front();
        }
        if self.settings.verbose {
            print_block(&block, &stored_txs, out.stats.rv_instructions, self.settings.engine, &rejected);
        }
        let _ = self.events.send(Event::Block { header: self.block_json(&block, false), logs });
        Ok(Mined { rejected })
    }

    fn db_mut(&mut self) -> &mut MemoryDb {
        &mut self.db
    }

    /// A block as `eth_getBlockBy*` returns it.
    pub fn block_json(&self, block: &StoredBlock, full: bool) -> Value {
        let mut v = serde_json::to_value(&block.header).unwrap_or_else(|_| json!({}));
        v["hash"] = wire::hash(&block.hash);
        v["size"] = wire::qty(block.size);
        v["totalDifficulty"] = wire::qty(0u64);
        v["uncles"] = json!([]);
        v["withdrawals"] = json!([]);
        v["transactions"] = if full {
            Value::Array(block.txs.iter().filter_map(|h| self.store.tx(h).ok().flatten().map(|t| t.tx)).collect())
        } else {
            Value::Array(block.txs.iter().map(wire::hash).collect())
        };
        v
    }

    /// Applies a development method's change to the head state and stores it (with its
    /// undo, so `evm_revert` and queries of earlier blocks see through it).
    pub fn cheat(
        &mut self,
        address: Address,
        change: impl FnOnce(&mut AccountInfo, &mut BTreeMap<U256, U256>),
    ) -> RpcResult<()> {
        let before = self.db.accounts.get(&address).cloned().unwrap_or_default();
        let mut info = before.info.clone();
        let mut slots = BTreeMap::new();
        change(&mut info, &mut slots);
        let diff = StateDiff {
            accounts: [(
                address,
                Some(wasm_runtime::block::AccountDiff { info, storage: slots, storage_cleared: false }),
            )]
            .into_iter()
            .collect(),
        };
        let (undo, touched) = undo_of(&self.db, &diff);
        self.db.apply(&diff);
        let seq = self.next_seq;
        let written = (|| {
            let batch = self.store.batch()?;
            batch.put_accounts(&self.db, &touched)?;
            batch.put_undo(seq, &undo)?;
            batch.set_head(self.head.header.number, seq + 1)?;
            batch.commit()
        })();
        if let Err(e) = written {
            revert_entry(&mut self.db, &undo);
            return Err(RpcError::internal(e));
        }
        self.next_seq = seq + 1;
        Ok(())
    }

    /// `evm_snapshot`: an id to revert to.
    pub fn snapshot(&mut self) -> u64 {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        self.snapshots
            .insert(id, Snapshot { head: self.head.header.number, seq: self.next_seq, time_offset: self.time_offset });
        id
    }

    /// `evm_revert`: back to the snapshot (blocks after it removed, development changes
    /// taken back); the snapshot and later ones are used up. `false` for an unknown id.
    pub fn revert(&mut self, id: u64) -> RpcResult<bool> {
        let Some(snap) = self.snapshots.get(&id).cloned() else {
            return Ok(false);
        };
        let entries = self.store.undo_since(snap.seq).map_err(RpcError::internal)?;
        let mut db = self.db.clone();
        let mut touched = Vec::new();
        for entry in &entries {
            touched.extend(revert_entry(&mut db, entry));
        }
        let mut removed = Vec::new();
        for n in (snap.head + 1)..=self.head.header.number {
            if let Some(b) = self.store.block(n).map_err(RpcError::internal)? {
                removed.push(b);
            }
        }
        let head = self
            .store
            .block(snap.head)
            .map_err(RpcError::internal)?
            .ok_or_else(|| RpcError::internal("the snapshot's block is gone"))?;
        let written = (|| {
            let batch = self.store.batch()?;
            for b in &removed {
                batch.remove_block(b)?;
            }
            batch.put_accounts(&db, &touched)?;
            batch.remove_undo_from(snap.seq)?;
            batch.set_head(snap.head, snap.seq)?;
            batch.commit()
        })();
        written.map_err(RpcError::internal)?;
        self.db = db;
        self.head = head;
        self.next_seq = snap.seq;
        self.time_offset = snap.time_offset;
        self.pool.clear();
        self.recent.retain(|(n, _)| *n <= snap.head);
        self.snapshots.retain(|k, _| *k < id);
        Ok(true)
    }

    /// `evm_increaseTime`: adds to the clock; returns the total offset.
    pub fn increase_time(&mut self, seconds: i64) -> i64 {
        self.time_offset = self.time_offset.saturating_add(seconds);
        self.time_offset
    }

    /// `evm_setNextBlockTimestamp`.
    pub fn set_next_timestamp(&mut self, t: u64) -> RpcResult<()> {
        if t <= self.head.header.timestamp {
            return Err(RpcError::server(format!(
                "timestamp {t} is not after the head's {}",
                self.head.header.timestamp
            )));
        }
        self.next_timestamp = Some(t);
        Ok(())
    }

    /// Installs a filter; returns its id.
    pub fn new_filter(&mut self, f: Filter) -> u64 {
        let id = self.next_filter;
        self.next_filter += 1;
        self.filters.insert(id, f);
        id
    }

    /// Removes a filter.
    pub fn remove_filter(&mut self, id: u64) -> bool {
        self.filters.remove(&id).is_some()
    }

    /// What a filter has seen since the last poll.
    pub fn filter_changes(&mut self, id: u64) -> RpcResult<Value> {
        let head = self.head.header.number;
        let f = self.filters.get(&id).cloned().ok_or_else(|| RpcError::server("filter not found"))?;
        let (out, next) = match f {
            Filter::Blocks { next } => {
                let mut hashes = Vec::new();
                for n in next..=head {
                    if let Some(b) = self.block(n)? {
                        hashes.push(wire::hash(&b.hash));
                    }
                }
                (Value::Array(hashes), head + 1)
            }
            Filter::Logs { ref query, next } => {
                let q = LogQuery { from: Some(next), to: Some(head), block_hash: None, ..query.clone() };
                (Value::Array(self.logs(&q)?), head + 1)
            }
        };
        if let Some(f) = self.filters.get_mut(&id) {
            match f {
                Filter::Blocks { next: n } | Filter::Logs { next: n, .. } => *n = next,
            }
        }
        Ok(out)
    }

    /// The logs a filter's query matches since block `from` (for `eth_getFilterLogs`).
    pub fn filter_query(&self, id: u64) -> RpcResult<LogQuery> {
        match self.filters.get(&id) {
            Some(Filter::Logs { query, .. }) => Ok(query.clone()),
            _ => Err(RpcError::server("filter not found")),
        }
    }

    /// `eth_getLogs`.
    pub fn logs(&self, q: &LogQuery) -> RpcResult<Vec<Value>> {
        let head = self.head.header.number;
        let (from, to) = match q.block_hash {
            Some(h) => {
                let n = self
                    .store
                    .block_number(&h)
                    .map_err(RpcError::internal)?
                    .ok_or_else(|| RpcError::server(format!("unknown block {h}")))?;
                (n, n)
            }
            None => (q.from.unwrap_or(head), q.to.unwrap_or(head).min(head)),
        };
        if from > to {
            return Ok(Vec::new());
        }
        if to - from > 100_000 {
            return Err(RpcError::server(format!("block range of {} blocks is above 100000", to - from + 1)));
        }
        let mut out = Vec::new();
        for n in from..=to {
            out.extend(self.store.logs(n).map_err(RpcError::internal)?.into_iter().filter(|l| q.matches(l)));
        }
        Ok(out)
    }

    /// `zkos_getArtifact`: the deployment artifact kept for a code hash, if any.
    pub fn artifact_info(&self, hash: &B256) -> Option<Value> {
        let a = self.artifacts.iter().find(|a| a.hash == *hash)?;
        let kind = match a.kind {
            CodeKind::Wasm => "WASM",
            CodeKind::Evm => "EVM",
            CodeKind::Native => "native",
        };
        Some(json!({
            "codeHash": wire::hash(&a.hash),
            "kind": kind,
            "wasmSize": a.wasm.len(),
            "hasDeploy": a.has_deploy,
            "stored": self.stored_artifacts.contains(hash),
        }))
    }

    /// Deployment artifacts in the cache.
    pub fn artifact_count(&self) -> usize {
        self.artifacts.iter().count()
    }

    /// Queued transactions.
    pub fn pool_len(&self) -> usize {
        self.pool.len()
    }
}

fn tx_json(p: &Pending, block_hash: &B256, number: u64, index: u64, price: U256, chain_id: u64) -> Value {
    let tx = &p.tx;
    let mut v = json!({
        "hash": wire::hash(&tx.hash),
        "type": wire::qty(u64::from(tx.tx_type)),
        "nonce": wire::qty(tx.nonce),
        "blockHash": wire::hash(block_hash),
        "blockNumber": wire::qty(number),
        "transactionIndex": wire::qty(index),
        "from": wire::address(&tx.caller),
        "to": tx.to.as_ref().map_or(Value::Null, wire::address),
        "value": wire::qty(tx.value),
        "gas": wire::qty(tx.gas_limit),
        "gasPrice": wire::qty(price),
        "input": wire::data_value(&tx.data),
        "chainId": wire::qty(chain_id),
    });
    if tx.tx_type >= 2 {
        v["maxFeePerGas"] = wire::qty(tx.max_fee_per_gas);
        v["maxPriorityFeePerGas"] = wire::qty(tx.max_priority_fee_per_gas);
    }
    if tx.tx_type >= 1 {
        v["accessList"] = Value::Array(
            tx.access_list
                .iter()
                .map(|i| json!({"address": wire::address(&i.address), "storageKeys": i.storage_keys.iter().map(wire::hash).collect::<Vec<_>>()}))
                .collect(),
        );
    }
    let (mut r, mut s, mut parity) = (U256::ZERO, U256::ZERO, false);
    if let Some(env) = p.raw.as_ref().and_then(|raw| wasm_runtime::tx::decode_envelope(raw).ok()) {
        let sig = env.signature();
        (r, s, parity) = (sig.r(), sig.s(), sig.v());
        if let wasm_runtime::tx::Envelope::Legacy(l) = &env {
            if l.tx().chain_id.is_none() {
                v.as_object_mut().map(|o| o.remove("chainId"));
            }
        }
    }
    v["r"] = wire::qty(r);
    v["s"] = wire::qty(s);
    if tx.tx_type == 0 {
        let legacy_chain = v.get("chainId").is_some();
        let base = if legacy_chain { 35 + 2 * chain_id } else { 27 };
        v["v"] = wire::qty(base + u64::from(parity));
    } else {
        v["v"] = wire::qty(u64::from(parity));
        v["yParity"] = wire::qty(u64::from(parity));
    }
    v
}

fn print_block(
    block: &StoredBlock,
    txs: &[(B256, StoredTx)],
    rv: u64,
    engine: EngineKind,
    rejected: &[(B256, String)],
) {
    let h = &block.header;
    let rv = if engine == EngineKind::Rv { format!(", {rv} RV64IM instructions") } else { String::new() };
    println!(
        "Block {} {} gas {} txs {} base fee {}{rv}",
        h.number,
        block.hash,
        h.gas_used,
        txs.len(),
        h.base_fee_per_gas.unwrap_or(0)
    );
    for (hash, t) in txs {
        let r = &t.receipt;
        let status = if r["status"] == "0x1" { "ok" } else { "reverted" };
        let gas =
            r["gasUsed"].as_str().and_then(|g| u64::from_str_radix(g.trim_start_matches("0x"), 16).ok()).unwrap_or(0);
        let created = r["contractAddress"].as_str().map(|a| format!(" created {a}")).unwrap_or_default();
        println!("  tx {hash} gas {gas} {status}{created}");
    }
    for (hash, why) in rejected {
        println!("  rejected {hash}: {why}");
    }
}
