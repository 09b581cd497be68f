//! `zkos node`: a development chain that speaks Ethereum JSON-RPC over HTTP and WebSocket
//! on loopback, so ethers, viem and wallets use it unchanged.
//!
//! It starts with anvil's and hardhat's ten funded accounts ([`accounts`]), mines a block
//! per transaction (or every `--block-time` seconds) with the system layer
//! ([`chain`]: [`wasm_runtime::exec::apply_block`]), keeps blocks, receipts, logs and state
//! in redb ([`store`], one write transaction per block), and answers the `eth_`, `net_`,
//! `web3_`, `debug_`, `evm_`, `anvil_`/`hardhat_` and `zkos_` methods ([`rpc`]) through
//! axum ([`server`]).
//!
//! ```text
//! zkos node                                  # 127.0.0.1:8545, chain id 31337, fresh chain
//! zkos node --data-dir chain --engine rv     # kept in chain/, resumed on restart
//! ```
//!
//! Deployment artifacts (the normalized, metered WASM of each code hash) are stored with the
//! block that first built them and loaded at start, so a restart neither transpiles nor
//! normalizes again; the RV64IM code (rv engine) is compiled again on first use.

pub mod accounts;
pub mod chain;
pub mod gasbound;
pub mod rpc;
pub mod server;
pub mod store;
pub mod trace;
pub mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::broadcast;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::fork::Fork;
use wasm_runtime::primitives::U256;

use crate::error::{Error, Result};

/// Flags of `zkos node`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port (0: any free port; the one chosen is printed).
    #[arg(long, default_value_t = 8545)]
    pub port: u16,
    /// Keep the chain in this directory and resume from it (default: a fresh temporary one).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// EIP-155 chain id of a new chain.
    #[arg(long, default_value_t = 31337)]
    pub chain_id: u64,
    /// Number of funded development accounts.
    #[arg(long, default_value_t = 10)]
    pub accounts: u32,
    /// Balance of each development account, in ETH.
    #[arg(long, default_value_t = 10000)]
    pub balance: u64,
    /// Mine a block every SECS seconds instead of one per transaction.
    #[arg(long, value_name = "SECS")]
    pub block_time: Option<u64>,
    /// The fork of a new chain (Cancun, Prague, Osaka, BPO1..BPO4).
    #[arg(long, default_value = "Osaka")]
    pub fork: String,
    /// The engine contract code runs on: wasmi (reference) or rv (RV64IM machine).
    #[arg(long, default_value = "wasmi")]
    pub engine: String,
    /// Block gas limit of a new chain.
    #[arg(long, default_value_t = 30_000_000)]
    pub gas_limit: u64,
    /// Do not print blocks and transactions as they are mined.
    #[arg(long)]
    pub quiet: bool,
}

fn usage(msg: String) -> Error {
    Error::Config(msg)
}

fn io(what: &str, message: impl std::fmt::Display) -> Error {
    Error::Io { path: what.to_string(), message: message.to_string() }
}

/// Runs the node until it is killed.
pub fn main(args: &Args) -> Result<()> {
    let started = Instant::now();
    let fork = Fork::parse(&args.fork).ok_or_else(|| {
        usage(format!("--fork {}: not one of {}", args.fork, Fork::names().collect::<Vec<_>>().join(", ")))
    })?;
    let engine = match args.engine.as_str() {
        "wasmi" => EngineKind::Wasmi,
        "rv" => EngineKind::Rv,
        other => return Err(usage(format!("--engine {other}: wasmi or rv"))),
    };
    if args.block_time == Some(0) {
        return Err(usage("--block-time 0: give at least 1 second".into()));
    }
    let addr: SocketAddr = format!("{}:{}", args.host, args.port)
        .parse()
        .or_else(|_| format!("[{}]:{}", args.host, args.port).parse())
        .map_err(|_| usage(format!("--host {}: not an IP address", args.host)))?;
    let (dir, _temp) = match &args.data_dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| io(&format!("--data-dir {}", d.display()), e))?;
            (d.clone(), None)
        }
        None => {
            let t =
                tempfile::Builder::new().prefix("zkos-node-").tempdir().map_err(|e| io("temporary directory", e))?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let db_path = dir.join("chain.redb");
    let store = store::Store::open(&db_path).map_err(|e| io(&db_path.display().to_string(), e))?;
    let accounts = accounts::dev_accounts(accounts::DEV_MNEMONIC, args.accounts);
    let settings = chain::Settings {
        chain_id: args.chain_id,
        fork,
        engine,
        gas_limit: args.gas_limit,
        accounts: accounts.clone(),
        balance: U256::from(args.balance) * U256::from(10u64).pow(U256::from(18)),
        automine: args.block_time.is_none(),
        verbose: !args.quiet,
    };
    let (events, _) = broadcast::channel(1024);
    let path = db_path.display().to_string();
    let ev = events.clone();
    let open = move || chain::Chain::open(store, settings, ev);
    let info = |c: &chain::Chain| {
        (c.settings.chain_id, c.settings.fork, c.head().header.number, c.head().hash, c.resumed, c.artifact_count())
    };
    let (handle, (chain_id, fork, head, head_hash, resumed, artifacts)) =
        server::ChainHandle::spawn(open, info, events).map_err(|e| io(&path, e))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| io("tokio runtime", e))?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|e| io(&format!("cannot listen on {addr}"), e))?;
        let local = listener.local_addr().map_err(|e| io("listener", e))?;
        println!("zkos node {}", env!("CARGO_PKG_VERSION"));
        println!();
        println!("Available Accounts");
        println!("==================");
        for (i, a) in accounts.iter().enumerate() {
            println!("({i}) {} ({} ETH)", a.address.to_checksum(None), args.balance);
        }
        println!();
        println!("Private Keys");
        println!("==================");
        for (i, a) in accounts.iter().enumerate() {
            println!("({i}) {}", a.secret);
        }
        println!();
        println!("Wallet");
        println!("==================");
        println!("Mnemonic:          {}", accounts::DEV_MNEMONIC);
        println!("Derivation path:   m/44'/60'/0'/0/");
        println!();
        let kept = if resumed && (chain_id != args.chain_id || fork.name() != args.fork) {
            " (the data directory's)"
        } else {
            ""
        };
        println!("Chain ID:          {chain_id}{kept}");
        println!("Fork:              {fork}{kept}");
        println!("Engine:            {}", args.engine);
        println!(
            "Mining:            {}",
            args.block_time
                .map_or("a block per transaction (automine)".to_string(), |s| format!("a block every {s} s"))
        );
        println!("Data directory:    {}{}", dir.display(), if args.data_dir.is_none() { " (temporary)" } else { "" });
        if resumed {
            println!("Resumed at block:  {head} {head_hash}");
            println!("Artifacts:         {artifacts} loaded from the data directory");
        } else {
            println!("Genesis:           {head_hash}");
        }
        println!("Started in:        {} ms", started.elapsed().as_millis());
        println!();
        println!("Listening on {local} (HTTP and WebSocket)");
        use std::io::Write;
        let _ = std::io::stdout().flush();

        if let Some(secs) = args.block_time {
            let timer = handle.clone();
            std::thread::spawn(move || loop {
                std::thread::sleep(Duration::from_secs(secs));
                let sent = timer.run_blocking(|chain| {
                    if let Err(e) = chain.mine_pending(None) {
                        eprintln!("zkos node: block not mined: {}", e.message);
                    }
                });
                if !sent {
                    return;
                }
            });
        }
        axum::serve(listener, server::router(handle)).await.map_err(|e| io("server", e))
    })
}
