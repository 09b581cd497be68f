//! Status codes that cross the ABI.

/// What a call or create returned to its caller. The numbers are fixed: they cross the ABI.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// The callee finished normally; its output is the return data.
    Success = 0,
    /// The callee reverted; its revert data is the return data. Unused gas comes back.
    Revert = 1,
    /// The callee halted exceptionally (trap, out of gas, invalid operation): all gas
    /// forwarded to it is consumed, the return data is empty.
    Failure = 2,
    /// The call was not executed at all (call depth limit, insufficient balance, nonce
    /// overflow, address collision for creates). The forwarded gas comes back.
    NotExecuted = 3,
}

impl CallStatus {
    /// The status for its ABI number.
    pub const fn from_u8(n: u8) -> Option<Self> {
        match n {
            0 => Some(Self::Success),
            1 => Some(Self::Revert),
            2 => Some(Self::Failure),
            3 => Some(Self::NotExecuted),
            _ => None,
        }
    }

    /// Whether the callee's effects are kept.
    pub const fn is_success(self) -> bool {
        matches!(self, Self::Success)
    }
}

/// Result code of a precompile host function (`ecrecover`, `modexp`, bn254, `blake2f`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrecompileStatus {
    /// The output was written.
    Ok = 0,
    /// The input was not valid for the precompile (no output written; gas is still charged).
    InvalidInput = 1,
}

/// Transaction receipt status, as in Ethereum (EIP-658).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReceiptStatus {
    /// The transaction reverted or halted.
    Failed = 0,
    /// The transaction succeeded.
    Succeeded = 1,
}
