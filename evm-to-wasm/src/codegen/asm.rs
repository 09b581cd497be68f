//! A thin instruction buffer with structured-control bookkeeping: it knows which labels are
//! open and turns a label into a relative branch depth in O(1).

use alloc::vec::Vec;
use wasm_encoder::{BlockType, InstructionSink, MemArg, MemArgTarget};

/// A branch target of the main function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// Branching to it executes `unreachable` (exceptional halt).
    Trap,
    /// Out of gas: the gas local (negative) is written to the gas global, then `unreachable`.
    Oog,
    /// Out of gas whatever the gas left (e.g. a memory offset beyond 32 bits): the gas
    /// global is set to -1, then `unreachable`.
    OogNow,
    /// The dispatch loop: branching to it jumps to the block selected by the `dest` local.
    Dispatch,
    /// Leaves a chunk function (see `gen::Chunk`), returning `bp` and `dest`.
    Exit,
    /// The code of the n-th labelled JUMPDEST follows the end of this block.
    Seg(u32),
}

/// Instruction buffer.
pub struct Asm {
    /// Encoded instructions.
    pub buf: Vec<u8>,
    depth: u32,
    trap: Option<u32>,
    oog: Option<u32>,
    oog_now: Option<u32>,
    dispatch: Option<u32>,
    exit: Option<u32>,
    segs: Vec<u32>,
}

impl Asm {
    /// A buffer for a function body; `segs` is the number of segment labels.
    pub fn new(segs: usize) -> Self {
        Self {
            buf: Vec::new(),
            depth: 0,
            trap: None,
            oog: None,
            oog_now: None,
            dispatch: None,
            exit: None,
            segs: alloc::vec![u32::MAX; segs],
        }
    }

    /// The instruction sink.
    pub fn i(&mut self) -> InstructionSink<'_> {
        InstructionSink::new(&mut self.buf)
    }

    /// Opens a `block`, optionally the given label.
    pub fn block(&mut self, label: Option<Label>) {
        self.i().block(BlockType::Empty);
        self.open(label);
    }

    /// Opens a `loop`.
    pub fn loop_(&mut self, label: Option<Label>) {
        self.i().loop_(BlockType::Empty);
        self.open(label);
    }

    /// Opens an `if` (condition on the operand stack).
    pub fn if_(&mut self) {
        self.i().if_(BlockType::Empty);
        self.open(None);
    }

    fn open(&mut self, label: Option<Label>) {
        match label {
            Some(Label::Trap) => self.trap = Some(self.depth),
            Some(Label::Oog) => self.oog = Some(self.depth),
            Some(Label::OogNow) => self.oog_now = Some(self.depth),
            Some(Label::Dispatch) => self.dispatch = Some(self.depth),
            Some(Label::Exit) => self.exit = Some(self.depth),
            Some(Label::Seg(n)) => self.segs[n as usize] = self.depth,
            None => {}
        }
        self.depth += 1;
    }

    /// Number of open constructs.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Closes the innermost construct.
    pub fn end(&mut self) {
        self.i().end();
        self.depth -= 1;
    }

    /// Relative depth of an open label.
    pub fn depth_of(&self, label: Label) -> u32 {
        let at = match label {
            Label::Trap => self.trap,
            Label::Oog => self.oog,
            Label::OogNow => self.oog_now,
            Label::Dispatch => self.dispatch,
            Label::Exit => self.exit,
            Label::Seg(n) => Some(self.segs[n as usize]),
        };
        let at = at.unwrap_or(0);
        debug_assert!(at < self.depth, "label {label:?} is not open");
        self.depth - 1 - at
    }

    /// `br label`.
    pub fn br(&mut self, label: Label) {
        let d = self.depth_of(label);
        self.i().br(d);
    }

    /// `br_if label`.
    pub fn br_if(&mut self, label: Label) {
        let d = self.depth_of(label);
        self.i().br_if(d);
    }
}

/// A memory argument with natural alignment `align` (log2 bytes).
pub const fn mem(offset: u64, align: u32) -> MemArg {
    MemArg { offset, align, target: MemArgTarget::Memory(0), ordering: None }
}

/// Byte-swap mask 0x00FF00FF00FF00FF.
pub const M8: i64 = 0x00FF_00FF_00FF_00FF;
/// Byte-swap mask 0x0000FFFF0000FFFF.
pub const M16: i64 = 0x0000_FFFF_0000_FFFF;

/// Where the byte-swap masks come from: constants, or locals holding [`M8`] and [`M16`]
/// (two bytes each instead of nine).
#[derive(Clone, Copy)]
pub enum Masks {
    /// `i64.const`.
    Const,
    /// `local.get` of these two locals.
    Locals(u32, u32),
}

/// Emits a byte swap of the i64 on top of the operand stack, using `tmp` as scratch.
pub fn bswap64(i: &mut InstructionSink<'_>, tmp: u32, masks: Masks) {
    let m = |i: &mut InstructionSink<'_>, which: usize| match masks {
        Masks::Const => {
            i.i64_const([M8, M16][which]);
        }
        Masks::Locals(a, b) => {
            i.local_get([a, b][which]);
        }
    };
    i.local_tee(tmp).i64_const(8).i64_shr_u();
    m(i, 0);
    i.i64_and().local_get(tmp);
    m(i, 0);
    i.i64_and().i64_const(8).i64_shl().i64_or();
    i.local_tee(tmp).i64_const(16).i64_shr_u();
    m(i, 1);
    i.i64_and().local_get(tmp);
    m(i, 1);
    i.i64_and().i64_const(16).i64_shl().i64_or();
    i.i64_const(32).i64_rotl();
}
