//! `zkos statetest PATH...`: runs Ethereum GeneralStateTests through the full pipeline
//! (transpile, validate, execute) and checks each post-state root and logs hash.
//!
//! Every post entry of the fork and every data/gas/value index is a case. Failures are
//! printed with test name, index and reason; the last line is `N passed, M failed` (and
//! the excluded cases, listed with reasons in an exclusions file, are counted apart).

mod fixture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wasm_runtime::block::{Block, BlockTx};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::exec::ArtifactCache;

use crate::error::Error as CliError;

/// Arguments of `zkos statetest`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Test files or folders (searched recursively for .json files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The fork whose post-states are checked.
    #[arg(long, default_value = "Osaka")]
    pub fork: String,
    /// The engine: wasmi (reference), rv (RV64IM machine), rv-sandboxed (rv with code compiled
    /// in rv-backend's sandboxed mode, as the kernel will run it), or kernel (each case a block run
    /// statelessly by the kernel inside the RV64IM machine, contract code on wasmi there).
    #[arg(long, default_value = "wasmi")]
    pub engine: String,
    /// One JSON line per case instead of text.
    #[arg(long)]
    pub json: bool,
    /// A file of exclusions: lines `test-name  reason` (`#` starts a comment).
    #[arg(long)]
    pub exclude: Option<PathBuf>,
    /// Only run tests whose name contains this.
    #[arg(long)]
    pub filter: Option<String>,
}

/// How the cases run: the system layer on the host over one of the engines, or the whole
/// block in kernel mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Host mode on an engine.
    Host(EngineKind),
    /// Kernel mode: the case's block (its transaction signed with the test's secret key) and
    /// a witness of the pre-state go to the kernel, whose post-state root and logs hash are
    /// checked.
    Kernel,
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub name: String,
    pub index: (usize, usize, usize),
    pub error: Option<String>,
    /// Kernel mode: the RV64IM instructions the kernel executed for the case.
    pub instructions: Option<u64>,
}

/// The files a path names: a file as it is, a folder's `.json` files (recursively).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::Io { path: path.display().to_string(), message: e.to_string() })?;
    if meta.is_dir() {
        collect_dir(path, out)
    } else {
        out.push(path.to_path_buf());
        Ok(())
    }
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::Io { path: dir.display().to_string(), message: e.to_string() };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        entries.push(entry.map_err(io)?.path());
    }
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads an exclusions file: test name, then the reason.
pub fn read_exclusions(path: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Io { path: path.display().to_string(), message: e.to_string() })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect())
}

/// What one file gave: its cases, and its tests without post-states for the fork.
#[derive(Debug, Default)]
pub struct FileResults {
    /// Every case run, and every entry that could not be read (as a failed case).
    pub results: Vec<CaseResult>,
    /// Tests skipped for want of post-states for the fork: name and the forks they have.
    pub other_forks: Vec<(String, Vec<String>)>,
    /// Tests the filter left out.
    pub filtered: usize,
}

/// Runs every case of one file.
pub fn run_file(path: &Path, fork: &str, mode: Mode, filter: Option<&str>) -> FileResults {
    let file_name = path.display().to_string();
    let failed = |error: String| FileResults {
        results: vec![CaseResult { name: file_name.clone(), index: (0, 0, 0), error: Some(error), instructions: None }],
        ..FileResults::default()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return failed(e.to_string()),
    };
    let entries = match fixture::read_file(&text, fork) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let mut out = FileResults::default();
    // The cases of a file share their contracts: their deployment artifacts (kept by code
    // hash, as a chain keeps them) are built once per file, not once per case.
    let mut artifacts = ArtifactCache::default();
    for entry in entries {
        let name = match &entry {
            fixture::Entry::Test(test) => &test.name,
            fixture::Entry::OtherForks { name, .. } | fixture::Entry::Bad { name, .. } => name,
        };
        if filter.is_some_and(|f| !name.contains(f)) {
            out.filtered += 1;
            continue;
        }
        match entry {
            fixture::Entry::Test(test) => {
                for case in &test.posts {
                    let (error, instructions) = match mode {
                        Mode::Host(engine) => (run_case(&test, case, engine, &mut artifacts).err(), None),
                        Mode::Kernel => match run_case_kernel(&test, case) {
                            Ok(n) => (None, Some(n)),
                            Err(e) => (Some(e), None),
                        },
                    };
                    out.results.push(CaseResult {
                        name: test.name.clone(),
                        index: (case.data, case.gas, case.value),
                        error,
                        instructions,
                    });
                }
            }
            fixture::Entry::OtherForks { name, forks } => out.other_forks.push((name, forks)),
            fixture::Entry::Bad { name, error } => out.results.push(CaseResult {
                name: format!("{file_name}: {name}"),
                index: (0, 0, 0),
                error: Some(error),
                instructions: None,
            }),
        }
    }
    out
}

