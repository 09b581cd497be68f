//! Cross-kind calls: a Solidity contract (EVM bytecode compiled by solc-js from
//! tests/solidity) and the WASM example contracts (examples/out) calling each other in one
//! state, with return data, reverts and gas crossing the boundary, and deployment artifacts
//! built once per code.

use std::sync::OnceLock;

use alloy_primitives::{Address, U256};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::exec::{execute_block_in, ArtifactCache, System};
use zkos_tests::{address_word as a, calldata, envelope, example, selector, word as u, Chain, ALICE, BOB};

/// Creation bytecode of a contract of tests/solidity, compiled once per test binary.
fn solidity(name: &str) -> Vec<u8> {
    static OUT: OnceLock<String> = OnceLock::new();
    let json = OUT.get_or_init(|| {
        let script = format!("{}/solidity/compile.js", env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new("node")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("running node {script}: {e} (node and npm are needed)"));
        assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("compile.js prints JSON")
    });
    // The output is flat: {"compiler": "...", "contracts": {"Name": "hex", ...}}.
    let key = format!("\"{name}\":\"");
    let start = json.find(&key).unwrap_or_else(|| panic!("no contract {name} in {json}")) + key.len();
    let end = start + json[start..].find('"').expect("closing quote");
    hex::decode(&json[start..end]).expect("bytecode is hex")
}

/// Length word and zero-padded contents of a dynamic `bytes`/`string`.
fn tail(bytes: &[u8]) -> Vec<u8> {
    let mut out = u(bytes.len() as u64).to_vec();
    out.extend_from_slice(bytes);
    out.resize(32 + bytes.len().div_ceil(32) * 32, 0);
    out
}

/// Calldata of `sig(address, uint256, bytes)` (the caller's forward functions).
fn forward(target: Address, inner: &[u8]) -> Vec<u8> {
    let mut out = calldata("forward(address,uint256,bytes)", &[a(target), u(0), u(96)]);
    out.extend_from_slice(&tail(inner));
    out
}

/// `Error(string)` revert data.
fn error_string(msg: &str) -> Vec<u8> {
    let mut out = selector("Error(string)").to_vec();
    out.extend_from_slice(&u(32));
    out.extend_from_slice(&tail(msg.as_bytes()));
    out
}

/// Decodes the dynamic value (`bytes` or `string`) whose offset is in word `index` of `out`.
fn dynamic_at(out: &[u8], index: usize) -> Vec<u8> {
    let word = |at: usize| U256::from_be_slice(&out[at..at + 32]).to::<usize>();
    let offset = word(index * 32);
    let len = word(offset);
    out[offset + 32..offset + 32 + len].to_vec()
}

struct Setup {
    chain: Chain,
    token: Address,
    counter: Address,
    caller: Address,
    bridge: Address,
}

/// The erc20 (1,000,000 to ALICE, 500 of them then sent to the bridge), the counter at 7,
/// the caller forwarder and the Solidity `Bridge`.
fn setup(engine: EngineKind) -> Setup {
    let mut chain = Chain::new(engine);
    let mut constants = u(64).to_vec();
    constants.extend_from_slice(&u(128));
    constants.extend_from_slice(&tail(b"Zk Token"));
    constants.extend_from_slice(&tail(b"ZKT"));
    let deploy = |chain: &mut Chain, init: &[u8], args: &[u8]| {
        let r = chain.deploy(init, args);
        assert!(r.success, "{:?}", r.error);
        r.contract_address.expect("created address")
    };
    let token = deploy(&mut chain, &envelope(&example("erc20"), &constants), &u(1_000_000));
    let counter = deploy(&mut chain, &envelope(&example("counter"), &[]), &u(7));
    let caller = deploy(&mut chain, &envelope(&example("caller"), &[]), &[]);
    let bridge = deploy(&mut chain, &solidity("Bridge"), &[]);
    let r = chain.call(token, &calldata("transfer(address,uint256)", &[a(bridge), u(500)]));
    assert!(r.success, "{:?}", r.error);
    Setup { chain, token, counter, caller, bridge }
}

