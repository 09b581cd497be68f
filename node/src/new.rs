//! `zkos new NAME [--lang rust|assemblyscript] [--sdk PATH]`: a contract project that builds
//! outside this repository.
//!
//! Rust (the default): a crate that depends on the SDK by path (`zkos-sdk`, and `zkos-test`
//! for its tests), a counter written with `#[contract]`, a unit test on the SDK's mock in
//! `src/lib.rs` and a test on the real engines in `tests/counter.rs`, the release profile
//! contracts need, a `.cargo/config.toml` with the wasm32 flags (the same as
//! `zkos_test::build::rustflags`, which `zkos build` and the harness pass themselves), the
//! zkos workspace's `Cargo.lock` (so dependencies resolve to the versions zkos is tested
//! with) and a README.
//!
//! AssemblyScript: `assembly/index.ts` (the counter of examples/as-counter, importing
//! `sdk/assemblyscript`) and a README;
//! `zkos build` compiles it with the SDK's `compile.sh`. It has no test on the harness yet.
//!
//! The SDK is found from `--sdk PATH` (the `sdk` folder of a zkos checkout), else from where
//! this binary was built (`node/../sdk`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Arguments of `zkos new`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project's folder (created; must not exist or be empty). Its last component,
    /// with `-` for `_`, names the crate.
    pub name: PathBuf,
    /// The contract language.
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    pub lang: Lang,
    /// The `sdk` folder of a zkos checkout (default: the one this binary was built from).
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

/// A contract language `zkos new` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Rust with zkos-sdk's `#[contract]`.
    Rust,
    /// AssemblyScript with sdk/assemblyscript.
    Assemblyscript,
}

/// The `sdk` folder this binary was built from.
pub fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("sdk")
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), message: e.to_string() }
}

fn write(root: &Path, rel: &str, text: &str) -> Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    std::fs::write(&path, text).map_err(|e| io(&path, e))
}

/// A crate name from the folder name: lowercase letters, digits, `-` and `_`, starting
/// with a letter.
fn crate_name(dir: &Path) -> Result<String> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        return Err(Error::Config(format!(
            "`{name}` is not a usable project name: lowercase letters, digits, `-` and `_`, starting with a letter"
        )));
    }
    Ok(name.to_string())
}

