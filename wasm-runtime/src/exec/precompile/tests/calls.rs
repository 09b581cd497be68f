//! Message calls to ecrecover, the hashes, identity, modexp, blake2f and point evaluation.

use alloc::vec::Vec;

use k256::ecdsa::SigningKey;
use sha2::Digest;

use super::{assert_cost, assert_fails, run_ok, unhex, word};
use crate::primitives::{keccak256, U256};

// ------------------------------------------------------------------ ecrecover (0x01)

/// The signature of ethereum/tests `CallEcrecover0` (hash, v, r, s), signed by the key of
/// 0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b.
fn ecrecover_vector() -> Vec<u8> {
    unhex(
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c
         000000000000000000000000000000000000000000000000000000000000001c
         73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f
         eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
    )
}

#[test]
fn ecrecover_known_signature() {
    let (out, gas) = run_ok(0x01, &ecrecover_vector());
    assert_eq!(out, unhex("000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"));
    assert_eq!(gas, 3000);
    assert_cost(0x01, &ecrecover_vector(), 3000);
}

#[test]
fn ecrecover_of_a_fresh_signature_is_the_signer() {
    let key = SigningKey::from_bytes(&[0x42u8; 32].into()).unwrap();
    let point = key.verifying_key().to_encoded_point(false);
    let signer = &keccak256(&point.as_bytes()[1..])[12..];
    let hash = keccak256(b"zkos precompile test");
    let (sig, recid) = key.sign_prehash_recoverable(hash.as_slice()).unwrap();
    let mut input = hash.to_vec();
    input.extend_from_slice(&word(27 + u64::from(recid.to_byte())));
    input.extend_from_slice(&sig.to_bytes());
    let (out, _) = run_ok(0x01, &input);
    assert_eq!(&out[..12], &[0u8; 12]);
    assert_eq!(&out[12..], signer);
}

#[test]
fn ecrecover_invalid_signatures_succeed_with_empty_output() {
    let good = ecrecover_vector();
    let mut cases = Vec::new();
    // v neither 27 nor 28.
    let mut v29 = good.clone();
    v29[63] = 29;
    cases.push(v29);
    // v = 28 with a byte set high in its word.
    let mut v_prefixed = good.clone();
    v_prefixed[32] = 1;
    cases.push(v_prefixed);
    // r = 0.
    let mut r0 = good.clone();
    r0[64..96].fill(0);
    cases.push(r0);
    // s = 0.
    let mut s0 = good.clone();
    s0[96..128].fill(0);
    cases.push(s0);
    // s >= the group order.
    let mut s_big = good.clone();
    s_big[96..128].fill(0xff);
    cases.push(s_big);
    // Input cut after v: r and s read as zero.
    cases.push(good[..64].to_vec());
    cases.push(Vec::new());
    for input in cases {
        let (out, gas) = run_ok(0x01, &input);
        assert!(out.is_empty(), "invalid signature recovered {out:?}");
        assert_eq!(gas, 3000);
    }
}

#[test]
fn ecrecover_reads_only_128_bytes() {
    let mut input = ecrecover_vector();
    input.extend_from_slice(&[0xff; 40]);
    let (out, _) = run_ok(0x01, &input);
    assert_eq!(&out[12..], &unhex("a94f5374fce5edbc8e2a8697c15331677e6ebf0b")[..]);
}

// ------------------------------------------------------------------ sha256, ripemd160, identity

