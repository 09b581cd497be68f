//! EIP-7702 authorizations: recovering who signed one, signing one (test tools), and the
//! conversion to and from alloy's signed authorization.

use alloy_consensus::crypto::{secp256k1, SECP256K1N_HALF};
use alloy_eips::eip7702::{Authorization as AlloyAuthorization, SignedAuthorization};
use alloy_primitives::Signature;

use super::decode::SECP256K1N;
use super::TxError;
use crate::env::Authorization;
use crate::primitives::{Address, B256, U256};

/// The account that signed an authorization, as EIP-7702 recovers it: `None` when the y
/// parity is not 0 or 1, `r` is not in `[1, n)`, `s` is not in `[1, n/2]`, or the signature
/// recovers no public key over `keccak256(0x05 ‖ rlp([chain_id, address, nonce]))`.
pub fn recover_authority(
    chain_id: U256,
    address: Address,
    nonce: u64,
    y_parity: u8,
    r: U256,
    s: U256,
) -> Option<Address> {
    if y_parity > 1 || r.is_zero() || r >= SECP256K1N || s.is_zero() || s > SECP256K1N_HALF {
        return None;
    }
    let hash = AlloyAuthorization { chain_id, address, nonce }.signature_hash();
    secp256k1::recover_signer_unchecked(&Signature::new(r, s, y_parity == 1), hash).ok()
}

impl Authorization {
    /// An authorization with its signature, its authority recovered from it
    /// ([`recover_authority`]; `None` for an invalid signature).
    pub fn signed(chain_id: U256, address: Address, nonce: u64, y_parity: u8, r: U256, s: U256) -> Self {
        let authority = recover_authority(chain_id, address, nonce, y_parity, r, s);
        Self { chain_id, address, nonce, y_parity, r, s, authority }
    }

    /// An authorization signed with `secret` (RFC 6979 deterministic ECDSA, low `s`).
    pub fn sign(secret: &B256, chain_id: U256, address: Address, nonce: u64) -> Result<Self, TxError> {
        let hash = AlloyAuthorization { chain_id, address, nonce }.signature_hash();
        let signature = secp256k1::sign_message(*secret, hash).map_err(|_| TxError::BadSecretKey)?;
        Ok(Self::signed(chain_id, address, nonce, u8::from(signature.v()), signature.r(), signature.s()))
    }

    /// The authorization as it is encoded in a transaction.
    pub fn to_alloy(&self) -> SignedAuthorization {
        let inner = AlloyAuthorization { chain_id: self.chain_id, address: self.address, nonce: self.nonce };
        SignedAuthorization::new_unchecked(inner, self.y_parity, self.r, self.s)
    }

    /// An authorization decoded from a transaction, its authority recovered.
    pub fn from_alloy(signed: &SignedAuthorization) -> Self {
        Self::signed(signed.chain_id, signed.address, signed.nonce, signed.y_parity(), signed.r(), signed.s())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first authorization of the execution-spec-tests fixture
    /// `test_account_warming` (Prague): its `signer` field is the authority.
    #[test]
    fn recovers_the_fixture_signer() {
        let r = U256::from_str_radix("4f15ccc0d9bf3764fbd1d8ca5080bed22e1aca53c61134017502c78b4a1bbf44", 16).unwrap();
        let s = U256::from_str_radix("06c20bfe36dc74f3e0175bc9e5b7aac3dc6b2be918b48c26c30a947bd36392bd", 16).unwrap();
        let delegate: Address = "0xfbe95a58917d8536842271e6c811ad8ab4d12280".parse().unwrap();
        let signer: Address = "0x4c27a74c25067330da74487a844de15e7747b7ee".parse().unwrap();
        let auth = Authorization::signed(U256::ZERO, delegate, 0, 1, r, s);
        assert_eq!(auth.authority, Some(signer));
        // The same signature over another nonce recovers someone else; a y parity of 2,
        // `s` above n/2 and a zero `r` recover no one.
        assert_ne!(Authorization::signed(U256::ZERO, delegate, 1, 1, r, s).authority, Some(signer));
        assert_eq!(Authorization::signed(U256::ZERO, delegate, 0, 2, r, s).authority, None);
        assert_eq!(Authorization::signed(U256::ZERO, delegate, 0, 1, r, SECP256K1N - s).authority, None);
        assert_eq!(Authorization::signed(U256::ZERO, delegate, 0, 1, U256::ZERO, s).authority, None);
        assert_eq!(Authorization::signed(U256::ZERO, delegate, 0, 1, SECP256K1N, s).authority, None);
    }

    #[test]
    fn signs_and_round_trips() {
        let secret = B256::repeat_byte(0x45);
        let auth = Authorization::sign(&secret, U256::from(1), Address::repeat_byte(0x22), 7).unwrap();
        assert_eq!(auth.authority, Some(super::super::secret_key_address(&secret).unwrap()));
        assert_eq!(Authorization::from_alloy(&auth.to_alloy()), auth);
    }
}
