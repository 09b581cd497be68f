//! Every arithmetic, comparison and bitwise opcode against ruint, on edge values and on
//! thousands of seeded random values, with operands in four shapes: both computed at run
//! time, either one a constant, both constants (folded by the transpiler); and operands read
//! back from the memory stack after a jump. The gas of every run is checked too.

mod common;
use common::*;
use ruint::aliases::U512;

fn neg(x: U256) -> bool {
    x.bit(255)
}
fn abs(x: U256) -> U256 {
    if neg(x) {
        x.wrapping_neg()
    } else {
        x
    }
}
fn flip(x: U256) -> U256 {
    x ^ (U256::from(1) << 255)
}

/// Ethereum semantics, written independently of the transpiler (`a` is the top of stack).
fn reference(o: u8, a: U256, b: U256, c: U256) -> U256 {
    let t = |x: bool| U256::from(x as u8);
    match o {
        op::ADD => a.wrapping_add(b),
        op::MUL => a.wrapping_mul(b),
        op::SUB => a.wrapping_sub(b),
        op::DIV => {
            if b.is_zero() {
                U256::ZERO
            } else {
                a / b
            }
        }
        op::SDIV => {
            if b.is_zero() {
                return U256::ZERO;
            }
            let q = abs(a) / abs(b);
            if neg(a) != neg(b) {
                q.wrapping_neg()
            } else {
                q
            }
        }
        op::MOD => {
            if b.is_zero() {
                U256::ZERO
            } else {
                a % b
            }
        }
        op::SMOD => {
            if b.is_zero() {
                return U256::ZERO;
            }
            let r = abs(a) % abs(b);
            if neg(a) {
                r.wrapping_neg()
            } else {
                r
            }
        }
        op::ADDMOD => {
            if c.is_zero() {
                return U256::ZERO;
            }
            let s = U512::from(a) + U512::from(b);
            U256::from(s % U512::from(c))
        }
        op::MULMOD => {
            if c.is_zero() {
                return U256::ZERO;
            }
            let p = U512::from(a) * U512::from(b);
            U256::from(p % U512::from(c))
        }
        op::EXP => a.wrapping_pow(b),
        op::SIGNEXTEND => {
            if a >= U256::from(31) {
                return b;
            }
            let bit = 8 * a.to::<usize>() + 7;
            let mask = (U256::from(1) << (bit + 1)) - U256::from(1);
            if b.bit(bit) {
                b | !mask
            } else {
                b & mask
            }
        }
        op::LT => t(a < b),
        op::GT => t(a > b),
        op::SLT => t(flip(a) < flip(b)),
        op::SGT => t(flip(a) > flip(b)),
        op::EQ => t(a == b),
        op::ISZERO => t(a.is_zero()),
        op::AND => a & b,
        op::OR => a | b,
        op::XOR => a ^ b,
        op::NOT => !a,
        op::BYTE => {
            if a >= U256::from(32) {
                U256::ZERO
            } else {
                (b >> (8 * (31 - a.to::<usize>()))) & U256::from(0xff)
            }
        }
        op::SHL => {
            if a >= U256::from(256) {
                U256::ZERO
            } else {
                b << a.to::<usize>()
            }
        }
        op::SHR => {
            if a >= U256::from(256) {
                U256::ZERO
            } else {
                b >> a.to::<usize>()
            }
        }
        op::SAR => {
            let s = if a >= U256::from(256) { 256 } else { a.to::<usize>() };
            if neg(b) {
                if s >= 256 {
                    U256::MAX
                } else {
                    !((!b) >> s)
                }
            } else if s >= 256 {
                U256::ZERO
            } else {
                b >> s
            }
        }
        _ => unreachable!(),
    }
}

fn static_gas(o: u8) -> i64 {
    evm_to_wasm::opcodes::info(o).unwrap().gas as i64
}

fn exp_gas(o: u8, b: U256) -> i64 {
    if o == op::EXP {
        50 * b.byte_len() as i64
    } else {
        0
    }
}

/// Runs `op(a, b[, c])` with both operands from calldata; checks result and gas.
struct Dynamic {
    prepared: Prepared,
    code: Vec<u8>,
    arity: usize,
}

