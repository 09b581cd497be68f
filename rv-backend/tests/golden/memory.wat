;; Loads and stores: zero-extended addresses (a local's kept in t6 for the next accesses),
;; constant addresses, large offsets.
(module
  (memory (export "memory") 1 2)
  (func (export "copy_word") (param $dst i32) (param $src i32)
    (i64.store offset=8 (local.get $dst) (i64.load (local.get $src))))
  (func (export "fixed") (result i32)
    (i32.store8 (i32.const 100) (i32.const 7))
    (i32.add (i32.load8_u (i32.const 100)) (i32.load16_s offset=4096 (i32.const 4))))
  (func (export "grow") (param i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (memory.size))
  (func (export "sum3") (param $p i32) (result i32)
    (i32.add (i32.load (local.get $p))
             (i32.add (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p))))))
