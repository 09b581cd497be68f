//! External tools the differential tests compare against. A missing tool fails the test with
//! the Debian package to install; it never skips.

use std::path::PathBuf;
use std::process::Command;

/// The first of `names` that runs with `--version`, or a panic naming the package.
pub fn require(names: &[&str], package: &str) -> PathBuf {
    for name in names {
        let ok = Command::new(name).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
        if ok {
            return PathBuf::from(name);
        }
    }
    panic!(
        "none of {names:?} found in PATH: install the Debian package `{package}` \
         (apt-get update && apt-get install -y {package})"
    );
}

pub fn qemu() -> PathBuf {
    require(&["qemu-riscv64-static", "qemu-riscv64"], "qemu-user-static")
}

pub fn gcc() -> PathBuf {
    require(&["riscv64-unknown-elf-gcc"], "gcc-riscv64-unknown-elf")
}

pub fn assembler() -> PathBuf {
    require(&["riscv64-unknown-elf-as"], "binutils-riscv64-unknown-elf")
}

pub fn objdump() -> PathBuf {
    require(&["riscv64-unknown-elf-objdump"], "binutils-riscv64-unknown-elf")
}

/// A fresh scratch directory under the cargo target's temp dir.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rv-machine").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `bytes` to `path` with mode 0755 (qemu-user, like execve, refuses a file that is not
/// executable, and exits with status 1 without a message).
pub fn write_executable(path: &std::path::Path, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
