//! Opcodes implemented with host functions: arguments reach the host in the ABI's format,
//! results come back on the stack, and the gas is the host's (plus memory expansion).

mod common;
use common::*;
use sha3::Digest;

const G: i64 = 10_000_000;

fn run_with(code: &[u8], host: Host) -> Run {
    let wasm = evm_to_wasm::transpile(code).unwrap();
    validate(&wasm);
    Prepared::new(&wasm).run(Host { code: code.to_vec(), ..host }, G)
}

fn addr(b: u8) -> [u8; 20] {
    [b; 20]
}

fn top(code: Evm, host: Host) -> (U256, Run) {
    let r = run_with(&code.ret_top().build(), host);
    (u256(r.output()), r)
}

#[test]
fn context_values() {
    let host = Host {
        address: addr(0xaa),
        caller: addr(0xcc),
        callvalue: word(U256::from(12345)).try_into().unwrap(),
        number: 77,
        chain_id: 5,
        ..Host::default()
    };
    let a = |b: u8| U256::from_be_slice(&addr(b));
    for (o, want) in [
        (op::ADDRESS, a(0xaa)),
        (op::CALLER, a(0xcc)),
        (op::ORIGIN, a(0x0a)),
        (op::COINBASE, a(0xcb)),
        (op::CALLVALUE, U256::from(12345)),
        (op::GASPRICE, U256::from(7)),
        (op::BASEFEE, U256::from(11)),
        (op::BLOBBASEFEE, U256::from(13)),
        (op::PREVRANDAO, U256::from_be_bytes([0x5a; 32])),
        (op::SELFBALANCE, U256::from(1_000_000)),
        (op::NUMBER, U256::from(77)),
        (op::TIMESTAMP, U256::from(1_700_000_000u64)),
        (op::GASLIMIT, U256::from(30_000_000)),
        (op::CHAINID, U256::from(5)),
        (op::CODESIZE, U256::from(7)),
        (op::RETURNDATASIZE, U256::ZERO),
        (op::CALLDATASIZE, U256::ZERO),
    ] {
        let (v, r) = top(Evm::new().op(o), host.clone());
        assert_eq!(v, want, "{}", evm_to_wasm::opcodes::info(o).unwrap().name);
        let fee = if o == op::SELFBALANCE { 5 } else { 2 };
        assert_eq!(r.used(G), fee + 13, "{}", evm_to_wasm::opcodes::info(o).unwrap().name);
    }
}

#[test]
fn account_queries_truncate_addresses_to_160_bits() {
    let dirty = (U256::from(0xffff) << 160) | U256::from(0x1234);
    let (v, r) = top(Evm::new().push(dirty).op(op::BALANCE), Host::default());
    let mut want = [0u8; 32];
    want[0] = 0xba;
    want[30] = 0x12;
    want[31] = 0x34;
    assert_eq!(v, U256::from_be_bytes(want));
    assert_eq!(r.used(G), 3 + 2600 + 13);
    let (v, _) = top(Evm::new().push(dirty).op(op::EXTCODESIZE), Host::default());
    assert_eq!(v, U256::from(0x34 * 10));
    let (v, _) = top(Evm::new().push(dirty).op(op::EXTCODEHASH), Host::default());
    assert_eq!(v, U256::from(0x1234));
    // EXTCODECOPY(addr, dest 0, offset 2, len 3): code byte i is i ^ 0x34.
    let code = Evm::new().pushn(3).pushn(2).op(op::PUSH0).push(dirty).op(op::EXTCODECOPY).op(op::PUSH0).op(op::MLOAD);
    let (v, _) = top(code, Host::default());
    assert_eq!(v >> 232, U256::from((2u32 ^ 0x34) << 16 | (3 ^ 0x34) << 8 | (4 ^ 0x34)));
}

