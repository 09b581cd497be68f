//! Tests of `zkos gas-report`: input detection, the three output formats, and soundness of
//! the EVM bounds against the gas the system layer measures, on the benchmark contracts'
//! transactions and on random calls to a solc-compiled ERC-20 (testdata/Token.sol).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use serde_json::Value;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::{CallKind, CallParams, System};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, Bytes, U256};

use host_abi::status::CallStatus;

use super::model::{Entry, Report};
use super::*;

const LOOPS: &[u8] = include_bytes!("testdata/loops.wasm");
const TOKEN: &str = include_str!("testdata/token.json");
const BENCH: &str = "/work/shared/bench/evm";

fn args() -> Args {
    Args { file: PathBuf::from("x"), json: false, html: None, inputs: Vec::new(), abi: None, measure: None }
}

fn entry<'a>(r: &'a Report, name: &str) -> &'a Entry {
    r.entries.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no entry {name}"))
}

#[test]
fn inputs_are_detected() {
    assert!(matches!(detect("f", LOOPS), Ok(Code::Wasm(_))));
    assert_eq!(detect("f", b"0x6001600101 \n").unwrap(), Code::Evm(vec![0x60, 1, 0x60, 1, 1]));
    assert_eq!(detect("f", b"6001").unwrap(), Code::Evm(vec![0x60, 1]));
    assert_eq!(detect("f", &[0x60, 0x01, 0xff]).unwrap(), Code::Evm(vec![0x60, 1, 0xff]));
    // An envelope holding the module.
    let env = host_abi::envelope::Envelope {
        kind: host_abi::envelope::Kind::Wasm,
        version: 0,
        constants: &[1, 2],
        code: LOOPS,
    };
    let mut buf = vec![0u8; env.encoded_len()];
    env.encode_into(&mut buf).unwrap();
    assert_eq!(detect("f", &buf).unwrap(), Code::Wasm(LOOPS.to_vec()));
    assert!(detect("f", b"").is_err());
    // An ELF that is no RV64IM executable is refused with native-shim's reason.
    let e = detect("f", b"\x7fELF\x02\x01\x01\0garbage").unwrap_err().to_string();
    assert!(e.contains("not a native contract"), "{e}");
    assert!(parse_inputs(&["calldata_size=10".into(), "p0=0x10".into()]).is_ok());
    let e = parse_inputs(&["nope=1".into()]).unwrap_err().to_string();
    assert!(e.contains("unknown input `nope`"), "{e}");
    assert!(parse_inputs(&["calldata_size".into()]).is_err());
}

