//! Reading the hex-and-decimal JSON of the t8n tools, with errors that name file and field.
//!
//! Quantities are `"0x…"` hex strings (`"0x"` is zero; leading zeros are fine), decimal
//! strings, or JSON numbers. Byte strings are hex with an optional `0x`.

use serde_json::{Map, Value};
use wasm_runtime::primitives::{Address, Bytes, B256, U256};

use crate::error::{Error, Result};

/// Reads fields of one input file; every error names the file and the field.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    /// The file name (or `stdin`) for error messages.
    pub file: &'a str,
}

/// `parent.key`, or `key` at the top level.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl<'a> Reader<'a> {
    /// A reader for `file`.
    pub fn new(file: &'a str) -> Self {
        Self { file }
    }

    /// An error about `field`.
    pub fn error(&self, field: &str, message: impl Into<String>) -> Error {
        Error::field(self.file, field, message)
    }

    /// `v` as an object.
    pub fn object<'v>(&self, field: &str, v: &'v Value) -> Result<&'v Map<String, Value>> {
        v.as_object().ok_or_else(|| self.error(field, format!("expected an object, found {}", kind(v))))
    }

    /// `v` as an array.
    pub fn array<'v>(&self, field: &str, v: &'v Value) -> Result<&'v Vec<Value>> {
        v.as_array().ok_or_else(|| self.error(field, format!("expected an array, found {}", kind(v))))
    }

    /// `v` as a string.
    pub fn string<'v>(&self, field: &str, v: &'v Value) -> Result<&'v str> {
        v.as_str().ok_or_else(|| self.error(field, format!("expected a string, found {}", kind(v))))
    }

    /// A required member of `obj` (at `parent`); `null` counts as missing.
    pub fn required<'v>(&self, obj: &'v Map<String, Value>, parent: &str, key: &str) -> Result<&'v Value> {
        optional(obj, key).ok_or_else(|| self.error(&join(parent, key), "missing"))
    }

    /// A quantity that fits 256 bits.
    pub fn u256(&self, field: &str, v: &Value) -> Result<U256> {
        match v {
            Value::Number(n) => n
                .as_u64()
                .map(U256::from)
                .ok_or_else(|| self.error(field, format!("{n} is not a non-negative integer"))),
            Value::String(s) => parse_quantity(s).map_err(|m| self.error(field, m)),
            other => Err(self.error(field, format!("expected a quantity, found {}", kind(other)))),
        }
    }

    /// A quantity that fits 64 bits.
    pub fn u64(&self, field: &str, v: &Value) -> Result<u64> {
        let q = self.u256(field, v)?;
        u64::try_from(q).map_err(|_| self.error(field, format!("{q} does not fit in 64 bits")))
    }

    /// A quantity that fits 128 bits (gas prices).
    pub fn u128(&self, field: &str, v: &Value) -> Result<u128> {
        let q = self.u256(field, v)?;
        u128::try_from(q).map_err(|_| self.error(field, format!("{q} does not fit in 128 bits")))
    }

    /// A byte string.
    pub fn bytes(&self, field: &str, v: &Value) -> Result<Bytes> {
        let s = self.string(field, v)?;
        parse_hex(s).map(Bytes::from).map_err(|m| self.error(field, m))
    }

    /// A 20-byte address.
    pub fn address(&self, field: &str, v: &Value) -> Result<Address> {
        parse_address(self.string(field, v)?).map_err(|m| self.error(field, m))
    }

    /// A 32-byte hash (exactly 32 bytes).
    pub fn b256(&self, field: &str, v: &Value) -> Result<B256> {
        let bytes = parse_hex(self.string(field, v)?).map_err(|m| self.error(field, m))?;
        B256::try_from(bytes.as_slice())
            .map_err(|_| self.error(field, format!("expected 32 bytes, found {}", bytes.len())))
    }
}

/// A member of `obj`, treating `null` as missing.
pub fn optional<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// What kind of JSON value `v` is, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A hex (`0x…`) or decimal quantity.
pub fn parse_quantity(s: &str) -> std::result::Result<U256, String> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.is_empty() {
            return Ok(U256::ZERO);
        }
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a hex quantity"));
        }
        let digits = hex.trim_start_matches('0');
        if digits.len() > 64 {
            return Err(format!("`{s}` does not fit in 256 bits"));
        }
        U256::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16).map_err(|e| format!("`{s}`: {e}"))
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        U256::from_str_radix(s, 10).map_err(|_| format!("`{s}` does not fit in 256 bits"))
    } else {
        Err(format!("`{s}` is neither a hex (0x…) nor a decimal quantity"))
    }
}

/// Hex bytes, `0x` optional.
pub fn parse_hex(s: &str) -> std::result::Result<Vec<u8>, String> {
    let t = s.trim();
    let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    hex::decode(t).map_err(|e| {
        let shown: String = s.chars().take(20).collect();
        format!("`{shown}{}` is not hex bytes: {e}", if s.len() > 20 { "…" } else { "" })
    })
}

/// A 20-byte address in hex, `0x` optional.
pub fn parse_address(s: &str) -> std::result::Result<Address, String> {
    let bytes = parse_hex(s)?;
    Address::try_from(bytes.as_slice()).map_err(|_| format!("expected a 20-byte address, found {} bytes", bytes.len()))
}

/// `0x`-prefixed lowercase hex of a quantity, as the t8n tools print them.
pub fn quantity(v: impl Into<U256>) -> String {
    format!("{:#x}", v.into())
}

/// `0x`-prefixed hex of bytes.
pub fn hex_bytes(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("0x"), Ok(U256::ZERO));
        assert_eq!(parse_quantity("0x00ff"), Ok(U256::from(255)));
        assert_eq!(parse_quantity("1000"), Ok(U256::from(1000)));
        assert!(parse_quantity("0xg1").is_err());
        assert!(parse_quantity("-1").is_err());
        assert!(parse_quantity("").is_err());
        assert!(parse_quantity(&format!("0x1{}", "0".repeat(64))).is_err());
        assert_eq!(parse_quantity(&format!("0x000{}", "f".repeat(64))), Ok(U256::MAX));
        assert_eq!(quantity(U256::from(0)), "0x0");
        assert_eq!(quantity(U256::from(0x5208)), "0x5208");
    }

    #[test]
    fn fields_are_named_in_errors() {
        let r = Reader::new("env.json");
        let e = r.u64("currentNumber", &Value::String("0x1ffffffffffffffff".into())).unwrap_err();
        assert_eq!(e.to_string(), "env.json: field `currentNumber`: 36893488147419103231 does not fit in 64 bits");
        let e = r.address("currentCoinbase", &Value::String("0x12".into())).unwrap_err();
        assert!(e.to_string().contains("20-byte address"), "{e}");
        let e = r.bytes("input", &Value::String("0x123".into())).unwrap_err();
        assert!(e.to_string().contains("field `input`"), "{e}");
    }
}
