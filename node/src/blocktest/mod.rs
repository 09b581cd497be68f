//! `zkos blocktest PATH...`: runs Ethereum blockchain tests — the `genesisBlockHeader`,
//! `pre`, `blocks`, `postState`/`postStateHash` and `lastblockhash` format of the
//! execution-spec-tests — through the full pipeline.
//!
//! Each block's RLP is decoded here ([`decode`]), its header checked against its parent
//! ([`header`]), its body applied by [`wasm_runtime::exec::apply_block`] under the fork its
//! timestamp falls in (the test's `network`, a fork or a transition such as
//! `CancunToPragueAtTime15k`), and the header's roots, gas, blob gas, bloom and requests
//! hash compared with what execution produced. A block the fixture marks with
//! `expectException` must be rejected; the chain then goes on from its parent. At the end
//! the head must be `lastblockhash` and the state `postState` (every account's balance,
//! nonce, code and storage) or `postStateHash`.
//!
//! Every test is a case: failures are printed as `FAIL name: reason`, the last line is
//! `N passed, M failed`.

mod decode;
mod header;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use alloy_consensus::Header;
use serde_json::{Map, Value};
use wasm_runtime::block::rules::MAINNET_DEPOSIT_CONTRACT;
use wasm_runtime::block::{Block, BlockTx};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::ArtifactCache;
use wasm_runtime::fork::{Fork, Schedule};
use wasm_runtime::platform::MemoryDb;
use wasm_runtime::primitives::{B256, U256};

use crate::error::Error as CliError;
use crate::json::{parse_hex, Reader};

/// Arguments of `zkos blocktest`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Test files or folders (searched recursively for .json files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only the tests whose network is this fork or a transition to it (default: all).
    #[arg(long)]
    pub fork: Option<String>,
    /// The engine: wasmi (reference) or rv (RV64IM machine).
    #[arg(long, default_value = "wasmi")]
    pub engine: String,
    /// Only run tests whose name contains this.
    #[arg(long)]
    pub filter: Option<String>,
    /// One JSON line per test instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The outcome of one test (or of a file that could not be read).
#[derive(Debug)]
pub struct TestResult {
    /// The test's name (or the file's).
    pub name: String,
    /// Why it failed.
    pub error: Option<String>,
    /// The blocks rejected as the fixture expects.
    pub rejections: Vec<Rejected>,
}

/// A block rejected as the fixture expects.
#[derive(Debug)]
pub struct Rejected {
    /// Its index in the test's blocks.
    pub block: usize,
    /// The fixture's exception (alternatives separated by `|`).
    pub expected: String,
    /// zkos's reason.
    pub reason: String,
    /// Whether zkos's reason is of the fixture's kind: a transaction's
    /// (`TransactionException`) or the block's (`BlockException`).
    pub same_kind: bool,
}

/// Why zkos rejects a block: one of its transactions, or the block itself (its RLP, its
/// header, its requests, a system call, a root).
struct Rejection {
    by_transaction: bool,
    reason: String,
}

impl From<String> for Rejection {
    fn from(reason: String) -> Self {
        Self { by_transaction: false, reason }
    }
}

/// One block of a test.
struct BlockCase {
    /// The block's RLP, or why the fixture's hex is not bytes.
    rlp: Result<Vec<u8>, String>,
    /// The exception the fixture expects (the block must be rejected).
    expect_exception: Option<String>,
}

/// What the state must be at the end.
enum Post {
    /// Every account.
    State(MemoryDb),
    /// The state root.
    Hash(B256),
}

/// One blockchain test.
struct Test {
    name: String,
    schedule: Schedule,
    chain_id: u64,
    genesis_rlp: Vec<u8>,
    genesis_hash: Option<B256>,
    pre: MemoryDb,
    blocks: Vec<BlockCase>,
    post: Post,
    last_hash: B256,
}

/// A block the chain has accepted.
struct ChainBlock {
    header: Header,
    state: MemoryDb,
}

