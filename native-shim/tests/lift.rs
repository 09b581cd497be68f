//! The lifter on a real ELF (the C counter example, built with riscv64-unknown-elf-gcc
//! -march=rv64im -mabi=lp64 -O2 -nostdlib -static): the module passes the validator and
//! metering, and malformed variants of the file are rejected with a rule, never a panic.

use native_shim::{lift, Rule};

const COUNTER: &[u8] = include_bytes!("fixtures/counter.elf");

#[test]
fn the_counter_lifts_to_a_valid_module() {
    let lifted = lift(COUNTER).unwrap_or_else(|e| panic!("{e}"));
    let info = wasm_validator::validate::validate(&lifted.wasm).unwrap_or_else(|e| panic!("{e}"));
    assert!(info.has_deploy);
    wasm_validator::meter::meter(&lifted.wasm).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{} instructions, {} blocks, {} bytes of WASM from {} bytes of ELF",
        lifted.instructions,
        lifted.blocks,
        lifted.wasm.len(),
        COUNTER.len()
    );
}

#[test]
fn every_truncation_is_rejected_cleanly() {
    for len in 0..COUNTER.len() {
        let _ = lift(&COUNTER[..len]);
    }
    assert_eq!(lift(&COUNTER[..10]).unwrap_err().rule(), Rule::Truncated);
}

#[test]
fn bit_flips_never_panic() {
    let mut file = COUNTER.to_vec();
    for at in 0..file.len() {
        for bit in 0..8 {
            file[at] ^= 1 << bit;
            if let Ok(l) = lift(&file) {
                // Whatever lifts must still be a module the validator judges (no panic).
                let _ = wasm_validator::validate::validate(&l.wasm);
            }
            file[at] ^= 1 << bit;
        }
    }
}
