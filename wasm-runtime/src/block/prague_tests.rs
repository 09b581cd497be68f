//! Prague's block rules in [`crate::exec::apply_block`] on both engines: EIP-2935's system
//! call with the parent hash, EIP-6110 deposits from the deposit contract's logs, the
//! EIP-7002 and EIP-7251 system calls whose output are requests and whose failure
//! invalidates the block, and EIP-7685's requests hash. The blockchain tests of
//! execution-spec-tests (`zkos blocktest`, node/tests/blocktest_cmd.rs) check the same rules
//! against the canonical contracts.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::rules::{
    deposit_request, requests_hash, BadDepositLog, CONSOLIDATION_REQUEST_ADDRESS, DEPOSIT_EVENT_SIGNATURE,
    HISTORY_STORAGE_ADDRESS, MAINNET_DEPOSIT_CONTRACT, WITHDRAWAL_REQUEST_ADDRESS,
};
use super::{Block, BlockError, BlockStep, BlockTx, Rejection};
use crate::engine::EngineKind;
use crate::env::{BlockEnv, TxEnv};
use crate::exec::{apply_block, ArtifactCache};
use crate::fork::Fork;
use crate::platform::{AccountInfo, MemoryDb};
use crate::primitives::{Address, Bytes, B256, U256};

const SENDER: Address = alloy_primitives::address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b");

/// EIP-2935's runtime code, as the execution-spec-tests fixtures deploy it.
const HISTORY_STORAGE_CODE: &[u8] = &alloy_primitives::hex!(
    "3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500"
);

/// Returns the one byte 0xaa: `PUSH1 0xaa PUSH0 MSTORE8 PUSH1 1 PUSH0 RETURN`.
const RETURNS_AA: &[u8] = &[0x60, 0xaa, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0xf3];
/// Returns nothing: `STOP`.
const STOPS: &[u8] = &[0x00];
/// `PUSH0 PUSH0 REVERT`.
const REVERTS: &[u8] = &[0x5f, 0x5f, 0xfd];

fn account(code: &[u8]) -> AccountInfo {
    let mut info = AccountInfo::with_balance(U256::ZERO, 1);
    info.set_code(Bytes::copy_from_slice(code));
    info
}

fn state(contracts: &[(Address, &[u8])]) -> MemoryDb {
    let mut db = MemoryDb::default();
    db.insert(SENDER, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(18)), 0), BTreeMap::new());
    for (address, code) in contracts {
        db.insert(*address, account(code), BTreeMap::new());
    }
    db
}

