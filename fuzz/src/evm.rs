//! The EVM differential on one call frame: a contract of arbitrary EVM bytecode called with
//! arbitrary calldata, value and gas, in one block, on zkos's reference engine (wasmi), on
//! its provable engine (rv) and on revm 43 (Osaka, chain id 1). zkos's two engines must
//! agree on everything ([`zkos_tests::run_block_differential`]: status, gas, output, logs,
//! failure, state diff); zkos and revm on the status, gas used, output, logs and the
//! contract's storage.

use std::collections::BTreeMap;
use std::convert::Infallible;

use alloy_primitives::{Address, Bytes, B256, U256};
use arbitrary::Unstructured;
use revm::bytecode::Bytecode;
use revm::context::result::{ExecResultAndState, ExecutionResult, Output};
use revm::context::{BlockEnv as RBlockEnv, Context, TxEnv as RTxEnv};
use revm::database::CacheDB;
use revm::database_interface::DatabaseRef;
use revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE;
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind;
use revm::{ExecuteEvm, MainBuilder, MainContext};
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::platform::{AccountInfo, MemoryDb};

/// The transaction's sender.
pub const SENDER: Address = Address::repeat_byte(0xA1);
/// The contract under test.
pub const CONTRACT: Address = Address::repeat_byte(0xCC);
/// A second contract (the same code), for calls between contracts.
pub const OTHER: Address = Address::repeat_byte(0xDD);
/// The block's coinbase.
pub const COINBASE: Address = Address::repeat_byte(0xC0);
const BLOCK_GAS: u64 = 30_000_000;
const BASE_FEE: u64 = 7;
const TIMESTAMP: u64 = 1_700_000_000;

/// One case: the code, the calldata, the value (wei) and the gas limit.
#[derive(Clone, Debug)]
pub struct Case {
    pub code: Vec<u8>,
    pub calldata: Vec<u8>,
    pub value: u64,
    pub gas: u64,
}

impl Case {
    /// Reads a case from fuzzer bytes: two bytes of gas, one of value, one of calldata
    /// length, the calldata, then the code (at most 8 KiB). A leading 0xEF is replaced by
    /// 0xFE (INVALID): no account holds code starting with 0xEF on Ethereum (EIP-3541),
    /// and zkos reads 0xEF5A… as an envelope.
    pub fn from_bytes(data: &[u8]) -> Self {
        let mut u = Unstructured::new(data);
        let gas = 21_000 + 1_000 * u64::from(u.arbitrary::<u16>().unwrap_or(0) % 1_000);
        let value = u64::from(u.arbitrary::<u8>().unwrap_or(0) % 4);
        let len = usize::from(u.arbitrary::<u8>().unwrap_or(0) % 100);
        let calldata = u.bytes(len.min(u.len())).unwrap_or_default().to_vec();
        let mut code = u.take_rest().to_vec();
        code.truncate(8 << 10);
        if code.first() == Some(&0xEF) {
            code[0] = 0xFE;
        }
        Self { code, calldata, value, gas }
    }
}

/// What one side observed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    /// `success`, `failure` or `rejected`.
    status: &'static str,
    gas_used: u64,
    /// Return or revert data (empty on an exceptional halt).
    output: Bytes,
    logs: Vec<(Address, Vec<B256>, Bytes)>,
    /// The contract's non-zero storage after the transaction.
    storage: BTreeMap<U256, U256>,
}

fn pre_state(code: &[u8]) -> MemoryDb {
    let mut db = MemoryDb::default();
    db.insert(SENDER, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(20u8)), 0), BTreeMap::new());
    for who in [CONTRACT, OTHER] {
        let mut info = AccountInfo::with_balance(U256::from(1_000u64), 1);
        info.set_code(Bytes::copy_from_slice(code));
        db.insert(who, info, BTreeMap::new());
    }
    db
}

/// Runs the case on zkos's two engines (which must agree exactly) and returns what the
/// reference engine did.
fn zkos(case: &Case) -> Seen {
    let db = pre_state(&case.code);
    let block = BlockEnv {
        number: 1,
        timestamp: TIMESTAMP,
        coinbase: COINBASE,
        gas_limit: BLOCK_GAS,
        base_fee: U256::from(BASE_FEE),
        chain_id: 1,
        ..BlockEnv::default()
    };
    let tx = TxEnv {
        tx_type: 2,
        caller: SENDER,
        nonce: 0,
        gas_limit: case.gas,
        max_fee_per_gas: U256::from(10u64),
        max_priority_fee_per_gas: U256::from(1u64),
        to: Some(CONTRACT),
        value: U256::from(case.value),
        data: Bytes::copy_from_slice(&case.calldata),
        hash: B256::with_last_byte(1),
        ..TxEnv::default()
    };
    let out = zkos_tests::run_block_differential(&db, &block, &[tx]);
    assert!(out.error.is_none(), "the block failed: {:?}", out.error);
    let Some(r) = out.receipts.first() else {
        return Seen {
            status: "rejected",
            gas_used: 0,
            output: Bytes::new(),
            logs: Vec::new(),
            storage: BTreeMap::new(),
        };
    };
    let storage = out
        .diff
        .accounts
        .get(&CONTRACT)
        .and_then(|a| a.as_ref())
        .map(|a| a.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect())
        .unwrap_or_default();
    Seen {
        status: if r.success { "success" } else { "failure" },
        gas_used: r.gas_used,
        output: r.output.clone(),
        logs: r.logs.iter().map(|l| (l.address, l.data.topics().to_vec(), l.data.data.clone())).collect(),
        storage,
    }
}

