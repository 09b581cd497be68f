//! The WASM stack budget: canonical frame costs, the injected counter, and that both engines
//! (wasmi with [`wasm_runtime::engine::wasmi::config`], rv-backend with
//! [`wasm_runtime::engine::rv::STACK_SIZE`]) trap at exactly the same call, through the counter and
//! never through a limit of their own, with the same gas.

use host_abi::limits::{WASM_FRAME_OVERHEAD, WASM_SLOT_BYTES, WASM_STACK_BUDGET};
use host_abi::GAS_GLOBAL_EXPORT;
use rv_backend::abi::TrapCode as RvTrap;
use wasm_runtime::engine::rv_instance::{Config, Event, Imports, Instance, Trap};
use wasmi::{Engine, Linker, Module, Store, TrapCode, Val};
use wasmparser::Validator;

use wasm_validator::meter::*;
use wasm_validator::validate::{features, validate};

const GAS: i64 = 1 << 40;
const BUDGET: u64 = WASM_STACK_BUDGET as u64;

fn wasm(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{src}"))
}

fn contract(extra: &str) -> Vec<u8> {
    wasm(&format!(r#"(module (memory (export "memory") 1 1) (func (export "call")) {extra})"#))
}

/// How a call ended on one engine: the `i32`/`i64` results, or a trap (its message).
#[derive(Clone, Debug, PartialEq, Eq)]
enum End {
    Results(Vec<u64>),
    /// The counter (or gas) trapped: `unreachable`.
    Unreachable,
    /// Anything else: an engine limit, which must never be what ends a call.
    Other(String),
}

/// Runs `export(args)` of the metered `src` on wasmi (engine configuration of the reference
/// engine), `times` times on one instance; the ends and the gas used by the last call.
fn on_wasmi(metered: &[u8], export: &str, args: &[i64], times: usize) -> (Vec<End>, i64) {
    let engine = Engine::new(&wasm_runtime::engine::wasmi::config());
    let module = Module::new(&engine, metered).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
    let gas = instance.get_global(&store, GAS_GLOBAL_EXPORT).unwrap();
    let f = instance.get_func(&store, export).unwrap();
    let ty = f.ty(&store);
    let params: Vec<Val> = ty
        .params()
        .iter()
        .zip(args)
        .map(|(t, &a)| match t {
            wasmi::ValType::I32 => Val::I32(a as i32),
            _ => Val::I64(a),
        })
        .collect();
    let mut ends = Vec::new();
    let mut used = 0;
    for _ in 0..times {
        gas.set(&mut store, Val::I64(GAS)).unwrap();
        let mut out: Vec<Val> = ty.results().iter().map(|_| Val::I32(0)).collect();
        let end = match f.call(&mut store, &params, &mut out) {
            Ok(()) => End::Results(
                out.iter()
                    .map(|v| match v {
                        Val::I32(x) => u64::from(*x as u32),
                        Val::I64(x) => *x as u64,
                        other => panic!("result {other:?}"),
                    })
                    .collect(),
            ),
            Err(e) if e.as_trap_code() == Some(TrapCode::UnreachableCodeReached) => End::Unreachable,
            Err(e) => End::Other(format!("{e}")),
        };
        used = GAS - gas.get(&store).i64().unwrap();
        ends.push(end);
    }
    (ends, used)
}

/// [`on_wasmi`] on the RV64IM machine with the provable engine's stack size.
fn on_rv(metered: &[u8], export: &str, args: &[i64], times: usize) -> (Vec<End>, i64) {
    let compiled = rv_backend::compile(metered).unwrap();
    let f = compiled.exported_func(export).unwrap();
    let config = Config { stack_size: wasm_runtime::engine::rv::STACK_SIZE, ..Config::default() };
    let mut inst = Instance::new(&compiled, config, &Imports::default()).unwrap();
    let args: Vec<u64> = args.iter().map(|&a| a as u64).collect();
    let nparams = compiled.func_type(f).unwrap().params.len();
    let mut ends = Vec::new();
    let mut used = 0;
    for _ in 0..times {
        inst.set_gas(GAS);
        inst.call(f, &args[..nparams]).unwrap();
        let end = match inst.run(u64::MAX) {
            Event::Returned => End::Results(inst.results()),
            Event::Trap(Trap::Wasm(RvTrap::Unreachable)) => End::Unreachable,
            other => End::Other(format!("{other:?}")),
        };
        used = GAS - inst.gas();
        ends.push(end);
    }
    (ends, used)
}

/// Meters `src`, runs `export(args)` `times` times on both engines, checks they agree (ends
/// and gas) and returns the ends.
fn both(src: &[u8], export: &str, args: &[i64], times: usize) -> Vec<End> {
    validate(src).unwrap();
    let metered = meter(src).unwrap();
    Validator::new_with_features(features()).validate_all(&metered).unwrap();
    let (a, gas_a) = on_wasmi(&metered, export, args, times);
    let (b, gas_b) = on_rv(&metered, export, args, times);
    assert_eq!(a, b, "{export}({args:?}): wasmi and rv disagree");
    assert_eq!(gas_a, gas_b, "{export}({args:?}): gas differs");
    for end in &a {
        assert!(!matches!(end, End::Other(_)), "{export}({args:?}) ended by an engine limit: {end:?}");
    }
    a
}

/// Frames of the defined functions, by export name.
fn frame_of(src: &[u8], func: usize) -> Frame {
    frames(src).unwrap()[func]
}

/// `rec(n)` recurses `n` deep and returns `n`; the other exports are the same with 100
/// extra `i64` locals and with the deepest frame calling the largest possible frame.
const REC: &str = r#"
    (func $rec (export "rec") (param $n i32) (result i32)
      (if (result i32) (local.get $n)
        (then (i32.add (call $rec (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
        (else (i32.const 0))))
    (func $wide (export "wide") (param $n i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
        i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
      (if (result i32) (local.get $n)
        (then (i32.add (call $wide (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
        (else (i32.const 0))))
    (func $forever (export "forever") (call $forever))"#;

#[test]
fn frame_cost_follows_the_formula() {
    let src = contract(REC);
    // `call`: nothing but the overhead.
    assert_eq!(frame_of(&src, 0), Frame { locals: 0, stack: 0, arity: 0 });
    assert_eq!(frame_of(&src, 0).cost(), u64::from(WASM_FRAME_OVERHEAD));
    // `rec`: one local, two operand slots (`n`, `1`), one argument.
    assert_eq!(frame_of(&src, 1), Frame { locals: 1, stack: 2, arity: 1 });
    assert_eq!(frame_of(&src, 1).cost(), u64::from(4 * WASM_SLOT_BYTES + WASM_FRAME_OVERHEAD));
    assert_eq!(frame_of(&src, 1).cost(), 64);
    assert_eq!(frame_of(&src, 2), Frame { locals: 101, stack: 2, arity: 1 });
    assert_eq!(frame_of(&src, 2).cost(), 8 * 104 + 32);
    // Results count as stack even when no operator leaves them there, and imports do not
    // shift the indices.
    let src = wasm(
        r#"(module (import "zkos" "calldata_size" (func $size (result i32)))
             (func (result i32 i64 i32) (unreachable))
             (func (param i64 i64) (drop (call $size)) (call 1) (drop) (drop) (drop)))"#,
    );
    assert_eq!(
        frames(&src).unwrap(),
        [Frame { locals: 0, stack: 3, arity: 0 }, Frame { locals: 2, stack: 3, arity: 3 }]
    );
}

#[test]
fn recursion_ends_at_the_same_depth_on_both_engines() {
    let src = contract(REC);
    for (export, func) in [("rec", 1), ("wide", 2)] {
        let cost = frame_of(&src, func).cost();
        // `f(n)` runs `n + 1` frames; the budget allows `BUDGET / cost` of them.
        let deepest = i64::try_from(BUDGET / cost).unwrap() - 1;
        // Three times on one instance: the counter is given back on return.
        let ok = both(&src, export, &[deepest], 3);
        assert_eq!(ok, vec![End::Results(vec![deepest as u64]); 3], "{export}");
        assert_eq!(both(&src, export, &[deepest + 1], 1), [End::Unreachable], "{export}");
        if export == "rec" {
            assert_eq!(deepest, 8191);
        } else {
            // Frames with many locals hit the limit proportionally sooner.
            assert_eq!(deepest, i64::try_from(BUDGET / (8 * 104 + 32)).unwrap() - 1);
            assert_eq!(deepest, 605);
        }
    }
    // The cheapest frame possible (the overhead alone), recursing without end: the counter
    // ends it, at 16384 frames, before either engine's own limit.
    assert_eq!(frame_of(&src, 3).cost(), u64::from(WASM_FRAME_OVERHEAD));
    assert_eq!(both(&src, "forever", &[], 2), [End::Unreachable, End::Unreachable]);
}

/// Functions that leave by every route: `return`, `br`, `br_if` and `br_table` to the
/// function's label, the final `end`, with one and with three results; `loop(which)` calls
/// the one for route `which` 40000 times and sums what they return.
const ROUTES: &str = r#"
    (func $ret (param i32) (result i32) (if (local.get 0) (then (return (i32.const 1)))) (i32.const 2))
    (func $br (param i32) (result i32) (br 0 (i32.const 3)))
    (func $br_if (param i32) (result i32) (drop (br_if 0 (i32.const 4) (local.get 0))) (i32.const 5))
    (func $br_table (param i32) (result i32)
      (block (result i32) (br_table 0 1 1 (i32.const 6) (local.get 0))) (drop) (i32.const 7))
    (func $multi (param i32) (result i32 i64 i32)
      (if (local.get 0) (then (return (i32.const 1) (i64.const 2) (i32.const 3))))
      (i32.const 4) (i64.const 5) (i32.const 6))
    (func $multi2 (result i32 i64 i32) (call $multi (i32.const 0)))
    (func (export "loop") (param $which i32) (result i32) (local $i i32) (local $acc i32)
      (loop $next
        (block $out (result i32)
          (block $b5
            (block $b4
              (block $b3
                (block $b2
                  (block $b1
                    (block $b0
                      (br_table $b0 $b1 $b2 $b3 $b4 $b5 (local.get $which)))
                    (br $out (call $ret (i32.and (local.get $i) (i32.const 1)))))
                  (br $out (call $br (local.get $i))))
                (br $out (call $br_if (i32.and (local.get $i) (i32.const 1)))))
              (br $out (call $br_table (i32.and (local.get $i) (i32.const 3)))))
            (call $multi (i32.and (local.get $i) (i32.const 1)))
            (drop)
            (drop)
            (br $out))
          (call $multi2)
          (drop)
          (drop))
        (local.set $acc (i32.add (local.get $acc)))
        (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 40000))))
      (local.get $acc))"#;

#[test]
fn every_way_out_of_a_function_gives_the_frame_back() {
    // 40000 calls × a frame of at least the overhead is far above the budget: a route that
    // kept its frame would trap.
    assert!(40_000 * u64::from(WASM_FRAME_OVERHEAD) > BUDGET);
    let src = contract(ROUTES);
    let sums = [60_000u64, 120_000, 180_000, 7 * 10_000 + 6 * 30_000, 100_000, 160_000];
    for (which, sum) in sums.into_iter().enumerate() {
        let ends = both(&src, "loop", &[which as i64], 2);
        assert_eq!(ends, [End::Results(vec![sum]), End::Results(vec![sum])], "route {which}");
    }
}

/// `(func (export "big") ...)` with an operand stack of `height` slots.
fn big(height: usize) -> String {
    let mut body = String::new();
    for _ in 0..height {
        body.push_str("i32.const 0\n");
    }
    for _ in 0..height {
        body.push_str("drop\n");
    }
    format!("(func $big (export \"big\") {body})")
}

#[test]
fn the_largest_frame_runs_and_a_larger_one_is_rejected() {
    // cost = 8 × height + 32 = the budget exactly.
    let height = ((BUDGET - u64::from(WASM_FRAME_OVERHEAD)) / u64::from(WASM_SLOT_BYTES)) as usize;
    let deep = r#"(func $deep (export "deep") (param $n i32)
        (if (local.get $n) (then (call $deep (i32.sub (local.get $n) (i32.const 1)))) (else (call $big))))"#;
    let src = contract(&format!("{}{deep}", big(height)));
    assert_eq!(frame_of(&src, 1).cost(), BUDGET);
    assert_eq!(both(&src, "big", &[], 2), [End::Results(Vec::new()), End::Results(Vec::new())]);
    // Many frames that fit, then the largest frame, which does not: both engines have room
    // for a full budget of frames plus the frame whose check fails.
    let deep_cost = frame_of(&src, 2).cost();
    assert_eq!(both(&src, "deep", &[(BUDGET / deep_cost) as i64 - 1], 1), [End::Unreachable]);
    assert_eq!(both(&src, "deep", &[0], 1), [End::Unreachable]);

    let src = contract(&big(height + 1));
    let e = meter(&src).unwrap_err();
    assert_eq!(e.kind(), &MeterErrorKind::FrameTooLarge { cost: BUDGET + 8 });
    assert_eq!(e.function(), Some(1));
    assert!(format!("{e}").contains("stack budget"), "{e}");
}

/// A function of `params` parameters, `locals` extra locals and `results` results that
/// calls a function of `callee_params` parameters and `callee_results` results, with an
/// operand stack `extra` deeper than that.
fn shaped(params: usize, locals: usize, results: usize, callee: (usize, usize), extra: usize) -> String {
    let list = |kw: &str, n: usize| if n == 0 { String::new() } else { format!("({kw}{})", " i64".repeat(n)) };
    let mut body = String::new();
    for _ in 0..extra {
        body.push_str("i64.const 1\n");
    }
    for _ in 0..callee.0 {
        body.push_str("i64.const 2\n");
    }
    body.push_str("call $callee\n");
    for _ in 0..callee.1 + extra {
        body.push_str("drop\n");
    }
    for _ in 0..results {
        body.push_str("i64.const 3\n");
    }
    format!("(func {} {} {} {body})", list("param", params), list("result", results), list("local", locals),)
        + &format!("(func $callee {} {} (unreachable))", list("param", callee.0), list("result", callee.1))
}

#[test]
fn compiled_frames_never_exceed_their_canonical_cost() {
    let mut cases = vec![contract(REC), contract(ROUTES)];
    for params in [0, 1, 8, 9, 32] {
        for locals in [0, 3, 11, 12, 13, 40] {
            for results in [0, 1, 8, 9, 32] {
                for callee in [(0, 0), (1, 1), (8, 9), (32, 0), (0, 32)] {
                    for extra in [0, 5, 12, 30] {
                        cases.push(contract(&shaped(params, locals, results, callee, extra)));
                    }
                }
            }
        }
    }
    // Memory growth and bulk operations: the helpers.
    cases.push(contract(
        r#"(func (param i32) (result i32) (memory.fill (i32.const 0) (i32.const 0) (local.get 0))
             (memory.grow (local.get 0)))"#,
    ));
    let mut worst = 0u64;
    for src in &cases {
        validate(src).unwrap();
        let frames = frames(src).unwrap();
        let compiled = rv_backend::compile(&meter(src).unwrap()).unwrap();
        for (k, real) in compiled.frame_sizes.iter().enumerate() {
            match frames.get(k) {
                Some(f) => {
                    assert!(*real <= f.cost(), "function {k}: {real} bytes, canonical {f:?} = {}", f.cost());
                    worst = worst.max(f.cost() - real);
                }
                // Metering's helpers are leaves without a frame.
                None => assert_eq!(*real, 0, "helper {k}"),
            }
        }
        assert!(compiled.frame_sizes.len() >= frames.len());
    }
    assert!(worst > 0);
}

/// The examples' real contracts (Rust and AssemblyScript, built by `examples/build.sh`), if
/// built.
fn example_contracts() -> Vec<Vec<u8>> {
    let dir = format!("{}/../examples/out", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "wasm") {
                out.push(std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

#[test]
fn real_contracts_frames_never_exceed_their_canonical_cost() {
    let examples = example_contracts();
    for src in &examples {
        validate(src).unwrap();
        let frames = frames(src).unwrap();
        let compiled = rv_backend::compile(&meter(src).unwrap()).unwrap();
        for (k, f) in frames.iter().enumerate() {
            assert!(compiled.frame_sizes[k] <= f.cost(), "function {k}: {} > {}", compiled.frame_sizes[k], f.cost());
        }
    }
    std::println!("{} example contracts checked", examples.len());
}

/// The benchmark fixtures: `shared/bench/evm` beside the repository.
const BENCH_EVM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/evm");

/// Every account's code in the benchmark fixtures (`"code": "0x…"` of each JSON file). A
/// missing folder, or one without code, fails the test.
fn bench_evm_codes() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(BENCH_EVM).unwrap_or_else(|e| panic!("the benchmark fixtures {BENCH_EVM}: {e}"));
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (k, part) in text.split("\"code\": \"0x").skip(1).enumerate() {
            let hex = &part[..part.find('"').unwrap()];
            let code: Vec<u8> =
                (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
            if !code.is_empty() {
                out.push((format!("{}#{k}", path.display()), code));
            }
        }
    }
    assert!(!out.is_empty(), "no contract code in the benchmark fixtures {BENCH_EVM}");
    out
}

/// Transpiled EVM code is not metered, so it has no stack counter: its depth must be
/// bounded by construction. Its call graph (the dispatcher, chunks, arithmetic and memory
/// helpers) has no cycle and no `call_indirect`, and along its deepest path the frames cost
/// far less than the budget, so neither engine's limit (set for the budget) can be reached.
#[test]
fn transpiled_evm_has_no_recursion_and_fits_the_budget() {
    let mut codes = bench_evm_codes();
    // Every opcode once (with PUSH data), and the largest code of random bytes (chunked).
    codes.push(("every opcode".into(), (0..=255u8).flat_map(|b| [0x60, 1, 0x60, 2, 0x60, 3, b]).collect()));
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..host_abi::limits::MAX_EVM_CODE_SIZE)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    codes.push(("random".into(), random));
    let (mut worst_cost, mut worst_rv, mut worst_depth) = (0u64, 0u64, 0usize);
    for (name, code) in &codes {
        let wasm = evm_to_wasm::transpile(code).unwrap_or_else(|e| panic!("{name}: {e}"));
        let frames = frames(&wasm).unwrap_or_else(|e| panic!("{name}: {e}"));
        let compiled = rv_backend::compile(&wasm).unwrap();
        let calls = call_graph(&wasm);
        // Longest path by canonical cost, by compiled frame size and by frames, from every
        // function (memoized; a cycle would recurse forever, so mark the functions on the
        // current path and fail on one).
        let n = frames.len();
        let mut memo: Vec<Option<(u64, u64, usize)>> = vec![None; n];
        fn longest(
            f: usize,
            calls: &[Vec<usize>],
            cost: &dyn Fn(usize) -> (u64, u64),
            memo: &mut [Option<(u64, u64, usize)>],
            on_path: &mut [bool],
        ) -> (u64, u64, usize) {
            if let Some(m) = memo[f] {
                return m;
            }
            assert!(!on_path[f], "recursion through function {f}");
            on_path[f] = true;
            let mut best = (0, 0, 0);
            for &g in &calls[f] {
                let (a, b, c) = longest(g, calls, cost, memo, on_path);
                best = (best.0.max(a), best.1.max(b), best.2.max(c));
            }
            on_path[f] = false;
            let (a, b) = cost(f);
            let m = (best.0 + a, best.1 + b, best.2 + 1);
            memo[f] = Some(m);
            m
        }
        let cost = |f: usize| (frames[f].cost(), compiled.frame_sizes[f]);
        let mut on_path = vec![false; n];
        for f in 0..n {
            let (a, b, c) = longest(f, &calls, &cost, &mut memo, &mut on_path);
            worst_cost = worst_cost.max(a);
            worst_rv = worst_rv.max(b);
            worst_depth = worst_depth.max(c);
        }
    }
    std::println!(
        "{} EVM codes: deepest path {worst_depth} frames, {worst_cost} canonical bytes, {worst_rv} bytes of RV64IM stack",
        codes.len()
    );
    assert!(codes.len() > 2);
    assert!(worst_cost <= BUDGET, "{worst_cost}");
    assert!(worst_rv <= wasm_runtime::engine::rv::STACK_SIZE, "{worst_rv}");
    assert!(worst_depth <= wasm_runtime::engine::wasmi::MAX_RECURSION_DEPTH);
}

/// Per defined function, the defined functions it calls directly; fails on `call_indirect`.
fn call_graph(wasm: &[u8]) -> Vec<Vec<usize>> {
    let mut imported = 0usize;
    let mut out = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            wasmparser::Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    if matches!(i.unwrap().ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                let mut calls = Vec::new();
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    match ops.read().unwrap() {
                        wasmparser::Operator::Call { function_index } => {
                            if let Some(g) = (function_index as usize).checked_sub(imported) {
                                calls.push(g);
                            }
                        }
                        wasmparser::Operator::CallIndirect { .. } => panic!("call_indirect in transpiled EVM"),
                        _ => {}
                    }
                }
                out.push(calls);
            }
            _ => {}
        }
    }
    out
}

#[test]
fn several_results_get_a_block_type_of_their_own() {
    use wasmparser::ValType::{I32, I64};
    // No `[] -> [i32 i64]` type exists, and the grow helper's type comes first: the block
    // type is appended after it; `[] -> [i64 i32 i64]` exists already and is reused.
    let src = contract(
        r#"(type $have (func (result i64 i32 i64)))
        (func $two (param i32) (result i32 i64)
          (if (local.get 0) (then (return (memory.grow (i32.const 0)) (i64.const 9))))
          (i32.const 1) (i64.const 2))
        (func $three (type $have) (i64.const 3) (i32.const 4) (i64.const 5))
        (func (export "sum") (param i32) (result i64) (local $a i64)
          (call $two (local.get 0))
          (local.set $a)
          (i64.extend_i32_u)
          (i64.add (local.get $a))
          (call $three)
          (drop)
          (drop)
          (i64.add))"#,
    );
    let types = |wasm: &[u8]| {
        let mut out = Vec::new();
        for p in wasmparser::Parser::new(0).parse_all(wasm) {
            if let wasmparser::Payload::TypeSection(r) = p.unwrap() {
                for g in r {
                    match &g.unwrap().types().next().unwrap().composite_type.inner {
                        wasmparser::CompositeInnerType::Func(f) => {
                            out.push((f.params().to_vec(), f.results().to_vec()))
                        }
                        other => panic!("{other:?}"),
                    }
                }
            }
        }
        out
    };
    let (before, after) = (types(&src), types(&meter(&src).unwrap()));
    assert_eq!(after[..before.len()], before[..]);
    assert_eq!(after[before.len()..], [(vec![I32], vec![I32]), (vec![], vec![I32, I64])]);
    for (arg, sum) in [(0, 1 + 2 + 3u64), (1, 1 + 9 + 3)] {
        assert_eq!(both(&src, "sum", &[arg], 2), vec![End::Results(vec![sum]); 2]);
    }
}
