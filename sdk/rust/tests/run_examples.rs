//! Runs the built example contracts (`examples/out`, made by `examples/build.sh`) on a
//! minimal wasmi host ([`harness`]) and checks the behaviour their docs promise. This
//! exercises the SDK compiled to wasm32: bump allocator, panic handler, bindings, ABI.

mod harness;

use harness::{addr, keccak256, word_of, Host, Log, Outcome};
use zkos_sdk::{abi, Address, U256};

fn wasm(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/out").join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run examples/build.sh before this test", path.display()))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn sel(h: &str) -> [u8; 4] {
    hex(h).try_into().unwrap()
}

fn u(n: u64) -> U256 {
    U256::from(n)
}

fn ok(o: Outcome) -> Vec<u8> {
    match o {
        Outcome::Success(out) => out,
        other => panic!("expected success, got {other:?}"),
    }
}

fn uint_out(o: Outcome) -> U256 {
    let (v,): (U256,) = abi::decode(&ok(o)).unwrap();
    v
}

fn value(n: u64) -> [u8; 32] {
    u(n).to_be_bytes::<32>()
}

const ALICE: u8 = 1;
const BOB: u8 = 2;
const CAROL: u8 = 3;
const DAVE: u8 = 4;

// ---------------------------------------------------------------- counter

const INCREMENT: &str = "d09de08a";
const GET: &str = "6d4ce63c";

/// The Rust counter and its AssemblyScript twin share one ABI: every counter test runs on
/// both.
const COUNTERS: [&str; 2] = ["counter", "as-counter"];

fn counter(h: &Host, at: u8, initial: &[u8]) -> Outcome {
    counter_of(h, "counter", at, initial)
}

fn counter_of(h: &Host, name: &str, at: u8, initial: &[u8]) -> Outcome {
    h.deploy(addr(ALICE), addr(at), &wasm(name), &[], initial)
}

#[test]
fn counter_deploys_increments_and_logs() {
    for name in COUNTERS {
        counter_deploys_increments_and_logs_on(name);
    }
}

fn counter_deploys_increments_and_logs_on(name: &str) {
    let counter = |h: &Host, at: u8, initial: &[u8]| counter_of(h, name, at, initial);
    let h = Host::new();
    let c = addr(100);
    ok(counter(&h, 100, &abi::encode(&(u(41),))));
    assert_eq!(uint_out(h.call(addr(BOB), c, &sel(GET))), u(41));
    assert_eq!(ok(h.call(addr(BOB), c, &sel(INCREMENT))), Vec::<u8>::new());
    assert_eq!(uint_out(h.call(addr(BOB), c, &sel(GET))), u(42));
    assert_eq!(h.storage(c, &[0; 32]), value(42), "count lives in slot 0");
    let topic0 = hex("38ac789ed44572701765277c4d0970f2db1c1a571ed39e84358095ae4eaa5420");
    assert_eq!(
        h.take_logs(),
        vec![Log {
            address: c,
            topics: vec![topic0.try_into().unwrap(), word_of(&addr(BOB))],
            data: value(42).to_vec()
        }]
    );
}

#[test]
fn counter_reverts_as_documented() {
    for name in COUNTERS {
        counter_reverts_as_documented_on(name);
    }
}

fn counter_reverts_as_documented_on(name: &str) {
    let counter = |h: &Host, at: u8, initial: &[u8]| counter_of(h, name, at, initial);
    let h = Host::new();
    let c = addr(100);
    ok(counter(&h, 100, &[]));
    assert_eq!(uint_out(h.call(addr(BOB), c, &sel(GET))), U256::ZERO, "empty constructor args: 0");
    assert_eq!(h.call(addr(BOB), c, &[0xd0, 0x9d]), Outcome::Revert(vec![]), "short calldata");
    assert_eq!(h.call(addr(BOB), c, &sel("12345678")), Outcome::Revert(vec![]), "unknown selector");
    assert_eq!(h.call_with_value(addr(BOB), c, &sel(INCREMENT), value(1)), Outcome::Revert(vec![]));
    assert_eq!(counter(&h, 101, &[1, 2, 3]), Outcome::Revert(vec![]), "bad constructor args");
    assert!(!h.world.borrow().accounts.contains_key(&addr(101)));
    // Overflow: Panic(0x11).
    ok(counter(&h, 102, &U256::MAX.to_be_bytes::<32>()));
    assert_eq!(h.call(addr(BOB), addr(102), &sel(INCREMENT)), Outcome::Revert(abi::panic_code(0x11)));
    assert_eq!(uint_out(h.call(addr(BOB), addr(102), &sel(GET))), U256::MAX, "revert undid nothing");
    assert!(h.take_logs().is_empty());
}

