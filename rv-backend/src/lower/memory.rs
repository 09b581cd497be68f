//! Loads, stores, `memory.size`/`grow`, bulk memory and table operations.
//!
//! An access at `addr + offset` is a machine access at `zero_extend(addr) + offset`: the
//! linear memory is mapped at address 0 at its current size with nothing else below 8 GiB,
//! so out-of-bounds accesses fault in the machine (see [`crate::abi`]). The memory never
//! reaches 2 GiB, so an address with bit 31 set traps at once and the others are used as
//! they are in their (sign-extended) register.

use super::{Entry, FuncCompiler, LocalLoc};
use crate::abi::{
    vmctx, Helper, Service, TrapCode, DESCRIPTOR_SIZE, MEMORY_BASE_REG, MEMORY_SIZE_REG, PAGE_SIZE, RODATA_BASE,
};
use crate::emit::{CallTarget, Cond};
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::{Imm12, Shamt6};
use crate::regs::{Reg, ARGS, ECALL_NUMBER, T0, T1, T2, VMCTX, ZERO};

/// Load instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
}

/// Store widths in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    B1,
    B2,
    B4,
    B8,
}

fn sh6(n: u32) -> Shamt6 {
    Shamt6::wrapping(u64::from(n))
}

/// Splits `v` into a part for `lui`/`li` and a 12-bit remainder.
fn split(v: i64) -> (i64, Imm12) {
    let lo = (v << 52) >> 52;
    (v - lo, crate::emit::imm12(lo))
}

impl FuncCompiler<'_, '_> {
    /// The base register and immediate of the machine address of entry `i` plus `offset`
    /// (`tmp` and `tmp2` are free scratch registers).
    fn address(&mut self, i: usize, offset: u64, size: i64, tmp: Reg, tmp2: Reg) -> Result<(Reg, Imm12), CompileError> {
        let Ok(offset) = i64::try_from(offset) else {
            return self.internal("memory offset above 2^63");
        };
        if self.m.sandboxed {
            return Ok(self.checked_address(i, offset, size, tmp, tmp2));
        }
        if let Entry::Const(c) = self.stack[i] {
            let eff = i64::from(c as u32) + offset;
            if let Some(imm) = Imm12::new(eff) {
                return Ok((ZERO, imm));
            }
            let (hi, lo) = split(eff);
            self.asm.li(tmp, hi);
            return Ok((tmp, lo));
        }
        // Addresses with bit 31 set are out of bounds (the memory stays below 2 GiB), and
        // for the others the sign-extended register is the zero-extended address: one
        // check instead of a zero extension, none for a local already checked.
        let entry = self.stack[i];
        let base = self.read(i, tmp);
        let known = matches!(entry, Entry::Local(l) if self.nonneg.get(l as usize).copied().unwrap_or(false));
        if !known {
            let l = self.trap_label(TrapCode::MemoryOutOfBounds);
            self.asm.branch(Cond::Lt, base, ZERO, l);
            if let Entry::Local(l) = entry {
                if matches!(self.local_locs.get(l as usize), Some(LocalLoc::Reg(_))) {
                    self.mark_nonneg(l);
                }
            }
        }
        if let Some(imm) = Imm12::new(offset) {
            return Ok((base, imm));
        }
        let (hi, lo) = split(offset);
        self.asm.li(tmp2, hi);
        self.emit(enc::add(tmp, base, tmp2));
        Ok((tmp, lo))
    }

