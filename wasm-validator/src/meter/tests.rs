//! Metering tests: exact charges, out of gas, run-time charges, and that metering changes
//! nothing else, checked by running original and metered modules on wasmi.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use host_abi::gas::{OpClass, BULK_BYTE_DIVISOR, DECLARED_LOCAL, MEMORY_GROW_PAGE};
use host_abi::GAS_GLOBAL_EXPORT;
use wasmi::{Engine, Instance, Linker, Module, Store, TrapCode, Val};
use wasmparser::{Parser, Payload, Validator};

use super::*;
use crate::flow::{basic_blocks, Entry};
use crate::validate::{features, validate, Rule};

use OpClass::*;

fn w(class: OpClass) -> i64 {
    class.weight() as i64
}

fn wasm(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap_or_else(|e| panic!("bad test WAT: {e}\n{src}"))
}

/// A contract (memory 1..4 pages and an empty `call`) with `extra` fields.
fn contract(extra: &str) -> Vec<u8> {
    wasm(&format!(r#"(module (memory (export "memory") 1 4) (func (export "call")) {extra})"#))
}

/// A module instance on wasmi.
struct Run {
    store: Store<()>,
    instance: Instance,
}

impl Run {
    fn new(wasm: &[u8]) -> Self {
        let mut config = wasmi::Config::default();
        config.wasm_wide_arithmetic(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
        Self { store, instance }
    }

    /// Validates, meters and instantiates.
    fn metered(src: &[u8]) -> Self {
        validate(src).unwrap();
        Self::new(&meter(src).unwrap())
    }

    fn gas(&self) -> i64 {
        let g = self.instance.get_global(&self.store, GAS_GLOBAL_EXPORT).unwrap();
        match g.get(&self.store) {
            Val::I64(v) => v,
            other => panic!("gas global holds {other:?}"),
        }
    }

    fn set_gas(&mut self, gas: i64) {
        let g = self.instance.get_global(&self.store, GAS_GLOBAL_EXPORT).unwrap();
        g.set(&mut self.store, Val::I64(gas)).unwrap();
    }

    /// Calls `name` with `args`; returns the results or the trap code.
    fn call(&mut self, name: &str, args: &[Val], results: usize) -> Result<Vec<Val>, TrapCode> {
        let f = self.instance.get_func(&self.store, name).unwrap();
        let mut out = vec![Val::I32(0); results];
        f.call(&mut self.store, args, &mut out)
            .map_err(|e| e.as_trap_code().unwrap_or_else(|| panic!("not a trap: {e}")))?;
        Ok(out)
    }

    /// Calls with `gas` set; returns the result (if one) or the trap, and the gas used.
    fn charge(&mut self, name: &str, args: &[Val], gas: i64) -> (Result<Option<i64>, TrapCode>, i64) {
        self.set_gas(gas);
        let f = self.instance.get_func(&self.store, name).unwrap();
        let results = f.ty(&self.store).results().len();
        let r = self.call(name, args, results).map(|v| v.first().map(int));
        (r, gas - self.gas())
    }

    fn memory(&self) -> &[u8] {
        self.instance.get_memory(&self.store, "memory").unwrap().data(&self.store)
    }
}

fn int(v: &Val) -> i64 {
    match v {
        Val::I32(x) => i64::from(*x),
        Val::I64(x) => *x,
        other => panic!("not an integer: {other:?}"),
    }
}

const GAS: i64 = 1_000_000_000;

#[test]
fn straight_line_charges_the_sum_of_weights() {
    let src = contract(
        r#"(global $g (mut i64) (i64.const 5))
           (func (export "f") (param i64) (result i64)
             (i64.store (i32.const 8) (i64.rotl (local.get 0) (i64.const 3)))
             (global.set $g (i64.div_u (i64.load (i32.const 8)) (i64.clz (i64.const 1))))
             (i64.add (i64.mul (global.get $g) (i64.const 3)) (i64.extend_i32_u (memory.size))))"#,
    );
    let expected = 2 * w(Memory) + w(Rotate) + w(Div) + w(BitCount) + w(Mul) + 2 * w(Alu) + w(Query) + 8 * w(Move);
    let mut run = Run::metered(&src);
    let (result, used) = run.charge("f", &[Val::I64(5)], GAS);
    assert_eq!(used, expected);
    let v = (5i64.rotate_left(3) as u64 / 63) as i64;
    assert_eq!(result, Ok(Some(v * 3 + 1)));
    // The empty `call` costs nothing and has no check.
    assert_eq!(run.charge("call", &[], 0), (Ok(None), 0));
}

/// The wide-arithmetic operators weigh [`OpClass::Rotate`] each and compute the same
/// results metered.
#[test]
fn wide_arithmetic_charges_its_class() {
    let src = contract(
        r#"(func (export "f") (param i64 i64) (result i64)
             (i64.add128 (local.get 0) (local.get 1) (local.get 1) (local.get 0))
             (i64.sub128 (local.get 1) (local.get 0))
             (i64.mul_wide_u (local.get 0) (local.get 1))
             (i64.xor)
             (i64.mul_wide_s (local.get 0) (local.get 1))
             (i64.xor)
             (i64.xor)
             (i64.xor)
             (i64.xor))"#,
    );
    let expected = 4 * w(Rotate) + 5 * w(Alu) + 10 * w(Move);
    let mut run = Run::metered(&src);
    let (a, b) = (-3i64, i64::MAX);
    let (result, used) = run.charge("f", &[Val::I64(a), Val::I64(b)], GAS);
    assert_eq!(used, expected);
    let sum =
        ((a as u64 as u128) | ((b as u64 as u128) << 64)).wrapping_add((b as u64 as u128) | ((a as u64 as u128) << 64));
    let (lo, hi) = (sum as u64, (sum >> 64) as u64);
    let diff = ((hi as u128) << 64 | lo as u128).wrapping_sub((a as u64 as u128) << 64 | b as u64 as u128);
    let pu = (a as u64 as u128) * (b as u64 as u128);
    let ps = (i128::from(a) * i128::from(b)) as u128;
    let want = diff as u64 ^ (diff >> 64) as u64 ^ (pu as u64 ^ (pu >> 64) as u64) ^ (ps as u64 ^ (ps >> 64) as u64);
    assert_eq!(result, Ok(Some(want as i64)));
}

/// `$n` iterations of a counting loop; see the weights below.
const COUNT: &str = r#"(func (export "count") (param $n i32) (result i32) (local $i i32)
    (local.set $i (i32.const 0))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))"#;