#[test]
fn wasm_report_in_every_format() {
    let mut a = args();
    a.inputs = vec!["calldata_size=10".into()];
    let r = report("loops.wasm", LOOPS, &a).unwrap();
    let call = entry(&r, "call");
    // 22,128: the 3 declared locals of `call` are paid on entry (host_abi::gas::DECLARED_LOCAL).
    assert_eq!(call.formula.as_deref(), Some("22128 + 159·calldata_size"));
    assert_eq!(call.bound, Some(22_128 + 1590));
    let other = entry(&r, "other");
    assert_eq!(other.reason_kind.as_deref(), Some("loop"));
    assert!(other.reason.as_deref().unwrap().contains("function 2, offset 0x78"));
    assert_eq!(other.location, Some((Some(2), 0x78)));

    let t = text::table(&r);
    assert!(t.contains("call    ≤ 22128 + 159·calldata_size = 23718"), "{t}");
    assert!(t.contains("storage_store ≤ 22100"), "{t}");
    assert!(t.contains("metering elision:"), "{t}");

    let j = json::document(&r);
    let exports = j["exports"].as_array().unwrap();
    assert_eq!(exports[0]["name"], "call");
    assert_eq!(exports[0]["bound"], 23_718);
    assert_eq!(exports[0]["formula"], "22128 + 159·calldata_size");
    assert!(exports[0]["reason"].is_null());
    assert!(exports[1]["bound"].is_null() && exports[1]["formula"].is_null());
    assert!(exports[1]["reason"].as_str().unwrap().starts_with("loop with no bounded trip count"));
    assert_eq!(j["functions"].as_array().unwrap().len(), 3);
    for f in j["functions"].as_array().unwrap() {
        for key in ["name", "bound", "formula", "reason"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }

    let h = html::page(&r);
    assert!(h.starts_with("<!DOCTYPE html>") && h.trim_end().ends_with("</html>"));
    assert_eq!(h.matches("<svg").count(), 3, "one graph per function");
    for banned in ["<script", "<link", "src=", "@import", "url(http"] {
        assert!(!h.contains(banned), "not self-contained: {banned}");
    }
    // The unbounded loop's header is marked, and its loop drawn as unbounded.
    assert!(h.contains("#f9d6d2") && h.contains("#fdecea"));
}

#[test]
fn evm_report_names_selectors() {
    let token: Value = serde_json::from_str(TOKEN).unwrap();
    let code = hex::decode(token["deployedBytecode"].as_str().unwrap()).unwrap();
    let abi = names::from_abi("token.json", TOKEN).unwrap();
    assert!(abi.iter().any(|(s, n)| *s == 0xa9059cbb && n == "transfer(address,uint256)"));
    assert!(abi.iter().any(|(_, n)| n == "batchTransfer(address[],uint256)"));
    let r = model::evm("token", &code, &abi);
    let transfer = entry(&r, "transfer(address,uint256)");
    assert!(transfer.bound.is_some(), "{transfer:?}");
    let batch = entry(&r, "batchTransfer(address[],uint256)");
    assert_eq!(batch.reason_kind.as_deref(), Some("loop"));
    assert_eq!(r.entries.last().unwrap().name, "(any calldata)");
    let t = text::table(&r);
    assert!(t.contains("a9059cbb  transfer(address,uint256)"), "{t}");
    let j = json::document(&r);
    assert_eq!(j["kind"], "evm");
    let h = html::page(&r);
    assert!(h.contains("<svg") && !h.contains("<script"));
}

/// Runs a call frame and returns the gas it used (frame execution only) and whether it
/// succeeded.
fn frame_gas(
    sys: &mut System<&mut MemoryDb>,
    from: Address,
    to: Address,
    data: &[u8],
    value: U256,
    gas: u64,
) -> (u64, bool) {
    let (used, status) = frame_status(sys, from, to, data, value, gas);
    (used, status.is_success())
}

fn u256(v: &Value) -> U256 {
    U256::from_str(v.as_str().unwrap_or("0x0")).unwrap_or_default()
}

/// Every benchmark transaction whose selector has a bound uses no more gas than it.
#[test]
fn bench_transactions_stay_within_their_bounds() {
    let mut checked = 0;
    let mut files: Vec<_> = std::fs::read_dir(BENCH)
        .unwrap_or_else(|e| panic!("{BENCH}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let test = doc.as_object().unwrap().values().next().unwrap();
        let mut db = MemoryDb::default();
        for (addr, acc) in test["pre"].as_object().unwrap() {
            let mut info = AccountInfo::with_balance(u256(&acc["balance"]), u256(&acc["nonce"]).saturating_to());
            info.set_code(Bytes::from(hex::decode(acc["code"].as_str().unwrap().trim_start_matches("0x")).unwrap()));
            let storage: BTreeMap<U256, U256> = acc["storage"]
                .as_object()
                .map(|s| s.iter().map(|(k, v)| (U256::from_str(k).unwrap(), u256(v))).collect())
                .unwrap_or_default();
            db.insert(Address::from_str(addr).unwrap(), info, storage);
        }
        for tx in test["transaction"].as_array().unwrap() {
            let Some(to) = tx["to"].as_str().and_then(|t| Address::from_str(t).ok()) else { continue };
            let code = db.accounts.get(&to).map(|a| a.info.code.to_vec()).unwrap_or_default();
            let data = hex::decode(tx["data"].as_str().unwrap_or("0x").trim_start_matches("0x")).unwrap();
            let (any, per) = wasm_validator::bounds::evm::analyze(&code);
            let sel = (data.len() >= 4).then(|| u32::from_be_bytes([data[0], data[1], data[2], data[3]]));
            let b = per.iter().find(|b| b.selector == sel).unwrap_or(&any);
            let Ok(bound) = b.bound.clone() else { continue };
            let sender = Address::from_str(tx["sender"].as_str().unwrap()).unwrap();
            let mut db2 = db.clone();
            let mut sys = System::new(&mut db2, BlockEnv::default(), EngineKind::Wasmi);
            let (used, ok) = frame_gas(&mut sys, sender, to, &data, u256(&tx["value"]), 30_000_000);
            assert!(u128::from(used) <= bound || b.forwards_gas, "{}: used {used} > bound {bound}", path.display());
            println!("{}: {:?} used {used} ≤ {bound} (success {ok})", path.display(), sel.map(|s| format!("{s:08x}")));
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} benchmark transactions had a bound");
}

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn word(v: U256) -> [u8; 32] {
    v.to_be_bytes::<32>()
}

/// Random calls to the solc ERC-20 (mint, transfer, approve, transferFrom, views, short and
/// unknown calldata) never use more gas than their selector's bound.
#[test]
fn token_random_calls_stay_within_their_bounds() {
    let token: Value = serde_json::from_str(TOKEN).unwrap();
    let code = hex::decode(token["deployedBytecode"].as_str().unwrap()).unwrap();
    let (any, per) = wasm_validator::bounds::evm::analyze(&code);
    let bound_of = |data: &[u8]| {
        let sel = (data.len() >= 4).then(|| u32::from_be_bytes([data[0], data[1], data[2], data[3]]));
        per.iter().find(|b| b.selector == sel).unwrap_or(&any).bound.clone().ok()
    };
    let sig = |s: &str| names::selector(s).to_be_bytes().to_vec();
    let users: Vec<Address> = (1..=4u8).map(Address::repeat_byte).collect();
    let owner = users[0];
    let c = Address::repeat_byte(0xEC);
    let mut db = MemoryDb::default();
    let mut info = AccountInfo::default();
    info.set_code(Bytes::from(code.clone()));
    // Slot 3 holds the owner (totalSupply, balanceOf, allowance come first).
    let mut storage = BTreeMap::new();
    storage.insert(U256::from(3u8), U256::from_be_slice(owner.as_slice()));
    db.insert(c, info, storage);
    for u in &users {
        db.insert(*u, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(20u8)), 0), BTreeMap::new());
    }
    let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
    let mut rng = Rng(0x70ce);
    let (mut checked, mut succeeded) = (0, 0);
    for _ in 0..300 {
        let from = users[(rng.next() % 4) as usize];
        let a = U256::from_be_slice(users[(rng.next() % 4) as usize].as_slice());
        let b = U256::from_be_slice(users[(rng.next() % 4) as usize].as_slice());
        let amount = match rng.next() % 4 {
            0 => U256::ZERO,
            1 => U256::from(rng.next() % 1000),
            2 => U256::MAX,
            _ => U256::from(rng.next()),
        };
        let mut data = match rng.next() % 10 {
            0 | 1 => sig("mint(address,uint256)"),
            2 | 3 => sig("transfer(address,uint256)"),
            4 => sig("approve(address,uint256)"),
            5 | 6 => sig("transferFrom(address,address,uint256)"),
            7 => sig("balanceOf(address)"),
            8 => sig("checksum(uint256)"),
            _ => {
                let mut d = (rng.next() as u32).to_be_bytes().to_vec();
                d.truncate((rng.next() % 5) as usize);
                d
            }
        };
        if data.len() == 4 {
            data.extend_from_slice(&word(a));
            data.extend_from_slice(&word(if rng.next() & 1 == 0 { b } else { amount }));
            data.extend_from_slice(&word(amount));
        }
        let (used, ok) = frame_gas(&mut sys, from, c, &data, U256::ZERO, 1_000_000);
        succeeded += usize::from(ok);
        if let Some(bound) = bound_of(&data) {
            assert!(u128::from(used) <= bound, "calldata {}: used {used} > bound {bound}", hex::encode(&data));
            checked += 1;
        }
    }
    assert!(checked >= 200 && succeeded >= 50, "checked {checked}, succeeded {succeeded}");
}

/// A macro example contract from `examples/out` (built by `examples/build.sh`) and the code
/// an account that deployed it stores (the envelope's header and code).
fn macro_example(name: &str) -> (Vec<u8>, Vec<u8>) {
    let path = format!("{}/../examples/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    let env =
        host_abi::envelope::Envelope { kind: host_abi::envelope::Kind::Wasm, version: 0, constants: &[], code: &wasm };
    let mut stored = env.header().to_vec();
    stored.extend_from_slice(&wasm);
    (wasm, stored)
}

/// Gas a call's frame used, and how it ended.
fn frame_status(
    sys: &mut System<&mut MemoryDb>,
    from: Address,
    to: Address,
    data: &[u8],
    value: U256,
    gas: u64,
) -> (u64, CallStatus) {
    let (used, status, _) = frame(sys, from, to, data, value, gas);
    (used, status)
}

/// Gas a call's frame used, how it ended and its output (return or revert data).
fn frame(
    sys: &mut System<&mut MemoryDb>,
    from: Address,
    to: Address,
    data: &[u8],
    value: U256,
    gas: u64,
) -> (u64, CallStatus, Bytes) {
    let r = wasm_runtime::exec::System::call(
        sys,
        CallParams {
            kind: CallKind::Call,
            caller: from,
            address: to,
            code_address: to,
            value,
            apparent_value: value,
            input: Bytes::copy_from_slice(data),
            gas,
            is_static: false,
            depth: 0,
        },
    )
    .unwrap_or_else(|e| panic!("internal error: {e}"));
    sys.world.finish_tx();
    (gas - r.gas_left, r.status, r.output)
}

/// The slot of `key` in the mapping at slot `slot` (solc's rule).
fn mapping_slot(key: Address, slot: u8) -> U256 {
    let mut buf = [0u8; 64];
    buf[12..32].copy_from_slice(key.as_slice());
    buf[63] = slot;
    U256::from_be_bytes(wasm_runtime::primitives::keccak256(buf).0)
}

/// The per-selector bounds of the contracts written with `#[zkos::contract]` hold: random
/// calls of every function of their ABI (successful and reverting, with and without value)
/// use no more gas than the bound of their selector. The bounds are split off the
/// dispatcher (no row carries the `call` export's bound), finite and inside the block gas
/// limit for the functions listed, and smaller than `call`'s.
#[test]
fn macro_examples_stay_within_their_selector_bounds() {
    let users: Vec<Address> = (1..=3u8).map(Address::repeat_byte).collect();
    let c = Address::repeat_byte(0xEC);
    // Every function of each ABI has a finite bound inside the block gas limit.
    let practical: &[(&str, usize)] = &[("vault", 4), ("erc20-macro", 9), ("erc721-macro", 13)];
    let mut rng = Rng(0x5e1e);
    for (name, rows) in practical {
        let (wasm, envelope) = macro_example(name);
        let r = report(name, &wasm, &args()).unwrap();
        let call = entry(&r, "call").clone();
        assert_eq!(r.selectors.len(), *rows, "{name}: functions of the embedded ABI");
        for row in &r.selectors {
            let sig = &row.name;
            assert!(!row.shared_bound, "{name} {sig}: the call export's bound, not its own");
            let b = row.bound.unwrap_or_else(|| panic!("{name} {sig}: no bound: {:?}", row.reason));
            assert!(b < model::PRACTICAL_LIMIT, "{name} {sig}: {b} not below the block gas limit");
            assert!(call.bound.is_none_or(|whole| b <= whole), "{name} {sig}: {b} above call's {:?}", call.bound);
        }
        let mut db = MemoryDb::default();
        let mut info = AccountInfo::default();
        info.set_code(Bytes::from(envelope));
        // Balances for the ERC-20 (slot 0 `balanceOf`); the vault's deposits come by calls.
        let mut storage = BTreeMap::new();
        if *name == "erc20-macro" {
            for u in &users {
                storage.insert(mapping_slot(*u, 0), U256::from(1000u16));
            }
        }
        db.insert(c, info, storage);
        for u in &users {
            db.insert(*u, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(20u8)), 0), BTreeMap::new());
        }
        let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
        let (mut checked, mut succeeded) = (0, 0);
        for _ in 0..150 {
            let row = &r.selectors[(rng.next() % r.selectors.len() as u64) as usize];
            let from = users[(rng.next() % 3) as usize];
            let mut data = row.selector.unwrap().to_be_bytes().to_vec();
            let args = row.name.split_once('(').map_or("", |(_, a)| a.trim_end_matches(')'));
            for ty in args.split(',').filter(|t| !t.is_empty()) {
                let v = match ty {
                    "address" => U256::from_be_slice(users[(rng.next() % 3) as usize].as_slice()),
                    "bool" => U256::from(rng.next() & 1),
                    "bytes4" => U256::from(rng.next() as u32) << 224,
                    // Token ids and amounts: small ones, so some calls succeed.
                    _ => U256::from(rng.next() % 8),
                };
                data.extend_from_slice(&word(v));
            }
            if args.ends_with("bytes") {
                // The `bytes` argument's offset is already written as a small number: make
                // it a valid empty `bytes`.
                let at = data.len() - 32;
                data[at..].copy_from_slice(&word(U256::from(32 * 4)));
                data.extend_from_slice(&word(U256::ZERO));
            }
            let value = if row.name == "deposit()" || rng.next().is_multiple_of(8) {
                U256::from(rng.next() % 500)
            } else {
                U256::ZERO
            };
            let (used, status) = frame_status(&mut sys, from, c, &data, value, 30_000_000);
            assert_ne!(status, CallStatus::Failure, "{name} {}: failed (calldata {})", row.name, hex::encode(&data));
            succeeded += usize::from(status == CallStatus::Success);
            if let Some(bound) = row.bound.filter(|_| !row.forwards_gas) {
                assert!(u128::from(used) <= bound, "{name} {}: used {used} > bound {bound}", row.name);
                checked += 1;
            }
        }
        println!("{name}: {checked} calls checked against their selector's bound, {succeeded} succeeded");
        assert!(checked >= 100 && succeeded >= 30, "{name}: checked {checked}, succeeded {succeeded}");
    }
}

