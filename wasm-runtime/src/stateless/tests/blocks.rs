//! Whole blocks run statelessly against [`host_record`]: transfers and withdrawals, contract
//! creation, storage writes and deletes, the selfdestruct of a created account, a WASM
//! contract (cold, then warm from the committed artifacts); tampered witnesses; witness
//! sizes; the input's decoding of bad bytes.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use alloy_eips::eip4895::Withdrawal;

use super::{random_state, Rng};
use crate::block::{roots, Block, BlockTx};
use crate::engine::EngineKind;
use crate::env::BlockEnv;
use crate::platform::{AccountInfo, MemoryDb};
use crate::primitives::{keccak256, Address, Bytes, B256, U256};
use crate::stateless::{
    host_record, run_stateless, CommittedArtifacts, HostRecord, KernelInput, StatelessError, TrieId,
};
use crate::tx::{self, UnsignedTx};

const SECRET: B256 = B256::repeat_byte(0x45);
const CHAIN_ID: u64 = 1;

fn sender() -> Address {
    tx::secret_key_address(&SECRET).unwrap()
}

/// `SSTORE(calldata[0..32], calldata[32..64])`.
const STORE: [u8; 8] = [0x60, 0x20, 0x35, 0x60, 0x00, 0x35, 0x55, 0x00];
/// The contract running [`STORE`], with slots 1, 2, 3 set.
const STORE_AT: Address = Address::repeat_byte(0xC0);

/// Init code returning [`STORE`] as the runtime code.
fn store_init() -> Bytes {
    let mut init = vec![0x67];
    init.extend_from_slice(&STORE);
    init.extend_from_slice(&[0x60, 0x00, 0x52, 0x60, 0x08, 0x60, 0x18, 0xf3]);
    init.into()
}

fn store_call(slot: u64, value: u64) -> Bytes {
    let mut data = U256::from(slot).to_be_bytes::<32>().to_vec();
    data.extend_from_slice(&U256::from(value).to_be_bytes::<32>());
    data.into()
}

/// A WASM contract: `call` stores 7 in slot 0 and returns it.
const WASM_COUNTER: &str = r#"(module
    (import "zkos" "storage_store" (func $sstore (param i32 i32)))
    (import "zkos" "finish" (func $finish (param i32 i32)))
    (memory (export "memory") 1 1)
    (data (i32.const 63) "\07")
    (func (export "call")
        (call $sstore (i32.const 0) (i32.const 32))
        (call $finish (i32.const 32) (i32.const 32))))"#;

fn wasm_envelope(constants: &[u8]) -> Bytes {
    let wasm = wat::parse_str(WASM_COUNTER).unwrap();
    let env = host_abi::envelope::Envelope { kind: host_abi::envelope::Kind::Wasm, version: 0, constants, code: &wasm };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).unwrap();
    out.into()
}

/// A signed EIP-1559 transaction from [`sender`], carried as its encoding.
fn signed(nonce: u64, to: Option<Address>, value: u64, data: Bytes) -> BlockTx {
    let unsigned = UnsignedTx {
        tx_type: 2,
        chain_id: Some(CHAIN_ID),
        nonce,
        gas_limit: 1_000_000,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 1,
        to,
        value: U256::from(value),
        data,
        ..UnsignedTx::default()
    };
    let envelope = unsigned.sign(&SECRET).unwrap();
    BlockTx::encoded(tx::recover(&envelope, CHAIN_ID).unwrap(), tx::encode(&envelope).into())
}

fn block(number: u64, transactions: Vec<BlockTx>, withdrawals: Vec<Withdrawal>) -> Block {
    let env = BlockEnv {
        number,
        timestamp: 1_000 + number,
        coinbase: Address::repeat_byte(0xCB),
        gas_limit: 30_000_000,
        base_fee: U256::from(7),
        chain_id: CHAIN_ID,
        ..BlockEnv::default()
    };
    Block { env, transactions, withdrawals, ..Block::default() }
}

/// A state of `filler` random accounts, the sender and the [`STORE`] contract.
fn pre(filler: usize) -> MemoryDb {
    let mut db = random_state(&mut Rng::new(42), filler);
    let ether = U256::from(10u64).pow(U256::from(18));
    db.insert(sender(), AccountInfo::with_balance(ether, 0), BTreeMap::new());
    let mut info = AccountInfo::with_balance(U256::from(1), 1);
    info.set_code(Bytes::from_static(&STORE));
    let storage = (1..=3).map(|i| (U256::from(i), U256::from(i + 4))).collect();
    db.insert(STORE_AT, info, storage);
    db
}

