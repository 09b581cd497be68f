//! Elision changes no outcome: the same status, output and gas left as unelided metering,
//! at every gas limit that matters (enough, exactly enough, one short, and many values
//! below), on hand-written contracts, the example contracts and random contracts; and it
//! does remove checks.

use crate::testkit::{calldata, random_contract, run, Rng};

const GAS: u64 = 1_000_000_000;

/// Runs `wasm` with `cd` elided and unelided at many gas limits and compares everything.
/// Returns the number of runs compared.
fn same_everywhere(name: &str, wasm: &[u8], cd: &[u8], rng: &mut Rng) -> usize {
    let full = run(wasm, cd, GAS, false);
    let used = GAS - full.gas_left;
    let mut limits: Vec<u64> = vec![GAS, used, used.saturating_sub(1), used / 2, 0, 1, 10];
    for _ in 0..12 {
        limits.push(rng.below(used.max(1) + 1));
    }
    for &gas in &limits {
        let a = run(wasm, cd, gas, false);
        let b = run(wasm, cd, gas, true);
        assert_eq!(
            (a.status, &a.output, a.gas_left),
            (b.status, &b.output, b.gas_left),
            "{name}: gas {gas} (full run used {used}): unelided {:?}, elided {:?}",
            a.error,
            b.error
        );
    }
    limits.len()
}

fn wat(src: &str) -> Vec<u8> {
    let w = wat::parse_str(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    wasm_validator::validate::validate(&w).unwrap_or_else(|e| panic!("{e}\n{src}"));
    w
}

const HAND: &[&str] = &[
    // Straight line, a host call, a loop with a constant trip count, one over calldata.
    r#"(module
        (import "zkos" "calldata_size" (func $size (result i32)))
        (import "zkos" "storage_load" (func $sload (param i32 i32)))
        (import "zkos" "finish" (func $finish (param i32 i32)))
        (memory (export "memory") 1 1)
        (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
          (block $done (loop $l
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
          (local.get $s))
        (func (export "call") (local $k i32)
          (loop $l
            (i32.store (i32.mul (local.get $k) (i32.const 4)) (local.get $k))
            (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 20))))
          (call $sload (i32.const 0) (i32.const 32))
          (i32.store (i32.const 0) (call $sum (call $size)))
          (i32.store (i32.const 4) (call $sum (i32.const 300)))
          (call $finish (i32.const 0) (i32.const 8))))"#,
    // A loop with no bound (data-dependent), recursion, and an indirect call.
    r#"(module
        (import "zkos" "calldata_size" (func $size (result i32)))
        (import "zkos" "finish" (func $finish (param i32 i32)))
        (memory (export "memory") 1 1)
        (type $t (func (param i32) (result i32)))
        (table 2 2 funcref)
        (elem (i32.const 0) $fib $twice)
        (func $fib (type $t)
          (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
            (then (local.get 0))
            (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                           (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
        (func $twice (type $t) (i32.mul (local.get 0) (i32.const 2)))
        (func (export "call") (local $x i32)
          (local.set $x (i32.add (call $size) (i32.const 3)))
          (block $done (loop $l
            (br_if $done (i32.eqz (local.get $x)))
            (local.set $x (i32.shr_u (local.get $x) (i32.const 1)))
            (br $l)))
          (i32.store (i32.const 0) (call_indirect (type $t) (i32.const 15) (i32.and (call $size) (i32.const 1))))
          (call $finish (i32.const 0) (i32.const 4))))"#,
    // Early exits from nested loops, a memory.grow and a fill.
    r#"(module
        (import "zkos" "calldata_size" (func $size (result i32)))
        (memory (export "memory") 1 3)
        (func (export "call") (local $i i32) (local $j i32)
          (drop (memory.grow (i32.const 1)))
          (memory.fill (i32.const 0) (i32.const 7) (call $size))
          (block $out (loop $li
            (local.set $j (i32.const 0))
            (loop $lj
              (br_if $out (i32.eq (i32.add (local.get $i) (local.get $j)) (i32.const 9)))
              (br_if $lj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 4))))
            (br_if $li (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 5)))))))"#,
];