#[test]
fn block_and_blob_hashes_clamp_their_argument() {
    let host = Host { number: 1000, ..Host::default() };
    let (v, r) = top(Evm::new().pushn(999).op(op::BLOCKHASH), host.clone());
    assert_eq!(v, U256::from_be_bytes([999u16 as u8; 32]));
    assert_eq!(r.used(G), 3 + 20 + 13);
    let (v, _) = top(Evm::new().push((U256::from(1) << 64) + U256::from(999)).op(op::BLOCKHASH), host.clone());
    assert_eq!(v, U256::ZERO);
    let (v, _) = top(Evm::new().pushn(1).op(op::BLOBHASH), host.clone());
    assert_eq!(v, U256::from_be_bytes([2; 32]));
    let (v, _) = top(Evm::new().push(U256::from(1) << 64 | U256::from(1)).op(op::BLOBHASH), host);
    assert_eq!(v, U256::ZERO);
}

#[test]
fn storage_and_transient_storage() {
    let code = Evm::new()
        .pushn(0x1111)
        .pushn(5)
        .op(op::SSTORE)
        .pushn(0x2222)
        .pushn(5)
        .op(op::TSTORE)
        .pushn(5)
        .op(op::SLOAD)
        .pushn(5)
        .op(op::TLOAD)
        .op(op::ADD)
        .pushn(6)
        .op(op::SLOAD)
        .op(op::ADD);
    let (v, r) = top(code, Host::default());
    assert_eq!(v, U256::from(0x3333));
    let k5: Word = word(U256::from(5)).try_into().unwrap();
    assert_eq!(r.host.storage[&k5], <Word>::try_from(word(U256::from(0x1111))).unwrap());
    assert_eq!(r.host.transient[&k5], <Word>::try_from(word(U256::from(0x2222))).unwrap());
    // SSTORE cold+set 22100, TSTORE 100, SLOAD warm 100, TLOAD 100, SLOAD cold 2100.
    let pushes = 3 * 7;
    assert_eq!(r.used(G), pushes + 22100 + 100 + 100 + 100 + 3 + 2100 + 3 + 13);
}

#[test]
fn calldata_access() {
    let data: Vec<u8> = (1..=40).collect();
    // CALLDATALOAD at 8: bytes 9..=40 then zeros.
    let (v, _) = top(Evm::new().pushn(8).op(op::CALLDATALOAD), Host { calldata: data.clone(), ..Host::default() });
    let mut want = [0u8; 32];
    want.copy_from_slice(&data[8..40]);
    assert_eq!(v, U256::from_be_bytes(want));
    // Past the end and huge offsets read zero.
    for off in [U256::from(40), U256::from(u32::MAX), U256::from(1u64 << 32), U256::MAX] {
        let (v, r) = top(Evm::new().push(off).op(op::CALLDATALOAD), Host { calldata: data.clone(), ..Host::default() });
        assert_eq!(v, U256::ZERO);
        assert_eq!(r.used(G), 3 + 3 + 13);
    }
    // CALLDATACOPY(dest 0, offset 30, len 20): 10 bytes then zeros; huge source offset: zeros.
    let (v, _) = top(
        Evm::new().pushn(20).pushn(30).op(op::PUSH0).op(op::CALLDATACOPY).op(op::PUSH0).op(op::MLOAD),
        Host { calldata: data.clone(), ..Host::default() },
    );
    let mut want = [0u8; 32];
    want[..10].copy_from_slice(&data[30..40]);
    assert_eq!(v, U256::from_be_bytes(want));
    let (v, _) = top(
        Evm::new().pushn(20).push(U256::MAX).op(op::PUSH0).op(op::CALLDATACOPY).op(op::PUSH0).op(op::MLOAD),
        Host { calldata: data, ..Host::default() },
    );
    assert_eq!(v, U256::ZERO);
}

#[test]
fn code_copy_reads_the_evm_code() {
    let code =
        Evm::new().pushn(4).op(op::PUSH0).op(op::PUSH0).op(op::CODECOPY).op(op::PUSH0).op(op::MLOAD).ret_top().build();
    let r = run_with(&code, Host::default());
    let mut want = [0u8; 32];
    want[..4].copy_from_slice(&code[..4]);
    assert_eq!(r.output(), &want[..]);
}

