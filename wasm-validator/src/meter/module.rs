//! Section surgery: the metered module is the original with a few items appended.
//!
//! Sections are copied byte for byte except five, which are extended at their end so that
//! no existing index moves:
//!
//! - type: one `(i32) -> i32` type for the helpers, if any helper is needed;
//! - function and code: the helpers (`__zkos_grow`, then `__zkos_bulk`, each only if the
//!   module uses the operators it serves) after the last function; every body is replaced
//!   by its metered version;
//! - global: the gas global, a mutable `i64` initialised to 0, after the last global, then
//!   the stack counter, a mutable `i32` initialised to
//!   [`host_abi::limits::WASM_STACK_BUDGET`] ([`super::inject`]);
//! - type: also one `[] -> results` type per distinct multi-value result list of a
//!   function, for the block that wraps its body, unless the module has that type already;
//! - export: `__zkos_gas`, exporting the gas global.
//!
//! A missing section that must grow is created at its place in the section order. Custom
//! sections (names, producers, debug information) are dropped: the metered module is for
//! execution, and dropping them keeps it small and free of names that no longer match. The
//! one exception is the contract's JSON ABI ([`super::ABI_SECTION`]), copied byte for byte
//! (as many as there are, in order) to the end of the module, so the stored artifact keeps
//! the interface its author compiled in. Its contents are not checked: they are not a
//! consensus matter, and tools that read them report bad JSON.

use alloc::vec::Vec;

use host_abi::limits::WASM_STACK_BUDGET;
use host_abi::GAS_GLOBAL_EXPORT;
use wasm_encoder::{
    BlockType, ConstExpr, CustomSection, Encode, ExportKind, Function, GlobalType, Module, RawSection, ValType,
};
use wasmparser::{BinaryReader, CompositeInnerType, Encoding, FunctionBody, Parser, Payload, TypeRef};

use super::error::{MeterError, MeterErrorKind};
use super::frame::frames;
use super::inject::{bulk_helper, grow_helper, instrument, FrameCode, Targets, HELPER_PARAMS, HELPER_RESULTS};
use crate::flow::classes::{runtime_charge, RuntimeCharge};
use crate::flow::{basic_blocks, for_each_op, to_usize, Block, Plan};

const TYPE: u8 = 1;
const FUNCTION: u8 = 3;
const GLOBAL: u8 = 6;
const EXPORT: u8 = 7;
const CODE: u8 = 10;

/// Position of a section id in the order the binary format requires.
fn order(id: u8) -> u8 {
    match id {
        1..=5 => id,  // type, import, function, table, memory
        13 => 6,      // tag
        6 => 7,       // global
        7 => 8,       // export
        8 => 9,       // start
        9 => 10,      // element
        12 => 11,     // data count
        10 => 12,     // code
        11 => 13,     // data
        _ => u8::MAX, // unknown ids are rejected by the parser before they get here
    }
}

/// A non-custom section of the input: its id, contents and the offset of the contents.
struct Section<'a> {
    id: u8,
    data: &'a [u8],
    offset: usize,
}

/// What the first pass learns.
#[derive(Default)]
struct Scan<'a> {
    sections: Vec<Section<'a>>,
    types: u32,
    /// `(params, results)` of each type (`None` for a type that is not a function type of
    /// the subset's value types).
    func_types: Vec<Option<(Vec<ValType>, Vec<ValType>)>>,
    /// The type index of each defined function.
    defined_types: Vec<u32>,
    imported_functions: u32,
    functions: u32,
    imported_globals: u32,
    globals: u32,
    bodies: Vec<FunctionBody<'a>>,
    /// The contents of the [`super::ABI_SECTION`] custom sections.
    abi: Vec<&'a [u8]>,
}

