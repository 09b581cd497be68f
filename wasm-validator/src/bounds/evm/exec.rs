//! Abstract execution of one EVM basic block: the stack as intervals, memory words at known
//! offsets, the worst-case gas of every instruction, where control goes next.
//!
//! An instruction costs its static gas (the opcode table's) and, for one that runs as a host
//! function, what host-abi's price of that function adds in the dearest state and for its
//! lengths ([`host_abi::charge`]): the opcode table's static gas is the function's warm
//! price, so no host function's rule is restated here.

use alloc::string::String;
use alloc::vec::Vec;

use evm_to_wasm::analysis::{instructions, push_value};
use evm_to_wasm::opcodes::{info, op, OpInfo};
use host_abi::charge::{price, worst, Cap, Facts};
use host_abi::functions::HostFn;
use host_abi::gas;

use super::value::{arith, Iv};
use ruint::aliases::U256;

/// Most memory words tracked per state.
const MAX_MEM: usize = 24;
/// Largest memory the analysis accepts as bounded (bytes); beyond it an access is
/// unbounded (expanding that far costs more than 2^36 gas).
pub const MEMORY_LIMIT: u64 = 1 << 32;

/// The abstract state at a block's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AState {
    /// The stack, bottom first.
    pub stack: Vec<Iv>,
    /// Words of memory known at constant offsets.
    pub mem: Vec<(u64, Iv)>,
}

impl AState {
    /// The join of two states at the same point (stacks of equal height).
    pub fn join(&self, o: &Self) -> Self {
        let stack = self.stack.iter().zip(&o.stack).map(|(a, b)| a.join(b)).collect();
        let mem = self
            .mem
            .iter()
            .filter_map(|(off, v)| o.mem.iter().find(|(p, _)| p == off).map(|(_, w)| (*off, v.join(w))))
            .collect();
        Self { stack, mem }
    }

    /// `self` with every value that differs from `old` made unknown.
    pub fn widen(&self, old: &Self) -> Self {
        let stack = self.stack.iter().zip(&old.stack).map(|(a, b)| if a == b { *a } else { Iv::TOP }).collect();
        let mem = self.mem.iter().filter(|e| old.mem.contains(e)).copied().collect();
        Self { stack, mem }
    }

    fn kill(&mut self, off: &Iv, len: &Iv) {
        if len.as_const().is_some_and(|l| l.is_zero()) {
            return;
        }
        match (off.hi_u64(), len.hi_u64()) {
            (Some(hi), Some(l)) => {
                let (lo, end) = (off.lo.saturating_to::<u64>(), hi.saturating_add(l));
                self.mem.retain(|(p, _)| p.saturating_add(32) <= lo || *p >= end);
            }
            _ => self.mem.clear(),
        }
    }

    fn store(&mut self, off: &Iv, v: Iv) {
        self.kill(off, &Iv::n(32));
        if let Some(p) = off.small() {
            if self.mem.len() >= MAX_MEM {
                self.mem.remove(0);
            }
            self.mem.push((p, v));
        }
    }

    fn load(&self, off: &Iv) -> Iv {
        off.small().and_then(|p| self.mem.iter().find(|(q, _)| *q == p).map(|(_, v)| *v)).unwrap_or(Iv::TOP)
    }
}

/// How the analysis treats the calldata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Any calldata.
    Any,
    /// Calldata at least 4 bytes long that starts with this selector.
    Selector(u32),
}

/// What happens after a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Continue at these pcs with these states.
    Go(Vec<(u32, AState)>),
    /// The frame ends (halt, trap).
    End,
    /// The analysis cannot follow: why (a jump whose target is not a constant).
    Stuck(String, u32),
}