fn solidity_calls_wasm(engine: EngineKind) {
    let Setup { mut chain, token, counter, bridge, .. } = setup(engine);
    // A view call whose ABI-encoded uint256 Solidity decodes and returns.
    let r = chain.call(bridge, &calldata("balanceIn(address,address)", &[a(token), a(ALICE)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(999_500));
    // A state-changing call: the token sees the bridge as msg.sender.
    let r = chain.call(bridge, &calldata("pay(address,address,uint256)", &[a(token), a(BOB), u(200)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), [u(1), u(300)].concat());
    assert_eq!(r.logs.len(), 1, "the token's Transfer log is kept");
    assert_eq!(r.logs[0].address, token);
    let r = chain.call(token, &calldata("balanceOf(address)", &[a(BOB)]));
    assert_eq!(r.output.as_ref(), &u(200));
    // Several calls into one WASM contract from one Solidity frame.
    let r = chain.call(bridge, &calldata("bumpTwice(address)", &[a(counter)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(9));
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(9u64));
    assert_eq!(chain.storage(bridge, U256::ZERO), U256::from(1u64));
}

fn wasm_calls_solidity(engine: EngineKind) {
    let Setup { mut chain, caller, bridge, .. } = setup(engine);
    let r = chain.call(caller, &forward(bridge, &calldata("add(uint256,uint256)", &[u(2), u(40)])));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(42));
    // Solidity state written through the WASM forwarder.
    let r = chain.call(caller, &forward(bridge, &calldata("calls()", &[])));
    assert_eq!(r.output.as_ref(), &u(0));
}

fn reverts_cross_both_ways(engine: EngineKind) {
    let Setup { mut chain, token, caller, bridge, .. } = setup(engine);
    // Solidity's require(false, msg) bubbles unchanged through the WASM forwarder.
    let r = chain.call(caller, &forward(bridge, &calldata("fail()", &[])));
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), error_string("solidity says no"));
    // A custom error too; msg.sender inside Solidity is the WASM forwarder.
    let r = chain.call(caller, &forward(bridge, &calldata("failCustom(uint256)", &[u(77)])));
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), calldata("Custom(uint256,address)", &[u(77), a(caller)]));

    // A WASM revert caught by Solidity's try/catch as Error(string).
    let too_much = calldata("tryPay(address,address,uint256)", &[a(token), a(BOB), u(501)]);
    let r = chain.call(bridge, &too_much);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(dynamic_at(&r.output, 0), b"ERC20: transfer amount exceeds balance");
    let ok = calldata("tryPay(address,address,uint256)", &[a(token), a(BOB), u(500)]);
    let r = chain.call(bridge, &ok);
    assert!(r.success, "{:?}", r.error);
    assert!(dynamic_at(&r.output, 0).is_empty(), "the transfer succeeded");
    // A low-level call sees the WASM revert data, and the reverted transfer changed nothing.
    let inner = calldata("transfer(address,uint256)", &[a(BOB), u(1)]);
    let mut data = calldata("raw(address,bytes)", &[a(token), u(64)]);
    data.extend_from_slice(&tail(&inner));
    let r = chain.call(bridge, &data);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(&r.output[..32], &u(0), "call status false");
    assert_eq!(dynamic_at(&r.output, 1), error_string("ERC20: transfer amount exceeds balance"));
    let r = chain.call(token, &calldata("balanceOf(address)", &[a(BOB)]));
    assert_eq!(r.output.as_ref(), &u(500));
    let r = chain.call(token, &calldata("balanceOf(address)", &[a(bridge)]));
    assert_eq!(r.output.as_ref(), &u(0));
}

/// The gas a WASM callee uses, seen from a Solidity frame through `gasleft()`, is the gas
/// the same call costs as a transaction: the difference between two callees (same calldata
/// length, same call overhead) is the same on both sides.
fn gas_is_one_unit(engine: EngineKind) {
    let Setup { mut chain, counter, bridge, .. } = setup(engine);
    let increment = calldata("increment()", &[]);
    let get = calldata("get()", &[]);
    // Both selectors are four nonzero bytes: the same intrinsic gas.
    assert!(increment.iter().chain(&get).all(|&b| b != 0));
    let direct_inc = chain.call(counter, &increment);
    let direct_get = chain.call(counter, &get);
    assert!(direct_inc.success && direct_get.success);
    let spent = |chain: &mut Chain, inner: &[u8]| {
        let mut data = calldata("spent(address,bytes)", &[a(counter), u(64)]);
        data.extend_from_slice(&tail(inner));
        let r = chain.call(bridge, &data);
        assert!(r.success, "{:?}", r.error);
        U256::from_be_slice(&r.output).to::<u64>()
    };
    let seen_inc = spent(&mut chain, &increment);
    let seen_get = spent(&mut chain, &get);
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(9u64), "both increments ran");
    // A cold call costs at least 2600 before the callee runs.
    assert!(seen_get > 2600, "{seen_get}");
    let receipts = direct_inc.gas_used - direct_get.gas_used;
    // increment() pays beyond get() at least an SSTORE to a warm slot changing a nonzero
    // value (2900) and a LOG2 with one word of data (375 + 2·375 + 8·32 = 1381).
    assert!(receipts > 2900 + 1381, "an SSTORE and a log: {receipts}");
    assert_eq!(seen_inc - seen_get, receipts, "gasleft() differences in Solidity = receipt gas differences");
}

