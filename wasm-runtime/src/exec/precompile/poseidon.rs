//! Poseidon over BN254 as circom defines it (circomlib's `Poseidon(n)`, the hash zk
//! applications use for Merkle trees and commitments): host function 1009.
//!
//! The parameters (x^5 S-box, 8 full rounds, circom's partial rounds per width, round
//! constants and MDS matrices) are light-poseidon's, written out by this crate's build
//! script (light-poseidon needs `std`); the permutation below runs over arkworks' BN254
//! scalar field, `no_std`, so host mode and the RV64IM kernel compute the same thing. The
//! state is `[0, x1, …, xn]` (domain tag zero) and the hash is its first element after the
//! permutation, as circom and light-poseidon's `new_circom(n)` do.
//!
//! Inputs and output are 32-byte big-endian field elements; an input at or above the field's
//! modulus is rejected, not reduced (two inputs would otherwise hash alike).
//!
//! ```
//! use wasm_runtime::exec::precompile::poseidon;
//! let mut one = [0u8; 32];
//! one[31] = 1;
//! let mut two = [0u8; 32];
//! two[31] = 2;
//! // circomlibjs: poseidon([1, 2]).
//! let h = poseidon::hash(&[one, two]).unwrap();
//! assert_eq!(h[..4], [0x11, 0x5c, 0xc0, 0xf5]);
//! ```

use ark_bn254::Fr;
use ark_ff::{BigInt, Field, PrimeField, Zero};

/// The most inputs of one hash (circom's widths go up to 13 with light-poseidon).
pub const MAX_INPUTS: usize = 12;
/// Bytes of one input or of the output: a big-endian field element.
pub const ELEMENT: usize = 32;

/// circom's parameters for one width.
pub(super) struct Params {
    /// Field elements in the state: the inputs and one more.
    width: usize,
    /// Rounds with one S-box (between four full rounds on each side).
    partial_rounds: usize,
    /// Round constants, `width` per round.
    ark: &'static [Fr],
    /// The MDS matrix, row by row.
    mds: &'static [Fr],
}

/// Full rounds (S-box on every element), half before and half after the partial rounds.
const FULL_ROUNDS: usize = 8;

include!(concat!(env!("OUT_DIR"), "/poseidon_params.rs"));

/// Why an input cannot be hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoseidonError {
    /// The input is not a whole number of 32-byte elements: its length in bytes.
    Length(usize),
    /// Not 1 to [`MAX_INPUTS`] elements: how many there are.
    Count(usize),
    /// Element `index` is the field's modulus or more.
    NotCanonical(usize),
}

impl core::fmt::Display for PoseidonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Length(len) => write!(f, "poseidon: {len} bytes of input, not a multiple of {ELEMENT}"),
            Self::Count(n) => write!(f, "poseidon: {n} inputs, not 1 to {MAX_INPUTS}"),
            Self::NotCanonical(i) => write!(f, "poseidon: input {i} is not below the BN254 scalar field's modulus"),
        }
    }
}

/// The field element of 32 big-endian bytes, if it is below the modulus.
fn element(bytes: &[u8; ELEMENT]) -> Option<Fr> {
    let mut limbs = [0u64; 4];
    for (i, chunk) in bytes.rchunks_exact(8).enumerate() {
        limbs[i] = u64::from_be_bytes(chunk.try_into().expect("8-byte chunk"));
    }
    Fr::from_bigint(BigInt::new(limbs))
}

/// The 32 big-endian bytes of `x`.
fn to_bytes(x: Fr) -> [u8; ELEMENT] {
    let limbs = x.into_bigint().0;
    let mut out = [0u8; ELEMENT];
    for (i, chunk) in out.rchunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&limbs[i].to_be_bytes());
    }
    out
}

/// x^5, circom's S-box.
fn sbox(x: Fr) -> Fr {
    let x2 = x.square();
    x2.square() * x
}

/// The permutation of `state` (its first `p.width` elements).
fn permute(p: &Params, state: &mut [Fr; MAX_INPUTS + 1]) {
    let t = p.width;
    let half = FULL_ROUNDS / 2;
    for round in 0..FULL_ROUNDS + p.partial_rounds {
        for (x, c) in state[..t].iter_mut().zip(&p.ark[round * t..]) {
            *x += c;
        }
        if round < half || round >= half + p.partial_rounds {
            for x in &mut state[..t] {
                *x = sbox(*x);
            }
        } else {
            state[0] = sbox(state[0]);
        }
        let mut mixed = [Fr::zero(); MAX_INPUTS + 1];
        for (out, row) in mixed[..t].iter_mut().zip(p.mds.chunks_exact(t)) {
            *out = row.iter().zip(&state[..t]).fold(Fr::zero(), |sum, (m, x)| sum + *m * x);
        }
        state[..t].copy_from_slice(&mixed[..t]);
    }
}

/// circom's Poseidon of 1 to [`MAX_INPUTS`] field elements.
pub fn hash(inputs: &[[u8; ELEMENT]]) -> Result<[u8; ELEMENT], PoseidonError> {
    let n = inputs.len();
    if !(1..=MAX_INPUTS).contains(&n) {
        return Err(PoseidonError::Count(n));
    }
    let mut state = [Fr::zero(); MAX_INPUTS + 1];
    for (i, input) in inputs.iter().enumerate() {
        state[i + 1] = element(input).ok_or(PoseidonError::NotCanonical(i))?;
    }
    permute(&PARAMS[n - 1], &mut state);
    Ok(to_bytes(state[0]))
}

/// circom's Poseidon of the elements that `input` holds one after another, 32 bytes each.
pub fn hash_bytes(input: &[u8]) -> Result<[u8; ELEMENT], PoseidonError> {
    let (elements, rest) = input.as_chunks::<ELEMENT>();
    if !rest.is_empty() {
        return Err(PoseidonError::Length(input.len()));
    }
    hash(elements)
}
