//! The actor: a WAT contract that runs a script from its calldata, so that tests can
//! compose calls, reverts, static calls, creates and storage without a contract each.
//!
//! A script is a list of commands (one opcode byte and fixed arguments, integers
//! little-endian). Commands that produce a value leave it in the 32-byte *result word*,
//! which the contract returns at the end (or reverts with, for `REVERT`).

use alloy_primitives::{Address, U256};

/// The actor contract in WAT.
pub const ACTOR_WAT: &str = r#"
(module
  (import "zkos" "calldata_size" (func $cds (result i32)))
  (import "zkos" "calldata_copy" (func $cdc (param i32 i32 i32)))
  (import "zkos" "finish" (func $finish (param i32 i32)))
  (import "zkos" "revert" (func $revert (param i32 i32)))
  (import "zkos" "storage_store" (func $sstore (param i32 i32)))
  (import "zkos" "storage_load" (func $sload (param i32 i32)))
  (import "zkos" "transient_store" (func $tstore (param i32 i32)))
  (import "zkos" "transient_load" (func $tload (param i32 i32)))
  (import "zkos" "emit_log" (func $log (param i32 i32 i32 i32)))
  (import "zkos" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
  (import "zkos" "static_call" (func $scall (param i64 i32 i32 i32) (result i32)))
  (import "zkos" "delegate_call" (func $dcall (param i64 i32 i32 i32) (result i32)))
  (import "zkos" "create2" (func $create2 (param i32 i32 i32 i32 i32) (result i32)))
  (import "zkos" "returndata_size" (func $rds (result i32)))
  (import "zkos" "returndata_copy" (func $rdc (param i32 i32 i32)))
  (import "zkos" "self_destruct" (func $sd (param i32)))
  (import "zkos" "balance" (func $bal (param i32 i32)))
  (memory (export "memory") 4 4)
  (func $clear
    (i64.store (i32.const 0x100) (i64.const 0)) (i64.store (i32.const 0x108) (i64.const 0))
    (i64.store (i32.const 0x110) (i64.const 0)) (i64.store (i32.const 0x118) (i64.const 0)))
  (func $status (param $v i32)
    (call $clear) (i32.store8 (i32.const 0x11f) (local.get $v)))
  (func (export "call") (local $pc i32) (local $end i32) (local $op i32) (local $n i32) (local $r i32)
    (local.set $n (call $cds))
    (call $cdc (i32.const 0x1000) (i32.const 0) (local.get $n))
    (local.set $pc (i32.const 0x1000))
    (local.set $end (i32.add (i32.const 0x1000) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pc) (local.get $end)))
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (if (i32.eq (local.get $op) (i32.const 1)) (then
          (call $sstore (local.get $pc) (i32.add (local.get $pc) (i32.const 32)))
          (local.set $pc (i32.add (local.get $pc) (i32.const 64))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 2)) (then
          (call $sload (local.get $pc) (i32.const 0x100))
          (local.set $pc (i32.add (local.get $pc) (i32.const 32))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 3)) (then
          (call $tstore (local.get $pc) (i32.add (local.get $pc) (i32.const 32)))
          (local.set $pc (i32.add (local.get $pc) (i32.const 64))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 4)) (then
          (call $tload (local.get $pc) (i32.const 0x100))
          (local.set $pc (i32.add (local.get $pc) (i32.const 32))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 5)) (then
          (call $log (local.get $pc) (i32.const 1) (i32.const 0x100) (i32.const 32))
          (local.set $pc (i32.add (local.get $pc) (i32.const 32))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 6)) (then
          (local.set $n (i32.load (i32.add (local.get $pc) (i32.const 60))))
          (local.set $r (call $call (i64.load (i32.add (local.get $pc) (i32.const 52)))
            (local.get $pc) (i32.add (local.get $pc) (i32.const 20))
            (i32.add (local.get $pc) (i32.const 64)) (local.get $n)))
          (call $status (local.get $r))
          (local.set $pc (i32.add (i32.add (local.get $pc) (i32.const 64)) (local.get $n))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 7)) (then
          (local.set $n (i32.load (i32.add (local.get $pc) (i32.const 28))))
          (local.set $r (call $scall (i64.load (i32.add (local.get $pc) (i32.const 20)))
            (local.get $pc) (i32.add (local.get $pc) (i32.const 32)) (local.get $n)))
          (call $status (local.get $r))
          (local.set $pc (i32.add (i32.add (local.get $pc) (i32.const 32)) (local.get $n))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 8)) (then
          (local.set $n (i32.load (i32.add (local.get $pc) (i32.const 28))))
          (local.set $r (call $dcall (i64.load (i32.add (local.get $pc) (i32.const 20)))
            (local.get $pc) (i32.add (local.get $pc) (i32.const 32)) (local.get $n)))
          (call $status (local.get $r))
          (local.set $pc (i32.add (i32.add (local.get $pc) (i32.const 32)) (local.get $n))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 9)) (then
          (call $revert (i32.const 0x100) (i32.const 32))))
        (if (i32.eq (local.get $op) (i32.const 10)) (then
          (loop $forever (br $forever))))
        (if (i32.eq (local.get $op) (i32.const 11)) (then
          (local.set $n (i32.load (i32.add (local.get $pc) (i32.const 64))))
          (call $clear)
          (drop (call $create2 (local.get $pc) (i32.add (local.get $pc) (i32.const 68)) (local.get $n)
            (i32.add (local.get $pc) (i32.const 32)) (i32.const 0x10c)))
          (local.set $pc (i32.add (i32.add (local.get $pc) (i32.const 68)) (local.get $n))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 12)) (then
          (call $clear)
          (local.set $n (call $rds))
          (if (i32.gt_u (local.get $n) (i32.const 32)) (then (local.set $n (i32.const 32))))
          (call $rdc (i32.const 0x100) (i32.const 0) (local.get $n))
          (br $next)))
        (if (i32.eq (local.get $op) (i32.const 13)) (then
          (call $sd (local.get $pc))))
        (if (i32.eq (local.get $op) (i32.const 14)) (then
          (call $sstore (local.get $pc) (i32.const 0x100))
          (local.set $pc (i32.add (local.get $pc) (i32.const 32))) (br $next)))
        (if (i32.eq (local.get $op) (i32.const 15)) (then
          (call $bal (local.get $pc) (i32.const 0x100))
          (local.set $pc (i32.add (local.get $pc) (i32.const 20))) (br $next)))
        (unreachable)))
    (call $finish (i32.const 0x100) (i32.const 32))))
