//! The code metering injects: the per-block charge and the run-time helpers.
//!
//! Each basic block of cost `c > 0` begins with
//!
//! ```text
//! global.get $gas  i64.const c  i64.sub  global.set $gas
//! global.get $gas  i64.const 0  i64.lt_s  if  unreachable  end
//! ```
//!
//! so gas goes negative, then the code traps: an engine that sees a trap with a negative gas
//! global reports out of gas. Following an elision plan ([`crate::flow::plan`]) some blocks
//! emit only the first line (the subtraction) and some blocks of cost zero only the second
//! (the check). The sequence leaves the operand stack as it found it, so it is valid
//! anywhere, including dead code. The injected instructions are not charged: costs
//! depend on the original code only, so the static gas bounds computed from the same
//! [`crate::flow::op_class`] table match what metering charges.
//!
//! Every defined function also takes its canonical frame cost `f` ([`super::frame`]) from
//! the stack counter (a mutable `i32` global initialised to
//! [`host_abi::limits::WASM_STACK_BUDGET`]) for as long as it runs. Its body becomes
//!
//! ```text
//! global.get $stack  i32.const f  i32.sub  global.set $stack
//! global.get $stack  i32.const 0  i32.lt_s  if  unreachable  end
//! block (result …)  <the body, each `return` preceded by the restore>  end
//! global.get $stack  i32.const f  i32.add  global.set $stack      ;; the restore
//! end
//! ```
//!
//! The block has the function's results, so a branch to the function's own label (depth 0
//! of the body) now leaves the block and runs the restore; `return` restores first. A trap
//! restores nothing, but it ends the contract call, and the next call instantiates afresh.
//! These instructions are not charged either: an engine runs out of budget at exactly the
//! same call on every engine, and gas is untouched.
//!
//! Run-time charges go through helpers appended after every existing function, so no
//! function index moves. Both take the operand on top of the stack, charge for it and
//! return it unchanged, and are called right before the operator:
//!
//! - `__zkos_grow(pages: i32) -> i32` before `memory.grow`: `pages` (unsigned) ×
//!   [`MEMORY_GROW_PAGE`], charged even if the grow then fails;
//! - `__zkos_bulk(len: i32) -> i32` before `memory.copy`, `memory.fill`, `memory.init`,
//!   `table.copy`, `table.init`: `ceil(len / BULK_BYTE_DIVISOR)` (unsigned), charged before
//!   the operation (so also when it then traps out of bounds).

use alloc::vec::Vec;

use host_abi::gas::{BULK_BYTE_DIVISOR, MEMORY_GROW_PAGE};
use wasm_encoder::{BlockType, Function, InstructionSink, ValType};
use wasmparser::{FunctionBody, Operator};

use super::error::{MeterError, MeterErrorKind};
use crate::flow::classes::{runtime_charge, RuntimeCharge};
use crate::flow::{for_each_op, to_usize, Block, Emit, Op};

const _: () = assert!(BULK_BYTE_DIVISOR > 0, "the bulk divisor must not be zero");

/// Indices the injected code refers to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Targets {
    /// The gas global.
    pub gas: u32,
    /// The stack counter global.
    pub stack: u32,
    /// `__zkos_grow`, if the module uses `memory.grow`.
    pub grow: Option<u32>,
    /// `__zkos_bulk`, if the module uses a bulk operation with a length.
    pub bulk: Option<u32>,
}

/// Emits the charge of `cost` gas (nothing for a zero cost).
pub fn emit_charge(sink: &mut Vec<u8>, gas: u32, cost: u64) {
    emit(sink, gas, cost, Emit::Charge);
}

/// Emits what `plan` says at the start of a block of cost `cost` (see [`crate::flow::plan`]).
pub fn emit(sink: &mut Vec<u8>, gas: u32, cost: u64, plan: Emit) {
    let mut s = InstructionSink::new(sink);
    if cost > 0 && matches!(plan, Emit::Charge | Emit::Subtract) {
        let cost = i64::try_from(cost).unwrap_or(i64::MAX);
        s.global_get(gas).i64_const(cost).i64_sub().global_set(gas);
    }
    let check = match plan {
        Emit::Charge => cost > 0,
        Emit::Check => true,
        Emit::Subtract | Emit::Nothing => false,
    };
    if check {
        trap_if_negative(&mut s, gas);
    }
}

fn trap_if_negative(s: &mut InstructionSink<'_>, gas: u32) {
    s.global_get(gas).i64_const(0).i64_lt_s().if_(BlockType::Empty).unreachable().end();
}

/// The stack accounting of one function: its canonical frame cost and the type of the block
/// that wraps its body (the function's results).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameCode {
    /// Canonical bytes of the frame (at most the budget, so it fits an `i32`).
    pub cost: i32,
    /// The block type with the function's results and no parameters.
    pub block: BlockType,
}