impl Dynamic {
    fn new(o: u8, arity: usize, through_jump: bool) -> Self {
        let mut e = Evm::new();
        for k in (0..arity).rev() {
            e = e.pushn(32 * k as u64).op(op::CALLDATALOAD);
        }
        if through_jump {
            e = e.push_label("x").op(op::JUMP).label("x");
        }
        let code = e.op(o).ret_top().build();
        let wasm = evm_to_wasm::transpile(&code).unwrap();
        validate(&wasm);
        Self { prepared: Prepared::new(&wasm), code, arity }
    }

    fn check(&self, o: u8, args: [U256; 3], jump: bool) {
        let calldata: Vec<u8> = args[..self.arity].iter().flat_map(|v| word(*v)).collect();
        let host = Host { calldata, code: self.code.clone(), ..Host::default() };
        let gas = 10_000_000;
        let r = self.prepared.run(host, gas);
        let want = reference(o, args[0], args[1], args[2]);
        let name = evm_to_wasm::opcodes::info(o).unwrap().name;
        assert_eq!(u256(r.output()), want, "{name}({:#x}, {:#x}, {:#x})", args[0], args[1], args[2]);
        // PUSH (3 or 2 for PUSH0) + CALLDATALOAD 3 per operand; ret_top: 2+3+3(memory)+3+2.
        let loads: i64 = (0..self.arity).map(|k| if k == 0 { 5 } else { 6 }).sum();
        let jump_gas = if jump { 3 + 8 + 1 } else { 0 };
        let want_gas = loads + jump_gas + static_gas(o) + exp_gas(o, args[1]) + 13;
        assert_eq!(r.used(gas), want_gas, "gas of {name}({:#x}, {:#x})", args[0], args[1]);
    }
}

/// Runs with some operands as PUSH32 constants (`konst[k]`), the others from calldata.
fn check_const(o: u8, arity: usize, args: [U256; 3], konst: [bool; 3]) {
    let mut e = Evm::new();
    let mut calldata = Vec::new();
    for k in (0..arity).rev() {
        if konst[k] {
            e = e.push32(args[k]);
        } else {
            e = e.pushn(calldata.len() as u64).op(op::CALLDATALOAD);
            calldata.extend(word(args[k]));
        }
    }
    let code = e.op(o).ret_top().build();
    let r = run(&code, &calldata, 10_000_000);
    let want = reference(o, args[0], args[1], args[2]);
    let name = evm_to_wasm::opcodes::info(o).unwrap().name;
    assert_eq!(u256(r.output()), want, "{name}{konst:?}({:#x}, {:#x}, {:#x})", args[0], args[1], args[2]);
    let pushes: i64 = (0..arity).map(|k| if konst[k] { 3 } else { 0 }).sum();
    let loads = (0..arity).filter(|k| !konst[*k]).count() as i64;
    // A load is PUSHn offset (PUSH0 for the first: 2, else 3) + CALLDATALOAD 3.
    let load_gas = if loads > 0 { 5 + 6 * (loads - 1) } else { 0 };
    let want_gas = pushes + load_gas + static_gas(o) + exp_gas(o, args[1]) + 13;
    assert_eq!(r.used(10_000_000), want_gas, "gas of {name}{konst:?}");
}

fn arity(o: u8) -> usize {
    match o {
        op::ADDMOD | op::MULMOD => 3,
        op::ISZERO | op::NOT => 1,
        _ => 2,
    }
}

fn all_ops() -> Vec<u8> {
    let mut v = BINARY_OPS.to_vec();
    v.extend([op::ADDMOD, op::MULMOD, op::ISZERO, op::NOT]);
    v
}

#[test]
fn edge_values_dynamic() {
    let edges = edges();
    for o in all_ops() {
        let n = arity(o);
        let d = Dynamic::new(o, n, false);
        for a in &edges {
            for b in &edges {
                let c = if n == 3 {
                    [U256::ZERO, U256::from(1), *a ^ *b, U256::MAX][(a.byte(0) % 4) as usize]
                } else {
                    U256::ZERO
                };
                d.check(o, [*a, *b, c], false);
                if n == 3 {
                    d.check(o, [*a, *b, *b], false);
                    d.check(o, [*b, *a, *a], false);
                }
                if n == 1 {
                    break;
                }
            }
        }
    }
}

