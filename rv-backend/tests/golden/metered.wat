;; A metered contract: the gas global lives in gp, the metering sequences become
;; `addi gp, gp, -cost` and `blt gp, zero, trap`, a host call is an ecall with the
;; host-function number in a7 and i32 arguments zero-extended.
(module
  (import "zkos" "storage_store" (func $sstore (param i32 i32)))
  (memory (export "memory") 1 1)
  (global $gas (mut i64) (i64.const 0))
  (export "__zkos_gas" (global $gas))
  (func (export "call")
    (global.set $gas (i64.sub (global.get $gas) (i64.const 12)))
    (if (i64.lt_s (global.get $gas) (i64.const 0)) (then unreachable))
    (call $sstore (i32.const 0) (i32.const 32))))
