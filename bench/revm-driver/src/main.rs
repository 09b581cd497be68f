//! revm, built for RV64IM, executing one EVM benchmark transaction on the machine: the anchor
//! `zkos bench evm` compares zkos with. revm runs as its no_std build does (no C libraries:
//! k256 for ecrecover, arkworks for the curves), over its in-memory `CacheDB` on an empty
//! database.
//!
//! Input (one byte string, see [`input`]): the fork, the block, the pre-state accounts and
//! the transaction. Phases, split by markers (`mark(PHASE)`): reading the input and building
//! the database (jump-table analysis and code hashes included); `transact` (validation,
//! the interpreter, the journal, the database, the result state); hashing and writing the
//! result. Output: status (0 success, 1 revert, 2 halt), gas used, keccak256 of the output.
//!
//! Host work is bracketed by `mark(HOST_ENTER)` / `mark(HOST_LEAVE)` so the driver can
//! count it apart: every keccak256 (alloy's `native-keccak` hook, defined here), every
//! database read (the [`BracketedDb`] database), every journal operation ([`journal`]: storage,
//! accounts, code, logs, transfers, checkpoints) and every precompile ([`precompiles`]).

#![no_std]
#![no_main]

extern crate alloc;

mod input;
mod journal;
mod precompiles;

use alloc::vec::Vec;
use core::convert::Infallible;

use bench_kernels::protocol::{STATUS_BAD_INPUT, STATUS_OK};
use bench_rt::{mark, uart};
use revm::bytecode::Bytecode;
use revm::context::result::{EVMError, ExecutionResult, Output};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::context::{Evm, FrameStack};
use revm::database::CacheDB;
use revm::database_interface::DatabaseRef;
use revm::handler::instructions::EthInstructions;
use revm::handler::EthFrame;
use revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{keccak256, Address, TxKind, B256, U256};
use revm::state::AccountInfo;
use revm::ExecuteEvm;

use journal::Bracketed as BracketedJournal;
use precompiles::Bracketed as BracketedPrecompiles;

/// Marker values (in `a0` of the marker `ecall`): a phase boundary, entering host work,
/// leaving it. The driver reads them the same way (`bench/driver/src/evm/`).
const PHASE: u64 = 0;
const HOST_ENTER: u64 = 1;
const HOST_LEAVE: u64 = 2;

/// The transaction was rejected by revm's validation (the driver reports it).
const STATUS_REJECTED: u64 = 20;

/// Runs `f` as host work: between the enter and leave markers.
#[inline(always)]
pub(crate) fn host<T>(f: impl FnOnce() -> T) -> T {
    mark(HOST_ENTER);
    let r = f();
    mark(HOST_LEAVE);
    r
}

/// alloy-primitives' `native-keccak` hook: every keccak256 revm computes comes here.
///
/// # Safety
/// `bytes` points to `len` readable bytes and `output` to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn native_keccak256(bytes: *const u8, len: usize, output: *mut u8) {
    use sha3::Digest;
    host(|| {
        // SAFETY: the caller passes a readable input of `len` bytes.
        let input = unsafe { core::slice::from_raw_parts(bytes, len) };
        let hash = sha3::Keccak256::digest(input);
        // SAFETY: the caller passes 32 writable bytes.
        unsafe { core::ptr::copy_nonoverlapping(hash.as_ptr(), output, 32) };
    })
}

/// What lies under the pre-state: nothing. Unknown block hashes read as zero, as zkos
/// serves them. Every read is host work.
#[derive(Clone, Copy, Debug, Default)]
struct Nothing;

impl DatabaseRef for Nothing {
    type Error = Infallible;

    fn basic_ref(&self, _: Address) -> Result<Option<AccountInfo>, Infallible> {
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

/// The database revm reads: the pre-state in a `CacheDB`, each read bracketed as host work.
#[derive(Debug)]
struct BracketedDb(CacheDB<Nothing>);

impl revm::Database for BracketedDb {
    type Error = Infallible;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        host(|| self.0.basic(address))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Infallible> {
        host(|| self.0.code_by_hash(code_hash))
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, Infallible> {
        host(|| self.0.storage(address, index))
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Infallible> {
        host(|| self.0.block_hash(number))
    }
}

type Ctx = Context<BlockEnv, TxEnv, CfgEnv, BracketedDb, BracketedJournal<BracketedDb>, ()>;

#[no_mangle]
extern "C" fn bench_main() -> u64 {
    let mut bytes = Vec::new();
    if uart::read_bytes(|b| bytes.extend_from_slice(b)).is_none() {
        return STATUS_BAD_INPUT;
    }
    let Some(input) = input::parse(&bytes) else {
        return STATUS_BAD_INPUT;
    };
    drop(bytes);

    let mut db = CacheDB::new(Nothing);
    for account in input.accounts {
        let code = Bytecode::new_raw(account.code.into());
        let info = AccountInfo::new(account.balance, account.nonce, code.hash_slow(), code);
        db.insert_account_info(account.address, info);
        for (slot, value) in account.storage {
            if db.insert_account_storage(account.address, slot, value).is_err() {
                return STATUS_BAD_INPUT;
            }
        }
    }
    let spec = if input.osaka { SpecId::OSAKA } else { SpecId::PRAGUE };
    let mut block = BlockEnv {
        number: U256::from(input.block.number),
        beneficiary: input.block.coinbase,
        timestamp: U256::from(input.block.timestamp),
        gas_limit: input.block.gas_limit,
        basefee: input.block.base_fee,
        difficulty: U256::ZERO,
        prevrandao: Some(input.block.prev_randao),
        ..BlockEnv::default()
    };
    // Osaka keeps Prague's blob parameters (EIP-7691); the inputs carry no excess blob gas.
    block.set_blob_excess_gas_and_price(0, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE);
    let tx = TxEnv {
        tx_type: 0,
        caller: input.tx.caller,
        gas_limit: input.tx.gas_limit,
        gas_price: input.tx.gas_price,
        kind: input.tx.to.map_or(TxKind::Create, TxKind::Call),
        value: input.tx.value,
        data: input.tx.data.into(),
        nonce: input.tx.nonce,
        chain_id: Some(input.chain_id),
        ..TxEnv::default()
    };
    let ctx: Ctx = Ctx::new(BracketedDb(db), spec)
        .modify_cfg_chained(|cfg| {
            cfg.set_spec_and_mainnet_gas_params(spec);
            cfg.chain_id = input.chain_id;
        })
        .with_block(block);
    let mut evm = Evm {
        ctx,
        inspector: (),
        instruction: EthInstructions::new_mainnet_with_spec(spec),
        precompiles: BracketedPrecompiles::new(spec),
        frame_stack: FrameStack::<EthFrame>::new_prealloc(8),
    };

    mark(PHASE);
    let result = evm.transact(tx);
    mark(PHASE);

    let result = match result {
        Ok(r) => r.result,
        Err(EVMError::Transaction(_)) => return STATUS_REJECTED,
        Err(_) => return bench_kernels::protocol::STATUS_TRAP,
    };
    let (status, output) = match &result {
        ExecutionResult::Success { output: Output::Call(data), .. } => (0, data.clone()),
        ExecutionResult::Success { output: Output::Create(data, _), .. } => (0, data.clone()),
        ExecutionResult::Revert { output, .. } => (1, output.clone()),
        ExecutionResult::Halt { .. } => (2, Default::default()),
    };
    uart::write_word(status);
    uart::write_u64(result.tx_gas_used());
    for chunk in keccak256(&output).chunks(4) {
        uart::write_word(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
    }
    STATUS_OK
}
