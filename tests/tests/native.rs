//! Native RV64IM contracts (envelope kind 0x02): the C counter of examples/native-c, built
//! with `riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -O2 -nostdlib -static` by
//! examples/build.sh, lifted by native-shim at deployment and run on both engines: storage,
//! return and revert data, loops, jump tables, function pointers, the heap, calls from and to
//! Solidity, static-call write protection and gas in one unit; the same counter built by
//! clang and lld; a payable C contract (value in, balance, value out).

use std::sync::OnceLock;

use alloy_primitives::{keccak256, Address, U256};
use host_abi::envelope::{Envelope, Kind};
use wasm_runtime::engine::EngineKind;
use zkos_tests::{address_word as a, calldata, selector, word as u, Chain, ALICE};

/// The C example's ELF.
fn native_c() -> Vec<u8> {
    let path = format!("{}/../examples/out/native-c.elf", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// The ALU example's ELF (every RV64IM computational instruction).
fn native_alu() -> Vec<u8> {
    let path = format!("{}/../examples/out/native-alu.elf", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// Runs an ELF directly on rv-machine (stack and layout of its ELF loader), with the calls
/// the examples make emulated as the ABI defines them: `read` of the calldata, `write` to
/// the output, `exit`, `call_value` (zero), `brk` (a megabyte after the highest segment). Returns the exit code, the output and the
/// instructions executed.
fn run_on_machine(elf: &[u8], calldata: &[u8]) -> (u64, Vec<u8>, u64) {
    use rv_machine::isa::Reg;
    use rv_machine::{Config, Exit, Machine};
    let mut m = Machine::from_elf(Config::default(), elf).expect("the ELF loads");
    let (mut cursor, mut out) = (0usize, Vec::new());
    // The heap: a megabyte from the page after the highest segment, mapped on first use.
    let parsed = rv_machine::elf::parse(elf).expect("the ELF parses");
    let heap = parsed.segments.iter().map(|s| s.vaddr + s.memsz).max().unwrap_or(0).next_multiple_of(4096);
    let (mut brk, mut mapped) = (heap, false);
    loop {
        let exit = m.run(1 << 34);
        assert_eq!(exit, Exit::Ecall, "the machine stopped at {:#x}", m.pc());
        let [a0, a1, a2] = [m.reg(Reg::A0), m.reg(Reg::A1), m.reg(Reg::A2)];
        match m.reg(Reg::A7) {
            63 => {
                let n = (a2 as usize).min(calldata.len() - cursor);
                m.write_bytes(a1, &calldata[cursor..cursor + n]).unwrap();
                cursor += n;
                m.set_reg(Reg::A0, n as u64);
            }
            64 => out.extend(m.read_vec(a1, a2 as usize).unwrap()),
            93 => return (a0, out, m.instret()),
            10063 => m.write_bytes(a0, &[0; 32]).unwrap(),
            214 => {
                if !mapped {
                    m.map(heap, 1 << 20, rv_machine::Perm::RW, &[]).unwrap();
                    mapped = true;
                }
                if (heap..=heap + (1 << 20)).contains(&a0) {
                    brk = a0;
                }
                m.set_reg(Reg::A0, brk);
            }
            n => panic!("unexpected ecall {n}"),
        }
    }
}

/// Wraps an ELF and constants in a kind-0x02 envelope.
fn native_envelope(elf: &[u8], constants: &[u8]) -> Vec<u8> {
    let env = Envelope { kind: Kind::Rv64im, version: 0, constants, code: elf };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).expect("buffer has the encoded length");
    out
}

/// Creation bytecode of a contract of tests/solidity, compiled once per test binary.
fn solidity(name: &str) -> Vec<u8> {
    static OUT: OnceLock<String> = OnceLock::new();
    let json = OUT.get_or_init(|| {
        let script = format!("{}/solidity/compile.js", env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new("node")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("running node {script}: {e} (node and npm are needed)"));
        assert!(out.status.success(), "{script} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("compile.js prints JSON")
    });
    let key = format!("\"{name}\":\"");
    let start = json.find(&key).unwrap_or_else(|| panic!("no contract {name} in {json}")) + key.len();
    let end = start + json[start..].find('"').expect("closing quote");
    hex::decode(&json[start..end]).expect("bytecode is hex")
}

/// Length word and zero-padded contents of a dynamic `bytes`.
fn tail(bytes: &[u8]) -> Vec<u8> {
    let mut out = u(bytes.len() as u64).to_vec();
    out.extend_from_slice(bytes);
    out.resize(32 + bytes.len().div_ceil(32) * 32, 0);
    out
}

/// `sig(address, bytes)` calldata (the native forward functions, Bridge.raw/spent).
fn with_bytes(sig: &str, target: Address, inner: &[u8]) -> Vec<u8> {
    let mut out = calldata(sig, &[a(target), u(64)]);
    out.extend_from_slice(&tail(inner));
    out
}

/// Decodes the dynamic value whose offset is in word `index` of `out`.
fn dynamic_at(out: &[u8], index: usize) -> Vec<u8> {
    let word = |at: usize| U256::from_be_slice(&out[at..at + 32]).to::<usize>();
    let offset = word(index * 32);
    let len = word(offset);
    out[offset + 32..offset + 32 + len].to_vec()
}

fn error_string(msg: &str) -> Vec<u8> {
    let mut out = selector("Error(string)").to_vec();
    out.extend_from_slice(&u(32));
    out.extend_from_slice(&tail(msg.as_bytes()));
    out
}

/// Deploys the C counter with `initial`.
fn deploy_counter(chain: &mut Chain, initial: u64) -> Address {
    let r = chain.deploy(&native_envelope(&native_c(), &[]), &u(initial));
    assert!(r.success, "deploying the native counter: {:?}", r.error);
    r.contract_address.expect("created address")
}

fn deploy_bridge(chain: &mut Chain) -> Address {
    let r = chain.deploy(&solidity("Bridge"), &[]);
    assert!(r.success, "{:?}", r.error);
    r.contract_address.expect("created address")
}

/// The constructor (the ELF's `deploy`) stores its argument; `get` returns it, `increment`
/// stores and logs, as the ABI says.
fn storage_and_return_data(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain, 7);
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(7u64));
    let r = chain.call(counter, &calldata("get()", &[]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(7));
    let r = chain.call(counter, &calldata("increment()", &[]));
    assert!(r.success, "{:?}", r.error);
    assert!(r.output.is_empty());
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].address, counter);
    let topic0 = keccak256("Incremented(address,uint256)");
    assert_eq!(r.logs[0].data.topics(), &[topic0, a(ALICE).into()]);
    assert_eq!(r.logs[0].data.data.as_ref(), &u(8));
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(8u64));
    // A constructor argument of the wrong length reverts the deployment.
    let r = chain.deploy(&native_envelope(&native_c(), &[]), &[1, 2, 3]);
    assert!(!r.success);
}

