//! The WASM cases of `zkos bench worst`: for every instruction class of the validator's cost
//! model ([`host_abi::gas::OpClass`]) and every host function a WASM contract may import, a
//! contract whose `call` export loops over a large unrolled body of that one operation until
//! the transaction is out of gas.

use std::fmt::Write as _;

use host_abi::envelope::{Envelope, Kind};
use host_abi::functions::{HostFn, ValType};

use super::{Case, Code};

/// Copies of the operation in the loop's body.
const UNROLL: usize = 400;

/// The module around a loop body: memory (1 page, growable to 2), a global, a table holding
/// `$id` for `call_indirect`, locals `$a`, `$b` (i64) and `$c`, `$z` (i32) set to
/// non-trivial values, and `imports`.
fn module(imports: &str, unit: &str) -> String {
    let mut body = String::new();
    for _ in 0..UNROLL {
        body.push_str(unit);
        body.push('\n');
    }
    format!(
        r#"(module
  {imports}
  (type $t (func (param i64) (result i64)))
  (memory (export "memory") 1 2)
  (global $g (mut i64) (i64.const 7))
  (table 1 1 funcref)
  (elem (i32.const 0) $id)
  (func $id (type $t) (local.get 0))
  (func (export "call") (local $a i64) (local $b i64) (local $c i32) (local $z i32)
    (local.set $a (i64.const 0x7edcba9876543211))
    (local.set $b (i64.const 0x0123456789abcdef))
    (local.set $c (i32.const 1))
    (loop $l
{body}      (br $l))))"#
    )
}

/// An envelope holding the module `wat`.
fn envelope(name: &str, wat: &str) -> Vec<u8> {
    let wasm = wat::parse_str(wat).unwrap_or_else(|e| panic!("worst case `{name}`: bad WAT: {e}"));
    let env = Envelope { kind: Kind::Wasm, version: 0, constants: &[], code: &wasm };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).expect("the buffer has the encoded length");
    out
}

fn case(name: &str, kind: &'static str, imports: &str, unit: &str) -> Case {
    Case { name: name.into(), kind, code: Code::Envelope(envelope(name, &module(imports, unit))) }
}

