//! Calls and creates: to any kind of contract (EVM, WASM, native), with Solidity ABI input.
//!
//! `gas` is the most to forward; the host caps it at all but 1/64 of the gas left
//! (EIP-150), so [`crate::context::gas_left`] or `u64::MAX` forwards everything it can.

use alloc::vec::Vec;

use host_abi::status::CallStatus;

use crate::env::returndata;
use crate::host;
use crate::types::Address;
use crate::u256::U256;

/// What a call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult {
    /// How the callee ended.
    pub status: CallStatus,
    /// Its output (success) or revert data (revert); empty otherwise.
    pub returndata: Vec<u8>,
}

impl CallResult {
    /// Whether the callee succeeded.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The output on success; otherwise reverts this call with the callee's revert data
    /// (empty for failures), as Solidity does when a call fails without `try`.
    pub fn unwrap_or_bubble(self) -> Vec<u8> {
        if self.is_success() {
            self.returndata
        } else {
            crate::env::revert(&self.returndata)
        }
    }
}

/// What a create returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateResult {
    /// How the constructor ended.
    pub status: CallStatus,
    /// The new contract's address (zero unless `status` is success).
    pub address: Address,
    /// The constructor's revert data on revert; empty otherwise.
    pub returndata: Vec<u8>,
}

/// The status for a raw code. The host returns only the codes of [`CallStatus`]; any other
/// would be a host bug and is read as [`CallStatus::Failure`].
fn status_of(code: i32) -> CallStatus {
    u8::try_from(code).ok().and_then(CallStatus::from_u8).unwrap_or(CallStatus::Failure)
}

fn result(code: i32) -> CallResult {
    CallResult { status: status_of(code), returndata: returndata() }
}

/// Calls `addr` with `value` wei and `input`, forwarding at most `gas`.
pub fn call(gas: u64, addr: &Address, value: U256, input: &[u8]) -> CallResult {
    result(host::call(gas, addr, &value.to_be_bytes::<32>(), input))
}

/// Calls `addr` in a static context: any state change inside it fails (STATICCALL).
pub fn static_call(gas: u64, addr: &Address, input: &[u8]) -> CallResult {
    result(host::static_call(gas, addr, input))
}

/// Runs `addr`'s code in this account's context, keeping caller and value (DELEGATECALL).
pub fn delegate_call(gas: u64, addr: &Address, input: &[u8]) -> CallResult {
    result(host::delegate_call(gas, addr, input))
}

/// Runs `addr`'s code in this account's context with `value` (CALLCODE).
pub fn call_code(gas: u64, addr: &Address, value: U256, input: &[u8]) -> CallResult {
    result(host::call_code(gas, addr, &value.to_be_bytes::<32>(), input))
}

/// Creates a contract from `init` (EVM init code, or an envelope followed by constructor
/// arguments) with `value` wei. Address: keccak(rlp(sender, nonce)).
pub fn create(value: U256, init: &[u8]) -> CreateResult {
    let mut address = Address::ZERO;
    let code = host::create(&value.to_be_bytes::<32>(), init, &mut address);
    CreateResult { status: status_of(code), address, returndata: returndata() }
}

/// Like [`create`] with the CREATE2 address keccak(0xff ‖ sender ‖ salt ‖ keccak(init)).
pub fn create2(value: U256, init: &[u8], salt: &crate::Word) -> CreateResult {
    let mut address = Address::ZERO;
    let code = host::create2(&value.to_be_bytes::<32>(), init, salt, &mut address);
    CreateResult { status: status_of(code), address, returndata: returndata() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::{self, CallKind};
    use alloc::boxed::Box;
    use alloc::vec;

    #[test]
    fn call_records_input_and_reads_returndata() {
        mock::reset();
        mock::with_env(|e| {
            e.on_call = Some(Box::new(|c| {
                let status = if c.input == b"ok" { CallStatus::Success } else { CallStatus::Revert };
                (status, c.input.iter().rev().copied().collect(), Address::ZERO)
            }))
        });
        let to = Address([3; 20]);
        let r = call(5000, &to, U256::from(9), b"ok");
        assert_eq!(r, CallResult { status: CallStatus::Success, returndata: b"ko".to_vec() });
        let r = static_call(u64::MAX, &to, b"no");
        assert_eq!(r.status, CallStatus::Revert);
        let outcome = mock::run(|| r.unwrap_or_bubble());
        assert_eq!(outcome, mock::Outcome::Reverted(b"on".to_vec()));
        let calls = mock::with_env(|e| e.calls.clone());
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].kind, CallKind::Call);
        assert_eq!(calls[0].gas, 5000);
        assert_eq!(calls[0].value, U256::from(9).to_be_bytes::<32>());
        assert_eq!(calls[1].kind, CallKind::StaticCall);
        assert_eq!(calls[1].gas, i64::MAX as u64, "gas saturates at i64::MAX");
    }

    #[test]
    fn failed_create_has_zero_address() {
        mock::reset();
        let r = create(U256::ZERO, &[0xEF, 0x5A]);
        assert_eq!(r.status, CallStatus::NotExecuted);
        assert_eq!(r.address, Address::ZERO);
        mock::with_env(|e| e.on_call = Some(Box::new(|_| (CallStatus::Success, vec![], Address([7; 20])))));
        let r = create2(U256::ZERO, &[1], &[2; 32]);
        assert_eq!(r.address, Address([7; 20]));
        assert_eq!(mock::with_env(|e| e.calls[1].salt), Some([2; 32]));
    }

    #[test]
    fn unknown_status_reads_as_failure() {
        assert_eq!(status_of(0), CallStatus::Success);
        assert_eq!(status_of(3), CallStatus::NotExecuted);
        assert_eq!(status_of(4), CallStatus::Failure);
        assert_eq!(status_of(-1), CallStatus::Failure);
    }
}
