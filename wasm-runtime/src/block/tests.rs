//! [`crate::exec::apply_block`] on both engines: the EIP-4788 system call through the code at
//! the beacon-roots address, the transactions, the EIP-4895 withdrawals and the
//! commitments.
//!
//! Expected roots come from the Python execution specification's t8n
//! (`ethereum-execution` 2.20, `python3 -m ethereum_spec_tools.evm_tools t8n --state.fork
//! Cancun`) on the same pre-state, environment and transactions.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use alloy_consensus::proofs::calculate_withdrawals_root;
use alloy_eips::eip4895::Withdrawal;

use super::rules::{BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE, HISTORY_BUFFER_LENGTH, SYSTEM_ADDRESS};
use super::{roots, AppliedBlock, Block, BlockError, BlockStep, BlockTx};
use crate::engine::EngineKind;
use crate::env::{BlockEnv, TxEnv};
use crate::exec::{apply_block, ArtifactCache};
use crate::platform::{AccountInfo, MemoryDb};
use crate::primitives::{Address, Bytes, B256, U256};

/// The sender (secret key 0x45a9…f2d8 in the reference run).
const SENDER: Address = alloy_primitives::address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
const COINBASE: Address = alloy_primitives::address!("c014ba5ec014ba5ec014ba5ec014ba5ec014ba5e");
const TIMESTAMP: u64 = 0x6600_0000;

fn b256(s: &str) -> B256 {
    s.parse().unwrap()
}

fn hex(s: &str) -> Bytes {
    Bytes::from(alloy_primitives::hex::decode(s).unwrap())
}

fn env(gas_limit: u64) -> BlockEnv {
    BlockEnv {
        number: 0x10,
        timestamp: TIMESTAMP,
        coinbase: COINBASE,
        gas_limit,
        base_fee: U256::from(7),
        prev_randao: B256::from(U256::from(0xabcdef)),
        chain_id: 1,
        // The Python specification's t8n ran these blocks under Cancun.
        fork: crate::fork::Fork::Cancun,
        ..BlockEnv::default()
    }
}

fn account(balance: u64, nonce: u64, code: &[u8]) -> AccountInfo {
    let mut info = AccountInfo::with_balance(U256::from(balance), nonce);
    info.set_code(Bytes::copy_from_slice(code));
    info
}

/// The pre-state: the sender with 100 ether, and `accounts`.
fn pre(accounts: Vec<(Address, AccountInfo, BTreeMap<U256, U256>)>) -> MemoryDb {
    let mut db = MemoryDb::default();
    let ether = U256::from(10u64).pow(U256::from(18));
    db.insert(SENDER, AccountInfo::with_balance(U256::from(100u64) * ether, 0), BTreeMap::new());
    for (address, info, storage) in accounts {
        db.insert(address, info, storage);
    }
    db
}

/// An EIP-1559 transaction from [`SENDER`] with max fee 10 and tip 1.
fn tx(to: Address, value: u64, data: Bytes, gas_limit: u64) -> TxEnv {
    TxEnv {
        tx_type: 2,
        caller: SENDER,
        gas_limit,
        max_fee_per_gas: U256::from(10),
        max_priority_fee_per_gas: U256::from(1),
        to: Some(to),
        value: U256::from(value),
        data,
        ..TxEnv::default()
    }
}

fn block(gas_limit: u64, root: Option<B256>, txs: Vec<BlockTx>, withdrawals: Vec<Withdrawal>) -> Block {
    Block { env: env(gas_limit), parent_beacon_block_root: root, transactions: txs, withdrawals, ..Block::default() }
}

fn apply(state: &mut MemoryDb, block: &Block, engine: EngineKind) -> AppliedBlock {
    apply_block(state, block, engine, &mut ArtifactCache::default()).expect("the block applies")
}

fn slot(db: &MemoryDb, address: Address, key: u64) -> U256 {
    db.accounts[&address].storage.get(&U256::from(key)).copied().unwrap_or_default()
}

/// 3.7 million gas: the limit of the reference runs.
const GAS_LIMIT: u64 = 0x1c9_c380;

fn withdrawal(index: u64, validator_index: u64, address: Address, amount: u64) -> Withdrawal {
    Withdrawal { index, validator_index, address, amount }
}

/// `0x00…c0ffee0n`.
fn coffee(n: u8) -> Address {
    let mut address = alloy_primitives::address!("00000000000000000000000000000000c0ffee00");
    address.0[19] = n;
    address
}

