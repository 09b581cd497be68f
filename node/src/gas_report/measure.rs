//! `zkos gas-report --measure BLOCK`: the gas the contract's frames used per selector when a
//! block (JSON, as `zkos run` takes it) runs, beside the bounds.
//!
//! The block runs through `zkos run BLOCK --json --trace` (this same executable, on wasmi:
//! the reference engine), whose call trees give every frame's callee, input and gas used.
//! A frame is the contract's when its callee's code holds the same WASM module: an account
//! of the block's pre-state, or one created in the block from an envelope holding it.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::Measured;
use crate::error::{Error, Result};

/// Measured gas per selector (first four bytes of a frame's input, big-endian) of the frames
/// of contracts whose module is `wasm`, selectors in first-call order.
pub fn per_selector(block: &str, wasm: &[u8]) -> Result<Vec<(u32, Measured)>> {
    let text =
        std::fs::read_to_string(block).map_err(|e| Error::Io { path: block.to_string(), message: e.to_string() })?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| Error::Json { file: block.into(), message: e.to_string() })?;
    let exe = std::env::current_exe().map_err(|e| Error::Config(format!("--measure: this executable: {e}")))?;
    let out = std::process::Command::new(exe)
        .args(["run", block, "--json", "--trace"])
        .output()
        .map_err(|e| Error::Config(format!("--measure: running zkos run: {e}")))?;
    if !out.status.success() {
        return Err(Error::Config(format!(
            "--measure {block}: zkos run failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Config(format!("--measure: zkos run's report is not JSON: {e}")))?;
    let ours = |hex_code: &str| {
        let code = hex::decode(hex_code.trim_start_matches("0x")).unwrap_or_default();
        crate::abi::wasm_module(&code).ok().flatten() == Some(wasm)
    };
    let mut addresses: BTreeSet<String> = BTreeSet::new();
    let state = pre_state(&doc).and_then(Value::as_object);
    for (address, account) in state.into_iter().flatten() {
        if account.get("code").and_then(Value::as_str).is_some_and(ours) {
            addresses.insert(address.to_lowercase());
        }
    }
    let mut out: Vec<(u32, Measured)> = Vec::new();
    let txs = report.get("transactions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for tx in txs {
        if let Some(frame) = tx.get("trace") {
            visit(frame, &ours, &mut addresses, &mut out);
        }
    }
    Ok(out)
}

/// The pre-state of a block document: `pre` or `alloc`, at the top or under its one key.
fn pre_state(doc: &Value) -> Option<&Value> {
    if let Some(state) = doc.get("pre").or_else(|| doc.get("alloc")) {
        return Some(state);
    }
    let obj = doc.as_object()?;
    let only = obj.values().next().filter(|_| obj.len() == 1)?;
    only.get("pre").or_else(|| only.get("alloc"))
}

/// Records `frame` and its callees, in call order.
fn visit(frame: &Value, ours: &dyn Fn(&str) -> bool, addresses: &mut BTreeSet<String>, out: &mut Vec<(u32, Measured)>) {
    let s = |k: &str| frame.get(k).and_then(Value::as_str).unwrap_or_default();
    let to = s("to").to_lowercase();
    let input = hex::decode(s("input").trim_start_matches("0x")).unwrap_or_default();
    if s("kind").starts_with("CREATE") {
        if ours(s("input")) && s("status") == "success" {
            addresses.insert(to);
        }
    } else if addresses.contains(&to) && input.len() >= 4 {
        let sel = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
        let gas = frame.get("gasUsed").and_then(Value::as_u64).unwrap_or_default();
        let at = match out.iter().position(|(k, _)| *k == sel) {
            Some(at) => at,
            None => {
                out.push((sel, Measured { calls: 0, min: u64::MAX, max: 0, reverted: 0 }));
                out.len() - 1
            }
        };
        let m = &mut out[at].1;
        m.calls += 1;
        m.min = m.min.min(gas);
        m.max = m.max.max(gas);
        m.reverted += u32::from(s("status") != "success");
    }
    for callee in frame.get("calls").and_then(Value::as_array).into_iter().flatten() {
        visit(callee, ours, addresses, out);
    }
}
