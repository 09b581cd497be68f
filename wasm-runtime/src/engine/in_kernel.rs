//! Compiled contract code inside the kernel (DESIGN.md §2, kernel mode; docs/kernel.md,
//! "Milestone 2"): the engine the kernel runs contracts on, built for RV64IM only.
//!
//! A contract's metered module is compiled in rv-backend's sandboxed mode
//! ([`rv_backend::abi::sandbox`]) once per artifact, and the code, with its read-only data
//! after it, is made executable by the platform ([`KernelPlatform::install_code`]). Its
//! instances run on the machine the kernel runs on, in the kernel's own address space:
//!
//! - **Memory.** Each instance takes a chunk of the arena the platform gives
//!   ([`KernelPlatform::arena`]): its VM context, then [`rv::STACK_SIZE`] bytes of stack (the
//!   context's top, `tp`, is the stack's bottom), then its table, then its linear memory. Frames
//!   nest, so chunks are taken and given back last-in, first-out, and the running instance's
//!   chunk is always the last: its memory grows in place. Bytes a chunk reuses are zeroed;
//!   bytes the arena never handed out are zero already.
//! - **Switching.** [`zkos_code_resume`] saves the kernel's callee-saved registers in the
//!   instance's [`Context`], loads the code's registers from it and jumps to its `pc`. The
//!   code comes back in two ways, both saving all its registers in the context and restoring
//!   the kernel's: returning from the export (to `zkos_code_return`, the `ra` of the call),
//!   or jumping to the VM context's entry (`zkos_code_entry`) for a host function, an engine
//!   service or a trap, with the return address in `t0`, which the entry first keeps in the
//!   context's [`vmctx::EMBEDDER`] slot. Running it again resumes there. The code never
//!   runs on the kernel's stack, and the kernel never on the code's: a host function that
//!   calls another contract returns [`Event::Host`] to the frame loop like every engine, the
//!   callee runs in a chunk of its own, and the caller resumes afterwards.
//! - **Bounds.** The sandboxed mode checks every access against the memory's size (`s10`),
//!   relative to its base (`s11`), so the code touches nothing but its own chunk, its code and
//!   read-only data, whatever else the kernel has mapped.
//!
//! Frames, host calls, gas and outcomes are [`super::rv`]'s, by the same code
//! ([`rv::Running`]); only the instance differs. The machine counts every instruction the
//! code executes as the kernel's own: [`Code::instret`] is 0 here.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::arch::global_asm;
use core::cell::UnsafeCell;
use core::fmt;

use rv_backend::abi::{vmctx, Service, TrapCode, PAGE_SIZE};
use rv_backend::{Compiled, SegmentInfo};

use super::rv::{self, Code, LeafHost};
use super::rv_instance::{canonical, Config, Event, Imports, InstantiateError, Layout, Placement, Trap};
use crate::error::{Internal, InternalKind};
use crate::exec::{Artifact, Stats};
use crate::host::{Kept, KEPT_FUNCTIONS};

/// What the platform (the kernel's machine) supplies.
#[derive(Clone, Copy, Debug)]
pub struct KernelPlatform {
    /// Where `len` bytes of code can be installed (a fresh range), or `None`.
    pub code_address: fn(len: u64) -> Option<u64>,
    /// Makes `bytes` executable and read-only at `at` (an address `code_address` gave); the
    /// machine's `fence.i`. `false` if it cannot.
    pub install_code: fn(at: u64, bytes: &[u8]) -> bool,
    /// The arena instances take their chunks from, `[start, end)`: zeroed, readable and
    /// writable, used by nothing else.
    pub arena: (u64, u64),
}

/// State of the one hart the kernel runs on.
#[repr(transparent)]
struct Global<T>(UnsafeCell<T>);

// SAFETY: the kernel runs on one hart without interrupts: nothing runs concurrently.
unsafe impl<T> Sync for Global<T> {}

/// The context whose code is running (read by the entry and the return, written by
/// [`zkos_code_resume`]).
static CURRENT: Global<*mut Context> = Global(UnsafeCell::new(core::ptr::null_mut()));

static PLATFORM: Global<Option<KernelPlatform>> = Global(UnsafeCell::new(None));

static ARENA: Global<Arena> = Global(UnsafeCell::new(Arena::EMPTY));

/// Installs the platform; the kernel calls it once before running a block.
pub fn install(platform: KernelPlatform) {
    // SAFETY: one hart; no reference into either static is alive.
    unsafe {
        *PLATFORM.0.get() = Some(platform);
        *ARENA.0.get() = Arena::new(platform.arena.0, platform.arena.1);
    }
}

fn platform() -> Option<KernelPlatform> {
    // SAFETY: one hart; the value is copied out.
    unsafe { *PLATFORM.0.get() }
}

/// Runs `f` on the arena.
fn arena<R>(f: impl FnOnce(&mut Arena) -> R) -> R {
    // SAFETY: one hart, and `f` cannot reach the arena again (nothing it is given does).
    f(unsafe { &mut *ARENA.0.get() })
}

/// The chunks of the instances alive, last-in first-out (a chunk dropped out of order is
/// given back once those above it are).
struct Arena {
    start: u64,
    end: u64,
    /// Every byte below this was handed out once (and may hold old data); every byte above
    /// it is still zero.
    high: u64,
    /// `(start, end, alive)` of each chunk, the newest last.
    chunks: Vec<(u64, u64, bool)>,
}

impl Arena {
    const EMPTY: Arena = Arena { start: 0, end: 0, high: 0, chunks: Vec::new() };

    fn new(start: u64, end: u64) -> Arena {
        Arena { start, end, high: start, chunks: Vec::new() }
    }