/// Loops, a jump table (`switch`), function pointers, division and the heap (`brk`).
fn loops_jump_tables_and_heap(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain, 0);
    let call = |chain: &mut Chain, sig: &str, args: &[[u8; 32]]| {
        let r = chain.call(counter, &calldata(sig, args));
        assert!(r.success, "{sig}: {:?}", r.error);
        U256::from_be_slice(&r.output).to::<u64>()
    };
    assert_eq!(call(&mut chain, "sum(uint256)", &[u(100)]), 5050);
    assert_eq!(call(&mut chain, "sum(uint256)", &[u(20_000)]), 200_010_000);
    let pick = |k: u64| {
        let x = 1000 + k;
        [x + 11, x * 23, x ^ 0x5555, x << 4, x - 59, x / 61, x | 0x79, !x].get(k as usize).copied().unwrap_or(0)
    };
    for k in 0..10 {
        assert_eq!(call(&mut chain, "pick(uint256)", &[u(k)]), pick(k), "pick({k})");
    }
    let x = 1_000_003u64;
    let expect = [2 * x, x * x, x / 7, x.wrapping_neg()];
    for (k, v) in expect.into_iter().enumerate() {
        assert_eq!(call(&mut chain, "apply(uint256,uint256)", &[u(k as u64), u(x)]), v, "apply({k})");
    }
    let n = 100_000u64;
    let sum: u64 = (0..n).map(|i| (i * 7) & 0xFF).sum();
    assert_eq!(call(&mut chain, "heap(uint256)", &[u(n)]), sum);
}

/// `exit(1)` reverts with what was written to fd 1, and the state stays as it was.
fn revert_with_data(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain, 3);
    let r = chain.call(counter, &calldata("fail()", &[]));
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), b"native says no");
    assert!(r.error.is_none(), "a revert, not a failure: {:?}", r.error);
    let r = chain.call(counter, &calldata("nothing()", &[]));
    assert!(!r.success);
    assert!(r.output.is_empty());
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(3u64));
}