/// Runs `zkos new`.
pub fn main(args: &Args) -> Result<()> {
    let name = crate_name(&args.name)?;
    let sdk = args.sdk.clone().unwrap_or_else(default_sdk);
    let sdk = sdk.canonicalize().map_err(|e| io(&sdk, e))?;
    let needed = match args.lang {
        Lang::Rust => ["rust/Cargo.toml", "rust-test/Cargo.toml"],
        Lang::Assemblyscript => ["assemblyscript/compile.sh", "assemblyscript/assembly/index.ts"],
    };
    for f in needed {
        if !sdk.join(f).is_file() {
            return Err(Error::Config(format!(
                "{}: no {f}: pass the `sdk` folder of a zkos checkout with --sdk",
                sdk.display()
            )));
        }
    }
    let dir = &args.name;
    if dir.exists() && std::fs::read_dir(dir).map_err(|e| io(dir, e))?.next().is_some() {
        return Err(Error::Config(format!("{} exists and is not empty", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    match args.lang {
        Lang::Rust => rust(dir, &name, &sdk)?,
        Lang::Assemblyscript => assemblyscript(dir, &name, &sdk)?,
    }
    println!("Created {} ({:?}) using the SDK in {}", dir.display(), args.lang, sdk.display());
    println!("Next: cd {} && zkos build{}", dir.display(), if args.lang == Lang::Rust { " && cargo test" } else { "" });
    Ok(())
}

fn toml_str(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}

fn rust(dir: &Path, name: &str, sdk: &Path) -> Result<()> {
    let manifest = RUST_MANIFEST
        .replace("{name}", name)
        .replace("{sdk_rust}", &toml_str(&sdk.join("rust")))
        .replace("{sdk_test}", &toml_str(&sdk.join("rust-test")));
    write(dir, "Cargo.toml", &manifest)?;
    let flags: Vec<String> = zkos_test::build::rustflags().split_whitespace().map(|f| format!("{f:?}")).collect();
    write(dir, ".cargo/config.toml", &CARGO_CONFIG.replace("{flags}", &flags.join(", ")))?;
    write(dir, "src/lib.rs", &RUST_LIB.replace("{name}", name))?;
    write(dir, "tests/counter.rs", RUST_TEST)?;
    write(dir, "README.md", &RUST_README.replace("{name}", name))?;
    write(dir, ".gitignore", "/target\n")?;
    // The versions zkos is tested with; cargo drops the entries the project does not use.
    let lock = sdk.join("..").join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, dir.join("Cargo.lock")).map_err(|e| io(&lock, e))?;
    }
    Ok(())
}

fn assemblyscript(dir: &Path, name: &str, sdk: &Path) -> Result<()> {
    let dir_abs = dir.canonicalize().map_err(|e| io(dir, e))?;
    let entry_dir = dir_abs.join("assembly");
    let sdk_index = sdk.join("assemblyscript").join("assembly").join("index");
    let import = relative(&entry_dir, &sdk_index);
    write(dir, "assembly/index.ts", &AS_INDEX.replace(AS_EXAMPLE_IMPORT, &format!("{import:?}")))?;
    write(dir, "README.md", &AS_README.replace("{name}", name))?;
    write(dir, ".gitignore", "/build\n")?;
    Ok(())
}

/// `to` relative to the folder `from` (both absolute), with `/`.
fn relative(from: &Path, to: &Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); f.len() - common];
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

const RUST_MANIFEST: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

# A zkos WASM contract is a cdylib built for wasm32-unknown-unknown (`zkos build`).
[lib]
crate-type = ["cdylib"]

[dependencies]
# bump-alloc and panic-handler apply to wasm32 builds only; native builds (tests) use the
# SDK's mock and std.
zkos-sdk = { path = {sdk_rust}, features = ["bump-alloc", "panic-handler"] }

[dev-dependencies]
# Tests on the real engines (wasmi and RV64IM, compared), typed with alloy's sol!.
zkos-test = { path = {sdk_test} }
alloy-sol-types = "1.7"

# A project of its own, even inside another workspace.
[workspace]

# The contract: small (code size costs gas at deployment) and without unwinding.
[profile.release]
opt-level = "z"
lto = true
panic = "abort"
codegen-units = 1
debug = false
strip = true

# Tests (`cargo test`, the dev profile) run contracts on the engines: optimize those.
[profile.dev.package."*"]
opt-level = 2

# wasmi's interpreter loop needs more stack with debug assertions on.
[profile.dev.package.wasmi]
debug-assertions = false
overflow-checks = false
"#;

const CARGO_CONFIG: &str = r#"# zkos accepts a deterministic WASM subset: the MVP plus sign-ext, mutable-globals and
# bulk-memory (no floats, SIMD or threads); a declared memory maximum (64 pages) and a 64 KiB
# stack. `zkos build` and zkos-test pass these flags themselves; this file makes a plain
# `cargo build --release --target wasm32-unknown-unknown` produce the same module.
[target.wasm32-unknown-unknown]
rustflags = [{flags}]
"#;

const RUST_LIB: &str = r#"//! {name}: a zkos contract written with `#[contract]`: a counter that anyone bumps by at
//! most 1000, logging `Bumped(address indexed by, uint256 count)`.
//!
//! Storage (as solc lays it out): slot 0 `uint256 count`.
#![cfg_attr(target_arch = "wasm32", no_std)]

use zkos_sdk::prelude::*;

sol! {
    event Bumped(address indexed by, uint256 count);
    error TooBig(uint256 by);
}

#[contract]
pub struct Counter {
    #[public]
    count: U256,
}

#[contract]
impl Counter {
    #[constructor]
    pub fn constructor(&mut self, start: U256) {
        self.count.set(start);
    }

    pub fn bump(&mut self, by: U256) -> Result<(), TooBig> {
        if by > U256::from(1000u64) {
            return Err(TooBig { by });
        }
        let count = self.count.get() + by;
        self.count.set(count);
        Bumped { by: msg::sender(), count }.emit();
        Ok(())
    }
}

/// Unit tests on the SDK's mock host (no engine): the dispatcher and the storage.
#[cfg(test)]
mod tests {
    use super::*;
    use zkos_sdk::mock::{self, Outcome};

    fn call(data: Vec<u8>) -> Outcome<()> {
        mock::with_env(|e| e.calldata = data);
        mock::run(|| Counter::__zkos_call())
    }

    #[test]
    fn bump_under_the_mock() {
        mock::reset();
        let mut data = zkos_sdk::selector!("bump(uint256)").to_vec();
        data.extend_from_slice(&U256::from(5u64).to_be_bytes::<32>());
        assert_eq!(call(data.clone()), Outcome::Finished(Vec::new()));
        assert_eq!(call(data), Outcome::Finished(Vec::new()));
        let count = call(zkos_sdk::selector!("count()").to_vec());
        assert_eq!(count, Outcome::Finished(U256::from(10u64).to_be_bytes::<32>().to_vec()));
    }
}
"#;

const RUST_TEST: &str = r#"//! The contract on the real engines: `zkos_test` builds this crate for wasm32 and runs
//! every transaction on wasmi and on the RV64IM engine, comparing them.

use alloy_sol_types::{sol, SolValue};
use zkos_test::proptest::prelude::*;
use zkos_test::{contract_wasm, Address, Vm, ALICE, BOB, U256};

sol! {
    function count() external view returns (uint256);
    function bump(uint256 by) external;
    event Bumped(address indexed by, uint256 count);
    error TooBig(uint256 by);
}

fn deployed(start: u64) -> (Vm, Address) {
    let mut vm = Vm::new();
    let counter = vm.deploy(&contract_wasm!(), &U256::from(start).abi_encode());
    (vm, counter)
}

#[test]
fn bumps_and_logs() {
    let (mut vm, counter) = deployed(5);
    assert_eq!(vm.call(counter, &countCall {}), U256::from(5));
    let out = vm.prank(BOB).send(counter, &bumpCall { by: U256::from(2) }, U256::ZERO);
    out.expect_emit(counter, &Bumped { by: BOB, count: U256::from(7) });
    assert_eq!(vm.storage(counter, U256::ZERO), U256::from(7));
    println!("bump: {} gas", out.gas_used);
}

#[test]
fn rejects_big_steps_and_value() {
    let (mut vm, counter) = deployed(0);
    let by = U256::from(1001);
    vm.send(counter, &bumpCall { by }, U256::ZERO).expect_revert(&TooBig { by });
    // Not payable: value reverts with empty data and stays with the sender.
    let before = vm.balance(ALICE);
    vm.send(counter, &bumpCall { by: U256::from(1) }, U256::from(1)).expect_revert_data(&[]);
    assert_eq!(vm.balance(ALICE), before);
    vm.warp(1_800_000_000);
    assert_eq!(vm.block().1, 1_800_000_000);
}

#[test]
fn any_bumps_add_up() {
    let (base, counter) = deployed(0);
    let config = ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(steps in prop::collection::vec(0u64..=1000, 1..4))| {
        let mut vm = base.clone();
        for by in &steps {
            vm.send(counter, &bumpCall { by: U256::from(*by) }, U256::ZERO).ok();
        }
        prop_assert_eq!(vm.call(counter, &countCall {}), U256::from(steps.iter().sum::<u64>()));
    });
}
"#;

