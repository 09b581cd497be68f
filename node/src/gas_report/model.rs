//! The report every output format draws from: entries (exports or selectors), functions,
//! control-flow graphs, elision statistics.

use std::time::{Duration, Instant};

use wasm_validator::bounds::evm::{self, EvmBound};
use wasm_validator::bounds::{self, elide, Bound, FunctionBounds, Target, Var};
use wasm_validator::flow::ElisionStats;

use super::names;
use crate::error::{Error, Result};

/// What kind of contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// WASM (weights of the metering table).
    Wasm,
    /// EVM bytecode (Ethereum gas).
    Evm,
}

/// A host function (or EVM opcode with a state-dependent cost) on the way.
#[derive(Clone, Debug)]
pub struct HostRow {
    /// Its name.
    pub name: String,
    /// Call sites (or places).
    pub sites: u32,
    /// Worst-case gas of one call, when known.
    pub worst: Option<String>,
}

/// One row: an export, a selector, a function.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Export name, signature or `0x…` selector, `(any calldata)`, or `f12`.
    pub name: String,
    /// The EVM selector.
    pub selector: Option<u32>,
    /// The WASM function index.
    pub function: Option<u32>,
    /// The bound when it is a constant, or its value at the given inputs.
    pub bound: Option<u128>,
    /// The formula, when the bound depends on inputs.
    pub formula: Option<String>,
    /// Why there is no bound.
    pub reason: Option<String>,
    /// The kind of reason (`loop`, `recursion`, ...).
    pub reason_kind: Option<String>,
    /// Where: function (WASM) and byte offset or pc.
    pub location: Option<(Option<u32>, usize)>,
    /// Whether calls may forward gas beyond the bound.
    pub forwards_gas: bool,
    /// Host functions (WASM) or opcodes with state-dependent costs (EVM).
    pub host_calls: Vec<HostRow>,
    /// How unknown lengths were capped.
    pub notes: Vec<String>,
    /// Index of its graph in [`Report::graphs`].
    pub graph: Option<usize>,
    /// A selector row whose bound is the `call` export's (the analysis could not split that
    /// function off the dispatcher).
    pub shared_bound: bool,
    /// Gas measured by `--measure`.
    pub measured: Option<Measured>,
}

/// Gas the contract's frames used for one selector in a block (`--measure`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    /// Transactions.
    pub calls: u32,
    /// Least gas used by one frame (callees included).
    pub min: u64,
    /// Most gas used by one.
    pub max: u64,
    /// How many reverted or failed.
    pub reverted: u32,
}

/// Gas no transaction can use: the block gas limit of the devnet and of Ethereum mainnet
/// (30,000,000). A bound above it holds but means nothing in practice: it is reported as
/// such, not as a usable bound.
pub const PRACTICAL_LIMIT: u128 = 30_000_000;

impl Entry {
    /// Whether its bound is above [`PRACTICAL_LIMIT`] (unbounded in practice).
    pub fn impractical(&self) -> bool {
        self.bound.is_some_and(|b| b > PRACTICAL_LIMIT)
    }
}

/// A node of a drawn graph.
#[derive(Clone, Debug)]
pub struct GNode {
    /// Short label (offset or pc).
    pub label: String,
    /// Gas of the node.
    pub cost: String,
    /// Inside a loop.
    pub in_loop: bool,
    /// Where a bound fails.
    pub unbounded: bool,
    /// Calls a host function.
    pub host: bool,
    /// Leaves the function.
    pub exit: bool,
}

/// A loop of a drawn graph: its node range and what is known.
#[derive(Clone, Debug)]
pub struct GLoop {
    /// First node.
    pub first: usize,
    /// Last node.
    pub last: usize,
    /// Whether its trip count is bounded.
    pub bounded: bool,
    /// The trip count or the reason.
    pub label: String,
}

/// A control-flow graph to draw.
#[derive(Clone, Debug)]
pub struct Graph {
    /// Title.
    pub title: String,
    /// Nodes in code order.
    pub nodes: Vec<GNode>,
    /// Edges: from, to, back edge.
    pub edges: Vec<(usize, usize, bool)>,
    /// Loops.
    pub loops: Vec<GLoop>,
    /// Why it is not drawn (too large).
    pub omitted: Option<String>,
}

/// The whole report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The file.
    pub file: String,
    /// What it holds.
    pub kind: Kind,
    /// Size of the analyzed code.
    pub code_size: usize,
    /// How long the analysis took.
    pub time: Duration,
    /// Exports (WASM) or selectors and any calldata (EVM).
    pub entries: Vec<Entry>,
    /// WASM: one row per function of the embedded ABI (`zkos:abi`), by selector.
    pub selectors: Vec<Entry>,
    /// Every defined function (WASM).
    pub functions: Vec<Entry>,
    /// What metering elision does (WASM).
    pub elision: Option<ElisionStats>,
    /// The inputs formulas were evaluated at.
    pub inputs: Vec<(Var, u128)>,
    /// Graphs.
    pub graphs: Vec<Graph>,
}

