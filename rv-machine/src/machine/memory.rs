//! Guest memory: a few mapped regions, each a contiguous byte vector with permissions.
//!
//! Lookups scan the regions in order; writable regions are kept first because they take most
//! data accesses (stack, data, heap). Regions never overlap, so the first region whose range
//! holds an address is the only one.

use alloc::vec::Vec;

use super::uart;
use crate::error::{AccessProblem, Error, MapProblem};

/// Access permissions of a region. Combine with `|`: `Perm::R | Perm::W`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Perm(u8);

impl Perm {
    /// Readable.
    pub const R: Perm = Perm(4);
    /// Writable.
    pub const W: Perm = Perm(2);
    /// Executable (predecoded; never writable).
    pub const X: Perm = Perm(1);
    /// Read-write data.
    pub const RW: Perm = Perm(6);
    /// Readable code (the usual text segment).
    pub const RX: Perm = Perm(5);

    /// Whether every permission in `other` is in `self`.
    pub const fn contains(self, other: Perm) -> bool {
        self.0 & other.0 == other.0
    }

    /// `self` with the permissions of `other` removed.
    pub const fn without(self, other: Perm) -> Perm {
        Perm(self.0 & !other.0)
    }

    /// From ELF `p_flags` bits (PF_X = 1, PF_W = 2, PF_R = 4).
    pub(crate) const fn from_elf_flags(flags: u32) -> Perm {
        Perm((flags & 7) as u8)
    }
}

impl core::fmt::Display for Perm {
    /// `r-x` style.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (p, c) in [(Perm::R, "r"), (Perm::W, "w"), (Perm::X, "x")] {
            f.write_str(if self.contains(p) { c } else { "-" })?;
        }
        Ok(())
    }
}

impl core::ops::BitOr for Perm {
    type Output = Perm;
    fn bitor(self, rhs: Perm) -> Perm {
        Perm(self.0 | rhs.0)
    }
}

/// One mapped region.
pub(crate) struct Region {
    pub(crate) base: u64,
    /// `data.len()` as an address-sized value.
    len: u64,
    readable: bool,
    writable: bool,
    pub(crate) perm: Perm,
    pub(crate) data: Vec<u8>,
}

/// The regions of guest memory.
#[derive(Default)]
pub(crate) struct Memory {
    regions: Vec<Region>,
    total: u64,
}

/// Converts a region offset (known to be below a `Vec` length) to an index.
#[inline(always)]
fn index(off: u64) -> usize {
    // A region offset is below `data.len()`, which is a `usize`; on the 64-bit hosts this
    // crate supports the conversion is exact.
    off as usize
}

impl Memory {
    /// Maps `[base, base + size)` with `perm`, its first bytes taken from `init` and the rest
    /// zero. `max_total` bounds the sum of all region sizes.
    pub(crate) fn map(&mut self, base: u64, size: u64, perm: Perm, init: &[u8], max_total: u64) -> Result<(), Error> {
        let fail = |problem| Err(Error::Map { base, size, problem });
        if size == 0 {
            return fail(MapProblem::Empty);
        }
        let Some(end) = base.checked_add(size) else {
            return fail(MapProblem::Overflow);
        };
        if perm.contains(Perm::W | Perm::X) {
            return fail(MapProblem::WritableAndExecutable);
        }
        if perm.contains(Perm::X) && !base.is_multiple_of(4) {
            return fail(MapProblem::MisalignedCode);
        }
        if init.len() as u64 > size {
            return fail(MapProblem::DataTooLong);
        }
        if end > uart::PAGE {
            return fail(MapProblem::Uart);
        }
        if self.regions.iter().any(|r| base < r.base + r.len && r.base < end) {
            return fail(MapProblem::Overlap);
        }
        let total = self.total.saturating_add(size);
        let Ok(len) = usize::try_from(size) else {
            return fail(MapProblem::MemoryLimit);
        };
        if total > max_total {
            return fail(MapProblem::MemoryLimit);
        }
        let mut data = alloc::vec![0u8; len];
        data[..init.len()].copy_from_slice(init);
        let region =
            Region { base, len: size, readable: perm.contains(Perm::R), writable: perm.contains(Perm::W), perm, data };
        // Writable regions first: they take most data accesses.
        let at =
            if region.writable { self.regions.iter().take_while(|r| r.writable).count() } else { self.regions.len() };
        self.regions.insert(at, region);
        self.total = total;
        Ok(())
    }

    /// The bytes of the non-executable region that starts at `base`.
    pub(crate) fn region_mut(&mut self, base: u64) -> Option<&mut [u8]> {
        self.regions.iter_mut().find(|r| r.base == base && !r.perm.contains(Perm::X)).map(|r| r.data.as_mut_slice())
    }

