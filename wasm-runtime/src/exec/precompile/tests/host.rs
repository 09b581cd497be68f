//! The precompile host functions, through the host dispatcher: output written to memory,
//! gas charged, status codes, traps.

use alloc::vec::Vec;

use host_abi::functions::HostFn;
use host_abi::gas::GasRule;
use host_abi::status::PrecompileStatus;

use super::bn254::{g1, g2, neg_g1, two_g1};
use super::calls::{blake2f_input, modexp_input, BLAKE2B_ABC};
use super::{system, unhex, word};
use crate::error::Fault;
use crate::exec::Frame;
use crate::fork::Fork;
use crate::host::{dispatch, HostExit, Reply};

/// Where tests put the input, and where the output goes.
pub(super) const IN: u32 = 0x100;
pub(super) const OUT: u32 = 0x8000;
/// Guest memory size.
pub(super) const MEM: usize = 0x10000;
/// What unwritten output memory holds.
const FILL: u8 = 0xee;

pub(super) struct Run {
    pub(super) result: Result<u64, HostExit>,
    pub(super) gas_used: u64,
    mem: Vec<u8>,
}

impl Run {
    pub(super) fn status(&self) -> PrecompileStatus {
        match self.result {
            Ok(0) => PrecompileStatus::Ok,
            Ok(1) => PrecompileStatus::InvalidInput,
            ref other => panic!("not a precompile status: {other:?}"),
        }
    }

    pub(super) fn out(&self, len: usize) -> &[u8] {
        &self.mem[OUT as usize..OUT as usize + len]
    }

    pub(super) fn untouched(&self, len: usize) -> bool {
        self.out(len).iter().all(|b| *b == FILL)
    }
}

/// Calls host function `f` with `input` at [`IN`], `gas`, and `args`, in a Cancun block.
pub(super) fn host(f: HostFn, input: &[u8], gas: u64, args: &[u64]) -> Run {
    host_in(Fork::Cancun, f, input, gas, args)
}

/// Calls host function `f` with `input` at [`IN`], `gas`, and `args`, in a block of `fork`.
pub(super) fn host_in(fork: Fork, f: HostFn, input: &[u8], gas: u64, args: &[u64]) -> Run {
    let mut sys = system(fork);
    let mut frame = Frame::default();
    let mut mem = alloc::vec![0u8; MEM];
    mem[IN as usize..IN as usize + input.len()].copy_from_slice(input);
    mem[OUT as usize..].fill(FILL);
    let mut left = gas;
    let result = dispatch(&mut sys, &mut frame, &[], &mut mem, &mut left, f, args).map(|reply| match reply {
        Reply::Value(v) => v,
        Reply::Suspend(r) => panic!("a precompile host function asked for a frame: {r:?}"),
    });
    Run { result, gas_used: gas - left, mem }
}

pub(super) const GAS: u64 = 1_000_000;
pub(super) const I: u64 = IN as u64;
pub(super) const O: u64 = OUT as u64;

#[test]
fn fixed_costs_in_host_abi_match_the_precompiles() {
    assert_eq!(HostFn::Ecrecover.gas(), GasRule::Fixed(3000));
    assert_eq!(HostFn::Bn254Add.gas(), GasRule::Fixed(150));
    assert_eq!(HostFn::Bn254Mul.gas(), GasRule::Fixed(6000));
    assert_eq!(HostFn::Sha256.gas(), GasRule::Copy { base: 60, per_word: 12 });
    assert_eq!(HostFn::Ripemd160.gas(), GasRule::Copy { base: 600, per_word: 120 });
}

#[test]
fn hashes_write_32_bytes() {
    let r = host(HostFn::Sha256, b"abc", GAS, &[I, 3, O]);
    assert_eq!(r.result, Ok(0));
    assert_eq!(r.out(32), unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    assert_eq!(r.gas_used, 72);
    let r = host(HostFn::Ripemd160, b"", GAS, &[I, 0, O]);
    assert_eq!(r.out(32), unhex("0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"));
    assert_eq!(r.gas_used, 600);
    let r = host(HostFn::Ripemd160, b"abc", GAS, &[I, 3, O]);
    assert_eq!(r.out(32), unhex("0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc"));
    assert_eq!(r.gas_used, 720);
    assert_eq!(host(HostFn::Ripemd160, b"abc", 719, &[I, 3, O]).result, Err(HostExit::OutOfGas));
    let r = host(HostFn::Keccak256, b"", GAS, &[I, 0, O]);
    assert_eq!(r.out(32), unhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
}

#[test]
fn ecrecover_host() {
    let input = unhex(
        "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c
         000000000000000000000000000000000000000000000000000000000000001c
         73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f
         eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
    );
    let r = host(HostFn::Ecrecover, &input, GAS, &[I, O]);
    assert_eq!(r.status(), PrecompileStatus::Ok);
    assert_eq!(r.out(32), unhex("000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"));
    assert_eq!(r.gas_used, 3000);
    // An invalid signature: status 1, gas charged, nothing written.
    let mut bad = input.clone();
    bad[63] = 29;
    let r = host(HostFn::Ecrecover, &bad, GAS, &[I, O]);
    assert_eq!(r.status(), PrecompileStatus::InvalidInput);
    assert_eq!(r.gas_used, 3000);
    assert!(r.untouched(32));
    let r = host(HostFn::Ecrecover, &input, 2999, &[I, O]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), 2999));
}

