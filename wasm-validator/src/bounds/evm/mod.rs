//! Static gas bounds of EVM bytecode, per function selector, in Ethereum gas.
//!
//! EVM code runs as transpiled WASM that charges Ethereum's schedule exactly, so its bounds
//! are computed on the bytecode itself: an abstract interpretation over the basic blocks of
//! [`evm_to_wasm::analyze`], with stack values as intervals of 256-bit words and memory
//! words at constant offsets (so `mload(0x40)`, the free-memory pointer, stays a constant).
//! States are kept apart by the JUMPDEST constants on their stack: the return addresses
//! solc pushes before an internal call, so every call site of an internal function gets its
//! own copy and the `JUMP` back to the caller has a known target.
//!
//! **Per selector.** For a selector `s`, the analysis assumes the calldata is at least four
//! bytes long and starts with `s`: `CALLDATALOAD(0)` is an interval whose top 32 bits are
//! `s`, so solc's dispatcher (`PUSH4 s EQ PUSH2 dest JUMPI` after `CALLDATALOAD(0) SHR 224`,
//! or the older `DIV` by 2^224, or the binary search with `GT`) follows exactly one path to
//! `s`'s function. [`selectors`] finds the candidate selectors (the `PUSH4`s compared with
//! `EQ`).
//!
//! **Bounds.** The worst case of every instruction: the static gas of the opcode table plus
//! cold accesses (EIP-2929), SSTORE setting a fresh slot (22100), copies and hashes per word
//! and LOG per byte at the largest length, EXP at 32 exponent bytes or fewer. Memory
//! expansion is charged once for the highest byte any reachable instruction touches
//! (`3·w + w²/512` for `w` words): a frame's expansion charges add up to exactly that of its
//! final size. Gas forwarded by calls and creates is not part of the bound unless the call's
//! `gas` argument is bounded ([`EvmBound::forwards_gas`]). A cycle in the graph of states (a
//! loop), a jump to a computed address or memory accessed at an unbounded offset makes the
//! selector unbounded, with the pc.

mod exec;
pub mod value;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use evm_to_wasm::analysis::{instructions, Analysis};
use evm_to_wasm::opcodes::op;

pub use exec::{AState, Mode};
use exec::{Next, MEMORY_LIMIT};

/// Most abstract states explored per selector before giving up.
pub const MAX_STATES: usize = 50_000;
/// Updates of one state before its changing values are widened to "any value".
const WIDEN_AFTER: u32 = 4;

/// Why there is no bound, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvmReason {
    /// What.
    pub message: String,
    /// The pc.
    pub pc: u32,
}

impl core::fmt::Display for EvmReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} at pc {:#x}", self.message, self.pc)
    }
}

/// The bound of one entry (a selector, or any calldata).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvmBound {
    /// The selector, or `None` for any calldata.
    pub selector: Option<u32>,
    /// The bound in gas (frame execution, intrinsic gas excluded), or why none.
    pub bound: Result<u128, EvmReason>,
    /// Whether calls or creates may forward gas beyond the bound.
    pub forwards_gas: bool,
    /// Highest memory byte touched (bounded paths).
    pub memory: u64,
    /// Opcodes with state-dependent costs on the way: opcode, worst cost of one, count of
    /// places.
    pub dynamic: Vec<(u8, u128, u32)>,
    /// Abstract states explored.
    pub states: usize,
    /// The states' graph: for each state, its block's pc range, gas, successors.
    pub graph: Vec<StateNode>,
}

/// One abstract state of the graph (a basic block in one context).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateNode {
    /// First pc of the block.
    pub start: u32,
    /// pc after the block.
    pub end: u32,
    /// Worst-case gas of its instructions.
    pub gas: u128,
    /// Successor states.
    pub succs: Vec<u32>,
    /// Whether it is on a cycle.
    pub in_loop: bool,
}