/// Calls to an EVM contract in later transactions of a block load its artifact: the EVM
/// code is transpiled once, the WASM code normalized once.
fn artifacts_are_built_once(engine: EngineKind) {
    let Setup { chain, counter, caller, bridge, .. } = setup(engine);
    let nonce0 = chain.account(ALICE).expect("funded").nonce;
    let mut txs = Vec::new();
    for i in 0..3u64 {
        let mut tx =
            chain.tx(ALICE, Some(bridge), &calldata("bumpTwice(address)", &[a(counter)]), U256::ZERO, 1_000_000);
        tx.nonce = nonce0 + i;
        tx.hash = alloy_primitives::B256::with_last_byte(tx.nonce as u8);
        txs.push(tx);
    }
    // Then the WASM forwarder calls the Solidity contract twice more.
    for i in 3..5u64 {
        let mut tx = chain.tx(ALICE, Some(caller), &forward(bridge, &calldata("calls()", &[])), U256::ZERO, 1_000_000);
        tx.nonce = nonce0 + i;
        tx.hash = alloy_primitives::B256::with_last_byte(tx.nonce as u8);
        txs.push(tx);
    }
    let (stats, outputs) = {
        let mut db = chain.db.clone();
        let mut sys = System::new(&mut db, chain.block.clone(), engine);
        let mut gas = 0;
        let mut outputs = Vec::new();
        for tx in &txs {
            let r = sys.apply_transaction(tx, gas).expect("no internal error").expect("valid transaction");
            assert!(r.success, "{:?}", r.error);
            gas += r.gas_used;
            outputs.push(r.output);
        }
        (sys.stats, outputs)
    };
    assert_eq!(outputs[2].as_ref(), &u(13), "7 + 3 * 2");
    assert_eq!(outputs[4].as_ref(), &u(3));
    assert_eq!(stats.transpilations, 1, "the Solidity contract is transpiled once: {stats:?}");
    assert_eq!(stats.normalizations, 2, "counter and caller normalized once each: {stats:?}");
    // Each bumpTwice runs four frames (bridge and three counter calls), each forward two.
    assert_eq!(stats.frames, 3 * 4 + 2 * 2, "{stats:?}");
}

/// EVM code is transpiled when it is deployed (paid out of the code deposit, so gas stays
/// Ethereum's), and the artifacts a chain keeps serve later blocks: calling the contract
/// never transpiles it again. Without kept artifacts the first call builds it, at the same gas.
fn evm_code_is_transpiled_at_deployment(engine: EngineKind) {
    let chain = Chain::new(engine);
    let deploy = chain.tx(ALICE, None, &solidity("Bridge"), U256::ZERO, 2_000_000);
    let mut call = chain.tx(ALICE, None, &calldata("calls()", &[]), U256::ZERO, 1_000_000);
    call.nonce += 1;
    call.hash = alloy_primitives::B256::with_last_byte(call.nonce as u8);
    let (deployed, kept, rebuilt, code_len) = {
        let mut db = chain.db.clone();
        let mut block = chain.block.clone();
        let mut artifacts = ArtifactCache::default();
        let deployed = execute_block_in(&mut db.clone(), &block, vec![Ok(deploy)], engine, &mut artifacts);
        db.apply(&deployed.diff);
        let bridge = deployed.receipts[0].contract_address.expect("created");
        let code_len = db.accounts[&bridge].info.code.len() as u64;
        call.to = Some(bridge);
        block.number += 1;
        let kept = execute_block_in(&mut db.clone(), &block, vec![Ok(call.clone())], engine, &mut artifacts);
        let again = execute_block_in(&mut db.clone(), &block, vec![Ok(call.clone())], engine, &mut artifacts);
        let mut none = ArtifactCache::default();
        let rebuilt = execute_block_in(&mut db.clone(), &block, vec![Ok(call)], engine, &mut none);
        (deployed, [kept, again], rebuilt, code_len)
    };
    let [kept, again] = kept;
    assert!(deployed.receipts[0].success, "{:?}", deployed.receipts[0].error);
    let s = deployed.stats;
    assert_eq!(s.transpilations, 2, "init code when it runs, runtime code at deployment: {s:?}");
    assert_eq!(s.transpiled_bytes, code_len, "{s:?}");
    assert_eq!(s.transpile_gas(), host_abi::gas::TRANSPILE_BYTE * code_len, "{s:?}");
    for out in [&kept, &rebuilt] {
        assert!(out.receipts[0].success, "{:?}", out.receipts[0].error);
        assert!(out.stats.frames >= 1, "{:?}", out.stats);
    }
    assert_eq!(kept.stats.transpilations, 0, "kept artifacts are not rebuilt: {:?}", kept.stats);
    assert_eq!(rebuilt.stats.transpilations, 1, "{:?}", rebuilt.stats);
    if engine == EngineKind::Rv {
        // The RV64IM code is compiled on the first call and kept with the artifact: the
        // deployment block compiled the init code, the first call the runtime code, and a
        // later block nothing.
        assert_eq!(deployed.stats.rv_compilations, 1, "{:?}", deployed.stats);
        assert_eq!(kept.stats.rv_compilations, 1, "{:?}", kept.stats);
        assert_eq!(again.stats.rv_compilations, 0, "{:?}", again.stats);
        assert_eq!(again.stats.transpilations, 0, "{:?}", again.stats);
        assert_eq!(again.receipts[0].gas_used, kept.receipts[0].gas_used);
    }
    assert_eq!(kept.receipts[0].gas_used, rebuilt.receipts[0].gas_used, "gas does not depend on the cache");
    assert_eq!(kept.receipts[0].output, rebuilt.receipts[0].output);
}

zkos_tests::engine_tests!(
    evm_code_is_transpiled_at_deployment,
    solidity_calls_wasm,
    wasm_calls_solidity,
    reverts_cross_both_ways,
    gas_is_one_unit,
    artifacts_are_built_once,
);
