//! # erc20: an ERC-20 token (zkos WASM example contract)
//!
//! Behaves like OpenZeppelin's ERC-20 (v4 revert messages), with name and symbol as
//! immutables in the envelope's constants area.
//!
//! Constants area: `abi.encode(string name, string symbol)` (read with `constants_copy`).
//! Storage: slot 0 `mapping(address => uint256) balances`, slot 1
//! `mapping(address => mapping(address => uint256)) allowances`, slot 2 `uint256
//! totalSupply` (Solidity's layout: `balances[a]` is at `keccak256(pad32(a) ‖ pad32(0))`,
//! `allowances[o][s]` at `keccak256(pad32(s) ‖ keccak256(pad32(o) ‖ pad32(1)))`).
//!
//! Constructor (`deploy` export): calldata `abi.encode(uint256 initialSupply)`; mints it to
//! the deployer (the caller of `deploy`) and logs `Transfer(0, deployer, initialSupply)`.
//! Reverts with `Error("ERC20: bad constants")` if the constants area does not decode, with
//! empty data if the calldata does not.
//!
//! | signature | selector | output |
//! |---|---|---|
//! | `name()` | `0x06fdde03` | `string` |
//! | `symbol()` | `0x95d89b41` | `string` |
//! | `decimals()` | `0x313ce567` | `uint8` 18 |
//! | `totalSupply()` | `0x18160ddd` | `uint256` |
//! | `balanceOf(address)` | `0x70a08231` | `uint256` |
//! | `transfer(address,uint256)` | `0xa9059cbb` | `bool` true |
//! | `approve(address,uint256)` | `0x095ea7b3` | `bool` true |
//! | `allowance(address,address)` | `0xdd62ed3e` | `uint256` |
//! | `transferFrom(address,address,uint256)` | `0x23b872dd` | `bool` true |
//!
//! Events: `Transfer(address indexed from, address indexed to, uint256 value)`, topic 0
//! `0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef`; `Approval(address
//! indexed owner, address indexed spender, uint256 value)`, topic 0
//! `0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925`; data is the
//! value as one word. `transferFrom` logs only `Transfer` (as OpenZeppelin v5).
//!
//! Reverts with `Error(string)` revert data (selector `0x08c379a0`):
//! - `"ERC20: transfer amount exceeds balance"` when the sender's balance is too small,
//! - `"ERC20: insufficient allowance"` when `transferFrom` exceeds the allowance (an
//!   allowance of `2^256 - 1` is infinite and never decreases),
//! - `"ERC20: transfer to the zero address"`, `"ERC20: approve to the zero address"`.
//!
//! Reverts with empty data: calldata shorter than 4 bytes, unknown selector, arguments that
//! do not decode, any value sent.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use zkos_sdk::storage::{Mapping, NestedMapping, Slot};
use zkos_sdk::{abi, keccak256, selector, Address, U256};

const BALANCES: Mapping<Address, U256> = Mapping::at(0);
const ALLOWANCES: NestedMapping<Address, Address, U256> = NestedMapping::at(1);
const TOTAL_SUPPLY: Slot = Slot::at(2);
const DECIMALS: u16 = 18;

const TRANSFER_EVENT: [u8; 32] = keccak256!("Transfer(address,address,uint256)");
const APPROVAL_EVENT: [u8; 32] = keccak256!("Approval(address,address,uint256)");

const NAME: [u8; 4] = selector!("name()");
const SYMBOL: [u8; 4] = selector!("symbol()");
const DECIMALS_FN: [u8; 4] = selector!("decimals()");
const TOTAL_SUPPLY_FN: [u8; 4] = selector!("totalSupply()");
const BALANCE_OF: [u8; 4] = selector!("balanceOf(address)");
const TRANSFER: [u8; 4] = selector!("transfer(address,uint256)");
const APPROVE: [u8; 4] = selector!("approve(address,uint256)");
const ALLOWANCE: [u8; 4] = selector!("allowance(address,address)");
const TRANSFER_FROM: [u8; 4] = selector!("transferFrom(address,address,uint256)");

/// Arguments, or revert with empty data.
fn args<P: abi::DecodeParams>(data: &[u8]) -> P {
    abi::decode(data).unwrap_or_else(|_| zkos_sdk::revert(&[]))
}

