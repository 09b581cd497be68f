//! Signing keys: `--private-key KEY`, or development account N of the standard mnemonic
//! (`test test … junk`, the accounts anvil, hardhat and `zkos node` fund), derived by the
//! node's own [`crate::devnet::accounts`] (BIP-39 seed, BIP-32 path m/44'/60'/0'/0/N).

use alloy_primitives::{keccak256, Address};
use k256::ecdsa::SigningKey;

use super::error::{Error, Result};

pub use crate::devnet::accounts::DEV_MNEMONIC;

/// The key of development account `index` of `mnemonic` (m/44'/60'/0'/0/`index`).
pub fn derive(mnemonic: &str, index: u32) -> Result<SigningKey> {
    if index >= 1 << 31 {
        return Err(Error::Usage(format!("--account {index}: the index must be below 2^31")));
    }
    crate::devnet::accounts::derive(mnemonic, index)
        .and_then(|secret| SigningKey::from_slice(secret.as_slice()).ok())
        .ok_or_else(|| Error::Usage(format!("account {index}: no key at m/44'/60'/0'/0/{index}")))
}

/// A key given as 64 hex digits (with or without `0x`).
pub fn parse_private_key(text: &str) -> Result<SigningKey> {
    let digits = text.trim().strip_prefix("0x").unwrap_or(text.trim());
    let bytes = hex::decode(digits)
        .ok()
        .filter(|b| b.len() == 32)
        .ok_or_else(|| Error::Usage("--private-key: expected 32 bytes as 64 hex digits".into()))?;
    SigningKey::from_slice(&bytes).map_err(|_| Error::Usage("--private-key: not a valid secp256k1 key".into()))
}

/// The Ethereum address of a key.
pub fn address(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_accounts_are_anvils() {
        // anvil's and hardhat's first two accounts.
        let k0 = derive(DEV_MNEMONIC, 0).unwrap();
        assert_eq!(hex::encode(k0.to_bytes()), "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        assert_eq!(address(&k0), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap());
        let k1 = derive(DEV_MNEMONIC, 1).unwrap();
        assert_eq!(hex::encode(k1.to_bytes()), "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        assert_eq!(address(&k1), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse::<Address>().unwrap());
        let k9 = derive(DEV_MNEMONIC, 9).unwrap();
        assert_eq!(address(&k9), "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720".parse::<Address>().unwrap());
    }

    #[test]
    fn private_keys_parse_or_fail_on_one_line() {
        let k = parse_private_key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").unwrap();
        assert_eq!(address(&k), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap());
        assert!(parse_private_key("0x1234").is_err());
        assert!(parse_private_key(&"0".repeat(64)).is_err());
    }
}
