//! The shared routines of a module's code ([`Helper`]): bulk memory and table operations,
//! in RV64IM, emitted once per module that uses them.
//!
//! They follow the calling convention (arguments in `a0..a3`, result in `a0`) and clobber
//! only caller-saved registers. `i32` arguments arrive sign-extended and are zero-extended
//! first. Bounds are checked before anything is written, as the bulk-memory proposal
//! requires; copies move 8 bytes at a time (the machine allows misaligned accesses), in the
//! direction that is safe for overlapping ranges.

use crate::abi::{vmctx, Helper, Service, TrapCode, MEMORY_BASE_REG, TABLE_BASE};
use crate::emit::{Asm, Cond, Label};
use crate::encode as enc;
use crate::imm::{Imm12, Shamt6};
use crate::regs::{Reg, ECALL_NUMBER, RA, T0, T1, T2, VMCTX, ZERO};

const A0: Reg = Reg::A0;
const A1: Reg = Reg::A1;
const A2: Reg = Reg::A2;
const A3: Reg = Reg::A3;

fn imm(v: i64) -> Imm12 {
    crate::emit::imm12(v)
}

fn zext(a: &mut Asm, r: Reg) {
    a.emit(enc::slli(r, r, Shamt6::wrapping(32)));
    a.emit(enc::srli(r, r, Shamt6::wrapping(32)));
}

fn ret(a: &mut Asm) {
    a.emit(enc::jalr(ZERO, RA, Imm12::ZERO));
}

fn trap(a: &mut Asm, l: Label, code: TrapCode, sandboxed: bool) {
    a.bind(l);
    a.emit(enc::addi(A0, ZERO, imm(code as i64)));
    a.emit(enc::addi(ECALL_NUMBER, ZERO, imm(Service::Trap as i64)));
    crate::lower::emit_ecall(a, sandboxed);
}

/// `rd = ` the table's address (see [`crate::abi::sandbox`]).
fn table_base(a: &mut Asm, rd: Reg, sandboxed: bool) {
    if sandboxed {
        a.emit(enc::ld(rd, VMCTX, imm(vmctx::TABLE_ADDR)));
    } else {
        a.li(rd, TABLE_BASE as i64);
    }
}

/// Sandboxed mode: turns the (checked) memory offset in `r` into an address.
fn memory_addr(a: &mut Asm, r: Reg, sandboxed: bool) {
    if sandboxed {
        a.emit(enc::add(r, r, MEMORY_BASE_REG));
    }
}

/// Traps to `oob` unless `base + len <= limit` (all zero-extended, no overflow).
fn check(a: &mut Asm, base: Reg, len: Reg, limit: Reg, oob: Label) {
    a.emit(enc::add(T1, base, len));
    a.branch(Cond::Ltu, limit, T1, oob);
}

/// Copies `a2` units of `unit` bytes from `a1` to `a0`, upward; clobbers t0, t1.
fn copy_up(a: &mut Asm, unit: i64, done: Label) {
    type MemOp = fn(Reg, Reg, Imm12) -> u32;
    let (load, store): (MemOp, MemOp) = if unit == 8 { (enc::ld, enc::sd) } else { (enc::lbu, enc::sb) };
    let l = a.label();
    a.branch(Cond::Eq, A2, ZERO, done);
    a.bind(l);
    a.emit(load(T1, A1, Imm12::ZERO));
    a.emit(store(A0, T1, Imm12::ZERO));
    a.emit(enc::addi(A0, A0, imm(unit)));
    a.emit(enc::addi(A1, A1, imm(unit)));
    a.emit(enc::addi(A2, A2, imm(-1)));
    a.branch(Cond::Ne, A2, ZERO, l);
}

/// `memcpy` of `a2` bytes from `a1` to `a0`, upward, 8 bytes at a time then bytewise.
fn bytes_up(a: &mut Asm, done: Label) {
    let tail = a.label();
    let lp = a.label();
    a.emit(enc::addi(T0, ZERO, imm(8)));
    a.branch(Cond::Ltu, A2, T0, tail);
    a.bind(lp);
    a.emit(enc::ld(T1, A1, Imm12::ZERO));
    a.emit(enc::sd(A0, T1, Imm12::ZERO));
    a.emit(enc::addi(A0, A0, imm(8)));
    a.emit(enc::addi(A1, A1, imm(8)));
    a.emit(enc::addi(A2, A2, imm(-8)));
    a.branch(Cond::Geu, A2, T0, lp);
    a.bind(tail);
    copy_up(a, 1, done);
}

