//! `zkos gas-report FILE`: the static gas bounds of a contract.
//!
//! FILE is a WASM module (`\0asm`), an envelope (`0xEF5A…`, its WASM code is analyzed), a
//! native RV64IM ELF or an envelope holding one (lifted by native-shim, as a deployment
//! does, and the lifted module analyzed) or EVM bytecode, binary or hex (with or without
//! `0x`, whitespace ignored). WASM contracts
//! get a bound per export and per function ([`wasm_validator::bounds`]), with formulas in
//! named inputs that `--input name=value` evaluates, and the metering checks elision would
//! remove ([`wasm_validator::meter::elide`]). EVM contracts get a bound per function selector
//! found in solc's dispatcher, in Ethereum gas ([`wasm_validator::bounds::evm`]); `--abi`
//! names them from a solc ABI, and common signatures (ERC-20, ERC-721, WETH, Uniswap V2,
//! Ownable) are known anyway.
//!
//! A WASM contract with an embedded JSON ABI (`zkos:abi`, written by `#[zkos::contract]`)
//! gets a row per function of its ABI, by selector; functions are named from the module's
//! name section when it has one. `--measure BLOCK` runs a block (as `zkos run` takes it) and
//! shows the gas the contract's frames used per selector beside the bounds. A bound above the
//! block gas limit ([`model::PRACTICAL_LIMIT`]) holds but is reported as unbounded in
//! practice.
//!
//! Output: a table on stdout by default, `--json` for one JSON document, `--html FILE` for a
//! self-contained page with each function's control-flow graph drawn as inline SVG.

mod html;
mod json;
mod measure;
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
    /// The contract: .wasm, an envelope, a native RV64IM ELF, or EVM bytecode (binary or hex).
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
    /// Run this block (JSON, as `zkos run` takes it) and show the gas its calls to the
    /// contract used per selector (WASM contracts).
    #[arg(long, value_name = "BLOCK")]
    pub measure: Option<PathBuf>,
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
            .map_err(|e| Error::Config(format!("{file}: bad envelope: {e}")))?;
        return match env.kind {
            host_abi::envelope::Kind::Wasm => Ok(Code::Wasm(env.code.to_vec())),
            host_abi::envelope::Kind::Rv64im => lift(file, env.code),
        };
    }
    // An RV64IM ELF (64-bit, little-endian, version 1) is a native contract; WebAssembly
    // text would otherwise be read as EVM bytecode.
    if bytes.starts_with(b"\x7fELF") {
        return lift(file, bytes);
    }
    if String::from_utf8_lossy(bytes).trim_start().starts_with("(module") {
        return Err(Error::Config(format!(
            "{file}: WebAssembly text: assemble it into a .wasm module (e.g. with wat2wasm) first"
        )));
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

/// A native contract's module: the ELF lifted to WASM exactly as its deployment lifts it.
fn lift(file: &str, elf: &[u8]) -> Result<Code> {
    let lifted = native_shim::lift(elf).map_err(|e| Error::Config(format!("{file}: not a native contract: {e}")))?;
    Ok(Code::Wasm(lifted.wasm))
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

/// Parses `--input name=value` flags: known names, each once, values that fit the input
/// (a size 32 bits, a parameter 64 bits, `calldata[A..B]` and `mem[A..B]` B − A bytes).
pub fn parse_inputs(inputs: &[String]) -> Result<Vec<(wasm_validator::bounds::Var, u128)>> {
    let mut out: Vec<(wasm_validator::bounds::Var, u128)> = Vec::new();
    for s in inputs {
        let bad = |why: String| Error::Config(format!("--input {s}: {why}"));
        let (name, value) = s.split_once('=').ok_or_else(|| bad("expected NAME=VALUE".into()))?;
        let var = wasm_validator::bounds::Var::parse(name).ok_or_else(|| {
            bad(format!(
                "unknown input `{name}` (calldata_size, returndata_size, constants_size, code_size, calldata[A..B], mem[A..B], pN)"
            ))
        })?;
        let v = value.trim();
        let parsed = match v.strip_prefix("0x") {
            Some(h) => u128::from_str_radix(h, 16),
            None => v.parse(),
        };
        let value = parsed.map_err(|e| bad(format!("bad value: {e}")))?;
        let bits = input_bits(var);
        if bits == 0 {
            return Err(bad(format!("{var} is an empty byte range")));
        }
        if bits < 128 && value >> bits != 0 {
            return Err(bad(format!("{var} holds {bits} bits: {value} does not fit")));
        }
        if out.iter().any(|(known, _)| *known == var) {
            return Err(bad(format!("{var} is given twice")));
        }
        out.push((var, value));
    }
    Ok(out)
}

/// How many bits an input holds.
fn input_bits(var: wasm_validator::bounds::Var) -> u32 {
    use wasm_validator::bounds::Var;
    match var {
        // The ABI returns sizes as i32.
        Var::CalldataSize | Var::ReturndataSize | Var::ConstantsSize | Var::CodeSize => 32,
        Var::Calldata { len, .. } | Var::Memory { len, .. } => u32::from(len).saturating_mul(8).min(128),
        Var::Param(_) | Var::LoopVar { .. } => 64,
    }
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
        Code::Wasm(wasm) => {
            let mut r = model::wasm(file, &wasm, &inputs)?;
            if let Some(block) = &args.measure {
                measured(&mut r, &block.display().to_string(), &wasm)?;
            }
            Ok(r)
        }
        Code::Evm(_) if args.measure.is_some() => {
            Err(Error::Config(format!("--measure: {file} is EVM code; measuring is for WASM contracts")))
        }
        Code::Evm(_) if !args.inputs.is_empty() => Err(Error::Config(format!(
            "--input {}: {file} is EVM code, whose bounds do not depend on inputs",
            args.inputs[0]
        ))),
        // Refused before the analysis, whose time and memory grow with the code (issue 17:
        // 100 MB of hex took 30 s and 3.6 GB).
        Code::Evm(code) if code.len() > evm_to_wasm::MAX_CODE_SIZE => Err(Error::Config(format!(
            "{file}: EVM code of {} bytes, more than the {} bytes zkos runs",
            code.len(),
            evm_to_wasm::MAX_CODE_SIZE
        ))),
        Code::Evm(code) => Ok(model::evm(file, &code, &abi)),
    }
}

/// Adds the gas a block measured to the selector rows (a row for a selector the ABI does not
/// have, which the contract reverts or handles in its fallback).
fn measured(r: &mut Report, block: &str, wasm: &[u8]) -> Result<()> {
    let per = measure::per_selector(block, wasm)?;
    if per.is_empty() {
        return Err(Error::Config(format!("--measure {block}: no transaction of the block calls this contract")));
    }
    for (sel, m) in per {
        match r.selectors.iter_mut().find(|e| e.selector == Some(sel)) {
            Some(e) => e.measured = Some(m),
            None => r.selectors.push(model::Entry {
                name: format!("0x{sel:08x} (not in the ABI)"),
                selector: Some(sel),
                measured: Some(m),
                ..model::Entry::default()
            }),
        }
    }
    Ok(())
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
