//! The division family (DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD) through `zkos run --json` on
//! both engines (the transpiler's 64-bit-limb division helpers compiled to RV64IM and run on
//! the machine, and on wasmi) and through revm: a contract applies all six operations to
//! batches of operand triples from calldata and returns the results; output and gas must
//! agree. Operands take the shapes the division distinguishes: widths of 1 to 256 bits,
//! powers of two and their neighbours, limbs of 0, 1, 2^63 and 2^64 - 1, dividends around
//! multiples of the divisor and with the divisor's top limbs, operands around the modulus,
//! and the signed corners. `ZKOS_DIVISION_BLOCKS` sets how many blocks (default 6).

use zkos_revm_reference as revm_reference;

use alloy_primitives::U256;
use evm_to_wasm::opcodes::op;
use serde_json::{json, Value};

const OPS: [u8; 6] = [op::DIV, op::SDIV, op::MOD, op::SMOD, op::ADDMOD, op::MULMOD];
/// Operand triples per transaction.
const BATCH: u64 = 12;
const CONTRACT: &str = "0xd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";

/// `PUSH2 n`.
fn push2(code: &mut Vec<u8>, n: u64) {
    code.extend([0x61, (n >> 8) as u8, n as u8]);
}

/// Every operation on every triple of the calldata, the results returned.
fn program() -> Vec<u8> {
    let mut code = Vec::new();
    let mut out = 0;
    for t in 0..BATCH {
        for o in OPS {
            let arity = if matches!(o, op::ADDMOD | op::MULMOD) { 3 } else { 2 };
            // The first operand is the top of the stack.
            for k in (0..arity).rev() {
                push2(&mut code, 96 * t + 32 * k);
                code.push(op::CALLDATALOAD);
            }
            code.push(o);
            push2(&mut code, out);
            code.push(op::MSTORE);
            out += 32;
        }
    }
    push2(&mut code, out);
    push2(&mut code, 0);
    code.push(op::RETURN);
    code
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pow2(&mut self) -> U256 {
        U256::from(1) << self.below(256) as usize
    }

    /// A value of a random shape.
    fn operand(&mut self) -> U256 {
        let one = U256::from(1);
        match self.below(8) {
            0 => {
                let w = 1 + self.below(256) as usize;
                let v = U256::from_limbs([self.next(), self.next(), self.next(), self.next()]);
                (v >> (256 - w)) | (one << (w - 1))
            }
            1 => self.pow2(),
            2 => self.pow2() - one,
            3 => self.pow2() + one,
            4 => {
                let limb = |r: &mut Rng| [0, 1, u64::MAX, 1 << 63, (1 << 63) - 1, r.next()][r.below(6) as usize];
                U256::from_limbs([limb(self), limb(self), limb(self), limb(self)])
            }
            5 => U256::from(self.below(1 << 40)),
            6 => self.operand().wrapping_neg(),
            _ => U256::from_limbs([self.next(), self.next(), self.next(), self.next()]),
        }
    }

    /// A triple, often related so that the division's special paths are reached.
    fn triple(&mut self) -> [U256; 3] {
        let (a, b, c) = (self.operand(), self.operand(), self.operand());
        let one = U256::from(1);
        match self.below(8) {
            0 => {
                let m = b.wrapping_mul(self.operand() >> self.below(256) as usize);
                [[m.wrapping_sub(one), m, m.wrapping_add(one)][self.below(3) as usize], b, c]
            }
            1 => {
                let shift = 64 * self.below(4) as usize;
                let low = if shift == 0 { U256::ZERO } else { self.operand() >> (256 - shift) };
                [((b << shift) | low).wrapping_sub(U256::from(self.below(2))), b, c]
            }
            2 => {
                let n = c | self.pow2();
                let near = |r: &mut Rng| [n.wrapping_sub(one), n, n.wrapping_add(one), U256::MAX][r.below(4) as usize];
                [near(self), near(self), n]
            }
            3 => {
                let min = one << 255;
                let picks = [min, U256::MAX, one, min + one, a];
                let p = |r: &mut Rng| picks[r.below(5) as usize];
                [p(self), p(self), c]
            }
            _ => [a, b, c],
        }
    }
}

fn block(seed: u64) -> Value {
    let mut rng = Rng(seed);
    let sender = "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    let txs: Vec<Value> = (0..16u64)
        .map(|nonce| {
            let data: Vec<u8> = (0..BATCH).flat_map(|_| rng.triple()).flat_map(|v| v.to_be_bytes::<32>()).collect();
            json!({
                "sender": sender,
                "to": CONTRACT,
                "nonce": format!("{nonce:#x}"),
                "gasLimit": "0x200000",
                "gasPrice": "0xa",
                "value": "0x0",
                "data": format!("0x{}", hex::encode(&data)),
            })
        })
        .collect();
    json!({
        "alloc": {
            sender: { "balance": "0x3635c9adc5dea00000", "nonce": "0x0" },
            CONTRACT: { "balance": "0x0", "nonce": "0x1", "code": format!("0x{}", hex::encode(program())) },
        },
        "env": {
            "currentCoinbase": "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e",
            "currentGasLimit": "0x1c9c380",
            "currentNumber": "0x100",
            "currentTimestamp": "0x66000000",
            "currentBaseFee": "0x7",
            "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000000abc",
            "currentExcessBlobGas": "0x0",
            "withdrawals": []
        },
        "txs": txs,
    })
}

#[test]
fn division_family_agrees_with_revm_on_both_engines() {
    let blocks: u64 = std::env::var("ZKOS_DIVISION_BLOCKS").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let (mut successes, mut gas) = (0, 0);
    for seed in 0..blocks {
        for r in revm_reference::check_block(&format!("division-{seed}"), &block(0xd1f_0000 + seed)) {
            successes += usize::from(r.status == "success");
            gas += r.gas_used;
        }
    }
    println!("{blocks} blocks: {successes} transactions, {gas} gas");
    // Every transaction ran to its end (the results were compared, not just a failure), past
    // the intrinsic cost: 72 operations and their loads and stores.
    assert_eq!(successes, 16 * blocks as usize);
    assert!(gas > 16 * blocks * (21_000 + 72 * 20), "{gas}");
}
