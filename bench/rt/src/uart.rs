//! Words in and out through the quasi-UART (`lw`/`sw` at address -8, `lwu` at -4).

use core::arch::asm;

/// The next input word (0 once the input is exhausted).
#[inline(always)]
pub fn read_word() -> u32 {
    let w: u64;
    // SAFETY: a load from the UART data register, which the machine serves from its input
    // queue; it touches no program memory.
    unsafe {
        asm!("lwu {0}, -8(zero)", out(reg) w, options(nostack, preserves_flags));
    }
    w as u32
}

/// Input words not yet read.
pub fn words_left() -> u32 {
    let w: u64;
    // SAFETY: a load from the UART status register; it touches no program memory.
    unsafe {
        asm!("lwu {0}, -4(zero)", out(reg) w, options(nostack, preserves_flags));
    }
    w as u32
}

/// Appends a word to the output.
#[inline(always)]
pub fn write_word(w: u32) {
    // SAFETY: a store to the UART data register, which the machine appends to its output
    // queue; it touches no program memory.
    unsafe {
        asm!("sw {0}, -8(zero)", in(reg) w, options(nostack, preserves_flags));
    }
}

/// The next two input words as a 64-bit value, low first.
pub fn read_u64() -> u64 {
    let lo = read_word();
    let hi = read_word();
    bench_kernels::protocol::words_to_u64(lo, hi)
}

/// Writes a 64-bit value as two words, low first.
pub fn write_u64(x: u64) {
    let [lo, hi] = bench_kernels::protocol::u64_to_words(x);
    write_word(lo);
    write_word(hi);
}

/// Reads a byte string (its length, then its words) into `buf` via `push`; `None` if the
/// input has fewer words than the length says.
pub fn read_bytes(mut push: impl FnMut(&[u8])) -> Option<usize> {
    let len = read_word() as usize;
    if words_left() < len.div_ceil(4) as u32 {
        return None;
    }
    let mut left = len;
    while left > 0 {
        let w = read_word().to_le_bytes();
        let take = left.min(4);
        push(&w[..take]);
        left -= take;
    }
    Some(len)
}
