//! The programs `bench/build.sh` builds into `bench/out/`, loaded and checked.

use std::path::{Path, PathBuf};

use bench_kernels::Suite;

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
    /// `standard.wasm`: the standard kernels built for wasm32, as rustc left them.
    pub standard_wasm: Vec<u8>,
    /// The same module validated and metered.
    pub standard_metered: Vec<u8>,
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
        let metered = validated_and_metered(&wasm, "kernels.wasm")?;
        let standard_wasm = read(dir, "standard.wasm")?;
        let standard_metered = validated_and_metered(&standard_wasm, "standard.wasm")?;
        Ok(Artifacts {
            dir: dir.to_path_buf(),
            native,
            wasmi_driver,
            compiler_driver,
            wasm,
            metered,
            standard_wasm,
            standard_metered,
        })
    }

    /// The metered module that exports the kernels of `suite`.
    pub fn metered_of(&self, suite: Suite) -> &[u8] {
        match suite {
            Suite::Core => &self.metered,
            Suite::Standard => &self.standard_metered,
        }
    }
}

/// `wasm` validated and metered, as a deployment does.
fn validated_and_metered(wasm: &[u8], name: &str) -> Result<Vec<u8>, BenchError> {
    wasm_validator::validate::validate(wasm).map_err(|e| BenchError::Module(format!("{name}: {e}")))?;
    wasm_validator::meter::meter(wasm).map_err(|e| BenchError::Module(format!("{name}: {e}")))
}
