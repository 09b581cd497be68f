//! Reading what a run did with the contracts' ABIs: calls (function and arguments), return
//! values, revert reasons (`Error(string)`, `Panic(uint256)` with the meaning of its code, the
//! custom errors of an ABI) and events, for `zkos run`.
//!
//! ABIs come from `--abi ADDRESS=FILE` (a solc JSON ABI, or an artifact with an `abi` field)
//! and from the ABI a WASM contract embeds. Nothing here touches execution: it reads
//! receipts and traces after the block ran.
//!
//! ```text
//! withdraw(amount: 5)
//! InsufficientBalance(available: 0, requested: 5)
//! Panic(0x11: arithmetic overflow or underflow)
//! Deposited(who: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, amount: 1000)
//! ```

use std::collections::BTreeMap;

use alloy_dyn_abi::{DynSolValue, EventExt, FunctionExt, JsonAbiExt};
use alloy_json_abi::{Function, JsonAbi, Param};
use wasm_runtime::primitives::{Address, B256, U256};

use crate::error::{Error, Result};

/// `Error(string)`'s selector: `keccak256("Error(string)")[..4]`.
pub const ERROR_SELECTOR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
/// `Panic(uint256)`'s selector: `keccak256("Panic(uint256)")[..4]`.
pub const PANIC_SELECTOR: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];

/// The ABIs known for a run, by contract address.
#[derive(Clone, Debug, Default)]
pub struct Abis {
    by_address: BTreeMap<Address, JsonAbi>,
}

impl Abis {
    /// Reads one `--abi ADDRESS=FILE` option.
    pub fn read_option(&mut self, option: &str) -> Result<()> {
        let (address, file) = option
            .split_once('=')
            .ok_or_else(|| Error::Config(format!("--abi {option}: expected ADDRESS=FILE (a solc JSON ABI)")))?;
        let address = crate::json::parse_address(address.trim())
            .map_err(|e| Error::Config(format!("--abi {option}: the address: {e}")))?;
        let text =
            std::fs::read_to_string(file).map_err(|e| Error::Io { path: file.to_string(), message: e.to_string() })?;
        let abi = parse_abi(&text).map_err(|e| Error::Json { file: file.to_string(), message: e })?;
        self.insert(address, abi);
        Ok(())
    }

    /// Uses `abi` for the contract at `address` (merged with what is known already).
    pub fn insert(&mut self, address: Address, abi: JsonAbi) {
        match self.by_address.get_mut(&address) {
            Some(known) => {
                for (name, list) in abi.functions {
                    known.functions.entry(name).or_default().extend(list);
                }
                for (name, list) in abi.events {
                    known.events.entry(name).or_default().extend(list);
                }
                for (name, list) in abi.errors {
                    known.errors.entry(name).or_default().extend(list);
                }
                known.constructor = known.constructor.take().or(abi.constructor);
                known.fallback = known.fallback.take().or(abi.fallback);
                known.receive = known.receive.take().or(abi.receive);
            }
            None => {
                self.by_address.insert(address, abi);
            }
        }
    }

    /// Whether an ABI is known for `address`.
    pub fn has(&self, address: &Address) -> bool {
        self.by_address.contains_key(address)
    }

    /// The function of `address`'s ABI that `input` calls.
    fn function(&self, address: &Address, input: &[u8]) -> Option<&Function> {
        let selector = input.get(..4)?;
        self.by_address.get(address)?.functions().find(|f| f.selector().as_slice() == selector)
    }

    /// The call `input` makes to `address`: `name(arg: value, ...)`, or the unknown selector;
    /// `None` when no ABI is known for `address` (or the input is empty: a plain transfer).
    pub fn call(&self, address: &Address, input: &[u8]) -> Option<String> {
        let abi = self.by_address.get(address)?;
        if input.is_empty() {
            return match (&abi.receive, &abi.fallback) {
                (Some(_), _) => Some("receive()".into()),
                (None, Some(_)) => Some("fallback()".into()),
                _ => None,
            };
        }
        let Some(function) = self.function(address, input) else {
            let shown = if input.len() >= 4 { hex::encode(&input[..4]) } else { hex::encode(input) };
            return Some(match &abi.fallback {
                Some(_) => format!("fallback() with selector 0x{shown} ({} bytes)", input.len()),
                None => format!("unknown selector 0x{shown} ({} bytes)", input.len()),
            });
        };
        Some(match function.abi_decode_input(&input[4..]) {
            Ok(values) => format!("{}({})", function.name, named(&function.inputs, &values)),
            Err(e) => format!("{}(...): arguments do not decode: {e}", function.name),
        })
    }

