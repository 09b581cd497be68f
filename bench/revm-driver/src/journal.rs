//! revm's journal with every state operation bracketed as host work: what zkos's host
//! functions do natively (storage and transient storage, accounts, balances and transfers,
//! code, logs, self-destruct, call checkpoints, the transaction's commit and final state).
//! Plain getters (the depth, the spec, the precompile set) are not bracketed.

use alloc::vec::Vec;

use revm::bytecode::Bytecode;
use revm::context::Journal;
use revm::context_interface::context::{SStoreResult, SelfDestructResult};
use revm::context_interface::journaled_state::{
    AccountInfoLoad, AccountLoad, JournalCheckpoint, JournalLoadError, StateLoad, TransferError,
};
use revm::context_interface::JournalTr;
use revm::database_interface::Database;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, AddressMap, AddressSet, HashSet, Log, StorageKey, StorageValue, B256, U256};
use revm::state::{Account, EvmState};

use crate::host;

/// [`Journal`] with its state operations between the host markers.
#[derive(Debug)]
pub struct Bracketed<DB: Database>(Journal<DB>);

type DbError<DB> = <DB as Database>::Error;

impl<DB: Database> JournalTr for Bracketed<DB> {
    type Database = DB;
    type State = EvmState;
    type JournaledAccount<'a>
        = <Journal<DB> as JournalTr>::JournaledAccount<'a>
    where
        DB: 'a;

    fn new(database: DB) -> Self {
        Bracketed(Journal::new(database))
    }

    fn db_and_state(&self) -> (&DB, &EvmState) {
        self.0.db_and_state()
    }

    fn db_and_state_mut(&mut self) -> (&mut DB, &mut EvmState) {
        self.0.db_and_state_mut()
    }

    fn sload(&mut self, address: Address, key: StorageKey) -> Result<StateLoad<StorageValue>, DbError<DB>> {
        host(|| self.0.sload(address, key))
    }

    fn sload_skip_cold_load(
        &mut self,
        address: Address,
        key: StorageKey,
        skip_cold_load: bool,
    ) -> Result<StateLoad<StorageValue>, JournalLoadError<DbError<DB>>> {
        host(|| self.0.sload_skip_cold_load(address, key, skip_cold_load))
    }

    fn sstore(
        &mut self,
        address: Address,
        key: StorageKey,
        value: StorageValue,
    ) -> Result<StateLoad<SStoreResult>, DbError<DB>> {
        host(|| self.0.sstore(address, key, value))
    }

    fn sstore_skip_cold_load(
        &mut self,
        address: Address,
        key: StorageKey,
        value: StorageValue,
        skip_cold_load: bool,
    ) -> Result<StateLoad<SStoreResult>, JournalLoadError<DbError<DB>>> {
        host(|| self.0.sstore_skip_cold_load(address, key, value, skip_cold_load))
    }

    fn tload(&mut self, address: Address, key: StorageKey) -> StorageValue {
        host(|| self.0.tload(address, key))
    }

    fn tstore(&mut self, address: Address, key: StorageKey, value: StorageValue) {
        host(|| self.0.tstore(address, key, value))
    }

    fn log(&mut self, log: Log) {
        host(|| self.0.log(log))
    }

    fn take_logs(&mut self) -> Vec<Log> {
        host(|| self.0.take_logs())
    }

    fn logs(&self) -> &[Log] {
        self.0.logs()
    }

    fn selfdestruct(
        &mut self,
        address: Address,
        target: Address,
        skip_cold_load: bool,
    ) -> Result<StateLoad<SelfDestructResult>, JournalLoadError<DbError<DB>>> {
        host(|| self.0.selfdestruct(address, target, skip_cold_load))
    }

    fn warm_access_list(&mut self, access_list: AddressMap<HashSet<StorageKey>>) {
        host(|| self.0.warm_access_list(access_list))
    }

    fn warm_coinbase_account(&mut self, address: Address) {
        host(|| self.0.warm_coinbase_account(address))
    }

    fn warm_precompiles(&mut self, addresses: &AddressSet) {
        host(|| self.0.warm_precompiles(addresses))
    }

    fn precompile_addresses(&self) -> &AddressSet {
        self.0.precompile_addresses()
    }