fn run_case(
    test: &fixture::StateTest,
    case: &fixture::PostCase,
    engine: EngineKind,
    artifacts: &mut ArtifactCache,
) -> Result<(), String> {
    // A transaction whose fields no transaction can hold (a gas limit past 2^64, ...) cannot
    // be built: it is rejected without running, the block applied without it.
    let (transactions, unbuildable) = match fixture::tx_env(&test.tx, case) {
        Ok(tx) => (vec![BlockTx { tx: Ok(tx), encoded: None }], None),
        Err(why) => (Vec::new(), Some(why)),
    };
    let block = Block { env: test.block.clone(), transactions, ..Block::default() };
    let mut db = test.pre.clone();
    // An internal error (a compiler or machine bug) fails the block: the case fails with it.
    let applied = wasm_runtime::exec::apply_block(&mut db, &block, engine, artifacts)
        .map_err(|e| format!("the block cannot be applied: {e}"))?;
    let out = &applied.output;
    let rejected = unbuildable.or_else(|| out.rejected.first().map(|r| r.error.to_string()));
    match (&case.expect_exception, rejected) {
        (Some(e), None) => return Err(format!("expected exception {e}, but the transaction was included")),
        (None, Some(why)) => return Err(format!("transaction rejected: {why}")),
        _ => {}
    }
    let (root, logs_hash) = (applied.commitments.state_root, applied.commitments.logs_hash);
    let why =
        out.receipts.first().and_then(|r| r.error.as_ref()).map(|e| format!(" (tx error: {e})")).unwrap_or_default();
    if root != case.hash {
        return Err(format!("state root {root} != expected {}{why}", case.hash));
    }
    if logs_hash != case.logs {
        return Err(format!("logs hash {logs_hash} != expected {}{why}", case.logs));
    }
    Ok(())
}

/// A case in kernel mode: the block with the transaction signed by the test's secret key,
/// run by the kernel over a witness of the pre-state; its record must show the transaction
/// included (or not, if the case expects an exception) and the fixture's post-state root
/// and logs hash. The instructions the kernel executed.
fn run_case_kernel(test: &fixture::StateTest, case: &fixture::PostCase) -> Result<u64, String> {
    let chain_id = test.block.chain_id;
    let transactions = match fixture::tx_env(&test.tx, case) {
        Ok(tx) => {
            let bytes = signed_encoding(&test.tx, &tx, chain_id)?;
            vec![BlockTx { tx: wasm_runtime::tx::decode(&bytes, chain_id), encoded: Some(bytes) }]
        }
        // As in host mode: a transaction no transaction can hold is rejected unrun.
        Err(_) => Vec::new(),
    };
    let block = Block { env: test.block.clone(), transactions, ..Block::default() };
    let input = crate::kernel::input_for(&test.pre, &block).map_err(|e| e.to_string())?;
    let (output, figures) = crate::kernel::run(input.encode()).map_err(|e| e.to_string())?;
    match (&case.expect_exception, output.tx_count) {
        (Some(e), 1) => return Err(format!("expected exception {e}, but the kernel included the transaction")),
        (None, 0) => return Err("the kernel rejected the transaction".into()),
        _ => {}
    }
    if output.post_state_root != case.hash {
        return Err(format!("kernel: state root {} != expected {}", output.post_state_root, case.hash));
    }
    if output.logs_hash != case.logs {
        return Err(format!("kernel: logs hash {} != expected {}", output.logs_hash, case.logs));
    }
    Ok(figures.instructions)
}

/// The signed EIP-2718 encoding of a state test's transaction `tx` (signed with its
/// `secretKey`; typed transactions carry `chain_id`, legacy ones none, as the fixtures sign
/// them).
fn signed_encoding(
    fields: &serde_json::Value,
    tx: &wasm_runtime::env::TxEnv,
    chain_id: u64,
) -> Result<wasm_runtime::primitives::Bytes, String> {
    let key = fields
        .get("secretKey")
        .ok_or("kernel mode needs the transaction's secretKey (a sender alone cannot be recovered)")?;
    let key = fixture::b256(key, "secretKey")?;
    let fee = |v: wasm_runtime::primitives::U256, what: &str| {
        u128::try_from(v).map_err(|_| format!("{what} {v} does not fit a transaction's 128 bits"))
    };
    let unsigned = wasm_runtime::tx::UnsignedTx {
        tx_type: tx.tx_type,
        chain_id: (tx.tx_type != 0).then_some(chain_id),
        nonce: tx.nonce,
        gas_limit: tx.gas_limit,
        max_fee_per_gas: fee(tx.max_fee_per_gas, "the max fee per gas")?,
        max_priority_fee_per_gas: fee(tx.max_priority_fee_per_gas, "the priority fee")?,
        to: tx.to,
        value: tx.value,
        data: tx.data.clone(),
        access_list: tx.access_list.clone(),
        blob_hashes: tx.blob_hashes.clone(),
        max_fee_per_blob_gas: fee(tx.max_fee_per_blob_gas, "the max fee per blob gas")?,
        authorization_list: tx.authorization_list.clone(),
    };
    let envelope = unsigned.sign(&key).map_err(|e| format!("the transaction cannot be signed: {e}"))?;
    Ok(wasm_runtime::tx::encode(&envelope).into())
}

