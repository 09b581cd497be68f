//! The development accounts: the keys anvil and hardhat derive from the standard
//! `test test … junk` mnemonic along BIP-44's Ethereum path `m/44'/60'/0'/0/i`.
//!
//! BIP-39 turns the mnemonic into a seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt
//! `"mnemonic"`, no passphrase); BIP-32 derives child keys from it with HMAC-SHA512 and
//! secp256k1 scalar addition.

use hmac::{Hmac, Mac};
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::elliptic_curve::PrimeField;
use sha2::Sha512;
use wasm_runtime::primitives::{Address, B256};

/// The mnemonic anvil and hardhat start with.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// BIP-32's offset of hardened child indices.
const HARDENED: u32 = 1 << 31;

/// One development account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DevAccount {
    /// Its address.
    pub address: Address,
    /// Its secret key.
    pub secret: B256,
}

/// BIP-39: the 64-byte seed of `mnemonic` with an empty passphrase.
pub fn seed(mnemonic: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<Sha512>(mnemonic.as_bytes(), b"mnemonic", 2048, &mut out);
    out
}

fn hmac512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// A BIP-32 extended private key: the key and its chain code.
struct Extended {
    key: k256::Scalar,
    chain: [u8; 32],
}

fn split(i: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let mut left = [0u8; 32];
    let mut right = [0u8; 32];
    left.copy_from_slice(&i[..32]);
    right.copy_from_slice(&i[32..]);
    (left, right)
}

fn scalar(bytes: [u8; 32]) -> Option<k256::Scalar> {
    let s: Option<k256::Scalar> = k256::Scalar::from_repr(bytes.into()).into();
    s.filter(|s| !bool::from(s.is_zero()))
}

impl Extended {
    fn master(seed: &[u8]) -> Option<Self> {
        let (key, chain) = split(&hmac512(b"Bitcoin seed", &[seed]));
        Some(Self { key: scalar(key)?, chain })
    }

    /// CKDpriv: the child at `index` (hardened from 2^31 on).
    fn child(&self, index: u32) -> Option<Self> {
        let i = if index >= HARDENED {
            hmac512(&self.chain, &[&[0], &self.key.to_bytes(), &index.to_be_bytes()])
        } else {
            let secret = k256::SecretKey::from_bytes(&self.key.to_bytes()).ok()?;
            let public = secret.public_key().to_encoded_point(true);
            hmac512(&self.chain, &[public.as_bytes(), &index.to_be_bytes()])
        };
        let (left, chain) = split(&i);
        // I_L must be below n and the child key non-zero (else BIP-32 skips the index).
        let tweak: Option<k256::Scalar> = k256::Scalar::from_repr(left.into()).into();
        let key = tweak? + self.key;
        (!bool::from(key.is_zero())).then_some(Self { key, chain })
    }
}

/// The secret key at `m/44'/60'/0'/0/index` of `mnemonic`, or `None` in the (astronomically
/// unlikely) case that BIP-32 declares a key on the path invalid.
pub fn derive(mnemonic: &str, index: u32) -> Option<B256> {
    let path = [44 | HARDENED, 60 | HARDENED, HARDENED, 0, index];
    let mut node = Extended::master(&seed(mnemonic))?;
    for step in path {
        node = node.child(step)?;
    }
    Some(B256::from_slice(&node.key.to_bytes()))
}

/// The first `count` development accounts of `mnemonic`.
pub fn dev_accounts(mnemonic: &str, count: u32) -> Vec<DevAccount> {
    (0..count)
        .filter_map(|i| {
            let secret = derive(mnemonic, i)?;
            let address = wasm_runtime::tx::secret_key_address(&secret).ok()?;
            Some(DevAccount { address, secret })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The accounts anvil and hardhat print at start (account 0, 1 and 9).
    #[test]
    fn the_standard_mnemonic_gives_anvils_accounts() {
        let accounts = dev_accounts(DEV_MNEMONIC, 10);
        assert_eq!(accounts.len(), 10);
        let expect = [
            (
                0,
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            ),
            (
                1,
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            ),
            (
                9,
                "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
                "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
            ),
        ];
        for (i, address, key) in expect {
            assert_eq!(accounts[i].address.to_checksum(None), address, "account {i}");
            assert_eq!(format!("{}", accounts[i].secret), key, "key {i}");
        }
    }
}
