//! `zkos node` over JSON-RPC: each test starts the node on a free loopback port and talks to
//! it with plain HTTP/1.1 (and one WebSocket) over a `TcpStream`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use wasm_runtime::primitives::{Address, Bytes, B256, U256};
use wasm_runtime::tx::{self, UnsignedTx};

const KEY0: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY1: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ACCOUNT0: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const ACCOUNT1: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const ACCOUNT2: &str = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

/// A running node, killed (SIGKILL) when dropped.
struct Node {
    child: Child,
    addr: String,
    /// What it printed before it listened.
    banner: Vec<String>,
}

impl Node {
    fn start(extra: &[&str]) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zkos"))
            .args(["node", "--port", "0", "--quiet"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("zkos node starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = Vec::new();
        let addr = loop {
            let line = lines.next().expect("the node prints its address").unwrap();
            if let Some(rest) = line.strip_prefix("Listening on ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
            banner.push(line);
        };
        // Keep reading stdout so the node never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Node { child, addr, banner }
    }

    fn post(&self, body: &[u8]) -> (u16, String) {
        self.post_with(body, false)
    }

    /// Posts `body`; with `whole`, the node must read all of it (even a body it refuses) so
    /// the client can send it and read the answer.
    fn post_with(&self, body: &[u8], whole: bool) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        let sent = s.write_all(body);
        assert!(!whole || sent.is_ok(), "the node stopped reading the body: {sent:?}");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// The whole response object of one request.
    fn raw(&self, method: &str, params: Value) -> Value {
        let req = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let (_, body) = self.post(req.to_string().as_bytes());
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{method}: not JSON ({e}): {body}"))
    }

    /// The result, or a panic with the error.
    fn rpc(&self, method: &str, params: Value) -> Value {
        let r = self.raw(method, params);
        match r.get("error") {
            Some(e) => panic!("{method}: {e}"),
            None => r["result"].clone(),
        }
    }

    /// The error object (panics on success).
    fn err(&self, method: &str, params: Value) -> Value {
        let r = self.raw(method, params);
        r.get("error").cloned().unwrap_or_else(|| panic!("{method}: expected an error, got {r}"))
    }

    fn u256(&self, method: &str, params: Value) -> U256 {
        hex_u256(&self.rpc(method, params))
    }

    fn block_number(&self) -> u64 {
        self.u256("eth_blockNumber", json!([])).to::<u64>()
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex_u256(v: &Value) -> U256 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a quantity: {v}"));
    U256::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

fn key(hex: &str) -> B256 {
    hex.parse().unwrap()
}

fn signed(secret: &str, nonce: u64, to: Option<Address>, value: u64, data: &[u8], chain_id: u64) -> String {
    let unsigned = UnsignedTx {
        tx_type: 2,
        chain_id: Some(chain_id),
        nonce,
        gas_limit: 1_000_000,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        to,
        value: U256::from(value),
        data: Bytes::copy_from_slice(data),
        ..UnsignedTx::default()
    };
    let env = unsigned.sign(&key(secret)).unwrap();
    format!("0x{}", hex::encode(tx::encode(&env)))
}

fn addr(s: &str) -> Address {
    s.parse().unwrap()
}

/// Runtime: with no calldata, `SSTORE(0, 42)`, `LOG1(topic 0xaa)` and return `SLOAD(0)`;
/// with calldata, revert with the calldata (as a custom error).
const RUNTIME: &[u8] = &[
    0x36, 0x60, 0x1b, 0x57, // CALLDATASIZE PUSH1 revert JUMPI
    0x60, 0x2a, 0x60, 0x00, 0x55, // SSTORE(0, 42)
    0x60, 0xaa, 0x60, 0x00, 0x60, 0x00, 0xa1, // LOG1(0, 0, 0xaa)
    0x60, 0x00, 0x54, 0x60, 0x00, 0x52, // MSTORE(0, SLOAD(0))
    0x60, 0x20, 0x60, 0x00, 0xf3, // RETURN(0, 32)
    0x5b, 0x36, 0x60, 0x00, 0x60, 0x00, 0x37, // JUMPDEST CALLDATACOPY(0, 0, size)
    0x36, 0x60, 0x00, 0xfd, // REVERT(0, size)
    0x00, 0x00, 0x00, 0x00,
];

/// Init code that returns [`RUNTIME`].
fn init_code() -> Vec<u8> {
    let len = u8::try_from(RUNTIME.len()).unwrap();
    let mut code = vec![0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(RUNTIME);
    code
}

fn receipt(node: &Node, hash: &Value) -> Value {
    node.rpc("eth_getTransactionReceipt", json!([hash]))
}

/// Deploys [`RUNTIME`] from account 0 (nonce `nonce`); returns its address.
fn deploy(node: &Node, nonce: u64) -> String {
    let raw = signed(KEY0, nonce, None, 0, &init_code(), 31337);
    let hash = node.rpc("eth_sendRawTransaction", json!([raw]));
    let r = receipt(node, &hash);
    assert_eq!(r["status"], "0x1", "{r}");
    r["contractAddress"].as_str().unwrap().to_string()
}

#[test]
fn identity_accounts_and_chain_facts() {
    let node = Node::start(&[]);
    assert_eq!(node.rpc("eth_chainId", json!([])), "0x7a69");
    assert_eq!(node.rpc("net_version", json!([])), "31337");
    assert!(node.rpc("web3_clientVersion", json!([])).as_str().unwrap().starts_with("zkos/"));
    assert_eq!(node.block_number(), 0);
    assert_eq!(node.rpc("eth_syncing", json!([])), false);
    let accounts = node.rpc("eth_accounts", json!([]));
    assert_eq!(accounts.as_array().unwrap().len(), 10);
    assert_eq!(accounts[0], ACCOUNT0);
    assert_eq!(accounts[1], ACCOUNT1);
    let ether = U256::from(10u64).pow(U256::from(18));
    assert_eq!(node.u256("eth_getBalance", json!([ACCOUNT0, "latest"])), U256::from(10_000) * ether);
    assert_eq!(node.u256("eth_getTransactionCount", json!([ACCOUNT0, "latest"])), U256::ZERO);
    assert_eq!(node.rpc("eth_getCode", json!([ACCOUNT0, "latest"])), "0x");
    // The next block's base fee (genesis 1 gwei, an empty parent lowers it by 1/8) plus 1 gwei.
    assert_eq!(node.u256("eth_gasPrice", json!([])), U256::from(875_000_000u64 + 1_000_000_000));
    assert_eq!(node.u256("eth_maxPriorityFeePerGas", json!([])), U256::from(1_000_000_000u64));
    let genesis = node.rpc("eth_getBlockByNumber", json!(["earliest", false]));
    assert_eq!(genesis["number"], "0x0");
    assert_eq!(genesis["baseFeePerGas"], "0x3b9aca00");
    let by_hash = node.rpc("eth_getBlockByHash", json!([genesis["hash"], false]));
    assert_eq!(by_hash, genesis);
    let config = node.rpc("eth_config", json!([]));
    assert_eq!(config["current"]["chainId"], "0x7a69");
    assert_eq!(config["current"]["fork"], "Osaka");
    assert_eq!(config["current"]["blobSchedule"]["max"], 9);
    assert_eq!(config["current"]["precompiles"]["P256VERIFY"], "0x0000000000000000000000000000000000000100");
    assert_eq!(
        config["current"]["systemContracts"]["HISTORY_STORAGE_ADDRESS"],
        "0x0000f90827f1c53a10cb7a02335b175320002935"
    );
    // EIP-191 signatures by development keys (65 bytes, v 27 or 28).
    let sig = node.rpc("personal_sign", json!(["0x68656c6c6f", ACCOUNT0]));
    let sig = hex::decode(sig.as_str().unwrap().trim_start_matches("0x")).unwrap();
    assert_eq!(sig.len(), 65);
    assert!(sig[64] == 27 || sig[64] == 28);
    let prefixed = b"\x19Ethereum Signed Message:\n5hello".to_vec();
    let hash = wasm_runtime::primitives::keccak256(&prefixed);
    let signature = alloy_primitives::Signature::try_from(&sig[..]).unwrap();
    assert_eq!(signature.recover_address_from_prehash(&hash).unwrap(), addr(ACCOUNT0));
    assert_eq!(node.rpc("eth_sign", json!([ACCOUNT0, "0x68656c6c6f"])), json!(format!("0x{}", hex::encode(&sig))));
    // Another chain id and fork.
    let other = Node::start(&["--chain-id", "1337", "--fork", "Cancun", "--accounts", "3", "--balance", "5"]);
    assert_eq!(other.rpc("eth_chainId", json!([])), "0x539");
    assert_eq!(other.rpc("eth_accounts", json!([])).as_array().unwrap().len(), 3);
    assert_eq!(other.u256("eth_getBalance", json!([ACCOUNT2])), U256::from(5) * ether);
    assert_eq!(other.rpc("eth_config", json!([]))["current"]["precompiles"].get("P256VERIFY"), None);
}

#[test]
fn transfers_mine_one_block_each() {
    let node = Node::start(&[]);
    let before = node.u256("eth_getBalance", json!([ACCOUNT2]));
    let raw = signed(KEY1, 0, Some(addr(ACCOUNT2)), 12345, &[], 31337);
    let hash = node.rpc("eth_sendRawTransaction", json!([raw]));
    assert_eq!(node.block_number(), 1);
    let r = receipt(&node, &hash);
    assert_eq!(r["status"], "0x1");
    assert_eq!(r["gasUsed"], "0x5208");
    assert_eq!(r["blockNumber"], "0x1");
    assert_eq!(r["from"], ACCOUNT1);
    assert_eq!(r["to"], ACCOUNT2);
    let t = node.rpc("eth_getTransactionByHash", json!([hash]));
    assert_eq!(t["hash"], hash);
    assert_eq!(t["value"], "0x3039");
    assert_eq!(t["nonce"], "0x0");
    assert_eq!(node.u256("eth_getBalance", json!([ACCOUNT2])), before + U256::from(12345));
    assert_eq!(node.u256("eth_getBalance", json!([ACCOUNT2, "0x0"])), before, "the state of block 0");
    assert_eq!(node.u256("eth_getTransactionCount", json!([ACCOUNT1, "latest"])), U256::from(1));
    // The sender paid value + 21000 × the effective price.
    let price = hex_u256(&r["effectiveGasPrice"]);
    let spent = hex_u256(&node.rpc("eth_getBalance", json!([ACCOUNT1, "0x0"])))
        - node.u256("eth_getBalance", json!([ACCOUNT1, "latest"]));
    assert_eq!(spent, U256::from(12345) + U256::from(21000) * price);
    let block = node.rpc("eth_getBlockByNumber", json!(["latest", true]));
    assert_eq!(block["transactions"][0]["hash"], hash);
    assert_eq!(block["gasUsed"], "0x5208");
    let parent = node.rpc("eth_getBlockByNumber", json!(["0x0", false]));
    assert_eq!(block["parentHash"], parent["hash"]);
    // eth_sendTransaction from a development account (signed by the node).
    let h2 = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": ACCOUNT2, "value": "0x1"}]));
    assert_eq!(receipt(&node, &h2)["status"], "0x1");
    assert_eq!(node.block_number(), 2);
    let fees = node.rpc("eth_feeHistory", json!(["0x3", "latest", [50]]));
    assert_eq!(fees["oldestBlock"], "0x0");
    assert_eq!(fees["baseFeePerGas"].as_array().unwrap().len(), 4);
    assert_eq!(fees["reward"][1][0], "0x3b9aca00", "block 1's tip: 1 gwei");
    assert_eq!(node.rpc("eth_getBlockTransactionCountByNumber", json!(["0x1"])), "0x1");
    assert_eq!(node.rpc("eth_getTransactionByBlockNumberAndIndex", json!(["0x1", "0x0"]))["hash"], hash);
    assert_eq!(node.rpc("eth_getBlockReceipts", json!(["0x1"])), json!([r]));
}

/// The same contract flow on the reference engine and on the RV64IM machine.
#[test]
fn contracts_calls_logs_reverts_and_estimates_wasmi() {
    contracts_calls_logs_reverts_and_estimates("wasmi");
}

#[test]
fn contracts_calls_logs_reverts_and_estimates_rv() {
    contracts_calls_logs_reverts_and_estimates("rv");
}

fn contracts_calls_logs_reverts_and_estimates(engine: &str) {
    let node = Node::start(&["--engine", engine]);
    let c = deploy(&node, 0);
    assert_eq!(node.rpc("eth_getCode", json!([c, "latest"])), format!("0x{}", hex::encode(RUNTIME)));
    // eth_call runs the store and returns SLOAD(0) = 42 without keeping anything.
    let out = node.rpc("eth_call", json!([{"from": ACCOUNT0, "to": c}, "latest"]));
    assert_eq!(out, format!("0x{:064x}", 42));
    assert_eq!(node.rpc("eth_getStorageAt", json!([c, "0x0", "latest"])), format!("0x{:064x}", 0));
    // A revert: code 3, "execution reverted", data = the revert bytes (a custom error).
    let e = node.err("eth_call", json!([{"to": c, "data": "0xdeadbeef01"}]));
    assert_eq!(e["code"], 3);
    assert!(e["message"].as_str().unwrap().contains("execution reverted"), "{e}");
    assert_eq!(e["data"], "0xdeadbeef01");
    assert_eq!(node.err("eth_estimateGas", json!([{"to": c, "data": "0xdeadbeef"}]))["code"], 3);
    // This code copies calldata of any size: no static bound, so the estimate is searched.
    let bound = node.rpc("zkos_gasBound", json!([{"from": ACCOUNT0, "to": c}]));
    assert_eq!(bound["kind"], "EVM");
    assert_eq!(bound["bound"], Value::Null);
    assert!(bound["reason"].as_str().unwrap().starts_with("unbounded"), "{bound}");
    let est = node.u256("eth_estimateGas", json!([{"from": ACCOUNT0, "to": c}]));
    // Straight-line code (PUSH1 1 PUSH1 0 SSTORE STOP) has a bound; eth_estimateGas uses it.
    let straight = "0x00000000000000000000000000000000000005e7";
    node.rpc("anvil_setCode", json!([straight, "0x600160005500"]));
    let bound = node.rpc("zkos_gasBound", json!([{"from": ACCOUNT0, "to": straight}]));
    let (b, exec) = (hex_u256(&bound["bound"]), hex_u256(&bound["executionBound"]));
    assert_eq!(b, exec + U256::from(21_000), "{bound}");
    assert!(exec >= U256::from(22_106), "{bound}");
    assert_eq!(node.u256("eth_estimateGas", json!([{"from": ACCOUNT0, "to": straight}])), b);
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": straight}]));
    let r = receipt(&node, &h);
    assert_eq!((r["status"].clone(), hex_u256(&r["gasUsed"])), (json!("0x1"), U256::from(43_106)));
    assert_eq!(r["gas"], Value::Null);
    assert_eq!(node.rpc("eth_getTransactionByHash", json!([h]))["gas"], format!("{b:#x}"));
    // A transaction: the store happens, the log is kept.
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c, "gas": format!("{est:#x}")}]));
    let r = receipt(&node, &h);
    assert_eq!(r["status"], "0x1");
    assert_eq!(hex_u256(&r["gasUsed"]), est, "the searched estimate is exact");
    assert_eq!(r["logs"][0]["topics"][0], format!("0x{:064x}", 0xaa));
    assert_eq!(node.rpc("eth_getStorageAt", json!([c, "0x0", "latest"])), format!("0x{:064x}", 42));
    let logs = node.rpc("eth_getLogs", json!([{"fromBlock": "0x0", "toBlock": "latest", "address": c}]));
    assert_eq!(logs.as_array().unwrap().len(), 1);
    assert_eq!(logs[0]["transactionHash"], h);
    let none = node.rpc("eth_getLogs", json!([{"fromBlock": "0x0", "topics": [format!("0x{:064x}", 0xbb)]}]));
    assert_eq!(none, json!([]));
    // A reverted transaction is mined with status 0.
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c, "data": "0x01", "gas": "0x30000"}]));
    assert_eq!(receipt(&node, &h)["status"], "0x0");
    // Traces name the code's kind.
    let t = node.rpc("debug_traceTransaction", json!([h, {"tracer": "callTracer"}]));
    assert_eq!(t["codeKind"], "EVM");
    assert_eq!(t["type"], "CALL");
    assert_eq!(t["output"], "0x01");
    let t = node.rpc("debug_traceCall", json!([{"from": ACCOUNT0, "to": c}, "latest", {"tracer": "callTracer"}]));
    assert_eq!(t["output"], format!("0x{:064x}", 42));
    // The RV64IM instructions of the frame, on the machine only.
    match engine {
        "rv" => assert!(hex_u256(&t["rvInstructions"]) > U256::from(50), "{t}"),
        _ => assert_eq!(t.get("rvInstructions"), None),
    }
    // State overrides, for the call only: an empty balance cannot pay a value; code put at
    // an address runs there.
    let e = node.err(
        "eth_call",
        json!([{"from": ACCOUNT2, "to": ACCOUNT1, "value": "0x1"}, "latest", {ACCOUNT2: {"balance": "0x0"}}]),
    );
    assert_eq!(e["code"], -32000, "{e}");
    let elsewhere = "0x00000000000000000000000000000000000000ee";
    let code = format!("0x{}", hex::encode(RUNTIME));
    let out = node.rpc("eth_call", json!([{"to": elsewhere}, "latest", {elsewhere: {"code": code}}]));
    assert_eq!(out, format!("0x{:064x}", 42));
    assert_eq!(node.rpc("eth_getCode", json!([elsewhere])), "0x");
}

