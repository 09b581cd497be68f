//! Control flow: static jumps, JUMPI both ways, backward jumps and computed jumps through the
//! dispatch loop, invalid destinations (into PUSH data, non-JUMPDEST, out of range), stack
//! underflow and overflow, and falling off the end of the code.

mod common;
use common::*;

const G: i64 = 10_000_000;

fn out(code: &[u8]) -> U256 {
    u256(run(code, &[], G).output())
}

fn halts(code: &[u8]) -> bool {
    matches!(run(code, &[], G).outcome, Outcome::Trap(_) | Outcome::OutOfGas)
}

#[test]
fn static_forward_jump_skips_code() {
    let code =
        Evm::new().pushn(1).push_label("end").op(op::JUMP).op(op::INVALID).pushn(2).label("end").ret_top().build();
    assert_eq!(out(&code), U256::from(1));
    let a = evm_to_wasm::analyze(&code);
    assert!(!a.needs_dispatch);
    assert_eq!(a.labels.len(), 1);
}

#[test]
fn jumpi_both_ways() {
    for (cond, want) in [(0u64, 0xaa), (1, 0xbb), (0x100, 0xbb)] {
        // Condition from calldata (run time) and as a constant.
        for konst in [false, true] {
            let e = Evm::new();
            let e = if konst { e.pushn(cond) } else { e.op(op::PUSH0).op(op::CALLDATALOAD) };
            let code =
                e.push_label("yes").op(op::JUMPI).pushn(0xaa).ret_top().label("yes").pushn(0xbb).ret_top().build();
            let r = run(&code, &word(U256::from(cond)), G);
            assert_eq!(u256(r.output()), U256::from(want), "cond {cond} const {konst}");
        }
    }
}

#[test]
fn backward_jumps_loop_through_the_dispatch() {
    // sum = 0; for i in (1..=100).rev() { sum += i }
    let code = Evm::new()
        .op(op::PUSH0)
        .pushn(100)
        .label("loop")
        .op(op::DUP1)
        .op(op::SWAP2)
        .op(op::ADD)
        .op(op::SWAP1)
        .pushn(1)
        .op(op::SWAP1)
        .op(op::SUB)
        .op(op::DUP1)
        .push_label("loop")
        .op(op::JUMPI)
        .op(op::POP)
        .ret_top()
        .build();
    assert_eq!(out(&code), U256::from(5050));
    assert!(evm_to_wasm::analyze(&code).needs_dispatch);
}

#[test]
fn computed_jumps_go_through_the_dispatch() {
    // A "function" called from two sites: the return address is pushed by the caller and
    // the function returns with a dynamic JUMP (as Solidity does).
    let code = Evm::new()
        .push_label("ret1")
        .pushn(5)
        .push_label("double")
        .op(op::JUMP)
        .label("ret1")
        .push_label("ret2")
        .op(op::SWAP1)
        .push_label("double")
        .op(op::JUMP)
        .label("ret2")
        .ret_top()
        .label("double") // (x, ret) -> jump ret with 2x
        .op(op::DUP1)
        .op(op::ADD)
        .op(op::SWAP1)
        .op(op::JUMP)
        .build();
    assert_eq!(out(&code), U256::from(20));
    let a = evm_to_wasm::analyze(&code);
    assert!(a.dynamic_jumps);
    // A destination computed by arithmetic.
    let code = Evm::new()
        .push_label("t")
        .op(op::PUSH0)
        .op(op::ADD)
        .op(op::JUMP)
        .op(op::INVALID)
        .label("t")
        .pushn(7)
        .ret_top()
        .build();
    assert_eq!(out(&code), U256::from(7));
}

#[test]
fn invalid_destinations_halt() {
    // Into PUSH data holding 0x5b.
    let code = vec![op::PUSH1, 4, op::JUMP, op::PUSH1, op::JUMPDEST, op::STOP];
    assert!(halts(&code));
    // Same, computed at run time.
    let code = vec![op::PUSH1, 3, op::PUSH1, 1, op::ADD, op::JUMP, op::PUSH1, op::JUMPDEST, op::STOP];
    assert!(halts(&code));
    // Not a JUMPDEST; out of range; huge.
    assert!(halts(&[op::PUSH1, 3, op::JUMP, op::STOP, op::JUMPDEST]));
    assert!(halts(&[op::PUSH1, 200, op::JUMP, op::JUMPDEST]));
    let mut code = Evm::new().push(U256::from(1) << 255).op(op::JUMP).label("x").build();
    assert!(halts(&code));
    // Huge dynamic destination whose low bits are a valid JUMPDEST.
    code = Evm::new()
        .push(U256::from(1) << 128)
        .push_label("x")
        .op(op::OR)
        .op(op::JUMP)
        .op(op::STOP)
        .label("x")
        .op(op::STOP)
        .build();
    assert!(halts(&code));
    // JUMPI to an invalid destination only halts when taken.
    let code = Evm::new().op(op::PUSH0).pushn(1).op(op::JUMPI).pushn(9).ret_top().build();
    assert_eq!(out(&code), U256::from(9));
    let code = Evm::new().pushn(1).pushn(1).op(op::JUMPI).pushn(9).ret_top().build();
    assert!(halts(&code));
}

