//! The other OpenZeppelin scenarios: transient storage with a reentrancy guard, custom
//! errors caught and re-raised, a CREATE2 factory.

use alloy_primitives::{keccak256, Address, B256, U256};

use crate::abi::*;
use crate::compile::{code, Mode};
use crate::scenario::*;

pub(crate) fn transient_storage(mode: Mode) {
    let mut s = Scenario::new("transient", mode, &[OWNER, ALICE]);
    let vault = s.deploy(OWNER, "Vault", &[]);
    let attacker = s.deploy(ALICE, "Attacker", &[addr(vault)]);
    let counter = s.deploy(OWNER, "TransientCounter", &[]);
    let echo = s.deploy(OWNER, "Echo", &[]);
    let deposit = topic("Deposit(address,uint256)");
    let withdrawal = topic("Withdrawal(address,uint256)");
    let reentrant = selector("ReentrancyGuardReentrantCall()").to_vec();
    let attack = "attack(uint256,uint256)";

    // An honest round trip, then a re-entry that bubbles, then one that is swallowed.
    s.call_value(ALICE, attacker, ether(1), attack, &[num(0), big(ether(1) / U256::from(4))])
        .returns(vec![])
        .logs(&[deposit, withdrawal]);
    s.call_value(ALICE, attacker, ether(1), attack, &[num(1), num(100)])
        .reverts(abi("SendFailed(bytes)", &[bytes(&reentrant)]));
    s.call_value(ALICE, attacker, ether(1), attack, &[num(2), num(100)]).returns(vec![]).logs(&[deposit, withdrawal]);
    s.call(ALICE, attacker, "reentries()", &[]).returns(uint(1));
    s.call(ALICE, attacker, "guardSeen()", &[]).returns(encode(&[boolean(true)]));
    s.call(ALICE, attacker, "lastError()", &[]).returns(encode(&[bytes(&reentrant)]));
    s.call(ALICE, vault, "guarded()", &[]).returns(encode(&[boolean(false)]));
    s.call(ALICE, vault, "balanceOf(address)", &[addr(attacker)])
        .returns(encode(&[big(ether(2) - ether(1) / U256::from(4) - U256::from(100u64))]));
    s.call(ALICE, vault, "withdraw(uint256)", &[num(1)])
        .reverts(abi("Insufficient(uint256,uint256)", &[num(0), num(1)]));
    s.call_value(ALICE, vault, U256::from(5u64), "deposit()", &[]).returns(vec![]).logs(&[deposit]);
    s.call(ALICE, vault, "withdraw(uint256)", &[num(5)]).returns(vec![]).logs(&[withdrawal]);

    // The `transient` variable: counted within a transaction, zero again in the next one.
    s.call(OWNER, counter, "bumpTwice()", &[]).returns(uint(2));
    s.call(OWNER, counter, "peek()", &[]).returns(uint(0));
    s.call(OWNER, counter, "bump()", &[]).returns(uint(1));
    s.call(OWNER, counter, "bumpThenFail()", &[]).reverts(abi("Boom(uint256)", &[num(1)]));
    s.call(OWNER, counter, "bumpInRevertedFrame()", &[]).returns(encode(&[num(2), num(1)]));
    s.call(OWNER, counter, "lastSeen()", &[]).returns(uint(1));
    s.call(OWNER, counter, "afterRevert()", &[]).returns(uint(1));
    let key = keccak256(b"zkos transient key");
    s.call(OWNER, counter, "roundTrip(bytes32,uint256,address)", &[word(key), num(77), addr(echo)]).returns(uint(77));
    s.call(OWNER, counter, "tget(bytes32)", &[word(key)]).returns(uint(0));
    let report = s.run();
    let paid_out = ether(1) / U256::from(4) + U256::from(100u64) + U256::from(5u64);
    assert_eq!(balance_after(&report, vault), Some(ether(2) + U256::from(5u64) - paid_out));
}

