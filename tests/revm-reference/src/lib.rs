//! Full-system differential check against revm 43 (Osaka): a block runs through the user's
//! command, `zkos run --json FILE`, and through revm, transaction by transaction, and
//! everything observable must agree: per transaction the status (success, failure,
//! rejected), gas used, output (return or revert data), logs and created address; after the
//! block every account (existence, balance, nonce, code, every storage slot).
//!
//! ```ignore
//! let block = serde_json::json!({ "pre": {...}, "env": {...}, "transaction": [...] });
//! for tx in zkos_revm_reference::check_block("transfer", &block) {
//!     println!("{} {}", tx.status, tx.gas_used);
//! }
//! ```
//!
//! Transactions name their `sender` (no signature), or carry a `secretKey` (the sender is
//! derived from it). Signed (`v`, `r`, `s`), EIP-7702 and envelope (WASM) code are outside
//! the reference and make the check panic saying so. The block rules revm leaves to its
//! caller are applied here as Ethereum defines them: the block's remaining gas bounds each
//! transaction, touched empty accounts are removed (EIP-161), the EIP-4788 system call runs
//! before the transactions when `parentBeaconBlockRoot` is given, withdrawals are credited
//! after them. Unknown block hashes read as zero, as in zkos.

mod block;
mod reference;
mod zkos;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use revm::primitives::{Address, Bytes, B256, U256};
use serde_json::Value;

/// What a transaction did, as both sides agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    /// `success`, `failure` or `rejected`.
    pub status: &'static str,
    /// Gas used (after refunds; zero when rejected).
    pub gas_used: u64,
}

/// One side's view of one transaction.
#[derive(Clone, Debug, Default)]
struct Outcome {
    status: &'static str,
    gas_used: u64,
    /// Return or revert data; `None` where it is not compared (revm's successful creates,
    /// whose return data is the deployed code, compared as the created account's code).
    output: Option<Bytes>,
    logs: Vec<(Address, Vec<B256>, Bytes)>,
    created: Option<Address>,
    /// Why it failed or was rejected (diagnostics only: the wording differs between zkos and
    /// revm, and zkos's engines are compared with each other in full by [`run_zkos`]).
    error: Option<String>,
}

impl Outcome {
    fn rejected(error: String) -> Self {
        Self { status: "rejected", output: Some(Bytes::new()), error: Some(error), ..Self::default() }
    }
}

/// An account after the block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct PostAccount {
    balance: U256,
    nonce: u64,
    code_hash: B256,
    /// Code size, where the side knows it.
    code_size: Option<usize>,
    /// Non-zero slots.
    storage: BTreeMap<U256, U256>,
}

/// The accounts that exist after the block.
type PostState = BTreeMap<Address, PostAccount>;

/// Runs `block` through `zkos run --json` and through revm and asserts that they agree;
/// panics naming `name`, the transaction index and the field of every disagreement.
/// Returns what each transaction did.
pub fn check_block(name: &str, block: &Value) -> Vec<TxResult> {
    check_report(name, block, &run_zkos(name, block))
}

/// [`check_block`] on a report of `zkos run --json` already made.
pub fn check_report(name: &str, block: &Value, report: &Value) -> Vec<TxResult> {
    let (results, errors) = compare_report(name, block, report);
    assert!(
        errors.is_empty(),
        "{name}: zkos and revm disagree ({} difference(s); left zkos, right revm):\n{}",
        errors.len(),
        errors.join("\n")
    );
    results
}

/// The report of `zkos run --json` on `block` (the first half of [`check_block`]).
pub fn run_zkos(name: &str, block: &Value) -> Value {
    zkos::run(name, block)
}

/// Compares a zkos report on `block` with revm's execution of it (the second half of
/// [`check_block`]): zkos's transactions, and every difference found, one line each.
pub fn compare_report(name: &str, block: &Value, report: &Value) -> (Vec<TxResult>, Vec<String>) {
    let parsed = block::parse(name, block);
    let got = zkos::outcomes(name, report, parsed.txs.len());
    let got_post = zkos::post_state(name, &parsed, report);
    let (want, want_post) = reference::execute(name, &parsed);
    let mut errors = Vec::new();
    for (i, (z, r)) in got.iter().zip(&want).enumerate() {
        compare_tx(&mut errors, i, z, r);
    }
    compare_state(&mut errors, &got_post, &want_post);
    (got.iter().map(|o| TxResult { status: o.status, gas_used: o.gas_used }).collect(), errors)
}

