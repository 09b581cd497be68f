//! `docs/host-abi.md` is generated from the host-function table; this test fails when the
//! page and the table differ. Regenerate with `BLESS=1 cargo test -p host-abi`.

use std::fmt::Write;

use host_abi::functions::{Group, HostFn};
use host_abi::gas::OpClass;

fn render() -> String {
    let mut s = String::new();
    s.push_str("# The zkos host ABI\n\n");
    s.push_str("Generated from `host-abi/src/functions.rs` and `host-abi/src/gas.rs` by the test\n");
    s.push_str("`host-abi/tests/reference_page.rs` (`BLESS=1 cargo test -p host-abi` rewrites it). Do not edit.\n\n");
    s.push_str("WASM contracts import these functions from module `zkos`. Native RV64IM code calls them\n");
    s.push_str("with `ecall`: the number in `a7`, arguments in `a0..a5`, the result in `a0`. Pointers and\n");
    s.push_str("lengths are offsets into the caller's linear memory; words are 32 bytes big-endian;\n");
    s.push_str("addresses are 20 bytes. Host-function numbers are never negative: negative values of `a7`\n");
    s.push_str("are reserved for the services of the engine that runs compiled code (rv-backend: memory\n");
    s.push_str("growth, traps) and never name a host function.\n\n");
    for (group, title) in [
        (Group::Linux, "Linux system calls (native contracts only)"),
        (Group::Precompile, "Precompiles"),
        (Group::Environment, "Environment"),
    ] {
        // The precompiles' table has a column more: the address EVM code calls.
        let precompiles = group == Group::Precompile;
        writeln!(s, "## {title}\n").unwrap();
        if precompiles {
            s.push_str("EVM code reaches the same computations at the precompile addresses below (the number\n");
            s.push_str("is the address's last two bytes), when the block's fork has them: Ethereum's, and zkos's\n");
            s.push_str("own in 0x5a00–0x5aff (Poseidon at 0x5a00, on every fork: its input is the function's\n");
            s.push_str("elements as calldata, its output the 32-byte hash, at the same gas; an input the function\n");
            s.push_str("calls invalid fails the call, which consumes the gas it was given).\n\n");
            writeln!(s, "| number | import | signature | gas | EVM address |").unwrap();
            writeln!(s, "|---|---|---|---|---|").unwrap();
        } else {
            writeln!(s, "| number | import | signature | gas |").unwrap();
            writeln!(s, "|---|---|---|---|").unwrap();
        }
        for f in HostFn::ALL.iter().filter(|f| f.group() == group) {
            let params: Vec<String> = f.params().iter().map(|p| format!("{}: {}", p.name, p.ty.wat())).collect();
            let result = f.result().map(|r| format!(" -> {}", r.wat())).unwrap_or_default();
            write!(s, "| {} | `{}` | `({}){}` | {} |", f.number(), f.import_name(), params.join(", "), result, f.gas())
                .unwrap();
            if precompiles {
                match f.precompile_address() {
                    Some(n) => write!(s, " {n:#04x} |").unwrap(),
                    None => s.push_str(" none |"),
                }
            }
            s.push('\n');
        }
        s.push('\n');
        for f in HostFn::ALL.iter().filter(|f| f.group() == group) {
            writeln!(s, "### `{}` ({})\n", f.import_name(), f.number()).unwrap();
            for line in f.doc().lines() {
                writeln!(s, "{}", line.trim()).unwrap();
            }
            s.push('\n');
            for p in f.params() {
                writeln!(s, "- `{}` ({}): {}", p.name, p.ty.wat(), p.doc).unwrap();
            }
            if !f.params().is_empty() {
                s.push('\n');
            }
        }
    }
    s.push_str("## WASM instruction weights\n\n| class | gas |\n|---|---|\n");
    for c in OpClass::ALL {
        writeln!(s, "| {c:?} | {} |", c.weight()).unwrap();
    }
    writeln!(
        s,
        "\n`memory.grow` adds {} gas per page; bulk memory operations add one gas per {} bytes; a call of a \
         function adds {} gas per local it declares (parameters excluded), charged on entry.",
        host_abi::gas::MEMORY_GROW_PAGE,
        host_abi::gas::BULK_BYTE_DIVISOR,
        host_abi::gas::DECLARED_LOCAL
    )
    .unwrap();
    writeln!(
        s,
        "\nA frame pays {} gas per page of initial memory after the first before its instance is made \
         (`initial_memory_gas`). A frame may have any `u64` amount of gas: the gas global `{}` holds at most \
         2^{} of it and the engine keeps the rest beside it (in the global exported as `{}`, if the module \
         has one); host functions see the sum.",
        host_abi::gas::MEMORY_GROW_PAGE,
        host_abi::GAS_GLOBAL_EXPORT,
        host_abi::GAS_GLOBAL_MAX.trailing_zeros(),
        host_abi::GAS_RESERVE_EXPORT
    )
    .unwrap();
    s.push_str("\nHow native RV64IM contracts use these functions (memory, system calls, checks, lifting): [native.md](native.md).\n");
    s
}

#[test]
fn reference_page_matches_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/host-abi.md");
    let want = render();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "docs/host-abi.md is out of date: run `BLESS=1 cargo test -p host-abi`");
}