    /// The sandboxed mode's [`Self::address`] (offsets below 2^32, so no overflow): traps
    /// unless the `size` bytes at `addr + offset` are within the memory, whose base and
    /// size are in registers (see [`crate::abi::sandbox`]).
    fn checked_address(&mut self, i: usize, offset: i64, size: i64, tmp: Reg, tmp2: Reg) -> (Reg, Imm12) {
        if let Entry::Const(c) = self.stack[i] {
            let eff = i64::from(c as u32) + offset;
            // Memories never shrink: an access within the declared minimum needs no check.
            let min = self.m.memory.map_or(0, |l| l.initial.saturating_mul(PAGE_SIZE));
            if u64::try_from(eff + size).map_or(true, |end| end > min) {
                self.asm.li(tmp2, eff + size);
                let l = self.trap_label(TrapCode::MemoryOutOfBounds);
                self.asm.branch(Cond::Ltu, MEMORY_SIZE_REG, tmp2, l);
            }
            if let Some(imm) = Imm12::new(eff) {
                return (MEMORY_BASE_REG, imm);
            }
            let (hi, lo) = split(eff);
            self.asm.li(tmp, hi);
            self.emit(enc::add(tmp, tmp, MEMORY_BASE_REG));
            return (tmp, lo);
        }
        // As in the default mode, an address with bit 31 set is out of bounds (the memory
        // stays below 2 GiB) and the others are their sign-extended register; a local
        // checked once stays known non-negative until it changes or control flow merges.
        let entry = self.stack[i];
        let base = self.read(i, tmp);
        let known = matches!(entry, Entry::Local(l) if self.nonneg.get(l as usize).copied().unwrap_or(false));
        let end = (offset + size) as u64;
        let covered = match entry {
            Entry::Local(l) if known => self.checked_end.get(l as usize).is_some_and(|&e| e >= end),
            _ => false,
        };
        if !covered {
            let l = self.trap_label(TrapCode::MemoryOutOfBounds);
            let reg_local = match entry {
                Entry::Local(l) if matches!(self.local_locs.get(l as usize), Some(LocalLoc::Reg(_))) => Some(l),
                _ => None,
            };
            if !known {
                self.asm.branch(Cond::Lt, base, ZERO, l);
                if let Some(l) = reg_local {
                    self.mark_nonneg(l);
                }
            }
            // `addr + offset + size <= memory size`, with no overflow (both below 2^33).
            self.asm.add_imm(tmp2, base, end as i64, tmp2);
            self.asm.branch(Cond::Ltu, MEMORY_SIZE_REG, tmp2, l);
            // The local stays this far in bounds until it changes or control flow merges.
            if let Some(e) = reg_local.and_then(|l| self.checked_end.get_mut(l as usize)) {
                *e = (*e).max(end);
            }
        }
        self.emit(enc::add(tmp, base, MEMORY_BASE_REG));
        if let Some(imm) = Imm12::new(offset) {
            return (tmp, imm);
        }
        let (hi, lo) = split(offset);
        self.asm.li(tmp2, hi);
        self.emit(enc::add(tmp, tmp, tmp2));
        (tmp, lo)
    }

    pub(super) fn load(&mut self, offset: u64, kind: Load) -> Result<(), CompileError> {
        let ai = self.top() - 1;
        let t = self.result_target(ai);
        let size = match kind {
            Load::I8 | Load::U8 => 1,
            Load::I16 | Load::U16 => 2,
            Load::I32 | Load::U32 => 4,
            Load::I64 => 8,
        };
        let (base, imm) = self.address(ai, offset, size, T0, T1)?;
        self.stack.truncate(ai);
        let rd = t.reg;
        self.emit(match kind {
            Load::I8 => enc::lb(rd, base, imm),
            Load::U8 => enc::lbu(rd, base, imm),
            Load::I16 => enc::lh(rd, base, imm),
            Load::U16 => enc::lhu(rd, base, imm),
            Load::I32 => enc::lw(rd, base, imm),
            Load::U32 => enc::lwu(rd, base, imm),
            Load::I64 => enc::ld(rd, base, imm),
        });
        self.finish_result(t);
        Ok(())
    }