    /// Where the next chunk starts.
    fn top(&self) -> u64 {
        self.chunks.last().map_or(self.start, |c| c.1)
    }

    /// Takes `[start, end)` as a new chunk (`start` at or above [`Self::top`]); zeroes its
    /// bytes in `zero` that an earlier chunk may have written.
    fn take(&mut self, start: u64, end: u64, zero: &[(u64, u64)]) -> bool {
        if start < self.top() || end > self.end || start > end {
            return false;
        }
        for &(from, to) in zero {
            self.zero(from, to);
        }
        self.chunks.push((start, end, true));
        self.high = self.high.max(end);
        true
    }

    /// Moves the end of the newest chunk, which starts at `start`, to `end`; zeroes what it
    /// gains.
    fn grow(&mut self, start: u64, end: u64) -> bool {
        let Some(last) = self.chunks.last().copied() else {
            return false;
        };
        if last.0 != start || !last.2 || end > self.end || end < last.1 {
            return false;
        }
        self.zero(last.1, end);
        self.chunks.last_mut().map(|c| c.1 = end);
        self.high = self.high.max(end);
        true
    }

    /// Zeroes `[from, to)` where it lies below the high mark.
    fn zero(&mut self, from: u64, to: u64) {
        let to = to.min(self.high);
        if from < to {
            // SAFETY: the range lies in the arena, in a chunk being taken or grown: no
            // instance uses it.
            unsafe { zero_bytes(from, to) };
        }
    }

    /// Gives back the chunk that starts at `start`.
    fn give_back(&mut self, start: u64) {
        if let Some(c) = self.chunks.iter_mut().rev().find(|c| c.0 == start && c.2) {
            c.2 = false;
        }
        while self.chunks.last().is_some_and(|c| !c.2) {
            self.chunks.pop();
        }
    }
}

/// Zeroes `[from, to)`: 512 bytes a step (64 doubleword stores, an add and a branch: 8.25
/// instructions per 64 bytes, where a store per doubleword is 8) through the 512-byte-aligned
/// middle, then 64 bytes a step, bytes at the ends. A chunk's memory (page-aligned, whole
/// pages) is all middle: about 8,450 instructions a 64 KiB page, where a plain `memset` loop
/// takes three times that (every instance that reuses arena bytes zeroes its memory: a
/// call's largest fixed cost).
///
/// # Safety
/// `[from, to)` must be writable and in use by nothing.
unsafe fn zero_bytes(from: u64, to: u64) {
    let head = from.next_multiple_of(64).min(to);
    let tail = (to & !63).max(head);
    let big = head.next_multiple_of(512).min(tail);
    let big_end = (tail & !511).max(big);
    // SAFETY: every pointer below lies in `[from, to)`, which the caller gives; the middle
    // parts are 64-byte aligned. (Volatile stores, or LLVM turns the loops back into `memset`.)
    unsafe {
        core::ptr::write_bytes(from as *mut u8, 0, (head - from) as usize);
        zero_blocks::<1>(head, big);
        zero_blocks::<8>(big, big_end);
        zero_blocks::<1>(big_end, tail);
        core::ptr::write_bytes(tail as *mut u8, 0, (to - tail) as usize);
    }
}

/// Zeroes `[from, to)`, `64 * N` bytes a step (`from` 8-byte aligned, the length a multiple of
/// `64 * N`).
///
/// # Safety
/// As [`zero_bytes`].
#[inline(always)]
unsafe fn zero_blocks<const N: usize>(from: u64, to: u64) {
    let mut p = from as *mut u64;
    let end = to as *mut u64;
    // SAFETY: the caller's range; every store lies below `end`.
    unsafe {
        while p < end {
            for k in 0..8 * N {
                p.add(k).write_volatile(0);
            }
            p = p.add(8 * N);
        }
    }
}

/// The registers of an instance's code and of the kernel while the code runs.
/// [`zkos_code_resume`], `zkos_code_entry` and `zkos_code_return` use its offsets.
#[repr(C)]
struct Context {
    /// `x0..x31` of the code (`x0` unused).
    regs: [u64; 32],
    /// Where the code resumes.
    pc: u64,
    /// The kernel's `ra`, `sp`, `gp`, `tp`, `s0..s11` while the code runs.
    kernel: [u64; 16],
}

const _: () = assert!(core::mem::offset_of!(Context, pc) == 256);
const _: () = assert!(core::mem::offset_of!(Context, kernel) == 264);

/// `x` numbers of the registers the engine reads and writes.
const RA: usize = 1;
const SP: usize = 2;
const GP: usize = 3;
const TP: usize = 4;
const A0: usize = 10;
const A7: usize = 17;
const S10: usize = 26;
const S11: usize = 27;

/// Why [`zkos_code_resume`] returned.
const LEFT_RETURNED: u64 = 0;
const LEFT_AT_ENTRY: u64 = 1;

extern "C" {
    /// Runs the code of the context until it returns or jumps to the entry.
    fn zkos_code_resume(ctx: *mut Context) -> u64;
    /// The VM context's entry (never called from Rust: its address only).
    fn zkos_code_entry();
    /// The return address of calls (never called from Rust: its address only).
    fn zkos_code_return();
}

