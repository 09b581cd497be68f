//! Keccak-256 (the Ethereum hash): the keccak-f\[1600\] permutation and its sponge, in plain
//! Rust on 64-bit lanes.

use crate::{message_byte, mix};

const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808a,
    0x8000000080008000,
    0x000000000000808b,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008a,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000a,
    0x000000008000808b,
    0x800000000000008b,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800a,
    0x800000008000000a,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];

/// Rotation of lane `x + 5y`, in the order the combined rho-pi step visits lanes.
const RHO: [u32; 24] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44];
const PI: [usize; 24] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1];

/// Bytes absorbed per permutation by Keccak-256.
pub const RATE: usize = 136;

/// The keccak-f\[1600\] permutation (24 rounds); lane `x + 5y` is `a[x + 5 * y]`.
pub fn keccak_f(a: &mut [u64; 25]) {
    for rc in RC {
        // theta
        let mut c = [0u64; 5];
        for x in 0..5 {
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[x + 5 * y] ^= d;
            }
        }
        // rho and pi
        let mut last = a[1];
        for (&to, &rot) in PI.iter().zip(&RHO) {
            let next = a[to];
            a[to] = last.rotate_left(rot);
            last = next;
        }
        // chi
        for y in 0..5 {
            let row = [a[5 * y], a[5 * y + 1], a[5 * y + 2], a[5 * y + 3], a[5 * y + 4]];
            for x in 0..5 {
                a[x + 5 * y] = row[x] ^ (!row[(x + 1) % 5] & row[(x + 2) % 5]);
            }
        }
        // iota
        a[0] ^= rc;
    }
}

/// Keccak-256 of the `len`-byte message whose byte `i` is `byte(i)`.
pub fn digest(len: u64, byte: impl Fn(u64) -> u8) -> [u8; 32] {
    let mut a = [0u64; 25];
    let mut block = [0u8; RATE];
    let full = len / RATE as u64;
    for b in 0..full {
        for (j, x) in block.iter_mut().enumerate() {
            *x = byte(b * RATE as u64 + j as u64);
        }
        absorb(&mut a, &block);
    }
    let tail = (len % RATE as u64) as usize;
    block = [0; RATE];
    for (j, x) in block.iter_mut().enumerate().take(tail) {
        *x = byte(full * RATE as u64 + j as u64);
    }
    // Keccak's pad10*1 with the 0x01 domain byte (not SHA-3's 0x06).
    block[tail] ^= 0x01;
    block[RATE - 1] ^= 0x80;
    absorb(&mut a, &block);
    let mut out = [0u8; 32];
    for (o, lane) in out.chunks_exact_mut(8).zip(a) {
        o.copy_from_slice(&lane.to_le_bytes());
    }
    out
}

fn absorb(a: &mut [u64; 25], block: &[u8; RATE]) {
    for (lane, chunk) in a.iter_mut().zip(block.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *lane ^= u64::from_le_bytes(b);
    }
    keccak_f(a);
}

/// The kernel: Keccak-256 of `n` bytes of [`message_byte`], folded.
pub fn kernel(n: u64) -> u64 {
    digest(n, message_byte).chunks_exact(8).fold(0, |acc, w| {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        mix(acc, u64::from_be_bytes(b))
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use sha3::{Digest, Keccak256};
    use std::vec::Vec;

    #[test]
    fn permutation_of_zero() {
        let mut a = [0u64; 25];
        super::keccak_f(&mut a);
        assert_eq!(a[0], 0xF1258F7940E1DDE7);
        assert_eq!(a[24], 0xEAF1FF7B5CECA249);
    }

    #[test]
    fn matches_sha3_crate() {
        for len in [0u64, 1, 135, 136, 137, 271, 272, 1000, 4097] {
            let msg: Vec<u8> = (0..len).map(crate::message_byte).collect();
            let want: [u8; 32] = Keccak256::digest(&msg).into();
            assert_eq!(super::digest(len, crate::message_byte), want, "len {len}");
        }
    }
}
