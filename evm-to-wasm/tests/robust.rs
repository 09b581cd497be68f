//! Every opcode in several contexts, and random byte strings: the transpiler must accept any
//! code and produce a valid module, and the module must run to an outcome without the host
//! seeing anything invalid.

mod common;
use common::*;

fn contexts(o: u8, inputs: u8) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Inputs from calldata.
    let mut e = Evm::new();
    for k in 0..inputs {
        e = e.pushn(u64::from(k) * 32).op(op::CALLDATALOAD);
    }
    out.push(e.op(o).op(op::STOP).build());
    // Small constant inputs.
    let mut e = Evm::new();
    for k in 0..inputs {
        e = e.pushn(u64::from(k) % 3);
    }
    out.push(e.op(o).op(op::STOP).build());
    // Inputs on the memory stack (after a jump), result used after another jump.
    let mut e = Evm::new();
    for k in 0..inputs {
        e = e.pushn(u64::from(k) * 7 % 5);
    }
    out.push(
        e.push_label("a").op(op::JUMP).label("a").op(o).push_label("b").op(op::JUMP).label("b").op(op::STOP).build(),
    );
    // Stack underflow.
    out.push(vec![o, op::STOP]);
    out
}

#[test]
fn every_opcode_in_every_context() {
    for o in 0..=255u8 {
        let inputs = evm_to_wasm::opcodes::info(o).map_or(0, |i| i.inputs);
        for code in contexts(o, inputs) {
            let wasm = evm_to_wasm::transpile(&code).unwrap();
            validate(&wasm);
            let mut host = Host { code: code.clone(), calldata: vec![0x42; 100], number: 1000, ..Host::default() };
            host.call_result = (0, vec![1, 2, 3]);
            let r = Prepared::new(&wasm).run(host, 10_000_000);
            assert!(!matches!(r.outcome, Outcome::FellOff), "{o:#x}: fell off");
            if inputs > 0 && code.len() == 2 {
                // Underflow is an exceptional halt.
                assert!(matches!(r.outcome, Outcome::Trap(_)), "{o:#x} underflow: {:?}", r.outcome);
            }
        }
    }
}

#[test]
fn random_bytes_transpile_to_valid_modules() {
    let mut rng = Rng(0xf00d);
    for round in 0..400 {
        let len = (rng.next() % 600) as usize;
        let mut code: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Bias towards real code: many JUMPDESTs, PUSH2 targets and jumps.
        if round % 2 == 0 {
            for k in 0..len / 8 {
                let at = (rng.next() as usize) % len.max(1);
                code[at] = match k % 4 {
                    0 => op::JUMPDEST,
                    1 => op::JUMP,
                    2 => op::JUMPI,
                    _ => op::DUP1 + (rng.next() % 16) as u8,
                };
            }
        }
        let wasm = evm_to_wasm::transpile(&code).unwrap();
        validate(&wasm);
        if round % 4 == 0 {
            let host = Host { code: code.clone(), calldata: vec![7; 64], ..Host::default() };
            let r = Prepared::new(&wasm).run(host, 1_000_000);
            assert!(!matches!(r.outcome, Outcome::FellOff), "round {round}: fell off");
            if let Outcome::Trap(t) = &r.outcome {
                assert!(!t.contains("bad memory range"), "round {round}: {t}");
            }
        }
    }
}
