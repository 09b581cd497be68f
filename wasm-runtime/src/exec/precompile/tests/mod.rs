//! Precompile tests: known vectors from the EIPs and well-known suites, gas, failures, and
//! the host-function form. Each precompile is called in the first fork that has it (modexp:
//! Cancun) unless a test names the fork.

mod bls12;
mod bn254;
mod calls;
mod host;
mod osaka;
mod poseidon;

use alloc::vec::Vec;

use host_abi::status::CallStatus;
use revm_precompile::PrecompileHalt;

use super::{addresses, call, name, number, P256VERIFY};
use crate::engine::EngineKind;
use crate::env::BlockEnv;
use crate::error::{Failure, Fault};
use crate::exec::{CallKind, CallParams, FrameResult, System};
use crate::fork::Fork;
use crate::platform::MemoryDb;
use crate::primitives::{Address, Bytes, U256};

/// Decodes hex written with spaces and newlines between groups.
pub(super) fn unhex(s: &str) -> Vec<u8> {
    let clean: alloc::string::String = s.chars().filter(|c| !c.is_whitespace()).collect();
    alloy_primitives::hex::decode(clean).expect("test vector is hex")
}

/// A 32-byte big-endian word holding `v`.
pub(super) fn word(v: u64) -> [u8; 32] {
    U256::from(v).to_be_bytes::<32>()
}

pub(super) fn precompile_address(n: u16) -> Address {
    super::address(n)
}

/// The first fork with precompile `n`.
pub(super) fn first_fork(n: u16) -> Fork {
    match n {
        0x0b..=0x11 => Fork::Prague,
        P256VERIFY => Fork::Osaka,
        _ => Fork::Cancun,
    }
}

/// A system over an empty state for a block of `fork`.
pub(super) fn system(fork: Fork) -> System<MemoryDb> {
    System::new(MemoryDb::default(), BlockEnv { fork, ..BlockEnv::default() }, EngineKind::Wasmi)
}

/// Calls precompile `n` in `fork` as a message call with `gas`, through [`call`]; `None` if
/// the address is not a precompile in `fork`.
pub(super) fn call_in(fork: Fork, n: u16, input: &[u8], gas: u64) -> Option<FrameResult> {
    let mut sys = system(fork);
    let p = CallParams {
        kind: CallKind::StaticCall,
        caller: Address::repeat_byte(0xca),
        address: precompile_address(n),
        code_address: precompile_address(n),
        value: U256::ZERO,
        apparent_value: U256::ZERO,
        input: Bytes::copy_from_slice(input),
        gas,
        is_static: true,
        depth: 1,
    };
    call(&mut sys, &p, &p.input)
}

/// Calls precompile `n` in `fork` as a message call with `gas`.
pub(super) fn call_precompile_in(fork: Fork, n: u16, input: &[u8], gas: u64) -> FrameResult {
    call_in(fork, n, input, gas).expect("a precompile address")
}

/// Runs precompile `n` with plenty of gas, checks it succeeds, and returns its output and
/// the gas it used.
pub(super) fn run_ok(n: u16, input: &[u8]) -> (Vec<u8>, u64) {
    run_ok_in(first_fork(n), n, input)
}

/// [`run_ok`] in `fork`.
pub(super) fn run_ok_in(fork: Fork, n: u16, input: &[u8]) -> (Vec<u8>, u64) {
    const GAS: u64 = 10_000_000;
    let r = call_precompile_in(fork, n, input, GAS);
    assert_eq!(r.status, CallStatus::Success, "precompile {n:#04x} failed: {:?}", r.error);
    assert!(r.error.is_none());
    (r.output.to_vec(), GAS - r.gas_left)
}

/// Checks that precompile `n` fails with `gas`, consuming it all, its failure a fault of
/// precompile `n` whose message names it, and returns why it halted.
pub(super) fn assert_fails(n: u16, input: &[u8], gas: u64) -> PrecompileHalt {
    assert_fails_in(first_fork(n), n, input, gas)
}

/// [`assert_fails`] in `fork`.
pub(super) fn assert_fails_in(fork: Fork, n: u16, input: &[u8], gas: u64) -> PrecompileHalt {
    let r = call_precompile_in(fork, n, input, gas);
    assert_eq!(r.status, CallStatus::Failure, "precompile {n:#04x} should fail, got {:?}", r.output);
    assert_eq!(r.gas_left, 0, "a failing precompile consumes all gas");
    assert!(r.output.is_empty());
    let reason = r.error.expect("a failure has a reason");
    assert!(alloc::format!("{reason}").contains(name(n)), "{reason}");
    match reason {
        Failure::Fault(Fault::Precompile { address, halt }) if address == n => halt,
        other => panic!("precompile {n:#04x}: expected its own fault, got {other:?}"),
    }
}

