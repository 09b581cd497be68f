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

/// Parses JSON text into a [`Value`] as `serde_json` does, but refuses an object that names
/// a key twice (`serde_json` would keep the last value silently). The error names the key,
/// with the line and column where it repeats.
pub fn parse_strict(text: &str) -> std::result::Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let StrictValue(value) = serde::Deserialize::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A [`Value`] read without duplicate keys.
struct StrictValue(Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate key `{}`", crate::error::one_line(&key))));
            }
            let StrictValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
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
            return Err(format!("`{}` is not a hex quantity", shown(s)));
        }
        let digits = hex.trim_start_matches('0');
        if digits.len() > 64 {
            return Err(format!("`{}` does not fit in 256 bits", shown(s)));
        }
        U256::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16).map_err(|e| format!("`{s}`: {e}"))
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        U256::from_str_radix(s, 10).map_err(|_| format!("`{}` does not fit in 256 bits", shown(s)))
    } else {
        Err(format!("`{}` is neither a hex (0x…) nor a decimal quantity", shown(s)))
    }
}

/// A value quoted in an error message: up to 80 characters as given, a longer one cut to
/// its first 40 with its length (a 100 MB quantity made a 100 MB error line; issue 17).
fn shown(s: &str) -> String {
    let count = s.chars().count();
    if count <= 80 {
        return s.to_string();
    }
    let head: String = s.chars().take(40).collect();
    format!("{head}… ({count} characters)")
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
    fn strict_parsing_refuses_duplicate_keys() {
        let text = r#"{"a": {"balance": "0x1", "nonce": "0x0", "balance": "0x2"}}"#;
        let e = parse_strict(text).unwrap_err().to_string();
        assert!(e.starts_with("duplicate key `balance` at line 1 column"), "{e}");
        // A key holding a line break (found by the json_input fuzz target) stays on one line.
        let e = parse_strict("{\"a\\nb\": 1, \"a\\nb\": 2}").unwrap_err().to_string();
        assert!(e.starts_with("duplicate key `a\\nb` at line 1 column"), "{e}");
        assert!(parse_strict(r#"[{"k": 1}, {"k": 2}]"#).is_ok(), "the same key in two objects");
        // Everything else reads exactly as serde_json reads it.
        let text = r#"{"n": [1, -2, 3.5, 18446744073709551615, 1e300], "s": "x", "b": true, "z": null, "o": {}}"#;
        assert_eq!(parse_strict(text).unwrap(), serde_json::from_str::<Value>(text).unwrap());
        assert!(parse_strict("{} {}").unwrap_err().to_string().contains("trailing characters"));
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
