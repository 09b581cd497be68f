//! # counter: a storage counter (zkos WASM example contract)
//!
//! Storage: slot 0 holds the count as a `uint256` word.
//!
//! Constructor (`deploy` export): calldata is `abi.encode(uint256 initial)` and sets the
//! count; empty calldata sets 0; 1 to 31 bytes revert with empty data. No output, no log.
//!
//! Functions (`call` export, Solidity ABI):
//!
//! | signature | selector | effect | output |
//! |---|---|---|---|
//! | `increment()` | `0xd09de08a` | count += 1; log `Incremented` | empty |
//! | `get()` | `0x6d4ce63c` | none | `abi.encode(uint256 count)` |
//!
//! Event `Incremented(address indexed by, uint256 value)`: topics
//! `[0x38ac789ed44572701765277c4d0970f2db1c1a571ed39e84358095ae4eaa5420, caller left-padded
//! to 32 bytes]`, data `abi.encode(uint256 newCount)`.
//!
//! Reverts (empty revert data): calldata shorter than 4 bytes, an unknown selector, any
//! value sent (the functions and the constructor are non-payable). `increment()` at
//! `2^256 - 1` reverts with `Panic(0x11)`, as Solidity's checked arithmetic does.
#![no_std]
#![no_main]

use zkos_sdk::storage::Slot;
use zkos_sdk::{abi, keccak256, selector, U256};

const COUNT: Slot = Slot::at(0);

const INCREMENT: [u8; 4] = selector!("increment()");
const GET: [u8; 4] = selector!("get()");
const INCREMENTED: [u8; 32] = keccak256!("Incremented(address,uint256)");

fn non_payable() {
    if !zkos_sdk::call_value().is_zero() {
        zkos_sdk::revert(&[]);
    }
}

/// The constructor.
#[no_mangle]
pub extern "C" fn deploy() {
    non_payable();
    let args = zkos_sdk::calldata();
    let initial = if args.is_empty() {
        U256::ZERO
    } else {
        match abi::decode::<(U256,)>(&args) {
            Ok((v,)) => v,
            Err(_) => zkos_sdk::revert(&[]),
        }
    };
    COUNT.set(initial);
}

/// Every call.
#[no_mangle]
pub extern "C" fn call() {
    non_payable();
    let input = zkos_sdk::calldata();
    let Some((sel, _)) = abi::split_selector(&input) else {
        zkos_sdk::revert(&[]);
    };
    match sel {
        INCREMENT => {
            let Some(next) = COUNT.get::<U256>().checked_add(U256::ONE) else {
                zkos_sdk::revert_with_panic(0x11);
            };
            COUNT.set(next);
            let by = zkos_sdk::caller().to_word();
            zkos_sdk::emit_log(&[INCREMENTED, by], &next.to_be_bytes::<32>());
            zkos_sdk::finish(&[]);
        }
        GET => zkos_sdk::finish(&abi::encode(&(COUNT.get::<U256>(),))),
        _ => zkos_sdk::revert(&[]),
    }
}
