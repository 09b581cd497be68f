//! `wasm-deploy`: checks a contract and deploys it to a node.
//!
//! ```text
//! wasm-deploy examples/out/counter.wasm --constructor 'constructor(uint256)' 5
//! wasm-deploy examples/out/native-c.elf --check
//! wasm-deploy Token.bin --rpc http://127.0.0.1:8545 --account 1
//! ```
//!
//! The file is a WASM module, an RV64IM ELF, an envelope or EVM bytecode (binary or hex).
//! The report: the kind, the size against its limit, the deployment charge (validation,
//! metering, compilation and storage), the static gas bound of each export or selector
//! (`zkos gas-report`'s model), the functions of the JSON ABI a WASM module embeds
//! (`zkos:abi`), the code hash and whether the node already holds a compiled
//! artifact for it, the deploy gas (`eth_estimateGas`) and its cost in ETH at the node's gas
//! price. Then it signs an EIP-1559 transaction (development account N of the standard
//! mnemonic, or `--private-key`), sends it, waits for the receipt and prints the address and
//! the transaction hash. `--check` stops after the checks (and needs no node), `--estimate`
//! after the estimate. Every error is one line on stderr, with a non-zero exit code.
//!
//! Modules: [`code`] (what the file is and what deploying it costs), [`dry_run`] (the
//! creation run locally first), [`abi`] (constructor
//! arguments), [`keys`] (development accounts and private keys), [`rpc`] (the JSON-RPC
//! client), [`tx`] (the signed transaction), [`error`].

pub mod abi;
pub mod code;
pub mod dry_run;
pub mod error;
pub mod keys;
pub mod rpc;
pub mod tx;

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256};
use serde_json::{json, Value};

use code::{Contract, Source};
use error::{Error, Result};
use rpc::Rpc;

/// The command line of `wasm-deploy`.
#[derive(clap::Parser, Debug)]
#[command(
    name = "wasm-deploy",
    version,
    about = "Checks a WASM, RV64IM or EVM contract and deploys it to a zkos node."
)]
pub struct Args {
    /// The contract: a .wasm module, an RV64IM ELF, an envelope, or EVM init code (binary or hex).
    pub file: PathBuf,
    /// The constructor's signature and its arguments: `--constructor 'constructor(uint256,string)' 5 hi`.
    #[arg(long, num_args = 1.., value_name = "SIG ARGS", allow_negative_numbers = true)]
    pub constructor: Vec<String>,
    /// The constants area of a WASM or native contract, as hex.
    #[arg(long, value_name = "HEX")]
    pub constants: Option<String>,
    /// The node's JSON-RPC endpoint [default: http://127.0.0.1:8545].
    #[arg(long, value_name = "URL")]
    pub rpc: Option<String>,
    /// Sign with this key (64 hex digits).
    #[arg(long, value_name = "KEY", conflicts_with = "account")]
    pub private_key: Option<String>,
    /// Sign with development account N of the standard mnemonic (m/44'/60'/0'/0/N).
    #[arg(long, value_name = "N")]
    pub account: Option<u32>,
    /// Check and report, but send nothing (works without a node).
    #[arg(long)]
    pub check: bool,
    /// Check, estimate the deploy gas and its cost, but send nothing.
    #[arg(long, conflicts_with = "check")]
    pub estimate: bool,
    /// Seconds to wait for the receipt.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
}

/// Where the node listens unless `--rpc` says otherwise (`zkos node`'s default).
pub const DEFAULT_RPC: &str = "http://127.0.0.1:8545";

/// What the node says before sending.
struct NodeView {
    chain_id: u64,
    artifact: String,
}

/// Writes one report line: a label and its value.
fn line(label: &str, value: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "  {label:<13} {value}");
}

/// `wei` as ETH with up to 18 decimals, trailing zeros dropped.
pub fn format_eth(wei: U256) -> String {
    let unit = U256::from(10u64).pow(U256::from(18));
    let (whole, frac) = (wei / unit, wei % unit);
    if frac.is_zero() {
        return format!("{whole} ETH");
    }
    let frac = format!("{:0>18}", frac.to_string());
    format!("{whole}.{} ETH", frac.trim_end_matches('0'))
}

/// `wei` as gwei when it is a round number of them, else in wei.
fn format_gwei(wei: u128) -> String {
    if wei.checked_rem(1_000_000_000) == Some(0) {
        format!("{} gwei", wei / 1_000_000_000)
    } else {
        format!("{wei} wei ({:.3} gwei)", wei as f64 / 1e9)
    }
}

