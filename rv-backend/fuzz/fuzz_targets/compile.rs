//! Robustness: any bytes either compile (to RV64IM words only) or give a `CompileError`,
//! never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(c) = rv_backend::compile(data) {
        for w in c.words() {
            assert!(rv_machine::isa::decode(w).is_some(), "{w:#010x} is not RV64IM");
        }
    }
});
