//! `#[contract]` on a struct: state variables laid out as solc lays them out.

use proc_macro2::TokenStream;
use quote::quote;

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
    for (i, f) in fields.named.iter_mut().enumerate() {
        let ty = f.ty.clone();
        let ident = f.ident.clone().expect("named field");
        sizes.push(quote!(<#ty as ::zkos_sdk::contract::Storable>::BYTES));
        inits.push(quote! {
            #ident: ::zkos_sdk::contract::StorageType::at(
                ::zkos_sdk::contract::slot_key(Self::LAYOUT[#i].0), Self::LAYOUT[#i].1)
        });
        names.push(ident.to_string());
        f.ty = syn::parse_quote!(<#ty as ::zkos_sdk::contract::Storable>::Handle);
    }
    let n = sizes.len();
    Ok(quote! {
        #s

        impl #name {
            /// `(slot, byte offset)` of each state variable, in declaration order (solc's
            /// layout).
            pub const LAYOUT: [(u64, u8); #n] = ::zkos_sdk::contract::layout([#(#sizes),*]);
            /// The state variables' names, in declaration order.
            pub const FIELDS: [&'static str; #n] = [#(#names),*];

            /// The handles on this contract's storage.
            #[doc(hidden)]
            pub fn __zkos_storage() -> Self {
                #name { #(#inits),* }
            }
        }
    })
}
