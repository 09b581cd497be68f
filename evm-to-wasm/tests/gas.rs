//! Gas: small programs whose exact Ethereum gas is computed by hand, memory expansion, the
//! gas observed mid-block (GAS, SSTORE's stipend check, CALL's 63/64 rule), the exact
//! out-of-gas boundary, and host-charged opcodes whose fixed charge differs from EVM's.

mod common;
use common::*;

const G: i64 = 1_000_000;

fn mem_cost(words: i64) -> i64 {
    3 * words + words * words / 512
}

fn is_halt(o: &Outcome) -> bool {
    matches!(o, Outcome::OutOfGas | Outcome::Trap(_))
}

#[test]
fn memory_expansion_costs() {
    // PUSH1 1, PUSH2 0x400, MSTORE: memory to 0x420 bytes (33 words).
    let code = Evm::new().pushn(1).pushn(0x400).op(op::MSTORE).op(op::STOP).build();
    assert_eq!(run(&code, &[], G).used(G), 3 + 3 + 3 + mem_cost(33));
    // Two steps: MSTORE at 0 (1 word), MLOAD at 0x1000 (129 words): charged on the increase.
    let code = Evm::new().pushn(1).op(op::PUSH0).op(op::MSTORE).pushn(0x1000).op(op::MLOAD).op(op::STOP).build();
    assert_eq!(run(&code, &[], G).used(G), 3 + 2 + 3 + mem_cost(1) + 3 + 3 + (mem_cost(129) - mem_cost(1)));
    // MSTORE8 at 0xfffff: 32768 words, quadratic part dominates.
    let code = Evm::new().pushn(1).pushn(0xfffff).op(op::MSTORE8).op(op::STOP).build();
    let big = 10_000_000;
    assert_eq!(run(&code, &[], big).used(big), 3 + 3 + 3 + mem_cost(32768));
    // Re-touching expanded memory costs nothing more; MSIZE reports it.
    let code = Evm::new()
        .pushn(7)
        .pushn(0x20)
        .op(op::MSTORE)
        .op(op::PUSH0)
        .op(op::MLOAD)
        .op(op::POP)
        .op(op::MSIZE)
        .ret_top()
        .build();
    let r = run(&code, &[], G);
    assert_eq!(u256(r.output()), U256::from(64));
    assert_eq!(r.used(G), 3 + 3 + 3 + mem_cost(2) + 2 + 3 + 2 + 2 + 2 + 3 + 3 + 2);
}

#[test]
fn memory_offsets_beyond_32_bits_are_out_of_gas() {
    for code in [
        Evm::new().pushn(1).push(U256::from(1u64 << 32)).op(op::MSTORE).op(op::STOP).build(),
        Evm::new().push(U256::MAX).op(op::MLOAD).op(op::STOP).build(),
        Evm::new().pushn(1).push(U256::from(1u64 << 40)).op(op::RETURN).build(),
        Evm::new().push(U256::from(1) << 200).op(op::PUSH0).op(op::KECCAK256).op(op::STOP).build(),
        // Dynamic offsets (through calldata).
        Evm::new().pushn(1).op(op::PUSH0).op(op::CALLDATALOAD).op(op::MSTORE).op(op::STOP).build(),
    ] {
        let r = run(&code, &word(U256::from(1u64 << 33)), G);
        assert!(is_halt(&r.outcome), "{:?}", r.outcome);
    }
    // A zero length never expands: the offset is ignored, even a huge one.
    let code = Evm::new().op(op::PUSH0).push(U256::MAX).op(op::RETURN).build();
    let r = run(&code, &[], G);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
    assert_eq!(r.used(G), 2 + 3);
    let code = Evm::new().op(op::PUSH0).push(U256::MAX).push(U256::MAX).op(op::CALLDATACOPY).op(op::STOP).build();
    let r = run(&code, &[], G);
    assert_eq!(r.used(G), 2 + 3 + 3 + 3);
    // Expansion that cannot be paid: out of gas.
    let code = Evm::new().pushn(1).pushn(0xfffff).op(op::MSTORE8).op(op::STOP).build();
    assert!(is_halt(&run(&code, &[], 1_000_000).outcome));
}

