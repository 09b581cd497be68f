//! `#[contract]` on an impl block: selector dispatch, ABI decoding and encoding, the
//! payable check, the constructor, and the `call`/`deploy` entry points.

use proc_macro2::TokenStream;
use quote::quote;

use crate::types::{camel_case, signature, SolType};

/// Attributes of one method.
#[derive(Default)]
struct Marks {
    payable: bool,
    view: bool,
    pure: bool,
    constructor: bool,
    name: Option<String>,
}

/// Takes this macro's attributes off a method.
fn take_marks(attrs: &mut Vec<syn::Attribute>) -> syn::Result<Marks> {
    let mut marks = Marks::default();
    let mut err = None;
    attrs.retain(|a| {
        let p = a.path();
        if p.is_ident("payable") {
            marks.payable = true;
        } else if p.is_ident("view") {
            marks.view = true;
        } else if p.is_ident("pure") {
            marks.pure = true;
        } else if p.is_ident("constructor") {
            marks.constructor = true;
        } else if p.is_ident("selector") {
            let r = a.parse_nested_meta(|m| {
                if m.path.is_ident("name") {
                    marks.name = Some(m.value()?.parse::<syn::LitStr>()?.value());
                    Ok(())
                } else {
                    Err(m.error("expected `name = \"...\"`"))
                }
            });
            if let Err(e) = r {
                err = Some(e);
            }
        } else {
            return true;
        }
        false
    });
    match err {
        Some(e) => Err(e),
        None => Ok(marks),
    }
}

/// A public method.
struct Method {
    ident: syn::Ident,
    marks: Marks,
    params: Vec<(syn::Ident, syn::Type, SolType)>,
    output: Output,
}

enum Output {
    Unit,
    Value(SolType),
    Result(Box<Output>),
}

fn output_of(ty: &syn::Type) -> syn::Result<Output> {
    if let syn::Type::Tuple(t) = ty {
        if t.elems.is_empty() {
            return Ok(Output::Unit);
        }
    }
    if let syn::Type::Path(p) = ty {
        if let Some(seg) = p.path.segments.last() {
            if seg.ident == "Result" {
                if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                    if let Some(syn::GenericArgument::Type(ok)) = args.args.first() {
                        return Ok(Output::Result(Box::new(output_of(ok)?)));
                    }
                }
            }
        }
    }
    Ok(Output::Value(SolType::from_rust(ty)?))
}

fn method_of(f: &mut syn::ImplItemFn) -> syn::Result<Option<Method>> {
    let marks = take_marks(&mut f.attrs)?;
    if !matches!(f.vis, syn::Visibility::Public(_)) {
        if marks.payable || marks.view || marks.pure || marks.constructor || marks.name.is_some() {
            return Err(syn::Error::new_spanned(&f.sig, "only `pub fn`s are contract functions"));
        }
        return Ok(None);
    }
    let mut receiver = None;
    let mut params = Vec::new();
    for arg in &f.sig.inputs {
        match arg {
            syn::FnArg::Receiver(r) => receiver = Some(r.mutability.is_some()),
            syn::FnArg::Typed(t) => {
                let syn::Pat::Ident(id) = &*t.pat else {
                    return Err(syn::Error::new_spanned(&t.pat, "name each parameter"));
                };
                params.push((id.ident.clone(), (*t.ty).clone(), SolType::from_rust(&t.ty)?));
            }
        }
    }
    match receiver {
        None => return Err(syn::Error::new_spanned(&f.sig, "a contract function takes `&self` or `&mut self`")),
        Some(true) if marks.view || marks.pure => {
            return Err(syn::Error::new_spanned(
                &f.sig,
                "a #[view] or #[pure] function takes `&self`, so it cannot write storage",
            ))
        }
        _ => {}
    }
    if u8::from(marks.view) + u8::from(marks.pure) + u8::from(marks.payable) > 1 {
        return Err(syn::Error::new_spanned(&f.sig, "a function is at most one of #[view], #[pure] and #[payable]"));
    }
    let output = match &f.sig.output {
        syn::ReturnType::Default => Output::Unit,
        syn::ReturnType::Type(_, ty) => output_of(ty)?,
    };
    if marks.constructor && !matches!(output, Output::Unit | Output::Result(_)) {
        return Err(syn::Error::new_spanned(&f.sig, "a constructor returns nothing (or a Result to revert)"));
    }
    Ok(Some(Method { ident: f.sig.ident.clone(), marks, params, output }))
}