fn block(fork: Fork, txs: Vec<TxEnv>) -> Block {
    Block {
        env: BlockEnv {
            number: 0x10,
            timestamp: 0x6600_0000,
            gas_limit: 30_000_000,
            chain_id: 1,
            fork,
            ..BlockEnv::default()
        },
        parent_hash: Some(B256::repeat_byte(0x77)),
        deposit_contract: Some(MAINNET_DEPOSIT_CONTRACT),
        transactions: txs.into_iter().map(BlockTx::unencoded).collect(),
        ..Block::default()
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The 576 bytes of a `DepositEvent` as the deposit contract writes them: offsets
/// 160/256/320/384/512, sizes 48/32/8/96/8, each field filled with `fill`.
fn deposit_event(fill: u8) -> Vec<u8> {
    let mut data = vec![0u8; 576];
    let word = |data: &mut Vec<u8>, at: usize, value: u64| data[at + 24..at + 32].copy_from_slice(&value.to_be_bytes());
    for (at, value) in
        [(0, 160), (32, 256), (64, 320), (96, 384), (128, 512), (160, 48), (256, 32), (320, 8), (384, 96), (512, 8)]
    {
        word(&mut data, at, value);
    }
    for (start, len) in [(192, 48), (288, 32), (352, 8), (416, 96), (544, 8)] {
        data[start..start + len].fill(fill);
    }
    data
}

/// EIP-2935: before the transactions the history contract stores the parent hash in slot
/// `(number - 1) % 8191`; a block with no requests to collect has none (`None`), one that
/// collects them and finds none has the hash of no requests, sha256 of nothing (the genesis
/// `requestsHash` of every Prague fixture).
fn history_storage_keeps_the_parent_hash(engine: EngineKind) {
    let mut db = state(&[
        (HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE),
        (WITHDRAWAL_REQUEST_ADDRESS, STOPS),
        (CONSOLIDATION_REQUEST_ADDRESS, STOPS),
    ]);
    let applied = apply_block(&mut db, &block(Fork::Prague, vec![]), engine, &mut ArtifactCache::default()).unwrap();
    let slot = db.accounts[&HISTORY_STORAGE_ADDRESS].storage.get(&U256::from(0x0f)).copied();
    assert_eq!(slot, Some(U256::from_be_bytes([0x77; 32])));
    assert_eq!(applied.output.system_calls.len(), 3);
    assert!(applied.output.system_calls.iter().all(|c| c.success));
    assert_eq!(applied.output.requests, Some(vec![]));
    let empty: B256 = "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".parse().unwrap();
    assert_eq!(applied.commitments.requests_hash, Some(empty));

    // Cancun has none of it: no call, no requests.
    let mut db = state(&[(HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE)]);
    let applied = apply_block(&mut db, &block(Fork::Cancun, vec![]), engine, &mut ArtifactCache::default()).unwrap();
    assert!(db.accounts[&HISTORY_STORAGE_ADDRESS].storage.is_empty());
    assert_eq!((applied.output.system_calls.len(), applied.commitments.requests_hash), (0, None));
}

/// Deposits (type 0) from the deposit contract's log, withdrawal requests (type 1) from
/// EIP-7002's output, no consolidations (type 2, empty: left out); the hash is
/// `sha256(sha256(0x00 ‖ deposit) ‖ sha256(0x01 ‖ 0xaa))`.
fn requests_and_their_hash(engine: EngineKind) {
    // The deposit contract emits the event: LOG1 of the 576 bytes it copies from calldata.
    // CALLDATACOPY(0, 0, 576) PUSH32 sig PUSH2 576 PUSH0 LOG1 STOP.
    let mut code = vec![0x61, 0x02, 0x40, 0x5f, 0x5f, 0x37, 0x7f];
    code.extend_from_slice(DEPOSIT_EVENT_SIGNATURE.as_slice());
    code.extend_from_slice(&[0x61, 0x02, 0x40, 0x5f, 0xa1, 0x00]);
    let mut db = state(&[
        (MAINNET_DEPOSIT_CONTRACT, &code),
        (WITHDRAWAL_REQUEST_ADDRESS, RETURNS_AA),
        (CONSOLIDATION_REQUEST_ADDRESS, STOPS),
    ]);
    let tx = TxEnv {
        tx_type: 2,
        caller: SENDER,
        gas_limit: 200_000,
        max_fee_per_gas: U256::from(10),
        to: Some(MAINNET_DEPOSIT_CONTRACT),
        data: deposit_event(0x11).into(),
        ..TxEnv::default()
    };
    let applied = apply_block(&mut db, &block(Fork::Prague, vec![tx]), engine, &mut ArtifactCache::default()).unwrap();
    assert!(applied.output.receipts[0].success);
    let mut deposit = vec![0x00];
    deposit.extend_from_slice(&[0x11; 192]);
    let requests = applied.output.requests.clone().unwrap();
    assert_eq!(requests, vec![Bytes::from(deposit.clone()), Bytes::from_static(&[0x01, 0xaa])]);
    let mut outer = Vec::new();
    outer.extend_from_slice(&sha256(&deposit));
    outer.extend_from_slice(&sha256(&[0x01, 0xaa]));
    assert_eq!(applied.commitments.requests_hash, Some(B256::from(sha256(&outer))));
    assert_eq!(requests_hash(&requests), B256::from(sha256(&outer)));
}

/// Prague's checked system calls: EIP-7002's contract without code, or EIP-7251's
/// reverting, invalidates the block, which leaves the state as it was.
fn failing_request_contracts_invalidate_the_block(engine: EngineKind) {
    let mut db = state(&[(CONSOLIDATION_REQUEST_ADDRESS, STOPS)]);
    let before = db.clone();
    let err = apply_block(&mut db, &block(Fork::Prague, vec![]), engine, &mut ArtifactCache::default()).unwrap_err();
    assert_eq!(
        err,
        BlockError::SystemContractMissing { step: BlockStep::WithdrawalRequests, address: WITHDRAWAL_REQUEST_ADDRESS }
    );
    assert_eq!(db, before);

    let mut db = state(&[(WITHDRAWAL_REQUEST_ADDRESS, STOPS), (CONSOLIDATION_REQUEST_ADDRESS, REVERTS)]);
    let before = db.clone();
    let err = apply_block(&mut db, &block(Fork::Prague, vec![]), engine, &mut ArtifactCache::default()).unwrap_err();
    assert_eq!(
        err,
        BlockError::SystemCallFailed {
            step: BlockStep::ConsolidationRequests,
            address: CONSOLIDATION_REQUEST_ADDRESS,
            error: None
        }
    );
    assert_eq!(
        alloc::format!("{err}"),
        "the EIP-7251 system call: the system contract 0x0000BBdDc7CE488642fb579F8B00f3a590007251 reverted"
    );
    assert_eq!(db, before);
}

/// EIP-4844 with EIP-7691's Prague maximum of 9 blobs per block: a second transaction of 6
/// blobs after one of 6 is rejected (12 > 9), a third of 3 fits (6 + 3 = 9).
fn blob_gas_stays_within_the_blocks_maximum(engine: EngineKind) {
    let blob_tx = |nonce: u64, blobs: usize| TxEnv {
        tx_type: 3,
        caller: SENDER,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: U256::from(10),
        to: Some(Address::repeat_byte(0x42)),
        // Version 0x01 (EIP-4844's KZG commitments).
        blob_hashes: vec![B256::from(U256::from(1) << 248); blobs],
        max_fee_per_blob_gas: U256::from(10),
        ..TxEnv::default()
    };
    let mut block = block(Fork::Prague, vec![blob_tx(0, 6), blob_tx(1, 6), blob_tx(1, 3)]);
    block.deposit_contract = None;
    let mut db = state(&[]);
    let applied = apply_block(&mut db, &block, engine, &mut ArtifactCache::default()).unwrap();
    assert_eq!(applied.output.included, vec![0, 2]);
    assert_eq!(applied.output.blob_gas_used, 9 * 131_072);
    let rejected = &applied.output.rejected;
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].index, 1);
    assert_eq!(rejected[0].error, Rejection::BlobGasAboveLimit { used: 786_432, blob_gas: 786_432, max: 1_179_648 });
}

/// EIP-6110's layout checks, each word of the deposit contract's ABI encoding.
#[test]
fn deposit_layout() {
    let good = deposit_event(0x22);
    let request = deposit_request(&good).unwrap();
    assert_eq!(request, [0x22; 192]);
    assert_eq!(deposit_request(&good[..575]), Err(BadDepositLog("the event data is not 576 bytes")));
    for (at, why) in
        [(31, "the pubkey offset is not 160"), (191, "the pubkey is not 48 bytes"), (543, "the index is not 8 bytes")]
    {
        let mut bad = good.clone();
        bad[at] ^= 1;
        assert_eq!(deposit_request(&bad), Err(BadDepositLog(why)), "byte {at}");
    }
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
    history_storage_keeps_the_parent_hash,
    requests_and_their_hash,
    failing_request_contracts_invalidate_the_block,
    blob_gas_stays_within_the_blocks_maximum,
);
