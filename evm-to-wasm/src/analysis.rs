//! Deploy-time analysis: jump destinations, basic blocks, their static gas and stack effect,
//! static jump targets, reachability and the labels the generated code needs.
//!
//! A *basic block* (gas block) is charged once, at its entry. Blocks start at pc 0, at every
//! JUMPDEST, after a JUMPI, and after an opcode that observes the gas left
//! ([`Flow::EndsGasBlock`]); they end at a jump, a halt, or before the next block.
//!
//! A *region* is a run of blocks joined only by gas-observer splits (straight-line code with
//! no way in or out between its blocks: a JUMPDEST always starts a new region). The stack is checked once per region, at its entry,
//! against the region's deepest read and highest push. EVM checks per instruction, but the
//! two are indistinguishable: every exceptional halt consumes all the frame's gas and undoes
//! all its effects (calls and stores made earlier in the region included), and nothing inside
//! a region can end the frame successfully before its last instruction.

use crate::opcodes::{op, Flow, OpInfo, Rules};
use alloc::vec;
use alloc::vec::Vec;

/// Where a jump goes, as far as the analysis can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A constant destination that is a valid JUMPDEST.
    Static(u32),
    /// A constant destination that is not a JUMPDEST (the jump halts when taken).
    Invalid,
    /// Computed at run time (dispatched through the jump table).
    Dynamic,
}

/// How a block ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Execution continues with the next block (a JUMPDEST follows, or the code ends: STOP).
    Fallthrough,
    /// After an opcode that observes the gas left; the next block continues the region.
    GasSplit,
    /// The frame ends (STOP, RETURN, REVERT, SELFDESTRUCT).
    Halt,
    /// INVALID or an undefined opcode: an exceptional halt.
    Trap,
    /// JUMP.
    Jump(Target),
    /// JUMPI: the next block is the fall-through.
    JumpI(Target),
}

/// One basic block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// pc of its first instruction.
    pub start: u32,
    /// pc after its last instruction.
    pub end: u32,
    /// Static gas charged at its entry (opcodes implemented in WASM; host functions charge
    /// their own opcodes).
    pub gas: u64,
    /// Stack items below its entry height that it reads.
    pub need: u16,
    /// Highest stack height it reaches above its entry height.
    pub grow: u16,
    /// Stack height at its end relative to its entry height.
    pub net: i16,
    /// Stack check at entry covering the region that starts here (`need`, `grow` relative to
    /// this block's entry), or `None` when the block continues a region.
    pub check: Option<(u16, u16)>,
    /// How it ends.
    pub exit: Exit,
    /// Whether any execution can reach it.
    pub reachable: bool,
}

/// The result of [`analyze`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// Length of the code.
    pub code_len: u32,
    jumpdests: Vec<u64>,
    /// Basic blocks in code order (they cover the code).
    pub blocks: Vec<Block>,
    /// pcs of the JUMPDESTs that jumps may reach, ascending: each becomes a label.
    pub labels: Vec<u32>,
    /// Whether a reachable jump has a destination computed at run time.
    pub dynamic_jumps: bool,
    /// Whether the code needs the dispatch loop (dynamic or backward jumps).
    pub needs_dispatch: bool,
    /// The opcodes the code was analyzed under.
    pub rules: Rules,
}

impl Analysis {
    /// Whether `pc` holds a JUMPDEST opcode (not inside PUSH data).
    pub fn is_jumpdest(&self, pc: u64) -> bool {
        pc < u64::from(self.code_len) && self.jumpdests[(pc / 64) as usize] >> (pc % 64) & 1 == 1
    }

    /// The block that starts at `pc`, if any.
    pub fn block_at(&self, pc: u32) -> Option<usize> {
        self.blocks.binary_search_by_key(&pc, |b| b.start).ok()
    }

    /// Whether a jump to `pc` lands on a label.
    pub fn is_label(&self, pc: u32) -> bool {
        self.labels.binary_search(&pc).is_ok()
    }
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instr<'a> {
    /// Its pc.
    pub pc: u32,
    /// The opcode byte.
    pub op: u8,
    /// PUSH data (shorter than the PUSH's width at the end of the code; missing bytes are 0).
    pub imm: &'a [u8],
}

/// Decodes `code[from..to]` instruction by instruction.
pub fn instructions(code: &[u8], from: u32, to: u32) -> impl Iterator<Item = Instr<'_>> {
    let mut pc = from as usize;
    let to = (to as usize).min(code.len());
    core::iter::from_fn(move || {
        if pc >= to {
            return None;
        }
        let byte = code[pc];
        let n = OpInfo::immediate_len(byte);
        let imm = &code[(pc + 1).min(code.len())..(pc + 1 + n).min(code.len())];
        let instr = Instr { pc: pc as u32, op: byte, imm };
        pc += 1 + n;
        Some(instr)
    })
}

