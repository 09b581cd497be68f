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

/// Debugging aid: `DUMP=<hex code> cargo test --test dump -- --ignored --nocapture blocks`
/// prints the analysis's blocks (range, need/grow/net, stack check, exit, reachability).
#[test]
#[ignore = "debugging aid: set DUMP to the EVM code in hex"]
fn dump_env_blocks() {
    let hex = std::env::var("DUMP").expect("DUMP=<hex EVM code>");
    let code = hex::decode(hex.trim_start_matches("0x")).unwrap();
    let a = evm_to_wasm::analyze(&code);
    for b in &a.blocks {
        println!(
            "{:>5}..{:<5} need {:>3} grow {:>3} net {:>4} check {:?} {:?}{}{}",
            b.start,
            b.end,
            b.need,
            b.grow,
            b.net,
            b.check,
            b.exit,
            if b.reachable { "" } else { " unreachable" },
            if a.is_label(b.start) { " label" } else { "" }
        );
    }
}
