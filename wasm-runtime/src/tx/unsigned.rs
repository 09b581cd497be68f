//! Transactions given as fields: signed with a secret key, given a signature, or executed
//! for an explicit sender (test tools and benchmarks).

use alloc::vec::Vec;

use alloy_consensus::crypto::secp256k1;
use alloy_consensus::transaction::from_eip155_value;
use alloy_consensus::{
    EthereumTypedTransaction, SignableTransaction, TxEip1559, TxEip2930, TxEip4844, TxEip7702, TxLegacy,
};
use alloy_eips::eip2930::{AccessList, AccessListItem as AlloyAccessListItem};
use alloy_primitives::{Signature, TxKind};

use super::decode::{check_signature_values, tx_env};
use super::{Envelope, TxError};
use crate::env::{AccessListItem, Authorization, TxEnv};
use crate::primitives::{Address, Bytes, B256, U256};

/// An unsigned transaction of any type this chain knows (EIP-4844 in its block form).
pub type TypedTransaction = EthereumTypedTransaction<TxEip4844>;

/// The fields of a transaction before it is signed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnsignedTx {
    /// EIP-2718 type: 0 legacy, 1 access list, 2 dynamic fee, 3 blob, 4 set code.
    pub tx_type: u8,
    /// Chain id. Required for typed transactions; for a legacy one, `None` means no EIP-155
    /// replay protection.
    pub chain_id: Option<u64>,
    /// The sender's nonce.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Legacy and 2930: the gas price. 1559 and 4844: max fee per gas.
    pub max_fee_per_gas: u128,
    /// 1559 and 4844: max priority fee per gas (ignored by older types).
    pub max_priority_fee_per_gas: u128,
    /// Call target, or `None` for a contract creation.
    pub to: Option<Address>,
    /// Value in wei.
    pub value: U256,
    /// Calldata or init data.
    pub data: Bytes,
    /// EIP-2930 access list (types 1 to 4).
    pub access_list: Vec<AccessListItem>,
    /// EIP-4844 blob versioned hashes.
    pub blob_hashes: Vec<B256>,
    /// EIP-4844 max fee per blob gas.
    pub max_fee_per_blob_gas: u128,
    /// EIP-7702 authorizations (type 4).
    pub authorization_list: Vec<Authorization>,
}

/// The address of the account a secret key controls.
pub fn secret_key_address(secret: &B256) -> Result<Address, TxError> {
    let key = k256::ecdsa::SigningKey::from_slice(secret.as_slice()).map_err(|_| TxError::BadSecretKey)?;
    Ok(secp256k1::public_key_to_address(*key.verifying_key()))
}

impl UnsignedTx {
    /// The alloy transaction of this type.
    pub fn typed(&self) -> Result<TypedTransaction, TxError> {
        let access_list = || {
            AccessList(
                self.access_list
                    .iter()
                    .map(|item| AlloyAccessListItem { address: item.address, storage_keys: item.storage_keys.clone() })
                    .collect(),
            )
        };
        let kind = self.to.map_or(TxKind::Create, TxKind::Call);
        let chain_id = || self.chain_id.ok_or(TxError::InvalidField("a typed transaction needs a chain id"));
        Ok(match self.tx_type {
            0 => TypedTransaction::Legacy(TxLegacy {
                chain_id: self.chain_id,
                nonce: self.nonce,
                gas_price: self.max_fee_per_gas,
                gas_limit: self.gas_limit,
                to: kind,
                value: self.value,
                input: self.data.clone(),
            }),
            1 => TypedTransaction::Eip2930(TxEip2930 {
                chain_id: chain_id()?,
                nonce: self.nonce,
                gas_price: self.max_fee_per_gas,
                gas_limit: self.gas_limit,
                to: kind,
                value: self.value,
                access_list: access_list(),
                input: self.data.clone(),
            }),
            2 => TypedTransaction::Eip1559(TxEip1559 {
                chain_id: chain_id()?,
                nonce: self.nonce,
                gas_limit: self.gas_limit,
                max_fee_per_gas: self.max_fee_per_gas,
                max_priority_fee_per_gas: self.max_priority_fee_per_gas,
                to: kind,
                value: self.value,
                access_list: access_list(),
                input: self.data.clone(),
            }),
            3 => TypedTransaction::Eip4844(TxEip4844 {
                chain_id: chain_id()?,
                nonce: self.nonce,
                gas_limit: self.gas_limit,
                max_fee_per_gas: self.max_fee_per_gas,
                max_priority_fee_per_gas: self.max_priority_fee_per_gas,
                to: self.to.ok_or(TxError::InvalidField("a blob transaction cannot create a contract"))?,
                value: self.value,
                access_list: access_list(),
                blob_versioned_hashes: self.blob_hashes.clone(),
                max_fee_per_blob_gas: self.max_fee_per_blob_gas,
                input: self.data.clone(),
            }),
            4 => TypedTransaction::Eip7702(TxEip7702 {
                chain_id: chain_id()?,
                nonce: self.nonce,
                gas_limit: self.gas_limit,
                max_fee_per_gas: self.max_fee_per_gas,
                max_priority_fee_per_gas: self.max_priority_fee_per_gas,
                to: self.to.ok_or(TxError::InvalidField("a set-code transaction cannot create a contract"))?,
                value: self.value,
                access_list: access_list(),
                authorization_list: self.authorization_list.iter().map(Authorization::to_alloy).collect(),
                input: self.data.clone(),
            }),
            other => return Err(TxError::UnknownType(other)),
        })
    }

