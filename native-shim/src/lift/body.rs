//! `run`: the whole program as one function, started at the address in the global
//! `START`. It is a leaf (it calls host functions only): an `ecall` that needs more
//! (`write`, `brk`, a number not known here, a failure message) saves the registers in
//! globals and returns a [`Request`] to the export's driver, which serves it and calls
//! `run` again to resume after the `ecall` (a block start, see [`crate::cfg::resumes`]).
//!
//! Registers `x1..x31` are `i64` locals, the most used first (rv-backend keeps a leaf
//! function's first 16 or 17 locals in machine registers: [`fast_locals`]), each outermost
//! loop with its own choice of them ([`Locals`]); `x0` reads as 0 and writes to it are
//! dropped. Control flow:
//!
//! ```text
//! block $trap
//!  block $bad            ;; after it: pc 0 (the return address of the entry) is exit(0)
//!   loop $dyn            ;; pc → word index (to $bad outside the text or misaligned)
//!     loop $idx          ;; word index → region: br_table over every word of the text
//!       block $r[G-1] … block $r[0] (br_table) end  region 0  end  region 1 …
//!                        ;; region: loop $l (block $i[K-1] … block $i[0] (br_table) end
//!                        ;;          item 0 end item 1 …) end
//!                        ;; item: a block's code, or loop $head (block $i[m-1] … block
//!                        ;;       $i[1] item 0 end item 1 …) end
//! ```
//!
//! A region holds consecutive blocks (cut at function starts); its `br_table` maps each
//! word to the item starting there, or to `$trap`. A transfer whose target's label is in
//! scope (a later item of an enclosing sequence, the header of an enclosing loop) is a plain
//! `br` (fallthrough is free); any other sets the index (from the region's first word
//! within a region, else the word index) and branches to the region's loop (same region),
//! that region's entry (a later one, which subtracts its first word) or `$idx` (an
//! earlier one). An
//! indirect jump (`jalr`) whose target the lifter does not know goes through `$dyn`.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::limits::MAX_NESTING;
use rv_machine::isa::{Inst, Opcode, Reg};
use wasm_encoder::{BlockType, Function, InstructionSink, ValType};

use super::helpers::{exit_inline, memarg, read_inline, Cx};
use super::host::{push_args, widen_result};
use super::{globals, Request};
use crate::cfg::{direct_target, Known, Program};
use crate::elf::Elf;
use crate::error::{Location, Rule, ShimError};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Trap,
    Dyn,
    /// A dynamic target outside the text or misaligned (pc 0 is exit(0)).
    Bad,
    Idx,
    Region(usize),
    Loop(usize),
    /// The start of an item (a block or a loop) of a sequence; by its first block.
    Item(usize),
    /// A loop's header, by its block (the target of its back edges).
    Head(usize),
    Other,
}

struct Region {
    /// Word index of its first block.
    first: u64,
    /// Word index past its last block.
    end: u64,
    /// Global block indices, by address.
    blocks: Vec<usize>,
}

/// What a sequence of a region holds: a block, or a loop (its header block and its body's
/// items, the header first). A loop is a run of blocks of one region with a back edge to its
/// first (the header) that nothing enters but through the header: no direct edge from
/// outside into its other blocks, none of them an indirect-jump target, every back edge
/// inside it to a loop taken too. Its back edges are `br`s to the `loop` label.
#[derive(Clone, Debug)]
enum Item {
    Block(usize),
    Loop(usize, Vec<Item>),
}

impl Item {
    /// Its first block.
    fn first(&self) -> usize {
        match self {
            Item::Block(b) | Item::Loop(b, _) => *b,
        }
    }
}

/// The items of `blocks[lo..hi]`, with `loops` (position ranges, sorted by start, outer
/// first) nested.
fn nest(blocks: &[usize], loops: &[(usize, usize)], lo: usize, hi: usize) -> Vec<Item> {
    let mut items = Vec::new();
    let mut p = lo;
    while p < hi {
        match loops.iter().find(|&&(a, b)| a == p && b < hi) {
            Some(&(a, b)) => {
                let inner: Vec<(usize, usize)> =
                    loops.iter().copied().filter(|&(c, d)| c >= a && d <= b && (c, d) != (a, b)).collect();
                let mut body = vec![Item::Block(blocks[a])];
                body.extend(nest(blocks, &inner, a + 1, b + 1));
                items.push(Item::Loop(blocks[a], body));
                p = b + 1;
            }
            None => {
                items.push(Item::Block(blocks[p]));
                p += 1;
            }
        }
    }
    items
}

/// The values the lifter keeps in locals: registers `x1..x31` (by number), then its own.
const PC: usize = 32;
const IDX: usize = 33;
const T0: usize = 34;
const ADDR: usize = 35;
const VALUES: usize = 36;

/// Locals rv-backend keeps in machine registers: a function's first twelve in callee-saved
/// registers, and in a leaf function (`run` is one) before them as many as its free
/// caller-saved registers: `a6` and `t3..t6` where the operand stack never reaches them
/// (`a6` is the seventh place). `run`'s stack stays within six places but where a host
/// function takes six arguments (the last an address: seven for a moment).
fn fast_locals(six_args: bool) -> u32 {
    if six_args {
        16
    } else {
        17
    }
}

/// Where each value lives: a local index per value.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Mapping([u32; VALUES]);

/// Where the registers and the lifter's own values live. The *global* mapping gives the most
/// used values (static uses over the program) the first locals, which rv-backend keeps in
/// machine registers. Each outermost loop (an [`Item::Loop`] of a region's sequence) has its
/// own mapping: the registers its body uses most (nested loops weighing more) take the fast
/// locals of the global mapping's least used ones there, moved in at the loop's entry (its
/// header, which control enters only from before the loop) and back at every exit.
struct Locals {
    global: Mapping,
    /// Per outermost loop, its mapping and the registers its body writes.
    loops: Vec<(Mapping, [bool; 32])>,
    decls: Vec<(u32, ValType)>,
    /// How many of the first locals are in machine registers ([`fast_locals`]).
    fast: u32,
}

/// Adds `w` per static use of each value by `inst` to `uses`.
fn count_uses(inst: &Inst, uses: &mut [u64; VALUES], w: u64) {
    let regs: [Option<Reg>; 3] = match *inst {
        Inst::R { rd, rs1, rs2, op } => {
            if matches!(
                op,
                Opcode::Div
                    | Opcode::Divu
                    | Opcode::Rem
                    | Opcode::Remu
                    | Opcode::Divw
                    | Opcode::Divuw
                    | Opcode::Remw
                    | Opcode::Remuw
                    | Opcode::Mulh
                    | Opcode::Mulhu
                    | Opcode::Mulhsu
            ) {
                uses[T0] += 2 * w;
            }
            [Some(rd), Some(rs1), Some(rs2)]
        }
        Inst::I { op, rd, rs1, .. } => {
            if op == Opcode::Jalr {
                uses[PC] += 2 * w;
                uses[IDX] += w;
            }
            if op.is_load() {
                uses[ADDR] += w;
            }
            [Some(rd), Some(rs1), None]
        }
        Inst::Shift { rd, rs1, .. } => [Some(rd), Some(rs1), None],
        Inst::S { rs1, rs2, .. } => {
            uses[ADDR] += w;
            [Some(rs1), Some(rs2), None]
        }
        Inst::B { rs1, rs2, .. } => {
            uses[IDX] += w;
            [Some(rs1), Some(rs2), None]
        }
        Inst::U { rd, .. } | Inst::J { rd, .. } => {
            uses[IDX] += w;
            [Some(rd), None, None]
        }
        Inst::Sys { .. } => [Some(Reg::A0), Some(Reg::A1), Some(Reg::A7)],
        Inst::Fence { .. } => [None; 3],
    };
    for r in regs.into_iter().flatten() {
        uses[usize::from(r.index())] += w;
    }
    uses[0] = 0;
}