/// Saves every register of the code but `t0` (which holds the context) in the context.
macro_rules! save_code_registers {
    () => {
        concat!(
            "    sd ra, 8(t0)\n",
            "    sd sp, 16(t0)\n",
            "    sd gp, 24(t0)\n",
            "    sd tp, 32(t0)\n",
            "    sd t1, 48(t0)\n",
            "    sd t2, 56(t0)\n",
            "    sd s0, 64(t0)\n",
            "    sd s1, 72(t0)\n",
            "    sd a0, 80(t0)\n",
            "    sd a1, 88(t0)\n",
            "    sd a2, 96(t0)\n",
            "    sd a3, 104(t0)\n",
            "    sd a4, 112(t0)\n",
            "    sd a5, 120(t0)\n",
            "    sd a6, 128(t0)\n",
            "    sd a7, 136(t0)\n",
            "    sd s2, 144(t0)\n",
            "    sd s3, 152(t0)\n",
            "    sd s4, 160(t0)\n",
            "    sd s5, 168(t0)\n",
            "    sd s6, 176(t0)\n",
            "    sd s7, 184(t0)\n",
            "    sd s8, 192(t0)\n",
            "    sd s9, 200(t0)\n",
            "    sd s10, 208(t0)\n",
            "    sd s11, 216(t0)\n",
            "    sd t3, 224(t0)\n",
            "    sd t4, 232(t0)\n",
            "    sd t5, 240(t0)\n",
            "    sd t6, 248(t0)\n",
        )
    };
}

