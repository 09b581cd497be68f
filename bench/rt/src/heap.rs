//! A bump allocator over a static heap: allocation moves a pointer up; freeing or growing the
//! most recent block works in place, other frees are ignored. Enough for a program that runs
//! once and stops.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const HEAP_SIZE: usize = 64 << 20;

#[repr(C, align(16))]
struct Heap(UnsafeCell<[u8; HEAP_SIZE]>);

struct Bump {
    /// Offset of the first free byte in `HEAP`.
    next: UnsafeCell<usize>,
}

// SAFETY: the machine has one hart and no interrupts, so nothing runs concurrently.
unsafe impl Sync for Heap {}
// SAFETY: as above.
unsafe impl Sync for Bump {}

static HEAP: Heap = Heap(UnsafeCell::new([0; HEAP_SIZE]));

#[global_allocator]
static ALLOC: Bump = Bump { next: UnsafeCell::new(0) };

fn base() -> usize {
    HEAP.0.get() as usize
}

// SAFETY (all methods): `next` is only touched here, one call at a time (one hart); every
// block handed out lies inside HEAP, is aligned as asked, and is never handed out twice
// while live (blocks below `next` are live or leaked; a freed last block lowers `next`).
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl comment.
        let next = unsafe { &mut *self.next.get() };
        let start = (base() + *next).next_multiple_of(layout.align()) - base();
        match start.checked_add(layout.size()) {
            Some(end) if end <= HEAP_SIZE => {
                *next = end;
                (base() + start) as *mut u8
            }
            _ => null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: see the impl comment.
        let next = unsafe { &mut *self.next.get() };
        if ptr as usize + layout.size() == base() + *next {
            *next = ptr as usize - base();
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl comment.
        let next = unsafe { &mut *self.next.get() };
        let start = ptr as usize - base();
        if start + layout.size() == *next {
            if let Some(end) = start.checked_add(new_size).filter(|&e| e <= HEAP_SIZE) {
                *next = end;
                return ptr;
            }
            return null_mut();
        }
        // SAFETY: the new layout is valid (same align, size checked by the caller's contract).
        let new = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            // SAFETY: both blocks are live, distinct, and at least min(old, new) bytes long.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}
