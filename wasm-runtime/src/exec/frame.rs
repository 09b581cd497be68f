//! A call frame: the context one piece of code runs in.

use crate::primitives::{Address, Bytes, U256};

/// How a frame was entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// CALL: the callee runs in its own context with the value sent.
    Call,
    /// CALLCODE: the callee's code runs in the caller's context.
    CallCode,
    /// DELEGATECALL: the callee's code in the caller's context, caller and value kept.
    DelegateCall,
    /// STATICCALL: like CALL, no state changes allowed.
    StaticCall,
}

/// The context of running code. Its calldata is borrowed: a nested call's input stays in
/// place in the caller's memory (the caller waits while the callee runs), so no call copies
/// its input.
#[derive(Clone, Debug, Default)]
pub struct Frame<'i> {
    /// The account whose storage and balance the code acts on.
    pub address: Address,
    /// The account whose code runs.
    pub code_address: Address,
    /// The caller as the code sees it.
    pub caller: Address,
    /// The value as the code sees it.
    pub value: U256,
    /// Calldata.
    pub input: &'i [u8],
    /// Whether state changes are forbidden.
    pub is_static: bool,
    /// Call depth (0 for the transaction's frame).
    pub depth: usize,
    /// Output of the last call or create this frame made.
    pub return_data: Bytes,
    /// The running code as CODESIZE/CODECOPY see it.
    pub code: Bytes,
    /// The constants area of the code's account.
    pub constants: Bytes,
}
