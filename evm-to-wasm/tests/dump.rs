mod common;
use common::*;

/// `DUMP=<hex code> cargo test --test dump -- --nocapture` prints the generated module.
#[test]
fn dump_env_code() {
    let Ok(hex) = std::env::var("DUMP") else { return };
    let code = hex::decode(hex.trim_start_matches("0x")).unwrap();
    let wasm = evm_to_wasm::transpile(&code).unwrap();
    println!("{}", dump(&wasm));
    validate(&wasm);
}
