//! `zkos abi`: the JSON ABI `#[zkos::contract]` embeds in examples/vault and
//! examples/erc20-macro (built by examples/build.sh) against solc's ABI of their Solidity
//! twins, and the printed `interface` compiled by solc-js (node/tests/solidity/abi.js):
//! it compiles without a diagnostic and its selectors are the contract's.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> PathBuf {
    let p = repo().join("examples/out").join(format!("{name}.wasm"));
    assert!(p.exists(), "{}: run examples/build.sh first", p.display());
    p
}

/// Runs `zkos abi ARGS`: exit code, stdout, stderr.
fn zkos_abi(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkos")).arg("abi").args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkos-abi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// solc-js's output for `files`: contracts (abi, methodIdentifiers) and diagnostics.
fn solc(files: &[&Path]) -> Value {
    let script = repo().join("node/tests/solidity/abi.js");
    let out = Command::new("node")
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("running node {}: {e} (node and npm are needed)", script.display()));
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("abi.js: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "solc rejected the sources: {}", json["diagnostics"]);
    json
}

/// The embedded ABI as JSON, and the interface, compiled by solc beside the twin `twin`:
/// returns (embedded ABI, solc's output).
fn embedded_and_compiled(name: &str, iface: &str, twin: &str) -> (Value, Value) {
    let wasm = example(name);
    let wasm = wasm.to_str().unwrap();
    let (code, json, err) = zkos_abi(&[wasm]);
    assert_eq!(code, Some(0), "{err}");
    let abi: Value = serde_json::from_str(&json).unwrap();
    let (code, sol, err) = zkos_abi(&[wasm, "--solidity", "--name", iface]);
    assert_eq!(code, Some(0), "{err}");
    assert!(sol.contains(&format!("interface {iface} {{")), "{sol}");
    let dir = scratch(name);
    let file = dir.join(format!("{iface}.sol"));
    std::fs::write(&file, &sol).unwrap();
    let out = solc(&[&file, &repo().join(twin)]);
    assert_eq!(out["diagnostics"], serde_json::json!([]), "the interface compiles cleanly:\n{sol}");
    let _ = std::fs::remove_dir_all(&dir);
    (abi, out)
}

/// `signature -> selector` of the functions of a JSON ABI, computed here.
fn selectors(abi: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for f in abi.as_array().unwrap().iter().filter(|e| e["type"] == "function") {
        let types: Vec<&str> = f["inputs"].as_array().unwrap().iter().map(|p| p["type"].as_str().unwrap()).collect();
        let sig = format!("{}({})", f["name"].as_str().unwrap(), types.join(","));
        let h = alloy_primitives::keccak256(sig.as_bytes());
        out.insert(sig, Value::String(hex::encode(&h[..4])));
    }
    Value::Object(out)
}

#[test]
fn vault_abi_is_solcs_and_its_interface_compiles_with_the_same_selectors() {
    let (abi, out) = embedded_and_compiled("vault", "IVault", "examples/vault/Vault.sol");
    // The twin's ABI as solc writes it, entry for entry and in solc's order.
    assert_eq!(abi, out["contracts"]["Vault"]["abi"]);
    // The interface round-trips to the same ABI, with the same selectors.
    assert_eq!(out["contracts"]["IVault"]["abi"], abi);
    let ids = &out["contracts"]["IVault"]["methodIdentifiers"];
    assert_eq!(*ids, selectors(&abi));
    assert_eq!(*ids, out["contracts"]["Vault"]["methodIdentifiers"]);
    assert_eq!(ids["withdraw(uint256)"], "2e1a7d4d");
}

#[test]
fn erc20_abi_matches_its_twin_and_its_interface_compiles() {
    let (abi, out) = embedded_and_compiled("erc20-macro", "IToken", "examples/erc20-macro/Token.sol");
    let twin = &out["contracts"]["Token"];
    let iface = &out["contracts"]["IToken"];
    assert_eq!(iface["methodIdentifiers"], selectors(&abi));
    assert_eq!(iface["methodIdentifiers"], twin["methodIdentifiers"]);
    assert_eq!(selectors(&abi).as_object().unwrap().len(), 9);
    // Events, errors and functions are the twin's exactly (`decimals` is `pure` in both);
    // only the constructor's parameter names differ (`name_` in Token.sol).
    let kind = |v: &Value, k: &str| -> Vec<Value> {
        v.as_array().unwrap().iter().filter(|e| e["type"] == k).cloned().collect()
    };
    for k in ["event", "error"] {
        assert_eq!(kind(&abi, k), kind(&twin["abi"], k), "{k}s");
        assert_eq!(kind(&iface["abi"], k), kind(&abi, k), "{k}s of the interface");
    }
    let twin_fns = kind(&twin["abi"], "function");
    assert!(twin_fns.iter().any(|f| f["name"] == "decimals" && f["stateMutability"] == "pure"));
    assert_eq!(kind(&abi, "function"), twin_fns);
    assert_eq!(kind(&iface["abi"], "function"), twin_fns);
    let ctor = kind(&abi, "constructor");
    let types: Vec<&Value> = ctor[0]["inputs"].as_array().unwrap().iter().map(|p| &p["type"]).collect();
    assert_eq!(types, ["string", "string", "uint256"]);
    assert_eq!(ctor[0]["stateMutability"], "nonpayable");
    assert!(kind(&iface["abi"], "constructor").is_empty(), "an interface has no constructor");
}

/// The artifact a deployment stores (metered module) and an envelope keep the section;
/// hex input works; modules without it and EVM code are refused with the reason.
#[test]
fn metered_modules_envelopes_hex_and_refusals() {
    let wasm = std::fs::read(example("vault")).unwrap();
    let (_, expected, _) = zkos_abi(&[example("vault").to_str().unwrap()]);
    let dir = scratch("forms");
    let metered = wasm_validator::meter::meter(&wasm).unwrap();
    let env =
        host_abi::envelope::Envelope { kind: host_abi::envelope::Kind::Wasm, version: 0, constants: &[1], code: &wasm };
    let mut deploy = vec![0u8; env.encoded_len()];
    env.encode_into(&mut deploy).unwrap();
    for (file, bytes) in [
        ("metered.wasm", metered),
        ("deploy.bin", deploy.clone()),
        ("deploy.hex", format!("0x{}\n", hex::encode(&deploy)).into_bytes()),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, bytes).unwrap();
        let (code, out, err) = zkos_abi(&[path.to_str().unwrap()]);
        assert_eq!((code, out.as_str()), (Some(0), expected.as_str()), "{file}: {err}");
    }
    let (code, _, err) = zkos_abi(&[example("counter").to_str().unwrap()]);
    assert_eq!(code, Some(3));
    assert!(err.contains("no `zkos:abi` section"), "{err}");
    let evm = dir.join("evm.hex");
    std::fs::write(&evm, "0x6000600055").unwrap();
    let (code, _, err) = zkos_abi(&[evm.to_str().unwrap()]);
    assert_eq!(code, Some(3));
    assert!(err.contains("not a WASM contract"), "{err}");
    let (code, _, err) = zkos_abi(&[example("vault").to_str().unwrap(), "--solidity", "--name", "1x"]);
    assert_eq!(code, Some(3));
    assert!(err.contains("not a Solidity identifier"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// wasm-deploy lists the functions of the embedded ABI with selector and mutability.
#[test]
fn wasm_deploy_lists_the_functions() {
    let out = Command::new(env!("CARGO_BIN_EXE_wasm-deploy"))
        .args([example("vault").to_str().unwrap(), "--check"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let at = lines.iter().position(|l| *l == "functions     4 in the embedded ABI (zkos:abi)").expect(&text);
    assert_eq!(
        lines[at + 1..at + 5],
        [
            "0x70a08231 balanceOf(address) view returns (uint256)",
            "0xd0e30db0 deposit() payable",
            "0x7d882097 totalDeposits() view returns (uint256)",
            "0x2e1a7d4d withdraw(uint256) nonpayable"
        ]
    );
    // The vault's `call` has a practical bound (the SDK's allocator refuses blocks of 4 MiB
    // or more and bounds each growth before asking): below the block gas limit, no
    // "unbounded" remark.
    let call = lines.iter().find(|l| l.starts_with("call: ≤ ")).expect(&text);
    let bound: u64 = call["call: ≤ ".len()..].split_whitespace().next().and_then(|n| n.parse().ok()).expect(call);
    assert!(bound > 21_000 && bound < 30_000_000 && !call.contains("unbounded"), "{text}");
    // So do the ERC-20's and the ERC-721's (string getters and `safeTransferFrom`
    // included; the ERC-721 forwards gas to receivers beyond its own bound).
    for name in ["erc20-macro", "erc721-macro"] {
        let out = Command::new(env!("CARGO_BIN_EXE_wasm-deploy"))
            .args([example(name).to_str().unwrap(), "--check"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
        let call = text.lines().map(str::trim).find(|l| l.starts_with("call: ≤ ")).expect(&text);
        let bound: u64 = call["call: ≤ ".len()..].split_whitespace().next().and_then(|n| n.parse().ok()).expect(call);
        assert!(bound < 30_000_000 && !call.contains("unbounded"), "{name}: {text}");
    }
}