/// Native calls Solidity: return data comes back, Solidity's revert data bubbles up.
fn native_calls_evm(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain, 0);
    let bridge = deploy_bridge(&mut chain);
    let add = calldata("add(uint256,uint256)", &[u(2), u(40)]);
    let r = chain.call(counter, &with_bytes("forward(address,bytes)", bridge, &add));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(42));
    let r = chain.call(counter, &with_bytes("forward(address,bytes)", bridge, &calldata("fail()", &[])));
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), error_string("solidity says no"));
    // Solidity state written through the native forwarder: Bridge.bumpTwice calls back into
    // the native counter (native → EVM → native).
    let bump = calldata("bumpTwice(address)", &[a(counter)]);
    let r = chain.call(counter, &with_bytes("forward(address,bytes)", bridge, &bump));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(2));
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(2u64));
    assert_eq!(chain.storage(bridge, U256::ZERO), U256::from(1u64));
}

/// Solidity calls native: decoded return values, state changes, and the native revert data
/// seen by a low-level call.
fn evm_calls_native(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain, 7);
    let bridge = deploy_bridge(&mut chain);
    let r = chain.call(bridge, &calldata("bumpTwice(address)", &[a(counter)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(9));
    assert_eq!(r.logs.len(), 2, "the native counter logged twice");
    assert_eq!(r.logs[0].data.topics()[1], alloy_primitives::B256::from(a(bridge)), "msg.sender is the bridge");
    let r = chain.call(bridge, &with_bytes("raw(address,bytes)", counter, &calldata("fail()", &[])));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(&r.output[..32], &u(0), "call status false");
    assert_eq!(dynamic_at(&r.output, 1), b"native says no");
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(9u64));
}

/// A static call into a native contract that writes storage fails; one that reads works.
fn static_call_write_protection(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let outer = deploy_counter(&mut chain, 0);
    let inner = deploy_counter(&mut chain, 5);
    let r = chain.call(outer, &with_bytes("staticForward(address,bytes)", inner, &calldata("increment()", &[])));
    assert!(!r.success, "the write in a static context fails the inner call");
    assert!(r.output.is_empty(), "a failed call leaves no return data");
    assert_eq!(chain.storage(inner, U256::ZERO), U256::from(5u64));
    let r = chain.call(outer, &with_bytes("staticForward(address,bytes)", inner, &calldata("get()", &[])));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(5));
}

/// The gas a native callee uses, seen from a Solidity frame through `gasleft()`, is the gas
/// the same call costs as a transaction (the difference between two functions is the same on
/// both sides).
fn gas_is_one_unit(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let counter = deploy_counter(&mut chain, 7);
    let bridge = deploy_bridge(&mut chain);
    let increment = calldata("increment()", &[]);
    let get = calldata("get()", &[]);
    let direct_inc = chain.call(counter, &increment);
    let direct_get = chain.call(counter, &get);
    assert!(direct_inc.success && direct_get.success);
    let spent = |chain: &mut Chain, inner: &[u8]| {
        let r = chain.call(bridge, &with_bytes("spent(address,bytes)", counter, inner));
        assert!(r.success, "{:?}", r.error);
        U256::from_be_slice(&r.output).to::<u64>()
    };
    let seen_inc = spent(&mut chain, &increment);
    let seen_get = spent(&mut chain, &get);
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(9u64), "both increments ran");
    let receipts = direct_inc.gas_used - direct_get.gas_used;
    use host_abi::gas::{LOG, LOG_DATA_BYTE, LOG_TOPIC, SSTORE_RESET};
    let host = SSTORE_RESET + LOG + 2 * LOG_TOPIC + 32 * LOG_DATA_BYTE;
    assert!(receipts > host, "an SSTORE and a log ({host}) and the code around them: {receipts}");
    assert_eq!(seen_inc - seen_get, receipts, "gasleft() differences in Solidity = receipt gas differences");
}