/// The value of PUSH data, as 4 little-endian limbs (missing trailing bytes read as zero).
pub fn push_value(imm: &[u8], width: usize) -> [u64; 4] {
    let mut bytes = [0u8; 32];
    // Big-endian value of `width` bytes, right-aligned in 32 bytes.
    let start = 32 - width;
    bytes[start..start + imm.len()].copy_from_slice(imm);
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[32 - 8 * (i + 1)..32 - 8 * i]);
        *limb = u64::from_be_bytes(w);
    }
    limbs
}

/// The JUMPDEST bitmap of `code`.
fn jumpdest_bitmap(code: &[u8]) -> Vec<u64> {
    let mut bits = vec![0u64; code.len().div_ceil(64)];
    let mut pc = 0;
    while pc < code.len() {
        if code[pc] == op::JUMPDEST {
            bits[pc / 64] |= 1 << (pc % 64);
        }
        pc += 1 + OpInfo::immediate_len(code[pc]);
    }
    bits
}

/// Abstract stack of known constants, tracked along straight-line code to find static jumps.
struct Consts(Vec<Option<u64>>);

impl Consts {
    fn widen(&mut self, n: usize) {
        while self.0.len() < n {
            self.0.insert(0, None);
        }
    }
    fn step(&mut self, ins: &Instr<'_>, inf: &OpInfo) {
        let b = ins.op;
        if b == op::PUSH0 || OpInfo::immediate_len(b) > 0 {
            let v = push_value(ins.imm, OpInfo::immediate_len(b));
            let small = v[1] == 0 && v[2] == 0 && v[3] == 0;
            self.0.push(Some(if small { v[0] } else { u64::MAX }));
        } else if (op::DUP1..=op::DUP16).contains(&b) {
            let n = usize::from(b - op::DUP1) + 1;
            self.widen(n);
            let v = self.0[self.0.len() - n];
            self.0.push(v);
        } else if (op::SWAP1..=op::SWAP16).contains(&b) {
            let n = usize::from(b - op::SWAP1) + 1;
            self.widen(n + 1);
            let len = self.0.len();
            self.0.swap(len - 1, len - 1 - n);
        } else if b == op::PC {
            self.0.push(Some(u64::from(ins.pc)));
        } else {
            for _ in 0..inf.inputs {
                self.0.pop();
            }
            for _ in 0..inf.outputs {
                self.0.push(None);
            }
        }
        // Keep the tracked part small: deep entries are never jump targets in practice, and
        // forgetting them only makes a jump dynamic.
        if self.0.len() > 64 {
            self.0.drain(..self.0.len() - 64);
        }
    }
}

/// Analyzes EVM code: jump destinations, basic blocks, static gas, stack effects, static
/// jumps, reachability and labels. Linear in the code size.
pub fn analyze(code: &[u8]) -> Analysis {
    analyze_for(code, Rules::LATEST)
}

/// [`analyze`] under the opcodes of `rules` (an opcode they leave out is undefined).
pub fn analyze_for(code: &[u8], rules: Rules) -> Analysis {
    let code_len = code.len() as u32;
    let jumpdests = jumpdest_bitmap(code);
    let mut a = Analysis {
        code_len,
        jumpdests,
        blocks: Vec::new(),
        labels: Vec::new(),
        dynamic_jumps: false,
        needs_dispatch: false,
        rules,
    };
    split_blocks(code, &mut a);
    mark_reachable(&mut a);
    compute_checks(&mut a);
    a
}

fn target_of(a: &Analysis, c: Option<u64>) -> Target {
    match c {
        None => Target::Dynamic,
        Some(pc) if a.is_jumpdest(pc) => Target::Static(pc as u32),
        Some(_) => Target::Invalid,
    }
}