/// A WASM contract: `call` stores 7 in slot 0 and returns it (straight-line code).
const WASM_COUNTER: &str = r#"(module
    (import "zkos" "storage_store" (func $sstore (param i32 i32)))
    (import "zkos" "finish" (func $finish (param i32 i32)))
    (memory (export "memory") 1 1)
    (data (i32.const 63) "\07")
    (func (export "call")
        (call $sstore (i32.const 0) (i32.const 32))
        (call $finish (i32.const 32) (i32.const 32))))"#;

fn wasm_envelope(src: &str) -> Vec<u8> {
    let wasm = wat::parse_str(src).unwrap();
    let env =
        host_abi::envelope::Envelope { kind: host_abi::envelope::Kind::Wasm, version: 0, constants: &[], code: &wasm };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).unwrap();
    out
}

#[test]
fn wasm_contract_deploys_runs_and_has_a_proven_bound_wasmi() {
    wasm_contract_deploys_runs_and_has_a_proven_bound("wasmi");
}

#[test]
fn wasm_contract_deploys_runs_and_has_a_proven_bound_rv() {
    wasm_contract_deploys_runs_and_has_a_proven_bound("rv");
}

fn wasm_contract_deploys_runs_and_has_a_proven_bound(engine: &str) {
    let node = Node::start(&["--engine", engine]);
    let raw = signed(KEY0, 0, None, 0, &wasm_envelope(WASM_COUNTER), 31337);
    let r = receipt(&node, &node.rpc("eth_sendRawTransaction", json!([raw])));
    assert_eq!(r["status"], "0x1", "{r}");
    let c = r["contractAddress"].as_str().unwrap().to_string();
    let code = node.rpc("eth_getCode", json!([c]));
    assert!(code.as_str().unwrap().starts_with("0xef5a"));
    // The deployment artifact is kept by code hash ("already compiled").
    let code = hex::decode(code.as_str().unwrap().trim_start_matches("0x")).unwrap();
    let a = node.rpc("zkos_getArtifact", json!([format!("{}", wasm_runtime::primitives::keccak256(&code))]));
    assert_eq!((a["kind"].as_str(), a["stored"].as_bool()), (Some("WASM"), Some(true)), "{a}");
    assert_eq!(node.rpc("zkos_getArtifact", json!([format!("0x{}", "11".repeat(32))])), Value::Null);
    assert_eq!(node.rpc("eth_call", json!([{"to": c}])), format!("0x{:064x}", 7));
    let bound = node.rpc("zkos_gasBound", json!([{"from": ACCOUNT0, "to": c}]));
    assert_eq!(bound["kind"], "WASM", "{bound}");
    assert_eq!(bound["entry"], "export call");
    let b = hex_u256(&bound["bound"]);
    assert!(bound["formula"].is_string(), "{bound}");
    assert_eq!(node.u256("eth_estimateGas", json!([{"from": ACCOUNT0, "to": c}])), b);
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c}]));
    let r = receipt(&node, &h);
    assert_eq!(r["status"], "0x1");
    assert!(hex_u256(&r["gasUsed"]) <= b && hex_u256(&r["gasUsed"]) > U256::from(21_000 + 22_100), "{r} {bound}");
    assert_eq!(node.rpc("eth_getStorageAt", json!([c, "0x0"])), format!("0x{:064x}", 7));
    let t = node.rpc("debug_traceTransaction", json!([h]));
    assert_eq!(t["codeKind"], "WASM");
    assert_eq!(t["gasUsed"], r["gasUsed"]);
    // EVM code calling the WASM contract: the trace has both frames, each with its kind.
    let mut caller = vec![0x60, 0x20, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73];
    caller.extend_from_slice(addr(&c).as_slice());
    caller.extend_from_slice(&[0x5a, 0xf1, 0x50, 0x60, 0x20, 0x60, 0x00, 0xf3]);
    let evm = "0x0000000000000000000000000000000000000e7e";
    node.rpc("anvil_setCode", json!([evm, format!("0x{}", hex::encode(&caller))]));
    let t = node.rpc("debug_traceCall", json!([{"from": ACCOUNT0, "to": evm}, "latest", {"tracer": "callTracer"}]));
    assert_eq!(t["codeKind"], "EVM", "{t}");
    assert_eq!(t["output"], format!("0x{:064x}", 7));
    let inner = &t["calls"][0];
    assert_eq!((inner["type"].as_str(), inner["codeKind"].as_str()), (Some("CALL"), Some("WASM")), "{t}");
    assert_eq!(inner["from"], evm);
    assert_eq!(inner["to"].as_str(), Some(c.as_str()));
    assert_eq!(inner["output"], format!("0x{:064x}", 7));
    assert!(hex_u256(&inner["gasUsed"]) > U256::ZERO && hex_u256(&inner["gasUsed"]) < hex_u256(&t["gasUsed"]));
    if engine == "rv" {
        let (outer, inner) = (hex_u256(&t["rvInstructions"]), hex_u256(&inner["rvInstructions"]));
        assert!(inner > U256::ZERO && inner < outer, "{t}");
    }
}

