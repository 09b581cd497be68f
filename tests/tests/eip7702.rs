//! Prague's and Osaka's transaction rules on every engine: EIP-7702 set-code transactions
//! (authorizations, delegation designators, delegated code of each kind — EVM, WASM and
//! native — the delegate's access cost, EXTCODE* on a delegated account, EIP-3607 for
//! delegated senders), EIP-7623's calldata floor and EIP-7825's transaction gas cap.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use host_abi::envelope::{Envelope, Kind};
use host_abi::gas::{COLD_ACCOUNT_ACCESS, WARM_ACCESS};
use wasm_runtime::block::{BlockOutput, Receipt, Rejection};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{Authorization, TxEnv};
use wasm_runtime::exec::{intrinsic_gas, SetCodeRule, TxError};
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::AccountInfo;
use wasm_runtime::tx::secret_key_address;
use wasm_runtime::world::delegation_code;
use zkos_tests::{envelope, wat, word, Chain, ALICE, BOB};

/// A WASM contract that counts its calls in slot 0 of the account it runs for and returns
/// the new count, the first word of its constants and its own address (ADDRESS).
const COUNTER: &str = r#"(module
  (import "zkos" "storage_load" (func $sload (param i32 i32)))
  (import "zkos" "storage_store" (func $sstore (param i32 i32)))
  (import "zkos" "constants_copy" (func $kc (param i32 i32 i32)))
  (import "zkos" "address" (func $address (param i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "call")
    (call $sload (i32.const 0) (i32.const 32))
    (i32.store8 (i32.const 63) (i32.add (i32.load8_u (i32.const 63)) (i32.const 1)))
    (call $sstore (i32.const 0) (i32.const 32))
    (call $kc (i32.const 64) (i32.const 0) (i32.const 32))
    (call $address (i32.const 96))
    (call $finish (i32.const 32) (i32.const 84))))"#;

/// The constants the counter is deployed with.
const CONSTANTS: [u8; 32] = [0xC5; 32];

/// EVM code that calls the address in its calldata's first word with all its gas and
/// returns the call's status word.
const EVM_CALLER: &[u8] = &[
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, // retLength, retOffset, argsLength, argsOffset, value
    0x5f, 0x35, // the address: CALLDATALOAD(0)
    0x5a, 0xf1, // GAS, CALL
    0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3, // MSTORE(0, status), RETURN(0, 32)
];

/// EVM code that counts its calls in slot 0 like [`COUNTER`] and returns the new count.
const EVM_COUNTER: &[u8] = &[
    0x5f, 0x54, 0x60, 0x01, 0x01, // SLOAD(0) + 1
    0x80, 0x5f, 0x55, // DUP1, SSTORE(0, count)
    0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3, // MSTORE(0, count), RETURN(0, 32)
];

const CALLER_AT: Address = Address::repeat_byte(0xCA);

fn key(n: u8) -> B256 {
    B256::repeat_byte(n)
}

fn authority(n: u8) -> Address {
    secret_key_address(&key(n)).expect("a valid key")
}

/// An authorization signed by key `n` for chain 1.
fn auth(n: u8, address: Address, nonce: u64) -> Authorization {
    Authorization::sign(&key(n), U256::from(1), address, nonce).expect("signs")
}

/// A set-code transaction from ALICE to `to` with `auths`.
fn set_code_tx(chain: &Chain, to: Address, auths: Vec<Authorization>) -> TxEnv {
    let mut tx = chain.tx(ALICE, Some(to), &[], U256::ZERO, 1_000_000);
    tx.tx_type = 4;
    tx.authorization_list = auths;
    tx
}

fn put(chain: &mut Chain, address: Address, code: &[u8]) {
    let mut info = AccountInfo::default();
    info.set_code(Bytes::copy_from_slice(code));
    chain.db.insert(address, info, BTreeMap::new());
}