pub(crate) fn custom_errors(mode: Mode) {
    let mut s = Scenario::new("custom-errors", mode, &[OWNER, ALICE]);
    let thrower = s.deploy(OWNER, "Thrower", &[]);
    let catcher = s.deploy(OWNER, "Catcher", &[addr(thrower)]);
    let insufficient = |a: u64, r: u64| abi("Insufficient(uint256,uint256)", &[num(a), num(r)]);
    let denied = |who: Address| abi("Denied(address,string)", &[addr(who), bytes(b"not today")]);

    s.call(ALICE, thrower, "spend(uint256,uint256)", &[num(10), num(3)]).returns(uint(7));
    s.call(ALICE, thrower, "spend(uint256,uint256)", &[num(3), num(10)]).reverts(insufficient(3, 10));
    s.call(ALICE, thrower, "deny()", &[]).reverts(denied(ALICE));
    s.call(ALICE, thrower, "nothing()", &[]).reverts(selector("Nothing()").to_vec());
    s.call(ALICE, thrower, "message(uint256)", &[num(13)]).reverts(error_string("unlucky number"));
    s.call(ALICE, thrower, "message(uint256)", &[num(12)]).returns(uint(12));
    s.call(ALICE, thrower, "divide(uint256,uint256)", &[num(1), num(0)]).reverts(panic_code(0x12));
    s.call(ALICE, thrower, "overflow(uint256)", &[big(U256::MAX)]).reverts(panic_code(0x11));
    s.call(ALICE, thrower, "ownerOnly()", &[]).reverts(abi("OwnableUnauthorizedAccount(address)", &[addr(ALICE)]));
    s.call(OWNER, thrower, "ownerOnly()", &[]).returns(uint(42));
    s.call(ALICE, thrower, "empty()", &[]).reverts(vec![]);
    // An unknown selector hits no fallback.
    s.push(ALICE, Some(thrower), U256::ZERO, vec![0x12, 0x34, 0x56, 0x78], 100_000).reverts(vec![]);

    // Caught and re-raised wrapped (the catcher's own count is undone with it), caught and
    // bubbled unchanged, caught and classified.
    s.call(ALICE, catcher, "spendOrWrap(uint256,uint256)", &[num(3), num(10)])
        .reverts(abi("Wrapped(uint256,uint256,uint256)", &[num(3), num(10), num(1)]));
    s.call(ALICE, catcher, "spendOrWrap(uint256,uint256)", &[num(10), num(3)]).returns(uint(7));
    s.call(ALICE, catcher, "denyThrough()", &[]).reverts(denied(catcher));
    let classify = "classify(bytes)";
    let custom = topic("CaughtCustom(bytes4,bytes)");
    s.call(ALICE, catcher, classify, &[bytes(&abi("deny()", &[]))])
        .returns(encode(&[num(3), bytes(&denied(catcher))]))
        .logs(&[custom]);
    s.call(ALICE, catcher, classify, &[bytes(&abi("message(uint256)", &[num(13)]))])
        .returns(encode(&[num(1), bytes(&error_string("unlucky number"))]))
        .logs(&[topic("CaughtString(string)")]);
    s.call(ALICE, catcher, classify, &[bytes(&abi("divide(uint256,uint256)", &[num(1), num(0)]))])
        .returns(encode(&[num(2), bytes(&panic_code(0x12))]))
        .logs(&[topic("CaughtPanic(uint256)")]);
    s.call(ALICE, catcher, classify, &[bytes(&abi("empty()", &[]))]).returns(encode(&[num(4), bytes(&[])]));
    s.call(ALICE, catcher, classify, &[bytes(&abi("spend(uint256,uint256)", &[num(10), num(3)]))])
        .returns(encode(&[num(0), bytes(&uint(7))]));
    s.call(ALICE, catcher, "typed(uint256,uint256)", &[num(1), num(0)]).returns(uint(1000 + 0x12));
    s.call(ALICE, catcher, "typed(uint256,uint256)", &[num(10), num(2)]).returns(uint(5));
    s.call(ALICE, catcher, "caught()", &[]).returns(uint(5));
    s.call(ALICE, thrower, "writes()", &[]).returns(uint(3));
    s.run();
}

