//! Differential fuzzing: a wasm-smith module of the deterministic subset on wasmi and on
//! rv-backend's compiled code must agree (results, traps, memory, globals).
#![no_main]

#[path = "../../tests/diff_support/mod.rs"]
#[allow(dead_code)] // the bounded test uses the rest
mod diff_support;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // A panic inside wasmi (a debug assertion of its translator, with the fuzz build's debug
    // assertions on) skips the case, as in the bounded test: without this hook libFuzzer's own
    // aborts before `run_case` can catch it. Panics anywhere else still abort.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(diff_support::quiet_wasmi_panics);
    // wasm-smith and wasmi's translator recurse on deep nesting: a big stack.
    let data = data.to_vec();
    let result = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || diff_support::run_case(&data, &mut diff_support::Stats::default()))
        .expect("spawn")
        .join()
        .expect("case thread");
    if let Err(e) = result {
        panic!("engines disagree: {e}");
    }
});
