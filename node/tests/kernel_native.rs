//! Issue 13 in kernel mode: native RV64IM contracts (the C counter and vault built by gcc, the
//! Rust counter and ERC-20 built with the SDK) deployed in kind-0x02 envelopes, lifted by
//! native-shim and compiled inside the kernel, calling and called by Solidity and WASM
//! contracts. Host mode, the kernel cold and the kernel warm give the same block: state
//! root, receipts, logs and post-state, and the outcomes the ABI promises.
//!
//! Block 1 deploys the contracts (the kernel lifts every ELF); block 2, over block 1's
//! post-state, calls them across the three kinds: return and revert data both ways, native →
//! EVM → native reentrancy, a static call into a native write, value into a payable native
//! contract, loops and the heap, and a native contract created by CREATE2 from an EVM factory.

mod common;

use common::{address_word, call, env, run_zkos_with, scratch, word, write_inputs, Block, T8nOutput, A, B, C};
use host_abi::envelope::{Envelope, Kind};
use serde_json::{json, Value};
use wasm_runtime::primitives::{keccak256, Address, U256};

fn example(file: &str) -> Vec<u8> {
    let path = format!("{}/../examples/out/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// `code` and `constants` in an envelope of `kind`, as hex.
fn envelope(kind: Kind, code: &[u8], constants: &[u8]) -> String {
    let env = Envelope { kind, version: 0, constants, code };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).expect("buffer has the encoded length");
    hex::encode(out)
}

/// The creation code of the Solidity Bridge (tests/solidity, solc-js).
fn bridge_creation() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/solidity/compile.js");
    let out = std::process::Command::new("node").arg(script).output().expect("node runs compile.js");
    assert!(out.status.success(), "compile.js: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("compile.js prints JSON");
    json["contracts"]["Bridge"].as_str().expect("the Bridge's creation code").to_owned()
}

/// The tail of a dynamic `bytes` argument: its length word and its words (hex).
fn bytes_tail(hex_data: &str) -> String {
    let data = hex::decode(hex_data.trim_start_matches("0x")).unwrap();
    let mut out = word(data.len() as u64);
    let mut padded = data.clone();
    padded.resize(data.len().div_ceil(32) * 32, 0);
    out.push_str(&hex::encode(padded));
    out
}

/// `sig(address, bytes)` calldata: the native counter's `forward`/`staticForward`, the
/// Bridge's `raw`.
fn with_bytes(sig: &str, target: &str, inner: &str) -> String {
    format!("{}{}", call(sig, &[address_word(target), word(64)]), bytes_tail(inner))
}

/// The WASM caller's `forward(address,uint256,bytes)`.
fn wasm_forward(target: &str, inner: &str) -> String {
    format!(
        "{}{}",
        call("forward(address,uint256,bytes)", &[address_word(target), word(0), word(96)]),
        bytes_tail(inner)
    )
}

/// Asserts that two runs of a block agree on everything but the kernel's figures.
fn assert_same_run(name: &str, ours: &T8nOutput, host: &T8nOutput) {
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().expect("result is an object").remove("kernel");
        v
    };
    assert_eq!(strip(&ours.result), strip(&host.result), "{name}: result.json");
    assert_eq!(common::normalize_alloc(&ours.alloc), common::normalize_alloc(&host.alloc), "{name}: post-state");
    assert_eq!(ours.body, host.body, "{name}: transactions");
}

/// Storage slot `slot` of `address` in a post-state alloc (zero when absent).
fn storage(alloc: &Value, address: &str, slot: U256) -> U256 {
    let account = alloc
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.trim_start_matches("0x").eq_ignore_ascii_case(address))
        .map(|(_, a)| a)
        .unwrap_or_else(|| panic!("no account {address} in the post-state"));
    let Some(slots) = account.get("storage").and_then(Value::as_object) else { return U256::ZERO };
    slots
        .iter()
        .find(|(k, _)| k.parse::<U256>().ok() == Some(slot))
        .map(|(_, v)| v.as_str().unwrap().parse::<U256>().unwrap())
        .unwrap_or(U256::ZERO)
}

fn statuses(run: &T8nOutput) -> Vec<u64> {
    run.result["receipts"].as_array().expect("receipts").iter().map(|r| common::qty(&r["status"]) as u64).collect()
}

/// Runs the block in `dir` in host mode, then in the kernel cold and warm: the three agree.
/// Returns the host run and the kernel's instructions (cold, warm).
fn run_three_ways(name: &str, dir: &std::path::Path) -> (T8nOutput, [u64; 2]) {
    let host = run_zkos_with(dir, "txs.json", "Cancun", &[]);
    let mut instructions = [0; 2];
    for (i, (label, flags)) in
        [("cold", &["--kernel"][..]), ("warm", &["--kernel", "--warm"][..])].into_iter().enumerate()
    {
        let kernel = run_zkos_with(dir, "txs.json", "Cancun", flags);
        assert_same_run(&format!("{name} ({label} kernel)"), &kernel, &host);
        instructions[i] = kernel.result["kernel"]["instructions"].as_u64().expect("the kernel's instructions");
    }
    (host, instructions)
}

