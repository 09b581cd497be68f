//! Canonical frame costs: how much of [`WASM_STACK_BUDGET`] a call of each function takes.
//!
//! The cost of a function is computed from its WASM alone, so every engine agrees on it:
//!
//! ```text
//! cost = WASM_SLOT_BYTES × (locals + stack + arity) + WASM_FRAME_OVERHEAD
//! ```
//!
//! - `locals`: its locals, parameters included;
//! - `stack`: the height of its deepest operand stack (wasmparser's count, which is what a
//!   validator tracks), at least the number of its results;
//! - `arity`: the most values one of its calls (`call`, `call_indirect`, host functions
//!   included) passes or gets back, `max(params, results)` of the callee's type.
//!
//! It upper-bounds what each engine actually uses for the frame, metering's own additions
//! included (they add at most two operand slots and no local):
//!
//! - rv-backend: `align16(8 × (outgoing stack arguments past the eighth) + 8 (ra) + 8 × (locals
//!   in saved callee-saved registers or in slots) + 8 × (home slots, one per operand-stack
//!   position))` ≤ `8 × (arity + locals + stack + 2) + 16` ≤ cost (checked per function by the
//!   tests against rv-backend's `Compiled::frame_sizes`);
//! - wasmi: one 8-byte cell per local and per operand-stack slot, `8 × (locals + stack + 2)`,
//!   plus one entry of its call stack.
//!
//! [`WASM_STACK_BUDGET`]: host_abi::limits::WASM_STACK_BUDGET

use alloc::vec::Vec;

use host_abi::limits::{WASM_FRAME_OVERHEAD, WASM_SLOT_BYTES};
use wasmparser::{
    CompositeInnerType, FuncType, FuncValidatorAllocations, Operator, Parser, ValidPayload, Validator,
    WasmModuleResources,
};

use super::error::MeterError;

/// The frame of one defined function, as the budget counts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Locals, parameters included.
    pub locals: u32,
    /// The deepest operand stack, at least the number of results.
    pub stack: u32,
    /// The most values one call of the function passes or gets back.
    pub arity: u32,
}

impl Frame {
    /// Canonical bytes of the frame (see the module docs).
    pub const fn cost(&self) -> u64 {
        let slots = self.locals as u64 + self.stack as u64 + self.arity as u64;
        WASM_SLOT_BYTES as u64 * slots + WASM_FRAME_OVERHEAD as u64
    }
}

/// The frame of every defined function of a module, in order. Validates the module on the
/// way (with the subset's features); invalid input gives an error naming the function and
/// the offset.
pub fn frames(wasm: &[u8]) -> Result<Vec<Frame>, MeterError> {
    let mut parser = Parser::new(0);
    parser.set_features(crate::validate::features());
    let mut validator = Validator::new_with_features(crate::validate::features());
    let mut allocs = FuncValidatorAllocations::default();
    let mut out = Vec::new();
    let parse = |e: wasmparser::BinaryReaderError| MeterError::parse(&e);
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(parse)?;
        let ValidPayload::Func(func, body) = validator.payload(&payload).map_err(parse)? else {
            continue;
        };
        let index = func.index;
        let in_fn = |e: wasmparser::BinaryReaderError| MeterError::parse(&e).in_function(index);
        let mut v = func.into_validator(core::mem::take(&mut allocs));
        let (params, results) =
            func_type(v.resources(), index).map_or((0, 0), |t| (t.params().len(), t.results().len()));
        let mut locals = u64::try_from(params).unwrap_or(u64::MAX);
        let mut reader = body.get_locals_reader().map_err(in_fn)?;
        for _ in 0..reader.get_count() {
            let offset = reader.original_position();
            let (count, ty) = reader.read().map_err(in_fn)?;
            v.define_locals(offset, count, ty).map_err(in_fn)?;
            locals = locals.saturating_add(u64::from(count));
        }
        let (mut stack, mut arity) = (results, 0usize);
        let mut ops = body.get_operators_reader().map_err(in_fn)?;
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset().map_err(in_fn)?;
            v.op(offset, &op).map_err(in_fn)?;
            stack = stack.max(v.operand_stack_height() as usize);
            let callee = match op {
                Operator::Call { function_index } => func_type(v.resources(), function_index),
                Operator::CallIndirect { type_index, .. } => type_at(v.resources(), type_index),
                _ => None,
            };
            if let Some(t) = callee {
                arity = arity.max(t.params().len()).max(t.results().len());
            }
        }
        ops.finish().map_err(in_fn)?;
        allocs = v.into_allocations();
        let n = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
        out.push(Frame { locals: n(locals), stack: n(stack as u64), arity: n(arity as u64) });
    }
    Ok(out)
}

fn func_type(r: &impl WasmModuleResources, function: u32) -> Option<&FuncType> {
    type_at(r, r.type_index_of_function(function)?)
}

fn type_at(r: &impl WasmModuleResources, index: u32) -> Option<&FuncType> {
    match &r.sub_type_at(index)?.composite_type.inner {
        CompositeInnerType::Func(t) => Some(t),
        _ => None,
    }
}
