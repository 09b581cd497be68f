//! Transactions: validity checks (with Prague's EIP-7623 calldata floor and Osaka's EIP-7825
//! gas cap), intrinsic gas, fees, EIP-7702's authorizations, execution, refunds.

use alloc::vec::Vec;

use host_abi::gas;
use host_abi::limits;

use super::create::create_address;
use super::{precompile, CallKind, CallParams, System};
use crate::block::Receipt;
use crate::env::TxEnv;
use crate::error::Internal;
use crate::fork::Fork;
use crate::platform::Platform;
use crate::primitives::{keccak256, Bytes, U256};
use crate::world::{delegated_address, delegation_code};

pub use crate::fork::GAS_PER_BLOB;

/// EIP-7702: refunded per authorization whose authority exists already.
const REFUND_PER_EXISTING_AUTHORITY: i64 = (gas::TX_AUTHORIZATION - gas::AUTHORIZATION_BASE) as i64;

/// Why a transaction cannot be included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxError {
    /// The sender's nonce differs.
    NonceMismatch { expected: u64, got: u64 },
    /// The sender's nonce cannot be raised.
    NonceOverflow,
    /// The sender has code (EIP-3607).
    SenderHasCode,
    /// Gas limit below the intrinsic gas.
    IntrinsicGas { limit: u64, intrinsic: u64 },
    /// Gas limit below the calldata floor (EIP-7623), though not below the intrinsic gas.
    FloorGas { limit: u64, floor: u64 },
    /// Gas limit above what one transaction may ask for (EIP-7825).
    GasLimitAboveCap { limit: u64, cap: u64 },
    /// A transaction type the block's fork does not have yet.
    TypeNotActive { tx_type: u8, fork: Fork },
    /// Gas limit above what the block has left.
    BlockGasLimit { limit: u64, available: u64 },
    /// max fee below the base fee.
    FeeBelowBaseFee { max_fee: U256, base_fee: U256 },
    /// Priority fee above max fee.
    PriorityAboveMax,
    /// Balance below gas × price + value (`None`: that sum is 2^256 or more).
    InsufficientFunds { have: U256, need: Option<U256> },
    /// Init code too large (EIP-3860).
    InitcodeTooLarge { size: usize, limit: usize },
    /// Blob transaction rule broken.
    Blob(BlobRule),
    /// Set-code transaction rule broken (EIP-7702).
    SetCode(SetCodeRule),
}

/// A rule of set-code transactions (EIP-7702).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetCodeRule {
    /// A set-code transaction cannot create a contract.
    NoCreate,
    /// It carries at least one authorization.
    EmptyAuthorizationList,
}

impl core::fmt::Display for SetCodeRule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NoCreate => "a set-code transaction cannot create a contract",
            Self::EmptyAuthorizationList => "empty authorization list",
        })
    }
}

/// A rule of blob transactions (EIP-4844).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobRule {
    /// A blob transaction cannot create a contract.
    NoCreate,
    /// It carries at least one blob hash.
    NoBlobs,
    /// Every blob hash has version 0x01.
    Version,
    /// At most the fork's blobs per transaction (six in Cancun).
    TooMany { max: u64 },
    /// Its max fee per blob gas is at least the blob base fee.
    FeeBelowBlobBaseFee,
}

impl core::fmt::Display for BlobRule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NoCreate => "a blob transaction cannot create a contract",
            Self::NoBlobs => "no blob hashes",
            Self::Version => "blob hash with a version other than 0x01",
            Self::TooMany { .. } => "more blobs than a transaction may carry",
            Self::FeeBelowBlobBaseFee => "max fee per blob gas below the blob base fee",
        })
    }
}

