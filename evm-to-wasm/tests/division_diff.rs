//! The division family (DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD) against revm on operands of
//! every shape the 64-bit-limb division distinguishes: widths of 1 to 256 bits, powers of two
//! and their neighbours, all-ones, single limbs of 0, 1, 2^63 and 2^64 - 1, dividends just
//! around multiples of the divisor, dividends whose top limbs equal the divisor's (the digit
//! 2^64 - 1 and the add-back step), moduli above, equal to and below the operands, and the
//! signed corner cases. Each transaction applies all six operations to a batch of operand
//! triples read from calldata; the output and gas must equal revm's.

mod common;
use common::*;
use revm::bytecode::Bytecode;
use revm::context::result::ExecutionResult;
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind};
use revm::state::AccountInfo;
use revm::{ExecuteEvm, MainBuilder, MainContext};

const OPS: [u8; 6] = [op::DIV, op::SDIV, op::MOD, op::SMOD, op::ADDMOD, op::MULMOD];
/// Operand triples per transaction.
const BATCH: usize = 16;
const GAS_LIMIT: u64 = 1_000_000;
const CONTRACT: [u8; 20] = [0xd1; 20];
const SENDER: [u8; 20] = [0x0a; 20];

/// `op(a, b[, c])` for every op and every triple `(a, b, c)` of the calldata, each result
/// stored in memory, then all returned.
fn program() -> Vec<u8> {
    let mut e = Evm::new();
    let mut out = 0u64;
    for t in 0..BATCH as u64 {
        let at = |k: u64| 96 * t + 32 * k;
        for o in OPS {
            // The first operand is the top of the stack.
            let arity = if matches!(o, op::ADDMOD | op::MULMOD) { 3 } else { 2 };
            for k in (0..arity).rev() {
                e = e.pushn(at(k)).op(op::CALLDATALOAD);
            }
            e = e.op(o).pushn(out).op(op::MSTORE);
            out += 32;
        }
    }
    e.pushn(out).pushn(0).op(op::RETURN).build()
}

fn intrinsic(data: &[u8]) -> u64 {
    21_000 + data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum::<u64>()
}

/// revm's (status, output, gas spent).
fn with_revm(code: &[u8], data: &[u8]) -> (&'static str, Vec<u8>, u64) {
    let mut db = CacheDB::new(EmptyDB::default());
    db.insert_account_info(
        Address::from(CONTRACT),
        AccountInfo::from_bytecode(Bytecode::new_raw(Bytes::copy_from_slice(code))),
    );
    db.insert_account_info(
        Address::from(SENDER),
        AccountInfo {
            balance: revm::primitives::U256::from(10u64).pow(revm::primitives::U256::from(20u64)),
            ..Default::default()
        },
    );
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| cfg.set_spec_and_mainnet_gas_params(SpecId::CANCUN))
        .with_db(db)
        .build_mainnet();
    let tx = TxEnv::builder()
        .caller(Address::from(SENDER))
        .kind(TxKind::Call(Address::from(CONTRACT)))
        .data(Bytes::copy_from_slice(data))
        .gas_limit(GAS_LIMIT)
        .gas_price(0)
        .build()
        .unwrap();
    let r = evm.transact(tx).expect("revm transaction");
    let spent = r.result.gas().total_gas_spent();
    match &r.result {
        ExecutionResult::Success { output, .. } => ("success", output.data().to_vec(), spent),
        ExecutionResult::Revert { output, .. } => ("revert", output.to_vec(), spent),
        ExecutionResult::Halt { .. } => ("halt", vec![], spent),
    }
}

/// The transpiled module's (status, output, gas spent) on the mock host (wasmi).
fn with_transpiler(prepared: &Prepared, code: &[u8], data: &[u8]) -> (&'static str, Vec<u8>, u64) {
    let base = intrinsic(data);
    let frame = (GAS_LIMIT - base) as i64;
    let host =
        Host { calldata: data.to_vec(), code: code.to_vec(), address: CONTRACT, caller: SENDER, ..Host::default() };
    let r = prepared.run(host, frame);
    match &r.outcome {
        Outcome::Return(d) => ("success", d.clone(), base + r.used(frame) as u64),
        o => panic!("unexpected outcome {o:?}"),
    }
}

fn pow2(k: u64) -> U256 {
    U256::from(1) << (k % 256) as usize
}

/// A value of a random shape.
fn operand(rng: &mut Rng) -> U256 {
    let edges = [
        U256::ZERO,
        U256::from(1),
        U256::from(2),
        U256::from(3),
        pow2(63),
        U256::from(u64::MAX),
        pow2(64),
        pow2(64) + U256::from(1),
        pow2(128) - U256::from(1),
        pow2(128),
        pow2(128) + U256::from(1),
        pow2(192),
        pow2(192) - U256::from(1),
        pow2(255),
        pow2(255) - U256::from(1),
        pow2(255) + U256::from(1),
        U256::MAX,
        U256::MAX - U256::from(1),
    ];
    match rng.next() % 9 {
        0 => {
            // A random width, its top bit set.
            let w = 1 + rng.next() % 256;
            let v = U256::from_limbs([rng.next(), rng.next(), rng.next(), rng.next()]);
            (v >> (256 - w) as usize) | pow2(w - 1)
        }
        1 => pow2(rng.next()),
        2 => pow2(rng.next()) - U256::from(1),
        3 => pow2(rng.next()) + U256::from(1),
        4 => edges[(rng.next() % edges.len() as u64) as usize],
        5 => {
            let limb = |rng: &mut Rng| match rng.next() % 6 {
                0 => 0,
                1 => 1,
                2 => u64::MAX,
                3 => 1 << 63,
                4 => (1 << 63) - 1,
                _ => rng.next(),
            };
            U256::from_limbs([limb(rng), limb(rng), limb(rng), limb(rng)])
        }
        // Negative numbers of random magnitude.
        6 => (rng.u256()).wrapping_neg(),
        _ => rng.u256(),
    }
}

