//! What the analysis needs from a module: types, imports, bodies, exports, the table's
//! possible contents, constant globals and the memory's maximum.

use alloc::string::String;
use alloc::vec::Vec;

use host_abi::functions::HostFn;
use wasmparser::{
    CompositeInnerType, ElementItems, Encoding, ExternalKind, FunctionBody, Operator, Parser, Payload, TypeRef, ValType,
};

use super::error::BoundsError;

/// A function signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sig {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// The initial value of a global, when the analysis can use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalValue {
    /// An immutable global with a constant initializer (its bits; `true`: 64-bit).
    Const(u64, bool),
    /// Mutable, or not a constant (`true`: 64-bit).
    Unknown(bool),
}

/// A parsed module.
pub struct ModuleView<'a> {
    /// Function types by type index (`None` for a non-function type).
    pub types: Vec<Option<Sig>>,
    /// Type index of every function, imports first.
    pub func_types: Vec<u32>,
    /// The imported host functions: import `i` is function `i`.
    pub imports: Vec<HostFn>,
    /// Bodies of the defined functions.
    pub bodies: Vec<FunctionBody<'a>>,
    /// Exported functions: name and function index.
    pub exports: Vec<(String, u32)>,
    /// Every function index listed in an element segment (what a table may hold).
    pub table_funcs: Vec<u32>,
    /// Globals in index order.
    pub globals: Vec<GlobalValue>,
    /// Maximum size of the memory in bytes.
    pub memory_max_bytes: u64,
    /// Pages the memory has initially (0 without one).
    pub memory_initial_pages: u64,
    /// What the analysis may assume of the call ([`super::Assumptions`]); empty for the
    /// bounds of every call.
    pub calldata_prefix: Vec<u8>,
    /// Loads whose value the assumptions gave, and branches a known condition decided.
    pub used: core::cell::Cell<(u32, u32)>,
}

impl ModuleView<'_> {
    /// Number of imported functions.
    pub fn imported(&self) -> u32 {
        u32::try_from(self.imports.len()).unwrap_or(u32::MAX)
    }

    /// The signature of function `f`.
    pub fn sig(&self, f: u32) -> Option<&Sig> {
        let ty = *self.func_types.get(usize::try_from(f).ok()?)?;
        self.types.get(usize::try_from(ty).ok()?)?.as_ref()
    }

    /// The signature of type `ty`.
    pub fn type_sig(&self, ty: u32) -> Option<&Sig> {
        self.types.get(usize::try_from(ty).ok()?)?.as_ref()
    }

    /// Whether the analysis runs under assumptions ([`super::Assumptions`]): it then keeps
    /// calldata facts about stack buffers and follows only the side of a branch that a
    /// known condition takes.
    pub fn assuming(&self) -> bool {
        !self.calldata_prefix.is_empty()
    }

    /// The value of a load of `len` bytes of calldata at `offset` (little-endian, as WASM
    /// loads), when the assumptions give every byte of it.
    pub fn known_calldata(&self, offset: u32, len: u8) -> Option<u64> {
        let start = usize::try_from(offset).ok()?;
        let bytes = self.calldata_prefix.get(start..start.checked_add(usize::from(len))?)?;
        let (loads, branches) = self.used.get();
        self.used.set((loads.saturating_add(1), branches));
        Some(bytes.iter().rev().fold(0u64, |v, b| v << 8 | u64::from(*b)))
    }

    /// Counts a branch that a known condition decided.
    pub fn decided(&self) {
        let (loads, branches) = self.used.get();
        self.used.set((loads, branches.saturating_add(1)));
    }

    /// The host function behind function index `f`, if it is an import.
    pub fn host(&self, f: u32) -> Option<HostFn> {
        self.imports.get(usize::try_from(f).ok()?).copied()
    }
}

