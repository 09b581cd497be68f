//! The contract's Solidity JSON ABI, embedded in the module.
//!
//! `#[contract]` writes solc's JSON ABI (functions with their `stateMutability`, the
//! constructor, events, errors; entries sorted by type then name, as solc sorts them) into a
//! WASM custom section named [`SECTION`] whose contents are the UTF-8 JSON text, and into
//! the contract's `ABI_JSON` constant.
//!
//! The entries come from three macro expansions, joined at compile time by const
//! evaluation:
//! - `#[contract]` on the impl: the constructor and the `pub fn`s ([`contract`]);
//! - `#[contract]` on the struct: the getters of `#[public]` fields ([`getter`]), as the
//!   struct's `__ZKOS_ABI_GETTERS`;
//! - `sol!`: each event and error's entry as its `__ZKOS_ABI` constant ([`event`],
//!   [`error`]). The impl lists the events and errors its functions use: struct
//!   expressions `E { .. }.emit()`, `E { .. }.into()`, `Err(E { .. })` in any function of
//!   the impl, and error types named in `Result<_, E>` return types. A type without a
//!   `__ZKOS_ABI` of its own (not from `sol!`) falls back to a blanket trait's empty
//!   entry: inherent associated items win over trait ones.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;

use crate::types::{camel_case, SolType};

/// The custom section's name.
pub const SECTION: &str = "zkos:abi";

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `type` of a parameter (tuples are `tuple`, `tuple[]`, with `components`).
fn type_name(ty: &SolType) -> String {
    match ty {
        SolType::Tuple(_) => "tuple".into(),
        SolType::Array(t) => format!("{}[]", type_name(t)),
        t => t.name(),
    }
}

/// The components of a tuple (or array of tuples) parameter.
fn components(ty: &SolType) -> Option<&[SolType]> {
    match ty {
        SolType::Tuple(ts) => Some(ts),
        SolType::Array(t) => components(t),
        _ => None,
    }
}

/// One parameter as solc writes it: `components` (tuples), `indexed` (events),
/// `internalType` (elementary types; anonymous Rust tuples have no Solidity struct name),
/// `name`, `type`.
fn param(name: &str, ty: &SolType, indexed: Option<bool>) -> String {
    let mut fields = Vec::new();
    if let Some(cs) = components(ty) {
        let cs: Vec<String> = cs.iter().map(|c| param("", c, None)).collect();
        fields.push(format!("\"components\":[{}]", cs.join(",")));
    }
    if let Some(i) = indexed {
        fields.push(format!("\"indexed\":{i}"));
    }
    if components(ty).is_none() {
        fields.push(format!("\"internalType\":{}", json_str(&ty.name())));
    }
    fields.push(format!("\"name\":{}", json_str(name)));
    fields.push(format!("\"type\":{}", json_str(&type_name(ty))));
    format!("{{{}}}", fields.join(","))
}

fn params<'a>(ps: impl IntoIterator<Item = (&'a str, &'a SolType)>) -> String {
    let ps: Vec<String> = ps.into_iter().map(|(n, t)| param(n, t, None)).collect();
    format!("[{}]", ps.join(","))
}

