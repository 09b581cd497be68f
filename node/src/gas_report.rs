//! `zkos gas-report FILE`: the static gas bounds of a contract.
//!
//! FILE is a WASM module (`\0asm`), an envelope (`0xEF5A…`, its WASM code is analyzed) or
//! EVM bytecode, binary or hex (with or without `0x`, whitespace ignored). WASM contracts
//! get a bound per export and per function ([`wasm_runtime::bounds`]), with formulas in
//! named inputs that `--input name=value` evaluates, and the metering checks elision would
//! remove ([`wasm_runtime::meter::elide`]). EVM contracts get a bound per function selector
//! found in solc's dispatcher, in Ethereum gas ([`wasm_runtime::bounds::evm`]); `--abi`
//! names them from a solc ABI, and common signatures (ERC-20, ERC-721, WETH, Uniswap V2,
//! Ownable) are known anyway.
//!
//! Output: a table on stdout by default, `--json` for one JSON document, `--html FILE` for a
//! self-contained page with each function's control-flow graph drawn as inline SVG.

mod html;
mod json;
mod model;
mod names;
mod svg;
mod text;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::error::{Error, Result};

pub use model::Report;

/// Flags of `zkos gas-report`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The contract: .wasm, an envelope, or EVM bytecode (binary or hex).
    pub file: PathBuf,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report (table and control-flow graphs) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Evaluate formulas at this input, e.g. `calldata_size=100` (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// A solc ABI (JSON array, or an object with an `abi` field) naming EVM selectors.
    #[arg(long, value_name = "FILE")]
    pub abi: Option<PathBuf>,
}

/// What kind of code a file holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Code {
    /// A WASM module.
    Wasm(Vec<u8>),
    /// EVM bytecode.
    Evm(Vec<u8>),
}

/// Decides what `bytes` (the contents of `file`) are.
pub fn detect(file: &str, bytes: &[u8]) -> Result<Code> {
    if bytes.starts_with(b"\0asm") {
        return Ok(Code::Wasm(bytes.to_vec()));
    }
    if host_abi::envelope::is_envelope(bytes) {
        let (env, _) = host_abi::envelope::Envelope::parse(bytes)
            .map_err(|e| Error::Config(format!("{file}: bad envelope: {e:?}")))?;
        return match env.kind {
            host_abi::envelope::Kind::Wasm => Ok(Code::Wasm(env.code.to_vec())),
            other => {
                Err(Error::Config(format!("{file}: envelope of kind {other:?}: only WASM envelopes are analyzed")))
            }
        };
    }
    let text: String = String::from_utf8_lossy(bytes).chars().filter(|c| !c.is_whitespace()).collect();
    let hex_text = text.strip_prefix("0x").unwrap_or(&text);
    let looks_hex = !hex_text.is_empty() && hex_text.bytes().all(|b| b.is_ascii_hexdigit());
    if looks_hex {
        let code = hex::decode(hex_text).map_err(|e| Error::Config(format!("{file}: bad hex: {e}")))?;
        return Ok(detect_decoded(code));
    }
    if bytes.is_empty() {
        return Err(Error::Config(format!("{file}: empty file")));
    }
    Ok(Code::Evm(bytes.to_vec()))
}

fn detect_decoded(code: Vec<u8>) -> Code {
    if code.starts_with(b"\0asm") {
        Code::Wasm(code)
    } else if host_abi::envelope::is_envelope(&code) {
        match host_abi::envelope::Envelope::parse(&code) {
            Ok((env, _)) if env.kind == host_abi::envelope::Kind::Wasm => Code::Wasm(env.code.to_vec()),
            _ => Code::Evm(code),
        }
    } else {
        Code::Evm(code)
    }
}

/// Parses `--input name=value` flags.
pub fn parse_inputs(inputs: &[String]) -> Result<Vec<(wasm_runtime::bounds::Var, u128)>> {
    inputs
        .iter()
        .map(|s| {
            let (name, value) = s
                .split_once('=')
                .ok_or_else(|| Error::Config(format!("--input {s}: expected NAME=VALUE")))?;
            let var = wasm_runtime::bounds::Var::parse(name).ok_or_else(|| {
                Error::Config(format!(
                    "--input {s}: unknown input `{name}` (calldata_size, returndata_size, constants_size, code_size, calldata[A..B], mem[A..B], pN)"
                ))
            })?;
            let v = value.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(h) => u128::from_str_radix(h, 16),
                None => v.parse(),
            };
            let value = parsed.map_err(|e| Error::Config(format!("--input {s}: bad value: {e}")))?;
            Ok((var, value))
        })
        .collect()
}

/// Builds the report for a file's contents.
pub fn report(file: &str, bytes: &[u8], args: &Args) -> Result<Report> {
    let inputs = parse_inputs(&args.inputs)?;
    let abi = match &args.abi {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::Io { path: p.display().to_string(), message: e.to_string() })?;
            names::from_abi(&p.display().to_string(), &text)?
        }
        None => Vec::new(),
    };
    match detect(file, bytes)? {
        Code::Wasm(wasm) => model::wasm(file, &wasm, &inputs),
        Code::Evm(code) => Ok(model::evm(file, &code, &abi)),
    }
}

/// Runs `zkos gas-report`.
pub fn main(args: &Args) -> Result<()> {
    let path = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).map_err(|e| Error::Io { path: path.clone(), message: e.to_string() })?;
    let r = report(&path, &bytes, args)?;
    if let Some(out) = &args.html {
        std::fs::write(out, html::page(&r))
            .map_err(|e| Error::Io { path: out.display().to_string(), message: e.to_string() })?;
    }
    let out = match args.json {
        true => serde_json::to_string_pretty(&json::document(&r)).unwrap_or_default() + "\n",
        false => text::table(&r),
    };
    // A closed pipe (`| head`) is not an error of the report.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
    Ok(())
}