/// The bound of the row for `sig` of a macro example's report.
fn selector_bound(r: &Report, sig: &str) -> u128 {
    let row = r.selectors.iter().find(|e| e.name == sig).unwrap_or_else(|| panic!("no row {sig}"));
    row.bound.unwrap_or_else(|| panic!("{sig}: no bound: {:?}", row.reason))
}

/// Storage holding `data` as solc keeps a `string` or `bytes` at slot `slot` (a long value
/// may claim a length `claimed` other than its data's, as raw writes could make).
fn store_bytes(storage: &mut BTreeMap<U256, U256>, slot: u64, data: &[u8], claimed: Option<U256>) {
    let key = U256::from(slot);
    if data.len() < 32 && claimed.is_none() {
        let mut w = [0u8; 32];
        w[..data.len()].copy_from_slice(data);
        w[31] = (data.len() * 2) as u8;
        storage.insert(key, U256::from_be_bytes(w));
        return;
    }
    let len = claimed.unwrap_or(U256::from(data.len()));
    storage.insert(key, len * U256::from(2u8) + U256::from(1u8));
    let base = U256::from_be_bytes(wasm_runtime::primitives::keccak256(word(key)).0);
    for (i, chunk) in data.chunks(32).enumerate() {
        let mut w = [0u8; 32];
        w[..chunk.len()].copy_from_slice(chunk);
        storage.insert(base + U256::from(i), U256::from_be_bytes(w));
    }
}