// ---------------------------------------------------------------- erc20

const NAME: &str = "06fdde03";
const SYMBOL: &str = "95d89b41";
const DECIMALS: &str = "313ce567";
const TOTAL_SUPPLY: &str = "18160ddd";
const BALANCE_OF: &str = "70a08231";
const TRANSFER: &str = "a9059cbb";
const APPROVE: &str = "095ea7b3";
const ALLOWANCE: &str = "dd62ed3e";
const TRANSFER_FROM: &str = "23b872dd";
const TRANSFER_TOPIC: &str = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const APPROVAL_TOPIC: &str = "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";

fn a(n: u8) -> Address {
    Address(addr(n))
}

fn token(h: &Host) -> [u8; 20] {
    let t = addr(200);
    let constants = abi::encode(&("Zk Token", "ZKT"));
    ok(h.deploy(addr(ALICE), t, &wasm("erc20"), &constants, &abi::encode(&(u(1000),))));
    t
}

fn balance(h: &Host, t: [u8; 20], who: u8) -> U256 {
    uint_out(h.call(addr(BOB), t, &abi::encode_call(sel(BALANCE_OF), &(a(who),))))
}

fn log(t: [u8; 20], topic: &str, x: u8, y: u8, v: u64) -> Log {
    Log {
        address: t,
        topics: vec![hex(topic).try_into().unwrap(), word_of(&addr(x)), word_of(&addr(y))],
        data: value(v).to_vec(),
    }
}

#[test]
fn erc20_metadata_and_mint() {
    let h = Host::new();
    let t = token(&h);
    let mut mint = log(t, TRANSFER_TOPIC, 0, ALICE, 1000);
    mint.topics[1] = [0; 32];
    assert_eq!(h.take_logs(), vec![mint]);
    let (name,): (String,) = abi::decode(&ok(h.call(addr(BOB), t, &sel(NAME)))).unwrap();
    let (symbol,): (String,) = abi::decode(&ok(h.call(addr(BOB), t, &sel(SYMBOL)))).unwrap();
    assert_eq!((name.as_str(), symbol.as_str()), ("Zk Token", "ZKT"));
    assert_eq!(uint_out(h.call(addr(BOB), t, &sel(DECIMALS))), u(18));
    assert_eq!(uint_out(h.call(addr(BOB), t, &sel(TOTAL_SUPPLY))), u(1000));
    assert_eq!(balance(&h, t, ALICE), u(1000));
    // Solidity layout: balances[alice] at keccak256(pad32(alice) ‖ pad32(0)).
    let mut pre = word_of(&addr(ALICE)).to_vec();
    pre.extend_from_slice(&[0; 32]);
    assert_eq!(h.storage(t, &keccak256(&pre)), value(1000));
    // Constants that do not decode make deployment revert with Error(string).
    let out = h.deploy(addr(ALICE), addr(201), &wasm("erc20"), &[1, 2, 3], &abi::encode(&(u(1),)));
    assert_eq!(out, Outcome::Revert(abi::error_string("ERC20: bad constants")));
}

