//! Calls: direct, indirect, host functions (`ecall`) and the shared protocol around them.

use alloc::vec::Vec;

use super::{foreign_import, host_import, Entry, FuncCompiler};
use crate::abi::sandbox::ENTRY_LINK;
use crate::abi::{vmctx, TrapCode, FOREIGN_IMPORT, TABLE_BASE};
use crate::emit::{CallTarget, Cond};
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::{Imm12, Shamt6};
use crate::module::ValType;
use crate::regs::{Reg, ARGS, ECALL_NUMBER, POOL, RA, SP, T0, T1, T2, VMCTX, ZERO};

impl FuncCompiler<'_, '_> {
    /// The protocol around a call with `params` arguments on top of the stack and
    /// `results` results: pool registers below the arguments that the call clobbers are
    /// saved to their slots, arguments move to `a0..a7` (and the outgoing area), `body`
    /// emits the call itself, results move from `a0..a7` (and the outgoing area) to their
    /// homes, and the saved registers are loaded back.
    ///
    /// `ecall_args: Some(n)`: the call is an `ecall` with `n` register arguments, which
    /// clobbers only `a0`, those arguments and `a7`; `None`: a call, which clobbers every
    /// caller-saved register.
    pub(super) fn call_with(
        &mut self,
        params: usize,
        results: usize,
        ecall_args: Option<usize>,
        body: impl FnOnce(&mut Self) -> Result<(), CompileError>,
    ) -> Result<(), CompileError> {
        let top = self.top();
        let Some(base) = top.checked_sub(params) else {
            return self.internal("call arguments missing");
        };
        // The call may change the gas register: deferred reads of it must happen now.
        self.invalidate_gas_below(base);
        let clobbered = |r: Reg| match ecall_args {
            None => true,
            Some(n) => r == ECALL_NUMBER || ARGS[..n.max(1)].contains(&r),
        };
        let mut saved = Vec::new();
        for (i, &r) in POOL.iter().enumerate().take(base) {
            if self.stack[i] == Entry::Home && clobbered(r) {
                saved.push(i);
            }
        }
        // (`t1` is free here: `t2` may hold an indirect call's index.)
        let pool_homes = self.pool_window(&saved, T1);
        for &i in &saved {
            self.store_home(POOL[i], i, pool_homes);
        }
        for j in 0..params {
            let src = base + j;
            match ARGS.get(j) {
                Some(&a) => self.read_into(src, a),
                None => {
                    let r = self.read(src, T0);
                    self.store_at(r, SP, 8 * (j - ARGS.len()) as i64, T1);
                }
            }
        }
        body(self)?;
        self.stack.truncate(base);
        let homes = self.home_window(base, base + results, T1);
        for j in (0..results).rev() {
            let q = base + j;
            match (ARGS.get(j), POOL.get(q)) {
                (Some(&a), Some(&r)) => self.asm.mv(r, a),
                (Some(&a), None) => self.store_home(a, q, homes),
                (None, dst) => {
                    let out = 8 * (j - ARGS.len()) as i64;
                    match dst {
                        Some(&r) => self.load_at(r, SP, out),
                        None => {
                            self.load_at(T0, SP, out);
                            self.store_home(T0, q, homes);
                        }
                    }
                }
            }
        }
        let pool_homes = self.pool_window(&saved, T1);
        for i in saved {
            self.load_home(POOL[i], i, pool_homes);
        }
        for _ in 0..results {
            self.push(Entry::Home);
        }
        Ok(())
    }

    pub(super) fn call(&mut self, f: u32) -> Result<(), CompileError> {
        let Some(ty) = self.m.func_type(f) else {
            return self.internal("call to a function without a type");
        };
        let (params, results) = (ty.params.len(), ty.results.len());
        if f >= self.m.num_imported_funcs {
            return self.call_with(params, results, None, |s| {
                s.asm.call(CallTarget::Func(f));
                Ok(())
            });
        }
        if let Some(h) = host_import(self.m, f) {
            let i32_params: Vec<bool> = ty.params.iter().map(|&t| t == ValType::I32).collect();
            let i32_result = ty.results.first() == Some(&ValType::I32);
            if params > 6 {
                return self.internal("host function with more than six arguments");
            }
            return self.call_with(params, results, Some(params), |s| {
                s.host_ecall(&i32_params, h.number(), i32_result);
                Ok(())
            });
        }
        let Some(k) = foreign_import(self.m, f) else {
            return self.internal("import is neither host nor foreign");
        };
        self.call_with(params, results, None, |s| {
            s.asm.li(ECALL_NUMBER, FOREIGN_IMPORT - i64::from(k));
            emit_ecall(&mut s.asm, s.m.sandboxed);
            Ok(())
        })
    }

