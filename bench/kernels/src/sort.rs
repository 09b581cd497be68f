//! Sorting generated 64-bit keys with the core library's `sort_unstable`.

use crate::{mix, Rng};

/// The kernel: fills `min(n, scratch.len())` words with xorshift keys, sorts them, and folds
/// `key * (index + 1)` over the sorted keys (so the checksum depends on the order).
pub fn kernel(n: u64, scratch: &mut [u64]) -> u64 {
    let n = usize::try_from(n).unwrap_or(usize::MAX).min(scratch.len());
    let keys = &mut scratch[..n];
    let mut rng = Rng::new(0x5EED_0000_0000_0001);
    for k in keys.iter_mut() {
        *k = rng.next_u64();
    }
    keys.sort_unstable();
    keys.iter().zip(1u64..).fold(n as u64, |acc, (&k, i)| mix(acc, k.wrapping_mul(i)))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;

    #[test]
    fn sorted_and_order_sensitive() {
        let mut scratch = vec![0u64; 500];
        let sum = super::kernel(500, &mut scratch);
        assert!(scratch.windows(2).all(|w| w[0] <= w[1]));
        // The same keys folded in generation order give another checksum.
        let mut rng = crate::Rng::new(0x5EED_0000_0000_0001);
        let unsorted = (1u64..=500).fold(500, |acc, i| crate::mix(acc, rng.next_u64().wrapping_mul(i)));
        assert_ne!(sum, unsorted);
        assert_eq!(super::kernel(0, &mut scratch), 0);
    }
}
