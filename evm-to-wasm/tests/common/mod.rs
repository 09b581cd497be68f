//! Test support: a mock zkos host for wasmi ([`host`]), an EVM assembler ([`evm`]), an
//! instruction counter ([`count`]), a seeded PRNG and module inspection helpers.
#![allow(dead_code, unused_imports)]

pub use ruint::aliases::U256;

pub mod bench;
pub mod count;
pub mod evm;
pub mod host;

pub use evm::*;
pub use host::*;

pub type Word = [u8; 32];

// ------------------------------------------------------------------ PRNG

/// SplitMix64.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A value with a random shape: random bit length, sometimes limbs of all ones or
    /// zeros, sometimes near powers of two, sometimes small.
    pub fn u256(&mut self) -> U256 {
        let limbs: [u64; 4] = std::array::from_fn(|_| match self.next() % 6 {
            0 => 0,
            1 => u64::MAX,
            2 => 1 << (self.next() % 64),
            3 => 0x8000_0000_0000_0000,
            _ => self.next(),
        });
        let v = U256::from_limbs(limbs);
        match self.next() % 5 {
            0 => v >> (self.next() % 256) as usize,
            1 => U256::from(self.next() % 1000),
            _ => v,
        }
    }
}

/// Edge values for 256-bit operations.
pub fn edges() -> Vec<U256> {
    let mut v = vec![
        U256::ZERO,
        U256::from(1),
        U256::from(2),
        U256::from(31),
        U256::from(32),
        U256::from(255),
        U256::from(256),
        U256::from(257),
        U256::MAX,
        U256::MAX - U256::from(1),
        U256::from(1) << 255,
        (U256::from(1) << 255) - U256::from(1),
        (U256::from(1) << 255) + U256::from(1),
        U256::from(u64::MAX),
        U256::from(u64::MAX) + U256::from(1),
        U256::from(u32::MAX),
        U256::from(1) << 128,
        (U256::from(1) << 128) - U256::from(1),
        U256::from(1) << 192,
        U256::from(0x8000_0000u64),
        U256::from(0xffff_ffff_0000_0000u64),
    ];
    v.push(U256::from_limbs([0, u64::MAX, 0, u64::MAX]));
    v.push(U256::from_limbs([0xffff_ffff, 0x8000_0000, 0xffff_ffff_0000_0000, 0x7fff_ffff]));
    v
}

/// Prints every function's operators (debugging aid).
pub fn dump(wasm: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut func = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.unwrap();
                    writeln!(out, "import {func}: {}", imp.name).unwrap();
                    func += 1;
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                writeln!(out, "func {func}:").unwrap();
                let mut r = body.get_operators_reader().unwrap();
                while !r.eof() {
                    let pos = r.original_position();
                    let o = r.read().unwrap();
                    writeln!(out, "  {pos:#x} {o:?}").unwrap();
                }
                func += 1;
            }
            _ => {}
        }
    }
    out
}

/// Largest nesting depth, function body size and local count (parameters included) over a
/// module's functions: what host-abi's limits constrain.
pub fn shape(wasm: &[u8]) -> (u32, usize, u32) {
    let (mut nest, mut size, mut locals) = (0u32, 0usize, 0u32);
    let mut types: Vec<u32> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut imported = 0usize;
    let mut defined = 0usize;
    for p in wasmparser::Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            wasmparser::Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.unwrap().params().len() as u32);
                }
            }
            wasmparser::Payload::ImportSection(r) => imported += r.into_imports().count(),
            wasmparser::Payload::FunctionSection(r) => func_types = r.into_iter().map(Result::unwrap).collect(),
            wasmparser::Payload::CodeSectionEntry(body) => {
                size = size.max((body.range().end - body.range().start) as usize);
                let mut n = types[func_types[defined] as usize];
                for l in body.get_locals_reader().unwrap() {
                    n += l.unwrap().0;
                }
                locals = locals.max(n);
                let mut depth = 0u32;
                for op in body.get_operators_reader().unwrap() {
                    match op.unwrap() {
                        wasmparser::Operator::Block { .. }
                        | wasmparser::Operator::Loop { .. }
                        | wasmparser::Operator::If { .. } => {
                            depth += 1;
                            nest = nest.max(depth);
                        }
                        wasmparser::Operator::End => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                defined += 1;
            }
            _ => {}
        }
    }
    let _ = imported;
    (nest, size, locals)
}
