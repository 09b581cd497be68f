//! The devnet's embedded database (redb): blocks, transactions with their receipts, logs,
//! the head state (accounts, code, storage) and the undo log that gives earlier states and
//! `evm_revert`. Everything one block changes is written in one write transaction, so a
//! crash at any moment leaves the last committed block whole and nothing of the next.
//!
//! Values are JSON (serde) except storage words, which are 32 raw bytes.

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, B256, U256};

/// `"head"`, `"config"`, `"next_seq"`.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Block number to [`StoredBlock`].
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
/// Block hash to number.
const BLOCK_HASHES: TableDefinition<&[u8], u64> = TableDefinition::new("block_hashes");
/// Block number to the JSON array of its logs (as `eth_getLogs` returns them).
const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs");
/// Transaction hash to [`StoredTx`].
const TXS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("txs");
/// Address to [`AccountInfo`] (the head state).
const ACCOUNTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("accounts");
/// Address ‖ slot (52 bytes) to the slot's value (32 bytes, non-zero).
const STORAGE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("storage");
/// Code hash to [`StoredArtifact`]: the deployment artifacts (normalized WASM), so a
/// restart does not transpile or normalize again.
const ARTIFACTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("artifacts");
/// Sequence number to [`UndoEntry`]: how to go back from the state after a block (or a
/// development method's change) to the state before it.
const UNDO: TableDefinition<u64, &[u8]> = TableDefinition::new("undo");

/// A store error, as one line.
pub type StoreResult<T> = Result<T, String>;

fn db_err(e: impl std::fmt::Display) -> String {
    format!("database: {e}")
}

fn to_json<T: Serialize>(v: &T) -> StoreResult<Vec<u8>> {
    serde_json::to_vec(v).map_err(db_err)
}

fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(db_err)
}

/// A mined block as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredBlock {
    /// The header.
    pub header: alloy_consensus::Header,
    /// Its hash.
    pub hash: B256,
    /// The hashes of its transactions, in order.
    pub txs: Vec<B256>,
    /// The undo log's sequence number after this block: the state of this block is the
    /// head state with every undo entry above it taken back.
    pub end_seq: u64,
    /// The RLP size of the block.
    pub size: u64,
}

/// A mined transaction: its JSON-RPC object, its receipt's, and its raw encoding.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredTx {
    /// As `eth_getTransactionByHash` returns it.
    pub tx: serde_json::Value,
    /// As `eth_getTransactionReceipt` returns it.
    pub receipt: serde_json::Value,
    /// The block it is in.
    pub block: u64,
    /// What the system layer executed (for traces).
    pub env: wasm_runtime::env::TxEnv,
}

/// The chain's settings, kept so a restart on the same data directory continues the same
/// chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The fork's name.
    pub fork: String,
    /// The block gas limit.
    pub gas_limit: u64,
}

/// How to take back one account's change.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UndoAccount {
    /// The account.
    pub address: Address,
    /// Its state before (`None`: it did not exist).
    pub prior: Option<AccountInfo>,
    /// Prior values of the slots that changed (zero: unset).
    pub slots: Vec<(U256, U256)>,
    /// The whole prior storage, when the change wiped it (account deleted or re-created).
    pub storage: Option<Vec<(U256, U256)>>,
}

/// The undo of one block or one development method's change.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UndoEntry {
    /// The accounts it changed.
    pub accounts: Vec<UndoAccount>,
}

/// A deployment artifact as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredArtifact {
    /// `"wasm"`, `"evm"` or `"native"`: where it came from.
    pub kind: String,
    /// The fork's EVM rules it was transpiled under (EVM code: CLZ or not).
    pub clz: bool,
    /// The normalized, metered module.
    pub wasm: Vec<u8>,
    /// Whether it exports `deploy`.
    pub has_deploy: bool,
}

/// Which storage of an account a write touched.
#[derive(Clone, Debug)]
pub enum Touched {
    /// These slots.
    Slots(Vec<U256>),
    /// All of it (written again from the in-memory state).
    All,
}

/// The database.
pub struct Store {
    db: Database,
}