/// Totals of a run.
#[derive(Debug, Default)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub excluded: usize,
    /// Files read.
    pub files: usize,
    /// Tests without post-states for the fork.
    pub other_forks: usize,
    /// The forks those tests have, each once.
    pub forks_seen: std::collections::BTreeSet<String>,
    /// Tests the filter left out.
    pub filtered: usize,
    /// Kernel mode: instructions of the passing cases, summed.
    pub instructions: u64,
}

impl Totals {
    /// Why a run that found no case at all ran nothing, from what it found.
    fn nothing_to_run(&self, paths: &[PathBuf], fork: &str) -> String {
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let paths = paths.join(", ");
        if self.files == 0 {
            return format!("no .json file in {paths}");
        }
        let mut found = format!("no {fork} state-test case in {paths} ({} file(s) read", self.files);
        if self.other_forks > 0 {
            let forks: Vec<&str> = self.forks_seen.iter().map(String::as_str).collect();
            let forks = if forks.is_empty() { "none".to_string() } else { forks.join(", ") };
            found += &format!("; {} test(s) with post-states only for other forks: {forks}", self.other_forks);
        }
        if self.filtered > 0 {
            found += &format!("; {} test(s) left out by --filter", self.filtered);
        }
        found + ")"
    }
}

/// Runs all files under `paths`; reports through `report`.
pub fn run_paths(
    paths: &[PathBuf],
    fork: &str,
    mode: Mode,
    filter: Option<&str>,
    exclusions: &BTreeMap<String, String>,
    mut report: impl FnMut(&CaseResult, Option<&str>),
) -> Result<Totals, CliError> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files)?;
    }
    let mut totals = Totals { files: files.len(), ..Totals::default() };
    for file in files {
        let outcome = run_file(&file, fork, mode, filter);
        totals.other_forks += outcome.other_forks.len();
        totals.forks_seen.extend(outcome.other_forks.into_iter().flat_map(|(_, forks)| forks));
        totals.filtered += outcome.filtered;
        for r in outcome.results {
            let excluded = exclusions.get(&r.name).map(String::as_str);
            match (&r.error, excluded) {
                (_, Some(_)) => totals.excluded += 1,
                (None, None) => {
                    totals.passed += 1;
                    totals.instructions += r.instructions.unwrap_or(0);
                }
                (Some(_), None) => totals.failed += 1,
            }
            report(&r, excluded);
        }
    }
    Ok(totals)
}

/// `zkos statetest`.
pub fn main(args: &Args) -> Result<(), CliError> {
    let fork = crate::t8n::check_fork(&args.fork)?.name();
    let mode = match args.engine.as_str() {
        "kernel" => Mode::Kernel,
        other => Mode::Host(parse_engine(other).map_err(|_| {
            CliError::Config(format!("unknown engine `{other}` (expected wasmi, rv, rv-sandboxed or kernel)"))
        })?),
    };
    let exclusions = match &args.exclude {
        Some(p) => read_exclusions(p)?,
        None => BTreeMap::new(),
    };
    let json = args.json;
    let totals = run_paths(&args.paths, fork, mode, args.filter.as_deref(), &exclusions, |r, excluded| {
        let (d, g, v) = r.index;
        if json {
            let line = serde_json::json!({
                "name": r.name, "data": d, "gas": g, "value": v,
                "pass": r.error.is_none(), "error": r.error, "excluded": excluded,
            });
            let line = match r.instructions {
                Some(n) => {
                    let mut line = line;
                    line["instructions"] = n.into();
                    line
                }
                None => line,
            };
            println!("{line}");
        } else if let Some(e) = &r.error {
            let e = crate::error::one_line(e);
            match excluded {
                Some(why) => println!("EXCLUDED {} [d={d} g={g} v={v}]: {e} (excluded: {why})", r.name),
                None => println!("FAIL {} [d={d} g={g} v={v}]: {e}", r.name),
            }
        }
    })?;
    if totals.passed + totals.failed + totals.excluded == 0 {
        return Err(CliError::Config(totals.nothing_to_run(&args.paths, fork)));
    }
    if totals.excluded > 0 {
        println!("excluded: {} cases (listed with reasons in the exclusions file)", totals.excluded);
    }
    if totals.other_forks > 0 {
        println!("skipped: {} test(s) without {fork} post-states", totals.other_forks);
    }
    if mode == Mode::Kernel && totals.passed > 0 {
        println!(
            "kernel: {} RV64IM instructions over {} passing cases ({} per case)",
            totals.instructions,
            totals.passed,
            totals.instructions / totals.passed as u64
        );
    }
    println!("{} passed, {} failed", totals.passed, totals.failed);
    if totals.failed > 0 {
        return Err(CliError::Exec(format!("{} state test cases failed", totals.failed)));
    }
    Ok(())
}