/// `(name, symbol)` from the constants area. Decoded as `bytes`, which encodes exactly like
/// `string`: the contract only hands them back, so it skips UTF-8 validation (and its code).
fn metadata() -> (Vec<u8>, Vec<u8>) {
    abi::decode(&zkos_sdk::constants()).unwrap_or_else(|_| zkos_sdk::revert_with_message("ERC20: bad constants"))
}

fn log3(topic: [u8; 32], a: &Address, b: &Address, value: U256) {
    zkos_sdk::emit_log(&[topic, a.to_word(), b.to_word()], &value.to_be_bytes::<32>());
}

fn transfer(from: &Address, to: &Address, amount: U256) {
    if to.is_zero() {
        zkos_sdk::revert_with_message("ERC20: transfer to the zero address");
    }
    let Some(left) = BALANCES.get(from).checked_sub(amount) else {
        zkos_sdk::revert_with_message("ERC20: transfer amount exceeds balance");
    };
    BALANCES.set(from, left);
    // Read after the write: right when `from == to`.
    let Some(credited) = BALANCES.get(to).checked_add(amount) else {
        zkos_sdk::revert_with_panic(0x11);
    };
    BALANCES.set(to, credited);
    log3(TRANSFER_EVENT, from, to, amount);
}

fn finish_true() -> ! {
    zkos_sdk::finish(&abi::encode(&(true,)))
}

/// The constructor.
#[no_mangle]
pub extern "C" fn deploy() {
    if !zkos_sdk::call_value().is_zero() {
        zkos_sdk::revert(&[]);
    }
    metadata();
    let (supply,): (U256,) = args(&zkos_sdk::calldata());
    let owner = zkos_sdk::caller();
    TOTAL_SUPPLY.set(supply);
    BALANCES.set(&owner, supply);
    log3(TRANSFER_EVENT, &Address::ZERO, &owner, supply);
}

/// Every call.
#[no_mangle]
pub extern "C" fn call() {
    if !zkos_sdk::call_value().is_zero() {
        zkos_sdk::revert(&[]);
    }
    let input = zkos_sdk::calldata();
    let Some((sel, data)) = abi::split_selector(&input) else {
        zkos_sdk::revert(&[]);
    };
    match sel {
        NAME => zkos_sdk::finish(&abi::encode(&(metadata().0,))),
        SYMBOL => zkos_sdk::finish(&abi::encode(&(metadata().1,))),
        DECIMALS_FN => zkos_sdk::finish(&abi::encode(&(DECIMALS,))),
        TOTAL_SUPPLY_FN => zkos_sdk::finish(&abi::encode(&(TOTAL_SUPPLY.get::<U256>(),))),
        BALANCE_OF => {
            let (who,): (Address,) = args(data);
            zkos_sdk::finish(&abi::encode(&(BALANCES.get(&who),)))
        }
        TRANSFER => {
            let (to, amount): (Address, U256) = args(data);
            transfer(&zkos_sdk::caller(), &to, amount);
            finish_true()
        }
        APPROVE => {
            let (spender, amount): (Address, U256) = args(data);
            if spender.is_zero() {
                zkos_sdk::revert_with_message("ERC20: approve to the zero address");
            }
            let owner = zkos_sdk::caller();
            ALLOWANCES.set(&owner, &spender, amount);
            log3(APPROVAL_EVENT, &owner, &spender, amount);
            finish_true()
        }
        ALLOWANCE => {
            let (owner, spender): (Address, Address) = args(data);
            zkos_sdk::finish(&abi::encode(&(ALLOWANCES.get(&owner, &spender),)))
        }
        TRANSFER_FROM => {
            let (from, to, amount): (Address, Address, U256) = args(data);
            let spender = zkos_sdk::caller();
            let allowed = ALLOWANCES.get(&from, &spender);
            if allowed != U256::MAX {
                let Some(left) = allowed.checked_sub(amount) else {
                    zkos_sdk::revert_with_message("ERC20: insufficient allowance");
                };
                ALLOWANCES.set(&from, &spender, left);
            }
            transfer(&from, &to, amount);
            finish_true()
        }
        _ => zkos_sdk::revert(&[]),
    }
}