#[test]
fn stack_underflow_halts() {
    assert!(halts(&[op::POP]));
    assert!(halts(&[op::PUSH1, 1, op::ADD, op::STOP]));
    assert!(halts(&[op::PUSH0, op::SWAP1, op::STOP]));
    assert!(halts(&[op::PUSH0, op::DUP2, op::STOP]));
    // In a later block, after a jump.
    let code = Evm::new().pushn(1).push_label("x").op(op::JUMP).label("x").op(op::ADD).op(op::STOP).build();
    assert!(halts(&code));
    // Exactly enough items does not underflow.
    let mut e = Evm::new();
    for k in 0..16 {
        e = e.pushn(k);
    }
    let code = e.op(op::DUP16).ret_top().build();
    assert_eq!(out(&code), U256::ZERO);
    let mut e = Evm::new();
    for k in 0..17 {
        e = e.pushn(k + 1);
    }
    let code = e.op(op::SWAP16).ret_top().build();
    assert_eq!(out(&code), U256::from(1));
}

/// A JUMPDEST right after a gas observer (SSTORE) is entered by a jump with too few items:
/// its own stack check must catch it (found by node/tests/random_vs_revm.rs).
#[test]
fn stack_underflow_at_a_jumpdest_after_sstore() {
    for (items, underflows) in [(1u64, true), (2, true), (3, false)] {
        // EVM memory in use, so a read below the stack would not trap by itself.
        let mut e = Evm::new().ops(&[op::PUSH0, op::PUSH0, op::MSTORE]);
        for k in 0..items {
            e = e.pushn(k + 5);
        }
        // JUMPI with a true condition: the path that falls through is reachable for the
        // analysis, and its region (ending in SSTORE) would cover the JUMPDEST.
        let code = e
            .pushn(1)
            .push_label("x")
            .op(op::JUMPI)
            .ops(&[op::PUSH0, op::PUSH0, op::PUSH0, op::PUSH0, op::SSTORE])
            .label("x")
            .op(op::ADD)
            .op(op::ADD)
            .ret_top()
            .build();
        assert_eq!(halts(&code), underflows, "{items} items");
        if !underflows {
            assert_eq!(out(&code), U256::from(5 + 6 + 7));
        }
    }
}

#[test]
fn stack_overflow_halts_at_1025() {
    for (n, ok) in [(1024, true), (1025, false)] {
        let mut code = vec![op::PUSH0; n];
        code.push(op::STOP);
        let r = run(&code, &[], G);
        assert_eq!(r.outcome == Outcome::Return(vec![]), ok, "{n} pushes: {:?}", r.outcome);
    }
    // Growing through a loop: each iteration pushes one item; halts at the 1025th.
    let code = Evm::new().label("l").op(op::PUSH0).push_label("l").op(op::JUMP).build();
    assert!(halts(&code));
    // 1024 items across blocks, then DUP1 overflows.
    let mut e = Evm::new();
    for _ in 0..1000 {
        e = e.op(op::PUSH0);
    }
    e = e.push_label("x").op(op::JUMP).label("x");
    for _ in 0..24 {
        e = e.op(op::PUSH0);
    }
    let ok = e.clone().op(op::STOP).build();
    assert_eq!(run(&ok, &[], G).outcome, Outcome::Return(vec![]));
    assert!(halts(&e.op(op::DUP1).op(op::STOP).build()));
}

#[test]
fn falling_off_the_end_is_stop() {
    let r = run(&[op::PUSH1, 1], &[], G);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
    assert_eq!(r.used(G), 3);
    let r = run(&[], &[], G);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
    // Truncated PUSH: missing bytes read as zero (MSTORE8 of 0x1200 writes 0x00).
    let code = [op::PUSH2, 0x12];
    assert_eq!(evm_to_wasm::analysis::push_value(&code[1..], 2), [0x1200, 0, 0, 0]);
    let code = [op::PUSH1, 0x20, op::PUSH0, op::PUSH2, 0x12];
    let r = run(&code, &[], G);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
}

#[test]
fn values_survive_flushes_with_permutations() {
    // Values moved by SWAPs and DUPs across several jumps land where EVM puts them.
    let mut e = Evm::new();
    for k in 1..=8 {
        e = e.pushn(k);
    }
    let code = e
        .op(op::SWAP7)
        .op(op::DUP3)
        .op(op::SWAP1)
        .push_label("a")
        .op(op::JUMP)
        .label("a")
        .op(op::SWAP2)
        .op(op::POP)
        .op(op::DUP5)
        .push_label("b")
        .op(op::JUMP)
        .label("b")
        // Encode the stack as a number: fold with x*16 + y.
        .op(op::SWAP1)
        .pushn(16)
        .op(op::MUL)
        .op(op::ADD)
        .op(op::SWAP1)
        .pushn(256)
        .op(op::MUL)
        .op(op::ADD)
        .op(op::SWAP1)
        .pushn(4096)
        .op(op::MUL)
        .op(op::ADD)
        .op(op::SWAP1)
        .pushn(65536)
        .op(op::MUL)
        .op(op::ADD)
        .ret_top()
        .build();
    // Model the EVM stack by hand (top last).
    let mut s: Vec<u64> = (1..=8).collect();
    let n = s.len();
    s.swap(n - 1, n - 8); // SWAP7
    s.push(s[s.len() - 3]); // DUP3
    let n = s.len();
    s.swap(n - 1, n - 2); // SWAP1
    let n = s.len();
    s.swap(n - 1, n - 3); // SWAP2
    s.pop();
    s.push(s[s.len() - 5]); // DUP5
    let mut acc = s.pop().unwrap();
    for m in [16u64, 256, 4096, 65536] {
        let y = s.pop().unwrap();
        acc += y * m;
    }
    assert_eq!(out(&code), U256::from(acc));
}
