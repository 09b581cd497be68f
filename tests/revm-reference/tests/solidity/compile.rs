//! The contracts of tests/solidity/oz, compiled by solc-js in three modes.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use alloy_primitives::keccak256;
use serde_json::Value;

/// How solc compiles the contracts: every scenario runs on each form of the bytecode.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode {
    /// The legacy pipeline, optimizer on (200 runs).
    Optimized,
    /// The IR pipeline (via Yul), optimizer on.
    ViaIr,
    /// The legacy pipeline, optimizer off: other stack shapes and jumps.
    Unoptimized,
}

impl Mode {
    fn flags(self) -> &'static [&'static str] {
        match self {
            Mode::Optimized => &[],
            Mode::ViaIr => &["--via-ir"],
            Mode::Unoptimized => &["--no-optimize"],
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Mode::Optimized => "optimized",
            Mode::ViaIr => "via-ir",
            Mode::Unoptimized => "unoptimized",
        }
    }
}

/// Creation bytecode of a contract of tests/solidity/oz, compiled once per mode and test
/// process (and kept in the target directory, keyed by the sources, for the next process:
/// nextest runs every test in its own).
pub(crate) fn code(mode: Mode, name: &str) -> Vec<u8> {
    static OUT: [OnceLock<BTreeMap<String, String>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let contracts = OUT[mode as usize].get_or_init(|| {
        let json: Value = serde_json::from_str(&compiled(mode)).expect("compile.js prints JSON");
        let contracts = json["contracts"].as_object().expect("a contracts object");
        contracts.iter().map(|(k, v)| (k.clone(), v.as_str().expect("hex").to_owned())).collect()
    });
    let hex = contracts.get(name).unwrap_or_else(|| panic!("no contract {name} in tests/solidity/oz"));
    hex::decode(hex).expect("bytecode is hex")
}

/// The output of `node tests/solidity/compile.js oz <flags>`, from the cache when the
/// script, the pinned packages and the sources are unchanged.
pub(crate) fn compiled(mode: Mode) -> String {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../solidity"));
    let script = dir.join("compile.js");
    let mut key = Vec::new();
    let mut files = vec![script.clone(), dir.join("package.json")];
    let mut sources: Vec<_> = std::fs::read_dir(dir.join("oz"))
        .expect("tests/solidity/oz")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sol"))
        .collect();
    sources.sort();
    files.extend(sources);
    for file in &files {
        key.extend_from_slice(file.file_name().unwrap().as_encoded_bytes());
        key.extend_from_slice(keccak256(std::fs::read(file).unwrap()).as_slice());
    }
    key.extend_from_slice(mode.label().as_bytes());
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "solidity-oz-{}-{}.json",
        mode.label(),
        hex::encode(&keccak256(&key)[..8])
    ));
    if let Ok(text) = std::fs::read_to_string(&cache) {
        return text;
    }
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg("oz")
        .args(mode.flags())
        .output()
        .unwrap_or_else(|e| panic!("running node {}: {e} (node and npm are needed)", script.display()));
    assert!(
        out.status.success(),
        "{} oz {:?} failed: {}",
        script.display(),
        mode.flags(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("compile.js prints UTF-8");
    // Written aside and renamed: a concurrent test process reads all of it or nothing.
    let partial = cache.with_extension(format!("{}.partial", std::process::id()));
    if std::fs::write(&partial, &text).is_ok() {
        let _ = std::fs::rename(&partial, &cache);
    }
    text
}
