//! The harness on a real contract: examples/erc721-macro (built for wasm32 by the harness)
//! beside its Solidity twin (examples/erc721-macro/Nft.sol, compiled by solc-js), typed
//! calls, decoded errors and events, storage slots, warp, value, and a property test.

use alloy_sol_types::{sol, SolCall, SolValue};
use zkos_test::proptest::prelude::*;
use zkos_test::{address_word, mapping_slot, Address, Outcome, Vm, ALICE, BOB, CAROL, U256};

sol! {
    function name() external view returns (string);
    function symbol() external view returns (string);
    function supportsInterface(bytes4 id) external view returns (bool);
    function balanceOf(address owner) external view returns (uint256);
    function ownerOf(uint256 tokenId) external view returns (address);
    function getApproved(uint256 tokenId) external view returns (address);
    function isApprovedForAll(address owner, address operator) external view returns (bool);
    function approve(address to, uint256 tokenId) external;
    function setApprovalForAll(address operator, bool approved) external;
    function transferFrom(address from, address to, uint256 tokenId) external;
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes data) external;
    function mint(address to, uint256 tokenId) external;
    function setMode(uint256 mode) external;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);
    event Received(address operator, address from, uint256 tokenId, bytes data);
    error ERC721InvalidOwner(address owner);
    error ERC721NonexistentToken(uint256 tokenId);
    error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner);
    error ERC721InvalidSender(address sender);
    error ERC721InvalidReceiver(address receiver);
    error ERC721InsufficientApproval(address operator, uint256 tokenId);
    error ERC721InvalidApprover(address approver);
    error ERC721InvalidOperator(address operator);
    error Refused(uint256 tokenId);
}

/// Creation code of the contracts of examples/erc721-macro/*.sol, by name.
fn solidity(name: &str) -> Vec<u8> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = std::process::Command::new("node")
        .arg(format!("{root}/tests/solidity/compile.js"))
        .arg("../../examples/erc721-macro")
        .output()
        .expect("node runs tests/solidity/compile.js (node and npm are needed)");
    assert!(out.status.success(), "compile.js: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("compile.js prints JSON");
    let hex = json["contracts"][name].as_str().unwrap_or_else(|| panic!("no contract {name}"));
    alloy_primitives::hex::decode(hex).expect("hex bytecode")
}