#[test]
fn sha256_vectors_and_gas() {
    let (out, _) = run_ok(0x02, b"abc");
    assert_eq!(out, unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    let (out, _) = run_ok(0x02, b"");
    assert_eq!(out, unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    assert_cost(0x02, b"", 60);
    assert_cost(0x02, b"abc", 72);
    assert_cost(0x02, &[7u8; 32], 72);
    assert_cost(0x02, &[7u8; 33], 84);
}

/// The kernel's SHA-256 ([`super::super::sha256::digest_with`], its padding over a
/// compression function) equals sha2's on every padding edge: empty, one block's room for
/// the length ends at 55 bytes, a second block from 56, whole blocks, and 1 MiB.
#[test]
fn sha256_over_a_compression_function_equals_sha2() {
    use super::super::sha256::digest_with;
    for len in [0usize, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 1 << 20] {
        let message: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        let mut blocks = 0;
        let digest = digest_with(&message, |state, block| {
            blocks += 1;
            sha2::compress256(state, &[(*block).into()]);
        });
        assert_eq!(digest, <[u8; 32]>::from(sha2::Sha256::digest(&message)), "{len} bytes");
        assert_eq!(blocks, (len + 9).div_ceil(64), "{len} bytes: blocks compressed");
    }
}

#[test]
fn ripemd160_vectors_are_left_padded() {
    let (out, _) = run_ok(0x03, b"");
    assert_eq!(out, unhex("0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"));
    let (out, _) = run_ok(0x03, b"abc");
    assert_eq!(out, unhex("0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc"));
    assert_cost(0x03, b"", 600);
    assert_cost(0x03, b"abc", 720);
    assert_cost(0x03, &[1u8; 65], 960);
}

#[test]
fn identity_copies_input() {
    let input: Vec<u8> = (0..=255u8).collect();
    let (out, _) = run_ok(0x04, &input);
    assert_eq!(out, input);
    assert_cost(0x04, &[], 15);
    assert_cost(0x04, &[1], 18);
    assert_cost(0x04, &input, 15 + 3 * 8);
}

// ------------------------------------------------------------------ modexp (0x05)

/// The modexp input for `base^exp mod modulus` with the given lengths.
pub(super) fn modexp_input(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
    let mut input = Vec::new();
    for len in [base.len(), exp.len(), modulus.len()] {
        input.extend_from_slice(&word(len as u64));
    }
    input.extend_from_slice(base);
    input.extend_from_slice(exp);
    input.extend_from_slice(modulus);
    input
}

/// secp256k1's field prime p, and p - 1 (EIP-198's examples).
const P: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
const P_MINUS_1: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e";

#[test]
fn modexp_eip198_examples() {
    // 3^(p-1) mod p = 1 (Fermat).
    let input = modexp_input(&[3], &unhex(P_MINUS_1), &unhex(P));
    let (out, _) = run_ok(0x05, &input);
    assert_eq!(out, word(1));
    // EIP-2565: words = 4, complexity 16; iterations = 255 (bit length 256 - 1).
    assert_cost(0x05, &input, 16 * 255 / 3);
    // A zero-length base reads as zero: 0^(p-1) mod p = 0.
    let input = modexp_input(&[], &unhex(P_MINUS_1), &unhex(P));
    let (out, _) = run_ok(0x05, &input);
    assert_eq!(out, word(0));
    assert_cost(0x05, &input, 1360);
}

#[test]
fn modexp_matches_u256_pow_mod() {
    let cases: [(&str, &str, &str); 5] = [
        ("02", "03", "0100"),
        ("1234567890abcdef", "fedcba", "0f00000000000000000000000000000000000000000000000000000000000001"),
        ("ff", "00", "07"),
        ("0a", "01", "03"),
        (P_MINUS_1, "10001", P),
    ];
    for (b, e, m) in cases {
        let e = if e.len() % 2 == 1 { alloc::format!("0{e}") } else { e.into() };
        let (bv, ev, mv) = (unhex(b), unhex(&e), unhex(m));
        let (out, _) = run_ok(0x05, &modexp_input(&bv, &ev, &mv));
        assert_eq!(out.len(), mv.len(), "the output is the modulus length");
        let want = U256::from_be_slice(&bv).pow_mod(U256::from_be_slice(&ev), U256::from_be_slice(&mv));
        assert_eq!(U256::from_be_slice(&out), want, "{b}^{e} mod {m}");
    }
}

#[test]
fn modexp_edge_cases() {
    // Zero-length modulus: empty output, minimum gas.
    let input = modexp_input(&[5], &[2], &[]);
    assert_eq!(run_ok(0x05, &input).0, Vec::<u8>::new());
    assert_cost(0x05, &input, 200);
    // Modulus zero: the result is zero, as long as the modulus.
    assert_eq!(run_ok(0x05, &modexp_input(&[5], &[2], &[0, 0])).0, alloc::vec![0, 0]);
    // Exponent zero: 1 (mod m > 1).
    assert_eq!(run_ok(0x05, &modexp_input(&[5], &[], &[9])).0, alloc::vec![1]);
    // Missing input bytes read as zero on the right: the modulus is 0x0700 = 1792.
    let mut input = modexp_input(&[3], &[2], &[7, 0]);
    input.pop();
    assert_eq!(run_ok(0x05, &input).0, alloc::vec![0, 9]);
    // No input at all: all lengths zero.
    assert_eq!(run_ok(0x05, &[]), (Vec::new(), 200));
}

#[test]
fn modexp_huge_lengths() {
    // EIP-198: a huge exponent length with empty base and modulus costs the minimum and
    // returns nothing; nothing is read or allocated.
    let mut input = word(0).to_vec();
    input.extend_from_slice(&[0xff; 32]);
    input.extend_from_slice(&word(0));
    assert_eq!(run_ok(0x05, &input), (Vec::new(), 200));
    // A huge base or modulus length costs more gas than there is: the call fails.
    for big in [[0xff; 32], {
        let mut w = [0u8; 32];
        w[23] = 1; // 2^64
        w
    }] {
        let mut base_huge = big.to_vec();
        base_huge.extend_from_slice(&word(1));
        base_huge.extend_from_slice(&word(1));
        assert_fails(0x05, &base_huge, 30_000_000);
        let mut mod_huge = word(1).to_vec();
        mod_huge.extend_from_slice(&word(1));
        mod_huge.extend_from_slice(&big);
        assert_fails(0x05, &mod_huge, 30_000_000);
    }
    // 2^32-byte modulus: gas (2^29)^2 / 3, far beyond a block.
    let input = modexp_input(&[], &[], &[]);
    let mut input = input[..64].to_vec();
    input.extend_from_slice(&word(1 << 32));
    assert!(assert_fails(0x05, &input, 30_000_000).is_oog());
}

#[test]
fn modexp_eip2565_gas() {
    // Gas depends on the lengths and the exponent's first 32 bytes (EIP-2565's
    // nagydani cases have these shapes): max(200, ceil(len/8)^2 * iterations / 3).
    let cases: [(usize, &[u8], u64); 8] = [
        (64, &[2], 200),           // nagydani_1_square: 64 * 1 / 3 = 21 -> 200
        (64, &[1, 0, 1], 341),     // nagydani_1_pow0x10001: 64 * 16 / 3
        (128, &[3], 200),          // nagydani_2_qube: 256 * 1 / 3 = 85 -> 200
        (128, &[1, 0, 1], 1365),   // nagydani_2_pow0x10001
        (256, &[2], 341),          // nagydani_3_square
        (256, &[1, 0, 1], 5461),   // nagydani_3_pow0x10001
        (512, &[1, 0, 1], 21845),  // nagydani_4_pow0x10001
        (1024, &[1, 0, 1], 87381), // nagydani_5_pow0x10001
    ];
    for (len, exp, gas) in cases {
        let mut modulus = alloc::vec![0x5a; len];
        modulus[len - 1] = 0x5b;
        let base = alloc::vec![0x33; len];
        assert_cost(0x05, &modexp_input(&base, exp, &modulus), gas);
    }
    // Exponents longer than 32 bytes: 8 per extra byte plus the head's bit length - 1.
    let m = [0x77u8; 32];
    assert_cost(0x05, &modexp_input(&[2], &[0u8; 64], &m), 16 * 256 / 3);
    let mut e = [0u8; 64];
    e[0] = 0xff;
    assert_cost(0x05, &modexp_input(&[2], &e, &m), 16 * (256 + 255) / 3);
    // (m-1)^2 mod m = 1 for a 64-byte modulus.
    let mut m64 = alloc::vec![0xa5u8; 64];
    m64[63] = 0xa7;
    let mut m_minus_1 = m64.clone();
    m_minus_1[63] = 0xa6;
    let mut one = alloc::vec![0u8; 64];
    one[63] = 1;
    assert_eq!(run_ok(0x05, &modexp_input(&m_minus_1, &[2], &m64)).0, one);
}

// ------------------------------------------------------------------ blake2f (0x09)

/// The EIP-152 input for BLAKE2b-512("abc"): `rounds`, the initial state, "abc", t = 3.
pub(super) fn blake2f_input(rounds: u32, final_block: u8) -> Vec<u8> {
    const IV: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let mut input = rounds.to_be_bytes().to_vec();
    for (i, iv) in IV.iter().enumerate() {
        // h[0] holds the parameter block: digest length 64, no key, fanout and depth 1.
        let h = if i == 0 { iv ^ 0x0101_0040 } else { *iv };
        input.extend_from_slice(&h.to_le_bytes());
    }
    let mut m = [0u8; 128];
    m[..3].copy_from_slice(b"abc");
    input.extend_from_slice(&m);
    input.extend_from_slice(&3u64.to_le_bytes());
    input.extend_from_slice(&0u64.to_le_bytes());
    input.push(final_block);
    input
}

pub(super) const BLAKE2B_ABC: &str = "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
                                       7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";

#[test]
fn blake2f_eip152_vectors() {
    // Vector 4: 12 rounds, final block = BLAKE2b-512("abc") (RFC 7693).
    assert_eq!(run_ok(0x09, &blake2f_input(12, 1)).0, unhex(BLAKE2B_ABC));
    assert_cost(0x09, &blake2f_input(12, 1), 12);
    // Vector 5: not the final block.
    let want = unhex(
        "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752
         98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735",
    );
    assert_eq!(run_ok(0x09, &blake2f_input(12, 0)).0, want);
    // Vector 6: one round.
    let want = unhex(
        "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb
         a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421",
    );
    assert_eq!(run_ok(0x09, &blake2f_input(1, 1)).0, want);
    assert_cost(0x09, &blake2f_input(1, 1), 1);
    // Vector 8: zero rounds cost nothing.
    let want = unhex(
        "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5
         d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b",
    );
    assert_eq!(run_ok(0x09, &blake2f_input(0, 1)), (want, 0));
}

#[test]
fn blake2f_invalid_inputs_fail() {
    let good = blake2f_input(12, 1);
    // Vectors 0-2: empty, one byte short, one byte long.
    assert_fails(0x09, &[], 1_000_000);
    assert_fails(0x09, &good[..212], 1_000_000);
    let mut long = good.clone();
    long.push(0);
    assert_fails(0x09, &long, 1_000_000);
    // Vector 3: final flag 2.
    let halt = assert_fails(0x09, &blake2f_input(12, 2), 1_000_000);
    assert!(!halt.is_oog(), "{halt}");
    // 2^32 - 1 rounds cost more gas than given.
    assert!(assert_fails(0x09, &blake2f_input(u32::MAX, 1), 30_000_000).is_oog());
}

// ------------------------------------------------------------------ point evaluation (0x0a)

/// c-kzg-4844 `verify_kzg_proof_case_correct_proof_4_4`: z, y, commitment, proof.
const KZG_Z: &str = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000";
const KZG_Y: &str = "1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9";
const KZG_COMMITMENT: &str =
    "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7";
const KZG_PROOF: &str =
    "a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c";

/// The point evaluation input: versioned hash (0x01 ++ sha256(commitment)[1..]), z, y,
/// commitment, proof.
fn kzg_input(z: &str, y: &str, commitment: &str, proof: &str) -> Vec<u8> {
    let commitment = unhex(commitment);
    let mut versioned: [u8; 32] = sha2::Sha256::digest(&commitment).into();
    versioned[0] = 0x01;
    let mut input = versioned.to_vec();
    input.extend_from_slice(&unhex(z));
    input.extend_from_slice(&unhex(y));
    input.extend_from_slice(&commitment);
    input.extend_from_slice(&unhex(proof));
    input
}

#[test]
fn point_evaluation_valid_proof() {
    let input = kzg_input(KZG_Z, KZG_Y, KZG_COMMITMENT, KZG_PROOF);
    let (out, _) = run_ok(0x0a, &input);
    // FIELD_ELEMENTS_PER_BLOB and the BLS12-381 scalar field modulus.
    let want = unhex(
        "0000000000000000000000000000000000000000000000000000000000001000
         73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001",
    );
    assert_eq!(out, want);
    assert_cost(0x0a, &input, 50_000);
}

#[test]
fn point_evaluation_rejects_bad_inputs() {
    let good = kzg_input(KZG_Z, KZG_Y, KZG_COMMITMENT, KZG_PROOF);
    // Wrong y: the proof does not verify.
    let mut y = unhex(KZG_Y);
    y[31] ^= 1;
    let wrong_y = kzg_input(KZG_Z, &alloy_primitives::hex::encode(y), KZG_COMMITMENT, KZG_PROOF);
    assert_fails(0x0a, &wrong_y, 100_000);
    // Versioned hash of another commitment, or with another version byte.
    let mut bad_hash = good.clone();
    bad_hash[5] ^= 1;
    assert_fails(0x0a, &bad_hash, 100_000);
    let mut bad_version = good.clone();
    bad_version[0] = 0x02;
    assert_fails(0x0a, &bad_version, 100_000);
    // z not a canonical field element (the modulus itself).
    let z_modulus =
        kzg_input("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", KZG_Y, KZG_COMMITMENT, KZG_PROOF);
    assert_fails(0x0a, &z_modulus, 100_000);
    // Wrong lengths.
    assert_fails(0x0a, &good[..191], 100_000);
    let mut long = good.clone();
    long.push(0);
    assert_fails(0x0a, &long, 100_000);
    assert_fails(0x0a, &[], 100_000);
}
