//! Transpile time and output size stay linear in the code size, whatever the number of jumps
//! and jump destinations (no jump-sites × jumpdests growth).

mod common;
use common::*;
use std::time::Instant;

/// `n` JUMPDESTs, each followed by a conditional jump: forward, backward, or computed.
fn synthetic(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let seg = 12; // bytes per segment
    let mut code = Vec::with_capacity(n * seg);
    for i in 0..n {
        let target = (rng.next() as usize % n) * seg;
        code.push(op::JUMPDEST);
        code.extend([op::PUSH0, op::CALLDATALOAD, op::PUSH1, (i % 200) as u8, op::ADD]);
        code.extend([op::PUSH2, (target >> 8) as u8, target as u8]);
        match i % 3 {
            0 | 1 => code.extend([op::JUMPI, op::JUMPDEST, op::POP]),
            _ => code.extend([op::PUSH0, op::ADD, op::JUMPI]),
        }
        assert_eq!(code.len(), (i + 1) * seg);
    }
    code
}

#[test]
fn size_and_time_are_linear_in_jumps_and_jumpdests() {
    let mut sizes = Vec::new();
    for n in [1250, 2500, 5000, 10_000] {
        let code = synthetic(n, 7);
        let t = Instant::now();
        let wasm = evm_to_wasm::transpile(&code).unwrap();
        let dt = t.elapsed();
        validate(&wasm);
        let a = evm_to_wasm::analyze(&code);
        assert!(a.dynamic_jumps && a.labels.len() >= n + n / 2);
        println!(
            "n = {n:>6}: code {:>7} B, labels {:>6}, wasm {:>8} B, {:?}",
            code.len(),
            a.labels.len(),
            wasm.len(),
            dt
        );
        sizes.push((wasm.len() as f64, dt.as_secs_f64()));
    }
    for w in sizes.windows(2) {
        let ratio = w[1].0 / w[0].0;
        assert!(ratio < 2.2, "size ratio {ratio}");
    }
    // Quick: 10k jumps and 17k jumpdests (120 KB of code) in well under a few seconds even in
    // debug builds.
    assert!(sizes[3].1 < 10.0, "{}s", sizes[3].1);
}

#[test]
fn large_synthetic_contract_runs_on_wasmi() {
    let code = synthetic(3000, 9);
    let wasm = evm_to_wasm::transpile(&code).unwrap();
    let p = Prepared::new(&wasm);
    // Calldata 0: every JUMPI condition is i % 200 + 0, so the first one (i = 0) falls through
    // and later ones jump around; it ends by running out of gas or halting on POP underflow.
    let host = Host { calldata: vec![0; 32], code, ..Host::default() };
    let r = p.run(host, 200_000);
    assert!(matches!(r.outcome, Outcome::Trap(_) | Outcome::OutOfGas | Outcome::Return(_)), "{:?}", r.outcome);
}
