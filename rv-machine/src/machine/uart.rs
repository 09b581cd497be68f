//! The quasi-UART: word-granular oracle input and output through a reserved MMIO page.
//!
//! The last page of the address space, `0xFFFF_FFFF_FFFF_F000..`, is reserved: no region may
//! be mapped there. Because it is never a mapped region, ordinary loads and stores find their
//! region without ever looking at the UART; only an access that misses every region checks
//! whether it hit a UART register. Both registers sit at small negative addresses, so one
//! instruction with `x0` as the base reaches them:
//!
//! | register | address | access |
//! |---|---|---|
//! | [`DATA`] | `-8` = `0xFFFF_FFFF_FFFF_FFF8` | `lw`/`lwu`: next input word (0 once the input is exhausted); `sw`: append a word to the output |
//! | [`STATUS`] | `-4` = `0xFFFF_FFFF_FFFF_FFFC` | `lw`/`lwu`: number of input words left (saturated to `u32::MAX`); stores are ignored |
//!
//! ```text
//! lw  a0, -8(zero)   # a0 = next input word, sign-extended as lw does
//! sw  a0, -8(zero)   # output a0's low 32 bits
//! lwu a1, -4(zero)   # a1 = input words remaining
//! ```
//!
//! Any other access to the page (another size, another offset) is an access fault with
//! [`AccessCause::Uart`](super::AccessCause::Uart).

use alloc::vec::Vec;

/// First address of the reserved UART page.
pub const PAGE: u64 = 0xFFFF_FFFF_FFFF_F000;
/// Data register: read the next input word, write an output word.
pub const DATA: u64 = 0xFFFF_FFFF_FFFF_FFF8;
/// Status register: read the number of input words left.
pub const STATUS: u64 = 0xFFFF_FFFF_FFFF_FFFC;

/// The input and output queues.
#[derive(Default)]
pub(crate) struct Uart {
    pub(crate) input: Vec<u32>,
    pub(crate) read_pos: usize,
    pub(crate) output: Vec<u32>,
}

impl Uart {
    /// A 4-byte load from the page; `None` if `addr` is not a register.
    pub(crate) fn read(&mut self, addr: u64) -> Option<u32> {
        match addr {
            DATA => {
                let word = self.input.get(self.read_pos).copied().unwrap_or(0);
                self.read_pos = (self.read_pos + 1).min(self.input.len());
                Some(word)
            }
            STATUS => {
                let left = self.input.len() - self.read_pos;
                Some(u32::try_from(left).unwrap_or(u32::MAX))
            }
            _ => None,
        }
    }

    /// A 4-byte store to the page; `false` if `addr` is not a register.
    pub(crate) fn write(&mut self, addr: u64, word: u32) -> bool {
        match addr {
            DATA => {
                self.output.push(word);
                true
            }
            STATUS => true,
            _ => false,
        }
    }
}
