//! # zkos-sdk: write zkos WASM contracts in Rust
//!
//! A zkos WASM contract is a `cdylib` for `wasm32-unknown-unknown` that exports `call` (runs
//! on every call) and optionally `deploy` (the constructor; its calldata is the constructor
//! arguments), and imports host functions from module `zkos`. This crate gives it:
//!
//! - [`sys`]: the raw `zkos` imports, written once from `host_abi`'s table (and checked
//!   against it by a test);
//! - input and output: [`calldata`], [`finish`], [`revert`], [`revert_with_message`]
//!   (Solidity `Error(string)`), [`returndata`], [`constants`] (the envelope's immutables);
//! - [`storage`]: raw words, typed [`storage::Slot`]s, Solidity-compatible
//!   [`storage::Mapping`]s, transient storage;
//! - [`contract`] and [`sol!`]: the contract model, Solidity's way (storage structs laid
//!   out as solc lays them out, functions dispatched by selector with generated ABI
//!   coding, payable and view rules, typed events, errors and interface stubs; see
//!   `docs/sdk.md`);
//! - [`emit_log`] for events, [`calls`] to any kind of contract, creates;
//! - [`context`]: caller, address, value, balances, gas, block fields;
//! - [`crypto`]: keccak-256 and the other precompiles;
//! - [`abi`]: the Solidity ABI (selectors, encoding, decoding), with compile-time selectors
//!   and topics from a `const fn` keccak ([`selector!`], [`keccak256!`]);
//! - [`U256`] (ruint's 256-bit integer: the whole arithmetic, and [`u256::signed`] for
//!   `int256`) and [`Address`].
//!
//! Memory: the API returns `Vec`s, so a contract needs a global allocator. Feature
//! `bump-alloc` installs a bump allocator (right for short calls); feature `panic-handler`
//! installs a panic handler that reverts with empty data. Both only on `wasm32`.
//!
//! Native RV64IM contracts (`riscv64im-unknown-none-elf`, see `docs/native.md`): the same
//! source, built as a static library and linked into an ELF, calls the host functions by
//! `ecall`; [`native`] gives it the entry point `_start` (which runs `call`), a `brk` bump
//! allocator (feature `bump-alloc`) and the panic handler (feature `panic-handler`).
//!
//! On other targets the host functions are a test double (module `mock`) so contract logic and
//! the SDK itself can be unit-tested natively.
//!
//! ```no_run
//! // A contract (crate-type cdylib, features bump-alloc and panic-handler):
//! // #![no_std]
//! // #![no_main]
//! use zkos_sdk::{abi, selector, storage::Slot, U256};
//!
//! const COUNT: Slot = Slot::at(0);
//!
//! #[no_mangle]
//! pub extern "C" fn call() {
//!     let input = zkos_sdk::calldata();
//!     let Some((sel, _args)) = abi::split_selector(&input) else { zkos_sdk::revert(&[]) };
//!     match sel {
//!         s if s == selector!("get()") => {
//!             zkos_sdk::finish(&abi::encode(&(COUNT.get::<U256>(),)))
//!         }
//!         _ => zkos_sdk::revert(&[]),
//!     }
//! }
//! ```
#![no_std]
#![deny(unsafe_code)]

extern crate alloc;

pub mod abi;
pub mod calls;
pub mod context;
pub mod contract;
pub mod crypto;
pub mod env;
mod host;
pub mod keccak;
pub mod log;
pub mod storage;
pub mod sys;
mod types;
pub mod u256;

#[cfg(not(any(target_arch = "wasm32", target_arch = "riscv64")))]
pub mod mock;

#[cfg(target_arch = "riscv64")]
pub mod native;

#[cfg(all(feature = "bump-alloc", target_arch = "wasm32"))]
pub mod bump;

#[cfg(all(feature = "panic-handler", target_arch = "wasm32"))]
mod panic;

pub use calls::{call, create, create2, delegate_call, static_call, CallResult, CreateResult};
pub use context::{address, block_number, block_timestamp, call_value, caller, chain_id, gas_left, origin};
pub use crypto::keccak256;
pub use env::{calldata, constants, finish, returndata, revert, revert_with_message, revert_with_panic};
pub use host_abi::status::CallStatus;
pub use log::emit_log;
pub use types::{Address, Word, ZERO_WORD};
pub use u256::U256;
pub use zkos_sdk_macros::{contract, sol};

/// Solidity's `require(condition, Error(...))`: unless `condition` holds, ends the call
/// reverting with the error (a `sol!` error, or a [`contract::Revert`] such as
/// `Revert::message("...")` for `Error(string)`), evaluated only then. `#[contract]` lists
/// the `sol!` errors it names in the embedded ABI.
///
/// ```
/// use zkos_sdk::prelude::*;
/// sol! { error TooLow(uint256 value, uint256 least); }
/// fn check(value: U256) {
///     require!(value >= U256::from(10u8), TooLow { value, least: U256::from(10u8) });
/// }
/// # zkos_sdk::mock::reset();
/// # assert_eq!(zkos_sdk::mock::run(|| { check(U256::from(10u8)); zkos_sdk::finish(&[]) }),
/// #     zkos_sdk::mock::Outcome::Finished(vec![]));
/// # let out = zkos_sdk::mock::run(|| { check(U256::from(3u8)); zkos_sdk::finish(&[]) });
/// # assert!(matches!(out, zkos_sdk::mock::Outcome::Reverted(d) if d[..4] == TooLow::SELECTOR));
/// ```
#[macro_export]
macro_rules! require {
    ($condition:expr, $error:expr $(,)?) => {
        if !$condition {
            $crate::contract::revert_with($error)
        }
    };
}

/// `msg.sender` and `msg.value`.
pub mod msg {
    pub use crate::context::{call_value as value, caller as sender};
}

/// What a contract written with `#[contract]` usually needs: `use zkos_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::contract::{
        pay, transfer_eth, Mapping, Revert, SolError, SolEvent, StorageBytes, StorageString, StorageVec,
    };
    pub use crate::{contract, msg, require, sol, Address, Word, U256};
}

/// Paths the generated code uses.
#[doc(hidden)]
pub mod __private {
    pub use alloc::string::String;
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}