/// Withdrawals to an existing account, to a new one, zero to two absent accounts, and the
/// largest amount, with the largest indices.
fn withdrawals() -> Vec<Withdrawal> {
    let at = coffee;
    vec![
        withdrawal(0, 5, at(1), 1_000_000_000),
        withdrawal(1, 6, at(2), 1),
        withdrawal(2, 7, at(3), 0),
        withdrawal(3, 8, at(4), 0),
        withdrawal(u64::MAX, u64::MAX, at(1), u64::MAX),
    ]
}

/// The canonical beacon-roots contract stores the timestamp and the root in its ring
/// buffer before the transactions, a transaction reads the root back through its `get`
/// path, the withdrawals are credited in Gwei × 10^9, and every commitment is the
/// specification's.
fn beacon_root_withdrawals_and_commitments(engine: EngineKind) {
    let root = B256::repeat_byte(0xab);
    let existing = coffee(1);
    let mut state = pre(vec![
        (existing, account(42, 0, &[]), BTreeMap::new()),
        (BEACON_ROOTS_ADDRESS, account(0, 1, BEACON_ROOTS_CODE), BTreeMap::new()),
    ]);
    let read = tx(BEACON_ROOTS_ADDRESS, 0, Bytes::copy_from_slice(&U256::from(TIMESTAMP).to_be_bytes::<32>()), 100_000);
    // The transaction as the reference signed it (its EIP-2718 encoding, for the root).
    let encoded = hex(
        "02f8830180010a830186a094000f3df6d732807ef1319fb7b8bb8522d0beac0280a00000000000000000000000000000000000000000000000000000000066000000c001a0db70e487e3446d950f20053b6eedd6e8740d0d5680cc42ec2ae61d4e1700b113a05b6ef669019b48accf61eb7db2dcf8e0edad8700e7fa390fad6d53efb3ff3f5a",
    );
    let block = block(GAS_LIMIT, Some(root), vec![BlockTx::encoded(read, encoded)], withdrawals());
    let applied = apply(&mut state, &block, engine);
    let (out, c) = (&applied.output, &applied.commitments);

    // The ring buffer, written by the contract's code.
    let index = TIMESTAMP % HISTORY_BUFFER_LENGTH;
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, index), U256::from(TIMESTAMP));
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, index + HISTORY_BUFFER_LENGTH), U256::from_be_bytes(root.0));
    assert_eq!(state.accounts[&BEACON_ROOTS_ADDRESS].storage.len(), 2);
    assert_eq!(out.system_calls.len(), 1);
    let call = &out.system_calls[0];
    assert!(call.success && call.target == BEACON_ROOTS_ADDRESS, "{call:?}");
    assert!(call.gas_used > 20_000, "two new slots: {call:?}");
    // The transaction reads the root back.
    assert!(out.receipts[0].success);
    assert_eq!(out.receipts[0].output.as_ref(), root.as_slice());
    assert_eq!(out.gas_used, 0x6374, "the system call's gas is not the block's");
    assert_eq!(out.gas_used, out.receipts[0].gas_used);

    // Withdrawals: Gwei × 10^9; zero to an absent account leaves no trace.
    let gwei = U256::from(1_000_000_000u64);
    let expected = U256::from(42) + U256::from(1_000_000_000u64) * gwei + U256::from(u64::MAX) * gwei;
    assert_eq!(state.accounts[&existing].info.balance, expected);
    assert_eq!(state.accounts[&coffee(2)].info.balance, gwei);
    for n in [3, 4] {
        assert!(!state.accounts.contains_key(&coffee(n)));
    }
    assert!(!state.accounts.contains_key(&SYSTEM_ADDRESS), "the system address is not created");

    // The commitments, as the specification computes them.
    assert_eq!(c.state_root, b256("0xbf9ea72e6c6e2463d6d3ff008d88283b7cf1094f7df64cae91bfd2b39c2041f8"));
    assert_eq!(c.state_root, roots::state_root(&state));
    assert_eq!(c.transactions_root, b256("0xc27de0fba5b23bef132e7363debc95953566b1f35adbaec978621f87e9dc6ce8"));
    assert_eq!(c.receipts_root, b256("0xa8255aa046563bea817f7eb5dcfe1de6e67fd7e301e14c637b807c384b7748c0"));
    assert_eq!(c.withdrawals_root, b256("0x16e277708bfc45515344788bec69161ef583795d6d206fc0c418f3f74315fff4"));
    assert_eq!(c.withdrawals_root, calculate_withdrawals_root(&block.withdrawals));
    assert_eq!(c.logs_hash, b256("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"));
    assert_eq!(c.blob_gas_used, 0);
}