/// The same, downward from `a0 + a2` and `a1 + a2`.
fn bytes_down(a: &mut Asm, done: Label) {
    let tail = a.label();
    let lp = a.label();
    let lp1 = a.label();
    a.emit(enc::add(A0, A0, A2));
    a.emit(enc::add(A1, A1, A2));
    a.emit(enc::addi(T0, ZERO, imm(8)));
    a.branch(Cond::Ltu, A2, T0, tail);
    a.bind(lp);
    a.emit(enc::addi(A0, A0, imm(-8)));
    a.emit(enc::addi(A1, A1, imm(-8)));
    a.emit(enc::ld(T1, A1, Imm12::ZERO));
    a.emit(enc::sd(A0, T1, Imm12::ZERO));
    a.emit(enc::addi(A2, A2, imm(-8)));
    a.branch(Cond::Geu, A2, T0, lp);
    a.bind(tail);
    a.branch(Cond::Eq, A2, ZERO, done);
    a.bind(lp1);
    a.emit(enc::addi(A0, A0, imm(-1)));
    a.emit(enc::addi(A1, A1, imm(-1)));
    a.emit(enc::lbu(T1, A1, Imm12::ZERO));
    a.emit(enc::sb(A0, T1, Imm12::ZERO));
    a.emit(enc::addi(A2, A2, imm(-1)));
    a.branch(Cond::Ne, A2, ZERO, lp1);
}

/// Turns table indices in `r` into entry addresses (clobbers t0).
fn table_addr(a: &mut Asm, r: Reg, sandboxed: bool) {
    a.emit(enc::slli(r, r, Shamt6::wrapping(3)));
    table_base(a, T0, sandboxed);
    a.emit(enc::add(r, r, T0));
}

