//! The global allocator: size classes with free lists over a bump region.
//!
//! Small blocks (up to [`MAX_SMALL`] bytes, alignment up to 16) are rounded up to a power of
//! two; a freed one goes on its class's free list and is handed out again first, so a block
//! that allocates and frees the same shapes over and over (transactions, frames, trie nodes)
//! runs in bounded memory. Larger blocks are carved from the top of the bump region; freeing
//! or growing the most recent one works in place, other large frees are kept (a block runs
//! once). Running out of heap is an allocation failure, which panics: a failed run.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

extern "C" {
    static mut __heap_start: u8;
    static mut __heap_end: u8;
}

/// Smallest class: 16 bytes.
const MIN_SHIFT: u32 = 4;
/// Largest small block: 64 KiB.
const MAX_SHIFT: u32 = 16;
const MAX_SMALL: usize = 1 << MAX_SHIFT;
const CLASSES: usize = (MAX_SHIFT - MIN_SHIFT + 1) as usize;

struct State {
    /// Next free byte of the bump region (0 before the first allocation).
    next: usize,
    end: usize,
    /// The most recent large block (start), which can be freed or grown in place.
    last_large: usize,
    /// Heads of the free lists: each free block's first word links to the next.
    free: [usize; CLASSES],
}

struct Heap(UnsafeCell<State>);

// SAFETY: the kernel runs on one hart without interrupts: nothing runs concurrently.
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(State { next: 0, end: 0, last_large: 0, free: [0; CLASSES] }));

fn class_of(layout: &Layout) -> Option<usize> {
    if layout.size() > MAX_SMALL || layout.align() > 16 {
        return None;
    }
    let size = layout.size().max(1 << MIN_SHIFT).next_power_of_two();
    Some((size.trailing_zeros() - MIN_SHIFT) as usize)
}

impl State {
    fn bump(&mut self, size: usize, align: usize) -> *mut u8 {
        if self.next == 0 {
            // Only the symbols' addresses are taken (the linker script defines them).
            self.next = &raw mut __heap_start as usize;
            self.end = &raw mut __heap_end as usize;
        }
        let start = self.next.next_multiple_of(align.max(16));
        match start.checked_add(size) {
            Some(end) if end <= self.end => {
                self.next = end;
                start as *mut u8
            }
            _ => null_mut(),
        }
    }
}

// SAFETY (all methods): one call at a time (one hart); every block handed out lies in the
// heap region, is aligned as asked, and is not handed out again while live: a small block
// re-enters its class's list only when freed, a large one is reused only if it was the last.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl comment.
        let s = unsafe { &mut *self.0.get() };
        match class_of(&layout) {
            Some(c) => {
                let head = s.free[c];
                if head != 0 {
                    // SAFETY: a free block's first word holds the next free block.
                    s.free[c] = unsafe { *(head as *const usize) };
                    return head as *mut u8;
                }
                s.bump(1 << (c as u32 + MIN_SHIFT), 16)
            }
            None => {
                let p = s.bump(layout.size(), layout.align());
                if !p.is_null() {
                    s.last_large = p as usize;
                }
                p
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: see the impl comment.
        let s = unsafe { &mut *self.0.get() };
        match class_of(&layout) {
            Some(c) => {
                // SAFETY: the block is at least 16 bytes and 16-aligned: room for a link.
                unsafe { *(ptr as *mut usize) = s.free[c] };
                s.free[c] = ptr as usize;
            }
            None => {
                if ptr as usize == s.last_large && ptr as usize + layout.size() == s.next {
                    s.next = ptr as usize;
                    s.last_large = 0;
                }
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract: `new_size` with `layout.align()` is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let (old_class, new_class) = (class_of(&layout), class_of(&new_layout));
        if old_class.is_some() && old_class == new_class {
            return ptr;
        }
        {
            // SAFETY: see the impl comment.
            let s = unsafe { &mut *self.0.get() };
            let last = old_class.is_none()
                && new_class.is_none()
                && ptr as usize == s.last_large
                && ptr as usize + layout.size() == s.next;
            if last {
                if let Some(end) = (ptr as usize).checked_add(new_size).filter(|&e| e <= s.end) {
                    s.next = end;
                    return ptr;
                }
                return null_mut();
            }
        }
        // SAFETY: a valid layout (see above).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct, each at least min(old, new) bytes.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}
