//! The `__sync_*` calls LLVM emits for atomic read-modify-writes on the kernel target (atomic
//! compare-and-swap enabled, lowered to calls). The kernel runs on one hart without
//! interrupts, so a plain load and store is atomic.

macro_rules! sync_fns {
    ($t:ty, $signed:ty, $cas:ident, $swap:ident, [$($name:ident => $op:expr),* $(,)?]) => {
        $(
            /// Atomic read-modify-write (one hart): stores `op(old, v)`, returns `old`.
            ///
            /// # Safety
            /// `ptr` must be valid for reads and writes and aligned.
            #[no_mangle]
            pub unsafe extern "C" fn $name(ptr: *mut $t, v: $t) -> $t {
                let op: fn($t, $t) -> $t = $op;
                // SAFETY: the caller's pointer is valid; nothing runs concurrently.
                unsafe {
                    let old = ptr.read_volatile();
                    ptr.write_volatile(op(old, v));
                    old
                }
            }
        )*

        /// Atomic exchange (one hart): stores `v`, returns the old value.
        ///
        /// # Safety
        /// `ptr` must be valid for reads and writes and aligned.
        #[no_mangle]
        pub unsafe extern "C" fn $swap(ptr: *mut $t, v: $t) -> $t {
            // SAFETY: as above.
            unsafe {
                let old = ptr.read_volatile();
                ptr.write_volatile(v);
                old
            }
        }

        /// Atomic compare-and-swap (one hart): returns the old value.
        ///
        /// # Safety
        /// `ptr` must be valid for reads and writes and aligned.
        #[no_mangle]
        pub unsafe extern "C" fn $cas(ptr: *mut $t, expected: $t, new: $t) -> $t {
            // SAFETY: as above.
            unsafe {
                let old = ptr.read_volatile();
                if old == expected {
                    ptr.write_volatile(new);
                }
                old
            }
        }
    };
}

macro_rules! sync_size {
    ($t:ty, $s:ty, $cas:ident, $swap:ident, $add:ident, $sub:ident, $and:ident, $or:ident, $xor:ident,
     $nand:ident, $max:ident, $min:ident, $umax:ident, $umin:ident) => {
        sync_fns!($t, $s, $cas, $swap, [
            $add => |a, b| a.wrapping_add(b),
            $sub => |a, b| a.wrapping_sub(b),
            $and => |a, b| a & b,
            $or => |a, b| a | b,
            $xor => |a, b| a ^ b,
            $nand => |a, b| !(a & b),
            $max => |a, b| if (a as $s) >= (b as $s) { a } else { b },
            $min => |a, b| if (a as $s) <= (b as $s) { a } else { b },
            $umax => |a, b| a.max(b),
            $umin => |a, b| a.min(b),
        ]);
    };
}

sync_size!(
    u8,
    i8,
    __sync_val_compare_and_swap_1,
    __sync_lock_test_and_set_1,
    __sync_fetch_and_add_1,
    __sync_fetch_and_sub_1,
    __sync_fetch_and_and_1,
    __sync_fetch_and_or_1,
    __sync_fetch_and_xor_1,
    __sync_fetch_and_nand_1,
    __sync_fetch_and_max_1,
    __sync_fetch_and_min_1,
    __sync_fetch_and_umax_1,
    __sync_fetch_and_umin_1
);
sync_size!(
    u16,
    i16,
    __sync_val_compare_and_swap_2,
    __sync_lock_test_and_set_2,
    __sync_fetch_and_add_2,
    __sync_fetch_and_sub_2,
    __sync_fetch_and_and_2,
    __sync_fetch_and_or_2,
    __sync_fetch_and_xor_2,
    __sync_fetch_and_nand_2,
    __sync_fetch_and_max_2,
    __sync_fetch_and_min_2,
    __sync_fetch_and_umax_2,
    __sync_fetch_and_umin_2
);
sync_size!(
    u32,
    i32,
    __sync_val_compare_and_swap_4,
    __sync_lock_test_and_set_4,
    __sync_fetch_and_add_4,
    __sync_fetch_and_sub_4,
    __sync_fetch_and_and_4,
    __sync_fetch_and_or_4,
    __sync_fetch_and_xor_4,
    __sync_fetch_and_nand_4,
    __sync_fetch_and_max_4,
    __sync_fetch_and_min_4,
    __sync_fetch_and_umax_4,
    __sync_fetch_and_umin_4
);
sync_size!(
    u64,
    i64,
    __sync_val_compare_and_swap_8,
    __sync_lock_test_and_set_8,
    __sync_fetch_and_add_8,
    __sync_fetch_and_sub_8,
    __sync_fetch_and_and_8,
    __sync_fetch_and_or_8,
    __sync_fetch_and_xor_8,
    __sync_fetch_and_nand_8,
    __sync_fetch_and_max_8,
    __sync_fetch_and_min_8,
    __sync_fetch_and_umax_8,
    __sync_fetch_and_umin_8
);
