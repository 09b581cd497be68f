//! System calls: a block rule calling a contract as [`SYSTEM_ADDRESS`], as EIP-4788 defines
//! it (and Prague's EIP-2935, EIP-7002 and EIP-7251 after it).
//!
//! The call runs the code at the target like any other call, on the configured engine, with
//! [`SYSTEM_CALL_GAS`] that the block does not count, no value, no fee and no nonce change.
//! The system address is neither touched nor created. The call's state changes are kept
//! when it succeeds; touched accounts it leaves empty are removed (EIP-161), its logs are in
//! no receipt, and its warm sets, refunds and transient storage end with it, as a
//! transaction's do.
//!
//! Prague's EIP-7002 and EIP-7251 calls are checked ([`System::checked_system_call`]): a
//! contract without code, or a call that reverts or halts, makes the block invalid.

use super::{CallKind, CallParams, FrameResult, System};
use crate::block::rules::{SYSTEM_ADDRESS, SYSTEM_CALL_GAS};
use crate::block::{BlockError, BlockStep, SystemCall};
use crate::env::TxEnv;
use crate::error::Internal;
use crate::platform::Platform;
use crate::primitives::{Address, Bytes, U256};

impl<P: Platform> System<P> {
    /// Calls `target` with `input` as the system; `None` when there is no code at `target`
    /// (the call is skipped). A failure is reported, its changes undone; an internal error
    /// is `Err` (it fails the block).
    pub fn system_call(&mut self, target: Address, input: Bytes) -> Result<Option<SystemCall>, Internal> {
        if self.world.info(target).code.is_empty() {
            return Ok(None);
        }
        // The transaction as the code sees it: ORIGIN is the system address, GASPRICE the
        // base fee, no blobs.
        self.tx = TxEnv {
            caller: SYSTEM_ADDRESS,
            gas_limit: SYSTEM_CALL_GAS,
            to: Some(target),
            data: input.clone(),
            ..TxEnv::default()
        };
        self.gas_price = self.block.base_fee;
        // A system call moves no value, so neither the system address nor the target is
        // touched on entry; the code runs in the target's own context (address and code
        // address both the target) with the system address as caller.
        let result: FrameResult = self.call(CallParams {
            kind: CallKind::System,
            caller: SYSTEM_ADDRESS,
            address: target,
            code_address: target,
            value: U256::ZERO,
            apparent_value: U256::ZERO,
            input,
            gas: SYSTEM_CALL_GAS,
            is_static: false,
            depth: 0,
        })?;
        let _logs = self.world.finish_tx();
        // A contract's debug output belongs to a transaction; the system call has none.
        let _ = core::mem::take(&mut self.debug_output);
        let success = result.status.is_success();
        Ok(Some(SystemCall {
            target,
            success,
            gas_used: SYSTEM_CALL_GAS - result.gas_left,
            output: result.output,
            error: result.error,
        }))
    }

    /// A system call whose failure makes the block invalid (Prague's EIP-7002 and EIP-7251
    /// calls, `process_checked_system_transaction` in the specification): the contract must
    /// have code and the call must succeed.
    pub fn checked_system_call(
        &mut self,
        step: BlockStep,
        target: Address,
        input: Bytes,
    ) -> Result<SystemCall, BlockError> {
        let call = self
            .system_call(target, input)
            .map_err(|error| BlockError::Internal { step, error })?
            .ok_or(BlockError::SystemContractMissing { step, address: target })?;
        if !call.success {
            return Err(BlockError::SystemCallFailed { step, address: target, error: call.error });
        }
        Ok(call)
    }
}
