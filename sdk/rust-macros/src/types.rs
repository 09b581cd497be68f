//! Solidity types and the Rust types that stand for them.
//!
//! | Solidity | Rust |
//! |---|---|
//! | `uint256` | `U256` |
//! | `uint8`, `uint16`, `uint32`, `uint64`, `uint128` | `u8` … `u128` |
//! | `address` | `Address` |
//! | `bool` | `bool` |
//! | `bytes32` | `Word` (`[u8; 32]`) |
//! | `bytes1` … `bytes31` | `[u8; N]` |
//! | `bytes` | `Vec<u8>` |
//! | `string` | `String` |
//! | `T[]` | `Vec<T>` |

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// A Solidity type, as far as the ABI needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SolType {
    Uint(u16),
    Address,
    Bool,
    Bytes32,
    /// `bytes1` … `bytes31` (`bytes32` is [`SolType::Bytes32`]).
    FixedBytes(u8),
    Bytes,
    String,
    Array(Box<SolType>),
    Tuple(Vec<SolType>),
}

impl SolType {
    /// The canonical name, as in signatures.
    pub fn name(&self) -> String {
        match self {
            SolType::Uint(n) => format!("uint{n}"),
            SolType::Address => "address".into(),
            SolType::Bool => "bool".into(),
            SolType::Bytes32 => "bytes32".into(),
            SolType::FixedBytes(n) => format!("bytes{n}"),
            SolType::Bytes => "bytes".into(),
            SolType::String => "string".into(),
            SolType::Array(t) => format!("{}[]", t.name()),
            SolType::Tuple(ts) => format!("({})", ts.iter().map(SolType::name).collect::<Vec<_>>().join(",")),
        }
    }

    /// Whether its encoding is one word.
    pub fn is_word(&self) -> bool {
        matches!(self, SolType::Uint(_) | SolType::Address | SolType::Bool | SolType::Bytes32 | SolType::FixedBytes(_))
    }