/// The const `[kind, name, json]` of one entry.
fn entry(kind: &str, name: &str, json: &str) -> TokenStream {
    quote!([#kind, #name, #json])
}

fn function_json(name: &str, inputs: &[(String, SolType)], outputs: &[SolType], mutability: &str) -> String {
    let outs = params(outputs.iter().map(|t| ("", t)));
    format!(
        "{{\"inputs\":{},\"name\":{},\"outputs\":{outs},\"stateMutability\":\"{mutability}\",\"type\":\"function\"}}",
        params(inputs.iter().map(|(n, t)| (n.as_str(), t))),
        json_str(name),
    )
}

/// The `impl` block's `#[doc(hidden)] __ZKOS_ABI` constant of a `sol!` event.
pub fn event(name: &str, ps: &[(Option<String>, SolType, bool)], anonymous: bool) -> TokenStream {
    let ins: Vec<String> = ps.iter().map(|(n, t, i)| param(n.as_deref().unwrap_or_default(), t, Some(*i))).collect();
    let json = format!(
        "{{\"anonymous\":{anonymous},\"inputs\":[{}],\"name\":{},\"type\":\"event\"}}",
        ins.join(","),
        json_str(name)
    );
    hidden_const(entry("event", name, &json))
}

/// The `impl` block's `#[doc(hidden)] __ZKOS_ABI` constant of a `sol!` error.
pub fn error(name: &str, ps: &[(Option<String>, SolType)]) -> TokenStream {
    let json = format!(
        "{{\"inputs\":{},\"name\":{},\"type\":\"error\"}}",
        params(ps.iter().map(|(n, t)| (n.as_deref().unwrap_or_default(), t))),
        json_str(name)
    );
    hidden_const(entry("error", name, &json))
}

fn hidden_const(entry: TokenStream) -> TokenStream {
    quote! {
        /// This item's entry in a contract's JSON ABI (`[type, name, json]`).
        #[doc(hidden)]
        pub const __ZKOS_ABI: [&'static str; 3] = #entry;
    }
}

/// The getter entry of a `#[public]` field of type `ty` named `name` (Solidity's public
/// state variable: one `uint256`/key input per array/mapping level, the value returned),
/// or `None` for a type `#[public]` does not accept (the getter reports that).
pub fn getter(ty: &syn::Type, name: &str) -> Option<TokenStream> {
    let mut inputs = Vec::new();
    let mut cur = ty.clone();
    let output = loop {
        match last_segment(&cur) {
            Some((id, args)) if id == "Mapping" && args.len() == 2 => {
                inputs.push((String::new(), SolType::from_rust(&args[0]).ok()?));
                cur = args[1].clone();
            }
            Some((id, args)) if id == "StorageVec" && args.len() == 1 => {
                inputs.push((String::new(), SolType::Uint(256)));
                cur = args[0].clone();
            }
            Some((id, _)) if id == "StorageString" => break SolType::String,
            Some((id, _)) if id == "StorageBytes" => break SolType::Bytes,
            _ => break SolType::from_rust(&cur).ok()?,
        }
    };
    Some(entry("function", name, &function_json(name, &inputs, &[output], "view")))
}

/// A path type's last segment: its name and type arguments.
fn last_segment(ty: &syn::Type) -> Option<(String, Vec<syn::Type>)> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((seg.ident.to_string(), args))
}

/// The struct's `#[doc(hidden)] __ZKOS_ABI_GETTERS` constant.
pub fn getters_const(getters: &[TokenStream]) -> TokenStream {
    quote! {
        /// The JSON ABI entries of the getters (`[type, name, json]`).
        #[doc(hidden)]
        pub const __ZKOS_ABI_GETTERS: &'static [[&'static str; 3]] = &[#(#getters),*];
    }
}

/// The outputs of a function returning `ty`: none for `()`, the elements of a tuple, the
/// `Ok` type of a `Result`.
fn outputs(ty: &syn::Type) -> syn::Result<Vec<SolType>> {
    if let Some((id, args)) = last_segment(ty) {
        if id == "Result" {
            if let Some(ok) = args.first() {
                return outputs(ok);
            }
        }
    }
    match SolType::from_rust(ty)? {
        SolType::Tuple(ts) => Ok(ts),
        t => Ok(vec![t]),
    }
}

/// Finds the struct expressions a function body emits, converts or returns as an error.
#[derive(Default)]
struct Uses {
    paths: Vec<syn::Path>,
}

impl Uses {
    fn add(&mut self, e: &syn::Expr) {
        let syn::Expr::Struct(s) = e else { return };
        let p = &s.path;
        let generic = p.segments.iter().any(|s| !s.arguments.is_none());
        // `Enum::Variant { .. }` names no type: skip a path whose parent is capitalized.
        let n = p.segments.len();
        let variant = n > 1 && p.segments[n - 2].ident.to_string().starts_with(char::is_uppercase);
        if s.qself.is_none() && !generic && !variant && !p.is_ident("Self") {
            self.paths.push(p.clone());
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.method == "emit" || m.method == "into" {
            self.add(&m.receiver);
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident("Err")) {
            c.args.iter().for_each(|a| self.add(a));
        }
        syn::visit::visit_expr_call(self, c);
    }

    /// `require!(condition, Error { .. })`: the error is the macro's second argument.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if m.path.segments.last().is_some_and(|s| s.ident == "require") {
            let args = m.parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
            if let Ok(args) = args {
                if let Some(e) = args.iter().nth(1) {
                    self.add(e);
                }
                args.iter().for_each(|a| self.visit_expr(a));
            }
        }
        syn::visit::visit_macro(self, m);
    }
}