/// Deployment pays per byte: the ELF (lifting as transpiling does, storing as a WASM
/// module's code) before lifting, the lifted module (validation, metering, compilation)
/// after; one gas short of that charge the deployment fails out of gas, naming it.
fn deployment_is_charged_per_byte(engine: EngineKind) {
    use host_abi::gas::{COMPILE_BYTE, METER_BYTE, TRANSPILE_BYTE, VALIDATE_BYTE, WASM_CODE_DEPOSIT_BYTE};
    let elf = native_c();
    let lifted = native_shim::lift(&elf).expect("the example lifts");
    let charge = (TRANSPILE_BYTE + WASM_CODE_DEPOSIT_BYTE) * elf.len() as u64
        + (VALIDATE_BYTE + METER_BYTE + COMPILE_BYTE) * lifted.wasm.len() as u64;
    let mut chain = Chain::new(engine);
    let data: Vec<u8> = native_envelope(&elf, &[]).into_iter().chain(u(1)).collect();
    let probe = chain.tx(ALICE, None, &data, U256::ZERO, 0);
    let intrinsic = wasm_runtime::exec::intrinsic_gas(&probe);
    let r = chain.send(chain.tx(ALICE, None, &data, U256::ZERO, intrinsic + charge - 1));
    assert!(!r.success, "one gas short of the charge");
    let why = r.error.expect("a failure").to_string();
    assert!(why.contains(&format!("deploying this code costs {charge}")), "{why}");
    let r = chain.send(chain.tx(ALICE, None, &data, U256::ZERO, intrinsic + charge + 200_000));
    assert!(r.success, "{:?}", r.error);
    assert!(r.gas_used > intrinsic + charge);
}

/// An ELF the shim rejects fails the deployment with the rule and where.
fn bad_elf_is_rejected_with_its_rule(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let mut elf = native_c();
    elf[18] = 62; // e_machine: x86-64
    let r = chain.deploy(&native_envelope(&elf, &[]), &[]);
    assert!(!r.success);
    let why = r.error.expect("a failure").to_string();
    assert!(why.contains("rule machine") && why.contains("file offset 0x12"), "{why}");
}

/// Every RV64IM computational instruction and load on edge values (zero, ±1, the 32- and
/// 64-bit extremes, shift amounts past the width, division by zero, MIN / -1): the lifted
/// contract's output equals the same ELF's run directly on rv-machine.
fn alu_matches_the_machine(engine: EngineKind) {
    alu_matches(engine, &native_alu());
}

/// The same with the program linked at 0x2000000 (its image moved in linear memory: every
/// address the lifted code forms is translated).
fn alu_linked_high_matches_the_machine(engine: EngineKind) {
    let path = format!("{}/../examples/out/native-alu-high.elf", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    alu_matches(engine, &elf);
}

fn alu_matches(engine: EngineKind, elf: &[u8]) {
    let values: [u64; 10] = [
        0,
        1,
        u64::MAX,
        i64::MIN as u64,
        i64::MAX as u64,
        0x8000_0000,
        0x7FFF_FFFF,
        0xFFFF_FFFF,
        0x1234_5678_9ABC_DEF0,
        0xFEDC_BA98_7654_3217,
    ];
    let mut input = Vec::new();
    for a in values {
        for b in values {
            input.extend_from_slice(&a.to_le_bytes());
            input.extend_from_slice(&b.to_le_bytes());
        }
    }
    let (code, expected, _) = run_on_machine(elf, &input);
    assert_eq!(code, 0);
    assert_eq!(expected.len(), 100 * 8 * 56, "56 results per pair");
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&native_envelope(elf, &[]), &[]);
    assert!(r.success, "{:?}", r.error);
    let alu = r.contract_address.expect("created");
    let r = chain.call(alu, &input);
    assert!(r.success, "{:?}", r.error);
    for (i, (x, y)) in r.output.chunks(8).zip(expected.chunks(8)).enumerate() {
        let (a, b) = (values[i / 56 / 10], values[i / 56 % 10]);
        assert_eq!(x, y, "result {} of a = {a:#x}, b = {b:#x}", i % 56);
    }
    assert_eq!(r.output.len(), expected.len());
}