/// Nothing under the pre-state; unknown block hashes read as zero, as zkos serves them.
#[derive(Clone, Copy, Debug, Default)]
struct Nothing;

impl DatabaseRef for Nothing {
    type Error = Infallible;

    fn basic_ref(&self, _: Address) -> Result<Option<revm::state::AccountInfo>, Infallible> {
        Ok(None)
    }

    fn code_by_hash_ref(&self, _: B256) -> Result<Bytecode, Infallible> {
        Ok(Bytecode::default())
    }

    fn storage_ref(&self, _: Address, _: U256) -> Result<U256, Infallible> {
        Ok(U256::ZERO)
    }

    fn block_hash_ref(&self, _: u64) -> Result<B256, Infallible> {
        Ok(B256::ZERO)
    }
}

fn revm(case: &Case) -> Seen {
    let mut db = CacheDB::new(Nothing);
    let sender = revm::state::AccountInfo::new(
        U256::from(10u64).pow(U256::from(20u8)),
        0,
        revm::primitives::KECCAK_EMPTY,
        Bytecode::default(),
    );
    db.insert_account_info(SENDER, sender);
    for who in [CONTRACT, OTHER] {
        let code = Bytecode::new_raw(Bytes::copy_from_slice(&case.code));
        db.insert_account_info(who, revm::state::AccountInfo::new(U256::from(1_000u64), 1, code.hash_slow(), code));
    }
    let mut block = RBlockEnv {
        number: U256::from(1u64),
        beneficiary: COINBASE,
        timestamp: U256::from(TIMESTAMP),
        gas_limit: BLOCK_GAS,
        basefee: BASE_FEE,
        difficulty: U256::ZERO,
        prevrandao: Some(B256::ZERO),
        ..RBlockEnv::default()
    };
    block.set_blob_excess_gas_and_price(0, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE);
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| {
            cfg.set_spec_and_mainnet_gas_params(SpecId::OSAKA);
            cfg.chain_id = 1;
        })
        .with_block(block)
        .with_db(&mut db)
        .build_mainnet();
    let tx = RTxEnv {
        tx_type: 2,
        caller: SENDER,
        gas_limit: case.gas,
        gas_price: 10,
        kind: TxKind::Call(CONTRACT),
        value: U256::from(case.value),
        data: Bytes::copy_from_slice(&case.calldata),
        nonce: 0,
        chain_id: Some(1),
        gas_priority_fee: Some(1),
        ..RTxEnv::default()
    };
    let ExecResultAndState { result, state } = match evm.transact(tx) {
        Ok(r) => r,
        Err(_) => {
            return Seen {
                status: "rejected",
                gas_used: 0,
                output: Bytes::new(),
                logs: Vec::new(),
                storage: BTreeMap::new(),
            }
        }
    };
    let storage = state
        .get(&CONTRACT)
        .map(|a| {
            a.storage.iter().filter(|(_, s)| !s.present_value.is_zero()).map(|(k, s)| (*k, s.present_value)).collect()
        })
        .unwrap_or_default();
    let logs = |logs: &[revm::primitives::Log]| {
        logs.iter().map(|l| (l.address, l.data.topics().to_vec(), l.data.data.clone())).collect::<Vec<_>>()
    };
    match &result {
        ExecutionResult::Success { output, logs: l, .. } => Seen {
            status: "success",
            gas_used: result.tx_gas_used(),
            output: match output {
                Output::Call(data) => data.clone(),
                Output::Create(..) => Bytes::new(),
            },
            logs: logs(l),
            storage,
        },
        ExecutionResult::Revert { output, .. } => Seen {
            status: "failure",
            gas_used: result.tx_gas_used(),
            output: output.clone(),
            logs: Vec::new(),
            storage: BTreeMap::new(),
        },
        ExecutionResult::Halt { .. } => Seen {
            status: "failure",
            gas_used: result.tx_gas_used(),
            output: Bytes::new(),
            logs: Vec::new(),
            storage: BTreeMap::new(),
        },
    }
}

/// Runs one case on the three; `Err` describes the first disagreement between zkos and revm
/// (a disagreement between zkos's engines panics inside [`zkos_tests::assert_same_block`]).
pub fn run_case(case: &Case) -> Result<(), String> {
    let z = zkos(case);
    let r = revm(case);
    if z == r {
        return Ok(());
    }
    let mut diff = Vec::new();
    if z.status != r.status {
        diff.push(format!("status zkos {} revm {}", z.status, r.status));
    }
    if z.gas_used != r.gas_used {
        diff.push(format!("gas used zkos {} revm {}", z.gas_used, r.gas_used));
    }
    if z.output != r.output {
        diff.push(format!("output zkos {} revm {}", z.output, r.output));
    }
    if z.logs != r.logs {
        diff.push(format!("logs zkos {:?} revm {:?}", z.logs, r.logs));
    }
    if z.storage != r.storage {
        diff.push(format!("storage zkos {:?} revm {:?}", z.storage, r.storage));
    }
    Err(format!(
        "code {} calldata {} gas {} value {}: {}",
        Bytes::copy_from_slice(&case.code),
        Bytes::copy_from_slice(&case.calldata),
        case.gas,
        case.value,
        diff.join("; ")
    ))
}