fn const_value(expr: &wasmparser::ConstExpr<'_>, is64: bool) -> GlobalValue {
    let mut ops = expr.get_operators_reader();
    match ops.read() {
        // The bit pattern, as the locals and stack of the analysis hold values.
        Ok(Operator::I32Const { value }) => GlobalValue::Const(super::bits32(value), false),
        Ok(Operator::I64Const { value }) => GlobalValue::Const(super::bits64(value), true),
        _ => GlobalValue::Unknown(is64),
    }
}

/// Parses `wasm` (a module the validator accepted; anything else is an error, not a panic).
pub fn parse(wasm: &[u8]) -> Result<ModuleView<'_>, BoundsError> {
    let mut parser = Parser::new(0);
    parser.set_features(crate::validate::features());
    let mut m = ModuleView {
        types: Vec::new(),
        func_types: Vec::new(),
        imports: Vec::new(),
        bodies: Vec::new(),
        exports: Vec::new(),
        table_funcs: Vec::new(),
        globals: Vec::new(),
        memory_max_bytes: 0,
        memory_initial_pages: 0,
        calldata_prefix: Vec::new(),
        used: core::cell::Cell::new((0, 0)),
    };
    let mut has_memory = false;
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(|e| BoundsError::parse(&e))?;
        match payload {
            Payload::Version { encoding: Encoding::Module, .. } => {}
            Payload::Version { range, .. } => {
                return Err(BoundsError::malformed("not a core module", range.start));
            }
            Payload::TypeSection(r) => {
                for group in r {
                    let group = group.map_err(|e| BoundsError::parse(&e))?;
                    for sub in group.types() {
                        m.types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => {
                                Some(Sig { params: f.params().to_vec(), results: f.results().to_vec() })
                            }
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports_with_offsets() {
                    let (offset, import) = import.map_err(|e| BoundsError::parse(&e))?;
                    let TypeRef::Func(ty) = import.ty else {
                        return Err(BoundsError::malformed("an import that is not a function", offset));
                    };
                    let Some(host) = HostFn::from_import_name(import.name) else {
                        return Err(BoundsError::malformed("an import that is not a host function", offset));
                    };
                    m.imports.push(host);
                    m.func_types.push(ty);
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r {
                    m.func_types.push(ty.map_err(|e| BoundsError::parse(&e))?);
                }
            }
            Payload::MemorySection(r) => {
                for mem in r {
                    let mem = mem.map_err(|e| BoundsError::parse(&e))?;
                    if !has_memory {
                        m.memory_initial_pages = mem.initial;
                    }
                    has_memory = true;
                    let pages = mem.maximum.unwrap_or(u64::from(host_abi::limits::MAX_MEMORY_PAGES));
                    m.memory_max_bytes = pages.saturating_mul(65_536);
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.map_err(|e| BoundsError::parse(&e))?;
                    let is64 = g.ty.content_type == ValType::I64;
                    m.globals.push(match g.ty.mutable {
                        true => GlobalValue::Unknown(is64),
                        false => const_value(&g.init_expr, is64),
                    });
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(|e| BoundsError::parse(&e))?;
                    if e.kind == ExternalKind::Func {
                        m.exports.push((String::from(e.name), e.index));
                    }
                }
            }
            Payload::ElementSection(r) => {
                for el in r {
                    let el = el.map_err(|e| BoundsError::parse(&e))?;
                    match el.items {
                        ElementItems::Functions(funcs) => {
                            for f in funcs {
                                m.table_funcs.push(f.map_err(|e| BoundsError::parse(&e))?);
                            }
                        }
                        ElementItems::Expressions(..) => {
                            return Err(BoundsError::malformed("element expressions (outside the subset)", 0));
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => m.bodies.push(body),
            _ => {}
        }
    }
    if !has_memory {
        m.memory_max_bytes = 0;
    }
    m.table_funcs.sort_unstable();
    m.table_funcs.dedup();
    let defined = m.func_types.len().saturating_sub(m.imports.len());
    if defined != m.bodies.len() {
        return Err(BoundsError::malformed("function and code sections disagree", 0));
    }
    Ok(m)
}