    fn set_spec_id(&mut self, spec_id: SpecId) {
        self.0.set_spec_id(spec_id)
    }

    fn set_eip7708_config(&mut self, disabled: bool, eip8246_delayed_clear_disabled: bool) {
        self.0.set_eip7708_config(disabled, eip8246_delayed_clear_disabled)
    }

    fn touch_account(&mut self, address: Address) {
        host(|| self.0.touch_account(address))
    }

    fn transfer(&mut self, from: Address, to: Address, balance: U256) -> Result<Option<TransferError>, DbError<DB>> {
        host(|| self.0.transfer(from, to, balance))
    }

    fn transfer_loaded(&mut self, from: Address, to: Address, balance: U256) -> Option<TransferError> {
        host(|| self.0.transfer_loaded(from, to, balance))
    }

    #[allow(deprecated)]
    fn caller_accounting_journal_entry(&mut self, address: Address, old_balance: U256, bump_nonce: bool) {
        host(|| self.0.caller_accounting_journal_entry(address, old_balance, bump_nonce))
    }

    fn balance_incr(&mut self, address: Address, balance: U256) -> Result<(), DbError<DB>> {
        host(|| self.0.balance_incr(address, balance))
    }

    #[allow(deprecated)]
    fn nonce_bump_journal_entry(&mut self, address: Address) {
        host(|| self.0.nonce_bump_journal_entry(address))
    }

    fn load_account(&mut self, address: Address) -> Result<StateLoad<&Account>, DbError<DB>> {
        let inner = &mut self.0;
        host(move || inner.load_account(address))
    }

    fn load_account_with_code(&mut self, address: Address) -> Result<StateLoad<&Account>, DbError<DB>> {
        let inner = &mut self.0;
        host(move || inner.load_account_with_code(address))
    }

    fn load_account_delegated(&mut self, address: Address) -> Result<StateLoad<AccountLoad>, DbError<DB>> {
        host(|| self.0.load_account_delegated(address))
    }

    fn load_account_mut_skip_cold_load(
        &mut self,
        address: Address,
        skip_cold_load: bool,
    ) -> Result<StateLoad<Self::JournaledAccount<'_>>, JournalLoadError<DbError<DB>>> {
        let inner = &mut self.0;
        host(move || inner.load_account_mut_skip_cold_load(address, skip_cold_load))
    }

    fn load_account_mut_optional_code(
        &mut self,
        address: Address,
        load_code: bool,
    ) -> Result<StateLoad<Self::JournaledAccount<'_>>, DbError<DB>> {
        let inner = &mut self.0;
        host(move || inner.load_account_mut_optional_code(address, load_code))
    }

    fn set_code_with_hash(&mut self, address: Address, code: Bytecode, hash: B256) {
        host(|| self.0.set_code_with_hash(address, code, hash))
    }

    fn checkpoint(&mut self) -> JournalCheckpoint {
        host(|| self.0.checkpoint())
    }

    fn checkpoint_commit(&mut self) {
        host(|| self.0.checkpoint_commit())
    }

    fn checkpoint_revert(&mut self, checkpoint: JournalCheckpoint) {
        host(|| self.0.checkpoint_revert(checkpoint))
    }

    fn create_account_checkpoint(
        &mut self,
        caller: Address,
        address: Address,
        balance: U256,
        spec_id: SpecId,
    ) -> Result<JournalCheckpoint, TransferError> {
        host(|| self.0.create_account_checkpoint(caller, address, balance, spec_id))
    }

    fn depth(&self) -> usize {
        self.0.depth()
    }

    fn commit_tx(&mut self) {
        host(|| self.0.commit_tx())
    }

    fn discard_tx(&mut self) {
        host(|| self.0.discard_tx())
    }

    fn finalize(&mut self) -> EvmState {
        host(|| self.0.finalize())
    }

    fn load_account_info_skip_cold_load(
        &mut self,
        address: Address,
        load_code: bool,
        skip_cold_load: bool,
    ) -> Result<AccountInfoLoad<'_>, JournalLoadError<DbError<DB>>> {
        let inner = &mut self.0;
        host(move || inner.load_account_info_skip_cold_load(address, load_code, skip_cold_load))
    }
}
