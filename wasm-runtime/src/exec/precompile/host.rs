//! The precompile host functions other than the plain hashes (host-abi 1002, 1004–1009).
//!
//! Every charge is host-abi's ([`host_abi::charge`]). Fixed prices (ecrecover, bn254 add and
//! mul) are charged by [`crate::host::dispatch`] before it calls [`host_call`]; the others
//! (modexp, bn254 pairing, blake2f) are charged here, before the work, blake2f and modexp
//! with what their input says they cost ([`Facts::from_input`]). Inputs
//! are read in place, never copied: modexp's gas comes from its 96-byte header, whatever the
//! input's length, and the input past what the header declares is never touched. An
//! input Ethereum rejects gives [`PrecompileStatus::InvalidInput`] with the gas still
//! charged and nothing written.

use host_abi::charge::Facts;
use host_abi::functions::HostFn;
use host_abi::status::PrecompileStatus;
use revm_precompile::bn254::PAIR_ELEMENT_LEN;

use super::run;
use crate::error::{Fault, Invariant};
use crate::host::{Gas, GuestMemory, HostExit};

/// Input length of ecrecover: hash, v, r, s.
const ECRECOVER_INPUT: u32 = 128;
/// Input length of bn254 add: two G1 points.
const BN254_ADD_INPUT: u32 = 128;
/// Input length of bn254 mul: a G1 point and a scalar.
const BN254_MUL_INPUT: u32 = 96;
/// Input length of blake2f (EIP-152): rounds, h, m, t, f.
const BLAKE2F_INPUT: u32 = 213;

type HostResult<T> = Result<T, HostExit>;

fn arg_u32(args: &[u64], i: usize) -> u32 {
    // Engines pass i32 arguments zero-extended; truncation keeps the 32-bit value.
    (args[i] & 0xFFFF_FFFF) as u32
}

/// Runs precompile `n` whose gas the caller has charged already on the `len` bytes at `ptr`,
/// and writes its output at `out` if it accepted the input.
fn run_prepaid(mem: &mut GuestMemory<'_>, n: u8, (ptr, len): (u32, u32), out: u32) -> HostResult<PrecompileStatus> {
    match run(n, mem.slice(ptr, len)?, u64::MAX) {
        // ecrecover accepts every input, with an empty output for an invalid signature.
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

/// modexp: EIP-2565 gas from the input's header, then the result, which must be exactly
/// `out_len` (the modulus length) bytes.
fn modexp(mem: &mut GuestMemory<'_>, gas: &mut Gas<'_>, args: &[u64]) -> HostResult<PrecompileStatus> {
    let (input_ptr, input_len) = (arg_u32(args, 0), arg_u32(args, 1));
    let (out, out_len) = (arg_u32(args, 2), arg_u32(args, 3));
    // Under Cancun rules modexp halts only for gas: lengths beyond 64 bits cost more than
    // any gas there is. It checks the gas its header asks for before it reads further.
    let result = run(0x05, mem.slice(input_ptr, input_len)?, gas.left()).map_err(|_| exhaust(gas))?;
    gas.pay(HostFn::Modexp, args, &Facts { from_input: result.gas_used, ..Facts::WARM })?;
    if result.bytes.len() != out_len as usize {
        return Ok(PrecompileStatus::InvalidInput);
    }
    mem.write(out, &result.bytes)?;
    Ok(PrecompileStatus::Ok)
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

/// The precompile host functions other than the plain hashes: ecrecover, modexp, bn254
/// add/mul/pairing and blake2f. Poseidon is reserved and traps.
pub fn host_call(
    f: HostFn,
    mem: &mut GuestMemory<'_>,
    gas: &mut Gas<'_>,
    args: &[u64],
) -> Result<PrecompileStatus, HostExit> {
    let a = |i: usize| arg_u32(args, i);
    match f {
        HostFn::Ecrecover => run_prepaid(mem, 0x01, (a(0), ECRECOVER_INPUT), a(1)),
        HostFn::Modexp => modexp(mem, gas, args),
        HostFn::Bn254Add => run_prepaid(mem, 0x06, (a(0), BN254_ADD_INPUT), a(1)),
        HostFn::Bn254Mul => run_prepaid(mem, 0x07, (a(0), BN254_MUL_INPUT), a(1)),
        HostFn::Bn254Pairing => bn254_pairing(mem, gas, args),
        HostFn::Blake2f => blake2f(mem, gas, args),
        HostFn::Poseidon => Err(HostExit::Fail(Fault::UnsupportedHostFunction(f).into())),
        _ => Err(HostExit::Internal(Invariant::Dispatch(f).into())),
    }
}