/// The ABI encoding of one `string` or `bytes` value.
fn abi_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = word(U256::from(32u8)).to_vec();
    out.extend_from_slice(&word(U256::from(data.len())));
    out.extend_from_slice(data);
    out.resize(64 + data.len().div_ceil(32) * 32, 0);
    out
}

/// The string getters of the macro ERC-20 and ERC-721 (`name()`, `symbol()`) are bounded
/// for every stored length: strings up to the SDK's read cap (268,032 bytes) come back
/// exactly as stored, within the selector's bound; a longer one (a length no transaction
/// could read through solc's getter under Osaka's transaction gas cap) ends the call as
/// running out of gas does.
#[test]
fn string_getters_stay_within_their_bounds() {
    const CAP: usize = 268_032;
    let user = Address::repeat_byte(1);
    for (name, name_slot) in [("erc20-macro", 3u64), ("erc721-macro", 0)] {
        let (wasm, envelope) = macro_example(name);
        let r = report(name, &wasm, &args()).unwrap();
        let mut db = MemoryDb::default();
        let lengths = [0usize, 1, 31, 32, 33, 100, 5_000, CAP];
        let text = |n: usize| -> Vec<u8> { (0..n).map(|i| b'a' + (i % 26) as u8).collect() };
        for (k, n) in lengths.iter().enumerate() {
            let mut info = AccountInfo::default();
            info.set_code(Bytes::from(envelope.clone()));
            let mut storage = BTreeMap::new();
            store_bytes(&mut storage, name_slot, &text(*n), None);
            store_bytes(&mut storage, name_slot + 1, &text(n / 2), None);
            db.insert(Address::repeat_byte(0x40 + k as u8), info, storage);
        }
        // Past the cap: one word more, and a length no memory could hold.
        for (k, claimed) in [U256::from(CAP + 1), U256::from(1u64) << 40].into_iter().enumerate() {
            let mut info = AccountInfo::default();
            info.set_code(Bytes::from(envelope.clone()));
            let mut storage = BTreeMap::new();
            store_bytes(&mut storage, name_slot, &text(64), Some(claimed));
            store_bytes(&mut storage, name_slot + 1, &text(64), Some(claimed));
            db.insert(Address::repeat_byte(0x60 + k as u8), info, storage);
        }
        let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
        for (sig, half) in [("name()", false), ("symbol()", true)] {
            let bound = selector_bound(&r, sig);
            let sel = keccak_selector(sig);
            for (k, n) in lengths.iter().enumerate() {
                let n = if half { n / 2 } else { *n };
                let (used, status, out) =
                    frame(&mut sys, user, Address::repeat_byte(0x40 + k as u8), &sel, U256::ZERO, 30_000_000);
                assert_eq!(status, CallStatus::Success, "{name} {sig}, {n} bytes");
                assert_eq!(out.as_ref(), abi_bytes(&text(n)).as_slice(), "{name} {sig}, {n} bytes");
                assert!(u128::from(used) <= bound, "{name} {sig}, {n} bytes: used {used} > bound {bound}");
                if n == CAP {
                    // The longest read is the worst case: it uses at least 85% of the
                    // bound (the rest: the allocation's worst growth, checks per slot).
                    assert!(u128::from(used) * 20 >= bound * 17, "{name} {sig}: used {used}, bound {bound}");
                }
            }
            for k in 0..2u8 {
                let (used, status, _) =
                    frame(&mut sys, user, Address::repeat_byte(0x60 + k), &sel, U256::ZERO, 30_000_000);
                assert_eq!(status, CallStatus::Failure, "{name} {sig}: a value past the cap");
                assert_eq!(used, 30_000_000, "{name} {sig}: fails as out of gas, keeping all gas");
            }
        }
    }
}