fn deploy_counter(chain: &mut Chain) -> Address {
    let r = chain.deploy(&envelope(&wat(COUNTER), &CONSTANTS), &[]);
    assert!(r.success, "deploying the counter: {:?}", r.error);
    r.contract_address.expect("created")
}

fn address_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

/// The one rejection of a block.
fn rejection(out: &BlockOutput) -> &Rejection {
    assert_eq!(out.rejected.len(), 1, "one rejection: {:?}", out.receipts);
    &out.rejected[0].error
}

fn code(chain: &Chain, a: Address) -> Bytes {
    chain.account(a).map(|i| i.code).unwrap_or_default()
}

fn nonce(chain: &Chain, a: Address) -> u64 {
    chain.account(a).map_or(0, |i| i.nonce)
}

/// The counter's output: count, constants, address.
fn assert_counter_output(r: &Receipt, count: u64, at: Address) {
    assert!(r.success, "{:?}", r.error);
    assert_eq!(&r.output[..32], &word(count), "count");
    assert_eq!(&r.output[32..64], &CONSTANTS, "the counter's constants");
    assert_eq!(&r.output[64..], at.as_slice(), "ADDRESS");
}

/// A set-code transaction delegates an account to a WASM contract and calls it: the WASM
/// code runs in the authority's context (its storage, its address) with the contract's own
/// constants, exactly as a direct call of the contract does, for the same gas.
fn a_delegation_to_wasm_runs_its_code(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let a = authority(0x71);
    let tx = set_code_tx(&chain, a, vec![auth(0x71, counter, 0)]);
    let delegated = chain.send(tx);
    assert_counter_output(&delegated, 1, a);
    assert_eq!(code(&chain, a), delegation_code(counter));
    assert_eq!(code(&chain, a).len(), 23);
    assert_eq!(nonce(&chain, a), 1);
    assert_eq!(chain.storage(a, U256::ZERO), U256::from(1));
    assert_eq!(chain.storage(counter, U256::ZERO), U256::ZERO);
    // An ordinary transaction to the authority runs the counter again.
    assert_counter_output(&chain.call(a, &[]), 2, a);
    // The direct call: the same output but the address, and the same gas (the delegation
    // transaction paid 25,000 more for its authorization; its authority did not exist, so
    // nothing was refunded).
    let direct = chain.call(counter, &[]);
    assert_counter_output(&direct, 1, counter);
    assert_eq!(delegated.gas_used, direct.gas_used + 25_000);
}

/// A delegation to EVM code works the same way.
fn a_delegation_to_evm_runs_its_code(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let target = Address::repeat_byte(0xEC);
    put(&mut chain, target, EVM_COUNTER);
    let a = authority(0x72);
    let tx = set_code_tx(&chain, a, vec![auth(0x72, target, 0)]);
    let r = chain.send(tx);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &word(1));
    assert_eq!(chain.storage(a, U256::ZERO), U256::from(1));
    assert_eq!(chain.call(a, &[]).output.as_ref(), &word(2));
    assert_eq!(chain.storage(target, U256::ZERO), U256::ZERO);
}

