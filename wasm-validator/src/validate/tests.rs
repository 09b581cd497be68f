//! One test per rule: a module that breaks exactly that rule, with the location checked.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ops::Range;

use host_abi::functions::HostFn;
use host_abi::limits;

use super::*;

fn wasm(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{src}"))
}

/// A valid module (memory and `call` = function 0) with `extra` module fields after them.
fn base(extra: &str) -> Vec<u8> {
    wasm(&format!(r#"(module (memory (export "memory") 1 1) (func (export "call")) {extra})"#))
}

fn rejects(wasm: &[u8], rule: Rule) -> ValidationError {
    let e = validate(wasm).unwrap_err();
    assert_eq!(e.rule(), rule, "{e}");
    assert!(e.to_string().contains(&format!("(rule {})", rule.name())), "{e}");
    e
}

/// Reads an unsigned LEB128 at `pos`: the value and the position after it.
fn leb(bytes: &[u8], mut pos: usize) -> (u32, usize) {
    let (mut value, mut shift) = (0u32, 0);
    loop {
        let b = bytes[pos];
        pos += 1;
        value |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return (value, pos);
        }
        shift += 7;
    }
}

/// The contents of the first section with `id`, found by walking the section headers.
fn section(wasm: &[u8], id: u8) -> Range<usize> {
    let mut pos = 8;
    while pos < wasm.len() {
        let (size, start) = leb(wasm, pos + 1);
        let end = start + size as usize;
        if wasm[pos] == id {
            return start..end;
        }
        pos = end;
    }
    panic!("no section {id}");
}

/// The error is inside function `func` at an operator whose first byte is `opcode`.
fn at_op(e: &ValidationError, wasm: &[u8], func: u32, opcode: u8) {
    assert_eq!(e.function(), Some(func), "{e}");
    assert_eq!(wasm[e.offset()], opcode, "{e}");
    assert!(section(wasm, 10).contains(&e.offset()), "{e}");
}

/// The error is outside functions, inside section `id`.
fn in_section(e: &ValidationError, wasm: &[u8], id: u8) {
    assert_eq!(e.function(), None, "{e}");
    assert!(section(wasm, id).contains(&e.offset()), "{e} not in section {id}");
}

#[test]
fn valid_module_and_its_info() {
    let w = wasm(
        r#"(module
            (import "zkos" "caller" (func $caller (param i32)))
            (import "zkos" "gas_left" (func $gas (result i64)))
            (import "zkos" "storage_store" (func $sstore (param i32 i32)))
            (memory (export "memory") 2 16)
            (table 3 3 funcref)
            (global $g (mut i64) (i64.const 0))
            (global i32 (i32.const 7))
            (elem (i32.const 0) func $call $deploy $helper)
            (data (i32.const 0) "abc")
            (data "passive")
            (func $call (export "call") (call $caller (i32.const 0)) (global.set $g (call $gas)))
            (func $deploy (export "deploy") (call $sstore (i32.const 0) (i32.const 32)))
            (func $helper (param i32) (result i32) (local i64 i64)
                (block (result i32) (i32.add (local.get 0) (i32.const 1))))
            (export "g" (global $g)))"#,
    );
    let info = validate(&w).unwrap();
    assert_eq!(info.imports, [HostFn::Caller, HostFn::GasLeft, HostFn::StorageStore]);
    assert_eq!(info.imported_functions(), 3);
    assert_eq!(info.functions, 3);
    assert_eq!(info.function_count(), 6);
    assert_eq!(info.types, 5, "deploy and call share a type");
    assert_eq!(info.globals, 2);
    assert_eq!(info.memory, Limits { initial: 2, maximum: 16 });
    assert_eq!(info.table, Some(Limits { initial: 3, maximum: 3 }));
    assert_eq!(info.element_segments, 1);
    assert_eq!(info.data_segments, 2);
    assert_eq!((info.call, info.deploy, info.has_deploy), (3, Some(4), true));
    let names: Vec<_> = info.exports.iter().map(|e| (e.name.as_str(), e.kind, e.index)).collect();
    assert_eq!(
        names,
        [
            ("memory", ExportKind::Memory, 0),
            ("call", ExportKind::Func, 3),
            ("deploy", ExportKind::Func, 4),
            ("g", ExportKind::Global, 0)
        ]
    );
    assert_eq!(info.export("g").map(|e| e.index), Some(0));
    assert_eq!(info.code_size, w.len());
    assert_eq!(info.validation_gas(), w.len() as u64 * host_abi::gas::VALIDATE_BYTE);

    let minimal = validate(&base("")).unwrap();
    assert_eq!((minimal.deploy, minimal.has_deploy, minimal.table), (None, false, None));
}

