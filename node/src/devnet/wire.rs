//! JSON-RPC on the wire: errors with their standard codes, and the hex encodings of
//! quantities, data, addresses and hashes that Ethereum's JSON-RPC uses.

use serde_json::{json, Value};
use wasm_runtime::primitives::{Address, Bytes, B256, U256};

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// The code: -32700 parse error, -32600 invalid request, -32601 unknown method, -32602
    /// invalid params, -32603 internal, -32000 a server error (invalid transaction, block
    /// not found), 3 execution reverted.
    pub code: i64,
    /// One line.
    pub message: String,
    /// Extra data (a revert's bytes).
    pub data: Option<Value>,
}

/// A handler's result.
pub type RpcResult<T = Value> = Result<T, RpcError>;

impl RpcError {
    /// An error with a code and a message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// -32700: the body is not JSON.
    pub fn parse(message: impl Into<String>) -> Self {
        Self::new(-32700, message)
    }

    /// -32600: not a request object.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(-32600, message)
    }

    /// -32601: no such method.
    pub fn unknown_method(method: &str) -> Self {
        Self::new(-32601, format!("the method {method} does not exist/is not available"))
    }

    /// -32602: a parameter is missing or malformed.
    pub fn params(message: impl Into<String>) -> Self {
        Self::new(-32602, message)
    }

    /// -32603: the node failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(-32603, message)
    }

    /// -32000: a request the chain refuses (an invalid transaction, an unknown block).
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(-32000, message)
    }

    /// Code 3 with the revert data, as geth and anvil answer a reverted call, so ethers and
    /// viem decode custom errors.
    pub fn reverted(output: &[u8]) -> Self {
        let reason = revert_reason(output).map(|r| format!(": {r}")).unwrap_or_default();
        Self { code: 3, message: format!("execution reverted{reason}"), data: Some(Value::String(data(output))) }
    }

    /// The error object.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "code": self.code, "message": self.message });
        if let Some(d) = &self.data {
            v["data"] = d.clone();
        }
        v
    }
}

/// The reason string of a Solidity `Error(string)` revert.
pub fn revert_reason(output: &[u8]) -> Option<String> {
    let body = output.strip_prefix(&[0x08, 0xc3, 0x79, 0xa0][..])?;
    let len = usize::try_from(U256::from_be_slice(body.get(32..64)?)).ok()?;
    let text = body.get(64..64usize.checked_add(len)?)?;
    String::from_utf8(text.to_vec()).ok()
}

/// A number JSON-RPC writes as a quantity.
pub trait Quantity {
    /// As 256 bits.
    fn to_u256(self) -> U256;
}

impl Quantity for u64 {
    fn to_u256(self) -> U256 {
        U256::from(self)
    }
}

impl Quantity for u128 {
    fn to_u256(self) -> U256 {
        U256::from(self)
    }
}

impl Quantity for U256 {
    fn to_u256(self) -> U256 {
        self
    }
}

/// A quantity: `0x` and the shortest hex digits.
pub fn qty(v: impl Quantity) -> Value {
    Value::String(format!("{:#x}", v.to_u256()))
}

/// Data: `0x` and two hex digits per byte.
pub fn data(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Data as a JSON string.
pub fn data_value(bytes: &[u8]) -> Value {
    Value::String(data(bytes))
}

/// A hash.
pub fn hash(h: &B256) -> Value {
    Value::String(format!("{h:#x}"))
}

/// An address (lower case, as nodes return it).
pub fn address(a: &Address) -> Value {
    Value::String(format!("{a:#x}"))
}

fn as_str<'a>(v: &'a Value, what: &str) -> RpcResult<&'a str> {
    v.as_str().ok_or_else(|| RpcError::params(format!("{what}: expected a hex string, got {}", short(v))))
}

