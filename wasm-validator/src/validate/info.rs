//! What validation learns about a module, for the stages after it.

use alloc::string::String;
use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::gas::VALIDATE_BYTE;

/// Limits of a memory (in 64 KiB pages) or a table (in elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Initial size.
    pub initial: u32,
    /// Maximum size (always present in the subset).
    pub maximum: u32,
}

/// The kind of an exported item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

impl core::fmt::Display for ExportKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Func => "function",
            Self::Table => "table",
            Self::Memory => "memory",
            Self::Global => "global",
        })
    }
}

/// One export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// Its name.
    pub name: String,
    /// What it exports.
    pub kind: ExportKind,
    /// The index of the item in its index space.
    pub index: u32,
}

/// A module of the subset, as validation saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Number of function types.
    pub types: u32,
    /// The imported host functions, in import order: import `i` is function `i`.
    pub imports: Vec<HostFn>,
    /// Number of functions defined by the module (after the imports in the index space).
    pub functions: u32,
    /// Number of globals.
    pub globals: u32,
    /// The memory.
    pub memory: Limits,
    /// The table, if any.
    pub table: Option<Limits>,
    /// Number of element segments.
    pub element_segments: u32,
    /// Number of data segments.
    pub data_segments: u32,
    /// Every export, in order.
    pub exports: Vec<Export>,
    /// Index of the function exported as `call`.
    pub call: u32,
    /// Index of the function exported as `deploy`, if any.
    pub deploy: Option<u32>,
    /// Whether the module exports `deploy` (same as `deploy.is_some()`).
    pub has_deploy: bool,
    /// Size of the module in bytes.
    pub code_size: usize,
}

impl ModuleInfo {
    /// Number of imported functions.
    pub fn imported_functions(&self) -> u32 {
        u32::try_from(self.imports.len()).unwrap_or(u32::MAX)
    }

    /// Number of functions, imported and defined.
    pub fn function_count(&self) -> u32 {
        self.imported_functions().saturating_add(self.functions)
    }

    /// The export named `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }

    /// What validation costs at deployment: [`VALIDATE_BYTE`] per byte of the module.
    pub fn validation_gas(&self) -> u64 {
        u64::try_from(self.code_size).unwrap_or(u64::MAX).saturating_mul(VALIDATE_BYTE)
    }
}
