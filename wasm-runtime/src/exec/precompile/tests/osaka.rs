//! Osaka's precompile changes: EIP-7951 p256verify at 0x100 (6900 gas), EIP-7823's
//! 1024-byte bounds of modexp's lengths and EIP-7883's modexp gas (at least 500, the new
//! multiplication complexity and iteration count); and the same through the host functions.

use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::gas::GasRule;
use host_abi::status::PrecompileStatus;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{Signature, SigningKey};
use revm_precompile::PrecompileHalt;

use super::calls::modexp_input;
use super::host::{host, host_in, GAS, I, O};
use super::{assert_cost, assert_cost_in, assert_fails_in, call_in, run_ok, run_ok_in, unhex, word};
use crate::error::{Failure, Fault};
use crate::fork::Fork;
use crate::host::HostExit;
use crate::primitives::keccak256;

// ------------------------------------------------------------------ p256verify (0x100)

/// A P-256 signature of a fresh hash by a fixed key, as p256verify's input: hash, r, s, x, y.
fn p256_input() -> Vec<u8> {
    let key = SigningKey::from_bytes(&[0x42u8; 32].into()).unwrap();
    let point = key.verifying_key().to_encoded_point(false);
    let hash = keccak256(b"zkos p256verify test");
    let sig: Signature = key.sign_prehash(hash.as_slice()).unwrap();
    [hash.as_slice(), &sig.to_bytes(), &point.as_bytes()[1..]].concat()
}

#[test]
fn p256verify_accepts_a_valid_signature() {
    let (out, gas) = run_ok(0x100, &p256_input());
    assert_eq!((out, gas), (word(1).to_vec(), 6900));
    assert_cost(0x100, &p256_input(), 6900);
}

#[test]
fn p256verify_rejects_with_empty_output_and_its_gas() {
    let good = p256_input();
    let mut cases = Vec::new();
    let mut other_hash = good.clone();
    other_hash[0] ^= 1;
    cases.push(other_hash);
    let mut r0 = good.clone();
    r0[32..64].fill(0);
    cases.push(r0);
    let mut s_big = good.clone();
    s_big[64..96].fill(0xff);
    cases.push(s_big);
    let mut off_curve = good.clone();
    off_curve[159] ^= 1;
    cases.push(off_curve);
    // Not 160 bytes.
    cases.push(good[..159].to_vec());
    cases.push([good.clone(), alloc::vec![0]].concat());
    cases.push(Vec::new());
    for input in cases {
        let (out, gas) = run_ok(0x100, &input);
        assert!(out.is_empty(), "accepted {input:02x?}");
        assert_eq!(gas, 6900);
    }
}

#[test]
fn p256verify_is_an_osaka_precompile() {
    assert!(call_in(Fork::Prague, 0x100, &p256_input(), 100_000).is_none());
    assert!(call_in(Fork::Bpo1, 0x100, &p256_input(), 100_000).is_some());
    let halt = assert_fails_in(Fork::Osaka, 0x100, &p256_input(), 6899);
    assert!(halt.is_oog(), "{halt}");
}

#[test]
fn p256verify_host() {
    assert_eq!(HostFn::P256Verify.gas(), GasRule::Fixed(revm_precompile::secp256r1::P256VERIFY_BASE_GAS_FEE_OSAKA));
    let r = host(HostFn::P256Verify, &p256_input(), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 6900));
    assert_eq!(r.out(32), word(1));
    let mut bad = p256_input();
    bad[0] ^= 1;
    let r = host(HostFn::P256Verify, &bad, GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 6900));
    assert!(r.untouched(32));
    let r = host(HostFn::P256Verify, &p256_input(), 6899, &[I, O]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), 6899));
}

// ------------------------------------------------------------------ modexp (0x05)

/// secp256k1's field prime p, and p - 1 (EIP-198's examples).
const P: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
const P_MINUS_1: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e";

