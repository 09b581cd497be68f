//! Known vectors (the Solidity ABI specification's examples) and round trips.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::keccak::selector_const;
use crate::types::{Address, Word};

fn word(n: u64) -> Vec<u8> {
    U256::from(n).to_be_bytes::<32>().to_vec()
}

fn text(s: &str) -> Vec<u8> {
    let mut w = [0u8; 32];
    w[..s.len()].copy_from_slice(s.as_bytes());
    w.to_vec()
}

fn concat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn spec_example_baz() {
    // baz(uint32,bool) with (69, true).
    let sel = selector_const("baz(uint32,bool)");
    assert_eq!(sel, [0xcd, 0xcd, 0x77, 0xc0]);
    let got = encode_call(sel, &(69u32, true));
    assert_eq!(got, concat(&[sel.to_vec(), word(69), word(1)]));
    let (a, b): (u32, bool) = decode(&got[4..]).unwrap();
    assert_eq!((a, b), (69, true));
}

#[test]
fn spec_example_sam() {
    // sam(bytes,bool,uint256[]) with ("dave", true, [1, 2, 3]).
    let sel = selector_const("sam(bytes,bool,uint256[])");
    assert_eq!(sel, [0xa5, 0x64, 0x3b, 0xf2]);
    let args = (b"dave".to_vec(), true, vec![U256::from(1), U256::from(2), U256::from(3)]);
    let got = encode_call(sel, &args);
    let want = concat(&[
        sel.to_vec(),
        word(0x60),
        word(1),
        word(0xa0),
        word(4),
        text("dave"),
        word(3),
        word(1),
        word(2),
        word(3),
    ]);
    assert_eq!(got, want);
    let back: (Vec<u8>, bool, Vec<U256>) = decode(&got[4..]).unwrap();
    assert_eq!(back, args);
}

#[test]
fn spec_example_nested_dynamic_arrays() {
    // g(uint256[][],string[]) with ([[1, 2], [3]], ["one", "two", "three"]).
    let sel = selector_const("g(uint256[][],string[])");
    assert_eq!(sel, [0x22, 0x89, 0xb1, 0x8c]);
    let u = |n| U256::from(n);
    let args =
        (vec![vec![u(1), u(2)], vec![u(3)]], vec![String::from("one"), String::from("two"), String::from("three")]);
    let got = encode_call(sel, &args);
    let want = concat(&[
        sel.to_vec(),
        word(0x40),
        word(0x140),
        word(2),
        word(0x40),
        word(0xa0),
        word(2),
        word(1),
        word(2),
        word(1),
        word(3),
        word(3),
        word(0x60),
        word(0xa0),
        word(0xe0),
        word(3),
        text("one"),
        word(3),
        text("two"),
        word(5),
        text("three"),
    ]);
    assert_eq!(got, want);
    let back: (Vec<Vec<U256>>, Vec<String>) = decode(&got[4..]).unwrap();
    assert_eq!(back, args);
}

#[test]
fn error_string_vector() {
    let got = error_string("Not enough Ether provided.");
    let want = concat(&[ERROR_SELECTOR.to_vec(), word(0x20), word(26), text("Not enough Ether provided.")]);
    assert_eq!(got, want);
    assert_eq!(decode_error_string(&got).as_deref(), Some("Not enough Ether provided."));
    assert_eq!(decode_error_string(&panic_code(0x11)), None);
    assert_eq!(panic_code(0x11), concat(&[PANIC_SELECTOR.to_vec(), word(0x11)]));
    assert_eq!(selector_const("Panic(uint256)"), PANIC_SELECTOR);
}

#[test]
fn round_trips() {
    let a = Address([0xab; 20]);
    let w: Word = [0x5a; 32];
    let long = vec![7u8; 100];
    let v = (
        a,
        U256::MAX,
        w,
        long.clone(),
        String::from("héllo"),
        vec![a, Address::ZERO],
        vec![long.clone(), Vec::new()],
        u64::MAX,
    );
    let enc = encode(&v);
    assert_eq!(enc.len() % 32, 0);
    type All = (Address, U256, Word, Vec<u8>, String, Vec<Address>, Vec<Vec<u8>>, u64);
    let back: All = decode(&enc).unwrap();
    assert_eq!(back, v);
    // Borrowed forms encode like owned ones.
    assert_eq!(encode(&("héllo", &long[..])), encode(&(String::from("héllo"), long)));
    // Static nested tuple inline, dynamic nested tuple by offset.
    let nested = ((U256::ONE, true), (String::from("x"),));
    let enc = encode(&nested);
    assert_eq!(&enc[..64], &concat(&[word(1), word(1)])[..]);
    assert_eq!(&enc[64..96], &word(96)[..]);
    let back: ((U256, bool), (String,)) = decode(&enc).unwrap();
    assert_eq!(back, nested);
    assert_eq!(encode(&()), Vec::<u8>::new());
    let (): () = decode(&[]).unwrap();
}