/// Largest graph drawn, in nodes.
pub const MAX_DRAWN: usize = 400;

fn bound_fields(e: &mut Entry, b: &Bound, inputs: &[(Var, u128)]) {
    match b {
        Bound::Bounded(f) => match f.as_constant() {
            Some(c) => e.bound = Some(c),
            None => {
                e.formula = Some(f.to_string());
                e.bound = b.eval(inputs);
            }
        },
        Bound::Unbounded(r) => {
            e.reason = Some(r.to_string());
            e.reason_kind = Some(r.kind.name().to_string());
            e.location = Some((Some(r.function), r.offset));
        }
    }
}

fn wasm_entry(name: String, f: &FunctionBounds, inputs: &[(Var, u128)], graph: Option<usize>) -> Entry {
    let mut e = Entry {
        name,
        function: Some(f.index),
        forwards_gas: f.forwards_gas,
        notes: f.notes.clone(),
        graph,
        ..Entry::default()
    };
    bound_fields(&mut e, &f.bound, inputs);
    e.host_calls = f
        .host_calls
        .iter()
        .map(|(h, s)| HostRow {
            name: h.import_name().to_string(),
            sites: s.sites,
            worst: s.worst.as_ref().map(ToString::to_string),
        })
        .collect();
    e
}

fn wasm_graph(f: &FunctionBounds) -> Graph {
    let g = &f.graph;
    let title = match f.names.first() {
        Some(n) => format!("function {} ({n})", f.index),
        None => format!("function {}", f.index),
    };
    let reachable: Vec<usize> = (0..g.nodes.len()).filter(|&i| g.nodes[i].reachable).collect();
    if reachable.len() > MAX_DRAWN {
        return Graph {
            title,
            nodes: Vec::new(),
            edges: Vec::new(),
            loops: Vec::new(),
            omitted: Some(format!("{} blocks: too large to draw", reachable.len())),
        };
    }
    let mut pos = vec![usize::MAX; g.nodes.len()];
    for (k, &i) in reachable.iter().enumerate() {
        pos[i] = k;
    }
    // Where the bound fails inside this function: the header of the loop, or the block
    // holding the operator (or the call that leads to it).
    let bad = f.bound.reason().map(|r| {
        if r.function == f.index {
            match g.loops.iter().find(|l| l.offset == r.offset) {
                Some(l) => g.nodes.get(l.header as usize).map_or(r.offset, |n| n.block.start),
                None => r.offset,
            }
        } else {
            r.via.first().map_or(usize::MAX, |v| v.1)
        }
    });
    let exit = reachable.len();
    let mut nodes: Vec<GNode> = reachable
        .iter()
        .map(|&i| {
            let n = &g.nodes[i];
            let unbounded = !n.blockers.is_empty() || bad.is_some_and(|o| o >= n.block.start && o < n.block.end);
            GNode {
                label: format!("{:#x}", n.block.start),
                cost: format!("{}", n.block.cost),
                in_loop: n.loop_id.is_some(),
                unbounded,
                host: !n.host.is_empty(),
                exit: n.succs.iter().any(|e| e.to == Target::Exit),
            }
        })
        .collect();
    nodes.push(GNode {
        label: String::from("return"),
        cost: String::new(),
        in_loop: false,
        unbounded: false,
        host: false,
        exit: true,
    });
    let mut edges = Vec::new();
    for &i in &reachable {
        for e in &g.nodes[i].succs {
            let to = match e.to {
                Target::Node(t) => pos.get(t as usize).copied().unwrap_or(usize::MAX),
                Target::Exit => exit,
            };
            if to != usize::MAX {
                edges.push((pos[i], to, e.back));
            }
        }
    }
    let loops = g
        .loops
        .iter()
        .filter(|l| g.nodes.get(l.header as usize).is_some_and(|n| n.reachable))
        .map(|l| {
            let first = pos[l.header as usize];
            let last = (l.header..=l.last.max(l.header))
                .rev()
                .find_map(|i| pos.get(i as usize).copied().filter(|p| *p != usize::MAX))
                .unwrap_or(first);
            let (bounded, label) = match &l.trip {
                Ok(t) => (true, format!("≤ {} back edges: {}", t.back_edges, t.how)),
                Err(r) => (false, r.message.clone()),
            };
            GLoop { first, last, bounded, label }
        })
        .collect();
    Graph { title, nodes, edges, loops, omitted: None }
}