fn keccak_selector(sig: &str) -> Vec<u8> {
    wasm_runtime::primitives::keccak256(sig.as_bytes()).0[..4].to_vec()
}

/// A receiver for `safeTransferFrom`: the token id's low byte picks what
/// `onERC721Received` does: 0 accepts, 1 answers a wrong selector, 2 reverts with data,
/// 3 reverts with none, 4 accepts followed by 1 MiB of return data, 5 reverts with 1 MiB.
const RECEIVER: &str = r#"(module
    (import "zkos" "calldata_copy" (func $copy (param i32 i32 i32)))
    (import "zkos" "finish" (func $finish (param i32 i32)))
    (import "zkos" "revert" (func $revert (param i32 i32)))
    (memory (export "memory") 17 17)
    (func (export "call") (local $mode i32)
        (call $copy (i32.const 0) (i32.const 99) (i32.const 1))
        (local.set $mode (i32.load8_u (i32.const 0)))
        (i32.store (i32.const 0) (i32.const 0x027a0b15))
        (if (i32.eq (local.get $mode) (i32.const 1))
            (then (i32.store (i32.const 0) (i32.const 0xefbeadde)) (call $finish (i32.const 0) (i32.const 32))))
        (if (i32.eq (local.get $mode) (i32.const 2)) (then (call $revert (i32.const 0) (i32.const 36))))
        (if (i32.eq (local.get $mode) (i32.const 3)) (then (call $revert (i32.const 0) (i32.const 0))))
        (if (i32.eq (local.get $mode) (i32.const 4)) (then (call $finish (i32.const 0) (i32.const 1048576))))
        (if (i32.eq (local.get $mode) (i32.const 5)) (then (call $revert (i32.const 0) (i32.const 1048576))))
        (call $finish (i32.const 0) (i32.const 32))))"#;

