//! The in-process chain: one state, every transaction run on both engines and compared.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use wasm_runtime::block::BlockOutput;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::exec::ArtifactCache;
use wasm_runtime::platform::{AccountInfo, MemoryDb};

use crate::outcome::Outcome;

/// The first funded account, the default sender (and deployer).
pub const ALICE: Address = Address::repeat_byte(0xA1);
/// A second funded account.
pub const BOB: Address = Address::repeat_byte(0xB0);
/// A third funded account.
pub const CAROL: Address = Address::repeat_byte(0xCA);
/// The blocks' fee recipient.
pub const COINBASE: Address = Address::repeat_byte(0xC0);

/// What each funded account starts with: 1000 ether.
pub fn initial_balance() -> U256 {
    U256::from(1000u64) * U256::from(10u64).pow(U256::from(18u64))
}

/// A chain in memory, Foundry's `vm` for zkos contracts.
///
/// Every transaction runs in a block of its own on the reference engine (wasmi) and on
/// the provable one (the RV64IM machine) from the same state; the two must agree exactly
/// (status, gas, output, logs, created address, failure, state diff), or the test panics
/// naming the difference. Gas costs nothing (base fee and gas price 0), so balances move
/// only by the value sent. `Vm` is `Clone`: deploy once, clone per property-test case.
#[derive(Clone)]
pub struct Vm {
    db: MemoryDb,
    block: BlockEnv,
    sender: Address,
    prank: Option<Address>,
    /// The gas limit of each transaction (default 10,000,000).
    pub gas_limit: u64,
    txs: u64,
    wasmi: ArtifactCache,
    rv: ArtifactCache,
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm").field("block", &self.block.number).field("sender", &self.sender).finish_non_exhaustive()
    }
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A chain with [`ALICE`], [`BOB`] and [`CAROL`] funded, at block 1, timestamp
    /// 1,700,000,000, sending from ALICE.
    pub fn new() -> Self {
        let mut db = MemoryDb::default();
        for who in [ALICE, BOB, CAROL] {
            db.insert(who, AccountInfo::with_balance(initial_balance(), 0), BTreeMap::new());
        }
        let block = BlockEnv {
            number: 1,
            timestamp: 1_700_000_000,
            coinbase: COINBASE,
            gas_limit: 30_000_000,
            base_fee: U256::ZERO,
            chain_id: 31337,
            ..BlockEnv::default()
        };
        Vm {
            db,
            block,
            sender: ALICE,
            prank: None,
            gas_limit: 10_000_000,
            txs: 0,
            wasmi: ArtifactCache::default(),
            rv: ArtifactCache::default(),
        }
    }

    /// Sends every later transaction from `who`.
    pub fn set_sender(&mut self, who: Address) {
        self.sender = who;
    }

    /// Sends the next transaction (only) from `who` (Foundry's `vm.prank`).
    pub fn prank(&mut self, who: Address) -> &mut Self {
        self.prank = Some(who);
        self
    }

    /// Sets the balance of `who` (Foundry's `vm.deal`).
    pub fn deal(&mut self, who: Address, wei: U256) {
        let account = self.db.accounts.entry(who).or_default();
        account.info.balance = wei;
    }

    /// Sets the timestamp of the next block (Foundry's `vm.warp`); later blocks add 12 s.
    pub fn warp(&mut self, timestamp: u64) {
        self.block.timestamp = timestamp;
    }

    /// Sets the number of the next block (Foundry's `vm.roll`).
    pub fn roll(&mut self, number: u64) {
        self.block.number = number;
    }

    /// The next block's number and timestamp.
    pub fn block(&self) -> (u64, u64) {
        (self.block.number, self.block.timestamp)
    }

    /// A storage word of `address` (zero if unset).
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.db.accounts.get(&address).and_then(|a| a.storage.get(&slot).copied()).unwrap_or_default()
    }

    /// The balance of `address` in wei.
    pub fn balance(&self, address: Address) -> U256 {
        self.db.accounts.get(&address).map(|a| a.info.balance).unwrap_or_default()
    }

    /// The nonce of `address`.
    pub fn nonce(&self, address: Address) -> u64 {
        self.db.accounts.get(&address).map_or(0, |a| a.info.nonce)
    }

    /// The state (every account, its storage and code).
    pub fn state(&self) -> &MemoryDb {
        &self.db
    }

    /// Deploys a WASM module (wrapped in an envelope without constants) with ABI-encoded
    /// constructor arguments and `value` wei.
    pub fn try_deploy(&mut self, wasm: &[u8], args: &[u8], value: U256) -> Outcome {
        let mut init = zkos_tests::envelope(wasm, &[]);
        init.extend_from_slice(args);
        self.transact(None, init, value)
    }

    /// Deploys and returns the address; panics (naming why) if the deployment fails.
    pub fn deploy(&mut self, wasm: &[u8], args: &[u8]) -> Address {
        let out = self.try_deploy(wasm, args, U256::ZERO);
        out.created.unwrap_or_else(|| panic!("deployment failed: {}", out.why()))
    }

    /// Deploys EVM init code (a Solidity contract compiled by solc) with encoded arguments.
    pub fn deploy_evm(&mut self, init: &[u8], args: &[u8]) -> Address {
        let mut data = init.to_vec();
        data.extend_from_slice(args);
        let out = self.transact(None, data, U256::ZERO);
        out.created.unwrap_or_else(|| panic!("deployment failed: {}", out.why()))
    }

    /// Sends a typed call with `value` wei.
    pub fn send<C: SolCall>(&mut self, to: Address, call: &C, value: U256) -> Outcome {
        self.transact(Some(to), call.abi_encode(), value)
    }

    /// Sends raw calldata with `value` wei.
    pub fn send_raw(&mut self, to: Address, data: &[u8], value: U256) -> Outcome {
        self.transact(Some(to), data.to_vec(), value)
    }

    /// Sends a typed call without value and returns its decoded result; panics with the
    /// decoded revert reason if it fails.
    pub fn call<C: SolCall>(&mut self, to: Address, call: &C) -> C::Return {
        self.send(to, call, U256::ZERO).returns::<C>()
    }

    /// Runs one transaction in a block of its own on both engines and applies it.
    fn transact(&mut self, to: Option<Address>, data: Vec<u8>, value: U256) -> Outcome {
        let from = self.prank.take().unwrap_or(self.sender);
        self.txs += 1;
        let tx = TxEnv {
            tx_type: 2,
            caller: from,
            nonce: self.nonce(from),
            gas_limit: self.gas_limit,
            max_fee_per_gas: U256::ZERO,
            max_priority_fee_per_gas: U256::ZERO,
            to,
            value,
            data: Bytes::from(data),
            hash: B256::left_padding_from(&self.txs.to_be_bytes()),
            ..TxEnv::default()
        };
        let run = |engine, cache: &mut ArtifactCache| -> BlockOutput {
            let txs = vec![Ok(tx.clone())];
            wasm_runtime::exec::execute_block_in(&mut self.db.clone(), &self.block, txs, engine, cache)
        };
        let reference = run(EngineKind::Wasmi, &mut self.wasmi);
        let provable = run(EngineKind::Rv, &mut self.rv);
        zkos_tests::assert_same_block(&reference, &provable);
        if let Some(e) = &reference.error {
            panic!("the block failed: {e}");
        }
        if let Some(r) = reference.rejected.first() {
            panic!("transaction rejected: {r:?}");
        }
        self.db.apply(&reference.diff);
        self.block.number += 1;
        self.block.timestamp += 12;
        let receipt = reference.receipts.into_iter().next().expect("a block of one transaction has one receipt");
        Outcome::from_receipt(receipt)
    }
}
