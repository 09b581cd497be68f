//! Builds the kernel ELF that `zkos` carries (`zkos kernel elf`, the kernel modes): runs
//! `scripts/build-kernel.sh elf` (the kernel/ workspace for the RV64IM target, into
//! target/kernel/) whenever a crate the kernel is made of changes, and hands its path to the
//! crate as `ZKOS_KERNEL_ELF`.

use std::path::Path;
use std::process::Command;

fn main() {
    let node = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&node).parent().expect("node/ lies in the repository").to_path_buf();
    let mut watched: Vec<String> =
        ["kernel/src", "kernel/Cargo.toml", "kernel/Cargo.lock", "kernel/kernel.ld", "kernel/build.rs"]
            .map(String::from)
            .to_vec();
    for krate in
        ["host-abi", "wasm-validator", "wasm-runtime", "evm-to-wasm", "rv-backend", "rv-machine", "native-shim"]
    {
        watched.push(format!("{krate}/src"));
        watched.push(format!("{krate}/Cargo.toml"));
    }
    watched.extend(["scripts/build-kernel.sh", "wasm-runtime/kernel/riscv64im-zkos.json"].map(String::from));
    for path in &watched {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    let script = root.join("scripts/build-kernel.sh");
    let status = Command::new("bash").arg(&script).arg("elf").current_dir(&root).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "building the kernel ELF failed ({s}): run scripts/build-kernel.sh to see why \
             (it needs `rustup component add rust-src`)"
        ),
        Err(e) => panic!("cannot run {}: {e}", script.display()),
    }
    let elf = root.join("target/kernel/zkos-kernel.elf");
    assert!(elf.is_file(), "scripts/build-kernel.sh did not write {}", elf.display());
    println!("cargo:rustc-env=ZKOS_KERNEL_ELF={}", elf.display());
}