global_asm!(
    ".pushsection .text.zkos_code, \"ax\", @progbits",
    ".p2align 2",
    ".globl zkos_code_resume",
    "zkos_code_resume:",
    // The kernel's callee-saved registers.
    "    sd ra, 264(a0)",
    "    sd sp, 272(a0)",
    "    sd gp, 280(a0)",
    "    sd tp, 288(a0)",
    "    sd s0, 296(a0)",
    "    sd s1, 304(a0)",
    "    sd s2, 312(a0)",
    "    sd s3, 320(a0)",
    "    sd s4, 328(a0)",
    "    sd s5, 336(a0)",
    "    sd s6, 344(a0)",
    "    sd s7, 352(a0)",
    "    sd s8, 360(a0)",
    "    sd s9, 368(a0)",
    "    sd s10, 376(a0)",
    "    sd s11, 384(a0)",
    "    lla t0, {current}",
    "    sd a0, 0(t0)",
    // The code's registers (`t0` takes the `pc`, `a0` the base, last).
    "    ld ra, 8(a0)",
    "    ld sp, 16(a0)",
    "    ld gp, 24(a0)",
    "    ld tp, 32(a0)",
    "    ld t1, 48(a0)",
    "    ld t2, 56(a0)",
    "    ld s0, 64(a0)",
    "    ld s1, 72(a0)",
    "    ld a1, 88(a0)",
    "    ld a2, 96(a0)",
    "    ld a3, 104(a0)",
    "    ld a4, 112(a0)",
    "    ld a5, 120(a0)",
    "    ld a6, 128(a0)",
    "    ld a7, 136(a0)",
    "    ld s2, 144(a0)",
    "    ld s3, 152(a0)",
    "    ld s4, 160(a0)",
    "    ld s5, 168(a0)",
    "    ld s6, 176(a0)",
    "    ld s7, 184(a0)",
    "    ld s8, 192(a0)",
    "    ld s9, 200(a0)",
    "    ld s10, 208(a0)",
    "    ld s11, 216(a0)",
    "    ld t3, 224(a0)",
    "    ld t4, 232(a0)",
    "    ld t5, 240(a0)",
    "    ld t6, 248(a0)",
    "    ld t0, 256(a0)",
    "    ld a0, 80(a0)",
    "    jr t0",
    "",
    // Host functions, services and traps: `t0` holds the return address. First what a call
    // clobbers (and the code's `sp`, `gp`, `tp`) is saved and the kernel's leaf fast path
    // (`zkos_code_leaf`) tries the call on the kernel's stack; the callee-saved registers keep
    // the code's values through it. Done: back to the code. Else the rest is saved and the
    // code leaves for the frame loop.
    ".globl zkos_code_entry",
    "zkos_code_entry:",
    "    sd t0, {embedder}(tp)",
    // A getter answered since the code last left ([`Fast`]): charged and answered here,
    // with `t1..t3` as the only scratch registers (kept in `Fast::save`). None kept (as in
    // code that calls no getter): straight on.
    "    lla t0, {fast}",
    "    ld t0, {valid}(t0)",
    "    beqz t0, .Lzkos_code_saving",
    "    lla t0, {fast}",
    "    sd t1, 0(t0)",
    "    sd t2, 8(t0)",
    "    sd t3, 16(t0)",
    "    li t1, {leaf_base}",
    "    sub t1, a7, t1",
    "    sltiu t2, t1, 128",
    "    beqz t2, .Lzkos_fast_miss",
    "    add t2, t0, t1",
    "    lbu t1, {slot_of}(t2)",
    "    ld t2, {valid}(t0)",
    "    srl t2, t2, t1",
    "    andi t2, t2, 1",
    "    beqz t2, .Lzkos_fast_miss",
    "    slli t1, t1, 6",
    "    add t1, t1, t0",
    "    ld t2, {kept_price}(t1)",
    "    blt gp, t2, .Lzkos_fast_miss",
    "    ld t3, {kept_len}(t1)",
    "    bnez t3, .Lzkos_fast_write",
    "    ld a0, {kept_data}(t1)",
    "    j .Lzkos_fast_done",
    // `len` bytes at the first argument, a 32-bit offset: within the memory (`s10` bytes at
    // `s11`) and 4-byte aligned, or the general way.
    ".Lzkos_fast_write:",
    "    slli t2, a0, 32",
    "    srli t2, t2, 32",
    "    add t3, t3, t2",
    "    bltu s10, t3, .Lzkos_fast_miss",
    "    andi t3, t2, 3",
    "    bnez t3, .Lzkos_fast_miss",
    "    add t2, t2, s11",
    "    lw t3, {kept_data}(t1)",
    "    sw t3, 0(t2)",
    "    lw t3, {kept_data}+4(t1)",
    "    sw t3, 4(t2)",
    "    lw t3, {kept_data}+8(t1)",
    "    sw t3, 8(t2)",
    "    lw t3, {kept_data}+12(t1)",
    "    sw t3, 12(t2)",
    "    lw t3, {kept_data}+16(t1)",
    "    sw t3, 16(t2)",
    "    ld t3, {kept_len}(t1)",
    "    addi t3, t3, -20",
    "    beqz t3, .Lzkos_fast_written",
    "    lw t3, {kept_data}+20(t1)",
    "    sw t3, 20(t2)",
    "    lw t3, {kept_data}+24(t1)",
    "    sw t3, 24(t2)",
    "    lw t3, {kept_data}+28(t1)",
    "    sw t3, 28(t2)",
    ".Lzkos_fast_written:",
    "    li a0, 0",
    ".Lzkos_fast_done:",
    "    ld t2, {kept_price}(t1)",
    "    sub gp, gp, t2",
    "    ld t2, {reserve}(t0)",
    "    beqz t2, 1f",
    "    sd zero, 0(t2)",
    "1:",
    "    ld t1, 0(t0)",
    "    ld t2, 8(t0)",
    "    ld t3, 16(t0)",
    "    ld t0, {embedder}(tp)",
    "    jr t0",
    ".Lzkos_fast_miss:",
    "    ld t1, 0(t0)",
    "    ld t2, 8(t0)",
    "    ld t3, 16(t0)",
    ".Lzkos_code_saving:",
    "    lla t0, {current}",
    "    ld t0, 0(t0)",
    "    sd ra, 8(t0)",
    "    sd sp, 16(t0)",
    "    sd gp, 24(t0)",
    "    sd tp, 32(t0)",
    "    sd t1, 48(t0)",
    "    sd t2, 56(t0)",
    "    sd a0, 80(t0)",
    "    sd a1, 88(t0)",
    "    sd a2, 96(t0)",
    "    sd a3, 104(t0)",
    "    sd a4, 112(t0)",
    "    sd a5, 120(t0)",
    "    sd a6, 128(t0)",
    "    sd a7, 136(t0)",
    "    sd t3, 224(t0)",
    "    sd t4, 232(t0)",
    "    sd t5, 240(t0)",
    "    sd t6, 248(t0)",
    "    ld t1, {embedder}(tp)",
    "    sd t1, 256(t0)",
    // Only the leaf functions' numbers are worth trying ([`LEAF_KIND`]: 0 none, 1 a leaf
    // function, 2 a getter, whose answer `zkos_code_leaf_keep` also keeps).
    "    li t2, {leaf_base}",
    "    sub t1, a7, t2",
    "    li t2, 128",
    "    bgeu t1, t2, .Lzkos_code_general",
    "    lla t3, {leaf_kind}",
    "    add t3, t3, t1",
    "    lbu t3, 0(t3)",
    "    beqz t3, .Lzkos_code_general",
    "    ld sp, 272(t0)",
    "    ld gp, 280(t0)",
    "    ld tp, 288(t0)",
    "    mv a0, t0",
    "    addi t3, t3, -1",
    "    bnez t3, 1f",
    "    call {leaf}",
    "    j 2f",
    "1:",
    "    call {leaf_keep}",
    "2:",
    "    lla t0, {current}",
    "    ld t0, 0(t0)",
    "    beqz a0, .Lzkos_code_general",
    "    ld ra, 8(t0)",
    "    ld sp, 16(t0)",
    "    ld gp, 24(t0)",
    "    ld tp, 32(t0)",
    "    ld t1, 48(t0)",
    "    ld t2, 56(t0)",
    "    ld a0, 80(t0)",
    "    ld a1, 88(t0)",
    "    ld a2, 96(t0)",
    "    ld a3, 104(t0)",
    "    ld a4, 112(t0)",
    "    ld a5, 120(t0)",
    "    ld a6, 128(t0)",
    "    ld a7, 136(t0)",
    "    ld t3, 224(t0)",
    "    ld t4, 232(t0)",
    "    ld t5, 240(t0)",
    "    ld t6, 248(t0)",
    "    ld t0, 256(t0)",
    "    jr t0",
    ".Lzkos_code_general:",
    "    sd s0, 64(t0)",
    "    sd s1, 72(t0)",
    "    sd s2, 144(t0)",
    "    sd s3, 152(t0)",
    "    sd s4, 160(t0)",
    "    sd s5, 168(t0)",
    "    sd s6, 176(t0)",
    "    sd s7, 184(t0)",
    "    sd s8, 192(t0)",
    "    sd s9, 200(t0)",
    "    sd s10, 208(t0)",
    "    sd s11, 216(t0)",
    "    li a0, {at_entry}",
    "    j .Lzkos_code_leave",
    "",
    // The export returned.
    ".globl zkos_code_return",
    "zkos_code_return:",
    "    lla t0, {current}",
    "    ld t0, 0(t0)",
    save_code_registers!(),
    "    li a0, {returned}",
    "",
    ".Lzkos_code_leave:",
    "    ld ra, 264(t0)",
    "    ld sp, 272(t0)",
    "    ld gp, 280(t0)",
    "    ld tp, 288(t0)",
    "    ld s0, 296(t0)",
    "    ld s1, 304(t0)",
    "    ld s2, 312(t0)",
    "    ld s3, 320(t0)",
    "    ld s4, 328(t0)",
    "    ld s5, 336(t0)",
    "    ld s6, 344(t0)",
    "    ld s7, 352(t0)",
    "    ld s8, 360(t0)",
    "    ld s9, 368(t0)",
    "    ld s10, 376(t0)",
    "    ld s11, 384(t0)",
    "    ret",
    "",
    ".popsection",
    current = sym CURRENT,
    leaf = sym zkos_code_leaf,
    leaf_base = const crate::host::LEAF_BASE,
    leaf_kind = sym LEAF_KIND,
    leaf_keep = sym zkos_code_leaf_keep,
    fast = sym FAST,
    slot_of = const core::mem::offset_of!(Fast, slot_of),
    valid = const core::mem::offset_of!(Fast, valid),
    reserve = const core::mem::offset_of!(Fast, reserve),
    kept_price = const core::mem::offset_of!(Fast, kept) + core::mem::offset_of!(Kept, price),
    kept_len = const core::mem::offset_of!(Fast, kept) + core::mem::offset_of!(Kept, len),
    kept_data = const core::mem::offset_of!(Fast, kept) + core::mem::offset_of!(Kept, data),
    embedder = const vmctx::EMBEDDER,
    at_entry = const LEFT_AT_ENTRY,
    returned = const LEFT_RETURNED,
);

