//! Precompiles: the contracts at addresses 0x01–0x0a (Cancun), 0x0b–0x11 (Prague) and 0x100
//! (Osaka), and the precompile host functions.
//!
//! The cryptography is `revm-precompile`'s, built without default features so that it is
//! pure Rust and `no_std` (k256 for ecrecover, aurora-engine-modexp, arkworks for bn254, for
//! BLS12-381 (EIP-2537) and for the pairing of the KZG point evaluation, p256 for secp256r1,
//! its own BLAKE2 F). This module picks the variant of each one that the block's fork
//! follows (EIP-2565 modexp gas until Osaka, EIP-7823 bounds and EIP-7883 gas from Osaka on;
//! EIP-1108 bn254 gas) and maps its results onto frames ([`call`]) and host functions
//! ([`host_call`], [`hash`]). Poseidon, which has no address in Ethereum, is zkos's own
//! ([`poseidon`]): host function 1009, and for EVM code the precompile at 0x5a00 (host-abi's
//! `POSEIDON_PRECOMPILE`, in zkos's reserved 0x5a00–0x5aff), active on every fork
//! ([`Fork::zkos_precompiles`]). No Ethereum test touches an address of that range, so the
//! state tests stay exact.
//!
//! Poseidon at 0x5a00: the input is 1 to 12 field elements, each 32 bytes big-endian (a
//! length of 32 to 384 bytes in steps of 32), the output the 32-byte big-endian hash; the
//! gas is host function 1009's, 560 per 32 bytes of input (rounded up), charged before
//! the input is read. An input of another length, or with an element at or above the BN254
//! scalar field's modulus, fails the call like any failing precompile: no output, all the
//! gas the call was given consumed.
//!
//! | address | precompile         | from   | gas                                        |
//! |---------|--------------------|--------|--------------------------------------------|
//! | 0x01    | ecrecover          | Cancun | 3000                                       |
//! | 0x02    | sha256             | Cancun | 60 + 12 per word                           |
//! | 0x03    | ripemd160          | Cancun | 600 + 120 per word                         |
//! | 0x04    | identity           | Cancun | 15 + 3 per word                            |
//! | 0x05    | modexp             | Cancun | EIP-2565, at least 200; Osaka: EIP-7883, at least 500 |
//! | 0x06    | bn254 add          | Cancun | 150                                        |
//! | 0x07    | bn254 mul          | Cancun | 6000                                       |
//! | 0x08    | bn254 pairing      | Cancun | 45000 + 34000 per pair                     |
//! | 0x09    | blake2f            | Cancun | 1 per round                                |
//! | 0x0a    | point evaluation   | Cancun | 50000                                      |
//! | 0x0b    | bls12 G1 add       | Prague | 375                                        |
//! | 0x0c    | bls12 G1 MSM       | Prague | 12000 per pair, EIP-2537's discount         |
//! | 0x0d    | bls12 G2 add       | Prague | 600                                        |
//! | 0x0e    | bls12 G2 MSM       | Prague | 22500 per pair, EIP-2537's discount         |
//! | 0x0f    | bls12 pairing      | Prague | 37700 + 32600 per pair                     |
//! | 0x10    | bls12 map Fp to G1 | Prague | 5500                                       |
//! | 0x11    | bls12 map Fp2 to G2| Prague | 23800                                      |
//! | 0x100   | p256verify         | Osaka  | 6900 (EIP-7951)                            |
//! | 0x5a00  | poseidon (zkos)    | every fork | 560 per 32 bytes of input              |

mod host;
pub mod poseidon;
pub mod sha256;
#[cfg(test)]
mod tests;

use host_abi::functions::HostFn;
use host_abi::status::CallStatus;
use revm_precompile::bls12_381::{g1_add, g1_msm, g2_add, g2_msm, map_fp2_to_g2, map_fp_to_g1, pairing};
use revm_precompile::{
    blake2, bn254, hash as hashes, identity, kzg_point_evaluation, modexp, secp256k1, secp256r1, EthPrecompileResult,
};

pub use host::host_call;

use super::{CallParams, FrameResult, System};
use crate::error::{Fault, Invariant};
use crate::fork::Fork;
use crate::host::HostExit;
use crate::platform::Platform;
use crate::primitives::Address;

/// revm-precompile's crypto provider hook, through which its precompiles compute: the kernel
/// installs one that recovers ecrecover's signer by the secp256k1 accelerator
/// (kernel/src/accel.rs); the host keeps the default (software) provider.
pub use revm_precompile::{install_crypto, Crypto, PrecompileHalt};

/// The precompiles of Cancun: 0x01 (ecrecover) to 0x0a (KZG point evaluation).
pub const CANCUN: core::ops::RangeInclusive<u16> = 0x01..=0x0a;
/// The BLS12-381 precompiles of Prague (EIP-2537): 0x0b (G1 add) to 0x11 (map Fp2 to G2).
pub const BLS12_381: core::ops::RangeInclusive<u16> = 0x0b..=0x11;
/// secp256r1 signature verification (EIP-7951, Osaka).
pub const P256VERIFY: u16 = 0x100;
/// circom's Poseidon over BN254 (zkos's own, every fork): host function 1009 by address.
pub const POSEIDON: u16 = host_abi::functions::POSEIDON_PRECOMPILE;

