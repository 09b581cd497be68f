//! The rules inside a function body: size, locals, nesting, and the operators of the subset.

use alloc::format;

use host_abi::limits::{MAX_FUNCTION_SIZE, MAX_LOCALS, MAX_NESTING};
use wasmparser::{BlockType, FunctionBody, Operator};

use super::error::{Rule, ValidationError};
use super::items::{check_valtype, err, malformed, off};
use crate::flow::classes::{op_class, Excluded, Feature};

/// The rule an operator outside the subset breaks.
pub(super) fn rule_for(feature: Feature) -> Rule {
    match feature {
        Feature::Floats => Rule::NoFloats,
        Feature::Simd => Rule::NoSimd,
        Feature::Threads => Rule::NoThreads,
        Feature::TailCalls => Rule::NoTailCalls,
        Feature::Exceptions => Rule::NoExceptions,
        Feature::ReferenceTypes => Rule::NoReferenceTypes,
        Feature::Gc => Rule::NoGc,
        Feature::Other => Rule::UnsupportedFeature,
    }
}

fn excluded(e: Excluded, offset: u64) -> ValidationError {
    let what = match e.feature {
        Feature::Floats => "float instruction",
        Feature::Simd => "SIMD instruction",
        Feature::Threads => "atomic instruction",
        Feature::TailCalls => "tail call",
        Feature::Exceptions => "exception-handling instruction",
        Feature::ReferenceTypes => "reference-types instruction",
        Feature::Gc => "GC instruction",
        Feature::Other => "instruction",
    };
    err(rule_for(e.feature), format!("{what} {} is not allowed", e.name), offset)
}

/// Checks one function body; `params` is the number of parameters of its type.
pub(super) fn check_body(body: &FunctionBody<'_>, params: usize) -> Result<(), ValidationError> {
    let range = body.range();
    let size = range.end.saturating_sub(range.start);
    if size > u64::from(MAX_FUNCTION_SIZE) {
        let m = format!("function body of {size} bytes, more than {MAX_FUNCTION_SIZE}");
        return Err(err(Rule::FunctionTooLarge, m, range.start));
    }

    let mut locals = body.get_locals_reader().map_err(|e| malformed(&e))?;
    let mut total = u64::try_from(params).unwrap_or(u64::MAX);
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, ty) = locals.read().map_err(|e| malformed(&e))?;
        check_valtype(ty, "a local", offset)?;
        total = total.saturating_add(u64::from(count));
        if total > u64::from(MAX_LOCALS) {
            let m = format!("{total} locals (parameters included), more than {MAX_LOCALS}");
            return Err(err(Rule::TooManyLocals, m, offset));
        }
    }

    let bytes = body.as_bytes();
    let mut ops = body.get_operators_reader().map_err(|e| malformed(&e))?;
    let mut depth = 0u32;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset().map_err(|e| read_error(&e, bytes, range.start))?;
        match &op {
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                if let BlockType::Type(ty) = blockty {
                    check_valtype(*ty, "a block type", offset)?;
                }
                depth += 1;
                if depth > MAX_NESTING {
                    let m = format!("blocks nested {depth} deep, more than {MAX_NESTING}");
                    return Err(err(Rule::NestingTooDeep, m, offset));
                }
            }
            Operator::End => depth = depth.saturating_sub(1),
            _ => {}
        }
        op_class(&op).map_err(|e| excluded(e, offset))?;
    }
    ops.finish().map_err(|e| malformed(&e))
}

/// An operator that does not parse: SIMD operators are reported as such even when the parser
/// was built without SIMD support (they all start with the prefix byte 0xfd).
fn read_error(e: &wasmparser::BinaryReaderError, bytes: &[u8], base: u64) -> ValidationError {
    let at = off(e.offset()).wrapping_sub(off(base));
    match bytes.get(at) {
        Some(0xfd) => err(Rule::NoSimd, "SIMD instruction (prefix 0xfd) is not allowed", e.offset()),
        _ => malformed(e),
    }
}
