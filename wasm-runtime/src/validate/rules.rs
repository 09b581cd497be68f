//! The module-level rules: types, imports, counts, tables, memory, exports, start.
//!
//! Each section is checked here before wasmparser validates it, so a module outside the
//! subset is reported with the rule it breaks rather than a generic message. Nothing here
//! trusts indices wasmparser has not checked yet: a lookup that fails is skipped and left
//! for wasmparser to reject.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use host_abi::functions::{HostFn, ValType as AbiType};
use host_abi::limits::{
    MAX_FUNCTIONS, MAX_GLOBALS, MAX_MEMORY_PAGES, MAX_TABLES, MAX_TABLE_SIZE, MAX_TYPE_ARITY,
};
use host_abi::{CALL_EXPORT, DEPLOY_EXPORT, IMPORT_MODULE, MEMORY_EXPORT};
use wasmparser::{
    CompositeInnerType, ElementItems, ElementKind, Encoding, ExternalKind, FuncType, KnownCustom,
    Name, Payload, RefType, TableInit, TypeRef, ValType,
};

use super::body::check_body;
use super::error::{Rule, ValidationError};
use super::info::{Export, ExportKind, Limits, ModuleInfo};

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
    err(Rule::Malformed, e.message(), e.offset())
}

/// Checks a value type used in `what` (a parameter, a local, a global, a block type).
pub(super) fn check_valtype(ty: ValType, what: &str, offset: u64) -> Result<(), ValidationError> {
    let rule = match ty {
        ValType::I32 | ValType::I64 => return Ok(()),
        ValType::F32 | ValType::F64 => Rule::NoFloats,
        ValType::V128 => Rule::NoSimd,
        ValType::Ref(_) => Rule::NoReferenceTypes,
    };
    Err(err(
        rule,
        format!("type {ty} in {what} is not allowed"),
        offset,
    ))
}

fn abi_type(ty: AbiType) -> ValType {
    match ty {
        AbiType::I32 => ValType::I32,
        AbiType::I64 => ValType::I64,
    }
}

/// The state of the module-level checks, section after section.
#[derive(Default)]
pub(super) struct Checker {
    types: Vec<Option<FuncType>>,
    /// Type index of every function, imports first.
    func_types: Vec<u32>,
    imports: Vec<HostFn>,
    globals: u32,
    tables: u32,
    table: Option<Limits>,
    memories: u32,
    memory: Option<Limits>,
    exports: Vec<Export>,
    export_section: Option<u64>,
    element_segments: u32,
    data_segments: u32,
    bodies: u32,
}

impl Checker {
    /// The function type of function `index`, if known.
    fn func_type(&self, index: u32) -> Option<&FuncType> {
        let ty = *self.func_types.get(usize::try_from(index).ok()?)?;
        self.types.get(usize::try_from(ty).ok()?)?.as_ref()
    }

    fn imported(&self) -> u32 {
        u32::try_from(self.imports.len()).unwrap_or(u32::MAX)
    }

