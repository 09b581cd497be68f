//! The ABI of compiled code: the address space, the calling convention, the engine services
//! and the trap codes: the compiled artifact's layout contract. The compiler follows it, and so
//! does the engine that runs compiled code (wasm-runtime's `engine::rv_instance`). The
//! [`Helper`]s are the one part internal to a module's code: the engine never sees them.
//!
//! # Address space
//!
//! | range | what | perm |
//! |---|---|---|
//! | `0 .. pages × 64 KiB` | the linear memory ([`MEMORY_BASE`]), mapped at its current size | rw |
//! | up to [`GUARD_END`] (8 GiB) | nothing: the guard | |
//! | [`TABLE_BASE`] (`-2 GiB`) | the table: 8-byte function references | rw |
//! | [`RODATA_BASE`] | function descriptors, then data and element segments | r |
//! | [`CODE_BASE`] | the code | x |
//! | below [`VMCTX_TOP`] (`-1 GiB`) | the VM context: sizes, constants, globals, segment records | rw |
//! | [`STACK_BASE`] = [`VMCTX_TOP`] and up | the stack; `sp` starts at its top | rw |
//!
//! **Sandboxing.** A WASM access at `addr + offset` (both `u32`) compiles to a load or store
//! at `zero_extend(addr) + offset`, which is below `2^33`. Only the linear memory is mapped
//! there, at its current size, so an access either hits it or faults: the machine faults
//! any access that runs past the end of its region, which is exactly WASM's rule; no
//! bounds check is emitted and `memory.grow` maps more. The memory stays below 2 GiB
//! ([`MAX_MEMORY_PAGES`]), so an `addr` with bit 31 set is always out of bounds: compiled
//! code traps on a negative (sign-extended) address register and otherwise uses the
//! register as it is, which is then the zero-extended address. A local checked once stays
//! known non-negative until it changes or control flow merges.
//!
//! **Stack.** Every function starts with `addi sp, sp, -frame; bltu sp, tp, stack_trap`:
//! the stack region starts at `tp`, so the recursion of compiled code is bounded by the
//! stack size (WASM's call stack exhaustion).
//!
//! # Calling convention
//!
//! - Arguments `0..8` in `a0..a7`, argument `i >= 8` at `sp + 8 (i - 8)` at the call.
//! - Results the same way: `0..8` in `a0..a7`, result `j >= 8` at `sp + 8 (j - 8)` of the
//!   caller at the call (the callee writes it there).
//! - Values are 64-bit registers. **An `i32` is kept sign-extended** to 64 bits (the form
//!   RV64's word instructions produce), in registers and in memory slots alike; function
//!   references are descriptor addresses (0 is null).
//! - Callee-saved: `s0..s11`, `sp`, `tp`. `gp` is the gas counter, shared by every function.
//! - Exports use the same convention; the engine sets `ra` to the return stub at
//!   [`CODE_BASE`]: an `ecall` that the engine recognizes by its address ([`RETURN_STUB`]),
//!   since `a7` may hold a result.
//!
//! # Ecalls
//!
//! `ecall` with `a7` = a host-function number (non-negative, [`host_abi::functions`]) calls
//! the host: arguments in `a0..a5` (`i32` arguments zero-extended, `i64` as they are), the
//! result in `a0`. The engine may change `gp` (gas) and `a0`, nothing else.
//!
//! Negative numbers in `a7` are **engine services**, a range host-abi never uses (its
//! numbers are `u32`): see [`Service`]. Contracts cannot issue ecalls of their own: only
//! compiled code runs.

