//! A small bytecode interpreter: a stack machine with eight 64-bit registers, a value stack,
//! calls and returns, and a dispatch loop over one-byte opcodes (a `match`, which becomes a
//! jump table). The kernel runs [`program`], whose main loop runs `n` times and calls a
//! subroutine each time, so the interpreter's own costs (fetch, decode, dispatch, stack
//! traffic) are what is measured.

/// The opcodes; an immediate follows `PUSH` (8 bytes, little-endian), `LOAD`/`STORE` (a
/// register), `JMP`/`JZ`/`CALL` (a 2-byte little-endian target).
pub mod op {
    pub const HALT: u8 = 0;
    pub const PUSH: u8 = 1;
    pub const LOAD: u8 = 2;
    pub const STORE: u8 = 3;
    pub const ADD: u8 = 4;
    pub const SUB: u8 = 5;
    pub const MUL: u8 = 6;
    pub const XOR: u8 = 7;
    pub const SHR: u8 = 8;
    pub const ROTL: u8 = 9;
    pub const DUP: u8 = 10;
    pub const JMP: u8 = 11;
    pub const JZ: u8 = 12;
    pub const CALL: u8 = 13;
    pub const RET: u8 = 14;
    pub const LT: u8 = 15;
}

/// How the interpreter stopped abnormally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An opcode that does not exist, at this offset.
    BadOpcode(usize),
    /// The value or call stack over- or underflowed, at this offset.
    Stack(usize),
    /// The program counter or a register operand left the program, at this offset.
    Bounds(usize),
}

/// Values the value stack holds.
const STACK: usize = 64;
/// Return addresses the call stack holds.
const CALLS: usize = 16;

/// The machine's state after a run: registers, the value stack's top, instructions executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub regs: [u64; 8],
    pub top: Option<u64>,
    pub steps: u64,
}

/// Runs `code` with `r0 = n` until `HALT`.
pub fn run(code: &[u8], n: u64) -> Result<Outcome, Fault> {
    let mut regs = [0u64; 8];
    regs[0] = n;
    let mut stack = [0u64; STACK];
    let mut calls = [0usize; CALLS];
    let (mut sp, mut csp, mut pc, mut steps) = (0usize, 0usize, 0usize, 0u64);
    loop {
        let at = pc;
        let opcode = *code.get(pc).ok_or(Fault::Bounds(at))?;
        pc += 1;
        steps += 1;
        let imm = |len: usize| -> Result<u64, Fault> {
            let bytes = code.get(pc..pc + len).ok_or(Fault::Bounds(at))?;
            Ok(bytes.iter().rev().fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
        };
        macro_rules! pop {
            () => {{
                sp = sp.checked_sub(1).ok_or(Fault::Stack(at))?;
                stack[sp]
            }};
        }
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                *stack.get_mut(sp).ok_or(Fault::Stack(at))? = v;
                sp += 1;
            }};
        }
        macro_rules! binary {
            ($f:expr) => {{
                let b = pop!();
                let a = pop!();
                let f: fn(u64, u64) -> u64 = $f;
                push!(f(a, b));
            }};
        }
        match opcode {
            op::HALT => {
                let top = sp.checked_sub(1).map(|i| stack[i]);
                return Ok(Outcome { regs, top, steps });
            }
            op::PUSH => {
                push!(imm(8)?);
                pc += 8;
            }
            op::LOAD | op::STORE => {
                // Casts: a register number is one byte.
                let r = imm(1)? as usize;
                pc += 1;
                let reg = regs.get_mut(r).ok_or(Fault::Bounds(at))?;
                if opcode == op::LOAD {
                    let v = *reg;
                    push!(v);
                } else {
                    *reg = pop!();
                }
            }
            op::ADD => binary!(u64::wrapping_add),
            op::SUB => binary!(u64::wrapping_sub),
            op::MUL => binary!(u64::wrapping_mul),
            op::XOR => binary!(|a, b| a ^ b),
            op::SHR => binary!(|a, b| a >> (b & 63)),
            op::ROTL => binary!(|a, b| a.rotate_left((b & 63) as u32)),
            op::LT => binary!(|a, b| u64::from(a < b)),
            op::DUP => {
                let v = pop!();
                push!(v);
                push!(v);
            }
            op::JMP | op::JZ | op::CALL => {
                // Casts: a target is two bytes.
                let target = imm(2)? as usize;
                pc += 2;
                match opcode {
                    op::JMP => pc = target,
                    op::JZ => {
                        if pop!() == 0 {
                            pc = target;
                        }
                    }
                    _ => {
                        *calls.get_mut(csp).ok_or(Fault::Stack(at))? = pc;
                        csp += 1;
                        pc = target;
                    }
                }
            }
            op::RET => {
                csp = csp.checked_sub(1).ok_or(Fault::Stack(at))?;
                pc = calls[csp];
            }
            _ => return Err(Fault::BadOpcode(at)),
        }
    }
}

/// Bytes [`program`] takes.
pub const PROGRAM_BYTES: usize = 128;

/// A tiny assembler: code in a fixed buffer, forward jumps patched when their label is bound.
struct Asm {
    code: [u8; PROGRAM_BYTES],
    len: usize,
}

