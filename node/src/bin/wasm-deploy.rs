//! `wasm-deploy`: checks a WASM module, an RV64IM ELF or EVM bytecode and deploys it to a
//! zkos node (see the `deploy` module for the report and the flags).
//!
//! ```text
//! wasm-deploy examples/out/counter.wasm --constructor 'constructor(uint256)' 5
//! wasm-deploy examples/out/native-c.elf --check
//! ```

use std::process::ExitCode;

use clap::Parser;

// The `zkos` command's modules that wasm-deploy shares, from `node/src`: the gas-bounds
// report (and the embedded-ABI reader, error and JSON helpers it uses), the development accounts of the devnet,
// and wasm-deploy's own modules.
#[path = ".."]
#[allow(dead_code, reason = "shared with the zkos binary, which uses the parts wasm-deploy does not")]
mod shared {
    pub mod abi;
    pub mod deploy;
    pub mod devnet {
        pub mod accounts;
    }
    pub mod error;
    pub mod gas_report;
    pub mod json;
}

use shared::{abi, devnet, error, gas_report, json};

fn main() -> ExitCode {
    let args = shared::deploy::Args::parse();
    match shared::deploy::main(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-deploy: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