/// The result of running a block.
#[derive(Clone, Debug)]
pub struct Ran {
    /// Worst-case gas of the block's instructions (memory expansion excluded).
    pub gas: u128,
    /// Highest memory byte touched (exclusive), or `Err` with why and where.
    pub mem_end: Result<u64, (String, u32)>,
    /// Whether a call or create forwards gas beyond `gas`.
    pub forwards: bool,
    /// Opcodes with state-dependent costs met (opcode, worst cost).
    pub dynamic: Vec<(u8, u128)>,
    /// Where control goes.
    pub next: Next,
}

/// Records that memory `[off, off+len)` is touched at `pc`.
fn touch(r: &mut Ran, off: &Iv, len: &Iv, pc: u32) {
    if len.as_const().is_some_and(|l| l.is_zero()) {
        return;
    }
    let Ok(cur) = r.mem_end else { return };
    match (off.hi_u64(), len.hi_u64()) {
        (Some(o), Some(l)) if o.saturating_add(l) <= MEMORY_LIMIT => r.mem_end = Ok(cur.max(o + l)),
        _ => r.mem_end = Err((String::from("memory access whose offset or length has no bound"), pc)),
    }
}

/// The bytes of a length at most (at most the largest memory: a longer access is unbounded
/// anyway).
fn max_len(len: &Iv) -> u64 {
    len.hi_u64().unwrap_or(u64::MAX).min(MEMORY_LIMIT)
}

/// Words of a length at most.
fn words(len: &Iv) -> u128 {
    u128::from(max_len(len).div_ceil(32))
}

/// What the state (`facts`) adds to host function `f`'s price over its warm price, which is
/// the static gas of the opcode that calls it.
fn dearer(f: HostFn, facts: &Facts) -> u128 {
    u128::from(price(f, facts).fixed.saturating_sub(price(f, &Facts::WARM).fixed))
}

/// The part of host function `f`'s price proportional to its length in memory (bytes copied,
/// hashed, logged, of init code), for a length of at most `len`.
fn per_len(f: HostFn, len: &Iv) -> u128 {
    let bytes = max_len(len);
    worst(f).terms.iter().flatten().filter(|t| t.cap == Cap::Memory).map(|t| u128::from(t.gas_for(bytes))).sum()
}