/// A loop's register gains at least this much (weighted uses in its body) over the register
/// it evicts: moving them in and out costs about four moves per entry.
const SWAP_GAIN: u64 = 3;

impl Locals {
    /// The global mapping (see [`Locals`]) and the declarations of its locals. (Counting
    /// only the uses outside the outermost loops, which have their own mappings, measured
    /// worse: 2.37x against 2.36x on `zkos bench native`.)
    fn new(prog: &Program, fast: u32) -> Self {
        let mut uses = [0u64; VALUES];
        for inst in &prog.text.insts {
            count_uses(inst, &mut uses, 1);
        }
        // Each base register wrapped once serves about two accesses.
        uses[ADDR] /= 2;
        let mut order: Vec<usize> = (1..VALUES).collect();
        order.sort_by_key(|&k| (core::cmp::Reverse(uses[k]), k));
        let mut at = [0u32; VALUES];
        let mut decls: Vec<(u32, ValType)> = Vec::new();
        for (i, &k) in order.iter().enumerate() {
            at[k] = i as u32;
            let ty = if k == IDX || k == ADDR { ValType::I32 } else { ValType::I64 };
            push_decl(&mut decls, ty);
        }
        Self { global: Mapping(at), loops: Vec::new(), decls, fast }
    }

    /// Adds the mapping of the next outermost loop, whose body's blocks are `body` (block,
    /// loop depth from 1).
    fn add_loop(&mut self, prog: &Program, body: &[(usize, u32)], homes: &mut [Option<u32>; VALUES]) {
        let mut uses = [0u64; VALUES];
        let mut written_regs = [false; 32];
        for &(b, depth) in body {
            let blk = prog.blocks[b];
            let w = 8u64.pow(depth.min(6) - 1);
            for inst in &prog.text.insts[blk.start..blk.end] {
                count_uses(inst, &mut uses, w);
                if let Some(r) = written(inst) {
                    written_regs[usize::from(r.index())] = true;
                }
            }
        }
        let g = self.global.0;
        let movable = |v: usize| (1..32).contains(&v) || v == T0;
        // The fast locals' holders, least used here first; the others, most used first.
        let mut victims: Vec<usize> = (1..VALUES).filter(|&v| movable(v) && g[v] < self.fast).collect();
        victims.sort_by_key(|&v| (uses[v], v));
        let mut wanted: Vec<usize> = (1..VALUES).filter(|&v| movable(v) && g[v] >= self.fast).collect();
        wanted.sort_by_key(|&v| (core::cmp::Reverse(uses[v]), v));
        let mut m = g;
        for (&e, &r) in victims.iter().zip(&wanted) {
            if uses[r] < uses[e] + SWAP_GAIN {
                break;
            }
            m[r] = g[e];
            m[e] = *homes[e].get_or_insert_with(|| {
                push_decl(&mut self.decls, ValType::I64);
                self.decls.iter().map(|d| d.0).sum::<u32>() - 1
            });
        }
        self.loops.push((Mapping(m), written_regs));
    }
}

fn push_decl(decls: &mut Vec<(u32, ValType)>, ty: ValType) {
    match decls.last_mut() {
        Some((n, t)) if *t == ty => *n += 1,
        _ => decls.push((1, ty)),
    }
}

/// How far ahead a load or store looks for another on the same base register.
const ADDR_LOOKAHEAD: usize = 32;

/// The register an instruction writes, if any (`ecall`: `a0`).
fn written(inst: &Inst) -> Option<Reg> {
    match *inst {
        Inst::R { rd, .. } | Inst::I { rd, .. } | Inst::Shift { rd, .. } | Inst::U { rd, .. } | Inst::J { rd, .. } => {
            Some(rd)
        }
        Inst::Sys { .. } => Some(Reg::A0),
        Inst::S { .. } | Inst::B { .. } | Inst::Fence { .. } => None,
    }
}

/// A `mul` and a `mulhu` (or `mulh`) of the same operands next to each other: one
/// `i64.mul_wide_u` (`_s`) gives both halves.
struct WidePair {
    a: Reg,
    b: Reg,
    signed: bool,
    hi: Reg,
    lo: Reg,
}

/// The pair `first; second` as one wide multiplication, when the first writes neither
/// operand and the two write different registers, neither `x0`.
fn wide_pair(first: &Inst, second: &Inst) -> Option<WidePair> {
    let (&Inst::R { op: o1, rd: d1, rs1: a, rs2: b }, &Inst::R { op: o2, rd: d2, rs1: c, rs2: d }) = (first, second)
    else {
        return None;
    };
    let same = (a, b) == (c, d) || (a, b) == (d, c);
    if !same || d1 == a || d1 == b || d1 == d2 || d1 == Reg::ZERO || d2 == Reg::ZERO {
        return None;
    }
    let high = |o: Opcode| matches!(o, Opcode::Mulhu | Opcode::Mulh);
    let (hi, lo, high_op) = match (o1, o2) {
        (Opcode::Mul, o) if high(o) => (d2, d1, o),
        (o, Opcode::Mul) if high(o) => (d1, d2, o),
        _ => return None,
    };
    Some(WidePair { a, b, signed: high_op == Opcode::Mulh, hi, lo })
}

/// The base register of a load or store.
fn mem_base(inst: &Inst) -> Option<Reg> {
    match *inst {
        Inst::I { op, rs1, .. } if op.is_load() => Some(rs1),
        Inst::S { rs1, .. } => Some(rs1),
        _ => None,
    }
}

struct Body<'a> {
    prog: &'a Program,
    cx: &'a Cx<'a>,
    f: Function,
    ctl: Vec<Label>,
    text_start: u64,
    regions: Vec<Region>,
    /// The instruction being lowered.
    current: usize,
    /// Messages for the debug output (the driver writes them: [`Request::Fail`]).
    messages: Vec<Vec<u8>>,
    /// Per region, the direct edges into it: (from block, to block, is a call).
    edges_into: Vec<Vec<(usize, usize, bool)>>,
    locals: Locals,
    /// Per block: (region, position in the region).
    place: Vec<(usize, usize)>,
    /// Per instruction: the block starting there.
    block_at: Vec<Option<usize>>,
    /// The end (instruction index) of the block being lowered.
    block_end: usize,
    /// The register the address local holds, wrapped.
    wrapped: Option<Reg>,
    /// Per region, its items.
    items: Vec<Vec<Item>>,
    /// The mapping of the code being lowered: 0 the global one, `k + 1` outermost loop `k`'s.
    cur: usize,
    /// Per block, the outermost loop it is in.
    loop_of: Vec<Option<usize>>,
    /// Per block, whether it is the header of an outermost loop.
    loop_head: Vec<bool>,
    /// The function symbols' addresses, sorted.
    functions: Vec<u64>,
    /// Per function address, the return addresses of the calls to it (`jal ra` or a `jalr
    /// ra` with a known target).
    returns: BTreeMap<u64, Vec<u64>>,
}

