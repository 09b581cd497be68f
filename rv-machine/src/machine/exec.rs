//! The stepping interpreter over one executable region's predecoded operations: the
//! reference for the block interpreter ([`super::block`]), which hands it the runs that keep a
//! histogram and the ends of budgets that stop inside a block.
//!
//! The loop keeps the instruction index in a local and leaves the region (returning to
//! [`Machine::run`](super::Machine::run), which finds the next region or traps) only when
//! control goes outside it. Per instruction it does: a budget test, a bounds-checked fetch
//! of an 8-byte [`Micro`], optionally one histogram increment, and the operation.

use alloc::rc::Rc;

use super::alu::*;
use super::fuse::Op;
use super::memory::{Memory, Perm};
use super::predecode::{Micro, XOp, XOP_COUNT};
use super::uart::{self, Uart};
use super::{AccessCause, Exit, Trap};

/// The predecoded operations of one executable region.
pub(crate) struct Code {
    pub(crate) base: u64,
    /// One past the last byte that holds a whole instruction.
    pub(crate) end: u64,
    pub(crate) ops: Rc<[Micro]>,
    /// The same code in block form, for [`super::block`].
    pub(crate) blocks: Rc<[Op]>,
}

/// Registers: `x0..x31`, then the sink at index 32 that absorbs writes to `x0`. The array has
/// 256 entries so that indexing by a `u8` needs no bounds check.
pub(crate) type Regs = [u64; 256];

/// The strict-alignment state: whether a misaligned data access faults, and how many were
/// made (counted only when the machine runs in a strict mode).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Alignment {
    pub(crate) fault: bool,
    pub(crate) count: u64,
}

/// How a run over one region ended.
pub(crate) enum Flow {
    /// Control left the region; `pc` holds the new address.
    Left,
    /// The run is over.
    Exit(Exit),
}

/// Why a guest access of `N` bytes at `addr` missed the fast path, or the value it read: from
/// the UART, or from a lazy region's window once the access committed it.
#[cold]
pub(crate) fn load_slow<const N: usize>(mem: &mut Memory, uart: &mut Uart, addr: u64) -> Result<u64, AccessCause> {
    if mem.commit(addr, N as u64) {
        if let Some(bytes) = mem.load::<N>(addr) {
            let mut raw = [0u8; 8];
            raw[..N].copy_from_slice(bytes);
            return Ok(u64::from_le_bytes(raw));
        }
    }
    if addr >= uart::PAGE {
        if N == 4 {
            if let Some(word) = uart.read(addr) {
                return Ok(word.into());
            }
        }
        return Err(AccessCause::Uart);
    }
    Err(cause(mem, addr, Perm::R))
}

#[cold]
pub(crate) fn store_slow<const N: usize>(
    mem: &mut Memory,
    uart: &mut Uart,
    addr: u64,
    value: u64,
) -> Result<(), AccessCause> {
    if mem.commit(addr, N as u64) {
        if let Some(dst) = mem.store::<N>(addr) {
            dst.copy_from_slice(&value.to_le_bytes()[..N]);
            return Ok(());
        }
    }
    if addr >= uart::PAGE {
        if N == 4 && uart.write(addr, low32(value)) {
            return Ok(());
        }
        return Err(AccessCause::Uart);
    }
    Err(cause(mem, addr, Perm::W))
}

/// Whether an access of `size` bytes (a power of two) at `addr` is misaligned.
#[inline(always)]
pub(crate) fn misaligned(addr: u64, size: u64) -> bool {
    addr & (size - 1) != 0
}

fn cause(mem: &Memory, addr: u64, perm: Perm) -> AccessCause {
    match mem.classify(addr, perm) {
        Some(false) => AccessCause::Permission,
        // Unmapped, or the first byte is mapped but the access runs past the region's end.
        None | Some(true) => AccessCause::Unmapped,
    }
}

