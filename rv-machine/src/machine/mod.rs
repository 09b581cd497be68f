//! The machine: registers, pc, memory regions, the quasi-UART, and the run loop.

mod alu;
mod block;
mod exec;
mod exit;
mod fuse;
mod histogram;
mod memory;
mod predecode;
pub mod uart;

use alloc::rc::Rc;
use alloc::vec::Vec;

pub use exit::{AccessCause, Exit, Trap};
pub use histogram::Histogram;
pub use memory::Perm;

use self::exec::{Alignment, Code, Flow, Regs};
use self::fuse::Op;
use self::memory::{Init, Memory};
use self::predecode::{predecode_region, Micro, XOP_COUNT};
use self::uart::Uart;
use crate::error::{Error, MapProblem};
use crate::isa::Reg;

/// Construction options of a [`Machine`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Keep a per-instruction histogram ([`Machine::histogram`]). The machine then steps
    /// instruction by instruction (one counter increment each) instead of running whole
    /// basic blocks: same results and counts, a few times slower.
    pub histogram: bool,
    /// Upper bound on the total size of mapped regions, in bytes (regions are allocated
    /// zero-filled; the OS commits pages lazily).
    pub max_memory: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config { histogram: false, max_memory: 4 << 30 }
    }
}

/// How the machine treats a misaligned data access (a load or store of `n` bytes at an
/// address that is not a multiple of `n`). The ISA allows them ([`AlignMode::Allow`], the
/// default); some zkVMs do not, so a run can count them or fault on the first one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AlignMode {
    /// Misaligned accesses behave as the same bytes accessed one by one; nothing is counted.
    #[default]
    Allow,
    /// As `Allow`, and each one is counted ([`Machine::misaligned`]).
    Count,
    /// The first one faults ([`AccessCause::Misaligned`]) without executing.
    Fault,
}

/// Code predecoded once, for any number of machines to map ([`Machine::map_code`]) without a
/// copy: mapping it costs the same whatever its size.
#[derive(Clone)]
pub struct CodeImage {
    bytes: Rc<[u8]>,
    ops: Rc<[Micro]>,
    blocks: Rc<[Op]>,
}

impl CodeImage {
    /// Predecodes `bytes` (a trailing partial word is kept but not fetchable).
    pub fn new(bytes: &[u8]) -> CodeImage {
        let ops = predecode_region(bytes);
        let blocks = fuse::build(&ops).into();
        CodeImage { bytes: bytes.into(), ops: ops.into(), blocks }
    }

    /// The code's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl core::fmt::Debug for CodeImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CodeImage({} bytes)", self.bytes.len())
    }
}

/// An RV64IM hart with its memory. See the [crate docs](crate) for the rules it follows.
pub struct Machine {
    regs: Regs,
    pc: u64,
    instret: u64,
    mem: Memory,
    code: Vec<Code>,
    uart: Uart,
    config: Config,
    hist: [u64; XOP_COUNT],
    align_mode: AlignMode,
    align: Alignment,
}

impl Machine {
    /// An empty machine: no memory, all registers and `pc` zero.
    pub fn new(config: Config) -> Machine {
        Machine {
            regs: [0; 256],
            pc: 0,
            instret: 0,
            mem: Memory::default(),
            code: Vec::new(),
            uart: Uart::default(),
            config,
            hist: [0; XOP_COUNT],
            align_mode: AlignMode::Allow,
            align: Alignment::default(),
        }
    }

    /// The configuration the machine was built with.
    pub fn config(&self) -> Config {
        self.config
    }

    /// Maps `[base, base + size)` with permissions `perm`; the first `init.len()` bytes are
    /// `init`, the rest zero. Executable regions must be 4-byte aligned, may not be writable,
    /// and are predecoded here. Regions may not overlap each other or the UART page.
    pub fn map(&mut self, base: u64, size: u64, perm: Perm, init: &[u8]) -> Result<(), Error> {
        if perm.contains(Perm::X) {
            if init.len() as u64 > size {
                return Err(Error::Map { base, size, problem: MapProblem::DataTooLong });
            }
            let Ok(len) = usize::try_from(size) else {
                return Err(Error::Map { base, size, problem: MapProblem::MemoryLimit });
            };
            if size > self.config.max_memory {
                return Err(Error::Map { base, size, problem: MapProblem::MemoryLimit });
            }
            let mut bytes = alloc::vec![0u8; len];
            bytes[..init.len()].copy_from_slice(init);
            return self.map_code(base, perm, &CodeImage::new(&bytes));
        }
        self.mem.map(base, size, perm, Init::Copy(init), self.config.max_memory)
    }