/// The lifting overhead: RV64IM instructions the provable engine executes for the lifted
/// and compiled contract against the same ELF run directly on rv-machine. Loops are measured
/// per iteration (the difference between two sizes, so the call's fixed costs cancel), whole
/// calls as they are (the lifted count includes the transaction: frame, host functions,
/// metering). A table, not a timed assertion; the bound only says the lifted code is not
/// faster than the original.
#[test]
fn lifting_overhead() {
    let mut chain = Chain::new(EngineKind::Rv);
    let counter = deploy_counter(&mut chain, 0);
    let r = chain.deploy(&native_envelope(&native_alu(), &[]), &[]);
    let alu = r.contract_address.expect("alu deployed");
    let lifted = |chain: &mut Chain, to: Address, data: &[u8]| {
        let r = chain.call(to, data);
        assert!(r.success, "{:?}", r.error);
        chain.blocks.last().expect("a block").stats.rv_instructions
    };
    let (c, a) = (native_c(), native_alu());
    let pairs =
        |n: usize| -> Vec<u8> { (0..2 * n as u64).flat_map(|i| (i * 0x9E37_79B9_7F4A_7C15).to_le_bytes()).collect() };
    // (what, ELF, contract, smaller input, larger input, units between them)
    type Row<'a> = (&'a str, &'a [u8], Address, Vec<u8>, Vec<u8>, f64);
    let rows: [Row<'_>; 4] = [
        (
            "sum loop, per iteration",
            &c,
            counter,
            calldata("sum(uint256)", &[u(10_000)]),
            calldata("sum(uint256)", &[u(20_000)]),
            10_000.0,
        ),
        (
            "heap fill and sum, per byte",
            &c,
            counter,
            calldata("heap(uint256)", &[u(10_000)]),
            calldata("heap(uint256)", &[u(20_000)]),
            10_000.0,
        ),
        ("alu, per pair (56 results)", &a, alu, pairs(50), pairs(100), 50.0),
        (
            "apply (function pointer), whole call",
            &c,
            counter,
            Vec::new(),
            calldata("apply(uint256,uint256)", &[u(1), u(12345)]),
            1.0,
        ),
    ];
    eprintln!("| what | rv-machine | lifted | ratio |\n|---|---|---|---|");
    for (what, elf, to, small, large, per) in rows {
        let (l1, n1) =
            if small.is_empty() { (0, 0) } else { (lifted(&mut chain, to, &small), run_on_machine(elf, &small).2) };
        let (l2, n2) = (lifted(&mut chain, to, &large), run_on_machine(elf, &large).2);
        let (native, lifted) = ((n2 - n1) as f64 / per, (l2 - l1) as f64 / per);
        eprintln!("| {what} | {native:.1} | {lifted:.1} | {:.2} |", lifted / native);
        assert!(lifted >= native, "{what}");
    }
}

