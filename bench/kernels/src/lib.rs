//! The programs of `zkos bench`, written once and built three ways: natively for RV64IM, for
//! wasm32 (then compiled by rv-backend), and for wasm32 run by wasmi on the RV64IM machine.
//!
//! Each [`Kernel`] takes a size `n` (a loop count, a byte count, an element count) and a
//! scratch area of 64-bit words, and returns a 64-bit checksum of everything it computed, so
//! the three builds (and the host) can be checked against each other. Nothing here uses
//! `unsafe`, floats or allocation (the ed25519 kernel uses the `ed25519-compact` crate); the
//! scratch area is the only memory besides the stack. The first seven kernels are zkos's own
//! set; the [`Suite::Standard`] ones (memset, memcpy, byte loops, Ed25519 verification, an
//! interpreter loop) are those WASM engines are commonly compared on, beside the sieve.
//! [`protocol`] is how the host talks to the RV64IM programs that run them.
//!
//! ```
//! use bench_kernels::{Kernel, SCRATCH_WORDS};
//! let mut scratch = vec![0u64; SCRATCH_WORDS];
//! // fib(20) = 6765.
//! assert_eq!(Kernel::Fibonacci.run(20, &mut scratch), 6765);
//! // 168 primes below 1000, whose sum is 76127.
//! assert_eq!(Kernel::Sieve.run(1000, &mut scratch), (168 << 32) ^ 76127);
//! ```

#![no_std]
#![forbid(unsafe_code)]

pub mod ed25519;
pub mod erc20;
pub mod fib;
pub mod interp;
pub mod keccak;
pub mod memory;
pub mod mul256;
pub mod protocol;
pub mod sha256;
pub mod sieve;
pub mod sort;

/// Words of scratch memory every build provides (1 MiB).
pub const SCRATCH_WORDS: usize = 1 << 17;

/// One benchmark program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Recursive Fibonacci, `fib(n)` modulo 2^64: calls and returns.
    Fibonacci,
    /// Sieve of Eratosthenes over the odd numbers up to `n` (a bitset): loads, stores, shifts.
    Sieve,
    /// SHA-256 of an `n`-byte generated message: 32-bit rotations and adds.
    Sha256,
    /// Keccak-256 (keccak-f\[1600\] sponge) of an `n`-byte generated message: 64-bit lanes.
    Keccak,
    /// `n` steps of `x = x * c + i` on 256-bit integers (4 limbs, 64x64→128 products).
    Mul256,
    /// Sorts `n` generated 64-bit keys (`sort_unstable`): compares and moves.
    Sort,
    /// `n` ERC20-style transfers between accounts in an open-addressing map from 20-byte
    /// addresses to 256-bit balances.
    Erc20,
    /// `memset` (`fill`) of generated blocks until `n` bytes are written.
    Memset,
    /// `memcpy` and `memmove` (`copy_from_slice`, `copy_within`) of generated blocks until
    /// `n` bytes are written.
    Memcpy,
    /// The same work as byte loops (a copy stopping at a zero, a compare, a computed fill)
    /// until `n` bytes are written.
    ByteLoops,
    /// `n` Ed25519 verifications of one signature, every second one of a tampered message.
    Ed25519,
    /// A bytecode interpreter running `n` rounds of a small program (calls, stack, dispatch).
    Interp,
}

/// Which WASM module exports a kernel: the first seven kernels are `kernels.wasm`, whose
/// counts (module size, compilation, wasmi's translation) are the benchmark's baseline; the
/// standard kernels that engines are usually compared on are a module of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Suite {
    /// `kernels.wasm` (crate bench-wasm).
    Core,
    /// `standard.wasm` (crate bench-wasm-standard).
    Standard,
}

impl Kernel {
    /// Every kernel, in the order of [`Kernel::id`].
    pub const ALL: [Kernel; 12] = [
        Kernel::Fibonacci,
        Kernel::Sieve,
        Kernel::Sha256,
        Kernel::Keccak,
        Kernel::Mul256,
        Kernel::Sort,
        Kernel::Erc20,
        Kernel::Memset,
        Kernel::Memcpy,
        Kernel::ByteLoops,
        Kernel::Ed25519,
        Kernel::Interp,
    ];

    /// The module that exports the kernel.
    pub fn suite(self) -> Suite {
        if self.id() < 7 {
            Suite::Core
        } else {
            Suite::Standard
        }
    }

    /// A stable number, used by the native program to select the kernel.
    pub fn id(self) -> u32 {
        match self {
            Kernel::Fibonacci => 0,
            Kernel::Sieve => 1,
            Kernel::Sha256 => 2,
            Kernel::Keccak => 3,
            Kernel::Mul256 => 4,
            Kernel::Sort => 5,
            Kernel::Erc20 => 6,
            Kernel::Memset => 7,
            Kernel::Memcpy => 8,
            Kernel::ByteLoops => 9,
            Kernel::Ed25519 => 10,
            Kernel::Interp => 11,
        }
    }

    /// The kernel with this [`Kernel::id`].
    pub fn from_id(id: u32) -> Option<Kernel> {
        Kernel::ALL.get(usize::try_from(id).ok()?).copied()
    }

