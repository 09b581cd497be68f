//! Precompile tests: known vectors from the EIPs and well-known suites, gas, failures, and
//! the host-function form.

mod bn254;
mod calls;
mod host;

use alloc::vec::Vec;

use host_abi::status::CallStatus;
use revm_precompile::PrecompileHalt;

use super::{addresses, call, name, number, LAST};
use crate::engine::EngineKind;
use crate::env::BlockEnv;
use crate::error::{Failure, Fault};
use crate::exec::{CallKind, CallParams, FrameResult, System};
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

pub(super) fn precompile_address(n: u8) -> Address {
    let mut a = [0u8; 20];
    a[19] = n;
    Address::from(a)
}

/// Calls precompile `n` as a message call with `gas`, through [`call`].
pub(super) fn call_precompile(n: u8, input: &[u8], gas: u64) -> FrameResult {
    let mut sys = System::new(MemoryDb::default(), BlockEnv::default(), EngineKind::Wasmi);
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
    call(&mut sys, &p, &p.input).expect("a precompile address")
}

/// Runs precompile `n` with plenty of gas, checks it succeeds, and returns its output and
/// the gas it used.
pub(super) fn run_ok(n: u8, input: &[u8]) -> (Vec<u8>, u64) {
    const GAS: u64 = 10_000_000;
    let r = call_precompile(n, input, GAS);
    assert_eq!(r.status, CallStatus::Success, "precompile {n:#04x} failed: {:?}", r.error);
    assert!(r.error.is_none());
    (r.output.to_vec(), GAS - r.gas_left)
}

/// Checks that precompile `n` fails with `gas`, consuming it all, its failure a fault of
/// precompile `n` whose message names it, and returns why it halted.
pub(super) fn assert_fails(n: u8, input: &[u8], gas: u64) -> PrecompileHalt {
    let r = call_precompile(n, input, gas);
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
pub(super) fn assert_cost(n: u8, input: &[u8], cost: u64) {
    let (_, used) = run_ok(n, input);
    assert_eq!(used, cost, "gas of precompile {n:#04x}");
    let exact = call_precompile(n, input, cost);
    assert_eq!(exact.status, CallStatus::Success);
    assert_eq!(exact.gas_left, 0);
    if cost > 0 {
        let halt = assert_fails(n, input, cost - 1);
        assert!(halt.is_oog(), "{halt}");
    }
}

#[test]
fn precompile_numbers_and_addresses() {
    assert_eq!(addresses().count(), 10);
    for (i, a) in addresses().enumerate() {
        assert_eq!(number(&a), Some(i as u8 + 1));
        assert_ne!(name(i as u8 + 1), "not a precompile");
    }
    assert_eq!(number(&Address::ZERO), None);
    assert_eq!(number(&precompile_address(LAST + 1)), None);
    let mut high = [0u8; 20];
    high[0] = 1;
    high[19] = 1;
    assert_eq!(number(&Address::from(high)), None);
}

#[test]
fn non_precompile_address_is_not_handled() {
    let mut sys = System::new(MemoryDb::default(), BlockEnv::default(), EngineKind::Wasmi);
    let p = CallParams {
        kind: CallKind::Call,
        caller: Address::ZERO,
        address: precompile_address(0x0b),
        code_address: precompile_address(0x0b),
        value: U256::ZERO,
        apparent_value: U256::ZERO,
        input: Bytes::new(),
        gas: 100_000,
        is_static: false,
        depth: 1,
    };
    assert!(call(&mut sys, &p, &[]).is_none());
}

#[test]
fn zero_gas_fails_every_precompile_with_a_cost() {
    // Each precompile costs something on a small input except blake2f with zero rounds.
    let inputs: [(u8, Vec<u8>); 9] = [
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