/// Runs the block `[start, end)` from `st`. `fallthrough` is the pc after the block.
pub fn run(code: &[u8], start: u32, end: u32, mut st: AState, mode: Mode, is_jumpdest: &dyn Fn(u64) -> bool) -> Ran {
    let mut r = Ran { gas: 0, mem_end: Ok(0), forwards: false, dynamic: Vec::new(), next: Next::End };
    for ins in instructions(code, start, end) {
        let o = ins.op;
        let pc = ins.pc;
        let Some(inf) = info(o) else {
            r.next = Next::End;
            return r;
        };
        r.gas += u128::from(inf.gas);
        let n_in = usize::from(inf.inputs);
        if st.stack.len() < n_in {
            // Stack underflow: an exceptional halt.
            r.next = Next::End;
            return r;
        }
        // Operands, top first.
        let args: Vec<Iv> = st.stack.iter().rev().take(n_in).copied().collect();
        let a = |i: usize| args.get(i).copied().unwrap_or(Iv::TOP);
        let mut extra: u128 = 0;
        let mut out: Option<Iv> = None;
        match o {
            op::PUSH0..=op::PUSH32 => {
                let v = push_value(ins.imm, OpInfo::immediate_len(o));
                let mut bytes = [0u8; 32];
                for (i, limb) in v.iter().enumerate() {
                    bytes[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
                }
                st.stack.push(Iv::k(U256::from_be_bytes(bytes)));
            }
            op::DUP1..=op::DUP16 => {
                let k = usize::from(o - op::DUP1) + 1;
                let v = st.stack[st.stack.len() - k];
                st.stack.push(v);
            }
            op::SWAP1..=op::SWAP16 => {
                let k = usize::from(o - op::SWAP1) + 1;
                if st.stack.len() < k + 1 {
                    r.next = Next::End;
                    return r;
                }
                let top = st.stack.len() - 1;
                st.stack.swap(top, top - k);
            }
            op::JUMPDEST => {}
            op::JUMP | op::JUMPI => {
                let target = a(0);
                st.stack.truncate(st.stack.len() - n_in);
                let cond = a(1);
                let taken_possible = o == op::JUMP || cond.hi > U256::ZERO;
                let fall_possible = o == op::JUMPI && cond.lo.is_zero();
                let mut go = Vec::new();
                if taken_possible {
                    match target.small() {
                        Some(t) if is_jumpdest(t) => go.push((t as u32, st.clone())),
                        // A constant target that is not a JUMPDEST halts when taken.
                        Some(_) => {}
                        None => {
                            r.next =
                                Next::Stuck(String::from("jump to a computed target the analysis cannot resolve"), pc);
                            return r;
                        }
                    }
                }
                if fall_possible {
                    go.push((end, st.clone()));
                }
                r.next = if go.is_empty() { Next::End } else { Next::Go(go) };
                return r;
            }
            op::STOP | op::INVALID => {
                r.next = Next::End;
                return r;
            }
            op::RETURN | op::REVERT => {
                touch(&mut r, &a(0), &a(1), pc);
                r.next = Next::End;
                return r;
            }
            op::SELFDESTRUCT => {
                let extra = dearer(HostFn::SelfDestruct, &Facts::WORST);
                r.gas += extra;
                r.dynamic.push((o, u128::from(inf.gas) + extra));
                r.next = Next::End;
                return r;
            }
            op::CALLDATALOAD => {
                out = Some(match (mode, a(0).small()) {
                    (Mode::Selector(s), Some(0)) => {
                        let s = U256::from(s) << 224;
                        Iv::range(s, s | ((U256::from(1u8) << 224) - U256::from(1u8)))
                    }
                    _ => Iv::TOP,
                });
            }
            op::CALLDATASIZE => {
                out = Some(match mode {
                    Mode::Selector(_) => Iv::range(U256::from(4u8), U256::MAX),
                    Mode::Any => Iv::TOP,
                });
            }
            op::MLOAD => {
                touch(&mut r, &a(0), &Iv::n(32), pc);
                out = Some(st.load(&a(0)));
            }
            op::MSTORE => {
                touch(&mut r, &a(0), &Iv::n(32), pc);
                st.stack.truncate(st.stack.len() - n_in);
                st.store(&a(0), a(1));
                continue;
            }
            op::MSTORE8 => {
                touch(&mut r, &a(0), &Iv::n(1), pc);
                st.kill(&a(0), &Iv::n(1));
            }
            op::EXP => {
                let bytes = a(1).hi.bit_len().div_ceil(8);
                extra = 50 * bytes as u128;
                out = Some(arith(o, &args));
            }
            op::KECCAK256 => {
                touch(&mut r, &a(0), &a(1), pc);
                extra = per_len(HostFn::Keccak256, &a(1));
            }
            op::CALLDATACOPY | op::CODECOPY | op::RETURNDATACOPY => {
                touch(&mut r, &a(0), &a(2), pc);
                st.kill(&a(0), &a(2));
                let f = match o {
                    op::CALLDATACOPY => HostFn::CalldataCopy,
                    op::CODECOPY => HostFn::CodeCopy,
                    _ => HostFn::ReturndataCopy,
                };
                extra = per_len(f, &a(2));
            }
            op::MCOPY => {
                // Not a host function: the transpiled code charges EVM's copy price itself.
                touch(&mut r, &a(0), &a(2), pc);
                touch(&mut r, &a(1), &a(2), pc);
                st.kill(&a(0), &a(2));
                extra = u128::from(gas::COPY_WORD) * words(&a(2));
            }
            op::EXTCODECOPY => {
                touch(&mut r, &a(1), &a(3), pc);
                st.kill(&a(1), &a(3));
                extra = dearer(HostFn::ExtCodeCopy, &Facts::WORST) + per_len(HostFn::ExtCodeCopy, &a(3));
            }
            op::BALANCE | op::EXTCODESIZE | op::EXTCODEHASH => {
                let f = match o {
                    op::BALANCE => HostFn::Balance,
                    op::EXTCODESIZE => HostFn::ExtCodeSize,
                    _ => HostFn::ExtCodeHash,
                };
                extra = dearer(f, &Facts::WORST);
            }
            op::SLOAD => extra = dearer(HostFn::StorageLoad, &Facts::WORST),
            op::SSTORE => extra = dearer(HostFn::StorageStore, &Facts::WORST),
            op::LOG0..=op::LOG4 => {
                // The topics are in the static gas; the data is priced per byte.
                touch(&mut r, &a(0), &a(1), pc);
                extra = per_len(HostFn::EmitLog, &a(1));
            }
            op::CALL | op::CALLCODE | op::DELEGATECALL | op::STATICCALL => {
                let has_value = matches!(o, op::CALL | op::CALLCODE);
                let (args_at, value) = if has_value { (3, a(2)) } else { (2, Iv::n(0)) };
                touch(&mut r, &a(args_at), &a(args_at + 1), pc);
                touch(&mut r, &a(args_at + 2), &a(args_at + 3), pc);
                st.kill(&a(args_at + 2), &a(args_at + 3));
                let f = match o {
                    op::CALL => HostFn::Call,
                    op::CALLCODE => HostFn::CallCode,
                    op::DELEGATECALL => HostFn::DelegateCall,
                    _ => HostFn::StaticCall,
                };
                // A cold callee delegated to a cold delegate (EIP-7702); value moving, to a dead
                // account, if the value may be non-zero.
                let facts = if value.hi > U256::ZERO {
                    Facts::WORST
                } else {
                    Facts { cold: true, delegate: Some(true), ..Facts::WARM }
                };
                extra = dearer(f, &facts);
                match a(0).hi_u64() {
                    Some(g) if g < 1 << 40 => extra += u128::from(g),
                    _ => r.forwards = true,
                }
                out = Some(Iv::bool());
            }
            op::CREATE | op::CREATE2 => {
                touch(&mut r, &a(1), &a(2), pc);
                let f = if o == op::CREATE2 { HostFn::Create2 } else { HostFn::Create };
                extra = per_len(f, &a(2));
                r.forwards = true;
                out = Some(Iv::bits(160));
            }
            op::PC => out = Some(Iv::n(u64::from(pc))),
            op::CODESIZE => out = Some(Iv::n(code.len() as u64)),
            op::ADDRESS | op::CALLER | op::ORIGIN | op::COINBASE => out = Some(Iv::bits(160)),
            op::NUMBER | op::TIMESTAMP | op::GASLIMIT | op::CHAINID | op::GAS => out = Some(Iv::bits(64)),
            _ if inf.outputs == 1 && n_in <= 3 && is_pure(o) => out = Some(arith(o, &args)),
            _ => {}
        }
        if extra > 0 {
            r.gas += extra;
            // Costs of unbounded lengths are reported as unbounded memory, not listed.
            if r.mem_end.is_ok() {
                r.dynamic.push((o, u128::from(inf.gas) + extra));
            }
        }
        if !matches!(o, op::PUSH0..=op::PUSH32 | op::DUP1..=op::DUP16 | op::SWAP1..=op::SWAP16) {
            st.stack.truncate(st.stack.len() - n_in);
            for _ in 0..inf.outputs {
                st.stack.push(out.unwrap_or(Iv::TOP));
            }
        }
        if st.stack.len() > 1024 {
            r.next = Next::End;
            return r;
        }
    }
    r.next = Next::Go(alloc::vec![(end, st)]);
    r
}

fn is_pure(o: u8) -> bool {
    matches!(o, 0x01..=0x0b | 0x10..=0x1d)
}
