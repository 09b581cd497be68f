//! Ethereum typed transactions: decoding, sender recovery and signing.
//!
//! A transaction arrives as EIP-2718 bytes (legacy with or without an EIP-155 chain id,
//! EIP-2930, EIP-1559, EIP-4844 in its block form, without sidecar, or EIP-7702), or, for test tools,
//! as unsigned fields ([`UnsignedTx`]) plus a signature or a secret key. Either way it ends
//! as a [`TxEnv`](crate::env::TxEnv): the fields the system layer executes, the recovered
//! sender and the transaction hash.
//!
//! ```
//! use wasm_runtime::primitives::{Address, B256, U256};
//! use wasm_runtime::tx::{self, UnsignedTx};
//!
//! let secret = B256::repeat_byte(0x45);
//! let unsigned = UnsignedTx {
//!     tx_type: 2,
//!     chain_id: Some(1),
//!     nonce: 0,
//!     gas_limit: 21_000,
//!     max_fee_per_gas: 10,
//!     max_priority_fee_per_gas: 1,
//!     to: Some(Address::repeat_byte(0x22)),
//!     value: U256::from(1000),
//!     ..UnsignedTx::default()
//! };
//! let signed = unsigned.sign(&secret).unwrap();
//! let bytes = tx::encode(&signed);
//! let env = tx::decode(&bytes, 1).unwrap();
//! assert_eq!(env.caller, tx::secret_key_address(&secret).unwrap());
//! assert_eq!(env.value, U256::from(1000));
//! // The same bytes under another chain id are refused.
//! assert!(tx::decode(&bytes, 5).is_err());
//! ```

mod authorization;
mod decode;
mod error;
mod unsigned;

pub use authorization::recover_authority;
pub use decode::{decode, decode_envelope, encode, recover, tx_hash, Envelope};
pub use error::TxError;
pub use unsigned::{secret_key_address, TypedTransaction, UnsignedTx};

#[cfg(test)]
mod tests;
