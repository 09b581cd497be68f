//! Arithmetic, comparison and bitwise opcodes: inline code for the cheap ones (ADD, SUB,
//! comparisons, bitwise operations, shifts by constants), helper calls for the rest, and
//! constant folding when the operands are known.

use super::gen::Gen;
use super::helpers::Helper;
use super::layout::{L_C, L_T, L_T2};
use super::stack::{as_const, konst, Limb, Value};
use crate::opcodes::op;
use crate::u256;

/// A shift applied to a limb before OR-ing it into a result limb.
#[derive(Clone, Copy)]
enum Sh {
    Left(u32),
    Right(u32),
    RightSigned(u32),
}

impl Gen<'_> {
    /// Lowers an arithmetic/bitwise opcode; false if `o` is not one.
    pub fn arith(&mut self, o: u8) -> bool {
        match o {
            op::ADD
            | op::SUB
            | op::MUL
            | op::DIV
            | op::SDIV
            | op::MOD
            | op::SMOD
            | op::EXP
            | op::SIGNEXTEND
            | op::LT
            | op::GT
            | op::SLT
            | op::SGT
            | op::EQ
            | op::AND
            | op::OR
            | op::XOR
            | op::BYTE
            | op::SHL
            | op::SHR
            | op::SAR => self.binary(o),
            op::ADDMOD | op::MULMOD => {
                let (a, b, n) = (self.pop(), self.pop(), self.pop());
                let h = if o == op::ADDMOD { Helper::AddMod } else { Helper::MulMod };
                let r = self.call_helper(h, &[a, b, n], 4);
                self.release(a);
                self.release(b);
                self.release(n);
                self.push(r);
            }
            op::ISZERO => {
                let a = self.pop();
                let r = match as_const(&a) {
                    Some(x) => konst([u64::from(x == [0; 4]), 0, 0, 0]),
                    None => {
                        self.zero_test(a, true);
                        self.bool_result(false)
                    }
                };
                self.release(a);
                self.push(r);
            }
            op::CLZ => {
                let a = self.pop();
                let r = match as_const(&a) {
                    Some(x) => konst([u256::clz(x), 0, 0, 0]),
                    None => self.clz(a),
                };
                self.release(a);
                self.push(r);
            }
            op::NOT => {
                let a = self.pop();
                let mut r = a;
                for (j, l) in a.iter().enumerate() {
                    r[j] = match *l {
                        Limb::Const(c) => Limb::Const(!c),
                        Limb::Swapped(x) => {
                            self.asm.i().local_get(x).i64_const(-1).i64_xor();
                            self.new_swapped()
                        }
                        l => {
                            self.get(l);
                            self.asm.i().i64_const(-1).i64_xor();
                            self.new_limb()
                        }
                    };
                }
                self.release(a);
                self.push(r);
            }
            _ => return false,
        }
        true
    }

    /// EIP-7939's CLZ of a value, branch-free: from the low limb up, each nonzero limb
    /// replaces the count with its own leading zeros plus 64 per limb above it (`i64.clz`
    /// of zero is 64, so the zero word gives 256).
    fn clz(&mut self, a: Value) -> Value {
        self.get(a[0]);
        self.asm.i().i64_clz().i64_const(192).i64_add();
        let acc = self.pool.alloc();
        self.asm.i().local_set(acc);
        for (j, above) in [(1, 128), (2, 64), (3, 0)] {
            self.get(a[j]);
            self.asm.i().i64_clz();
            if above != 0 {
                self.asm.i().i64_const(above).i64_add();
            }
            self.asm.i().local_get(acc);
            self.get(a[j]);
            self.asm.i().i64_const(0).i64_ne().select().local_set(acc);
        }
        [Limb::Local(acc), Limb::Const(0), Limb::Const(0), Limb::Const(0)]
    }

    /// Pops an i32 boolean (negated with `invert`) into a fresh value (0 or 1: its sign
    /// extension, free on RV64, is its zero extension).
    fn bool_result(&mut self, invert: bool) -> Value {
        if invert {
            self.asm.i().i32_eqz();
        }
        self.asm.i().i64_extend_i32_s();
        self.take_results(1)
    }

    /// A fresh pool local set from the i64 on top of the operand stack.
    fn new_limb(&mut self) -> Limb {
        let x = self.pool.alloc();
        self.asm.i().local_set(x);
        Limb::Local(x)
    }

    /// A fresh pool local holding the raw form of a swapped limb (from the operand stack).
    fn new_swapped(&mut self) -> Limb {
        let x = self.pool.alloc();
        self.asm.i().local_set(x);
        Limb::Swapped(x)
    }

    fn bitwise_op(&mut self, o: u8) {
        match o {
            op::AND => self.asm.i().i64_and(),
            op::OR => self.asm.i().i64_or(),
            _ => self.asm.i().i64_xor(),
        };
    }

    /// A limb copied into a result: one more reference if it is a pool local.
    fn share(&mut self, l: Limb) -> Limb {
        self.pool.retain(&[l, Limb::Const(0), Limb::Const(0), Limb::Const(0)]);
        l
    }

    /// Calls a helper with the values' limbs as arguments and takes `results` i64 results.
    pub fn call_helper(&mut self, h: Helper, args: &[Value], results: usize) -> Value {
        for v in args {
            self.get_value(v);
        }
        let f = self.ctx.helper(h);
        self.asm.i().call(f);
        self.take_results(results)
    }

    fn binary(&mut self, o: u8) {
        let a = self.pop();
        let b = self.pop();
        if let (Some(x), Some(y)) = (as_const(&a), as_const(&b)) {
            if let Some(r) = fold(o, x, y) {
                if o == op::EXP {
                    self.charge_static(50 * u256::byte_len(y));
                }
                self.push(konst(r));
                return;
            }
        }
        let r = self.binary_code(o, a, b);
        self.release(a);
        self.release(b);
        self.push(r);
    }

    fn binary_code(&mut self, o: u8, a: Value, b: Value) -> Value {
        let (ca, cb) = (as_const(&a), as_const(&b));
        match o {
            op::ADD => self.add(a, b),
            op::SUB => self.sub(a, b),
            op::MUL => match (cb.and_then(u256::log2_exact), ca.and_then(u256::log2_exact)) {
                (Some(k), _) => self.shl_const(a, k),
                (_, Some(k)) => self.shl_const(b, k),
                _ => self.call_helper(Helper::Mul, &[a, b], 4),
            },
            op::DIV | op::MOD => {
                if let Some(k) = cb.and_then(u256::log2_exact) {
                    return if o == op::DIV {
                        self.shr_const(a, k)
                    } else {
                        let mask = u256::sub(u256::shl([1, 0, 0, 0], k), [1, 0, 0, 0]);
                        self.bitwise(op::AND, a, konst(mask))
                    };
                }
                for v in [a, b] {
                    self.get_value(&v);
                }
                let f = self.ctx.helper(Helper::UDivMod);
                self.asm.i().call(f);
                if o == op::DIV {
                    self.asm.i().drop().drop().drop().drop();
                    self.take_results(4)
                } else {
                    let r = self.take_results(4);
                    self.asm.i().drop().drop().drop().drop();
                    r
                }
            }
            op::SDIV => self.call_helper(Helper::SDiv, &[a, b], 4),
            op::SMOD => self.call_helper(Helper::SMod, &[a, b], 4),
            op::EXP => {
                self.get_value(&a);
                self.get_value(&b);
                self.call_gas_helper(Helper::Exp);
                self.take_results(4)
            }
            op::SIGNEXTEND => self.call_helper(Helper::SignExtend, &[a, b], 4),
            op::LT => self.compare(a, b, false),
            op::GT => self.compare(b, a, false),
            op::SLT => self.compare(a, b, true),
            op::SGT => self.compare(b, a, true),
            op::EQ => {
                let mut first = true;
                for j in 0..4 {
                    if matches!((a[j], b[j]), (Limb::Const(x), Limb::Const(y)) if x == y) {
                        continue;
                    }
                    match (a[j], b[j]) {
                        // Equality does not depend on the byte order.
                        (Limb::Swapped(x), Limb::Swapped(y)) => {
                            self.asm.i().local_get(x).local_get(y);
                        }
                        (Limb::Swapped(x), Limb::Const(c)) | (Limb::Const(c), Limb::Swapped(x)) => {
                            self.asm.i().local_get(x).i64_const(c.swap_bytes() as i64);
                        }
                        (x, y) => {
                            self.get(x);
                            self.get(y);
                        }
                    }
                    self.asm.i().i64_xor();
                    if !first {
                        self.asm.i().i64_or();
                    }
                    first = false;
                }
                if first {
                    return konst([1, 0, 0, 0]);
                }
                self.asm.i().i64_eqz();
                self.bool_result(false)
            }
            op::AND | op::OR | op::XOR => self.bitwise(o, a, b),
            op::BYTE => match ca {
                Some(i) => {
                    let i = u256::shift_amount(i);
                    if i >= 32 {
                        return konst([0; 4]);
                    }
                    let k = 31 - i;
                    let src = b[(k / 8) as usize];
                    self.get(src);
                    self.asm.i().i64_const(i64::from(k % 8 * 8)).i64_shr_u().i64_const(0xff).i64_and();
                    self.take_results(1)
                }
                None => self.call_helper(Helper::Byte, &[a, b], 1),
            },
            op::SHL | op::SHR | op::SAR => match ca {
                Some(s) => {
                    let s = u256::shift_amount(s);
                    match o {
                        op::SHL => self.shl_const(b, s),
                        op::SHR => self.shr_const(b, s),
                        _ => self.sar_const(b, s),
                    }
                }
                None => {
                    let h = match o {
                        op::SHL => Helper::Shl,
                        op::SHR => Helper::Shr,
                        _ => Helper::Sar,
                    };
                    self.call_helper(h, &[a, b], 4)
                }
            },
            _ => unreachable_op(o),
        }
    }

    fn add(&mut self, a: Value, b: Value) -> Value {
        let a = self.stage(a, 0);
        let b = self.stage(b, 1);
        let r: [u32; 4] = core::array::from_fn(|_| self.pool.alloc());
        // Each limb's sum is formed in a register (`L_T2`) and compared there; the result's
        // pool local (which rv-backend keeps in the frame) is only written. Carries are 0 or
        // 1, so their sign extension (free on RV64) is their zero extension.
        self.get(a[0]);
        self.get(b[0]);
        self.asm.i().i64_add().local_tee(L_T2);
        self.get(if a[0] == Limb::Const(0) { b[0] } else { a[0] });
        self.asm.i().i64_lt_u().i64_extend_i32_s().local_set(L_C);
        self.asm.i().local_get(L_T2).local_set(r[0]);
        for j in 1..4 {
            let (x, y) = if a[j] == Limb::Const(0) { (b[j], a[j]) } else { (a[j], b[j]) };
            if j == 3 {
                self.get(x);
                if y != Limb::Const(0) {
                    self.get(y);
                    self.asm.i().i64_add();
                }
                self.asm.i().local_get(L_C).i64_add().local_set(r[3]);
            } else if y == Limb::Const(0) {
                // x + carry: the carry out is whether the sum is below the carry in.
                self.get(x);
                self.asm.i().local_get(L_C).i64_add().local_tee(L_T2);
                self.asm.i().local_get(L_C).i64_lt_u().i64_extend_i32_s().local_set(L_C);
                self.asm.i().local_get(L_T2).local_set(r[j]);
            } else {
                self.get(x);
                self.get(y);
                self.asm.i().i64_add().local_tee(L_T);
                self.get(x);
                self.asm.i().i64_lt_u();
                self.asm.i().local_get(L_T).local_get(L_C).i64_add().local_tee(L_T2);
                self.asm.i().local_get(L_T).i64_lt_u().i32_or().i64_extend_i32_s().local_set(L_C);
                self.asm.i().local_get(L_T2).local_set(r[j]);
            }
        }
        r.map(Limb::Local)
    }

    fn sub(&mut self, a: Value, b: Value) -> Value {
        let a = self.stage(a, 0);
        let b = self.stage(b, 1);
        let r: [u32; 4] = core::array::from_fn(|_| self.pool.alloc());
        self.get(a[0]);
        self.get(b[0]);
        self.asm.i().i64_sub().local_set(r[0]);
        self.get(a[0]);
        self.get(b[0]);
        self.asm.i().i64_lt_u().i64_extend_i32_s().local_set(L_C);
        for j in 1..3 {
            self.get(a[j]);
            self.get(b[j]);
            self.asm.i().i64_sub().local_set(L_T);
            self.get(a[j]);
            self.get(b[j]);
            self.asm.i().i64_lt_u();
            self.asm.i().local_get(L_T).local_get(L_C).i64_sub().local_set(r[j]);
            self.asm.i().local_get(L_T).local_get(L_C).i64_lt_u().i32_or().i64_extend_i32_s().local_set(L_C);
        }
        self.get(a[3]);
        self.get(b[3]);
        self.asm.i().i64_sub().local_get(L_C).i64_sub().local_set(r[3]);
        r.map(Limb::Local)
    }

    /// `a < b` (signed or not) as a fresh boolean value.
    fn compare(&mut self, a: Value, b: Value, signed: bool) -> Value {
        let a = self.stage(a, 0);
        let b = self.stage(b, 1);
        let small = |v: &Value| v[1..].iter().all(|l| *l == Limb::Const(0));
        if !signed && (small(&a) || small(&b)) {
            return self.compare_small(a, b);
        }
        let mut started = false;
        for j in 0..4 {
            let same = matches!((a[j], b[j]), (Limb::Const(x), Limb::Const(y)) if x == y);
            if same && !(signed && j == 3 && !started) {
                continue;
            }
            let lt = |g: &mut Self| {
                g.get(a[j]);
                g.get(b[j]);
                if signed && j == 3 {
                    g.asm.i().i64_lt_s();
                } else {
                    g.asm.i().i64_lt_u();
                }
            };
            if started {
                self.get(a[j]);
                self.get(b[j]);
                self.asm.i().i64_eq().i32_and();
                lt(self);
                self.asm.i().i32_or();
            } else {
                lt(self);
                started = true;
            }
        }
        self.bool_result(false)
    }

    /// Unsigned `a < b` where one side's upper three limbs are zero (a constant below 2^64,
    /// a boolean, a size): with `b` small, `a < b` is `a`'s upper limbs all zero and
    /// `a0 < b0`; with `a` small, it is `b`'s upper limbs not all zero or `a0 < b0`.
    fn compare_small(&mut self, a: Value, b: Value) -> Value {
        self.get(a[0]);
        self.get(b[0]);
        self.asm.i().i64_lt_u();
        let b_small = b[1..].iter().all(|l| *l == Limb::Const(0));
        let other = if b_small { a } else { b };
        let upper: alloc::vec::Vec<Limb> = other[1..].iter().copied().filter(|l| *l != Limb::Const(0)).collect();
        if !upper.is_empty() {
            for (k, l) in upper.iter().enumerate() {
                self.get(*l);
                if k > 0 {
                    self.asm.i().i64_or();
                }
            }
            if b_small {
                self.asm.i().i64_eqz().i32_and();
            } else {
                self.asm.i().i64_const(0).i64_ne().i32_or();
            }
        }
        self.bool_result(false)
    }

    fn bitwise(&mut self, o: u8, a: Value, b: Value) -> Value {
        let mut r = a;
        for j in 0..4 {
            r[j] = match (o, a[j], b[j]) {
                (op::AND, Limb::Const(x), Limb::Const(y)) => Limb::Const(x & y),
                (op::OR, Limb::Const(x), Limb::Const(y)) => Limb::Const(x | y),
                (op::XOR, Limb::Const(x), Limb::Const(y)) => Limb::Const(x ^ y),
                (op::AND, Limb::Const(0), _) | (op::AND, _, Limb::Const(0)) => Limb::Const(0),
                (op::OR, Limb::Const(u64::MAX), _) | (op::OR, _, Limb::Const(u64::MAX)) => Limb::Const(u64::MAX),
                (op::AND, Limb::Const(u64::MAX), l)
                | (op::AND, l, Limb::Const(u64::MAX))
                | (op::OR | op::XOR, Limb::Const(0), l)
                | (op::OR | op::XOR, l, Limb::Const(0)) => self.share(l),
                // Bytewise operations commute with the byte swap: keep the raw form.
                (_, Limb::Swapped(x), Limb::Swapped(y)) => {
                    self.asm.i().local_get(x).local_get(y);
                    self.bitwise_op(o);
                    self.new_swapped()
                }
                (_, Limb::Swapped(x), Limb::Const(c)) | (_, Limb::Const(c), Limb::Swapped(x)) => {
                    self.asm.i().local_get(x).i64_const(c.swap_bytes() as i64);
                    self.bitwise_op(o);
                    self.new_swapped()
                }
                (_, x, y) => {
                    self.get(x);
                    self.get(y);
                    self.bitwise_op(o);
                    self.new_limb()
                }
            };
        }
        r
    }

    /// OR of shifted limbs, folded when all are constant.
    fn combine(&mut self, parts: &[(Limb, Sh)]) -> Limb {
        let parts: alloc::vec::Vec<(Limb, Sh)> = parts.iter().copied().filter(|(l, _)| *l != Limb::Const(0)).collect();
        if parts.iter().all(|(l, _)| matches!(l, Limb::Const(_))) {
            let mut acc = 0u64;
            for (l, sh) in &parts {
                if let Limb::Const(c) = l {
                    acc |= match *sh {
                        Sh::Left(n) => c << n,
                        Sh::Right(n) => c >> n,
                        Sh::RightSigned(n) => ((*c as i64) >> n) as u64,
                    };
                }
            }
            return Limb::Const(acc);
        }
        if let [(l, Sh::Left(0) | Sh::Right(0) | Sh::RightSigned(0))] = parts[..] {
            return self.share(l);
        }
        for (k, (l, sh)) in parts.iter().enumerate() {
            self.get(*l);
            match *sh {
                Sh::Left(0) | Sh::Right(0) | Sh::RightSigned(0) => {}
                Sh::Left(n) => {
                    self.asm.i().i64_const(i64::from(n)).i64_shl();
                }
                Sh::Right(n) => {
                    self.asm.i().i64_const(i64::from(n)).i64_shr_u();
                }
                Sh::RightSigned(n) => {
                    self.asm.i().i64_const(i64::from(n)).i64_shr_s();
                }
            }
            if k > 0 {
                self.asm.i().i64_or();
            }
        }
        self.new_limb()
    }

    fn shl_const(&mut self, x: Value, s: u32) -> Value {
        let (q, b) = ((s / 64) as usize, s % 64);
        core::array::from_fn::<_, 4, _>(|i| i).map(|i| {
            if s >= 256 || i < q {
                return Limb::Const(0);
            }
            let mut parts = alloc::vec![(x[i - q], Sh::Left(b))];
            if b > 0 && i > q {
                parts.push((x[i - q - 1], Sh::Right(64 - b)));
            }
            self.combine(&parts)
        })
    }

    fn shr_const(&mut self, x: Value, s: u32) -> Value {
        let (q, b) = ((s / 64) as usize, s % 64);
        core::array::from_fn::<_, 4, _>(|i| i).map(|i| {
            if s >= 256 || i + q > 3 {
                return Limb::Const(0);
            }
            let mut parts = alloc::vec![(x[i + q], Sh::Right(b))];
            if b > 0 && i + q < 3 {
                parts.push((x[i + q + 1], Sh::Left(64 - b)));
            }
            self.combine(&parts)
        })
    }

    fn sar_const(&mut self, x: Value, s: u32) -> Value {
        let fill = match x[3] {
            Limb::Const(c) => Limb::Const(((c as i64) >> 63) as u64),
            l => {
                self.get(l);
                self.asm.i().i64_const(63).i64_shr_s();
                self.new_limb()
            }
        };
        let s = s.min(256);
        let (q, b) = ((s / 64) as usize, s % 64);
        let r = core::array::from_fn::<_, 4, _>(|i| i).map(|i| {
            if s >= 256 || i + q > 3 {
                return self.share(fill);
            }
            if i + q == 3 {
                return self.combine(&[(x[3], Sh::RightSigned(b))]);
            }
            let mut parts = alloc::vec![(x[i + q], Sh::Right(b))];
            if b > 0 {
                parts.push((x[i + q + 1], Sh::Left(64 - b)));
            }
            self.combine(&parts)
        });
        self.release([fill, Limb::Const(0), Limb::Const(0), Limb::Const(0)]);
        r
    }
}