    /// The kernel's name, which is also the name of its export in the WASM module.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Fibonacci => "fibonacci",
            Kernel::Sieve => "sieve",
            Kernel::Sha256 => "sha256",
            Kernel::Keccak => "keccak",
            Kernel::Mul256 => "mul256",
            Kernel::Sort => "sort",
            Kernel::Erc20 => "erc20",
            Kernel::Memset => "memset",
            Kernel::Memcpy => "memcpy",
            Kernel::ByteLoops => "byteloops",
            Kernel::Ed25519 => "ed25519",
            Kernel::Interp => "interp",
        }
    }

    /// The kernel with this [`Kernel::name`].
    pub fn from_name(name: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.name() == name)
    }

    /// What `n` counts for this kernel.
    pub fn unit(self) -> &'static str {
        match self {
            Kernel::Fibonacci => "n",
            Kernel::Sieve => "limit",
            Kernel::Sha256 | Kernel::Keccak => "bytes",
            Kernel::Mul256 => "steps",
            Kernel::Sort => "keys",
            Kernel::Erc20 => "transfers",
            Kernel::Memset | Kernel::Memcpy | Kernel::ByteLoops => "bytes",
            Kernel::Ed25519 => "verifies",
            Kernel::Interp => "rounds",
        }
    }

    /// The largest `n` the kernel accepts with [`SCRATCH_WORDS`] of scratch; [`Kernel::run`]
    /// uses `min(n, max_size)`.
    pub fn max_size(self) -> u64 {
        match self {
            Kernel::Fibonacci => fib::MAX_N,
            Kernel::Sieve => sieve::max_limit(SCRATCH_WORDS),
            Kernel::Sort => SCRATCH_WORDS as u64,
            Kernel::Sha256 | Kernel::Keccak | Kernel::Mul256 | Kernel::Erc20 => 1 << 32,
            // Loop counts: the standard kernels bound their own memory.
            Kernel::Memset | Kernel::Memcpy | Kernel::ByteLoops | Kernel::Ed25519 | Kernel::Interp => u64::MAX,
        }
    }

    /// Runs the kernel on `min(n, self.max_size())` and returns its checksum. `scratch`
    /// should hold [`SCRATCH_WORDS`] words; with fewer, the sizes that need scratch are
    /// clamped to what fits (its contents on entry do not matter).
    pub fn run(self, n: u64, scratch: &mut [u64]) -> u64 {
        let n = n.min(self.max_size());
        match self {
            Kernel::Fibonacci => fib::fibonacci(n),
            Kernel::Sieve => sieve::sieve(n, scratch),
            Kernel::Sha256 => sha256::kernel(n),
            Kernel::Keccak => keccak::kernel(n),
            Kernel::Mul256 => mul256::kernel(n),
            Kernel::Sort => sort::kernel(n, scratch),
            Kernel::Erc20 => erc20::kernel(n, scratch),
            Kernel::Memset => memory::memset(n),
            Kernel::Memcpy => memory::memcpy(n),
            Kernel::ByteLoops => memory::byte_loops(n),
            Kernel::Ed25519 => ed25519::kernel(n),
            Kernel::Interp => interp::kernel(n),
        }
    }

    /// [`Kernel::run`] for the seven [`Suite::Core`] kernels only (`None` for the others), for
    /// programs that must not carry the standard kernels' code (the native contract: lifted,
    /// ed25519 alone would pass a contract's size limit).
    pub fn run_core(self, n: u64, scratch: &mut [u64]) -> Option<u64> {
        let n = n.min(self.max_size());
        Some(match self {
            Kernel::Fibonacci => fib::fibonacci(n),
            Kernel::Sieve => sieve::sieve(n, scratch),
            Kernel::Sha256 => sha256::kernel(n),
            Kernel::Keccak => keccak::kernel(n),
            Kernel::Mul256 => mul256::kernel(n),
            Kernel::Sort => sort::kernel(n, scratch),
            Kernel::Erc20 => erc20::kernel(n, scratch),
            Kernel::Memset | Kernel::Memcpy | Kernel::ByteLoops | Kernel::Ed25519 | Kernel::Interp => return None,
        })
    }
}

/// Folds `x` into the checksum `acc` (order-sensitive).
pub fn mix(acc: u64, x: u64) -> u64 {
    (acc ^ x).wrapping_mul(0x0000_0100_0000_01B3).rotate_left(29)
}

/// The generated message of the hash kernels: byte `i` of an endless deterministic stream.
pub fn message_byte(i: u64) -> u8 {
    let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 56) as u8 ^ (i as u8)
}

/// A xorshift64 generator, the kernels' source of data.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed (zero is replaced by a fixed constant).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { 0x2545_F491_4F6C_DD1D } else { seed })
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `0..bound` (`bound > 0`; slightly biased, which does not matter here).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_round_trip() {
        for (i, k) in Kernel::ALL.into_iter().enumerate() {
            assert_eq!(k.id() as usize, i);
            assert_eq!(Kernel::from_id(k.id()), Some(k));
            assert_eq!(Kernel::from_name(k.name()), Some(k));
        }
        assert_eq!(Kernel::from_id(12), None);
        assert!(Kernel::ALL.iter().filter(|k| k.suite() == Suite::Core).count() == 7);
        assert_eq!(Kernel::from_name("nope"), None);
    }

    #[test]
    fn sizes_are_clamped() {
        extern crate std;
        let mut small = std::vec![0u64; 4];
        // Only 4 words of scratch: 4 keys sorted, whatever n says.
        assert_eq!(Kernel::Sort.run(1000, &mut small), Kernel::Sort.run(4, &mut small));
        assert_eq!(Kernel::Fibonacci.run(u64::MAX, &mut small), fib::fibonacci(fib::MAX_N));
    }
}