#[test]
fn keccak_logs_return_and_revert() {
    // KECCAK256 of 5 bytes of memory.
    let (v, _) = top(
        Evm::new().pushn(0x0102030405).op(op::PUSH0).op(op::MSTORE).pushn(5).pushn(27).op(op::KECCAK256),
        Host::default(),
    );
    let h: [u8; 32] = sha3::Keccak256::digest([1, 2, 3, 4, 5]).into();
    assert_eq!(v, U256::from_be_bytes(h));
    // Empty input.
    let (v, _) = top(Evm::new().op(op::PUSH0).push(U256::MAX).op(op::KECCAK256), Host::default());
    let h: [u8; 32] = sha3::Keccak256::digest([]).into();
    assert_eq!(v, U256::from_be_bytes(h));
    // LOG3 with topics in stack order.
    let code = Evm::new()
        .pushn(0xabcd)
        .op(op::PUSH0)
        .op(op::MSTORE)
        .pushn(3)
        .pushn(2)
        .pushn(1)
        .pushn(2)
        .pushn(30)
        .op(op::LOG3)
        .op(op::STOP)
        .build();
    let r = run_with(&code, Host::default());
    let (topics, data) = &r.host.logs[0];
    assert_eq!(topics.iter().map(|t| u256(t)).collect::<Vec<_>>(), vec![U256::from(1), U256::from(2), U256::from(3)]);
    assert_eq!(data, &vec![0xab, 0xcd]);
    // REVERT data.
    let code = Evm::new().pushn(0xdead).op(op::PUSH0).op(op::MSTORE).pushn(2).pushn(30).op(op::REVERT).build();
    assert_eq!(run_with(&code, Host::default()).outcome, Outcome::Revert(vec![0xde, 0xad]));
    // SELFDESTRUCT ends the frame.
    let code = Evm::new().pushn(0x77).op(op::SELFDESTRUCT).op(op::INVALID).build();
    let mut b = [0u8; 20];
    b[19] = 0x77;
    assert_eq!(run_with(&code, Host::default()).outcome, Outcome::SelfDestruct(b));
}

#[test]
fn calls_copy_the_output_and_push_the_status() {
    // CALL(gas, 0xbeef, value 9, in [0, 4), out [0x40, 0x40 + 8)), then MLOAD 0x40.
    let call = |o: u8| {
        let e = Evm::new().pushn(0x11223344).op(op::PUSH0).op(op::MSTORE).pushn(8).pushn(0x40).pushn(4).pushn(28);
        let e = if matches!(o, op::CALL | op::CALLCODE) { e.pushn(9) } else { e };
        e.pushn(0xbeef).pushn(50_000).op(o).pushn(0x40).op(op::MLOAD).op(op::SWAP1).pushn(255).op(op::SHL).op(op::OR)
    };
    for (o, kind) in [
        (op::CALL, "call"),
        (op::CALLCODE, "call_code"),
        (op::DELEGATECALL, "delegate_call"),
        (op::STATICCALL, "static_call"),
    ] {
        for (status, rd) in [(0, vec![1u8, 2, 3]), (1, vec![9u8; 20]), (2, vec![])] {
            let host = Host { call_result: (status, rd.clone()), ..Host::default() };
            let (v, r) = top(call(o), host);
            let c = &r.host.calls[0];
            assert_eq!(c.kind, kind);
            assert_eq!(c.input, vec![0x11, 0x22, 0x33, 0x44]);
            assert_eq!(c.requested_gas, 50_000);
            let value = if matches!(o, op::CALL | op::CALLCODE) { 9 } else { 0 };
            assert_eq!(u256(&c.value), U256::from(value));
            // Output: min(8, len(rd)) bytes copied at 0x40 (revert data too), the rest zero.
            let mut want = [0u8; 32];
            let n = rd.len().min(8);
            want[..n].copy_from_slice(&rd[..n]);
            let success = U256::from((status == 0) as u8) << 255;
            assert_eq!(v, U256::from_be_bytes(want) | success, "{kind} status {status}");
        }
    }
    // Gas: memory to 0x48 (3 words), the mock's 100 + 9000 for value, no copy charge.
    let host = Host { call_result: (0, vec![7; 8]), ..Host::default() };
    let code = Evm::new()
        .pushn(8)
        .pushn(0x40)
        .pushn(4)
        .pushn(28)
        .pushn(9)
        .pushn(0xbeef)
        .pushn(50_000)
        .op(op::CALL)
        .op(op::STOP)
        .build();
    let r = run_with(&code, host);
    assert_eq!(r.used(G), 7 * 3 + 9 + 9100);
}

