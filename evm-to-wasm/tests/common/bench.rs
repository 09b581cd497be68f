//! The benchmark inputs of `../shared/bench/evm`: the contract at 0xcc…cc, its storage and
//! its transactions.

use super::U256;

/// Benchmarks whose contract touches only its own state (the mock host can serve them).
pub const SELF_CONTAINED: &[&str] = &[
    "factorial",
    "fibonacci-calldata",
    "bswap64",
    "bswap64_opt",
    "counter",
    "hash_10k",
    "erc20_transfer",
    "weth",
    "snailtracer",
];

/// One transaction of a benchmark.
pub struct BenchTx {
    pub sender: [u8; 20],
    pub data: Vec<u8>,
}

/// A benchmark's contract and transactions.
pub struct Bench {
    pub code: Vec<u8>,
    pub storage: Vec<(U256, U256)>,
    pub txs: Vec<BenchTx>,
}

fn unhex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string").trim_start_matches("0x")).expect("hex")
}

/// Loads `../shared/bench/evm/{name}.json` (beside the repository).
pub fn bench(name: &str) -> Bench {
    let path = format!("{}/../../shared/bench/evm/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let test = json.as_object().unwrap().values().next().unwrap();
    let acct = &test["pre"]["0xcccccccccccccccccccccccccccccccccccccccc"];
    let storage = acct["storage"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.parse::<U256>().unwrap(), v.as_str().unwrap().parse::<U256>().unwrap()))
        .collect();
    let txs = test["transaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tx| BenchTx { sender: unhex(&tx["sender"]).try_into().unwrap(), data: unhex(&tx["data"]) })
        .collect();
    Bench { code: unhex(&acct["code"]), storage, txs }
}
