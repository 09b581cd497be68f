//! The `__sync_*` functions LLVM calls for atomic read-modify-writes on the `+forced-atomics`
//! target spec. The machine has one hart and no interrupts, so a plain load and store is
//! atomic.

macro_rules! rmw {
    ($($name:ident: $t:ty => |$old:ident, $v:ident| $new:expr;)*) => {$(
        /// Atomic read-modify-write on one hart: returns the old value.
        ///
        /// # Safety
        /// `ptr` must be valid for reads and writes and aligned.
        #[no_mangle]
        pub unsafe extern "C" fn $name(ptr: *mut $t, $v: $t) -> $t {
            // SAFETY: the caller passes a valid, aligned pointer; nothing runs concurrently.
            unsafe {
                let $old = ptr.read_volatile();
                ptr.write_volatile($new);
                $old
            }
        }
    )*};
}

macro_rules! sizes {
    ($($t:ty, $s:ty: $add:ident $sub:ident $and:ident $or:ident $xor:ident $nand:ident
        $max:ident $min:ident $umax:ident $umin:ident $xchg:ident $cas:ident;)*) => {$(
        rmw! {
            $add: $t => |o, v| o.wrapping_add(v);
            $sub: $t => |o, v| o.wrapping_sub(v);
            $and: $t => |o, v| o & v;
            $or: $t => |o, v| o | v;
            $xor: $t => |o, v| o ^ v;
            $nand: $t => |o, v| !(o & v);
            $max: $t => |o, v| if (o as $s) > (v as $s) { o } else { v };
            $min: $t => |o, v| if (o as $s) < (v as $s) { o } else { v };
            $umax: $t => |o, v| o.max(v);
            $umin: $t => |o, v| o.min(v);
            $xchg: $t => |_o, v| v;
        }

        /// Atomic compare-and-swap on one hart: returns the old value.
        ///
        /// # Safety
        /// `ptr` must be valid for reads and writes and aligned.
        #[no_mangle]
        pub unsafe extern "C" fn $cas(ptr: *mut $t, expected: $t, new: $t) -> $t {
            // SAFETY: the caller passes a valid, aligned pointer; nothing runs concurrently.
            unsafe {
                let old = ptr.read_volatile();
                if old == expected {
                    ptr.write_volatile(new);
                }
                old
            }
        }
    )*};
}

sizes! {
    u8, i8: __sync_fetch_and_add_1 __sync_fetch_and_sub_1 __sync_fetch_and_and_1
        __sync_fetch_and_or_1 __sync_fetch_and_xor_1 __sync_fetch_and_nand_1
        __sync_fetch_and_max_1 __sync_fetch_and_min_1 __sync_fetch_and_umax_1
        __sync_fetch_and_umin_1 __sync_lock_test_and_set_1 __sync_val_compare_and_swap_1;
    u16, i16: __sync_fetch_and_add_2 __sync_fetch_and_sub_2 __sync_fetch_and_and_2
        __sync_fetch_and_or_2 __sync_fetch_and_xor_2 __sync_fetch_and_nand_2
        __sync_fetch_and_max_2 __sync_fetch_and_min_2 __sync_fetch_and_umax_2
        __sync_fetch_and_umin_2 __sync_lock_test_and_set_2 __sync_val_compare_and_swap_2;
    u32, i32: __sync_fetch_and_add_4 __sync_fetch_and_sub_4 __sync_fetch_and_and_4
        __sync_fetch_and_or_4 __sync_fetch_and_xor_4 __sync_fetch_and_nand_4
        __sync_fetch_and_max_4 __sync_fetch_and_min_4 __sync_fetch_and_umax_4
        __sync_fetch_and_umin_4 __sync_lock_test_and_set_4 __sync_val_compare_and_swap_4;
    u64, i64: __sync_fetch_and_add_8 __sync_fetch_and_sub_8 __sync_fetch_and_and_8
        __sync_fetch_and_or_8 __sync_fetch_and_xor_8 __sync_fetch_and_nand_8
        __sync_fetch_and_max_8 __sync_fetch_and_min_8 __sync_fetch_and_umax_8
        __sync_fetch_and_umin_8 __sync_lock_test_and_set_8 __sync_val_compare_and_swap_8;
}