#[test]
fn bad_input_is_an_error_with_its_offset() {
    let err = |kind, offset| Err::<(), _>(AbiError { kind, offset });
    // Too short for the second word.
    assert_eq!(decode::<(U256, U256)>(&word(1)).map(|_| ()), err(AbiErrorKind::OutOfBounds, 32));
    // Non-canonical values.
    assert_eq!(decode::<(bool,)>(&word(2)).map(|_| ()), err(AbiErrorKind::NotCanonical, 0));
    let mut dirty = word(1);
    dirty[0] = 1;
    assert_eq!(decode::<(Address,)>(&dirty).map(|_| ()), err(AbiErrorKind::NotCanonical, 0));
    assert_eq!(decode::<(u32,)>(&word(1 << 32)).map(|_| ()), err(AbiErrorKind::NotCanonical, 0));
    // Offset past the end, offset that does not fit 32 bits.
    assert_eq!(decode::<(Vec<u8>,)>(&word(0x40)).map(|_| ()), err(AbiErrorKind::OutOfBounds, 0x40));
    assert_eq!(decode::<(Vec<u8>,)>(&dirty).map(|_| ()), err(AbiErrorKind::BadOffset, 0));
    // Length longer than the data.
    let data = concat(&[word(0x20), word(33), text("x")]);
    assert_eq!(decode::<(Vec<u8>,)>(&data).map(|_| ()), err(AbiErrorKind::OutOfBounds, 0x40));
    // An array length the data cannot hold is refused before allocating.
    let data = concat(&[word(0x20), word(u32::MAX as u64)]);
    assert_eq!(decode::<(Vec<U256>,)>(&data).map(|_| ()), err(AbiErrorKind::BadOffset, 0x20));
    // Invalid UTF-8.
    let mut bad = concat(&[word(0x20), word(1), text("x")]);
    bad[64] = 0xff;
    assert_eq!(decode::<(String,)>(&bad).map(|_| ()), err(AbiErrorKind::InvalidUtf8, 0x20));
    assert_eq!(split_selector(&[1, 2, 3]), None);
}

/// Every truncation of a valid encoding fails cleanly (never panics), and every single-byte
/// corruption either fails or decodes to something.
#[test]
fn truncations_and_corruptions_never_panic() {
    let v = (vec![String::from("one"), String::from("three")], b"dave".to_vec(), vec![vec![U256::ONE]]);
    let enc = encode(&v);
    type T = (Vec<String>, Vec<u8>, Vec<Vec<U256>>);
    for n in 0..enc.len() {
        assert!(decode::<T>(&enc[..n]).is_err(), "truncated to {n} bytes decoded");
    }
    for i in 0..enc.len() {
        for b in [0x01u8, 0x80, 0xff] {
            let mut c = enc.clone();
            c[i] ^= b;
            let _ = decode::<T>(&c);
        }
    }
}

#[test]
fn fixed_bytes_are_left_aligned_and_checked() {
    // bytes4 0x80ac58cd (ERC-721's interface id) and a bytes3 after it.
    let id: [u8; 4] = [0x80, 0xac, 0x58, 0xcd];
    let enc = encode(&(id, [1u8, 2, 3]));
    let mut want = [0u8; 64];
    want[..4].copy_from_slice(&id);
    want[32..35].copy_from_slice(&[1, 2, 3]);
    assert_eq!(enc, want.to_vec());
    assert_eq!(decode::<([u8; 4], [u8; 3])>(&enc).unwrap(), (id, [1, 2, 3]));
    // A nonzero byte past the value is not a canonical bytes4.
    let mut dirty = want;
    dirty[4] = 1;
    assert!(decode::<([u8; 4],)>(&dirty[..32]).is_err());
    use crate::contract::AbiWord;
    assert_eq!(<[u8; 4]>::SOL_TYPE, "bytes4");
    assert_eq!(<[u8; 4]>::from_abi_word(&id.abi_word()), Some(id));
    assert_eq!(<[u8; 31]>::from_abi_word(&[1u8; 32]), None);
}
