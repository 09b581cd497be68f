//! Ed25519 signature verification (RFC 8032) with the `ed25519-compact` crate (no_std, no
//! default features: field arithmetic on 64-bit limbs with 128-bit products, its own
//! SHA-512). The kernel verifies one fixed signature over a [`MESSAGE_BYTES`]-byte generated
//! message `n` times; every second time one bit of the message is flipped first, and that
//! verification must fail.

use ed25519_compact::{PublicKey, Signature};

use crate::{message_byte, mix};

/// Bytes of the signed message: `message_byte(0..MESSAGE_BYTES)`.
pub const MESSAGE_BYTES: usize = 200;

/// The key of seed `message_byte(0x5EED_0000 + i)`, `i < 32` (the tests derive it again).
pub const PUBLIC_KEY: [u8; 32] = [
    225, 206, 33, 141, 118, 242, 26, 30, 36, 39, 97, 111, 173, 144, 125, 253, 5, 187, 247, 39, 4, 82, 218, 102, 154,
    226, 76, 16, 235, 179, 12, 238,
];

/// That key's signature of the message (the tests sign it again).
pub const SIGNATURE: [u8; 64] = [
    39, 44, 29, 212, 229, 224, 174, 109, 159, 242, 232, 98, 79, 117, 8, 250, 104, 146, 84, 202, 60, 70, 237, 177, 68,
    96, 46, 245, 6, 222, 82, 29, 95, 163, 56, 87, 223, 88, 133, 15, 204, 27, 103, 35, 58, 121, 184, 85, 147, 147, 241,
    9, 119, 48, 0, 195, 255, 0, 239, 45, 28, 239, 233, 0,
];

/// The signed message.
pub fn message() -> [u8; MESSAGE_BYTES] {
    core::array::from_fn(|i| message_byte(i as u64))
}

/// Whether `signature` is `key`'s signature of `message`.
pub fn verify(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    PublicKey::new(*key).verify(message, &Signature::new(*signature)).is_ok()
}

/// Verifies `n` times, round `i` with bit `i` (modulo the message's bits) flipped when `i` is
/// odd; the checksum folds each round's verdict.
pub fn kernel(n: u64) -> u64 {
    let mut msg = message();
    let mut acc = 0;
    for i in 0..n {
        // Casts: the bit index is below the message's bit count.
        let (byte, bit) = ((i / 8) as usize % MESSAGE_BYTES, i % 8);
        let tamper = i % 2 == 1;
        if tamper {
            msg[byte] ^= 1 << bit;
        }
        let ok = verify(&PUBLIC_KEY, &msg, &SIGNATURE);
        if tamper {
            msg[byte] ^= 1 << bit;
        }
        acc = mix(acc, u64::from(ok) | i << 1);
    }
    acc
}

#[cfg(test)]
mod tests {
    use ed25519_compact::{KeyPair, Seed};

    use super::*;

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        core::array::from_fn(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
    }

    #[test]
    fn the_constants_are_the_seed_s_key_and_signature() {
        let seed = core::array::from_fn(|i| message_byte(0x5EED_0000 + i as u64));
        let pair = KeyPair::from_seed(Seed::new(seed));
        assert_eq!(*pair.pk, PUBLIC_KEY);
        assert_eq!(*pair.sk.sign(message(), None), SIGNATURE);
    }

    #[test]
    fn genuine_verifies_and_tampered_does_not() {
        let msg = message();
        assert!(verify(&PUBLIC_KEY, &msg, &SIGNATURE));
        for byte in [0, 31, 32, 63] {
            let mut sig = SIGNATURE;
            sig[byte] ^= 0x10;
            assert!(!verify(&PUBLIC_KEY, &msg, &sig), "signature byte {byte} flipped");
        }
        let mut key = PUBLIC_KEY;
        key[5] ^= 1;
        assert!(!verify(&key, &msg, &SIGNATURE));
        let mut tampered = msg;
        tampered[MESSAGE_BYTES - 1] ^= 0x80;
        assert!(!verify(&PUBLIC_KEY, &tampered, &SIGNATURE));
        assert!(!verify(&PUBLIC_KEY, &msg[..MESSAGE_BYTES - 1], &SIGNATURE));
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1: the empty message.
        let key = hex::<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        let sig = hex::<64>(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        );
        assert!(verify(&key, &[], &sig));
        assert!(!verify(&key, &[0], &sig));
    }

    #[test]
    fn the_kernel_accepts_even_rounds_only() {
        let want = (0..6u64).fold(0, |acc, i| mix(acc, u64::from(i % 2 == 0) | i << 1));
        assert_eq!(kernel(6), want);
        // A verifier that accepted everything (or nothing) would give another checksum.
        assert_ne!(kernel(6), (0..6u64).fold(0, |acc, i| mix(acc, 1 | i << 1)));
    }
}
