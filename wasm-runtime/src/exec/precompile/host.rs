//! The precompile host functions other than the plain hashes (host-abi 1002, 1004–1017).
//!
//! Every charge is host-abi's ([`host_abi::charge`]). Fixed prices (ecrecover, bn254 add and
//! mul, the BLS12-381 additions and maps, p256verify) are charged by
//! [`crate::host::dispatch`] before it calls [`host_call`]; the others (modexp, the pairings,
//! the BLS12-381 MSMs, blake2f, poseidon) are charged here, before the work: blake2f and
//! modexp with what their input says they cost, the MSMs with EIP-2537's discounted price of
//! their pair count ([`Facts::from_input`]). Inputs are read in place, never copied: modexp's
//! gas comes from its 96-byte header, whatever the input's length, and the input past what
//! the header declares is never touched. An input Ethereum rejects gives
//! [`PrecompileStatus::InvalidInput`] with the gas still charged and nothing written. modexp
//! follows the block's fork as precompile 0x05 does; the other functions are the same in
//! every fork.

use host_abi::charge::Facts;
use host_abi::functions::HostFn;
use host_abi::status::PrecompileStatus;
use revm_precompile::bls12_381_const::{
    DISCOUNT_TABLE_G1_MSM, DISCOUNT_TABLE_G2_MSM, G1_ADD_INPUT_LENGTH, G1_MSM_BASE_GAS_FEE, G1_MSM_INPUT_LENGTH,
    G2_ADD_INPUT_LENGTH, G2_MSM_BASE_GAS_FEE, G2_MSM_INPUT_LENGTH, PADDED_FP2_LENGTH, PADDED_FP_LENGTH,
};
use revm_precompile::bls12_381_utils::msm_required_gas;
use revm_precompile::bn254::PAIR_ELEMENT_LEN;
use revm_precompile::PrecompileHalt;

use super::{poseidon, run, P256VERIFY};
use crate::error::{Fault, Invariant};
use crate::fork::Fork;
use crate::host::{Gas, GuestMemory, HostExit};

/// Input length of ecrecover: hash, v, r, s.
const ECRECOVER_INPUT: u32 = 128;
/// Input length of bn254 add: two G1 points.
const BN254_ADD_INPUT: u32 = 128;
/// Input length of bn254 mul: a G1 point and a scalar.
const BN254_MUL_INPUT: u32 = 96;
/// Input length of blake2f (EIP-152): rounds, h, m, t, f.
const BLAKE2F_INPUT: u32 = 213;
/// Input length of p256verify (EIP-7951): hash, r, s, public key x and y.
const P256_VERIFY_INPUT: u32 = 160;

/// An input length of revm-precompile's as a guest length (all are a few hundred bytes).
const fn len32(n: usize) -> u32 {
    assert!(n <= u32::MAX as usize);
    n as u32
}

type HostResult<T> = Result<T, HostExit>;

fn arg_u32(args: &[u64], i: usize) -> u32 {
    // Engines pass i32 arguments zero-extended; truncation keeps the 32-bit value.
    (args[i] & 0xFFFF_FFFF) as u32
}

/// Runs precompile `n` whose gas the caller has charged already on the `len` bytes at `ptr`,
/// and writes its output at `out` if it accepted the input. (Only modexp differs between
/// forks, and it is not run here: the fork is the latest's.)
fn run_prepaid(mem: &mut GuestMemory<'_>, n: u16, (ptr, len): (u32, u32), out: u32) -> HostResult<PrecompileStatus> {
    match run(Fork::Osaka, n, mem.slice(ptr, len)?, u64::MAX) {
        // ecrecover and p256verify accept every input, with an empty output for an invalid
        // signature.
        Ok(result) if !result.bytes.is_empty() => {
            mem.write(out, &result.bytes)?;
            Ok(PrecompileStatus::Ok)
        }
        Ok(_) | Err(_) => Ok(PrecompileStatus::InvalidInput),
    }
}

/// Uses up all gas of the frame.
fn exhaust(gas: &mut Gas<'_>) -> HostExit {
    *gas.0 = 0;
    HostExit::OutOfGas
}

