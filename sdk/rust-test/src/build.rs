//! Building a contract crate for `wasm32-unknown-unknown`, the way zkos needs it.
//!
//! One set of flags for every zkos WASM contract, used by the harness and by `zkos build`:
//! the CPU features of the deterministic subset the validator accepts ([`RUSTFLAGS`]) and
//! the linker arguments (a declared memory maximum and a small stack). They are passed as
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS`, so they apply to the wasm32 build only
//! (build scripts and proc macros are native) whatever directory cargo runs from; a crate's
//! own `.cargo/config.toml` target flags are replaced by them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target contracts are built for.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// The memory maximum every module declares (zkos allows at most 512 pages): 64 pages.
pub const MAX_MEMORY: u32 = 64 * 65536;

/// The stack: 64 KiB keeps the initial memory at two pages (rustc's default 1 MiB would be
/// 17 pages, and memory costs gas).
pub const STACK_SIZE: u32 = 64 * 1024;

/// rustc's flags for a zkos contract: the MVP plus the integer-only extensions the validator
/// accepts (no floats, SIMD or threads come from the CPU features), and the link arguments.
pub fn rustflags() -> String {
    format!(
        "-C target-cpu=mvp -C target-feature=+sign-ext,+mutable-globals,+bulk-memory \
         -C link-arg=--max-memory={MAX_MEMORY} -C link-arg=-zstack-size={STACK_SIZE}"
    )
}

/// Why a contract could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// cargo could not be started.
    Spawn(std::io::Error),
    /// cargo failed; its diagnostics were printed to stderr.
    Cargo { status: std::process::ExitStatus },
    /// The crate built no `.wasm` (it is not a `cdylib`).
    NoWasm { manifest: PathBuf },
    /// The built module could not be read.
    Read { path: PathBuf, error: std::io::Error },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spawn(e) => write!(f, "cannot run cargo: {e}"),
            Self::Cargo { status } => {
                write!(f, "cargo build --target {TARGET} failed ({status}); see its errors above")
            }
            Self::NoWasm { manifest } => write!(
                f,
                "{} built no .wasm: a contract crate needs `crate-type = [\"cdylib\", ...]` in [lib]",
                manifest.display()
            ),
            Self::Read { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds the library of the crate at `crate_dir` in release mode for [`TARGET`] with
/// [`rustflags`], into `target_dir`, and returns the path of its `.wasm`. cargo's own
/// cache makes a second build of unchanged sources a no-op.
pub fn build_wasm(crate_dir: &Path, target_dir: &Path) -> Result<PathBuf, BuildError> {
    let manifest = crate_dir.join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(crate_dir)
        .args(["build", "--release", "--lib", "--message-format=json-render-diagnostics", "--target", TARGET])
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", rustflags())
        // A build started from a test must not inherit the test's own build settings.
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(BuildError::Spawn)?;
    if !out.status.success() {
        return Err(BuildError::Cargo { status: out.status });
    }
    // The artifact message of the crate itself names its .wasm.
    let ours = manifest.canonicalize().ok();
    let mut wasm = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let same = msg["manifest_path"].as_str().is_some_and(|p| Path::new(p).canonicalize().ok() == ours);
        if msg["reason"] != "compiler-artifact" || !same {
            continue;
        }
        for f in msg["filenames"].as_array().into_iter().flatten() {
            if let Some(f) = f.as_str().filter(|f| f.ends_with(".wasm")) {
                wasm = Some(PathBuf::from(f));
            }
        }
    }
    wasm.ok_or(BuildError::NoWasm { manifest })
}

/// [`build_wasm`], then the module's bytes.
pub fn wasm_bytes(crate_dir: &Path, target_dir: &Path) -> Result<Vec<u8>, BuildError> {
    let path = build_wasm(crate_dir, target_dir)?;
    std::fs::read(&path).map_err(|error| BuildError::Read { path, error })
}

/// Where the harness builds contracts: `$ZKOS_WASM_TARGET_DIR`, else `zkos-wasm/` in the
/// target directory of the running test binary (`<target>/<profile>/deps/<test>`), a
/// directory of its own so the nested cargo never waits for the outer one's lock.
pub fn harness_target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ZKOS_WASM_TARGET_DIR") {
        return dir.into();
    }
    let exe = std::env::current_exe().unwrap_or_default();
    match exe.ancestors().nth(3) {
        Some(target) if !target.as_os_str().is_empty() => target.join("zkos-wasm"),
        _ => std::env::temp_dir().join("zkos-wasm"),
    }
}

/// The contract module of the crate at `crate_dir` (usually `env!("CARGO_MANIFEST_DIR")`,
/// see [`crate::contract_wasm!`]), built once per test process; panics with cargo's error
/// (this is for tests).
pub fn contract_wasm(crate_dir: &str) -> Vec<u8> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static BUILT: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(w) = built.get(crate_dir) {
        return w.clone();
    }
    let wasm = wasm_bytes(Path::new(crate_dir), &harness_target_dir())
        .unwrap_or_else(|e| panic!("building the contract in {crate_dir}: {e}"));
    built.insert(crate_dir.to_string(), wasm.clone());
    wasm
}