/// A delegation to a native RV64IM contract (the C counter of examples/native-c, lifted at
/// its deployment) runs it in the authority's context: `increment()` raises the authority's
/// slot 0 and logs from the authority, for the same gas as the same call of a counter
/// deployed with the same (zero) count.
fn a_delegation_to_native_code_runs_its_code(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let path = format!("{}/../examples/out/native-c.elf", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    let env = Envelope { kind: Kind::Rv64im, version: 0, constants: &[], code: &elf };
    let mut init = vec![0u8; env.encoded_len()];
    env.encode_into(&mut init).expect("buffer has the encoded length");
    let r = chain.deploy(&init, &word(0));
    assert!(r.success, "deploying the native counter: {:?}", r.error);
    let native = r.contract_address.expect("created");
    let a = authority(0x7D);
    assert!(chain.send(set_code_tx(&chain, BOB, vec![auth(0x7D, native, 0)])).success);
    let selector = |sig: &str| keccak256(sig.as_bytes())[..4].to_vec();
    let delegated = chain.call(a, &selector("increment()"));
    assert!(delegated.success, "{:?}", delegated.error);
    assert_eq!(delegated.logs.len(), 1);
    assert_eq!(delegated.logs[0].address, a);
    assert_eq!(delegated.logs[0].data.data.as_ref(), &word(1));
    assert_eq!(chain.storage(a, U256::ZERO), U256::from(1));
    assert_eq!(chain.storage(native, U256::ZERO), U256::ZERO);
    assert_eq!(chain.call(a, &selector("get()")).output.as_ref(), &word(1));
    let direct = chain.call(native, &selector("increment()"));
    assert!(direct.success, "{:?}", direct.error);
    assert_eq!(direct.logs[0].address, native);
    assert_eq!(delegated.gas_used, direct.gas_used);
}

/// A contract calling a delegated account pays EIP-2929's access of the delegate on top of
/// the call: 2,600 more than calling the delegate itself while the delegate is cold.
fn calls_to_a_delegated_account_pay_for_the_delegate(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    put(&mut chain, CALLER_AT, EVM_CALLER);
    // Delegate without running anything: the authority's storage stays empty.
    let a = authority(0x73);
    let tx = set_code_tx(&chain, BOB, vec![auth(0x73, counter, 0)]);
    assert!(chain.send(tx).success);
    assert_eq!(code(&chain, a), delegation_code(counter));
    let run = |chain: &mut Chain, target: Address| {
        let tx = chain.tx(ALICE, Some(CALLER_AT), &address_word(target), U256::ZERO, 1_000_000);
        let intrinsic = intrinsic_gas(&tx);
        let r = chain.send(tx);
        assert!(r.success, "{:?}", r.error);
        assert_eq!(r.output.as_ref(), &word(1), "the inner call succeeds");
        r.gas_used - intrinsic
    };
    let through_delegation = run(&mut chain, a);
    let direct = run(&mut chain, counter);
    assert_eq!(chain.storage(a, U256::ZERO), U256::from(1));
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(1));
    assert_eq!(through_delegation, direct + COLD_ACCOUNT_ACCESS);
    // With the delegate warm (in the access list), the extra access costs 100 instead, and
    // so does the direct call's own access of it: the difference is the authority's access.
    let mut tx = chain.tx(ALICE, Some(CALLER_AT), &address_word(a), U256::ZERO, 1_000_000);
    tx.access_list = vec![wasm_runtime::env::AccessListItem { address: counter, storage_keys: Vec::new() }];
    let warm_intrinsic = intrinsic_gas(&tx);
    let warm = chain.send(tx);
    assert!(warm.success, "{:?}", warm.error);
    // Slot 0 of the authority is no longer fresh: its SSTORE costs 2,900 instead of 20,000.
    assert_eq!(warm.gas_used - warm_intrinsic, through_delegation - COLD_ACCOUNT_ACCESS + WARM_ACCESS - 17_100);
}

