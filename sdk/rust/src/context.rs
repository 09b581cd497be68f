//! The call's and block's context: addresses, value, balances, gas, block fields, code.

use crate::host;
use crate::types::{Address, Word};
use crate::u256::U256;

pub use host::{blob_hash, block_hash, charge_gas, code_copy, code_size, ext_code_hash};
pub use host::{block_gas_limit, block_number, block_timestamp, chain_id, gas_left};
pub use host::{ext_code_copy, ext_code_size, out_of_gas};

/// This account's address.
pub fn address() -> Address {
    Address(host::address())
}

/// The caller's address (`msg.sender`).
pub fn caller() -> Address {
    Address(host::caller())
}

/// The transaction's sender (`tx.origin`).
pub fn origin() -> Address {
    Address(host::origin())
}

/// The block's coinbase.
pub fn coinbase() -> Address {
    Address(host::coinbase())
}

/// The value sent with this call (`msg.value`).
pub fn call_value() -> U256 {
    U256::from_be_bytes::<32>(host::call_value())
}

/// The balance of `addr`.
pub fn balance(addr: &Address) -> U256 {
    U256::from_be_bytes::<32>(host::balance(addr))
}

/// This account's balance.
pub fn self_balance() -> U256 {
    U256::from_be_bytes::<32>(host::self_balance())
}

/// The transaction's effective gas price.
pub fn gas_price() -> U256 {
    U256::from_be_bytes::<32>(host::gas_price())
}

/// The block's base fee (EIP-1559).
pub fn base_fee() -> U256 {
    U256::from_be_bytes::<32>(host::base_fee())
}

/// The block's blob base fee (EIP-7516).
pub fn blob_base_fee() -> U256 {
    U256::from_be_bytes::<32>(host::blob_base_fee())
}

/// The block's prevRandao.
pub fn prev_randao() -> Word {
    host::prev_randao()
}
