//! `zkos gas-report` for contract authors: rows per selector of the embedded ABI
//! (examples/vault, examples/erc20-macro and examples/erc721-macro, built by
//! examples/build.sh; every row bounded below the block gas limit), bounds above the
//! block gas limit reported as unbounded in practice (text, JSON, HTML), `--measure BLOCK`
//! with the gas the vault's frames used per selector (checked against `zkos run --trace`), and
//! function names from the name section.

mod common;

use std::path::{Path, PathBuf};

use alloy_primitives::{keccak256, U256};
use common::{scratch, zkos};
use serde_json::{json, Value};

const SENDER: &str = "0x1111111111111111111111111111111111111111";
const VAULT: &str = "0x2222222222222222222222222222222222222222";

fn example(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/out").join(format!("{name}.wasm"));
    assert!(p.exists(), "{}: run examples/build.sh first", p.display());
    p
}

fn gas_report(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["gas-report"];
    all.extend_from_slice(args);
    let out = zkos(&all);
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn calldata(sig: &str, words: &[U256]) -> String {
    let mut out = keccak256(sig.as_bytes())[..4].to_vec();
    for w in words {
        out.extend_from_slice(&w.to_be_bytes::<32>());
    }
    format!("0x{}", hex::encode(out))
}

fn tx(nonce: u64, to: &str, data: &str, value: u64) -> Value {
    json!({ "data": data, "gasLimit": "0x1000000", "gasPrice": "0x0", "nonce": format!("{nonce:#x}"),
        "sender": SENDER, "value": format!("{value:#x}"), "to": to })
}

#[test]
fn vault_rows_per_selector_and_bounds_beyond_the_block_limit() {
    let vault = example("vault");
    let (code, out, err) = gas_report(&[vault.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    // The vault's exports have practical bounds (the SDK's allocator refuses blocks of 4 MiB
    // or more and bounds each growth before asking): under the 30 M block gas limit, no
    // "unbounded" remark.
    let bound_of = |line: &str, prefix: &str| -> u64 {
        let digits: String = line.trim_start()[prefix.len()..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect(line)
    };
    let call = out.lines().find(|l| l.starts_with("call    ≤ ")).expect(&out);
    assert!(bound_of(call, "call    ≤ ") < 30_000_000 && !call.contains("unbounded"), "{out}");
    assert!(out.contains("deploy  ≤ 8961\n"), "a bound under the limit stays a bound: {out}");
    // Without a name section (release builds strip it), exported functions take the
    // export's name.
    assert!(out.lines().any(|l| l.trim_start().starts_with("f46 call   ≤ ")), "{out}");
    assert!(out.contains("\n  f47 deploy ≤ 8961\n"), "{out}");
    // Every ABI function has a bound of its own, each at most the call export's.
    for (sel, sig) in [
        ("70a08231", "balanceOf(address)"),
        ("d0e30db0", "deposit()"),
        ("7d882097", "totalDeposits()"),
        ("2e1a7d4d", "withdraw(uint256)"),
    ] {
        let prefix = format!("{sel}  {sig}");
        let row = out.lines().find(|l| l.trim_start().starts_with(&prefix)).unwrap_or_else(|| panic!("{sig}: {out}"));
        let bound: u64 = row.split('≤').nth(1).and_then(|b| b.trim().parse().ok()).expect(row);
        assert!(bound <= bound_of(call, "call    ≤ ") && !row.contains('*'), "{row}: {out}");
    }
    assert!(out.contains("7d882097  totalDeposits()     ≤ 12855"), "a getter's bound is small: {out}");

    let (_, json, _) = gas_report(&[vault.to_str().unwrap(), "--json"]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    let call = doc["exports"].as_array().unwrap().iter().find(|e| e["name"] == "call").unwrap();
    assert!(call.get("unbounded_in_practice").is_none(), "{call}");
    let sels = doc["selectors"].as_array().unwrap();
    assert_eq!(sels.len(), 4);
    let withdraw = sels.iter().find(|e| e["name"] == "withdraw(uint256)").unwrap();
    assert_eq!(withdraw["selector"], json!("0x2e1a7d4d"));
    assert!(withdraw.get("bound_of").is_none_or(Value::is_null), "its own bound: {withdraw}");

    // A bound above the block gas limit: the AssemblyScript vault's deploy export.
    let as_vault = example("as-vault");
    let (code, out, err) = gas_report(&[as_vault.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let deploy = out.lines().find(|l| l.starts_with("deploy  ≤ ")).expect(&out);
    assert!(deploy.ends_with(": unbounded in practice (above the 30000000 block gas limit)"), "{out}");
    assert!(bound_of(deploy, "deploy  ≤ ") > 30_000_000, "{out}");
    let (_, json, _) = gas_report(&[as_vault.to_str().unwrap(), "--json"]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    let deploy_json = doc["exports"].as_array().unwrap().iter().find(|e| e["name"] == "deploy").unwrap();
    assert_eq!(deploy_json["unbounded_in_practice"], true);

    let dir = scratch("gas-author-html");
    let html = dir.join("r.html");
    let (code, _, err) = gas_report(&[as_vault.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    let big = format!("≤ {}: unbounded in practice</span>", bound_of(deploy, "deploy  ≤ "));
    assert!(
        page.contains("<span class=big title=\"above the 30000000 block gas limit\">") && page.contains(&big),
        "{page}"
    );
    let html = dir.join("vault.html");
    let (code, _, err) = gas_report(&[vault.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<span class=ok>≤ 8961</span>"));
    assert!(page.contains("withdraw(uint256) <small>0x2e1a7d4d</small>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn erc20_rows_cover_its_abi() {
    let (code, json, err) = gas_report(&[example("erc20-macro").to_str().unwrap(), "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let mut names: Vec<&str> =
        doc["selectors"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "allowance(address,address)",
            "approve(address,uint256)",
            "balanceOf(address)",
            "decimals()",
            "name()",
            "symbol()",
            "totalSupply()",
            "transfer(address,uint256)",
            "transferFrom(address,address,uint256)"
        ]
    );
}

/// Every function of the three macro examples (the vault, the ERC-20 and the ERC-721) has
/// a bound of its own below the 30 M block gas limit: string getters and `safeTransferFrom`
/// included (the latter's bound is the NFT's own gas, flagged as forwarding the rest to the
/// receiver).
#[test]
fn every_selector_of_the_macro_examples_is_bounded_below_the_block_limit() {
    for (name, rows) in [("vault", 4), ("erc20-macro", 9), ("erc721-macro", 13)] {
        let (code, json, err) = gas_report(&[example(name).to_str().unwrap(), "--json"]);
        assert_eq!(code, Some(0), "{err}");
        let doc: Value = serde_json::from_str(&json).unwrap();
        let selectors = doc["selectors"].as_array().unwrap();
        assert_eq!(selectors.len(), rows, "{name}: {json}");
        for row in selectors {
            let sig = row["name"].as_str().unwrap();
            let bound = row["bound"].as_u64().unwrap_or_else(|| panic!("{name} {sig}: no bound: {row}"));
            assert!(bound < 30_000_000, "{name} {sig}: {bound}");
            assert!(row.get("unbounded_in_practice").is_none() && row.get("bound_of").is_none(), "{row}");
            let forwards = row["forwards_gas"].as_bool().unwrap();
            assert_eq!(forwards, sig.starts_with("safeTransferFrom"), "{name} {sig}: {row}");
        }
    }
}

#[test]
fn measure_shows_the_gas_each_selector_used() {
    let vault = example("vault");
    let wasm = std::fs::read(&vault).unwrap();
    let mut env = vec![0xEF, 0x5A, 0x01, 0x00, 0, 0, 0, 0];
    env.extend_from_slice(&u32::try_from(wasm.len()).unwrap().to_be_bytes());
    env.extend_from_slice(&wasm);
    let other = "0x3333333333333333333333333333333333333333";
    let block = json!({
        "env": { "currentBaseFee": "0x0", "currentCoinbase": "0x0000000000000000000000000000000000000000",
            "currentGasLimit": "0x10000000", "currentNumber": "0x1", "currentTimestamp": "0x1" },
        "pre": {
            SENDER: { "balance": "0x1000000", "nonce": "0x0", "code": "0x", "storage": {} },
            VAULT: { "balance": "0x0", "nonce": "0x1", "code": format!("0x{}", hex::encode(&env)), "storage": {} },
            other: { "balance": "0x0", "nonce": "0x1", "code": "0x00", "storage": {} }
        },
        "transaction": [
            tx(0, VAULT, &calldata("deposit()", &[]), 1000),
            tx(1, VAULT, &calldata("withdraw(uint256)", &[U256::from(5000)]), 0),
            tx(2, VAULT, &calldata("withdraw(uint256)", &[U256::from(400)]), 0),
            tx(3, VAULT, &calldata("balanceOf(address)", &[U256::from(0x1111)]), 0),
            tx(4, other, &calldata("deposit()", &[]), 0),
        ]
    });
    let dir = scratch("gas-author-measure");
    let path = dir.join("block.json");
    std::fs::write(&path, block.to_string()).unwrap();

    let run = zkos(&["run", path.to_str().unwrap(), "--json", "--trace"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let run: Value = serde_json::from_slice(&run.stdout).unwrap();
    // The gas of the vault's frame of each transaction (its execution, no intrinsic gas).
    let used = |i: usize| run["transactions"][i]["trace"]["gasUsed"].as_u64().unwrap();
    assert!(used(0) < run["transactions"][0]["gasUsed"].as_u64().unwrap());
    assert_eq!(run["transactions"][1]["outcome"], "reverted");

    let (code, json, err) = gas_report(&[vault.to_str().unwrap(), "--json", "--measure", path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let row = |name: &str| doc["selectors"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap().clone();
    // The call to the other account is not the vault's.
    assert_eq!(
        row("deposit()")["measured"],
        json!({ "calls": 1, "min_gas_used": used(0), "max_gas_used": used(0), "reverted": 0 })
    );
    let (lo, hi) = (used(1).min(used(2)), used(1).max(used(2)));
    assert_eq!(
        row("withdraw(uint256)")["measured"],
        json!({ "calls": 2, "min_gas_used": lo, "max_gas_used": hi, "reverted": 1 })
    );
    assert_eq!(row("balanceOf(address)")["measured"]["calls"], 1);
    assert!(row("totalDeposits()").get("measured").is_none());

    let (_, text, _) = gas_report(&[vault.to_str().unwrap(), "--measure", path.to_str().unwrap()]);
    let line = text.lines().find(|l| l.contains("withdraw(uint256)")).unwrap();
    assert!(line.ends_with(&format!("| measured: 2 calls, {lo}..{hi} gas (1 reverted or failed)")), "{line}");

    // A block that never calls the contract is an error, as is an EVM contract.
    let empty = dir.join("empty.json");
    let mut b = block.clone();
    b["transaction"] = json!([tx(0, other, "0x", 0)]);
    std::fs::write(&empty, b.to_string()).unwrap();
    let (code, _, err) = gas_report(&[vault.to_str().unwrap(), "--measure", empty.to_str().unwrap()]);
    assert_eq!(code, Some(3));
    assert!(err.contains("no transaction of the block calls this contract"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn functions_are_named_from_the_name_section() {
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1 1)
            (func $entry (export "call") (call $add_one (i32.const 1)) (drop))
            (func $add_one (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
    )
    .unwrap();
    let dir = scratch("gas-author-names");
    let path = dir.join("named.wasm");
    std::fs::write(&path, &wasm).unwrap();
    let (code, out, err) = gas_report(&[path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("  f0 entry   ≤ "), "{out}");
    assert!(out.contains("  f1 add_one ≤ "), "{out}");
    assert!(!out.contains("embedded ABI"), "no zkos:abi section, no selector rows: {out}");
    let _ = std::fs::remove_dir_all(&dir);
}
