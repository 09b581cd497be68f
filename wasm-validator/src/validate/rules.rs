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
use host_abi::limits::{MAX_FUNCTIONS, MAX_GLOBALS, MAX_TABLES};
use host_abi::{CALL_EXPORT, DEPLOY_EXPORT, IMPORT_MODULE, MEMORY_EXPORT};
use wasmparser::{ElementItems, ElementKind, Encoding, ExternalKind, FuncType, Payload, TableInit, TypeRef, ValType};

use super::body::check_body;
use super::error::{Rule, ValidationError};
use super::info::{Export, ExportKind, Limits, ModuleInfo};
use super::items::{
    check_custom_names, check_memory, check_subtype, check_table, check_valtype, err, malformed, RESERVED_PREFIX,
};

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
            Payload::Version { encoding: Encoding::Module, .. } => Ok(()),
            Payload::Version { range, .. } => {
                Err(err(Rule::NotAModule, "a component is not a core module", range.start))
            }
            Payload::TypeSection(r) => {
                for item in r.clone().into_iter_with_offsets() {
                    let (offset, group) = item.map_err(|e| malformed(&e))?;
                    if group.is_explicit_rec_group() {
                        return Err(err(Rule::NoGc, "recursive type groups are not allowed", offset));
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
            Payload::TagSection(r) => Err(err(Rule::NoExceptions, "a tag section is not allowed", r.range().start)),
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
                        return Err(err(Rule::NoThreads, "shared globals are not allowed", offset));
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

    fn import(&mut self, import: wasmparser::Import<'_>, offset: u64) -> Result<(), ValidationError> {
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
            if !actual.params().iter().copied().eq(params) || actual.results() != results.as_slice() {
                let m = format!("import {module}.{name} has type {actual}, not the host function's");
                return Err(err(Rule::ImportSignature, m, offset));
            }
        }
        self.imports.push(host);
        self.func_types.push(ty);
        Ok(())
    }

    fn export(&mut self, export: wasmparser::Export<'_>, offset: u64) -> Result<(), ValidationError> {
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
            ExternalKind::Tag => return Err(err(Rule::NoExceptions, format!("export {name} is a tag"), offset)),
            ExternalKind::FuncExact => {
                return Err(err(Rule::NoGc, format!("export {name} is an exact function"), offset))
            }
        };
        let signature = |rule: Rule| -> Result<(), ValidationError> {
            if kind != ExportKind::Func {
                return Err(err(rule, format!("export {name} is a {kind}, not a function"), offset));
            }
            match self.func_type(export.index) {
                Some(t) if !t.params().is_empty() || !t.results().is_empty() => {
                    Err(err(rule, format!("export {name} has type {t}, not [] -> []"), offset))
                }
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
        self.exports.push(Export { name: String::from(name), kind, index: export.index });
        Ok(())
    }

    /// The checks that need the whole module, at its end (`end` is the module's length).
    pub(super) fn finish(self, end: u64, code_size: usize) -> Result<ModuleInfo, ValidationError> {
        let Some(memory) = self.memory else {
            return Err(err(Rule::MemoryRequired, "the module defines no memory", end));
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
