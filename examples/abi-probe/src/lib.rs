//! # abi-probe: call any host function with chosen arguments (zkos WASM test contract)
//!
//! A test harness rather than an example: it imports every host function a WASM contract
//! may import (through `zkos_sdk::sys::dispatch`), so building it checks every binding's
//! signature, and a test can drive any host function from a real WASM contract.
//!
//! Calldata (both `call` and `deploy`; `deploy` with empty calldata does nothing, and
//! otherwise keeps the effects but returns no output):
//!
//! ```text
//! offset  size  field
//! 0       4     host function number, big-endian (host_abi::functions::HostFn)
//! 4       1     pointer mask: bit i set = argument i is an offset into the scratch buffer
//! 5       48    six arguments, i64 big-endian each (32-bit parameters take the low half)
//! 53      2     output length N (≤ 4096), big-endian
//! 55      ...   scratch input, copied to the start of a 4096-byte zeroed scratch buffer
//! ```
//!
//! Output: the result zero-extended to 8 bytes big-endian (0 for functions without one),
//! then the first N bytes of the scratch buffer after the call. Functions that end the call
//! (`finish`, `revert`, `self_destruct`, `out_of_gas`) end it themselves: e.g. `finish`
//! with mask 0b01, args (0, 5) returns the first 5 scratch bytes.
//!
//! Reverts with empty data: calldata shorter than 55 bytes, scratch input or N over 4096,
//! an unknown or non-importable function number. Unmasked pointer arguments are raw
//! addresses: meant for out-of-bounds (trap) tests.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

const SCRATCH: usize = 4096;
const HEADER: usize = 55;

fn probe(input: &[u8]) -> Vec<u8> {
    if input.len() < HEADER || input.len() - HEADER > SCRATCH {
        zkos_sdk::revert(&[]);
    }
    let number = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
    let mask = input[4];
    let out_len = usize::from(u16::from_be_bytes([input[53], input[54]]));
    if out_len > SCRATCH {
        zkos_sdk::revert(&[]);
    }
    let mut scratch = vec![0u8; SCRATCH];
    scratch[..input.len() - HEADER].copy_from_slice(&input[HEADER..]);
    // Zero-extension of a 32-bit address.
    let base = scratch.as_mut_ptr() as usize as u32 as i64;
    let mut args = [0i64; 6];
    for (i, arg) in args.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&input[5 + 8 * i..13 + 8 * i]);
        let v = i64::from_be_bytes(b);
        *arg = if mask & (1 << i) != 0 {
            base.wrapping_add(v)
        } else {
            v
        };
    }
    // SAFETY: the host checks every range against the linear memory and traps when one is
    // out of bounds. Masked pointers point into `scratch`, which is not borrowed during
    // the call; unmasked ones are the tester's choice (see the crate docs).
    let Some(result) = (unsafe { zkos_sdk::sys::dispatch(number, args) }) else {
        zkos_sdk::revert(&[]);
    };
    let mut out = Vec::with_capacity(8 + out_len);
    out.extend_from_slice(&result.to_be_bytes());
    out.extend_from_slice(&scratch[..out_len]);
    out
}

/// The constructor: probes too (keeping the effects, dropping the output), unless the
/// calldata is empty.
#[no_mangle]
pub extern "C" fn deploy() {
    let input = zkos_sdk::calldata();
    if !input.is_empty() {
        probe(&input);
    }
}

/// Every call.
#[no_mangle]
pub extern "C" fn call() {
    let input = zkos_sdk::calldata();
    zkos_sdk::finish(&probe(&input));
}