/// Code at the beacon-roots address other than the contract EIP-4788 deploys runs as it is:
/// it stores CALLER, ORIGIN, the root, GASPRICE and TIMESTAMP, logs, and sends 5 wei to a
/// new account; all of it is kept but the log, which no receipt holds.
fn other_code_at_the_address_runs_and_its_effects_are_kept(engine: EngineKind) {
    // CALLER PUSH0 SSTORE  ORIGIN 1 SSTORE  PUSH0 CALLDATALOAD 2 SSTORE  GASPRICE 3 SSTORE
    // TIMESTAMP 4 SSTORE  PUSH0 PUSH0 LOG0  CALL(GAS, 0x…bee05, 5, 0, 0, 0, 0) POP STOP
    let code = hex(
        "335f55326001555f356002553a600355426004555f5fa05f5f5f5f60057300000000000000000000000000000000000bee055af15000",
    );
    let paid = alloy_primitives::address!("00000000000000000000000000000000000bee05");
    let to = alloy_primitives::address!("00000000000000000000000000000000000bee06");
    let mut state = pre(vec![(BEACON_ROOTS_ADDRESS, account(100, 1, &code), BTreeMap::new())]);
    let root = B256::with_last_byte(0xaa);
    let block = block(GAS_LIMIT, Some(root), vec![BlockTx::unencoded(tx(to, 3, Bytes::new(), 21_000))], vec![]);
    let applied = apply(&mut state, &block, engine);
    let out = &applied.output;

    let system = U256::from_be_slice(SYSTEM_ADDRESS.as_slice());
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, 0), system, "CALLER");
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, 1), system, "ORIGIN");
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, 2), U256::from(0xaa), "the root");
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, 3), U256::from(7), "GASPRICE is the base fee");
    assert_eq!(slot(&state, BEACON_ROOTS_ADDRESS, 4), U256::from(TIMESTAMP));
    assert_eq!(state.accounts[&BEACON_ROOTS_ADDRESS].info.balance, U256::from(95));
    assert_eq!(state.accounts[&paid].info.balance, U256::from(5));
    assert!(out.system_calls[0].success, "{:?}", out.system_calls);
    assert!(!state.accounts.contains_key(&SYSTEM_ADDRESS));
    assert_eq!(out.gas_used, 21_000);
    assert_eq!(applied.commitments.logs_hash, roots::logs_hash(&[]), "the system call's log is in no receipt");
    assert_eq!(
        applied.commitments.state_root,
        b256("0x1e6dc2844e2db2a64110bada22aa6bbbd0f9a808a9c0a674630e5baef2400ea2")
    );
    assert_eq!(
        applied.commitments.receipts_root,
        b256("0xf78dfb743fbd92ade140711c8bbc542b5e307f0ab7984eff35d751969fe57efa")
    );
}

/// A system call that reverts is ignored (Cancun) and its changes undone; the system
/// address keeps its balance and nonce.
fn reverting_system_call_is_undone(engine: EngineKind) {
    // CALLER PUSH0 SSTORE PUSH0 PUSH0 REVERT
    let code = hex("335f555f5ffd");
    let storage = BTreeMap::from([(U256::from(1), U256::from(2))]);
    let to = alloy_primitives::address!("00000000000000000000000000000000000bee06");
    let mut state = pre(vec![
        (SYSTEM_ADDRESS, account(1, 0, &[]), BTreeMap::new()),
        (BEACON_ROOTS_ADDRESS, account(100, 1, &code), storage.clone()),
    ]);
    let block = block(
        GAS_LIMIT,
        Some(B256::with_last_byte(0xaa)),
        vec![BlockTx::unencoded(tx(to, 3, Bytes::new(), 21_000))],
        vec![],
    );
    let applied = apply(&mut state, &block, engine);
    let call = &applied.output.system_calls[0];
    assert!(!call.success && call.gas_used < 30_000_000, "a revert returns its gas: {call:?}");
    assert_eq!(state.accounts[&BEACON_ROOTS_ADDRESS].storage, storage);
    assert_eq!(state.accounts[&SYSTEM_ADDRESS].info, account(1, 0, &[]));
    assert_eq!(applied.output.gas_used, 21_000);
    assert_eq!(
        applied.commitments.state_root,
        b256("0x2e9cd4d353ab87f932864829c05cd4ab278de44971543c5b9efda02775fe886d")
    );
}