#[test]
fn exact_out_of_gas_boundary() {
    // Three blocks, memory expansion, a loop: total gas T succeeds, T - 1 is out of gas.
    let code = Evm::new()
        .pushn(3)
        .label("loop")
        .pushn(1)
        .op(op::SWAP1)
        .op(op::SUB)
        .op(op::DUP1)
        .op(op::DUP1)
        .op(op::MSTORE)
        .op(op::DUP1)
        .push_label("loop")
        .op(op::JUMPI)
        .pushn(32)
        .op(op::PUSH0)
        .op(op::RETURN)
        .build();
    let r = run(&code, &[], G);
    assert_eq!(r.output(), &word(U256::ZERO)[..]);
    let t = r.used(G);
    // PUSH1 3; 3 × (JUMPDEST 1, PUSH1 3, SWAP1 3, SUB 3, DUP1 3, DUP1 3, MSTORE 3, DUP1 3,
    // PUSH2 3, JUMPI 10); memory: stores at offsets 2, 1, 0 → 2 words at the first store.
    assert_eq!(t, 3 + 3 * (1 + 3 + 3 + 3 + 3 + 3 + 3 + 3 + 3 + 10) + mem_cost(2) + 3 + 2);
    assert_eq!(run(&code, &[], t).outcome, Outcome::Return(word(U256::ZERO)));
    assert!(is_halt(&run(&code, &[], t - 1).outcome));
}

#[test]
fn gas_opcode_sees_exact_gas_mid_block() {
    // GAS first: G - 2.
    let code = Evm::new().op(op::GAS).ret_top().build();
    assert_eq!(u256(run(&code, &[], G).output()), U256::from(G - 2));
    // After other instructions of the same block: G - 13; later instructions not counted.
    let code = Evm::new().pushn(1).pushn(2).op(op::ADD).op(op::POP).op(op::GAS).pushn(5).op(op::POP).ret_top().build();
    assert_eq!(u256(run(&code, &[], G).output()), U256::from(G - 13));
    // After a memory expansion in the same block.
    let code = Evm::new().pushn(1).pushn(0x100).op(op::MSTORE).op(op::GAS).ret_top().build();
    let r = run(&code, &[], G);
    assert_eq!(u256(r.output()), U256::from(G - 3 - 3 - 3 - mem_cost(9) - 2));
    // Twice in one block.
    let code = Evm::new().op(op::GAS).op(op::GAS).op(op::SWAP1).op(op::SUB).ret_top().build();
    assert_eq!(u256(run(&code, &[], G).output()), U256::from(2));
    // In a second block (after a JUMPI fall-through).
    let code = Evm::new().op(op::PUSH0).pushn(0x40).op(op::JUMPI).op(op::GAS).ret_top().build();
    assert_eq!(u256(run(&code, &[], G).output()), U256::from(G - 2 - 3 - 10 - 2));
}

#[test]
fn sstore_sees_exact_gas_for_the_stipend_check() {
    // PUSH1 1, PUSH0, SSTORE, then more code in the same straight line.
    let code =
        Evm::new().pushn(1).op(op::PUSH0).op(op::SSTORE).pushn(1).pushn(2).op(op::ADD).op(op::POP).op(op::STOP).build();
    let slot = [0u8; 32];
    let mut one = [0u8; 32];
    one[31] = 1;
    let host = |gas_note: &str| {
        let _ = gas_note;
        let mut h = Host { code: code.clone(), ..Host::default() };
        h.storage.insert(slot, one);
        h.warm.insert(slot);
        h
    };
    let wasm = evm_to_wasm::transpile(&code).unwrap();
    let p = Prepared::new(&wasm);
    // 2301 left at the SSTORE: allowed (EIP-2200 needs more than 2300).
    let r = p.run(host("ok"), 5 + 2301);
    assert_eq!(r.host.gas_left_seen, vec![2301]);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
    assert_eq!(r.gas_left, 2301 - 100 - 11);
    // 2300 left: the store fails.
    let r = p.run(host("fail"), 5 + 2300);
    assert_eq!(r.host.gas_left_seen, vec![2300]);
    assert!(!matches!(r.outcome, Outcome::Return(_)));
}

#[test]
fn call_sees_exact_gas_and_clamps_the_request() {
    // CALL(gas = 2^255, addr, 0, in 0..0, out 0..0) then more code in the block.
    let code = Evm::new()
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::PUSH0)
        .pushn(0xbeef)
        .push(U256::from(1) << 255)
        .op(op::CALL)
        .pushn(1)
        .pushn(2)
        .op(op::ADD)
        .op(op::ADD)
        .ret_top()
        .build();
    let r = run(&code, &[], G);
    let c = &r.host.calls[0];
    assert_eq!(c.requested_gas, u64::MAX);
    assert_eq!(c.gas_before, G - 5 * 2 - 3 - 3);
    assert_eq!(c.addr[18..], [0xbe, 0xef]);
    assert_eq!(u256(r.output()), U256::from(4)); // status 1 + 1 + 2
    let after = G - 16 - 100;
    assert_eq!(c.forwarded_gas as i64, after - after / 64);
}

