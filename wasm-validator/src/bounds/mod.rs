//! Static gas bounds of WASM contracts: for every function and export, a proven upper bound
//! on the gas it charges, a formula in named inputs, or "unbounded" with the reason and the
//! place.
//!
//! The analysis reads a **validated, unmetered** module (the metered module charges exactly
//! the same: the weights are those of [`crate::flow::op_class`] over the same
//! [`crate::flow::basic_blocks`], one source of truth; metering's injected code is not
//! charged). For each function it builds the control-flow graph from WASM's structured
//! control flow, runs symbolic values along it to find loop trip counts and the arguments
//! of calls and host functions (`walk`), then computes the longest path with loops
//! collapsed ([`cost`]), bottom-up over the call graph so a call costs the callee's bound
//! with the call's arguments substituted. Linear in code size, up to the size of the
//! formulas.
//!
//! What is bounded: acyclic code; loops whose back edges are guarded by a counter compared
//! against a constant or a named input ([`trip`]), or against a value that facts known on
//! the back edge bound (a length compared with a constant before the loop bounds
//! `(len + 31) >> 5` after it; `len.min(c)` as `select` is at most `c`); calls to bounded
//! functions;
//! `call_indirect` when every function of its type in the table is bounded; host functions
//! at their worst case ([`host`]). What is not: recursion, loops with no recognized counter,
//! `memory.grow` by an unknown number of pages, host functions whose gas depends on
//! memory contents (modexp, blake2f), each reported with the function and byte offset.
//!
//! **What a bound means.** A bound `B` holds for every execution that returns or reverts:
//! it is charged at most `B` (evaluated at the actual inputs), counting the static weights,
//! the declared locals of every function called (paid on entry, see
//! [`crate::flow::blocks`]), the run-time charges of `memory.grow` and bulk operations and
//! host functions at their worst case. Gas forwarded by `call`, `create` and their kin to another frame is not part
//! of `B` unless the `gas` argument is bounded (below 2^32); [`FunctionBounds::forwards_gas`] says when
//! the callee's consumption (at most the caller's gas limit) comes on top. A trap ends the
//! call consuming all its gas whatever `B` says. The bound of an exported function is that
//! of a frame entering the module there: it also counts what the frame pays for the
//! module's initial memory before its code runs ([`ModuleBounds::entry_gas`]).
//!
//! ```
//! let wasm = wat::parse_str(r#"(module
//!     (import "zkos" "calldata_size" (func $size (result i32)))
//!     (memory (export "memory") 1 1)
//!     (func (export "call") (local $i i32) (local $n i32)
//!         (local.set $n (call $size))
//!         (block $done (loop $next
//!             (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
//!             (local.set $i (i32.add (local.get $i) (i32.const 1)))
//!             (br $next)))))"#).unwrap();
//! wasm_validator::validate::validate(&wasm).unwrap();
//! let report = wasm_validator::bounds::analyze(&wasm).unwrap();
//! let call = report.export("call").unwrap();
//! let bound = call.bound.formula().unwrap();
//! // The entry pays for the two declared locals too (host_abi::gas::DECLARED_LOCAL each).
//! assert_eq!(bound.to_string(), "17 + 9·calldata_size");
//! assert_eq!(call.bound.eval(&[(wasm_validator::bounds::Var::CalldataSize, 100)]), Some(917));
//! ```

mod callgraph;
pub mod cost;
pub mod elide;
mod error;
pub mod evm;
pub mod formula;
pub mod graph;
pub mod host;
mod module;
mod ops;
mod state;
pub mod trip;
pub mod values;
mod walk;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use host_abi::functions::HostFn;

pub use cost::HostSummary;
pub use error::BoundsError;
pub use formula::{Formula, Ratio, Var};
pub use graph::{CallTarget, Edge, FunctionGraph, Loop, Node, Reason, ReasonKind, Target, Trip};

/// The bound of a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    /// At most this formula (in the function's parameters `p0..` and named inputs).
    Bounded(Formula),
    /// No bound: why, and where.
    Unbounded(Reason),
}

impl Bound {
    /// The formula, if bounded.
    pub fn formula(&self) -> Option<&Formula> {
        match self {
            Self::Bounded(f) => Some(f),
            Self::Unbounded(_) => None,
        }
    }

    /// The constant bound, if bounded by a constant.
    pub fn constant(&self) -> Option<u128> {
        self.formula().and_then(Formula::as_constant)
    }

    /// The reason, if unbounded.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Self::Bounded(_) => None,
            Self::Unbounded(r) => Some(r),
        }
    }

    /// The bound for given input values (`None` if unbounded or an input is missing).
    pub fn eval(&self, inputs: &[(Var, u128)]) -> Option<u128> {
        self.formula()?.eval(|v| inputs.iter().find(|(k, _)| *k == v).map(|(_, x)| *x))
    }
}