/// Runs `block` on the host and statelessly (through the encoded input): the records must be
/// identical. Returns the host's record, the post-state and the input.
fn agree(pre: &MemoryDb, artifacts: &CommittedArtifacts, block: &Block) -> (HostRecord, MemoryDb, KernelInput) {
    let host = host_record(pre, artifacts, block, EngineKind::Wasmi).expect("the host applies the block");
    let input = KernelInput::for_block(pre, artifacts, block).expect("the input builds");
    let decoded = KernelInput::decode(&input.encode()).expect("the input decodes");
    assert_eq!(decoded, input);
    let (output, applied) = run_stateless(&decoded, EngineKind::Wasmi).expect("the stateless run succeeds");
    assert_eq!(output, host.output);
    assert_eq!(applied.output.receipts, host.applied.output.receipts);
    assert_eq!(applied.output.diff, host.applied.output.diff);
    let mut post = pre.clone();
    post.apply(&host.applied.output.diff);
    assert_eq!(output.post_state_root, roots::state_root(&post));
    assert_eq!(output.pre_state_root, roots::state_root(pre));
    (host, post, input)
}

fn all_succeed(host: &HostRecord, count: usize) {
    let receipts = &host.applied.output.receipts;
    assert_eq!(receipts.len(), count, "rejected: {:?}", host.applied.output.rejected);
    assert!(receipts.iter().all(|r| r.success), "{receipts:?}");
}

#[test]
fn transfers_and_withdrawals() {
    let pre = pre(200);
    let existing = *pre.accounts.keys().next().unwrap();
    let txs = vec![
        signed(0, Some(existing), 1_000, Bytes::new()),
        signed(1, Some(Address::repeat_byte(0x77)), 2_000, Bytes::new()),
        signed(2, Some(sender()), 3, Bytes::new()),
    ];
    let withdrawals = vec![
        Withdrawal { index: 0, validator_index: 1, address: existing, amount: 5 },
        Withdrawal { index: 1, validator_index: 2, address: Address::repeat_byte(0x78), amount: 9 },
        // Zero to an absent account: it stays absent.
        Withdrawal { index: 2, validator_index: 3, address: Address::repeat_byte(0x79), amount: 0 },
    ];
    let (host, post, _) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, withdrawals));
    all_succeed(&host, 3);
    assert_eq!(host.output.tx_count, 3);
    assert_eq!(host.output.gas_used, 3 * 21_000);
    assert!(post.accounts.contains_key(&Address::repeat_byte(0x78)));
    assert!(!post.accounts.contains_key(&Address::repeat_byte(0x79)));
}

#[test]
fn creation_and_storage_writes_and_deletes() {
    let pre = pre(200);
    let created = sender().create(0);
    let txs = vec![
        signed(0, None, 0, store_init()),
        signed(1, Some(created), 0, store_call(4, 44)),
        // Every slot of STORE_AT deleted (its storage trie emptied), then one written.
        signed(2, Some(STORE_AT), 0, store_call(2, 0)),
        signed(3, Some(STORE_AT), 0, store_call(1, 0)),
        signed(4, Some(STORE_AT), 0, store_call(3, 0)),
        signed(5, Some(STORE_AT), 0, store_call(9, 1)),
    ];
    let (host, post, input) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, vec![]));
    all_succeed(&host, 6);
    assert_eq!(post.accounts[&created].info.code.as_ref(), &STORE);
    assert_eq!(post.accounts[&created].storage, BTreeMap::from([(U256::from(4), U256::from(44))]));
    assert_eq!(post.accounts[&STORE_AT].storage, BTreeMap::from([(U256::from(9), U256::from(1))]));
    // Cold: the init code's and the two runtime codes' artifacts are built and committed.
    assert!(input.artifacts.artifacts.is_empty());
    assert_eq!(host.post_artifacts.leaves.len(), 2, "{:?}", host.post_artifacts.leaves.keys());
    assert_ne!(host.output.post_artifact_root, host.output.pre_artifact_root);

    // A second block on the committed artifacts: warm, nothing transpiled in the kernel.
    let txs = vec![signed(6, Some(STORE_AT), 0, store_call(9, 0)), signed(7, Some(created), 0, store_call(4, 0))];
    let (host2, post2, input2) = agree(&post, &host.post_artifacts, &block(2, txs, vec![]));
    all_succeed(&host2, 2);
    assert_eq!(input2.artifacts.artifacts.len(), 1, "the STORE artifact, shared by both accounts");
    let (_, applied) = run_stateless(&input2, EngineKind::Wasmi).unwrap();
    assert_eq!(applied.output.stats.transpilations, 0);
    assert_eq!(host2.applied.output.stats.transpilations, 1, "the host ran cold");
    assert_eq!(host2.output.post_artifact_root, host2.output.pre_artifact_root);
    assert!(post2.accounts[&STORE_AT].storage.is_empty());
}