/// Runs the code of one region from `*pc` until control leaves it or the run ends.
/// `*left` is the remaining budget; `*pc` is updated in every case.
#[inline(always)]
pub(crate) fn run_region<const HIST: bool, const STRICT: bool>(
    code: &Code,
    regs: &mut Regs,
    mem: &mut Memory,
    uart: &mut Uart,
    hist: &mut [u64; XOP_COUNT],
    align: &mut Alignment,
    left: &mut u64,
    pc: &mut u64,
) -> Flow {
    let base = code.base;
    let ops: &[Micro] = &code.ops;
    let mut idx: u64 = pc.wrapping_sub(base) >> 2;
    let mut n = *left;

    let pc_of = |idx: u64| base.wrapping_add(idx << 2);

    macro_rules! finish {
        ($flow:expr) => {{
            *left = n;
            break $flow;
        }};
    }
    // The current instruction faulted: undo its count and stop at it.
    macro_rules! trap {
        ($m:expr, $trap:expr) => {{
            n += 1;
            if HIST {
                hist[$m.op as usize] -= 1;
            }
            *pc = pc_of(idx);
            finish!(Flow::Exit(Exit::Trap($trap)))
        }};
    }
    // Strict alignment: a data access of `$n` bytes at an address that is not a multiple of
    // `$n` is counted, and faults if the mode says so.
    macro_rules! check_align {
        ($m:expr, $n:literal, $addr:expr, $fault:ident) => {{
            if STRICT && misaligned($addr, $n) {
                if align.fault {
                    let at = pc_of(idx);
                    trap!($m, Trap::$fault { pc: at, addr: $addr, size: $n, cause: AccessCause::Misaligned })
                }
                align.count += 1;
            }
        }};
    }
    macro_rules! load {
        ($m:expr, $n:literal, $conv:expr) => {{
            let addr = regs[$m.rs1 as usize].wrapping_add(sext_imm($m.imm));
            check_align!($m, $n, addr, LoadFault);
            let value = match mem.load::<$n>(addr) {
                Some(bytes) => $conv(*bytes),
                None => match load_slow::<$n>(mem, uart, addr) {
                    Ok(raw) => $conv(raw.to_le_bytes()[..$n].try_into().unwrap_or([0; $n])),
                    Err(cause) => {
                        let at = pc_of(idx);
                        trap!($m, Trap::LoadFault { pc: at, addr, size: $n, cause })
                    }
                },
            };
            regs[$m.rd as usize] = value;
        }};
    }
    macro_rules! store {
        ($m:expr, $n:literal) => {{
            let addr = regs[$m.rs1 as usize].wrapping_add(sext_imm($m.imm));
            check_align!($m, $n, addr, StoreFault);
            let value = regs[$m.rs2 as usize];
            match mem.store::<$n>(addr) {
                Some(dst) => *dst = value.to_le_bytes()[..$n].try_into().unwrap_or([0; $n]),
                None => {
                    if let Err(cause) = store_slow::<$n>(mem, uart, addr, value) {
                        let at = pc_of(idx);
                        trap!($m, Trap::StoreFault { pc: at, addr, size: $n, cause })
                    }
                }
            }
        }};
    }
    macro_rules! alu {
        ($m:expr, $f:expr) => {{
            regs[$m.rd as usize] = $f(regs[$m.rs1 as usize], regs[$m.rs2 as usize]);
        }};
    }
    macro_rules! alu_imm {
        ($m:expr, $f:expr) => {{
            regs[$m.rd as usize] = $f(regs[$m.rs1 as usize], sext_imm($m.imm));
        }};
    }
    macro_rules! branch {
        ($m:expr, $cond:expr) => {{
            if $cond(regs[$m.rs1 as usize], regs[$m.rs2 as usize]) {
                idx = idx.wrapping_add(sext_imm($m.imm));
                continue;
            }
        }};
    }

    loop {
        if n == 0 {
            *pc = pc_of(idx);
            finish!(Flow::Exit(Exit::BudgetExhausted));
        }
        let Some(&m) = ops.get(idx as usize) else {
            *pc = pc_of(idx);
            finish!(Flow::Left);
        };
        n -= 1;
        if HIST {
            hist[m.op as usize] += 1;
        }
        match m.op {
            XOp::Lui => regs[m.rd as usize] = sext_imm(m.imm),
            XOp::Auipc => regs[m.rd as usize] = pc_of(idx).wrapping_add(sext_imm(m.imm)),
            XOp::Jal => {
                regs[m.rd as usize] = pc_of(idx + 1);
                idx = idx.wrapping_add(sext_imm(m.imm));
                continue;
            }
            XOp::Jalr => {
                let target = regs[m.rs1 as usize].wrapping_add(sext_imm(m.imm)) & !1;
                if target & 3 != 0 {
                    let at = pc_of(idx);
                    trap!(m, Trap::MisalignedFetch { pc: at, target })
                }
                regs[m.rd as usize] = pc_of(idx + 1);
                idx = target.wrapping_sub(base) >> 2;
                continue;
            }
            XOp::Beq => branch!(m, |a, b| a == b),
            XOp::Bne => branch!(m, |a, b| a != b),
            XOp::Blt => branch!(m, |a, b| signed(a) < signed(b)),
            XOp::Bge => branch!(m, |a, b| signed(a) >= signed(b)),
            XOp::Bltu => branch!(m, |a: u64, b: u64| a < b),
            XOp::Bgeu => branch!(m, |a: u64, b: u64| a >= b),
            XOp::Lb => load!(m, 1, |b: [u8; 1]| i64::from(i8::from_le_bytes(b)) as u64),
            XOp::Lh => load!(m, 2, |b: [u8; 2]| i64::from(i16::from_le_bytes(b)) as u64),
            XOp::Lw => load!(m, 4, |b: [u8; 4]| i64::from(i32::from_le_bytes(b)) as u64),
            XOp::Ld => load!(m, 8, u64::from_le_bytes),
            XOp::Lbu => load!(m, 1, |b: [u8; 1]| u64::from(b[0])),
            XOp::Lhu => load!(m, 2, |b: [u8; 2]| u64::from(u16::from_le_bytes(b))),
            XOp::Lwu => load!(m, 4, |b: [u8; 4]| u64::from(u32::from_le_bytes(b))),
            XOp::Sb => store!(m, 1),
            XOp::Sh => store!(m, 2),
            XOp::Sw => store!(m, 4),
            XOp::Sd => store!(m, 8),
            XOp::Addi => alu_imm!(m, u64::wrapping_add),
            XOp::Slti => alu_imm!(m, |a, b| u64::from(signed(a) < signed(b))),
            XOp::Sltiu => alu_imm!(m, |a: u64, b: u64| u64::from(a < b)),
            XOp::Xori => alu_imm!(m, |a, b| a ^ b),
            XOp::Ori => alu_imm!(m, |a, b| a | b),
            XOp::Andi => alu_imm!(m, |a, b| a & b),
            XOp::Slli => alu_imm!(m, |a: u64, s: u64| a << (s & 63)),
            XOp::Srli => alu_imm!(m, |a: u64, s: u64| a >> (s & 63)),
            XOp::Srai => alu_imm!(m, |a, s: u64| (signed(a) >> (s & 63)) as u64),
            XOp::Add => alu!(m, u64::wrapping_add),
            XOp::Sub => alu!(m, u64::wrapping_sub),
            XOp::Sll => alu!(m, |a: u64, b: u64| a << (b & 63)),
            XOp::Slt => alu!(m, |a, b| u64::from(signed(a) < signed(b))),
            XOp::Sltu => alu!(m, |a: u64, b: u64| u64::from(a < b)),
            XOp::Xor => alu!(m, |a, b| a ^ b),
            XOp::Srl => alu!(m, |a: u64, b: u64| a >> (b & 63)),
            XOp::Sra => alu!(m, |a, b: u64| (signed(a) >> (b & 63)) as u64),
            XOp::Or => alu!(m, |a, b| a | b),
            XOp::And => alu!(m, |a, b| a & b),
            XOp::Addiw => alu_imm!(m, |a: u64, b| sext32(a.wrapping_add(b))),
            XOp::Slliw => alu_imm!(m, |a, s: u64| sext32(u64::from(low32(a) << (s & 31)))),
            XOp::Srliw => alu_imm!(m, |a, s: u64| sext32(u64::from(low32(a) >> (s & 31)))),
            XOp::Sraiw => alu_imm!(m, |a, s: u64| i64::from((low32(a) as i32) >> (s & 31)) as u64),
            XOp::Addw => alu!(m, |a: u64, b| sext32(a.wrapping_add(b))),
            XOp::Subw => alu!(m, |a: u64, b| sext32(a.wrapping_sub(b))),
            XOp::Sllw => alu!(m, |a, s: u64| sext32(u64::from(low32(a) << (s & 31)))),
            XOp::Srlw => alu!(m, |a, s: u64| sext32(u64::from(low32(a) >> (s & 31)))),
            XOp::Sraw => alu!(m, |a, s: u64| i64::from((low32(a) as i32) >> (s & 31)) as u64),
            XOp::Mul => alu!(m, u64::wrapping_mul),
            XOp::Mulh => alu!(m, mulh),
            XOp::Mulhsu => alu!(m, mulhsu),
            XOp::Mulhu => alu!(m, mulhu),
            XOp::Div => alu!(m, div),
            XOp::Divu => alu!(m, divu),
            XOp::Rem => alu!(m, rem),
            XOp::Remu => alu!(m, remu),
            XOp::Mulw => alu!(m, |a: u64, b| sext32(a.wrapping_mul(b))),
            XOp::Divw => alu!(m, divw),
            XOp::Divuw => alu!(m, divuw),
            XOp::Remw => alu!(m, remw),
            XOp::Remuw => alu!(m, remuw),
            XOp::Fence => {}
            XOp::Ecall | XOp::Ebreak => {
                *pc = pc_of(idx + 1);
                let exit = if m.op == XOp::Ecall { Exit::Ecall } else { Exit::Ebreak };
                finish!(Flow::Exit(exit));
            }
            XOp::Illegal => {
                let at = pc_of(idx);
                let mut word = [0u8; 4];
                // The region holds this word (it was predecoded from it).
                let _ = mem.read_bytes(at, &mut word);
                trap!(m, Trap::IllegalInstruction { pc: at, word: u32::from_le_bytes(word) })
            }
            XOp::MisalignedJal => {
                let at = pc_of(idx);
                let target = at.wrapping_add(sext_imm(m.imm));
                trap!(m, Trap::MisalignedFetch { pc: at, target })
            }
            XOp::MisalignedBranch => {
                let (a, b) = (regs[m.rs1 as usize], regs[m.rs2 as usize]);
                if branch_taken(m.rd, a, b) {
                    let at = pc_of(idx);
                    let target = at.wrapping_add(sext_imm(m.imm));
                    trap!(m, Trap::MisalignedFetch { pc: at, target })
                }
                if HIST {
                    hist[m.op as usize] -= 1;
                    hist[branch_op(m.rd) as usize] += 1;
                }
            }
        }
        idx += 1;
    }
}
