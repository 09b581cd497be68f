//! Solidity types and the Rust types that stand for them.
//!
//! | Solidity | Rust |
//! |---|---|
//! | `uint256` | `U256` |
//! | `uint8`, `uint16`, `uint32`, `uint64`, `uint128` | `u8` … `u128` |
//! | `address` | `Address` |
//! | `bool` | `bool` |
//! | `bytes32` | `Word` (`[u8; 32]`) |
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
            SolType::Bytes => "bytes".into(),
            SolType::String => "string".into(),
            SolType::Array(t) => format!("{}[]", t.name()),
            SolType::Tuple(ts) => format!("({})", ts.iter().map(SolType::name).collect::<Vec<_>>().join(",")),
        }
    }

    /// Whether its encoding is one word.
    pub fn is_word(&self) -> bool {
        matches!(self, SolType::Uint(_) | SolType::Address | SolType::Bool | SolType::Bytes32)
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
                         bytes32, bytes, string and arrays of them are)"
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
                "not an ABI type here: use U256, u8..u128, Address, bool, Word ([u8; 32]), Vec<u8>, String, \
                 Vec<T> or a tuple of them",
            )
        };
        match ty {
            syn::Type::Tuple(t) => {
                Ok(SolType::Tuple(t.elems.iter().map(SolType::from_rust).collect::<syn::Result<_>>()?))
            }
            syn::Type::Array(a) => {
                let is_u8 = matches!(&*a.elem, syn::Type::Path(p) if p.path.is_ident("u8"));
                let is_32 = matches!(&a.len, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) if n.base10_digits() == "32");
                if is_u8 && is_32 {
                    Ok(SolType::Bytes32)
                } else {
                    Err(unsupported())
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

/// `camelCase` or `PascalCase` to `snake_case` (Rust's naming of methods).
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
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