/// The Rust counter (examples/counter/src/lib.rs, the WASM example's source unchanged) built
/// with the SDK for riscv64im-unknown-none-elf (examples/native-rust): it deploys in a
/// kind-0x02 envelope and behaves as the WASM counter does.
fn rust_sdk_counter(engine: EngineKind) {
    let path = format!("{}/../examples/out/native-rust-counter.elf", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&native_envelope(&elf, &[]), &u(7));
    assert!(r.success, "{:?}", r.error);
    let counter = r.contract_address.expect("created");
    assert_eq!(chain.storage(counter, U256::ZERO), U256::from(7u64));
    let r = chain.call(counter, &calldata("get()", &[]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(7));
    let r = chain.call(counter, &calldata("increment()", &[]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].data.topics(), &[keccak256("Incremented(address,uint256)"), a(ALICE).into()]);
    assert_eq!(r.logs[0].data.data.as_ref(), &u(8));
    let r = chain.call(counter, &calldata("get()", &[]));
    assert_eq!(r.output.as_ref(), &u(8));
    // An unknown selector and a call with value revert with empty data.
    let r = chain.call(counter, &calldata("nothing()", &[]));
    assert!(!r.success && r.output.is_empty(), "{:?}", r.error);
    let tx = chain.tx(ALICE, Some(counter), &calldata("get()", &[]), U256::from(1u64), 1_000_000);
    let r = chain.send(tx);
    assert!(!r.success && r.output.is_empty(), "{:?}", r.error);
    // EVM calls it: Bridge.bumpTwice.
    let bridge = deploy_bridge(&mut chain);
    let r = chain.call(bridge, &calldata("bumpTwice(address)", &[a(counter)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(10));
}

/// The Rust ERC-20 (examples/erc20/src/lib.rs unchanged) built with the SDK for rv64im:
/// constants (name, symbol), the constructor's mint, transfers with their logs, the
/// allowance path, OpenZeppelin's revert messages, and Solidity calling it.
fn rust_sdk_erc20(engine: EngineKind) {
    let path = format!("{}/../examples/out/native-rust-erc20.elf", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    let mut chain = Chain::new(engine);
    let mut constants = u(64).to_vec();
    constants.extend_from_slice(&u(128));
    constants.extend_from_slice(&tail(b"Zk Token"));
    constants.extend_from_slice(&tail(b"ZKT"));
    let r = chain.deploy(&native_envelope(&elf, &constants), &u(1_000_000));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.logs.len(), 1, "the mint's Transfer");
    let token = r.contract_address.expect("created");
    let call = |chain: &mut Chain, sig: &str, args: &[[u8; 32]]| chain.call(token, &calldata(sig, args));
    let r = call(&mut chain, "name()", &[]);
    assert_eq!(dynamic_at(&r.output, 0), b"Zk Token");
    let r = call(&mut chain, "symbol()", &[]);
    assert_eq!(dynamic_at(&r.output, 0), b"ZKT");
    let r = call(&mut chain, "transfer(address,uint256)", &[a(zkos_tests::BOB), u(500)]);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(1));
    assert_eq!(r.logs[0].data.topics()[0], keccak256("Transfer(address,address,uint256)"));
    assert_eq!(call(&mut chain, "balanceOf(address)", &[a(zkos_tests::BOB)]).output.as_ref(), &u(500));
    assert_eq!(call(&mut chain, "balanceOf(address)", &[a(ALICE)]).output.as_ref(), &u(999_500));
    let r = call(&mut chain, "transfer(address,uint256)", &[a(zkos_tests::BOB), u(1_000_000)]);
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), error_string("ERC20: transfer amount exceeds balance"));
    // The allowance path, from a Solidity frame: Bridge.pay moves the bridge's own tokens.
    let bridge = deploy_bridge(&mut chain);
    let r = call(&mut chain, "transfer(address,uint256)", &[a(bridge), u(300)]);
    assert!(r.success, "{:?}", r.error);
    let r = chain.call(bridge, &calldata("pay(address,address,uint256)", &[a(token), a(zkos_tests::BOB), u(200)]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), [u(1), u(100)].concat());
    assert_eq!(call(&mut chain, "balanceOf(address)", &[a(zkos_tests::BOB)]).output.as_ref(), &u(700));
    let r = call(&mut chain, "approve(address,uint256)", &[a(zkos_tests::BOB), u(50)]);
    assert!(r.success, "{:?}", r.error);
    let tx = chain.tx(
        zkos_tests::BOB,
        Some(token),
        &calldata("transferFrom(address,address,uint256)", &[a(ALICE), a(zkos_tests::BOB), u(60)]),
        U256::ZERO,
        1_000_000,
    );
    let r = chain.send(tx);
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), error_string("ERC20: insufficient allowance"));
}

/// An `ecall` whose number is no system call or host function fails the call, and the debug
/// output says which number and where; a `jalr` to an address that is no instruction traps.
fn unknown_ecall_fails_with_its_number(engine: EngineKind) {
    use rv_machine::isa::{encode, Reg};
    let code = [
        encode::addi(Reg::A7, Reg::ZERO, 57).unwrap(), // close(2): not in the ABI
        encode::ecall(),
        encode::addi(Reg::A7, Reg::ZERO, 93).unwrap(),
        encode::ecall(),
    ];
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&native_envelope(&native_shim::elf::minimal(&code), &[]), &[]);
    assert!(r.success, "{:?}", r.error);
    let contract = r.contract_address.expect("created");
    let r = chain.call(contract, &[]);
    assert!(!r.success);
    assert_eq!(r.error.expect("a failure").to_string(), "unreachable");
    let out = &chain.blocks.last().expect("a block").debug_output;
    assert_eq!(out.len(), 1, "one message");
    let text: Vec<String> = out[0].1.messages().map(|m| String::from_utf8_lossy(m).into_owned()).collect();
    // The entry is right after the headers (0x10000 + 64 + 56); the ecall is its second word.
    assert_eq!(text, ["native contract: ecall number 57 at 0x1007c is not a zkos system call or host function"]);
}