    /// Checks one payload.
    pub(super) fn payload(&mut self, payload: &Payload<'_>) -> Result<(), ValidationError> {
        match payload {
            Payload::Version {
                encoding: Encoding::Module,
                ..
            } => Ok(()),
            Payload::Version { range, .. } => Err(err(
                Rule::NotAModule,
                "a component is not a core module",
                range.start,
            )),
            Payload::TypeSection(r) => {
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, group) = item.map_err(|e| malformed(&e))?;
                    if group.is_explicit_rec_group() {
                        return Err(err(
                            Rule::NoGc,
                            "recursive type groups are not allowed",
                            offset,
                        ));
                    }
                    for sub in group.types() {
                        self.types.push(Some(check_subtype(sub, offset)?.clone()));
                    }
                }
                Ok(())
            }
            Payload::ImportSection(r) => {
                for item in r.clone().into_imports_with_offsets() {
                    let (offset, import) = item.map_err(|e| malformed(&e))?;
                    self.import(import, offset)?;
                }
                Ok(())
            }
            Payload::FunctionSection(r) => {
                let total = u64::from(self.imported()) + u64::from(r.count());
                if total > u64::from(MAX_FUNCTIONS) {
                    let m = format!("{total} functions, more than the maximum {MAX_FUNCTIONS}");
                    return Err(err(Rule::TooManyFunctions, m, r.range().start));
                }
                for ty in r.clone() {
                    self.func_types.push(ty.map_err(|e| malformed(&e))?);
                }
                Ok(())
            }
            Payload::TableSection(r) => {
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, table) = item.map_err(|e| malformed(&e))?;
                    self.tables += 1;
                    if self.tables > MAX_TABLES {
                        let m = format!("more than {MAX_TABLES} table(s)");
                        return Err(err(Rule::TooManyTables, m, offset));
                    }
                    if let TableInit::Expr(_) = table.init {
                        let m = "table initializer expressions are not allowed";
                        return Err(err(Rule::NoReferenceTypes, m, offset));
                    }
                    self.table = Some(check_table(&table.ty, offset)?);
                }
                Ok(())
            }
            Payload::MemorySection(r) => {
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, memory) = item.map_err(|e| malformed(&e))?;
                    self.memories += 1;
                    if self.memories > 1 {
                        return Err(err(Rule::NoMultiMemory, "a second memory", offset));
                    }
                    self.memory = Some(check_memory(&memory, offset)?);
                }
                Ok(())
            }
            Payload::TagSection(r) => Err(err(
                Rule::NoExceptions,
                "a tag section is not allowed",
                r.range().start,
            )),
            Payload::GlobalSection(r) => {
                let total = u64::from(self.globals) + u64::from(r.count());
                if total > u64::from(MAX_GLOBALS) {
                    let m = format!("{total} globals, more than the maximum {MAX_GLOBALS}");
                    return Err(err(Rule::TooManyGlobals, m, r.range().start));
                }
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, global) = item.map_err(|e| malformed(&e))?;
                    check_valtype(global.ty.content_type, "a global", offset)?;
                    if global.ty.shared {
                        return Err(err(
                            Rule::NoThreads,
                            "shared globals are not allowed",
                            offset,
                        ));
                    }
                    self.globals += 1;
                }
                Ok(())
            }
            Payload::ExportSection(r) => {
                self.export_section = Some(r.range().start);
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, export) = item.map_err(|e| malformed(&e))?;
                    self.export(export, offset)?;
                }
                Ok(())
            }
            Payload::StartSection { func, range } => {
                let m = format!("start function {func}: contracts run only through exports");
                Err(err(Rule::StartFunction, m, range.start))
            }
            Payload::ElementSection(r) => {
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, element) = item.map_err(|e| malformed(&e))?;
                    if let ElementKind::Declared = element.kind {
                        let m = "declarative element segments are not allowed";
                        return Err(err(Rule::NoReferenceTypes, m, offset));
                    }
                    if let ElementItems::Expressions(..) = element.items {
                        let m = "element segments must list function indices, not expressions";
                        return Err(err(Rule::NoReferenceTypes, m, offset));
                    }
                    self.element_segments += 1;
                }
                Ok(())
            }
            Payload::DataSection(r) => {
                self.data_segments = r.count();
                Ok(())
            }
            Payload::CodeSectionEntry(body) => {
                let index = self.imported().saturating_add(self.bodies);
                self.bodies = self.bodies.saturating_add(1);
                let params = self.func_type(index).map_or(0, |t| t.params().len());
                check_body(body, params).map_err(|e| e.in_function(index))
            }
            Payload::CustomSection(c) => check_custom_names(c),
            _ => Ok(()),
        }
    }

    fn import(
        &mut self,
        import: wasmparser::Import<'_>,
        offset: u64,
    ) -> Result<(), ValidationError> {
        let (module, name) = (import.module, import.name);
        let TypeRef::Func(ty) = import.ty else {
            let m = format!("import {module}.{name} is not a function");
            return Err(err(Rule::ImportKind, m, offset));
        };
        if module != IMPORT_MODULE {
            let m = format!("import {module}.{name} is not from module {IMPORT_MODULE}");
            return Err(err(Rule::ImportModule, m, offset));
        }
        let Some(host) = HostFn::from_import_name(name).filter(|f| f.importable()) else {
            let m = format!("import {module}.{name} is not a host function WASM may import");
            return Err(err(Rule::ImportUnknown, m, offset));
        };
        if let Some(Some(actual)) = usize::try_from(ty).ok().and_then(|t| self.types.get(t)) {
            let params = host.params().iter().map(|p| abi_type(p.ty));
            let results = host.result().map(abi_type);
            if !actual.params().iter().copied().eq(params) || actual.results() != results.as_slice()
            {
                let m =
                    format!("import {module}.{name} has type {actual}, not the host function's");
                return Err(err(Rule::ImportSignature, m, offset));
            }
        }
        self.imports.push(host);
        self.func_types.push(ty);
        Ok(())
    }

    fn export(
        &mut self,
        export: wasmparser::Export<'_>,
        offset: u64,
    ) -> Result<(), ValidationError> {
        let name = export.name;
        if name.starts_with(RESERVED_PREFIX) {
            let m = format!("export {name} uses the reserved prefix {RESERVED_PREFIX}");
            return Err(err(Rule::ReservedName, m, offset));
        }
        let kind = match export.kind {
            ExternalKind::Func => ExportKind::Func,
            ExternalKind::Table => ExportKind::Table,
            ExternalKind::Memory => ExportKind::Memory,
            ExternalKind::Global => ExportKind::Global,
            ExternalKind::Tag => {
                return Err(err(
                    Rule::NoExceptions,
                    format!("export {name} is a tag"),
                    offset,
                ))
            }
            ExternalKind::FuncExact => {
                return Err(err(
                    Rule::NoGc,
                    format!("export {name} is an exact function"),
                    offset,
                ))
            }
        };
        let signature = |rule: Rule| -> Result<(), ValidationError> {
            if kind != ExportKind::Func {
                return Err(err(
                    rule,
                    format!("export {name} is a {kind}, not a function"),
                    offset,
                ));
            }
            match self.func_type(export.index) {
                Some(t) if !t.params().is_empty() || !t.results().is_empty() => Err(err(
                    rule,
                    format!("export {name} has type {t}, not [] -> []"),
                    offset,
                )),
                _ => Ok(()),
            }
        };
        match name {
            MEMORY_EXPORT if kind != ExportKind::Memory => {
                let m = format!("export {name} is a {kind}, not the memory");
                return Err(err(Rule::MissingMemoryExport, m, offset));
            }
            CALL_EXPORT if kind != ExportKind::Func => signature(Rule::MissingCallExport)?,
            CALL_EXPORT => signature(Rule::CallSignature)?,
            DEPLOY_EXPORT => signature(Rule::DeploySignature)?,
            _ => {}
        }
        self.exports.push(Export {
            name: String::from(name),
            kind,
            index: export.index,
        });
        Ok(())
    }

    /// The checks that need the whole module, at its end (`end` is the module's length).
    pub(super) fn finish(self, end: u64, code_size: usize) -> Result<ModuleInfo, ValidationError> {
        let Some(memory) = self.memory else {
            return Err(err(
                Rule::MemoryRequired,
                "the module defines no memory",
                end,
            ));
        };
        let at = self.export_section.unwrap_or(end);
        let find = |name: &str| self.exports.iter().find(|e| e.name == name);
        if find(MEMORY_EXPORT).is_none() {
            return Err(err(Rule::MissingMemoryExport, "no export named memory", at));
        }
        let Some(call) = find(CALL_EXPORT).map(|e| e.index) else {
            return Err(err(Rule::MissingCallExport, "no export named call", at));
        };
        let deploy = find(DEPLOY_EXPORT).map(|e| e.index);
        let functions = u32::try_from(self.func_types.len()).unwrap_or(u32::MAX);
        Ok(ModuleInfo {
            types: u32::try_from(self.types.len()).unwrap_or(u32::MAX),
            functions: functions.saturating_sub(self.imported()),
            imports: self.imports,
            globals: self.globals,
            memory,
            table: self.table,
            element_segments: self.element_segments,
            data_segments: self.data_segments,
            exports: self.exports,
            call,
            deploy,
            has_deploy: deploy.is_some(),
            code_size,
        })
    }
}