/// How many return addresses a `ret` compares `ra` with before the dynamic dispatch.
const MAX_LIKELY_RETURNS: usize = 3;

/// Per function address, the return addresses of the calls to it (see [`Body::returns`]).
fn call_returns(prog: &Program, block_at: &[Option<usize>]) -> BTreeMap<u64, Vec<u64>> {
    let mut returns: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for b in &prog.blocks {
        let mut known = Known::new();
        for i in b.start..b.end {
            let inst = &prog.text.insts[i];
            let pc = prog.text.addr(i);
            let target = match *inst {
                Inst::J { rd: Reg::RA, offset, .. } => Some(pc.wrapping_add_signed(i64::from(offset))),
                Inst::I { op: Opcode::Jalr, rd: Reg::RA, rs1, imm } => {
                    known.get(rs1).map(|v| (v.wrapping_add(i64::from(imm)) & !1) as u64)
                }
                _ => None,
            };
            let ret = pc.wrapping_add(4);
            let reachable = prog.text.index(ret).is_some_and(|k| block_at[k].is_some());
            if let Some(t) = target.filter(|_| reachable) {
                returns.entry(t).or_default().push(ret);
            }
            known.step(inst, pc);
        }
    }
    returns
}

/// Cuts the blocks into regions: consecutive blocks, a region never larger than `k`, a new
/// one started at a function that would not fit the current one.
fn partition(prog: &Program, functions: &BTreeSet<usize>, k: usize) -> Vec<Vec<usize>> {
    let n = prog.blocks.len();
    // Blocks from each block to the next function start.
    let mut to_next = vec![0usize; n + 1];
    for bi in (0..n).rev() {
        let next_starts = bi + 1 < n && functions.contains(&prog.blocks[bi + 1].start);
        to_next[bi] = 1 + if next_starts { 0 } else { to_next[bi + 1] };
    }
    let mut regions: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for (bi, blk) in prog.blocks.iter().enumerate() {
        let starts_fn = functions.contains(&blk.start);
        if !cur.is_empty() && (cur.len() == k || (starts_fn && cur.len() + to_next[bi].min(k) > k)) {
            regions.push(core::mem::take(&mut cur));
        }
        cur.push(bi);
    }
    if !cur.is_empty() {
        regions.push(cur);
    }
    regions
}

/// The program as one function, and the messages its failures write to the debug output
/// (the driver writes them, from passive data segments after the active ones).
pub(crate) fn run(prog: &Program, elf: &Elf<'_>, cx: &Cx<'_>) -> Result<(Function, Vec<Vec<u8>>), ShimError> {
    let text_start = prog.text.start();
    let functions: BTreeSet<usize> = elf.functions.iter().filter_map(|&a| prog.text.index(a)).collect();
    // The largest regions whose labels nest within the limit (regions + blocks of one).
    let budget = MAX_NESTING as usize - 8;
    let cut = [224, 192, 160, 128, 96, 64, 48, 32, 24, 16, 12, 8]
        .into_iter()
        .map(|k| partition(prog, &functions, k))
        .find(|r| r.len() + r.iter().map(Vec::len).max().unwrap_or(0) <= budget);
    let Some(cut) = cut else {
        let m = format!("{} basic blocks need more nesting than the WASM subset allows", prog.blocks.len());
        return Err(ShimError::new(Rule::TooLarge, Location::Module, m));
    };
    let word = |i: usize| (prog.text.addr(i) - text_start) / 4;
    let mut regions = Vec::with_capacity(cut.len());
    let mut place = vec![(0, 0); prog.blocks.len()];
    let mut block_at = vec![None; prog.text.insts.len()];
    for (r, blocks) in cut.into_iter().enumerate() {
        for (j, &bi) in blocks.iter().enumerate() {
            place[bi] = (r, j);
            block_at[prog.blocks[bi].start] = Some(bi);
        }
        let first = word(prog.blocks[blocks[0]].start);
        let last = prog.blocks[blocks[blocks.len() - 1]];
        regions.push(Region { first, end: word(last.end - 1) + 1, blocks });
    }
    let mut edges_into = vec![Vec::new(); regions.len()];
    for (bi, blk) in prog.blocks.iter().enumerate() {
        let i = blk.end - 1;
        let inst = &prog.text.insts[i];
        if let Some(t) = direct_target(inst, prog.text.addr(i)) {
            if let Some(to) = prog.text.index(t).and_then(|k| block_at[k]) {
                let call = matches!(inst, Inst::J { rd, .. } if *rd != Reg::ZERO);
                edges_into[place[to].0].push((bi, to, call));
            }
        }
        // Falling through to the next block (conservatively: anything but a jump).
        let next = prog.text.addr(i) + 4;
        let jumps = matches!(inst, Inst::J { .. }) || inst.op() == Opcode::Jalr;
        if !jumps && blk.end < prog.text.insts.len() && prog.text.addr(blk.end) == next {
            edges_into[place[bi + 1].0].push((bi, bi + 1, false));
        }
    }
    let six_args = cx.imports.all().iter().any(|f| f.params().len() >= 6);
    let locals = Locals::new(prog, fast_locals(six_args));
    let nblocks = prog.blocks.len();
    let mut body = Body {
        prog,
        cx,
        f: Function::new([]),
        ctl: Vec::new(),
        text_start,
        regions,
        current: 0,
        messages: Vec::new(),
        edges_into,
        place,
        block_at,
        locals,
        block_end: 0,
        wrapped: None,
        items: Vec::new(),
        cur: 0,
        loop_of: vec![None; nblocks],
        loop_head: vec![false; nblocks],
        functions: Vec::new(),
        returns: BTreeMap::new(),
    };
    body.functions = elf.functions.clone();
    body.functions.sort_unstable();
    body.returns = call_returns(prog, &body.block_at);
    for r in 0..body.regions.len() {
        body.rotate(r);
    }
    // The items of every region, and the mapping of each outermost loop.
    let items: Vec<Vec<Item>> = (0..body.regions.len()).map(|r| body.items(r)).collect();
    let mut loops = Vec::new();
    for it in items.iter().flatten() {
        if let Item::Loop(header, _) = it {
            let mut blocks = Vec::new();
            loop_blocks(it, 1, &mut blocks);
            for &(b, _) in &blocks {
                body.loop_of[b] = Some(loops.len());
            }
            body.loop_head[*header] = true;
            loops.push(blocks);
        }
    }
    let mut homes = [None; VALUES];
    for blocks in &loops {
        body.locals.add_loop(prog, blocks, &mut homes);
    }
    body.items = items;
    body.f = Function::new(body.locals.decls.iter().copied());
    body.emit(elf);
    Ok((body.f, body.messages))
}

/// The blocks of loop `it` with their loop depth (`depth` for its own, more for nested loops').
fn loop_blocks(it: &Item, depth: u32, out: &mut Vec<(usize, u32)>) {
    match it {
        Item::Block(b) => out.push((*b, depth)),
        Item::Loop(_, inner) => {
            for sub in inner {
                match sub {
                    Item::Block(b) => out.push((*b, depth)),
                    Item::Loop(..) => loop_blocks(sub, depth + 1, out),
                }
            }
        }
    }
}

