//! The accelerators as the system layer uses them: keccak256 over the keccak-f\[1600\]
//! machine call, sender recovery over the secp256k1 machine call, and SHA-256 over the
//! SHA-256 compression machine call.
//!
//! alloy-primitives built with `native-keccak` computes every `keccak256` (the system
//! layer's, the trie's, the KECCAK256 opcode's) by calling [`native_keccak256`]; alloy-consensus
//! built with `crypto-backend` recovers every signer (transaction senders, EIP-7702
//! authorities) through the provider [`install`] sets, and so does the ecrecover precompile
//! (0x01, and the `ecrecover` host function), through revm-precompile's crypto provider that
//! [`install`] sets too. That provider also computes SHA-256 (precompile 0x02 and the
//! `sha256` host function), one machine call per 64-byte block. Nothing else changes: the same
//! crates run on the host with their software implementations.

use alloc::sync::Arc;

use alloy_consensus::crypto::{install_default_provider, CryptoProvider, RecoveryError};
use alloy_primitives::{keccak256, Address};

use wasm_runtime::exec::precompile::{install_crypto, sha256, Crypto, PrecompileHalt};

use crate::platform;

/// keccak256's rate in bytes (1088 bits).
const RATE: usize = 136;

/// XORs one rate-sized block into the state's first 17 lanes.
#[inline(always)]
fn absorb(state: &mut [u64; 25], block: &[u8]) {
    for (lane, bytes) in state.iter_mut().zip(block.chunks_exact(8)) {
        *lane ^= u64::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]]);
    }
}

/// alloy-primitives' hook (feature `native-keccak`): the keccak256 of the `len` bytes at
/// `bytes`, written to the 32 bytes at `output`.
///
/// # Safety
/// `bytes` must be valid for `len` bytes of reads, `output` for 32 bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn native_keccak256(bytes: *const u8, len: usize, output: *mut u8) {
    // SAFETY: the caller's contract.
    let data = unsafe { core::slice::from_raw_parts(bytes, len) };
    let mut state = [0u64; 25];
    let mut blocks = data.chunks_exact(RATE);
    for block in &mut blocks {
        absorb(&mut state, block);
        platform::keccak_f1600(&mut state);
    }
    let rest = blocks.remainder();
    let mut last = [0u8; RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    absorb(&mut state, &last);
    platform::keccak_f1600(&mut state);
    let mut out = [0u8; 32];
    for (bytes, lane) in out.chunks_exact_mut(8).zip(&state) {
        bytes.copy_from_slice(&lane.to_le_bytes());
    }
    // SAFETY: the caller's contract.
    unsafe { core::ptr::copy_nonoverlapping(out.as_ptr(), output, 32) };
}

/// Signature recovery through the machine.
struct MachineRecovery;

impl CryptoProvider for MachineRecovery {
    fn recover_signer_unchecked(&self, sig: &[u8; 65], msg: &[u8; 32]) -> Result<Address, RecoveryError> {
        let mut rs = [0u8; 64];
        rs.copy_from_slice(&sig[..64]);
        let key = platform::secp256k1_recover(msg, &rs, sig[64]).ok_or_else(RecoveryError::new)?;
        Ok(Address::from_slice(&keccak256(key)[12..]))
    }

    fn verify_and_compute_signer_unchecked(
        &self,
        pubkey: &[u8; 65],
        sig: &[u8; 64],
        msg: &[u8; 32],
    ) -> Result<Address, RecoveryError> {
        use k256::ecdsa::signature::hazmat::PrehashVerifier;
        use k256::ecdsa::{Signature, VerifyingKey};
        let key = VerifyingKey::from_sec1_bytes(pubkey).map_err(|_| RecoveryError::new())?;
        let signature = Signature::from_slice(sig).map_err(|_| RecoveryError::new())?;
        key.verify_prehash(msg, &signature).map_err(|_| RecoveryError::new())?;
        Ok(Address::from_slice(&keccak256(&pubkey[1..])[12..]))
    }
}

/// The precompiles' crypto provider: revm-precompile's software implementations, but
/// ecrecover's signer recovery and SHA-256's compression by the machine (the other methods
/// keep their defaults).
#[derive(Debug)]
struct PrecompileCrypto;

impl Crypto for PrecompileCrypto {
    /// ecrecover (0x01): `sig` is `r ‖ s`, `recid` 0 or 1 (the precompile checked `v`). As
    /// revm-precompile's own recovery does, the machine call takes an `s` in the upper half
    /// of the order as `n - s` with the recovery id flipped (ecrecover has no EIP-2 bound),
    /// and refuses `r` or `s` zero or not below the order. The output word is the address,
    /// left-padded with zeros.
    fn secp256k1_ecrecover(&self, sig: &[u8; 64], recid: u8, msg: &[u8; 32]) -> Result<[u8; 32], PrecompileHalt> {
        let key = platform::secp256k1_recover(msg, sig, recid).ok_or(PrecompileHalt::Secp256k1RecoverFailed)?;
        let mut out = keccak256(key).0;
        out[..12].fill(0);
        Ok(out)
    }

    /// sha256 (0x02, and the `sha256` host function): the padding here, each block
    /// compressed by the machine.
    fn sha256(&self, input: &[u8]) -> [u8; 32] {
        sha256::digest_with(input, platform::sha256_compress)
    }
}

/// Routes alloy-consensus's signature recovery, the ecrecover precompile's and SHA-256 to the
/// machine.
pub fn install() {
    // Installed once, at the start: neither can be set already.
    let _ = install_default_provider(Arc::new(MachineRecovery));
    let _ = install_crypto(PrecompileCrypto);
}
