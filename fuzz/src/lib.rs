//! Shared support of the zkos fuzz targets (`fuzz_targets/*.rs`): a big stack for cases
//! that recurse, the EVM differential (zkos on wasmi and on rv, and revm, on one call
//! frame), the WASM case (validation, metering, bounds, both engines) and the `zkos`
//! command's JSON and block readers, compiled from the node's own sources (the node crate
//! is a binary only: its `input`, `json`, `error` and `blocktest::decode` modules depend on
//! nothing else of it, so they are included here by path, unchanged).

#![allow(clippy::result_large_err)]

#[path = "../../node/src/blocktest/decode.rs"]
#[allow(dead_code)]
pub mod block_decode;
#[path = "../../node/src/error.rs"]
#[allow(dead_code)]
pub mod error;
#[path = "../../node/src/input.rs"]
#[allow(dead_code)]
pub mod input;
#[path = "../../node/src/json.rs"]
#[allow(dead_code)]
pub mod json;

pub mod evm;
pub mod wasm;

/// Runs `f` on a thread with a 256 MiB stack (wasm-smith, wasmi's translator and the
/// bounds analysis recurse on deep nesting), re-raising its panic as this thread's.
pub fn big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new().stack_size(256 << 20).spawn(f).expect("spawn the case thread");
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Asserts that an error message is one line (what every `zkos` error prints as).
pub fn assert_one_line(what: &str, message: &str) {
    assert!(!message.is_empty(), "{what}: an empty error message");
    assert!(!message.contains('\n'), "{what}: an error message of several lines: {message:?}");
}