impl core::fmt::Display for TxError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NonceMismatch { expected, got } => {
                if got < expected {
                    write!(f, "nonce too low: address has nonce {expected}, tx has {got}")
                } else {
                    write!(f, "nonce too high: address has nonce {expected}, tx has {got}")
                }
            }
            Self::NonceOverflow => write!(f, "nonce has max value"),
            Self::SenderHasCode => write!(f, "sender not an eoa: the sender has code (EIP-3607)"),
            Self::IntrinsicGas { limit, intrinsic } => {
                write!(f, "intrinsic gas too low: have {limit}, want {intrinsic}")
            }
            Self::FloorGas { limit, floor } => {
                write!(f, "insufficient gas for floor data gas cost: have {limit}, want {floor} (EIP-7623)")
            }
            Self::GasLimitAboveCap { limit, cap } => {
                write!(f, "transaction gas limit too high: {limit} above the cap {cap} (EIP-7825)")
            }
            Self::TypeNotActive { tx_type, fork } => {
                write!(f, "transaction type {tx_type} is not supported in {fork}")
            }
            Self::BlockGasLimit { limit, available } => {
                write!(f, "gas limit reached: tx gas {limit} exceeds the block's remaining {available}")
            }
            Self::FeeBelowBaseFee { max_fee, base_fee } => {
                write!(f, "max fee per gas less than block base fee: maxFeePerGas {max_fee}, baseFee {base_fee}")
            }
            Self::PriorityAboveMax => write!(f, "max priority fee per gas higher than max fee per gas"),
            Self::InsufficientFunds { have, need: Some(need) } => {
                write!(f, "insufficient funds for gas * price + value: have {have} want {need}")
            }
            Self::InsufficientFunds { have, need: None } => {
                write!(f, "insufficient funds for gas * price + value: have {have} want 2^256 or more")
            }
            Self::InitcodeTooLarge { size, limit } => {
                write!(f, "max initcode size exceeded: code size {size} limit {limit}")
            }
            Self::Blob(s) => write!(f, "blob transaction: {s}"),
            Self::SetCode(s) => write!(f, "set-code transaction: {s}"),
        }
    }
}

/// Intrinsic gas of a transaction: base, calldata, creation, access list, and EIP-7702's
/// 25,000 per authorization.
pub fn intrinsic_gas(tx: &TxEnv) -> u64 {
    let zeros = tx.data.iter().filter(|b| **b == 0).count() as u64;
    let nonzeros = tx.data.len() as u64 - zeros;
    let mut g = gas::TX_BASE + zeros * gas::TX_DATA_ZERO + nonzeros * gas::TX_DATA_NONZERO;
    if tx.to.is_none() {
        g += gas::TX_CREATE + gas::INITCODE_WORD * gas::words(tx.data.len() as u64);
    }
    for item in &tx.access_list {
        g += gas::TX_ACCESS_LIST_ADDRESS + gas::TX_ACCESS_LIST_STORAGE_KEY * item.storage_keys.len() as u64;
    }
    g + gas::TX_AUTHORIZATION * tx.authorization_list.len() as u64
}

/// EIP-7623's calldata floor: `21000 + 10 · tokens`, a zero byte one token and any other
/// byte four. From Prague a transaction's gas limit must reach it and it pays at least it.
pub fn calldata_floor(tx: &TxEnv) -> u64 {
    let zeros = tx.data.iter().filter(|b| **b == 0).count() as u64;
    let tokens = zeros + (tx.data.len() as u64 - zeros) * gas::TX_DATA_TOKENS_NONZERO;
    gas::TX_BASE + gas::TX_DATA_FLOOR_TOKEN * tokens
}

impl<P: Platform> System<P> {
    /// EIP-7702's authorizations of `tx`, in order. One is skipped when it is for another
    /// chain (neither zero nor ours), its nonce is 2^64 − 1, its signature recovers no
    /// authority, the authority's code is neither empty nor a designator, or the authority's
    /// nonce differs. Otherwise the authority is warm, its code becomes `0xef0100 ‖ address`
    /// (or empty for the zero address), its nonce goes up by one, and when it existed
    /// already 25,000 − 12,500 of the intrinsic gas is refunded. Each authority is warm once
    /// its signature is found valid, even if a later check skips it.
    fn set_delegations(&mut self, tx: &TxEnv) {
        let chain_id = U256::from(self.block.chain_id);
        for auth in &tx.authorization_list {
            if !auth.chain_id.is_zero() && auth.chain_id != chain_id {
                continue;
            }
            if auth.nonce == u64::MAX {
                continue;
            }
            let Some(authority) = auth.authority else { continue };
            self.world.warm_account(authority);
            let info = self.world.info(authority);
            if !info.code.is_empty() && delegated_address(&info.code).is_none() {
                continue;
            }
            if info.nonce != auth.nonce {
                continue;
            }
            if self.world.exists(authority) {
                self.world.add_refund(REFUND_PER_EXISTING_AUTHORITY);
            }
            let code = if auth.address.is_zero() { Bytes::new() } else { delegation_code(auth.address) };
            let code_hash = keccak256(&code);
            self.world.set_code(authority, code, code_hash, Bytes::new());
            self.world.set_nonce(authority, auth.nonce + 1);
        }
    }

