//! Contracts written with `#[zkos_sdk::contract]` (examples/vault, examples/erc20-macro,
//! built by examples/build.sh) against their Solidity twins (Vault.sol, Token.sol beside
//! them, compiled by solc-js): every call goes to both, in one state, and must give the
//! same status, output, revert data, logs and storage words; on every engine.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use alloy_primitives::{keccak256, Address, B256, U256};
use wasm_runtime::block::Receipt;
use wasm_runtime::engine::EngineKind;
use zkos_tests::{address_word as a, calldata, envelope, example, selector, word as u, Chain, ALICE, BOB, DEFAULT_GAS};

/// Creation bytecode of the Solidity twin `name` in examples/`folder`.
fn solidity(folder: &str, name: &str) -> Vec<u8> {
    static OUT: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let mut cache = OUT.get_or_init(Default::default).lock().unwrap();
    let json = cache.entry(folder.to_string()).or_insert_with(|| {
        let script = format!("{}/solidity/compile.js", env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new("node")
            .arg(&script)
            .arg(format!("../../examples/{folder}"))
            .output()
            .unwrap_or_else(|e| panic!("running node {script}: {e} (node and npm are needed)"));
        assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("compile.js prints JSON")
    });
    let key = format!("\"{name}\":\"");
    let start = json.find(&key).unwrap_or_else(|| panic!("no contract {name} in {json}")) + key.len();
    let end = start + json[start..].find('"').expect("closing quote");
    hex::decode(&json[start..end]).expect("bytecode is hex")
}

/// `abi.encode(string, string, uint256)`.
fn encode_token_args(name: &str, symbol: &str, supply: u64) -> Vec<u8> {
    fn tail(s: &str) -> Vec<u8> {
        let mut v = u(s.len() as u64).to_vec();
        let mut data = s.as_bytes().to_vec();
        data.resize(s.len().div_ceil(32) * 32, 0);
        v.extend_from_slice(&data);
        v
    }
    let (t1, t2) = (tail(name), tail(symbol));
    let mut out = Vec::new();
    out.extend_from_slice(&u(96));
    out.extend_from_slice(&u(96 + t1.len() as u64));
    out.extend_from_slice(&u(supply));
    out.extend_from_slice(&t1);
    out.extend_from_slice(&t2);
    out
}

/// The WASM contract and its Solidity twin, deployed side by side.
struct Twins {
    wasm: Address,
    evm: Address,
}

impl Twins {
    fn deploy(chain: &mut Chain, wasm: &[u8], evm_init: &[u8], args: &[u8]) -> Twins {
        let r = chain.deploy(&envelope(wasm, &[]), args);
        assert!(r.success, "WASM deployment: {:?}", r.error);
        let (wasm, wasm_logs, wasm_gas) = (r.contract_address.unwrap(), r.logs, r.gas_used);
        let r = chain.deploy(evm_init, args);
        assert!(r.success, "EVM deployment: {:?}", r.error);
        let evm = r.contract_address.unwrap();
        println!("deploy gas: wasm {} evm {}", wasm_gas, r.gas_used);
        same_logs(&wasm_logs, &r.logs);
        Twins { wasm, evm }
    }

    /// Sends the same call to both; they must agree. Returns the WASM contract's receipt.
    fn call(&self, chain: &mut Chain, from: Address, data: &[u8], value: u64) -> Receipt {
        let tx = chain.tx(from, Some(self.wasm), data, U256::from(value), DEFAULT_GAS);
        let w = chain.send(tx);
        let tx = chain.tx(from, Some(self.evm), data, U256::from(value), DEFAULT_GAS);
        let e = chain.send(tx);
        assert_eq!(w.success, e.success, "status of {:02x?}: WASM {:?}, EVM {:?}", data.get(..4), w.error, e.error);
        assert_eq!(w.output, e.output, "output of {:02x?}", data.get(..4));
        same_logs(&w.logs, &e.logs);
        // Gas of the two, for the table in examples/README.md (`--nocapture`).
        println!("gas {:02x?} value {value}: wasm {} evm {}", data.get(..4), w.gas_used, e.gas_used);
        w
    }

    /// The same storage word in both.
    fn same_slot(&self, chain: &Chain, key: U256) -> U256 {
        let w = chain.storage(self.wasm, key);
        assert_eq!(w, chain.storage(self.evm, key), "storage slot {key:#x}");
        w
    }
}

fn same_logs(w: &[alloy_primitives::Log], e: &[alloy_primitives::Log]) {
    assert_eq!(w.len(), e.len(), "number of logs");
    for (w, e) in w.iter().zip(e) {
        assert_eq!(w.topics(), e.topics());
        assert_eq!(w.data.data, e.data.data);
    }
}

/// `keccak256(pad32(key) ‖ pad32(slot))`: solc's slot of a mapping entry.
fn entry(key: [u8; 32], slot: [u8; 32]) -> U256 {
    let mut pre = key.to_vec();
    pre.extend_from_slice(&slot);
    U256::from_be_bytes(keccak256(pre).0)
}

fn vault(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let v = Twins::deploy(&mut chain, &example("vault"), &solidity("vault", "Vault"), &[]);
    // deposit(): payable, logs Deposited(who indexed, amount).
    let r = v.call(&mut chain, ALICE, &calldata("deposit()", &[]), 1000);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.logs[0].topics(), &[keccak256("Deposited(address,uint256)"), B256::from(a(ALICE))]);
    assert_eq!(r.logs[0].data.data.as_ref(), &u(1000));
    v.call(&mut chain, BOB, &calldata("deposit()", &[]), 250);
    assert_eq!(chain.balance(v.wasm), U256::from(1250u64));
    let r = v.call(&mut chain, BOB, &calldata("balanceOf(address)", &[a(ALICE)]), 0);
    assert_eq!(r.output.as_ref(), &u(1000));
    let r = v.call(&mut chain, BOB, &calldata("totalDeposits()", &[]), 0);
    assert_eq!(r.output.as_ref(), &u(1250));
    assert_eq!(v.same_slot(&chain, entry(a(ALICE), u(0))), U256::from(1000u64));
    assert_eq!(v.same_slot(&chain, U256::from(1u64)), U256::from(1250u64));

    // withdraw beyond the balance: the custom error, typed.
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(251)]), 0);
    assert!(!r.success);
    let mut want = selector("InsufficientBalance(uint256,uint256)").to_vec();
    want.extend_from_slice(&u(250));
    want.extend_from_slice(&u(251));
    assert_eq!(r.output.as_ref(), want.as_slice());
    // Value sent to a function that is not payable: reverts with empty data.
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(1)]), 5);
    assert!(!r.success && r.output.is_empty());
    let r = v.call(&mut chain, BOB, &calldata("balanceOf(address)", &[a(BOB)]), 1);
    assert!(!r.success && r.output.is_empty(), "views are not payable");
    // A good withdrawal sends the ether back and logs Withdrawn.
    let before = chain.balance(v.wasm);
    let r = v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(200)]), 0);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(chain.balance(v.wasm), before - U256::from(200u64));
    assert_eq!(r.logs[0].topics()[0], keccak256("Withdrawn(address,uint256)"));
    assert_eq!(v.same_slot(&chain, entry(a(BOB), u(0))), U256::from(50u64));
    // Unknown selector, short calldata, malformed argument (an address with high bits).
    assert!(!v.call(&mut chain, BOB, &calldata("nope()", &[]), 0).success);
    assert!(!v.call(&mut chain, BOB, &[0xd0, 0xe3], 0).success);
    assert!(!v.call(&mut chain, BOB, &calldata("withdraw(uint256)", &[u(1)])[..20], 0).success);
    let mut dirty = a(ALICE);
    dirty[0] = 1;
    assert!(!v.call(&mut chain, BOB, &calldata("balanceOf(address)", &[dirty]), 0).success);
}