fn split_blocks(code: &[u8], a: &mut Analysis) {
    let mut consts = Consts(Vec::new());
    let mut cur: Option<Block> = None;
    let new_block = |pc: u32| Block {
        start: pc,
        end: pc,
        gas: 0,
        need: 0,
        grow: 0,
        net: 0,
        check: None,
        exit: Exit::Fallthrough,
        reachable: false,
    };
    let mut height: i32 = 0;
    let rules = a.rules;
    for ins in instructions(code, 0, a.code_len) {
        if ins.op == op::JUMPDEST {
            if let Some(b) = cur.take() {
                a.blocks.push(b);
            }
            consts.0.clear();
        }
        let b = cur.get_or_insert_with(|| {
            height = 0;
            new_block(ins.pc)
        });
        b.end = ins.pc + 1 + OpInfo::immediate_len(ins.op) as u32;
        let Some(inf) = rules.info(ins.op) else {
            b.exit = Exit::Trap;
            a.blocks.push(cur.take().unwrap_or_else(|| new_block(ins.pc)));
            consts.0.clear();
            continue;
        };
        b.gas += inf.block_gas();
        let need = i32::from(inf.inputs) - height;
        if need > i32::from(b.need) {
            b.need = need.min(i32::from(u16::MAX)) as u16;
        }
        height += i32::from(inf.outputs) - i32::from(inf.inputs);
        if height > i32::from(b.grow) {
            b.grow = height.min(i32::from(u16::MAX)) as u16;
        }
        b.net = height.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        let exit = match inf.flow {
            Flow::Next => None,
            Flow::EndsGasBlock => Some(Exit::GasSplit),
            Flow::Halt if ins.op == op::INVALID => Some(Exit::Trap),
            Flow::Halt => Some(Exit::Halt),
            Flow::Jump => Some(Exit::Jump(target_of(a, consts.0.last().copied().flatten()))),
            Flow::JumpI => Some(Exit::JumpI(target_of(a, consts.0.last().copied().flatten()))),
        };
        consts.step(&ins, inf);
        if let Some(exit) = exit {
            b.exit = exit;
            a.blocks.push(cur.take().unwrap_or_else(|| new_block(ins.pc)));
            if matches!(exit, Exit::Halt | Exit::Trap | Exit::Jump(_)) {
                consts.0.clear();
            }
        }
    }
    if let Some(b) = cur.take() {
        a.blocks.push(b);
    }
}

fn mark_reachable(a: &mut Analysis) {
    if a.blocks.is_empty() {
        return;
    }
    let mut work = vec![0usize];
    let mut dynamic = false;
    let mut targets: Vec<u32> = Vec::new();
    a.blocks[0].reachable = true;
    while let Some(i) = work.pop() {
        let b = a.blocks[i];
        let next = |j: usize, work: &mut Vec<usize>, blocks: &mut [Block]| {
            if j < blocks.len() && !blocks[j].reachable {
                blocks[j].reachable = true;
                work.push(j);
            }
        };
        let falls = matches!(b.exit, Exit::Fallthrough | Exit::GasSplit | Exit::JumpI(_));
        if falls {
            next(i + 1, &mut work, &mut a.blocks);
        }
        if let Exit::Jump(t) | Exit::JumpI(t) = b.exit {
            match t {
                Target::Static(pc) => {
                    targets.push(pc);
                    if pc <= b.start {
                        a.needs_dispatch = true;
                    }
                    let j = a.blocks.binary_search_by_key(&pc, |b| b.start).unwrap_or(usize::MAX);
                    next(j, &mut work, &mut a.blocks);
                }
                Target::Invalid => {}
                Target::Dynamic if !dynamic => {
                    dynamic = true;
                    a.needs_dispatch = true;
                    for j in 0..a.blocks.len() {
                        if a.is_jumpdest(u64::from(a.blocks[j].start)) {
                            next(j, &mut work, &mut a.blocks);
                        }
                    }
                }
                Target::Dynamic => {}
            }
        }
    }
    a.dynamic_jumps = dynamic;
    if dynamic {
        a.labels = a.blocks.iter().filter(|b| a.is_jumpdest(u64::from(b.start))).map(|b| b.start).collect();
    } else {
        targets.sort_unstable();
        targets.dedup();
        a.labels = targets;
    }
}

/// Stack checks: one per region, covering all its blocks.
fn compute_checks(a: &mut Analysis) {
    let mut i = 0;
    while i < a.blocks.len() {
        // The region is blocks i..j (joined by gas splits).
        let mut j = i;
        let (mut need, mut grow, mut offset) = (0i32, 0i32, 0i32);
        loop {
            let b = a.blocks[j];
            need = need.max(i32::from(b.need) - offset);
            grow = grow.max(offset + i32::from(b.grow));
            j += 1;
            // A JUMPDEST right after a gas observer (`SSTORE JUMPDEST`) starts a region of its
            // own: a jump can enter there, past the check of the region before it.
            if b.exit != Exit::GasSplit || j >= a.blocks.len() || a.is_jumpdest(u64::from(a.blocks[j].start)) {
                break;
            }
            offset += i32::from(b.net);
        }
        let clamp = |v: i32| v.clamp(0, i32::from(u16::MAX)) as u16;
        a.blocks[i].check = Some((clamp(need), clamp(grow)));
        i = j;
    }
}
