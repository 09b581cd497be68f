//! The Solidity ABI a contract carries, and `zkos abi FILE`.
//!
//! `#[zkos::contract]` embeds the contract's JSON ABI (solc's shape) in a WASM custom
//! section named [`wasm_validator::meter::ABI_SECTION`] (`zkos:abi`), whose contents are
//! the UTF-8 JSON text. Metering keeps that section, so it is in the module a contract is
//! deployed with, in its envelope, in the account's stored code and in the stored artifact.
//! [`embedded_abi`] reads it from any of them; `zkos abi` prints it as JSON or as a Solidity
//! `interface` that solc compiles (alloy's printer: structs for tuples, data locations).
//!
//! ```text
//! zkos abi examples/out/vault.wasm               # the JSON ABI
//! zkos abi examples/out/vault.wasm --solidity    # interface IVault { ... }
//! ```

use std::path::PathBuf;

use alloy_json_abi::JsonAbi;
use host_abi::envelope::{self, Envelope, Kind};
use wasm_validator::meter::ABI_SECTION;

use crate::error::{one_line, Error, Result};

/// Arguments of `zkos abi`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The contract: a .wasm module, an envelope (deploy data), an account's stored code, or
    /// any of them in hex (with or without `0x`).
    pub file: PathBuf,
    /// Print the JSON ABI (the default).
    #[arg(long, conflicts_with = "solidity")]
    pub json: bool,
    /// Print a Solidity `interface` instead of the JSON ABI.
    #[arg(long)]
    pub solidity: bool,
    /// The interface's name (default: `I` and the file's name in PascalCase).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// The WASM module inside `code`: `code` itself (a module, metered or not), the code of an
/// envelope (deploy data, constructor arguments after it ignored) or of an account's
/// stored code (header and code). `None` for anything else (EVM code, an RV64IM ELF).
pub(crate) fn wasm_module(code: &[u8]) -> Result<Option<&[u8]>> {
    if code.starts_with(b"\0asm") {
        return Ok(Some(code));
    }
    if !envelope::is_envelope(code) {
        return Ok(None);
    }
    if let Some((kind, inner)) = envelope::parse_stored_code(code) {
        if inner.starts_with(b"\0asm") || inner.starts_with(b"\x7fELF") {
            return Ok((kind == Kind::Wasm).then_some(inner));
        }
    }
    let (env, _) = Envelope::parse(code).map_err(|e| Error::Config(format!("bad envelope: {e}")))?;
    Ok((env.kind == Kind::Wasm).then_some(env.code))
}

/// The JSON ABI embedded in a contract: raw `.wasm` (metered or not), an envelope, or an
/// account's deployed code. `Ok(None)` when there is none (EVM or native code, a module
/// built without `#[zkos::contract]`); an error when the module is malformed, holds more
/// than one `zkos:abi` section, or the section is not a JSON ABI.
pub fn embedded_abi(code: &[u8]) -> Result<Option<JsonAbi>> {
    let Some(text) = embedded_abi_text(code)? else { return Ok(None) };
    let abi = serde_json::from_str(text).map_err(|e| {
        Error::Config(format!("the `{ABI_SECTION}` section is not a JSON ABI: {}", one_line(&e.to_string())))
    })?;
    Ok(Some(abi))
}

/// The text of the `zkos:abi` section of a contract (see [`embedded_abi`]), not parsed.
pub fn embedded_abi_text(code: &[u8]) -> Result<Option<&str>> {
    let Some(wasm) = wasm_module(code)? else { return Ok(None) };
    let mut found: Option<&[u8]> = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| Error::Config(format!("not a WASM module: {}", one_line(&e.to_string()))))?;
        if let wasmparser::Payload::CustomSection(c) = payload {
            if c.name() == ABI_SECTION {
                if found.is_some() {
                    return Err(Error::Config(format!("two `{ABI_SECTION}` custom sections")));
                }
                found = Some(c.data());
            }
        }
    }
    let Some(data) = found else { return Ok(None) };
    let text = std::str::from_utf8(data)
        .map_err(|e| Error::Config(format!("the `{ABI_SECTION}` section is not UTF-8: {e}")))?;
    Ok(Some(text))
}

/// The bytes of a file: binary, or hex text (with or without `0x`, whitespace ignored).
fn contents(file: &str, bytes: Vec<u8>) -> Result<Vec<u8>> {
    if bytes.starts_with(b"\0asm") || envelope::is_envelope(&bytes) {
        return Ok(bytes);
    }
    let text: String = String::from_utf8_lossy(&bytes).chars().filter(|c| !c.is_whitespace()).collect();
    let hex_text = text.strip_prefix("0x").unwrap_or(&text);
    if !hex_text.is_empty() && hex_text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex::decode(hex_text).map_err(|e| Error::Config(format!("{file}: bad hex: {e}")));
    }
    Ok(bytes)
}

/// `I` and a file stem in PascalCase (`erc20-macro` → `IErc20Macro`), a Solidity
/// identifier.
fn interface_name(path: &std::path::Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut out = String::from("I");
    for part in stem.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.len() == 1 {
        out.push_str("Contract");
    }
    out
}

