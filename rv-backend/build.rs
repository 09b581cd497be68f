//! The compiler's fingerprint: a hash of its own sources (every file under `src/`, by path
//! and contents), exported as `RV_BACKEND_FINGERPRINT`. A compiled image records the
//! fingerprint of the compiler that made it (`image.rs`), so code compiled by another
//! version of the compiler (another ABI, other code) is never loaded as if this one made it.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// FNV-1a, 64 bits.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    all.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in &all {
        let relative = path.strip_prefix(&src).unwrap_or(path);
        fnv(&mut hash, relative.to_string_lossy().replace('\\', "/").as_bytes());
        fnv(&mut hash, &[0]);
        fnv(&mut hash, &std::fs::read(path).unwrap_or_default());
        fnv(&mut hash, &[0]);
    }
    println!("cargo:rustc-env=RV_BACKEND_FINGERPRINT={hash:016x}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=build.rs");
}