fn wasm() -> Vec<u8> {
    zkos_test::build::contract_wasm(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/erc721-macro"))
}

/// The WASM contract and its twin in one chain, with a test receiver.
#[derive(Clone)]
struct Twins {
    vm: Vm,
    wasm: Address,
    evm: Address,
    receiver: Address,
}

impl Twins {
    fn new() -> Twins {
        let mut vm = Vm::new();
        let args = ("Zk Apes".to_string(), "ZKA".to_string()).abi_encode_params();
        let wasm = vm.deploy(&wasm(), &args);
        let evm = vm.deploy_evm(&solidity("Nft"), &args);
        let receiver = vm.deploy_evm(&solidity("Receiver"), &[]);
        Twins { vm, wasm, evm, receiver }
    }

    /// Sends `call` from `from` to both; status, output, logs (topics and data) and the
    /// storage words the test reads must agree. Returns the WASM contract's outcome.
    fn send<C: SolCall>(&mut self, from: Address, call: &C) -> Outcome {
        let w = self.vm.prank(from).send(self.wasm, call, U256::ZERO);
        let e = self.vm.prank(from).send(self.evm, call, U256::ZERO);
        assert_eq!(w.success, e.success, "{}: wasm {}, evm {}", C::SIGNATURE, w.why(), e.why());
        assert_eq!(w.output, e.output, "{}", C::SIGNATURE);
        let data = |o: &Outcome, me: Address| -> Vec<_> {
            o.logs.iter().map(|l| (if l.address == me { Address::ZERO } else { l.address }, l.data.clone())).collect()
        };
        assert_eq!(data(&w, self.wasm), data(&e, self.evm), "logs of {}", C::SIGNATURE);
        w
    }

    fn same_slot(&self, slot: U256) -> U256 {
        let w = self.vm.storage(self.wasm, slot);
        assert_eq!(w, self.vm.storage(self.evm, slot), "slot {slot:#x}");
        w
    }
}

fn id(n: u64) -> U256 {
    U256::from(n)
}

#[test]
fn erc721_against_its_solidity_twin_on_both_engines() {
    let mut t = Twins::new();
    let nft = t.wasm;
    assert_eq!(t.send(BOB, &nameCall {}).returns::<nameCall>(), "Zk Apes");
    assert_eq!(t.send(BOB, &symbolCall {}).returns::<symbolCall>(), "ZKA");
    assert!(t
        .send(BOB, &supportsInterfaceCall { id: [0x80, 0xac, 0x58, 0xcd].into() })
        .returns::<supportsInterfaceCall>());
    assert!(!t.send(BOB, &supportsInterfaceCall { id: [0xff; 4].into() }).returns::<supportsInterfaceCall>());
    t.same_slot(U256::ZERO);
    t.same_slot(U256::from(1));

    // Mint: a Transfer from zero, the owner and balance in mappings at slots 2 and 3.
    let out = t.send(ALICE, &mintCall { to: ALICE, tokenId: id(7) });
    out.expect_emit(nft, &Transfer { from: Address::ZERO, to: ALICE, tokenId: id(7) });
    assert_eq!(out.events::<Transfer>(nft).len(), 1);
    t.send(ALICE, &mintCall { to: ALICE, tokenId: id(7) })
        .expect_revert(&ERC721InvalidSender { sender: Address::ZERO });
    t.send(ALICE, &mintCall { to: Address::ZERO, tokenId: id(8) })
        .expect_revert(&ERC721InvalidReceiver { receiver: Address::ZERO });
    let owner_slot = mapping_slot(U256::from(7).to_be_bytes::<32>(), U256::from(2));
    assert_eq!(t.same_slot(owner_slot), U256::from_be_slice(ALICE.as_slice()));
    assert_eq!(t.same_slot(mapping_slot(address_word(ALICE), U256::from(3))), U256::from(1));
    assert_eq!(t.send(BOB, &ownerOfCall { tokenId: id(7) }).returns::<ownerOfCall>(), ALICE);
    t.send(BOB, &ownerOfCall { tokenId: id(9) }).expect_revert(&ERC721NonexistentToken { tokenId: id(9) });
    t.send(BOB, &balanceOfCall { owner: Address::ZERO }).expect_revert(&ERC721InvalidOwner { owner: Address::ZERO });

    // Approvals: per token and for all (the nested mapping at slot 5).
    t.send(BOB, &approveCall { to: BOB, tokenId: id(7) }).expect_revert(&ERC721InvalidApprover { approver: BOB });
    t.send(ALICE, &approveCall { to: BOB, tokenId: id(7) })
        .expect_emit(nft, &Approval { owner: ALICE, approved: BOB, tokenId: id(7) });
    assert_eq!(t.send(CAROL, &getApprovedCall { tokenId: id(7) }).returns::<getApprovedCall>(), BOB);
    t.send(ALICE, &setApprovalForAllCall { operator: Address::ZERO, approved: true })
        .expect_revert(&ERC721InvalidOperator { operator: Address::ZERO });
    t.send(ALICE, &setApprovalForAllCall { operator: CAROL, approved: true })
        .expect_emit(nft, &ApprovalForAll { owner: ALICE, operator: CAROL, approved: true });
    let inner = mapping_slot(address_word(ALICE), U256::from(5));
    assert_eq!(t.same_slot(mapping_slot(address_word(CAROL), inner)), U256::from(1));
    assert!(t.send(BOB, &isApprovedForAllCall { owner: ALICE, operator: CAROL }).returns::<isApprovedForAllCall>());

    // Transfers: the errors in OpenZeppelin's order, the approval cleared.
    t.send(CAROL, &transferFromCall { from: ALICE, to: Address::ZERO, tokenId: id(7) })
        .expect_revert(&ERC721InvalidReceiver { receiver: Address::ZERO });
    t.send(BOB, &transferFromCall { from: BOB, to: CAROL, tokenId: id(7) }).expect_revert(&ERC721IncorrectOwner {
        sender: BOB,
        tokenId: id(7),
        owner: ALICE,
    });
    t.send(BOB, &transferFromCall { from: ALICE, to: BOB, tokenId: id(1) })
        .expect_revert(&ERC721NonexistentToken { tokenId: id(1) });
    let out = t.send(BOB, &transferFromCall { from: ALICE, to: BOB, tokenId: id(7) });
    out.expect_emit(nft, &Transfer { from: ALICE, to: BOB, tokenId: id(7) });
    println!("gas transferFrom: {}", out.gas_used);
    assert_eq!(t.send(CAROL, &getApprovedCall { tokenId: id(7) }).returns::<getApprovedCall>(), Address::ZERO);
    t.send(CAROL, &transferFromCall { from: BOB, to: CAROL, tokenId: id(7) })
        .expect_revert(&ERC721InsufficientApproval { operator: CAROL, tokenId: id(7) });

    // safeTransferFrom: to an account without code, then to the receiver in each mode.
    let data = alloy_primitives::Bytes::from_static(b"hello");
    let safe = |to, token| safeTransferFromCall { from: BOB, to, tokenId: id(token), data: data.clone() };
    t.send(BOB, &safe(ALICE, 7)).ok();
    t.send(ALICE, &transferFromCall { from: ALICE, to: BOB, tokenId: id(7) }).ok();
    let r = t.receiver;
    let out = t.send(BOB, &safe(r, 7));
    let got = out.events::<Received>(r);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].operator, got[0].from, got[0].tokenId, &got[0].data), (BOB, BOB, id(7), &data));
    t.send(BOB, &mintCall { to: BOB, tokenId: id(8) }).ok();
    for (mode, why) in [(1u64, "a wrong selector"), (2, "a custom error"), (3, "empty revert data")] {
        t.vm.send(r, &setModeCall { mode: U256::from(mode) }, U256::ZERO).ok();
        let out = t.send(BOB, &safe(r, 8));
        match mode {
            2 => out.expect_revert(&Refused { tokenId: id(8) }),
            _ => out.expect_revert(&ERC721InvalidReceiver { receiver: r }),
        }
        assert!(!out.success, "{why}");
    }
    assert_eq!(t.send(BOB, &balanceOfCall { owner: BOB }).returns::<balanceOfCall>(), U256::from(1));

    // Not payable; warp changes nothing here but the block.
    let before = t.vm.block();
    t.vm.warp(2_000_000_000);
    assert_eq!(t.vm.block().1, 2_000_000_000);
    assert!(before.1 < 2_000_000_000);
    let out = t.vm.send(nft, &mintCall { to: BOB, tokenId: id(99) }, U256::from(1));
    out.expect_revert_data(&[]);
    assert_eq!(t.vm.balance(nft), U256::ZERO);
}

#[test]
fn random_transfers_keep_balances_and_owners_equal_to_the_twin() {
    let mut base = Twins::new();
    for (who, token) in [(ALICE, 1u64), (BOB, 2), (CAROL, 3)] {
        base.send(who, &mintCall { to: who, tokenId: id(token) }).ok();
    }
    let people = [ALICE, BOB, CAROL];
    let config = ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(moves in prop::collection::vec((0usize..3, 0usize..3, 1u64..5), 1..6))| {
        let mut t = base.clone();
        for (from, to, token) in moves {
            let (from, to) = (people[from], people[to]);
            // Either side may fail (not the owner, a token never minted): both alike.
            t.send(from, &transferFromCall { from, to, tokenId: id(token) });
        }
        let mut total = U256::ZERO;
        for who in people {
            total += t.send(who, &balanceOfCall { owner: who }).returns::<balanceOfCall>();
        }
        prop_assert_eq!(total, U256::from(3));
        for token in 1..=3u64 {
            t.same_slot(mapping_slot(U256::from(token).to_be_bytes::<32>(), U256::from(2)));
        }
    });
}
