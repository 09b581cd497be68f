//! Precompiles: the contracts at addresses 0x01–0x0a (Cancun), and the precompile host
//! functions.
//!
//! The cryptography is `revm-precompile`'s, built without default features so that it is
//! pure Rust and `no_std` (k256 for ecrecover, aurora-engine-modexp, arkworks for bn254 and
//! for the BLS12-381 pairing of the KZG point evaluation, its own BLAKE2 F). This module
//! picks the Cancun variant of each one (EIP-2565 modexp gas, EIP-1108 bn254 gas) and maps
//! its results onto frames ([`call`]) and host functions ([`host_call`], [`hash`]).
//!
//! | address | precompile         | gas                                   |
//! |---------|--------------------|---------------------------------------|
//! | 0x01    | ecrecover          | 3000                                  |
//! | 0x02    | sha256             | 60 + 12 per word                      |
//! | 0x03    | ripemd160          | 600 + 120 per word                    |
//! | 0x04    | identity           | 15 + 3 per word                       |
//! | 0x05    | modexp             | EIP-2565, at least 200                |
//! | 0x06    | bn254 add          | 150                                   |
//! | 0x07    | bn254 mul          | 6000                                  |
//! | 0x08    | bn254 pairing      | 45000 + 34000 per pair                |
//! | 0x09    | blake2f            | 1 per round                           |
//! | 0x0a    | point evaluation   | 50000                                 |

mod host;
#[cfg(test)]
mod tests;

use host_abi::functions::HostFn;
use host_abi::status::CallStatus;
use revm_precompile::{
    blake2, bn254, hash as hashes, identity, kzg_point_evaluation, modexp, secp256k1, EthPrecompileResult,
};

pub use host::host_call;

use super::{CallParams, FrameResult, System};
use crate::error::{Fault, Invariant};
use crate::host::HostExit;
use crate::platform::Platform;
use crate::primitives::Address;

/// The highest precompile address in Cancun (0x0a, KZG point evaluation).
pub const LAST: u8 = 0x0a;

/// The precompile number of an address, if it is one.
pub fn number(address: &Address) -> Option<u8> {
    let b = address.as_slice();
    if b[..19].iter().all(|x| *x == 0) && (1..=LAST).contains(&b[19]) {
        Some(b[19])
    } else {
        None
    }
}

/// Every precompile address of `fork` (warm from the start of each transaction, EIP-2929).
pub fn addresses(_fork: crate::fork::Fork) -> impl Iterator<Item = Address> {
    (1..=LAST).map(|n| {
        let mut a = [0u8; 20];
        a[19] = n;
        Address::from(a)
    })
}

/// The name of precompile `n` (as Ethereum's specs call it), for messages.
pub fn name(n: u8) -> &'static str {
    match n {
        0x01 => "ecrecover",
        0x02 => "sha256",
        0x03 => "ripemd160",
        0x04 => "identity",
        0x05 => "modexp",
        0x06 => "bn254_add",
        0x07 => "bn254_mul",
        0x08 => "bn254_pairing",
        0x09 => "blake2f",
        0x0a => "point_evaluation",
        _ => "not a precompile",
    }
}

/// keccak256, sha256 or ripemd160 of `input`, as 32 bytes (ripemd160 left-padded). The
/// caller charges the gas (host-abi's `Copy` rule of the function).
pub fn hash(f: HostFn, input: &[u8]) -> Result<[u8; 32], HostExit> {
    match f {
        HostFn::Keccak256 => Ok(crate::host::keccak(input)),
        HostFn::Sha256 => Ok(revm_precompile::crypto().sha256(input)),
        HostFn::Ripemd160 => Ok(revm_precompile::crypto().ripemd160(input)),
        _ => Err(HostExit::Internal(Invariant::Dispatch(f).into())),
    }
}

/// Runs precompile `n` (1..=[`LAST`]) on `input` with `gas_limit`: its gas used and output,
/// or why it halted (out of gas, or an input Ethereum rejects).
fn run(n: u8, input: &[u8], gas_limit: u64) -> EthPrecompileResult {
    match n {
        0x01 => secp256k1::ec_recover_run(input, gas_limit),
        0x02 => hashes::sha256_run(input, gas_limit),
        0x03 => hashes::ripemd160_run(input, gas_limit),
        0x04 => identity::identity_run(input, gas_limit),
        0x05 => modexp::berlin_run(input, gas_limit),
        0x06 => bn254::run_add(input, bn254::add::ISTANBUL_ADD_GAS_COST, gas_limit),
        0x07 => bn254::run_mul(input, bn254::mul::ISTANBUL_MUL_GAS_COST, gas_limit),
        0x08 => {
            bn254::run_pair(input, bn254::pair::ISTANBUL_PAIR_PER_POINT, bn254::pair::ISTANBUL_PAIR_BASE, gas_limit)
        }
        0x09 => blake2::run(input, gas_limit),
        0x0a => kzg_point_evaluation::run(input, gas_limit),
        _ => Err(revm_precompile::PrecompileHalt::other_static("not a precompile")),
    }
}

/// Runs precompile `n` as a message call with `gas`: success with its output and
/// `gas - cost` left, or a failure that consumes all gas (out of gas, invalid input).
pub fn execute(n: u8, input: &[u8], gas: u64) -> FrameResult {
    match run(n, input, gas) {
        Ok(out) if out.gas_used <= gas => FrameResult {
            status: CallStatus::Success,
            output: out.bytes,
            gas_left: gas - out.gas_used,
            created: None,
            error: None,
        },
        Ok(_) => {
            FrameResult::failure(Fault::Precompile { address: n, halt: revm_precompile::PrecompileHalt::OutOfGas })
        }
        Err(halt) => FrameResult::failure(Fault::Precompile { address: n, halt }),
    }
}

/// Runs a precompile on `input` if `p.code_address` is one. The input is read in place: each
/// precompile checks its gas, computed from the input's length or header, before it reads
/// the rest.
pub fn call<P: Platform>(_sys: &mut System<P>, p: &CallParams, input: &[u8]) -> Option<FrameResult> {
    let n = number(&p.code_address)?;
    Some(execute(n, input, p.gas))
}