fn erc20(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let args = encode_token_args("Zk Token", "ZKT", 1_000_000);
    let t = Twins::deploy(&mut chain, &example("erc20-macro"), &solidity("erc20-macro", "Token"), &args);
    let r = t.call(&mut chain, BOB, &calldata("name()", &[]), 0);
    assert!(r.output.windows(8).any(|w| w == b"Zk Token"));
    t.call(&mut chain, BOB, &calldata("symbol()", &[]), 0);
    let r = t.call(&mut chain, BOB, &calldata("decimals()", &[]), 0);
    assert_eq!(r.output.as_ref(), &u(18));
    let r = t.call(&mut chain, BOB, &calldata("totalSupply()", &[]), 0);
    assert_eq!(r.output.as_ref(), &u(1_000_000));
    // Strings as solc stores them (short form in slots 3 and 4).
    t.same_slot(&chain, U256::from(3u64));
    t.same_slot(&chain, U256::from(4u64));

    let r = t.call(&mut chain, ALICE, &calldata("transfer(address,uint256)", &[a(BOB), u(250)]), 0);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(1));
    assert_eq!(r.logs[0].topics()[0], keccak256("Transfer(address,address,uint256)"));
    assert_eq!(t.same_slot(&chain, entry(a(BOB), u(0))), U256::from(250u64));
    // Too much: ERC20InsufficientBalance(sender, balance, needed).
    let r = t.call(&mut chain, BOB, &calldata("transfer(address,uint256)", &[a(ALICE), u(251)]), 0);
    assert_eq!(&r.output[..4], &selector("ERC20InsufficientBalance(address,uint256,uint256)"));
    let r = t.call(&mut chain, ALICE, &calldata("transfer(address,uint256)", &[a(Address::ZERO), u(1)]), 0);
    assert_eq!(&r.output[..4], &selector("ERC20InvalidReceiver(address)"));
    // approve + transferFrom, the allowance in a nested mapping.
    let r = t.call(&mut chain, ALICE, &calldata("approve(address,uint256)", &[a(BOB), u(100)]), 0);
    assert!(r.success);
    assert_eq!(r.logs[0].topics()[0], keccak256("Approval(address,address,uint256)"));
    let inner = entry(a(ALICE), u(1)).to_be_bytes::<32>();
    assert_eq!(t.same_slot(&chain, entry(a(BOB), inner)), U256::from(100u64));
    let move60 = calldata("transferFrom(address,address,uint256)", &[a(ALICE), a(BOB), u(60)]);
    assert!(t.call(&mut chain, BOB, &move60, 0).success);
    let r = t.call(&mut chain, BOB, &calldata("allowance(address,address)", &[a(ALICE), a(BOB)]), 0);
    assert_eq!(r.output.as_ref(), &u(40));
    let r = t.call(&mut chain, BOB, &move60, 0);
    assert_eq!(&r.output[..4], &selector("ERC20InsufficientAllowance(address,uint256,uint256)"));
    // Not payable.
    let r = t.call(&mut chain, ALICE, &calldata("transfer(address,uint256)", &[a(BOB), u(1)]), 1);
    assert!(!r.success && r.output.is_empty());
    assert_eq!(t.same_slot(&chain, entry(a(ALICE), u(0))), U256::from(999_690u64));
}