#[test]
fn loop_charges_iterations_times_body_plus_the_rest() {
    // The entry block also pays for the declared local `$i`.
    let header = 2 * w(Move) + DECLARED_LOCAL as i64;
    let body = 5 * w(Move) + 2 * w(Alu) + w(Branch);
    let tail = w(Move);
    let mut run = Run::metered(&contract(COUNT));
    for n in [1, 2, 10, 1000] {
        let (result, used) = run.charge("count", &[Val::I32(n)], GAS);
        assert_eq!(result, Ok(Some(i64::from(n))));
        assert_eq!(used, header + i64::from(n) * body + tail, "n = {n}");
    }
}

/// A function's declared locals (not its parameters) are paid in its entry block, once per
/// call, however often its loops run.
#[test]
fn declared_locals_are_paid_on_entry_once_per_call() {
    let src = contract(
        r#"(func (export "wide") (param $n i32) (param i64) (result i32) (local i64 i64 i64) (local $i i32)
            (loop $l
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i))"#,
    );
    let locals = 4 * DECLARED_LOCAL as i64;
    let body = 5 * w(Move) + 2 * w(Alu) + w(Branch);
    let mut run = Run::metered(&src);
    for n in [1, 3, 50] {
        let (result, used) = run.charge("wide", &[Val::I32(n), Val::I64(0)], GAS);
        assert_eq!(result, Ok(Some(i64::from(n))));
        assert_eq!(used, locals + i64::from(n) * body + w(Move), "n = {n}");
    }
    // Without the locals' price the entry block traps.
    let exact = locals + body + w(Move);
    assert_eq!(run.charge("wide", &[Val::I32(1), Val::I64(0)], exact).0, Ok(Some(1)));
    assert!(run.charge("wide", &[Val::I32(1), Val::I64(0)], locals - 1).0.is_err());
}