    fn check_transaction(&mut self, tx: &TxEnv, block_gas_used: u64) -> Result<U256, TxError> {
        let fork = self.block.fork;
        if tx.tx_type == 4 && !fork.set_code_transactions() {
            return Err(TxError::TypeNotActive { tx_type: 4, fork });
        }
        let available = self.block.gas_limit.saturating_sub(block_gas_used);
        if tx.gas_limit > available {
            return Err(TxError::BlockGasLimit { limit: tx.gas_limit, available });
        }
        if tx.max_priority_fee_per_gas > tx.max_fee_per_gas {
            return Err(TxError::PriorityAboveMax);
        }
        let price = tx
            .effective_gas_price(self.block.base_fee)
            .ok_or(TxError::FeeBelowBaseFee { max_fee: tx.max_fee_per_gas, base_fee: self.block.base_fee })?;
        let intrinsic = intrinsic_gas(tx);
        if tx.gas_limit < intrinsic {
            return Err(TxError::IntrinsicGas { limit: tx.gas_limit, intrinsic });
        }
        if fork.calldata_floor() {
            let floor = calldata_floor(tx);
            if tx.gas_limit < floor {
                return Err(TxError::FloorGas { limit: tx.gas_limit, floor });
            }
        }
        if tx.to.is_none()
            && !host_abi::envelope::is_envelope(&tx.data)
            && tx.data.len() > limits::MAX_EVM_INITCODE_SIZE
        {
            return Err(TxError::InitcodeTooLarge { size: tx.data.len(), limit: limits::MAX_EVM_INITCODE_SIZE });
        }
        if let Some(cap) = fork.tx_gas_cap().filter(|cap| tx.gas_limit > *cap) {
            return Err(TxError::GasLimitAboveCap { limit: tx.gas_limit, cap });
        }
        if tx.tx_type == 3 {
            if tx.to.is_none() {
                return Err(TxError::Blob(BlobRule::NoCreate));
            }
            if tx.blob_hashes.is_empty() {
                return Err(TxError::Blob(BlobRule::NoBlobs));
            }
            if tx.blob_hashes.iter().any(|h| h[0] != 0x01) {
                return Err(TxError::Blob(BlobRule::Version));
            }
            let max = self.block.fork.max_blobs_per_tx();
            if tx.blob_hashes.len() as u64 > max {
                return Err(TxError::Blob(BlobRule::TooMany { max }));
            }
            // A blob base fee of 2^256 or more (`None`) is above every max fee.
            if self.blob_base_fee().is_none_or(|fee| tx.max_fee_per_blob_gas < fee) {
                return Err(TxError::Blob(BlobRule::FeeBelowBlobBaseFee));
            }
        }
        if tx.tx_type == 4 {
            if tx.to.is_none() {
                return Err(TxError::SetCode(SetCodeRule::NoCreate));
            }
            if tx.authorization_list.is_empty() {
                return Err(TxError::SetCode(SetCodeRule::EmptyAuthorizationList));
            }
        }
        let sender = self.world.info(tx.caller).clone();
        if sender.nonce == u64::MAX {
            return Err(TxError::NonceOverflow);
        }
        if sender.nonce != tx.nonce {
            return Err(TxError::NonceMismatch { expected: sender.nonce, got: tx.nonce });
        }
        // EIP-3607, as EIP-7702 amends it: a delegated account still sends.
        if !sender.code.is_empty() && delegated_address(&sender.code).is_none() {
            return Err(TxError::SenderHasCode);
        }
        // gas × max fee + blob gas × max blob fee + value, exactly: a sum past 2^256 − 1
        // (`None`) is more than any balance.
        let blob_gas = U256::from(GAS_PER_BLOB * tx.blob_hashes.len() as u64);
        let need = U256::from(tx.gas_limit)
            .checked_mul(tx.max_fee_per_gas)
            .zip(blob_gas.checked_mul(tx.max_fee_per_blob_gas))
            .and_then(|(gas_fee, blob_fee)| gas_fee.checked_add(blob_fee))
            .and_then(|fees| fees.checked_add(tx.value));
        if need.is_none_or(|need| sender.balance < need) {
            return Err(TxError::InsufficientFunds { have: sender.balance, need });
        }
        Ok(price)
    }

