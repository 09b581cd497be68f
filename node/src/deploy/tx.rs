//! The deploy transaction: EIP-1559, no recipient, signed with secp256k1 (k256) and encoded
//! as EIP-2718 bytes for `eth_sendRawTransaction`.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Bytes, Signature, TxKind, U256};
use k256::ecdsa::SigningKey;

/// The numbers of a transaction besides its data.
#[derive(Clone, Copy, Debug)]
pub struct Fees {
    /// The chain it is signed for.
    pub chain_id: u64,
    /// The sender's nonce.
    pub nonce: u64,
    /// The gas limit.
    pub gas: u64,
    /// The most per gas, base fee and tip.
    pub max_fee: u128,
    /// The tip per gas.
    pub tip: u128,
}

/// The signed creation transaction with `init` as its data, EIP-2718 encoded.
pub fn sign_create(key: &SigningKey, fees: Fees, init: Vec<u8>) -> Vec<u8> {
    let tx = TxEip1559 {
        chain_id: fees.chain_id,
        nonce: fees.nonce,
        gas_limit: fees.gas,
        max_fee_per_gas: fees.max_fee,
        max_priority_fee_per_gas: fees.tip,
        to: TxKind::Create,
        value: U256::ZERO,
        access_list: Default::default(),
        input: Bytes::from(init),
    };
    let digest = tx.signature_hash();
    // Signing a 32-byte digest with a valid key does not fail (k256 retries internally).
    let (sig, recovery) = key.sign_prehash_recoverable(digest.as_slice()).expect("signing a 32-byte digest");
    let signature = Signature::from_signature_and_parity(sig, recovery.is_y_odd());
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_transaction_recovers_to_its_sender() {
        let key = super::super::keys::derive(super::super::keys::DEV_MNEMONIC, 0).unwrap();
        let fees = Fees { chain_id: 31337, nonce: 3, gas: 100_000, max_fee: 2_000_000_000, tip: 1 };
        let raw = sign_create(&key, fees, vec![0xEF, 0x5A, 1, 0]);
        let decoded = wasm_runtime::tx::decode(&raw, 31337).expect("decodes");
        assert_eq!(decoded.caller, super::super::keys::address(&key));
        assert_eq!(decoded.nonce, 3);
    }
}