/// What one file gave.
#[derive(Default)]
struct FileResults {
    results: Vec<TestResult>,
    /// Tests of other networks than `--fork`'s.
    other_forks: usize,
    /// Tests the filter left out.
    filtered: usize,
}

/// A test's fields; an error names the field.
fn read_test(name: &str, v: &Value) -> Result<Test, String> {
    let file = name;
    let r = Reader::new(file);
    let e = |err: CliError| err.to_string();
    let obj = r.object("", v).map_err(e)?;
    let get = |key: &str| r.required(obj, "", key).map_err(e);
    let network = r.string("network", get("network")?).map_err(e)?;
    let schedule = Schedule::parse(network)
        .ok_or_else(|| format!("network `{network}` is not a fork zkos implements or a transition between two"))?;
    let mut chain_id = 1;
    if let Some(config) = obj.get("config").and_then(Value::as_object) {
        if let Some(id) = config.get("chainid") {
            chain_id = r.u64("config.chainid", id).map_err(e)?;
        }
        if let Some(schedule) = config.get("blobSchedule") {
            check_blob_schedule(r, schedule)?;
        }
    }
    let genesis_rlp = parse_hex(r.string("genesisRLP", get("genesisRLP")?).map_err(e)?)
        .map_err(|m| format!("field `genesisRLP`: {m}"))?;
    let genesis_hash = obj
        .get("genesisBlockHeader")
        .and_then(Value::as_object)
        .and_then(|h| h.get("hash"))
        .map(|h| r.b256("genesisBlockHeader.hash", h))
        .transpose()
        .map_err(e)?;
    let pre = crate::input::alloc(r, get("pre")?, "pre").map_err(e)?;
    let mut blocks = Vec::new();
    for (i, b) in r.array("blocks", get("blocks")?).map_err(e)?.iter().enumerate() {
        let at = format!("blocks[{i}]");
        let b: &Map<String, Value> = r.object(&at, b).map_err(e)?;
        let rlp = r
            .string(&format!("{at}.rlp"), r.required(b, &at, "rlp").map_err(e)?)
            .map_err(e)
            .and_then(|s| parse_hex(s).map_err(|m| format!("field `{at}.rlp`: {m}")));
        let expect_exception = b.get("expectException").and_then(Value::as_str).map(str::to_string);
        blocks.push(BlockCase { rlp, expect_exception });
    }
    let post = match (obj.get("postState"), obj.get("postStateHash")) {
        (Some(state), _) if !state.is_null() => Post::State(crate::input::alloc(r, state, "postState").map_err(e)?),
        (_, Some(hash)) => Post::Hash(r.b256("postStateHash", hash).map_err(e)?),
        _ => return Err("neither postState nor postStateHash".into()),
    };
    let last_hash = r.b256("lastblockhash", get("lastblockhash")?).map_err(e)?;
    Ok(Test { name: name.to_string(), schedule, chain_id, genesis_rlp, genesis_hash, pre, blocks, post, last_hash })
}

/// The fixture's `config.blobSchedule` must be the blob parameters zkos's forks have.
fn check_blob_schedule(r: Reader, v: &Value) -> Result<(), String> {
    let e = |err: CliError| err.to_string();
    for (name, params) in r.object("config.blobSchedule", v).map_err(e)? {
        let Some(fork) = Fork::parse(name) else { continue };
        let at = format!("config.blobSchedule.{name}");
        let p = r.object(&at, params).map_err(e)?;
        let num = |key: &str| r.u64(&format!("{at}.{key}"), r.required(p, &at, key)?);
        let got = (num("target").map_err(e)?, num("max").map_err(e)?, num("baseFeeUpdateFraction").map_err(e)?);
        let ours = fork.blob_params();
        if got != (ours.target, ours.max, ours.update_fraction) {
            return Err(format!(
                "{at} is {got:?} (target, max, update fraction), zkos's {fork} has ({}, {}, {})",
                ours.target, ours.max, ours.update_fraction
            ));
        }
    }
    Ok(())
}

/// Whether a test of `schedule` runs under `--fork fork`.
fn selected(schedule: &Schedule, fork: Option<Fork>) -> bool {
    match fork {
        None => true,
        Some(f) => schedule.first == f || schedule.then.is_some_and(|(_, then)| then == f),
    }
}