#[test]
fn hand_written_contracts_behave_the_same() {
    let mut rng = Rng::new(1);
    let mut runs = 0;
    for (k, src) in HAND.iter().enumerate() {
        let w = wat(src);
        for len in [0usize, 1, 9, 64] {
            let cd = calldata(&mut rng, len);
            runs += same_everywhere(&format!("hand {k}"), &w, &cd, &mut rng);
        }
    }
    assert!(runs >= HAND.len() * 4 * 19);
}

#[test]
fn random_contracts_behave_the_same() {
    let mut rng = Rng::new(0xe11de);
    let mut elided = 0;
    for case in 0..40 {
        let src = random_contract(&mut rng);
        let w = wat(&src);
        let plan = wasm_validator::bounds::elide::plan(&w).unwrap();
        if plan.stats.checks_after < plan.stats.checks_before {
            elided += 1;
        }
        for len in [0usize, 7, 40] {
            let cd = calldata(&mut rng, len);
            same_everywhere(&format!("random case {case}:\n{src}"), &w, &cd, &mut rng);
        }
    }
    assert!(elided >= 35, "elision applied to only {elided} of 40 random contracts");
}

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../examples/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

fn selector(sig: &str) -> Vec<u8> {
    wasm_runtime::primitives::keccak256(sig.as_bytes())[..4].to_vec()
}

fn with_words(sig: &str, words: &[u64]) -> Vec<u8> {
    let mut out = selector(sig);
    for w in words {
        out.extend_from_slice(&wasm_runtime::primitives::U256::from(*w).to_be_bytes::<32>());
    }
    out
}

#[test]
fn example_contracts_behave_the_same() {
    let mut rng = Rng::new(7);
    let cases: &[(&str, Vec<Vec<u8>>)] = &[
        ("counter", vec![with_words("increment()", &[]), with_words("get()", &[]), Vec::new()]),
        ("as-counter", vec![with_words("increment()", &[]), with_words("get()", &[])]),
        (
            "erc20",
            vec![
                with_words("totalSupply()", &[]),
                with_words("balanceOf(address)", &[0xA1]),
                with_words("transfer(address,uint256)", &[0xB0, 5]),
                with_words("name()", &[]),
            ],
        ),
        ("caller", vec![with_words("nothing()", &[]), Vec::new()]),
    ];
    let mut total = 0;
    for (name, inputs) in cases {
        let w = example(name);
        wasm_validator::validate::validate(&w).unwrap();
        let plan = wasm_validator::bounds::elide::plan(&w).unwrap();
        assert!(plan.stats.checks_after < plan.stats.checks_before, "{name}: nothing elided ({:?})", plan.stats);
        for cd in inputs {
            total += same_everywhere(name, &w, cd, &mut rng);
        }
    }
    assert!(total > 100);
}

#[test]
fn elision_removes_checks_and_instructions() {
    let w = wat(HAND[0]);
    let plan = wasm_validator::bounds::elide::plan(&w).unwrap();
    let s = &plan.stats;
    assert!(s.checks_after < s.checks_before, "{s:?}");
    let plain = wasm_validator::meter::meter(&w).unwrap();
    let elided = wasm_validator::meter_with(&w, wasm_validator::Options { elide: true }).unwrap();
    assert!(elided.len() < plain.len());
    // Executed instructions, counted by wasmi's fuel on the same run.
    let fuel = |wasm: &[u8]| -> u64 {
        let mut config = wasmi::Config::default();
        config.consume_fuel(true);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, wasm).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        let mut linker = wasmi::Linker::<()>::new(&engine);
        linker.func_wrap("zkos", "calldata_size", || 100i32).unwrap();
        linker.func_wrap("zkos", "storage_load", |_: i32, _: i32| {}).unwrap();
        linker.func_wrap("zkos", "finish", |_: i32, _: i32| {}).unwrap();
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        let g = instance.get_global(&store, host_abi::GAS_GLOBAL_EXPORT).unwrap();
        g.set(&mut store, wasmi::Val::I64(1 << 40)).unwrap();
        store.set_fuel(u64::MAX).unwrap();
        let f = instance.get_typed_func::<(), ()>(&store, "call").unwrap();
        f.call(&mut store, ()).unwrap();
        u64::MAX - store.get_fuel().unwrap()
    };
    let (a, b) = (fuel(&plain), fuel(&elided));
    assert!(b < a, "elided {b} >= unelided {a}");
}