#[test]
fn out_of_gas_traps_with_a_negative_global() {
    let mut run = Run::metered(&contract(COUNT));
    let cost = 2 * w(Move) + DECLARED_LOCAL as i64 + 10 * (5 * w(Move) + 2 * w(Alu) + w(Branch)) + w(Move);
    // Exactly enough gas: succeeds with 0 left.
    assert_eq!(run.charge("count", &[Val::I32(10)], cost), (Ok(Some(10)), cost));
    assert_eq!(run.gas(), 0);
    // One less: traps in the last block, with the global negative.
    let (result, _) = run.charge("count", &[Val::I32(10)], cost - 1);
    assert_eq!(result, Err(TrapCode::UnreachableCodeReached));
    assert_eq!(run.gas(), -1, "the last block (cost {}) overdraws by one", w(Move));
    // No gas at all: the entry block traps.
    assert_eq!(run.charge("count", &[Val::I32(10)], 0).0, Err(TrapCode::UnreachableCodeReached));
    assert!(run.gas() < 0);
}

#[test]
fn an_infinite_loop_stops_at_its_gas_limit() {
    let mut run = Run::metered(&contract(r#"(func (export "spin") (loop (br 0)))"#));
    // Kept small: wasmi without its `portable-dispatch` feature grows the native stack per
    // executed instruction in unoptimized builds (see the report to the lead).
    let limit = 2_000;
    let (result, used) = run.charge("spin", &[], limit);
    assert_eq!(result, Err(TrapCode::UnreachableCodeReached));
    assert!(run.gas() < 0);
    assert_eq!(used, limit + 1, "each iteration costs one branch; the last one overdraws");
}

#[test]
fn memory_grow_charges_per_page() {
    let src = contract(r#"(func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))"#);
    let base = w(Move) + w(MemoryGrow);
    let page = MEMORY_GROW_PAGE as i64;
    let mut run = Run::metered(&src);
    assert_eq!(run.charge("grow", &[Val::I32(2)], GAS), (Ok(Some(1)), base + 2 * page));
    assert_eq!(run.charge("grow", &[Val::I32(0)], GAS), (Ok(Some(3)), base));
    // A grow that fails (past the maximum) is charged for what it asked.
    assert_eq!(run.charge("grow", &[Val::I32(100)], GAS), (Ok(Some(-1)), base + 100 * page));
    // Pages are unsigned: -1 asks for 2^32 - 1 pages.
    let (result, used) = run.charge("grow", &[Val::I32(-1)], 1 << 50);
    assert_eq!((result, used), (Ok(Some(-1)), base + 0xffff_ffff * page));
    // Not enough gas for the pages: trap before growing.
    let (result, _) = run.charge("grow", &[Val::I32(1)], base + page - 1);
    assert_eq!(result, Err(TrapCode::UnreachableCodeReached));
    assert_eq!(run.gas(), -1);
    assert_eq!(run.memory().len(), 3 * 65536, "the memory did not grow");
}

#[test]
fn bulk_operations_charge_per_byte() {
    let src = contract(
        r#"(table 4 4 funcref)
           (elem $e func 0 0 0)
           (data $d "hello, world")
           (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
           (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
           (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
           (func (export "tinit") (param i32 i32 i32) (table.init $e (local.get 0) (local.get 1) (local.get 2)))
           (func (export "tcopy") (param i32 i32 i32) (table.copy (local.get 0) (local.get 1) (local.get 2)))"#,
    );
    let base = 3 * w(Move) + w(Bulk);
    let per = |len: i64| (len + BULK_BYTE_DIVISOR as i64 - 1) / BULK_BYTE_DIVISOR as i64;
    let args = |a: i32, b: i32, c: i32| [Val::I32(a), Val::I32(b), Val::I32(c)];
    let mut run = Run::metered(&src);
    assert_eq!(run.charge("fill", &args(100, 7, 100), GAS), (Ok(None), base + per(100)));
    assert_eq!(&run.memory()[100..200], &[7u8; 100][..]);
    assert_eq!(run.charge("fill", &args(0, 1, 0), GAS), (Ok(None), base));
    assert_eq!(run.charge("copy", &args(300, 100, 17), GAS), (Ok(None), base + per(17)));
    assert_eq!(&run.memory()[300..317], &[7u8; 17][..]);
    assert_eq!(run.charge("init", &args(400, 7, 5), GAS), (Ok(None), base + per(5)));
    assert_eq!(&run.memory()[400..405], b"world");
    assert_eq!(run.charge("tinit", &args(0, 0, 3), GAS), (Ok(None), base + per(3)));
    assert_eq!(run.charge("tcopy", &args(1, 0, 3), GAS), (Ok(None), base + per(3)));
    // Charged before the operation, so also when it then traps out of bounds.
    let (result, used) = run.charge("fill", &args(0, 0, 1 << 30), GAS);
    assert_eq!(result, Err(TrapCode::MemoryOutOfBounds));
    assert_eq!(used, base + per(1 << 30));
    // Not enough gas for the length: trap before writing anything.
    let (result, _) = run.charge("fill", &args(1000, 9, 64), base + per(64) - 1);
    assert_eq!(result, Err(TrapCode::UnreachableCodeReached));
    assert_eq!(&run.memory()[1000..1064], &[0u8; 64][..]);
}

const FIB: &str = r#"
    (type $unary (func (param i32) (result i32)))
    (table 1 1 funcref)
    (elem (i32.const 0) func $fib)
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "fib_indirect") (param i32) (result i32)
      (call_indirect (type $unary) (local.get 0) (i32.const 0)))
    (func (export "sum") (param $len i32) (result i64) (local $i i32) (local $acc i64)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (local.set $acc (i64.add (local.get $acc) (i64.load8_u (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (local.get $acc))
    (func (export "fill") (param $len i32) (local $i i32)
      (loop $next
        (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 7)))
        (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $len)))))"#;

#[test]
fn recursion_is_charged_per_call_exactly() {
    // Per call: the entry block (test and `if`), then the then arm (`local.get`, `else`) or
    // the else arm (two calls, arithmetic); the final `end` costs nothing.
    let entry = 2 * w(Move) + w(Alu) + w(Branch);
    let leaf = entry + w(Move);
    let inner = entry + 4 * w(Move) + 3 * w(Alu) + 2 * w(Call);
    let mut run = Run::metered(&contract(FIB));
    for n in [0i32, 1, 2, 10, 15] {
        let (mut a, mut b) = (0i64, 1i64);
        for _ in 0..n {
            (a, b) = (b, a + b);
        }
        let leaves = b; // fib(n + 1) leaves and fib(n + 1) - 1 inner calls
        let (result, used) = run.charge("fib", &[Val::I32(n)], GAS);
        assert_eq!(result, Ok(Some(a)));
        assert_eq!(used, leaves * leaf + (leaves - 1) * inner, "n = {n}");
        let (result, indirect) = run.charge("fib_indirect", &[Val::I32(n)], GAS);
        assert_eq!(result, Ok(Some(a)));
        assert_eq!(indirect, used + 2 * w(Move) + w(CallIndirect));
    }
}

#[test]
fn metered_module_computes_the_same_results() {
    let src = contract(FIB);
    let mut plain = Run::new(&src);
    let mut metered = Run::metered(&src);
    metered.set_gas(GAS);
    for n in [0, 1, 7, 12] {
        let a = plain.call("fib", &[Val::I32(n)], 1).unwrap();
        let b = metered.call("fib", &[Val::I32(n)], 1).unwrap();
        assert_eq!(int(&a[0]), int(&b[0]));
    }
    for run in [&mut plain, &mut metered] {
        run.call("fill", &[Val::I32(300)], 0).unwrap();
    }
    assert_eq!(plain.memory(), metered.memory());
    let a = plain.call("sum", &[Val::I32(300)], 1).unwrap();
    let b = metered.call("sum", &[Val::I32(300)], 1).unwrap();
    let expected: i64 = (0..300i64).map(|i| (i * 7) & 0xff).sum();
    assert_eq!((int(&a[0]), int(&b[0])), (expected, expected));
    assert!(metered.gas() < GAS);
}

/// The function section's type indices and the exports, from wasmparser.
fn shape(wasm: &[u8]) -> (Vec<u32>, Vec<(alloc::string::String, u32)>, u32, u32) {
    let (mut funcs, mut exports, mut globals, mut custom) = (Vec::new(), Vec::new(), 0, 0);
    for p in Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            Payload::FunctionSection(r) => funcs = r.into_iter().map(Result::unwrap).collect(),
            Payload::GlobalSection(r) => globals = r.count(),
            Payload::ExportSection(r) => {
                exports = r.into_iter().map(|e| e.unwrap()).map(|e| (e.name.into(), e.index)).collect()
            }
            Payload::CustomSection(_) => custom += 1,
            _ => {}
        }
    }
    (funcs, exports, globals, custom)
}

#[test]
fn metering_keeps_indices_and_stays_in_the_subset() {
    let src = wasm(&format!(
        r#"(module $named
            (import "zkos" "caller" (func $caller (param i32)))
            (memory (export "memory") 1 4)
            (global $a (mut i32) (i32.const 1))
            (func $call (export "call") (call $caller (i32.const 0)))
            (func $g (result i32) (memory.grow (i32.const 1)))
            (func $b (memory.fill (i32.const 0) (i32.const 0) (i32.const 9)))
            {FIB})"#
    ));
    validate(&src).unwrap();
    let metered = meter(&src).unwrap();
    Validator::new_with_features(features()).validate_all(&metered).unwrap();
    // `validate` rejects it only for the reserved gas export.
    assert_eq!(validate(&metered).unwrap_err().rule(), Rule::ReservedName);

    let (funcs, exports, globals, custom) = shape(&src);
    let (mfuncs, mexports, mglobals, mcustom) = shape(&metered);
    assert!(custom > 0, "wat writes a name section");
    assert_eq!(mcustom, 0, "custom sections are dropped");
    // Same functions with the same types, then the two helpers, of a new type.
    assert_eq!(mfuncs[..funcs.len()], funcs[..]);
    assert_eq!(mfuncs.len(), funcs.len() + 2);
    assert_eq!(mfuncs[funcs.len()], mfuncs[funcs.len() + 1]);
    assert!(funcs.iter().all(|&t| t < mfuncs[funcs.len()]));
    // Same exports, then the gas global after the existing ones, then the (unexported)
    // stack counter.
    assert_eq!(mexports[..exports.len()], exports[..]);
    assert_eq!(mexports[exports.len()..], [(GAS_GLOBAL_EXPORT.into(), globals)]);
    assert_eq!(mglobals, globals + 2);
}

#[test]
fn helpers_and_sections_only_when_needed() {
    // No globals, no grow, no bulk: one new global section (gas, stack counter), no new
    // function.
    let src = contract("");
    let metered = meter(&src).unwrap();
    Validator::new_with_features(features()).validate_all(&metered).unwrap();
    let ((funcs, _, _, _), (mfuncs, mexports, mglobals, _)) = (shape(&src), shape(&metered));
    assert_eq!(mfuncs, funcs);
    assert_eq!(mglobals, 2);
    assert_eq!(mexports.last().unwrap(), &(GAS_GLOBAL_EXPORT.into(), 0));
    // Only bulk: one helper.
    let src = contract("(func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)))");
    let (funcs, mfuncs) = (shape(&src).0, shape(&meter(&src).unwrap()).0);
    assert_eq!(mfuncs.len(), funcs.len() + 1);
}

#[test]
fn dead_code_and_nested_control_stay_valid() {
    let src = contract(
        r#"(func (export "f") (param i32) (result i32)
             (block $b (result i32)
               (br_table $b $b (i32.const 1) (local.get 0))
               (drop) (i32.const 5) (unreachable) (i32.add))
             (if (result i32) (then (i32.const 1) (return) (i32.const 2)) (else (i32.const 3))))
           (func (export "g") (result i32) (unreachable) (i64.const 1) (drop) (i32.const 2))"#,
    );
    let metered = meter(&src).unwrap();
    Validator::new_with_features(features()).validate_all(&metered).unwrap();
    let mut run = Run::new(&metered);
    run.set_gas(GAS);
    assert_eq!(int(&run.call("f", &[Val::I32(0)], 1).unwrap()[0]), 1);
    assert_eq!(run.call("g", &[], 1).unwrap_err(), TrapCode::UnreachableCodeReached);
    assert!(run.gas() > 0, "a plain trap leaves gas non-negative");
}