#[test]
fn development_methods() {
    let node = Node::start(&[]);
    let snap = node.rpc("evm_snapshot", json!([]));
    let stranger = "0x00000000000000000000000000000000000c0ffe";
    assert_eq!(node.rpc("anvil_setBalance", json!([stranger, "0xde0b6b3a7640000"])), true);
    assert_eq!(node.u256("eth_getBalance", json!([stranger])), U256::from(10u64.pow(18)));
    node.rpc("hardhat_setNonce", json!([stranger, "0x5"]));
    assert_eq!(node.rpc("eth_getTransactionCount", json!([stranger, "latest"])), "0x5");
    node.rpc("anvil_setCode", json!([stranger, "0x6001"]));
    assert_eq!(node.rpc("eth_getCode", json!([stranger, "latest"])), "0x6001");
    node.rpc("anvil_setCode", json!([stranger, "0x"]));
    node.rpc("anvil_setStorageAt", json!([stranger, "0x3", format!("0x{:064x}", 7)]));
    assert_eq!(node.rpc("eth_getStorageAt", json!([stranger, "0x3"])), format!("0x{:064x}", 7));
    // Without impersonation a stranger cannot send; with it, it can.
    let e = node.err("eth_sendTransaction", json!([{"from": stranger, "to": ACCOUNT0, "value": "0x1"}]));
    assert!(e["message"].as_str().unwrap().contains("impersonated"), "{e}");
    node.rpc("anvil_impersonateAccount", json!([stranger]));
    let h = node.rpc("eth_sendTransaction", json!([{"from": stranger, "to": ACCOUNT0, "value": "0x1"}]));
    assert_eq!(receipt(&node, &h)["status"], "0x1");
    assert_eq!(receipt(&node, &h)["from"], stranger);
    node.rpc("anvil_stopImpersonatingAccount", json!([stranger]));
    assert!(node.raw("eth_sendTransaction", json!([{"from": stranger, "to": ACCOUNT0}])).get("error").is_some());
    // Mining and time.
    node.rpc("evm_mine", json!([]));
    assert_eq!(node.block_number(), 2);
    let t = hex_u256(&node.rpc("eth_getBlockByNumber", json!(["latest", false]))["timestamp"]).to::<u64>();
    node.rpc("evm_setNextBlockTimestamp", json!([t + 1000]));
    node.rpc("evm_mine", json!([]));
    let t2 = hex_u256(&node.rpc("eth_getBlockByNumber", json!(["latest", false]))["timestamp"]).to::<u64>();
    assert_eq!(t2, t + 1000);
    node.rpc("evm_increaseTime", json!([3600]));
    node.rpc("anvil_mine", json!(["0x2"]));
    assert_eq!(node.block_number(), 5);
    let t3 = hex_u256(&node.rpc("eth_getBlockByNumber", json!(["latest", false]))["timestamp"]).to::<u64>();
    assert!(t3 >= t2 + 2, "{t3} {t2}");
    // Automine off: the transaction waits for evm_mine.
    node.rpc("evm_setAutomine", json!([false]));
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": ACCOUNT1, "value": "0x1"}]));
    assert_eq!(receipt(&node, &h), Value::Null);
    assert_eq!(node.rpc("eth_getTransactionCount", json!([ACCOUNT0, "pending"])), "0x1");
    let h2 = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": ACCOUNT1, "value": "0x1"}]));
    node.rpc("evm_mine", json!([]));
    assert_eq!(receipt(&node, &h)["blockNumber"], "0x6");
    assert_eq!(receipt(&node, &h2)["blockNumber"], "0x6");
    assert_eq!(receipt(&node, &h2)["transactionIndex"], "0x1");
    node.rpc("evm_setAutomine", json!([true]));
    // Revert to the snapshot: blocks, balances, code and storage as they were.
    assert_eq!(node.rpc("evm_revert", json!([snap])), true);
    assert_eq!(node.block_number(), 0);
    assert_eq!(node.u256("eth_getBalance", json!([stranger])), U256::ZERO);
    assert_eq!(node.rpc("eth_getStorageAt", json!([stranger, "0x3"])), format!("0x{:064x}", 0));
    assert_eq!(receipt(&node, &h), Value::Null);
    assert_eq!(node.rpc("evm_revert", json!([snap])), false, "a snapshot is used once");
    // The chain goes on from there.
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": ACCOUNT1, "value": "0x1"}]));
    assert_eq!(receipt(&node, &h)["blockNumber"], "0x1");
}

