//! `zkos bench`: runs the benchmark driver, the `zkos-bench` binary built beside `zkos`
//! (crate `bench/driver`), with the same arguments, so the command does not depend on the
//! benchmark programs' crates; except `zkos bench kernel`, the kernel-mode figures, which runs
//! here ([`crate::kernel::bench`]) because the driver does not link the kernel pieces.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::error::{Error, Result};

/// Arguments of `zkos bench`, passed through to `zkos-bench` (`zkos bench --help` lists them).
#[derive(clap::Args, Debug)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// The driver's flags: --size small|default, --json, --dir DIR, --kernel NAME; or
    /// `worst [--json] [--gas N] [--only TEXT] [--rv-only]`, the worst-case instructions per gas of
    /// every operation on the rv engine and in kernel mode (the kernel `zkos` carries);
    /// or `evm [--json] [--inputs DIR] [--only NAME]`, the EVM benchmark inputs on zkos and on revm
    /// built for RV64IM, on the same machine; or `kernel [--json] [--only TEXT] [--all]
    /// [--max-gas N] [--inputs DIR] [--transfers N]`, whole blocks in kernel mode, cold and warm
    /// (`zkos bench kernel --help`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

/// The driver: `zkos-bench` in the directory of the running `zkos`.
fn driver() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| Error::Io { path: "zkos".into(), message: e.to_string() })?;
    let path = exe.with_file_name(format!("zkos-bench{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::Io {
            path: path.display().to_string(),
            message: "not found (build it with `cargo build --release -p zkos-bench`)".into(),
        })
    }
}

/// Runs `zkos bench`: the driver's output and exit status are the command's.
pub fn main(args: &Args) -> Result<()> {
    if args.args.first().is_some_and(|a| a == "kernel") {
        return crate::kernel::bench::main(&args.args[1..]);
    }
    let driver = driver()?;
    let mut command = Command::new(&driver);
    command.args(&args.args);
    // `bench worst`'s kernel-mode column runs the kernel `zkos` carries, handed over as a file.
    let mut elf = None;
    let worst = args.args.first().is_some_and(|a| a == "worst");
    if worst && !args.args.iter().any(|a| a == "--kernel-elf" || a == "--rv-only" || a == "--help" || a == "-h") {
        let path = std::env::temp_dir().join(format!("zkos-kernel-{}.elf", std::process::id()));
        std::fs::write(&path, crate::kernel::ELF)
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
        command.arg("--kernel-elf").arg(&path);
        elf = Some(path);
    }
    let status = command.status();
    if let Some(path) = elf {
        let _ = std::fs::remove_file(path);
    }
    let status = status.map_err(|e| Error::Io { path: driver.display().to_string(), message: e.to_string() })?;
    if status.success() {
        Ok(())
    } else {
        // The driver printed its reason; exit with its code.
        std::process::exit(status.code().unwrap_or(1))
    }
}
