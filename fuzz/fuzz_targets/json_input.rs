//! The `zkos` command's JSON readers (the node's `json` and `input` modules, compiled from
//! its sources): strict parsing (duplicate keys refused), then the alloc, env and
//! transactions as t8n and run read them, and the serde forms of wasm_runtime's
//! environment types. Never a panic, one-line errors naming the file and field.
#![no_main]

use zkos_fuzz::input::{self, Unsigned};
use zkos_fuzz::json::{self, Reader};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    zkos_fuzz::big_stack(move || {
        let value = match json::parse_strict(&text) {
            Ok(v) => v,
            Err(e) => return zkos_fuzz::assert_one_line("JSON error", &e.to_string()),
        };
        let r = Reader::new("input.json");
        let part = |key: &str| value.get(key).cloned().unwrap_or_else(|| value.clone());
        let check = |what: &str, e: zkos_fuzz::error::Error| {
            let line = zkos_fuzz::error::one_line(&e.to_string());
            zkos_fuzz::assert_one_line(what, &line);
            assert!(line.starts_with("input.json"), "{what}: the error does not name the file: {line}");
        };
        if let Err(e) = input::alloc(r, &part("alloc"), "alloc") {
            check("alloc", e);
        }
        if let Err(e) = input::env(r, &part("env"), "env") {
            check("env", e);
        }
        for (chain_id, unsigned) in [(1, Unsigned::AllowSender), (u64::MAX, Unsigned::Refuse)] {
            if let Err(e) = input::txs(r, &part("txs"), "txs", chain_id, unsigned) {
                check("txs", e);
            }
        }
        let _ = serde_json::from_value::<wasm_runtime::env::BlockEnv>(value.clone());
        let _ = serde_json::from_value::<wasm_runtime::env::TxEnv>(value.clone());
        let _ = serde_json::from_value::<wasm_runtime::platform::AccountInfo>(value);
    });
});