/// Attributes `#[contract]` reads on a method (the dispatch takes them off later).
fn marks(attrs: &[syn::Attribute]) -> (bool, Option<&'static str>, bool, Option<String>) {
    let (mut payable, mut view, mut ctor, mut name) = (false, None, false, None);
    for a in attrs {
        let p = a.path();
        payable |= p.is_ident("payable");
        if p.is_ident("view") {
            view = Some("view");
        } else if p.is_ident("pure") {
            view = Some("pure");
        }
        ctor |= p.is_ident("constructor");
        if p.is_ident("selector") {
            // Malformed attributes are reported by the dispatch.
            let _ = a.parse_nested_meta(|m| {
                name = Some(m.value()?.parse::<syn::LitStr>()?.value());
                Ok(())
            });
        }
    }
    (payable, view, ctor, name)
}

/// The ABI items of a `#[contract]` impl block (called before the dispatch takes the
/// method attributes off): the constructor, the `pub fn`s, the events and errors used; and
/// the code that joins them with the getters and writes the custom section and
/// `ABI_JSON`. Errors in the methods are left to the dispatch, which reports them.
pub fn contract(imp: &syn::ItemImpl) -> TokenStream {
    let self_ty = &imp.self_ty;
    let mut entries = Vec::new();
    let mut used = Vec::new();
    for item in &imp.items {
        let syn::ImplItem::Fn(f) = item else { continue };
        let mut uses = Uses::default();
        uses.visit_block(&f.block);
        used.extend(uses.paths);
        let ret = match &f.sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ret) => Some(&**ret),
        };
        if let Some((id, args)) = ret.and_then(last_segment) {
            if id == "Result" {
                if let Some(syn::Type::Path(e)) = args.get(1) {
                    if e.qself.is_none() && e.path.segments.iter().all(|s| s.arguments.is_none()) {
                        used.push(e.path.clone());
                    }
                }
            }
        }
        method(&mut entries, f, ret);
    }
    let mut seen = std::collections::HashSet::new();
    let used: Vec<syn::Path> = used.into_iter().filter(|p| seen.insert(quote!(#p).to_string())).collect();
    let section = SECTION;
    quote! {
        const _: () = {
            #[allow(non_camel_case_types, dead_code)]
            trait __ZkosAbiFallback {
                const __ZKOS_ABI: [&'static str; 3] = ["", "", ""];
            }
            impl<T: ?Sized> __ZkosAbiFallback for T {}

            const OWN: &[[&str; 3]] = &[#(#entries,)* #(<#used>::__ZKOS_ABI),*];
            const PARTS: [&[[&str; 3]]; 2] = [OWN, <#self_ty>::__ZKOS_ABI_GETTERS];

            const fn before(a: &[&str; 3], b: &[&str; 3]) -> bool {
                let (mut k, mut i) = (0, 0);
                while k < 2 {
                    let (x, y) = (a[k].as_bytes(), b[k].as_bytes());
                    while i < x.len() && i < y.len() {
                        if x[i] != y[i] {
                            return x[i] < y[i];
                        }
                        i += 1;
                    }
                    if x.len() != y.len() {
                        return x.len() < y.len();
                    }
                    k += 1;
                    i = 0;
                }
                false
            }

            const COUNT: usize = {
                let (mut n, mut p) = (0, 0);
                while p < PARTS.len() {
                    let mut i = 0;
                    while i < PARTS[p].len() {
                        if !PARTS[p][i][0].is_empty() {
                            n += 1;
                        }
                        i += 1;
                    }
                    p += 1;
                }
                n
            };

            /// The entries sorted by type then name (insertion sort).
            const SORTED: [[&str; 3]; COUNT] = {
                let mut out = [["", "", ""]; COUNT];
                let (mut n, mut p) = (0, 0);
                while p < PARTS.len() {
                    let mut i = 0;
                    while i < PARTS[p].len() {
                        let e = PARTS[p][i];
                        if !e[0].is_empty() {
                            let mut j = n;
                            while j > 0 && before(&e, &out[j - 1]) {
                                out[j] = out[j - 1];
                                j -= 1;
                            }
                            out[j] = e;
                            n += 1;
                        }
                        i += 1;
                    }
                    p += 1;
                }
                out
            };

            const LEN: usize = {
                let (mut n, mut i) = (2, 0);
                while i < COUNT {
                    n += SORTED[i][2].len() + if i > 0 { 1 } else { 0 };
                    i += 1;
                }
                n
            };

            const BYTES: [u8; LEN] = {
                let mut out = [0u8; LEN];
                out[0] = b'[';
                let (mut at, mut i) = (1, 0);
                while i < COUNT {
                    if i > 0 {
                        out[at] = b',';
                        at += 1;
                    }
                    let s = SORTED[i][2].as_bytes();
                    let mut k = 0;
                    while k < s.len() {
                        out[at] = s[k];
                        at += 1;
                        k += 1;
                    }
                    i += 1;
                }
                out[at] = b']';
                out
            };

            /// The JSON ABI in the module's custom section.
            #[cfg(target_arch = "wasm32")]
            #[unsafe(link_section = #section)]
            #[used]
            static ZKOS_ABI: [u8; LEN] = BYTES;

            impl #self_ty {
                /// The contract's Solidity JSON ABI, as solc writes it (also embedded in the
                /// module's `zkos:abi` custom section).
                pub const ABI_JSON: &'static str = match ::core::str::from_utf8(&BYTES) {
                    Ok(s) => s,
                    Err(_) => panic!("the JSON ABI is UTF-8"),
                };
            }
        };
    }
}

/// Adds the entry of method `f` (returning `ret`) if it is a `pub fn`.
fn method(entries: &mut Vec<TokenStream>, f: &syn::ImplItemFn, ret: Option<&syn::Type>) {
    if !matches!(f.vis, syn::Visibility::Public(_)) {
        return;
    }
    let (payable, view, ctor, name) = marks(&f.attrs);
    let mut inputs = Vec::new();
    for arg in &f.sig.inputs {
        let syn::FnArg::Typed(t) = arg else { continue };
        let (syn::Pat::Ident(id), Ok(ty)) = (&*t.pat, SolType::from_rust(&t.ty)) else { return };
        inputs.push((camel_case(&id.ident.to_string()), ty));
    }
    let mutability = match (payable, view) {
        (true, _) => "payable",
        (_, Some(read_only)) => read_only,
        _ => "nonpayable",
    };
    if ctor {
        let json = format!(
            "{{\"inputs\":{},\"stateMutability\":\"{mutability}\",\"type\":\"constructor\"}}",
            params(inputs.iter().map(|(n, t)| (n.as_str(), t)))
        );
        entries.push(entry("constructor", "", &json));
        return;
    }
    let Ok(outs) = ret.map_or(Ok(Vec::new()), outputs) else { return };
    let name = name.unwrap_or_else(|| camel_case(&f.sig.ident.to_string()));
    entries.push(entry("function", &name, &function_json(&name, &inputs, &outs, mutability)));
}