#[test]
fn random_values_dynamic() {
    let mut rng = Rng(0x5eed_0001);
    for o in all_ops() {
        let n = arity(o);
        let d = Dynamic::new(o, n, false);
        for _ in 0..2500 {
            let mut args = [rng.u256(), rng.u256(), rng.u256()];
            // Keep shift amounts and byte indexes mostly in range.
            if matches!(o, op::SHL | op::SHR | op::SAR | op::BYTE | op::SIGNEXTEND) && !rng.next().is_multiple_of(4) {
                args[0] = U256::from(rng.next() % if o == op::BYTE || o == op::SIGNEXTEND { 40 } else { 300 });
            }
            d.check(o, args, false);
        }
    }
}

#[test]
fn operands_from_the_memory_stack() {
    let mut rng = Rng(0x5eed_0002);
    for o in all_ops() {
        let n = arity(o);
        let d = Dynamic::new(o, n, true);
        for _ in 0..300 {
            d.check(o, [rng.u256(), rng.u256(), rng.u256()], true);
        }
    }
}

#[test]
fn constant_operands() {
    let mut rng = Rng(0x5eed_0003);
    let edges = edges();
    for o in all_ops() {
        let n = arity(o);
        let shapes: Vec<[bool; 3]> = match n {
            1 => vec![[true, false, false]],
            2 => vec![[true, false, false], [false, true, false], [true, true, false]],
            _ => vec![[true, false, false], [false, false, true], [true, true, true]],
        };
        for shape in shapes {
            for k in 0..120 {
                let mut args = [rng.u256(), rng.u256(), rng.u256()];
                if k < 40 {
                    args[0] = edges[k % edges.len()];
                    args[1] = edges[(k * 7 + 3) % edges.len()];
                }
                if matches!(o, op::SHL | op::SHR | op::SAR | op::BYTE | op::SIGNEXTEND) && k % 2 == 0 {
                    args[0] = U256::from(k as u64 * 5 % 270);
                }
                if matches!(o, op::MUL | op::DIV | op::MOD) && k % 3 == 0 {
                    args[1] = U256::from(1) << (k % 256);
                }
                check_const(o, n, args, shape);
            }
        }
    }
}

#[test]
fn sdiv_smod_corner_cases() {
    let min = U256::from(1) << 255;
    let m1 = U256::MAX;
    let d = Dynamic::new(op::SDIV, 2, false);
    d.check(op::SDIV, [min, m1, U256::ZERO], false);
    d.check(op::SDIV, [min, U256::ZERO, U256::ZERO], false);
    d.check(op::SDIV, [m1, m1, U256::ZERO], false);
    let m = Dynamic::new(op::SMOD, 2, false);
    m.check(op::SMOD, [min, m1, U256::ZERO], false);
    m.check(op::SMOD, [min, U256::ZERO, U256::ZERO], false);
    m.check(op::SMOD, [m1 - U256::from(6), U256::from(3), U256::ZERO], false);
    assert_eq!(reference(op::SDIV, min, m1, U256::ZERO), min);
}

#[test]
fn addmod_mulmod_huge_moduli() {
    let a = Dynamic::new(op::ADDMOD, 3, false);
    let m = Dynamic::new(op::MULMOD, 3, false);
    let mut rng = Rng(0x5eed_0004);
    for _ in 0..500 {
        let big = U256::MAX - U256::from(rng.next() % 1000);
        let x = U256::MAX - U256::from(rng.next() % 5);
        let y = rng.u256() | (U256::from(1) << 255);
        a.check(op::ADDMOD, [x, y, big], false);
        m.check(op::MULMOD, [x, y, big], false);
        m.check(op::MULMOD, [x, x, U256::from(rng.next()) | (U256::from(1) << 200)], false);
        a.check(op::ADDMOD, [x, x, U256::from(rng.next() | 1)], false);
    }
}

