//! `sol! { … }`: events, custom errors and interfaces from Solidity declarations.
//!
//! ```text
//! event Deposited(address indexed who, uint256 amount);
//! error Insufficient(uint256 available, uint256 wanted);
//! interface IToken {
//!     function balanceOf(address who) external view returns (uint256);
//!     function transfer(address to, uint256 amount) external returns (bool);
//! }
//! ```

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{braced, parenthesized, Ident, Token};

use crate::types::{encode_params, signature, snake_case, SolType};

/// A parameter: type, `indexed`, name.
pub struct Param {
    ty: SolType,
    indexed: bool,
    name: Option<Ident>,
}

pub struct Event {
    name: Ident,
    params: Vec<Param>,
    anonymous: bool,
}

pub struct Error {
    name: Ident,
    params: Vec<Param>,
}

pub struct Function {
    name: Ident,
    params: Vec<Param>,
    returns: Vec<Param>,
    view: bool,
    payable: bool,
}

pub struct Interface {
    name: Ident,
    functions: Vec<Function>,
}

pub enum Item {
    Event(Event),
    Error(Error),
    Interface(Interface),
}

pub struct Items(Vec<Item>);

/// A Solidity type name: an identifier and `[]` suffixes.
fn parse_type(input: ParseStream) -> syn::Result<SolType> {
    let id: Ident = input.parse()?;
    let mut name = id.to_string();
    while input.peek(syn::token::Bracket) {
        let content;
        syn::bracketed!(content in input);
        if !content.is_empty() {
            return Err(content.error("fixed-size arrays are not supported yet"));
        }
        name.push_str("[]");
    }
    SolType::parse_sol(&name, id.span())
}

fn parse_params(input: ParseStream) -> syn::Result<Vec<Param>> {
    let content;
    parenthesized!(content in input);
    let mut params = Vec::new();
    while !content.is_empty() {
        let ty = parse_type(&content)?;
        let mut indexed = false;
        let mut name = None;
        while content.peek(Ident) {
            let id: Ident = content.parse()?;
            match id.to_string().as_str() {
                "indexed" => indexed = true,
                "memory" | "calldata" | "storage" => {}
                _ => name = Some(id),
            }
        }
        params.push(Param { ty, indexed, name });
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(params)
}

impl Parse for Function {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let kw: Ident = input.parse()?;
        if kw != "function" {
            return Err(syn::Error::new(kw.span(), "expected `function`"));
        }
        let name: Ident = input.parse()?;
        let params = parse_params(input)?;
        let (mut view, mut payable, mut returns) = (false, false, Vec::new());
        while !input.peek(Token![;]) {
            let id: Ident = input.parse()?;
            match id.to_string().as_str() {
                "view" | "pure" => view = true,
                "payable" => payable = true,
                "external" | "public" | "nonpayable" => {}
                "returns" => returns = parse_params(input)?,
                other => return Err(syn::Error::new(id.span(), format!("unexpected `{other}`"))),
            }
        }
        input.parse::<Token![;]>()?;
        Ok(Function { name, params, returns, view, payable })
    }
}

impl Parse for Items {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            let kw: Ident = input.parse()?;
            match kw.to_string().as_str() {
                "event" => {
                    let name = input.parse()?;
                    let params = parse_params(input)?;
                    let anonymous = input.peek(Ident) && input.parse::<Ident>()? == "anonymous";
                    input.parse::<Token![;]>()?;
                    items.push(Item::Event(Event { name, params, anonymous }));
                }
                "error" => {
                    let name = input.parse()?;
                    let params = parse_params(input)?;
                    input.parse::<Token![;]>()?;
                    items.push(Item::Error(Error { name, params }));
                }
                "interface" => {
                    let name = input.parse()?;
                    let content;
                    braced!(content in input);
                    let mut functions = Vec::new();
                    while !content.is_empty() {
                        functions.push(content.parse()?);
                    }
                    items.push(Item::Interface(Interface { name, functions }));
                }
                other => {
                    return Err(syn::Error::new(
                        kw.span(),
                        format!("expected event, error or interface, found `{other}`"),
                    ))
                }
            }
        }
        Ok(Items(items))
    }
}

fn field_names(params: &[Param], what: &str) -> syn::Result<Vec<Ident>> {
    params
        .iter()
        .map(|p| {
            p.name
                .clone()
                .ok_or_else(|| syn::Error::new(Span::call_site(), format!("every {what} parameter needs a name")))
        })
        .map(|r| r.map(|id| format_ident!("{}", snake_case(&id.to_string()))))
        .collect()
}

