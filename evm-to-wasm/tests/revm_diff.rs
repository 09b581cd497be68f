//! Differential test against revm (Cancun): seeded random programs (arithmetic, stack,
//! memory, storage, transient storage, hashing, calldata, code, logs, static and computed
//! jumps, loops, function calls) run as a transaction in revm and as a transpiled module on
//! the mock host. Status, output, gas (spent and refunded), storage and logs must agree.

mod common;
use common::*;
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
        .modify_cfg_chained(|cfg| cfg.set_spec_and_mainnet_gas_params(SpecId::CANCUN))
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

// ------------------------------------------------------------------ program generator

struct Gen {
    rng: Rng,
    e: Evm,
    depth: i64,
    labels: usize,
    funcs: Vec<&'static str>,
}

const LABELS: [&str; 64] = [
    "l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17",
    "l18", "l19", "l20", "l21", "l22", "l23", "l24", "l25", "l26", "l27", "l28", "l29", "l30", "l31", "l32", "l33",
    "l34", "l35", "l36", "l37", "l38", "l39", "l40", "l41", "l42", "l43", "l44", "l45", "l46", "l47", "l48", "l49",
    "l50", "l51", "l52", "l53", "l54", "l55", "l56", "l57", "l58", "l59", "l60", "l61", "l62", "l63",
];

const BIN: &[u8] = &[
    op::ADD,
    op::MUL,
    op::SUB,
    op::DIV,
    op::SDIV,
    op::MOD,
    op::SMOD,
    op::EXP,
    op::SIGNEXTEND,
    op::LT,
    op::GT,
    op::SLT,
    op::SGT,
    op::EQ,
    op::AND,
    op::OR,
    op::XOR,
    op::BYTE,
    op::SHL,
    op::SHR,
    op::SAR,
];

impl Gen {
    fn pick(&mut self, n: u64) -> u64 {
        self.rng.next() % n
    }

