//! The OpenZeppelin token scenarios: an ERC20 with EIP-2612 permits, an ERC721 with
//! receivers.

use alloy_primitives::{keccak256, Address, U256};

use crate::abi::*;
use crate::compile::Mode;
use crate::permit::*;
use crate::scenario::*;

pub(crate) fn erc20(mode: Mode) {
    let transfer = topic("Transfer(address,address,uint256)");
    let approval = topic("Approval(address,address,uint256)");
    let mut s = Scenario::new("erc20", mode, &[OWNER, ALICE, BOB, CAROL]);
    let poor = Address::repeat_byte(0xb0);
    s.fund(poor, U256::from(1000u64));
    let token = s.deploy(OWNER, "Token", &[addr(OWNER), num(1_000_000)]);
    s.call(OWNER, token, "transfer(address,uint256)", &[addr(ALICE), num(1000)])
        .returns(encode(&[boolean(true)]))
        .logs(&[transfer]);
    s.call(ALICE, token, "transfer(address,uint256)", &[addr(BOB), num(300)]).returns(encode(&[boolean(true)]));
    s.call(ALICE, token, "transfer(address,uint256)", &[addr(BOB), num(5000)])
        .reverts(abi("ERC20InsufficientBalance(address,uint256,uint256)", &[addr(ALICE), num(700), num(5000)]));
    s.call(ALICE, token, "mint(address,uint256)", &[addr(ALICE), num(1)])
        .reverts(abi("OwnableUnauthorizedAccount(address)", &[addr(ALICE)]));
    s.call(OWNER, token, "mint(address,uint256)", &[addr(CAROL), num(50)]).returns(vec![]).logs(&[transfer]);
    s.call(ALICE, token, "approve(address,uint256)", &[addr(BOB), num(200)])
        .returns(encode(&[boolean(true)]))
        .logs(&[approval]);
    s.call(BOB, token, "transferFrom(address,address,uint256)", &[addr(ALICE), addr(CAROL), num(150)])
        .returns(encode(&[boolean(true)]))
        .logs(&[transfer]);
    s.call(BOB, token, "transferFrom(address,address,uint256)", &[addr(ALICE), addr(CAROL), num(100)])
        .reverts(abi("ERC20InsufficientAllowance(address,uint256,uint256)", &[addr(BOB), num(50), num(100)]));
    s.call(CAROL, token, "transfer(address,uint256)", &[addr(Address::ZERO), num(1)])
        .reverts(abi("ERC20InvalidReceiver(address)", &[addr(Address::ZERO)]));
    // All or nothing: the second leg fails, the first is undone.
    s.call(BOB, token, "batchTransfer(address[],uint256[])", &[addresses(&[ALICE, CAROL]), numbers(&[100, 1000])])
        .reverts(abi("ERC20InsufficientBalance(address,uint256,uint256)", &[addr(BOB), num(200), num(1000)]));
    s.call(BOB, token, "batchTransfer(address[],uint256[])", &[addresses(&[ALICE, CAROL]), numbers(&[100, 100])])
        .returns(uint(200))
        .logs(&[transfer, transfer]);
    s.call(BOB, token, "batchTransfer(address[],uint256[])", &[addresses(&[ALICE]), numbers(&[1, 2])])
        .reverts(error_string("length mismatch"));
    s.call(CAROL, token, "burn(uint256)", &[num(10)]).returns(vec![]).logs(&[transfer]);

    // EIP-2612: Bob submits a permit Dave signed (EIP-712, checked with ecrecover), spends
    // it, and cannot replay it; an expired permit and a malformed signature fail.
    let dave_key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let dave = key_address(&dave_key);
    let permit = "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)";
    let deadline = TIMESTAMP + 3600;
    s.call(OWNER, token, "transfer(address,uint256)", &[addr(dave), num(500)]).returns(encode(&[boolean(true)]));
    let signature = sign(&dave_key, permit_digest(token, dave, BOB, 300, 0, deadline));
    let (v, r, sig_s) = signature;
    let permit_args = [addr(dave), addr(BOB), num(300), num(deadline), num(v), word(r), word(sig_s)];
    s.call(BOB, token, permit, &permit_args).returns(vec![]).logs(&[approval]);
    s.call(BOB, token, "nonces(address)", &[addr(dave)]).returns(uint(1));
    s.call(BOB, token, "DOMAIN_SEPARATOR()", &[]).returns(domain_separator(token).to_vec());
    let replayed = recover(permit_digest(token, dave, BOB, 300, 1, deadline), signature);
    s.call(BOB, token, permit, &permit_args)
        .reverts(abi("ERC2612InvalidSigner(address,address)", &[addr(replayed), addr(dave)]));
    let late = TIMESTAMP - 1;
    let (v2, r2, s2) = sign(&dave_key, permit_digest(token, dave, BOB, 1, 1, late));
    s.call(BOB, token, permit, &[addr(dave), addr(BOB), num(1), num(late), num(v2), word(r2), word(s2)])
        .reverts(abi("ERC2612ExpiredSignature(uint256)", &[num(late)]));
    s.call(BOB, token, permit, &[addr(dave), addr(BOB), num(1), num(deadline), num(29), word(r), word(sig_s)])
        .reverts(selector("ECDSAInvalidSignature()").to_vec());
    s.call(BOB, token, "transferFrom(address,address,uint256)", &[addr(dave), addr(BOB), num(300)])
        .returns(encode(&[boolean(true)]))
        .logs(&[transfer]);
    s.call(BOB, token, "transferFrom(address,address,uint256)", &[addr(dave), addr(BOB), num(1)])
        .reverts(abi("ERC20InsufficientAllowance(address,uint256,uint256)", &[addr(BOB), num(0), num(1)]));
    // Out of gas halfway through a transfer: all gas is spent, nothing changes.
    s.push(ALICE, Some(token), U256::ZERO, abi("transfer(address,uint256)", &[addr(BOB), num(1)]), 30_000).fails();
    // Ether sent to a contract without a payable function.
    s.push(ALICE, Some(token), U256::from(5u64), vec![], 100_000).reverts(vec![]);
    // A sender that cannot pay for its gas is left out.
    s.push_rejected(poor, Some(token), U256::ZERO, abi("totalSupply()", &[]), 100_000);
    s.call(ALICE, token, "balanceOf(address)", &[addr(ALICE)]).returns(uint(1000 - 300 - 150 + 100));
    s.call(ALICE, token, "balanceOf(address)", &[addr(CAROL)]).returns(uint(50 + 150 + 100 - 10));
    s.call(ALICE, token, "balanceOf(address)", &[addr(BOB)]).returns(uint(300 - 200 + 300));
    s.call(ALICE, token, "totalSupply()", &[]).returns(uint(1_000_000 + 50 - 10));
    s.call(ALICE, token, "allowance(address,address)", &[addr(ALICE), addr(BOB)]).returns(uint(50));
    s.call(ALICE, token, "symbol()", &[]).returns(encode(&[bytes(b"ZKT")]));
    // Carol's whole balance to Alice: her slot is cleared (a refund).
    s.call(CAROL, token, "transfer(address,uint256)", &[addr(ALICE), num(290)]).returns(encode(&[boolean(true)]));
    let report = s.run();
    // OpenZeppelin 5 keeps balances in slot 0 (a mapping).
    let balance_slot = |who: Address| U256::from_be_bytes(keccak256(encode(&[addr(who), num(0)])).0);
    assert_eq!(slot_after(&report, token, balance_slot(ALICE)), Some(U256::from(650u64 + 290)));
    // Zero before the block and after it: no change to report.
    assert_eq!(slot_after(&report, token, balance_slot(CAROL)), None);
    assert_eq!(slot_after(&report, token, balance_slot(dave)), Some(U256::from(200u64)));
}

