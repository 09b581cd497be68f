;; Bit counts (no Zbb: binary search and SWAR popcount) and rotations.
(module
  (func (export "clz32") (param i32) (result i32) (i32.clz (local.get 0)))
  (func (export "ctz64") (param i64) (result i64) (i64.ctz (local.get 0)))
  (func (export "popcnt32") (param i32) (result i32) (i32.popcnt (local.get 0)))
  (func (export "rotl64") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))
  (func (export "rotr32_3") (param i32) (result i32) (i32.rotr (local.get 0) (i32.const 3))))