/// EXTCODESIZE, EXTCODEHASH and EXTCODECOPY of a delegated account see the 23-byte
/// designator, not the delegate's code.
fn extcode_sees_the_designator(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let a = authority(0x74);
    assert!(chain.send(set_code_tx(&chain, BOB, vec![auth(0x74, counter, 0)])).success);
    let mut probe = Vec::new();
    let push_a = |code: &mut Vec<u8>| {
        code.push(0x73);
        code.extend_from_slice(a.as_slice());
    };
    push_a(&mut probe);
    probe.extend_from_slice(&[0x3b, 0x5f, 0x52]); // MSTORE(0, EXTCODESIZE(a))
    push_a(&mut probe);
    probe.extend_from_slice(&[0x3f, 0x60, 0x20, 0x52]); // MSTORE(32, EXTCODEHASH(a))
    probe.extend_from_slice(&[0x60, 23, 0x5f, 0x60, 0x40]); // size 23, offset 0, dest 64
    push_a(&mut probe);
    probe.extend_from_slice(&[0x3c, 0x60, 87, 0x5f, 0xf3]); // EXTCODECOPY, RETURN(0, 87)
    let probe_at = Address::repeat_byte(0x9B);
    put(&mut chain, probe_at, &probe);
    let r = chain.call(probe_at, &[]);
    assert!(r.success, "{:?}", r.error);
    let designator = delegation_code(counter);
    assert_eq!(&r.output[..32], &word(23));
    assert_eq!(&r.output[32..64], keccak256(&designator).as_slice());
    assert_eq!(&r.output[64..], designator.as_ref());
}

/// A WASM contract's call of a delegated account runs the delegate's code as well, and pays
/// the delegate's access: 2,600 more than its call of the delegate itself.
fn a_wasm_caller_reaches_delegated_code(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let a = authority(0x75);
    assert!(chain.send(set_code_tx(&chain, BOB, vec![auth(0x75, counter, 0)])).success);
    // Calls the 20-byte address of its calldata (status 0 is success) and returns the
    // callee's first word.
    let caller = chain.deploy_wat(
        r#"(module
      (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
      (import "zkos" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
      (import "zkos" "returndata_copy" (func $rdc (param i32 i32 i32)))
      (import "zkos" "finish" (func $finish (param i32 i32)))
      (memory (export "memory") 1 1)
      (func (export "call")
        (call $cdc (i32.const 0) (i32.const 0) (i32.const 20))
        (if (call $call (i64.const 500000) (i32.const 0) (i32.const 64) (i32.const 0) (i32.const 0))
          (then (unreachable)))
        (call $rdc (i32.const 128) (i32.const 0) (i32.const 32))
        (call $finish (i32.const 128) (i32.const 32))))"#,
    );
    let through_delegation = chain.call(caller, a.as_slice());
    assert!(through_delegation.success, "{:?}", through_delegation.error);
    assert_eq!(through_delegation.output.as_ref(), &word(1));
    assert_eq!(chain.storage(a, U256::ZERO), U256::from(1));
    let direct = chain.call(caller, counter.as_slice());
    assert!(direct.success, "{:?}", direct.error);
    assert_eq!(direct.output.as_ref(), &word(1));
    // Both calldatas are 20 non-zero bytes: the same intrinsic gas.
    assert!(a.iter().chain(counter.iter()).all(|b| *b != 0), "no zero byte in either address");
    assert_eq!(through_delegation.gas_used, direct.gas_used + COLD_ACCOUNT_ACCESS);
}

/// The authorization rules and their gas: 25,000 per authorization, 12,500 refunded when
/// the authority exists already (within EIP-3529's cap of a fifth of the gas used); one for
/// another chain, with the wrong nonce or an invalid signature is skipped; the zero address
/// clears a delegation; later authorizations of the same authority apply in order.
fn authorizations_follow_the_rules(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let (a, b) = (authority(0x76), authority(0x77));
    // An authority that does not exist: 21,000 + 25,000, nothing refunded.
    let r = chain.send(set_code_tx(&chain, BOB, vec![auth(0x76, counter, 0)]));
    assert_eq!(r.gas_used, 46_000);
    assert_eq!((code(&chain, a), nonce(&chain, a)), (delegation_code(counter), 1));
    // It exists now: 12,500 refunded, capped at 46,000 / 5.
    let r = chain.send(set_code_tx(&chain, BOB, vec![auth(0x76, Address::ZERO, 1)]));
    assert_eq!(r.gas_used, 46_000 - 9_200);
    assert_eq!((code(&chain, a), nonce(&chain, a)), (Bytes::new(), 2), "the zero address clears the code");
    // Skipped: another chain, a nonce that does not match, a signature with y parity 2.
    let mut other_chain = Authorization::sign(&key(0x77), U256::from(5), counter, 0).unwrap();
    let mut bad_signature = auth(0x77, counter, 0);
    bad_signature = Authorization::signed(
        bad_signature.chain_id,
        bad_signature.address,
        bad_signature.nonce,
        2,
        bad_signature.r,
        bad_signature.s,
    );
    assert_eq!(bad_signature.authority, None);
    let skipped = vec![other_chain.clone(), auth(0x77, counter, 1), bad_signature];
    let r = chain.send(set_code_tx(&chain, BOB, skipped));
    assert!(r.success);
    assert_eq!(r.gas_used, 21_000 + 3 * 25_000);
    assert_eq!((code(&chain, b), nonce(&chain, b)), (Bytes::new(), 0));
    // Chain id zero is valid everywhere; two authorizations of one authority apply in order.
    other_chain = Authorization::sign(&key(0x77), U256::ZERO, counter, 0).unwrap();
    let target = Address::repeat_byte(0xEC);
    let r = chain.send(set_code_tx(&chain, BOB, vec![other_chain, auth(0x77, target, 1)]));
    assert!(r.success);
    assert_eq!((code(&chain, b), nonce(&chain, b)), (delegation_code(target), 2));
    // The second found the authority existing: 12,500 refunded, capped at 71,000 / 5.
    assert_eq!(r.gas_used, 71_000 - 12_500);
}

/// A sender signs an authorization of its own (its nonce is raised by the transaction
/// first, so the authorization carries the next one); a delegated account may still send
/// (EIP-3607 as EIP-7702 amends it), one with contract code may not.
fn a_delegated_sender_may_send(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let me = authority(0x78);
    chain.db.insert(me, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(18)), 0), BTreeMap::new());
    let mut tx = chain.tx(me, Some(me), &[], U256::ZERO, 1_000_000);
    tx.tx_type = 4;
    tx.authorization_list = vec![auth(0x78, counter, 1)];
    let r = chain.send(tx);
    assert_counter_output(&r, 1, me);
    assert_eq!(nonce(&chain, me), 2);
    let tx = chain.tx(me, Some(BOB), &[], U256::from(5), 21_000);
    assert!(chain.send(tx).success);
    assert_eq!(nonce(&chain, me), 3);
    let tx = chain.tx(counter, Some(BOB), &[], U256::ZERO, 21_000);
    assert_eq!(rejection(&chain.run_block(vec![tx])), &Rejection::Invalid(TxError::SenderHasCode));
}

