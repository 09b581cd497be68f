//! # zkos-sdk-macros: the contract model of zkos-sdk
//!
//! Used through `zkos_sdk` (`zkos_sdk::contract`, `zkos_sdk::sol!`), which the generated
//! code refers to as `::zkos_sdk`.
//!
//! - `#[contract]` on a struct: its fields are state variables, laid out as solc lays
//!   them out; each field becomes the storage handle of its type.
//! - `#[contract]` on the struct's `impl`: the `pub fn`s are the contract's functions,
//!   dispatched by selector, with `#[payable]`, `#[view]`, `#[constructor]` and
//!   `#[selector(name = "...")]`; it generates the `call` and `deploy` entry points, and
//!   embeds the contract's Solidity JSON ABI in the module's `zkos:abi` custom section
//!   (also the contract's `ABI_JSON` constant; see `abi`).
//! - `sol! { event …; error …; interface … { function …; } }`: typed events, custom errors
//!   and call stubs from Solidity declarations.

#![forbid(unsafe_code)]

mod abi;
mod dispatch;
mod sol;
mod storage;
mod types;

use proc_macro::TokenStream;

/// A contract's storage struct or its public functions (see the crate docs).
#[proc_macro_attribute]
pub fn contract(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(proc_macro2::Span::call_site(), "#[contract] takes no arguments")
            .to_compile_error()
            .into();
    }
    let item = syn::parse_macro_input!(item as syn::Item);
    let out = match item {
        syn::Item::Struct(s) => storage::expand(s),
        syn::Item::Impl(i) => dispatch::expand(i),
        other => Err(syn::Error::new_spanned(other, "#[contract] goes on the storage struct or its impl block")),
    };
    out.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Solidity events, custom errors and interfaces as Rust types (see the crate docs).
#[proc_macro]
pub fn sol(input: TokenStream) -> TokenStream {
    let items = syn::parse_macro_input!(input as sol::Items);
    sol::expand(items).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// keccak-256.
pub(crate) fn keccak(data: &[u8]) -> [u8; 32] {
    use sha3::Digest;
    sha3::Keccak256::digest(data).into()
}

/// The four-byte selector of a signature.
pub(crate) fn selector(sig: &str) -> [u8; 4] {
    let h = keccak(sig.as_bytes());
    [h[0], h[1], h[2], h[3]]
}
