//! Differential test against revm (Cancun): seeded random programs (arithmetic, stack,
//! memory, storage, transient storage, hashing, calldata, code, logs, static and computed
//! jumps, loops, function calls) run as a transaction in revm and as a transpiled module on
//! the mock host. Status, output, gas (spent and refunded), storage and logs must agree.

mod common;
#[path = "revm_diff/program.rs"]
mod program;
use common::*;
use program::program;
use revm::bytecode::Bytecode;
use revm::context::result::ExecutionResult;
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind};
use revm::state::AccountInfo;
use revm::{ExecuteEvm, MainBuilder, MainContext};

const CONTRACT: [u8; 20] = [0xaa; 20];
const SENDER: [u8; 20] = [0x0a; 20];
const GAS_LIMIT: u64 = 3_000_000;

/// The transpiler under Cancun's opcodes, the rules the revm side runs (its programs and
/// the ethereum-tests codes are Cancun's: CLZ's byte is an undefined opcode there).
fn cancun() -> evm_to_wasm::Config {
    evm_to_wasm::Config { rules: evm_to_wasm::Rules::CANCUN, ..Default::default() }
}

/// The outcome of a transaction, in comparable form.
#[derive(Debug, PartialEq, Eq)]
struct Tx {
    status: &'static str,
    output: Vec<u8>,
    spent: u64,
    refunded: u64,
    storage: Vec<(U256, U256)>,
    logs: Vec<(Vec<U256>, Vec<u8>)>,
}

fn intrinsic(data: &[u8]) -> u64 {
    21_000 + data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum::<u64>()
}

/// A transaction to run on both sides.
struct Setup<'a> {
    code: &'a [u8],
    data: &'a [u8],
    sender: [u8; 20],
    contract: [u8; 20],
    storage: Vec<(U256, U256)>,
    gas_limit: u64,
}

impl<'a> Setup<'a> {
    fn new(code: &'a [u8], data: &'a [u8]) -> Self {
        Self { code, data, sender: SENDER, contract: CONTRACT, storage: vec![], gas_limit: GAS_LIMIT }
    }
}

fn ru(v: U256) -> revm::primitives::U256 {
    revm::primitives::U256::from_limbs(*v.as_limbs())
}

fn with_revm(s: &Setup<'_>) -> Tx {
    with_revm_under(s, SpecId::CANCUN)
}

fn with_revm_under(s: &Setup<'_>, spec: SpecId) -> Tx {
    let (code, data) = (s.code, s.data);
    let (contract_addr, sender_addr) = (Address::from(s.contract), Address::from(s.sender));
    let mut db = CacheDB::new(EmptyDB::default());
    let mut contract = AccountInfo::from_bytecode(Bytecode::new_raw(Bytes::copy_from_slice(code)));
    contract.balance = revm::primitives::U256::from(1_000_000u64);
    db.insert_account_info(contract_addr, contract);
    for (k, v) in &s.storage {
        db.insert_account_storage(contract_addr, ru(*k), ru(*v)).unwrap();
    }
    db.insert_account_info(
        sender_addr,
        AccountInfo {
            balance: revm::primitives::U256::from(10u64).pow(revm::primitives::U256::from(30u64)),
            ..Default::default()
        },
    );
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| cfg.set_spec_and_mainnet_gas_params(spec))
        .with_db(db)
        .build_mainnet();
    let tx = TxEnv::builder()
        .caller(sender_addr)
        .kind(TxKind::Call(contract_addr))
        .data(Bytes::copy_from_slice(data))
        .gas_limit(s.gas_limit)
        .gas_price(0)
        .build()
        .unwrap();
    let r = evm.transact(tx).expect("revm transaction");
    let gas = *r.result.gas();
    let conv = |v: revm::primitives::U256| U256::from_limbs(*v.as_limbs());
    // The final storage: the pre-state with revm's changes (its state lists touched slots).
    let mut all: std::collections::BTreeMap<U256, U256> = s.storage.iter().copied().collect();
    if let Some(a) = r.state.get(&contract_addr) {
        for (k, slot) in &a.storage {
            all.insert(conv(*k), conv(slot.present_value));
        }
    }
    let mut storage: Vec<(U256, U256)> = all.into_iter().filter(|(_, v)| !v.is_zero()).collect();
    storage.sort();
    let (status, output, logs) = match &r.result {
        ExecutionResult::Success { output, logs, .. } => ("success", output.data().to_vec(), logs.clone()),
        ExecutionResult::Revert { output, .. } => ("revert", output.to_vec(), vec![]),
        ExecutionResult::Halt { .. } => ("halt", vec![], vec![]),
    };
    let logs = logs
        .iter()
        .map(|l| (l.data.topics().iter().map(|t| U256::from_be_slice(t.as_slice())).collect(), l.data.data.to_vec()))
        .collect();
    if status != "success" {
        storage.clear();
    }
    Tx { status, output, spent: gas.total_gas_spent(), refunded: gas.inner_refunded(), storage, logs }
}