#[test]
fn calldataload_costs_three_even_at_the_boundary() {
    // PUSH0 CALLDATALOAD POP STOP = 2 + 3 + 2; the host's 6 for a 32-byte copy is credited.
    let code = Evm::new().op(op::PUSH0).op(op::CALLDATALOAD).op(op::POP).op(op::STOP).build();
    let r = run(&code, &[1; 40], 7);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
    assert_eq!(r.gas_left, 0);
    assert!(is_halt(&run(&code, &[1; 40], 6).outcome));
}

#[test]
fn copy_hash_and_log_gas() {
    let words = |n: i64| (n + 31) / 32;
    // CALLDATACOPY(0, 0, 70): 3 + 3*3 + memory(3 words).
    let code = Evm::new().pushn(70).op(op::PUSH0).op(op::PUSH0).op(op::CALLDATACOPY).op(op::STOP).build();
    assert_eq!(run(&code, &[9; 10], G).used(G), 3 + 2 + 2 + 3 + 3 * words(70) + mem_cost(3));
    // MCOPY(0x40, 0, 33): 3 + 3*2 + memory(0x40 + 33 → 4 words).
    let code = Evm::new().pushn(33).op(op::PUSH0).pushn(0x40).op(op::MCOPY).op(op::STOP).build();
    assert_eq!(run(&code, &[], G).used(G), 3 + 2 + 3 + 3 + 3 * 2 + mem_cost(4));
    // KECCAK256(0, 65): 30 + 6*3 + memory(3 words).
    let code = Evm::new().pushn(65).op(op::PUSH0).op(op::KECCAK256).op(op::POP).op(op::STOP).build();
    assert_eq!(run(&code, &[], G).used(G), 3 + 2 + 30 + 6 * 3 + mem_cost(3) + 2);
    // LOG2(0x10, 5, t1, t2): 375*3 + 8*5 + memory(1 word).
    let code = Evm::new().pushn(2).pushn(1).pushn(5).pushn(0x10).op(op::LOG2).op(op::STOP).build();
    let r = run(&code, &[], G);
    assert_eq!(r.used(G), 3 * 4 + 375 * 3 + 8 * 5 + mem_cost(1));
    assert_eq!(r.host.logs.len(), 1);
    // EXP(3, 0x1234): 10 + 50*2.
    let code = Evm::new().pushn(0x1234).op(op::CALLDATASIZE).op(op::EXP).op(op::POP).op(op::STOP).build();
    assert_eq!(run(&code, &[0; 3], G).used(G), 3 + 2 + 10 + 100 + 2);
}

#[test]
fn block_gas_from_the_analysis() {
    // JUMPDEST splits, JUMPI splits, SSTORE splits; host-charged opcodes cost 0 in blocks.
    let code = Evm::new()
        .pushn(1)
        .op(op::PUSH0)
        .op(op::SSTORE) // block 0: 3 + 2 + 0
        .op(op::PUSH0)
        .op(op::SLOAD)
        .op(op::POP) // block 1: 2 + 0 + 2
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::JUMPI) // ... + 2 + 2 + 10
        .label("x")
        .op(op::CALLER)
        .op(op::POP)
        .op(op::STOP) // 1 + 0 + 2 + 0
        .build();
    let a = evm_to_wasm::analyze(&code);
    let gas: Vec<u64> = a.blocks.iter().map(|b| b.gas).collect();
    assert_eq!(gas, vec![5, 2 + 2 + 2 + 2 + 10, 1 + 2]);
    assert_eq!(a.blocks[0].check, Some((0, 2)));
    assert_eq!(a.blocks[1].check, None);
}

#[test]
fn constant_offsets_near_the_32_bit_limit() {
    // Constant offsets whose range ends beyond the supported memory: out of gas, and the
    // module stays valid (no memory-argument offset beyond 2^32).
    for off in [u64::from(u32::MAX) - 31, u64::from(u32::MAX), 0xffff_0000, 1 << 31, u64::MAX] {
        for o in [op::MSTORE, op::MSTORE8] {
            let code = Evm::new().pushn(7).pushn(off).op(o).op(op::STOP).build();
            assert!(is_halt(&run(&code, &[], G).outcome));
        }
        let code = Evm::new().pushn(off).op(op::MLOAD).op(op::STOP).build();
        assert!(is_halt(&run(&code, &[], G).outcome));
        let code = Evm::new().pushn(32).pushn(off).op(op::RETURN).build();
        assert!(is_halt(&run(&code, &[], G).outcome));
    }
}