const RUST_README: &str = r#"# {name}

A zkos WASM contract in Rust, written with `zkos_sdk`'s `#[contract]` (`src/lib.rs`).

```sh
zkos build        # builds target/wasm32-unknown-unknown/release/*.wasm and its envelope; prints size, deployment cost, gas bounds
cargo test        # unit tests on the SDK's mock, and tests/counter.rs on wasmi and the RV64IM engine (compared)
```

`zkos build` and the tests build the contract with the flags zkos needs (the deterministic
WASM subset, a 64-page memory maximum, a 64 KiB stack; `.cargo/config.toml` repeats them
for a plain `cargo build --release --target wasm32-unknown-unknown`). Deploy the envelope
`zkos build` wrote with `wasm-deploy` to a node (`zkos node`).

Tests on the engines use `zkos-test`: `Vm::deploy`, `send`/`call` typed with alloy's
`sol!`, `Outcome::expect_revert`, `expect_emit`, `events`, `Vm::warp`, `roll`, `deal`,
`prank`, `storage`, `balance`, and `proptest` for random inputs.
"#;

/// The AssemblyScript counter is the example's (examples/as-counter), its SDK import
/// rewritten to point at the SDK from the new project.
const AS_INDEX: &str = include_str!("../../examples/as-counter/assembly/index.ts");

/// How the example imports the SDK.
const AS_EXAMPLE_IMPORT: &str = "\"../../../sdk/assemblyscript/assembly/index\"";

const AS_README: &str = r#"# {name}

A zkos WASM contract in AssemblyScript (`assembly/index.ts`) on the zkos AssemblyScript SDK.

```sh
zkos build        # compiles build/{name}.wasm (installing the compiler with npm on first use); prints size, deployment cost, gas bounds
```
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assemblyscript_template_imports_the_sdk_where_it_is_rewritten() {
        assert_eq!(AS_INDEX.matches(AS_EXAMPLE_IMPORT).count(), 1);
    }

    #[test]
    fn paths_relative_to_a_folder() {
        assert_eq!(relative(Path::new("/a/b/c"), Path::new("/a/x/y")), "../../x/y");
        assert_eq!(relative(Path::new("/a"), Path::new("/a/x")), "x");
    }

    #[test]
    fn project_names_are_crate_names() {
        assert_eq!(crate_name(Path::new("/tmp/my-counter")).unwrap(), "my-counter");
        assert!(crate_name(Path::new("/tmp/My Counter")).is_err());
        assert!(crate_name(Path::new("/tmp/1st")).is_err());
    }
}
