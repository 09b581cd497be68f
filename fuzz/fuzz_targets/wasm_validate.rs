//! The validator, metering and static bounds on wasm-smith modules of the deterministic
//! subset and on mutated real modules: never a panic, one-line errors; an accepted module
//! behaves the same on both engines and stays within its bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    zkos_fuzz::big_stack(move || {
        if let Some((wasm, calldata)) = zkos_fuzz::wasm::module_of(&data) {
            zkos_fuzz::wasm::run_case(&wasm, &calldata);
        }
    });
});