pub(crate) fn erc721(mode: Mode) {
    let transfer = topic("Transfer(address,address,uint256)");
    let received = topic("Received(address,address,uint256,bytes)");
    let mut s = Scenario::new("erc721", mode, &[OWNER, ALICE, BOB, CAROL]);
    let nft = s.deploy(OWNER, "Collectible", &[addr(OWNER)]);
    let receiver = s.deploy(OWNER, "Receiver", &[]);
    let refuser = s.deploy(OWNER, "Refuser", &[]);
    let wrong = s.deploy(OWNER, "WrongAnswer", &[]);
    let not_receiver = s.deploy(OWNER, "NotReceiver", &[]);
    let invalid_receiver = |a: Address| abi("ERC721InvalidReceiver(address)", &[addr(a)]);

    s.call(OWNER, nft, "mint(address)", &[addr(ALICE)]).returns(uint(1)).logs(&[transfer]);
    s.call(OWNER, nft, "mint(address)", &[addr(receiver)]).returns(uint(2)).logs(&[transfer, received]);
    s.call(OWNER, nft, "mint(address)", &[addr(not_receiver)]).reverts(invalid_receiver(not_receiver));
    s.call(ALICE, nft, "mint(address)", &[addr(ALICE)])
        .reverts(abi("OwnableUnauthorizedAccount(address)", &[addr(ALICE)]));
    // To an EOA, then to a receiver contract with data.
    s.call(ALICE, nft, "safeTransferFrom(address,address,uint256)", &[addr(ALICE), addr(BOB), num(1)])
        .returns(vec![])
        .logs(&[transfer]);
    s.call(
        BOB,
        nft,
        "safeTransferFrom(address,address,uint256,bytes)",
        &[addr(BOB), addr(receiver), num(1), bytes(b"hello, receiver")],
    )
    .returns(vec![])
    .logs(&[transfer, received]);
    // The receiver sends on: refused with the refuser's own error, a wrong magic value, no
    // receiver at all.
    let forward = "forward(address,address,uint256)";
    s.call(OWNER, receiver, forward, &[addr(nft), addr(refuser), num(1)])
        .reverts(abi("NotAccepted(uint256,address)", &[num(1), addr(receiver)]));
    s.call(OWNER, receiver, forward, &[addr(nft), addr(wrong), num(1)]).reverts(invalid_receiver(wrong));
    s.call(OWNER, receiver, forward, &[addr(nft), addr(not_receiver), num(2)]).reverts(invalid_receiver(not_receiver));
    s.call(OWNER, receiver, forward, &[addr(nft), addr(CAROL), num(2)]).returns(vec![]).logs(&[transfer]);
    s.call(BOB, nft, "safeTransferFrom(address,address,uint256)", &[addr(BOB), addr(ALICE), num(1)])
        .reverts(abi("ERC721InsufficientApproval(address,uint256)", &[addr(BOB), num(1)]));
    s.call(ALICE, nft, "burn(uint256)", &[num(2)])
        .reverts(abi("ERC721InsufficientApproval(address,uint256)", &[addr(ALICE), num(2)]));
    s.call(CAROL, nft, "approve(address,uint256)", &[addr(ALICE), num(2)])
        .returns(vec![])
        .logs(&[topic("Approval(address,address,uint256)")]);
    s.call(ALICE, nft, "burn(uint256)", &[num(2)]).returns(vec![]).logs(&[transfer]);
    s.call(ALICE, nft, "ownerOf(uint256)", &[num(2)]).reverts(abi("ERC721NonexistentToken(uint256)", &[num(2)]));
    s.call(ALICE, nft, "ownerOf(uint256)", &[num(1)]).returns(encode(&[addr(receiver)]));
    s.call(ALICE, nft, "balanceOf(address)", &[addr(receiver)]).returns(uint(1));
    s.call(ALICE, nft, "tokenURI(uint256)", &[num(1)]).returns(encode(&[bytes(b"zkos://collectible/1")]));
    s.call(ALICE, receiver, "count()", &[]).returns(uint(2));
    s.call(ALICE, receiver, "lastData()", &[]).returns(encode(&[bytes(b"hello, receiver")]));
    s.call(ALICE, nft, "minted()", &[]).returns(uint(2));
    s.run();
}