#[test]
fn basic_blocks_follow_the_definition() {
    let src = contract(
        r#"(func (param i32) (result i32)
             (block (result i32)
               (i32.const 1)
               (if (local.get 0) (then (nop)) (else (call 0)))
               (loop (br_if 0 (local.get 0))))
             (i32.const 2)
             (i32.add))"#,
    );
    let body = Parser::new(0)
        .parse_all(&src)
        .filter_map(|p| match p.unwrap() {
            Payload::CodeSectionEntry(b) => Some(b),
            _ => None,
        })
        .nth(1)
        .unwrap();
    let blocks = basic_blocks(&body).unwrap();
    let got: Vec<_> = blocks.iter().map(|b| (b.entry, b.ops, b.cost as i64)).collect();
    assert_eq!(
        got,
        [
            // block, i32.const, local.get, if
            (Entry::Function, 4, 2 * w(Move) + w(Branch)),
            (Entry::Then, 2, 0),                       // nop, else
            (Entry::Else, 2, w(Call)),                 // call, end
            (Entry::AfterEnd, 1, 0),                   // loop
            (Entry::LoopBody, 2, w(Move) + w(Branch)), // local.get, br_if
            (Entry::AfterBranch, 1, 0),                // end (loop)
            (Entry::AfterEnd, 1, 0),                   // end (block)
            (Entry::AfterEnd, 3, w(Move) + w(Alu)),    // i32.const, i32.add, end
        ]
    );
    for pair in blocks.windows(2) {
        assert_eq!(pair[0].end, pair[1].start);
        assert_eq!(pair[0].first_op + pair[0].ops, pair[1].first_op);
    }
    assert_eq!(metering_gas(1000), 1000 * host_abi::gas::METER_BYTE);
}