fn report_contract(file: &str, c: &Contract, args_len: usize) {
    println!("wasm-deploy {file}");
    let kind = match c.source {
        Source::Wasm => "WASM module (envelope kind 0x01)".to_string(),
        Source::Native => {
            let (instructions, wasm) = c.lifted.unwrap_or_default();
            format!("RV64IM ELF (envelope kind 0x02): {instructions} instructions lifted to {wasm} bytes of WASM")
        }
        Source::Evm => match c.runtime {
            Some(n) => format!("EVM init code, returning {n} bytes of runtime code"),
            None => "EVM init code".to_string(),
        },
    };
    line("kind", kind);
    let percent = c.code.len() as f64 * 100.0 / c.limit.0 as f64;
    line("size", format!("{} bytes of {} ({}), {percent:.1}%", c.code.len(), c.limit.0, c.limit.1));
    if !c.constants.is_empty() {
        line("constants", format!("{} bytes", c.constants.len()));
    }
    if c.source != Source::Evm {
        let ctor = if c.has_deploy { "exports deploy" } else { "no deploy export" };
        line("constructor", format!("{ctor}, {args_len} bytes of arguments"));
    }
    match c.deploy_charge {
        Some(g) => line("deployment", format!("{g} gas = {}", c.charge_formula)),
        None => line("deployment", &c.charge_formula),
    }
    let hash_label = if c.source == Source::Evm && c.runtime.is_none() { "init code hash" } else { "code hash" };
    line(hash_label, c.code_hash);
    let unit = match c.source {
        Source::Wasm => "per export",
        Source::Native => "per export of the lifted module",
        Source::Evm if c.runtime.is_some() => "per selector of the runtime code",
        Source::Evm => "of the init code as given (its runtime code is not known)",
    };
    line("gas bounds", unit);
    for e in &c.bounds.entries {
        let name = match e.selector {
            Some(s) if !e.name.starts_with("0x") => format!("{:#010x} {}", s, e.name),
            _ => e.name.clone(),
        };
        let mut bound = match (&e.formula, e.bound, &e.reason) {
            (_, Some(v), _) if e.impractical() => {
                format!("≤ {v} gas: unbounded in practice (above the block gas limit)")
            }
            (Some(f), _, _) => format!("≤ {f}"),
            (None, Some(v), _) => format!("≤ {v} gas"),
            (None, None, Some(r)) => format!("unbounded ({r})"),
            (None, None, None) => String::from("unknown"),
        };
        if e.forwards_gas {
            bound.push_str(" + forwarded gas");
        }
        line("", format!("{name}: {bound}"));
    }
    if c.source == Source::Wasm {
        report_functions(&c.code);
    }
}

/// The functions of the JSON ABI a WASM module embeds (`zkos:abi`), by selector.
fn report_functions(code: &[u8]) {
    match crate::abi::embedded_abi(code) {
        Ok(Some(abi)) => {
            line("functions", format!("{} in the embedded ABI (zkos:abi)", abi.functions().count()));
            for f in abi.functions() {
                let returns: Vec<String> = f.outputs.iter().map(|p| p.ty.clone()).collect();
                let returns =
                    if returns.is_empty() { String::new() } else { format!(" returns ({})", returns.join(",")) };
                let sel = u32::from_be_bytes(f.selector().0);
                line("", format!("{sel:#010x} {} {}{returns}", f.signature(), f.state_mutability.as_json_str()));
            }
        }
        Ok(None) => line("functions", "no embedded ABI (zkos:abi): #[zkos::contract] embeds one"),
        Err(e) => line("functions", format!("the embedded ABI is unreadable: {e}")),
    }
}

/// Asks the node whether it already has a compiled artifact for `code_hash`.
fn artifact_status(rpc: &Rpc, code_hash: &str) -> Result<String> {
    match rpc.call("zkos_getArtifact", json!([code_hash]))? {
        Ok(Value::Null) => Ok("not on the node yet: it is compiled at deployment".into()),
        Ok(v) => {
            let size = v.get("rvCodeSize").or_else(|| v.get("wasmSize")).and_then(Value::as_u64);
            Ok(match size {
                Some(n) => format!("already compiled on the node ({n} bytes)"),
                None => "already compiled on the node".into(),
            })
        }
        Err(e) if e.is_unknown_method() => Ok("unknown (the node has no zkos_getArtifact)".into()),
        Err(e) => Err(Error::Node(format!("zkos_getArtifact: {}", e.message))),
    }
}

