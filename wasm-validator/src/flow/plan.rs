//! What metering emits at the start of each basic block.
//!
//! Without a plan every block of non-zero cost subtracts its cost and checks
//! ([`Emit::Charge`]). The gas bounds may prove that some checks can wait
//! ([`bounds::elide`](crate::bounds::elide) computes such a plan);
//! [`meter`](crate::meter) follows whatever plan it is given.

use alloc::vec::Vec;

/// What metering emits at the start of a basic block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// Subtract the cost and check (the unelided form).
    Charge,
    /// Subtract the cost, no check.
    Subtract,
    /// Check only (a block of cost zero where an unchecked charge may be pending).
    Check,
    /// Nothing (cost zero, no check needed).
    Nothing,
}

/// What elision does to one module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElisionStats {
    /// Checks in the unelided module (blocks of non-zero cost).
    pub checks_before: usize,
    /// Checks kept (including checks of cost-zero blocks added).
    pub checks_after: usize,
    /// Functions whose checks were (partly) elided.
    pub functions_elided: usize,
    /// Functions in total.
    pub functions: usize,
}

impl ElisionStats {
    /// WASM instructions a check takes: `global.get`, `i64.const 0`, `i64.lt_s`, `if`,
    /// `unreachable`, `end`.
    pub const CHECK_INSTRUCTIONS: usize = 6;

    /// Metering instructions removed from the code (static count).
    pub fn instructions_removed(&self) -> usize {
        self.checks_before.saturating_sub(self.checks_after) * Self::CHECK_INSTRUCTIONS
    }
}

/// The emission plan of every defined function, in order, and its statistics.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Per defined function, per basic block.
    pub functions: Vec<Vec<Emit>>,
    /// Totals.
    pub stats: ElisionStats,
}