/// The instruction-class cases: (class, variant, one copy of the body).
const CLASSES: &[(&str, &str, &str)] = &[
    ("Move", "local.get/set", "(local.set $a (local.get $b))"),
    ("Move", "global.get/set", "(global.set $g (global.get $g))"),
    ("Move", "select", "(local.set $a (select (local.get $a) (local.get $b) (local.get $c)))"),
    ("Alu", "i64.add", "(local.set $a (i64.add (local.get $a) (local.get $b)))"),
    ("Alu", "i64.shr_u", "(local.set $a (i64.shr_u (local.get $a) (local.get $b)))"),
    ("Alu", "i64.lt_u", "(local.set $c (i64.lt_u (local.get $a) (local.get $b)))"),
    ("Alu", "i64.extend_i32_s", "(local.set $a (i64.extend_i32_s (local.get $c)))"),
    ("Mul", "i64.mul", "(local.set $a (i64.mul (local.get $a) (local.get $b)))"),
    ("Mul", "i32.mul", "(local.set $c (i32.mul (local.get $c) (local.get $c)))"),
    ("Div", "i64.div_u", "(local.set $a (i64.div_u (local.get $a) (local.get $b)))"),
    ("Div", "i64.div_s", "(local.set $a (i64.div_s (local.get $a) (local.get $b)))"),
    ("Div", "i64.rem_u", "(local.set $a (i64.rem_u (local.get $a) (local.get $b)))"),
    ("Div", "i32.div_u", "(local.set $c (i32.div_u (local.get $c) (i32.const 3)))"),
    ("BitCount", "i64.popcnt", "(local.set $b (i64.popcnt (local.get $a)))"),
    ("BitCount", "i64.clz", "(local.set $b (i64.clz (local.get $c64)))"),
    ("BitCount", "i64.ctz", "(local.set $b (i64.ctz (local.get $c64)))"),
    ("BitCount", "i32.popcnt", "(local.set $z (i32.popcnt (local.get $c)))"),
    ("Rotate", "i64.rotl", "(local.set $a (i64.rotl (local.get $a) (local.get $b)))"),
    ("Memory", "i64.load", "(local.set $a (i64.load offset=64 (local.get $z)))"),
    ("Memory", "i64.store", "(i64.store offset=64 (local.get $z) (local.get $a))"),
    ("Memory", "i32.load8_s", "(local.set $c (i32.load8_s offset=65 (local.get $z)))"),
    ("Memory", "i64.store8", "(i64.store8 offset=65 (local.get $z) (local.get $a))"),
    ("Branch", "br", "(block (br 0))"),
    ("Branch", "br_if", "(block (br_if 0 (local.get $c)))"),
    ("Branch", "if", "(if (local.get $c) (then (nop)))"),
    ("BranchTable", "br_table", "(block (block (block (br_table 0 1 2 (local.get $c)))))"),
    ("Call", "call", "(local.set $a (call $id (local.get $a)))"),
    ("CallIndirect", "call_indirect", "(local.set $a (call_indirect (type $t) (local.get $a) (local.get $z)))"),
    ("Query", "memory.size", "(local.set $c (memory.size))"),
    ("MemoryGrow", "memory.grow 0", "(local.set $c (memory.grow (local.get $z)))"),
    ("MemoryGrow", "memory.grow 1 (fails at the maximum)", "(local.set $c (memory.grow (i32.const 1)))"),
    ("Bulk", "memory.copy 32 bytes", "(memory.copy (i32.const 0) (i32.const 1024) (i32.const 32))"),
    ("Bulk", "memory.copy 4096 bytes", "(memory.copy (i32.const 0) (i32.const 8192) (i32.const 4096))"),
    ("Bulk", "memory.fill 4096 bytes", "(memory.fill (i32.const 0) (local.get $z) (i32.const 4096))"),
    ("Bulk", "memory.copy 0 bytes", "(memory.copy (i32.const 0) (i32.const 8192) (local.get $z))"),
];

/// The argument a host-function case passes for a parameter: lengths 32 bytes (0 for
/// `returndata_copy`), counts 0,
/// pointers into zeroed memory (so addresses are the zero address, values zero), 5,000 gas
/// for calls, block 0.
fn argument(f: HostFn, name: &str, ty: ValType) -> String {
    let v: u64 = match (f, name) {
        (HostFn::ChargeGas, _) => 100,
        (_, "gas") => 5000,
        (_, "topic_count" | "number" | "index") => 0,
        // No return data: a non-empty copy fails the call.
        (HostFn::ReturndataCopy, "len") => 0,
        (_, n) if n.contains("len") => 32,
        (_, "offset") => 0,
        _ => 256,
    };
    format!("({}.const {v})", ty.wat())
}

/// Every WASM case: the instruction classes, then the host functions.
pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (class, variant, unit) in CLASSES {
        // `$c64`: $c widened, a small number (many leading zeros, a set low bit).
        let unit = unit.replace("(local.get $c64)", "(i64.extend_i32_u (local.get $c))");
        v.push(case(&format!("wasm {class}: {variant}"), "wasm", "", &unit));
    }
    for &f in HostFn::ALL {
        if !f.importable() || f.terminates() {
            continue;
        }
        let params = f.params();
        let mut sig = String::new();
        if !params.is_empty() {
            sig.push_str(" (param");
            for p in params {
                let _ = write!(sig, " {}", p.ty.wat());
            }
            sig.push(')');
        }
        if let Some(r) = f.result() {
            let _ = write!(sig, " (result {})", r.wat());
        }
        let import = format!(r#"(import "zkos" "{}" (func $h{sig}))"#, f.import_name());
        let args: String = params.iter().map(|p| argument(f, p.name, p.ty)).collect::<Vec<_>>().join(" ");
        let call = format!("(call $h {args})");
        let unit = if f.result().is_some() { format!("(drop {call})") } else { call };
        v.push(case(&format!("host {}", f.import_name()), "host", &import, &unit));
    }
    v
}