/// Runs export `call` of a metered module compiled by rv-backend on the RV64IM machine, with
/// a minimal host (calldata, zero storage, `finish`/`revert` end the call): instructions
/// executed and the gas left.
fn rv_run(metered: &[u8], calldata: &[u8]) -> (u64, i64) {
    use host_abi::functions::HostFn;
    use wasm_runtime::engine::rv_instance::{Event, Instance};
    let compiled = rv_backend::compile(metered).unwrap_or_else(|e| panic!("{e}"));
    let f = compiled.exported_func("call").unwrap();
    let mut inst = Instance::new(&compiled, Default::default(), &Default::default()).unwrap();
    inst.set_gas(1 << 40);
    inst.call(f, &[]).unwrap();
    loop {
        match inst.run(u64::MAX) {
            Event::Returned => break,
            Event::Host(n) => {
                let a = inst.host_args();
                let arg = |i: usize| usize::try_from(a[i] & 0xffff_ffff).unwrap_or(0);
                match HostFn::from_number(n) {
                    Some(HostFn::CalldataSize) => inst.set_host_result(calldata.len() as u64),
                    Some(HostFn::CalldataCopy) => {
                        let (dest, off, len) = (arg(0), arg(1), arg(2));
                        let mem = inst.memory_mut();
                        for i in 0..len {
                            if let Some(b) = mem.get_mut(dest + i) {
                                *b = calldata.get(off + i).copied().unwrap_or(0);
                            }
                        }
                        inst.set_host_result(0);
                    }
                    Some(HostFn::StorageLoad | HostFn::CallValue | HostFn::Caller) => {
                        let out = if n == HostFn::StorageLoad.number() { arg(1) } else { arg(0) };
                        let mem = inst.memory_mut();
                        for i in 0..32 {
                            if let Some(b) = mem.get_mut(out + i) {
                                *b = 0;
                            }
                        }
                        inst.set_host_result(0);
                    }
                    Some(HostFn::Finish | HostFn::Revert) => break,
                    _ => inst.set_host_result(0),
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    (inst.instret(), inst.gas())
}

/// Runs export `call` of a metered module on wasmi with fuel metering and the same
/// minimal host as [`rv_run`]: fuel consumed (about one unit per instruction) and gas left.
fn wasmi_run(metered: &[u8], calldata: &[u8]) -> (u64, i64) {
    use host_abi::functions::HostFn;
    use wasmi::{Caller, Engine, Extern, Func, Module, Store, Val};
    let mut config = wasmi::Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, metered).unwrap();
    let mut store = Store::new(&engine, calldata.to_vec());
    let mut imports: Vec<Extern> = Vec::new();
    for import in module.imports() {
        let f = HostFn::from_import_name(import.name()).unwrap();
        let ty = import.ty().func().unwrap().clone();
        let func =
            Func::new(&mut store, ty, move |mut caller: Caller<'_, Vec<u8>>, args: &[Val], results: &mut [Val]| {
                let arg = |i: usize| match args.get(i) {
                    Some(Val::I32(x)) => *x as u32 as usize,
                    _ => 0,
                };
                let mem = caller.get_export("memory").and_then(Extern::into_memory).unwrap();
                match f {
                    HostFn::Finish | HostFn::Revert => return Err(wasmi::Error::new("end")),
                    HostFn::CalldataSize => {
                        let n = caller.data().len() as i32;
                        results[0] = Val::I32(n);
                        return Ok(());
                    }
                    HostFn::CalldataCopy => {
                        let cd = caller.data().clone();
                        let (dest, off, len) = (arg(0), arg(1), arg(2));
                        let data = mem.data_mut(&mut caller);
                        for i in 0..len {
                            if let Some(b) = data.get_mut(dest + i) {
                                *b = cd.get(off + i).copied().unwrap_or(0);
                            }
                        }
                    }
                    HostFn::StorageLoad | HostFn::CallValue | HostFn::Caller => {
                        let out = if f == HostFn::StorageLoad { arg(1) } else { arg(0) };
                        let data = mem.data_mut(&mut caller);
                        for i in 0..32 {
                            if let Some(b) = data.get_mut(out + i) {
                                *b = 0;
                            }
                        }
                    }
                    _ => {}
                }
                for r in results.iter_mut() {
                    *r = match r {
                        Val::I64(_) => Val::I64(0),
                        _ => Val::I32(0),
                    };
                }
                Ok(())
            });
        imports.push(func.into());
    }
    let instance = wasmi::Instance::new(&mut store, &module, &imports).unwrap();
    let g = instance.get_global(&store, host_abi::GAS_GLOBAL_EXPORT).unwrap();
    g.set(&mut store, Val::I64(1 << 40)).unwrap();
    store.set_fuel(u64::MAX).unwrap();
    let f = instance.get_typed_func::<(), ()>(&store, "call").unwrap();
    let _ = f.call(&mut store, ());
    let gas = match g.get(&store) {
        Val::I64(v) => v,
        _ => 0,
    };
    (u64::MAX - store.get_fuel().unwrap(), gas)
}

/// Executed instructions with and without elision, on wasmi (fuel) and on the RV64IM
/// machine (rv-backend): the same gas on both engines; fewer wasmi instructions; on RV64IM
/// about the same count, because rv-backend already defers every per-block check to
/// backward branches, `memory.grow` and bulk operations when it compiles.
#[test]
fn instructions_saved() {
    let mut cases: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
    for (k, src) in HAND.iter().enumerate() {
        cases.push((format!("hand {k}"), wat(src), vec![7u8; 100]));
    }
    let mut rng = Rng::new(0x5a7e);
    for case in 0..20 {
        cases.push((format!("random {case}"), wat(&random_contract(&mut rng)), calldata(&mut rng, 40)));
    }
    for (name, cd) in [
        ("erc20", with_words("balanceOf(address)", &[0xA1])),
        ("erc20", with_words("name()", &[])),
        ("counter", with_words("get()", &[])),
    ] {
        cases.push((String::from(name), example(name), cd));
    }
    let (mut wa, mut wb, mut ra, mut rb) = (0u64, 0u64, 0u64, 0u64);
    for (name, w, cd) in &cases {
        let plain = wasm_validator::meter::meter(w).unwrap();
        let elided = wasm_validator::meter_with(w, wasm_validator::Options { elide: true }).unwrap();
        let ((fa, ga), (fb, gb)) = (wasmi_run(&plain, cd), wasmi_run(&elided, cd));
        let ((ia, ha), (ib, hb)) = (rv_run(&plain, cd), rv_run(&elided, cd));
        assert_eq!((ga, ha), (gb, hb), "{name}: gas differs");
        assert_eq!(ga, ha, "{name}: wasmi and RV64IM disagree on gas");
        assert!(fb <= fa, "{name}: elided used more wasmi fuel ({fb} > {fa})");
        assert!(ib <= ia, "{name}: elided ran more RV64IM instructions ({ib} > {ia})");
        std::println!(
            "{name}: wasmi {fa} -> {fb} ({:.1}% fewer); RV64IM {ia} -> {ib} ({:.2}% fewer); gas {}",
            100.0 * (fa - fb) as f64 / fa as f64,
            100.0 * (ia - ib) as f64 / ia as f64,
            (1i64 << 40) - ga
        );
        (wa, wb, ra, rb) = (wa + fa, wb + fb, ra + ia, rb + ib);
    }
    std::println!(
        "total: wasmi {wa} -> {wb} ({:.1}% fewer); RV64IM {ra} -> {rb} ({:.2}% fewer)",
        100.0 * (wa - wb) as f64 / wa as f64,
        100.0 * (ra - rb) as f64 / ra as f64
    );
    assert!(wb < wa);
}
