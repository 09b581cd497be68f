//! EVM differential: arbitrary bytecode and calldata in one call frame on zkos (wasmi and
//! rv, compared exactly) and on revm (status, gas used, output, logs, storage).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let case = zkos_fuzz::evm::Case::from_bytes(data);
    if let Err(e) = zkos_fuzz::big_stack(move || zkos_fuzz::evm::run_case(&case)) {
        panic!("zkos and revm disagree: {e}");
    }
});
