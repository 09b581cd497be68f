//! # caller: forwards a call to another contract (zkos WASM example contract)
//!
//! No constructor (no `deploy` export), no storage.
//!
//! | signature | selector | what it does |
//! |---|---|---|
//! | `forward(address target, uint256 gas, bytes data)` | `0xd7f31eb9` | `call`s `target` with `data`, the value sent to this call, and `gas` |
//! | `forwardStatic(address target, uint256 gas, bytes data)` | `0xb46914a0` | `static_call`s `target` with `data` and `gas` (non-payable) |
//! | `forwardDelegate(address target, uint256 gas, bytes data)` | `0x98f7751d` | `delegate_call`s `target` (its code runs on this account's storage) |
//!
//! `gas` 0 means "as much as possible" (all but 1/64 of what is left, EIP-150); a larger
//! `gas` is capped the same way by the host.
//!
//! Output: if the callee succeeds, this call returns the callee's return data unchanged
//! (raw bytes, not ABI-wrapped). If the callee reverts, this call reverts with the callee's
//! revert data unchanged (bubbling). If the callee fails (trap, out of gas) or the call is
//! not executed (depth, balance), this call reverts with empty revert data.
//!
//! Reverts with empty data: calldata shorter than 4 bytes, unknown selector, arguments
//! that do not decode, value sent to `forwardStatic` or `forwardDelegate`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use zkos_sdk::{abi, selector, Address, CallResult, U256};

const FORWARD: [u8; 4] = selector!("forward(address,uint256,bytes)");
const FORWARD_STATIC: [u8; 4] = selector!("forwardStatic(address,uint256,bytes)");
const FORWARD_DELEGATE: [u8; 4] = selector!("forwardDelegate(address,uint256,bytes)");

fn end_with(r: CallResult) -> ! {
    if r.is_success() {
        zkos_sdk::finish(&r.returndata)
    } else {
        zkos_sdk::revert(&r.returndata)
    }
}

/// Every call.
#[no_mangle]
pub extern "C" fn call() {
    let input = zkos_sdk::calldata();
    let Some((sel, data)) = abi::split_selector(&input) else {
        zkos_sdk::revert(&[]);
    };
    let Ok((target, gas, payload)) = abi::decode::<(Address, U256, Vec<u8>)>(data) else {
        zkos_sdk::revert(&[]);
    };
    // 0 or anything above u64 asks for everything the host allows.
    let gas = match u64::try_from(gas).ok() {
        Some(0) | None => u64::MAX,
        Some(g) => g,
    };
    let value = zkos_sdk::call_value();
    match sel {
        FORWARD => end_with(zkos_sdk::call(gas, &target, value, &payload)),
        FORWARD_STATIC | FORWARD_DELEGATE if !value.is_zero() => zkos_sdk::revert(&[]),
        FORWARD_STATIC => end_with(zkos_sdk::static_call(gas, &target, &payload)),
        FORWARD_DELEGATE => end_with(zkos_sdk::delegate_call(gas, &target, &payload)),
        _ => zkos_sdk::revert(&[]),
    }
}
