//! A bump allocator for contracts (feature `bump-alloc`, `wasm32` only), installed as the
//! `#[global_allocator]`.
//!
//! A contract call is short: memory is never reused across calls, so the allocator only
//! moves a pointer forward from `__heap_base` (the end of the stack and static data, set by
//! the linker), growing the linear memory a page at a time when it runs out. `dealloc`
//! reclaims only the most recent allocation, and `realloc` of the most recent allocation
//! grows in place: that is what `Vec::push` loops need. Allocation fails (returns null) when
//! `memory.grow` does, at the module's declared maximum, and for a block of 4 MiB or more
//! (which Solidity's memory cannot hold under the block gas limit either: see
//! [`MAX_BLOCK`]); Rust's allocation-error path then panics, which with feature
//! `panic-handler` reverts the call with empty data.

#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

const PAGE: usize = 64 * 1024;

/// The largest block (exclusive): 4 MiB. Solidity's memory cannot reach that size under
/// the 30 M block gas limit (`3·n + n²/512` gas for `n` words: about 34 M gas for 4 MiB), so
/// no contract written in Solidity holds such a block either; a request this large fails as
/// an allocation at the memory's maximum does. One allocation then grows memory by at most
/// [`MAX_GROW`] pages, which keeps the static gas bound of any function that allocates near
/// 1 M gas (it was about 4.7 M with a grow of up to 511 pages).
const MAX_BLOCK: usize = 1 << 22;

/// The most pages one allocation grows memory by: a block below [`MAX_BLOCK`] bytes at an
/// alignment below a page ends at most this many pages past the memory the allocator has.
const MAX_GROW: usize = MAX_BLOCK / PAGE + 1;

/// A mask no block's size exceeds (every block is smaller than [`MAX_BLOCK`]): `x &
/// SIZE_MASK` is `x` for every block's size; the static gas bounds (`zkos gas-report`) read
/// the mask as a bound on sizes they cannot follow through memory.
const SIZE_MASK: usize = MAX_BLOCK - 1;

unsafe extern "C" {
    /// End of the linker's static data and stack: where the heap may start.
    static __heap_base: u8;
}

/// The allocator's state: the next free byte and the end of the memory it has.
pub struct BumpAlloc {
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: `wasm32-unknown-unknown` without the `atomics` feature runs one thread, so the
// cells are never accessed concurrently.
unsafe impl Sync for BumpAlloc {}

impl BumpAlloc {
    /// An allocator that starts at `__heap_base` on first use.
    pub const fn new() -> Self {
        BumpAlloc { next: Cell::new(0), end: Cell::new(0) }
    }

    fn init(&self) {
        if self.end.get() == 0 {
            // Only the address of the linker-defined symbol is taken, never its value.
            let base = core::ptr::addr_of!(__heap_base) as usize;
            self.next.set(base);
            self.end.set(core::arch::wasm32::memory_size(0) * PAGE);
        }
    }

    /// Makes `[.., new_end)` available, growing memory if needed. False if it cannot.
    fn reserve(&self, new_end: usize) -> bool {
        let end = self.end.get();
        if new_end <= end {
            return true;
        }
        let pages = (new_end - end).div_ceil(PAGE);
        // No block below `MAX_BLOCK` needs more (`next <= end`); failing here first, without
        // asking, bounds the growth one allocation pays for (the static gas bounds read the
        // check).
        if pages > MAX_GROW {
            return false;
        }
        if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
            return false;
        }
        self.end.set(end + pages * PAGE);
        true
    }
}

impl Default for BumpAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: returned blocks are aligned as asked (`align_up`), lie in memory the module owns
// (below the current memory size after `reserve`) and never overlap a live block: `next`
// only moves back on `dealloc` of the block that ends at `next`, which is then dead.
unsafe impl GlobalAlloc for BumpAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.init();
        let next = self.next.get();
        // `align` is a power of two (a `Layout` invariant).
        let Some(start) = next.checked_add(layout.align() - 1).map(|n| n & !(layout.align() - 1)) else {
            return core::ptr::null_mut();
        };
        if layout.size() >= MAX_BLOCK {
            return core::ptr::null_mut();
        }
        let Some(new_next) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if !self.reserve(new_next) {
            return core::ptr::null_mut();
        }
        self.next.set(new_next);
        start as *mut u8
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: `alloc`'s contract, passed on.
        let p = unsafe { self.alloc(layout) };
        if !p.is_null() {
            // SAFETY: `p` holds `layout.size()` bytes; `& SIZE_MASK` changes no block's size.
            unsafe { core::ptr::write_bytes(p, 0, layout.size() & SIZE_MASK) };
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= MAX_BLOCK {
            return core::ptr::null_mut();
        }
        let start = ptr as usize;
        if start + layout.size() == self.next.get() {
            // The most recent block: resize it in place.
            if let Some(new_next) = start.checked_add(new_size) {
                if self.reserve(new_next) {
                    self.next.set(new_next);
                    return ptr;
                }
            }
            return core::ptr::null_mut();
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: `layout.align()` with `new_size` is valid: `realloc`'s contract.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a fresh block of `new_size >= layout.size()` bytes, disjoint from `ptr`.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                // `& SIZE_MASK` changes no block's size (see `SIZE_MASK`).
                core::ptr::copy_nonoverlapping(ptr, new, layout.size() & SIZE_MASK);
            }
            new
        }
    }
}

#[global_allocator]
static ALLOC: BumpAlloc = BumpAlloc::new();