/// Code that ends the call with `value` (of the method's output) encoded.
fn finish(out: &Output, value: TokenStream) -> TokenStream {
    match out {
        Output::Unit => quote!({ let () = #value; ::zkos_sdk::finish(&[]) }),
        Output::Value(t) if t.is_word() => {
            quote!(::zkos_sdk::finish(&::zkos_sdk::contract::AbiWord::abi_word(&#value)))
        }
        Output::Value(SolType::Tuple(ts)) if ts.iter().all(SolType::is_word) => {
            let n = ts.len() * 32;
            let puts = (0..ts.len()).map(|i| {
                let at = i * 32;
                let idx = syn::Index::from(i);
                quote!(out[#at..#at + 32].copy_from_slice(&::zkos_sdk::contract::AbiWord::abi_word(&v.#idx));)
            });
            quote!({ let v = #value; let mut out = [0u8; #n]; #(#puts)* ::zkos_sdk::finish(&out) })
        }
        Output::Value(SolType::Tuple(_)) => quote!(::zkos_sdk::finish(&::zkos_sdk::abi::encode(&#value))),
        Output::Value(_) => quote!(::zkos_sdk::finish(&::zkos_sdk::abi::encode(&(#value,)))),
        Output::Result(ok) => {
            let ok = finish(ok, quote!(v));
            quote! {
                match #value {
                    Ok(v) => #ok,
                    Err(e) => ::zkos_sdk::revert(&::zkos_sdk::contract::IntoRevertData::into_revert_data(e)),
                }
            }
        }
    }
}

/// Code that decodes the method's arguments (after `offset` bytes of calldata) into
/// locals named as its parameters: static ones from a buffer on the stack, others from a
/// copy of the calldata.
fn decode_args(m: &Method, offset: usize) -> TokenStream {
    if m.params.is_empty() {
        return quote!();
    }
    let names: Vec<&syn::Ident> = m.params.iter().map(|p| &p.0).collect();
    let types: Vec<&syn::Type> = m.params.iter().map(|p| &p.1).collect();
    if m.params.iter().all(|p| p.2.is_word()) {
        let n = m.params.len() * 32;
        let idx = 0..m.params.len();
        quote! {
            let buf = ::zkos_sdk::contract::static_args::<#n>(#offset);
            #( let #names: #types = ::zkos_sdk::contract::arg(&buf, #idx); )*
        }
    } else {
        quote! {
            let input = ::zkos_sdk::calldata();
            let (#(#names,)*): (#(#types,)*) = ::zkos_sdk::contract::decode_args(&input[#offset..]);
        }
    }
}

pub fn expand(mut imp: syn::ItemImpl) -> syn::Result<TokenStream> {
    if imp.trait_.is_some() || !imp.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &imp.self_ty,
            "#[contract] goes on the contract's own, non-generic impl block",
        ));
    }
    let self_ty = imp.self_ty.clone();
    let abi = crate::abi::contract(&imp);
    let mut methods = Vec::new();
    for item in &mut imp.items {
        if let syn::ImplItem::Fn(f) = item {
            if let Some(m) = method_of(f)? {
                methods.push(m);
            }
        }
    }
    let mut ctor = None;
    let mut arms = Vec::new();
    let mut signatures = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for m in &methods {
        let ident = &m.ident;
        let names: Vec<&syn::Ident> = m.params.iter().map(|p| &p.0).collect();
        let check = if m.marks.payable { quote!() } else { quote!(::zkos_sdk::contract::reject_value();) };
        if m.marks.constructor {
            if ctor.is_some() {
                return Err(syn::Error::new_spanned(ident, "a contract has one constructor"));
            }
            let args = decode_args(m, 0);
            let end = finish(&m.output, quote!(this.#ident(#(#names),*)));
            ctor = Some(quote! { #check #args let mut this = Self::__zkos_storage(); #end });
            continue;
        }
        let name = m.marks.name.clone().unwrap_or_else(|| camel_case(&ident.to_string()));
        let types: Vec<SolType> = m.params.iter().map(|p| p.2.clone()).collect();
        let sig = signature(&name, &types);
        let sel = crate::selector(&sig);
        if let Some(other) = seen.insert(sel, sig.clone()) {
            return Err(syn::Error::new_spanned(ident, format!("selector of `{sig}` is also `{other}`'s")));
        }
        let args = decode_args(m, 4);
        let recv = if m.marks.view || m.marks.pure {
            quote!(let this = Self::__zkos_storage();)
        } else {
            quote!(let mut this = Self::__zkos_storage();)
        };
        let end = finish(&m.output, quote!(this.#ident(#(#names),*)));
        arms.push(quote!([#(#sel),*] => { #check #args #recv #end }));
        signatures.push(sig);
    }
    let ctor = ctor.unwrap_or_else(|| quote!(::zkos_sdk::contract::reject_value(); ::zkos_sdk::finish(&[])));
    Ok(quote! {
        #imp
        #abi

        impl #self_ty {
            /// The signatures of the contract's functions, in declaration order.
            pub const SIGNATURES: &'static [&'static str] = &[#(#signatures),*];

            /// Runs a call: dispatches on the selector (unknown selectors and calldata
            /// shorter than four bytes revert with empty data).
            #[doc(hidden)]
            pub fn __zkos_call() -> ! {
                let Some(selector) = ::zkos_sdk::contract::selector() else { ::zkos_sdk::revert(&[]) };
                match selector {
                    #(#arms)*
                    _ => {
                        Self::__zkos_getter();
                        ::zkos_sdk::revert(&[])
                    }
                }
            }

            /// Runs the constructor on the deployment's calldata (its arguments).
            #[doc(hidden)]
            pub fn __zkos_deploy() -> ! {
                #ctor
            }
        }

        /// The contract's entry point for every call.
        #[cfg(any(target_arch = "wasm32", target_arch = "riscv64"))]
        #[unsafe(no_mangle)]
        pub extern "C" fn call() {
            <#self_ty>::__zkos_call()
        }

        /// The contract's constructor entry point.
        #[cfg(any(target_arch = "wasm32", target_arch = "riscv64"))]
        #[unsafe(no_mangle)]
        pub extern "C" fn deploy() {
            <#self_ty>::__zkos_deploy()
        }
    })
}