/// `--block-time 1`: transactions wait in the pool, blocks come every second, empty or not.
#[test]
fn block_time_mines_on_a_timer() {
    let node = Node::start(&["--block-time", "1"]);
    let h = node.rpc("eth_sendRawTransaction", json!([signed(KEY0, 0, Some(addr(ACCOUNT1)), 1, &[], 31337)]));
    let h2 = node.rpc("eth_sendRawTransaction", json!([signed(KEY0, 1, Some(addr(ACCOUNT1)), 1, &[], 31337)]));
    let start = std::time::Instant::now();
    while receipt(&node, &h2) == Value::Null {
        assert!(start.elapsed() < Duration::from_secs(10), "no block after 10 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (r, r2) = (receipt(&node, &h), receipt(&node, &h2));
    assert_eq!(r["blockNumber"], r2["blockNumber"], "both in one block");
    assert_eq!(r2["transactionIndex"], "0x1");
    let n = node.block_number();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(node.block_number() > n, "empty blocks keep coming");
}

#[test]
fn filters_follow_new_blocks_and_logs() {
    let node = Node::start(&[]);
    let c = deploy(&node, 0);
    let logs = node.rpc("eth_newFilter", json!([{"address": c}]));
    let blocks = node.rpc("eth_newBlockFilter", json!([]));
    assert_eq!(node.rpc("eth_getFilterChanges", json!([logs])), json!([]));
    node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c, "gas": "0x20000"}]));
    node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": ACCOUNT1, "value": "0x1"}]));
    let got = node.rpc("eth_getFilterChanges", json!([logs]));
    assert_eq!(got.as_array().unwrap().len(), 1);
    assert_eq!(node.rpc("eth_getFilterChanges", json!([logs])), json!([]), "nothing new");
    assert_eq!(node.rpc("eth_getFilterChanges", json!([blocks])).as_array().unwrap().len(), 2);
    assert_eq!(node.rpc("eth_uninstallFilter", json!([logs])), true);
    assert_eq!(node.err("eth_getFilterChanges", json!([logs]))["code"], -32000);
}