fn example_wasm(name: &str) -> Vec<u8> {
    let path = format!("{}/../examples/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// Native calls WASM and WASM calls native: the C counter forwards to the Rust WASM counter,
/// the WASM `caller` forwarder calls the C counter, with return data, revert data and state.
fn native_and_wasm_call_each_other(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let native = deploy_counter(&mut chain, 3);
    let deploy_wasm = |chain: &mut Chain, name: &str, args: &[u8]| {
        let r = chain.deploy(&zkos_tests::envelope(&example_wasm(name), &[]), args);
        assert!(r.success, "{name}: {:?}", r.error);
        r.contract_address.expect("created")
    };
    let wasm_counter = deploy_wasm(&mut chain, "counter", &u(40));
    let caller = deploy_wasm(&mut chain, "caller", &[]);
    // native → WASM: increment, then get through the forwarder.
    let r = chain.call(native, &with_bytes("forward(address,bytes)", wasm_counter, &calldata("increment()", &[])));
    assert!(r.success, "{:?}", r.error);
    let r = chain.call(native, &with_bytes("forward(address,bytes)", wasm_counter, &calldata("get()", &[])));
    assert_eq!(r.output.as_ref(), &u(41));
    // A WASM revert seen by native: the WASM counter reverts on an unknown selector.
    let r = chain.call(native, &with_bytes("forward(address,bytes)", wasm_counter, &calldata("nothing()", &[])));
    assert!(!r.success);
    // WASM → native: the caller's forward(address,uint256,bytes).
    let fwd = |target: Address, inner: &[u8]| {
        let mut out = calldata("forward(address,uint256,bytes)", &[a(target), u(0), u(96)]);
        out.extend_from_slice(&tail(inner));
        out
    };
    let r = chain.call(caller, &fwd(native, &calldata("increment()", &[])));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(chain.storage(native, U256::ZERO), U256::from(4u64));
    let r = chain.call(caller, &fwd(native, &calldata("sum(uint256)", &[u(10)])));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(55));
    let r = chain.call(caller, &fwd(native, &calldata("fail()", &[])));
    assert!(!r.success);
    assert_eq!(r.output.as_ref(), b"native says no");
    // A WASM static call into a native write fails; the storage stays.
    let mut data = calldata("forwardStatic(address,uint256,bytes)", &[a(native), u(0), u(96)]);
    data.extend_from_slice(&tail(&calldata("increment()", &[])));
    let r = chain.call(caller, &data);
    assert!(!r.success && r.output.is_empty(), "{:?}", r.error);
    assert_eq!(chain.storage(native, U256::ZERO), U256::from(4u64));
}

/// An EVM factory creates a native contract with CREATE2: the init data is the kind-0x02
/// envelope and the constructor arguments; the address is CREATE2's, and the contract runs.
fn evm_factory_creates_native_with_create2(engine: EngineKind) {
    // Runtime: calldatacopy(0, 0, calldatasize); mstore(0, create2(0, 0, calldatasize, 42));
    // return(0, 32). Init code: codecopy the 22-byte runtime after its 12 bytes and return it.
    let runtime = hex::decode("366000600037602a3660006000f560005260206000f3").unwrap();
    assert_eq!(runtime.len(), 22);
    let mut init = hex::decode("6016600c60003960166000f3").unwrap();
    init.extend_from_slice(&runtime);
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&init, &[]);
    assert!(r.success, "{:?}", r.error);
    let factory = r.contract_address.expect("created");
    let mut data = native_envelope(&native_c(), &[]);
    data.extend_from_slice(&u(5));
    let r = chain.call(factory, &data);
    assert!(r.success, "{:?}", r.error);
    let created = Address::from_slice(&r.output[12..32]);
    assert_eq!(created, factory.create2(alloy_primitives::B256::from(u(42)), keccak256(&data)));
    let r = chain.call(created, &calldata("get()", &[]));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), &u(5));
}