/// The leaf fast path of the running instance ([`Code::run_hosted`]), which `zkos_code_entry`
/// tries first ([`zkos_code_leaf`]).
struct Hook<'a> {
    leaf: LeafHost<'a>,
    /// The instance's linear memory: its address and size in bytes.
    memory: u64,
    bytes: u64,
    /// The address of the gas reserve global's VM-context slot, or 0.
    reserve_slot: u64,
}

/// What the entry does with function number `LEAF_BASE + i`: 0 the general way, 1 the leaf
/// path ([`zkos_code_leaf`]; the functions of [`crate::host::LEAF_MASK`]), 2 the leaf path
/// keeping the answer ([`zkos_code_leaf_keep`]; [`KEPT_FUNCTIONS`]).
static LEAF_KIND: [u8; 128] = {
    let mut kind = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        if crate::host::LEAF_MASK[i / 64] >> (i % 64) & 1 == 1 {
            kind[i] = 1;
        }
        i += 1;
    }
    let mut k = 0;
    while k < KEPT_FUNCTIONS.len() {
        let i = (KEPT_FUNCTIONS[k].number() - crate::host::LEAF_BASE) as usize;
        assert!(kind[i] == 1, "a kept function that is no leaf function");
        kind[i] = 2;
        k += 1;
    }
    kind
};

/// A [`Kept`] in a slot of 64 bytes (the entry finds slot `s` at `64 * s`).
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct KeptSlot(Kept);

/// The getters' answers kept for the running code ([`crate::host::KEPT_FUNCTIONS`]): a call
/// of one whose slot is valid is charged and answered by `zkos_code_entry` itself, in a few
/// dozen instructions, without the switch to the kernel's stack. [`zkos_code_leaf`] fills a
/// slot when it runs the function; every resume ([`KernelInstance::run_with`]) invalidates
/// them all, since what they answer may change only while the code is away (a call, a
/// create, a self-destruct, or another frame's code running).
#[repr(C, align(64))]
struct Fast {
    /// The code's `t1..t3` while the entry answers.
    save: [u64; 3],
    /// Bit `s` set: `kept[s]` answers its function's calls until the code next leaves.
    valid: u64,
    /// The running code's reserve slot ([`Hook::reserve_slot`]), zeroed after each answer, or 0.
    reserve: u64,
    /// The slot of function number `LEAF_BASE + i`, or [`NO_SLOT`] (a bit `valid` never has).
    slot_of: [u8; 128],
    kept: [KeptSlot; KEPT_FUNCTIONS.len()],
}

/// The slot of a function that has none: above every slot, so its bit in `valid` is never set.
const NO_SLOT: u8 = 63;
const _: () = assert!(KEPT_FUNCTIONS.len() < NO_SLOT as usize);
// The entry reaches every slot's fields with a 12-bit signed offset.
const _: () = assert!(core::mem::offset_of!(Fast, kept) + 64 * KEPT_FUNCTIONS.len() < 2048);

/// [`Fast::slot_of`]: slot `i` for the `i`-th of [`KEPT_FUNCTIONS`].
const fn slot_table() -> [u8; 128] {
    let mut table = [NO_SLOT; 128];
    let mut i = 0;
    while i < KEPT_FUNCTIONS.len() {
        let bit = KEPT_FUNCTIONS[i].number() - crate::host::LEAF_BASE;
        assert!(bit < 128, "a kept function outside the table");
        table[bit as usize] = i as u8;
        i += 1;
    }
    table
}

static FAST: Global<Fast> = Global(UnsafeCell::new(Fast {
    save: [0; 3],
    valid: 0,
    reserve: 0,
    slot_of: slot_table(),
    kept: [KeptSlot(Kept { price: 0, len: 0, data: [0; 32] }); KEPT_FUNCTIONS.len()],
}));

/// The slot of host function number `number`, if it has one.
fn slot_of(number: u32) -> Option<usize> {
    const TABLE: [u8; 128] = slot_table();
    let i = number.checked_sub(crate::host::LEAF_BASE)?;
    let s = *TABLE.get(i as usize)?;
    (s != NO_SLOT).then_some(s as usize)
}

/// The [`Hook`] of the running code, or null (no fast path: every host call leaves).
static HOOK: Global<*mut ()> = Global(UnsafeCell::new(core::ptr::null_mut()));