    /// What the call `input` to `address` returned, decoded by its function's outputs.
    pub fn returned(&self, address: &Address, input: &[u8], output: &[u8]) -> Option<String> {
        let function = self.function(address, input)?;
        if function.outputs.is_empty() {
            return None;
        }
        Some(match function.abi_decode_output(output) {
            Ok(values) => format!("({})", named(&function.outputs, &values)),
            Err(e) => format!("{} bytes that do not decode as {}: {e}", output.len(), outputs_type(function)),
        })
    }

    /// The reason in revert data `output` of a frame of `address`: `Error(string)`,
    /// `Panic(uint256)` with its meaning, an error of `address`'s ABI (or of any known ABI:
    /// errors travel up from callees), or the raw selector.
    pub fn revert_reason(&self, address: Option<&Address>, output: &[u8]) -> String {
        if output.is_empty() {
            return "no revert data".into();
        }
        let Some(selector) = output.get(..4) else {
            return format!("{} bytes of revert data 0x{}", output.len(), hex::encode(output));
        };
        let data = &output[4..];
        if selector == ERROR_SELECTOR {
            if let Ok(DynSolValue::String(s)) = alloy_dyn_abi::DynSolType::String.abi_decode(data) {
                return format!("Error({})", quoted(&s));
            }
        }
        if selector == PANIC_SELECTOR {
            if let Ok(DynSolValue::Uint(code, _)) = alloy_dyn_abi::DynSolType::Uint(256).abi_decode(data) {
                return format!("Panic({})", panic_meaning(code));
            }
        }
        let own = address.and_then(|a| self.by_address.get(a)).into_iter();
        for abi in own.chain(self.by_address.values()) {
            if let Some(error) = abi.errors().find(|e| e.selector().as_slice() == selector) {
                return match error.abi_decode_input(data) {
                    Ok(values) => format!("{}({})", error.name, named(&error.inputs, &values)),
                    Err(e) => format!("{}(...): arguments do not decode: {e}", error.name),
                };
            }
        }
        format!("unknown error 0x{} ({} bytes)", hex::encode(selector), output.len())
    }

    /// The event a log of `address` with `topics` and `data` is: `Name(field: value, ...)`,
    /// by `address`'s ABI or any known ABI with that signature.
    pub fn event(&self, address: &Address, topics: &[B256], data: &[u8]) -> Option<String> {
        let first = topics.first()?;
        let own = self.by_address.get(address).into_iter();
        let event = own
            .chain(self.by_address.values())
            .find_map(|abi| abi.events().find(|e| !e.anonymous && e.selector() == *first))?;
        Some(match event.decode_log_parts(topics.iter().copied(), data) {
            Ok(decoded) => {
                let (mut indexed, mut body) = (decoded.indexed.iter(), decoded.body.iter());
                let fields: Vec<String> = event
                    .inputs
                    .iter()
                    .map(|p| {
                        let v = if p.indexed { indexed.next() } else { body.next() };
                        let v = v.map_or_else(|| "?".to_string(), value);
                        if p.name.is_empty() {
                            v
                        } else {
                            format!("{}: {v}", p.name)
                        }
                    })
                    .collect();
                format!("{}({})", event.name, fields.join(", "))
            }
            Err(e) => format!("{}(...): the log does not decode: {e}", event.name),
        })
    }
}

/// A JSON ABI: an array of entries (solc's `--abi` output) or an object with an `abi` field
/// (Foundry's and Hardhat's artifacts).
pub fn parse_abi(text: &str) -> std::result::Result<JsonAbi, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let entries = match doc {
        serde_json::Value::Object(mut o) if o.contains_key("abi") => o.remove("abi").unwrap_or_default(),
        other => other,
    };
    if !entries.is_array() {
        return Err("expected a JSON ABI: an array of entries, or an object with an `abi` array".into());
    }
    serde_json::from_value(entries).map_err(|e| format!("not a JSON ABI: {e}"))
}