pub(crate) fn create2_factory(mode: Mode) {
    let mut s = Scenario::new("create2", mode, &[OWNER, ALICE, BOB]);
    let factory = s.deploy(OWNER, "Factory", &[]);
    let child_at = |salt: B256, owner: Address, value: u64| {
        let mut init = code(mode, "Child");
        init.extend(encode(&[addr(owner), num(value)]));
        factory.create2(salt, keccak256(&init))
    };
    let salt = |n: u8| B256::repeat_byte(n);
    let deployed = topic("Deployed(address,bytes32)");
    let deploy = "deploy(bytes32,address,uint256)";
    let deploy_raw = "deployRaw(bytes32,address,uint256)";
    let first = child_at(salt(1), ALICE, 5);

    s.call(ALICE, factory, "predict(bytes32,address,uint256)", &[word(salt(1)), addr(ALICE), num(5)])
        .returns(encode(&[addr(first)]));
    s.call_value(ALICE, factory, U256::from(100u64), deploy, &[word(salt(1)), addr(ALICE), num(5)])
        .returns(encode(&[addr(first)]))
        .logs(&[deployed]);
    // The same salt and code again: `new` fails with no data, Create2.deploy with its error.
    s.call(ALICE, factory, deploy, &[word(salt(1)), addr(ALICE), num(5)]).reverts(vec![]);
    s.call(ALICE, factory, deploy_raw, &[word(salt(1)), addr(ALICE), num(5)])
        .reverts(selector("FailedDeployment()").to_vec());
    // The same salt with other constructor arguments is another address.
    s.call(ALICE, factory, deploy_raw, &[word(salt(1)), addr(ALICE), num(6)])
        .returns(encode(&[addr(child_at(salt(1), ALICE, 6))]))
        .logs(&[deployed]);
    // A constructor that reverts: its error comes through `new`.
    s.call(ALICE, factory, deploy, &[word(salt(3)), addr(ALICE), num(5000)])
        .reverts(abi("TooBig(uint256,uint256)", &[num(5000), num(1000)]));
    // The deployed child works.
    s.call(ALICE, first, "set(uint256)", &[num(9)]).returns(vec![]).logs(&[topic("Set(uint256,uint256)")]);
    s.call(BOB, first, "set(uint256)", &[num(10)]).reverts(error_string("not the owner"));
    s.call(BOB, first, "value()", &[]).returns(uint(9));
    s.call(BOB, first, "factory()", &[]).returns(encode(&[addr(factory)]));
    s.call(BOB, first, "owner()", &[]).returns(encode(&[addr(ALICE)]));
    s.call(BOB, first, "balance()", &[]).returns(uint(100));
    // Two attempts at one salt within one call: the first stays, the second fails.
    s.call(BOB, factory, "deployTwice(bytes32,address)", &[word(salt(4)), addr(BOB)])
        .returns(encode(&[addr(child_at(salt(4), BOB, 1)), boolean(false)]));
    s.call(BOB, factory, "deployed()", &[]).returns(uint(3));
    // A creation transaction whose constructor reverts.
    let failed_at = s.create_address(BOB);
    let mut init = code(mode, "Child");
    init.extend(encode(&[addr(BOB), num(2000)]));
    s.push(BOB, None, U256::ZERO, init, GAS_LIMIT).reverts(abi("TooBig(uint256,uint256)", &[num(2000), num(1000)]));
    // And one that succeeds, directly from an account.
    let direct = s.deploy(BOB, "Child", &[addr(BOB), num(1)]);
    s.call(BOB, direct, "factory()", &[]).returns(encode(&[addr(BOB)]));
    let report = s.run();
    assert_eq!(balance_after(&report, first), Some(U256::from(100u64)));
    assert_ne!(failed_at, direct);
}