#[test]
fn returndata_copy_bounds() {
    let host = Host { call_result: (0, vec![5; 10]), ..Host::default() };
    let call = Evm::new()
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::PUSH0)
        .op(op::PUSH0)
        .pushn(1)
        .op(op::GAS)
        .op(op::CALL)
        .op(op::POP);
    // RETURNDATASIZE, RETURNDATACOPY(0, 2, 8).
    let (v, _) = top(
        call.clone()
            .pushn(8)
            .pushn(2)
            .op(op::PUSH0)
            .op(op::RETURNDATACOPY)
            .op(op::PUSH0)
            .op(op::MLOAD)
            .op(op::RETURNDATASIZE)
            .op(op::ADD),
        host.clone(),
    );
    let mut want = [0u8; 32];
    want[..8].copy_from_slice(&[5; 8]);
    assert_eq!(v, U256::from_be_bytes(want) + U256::from(10));
    // Out of bounds halts, even with length zero past the end, and with a huge offset.
    for (len, off) in [(9u64, U256::from(2)), (0, U256::from(11)), (1, U256::from(1u64 << 32))] {
        let code = call.clone().pushn(len).push(off).op(op::PUSH0).op(op::RETURNDATACOPY).op(op::STOP).build();
        let r = run_with(&code, host.clone());
        assert!(matches!(r.outcome, Outcome::Trap(_) | Outcome::OutOfGas), "{len} {off}: {:?}", r.outcome);
    }
    let code = call.pushn(0).pushn(10).op(op::PUSH0).op(op::RETURNDATACOPY).op(op::STOP).build();
    assert_eq!(run_with(&code, host).outcome, Outcome::Return(vec![]));
}

#[test]
fn creates_push_the_address_or_zero() {
    let init = Evm::new().pushn(0x600a6000f3).op(op::PUSH0).op(op::MSTORE);
    for salted in [false, true] {
        for (status, want_zero) in [(0, false), (1, true), (3, true)] {
            let e = init.clone();
            let e = if salted { e.pushn(0x5a17) } else { e };
            let e = e.pushn(5).pushn(27).pushn(42).op(if salted { op::CREATE2 } else { op::CREATE });
            let host = Host { create_result: (status, addr(0x99)), ..Host::default() };
            let (v, r) = top(e, host);
            let want = if want_zero { U256::ZERO } else { U256::from_be_slice(&addr(0x99)) };
            assert_eq!(v, want);
            let (value, code, salt) = &r.host.creates[0];
            assert_eq!(u256(value), U256::from(42));
            assert_eq!(code, &vec![0x60, 0x0a, 0x60, 0x00, 0xf3]);
            assert_eq!(salt.map(|s| u256(&s)), salted.then(|| U256::from(0x5a17)));
        }
    }
    // EIP-3860: init code longer than 49152 bytes halts.
    let code = Evm::new().pushn(49153).op(op::PUSH0).op(op::PUSH0).op(op::CREATE).op(op::STOP).build();
    assert!(matches!(run_with(&code, Host::default()).outcome, Outcome::Trap(_) | Outcome::OutOfGas));
}
