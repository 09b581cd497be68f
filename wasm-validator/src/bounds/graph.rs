//! The control-flow graph of one function, as the analysis builds it from WASM's structured
//! control flow: one node per basic block of [`crate::flow::basic_blocks`], edges for
//! fall-through and branches, loops with their headers and trip counts.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use host_abi::functions::HostFn;

use super::formula::Formula;
use super::values::Ub;
use crate::flow::Block;

/// Where an edge goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A node of the function.
    Node(u32),
    /// The function returns.
    Exit,
}

/// An edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The target.
    pub to: Target,
    /// A branch back to the header of an enclosing loop.
    pub back: bool,
}

/// A call site.
#[derive(Clone, Debug)]
pub struct Call {
    /// What is called.
    pub target: CallTarget,
    /// Upper bounds of the arguments (`None`: unknown).
    pub args: Vec<Option<Ub>>,
    /// Byte offset of the call.
    pub offset: usize,
}

/// The callee of a call site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTarget {
    /// `call f` of a function defined by the module.
    Direct(u32),
    /// `call_indirect` with this type index.
    Indirect(u32),
}

/// A host-function call and its worst-case cost.
#[derive(Clone, Debug)]
pub struct HostUse {
    /// The function.
    pub f: HostFn,
    /// Byte offset of the call.
    pub offset: usize,
    /// Worst-case gas it charges (without gas forwarded to a callee).
    pub cost: Formula,
    /// Whether it forwards gas to another frame (calls, creates) beyond `cost`.
    pub forwards: bool,
}

/// One node: a basic block and what it does besides its static weight.
#[derive(Clone, Debug)]
pub struct Node {
    /// The basic block.
    pub block: Block,
    /// Whether the analysis found a path from the entry to it.
    pub reachable: bool,
    /// Outgoing edges (none: the path ends here, by a trap or a call that never returns).
    pub succs: Vec<Edge>,
    /// Innermost loop containing the node.
    pub loop_id: Option<u32>,
    /// Gas charged at run time besides the block's weight and calls: host functions,
    /// `memory.grow` pages, bulk lengths (worst case).
    pub extra: Formula,
    /// Calls to functions of the module.
    pub calls: Vec<Call>,
    /// Host-function calls.
    pub host: Vec<HostUse>,
    /// What makes any path through this node unbounded.
    pub blockers: Vec<Reason>,
    /// Notes on how the worst case was bounded (caps).
    pub notes: Vec<String>,
}

/// The trip count of a loop: how many times its back edges are taken per entry.
#[derive(Clone, Debug)]
pub struct Trip {
    /// Upper bound of back edges taken per entry into the loop.
    pub back_edges: Formula,
    /// Upper bounds of loop variables (locals modified in the loop, at its header), used to
    /// bound code inside the loop that depends on them.
    pub var_ubs: Vec<(u32, Formula)>,
    /// How the count was found (for reports).
    pub how: String,
}

/// A loop.
#[derive(Clone, Debug)]
pub struct Loop {
    /// Node of the loop body's first block (entered on every iteration).
    pub header: u32,
    /// Last node of the loop body.
    pub last: u32,
    /// The enclosing loop.
    pub parent: Option<u32>,
    /// Byte offset of the `loop` operator.
    pub offset: usize,
    /// The trip count, or why none was found.
    pub trip: Result<Trip, Reason>,
}

/// The graph of one function.
#[derive(Clone, Debug)]
pub struct FunctionGraph {
    /// Absolute function index.
    pub index: u32,
    /// Number of parameters.
    pub params: u32,
    /// Nodes in code order; node 0 is the entry.
    pub nodes: Vec<Node>,
    /// Loops in code order (ids are indices; inner loops come after their parents).
    pub loops: Vec<Loop>,
}

/// What makes a bound impossible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonKind {
    /// A loop whose trip count is not bounded.
    Loop,
    /// Recursion (a cycle in the call graph).
    Recursion,
    /// `call_indirect` whose possible targets are not all bounded.
    IndirectCall,
    /// A host function whose cost depends on data the analysis cannot bound.
    HostCall,
    /// `memory.grow` by an unknown number of pages.
    MemoryGrow,
    /// A call passes a value the callee's bound depends on that is not bounded.
    Argument,
    /// The bound exceeds 2^128.
    Overflow,
}

impl ReasonKind {
    /// Short stable name (for JSON).
    pub fn name(self) -> &'static str {
        match self {
            Self::Loop => "loop",
            Self::Recursion => "recursion",
            Self::IndirectCall => "indirect-call",
            Self::HostCall => "host-call",
            Self::MemoryGrow => "memory-grow",
            Self::Argument => "argument",
            Self::Overflow => "overflow",
        }
    }
}

/// Why a function has no bound, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The kind.
    pub kind: ReasonKind,
    /// What exactly.
    pub message: String,
    /// The function where it is (absolute index).
    pub function: u32,
    /// Byte offset in the module.
    pub offset: usize,
    /// The calls that lead from the reported function to `function`: (caller, offset).
    pub via: Vec<(u32, usize)>,
}

impl Reason {
    /// A reason at a place.
    pub fn new(kind: ReasonKind, message: String, function: u32, offset: usize) -> Self {
        Self { kind, message, function, offset, via: Vec::new() }
    }

    /// The same reason seen from a caller: `caller` calls at `offset`.
    pub fn through(&self, caller: u32, offset: usize) -> Self {
        let mut r = self.clone();
        r.via.insert(0, (caller, offset));
        r
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at function {}, offset {:#x}", self.message, self.function, self.offset)?;
        if !self.via.is_empty() {
            f.write_str(" (through the call")?;
            if self.via.len() > 1 {
                f.write_str("s")?;
            }
            for (i, (func, off)) in self.via.iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                write!(f, "{sep}at function {func} offset {off:#x}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}
