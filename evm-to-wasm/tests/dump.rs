mod common;
use common::*;

/// Debugging aid: `DUMP=<hex code> cargo test --test dump -- --ignored --nocapture` prints
/// the generated module's operators.
#[test]
#[ignore = "debugging aid: set DUMP to the EVM code in hex"]
fn dump_env_code() {
    let hex = std::env::var("DUMP").expect("DUMP=<hex EVM code>");
    let code = hex::decode(hex.trim_start_matches("0x")).unwrap();
    let wasm = evm_to_wasm::transpile(&code).unwrap();
    println!("{}", dump(&wasm));
    validate(&wasm);
}
