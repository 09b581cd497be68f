//! Profiles (not timed tests): weighted WASM instructions (host-abi `OpClass` weights, about
//! one RV64IM instruction each) executed per unit of EVM gas on the bench transactions, per
//! opcode, and revm's dynamic opcode histogram.
//! `cargo test -p evm-to-wasm --release --test perf -- --ignored --nocapture`

mod common;
use common::*;

#[test]
#[ignore = "profile: prints a table"]
fn fuel_per_gas() {
    println!("{:<20} {:>12} {:>14} {:>9} {:>9}", "contract", "gas", "weighted", "per gas", "wasm B");
    for &name in bench::SELF_CONTAINED {
        let b = bench::bench(name);
        let wasm = evm_to_wasm::transpile(&b.code).unwrap();
        let p = Prepared::with_count(&wasm);
        let tx = &b.txs[0];
        let mut host = Host { calldata: tx.data.clone(), code: b.code.clone(), address: [0xcc; 20], ..Host::default() };
        host.caller = tx.sender;
        for (k, v) in &b.storage {
            host.storage.insert(word(*k).try_into().unwrap(), word(*v).try_into().unwrap());
        }
        let gas = 1_000_000_000;
        let r = p.run(host, gas);
        assert!(matches!(r.outcome, Outcome::Return(_)), "{name}: {:?}", r.outcome);
        let used = r.used(gas);
        println!("{name:<20} {used:>12} {:>14} {:>9.2} {:>9}", r.fuel, r.fuel as f64 / used as f64, wasm.len());
    }
}

/// Dynamic opcode histogram of a bench transaction (revm's CountInspector).
#[test]
#[ignore = "profile: prints a table"]
fn opcode_histogram() {
    use revm::bytecode::Bytecode;
    use revm::context::{Context, TxEnv};
    use revm::database::{CacheDB, EmptyDB};
    use revm::inspector::CountInspector;
    use revm::primitives::{Address, Bytes, TxKind};
    use revm::state::AccountInfo;
    use revm::{InspectEvm, MainBuilder, MainContext};
    let name = std::env::var("BENCH").unwrap_or_else(|_| "snailtracer".into());
    let b = bench::bench(&name);
    let mut db = CacheDB::new(EmptyDB::default());
    db.insert_account_info(
        Address::from([0xcc; 20]),
        AccountInfo::from_bytecode(Bytecode::new_raw(Bytes::from(b.code))),
    );
    for (k, v) in &b.storage {
        db.insert_account_storage(Address::from([0xcc; 20]), *k, *v).unwrap();
    }
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| cfg.set_spec_and_mainnet_gas_params(revm::primitives::hardfork::SpecId::CANCUN))
        .with_db(db)
        .build_mainnet_with_inspector(CountInspector::default());
    let tx = &b.txs[0];
    let t = TxEnv::builder()
        .caller(Address::from(tx.sender))
        .kind(TxKind::Call(Address::from([0xcc; 20])))
        .data(Bytes::from(tx.data.clone()))
        .gas_limit(1_000_000_000)
        .build()
        .unwrap();
    evm.inspect_tx(t).unwrap();
    let counts = evm.inspector.opcode_counts();
    let total: u64 = counts.iter().sum();
    let mut v: Vec<(u64, u8)> =
        counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(o, c)| (*c, o as u8)).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    println!("{name}: {total} instructions");
    for (c, o) in v.iter().take(40) {
        let n = evm_to_wasm::opcodes::info(*o).map_or("?", |i| i.name);
        println!("{n:<14} {c:>12} {:>6.2}%", 100.0 * *c as f64 / total as f64);
    }
}