/// A value for a message, cut short.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}…", &s[..s.char_indices().take_while(|(i, _)| *i < 77).last().map_or(0, |(i, c)| i + c.len_utf8())])
    } else {
        s
    }
}

fn hex_digits<'a>(s: &'a str, what: &str) -> RpcResult<&'a str> {
    s.strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or_else(|| RpcError::params(format!("{what}: {s:?} does not start with 0x")))
}

/// A 256-bit quantity (hex; a JSON number is accepted too).
pub fn parse_u256(v: &Value, what: &str) -> RpcResult<U256> {
    if let Some(n) = v.as_u64() {
        return Ok(U256::from(n));
    }
    let s = as_str(v, what)?;
    let digits = hex_digits(s, what)?;
    if digits.is_empty() || digits.len() > 64 {
        return Err(RpcError::params(format!("{what}: {s:?} is not a 256-bit hex quantity")));
    }
    U256::from_str_radix(digits, 16).map_err(|_| RpcError::params(format!("{what}: {s:?} is not a hex quantity")))
}

/// A 64-bit quantity.
pub fn parse_u64(v: &Value, what: &str) -> RpcResult<u64> {
    let n = parse_u256(v, what)?;
    u64::try_from(n).map_err(|_| RpcError::params(format!("{what}: {n} does not fit 64 bits")))
}

/// Bytes.
pub fn parse_bytes(v: &Value, what: &str) -> RpcResult<Bytes> {
    let s = as_str(v, what)?;
    let digits = hex_digits(s, what)?;
    hex::decode(digits).map(Bytes::from).map_err(|e| RpcError::params(format!("{what}: not hex data: {e}")))
}

/// Exactly `N` bytes.
fn parse_fixed<const N: usize>(v: &Value, what: &str) -> RpcResult<[u8; N]> {
    let bytes = parse_bytes(v, what)?;
    <[u8; N]>::try_from(bytes.as_ref())
        .map_err(|_| RpcError::params(format!("{what}: expected {N} bytes, got {}", bytes.len())))
}

/// A 20-byte address.
pub fn parse_address(v: &Value, what: &str) -> RpcResult<Address> {
    parse_fixed::<20>(v, what).map(Address::from)
}

/// A 32-byte hash.
pub fn parse_b256(v: &Value, what: &str) -> RpcResult<B256> {
    parse_fixed::<32>(v, what).map(B256::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_data() {
        assert_eq!(qty(0u64), json!("0x0"));
        assert_eq!(qty(255u64), json!("0xff"));
        assert_eq!(parse_u64(&json!("0x10"), "x"), Ok(16));
        assert_eq!(parse_u64(&json!(7), "x"), Ok(7));
        assert!(parse_u64(&json!("16"), "x").is_err());
        assert!(parse_u64(&json!("0x"), "x").is_err());
        assert!(parse_u64(&json!("0x1ffffffffffffffff"), "x").is_err());
        assert!(parse_u64(&json!(true), "x").is_err());
        assert!(parse_address(&json!("0x1234"), "to").unwrap_err().message.contains("expected 20 bytes"));
        assert_eq!(parse_bytes(&json!("0x0102"), "d").unwrap().as_ref(), &[1, 2]);
    }

    /// `Error(string)` with "nope": the reason is in the message, the bytes in `data`.
    #[test]
    fn revert_errors_carry_their_data() {
        let mut out = vec![0x08, 0xc3, 0x79, 0xa0];
        out.extend_from_slice(&U256::from(32).to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(4).to_be_bytes::<32>());
        let mut word = [0u8; 32];
        word[..4].copy_from_slice(b"nope");
        out.extend_from_slice(&word);
        let e = RpcError::reverted(&out);
        assert_eq!(e.code, 3);
        assert_eq!(e.message, "execution reverted: nope");
        assert_eq!(e.data, Some(Value::String(data(&out))));
        assert_eq!(RpcError::reverted(&[0xde, 0xad]).message, "execution reverted");
    }
}