fn compare_tx(errors: &mut Vec<String>, i: usize, z: &Outcome, r: &Outcome) {
    let mut fail = |field: &str, zkos: String, revm: String| {
        errors.push(format!("  tx {i}: {field}: zkos {zkos}, revm {revm}"));
    };
    if z.status != r.status {
        let why = |o: &Outcome| o.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
        fail("status", format!("{}{}", z.status, why(z)), format!("{}{}", r.status, why(r)));
        return;
    }
    if z.gas_used != r.gas_used {
        let diff = z.gas_used as i128 - r.gas_used as i128;
        fail("gas used", z.gas_used.to_string(), format!("{} (zkos - revm = {diff})", r.gas_used));
    }
    if let (Some(zo), Some(ro)) = (&z.output, &r.output) {
        if zo != ro {
            fail("output", short(zo), short(ro));
        }
    }
    if z.created != r.created {
        fail("created address", format!("{:?}", z.created), format!("{:?}", r.created));
    }
    if z.logs.len() != r.logs.len() {
        fail("log count", z.logs.len().to_string(), r.logs.len().to_string());
    }
    for (k, (zl, rl)) in z.logs.iter().zip(&r.logs).enumerate() {
        if zl.0 != rl.0 {
            fail(&format!("log {k} address"), zl.0.to_string(), rl.0.to_string());
        }
        if zl.1 != rl.1 {
            fail(&format!("log {k} topics"), format!("{:?}", zl.1), format!("{:?}", rl.1));
        }
        if zl.2 != rl.2 {
            fail(&format!("log {k} data"), short(&zl.2), short(&rl.2));
        }
    }
}

fn compare_state(errors: &mut Vec<String>, z: &PostState, r: &PostState) {
    let addresses: std::collections::BTreeSet<&Address> = z.keys().chain(r.keys()).collect();
    for address in addresses {
        let at = format!("  after the block, account {address}");
        let (za, ra) = match (z.get(address), r.get(address)) {
            (Some(za), Some(ra)) => (za, ra),
            (za, ra) => {
                errors.push(format!("{at}: exists: zkos {}, revm {} ({za:?} / {ra:?})", za.is_some(), ra.is_some()));
                continue;
            }
        };
        if za.balance != ra.balance {
            errors.push(format!("{at}: balance: zkos {}, revm {}", za.balance, ra.balance));
        }
        if za.nonce != ra.nonce {
            errors.push(format!("{at}: nonce: zkos {}, revm {}", za.nonce, ra.nonce));
        }
        if za.code_hash != ra.code_hash {
            errors.push(format!(
                "{at}: code hash: zkos {} ({:?} bytes), revm {} ({:?} bytes)",
                za.code_hash, za.code_size, ra.code_hash, ra.code_size
            ));
        } else if let (Some(zs), Some(rs)) = (za.code_size, ra.code_size) {
            if zs != rs {
                errors.push(format!("{at}: code size: zkos {zs}, revm {rs}"));
            }
        }
        let slots: std::collections::BTreeSet<&U256> = za.storage.keys().chain(ra.storage.keys()).collect();
        let mut bad = 0;
        let mut lines = String::new();
        for slot in slots {
            let (zv, rv) = (za.storage.get(slot), ra.storage.get(slot));
            if zv != rv {
                bad += 1;
                if bad <= 20 {
                    let v = |x: Option<&U256>| format!("{:#x}", x.copied().unwrap_or_default());
                    let _ = write!(lines, "\n    slot {slot:#x}: zkos {}, revm {}", v(zv), v(rv));
                }
            }
        }
        if bad > 0 {
            let more = if bad > 20 { " (first 20 shown)".to_string() } else { String::new() };
            errors.push(format!("{at}: {bad} storage slot(s) differ{more}:{lines}"));
        }
    }
}

/// Data for a message: all of it when short, else its length and ends.
fn short(data: &Bytes) -> String {
    let hex = revm::primitives::hex::encode(data);
    if hex.len() <= 200 {
        format!("0x{hex}")
    } else {
        format!("{} bytes 0x{}…{}", data.len(), &hex[..96], &hex[hex.len() - 96..])
    }
}
