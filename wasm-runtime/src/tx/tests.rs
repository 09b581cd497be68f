//! Decoding, recovery and signing against known vectors, and robustness on bad bytes.

use alloc::vec::Vec;

use super::*;
use crate::env::AccessListItem;
use crate::primitives::{Address, Bytes, B256, U256};

fn hex(s: &str) -> Vec<u8> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The example of EIP-155 itself: secret key 0x4646…46, chain 1.
const EIP155_TX: &str = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

fn eip155_fields() -> UnsignedTx {
    UnsignedTx {
        tx_type: 0,
        chain_id: Some(1),
        nonce: 9,
        gas_limit: 21_000,
        max_fee_per_gas: 20_000_000_000,
        to: Some(Address::repeat_byte(0x35)),
        value: U256::from(1_000_000_000_000_000_000u128),
        ..UnsignedTx::default()
    }
}

#[test]
fn eip155_example_decodes_and_recovers() {
    let secret = B256::repeat_byte(0x46);
    let sender = secret_key_address(&secret).unwrap();
    // The address of key 0x4646…46, as published with EIP-155's example.
    assert_eq!(sender, "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F".parse::<Address>().unwrap());
    let env = decode(&hex(EIP155_TX), 1).unwrap();
    assert_eq!(env.caller, sender);
    assert_eq!(env.tx_type, 0);
    assert_eq!(env.nonce, 9);
    assert_eq!(env.gas_limit, 21_000);
    assert_eq!(env.max_fee_per_gas, U256::from(20_000_000_000u64));
    assert_eq!(env.max_priority_fee_per_gas, env.max_fee_per_gas);
    assert_eq!(env.to, Some(Address::repeat_byte(0x35)));
    assert_eq!(env.hash, crate::primitives::keccak256(hex(EIP155_TX)));
    assert_eq!(decode(&hex(EIP155_TX), 5), Err(TxError::WrongChainId { expected: 5, got: 1 }));
}

#[test]
fn signing_reproduces_the_eip155_example() {
    let signed = eip155_fields().sign(&B256::repeat_byte(0x46)).unwrap();
    assert_eq!(encode(&signed), hex(EIP155_TX));
}

#[test]
fn explicit_signature_matches_signing() {
    let signed = eip155_fields().sign(&B256::repeat_byte(0x46)).unwrap();
    let sig = *signed.signature();
    let v = U256::from(37 + u8::from(sig.v()));
    let again = eip155_fields().with_signature(v, sig.r(), sig.s()).unwrap();
    assert_eq!(encode(&again), encode(&signed));
    // A v for another chain contradicts the chain id given with the fields.
    assert_eq!(eip155_fields().with_signature(U256::from(45), sig.r(), sig.s()), Err(TxError::BadV(U256::from(45))));
    // Typed transactions take a parity, not 27/28.
    let typed = UnsignedTx { tx_type: 2, ..eip155_fields() };
    assert_eq!(typed.with_signature(U256::from(27), sig.r(), sig.s()), Err(TxError::BadV(U256::from(27))));
}

fn all_types() -> Vec<UnsignedTx> {
    let access_list = alloc::vec![AccessListItem {
        address: Address::repeat_byte(0x77),
        storage_keys: alloc::vec![B256::repeat_byte(1), B256::repeat_byte(2)],
    }];
    let base = UnsignedTx {
        chain_id: Some(1),
        nonce: 3,
        gas_limit: 100_000,
        max_fee_per_gas: 1_000,
        max_priority_fee_per_gas: 10,
        to: Some(Address::repeat_byte(0x22)),
        value: U256::from(12345),
        data: Bytes::from_static(&[1, 2, 3, 4]),
        ..UnsignedTx::default()
    };
    alloc::vec![
        UnsignedTx { chain_id: None, ..base.clone() },
        base.clone(),
        UnsignedTx { to: None, ..base.clone() },
        UnsignedTx { tx_type: 1, access_list: access_list.clone(), ..base.clone() },
        UnsignedTx { tx_type: 2, access_list: access_list.clone(), ..base.clone() },
        UnsignedTx {
            tx_type: 3,
            access_list: access_list.clone(),
            blob_hashes: alloc::vec![B256::repeat_byte(0x01)],
            max_fee_per_blob_gas: 7,
            ..base.clone()
        },
        UnsignedTx {
            tx_type: 4,
            access_list,
            authorization_list: alloc::vec![
                crate::env::Authorization::sign(&B256::repeat_byte(0x33), U256::ZERO, Address::repeat_byte(0x44), 5)
                    .unwrap(),
                // An invalid signature (y parity 2) is carried as it is, with no authority.
                crate::env::Authorization::signed(U256::from(1), Address::ZERO, 0, 2, U256::from(1), U256::from(1)),
            ],
            ..base
        },
    ]
}

