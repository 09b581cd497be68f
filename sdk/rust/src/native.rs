//! Native RV64IM contracts (`riscv64` targets): the pieces a contract needs besides the host
//! functions, which [`crate::sys::raw`] calls by `ecall` there.
//!
//! - `_start`, the ELF's entry point (feature `native-entry`): runs the contract's
//!   `extern "C" fn call()` and then exits with success (a `call` that ends with
//!   [`crate::finish`] or [`crate::revert`] never comes back). The contract's
//!   `extern "C" fn deploy()`, a global function symbol, is the constructor: the native
//!   shim runs it at deployment;
//! - [`BrkAlloc`], a bump allocator over the program break (`brk`, Linux number 214), the
//!   `#[global_allocator]` with feature `bump-alloc`;
//! - the panic handler (feature `panic-handler`): a panic reverts with empty data.
//!
//! Build a contract crate as a static library for `riscv64im-unknown-none-elf` and link it
//! into an executable (see `examples/native-rust/build.sh`).

#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

use crate::sys::ecall;

/// Linux `exit` (93): 0 ends the call with what was written to fd 1 (nothing here).
pub fn exit(code: u64) -> ! {
    // SAFETY: no pointers.
    unsafe { ecall(93, [code, 0, 0, 0, 0, 0]) };
    // The call has ended.
    loop {}
}

/// Linux `brk` (214): moves the program break to `addr` (0 queries it); returns the break.
pub fn brk(addr: usize) -> usize {
    // SAFETY: no pointers: the shim only moves its break.
    unsafe { ecall(214, [addr as u64, 0, 0, 0, 0, 0]) as usize }
}

#[cfg(feature = "native-entry")]
mod entry {
    unsafe extern "C" {
        /// The contract's `#[no_mangle] pub extern "C" fn call()`.
        fn call();
    }

    /// The ELF entry point: `call`, then success.
    #[unsafe(no_mangle)]
    pub extern "C" fn _start() -> ! {
        // SAFETY: `call` is the contract's own entry function, taking and returning nothing.
        unsafe { call() };
        super::exit(0)
    }
}

/// A bump allocator over the program break: memory is never reused within a call.
pub struct BrkAlloc {
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: a native contract runs one thread.
unsafe impl Sync for BrkAlloc {}

impl BrkAlloc {
    /// An allocator that starts at the initial break on first use.
    pub const fn new() -> Self {
        BrkAlloc { next: Cell::new(0), end: Cell::new(0) }
    }
}

impl Default for BrkAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every block returned lies between the break before and after the call that made
// it, is aligned as asked, and is never returned twice.
unsafe impl GlobalAlloc for BrkAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 {
            let b = brk(0);
            self.next.set(b);
            self.end.set(b);
        }
        let Some(start) = self.next.get().checked_next_multiple_of(layout.align()) else {
            return core::ptr::null_mut();
        };
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if end > self.end.get() {
            let want = end.next_multiple_of(4096);
            if brk(want) != want {
                return core::ptr::null_mut();
            }
            self.end.set(want);
        }
        self.next.set(end);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Reclaim only the most recent allocation.
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }
}

#[cfg(feature = "bump-alloc")]
#[global_allocator]
static ALLOC: BrkAlloc = BrkAlloc::new();

#[cfg(feature = "panic-handler")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    crate::host::revert(&[])
}
