//! Test support shared by the bounds and elision tests: running a contract through the
//! system layer with or without elision, and a generator of random contracts.

use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::{Artifact, CallKind, CallParams, CodeKind, FrameResult, System};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{keccak256, Address, Bytes, U256};

/// The contract's address.
pub const CONTRACT: Address = Address::repeat_byte(0xCC);

/// Runs export `call` of WASM contract `wasm` with `calldata` and `gas`, metered as the
/// system layer does (`elide`: with elision).
pub fn run(wasm: &[u8], calldata: &[u8], gas: u64, elide: bool) -> FrameResult {
    let mut db = MemoryDb::default();
    let mut info = AccountInfo::default();
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(wasm);
    let code = Bytes::from(code);
    let hash = keccak256(&code);
    info.set_code(code);
    db.insert(CONTRACT, info, std::collections::BTreeMap::new());
    let mut sys = System::new(&mut db, BlockEnv::default(), EngineKind::Wasmi);
    let metered = wasm_validator::meter_with(wasm, wasm_validator::Options { elide })
        .unwrap_or_else(|e| panic!("metering failed: {e}"));
    let info = wasm_validator::validate::validate(wasm).unwrap_or_else(|e| panic!("{e}"));
    sys.artifacts
        .get_or_build_with(hash, || Ok(Artifact::new(hash, CodeKind::Wasm, metered, info.has_deploy)))
        .unwrap_or_else(|e| panic!("{e}"));
    sys.call(CallParams {
        kind: CallKind::Call,
        caller: Address::repeat_byte(0xA1),
        address: CONTRACT,
        code_address: CONTRACT,
        value: U256::ZERO,
        apparent_value: U256::ZERO,
        input: Bytes::copy_from_slice(calldata),
        gas,
        is_static: false,
        depth: 0,
    })
    .unwrap_or_else(|e| panic!("internal error: {e}"))
}

/// A small deterministic pseudo-random generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// Generates a random contract: a few functions (each may call earlier ones) with
/// straight-line code, `if`s, blocks with early exits, loops with constant trip counts in
/// both shapes, loops over the calldata size, loads and stores, host calls, early returns;
/// and `call` calling them and finishing with a word of memory. Every loop is bounded, so
/// the analysis must bound every function.
pub fn random_contract(rng: &mut Rng) -> String {
    let mut g = Gen { rng, label: 0, out: String::new() };
    let nfuncs = 1 + g.rng.below(4);
    let mut funcs = String::new();
    for f in 0..nfuncs {
        g.out.clear();
        g.stmts(3, f, 4);
        funcs.push_str(&format!(
            "(func $f{f} (param $p0 i32) (param $p1 i32) (result i32)
               (local $a i32) (local $b i32) (local $c i32)
               (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $n i32)
               {}
               (i32.add (local.get $a) (local.get $b)))\n",
            g.out
        ));
    }
    let mut call = String::new();
    for f in 0..nfuncs {
        call.push_str(&format!(
            "(i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (call $f{f} (call $size) (i32.const {}))))\n",
            g.rng.below(50)
        ));
    }
    format!(
        r#"(module
            (import "zkos" "calldata_size" (func $size (result i32)))
            (import "zkos" "calldata_copy" (func $copy (param i32 i32 i32)))
            (import "zkos" "storage_load" (func $sload (param i32 i32)))
            (import "zkos" "finish" (func $finish (param i32 i32)))
            (memory (export "memory") 1 1)
            {funcs}
            (func (export "call")
              (call $copy (i32.const 256) (i32.const 0) (i32.const 64))
              {call}
              (call $finish (i32.const 0) (i32.const 32))))"#
    )
}

struct Gen<'r> {
    rng: &'r mut Rng,
    label: u32,
    out: String,
}

