//! The programs `bench/build.sh` builds into `bench/out/`, loaded and checked.

use std::path::{Path, PathBuf};

use crate::error::BenchError;

/// Where `bench/build.sh` puts its output in the repository this binary was built from.
pub const DEFAULT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../out");

/// The benchmark programs.
#[derive(Debug, Clone)]
pub struct Artifacts {
    /// The directory they came from.
    pub dir: PathBuf,
    /// `native.elf`: the kernels built by rustc for RV64IM.
    pub native: Vec<u8>,
    /// `wasmi-driver.elf`: wasmi built for RV64IM.
    pub wasmi_driver: Vec<u8>,
    /// `compiler-driver.elf`: rv-backend built for RV64IM.
    pub compiler_driver: Vec<u8>,
    /// `kernels.wasm`: the kernels built for wasm32, as rustc left them.
    pub wasm: Vec<u8>,
    /// The same module validated and metered by wasm-runtime: what a contract runs.
    pub metered: Vec<u8>,
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, BenchError> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| BenchError::Artifact { path: path.display().to_string(), message: e.to_string() })
}

impl Artifacts {
    /// Reads the programs from `dir`, then validates and meters the module.
    pub fn load(dir: &Path) -> Result<Artifacts, BenchError> {
        let native = read(dir, "native.elf")?;
        let wasmi_driver = read(dir, "wasmi-driver.elf")?;
        let compiler_driver = read(dir, "compiler-driver.elf")?;
        let wasm = read(dir, "kernels.wasm")?;
        wasm_validator::validate::validate(&wasm).map_err(|e| BenchError::Module(e.to_string()))?;
        let metered = wasm_validator::meter::meter(&wasm).map_err(|e| BenchError::Module(e.to_string()))?;
        Ok(Artifacts { dir: dir.to_path_buf(), native, wasmi_driver, compiler_driver, wasm, metered })
    }
}
