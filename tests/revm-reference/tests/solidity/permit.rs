//! EIP-2612 permits: digests, signatures and recovery with k256.

use alloy_primitives::{keccak256, Address, B256};

use crate::abi::*;

/// The address of a secret key.
pub(crate) fn key_address(key: &k256::ecdsa::SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

/// EIP-712 digest of an EIP-2612 permit of the token (name "Zk Token", version 1, chain 1).
pub(crate) fn permit_digest(
    token: Address,
    owner: Address,
    spender: Address,
    value: u64,
    nonce: u64,
    deadline: u64,
) -> B256 {
    let domain = domain_separator(token);
    let permit = topic("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    let hash = keccak256(encode(&[word(permit), addr(owner), addr(spender), num(value), num(nonce), num(deadline)]));
    let mut message = vec![0x19, 0x01];
    message.extend_from_slice(domain.as_slice());
    message.extend_from_slice(hash.as_slice());
    keccak256(&message)
}

pub(crate) fn domain_separator(token: Address) -> B256 {
    let ty = topic("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    keccak256(encode(&[word(ty), word(keccak256(b"Zk Token")), word(keccak256(b"1")), num(1), addr(token)]))
}

/// A low-s signature of `digest`: (v, r, s) as ecrecover takes them.
pub(crate) fn sign(key: &k256::ecdsa::SigningKey, digest: B256) -> (u64, B256, B256) {
    let (mut sig, mut id) = key.sign_prehash_recoverable(digest.as_slice()).expect("signing");
    if let Some(low) = sig.normalize_s() {
        sig = low;
        id = k256::ecdsa::RecoveryId::new(!id.is_y_odd(), id.is_x_reduced());
    }
    let bytes = sig.to_bytes();
    (27 + u64::from(id.to_byte()), B256::from_slice(&bytes[..32]), B256::from_slice(&bytes[32..]))
}

/// The address ecrecover yields for `digest` and a signature made for another digest.
pub(crate) fn recover(digest: B256, (v, r, s): (u64, B256, B256)) -> Address {
    let mut rs = r.to_vec();
    rs.extend_from_slice(s.as_slice());
    let sig = k256::ecdsa::Signature::from_slice(&rs).unwrap();
    let id = k256::ecdsa::RecoveryId::from_byte((v - 27) as u8).unwrap();
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest.as_slice(), &sig, id).unwrap();
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}