/// A type of the type section must be a plain function type of integers.
fn check_subtype(sub: &wasmparser::SubType, offset: u64) -> Result<&FuncType, ValidationError> {
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
            return Err(err(
                Rule::NoGc,
                "struct and array types are not allowed",
                offset,
            ));
        }
        CompositeInnerType::Cont(_) => {
            let m = "continuation types are not allowed";
            return Err(err(Rule::UnsupportedFeature, m, offset));
        }
    };
    let arity = ty.params().len().max(ty.results().len());
    if arity > MAX_TYPE_ARITY as usize {
        let m = format!(
            "function type {ty} has {arity} parameters or results, more than {MAX_TYPE_ARITY}"
        );
        return Err(err(Rule::TypeArity, m, offset));
    }
    for &t in ty.params().iter().chain(ty.results()) {
        check_valtype(t, "a function type", offset)?;
    }
    Ok(ty)
}

fn check_table(ty: &wasmparser::TableType, offset: u64) -> Result<Limits, ValidationError> {
    if ty.table64 {
        return Err(err(
            Rule::NoMemory64,
            "64-bit tables are not allowed",
            offset,
        ));
    }
    if ty.shared {
        return Err(err(
            Rule::NoThreads,
            "shared tables are not allowed",
            offset,
        ));
    }
    if ty.element_type != RefType::FUNCREF {
        let m = format!("a table of {} (only funcref is allowed)", ty.element_type);
        return Err(err(Rule::NoReferenceTypes, m, offset));
    }
    let Some(maximum) = ty.maximum else {
        return Err(err(
            Rule::TableMaximumRequired,
            "the table has no maximum",
            offset,
        ));
    };
    let limit = u64::from(MAX_TABLE_SIZE);
    if ty.initial > limit || maximum > limit {
        let m = format!(
            "table of {}..{maximum} elements, more than {MAX_TABLE_SIZE}",
            ty.initial
        );
        return Err(err(Rule::TableTooLarge, m, offset));
    }
    Ok(Limits {
        initial: small(ty.initial),
        maximum: small(maximum),
    })
}