/// Both `safeTransferFrom` of the macro ERC-721 stay within their selector's bound when
/// the receiver is a contract, in every way it can answer (accept, wrong selector, revert
/// with and without data, 1 MiB of return or revert data) and with `bytes` data of several
/// sizes: the gas the NFT's frame used, less what the receiver's frame used (the gas the
/// bound does not cover: forwarded to the callee), is at most the bound.
#[test]
fn safe_transfers_stay_within_their_bounds() {
    let (wasm, envelope) = macro_example("erc721-macro");
    let r = report("erc721-macro", &wasm, &args()).unwrap();
    let nft = Address::repeat_byte(0xEC);
    let receiver = Address::repeat_byte(0x5E);
    let user = Address::repeat_byte(1);
    let mut db = MemoryDb::default();
    let mut info = AccountInfo::default();
    info.set_code(Bytes::from(envelope));
    db.insert(nft, info, BTreeMap::new());
    let rwasm = wat::parse_str(RECEIVER).unwrap();
    let env =
        host_abi::envelope::Envelope { kind: host_abi::envelope::Kind::Wasm, version: 0, constants: &[], code: &rwasm };
    let mut code = env.header().to_vec();
    code.extend_from_slice(&rwasm);
    let mut info = AccountInfo::default();
    info.set_code(Bytes::from(code));
    db.insert(receiver, info, BTreeMap::new());
    let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
    let addr = |a: Address| word(U256::from_be_slice(a.as_slice()));
    let mut checked = 0;
    for (round, data_len) in [0usize, 5, 100_000].into_iter().enumerate() {
        let data: Vec<u8> = (0..data_len).map(|i| i as u8).collect();
        for mode in 0..6u64 {
            let id = U256::from(mode + 256 * round as u64);
            let mut mint = keccak_selector("mint(address,uint256)");
            mint.extend_from_slice(&addr(user));
            mint.extend_from_slice(&word(id));
            assert_eq!(frame_status(&mut sys, user, nft, &mint, U256::ZERO, 1_000_000).1, CallStatus::Success);
            let four = data_len > 0 || mode % 2 == 0;
            let sig = if four {
                "safeTransferFrom(address,address,uint256,bytes)"
            } else {
                "safeTransferFrom(address,address,uint256)"
            };
            let mut call = keccak_selector(sig);
            let mut args = addr(user).to_vec();
            args.extend_from_slice(&addr(receiver));
            args.extend_from_slice(&word(id));
            call.extend_from_slice(&args);
            if four {
                call.extend_from_slice(&abi_bytes(&data)[..]);
                // The offset word of `bytes` is 4 words in, not 1: fix it.
                let at = 4 + 96;
                call[at..at + 32].copy_from_slice(&word(U256::from(128u8)));
            }
            let (used, status, out) = frame(&mut sys, user, nft, &call, U256::ZERO, 30_000_000);
            // What the receiver's frame uses for the same input, called on its own.
            let mut input = keccak_selector("onERC721Received(address,address,uint256,bytes)");
            input.extend_from_slice(&addr(user)); // the operator: the NFT's caller
            input.extend_from_slice(&addr(user));
            input.extend_from_slice(&word(id));
            input.extend_from_slice(&word(U256::from(128u8)));
            input.extend_from_slice(&abi_bytes(if four { &data } else { &[] })[32..]);
            let (callee, _, _) = frame(&mut sys, nft, receiver, &input, U256::ZERO, 30_000_000);
            let expected = if matches!(mode, 0 | 4) { CallStatus::Success } else { CallStatus::Revert };
            assert_eq!(status, expected, "mode {mode}, {data_len} bytes: {}", hex::encode(&out[..out.len().min(64)]));
            if mode == 5 {
                assert_eq!(out.len(), 1 << 20, "the receiver's revert data comes back whole");
            }
            let bound = selector_bound(&r, sig);
            let own = used - callee;
            assert!(u128::from(own) <= bound, "{sig} mode {mode}, {data_len} bytes: {own} > bound {bound}");
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}
