//! Executed-instruction counts per opcode.

use alloc::vec::Vec;

use super::predecode::{XOp, XOP_COUNT};
use crate::isa::Opcode;

/// How many times each instruction executed (trapping instructions are not counted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
}

impl Histogram {
    pub(crate) fn from_counts(raw: &[u64; XOP_COUNT]) -> Histogram {
        // Operations that exist only in predecoded code never complete as themselves: an
        // illegal word or misaligned jal always traps, and a not-taken misaligned branch is
        // recounted under its branch opcode. The first `Opcode::COUNT` entries are the
        // opcodes, in table order.
        debug_assert_eq!(XOp::Illegal as usize, Opcode::COUNT);
        Histogram { counts: raw[..Opcode::COUNT].to_vec() }
    }

    /// The count of one opcode.
    pub fn get(&self, op: Opcode) -> u64 {
        self.counts[op as usize]
    }

    /// The sum of all counts (equals the instructions executed while the histogram was on).
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Every opcode with a nonzero count, most frequent first (ties in table order).
    pub fn sorted(&self) -> Vec<(Opcode, u64)> {
        let mut v: Vec<(Opcode, u64)> =
            Opcode::ALL.iter().map(|&op| (op, self.get(op))).filter(|&(_, n)| n > 0).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}