#[test]
fn modexp_eip7883_gas() {
    // 3^(p-1) mod p: 32-byte operands cost 16 per iteration (Cancun: 16 / 3); 255 iterations.
    let input = modexp_input(&[3], &unhex(P_MINUS_1), &unhex(P));
    assert_eq!(run_ok_in(Fork::Osaka, 0x05, &input).0, word(1));
    assert_cost_in(Fork::Osaka, 0x05, &input, 16 * 255);
    assert_cost_in(Fork::Prague, 0x05, &input, 16 * 255 / 3);
    // The minimum is 500 (Cancun: 200).
    let small = modexp_input(&[2], &[2], &[7]);
    assert_cost_in(Fork::Osaka, 0x05, &small, 500);
    assert_cost(0x05, &small, 200);
    assert_eq!(run_ok_in(Fork::Osaka, 0x05, &[]), (Vec::new(), 500));
    // Over 32 bytes the complexity is 2 · words²: 64 bytes, exponent 0x010001 (16
    // iterations): 2 · 64 · 16 = 2048 (Cancun: 64 · 16 / 3 = 341).
    let (base, mut modulus) = (alloc::vec![0x33u8; 64], alloc::vec![0x5au8; 64]);
    modulus[63] = 0x5b;
    let input = modexp_input(&base, &[1, 0, 1], &modulus);
    assert_cost_in(Fork::Osaka, 0x05, &input, 2048);
    assert_cost(0x05, &input, 341);
    // An exponent over 32 bytes: 16 iterations per extra byte (Cancun: 8).
    let mut e = [0u8; 64];
    e[0] = 0xff;
    let m = [0x77u8; 32];
    assert_cost_in(Fork::Osaka, 0x05, &modexp_input(&[2], &e, &m), 16 * (16 * 32 + 255));
}

#[test]
fn modexp_eip7823_bounds() {
    // Each length may be 1024 bytes; 1025 fails with all gas used, whatever the gas.
    let max = alloc::vec![0x11u8; 1024];
    let (out, _) = run_ok_in(Fork::Osaka, 0x05, &modexp_input(&max, &[1], &max));
    assert_eq!(out.len(), 1024);
    let over = alloc::vec![0x11u8; 1025];
    for input in [modexp_input(&over, &[1], &[7]), modexp_input(&[2], &over, &[7]), modexp_input(&[2], &[1], &over)] {
        let halt = assert_fails_in(Fork::Osaka, 0x05, &input, 30_000_000);
        assert_eq!(halt, PrecompileHalt::ModexpEip7823LimitSize);
        // Before Osaka the same input runs.
        run_ok_in(Fork::Prague, 0x05, &input);
    }
    // A header alone declaring a huge length fails the same way, and an exponent length
    // over the bound does even with empty base and modulus (Cancun: the minimum, 200).
    let mut huge_exp = word(0).to_vec();
    huge_exp.extend_from_slice(&[0xff; 32]);
    huge_exp.extend_from_slice(&word(0));
    assert_eq!(assert_fails_in(Fork::Osaka, 0x05, &huge_exp, 1_000_000), PrecompileHalt::ModexpEip7823LimitSize);
    assert_eq!(run_ok_in(Fork::Cancun, 0x05, &huge_exp), (Vec::new(), 200));
}

#[test]
fn modexp_host_follows_the_fork() {
    let input = modexp_input(&[3], &unhex(P_MINUS_1), &unhex(P));
    let len = input.len() as u64;
    let r = host_in(Fork::Osaka, HostFn::Modexp, &input, GAS, &[I, len, O, 32]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 4080));
    assert_eq!(r.out(32), word(1));
    let r = host_in(Fork::Prague, HostFn::Modexp, &input, GAS, &[I, len, O, 32]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 1360));
    let r = host_in(Fork::Osaka, HostFn::Modexp, &input, 4079, &[I, len, O, 32]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), 4079));
    // EIP-7823: a 1025-byte modulus fails the call, all gas used, naming the bound.
    let over = modexp_input(&[2], &[1], &alloc::vec![0x11u8; 1025]);
    let r = host_in(Fork::Osaka, HostFn::Modexp, &over, GAS, &[I, over.len() as u64, O, 1025]);
    assert_eq!(r.gas_used, GAS);
    match r.result {
        Err(HostExit::Fail(Failure::Fault(Fault::Precompile { address: 0x05, halt }))) => {
            assert_eq!(halt, PrecompileHalt::ModexpEip7823LimitSize)
        }
        other => panic!("expected EIP-7823's failure, got {other:?}"),
    }
}
