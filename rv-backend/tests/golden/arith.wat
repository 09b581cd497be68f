;; Integer arithmetic: register operands, immediates, constant folding, i32 in RV64 word ops.
(module
  (func (export "mix32") (param $a i32) (param $b i32) (result i32)
    (i32.sub (i32.mul (i32.add (local.get $a) (local.get $b)) (i32.const 8))
             (i32.add (local.get $a) (i32.const 1000))))
  (func (export "mix64") (param $a i64) (param $b i64) (result i64)
    (i64.xor (i64.shl (local.get $a) (i64.const 3)) (i64.shr_u (local.get $b) (local.get $a))))
  (func (export "folded") (result i32)
    (i32.add (i32.const 40) (i32.mul (i32.const 1) (i32.const 2))))
  (func (export "cmp") (param i64 i64) (result i32)
    (i32.and (i64.lt_u (local.get 0) (local.get 1)) (i64.ge_s (local.get 0) (i64.const -5))))
  (func (export "widen") (param i32) (result i64)
    (i64.add (i64.extend_i32_u (local.get 0)) (i64.extend_i32_s (local.get 0)))))
