//! SHA-256 (FIPS 180-4) over a compression function given by the caller: the kernel's
//! precompile 0x02 and `sha256` host function hash this way over its SHA-256 accelerator
//! (kernel/src/accel.rs, one machine call per 64-byte block); the host hashes with sha2.

/// The initial state (FIPS 180-4, 5.3.3).
pub const IV: [u32; 8] =
    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// The SHA-256 digest of `input`, each 64-byte block of the padded message absorbed into
/// the state by `compress` (SHA-256's compression function).
pub fn digest_with(input: &[u8], mut compress: impl FnMut(&mut [u32; 8], &[u8; 64])) -> [u8; 32] {
    let mut state = IV;
    let (blocks, rest) = input.as_chunks::<64>();
    for block in blocks {
        compress(&mut state, block);
    }
    // The padding (5.1.1): 0x80, zeros to 56 bytes mod 64, the length in bits (64-bit
    // big-endian): one more block, or two if fewer than 9 bytes are left after the rest.
    let mut last = [0u8; 128];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] = 0x80;
    let end = if rest.len() < 56 { 64 } else { 128 };
    last[end - 8..end].copy_from_slice(&(input.len() as u64).wrapping_mul(8).to_be_bytes());
    for block in last[..end].as_chunks::<64>().0 {
        compress(&mut state, block);
    }
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(&state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}
