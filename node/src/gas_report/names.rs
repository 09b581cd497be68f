//! Names of EVM selectors: from a solc ABI, or a table of common signatures.

use serde_json::Value;
use wasm_runtime::primitives::keccak256;

use crate::error::{Error, Result};

/// Signatures a report names without an ABI.
const COMMON: &[&str] = &[
    // ERC-20 and extensions.
    "name()",
    "symbol()",
    "decimals()",
    "totalSupply()",
    "balanceOf(address)",
    "transfer(address,uint256)",
    "transferFrom(address,address,uint256)",
    "approve(address,uint256)",
    "allowance(address,address)",
    "increaseAllowance(address,uint256)",
    "decreaseAllowance(address,uint256)",
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
    "nonces(address)",
    "DOMAIN_SEPARATOR()",
    "PERMIT_TYPEHASH()",
    "mint(address,uint256)",
    "burn(uint256)",
    "burnFrom(address,uint256)",
    // WETH.
    "deposit()",
    "withdraw(uint256)",
    // ERC-721.
    "ownerOf(uint256)",
    "safeTransferFrom(address,address,uint256)",
    "safeTransferFrom(address,address,uint256,bytes)",
    "setApprovalForAll(address,bool)",
    "getApproved(uint256)",
    "isApprovedForAll(address,address)",
    "tokenURI(uint256)",
    "supportsInterface(bytes4)",
    // Ownable, Pausable.
    "owner()",
    "transferOwnership(address)",
    "renounceOwnership()",
    "paused()",
    "pause()",
    "unpause()",
    // Uniswap V2 pair.
    "getReserves()",
    "token0()",
    "token1()",
    "factory()",
    "swap(uint256,uint256,address,bytes)",
    "mint(address)",
    "burn(address)",
    "skim(address)",
    "sync()",
    "initialize(address,address)",
    "price0CumulativeLast()",
    "price1CumulativeLast()",
    "kLast()",
    "MINIMUM_LIQUIDITY()",
    // Counters and examples.
    "increment()",
    "get()",
    "count()",
    "number()",
    "setNumber(uint256)",
];

/// The selector of a signature.
pub fn selector(sig: &str) -> u32 {
    let h = keccak256(sig.as_bytes());
    u32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// The name of `sel`: from `abi`, else from the common signatures.
pub fn name(sel: u32, abi: &[(u32, String)]) -> Option<String> {
    if let Some((_, s)) = abi.iter().find(|(s, _)| *s == sel) {
        return Some(s.clone());
    }
    COMMON.iter().find(|s| selector(s) == sel).map(|s| (*s).to_string())
}

fn canonical_type(v: &Value) -> Option<String> {
    let ty = v.get("type")?.as_str()?;
    match ty.strip_prefix("tuple") {
        Some(suffix) => {
            let parts: Option<Vec<String>> = v.get("components")?.as_array()?.iter().map(canonical_type).collect();
            Some(format!("({}){suffix}", parts?.join(",")))
        }
        None => Some(ty.to_string()),
    }
}

/// Selectors and signatures of the functions of a solc ABI (a JSON array, or an object with
/// an `abi` field).
pub fn from_abi(file: &str, text: &str) -> Result<Vec<(u32, String)>> {
    let v: Value =
        crate::json::parse_strict(text).map_err(|e| Error::Json { file: file.to_string(), message: e.to_string() })?;
    let items = match &v {
        Value::Array(a) => a,
        Value::Object(o) => {
            o.get("abi").and_then(Value::as_array).ok_or_else(|| Error::field(file, "abi", "expected an array"))?
        }
        _ => return Err(Error::field(file, "(root)", "expected an ABI array")),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.get("type").and_then(Value::as_str) != Some("function") {
            continue;
        }
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::field(file, format!("[{i}].name"), "missing"))?;
        let inputs = item.get("inputs").and_then(Value::as_array).cloned().unwrap_or_default();
        let types: Option<Vec<String>> = inputs.iter().map(canonical_type).collect();
        let types = types.ok_or_else(|| Error::field(file, format!("[{i}].inputs"), "bad input type"))?;
        let sig = format!("{name}({})", types.join(","));
        out.push((selector(&sig), sig));
    }
    Ok(out)
}