impl Body<'_> {
    fn mapping(&self, id: usize) -> &Mapping {
        match id {
            0 => &self.locals.global,
            k => &self.locals.loops[k - 1].0,
        }
    }

    /// The local of value `v` in the current mapping.
    fn loc(&self, v: usize) -> u32 {
        self.mapping(self.cur).0[v]
    }

    /// The mapping code must be in when it branches to `l` (`None`: any).
    fn label_mapping(&self, l: Label) -> Option<usize> {
        match l {
            Label::Trap | Label::Bad | Label::Other => None,
            Label::Dyn | Label::Idx | Label::Region(_) | Label::Loop(_) => Some(0),
            // An outermost loop's entry moves its registers in after its item label.
            Label::Item(x) if self.loop_head[x] => Some(0),
            Label::Item(x) | Label::Head(x) => Some(self.loop_of[x].map_or(0, |k| k + 1)),
        }
    }

    /// Moves the registers from mapping `from` to mapping `to` (one of them the global one):
    /// first the registers leaving the fast locals to their homes (from a loop, only those
    /// it writes: the others' homes still hold them), then those entering from theirs.
    fn transition(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        let (a, b) = (self.mapping(from).0, self.mapping(to).0);
        let written = (from != 0).then(|| self.locals.loops[from - 1].1);
        let fast = self.locals.fast;
        for v in 1..32 {
            if a[v] != b[v] && a[v] < fast && written.is_none_or(|w| w[v]) {
                self.s().local_get(a[v]).local_set(b[v]);
            }
        }
        for v in 1..32 {
            if a[v] != b[v] && b[v] < fast {
                self.s().local_get(a[v]).local_set(b[v]);
            }
        }
    }

    /// Branches to `l`, moving registers to the mapping it expects first.
    fn goto(&mut self, l: Label) {
        if let Some(m) = self.label_mapping(l) {
            self.transition(self.cur, m);
        }
        self.br(l);
    }

    fn s(&mut self) -> InstructionSink<'_> {
        self.f.instructions()
    }

    fn depth(&self, l: Label) -> u32 {
        let pos = self.ctl.iter().rposition(|&x| x == l).expect("label in scope");
        (self.ctl.len() - 1 - pos) as u32
    }

    fn open_block(&mut self, l: Label) {
        self.s().block(BlockType::Empty);
        self.ctl.push(l);
    }

    fn open_loop(&mut self, l: Label) {
        self.s().loop_(BlockType::Empty);
        self.ctl.push(l);
    }

    fn close(&mut self) {
        self.s().end();
        self.ctl.pop();
    }

    fn br(&mut self, l: Label) {
        let d = self.depth(l);
        self.s().br(d);
    }

    fn get(&mut self, r: Reg) {
        if r == Reg::ZERO {
            self.s().i64_const(0);
        } else {
            let l = self.loc(usize::from(r.index()));
            self.s().local_get(l);
        }
    }

    fn set(&mut self, r: Reg) {
        if r == Reg::ZERO {
            self.s().drop();
        } else {
            let l = self.loc(usize::from(r.index()));
            self.s().local_set(l);
        }
    }

    fn word_of(&self, addr: u64) -> u64 {
        (addr - self.text_start) / 4
    }

    fn emit(&mut self, elf: &Elf<'_>) {
        let layout = self.cx.layout;
        let (pc, idx, t0) = (self.loc(PC), self.loc(IDX), self.loc(T0));
        self.s().global_get(globals::START).local_set(pc);
        // Resuming after a request: the registers from the globals; starting: `sp` and `gp`.
        self.s().global_get(globals::RESUMED).if_(BlockType::Empty);
        for v in 1..32 {
            let l = self.loc(v);
            self.s().global_get(globals::reg(v as u32)).local_set(l);
        }
        self.s().else_();
        self.s().i64_const(layout.stack_top as i64);
        self.set(Reg::SP);
        if let Some(gp) = elf.global_pointer {
            self.s().i64_const(gp as i64);
            self.set(Reg::GP);
        }
        self.s().end();
        let text_len = self.prog.text.end() - self.text_start;
        self.open_block(Label::Trap);
        self.open_block(Label::Bad);
        self.open_loop(Label::Dyn);
        {
            if self.text_start == 0 {
                // pc 0 is a word of the text: the exit check comes first.
                self.s().local_get(pc).i64_eqz().if_(BlockType::Empty);
                self.exit0();
                self.s().end();
            }
            // Word index = (pc - text start) rotated right by 2: a misaligned pc sets the top
            // bits, so one unsigned comparison rejects both that and a pc outside the text.
            let start = self.text_start as i64;
            self.s().local_get(pc).i64_const(start).i64_sub().i64_const(2).i64_rotr().local_tee(t0);
            self.s().i64_const((text_len / 4) as i64).i64_ge_u();
            let d = self.depth(Label::Bad);
            self.s().br_if(d);
            self.s().local_get(t0).i32_wrap_i64().local_set(idx);
        }
        self.open_loop(Label::Idx);
        let g = self.regions.len();
        for r in (0..g).rev() {
            self.open_block(Label::Region(r));
        }
        {
            // Word index → region of the block starting there (the rest traps).
            let words = text_len / 4;
            let mut table = Vec::with_capacity(words as usize);
            for w in 0..words {
                let block = self.prog.text.index(self.text_start + 4 * w).and_then(|i| self.block_at[i]);
                let l = block.map_or(Label::Trap, |b| Label::Region(self.place[b].0));
                table.push(self.depth(l));
            }
            let trap = self.depth(Label::Trap);
            self.s().local_get(idx).br_table(table, trap);
        }
        for r in 0..g {
            self.close(); // Region(r): its code follows
            self.region(r);
        }
        self.close(); // Idx
        self.close(); // Dyn
        self.close(); // Bad
                      // pc 0 outside the text: the entry (or deploy) returned to the `ra` it started with.
        self.s().local_get(pc).i64_eqz().if_(BlockType::Empty);
        self.exit0();
        self.s().end();
        self.close(); // Trap
        self.s().unreachable().end();
    }

    /// `exit(0)`: finishes with the output buffer.
    fn exit0(&mut self) {
        let finish = self.cx.import(HostFn::Finish);
        let s = &mut self.s();
        s.global_get(globals::OUT_START).global_get(globals::OUT_LEN).call(finish).unreachable();
    }

    /// Returns `req` to the driver with the registers in the globals; `run` resumes at
    /// `resume` (see [`crate::cfg::resumes`]).
    fn request(&mut self, req: Request, resume: u64) {
        for v in 1..32 {
            let l = self.loc(v);
            self.s().local_get(l).global_set(globals::reg(v as u32));
        }
        let s = &mut self.s();
        s.i64_const(resume as i64).global_set(globals::START);
        s.i32_const(req.code()).global_set(globals::REQUEST).return_();
    }

    /// Region `r`, entered with the word index in `IDX`: its `loop` takes the index from
    /// its first word (so that transfers within it set that directly).
    fn region(&mut self, r: usize) {
        let (idx, base) = (self.loc(IDX), self.regions[r].first);
        if base != 0 {
            self.s().local_get(idx).i32_const(base as i32).i32_sub().local_set(idx);
        }
        self.open_loop(Label::Loop(r));
        let items = self.items[r].clone();
        for it in items.iter().rev() {
            self.open_block(Label::Item(it.first()));
        }
        let (base, end) = (self.regions[r].first, self.regions[r].end);
        let mut table = Vec::with_capacity((end - base) as usize);
        for w in base..end {
            let addr = self.text_start + 4 * w;
            let l = match self.prog.text.index(addr).and_then(|i| self.block_at[i]) {
                Some(b) if items.iter().any(|it| it.first() == b) => Label::Item(b),
                _ => Label::Trap,
            };
            table.push(self.depth(l));
        }
        let trap = self.depth(Label::Trap);
        let idx = self.loc(IDX);
        self.s().local_get(idx).br_table(table, trap);
        for it in &items {
            self.close();
            self.item(it);
        }
        self.close(); // Loop(r)
    }

    /// A block, or a loop: `loop $head (block $item[m-1] … block $item[1] code 0 end code 1 …) end`.
    fn item(&mut self, it: &Item) {
        match it {
            Item::Block(b) => self.block(*b),
            Item::Loop(header, inner) => {
                let outermost = self.loop_head[*header];
                if outermost {
                    let k = self.loop_of[*header].map_or(0, |k| k + 1);
                    self.transition(0, k);
                    self.cur = k;
                }
                self.open_loop(Label::Head(*header));
                for sub in inner[1..].iter().rev() {
                    self.open_block(Label::Item(sub.first()));
                }
                self.item(&inner[0]);
                for sub in &inner[1..] {
                    self.close();
                    self.item(sub);
                }
                self.close();
                if outermost {
                    self.cur = 0; // nothing falls off a loop's end: every exit branched
                }
            }
        }
    }

    /// Reorders region `r`'s blocks so that *rotated* loops become loops that start at their
    /// entry: a run of blocks `a..=b` with a back edge to `a` that control enters (by direct
    /// edges, falling through included, or as an indirect-jump target) only at a later block
    /// `c` (the compiler's loop with its test at the bottom, entered by a jump to the test)
    /// is laid out `c..=b, a..c`; its back edge then reaches `c` from `c - 1` and [`Self::items`]
    /// can nest it as a loop (if it cannot, the blocks are plain items in that order).
    fn rotate(&mut self, r: usize) {
        let blocks = self.regions[r].blocks.clone();
        let pos = |b: usize| self.place[b].1;
        let edges = &self.edges_into[r];
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        for &(from, to, call) in edges {
            if call || self.place[from].0 != r || pos(to) > pos(from) {
                continue;
            }
            match candidates.iter_mut().find(|c| c.0 == pos(to)) {
                Some(c) => c.1 = c.1.max(pos(from)),
                None => candidates.push((pos(to), pos(from))),
            }
        }
        candidates.sort_unstable();
        let mut taken: Vec<(usize, usize, usize)> = Vec::new();
        for (a, b) in candidates {
            if taken.iter().any(|&(x, _, y)| a <= y && x <= b) {
                continue;
            }
            let within = |bi: usize| self.place[bi].0 == r && (a..=b).contains(&pos(bi));
            let mut entries = edges.iter().filter(|&&(from, to, _)| within(to) && !within(from)).map(|e| pos(e.1));
            let Some(c) = entries.next() else { continue };
            if c == a || entries.any(|e| e != c) {
                continue;
            }
            let indirect = |p: usize| self.prog.indirect[self.prog.blocks[blocks[p]].start];
            if (a..=b).any(|p| p != c && indirect(p)) {
                continue;
            }
            taken.push((a, c, b));
        }
        if taken.is_empty() {
            return;
        }
        let mut order = Vec::with_capacity(blocks.len());
        let mut p = 0;
        for &(a, c, b) in &taken {
            order.extend_from_slice(&blocks[p..a]);
            order.extend_from_slice(&blocks[c..=b]);
            order.extend_from_slice(&blocks[a..c]);
            p = b + 1;
        }
        order.extend_from_slice(&blocks[p..]);
        for (j, &bi) in order.iter().enumerate() {
            self.place[bi].1 = j;
        }
        self.regions[r].blocks = order;
    }

    /// The region's blocks as items: the loops it can structure (see [`Item`]) nested.
    fn items(&self, r: usize) -> Vec<Item> {
        let blocks = &self.regions[r].blocks;
        let pos = |b: usize| self.place[b].1;
        // Direct edges into the region: (from block, to block, is a call).
        let edges = &self.edges_into[r];
        // Candidate loops: a back edge (not a call) within the region, the widest per header.
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        for &(from, to, call) in edges {
            if call || self.place[from].0 != r || self.place[to].0 != r || pos(to) > pos(from) {
                continue;
            }
            match candidates.iter_mut().find(|c| c.0 == pos(to)) {
                Some(c) => c.1 = c.1.max(pos(from)),
                None => candidates.push((pos(to), pos(from))),
            }
        }
        candidates.sort_by_key(|&(a, b)| (b - a, a));
        let mut loops: Vec<(usize, usize)> = Vec::new();
        'candidate: for (a, b) in candidates {
            let inside = |bi: usize| self.place[bi].0 == r && pos(bi) > a && pos(bi) <= b;
            let within = |bi: usize| self.place[bi].0 == r && pos(bi) >= a && pos(bi) <= b;
            for &blk in &blocks[a + 1..=b] {
                if self.prog.indirect[self.prog.blocks[blk].start] {
                    continue 'candidate;
                }
            }
            for &(from, to, _) in edges {
                // No way in but the header; every back edge inside closes a loop taken.
                if inside(to) && !within(from) {
                    continue 'candidate;
                }
                // A back edge inside to another block must be one of a loop taken (its header
                // is not in any dispatch table).
                let closes = |l: &(usize, usize)| l.0 == pos(to) && pos(from) <= l.1;
                if within(from) && inside(to) && pos(to) <= pos(from) && !loops.iter().any(closes) {
                    continue 'candidate;
                }
            }
            if loops.iter().any(|&(c, d)| (c < a && a <= d && d < b) || (a < c && c <= b && b < d)) {
                continue;
            }
            loops.push((a, b));
        }
        loops.sort_by_key(|&(a, b)| (a, core::cmp::Reverse(b)));
        nest(blocks, &loops, 0, blocks.len())
    }

    /// Branches to the block at `addr` (which must start one) from block `from`: a `br` to
    /// its loop header or item label when one is in scope, else through the dispatch.
    fn transfer(&mut self, from: usize, addr: u64) {
        let target = self.prog.text.index(addr).and_then(|i| self.block_at[i]);
        let Some(to) = target else {
            // Falling off the end of the text.
            self.br(Label::Trap);
            return;
        };
        if let Some(l) = self.in_scope(to) {
            self.goto(l);
            return;
        }
        let (r, r2) = (self.place[from].0, self.place[to].0);
        let w = self.word_of(addr);
        // Within the region, the index from its first word (what its `br_table` takes);
        // into another, the word index (the region's entry subtracts its first word).
        let w = if r2 == r { w - self.regions[r].first } else { w };
        let idx = self.loc(IDX);
        self.s().i32_const(w as i32).local_set(idx);
        let l = if r2 == r {
            Label::Loop(r)
        } else if r2 > r {
            Label::Region(r2)
        } else {
            Label::Idx
        };
        self.goto(l);
    }

    /// A `ret` (`jalr zero, 0(ra)`) in block `from` at `pc`: first compares `ra` with the
    /// return addresses of the calls to the function holding it (those of calls from inside
    /// it first, at most [`MAX_LIKELY_RETURNS`]) and branches to a match directly; any other
    /// value goes on through the dynamic dispatch.
    fn likely_returns(&mut self, from: usize, pc: u64) {
        let f = self.functions.partition_point(|&a| a <= pc);
        let Some(&start) = f.checked_sub(1).and_then(|i| self.functions.get(i)) else {
            return;
        };
        let end = self.functions.get(f).copied().unwrap_or(u64::MAX);
        let Some(sites) = self.returns.get(&start) else {
            return;
        };
        let mut sites = sites.clone();
        sites.sort_by_key(|&a| (!(start..end).contains(&a), a));
        sites.dedup();
        sites.truncate(MAX_LIKELY_RETURNS);
        for site in sites {
            self.get(Reg::RA);
            self.s().i64_const(site as i64).i64_eq().if_(BlockType::Empty);
            self.ctl.push(Label::Other);
            self.transfer(from, site);
            self.close();
        }
    }

    /// The label that reaches block `to` directly from here, if any.
    fn in_scope(&self, to: usize) -> Option<Label> {
        [Label::Head(to), Label::Item(to)].into_iter().find(|l| self.ctl.contains(l))
    }

    fn block(&mut self, b: usize) {
        let blk = self.prog.blocks[b];
        let mut known = Known::new();
        let mut open_end = true;
        self.block_end = blk.end;
        self.wrapped = None;
        let mut fused = false;
        for i in blk.start..blk.end {
            let inst = self.prog.text.insts[i];
            let pc = self.prog.text.addr(i);
            self.current = i;
            if fused {
                fused = false; // lowered with the instruction before it
            } else if self.dead_write(i, blk.end, &known) {
                // Overwritten before anything reads it (`auipc ra` before `jalr ra, …(ra)`).
            } else if let Some(p) =
                self.prog.text.insts.get(i + 1).filter(|_| i + 1 < blk.end).and_then(|n| wide_pair(&inst, n))
            {
                self.get(p.a);
                self.get(p.b);
                if p.signed {
                    self.s().i64_mul_wide_s();
                } else {
                    self.s().i64_mul_wide_u();
                }
                self.set(p.hi);
                self.set(p.lo);
                fused = true;
            } else {
                open_end = self.inst(b, &inst, pc, &known);
            }
            known.step(&inst, pc);
            if written(&inst).is_some_and(|r| self.wrapped == Some(r)) {
                self.wrapped = None;
            }
        }
        if open_end {
            let next = self.prog.text.addr(blk.end - 1) + 4;
            let natural = blk.end < self.prog.text.insts.len()
                && self.block_at[blk.end] == Some(b + 1)
                && self.ctl.last() == Some(&Label::Item(b + 1))
                && self.prog.text.addr(blk.end) == next;
            if !natural {
                self.transfer(b, next);
            }
        }
    }

    /// Whether instruction `i` computes a register without side effects (no memory access,
    /// no control transfer) that a later instruction of its block (ending at `end`)
    /// overwrites before anything reads it; `known` holds the values known before `i`.
    fn dead_write(&self, i: usize, end: usize, known: &Known) -> bool {
        let text = &self.prog.text;
        let inst = &text.insts[i];
        let rd = match *inst {
            Inst::U { rd, .. } | Inst::Shift { rd, .. } | Inst::R { rd, .. } => rd,
            Inst::I { op, rd, .. } if !op.is_load() && op != Opcode::Jalr => rd,
            _ => return false,
        };
        if rd == Reg::ZERO {
            return false;
        }
        let mut k = *known;
        k.step(inst, text.addr(i));
        for j in i + 1..end {
            let next = &text.insts[j];
            let reads: [Option<Reg>; 2] = match *next {
                Inst::I { op: Opcode::Jalr, rs1, imm, .. } => {
                    // A jalr to a known block start does not read its base at run time.
                    let t = k.get(rs1).map(|v| (v.wrapping_add(i64::from(imm)) & !1) as u64);
                    let fixed = t.is_some_and(|t| text.index(t).is_some_and(|x| self.block_at[x].is_some()));
                    [(!fixed).then_some(rs1), None]
                }
                Inst::R { rs1, rs2, .. } | Inst::S { rs1, rs2, .. } | Inst::B { rs1, rs2, .. } => {
                    [Some(rs1), Some(rs2)]
                }
                Inst::I { rs1, .. } | Inst::Shift { rs1, .. } => [Some(rs1), None],
                Inst::U { .. } | Inst::J { .. } | Inst::Fence { .. } => [None, None],
                Inst::Sys { .. } => return false,
            };
            if reads.contains(&Some(rd)) {
                return false;
            }
            if written(next) == Some(rd) {
                return true;
            }
            k.step(next, text.addr(j));
        }
        false
    }

    /// Address operand of a load or store: `rs1 + imm` moved to linear memory; returns the
    /// static offset for the memory argument.
    fn address(&mut self, rs1: Reg, imm: i32) -> u64 {
        let delta = self.cx.layout.delta;
        let off = i64::from(imm) + delta;
        if rs1 == Reg::ZERO {
            self.s().i32_const(off as i32);
            return 0;
        }
        self.wrapped(rs1);
        if (0..=i64::from(u32::MAX)).contains(&off) {
            return off as u64;
        }
        self.s().i32_const(off as i32).i32_add();
        0
    }

    /// Pushes `rs1` wrapped to `i32`: from the address local when it holds `rs1` (rv-backend
    /// then knows its bounds check passed), into it when a later load or store of the block
    /// (within [`ADDR_LOOKAHEAD`]) uses the same base first.
    fn wrapped(&mut self, rs1: Reg) {
        let l = self.loc(ADDR);
        if self.wrapped == Some(rs1) {
            self.s().local_get(l);
            return;
        }
        self.get(rs1);
        self.s().i32_wrap_i64();
        let end = self.block_end.min(self.current + 1 + ADDR_LOOKAHEAD);
        for j in self.current + 1..end {
            let inst = &self.prog.text.insts[j];
            if mem_base(inst) == Some(rs1) {
                self.wrapped = Some(rs1);
                self.s().local_tee(l);
                return;
            }
            if written(inst) == Some(rs1) {
                return;
            }
        }
    }

    /// Lowers one instruction; returns whether control may fall through to the next.
    fn inst(&mut self, b: usize, inst: &Inst, pc: u64, known: &Known) -> bool {
        match *inst {
            Inst::U { op, rd, imm20 } => {
                let v = i64::from(imm20) << 12;
                let v = if op == Opcode::Auipc { (pc as i64).wrapping_add(v) } else { v };
                if rd != Reg::ZERO {
                    self.s().i64_const(v);
                    self.set(rd);
                }
            }
            Inst::J { rd, offset, .. } => {
                if rd != Reg::ZERO {
                    self.s().i64_const(pc.wrapping_add(4) as i64);
                    self.set(rd);
                }
                self.transfer(b, pc.wrapping_add_signed(i64::from(offset)));
                return false;
            }
            Inst::I { op: Opcode::Jalr, rd, rs1, imm } => {
                let fixed = known.get(rs1).map(|v| (v.wrapping_add(i64::from(imm)) & !1) as u64);
                let fixed = fixed.filter(|&t| self.prog.text.index(t).is_some_and(|i| self.block_at[i].is_some()));
                if fixed.is_none() {
                    if rd == Reg::ZERO && rs1 == Reg::RA && imm == 0 {
                        self.likely_returns(b, pc);
                    }
                    self.get(rs1);
                    if imm != 0 {
                        self.s().i64_const(i64::from(imm)).i64_add();
                    }
                    let pc_local = self.loc(PC);
                    self.s().i64_const(-2).i64_and().local_set(pc_local);
                }
                if rd != Reg::ZERO {
                    self.s().i64_const(pc.wrapping_add(4) as i64);
                    self.set(rd);
                }
                match fixed {
                    Some(t) => self.transfer(b, t),
                    None => self.goto(Label::Dyn),
                }
                return false;
            }
            Inst::B { op, rs1, rs2, .. } => {
                let target = direct_target(inst, pc).unwrap_or(0);
                self.get(rs1);
                self.get(rs2);
                match op {
                    Opcode::Beq => self.s().i64_eq(),
                    Opcode::Bne => self.s().i64_ne(),
                    Opcode::Blt => self.s().i64_lt_s(),
                    Opcode::Bge => self.s().i64_ge_s(),
                    Opcode::Bltu => self.s().i64_lt_u(),
                    _ => self.s().i64_ge_u(),
                };
                let to = self.prog.text.index(target).and_then(|i| self.block_at[i]);
                let same = |l: Label| self.label_mapping(l).is_none_or(|m| m == self.cur);
                if let Some(l) = to.and_then(|t| self.in_scope(t)).filter(|&l| same(l)) {
                    let d = self.depth(l);
                    self.s().br_if(d);
                } else {
                    self.s().if_(BlockType::Empty);
                    self.ctl.push(Label::Other);
                    self.transfer(b, target);
                    self.close();
                }
            }
            Inst::I { op, rd, rs1, imm } if op.is_load() => {
                let offset = self.address(rs1, imm);
                let m = memarg(offset);
                let s = &mut self.s();
                match op {
                    Opcode::Lb => s.i64_load8_s(m),
                    Opcode::Lh => s.i64_load16_s(m),
                    Opcode::Lw => s.i64_load32_s(m),
                    Opcode::Ld => s.i64_load(m),
                    Opcode::Lbu => s.i64_load8_u(m),
                    Opcode::Lhu => s.i64_load16_u(m),
                    _ => s.i64_load32_u(m),
                };
                self.set(rd);
            }
            Inst::S { op, rs1, rs2, imm } => {
                let offset = self.address(rs1, imm);
                self.get(rs2);
                let m = memarg(offset);
                let s = &mut self.s();
                match op {
                    Opcode::Sb => s.i64_store8(m),
                    Opcode::Sh => s.i64_store16(m),
                    Opcode::Sw => s.i64_store32(m),
                    _ => s.i64_store(m),
                };
            }
            Inst::I { op, rd, rs1, imm } => {
                if rd == Reg::ZERO {
                    return true; // no side effect: a hint or nop
                }
                let imm = i64::from(imm);
                match op {
                    Opcode::Addi if rs1 == Reg::ZERO => {
                        self.s().i64_const(imm);
                    }
                    Opcode::Addiw => {
                        self.get(rs1);
                        self.s().i32_wrap_i64().i32_const(imm as i32).i32_add().i64_extend_i32_s();
                    }
                    _ => {
                        self.get(rs1);
                        let s = &mut self.s();
                        s.i64_const(imm);
                        match op {
                            Opcode::Addi => s.i64_add(),
                            // A comparison is 0 or 1: sign-extending it is zero-extending it
                            // (one instruction in rv-backend, against two).
                            Opcode::Slti => s.i64_lt_s().i64_extend_i32_s(),
                            Opcode::Sltiu => s.i64_lt_u().i64_extend_i32_s(),
                            Opcode::Xori => s.i64_xor(),
                            Opcode::Ori => s.i64_or(),
                            _ => s.i64_and(),
                        };
                    }
                }
                self.set(rd);
            }
            Inst::Shift { op, rd, rs1, shamt } => {
                if rd == Reg::ZERO {
                    return true;
                }
                self.get(rs1);
                let s = &mut self.s();
                match op {
                    Opcode::Slli => s.i64_const(i64::from(shamt)).i64_shl(),
                    Opcode::Srli => s.i64_const(i64::from(shamt)).i64_shr_u(),
                    Opcode::Srai => s.i64_const(i64::from(shamt)).i64_shr_s(),
                    Opcode::Slliw => s.i32_wrap_i64().i32_const(shamt as i32).i32_shl().i64_extend_i32_s(),
                    Opcode::Srliw => s.i32_wrap_i64().i32_const(shamt as i32).i32_shr_u().i64_extend_i32_s(),
                    _ => s.i32_wrap_i64().i32_const(shamt as i32).i32_shr_s().i64_extend_i32_s(),
                };
                self.set(rd);
            }
            Inst::R { op, rd, rs1, rs2 } => {
                if rd == Reg::ZERO {
                    return true; // R-type instructions have no side effect (division never traps)
                }
                self.alu(op, rs1, rs2);
                self.set(rd);
            }
            Inst::Fence { .. } => {}
            Inst::Sys { op: Opcode::Ecall } => return self.ecall(known),
            Inst::Sys { .. } => {
                self.s().unreachable();
                return false;
            }
        }
        true
    }

    fn word_operands(&mut self, rs1: Reg, rs2: Reg) {
        self.get(rs1);
        self.s().i32_wrap_i64();
        self.get(rs2);
        self.s().i32_wrap_i64();
    }

    /// Register-register operations; the result is left on the stack.
    fn alu(&mut self, op: Opcode, rs1: Reg, rs2: Reg) {
        use Opcode::*;
        match op {
            Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra | Or | And | Mul => {
                self.get(rs1);
                self.get(rs2);
                let s = &mut self.s();
                match op {
                    Add => s.i64_add(),
                    Sub => s.i64_sub(),
                    Sll => s.i64_shl(),
                    Slt => s.i64_lt_s().i64_extend_i32_s(),
                    Sltu => s.i64_lt_u().i64_extend_i32_s(),
                    Xor => s.i64_xor(),
                    Srl => s.i64_shr_u(),
                    Sra => s.i64_shr_s(),
                    Or => s.i64_or(),
                    And => s.i64_and(),
                    _ => s.i64_mul(),
                };
            }
            Addw | Subw | Mulw => {
                // The low 32 bits of the 64-bit result are the 32-bit result's: one
                // sign extension instead of wrapping both operands.
                self.get(rs1);
                self.get(rs2);
                let s = &mut self.s();
                match op {
                    Addw => s.i64_add(),
                    Subw => s.i64_sub(),
                    _ => s.i64_mul(),
                };
                s.i64_extend32_s();
            }
            Sllw | Srlw | Sraw => {
                self.word_operands(rs1, rs2);
                let s = &mut self.s();
                match op {
                    Sllw => s.i32_shl(),
                    Srlw => s.i32_shr_u(),
                    _ => s.i32_shr_s(),
                };
                s.i64_extend_i32_s();
            }
            Mulhu | Mulh | Mulhsu => {
                // The 128-bit product's high half (`i64.mul_wide_*` leaves low, high).
                self.get(rs1);
                self.get(rs2);
                if op == Mulh {
                    self.s().i64_mul_wide_s();
                } else {
                    self.s().i64_mul_wide_u();
                }
                let t0 = self.loc(T0);
                self.s().local_set(t0).drop().local_get(t0);
                // mulhsu: rs1 signed, so − (rs1 < 0 ? rs2 : 0).
                if op == Mulhsu {
                    self.get(rs2);
                    self.get(rs1);
                    self.s().i64_const(63).i64_shr_s().i64_and().i64_sub();
                }
            }
            Div | Divu | Rem | Remu => {
                // RISC-V never traps: x / 0 = -1 (all ones), x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0.
                self.get(rs1);
                // divisor' = 1 where WASM would trap.
                self.s().i64_const(1);
                self.get(rs2);
                self.get(rs2);
                self.s().i64_eqz();
                if op == Div {
                    self.get(rs1);
                    self.s().i64_const(i64::MIN).i64_eq();
                    self.get(rs2);
                    self.s().i64_const(-1).i64_eq().i32_and().i32_or();
                }
                self.s().select();
                match op {
                    Div => self.s().i64_div_s(),
                    Divu => self.s().i64_div_u(),
                    Rem => self.s().i64_rem_s(),
                    _ => self.s().i64_rem_u(),
                };
                let t0 = self.loc(T0);
                self.s().local_set(t0);
                if matches!(op, Div | Divu) {
                    self.s().i64_const(-1);
                } else {
                    self.get(rs1);
                }
                let t0 = self.loc(T0);
                self.s().local_get(t0);
                self.get(rs2);
                self.s().i64_eqz().select();
            }
            _ => {
                // Divw, Divuw, Remw, Remuw: the same on the low 32 bits, sign-extended.
                self.get(rs1);
                self.s().i32_wrap_i64().i32_const(1);
                self.get(rs2);
                self.s().i32_wrap_i64();
                self.get(rs2);
                self.s().i32_wrap_i64().i32_eqz();
                if op == Divw {
                    self.get(rs1);
                    self.s().i32_wrap_i64().i32_const(i32::MIN).i32_eq();
                    self.get(rs2);
                    self.s().i32_wrap_i64().i32_const(-1).i32_eq().i32_and().i32_or();
                }
                self.s().select();
                match op {
                    Divw => self.s().i32_div_s(),
                    Divuw => self.s().i32_div_u(),
                    Remw => self.s().i32_rem_s(),
                    _ => self.s().i32_rem_u(),
                };
                let t0 = self.loc(T0);
                self.s().i64_extend_i32_s().local_set(t0);
                if matches!(op, Divw | Divuw) {
                    self.s().i64_const(-1);
                } else {
                    self.get(rs1);
                    self.s().i32_wrap_i64().i64_extend_i32_s();
                }
                let t0 = self.loc(T0);
                self.s().local_get(t0);
                self.get(rs2);
                self.s().i32_wrap_i64().i32_eqz().select();
            }
        }
    }

    /// Writes `message` to the debug output and traps (the driver does: a passive data
    /// segment copied past the output buffer needs bulk memory operations).
    fn fail_with(&mut self, message: Vec<u8>) {
        let k = self.messages.len() as u32;
        self.messages.push(message);
        let s = &mut self.s();
        s.i32_const(Request::Fail(k).code()).global_set(globals::REQUEST).return_();
    }

    /// `ecall`: the number in `a7`, known here or dispatched at run time.
    fn ecall(&mut self, known: &Known) -> bool {
        let regs = self.mapping(self.cur).0;
        let a = |k: usize| regs[usize::from(Reg::A0.index()) + k];
        let resume = self.prog.text.addr(self.current) + 4;
        let Some(n) = known.get(Reg::A7) else {
            self.request(Request::Ecall, resume);
            return false;
        };
        match n {
            63 => {
                let t = self.loc(T0);
                let cx = self.cx;
                let s = &mut self.f.instructions();
                read_inline(s, cx, [a(0), a(1), a(2), t]);
                s.local_set(a(0));
            }
            64 => {
                self.request(Request::Write, resume);
                return false;
            }
            93 => {
                let cx = self.cx;
                exit_inline(&mut self.f.instructions(), cx, a(0));
                return false;
            }
            214 => {
                self.request(Request::Brk, resume);
                return false;
            }
            _ => {
                let host = u32::try_from(n).ok().and_then(HostFn::from_number).filter(|h| h.importable());
                let Some(h) = host else {
                    // Not a system call or host function: the call fails here, saying so
                    // in the debug output.
                    let pc = self.prog.text.addr(self.current);
                    let m = format!(
                        "native contract: ecall number {n} at {pc:#x} is not a zkos system call or host function"
                    );
                    self.fail_with(m.into_bytes());
                    return false;
                };
                let delta = self.cx.layout.delta32();
                let import = self.cx.import(h);
                let s = &mut self.s();
                push_args(s, h, |k| Some(a(k)), delta);
                s.call(import);
                if h.terminates() {
                    s.unreachable();
                    return false;
                }
                if widen_result(s, h) {
                    s.local_set(a(0));
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(op: Opcode, rd: Reg, rs1: Reg, rs2: Reg) -> Inst {
        Inst::R { op, rd, rs1, rs2 }
    }

    #[test]
    fn wide_pairs_only_when_both_halves_see_the_same_operands() {
        use Opcode::{Add, Mul, Mulh, Mulhsu, Mulhu};
        const A0: Reg = Reg::A0;
        const A1: Reg = Reg::A1;
        const A2: Reg = Reg::A2;
        const A3: Reg = Reg::A3;
        const ZERO: Reg = Reg::ZERO;
        let p = wide_pair(&r(Mulhu, A2, A0, A1), &r(Mul, A3, A1, A0)).expect("mulhu; mul (operands swapped)");
        assert_eq!((p.hi, p.lo, p.signed), (A2, A3, false));
        let p = wide_pair(&r(Mul, A3, A0, A1), &r(Mulh, A2, A0, A1)).expect("mul; mulh");
        assert_eq!((p.hi, p.lo, p.signed), (A2, A3, true));
        // The first overwrites an operand the second reads.
        assert!(wide_pair(&r(Mul, A0, A0, A1), &r(Mulhu, A2, A0, A1)).is_none());
        assert!(wide_pair(&r(Mulhu, A1, A0, A1), &r(Mul, A2, A0, A1)).is_none());
        // The second may overwrite an operand: both read before.
        assert!(wide_pair(&r(Mulhu, A2, A0, A1), &r(Mul, A0, A0, A1)).is_some());
        // Same destination, x0, other operands or operations.
        assert!(wide_pair(&r(Mulhu, A2, A0, A1), &r(Mul, A2, A0, A1)).is_none());
        assert!(wide_pair(&r(Mulhu, ZERO, A0, A1), &r(Mul, A2, A0, A1)).is_none());
        assert!(wide_pair(&r(Mulhu, A2, A0, A1), &r(Mul, A3, A0, A2)).is_none());
        assert!(wide_pair(&r(Mulhsu, A2, A0, A1), &r(Mul, A3, A0, A1)).is_none());
        assert!(wide_pair(&r(Mulhu, A2, A0, A1), &r(Add, A3, A0, A1)).is_none());
        assert!(wide_pair(&r(Mul, A2, A0, A1), &r(Mul, A3, A0, A1)).is_none());
    }
}