#[test]
fn bad_input_gets_standard_errors_and_the_node_goes_on() {
    let node = Node::start(&[]);
    let code = |body: &[u8]| -> i64 {
        let (_, b) = node.post(body);
        let v: Value = serde_json::from_str(&b).unwrap_or_else(|e| panic!("{e}: {b}"));
        v["error"]["code"].as_i64().unwrap_or_else(|| panic!("no error: {v}"))
    };
    assert_eq!(code(b"{not json"), -32700);
    assert_eq!(code(b""), -32700);
    assert_eq!(code(b"[]"), -32600);
    assert_eq!(code(b"42"), -32600);
    assert_eq!(code(br#"{"jsonrpc":"2.0","id":1}"#), -32600);
    assert_eq!(code(br#"{"jsonrpc":"2.0","id":1,"method":7}"#), -32600);
    assert_eq!(code(br#"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#), -32600);
    assert_eq!(code(br#"{"jsonrpc":"2.0","id":1,"method":"eth_nope","params":[]}"#), -32601);
    assert_eq!(code(br#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":"x"}"#), -32602);
    assert_eq!(node.err("eth_getBalance", json!([42]))["code"], -32602);
    assert_eq!(node.err("eth_getBalance", json!(["0x1234"]))["code"], -32602);
    assert_eq!(node.err("eth_getBalance", json!([]))["code"], -32602);
    assert_eq!(node.err("eth_getBlockByNumber", json!(["latest", "yes"]))["code"], -32602);
    assert_eq!(node.err("eth_getBalance", json!([ACCOUNT0, "0x99"]))["code"], -32000, "a block past the head");
    assert_eq!(node.err("eth_sendRawTransaction", json!(["0x1234"]))["code"], -32602);
    assert_eq!(node.err("eth_sendRawTransaction", json!(["zz"]))["code"], -32602);
    // A huge payload: refused whole, with a JSON-RPC error.
    let huge = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["{}"]}}"#, "a".repeat(17 << 20));
    let (status, body) = node.post_with(huge.as_bytes(), true);
    assert_eq!(status, 413, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], -32600);
    // Bad signature: s = 0.
    let mut raw = hex::decode(signed(KEY0, 0, Some(addr(ACCOUNT1)), 1, &[], 31337).trim_start_matches("0x")).unwrap();
    let n = raw.len();
    raw[n - 33..].fill(0);
    raw[n - 33] = 0x80;
    let e = node.err("eth_sendRawTransaction", json!([format!("0x{}", hex::encode(&raw[..n - 32]))]));
    assert!(e["code"] == -32602 || e["code"] == -32000, "{e}");
    // Wrong chain id.
    let e = node.err("eth_sendRawTransaction", json!([signed(KEY0, 0, Some(addr(ACCOUNT1)), 1, &[], 1)]));
    assert_eq!(e["code"], -32000);
    assert!(e["message"].as_str().unwrap().contains("chain id"), "{e}");
    // A nonce gap is refused (not queued); a used nonce too.
    let e = node.err("eth_sendRawTransaction", json!([signed(KEY0, 5, Some(addr(ACCOUNT1)), 1, &[], 31337)]));
    assert!(e["message"].as_str().unwrap().contains("nonce too high"), "{e}");
    node.rpc("eth_sendRawTransaction", json!([signed(KEY0, 0, Some(addr(ACCOUNT1)), 1, &[], 31337)]));
    let e = node.err("eth_sendRawTransaction", json!([signed(KEY0, 0, Some(addr(ACCOUNT1)), 2, &[], 31337)]));
    assert!(e["message"].as_str().unwrap().contains("nonce too low"), "{e}");
    // Too little balance.
    let poor = signed(KEY1, 0, Some(addr(ACCOUNT0)), u64::MAX, &[], 31337);
    node.rpc("anvil_setBalance", json!([ACCOUNT1, "0x10"]));
    assert_eq!(node.err("eth_sendRawTransaction", json!([poor]))["code"], -32000);
    // A batch mixes answers and errors, in order.
    let (_, b) =
        node.post(br#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"nope"},5]"#);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v[0]["result"], "0x7a69");
    assert_eq!(v[1]["error"]["code"], -32601);
    assert_eq!(v[2]["error"]["code"], -32600);
    // Still alive, one block mined.
    assert_eq!(node.block_number(), 1);
}

/// Every method with parameters of the wrong kind, size or number: each answer is a result
/// or an error of the caller's (never -32603, which a panic inside the node would give), and
/// the node keeps mining.
#[test]
fn every_method_survives_wrong_parameters() {
    let node = Node::start(&[]);
    let methods = [
        "web3_clientVersion",
        "web3_sha3",
        "net_version",
        "eth_chainId",
        "eth_blockNumber",
        "eth_accounts",
        "eth_gasPrice",
        "eth_maxPriorityFeePerGas",
        "eth_feeHistory",
        "eth_getBalance",
        "eth_getTransactionCount",
        "eth_getCode",
        "eth_getStorageAt",
        "eth_sendRawTransaction",
        "eth_sendTransaction",
        "eth_call",
        "eth_estimateGas",
        "eth_getBlockByNumber",
        "eth_getBlockByHash",
        "eth_getTransactionByHash",
        "eth_getTransactionReceipt",
        "eth_getLogs",
        "eth_newFilter",
        "eth_newBlockFilter",
        "eth_getFilterChanges",
        "eth_getFilterLogs",
        "eth_uninstallFilter",
        "eth_syncing",
        "eth_config",
        "eth_getBlockReceipts",
        "eth_getBlockTransactionCountByNumber",
        "eth_getTransactionByBlockNumberAndIndex",
        "eth_sign",
        "personal_sign",
        "evm_snapshot",
        "evm_revert",
        "evm_mine",
        "evm_increaseTime",
        "evm_setNextBlockTimestamp",
        "evm_setAutomine",
        "anvil_mine",
        "anvil_setBalance",
        "anvil_setCode",
        "anvil_setNonce",
        "anvil_setStorageAt",
        "anvil_impersonateAccount",
        "anvil_stopImpersonatingAccount",
        "debug_traceTransaction",
        "debug_traceCall",
        "zkos_gasBound",
        "eth_subscribe",
    ];
    let huge = format!("0x{}", "f".repeat(80));
    let bad = [
        json!([]),
        json!(null),
        json!([null, null, null]),
        json!([1, 2, 3]),
        json!(["", "", ""]),
        json!(["0x", "0x", "0x"]),
        json!([huge, huge, huge]),
        json!([{}, {}, {}]),
        json!([[], [], []]),
        json!([{"to": "0x12", "from": 5}]),
        json!([{"to": ACCOUNT1, "gas": huge, "value": huge}]),
        json!([{"fromBlock": "0xffffffffffffffff", "toBlock": "0x0", "topics": [[5]]}]),
        json!([ACCOUNT0, "0xffffffffffffffff", true]),
        json!(["0xffffffffffffffff", ACCOUNT0]),
        json!({"named": "params"}),
    ];
    for method in methods {
        for params in &bad {
            let r = node.raw(method, params.clone());
            if let Some(e) = r.get("error") {
                assert_ne!(e["code"], -32603, "{method} {params}: {e}");
                assert!(e["message"].as_str().is_some_and(|m| !m.is_empty() && !m.contains('\n')), "{method}: {e}");
            } else {
                assert!(r.get("result").is_some(), "{method} {params}: {r}");
            }
        }
    }
    // Still serving and mining.
    let h = node.rpc("eth_sendRawTransaction", json!([signed(KEY1, 0, Some(addr(ACCOUNT2)), 1, &[], 31337)]));
    assert_eq!(receipt(&node, &h)["status"], "0x1");
}

#[test]
fn a_restart_on_the_same_data_dir_resumes_at_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let node = Node::start(&["--data-dir", d]);
    let c = deploy(&node, 0);
    node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c, "gas": "0x20000"}]));
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT1, "to": ACCOUNT2, "value": "0x7"}]));
    node.rpc("anvil_setBalance", json!([c, "0x99"]));
    let head = node.rpc("eth_getBlockByNumber", json!(["latest", false]));
    let balance = node.rpc("eth_getBalance", json!([ACCOUNT2]));
    node.kill();
    let node = Node::start(&["--data-dir", d]);
    assert_eq!(node.block_number(), 3);
    // The deployment artifacts (init code, runtime code) came back from the database.
    let line = node.banner.iter().find(|l| l.starts_with("Artifacts:")).expect("an artifacts line");
    let n: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(n >= 2, "{line}");
    assert_eq!(node.rpc("eth_getBlockByNumber", json!(["latest", false])), head);
    assert_eq!(node.rpc("eth_getBalance", json!([ACCOUNT2])), balance);
    assert_eq!(node.rpc("eth_getBalance", json!([c])), "0x99");
    assert_eq!(node.rpc("eth_getStorageAt", json!([c, "0x0"])), format!("0x{:064x}", 42));
    assert_eq!(node.rpc("eth_getCode", json!([c])), format!("0x{}", hex::encode(RUNTIME)));
    assert_eq!(receipt(&node, &h)["status"], "0x1");
    assert_eq!(node.rpc("eth_getLogs", json!([{"fromBlock": "0x0", "address": c}])).as_array().unwrap().len(), 1);
    // It goes on: nonces continue, blocks chain on the old head.
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT1, "to": ACCOUNT2, "value": "0x7"}]));
    let r = receipt(&node, &h);
    assert_eq!(r["blockNumber"], "0x4");
    let b4 = node.rpc("eth_getBlockByNumber", json!(["0x4", false]));
    assert_eq!(b4["parentHash"], head["hash"]);
    assert!(Path::new(d).join("chain.redb").exists());
}

