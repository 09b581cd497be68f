//! The reference: the block executed by revm (Osaka, chain id 1), transaction by
//! transaction, each committed before the next, with the block rules revm leaves to its
//! caller (the block's remaining gas, EIP-161 removal of touched empty accounts, the
//! EIP-4788 beacon-root system call, EIP-4895 withdrawals).

use std::convert::Infallible;

use revm::bytecode::Bytecode;
use revm::context::result::{EVMError, ExecResultAndState, ExecutionResult, Output};
use revm::context::{BlockEnv, Context, TxEnv};
use revm::context_interface::transaction::{AccessList, AccessListItem};
use revm::database::{AccountState, CacheDB};
use revm::database_interface::DatabaseRef;
use revm::handler::MainnetContext;
use revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{address, Address, Bytes, TxKind, B256, KECCAK_EMPTY, U256};
use revm::state::AccountInfo;
use revm::{DatabaseCommit, ExecuteEvm, MainBuilder, MainContext, SystemCallCommitEvm};

use super::block::{Block, Env, Fork, Tx};
use super::{Outcome, PostAccount, PostState};

/// The EIP-4788 beacon-roots contract.
const BEACON_ROOTS: Address = address!("000F3df6D732807Ef1319fB7B8bB8522d0Beac02");

/// What lies under the pre-state: nothing, and unknown block hashes read as zero (as zkos
/// serves them) rather than revm's test placeholder.
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

/// Runs `block` on revm: the outcome of each transaction and the state after the block.
pub fn execute(name: &str, block: &Block) -> (Vec<Outcome>, PostState) {
    let mut db = CacheDB::new(Nothing);
    for (address, account) in &block.pre {
        let code = Bytecode::new_raw(account.code.clone());
        let info = AccountInfo::new(account.balance, account.nonce, code.hash_slow(), code);
        db.insert_account_info(*address, info);
        for (slot, value) in &account.storage {
            db.insert_account_storage(*address, *slot, *value).unwrap();
        }
    }
    for (number, hash) in &block.env.block_hashes {
        db.cache.block_hashes.insert(U256::from(*number), *hash);
    }

    if let Some(root) = block.env.parent_beacon_block_root {
        let has_code = block.pre.get(&BEACON_ROOTS).is_some_and(|a| !a.code.is_empty());
        if has_code {
            let mut evm = evm(&block.env, block.fork(), &mut db);
            evm.system_call_commit(BEACON_ROOTS, Bytes::copy_from_slice(root.as_slice()))
                .unwrap_or_else(|e| panic!("{name}: revm: the EIP-4788 system call: {e}"));
        }
    }

    let mut outcomes = Vec::new();
    let mut block_gas = 0u64;
    for (index, tx) in block.txs.iter().enumerate() {
        let available = block.env.gas_limit - block_gas;
        if tx.gas_limit > available {
            outcomes
                .push(Outcome::rejected(format!("tx gas {} above the block's remaining {available}", tx.gas_limit)));
            continue;
        }
        let result = evm(&block.env, block.fork(), &mut db).transact(tx_env(tx));
        let ExecResultAndState { result, state } = match result {
            Ok(r) => r,
            Err(EVMError::Transaction(e)) => {
                outcomes.push(Outcome::rejected(e.to_string()));
                continue;
            }
            Err(e) => panic!("{name}: revm failed on transaction {index}: {e}"),
        };
        // EIP-161: touched accounts left empty cease to exist.
        let emptied: Vec<Address> =
            state.iter().filter(|(_, a)| a.is_touched() && a.is_empty()).map(|(address, _)| *address).collect();
        db.commit(state);
        for address in emptied {
            if let Some(account) = db.cache.accounts.get_mut(&address) {
                account.account_state = AccountState::NotExisting;
                account.info = AccountInfo::default();
                account.storage.clear();
            }
        }
        block_gas += result.tx_gas_used();
        outcomes.push(outcome(tx, &result));
    }

    for (address, amount) in &block.env.withdrawals {
        let account = db.load_account(*address).unwrap();
        account.info.balance += *amount;
        if account.account_state == AccountState::NotExisting && !account.info.is_empty() {
            account.account_state = AccountState::Touched;
        }
        if account.info.is_empty() && account.storage.is_empty() {
            account.account_state = AccountState::NotExisting;
        }
    }

    let mut post = PostState::new();
    for (address, account) in &db.cache.accounts {
        if account.account_state == AccountState::NotExisting {
            continue;
        }
        let code_hash = if account.info.code_hash == B256::ZERO { KECCAK_EMPTY } else { account.info.code_hash };
        let code_size = db.cache.contracts.get(&code_hash).map_or(0, |c| c.original_byte_slice().len());
        post.insert(
            *address,
            PostAccount {
                balance: account.info.balance,
                nonce: account.info.nonce,
                code_hash,
                code_size: Some(code_size),
                storage: account.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect(),
            },
        );
    }
    (outcomes, post)
}

