//! The fast interpreter: runs one executable region's code a basic block at a time.
//!
//! On entering a block it charges the budget for the whole block at once (the block's length
//! is in its first operation, [`Op::len`]) and runs the block's operations from one slice,
//! with no budget test and no bounds check per instruction; a fused pair
//! ([`super::fuse`]) runs both its instructions for one dispatch. If the budget cannot pay for the
//! whole block, the stepping interpreter ([`super::exec`]) runs the rest of the budget
//! instruction by instruction, so a run stops exactly where its budget ends.
//!
//! A trapping instruction gives back what was charged for itself and the rest of its block,
//! so counts are exactly those of [`super::exec`]: every completed instruction once.

use super::alu::*;
use super::exec::{self, load_slow, misaligned, store_slow, Alignment, Code, Flow, Regs};
use super::fuse::{fused_pairs, BOp, Op};
use super::memory::Memory;
use super::predecode::XOP_COUNT;
use super::uart::Uart;
use super::{AccessCause, Exit, Trap};

/// Runs the code of one region from `*pc` until control leaves it or the run ends.
/// `*left` is the remaining budget; `*pc` is updated in every case.
#[inline(always)]
pub(crate) fn run_region<const STRICT: bool>(
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
    let ops: &[Op] = &code.blocks;
    let mut idx: u64 = pc.wrapping_sub(base) >> 2;
    let mut n = *left;

    let pc_of = |idx: u64| base.wrapping_add(idx << 2);

    'block: loop {
        let Some(head) = ops.get(idx as usize) else {
            *pc = pc_of(idx);
            *left = n;
            return Flow::Left;
        };
        let len = u64::from(head.len);
        if len > n || head.len == u32::MAX {
            // The budget ends inside this block (or the block is too long to charge at once):
            // step through it.
            *pc = pc_of(idx);
            *left = n;
            return exec::run_region::<false, STRICT>(code, regs, mem, uart, hist, align, left, pc);
        }
        n -= len;
        let start = idx;
        // `idx + len` is within the region: block lengths never reach past its end.
        let Some(block) = ops.get(idx as usize..(idx + len) as usize) else {
            *pc = pc_of(idx);
            *left = n + len;
            return Flow::Left;
        };
        let mut k: usize = 0;

        // The instruction at `k` faulted: give back its charge and the rest of the block's,
        // and stop at it.
        macro_rules! trap {
            ($trap:expr) => {{
                n += len - k as u64;
                *pc = pc_of(start + k as u64);
                *left = n;
                return Flow::Exit(Exit::Trap($trap));
            }};
        }
        macro_rules! here {
            () => {
                pc_of(start + k as u64)
            };
        }
        macro_rules! check_align {
            ($n:literal, $addr:expr, $fault:ident) => {{
                if STRICT && misaligned($addr, $n) {
                    if align.fault {
                        let at = here!();
                        trap!(Trap::$fault { pc: at, addr: $addr, size: $n, cause: AccessCause::Misaligned })
                    }
                    align.count += 1;
                }
            }};
        }
        macro_rules! load {
            ($rd:expr, $rs1:expr, $imm:expr, $n:literal, $conv:expr) => {{
                let addr = regs[$rs1 as usize].wrapping_add($imm);
                check_align!($n, addr, LoadFault);
                let value = match mem.load::<$n>(addr) {
                    Some(bytes) => $conv(*bytes),
                    None => match load_slow::<$n>(mem, uart, addr) {
                        Ok(raw) => $conv(raw.to_le_bytes()[..$n].try_into().unwrap_or([0; $n])),
                        Err(cause) => {
                            let at = here!();
                            trap!(Trap::LoadFault { pc: at, addr, size: $n, cause })
                        }
                    },
                };
                regs[$rd as usize] = value;
            }};
        }
        macro_rules! store {
            ($rs1:expr, $rs2:expr, $imm:expr, $n:literal) => {{
                let addr = regs[$rs1 as usize].wrapping_add($imm);
                check_align!($n, addr, StoreFault);
                let value = regs[$rs2 as usize];
                match mem.store::<$n>(addr) {
                    Some(dst) => *dst = value.to_le_bytes()[..$n].try_into().unwrap_or([0; $n]),
                    None => {
                        if let Err(cause) = store_slow::<$n>(mem, uart, addr, value) {
                            let at = here!();
                            trap!(Trap::StoreFault { pc: at, addr, size: $n, cause })
                        }
                    }
                }
            }};
        }
        macro_rules! alu {
            ($rd:expr, $rs1:expr, $rs2:expr, $f:expr) => {{
                regs[$rd as usize] = $f(regs[$rs1 as usize], regs[$rs2 as usize]);
            }};
        }
        macro_rules! alu_imm {
            ($rd:expr, $rs1:expr, $imm:expr, $f:expr) => {{
                regs[$rd as usize] = $f(regs[$rs1 as usize], $imm);
            }};
        }
        // A branch ends its block: taken, it goes to its target; not taken, to the next
        // instruction, which is where the block's end leaves `idx` anyway.
        macro_rules! branch {
            ($rs1:expr, $rs2:expr, $imm:expr, $cond:expr) => {{
                if $cond(regs[$rs1 as usize], regs[$rs2 as usize]) {
                    idx = (start + k as u64).wrapping_add($imm);
                    continue 'block;
                }
            }};
        }

        // One instruction with the given operands (registers as `u8` indices, the immediate
        // sign-extended), at index `start + k`.
        macro_rules! one {
            (Lui, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                regs[$rd as usize] = $imm
            };
            (Auipc, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                regs[$rd as usize] = here!().wrapping_add($imm)
            };
            (Jal, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {{
                let at = start + k as u64;
                regs[$rd as usize] = pc_of(at + 1);
                idx = at.wrapping_add($imm);
                continue 'block;
            }};
            (Jalr, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {{
                let target = regs[$rs1 as usize].wrapping_add($imm) & !1;
                if target & 3 != 0 {
                    let at = here!();
                    trap!(Trap::MisalignedFetch { pc: at, target })
                }
                regs[$rd as usize] = pc_of(start + k as u64 + 1);
                idx = target.wrapping_sub(base) >> 2;
                continue 'block;
            }};
            (Beq, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                branch!($rs1, $rs2, $imm, |a, b| a == b)
            };
            (Bne, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                branch!($rs1, $rs2, $imm, |a, b| a != b)
            };
            (Blt, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                branch!($rs1, $rs2, $imm, |a, b| signed(a) < signed(b))
            };
            (Bge, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                branch!($rs1, $rs2, $imm, |a, b| signed(a) >= signed(b))
            };
            (Bltu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                branch!($rs1, $rs2, $imm, |a: u64, b: u64| a < b)
            };
            (Bgeu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                branch!($rs1, $rs2, $imm, |a: u64, b: u64| a >= b)
            };
            (Lb, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 1, |b: [u8; 1]| i64::from(i8::from_le_bytes(b)) as u64)
            };
            (Lh, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 2, |b: [u8; 2]| i64::from(i16::from_le_bytes(b)) as u64)
            };
            (Lw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 4, |b: [u8; 4]| i64::from(i32::from_le_bytes(b)) as u64)
            };
            (Ld, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 8, u64::from_le_bytes)
            };
            (Lbu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 1, |b: [u8; 1]| u64::from(b[0]))
            };
            (Lhu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 2, |b: [u8; 2]| u64::from(u16::from_le_bytes(b)))
            };
            (Lwu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                load!($rd, $rs1, $imm, 4, |b: [u8; 4]| u64::from(u32::from_le_bytes(b)))
            };
            (Sb, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                store!($rs1, $rs2, $imm, 1)
            };
            (Sh, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                store!($rs1, $rs2, $imm, 2)
            };
            (Sw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                store!($rs1, $rs2, $imm, 4)
            };
            (Sd, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                store!($rs1, $rs2, $imm, 8)
            };
            (Addi, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, u64::wrapping_add)
            };
            (Slti, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, b| u64::from(signed(a) < signed(b)))
            };
            (Sltiu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a: u64, b: u64| u64::from(a < b))
            };
            (Xori, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, b| a ^ b)
            };
            (Ori, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, b| a | b)
            };
            (Andi, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, b| a & b)
            };
            (Slli, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a: u64, s: u64| a << (s & 63))
            };
            (Srli, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a: u64, s: u64| a >> (s & 63))
            };
            (Srai, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, s: u64| (signed(a) >> (s & 63)) as u64)
            };
            (Add, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, u64::wrapping_add)
            };
            (Sub, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, u64::wrapping_sub)
            };
            (Sll, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a: u64, b: u64| a << (b & 63))
            };
            (Slt, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, b| u64::from(signed(a) < signed(b)))
            };
            (Sltu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a: u64, b: u64| u64::from(a < b))
            };
            (Xor, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, b| a ^ b)
            };
            (Srl, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a: u64, b: u64| a >> (b & 63))
            };
            (Sra, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, b: u64| (signed(a) >> (b & 63)) as u64)
            };
            (Or, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, b| a | b)
            };
            (And, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, b| a & b)
            };
            (Addiw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a: u64, b| sext32(a.wrapping_add(b)))
            };
            (Slliw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, s: u64| sext32(u64::from(low32(a) << (s & 31))))
            };
            (Srliw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, s: u64| sext32(u64::from(low32(a) >> (s & 31))))
            };
            (Sraiw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu_imm!($rd, $rs1, $imm, |a, s: u64| i64::from((low32(a) as i32) >> (s & 31)) as u64)
            };
            (Addw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a: u64, b| sext32(a.wrapping_add(b)))
            };
            (Subw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a: u64, b| sext32(a.wrapping_sub(b)))
            };
            (Sllw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, s: u64| sext32(u64::from(low32(a) << (s & 31))))
            };
            (Srlw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, s: u64| sext32(u64::from(low32(a) >> (s & 31))))
            };
            (Sraw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a, s: u64| i64::from((low32(a) as i32) >> (s & 31)) as u64)
            };
            (Mul, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, u64::wrapping_mul)
            };
            (Mulh, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, mulh)
            };
            (Mulhsu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, mulhsu)
            };
            (Mulhu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, mulhu)
            };
            (Div, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, div)
            };
            (Divu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, divu)
            };
            (Rem, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, rem)
            };
            (Remu, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, remu)
            };
            (Mulw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, |a: u64, b| sext32(a.wrapping_mul(b)))
            };
            (Divw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, divw)
            };
            (Divuw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, divuw)
            };
            (Remw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, remw)
            };
            (Remuw, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                alu!($rd, $rs1, $rs2, remuw)
            };
            (Fence, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {
                ()
            };
            (Ecall, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {{
                *pc = pc_of(start + k as u64 + 1);
                *left = n;
                return Flow::Exit(Exit::Ecall);
            }};
            (Ebreak, $rd:expr, $rs1:expr, $rs2:expr, $imm:expr) => {{
                *pc = pc_of(start + k as u64 + 1);
                *left = n;
                return Flow::Exit(Exit::Ebreak);
            }};
        }

        while k < block.len() {
            let m = block[k];
            // The dispatch: one arm per instruction of the table, three for the operations
            // that trap, one per fused pair (its first instruction, then its second at the
            // next index).
            macro_rules! dispatch {
                (
                    singles: [$($V:ident $mn:ident $fmt:ident $major:literal $f3:literal $extra:literal;)*]
                    pairs: [$($P:ident = $A:ident $B:ident;)*]
                ) => {
                    match m.op {
                        $(BOp::$V => { one!($V, m.rd, m.rs1, m.rs2, m.imm); })*
                        BOp::Illegal => {
                            let at = here!();
                            let mut word = [0u8; 4];
                            // The region holds this word (it was predecoded from it).
                            let _ = mem.read_bytes(at, &mut word);
                            trap!(Trap::IllegalInstruction { pc: at, word: u32::from_le_bytes(word) })
                        }
                        BOp::MisalignedJal => {
                            let at = here!();
                            trap!(Trap::MisalignedFetch { pc: at, target: at.wrapping_add(m.imm) })
                        }
                        BOp::MisalignedBranch => {
                            if branch_taken(m.rd, regs[m.rs1 as usize], regs[m.rs2 as usize]) {
                                let at = here!();
                                trap!(Trap::MisalignedFetch { pc: at, target: at.wrapping_add(m.imm) })
                            }
                        }
                        $(BOp::$P => {
                            one!($A, m.rd, m.rs1, m.rs2, m.imm1());
                            k += 1;
                            one!($B, m.rd2(), m.rs1_2(), m.rs2_2(), m.imm2());
                        })*
                    }
                };
            }
            macro_rules! with_pairs {
                ($($rows:tt)*) => {
                    fused_pairs!(dispatch! { singles: [$($rows)*] })
                };
            }
            crate::isa::rv64im_table!(with_pairs);
            k += 1;
        }
        idx = start + len;
    }
}
