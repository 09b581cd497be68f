//! Seeded random EVM programs for the differential test: arithmetic, stack, memory, storage,
//! transient storage, hashing, calldata, code, logs, forward JUMPIs over chunks, counted
//! loops, and functions called with computed return jumps.

use crate::common::*;

struct Gen {
    rng: Rng,
    e: Evm,
    depth: i64,
    labels: usize,
    funcs: Vec<&'static str>,
}

const LABELS: [&str; 64] = [
    "l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17",
    "l18", "l19", "l20", "l21", "l22", "l23", "l24", "l25", "l26", "l27", "l28", "l29", "l30", "l31", "l32", "l33",
    "l34", "l35", "l36", "l37", "l38", "l39", "l40", "l41", "l42", "l43", "l44", "l45", "l46", "l47", "l48", "l49",
    "l50", "l51", "l52", "l53", "l54", "l55", "l56", "l57", "l58", "l59", "l60", "l61", "l62", "l63",
];

impl Gen {
    fn pick(&mut self, n: u64) -> u64 {
        self.rng.next() % n
    }

    fn label(&mut self) -> &'static str {
        let l = LABELS[self.labels % LABELS.len()];
        self.labels += 1;
        l
    }

    fn value(&mut self) -> U256 {
        match self.pick(6) {
            0 => U256::from(self.pick(40)),
            1 => U256::from(self.pick(300)),
            2 => edges()[self.pick(edges().len() as u64) as usize],
            _ => self.rng.u256(),
        }
    }

    fn push(&mut self, v: U256) {
        let e = std::mem::take(&mut self.e);
        self.e = e.push(v);
        self.depth += 1;
    }

    fn op(&mut self, o: u8, inputs: i64, outputs: i64) {
        let e = std::mem::take(&mut self.e);
        self.e = e.op(o);
        self.depth += outputs - inputs;
    }

    /// Makes sure at least `n` items are on the stack.
    fn need(&mut self, n: i64) {
        while self.depth < n {
            let v = self.value();
            self.push(v);
        }
    }

    /// One random straight-line step; `floor` is the depth the step must not go below.
    fn step(&mut self, floor: i64) {
        let k = self.pick(100);
        match k {
            0..=14 => {
                let v = self.value();
                self.push(v);
            }
            15..=39 => {
                self.need(floor + 2);
                let o = BINARY_OPS[self.pick(BINARY_OPS.len() as u64) as usize];
                if matches!(o, op::SHL | op::SHR | op::SAR | op::BYTE | op::SIGNEXTEND | op::EXP) && self.pick(2) == 0 {
                    let v = U256::from(self.pick(if o == op::EXP { 5 } else { 270 }));
                    self.push(v);
                    self.op(op::SWAP1, 2, 2);
                    self.op(op::POP, 1, 0);
                    self.op(op::SWAP1, 2, 2);
                }
                self.op(o, 2, 1);
            }
            40..=43 => {
                self.need(floor + 3);
                let o = if self.pick(2) == 0 { op::ADDMOD } else { op::MULMOD };
                self.op(o, 3, 1);
            }
            44..=47 => {
                self.need(floor + 1);
                let o = if self.pick(2) == 0 { op::ISZERO } else { op::NOT };
                self.op(o, 1, 1);
            }
            48..=55 => {
                let avail = (self.depth - floor).clamp(0, 16);
                if avail == 0 {
                    return self.push(U256::from(1));
                }
                let n = 1 + self.pick(avail as u64) as u8;
                self.op(op::DUP1 + n - 1, 0, 1);
            }
            56..=61 => {
                let avail = (self.depth - floor - 1).clamp(0, 16);
                if avail == 0 {
                    return self.push(U256::from(2));
                }
                let n = 1 + self.pick(avail as u64) as u8;
                self.op(op::SWAP1 + n - 1, 0, 0);
            }
            62..=64 if self.depth > floor => self.op(op::POP, 1, 0),
            65..=70 => {
                // MSTORE / MSTORE8 / MLOAD at a small offset.
                let range = if self.pick(8) == 0 { 5000 } else { 200 };
                let off = U256::from(self.pick(range));
                match self.pick(3) {
                    0 => {
                        self.need(floor + 1);
                        self.push(off);
                        self.op(op::MSTORE, 2, 0);
                    }
                    1 => {
                        self.need(floor + 1);
                        self.push(off);
                        self.op(op::MSTORE8, 2, 0);
                    }
                    _ => {
                        self.push(off);
                        self.op(op::MLOAD, 1, 1);
                    }
                }
            }
            71..=72 => {
                // MCOPY / KECCAK256 / CALLDATACOPY / CODECOPY with small ranges.
                let len = U256::from(self.pick(70));
                let a = U256::from(self.pick(150));
                let b = U256::from(self.pick(150));
                match self.pick(4) {
                    0 => {
                        self.push(len);
                        self.push(a);
                        self.push(b);
                        self.op(op::MCOPY, 3, 0);
                    }
                    1 => {
                        self.push(len);
                        self.push(a);
                        self.op(op::KECCAK256, 2, 1);
                    }
                    2 => {
                        self.push(len);
                        self.push(a);
                        self.push(b);
                        self.op(op::CALLDATACOPY, 3, 0);
                    }
                    _ => {
                        self.push(len);
                        self.push(a);
                        self.push(b);
                        self.op(op::CODECOPY, 3, 0);
                    }
                }
            }
            73..=77 => {
                // Storage and transient storage at small keys.
                let key = U256::from(self.pick(4));
                match self.pick(4) {
                    0 => {
                        self.need(floor + 1);
                        if self.pick(3) == 0 {
                            self.op(op::POP, 1, 0);
                            let v = if self.pick(2) == 0 { U256::ZERO } else { U256::from(self.pick(3)) };
                            self.push(v);
                        }
                        self.push(key);
                        self.op(op::SSTORE, 2, 0);
                    }
                    1 => {
                        self.push(key);
                        self.op(op::SLOAD, 1, 1);
                    }
                    2 => {
                        self.need(floor + 1);
                        self.push(key);
                        self.op(op::TSTORE, 2, 0);
                    }
                    _ => {
                        self.push(key);
                        self.op(op::TLOAD, 1, 1);
                    }
                }
            }
            78..=82 => {
                let o = [
                    op::GAS,
                    op::PC,
                    op::MSIZE,
                    op::ADDRESS,
                    op::CALLER,
                    op::ORIGIN,
                    op::CALLVALUE,
                    op::SELFBALANCE,
                    op::CALLDATASIZE,
                    op::CODESIZE,
                    op::RETURNDATASIZE,
                ][self.pick(11) as usize];
                self.op(o, 0, 1);
            }
            83..=85 => {
                let range = if self.pick(5) == 0 { 1 << 40 } else { 80 };
                let off = U256::from(self.pick(range));
                self.push(off);
                self.op(op::CALLDATALOAD, 1, 1);
            }
            86..=87 => {
                let n = self.pick(5) as i64;
                self.need(floor + n);
                let len = U256::from(self.pick(40));
                let off = U256::from(self.pick(100));
                self.push(len);
                self.push(off);
                self.op(op::LOG0 + n as u8, 2 + n, 0);
            }
            _ => {}
        }
    }

    fn straight(&mut self, steps: usize, floor: i64) {
        for _ in 0..steps {
            self.step(floor);
        }
    }

    /// A block with control flow.
    fn block(&mut self, budget: usize, floor: i64) {
        let mut left = budget;
        while left > 0 {
            match self.pick(10) {
                0 if left > 6 => {
                    // Forward JUMPI over a chunk (condition computed from the stack).
                    self.need(floor + 1);
                    let l = self.label();
                    self.op(op::DUP1, 0, 1);
                    if self.pick(2) == 0 {
                        self.op(op::ISZERO, 1, 1);
                    }
                    let e = std::mem::take(&mut self.e);
                    self.e = e.push_label(l).op(op::JUMPI);
                    self.depth -= 1;
                    let d = self.depth;
                    self.straight(4, d);
                    // Re-balance so both paths reach the label with the same depth.
                    while self.depth > d {
                        self.op(op::POP, 1, 0);
                    }
                    let e = std::mem::take(&mut self.e);
                    self.e = e.label(l);
                    left -= 6;
                }
                1 if left > 8 => {
                    // A counted loop with a stack-neutral body.
                    let l = self.label();
                    let n = U256::from(1 + self.pick(4));
                    self.push(n);
                    let e = std::mem::take(&mut self.e);
                    self.e = e.label(l);
                    let d = self.depth;
                    self.straight(5, d);
                    while self.depth > d {
                        self.op(op::POP, 1, 0);
                    }
                    let e = std::mem::take(&mut self.e);
                    self.e = e.pushn(1).op(op::SWAP1).op(op::SUB).op(op::DUP1).push_label(l).op(op::JUMPI).op(op::POP);
                    self.depth -= 1;
                    left -= 8;
                }
                2 if !self.funcs.is_empty() => {
                    // Call a function: push return label, argument, jump.
                    let which = self.pick(self.funcs.len() as u64) as usize;
                    let f = self.funcs[which];
                    let ret = self.label();
                    let v = self.value();
                    let e = std::mem::take(&mut self.e);
                    self.e = e.push_label(ret).push(v).push_label(f).op(op::JUMP).label(ret);
                    self.depth += 1;
                    left = left.saturating_sub(3);
                }
                _ => {
                    self.step(floor);
                    left -= 1;
                }
            }
        }
    }
}