fn word_lit(w: &[u8]) -> TokenStream {
    quote!([#(#w),*])
}

fn expand_event(e: Event) -> syn::Result<TokenStream> {
    let name = &e.name;
    let types: Vec<SolType> = e.params.iter().map(|p| p.ty.clone()).collect();
    let sig = signature(&name.to_string(), &types);
    let topic0 = word_lit(&crate::keccak(sig.as_bytes()));
    let fields = field_names(&e.params, "event")?;
    let rust_types: Vec<TokenStream> = types.iter().map(SolType::rust).collect();
    let indexed = e.params.iter().filter(|p| p.indexed).count() + usize::from(!e.anonymous);
    if indexed > 4 {
        return Err(syn::Error::new(name.span(), "an event has at most four topics"));
    }
    let mut topics = Vec::new();
    if !e.anonymous {
        topics.push(quote!(<Self as ::zkos_sdk::contract::SolEvent>::TOPIC0));
    }
    let (mut data_vals, mut data_types) = (Vec::new(), Vec::new());
    for (p, f) in e.params.iter().zip(&fields) {
        if p.indexed {
            topics.push(match &p.ty {
                t if t.is_word() => quote!(::zkos_sdk::contract::AbiWord::abi_word(&self.#f)),
                SolType::Bytes => quote!(::zkos_sdk::keccak256(&self.#f)),
                SolType::String => quote!(::zkos_sdk::keccak256(self.#f.as_bytes())),
                _ => return Err(syn::Error::new(name.span(), "indexed arrays and tuples are not supported yet")),
            });
        } else {
            data_vals.push(quote!(self.#f));
            data_types.push(p.ty.clone());
        }
    }
    // Static data goes through a buffer on the stack: emitting allocates nothing.
    let emit = if data_types.iter().all(SolType::is_word) {
        let n = data_types.len() * 32;
        let puts = data_vals.iter().enumerate().map(|(i, v)| {
            let at = i * 32;
            quote!(data[#at..#at + 32].copy_from_slice(&::zkos_sdk::contract::AbiWord::abi_word(&#v));)
        });
        quote! {
            #[allow(unused_mut)]
            let mut data = [0u8; #n];
            #(#puts)*
            ::zkos_sdk::emit_log(&[#(#topics),*], &data);
        }
    } else {
        let enc = encode_params(quote!(&[]), &data_vals, &data_types);
        quote!(::zkos_sdk::emit_log(&[#(#topics),*], &#enc);)
    };
    let abi_params: Vec<_> =
        e.params.iter().map(|p| (p.name.as_ref().map(Ident::to_string), p.ty.clone(), p.indexed)).collect();
    let abi = crate::abi::event(&name.to_string(), &abi_params, e.anonymous);
    Ok(quote! {
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[doc = concat!("Event `", #sig, "`.")]
        pub struct #name { #(pub #fields: #rust_types),* }

        impl #name { #abi }

        impl ::zkos_sdk::contract::SolEvent for #name {
            const SIGNATURE: &'static str = #sig;
            const TOPIC0: ::zkos_sdk::Word = #topic0;
            fn emit(&self) { #emit }
        }
    })
}

fn expand_error(e: Error) -> syn::Result<TokenStream> {
    let name = &e.name;
    let types: Vec<SolType> = e.params.iter().map(|p| p.ty.clone()).collect();
    let sig = signature(&name.to_string(), &types);
    let sel = crate::selector(&sig);
    let fields = field_names(&e.params, "error")?;
    let rust_types: Vec<TokenStream> = types.iter().map(SolType::rust).collect();
    let vals: Vec<TokenStream> = fields.iter().map(|f| quote!(self.#f)).collect();
    // Static fields go into a buffer of their exact size: no growing, no loop.
    let enc = if types.iter().all(SolType::is_word) {
        let n = 4 + 32 * types.len();
        let puts = vals.iter().enumerate().map(|(i, v)| {
            let at = 4 + 32 * i;
            quote!(out[#at..#at + 32].copy_from_slice(&::zkos_sdk::contract::AbiWord::abi_word(&#v));)
        });
        quote!({
            let mut out = ::zkos_sdk::__private::vec![0u8; #n];
            out[..4].copy_from_slice(&Self::SELECTOR);
            #(#puts)*
            out
        })
    } else {
        encode_params(quote!(&Self::SELECTOR), &vals, &types)
    };
    let abi_params: Vec<_> = e.params.iter().map(|p| (p.name.as_ref().map(Ident::to_string), p.ty.clone())).collect();
    let abi = crate::abi::error(&name.to_string(), &abi_params);
    Ok(quote! {
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[doc = concat!("Custom error `", #sig, "`.")]
        pub struct #name { #(pub #fields: #rust_types),* }

        impl #name { #abi }

        impl ::zkos_sdk::contract::SolError for #name {
            const SIGNATURE: &'static str = #sig;
            const SELECTOR: [u8; 4] = [#(#sel),*];
            fn abi_encode(&self) -> ::zkos_sdk::__private::Vec<u8> { #enc }
        }
    })
}

fn expand_interface(i: Interface) -> syn::Result<TokenStream> {
    let name = &i.name;
    let mut methods = Vec::new();
    for f in &i.functions {
        let types: Vec<SolType> = f.params.iter().map(|p| p.ty.clone()).collect();
        let sig = signature(&f.name.to_string(), &types);
        let sel = crate::selector(&sig);
        let method = format_ident!("{}", snake_case(&f.name.to_string()));
        let args: Vec<Ident> = (0..f.params.len())
            .map(|k| {
                f.params[k]
                    .name
                    .as_ref()
                    .map_or_else(|| format_ident!("arg{k}"), |n| format_ident!("{}", snake_case(&n.to_string())))
            })
            .collect();
        let arg_types: Vec<TokenStream> = types.iter().map(SolType::rust).collect();
        let vals: Vec<TokenStream> = args.iter().map(|a| quote!(#a)).collect();
        let enc = encode_params(quote!(&[#(#sel),*]), &vals, &types);
        let ret_types: Vec<SolType> = f.returns.iter().map(|p| p.ty.clone()).collect();
        let (ret_ty, decode) = match ret_types.as_slice() {
            [] => (
                quote!(()),
                quote!({
                    let _ = out;
                    Ok::<(), ::zkos_sdk::abi::AbiError>(())
                }),
            ),
            [t] => {
                let rt = t.rust();
                (quote!(#rt), quote!(::zkos_sdk::abi::decode::<(#rt,)>(&out).map(|(v,)| v)))
            }
            ts => {
                let rts: Vec<TokenStream> = ts.iter().map(SolType::rust).collect();
                (quote!((#(#rts,)*)), quote!(::zkos_sdk::abi::decode::<(#(#rts,)*)>(&out)))
            }
        };
        let (value_param, value) = if f.payable {
            (quote!(value: ::zkos_sdk::U256,), quote!(value))
        } else {
            (quote!(), quote!(::zkos_sdk::U256::ZERO))
        };
        let call = if f.view {
            quote!(::zkos_sdk::static_call(u64::MAX, &self.address, &input))
        } else {
            quote!(::zkos_sdk::call(u64::MAX, &self.address, #value, &input))
        };
        methods.push(quote! {
            #[doc = concat!("Calls `", #sig, "`; `Err` holds the callee's revert data (empty if its output does not decode).")]
            pub fn #method(&self, #value_param #(#args: #arg_types),*) -> Result<#ret_ty, ::zkos_sdk::contract::Revert> {
                let input = #enc;
                let r = #call;
                if !r.is_success() {
                    return Err(::zkos_sdk::contract::Revert(r.returndata));
                }
                let out = r.returndata;
                #decode.map_err(|_| ::zkos_sdk::contract::Revert(::zkos_sdk::__private::Vec::new()))
            }
        });
    }
    Ok(quote! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[doc = concat!("Typed calls to a contract with interface `", stringify!(#name), "` (any kind of code).")]
        pub struct #name {
            /// The contract called.
            pub address: ::zkos_sdk::Address,
        }

        impl #name {
            /// The contract at `address`.
            pub const fn new(address: ::zkos_sdk::Address) -> Self {
                #name { address }
            }
            #(#methods)*
        }
    })
}

pub fn expand(items: Items) -> syn::Result<TokenStream> {
    let mut out = TokenStream::new();
    for item in items.0 {
        out.extend(match item {
            Item::Event(e) => expand_event(e)?,
            Item::Error(e) => expand_error(e)?,
            Item::Interface(i) => expand_interface(i)?,
        });
    }
    Ok(out)
}