/// Called by `zkos_code_entry` on the kernel's stack with the running context, the code's
/// registers saved in it: runs the host call through the running instance's [`Hook`] if it
/// can, writing the result in `a0` and the gas in `gp`, and answers 1; 0 if it did nothing
/// (no hook, a service or a trap, a call the fast path does not run).
extern "C" fn zkos_code_leaf(ctx: *mut Context) -> u64 {
    leaf_call::<false>(ctx)
}

/// [`zkos_code_leaf`] for a getter ([`KEPT_FUNCTIONS`]): its answer is also kept in its
/// [`Fast`] slot, so its next calls are answered at the entry until the code leaves.
extern "C" fn zkos_code_leaf_keep(ctx: *mut Context) -> u64 {
    leaf_call::<true>(ctx)
}

#[inline(always)]
fn leaf_call<const KEEP: bool>(ctx: *mut Context) -> u64 {
    // SAFETY: one hart; the hook is set only while `run_with` waits in `zkos_code_resume`,
    // pointing at its live `Hook`, which nothing else uses meanwhile.
    let hook = unsafe { *HOOK.0.get() };
    if hook.is_null() {
        return 0;
    }
    // SAFETY: see above; `ctx` is the running context (`CURRENT`), a live `Box<Context>`
    // whose owner waits in `zkos_code_resume`.
    let (hook, ctx) = unsafe { (&mut *hook.cast::<Hook<'_>>(), &mut *ctx) };
    let Ok(number) = u32::try_from(ctx.regs[A7]) else {
        return 0;
    };
    let Ok(mut gas) = u64::try_from(ctx.regs[GP] as i64) else {
        return 0;
    };
    // SAFETY: the instance's memory, `bytes` long in its chunk; its code does not run meanwhile.
    let mem = unsafe { core::slice::from_raw_parts_mut(hook.memory as *mut u8, hook.bytes as usize) };
    // The six argument registers, in place.
    let Some(args) = ctx.regs.first_chunk::<{ A0 + 6 }>().and_then(|r| r.last_chunk::<6>()) else {
        return 0;
    };
    let before = gas;
    let Some(v) = hook.leaf.call(number, args, mem, &mut gas) else {
        return 0;
    };
    if KEEP {
        keep(number, before - gas, v, args, mem);
    }
    ctx.regs[A0] = v;
    ctx.regs[GP] = gas;
    if hook.reserve_slot != 0 {
        // SAFETY: a slot of the instance's VM context (the layout's offset of the global).
        unsafe { *(hook.reserve_slot as *mut u64) = 0 };
    }
    1
}

/// Keeps the answer of a getter's call ([`Kept::after`]) in its slot for the rest of the
/// resume.
#[inline(never)]
fn keep(number: u32, price: u64, value: u64, args: &[u64; 6], mem: &[u8]) {
    let Some(s) = slot_of(number) else {
        return;
    };
    if let Some(k) = Kept::after(number, price, value, args, mem) {
        // SAFETY: one hart; the entry reads `FAST` only while the code runs, not now.
        let fast = unsafe { &mut *FAST.0.get() };
        if let Some(place) = fast.kept.get_mut(s) {
            place.0 = k;
            fast.valid |= 1 << s;
        }
    }
}

/// A module compiled in the sandboxed mode with its code installed: what instances of one
/// artifact share.
pub(crate) struct KernelImage {
    compiled: Compiled,
    /// Where the code is (the read-only data at `+ rodata_offset`).
    code: u64,
}

impl KernelImage {
    /// The compiled module.
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }
}

impl fmt::Debug for KernelImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KernelImage").field("code", &self.code).finish_non_exhaustive()
    }
}

/// The frames' configuration (every engine's).
fn config() -> Config {
    rv::config()
}

/// The sandboxed mode's image of `artifact`: compiled and installed on its first frame and
/// kept with the artifact (errors too). The compiler refusing the module, or the platform
/// refusing the code, is an internal error.
pub(crate) fn image(stats: &mut Stats, artifact: &Artifact) -> Result<Rc<KernelImage>, Internal> {
    if artifact.kernel_code.get().is_none() {
        stats.rv_compilations += 1;
    }
    artifact.kernel_code.get_or_init(|| install_image(artifact)).clone()
}

/// The artifact's code compiled (or taken from its committed image) and installed.
fn install_image(artifact: &Artifact) -> Result<Rc<KernelImage>, Internal> {
    let refused = |why| Internal::from(InternalKind::Instantiate(why));
    // A committed image is used if this build of the compiler made it; one from another
    // build (which may follow another ABI) is ignored and the module compiled again, as host
    // mode does (the artifact's committed leaf stays what it was).
    let committed = artifact.image.get().and_then(|image| Compiled::decode(image).ok());
    let compiled = match committed {
        Some(compiled) => compiled,
        None => {
            let options = rv_backend::Options { sandboxed: true, ..Default::default() };
            rv_backend::compile_with(&artifact.wasm, &options).map_err(InternalKind::Compile)?
        }
    };
    if !compiled.sandboxed {
        return Err(refused(InstantiateError::NotInstalled));
    }
    let platform = platform().ok_or(refused(InstantiateError::NotInstalled))?;
    let rodata_at = compiled.rodata_offset as usize;
    let len = if compiled.rodata.is_empty() { compiled.code.len() } else { rodata_at + compiled.rodata.len() };
    let len = len.max(4).next_multiple_of(4);
    let code = (platform.code_address)(len as u64).ok_or(refused(InstantiateError::NotInstalled))?;
    let mut bytes = Vec::with_capacity(len);
    bytes.extend_from_slice(&compiled.code);
    if !compiled.rodata.is_empty() {
        bytes.resize(rodata_at, 0);
        bytes.extend_from_slice(&compiled.rebased_rodata(code));
    }
    bytes.resize(len, 0);
    if !(platform.install_code)(code, &bytes) {
        return Err(refused(InstantiateError::NotInstalled));
    }
    Ok(Rc::new(KernelImage { compiled, code }))
}