#[test]
fn erc20_transfer_approve_transfer_from() {
    let h = Host::new();
    let t = token(&h);
    h.take_logs();
    let out = ok(h.call(addr(ALICE), t, &abi::encode_call(sel(TRANSFER), &(a(BOB), u(300)))));
    assert_eq!(out, abi::encode(&(true,)));
    assert_eq!((balance(&h, t, ALICE), balance(&h, t, BOB)), (u(700), u(300)));
    assert_eq!(h.take_logs(), vec![log(t, TRANSFER_TOPIC, ALICE, BOB, 300)]);

    let too_much = h.call(addr(ALICE), t, &abi::encode_call(sel(TRANSFER), &(a(BOB), u(701))));
    assert_eq!(too_much, Outcome::Revert(abi::error_string("ERC20: transfer amount exceeds balance")));
    let rd = match too_much {
        Outcome::Revert(d) => d,
        _ => unreachable!(),
    };
    assert_eq!(rd[..4], hex("08c379a0")[..]);
    let to_zero = h.call(addr(ALICE), t, &abi::encode_call(sel(TRANSFER), &(Address::ZERO, u(1))));
    assert_eq!(to_zero, Outcome::Revert(abi::error_string("ERC20: transfer to the zero address")));

    // Self-transfer keeps the balance.
    ok(h.call(addr(BOB), t, &abi::encode_call(sel(TRANSFER), &(a(BOB), u(300)))));
    assert_eq!(balance(&h, t, BOB), u(300));
    h.take_logs();

    let out = ok(h.call(addr(BOB), t, &abi::encode_call(sel(APPROVE), &(a(CAROL), u(100)))));
    assert_eq!(out, abi::encode(&(true,)));
    assert_eq!(h.take_logs(), vec![log(t, APPROVAL_TOPIC, BOB, CAROL, 100)]);
    let allowance = |h: &Host| uint_out(h.call(addr(DAVE), t, &abi::encode_call(sel(ALLOWANCE), &(a(BOB), a(CAROL)))));
    assert_eq!(allowance(&h), u(100));

    let tf = |amount: u64| abi::encode_call(sel(TRANSFER_FROM), &(a(BOB), a(DAVE), u(amount)));
    assert_eq!(ok(h.call(addr(CAROL), t, &tf(60))), abi::encode(&(true,)));
    assert_eq!(allowance(&h), u(40));
    assert_eq!((balance(&h, t, BOB), balance(&h, t, DAVE)), (u(240), u(60)));
    assert_eq!(h.take_logs(), vec![log(t, TRANSFER_TOPIC, BOB, DAVE, 60)]);
    assert_eq!(h.call(addr(CAROL), t, &tf(41)), Outcome::Revert(abi::error_string("ERC20: insufficient allowance")));
    assert_eq!(allowance(&h), u(40), "a revert keeps the allowance");

    // Infinite allowance never decreases.
    ok(h.call(addr(BOB), t, &abi::encode_call(sel(APPROVE), &(a(CAROL), U256::MAX))));
    ok(h.call(addr(CAROL), t, &tf(10)));
    assert_eq!(allowance(&h), U256::MAX);

    // Malformed arguments and value revert with empty data.
    let mut bad = abi::encode_call(sel(TRANSFER), &(a(BOB), u(1)));
    bad[4] = 1; // address with a non-zero high byte
    assert_eq!(h.call(addr(ALICE), t, &bad), Outcome::Revert(vec![]));
    assert_eq!(h.call(addr(ALICE), t, &sel(TRANSFER)), Outcome::Revert(vec![]));
    assert_eq!(h.call_with_value(addr(ALICE), t, &sel(TOTAL_SUPPLY), value(1)), Outcome::Revert(vec![]));
}

// ---------------------------------------------------------------- caller

const FORWARD: &str = "d7f31eb9";
const FORWARD_STATIC: &str = "b46914a0";
const FORWARD_DELEGATE: &str = "98f7751d";

#[test]
fn caller_forwards_and_bubbles() {
    let h = Host::new();
    let c = addr(100);
    ok(counter(&h, 100, &abi::encode(&(u(7),))));
    let t = token(&h);
    let fwd = addr(50);
    ok(h.deploy(addr(ALICE), fwd, &wasm("caller"), &[], &[]));
    h.take_logs();

    let forward =
        |s: &str, target: [u8; 20], gas: u64, data: Vec<u8>| abi::encode_call(sel(s), &(Address(target), u(gas), data));
    // Success: raw return data comes back, the callee's caller is the forwarder.
    assert_eq!(ok(h.call(addr(BOB), fwd, &forward(FORWARD, c, 0, sel(INCREMENT).to_vec()))), Vec::<u8>::new());
    let logs = h.take_logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].topics[1], word_of(&fwd));
    let out = ok(h.call(addr(BOB), fwd, &forward(FORWARD, c, 100_000, sel(GET).to_vec())));
    assert_eq!(out, abi::encode(&(u(8),)));
    // Revert data is bubbled unchanged.
    let transfer = abi::encode_call(sel(TRANSFER), &(a(BOB), u(1)));
    let out = h.call(addr(BOB), fwd, &forward(FORWARD, t, 0, transfer));
    assert_eq!(out, Outcome::Revert(abi::error_string("ERC20: transfer amount exceeds balance")));
    // Static: reads work, writes fail the callee, which reverts the forwarder with no data.
    let out = ok(h.call(addr(BOB), fwd, &forward(FORWARD_STATIC, c, 0, sel(GET).to_vec())));
    assert_eq!(out, abi::encode(&(u(8),)));
    let out = h.call(addr(BOB), fwd, &forward(FORWARD_STATIC, c, 0, sel(INCREMENT).to_vec()));
    assert_eq!(out, Outcome::Revert(vec![]));
    assert_eq!(uint_out(h.call(addr(BOB), c, &sel(GET))), u(8));
    // Delegate: the counter's code runs on the forwarder's storage.
    ok(h.call(addr(BOB), fwd, &forward(FORWARD_DELEGATE, c, 0, sel(INCREMENT).to_vec())));
    assert_eq!(h.storage(fwd, &[0; 32]), value(1));
    assert_eq!(uint_out(h.call(addr(BOB), c, &sel(GET))), u(8));
    // Bad calldata.
    assert_eq!(h.call(addr(BOB), fwd, &sel(FORWARD)), Outcome::Revert(vec![]));
    assert_eq!(h.call(addr(BOB), fwd, &sel("00000000")), Outcome::Revert(vec![]));
}