fn check_memory(ty: &wasmparser::MemoryType, offset: u64) -> Result<Limits, ValidationError> {
    if ty.memory64 {
        return Err(err(
            Rule::NoMemory64,
            "64-bit memories are not allowed",
            offset,
        ));
    }
    if ty.shared {
        return Err(err(
            Rule::NoThreads,
            "shared memories are not allowed",
            offset,
        ));
    }
    if let Some(log2) = ty.page_size_log2 {
        let m = format!("custom page size 2^{log2} is not allowed");
        return Err(err(Rule::UnsupportedFeature, m, offset));
    }
    let Some(maximum) = ty.maximum else {
        return Err(err(
            Rule::MemoryMaximumRequired,
            "the memory has no maximum",
            offset,
        ));
    };
    let limit = u64::from(MAX_MEMORY_PAGES);
    if ty.initial > limit || maximum > limit {
        let m = format!(
            "memory of {}..{maximum} pages, more than {MAX_MEMORY_PAGES}",
            ty.initial
        );
        return Err(err(Rule::MemoryTooLarge, m, offset));
    }
    Ok(Limits {
        initial: small(ty.initial),
        maximum: small(maximum),
    })
}

/// A size already checked against a `u32` limit.
fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Global names in the name section must not use the reserved prefix. Custom sections are
/// not part of validity, so a name section that does not parse is ignored (metering drops
/// custom sections anyway).
fn check_custom_names(c: &wasmparser::CustomSectionReader<'_>) -> Result<(), ValidationError> {
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
                let m = format!(
                    "global {} is named {}, a reserved name",
                    naming.index, naming.name
                );
                return Err(err(Rule::ReservedName, m, offset));
            }
        }
    }
    Ok(())
}