    /// Validates and executes one transaction. `block_gas_used` is the gas the block used
    /// before it. A rejected transaction (`Ok(Err)`) changes nothing. `Err` is an internal
    /// error: no receipt, nothing charged, and the block fails (the state is left as it was
    /// when the error struck, not to be committed).
    pub fn apply_transaction(&mut self, tx: &TxEnv, block_gas_used: u64) -> Result<Result<Receipt, TxError>, Internal> {
        let price = match self.check_transaction(tx, block_gas_used) {
            Ok(price) => price,
            Err(e) => return Ok(Err(e)),
        };
        self.tx = tx.clone();
        self.gas_price = price;
        let sender = tx.caller;

        // Buy gas and raise the nonce: kept even if execution fails.
        // Blob transactions only, whose fee check_transaction found at most their max fee.
        let blob_fee = match self.blob_base_fee() {
            Some(fee) if !tx.blob_hashes.is_empty() => U256::from(GAS_PER_BLOB * tx.blob_hashes.len() as u64) * fee,
            _ => U256::ZERO,
        };
        let upfront = U256::from(tx.gas_limit) * price + blob_fee;
        let balance = self.world.balance(sender);
        self.world.set_balance(sender, balance - upfront);
        let nonce = self.world.info(sender).nonce;
        self.world.set_nonce(sender, nonce + 1);

        // Warm addresses (EIP-2929, EIP-3651, EIP-2930).
        self.world.warm_account(sender);
        if let Some(to) = tx.to {
            self.world.warm_account(to);
        }
        self.world.warm_account(self.block.coinbase);
        for a in precompile::addresses(self.block.fork) {
            self.world.warm_account(a);
        }
        for item in &tx.access_list {
            self.world.warm_account(item.address);
            for key in &item.storage_keys {
                self.world.warm_slot(item.address, U256::from_be_bytes(key.0));
            }
        }

        // EIP-7702: the authorizations, in order, before the call; what they set stays even
        // if the call fails, and so does their refund.
        self.set_delegations(tx);

        let gas = tx.gas_limit - intrinsic_gas(tx);
        let result = match tx.to {
            Some(to) => self.call(CallParams {
                kind: CallKind::Call,
                caller: sender,
                address: to,
                code_address: to,
                value: tx.value,
                apparent_value: tx.value,
                input: tx.data.clone(),
                gas,
                is_static: false,
                depth: 0,
            })?,
            None => {
                let address = create_address(sender, tx.nonce);
                self.create(sender, tx.value, tx.data.clone(), gas, None, 0, Some(address))?
            }
        };

        // Refunds (EIP-3529) and fees.
        let mut gas_used = tx.gas_limit - result.gas_left;
        let refund = u64::try_from(self.world.refund().max(0)).unwrap_or(0).min(gas_used / gas::MAX_REFUND_QUOTIENT);
        gas_used -= refund;
        // EIP-7623: at least the calldata floor, which the gas limit reaches.
        if self.block.fork.calldata_floor() {
            gas_used = gas_used.max(calldata_floor(tx));
        }
        // Both products are at most gas limit × price, which check_transaction found payable.
        self.world.credit(sender, U256::from(tx.gas_limit - gas_used) * price);
        let tip = price - self.block.base_fee;
        self.world.credit(self.block.coinbase, U256::from(gas_used) * tip);

        let success = result.status.is_success();
        let logs = self.world.finish_tx();
        Ok(Ok(Receipt {
            tx_hash: tx.hash,
            tx_type: tx.tx_type,
            success,
            gas_used,
            cumulative_gas_used: 0,
            logs: if success { logs } else { Vec::new() },
            contract_address: if success && tx.to.is_none() { result.created } else { None },
            output: if success || result.status == host_abi::status::CallStatus::Revert {
                result.output
            } else {
                Bytes::new()
            },
            error: result.error,
        }))
    }
}