/// Weighted WASM instructions per executed opcode, from 1000-iteration loops whose operands
/// come from calldata (so nothing folds), minus the empty loop.
#[test]
#[ignore = "profile: prints a table"]
fn per_opcode_cost() {
    let a = U256::from_str_radix("123456789abcdef0123456789abcdef0123456789abcdef", 16).unwrap();
    let b = U256::from(1_000_000u64);
    let neg = U256::ZERO - a;
    let cases: Vec<(&str, Vec<u8>, [U256; 3])> = vec![
        ("empty", vec![], [a, b, b]),
        ("ADD", vec![op::ADD], [a, b, b]),
        ("SUB", vec![op::SUB], [a, b, b]),
        ("MUL", vec![op::MUL], [a, b, b]),
        ("MUL big", vec![op::MUL], [a, a, b]),
        ("DIV /1e6", vec![op::DIV], [a, b, b]),
        ("DIV big", vec![op::DIV], [a * a, a, b]),
        ("SDIV /1e6", vec![op::SDIV], [neg, b, b]),
        ("MOD", vec![op::MOD], [a, b, b]),
        ("MULMOD", vec![op::MULMOD], [a, a, b]),
        ("ADDMOD", vec![op::ADDMOD], [a, a, b]),
        ("EXP", vec![op::EXP], [a, U256::from(255), b]),
        ("LT", vec![op::LT], [a, b, b]),
        ("SLT", vec![op::SLT], [a, b, b]),
        ("EQ", vec![op::EQ], [a, b, b]),
        ("AND", vec![op::AND], [a, b, b]),
        ("SHR dyn", vec![op::SHR], [U256::from(100), a, b]),
        ("BYTE dyn", vec![op::BYTE], [U256::from(20), a, b]),
        ("SIGNEXTEND", vec![op::SIGNEXTEND], [U256::from(20), a, b]),
        ("ISZERO", vec![op::ISZERO, op::PUSH0], [a, b, b]),
        ("MLOAD", vec![op::MLOAD, op::PUSH0], [U256::from(64), b, b]),
        ("MSTORE", vec![op::MSTORE, op::PUSH0], [U256::from(64), a, b]),
        ("SWAP1 DUP2 POP", vec![op::SWAP1, op::DUP2, op::POP], [a, b, b]),
    ];
    println!("{:<16} {:>10}", "op", "weight/op");
    let mut base = 0.0;
    for (name, body, args) in cases {
        // Operands loaded once and made native (ADD 0), then kept on the memory stack; each
        // iteration DUPs them (slot limbs, as values arriving from another block), runs the
        // body, pops what is left, decrements the counter and jumps back.
        let mut e = Evm::new();
        for k in (0..3u64).rev() {
            e = e.pushn(32 * k).op(op::CALLDATALOAD).op(op::PUSH0).op(op::ADD);
        }
        e = e.pushn(96).op(op::CALLDATALOAD).label("loop");
        e = e.op(op::DUP4).op(op::DUP4).op(op::DUP4);
        e = e.ops(&body);
        // Pop whatever the body left of the three operands: the loop is stack-neutral.
        let net: i64 = body
            .iter()
            .map(|o| {
                let i = evm_to_wasm::opcodes::info(*o).unwrap();
                i64::from(i.outputs) - i64::from(i.inputs)
            })
            .sum();
        for _ in 0..3 + net {
            e = e.op(op::POP);
        }
        let code =
            e.pushn(1).op(op::SWAP1).op(op::SUB).op(op::DUP1).push_label("loop").op(op::JUMPI).op(op::STOP).build();
        let wasm = evm_to_wasm::transpile(&code).unwrap();
        let p = Prepared::with_count(&wasm);
        let mut data: Vec<u8> = args.iter().flat_map(|v| word(*v)).collect();
        data.extend(word(U256::from(1000)));
        let r = p.run(Host { calldata: data, code, ..Host::default() }, 1_000_000_000);
        assert_eq!(r.outcome, Outcome::Return(vec![]), "{name}");
        let per = r.fuel as f64 / 1000.0;
        if name == "empty" {
            base = per;
        }
        println!("{name:<16} {:>10.1}", per - base);
    }
}

/// Bytes of the main function by operator kind (`BENCH=seaport`).
#[test]
#[ignore = "profile: prints a table"]
fn code_size_by_operator() {
    let name = std::env::var("BENCH").unwrap_or_else(|_| "seaport".into());
    let code = bench::bench(&name).code;
    let wasm = evm_to_wasm::transpile(&code).unwrap();
    let mut sizes: std::collections::HashMap<String, (u64, usize)> = Default::default();
    let mut bodies = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(&wasm) {
        if let wasmparser::Payload::CodeSectionEntry(b) = p.unwrap() {
            bodies.push(b);
        }
    }
    for body in &bodies {
        let mut r = body.get_operators_reader().unwrap();
        let mut prev: Option<(u64, String)> = None;
        while !r.eof() {
            let pos = r.original_position();
            let o = r.read().unwrap();
            let k = format!("{o:?}").split([' ', '{']).next().unwrap().to_string();
            if let Some((p, k)) = prev.take() {
                let e = sizes.entry(k).or_default();
                e.0 += pos - p;
                e.1 += 1;
            }
            prev = Some((pos, k));
        }
    }
    let total: u64 = sizes.values().map(|v| v.0).sum();
    let mut v: Vec<_> = sizes.into_iter().collect();
    v.sort_by_key(|(_, (b, _))| std::cmp::Reverse(*b));
    println!("{name}: code {total} bytes in {} functions, module {} bytes", bodies.len(), wasm.len());
    for (k, (b, n)) in v.iter().take(25) {
        println!("{k:<16} {b:>8} B {n:>7} ops {:>5.1}%", 100.0 * *b as f64 / total as f64);
    }
}

/// Transpile throughput (release build): time per byte of EVM code for the bench contracts.
#[test]
#[ignore = "profile: prints a table"]
fn transpile_throughput() {
    for name in ["erc20_transfer", "snailtracer", "uniswap_v2_pair", "univ2_router", "seaport", "fiat_token"] {
        let code = bench::bench(name).code;
        let n = 20;
        let t = std::time::Instant::now();
        let mut size = 0;
        for _ in 0..n {
            size = evm_to_wasm::transpile(&code).unwrap().len();
        }
        let dt = t.elapsed() / n;
        println!(
            "{name:<16} {:>6} B → {size:>7} B in {dt:>9.2?} ({:.0} ns/byte)",
            code.len(),
            dt.as_nanos() as f64 / code.len() as f64
        );
    }
}