fn unreachable_op(_o: u8) -> Value {
    konst([0; 4])
}

/// Folds a binary opcode on constants (`a` is the top of the stack).
fn fold(o: u8, a: u256::W, b: u256::W) -> Option<u256::W> {
    let bool_ = |c: bool| Some([u64::from(c), 0, 0, 0]);
    match o {
        op::ADD => Some(u256::add(a, b)),
        op::SUB => Some(u256::sub(a, b)),
        op::MUL => Some(u256::mul(a, b)),
        op::EXP => Some(u256::pow(a, b)),
        op::LT => bool_(u256::lt(a, b)),
        op::GT => bool_(u256::lt(b, a)),
        op::SLT => bool_(u256::slt(a, b)),
        op::SGT => bool_(u256::slt(b, a)),
        op::EQ => bool_(a == b),
        op::AND => Some(core::array::from_fn(|i| a[i] & b[i])),
        op::OR => Some(core::array::from_fn(|i| a[i] | b[i])),
        op::XOR => Some(core::array::from_fn(|i| a[i] ^ b[i])),
        op::SHL => Some(u256::shl(b, u256::shift_amount(a))),
        op::SHR => Some(u256::shr(b, u256::shift_amount(a))),
        op::SAR => Some(u256::sar(b, u256::shift_amount(a))),
        op::BYTE => {
            let i = u256::shift_amount(a);
            if i >= 32 {
                return Some([0; 4]);
            }
            Some([u256::shr(b, 8 * (31 - i))[0] & 0xff, 0, 0, 0])
        }
        _ => None,
    }
}
