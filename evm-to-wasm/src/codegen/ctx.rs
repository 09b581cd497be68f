//! Index spaces of the generated module: imported host functions, helper functions, globals.

use super::helpers::Helper;
use core::cell::Cell;
use host_abi::functions::HostFn;

/// Global 0: the gas left (exported as [`host_abi::GAS_GLOBAL_EXPORT`]).
pub const G_GAS: u32 = 0;
/// Global 1: EVM memory size in bytes (a multiple of 32).
pub const G_MSIZE: u32 = 1;
/// Global 2: the gas beyond what the gas global holds (exported as
/// [`host_abi::GAS_RESERVE_EXPORT`]; the engine keeps it), which `GAS` adds.
pub const G_GAS_RESERVE: u32 = 2;

/// Function indices of the module being generated.
pub struct Ctx {
    hosts: alloc::vec::Vec<(HostFn, u32)>,
    helpers: [Option<u32>; Helper::ALL.len()],
    /// Set when code asked for a function that was not declared (a transpiler bug).
    pub missing: Cell<Option<&'static str>>,
}

impl Ctx {
    /// A context with the given imports (in order: their indices are 0..) and helpers (their
    /// indices follow the imports, in [`Helper::ALL`] order).
    pub fn new(hosts: &[HostFn], helpers: &[Helper]) -> Self {
        let hosts: alloc::vec::Vec<_> = hosts.iter().enumerate().map(|(i, f)| (*f, i as u32)).collect();
        let mut table = [None; Helper::ALL.len()];
        let mut next = hosts.len() as u32;
        for h in Helper::ALL {
            if helpers.contains(h) {
                table[*h as usize] = Some(next);
                next += 1;
            }
        }
        Self { hosts, helpers: table, missing: Cell::new(None) }
    }

    /// Index of an imported host function.
    pub fn host(&self, f: HostFn) -> u32 {
        match self.hosts.iter().find(|(g, _)| *g == f) {
            Some((_, i)) => *i,
            None => {
                self.missing.set(Some(f.import_name()));
                0
            }
        }
    }

    /// Index of a helper function.
    pub fn helper(&self, h: Helper) -> u32 {
        match self.helpers[h as usize] {
            Some(i) => i,
            None => {
                self.missing.set(Some(h.name()));
                0
            }
        }
    }

    /// Number of functions before the main one (imports and helpers).
    pub fn main_index(&self) -> u32 {
        self.hosts.len() as u32 + self.helpers.iter().filter(|h| h.is_some()).count() as u32
    }
}