/// A delegation is followed one level only: an account delegated to a delegated account
/// runs the 23 designator bytes as code (0xEF is no instruction), and fails; one delegated
/// to a precompile runs the precompile account's code (none), not the precompile.
fn delegations_do_not_chain_or_reach_precompiles(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let (a, b, c) = (authority(0x79), authority(0x7A), authority(0x7B));
    let identity = Address::with_last_byte(4);
    let auths = vec![auth(0x79, counter, 0), auth(0x7A, a, 0), auth(0x7B, identity, 0)];
    assert!(chain.send(set_code_tx(&chain, BOB, auths)).success);
    let tx = chain.tx(ALICE, Some(b), &[], U256::ZERO, 100_000);
    let r = chain.send(tx);
    assert!(!r.success, "a chain of delegations is not followed");
    assert_eq!(r.gas_used, 100_000, "an invalid instruction takes all the gas");
    assert_eq!(chain.storage(b, U256::ZERO), U256::ZERO);
    let r = chain.call(c, b"echo");
    assert!(r.success, "{:?}", r.error);
    assert!(r.output.is_empty(), "the identity precompile did not run");
    assert_eq!(chain.call(identity, b"echo").output.as_ref(), b"echo");
}

/// Set-code transactions need Prague, a target and at least one authorization.
fn set_code_transactions_are_checked(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain);
    let mut tx = set_code_tx(&chain, BOB, Vec::new());
    let out = chain.run_block(vec![tx.clone()]);
    assert_eq!(rejection(&out), &Rejection::Invalid(TxError::SetCode(SetCodeRule::EmptyAuthorizationList)));
    tx.authorization_list = vec![auth(0x7C, counter, 0)];
    tx.to = None;
    let out = chain.run_block(vec![tx.clone()]);
    assert_eq!(rejection(&out), &Rejection::Invalid(TxError::SetCode(SetCodeRule::NoCreate)));
    tx.to = Some(BOB);
    chain.block.fork = Fork::Cancun;
    let out = chain.run_block(vec![tx.clone()]);
    assert_eq!(rejection(&out), &Rejection::Invalid(TxError::TypeNotActive { tx_type: 4, fork: Fork::Cancun }));
    chain.block.fork = Fork::Prague;
    assert!(chain.send(tx).success);
}

