//! How the host talks to the RV64IM benchmark programs (shared by the programs in `bench/`
//! and `zkos bench`).
//!
//! Input and output are 32-bit words on the machine's quasi-UART; a 64-bit value is two
//! words, low first; a byte string is its length in bytes, then its bytes in little-endian
//! words, the last one zero-padded. A program stops with `ebreak`, its status in `a0`
//! (`STATUS_*`). Between phases it executes `ecall` with `a7 =` [`MARK`]: the host notes the
//! instruction count and resumes, so each phase is counted on its own.
//!
//! | program | input | markers | output |
//! |---|---|---|---|
//! | native | kernel id, n | before and after the kernel | checksum |
//! | wasmi driver | module, export name, n, gas | before and after parsing and translating the module, before and after the call | checksum, [`GAS_PRESENT`] or [`GAS_ABSENT`], gas left |
//! | compiler driver | module | before and after `rv_backend::compile` | code bytes, read-only data bytes, [`digest`] of both |

/// `a7` of the marker `ecall` (not a host-ABI number).
pub const MARK: u64 = 0xB3C4;

/// Finished normally.
pub const STATUS_OK: u64 = 0;
/// The input words did not make sense (unknown kernel, truncated input).
pub const STATUS_BAD_INPUT: u64 = 1;
/// wasmi rejected the module.
pub const STATUS_MODULE: u64 = 2;
/// wasmi could not instantiate the module.
pub const STATUS_INSTANTIATE: u64 = 3;
/// The export is missing or has another signature than `(i64) -> i64`.
pub const STATUS_EXPORT: u64 = 4;
/// The call trapped (out of gas included).
pub const STATUS_TRAP: u64 = 5;
/// The program panicked (a bug, or the heap ran out).
pub const STATUS_PANIC: u64 = 0xFF;

/// The module has the gas global: the word after it is the gas left.
pub const GAS_PRESENT: u32 = 1;
/// The module has no gas global: the gas words are zero.
pub const GAS_ABSENT: u32 = 0;

/// The words for a byte string: length, then the bytes in little-endian words.
pub fn bytes_to_words(bytes: &[u8], out: &mut impl Extend<u32>) {
    out.extend([bytes.len() as u32]);
    out.extend(bytes.chunks(4).map(|c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(w)
    }));
}

/// The two words of a 64-bit value, low first.
pub fn u64_to_words(x: u64) -> [u32; 2] {
    [x as u32, (x >> 32) as u32]
}

/// A checksum of the compiler's output (code, then read-only data), with their lengths.
pub fn digest(code: &[u8], rodata: &[u8]) -> u64 {
    let fold = |acc: u64, bytes: &[u8]| {
        bytes.chunks(8).fold(crate::mix(acc, bytes.len() as u64), |acc, c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            crate::mix(acc, u64::from_le_bytes(w))
        })
    };
    fold(fold(0, code), rodata)
}

/// The 64-bit value of two words, low first.
pub fn words_to_u64(lo: u32, hi: u32) -> u64 {
    u64::from(lo) | (u64::from(hi) << 32)
}
