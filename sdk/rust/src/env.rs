//! Input and output of a call: calldata, output, revert, return data of sub-calls, the
//! constants area, debug output.

use alloc::vec;
use alloc::vec::Vec;

use crate::host;

pub use host::{calldata_copy, calldata_size, constants_copy, constants_size, debug_log};
pub use host::{returndata_copy, returndata_size};

/// The whole calldata.
pub fn calldata() -> Vec<u8> {
    let mut buf = vec![0u8; host::calldata_size()];
    host::calldata_copy(&mut buf, 0);
    buf
}

/// Ends the call successfully with `output`. Never returns.
pub fn finish(output: &[u8]) -> ! {
    host::finish(output)
}

/// Ends the call with a revert and `data` as revert data: the frame's effects are undone,
/// unused gas goes back to the caller. Never returns.
pub fn revert(data: &[u8]) -> ! {
    host::revert(data)
}

/// Reverts with Solidity's `Error(string)` revert data, as `require(cond, message)` does.
pub fn revert_with_message(message: &str) -> ! {
    host::revert(&crate::abi::error_string(message))
}

/// Reverts with Solidity's `Panic(uint256)` revert data (e.g. 0x11 for arithmetic
/// overflow, as checked arithmetic in Solidity 0.8 does).
pub fn revert_with_panic(code: u64) -> ! {
    // `Panic(uint256)`'s selector and the code as one word, on the stack (no allocation).
    let mut data = [0u8; 36];
    data[..4].copy_from_slice(&crate::abi::PANIC_SELECTOR);
    data[28..].copy_from_slice(&code.to_be_bytes());
    host::revert(&data)
}

/// The whole return data of the last call or create this frame made.
pub fn returndata() -> Vec<u8> {
    let mut buf = vec![0u8; host::returndata_size()];
    host::returndata_copy(&mut buf, 0);
    buf
}

/// The whole constants area (the immutables beside the code).
pub fn constants() -> Vec<u8> {
    let mut buf = vec![0u8; host::constants_size()];
    host::constants_copy(&mut buf, 0);
    buf
}

/// Sends this account's balance to `beneficiary` and ends the call successfully
/// (EIP-6780: the account is deleted only if created in the same transaction).
pub fn self_destruct(beneficiary: &crate::Address) -> ! {
    host::self_destruct(beneficiary)
}