#[test]
fn every_type_round_trips_through_bytes() {
    let secret = B256::repeat_byte(0x11);
    let sender = secret_key_address(&secret).unwrap();
    for fields in all_types() {
        let signed = fields.sign(&secret).unwrap();
        let bytes = encode(&signed);
        let env = decode(&bytes, 1).unwrap();
        assert_eq!(env.caller, sender, "type {}", fields.tx_type);
        assert_eq!(env.tx_type, fields.tx_type);
        assert_eq!(env.nonce, fields.nonce);
        assert_eq!(env.to, fields.to);
        assert_eq!(env.value, fields.value);
        assert_eq!(env.data, fields.data);
        assert_eq!(env.access_list, fields.access_list);
        assert_eq!(env.blob_hashes, fields.blob_hashes);
        assert_eq!(env.max_fee_per_blob_gas, U256::from(fields.max_fee_per_blob_gas));
        assert_eq!(env.authorization_list, fields.authorization_list);
        let tip = if fields.tx_type >= 2 { 10u64 } else { 1_000 };
        assert_eq!(env.max_priority_fee_per_gas, U256::from(tip));
        assert_eq!(env.hash, crate::primitives::keccak256(&bytes));
        if fields.tx_type != 0 {
            assert_eq!(bytes[0], fields.tx_type);
        }
        let unsigned = fields.with_sender(sender, 1).unwrap();
        assert_eq!(unsigned.caller, sender);
        assert_eq!(unsigned.value, fields.value);
    }
}

/// Issue 9, item 9: a transaction given with its `sender` instead of a signature is held to
/// the chain id as a signed one is.
#[test]
fn explicit_sender_is_checked_against_the_chain_id() {
    let sender = Address::repeat_byte(0x33);
    for fields in all_types() {
        let ty = fields.tx_type;
        let Some(chain) = fields.chain_id else { continue };
        let signed = decode(&encode(&fields.sign(&B256::repeat_byte(0x11)).unwrap()), chain + 4);
        assert_eq!(signed, Err(TxError::WrongChainId { expected: chain + 4, got: chain }), "type {ty}");
        let unsigned = fields.with_sender(sender, chain + 4);
        assert_eq!(unsigned, Err(TxError::WrongChainId { expected: chain + 4, got: chain }), "type {ty}");
        assert!(fields.with_sender(sender, chain).is_ok(), "type {ty}");
    }
    // A legacy transaction without EIP-155 protection runs on any chain, signed or not.
    let legacy = UnsignedTx { tx_type: 0, chain_id: None, gas_limit: 21_000, ..UnsignedTx::default() };
    assert!(legacy.with_sender(sender, 7).is_ok());
    assert!(decode(&encode(&legacy.sign(&B256::repeat_byte(0x11)).unwrap()), 7).is_ok());
}

#[test]
fn blob_transaction_cannot_create() {
    let fields = UnsignedTx { tx_type: 3, chain_id: Some(1), ..UnsignedTx::default() };
    assert!(matches!(fields.sign(&B256::repeat_byte(1)), Err(TxError::InvalidField(_))));
}

#[test]
fn type_bytes_and_trailing_bytes_are_reported() {
    assert_eq!(decode(&[], 1), Err(TxError::Empty));
    assert_eq!(decode(&[0x00, 0xc0], 1), Err(TxError::UnknownType(0)));
    assert_eq!(decode(&[0x05, 0xc0], 1), Err(TxError::UnknownType(5)));
    // A set-code transaction's list must hold its fields.
    assert!(matches!(decode(&[0x04, 0xc0], 1), Err(TxError::Rlp { .. })));
    assert!(matches!(decode(&[0x85, 1, 2, 3, 4, 5], 1), Err(TxError::Rlp { offset: 0, .. })));
    let mut bytes = hex(EIP155_TX);
    bytes.push(0);
    assert_eq!(decode(&bytes, 1), Err(TxError::TrailingBytes { offset: bytes.len() - 1 }));
}

#[test]
fn high_s_and_zero_signature_are_refused() {
    let signed = eip155_fields().sign(&B256::repeat_byte(0x46)).unwrap();
    let sig = *signed.signature();
    let n = U256::from_be_slice(&hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
    let high_s = n - sig.s();
    let flipped = U256::from(37 + u8::from(!sig.v()));
    assert!(matches!(eip155_fields().with_signature(flipped, sig.r(), high_s), Err(TxError::BadSignature(_))));
    assert!(matches!(
        eip155_fields().with_signature(U256::from(37), U256::ZERO, sig.s()),
        Err(TxError::BadSignature(_))
    ));
    assert_eq!(secret_key_address(&B256::ZERO), Err(TxError::BadSecretKey));
}

/// A small deterministic generator so the garbage test needs no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncations_flips_and_garbage_never_panic() {
    let secret = B256::repeat_byte(0x11);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for fields in all_types() {
        let bytes = encode(&fields.sign(&secret).unwrap());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len], 1).is_err(), "prefix {len} of type {}", fields.tx_type);
        }
        for _ in 0..300 {
            let mut mutated = bytes.clone();
            let at = (rng.next() % mutated.len() as u64) as usize;
            mutated[at] ^= 1 << (rng.next() % 8);
            // Either outcome is fine; what matters is that it returns.
            let _ = decode(&mutated, 1);
        }
    }
    for _ in 0..2000 {
        let len = (rng.next() % 200) as usize;
        let garbage: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = decode(&garbage, 1);
    }
}