zkos_tests::engine_tests!(vault, erc20);

/// Lines of a contract's source that are code: not blank, not a comment (`//…`, `/* … */`):
/// the same rule for Rust and Solidity.
fn code_lines(path: &str) -> usize {
    let full = format!("{}/../examples/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    let mut in_block = false;
    let mut n = 0;
    for line in text.lines().map(str::trim) {
        if in_block || line.starts_with("/*") {
            in_block = !line.contains("*/");
        } else if !line.is_empty() && !line.starts_with("//") {
            n += 1;
        }
    }
    n
}

/// Each contract written with `#[contract]` takes at most 1.5 times the lines of its
/// Solidity twin (the table of examples/README.md).
#[test]
fn macro_contracts_are_at_most_one_and_a_half_times_their_twins() {
    for (rust, sol) in [
        ("vault/src/lib.rs", "vault/Vault.sol"),
        ("erc20-macro/src/lib.rs", "erc20-macro/Token.sol"),
        ("erc721-macro/src/lib.rs", "erc721-macro/Nft.sol"),
    ] {
        let (r, s) = (code_lines(rust), code_lines(sol));
        println!("{rust}: {r} lines, {sol}: {s} lines, {:.2}x", r as f64 / s as f64);
        assert!(2 * r <= 3 * s, "{rust}: {r} lines, more than 1.5 times {sol}'s {s}");
    }
}