    pub(super) fn store(&mut self, offset: u64, width: Store) -> Result<(), CompileError> {
        let top = self.top();
        let (ai, vi) = (top - 2, top - 1);
        let v = self.read(vi, T1);
        let size = match width {
            Store::B1 => 1,
            Store::B2 => 2,
            Store::B4 => 4,
            Store::B8 => 8,
        };
        let (base, imm) = self.address(ai, offset, size, T0, T2)?;
        self.stack.truncate(ai);
        self.emit(match width {
            Store::B1 => enc::sb(base, v, imm),
            Store::B2 => enc::sh(base, v, imm),
            Store::B4 => enc::sw(base, v, imm),
            Store::B8 => enc::sd(base, v, imm),
        });
        Ok(())
    }

    /// Loads a VM-context field into a new top entry.
    fn push_vmctx_field(&mut self, off: i64) {
        let top = self.top();
        let t = self.result_target(top);
        self.load_at(t.reg, VMCTX, off);
        self.finish_result(t);
    }

    pub(super) fn memory_size(&mut self) {
        self.push_vmctx_field(vmctx::MEMORY_PAGES);
    }

    pub(super) fn memory_grow(&mut self) -> Result<(), CompileError> {
        self.gas_check();
        self.call_with(1, 1, Some(1), |s| {
            s.emit(enc::addi(ECALL_NUMBER, ZERO, const { Imm12::lit(Service::MemoryGrow as i64) }));
            super::emit_ecall(&mut s.asm, s.m.sandboxed);
            Ok(())
        })
    }

    /// A bulk operation through a helper; `record` is the VM-context offset of a segment
    /// record passed as the fourth argument.
    pub(super) fn bulk(
        &mut self,
        helper: Helper,
        nargs: usize,
        nresults: usize,
        record: Option<i64>,
    ) -> Result<(), CompileError> {
        self.gas_check();
        self.call_with(nargs, nresults, None, |s| {
            if let Some(off) = record {
                s.asm.add_imm(ARGS[3], VMCTX, off, ARGS[3]);
            }
            s.asm.call(CallTarget::Helper(helper));
            Ok(())
        })
    }

    /// `data.drop` / `elem.drop`: the segment's length becomes 0.
    pub(super) fn drop_segment(&mut self, record: i64) {
        self.store_at(ZERO, VMCTX, record + 8, T0);
    }

    /// `t0 = TABLE_BASE + 8 * index` after checking `index < table size`; the index is
    /// entry `i`.
    fn table_slot(&mut self, i: usize) {
        let r = self.read(i, T0);
        self.load_at(T1, VMCTX, vmctx::TABLE_SIZE);
        let l = self.trap_label(TrapCode::TableOutOfBounds);
        self.asm.branch(Cond::Geu, r, T1, l);
        self.emit(enc::slli(T0, r, sh6(3)));
        self.table_base(T1);
        self.emit(enc::add(T0, T0, T1));
    }

    pub(super) fn table_get(&mut self) {
        let ai = self.top() - 1;
        let t = self.result_target(ai);
        self.table_slot(ai);
        self.stack.truncate(ai);
        self.emit(enc::ld(t.reg, T0, Imm12::ZERO));
        self.finish_result(t);
    }

    pub(super) fn table_set(&mut self) {
        let top = self.top();
        let v = self.read(top - 1, T2);
        self.table_slot(top - 2);
        self.stack.truncate(top - 2);
        self.emit(enc::sd(T0, v, Imm12::ZERO));
    }

    pub(super) fn table_size(&mut self) {
        self.push_vmctx_field(vmctx::TABLE_SIZE);
    }

    pub(super) fn ref_func(&mut self, f: u32) {
        let off = DESCRIPTOR_SIZE * u64::from(f);
        if !self.m.sandboxed {
            self.push(Entry::Const((RODATA_BASE + off) as i64));
            return;
        }
        // The read-only data's address is the instance's: from the VM context.
        let top = self.top();
        let t = self.result_target(top);
        self.load_at(t.reg, VMCTX, vmctx::RODATA_ADDR);
        self.asm.add_imm(t.reg, t.reg, off as i64, T1);
        self.finish_result(t);
    }
}
