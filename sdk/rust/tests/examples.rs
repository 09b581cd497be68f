//! Checks the built example contracts (`examples/out/*.wasm`, made by `examples/build.sh`,
//! Rust and AssemblyScript) and the AssemblyScript SDK's bindings module
//! (`sdk/assemblyscript/build/bindings.wasm`, made by the same script):
//! every import is a `zkos` host function with exactly host-abi's signature, the module is
//! in the deterministic subset (no floats, SIMD, threads, reference types; one memory with
//! a maximum of at most 512 pages; no start function), and the exports are right.
//!
//! The `.wasm` files are not built by this test: run `examples/build.sh` first. Missing or
//! stale files fail the test with that instruction.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use host_abi::functions::{HostFn, ValType};
use host_abi::limits;
use wasmparser::{CompositeInnerType, ExternalKind, FuncType, Parser, Payload, TypeRef, Validator, WasmFeatures};

/// (example, exports `deploy`)
const EXAMPLES: &[(&str, bool)] =
    &[("counter", true), ("erc20", true), ("caller", false), ("abi-probe", true), ("as-counter", true)];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples_dir() -> PathBuf {
    repo().join("examples")
}

fn newest_source(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return newest;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == "node_modules" || n == "target") {
            continue;
        }
        let t = if p.is_dir() {
            newest_source(&p)
        } else if p.extension().is_some_and(|x| x == "rs" || x == "toml" || x == "ts") {
            e.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH)
        } else {
            SystemTime::UNIX_EPOCH
        };
        newest = newest.max(t);
    }
    newest
}

/// A built module, failing if it is missing or older than its sources.
fn load_built(path: &Path, sources: &[PathBuf]) -> Vec<u8> {
    let built = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: run examples/build.sh before this test", path.display()));
    let newest = sources.iter().map(|d| newest_source(d)).max().unwrap_or(SystemTime::UNIX_EPOCH);
    assert!(
        newest <= built,
        "{} is older than its sources (or the SDK's): run examples/build.sh again",
        path.display()
    );
    std::fs::read(path).unwrap()
}

fn load(name: &str) -> Vec<u8> {
    let path = examples_dir().join("out").join(format!("{name}.wasm"));
    let sdk =
        if name.starts_with("as-") { repo().join("sdk/assemblyscript/assembly") } else { repo().join("sdk/rust/src") };
    load_built(&path, &[examples_dir().join(name), sdk])
}

/// The features the zkos validator accepts: integer-only extensions, no floats.
fn deterministic_features() -> WasmFeatures {
    WasmFeatures::GC_TYPES
        | WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::MULTI_VALUE
}

fn val(t: ValType) -> wasmparser::ValType {
    match t {
        ValType::I32 => wasmparser::ValType::I32,
        ValType::I64 => wasmparser::ValType::I64,
    }
}

fn expected_type(f: HostFn) -> (Vec<wasmparser::ValType>, Vec<wasmparser::ValType>) {
    let params = f.params().iter().map(|p| val(p.ty)).collect();
    let results = f.result().map(val).into_iter().collect();
    (params, results)
}

struct Module {
    /// Imported functions: (module, name, type).
    imports: Vec<(String, String, FuncType)>,
    /// Exports: (name, kind, index).
    exports: Vec<(String, ExternalKind, u32)>,
    /// All function types by function index (imports first).
    funcs: Vec<FuncType>,
}