/// A triple `(a, b, c)`: often related so that the division's special paths are reached.
fn triple(rng: &mut Rng) -> [U256; 3] {
    let (a, b, c) = (operand(rng), operand(rng), operand(rng));
    match rng.next() % 10 {
        // Dividend around a multiple of the divisor.
        0 => {
            let k = operand(rng) >> (rng.next() % 256) as usize;
            let m = b.wrapping_mul(k);
            let d = [m.wrapping_sub(U256::from(1)), m, m.wrapping_add(U256::from(1))];
            [d[(rng.next() % 3) as usize], b, c]
        }
        // Dividend whose top limbs are the divisor's (shifted up by whole limbs), the low
        // limbs anything: trial digits of 2^64 - 1 and one too large.
        1 => {
            let shift = 64 * (rng.next() % 4) as usize;
            let low = if shift == 0 { U256::ZERO } else { operand(rng) >> (256 - shift) };
            let a = (b << shift) | low;
            [if rng.next().is_multiple_of(2) { a } else { a.wrapping_sub(U256::from(1)) }, b, c]
        }
        // Operands around the modulus.
        2 => {
            let n = c | pow2(rng.next() % 256);
            let near = |rng: &mut Rng| match rng.next() % 4 {
                0 => n.wrapping_sub(U256::from(1)),
                1 => n,
                2 => n.wrapping_add(U256::from(1)),
                _ => U256::MAX - U256::from(rng.next() % 3),
            };
            [near(rng), near(rng), n]
        }
        // Signed corners.
        3 => {
            let min = pow2(255);
            let picks = [min, U256::MAX, U256::from(1), min + U256::from(1), U256::MAX - U256::from(1), a];
            let p = |rng: &mut Rng| picks[(rng.next() % picks.len() as u64) as usize];
            [p(rng), p(rng), c]
        }
        // Equal operands, a divisor of one.
        4 => [a, a, a],
        5 => [a, U256::from(1), U256::from(1)],
        _ => [a, b, c],
    }
}

fn check(prepared: &Prepared, code: &[u8], triples: &[[U256; 3]]) {
    let data: Vec<u8> = triples.iter().flat_map(|t| t.iter().flat_map(|v| word(*v))).collect();
    let want = with_revm(code, &data);
    let got = with_transpiler(prepared, code, &data);
    if got != want {
        // Name the first operation that differs.
        for (i, t) in triples.iter().enumerate() {
            for (k, o) in OPS.iter().enumerate() {
                let at = 32 * (OPS.len() * i + k);
                let (g, w) = (got.1.get(at..at + 32), want.1.get(at..at + 32));
                assert_eq!(
                    g,
                    w,
                    "{}({:#x}, {:#x}, {:#x})",
                    evm_to_wasm::opcodes::info(*o).unwrap().name,
                    t[0],
                    t[1],
                    t[2]
                );
            }
        }
        assert_eq!(got, want, "status or gas");
    }
}

fn prepared(code: &[u8]) -> Prepared {
    let config = evm_to_wasm::Config { rules: evm_to_wasm::Rules::CANCUN, ..Default::default() };
    let wasm = evm_to_wasm::transpile_with(code, &config).unwrap();
    validate(&wasm);
    Prepared::new(&wasm)
}

#[test]
fn division_family_agrees_with_revm_on_operand_shapes() {
    let code = program();
    let prepared = prepared(&code);
    let mut rng = Rng(0xd1f_0001);
    let batches: usize = std::env::var("DIVISION_DIFF_BATCHES").ok().and_then(|s| s.parse().ok()).unwrap_or(400);
    for _ in 0..batches {
        let triples: Vec<[U256; 3]> = (0..BATCH).map(|_| triple(&mut rng)).collect();
        check(&prepared, &code, &triples);
    }
}

/// Hand-picked operands: the boundaries of each path (divisor lengths of one to four limbs
/// at their smallest and largest, the normalization shift 0 and 63) and the signed corners.
#[test]
fn division_family_agrees_with_revm_on_boundaries() {
    let code = program();
    let prepared = prepared(&code);
    let min = pow2(255);
    let m1 = U256::MAX;
    let mut values = vec![U256::ZERO, U256::from(1), U256::from(7), m1, m1 - U256::from(1), min, min + U256::from(1)];
    for k in [32u64, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255] {
        values.extend([pow2(k) - U256::from(1), pow2(k), pow2(k) + U256::from(1)]);
    }
    values.push(pow2(128) + U256::from(1));
    values.push(U256::from(u64::MAX) << 64 | U256::from(u64::MAX));
    let mut triples = Vec::new();
    for (i, &a) in values.iter().enumerate() {
        for (j, &b) in values.iter().enumerate() {
            triples.push([a, b, values[(i * 7 + j * 3) % values.len()]]);
        }
    }
    for chunk in triples.chunks(BATCH) {
        let mut batch = chunk.to_vec();
        batch.resize(BATCH, [U256::ZERO; 3]);
        check(&prepared, &code, &batch);
    }
}