/// Parses an engine name.
pub fn parse_engine(name: &str) -> Result<EngineKind, CliError> {
    match name {
        "wasmi" => Ok(EngineKind::Wasmi),
        "rv" => Ok(EngineKind::Rv),
        "rv-sandboxed" => Ok(EngineKind::RvSandboxed),
        other => Err(CliError::Config(format!("unknown engine `{other}` (expected wasmi, rv or rv-sandboxed)"))),
    }
}

#[cfg(test)]
mod tests {
    use wasm_runtime::exec::{Artifact, CodeKind};
    use wasm_runtime::primitives::keccak256;

    use super::*;

    /// A state test whose transaction calls a contract with code `0x00`; its expected root
    /// is the one a correct run gives (checked below), so only an error fails it.
    const TEST: &str = r#"{"calls_stop": {
        "env": {"currentNumber": "0x01", "currentTimestamp": "0x03e8", "currentGasLimit": "0x05f5e100",
                "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", "currentRandom": "0x00",
                "currentBaseFee": "0x0a"},
        "pre": {
            "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": {"balance": "0x0de0b6b3a7640000", "nonce": "0x00", "code": "0x", "storage": {}},
            "0x1000000000000000000000000000000000000000": {"balance": "0x00", "nonce": "0x00", "code": "0x00", "storage": {}}
        },
        "transaction": {"data": ["0x"], "gasLimit": ["0x0186a0"], "gasPrice": "0x0a", "nonce": "0x00",
                        "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
                        "to": "0x1000000000000000000000000000000000000000", "value": ["0x00"]},
        "post": {"Cancun": [{"hash": "HASH", "logs": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                             "indexes": {"data": 0, "gas": 0, "value": 0}}]}
    }}"#;

    fn test_with_root(root: &str) -> fixture::StateTest {
        let text = TEST.replace("HASH", root);
        match fixture::read_file(&text, "Cancun").expect("a state-test file").remove(0) {
            fixture::Entry::Test(test) => *test,
            _ => panic!("not a test"),
        }
    }

    /// A case whose block meets an internal error (an artifact no engine can take, as a
    /// corrupted artifact store would give) fails, with the error's line, on both engines.
    #[test]
    fn an_internal_error_fails_the_case() {
        for engine in [EngineKind::Wasmi, EngineKind::Rv] {
            // The root a correct run gives: the case passes with it.
            let probe = test_with_root(&format!("{:#x}", wasm_runtime::primitives::B256::ZERO));
            let error = run_case(&probe, &probe.posts[0], engine, &mut ArtifactCache::default()).unwrap_err();
            let root = error.split_whitespace().nth(2).expect("state root <got> != expected").to_string();
            let test = test_with_root(&root);
            run_case(&test, &test.posts[0], engine, &mut ArtifactCache::default()).expect("a correct run passes");
            // The same case with a corrupted artifact for the contract's code fails.
            let mut artifacts = ArtifactCache::default();
            // Under the case's opcodes, or the cache drops the artifact as built under others.
            artifacts.set_rules(test.block.fork.evm_rules());
            let hash = keccak256([0x00]);
            let garbage = b"\0asm\x01\0\0\0\x01\x7f".to_vec();
            artifacts.get_or_build_with(hash, || Ok(Artifact::new(hash, CodeKind::Evm, garbage, false))).unwrap();
            let error = run_case(&test, &test.posts[0], engine, &mut artifacts).expect_err("the case fails");
            assert!(
                error.starts_with("the block cannot be applied: transaction 0: internal error: "),
                "{}: {error}",
                engine.name()
            );
        }
    }
}
