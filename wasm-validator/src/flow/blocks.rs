//! Basic blocks of a function body, as metering and the gas-bounds analysis see them.
//!
//! A **basic block** is a maximal run of operators that control enters only at its first
//! operator. A new block starts:
//!
//! - at the function's first operator ([`Entry::Function`]);
//! - after `loop` (the loop body is a branch target: every iteration enters it);
//! - after `if` (the then arm) and after `else` (the else arm);
//! - after `end` of a block, loop, if or else (a branch target, and where both arms of an
//!   `if` meet);
//! - after `br`, `br_if`, `br_table`, `return` and `unreachable` (the fall-through of `br_if`,
//!   or dead code after an unconditional jump).
//!
//! `block` does not start a new block: its body is entered only by falling through from the
//! operators before it (branches to a `block` go to its `end`). `call` and `call_indirect`
//! do not end a block either: the code after a call is charged together with the code
//! before it, before the call runs. A callee that never returns (a trap, out of gas, or a
//! host function that ends the call such as `finish` or `revert`) therefore leaves the
//! caller charged for the rest of its block; that is deterministic, the same on every
//! engine, and part of the gas schedule.
//!
//! The function's entry block also pays for the function's declared locals (parameters
//! excluded): every call zeroes them before the first operator runs, work that grows with
//! their number, so [`locals_cost`] ([`DECLARED_LOCAL`] each) is added to that block's cost.
//! The entry block runs once per call (a branch to the function's label leaves it), so each
//! call pays exactly once.
//!
//! Every operator belongs to exactly one block, so the blocks' costs add up to the static
//! weight of the body plus the locals' cost, and any path through the function pays the sum
//! of the costs of the blocks it enters. Every back edge (`br`, `br_if`, `br_table` to a `loop`) weighs at least
//! one, so every loop iteration charges a positive amount.

use alloc::vec::Vec;

use host_abi::gas::DECLARED_LOCAL;
use wasmparser::{FunctionBody, Operator};

use super::classes::{op_class, runtime_charge};
use super::error::{to_usize, FlowError, FlowErrorKind};

/// How control enters a basic block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// The function's entry.
    Function,
    /// The body of a `loop` (entered on the first iteration and by every back edge).
    LoopBody,
    /// The then arm of an `if`.
    Then,
    /// The else arm of an `if`.
    Else,
    /// After the `end` of a block, loop, if or else.
    AfterEnd,
    /// After `br`, `br_if`, `br_table`, `return` or `unreachable`.
    AfterBranch,
}

/// One basic block of a function body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// How control enters it.
    pub entry: Entry,
    /// Byte offset in the module of its first operator.
    pub start: usize,
    /// Byte offset in the module just past its last operator.
    pub end: usize,
    /// Index of its first operator among the body's operators.
    pub first_op: usize,
    /// Number of operators.
    pub ops: usize,
    /// Sum of the static weights of its operators ([`super::classes::op_class`]); for the
    /// function's entry block ([`Entry::Function`]) plus the cost of the function's declared
    /// locals ([`locals_cost`]).
    pub cost: u64,
    /// How many of its operators also charge at run time (`memory.grow`, bulk operations),
    /// see [`super::classes::runtime_charge`].
    pub runtime_charges: u32,
}

/// The kind of block that starts right after `op`, if `op` ends one.
pub fn block_after(op: &Operator<'_>) -> Option<Entry> {
    match op {
        Operator::Loop { .. } => Some(Entry::LoopBody),
        Operator::If { .. } => Some(Entry::Then),
        Operator::Else => Some(Entry::Else),
        Operator::End => Some(Entry::AfterEnd),
        Operator::Br { .. }
        | Operator::BrIf { .. }
        | Operator::BrTable { .. }
        | Operator::Return
        | Operator::Unreachable => Some(Entry::AfterBranch),
        _ => None,
    }
}

/// One operator of a body with its place.
#[derive(Clone, Debug)]
pub struct Op<'a> {
    /// The operator.
    pub op: Operator<'a>,
    /// Byte offset in the module of its first byte.
    pub start: usize,
    /// Byte offset in the module just past it.
    pub end: usize,
}

/// Calls `f` on every operator of `body`, in order, then checks that the body ends properly.
/// `f` fails with the caller's own error, into which a malformed body converts.
pub fn for_each_op<'a, E: From<FlowError>>(
    body: &FunctionBody<'a>,
    mut f: impl FnMut(Op<'a>) -> Result<(), E>,
) -> Result<(), E> {
    let parse = |e: wasmparser::BinaryReaderError| E::from(FlowError::parse(&e));
    let mut reader = body.get_operators_reader().map_err(parse)?;
    while !reader.eof() {
        let (op, start) = reader.read_with_offset().map_err(parse)?;
        let end = to_usize(reader.original_position());
        f(Op { op, start: to_usize(start), end })?;
    }
    reader.finish().map_err(parse)
}

/// The number of locals `body` declares (its parameters are not counted). Fails on malformed
/// bytes.
pub fn declared_locals(body: &FunctionBody<'_>) -> Result<u64, FlowError> {
    let mut reader = body.get_locals_reader().map_err(|e| FlowError::parse(&e))?;
    let mut total = 0u64;
    for _ in 0..reader.get_count() {
        let (count, _) = reader.read().map_err(|e| FlowError::parse(&e))?;
        total = total.saturating_add(u64::from(count));
    }
    Ok(total)
}

/// What a call pays for zeroing the declared locals of `body`: [`DECLARED_LOCAL`] each,
/// added to the cost of its entry block by [`basic_blocks`].
pub fn locals_cost(body: &FunctionBody<'_>) -> Result<u64, FlowError> {
    Ok(declared_locals(body)?.saturating_mul(DECLARED_LOCAL))
}

/// The basic blocks of a function body, in order (see the module docs for where blocks
/// start; the entry block's cost includes [`locals_cost`]). Fails on malformed bytes or an
/// operator outside the subset.
pub fn basic_blocks(body: &FunctionBody<'_>) -> Result<Vec<Block>, FlowError> {
    let locals = locals_cost(body)?;
    let mut blocks: Vec<Block> = Vec::new();
    let mut next = Some(Entry::Function);
    let mut index = 0usize;
    for_each_op(body, |Op { op, start, end }| {
        let class = op_class(&op).map_err(|e| FlowError::new(FlowErrorKind::Excluded(e), start))?;
        if let Some(entry) = next.take() {
            blocks.push(Block { entry, start, end: start, first_op: index, ops: 0, cost: 0, runtime_charges: 0 });
        }
        // A block was pushed for the first operator, so `last_mut` always succeeds here.
        if let Some(block) = blocks.last_mut() {
            block.end = end;
            block.ops += 1;
            block.cost = block.cost.saturating_add(class.weight());
            if runtime_charge(&op).is_some() {
                block.runtime_charges += 1;
            }
        }
        next = block_after(&op);
        index += 1;
        Ok(())
    })?;
    // Every body has at least its final `end`, so the entry block exists.
    if let Some(entry) = blocks.first_mut() {
        entry.cost = entry.cost.saturating_add(locals);
    }
    Ok(blocks)
}