#[test]
fn modules_outside_the_subset_and_garbage_are_errors() {
    let float = contract("(func (drop (f32.const 1)))");
    let e = meter(&float).unwrap_err();
    assert!(matches!(e.kind(), MeterErrorKind::Excluded(_)), "{e}");
    assert_eq!(e.function(), Some(1));
    assert!(meter(b"\0asm\x0d\0\x01\0").is_err());
    assert!(meter(b"garbage").is_err());

    let src = contract(FIB);
    for len in 0..src.len() {
        // A cut between sections can leave a smaller well-formed module; never a panic.
        let _ = meter(&src[..len]);
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let mut bytes = src.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % bytes.len();
            bytes[i] = next() as u8;
        }
        if let Ok(out) = meter(&bytes) {
            // Whatever metering accepts, it writes as a well-formed module.
            assert!(Parser::new(0).parse_all(&out).all(|p| p.is_ok()));
        }
    }
}

/// The contents of the custom sections named `name`, in order.
fn custom_sections(wasm: &[u8], name: &str) -> Vec<Vec<u8>> {
    Parser::new(0)
        .parse_all(wasm)
        .filter_map(|p| match p.unwrap() {
            Payload::CustomSection(c) if c.name() == name => Some(c.data().to_vec()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_abi_section_is_kept_byte_for_byte_and_other_custom_sections_dropped() {
    let mut src = wasm(r#"(module $named (memory (export "memory") 1 4) (func $call (export "call")))"#);
    let json = br#"[{"inputs":[],"name":"f","outputs":[],"stateMutability":"view","type":"function"}]"#;
    // A second one that is not JSON: kept too, unchecked (tools report it).
    for data in [&json[..], b"\xff not json"] {
        let section = wasm_encoder::CustomSection { name: ABI_SECTION.into(), data: data.into() };
        wasm_encoder::Section::append_to(&section, &mut src);
    }
    let producers = wasm_encoder::CustomSection { name: "producers".into(), data: b"x".as_slice().into() };
    wasm_encoder::Section::append_to(&producers, &mut src);
    validate(&src).unwrap();
    let plain = meter(&src).unwrap();
    Validator::new_with_features(features()).validate_all(&plain).unwrap();
    assert_eq!(custom_sections(&plain, ABI_SECTION), [json.to_vec(), b"\xff not json".to_vec()]);
    assert!(custom_sections(&plain, "name").is_empty() && custom_sections(&plain, "producers").is_empty());
    let (_, _, _, custom) = shape(&plain);
    assert_eq!(custom, 2);

    // Nothing else changes: the same module without the sections meters to the same bytes
    // before them.
    let bare = meter(&wasm(r#"(module (memory (export "memory") 1 4) (func (export "call")))"#)).unwrap();
    assert_eq!(plain[..bare.len()], bare[..]);
}