/// Whether `name` is a Solidity identifier.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A Solidity source file with an `interface` for `abi` (events, errors, functions; structs
/// for tuples): a license line and the pragma of custom errors (solc 0.8.4) first, so solc
/// compiles it without a warning.
pub fn interface(abi: &JsonAbi, name: &str) -> String {
    format!("// SPDX-License-Identifier: UNLICENSED\npragma solidity ^0.8.4;\n\n{}\n", abi.to_sol(name, None))
}

/// What `zkos abi` prints for a file's contents.
pub fn render(file: &str, bytes: Vec<u8>, args: &Args) -> Result<String> {
    let code = contents(file, bytes)?;
    let abi =
        embedded_abi(&code).map_err(|e| Error::Config(format!("{file}: {e}")))?.ok_or_else(|| {
            match wasm_module(&code) {
                Ok(Some(_)) => Error::Config(format!(
                    "{file}: no `{ABI_SECTION}` section: the module was not built with #[zkos::contract] (or a tool \
                 stripped its custom sections)"
                )),
                _ => Error::Config(format!(
                    "{file}: not a WASM contract (EVM or native code carries no embedded ABI; solc writes an EVM \
                 contract's with --abi)"
                )),
            }
        })?;
    if !args.solidity {
        // The entries in the contract's order (solc's), keys sorted as solc sorts them.
        let text = embedded_abi_text(&code)?.unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        return Ok(serde_json::to_string_pretty(&value).unwrap_or_default() + "\n");
    }
    let name = args.name.clone().unwrap_or_else(|| interface_name(&args.file));
    if !is_identifier(&name) {
        return Err(Error::Config(format!("--name {name}: not a Solidity identifier")));
    }
    Ok(interface(&abi, &name))
}

/// Runs `zkos abi`.
pub fn main(args: &Args) -> Result<()> {
    let path = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).map_err(|e| Error::Io { path: path.clone(), message: e.to_string() })?;
    let out = render(&path, bytes, args)?;
    // A closed pipe (`| head`) is not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with `sections` as `zkos:abi` custom sections.
    fn module(sections: &[&[u8]]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        for s in sections {
            let mut body = vec![u8::try_from(ABI_SECTION.len()).unwrap()];
            body.extend_from_slice(ABI_SECTION.as_bytes());
            body.extend_from_slice(s);
            m.push(0);
            m.push(u8::try_from(body.len()).unwrap());
            m.extend(body);
        }
        m
    }

    const JSON: &[u8] = br#"[{"type":"function","name":"f","inputs":[],"outputs":[],"stateMutability":"view"}]"#;

    #[test]
    fn reads_the_section_from_a_module_an_envelope_and_stored_code() {
        let wasm = module(&[JSON]);
        let abi = embedded_abi(&wasm).unwrap().unwrap();
        assert_eq!(abi.functions().map(|f| f.signature()).collect::<Vec<_>>(), ["f()"]);
        let env = Envelope { kind: Kind::Wasm, version: 0, constants: &[7, 7], code: &wasm };
        let mut deploy = vec![0u8; env.encoded_len()];
        env.encode_into(&mut deploy).unwrap();
        deploy.extend_from_slice(&[0xAA; 64]); // constructor arguments
        assert_eq!(embedded_abi(&deploy).unwrap(), Some(abi.clone()));
        let mut stored = env.header().to_vec();
        stored.extend_from_slice(&wasm);
        assert_eq!(embedded_abi(&stored).unwrap(), Some(abi));
    }

    #[test]
    fn none_without_a_section_or_for_other_code() {
        assert_eq!(embedded_abi(&module(&[])).unwrap(), None);
        assert_eq!(embedded_abi(&[0x60, 0x00, 0x60, 0x00, 0xf3]).unwrap(), None);
        let env = Envelope { kind: Kind::Rv64im, version: 0, constants: &[], code: b"\x7fELF" };
        let mut deploy = vec![0u8; env.encoded_len()];
        env.encode_into(&mut deploy).unwrap();
        assert_eq!(embedded_abi(&deploy).unwrap(), None);
    }

    #[test]
    fn bad_sections_and_modules_are_errors() {
        let err = |code: &[u8]| embedded_abi(code).unwrap_err().to_string();
        assert!(err(&module(&[b"{not json"])).contains("not a JSON ABI"), "{}", err(&module(&[b"{not json"])));
        assert!(err(&module(&[b"\xff"])).contains("not UTF-8"));
        assert!(err(&module(&[JSON, JSON])).contains("two `zkos:abi`"));
        assert!(err(b"\0asm\x01\0\0\0\x00\x7f").contains("not a WASM module"));
        assert!(err(&[0xEF, 0x5A, 0x01, 0x00, 0, 0]).contains("bad envelope"));
    }

    #[test]
    fn interface_names() {
        assert_eq!(interface_name(std::path::Path::new("out/erc20-macro.wasm")), "IErc20Macro");
        assert_eq!(interface_name(std::path::Path::new("vault.wasm")), "IVault");
        assert!(is_identifier("IVault") && !is_identifier("1x") && !is_identifier("a-b"));
    }
}
