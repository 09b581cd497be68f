//! The module contract: imports exactly the host functions the code uses, with host-abi's
//! signatures, from module `zkos`; exports `memory`, `call` (`[] -> []`) and the mutable i64
//! gas global.

mod common;
use common::*;
use host_abi::functions::{HostFn, ValType as Abi};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType};

#[test]
fn add_and_return() {
    let code = Evm::new().pushn(2).pushn(3).op(op::ADD).ret_top().build();
    let r = run(&code, &[], 1_000_000);
    assert_eq!(r.output(), &word(U256::from(5))[..]);
    // PUSH1 PUSH1 ADD PUSH0 MSTORE(+3 memory) PUSH1 PUSH0 RETURN
    assert_eq!(r.used(1_000_000), 3 + 3 + 3 + 2 + 3 + 3 + 3 + 2);
}

/// An import: name, parameter types, result types.
type Import = (String, Vec<ValType>, Vec<ValType>);
/// Imports, exports with kinds, the memory maximum, whether global 0 is a mutable i64.
type Interface = (Vec<Import>, Vec<(String, ExternalKind)>, Option<u64>, bool);

/// The module's interface.
fn interface(wasm: &[u8]) -> Interface {
    let mut types = Vec::new();
    let (mut imports, mut exports, mut max, mut gas_mut_i64) = (Vec::new(), Vec::new(), None, false);
    for p in Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.unwrap();
                    types.push((t.params().to_vec(), t.results().to_vec()));
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    assert_eq!(i.module, host_abi::IMPORT_MODULE);
                    let TypeRef::Func(t) = i.ty else { panic!("non-function import {}", i.name) };
                    let (p, r) = types[t as usize].clone();
                    imports.push((i.name.to_string(), p, r));
                }
            }
            Payload::MemorySection(r) => max = r.into_iter().next().unwrap().unwrap().maximum,
            Payload::GlobalSection(r) => {
                let g = r.into_iter().next().unwrap().unwrap();
                gas_mut_i64 = g.ty.mutable && g.ty.content_type == ValType::I64;
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    exports.push((e.name.to_string(), e.kind));
                }
            }
            _ => {}
        }
    }
    (imports, exports, max, gas_mut_i64)
}

fn abi(t: Abi) -> ValType {
    match t {
        Abi::I32 => ValType::I32,
        Abi::I64 => ValType::I64,
    }
}

#[test]
fn imports_exactly_what_the_code_uses_with_abi_signatures() {
    let cases: Vec<(Vec<u8>, Vec<HostFn>)> = vec![
        (vec![], vec![HostFn::Finish]),
        (vec![op::INVALID], vec![]),
        (Evm::new().op(op::PUSH0).op(op::PUSH0).op(op::REVERT).build(), vec![HostFn::Revert]),
        (
            Evm::new().op(op::PUSH0).op(op::SLOAD).op(op::PUSH0).op(op::SSTORE).op(op::CALLER).op(op::STOP).build(),
            vec![HostFn::Finish, HostFn::StorageLoad, HostFn::StorageStore, HostFn::Caller],
        ),
        (
            Evm::new()
                .op(op::PUSH0)
                .op(op::CALLDATALOAD)
                .op(op::PUSH0)
                .op(op::PUSH0)
                .op(op::PUSH0)
                .op(op::PUSH0)
                .op(op::PUSH0)
                .op(op::GAS)
                .op(op::CALL)
                .op(op::STOP)
                .build(),
            vec![HostFn::Finish, HostFn::CalldataCopy, HostFn::ReturndataSize, HostFn::ReturndataCopy, HostFn::Call],
        ),
        // Unreachable code imports nothing.
        (Evm::new().op(op::STOP).op(op::BALANCE).op(op::LOG0).build(), vec![HostFn::Finish]),
    ];
    for (code, want) in cases {
        let wasm = evm_to_wasm::transpile(&code).unwrap();
        validate(&wasm);
        let (imports, exports, max, gas_mut_i64) = interface(&wasm);
        let mut names: Vec<&str> = imports.iter().map(|(n, _, _)| n.as_str()).collect();
        names.sort_unstable();
        let mut want_names: Vec<&str> = want.iter().map(|f| f.import_name()).collect();
        want_names.sort_unstable();
        assert_eq!(names, want_names, "code {}", hex::encode(&code));
        for (name, params, results) in &imports {
            let f = HostFn::from_import_name(name).unwrap();
            assert_eq!(*params, f.params().iter().map(|p| abi(p.ty)).collect::<Vec<_>>(), "{name}");
            assert_eq!(*results, f.result().map(abi).into_iter().collect::<Vec<_>>(), "{name}");
        }
        let mut exports: Vec<(String, ExternalKind)> = exports;
        exports.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            exports,
            vec![
                (host_abi::GAS_GLOBAL_EXPORT.to_string(), ExternalKind::Global),
                (host_abi::GAS_RESERVE_EXPORT.to_string(), ExternalKind::Global),
                (host_abi::CALL_EXPORT.to_string(), ExternalKind::Func),
                (host_abi::MEMORY_EXPORT.to_string(), ExternalKind::Memory),
            ]
        );
        assert_eq!(max, Some(u64::from(host_abi::limits::MAX_MEMORY_PAGES)));
        assert!(gas_mut_i64);
    }
}

#[test]
fn stop_is_finish_with_empty_output() {
    let r = run(&[op::PUSH1, 7, op::STOP], &[], 100);
    assert_eq!(r.outcome, Outcome::Return(vec![]));
    assert_eq!(r.gas_left, 97);
}