/// A random program: functions `f(x) -> g(x)` at the end, called with dynamic returns.
pub fn program(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut g = Gen { rng: Rng(seed), e: Evm::new(), depth: 0, labels: 0, funcs: vec!["fa", "fb"] };
    let budget = 10 + g.pick(60) as usize;
    g.block(budget, 0);
    // End: return some memory, or revert, or stop, or an invalid opcode (rarely).
    let end = g.pick(20);
    let e = std::mem::take(&mut g.e);
    g.e = match end {
        0 => e.op(op::INVALID),
        1..=2 => e.pushn(g.rng.next() % 64).op(op::PUSH0).op(op::REVERT),
        3 => e.op(op::STOP),
        _ => {
            let len = g.rng.next() % 100;
            let off = g.rng.next() % 64;
            e.pushn(len).pushn(off).op(op::RETURN)
        }
    };
    // Functions: (ret, x) -> jump ret with h(x).
    for f in ["fa", "fb"] {
        let e = std::mem::take(&mut g.e);
        g.e = e.label(f);
        g.depth = 2;
        let saved = g.funcs.clone();
        g.funcs.clear();
        g.straight(6, 1);
        while g.depth > 2 {
            g.op(op::POP, 1, 0);
        }
        g.need(2);
        g.funcs = saved;
        let e = std::mem::take(&mut g.e);
        g.e = e.op(op::SWAP1).op(op::JUMP);
    }
    let mut data: Vec<u8> = (0..g.rng.next() % 100).map(|_| g.rng.next() as u8).collect();
    if g.rng.next().is_multiple_of(3) {
        data.truncate(4);
    }
    (g.e.build(), data)
}