/// `stack -= cost`, trap if negative, then open the block that wraps the body.
fn emit_frame_entry(s: &mut InstructionSink<'_>, stack: u32, f: &FrameCode) {
    s.global_get(stack).i32_const(f.cost).i32_sub().global_set(stack);
    s.global_get(stack).i32_const(0).i32_lt_s().if_(BlockType::Empty).unreachable().end();
    s.block(f.block);
}

/// `stack += cost`.
fn emit_frame_restore(s: &mut InstructionSink<'_>, stack: u32, f: &FrameCode) {
    s.global_get(stack).i32_const(f.cost).i32_add().global_set(stack);
}

/// The metered body (locals and instructions, without the size prefix) of one function;
/// `plan` says per block what to emit (`None`: a checked charge for every block); `frame`
/// its stack accounting.
pub(crate) fn instrument(
    body: &FunctionBody<'_>,
    blocks: &[Block],
    t: &Targets,
    plan: Option<&[Emit]>,
    frame: &FrameCode,
) -> Result<Vec<u8>, MeterError> {
    let bytes = body.as_bytes();
    let base = to_usize(body.range().start);
    let ops_start = body.get_binary_reader_for_operators().map_err(|e| MeterError::parse(&e))?;
    let slice = |from: usize, to: usize| {
        bytes
            .get(from.wrapping_sub(base)..to.wrapping_sub(base))
            .ok_or_else(|| MeterError::new(MeterErrorKind::Unsupported("operator outside its body"), from))
    };
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2);
    out.extend_from_slice(slice(base, to_usize(ops_start.original_position()))?);
    emit_frame_entry(&mut InstructionSink::new(&mut out), t.stack, frame);
    let body_end = to_usize(body.range().end);
    let mut closed = false;

    let mut next_block = blocks.iter().enumerate().peekable();
    for_each_op::<MeterError>(body, |Op { op, start, end }| {
        if let Some((i, block)) = next_block.next_if(|(_, b)| b.start == start) {
            let e = plan.and_then(|p| p.get(i)).copied().unwrap_or(Emit::Charge);
            emit(&mut out, t.gas, block.cost, e);
        }
        let helper = match runtime_charge(&op) {
            None => None,
            Some(RuntimeCharge::GrowPages) => Some(t.grow),
            Some(RuntimeCharge::BulkLength) => Some(t.bulk),
        };
        if let Some(helper) = helper {
            let index = helper
                .ok_or_else(|| MeterError::new(MeterErrorKind::Unsupported("run-time charge without helper"), start))?;
            InstructionSink::new(&mut out).call(index);
        }
        if matches!(op, Operator::Return) {
            emit_frame_restore(&mut InstructionSink::new(&mut out), t.stack, frame);
        }
        out.extend_from_slice(slice(start, end)?);
        if end == body_end {
            // The body's last `end` closed the wrapping block: restore, then end the function.
            let mut s = InstructionSink::new(&mut out);
            emit_frame_restore(&mut s, t.stack, frame);
            s.end();
            closed = true;
        }
        Ok(())
    })?;
    if !closed {
        return Err(MeterError::new(MeterErrorKind::Unsupported("function body without its final end"), body_end));
    }
    Ok(out)
}

/// `__zkos_grow(pages: i32) -> i32`.
pub(crate) fn grow_helper(gas: u32) -> Function {
    let per_page = i64::try_from(MEMORY_GROW_PAGE).unwrap_or(i64::MAX);
    helper(gas, |s| {
        s.i64_const(per_page).i64_mul();
    })
}

/// `__zkos_bulk(len: i32) -> i32`.
pub(crate) fn bulk_helper(gas: u32) -> Function {
    let divisor = i64::try_from(BULK_BYTE_DIVISOR).unwrap_or(i64::MAX);
    helper(gas, |s| {
        s.i64_const(divisor - 1).i64_add().i64_const(divisor).i64_div_u();
    })
}

/// The type of both helpers.
pub(crate) const HELPER_PARAMS: [ValType; 1] = [ValType::I32];
/// The type of both helpers.
pub(crate) const HELPER_RESULTS: [ValType; 1] = [ValType::I32];

/// A helper: `gas -= cost(zero_extend(arg))`, trap if negative, return `arg`. `cost` turns
/// the zero-extended argument on the stack into the amount.
fn helper(gas: u32, cost: impl FnOnce(&mut InstructionSink<'_>)) -> Function {
    let mut f = Function::new([]);
    let mut s = f.instructions();
    s.global_get(gas).local_get(0).i64_extend_i32_u();
    cost(&mut s);
    s.i64_sub().global_set(gas);
    trap_if_negative(&mut s, gas);
    s.local_get(0).end();
    f
}