/// An EVM over `db` for the block `env` under `fork` ([`Block::fork`]: Osaka, the default
/// fork of `zkos run`, or Prague; chain id 1).
fn evm<'a>(
    env: &Env,
    fork: Fork,
    db: &'a mut CacheDB<Nothing>,
) -> revm::MainnetEvm<MainnetContext<&'a mut CacheDB<Nothing>>> {
    let spec = match fork {
        Fork::Prague => SpecId::PRAGUE,
        Fork::Osaka => SpecId::OSAKA,
    };
    let mut block = BlockEnv {
        number: U256::from(env.number),
        beneficiary: env.coinbase,
        timestamp: U256::from(env.timestamp),
        gas_limit: env.gas_limit,
        basefee: env.base_fee,
        difficulty: U256::ZERO,
        prevrandao: Some(env.prev_randao),
        ..BlockEnv::default()
    };
    // Osaka keeps Prague's blob parameters (EIP-7691).
    block.set_blob_excess_gas_and_price(env.excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE);
    Context::mainnet()
        .modify_cfg_chained(|cfg| {
            cfg.set_spec_and_mainnet_gas_params(spec);
            cfg.chain_id = 1;
        })
        .with_block(block)
        .with_db(db)
        .build_mainnet()
}

fn tx_env(tx: &Tx) -> TxEnv {
    let access_list = tx
        .access_list
        .iter()
        .map(|(address, keys)| AccessListItem { address: *address, storage_keys: keys.clone() })
        .collect();
    TxEnv {
        tx_type: tx.tx_type,
        caller: tx.sender,
        gas_limit: tx.gas_limit,
        gas_price: tx.max_fee,
        kind: tx.to.map_or(TxKind::Create, TxKind::Call),
        value: tx.value,
        data: tx.data.clone(),
        nonce: tx.nonce,
        chain_id: tx.chain_id,
        access_list: AccessList(access_list),
        gas_priority_fee: tx.priority_fee,
        blob_hashes: tx.blob_hashes.clone(),
        max_fee_per_blob_gas: tx.max_fee_per_blob_gas,
        authorization_list: Vec::new(),
    }
}

fn outcome(tx: &Tx, result: &ExecutionResult) -> Outcome {
    let logs = |logs: &[revm::primitives::Log]| {
        logs.iter().map(|l| (l.address, l.data.topics().to_vec(), l.data.data.clone())).collect::<Vec<_>>()
    };
    let gas_used = result.tx_gas_used();
    match result {
        ExecutionResult::Success { output, logs: l, .. } => {
            let (output, created) = match output {
                Output::Call(data) => (Some(data.clone()), None),
                // The return data of init code is the deployed code: it is compared as the
                // created account's code, not as output.
                Output::Create(_, address) => (None, *address),
            };
            debug_assert!(tx.to.is_none() || created.is_none());
            Outcome { status: "success", gas_used, output, logs: logs(l), created, error: None }
        }
        ExecutionResult::Revert { output, .. } => Outcome {
            status: "failure",
            gas_used,
            output: Some(output.clone()),
            logs: Vec::new(),
            created: None,
            error: Some("revert".into()),
        },
        ExecutionResult::Halt { reason, .. } => Outcome {
            status: "failure",
            gas_used,
            output: Some(Bytes::new()),
            logs: Vec::new(),
            created: None,
            error: Some(format!("{reason:?}")),
        },
    }
}
