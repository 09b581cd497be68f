//! keccak-256 as a `const fn`, for selectors and event topics computed at compile time
//! ([`crate::selector!`], [`crate::keccak256!`]).
//!
//! At run time prefer [`crate::crypto::keccak256`], which calls the host's precompile: far cheaper in
//! gas than running this permutation in WASM.

/// Round constants of keccak-f\[1600\].
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

/// Rotation offsets, indexed by lane `x + 5 * y`.
const ROTATIONS: [u32; 25] = [
    0, 1, 62, 28, 27, //
    36, 44, 6, 55, 20, //
    3, 10, 43, 25, 39, //
    41, 45, 15, 21, 8, //
    18, 2, 61, 56, 14,
];

/// The keccak-256 rate in bytes (1600 - 2 * 256 bits).
const RATE: usize = 136;

/// The keccak-f\[1600\] permutation on 25 lanes indexed `x + 5 * y`.
pub const fn keccak_f(mut a: [u64; 25]) -> [u64; 25] {
    let mut round = 0;
    while round < 24 {
        // θ
        let mut c = [0u64; 5];
        let mut x = 0;
        while x < 5 {
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            x += 1;
        }
        x = 0;
        while x < 5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            let mut y = 0;
            while y < 5 {
                a[x + 5 * y] ^= d;
                y += 1;
            }
            x += 1;
        }
        // ρ and π: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
        let mut b = [0u64; 25];
        x = 0;
        while x < 5 {
            let mut y = 0;
            while y < 5 {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(ROTATIONS[x + 5 * y]);
                y += 1;
            }
            x += 1;
        }
        // χ
        x = 0;
        while x < 5 {
            let mut y = 0;
            while y < 5 {
                a[x + 5 * y] = b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
                y += 1;
            }
            x += 1;
        }
        // ι
        a[0] ^= RC[round];
        round += 1;
    }
    a
}

/// XORs one rate-sized block (already padded) into the state, little-endian lanes.
const fn absorb(mut state: [u64; 25], block: &[u8; RATE]) -> [u64; 25] {
    let mut lane = 0;
    while lane < RATE / 8 {
        let mut v = 0u64;
        let mut k = 0;
        while k < 8 {
            v |= (block[lane * 8 + k] as u64) << (8 * k);
            k += 1;
        }
        state[lane] ^= v;
        lane += 1;
    }
    keccak_f(state)
}

/// keccak-256 (Ethereum's, with the original `0x01` padding), usable in constants.
pub const fn keccak256_const(data: &[u8]) -> [u8; 32] {
    let mut state = [0u64; 25];
    let mut block = [0u8; RATE];
    let mut filled = 0;
    let mut i = 0;
    while i < data.len() {
        block[filled] = data[i];
        filled += 1;
        i += 1;
        if filled == RATE {
            state = absorb(state, &block);
            block = [0u8; RATE];
            filled = 0;
        }
    }
    block[filled] ^= 0x01;
    block[RATE - 1] ^= 0x80;
    state = absorb(state, &block);
    let mut out = [0u8; 32];
    let mut lane = 0;
    while lane < 4 {
        let bytes = state[lane].to_le_bytes();
        let mut k = 0;
        while k < 8 {
            out[lane * 8 + k] = bytes[k];
            k += 1;
        }
        lane += 1;
    }
    out
}

/// The 4-byte Solidity function selector of a signature such as `"transfer(address,uint256)"`.
pub const fn selector_const(signature: &str) -> [u8; 4] {
    let h = keccak256_const(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// keccak-256 of a string literal, computed at compile time: an event topic or a storage
/// slot name.
///
/// ```
/// const TRANSFER: [u8; 32] = zkos_sdk::keccak256!("Transfer(address,address,uint256)");
/// assert_eq!(TRANSFER[..4], [0xdd, 0xf2, 0x52, 0xad]);
/// ```
#[macro_export]
macro_rules! keccak256 {
    ($s:expr) => {
        const { $crate::keccak::keccak256_const($s.as_bytes()) }
    };
}

/// The 4-byte selector of a Solidity function signature, computed at compile time.
///
/// ```
/// const TRANSFER: [u8; 4] = zkos_sdk::selector!("transfer(address,uint256)");
/// assert_eq!(TRANSFER, [0xa9, 0x05, 0x9c, 0xbb]);
/// ```
#[macro_export]
macro_rules! selector {
    ($s:expr) => {
        const { $crate::keccak::selector_const($s) }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn hex(h: &[u8]) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn known_vectors() {
        assert_eq!(hex(&keccak256_const(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assert_eq!(hex(&keccak256_const(b"abc")), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
        assert_eq!(
            hex(&keccak256_const(b"Transfer(address,address,uint256)")),
            "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
        );
        assert_eq!(
            hex(&keccak256_const(b"Approval(address,address,uint256)")),
            "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
        );
    }

    /// Differential against the `sha3` crate on every length from 0 to 300 bytes: covers
    /// padding in the last byte of a block (135), exact blocks (136, 272) and multi-block input.
    #[test]
    fn matches_sha3_crate() {
        use sha3::Digest;
        for len in 0..=300usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let want: [u8; 32] = sha3::Keccak256::digest(&data).into();
            assert_eq!(keccak256_const(&data), want, "keccak256 of {len} bytes");
        }
    }

    #[test]
    fn selectors() {
        assert_eq!(selector_const("transfer(address,uint256)"), [0xa9, 0x05, 0x9c, 0xbb]);
        assert_eq!(selector_const("balanceOf(address)"), [0x70, 0xa0, 0x82, 0x31]);
        assert_eq!(selector_const("Error(string)"), [0x08, 0xc3, 0x79, 0xa0]);
        const S: [u8; 4] = crate::selector!("approve(address,uint256)");
        assert_eq!(S, [0x09, 0x5e, 0xa7, 0xb3]);
    }
}