/// What a Solidity panic code means (the list of the Solidity documentation's "Panic via
/// assert and Error via require").
pub fn panic_meaning(code: U256) -> String {
    let meaning = match u64::try_from(code).ok() {
        Some(0x00) => "generic compiler panic",
        Some(0x01) => "assert(false)",
        Some(0x11) => "arithmetic overflow or underflow",
        Some(0x12) => "division or modulo by zero",
        Some(0x21) => "conversion to an enum out of range",
        Some(0x22) => "incorrectly encoded storage byte array",
        Some(0x31) => "pop() on an empty array",
        Some(0x32) => "array index out of bounds",
        Some(0x41) => "too much memory allocated",
        Some(0x51) => "call to a zero-initialized internal function variable",
        _ => return format!("{code:#x}: unknown panic code"),
    };
    format!("{code:#04x}: {meaning}")
}

/// `name: value, ...` for values decoded by `params` (names left out where the ABI has none).
fn named(params: &[Param], values: &[DynSolValue]) -> String {
    let fields: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| match params.get(i).map(|p| p.name.as_str()).filter(|n| !n.is_empty()) {
            Some(name) => format!("{name}: {}", value(v)),
            None => value(v),
        })
        .collect();
    fields.join(", ")
}

fn outputs_type(function: &Function) -> String {
    let types: Vec<String> = function.outputs.iter().map(|p| p.selector_type().into_owned()).collect();
    format!("({})", types.join(","))
}

/// A string as a quoted literal, control characters escaped (one line whatever it holds).
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

