//! Issue 11's "done when": `zkos t8n --kernel` on a block of OpenZeppelin ERC20, ERC721 and
//! ERC1155 transactions gives exactly the execution specification's state root, receipts,
//! logs hash and post-alloc (the reference t8n of `ethereum-execution`), cold and warm, and
//! the warm block costs at most 19 RV64IM instructions per gas.
//!
//! Block 1 deploys the three contracts (tests/solidity/oz: Token, Collectible, Multi); block 2,
//! over block 1's post-state, is the token block: transfers, approvals, `transferFrom`s,
//! mints, safe transfers and batches from four senders.

mod common;

use common::{
    address_word, array, assert_same_block, call, env, run_reference, run_zkos_with, scratch, word, write_inputs,
    Block, A, B, C, D,
};
use serde_json::{json, Value};
use wasm_runtime::primitives::{Address, U256};

/// The creation code of each contract of tests/solidity/oz (solc-js, optimizer on).
fn creation_code() -> serde_json::Map<String, Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/solidity/compile.js");
    let out = std::process::Command::new("node").args([script, "oz"]).output().expect("node runs compile.js");
    assert!(out.status.success(), "compile.js: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("compile.js prints JSON");
    json["contracts"].as_object().expect("contracts").clone()
}

#[test]
fn an_openzeppelin_token_block_in_kernel_mode_matches_the_execution_spec() {
    let code = creation_code();
    let creation =
        |name: &str| code.get(name).and_then(Value::as_str).unwrap_or_else(|| panic!("no {name}")).to_owned();
    let eth = "0x56bc75e2d63100000";
    let alloc = json!({
        A.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
        B.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
        C.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
        D.1: { "balance": eth, "nonce": "0x0", "code": "0x", "storage": {} },
    });
    let owner = address_word(A.1);
    let deployer: Address = A.1.parse().unwrap();
    let [token, nft, multi] = [0u64, 1, 2].map(|n| hex::encode(deployer.create(n)));

    // Block 1: the deployments.
    let mut deploy = Block::new(&[]);
    let supply = U256::from(10u64).pow(U256::from(24u64));
    deploy.tx(A, None, format!("0x{}{owner}{}", creation("Token"), hex::encode(supply.to_be_bytes::<32>())), 3_000_000);
    deploy.tx(A, None, format!("0x{}{owner}", creation("Collectible")), 3_000_000);
    deploy.tx(A, None, format!("0x{}{owner}", creation("Multi")), 3_000_000);
    let dir = scratch("oz-deploy");
    write_inputs(&dir, &alloc, &env(1), &Value::Array(deploy.txs));
    let reference = run_reference(&dir, "txs.json");
    let ours = run_zkos_with(&dir, "txs.json", "Cancun", &[]);
    assert_same_block("deployments", &ours, &reference, false);
    for (name, at) in [("Token", &token), ("Collectible", &nft), ("Multi", &multi)] {
        let account = reference.alloc.as_object().unwrap().iter().find(|(k, _)| k.trim_start_matches("0x") == at);
        let deployed = account.and_then(|(_, a)| a["code"].as_str()).unwrap_or("0x");
        assert!(deployed.len() > 1000, "{name} is deployed at {at}");
    }

    // Block 2: the token transactions.
    let mut b = Block::new(&[(A.0, 3)]);
    let users = [B, C, D];
    for round in 0..4u64 {
        for u in users {
            b.tx(
                A,
                Some(&token),
                call("transfer(address,uint256)", &[address_word(u.1), word(1_000 + round)]),
                120_000,
            );
            b.tx(A, Some(&nft), call("mint(address)", &[address_word(u.1)]), 200_000);
            b.tx(
                A,
                Some(&multi),
                call("mint(address,uint256,uint256)", &[address_word(u.1), word(round), word(50u64)]),
                200_000,
            );
        }
    }
    b.tx(B, Some(&token), call("approve(address,uint256)", &[address_word(C.1), word(500u64)]), 100_000);
    b.tx(
        C,
        Some(&token),
        call("transferFrom(address,address,uint256)", &[address_word(B.1), address_word(D.1), word(300u64)]),
        120_000,
    );
    b.tx(B, Some(&token), call("transfer(address,uint256)", &[address_word(D.1), word(7u64)]), 120_000);
    // Collectible ids: round r mints 3r+1 (B), 3r+2 (C), 3r+3 (D).
    b.tx(
        B,
        Some(&nft),
        call("safeTransferFrom(address,address,uint256)", &[address_word(B.1), address_word(C.1), word(1u64)]),
        200_000,
    );
    b.tx(C, Some(&nft), call("approve(address,uint256)", &[address_word(D.1), word(2u64)]), 100_000);
    b.tx(
        D,
        Some(&nft),
        call("transferFrom(address,address,uint256)", &[address_word(C.1), address_word(B.1), word(2u64)]),
        200_000,
    );
    b.tx(D, Some(&nft), call("setApprovalForAll(address,bool)", &[address_word(B.1), word(1u64)]), 100_000);
    b.tx(
        B,
        Some(&nft),
        call("transferFrom(address,address,uint256)", &[address_word(D.1), address_word(C.1), word(3u64)]),
        200_000,
    );
    // A transfer the holder may not make: reverts with OpenZeppelin's custom error.
    b.tx(
        B,
        Some(&nft),
        call("transferFrom(address,address,uint256)", &[address_word(C.1), address_word(B.1), word(5u64)]),
        200_000,
    );
    let ids = array(&[0, 1, 2]);
    let amounts = array(&[5, 6, 7]);
    let (ids_at, amounts_at) = (word(96u64), word(96u64 + 32 * 4));
    b.tx(
        A,
        Some(&multi),
        call(
            "mintBatch(address,uint256[],uint256[])",
            &[address_word(C.1), ids_at.clone(), amounts_at.clone(), ids.clone(), amounts.clone()],
        ),
        300_000,
    );
    let empty_bytes = word(0u64);
    b.tx(
        B,
        Some(&multi),
        call(
            "safeTransferFrom(address,address,uint256,uint256,bytes)",
            &[address_word(B.1), address_word(D.1), word(0u64), word(10u64), word(160u64), empty_bytes.clone()],
        ),
        200_000,
    );
    let (batch_ids_at, batch_amounts_at, batch_data_at) = (word(160u64), word(160u64 + 32 * 4), word(160u64 + 32 * 8));
    b.tx(
        C,
        Some(&multi),
        call(
            "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
            &[
                address_word(C.1),
                address_word(B.1),
                batch_ids_at,
                batch_amounts_at,
                batch_data_at,
                ids,
                amounts,
                empty_bytes,
            ],
        ),
        300_000,
    );
    b.tx(D, Some(&multi), call("setApprovalForAll(address,bool)", &[address_word(C.1), word(1u64)]), 100_000);
    let txs = Value::Array(b.txs);

    let dir = scratch("oz-tokens");
    write_inputs(&dir, &reference.alloc, &env(2), &txs);
    let reference = run_reference(&dir, "txs.json");
    let receipts = reference.result["receipts"].as_array().unwrap();
    let failed = receipts.iter().filter(|r| r["succeeded"] == false).count();
    assert_eq!((receipts.len(), failed), (txs.as_array().unwrap().len(), 1), "one transaction reverts, as written");
    let host = run_zkos_with(&dir, "txs.json", "Cancun", &[]);
    assert_same_block("tokens (host)", &host, &reference, false);
    let mut per_gas = Vec::new();
    for (label, flags) in [("cold", &["--kernel"][..]), ("warm", &["--kernel", "--warm"][..])] {
        let kernel = run_zkos_with(&dir, "txs.json", "Cancun", flags);
        assert_same_block(&format!("tokens ({label} kernel)"), &kernel, &reference, false);
        let figures = &kernel.result["kernel"];
        let instructions = figures["instructions"].as_u64().expect("kernel instructions");
        let gas = common::qty(&kernel.result["gasUsed"]) as f64;
        println!(
            "{label}: {instructions} RV64IM instructions for {gas} gas: {:.2} per gas; {figures}",
            instructions as f64 / gas
        );
        per_gas.push(instructions as f64 / gas);
    }
    assert!(
        per_gas[1] <= 19.0,
        "the warm token block costs {:.2} RV64IM instructions per gas (at most 19)",
        per_gas[1]
    );
    assert!(per_gas[1] < per_gas[0], "warm ({:.2}) is cheaper than cold ({:.2})", per_gas[1], per_gas[0]);
}
