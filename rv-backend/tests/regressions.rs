//! Cases found by the differential fuzzer, reduced, with results checked by hand against
//! the WebAssembly semantics.

use wasm_runtime::engine::rv_instance::{Event, Instance};

fn run(wat: &str, export: &str, args: &[u64]) -> (Vec<u64>, Instance<'static>) {
    let wasm = wat::parse_str(wat).unwrap();
    let c: &'static rv_backend::Compiled = Box::leak(Box::new(rv_backend::compile(&wasm).unwrap()));
    let mut inst = Instance::new(c, Default::default(), &Default::default()).unwrap();
    inst.call(c.exported_func(export).unwrap(), args).unwrap();
    assert_eq!(inst.run(1_000_000), Event::Returned);
    (inst.results(), inst)
}

/// Eight results: the eighth comes back in `a7`, which the return stub must not touch.
#[test]
fn eight_results_survive_the_return_stub() {
    let (r, _) = run(
        r#"(module (func (export "f") (result i64 i64 i64 i64 i64 i64 i64 i64)
            (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)
            (i64.const 5) (i64.const 6) (i64.const 7) (i64.const -8)))"#,
        "f",
        &[],
    );
    assert_eq!(r, vec![1, 2, 3, 4, 5, 6, 7, (-8i64) as u64]);
}

/// Nine and ten results: the ones past the eighth go through the caller's stack area, also
/// through an internal call.
#[test]
fn results_past_the_registers() {
    let (r, _) = run(
        r#"(module
            (func $ten (param i64) (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
              (local.get 0) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
              (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.add (local.get 0) (i64.const 10)))
            (func (export "f") (param i64) (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
              (call $ten (local.get 0))))"#,
        "f",
        &[100],
    );
    assert_eq!(r, vec![100, 2, 3, 4, 5, 6, 7, 8, 9, 110]);
}

/// Reduced from a fuzz case where wasmi 2.0.0 disagrees (it sets the global to 0). By the
/// semantics, `block (result i32)` yields the `local.get 1` pushed at its start: the inner
/// block and `if` consume only their own operands, so global 1 becomes local 1.
#[test]
fn block_result_below_an_if_with_parameters() {
    let wat = r#"(module
      (func $f (param i64) (result i64)
        local.get 0
        local.set 0
        block (result i64)
          local.get 0
          loop (result i32)
            local.get 0
            i32.const -32768
            loop (result i64)
              br 0
            end
            global.get 0
            i64.xor
            global.set 0
            global.set 1
            global.get 0
            i64.xor
            global.set 0
            i32.const 32768
          end
          global.set 1
        end)
      (func (export "2") (param i32 i32 i64 i64 i32 i32) (result i64 i64)
        block (result i32)
          local.get 1
          i64.const -16
          block (param i64) (result i64)
            local.get 5
            if (param i64) (result i64)
            else
              loop
                block
                  i64.const 1756505415117439149
                  block (param i64) (result i64)
                  end
                  global.get 0
                  i64.xor
                  global.set 0
                end
              end
            end
          end
          global.set 0
        end
        global.set 1
        i64.const 2091889535269410639
        i64.const 16777215)
      (global (mut i64) (i64.const 0))
      (global (mut i32) (i32.const 0))
      (export "v" (global 0))
      (export "5" (global 1)))"#;
    let (r, inst) = run(wat, "2", &[0, 0x1234, 0, 0, 0, 1]);
    assert_eq!(r, vec![2091889535269410639, 16777215]);
    assert_eq!(inst.global(1), Some(0x1234));
    assert_eq!(inst.global(0), Some((-16i64) as u64));
}

/// Reduced from another fuzz case where wasmi 2.0.0 disagrees (wasmtime agrees with this
/// crate). `local.get 0` is non-zero, so the `else` arm runs: global 3 ^= global 0, then
/// global 2 ^= local 0 ^ local 1 inside the block, then global 3 ^= K and global 2 ^= the
/// constant below the block's parameters.
#[test]
fn block_with_parameters_below_a_constant() {
    let wat = r#"(module
  (global i64 (i64.const 5437380930252447487))
  (global i32 (i32.const 1789631034))
  (global (mut i32) (i32.const 0))
  (global (mut i64) (i64.const 0))
  (func (export "3") (param i32 i32) (result i64)
    loop
      loop
        i32.const 1310872249
        local.get 1
        local.get 0
        block (param i32 i32) (result i64)
          global.get 0
          local.get 0
          i32.eqz
          if (param i64)
            i32.wrap_i64
            i64.extend_i32_s
            loop (result i32)
              global.get 1
              if (result i32)
                br 5
              else
                i32.const 1917595682
              end
            end
            global.set 2
            global.get 3
            i64.xor
            global.set 3
          else
            global.get 3
            i64.xor
            global.set 3
          end
          global.get 2
          i32.xor
          global.set 2
          global.get 2
          i32.xor
          global.set 2
          i64.const -8398146469490052921
        end
        global.get 3
        i64.xor
        global.set 3
        global.get 2
        i32.xor
        global.set 2
      end
    end
    i64.const 5549907771813503562)
  (export "7" (global 2))
  (export "8" (global 3)))
"#;
    let (l0, l1) = (0xd80e_56b5u64, 0x47fc_bbccu64);
    let (r, inst) = run(wat, "3", &[l0, l1]);
    assert_eq!(r, vec![5549907771813503562]);
    assert_eq!(inst.global(2), Some(l0 ^ l1 ^ 1310872249));
    assert_eq!(inst.global(3), Some(5437380930252447487u64 ^ (-8398146469490052921i64) as u64));
}

/// 64-bit constants that need more than two instructions come from the module's constant
/// pool (issue 16, item 2): each is a `lui`/`ld` pair, a repeated constant is stored once,
/// and the values are exact at the edges (sign bits, all ones, a low 12-bit part with its
/// top bit set, which the `ld` offset sign-extends).
#[test]
fn pooled_constants() {
    let consts: [i64; 6] = [
        0x9E37_79B9_7F4A_7C15u64 as i64,
        i64::MIN + 0x801,
        0x7FFF_FFFF_FFFF_F800,
        0x1234_5678_9ABC_DEF0,
        -0x1234_5678_9ABC_DEF1,
        0x0F86_C6A1_1D0C_18E9,
    ];
    let mut body = String::from("(local.get 0)");
    for c in consts.iter().chain(consts.iter()) {
        body += &format!(" (i64.const {c}) (i64.xor) (i64.const 1) (i64.rotl)");
    }
    let wat = format!(r#"(module (func (export "f") (param i64) (result i64) {body}))"#);
    let (r, _) = run(&wat, "f", &[5]);
    let mut want = 5u64;
    for c in consts.iter().chain(consts.iter()) {
        want = (want ^ *c as u64).rotate_left(1);
    }
    assert_eq!(r, vec![want]);
    // Each distinct constant once in the read-only data, after the function descriptor.
    let c = rv_backend::compile(&wat::parse_str(&wat).unwrap()).unwrap();
    let pool: Vec<i64> = c.rodata[16..].chunks(8).map(|w| i64::from_le_bytes(w.try_into().unwrap())).collect();
    assert_eq!(pool, consts.to_vec());
}