/// Emits `helper` into `a` (`sandboxed`: for [`crate::Options::sandboxed`]).
pub(crate) fn emit(a: &mut Asm, helper: Helper, sandboxed: bool) {
    let sb = sandboxed;
    let done = a.label();
    let oob = a.label();
    let code = match helper {
        Helper::MemoryFill | Helper::MemoryCopy | Helper::MemoryInit => TrapCode::MemoryOutOfBounds,
        _ => TrapCode::TableOutOfBounds,
    };
    match helper {
        Helper::MemoryFill => {
            zext(a, A0);
            zext(a, A2);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::MEMORY_BYTES)));
            check(a, A0, A2, T0, oob);
            memory_addr(a, A0, sb);
            a.emit(enc::andi(A1, A1, imm(0xFF)));
            a.emit(enc::ld(T2, VMCTX, imm(vmctx::H01)));
            a.emit(enc::mul(A1, A1, T2));
            let tail = a.label();
            let lp = a.label();
            let lp1 = a.label();
            a.emit(enc::addi(T0, ZERO, imm(8)));
            a.branch(Cond::Ltu, A2, T0, tail);
            a.bind(lp);
            a.emit(enc::sd(A0, A1, Imm12::ZERO));
            a.emit(enc::addi(A0, A0, imm(8)));
            a.emit(enc::addi(A2, A2, imm(-8)));
            a.branch(Cond::Geu, A2, T0, lp);
            a.bind(tail);
            a.branch(Cond::Eq, A2, ZERO, done);
            a.bind(lp1);
            a.emit(enc::sb(A0, A1, Imm12::ZERO));
            a.emit(enc::addi(A0, A0, imm(1)));
            a.emit(enc::addi(A2, A2, imm(-1)));
            a.branch(Cond::Ne, A2, ZERO, lp1);
        }
        Helper::MemoryCopy => {
            zext(a, A0);
            zext(a, A1);
            zext(a, A2);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::MEMORY_BYTES)));
            check(a, A0, A2, T0, oob);
            check(a, A1, A2, T0, oob);
            memory_addr(a, A0, sb);
            memory_addr(a, A1, sb);
            let up = a.label();
            a.branch(Cond::Geu, A1, A0, up);
            bytes_down(a, done);
            a.jump(done);
            a.bind(up);
            bytes_up(a, done);
        }
        Helper::MemoryInit => {
            zext(a, A0);
            zext(a, A1);
            zext(a, A2);
            a.emit(enc::ld(T2, A3, imm(8)));
            check(a, A1, A2, T2, oob);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::MEMORY_BYTES)));
            check(a, A0, A2, T0, oob);
            memory_addr(a, A0, sb);
            a.emit(enc::ld(T2, A3, Imm12::ZERO));
            a.emit(enc::add(A1, A1, T2));
            bytes_up(a, done);
        }
        Helper::TableFill => {
            zext(a, A0);
            zext(a, A2);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::TABLE_SIZE)));
            check(a, A0, A2, T0, oob);
            table_addr(a, A0, sb);
            let lp = a.label();
            a.branch(Cond::Eq, A2, ZERO, done);
            a.bind(lp);
            a.emit(enc::sd(A0, A1, Imm12::ZERO));
            a.emit(enc::addi(A0, A0, imm(8)));
            a.emit(enc::addi(A2, A2, imm(-1)));
            a.branch(Cond::Ne, A2, ZERO, lp);
        }
        Helper::TableCopy => {
            zext(a, A0);
            zext(a, A1);
            zext(a, A2);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::TABLE_SIZE)));
            check(a, A0, A2, T0, oob);
            check(a, A1, A2, T0, oob);
            table_addr(a, A0, sb);
            table_addr(a, A1, sb);
            let up = a.label();
            a.branch(Cond::Geu, A1, A0, up);
            // Downward, one entry at a time.
            let lp = a.label();
            a.emit(enc::slli(T0, A2, Shamt6::wrapping(3)));
            a.emit(enc::add(A0, A0, T0));
            a.emit(enc::add(A1, A1, T0));
            a.branch(Cond::Eq, A2, ZERO, done);
            a.bind(lp);
            a.emit(enc::addi(A0, A0, imm(-8)));
            a.emit(enc::addi(A1, A1, imm(-8)));
            a.emit(enc::ld(T1, A1, Imm12::ZERO));
            a.emit(enc::sd(A0, T1, Imm12::ZERO));
            a.emit(enc::addi(A2, A2, imm(-1)));
            a.branch(Cond::Ne, A2, ZERO, lp);
            a.jump(done);
            a.bind(up);
            copy_up(a, 8, done);
        }
        Helper::TableInit => {
            zext(a, A0);
            zext(a, A1);
            zext(a, A2);
            a.emit(enc::ld(T2, A3, imm(8)));
            check(a, A1, A2, T2, oob);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::TABLE_SIZE)));
            check(a, A0, A2, T0, oob);
            table_addr(a, A0, sb);
            a.emit(enc::slli(A1, A1, Shamt6::wrapping(3)));
            a.emit(enc::ld(T2, A3, Imm12::ZERO));
            a.emit(enc::add(A1, A1, T2));
            copy_up(a, 8, done);
        }
        Helper::TableGrow => {
            let fail = a.label();
            zext(a, A1);
            a.emit(enc::ld(T0, VMCTX, imm(vmctx::TABLE_SIZE)));
            a.emit(enc::ld(T1, VMCTX, imm(vmctx::TABLE_MAX)));
            a.emit(enc::add(T2, T0, A1));
            a.branch(Cond::Ltu, T1, T2, fail);
            a.emit(enc::sd(VMCTX, T2, imm(vmctx::TABLE_SIZE)));
            a.emit(enc::mv(A3, T0));
            a.emit(enc::slli(A2, T0, Shamt6::wrapping(3)));
            table_base(a, T1, sb);
            a.emit(enc::add(A2, A2, T1));
            let lp = a.label();
            let out = a.label();
            a.branch(Cond::Eq, A1, ZERO, out);
            a.bind(lp);
            a.emit(enc::sd(A2, A0, Imm12::ZERO));
            a.emit(enc::addi(A2, A2, imm(8)));
            a.emit(enc::addi(A1, A1, imm(-1)));
            a.branch(Cond::Ne, A1, ZERO, lp);
            a.bind(out);
            a.emit(enc::mv(A0, A3));
            ret(a);
            a.bind(fail);
            a.emit(enc::addi(A0, ZERO, imm(-1)));
        }
    }
    a.bind(done);
    ret(a);
    trap(a, oob, code, sb);
}