/// modexp: the gas of the block's fork from the input's header (EIP-2565, from Osaka
/// EIP-7883), then the result, which must be exactly `out_len` (the modulus length) bytes.
/// From Osaka a length over 1024 bytes (EIP-7823) fails the call, all gas used, as 0x05 does.
fn modexp(fork: Fork, mem: &mut GuestMemory<'_>, gas: &mut Gas<'_>, args: &[u64]) -> HostResult<PrecompileStatus> {
    let (input_ptr, input_len) = (arg_u32(args, 0), arg_u32(args, 1));
    let (out, out_len) = (arg_u32(args, 2), arg_u32(args, 3));
    // modexp checks the gas its header asks for before it reads further. Before Osaka it
    // halts only for gas (lengths beyond 64 bits cost more than any gas there is); from
    // Osaka also for a length over EIP-7823's bound.
    let result = match run(fork, 0x05, mem.slice(input_ptr, input_len)?, gas.left()) {
        Ok(result) => result,
        Err(PrecompileHalt::OutOfGas) => return Err(exhaust(gas)),
        Err(_) if !fork.modexp_bounds() => return Err(exhaust(gas)),
        Err(halt) => {
            *gas.0 = 0;
            return Err(HostExit::Fail(Fault::Precompile { address: 0x05, halt }.into()));
        }
    };
    gas.pay(HostFn::Modexp, args, &Facts { from_input: result.gas_used, ..Facts::WARM })?;
    if result.bytes.len() != out_len as usize {
        return Ok(PrecompileStatus::InvalidInput);
    }
    mem.write(out, &result.bytes)?;
    Ok(PrecompileStatus::Ok)
}

/// A BLS12-381 MSM (`n` 0x0c or 0x0e): EIP-2537's discounted price of the whole pairs in
/// `len`, at least one (an input shorter than a pair, which Ethereum rejects, would cost
/// nothing otherwise: a host call for free), charged before the length is checked; writes
/// one point.
fn bls12_msm(
    n: u16,
    f: HostFn,
    mem: &mut GuestMemory<'_>,
    gas: &mut Gas<'_>,
    args: &[u64],
) -> HostResult<PrecompileStatus> {
    let (input_ptr, len, out) = (arg_u32(args, 0), arg_u32(args, 1), arg_u32(args, 2));
    let (pair, table, base) = if n == 0x0c {
        (G1_MSM_INPUT_LENGTH, &DISCOUNT_TABLE_G1_MSM, G1_MSM_BASE_GAS_FEE)
    } else {
        (G2_MSM_INPUT_LENGTH, &DISCOUNT_TABLE_G2_MSM, G2_MSM_BASE_GAS_FEE)
    };
    let price = msm_required_gas((len as usize / pair).max(1), table, base);
    gas.pay(f, args, &Facts { from_input: price, ..Facts::WARM })?;
    run_prepaid(mem, n, (input_ptr, len), out)
}

/// BLS12-381 pairing check: a base and a price per whole pair of the input (EIP-2537),
/// charged before the length is checked; writes a 32-byte 0 or 1.
fn bls12_pairing(mem: &mut GuestMemory<'_>, gas: &mut Gas<'_>, args: &[u64]) -> HostResult<PrecompileStatus> {
    gas.pay(HostFn::Bls12Pairing, args, &Facts::WARM)?;
    run_prepaid(mem, 0x0f, (arg_u32(args, 0), arg_u32(args, 1)), arg_u32(args, 2))
}

/// Poseidon: charged per element of `len` (host-abi's rule) before the input is read; a
/// length that is not 1 to 12 elements or an element not below the modulus is invalid.
fn poseidon(mem: &mut GuestMemory<'_>, gas: &mut Gas<'_>, args: &[u64]) -> HostResult<PrecompileStatus> {
    gas.pay(HostFn::Poseidon, args, &Facts::WARM)?;
    match poseidon::hash_bytes(mem.slice(arg_u32(args, 0), arg_u32(args, 1))?) {
        Ok(hash) => {
            mem.write(arg_u32(args, 2), &hash)?;
            Ok(PrecompileStatus::Ok)
        }
        Err(_) => Ok(PrecompileStatus::InvalidInput),
    }
}