/// Runs every test of one file.
fn run_file(path: &Path, fork: Option<Fork>, engine: EngineKind, filter: Option<&str>) -> FileResults {
    let file_name = path.display().to_string();
    let failed = |error: String| FileResults {
        results: vec![TestResult { name: file_name.clone(), error: Some(error), rejections: Vec::new() }],
        ..FileResults::default()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return failed(e.to_string()),
    };
    let json = match crate::json::parse_strict(&text) {
        Ok(v) => v,
        Err(e) => return failed(format!("invalid JSON: {e}")),
    };
    let Some(tests) = json.as_object() else {
        return failed("expected an object of blockchain tests".into());
    };
    let mut out = FileResults::default();
    // The tests of a file share their contracts: their deployment artifacts (kept by code
    // hash, as a chain keeps them) are built once per file.
    let mut artifacts = ArtifactCache::default();
    for (name, v) in tests {
        if filter.is_some_and(|f| !name.contains(f)) {
            out.filtered += 1;
            continue;
        }
        let test = match read_test(name, v) {
            Ok(t) => t,
            Err(error) => {
                let name = format!("{file_name}: {name}");
                out.results.push(TestResult { name, error: Some(error), rejections: Vec::new() });
                continue;
            }
        };
        if !selected(&test.schedule, fork) {
            out.other_forks += 1;
            continue;
        }
        let mut rejections = Vec::new();
        let error = run_test(&test, engine, &mut artifacts, &mut rejections).err();
        out.results.push(TestResult { name: test.name, error, rejections });
    }
    out
}

/// Runs one test: imports its blocks in order, then checks the head and the state. The
/// blocks rejected as expected are added to `rejections` with the reason.
fn run_test(
    test: &Test,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
    rejections: &mut Vec<Rejected>,
) -> Result<(), String> {
    let genesis = decode::block(&test.genesis_rlp).map_err(|e| format!("genesisRLP: {e}"))?;
    let (genesis, genesis_hash) = (genesis.header, genesis.hash);
    if let Some(want) = test.genesis_hash.filter(|h| *h != genesis_hash) {
        return Err(format!("genesisRLP hashes to {genesis_hash}, genesisBlockHeader.hash is {want}"));
    }
    let pre_root = wasm_runtime::block::roots::state_root(&test.pre);
    if pre_root != genesis.state_root {
        return Err(format!("the pre-state's root {pre_root} is not the genesis state root {}", genesis.state_root));
    }
    let mut chain: HashMap<B256, ChainBlock> = HashMap::new();
    chain.insert(genesis_hash, ChainBlock { header: genesis, state: test.pre.clone() });
    let mut head = genesis_hash;
    for (i, case) in test.blocks.iter().enumerate() {
        let imported = match &case.rlp {
            Ok(rlp) => import(test, &chain, rlp, engine, artifacts),
            Err(why) => Err(Rejection::from(why.clone())),
        };
        match (imported, &case.expect_exception) {
            (Ok((hash, block)), None) => {
                chain.insert(hash, block);
                head = hash;
            }
            (Ok(_), Some(expected)) => {
                return Err(format!("block {i}: accepted, but the fixture expects it rejected ({expected})"))
            }
            (Err(why), None) => return Err(format!("block {i} rejected: {}", why.reason)),
            (Err(why), Some(expected)) => {
                let same_kind =
                    expected.split('|').any(|e| e.trim().starts_with("TransactionException") == why.by_transaction);
                rejections.push(Rejected { block: i, expected: expected.clone(), reason: why.reason, same_kind });
            }
        }
    }
    if head != test.last_hash {
        return Err(format!("the head is {head}, lastblockhash is {}", test.last_hash));
    }
    let state = &chain[&head].state;
    match &test.post {
        Post::Hash(want) => {
            let root = wasm_runtime::block::roots::state_root(state);
            if root != *want {
                return Err(format!("post-state root {root} != postStateHash {want}"));
            }
        }
        Post::State(want) => compare_state(state, want)?,
    }
    Ok(())
}