    fn host_ecall(&mut self, i32_params: &[bool], number: u32, i32_result: bool) {
        emit_host_ecall(&mut self.asm, i32_params, number, i32_result, self.m.sandboxed);
    }

    pub(super) fn call_indirect(&mut self, type_index: u32) -> Result<(), CompileError> {
        let Some(ty) = self.m.types.get(type_index as usize) else {
            return self.internal("call_indirect type out of range");
        };
        let (params, results) = (ty.params.len(), ty.results.len());
        let want = self.m.type_ids.get(type_index as usize).copied().unwrap_or(u32::MAX);
        let ti = self.top() - 1;
        self.invalidate_gas_below(ti);
        let r = self.read(ti, T2);
        self.asm.mv(T2, r);
        self.pop()?;
        self.call_with(params, results, None, |s| {
            // t2 = index: bounds, null and signature checks, then the call.
            s.load_at(T0, VMCTX, vmctx::TABLE_SIZE);
            let undefined = s.trap_label(TrapCode::UndefinedElement);
            s.asm.branch(Cond::Geu, T2, T0, undefined);
            s.emit(enc::slli(T2, T2, Shamt6::wrapping(3)));
            s.table_base(T0);
            s.emit(enc::add(T2, T2, T0));
            s.emit(enc::ld(T2, T2, Imm12::ZERO));
            let null = s.trap_label(TrapCode::UninitializedElement);
            s.asm.branch(Cond::Eq, T2, ZERO, null);
            s.emit(enc::ld(T0, T2, Imm12::ZERO));
            s.asm.li(T1, i64::from(want));
            let mismatch = s.trap_label(TrapCode::IndirectTypeMismatch);
            s.asm.branch(Cond::Ne, T0, T1, mismatch);
            s.emit(enc::ld(T2, T2, const { Imm12::lit(8) }));
            s.emit(enc::jalr(RA, T2, Imm12::ZERO));
            Ok(())
        })
    }
}

/// The `ecall` of a host function: `i32` arguments zero-extended, the number in `a7`, an
/// `i32` result sign-extended back to the register convention.
pub(crate) fn emit_host_ecall(
    asm: &mut crate::emit::Asm,
    i32_params: &[bool],
    number: u32,
    i32_result: bool,
    sandboxed: bool,
) {
    for (j, &is32) in i32_params.iter().enumerate() {
        if let (true, Some(&a)) = (is32, ARGS.get(j)) {
            asm.emit(enc::slli(a, a, Shamt6::wrapping(32)));
            asm.emit(enc::srli(a, a, Shamt6::wrapping(32)));
        }
    }
    asm.li(ECALL_NUMBER, i64::from(number));
    emit_ecall(asm, sandboxed);
    if i32_result {
        asm.emit(enc::addiw(ARGS[0], ARGS[0], Imm12::ZERO));
    }
}

/// An `ecall`, or in the sandboxed mode its replacement: a jump to the entry in the VM
/// context with the return address in `t0` (see [`crate::abi::sandbox`]).
pub(crate) fn emit_ecall(asm: &mut crate::emit::Asm, sandboxed: bool) {
    if sandboxed {
        asm.emit(enc::ld(ENTRY_LINK, VMCTX, const { Imm12::lit(vmctx::ENTRY) }));
        asm.emit(enc::jalr(ENTRY_LINK, ENTRY_LINK, Imm12::ZERO));
    } else {
        asm.emit(enc::ecall());
    }
}

impl FuncCompiler<'_, '_> {
    /// `rd = ` the table's address: a constant in the default mode, from the VM context in
    /// the sandboxed mode.
    pub(super) fn table_base(&mut self, rd: Reg) {
        if self.m.sandboxed {
            self.emit(enc::ld(rd, VMCTX, const { Imm12::lit(vmctx::TABLE_ADDR) }));
        } else {
            self.asm.li(rd, TABLE_BASE as i64);
        }
    }
}
