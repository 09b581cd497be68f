//! The precompiles of Prague and Osaka (issue 12 items 2, 3 and 6), on every engine: EVM code
//! reaches EIP-2537's BLS12-381 precompiles (0x0b–0x11) from Prague and EIP-7951's
//! p256verify (0x100) from Osaka by address, warm from the start of the transaction, at
//! EIP-2537's and EIP-7951's gas; before their fork the addresses are ordinary empty (cold)
//! accounts. modexp costs EIP-7883's gas from Osaka and fails past EIP-7823's bound. WASM
//! contracts reach the same precompiles through host functions 1010–1017, and circom's
//! Poseidon through host function 1009, with the same outputs.

use alloy_primitives::{Address, U256};
use host_abi::functions::HostFn;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::fork::Fork;
use zkos_tests::{word, Chain};

fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).expect("test vector is hex")
}

/// A 48-byte BLS12-381 field element padded to EIP-2537's 64 bytes.
fn fp(hex: &str) -> Vec<u8> {
    [vec![0u8; 16], unhex(hex)].concat()
}

/// G1's generator.
fn g1() -> Vec<u8> {
    [
        fp("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
        fp("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1"),
    ]
    .concat()
}

/// G2's generator.
fn g2() -> Vec<u8> {
    [
        fp("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
        fp("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"),
        fp("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
        fp("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be"),
    ]
    .concat()
}

/// -G1 (y replaced by p - y).
fn neg_g1() -> Vec<u8> {
    [
        fp("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
        fp("114d1d6855d545a8aa7d76c8cf2e21f267816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca"),
    ]
    .concat()
}

/// A P-256 signature (made with Python's `cryptography`): sha256("zkos precompiles_prague"),
/// r, s, and the public key's x and y.
fn p256_input() -> Vec<u8> {
    unhex(
        "b3bd1a00306f3a5d4ed906a59d25ee011229e23f93d7f66ce99bf7d2b8c032b0
         2a67a5d4cb76f3e6a916c09af59a4c6f096a9d4aa15a0528a0a7a5e18b8411fe
         c5754637ee35a4937d200f88ec60546b3a0e60978444d44d1c7c49a2626d9a51
         f68b1de0f5ce686192f4bd0fd34163863f2e89d385f8bcfb85979533a57ac9b0
         4f022ab6b096c8bf42804d8e67d38b3f88866980cc903f68fde9d2e143d93267",
    )
}

/// The address of precompile `n`.
fn precompile(n: u16) -> Address {
    let mut a = [0u8; 20];
    a[18..].copy_from_slice(&n.to_be_bytes());
    Address::from(a)
}

/// EVM runtime code: STATICCALL of the address in the first calldata word with the rest of
/// the calldata, all gas forwarded; returns the call's success (a word), the gas the
/// caller spent between the `GAS` before and the `GAS` after the call (a word: the access,
/// the callee's gas and 23 for the pushes and `GAS`es), and the return data.
const PROBE: &str = "602036038060206000375a90600060008260006000355afa\
                     5a90600052905090036020523d600060403e3d6040016000f3";

/// What [`PROBE`] returned: success, gas spent around the call, output.
struct Probe {
    success: bool,
    spent: u64,
    output: Vec<u8>,
}

/// A chain of `fork` with [`PROBE`] deployed.
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

/// Calls `target` with `input` through the probe.
fn probe(chain: &mut Chain, at: Address, target: Address, input: &[u8]) -> Probe {
    let mut data = [0u8; 12].to_vec();
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

/// The probe's own gas around a call: seven 3-gas pushes, swaps and loads, two `GAS`.
const AROUND: u64 = 7 * 3 + 2 + 2;
/// EIP-2929: a warm account access, a cold one.
const WARM: u64 = 100;
const COLD: u64 = 2600;

fn bls_by_address(engine: EngineKind) {
    let (mut chain, at) = probe_chain(engine, Fork::Prague);
    // G1 + G1, and 2·G1 by the MSM: the same point, at 375 and 12000 gas, warm.
    let add = probe(&mut chain, at, precompile(0x0b), &[g1(), g1()].concat());
    assert!(add.success);
    assert_eq!(add.spent, AROUND + WARM + 375);
    assert_eq!(add.output.len(), 128);
    let msm = probe(&mut chain, at, precompile(0x0c), &[g1(), word(2).to_vec()].concat());
    assert!(msm.success);
    assert_eq!(msm.spent, AROUND + WARM + 12_000);
    assert_eq!(msm.output, add.output);
    // e(G1, G2) · e(-G1, G2) = 1: 37700 + 2 · 32600.
    let pairing = probe(&mut chain, at, precompile(0x0f), &[g1(), g2(), neg_g1(), g2()].concat());
    assert!(pairing.success);
    assert_eq!(pairing.output, word(1).to_vec());
    assert_eq!(pairing.spent, AROUND + WARM + 37_700 + 2 * 32_600);
    // A point off the curve: the call fails and consumes what it was given (63/64 of the
    // gas left), the probe goes on.
    let mut off = g1();
    off[127] ^= 1;
    let bad = probe(&mut chain, at, precompile(0x0b), &[off, g1()].concat());
    assert!(!bad.success);
    assert!(bad.output.is_empty());
    assert!(bad.spent > 1_000_000, "a failing precompile takes all forwarded gas: {}", bad.spent);
    // In Cancun 0x0b is an empty account: cold, nothing runs, nothing comes back.
    let (mut cancun, at) = probe_chain(engine, Fork::Cancun);
    let empty = probe(&mut cancun, at, precompile(0x0b), &[g1(), g1()].concat());
    assert!(empty.success);
    assert!(empty.output.is_empty());
    assert_eq!(empty.spent, AROUND + COLD);
}

fn p256verify_by_address(engine: EngineKind) {
    let (mut chain, at) = probe_chain(engine, Fork::Osaka);
    let ok = probe(&mut chain, at, precompile(0x100), &p256_input());
    assert!(ok.success);
    assert_eq!(ok.output, word(1).to_vec());
    assert_eq!(ok.spent, AROUND + WARM + 6900);
    let mut tampered = p256_input();
    tampered[0] ^= 1;
    let bad = probe(&mut chain, at, precompile(0x100), &tampered);
    assert!(bad.success, "an invalid signature is not a failure");
    assert!(bad.output.is_empty());
    assert_eq!(bad.spent, AROUND + WARM + 6900);
    // Before Osaka 0x100 is an empty account.
    let (mut prague, at) = probe_chain(engine, Fork::Prague);
    let empty = probe(&mut prague, at, precompile(0x100), &p256_input());
    assert!(empty.success && empty.output.is_empty());
    assert_eq!(empty.spent, AROUND + COLD);
}

fn modexp_gas_by_fork(engine: EngineKind) {
    // 3^(p-1) mod p for secp256k1's p: 16 · 255 / 3 = 1360 gas (EIP-2565); from Osaka
    // 16 · 255 = 4080 (EIP-7883).
    let p = unhex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    let mut p_minus_1 = p.clone();
    p_minus_1[31] = 0x2e;
    let input = [word(1).to_vec(), word(32).to_vec(), word(32).to_vec(), vec![3], p_minus_1, p].concat();
    for (fork, gas) in [(Fork::Cancun, 1360), (Fork::Prague, 1360), (Fork::Osaka, 4080)] {
        let (mut chain, at) = probe_chain(engine, fork);
        let r = probe(&mut chain, at, precompile(0x05), &input);
        assert!(r.success);
        assert_eq!(r.output, word(1).to_vec(), "{fork}");
        assert_eq!(r.spent, AROUND + WARM + gas, "{fork}");
    }
    // EIP-7823: a 1025-byte modulus fails the call in Osaka, and runs in Prague.
    let over = [word(1).to_vec(), word(1).to_vec(), word(1025).to_vec(), vec![2, 1], vec![0x11; 1025]].concat();
    let (mut osaka, at) = probe_chain(engine, Fork::Osaka);
    let r = probe(&mut osaka, at, precompile(0x05), &over);
    assert!(!r.success && r.output.is_empty());
    let (mut prague, at) = probe_chain(engine, Fork::Prague);
    let r = probe(&mut prague, at, precompile(0x05), &over);
    assert!(r.success);
    assert_eq!(r.output.len(), 1025);
}

/// A WASM contract that passes its calldata to host function `f` (`(input, out)` or
/// `(input, len, out)`) and returns the status (4 bytes, little-endian) and `out_len` bytes
/// of output.
fn host_caller(f: HostFn, out_len: u32) -> String {
    let with_len = f.params().len() == 3;
    let params = if with_len { "i32 i32 i32" } else { "i32 i32" };
    let len_arg = if with_len { "(call $size)" } else { "" };
    format!(
        r#"(module
          (import "zkos" "calldata_size" (func $size (result i32)))
          (import "zkos" "calldata_copy" (func $copy (param i32 i32 i32)))
          (import "zkos" "finish" (func $finish (param i32 i32)))
          (import "zkos" "{name}" (func $f (param {params}) (result i32)))
          (memory (export "memory") 1 1)
          (func (export "call")
            (call $copy (i32.const 0) (i32.const 0) (call $size))
            (i32.store (i32.const 0x8000) (call $f (i32.const 0) {len_arg} (i32.const 0x8004)))
            (call $finish (i32.const 0x8000) (i32.const {total}))))"#,
        name = f.import_name(),
        total = 4 + out_len,
    )
}

/// Calls host function `f` from a WASM contract on `input`: its status and output.
fn via_host(chain: &mut Chain, f: HostFn, out_len: u32, input: &[u8]) -> (u32, Vec<u8>) {
    let at = chain.deploy_wat(&host_caller(f, out_len));
    let r = chain.call(at, input);
    assert!(r.success, "{}: {:?}", f.import_name(), r.error);
    let status = u32::from_le_bytes(r.output[..4].try_into().unwrap());
    (status, r.output[4..].to_vec())
}

fn host_functions_match_the_precompiles(engine: EngineKind) {
    let (mut chain, at) = probe_chain(engine, Fork::Osaka);
    let cases: [(HostFn, u16, u32, Vec<u8>); 7] = [
        (HostFn::Bls12G1Add, 0x0b, 128, [g1(), g1()].concat()),
        (HostFn::Bls12G1Msm, 0x0c, 128, [g1(), word(3).to_vec(), g1(), word(4).to_vec()].concat()),
        (HostFn::Bls12G2Add, 0x0d, 256, [g2(), g2()].concat()),
        (HostFn::Bls12G2Msm, 0x0e, 256, [g2(), word(5).to_vec()].concat()),
        (HostFn::Bls12Pairing, 0x0f, 32, [g1(), g2(), neg_g1(), g2()].concat()),
        (HostFn::Bls12MapFpToG1, 0x10, 128, fp(&format!("{}07", "00".repeat(47)))),
        (HostFn::P256Verify, 0x100, 32, p256_input()),
    ];
    for (f, n, out_len, input) in cases {
        let by_address = probe(&mut chain, at, precompile(n), &input);
        assert!(by_address.success && !by_address.output.is_empty(), "{n:#x}");
        let (status, out) = via_host(&mut chain, f, out_len, &input);
        assert_eq!(status, 0, "{}", f.import_name());
        assert_eq!(out, by_address.output, "{}", f.import_name());
    }
    // Map Fp2 to G2 as well; and an input the precompile rejects is status 1, nothing written.
    let fp2 = [fp(&format!("{}01", "00".repeat(47))), fp(&format!("{}02", "00".repeat(47)))].concat();
    let by_address = probe(&mut chain, at, precompile(0x11), &fp2);
    assert_eq!(via_host(&mut chain, HostFn::Bls12MapFp2ToG2, 256, &fp2), (0, by_address.output));
    let mut tampered = p256_input();
    tampered[0] ^= 1;
    assert_eq!(via_host(&mut chain, HostFn::P256Verify, 32, &tampered), (1, vec![0u8; 32]));
}

fn poseidon_from_wasm(engine: EngineKind) {
    let mut chain = Chain::new(engine);
    // circomlibjs: poseidon([1, 2]).
    let (status, out) = via_host(&mut chain, HostFn::Poseidon, 32, &[word(1), word(2)].concat());
    assert_eq!(status, 0);
    assert_eq!(out, unhex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"));
    // The field's modulus is not an input: status 1, nothing written.
    let r = unhex("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
    assert_eq!(via_host(&mut chain, HostFn::Poseidon, 32, &[word(1).to_vec(), r].concat()), (1, vec![0u8; 32]));
    // Gas: host-abi's price per element, so a 12-element hash costs ten elements' price more
    // than a 2-element one.
    let at = chain.deploy_wat(&host_caller(HostFn::Poseidon, 32));
    let two = chain.call(at, &[word(1), word(2)].concat());
    let twelve = chain.call(at, &[word(1), word(2)].repeat(6).concat());
    assert!(two.success && twelve.success);
    // The calldata's extra ten words cost intrinsic gas (4 per zero byte, 16 per non-zero
    // byte) and their copy 3 each.
    let extra_calldata = 10 * (31 * 4 + 16) + 10 * 3;
    assert_eq!(twelve.gas_used - two.gas_used, 10 * host_abi::gas::POSEIDON_ELEMENT + extra_calldata);
}

zkos_tests::engine_tests!(
    bls_by_address,
    p256verify_by_address,
    modexp_gas_by_fork,
    host_functions_match_the_precompiles,
    poseidon_from_wasm
);
