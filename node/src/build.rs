//! `zkos build [--path DIR] [--args HEX]`: builds the contract project in DIR (default: the
//! current folder), as `zkos new` writes them, and reports what deploying it costs.
//!
//! - Rust (a `Cargo.toml`): `cargo build --release --lib --target wasm32-unknown-unknown`
//!   with zkos's flags ([`zkos_test::build`], the same the test harness uses), into
//!   `$CARGO_TARGET_DIR` or `DIR/target`;
//! - AssemblyScript (`assembly/index.ts`): the SDK's `compile.sh` (found as `zkos new`
//!   finds the SDK) into `build/NAME.wasm`.
//!
//! Then: the module is validated and metered as a deployment would; its envelope is written
//! beside it (`NAME.zkos`, the init code without constructor arguments); the size is
//! printed against the code-size limit, with the deployment charge (per byte of code), the
//! gas of a deployment dry run on both engines (with `--args`, the ABI-encoded constructor
//! arguments), and the gas-bound table of `zkos gas-report`.

use std::path::{Path, PathBuf};

use alloy_primitives::U256;

use crate::error::{Error, Result};

/// Arguments of `zkos build`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project folder.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub path: PathBuf,
    /// ABI-encoded constructor arguments (hex) for the deployment dry run.
    #[arg(long, value_name = "HEX")]
    pub args: Option<String>,
    /// The `sdk` folder of a zkos checkout (AssemblyScript projects; default: the one this
    /// binary was built from).
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), message: e.to_string() }
}

/// Runs `zkos build`.
pub fn main(args: &Args) -> Result<()> {
    let dir = &args.path;
    let ctor_args = match &args.args {
        Some(h) => hex::decode(h.trim().trim_start_matches("0x"))
            .map_err(|e| Error::Config(format!("--args: not hex: {e}")))?,
        None => Vec::new(),
    };
    let wasm_path = if dir.join("Cargo.toml").is_file() {
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| dir.join("target"), PathBuf::from);
        zkos_test::build::build_wasm(dir, &target).map_err(|e| Error::Exec(e.to_string()))?
    } else if dir.join("assembly/index.ts").is_file() {
        assemblyscript(dir, args.sdk.clone().unwrap_or_else(crate::new::default_sdk))?
    } else {
        return Err(Error::Config(format!(
            "{}: neither a Cargo.toml nor assembly/index.ts: not a contract project (see `zkos new`)",
            dir.display()
        )));
    };
    let wasm = std::fs::read(&wasm_path).map_err(|e| io(&wasm_path, e))?;
    report(&wasm_path, &wasm, &ctor_args)
}

/// Compiles an AssemblyScript project with the SDK's compile.sh; returns the module's path.
fn assemblyscript(dir: &Path, sdk: PathBuf) -> Result<PathBuf> {
    let script = sdk.join("assemblyscript").join("compile.sh");
    if !script.is_file() {
        return Err(Error::Config(format!("{}: not found: pass the zkos `sdk` folder with --sdk", script.display())));
    }
    let dir = dir.canonicalize().map_err(|e| io(dir, e))?;
    let name = dir.file_name().map_or_else(|| "contract".into(), |n| n.to_string_lossy().into_owned());
    let out = PathBuf::from("build").join(format!("{name}.wasm"));
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg("assembly/index.ts")
        .arg(&out)
        .current_dir(&dir)
        .status()
        .map_err(|e| io(&script, e))?;
    if !status.success() {
        return Err(Error::Exec(format!("{} failed ({status})", script.display())));
    }
    Ok(dir.join(out))
}

/// Validates `wasm`, writes its envelope, prints size, costs and the gas bounds.
fn report(path: &Path, wasm: &[u8], ctor_args: &[u8]) -> Result<()> {
    let file = path.display().to_string();
    let invalid = |e: &dyn std::fmt::Display| Error::Exec(format!("{file}: zkos would refuse this module: {e}"));
    wasm_validator::validate::validate(wasm).map_err(|e| invalid(&e))?;
    wasm_validator::meter::meter(wasm).map_err(|e| invalid(&e))?;
    let envelope = zkos_test::envelope(wasm, &[]);
    let env_path = path.with_extension("zkos");
    std::fs::write(&env_path, &envelope).map_err(|e| io(&env_path, e))?;

    let limit = host_abi::limits::MAX_WASM_CODE_SIZE;
    let pct = wasm.len() as f64 * 100.0 / limit as f64;
    println!("module      {file}");
    println!("envelope    {} (init code for a deployment; append the constructor arguments)", env_path.display());
    println!("size        {} bytes of {limit} allowed ({pct:.1}%)", wasm.len());
    if wasm.len() > limit {
        return Err(Error::Exec(format!("{file}: {} bytes, over the {limit}-byte WASM code size limit", wasm.len())));
    }
    let per_byte = wasm_runtime::exec::WASM_DEPLOY_BYTE;
    println!(
        "deploy fee  {} gas for the code ({per_byte} per byte: validate, meter, compile, store)",
        per_byte * wasm.len() as u64
    );
    let mut vm = zkos_test::Vm::new();
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| vm.try_deploy(wasm, ctor_args, U256::ZERO)));
    match out {
        Ok(o) if o.success => println!("deployment  {} gas in all (dry run on wasmi and rv, equal)", o.gas_used),
        Ok(o) => println!(
            "deployment  the dry run {} ({} gas){}",
            o.why(),
            o.gas_used,
            if ctor_args.is_empty() { "; pass the constructor arguments with --args HEX" } else { "" }
        ),
        Err(_) => return Err(Error::Exec("the deployment dry run: the two engines disagree (a zkos bug)".into())),
    }
    println!();
    let gas_args = crate::gas_report::Args {
        file: path.to_path_buf(),
        json: false,
        html: None,
        inputs: Vec::new(),
        abi: None,
        measure: None,
    };
    crate::gas_report::main(&gas_args)
}