/// An instance of a [`KernelImage`] in its chunk of the arena.
pub(crate) struct KernelInstance {
    image: Rc<KernelImage>,
    ctx: Box<Context>,
    place: Placement,
    /// Where its chunk starts.
    chunk: u64,
    pages: u64,
    max_pages: u64,
    /// The leaf fast path's reserve slot ([`Hook::reserve_slot`]), found on the first
    /// [`Code::run_hosted`]: `Some(None)` if the path is off for this instance.
    reserve_slot: Option<Option<u64>>,
}

/// A frame's code in the kernel.
pub(crate) type Running = rv::Running<KernelInstance>;

impl KernelInstance {
    fn new(image: &Rc<KernelImage>) -> Result<KernelInstance, InstantiateError> {
        let compiled = &image.compiled;
        let config = config();
        let ctx_size = compiled.vmctx.size();
        let start = arena(|a| a.top()).next_multiple_of(16);
        let tp = start + ctx_size.next_multiple_of(16);
        let table = tp + rv::STACK_SIZE;
        let mut place = Placement {
            code: image.code,
            rodata: image.code + compiled.rodata_offset,
            table,
            vmctx: tp,
            memory: 0,
            ret: zkos_code_return as *const () as u64,
            entry: zkos_code_entry as *const () as u64,
        };
        let layout = Layout::new(compiled, &config, &Imports::default(), &place, true)?;
        place.memory = (table + 8 * layout.table_max).next_multiple_of(64);
        let end = place.memory + layout.pages * PAGE_SIZE;
        let zero = [(table, table + 8 * layout.table_max), (place.memory, end)];
        if !arena(|a| a.take(start, end, &zero)) {
            return Err(InstantiateError::OutOfArena);
        }
        let inst = KernelInstance {
            image: image.clone(),
            ctx: Box::new(Context { regs: [0; 32], pc: 0, kernel: [0; 16] }),
            place,
            chunk: start,
            pages: layout.pages,
            max_pages: layout.max_pages,
            reserve_slot: None,
        };
        // SAFETY: the chunk is this instance's: `[tp - ctx_size, tp)` its VM context.
        unsafe {
            core::ptr::copy_nonoverlapping(layout.ctx.as_ptr(), (tp - ctx_size) as *mut u8, layout.ctx.len());
        }
        // Active segments, in order: elements, then data (dropping the instance on a trap
        // gives its chunk back).
        for &(elem, at, s) in &layout.actions {
            inst.apply(elem, at, s, layout.table_size)?;
        }
        let mut inst = inst;
        inst.ctx.regs[TP] = tp;
        inst.ctx.regs[S11] = place.memory;
        inst.ctx.regs[S10] = layout.pages * PAGE_SIZE;
        Ok(inst)
    }

    /// Copies an active segment into the table or the memory.
    fn apply(&self, elem: bool, at: u64, s: SegmentInfo, table_size: u64) -> Result<(), InstantiateError> {
        let (bound, unit, base, trap) = if elem {
            (table_size, 8, self.place.table, TrapCode::TableOutOfBounds)
        } else {
            (self.pages * PAGE_SIZE, 1, self.place.memory, TrapCode::MemoryOutOfBounds)
        };
        if at + s.len > bound {
            return Err(InstantiateError::Trap(trap));
        }
        let rodata_len = self.image.compiled.rodata.len() as u64;
        let bytes = s.len * unit;
        if s.rodata_offset + bytes > rodata_len {
            return Err(InstantiateError::SegmentOutsideRodata);
        }
        // SAFETY: the source lies in the installed read-only data, the destination in this
        // instance's table or memory (checked above).
        unsafe {
            core::ptr::copy_nonoverlapping(
                (self.place.rodata + s.rodata_offset) as *const u8,
                (base + at * unit) as *mut u8,
                bytes as usize,
            );
        }
        Ok(())
    }

    /// Runs the code until it returns, traps or makes a host call that `hook` (if any) does
    /// not run; serves `memory.grow` on the way.
    fn run_with(&mut self, mut hook: Option<&mut Hook<'_>>) -> Event {
        loop {
            // Nothing kept answers for this resume: the state may have changed since.
            // SAFETY: one hart; no reference into `FAST` is alive.
            let fast = unsafe { &mut *FAST.0.get() };
            fast.valid = 0;
            fast.reserve = 0;
            if let Some(h) = hook.as_deref_mut() {
                h.bytes = self.pages * PAGE_SIZE;
                fast.reserve = h.reserve_slot;
                // SAFETY: one hart; cleared below before `h` can go away.
                unsafe { *HOOK.0.get() = core::ptr::from_mut(h).cast::<()>() };
            }
            // SAFETY: the context holds a call set up by `call` or a resume point the code
            // left; the code touches only its chunk, code and read-only data (the sandboxed
            // mode's contract) and comes back through the entry or the return.
            let left = unsafe { zkos_code_resume(&mut *self.ctx) };
            // SAFETY: one hart.
            unsafe { *HOOK.0.get() = core::ptr::null_mut() };
            if left == LEFT_RETURNED {
                return Event::Returned;
            }
            let a7 = self.ctx.regs[A7];
            match Service::from_a7(a7) {
                Some(Service::Trap) => {
                    return Event::Trap(match TrapCode::from_u64(self.ctx.regs[A0]) {
                        Some(c) => Trap::Wasm(c),
                        None => Trap::BadEcall(a7),
                    });
                }
                Some(Service::MemoryGrow) => {
                    let delta = self.ctx.regs[A0] as u32 as u64;
                    self.ctx.regs[A0] = self.grow(delta);
                }
                None => {
                    if let Ok(h) = u32::try_from(a7) {
                        return Event::Host(h);
                    }
                    let n = a7 as i64;
                    if n <= rv_backend::abi::FOREIGN_IMPORT && n > rv_backend::abi::FOREIGN_IMPORT - (1 << 20) {
                        return Event::Foreign((rv_backend::abi::FOREIGN_IMPORT - n) as u32);
                    }
                    return Event::Trap(Trap::BadEcall(a7));
                }
            }
        }
    }

