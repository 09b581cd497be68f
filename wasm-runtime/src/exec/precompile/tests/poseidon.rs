//! Poseidon (host function 1009): circomlib's published hashes, light-poseidon's for every
//! width, rejected inputs, and the host function's gas, status and memory checks.

use alloc::vec::Vec;

use ark_bn254::Fr;
use host_abi::functions::HostFn;
use host_abi::gas::{GasRule, POSEIDON_BASE, POSEIDON_ELEMENT};
use host_abi::status::PrecompileStatus;
use light_poseidon::{Poseidon, PoseidonBytesHasher};

use super::super::poseidon::{hash, hash_bytes, PoseidonError, MAX_INPUTS};
use super::host::{host, host_in, GAS, I, O};
use super::{unhex, word};
use crate::fork::Fork;
use crate::host::HostExit;

/// The BN254 scalar field's modulus r, big-endian.
const R: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

#[test]
fn circomlib_vectors() {
    // circomlibjs' poseidon([1]), poseidon([1, 2]) and poseidon([1, 2, 3, 4]).
    assert_eq!(
        hash(&[word(1)]).unwrap().to_vec(),
        unhex("29176100eaa962bdc1fe6c654d6a3c130e96a4d1168b33848b897dc502820133")
    );
    assert_eq!(
        hash(&[word(1), word(2)]).unwrap().to_vec(),
        unhex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a")
    );
    assert_eq!(
        hash(&[word(1), word(2), word(3), word(4)]).unwrap().to_vec(),
        unhex("299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465")
    );
}

#[test]
fn light_poseidon_vectors() {
    // light-poseidon's own test: 32 bytes of 1s and of 2s.
    let expected = [
        13, 84, 225, 147, 143, 138, 140, 28, 125, 235, 94, 3, 85, 242, 99, 25, 32, 123, 132, 254, 156, 162, 206, 27,
        38, 231, 53, 200, 41, 130, 25, 144,
    ];
    assert_eq!(hash(&[[1u8; 32], [2u8; 32]]).unwrap(), expected);
}

#[test]
fn every_width_matches_light_poseidon() {
    // 1 to 12 inputs, of small, large and mixed values.
    let mut r_minus_1: [u8; 32] = unhex(R).try_into().unwrap();
    r_minus_1[31] -= 1;
    for n in 1..=MAX_INPUTS {
        for pattern in 0..3u8 {
            let inputs: Vec<[u8; 32]> = (0..n)
                .map(|i| match pattern {
                    0 => word(i as u64 + 1),
                    1 => r_minus_1,
                    _ => {
                        let mut w = [0u8; 32];
                        w[1..].fill(0x5a ^ i as u8);
                        w
                    }
                })
                .collect();
            let slices: Vec<&[u8]> = inputs.iter().map(|w| w.as_slice()).collect();
            let want = Poseidon::<Fr>::new_circom(n).unwrap().hash_bytes_be(&slices).unwrap();
            assert_eq!(hash(&inputs).unwrap(), want, "{n} inputs, pattern {pattern}");
            assert_eq!(hash_bytes(&inputs.concat()).unwrap(), want);
        }
    }
}

#[test]
fn bad_inputs_are_rejected() {
    assert_eq!(hash(&[]), Err(PoseidonError::Count(0)));
    assert_eq!(hash(&[word(1); 13]), Err(PoseidonError::Count(13)));
    assert_eq!(hash_bytes(&[0u8; 33]), Err(PoseidonError::Length(33)));
    assert_eq!(hash_bytes(&[]), Err(PoseidonError::Count(0)));
    // The modulus itself and anything above it: not reduced, rejected, naming the element.
    let r: [u8; 32] = unhex(R).try_into().unwrap();
    assert_eq!(hash(&[word(1), r]), Err(PoseidonError::NotCanonical(1)));
    assert_eq!(hash(&[[0xff; 32]]), Err(PoseidonError::NotCanonical(0)));
    let msg = alloc::format!("{}", PoseidonError::NotCanonical(1));
    assert!(msg.contains("input 1") && msg.contains("modulus"), "{msg}");
}

