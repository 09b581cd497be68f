//! The rules of the deterministic subset and the validation error.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

macro_rules! rules {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, $message:literal; )*) => {
        /// A rule of the deterministic WASM subset. Each has a stable short name (for
        /// tools and tests) and a human description.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Rule {
            $( $(#[doc = $doc])+ $variant, )*
        }

        impl Rule {
            /// Every rule.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable short name, e.g. `no-floats`.
            pub const fn name(self) -> &'static str {
                match self { $( Rule::$variant => $name, )* }
            }

            /// What the rule requires, in a sentence.
            pub const fn description(self) -> &'static str {
                match self { $( Rule::$variant => $message, )* }
            }
        }
    };
}

rules! {
    /// The bytes are not a well-formed WebAssembly binary.
    Malformed = "malformed", "the module must be a well-formed WebAssembly binary";
    /// A core module is required (not a component).
    NotAModule = "not-a-module", "the binary must be a core WebAssembly module";
    /// The module breaks the WebAssembly specification (type errors, bad indices, ...).
    Invalid = "invalid", "the module must be valid WebAssembly";
    /// The whole module is larger than `limits::MAX_WASM_CODE_SIZE`.
    CodeTooLarge = "code-size", "the module must not exceed the maximum code size";
    /// Float types or instructions.
    NoFloats = "no-floats", "floating-point types and instructions are not allowed";
    /// SIMD types or instructions.
    NoSimd = "no-simd", "SIMD types and instructions are not allowed";
    /// Threads: atomics and shared memories or types.
    NoThreads = "no-threads", "threads, atomics and shared memories are not allowed";
    /// Tail calls.
    NoTailCalls = "no-tail-calls", "tail calls are not allowed";
    /// Exception handling (instructions and tags).
    NoExceptions = "no-exceptions", "exception handling is not allowed";
    /// Reference types beyond one `funcref` table used by `call_indirect` and bulk
    /// operations.
    NoReferenceTypes = "no-reference-types",
        "reference types are allowed only as one funcref table for call_indirect";
    /// GC and typed function references (struct, array, rec groups, subtypes).
    NoGc = "no-gc", "GC and typed function references are not allowed";
    /// 64-bit memories and tables.
    NoMemory64 = "no-memory64", "64-bit memories and tables are not allowed";
    /// Other proposals (custom page sizes, wide arithmetic, stack switching, ...).
    UnsupportedFeature = "unsupported-feature", "the instruction or construct is outside the subset";
    /// More than one memory.
    NoMultiMemory = "no-multi-memory", "at most one memory is allowed";
    /// The module defines no memory.
    MemoryRequired = "memory-required", "the module must define one memory";
    /// The memory has no maximum.
    MemoryMaximumRequired = "memory-maximum", "the memory must declare a maximum";
    /// The memory's initial size or maximum exceeds `limits::MAX_MEMORY_PAGES`.
    MemoryTooLarge = "memory-size", "the memory must not exceed the maximum number of pages";
    /// More tables than `limits::MAX_TABLES`.
    TooManyTables = "table-count", "the module must not exceed the maximum number of tables";
    /// A table has no maximum.
    TableMaximumRequired = "table-maximum", "tables must declare a maximum";
    /// A table's initial size or maximum exceeds `limits::MAX_TABLE_SIZE`.
    TableTooLarge = "table-size", "tables must not exceed the maximum table size";
    /// More functions (imported and defined) than `limits::MAX_FUNCTIONS`.
    TooManyFunctions = "function-count", "the module must not exceed the maximum number of functions";
    /// More globals than `limits::MAX_GLOBALS`.
    TooManyGlobals = "global-count", "the module must not exceed the maximum number of globals";
    /// A function with more locals (parameters included) than `limits::MAX_LOCALS`.
    TooManyLocals = "local-count", "a function must not exceed the maximum number of locals";
    /// Blocks, loops and ifs nested deeper than `limits::MAX_NESTING`.
    NestingTooDeep = "nesting", "blocks, loops and ifs must not nest deeper than the maximum";
    /// A function body larger than `limits::MAX_FUNCTION_SIZE` bytes.
    FunctionTooLarge = "function-size", "a function body must not exceed the maximum size";
    /// A function type with more parameters or results than `limits::MAX_TYPE_ARITY`.
    TypeArity = "type-arity", "a function type must not exceed the maximum number of parameters or results";
    /// An import that is not a function.
    ImportKind = "import-kind", "only functions may be imported";
    /// An import from a module other than `zkos`.
    ImportModule = "import-module", "imports must come from module zkos";
    /// An import name that is not an importable host function.
    ImportUnknown = "import-unknown", "imports must name a host function WASM may import";
    /// An import whose type differs from the host function's signature.
    ImportSignature = "import-signature", "an import must have the host function's signature";
    /// A start function.
    StartFunction = "no-start", "a start function is not allowed: contracts run only through exports";
    /// No `memory` export of the memory.
    MissingMemoryExport = "memory-export", "the module must export its memory as memory";
    /// No `call` export of a function.
    MissingCallExport = "call-export", "the module must export a function call";
    /// `call` is not of type `[] -> []`.
    CallSignature = "call-signature", "the call export must have type [] -> []";
    /// `deploy` is not a function of type `[] -> []`.
    DeploySignature = "deploy-signature", "a deploy export must be a function of type [] -> []";
    /// An export or a global named with the reserved `__zkos` prefix.
    ReservedName = "reserved-name", "names starting with __zkos are reserved";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a module is not in the deterministic subset: the rule it breaks, what exactly, and
/// where (the function, absolute index with imports counted, when inside one; the byte
/// offset in the module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    rule: Rule,
    detail: String,
    function: Option<u32>,
    offset: usize,
}

impl ValidationError {
    pub(crate) fn new(rule: Rule, detail: impl Into<String>, offset: usize) -> Self {
        Self(Box::new(Inner { rule, detail: detail.into(), function: None, offset }))
    }

    pub(crate) fn in_function(mut self, index: u32) -> Self {
        self.0.function.get_or_insert(index);
        self
    }

    /// The rule broken.
    pub fn rule(&self) -> Rule {
        self.0.rule
    }

    /// What exactly is wrong, e.g. `float instruction f32.add is not allowed`.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }

    /// The absolute index of the function (imports counted), when inside one.
    pub fn function(&self) -> Option<u32> {
        self.0.function
    }

    /// Byte offset in the module.
    pub fn offset(&self) -> usize {
        self.0.offset
    }
}

/// A wasmparser message on one line: wasmparser pretty-prints some of its messages over
/// several lines (the bad magic number's expected and actual bytes); each run of line
/// breaks and the indentation after it becomes one space. (Names from the module keep
/// their control characters, escaped where the message is printed: [`crate::OneLine`].)
pub(crate) fn parser_message(detail: &str) -> String {
    if !detail.contains(|c: char| c.is_control()) {
        return detail.into();
    }
    let mut out = String::with_capacity(detail.len());
    for part in detail.split(|c: char| c.is_control()).map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        write!(f, "validation failed: {} (rule {}) at ", crate::OneLine(&e.detail), e.rule.name())?;
        if let Some(func) = e.function {
            write!(f, "function {func}, ")?;
        }
        write!(f, "byte offset {:#x}", e.offset)
    }
}

impl core::error::Error for ValidationError {}
