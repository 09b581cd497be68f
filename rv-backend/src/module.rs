//! The module as the compiler sees it: types, imports, functions, the table, the memory,
//! globals, exports and segments, parsed and validated in one pass over the sections.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use host_abi::functions::HostFn;
use wasmparser::{
    BinaryReader, CompositeInnerType, ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, FuncToValidate,
    FunctionBody, Operator, Parser, Payload, RefType, TableInit, TypeRef, ValidPayload, Validator, ValidatorResources,
    WasmFeatures,
};

use crate::error::CompileError;

/// A value type of the supported subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer (kept sign-extended in 64-bit registers).
    I32,
    /// 64-bit integer.
    I64,
    /// Nullable function reference (a descriptor address, 0 for null).
    FuncRef,
}

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// A constant expression of an initializer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstInit {
    /// A number (an `i32` sign-extended).
    Value(i64),
    /// The value of (imported) global `k`.
    Global(u32),
    /// `ref.null func`.
    RefNull,
    /// `ref.func f`.
    RefFunc(u32),
}

/// What an imported function is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportTarget {
    /// A zkos host function: an `ecall` with its number.
    Host(HostFn),
    /// A function of another module, the `k`-th such import: an `ecall` with
    /// [`crate::abi::FOREIGN_IMPORT`]` - k`, served by the embedder.
    Foreign(u32),
}

/// What an import brings in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// A function of type `ty`.
    Func { ty: u32, target: ImportTarget },
    /// A global.
    Global { ty: ValType, mutable: bool },
    /// The memory (the instance makes its own with these limits).
    Memory(Limits),
    /// The table (the instance makes its own with these limits).
    Table(Limits),
}

/// An import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub name: String,
    /// What it is.
    pub kind: ImportKind,
}

/// Size limits of a memory (in pages) or a table (in entries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Initial size.
    pub initial: u64,
    /// Declared maximum.
    pub maximum: Option<u64>,
}

/// A global.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalDef {
    /// Its type.
    pub ty: ValType,
    /// Whether it is mutable.
    pub mutable: bool,
    /// Its initializer; `None` for an imported global (the embedder supplies the value).
    pub init: Option<ConstInit>,
}

/// What an export names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// A function.
    Func,
    /// The table.
    Table,
    /// The memory.
    Memory,
    /// A global.
    Global,
}

/// An export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// Its name.
    pub name: String,
    /// What it names.
    pub kind: ExportKind,
    /// The index of that item.
    pub index: u32,
}

/// When a segment is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentMode {
    /// At instantiation, at this offset; then dropped.
    Active(ConstInit),
    /// By `memory.init` / `table.init` until dropped.
    Passive,
    /// Never (declares functions for `ref.func`); dropped at instantiation.
    Declared,
}

/// An element segment of function references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElemSegment {
    /// When it is applied.
    pub mode: SegmentMode,
    /// Function indices (`None`: null).
    pub items: Vec<Option<u32>>,
}

/// A data segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DataSegment<'a> {
    pub mode: SegmentMode,
    pub bytes: &'a [u8],
}

/// A function body with its validator.
pub(crate) struct Body<'a> {
    pub validator: FuncToValidate<ValidatorResources>,
    pub body: FunctionBody<'a>,
}

/// Everything the compiler needs from a module.
#[derive(Default)]
pub(crate) struct Module<'a> {
    pub types: Vec<FuncType>,
    /// Canonical id of each type: the index of the first structurally equal type.
    pub type_ids: Vec<u32>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    /// What each imported function is, by function index.
    pub func_imports: Vec<ImportTarget>,
    pub table: Option<Limits>,
    pub memory: Option<Limits>,
    pub globals: Vec<GlobalDef>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment<'a>>,
    pub bodies: Vec<Body<'a>>,
    /// The gas global (exported as `__zkos_gas`, a mutable `i64`), kept in a register.
    pub gas_global: Option<u32>,
    /// [`crate::Options::float_bits`].
    pub float_bits: bool,
    /// [`crate::Options::sandboxed`].
    pub sandboxed: bool,
}

