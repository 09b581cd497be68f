//! # zkos-test: Foundry-like tests of zkos contracts on the real engines
//!
//! A contract crate's `cargo test` uses it as a dev-dependency: [`contract_wasm!`] builds
//! the crate itself for `wasm32-unknown-unknown` (release, the flags of [`build`], into
//! `<target>/zkos-wasm/`, cached by cargo), and a [`Vm`] deploys the module in process and
//! runs every transaction on wasmi and on the RV64IM engine, comparing them exactly. Calls,
//! errors and events are typed with alloy's `sol!` (the Solidity interface of the
//! contract), as in Foundry tests:
//!
//! ```no_run
//! use alloy_sol_types::sol;
//! use zkos_test::{contract_wasm, Vm, ALICE, BOB, U256};
//!
//! sol! {
//!     function count() external view returns (uint256);
//!     function bump(uint256 by) external;
//!     event Bumped(address indexed by, uint256 count);
//!     error TooBig(uint256 by);
//! }
//!
//! #[test]
//! fn bumps() {
//!     let mut vm = Vm::new();
//!     let counter = vm.deploy(&contract_wasm!(), &[]);
//!     let out = vm.prank(BOB).send(counter, &bumpCall { by: U256::from(2) }, U256::ZERO);
//!     out.expect_emit(counter, &Bumped { by: BOB, count: U256::from(2) });
//!     assert_eq!(vm.call(counter, &countCall {}), U256::from(2));
//!     vm.send(counter, &bumpCall { by: U256::MAX }, U256::ZERO).expect_revert(&TooBig { by: U256::MAX });
//!     assert_eq!(vm.storage(counter, U256::ZERO), U256::from(2));
//! }
//! ```
//!
//! Deploy: [`Vm::deploy`], [`Vm::try_deploy`] (with value), [`Vm::deploy_evm`] (a solc
//! twin). Transactions: [`Vm::send`] (typed, with value), [`Vm::call`] (typed result),
//! [`Vm::send_raw`]; the sender with [`Vm::prank`] (next transaction) or
//! [`Vm::set_sender`]. The chain: [`Vm::warp`], [`Vm::roll`], [`Vm::deal`],
//! [`Vm::storage`], [`Vm::balance`]. What happened: [`Outcome`] (`returns`,
//! `expect_revert`, `revert_as`, `events`, `expect_emit`, `gas_used`). Property tests:
//! [`proptest`] is re-exported; clone a deployed `Vm` for each case.
//!
//! Pure logic needs no engine: the SDK's mock (`zkos_sdk::mock`, native builds) runs a
//! contract's functions in unit tests inside the crate.

pub mod build;
mod outcome;
mod vm;

pub use alloy_primitives::{address, Address, Bytes, Log, B256, U256};
pub use alloy_sol_types as sol_types;
pub use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
pub use outcome::Outcome;
#[cfg(feature = "proptest")]
pub use proptest;
pub use vm::{initial_balance, Vm, ALICE, BOB, CAROL, COINBASE};
pub use zkos_tests::envelope;

/// The WASM module of the crate whose tests call it (built once per test process; panics
/// with cargo's error if it does not build).
#[macro_export]
macro_rules! contract_wasm {
    () => {
        $crate::build::contract_wasm(env!("CARGO_MANIFEST_DIR"))
    };
}

/// keccak-256 of `key ‖ slot` (both 32-byte words): the storage slot of a mapping's entry,
/// as solc lays it out. Nest it for nested mappings.
pub fn mapping_slot(key: impl Into<B256>, slot: U256) -> U256 {
    let mut pre = [0u8; 64];
    pre[..32].copy_from_slice(key.into().as_slice());
    pre[32..].copy_from_slice(&slot.to_be_bytes::<32>());
    U256::from_be_bytes(alloy_primitives::keccak256(pre).0)
}

/// An address as a 32-byte word (a mapping key).
pub fn address_word(a: Address) -> B256 {
    a.into_word()
}
