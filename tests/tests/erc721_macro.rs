//! The ERC-721 written with `#[zkos_sdk::contract]` (examples/erc721-macro, built by
//! examples/build.sh) against its Solidity twin (Nft.sol beside it, compiled by solc-js),
//! as tests/tests/macro_contracts.rs does for the vault and the ERC-20: every call goes to
//! both in one state and must give the same status, output, revert data, logs and storage
//! words; on wasmi, on the rv engine and in differential mode. `--nocapture` prints the
//! gas of both for the table in examples/README.md.

use alloy_primitives::{keccak256, Address, B256, U256};
use wasm_runtime::block::Receipt;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::platform::AccountInfo;
use zkos_tests::{address_word as a, calldata, envelope, word as u, Chain, ALICE, BOB, DEFAULT_GAS};

const CAROL: Address = Address::repeat_byte(0xCA);

/// Creation code of the contracts in examples/erc721-macro/*.sol: (Nft, Receiver).
fn solidity() -> (Vec<u8>, Vec<u8>) {
    let script = format!("{}/solidity/compile.js", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg("../../examples/erc721-macro")
        .output()
        .unwrap_or_else(|e| panic!("running node {script}: {e} (node and npm are needed)"));
    assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8(out.stdout).expect("compile.js prints JSON");
    let code = |name: &str| {
        let key = format!("\"{name}\":\"");
        let start = json.find(&key).unwrap_or_else(|| panic!("no contract {name} in {json}")) + key.len();
        let end = start + json[start..].find('"').expect("closing quote");
        hex::decode(&json[start..end]).expect("bytecode is hex")
    };
    (code("Nft"), code("Receiver"))
}

fn example() -> Vec<u8> {
    let path = format!("{}/../examples/out/erc721-macro.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// `abi.encode` of a dynamic `bytes`/`string` tail: its length and its padded data.
fn tail(data: &[u8]) -> Vec<u8> {
    let mut v = u(data.len() as u64).to_vec();
    v.extend_from_slice(data);
    v.resize(32 + data.len().div_ceil(32) * 32, 0);
    v
}

/// The revert data of a custom error with static fields.
fn error(sig: &str, words: &[[u8; 32]]) -> Vec<u8> {
    calldata(sig, words)
}

/// `keccak256(key ‖ slot)`: solc's slot of a mapping entry.
fn entry(key: [u8; 32], slot: [u8; 32]) -> U256 {
    let mut pre = key.to_vec();
    pre.extend_from_slice(&slot);
    U256::from_be_bytes(keccak256(pre).0)
}

struct Twins {
    wasm: Address,
    evm: Address,
}

impl Twins {
    fn call(&self, chain: &mut Chain, from: Address, data: &[u8]) -> Receipt {
        let tx = chain.tx(from, Some(self.wasm), data, U256::ZERO, DEFAULT_GAS);
        let w = chain.send(tx);
        let tx = chain.tx(from, Some(self.evm), data, U256::ZERO, DEFAULT_GAS);
        let e = chain.send(tx);
        assert_eq!(w.success, e.success, "status of {:02x?}: WASM {:?}, EVM {:?}", data.get(..4), w.error, e.error);
        assert_eq!(w.output, e.output, "output of {:02x?}", data.get(..4));
        assert_eq!(w.logs.len(), e.logs.len(), "number of logs");
        for (x, y) in w.logs.iter().zip(&e.logs) {
            assert_eq!(x.topics(), y.topics());
            assert_eq!(x.data.data, y.data.data);
        }
        println!("gas {:02x?}: wasm {} evm {}", data.get(..4), w.gas_used, e.gas_used);
        w
    }

    fn same_slot(&self, chain: &Chain, key: U256) -> U256 {
        let w = chain.storage(self.wasm, key);
        assert_eq!(w, chain.storage(self.evm, key), "storage slot {key:#x}");
        w
    }
}

fn erc721(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let ether = U256::from(10u64).pow(U256::from(18u64));
    chain.db.insert(CAROL, AccountInfo::with_balance(ether, 0), Default::default());
    let (nft, receiver) = solidity();
    let mut args = u(64).to_vec();
    args.extend_from_slice(&u(128));
    args.extend(tail(b"Zk Apes"));
    args.extend(tail(b"ZKA"));
    let r = chain.deploy(&envelope(&example(), &[]), &args);
    assert!(r.success, "WASM deployment: {:?}", r.error);
    let wasm = r.contract_address.unwrap();
    let e = chain.deploy(&nft, &args);
    assert!(e.success, "EVM deployment: {:?}", e.error);
    println!("deploy gas: wasm {} evm {}", r.gas_used, e.gas_used);
    let t = Twins { wasm, evm: e.contract_address.unwrap() };
    let r = chain.deploy(&receiver, &[]);
    let recv = r.contract_address.expect("receiver deployed");

    let r = t.call(&mut chain, BOB, &calldata("name()", &[]));
    assert!(r.output.windows(7).any(|w| w == b"Zk Apes"));
    t.same_slot(&chain, U256::ZERO);
    t.same_slot(&chain, U256::from(1u64));
    let mut erc721_id = [0u8; 32];
    erc721_id[..4].copy_from_slice(&[0x80, 0xac, 0x58, 0xcd]);
    assert_eq!(t.call(&mut chain, BOB, &calldata("supportsInterface(bytes4)", &[erc721_id])).output.as_ref(), &u(1));
    // A bytes4 with bits beyond its four bytes is not canonical: both revert.
    erc721_id[31] = 1;
    assert!(!t.call(&mut chain, BOB, &calldata("supportsInterface(bytes4)", &[erc721_id])).success);

    // mint: Transfer(0, to, id) with three topics; owner at slot 2, balance at slot 3.
    let r = t.call(&mut chain, ALICE, &calldata("mint(address,uint256)", &[a(ALICE), u(7)]));
    assert!(r.success, "{:?}", r.error);
    let transfer = keccak256("Transfer(address,address,uint256)");
    assert_eq!(r.logs[0].topics(), &[transfer, B256::ZERO, B256::from(a(ALICE)), B256::from(u(7))]);
    assert_eq!(t.same_slot(&chain, entry(u(7), u(2))), U256::from_be_bytes(a(ALICE)));
    assert_eq!(t.same_slot(&chain, entry(a(ALICE), u(3))), U256::from(1u64));
    let r = t.call(&mut chain, ALICE, &calldata("mint(address,uint256)", &[a(BOB), u(7)]));
    assert_eq!(r.output.as_ref(), error("ERC721InvalidSender(address)", &[a(Address::ZERO)]));
    let r = t.call(&mut chain, BOB, &calldata("ownerOf(uint256)", &[u(8)]));
    assert_eq!(r.output.as_ref(), error("ERC721NonexistentToken(uint256)", &[u(8)]));
    let r = t.call(&mut chain, BOB, &calldata("balanceOf(address)", &[a(Address::ZERO)]));
    assert_eq!(r.output.as_ref(), error("ERC721InvalidOwner(address)", &[a(Address::ZERO)]));

    // Approvals: per token (slot 4) and for all (the nested mapping at slot 5).
    let r = t.call(&mut chain, BOB, &calldata("approve(address,uint256)", &[a(BOB), u(7)]));
    assert_eq!(r.output.as_ref(), error("ERC721InvalidApprover(address)", &[a(BOB)]));
    assert!(t.call(&mut chain, ALICE, &calldata("approve(address,uint256)", &[a(BOB), u(7)])).success);
    assert_eq!(t.same_slot(&chain, entry(u(7), u(4))), U256::from_be_bytes(a(BOB)));
    let r = t.call(&mut chain, ALICE, &calldata("setApprovalForAll(address,bool)", &[a(CAROL), u(1)]));
    assert_eq!(r.logs[0].topics()[0], keccak256("ApprovalForAll(address,address,bool)"));
    assert_eq!(t.same_slot(&chain, entry(a(CAROL), entry(a(ALICE), u(5)).to_be_bytes())), U256::from(1u64));
    let r = t.call(&mut chain, BOB, &calldata("isApprovedForAll(address,address)", &[a(ALICE), a(CAROL)]));
    assert_eq!(r.output.as_ref(), &u(1));
    // A bool argument other than 0 or 1 reverts in both.
    assert!(!t.call(&mut chain, ALICE, &calldata("setApprovalForAll(address,bool)", &[a(CAROL), u(2)])).success);

    // transferFrom: each error, then a transfer by the approved account clears the approval.
    let from_to = |from, to, id| calldata("transferFrom(address,address,uint256)", &[a(from), a(to), u(id)]);
    let r = t.call(&mut chain, BOB, &from_to(BOB, CAROL, 7));
    let want = error("ERC721IncorrectOwner(address,uint256,address)", &[a(BOB), u(7), a(ALICE)]);
    assert_eq!(r.output.as_ref(), want);
    let r = t.call(&mut chain, BOB, &from_to(ALICE, BOB, 3));
    assert_eq!(r.output.as_ref(), error("ERC721NonexistentToken(uint256)", &[u(3)]));
    assert!(!t.call(&mut chain, BOB, &from_to(ALICE, Address::ZERO, 7)).success);
    assert!(t.call(&mut chain, BOB, &from_to(ALICE, BOB, 7)).success);
    assert_eq!(t.same_slot(&chain, entry(u(7), u(4))), U256::ZERO);
    let r = t.call(&mut chain, CAROL, &from_to(BOB, CAROL, 7));
    assert_eq!(r.output.as_ref(), error("ERC721InsufficientApproval(address,uint256)", &[a(CAROL), u(7)]));

    // safeTransferFrom to the receiver: accepted (it logs what it got), then refused three ways.
    let safe = |to: Address, id: u64| {
        let mut d = calldata("safeTransferFrom(address,address,uint256,bytes)", &[a(BOB), a(to), u(id), u(128)]);
        d.extend(tail(b"hi"));
        d
    };
    let r = t.call(&mut chain, BOB, &safe(recv, 7));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.logs.len(), 2, "Transfer and the receiver's Received");
    assert!(t.call(&mut chain, BOB, &calldata("mint(address,uint256)", &[a(BOB), u(9)])).success);
    let short = calldata("safeTransferFrom(address,address,uint256)", &[a(BOB), a(ALICE), u(9)]);
    assert!(t.call(&mut chain, BOB, &short).success, "to an account without code");
    assert!(t.call(&mut chain, ALICE, &from_to(ALICE, BOB, 9)).success);
    for mode in 1..=3u64 {
        let r = chain.call(recv, &calldata("setMode(uint256)", &[u(mode)]));
        assert!(r.success);
        let r = t.call(&mut chain, BOB, &safe(recv, 9));
        let want = match mode {
            2 => error("Refused(uint256)", &[u(9)]),
            _ => error("ERC721InvalidReceiver(address)", &[a(recv)]),
        };
        assert_eq!(r.output.as_ref(), want, "receiver mode {mode}");
    }
    assert_eq!(t.same_slot(&chain, entry(a(BOB), u(3))), U256::from(1u64));
    // Not payable.
    let tx = chain.tx(
        BOB,
        Some(t.wasm),
        &calldata("mint(address,uint256)", &[a(BOB), u(10)]),
        U256::from(1u64),
        DEFAULT_GAS,
    );
    let r = chain.send(tx);
    assert!(!r.success && r.output.is_empty());
}

zkos_tests::engine_tests!(erc721);