fn storage_key(address: &Address, slot: &U256) -> [u8; 52] {
    let mut key = [0u8; 52];
    key[..20].copy_from_slice(address.as_slice());
    key[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    key
}

impl Store {
    /// Opens (or creates) the database file at `path`, creating its tables.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let db = Database::create(path).map_err(db_err)?;
        let w = db.begin_write().map_err(db_err)?;
        {
            w.open_table(META).map_err(db_err)?;
            w.open_table(BLOCKS).map_err(db_err)?;
            w.open_table(BLOCK_HASHES).map_err(db_err)?;
            w.open_table(LOGS).map_err(db_err)?;
            w.open_table(TXS).map_err(db_err)?;
            w.open_table(ACCOUNTS).map_err(db_err)?;
            w.open_table(STORAGE).map_err(db_err)?;
            w.open_table(UNDO).map_err(db_err)?;
            w.open_table(ARTIFACTS).map_err(db_err)?;
        }
        w.commit().map_err(db_err)?;
        Ok(Self { db })
    }

    fn meta<T: DeserializeOwned>(&self, key: &str) -> StoreResult<Option<T>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(META).map_err(db_err)?;
        let v = t.get(key).map_err(db_err)?;
        v.map(|v| from_json(v.value())).transpose()
    }

    /// The stored chain settings, if the chain exists.
    pub fn config(&self) -> StoreResult<Option<ChainConfig>> {
        self.meta("config")
    }

    /// The head block's number and the next undo sequence number, if the chain exists.
    pub fn head(&self) -> StoreResult<Option<(u64, u64)>> {
        let head: Option<u64> = self.meta("head")?;
        let seq: Option<u64> = self.meta("next_seq")?;
        Ok(head.map(|h| (h, seq.unwrap_or(0))))
    }

    /// Block `number`.
    pub fn block(&self, number: u64) -> StoreResult<Option<StoredBlock>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(BLOCKS).map_err(db_err)?;
        let v = t.get(number).map_err(db_err)?;
        v.map(|v| from_json(v.value())).transpose()
    }

    /// The number of the block with this hash.
    pub fn block_number(&self, hash: &B256) -> StoreResult<Option<u64>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(BLOCK_HASHES).map_err(db_err)?;
        Ok(t.get(hash.as_slice()).map_err(db_err)?.map(|v| v.value()))
    }

    /// The logs of block `number` (a JSON array).
    pub fn logs(&self, number: u64) -> StoreResult<Vec<serde_json::Value>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(LOGS).map_err(db_err)?;
        let v = t.get(number).map_err(db_err)?;
        Ok(v.map(|v| from_json(v.value())).transpose()?.unwrap_or_default())
    }

    /// A mined transaction.
    pub fn tx(&self, hash: &B256) -> StoreResult<Option<StoredTx>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(TXS).map_err(db_err)?;
        let v = t.get(hash.as_slice()).map_err(db_err)?;
        v.map(|v| from_json(v.value())).transpose()
    }

    /// Undo entries with sequence numbers in `from..`, newest first.
    pub fn undo_since(&self, from: u64) -> StoreResult<Vec<UndoEntry>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(UNDO).map_err(db_err)?;
        let mut out = Vec::new();
        for item in t.range(from..).map_err(db_err)?.rev() {
            let (_, v) = item.map_err(db_err)?;
            out.push(from_json(v.value())?);
        }
        Ok(out)
    }

    /// The head state, read whole.
    pub fn load_state(&self) -> StoreResult<MemoryDb> {
        let r = self.db.begin_read().map_err(db_err)?;
        let accounts = r.open_table(ACCOUNTS).map_err(db_err)?;
        let storage = r.open_table(STORAGE).map_err(db_err)?;
        let mut db = MemoryDb::default();
        for item in accounts.iter().map_err(db_err)? {
            let (k, v) = item.map_err(db_err)?;
            let info: AccountInfo = from_json(v.value())?;
            db.insert(Address::from_slice(k.value()), info, Default::default());
        }
        for item in storage.iter().map_err(db_err)? {
            let (k, v) = item.map_err(db_err)?;
            let (k, v) = (k.value(), v.value());
            if k.len() != 52 || v.len() != 32 {
                return Err(format!("database: a storage entry of {} and {} bytes", k.len(), v.len()));
            }
            let address = Address::from_slice(&k[..20]);
            let slot = U256::from_be_slice(&k[20..]);
            let account = db
                .accounts
                .get_mut(&address)
                .ok_or_else(|| format!("database: storage of {address}, which has no account"))?;
            account.storage.insert(slot, U256::from_be_slice(v));
        }
        let count = accounts.len().map_err(db_err)?;
        debug_assert_eq!(count as usize, db.accounts.len());
        Ok(db)
    }

    /// Every stored artifact with its code hash.
    pub fn artifacts(&self) -> StoreResult<Vec<(B256, StoredArtifact)>> {
        let r = self.db.begin_read().map_err(db_err)?;
        let t = r.open_table(ARTIFACTS).map_err(db_err)?;
        let mut out = Vec::new();
        for item in t.iter().map_err(db_err)? {
            let (k, v) = item.map_err(db_err)?;
            if k.value().len() != 32 {
                return Err(format!("database: an artifact key of {} bytes", k.value().len()));
            }
            out.push((B256::from_slice(k.value()), from_json(v.value())?));
        }
        Ok(out)
    }

    /// Starts a write transaction: everything written through it lands at [`Batch::commit`]
    /// or not at all.
    pub fn batch(&self) -> StoreResult<Batch> {
        Ok(Batch { w: self.db.begin_write().map_err(db_err)? })
    }
}

/// One write transaction.
pub struct Batch {
    w: WriteTransaction,
}