    /// Signs with `secret` (RFC 6979 deterministic ECDSA over secp256k1, low `s`).
    pub fn sign(&self, secret: &B256) -> Result<Envelope, TxError> {
        let typed = self.typed()?;
        let signature = secp256k1::sign_message(*secret, typed.signature_hash()).map_err(|_| TxError::BadSecretKey)?;
        Ok(attach(typed, signature))
    }

    /// Attaches a signature given as `v`, `r`, `s`. For a legacy transaction `v` is 27/28 or
    /// EIP-155's `35 + 2·chain_id + parity` (which must agree with `chain_id` when it is
    /// set); for typed transactions it is the y parity, 0 or 1.
    pub fn with_signature(&self, v: U256, r: U256, s: U256) -> Result<Envelope, TxError> {
        check_signature_values(r, s)?;
        let mut fields = self.clone();
        let parity = if self.tx_type == 0 {
            let small = u128::try_from(v).map_err(|_| TxError::BadV(v))?;
            let (parity, chain_id) = from_eip155_value(small).ok_or(TxError::BadV(v))?;
            if let (Some(given), Some(derived)) = (self.chain_id, chain_id) {
                if given != derived {
                    return Err(TxError::BadV(v));
                }
            }
            fields.chain_id = chain_id;
            parity
        } else if v == U256::ZERO || v == U256::from(1) {
            v == U256::from(1)
        } else {
            return Err(TxError::BadV(v));
        };
        Ok(attach(fields.typed()?, Signature::new(r, s, parity)))
    }

    /// The transaction executed for an explicit `sender`, without a signature (benchmark
    /// inputs give the sender instead of a signature). Its `hash` is the signing hash, as no
    /// signed transaction exists. A chain id other than `chain_id` is refused, as
    /// [`super::recover`] refuses it for a signed transaction (a legacy transaction without
    /// one runs on any chain).
    pub fn with_sender(&self, sender: Address, chain_id: u64) -> Result<TxEnv, TxError> {
        if let Some(got) = self.chain_id.filter(|got| *got != chain_id) {
            return Err(TxError::WrongChainId { expected: chain_id, got });
        }
        let typed = self.typed()?;
        Ok(tx_env(&typed, sender, typed.signature_hash()))
    }
}

/// The signed envelope of `typed` under `signature`.
fn attach(typed: TypedTransaction, signature: Signature) -> Envelope {
    match typed {
        TypedTransaction::Legacy(tx) => Envelope::Legacy(tx.into_signed(signature)),
        TypedTransaction::Eip2930(tx) => Envelope::Eip2930(tx.into_signed(signature)),
        TypedTransaction::Eip1559(tx) => Envelope::Eip1559(tx.into_signed(signature)),
        TypedTransaction::Eip4844(tx) => Envelope::Eip4844(tx.into_signed(signature)),
        TypedTransaction::Eip7702(tx) => Envelope::Eip7702(tx.into_signed(signature)),
    }
}