/// EIP-7623: a transaction pays at least `21000 + 10 · tokens` (a zero byte one token, any
/// other four) from Prague on, and its gas limit must reach that floor.
fn calldata_floor_from_prague(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let nonzero = [0xAB; 100];
    // Intrinsic 21,000 + 16 · 100 = 22,600; floor 21,000 + 10 · 400 = 25,000.
    let tx = chain.tx(ALICE, Some(BOB), &nonzero, U256::ZERO, 100_000);
    assert_eq!(intrinsic_gas(&tx), 22_600);
    assert_eq!(wasm_runtime::exec::calldata_floor(&tx), 25_000);
    assert_eq!(chain.send(tx).gas_used, 25_000);
    // Zero bytes: intrinsic 21,000 + 4 · 100 = 21,400; floor 21,000 + 10 · 100 = 22,000.
    let tx = chain.tx(ALICE, Some(BOB), &[0u8; 100], U256::ZERO, 100_000);
    assert_eq!(chain.send(tx).gas_used, 22_000);
    let tx = chain.tx(ALICE, Some(BOB), &nonzero, U256::ZERO, 24_999);
    let out = chain.run_block(vec![tx.clone()]);
    assert_eq!(rejection(&out), &Rejection::Invalid(TxError::FloorGas { limit: 24_999, floor: 25_000 }));
    // Cancun has no floor.
    chain.block.fork = Fork::Cancun;
    assert_eq!(chain.send(tx).gas_used, 22_600);
}

/// EIP-7825: from Osaka a transaction may ask for at most 2^24 gas.
fn transaction_gas_cap_from_osaka(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let cap = 1u64 << 24;
    let tx = chain.tx(ALICE, Some(BOB), &[], U256::ZERO, cap + 1);
    let out = chain.run_block(vec![tx.clone()]);
    assert_eq!(rejection(&out), &Rejection::Invalid(TxError::GasLimitAboveCap { limit: cap + 1, cap: 16_777_216 }));
    assert!(rejection(&out).to_string().contains("16777217"));
    assert!(chain.send(chain.tx(ALICE, Some(BOB), &[], U256::ZERO, cap)).success);
    chain.block.fork = Fork::Prague;
    assert!(chain.send(chain.tx(ALICE, Some(BOB), &[], U256::ZERO, cap + 1)).success);
}

zkos_tests::engine_tests!(
    a_delegation_to_wasm_runs_its_code,
    a_delegation_to_evm_runs_its_code,
    a_delegation_to_native_code_runs_its_code,
    calls_to_a_delegated_account_pay_for_the_delegate,
    extcode_sees_the_designator,
    a_wasm_caller_reaches_delegated_code,
    authorizations_follow_the_rules,
    a_delegated_sender_may_send,
    delegations_do_not_chain_or_reach_precompiles,
    set_code_transactions_are_checked,
    calldata_floor_from_prague,
    transaction_gas_cap_from_osaka,
);