#[test]
fn selfdestruct_of_a_created_account() {
    let pre = pre(100);
    let created = sender().create(0);
    // CALLER SELFDESTRUCT: created and destroyed in one transaction, its value sent back.
    let txs = vec![signed(0, None, 500, Bytes::from_static(&[0x33, 0xff])), signed(1, Some(created), 1, Bytes::new())];
    let (host, post, _) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, vec![]));
    all_succeed(&host, 2);
    // The second transaction re-creates it as a plain account holding 1 wei.
    assert_eq!(post.accounts[&created].info, AccountInfo::with_balance(U256::from(1), 0));

    let txs = vec![signed(0, None, 500, Bytes::from_static(&[0x33, 0xff]))];
    let (host, post, _) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, vec![]));
    all_succeed(&host, 1);
    assert!(!post.accounts.contains_key(&created));
}

#[test]
fn wasm_contract_with_constants_cold_then_warm() {
    let pre = pre(100);
    let created = sender().create(0);
    let txs = vec![signed(0, None, 0, wasm_envelope(&[1, 2, 3])), signed(1, Some(created), 0, Bytes::new())];
    let (host, post, _) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, vec![]));
    all_succeed(&host, 2);
    assert_eq!(post.accounts[&created].info.constants.as_ref(), &[1, 2, 3]);
    assert_eq!(post.accounts[&created].storage, BTreeMap::from([(U256::ZERO, U256::from(7))]));
    assert_eq!(host.applied.output.stats.normalizations, 1);

    // Warm: the artifact comes from the input; the envelope's constants from the witness.
    let txs = vec![signed(2, Some(created), 0, Bytes::new())];
    let (host2, _, input) = agree(&post, &host.post_artifacts, &block(2, txs, vec![]));
    all_succeed(&host2, 1);
    assert_eq!(input.artifacts.artifacts.len(), 1);
    assert_eq!(input.witness.constants.len(), 1);
    let (_, applied) = run_stateless(&input, EngineKind::Wasmi).unwrap();
    assert_eq!(applied.output.stats.normalizations, 0);
    std::eprintln!(
        "warm WASM call: input {} bytes (witness {} nodes, {} artifact bytes, {} proof nodes)",
        input.encode().len(),
        input.witness.state.len(),
        size(&input.artifacts.artifacts),
        input.artifacts.proof.len()
    );

    // The same block cold (no committed artifacts): built in the kernel, same state.
    let cold = KernelInput::for_block(
        &post,
        &CommittedArtifacts::default(),
        &block(2, vec![signed(2, Some(created), 0, Bytes::new())], vec![]),
    )
    .unwrap();
    let (out, applied) = run_stateless(&cold, EngineKind::Wasmi).unwrap();
    assert_eq!(applied.output.stats.normalizations, 1);
    assert_eq!(out.post_state_root, host2.output.post_state_root);
}

