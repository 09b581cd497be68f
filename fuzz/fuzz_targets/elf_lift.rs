//! native-shim's ELF loader and lifter on arbitrary and mutated ELF files: never a panic,
//! one-line errors; a lifted module goes through the validator and metering like any
//! deployed module (which may refuse it, with a one-line error).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    zkos_fuzz::big_stack(move || {
        if let Err(e) = native_shim::elf::parse(&data) {
            zkos_fuzz::assert_one_line("ELF error", &e.to_string());
        }
        match native_shim::lift(&data) {
            Err(e) => zkos_fuzz::assert_one_line("lift error", &e.to_string()),
            Ok(lifted) => {
                if let Err(e) = wasm_validator::validate::validate(&lifted.wasm) {
                    zkos_fuzz::assert_one_line("validation error", &e.to_string());
                }
                if let Err(e) = wasm_validator::meter::meter(&lifted.wasm) {
                    zkos_fuzz::assert_one_line("metering error", &e.to_string());
                }
            }
        }
    });
});