/// The bound of one function.
#[derive(Clone, Debug)]
pub struct FunctionBounds {
    /// Absolute function index.
    pub index: u32,
    /// The names it is exported under.
    pub names: Vec<String>,
    /// The bound. For an exported function, of a frame that enters at it: the function's
    /// code and the module's [`ModuleBounds::entry_gas`].
    pub bound: Bound,
    /// Whether calls or creates reachable from it forward gas to other frames beyond the
    /// bound (the callee's use, at most the caller's gas limit).
    pub forwards_gas: bool,
    /// Host functions reachable from it, with call sites and worst-case cost per call.
    pub host_calls: Vec<(HostFn, HostSummary)>,
    /// How unknown lengths were capped.
    pub notes: Vec<String>,
    /// Whether it is part of a cycle of calls.
    pub recursive: bool,
    /// Its control-flow graph (nodes, loops, trip counts).
    pub graph: FunctionGraph,
}

/// The bounds of a module.
#[derive(Clone, Debug)]
pub struct ModuleBounds {
    /// Number of imported functions (defined functions start at this index).
    pub imported: u32,
    /// Every defined function, in index order.
    pub functions: Vec<FunctionBounds>,
    /// Exported functions: name and index.
    pub exports: Vec<(String, u32)>,
    /// The memory's maximum size in bytes.
    pub memory_max: u64,
    /// What every frame of the module pays for its initial memory before its code runs
    /// ([`host_abi::gas::initial_memory_gas`] of the pages the module declares), counted in
    /// the bound of each export.
    pub entry_gas: u64,
}

impl ModuleBounds {
    /// The function with absolute index `index`.
    pub fn function(&self, index: u32) -> Option<&FunctionBounds> {
        let i = index.checked_sub(self.imported)?;
        self.functions.get(usize::try_from(i).ok()?)
    }

    /// The function exported as `name`.
    pub fn export(&self, name: &str) -> Option<&FunctionBounds> {
        let (_, f) = self.exports.iter().find(|(n, _)| n == name)?;
        self.function(*f)
    }
}

/// The bit pattern of an `i32` constant, zero-extended.
pub(crate) fn bits32(v: i32) -> u64 {
    u64::from(u32::from_ne_bytes(v.to_ne_bytes()))
}

/// The bit pattern of an `i64` constant.
pub(crate) fn bits64(v: i64) -> u64 {
    u64::from_ne_bytes(v.to_ne_bytes())
}

/// What the analysis may take as known about a call, to bound one kind of call instead of
/// every call: [`analyze_assuming`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assumptions {
    /// The first bytes of the calldata: a function selector, for the bound of a call of that
    /// function.
    pub calldata_prefix: Vec<u8>,
}

impl Assumptions {
    /// Calls whose calldata starts with `selector` (big-endian, as the ABI writes it).
    pub fn selector(selector: u32) -> Self {
        Self { calldata_prefix: selector.to_be_bytes().to_vec() }
    }
}

/// The bounds under assumptions ([`analyze_assuming`]).
#[derive(Clone, Debug)]
pub struct Assumed {
    /// The bounds.
    pub bounds: ModuleBounds,
    /// Whether the assumptions told the analysis anything: a load of calldata bytes they
    /// give, and a branch that a known condition decided. Without that, the bounds are
    /// those of [`analyze`] (the code reads the selector in a way the analysis does not
    /// follow).
    pub used: bool,
}

/// Analyzes a module the validator accepted (see the module docs).
pub fn analyze(wasm: &[u8]) -> Result<ModuleBounds, BoundsError> {
    analyze_assuming(wasm, &Assumptions::default()).map(|a| a.bounds)
}

