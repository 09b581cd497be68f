//! The Rust and AssemblyScript example contracts (examples/out, built by examples/build.sh)
//! deployed and used through the system layer, on every engine.

use alloy_primitives::{keccak256, B256, U256};
use wasm_runtime::engine::EngineKind;
use zkos_tests::{address_word as word_addr, calldata, envelope, example, word as u, Chain, ALICE, BOB};

/// abi.encode(string, string).
fn encode_two_strings(a: &str, b: &str) -> Vec<u8> {
    fn padded(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.resize(s.len().div_ceil(32) * 32, 0);
        v
    }
    let a_len = 32 + padded(a).len();
    let mut out = Vec::new();
    out.extend_from_slice(&u(64));
    out.extend_from_slice(&u(64 + a_len as u64));
    out.extend_from_slice(&u(a.len() as u64));
    out.extend_from_slice(&padded(a));
    out.extend_from_slice(&u(b.len() as u64));
    out.extend_from_slice(&padded(b));
    out
}

fn counter_works(engine: EngineKind, name: &str) {
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&envelope(&example(name), &[]), &u(41));
    assert!(r.success, "{:?}", r.error);
    let counter = r.contract_address.unwrap();
    let r = chain.call(counter, &calldata("increment()", &[]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].topics()[0], keccak256("Incremented(address,uint256)"));
    assert_eq!(r.logs[0].topics()[1], B256::from(word_addr(ALICE)));
    assert_eq!(r.logs[0].data.data.as_ref(), &u(42));
    let r = chain.call(counter, &calldata("get()", &[]));
    assert_eq!(r.output.as_ref(), &u(42));
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(42u64));
    // Unknown selector: reverts with empty data.
    let r = chain.call(counter, &calldata("nope()", &[]));
    assert!(!r.success && r.output.is_empty());
}

fn rust_counter(engine: EngineKind) {
    counter_works(engine, "counter");
}

fn assemblyscript_counter(engine: EngineKind) {
    counter_works(engine, "as-counter");
}

fn erc20_transfers_and_reverts(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let constants = encode_two_strings("Zk Token", "ZKT");
    let r = chain.deploy(&envelope(&example("erc20"), &constants), &u(1_000_000));
    assert!(r.success, "{:?}", r.error);
    let token = r.contract_address.unwrap();
    let balance_of = |chain: &mut Chain, who| {
        let r = chain.call(token, &calldata("balanceOf(address)", &[word_addr(who)]));
        U256::from_be_slice(&r.output)
    };
    assert_eq!(balance_of(&mut chain, ALICE), U256::from(1_000_000u64));
    let r = chain.call(token, &calldata("name()", &[]));
    assert!(r.output.windows(8).any(|w| w == b"Zk Token"), "name comes from the constants");

    let r = chain.call(token, &calldata("transfer(address,uint256)", &[word_addr(BOB), u(250)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(1));
    assert_eq!(r.logs[0].topics()[0], keccak256("Transfer(address,address,uint256)"));
    assert_eq!(balance_of(&mut chain, BOB), U256::from(250u64));
    assert_eq!(balance_of(&mut chain, ALICE), U256::from(999_750u64));

    // Too much: reverts with Error(string), balances unchanged.
    let r = chain.call(token, &calldata("transfer(address,uint256)", &[word_addr(BOB), u(10_000_000)]));
    assert!(!r.success);
    assert_eq!(&r.output[..4], &[0x08, 0xc3, 0x79, 0xa0]);
    assert!(r.output.windows(20).any(|w| w == b"transfer amount exce"));
    assert_eq!(balance_of(&mut chain, BOB), U256::from(250u64));

    // approve + transferFrom by BOB.
    let r = chain.call(token, &calldata("approve(address,uint256)", &[word_addr(BOB), u(100)]));
    assert!(r.success);
    let tx = chain.tx(
        BOB,
        Some(token),
        &calldata("transferFrom(address,address,uint256)", &[word_addr(ALICE), word_addr(BOB), u(60)]),
        U256::ZERO,
        1_000_000,
    );
    let r = chain.send(tx);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(balance_of(&mut chain, BOB), U256::from(310u64));
    let r = chain.call(token, &calldata("allowance(address,address)", &[word_addr(ALICE), word_addr(BOB)]));
    assert_eq!(r.output.as_ref(), &u(40));
}

fn caller_forwards_and_bubbles(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&envelope(&example("counter"), &[]), &u(7));
    let counter = r.contract_address.unwrap();
    let r = chain.deploy(&envelope(&example("caller"), &[]), &[]);
    assert!(r.success, "{:?}", r.error);
    let caller = r.contract_address.unwrap();
    // forward(counter, 0, get()) returns the counter's output unchanged.
    let inner = calldata("get()", &[]);
    let mut data =
        calldata("forward(address,uint256,bytes)", &[word_addr(counter), u(0), u(96), u(inner.len() as u64)]);
    let mut padded = inner.clone();
    padded.resize(32, 0);
    data.extend_from_slice(&padded);
    let r = chain.call(caller, &data);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(7));
    // A reverting callee (unknown selector) makes the forwarder revert too.
    let inner = calldata("nope()", &[]);
    let mut data = calldata("forward(address,uint256,bytes)", &[word_addr(counter), u(0), u(96), u(4)]);
    let mut padded = inner;
    padded.resize(32, 0);
    data.extend_from_slice(&padded);
    let r = chain.call(caller, &data);
    assert!(!r.success);
}

zkos_tests::engine_tests!(
    rust_counter,
    assemblyscript_counter,
    erc20_transfers_and_reverts,
    caller_forwards_and_bubbles
);
