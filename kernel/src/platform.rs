//! The platform: the only module that knows which machine the kernel runs on.
//!
//! Here it is rv-machine, reached by machine calls (`ecall`, the call number in `a7`; see
//! rv-machine's `kernel` module for the table). A zkVM that runs RV64IM runs the same kernel
//! with this module swapped for its own syscalls: input, output, halt, and the three
//! accelerators (keccak-f\[1600\], secp256k1 recovery, SHA-256 compression), as the Ethereum
//! zkVM standard's `read_input` / `write_output` interface and every zkVM's precompiles have
//! them.

use alloc::vec::Vec;
use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};

const HALT: u64 = 0;
const INPUT_LEN: u64 = 1;
const READ_INPUT: u64 = 2;
const WRITE_OUTPUT: u64 = 3;
const LOG: u64 = 4;
const KECCAK_F1600: u64 = 0x10;
const SECP256K1_RECOVER: u64 = 0x11;
const SHA256_COMPRESS: u64 = 0x12;
const MARK: u64 = 0x20;
const INSTALL_CODE: u64 = 0x30;

/// Where rv-machine lets the kernel install code (`[4 GiB, 8 GiB)`, its `CODE_ARENA`).
const CODE_ARENA: (u64, u64) = (0x1_0000_0000, 0x2_0000_0000);

extern "C" {
    static mut __arena_start: u8;
    static mut __arena_end: u8;
}

/// Status of a successful run.
pub const SUCCESS: u64 = 0;
/// The input is not a kernel input, or the block does not run statelessly (bad witness).
pub const FAILURE: u64 = 1;
/// The kernel panicked (or ran out of memory).
pub const PANIC: u64 = 2;

/// A machine call with up to three arguments; the result is `a0`.
#[inline(always)]
fn call(number: u64, a0: u64, a1: u64, a2: u64) -> u64 {
    let result: u64;
    // SAFETY: the machine serves the call (reading or writing only the buffers the arguments
    // name, which the callers below pass valid) and resumes after the ecall with `a0` set.
    unsafe {
        asm!("ecall", inlateout("a0") a0 => result, in("a1") a1, in("a2") a2, in("a7") number,
             options(nostack));
    }
    result
}

/// The whole input.
pub fn read_input() -> Vec<u8> {
    let len = call(INPUT_LEN, 0, 0, 0) as usize;
    let mut buf = Vec::with_capacity(len);
    let got = call(READ_INPUT, buf.as_mut_ptr() as u64, len as u64, 0) as usize;
    // SAFETY: the machine wrote `got <= len` bytes into the buffer's capacity.
    unsafe { buf.set_len(got.min(len)) };
    buf
}

/// Appends `bytes` to the public output.
pub fn write_output(bytes: &[u8]) {
    call(WRITE_OUTPUT, bytes.as_ptr() as u64, bytes.len() as u64, 0);
}

/// Writes a diagnostic line (why a run fails) to the machine's log, which is not output.
pub fn log(text: &str) {
    call(LOG, text.as_ptr() as u64, text.len() as u64, 0);
}

/// Stops the run with `status` ([`SUCCESS`] makes the output count; any other discards it).
pub fn halt(status: u64) -> ! {
    loop {
        call(HALT, status, 0, 0);
    }
}

/// Phase marker: the input is read and decoded.
pub const PHASE_DECODED: u64 = 1;
/// Phase marker: the block has run (witness checks, sender recovery, deployment, contract
/// code, system layer and roots: `run_stateless`).
pub const PHASE_BLOCK_DONE: u64 = 2;
/// Markers inside the block: this plus `wasm_runtime::stateless::Phase` (sender recovery,
/// witness, artifacts, execution, state root, artifact root, done), each at the phase's start.
pub const PHASE_BLOCK_BASE: u64 = 10;

/// Notes the instruction count under `phase` (for the host's per-phase breakdown).
pub fn mark(phase: u64) {
    call(MARK, phase, 0, 0);
}

/// keccak-f\[1600\] on 25 lanes, in place.
pub fn keccak_f1600(state: &mut [u64; 25]) {
    call(KECCAK_F1600, state.as_mut_ptr() as u64, 0, 0);
}

/// The secp256k1 public key (x ‖ y) that signed `hash` with `r ‖ s` and recovery id `id`
/// (unchecked: `s` is normalized as Ethereum's recovery does), or `None`.
pub fn secp256k1_recover(hash: &[u8; 32], rs: &[u8; 64], id: u8) -> Option<[u8; 64]> {
    let mut input = [0u8; 97];
    input[..32].copy_from_slice(hash);
    input[32..96].copy_from_slice(rs);
    input[96] = id;
    let mut key = [0u8; 64];
    (call(SECP256K1_RECOVER, input.as_ptr() as u64, key.as_mut_ptr() as u64, 0) == 0).then_some(key)
}

/// SHA-256's compression function: `block` absorbed into `state`, in place.
pub fn sha256_compress(state: &mut [u32; 8], block: &[u8; 64]) {
    call(SHA256_COMPRESS, state.as_mut_ptr() as u64, block.as_ptr() as u64, 0);
}

/// The next free address of the code arena.
static NEXT_CODE: AtomicU64 = AtomicU64::new(CODE_ARENA.0);

/// Where `len` bytes of code go: the next page-aligned range of the code arena.
fn code_address(len: u64) -> Option<u64> {
    let at = NEXT_CODE.load(Ordering::Relaxed);
    let end = at.checked_add(len)?.checked_next_multiple_of(4096)?;
    (end <= CODE_ARENA.1).then(|| {
        NEXT_CODE.store(end, Ordering::Relaxed);
        at
    })
}

/// Makes `bytes` executable at `at` (rv-machine's `INSTALL_CODE`: a copy, read-only).
fn install_code(at: u64, bytes: &[u8]) -> bool {
    call(INSTALL_CODE, at, bytes.as_ptr() as u64, bytes.len() as u64) == 0
}

/// The arena's bounds as data (absolute 64-bit relocations): at 8 GiB it is out of reach
/// of the code's `pc`-relative addressing.
#[derive(Clone, Copy)]
struct ArenaBounds(*const u8, *const u8);

// SAFETY: two addresses, never dereferenced here.
unsafe impl Sync for ArenaBounds {}

static ARENA: ArenaBounds = ArenaBounds(&raw const __arena_start, &raw const __arena_end);

/// What the engine that runs compiled contract code inside the kernel needs of the machine.
pub fn contract_platform() -> wasm_runtime::engine::in_kernel::KernelPlatform {
    // Read from the data (a volatile read: folded into the code, the addresses would be
    // `pc`-relative again).
    // SAFETY: a plain, aligned static.
    let bounds = unsafe { core::ptr::read_volatile(&raw const ARENA) };
    let arena = (bounds.0 as u64, bounds.1 as u64);
    wasm_runtime::engine::in_kernel::KernelPlatform { code_address, install_code, arena }
}
