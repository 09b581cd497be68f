//! `select` on a zero test, on the reference engine and on rv-backend.
//!
//! The `rv_diff` fuzzer found a module on which the two engines disagreed: wasmi 2.0.0 fuses
//! `select` with a condition that compares an `i32` with zero (`i32.eqz x`, `i32.eq x 0`,
//! `i32.ne 0 x`, `i32.eqz (i32.xor 0 x)` …), drops the comparison and then reads its stale
//! result, so it keeps picking the same operand. zkos's wasmi engine gives wasmi the module with
//! every `select`'s condition passed through a local (`wasm_runtime::engine::wasmi_guard`), which
//! wasmi does not fuse; this test runs wasmi on the module so guarded, as the engine does, and
//! rv-backend on the module itself, with the results worked out by hand from the WebAssembly
//! semantics (`select` gives its first operand when the condition is not zero).

use wasm_runtime::engine::rv_instance::{Event, Instance};
use wasmi::{Engine, Linker, Module, Store, Val};

/// The module: `f(x) = body`, the body leaving one `i32`.
fn module(body: &str) -> Vec<u8> {
    wat::parse_str(format!(r#"(module (func (export "f") (param $x i32) (result i32) (local $a i32) {body}))"#))
        .unwrap()
}

fn on_wasmi(wasm: &[u8], x: i32) -> i32 {
    let guarded = wasm_runtime::engine::wasmi_guard::guard_select(wasm).expect("the module has a select");
    let engine = Engine::default();
    let module = Module::new(&engine, &guarded).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(x)], &mut out).unwrap();
    out[0].i32().unwrap()
}

fn on_rv(wasm: &[u8], x: i32) -> i32 {
    let c: &'static rv_backend::Compiled = Box::leak(Box::new(rv_backend::compile(wasm).unwrap()));
    let mut inst = Instance::new(c, Default::default(), &Default::default()).unwrap();
    inst.call(c.exported_func("f").unwrap(), &[u64::from(x as u32)]).unwrap();
    assert_eq!(inst.run(1_000_000), Event::Returned);
    inst.results()[0] as u32 as i32
}

/// Each body with the value it must give for x = 0 and for x = 1 and 5.
const CASES: &[(&str, i32, i32)] = &[
    ("i32.const 1 i32.const 8192 local.get $x i32.eqz select", 1, 8192),
    ("i32.const 1 i32.const 8192 local.get $x i32.const 0 i32.eq select", 1, 8192),
    ("i32.const 1 i32.const 8192 i32.const 0 local.get $x i32.eq select", 1, 8192),
    ("i32.const 1 i32.const 8192 i32.const 0 local.get $x i32.ne select", 8192, 1),
    ("i32.const 1 i32.const 8192 local.get $x i32.const 0 i32.ne i32.eqz select", 1, 8192),
    ("i32.const 1 i32.const 8192 i32.const 0 local.get $x i32.ne i32.eqz select", 1, 8192),
    ("i32.const 1 i32.const 8192 i32.const 7 i32.eqz local.get $x i32.ne i32.eqz select", 1, 8192),
    ("i32.const 1 i32.const 8192 i32.const 0 local.get $x i32.xor i32.eqz select", 1, 8192),
    ("i32.const 1 i32.const 8192 i32.const 0 local.get $x i32.or i32.eqz select", 1, 8192),
    ("(local.set $a (i32.const 1)) local.get $a i32.const 8192 local.get $x i32.eqz select", 1, 8192),
    ("i32.const 1 i32.const 8192 local.get $x select", 8192, 1),
    ("i64.const 1 i64.const 8192 local.get $x i64.extend_i32_u i64.eqz select i32.wrap_i64", 1, 8192),
];

#[test]
fn select_on_a_zero_test_agrees_with_the_semantics() {
    for &(body, at_zero, elsewhere) in CASES {
        let wasm = module(body);
        for x in [0, 1, 5] {
            let want = if x == 0 { at_zero } else { elsewhere };
            assert_eq!(on_wasmi(&wasm, x), want, "wasmi, x = {x}: {body}");
            assert_eq!(on_rv(&wasm, x), want, "rv-backend, x = {x}: {body}");
        }
    }
}

/// The fuzzer's module, reduced: global 4 must end as 2 (wasmi 2.0.0 unguarded gave 0x2002).
#[test]
fn the_fuzzers_case() {
    let body = "i32.const 0 i32.const 8192 i32.const -274715147 i32.eqz local.get $x i32.ne i32.eqz select \
                i32.const 2 i32.or";
    let wasm = module(body);
    assert_eq!(on_wasmi(&wasm, 0), 2);
    assert_eq!(on_rv(&wasm, 0), 2);
}