    fn label(&mut self) -> &'static str {
        let l = LABELS[self.labels % LABELS.len()];
        self.labels += 1;
        l
    }

    fn value(&mut self) -> U256 {
        match self.pick(6) {
            0 => U256::from(self.pick(40)),
            1 => U256::from(self.pick(300)),
            2 => edges()[self.pick(edges().len() as u64) as usize],
            _ => self.rng.u256(),
        }
    }

    fn push(&mut self, v: U256) {
        let e = std::mem::take(&mut self.e);
        self.e = e.push(v);
        self.depth += 1;
    }

    fn op(&mut self, o: u8, inputs: i64, outputs: i64) {
        let e = std::mem::take(&mut self.e);
        self.e = e.op(o);
        self.depth += outputs - inputs;
    }

    /// Makes sure at least `n` items are on the stack.
    fn need(&mut self, n: i64) {
        while self.depth < n {
            let v = self.value();
            self.push(v);
        }
    }

    /// One random straight-line step; `floor` is the depth the step must not go below.
    fn step(&mut self, floor: i64) {
        let k = self.pick(100);
        match k {
            0..=14 => {
                let v = self.value();
                self.push(v);
            }
            15..=39 => {
                self.need(floor + 2);
                let o = BIN[self.pick(BIN.len() as u64) as usize];
                if matches!(o, op::SHL | op::SHR | op::SAR | op::BYTE | op::SIGNEXTEND | op::EXP) && self.pick(2) == 0 {
                    let v = U256::from(self.pick(if o == op::EXP { 5 } else { 270 }));
                    self.push(v);
                    self.op(op::SWAP1, 2, 2);
                    self.op(op::POP, 1, 0);
                    self.op(op::SWAP1, 2, 2);
                }
                self.op(o, 2, 1);
            }
            40..=43 => {
                self.need(floor + 3);
                let o = if self.pick(2) == 0 { op::ADDMOD } else { op::MULMOD };
                self.op(o, 3, 1);
            }
            44..=47 => {
                self.need(floor + 1);
                let o = if self.pick(2) == 0 { op::ISZERO } else { op::NOT };
                self.op(o, 1, 1);
            }
            48..=55 => {
                let avail = (self.depth - floor).clamp(0, 16);
                if avail == 0 {
                    return self.push(U256::from(1));
                }
                let n = 1 + self.pick(avail as u64) as u8;
                self.op(op::DUP1 + n - 1, 0, 1);
            }
            56..=61 => {
                let avail = (self.depth - floor - 1).clamp(0, 16);
                if avail == 0 {
                    return self.push(U256::from(2));
                }
                let n = 1 + self.pick(avail as u64) as u8;
                self.op(op::SWAP1 + n - 1, 0, 0);
            }
            62..=64 if self.depth > floor => self.op(op::POP, 1, 0),
            65..=70 => {
                // MSTORE / MSTORE8 / MLOAD at a small offset.
                let range = if self.pick(8) == 0 { 5000 } else { 200 };
                let off = U256::from(self.pick(range));
                match self.pick(3) {
                    0 => {
                        self.need(floor + 1);
                        self.push(off);
                        self.op(op::MSTORE, 2, 0);
                    }
                    1 => {
                        self.need(floor + 1);
                        self.push(off);
                        self.op(op::MSTORE8, 2, 0);
                    }
                    _ => {
                        self.push(off);
                        self.op(op::MLOAD, 1, 1);
                    }
                }
            }
            71..=72 => {
                // MCOPY / KECCAK256 / CALLDATACOPY / CODECOPY with small ranges.
                let len = U256::from(self.pick(70));
                let a = U256::from(self.pick(150));
                let b = U256::from(self.pick(150));
                match self.pick(4) {
                    0 => {
                        self.push(len);
                        self.push(a);
                        self.push(b);
                        self.op(op::MCOPY, 3, 0);
                    }
                    1 => {
                        self.push(len);
                        self.push(a);
                        self.op(op::KECCAK256, 2, 1);
                    }
                    2 => {
                        self.push(len);
                        self.push(a);
                        self.push(b);
                        self.op(op::CALLDATACOPY, 3, 0);
                    }
                    _ => {
                        self.push(len);
                        self.push(a);
                        self.push(b);
                        self.op(op::CODECOPY, 3, 0);
                    }
                }
            }
            73..=77 => {
                // Storage and transient storage at small keys.
                let key = U256::from(self.pick(4));
                match self.pick(4) {
                    0 => {
                        self.need(floor + 1);
                        if self.pick(3) == 0 {
                            self.op(op::POP, 1, 0);
                            let v = if self.pick(2) == 0 { U256::ZERO } else { U256::from(self.pick(3)) };
                            self.push(v);
                        }
                        self.push(key);
                        self.op(op::SSTORE, 2, 0);
                    }
                    1 => {
                        self.push(key);
                        self.op(op::SLOAD, 1, 1);
                    }
                    2 => {
                        self.need(floor + 1);
                        self.push(key);
                        self.op(op::TSTORE, 2, 0);
                    }
                    _ => {
                        self.push(key);
                        self.op(op::TLOAD, 1, 1);
                    }
                }
            }
            78..=82 => {
                let o = [
                    op::GAS,
                    op::PC,
                    op::MSIZE,
                    op::ADDRESS,
                    op::CALLER,
                    op::ORIGIN,
                    op::CALLVALUE,
                    op::SELFBALANCE,
                    op::CALLDATASIZE,
                    op::CODESIZE,
                    op::RETURNDATASIZE,
                ][self.pick(11) as usize];
                self.op(o, 0, 1);
            }
            83..=85 => {
                let range = if self.pick(5) == 0 { 1 << 40 } else { 80 };
                let off = U256::from(self.pick(range));
                self.push(off);
                self.op(op::CALLDATALOAD, 1, 1);
            }
            86..=87 => {
                let n = self.pick(5) as i64;
                self.need(floor + n);
                let len = U256::from(self.pick(40));
                let off = U256::from(self.pick(100));
                self.push(len);
                self.push(off);
                self.op(op::LOG0 + n as u8, 2 + n, 0);
            }
            _ => {}
        }
    }

    fn straight(&mut self, steps: usize, floor: i64) {
        for _ in 0..steps {
            self.step(floor);
        }
    }

    /// A block with control flow.
    fn block(&mut self, budget: usize, floor: i64) {
        let mut left = budget;
        while left > 0 {
            match self.pick(10) {
                0 if left > 6 => {
                    // Forward JUMPI over a chunk (condition computed from the stack).
                    self.need(floor + 1);
                    let l = self.label();
                    self.op(op::DUP1, 0, 1);
                    if self.pick(2) == 0 {
                        self.op(op::ISZERO, 1, 1);
                    }
                    let e = std::mem::take(&mut self.e);
                    self.e = e.push_label(l).op(op::JUMPI);
                    self.depth -= 1;
                    let d = self.depth;
                    self.straight(4, d);
                    // Re-balance so both paths reach the label with the same depth.
                    while self.depth > d {
                        self.op(op::POP, 1, 0);
                    }
                    let e = std::mem::take(&mut self.e);
                    self.e = e.label(l);
                    left -= 6;
                }
                1 if left > 8 => {
                    // A counted loop with a stack-neutral body.
                    let l = self.label();
                    let n = U256::from(1 + self.pick(4));
                    self.push(n);
                    let e = std::mem::take(&mut self.e);
                    self.e = e.label(l);
                    let d = self.depth;
                    self.straight(5, d);
                    while self.depth > d {
                        self.op(op::POP, 1, 0);
                    }
                    let e = std::mem::take(&mut self.e);
                    self.e = e.pushn(1).op(op::SWAP1).op(op::SUB).op(op::DUP1).push_label(l).op(op::JUMPI).op(op::POP);
                    self.depth -= 1;
                    left -= 8;
                }
                2 if !self.funcs.is_empty() => {
                    // Call a function: push return label, argument, jump.
                    let which = self.pick(self.funcs.len() as u64) as usize;
                    let f = self.funcs[which];
                    let ret = self.label();
                    let v = self.value();
                    let e = std::mem::take(&mut self.e);
                    self.e = e.push_label(ret).push(v).push_label(f).op(op::JUMP).label(ret);
                    self.depth += 1;
                    left = left.saturating_sub(3);
                }
                _ => {
                    self.step(floor);
                    left -= 1;
                }
            }
        }
    }
}

