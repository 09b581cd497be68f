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
    /// A block rule's system call (EIP-4788): the system address calls the code in the
    /// target's own context; no value moves and no account is touched by the entry. Only the
    /// system layer makes these ([`super::System::system_call`]); contracts cannot.
    System,
}

impl CallKind {
    /// Whether entering moves the value from the caller to the callee's address (and so
    /// touches it, EIP-161, even for a zero value).
    pub const fn transfers(self) -> bool {
        matches!(self, Self::Call)
    }

    /// Whether the caller must hold the value to enter (CALL and CALLCODE send it).
    pub const fn sends_value(self) -> bool {
        matches!(self, Self::Call | Self::CallCode)
    }
}

/// Where a frame's calldata is. A nested call's input stays in place in its caller's linear
/// memory: the caller is suspended below it on the frame stack while it runs and cannot
/// change that memory, so no call copies its input, whatever its size.
#[derive(Clone, Debug)]
pub enum Calldata {
    /// Bytes the frame holds: a transaction's data, an envelope's constructor arguments.
    Owned(Bytes),
    /// `len` bytes at `offset` in the linear memory of the frame below (the caller), checked
    /// to lie in it when the call was made.
    InCaller {
        /// Where the input starts.
        offset: u32,
        /// Its length in bytes.
        len: u32,
    },
}

/// The context of running code. Its calldata is kept beside it on the frame stack
/// ([`Calldata`]) and handed to the host functions with it.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// The account whose storage and balance the code acts on.
    pub address: Address,
    /// The account whose code runs.
    pub code_address: Address,
    /// The caller as the code sees it.
    pub caller: Address,
    /// The value as the code sees it.
    pub value: U256,
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