/// bn254 pairing: a base and a price per whole pair of the input (EIP-1108), charged before
/// the length is checked; writes a 32-byte 0 or 1.
fn bn254_pairing(mem: &mut GuestMemory<'_>, gas: &mut Gas<'_>, args: &[u64]) -> HostResult<PrecompileStatus> {
    let (input_ptr, len, out) = (arg_u32(args, 0), arg_u32(args, 1), arg_u32(args, 2));
    gas.pay(HostFn::Bn254Pairing, args, &Facts::WARM)?;
    if !(len as usize).is_multiple_of(PAIR_ELEMENT_LEN) {
        return Ok(PrecompileStatus::InvalidInput);
    }
    run_prepaid(mem, 0x08, (input_ptr, len), out)
}

/// blake2f: priced per round (EIP-152), the rounds read from the input, charged before the
/// final flag is checked.
fn blake2f(mem: &mut GuestMemory<'_>, gas: &mut Gas<'_>, args: &[u64]) -> HostResult<PrecompileStatus> {
    let rounds = u32::from_be_bytes(mem.read_array::<4>(arg_u32(args, 0))?);
    // The whole input must be in memory before anything is charged.
    mem.slice(arg_u32(args, 0), BLAKE2F_INPUT)?;
    gas.pay(HostFn::Blake2f, args, &Facts { from_input: u64::from(rounds), ..Facts::WARM })?;
    run_prepaid(mem, 0x09, (arg_u32(args, 0), BLAKE2F_INPUT), arg_u32(args, 1))
}

/// The precompile host functions other than the plain hashes: ecrecover, modexp (by the rules
/// of `fork`), bn254 add/mul/pairing, blake2f, poseidon, BLS12-381 and p256verify.
pub fn host_call(
    f: HostFn,
    fork: Fork,
    mem: &mut GuestMemory<'_>,
    gas: &mut Gas<'_>,
    args: &[u64],
) -> Result<PrecompileStatus, HostExit> {
    let a = |i: usize| arg_u32(args, i);
    match f {
        HostFn::Ecrecover => run_prepaid(mem, 0x01, (a(0), ECRECOVER_INPUT), a(1)),
        HostFn::Modexp => modexp(fork, mem, gas, args),
        HostFn::Bn254Add => run_prepaid(mem, 0x06, (a(0), BN254_ADD_INPUT), a(1)),
        HostFn::Bn254Mul => run_prepaid(mem, 0x07, (a(0), BN254_MUL_INPUT), a(1)),
        HostFn::Bn254Pairing => bn254_pairing(mem, gas, args),
        HostFn::Blake2f => blake2f(mem, gas, args),
        HostFn::Poseidon => poseidon(mem, gas, args),
        HostFn::Bls12G1Add => run_prepaid(mem, 0x0b, (a(0), len32(G1_ADD_INPUT_LENGTH)), a(1)),
        HostFn::Bls12G1Msm => bls12_msm(0x0c, f, mem, gas, args),
        HostFn::Bls12G2Add => run_prepaid(mem, 0x0d, (a(0), len32(G2_ADD_INPUT_LENGTH)), a(1)),
        HostFn::Bls12G2Msm => bls12_msm(0x0e, f, mem, gas, args),
        HostFn::Bls12Pairing => bls12_pairing(mem, gas, args),
        HostFn::Bls12MapFpToG1 => run_prepaid(mem, 0x10, (a(0), len32(PADDED_FP_LENGTH)), a(1)),
        HostFn::Bls12MapFp2ToG2 => run_prepaid(mem, 0x11, (a(0), len32(PADDED_FP2_LENGTH)), a(1)),
        HostFn::P256Verify => run_prepaid(mem, P256VERIFY, (a(0), P256_VERIFY_INPUT), a(1)),
        _ => Err(HostExit::Internal(Invariant::Dispatch(f).into())),
    }
}