#[test]
fn tampered_witnesses_fail_with_precise_errors() {
    let pre = pre(200);
    let created = sender().create(0);
    let block1 =
        block(1, vec![signed(0, None, 0, store_init()), signed(1, Some(STORE_AT), 0, store_call(2, 0))], vec![]);
    let (host, post, input) = agree(&pre, &CommittedArtifacts::default(), &block1);

    // Every witness node is needed: each one altered is reported missing, by hash.
    for (i, node) in input.witness.state.iter().enumerate() {
        let mut bad = input.clone();
        let mut bytes = node.to_vec();
        *bytes.last_mut().unwrap() ^= 1;
        bad.witness.state[i] = bytes.into();
        match run_stateless(&bad, EngineKind::Wasmi) {
            Err(StatelessError::MissingNode { hash, trie, .. }) => {
                assert_eq!(hash, keccak256(node));
                assert!(matches!(trie, TrieId::Accounts | TrieId::Storage(_)));
            }
            other => panic!("node {i}: expected a missing node, got {other:?}"),
        }
    }
    // The called contract's code dropped.
    let mut bad = input.clone();
    bad.witness.codes.retain(|c| c.as_ref() != STORE);
    assert_eq!(
        run_stateless(&bad, EngineKind::Wasmi).unwrap_err(),
        StatelessError::MissingCode { address: STORE_AT, code_hash: keccak256(STORE) }
    );
    // A wrong pre-state root: the root node itself is missing.
    let mut bad = input.clone();
    bad.pre_state_root = B256::repeat_byte(9);
    let error = run_stateless(&bad, EngineKind::Wasmi).unwrap_err();
    assert_eq!(
        error.to_string(),
        alloc::format!("missing witness node {} at path 0x in the account trie", B256::repeat_byte(9))
    );

    // Warm: a given artifact altered, and an artifact proof node dropped.
    let block2 = block(2, vec![signed(2, Some(created), 0, store_call(1, 1))], vec![]);
    let (_, _, warm) = agree(&post, &host.post_artifacts, &block2);
    assert_eq!(warm.artifacts.artifacts.len(), 1);
    let mut bad = warm.clone();
    let mut artifact = bad.artifacts.artifacts[0].to_vec();
    *artifact.last_mut().unwrap() ^= 0x80;
    bad.artifacts.artifacts[0] = artifact.into();
    assert_eq!(
        run_stateless(&bad, EngineKind::Wasmi).unwrap_err(),
        StatelessError::ArtifactMismatch { code_hash: keccak256(STORE) }
    );
    let mut bad = warm.clone();
    let dropped = bad.artifacts.proof.pop().unwrap();
    match run_stateless(&bad, EngineKind::Wasmi) {
        Err(StatelessError::MissingNode { trie: TrieId::Artifacts, hash, .. }) => assert_eq!(hash, keccak256(&dropped)),
        other => panic!("expected a missing artifact-trie node, got {other:?}"),
    }
}

#[test]
fn unencoded_transactions_are_refused() {
    let pre = pre(10);
    let mut tx = signed(0, Some(STORE_AT), 0, Bytes::new());
    tx.encoded = None;
    let error = KernelInput::for_block(&pre, &CommittedArtifacts::default(), &block(1, vec![tx], vec![])).unwrap_err();
    assert_eq!(error, StatelessError::UnencodedTransaction { index: 0 });
}

/// Encoded size of a list of byte strings.
fn size(items: &[Bytes]) -> usize {
    items.iter().map(|b| b.len()).sum()
}

#[test]
fn the_witness_is_small_for_a_block_touching_few_accounts() {
    let pre = pre(5_000);
    let (whole, _) = crate::stateless::witness::whole_state(&pre);
    let txs = vec![
        signed(0, Some(Address::repeat_byte(0x77)), 1, Bytes::new()),
        signed(1, Some(STORE_AT), 0, store_call(2, 0)),
    ];
    let (_, _, input) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, vec![]));
    let (nodes, bytes) = (input.witness.state.len(), size(&input.witness.state));
    let (all_nodes, all_bytes) = (whole.state.len(), size(&whole.state));
    std::eprintln!(
        "witness: {nodes} nodes, {bytes} bytes, {} codes ({} bytes), {} keys; state: {} accounts, {all_nodes} nodes, \
         {all_bytes} bytes; encoded input {} bytes",
        input.witness.codes.len(),
        size(&input.witness.codes),
        input.witness.keys.len(),
        pre.accounts.len(),
        input.encode().len(),
    );
    assert!(bytes * 50 < all_bytes, "{bytes} witness bytes for a state of {all_bytes}");
    assert!(nodes < 40, "{nodes} nodes");
    // The sender, the coinbase, the recipient and the contract: four accounts' paths.
    assert_eq!(input.witness.codes.len(), 1);
}

#[test]
fn kernel_input_decoding_never_panics() {
    let pre = pre(50);
    let created = sender().create(0);
    let txs = vec![signed(0, None, 0, store_init()), signed(1, Some(created), 0, store_call(1, 2))];
    let withdrawals = vec![Withdrawal { index: 0, validator_index: 1, address: created, amount: 5 }];
    let (_, _, input) = agree(&pre, &CommittedArtifacts::default(), &block(1, txs, withdrawals));
    let bytes = input.encode();
    for cut in 0..bytes.len() {
        assert!(KernelInput::decode(&bytes[..cut]).is_err(), "a prefix of {cut} bytes decoded");
    }
    let mut rng = Rng::new(3);
    let mut decoded = 0;
    for _ in 0..300 {
        let mut bad = bytes.clone();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(bad.len() as u64) as usize;
            bad[i] = rng.next() as u8;
        }
        if let Ok(input) = KernelInput::decode(&bad) {
            decoded += 1;
            // Whatever it says, running it ends (with an output or an error), no panic.
            let _ = run_stateless(&input, EngineKind::Wasmi);
        }
    }
    assert!(decoded > 0, "some mutations (inside nodes and codes) still decode");
    for _ in 0..300 {
        let n = rng.below(400) as usize;
        let mut junk = rng.bytes(n);
        if junk.len() >= 5 && rng.below(2) == 0 {
            junk[..5].copy_from_slice(b"ZKKI\x01");
        }
        assert!(KernelInput::decode(&junk).is_err());
    }
}

