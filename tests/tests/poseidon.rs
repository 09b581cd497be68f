//! Poseidon (issue 12 item 6) from all three kinds of contract, on every engine: circom's
//! Poseidon over BN254 is host function 1009 for WASM and native code and, for EVM code, the
//! zkos precompile at 0x5a00 (host-abi's `POSEIDON_PRECOMPILE`), active on every fork. The
//! vectors are circomlibjs' published hashes and light-poseidon's own test vector; each kind
//! must give the same hash at the same gas (`POSEIDON_ELEMENT` per element), and reject the same inputs:
//! a length that is not 1 to 12 whole 32-byte elements, or an element at or above the field's
//! modulus (status 1 for the host function; a failed call that consumes the gas it was given
//! at the address).

use alloy_primitives::{Address, U256};
use host_abi::envelope::{Envelope, Kind};
use host_abi::functions::{HostFn, POSEIDON_PRECOMPILE};
use host_abi::gas::POSEIDON_ELEMENT;
use rv_machine::isa::{encode, Reg};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::fork::Fork;
use zkos_tests::{word, Chain};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vector is hex")
}

/// The BN254 scalar field's modulus r, big-endian: the smallest input that is no element.
const R: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

/// Published vectors: (input elements, hash).
fn vectors() -> Vec<(Vec<[u8; 32]>, Vec<u8>)> {
    vec![
        // circomlibjs: poseidon([1]), poseidon([1, 2]), poseidon([1, 2, 3, 4]).
        (vec![word(1)], unhex("29176100eaa962bdc1fe6c654d6a3c130e96a4d1168b33848b897dc502820133")),
        (vec![word(1), word(2)], unhex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a")),
        (
            vec![word(1), word(2), word(3), word(4)],
            unhex("299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465"),
        ),
        // light-poseidon's test of `new_circom(2)`: 32 bytes of 1s and 32 bytes of 2s.
        (
            vec![[1u8; 32], [2u8; 32]],
            vec![
                13, 84, 225, 147, 143, 138, 140, 28, 125, 235, 94, 3, 85, 242, 99, 25, 32, 123, 132, 254, 156, 162,
                206, 27, 38, 231, 53, 200, 41, 130, 25, 144,
            ],
        ),
    ]
}

/// Inputs every kind must reject: (what, input).
fn bad_inputs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("empty", Vec::new()),
        ("33 bytes", vec![1u8; 33]),
        ("one byte short", [word(1), word(2)].concat()[..63].to_vec()),
        ("13 elements", word(1).repeat(13)),
        ("the modulus", [word(1).to_vec(), unhex(R)].concat()),
        ("all ones", vec![0xff; 32]),
    ]
}

fn precompile(n: u16) -> Address {
    let mut a = [0u8; 20];
    a[18..].copy_from_slice(&n.to_be_bytes());
    Address::from(a)
}

/// EVM runtime code. Calldata: a gas amount (a word), an address (a word), the input. It
/// copies the input to memory, STATICCALLs the address with that gas and the input, and
/// returns the call's success (a word), the gas spent between the `GAS` before and the
/// `GAS` after the call (a word: [`AROUND`], the access and the callee's gas) and the return
/// data.
const PROBE: &str = concat!(
    "604036038060406000375a90",     // len = size - 64; calldatacopy(0, 64, len); GAS; swap
    "60006000826000602035600035fa", // staticcall(gas, address, 0, len, 0, 0)
    "5a9060005290509003602052",     // GAS; mstore(0, success); mstore(32, g0 - g1)
    "3d600060403e3d6040016000f3",   // the return data after them; return
);

/// Gas the probe spends around the call besides the call's own: nine 3-gas instructions
/// (a swap, pushes, a dup, two calldata loads) and the second `GAS`.
const AROUND: u64 = 9 * 3 + 2;
/// EIP-2929's price of a warm account (precompiles are warm from the transaction's start).
const WARM: u64 = 100;

/// What the probe returned.
#[derive(Debug, PartialEq)]
struct Probe {
    success: bool,
    spent: u64,
    output: Vec<u8>,
}

/// A chain of `fork` with the probe deployed.
fn probe_chain(engine: EngineKind, fork: Fork) -> (Chain, Address) {
    let mut chain = Chain::new(engine);
    chain.block.fork = fork;
    let runtime = unhex(PROBE);
    let len = u8::try_from(runtime.len()).expect("short runtime");
    let init = [vec![0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3], runtime].concat();
    let r = chain.deploy(&init, &[]);
    assert!(r.success, "deploying the probe failed: {:?}", r.error);
    (chain, r.contract_address.expect("created"))
}