/// The selectors solc's dispatcher compares against: every `PUSH4 x` followed (directly or
/// after one `DUP`) by `EQ`.
pub fn selectors(code: &[u8]) -> Vec<u32> {
    let ins: Vec<_> = instructions(code, 0, u32::try_from(code.len()).unwrap_or(u32::MAX)).collect();
    let mut out = Vec::new();
    for (i, x) in ins.iter().enumerate() {
        if x.op != op::PUSH4 || x.imm.len() != 4 {
            continue;
        }
        let next = ins.get(i + 1).map(|n| n.op);
        let after = ins.get(i + 2).map(|n| n.op);
        let eq = next == Some(op::EQ)
            || (next.is_some_and(|n| (op::DUP1..=op::DUP16).contains(&n)) && after == Some(op::EQ));
        if eq {
            let s = u32::from_be_bytes([x.imm[0], x.imm[1], x.imm[2], x.imm[3]]);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// The bound for one mode.
pub fn bound(code: &[u8], an: &Analysis, mode: Mode) -> EvmBound {
    Explorer::new(code, an, mode).run()
}

/// Bounds for any calldata and for every selector found.
pub fn analyze(code: &[u8]) -> (EvmBound, Vec<EvmBound>) {
    let an = evm_to_wasm::analyze(code);
    let any = bound(code, &an, Mode::Any);
    let per = selectors(code).into_iter().map(|s| bound(code, &an, Mode::Selector(s))).collect();
    (any, per)
}

/// The mnemonic of an opcode (`"?"` for an undefined one).
pub fn opcode_name(o: u8) -> &'static str {
    evm_to_wasm::opcodes::info(o).map_or("?", |i| i.name)
}

/// Gas of memory expansion to `bytes` bytes from zero.
pub fn memory_cost(bytes: u64) -> u128 {
    let w = u128::from(bytes.div_ceil(32));
    u128::from(host_abi::gas::MEMORY_WORD) * w + w * w / u128::from(host_abi::gas::MEMORY_QUAD_DIVISOR)
}

struct NodeData {
    pc: u32,
    end: u32,
    state: AState,
    updates: u32,
    gas: u128,
    succs: Vec<u32>,
    stuck: Option<EvmReason>,
}

struct Explorer<'a> {
    code: &'a [u8],
    an: &'a Analysis,
    mode: Mode,
    nodes: Vec<NodeData>,
    index: BTreeMap<(u32, Vec<u32>), u32>,
    work: VecDeque<u32>,
    queued: Vec<bool>,
    mem_end: Result<u64, EvmReason>,
    forwards: bool,
    dynamic: BTreeMap<(u8, u32), u128>,
}

/// The context key of a state: the JUMPDEST constants on its stack, by position.
fn key(an: &Analysis, pc: u32, st: &AState) -> (u32, Vec<u32>) {
    let mut k = Vec::with_capacity(st.stack.len() + 1);
    k.push(u32::try_from(st.stack.len()).unwrap_or(u32::MAX));
    for v in &st.stack {
        k.push(match v.small() {
            Some(t) if an.is_jumpdest(t) => u32::try_from(t).unwrap_or(u32::MAX),
            _ => u32::MAX,
        });
    }
    (pc, k)
}

impl<'a> Explorer<'a> {
    fn new(code: &'a [u8], an: &'a Analysis, mode: Mode) -> Self {
        Self {
            code,
            an,
            mode,
            nodes: Vec::new(),
            index: BTreeMap::new(),
            work: VecDeque::new(),
            queued: Vec::new(),
            mem_end: Ok(0),
            forwards: false,
            dynamic: BTreeMap::new(),
        }
    }

    /// The node for `st` at `pc` (joined into an existing one with the same context).
    fn visit(&mut self, pc: u32, st: AState) -> Option<u32> {
        let k = key(self.an, pc, &st);
        if let Some(&id) = self.index.get(&k) {
            let n = &mut self.nodes[id as usize];
            let joined = n.state.join(&st);
            if joined != n.state {
                n.updates += 1;
                n.state = if n.updates > WIDEN_AFTER { joined.widen(&n.state) } else { joined };
                if !self.queued[id as usize] {
                    self.queued[id as usize] = true;
                    self.work.push_back(id);
                }
            }
            return Some(id);
        }
        if self.nodes.len() >= MAX_STATES {
            return None;
        }
        let b = self.an.block_at(pc)?;
        let end = self.an.blocks[b].end;
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(NodeData { pc, end, state: st, updates: 0, gas: 0, succs: Vec::new(), stuck: None });
        self.queued.push(true);
        self.index.insert(k, id);
        self.work.push_back(id);
        Some(id)
    }

    fn run(mut self) -> EvmBound {
        let selector = match self.mode {
            Mode::Selector(s) => Some(s),
            Mode::Any => None,
        };
        let empty = AState { stack: Vec::new(), mem: Vec::new() };
        let mut too_many = None;
        if self.code.is_empty() || self.visit(0, empty).is_none() {
            return self.finish(selector, None);
        }
        while let Some(id) = self.work.pop_front() {
            self.queued[id as usize] = false;
            let (pc, end, st) = {
                let n = &self.nodes[id as usize];
                (n.pc, n.end, n.state.clone())
            };
            let an = self.an;
            let ran = exec::run(self.code, pc, end, st, self.mode, &|t| an.is_jumpdest(t));
            self.forwards |= ran.forwards;
            match (&self.mem_end, ran.mem_end) {
                (Ok(cur), Ok(m)) => self.mem_end = Ok((*cur).max(m)),
                (Ok(_), Err((message, pc))) => self.mem_end = Err(EvmReason { message, pc }),
                (Err(_), _) => {}
            }
            for (o, c) in ran.dynamic {
                let e = self.dynamic.entry((o, pc)).or_insert(0);
                *e = (*e).max(c);
            }
            let n = &mut self.nodes[id as usize];
            n.gas = n.gas.max(ran.gas);
            match ran.next {
                Next::End => {}
                Next::Stuck(message, at) => {
                    self.nodes[id as usize].stuck = Some(EvmReason { message, pc: at });
                }
                Next::Go(targets) => {
                    for (t, s) in targets {
                        if u64::from(t) >= self.code.len() as u64 {
                            // Running off the end of the code is STOP.
                            continue;
                        }
                        match self.visit(t, s) {
                            Some(succ) => {
                                let n = &mut self.nodes[id as usize];
                                if !n.succs.contains(&succ) {
                                    n.succs.push(succ);
                                }
                            }
                            None => {
                                too_many = Some(EvmReason {
                                    message: format!(
                                        "more than {MAX_STATES} abstract states (contexts of internal calls)"
                                    ),
                                    pc: t,
                                });
                            }
                        }
                    }
                }
            }
            if too_many.is_some() {
                break;
            }
        }
        self.finish(selector, too_many)
    }

    fn finish(self, selector: Option<u32>, too_many: Option<EvmReason>) -> EvmBound {
        let n = self.nodes.len();
        let succs: Vec<Vec<usize>> = self.nodes.iter().map(|d| d.succs.iter().map(|&s| s as usize).collect()).collect();
        let comps = crate::bounds::callgraph::sccs(n, &succs);
        let mut comp_of = vec![0usize; n];
        let mut cyclic = vec![false; n];
        for (ci, (c, cyc)) in comps.iter().enumerate() {
            for &x in c {
                comp_of[x] = ci;
                cyclic[x] = *cyc;
            }
        }
        let graph: Vec<StateNode> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, d)| StateNode { start: d.pc, end: d.end, gas: d.gas, succs: d.succs.clone(), in_loop: cyclic[i] })
            .collect();
        let mut dynamic: Vec<(u8, u128, u32)> = Vec::new();
        for ((o, _), c) in &self.dynamic {
            match dynamic.iter_mut().find(|(p, _, _)| p == o) {
                Some(e) => {
                    e.1 = e.1.max(*c);
                    e.2 += 1;
                }
                None => dynamic.push((*o, *c, 1)),
            }
        }
        let mut out = EvmBound {
            selector,
            bound: Err(EvmReason { message: String::new(), pc: 0 }),
            forwards_gas: self.forwards,
            memory: *self.mem_end.as_ref().unwrap_or(&0),
            dynamic,
            states: n,
            graph,
        };
        let fail = |r: EvmReason| -> Result<u128, EvmReason> { Err(r) };
        out.bound = if let Some(r) = too_many {
            fail(r)
        } else if let Some(r) = self.nodes.iter().find_map(|d| d.stuck.clone()) {
            fail(r)
        } else if let Err(r) = &self.mem_end {
            fail(r.clone())
        } else if let Some(r) = loop_reason(&self.nodes, &comp_of, &cyclic) {
            fail(r)
        } else if n == 0 {
            Ok(0)
        } else {
            // Longest path: components come callees (successors) first.
            let mut dist = vec![0u128; n];
            for (c, _) in &comps {
                for &x in c {
                    let best = self.nodes[x].succs.iter().map(|&s| dist[s as usize]).max().unwrap_or(0);
                    dist[x] = self.nodes[x].gas.saturating_add(best);
                }
            }
            let mem = self.mem_end.as_ref().map_or(0, |m| *m).min(MEMORY_LIMIT);
            Ok(dist[0].saturating_add(memory_cost(mem)))
        };
        out
    }
}

fn loop_reason(nodes: &[NodeData], comp_of: &[usize], cyclic: &[bool]) -> Option<EvmReason> {
    // The cycle whose blocks start lowest; reported with the pcs it spans.
    let first = (0..nodes.len()).filter(|&i| cyclic[i]).min_by_key(|&i| nodes[i].pc)?;
    let comp = comp_of[first];
    let members: Vec<usize> = (0..nodes.len()).filter(|&i| comp_of[i] == comp).collect();
    let lo = members.iter().map(|&i| nodes[i].pc).min().unwrap_or(0);
    let hi = members.iter().map(|&i| nodes[i].end.saturating_sub(1)).max().unwrap_or(0);
    let mut blocks: Vec<u32> = members.iter().map(|&i| nodes[i].pc).collect();
    blocks.sort_unstable();
    blocks.dedup();
    Some(EvmReason {
        message: format!("loop (a cycle through {} blocks between pc {lo:#x} and pc {hi:#x})", blocks.len()),
        pc: lo,
    })
}