#[test]
fn modexp_host() {
    let p = unhex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    let p_minus_1 = unhex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e");
    let input = modexp_input(&[3], &p_minus_1, &p);
    let len = input.len() as u64;
    let r = host(HostFn::Modexp, &input, GAS, &[I, len, O, 32]);
    assert_eq!(r.status(), PrecompileStatus::Ok);
    assert_eq!(r.out(32), word(1));
    assert_eq!(r.gas_used, 1360);
    // The output length must be the modulus length.
    let r = host(HostFn::Modexp, &input, GAS, &[I, len, O, 31]);
    assert_eq!(r.status(), PrecompileStatus::InvalidInput);
    assert_eq!(r.gas_used, 1360);
    assert!(r.untouched(32));
    // One gas short: out of gas, all gas used.
    let r = host(HostFn::Modexp, &input, 1359, &[I, len, O, 32]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), 1359));
    // A huge base length: out of gas.
    let mut huge = [0xffu8; 32].to_vec();
    huge.extend_from_slice(&word(1));
    huge.extend_from_slice(&word(1));
    let r = host(HostFn::Modexp, &huge, GAS, &[I, 96, O, 1]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), GAS));
    // An empty modulus: nothing to write, minimum gas.
    let input = modexp_input(&[2], &[2], &[]);
    let r = host(HostFn::Modexp, &input, GAS, &[I, input.len() as u64, O, 0]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 200));
    assert!(r.untouched(1));
}

#[test]
fn bn254_host() {
    let r = host(HostFn::Bn254Add, &[g1(), g1()].concat(), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 150));
    assert_eq!(r.out(64), two_g1());
    let off_curve = [word(1), word(3), word(1), word(2)].concat();
    let r = host(HostFn::Bn254Add, &off_curve, GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 150));
    assert!(r.untouched(64));

    let r = host(HostFn::Bn254Mul, &[g1(), word(2).to_vec()].concat(), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 6000));
    assert_eq!(r.out(64), two_g1());
    let r = host(HostFn::Bn254Mul, &[g1(), word(2).to_vec()].concat(), 5999, &[I, O]);
    assert_eq!(r.result, Err(HostExit::OutOfGas));

    let pairs = [g1(), g2(), neg_g1(), g2()].concat();
    let r = host(HostFn::Bn254Pairing, &pairs, GAS, &[I, 384, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 113_000));
    assert_eq!(r.out(32), word(1));
    let r = host(HostFn::Bn254Pairing, &[g1(), g2()].concat(), GAS, &[I, 192, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 79_000));
    assert_eq!(r.out(32), word(0));
    let r = host(HostFn::Bn254Pairing, &[], GAS, &[I, 0, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 45_000));
    assert_eq!(r.out(32), word(1));
    // A length that is not a multiple of 192: the gas of the whole pairs is charged.
    let r = host(HostFn::Bn254Pairing, &pairs, GAS, &[I, 383, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 79_000));
    assert!(r.untouched(32));
    let r = host(HostFn::Bn254Pairing, &pairs, 112_999, &[I, 384, O]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), 112_999));
}

#[test]
fn blake2f_host() {
    let r = host(HostFn::Blake2f, &blake2f_input(12, 1), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, 12));
    assert_eq!(r.out(64), unhex(BLAKE2B_ABC));
    let r = host(HostFn::Blake2f, &blake2f_input(12, 2), GAS, &[I, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, 12));
    assert!(r.untouched(64));
    let r = host(HostFn::Blake2f, &blake2f_input(u32::MAX, 1), GAS, &[I, O]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), GAS));
}

#[test]
fn memory_is_checked() {
    // Output past the end of memory traps, naming the offset.
    let r = host(HostFn::Bn254Add, &[g1(), g1()].concat(), GAS, &[I, MEM as u64 - 32]);
    let bad_output = Fault::MemoryAccess { offset: MEM as u32 - 32, len: 64, size: MEM as u64 };
    assert_eq!(r.result, Err(HostExit::Fail(bad_output.into())));
    // Input past the end of memory traps.
    let r = host(HostFn::Ecrecover, &[], GAS, &[MEM as u64 - 100, O]);
    let bad_input = Fault::MemoryAccess { offset: MEM as u32 - 100, len: 128, size: MEM as u64 };
    assert_eq!(r.result, Err(HostExit::Fail(bad_input.into())));
}