/// The sandboxed, position-independent mode ([`crate::Options::sandboxed`]): compiled code
/// that runs in one flat address space beside other code (a kernel, other instances), where
/// a fault is not a trap and no address is reserved for it.
///
/// | what | where |
/// |---|---|
/// | linear memory | at [`MEMORY_BASE_REG`] (`s11`), [`MEMORY_SIZE_REG`] (`s10`) bytes long |
/// | table | at the address in the VM-context slot [`vmctx::TABLE_ADDR`] |
/// | read-only data | at code base + [`crate::Compiled::rodata_offset`] (reached `pc`-relatively; its address also in [`vmctx::RODATA_ADDR`]) |
/// | code | anywhere (page-aligned); no `ecall` in it, no return stub |
/// | VM context, stack | at `tp`, as in the default mode |
///
/// - **Bounds.** Every load and store traps with [`TrapCode::MemoryOutOfBounds`] before
///   the access unless `addr + offset + size <= s10`; the access is then at `s11 + addr +
///   offset`. As in the default mode an `addr` with bit 31 set is out of bounds (checked
///   on the sign-extended register, once per local until it changes or control flow
///   merges), so the sum is exact. A constant address whose access ends
///   within the memory's declared minimum needs no check (memories never shrink). Bulk
///   operations check as in the default mode and add `s11`. So compiled code never touches
///   a byte outside its memory, table, VM context, stack and read-only data, whatever is
///   mapped around them.
/// - **Ecalls.** Where the default mode has `ecall` (host functions, foreign imports,
///   [`Service`]s, traps), the sandboxed mode has `ld t0, ENTRY(tp); jalr t0, 0(t0)`: the
///   same registers (`a7` the number, `a0..a5` arguments, `a0` result, `gp` gas), the
///   return address in `t0`, which the code never keeps live across such a call. The
///   entry returns with `jalr zero, 0(t0)` and may change `a0`, `gp`, `t0` and, at
///   [`Service::MemoryGrow`], `s10` and `s11` (it may move the memory); every other
///   register is preserved. A trap's entry never returns.
/// - **Return.** The caller of an export sets `ra` to its own return address.
/// - **Addresses in data.** Function descriptors and element segments in the read-only data
///   hold absolute addresses, linked for code at [`CODE_BASE`] and read-only data at
///   `CODE_BASE + rodata_offset`; [`crate::Compiled::rebased_rodata`] rebases them for the
///   code's real address. Segment records and the table (written by the engine) hold real
///   addresses.
/// - `s10` and `s11` are reserved: locals use `s0..s9`.
pub mod sandbox {
    use crate::regs::Reg;

    /// The linear memory's base address (reserved in the sandboxed mode).
    pub const MEMORY_BASE_REG: Reg = Reg::S11;
    /// The linear memory's size in bytes (reserved in the sandboxed mode).
    pub const MEMORY_SIZE_REG: Reg = Reg::S10;
    /// The link register of the jumps to [`super::vmctx::ENTRY`].
    pub const ENTRY_LINK: Reg = Reg::T0;
}
pub use sandbox::{MEMORY_BASE_REG, MEMORY_SIZE_REG};

/// Bytes in a WASM page.
pub const PAGE_SIZE: u64 = 65_536;
/// Where the linear memory starts.
pub const MEMORY_BASE: u64 = 0;
/// Nothing but the linear memory is mapped below this address (`2^33`, the largest
/// `zero_extend(addr) + offset` is below it).
pub const GUARD_END: u64 = 1 << 33;
/// The linear memory never grows to 2 GiB (32768 pages), whatever its declared maximum:
/// compiled code treats an address with bit 31 set as out of bounds.
pub const MAX_MEMORY_PAGES: u64 = 32_767;
/// Where the table starts (8 bytes per entry).
pub const TABLE_BASE: u64 = 0xFFFF_FFFF_8000_0000;
/// Where the read-only data starts.
pub const RODATA_BASE: u64 = 0xFFFF_FFFF_9000_0000;
/// Where the code starts (the return stub is its first word).
pub const CODE_BASE: u64 = 0xFFFF_FFFF_A000_0000;
/// The top of the VM context, the value of `tp`.
pub const VMCTX_TOP: u64 = 0xFFFF_FFFF_C000_0000;
/// The bottom of the stack (= [`VMCTX_TOP`]: the stack-overflow check compares with `tp`).
pub const STACK_BASE: u64 = VMCTX_TOP;
/// The largest size of the table and rodata regions (256 MiB each).
pub const REGION_LIMIT: u64 = 0x1000_0000;
/// The largest size of the code region: [`host_abi::limits::MAX_MACHINE_CODE_SIZE`], which
/// every valid module fits.
pub const CODE_LIMIT: u64 = host_abi::limits::MAX_MACHINE_CODE_SIZE as u64;
/// The largest VM context: the fixed slots, every global, and two slots per data or element
/// segment (each segment takes at least two bytes of the module).
const VMCTX_LIMIT: u64 = 8
    * (vmctx::SANDBOXED_FIXED_SLOTS as u64
        + host_abi::limits::MAX_GLOBALS as u64
        + 2 * host_abi::limits::MAX_WASM_CODE_SIZE as u64);
const _: () = assert!(TABLE_BASE + REGION_LIMIT <= RODATA_BASE, "the table region ends before the rodata");
const _: () = assert!(RODATA_BASE + REGION_LIMIT <= CODE_BASE, "the rodata region ends before the code");
const _: () = assert!(CODE_BASE + CODE_LIMIT <= VMCTX_TOP - VMCTX_LIMIT, "the code region ends below the VM context");
/// Default stack size (1 MiB).
pub const DEFAULT_STACK_SIZE: u64 = 1 << 20;
/// Bytes of a function descriptor in rodata: `[type id, code address]`.
pub const DESCRIPTOR_SIZE: u64 = 16;