/// A decoded value as Solidity would write it: numbers in decimal, addresses checksummed,
/// bytes in hex, strings quoted.
pub fn value(v: &DynSolValue) -> String {
    let list = |items: &[DynSolValue], open: &str, close: &str| {
        let inner: Vec<String> = items.iter().map(value).collect();
        format!("{open}{}{close}", inner.join(", "))
    };
    match v {
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(word, size) => format!("0x{}", hex::encode(&word[..(*size).min(32)])),
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Function(f) => format!("0x{}", hex::encode(f.as_slice())),
        DynSolValue::Bytes(b) => format!("0x{}", hex::encode(b)),
        DynSolValue::String(s) => quoted(s),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => list(items, "[", "]"),
        DynSolValue::Tuple(items) => list(items, "(", ")"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_dyn_abi::DynSolType;
    use wasm_runtime::primitives::keccak256;

    const VAULT: &str = r#"[
      {"type":"function","name":"withdraw","stateMutability":"nonpayable",
       "inputs":[{"name":"amount","type":"uint256"}],"outputs":[]},
      {"type":"function","name":"balanceOf","stateMutability":"view",
       "inputs":[{"name":"","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},
      {"type":"event","name":"Deposited","anonymous":false,"inputs":[
        {"name":"who","type":"address","indexed":true},{"name":"amount","type":"uint256","indexed":false}]},
      {"type":"error","name":"InsufficientBalance","inputs":[
        {"name":"available","type":"uint256"},{"name":"requested","type":"uint256"}]}
    ]"#;

    fn book() -> (Abis, Address) {
        let mut abis = Abis::default();
        let at = Address::repeat_byte(0x22);
        abis.insert(at, parse_abi(VAULT).expect("a JSON ABI"));
        (abis, at)
    }

    fn word(n: u64) -> [u8; 32] {
        U256::from(n).to_be_bytes()
    }

    #[test]
    fn selectors_are_the_keccak_of_the_signatures() {
        assert_eq!(keccak256("Error(string)")[..4], ERROR_SELECTOR);
        assert_eq!(keccak256("Panic(uint256)")[..4], PANIC_SELECTOR);
    }

    #[test]
    fn calls_returns_and_unknown_selectors() {
        let (abis, at) = book();
        let mut input = keccak256("withdraw(uint256)")[..4].to_vec();
        input.extend_from_slice(&word(5));
        assert_eq!(abis.call(&at, &input).as_deref(), Some("withdraw(amount: 5)"));
        assert_eq!(abis.returned(&at, &input, &[]), None);
        let mut input = keccak256("balanceOf(address)")[..4].to_vec();
        input.extend_from_slice(&[0; 12]);
        input.extend_from_slice(&[0x11; 20]);
        assert_eq!(abis.call(&at, &input).as_deref(), Some("balanceOf(0x1111111111111111111111111111111111111111)"));
        assert_eq!(abis.returned(&at, &input, &word(7)).as_deref(), Some("(7)"));
        assert!(abis.returned(&at, &input, &[1, 2]).expect("decoded").contains("do not decode as (uint256)"));
        assert_eq!(
            abis.call(&at, &[0xde, 0xad, 0xbe, 0xef, 1]).as_deref(),
            Some("unknown selector 0xdeadbeef (5 bytes)")
        );
        assert_eq!(abis.call(&Address::ZERO, &input), None);
    }

    #[test]
    fn revert_reasons() {
        let (abis, at) = book();
        let mut error = ERROR_SELECTOR.to_vec();
        error.extend(DynSolValue::String("no\nway".into()).abi_encode_params());
        assert_eq!(abis.revert_reason(None, &error), r#"Error("no\nway")"#);
        let mut panic = PANIC_SELECTOR.to_vec();
        panic.extend_from_slice(&word(0x11));
        assert_eq!(abis.revert_reason(None, &panic), "Panic(0x11: arithmetic overflow or underflow)");
        panic[35] = 0x99;
        assert_eq!(abis.revert_reason(None, &panic), "Panic(0x99: unknown panic code)");
        let mut custom = keccak256("InsufficientBalance(uint256,uint256)")[..4].to_vec();
        custom.extend_from_slice(&word(0));
        custom.extend_from_slice(&word(5));
        assert_eq!(abis.revert_reason(Some(&at), &custom), "InsufficientBalance(available: 0, requested: 5)");
        // Known from another contract's ABI: errors bubble up from callees.
        assert_eq!(
            abis.revert_reason(Some(&Address::ZERO), &custom),
            "InsufficientBalance(available: 0, requested: 5)"
        );
        assert_eq!(Abis::default().revert_reason(None, &custom), "unknown error 0xcf479181 (68 bytes)");
        assert_eq!(abis.revert_reason(None, &[]), "no revert data");
        assert_eq!(abis.revert_reason(None, &[1, 2]), "2 bytes of revert data 0x0102");
    }

    #[test]
    fn events_in_declaration_order() {
        let (abis, at) = book();
        let who = Address::repeat_byte(0x70);
        let topics = [keccak256("Deposited(address,uint256)"), B256::left_padding_from(who.as_slice())];
        let text = abis.event(&at, &topics, &word(1000)).expect("a known event");
        assert_eq!(text, format!("Deposited(who: {}, amount: 1000)", who.to_checksum(None)));
        assert_eq!(abis.event(&at, &[B256::ZERO], &[]), None);
        assert!(abis.event(&at, &topics[..1], &word(1)).expect("known").contains("does not decode"));
    }

    #[test]
    fn values_and_abi_files() {
        let v = DynSolType::parse("(int8,bytes2,string[],bool)").expect("a type");
        let encoded = DynSolValue::Tuple(vec![
            DynSolValue::Int(alloy_primitives::I256::try_from(-3).expect("fits"), 8),
            DynSolValue::FixedBytes(B256::right_padding_from(&[0xab, 0xcd]), 2),
            DynSolValue::Array(vec![DynSolValue::String("a".into())]),
            DynSolValue::Bool(true),
        ]);
        let decoded = v.abi_decode(&encoded.abi_encode()).expect("round trip");
        assert_eq!(value(&decoded), r#"(-3, 0xabcd, ["a"], true)"#);
        let artifact = format!(r#"{{"abi": {VAULT}, "bytecode": "0x"}}"#);
        assert_eq!(parse_abi(&artifact).expect("an artifact").errors().count(), 1);
        assert!(parse_abi("{}").is_err());
        assert!(parse_abi("[{\"type\": 5}]").is_err());
    }
}
