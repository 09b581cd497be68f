//! zkos's deployment pipeline, built for RV64IM, run one stage at a time on the machine: what
//! deployment costs in instructions. Input: a stage byte, then the stage's input bytes.
//! Markers before and after the stage. Output: the result's length(s) and a checksum
//! (`bench_kernels::protocol::digest`), so the host can check the machine computed exactly
//! what the host computed.
//!
//! | stage | input | work | output |
//! |---|---|---|---|
//! | 0 | a metered WASM module | `rv_backend::compile` | code bytes, read-only data bytes, digest |
//! | 1 | EVM code | `evm_to_wasm::transpile` (the latest fork's opcodes) | WASM bytes, digest |
//! | 2 | a static RV64IM ELF | `native_shim::lift` | WASM bytes, digest |
//! | 3 | a WASM module | `wasm_validator::validate` then `meter` | metered bytes, digest |

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use bench_kernels::protocol::{digest, STATUS_BAD_INPUT, STATUS_MODULE, STATUS_OK};
use bench_rt::{mark, uart};

/// Runs `stage` between the two markers; the result's lengths and digest, or `None` if the
/// input was refused.
fn stage(stage: u8, input: &[u8]) -> Option<Vec<u64>> {
    let bytes = |out: Vec<u8>| alloc::vec![out.len() as u64, digest(&out, &[])];
    mark(0);
    let out = match stage {
        0 => rv_backend::compile(input)
            .ok()
            .map(|c| alloc::vec![c.code.len() as u64, c.rodata.len() as u64, digest(&c.code, &c.rodata)]),
        1 => evm_to_wasm::transpile(input).ok().map(bytes),
        2 => native_shim::lift(input).ok().map(|l| bytes(l.wasm)),
        _ => wasm_validator::validate::validate(input)
            .ok()
            .and_then(|_| wasm_validator::meter::meter(input).ok())
            .map(bytes),
    };
    mark(0);
    out
}

#[no_mangle]
extern "C" fn bench_main() -> u64 {
    let mut input = Vec::new();
    if uart::read_bytes(|b| input.extend_from_slice(b)).is_none() {
        return STATUS_BAD_INPUT;
    }
    let Some((&which, input)) = input.split_first() else {
        return STATUS_BAD_INPUT;
    };
    if which > 3 {
        return STATUS_BAD_INPUT;
    }
    let Some(words) = stage(which, input) else {
        return STATUS_MODULE;
    };
    for w in words {
        uart::write_u64(w);
    }
    STATUS_OK
}