fn check_module(name: &str, bytes: &[u8]) -> Module {
    Validator::new_with_features(deterministic_features())
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("{name}.wasm is outside the deterministic subset: {e}"));

    let mut types = Vec::new();
    let mut module = Module { imports: Vec::new(), exports: Vec::new(), funcs: Vec::new() };
    let mut memories = 0;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.unwrap() {
            Payload::TypeSection(r) => {
                for rg in r {
                    for st in rg.unwrap().into_types() {
                        match st.composite_type.inner {
                            CompositeInnerType::Func(f) => types.push(f),
                            other => panic!("{name}: non-function type {other:?}"),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.unwrap();
                    let TypeRef::Func(ti) = imp.ty else {
                        panic!("{name}: import {}.{} is not a function", imp.module, imp.name)
                    };
                    let ty = types[ti as usize].clone();
                    module.funcs.push(ty.clone());
                    module.imports.push((imp.module.to_string(), imp.name.to_string(), ty));
                }
            }
            Payload::FunctionSection(r) => {
                for ti in r {
                    module.funcs.push(types[ti.unwrap() as usize].clone());
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.unwrap();
                    memories += 1;
                    let max = m.maximum.unwrap_or_else(|| panic!("{name}: memory has no maximum"));
                    assert!(
                        max <= u64::from(limits::MAX_MEMORY_PAGES),
                        "{name}: memory maximum {max} pages exceeds {}",
                        limits::MAX_MEMORY_PAGES
                    );
                    assert!(!m.shared && !m.memory64, "{name}: shared or 64-bit memory");
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t.unwrap().ty;
                    let max = t.maximum.unwrap_or_else(|| panic!("{name}: table has no maximum"));
                    assert!(max <= u64::from(limits::MAX_TABLE_SIZE), "{name}: table max {max}");
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    module.exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            Payload::StartSection { .. } => panic!("{name}: has a start function"),
            _ => {}
        }
    }
    assert_eq!(memories, 1, "{name}: exactly one memory");
    module
}

fn check_imports(name: &str, m: &Module) {
    for (module, field, ty) in &m.imports {
        assert_eq!(module, host_abi::IMPORT_MODULE, "{name}: import {module}.{field}");
        let f = HostFn::from_import_name(field)
            .unwrap_or_else(|| panic!("{name}: import zkos.{field} is not a host function"));
        assert!(f.importable(), "{name}: zkos.{field} is not importable by WASM");
        let (params, results) = expected_type(f);
        assert_eq!(ty.params(), &params[..], "{name}: parameters of zkos.{field}");
        assert_eq!(ty.results(), &results[..], "{name}: results of zkos.{field}");
    }
}

fn check_exports(name: &str, m: &Module, has_deploy: bool) {
    let export = |n: &str| m.exports.iter().find(|(e, _, _)| e == n);
    let mem = export(host_abi::MEMORY_EXPORT).unwrap_or_else(|| panic!("{name}: no memory export"));
    assert_eq!(mem.1, ExternalKind::Memory);
    let mut entries = vec![host_abi::CALL_EXPORT];
    if has_deploy {
        entries.push(host_abi::DEPLOY_EXPORT);
    } else {
        assert!(export(host_abi::DEPLOY_EXPORT).is_none(), "{name}: unexpected deploy export");
    }
    for entry in entries {
        let (_, kind, idx) = export(entry).unwrap_or_else(|| panic!("{name}: no `{entry}` export"));
        assert_eq!(*kind, ExternalKind::Func, "{name}: `{entry}` is not a function");
        assert!(*idx as usize >= m.imports.len(), "{name}: `{entry}` export is an import");
        let ty = &m.funcs[*idx as usize];
        assert!(ty.params().is_empty() && ty.results().is_empty(), "{name}: `{entry}` is not [] -> []");
    }
}

#[test]
fn examples_import_only_host_abi_functions_with_exact_signatures() {
    for &(name, has_deploy) in EXAMPLES {
        let bytes = load(name);
        let m = check_module(name, &bytes);
        check_imports(name, &m);
        check_exports(name, &m, has_deploy);
        assert!(!m.imports.is_empty(), "{name}: imports nothing");
        println!("{name}.wasm: {} bytes, {} imports", bytes.len(), m.imports.len());
    }
}

/// `abi-probe` references every binding through `sys::dispatch`: its import section must
/// hold every importable host function, so every binding's compiled signature is checked.
#[test]
fn every_binding_compiles_to_its_host_abi_signature() {
    let bytes = load("abi-probe");
    let m = check_module("abi-probe", &bytes);
    check_imports("abi-probe", &m);
    for f in HostFn::ALL.iter().filter(|f| f.importable()) {
        assert!(
            m.imports.iter().any(|(_, n, _)| n == f.import_name()),
            "abi-probe does not import zkos.{}",
            f.import_name()
        );
    }
    let importable = HostFn::ALL.iter().filter(|f| f.importable()).count();
    assert_eq!(m.imports.len(), importable, "abi-probe imports a function twice");
}

/// `sdk/assemblyscript/test/bindings.ts` references every AssemblyScript binding: each
/// compiles to exactly host-abi's signature, and none is missing.
#[test]
fn every_as_binding_compiles_to_its_host_abi_signature() {
    let sdk = repo().join("sdk/assemblyscript");
    let bytes = load_built(&sdk.join("build/bindings.wasm"), &[sdk.join("assembly"), sdk.join("test")]);
    let m = check_module("as-bindings", &bytes);
    check_imports("as-bindings", &m);
    for f in HostFn::ALL.iter().filter(|f| f.importable()) {
        assert!(
            m.imports.iter().any(|(_, n, _)| n == f.import_name()),
            "the AssemblyScript bindings do not import zkos.{}",
            f.import_name()
        );
    }
    let importable = HostFn::ALL.iter().filter(|f| f.importable()).count();
    assert_eq!(m.imports.len(), importable);
}

/// The checks above can fail: a module with a float instruction, one with a wrongly typed
/// import and one with an unbounded memory are rejected.
#[test]
fn checks_reject_bad_modules() {
    let float = wat::parse_str(
        r#"(module (memory (export "memory") 1 1)
             (func (export "call") (drop (f32.const 1.0))))"#,
    )
    .unwrap();
    let r = std::panic::catch_unwind(|| check_module("float", &float));
    assert!(r.is_err(), "a float instruction passed");

    let wrong_sig = wat::parse_str(
        r#"(module (import "zkos" "storage_load" (func (param i32 i64)))
             (memory (export "memory") 1 1) (func (export "call")))"#,
    )
    .unwrap();
    let m = check_module("wrong", &wrong_sig);
    let r = std::panic::catch_unwind(|| check_imports("wrong", &m));
    assert!(r.is_err(), "a wrongly typed import passed");

    let unbounded = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "call")))"#).unwrap();
    let r = std::panic::catch_unwind(|| check_module("unbounded", &unbounded));
    assert!(r.is_err(), "an unbounded memory passed");
}