/// Function names from the module's name section (`None` where it has none), by absolute
/// index.
fn function_names(wasm: &[u8]) -> std::collections::HashMap<u32, String> {
    let mut out = std::collections::HashMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(wasmparser::Payload::CustomSection(c)) = payload else { continue };
        let wasmparser::KnownCustom::Name(names) = c.as_known() else { continue };
        for name in names.into_iter().flatten() {
            if let wasmparser::Name::Function(map) = name {
                out.extend(map.into_iter().flatten().map(|n| (n.index, n.name.to_string())));
            }
        }
    }
    out
}

/// The selector rows of a module's embedded ABI: each function's signature, selector and
/// bound: the `call` export's bound for calls whose calldata starts with that selector
/// ([`bounds::analyze_assuming`]). Where the analysis could not follow the selector to the
/// dispatcher's comparisons (code other than `#[zkos::contract]`'s or the AssemblyScript
/// transform's may read it in ways it does not follow), the row keeps `call`'s bound and is
/// marked as shared.
fn selector_rows(file: &str, wasm: &[u8], inputs: &[(Var, u128)], call: Option<&Entry>) -> Result<Vec<Entry>> {
    let abi = crate::abi::embedded_abi(wasm).map_err(|e| Error::Config(format!("{file}: {e}")))?;
    let Some(abi) = abi else { return Ok(Vec::new()) };
    let mut rows = Vec::new();
    for f in abi.functions() {
        let sel = u32::from_be_bytes(f.selector().0);
        let own = bounds::analyze_assuming(wasm, &bounds::Assumptions::selector(sel))
            .map_err(|e| Error::Config(format!("{file}: selector 0x{sel:08x}: {e}")))?;
        let mut e = match (own.used, own.bounds.export("call"), call) {
            (true, Some(b), Some(whole)) => wasm_entry(String::new(), b, inputs, whole.graph),
            (_, _, Some(whole)) => Entry { shared_bound: true, ..whole.clone() },
            (_, _, None) => Entry::default(),
        };
        e.name = f.signature();
        e.selector = Some(sel);
        rows.push(e);
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// The report of a WASM module.
pub fn wasm(file: &str, wasm: &[u8], inputs: &[(Var, u128)]) -> Result<Report> {
    wasm_validator::validate::validate(wasm).map_err(|e| Error::Config(format!("{file}: {e}")))?;
    let t = Instant::now();
    let b = bounds::analyze(wasm).map_err(|e| Error::Config(format!("{file}: {e}")))?;
    let time = t.elapsed();
    check_inputs(file, &b.functions, inputs)?;
    let plan = elide::plan_from(&b);
    let names = function_names(wasm);
    let mut graphs = Vec::new();
    let mut functions = Vec::new();
    for f in &b.functions {
        let mut g = wasm_graph(f);
        if let Some(n) = names.get(&f.index) {
            g.title = format!("{} {n}", g.title);
        }
        // The name section's name, else the export's (the SDK's release builds strip names).
        let name = match names.get(&f.index).or(f.names.first()) {
            Some(n) => format!("f{} {n}", f.index),
            None => format!("f{}", f.index),
        };
        graphs.push(g);
        functions.push(wasm_entry(name, f, inputs, Some(graphs.len() - 1)));
    }
    let entries: Vec<Entry> = b
        .exports
        .iter()
        .filter_map(|(name, idx)| {
            let f = b.function(*idx)?;
            let g = idx.checked_sub(b.imported).map(|i| i as usize);
            Some(wasm_entry(name.clone(), f, inputs, g))
        })
        .collect();
    let selectors = selector_rows(file, wasm, inputs, entries.iter().find(|e| e.name == "call"))?;
    Ok(Report {
        file: file.to_string(),
        kind: Kind::Wasm,
        code_size: wasm.len(),
        time,
        entries,
        selectors,
        functions,
        elision: Some(plan.stats),
        inputs: inputs.to_vec(),
        graphs,
    })
}

/// Refuses inputs that no bound depends on, and inputs at which a bound that depends on
/// them no longer fits 128 bits: either would leave the report silently without a value.
fn check_inputs(file: &str, functions: &[FunctionBounds], inputs: &[(Var, u128)]) -> Result<()> {
    let mut used: Vec<Var> = functions.iter().filter_map(|f| f.bound.formula()).flat_map(|f| f.vars()).collect();
    used.sort_unstable();
    used.dedup();
    for (var, value) in inputs {
        if !used.contains(var) {
            let known: Vec<String> = used.iter().map(Var::to_string).collect();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            return Err(Error::Config(format!(
                "--input {var}={value}: no bound of {file} depends on {var} (the inputs its bounds use: {known})"
            )));
        }
    }
    for f in functions {
        let Some(formula) = f.bound.formula().filter(|formula| !formula.is_overflow()) else {
            continue;
        };
        let given = formula.vars().iter().all(|v| inputs.iter().any(|(k, _)| k == v));
        if given && f.bound.eval(inputs).is_none() {
            let at: Vec<String> = inputs.iter().map(|(v, x)| format!("{v}={x}")).collect();
            return Err(Error::Config(format!(
                "--input {}: the bound of function {} ({formula}) does not fit 128 bits there",
                at.join(" --input "),
                f.index
            )));
        }
    }
    Ok(())
}

fn evm_graph(title: String, b: &EvmBound) -> Graph {
    // One node per block (states of the same block merged), in pc order.
    let mut starts: Vec<u32> = b.graph.iter().map(|n| n.start).collect();
    starts.sort_unstable();
    starts.dedup();
    if starts.len() > MAX_DRAWN {
        return Graph {
            title,
            nodes: Vec::new(),
            edges: Vec::new(),
            loops: Vec::new(),
            omitted: Some(format!("{} blocks: too large to draw", starts.len())),
        };
    }
    let at = |pc: u32| starts.binary_search(&pc).unwrap_or(0);
    let bad = b.bound.as_ref().err().map(|r| r.pc);
    let mut nodes: Vec<GNode> = starts
        .iter()
        .map(|&pc| GNode {
            label: format!("{pc:#x}"),
            cost: String::new(),
            in_loop: false,
            unbounded: false,
            host: false,
            exit: false,
        })
        .collect();
    let mut edges: Vec<(usize, usize, bool)> = Vec::new();
    let mut gas = vec![0u128; starts.len()];
    for n in &b.graph {
        let i = at(n.start);
        gas[i] = gas[i].max(n.gas);
        nodes[i].in_loop |= n.in_loop;
        nodes[i].unbounded |= bad.is_some_and(|pc| pc >= n.start && pc < n.end);
        nodes[i].exit |= n.succs.is_empty();
        for &s in &n.succs {
            let t = &b.graph[s as usize];
            let j = at(t.start);
            // A back edge closes a cycle: both ends on one, going to a lower address.
            let back = n.in_loop && t.in_loop && t.start <= n.start;
            if !edges.contains(&(i, j, back)) {
                edges.push((i, j, back));
            }
        }
    }
    for (n, g) in nodes.iter_mut().zip(gas) {
        n.cost = g.to_string();
    }
    Graph { title, nodes, edges, loops: Vec::new(), omitted: None }
}

fn evm_entry(name: String, b: &EvmBound, graph: usize) -> Entry {
    let mut e =
        Entry { name, selector: b.selector, forwards_gas: b.forwards_gas, graph: Some(graph), ..Entry::default() };
    match &b.bound {
        Ok(v) => e.bound = Some(*v),
        Err(r) => {
            e.reason = Some(r.to_string());
            e.reason_kind = Some(
                if r.message.starts_with("loop") {
                    "loop"
                } else if r.message.contains("memory") {
                    "memory"
                } else if r.message.contains("jump") {
                    "dynamic-jump"
                } else {
                    "too-complex"
                }
                .to_string(),
            );
            e.location = Some((None, r.pc as usize));
        }
    }
    e.host_calls = b
        .dynamic
        .iter()
        .map(|(o, worst, sites)| HostRow {
            name: evm::opcode_name(*o).to_string(),
            sites: *sites,
            worst: Some(worst.to_string()),
        })
        .collect();
    if b.memory > 0 {
        e.notes.push(format!(
            "memory up to {} bytes: {} gas of expansion included",
            b.memory,
            evm::memory_cost(b.memory)
        ));
    }
    e
}

/// The report of EVM bytecode; `abi` names selectors.
pub fn evm(file: &str, code: &[u8], abi: &[(u32, String)]) -> Report {
    let t = Instant::now();
    let (any, per) = evm::analyze(code);
    let time = t.elapsed();
    let mut graphs = Vec::new();
    let mut entries = Vec::new();
    for b in &per {
        let sel = b.selector.unwrap_or(0);
        let name = names::name(sel, abi).unwrap_or_else(|| format!("0x{sel:08x}"));
        graphs.push(evm_graph(format!("{name} (0x{sel:08x})"), b));
        entries.push(evm_entry(name, b, graphs.len() - 1));
    }
    graphs.push(evm_graph(String::from("any calldata"), &any));
    entries.push(evm_entry(String::from("(any calldata)"), &any, graphs.len() - 1));
    Report {
        file: file.to_string(),
        kind: Kind::Evm,
        code_size: code.len(),
        time,
        entries,
        selectors: Vec::new(),
        functions: Vec::new(),
        elision: None,
        inputs: Vec::new(),
        graphs,
    }
}
