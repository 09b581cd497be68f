//! Recursive Fibonacci: a call-and-return benchmark.

/// The largest `n` [`fibonacci`] is run with (fib(32) makes about 7 million calls).
pub const MAX_N: u64 = 32;

/// `fib(n)` modulo 2^64, computed the naive recursive way on purpose.
pub fn fibonacci(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fibonacci(n - 1).wrapping_add(fibonacci(n - 2))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values() {
        let mut a = 0u64;
        let mut b = 1u64;
        for n in 0..=super::MAX_N {
            assert_eq!(super::fibonacci(n), a, "fib({n})");
            (a, b) = (b, a.wrapping_add(b));
        }
    }
}