impl Asm {
    fn byte(&mut self, b: u8) -> &mut Asm {
        self.code[self.len] = b;
        self.len += 1;
        self
    }
    fn op(&mut self, opcode: u8) -> &mut Asm {
        self.byte(opcode)
    }
    fn push(&mut self, v: u64) -> &mut Asm {
        self.byte(op::PUSH);
        v.to_le_bytes().into_iter().fold(self, |a, b| a.byte(b))
    }
    fn reg(&mut self, opcode: u8, r: u8) -> &mut Asm {
        self.byte(opcode).byte(r)
    }
    /// A jump or call to `target`; returns where its target bytes are, for [`Asm::bind`].
    fn jump(&mut self, opcode: u8, target: usize) -> usize {
        self.byte(opcode);
        let at = self.len;
        // Casts: the program is shorter than 64 KiB.
        let [lo, hi] = (target as u16).to_le_bytes();
        self.byte(lo).byte(hi);
        at
    }
    /// Points the jump whose target bytes are at `site` here.
    fn bind(&mut self, site: usize) {
        let [lo, hi] = (self.len as u16).to_le_bytes();
        self.code[site] = lo;
        self.code[site + 1] = hi;
    }
}

/// The benchmark's program. With `r0 = n`:
///
/// ```text
/// loop:  r0 == 0 → end
///        r1 = mixer(r1 + r0 * r0)           (a call)
///        r2 = r2 + (r1 < r3)
///        r3 = r3 ^ (r1 >> 7)
///        r0 = r0 - 1, loop
/// end:   push r1 ^ r2 ^ r3, halt
/// mixer: y = x * K, rotl(y, 31) ^ (y >> 29)
/// ```
pub fn program() -> ([u8; PROGRAM_BYTES], usize) {
    use op::*;
    let mut a = Asm { code: [0; PROGRAM_BYTES], len: 0 };
    let top = a.len;
    a.reg(LOAD, 0);
    let to_end = a.jump(JZ, 0);
    a.reg(LOAD, 1).reg(LOAD, 0).op(DUP).op(MUL).op(ADD);
    let to_mixer = a.jump(CALL, 0);
    a.reg(STORE, 1);
    a.reg(LOAD, 1).reg(LOAD, 3).op(LT).reg(LOAD, 2).op(ADD).reg(STORE, 2);
    a.reg(LOAD, 3).reg(LOAD, 1).push(7).op(SHR).op(XOR).reg(STORE, 3);
    a.reg(LOAD, 0).push(1).op(SUB).reg(STORE, 0);
    a.jump(JMP, top);
    a.bind(to_end);
    a.reg(LOAD, 1).reg(LOAD, 2).op(XOR).reg(LOAD, 3).op(XOR).op(HALT);
    a.bind(to_mixer);
    a.push(0x9E37_79B9_7F4A_7C15).op(MUL).op(DUP).push(31).op(ROTL);
    // The stack holds y = x * K and rotl(y, 31); registers 4 and 5 stand in for a swap.
    a.reg(STORE, 4).reg(STORE, 5).reg(LOAD, 4).reg(LOAD, 5).push(29).op(SHR).op(XOR).op(RET);
    (a.code, a.len)
}

/// The kernel: [`program`] for `n` rounds; the checksum of its result and step count, or of
/// the fault (never for this program).
pub fn kernel(n: u64) -> u64 {
    let (code, len) = program();
    match run(&code[..len], n) {
        Ok(o) => crate::mix(o.top.unwrap_or(u64::MAX), o.steps),
        Err(fault) => crate::mix(u64::MAX, fault_code(fault)),
    }
}

/// What [`program`] computes, written directly: `(r1 ^ r2 ^ r3, steps)`.
pub fn direct(n: u64) -> (u64, u64) {
    let (mut r1, mut r2, mut r3) = (0u64, 0u64, 0u64);
    for r0 in (1..=n).rev() {
        let y = r1.wrapping_add(r0.wrapping_mul(r0)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        r1 = y.rotate_left(31) ^ (y >> 29);
        r2 = r2.wrapping_add(u64::from(r1 < r3));
        r3 ^= r1 >> 7;
    }
    // The final test (2 steps) and the end (6).
    (r1 ^ r2 ^ r3, n * ROUND_STEPS + 8)
}

/// Interpreter steps per round of [`program`]'s loop: the test (2), r1's update (7) and the
/// mixer (13), r2's (6), r3's (6), r0's (4) and the jump back.
pub const ROUND_STEPS: u64 = 2 + 7 + 13 + 6 + 6 + 4 + 1;

fn fault_code(fault: Fault) -> u64 {
    // Casts: offsets are within the program.
    match fault {
        Fault::BadOpcode(at) => 1 << 32 | at as u64,
        Fault::Stack(at) => 2 << 32 | at as u64,
        Fault::Bounds(at) => 3 << 32 | at as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_computes_what_direct_does() {
        let (code, len) = program();
        for n in [0, 1, 2, 3, 10, 1000] {
            let o = run(&code[..len], n).unwrap();
            assert_eq!((o.top.unwrap(), o.steps), direct(n), "n = {n}");
            assert_eq!(kernel(n), crate::mix(direct(n).0, direct(n).1));
        }
    }

    #[test]
    fn faults_are_reported() {
        assert_eq!(run(&[op::ADD], 0), Err(Fault::Stack(0)));
        assert_eq!(run(&[op::PUSH, 1], 0), Err(Fault::Bounds(0)));
        assert_eq!(run(&[op::JMP, 0, 1], 0), Err(Fault::Bounds(256)));
        assert_eq!(run(&[0xEE], 0), Err(Fault::BadOpcode(0)));
        assert_eq!(run(&[op::LOAD, 8], 0), Err(Fault::Bounds(0)));
        assert_eq!(run(&[op::RET], 0), Err(Fault::Stack(0)));
        let o = run(&[op::LOAD, 0, op::PUSH, 2, 0, 0, 0, 0, 0, 0, 0, op::MUL, op::HALT], 21).unwrap();
        assert_eq!((o.top, o.steps), (Some(42), 4));
    }
}
