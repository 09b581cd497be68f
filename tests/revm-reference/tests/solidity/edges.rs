//! Gas and state edges: SSTORE refunds and their cap, code and initcode size limits,
//! CREATE nonces, value sent to new accounts and precompiles, access lists.

use alloy_primitives::{Address, B256, U256};

use crate::abi::*;
use crate::compile::Mode;
use crate::scenario::*;

pub(crate) fn gas_and_state_edges(mode: Mode) {
    let mut s = Scenario::new("edges", mode, &[OWNER, ALICE]);
    let edges = s.deploy(OWNER, "Edges", &[]);
    let failed_create = |size: u64| abi("CreateFailed(uint256)", &[num(size)]);
    s.call(OWNER, edges, "setMany(uint256)", &[num(100)]).returns(vec![]);
    // A refund above the cap of a fifth of the gas used.
    s.call(OWNER, edges, "clearMany(uint256)", &[num(100)]).returns(vec![]);
    s.call(ALICE, edges, "flip()", &[]).returns(uint(7));
    // EIP-170: 24576 bytes of code deploy, one more does not; EIP-3541: no 0xEF code.
    let deploy_code = "deployCode(uint256,uint8)";
    // (200 gas a byte of code: more than the usual transaction gas.)
    s.push(OWNER, Some(edges), U256::ZERO, abi(deploy_code, &[num(24_576), num(0)]), 10_000_000)
        .returns(encode(&[addr(edges.create(1))]));
    s.push(OWNER, Some(edges), U256::ZERO, abi(deploy_code, &[num(24_577), num(0)]), 10_000_000)
        .reverts(failed_create(24_577));
    s.call(OWNER, edges, deploy_code, &[num(10), num(0xef)]).reverts(failed_create(10));
    s.call(OWNER, edges, deploy_code, &[num(10), num(0xfe)]).returns(encode(&[addr(edges.create(2))]));
    // EIP-3860: CREATE with more than 49152 bytes of initcode halts the frame.
    let probe = "probe(bytes)";
    s.call(OWNER, edges, probe, &[bytes(&abi("bigInitcode(uint256)", &[num(49_153)]))])
        .returns(encode(&[boolean(false), bytes(&[])]));
    s.call(OWNER, edges, probe, &[bytes(&abi("bigInitcode(uint256)", &[num(49_152)]))])
        .returns(encode(&[boolean(true), bytes(&encode(&[addr(edges.create(3))]))]));
    s.call(OWNER, edges, "createTwo()", &[]).returns(encode(&[addr(edges.create(4)), addr(edges.create(5))]));
    // Value: to a new account, to a precompile, more than the contract holds.
    let fresh = Address::repeat_byte(0xf0);
    let send = "send(address,uint256)";
    s.call_value(ALICE, edges, U256::from(1000u64), send, &[addr(fresh), num(600)]).returns(encode(&[boolean(true)]));
    s.call(ALICE, edges, send, &[addr(Address::with_last_byte(2)), num(1)]).returns(encode(&[boolean(true)]));
    s.call(ALICE, edges, send, &[addr(fresh), big(ether(1))]).returns(encode(&[boolean(false)]));
    s.call(ALICE, edges, "coinbaseBalance()", &[]);
    s.push(ALICE, Some(edges), U256::from(3u64), vec![], 100_000).returns(vec![]);
    // Creation transactions with initcode at and above the EIP-3860 limit.
    let at_limit = s.create_address(OWNER);
    s.push(OWNER, None, U256::ZERO, vec![0; 49_152], GAS_LIMIT).created = Some(at_limit);
    let too_big = s.txs.len();
    s.push_rejected(OWNER, None, U256::ZERO, vec![0; 49_153], GAS_LIMIT);
    // Access lists: warm slots and accounts bought up front.
    s.call(OWNER, edges, "flip()", &[]).returns(uint(7));
    s.with_access_list(&[(edges, vec![U256::from(150u64), U256::from(200u64)]), (fresh, vec![])]);
    s.call(ALICE, edges, "slots(uint256)", &[num(3)]).returns(uint(0));
    s.with_access_list(&[(edges, vec![U256::from(3u64)])]);
    // Precompiles called directly by transactions.
    let abc_sha = "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".parse::<B256>().unwrap();
    s.push(ALICE, Some(Address::with_last_byte(2)), U256::ZERO, b"abc".to_vec(), 100_000).returns(abc_sha.to_vec());
    s.push(ALICE, Some(Address::with_last_byte(1)), U256::from(1u64), vec![0xff; 128], 100_000).returns(vec![]);
    s.push(ALICE, Some(Address::with_last_byte(10)), U256::ZERO, vec![1; 100], 100_000).fails();
    s.push(ALICE, Some(Address::with_last_byte(5)), U256::ZERO, vec![], 100_000).returns(vec![]);
    let report = s.run();
    assert_eq!(slot_after(&report, edges, U256::from(200u64)), Some(U256::from(7u64)), "marker is back to 7");
    assert_eq!(slot_after(&report, edges, U256::from(150u64)), None, "slot 150 is back to zero");
    assert_eq!(balance_after(&report, fresh), Some(U256::from(600u64)));
    assert_eq!(report["transactions"][too_big]["gasUsed"].as_u64(), Some(0));
}