/// A random program: functions `f(x) -> g(x)` at the end, called with dynamic returns.
fn program(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut g = Gen { rng: Rng(seed), e: Evm::new(), depth: 0, labels: 0, funcs: vec!["fa", "fb"] };
    let budget = 10 + g.pick(60) as usize;
    g.block(budget, 0);
    // End: return some memory, or revert, or stop, or an invalid opcode (rarely).
    let end = g.pick(20);
    let e = std::mem::take(&mut g.e);
    g.e = match end {
        0 => e.op(op::INVALID),
        1..=2 => e.pushn(g.rng.next() % 64).op(op::PUSH0).op(op::REVERT),
        3 => e.op(op::STOP),
        _ => {
            let len = g.rng.next() % 100;
            let off = g.rng.next() % 64;
            e.pushn(len).pushn(off).op(op::RETURN)
        }
    };
    // Functions: (ret, x) -> jump ret with h(x).
    for f in ["fa", "fb"] {
        let e = std::mem::take(&mut g.e);
        g.e = e.label(f);
        g.depth = 2;
        let saved = g.funcs.clone();
        g.funcs.clear();
        g.straight(6, 1);
        while g.depth > 2 {
            g.op(op::POP, 1, 0);
        }
        g.need(2);
        g.funcs = saved;
        let e = std::mem::take(&mut g.e);
        g.e = e.op(op::SWAP1).op(op::JUMP);
    }
    let mut data: Vec<u8> = (0..g.rng.next() % 100).map(|_| g.rng.next() as u8).collect();
    if g.rng.next().is_multiple_of(3) {
        data.truncate(4);
    }
    (g.e.build(), data)
}

#[test]
fn random_programs_agree_with_revm() {
    let n: u64 = std::env::var("REVM_DIFF_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let mut statuses = std::collections::BTreeMap::new();
    // Every other program is compiled in tiny chunks: most jumps then cross chunks.
    let tiny = evm_to_wasm::Config { chunk_budget: 16, chunk_labels: 2 };
    for seed in 0..n {
        let (code, data) = program(seed);
        let wasm = match seed % 2 {
            0 => evm_to_wasm::transpile(&code).unwrap(),
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
    for name in [
        "factorial",
        "fibonacci-calldata",
        "bswap64",
        "bswap64_opt",
        "counter",
        "hash_10k",
        "erc20_transfer",
        "weth",
        "snailtracer",
    ] {
        let path = format!("/work/shared/bench/evm/{name}.json");
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let test = json.as_object().unwrap().values().next().unwrap();
        let acct = &test["pre"]["0xcccccccccccccccccccccccccccccccccccccccc"];
        let code = hex::decode(acct["code"].as_str().unwrap().trim_start_matches("0x")).unwrap();
        let storage: Vec<(U256, U256)> = acct["storage"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.parse::<U256>().unwrap(), v.as_str().unwrap().parse::<U256>().unwrap()))
            .collect();
        // Default chunks, and tiny ones (many cross-chunk jumps).
        for config in [evm_to_wasm::Config::default(), evm_to_wasm::Config { chunk_budget: 64, chunk_labels: 3 }] {
            let wasm = evm_to_wasm::transpile_with(&code, &config).unwrap();
            validate(&wasm);
            let prepared = Prepared::new(&wasm);
            for tx in test["transaction"].as_array().unwrap() {
                let data = hex::decode(tx["data"].as_str().unwrap().trim_start_matches("0x")).unwrap();
                let sender: [u8; 20] =
                    hex::decode(tx["sender"].as_str().unwrap().trim_start_matches("0x")).unwrap().try_into().unwrap();
                let setup = Setup {
                    code: &code,
                    data: &data,
                    sender,
                    contract: [0xcc; 20],
                    storage: storage.clone(),
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
    let root = "/work/shared/fixtures/ethereum-tests/GeneralStateTests";
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
                let wasm = evm_to_wasm::transpile(&code).unwrap();
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