/// Whether precompile number `n` exists in `fork`.
pub const fn exists(fork: Fork, n: u16) -> bool {
    match n {
        0x01..=0x0a => true,
        0x0b..=0x11 => fork.bls12_381_precompiles(),
        P256VERIFY => fork.p256_verify(),
        POSEIDON => fork.zkos_precompiles(),
        _ => false,
    }
}

/// The address of precompile number `n`.
pub fn address(n: u16) -> Address {
    let mut a = [0u8; 20];
    a[18..].copy_from_slice(&n.to_be_bytes());
    Address::from(a)
}

/// The precompile number of an address, if it is one in `fork`.
pub fn number(fork: Fork, address: &Address) -> Option<u16> {
    let b = address.as_slice();
    if !b[..18].iter().all(|x| *x == 0) {
        return None;
    }
    let n = u16::from_be_bytes([b[18], b[19]]);
    exists(fork, n).then_some(n)
}

/// Every precompile address of `fork` (warm from the start of each transaction, EIP-2929).
pub fn addresses(fork: Fork) -> impl Iterator<Item = Address> {
    CANCUN.chain(BLS12_381).chain([P256VERIFY, POSEIDON]).filter(move |n| exists(fork, *n)).map(address)
}

/// The name of precompile `n` (as Ethereum's specs call it), for messages.
pub fn name(n: u16) -> &'static str {
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
        0x0b => "bls12_g1add",
        0x0c => "bls12_g1msm",
        0x0d => "bls12_g2add",
        0x0e => "bls12_g2msm",
        0x0f => "bls12_pairing_check",
        0x10 => "bls12_map_fp_to_g1",
        0x11 => "bls12_map_fp2_to_g2",
        P256VERIFY => "p256verify",
        POSEIDON => "poseidon",
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

/// Runs precompile `n` of `fork` on `input` with `gas_limit`: its gas used and output, or
/// why it halted (out of gas, or an input Ethereum rejects).
fn run(fork: Fork, n: u16, input: &[u8], gas_limit: u64) -> EthPrecompileResult {
    match n {
        0x01 => secp256k1::ec_recover_run(input, gas_limit),
        0x02 => hashes::sha256_run(input, gas_limit),
        0x03 => hashes::ripemd160_run(input, gas_limit),
        0x04 => identity::identity_run(input, gas_limit),
        0x05 if fork.modexp_bounds() => modexp::osaka_run(input, gas_limit),
        0x05 => modexp::berlin_run(input, gas_limit),
        0x06 => bn254::run_add(input, bn254::add::ISTANBUL_ADD_GAS_COST, gas_limit),
        0x07 => bn254::run_mul(input, bn254::mul::ISTANBUL_MUL_GAS_COST, gas_limit),
        0x08 => {
            bn254::run_pair(input, bn254::pair::ISTANBUL_PAIR_PER_POINT, bn254::pair::ISTANBUL_PAIR_BASE, gas_limit)
        }
        0x09 => blake2::run(input, gas_limit),
        0x0a => kzg_point_evaluation::run(input, gas_limit),
        0x0b => g1_add::g1_add(input, gas_limit),
        0x0c => g1_msm::g1_msm(input, gas_limit),
        0x0d => g2_add::g2_add(input, gas_limit),
        0x0e => g2_msm::g2_msm(input, gas_limit),
        0x0f => pairing::pairing(input, gas_limit),
        0x10 => map_fp_to_g1::map_fp_to_g1(input, gas_limit),
        0x11 => map_fp2_to_g2::map_fp2_to_g2(input, gas_limit),
        P256VERIFY => secp256r1::p256_verify_osaka(input, gas_limit),
        POSEIDON => poseidon_run(input, gas_limit),
        _ => Err(revm_precompile::PrecompileHalt::other_static("not a precompile")),
    }
}

/// Poseidon at [`POSEIDON`]: host function 1009's gas for the input's length, checked
/// before the input is read; an input that is not 1 to 12 canonical field elements halts
/// with the reason.
fn poseidon_run(input: &[u8], gas_limit: u64) -> EthPrecompileResult {
    // The host function's charge, its `len` an i32: an input longer than that is invalid
    // anyway and costs at least as much as the longest one.
    let len = u64::try_from(input.len()).unwrap_or(u64::MAX).min(u64::from(u32::MAX));
    let cost = host_abi::charge::charge(HostFn::Poseidon, &[0, len, 0], &host_abi::charge::Facts::WARM).gas;
    if cost > gas_limit {
        return Err(revm_precompile::PrecompileHalt::OutOfGas);
    }
    let hash =
        poseidon::hash_bytes(input).map_err(|e| revm_precompile::PrecompileHalt::other(alloc::format!("{e}")))?;
    Ok(revm_precompile::EthPrecompileOutput::new(cost, hash.to_vec().into()))
}

/// Runs precompile `n` of `fork` as a message call with `gas`: success with its output and
/// `gas - cost` left, or a failure that consumes all gas (out of gas, invalid input).
pub fn execute(fork: Fork, n: u16, input: &[u8], gas: u64) -> FrameResult {
    match run(fork, n, input, gas) {
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

/// Runs a precompile on `input` if `p.code_address` is one in the block's fork. The input is
/// read in place: each precompile checks its gas, computed from the input's length or
/// header, before it reads the rest.
pub fn call<P: Platform>(sys: &mut System<P>, p: &CallParams, input: &[u8]) -> Option<FrameResult> {
    let n = number(sys.block.fork, &p.code_address)?;
    Some(execute(sys.block.fork, n, input, p.gas))
}