    /// The bytes of the region that starts at `base`.
    pub(crate) fn region(&self, base: u64) -> Option<&[u8]> {
        self.regions.iter().find(|r| r.base == base).map(|r| r.data.as_slice())
    }

    /// Resizes the non-executable region at `base` to `size` bytes (new bytes are zero).
    pub(crate) fn resize(&mut self, base: u64, size: u64, max_total: u64) -> Result<(), Error> {
        let fail = |problem| Err(Error::Map { base, size, problem });
        if size == 0 {
            return fail(MapProblem::Empty);
        }
        let Some(end) = base.checked_add(size) else {
            return fail(MapProblem::Overflow);
        };
        if end > uart::PAGE {
            return fail(MapProblem::Uart);
        }
        let Some(i) = self.regions.iter().position(|r| r.base == base && !r.perm.contains(Perm::X)) else {
            return fail(MapProblem::NoRegion);
        };
        if self.regions.iter().enumerate().any(|(j, r)| j != i && base < r.base + r.len && r.base < end) {
            return fail(MapProblem::Overlap);
        }
        let old = self.regions[i].len;
        let total = self.total - old + size;
        let Ok(len) = usize::try_from(size) else {
            return fail(MapProblem::MemoryLimit);
        };
        if total > max_total {
            return fail(MapProblem::MemoryLimit);
        }
        let r = &mut self.regions[i];
        r.data.resize(len, 0);
        r.len = size;
        self.total = total;
        Ok(())
    }

    /// The regions, writable ones first.
    pub(crate) fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// `(base, size, perm)` of every region, by address.
    pub(crate) fn layout(&self) -> alloc::vec::Vec<(u64, u64, Perm)> {
        let mut v: Vec<_> = self.regions.iter().map(|r| (r.base, r.len, r.perm)).collect();
        v.sort_unstable_by_key(|&(base, _, _)| base);
        v
    }

    /// Reads `N` bytes at `addr` for a guest load, if they lie in one readable region.
    #[inline(always)]
    pub(crate) fn load<const N: usize>(&self, addr: u64) -> Option<&[u8; N]> {
        for r in &self.regions {
            let off = addr.wrapping_sub(r.base);
            if off < r.len {
                if !r.readable {
                    return None;
                }
                return r.data.get(index(off)..)?.first_chunk::<N>();
            }
        }
        None
    }

    /// The `N` bytes at `addr` for a guest store, if they lie in one writable region.
    #[inline(always)]
    pub(crate) fn store<const N: usize>(&mut self, addr: u64) -> Option<&mut [u8; N]> {
        for r in &mut self.regions {
            let off = addr.wrapping_sub(r.base);
            if off < r.len {
                if !r.writable {
                    return None;
                }
                return r.data.get_mut(index(off)..)?.first_chunk_mut::<N>();
            }
        }
        None
    }

    /// Whether `addr` is mapped at all, and if so whether its region has `perm` (used to
    /// classify a failed guest access).
    pub(crate) fn classify(&self, addr: u64, perm: Perm) -> Option<bool> {
        self.regions.iter().find(|r| addr.wrapping_sub(r.base) < r.len).map(|r| r.perm.contains(perm))
    }

    /// The region holding all of `[addr, addr + len)`, and the offset of `addr` in it.
    fn locate(&self, addr: u64, len: usize) -> Result<(usize, usize), Error> {
        let len64 = len as u64;
        let unmapped = Error::Access { addr, len: len64, problem: AccessProblem::Unmapped };
        for (i, r) in self.regions.iter().enumerate() {
            let off = addr.wrapping_sub(r.base);
            if off < r.len {
                if r.len - off < len64 {
                    return Err(unmapped);
                }
                return Ok((i, index(off)));
            }
        }
        // A zero-length access still has to name a mapped address.
        Err(unmapped)
    }

    /// Host read of `buf.len()` bytes at `addr` (any mapped region, whatever its permissions).
    pub(crate) fn read_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        let (i, off) = self.locate(addr, buf.len())?;
        buf.copy_from_slice(&self.regions[i].data[off..off + buf.len()]);
        Ok(())
    }

    /// Host write of `bytes` at `addr` (any mapped region except executable ones).
    pub(crate) fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error> {
        let (i, off) = self.locate(addr, bytes.len())?;
        let r = &mut self.regions[i];
        if r.perm.contains(Perm::X) {
            return Err(Error::Access { addr, len: bytes.len() as u64, problem: AccessProblem::ExecutableRegion });
        }
        r.data[off..off + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }
}