/// Calls `target` with `gas` and `input` through the probe.
fn probe(chain: &mut Chain, at: Address, gas: u64, target: Address, input: &[u8]) -> Probe {
    let mut data = word(gas).to_vec();
    data.extend_from_slice(&[0u8; 12]);
    data.extend_from_slice(target.as_slice());
    data.extend_from_slice(input);
    let r = chain.call(at, &data);
    assert!(r.success, "the probe failed: {:?}", r.error);
    let out = r.output.to_vec();
    Probe {
        success: U256::from_be_slice(&out[..32]) == U256::from(1u8),
        spent: u64::try_from(U256::from_be_slice(&out[32..64])).expect("small"),
        output: out[64..].to_vec(),
    }
}

/// Gas enough for any Poseidon call.
const PLENTY: u64 = 1_000_000;

fn evm_staticcall(engine: EngineKind) {
    let (mut chain, at) = probe_chain(engine, Fork::Osaka);
    let poseidon = precompile(POSEIDON_PRECOMPILE);
    // The probe's own overhead, checked on the identity precompile (15 + 3 per word).
    let identity = probe(&mut chain, at, PLENTY, precompile(0x04), &word(7));
    assert_eq!((identity.spent, identity.output), (AROUND + WARM + 18, word(7).to_vec()));
    for (inputs, hash) in vectors() {
        let n = inputs.len() as u64;
        let r = probe(&mut chain, at, PLENTY, poseidon, &inputs.concat());
        assert_eq!(r, Probe { success: true, spent: AROUND + WARM + n * POSEIDON_ELEMENT, output: hash });
    }
    // Exactly the price is enough; one gas less fails the call, which takes what it had.
    let two = [word(1), word(2)].concat();
    let r = probe(&mut chain, at, 2 * POSEIDON_ELEMENT, poseidon, &two);
    assert!(r.success && r.output.len() == 32);
    let r = probe(&mut chain, at, 2 * POSEIDON_ELEMENT - 1, poseidon, &two);
    assert_eq!(r, Probe { success: false, spent: AROUND + WARM + 2 * POSEIDON_ELEMENT - 1, output: Vec::new() });
    // Twelve elements, the most: circom's width 13.
    let twelve: Vec<u8> = (1..=12).flat_map(word).collect();
    let r = probe(&mut chain, at, PLENTY, poseidon, &twelve);
    assert!(r.success);
    assert_eq!(r.spent, AROUND + WARM + 12 * POSEIDON_ELEMENT);
    assert_eq!(r.output, via_wasm(&mut chain, &twelve).1);
}

fn evm_bad_inputs_fail_the_call(engine: EngineKind) {
    let (mut chain, at) = probe_chain(engine, Fork::Osaka);
    // A failing precompile consumes all the gas it was given.
    let given = 50_000;
    for (what, input) in bad_inputs() {
        let r = probe(&mut chain, at, given, precompile(POSEIDON_PRECOMPILE), &input);
        assert_eq!(r, Probe { success: false, spent: AROUND + WARM + given, output: Vec::new() }, "{what}");
    }
}

fn evm_on_every_fork(engine: EngineKind) {
    let (inputs, hash) = vectors().swap_remove(1);
    for fork in Fork::ALL {
        let (mut chain, at) = probe_chain(engine, fork);
        let r = probe(&mut chain, at, PLENTY, precompile(POSEIDON_PRECOMPILE), &inputs.concat());
        assert_eq!(
            r,
            Probe { success: true, spent: AROUND + WARM + 2 * POSEIDON_ELEMENT, output: hash.clone() },
            "{fork}"
        );
    }
    // The rest of zkos's range is no precompile: an empty, cold account.
    let (mut chain, at) = probe_chain(engine, Fork::Osaka);
    let r = probe(&mut chain, at, PLENTY, precompile(POSEIDON_PRECOMPILE + 1), &inputs.concat());
    assert_eq!(r, Probe { success: true, spent: AROUND + 2600, output: Vec::new() });
}

