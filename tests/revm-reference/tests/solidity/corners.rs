//! EVM corners through Solidity contracts: block environment, precompiles, gas stipends,
//! call depth, SELFDESTRUCT, EXTCODE*, an ERC1967 proxy.

use alloy_primitives::{keccak256, Address, U256};

use crate::abi::*;
use crate::compile::{code, Mode};
use crate::permit::*;
use crate::scenario::*;

pub(crate) fn evm_corners(mode: Mode) {
    let mut s = Scenario::new("corners", mode, &[OWNER, ALICE, BOB]);
    let env = s.deploy(OWNER, "Environment", &[]);
    let pre = s.deploy(OWNER, "Precompiles", &[]);
    let gas = s.deploy(OWNER, "Gas", &[]);
    let payee = s.deploy(OWNER, "Payee", &[]);
    let quiet = s.deploy(OWNER, "Quiet", &[]);
    let inspector = s.deploy(OWNER, "Inspector", &[]);
    let bomb_factory = s.deploy(OWNER, "BombFactory", &[]);
    let logic = s.deploy(OWNER, "Logic", &[]);
    let proxy = s.deploy(OWNER, "Proxy", &[addr(logic), bytes(&abi("initialize(uint256)", &[num(5)]))]);
    let bomb = s.create_address(OWNER);
    s.push(OWNER, None, U256::from(1234u64), code(mode, "Bomb"), GAS_LIMIT).created = Some(bomb);
    let nobody = Address::repeat_byte(0x5e);

    // The environment, as an EIP-1559 transaction of Alice's sees it.
    let gwei = 1_000_000_000u64;
    s.call(ALICE, env, "info()", &[]).returns(encode(&[
        num(0x10),
        num(TIMESTAMP),
        num(7 * gwei),
        num(1),
        addr("0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e".parse().unwrap()),
        num(0xabc),
        num(7 * gwei + GAS_PRICE / 5),
        addr(ALICE),
        num(60_000_000),
        num(1),
        num(0),
    ]));
    s.call(OWNER, env, "info()", &[]);
    s.call_value(ALICE, env, U256::from(7u64), "balances(address)", &[addr(BOB)]);
    s.call(ALICE, env, "gasLeft()", &[]);

    // Precompiles.
    let abc_sha = hex::decode("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").unwrap();
    let mut abc_ripe = hex::decode("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc").unwrap();
    abc_ripe.resize(32, 0);
    s.call(ALICE, pre, "hashes(bytes)", &[bytes(b"abc")]).returns(encode(&[
        Arg::Word(abc_sha.try_into().unwrap()),
        Arg::Word(abc_ripe.try_into().unwrap()),
        bytes(b"abc"),
    ]));
    s.call(ALICE, pre, "hashes(bytes)", &[bytes(&[0x5a; 1000])]);
    s.call(ALICE, pre, "modexp(uint256,uint256,uint256)", &[num(3), num(5), num(7)]).returns(uint(5));
    s.call(
        ALICE,
        pre,
        "modexp(uint256,uint256,uint256)",
        &[big(U256::MAX), big(U256::MAX - U256::from(1)), num(1_000_003)],
    );
    let dave_key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let digest = keccak256(b"zkos");
    let (v, r, sig_s) = sign(&dave_key, digest);
    s.call(ALICE, pre, "recover(bytes32,uint8,bytes32,bytes32)", &[word(digest), num(v), word(r), word(sig_s)])
        .returns(encode(&[addr(key_address(&dave_key))]));
    let raw = "raw(address,bytes,uint256)";
    let at = |n: u8| Address::with_last_byte(n);
    let g1 = [num(1), num(2)];
    let two_g: Vec<u8> = encode(&[
        big("0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3".parse().unwrap()),
        big("0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4".parse().unwrap()),
    ]);
    let ok_with = |out: &[u8]| encode(&[boolean(true), bytes(out)]);
    let failed = encode(&[boolean(false), bytes(&[])]);
    s.call(
        ALICE,
        pre,
        raw,
        &[addr(at(6)), bytes(&encode(&[g1[0].clone(), g1[1].clone(), num(1), num(2)])), num(100_000)],
    )
    .returns(ok_with(&two_g));
    s.call(ALICE, pre, raw, &[addr(at(6)), bytes(&encode(&[num(1), num(3), num(1), num(2)])), num(100_000)])
        .returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(7)), bytes(&encode(&[num(1), num(2), num(2)])), num(100_000)])
        .returns(ok_with(&two_g));
    s.call(ALICE, pre, raw, &[addr(at(8)), bytes(&[]), num(200_000)]).returns(ok_with(&uint(1)));
    s.call(ALICE, pre, raw, &[addr(at(8)), bytes(&[0; 191]), num(200_000)]).returns(failed.clone());
    // EIP-152's fifth test vector ("abc", 12 rounds).
    let mut blake_input = 12u32.to_be_bytes().to_vec();
    blake_input.extend(
        hex::decode(concat!(
            "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5",
            "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
        ))
        .unwrap(),
    );
    let mut message = b"abc".to_vec();
    message.resize(128, 0);
    blake_input.extend(message);
    blake_input.extend(3u128.to_le_bytes());
    blake_input.push(1);
    assert_eq!(blake_input.len(), 213);
    let blake_output = hex::decode(concat!(
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc95",
        "18d38aa8dbf1925ab92386edd4009923"
    ))
    .unwrap();
    s.call(ALICE, pre, raw, &[addr(at(9)), bytes(&blake_input), num(100_000)]).returns(ok_with(&blake_output));
    s.call(ALICE, pre, raw, &[addr(at(9)), bytes(&blake_input[..212]), num(100_000)]).returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(10)), bytes(&[1; 100]), num(100_000)]).returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(1)), bytes(&[0xff; 128]), num(100_000)]).returns(ok_with(&[]));
    s.call(ALICE, pre, raw, &[addr(at(2)), bytes(&[1; 64]), num(10)]).returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(4)), bytes(&[9; 3000]), num(100_000)]).returns(ok_with(&[9; 3000]));
    s.call(ALICE, pre, raw, &[addr(nobody), bytes(b"anyone?"), num(100_000)]).returns(ok_with(&[]));

    // Gas: stipends, explicit call gas, static-call violations, depth, memory, halts.
    let got = topic("Got(uint256)");
    s.call_value(ALICE, gas, U256::from(1000u64), "pay(address)", &[addr(payee)]).fails();
    s.call_value(ALICE, gas, U256::from(1000u64), "pay(address)", &[addr(quiet)]).returns(vec![]).logs(&[got]);
    s.call_value(ALICE, gas, U256::from(1000u64), "trySend(address)", &[addr(payee)])
        .returns(encode(&[boolean(false)]));
    let call_with_gas = "callWithGas(address,uint256,bytes)";
    s.call(ALICE, gas, call_with_gas, &[addr(payee), num(30_000), bytes(&[])]).returns(ok_with(&[]));
    s.call(ALICE, gas, call_with_gas, &[addr(payee), num(5_000), bytes(&[])]).returns(failed.clone());
    s.call(ALICE, payee, "hits()", &[]).returns(uint(1));
    s.call(ALICE, gas, "staticBump()", &[]).returns(encode(&[boolean(false)]));
    s.call(ALICE, gas, "bump()", &[]).returns(uint(1));
    s.push(ALICE, Some(gas), U256::ZERO, abi("depth(uint256)", &[num(2000)]), 15_000_000);
    s.call(ALICE, gas, "depth(uint256)", &[num(10)]).returns(uint(10));
    s.call(ALICE, gas, "bigMemory(uint256)", &[num(100_000)]);
    s.call(ALICE, gas, "bigMemory(uint256)", &[num(50_000_000)]).fails();
    s.call(ALICE, gas, "bigLog(uint256)", &[num(10_000)]).logs(&[topic("Blob(bytes)")]);
    s.call(ALICE, gas, "invalidOpcode()", &[]).fails();
    s.call(ALICE, gas, "badReturnDataCopy()", &[]).fails();
    s.call(ALICE, gas, "copyAround(bytes)", &[bytes(b"0123456789")]).returns(encode(&[bytes(b"0120123456")]));

    // SELFDESTRUCT (EIP-6780): an old contract only pays out; one created in the same
    // transaction goes.
    s.call(OWNER, bomb, "boom(address)", &[addr(BOB)]).returns(vec![]);
    let short_lived = bomb_factory.create(1);
    s.call_value(OWNER, bomb_factory, U256::from(50u64), "createAndBoom(address)", &[addr(BOB)]);
    let bomb_probe = s.txs.len();
    s.call(OWNER, inspector, "codeOf(address)", &[addr(bomb)]);
    s.call(OWNER, inspector, "codeOf(address)", &[addr(short_lived)]).returns(encode(&[num(0), num(0), bytes(&[])]));

    // Code introspection sees the EVM code, not what it was compiled to.
    s.call(OWNER, inspector, "sizeInConstructor()", &[]).returns(uint(0));
    let empty_hash = keccak256([]);
    s.call(OWNER, inspector, "codeOf(address)", &[addr(ALICE)]).returns(encode(&[
        num(0),
        word(empty_hash),
        bytes(&[]),
    ]));
    s.call(OWNER, inspector, "codeOf(address)", &[addr(nobody)]).returns(encode(&[num(0), num(0), bytes(&[])]));
    let payee_probe = s.txs.len();
    s.call(OWNER, inspector, "codeOf(address)", &[addr(payee)]);
    s.call(OWNER, inspector, "codeOf(address)", &[addr(at(1))]);
    s.call(OWNER, inspector, "codeSlice(address,uint256,uint256)", &[addr(payee), num(150), num(100)]);
    s.call(OWNER, inspector, "codeSlice(address,uint256,uint256)", &[addr(payee), num(1 << 40), num(33)])
        .returns(encode(&[bytes(&[0; 33])]));
    let own_probe = s.txs.len();
    s.call(OWNER, inspector, "ownCode()", &[]);

    // DELEGATECALL through an ERC1967 proxy: the logic's code on the proxy's storage.
    let add = "add(int256)";
    s.call(ALICE, proxy, add, &[num(3)]).returns(uint(8));
    s.call(ALICE, proxy, add, &[big(U256::MAX)]).reverts(abi("Negative(int256)", &[big(U256::MAX)]));
    s.call(ALICE, proxy, "whereAmI()", &[]).returns(encode(&[addr(proxy)]));
    s.call(ALICE, proxy, "lastCaller()", &[]).returns(encode(&[addr(ALICE)]));
    s.call(ALICE, logic, "value()", &[]).returns(uint(0));
    s.call(ALICE, proxy, "initialize(uint256)", &[num(1)]).reverts(error_string("initialized"));
    s.push(ALICE, Some(proxy), U256::from(99u64), vec![], 100_000).returns(vec![]);

    let report = s.run();
    // The bomb kept its code; the payee's code as read by EXTCODECOPY is the runtime part of
    // its creation code, with the matching EXTCODEHASH; CODECOPY agrees.
    let bomb_code = dynamic_bytes(&output_of(&report, bomb_probe), 2);
    assert!(!bomb_code.is_empty());
    let probe = output_of(&report, payee_probe);
    let payee_code = dynamic_bytes(&probe, 2);
    assert_eq!(U256::from_be_slice(&probe[..32]), U256::from(payee_code.len()));
    assert_eq!(&probe[32..64], keccak256(&payee_code).as_slice());
    assert!(
        code(mode, "Payee").windows(payee_code.len()).any(|w| w == payee_code),
        "runtime code inside the creation code"
    );
    let own = dynamic_bytes(&output_of(&report, own_probe), 0);
    assert!(code(mode, "Inspector").len() > own.len() && !own.is_empty());
    assert_eq!(balance_after(&report, BOB).map(|b| b > ether(999)), Some(true));
    let implementation = U256::from_be_bytes(keccak256(b"eip1967.proxy.implementation").0) - U256::from(1u64);
    assert_eq!(slot_after(&report, proxy, implementation), Some(U256::from_be_slice(logic.as_slice())));
    assert_eq!(slot_after(&report, proxy, U256::ZERO), Some(U256::from(8u64)));
    assert_eq!(balance_after(&report, proxy), Some(U256::from(99u64)));
}