/// Every account of `want` as it is in `got`, and no other account.
fn compare_state(got: &MemoryDb, want: &MemoryDb) -> Result<(), String> {
    for (address, w) in &want.accounts {
        let Some(g) = got.accounts.get(address) else {
            return Err(format!("post-state: account {address} is missing"));
        };
        let (gi, wi) = (&g.info, &w.info);
        if gi.balance != wi.balance {
            return Err(format!("post-state: {address} balance {} != expected {}", gi.balance, wi.balance));
        }
        if gi.nonce != wi.nonce {
            return Err(format!("post-state: {address} nonce {} != expected {}", gi.nonce, wi.nonce));
        }
        if gi.code != wi.code || gi.constants != wi.constants {
            return Err(format!("post-state: {address} code {} != expected {}", gi.code, wi.code));
        }
        let keys = g.storage.keys().chain(w.storage.keys());
        for key in keys {
            let (a, b) =
                (g.storage.get(key).copied().unwrap_or_default(), w.storage.get(key).copied().unwrap_or_default());
            if a != b {
                return Err(format!("post-state: {address} slot {key:#x} = {a:#x}, expected {b:#x}"));
            }
        }
    }
    if let Some(extra) = got.accounts.keys().find(|a| !want.accounts.contains_key(*a)) {
        return Err(format!("post-state: account {extra} exists but is not expected"));
    }
    Ok(())
}

/// The hashes of the up to 256 ancestors of a block whose parent is `parent`.
fn ancestors(chain: &HashMap<B256, ChainBlock>, parent: B256) -> Vec<(u64, B256)> {
    let mut out = Vec::new();
    let mut at = parent;
    while out.len() < 256 {
        let Some(block) = chain.get(&at) else { break };
        out.push((block.header.number, at));
        if block.header.number == 0 {
            break;
        }
        at = block.header.parent_hash;
    }
    out
}

/// Decodes, checks and applies one block on top of its parent; its hash and the chain
/// block it makes, or why it is invalid.
fn import(
    test: &Test,
    chain: &HashMap<B256, ChainBlock>,
    rlp: &[u8],
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
) -> Result<(B256, ChainBlock), Rejection> {
    let raw = decode::block(rlp)?;
    let h = &raw.header;
    let parent = chain.get(&h.parent_hash).ok_or_else(|| format!("unknown parent {}", h.parent_hash))?;
    let fork = test.schedule.at(h.timestamp);
    header::check(&raw, &parent.header, h.parent_hash, fork)?;

    let env = BlockEnv {
        number: h.number,
        timestamp: h.timestamp,
        coinbase: h.beneficiary,
        gas_limit: h.gas_limit,
        base_fee: U256::from(h.base_fee_per_gas.unwrap_or(0)),
        prev_randao: h.mix_hash,
        chain_id: test.chain_id,
        excess_blob_gas: h.excess_blob_gas.unwrap_or(0),
        block_hashes: ancestors(chain, h.parent_hash),
        fork,
    };
    let block = Block {
        env,
        parent_beacon_block_root: h.parent_beacon_block_root,
        parent_hash: Some(h.parent_hash),
        transactions: raw
            .transactions
            .iter()
            .map(|t| BlockTx { tx: wasm_runtime::tx::decode(t, test.chain_id), encoded: Some(t.clone()) })
            .collect(),
        withdrawals: raw.withdrawals.clone().unwrap_or_default(),
        deposit_contract: Some(MAINNET_DEPOSIT_CONTRACT),
    };
    let mut state = parent.state.clone();
    let applied = wasm_runtime::exec::apply_block(&mut state, &block, engine, artifacts).map_err(|e| e.to_string())?;
    let out = &applied.output;
    if let Some(r) = out.rejected.first() {
        return Err(Rejection { by_transaction: true, reason: format!("transaction {}: {}", r.index, r.error) });
    }
    let c = &applied.commitments;
    let compare = |what: &str, got: String, want: String| {
        if got == want {
            Ok(())
        } else {
            Err(format!("{what} {got} != header's {want}"))
        }
    };
    compare("gas used", out.gas_used.to_string(), h.gas_used.to_string())?;
    compare("blob gas used", c.blob_gas_used.to_string(), h.blob_gas_used.unwrap_or(0).to_string())?;
    compare("transactions root", c.transactions_root.to_string(), h.transactions_root.to_string())?;
    compare("withdrawals root", c.withdrawals_root.to_string(), h.withdrawals_root.unwrap_or_default().to_string())?;
    compare("receipts root", c.receipts_root.to_string(), h.receipts_root.to_string())?;
    compare("logs bloom", c.logs_bloom.to_string(), h.logs_bloom.to_string())?;
    compare("requests hash", format!("{:?}", c.requests_hash), format!("{:?}", h.requests_hash))?;
    compare("state root", c.state_root.to_string(), h.state_root.to_string())?;
    Ok((raw.hash, ChainBlock { header: raw.header, state }))
}

