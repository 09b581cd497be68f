(module
  (import "zkos" "calldata_size" (func $size (result i32)))
  (import "zkos" "storage_store" (func $sstore (param i32 i32)))
  (memory (export "memory") 1 1)
  (func $scan (param $p i32) (local $x i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l))))
  (func (export "call") (local $i i32) (local $j i32) (local $n i32)
    (local.set $n (call $size))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (i32.const 8)))
        (if (i32.and (local.get $j) (i32.const 1))
          (then (i32.store (local.get $j) (local.get $i))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1)))
    (call $sstore (i32.const 0) (i32.const 32)))
  (func (export "other") (call $scan (i32.const 0))))