/// Offsets from `tp` of the VM context's fixed fields.
pub mod vmctx {
    /// Linear memory size in bytes.
    pub const MEMORY_BYTES: i64 = -8;
    /// Linear memory size in pages.
    pub const MEMORY_PAGES: i64 = -16;
    /// Table size in entries.
    pub const TABLE_SIZE: i64 = -24;
    /// Table maximum in entries (what `table.grow` may reach).
    pub const TABLE_MAX: i64 = -32;
    /// `0x5555_5555_5555_5555` (popcount).
    pub const M1: i64 = -40;
    /// `0x3333_3333_3333_3333` (popcount).
    pub const M2: i64 = -48;
    /// `0x0F0F_0F0F_0F0F_0F0F` (popcount).
    pub const M4: i64 = -56;
    /// `0x0101_0101_0101_0101` (popcount, byte splat).
    pub const H01: i64 = -64;
    /// Global `k` (not the gas global) is at `GLOBALS - 8 k` in the default mode (in the
    /// sandboxed mode the four slots below come first: see [`Layout::global`]).
    pub const GLOBALS: i64 = -72;
    /// Sandboxed mode only: the address compiled code jumps to, with `jalr t0`, instead of
    /// an `ecall` (host calls, engine services, traps; see [`super::sandbox`]).
    pub const ENTRY: i64 = -72;
    /// Sandboxed mode only: the address of the table.
    pub const TABLE_ADDR: i64 = -80;
    /// Sandboxed mode only: the address of the read-only data.
    pub const RODATA_ADDR: i64 = -88;
    /// Sandboxed mode only: the embedder's slot, which compiled code never reads or writes.
    /// An entry that must save a register before it has any other to spare (the kernel's
    /// saves `t0`, the return address, there) uses it.
    pub const EMBEDDER: i64 = -96;
    /// Fixed slots of the default mode.
    pub const FIXED_SLOTS: u32 = 8;
    /// Fixed slots of the sandboxed mode ([`ENTRY`], [`TABLE_ADDR`], [`RODATA_ADDR`],
    /// [`EMBEDDER`] added).
    pub const SANDBOXED_FIXED_SLOTS: u32 = 12;
    /// Where a module's globals and segment records are.
    ///
    /// The context is a column of 8-byte slots going down from `tp`: slot `s` is at
    /// `-8 (s + 1)`. Slots 0–7 are the fixed fields above (0–11 in the sandboxed mode), then
    /// one slot per global, then two per data segment and two per element segment:
    /// `[address, length]` of what is left of the segment (a dropped segment has length 0).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Layout {
        /// Whether the module was compiled in the sandboxed mode (four more fixed slots).
        pub sandboxed: bool,
        /// Number of globals (imported and defined).
        pub globals: u32,
        /// Number of data segments.
        pub datas: u32,
        /// Number of element segments.
        pub elems: u32,
    }

    impl Layout {
        /// Number of fixed slots.
        pub const fn fixed(&self) -> u32 {
            if self.sandboxed {
                SANDBOXED_FIXED_SLOTS
            } else {
                FIXED_SLOTS
            }
        }

        /// Offset of global `g`.
        pub const fn global(&self, g: u32) -> i64 {
            -8 * (self.fixed() as i64 + 1 + g as i64)
        }

        /// Offset of data segment `k`'s record (address, then length at `+8`).
        pub const fn data_record(&self, k: u32) -> i64 {
            -8 * (self.fixed() as i64 + 2 + self.globals as i64 + 2 * k as i64)
        }

        /// Offset of element segment `k`'s record (address, then length at `+8`).
        pub const fn elem_record(&self, k: u32) -> i64 {
            -8 * (self.fixed() as i64 + 2 + self.globals as i64 + 2 * self.datas as i64 + 2 * k as i64)
        }

        /// Bytes of the context.
        pub const fn size(&self) -> u64 {
            8 * (self.fixed() as u64 + self.globals as u64 + 2 * self.datas as u64 + 2 * self.elems as u64)
        }
    }

    /// The constants at [`M1`], [`M2`], [`M4`], [`H01`].
    pub const CONSTANTS: [(i64, u64); 4] = [
        (M1, 0x5555_5555_5555_5555),
        (M2, 0x3333_3333_3333_3333),
        (M4, 0x0F0F_0F0F_0F0F_0F0F),
        (H01, 0x0101_0101_0101_0101),
    ];
}