/// The files a path names: a file as it is, a folder's `.json` files (recursively, sorted).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::Io { path: path.display().to_string(), message: e.to_string() };
    if !std::fs::metadata(path).map_err(io)?.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        entries.push(entry.map_err(io)?.path());
    }
    entries.sort();
    for p in entries {
        if p.is_dir() || p.extension().is_some_and(|x| x == "json") {
            collect(&p, out)?;
        }
    }
    Ok(())
}

/// `zkos blocktest`.
pub fn main(args: &Args) -> Result<(), CliError> {
    let fork = args.fork.as_deref().map(crate::t8n::check_fork).transpose()?;
    let engine = crate::statetest::parse_engine(&args.engine)?;
    let mut files = Vec::new();
    for p in &args.paths {
        collect(p, &mut files)?;
    }
    let (mut passed, mut failed, mut other_forks, mut filtered) = (0usize, 0usize, 0usize, 0usize);
    // Expected rejections for a reason of another kind than the fixture's exception.
    let mut other_kind = 0usize;
    for file in &files {
        let results = run_file(file, fork, engine, args.filter.as_deref());
        other_forks += results.other_forks;
        filtered += results.filtered;
        for r in results.results {
            other_kind += r.rejections.iter().filter(|x| !x.same_kind).count();
            if r.error.is_none() {
                passed += 1;
            } else {
                failed += 1;
            }
            if args.json {
                let rejected: Vec<Value> = r
                    .rejections
                    .iter()
                    .map(|x| {
                        serde_json::json!({
                            "block": x.block, "expected": x.expected, "reason": x.reason, "sameKind": x.same_kind,
                        })
                    })
                    .collect();
                let line = serde_json::json!({
                    "name": r.name, "pass": r.error.is_none(), "error": r.error, "rejected": rejected,
                });
                println!("{line}");
            } else if let Some(e) = &r.error {
                println!("FAIL {}: {}", r.name, crate::error::one_line(e));
            }
        }
    }
    if passed + failed == 0 {
        let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        let mut why = format!("no blockchain test to run in {} ({} file(s) read", paths.join(", "), files.len());
        if other_forks > 0 {
            why += &format!("; {other_forks} test(s) of other networks than --fork's");
        }
        if filtered > 0 {
            why += &format!("; {filtered} test(s) left out by --filter");
        }
        return Err(CliError::Config(why + ")"));
    }
    if other_forks > 0 {
        println!("skipped: {other_forks} test(s) of other networks than {}", fork.map(Fork::name).unwrap_or_default());
    }
    if other_kind > 0 {
        println!(
            "note: {other_kind} invalid block(s) rejected for a reason of another kind (transaction or block) \
             than the fixture's exception (--json lists them)"
        );
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        return Err(CliError::Exec(format!("{failed} blockchain tests failed")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_select_by_fork() {
        let t = Schedule::parse("CancunToPragueAtTime15k").unwrap();
        assert!(selected(&t, Some(Fork::Prague)) && selected(&t, Some(Fork::Cancun)) && selected(&t, None));
        assert!(!selected(&t, Some(Fork::Osaka)));
    }
}