/// A minimal WebSocket client: handshake, masked text frames out, text frames in.
struct Ws(TcpStream);

impl Ws {
    fn connect(addr: &str) -> Ws {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let req = format!(
            "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        assert!(String::from_utf8_lossy(&head).starts_with("HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
        Ws(s)
    }

    fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81];
        let mask = [1u8, 2, 3, 4];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.0.write_all(&frame).unwrap();
    }

    fn recv(&mut self) -> Value {
        let mut h = [0u8; 2];
        self.0.read_exact(&mut h).unwrap();
        let len = match h[1] & 0x7f {
            126 => {
                let mut b = [0u8; 2];
                self.0.read_exact(&mut b).unwrap();
                usize::from(u16::from_be_bytes(b))
            }
            127 => {
                let mut b = [0u8; 8];
                self.0.read_exact(&mut b).unwrap();
                usize::try_from(u64::from_be_bytes(b)).unwrap()
            }
            n => usize::from(n),
        };
        let mut payload = vec![0u8; len];
        self.0.read_exact(&mut payload).unwrap();
        serde_json::from_slice(&payload).unwrap()
    }
}

#[test]
fn websocket_subscriptions_see_new_heads_and_logs() {
    let node = Node::start(&[]);
    let c = deploy(&node, 0);
    let mut ws = Ws::connect(&node.addr);
    ws.send(r#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#);
    let heads = ws.recv()["result"].clone();
    ws.send(&json!({"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["logs", {"address": c}]}).to_string());
    let logs = ws.recv()["result"].clone();
    ws.send(r#"{"jsonrpc":"2.0","id":3,"method":"eth_blockNumber","params":[]}"#);
    assert_eq!(ws.recv()["result"], "0x1");
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c, "gas": "0x20000"}]));
    let mut seen_head = false;
    let mut seen_log = false;
    for _ in 0..2 {
        let n = ws.recv();
        assert_eq!(n["method"], "eth_subscription");
        let sub = &n["params"]["subscription"];
        if *sub == heads {
            assert_eq!(n["params"]["result"]["number"], "0x2");
            seen_head = true;
        } else {
            assert_eq!(*sub, logs);
            assert_eq!(n["params"]["result"]["transactionHash"], h);
            seen_log = true;
        }
    }
    assert!(seen_head && seen_log);
}

/// `debug_executionWitness`: the nodes, codes and keys a stateless run of a mined block
/// reads, checked against the parent's state root by the kernel's own witness reader.
#[test]
fn execution_witness_of_a_mined_block() {
    use wasm_runtime::platform::Platform;
    use wasm_runtime::primitives::keccak256;
    use wasm_runtime::stateless::{Witness, WitnessState};

    let node = Node::start(&[]);
    let c = deploy(&node, 0);
    let h = node.rpc("eth_sendTransaction", json!([{"from": ACCOUNT0, "to": c}]));
    let r = receipt(&node, &h);
    assert_eq!(r["status"], "0x1", "{r}");
    let n = hex_u256(&r["blockNumber"]);
    let block = node.rpc("eth_getBlockByNumber", json!([format!("{n:#x}"), false]));
    let parent = node.rpc("eth_getBlockByNumber", json!([format!("{:#x}", n - U256::from(1)), false]));
    let w = node.rpc("debug_executionWitness", json!([format!("{n:#x}")]));
    let list = |field: &str| -> Vec<Bytes> {
        w[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {w}"))
            .iter()
            .map(|v| v.as_str().unwrap().parse().unwrap())
            .collect()
    };
    let (state, codes, keys, headers) = (list("state"), list("codes"), list("keys"), list("headers"));
    // The header given is the parent's, and its state root is the root of the nodes.
    assert_eq!(headers.len(), 1);
    assert_eq!(format!("{}", keccak256(&headers[0])), block["parentHash"].as_str().unwrap());
    let parent_root: B256 = parent["stateRoot"].as_str().unwrap().parse().unwrap();
    assert!(state.iter().any(|node| keccak256(node) == parent_root), "the root node is in the witness");
    // The contract's code, the sender and the contract are there.
    let code: Bytes = node.rpc("eth_getCode", json!([c, "latest"])).as_str().unwrap().parse().unwrap();
    assert!(codes.contains(&code), "the called code is in the witness");
    for a in [ACCOUNT0, c.as_str()] {
        assert!(keys.contains(&Bytes::copy_from_slice(addr(a).as_slice())), "{a} is among the keys");
    }
    // Read statelessly against the parent's root: the contract, the sender and slot 0 (still
    // 0 before the block) come out of the witness with no missing node.
    let witness = Witness { state: state.clone(), codes, keys, constants: Vec::new() };
    let mut ws = WitnessState::new(&witness, parent_root);
    let account = ws.account(&addr(&c)).expect("the contract exists before the block");
    assert_eq!(account.code, code);
    assert!(ws.account(&addr(ACCOUNT0)).is_some());
    assert_eq!(ws.storage(&addr(&c), &U256::ZERO), U256::ZERO);
    assert!(ws.error().is_none(), "{:?}", ws.error());
    // A witness with a node missing fails to read it.
    let mut broken = witness.clone();
    broken.state.retain(|node| keccak256(node) != parent_root);
    let mut ws = WitnessState::new(&broken, parent_root);
    let _ = ws.account(&addr(&c));
    assert!(ws.error().is_some(), "a dropped root node is noticed");
    // The genesis executes nothing; a block past the head does not exist.
    assert!(node.err("debug_executionWitness", json!(["0x0"]))["message"].as_str().unwrap().contains("genesis"));
    assert_eq!(node.err("debug_executionWitness", json!(["0xffff"]))["code"], -32000);
}