fn node_view(rpc: &Rpc, c: &Contract) -> Result<NodeView> {
    let chain_id = rpc.quantity("eth_chainId", json!([]))?;
    let chain_id = u64::try_from(chain_id).map_err(|_| Error::Node(format!("eth_chainId {chain_id} is too large")))?;
    let artifact = match (c.source, c.runtime) {
        (Source::Evm, None) => "decided when the init code returns the runtime code".to_string(),
        _ => artifact_status(rpc, &format!("{:#x}", c.code_hash))?,
    };
    Ok(NodeView { chain_id, artifact })
}

fn balance(rpc: &Rpc, who: Address) -> Result<U256> {
    let v = rpc.request("eth_getBalance", json!([who, "latest"]))?;
    v.as_str()
        .and_then(|s| U256::from_str_radix(s.strip_prefix("0x")?, 16).ok())
        .ok_or_else(|| Error::Node(format!("eth_getBalance: not a quantity: {v}")))
}

/// Why the node refused to estimate: a revert (with its data) or another error.
fn estimate_failed(e: rpc::RpcError) -> Error {
    let data = e.data.as_ref().and_then(Value::as_str).map(|d| format!(", revert data {d}")).unwrap_or_default();
    if e.message.contains("insufficient funds") {
        return Error::Deploy(format!("insufficient funds: {}", e.message));
    }
    Error::Deploy(format!("the deployment would fail: {}{data}", e.message))
}

