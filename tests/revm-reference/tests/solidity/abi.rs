//! Solidity ABI encoding and decoding, by hand.

use alloy_primitives::{keccak256, Address, B256, U256};
use serde_json::Value;

/// An ABI argument: a static word, a dynamic byte string (also `string`), or a dynamic
/// array of static words.
#[derive(Clone)]
pub(crate) enum Arg {
    Word([u8; 32]),
    Bytes(Vec<u8>),
    Words(Vec<[u8; 32]>),
}

pub(crate) fn num(n: u64) -> Arg {
    Arg::Word(U256::from(n).to_be_bytes())
}

pub(crate) fn big(n: U256) -> Arg {
    Arg::Word(n.to_be_bytes())
}

pub(crate) fn addr(a: Address) -> Arg {
    Arg::Word(a.into_word().0)
}

pub(crate) fn word(b: B256) -> Arg {
    Arg::Word(b.0)
}

pub(crate) fn boolean(b: bool) -> Arg {
    num(u64::from(b))
}

pub(crate) fn bytes(b: &[u8]) -> Arg {
    Arg::Bytes(b.to_vec())
}

pub(crate) fn addresses(list: &[Address]) -> Arg {
    Arg::Words(list.iter().map(|a| a.into_word().0).collect())
}

pub(crate) fn numbers(list: &[u64]) -> Arg {
    Arg::Words(list.iter().map(|n| U256::from(*n).to_be_bytes()).collect())
}

pub(crate) fn pad32(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    out.resize(data.len().div_ceil(32) * 32, 0);
    out
}

/// The ABI encoding of a tuple.
pub(crate) fn encode(args: &[Arg]) -> Vec<u8> {
    let mut head = Vec::new();
    let mut tail = Vec::new();
    for arg in args {
        match arg {
            Arg::Word(w) => head.extend_from_slice(w),
            Arg::Bytes(b) => {
                head.extend_from_slice(&U256::from(32 * args.len() + tail.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&U256::from(b.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&pad32(b));
            }
            Arg::Words(ws) => {
                head.extend_from_slice(&U256::from(32 * args.len() + tail.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&U256::from(ws.len()).to_be_bytes::<32>());
                ws.iter().for_each(|w| tail.extend_from_slice(w));
            }
        }
    }
    head.extend(tail);
    head
}

pub(crate) fn selector(sig: &str) -> [u8; 4] {
    keccak256(sig.as_bytes())[..4].try_into().unwrap()
}

/// Calldata (or error data): a selector and the encoded arguments.
pub(crate) fn abi(sig: &str, args: &[Arg]) -> Vec<u8> {
    let mut out = selector(sig).to_vec();
    out.extend(encode(args));
    out
}

pub(crate) fn topic(sig: &str) -> B256 {
    keccak256(sig.as_bytes())
}

pub(crate) fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

pub(crate) fn uint(n: u64) -> Vec<u8> {
    encode(&[num(n)])
}

pub(crate) fn panic_code(code: u64) -> Vec<u8> {
    abi("Panic(uint256)", &[num(code)])
}

pub(crate) fn error_string(s: &str) -> Vec<u8> {
    abi("Error(string)", &[bytes(s.as_bytes())])
}

/// The output of transaction `i` of a report.
pub(crate) fn output_of(report: &Value, i: usize) -> Vec<u8> {
    hex::decode(report["transactions"][i]["output"].as_str().unwrap().trim_start_matches("0x")).unwrap()
}

/// Reads the dynamic `bytes` at ABI head word `index` of `data`.
pub(crate) fn dynamic_bytes(data: &[u8], index: usize) -> Vec<u8> {
    let at = |w: usize| usize::try_from(U256::from_be_slice(&data[w..w + 32])).unwrap();
    let offset = at(32 * index);
    data[offset + 32..offset + 32 + at(offset)].to_vec()
}
