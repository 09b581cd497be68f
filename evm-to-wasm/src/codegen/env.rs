//! Opcodes implemented by host functions: environment queries, storage, copies, hashing,
//! logs, calls, creates and the ways a frame ends. The host charges each of these opcodes
//! (see host-abi's gas column); the transpiled code charges memory expansion before the call.

use super::gen::Gen;
use super::helpers::Helper;
use super::layout::{ADDR_OUT, ARG0, ARG1, L_T32, OUT, TOPICS};
use super::mem::{Ptr, I32};
use super::stack::{as_const, Limb, Value, ZERO};
use crate::opcodes::op;
use host_abi::functions::HostFn as H;
use host_abi::limits::MAX_EVM_INITCODE_SIZE;

impl Gen<'_> {
    fn host(&mut self, f: H) {
        let i = self.ctx.host(f);
        self.gas_out();
        self.asm.i().call(i);
        if !f.terminates() {
            self.gas_in();
        }
    }

    /// Host writes a 32-byte word at OUT.
    fn word_out(&mut self, f: H) {
        self.asm.i().i32_const(OUT as i32);
        self.host(f);
        let v = self.load_word(OUT);
        self.push(v);
    }

    /// Host writes a 20-byte address.
    fn addr_out(&mut self, f: H) {
        self.asm.i().i32_const((ADDR_OUT + 12) as i32);
        self.host(f);
        let v = self.load_word(ADDR_OUT);
        self.push(v);
    }

    /// Host returns an i64 (u64) or i32 (u32).
    fn scalar_out(&mut self, f: H, is_i32: bool) {
        self.host(f);
        if is_i32 {
            self.asm.i().i64_extend_i32_u();
        }
        let v = self.take_results(1);
        self.push(v);
    }

    /// Pushes a value clamped to u64 (as i64 bits).
    fn get_u64_clamped(&mut self, v: Value) {
        if v[1..].iter().all(|l| *l == Limb::Const(0)) {
            self.get(v[0]);
            return;
        }
        self.get(v[0]);
        self.asm.i().i64_const(-1);
        self.get(v[1]);
        self.get(v[2]);
        self.asm.i().i64_or();
        self.get(v[3]);
        self.asm.i().i64_or().i64_eqz().select();
    }

    /// Pushes a source offset clamped to u32 (beyond: u32::MAX, past any data's end).
    fn get_u32_clamped(&mut self, v: Value) {
        let v = self.stage(v, 0);
        self.get(v[0]);
        self.asm.i().i32_wrap_i64().i32_const(-1);
        self.get(v[0]);
        self.asm.i().i64_const(32).i64_shr_u();
        for l in &v[1..] {
            self.get(*l);
            self.asm.i().i64_or();
        }
        self.asm.i().i64_eqz().select();
    }

    /// Stores an address argument at ARG0 and pushes a pointer to its 20 bytes.
    fn addr_arg(&mut self, v: Value) {
        self.store_word(Ptr::Abs(ARG0), v);
        self.release(v);
    }

    /// Lowers a host-implemented opcode; false if `o` is not one.
    pub fn env_op(&mut self, o: u8) -> bool {
        match o {
            op::ADDRESS => self.addr_out(H::Address),
            op::CALLER => self.addr_out(H::Caller),
            op::ORIGIN => self.addr_out(H::Origin),
            op::COINBASE => self.addr_out(H::Coinbase),
            op::CALLVALUE => self.word_out(H::CallValue),
            op::GASPRICE => self.word_out(H::GasPrice),
            op::BASEFEE => self.word_out(H::BaseFee),
            op::PREVRANDAO => self.word_out(H::PrevRandao),
            op::BLOBBASEFEE => self.word_out(H::BlobBaseFee),
            op::SELFBALANCE => self.word_out(H::SelfBalance),
            op::NUMBER => self.scalar_out(H::BlockNumber, false),
            op::TIMESTAMP => self.scalar_out(H::BlockTimestamp, false),
            op::GASLIMIT => self.scalar_out(H::BlockGasLimit, false),
            op::CHAINID => self.scalar_out(H::ChainId, false),
            op::CALLDATASIZE => self.scalar_out(H::CalldataSize, true),
            op::CODESIZE => self.scalar_out(H::CodeSize, true),
            op::RETURNDATASIZE => self.scalar_out(H::ReturndataSize, true),
            op::BALANCE | op::EXTCODEHASH => {
                let a = self.pop();
                self.addr_arg(a);
                self.asm.i().i32_const((ARG0 + 12) as i32).i32_const(OUT as i32);
                self.host(if o == op::BALANCE { H::Balance } else { H::ExtCodeHash });
                let v = self.load_word(OUT);
                self.push(v);
            }
            op::EXTCODESIZE => {
                let a = self.pop();
                self.addr_arg(a);
                self.asm.i().i32_const((ARG0 + 12) as i32);
                self.scalar_out(H::ExtCodeSize, true);
            }
            op::BLOCKHASH | op::BLOBHASH => {
                let n = self.pop();
                self.get_u64_clamped(n);
                self.release(n);
                self.asm.i().i32_const(OUT as i32);
                self.word_out_after(if o == op::BLOCKHASH { H::BlockHash } else { H::BlobHash });
            }
            op::SLOAD | op::TLOAD => {
                let k = self.pop();
                self.store_word(Ptr::Abs(ARG0), k);
                self.release(k);
                self.asm.i().i32_const(ARG0 as i32).i32_const(OUT as i32);
                self.word_out_after(if o == op::SLOAD { H::StorageLoad } else { H::TransientLoad });
            }
            op::SSTORE | op::TSTORE => {
                let (k, v) = (self.pop(), self.pop());
                self.store_word(Ptr::Abs(ARG0), k);
                self.store_word(Ptr::Abs(ARG1), v);
                self.release(k);
                self.release(v);
                self.asm.i().i32_const(ARG0 as i32).i32_const(ARG1 as i32);
                self.host(if o == op::SSTORE { H::StorageStore } else { H::TransientStore });
            }
            op::CALLDATALOAD => {
                let off = self.pop();
                let v = match as_const(&off) {
                    Some(c) if c[1] | c[2] | c[3] != 0 || c[0] > u64::from(u32::MAX - 32) => ZERO,
                    _ => {
                        self.get_value(&off);
                        self.call_gas_helper(Helper::CallDataLoad);
                        self.load_word(OUT)
                    }
                };
                self.release(off);
                self.push(v);
            }
            op::CALLDATACOPY | op::CODECOPY => {
                let (dst, src, len) = (self.pop(), self.pop(), self.pop());
                let (p, l) = self.mem_range(dst, len, 0);
                self.get_ptr(p);
                self.get_u32_clamped(src);
                self.get32(l);
                self.host(if o == op::CALLDATACOPY { H::CalldataCopy } else { H::CodeCopy });
                self.release3(dst, src, len);
            }
            op::RETURNDATACOPY => {
                let (dst, src, len) = (self.pop(), self.pop(), self.pop());
                let (p, l) = self.mem_range(dst, len, 0);
                let src_s = self.stage(src, 0);
                self.high_bits_trap(&src_s, 32);
                self.get_ptr(p);
                self.get(src_s[0]);
                self.asm.i().i32_wrap_i64();
                self.get32(l);
                self.host(H::ReturndataCopy);
                self.release3(dst, src, len);
            }
            op::EXTCODECOPY => {
                let a = self.pop();
                let (dst, src, len) = (self.pop(), self.pop(), self.pop());
                let (p, l) = self.mem_range(dst, len, 0);
                self.addr_arg(a);
                self.asm.i().i32_const((ARG0 + 12) as i32);
                self.get_ptr(p);
                self.get_u32_clamped(src);
                self.get32(l);
                self.host(H::ExtCodeCopy);
                self.release3(dst, src, len);
            }
            op::KECCAK256 => {
                let (off, len) = (self.pop(), self.pop());
                let (p, l) = self.mem_range(off, len, 0);
                self.get_ptr(p);
                self.get32(l);
                self.asm.i().i32_const(OUT as i32);
                self.host(H::Keccak256);
                self.release(off);
                self.release(len);
                let v = self.load_word(OUT);
                self.push(v);
            }
            op::LOG0..=op::LOG4 => {
                let n = u32::from(o - op::LOG0);
                let (off, len) = (self.pop(), self.pop());
                let (p, l) = self.mem_range(off, len, 0);
                for t in 0..n {
                    let v = self.pop();
                    self.store_word(Ptr::Abs(TOPICS + 32 * t), v);
                    self.release(v);
                }
                self.asm.i().i32_const(TOPICS as i32).i32_const(n as i32);
                self.get_ptr(p);
                self.get32(l);
                self.host(H::EmitLog);
                self.release(off);
                self.release(len);
            }
            op::RETURN | op::REVERT => {
                let (off, len) = (self.pop(), self.pop());
                let (p, l) = self.mem_range(off, len, 0);
                self.get_ptr(p);
                self.get32(l);
                self.host(if o == op::RETURN { H::Finish } else { H::Revert });
                self.asm.i().unreachable();
                self.release(off);
                self.release(len);
                self.dead();
            }
            op::SELFDESTRUCT => {
                let a = self.pop();
                self.addr_arg(a);
                self.asm.i().i32_const((ARG0 + 12) as i32);
                self.host(H::SelfDestruct);
                self.asm.i().unreachable();
                self.dead();
            }
            op::CREATE | op::CREATE2 => self.create(o == op::CREATE2),
            op::CALL | op::CALLCODE | op::DELEGATECALL | op::STATICCALL => self.call(o),
            _ => return false,
        }
        true
    }

    /// The host writes a word at OUT (its other arguments already pushed).
    fn word_out_after(&mut self, f: H) {
        self.host(f);
        let v = self.load_word(OUT);
        self.push(v);
    }

    fn release3(&mut self, a: Value, b: Value, c: Value) {
        self.release(a);
        self.release(b);
        self.release(c);
    }

    fn create(&mut self, salted: bool) {
        let (value, off, len) = (self.pop(), self.pop(), self.pop());
        let salt = if salted { Some(self.pop()) } else { None };
        let (p, l) = self.mem_range(off, len, 0);
        // EIP-3860: init code longer than the limit is an exceptional halt.
        self.get32(l);
        self.asm.i().i32_const(MAX_EVM_INITCODE_SIZE as i32).i32_gt_u();
        self.asm.br_if(super::asm::Label::Trap);
        self.store_word(Ptr::Abs(ARG1), value);
        if let Some(s) = salt {
            self.store_word(Ptr::Abs(ARG0), s);
            self.release(s);
        }
        self.asm.i().i32_const(ARG1 as i32);
        self.get_ptr(p);
        self.get32(l);
        if salted {
            self.asm.i().i32_const(ARG0 as i32);
        }
        self.asm.i().i32_const((ADDR_OUT + 12) as i32);
        self.host(if salted { H::Create2 } else { H::Create });
        self.asm.i().local_set(L_T32);
        self.release3(value, off, len);
        let a = self.load_word(ADDR_OUT);
        // Zero unless the status is Success (0). (Not `select` on `i32.eqz` of a local, which
        // wasmi 2.0.0 mistranslates.)
        for l in a {
            if let Limb::Local(x) | Limb::Swapped(x) = l {
                self.asm.i().i64_const(0).local_get(x).local_get(L_T32).select().local_set(x);
            }
        }
        self.push(a);
    }

    fn call(&mut self, o: u8) {
        let gas = self.pop();
        let addr = self.pop();
        let value = if matches!(o, op::CALL | op::CALLCODE) { Some(self.pop()) } else { None };
        let (io, il, oo, ol) = (self.pop(), self.pop(), self.pop(), self.pop());
        let (ip, il32) = self.mem_range(io, il, 0);
        let (op_, ol32) = self.mem_range(oo, ol, 1);
        self.store_word(Ptr::Abs(ARG0), addr);
        if let Some(v) = value {
            self.store_word(Ptr::Abs(ARG1), v);
            self.release(v);
        }
        self.get_u64_clamped(gas);
        self.asm.i().i32_const((ARG0 + 12) as i32);
        if value.is_some() {
            self.asm.i().i32_const(ARG1 as i32);
        }
        self.get_ptr(ip);
        self.get32(il32);
        self.host(match o {
            op::CALL => H::Call,
            op::CALLCODE => H::CallCode,
            op::DELEGATECALL => H::DelegateCall,
            _ => H::StaticCall,
        });
        self.asm.i().local_set(L_T32);
        if ol32 != I32::Const(0) {
            self.get32(op_);
            self.get32(ol32);
            self.call_gas_helper(Helper::ReturnCopy);
        }
        self.asm.i().local_get(L_T32).i32_eqz().i64_extend_i32_s();
        let r = self.take_results(1);
        for v in [gas, addr, io, il, oo, ol] {
            self.release(v);
        }
        self.push(r);
    }
}
