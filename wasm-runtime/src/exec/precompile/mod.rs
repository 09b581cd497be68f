//! Precompiles: the contracts at addresses 0x01–0x0a, and the precompile host functions.
//!
//! The hash functions are here already; the others (ecrecover, modexp, bn254, blake2f,
//! KZG) come with the EVM issue and fail clearly until then.

use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::gas::words;
use host_abi::status::{CallStatus, PrecompileStatus};
use sha2::Digest;

use super::{CallParams, FrameResult, System};
use crate::host::{Gas, GuestMemory, HostExit};
use crate::platform::Platform;
use crate::primitives::{Address, Bytes};

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

/// Every precompile address (warm from the start of each transaction, EIP-2929).
pub fn addresses() -> impl Iterator<Item = Address> {
    (1..=LAST).map(|n| {
        let mut a = [0u8; 20];
        a[19] = n;
        Address::from(a)
    })
}

/// keccak256, sha256 or ripemd160 of `input`, as 32 bytes (ripemd160 left-padded).
pub fn hash(f: HostFn, input: &[u8]) -> Result<[u8; 32], HostExit> {
    match f {
        HostFn::Keccak256 => Ok(crate::host::keccak(input)),
        HostFn::Sha256 => Ok(sha2::Sha256::digest(input).into()),
        _ => Err(HostExit::Trap(alloc::format!("{} is not supported yet", f.import_name()))),
    }
}

/// The precompile host functions other than the plain hashes.
pub fn host_call(
    f: HostFn,
    _mem: &mut GuestMemory<'_>,
    _gas: &mut Gas<'_>,
    _args: &[u64],
) -> Result<PrecompileStatus, HostExit> {
    Err(HostExit::Trap(alloc::format!("host function {} is not supported yet", f.import_name())))
}

/// Runs a precompile if `p.code_address` is one.
pub fn call<P: Platform>(_sys: &mut System<P>, p: &CallParams) -> Option<FrameResult> {
    let n = number(&p.code_address)?;
    let run = |cost: u64, out: Vec<u8>| {
        if p.gas < cost {
            FrameResult::failure("out of gas in precompile")
        } else {
            FrameResult {
                status: CallStatus::Success,
                output: Bytes::from(out),
                gas_left: p.gas - cost,
                created: None,
                error: None,
            }
        }
    };
    let len = p.input.len() as u64;
    Some(match n {
        0x02 => run(60 + 12 * words(len), sha2::Sha256::digest(&p.input).to_vec()),
        0x04 => run(15 + 3 * words(len), p.input.to_vec()),
        _ => FrameResult::failure(alloc::format!("precompile {n:#04x} is not supported yet")),
    })
}