    /// Maps `code` at `base` with `perm` (which must include [`Perm::X`]), without copying or
    /// predecoding it again: many machines can map one [`CodeImage`].
    pub fn map_code(&mut self, base: u64, perm: Perm, code: &CodeImage) -> Result<(), Error> {
        let size = code.bytes.len() as u64;
        if !perm.contains(Perm::X) {
            return Err(Error::Map { base, size, problem: MapProblem::WrongPermission });
        }
        self.mem.map(base, size, perm, Init::Shared(code.bytes.clone()), self.config.max_memory)?;
        let end = base + (code.ops.len() as u64) * 4;
        let at = self.code.partition_point(|c| c.base < base);
        self.code.insert(at, Code { base, end, ops: code.ops.clone(), blocks: code.blocks.clone() });
        Ok(())
    }

    /// Maps `bytes` at `base`, read-only (`perm` without [`Perm::W`] nor [`Perm::X`]), without
    /// copying them: many machines can map the same bytes.
    pub fn map_shared(&mut self, base: u64, perm: Perm, bytes: Rc<[u8]>) -> Result<(), Error> {
        let size = bytes.len() as u64;
        if perm.contains(Perm::X) {
            return Err(Error::Map { base, size, problem: MapProblem::WrongPermission });
        }
        self.mem.map(base, size, perm, Init::Shared(bytes), self.config.max_memory)
    }

    /// Maps `[base, base + size)` zero-filled with `perm` (not executable), its bytes
    /// allocated only when touched: by the guest (the access that first reaches a byte
    /// commits a window around it, at least doubling what the region holds), or by the host
    /// ([`Self::write_bytes`], [`Self::region_mut`]). A stack mapped this way costs what it
    /// uses, not its size.
    pub fn map_lazy(&mut self, base: u64, size: u64, perm: Perm) -> Result<(), Error> {
        self.mem.map(base, size, perm, Init::Lazy, self.config.max_memory)
    }

    /// The mapped regions as `(base, size, perm)`, by address.
    pub fn regions(&self) -> Vec<(u64, u64, Perm)> {
        self.mem.layout()
    }

    /// The bytes of the non-executable region that starts at `base`, for the host to read
    /// and write in place (e.g. a guest's heap handed to a host function). A lazy region is
    /// committed whole; shared regions are not writable (`None`).
    pub fn region_mut(&mut self, base: u64) -> Option<&mut [u8]> {
        self.mem.region_mut(base)
    }

    /// The bytes of the region that starts at `base` (`None` for a lazy region not wholly
    /// committed: read it with [`Self::read_bytes`]).
    pub fn region(&self, base: u64) -> Option<&[u8]> {
        self.mem.region(base)
    }

    /// Grows or shrinks the non-executable, unshared region that starts at `base` to `size`
    /// bytes; bytes past the old end are zero. The new range may not overlap another region.
    pub fn resize(&mut self, base: u64, size: u64) -> Result<(), Error> {
        self.mem.resize(base, size, self.config.max_memory)
    }

    /// The program counter.
    pub fn pc(&self) -> u64 {
        self.pc
    }

    /// Sets the program counter (a misaligned or unmapped `pc` traps at the next `run`).
    pub fn set_pc(&mut self, pc: u64) {
        self.pc = pc;
    }

    /// Reads a register (`x0` is always 0).
    pub fn reg(&self, r: Reg) -> u64 {
        self.regs[usize::from(r.index())]
    }

    /// Writes a register (writes to `x0` are ignored).
    pub fn set_reg(&mut self, r: Reg, value: u64) {
        if r != Reg::ZERO {
            self.regs[usize::from(r.index())] = value;
        }
    }

    /// All 32 registers, `x0` first.
    pub fn regs(&self) -> [u64; 32] {
        let mut out = [0; 32];
        out.copy_from_slice(&self.regs[..32]);
        out
    }

    /// Instructions executed so far (`ecall` and `ebreak` count; a trapping instruction
    /// does not).
    pub fn instret(&self) -> u64 {
        self.instret
    }

    /// The per-instruction histogram, if [`Config::histogram`] was set.
    pub fn histogram(&self) -> Option<Histogram> {
        self.config.histogram.then(|| Histogram::from_counts(&self.hist))
    }

