//! Differential tests against revm on solc-compiled contracts built on OpenZeppelin
//! (tests/solidity/oz): an ERC20 with EIP-2612 permits, an ERC721 with receivers, transient
//! storage with a reentrancy guard, custom errors caught and re-raised, a CREATE2 factory,
//! and two blocks of EVM corners (precompiles, gas stipends, call depth, SELFDESTRUCT,
//! EXTCODE*, an ERC1967 proxy; SSTORE refunds, code and initcode size limits, access lists,
//! precompiles called by transactions).
//!
//! Each scenario is one block: deployments from funded senders, then calls that succeed and
//! calls that fail. `revm_reference::check_block` runs it through `zkos run --json` and revm
//! and asserts they agree (status, gas, output, logs, created addresses, post-state); each
//! scenario also checks what zkos returned against facts known in advance (outputs, revert
//! data, log topics), so that agreement on doing nothing cannot pass.

use zkos_revm_reference as revm_reference;

mod abi;
mod compile;
mod corners;
mod edges;
mod oz;
mod permit;
mod scenario;
mod tokens;

use compile::Mode;
use corners::evm_corners;
use edges::gas_and_state_edges;
use oz::{create2_factory, custom_errors, transient_storage};
use tokens::{erc20, erc721};

/// One test per scenario and compilation mode.
macro_rules! in_every_mode {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn optimized() {
                super::$scenario(super::Mode::Optimized)
            }

            #[test]
            fn via_ir() {
                super::$scenario(super::Mode::ViaIr)
            }

            #[test]
            fn unoptimized() {
                super::$scenario(super::Mode::Unoptimized)
            }
        }
    )*};
}

in_every_mode!(erc20, erc721, transient_storage, custom_errors, create2_factory, evm_corners, gas_and_state_edges);
