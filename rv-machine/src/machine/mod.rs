//! The machine: registers, pc, memory regions, the quasi-UART, and the run loop.

mod alu;
mod exec;
mod exit;
mod histogram;
mod memory;
mod predecode;
pub mod uart;

use alloc::vec::Vec;

pub use exit::{AccessCause, Exit, Trap};
pub use histogram::Histogram;
pub use memory::Perm;

use self::exec::{Code, Flow, Regs};
use self::memory::Memory;
use self::predecode::{predecode_region, XOP_COUNT};
use self::uart::Uart;
use crate::error::Error;
use crate::isa::Reg;

/// Construction options of a [`Machine`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Keep a per-instruction histogram ([`Machine::histogram`]). Costs one counter
    /// increment per executed instruction.
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
        self.mem.map(base, size, perm, init, self.config.max_memory)?;
        if perm.contains(Perm::X) {
            let region = self.mem.regions().iter().find(|r| r.base == base).map(|r| predecode_region(&r.data));
            let ops = region.unwrap_or_default();
            let end = base + (ops.len() as u64) * 4;
            let at = self.code.partition_point(|c| c.base < base);
            self.code.insert(at, Code { base, end, ops });
        }
        Ok(())
    }

    /// The mapped regions as `(base, size, perm)`, by address.
    pub fn regions(&self) -> Vec<(u64, u64, Perm)> {
        self.mem.layout()
    }

    /// The bytes of the non-executable region that starts at `base`, for the host to read
    /// and write in place (e.g. a guest's heap handed to a host function).
    pub fn region_mut(&mut self, base: u64) -> Option<&mut [u8]> {
        self.mem.region_mut(base)
    }

    /// The bytes of the region that starts at `base`.
    pub fn region(&self, base: u64) -> Option<&[u8]> {
        self.mem.region(base)
    }

    /// Grows or shrinks the non-executable region that starts at `base` to `size` bytes;
    /// bytes past the old end are zero. The new range may not overlap another region.
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

    /// Runs at most `budget` instructions. See [`Exit`] for where `pc` is left.
    pub fn run(&mut self, budget: u64) -> Exit {
        if self.config.histogram {
            self.run_with::<true>(budget)
        } else {
            self.run_with::<false>(budget)
        }
    }

    fn run_with<const HIST: bool>(&mut self, budget: u64) -> Exit {
        let mut left = budget;
        let exit = loop {
            let pc = self.pc;
            if !pc.is_multiple_of(4) {
                break Exit::Trap(Trap::MisalignedFetch { pc, target: pc });
            }
            let Some(code) = self.code.iter().find(|c| pc >= c.base && pc < c.end) else {
                break Exit::Trap(Trap::FetchFault { pc });
            };
            let flow = exec::run_region::<HIST>(
                code,
                &mut self.regs,
                &mut self.mem,
                &mut self.uart,
                &mut self.hist,
                &mut left,
                &mut self.pc,
            );
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