impl Batch {
    /// Sets the chain settings.
    pub fn set_config(&self, config: &ChainConfig) -> StoreResult<()> {
        self.set_meta("config", config)
    }

    fn set_meta<T: Serialize>(&self, key: &str, v: &T) -> StoreResult<()> {
        let mut t = self.w.open_table(META).map_err(db_err)?;
        t.insert(key, to_json(v)?.as_slice()).map_err(db_err)?;
        Ok(())
    }

    /// Sets the head block and the next undo sequence number.
    pub fn set_head(&self, head: u64, next_seq: u64) -> StoreResult<()> {
        self.set_meta("head", &head)?;
        self.set_meta("next_seq", &next_seq)
    }

    /// Adds a block, its transactions and its logs.
    pub fn put_block(
        &self,
        block: &StoredBlock,
        txs: &[(B256, StoredTx)],
        logs: &[serde_json::Value],
    ) -> StoreResult<()> {
        let number = block.header.number;
        self.w.open_table(BLOCKS).map_err(db_err)?.insert(number, to_json(block)?.as_slice()).map_err(db_err)?;
        self.w.open_table(BLOCK_HASHES).map_err(db_err)?.insert(block.hash.as_slice(), number).map_err(db_err)?;
        self.w.open_table(LOGS).map_err(db_err)?.insert(number, to_json(&logs)?.as_slice()).map_err(db_err)?;
        let mut t = self.w.open_table(TXS).map_err(db_err)?;
        for (hash, tx) in txs {
            t.insert(hash.as_slice(), to_json(tx)?.as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Removes a block, its transactions and its logs.
    pub fn remove_block(&self, block: &StoredBlock) -> StoreResult<()> {
        let number = block.header.number;
        self.w.open_table(BLOCKS).map_err(db_err)?.remove(number).map_err(db_err)?;
        self.w.open_table(BLOCK_HASHES).map_err(db_err)?.remove(block.hash.as_slice()).map_err(db_err)?;
        self.w.open_table(LOGS).map_err(db_err)?.remove(number).map_err(db_err)?;
        let mut t = self.w.open_table(TXS).map_err(db_err)?;
        for hash in &block.txs {
            t.remove(hash.as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Adds an undo entry.
    pub fn put_undo(&self, seq: u64, entry: &UndoEntry) -> StoreResult<()> {
        self.w.open_table(UNDO).map_err(db_err)?.insert(seq, to_json(entry)?.as_slice()).map_err(db_err)?;
        Ok(())
    }

    /// Removes the undo entries from `seq` on.
    pub fn remove_undo_from(&self, seq: u64) -> StoreResult<()> {
        let mut t = self.w.open_table(UNDO).map_err(db_err)?;
        t.retain_in(seq.., |_, _| false).map_err(db_err)?;
        Ok(())
    }

    /// Writes the accounts `touched` as `state` now holds them (absent: deleted).
    pub fn put_accounts(&self, state: &MemoryDb, touched: &[(Address, Touched)]) -> StoreResult<()> {
        let mut accounts = self.w.open_table(ACCOUNTS).map_err(db_err)?;
        let mut storage = self.w.open_table(STORAGE).map_err(db_err)?;
        for (address, what) in touched {
            let now = state.accounts.get(address);
            match now {
                Some(acc) => {
                    accounts.insert(address.as_slice(), to_json(&acc.info)?.as_slice()).map_err(db_err)?;
                }
                None => {
                    accounts.remove(address.as_slice()).map_err(db_err)?;
                }
            }
            let slots: Vec<U256> = match (what, now) {
                (Touched::Slots(slots), Some(_)) => slots.clone(),
                _ => {
                    let lo = storage_key(address, &U256::ZERO);
                    let hi = storage_key(address, &U256::MAX);
                    storage.retain_in(lo.as_slice()..=hi.as_slice(), |_, _| false).map_err(db_err)?;
                    now.map(|acc| acc.storage.keys().copied().collect()).unwrap_or_default()
                }
            };
            for slot in slots {
                let key = storage_key(address, &slot);
                match now.and_then(|acc| acc.storage.get(&slot)) {
                    Some(v) if !v.is_zero() => {
                        storage.insert(key.as_slice(), v.to_be_bytes::<32>().as_slice()).map_err(db_err)?;
                    }
                    _ => {
                        storage.remove(key.as_slice()).map_err(db_err)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds deployment artifacts.
    pub fn put_artifacts(&self, artifacts: &[(B256, StoredArtifact)]) -> StoreResult<()> {
        let mut t = self.w.open_table(ARTIFACTS).map_err(db_err)?;
        for (hash, a) in artifacts {
            t.insert(hash.as_slice(), to_json(a)?.as_slice()).map_err(db_err)?;
        }
        Ok(())
    }

    /// Commits everything written.
    pub fn commit(self) -> StoreResult<()> {
        self.w.commit().map_err(db_err)
    }
}