    /// The Rust type.
    pub fn rust(&self) -> TokenStream {
        match self {
            SolType::Uint(256) => quote!(::zkos_sdk::U256),
            SolType::Uint(n) => {
                let t = syn::Ident::new(&format!("u{n}"), Span::call_site());
                quote!(#t)
            }
            SolType::Address => quote!(::zkos_sdk::Address),
            SolType::Bool => quote!(bool),
            SolType::Bytes32 => quote!(::zkos_sdk::Word),
            SolType::FixedBytes(n) => {
                let n = usize::from(*n);
                quote!([u8; #n])
            }
            SolType::Bytes => quote!(::zkos_sdk::__private::Vec<u8>),
            SolType::String => quote!(::zkos_sdk::__private::String),
            SolType::Array(t) => {
                let t = t.rust();
                quote!(::zkos_sdk::__private::Vec<#t>)
            }
            SolType::Tuple(ts) => {
                let ts = ts.iter().map(SolType::rust);
                quote!((#(#ts,)*))
            }
        }
    }

    /// From a Solidity type name (`uint256`, `address[]`, …).
    pub fn parse_sol(name: &str, span: Span) -> syn::Result<SolType> {
        if let Some(inner) = name.strip_suffix("[]") {
            let t = SolType::parse_sol(inner, span)?;
            if t == SolType::Uint(8) {
                return Err(syn::Error::new(span, "uint8[] is not supported (Vec<u8> is `bytes`)"));
            }
            return Ok(SolType::Array(Box::new(t)));
        }
        if let Some(n) = fixed_bytes_len(name) {
            return Ok(SolType::FixedBytes(n));
        }
        Ok(match name {
            "uint" | "uint256" => SolType::Uint(256),
            "uint8" => SolType::Uint(8),
            "uint16" => SolType::Uint(16),
            "uint32" => SolType::Uint(32),
            "uint64" => SolType::Uint(64),
            "uint128" => SolType::Uint(128),
            "address" => SolType::Address,
            "bool" => SolType::Bool,
            "bytes32" => SolType::Bytes32,
            "bytes" => SolType::Bytes,
            "string" => SolType::String,
            other => {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "Solidity type `{other}` is not supported yet (uint8/16/32/64/128/256, address, bool, \
                         bytes1 … bytes32, bytes, string and arrays of them are)"
                    ),
                ))
            }
        })
    }

    /// From a Rust type of a function parameter or result.
    pub fn from_rust(ty: &syn::Type) -> syn::Result<SolType> {
        let unsupported = || {
            syn::Error::new_spanned(
                ty,
                "not an ABI type here: use U256, u8..u128, Address, bool, Word ([u8; 32]), [u8; N], Vec<u8>, String, \
                 Vec<T> or a tuple of them",
            )
        };
        match ty {
            syn::Type::Tuple(t) => {
                Ok(SolType::Tuple(t.elems.iter().map(SolType::from_rust).collect::<syn::Result<_>>()?))
            }
            syn::Type::Array(a) => {
                let is_u8 = matches!(&*a.elem, syn::Type::Path(p) if p.path.is_ident("u8"));
                let len = match &a.len {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => n.base10_parse::<u8>().ok(),
                    _ => None,
                };
                match (is_u8, len) {
                    (true, Some(32)) => Ok(SolType::Bytes32),
                    (true, Some(n @ 1..=31)) => Ok(SolType::FixedBytes(n)),
                    _ => Err(unsupported()),
                }
            }
            syn::Type::Reference(r) => SolType::from_rust(&r.elem),
            syn::Type::Path(p) => {
                let seg = p.path.segments.last().ok_or_else(unsupported)?;
                Ok(match seg.ident.to_string().as_str() {
                    "U256" => SolType::Uint(256),
                    "u8" => SolType::Uint(8),
                    "u16" => SolType::Uint(16),
                    "u32" => SolType::Uint(32),
                    "u64" => SolType::Uint(64),
                    "u128" => SolType::Uint(128),
                    "Address" => SolType::Address,
                    "bool" => SolType::Bool,
                    "Word" | "B256" => SolType::Bytes32,
                    "String" => SolType::String,
                    "Vec" => {
                        let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
                            return Err(unsupported());
                        };
                        let Some(syn::GenericArgument::Type(inner)) = args.args.first() else {
                            return Err(unsupported());
                        };
                        match SolType::from_rust(inner)? {
                            SolType::Uint(8) => SolType::Bytes,
                            t => SolType::Array(Box::new(t)),
                        }
                    }
                    _ => return Err(unsupported()),
                })
            }
            _ => Err(unsupported()),
        }
    }
}

/// N of `bytesN` for N in 1..=31.
fn fixed_bytes_len(name: &str) -> Option<u8> {
    let n: u8 = name.strip_prefix("bytes")?.parse().ok()?;
    (1..=31).contains(&n).then_some(n)
}

/// `snake_case` to `camelCase` (Solidity's naming of functions).
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `camelCase` or `PascalCase` to `snake_case` (Rust's naming of methods); a run of
/// capitals is one word (`onERC721Received` is `on_erc721_received`, `tokenURI` is
/// `token_uri`).
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A signature: `name(t1,t2)`.
pub fn signature(name: &str, params: &[SolType]) -> String {
    format!("{name}({})", params.iter().map(SolType::name).collect::<Vec<_>>().join(","))
}

/// Code that encodes `values` (expressions of the types `types`) as an ABI parameter list
/// into a `Vec<u8>` after `prefix` bytes (a selector or nothing); `u8` values are widened
/// to `u16`, which encodes identically.
pub fn encode_params(prefix: TokenStream, values: &[TokenStream], types: &[SolType]) -> TokenStream {
    let vals =
        values.iter().zip(types).map(|(v, t)| if *t == SolType::Uint(8) { quote!(u16::from(#v)) } else { quote!(&#v) });
    quote!(::zkos_sdk::abi::encode_call_prefixed(#prefix, &(#(#vals,)*)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_between_solidity_and_rust() {
        assert_eq!(snake_case("tokenId"), "token_id");
        assert_eq!(snake_case("onERC721Received"), "on_erc721_received");
        assert_eq!(snake_case("tokenURI"), "token_uri");
        assert_eq!(snake_case("ERC20InvalidSpender"), "erc20_invalid_spender");
        assert_eq!(snake_case("balanceOf"), "balance_of");
        assert_eq!(camel_case("set_approval_for_all"), "setApprovalForAll");
    }

    #[test]
    fn fixed_bytes_parse_from_both_sides() {
        let span = Span::call_site();
        assert_eq!(SolType::parse_sol("bytes4", span).unwrap(), SolType::FixedBytes(4));
        assert_eq!(SolType::parse_sol("bytes32", span).unwrap(), SolType::Bytes32);
        assert!(SolType::parse_sol("bytes33", span).is_err());
        assert!(SolType::parse_sol("bytes0", span).is_err());
        let t: syn::Type = syn::parse_quote!([u8; 4]);
        assert_eq!(SolType::from_rust(&t).unwrap(), SolType::FixedBytes(4));
        assert_eq!(SolType::FixedBytes(4).name(), "bytes4");
        assert!(SolType::FixedBytes(4).is_word());
    }
}
