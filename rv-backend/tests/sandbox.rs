//! Memory sandboxing: contracts that try to reach outside their linear memory trap with
//! "out of bounds memory access" and change nothing, whatever the address and offset, at
//! the edge of the memory and after it grows.

use rv_backend::abi::TrapCode;
use wasm_runtime::engine::rv_instance::{Event, Instance, Trap};

const WAT: &str = r#"(module
  (memory (export "memory") 1 3)
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "load64_far") (param i32) (result i64) (i64.load offset=0xFFFFFFFF (local.get 0)))
  (func (export "load32_off16") (param i32) (result i32) (i32.load offset=16 (local.get 0)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "store8_off") (param i32) (i32.store8 offset=65535 (local.get 0) (i32.const 0xAB)))
  (func (export "const_load") (result i32) (i32.load (i32.const 65534)))
  (func (export "const_far") (result i32) (i32.load offset=0x7FFFFFFF (i32.const 0x7FFFFFFF)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 0xCD) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))"#;

struct Fixture {
    inst: Instance<'static>,
}

impl Fixture {
    fn new() -> Fixture {
        let wasm = wat::parse_str(WAT).unwrap();
        let c: &'static rv_backend::Compiled = Box::leak(Box::new(rv_backend::compile(&wasm).unwrap()));
        Fixture { inst: Instance::new(c, Default::default(), &Default::default()).unwrap() }
    }

    fn call(&mut self, name: &str, args: &[u64]) -> Result<Vec<u64>, TrapCode> {
        let f = self.inst.compiled().exported_func(name).unwrap();
        self.inst.call(f, args).unwrap();
        match self.inst.run(10_000_000) {
            Event::Returned => Ok(self.inst.results()),
            Event::Trap(Trap::Wasm(c)) => Err(c),
            other => panic!("{name}: {other:?}"),
        }
    }

    fn oob(&mut self, name: &str, args: &[u64]) {
        let before = self.inst.memory().to_vec();
        assert_eq!(self.call(name, args), Err(TrapCode::MemoryOutOfBounds), "{name}({args:x?})");
        assert!(self.inst.memory() == before.as_slice(), "{name}({args:x?}) changed memory");
    }
}

const PAGE: u64 = 65536;

#[test]
fn accesses_outside_the_memory_trap() {
    let mut f = Fixture::new();
    // Inside.
    assert_eq!(f.call("store64", &[PAGE - 8, 0x1122_3344_5566_7788]), Ok(vec![]));
    assert_eq!(f.call("load64", &[PAGE - 8]), Ok(vec![0x1122_3344_5566_7788]));
    assert_eq!(f.call("load8", &[PAGE - 1]), Ok(vec![0x11]));
    // "Negative" addresses (bit 31 set), the largest address, wrapping with the offset.
    for a in [0xFFFF_FFFF, 0x8000_0000, 0xFFFF_FFF8, 0x7FFF_FFFF] {
        f.oob("load8", &[a]);
        f.oob("load64", &[a]);
        f.oob("store64", &[a, 1]);
    }
    f.oob("load32_off16", &[0xFFFF_FFF0]); // addr + offset = 2^32, not 0
    f.oob("load32_off16", &[0xFFFF_FFFF]);
    f.oob("load64_far", &[0]);
    f.oob("load64_far", &[0xFFFF_FFFF]);
    f.oob("const_far", &[]);
    // Straddling the end: the first byte is inside, the last is not.
    f.oob("load64", &[PAGE - 7]);
    f.oob("store64", &[PAGE - 1, 1]);
    f.oob("const_load", &[]);
    f.oob("store8_off", &[1]);
    assert_eq!(f.call("store8_off", &[0]), Ok(vec![]));
    // Bulk operations are checked before they write anything.
    f.oob("fill", &[PAGE - 4, 5]);
    f.oob("fill", &[0xFFFF_FFFF, 2]);
    f.oob("copy", &[0, PAGE - 4, 5]);
    f.oob("copy", &[PAGE - 4, 0, 5]);
    assert_eq!(f.call("fill", &[PAGE, 0]), Ok(vec![]));
    f.oob("fill", &[PAGE + 1, 0]);
}

#[test]
fn growth_maps_exactly_the_new_pages() {
    let mut f = Fixture::new();
    f.oob("load64", &[PAGE]);
    assert_eq!(f.call("grow", &[1]), Ok(vec![1]));
    assert_eq!(f.call("load64", &[PAGE]), Ok(vec![0]));
    assert_eq!(f.call("store64", &[2 * PAGE - 8, 7]), Ok(vec![]));
    f.oob("load64", &[2 * PAGE - 4]);
    f.oob("load8", &[2 * PAGE]);
    // The declared maximum (3 pages) bounds growth; a failed grow maps nothing.
    assert_eq!(f.call("grow", &[2]), Ok(vec![u64::from(u32::MAX)]));
    f.oob("load8", &[2 * PAGE]);
    assert_eq!(f.call("grow", &[1]), Ok(vec![2]));
    assert_eq!(f.call("load8", &[3 * PAGE - 1]), Ok(vec![0]));
    f.oob("load8", &[3 * PAGE]);
    assert_eq!(f.inst.memory().len() as u64, 3 * PAGE);
}

#[test]
fn recursion_is_bounded_by_the_stack() {
    let wasm = wat::parse_str(
        r#"(module
          (func $down (export "down") (param i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0))
              (then (i64.const 0))
              (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1))))))))"#,
    )
    .unwrap();
    let c = rv_backend::compile(&wasm).unwrap();
    let f = c.exported_func("down").unwrap();
    let mut inst = Instance::new(&c, Default::default(), &Default::default()).unwrap();
    inst.call(f, &[1000]).unwrap();
    assert_eq!(inst.run(100_000_000), Event::Returned);
    assert_eq!(inst.results(), vec![1000]);
    inst.call(f, &[u64::MAX]).unwrap();
    assert_eq!(inst.run(100_000_000), Event::Trap(Trap::Wasm(TrapCode::StackExhausted)));
    // The instance is still usable after the trap.
    inst.call(f, &[3]).unwrap();
    assert_eq!(inst.run(1_000_000), Event::Returned);
    assert_eq!(inst.results(), vec![3]);
}
