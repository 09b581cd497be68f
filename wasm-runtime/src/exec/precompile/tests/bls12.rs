//! The BLS12-381 precompiles of EIP-2537 (0x0b–0x11, Prague): the generators' arithmetic,
//! the pairing's bilinearity, EIP-2537's gas with the MSM discount, rejected inputs, and the
//! host functions 1010–1016.

use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::gas::{self, GasRule};
use host_abi::status::PrecompileStatus;
use revm_precompile::bls12_381_const as eip2537;

use super::host::{host, GAS, I, O};
use super::{assert_cost, assert_fails, call_in, run_ok, unhex, word};
use crate::fork::Fork;

/// A 48-byte field element padded to EIP-2537's 64 bytes.
fn fp(hex: &str) -> Vec<u8> {
    let mut v = alloc::vec![0u8; 16];
    v.extend_from_slice(&unhex(hex));
    assert_eq!(v.len(), 64);
    v
}

/// G1's generator (EIP-2537's encoding: x, y).
fn g1() -> Vec<u8> {
    [
        fp("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
        fp("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1"),
    ]
    .concat()
}

/// G2's generator (x.c0, x.c1, y.c0, y.c1).
fn g2() -> Vec<u8> {
    [
        fp("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
        fp("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"),
        fp("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
        fp("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be"),
    ]
    .concat()
}

/// The BLS12-381 base field's modulus p, 48 bytes.
const P: &str = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";

/// -G1: y replaced by p - y.
fn neg_g1() -> Vec<u8> {
    let y = alloy_primitives::U512::from_be_slice(&g1()[64..]);
    let p = alloy_primitives::U512::from_be_slice(&unhex(P));
    let mut out = g1()[..64].to_vec();
    out.extend_from_slice(&(p - y).to_be_bytes::<64>());
    out
}

/// k·P for a point of G1 (`n` 0x0c) or G2 (`n` 0x0e), through the MSM of one pair.
fn times(n: u16, point: &[u8], k: u64) -> Vec<u8> {
    run_ok(n, &[point, &word(k)].concat()).0
}

#[test]
fn g1_add_and_msm_agree() {
    let (two_by_add, gas) = run_ok(0x0b, &[g1(), g1()].concat());
    assert_eq!(gas, 375);
    assert_eq!(two_by_add.len(), 128);
    assert_eq!(times(0x0c, &g1(), 2), two_by_add);
    // G + (-G) is the point at infinity, all zero; so is 0·G.
    assert_eq!(run_ok(0x0b, &[g1(), neg_g1()].concat()).0, alloc::vec![0u8; 128]);
    assert_eq!(times(0x0c, &g1(), 0), alloc::vec![0u8; 128]);
    // 2G + G = 3G; an MSM of several pairs sums: 1·G + 2·G = 3G.
    let three = times(0x0c, &g1(), 3);
    assert_eq!(run_ok(0x0b, &[two_by_add.clone(), g1()].concat()).0, three);
    let pairs = [g1(), word(1).to_vec(), g1(), word(2).to_vec()].concat();
    assert_eq!(run_ok(0x0c, &pairs).0, three);
    assert_cost(0x0b, &[g1(), g1()].concat(), 375);
}

#[test]
fn g2_add_and_msm_agree() {
    let (two, gas) = run_ok(0x0d, &[g2(), g2()].concat());
    assert_eq!((two.len(), gas), (256, 600));
    assert_eq!(times(0x0e, &g2(), 2), two);
    assert_eq!(times(0x0e, &g2(), 0), alloc::vec![0u8; 256]);
    assert_cost(0x0d, &[g2(), g2()].concat(), 600);
}

#[test]
fn msm_gas_follows_the_discount_table() {
    // EIP-2537: k · base · discount(k) / 1000; discount(1) = 1000, discount(2) = 949 (G1)
    // and 1000, 1000 (G2), the last entry from 128 pairs on.
    let g1_pair = [g1(), word(5).to_vec()].concat();
    let g2_pair = [g2(), word(5).to_vec()].concat();
    assert_cost(0x0c, &g1_pair, 12_000);
    assert_cost(0x0c, &g1_pair.repeat(2), 2 * 12_000 * 949 / 1000);
    assert_cost(0x0e, &g2_pair, 22_500);
    assert_cost(0x0e, &g2_pair.repeat(2), 2 * 22_500 * 1000 / 1000);
    for k in [1usize, 2, 3, 16, 64, 128, 129] {
        let g1 = eip2537::DISCOUNT_TABLE_G1_MSM[(k - 1).min(127)];
        let g2 = eip2537::DISCOUNT_TABLE_G2_MSM[(k - 1).min(127)];
        let (_, used) = run_ok(0x0c, &g1_pair.repeat(k));
        assert_eq!(used, k as u64 * 12_000 * u64::from(g1) / 1000, "G1 MSM of {k}");
        if k <= 16 {
            let (_, used) = run_ok(0x0e, &g2_pair.repeat(k));
            assert_eq!(used, k as u64 * 22_500 * u64::from(g2) / 1000, "G2 MSM of {k}");
        }
    }
    assert_eq!(eip2537::DISCOUNT_TABLE_G1_MSM[127], 519);
    assert_eq!(eip2537::DISCOUNT_TABLE_G2_MSM[127], 524);
}

#[test]
fn pairing_is_bilinear() {
    // e(G1, G2) · e(-G1, G2) = 1; e(2·G1, G2) · e(-G1, 2·G2) = 1; e(G1, G2) ≠ 1.
    let one = word(1).to_vec();
    let (out, gas) = run_ok(0x0f, &[g1(), g2(), neg_g1(), g2()].concat());
    assert_eq!((out, gas), (one.clone(), 37_700 + 2 * 32_600));
    let two_g1 = times(0x0c, &g1(), 2);
    let two_g2 = times(0x0e, &g2(), 2);
    assert_eq!(run_ok(0x0f, &[two_g1, g2(), neg_g1(), two_g2].concat()).0, one);
    let (out, gas) = run_ok(0x0f, &[g1(), g2()].concat());
    assert_eq!((out, gas), (word(0).to_vec(), 37_700 + 32_600));
    assert_cost(0x0f, &[g1(), g2()].concat(), 70_300);
}

#[test]
fn maps_to_curves() {
    // Mapping the field element 1: a point of G1 (128 bytes) that G1 add accepts.
    let one = fp(&alloc::format!("{}01", "00".repeat(47)));
    let (p1, gas) = run_ok(0x10, &one);
    assert_eq!((p1.len(), gas), (128, 5500));
    assert_ne!(p1, alloc::vec![0u8; 128]);
    run_ok(0x0b, &[p1.clone(), g1()].concat());
    let fp2 = [one.clone(), fp(&alloc::format!("{}02", "00".repeat(47)))].concat();
    let (q1, gas) = run_ok(0x11, &fp2);
    assert_eq!((q1.len(), gas), (256, 23_800));
    run_ok(0x0d, &[q1, g2()].concat());
    assert_cost(0x10, &one, 5500);
    assert_cost(0x11, &fp2, 23_800);
}

#[test]
fn rejected_inputs_fail_with_all_gas() {
    use revm_precompile::PrecompileHalt as H;
    // Wrong lengths.
    assert_eq!(assert_fails(0x0b, &g1(), 100_000), H::Bls12381G1AddInputLength);
    assert_eq!(assert_fails(0x0c, &[], 100_000), H::Bls12381G1MsmInputLength);
    assert_eq!(assert_fails(0x0e, &g2(), 100_000), H::Bls12381G2MsmInputLength);
    assert_eq!(assert_fails(0x0f, &[], 100_000), H::Bls12381PairingInputLength);
    assert_eq!(assert_fails(0x10, &[0; 63], 100_000), H::Bls12381MapFpToG1InputLength);
    // A point off the curve: the generator with y + 1.
    let mut off = g1();
    off[127] ^= 1;
    assert!(!assert_fails(0x0b, &[off.clone(), g1()].concat(), 100_000).is_oog());
    // A non-zero top padding byte, and a field element equal to p.
    let mut padded = g1();
    padded[0] = 1;
    assert!(!assert_fails(0x0b, &[padded, g1()].concat(), 100_000).is_oog());
    assert!(!assert_fails(0x10, &fp(P), 100_000).is_oog());
    // Not enough gas: out of gas.
    assert!(assert_fails(0x0f, &[g1(), g2()].concat(), 70_299).is_oog());
}

#[test]
fn bls_addresses_are_empty_accounts_before_prague() {
    assert!(call_in(Fork::Cancun, 0x0b, &[g1(), g1()].concat(), 100_000).is_none());
    for n in 0x0b..=0x11 {
        assert!(call_in(Fork::Prague, n, &[], 100_000).is_some(), "{n:#x}");
        assert!(call_in(Fork::Osaka, n, &[], 100_000).is_some(), "{n:#x}");
    }
}

#[test]
fn host_abi_prices_match_eip2537() {
    assert_eq!(HostFn::Bls12G1Add.gas(), GasRule::Fixed(eip2537::G1_ADD_BASE_GAS_FEE));
    assert_eq!(HostFn::Bls12G2Add.gas(), GasRule::Fixed(eip2537::G2_ADD_BASE_GAS_FEE));
    assert_eq!(HostFn::Bls12MapFpToG1.gas(), GasRule::Fixed(eip2537::MAP_FP_TO_G1_BASE_GAS_FEE));
    assert_eq!(HostFn::Bls12MapFp2ToG2.gas(), GasRule::Fixed(eip2537::MAP_FP2_TO_G2_BASE_GAS_FEE));
    assert_eq!(gas::BLS12_G1_MSM_PAIR, eip2537::G1_MSM_BASE_GAS_FEE);
    assert_eq!(gas::BLS12_G2_MSM_PAIR, eip2537::G2_MSM_BASE_GAS_FEE);
    assert_eq!(gas::BLS12_PAIRING_BASE, eip2537::PAIRING_OFFSET_BASE);
    assert_eq!(gas::BLS12_PAIRING_PAIR, eip2537::PAIRING_MULTIPLIER_BASE);
    assert_eq!(gas::BLS12_PAIR_BYTES as usize, eip2537::PAIRING_INPUT_LENGTH);
    assert_eq!(gas::BLS12_G1_MSM_PAIR_BYTES as usize, eip2537::G1_MSM_INPUT_LENGTH);
    assert_eq!(gas::BLS12_G2_MSM_PAIR_BYTES as usize, eip2537::G2_MSM_INPUT_LENGTH);
}

#[test]
fn bls_host_functions() {
    let r = host(HostFn::Bls12G1Add, &[g1(), g1()].concat(), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 375));
    assert_eq!(r.out(128), times(0x0c, &g1(), 2));
    let mut off = g1();
    off[127] ^= 1;
    let r = host(HostFn::Bls12G1Add, &[off, g1()].concat(), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 375));
    assert!(r.untouched(128));

    let pairs = [g1(), word(1).to_vec(), g1(), word(2).to_vec()].concat();
    let r = host(HostFn::Bls12G1Msm, &pairs, GAS, &[I, 320, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 2 * 12_000 * 949 / 1000));
    assert_eq!(r.out(128), times(0x0c, &g1(), 3));
    // A partial pair: the whole pairs are charged, the input is invalid.
    let r = host(HostFn::Bls12G1Msm, &pairs, GAS, &[I, 319, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 12_000));
    // Less than a pair (none, or 32 bytes): one pair charged, the input invalid.
    for len in [0, 32, 159] {
        let r = host(HostFn::Bls12G1Msm, &pairs, GAS, &[I, len, O]);
        assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 12_000), "{len} bytes");
        assert!(r.untouched(128));
        let r = host(HostFn::Bls12G2Msm, &pairs, GAS, &[I, len, O]);
        assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 22_500), "{len} bytes");
    }
    let r = host(HostFn::Bls12G1Msm, &pairs, 22_775, &[I, 320, O]);
    assert_eq!((r.result, r.gas_used), (Err(crate::host::HostExit::OutOfGas), 22_775));

    let r = host(HostFn::Bls12G2Add, &[g2(), g2()].concat(), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 600));
    assert_eq!(r.out(256), times(0x0e, &g2(), 2));
    let r = host(HostFn::Bls12G2Msm, &[g2(), word(2).to_vec()].concat(), GAS, &[I, 288, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 22_500));
    assert_eq!(r.out(256), times(0x0e, &g2(), 2));

    let r = host(HostFn::Bls12Pairing, &[g1(), g2(), neg_g1(), g2()].concat(), GAS, &[I, 768, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 37_700 + 2 * 32_600));
    assert_eq!(r.out(32), word(1));
    let r = host(HostFn::Bls12Pairing, &[g1(), g2()].concat(), GAS, &[I, 383, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 37_700));

    let one = fp(&alloc::format!("{}01", "00".repeat(47)));
    let r = host(HostFn::Bls12MapFpToG1, &one, GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 5500));
    assert_eq!(r.out(128), run_ok(0x10, &one).0);
    let two = [one.clone(), one].concat();
    let r = host(HostFn::Bls12MapFp2ToG2, &two, GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 23_800));
    assert_eq!(r.out(256), run_ok(0x11, &two).0);
}