/// Without code at the address there is no call: an absent address stays absent, an
/// account with a balance and no code is left as it was, and the state is the one of the
/// same block without a beacon root.
fn no_code_no_call(engine: EngineKind) {
    let to = Address::repeat_byte(0x77);
    let transfer = || vec![BlockTx::unencoded(tx(to, 3, Bytes::new(), 21_000))];
    for beacon in [None, Some(account(9, 0, &[]))] {
        let accounts: Vec<_> =
            beacon.iter().map(|info| (BEACON_ROOTS_ADDRESS, info.clone(), BTreeMap::new())).collect();
        let mut with_root = pre(accounts.clone());
        let mut without = pre(accounts);
        let applied = apply(&mut with_root, &block(GAS_LIMIT, Some(B256::repeat_byte(1)), transfer(), vec![]), engine);
        let plain = apply(&mut without, &block(GAS_LIMIT, None, transfer(), vec![]), engine);
        assert!(applied.output.system_calls.is_empty(), "{:?}", applied.output.system_calls);
        assert_eq!(applied.output.stats.frames, plain.output.stats.frames);
        assert_eq!(applied.output.diff, plain.output.diff);
        assert_eq!(applied.commitments, plain.commitments);
        assert_eq!(with_root.accounts.get(&BEACON_ROOTS_ADDRESS).map(|a| a.info.clone()), beacon);
        assert!(!with_root.accounts.contains_key(&SYSTEM_ADDRESS));
    }
}

/// The system call's 30,000,000 gas is not taken from the block: a block whose gas limit
/// is exactly one transfer still holds it after the call. The system address, here an
/// empty account, is not touched.
fn system_call_gas_is_not_the_blocks(engine: EngineKind) {
    let mut state = pre(vec![
        (BEACON_ROOTS_ADDRESS, account(0, 1, BEACON_ROOTS_CODE), BTreeMap::new()),
        // Empty: touching it would remove it (EIP-161); the system call does not touch it.
        (SYSTEM_ADDRESS, AccountInfo::default(), BTreeMap::new()),
    ]);
    let txs = vec![BlockTx::unencoded(tx(Address::repeat_byte(0x77), 1, Bytes::new(), 21_000))];
    let applied = apply(&mut state, &block(21_000, Some(B256::repeat_byte(3)), txs, vec![]), engine);
    let out = &applied.output;
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    assert_eq!(out.gas_used, 21_000);
    assert_eq!(out.included, vec![0]);
    assert!(out.system_calls[0].success && out.system_calls[0].gas_used > 0);
    assert_eq!(state.accounts.get(&SYSTEM_ADDRESS).map(|a| &a.info), Some(&AccountInfo::default()));
}

/// A withdrawal that would take a balance past 2^256 − 1 wei fails the block, naming the
/// withdrawal; the state is left as it was.
fn withdrawal_past_2_256_fails_the_block(engine: EngineKind) {
    let full = Address::repeat_byte(0xff);
    let mut state = pre(vec![(full, AccountInfo::with_balance(U256::MAX, 0), BTreeMap::new())]);
    let before = state.clone();
    let ws = vec![withdrawal(0, 0, Address::repeat_byte(1), 1), withdrawal(1, 0, full, 1)];
    let error = apply_block(&mut state, &block(GAS_LIMIT, None, vec![], ws), engine, &mut ArtifactCache::default())
        .expect_err("the block overflows");
    assert_eq!(error, BlockError::BalanceOverflow { step: BlockStep::Withdrawal(1), address: full });
    assert_eq!(
        alloc::format!("{error}"),
        alloc::format!("withdrawal 1: the balance of {full} would exceed 2^256 - 1 wei")
    );
    assert_eq!(state, before);
}

/// A zero withdrawal to an account that exists empty removes it (EIP-161), as zkos did
/// before the block rules moved into the system layer.
fn zero_withdrawal_removes_an_empty_account(engine: EngineKind) {
    let empty = Address::repeat_byte(0x55);
    let mut state = pre(vec![(empty, AccountInfo::default(), BTreeMap::new())]);
    let applied = apply(&mut state, &block(GAS_LIMIT, None, vec![], vec![withdrawal(0, 0, empty, 0)]), engine);
    assert!(!state.accounts.contains_key(&empty));
    assert_eq!(applied.output.diff.accounts.get(&empty), Some(&None));
}

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use crate::engine::EngineKind;

                #[test]
                fn wasmi() {
                    super::$name(EngineKind::Wasmi)
                }

                #[test]
                fn rv() {
                    super::$name(EngineKind::Rv)
                }
            }
        )*
    };
}

on_both_engines!(
    beacon_root_withdrawals_and_commitments,
    other_code_at_the_address_runs_and_its_effects_are_kept,
    reverting_system_call_is_undone,
    no_code_no_call,
    system_call_gas_is_not_the_blocks,
    withdrawal_past_2_256_fails_the_block,
    zero_withdrawal_removes_an_empty_account,
);
