//! zkos's deployment stages before compilation, built for RV64IM, one stage per run on the
//! machine: what deployment costs in instructions (`zkos bench deploy`; compilation is
//! `compiler-driver.elf`'s, whose figure `zkos bench` reports and a program of its own keeps
//! apart from these crates). Input: a stage byte, then the stage's input bytes. Markers before
//! and after the stage. Output: the result's length and a checksum
//! (`bench_kernels::protocol::digest`), so the host can check the machine computed exactly
//! what the host computed.
//!
//! | stage | input | work |
//! |---|---|---|
//! | 1 | EVM code | `evm_to_wasm::transpile` (the latest fork's opcodes) |
//! | 2 | a static RV64IM ELF | `native_shim::lift` |
//! | 3 | a WASM module | `wasm_validator::validate` then `meter` |

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use bench_kernels::protocol::{digest, STATUS_BAD_INPUT, STATUS_MODULE, STATUS_OK};
use bench_rt::{mark, uart};

/// Runs `stage` between the two markers: the result, or `None` if the input was refused.
fn stage(stage: u8, input: &[u8]) -> Option<Vec<u8>> {
    mark(0);
    let out = match stage {
        1 => evm_to_wasm::transpile(input).ok(),
        2 => native_shim::lift(input).ok().map(|l| l.wasm),
        _ => wasm_validator::validate::validate(input).ok().and_then(|_| wasm_validator::meter::meter(input).ok()),
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
    if !(1..=3).contains(&which) {
        return STATUS_BAD_INPUT;
    }
    let Some(out) = stage(which, input) else {
        return STATUS_MODULE;
    };
    uart::write_u64(out.len() as u64);
    uart::write_u64(digest(&out, &[]));
    STATUS_OK
}