/// EIP-2935's history contract (the code of the EIP).
const HISTORY_STORAGE_CODE: &[u8] = &alloy_primitives::hex!(
    "3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500"
);

#[test]
fn system_calls_of_the_block_rules() {
    use crate::block::rules::{BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE, HISTORY_STORAGE_ADDRESS};
    let mut pre = pre(100);
    for (address, code) in [(BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE), (HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE)]
    {
        let mut info = AccountInfo::with_balance(U256::ZERO, 1);
        info.set_code(Bytes::copy_from_slice(code));
        pre.insert(address, info, BTreeMap::new());
    }
    let mut b = block(0x10, vec![signed(0, Some(STORE_AT), 0, store_call(5, 5))], vec![]);
    b.parent_beacon_block_root = Some(B256::repeat_byte(0xBE));
    b.parent_hash = Some(B256::repeat_byte(0xAA));
    let (host, post, _) = agree(&pre, &CommittedArtifacts::default(), &b);
    all_succeed(&host, 1);
    assert_eq!(host.applied.output.system_calls.len(), 2);
    assert_eq!(post.accounts[&BEACON_ROOTS_ADDRESS].storage.len(), 2, "timestamp and root");
    assert_eq!(post.accounts[&HISTORY_STORAGE_ADDRESS].storage.len(), 1, "the parent hash");
}

/// The provable engine gives the same record, statelessly and on the host.
#[test]
fn the_rv_engine_agrees() {
    let pre = pre(50);
    let created = sender().create(0);
    let txs = vec![
        signed(0, None, 0, store_init()),
        signed(1, Some(created), 0, store_call(4, 44)),
        signed(2, Some(STORE_AT), 0, store_call(1, 0)),
    ];
    let b = block(1, txs, vec![]);
    let artifacts = CommittedArtifacts::default();
    let host = host_record(&pre, &artifacts, &b, EngineKind::Rv).unwrap();
    all_succeed(&host, 3);
    let input = KernelInput::for_block(&pre, &artifacts, &b).unwrap();
    let (output, _) = run_stateless(&input, EngineKind::Rv).unwrap();
    assert_eq!(output, host.output);
    assert_eq!(output, host_record(&pre, &artifacts, &b, EngineKind::Wasmi).unwrap().output);
}

/// A witness node that hashes right but is no node of a 32-byte-key trie is named, with why.
#[test]
fn a_malformed_node_is_reported_as_bad() {
    let pre = pre(10);
    let b = block(1, vec![signed(0, Some(STORE_AT), 0, Bytes::new())], vec![]);
    let mut input = KernelInput::for_block(&pre, &CommittedArtifacts::default(), &b).unwrap();
    for (node, reason) in [
        (vec![0xc3, 0x80, 0x80, 0x80], "a list of neither 2 nor 17 items"),
        // A leaf whose key is one nibble long, at the root.
        (vec![0xc4, 0x31, 0x82, 0x01, 0x02], "a leaf whose key does not end at the key length"),
        (vec![0x83, 1, 2, 3], "a node that is not an RLP list"),
    ] {
        let node = Bytes::from(node);
        input.pre_state_root = keccak256(&node);
        input.witness.state.push(node);
        let error = run_stateless(&input, EngineKind::Wasmi).unwrap_err();
        assert_eq!(
            error,
            StatelessError::BadNode { trie: TrieId::Accounts, hash: input.pre_state_root, path: vec![], reason }
        );
    }
}

#[test]
fn phases_are_marked_in_order() {
    use crate::stateless::{run_stateless_marked, Phase};
    let pre = pre(10);
    let b = block(1, vec![signed(0, Some(STORE_AT), 0, store_call(1, 0))], vec![]);
    let input = KernelInput::for_block(&pre, &CommittedArtifacts::default(), &b).unwrap();
    let mut phases = Vec::new();
    let (output, _) = run_stateless_marked(&input, EngineKind::Wasmi, &mut |p| phases.push(p)).unwrap();
    assert_eq!(output, run_stateless(&input, EngineKind::Wasmi).unwrap().0);
    assert_eq!(
        phases,
        [
            Phase::SenderRecovery,
            Phase::Witness,
            Phase::Artifacts,
            Phase::Execution,
            Phase::StateRoot,
            Phase::ArtifactRoot,
            Phase::Done
        ]
    );
}