/// [`analyze`] for the calls that satisfy `assume`: the bounds hold for every such call
/// (of the `call` export: calldata means nothing to `deploy`'s callers).
///
/// Calldata is the same for every function a frame runs, so a load of calldata bytes the
/// assumptions give (through memory a `calldata_copy` filled, at a constant address or at a
/// constant distance from the same stack pointer) is that constant, and a branch on a
/// condition that is then constant follows one side: a dispatcher that compares the
/// selector against its functions' selectors reaches only the one called. Code that reads
/// the selector some other way gets the bounds of [`analyze`] (sound, not split).
///
/// ```
/// let wasm = wat::parse_str(r#"(module
///     (import "zkos" "calldata_copy" (func $copy (param i32 i32 i32)))
///     (memory (export "memory") 1 1)
///     (func (export "call") (local $i i32)
///         (call $copy (i32.const 0) (i32.const 0) (i32.const 4))
///         (if (i32.eq (i32.load (i32.const 0)) (i32.const 0x04030201))
///             (then (loop $l   ;; a long loop behind selector 0x01020304 only
///                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
///                 (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))))))"#).unwrap();
/// wasm_validator::validate::validate(&wasm).unwrap();
/// use wasm_validator::bounds::{analyze, analyze_assuming, Assumptions};
/// let all = analyze(&wasm).unwrap().export("call").unwrap().bound.constant().unwrap();
/// let short = analyze_assuming(&wasm, &Assumptions::selector(0xaabbccdd)).unwrap();
/// let long = analyze_assuming(&wasm, &Assumptions::selector(0x04030201u32.swap_bytes())).unwrap();
/// assert!(short.used && long.used);
/// let (short, long) = (short.bounds.export("call").unwrap().bound.constant().unwrap(),
///                      long.bounds.export("call").unwrap().bound.constant().unwrap());
/// assert!(short < 100 && long == all && all > 1000, "{short} {long} {all}");
/// ```
pub fn analyze_assuming(wasm: &[u8], assume: &Assumptions) -> Result<Assumed, BoundsError> {
    let mut m = module::parse(wasm)?;
    m.calldata_prefix.clone_from(&assume.calldata_prefix);
    let imported = m.imported();
    let mut graphs = Vec::with_capacity(m.bodies.len());
    for (body, index) in m.bodies.iter().zip(imported..) {
        let blocks = crate::flow::basic_blocks(body).map_err(|e| BoundsError::from(e).in_function(index))?;
        graphs.push(walk::walk(&m, index, body, &blocks)?);
    }
    // Call graph over defined functions (local indices).
    let n = graphs.len();
    let local = |f: u32| f.checked_sub(imported).map(|i| i as usize).filter(|&i| i < n);
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, g) in graphs.iter().enumerate() {
        for node in g.nodes.iter().filter(|n| n.reachable) {
            for c in &node.calls {
                let targets = match c.target {
                    CallTarget::Direct(f) => vec![f],
                    CallTarget::Indirect(ty) => cost::indirect_targets(&m, ty),
                };
                succs[i].extend(targets.into_iter().filter_map(local));
            }
        }
        succs[i].sort_unstable();
        succs[i].dedup();
    }
    let comps = callgraph::sccs(n, &succs);
    let mut comp_of = vec![0usize; n];
    let mut cyclic = vec![false; n];
    for (ci, (comp, cyc)) in comps.iter().enumerate() {
        for &f in comp {
            comp_of[f] = ci;
            cyclic[f] = *cyc;
        }
    }
    let mut summaries: Vec<Option<cost::Summary>> = vec![None; imported as usize + n];
    for (ci, (comp, _)) in comps.iter().enumerate() {
        for &f in comp {
            let g = &graphs[f];
            let same = |callee: u32| local(callee).is_some_and(|c| comp_of[c] == ci && cyclic[c]);
            let s = cost::summarize(&m, g, &summaries, &same);
            summaries[imported as usize + f] = Some(s);
        }
    }
    let entry_gas = host_abi::gas::initial_memory_gas(m.memory_initial_pages);
    let mut functions = Vec::with_capacity(n);
    for (i, g) in graphs.into_iter().enumerate() {
        let index = imported + u32::try_from(i).unwrap_or(u32::MAX);
        let s = summaries[imported as usize + i].take().unwrap_or_else(|| {
            cost::Summary::unbounded(Reason::new(ReasonKind::Recursion, String::from("not analyzed"), index, 0))
        });
        let names: Vec<String> = m.exports.iter().filter(|(_, f)| *f == index).map(|(name, _)| name.clone()).collect();
        // A frame enters at an export after paying for its initial memory.
        let entry = if names.is_empty() { 0 } else { u128::from(entry_gas) };
        functions.push(FunctionBounds {
            index,
            names,
            bound: match s.bound {
                Ok(f) if entry > 0 => Bound::Bounded(f.add_const(entry).round_up_constant()),
                Ok(f) => Bound::Bounded(f.round_up_constant()),
                Err(r) => Bound::Unbounded(r),
            },
            forwards_gas: s.forwards,
            host_calls: s.host.into_iter().filter_map(|(n, h)| HostFn::from_number(n).map(|f| (f, h))).collect(),
            notes: s.notes,
            recursive: cyclic[i],
            graph: g,
        });
    }
    let (loads, branches) = m.used.get();
    let bounds =
        ModuleBounds { imported, functions, exports: m.exports.clone(), memory_max: m.memory_max_bytes, entry_gas };
    Ok(Assumed { bounds, used: loads > 0 && branches > 0 })
}