    /// Sets how misaligned data accesses are treated from now on (the count is kept).
    pub fn set_align_mode(&mut self, mode: AlignMode) {
        self.align_mode = mode;
        self.align.fault = mode == AlignMode::Fault;
    }

    /// The alignment mode ([`AlignMode::Allow`] unless set).
    pub fn align_mode(&self) -> AlignMode {
        self.align_mode
    }

    /// Misaligned data accesses executed so far while the mode was [`AlignMode::Count`]
    /// (under [`AlignMode::Allow`] they are not counted; under [`AlignMode::Fault`] the first
    /// one stops the run and is not counted).
    pub fn misaligned(&self) -> u64 {
        self.align.count
    }

    /// Runs at most `budget` instructions. See [`Exit`] for where `pc` is left.
    pub fn run(&mut self, budget: u64) -> Exit {
        let strict = self.align_mode != AlignMode::Allow;
        match (self.config.histogram, strict) {
            (true, true) => self.run_with::<true, true>(budget),
            (true, false) => self.run_with::<true, false>(budget),
            (false, true) => self.run_with::<false, true>(budget),
            (false, false) => self.run_with::<false, false>(budget),
        }
    }

    fn run_with<const HIST: bool, const STRICT: bool>(&mut self, budget: u64) -> Exit {
        let mut left = budget;
        let exit = loop {
            let pc = self.pc;
            if !pc.is_multiple_of(4) {
                break Exit::Trap(Trap::MisalignedFetch { pc, target: pc });
            }
            let Some(code) = self.code.iter().find(|c| pc >= c.base && pc < c.end) else {
                break Exit::Trap(Trap::FetchFault { pc });
            };
            let (regs, mem, uart, hist, align, pc) =
                (&mut self.regs, &mut self.mem, &mut self.uart, &mut self.hist, &mut self.align, &mut self.pc);
            // The histogram counts each instruction as it steps; without it, whole blocks run.
            let flow = if HIST {
                exec::run_region::<true, STRICT>(code, regs, mem, uart, hist, align, &mut left, pc)
            } else {
                block::run_region::<STRICT>(code, regs, mem, uart, hist, align, &mut left, pc)
            };
            match flow {
                Flow::Left => {}
                Flow::Exit(exit) => break exit,
            }
        };
        self.instret += budget - left;
        exit
    }

    /// Appends words to the UART input queue.
    pub fn push_input(&mut self, words: &[u32]) {
        self.uart.input.extend_from_slice(words);
    }

    /// Number of UART input words not yet read by the guest.
    pub fn input_remaining(&self) -> usize {
        self.uart.input.len() - self.uart.read_pos
    }

    /// The words the guest wrote to the UART so far.
    pub fn output(&self) -> &[u32] {
        &self.uart.output
    }

    /// Takes the UART output, leaving it empty.
    pub fn take_output(&mut self) -> Vec<u32> {
        core::mem::take(&mut self.uart.output)
    }

    /// Copies guest memory at `addr` into `buf`. The range must lie in one mapped region
    /// (any permissions).
    pub fn read_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        self.mem.read_bytes(addr, buf)
    }

    /// Copies `bytes` into guest memory at `addr`. The range must lie in one mapped,
    /// non-executable region (the host may write read-only data, but not code).
    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error> {
        self.mem.write_bytes(addr, bytes)
    }

    /// Reads `len` bytes of guest memory into a new vector.
    pub fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        let mut buf = alloc::vec![0; len];
        self.read_bytes(addr, &mut buf)?;
        Ok(buf)
    }
}

macro_rules! host_access {
    ($($read:ident $write:ident $t:ty;)*) => {
        impl Machine {
            $(
                #[doc = concat!("Reads a little-endian `", stringify!($t), "` at `addr`.")]
                pub fn $read(&self, addr: u64) -> Result<$t, Error> {
                    let mut b = [0u8; core::mem::size_of::<$t>()];
                    self.read_bytes(addr, &mut b)?;
                    Ok(<$t>::from_le_bytes(b))
                }

                #[doc = concat!("Writes a little-endian `", stringify!($t), "` at `addr`.")]
                pub fn $write(&mut self, addr: u64, value: $t) -> Result<(), Error> {
                    self.write_bytes(addr, &value.to_le_bytes())
                }
            )*
        }
    };
}

host_access! {
    read_u8 write_u8 u8;
    read_u16 write_u16 u16;
    read_u32 write_u32 u32;
    read_u64 write_u64 u64;
}
