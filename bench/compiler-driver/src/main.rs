//! rv-backend, built for RV64IM, compiling a WASM module on the machine: what deployment
//! costs in instructions. Input: the module bytes. Markers before and after
//! `rv_backend::compile`. Output: code bytes, read-only data bytes, and a checksum of both
//! (`bench_kernels::protocol::digest`), so the host can check the machine compiled exactly
//! what the host compiled.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use bench_kernels::protocol::{digest, STATUS_BAD_INPUT, STATUS_MODULE, STATUS_OK};
use bench_rt::{mark, uart};

#[no_mangle]
extern "C" fn bench_main() -> u64 {
    let mut wasm = Vec::new();
    if uart::read_bytes(|b| wasm.extend_from_slice(b)).is_none() {
        return STATUS_BAD_INPUT;
    }
    mark(0);
    let compiled = rv_backend::compile(&wasm);
    mark(0);
    let Ok(compiled) = compiled else {
        return STATUS_MODULE;
    };
    uart::write_u64(compiled.code.len() as u64);
    uart::write_u64(compiled.rodata.len() as u64);
    uart::write_u64(digest(&compiled.code, &compiled.rodata));
    STATUS_OK
}