impl Gen<'_> {
    fn expr(&mut self, depth: u32) -> String {
        let locals = ["$a", "$b", "$c", "$p0", "$p1"];
        if depth == 0 || self.rng.chance(30) {
            return match self.rng.below(4) {
                0 => format!("(i32.const {})", self.rng.below(100)),
                1 | 2 => format!("(local.get {})", locals[self.rng.below(5) as usize]),
                _ => String::from("(call $size)"),
            };
        }
        let a = self.expr(depth - 1);
        let b = self.expr(depth - 1);
        match self.rng.below(9) {
            0 => format!("(i32.add {a} {b})"),
            1 => format!("(i32.sub {a} {b})"),
            2 => format!("(i32.mul {a} {b})"),
            3 => format!("(i32.and {a} {b})"),
            4 => format!("(i32.xor {a} {b})"),
            5 => format!("(i32.shr_u {a} (i32.const {}))", self.rng.below(8)),
            6 => format!("(i32.load (i32.and {a} (i32.const 0x3fc)))"),
            7 => format!("(i32.lt_u {a} {b})"),
            _ => format!("(i32.eq {a} {b})"),
        }
    }

    fn stmts(&mut self, n: u64, func: u64, depth: u32) {
        for _ in 0..n {
            self.stmt(func, depth);
        }
    }

    fn stmt(&mut self, func: u64, depth: u32) {
        let locals = ["$a", "$b", "$c"];
        let choice = if depth == 0 { self.rng.below(4) } else { self.rng.below(11) };
        match choice {
            0 | 1 => {
                let e = self.expr(3);
                let l = locals[self.rng.below(3) as usize];
                self.out.push_str(&format!("(local.set {l} {e})\n"));
            }
            2 => {
                let a = self.expr(2);
                let v = self.expr(2);
                self.out.push_str(&format!("(i32.store (i32.and {a} (i32.const 0x3fc)) {v})\n"));
            }
            3 => {
                if self.rng.chance(30) {
                    self.out.push_str("(call $sload (i32.const 256) (i32.const 512))\n");
                } else if func > 0 {
                    let callee = self.rng.below(func);
                    let (x, y) = (self.expr(1), self.expr(1));
                    self.out.push_str(&format!("(local.set $c (call $f{callee} {x} {y}))\n"));
                }
            }
            4 | 5 => {
                let c = self.expr(2);
                self.out.push_str(&format!("(if {c} (then\n"));
                {
                    let k = 1 + self.rng.below(2);
                    self.stmts(k, func, depth - 1);
                }
                self.out.push_str(") (else\n");
                {
                    let k = self.rng.below(2);
                    self.stmts(k, func, depth - 1);
                }
                self.out.push_str("))\n");
            }
            6 => {
                self.label += 1;
                let l = self.label;
                let c = self.expr(2);
                self.out.push_str(&format!("(block $x{l}\n"));
                self.stmts(1, func, depth - 1);
                self.out.push_str(&format!("(br_if $x{l} {c})\n"));
                self.stmts(1, func, depth - 1);
                self.out.push_str(")\n");
            }
            7 | 8 => {
                // A loop with a constant trip count; its counter is its own.
                self.label += 1;
                let l = self.label;
                let k = format!("$k{}", depth.saturating_sub(1).min(3));
                let trips = self.rng.below(6);
                if self.rng.chance(50) {
                    self.out.push_str(&format!(
                        "(local.set {k} (i32.const 0)) (block $d{l} (loop $l{l} (br_if $d{l} (i32.ge_u (local.get {k}) (i32.const {trips})))\n"
                    ));
                    {
                        let k = 1 + self.rng.below(2);
                        self.stmts(k, func, depth - 1);
                    }
                    self.out
                        .push_str(&format!("(local.set {k} (i32.add (local.get {k}) (i32.const 1))) (br $l{l})))\n"));
                } else {
                    self.out.push_str(&format!("(local.set {k} (i32.const {})) (loop $l{l}\n", trips + 1));
                    {
                        let k = 1 + self.rng.below(2);
                        self.stmts(k, func, depth - 1);
                    }
                    self.out
                        .push_str(&format!("(br_if $l{l} (local.tee {k} (i32.sub (local.get {k}) (i32.const 1)))))\n"));
                }
            }
            9 => {
                // A loop over the calldata size (outermost level only: its counter is $n).
                if depth == 4 {
                    self.label += 1;
                    let l = self.label;
                    self.out.push_str(&format!(
                        "(local.set $n (i32.const 0)) (block $d{l} (loop $l{l} (br_if $d{l} (i32.ge_u (local.get $n) (call $size)))\n"
                    ));
                    self.stmts(1, func, 0);
                    self.out.push_str(&format!("(local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l{l})))\n"));
                }
            }
            _ => {
                let c = self.expr(2);
                let v = self.expr(1);
                self.out.push_str(&format!("(if {c} (then (return {v})))\n"));
            }
        }
    }
}

/// The calldata for a run: `len` bytes from the generator.
pub fn calldata(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| (rng.next() & 0xff) as u8).collect()
}
