//! EVM memory: range checks and expansion (charged by the transpiled code, 3·w + w²/512 on
//! the increase), MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY, and big-endian word stores.

use super::asm::{bswap64, mem, Label};
use super::ctx::G_MSIZE;
use super::gen::Gen;
use super::helpers::Helper;
use super::layout::{L_GAS, L_P, L_T, MASKS, MEM_BASE};
use super::stack::{as_const, konst, Limb, Value};
use crate::opcodes::op;

/// An i32 operand: a constant or a local.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I32 {
    /// A constant.
    Const(u32),
    /// An i32 local.
    Local(u32),
}

/// Where a big-endian word goes.
#[derive(Clone, Copy)]
pub enum Ptr {
    /// An absolute address of the linear memory.
    Abs(u32),
    /// EVM memory at the offset held by this operand.
    Evm(I32),
    /// The linear address held by this i32 local (EVM memory offset plus [`MEM_BASE`]), so
    /// that each access has a small offset (a large one costs an instruction or two more on
    /// the machine).
    Lin(u32),
}

impl Gen<'_> {
    /// Pushes an i32 operand.
    pub fn get32(&mut self, v: I32) {
        match v {
            I32::Const(c) => self.asm.i().i32_const(c as i32),
            I32::Local(x) => self.asm.i().local_get(x),
        };
    }

    /// Pushes the linear address of EVM memory offset `p`.
    pub fn get_ptr(&mut self, p: I32) {
        match p {
            I32::Const(c) => {
                self.asm.i().i32_const((MEM_BASE + c) as i32);
            }
            I32::Local(x) => {
                self.asm.i().local_get(x).i32_const(MEM_BASE as i32).i32_add();
            }
        }
    }

    /// Checks an EVM memory range and expands memory over it (charging the expansion).
    /// Returns its offset and length as i32 (both 0 when the length is 0: a zero-length range
    /// never expands memory and its offset is ignored). An offset or length that does not fit
    /// 32 bits, with a non-zero length, is out of gas. `which` (0 or 1) picks the scratch locals.
    pub fn mem_range(&mut self, off: Value, size: Value, which: usize) -> (I32, I32) {
        let (lp, ll) = (L_P[2 * which], L_P[2 * which + 1]);
        let Some(sz) = as_const(&size) else {
            self.get_value(&off);
            self.get_value(&size);
            self.call_gas_helper(Helper::MemRange);
            self.asm.i().local_set(lp);
            self.get(size[0]);
            self.asm.i().i32_wrap_i64().local_set(ll);
            return (I32::Local(lp), I32::Local(ll));
        };
        if sz == [0; 4] {
            return (I32::Const(0), I32::Const(0));
        }
        if sz[1] | sz[2] | sz[3] != 0 || sz[0] > u64::from(u32::MAX) {
            self.asm.br(Label::OogNow);
            return (I32::Const(0), I32::Const(0));
        }
        let len = sz[0];
        if let Some(o) = as_const(&off) {
            // Beyond the largest supported memory the expansion always halts (and constant
            // addresses stay small enough for memarg offsets).
            let too_far = o[1] | o[2] | o[3] != 0 || o[0].saturating_add(len) > super::layout::MAX_EVM_MEMORY;
            if too_far {
                self.asm.br(Label::OogNow);
                return (I32::Const(0), I32::Const(0));
            }
            let end = (o[0] + len) as i64;
            self.asm.i().global_get(G_MSIZE).i64_const(end).i64_lt_u();
            self.asm.if_();
            self.asm.i().i64_const(end);
            self.call_gas_helper(Helper::Expand);
            self.asm.end();
            return (I32::Const(o[0] as u32), I32::Const(len as u32));
        }
        let off = self.stage(off, 2);
        self.high_bits_trap(&off, 32);
        self.get(off[0]);
        self.asm.i().i64_const(len as i64).i64_add().local_tee(L_T).global_get(G_MSIZE).i64_gt_u();
        self.asm.if_();
        self.asm.i().local_get(L_T);
        self.call_gas_helper(Helper::Expand);
        self.asm.end();
        self.get(off[0]);
        self.asm.i().i32_wrap_i64().local_set(lp);
        (I32::Local(lp), I32::Const(len as u32))
    }

    /// Checks and expands the `len` bytes of EVM memory at `off` (len is 1 or 32) and returns
    /// where they are: a constant address, or a local holding the linear address.
    fn mem_word(&mut self, off: Value, len: u64) -> Ptr {
        match self.mem_range(off, konst([len, 0, 0, 0]), 0).0 {
            I32::Local(x) => {
                self.asm.i().local_get(x).i32_const(MEM_BASE as i32).i32_add().local_set(x);
                Ptr::Lin(x)
            }
            p => Ptr::Evm(p),
        }
    }

    /// Out of gas unless `v < 2^bits` (bits is 32 or 64): memory offsets and sizes.
    pub fn high_bits_trap(&mut self, v: &Value, bits: u32) {
        let mut any = false;
        if bits == 32 {
            match v[0] {
                // The high half of bswap(x) is zero iff the low half of x is.
                Limb::Swapped(x) => {
                    self.asm.i().local_get(x).i64_const(0xffff_ffff).i64_and();
                }
                l => {
                    self.get(l);
                    self.asm.i().i64_const(32).i64_shr_u();
                }
            }
            any = true;
        }
        for l in &v[1..] {
            if *l == Limb::Const(0) {
                continue;
            }
            self.get_for_zero_test(*l);
            if any {
                self.asm.i().i64_or();
            }
            any = true;
        }
        if any {
            self.asm.i().i64_const(0).i64_ne();
            self.asm.br_if(Label::OogNow);
        }
    }

    /// Charges a gas amount computed by `amount` (an i64 pushed on the operand stack).
    pub fn charge_dynamic(&mut self, amount: impl FnOnce(&mut Self)) {
        self.asm.i().local_get(L_GAS);
        amount(self);
        self.asm.i().i64_sub().local_set(L_GAS);
    }

    /// Stores `v` as a big-endian 32-byte word.
    pub fn store_word(&mut self, at: Ptr, v: Value) {
        let dynamic = v.iter().filter(|l| !matches!(l, Limb::Const(_) | Limb::Swapped(_))).count();
        if dynamic > 2 {
            match at {
                Ptr::Abs(a) => {
                    self.asm.i().i32_const(a as i32);
                }
                Ptr::Evm(p) => self.get_ptr(p),
                Ptr::Lin(x) => {
                    self.asm.i().local_get(x);
                }
            }
            self.get_value(&v);
            let f = self.ctx.helper(Helper::StoreBe);
            self.asm.i().call(f);
            return;
        }
        for (j, l) in v.iter().enumerate() {
            let off = self.push_addr(at, 24 - 8 * j as u32);
            match *l {
                Limb::Const(c) => {
                    self.asm.i().i64_const(c.swap_bytes() as i64);
                }
                Limb::Swapped(x) => {
                    self.asm.i().local_get(x);
                }
                l => {
                    self.get(l);
                    bswap64(&mut self.asm.i(), L_T, MASKS);
                }
            }
            self.asm.i().i64_store(mem(off, 0));
        }
    }

    /// Pushes the base address for a store at byte `plus` of `at`; returns the memarg offset.
    fn push_addr(&mut self, at: Ptr, plus: u32) -> u64 {
        match at {
            Ptr::Abs(a) => {
                self.asm.i().i32_const(0);
                u64::from(a + plus)
            }
            Ptr::Evm(I32::Const(c)) => {
                self.asm.i().i32_const(0);
                u64::from(MEM_BASE) + u64::from(c) + u64::from(plus)
            }
            Ptr::Evm(I32::Local(x)) => {
                self.asm.i().local_get(x);
                u64::from(MEM_BASE + plus)
            }
            Ptr::Lin(x) => {
                self.asm.i().local_get(x);
                u64::from(plus)
            }
        }
    }

    /// Loads a big-endian word from a fixed address (as swapped limbs).
    pub fn load_word(&mut self, at: u32) -> Value {
        self.load_raw(Ptr::Abs(at))
    }

    /// Loads the big-endian word at `at` raw: limb j is the swap of the i64 at byte 24 - 8j.
    /// The 12 bytes before an address written at `ADDR_OUT + 12` are zero: limb 3 is zero.
    pub fn load_raw(&mut self, at: Ptr) -> Value {
        let mut v = super::stack::ZERO;
        let top = if matches!(at, Ptr::Abs(a) if a == super::layout::ADDR_OUT) { 3 } else { 4 };
        for (j, limb) in v.iter_mut().enumerate().take(top) {
            let off = self.push_addr(at, 24 - 8 * j as u32);
            let x = self.pool.alloc();
            self.asm.i().i64_load(mem(off, 0)).local_set(x);
            *limb = Limb::Swapped(x);
        }
        v
    }

    /// Lowers a memory opcode; false if `o` is not one.
    pub fn memory_op(&mut self, o: u8) -> bool {
        match o {
            op::MLOAD => {
                let off = self.pop();
                let p = self.mem_word(off, 32);
                self.release(off);
                let v = self.load_raw(p);
                self.push(v);
            }
            op::MSTORE => {
                let (off, v) = (self.pop(), self.pop());
                let p = self.mem_word(off, 32);
                self.store_word(p, v);
                self.release(off);
                self.release(v);
            }
            op::MSTORE8 => {
                let (off, v) = (self.pop(), self.pop());
                let (p, _) = self.mem_range(off, konst([1, 0, 0, 0]), 0);
                let o = self.push_addr(Ptr::Evm(p), 0);
                match v[0] {
                    // The low byte of bswap(x) is the high byte of x.
                    Limb::Swapped(x) => {
                        self.asm.i().local_get(x).i64_const(56).i64_shr_u();
                    }
                    l => self.get(l),
                }
                self.asm.i().i64_store8(mem(o, 0));
                self.release(off);
                self.release(v);
            }
            op::MSIZE => {
                self.asm.i().global_get(G_MSIZE);
                let v = self.take_results(1);
                self.push(v);
            }
            op::MCOPY => {
                let (dst, src, len) = (self.pop(), self.pop(), self.pop());
                let (d, l) = self.mem_range(dst, len, 0);
                let (s, _) = self.mem_range(src, len, 1);
                if l != I32::Const(0) {
                    self.charge_copy(l);
                    self.get_ptr(d);
                    self.get_ptr(s);
                    self.get32(l);
                    self.asm.i().memory_copy(0, 0);
                }
                self.release(dst);
                self.release(src);
                self.release(len);
            }
            _ => return false,
        }
        true
    }

    /// Charges 3 gas per 32-byte word of `len`.
    pub fn charge_copy(&mut self, len: I32) {
        match len {
            I32::Const(n) => self.charge_static(3 * u64::from(n).div_ceil(32)),
            I32::Local(x) => self.charge_dynamic(|g| {
                g.asm.i().local_get(x).i64_extend_i32_u().i64_const(31).i64_add();
                g.asm.i().i64_const(5).i64_shr_u().i64_const(3).i64_mul();
            }),
        }
    }
}
