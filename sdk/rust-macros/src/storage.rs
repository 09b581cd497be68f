//! `#[contract]` on a struct: state variables laid out as solc lays them out.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::types::{camel_case, signature, SolType};

/// The generic arguments of a path type's last segment, if it is named `name`.
fn generic_args<'a>(ty: &'a syn::Type, name: &str) -> Option<Vec<&'a syn::Type>> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => Some(
            a.args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                })
                .collect(),
        ),
        _ => Some(Vec::new()),
    }
}

/// The match arm of the getter of a `#[public]` field (Solidity's `public` state
/// variable): keys for each mapping level, an index for an array, the value returned.
fn getter(field: &syn::Ident, ty: &syn::Type, name: &str) -> syn::Result<(String, TokenStream)> {
    let err = || {
        syn::Error::new_spanned(
            ty,
            "#[public] fields are value types, mappings of them with value-type keys (nested or not), \
             StorageVec of a value type, StorageString or StorageBytes",
        )
    };
    let mut keys: Vec<(syn::Type, SolType)> = Vec::new();
    let mut access = quote!(this.#field);
    let mut cur = ty.clone();
    loop {
        if let Some(args) = generic_args(&cur, "Mapping") {
            let [k, v] = args.as_slice() else { return Err(err()) };
            let sol = SolType::from_rust(k).map_err(|_| err())?;
            if !sol.is_word() {
                return Err(err());
            }
            let key = format_ident!("k{}", keys.len());
            keys.push(((*k).clone(), sol));
            let next = (*v).clone();
            if generic_args(&next, "Mapping").is_some() {
                access = quote!(#access.at(&#key));
                cur = next;
                continue;
            }
            access = quote!(#access.get(&#key));
            cur = next;
            break;
        }
        if let Some(args) = generic_args(&cur, "StorageVec") {
            let [t] = args.as_slice() else { return Err(err()) };
            let key = format_ident!("k{}", keys.len());
            keys.push((syn::parse_quote!(::zkos_sdk::U256), SolType::Uint(256)));
            access = quote! {
                match u64::try_from(#key).ok().and_then(|i| #access.get(i)) {
                    Some(v) => v,
                    None => ::zkos_sdk::revert(&[]),
                }
            };
            cur = (*t).clone();
            break;
        }
        if generic_args(&cur, "StorageString").is_some() || generic_args(&cur, "StorageBytes").is_some() {
            if !keys.is_empty() {
                return Err(err());
            }
            let sig = signature(name, &[]);
            let sel = crate::selector(&sig);
            return Ok((
                sig,
                quote!([#(#sel),*] => {
                    ::zkos_sdk::contract::reject_value();
                    let this = Self::__zkos_storage();
                    this.#field.finish_abi()
                }),
            ));
        }
        access = quote!(#access.get());
        break;
    }
    let value = SolType::from_rust(&cur).map_err(|_| err())?;
    if !value.is_word() {
        return Err(err());
    }
    let sols: Vec<SolType> = keys.iter().map(|k| k.1.clone()).collect();
    let sig = signature(name, &sols);
    let sel = crate::selector(&sig);
    let n = keys.len() * 32;
    let names: Vec<syn::Ident> = (0..keys.len()).map(|i| format_ident!("k{i}")).collect();
    let types: Vec<&syn::Type> = keys.iter().map(|k| &k.0).collect();
    let idx = 0..keys.len();
    let decode = if keys.is_empty() {
        quote!()
    } else {
        quote! {
            let buf = ::zkos_sdk::contract::static_args::<#n>(4);
            #( let #names: #types = ::zkos_sdk::contract::arg(&buf, #idx); )*
        }
    };
    Ok((
        sig,
        quote!([#(#sel),*] => {
            ::zkos_sdk::contract::reject_value();
            #decode
            let this = Self::__zkos_storage();
            let v = #access;
            ::zkos_sdk::finish(&::zkos_sdk::contract::AbiWord::abi_word(&v))
        }),
    ))
}

pub fn expand(mut s: syn::ItemStruct) -> syn::Result<TokenStream> {
    let syn::Fields::Named(fields) = &mut s.fields else {
        return Err(syn::Error::new_spanned(&s, "a contract's storage struct needs named fields"));
    };
    if !s.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(&s.generics, "a contract's storage struct cannot be generic"));
    }
    let name = &s.ident;
    let mut sizes = Vec::new();
    let mut inits = Vec::new();
    let mut names = Vec::new();
    let mut getters = Vec::new();
    let mut getter_sigs = Vec::new();
    let mut getter_abis = Vec::new();
    for (i, f) in fields.named.iter_mut().enumerate() {
        let ty = f.ty.clone();
        let ident = f.ident.clone().expect("named field");
        let mut public = None;
        let mut bad = None;
        f.attrs.retain(|a| {
            if !a.path().is_ident("public") {
                return true;
            }
            let mut name = camel_case(&ident.to_string());
            if let syn::Meta::List(_) = a.meta {
                if let Err(e) = a.parse_nested_meta(|m| {
                    if m.path.is_ident("name") {
                        name = m.value()?.parse::<syn::LitStr>()?.value();
                        Ok(())
                    } else {
                        Err(m.error("expected `name = \"...\"`"))
                    }
                }) {
                    bad = Some(e);
                }
            }
            public = Some(name);
            false
        });
        if let Some(e) = bad {
            return Err(e);
        }
        // A `pub` field is a public state variable too (its getter named in camelCase).
        if public.is_none() && matches!(f.vis, syn::Visibility::Public(_)) {
            public = Some(camel_case(&ident.to_string()));
        }
        if let Some(name) = public {
            let (sig, arm) = getter(&ident, &ty, &name)?;
            getter_sigs.push(sig);
            getters.push(arm);
            getter_abis.extend(crate::abi::getter(&ty, &name));
        }
        sizes.push(quote!(<#ty as ::zkos_sdk::contract::Storable>::BYTES));
        inits.push(quote! {
            #ident: ::zkos_sdk::contract::StorageType::at(
                ::zkos_sdk::contract::slot_key(Self::LAYOUT[#i].0), Self::LAYOUT[#i].1)
        });
        names.push(ident.to_string());
        f.ty = syn::parse_quote!(<#ty as ::zkos_sdk::contract::Storable>::Handle);
    }
    let n = sizes.len();
    let getter_abis = crate::abi::getters_const(&getter_abis);
    Ok(quote! {
        #s

        impl #name {
            /// `(slot, byte offset)` of each state variable, in declaration order (solc's
            /// layout).
            pub const LAYOUT: [(u64, u8); #n] = ::zkos_sdk::contract::layout([#(#sizes),*]);
            /// The state variables' names, in declaration order.
            pub const FIELDS: [&'static str; #n] = [#(#names),*];

            /// The signatures of the getters of `#[public]` fields.
            pub const GETTERS: &'static [&'static str] = &[#(#getter_sigs),*];
            #getter_abis

            /// Runs the getter of a `#[public]` field if the calldata's selector is one
            /// (it ends the call); returns otherwise. It reads the selector itself, so
            /// the static gas bounds of one selector see only its getter.
            #[doc(hidden)]
            pub fn __zkos_getter() {
                let Some(selector) = ::zkos_sdk::contract::selector() else { return };
                match selector {
                    #(#getters)*
                    _ => {}
                }
            }

            /// The handles on this contract's storage.
            #[doc(hidden)]
            pub fn __zkos_storage() -> Self {
                #name { #(#inits),* }
            }
        }
    })
}