/// Runs `wasm-deploy`.
pub fn main(args: &Args) -> Result<()> {
    let file = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).map_err(|e| Error::Usage(format!("{file}: {e}")))?;
    let constants = match &args.constants {
        Some(h) => {
            let digits = h.trim().strip_prefix("0x").unwrap_or(h.trim());
            Some(hex::decode(digits).map_err(|e| Error::Usage(format!("--constants: bad hex: {e}")))?)
        }
        None => None,
    };
    let contract = code::analyze(&file, &bytes, constants)?;
    let ctor_args = match args.constructor.split_first() {
        Some((sig, values)) => {
            if !contract.file_args.is_empty() {
                return Err(Error::Usage(format!(
                    "{file} already carries {} bytes of constructor arguments after its envelope",
                    contract.file_args.len()
                )));
            }
            if contract.source != Source::Evm && !contract.has_deploy && !values.is_empty() {
                return Err(Error::Usage(format!("{file} has no deploy export: it takes no constructor arguments")));
            }
            abi::encode(sig, values)?
        }
        None => contract.file_args.clone(),
    };
    let init = contract.init_data(&ctor_args)?;
    let key = match (&args.private_key, args.account) {
        (Some(k), _) => keys::parse_private_key(k)?,
        (None, n) => keys::derive(keys::DEV_MNEMONIC, n.unwrap_or(0))?,
    };
    let from = keys::address(&key);
    let mut contract = contract;
    let dry = dry_run::create(&init, from);
    if let Ok(run) = &dry {
        if run.success {
            contract.set_runtime(&file, &run.code)?;
        }
    }
    report_contract(&file, &contract, ctor_args.len());
    let dry_line = match &dry {
        Ok(run) if run.success => {
            format!("the creation succeeds locally, {} gas (a fresh state, wasmi, Osaka)", run.gas_used)
        }
        Ok(run) => {
            let why = run.error.clone().unwrap_or_else(|| "reverted".into());
            let data = if run.output.is_empty() { String::new() } else { format!(", revert data {}", run.output) };
            format!("the creation fails locally: {why}{data} (in a fresh state: the node's state may differ)")
        }
        Err(e) => format!("not run: {e}"),
    };
    line("dry run", dry_line);
    // With --check and the default endpoint, a node is welcome but not needed.
    let explicit_rpc = args.rpc.is_some();
    let rpc = Rpc::new(args.rpc.as_deref().unwrap_or(DEFAULT_RPC));
    let view = match node_view(&rpc, &contract) {
        Ok(v) => v,
        Err(Error::Node(why)) if args.check && !explicit_rpc => {
            line("node", format!("{why} (skipped: artifact, deploy gas)"));
            println!("check passed: nothing sent");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    line("node", format!("{} (chain id {})", rpc.url(), view.chain_id));
    line("artifact", &view.artifact);
    if args.check {
        println!("check passed: nothing sent");
        return Ok(());
    }
    let who = match (&args.private_key, args.account) {
        (Some(_), _) => format!("{from}"),
        (None, n) => format!("{from} (development account {})", n.unwrap_or(0)),
    };
    let funds = balance(&rpc, from)?;
    line("deployer", format!("{who}, balance {}", format_eth(funds)));
    let data = format!("0x{}", hex::encode(&init));
    let gas = match rpc.call("eth_estimateGas", json!([{"from": from, "data": data}]))? {
        Ok(v) => rpc::parse_quantity(&v).ok_or_else(|| Error::Node(format!("eth_estimateGas: not a quantity: {v}")))?,
        Err(e) => return Err(estimate_failed(e)),
    };
    let gas = u64::try_from(gas).map_err(|_| Error::Node(format!("eth_estimateGas: {gas} does not fit 64 bits")))?;
    let price = rpc.quantity("eth_gasPrice", json!([]))?;
    let cost = U256::from(gas) * U256::from(price);
    line("deploy gas", format!("{gas} (eth_estimateGas) × {} = {}", format_gwei(price), format_eth(cost)));
    if args.estimate {
        println!("estimate done: nothing sent");
        return Ok(());
    }
    let tip = match rpc.call("eth_maxPriorityFeePerGas", json!([]))? {
        Ok(v) => rpc::parse_quantity(&v).unwrap_or(0),
        Err(_) => 0,
    };
    // Room for the base fee to double before the transaction is mined, as wallets allow.
    let max_fee = price.saturating_mul(2).saturating_add(tip);
    let worst = U256::from(gas) * U256::from(max_fee);
    if funds < cost {
        return Err(Error::Deploy(format!(
            "insufficient funds: {from} has {}, the deployment costs {}",
            format_eth(funds),
            format_eth(cost)
        )));
    }
    let max_fee = if funds < worst { price } else { max_fee };
    let nonce = rpc.quantity("eth_getTransactionCount", json!([from, "pending"]))?;
    let nonce = u64::try_from(nonce).map_err(|_| Error::Node(format!("nonce {nonce} does not fit 64 bits")))?;
    let raw =
        tx::sign_create(&key, tx::Fees { chain_id: view.chain_id, nonce, gas, max_fee, tip: tip.min(max_fee) }, init);
    let hash = match rpc.call("eth_sendRawTransaction", json!([format!("0x{}", hex::encode(raw))]))? {
        Ok(v) => v.as_str().unwrap_or_default().to_string(),
        Err(e) if e.message.to_lowercase().contains("insufficient funds") => {
            return Err(Error::Deploy(format!("insufficient funds: {}", e.message)))
        }
        Err(e) => return Err(Error::Deploy(format!("the node refused the transaction: {}", e.message))),
    };
    line("transaction", &hash);
    let receipt = wait_receipt(&rpc, &hash, Duration::from_secs(args.timeout))?;
    let status = receipt.get("status").and_then(rpc::parse_quantity);
    let used = receipt.get("gasUsed").and_then(rpc::parse_quantity).unwrap_or(0);
    let block = receipt.get("blockNumber").and_then(rpc::parse_quantity).unwrap_or(0);
    if status != Some(1) {
        return Err(Error::Deploy(format!(
            "the deployment failed in block {block}: transaction {hash}, gas used {used}"
        )));
    }
    let address = receipt.get("contractAddress").and_then(Value::as_str).unwrap_or_default().to_string();
    line("block", format!("{block}, gas used {used}"));
    let deployed = rpc.request("eth_getCode", json!([address, "latest"]))?;
    let deployed = deployed.as_str().and_then(|s| hex::decode(s.trim_start_matches("0x")).ok()).unwrap_or_default();
    line(
        "code",
        format!("{} bytes stored, code hash {}", deployed.len(), wasm_runtime::primitives::keccak256(&deployed)),
    );
    line("address", &address);
    println!("deployed {address} in transaction {hash}");
    Ok(())
}

/// Polls for the receipt of `hash` until it comes or `timeout` passes.
fn wait_receipt(rpc: &Rpc, hash: &str, timeout: Duration) -> Result<Value> {
    let start = Instant::now();
    loop {
        let r = rpc.request("eth_getTransactionReceipt", json!([hash]))?;
        if !r.is_null() {
            return Ok(r);
        }
        if start.elapsed() > timeout {
            return Err(Error::Deploy(format!("no receipt for {hash} after {} s", timeout.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