#[test]
fn display_names_rule_function_and_offset() {
    let w = base("(func (param f32)) (func (drop (f32.add (f32.const 1) (f32.const 2))))");
    // The type section comes first: the f32 parameter is found before the instruction.
    let e = rejects(&w, Rule::NoFloats);
    in_section(&e, &w, 1);
    let w = base("(func (drop (i32.const 1)) (drop (f32.add (f32.const 1) (f32.const 2))))");
    let e = rejects(&w, Rule::NoFloats);
    at_op(&e, &w, 1, 0x43); // f32.const
    assert_eq!(
        e.to_string(),
        format!(
            "validation failed: float instruction f32.const is not allowed (rule no-floats) \
             at function 1, byte offset {:#x}",
            e.offset()
        )
    );
}

/// Names come from the module and may hold any character: an error stays one line (found by
/// the wasm_validate fuzz target, which requires one-line errors).
#[test]
fn names_with_line_breaks_print_on_one_line() {
    for (extra, rule) in [
        (r#"(export "__zkos\n\r\1b" (func 0))"#, Rule::ReservedName),
        (r#"(import "zkos" "no\nsuch" (func))"#, Rule::ImportUnknown),
        (r#"(import "en\nv" "f" (func))"#, Rule::ImportModule),
    ] {
        let w = if extra.starts_with("(import") {
            wasm(&format!(r#"(module {extra} (memory (export "memory") 1 1) (func (export "call")))"#))
        } else {
            base(extra)
        };
        let e = validate(&w).unwrap_err();
        let shown = e.to_string();
        assert!(!shown.contains(|c: char| c.is_control()), "{shown:?}");
        assert_eq!(e.rule(), rule, "{shown}");
        assert!(shown.contains("\\n"), "the line break is shown escaped: {shown:?}");
    }
}

#[test]
fn rule_names_are_unique() {
    for (i, a) in Rule::ALL.iter().enumerate() {
        assert!(!a.description().is_empty());
        for b in &Rule::ALL[i + 1..] {
            assert_ne!(a.name(), b.name());
        }
    }
}

#[test]
fn malformed() {
    let e = rejects(b"\0asm\x01\0\0\0\x01\x05", Rule::Malformed);
    assert_eq!(e.function(), None);
    rejects(b"not wasm at all", Rule::Malformed);
    rejects(b"", Rule::Malformed);
    // A body with an unknown opcode 0xff.
    let mut w = base("(func (nop))");
    let nop = w.iter().rposition(|&b| b == 0x01).unwrap();
    w[nop] = 0xff;
    let e = rejects(&w, Rule::Malformed);
    assert_eq!((e.function(), e.offset()), (Some(1), nop));
}

#[test]
fn not_a_module() {
    let e = rejects(b"\0asm\x0d\0\x01\0", Rule::NotAModule);
    assert_eq!(e.offset(), 0);
}

#[test]
fn invalid() {
    let w = base("(func (result i32) (i64.const 1))");
    let e = rejects(&w, Rule::Invalid);
    assert_eq!(e.function(), Some(1));
    assert!(section(&w, 10).contains(&e.offset()));
    rejects(&base("(func (call 7))"), Rule::Invalid);
}

#[test]
fn code_size() {
    let data = "x".repeat(limits::MAX_WASM_CODE_SIZE);
    let e = rejects(&base(&format!(r#"(data (i32.const 0) "{data}")"#)), Rule::CodeTooLarge);
    assert_eq!(e.offset(), limits::MAX_WASM_CODE_SIZE);
}

#[test]
fn no_floats() {
    // An instruction.
    let w = base("(func (result i32) (i32.const 1) (i32.const 2) (i32.add) (f64.const 0) (drop))");
    at_op(&rejects(&w, Rule::NoFloats), &w, 1, 0x44);
    // A conversion from an integer, in a third function.
    let w = base("(func) (func (drop (f32.convert_i32_s (i32.const 1))))");
    at_op(&rejects(&w, Rule::NoFloats), &w, 2, 0xb2);
    // A reinterpretation (the first float operator is reported; saturating truncations are
    // covered by the class table's tests).
    let w = base("(func (param i32) (drop (i32.trunc_sat_f32_s (f32.reinterpret_i32 (local.get 0)))))");
    at_op(&rejects(&w, Rule::NoFloats), &w, 1, 0xbe);
    // A type.
    let w = base("(func (param i32) (result f64) (f64.const 0))");
    in_section(&rejects(&w, Rule::NoFloats), &w, 1);
    // A local.
    let w = base("(func (local f32))");
    let e = rejects(&w, Rule::NoFloats);
    assert_eq!(e.function(), Some(1));
    assert_eq!(w[e.offset()], 1, "the local declaration's count");
    // A global.
    let w = base("(global f64 (f64.const 1))");
    in_section(&rejects(&w, Rule::NoFloats), &w, 6);
    // A block type.
    let w = base("(func (drop (block (result f32) (unreachable))))");
    at_op(&rejects(&w, Rule::NoFloats), &w, 1, 0x02);
}

#[test]
fn no_simd() {
    let w = base("(func (drop (i32x4.splat (i32.const 1))))");
    at_op(&rejects(&w, Rule::NoSimd), &w, 1, 0xfd);
    let w = base("(func (local v128))");
    assert_eq!(rejects(&w, Rule::NoSimd).function(), Some(1));
}

#[test]
fn no_threads() {
    let w = wasm(r#"(module (memory (export "memory") 1 1 shared) (func (export "call")))"#);
    in_section(&rejects(&w, Rule::NoThreads), &w, 5);
    let w = base("(func (drop (i32.atomic.load (i32.const 0))))");
    at_op(&rejects(&w, Rule::NoThreads), &w, 1, 0xfe);
}

#[test]
fn no_tail_calls() {
    let w = base("(func (return_call 0))");
    at_op(&rejects(&w, Rule::NoTailCalls), &w, 1, 0x12);
}

#[test]
fn no_exceptions() {
    let w = base("(tag $t)");
    in_section(&rejects(&w, Rule::NoExceptions), &w, 13);
    let w = base("(tag $t) (func (throw $t))");
    rejects(&w, Rule::NoExceptions);
}

#[test]
fn no_reference_types() {
    let w = base("(func (drop (ref.null func)))");
    at_op(&rejects(&w, Rule::NoReferenceTypes), &w, 1, 0xd0);
    let w = base("(table 1 1 funcref) (func (drop (table.size 0)))");
    at_op(&rejects(&w, Rule::NoReferenceTypes), &w, 1, 0xfc);
    let w = base("(table 1 1 externref)");
    in_section(&rejects(&w, Rule::NoReferenceTypes), &w, 4);
    let w = base("(func (param externref))");
    in_section(&rejects(&w, Rule::NoReferenceTypes), &w, 1);
    let w = base("(elem declare func 0)");
    in_section(&rejects(&w, Rule::NoReferenceTypes), &w, 9);
    let w = base("(table 1 1 funcref) (elem (i32.const 0) funcref (ref.func 0))");
    in_section(&rejects(&w, Rule::NoReferenceTypes), &w, 9);
}

#[test]
fn no_gc() {
    let w = base("(type (struct (field i32)))");
    in_section(&rejects(&w, Rule::NoGc), &w, 1);
    let w = base("(rec (type (func)) (type (func)))");
    in_section(&rejects(&w, Rule::NoGc), &w, 1);
    let w = base("(func (drop (ref.i31 (i32.const 0))))");
    at_op(&rejects(&w, Rule::NoGc), &w, 1, 0xfb);
}

#[test]
fn no_memory64() {
    let w = wasm(r#"(module (memory (export "memory") i64 1 1) (func (export "call")))"#);
    in_section(&rejects(&w, Rule::NoMemory64), &w, 5);
}

#[test]
fn unsupported_feature() {
    let w = base("(func (memory.discard (i32.const 0) (i32.const 0)))");
    at_op(&rejects(&w, Rule::UnsupportedFeature), &w, 1, 0xfc);
    let w = wasm(r#"(module (memory (export "memory") 1 1 (pagesize 1)) (func (export "call")))"#);
    in_section(&rejects(&w, Rule::UnsupportedFeature), &w, 5);
}

/// The wide-arithmetic proposal is in the subset: all four operators validate, and their
/// class is the same everywhere (validation, metering, bounds).
#[test]
fn wide_arithmetic() {
    let w = base(
        r#"(func (export "wide") (param i64 i64 i64 i64) (result i64 i64 i64 i64 i64 i64 i64 i64)
            (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))
            (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))
            (i64.mul_wide_s (local.get 0) (local.get 1))
            (i64.mul_wide_u (local.get 2) (local.get 3)))"#,
    );
    let info = validate(&w).unwrap();
    assert!(info.exports.iter().any(|e| e.name == "wide"));
    // A wrong arity is still invalid.
    let w = base("(func (param i64) (result i64 i64) (i64.mul_wide_u (local.get 0)))");
    rejects(&w, Rule::Invalid);
    let w = base("(func (param i32 i64) (result i64 i64) (i64.mul_wide_s (local.get 0) (local.get 1)))");
    rejects(&w, Rule::Invalid);
}

#[test]
fn no_multi_memory() {
    let w = base("(memory 1 1)");
    in_section(&rejects(&w, Rule::NoMultiMemory), &w, 5);
}

#[test]
fn memory_required() {
    let w = wasm(r#"(module (func (export "call")))"#);
    let e = rejects(&w, Rule::MemoryRequired);
    assert_eq!((e.function(), e.offset()), (None, w.len()));
}

#[test]
fn memory_maximum() {
    let w = wasm(r#"(module (memory (export "memory") 1) (func (export "call")))"#);
    let e = rejects(&w, Rule::MemoryMaximumRequired);
    in_section(&e, &w, 5);
    assert_eq!(w[e.offset()], 0x00, "limits flag without maximum");
}

#[test]
fn memory_size() {
    let max = limits::MAX_MEMORY_PAGES;
    let at = |initial: u32, maximum: u32| {
        wasm(&format!(r#"(module (memory (export "memory") {initial} {maximum}) (func (export "call")))"#))
    };
    assert!(validate(&at(max, max)).is_ok());
    let w = at(1, max + 1);
    in_section(&rejects(&w, Rule::MemoryTooLarge), &w, 5);
    rejects(&at(max + 1, max + 1), Rule::MemoryTooLarge);
}

#[test]
fn table_count() {
    let w = base("(table 1 1 funcref) (table 1 1 funcref)");
    let e = rejects(&w, Rule::TooManyTables);
    in_section(&e, &w, 4);
    assert!(e.offset() > section(&w, 4).start + 1, "at the second table");
}

#[test]
fn table_maximum() {
    let w = base("(table 1 funcref)");
    in_section(&rejects(&w, Rule::TableMaximumRequired), &w, 4);
}

#[test]
fn table_size() {
    let max = limits::MAX_TABLE_SIZE;
    assert!(validate(&base(&format!("(table {max} {max} funcref)"))).is_ok());
    let w = base(&format!("(table 1 {} funcref)", max + 1));
    in_section(&rejects(&w, Rule::TableTooLarge), &w, 4);
}

#[test]
fn function_count() {
    let n = limits::MAX_FUNCTIONS as usize;
    assert!(validate(&base(&"(func)".repeat(n - 1))).is_ok());
    let w = base(&"(func)".repeat(n));
    in_section(&rejects(&w, Rule::TooManyFunctions), &w, 3);
    // Imports count too.
    let w = wasm(&format!(
        r#"(module (import "zkos" "address" (func (param i32))) (memory (export "memory") 1 1)
            (func (export "call")) {})"#,
        "(func)".repeat(n - 1)
    ));
    rejects(&w, Rule::TooManyFunctions);
}

#[test]
fn global_count() {
    let n = limits::MAX_GLOBALS as usize;
    let globals = |k: usize| "(global i32 (i32.const 0))".repeat(k);
    assert!(validate(&base(&globals(n))).is_ok());
    let w = base(&globals(n + 1));
    in_section(&rejects(&w, Rule::TooManyGlobals), &w, 6);
}

#[test]
fn local_count() {
    let n = limits::MAX_LOCALS as usize;
    let locals = |k: usize| "i64 ".repeat(k);
    assert!(validate(&base(&format!("(func (param i32) (local {}))", locals(n - 1)))).is_ok());
    let w = base(&format!("(func (param i32) (local {}))", locals(n)));
    let e = rejects(&w, Rule::TooManyLocals);
    assert_eq!(e.function(), Some(1));
    assert!(section(&w, 10).contains(&e.offset()));
}

#[test]
fn nesting() {
    let n = limits::MAX_NESTING as usize;
    let nested = |k: usize| format!("(func {}{})", "(block ".repeat(k), ")".repeat(k));
    assert!(validate(&base(&nested(n))).is_ok());
    let w = base(&nested(n + 1));
    let e = rejects(&w, Rule::NestingTooDeep);
    at_op(&e, &w, 1, 0x02);
    // The innermost block: n + 1 block opcodes (0x02 0x40) from the body's first one.
    let first = (section(&w, 10).start..).find(|&i| w[i] == 0x02 && w[i + 1] == 0x40).unwrap();
    assert_eq!(e.offset(), first + 2 * n);
    // Loops and ifs count too.
    let mixed = format!("(func {}{})", "(loop (if (i32.const 1) (then ".repeat(n / 2 + 1), ")))".repeat(n / 2 + 1));
    rejects(&base(&mixed), Rule::NestingTooDeep);
}

#[test]
fn function_size() {
    // The module-size limit is not above the body limit, so an oversized body is reported
    // as `code-size` by `validate`; the body rule is checked directly on a large body.
    let size = limits::MAX_FUNCTION_SIZE as usize;
    let w = base(&format!("(func {})", "(nop)".repeat(size)));
    assert_eq!(rejects(&w, Rule::CodeTooLarge).offset(), limits::MAX_WASM_CODE_SIZE);
    let body = wasmparser::Parser::new(0)
        .parse_all(&w)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::CodeSectionEntry(body) => Some(body),
            _ => None,
        })
        .nth(1)
        .unwrap();
    let e = super::body::check_body(&body, 0).unwrap_err();
    assert_eq!(e.rule(), Rule::FunctionTooLarge);
    assert_eq!(e.offset() as u64, body.range().start);
    let small = base("(func (nop))");
    let body = wasmparser::Parser::new(0)
        .parse_all(&small)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::CodeSectionEntry(body) => Some(body),
            _ => None,
        })
        .nth(1)
        .unwrap();
    assert!(super::body::check_body(&body, 0).is_ok());
}

#[test]
fn type_arity() {
    let n = limits::MAX_TYPE_ARITY as usize;
    assert!(validate(&base(&format!("(type (func (param {})))", "i32 ".repeat(n)))).is_ok());
    let w = base(&format!("(type (func (param {})))", "i32 ".repeat(n + 1)));
    in_section(&rejects(&w, Rule::TypeArity), &w, 1);
    let w = base(&format!("(type (func (result {})))", "i64 ".repeat(n + 1)));
    rejects(&w, Rule::TypeArity);
}

fn with_import(import: &str) -> Vec<u8> {
    wasm(&format!(r#"(module {import} (memory (export "memory") 1 1) (func (export "call")))"#))
}

#[test]
fn import_kind() {
    let w = with_import(r#"(import "zkos" "m" (memory 1 1))"#);
    in_section(&rejects(&w, Rule::ImportKind), &w, 2);
    let w = with_import(r#"(import "zkos" "caller" (global i32))"#);
    rejects(&w, Rule::ImportKind);
}

#[test]
fn import_module() {
    let w = with_import(r#"(import "env" "caller" (func (param i32)))"#);
    in_section(&rejects(&w, Rule::ImportModule), &w, 2);
}

#[test]
fn import_unknown() {
    let w = with_import(r#"(import "zkos" "launch_missiles" (func))"#);
    in_section(&rejects(&w, Rule::ImportUnknown), &w, 2);
    // Linux system calls are for native contracts only.
    let w = with_import(r#"(import "zkos" "exit" (func (param i64)))"#);
    rejects(&w, Rule::ImportUnknown);
}

#[test]
fn import_signature() {
    let w = with_import(r#"(import "zkos" "caller" (func (param i64)))"#);
    in_section(&rejects(&w, Rule::ImportSignature), &w, 2);
    rejects(&with_import(r#"(import "zkos" "gas_left" (func (result i32)))"#), Rule::ImportSignature);
    rejects(&with_import(r#"(import "zkos" "gas_left" (func))"#), Rule::ImportSignature);
    assert!(validate(&with_import(r#"(import "zkos" "gas_left" (func (result i64)))"#)).is_ok());
}

#[test]
fn no_start() {
    let w = base("(start 0)");
    in_section(&rejects(&w, Rule::StartFunction), &w, 8);
}

#[test]
fn memory_export() {
    let w = wasm(r#"(module (memory 1 1) (func (export "call")))"#);
    in_section(&rejects(&w, Rule::MissingMemoryExport), &w, 7);
    let w = wasm(r#"(module (memory 1 1) (func (export "call")) (export "memory" (func 0)))"#);
    in_section(&rejects(&w, Rule::MissingMemoryExport), &w, 7);
}

#[test]
fn call_export() {
    let w = wasm(r#"(module (memory (export "memory") 1 1) (func (export "deploy")))"#);
    in_section(&rejects(&w, Rule::MissingCallExport), &w, 7);
    let w = wasm(r#"(module (memory (export "memory") 1 1) (global (export "call") i32 (i32.const 0)))"#);
    in_section(&rejects(&w, Rule::MissingCallExport), &w, 7);
}

#[test]
fn call_signature() {
    let w = wasm(r#"(module (memory (export "memory") 1 1) (func (export "call") (param i32)))"#);
    in_section(&rejects(&w, Rule::CallSignature), &w, 7);
    let w = wasm(r#"(module (memory (export "memory") 1 1) (func (export "call") (result i32) (i32.const 0)))"#);
    rejects(&w, Rule::CallSignature);
}

#[test]
fn deploy_signature() {
    let w = base(r#"(func (export "deploy") (result i32) (i32.const 0))"#);
    in_section(&rejects(&w, Rule::DeploySignature), &w, 7);
    let w = base(r#"(export "deploy" (memory 0))"#);
    rejects(&w, Rule::DeploySignature);
}

#[test]
fn reserved_name() {
    let w = base(r#"(global (export "__zkos_gas") (mut i64) (i64.const 0))"#);
    in_section(&rejects(&w, Rule::ReservedName), &w, 7);
    let w = base(r#"(func (export "__zkos_anything"))"#);
    rejects(&w, Rule::ReservedName);
    let w = base(r#"(global $__zkos_gas (mut i64) (i64.const 0))"#);
    let e = rejects(&w, Rule::ReservedName);
    assert_eq!(e.function(), None);
    assert!(e.detail().contains("__zkos_gas"), "{e}");
    // Other names are fine.
    assert!(validate(&base(r#"(global $zkos (mut i64) (i64.const 0)) (func (export "zkos"))"#)).is_ok());
}

/// A small deterministic generator for the robustness tests.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_and_garbage_inputs_are_errors() {
    let w = base(
        r#"(global $g (mut i32) (i32.const 0))
           (func $f (param i32) (result i32) (local i64)
             (block (loop (br_if 1 (i32.eqz (local.get 0))) (br 0))) (local.get 0))
           (data (i32.const 0) "hello")"#,
    );
    assert!(validate(&w).is_ok());
    // Cutting a module between sections leaves a shorter module, which may be valid (here:
    // without the data section); a cut anywhere else is an error.
    let mut boundaries = Vec::new();
    let mut pos = 8;
    while pos < w.len() {
        boundaries.push(pos);
        let (size, start) = leb(&w, pos + 1);
        pos = start + size as usize;
    }
    for len in 0..w.len() {
        match validate(&w[..len]) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(_) => assert!(boundaries.contains(&len), "a module cut at {len} validated"),
        }
    }
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for round in 0..2000 {
        let mut bytes: Vec<u8> =
            if round % 2 == 0 { (0..rng.next() % 64).map(|_| rng.next() as u8).collect() } else { w.clone() };
        if round % 2 == 0 {
            bytes.splice(0..0, *b"\0asm\x01\0\0\0");
        } else {
            for _ in 0..1 + rng.next() % 4 {
                let i = (rng.next() as usize) % bytes.len();
                bytes[i] = rng.next() as u8;
            }
        }
        // Never a panic; the result may be Ok for a harmless mutation.
        let _ = validate(&bytes).map_err(|e| String::from(e.detail()));
    }
}
