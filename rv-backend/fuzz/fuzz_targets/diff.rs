//! Differential fuzzing: a wasm-smith module of the deterministic subset on wasmi and on
//! rv-backend's compiled code must agree (results, traps, memory, globals).
#![no_main]

#[path = "../../tests/diff_support/mod.rs"]
mod diff_support;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut stats = diff_support::Stats::default();
    if let Err(e) = diff_support::run_case(data, &mut stats) {
        panic!("engines disagree: {e}");
    }
});