fn scan(wasm: &[u8]) -> Result<Scan<'_>, MeterError> {
    let mut parser = Parser::new(0);
    parser.set_features(crate::validate::features());
    let mut s = Scan::default();
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(|e| MeterError::parse(&e))?;
        let section = |id: u8, range: core::ops::Range<u64>| {
            let offset = to_usize(range.start);
            let data = wasm.get(offset..to_usize(range.end)).unwrap_or_default();
            Section { id, data, offset }
        };
        match payload {
            Payload::Version { encoding: Encoding::Module, .. } => {}
            Payload::Version { range, .. } => {
                return Err(unsupported("not a core WebAssembly module", range.start));
            }
            Payload::TypeSection(r) => {
                s.sections.push(section(TYPE, r.range()));
                for group in r {
                    let group = group.map_err(|e| MeterError::parse(&e))?;
                    s.types = s.types.saturating_add(len_u32(group.types().len()));
                    for ty in group.into_types() {
                        s.func_types.push(match &ty.composite_type.inner {
                            CompositeInnerType::Func(f) => encoder_types(f.params()).zip(encoder_types(f.results())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                s.sections.push(section(2, r.range()));
                for import in r.into_imports() {
                    match import.map_err(|e| MeterError::parse(&e))?.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => s.imported_functions += 1,
                        TypeRef::Global(_) => s.imported_globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(r) => {
                s.functions = r.count();
                s.sections.push(section(FUNCTION, r.range()));
                for ty in r {
                    s.defined_types.push(ty.map_err(|e| MeterError::parse(&e))?);
                }
            }
            Payload::TableSection(r) => s.sections.push(section(4, r.range())),
            Payload::MemorySection(r) => s.sections.push(section(5, r.range())),
            Payload::TagSection(r) => s.sections.push(section(13, r.range())),
            Payload::GlobalSection(r) => {
                s.globals = r.count();
                s.sections.push(section(GLOBAL, r.range()));
            }
            Payload::ExportSection(r) => s.sections.push(section(EXPORT, r.range())),
            Payload::StartSection { range, .. } => s.sections.push(section(8, range)),
            Payload::ElementSection(r) => s.sections.push(section(9, r.range())),
            Payload::DataCountSection { range, .. } => s.sections.push(section(12, range)),
            Payload::DataSection(r) => s.sections.push(section(11, r.range())),
            Payload::CodeSectionStart { unchecked_range, .. } => {
                s.sections.push(section(CODE, unchecked_range));
            }
            Payload::CodeSectionEntry(body) => s.bodies.push(body),
            Payload::CustomSection(c) if c.name() == super::ABI_SECTION => s.abi.push(c.data()),
            Payload::CustomSection(_) | Payload::End(_) => {}
            Payload::UnknownSection { range, .. } => {
                return Err(unsupported("unknown section", range.start));
            }
            other => {
                let offset = other.as_section().map_or(0, |(_, r)| r.start);
                return Err(unsupported("component-model section", offset));
            }
        }
    }
    Ok(s)
}

fn unsupported(what: &'static str, offset: u64) -> MeterError {
    MeterError::new(MeterErrorKind::Unsupported(what), to_usize(offset))
}

/// The subset's value types as wasm-encoder's (`None` if one is outside the subset, which
/// the validator rejects).
fn encoder_types(types: &[wasmparser::ValType]) -> Option<Vec<ValType>> {
    types
        .iter()
        .map(|t| match t {
            wasmparser::ValType::I32 => Some(ValType::I32),
            wasmparser::ValType::I64 => Some(ValType::I64),
            _ => None,
        })
        .collect()
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Meters a module (see [`super::meter`]); `plan` gives per defined function what each
/// block emits (`None`: a checked charge everywhere).
pub(crate) fn rewrite(wasm: &[u8], plan: Option<&Plan>) -> Result<Vec<u8>, MeterError> {
    let s = scan(wasm)?;
    let first_body = s.imported_functions;
    let all_blocks = s
        .bodies
        .iter()
        .zip(first_body..)
        .map(|(body, index)| basic_blocks(body).map_err(|e| MeterError::from(e).in_function(index)))
        .collect::<Result<Vec<Vec<Block>>, _>>()?;

    // Which helpers are needed: scan the operators again only if some block charges at run
    // time (rare), to tell `memory.grow` from bulk operations.
    let (needs_grow, needs_bulk) = if all_blocks.iter().flatten().any(|b| b.runtime_charges > 0) {
        helpers_needed(&s.bodies, first_body)?
    } else {
        (false, false)
    };
    let too_many = || unsupported("too many functions or globals", 0);
    let functions = first_body.checked_add(s.functions).ok_or_else(too_many)?;
    let gas = s.imported_globals.checked_add(s.globals).ok_or_else(too_many)?;
    let grow = needs_grow.then_some(functions);
    let bulk = match needs_bulk {
        true => Some(functions.checked_add(u32::from(needs_grow)).ok_or_else(too_many)?),
        false => None,
    };
    let stack = gas.checked_add(1).ok_or_else(too_many)?;
    let targets = Targets { gas, stack, grow, bulk };
    let helpers: Vec<Function> =
        [grow.map(|_| grow_helper(gas)), bulk.map(|_| bulk_helper(gas))].into_iter().flatten().collect();
    let first_new_type = s.types.checked_add(u32::from(!helpers.is_empty())).ok_or_else(too_many)?;
    let (frame_code, block_types) = frame_code(&s, wasm, first_new_type)?;

    let mut code = Vec::new();
    len_u32(s.bodies.len() + helpers.len()).encode(&mut code);
    for (k, ((body, blocks), index)) in s.bodies.iter().zip(&all_blocks).zip(first_body..).enumerate() {
        let emits = plan.and_then(|p| p.functions.get(k)).filter(|e| e.len() == blocks.len()).map(Vec::as_slice);
        let frame = frame_code
            .get(k)
            .ok_or_else(|| MeterError::new(MeterErrorKind::Unsupported("function without a frame"), body_start(body)))
            .map_err(|e| e.in_function(index))?;
        instrument(body, blocks, &targets, emits, frame).map_err(|e| e.in_function(index))?.encode(&mut code);
    }
    for helper in &helpers {
        helper.encode(&mut code);
    }
    let code = (!s.bodies.is_empty() || !helpers.is_empty()).then_some(code);
    assemble(&s.sections, &appended(s.types, helpers.len(), &block_types, gas), code, &s.abi)
}

fn body_start(body: &FunctionBody<'_>) -> usize {
    to_usize(body.range().start)
}

/// The stack accounting of every defined function, and the `[] -> results` types to append
/// (at `first_new_type` on) for the blocks of functions with several results.
fn frame_code(
    s: &Scan<'_>,
    wasm: &[u8],
    first_new_type: u32,
) -> Result<(Vec<FrameCode>, Vec<Vec<ValType>>), MeterError> {
    let frames = frames(wasm)?;
    let mut appended: Vec<Vec<ValType>> = Vec::new();
    let mut out = Vec::with_capacity(s.bodies.len());
    for (k, body) in s.bodies.iter().enumerate() {
        let index = s.imported_functions.saturating_add(len_u32(k));
        let unsupported =
            |what| MeterError::new(MeterErrorKind::Unsupported(what), body_start(body)).in_function(index);
        let frame = frames.get(k).ok_or_else(|| unsupported("function without a frame"))?;
        let cost = frame.cost();
        if cost > u64::from(WASM_STACK_BUDGET) {
            return Err(MeterError::new(MeterErrorKind::FrameTooLarge { cost }, body_start(body)).in_function(index));
        }
        let cost = i32::try_from(cost).map_err(|_| unsupported("frame cost beyond i32"))?;
        let ty = s.defined_types.get(k).copied().ok_or_else(|| unsupported("function without a type"))?;
        let Some(Some((_, results))) = s.func_types.get(ty as usize) else {
            return Err(unsupported("function of a type outside the subset"));
        };
        let block = match results.as_slice() {
            [] => BlockType::Empty,
            [one] => BlockType::Result(*one),
            many => {
                let existing = s.func_types.iter().position(|t| matches!(t, Some((p, r)) if p.is_empty() && r == many));
                let at = match existing {
                    Some(i) => len_u32(i),
                    None => match appended.iter().position(|r| r == many) {
                        Some(i) => first_new_type.saturating_add(len_u32(i)),
                        None => {
                            appended.push(many.to_vec());
                            first_new_type.saturating_add(len_u32(appended.len() - 1))
                        }
                    },
                };
                BlockType::FunctionType(at)
            }
        };
        out.push(FrameCode { cost, block });
    }
    Ok((out, appended))
}

/// Items appended at the end of one vector section: how many, and their encoding.
struct Appended {
    id: u8,
    count: u32,
    items: Vec<u8>,
}

/// The items metering appends: the helper type and functions (if any helper), the block
/// types, the gas global, the stack counter and the gas export. `types` is the number of
/// existing types (the helper type's index).
fn appended(types: u32, helpers: usize, block_types: &[Vec<ValType>], gas: u32) -> Vec<Appended> {
    let mut out = Vec::with_capacity(4);
    let mut new_types = Vec::new();
    let mut type_count = 0u32;
    if helpers > 0 {
        new_types.push(0x60);
        HELPER_PARAMS.as_slice().encode(&mut new_types);
        HELPER_RESULTS.as_slice().encode(&mut new_types);
        type_count += 1;
    }
    for results in block_types {
        new_types.push(0x60);
        <[ValType]>::encode(&[], &mut new_types);
        results.as_slice().encode(&mut new_types);
        type_count += 1;
    }
    if type_count > 0 {
        out.push(Appended { id: TYPE, count: type_count, items: new_types });
    }
    if helpers > 0 {
        let mut funcs = Vec::new();
        for _ in 0..helpers {
            types.encode(&mut funcs);
        }
        out.push(Appended { id: FUNCTION, count: len_u32(helpers), items: funcs });
    }
    let mut global = Vec::new();
    GlobalType { val_type: ValType::I64, mutable: true, shared: false }.encode(&mut global);
    ConstExpr::i64_const(0).encode(&mut global);
    GlobalType { val_type: ValType::I32, mutable: true, shared: false }.encode(&mut global);
    ConstExpr::i32_const(i32::try_from(WASM_STACK_BUDGET).unwrap_or(i32::MAX)).encode(&mut global);
    out.push(Appended { id: GLOBAL, count: 2, items: global });
    let mut export = Vec::new();
    GAS_GLOBAL_EXPORT.encode(&mut export);
    ExportKind::Global.encode(&mut export);
    gas.encode(&mut export);
    out.push(Appended { id: EXPORT, count: 1, items: export });
    out
}

/// The output module: the input's sections with the appended items and the new code
/// section, creating a section that does not exist yet at its place in the order, then the
/// ABI sections.
fn assemble(
    sections: &[Section<'_>],
    appended: &[Appended],
    mut code: Option<Vec<u8>>,
    abi: &[&[u8]],
) -> Result<Vec<u8>, MeterError> {
    let mut out: Vec<(u8, Vec<u8>)> = Vec::with_capacity(sections.len() + 4);
    for sec in sections {
        let data = match (sec.id, appended.iter().find(|a| a.id == sec.id)) {
            (CODE, _) => code.take().unwrap_or_default(),
            (_, Some(a)) => extend_vec(sec, a.count, &a.items)?,
            (_, None) => sec.data.to_vec(),
        };
        out.push((sec.id, data));
    }
    let mut missing: Vec<(u8, Vec<u8>)> = appended
        .iter()
        .filter(|a| !sections.iter().any(|sec| sec.id == a.id))
        .map(|a| {
            let mut data = Vec::new();
            a.count.encode(&mut data);
            data.extend_from_slice(&a.items);
            (a.id, data)
        })
        .collect();
    missing.extend(code.map(|code| (CODE, code)));
    for (id, data) in missing {
        let at = out.iter().position(|(other, _)| order(*other) > order(id)).unwrap_or(out.len());
        out.insert(at, (id, data));
    }
    let mut module = Module::new();
    for (id, data) in &out {
        module.section(&RawSection { id: *id, data });
    }
    for data in abi {
        module.section(&CustomSection { name: super::ABI_SECTION.into(), data: (*data).into() });
    }
    Ok(module.finish())
}

/// Whether any body uses `memory.grow`, and whether any uses a bulk operation with a length.
fn helpers_needed(bodies: &[FunctionBody<'_>], first: u32) -> Result<(bool, bool), MeterError> {
    let (mut grow, mut bulk) = (false, false);
    for (body, index) in bodies.iter().zip(first..) {
        for_each_op(body, |op| {
            match runtime_charge(&op.op) {
                Some(RuntimeCharge::GrowPages) => grow = true,
                Some(RuntimeCharge::BulkLength) => bulk = true,
                None => {}
            }
            Ok(())
        })
        .map_err(|e: MeterError| e.in_function(index))?;
    }
    Ok((grow, bulk))
}

/// A vector section with `n` more items appended: new count, the old items, the new ones.
fn extend_vec(sec: &Section<'_>, n: u32, items: &[u8]) -> Result<Vec<u8>, MeterError> {
    let mut reader = BinaryReader::new(sec.data, u64::try_from(sec.offset).unwrap_or(u64::MAX));
    let count = reader.read_var_u32().map_err(|e| MeterError::parse(&e))?;
    let old_items = sec.data.get(reader.current_position()..).unwrap_or_default();
    let count = count.checked_add(n).ok_or_else(|| unsupported("too many items", reader.original_position()))?;
    let mut data = Vec::with_capacity(5 + old_items.len() + items.len());
    count.encode(&mut data);
    data.extend_from_slice(old_items);
    data.extend_from_slice(items);
    Ok(data)
}
