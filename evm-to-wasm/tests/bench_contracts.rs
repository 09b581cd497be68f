//! The real contracts in `../shared/bench/evm` (beside the repository): every account's code must transpile, pass
//! `wasmparser::validate`, and compile on wasmi. Prints a size table.

mod common;
use common::*;
use std::time::Instant;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/evm");

/// (file, account, code) for every account with code.
pub fn contracts() -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(DIR).expect("bench dir").map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        for (_, test) in json.as_object().unwrap() {
            for (addr, acct) in test["pre"].as_object().unwrap() {
                let code = hex::decode(acct["code"].as_str().unwrap().trim_start_matches("0x")).unwrap();
                if !code.is_empty() {
                    out.push((name.clone(), addr.clone(), code));
                }
            }
        }
    }
    out
}

#[test]
fn bench_contracts_transpile_and_validate() {
    let all = contracts();
    assert!(all.len() >= 21, "found {} contracts", all.len());
    let (mut evm_total, mut wasm_total) = (0usize, 0usize);
    println!(
        "{:<24} {:>8} {:>9} {:>7} {:>7} {:>6} {:>8} {:>6} {:>9}",
        "contract", "evm B", "wasm B", "blocks", "labels", "nest", "max fn", "locals", "time"
    );
    for (name, addr, code) in &all {
        let t = Instant::now();
        let wasm = evm_to_wasm::transpile(code).unwrap_or_else(|e| panic!("{name} {addr}: {e}"));
        let dt = t.elapsed();
        validate(&wasm);
        let mut config = wasmi::Config::default();
        config.wasm_wide_arithmetic(true);
        let engine = wasmi::Engine::new(&config);
        wasmi::Module::new(&engine, &wasm).unwrap_or_else(|e| panic!("{name} {addr}: wasmi: {e}"));
        let a = evm_to_wasm::analyze(code);
        // The deterministic subset's limits hold for every function.
        let (nest, max_fn, locals) = shape(&wasm);
        use host_abi::limits::{MAX_FUNCTION_SIZE, MAX_LOCALS, MAX_NESTING};
        assert!(nest <= MAX_NESTING, "{name}: nesting {nest}");
        assert!(max_fn <= MAX_FUNCTION_SIZE as usize, "{name}: function of {max_fn} bytes");
        assert!(locals <= MAX_LOCALS, "{name}: {locals} locals");
        println!(
            "{:<24} {:>8} {:>9} {:>7} {:>7} {:>6} {:>8} {:>6} {:>9.2?}",
            format!("{name}:{}", &addr[2..6]),
            code.len(),
            wasm.len(),
            a.blocks.len(),
            a.labels.len(),
            nest,
            max_fn,
            locals,
            dt
        );
        evm_total += code.len();
        wasm_total += wasm.len();
    }
    println!(
        "total: {evm_total} B of EVM code → {wasm_total} B of WASM ({:.1}×)",
        wasm_total as f64 / evm_total as f64
    );
}