/// The largest function body wasmparser's validator registers (its `MAX_WASM_FUNCTION_SIZE`,
/// which it does not export); larger ones are registered by hand (see [`Module::parse`]).
const PARSER_MAX_BODY: u64 = 7_654_321;

/// The features the validator accepts: WebAssembly 2.0 and wide arithmetic. What this
/// compiler does not handle (floats, SIMD, ...) is then refused as unsupported, so that
/// invalid and unsupported modules are told apart.
pub(crate) fn features() -> WasmFeatures {
    WasmFeatures::WASM2 | WasmFeatures::WIDE_ARITHMETIC
}

/// An error of WebAssembly 2.0 validation: unsupported if the module is valid with newer
/// proposals (GC, typed function references, ...), invalid otherwise.
pub(crate) fn classify(wasm: &[u8], e: &wasmparser::BinaryReaderError) -> CompileError {
    let mut newer = Validator::new_with_features(WasmFeatures::WASM3);
    if newer.validate_all(wasm).is_ok() {
        CompileError::unsupported(
            alloc::format!("needs a proposal beyond WebAssembly 2.0 ({})", e.message()),
            usize_of(e.offset()),
        )
    } else {
        CompileError::from_parser(e)
    }
}

fn unsupported<T>(what: &str, offset: usize) -> Result<T, CompileError> {
    Err(CompileError::unsupported(what, offset))
}

pub(crate) fn val_type(ty: wasmparser::ValType, offset: usize, float_bits: bool) -> Result<ValType, CompileError> {
    match ty {
        wasmparser::ValType::I32 => Ok(ValType::I32),
        wasmparser::ValType::I64 => Ok(ValType::I64),
        // Testing aid (`Options::float_bits`): floats as their bit patterns.
        wasmparser::ValType::F32 if float_bits => Ok(ValType::I32),
        wasmparser::ValType::F64 if float_bits => Ok(ValType::I64),
        wasmparser::ValType::F32 | wasmparser::ValType::F64 => unsupported("floats", offset),
        wasmparser::ValType::V128 => unsupported("SIMD", offset),
        wasmparser::ValType::Ref(r) => ref_type(r, offset),
    }
}

fn ref_type(r: RefType, offset: usize) -> Result<ValType, CompileError> {
    if r == RefType::FUNCREF {
        Ok(ValType::FuncRef)
    } else {
        unsupported("reference types other than funcref", offset)
    }
}

fn limits(initial: u64, maximum: Option<u64>) -> Limits {
    Limits { initial, maximum }
}