#[test]
fn poseidon_host_function() {
    assert_eq!(HostFn::Poseidon.gas(), GasRule::Copy { base: POSEIDON_BASE, per_word: POSEIDON_ELEMENT });
    let two = POSEIDON_BASE + 2 * POSEIDON_ELEMENT;
    let input = [word(1), word(2)].concat();
    let r = host(HostFn::Poseidon, &input, GAS, &[I, 64, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::Ok, two));
    assert_eq!(r.out(32), unhex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"));
    // The same in every fork.
    let r = host_in(Fork::Osaka, HostFn::Poseidon, &input, GAS, &[I, 64, O]);
    assert_eq!(r.out(32), unhex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"));
    // Invalid: gas charged per word of `len`, nothing written.
    let r = host(HostFn::Poseidon, &input, GAS, &[I, 63, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, two));
    assert!(r.untouched(32));
    let r = host(HostFn::Poseidon, &[], GAS, &[I, 0, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, POSEIDON_BASE));
    let thirteen = word(1).repeat(13);
    let r = host(HostFn::Poseidon, &thirteen, GAS, &[I, 13 * 32, O]);
    assert_eq!((r.status(), r.gas_used), (PrecompileStatus::InvalidInput, POSEIDON_BASE + 13 * POSEIDON_ELEMENT));
    let r = host(HostFn::Poseidon, &[word(1).to_vec(), unhex(R)].concat(), GAS, &[I, 64, O]);
    assert_eq!(r.status(), PrecompileStatus::InvalidInput);
    assert!(r.untouched(32));
    // One gas short: out of gas, all of it used.
    let r = host(HostFn::Poseidon, &input, two - 1, &[I, 64, O]);
    assert_eq!((r.result, r.gas_used), (Err(HostExit::OutOfGas), two - 1));
}

#[test]
fn poseidon_by_address() {
    use super::super::{addresses, name, number, POSEIDON};
    use super::{assert_fails_in, precompile_address, run_ok_in};
    use host_abi::charge::{charge, Facts};
    // zkos's own, in host-abi's reserved range, on every fork.
    assert_eq!(Some(POSEIDON), HostFn::Poseidon.precompile_address());
    assert!(host_abi::functions::ZKOS_PRECOMPILES.contains(&POSEIDON));
    assert_eq!(name(POSEIDON), "poseidon");
    for fork in Fork::ALL {
        assert_eq!(number(fork, &precompile_address(POSEIDON)), Some(POSEIDON), "{fork}");
        assert!(addresses(fork).any(|a| a == precompile_address(POSEIDON)), "{fork}");
        let (out, gas) = run_ok_in(fork, POSEIDON, &[word(1), word(2)].concat());
        assert_eq!(out, unhex("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"));
        assert_eq!(gas, 2 * POSEIDON_ELEMENT);
    }
    // The rest of the range is no precompile.
    assert_eq!(number(Fork::Osaka, &precompile_address(POSEIDON + 1)), None);
    // The host function's gas for every valid length, the same hash as the function.
    for n in 1..=MAX_INPUTS {
        let input: Vec<u8> = (0..n as u64).flat_map(|i| word(i * 7 + 3)).collect();
        let (out, gas) = run_ok_in(Fork::Osaka, POSEIDON, &input);
        assert_eq!(gas, charge(HostFn::Poseidon, &[0, input.len() as u64, 0], &Facts::WARM).gas, "{n}");
        assert_eq!(out, hash_bytes(&input).unwrap().to_vec());
    }
    // Bad inputs fail the call with the reason, all gas used; too little gas is out of gas.
    let r = unhex(R);
    for (input, why) in [
        (Vec::new(), "poseidon: 0 inputs, not 1 to 12"),
        (alloc::vec![1u8; 33], "poseidon: 33 bytes of input, not a multiple of 32"),
        (word(1).repeat(13), "poseidon: 13 inputs, not 1 to 12"),
        ([word(1).to_vec(), r].concat(), "poseidon: input 1 is not below the BN254 scalar field's modulus"),
    ] {
        // More than 13 elements' price: the input is rejected for its reason, not for gas.
        let halt = assert_fails_in(Fork::Cancun, POSEIDON, &input, 14 * POSEIDON_ELEMENT);
        assert_eq!(alloc::format!("{halt}"), why);
    }
    let halt = assert_fails_in(Fork::Osaka, POSEIDON, &[word(1), word(2)].concat(), 2 * POSEIDON_ELEMENT - 1);
    assert!(halt.is_oog());
}