#[test]
fn native_contracts_in_kernel_mode_call_and_are_called_by_evm_and_wasm() {
    let eth = "0x56bc75e2d63100000";
    let alloc = json!({
        A.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
        B.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
        C.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
    });
    let deployer: Address = A.1.parse().unwrap();
    let at = |n: u64| hex::encode(deployer.create(n));
    let [counter, counter2, bridge, wasm_counter, caller, rust_counter, token, factory, vault] =
        [0u64, 1, 2, 3, 4, 5, 6, 7, 8].map(at);

    // Block 1: the deployments, each ELF lifted by native-shim in the kernel.
    let native_c = example("native-c.elf");
    let mut deploy = Block::new(&[]);
    deploy.tx(A, None, format!("0x{}{}", envelope(Kind::Rv64im, &native_c, &[]), word(7)), 5_000_000);
    deploy.tx(A, None, format!("0x{}{}", envelope(Kind::Rv64im, &native_c, &[]), word(5)), 5_000_000);
    deploy.tx(A, None, format!("0x{}", bridge_creation()), 3_000_000);
    deploy.tx(A, None, format!("0x{}{}", envelope(Kind::Wasm, &example("counter.wasm"), &[]), word(40)), 5_000_000);
    deploy.tx(A, None, format!("0x{}", envelope(Kind::Wasm, &example("caller.wasm"), &[])), 5_000_000);
    let rust_counter_elf = example("native-rust-counter.elf");
    deploy.tx(A, None, format!("0x{}{}", envelope(Kind::Rv64im, &rust_counter_elf, &[]), word(7)), 8_000_000);
    // The ERC-20's constants: abi.encode("Zk Token", "ZKT").
    let constants = hex::decode(format!(
        "{}{}{}{}",
        word(64),
        word(128),
        bytes_tail(&hex::encode("Zk Token")),
        bytes_tail(&hex::encode("ZKT"))
    ))
    .unwrap();
    let erc20 = envelope(Kind::Rv64im, &example("native-rust-erc20.elf"), &constants);
    deploy.tx(A, None, format!("0x{erc20}{}", word(1_000_000)), 10_000_000);
    // The factory: calldatacopy(0, 0, calldatasize); mstore(0, create2(0, 0, calldatasize, 42));
    // return(0, 32), behind init code that returns it.
    deploy.tx(A, None, "0x6016600c60003960166000f3366000600037602a3660006000f560005260206000f3".into(), 200_000);
    deploy.tx(A, None, format!("0x{}", envelope(Kind::Rv64im, &example("native-vault.elf"), &[])), 5_000_000);
    let dir = scratch("native-deploy");
    write_inputs(&dir, &alloc, &env(1), &Value::Array(deploy.txs));
    let (host, deploy_instructions) = run_three_ways("deployments", &dir);
    assert_eq!(statuses(&host), vec![1; 9], "every deployment succeeds");
    assert_eq!(storage(&host.alloc, &counter, U256::ZERO), U256::from(7u64), "the C constructor stored 7");
    assert_eq!(storage(&host.alloc, &rust_counter, U256::ZERO), U256::from(7u64), "the Rust constructor stored 7");
    assert_eq!(storage(&host.alloc, &wasm_counter, U256::ZERO), U256::from(40u64));

    // Block 2: calls across the three kinds.
    let mut b = Block::new(&[(A.0, 9)]);
    let mut expect = Vec::new();
    let mut tx = |b: &mut Block, from, to: &str, value: u128, input: String, ok: bool| {
        b.tx_with_value(from, Some(to), value, input, 2_000_000);
        expect.push(u64::from(ok));
    };
    let increment = call("increment()", &[]);
    // Native: storage, loops, the heap; `fail()` reverts with data.
    tx(&mut b, A, &counter, 0, increment.clone(), true); // 7 → 8
    tx(&mut b, B, &counter, 0, call("sum(uint256)", &[word(20_000)]), true);
    tx(&mut b, B, &counter, 0, call("heap(uint256)", &[word(20_000)]), true);
    // The same loop over 100,000 bytes needs more than the 2 M gas given: out of gas in the
    // lifted code, at the same point in all three runs.
    tx(&mut b, B, &counter, 0, call("heap(uint256)", &[word(100_000)]), false);
    tx(&mut b, B, &counter, 0, call("fail()", &[]), false);
    // Native → EVM: return data; Solidity's revert bubbles up; native → EVM → native (8 → 10).
    tx(
        &mut b,
        C,
        &counter,
        0,
        with_bytes("forward(address,bytes)", &bridge, &call("add(uint256,uint256)", &[word(2), word(40)])),
        true,
    );
    tx(&mut b, C, &counter, 0, with_bytes("forward(address,bytes)", &bridge, &call("fail()", &[])), false);
    tx(
        &mut b,
        C,
        &counter,
        0,
        with_bytes("forward(address,bytes)", &bridge, &call("bumpTwice(address)", &[address_word(&counter)])),
        true,
    );
    // EVM → native: the Rust counter (7 → 9), and a low-level call that sees the C revert.
    tx(&mut b, A, &bridge, 0, call("bumpTwice(address)", &[address_word(&rust_counter)]), true);
    tx(&mut b, A, &bridge, 0, with_bytes("raw(address,bytes)", &counter, &call("fail()", &[])), true);
    // A static call into a native write fails; a read goes through.
    tx(&mut b, A, &counter, 0, with_bytes("staticForward(address,bytes)", &counter2, &increment), false);
    tx(&mut b, A, &counter, 0, with_bytes("staticForward(address,bytes)", &counter2, &call("get()", &[])), true);
    // Native → WASM (40 → 41) and WASM → native (10 → 11); a WASM revert seen by native.
    tx(&mut b, B, &counter, 0, with_bytes("forward(address,bytes)", &wasm_counter, &increment), true);
    tx(&mut b, B, &counter, 0, with_bytes("forward(address,bytes)", &wasm_counter, &call("nothing()", &[])), false);
    tx(&mut b, B, &caller, 0, wasm_forward(&counter, &increment), true);
    tx(&mut b, B, &caller, 0, wasm_forward(&counter, &call("fail()", &[])), false);
    // The Rust ERC-20: a transfer, one over the balance, and Solidity paying from its balance.
    tx(&mut b, A, &token, 0, call("transfer(address,uint256)", &[address_word(B.1), word(500)]), true);
    tx(&mut b, A, &token, 0, call("transfer(address,uint256)", &[address_word(B.1), word(10_000_000)]), false);
    tx(&mut b, A, &token, 0, call("transfer(address,uint256)", &[address_word(&bridge), word(300)]), true);
    tx(
        &mut b,
        C,
        &bridge,
        0,
        call("pay(address,address,uint256)", &[address_word(&token), address_word(C.1), word(200)]),
        true,
    );
    // Value into the payable native vault; value to a function that is not payable reverts.
    tx(&mut b, C, &vault, 1_000_000, call("deposit()", &[]), true);
    tx(&mut b, C, &counter, 5, call("get()", &[]), false);
    // The EVM factory creates a native counter with CREATE2.
    let init = format!("{}{}", envelope(Kind::Rv64im, &native_c, &[]), word(5));
    tx(&mut b, B, &factory, 0, format!("0x{init}"), true);
    let salt = wasm_runtime::primitives::B256::from(U256::from(42u64).to_be_bytes::<32>());
    let created =
        hex::encode(factory.parse::<Address>().unwrap().create2(salt, keccak256(hex::decode(&init).unwrap())));
    tx(&mut b, B, &created, 0, increment.clone(), true); // 5 → 6
    let txs = Value::Array(b.txs);

    let dir = scratch("native-calls");
    write_inputs(&dir, &host.alloc, &env(2), &txs);
    let (host, call_instructions) = run_three_ways("calls", &dir);
    assert_eq!(statuses(&host), expect, "each call succeeds or reverts as the ABI says");
    let slot = |address: &str, slot: U256| storage(&host.alloc, address, slot);
    assert_eq!(
        slot(&counter, U256::ZERO),
        U256::from(11u64),
        "the C counter: 7, +1, +2 through the bridge, +1 from WASM"
    );
    assert_eq!(slot(&counter2, U256::ZERO), U256::from(5u64), "the static call wrote nothing");
    assert_eq!(slot(&rust_counter, U256::ZERO), U256::from(9u64));
    assert_eq!(slot(&wasm_counter, U256::ZERO), U256::from(41u64));
    assert_eq!(slot(&bridge, U256::ZERO), U256::from(2u64), "bumpTwice ran twice");
    assert_eq!(slot(&created, U256::ZERO), U256::from(6u64), "the CREATE2-made native counter runs");
    let balance = |address: &str| {
        let account = host.alloc.as_object().unwrap().iter().find(|(k, _)| k.trim_start_matches("0x") == address);
        account.map(|(_, a)| common::qty(&a["balance"])).unwrap_or(0)
    };
    assert_eq!(balance(&vault), 1_000_000, "the vault holds the deposit");
    assert_eq!(slot(&vault, U256::ZERO), U256::from(1_000_000u64), "and counts it");
    println!(
        "kernel instructions: deployments cold {} warm {}; calls cold {} warm {}",
        deploy_instructions[0], deploy_instructions[1], call_instructions[0], call_instructions[1]
    );
    assert!(call_instructions[1] < call_instructions[0], "warm reuses the compiled contracts: {call_instructions:?}");
}
