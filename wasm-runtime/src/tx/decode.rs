//! EIP-2718 bytes to an executable transaction: decoding and sender recovery.

use alloc::vec::Vec;

use alloy_consensus::crypto::SECP256K1N_HALF;
use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{EthereumTxEnvelope, Transaction, TxEip4844};
use alloy_eips::eip2718::{Decodable2718, Eip2718Error, Encodable2718};

use super::TxError;
use crate::env::{AccessListItem, Authorization, TxEnv};
use crate::primitives::{Address, B256, U256};

/// A signed transaction as it appears in a block: legacy, EIP-2930, EIP-1559, EIP-4844
/// (block form, no sidecar) or EIP-7702.
pub type Envelope = EthereumTxEnvelope<TxEip4844>;

/// The order of the secp256k1 group.
pub(super) const SECP256K1N: U256 =
    U256::from_limbs([0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF]);

/// Decodes EIP-2718 bytes, recovers the sender and checks the chain id.
pub fn decode(bytes: &[u8], chain_id: u64) -> Result<TxEnv, TxError> {
    recover(&decode_envelope(bytes)?, chain_id)
}

/// Decodes the EIP-2718 encoding of one signed transaction; the bytes must hold exactly one.
pub fn decode_envelope(bytes: &[u8]) -> Result<Envelope, TxError> {
    let first = *bytes.first().ok_or(TxError::Empty)?;
    match first {
        1..=4 => {}
        0x00..=0x7f => return Err(TxError::UnknownType(first)),
        // A legacy transaction is an RLP list; a string header here is neither form.
        0x80..=0xbf => return Err(TxError::Rlp { offset: 0, error: alloy_rlp::Error::UnexpectedString }),
        0xc0..=0xff => {}
    }
    let mut buf = bytes;
    let result = Envelope::decode_2718(&mut buf);
    let offset = bytes.len() - buf.len();
    match result {
        Ok(envelope) if buf.is_empty() => Ok(envelope),
        Ok(_) => Err(TxError::TrailingBytes { offset }),
        Err(Eip2718Error::RlpError(error)) => Err(TxError::Rlp { offset, error }),
        Err(Eip2718Error::UnexpectedType(ty)) => Err(TxError::UnknownType(ty)),
        Err(_) => Err(TxError::UnknownType(first)),
    }
}

/// The EIP-2718 encoding of a signed transaction (what [`decode_envelope`] reads).
pub fn encode(envelope: &Envelope) -> Vec<u8> {
    envelope.encoded_2718()
}

/// The transaction hash: keccak256 of the EIP-2718 encoding.
pub fn tx_hash(envelope: &Envelope) -> B256 {
    *envelope.tx_hash()
}

/// Recovers the sender of a signed transaction and builds what the system layer executes.
///
/// Refuses a chain id other than `chain_id` (a legacy transaction without EIP-155
/// protection carries none and is accepted) and signatures that break EIP-2 (`s` in the
/// upper half of the curve order). The authorities of a set-code transaction's
/// authorizations are recovered too; an invalid authorization signature does not make the
/// transaction invalid (it is skipped when the transaction runs).
pub fn recover(envelope: &Envelope, chain_id: u64) -> Result<TxEnv, TxError> {
    if let Some(got) = envelope.chain_id() {
        if got != chain_id {
            return Err(TxError::WrongChainId { expected: chain_id, got });
        }
    }
    let signature = envelope.signature();
    check_signature_values(signature.r(), signature.s())?;
    let caller = envelope.recover_signer().map_err(|_| TxError::BadSignature("it recovers no public key"))?;

    Ok(tx_env(envelope, caller, tx_hash(envelope)))
}

/// The fields of any transaction as the system layer executes them.
pub(super) fn tx_env(tx: &impl Transaction, caller: Address, hash: B256) -> TxEnv {
    let gas_price = tx.max_fee_per_gas();
    let access_list = tx
        .access_list()
        .map(|list| {
            list.iter()
                .map(|item| AccessListItem { address: item.address, storage_keys: item.storage_keys.clone() })
                .collect()
        })
        .unwrap_or_default();
    TxEnv {
        tx_type: tx.ty(),
        caller,
        nonce: tx.nonce(),
        gas_limit: tx.gas_limit(),
        max_fee_per_gas: U256::from(gas_price),
        max_priority_fee_per_gas: U256::from(tx.max_priority_fee_per_gas().unwrap_or(gas_price)),
        to: tx.to(),
        value: tx.value(),
        data: tx.input().clone(),
        access_list,
        blob_hashes: tx.blob_versioned_hashes().map(<[B256]>::to_vec).unwrap_or_default(),
        max_fee_per_blob_gas: U256::from(tx.max_fee_per_blob_gas().unwrap_or(0)),
        authorization_list: tx
            .authorization_list()
            .map(|list| list.iter().map(Authorization::from_alloy).collect())
            .unwrap_or_default(),
        hash,
    }
}

/// `r` and `s` must be in `[1, n)` and `s` at most `n/2` (EIP-2).
pub(super) fn check_signature_values(r: U256, s: U256) -> Result<(), TxError> {
    if r.is_zero() || s.is_zero() {
        return Err(TxError::BadSignature("r or s is zero"));
    }
    if r >= SECP256K1N || s >= SECP256K1N {
        return Err(TxError::BadSignature("r or s is not below the curve order"));
    }
    if s > SECP256K1N_HALF {
        return Err(TxError::BadSignature("s is in the upper half of the curve order (EIP-2)"));
    }
    Ok(())
}
