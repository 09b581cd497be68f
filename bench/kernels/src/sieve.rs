//! Sieve of Eratosthenes over the odd numbers, one bit per odd number.

/// The largest limit a scratch area of `words` 64-bit words can sieve.
pub fn max_limit(words: usize) -> u64 {
    (words as u64).saturating_mul(128).saturating_sub(1)
}

/// Counts and sums the primes `<= limit` (clamped to [`max_limit`] of `scratch`).
/// The checksum is `count << 32 ^ sum`, with the sum taken modulo 2^64.
pub fn sieve(limit: u64, scratch: &mut [u64]) -> u64 {
    let limit = limit.min(max_limit(scratch.len()));
    if limit < 2 {
        return 0;
    }
    // Bit k stands for the odd number 2k + 1; a set bit means composite.
    let bits = limit / 2 + 1;
    let words = bits.div_ceil(64) as usize;
    let table = &mut scratch[..words];
    table.fill(0);
    let mut k = 1u64;
    loop {
        let p = 2 * k + 1;
        if p * p > limit {
            break;
        }
        if table[(k / 64) as usize] & (1 << (k % 64)) == 0 {
            let mut j = p * p / 2;
            while j < bits {
                table[(j / 64) as usize] |= 1 << (j % 64);
                j += p;
            }
        }
        k += 1;
    }
    // 2 is prime; then every odd number 3..=limit whose bit is clear.
    let (mut count, mut sum) = (1u64, 2u64);
    for k in 1..bits {
        let p = 2 * k + 1;
        if p <= limit && table[(k / 64) as usize] & (1 << (k % 64)) == 0 {
            count += 1;
            sum = sum.wrapping_add(p);
        }
    }
    (count << 32) ^ sum
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;

    fn naive(limit: u64) -> (u64, u64) {
        let primes = (2..=limit).filter(|&n| (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0));
        primes.fold((0, 0), |(c, s), p| (c + 1, s + p))
    }

    #[test]
    fn matches_trial_division() {
        let mut scratch = vec![0u64; 64];
        for limit in [0, 1, 2, 3, 4, 5, 9, 10, 11, 100, 127, 128, 129, 1000, 4093, 8191] {
            let (c, s) = naive(limit);
            assert_eq!(super::sieve(limit, &mut scratch), (c << 32) ^ s, "limit {limit}");
        }
    }

    #[test]
    fn known_count_and_clamp() {
        let mut scratch = vec![u64::MAX; 1 << 14];
        // pi(10^6) = 78498, sum = 37550402023.
        assert_eq!(super::sieve(1_000_000, &mut scratch), (78498 << 32) ^ 37_550_402_023);
        let mut tiny = vec![0u64; 1];
        assert_eq!(super::max_limit(1), 127);
        assert_eq!(super::sieve(1_000, &mut tiny), super::sieve(127, &mut tiny));
    }
}