/// Inputs that make algorithm D's trial quotient too large (the "add back" step): divisor
/// digits of the form 0x8000_0000…, dividends with a top digit equal to the divisor's.
#[test]
fn division_add_back_cases() {
    let d = Dynamic::new(op::DIV, 2, false);
    let r = Dynamic::new(op::MOD, 2, false);
    let mm = Dynamic::new(op::MULMOD, 3, false);
    let mut rng = Rng(0x5eed_0005);
    let digits = [0u32, 1, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff];
    for _ in 0..4000 {
        let mk = |len: usize, rng: &mut Rng| {
            let mut v = U256::ZERO;
            for k in 0..len {
                let dg = digits[(rng.next() % digits.len() as u64) as usize];
                v |= U256::from(dg) << (32 * k);
            }
            v
        };
        let (la, lb) = ((rng.next() % 8 + 1) as usize, (rng.next() % 8 + 1) as usize);
        let (a, b) = (mk(la, &mut rng), mk(lb, &mut rng));
        d.check(op::DIV, [a, b, U256::ZERO], false);
        r.check(op::MOD, [a, b, U256::ZERO], false);
        mm.check(op::MULMOD, [a, a, b], false);
    }
}

#[test]
fn exp_gas_per_exponent_byte() {
    let d = Dynamic::new(op::EXP, 2, false);
    for bytes in 0..=32u32 {
        let e = if bytes == 0 { U256::ZERO } else { U256::from(1) << (8 * bytes - 1) };
        d.check(op::EXP, [U256::from(3), e, U256::ZERO], false);
        assert_eq!(exp_gas(op::EXP, e), 50 * i64::from(bytes));
    }
}

/// Divisors between 2^32 and 2^64 (fixed-point scales such as 10^18) take a dedicated path;
/// digit patterns near 0x8000_0000 and 0xffff_ffff trigger its quotient corrections.
#[test]
fn division_by_64_bit_divisors() {
    let d = Dynamic::new(op::DIV, 2, false);
    let m = Dynamic::new(op::MOD, 2, false);
    let sd = Dynamic::new(op::SDIV, 2, false);
    let sm = Dynamic::new(op::SMOD, 2, false);
    let mut rng = Rng(0x5eed_0006);
    let digits = [0u32, 1, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff];
    let mut divisors = vec![
        U256::from(1_000_000_000_000_000_000u64),
        U256::from(1u64 << 32),
        U256::from(u64::MAX),
        U256::from(1u64 << 63),
        U256::from((1u64 << 63) + 1),
    ];
    for _ in 0..300 {
        let hi = digits[(rng.next() % 7) as usize].max(1);
        let lo = digits[(rng.next() % 7) as usize];
        divisors.push(U256::from((u64::from(hi) << 32) | u64::from(lo)));
        divisors.push(U256::from(rng.next() | (1 << 32)));
    }
    for b in divisors {
        for _ in 0..6 {
            let mut a = rng.u256();
            if rng.next().is_multiple_of(3) {
                a = U256::MAX - U256::from(rng.next() % 3);
            }
            for (x, o) in [(&d, op::DIV), (&m, op::MOD), (&sd, op::SDIV), (&sm, op::SMOD)] {
                x.check(o, [a, b, U256::ZERO], false);
                x.check(o, [a, U256::ZERO - b, U256::ZERO], false);
            }
        }
    }
}

/// EXP with a power-of-two base is a shift (after the same gas).
#[test]
fn exp_with_power_of_two_bases() {
    let d = Dynamic::new(op::EXP, 2, false);
    let mut rng = Rng(0x5eed_0007);
    for k in [0usize, 1, 2, 3, 7, 8, 31, 63, 64, 100, 128, 200, 255] {
        let base = U256::from(1) << k;
        for e in [0u64, 1, 2, 3, 4, 31, 32, 63, 64, 127, 128, 255, 256, 257, 1000] {
            d.check(op::EXP, [base, U256::from(e), U256::ZERO], false);
        }
        d.check(op::EXP, [base, U256::from(1) << 64, U256::ZERO], false);
        d.check(op::EXP, [base, rng.u256(), U256::ZERO], false);
    }
}
