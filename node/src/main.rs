//! `zkos`: the command-line entry point. Each subcommand lives in its own module; this file
//! only parses the command line and dispatches.
//!
//! ```text
//! zkos run                                   # the example block built into the binary
//! zkos run block.json --json                 # {alloc, env, txs} or {env, pre, transaction}
//! zkos t8n --input.alloc alloc.json --input.env env.json --input.txs txs.json \
//!          --output.basedir out --output.result result.json --output.alloc alloc.json \
//!          --state.fork Cancun --state.chainid 1
//! ```
//!
//! Modules: [`t8n`], [`run`], [`statetest`], [`blocktest`] and [`devnet`] (`zkos node`) (the subcommands), [`input`] (alloc, env and transactions
//! from t8n JSON), [`transition`] (a block applied to a state, with its roots), [`output`]
//! (t8n's result and alloc JSON), [`statediff`] (what changed), [`json`] (hex quantities with
//! errors naming file and field), [`error`] (the command's error and exit codes).

mod abi;
mod bench;
mod blocktest;
mod build;
mod decode;
mod devnet;
mod error;
mod gas_report;
mod input;
mod json;
mod kernel;
mod new;
mod output;
mod run;
mod statediff;
mod statetest;
mod t8n;
mod trace;
mod transition;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// zkos: a provable world computer's execution environment.
#[derive(Parser, Debug)]
#[command(name = "zkos", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// State transition tool: applies a block to a pre-state (geth's `evm t8n` interface).
    T8n(t8n::Args),
    /// Runs a block from one JSON file and prints receipts, logs and the state diff.
    Run(run::Args),
    /// Runs Ethereum GeneralStateTests (files or folders) and checks post-state roots.
    Statetest(statetest::Args),
    /// Runs Ethereum blockchain tests (files or folders): block RLP, header checks, execution,
    /// invalid blocks rejected, post-state and last block hash checked.
    Blocktest(blocktest::Args),
    /// Static gas bounds of a contract (.wasm, envelope or EVM bytecode): table, JSON, HTML.
    GasReport(gas_report::Args),
    /// Benchmark kernels run three ways on the RV64IM machine (native, compiled, wasmi).
    Bench(bench::Args),
    /// Kernel mode: the kernel ELF, and the kernel's input for a block (for a prover).
    Kernel(kernel::Args),
    /// A development chain with Ethereum JSON-RPC (HTTP and WebSocket) for ethers, viem and
    /// wallets: funded accounts, a block per transaction, anvil/hardhat/evm methods.
    Node(devnet::Args),
    /// The Solidity interface embedded in a contract (.wasm, envelope or ELF): JSON ABI or a
    /// Solidity `interface`.
    Abi(abi::Args),
    /// A new contract project (Rust or AssemblyScript) that builds outside this repository.
    New(new::Args),
    /// Builds the contract project in the current directory: size, deployment cost, gas bounds.
    Build(build::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::T8n(args) => t8n::main(args),
        Command::Run(args) => run::main(args),
        Command::Statetest(args) => statetest::main(args),
        Command::Blocktest(args) => blocktest::main(args),
        Command::GasReport(args) => gas_report::main(args),
        Command::Bench(args) => bench::main(args),
        Command::Node(args) => devnet::main(args),
        Command::Kernel(args) => kernel::main(args),
        Command::Abi(args) => abi::main(args),
        Command::New(args) => new::main(args),
        Command::Build(args) => build::main(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zkos: {}", error::one_line(&e.to_string()));
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