fn with_transpiler(prepared: &Prepared, s: &Setup<'_>) -> Tx {
    let (code, data) = (s.code, s.data);
    let base = intrinsic(data);
    let frame = (s.gas_limit - base) as i64;
    let mut host =
        Host { calldata: data.to_vec(), code: code.to_vec(), address: s.contract, caller: s.sender, ..Host::default() };
    for (k, v) in &s.storage {
        host.storage.insert(word(*k).try_into().unwrap(), word(*v).try_into().unwrap());
    }
    let r = prepared.run(host, frame);
    let used = (frame - r.gas_left.max(0)) as u64;
    let (status, output) = match &r.outcome {
        Outcome::Return(d) => ("success", d.clone()),
        Outcome::Revert(d) => ("revert", d.clone()),
        Outcome::OutOfGas | Outcome::Trap(_) => ("halt", vec![]),
        o => panic!("unexpected outcome {o:?}"),
    };
    let spent = if status == "halt" { s.gas_limit } else { base + used };
    let refunded = if status == "success" { (r.host.refund.max(0) as u64).min(spent / 5) } else { 0 };
    let mut storage: Vec<(U256, U256)> = if status == "success" {
        r.host.storage.iter().map(|(k, v)| (u256(k), u256(v))).filter(|(_, v)| !v.is_zero()).collect()
    } else {
        vec![]
    };
    storage.sort();
    let logs = if status == "success" {
        r.host.logs.iter().map(|(t, d)| (t.iter().map(|w| u256(w)).collect(), d.clone())).collect()
    } else {
        vec![]
    };
    Tx { status, output, spent, refunded, storage, logs }
}

