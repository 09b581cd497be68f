//! Layout of the linear memory and of the main function's locals.
//!
//! ```text
//! 0x00000 ┬ scratch for host-call arguments and helper buffers (below 0x1000)
//! 0x08000 ┼ EVM stack: 1024 slots of 32 bytes, growing down from 0x10000;
//!         │ each slot holds four little-endian i64 limbs, least significant first
//! 0x10000 ┼ EVM memory (byte `a` of EVM memory is at MEM_BASE + a), grown on expansion
//! ```

/// Host-call word argument 0 (32 bytes, big-endian).
pub const ARG0: u32 = 0;
/// Host-call word argument 1.
pub const ARG1: u32 = 32;
/// 32-byte host output.
pub const OUT: u32 = 64;
/// 20-byte host output at `ADDR_OUT + 12`; the 12 bytes before it are never written, so the
/// 32 bytes at `ADDR_OUT` read as the address as a big-endian word.
pub const ADDR_OUT: u32 = 96;
/// LOG topics, 4 × 32 bytes.
pub const TOPICS: u32 = 128;
/// Shift buffer: 64 zero bytes, then the value at `SHIFT_X`, then 64 zero bytes. The padding
/// is never written.
pub const SHIFT_X: u32 = 256 + 64;
/// Buffer for SAR: the value, then 64 bytes of sign fill written on each use.
pub const SAR_X: u32 = 512;
/// Buffer for SIGNEXTEND and EXP (a value, 32 bytes).
pub const TMP_WORD: u32 = 640;
/// Lowest address of the EVM stack.
pub const STACK_LOW: u32 = 0x8000;
/// One past the highest address of the EVM stack (the empty stack's top).
pub const STACK_TOP: u32 = 0x1_0000;
/// The `bp` local is the address of the stack top minus this bias, so that the
/// [`MAX_VIRTUAL_GROWTH`]` + 1` slots above the top (the generator flushes before straight-line
/// code pushes more) and all below it are reached with a non-negative constant offset. The
/// bias is small so that the offsets of the slots an opcode usually reaches (from 24 above the
/// top to 39 below it) are below 2048: rv-backend folds such an offset into the load or store
/// (`ld rd, off(bp)`), where a larger one costs a `lui` and an `add` more on every access.
pub const STACK_BIAS: u32 = 32 * (MAX_VIRTUAL_GROWTH as u32 + 1);
/// The virtual stack is flushed before it grows more than this above the in-memory top.
pub const MAX_VIRTUAL_GROWTH: i64 = 23;

/// Where EVM memory starts.
pub const MEM_BASE: u32 = 0x1_0000;
/// Declared maximum of the linear memory, in 64 KiB pages.
pub const MAX_PAGES: u32 = host_abi::limits::MAX_MEMORY_PAGES;
/// Largest EVM memory, in bytes; an expansion beyond it halts (it costs more than 2·10⁹ gas).
pub const MAX_EVM_MEMORY: u64 = (MAX_PAGES as u64 - 1) * 0x1_0000;

/// Offset of a stack slot `depth` below the top (negative: above it) relative to `bp`.
pub const fn slot_offset(depth: i32, limb: u8) -> u64 {
    (STACK_BIAS as i64 + 32 * depth as i64 + 8 * limb as i64) as u64
}

// ------------------------------------------------------------------ main function locals
//
// rv-backend keeps a function's first twelve locals in registers (`s0`–`s11`) and the others
// in its frame, so the locals every block or nearly every opcode touches come first: `bp`
// and `dest` (the chunks' parameters), the gas, the temporaries and carry of the inline
// arithmetic and byte swaps, the byte-swap masks, the pointer of the first memory range and
// the first staged limbs. The declared groups by type are [`LOCAL_GROUPS`].

/// i32: stack pointer minus [`STACK_BIAS`].
pub const L_BP: u32 = 0;
/// i32: dispatch index (0: entry, pc + 1: the JUMPDEST at pc).
pub const L_DEST: u32 = 1;
/// i64: the gas left (the gas global is synchronized with it around host calls).
pub const L_GAS: u32 = 2;
/// i64 scratch: temporary.
pub const L_T: u32 = 3;
/// i64 scratch: carries.
pub const L_C: u32 = 4;
/// i64 scratch: temporary.
pub const L_T2: u32 = 5;
/// i64: the byte-swap masks (set in the prologue).
pub const L_M8: u32 = 6;
/// See [`L_M8`].
pub const L_M16: u32 = 7;
/// i32 scratch (memory ranges: pointer and length of two ranges).
pub const L_P: [u32; 4] = [8, 25, 26, 27];
/// i64 scratch for staging operands (three operands of four limbs, then four more).
pub const L_S: u32 = 9;
/// Number of i64 scratch locals.
pub const SCRATCH_I64: u32 = 16;
/// i32 scratch.
pub const L_T32: u32 = 28;
/// The locals before the pool, as declared: runs of one type (count, is i64), from local 0.
pub const LOCAL_GROUPS: [(u32, bool); 5] = [(2, false), (6, true), (1, false), (SCRATCH_I64, true), (4, false)];
const _: () = {
    let mut n = 0;
    let mut k = 0;
    while k < LOCAL_GROUPS.len() {
        n += LOCAL_GROUPS[k].0;
        k += 1;
    }
    assert!(n == L_POOL && L_S + SCRATCH_I64 == L_P[1] && L_T32 + 1 == L_POOL);
};
/// Byte swaps in the main function read their masks from locals.
pub const MASKS: super::asm::Masks = super::asm::Masks::Locals(L_M8, L_M16);
/// First local of the pool that holds stack values (i64).
pub const L_POOL: u32 = 29;
/// Size limit of the pool (the function stays below host-abi's `MAX_LOCALS`).
pub const POOL_MAX: u32 = host_abi::limits::MAX_LOCALS - L_POOL - 64;