    /// Writes the VM-context slot at `off`.
    fn put(&mut self, off: i64, v: u64) {
        // SAFETY: the slot lies in this instance's VM context (the offsets are the layout's).
        unsafe { *(self.place.vmctx.wrapping_add(off as u64) as *mut u64) = v };
    }

    /// `memory.grow`: the old size in pages, or `-1` (sign-extended) if it cannot grow.
    fn grow(&mut self, delta: u64) -> u64 {
        let old = self.pages;
        let new = old + delta;
        if self.image.compiled.memory.is_none() || new > self.max_pages {
            return u64::MAX;
        }
        if delta == 0 {
            return old;
        }
        if !arena(|a| a.grow(self.chunk, self.place.memory + new * PAGE_SIZE)) {
            return u64::MAX;
        }
        self.pages = new;
        self.put(vmctx::MEMORY_BYTES, new * PAGE_SIZE);
        self.put(vmctx::MEMORY_PAGES, new);
        self.ctx.regs[S10] = new * PAGE_SIZE;
        old
    }
}

impl Drop for KernelInstance {
    fn drop(&mut self) {
        arena(|a| a.give_back(self.chunk));
    }
}

impl Code for KernelInstance {
    type Image = KernelImage;

    fn compiled(image: &KernelImage) -> &Compiled {
        &image.compiled
    }

    fn instantiate(image: &Rc<KernelImage>) -> Result<Self, InstantiateError> {
        KernelInstance::new(image)
    }

    fn call(&mut self, f: u32) -> Result<(), InstantiateError> {
        let compiled = &self.image.compiled;
        let (Some(ty), Some(info)) = (compiled.func_type(f), compiled.funcs.get(f as usize)) else {
            return Err(InstantiateError::NoFunction(f));
        };
        if !ty.params.is_empty() || !ty.results.is_empty() {
            return Err(InstantiateError::Arity { function: f, params: ty.params.len() });
        }
        self.ctx.regs[SP] = (self.place.vmctx + rv::STACK_SIZE) & !15;
        self.ctx.regs[RA] = self.place.ret;
        self.ctx.regs[TP] = self.place.vmctx;
        self.ctx.pc = self.place.code + info.offset;
        Ok(())
    }

    fn run(&mut self, _budget: u64) -> Event {
        self.run_with(None)
    }

    fn run_hosted(&mut self, budget: u64, reserve_global: Option<u32>, leaf: LeafHost<'_>) -> Event {
        // The frame's reserve global is the same on every call: its slot is found once.
        let slot = *self.reserve_slot.get_or_insert_with(|| {
            let compiled = &self.image.compiled;
            match reserve_global {
                None => Some(0),
                Some(g)
                    if Some(g) != compiled.gas_global
                        && compiled.globals.get(g as usize).is_some_and(|d| d.mutable) =>
                {
                    Some(self.place.vmctx.wrapping_add(compiled.vmctx.global(g) as u64))
                }
                Some(_) => None,
            }
        });
        let Some(reserve_slot) = slot else {
            return self.run(budget);
        };
        let mut hook = Hook { leaf, memory: self.place.memory, bytes: 0, reserve_slot };
        self.run_with(Some(&mut hook))
    }
    fn host_args(&self) -> [u64; 6] {
        core::array::from_fn(|i| self.ctx.regs[A0 + i])
    }

    fn set_host_result(&mut self, v: u64) {
        self.ctx.regs[A0] = v;
    }

    fn gas(&self) -> i64 {
        self.ctx.regs[GP] as i64
    }

    fn set_gas(&mut self, gas: i64) {
        self.ctx.regs[GP] = gas as u64;
    }

    fn set_global(&mut self, g: u32, v: u64) -> bool {
        let compiled = &self.image.compiled;
        let Some(def) = compiled.globals.get(g as usize) else {
            return false;
        };
        if !def.mutable {
            return false;
        }
        let v = canonical(def.ty, v);
        if Some(g) == compiled.gas_global {
            self.ctx.regs[GP] = v;
        } else {
            let off = compiled.vmctx.global(g);
            self.put(off, v);
        }
        true
    }

    fn memory(&self) -> &[u8] {
        // SAFETY: the memory is `pages` pages of this instance's chunk; the code does not run
        // while the slice lives.
        unsafe { core::slice::from_raw_parts(self.place.memory as *const u8, (self.pages * PAGE_SIZE) as usize) }
    }

    fn memory_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `memory`, borrowed mutably from the instance.
        unsafe { core::slice::from_raw_parts_mut(self.place.memory as *mut u8, (self.pages * PAGE_SIZE) as usize) }
    }

    fn instret(&self) -> u64 {
        0
    }
}