/// Checks the exact cost of precompile `n` on `input`: it succeeds with exactly `cost` gas
/// (leaving nothing) and fails with one less.
pub(super) fn assert_cost(n: u16, input: &[u8], cost: u64) {
    assert_cost_in(first_fork(n), n, input, cost);
}

/// [`assert_cost`] in `fork`.
pub(super) fn assert_cost_in(fork: Fork, n: u16, input: &[u8], cost: u64) {
    let (_, used) = run_ok_in(fork, n, input);
    assert_eq!(used, cost, "gas of precompile {n:#04x}");
    let exact = call_precompile_in(fork, n, input, cost);
    assert_eq!(exact.status, CallStatus::Success);
    assert_eq!(exact.gas_left, 0);
    if cost > 0 {
        let halt = assert_fails_in(fork, n, input, cost - 1);
        assert!(halt.is_oog(), "{halt}");
    }
}

#[test]
fn precompile_numbers_and_addresses() {
    // 0x01–0x0a in Cancun, 0x0b–0x11 from Prague, 0x100 from Osaka (EIP-2537, EIP-7951);
    // zkos's Poseidon at 0x5a00 in every fork.
    let expected = [(Fork::Cancun, 11), (Fork::Prague, 18), (Fork::Osaka, 19), (Fork::Bpo4, 19)];
    for (fork, count) in expected {
        let all: Vec<Address> = addresses(fork).collect();
        assert_eq!(all.len(), count, "{fork}");
        for a in &all {
            let n = number(fork, a).expect("each address is a precompile of its fork");
            assert_eq!(precompile_address(n), *a);
            assert_ne!(name(n), "not a precompile");
        }
    }
    let last = |fork| addresses(fork).last().map(|a| number(fork, &a));
    let ethereum_last = |fork| addresses(fork).filter(|a| number(fork, a) != Some(super::POSEIDON)).last();
    let last_of = |fork| ethereum_last(fork).map(|a| number(fork, &a));
    assert_eq!(last_of(Fork::Cancun), Some(Some(0x0a)));
    assert_eq!(last_of(Fork::Prague), Some(Some(0x11)));
    assert_eq!(last_of(Fork::Osaka), Some(Some(0x100)));
    for fork in Fork::ALL {
        assert_eq!(last(fork), Some(Some(super::POSEIDON)), "{fork}");
    }
    for fork in [Fork::Cancun, Fork::Prague, Fork::Osaka] {
        assert_eq!(number(fork, &Address::ZERO), None);
        assert_eq!(number(fork, &precompile_address(0x12)), None);
        assert_eq!(number(fork, &precompile_address(0xff)), None);
        assert_eq!(number(fork, &precompile_address(0x101)), None);
    }
    assert_eq!(number(Fork::Cancun, &precompile_address(0x0b)), None);
    assert_eq!(number(Fork::Prague, &precompile_address(0x0b)), Some(0x0b));
    assert_eq!(number(Fork::Prague, &precompile_address(0x100)), None);
    assert_eq!(number(Fork::Osaka, &precompile_address(0x100)), Some(0x100));
    assert_eq!(precompile_address(0x100).as_slice()[18..], [1, 0]);
    let mut high = [0u8; 20];
    high[0] = 1;
    high[19] = 1;
    assert_eq!(number(Fork::Osaka, &Address::from(high)), None);
}

#[test]
fn non_precompile_address_is_not_handled() {
    // 0x0b is an ordinary (empty) account before Prague, 0x100 before Osaka.
    assert!(call_in(Fork::Cancun, 0x0b, &[], 100_000).is_none());
    assert!(call_in(Fork::Prague, 0x100, &[], 100_000).is_none());
    assert!(call_in(Fork::Osaka, 0x12, &[], 100_000).is_none());
    assert!(call_in(Fork::Prague, 0x0b, &[], 100_000).is_some());
}

#[test]
fn zero_gas_fails_every_precompile_with_a_cost() {
    // Each precompile costs something on a small input except blake2f with zero rounds.
    let inputs: [(u16, Vec<u8>); 9] = [
        (0x01, Vec::new()),
        (0x02, Vec::new()),
        (0x03, Vec::new()),
        (0x04, Vec::new()),
        (0x05, Vec::new()),
        (0x06, Vec::new()),
        (0x07, Vec::new()),
        (0x08, Vec::new()),
        (0x0a, alloc::vec![0u8; 192]),
    ];
    for (n, input) in inputs {
        let halt = assert_fails(n, &input, 0);
        assert!(halt.is_oog(), "{n:#04x}: {halt}");
    }
}