/// The C counter built by clang and lld (`clang-19 --target=riscv64-unknown-elf -march=rv64im
/// -mabi=lp64 -O2 -nostdlib -static -fuse-ld=lld`, examples/native-c/build.sh): other code from
/// the same source, the same behavior as gcc's build.
fn clang_build_behaves_as_gcc_build(engine: EngineKind) {
    let path = format!("{}/../examples/out/native-c-clang.elf", env!("CARGO_MANIFEST_DIR"));
    let clang = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    assert_ne!(clang, native_c(), "a build of its own");
    let mut chain = Chain::new(engine);
    let gcc = deploy_counter(&mut chain, 41);
    let r = chain.deploy(&native_envelope(&clang, &[]), &u(41));
    assert!(r.success, "deploying the clang build: {:?}", r.error);
    let clang = r.contract_address.expect("created");
    let calls = [
        calldata("increment()", &[]),
        calldata("get()", &[]),
        calldata("sum(uint256)", &[u(1000)]),
        calldata("pick(uint256)", &[u(3)]),
        calldata("pick(uint256)", &[u(9)]),
        calldata("apply(uint256,uint256)", &[u(2), u(1_000_003)]),
        calldata("heap(uint256)", &[u(5000)]),
        calldata("fail()", &[]),
        calldata("nothing()", &[]),
    ];
    for data in calls {
        let (a, b) = (chain.call(gcc, &data), chain.call(clang, &data));
        let what = hex::encode(&data[..4]);
        assert_eq!((a.success, &a.output), (b.success, &b.output), "{what}");
        assert_eq!(a.logs.len(), b.logs.len(), "{what}");
        for (x, y) in a.logs.iter().zip(&b.logs) {
            assert_eq!((x.data.topics(), &x.data.data), (y.data.topics(), &y.data.data), "{what}");
        }
    }
    assert_eq!(chain.storage(clang, U256::ZERO), U256::from(42u64));
    let r = chain.call(clang, &calldata("sum(uint256)", &[u(1000)]));
    assert_eq!(r.output.as_ref(), &u(500_500));
}

/// A payable native contract (examples/native-c/vault.c): the value of `deposit()` reaches it
/// (`call_value`, host function 10063) and stays (its balance, `self_balance`); value sent to
/// a function that is not payable reverts and moves nothing; `withdraw()` sends the balance
/// back through `call` with value.
fn payable_native_contract(engine: EngineKind) {
    let path = format!("{}/../examples/out/native-vault.elf", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"));
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&native_envelope(&elf, &[]), &[]);
    assert!(r.success, "{:?}", r.error);
    let vault = r.contract_address.expect("created");
    // Gas is paid at base fee 7 plus a priority fee of 1 (Chain's transactions).
    let price = U256::from(8u64);
    let send = |chain: &mut Chain, sig: &str, value: u64| {
        let before = chain.balance(ALICE);
        let tx = chain.tx(ALICE, Some(vault), &calldata(sig, &[]), U256::from(value), 1_000_000);
        let r = chain.send(tx);
        let spent = before - chain.balance(ALICE);
        (r, spent)
    };
    let (r, spent) = send(&mut chain, "deposit()", 1000);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output.as_ref(), [u(1000), u(1000)].concat());
    assert_eq!(spent, U256::from(1000u64) + U256::from(r.gas_used) * price);
    let (r, _) = send(&mut chain, "deposit()", 500);
    assert_eq!(r.output.as_ref(), [u(500), u(1500)].concat());
    assert_eq!(chain.balance(vault), U256::from(1500u64));
    assert_eq!(chain.storage(vault, U256::ZERO), U256::from(1500u64));
    // Not payable: reverts with its reason; only the gas is paid.
    for sig in ["balance()", "withdraw()"] {
        let (r, spent) = send(&mut chain, sig, 1);
        assert!(!r.success && r.error.is_none(), "{sig}: a revert");
        assert_eq!(r.output.as_ref(), b"not payable", "{sig}");
        assert_eq!(spent, U256::from(r.gas_used) * price, "{sig}");
    }
    assert_eq!(chain.balance(vault), U256::from(1500u64));
    let (r, _) = send(&mut chain, "balance()", 0);
    assert_eq!(r.output.as_ref(), &u(1500));
    // withdraw: the balance goes back to the caller.
    let (r, spent) = send(&mut chain, "withdraw()", 0);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(chain.balance(vault), U256::ZERO);
    assert_eq!(spent + U256::from(1500u64), U256::from(r.gas_used) * price);
    let (r, _) = send(&mut chain, "balance()", 0);
    assert_eq!(r.output.as_ref(), &u(0));
}

zkos_tests::engine_tests!(
    alu_linked_high_matches_the_machine,
    evm_factory_creates_native_with_create2,
    native_and_wasm_call_each_other,
    unknown_ecall_fails_with_its_number,
    rust_sdk_counter,
    rust_sdk_erc20,
    alu_matches_the_machine,
    storage_and_return_data,
    loops_jump_tables_and_heap,
    revert_with_data,
    native_calls_evm,
    evm_calls_native,
    static_call_write_protection,
    gas_is_one_unit,
    deployment_is_charged_per_byte,
    bad_elf_is_rejected_with_its_rule,
    clang_build_behaves_as_gcc_build,
    payable_native_contract,
);
