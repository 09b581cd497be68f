//! Differential tests against revm on solc-compiled contracts built on OpenZeppelin
//! (tests/solidity/oz): an ERC20 with EIP-2612 permits, an ERC721 with receivers, transient
//! storage with a reentrancy guard, custom errors caught and re-raised, a CREATE2 factory,
//! and two blocks of EVM corners (precompiles, gas stipends, call depth, SELFDESTRUCT,
//! EXTCODE*, an ERC1967 proxy; SSTORE refunds, code and initcode size limits, access lists,
//! precompiles called by transactions).
//!
//! Each scenario is one block: deployments from funded senders, then calls that succeed and
//! calls that fail. `revm_reference::check_block` runs it through `zkos run --json` and revm
//! and asserts they agree (status, gas, output, logs, created addresses, post-state); each
//! scenario also checks what zkos returned against facts known in advance (outputs, revert
//! data, log topics), so that agreement on doing nothing cannot pass.

mod revm_reference;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use alloy_primitives::{keccak256, Address, B256, U256};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------
// Compiled contracts.

/// How solc compiles the contracts: every scenario runs on each form of the bytecode.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// The legacy pipeline, optimizer on (200 runs).
    Optimized,
    /// The IR pipeline (via Yul), optimizer on.
    ViaIr,
    /// The legacy pipeline, optimizer off: other stack shapes and jumps.
    Unoptimized,
}

impl Mode {
    fn flags(self) -> &'static [&'static str] {
        match self {
            Mode::Optimized => &[],
            Mode::ViaIr => &["--via-ir"],
            Mode::Unoptimized => &["--no-optimize"],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Mode::Optimized => "optimized",
            Mode::ViaIr => "via-ir",
            Mode::Unoptimized => "unoptimized",
        }
    }
}

