;; Calls: arguments in a0..a7, the ninth on the stack, multi-value results, call_indirect
;; with its bounds, null and signature checks.
(module
  (type $bin (func (param i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $add $sub)
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $nine (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 8)))
  (func $pair (param i64) (result i64 i64) (local.get 0) (i64.const 1))
  (func (export "direct") (param i32) (result i32)
    (call $nine (local.get 0) (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $bin) (local.get 1) (i32.const 3) (local.get 0)))
  (func (export "multi") (param i64) (result i64)
    (i64.sub (call $pair (local.get 0)))))