/// Engine services: `ecall` with a negative `a7`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum Service {
    /// The code trapped; `a0` is the [`TrapCode`]. An `unreachable` trap with a negative
    /// gas register is out of gas.
    Trap = -1,
    /// `memory.grow`: `a0` = pages to add (`i32`); the engine maps them and writes the old
    /// size in pages to `a0`, or `-1` if the memory cannot grow. It also updates
    /// [`vmctx::MEMORY_BYTES`] and [`vmctx::MEMORY_PAGES`].
    MemoryGrow = -2,
}

/// Address of the return stub (the `ecall` at [`CODE_BASE`]): an `ecall` there means the
/// called export returned, results per the calling convention.
pub const RETURN_STUB: u64 = CODE_BASE;

/// `a7` for a call to the `k`-th imported function of a module other than `zkos`:
/// `FOREIGN_IMPORT - k` (arguments and results per the calling convention).
pub const FOREIGN_IMPORT: i64 = -0x1000;

impl Service {
    /// The service an `a7` value asks for.
    pub fn from_a7(a7: u64) -> Option<Service> {
        match a7 as i64 {
            -1 => Some(Service::Trap),
            -2 => Some(Service::MemoryGrow),
            _ => None,
        }
    }
}

macro_rules! trap_codes {
    ($($(#[doc = $doc:literal])* $v:ident = $n:literal, $msg:literal;)*) => {
        /// Why compiled code trapped ([`Service::Trap`] passes it in `a0`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum TrapCode {
            $($(#[doc = $doc])* $v = $n,)*
        }

        impl TrapCode {
            /// Every code.
            pub const ALL: &'static [TrapCode] = &[$(TrapCode::$v),*];

            /// The code for a number.
            pub fn from_u64(n: u64) -> Option<TrapCode> {
                match n {
                    $($n => Some(TrapCode::$v),)*
                    _ => None,
                }
            }

            /// The message the WebAssembly specification uses.
            pub const fn message(self) -> &'static str {
                match self {
                    $(TrapCode::$v => $msg,)*
                }
            }
        }
    };
}

trap_codes! {
    /// `unreachable` executed (out of gas if the gas register is negative).
    Unreachable = 0, "unreachable";
    /// Integer division or remainder by zero.
    DivisionByZero = 1, "integer divide by zero";
    /// Signed division of the smallest integer by -1.
    IntegerOverflow = 2, "integer overflow";
    /// A bulk memory operation out of bounds (plain loads and stores fault in the machine).
    MemoryOutOfBounds = 3, "out of bounds memory access";
    /// `call_indirect` to a function of another type.
    IndirectTypeMismatch = 4, "indirect call type mismatch";
    /// `call_indirect` past the end of the table.
    UndefinedElement = 5, "undefined element";
    /// `call_indirect` to a null entry.
    UninitializedElement = 6, "uninitialized element";
    /// The stack is full (too deep a recursion).
    StackExhausted = 7, "call stack exhausted";
    /// A table access or bulk table operation out of bounds.
    TableOutOfBounds = 8, "out of bounds table access";
    /// A float computation in a module compiled with `Options::float_bits` (tests only).
    FloatUnsupported = 9, "unsupported float operation";
}

impl core::fmt::Display for TrapCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

/// Shared routines of a module's code, called with the calling convention (`jal ra`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Helper {
    /// `memory.fill(a0 = dest, a1 = byte, a2 = len)`.
    MemoryFill,
    /// `memory.copy(a0 = dest, a1 = src, a2 = len)`.
    MemoryCopy,
    /// `memory.init(a0 = dest, a1 = src, a2 = len, a3 = segment record address)`.
    MemoryInit,
    /// `table.fill(a0 = dest, a1 = ref, a2 = len)`.
    TableFill,
    /// `table.copy(a0 = dest, a1 = src, a2 = len)`.
    TableCopy,
    /// `table.init(a0 = dest, a1 = src, a2 = len, a3 = segment record address)`.
    TableInit,
    /// `table.grow(a0 = ref, a1 = delta) -> a0`.
    TableGrow,
}

impl Helper {
    /// Every helper.
    pub const ALL: [Helper; 7] = [
        Helper::MemoryFill,
        Helper::MemoryCopy,
        Helper::MemoryInit,
        Helper::TableFill,
        Helper::TableCopy,
        Helper::TableInit,
        Helper::TableGrow,
    ];
}