/// Creation bytecode of a contract of tests/solidity/oz, compiled once per mode and test
/// process (and kept in the target directory, keyed by the sources, for the next process:
/// nextest runs every test in its own).
fn code(mode: Mode, name: &str) -> Vec<u8> {
    static OUT: [OnceLock<BTreeMap<String, String>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let contracts = OUT[mode as usize].get_or_init(|| {
        let json: Value = serde_json::from_str(&compiled(mode)).expect("compile.js prints JSON");
        let contracts = json["contracts"].as_object().expect("a contracts object");
        contracts.iter().map(|(k, v)| (k.clone(), v.as_str().expect("hex").to_owned())).collect()
    });
    let hex = contracts.get(name).unwrap_or_else(|| panic!("no contract {name} in tests/solidity/oz"));
    hex::decode(hex).expect("bytecode is hex")
}

/// The output of `node tests/solidity/compile.js oz <flags>`, from the cache when the
/// script, the pinned packages and the sources are unchanged.
fn compiled(mode: Mode) -> String {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/solidity"));
    let script = dir.join("compile.js");
    let mut key = Vec::new();
    let mut files = vec![script.clone(), dir.join("package.json")];
    let mut sources: Vec<_> = std::fs::read_dir(dir.join("oz"))
        .expect("tests/solidity/oz")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sol"))
        .collect();
    sources.sort();
    files.extend(sources);
    for file in &files {
        key.extend_from_slice(file.file_name().unwrap().as_encoded_bytes());
        key.extend_from_slice(keccak256(std::fs::read(file).unwrap()).as_slice());
    }
    key.extend_from_slice(mode.label().as_bytes());
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "solidity-oz-{}-{}.json",
        mode.label(),
        hex::encode(&keccak256(&key)[..8])
    ));
    if let Ok(text) = std::fs::read_to_string(&cache) {
        return text;
    }
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg("oz")
        .args(mode.flags())
        .output()
        .unwrap_or_else(|e| panic!("running node {}: {e} (node and npm are needed)", script.display()));
    assert!(
        out.status.success(),
        "{} oz {:?} failed: {}",
        script.display(),
        mode.flags(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("compile.js prints UTF-8");
    // Written aside and renamed: a concurrent test process reads all of it or nothing.
    let partial = cache.with_extension(format!("{}.partial", std::process::id()));
    if std::fs::write(&partial, &text).is_ok() {
        let _ = std::fs::rename(&partial, &cache);
    }
    text
}

// ---------------------------------------------------------------------------------------
// ABI encoding, by hand.

/// An ABI argument: a static word, a dynamic byte string (also `string`), or a dynamic
/// array of static words.
#[derive(Clone)]
enum Arg {
    Word([u8; 32]),
    Bytes(Vec<u8>),
    Words(Vec<[u8; 32]>),
}

fn num(n: u64) -> Arg {
    Arg::Word(U256::from(n).to_be_bytes())
}

fn big(n: U256) -> Arg {
    Arg::Word(n.to_be_bytes())
}

fn addr(a: Address) -> Arg {
    Arg::Word(a.into_word().0)
}

fn word(b: B256) -> Arg {
    Arg::Word(b.0)
}

fn boolean(b: bool) -> Arg {
    num(u64::from(b))
}

fn bytes(b: &[u8]) -> Arg {
    Arg::Bytes(b.to_vec())
}

fn addresses(list: &[Address]) -> Arg {
    Arg::Words(list.iter().map(|a| a.into_word().0).collect())
}

fn numbers(list: &[u64]) -> Arg {
    Arg::Words(list.iter().map(|n| U256::from(*n).to_be_bytes()).collect())
}

fn pad32(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    out.resize(data.len().div_ceil(32) * 32, 0);
    out
}

/// The ABI encoding of a tuple.
fn encode(args: &[Arg]) -> Vec<u8> {
    let mut head = Vec::new();
    let mut tail = Vec::new();
    for arg in args {
        match arg {
            Arg::Word(w) => head.extend_from_slice(w),
            Arg::Bytes(b) => {
                head.extend_from_slice(&U256::from(32 * args.len() + tail.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&U256::from(b.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&pad32(b));
            }
            Arg::Words(ws) => {
                head.extend_from_slice(&U256::from(32 * args.len() + tail.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&U256::from(ws.len()).to_be_bytes::<32>());
                ws.iter().for_each(|w| tail.extend_from_slice(w));
            }
        }
    }
    head.extend(tail);
    head
}

fn selector(sig: &str) -> [u8; 4] {
    keccak256(sig.as_bytes())[..4].try_into().unwrap()
}

/// Calldata (or error data): a selector and the encoded arguments.
fn abi(sig: &str, args: &[Arg]) -> Vec<u8> {
    let mut out = selector(sig).to_vec();
    out.extend(encode(args));
    out
}

fn topic(sig: &str) -> B256 {
    keccak256(sig.as_bytes())
}

fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

// ---------------------------------------------------------------------------------------
// Blocks and what zkos must report for them.

const GAS_LIMIT: u64 = 3_000_000;
const GAS_PRICE: u64 = 10_000_000_000;
const TIMESTAMP: u64 = 0x6600_0000;

const OWNER: Address = Address::repeat_byte(0xa1);
const ALICE: Address = Address::repeat_byte(0xa2);
const BOB: Address = Address::repeat_byte(0xa3);
const CAROL: Address = Address::repeat_byte(0xa4);

/// What zkos must report for one transaction (beyond agreeing with revm).
struct Expect {
    status: &'static str,
    output: Option<Vec<u8>>,
    topics: Option<Vec<B256>>,
    created: Option<Address>,
}

impl Expect {
    /// Succeeds and returns exactly `data`.
    fn returns(&mut self, data: Vec<u8>) -> &mut Self {
        self.output = Some(data);
        self
    }

    /// Reverts with exactly `data`.
    fn reverts(&mut self, data: Vec<u8>) -> &mut Self {
        self.status = "failure";
        self.output = Some(data);
        self
    }

    /// Fails without a revert payload to check (out of gas).
    fn fails(&mut self) -> &mut Self {
        self.status = "failure";
        self
    }

    /// Emits logs whose first topics are `topics`, in order.
    fn logs(&mut self, topics: &[B256]) -> &mut Self {
        self.topics = Some(topics.to_vec());
        self
    }
}

struct Scenario {
    name: String,
    mode: Mode,
    alloc: Map<String, Value>,
    txs: Vec<Value>,
    expect: Vec<Expect>,
    nonces: BTreeMap<Address, u64>,
}

impl Scenario {
    /// A block whose senders each hold 1000 ether.
    fn new(name: &str, mode: Mode, senders: &[Address]) -> Self {
        let mut alloc = Map::new();
        for a in senders {
            alloc.insert(format!("{a:#x}"), json!({ "balance": format!("{:#x}", ether(1000)), "nonce": "0x0" }));
        }
        let name = format!("{name}-{}", mode.label());
        Scenario { name, mode, alloc, txs: Vec::new(), expect: Vec::new(), nonces: BTreeMap::new() }
    }

    fn fund(&mut self, who: Address, balance: U256) {
        self.alloc.insert(format!("{who:#x}"), json!({ "balance": format!("{balance:#x}"), "nonce": "0x0" }));
    }

    fn push(&mut self, from: Address, to: Option<Address>, value: U256, data: Vec<u8>, gas: u64) -> &mut Expect {
        let nonce = self.nonces.entry(from).or_insert(0);
        let mut tx = json!({
            "sender": format!("{from:#x}"),
            "nonce": format!("{nonce:#x}"),
            "gasLimit": format!("{gas:#x}"),
            "value": format!("{value:#x}"),
            "data": format!("0x{}", hex::encode(&data)),
        });
        if let Some(to) = to {
            tx["to"] = json!(format!("{to:#x}"));
        }
        // Alice and Bob send EIP-1559 transactions, the others legacy ones.
        if [ALICE, BOB].contains(&from) {
            tx["maxFeePerGas"] = json!(format!("{:#x}", 2 * GAS_PRICE));
            tx["maxPriorityFeePerGas"] = json!(format!("{:#x}", GAS_PRICE / 5));
        } else {
            tx["gasPrice"] = json!(format!("{GAS_PRICE:#x}"));
        }
        *nonce += 1;
        self.txs.push(tx);
        self.expect.push(Expect { status: "success", output: None, topics: None, created: None });
        self.expect.last_mut().unwrap()
    }

    /// A transaction that must be left out of the block (its nonce is not used up).
    fn push_rejected(&mut self, from: Address, to: Option<Address>, value: U256, data: Vec<u8>, gas: u64) {
        self.push(from, to, value, data, gas).status = "rejected";
        *self.nonces.get_mut(&from).unwrap() -= 1;
    }

    /// Gives the last transaction an EIP-2930 access list.
    fn with_access_list(&mut self, list: &[(Address, Vec<U256>)]) {
        let list: Vec<Value> = list
            .iter()
            .map(|(a, keys)| {
                let keys: Vec<String> = keys.iter().map(|k| format!("{:#066x}", k)).collect();
                json!({ "address": format!("{a:#x}"), "storageKeys": keys })
            })
            .collect();
        self.txs.last_mut().unwrap()["accessList"] = json!(list);
    }

    /// Deploys `name` with constructor `args`; the address is the sender's next CREATE address.
    fn deploy(&mut self, from: Address, name: &str, args: &[Arg]) -> Address {
        let address = self.create_address(from);
        let mut data = code(self.mode, name);
        data.extend(encode(args));
        self.push(from, None, U256::ZERO, data, GAS_LIMIT).created = Some(address);
        address
    }

    fn create_address(&self, from: Address) -> Address {
        from.create(self.nonces.get(&from).copied().unwrap_or(0))
    }

    fn call(&mut self, from: Address, to: Address, sig: &str, args: &[Arg]) -> &mut Expect {
        self.push(from, Some(to), U256::ZERO, abi(sig, args), GAS_LIMIT)
    }

    fn call_value(&mut self, from: Address, to: Address, value: U256, sig: &str, args: &[Arg]) -> &mut Expect {
        self.push(from, Some(to), value, abi(sig, args), GAS_LIMIT)
    }

    fn block(&self) -> Value {
        json!({
            "alloc": self.alloc,
            "env": {
                "currentCoinbase": "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e",
                "currentGasLimit": format!("{:#x}", 60_000_000u64),
                "currentNumber": "0x10",
                "currentTimestamp": format!("{TIMESTAMP:#x}"),
                "currentBaseFee": format!("{:#x}", 7_000_000_000u64),
                "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000000abc",
                "currentExcessBlobGas": "0x0",
                "withdrawals": []
            },
            "txs": self.txs,
        })
    }

    /// Runs the block on zkos and revm, asserts they agree and that zkos reports the
    /// expected facts; returns the zkos report.
    fn run(&self) -> Value {
        let block = self.block();
        let results = revm_reference::check_block(&self.name, &block);
        let report = zkos_run(&self.name, &block);
        let txs = report["transactions"].as_array().expect("transactions");
        assert_eq!(txs.len(), self.expect.len(), "{}: one report per transaction", self.name);
        for (i, (tx, want)) in txs.iter().zip(&self.expect).enumerate() {
            let at = format!("{} tx {i}", self.name);
            assert_eq!(tx["status"], want.status, "{at}: {tx}");
            if let Some(output) = &want.output {
                assert_eq!(tx["output"], format!("0x{}", hex::encode(output)), "{at}: output");
            }
            if let Some(topics) = &want.topics {
                let got: Vec<B256> = tx["logs"]
                    .as_array()
                    .expect("logs")
                    .iter()
                    .map(|l| l["topics"][0].as_str().unwrap().parse().unwrap())
                    .collect();
                assert_eq!(&got, topics, "{at}: first topics of the logs");
            }
            if let Some(created) = want.created {
                let got = tx["contractAddress"].as_str().map(|a| a.parse::<Address>().unwrap());
                assert_eq!(got, Some(created), "{at}: created address");
            }
        }
        assert_eq!(results.len(), txs.len(), "{}: one result per transaction", self.name);
        for (i, (result, tx)) in results.iter().zip(txs).enumerate() {
            assert_eq!(result.gas_used, tx["gasUsed"].as_u64().unwrap(), "{} tx {i}: gas of the harness", self.name);
        }
        report
    }
}

/// `zkos run --json` on a block.
fn zkos_run(name: &str, block: &Value) -> Value {
    let file = std::env::temp_dir().join(format!("zkos-sol-vs-revm-{}-{name}.json", std::process::id()));
    std::fs::write(&file, block.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkos"))
        .args(["run", file.to_str().unwrap(), "--json"])
        .output()
        .expect("running zkos");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "zkos run {name}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("zkos run prints JSON")
}

/// The storage value of `slot` of `address` after the block, from the report's state diff.
fn slot_after(report: &Value, address: Address, slot: U256) -> Option<U256> {
    let change = report["stateDiff"]
        .as_array()?
        .iter()
        .find(|c| c["address"].as_str().unwrap().parse::<Address>().unwrap() == address)?;
    change["storage"].as_array()?.iter().find_map(|s| {
        let key: U256 = s[0].as_str()?.parse().ok()?;
        (key == slot).then(|| s[2].as_str().unwrap().parse().unwrap())
    })
}

fn balance_after(report: &Value, address: Address) -> Option<U256> {
    let change = report["stateDiff"]
        .as_array()?
        .iter()
        .find(|c| c["address"].as_str().unwrap().parse::<Address>().unwrap() == address)?;
    change["balance"][1].as_str()?.parse().ok()
}

fn uint(n: u64) -> Vec<u8> {
    encode(&[num(n)])
}

fn panic_code(code: u64) -> Vec<u8> {
    abi("Panic(uint256)", &[num(code)])
}

fn error_string(s: &str) -> Vec<u8> {
    abi("Error(string)", &[bytes(s.as_bytes())])
}

/// The address of a secret key.
fn key_address(key: &k256::ecdsa::SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

/// EIP-712 digest of an EIP-2612 permit of the token (name "Zk Token", version 1, chain 1).
fn permit_digest(token: Address, owner: Address, spender: Address, value: u64, nonce: u64, deadline: u64) -> B256 {
    let domain = domain_separator(token);
    let permit = topic("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    let hash = keccak256(encode(&[word(permit), addr(owner), addr(spender), num(value), num(nonce), num(deadline)]));
    let mut message = vec![0x19, 0x01];
    message.extend_from_slice(domain.as_slice());
    message.extend_from_slice(hash.as_slice());
    keccak256(&message)
}

fn domain_separator(token: Address) -> B256 {
    let ty = topic("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    keccak256(encode(&[word(ty), word(keccak256(b"Zk Token")), word(keccak256(b"1")), num(1), addr(token)]))
}

/// A low-s signature of `digest`: (v, r, s) as ecrecover takes them.
fn sign(key: &k256::ecdsa::SigningKey, digest: B256) -> (u64, B256, B256) {
    let (mut sig, mut id) = key.sign_prehash_recoverable(digest.as_slice()).expect("signing");
    if let Some(low) = sig.normalize_s() {
        sig = low;
        id = k256::ecdsa::RecoveryId::new(!id.is_y_odd(), id.is_x_reduced());
    }
    let bytes = sig.to_bytes();
    (27 + u64::from(id.to_byte()), B256::from_slice(&bytes[..32]), B256::from_slice(&bytes[32..]))
}

/// The address ecrecover yields for `digest` and a signature made for another digest.
fn recover(digest: B256, (v, r, s): (u64, B256, B256)) -> Address {
    let mut rs = r.to_vec();
    rs.extend_from_slice(s.as_slice());
    let sig = k256::ecdsa::Signature::from_slice(&rs).unwrap();
    let id = k256::ecdsa::RecoveryId::from_byte((v - 27) as u8).unwrap();
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest.as_slice(), &sig, id).unwrap();
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

// ---------------------------------------------------------------------------------------
// Scenarios.

fn erc20(mode: Mode) {
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

fn erc721(mode: Mode) {
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

fn transient_storage(mode: Mode) {
    let mut s = Scenario::new("transient", mode, &[OWNER, ALICE]);
    let vault = s.deploy(OWNER, "Vault", &[]);
    let attacker = s.deploy(ALICE, "Attacker", &[addr(vault)]);
    let counter = s.deploy(OWNER, "TransientCounter", &[]);
    let echo = s.deploy(OWNER, "Echo", &[]);
    let deposit = topic("Deposit(address,uint256)");
    let withdrawal = topic("Withdrawal(address,uint256)");
    let reentrant = selector("ReentrancyGuardReentrantCall()").to_vec();
    let attack = "attack(uint256,uint256)";

    // An honest round trip, then a re-entry that bubbles, then one that is swallowed.
    s.call_value(ALICE, attacker, ether(1), attack, &[num(0), big(ether(1) / U256::from(4))])
        .returns(vec![])
        .logs(&[deposit, withdrawal]);
    s.call_value(ALICE, attacker, ether(1), attack, &[num(1), num(100)])
        .reverts(abi("SendFailed(bytes)", &[bytes(&reentrant)]));
    s.call_value(ALICE, attacker, ether(1), attack, &[num(2), num(100)]).returns(vec![]).logs(&[deposit, withdrawal]);
    s.call(ALICE, attacker, "reentries()", &[]).returns(uint(1));
    s.call(ALICE, attacker, "guardSeen()", &[]).returns(encode(&[boolean(true)]));
    s.call(ALICE, attacker, "lastError()", &[]).returns(encode(&[bytes(&reentrant)]));
    s.call(ALICE, vault, "guarded()", &[]).returns(encode(&[boolean(false)]));
    s.call(ALICE, vault, "balanceOf(address)", &[addr(attacker)])
        .returns(encode(&[big(ether(2) - ether(1) / U256::from(4) - U256::from(100u64))]));
    s.call(ALICE, vault, "withdraw(uint256)", &[num(1)])
        .reverts(abi("Insufficient(uint256,uint256)", &[num(0), num(1)]));
    s.call_value(ALICE, vault, U256::from(5u64), "deposit()", &[]).returns(vec![]).logs(&[deposit]);
    s.call(ALICE, vault, "withdraw(uint256)", &[num(5)]).returns(vec![]).logs(&[withdrawal]);

    // The `transient` variable: counted within a transaction, zero again in the next one.
    s.call(OWNER, counter, "bumpTwice()", &[]).returns(uint(2));
    s.call(OWNER, counter, "peek()", &[]).returns(uint(0));
    s.call(OWNER, counter, "bump()", &[]).returns(uint(1));
    s.call(OWNER, counter, "bumpThenFail()", &[]).reverts(abi("Boom(uint256)", &[num(1)]));
    s.call(OWNER, counter, "bumpInRevertedFrame()", &[]).returns(encode(&[num(2), num(1)]));
    s.call(OWNER, counter, "lastSeen()", &[]).returns(uint(1));
    s.call(OWNER, counter, "afterRevert()", &[]).returns(uint(1));
    let key = keccak256(b"zkos transient key");
    s.call(OWNER, counter, "roundTrip(bytes32,uint256,address)", &[word(key), num(77), addr(echo)]).returns(uint(77));
    s.call(OWNER, counter, "tget(bytes32)", &[word(key)]).returns(uint(0));
    let report = s.run();
    let paid_out = ether(1) / U256::from(4) + U256::from(100u64) + U256::from(5u64);
    assert_eq!(balance_after(&report, vault), Some(ether(2) + U256::from(5u64) - paid_out));
}

fn custom_errors(mode: Mode) {
    let mut s = Scenario::new("custom-errors", mode, &[OWNER, ALICE]);
    let thrower = s.deploy(OWNER, "Thrower", &[]);
    let catcher = s.deploy(OWNER, "Catcher", &[addr(thrower)]);
    let insufficient = |a: u64, r: u64| abi("Insufficient(uint256,uint256)", &[num(a), num(r)]);
    let denied = |who: Address| abi("Denied(address,string)", &[addr(who), bytes(b"not today")]);

    s.call(ALICE, thrower, "spend(uint256,uint256)", &[num(10), num(3)]).returns(uint(7));
    s.call(ALICE, thrower, "spend(uint256,uint256)", &[num(3), num(10)]).reverts(insufficient(3, 10));
    s.call(ALICE, thrower, "deny()", &[]).reverts(denied(ALICE));
    s.call(ALICE, thrower, "nothing()", &[]).reverts(selector("Nothing()").to_vec());
    s.call(ALICE, thrower, "message(uint256)", &[num(13)]).reverts(error_string("unlucky number"));
    s.call(ALICE, thrower, "message(uint256)", &[num(12)]).returns(uint(12));
    s.call(ALICE, thrower, "divide(uint256,uint256)", &[num(1), num(0)]).reverts(panic_code(0x12));
    s.call(ALICE, thrower, "overflow(uint256)", &[big(U256::MAX)]).reverts(panic_code(0x11));
    s.call(ALICE, thrower, "ownerOnly()", &[]).reverts(abi("OwnableUnauthorizedAccount(address)", &[addr(ALICE)]));
    s.call(OWNER, thrower, "ownerOnly()", &[]).returns(uint(42));
    s.call(ALICE, thrower, "empty()", &[]).reverts(vec![]);
    // An unknown selector hits no fallback.
    s.push(ALICE, Some(thrower), U256::ZERO, vec![0x12, 0x34, 0x56, 0x78], 100_000).reverts(vec![]);

    // Caught and re-raised wrapped (the catcher's own count is undone with it), caught and
    // bubbled unchanged, caught and classified.
    s.call(ALICE, catcher, "spendOrWrap(uint256,uint256)", &[num(3), num(10)])
        .reverts(abi("Wrapped(uint256,uint256,uint256)", &[num(3), num(10), num(1)]));
    s.call(ALICE, catcher, "spendOrWrap(uint256,uint256)", &[num(10), num(3)]).returns(uint(7));
    s.call(ALICE, catcher, "denyThrough()", &[]).reverts(denied(catcher));
    let classify = "classify(bytes)";
    let custom = topic("CaughtCustom(bytes4,bytes)");
    s.call(ALICE, catcher, classify, &[bytes(&abi("deny()", &[]))])
        .returns(encode(&[num(3), bytes(&denied(catcher))]))
        .logs(&[custom]);
    s.call(ALICE, catcher, classify, &[bytes(&abi("message(uint256)", &[num(13)]))])
        .returns(encode(&[num(1), bytes(&error_string("unlucky number"))]))
        .logs(&[topic("CaughtString(string)")]);
    s.call(ALICE, catcher, classify, &[bytes(&abi("divide(uint256,uint256)", &[num(1), num(0)]))])
        .returns(encode(&[num(2), bytes(&panic_code(0x12))]))
        .logs(&[topic("CaughtPanic(uint256)")]);
    s.call(ALICE, catcher, classify, &[bytes(&abi("empty()", &[]))]).returns(encode(&[num(4), bytes(&[])]));
    s.call(ALICE, catcher, classify, &[bytes(&abi("spend(uint256,uint256)", &[num(10), num(3)]))])
        .returns(encode(&[num(0), bytes(&uint(7))]));
    s.call(ALICE, catcher, "typed(uint256,uint256)", &[num(1), num(0)]).returns(uint(1000 + 0x12));
    s.call(ALICE, catcher, "typed(uint256,uint256)", &[num(10), num(2)]).returns(uint(5));
    s.call(ALICE, catcher, "caught()", &[]).returns(uint(5));
    s.call(ALICE, thrower, "writes()", &[]).returns(uint(3));
    s.run();
}

fn create2_factory(mode: Mode) {
    let mut s = Scenario::new("create2", mode, &[OWNER, ALICE, BOB]);
    let factory = s.deploy(OWNER, "Factory", &[]);
    let child_at = |salt: B256, owner: Address, value: u64| {
        let mut init = code(mode, "Child");
        init.extend(encode(&[addr(owner), num(value)]));
        factory.create2(salt, keccak256(&init))
    };
    let salt = |n: u8| B256::repeat_byte(n);
    let deployed = topic("Deployed(address,bytes32)");
    let deploy = "deploy(bytes32,address,uint256)";
    let deploy_raw = "deployRaw(bytes32,address,uint256)";
    let first = child_at(salt(1), ALICE, 5);

    s.call(ALICE, factory, "predict(bytes32,address,uint256)", &[word(salt(1)), addr(ALICE), num(5)])
        .returns(encode(&[addr(first)]));
    s.call_value(ALICE, factory, U256::from(100u64), deploy, &[word(salt(1)), addr(ALICE), num(5)])
        .returns(encode(&[addr(first)]))
        .logs(&[deployed]);
    // The same salt and code again: `new` fails with no data, Create2.deploy with its error.
    s.call(ALICE, factory, deploy, &[word(salt(1)), addr(ALICE), num(5)]).reverts(vec![]);
    s.call(ALICE, factory, deploy_raw, &[word(salt(1)), addr(ALICE), num(5)])
        .reverts(selector("FailedDeployment()").to_vec());
    // The same salt with other constructor arguments is another address.
    s.call(ALICE, factory, deploy_raw, &[word(salt(1)), addr(ALICE), num(6)])
        .returns(encode(&[addr(child_at(salt(1), ALICE, 6))]))
        .logs(&[deployed]);
    // A constructor that reverts: its error comes through `new`.
    s.call(ALICE, factory, deploy, &[word(salt(3)), addr(ALICE), num(5000)])
        .reverts(abi("TooBig(uint256,uint256)", &[num(5000), num(1000)]));
    // The deployed child works.
    s.call(ALICE, first, "set(uint256)", &[num(9)]).returns(vec![]).logs(&[topic("Set(uint256,uint256)")]);
    s.call(BOB, first, "set(uint256)", &[num(10)]).reverts(error_string("not the owner"));
    s.call(BOB, first, "value()", &[]).returns(uint(9));
    s.call(BOB, first, "factory()", &[]).returns(encode(&[addr(factory)]));
    s.call(BOB, first, "owner()", &[]).returns(encode(&[addr(ALICE)]));
    s.call(BOB, first, "balance()", &[]).returns(uint(100));
    // Two attempts at one salt within one call: the first stays, the second fails.
    s.call(BOB, factory, "deployTwice(bytes32,address)", &[word(salt(4)), addr(BOB)])
        .returns(encode(&[addr(child_at(salt(4), BOB, 1)), boolean(false)]));
    s.call(BOB, factory, "deployed()", &[]).returns(uint(3));
    // A creation transaction whose constructor reverts.
    let failed_at = s.create_address(BOB);
    let mut init = code(mode, "Child");
    init.extend(encode(&[addr(BOB), num(2000)]));
    s.push(BOB, None, U256::ZERO, init, GAS_LIMIT).reverts(abi("TooBig(uint256,uint256)", &[num(2000), num(1000)]));
    // And one that succeeds, directly from an account.
    let direct = s.deploy(BOB, "Child", &[addr(BOB), num(1)]);
    s.call(BOB, direct, "factory()", &[]).returns(encode(&[addr(BOB)]));
    let report = s.run();
    assert_eq!(balance_after(&report, first), Some(U256::from(100u64)));
    assert_ne!(failed_at, direct);
}

/// The output of transaction `i` of a report.
fn output_of(report: &Value, i: usize) -> Vec<u8> {
    hex::decode(report["transactions"][i]["output"].as_str().unwrap().trim_start_matches("0x")).unwrap()
}

/// Reads the dynamic `bytes` at ABI head word `index` of `data`.
fn dynamic_bytes(data: &[u8], index: usize) -> Vec<u8> {
    let at = |w: usize| usize::try_from(U256::from_be_slice(&data[w..w + 32])).unwrap();
    let offset = at(32 * index);
    data[offset + 32..offset + 32 + at(offset)].to_vec()
}

fn evm_corners(mode: Mode) {
    let mut s = Scenario::new("corners", mode, &[OWNER, ALICE, BOB]);
    let env = s.deploy(OWNER, "Environment", &[]);
    let pre = s.deploy(OWNER, "Precompiles", &[]);
    let gas = s.deploy(OWNER, "Gas", &[]);
    let payee = s.deploy(OWNER, "Payee", &[]);
    let quiet = s.deploy(OWNER, "Quiet", &[]);
    let inspector = s.deploy(OWNER, "Inspector", &[]);
    let bomb_factory = s.deploy(OWNER, "BombFactory", &[]);
    let logic = s.deploy(OWNER, "Logic", &[]);
    let proxy = s.deploy(OWNER, "Proxy", &[addr(logic), bytes(&abi("initialize(uint256)", &[num(5)]))]);
    let bomb = s.create_address(OWNER);
    s.push(OWNER, None, U256::from(1234u64), code(mode, "Bomb"), GAS_LIMIT).created = Some(bomb);
    let nobody = Address::repeat_byte(0x5e);

    // The environment, as an EIP-1559 transaction of Alice's sees it.
    let gwei = 1_000_000_000u64;
    s.call(ALICE, env, "info()", &[]).returns(encode(&[
        num(0x10),
        num(TIMESTAMP),
        num(7 * gwei),
        num(1),
        addr("0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e".parse().unwrap()),
        num(0xabc),
        num(7 * gwei + GAS_PRICE / 5),
        addr(ALICE),
        num(60_000_000),
        num(1),
        num(0),
    ]));
    s.call(OWNER, env, "info()", &[]);
    s.call_value(ALICE, env, U256::from(7u64), "balances(address)", &[addr(BOB)]);
    s.call(ALICE, env, "gasLeft()", &[]);

    // Precompiles.
    let abc_sha = hex::decode("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").unwrap();
    let mut abc_ripe = hex::decode("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc").unwrap();
    abc_ripe.resize(32, 0);
    s.call(ALICE, pre, "hashes(bytes)", &[bytes(b"abc")]).returns(encode(&[
        Arg::Word(abc_sha.try_into().unwrap()),
        Arg::Word(abc_ripe.try_into().unwrap()),
        bytes(b"abc"),
    ]));
    s.call(ALICE, pre, "hashes(bytes)", &[bytes(&[0x5a; 1000])]);
    s.call(ALICE, pre, "modexp(uint256,uint256,uint256)", &[num(3), num(5), num(7)]).returns(uint(5));
    s.call(
        ALICE,
        pre,
        "modexp(uint256,uint256,uint256)",
        &[big(U256::MAX), big(U256::MAX - U256::from(1)), num(1_000_003)],
    );
    let dave_key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let digest = keccak256(b"zkos");
    let (v, r, sig_s) = sign(&dave_key, digest);
    s.call(ALICE, pre, "recover(bytes32,uint8,bytes32,bytes32)", &[word(digest), num(v), word(r), word(sig_s)])
        .returns(encode(&[addr(key_address(&dave_key))]));
    let raw = "raw(address,bytes,uint256)";
    let at = |n: u8| Address::with_last_byte(n);
    let g1 = [num(1), num(2)];
    let two_g: Vec<u8> = encode(&[
        big("0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3".parse().unwrap()),
        big("0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4".parse().unwrap()),
    ]);
    let ok_with = |out: &[u8]| encode(&[boolean(true), bytes(out)]);
    let failed = encode(&[boolean(false), bytes(&[])]);
    s.call(
        ALICE,
        pre,
        raw,
        &[addr(at(6)), bytes(&encode(&[g1[0].clone(), g1[1].clone(), num(1), num(2)])), num(100_000)],
    )
    .returns(ok_with(&two_g));
    s.call(ALICE, pre, raw, &[addr(at(6)), bytes(&encode(&[num(1), num(3), num(1), num(2)])), num(100_000)])
        .returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(7)), bytes(&encode(&[num(1), num(2), num(2)])), num(100_000)])
        .returns(ok_with(&two_g));
    s.call(ALICE, pre, raw, &[addr(at(8)), bytes(&[]), num(200_000)]).returns(ok_with(&uint(1)));
    s.call(ALICE, pre, raw, &[addr(at(8)), bytes(&[0; 191]), num(200_000)]).returns(failed.clone());
    // EIP-152's fifth test vector ("abc", 12 rounds).
    let mut blake_input = 12u32.to_be_bytes().to_vec();
    blake_input.extend(
        hex::decode(concat!(
            "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5",
            "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
        ))
        .unwrap(),
    );
    let mut message = b"abc".to_vec();
    message.resize(128, 0);
    blake_input.extend(message);
    blake_input.extend(3u128.to_le_bytes());
    blake_input.push(1);
    assert_eq!(blake_input.len(), 213);
    let blake_output = hex::decode(concat!(
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc95",
        "18d38aa8dbf1925ab92386edd4009923"
    ))
    .unwrap();
    s.call(ALICE, pre, raw, &[addr(at(9)), bytes(&blake_input), num(100_000)]).returns(ok_with(&blake_output));
    s.call(ALICE, pre, raw, &[addr(at(9)), bytes(&blake_input[..212]), num(100_000)]).returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(10)), bytes(&[1; 100]), num(100_000)]).returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(1)), bytes(&[0xff; 128]), num(100_000)]).returns(ok_with(&[]));
    s.call(ALICE, pre, raw, &[addr(at(2)), bytes(&[1; 64]), num(10)]).returns(failed.clone());
    s.call(ALICE, pre, raw, &[addr(at(4)), bytes(&[9; 3000]), num(100_000)]).returns(ok_with(&[9; 3000]));
    s.call(ALICE, pre, raw, &[addr(nobody), bytes(b"anyone?"), num(100_000)]).returns(ok_with(&[]));

    // Gas: stipends, explicit call gas, static-call violations, depth, memory, halts.
    let got = topic("Got(uint256)");
    s.call_value(ALICE, gas, U256::from(1000u64), "pay(address)", &[addr(payee)]).fails();
    s.call_value(ALICE, gas, U256::from(1000u64), "pay(address)", &[addr(quiet)]).returns(vec![]).logs(&[got]);
    s.call_value(ALICE, gas, U256::from(1000u64), "trySend(address)", &[addr(payee)])
        .returns(encode(&[boolean(false)]));
    let call_with_gas = "callWithGas(address,uint256,bytes)";
    s.call(ALICE, gas, call_with_gas, &[addr(payee), num(30_000), bytes(&[])]).returns(ok_with(&[]));
    s.call(ALICE, gas, call_with_gas, &[addr(payee), num(5_000), bytes(&[])]).returns(failed.clone());
    s.call(ALICE, payee, "hits()", &[]).returns(uint(1));
    s.call(ALICE, gas, "staticBump()", &[]).returns(encode(&[boolean(false)]));
    s.call(ALICE, gas, "bump()", &[]).returns(uint(1));
    s.push(ALICE, Some(gas), U256::ZERO, abi("depth(uint256)", &[num(2000)]), 15_000_000);
    s.call(ALICE, gas, "depth(uint256)", &[num(10)]).returns(uint(10));
    s.call(ALICE, gas, "bigMemory(uint256)", &[num(100_000)]);
    s.call(ALICE, gas, "bigMemory(uint256)", &[num(50_000_000)]).fails();
    s.call(ALICE, gas, "bigLog(uint256)", &[num(10_000)]).logs(&[topic("Blob(bytes)")]);
    s.call(ALICE, gas, "invalidOpcode()", &[]).fails();
    s.call(ALICE, gas, "badReturnDataCopy()", &[]).fails();
    s.call(ALICE, gas, "copyAround(bytes)", &[bytes(b"0123456789")]).returns(encode(&[bytes(b"0120123456")]));

    // SELFDESTRUCT (EIP-6780): an old contract only pays out; one created in the same
    // transaction goes.
    s.call(OWNER, bomb, "boom(address)", &[addr(BOB)]).returns(vec![]);
    let short_lived = bomb_factory.create(1);
    s.call_value(OWNER, bomb_factory, U256::from(50u64), "createAndBoom(address)", &[addr(BOB)]);
    let bomb_probe = s.txs.len();
    s.call(OWNER, inspector, "codeOf(address)", &[addr(bomb)]);
    s.call(OWNER, inspector, "codeOf(address)", &[addr(short_lived)]).returns(encode(&[num(0), num(0), bytes(&[])]));

    // Code introspection sees the EVM code, not what it was compiled to.
    s.call(OWNER, inspector, "sizeInConstructor()", &[]).returns(uint(0));
    let empty_hash = keccak256([]);
    s.call(OWNER, inspector, "codeOf(address)", &[addr(ALICE)]).returns(encode(&[
        num(0),
        word(empty_hash),
        bytes(&[]),
    ]));
    s.call(OWNER, inspector, "codeOf(address)", &[addr(nobody)]).returns(encode(&[num(0), num(0), bytes(&[])]));
    let payee_probe = s.txs.len();
    s.call(OWNER, inspector, "codeOf(address)", &[addr(payee)]);
    s.call(OWNER, inspector, "codeOf(address)", &[addr(at(1))]);
    s.call(OWNER, inspector, "codeSlice(address,uint256,uint256)", &[addr(payee), num(150), num(100)]);
    s.call(OWNER, inspector, "codeSlice(address,uint256,uint256)", &[addr(payee), num(1 << 40), num(33)])
        .returns(encode(&[bytes(&[0; 33])]));
    let own_probe = s.txs.len();
    s.call(OWNER, inspector, "ownCode()", &[]);

    // DELEGATECALL through an ERC1967 proxy: the logic's code on the proxy's storage.
    let add = "add(int256)";
    s.call(ALICE, proxy, add, &[num(3)]).returns(uint(8));
    s.call(ALICE, proxy, add, &[big(U256::MAX)]).reverts(abi("Negative(int256)", &[big(U256::MAX)]));
    s.call(ALICE, proxy, "whereAmI()", &[]).returns(encode(&[addr(proxy)]));
    s.call(ALICE, proxy, "lastCaller()", &[]).returns(encode(&[addr(ALICE)]));
    s.call(ALICE, logic, "value()", &[]).returns(uint(0));
    s.call(ALICE, proxy, "initialize(uint256)", &[num(1)]).reverts(error_string("initialized"));
    s.push(ALICE, Some(proxy), U256::from(99u64), vec![], 100_000).returns(vec![]);

    let report = s.run();
    // The bomb kept its code; the payee's code as read by EXTCODECOPY is the runtime part of
    // its creation code, with the matching EXTCODEHASH; CODECOPY agrees.
    let bomb_code = dynamic_bytes(&output_of(&report, bomb_probe), 2);
    assert!(!bomb_code.is_empty());
    let probe = output_of(&report, payee_probe);
    let payee_code = dynamic_bytes(&probe, 2);
    assert_eq!(U256::from_be_slice(&probe[..32]), U256::from(payee_code.len()));
    assert_eq!(&probe[32..64], keccak256(&payee_code).as_slice());
    assert!(
        code(mode, "Payee").windows(payee_code.len()).any(|w| w == payee_code),
        "runtime code inside the creation code"
    );
    let own = dynamic_bytes(&output_of(&report, own_probe), 0);
    assert!(code(mode, "Inspector").len() > own.len() && !own.is_empty());
    assert_eq!(balance_after(&report, BOB).map(|b| b > ether(999)), Some(true));
    let implementation = U256::from_be_bytes(keccak256(b"eip1967.proxy.implementation").0) - U256::from(1u64);
    assert_eq!(slot_after(&report, proxy, implementation), Some(U256::from_be_slice(logic.as_slice())));
    assert_eq!(slot_after(&report, proxy, U256::ZERO), Some(U256::from(8u64)));
    assert_eq!(balance_after(&report, proxy), Some(U256::from(99u64)));
}

fn gas_and_state_edges(mode: Mode) {
    let mut s = Scenario::new("edges", mode, &[OWNER, ALICE]);
    let edges = s.deploy(OWNER, "Edges", &[]);
    let failed_create = |size: u64| abi("CreateFailed(uint256)", &[num(size)]);
    s.call(OWNER, edges, "setMany(uint256)", &[num(100)]).returns(vec![]);
    // A refund above the cap of a fifth of the gas used.
    s.call(OWNER, edges, "clearMany(uint256)", &[num(100)]).returns(vec![]);
    s.call(ALICE, edges, "flip()", &[]).returns(uint(7));
    // EIP-170: 24576 bytes of code deploy, one more does not; EIP-3541: no 0xEF code.
    let deploy_code = "deployCode(uint256,uint8)";
    // (200 gas a byte of code: more than the usual transaction gas.)
    s.push(OWNER, Some(edges), U256::ZERO, abi(deploy_code, &[num(24_576), num(0)]), 10_000_000)
        .returns(encode(&[addr(edges.create(1))]));
    s.push(OWNER, Some(edges), U256::ZERO, abi(deploy_code, &[num(24_577), num(0)]), 10_000_000)
        .reverts(failed_create(24_577));
    s.call(OWNER, edges, deploy_code, &[num(10), num(0xef)]).reverts(failed_create(10));
    s.call(OWNER, edges, deploy_code, &[num(10), num(0xfe)]).returns(encode(&[addr(edges.create(2))]));
    // EIP-3860: CREATE with more than 49152 bytes of initcode halts the frame.
    let probe = "probe(bytes)";
    s.call(OWNER, edges, probe, &[bytes(&abi("bigInitcode(uint256)", &[num(49_153)]))])
        .returns(encode(&[boolean(false), bytes(&[])]));
    s.call(OWNER, edges, probe, &[bytes(&abi("bigInitcode(uint256)", &[num(49_152)]))])
        .returns(encode(&[boolean(true), bytes(&encode(&[addr(edges.create(3))]))]));
    s.call(OWNER, edges, "createTwo()", &[]).returns(encode(&[addr(edges.create(4)), addr(edges.create(5))]));
    // Value: to a new account, to a precompile, more than the contract holds.
    let fresh = Address::repeat_byte(0xf0);
    let send = "send(address,uint256)";
    s.call_value(ALICE, edges, U256::from(1000u64), send, &[addr(fresh), num(600)]).returns(encode(&[boolean(true)]));
    s.call(ALICE, edges, send, &[addr(Address::with_last_byte(2)), num(1)]).returns(encode(&[boolean(true)]));
    s.call(ALICE, edges, send, &[addr(fresh), big(ether(1))]).returns(encode(&[boolean(false)]));
    s.call(ALICE, edges, "coinbaseBalance()", &[]);
    s.push(ALICE, Some(edges), U256::from(3u64), vec![], 100_000).returns(vec![]);
    // Creation transactions with initcode at and above the EIP-3860 limit.
    let at_limit = s.create_address(OWNER);
    s.push(OWNER, None, U256::ZERO, vec![0; 49_152], GAS_LIMIT).created = Some(at_limit);
    let too_big = s.txs.len();
    s.push_rejected(OWNER, None, U256::ZERO, vec![0; 49_153], GAS_LIMIT);
    // Access lists: warm slots and accounts bought up front.
    s.call(OWNER, edges, "flip()", &[]).returns(uint(7));
    s.with_access_list(&[(edges, vec![U256::from(150u64), U256::from(200u64)]), (fresh, vec![])]);
    s.call(ALICE, edges, "slots(uint256)", &[num(3)]).returns(uint(0));
    s.with_access_list(&[(edges, vec![U256::from(3u64)])]);
    // Precompiles called directly by transactions.
    let abc_sha = "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".parse::<B256>().unwrap();
    s.push(ALICE, Some(Address::with_last_byte(2)), U256::ZERO, b"abc".to_vec(), 100_000).returns(abc_sha.to_vec());
    s.push(ALICE, Some(Address::with_last_byte(1)), U256::from(1u64), vec![0xff; 128], 100_000).returns(vec![]);
    s.push(ALICE, Some(Address::with_last_byte(10)), U256::ZERO, vec![1; 100], 100_000).fails();
    s.push(ALICE, Some(Address::with_last_byte(5)), U256::ZERO, vec![], 100_000).returns(vec![]);
    let report = s.run();
    assert_eq!(slot_after(&report, edges, U256::from(200u64)), Some(U256::from(7u64)), "marker is back to 7");
    assert_eq!(slot_after(&report, edges, U256::from(150u64)), None, "slot 150 is back to zero");
    assert_eq!(balance_after(&report, fresh), Some(U256::from(600u64)));
    assert_eq!(report["transactions"][too_big]["gasUsed"].as_u64(), Some(0));
}

/// One test per scenario and compilation mode.
macro_rules! in_every_mode {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn optimized() {
                super::$scenario(super::Mode::Optimized)
            }

            #[test]
            fn via_ir() {
                super::$scenario(super::Mode::ViaIr)
            }

            #[test]
            fn unoptimized() {
                super::$scenario(super::Mode::Unoptimized)
            }
        }
    )*};
}

in_every_mode!(erc20, erc721, transient_storage, custom_errors, create2_factory, evm_corners, gas_and_state_edges);