"#;

/// A script for the actor.
#[derive(Clone, Debug, Default)]
pub struct Script(pub Vec<u8>);

fn w(n: U256) -> [u8; 32] {
    n.to_be_bytes::<32>()
}

impl Script {
    /// An empty script (returns the zero word).
    pub fn new() -> Self {
        Self::default()
    }
    /// SSTORE key value.
    pub fn sstore(mut self, key: u64, value: u64) -> Self {
        self.0.push(1);
        self.0.extend_from_slice(&w(U256::from(key)));
        self.0.extend_from_slice(&w(U256::from(value)));
        self
    }
    /// SLOAD key into the result.
    pub fn sload(mut self, key: u64) -> Self {
        self.0.push(2);
        self.0.extend_from_slice(&w(U256::from(key)));
        self
    }
    /// Transient store.
    pub fn tstore(mut self, key: u64, value: u64) -> Self {
        self.0.push(3);
        self.0.extend_from_slice(&w(U256::from(key)));
        self.0.extend_from_slice(&w(U256::from(value)));
        self
    }
    /// Transient load into the result.
    pub fn tload(mut self, key: u64) -> Self {
        self.0.push(4);
        self.0.extend_from_slice(&w(U256::from(key)));
        self
    }
    /// A log with one topic and the result word as data.
    pub fn log(mut self, topic: u64) -> Self {
        self.0.push(5);
        self.0.extend_from_slice(&w(U256::from(topic)));
        self
    }
    /// CALL `to` with value and gas, running `inner` there; the result is the status.
    pub fn call(mut self, to: Address, value: u64, gas: u64, inner: &Script) -> Self {
        self.0.push(6);
        self.0.extend_from_slice(to.as_slice());
        self.0.extend_from_slice(&w(U256::from(value)));
        self.0.extend_from_slice(&gas.to_le_bytes());
        self.0.extend_from_slice(&(inner.0.len() as u32).to_le_bytes());
        self.0.extend_from_slice(&inner.0);
        self
    }
    /// STATICCALL.
    pub fn static_call(mut self, to: Address, gas: u64, inner: &Script) -> Self {
        self.0.push(7);
        self.0.extend_from_slice(to.as_slice());
        self.0.extend_from_slice(&gas.to_le_bytes());
        self.0.extend_from_slice(&(inner.0.len() as u32).to_le_bytes());
        self.0.extend_from_slice(&inner.0);
        self
    }
    /// DELEGATECALL.
    pub fn delegate_call(mut self, to: Address, gas: u64, inner: &Script) -> Self {
        self.0.push(8);
        self.0.extend_from_slice(to.as_slice());
        self.0.extend_from_slice(&gas.to_le_bytes());
        self.0.extend_from_slice(&(inner.0.len() as u32).to_le_bytes());
        self.0.extend_from_slice(&inner.0);
        self
    }
    /// Revert with the result word.
    pub fn revert(mut self) -> Self {
        self.0.push(9);
        self
    }
    /// Loop forever.
    pub fn spin(mut self) -> Self {
        self.0.push(10);
        self
    }
    /// CREATE2 with value and salt from init data; the result is the address (zero on failure).
    pub fn create2(mut self, value: u64, salt: u64, init: &[u8]) -> Self {
        self.0.push(11);
        self.0.extend_from_slice(&w(U256::from(value)));
        self.0.extend_from_slice(&w(U256::from(salt)));
        self.0.extend_from_slice(&(init.len() as u32).to_le_bytes());
        self.0.extend_from_slice(init);
        self
    }
    /// The first 32 bytes of the return data into the result.
    pub fn returndata(mut self) -> Self {
        self.0.push(12);
        self
    }
    /// Self-destruct to `to`.
    pub fn self_destruct(mut self, to: Address) -> Self {
        self.0.push(13);
        self.0.extend_from_slice(to.as_slice());
        self
    }
    /// Store the result word at `key`.
    pub fn save(mut self, key: u64) -> Self {
        self.0.push(14);
        self.0.extend_from_slice(&w(U256::from(key)));
        self
    }
    /// The balance of `who` into the result.
    pub fn balance(mut self, who: Address) -> Self {
        self.0.push(15);
        self.0.extend_from_slice(who.as_slice());
        self
    }
    /// Trap (an invalid operation).
    pub fn trap(mut self) -> Self {
        self.0.push(0xFF);
        self
    }
    /// The calldata.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}
