;; A metered contract: the gas global lives in gp, a block's charge becomes
;; `addi gp, gp, -cost` and its check is deferred to the loop's back edge (`blt gp, zero,
;; trap` before the branch); a host call is an ecall with the host-function number in a7
;; and i32 arguments zero-extended.
(module
  (import "zkos" "storage_store" (func $sstore (param i32 i32)))
  (memory (export "memory") 1 1)
  (global $gas (mut i64) (i64.const 0))
  (export "__zkos_gas" (global $gas))
  (func (export "call")
    (global.set $gas (i64.sub (global.get $gas) (i64.const 12)))
    (if (i64.lt_s (global.get $gas) (i64.const 0)) (then unreachable))
    (call $sstore (i32.const 0) (i32.const 32)))
  (func (export "spin") (param $n i32) (result i32)
    (global.set $gas (i64.sub (global.get $gas) (i64.const 2)))
    (if (i64.lt_s (global.get $gas) (i64.const 0)) (then unreachable))
    (loop $l
      (global.set $gas (i64.sub (global.get $gas) (i64.const 5)))
      (if (i64.lt_s (global.get $gas) (i64.const 0)) (then unreachable))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $n)))