/// A WASM contract that hashes its calldata with host function 1009 and returns the status
/// (4 bytes, little-endian) and the 32 bytes at the output.
const WASM_CALLER: &str = r#"(module
  (import "zkos" "calldata_size" (func $size (result i32)))
  (import "zkos" "calldata_copy" (func $copy (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (import "zkos" "poseidon" (func $poseidon (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "call")
    (call $copy (i32.const 0) (i32.const 0) (call $size))
    (i32.store (i32.const 0x8000) (call $poseidon (i32.const 0) (call $size) (i32.const 0x8004)))
    (call $finish (i32.const 0x8000) (i32.const 36))))"#;

/// Hashes `input` in a WASM contract: the status and the 32 output bytes.
fn via_wasm(chain: &mut Chain, input: &[u8]) -> (u32, Vec<u8>) {
    let at = chain.deploy_wat(WASM_CALLER);
    let r = chain.call(at, input);
    assert!(r.success, "{:?}", r.error);
    (u32::from_le_bytes(r.output[..4].try_into().unwrap()), r.output[4..].to_vec())
}

fn wasm_host_function(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    for (inputs, hash) in vectors() {
        assert_eq!(via_wasm(&mut chain, &inputs.concat()), (0, hash));
    }
    for (what, input) in bad_inputs() {
        assert_eq!(via_wasm(&mut chain, &input), (1, vec![0u8; 32]), "{what}");
    }
}

/// A native RV64IM contract that reads its calldata (at most 448 bytes) onto the stack, hashes
/// it with `ecall` 1009 and writes the status (4 bytes, little-endian) and the 32 bytes at
/// the output (zero unless written), then exits with 0.
fn native_caller() -> Vec<u8> {
    let e = |r: Result<u32, rv_machine::Error>| r.expect("encodable");
    let code = [
        e(encode::addi(Reg::SP, Reg::SP, -1024)),
        e(encode::sd(Reg::SP, Reg::ZERO, 512)), // the output starts zeroed
        e(encode::sd(Reg::SP, Reg::ZERO, 520)),
        e(encode::sd(Reg::SP, Reg::ZERO, 528)),
        e(encode::sd(Reg::SP, Reg::ZERO, 536)),
        // read(0, sp, 448)
        e(encode::addi(Reg::A0, Reg::ZERO, 0)),
        e(encode::addi(Reg::A1, Reg::SP, 0)),
        e(encode::addi(Reg::A2, Reg::ZERO, 448)),
        e(encode::addi(Reg::A7, Reg::ZERO, 63)),
        encode::ecall(),
        // poseidon(sp, bytes read, sp + 512)
        e(encode::addi(Reg::A1, Reg::A0, 0)),
        e(encode::addi(Reg::A0, Reg::SP, 0)),
        e(encode::addi(Reg::A2, Reg::SP, 512)),
        e(encode::addi(Reg::A7, Reg::ZERO, HostFn::Poseidon.number() as i32)),
        encode::ecall(),
        e(encode::sw(Reg::SP, Reg::A0, 508)),
        // write(1, sp + 508, 36)
        e(encode::addi(Reg::A0, Reg::ZERO, 1)),
        e(encode::addi(Reg::A1, Reg::SP, 508)),
        e(encode::addi(Reg::A2, Reg::ZERO, 36)),
        e(encode::addi(Reg::A7, Reg::ZERO, 64)),
        encode::ecall(),
        // exit(0)
        e(encode::addi(Reg::A0, Reg::ZERO, 0)),
        e(encode::addi(Reg::A7, Reg::ZERO, 93)),
        encode::ecall(),
    ];
    let elf = native_shim::elf::minimal(&code);
    let env = Envelope { kind: Kind::Rv64im, version: 0, constants: &[], code: &elf };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).expect("buffer has the encoded length");
    out
}

fn native_host_function(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    let r = chain.deploy(&native_caller(), &[]);
    assert!(r.success, "{:?}", r.error);
    let at = r.contract_address.expect("created");
    let mut hash_in_native = |input: &[u8]| {
        let r = chain.call(at, input);
        assert!(r.success, "{:?}", r.error);
        (u32::from_le_bytes(r.output[..4].try_into().unwrap()), r.output[4..].to_vec(), r.gas_used)
    };
    for (inputs, hash) in vectors() {
        let (status, out, _) = hash_in_native(&inputs.concat());
        assert_eq!((status, out), (0, hash));
    }
    for (what, input) in bad_inputs() {
        let (status, out, _) = hash_in_native(&input);
        assert_eq!((status, out), (1, vec![0u8; 32]), "{what}");
    }
    // 560 gas per element: four elements cost two elements' calldata and 2 · 560 more than two.
    let (_, _, two) = hash_in_native(&[word(1), word(2)].concat());
    let (_, _, four) = hash_in_native(&[word(1), word(2), word(3), word(4)].concat());
    let calldata = 2 * (31 * 4 + 16);
    let read_words = 2 * 3; // read (63) copies 3 gas per 32-byte word
    assert_eq!(four - two, 2 * POSEIDON_ELEMENT + calldata + read_words);
}

/// The three kinds on both engines: the same hashes and the same gas.
#[test]
fn engines_agree() {
    let run = |engine: EngineKind| {
        let (mut chain, at) = probe_chain(engine, Fork::Osaka);
        let native = chain.deploy(&native_caller(), &[]).contract_address.expect("native deployed");
        let wasm = chain.deploy_wat(WASM_CALLER);
        let mut seen = Vec::new();
        for input in vectors().into_iter().map(|(i, _)| i.concat()).chain(bad_inputs().into_iter().map(|(_, i)| i)) {
            let evm = probe(&mut chain, at, PLENTY, precompile(POSEIDON_PRECOMPILE), &input);
            let (w, n) = (chain.call(wasm, &input), chain.call(native, &input));
            seen.push((evm, w.output.to_vec(), w.gas_used, n.output.to_vec(), n.gas_used));
        }
        seen
    };
    assert_eq!(run(EngineKind::Wasmi), run(EngineKind::Rv));
}

zkos_tests::engine_tests!(
    evm_staticcall,
    evm_bad_inputs_fail_the_call,
    evm_on_every_fork,
    wasm_host_function,
    native_host_function
);