/// A 256 KiB payload makes the forwarder's bump allocator grow memory well past its two
/// initial pages (calldata, decoded copy); the counter ignores the extra bytes.
#[test]
fn large_payload_grows_memory() {
    let h = Host::new();
    let c = addr(100);
    ok(counter(&h, 100, &abi::encode(&(u(3),))));
    let fwd = addr(50);
    ok(h.deploy(addr(ALICE), fwd, &wasm("caller"), &[], &[]));
    let mut payload = sel(GET).to_vec();
    payload.resize(256 * 1024, 0xab);
    let input = abi::encode_call(sel(FORWARD), &(Address(c), u(0), payload));
    assert_eq!(ok(h.call(addr(BOB), fwd, &input)), abi::encode(&(u(3),)));
    // Past the 64-page (4 MiB) maximum, allocation fails; Rust's allocation-error path
    // panics, and the SDK's panic handler reverts with empty data.
    let mut huge = sel(GET).to_vec();
    huge.resize(3 * 1024 * 1024, 0);
    let input = abi::encode_call(sel(FORWARD), &(Address(c), u(0), huge));
    let out = h.call(addr(BOB), fwd, &input);
    assert_eq!(out, Outcome::Revert(vec![]));
}

// ---------------------------------------------------------------- abi-probe

fn probe_input(number: u32, mask: u8, args: [i64; 6], out_len: u16, scratch: &[u8]) -> Vec<u8> {
    let mut v = number.to_be_bytes().to_vec();
    v.push(mask);
    for a in args {
        v.extend_from_slice(&a.to_be_bytes());
    }
    v.extend_from_slice(&out_len.to_be_bytes());
    v.extend_from_slice(scratch);
    v
}

#[test]
fn abi_probe_reaches_host_functions() {
    let h = Host::new();
    let p = addr(60);
    ok(h.deploy(addr(ALICE), p, &wasm("abi-probe"), &[], &[]));
    // keccak256(ptr = scratch+0, len = 3, out = scratch+32): output is 8 result bytes, then
    // the first 64 scratch bytes.
    let out = ok(h.call(addr(BOB), p, &probe_input(1000, 0b101, [0, 3, 32, 0, 0, 0], 64, b"abc")));
    assert_eq!(out[..8], [0; 8]);
    assert_eq!(out[8..11], *b"abc");
    assert_eq!(out[40..72], keccak256(b"abc"));
    // calldata_size: a result, no pointers.
    let input = probe_input(10000, 0, [0; 6], 0, &[]);
    let out = ok(h.call(addr(BOB), p, &input));
    assert_eq!(out, (input.len() as i64).to_be_bytes());
    // storage_store(key = scratch+0, value = scratch+32), then read it back from outside.
    let mut kv = [0u8; 64];
    kv[31] = 9;
    kv[63] = 77;
    ok(h.call(addr(BOB), p, &probe_input(10011, 0b11, [0, 32, 0, 0, 0, 0], 0, &kv)));
    assert_eq!(h.storage(p, &kv[..32].try_into().unwrap()), value(77));
    // finish(scratch+0, 5) ends the call with those bytes.
    let out = ok(h.call(addr(BOB), p, &probe_input(10002, 0b01, [0, 5, 0, 0, 0, 0], 0, b"hello!")));
    assert_eq!(out, b"hello");
    // Unknown and Linux numbers revert; an out-of-bounds pointer traps.
    assert_eq!(h.call(addr(BOB), p, &probe_input(93, 0, [0; 6], 0, &[])), Outcome::Revert(vec![]));
    assert_eq!(h.call(addr(BOB), p, &probe_input(4242, 0, [0; 6], 0, &[])), Outcome::Revert(vec![]));
    let oob = probe_input(1000, 0, [0x7fff_0000, 3, 0, 0, 0, 0], 0, &[]);
    assert!(matches!(h.call(addr(BOB), p, &oob), Outcome::Failure(_)));
}