fn usize_of(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

/// Evaluates a constant expression of the supported forms.
pub(crate) fn const_init(expr: &ConstExpr<'_>) -> Result<ConstInit, CompileError> {
    let mut reader = expr.get_operators_reader();
    let offset = usize_of(reader.original_position());
    let mut value = None;
    while !reader.eof() {
        let op = reader.read().map_err(|e| CompileError::from_parser(&e))?;
        let v = match op {
            Operator::I32Const { value } => ConstInit::Value(i64::from(value)),
            Operator::I64Const { value } => ConstInit::Value(value),
            Operator::F32Const { value } => ConstInit::Value(i64::from(value.bits() as i32)),
            Operator::F64Const { value } => ConstInit::Value(value.bits() as i64),
            Operator::GlobalGet { global_index } => ConstInit::Global(global_index),
            Operator::RefNull { .. } => ConstInit::RefNull,
            Operator::RefFunc { function_index } => ConstInit::RefFunc(function_index),
            Operator::End => break,
            _ => return unsupported("this constant expression (extended-const or float)", offset),
        };
        if value.replace(v).is_some() {
            return unsupported("extended constant expressions", offset);
        }
    }
    value.ok_or_else(|| CompileError::invalid("empty constant expression", offset))
}

impl<'a> Module<'a> {
    /// Parses and validates `wasm`.
    pub(crate) fn parse(wasm: &'a [u8], float_bits: bool) -> Result<Module<'a>, CompileError> {
        let mut validator = Validator::new_with_features(features());
        let mut m = Module { float_bits, ..Module::default() };
        let mut foreign = 0u32;
        for payload in Parser::new(0).parse_all(wasm) {
            let payload = payload.map_err(|e| classify(wasm, &e))?;
            let valid = match &payload {
                Payload::CodeSectionEntry(body) if body.range().end - body.range().start > PARSER_MAX_BODY => {
                    // wasmparser's validator refuses function bodies past its own limit,
                    // which the reference engine runs and transpiled EVM reaches (49,152
                    // bytes of init code): the entry is registered by its first byte, and
                    // the whole body is validated operator by operator like any other
                    // (`lower::prepare`).
                    let head = body.as_bytes().get(..1).unwrap_or_default();
                    let stub = FunctionBody::new(BinaryReader::new(head, body.range().start));
                    let func = validator.code_section_entry(&stub).map_err(|e| classify(wasm, &e))?;
                    ValidPayload::Func(func, body.clone())
                }
                _ => validator.payload(&payload).map_err(|e| classify(wasm, &e))?,
            };
            match valid {
                ValidPayload::Func(validator, body) => m.bodies.push(Body { validator, body }),
                ValidPayload::Parser(_) => return unsupported("components", 0),
                ValidPayload::Ok | ValidPayload::End(_) => {}
            }
            m.section(wasm, payload, &mut foreign)?;
        }
        Ok(m)
    }

    fn section(&mut self, wasm: &[u8], payload: Payload<'a>, foreign: &mut u32) -> Result<(), CompileError> {
        let err = |e: wasmparser::BinaryReaderError| CompileError::from_parser(&e);
        match payload {
            Payload::TypeSection(r) => {
                let offset = usize_of(r.range().start);
                let mut raw_types: Vec<wasmparser::FuncType> = Vec::new();
                for group in r {
                    for sub in group.map_err(err)?.into_types() {
                        let CompositeInnerType::Func(f) = &sub.composite_type.inner else {
                            return unsupported("GC types", offset);
                        };
                        let fb = self.float_bits;
                        let conv = |ts: &[wasmparser::ValType]| {
                            ts.iter().map(|&t| val_type(t, offset, fb)).collect::<Result<Vec<_>, _>>()
                        };
                        let ty = FuncType { params: conv(f.params())?, results: conv(f.results())? };
                        // Identity of the declared types (floats included), for call_indirect.
                        let id = raw_types.iter().position(|t| t == f).unwrap_or(raw_types.len());
                        raw_types.push(f.clone());
                        self.type_ids.push(u32::try_from(id).unwrap_or(u32::MAX));
                        self.types.push(ty);
                    }
                }
            }
            Payload::ImportSection(r) => {
                let offset = usize_of(r.range().start);
                for import in r.into_imports() {
                    let import = import.map_err(err)?;
                    let kind = match import.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            let target = if import.module == host_abi::IMPORT_MODULE {
                                let Some(f) = HostFn::from_import_name(import.name) else {
                                    return Err(CompileError::invalid(
                                        alloc::format!("unknown host function zkos.{}", import.name),
                                        offset,
                                    ));
                                };
                                self.check_host_signature(f, ty, offset)?;
                                ImportTarget::Host(f)
                            } else {
                                *foreign += 1;
                                ImportTarget::Foreign(*foreign - 1)
                            };
                            self.funcs.push(ty);
                            self.num_imported_funcs += 1;
                            self.func_imports.push(target);
                            ImportKind::Func { ty, target }
                        }
                        TypeRef::Global(g) => {
                            let ty = val_type(g.content_type, offset, self.float_bits)?;
                            self.globals.push(GlobalDef { ty, mutable: g.mutable, init: None });
                            ImportKind::Global { ty, mutable: g.mutable }
                        }
                        TypeRef::Memory(mt) => {
                            self.set_memory(mt, offset)?;
                            ImportKind::Memory(limits(mt.initial, mt.maximum))
                        }
                        TypeRef::Table(tt) => {
                            self.set_table(tt, offset)?;
                            ImportKind::Table(limits(tt.initial, tt.maximum))
                        }
                        TypeRef::Tag(_) => return unsupported("exceptions", offset),
                    };
                    self.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r {
                    self.funcs.push(ty.map_err(err)?);
                }
            }
            Payload::TableSection(r) => {
                let offset = usize_of(r.range().start);
                for t in r {
                    let t = t.map_err(err)?;
                    if !matches!(t.init, TableInit::RefNull) {
                        return unsupported("table initializer expressions", offset);
                    }
                    self.set_table(t.ty, offset)?;
                }
            }
            Payload::MemorySection(r) => {
                let offset = usize_of(r.range().start);
                let range = usize_of(r.range().start)..usize_of(r.range().end);
                check_memory_leb(wasm.get(range).unwrap_or_default(), offset)?;
                for mt in r {
                    self.set_memory(mt.map_err(err)?, offset)?;
                }
            }
            Payload::TagSection(r) => return unsupported("exceptions", usize_of(r.range().start)),
            Payload::GlobalSection(r) => {
                let offset = usize_of(r.range().start);
                for g in r {
                    let g = g.map_err(err)?;
                    self.globals.push(GlobalDef {
                        ty: val_type(g.ty.content_type, offset, self.float_bits)?,
                        mutable: g.ty.mutable,
                        init: Some(const_init(&g.init_expr)?),
                    });
                }
            }
            Payload::ExportSection(r) => {
                let offset = usize_of(r.range().start);
                for e in r {
                    let e = e.map_err(err)?;
                    let kind = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => return unsupported("exceptions", offset),
                    };
                    self.exports.push(Export { name: e.name.to_string(), kind, index: e.index });
                }
                self.find_gas_global();
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(r) => {
                let offset = usize_of(r.range().start);
                for e in r {
                    let e = e.map_err(err)?;
                    let mode = match e.kind {
                        ElementKind::Passive => SegmentMode::Passive,
                        ElementKind::Declared => SegmentMode::Declared,
                        ElementKind::Active { table_index, offset_expr } => {
                            if table_index.unwrap_or(0) != 0 {
                                return unsupported("several tables", offset);
                            }
                            SegmentMode::Active(const_init(&offset_expr)?)
                        }
                    };
                    let mut items = Vec::new();
                    match e.items {
                        ElementItems::Functions(fs) => {
                            for f in fs {
                                items.push(Some(f.map_err(err)?));
                            }
                        }
                        ElementItems::Expressions(rt, exprs) => {
                            ref_type(rt, offset)?;
                            for x in exprs {
                                match const_init(&x.map_err(err)?)? {
                                    ConstInit::RefFunc(f) => items.push(Some(f)),
                                    ConstInit::RefNull => items.push(None),
                                    _ => return unsupported("this element expression", offset),
                                }
                            }
                        }
                    }
                    self.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(r) => {
                let offset = usize_of(r.range().start);
                for d in r {
                    let d = d.map_err(err)?;
                    let mode = match d.kind {
                        DataKind::Passive => SegmentMode::Passive,
                        DataKind::Active { memory_index, offset_expr } => {
                            if memory_index != 0 {
                                return unsupported("several memories", offset);
                            }
                            SegmentMode::Active(const_init(&offset_expr)?)
                        }
                    };
                    self.datas.push(DataSegment { mode, bytes: d.data });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn set_memory(&mut self, mt: wasmparser::MemoryType, offset: usize) -> Result<(), CompileError> {
        if mt.memory64 || mt.shared || mt.page_size_log2.is_some() {
            return unsupported("64-bit, shared or custom-page-size memories", offset);
        }
        if self.memory.is_some() {
            return unsupported("several memories", offset);
        }
        self.memory = Some(limits(mt.initial, mt.maximum));
        Ok(())
    }

    fn set_table(&mut self, tt: wasmparser::TableType, offset: usize) -> Result<(), CompileError> {
        if tt.table64 || tt.shared {
            return unsupported("64-bit or shared tables", offset);
        }
        ref_type(tt.element_type, offset)?;
        if self.table.is_some() {
            return unsupported("several tables", offset);
        }
        self.table = Some(limits(tt.initial, tt.maximum));
        Ok(())
    }

    fn check_host_signature(&self, f: HostFn, ty: u32, offset: usize) -> Result<(), CompileError> {
        let conv = |t: host_abi::functions::ValType| match t {
            host_abi::functions::ValType::I32 => ValType::I32,
            host_abi::functions::ValType::I64 => ValType::I64,
        };
        let want = FuncType {
            params: f.params().iter().map(|p| conv(p.ty)).collect(),
            results: f.result().map(conv).into_iter().collect(),
        };
        match self.types.get(ty as usize) {
            Some(t) if *t == want => Ok(()),
            _ => Err(CompileError::invalid(
                alloc::format!("zkos.{} imported with the wrong signature", f.import_name()),
                offset,
            )),
        }
    }

    fn find_gas_global(&mut self) {
        self.gas_global = self
            .exports
            .iter()
            .find(|e| e.kind == ExportKind::Global && e.name == host_abi::GAS_GLOBAL_EXPORT)
            .map(|e| e.index)
            .filter(|&g| {
                matches!(
                    self.globals.get(g as usize),
                    Some(GlobalDef { ty: ValType::I64, mutable: true, init: Some(_) })
                )
            });
    }

    /// Where this module's globals and segment records are in the VM context.
    pub(crate) fn vmctx(&self) -> crate::abi::vmctx::Layout {
        let n = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        crate::abi::vmctx::Layout {
            sandboxed: self.sandboxed,
            globals: n(self.globals.len()),
            datas: n(self.datas.len()),
            elems: n(self.elems.len()),
        }
    }

    /// The type of function `f`.
    pub(crate) fn func_type(&self, f: u32) -> Option<&FuncType> {
        self.types.get(*self.funcs.get(f as usize)? as usize)
    }
}

/// wasmparser reads memory limits as 64-bit LEB128 even for 32-bit memories; WebAssembly
/// 2.0 allows at most five bytes. Checks the memory section's limits.
fn check_memory_leb(section: &[u8], offset: usize) -> Result<(), CompileError> {
    let too_long = || CompileError::invalid("integer representation too long", offset);
    let mut at = 0usize;
    let leb = |at: &mut usize| -> Result<(), CompileError> {
        for n in 0..5 {
            let Some(&b) = section.get(*at) else { return Ok(()) };
            *at += 1;
            if b & 0x80 == 0 {
                return Ok(());
            }
            if n == 4 {
                return Err(too_long());
            }
        }
        Ok(())
    };
    let mut count = 0u32;
    {
        let mut shift = 0;
        while let Some(&b) = section.get(at) {
            at += 1;
            count |= u32::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
            shift += 7;
            if b & 0x80 == 0 || shift > 28 {
                break;
            }
        }
    }
    for _ in 0..count {
        let Some(&flags) = section.get(at) else { return Ok(()) };
        at += 1;
        if flags & 4 != 0 {
            return Ok(()); // memory64: refused elsewhere
        }
        leb(&mut at)?;
        if flags & 1 != 0 {
            leb(&mut at)?;
        }
    }
    Ok(())
}