#[test]
fn random_programs_agree_with_revm() {
    let n: u64 = std::env::var("REVM_DIFF_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let mut statuses = std::collections::BTreeMap::new();
    // Every other program is compiled in tiny chunks: most jumps then cross chunks.
    let tiny = evm_to_wasm::Config { chunk_budget: 16, chunk_labels: 2, ..cancun() };
    for seed in 0..n {
        let (code, data) = program(seed);
        let wasm = match seed % 2 {
            0 => evm_to_wasm::transpile_with(&code, &cancun()).unwrap(),
            _ => evm_to_wasm::transpile_with(&code, &tiny).unwrap(),
        };
        validate(&wasm);
        let prepared = Prepared::new(&wasm);
        let setup = Setup::new(&code, &data);
        let want = with_revm(&setup);
        let got = with_transpiler(&prepared, &setup);
        *statuses.entry(want.status).or_insert(0) += 1;
        assert_eq!(got, want, "seed {seed}: code {}\ndata {}", hex::encode(&code), hex::encode(&data));
    }
    println!("{n} programs: {statuses:?}");
    // The generator must exercise every outcome.
    assert!(statuses.len() == 3, "{statuses:?}");
}

#[test]
fn bench_contracts_agree_with_revm_on_their_transactions() {
    // Contracts that only touch their own state: run each benchmark transaction.
    for &name in bench::SELF_CONTAINED {
        let b = bench::bench(name);
        // Default chunks, and tiny ones (many cross-chunk jumps).
        for config in [cancun(), evm_to_wasm::Config { chunk_budget: 64, chunk_labels: 3, ..cancun() }] {
            let wasm = evm_to_wasm::transpile_with(&b.code, &config).unwrap();
            validate(&wasm);
            let prepared = Prepared::new(&wasm);
            for tx in &b.txs {
                let setup = Setup {
                    code: &b.code,
                    data: &tx.data,
                    sender: tx.sender,
                    contract: [0xcc; 20],
                    storage: b.storage.clone(),
                    gas_limit: 1_000_000_000,
                };
                let want = with_revm(&setup);
                let got = with_transpiler(&prepared, &setup);
                println!("{name}: {} gas {}", want.status, want.spent);
                assert_eq!(want.status, "success", "{name}");
                assert_eq!(got, want, "{name} {config:?}");
            }
        }
    }
}

/// Opcodes whose results depend on other accounts or the block environment (which the mock
/// host serves with fixed values) or that need nested frames.
fn uses_outside_state(code: &[u8]) -> bool {
    const OUTSIDE: &[u8] = &[
        op::CALL,
        op::CALLCODE,
        op::DELEGATECALL,
        op::STATICCALL,
        op::CREATE,
        op::CREATE2,
        op::SELFDESTRUCT,
        op::BALANCE,
        op::EXTCODESIZE,
        op::EXTCODECOPY,
        op::EXTCODEHASH,
        op::BLOCKHASH,
        op::COINBASE,
        op::TIMESTAMP,
        op::NUMBER,
        op::PREVRANDAO,
        op::GASLIMIT,
        op::CHAINID,
        op::BASEFEE,
        op::BLOBHASH,
        op::BLOBBASEFEE,
        op::GASPRICE,
    ];
    evm_to_wasm::analysis::instructions(code, 0, code.len() as u32).any(|i| OUTSIDE.contains(&i.op))
}

/// Every account's code in the ethereum/tests state tests (hand-written edge cases) is run
/// directly as the transaction's target, with the test's calldata variants, in revm and
/// transpiled: status, output, gas, refunds, storage and logs must agree.
#[test]
fn ethereum_tests_code_agrees_with_revm() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/ethereum-tests/GeneralStateTests");
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut seen = std::collections::HashSet::new();
    let (mut runs, mut codes, mut skipped) = (0usize, 0usize, 0usize);
    for path in &files {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&std::fs::read(path).unwrap()) else { continue };
        for test in json.as_object().unwrap().values() {
            let Some(pre) = test["pre"].as_object() else { continue };
            let datas: Vec<Vec<u8>> = test["transaction"]["data"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .take(4)
                        .filter_map(|d| d.as_str())
                        .map(|d| hex::decode(d.trim_start_matches("0x")).unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default();
            for (addr, acct) in pre {
                let code =
                    hex::decode(acct["code"].as_str().unwrap_or("0x").trim_start_matches("0x")).unwrap_or_default();
                if code.is_empty() || !seen.insert((code.clone(), datas.clone())) {
                    continue;
                }
                if uses_outside_state(&code) {
                    skipped += 1;
                    continue;
                }
                let contract: [u8; 20] = hex::decode(addr.trim_start_matches("0x")).unwrap().try_into().unwrap();
                let storage: Vec<(U256, U256)> = acct["storage"]
                    .as_object()
                    .map(|m| {
                        m.iter().map(|(k, v)| (k.parse().unwrap(), v.as_str().unwrap().parse().unwrap())).collect()
                    })
                    .unwrap_or_default();
                let wasm = evm_to_wasm::transpile_with(&code, &cancun()).unwrap();
                if let Err(e) = wasmparser::validate(&wasm) {
                    panic!("{}: {addr}: invalid module: {e}\ncode {}", path.display(), hex::encode(&code));
                }
                validate(&wasm);
                let prepared = Prepared::new(&wasm);
                codes += 1;
                let no_data = [Vec::new()];
                let datas = if datas.is_empty() { &no_data[..] } else { &datas[..] };
                for data in datas {
                    let setup = Setup {
                        code: &code,
                        data,
                        sender: SENDER,
                        contract,
                        storage: storage.clone(),
                        gas_limit: 10_000_000,
                    };
                    let want = with_revm(&setup);
                    let got = with_transpiler(&prepared, &setup);
                    assert_eq!(
                        got,
                        want,
                        "{}: {addr}\ncode {}\ndata {}",
                        path.display(),
                        hex::encode(&code),
                        hex::encode(data)
                    );
                    runs += 1;
                }
            }
        }
    }
    println!("{} files: {codes} codes, {runs} runs agree; {skipped} codes skipped (calls, creates, other accounts, block environment)", files.len());
    assert!(codes > 1000, "{codes}");
}

/// Osaka's opcode set against revm's Osaka: EIP-7939's CLZ on words with every count of
/// leading zeros (each power of two, its neighbours, zero, all ones, mixed words), its
/// result used by later arithmetic, on an empty stack (a halt), and the same codes under
/// Cancun's rules on both sides (CLZ's byte undefined there).
#[test]
fn clz_agrees_with_revm_under_osaka_and_cancun() {
    let mut words: Vec<[u8; 32]> = vec![[0; 32], [0xff; 32]];
    for bit in 0..256usize {
        let mut w = [0u8; 32];
        w[31 - bit / 8] = 1 << (bit % 8);
        words.push(w);
        let mut below = [0u8; 32];
        for (i, b) in below.iter_mut().enumerate() {
            // Every bit below `bit` set (the value 2^bit - 1).
            let lo = 8 * (31 - i);
            *b = if lo + 8 <= bit {
                0xff
            } else if lo < bit {
                (1u16 << (bit - lo)) as u8 - 1
            } else {
                0
            };
        }
        words.push(below);
    }
    words.push(*b"\x00\x00\x00\x01zkos-clz-mixed-word-of-32byt");
    let mut codes: Vec<Vec<u8>> = words
        .iter()
        .map(|w| {
            // PUSH32 w, CLZ, PUSH1 0, SSTORE; then CLZ of the result plus one, stored in slot 1.
            let mut c = vec![0x7f];
            c.extend_from_slice(w);
            c.extend_from_slice(&[0x1e, 0x80, 0x60, 0x00, 0x55, 0x60, 0x01, 0x01, 0x1e, 0x60, 0x01, 0x55, 0x00]);
            c
        })
        .collect();
    codes.push(vec![0x1e, 0x00]);
    let osaka = evm_to_wasm::Config::default();
    for (rules, spec) in [(osaka, SpecId::OSAKA), (cancun(), SpecId::CANCUN)] {
        for code in &codes {
            let wasm = evm_to_wasm::transpile_with(code, &rules).unwrap();
            validate(&wasm);
            let prepared = Prepared::new(&wasm);
            let setup = Setup::new(code, &[]);
            let want = with_revm_under(&setup, spec);
            let got = with_transpiler(&prepared, &setup);
            assert_eq!(got, want, "{spec:?}: code {}", hex::encode(code));
        }
    }
}
