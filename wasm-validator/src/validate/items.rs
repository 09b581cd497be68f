//! Checks of single items: value types, function types, tables, memories, names.

use alloc::format;
use alloc::string::String;

use host_abi::limits::{MAX_MEMORY_PAGES, MAX_TABLE_SIZE, MAX_TYPE_ARITY};
use wasmparser::{CompositeInnerType, FuncType, KnownCustom, Name, RefType, ValType};

use super::error::{Rule, ValidationError};
use super::info::Limits;

/// Names starting with this are reserved for zkos ([`host_abi::GAS_GLOBAL_EXPORT`]).
pub const RESERVED_PREFIX: &str = "__zkos";

/// Offset from the parser to an index into the module.
pub(super) fn off(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

pub(super) fn err(rule: Rule, detail: impl Into<String>, offset: u64) -> ValidationError {
    ValidationError::new(rule, detail, off(offset))
}

pub(super) fn malformed(e: &wasmparser::BinaryReaderError) -> ValidationError {
    err(Rule::Malformed, super::error::parser_message(e.message()), e.offset())
}

/// Checks a value type used in `what` (a parameter, a local, a global, a block type).
pub(super) fn check_valtype(ty: ValType, what: &str, offset: u64) -> Result<(), ValidationError> {
    let rule = match ty {
        ValType::I32 | ValType::I64 => return Ok(()),
        ValType::F32 | ValType::F64 => Rule::NoFloats,
        ValType::V128 => Rule::NoSimd,
        ValType::Ref(_) => Rule::NoReferenceTypes,
    };
    Err(err(rule, format!("type {ty} in {what} is not allowed"), offset))
}

/// A type of the type section must be a plain function type of integers.
pub(super) fn check_subtype(sub: &wasmparser::SubType, offset: u64) -> Result<&FuncType, ValidationError> {
    let composite = &sub.composite_type;
    if !sub.is_final || !sub.supertype_idxs.is_empty() {
        return Err(err(Rule::NoGc, "subtyping is not allowed", offset));
    }
    if composite.shared {
        return Err(err(Rule::NoThreads, "shared types are not allowed", offset));
    }
    if composite.descriptor_idx.is_some() || composite.describes_idx.is_some() {
        return Err(err(Rule::NoGc, "type descriptors are not allowed", offset));
    }
    let ty = match &composite.inner {
        CompositeInnerType::Func(ty) => ty,
        CompositeInnerType::Array(_) | CompositeInnerType::Struct(_) => {
            return Err(err(Rule::NoGc, "struct and array types are not allowed", offset));
        }
        CompositeInnerType::Cont(_) => {
            let m = "continuation types are not allowed";
            return Err(err(Rule::UnsupportedFeature, m, offset));
        }
    };
    let arity = ty.params().len().max(ty.results().len());
    if arity > MAX_TYPE_ARITY as usize {
        let m = format!("function type {ty} has {arity} parameters or results, more than {MAX_TYPE_ARITY}");
        return Err(err(Rule::TypeArity, m, offset));
    }
    for &t in ty.params().iter().chain(ty.results()) {
        check_valtype(t, "a function type", offset)?;
    }
    Ok(ty)
}

pub(super) fn check_table(ty: &wasmparser::TableType, offset: u64) -> Result<Limits, ValidationError> {
    if ty.table64 {
        return Err(err(Rule::NoMemory64, "64-bit tables are not allowed", offset));
    }
    if ty.shared {
        return Err(err(Rule::NoThreads, "shared tables are not allowed", offset));
    }
    if ty.element_type != RefType::FUNCREF {
        let m = format!("a table of {} (only funcref is allowed)", ty.element_type);
        return Err(err(Rule::NoReferenceTypes, m, offset));
    }
    let Some(maximum) = ty.maximum else {
        return Err(err(Rule::TableMaximumRequired, "the table has no maximum", offset));
    };
    let limit = u64::from(MAX_TABLE_SIZE);
    if ty.initial > limit || maximum > limit {
        let m = format!("table of {}..{maximum} elements, more than {MAX_TABLE_SIZE}", ty.initial);
        return Err(err(Rule::TableTooLarge, m, offset));
    }
    Ok(Limits { initial: small(ty.initial), maximum: small(maximum) })
}

pub(super) fn check_memory(ty: &wasmparser::MemoryType, offset: u64) -> Result<Limits, ValidationError> {
    if ty.memory64 {
        return Err(err(Rule::NoMemory64, "64-bit memories are not allowed", offset));
    }
    if ty.shared {
        return Err(err(Rule::NoThreads, "shared memories are not allowed", offset));
    }
    if let Some(log2) = ty.page_size_log2 {
        let m = format!("custom page size 2^{log2} is not allowed");
        return Err(err(Rule::UnsupportedFeature, m, offset));
    }
    let Some(maximum) = ty.maximum else {
        return Err(err(Rule::MemoryMaximumRequired, "the memory has no maximum", offset));
    };
    let limit = u64::from(MAX_MEMORY_PAGES);
    if ty.initial > limit || maximum > limit {
        let m = format!("memory of {}..{maximum} pages, more than {MAX_MEMORY_PAGES}", ty.initial);
        return Err(err(Rule::MemoryTooLarge, m, offset));
    }
    Ok(Limits { initial: small(ty.initial), maximum: small(maximum) })
}

/// A size already checked against a `u32` limit.
fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Global names in the name section must not use the reserved prefix. Custom sections are
/// not part of validity, so a name section that does not parse is ignored (metering drops
/// custom sections anyway).
pub(super) fn check_custom_names(c: &wasmparser::CustomSectionReader<'_>) -> Result<(), ValidationError> {
    let KnownCustom::Name(names) = c.as_known() else {
        return Ok(());
    };
    for name in names.into_iter().flatten() {
        let Name::Global(map) = name else { continue };
        // The iterator's position before each item is that item's offset. The name map
        // checks that indices increase; a malformed map just ends the check.
        let mut items = map.names;
        loop {
            let offset = items.original_position();
            let Some(Ok(naming)) = items.next() else {
                break;
            };
            if naming.name.starts_with(RESERVED_PREFIX) {
                let m = format!("global {} is named {}, a reserved name", naming.index, naming.name);
                return Err(err(Rule::ReservedName, m, offset));
            }
        }
    }
    Ok(())
}
