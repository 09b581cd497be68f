//! Guest memory: a few mapped regions, each a contiguous byte vector with permissions.
//!
//! Lookups scan the regions in order; writable regions are kept first because they take most
//! data accesses (stack, data, heap). Regions never overlap, so the first region whose range
//! holds an address is the only one.

use alloc::rc::Rc;
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

/// The bytes behind a region.
pub(crate) enum Bytes {
    /// The region's own bytes.
    Owned(Vec<u8>),
    /// Read-only bytes shared with other machines: mapped without a copy.
    Shared(Rc<[u8]>),
}

impl Bytes {
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Shared(s) => s,
        }
    }

    #[inline(always)]
    fn as_mut(&mut self) -> Option<&mut [u8]> {
        match self {
            Bytes::Owned(v) => Some(v),
            Bytes::Shared(_) => None,
        }
    }
}

/// How a new region gets its bytes.
pub(crate) enum Init<'a> {
    /// Owned and allocated now: these bytes, then zeros.
    Copy(&'a [u8]),
    /// Shared, read-only: exactly these bytes.
    Shared(Rc<[u8]>),
    /// Owned, zero, allocated when first touched ([`Memory::commit`]).
    Lazy,
}

/// Smallest window a lazy region commits at once.
const MIN_COMMIT: u64 = 4 * 1024;
/// Alignment of a lazy region's committed window (relative to the region's base).
const COMMIT_ALIGN: u64 = 4 * 1024;

/// One mapped region.
pub(crate) struct Region {
    pub(crate) base: u64,
    /// The region's size: `data.len()` unless the region is lazy.
    len: u64,
    /// Address of `data[0]`. A lazy region holds only its committed window,
    /// `[start, start + data.len())`, which grows on first touch; every other region holds all
    /// its bytes (`start == base`).
    start: u64,
    lazy: bool,
    readable: bool,
    writable: bool,
    pub(crate) perm: Perm,
    data: Bytes,
}

impl Region {
    /// The region's bytes at `off`, if committed.
    #[inline(always)]
    fn at(&self, addr: u64) -> Option<&[u8]> {
        self.data.as_slice().get(index(addr.wrapping_sub(self.start))..)
    }
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
    // crate supports the conversion is exact. Offsets of addresses below a lazy region's
    // window wrap around to values no slice is long enough for.
    off as usize
}

impl Memory {
    /// Maps `[base, base + size)` with `perm` and the bytes `init` says. `max_total` bounds
    /// the sum of all region sizes (lazy regions count their whole size).
    pub(crate) fn map(
        &mut self,
        base: u64,
        size: u64,
        perm: Perm,
        init: Init<'_>,
        max_total: u64,
    ) -> Result<(), Error> {
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
        match &init {
            Init::Copy(bytes) if bytes.len() as u64 > size => return fail(MapProblem::DataTooLong),
            Init::Shared(bytes) if bytes.len() as u64 != size => return fail(MapProblem::DataTooLong),
            Init::Shared(_) if perm.contains(Perm::W) => return fail(MapProblem::SharedWritable),
            Init::Lazy if perm.contains(Perm::X) => return fail(MapProblem::LazyCode),
            _ => {}
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
        let (data, lazy) = match init {
            Init::Copy(bytes) => {
                let mut data = alloc::vec![0u8; len];
                data[..bytes.len()].copy_from_slice(bytes);
                (Bytes::Owned(data), false)
            }
            Init::Shared(bytes) => (Bytes::Shared(bytes), false),
            Init::Lazy => (Bytes::Owned(Vec::new()), true),
        };
        let region = Region {
            base,
            len: size,
            start: base,
            lazy,
            readable: perm.contains(Perm::R),
            writable: perm.contains(Perm::W),
            perm,
            data,
        };
        // Writable regions first: they take most data accesses.
        let at =
            if region.writable { self.regions.iter().take_while(|r| r.writable).count() } else { self.regions.len() };
        self.regions.insert(at, region);
        self.total = total;
        Ok(())
    }

    /// Commits the bytes `[addr, addr + len)` of the lazy region that holds `addr`, if they
    /// all lie in it: its window grows to cover them (at least doubling, so touching a region
    /// costs time in proportion to what is touched). Whether anything was committed.
    pub(crate) fn commit(&mut self, addr: u64, len: u64) -> bool {
        let Some(r) = self.regions.iter_mut().find(|r| addr.wrapping_sub(r.base) < r.len) else {
            return false;
        };
        let Bytes::Owned(old) = &mut r.data else {
            return false;
        };
        let off = addr - r.base;
        if !r.lazy || len > r.len - off {
            return false;
        }
        let (have_lo, have_hi) = (r.start - r.base, r.start - r.base + old.len() as u64);
        if have_lo <= off && off + len <= have_hi {
            return false;
        }
        let have = have_hi - have_lo;
        let grow = have.max(MIN_COMMIT);
        let (mut lo, mut hi) = if have == 0 { (off, off + len) } else { (have_lo.min(off), have_hi.max(off + len)) };
        if off < have_lo || have == 0 {
            lo = lo.min(hi.saturating_sub(have + grow));
        } else {
            hi = hi.max(lo + have + grow);
        }
        lo -= lo % COMMIT_ALIGN;
        hi = hi.saturating_add(COMMIT_ALIGN - 1) / COMMIT_ALIGN * COMMIT_ALIGN;
        let hi = hi.min(r.len);
        let mut data = alloc::vec![0u8; index(hi - lo)];
        if have > 0 {
            let at = index(have_lo - lo);
            data[at..at + old.len()].copy_from_slice(old);
        }
        *old = data;
        r.start = r.base + lo;
        true
    }

    /// The bytes of the non-executable, owned region that starts at `base` (a lazy region is
    /// committed whole).
    pub(crate) fn region_mut(&mut self, base: u64) -> Option<&mut [u8]> {
        let i = self.regions.iter().position(|r| r.base == base && !r.perm.contains(Perm::X))?;
        let len = self.regions[i].len;
        self.commit(base, len);
        self.regions[i].data.as_mut()
    }

    /// The bytes of the region that starts at `base`, unless it is lazy and not wholly
    /// committed.
    pub(crate) fn region(&self, base: u64) -> Option<&[u8]> {
        let r = self.regions.iter().find(|r| r.base == base)?;
        let bytes = r.data.as_slice();
        (r.start == r.base && bytes.len() as u64 == r.len).then_some(bytes)
    }

    /// Resizes the non-executable, owned region at `base` to `size` bytes (new bytes are zero).
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
        let Some(i) = self
            .regions
            .iter()
            .position(|r| r.base == base && !r.perm.contains(Perm::X) && matches!(r.data, Bytes::Owned(_)))
        else {
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
        if let Bytes::Owned(data) = &mut r.data {
            if r.lazy {
                // The window keeps what lies below the new end.
                let keep = size.saturating_sub(r.start - r.base).min(data.len() as u64);
                data.truncate(index(keep));
            } else {
                data.resize(len, 0);
            }
        }
        r.len = size;
        self.total = total;
        Ok(())
    }

    /// `(base, size, perm)` of every region, by address.
    pub(crate) fn layout(&self) -> alloc::vec::Vec<(u64, u64, Perm)> {
        let mut v: Vec<_> = self.regions.iter().map(|r| (r.base, r.len, r.perm)).collect();
        v.sort_unstable_by_key(|&(base, _, _)| base);
        v
    }

    /// Reads `N` bytes at `addr` for a guest load, if they lie in one readable region (and,
    /// for a lazy one, in its committed window).
    #[inline(always)]
    pub(crate) fn load<const N: usize>(&self, addr: u64) -> Option<&[u8; N]> {
        for r in &self.regions {
            let off = addr.wrapping_sub(r.base);
            if off < r.len {
                if !r.readable {
                    return None;
                }
                return r.at(addr)?.first_chunk::<N>();
            }
        }
        None
    }

    /// The `N` bytes at `addr` for a guest store, if they lie in one writable region (and,
    /// for a lazy one, in its committed window).
    #[inline(always)]
    pub(crate) fn store<const N: usize>(&mut self, addr: u64) -> Option<&mut [u8; N]> {
        for r in &mut self.regions {
            let off = addr.wrapping_sub(r.base);
            if off < r.len {
                if !r.writable {
                    return None;
                }
                let at = index(addr.wrapping_sub(r.start));
                return r.data.as_mut()?.get_mut(at..)?.first_chunk_mut::<N>();
            }
        }
        None
    }

    /// Whether `addr` is mapped at all, and if so whether its region has `perm` (used to
    /// classify a failed guest access).
    pub(crate) fn classify(&self, addr: u64, perm: Perm) -> Option<bool> {
        self.regions.iter().find(|r| addr.wrapping_sub(r.base) < r.len).map(|r| r.perm.contains(perm))
    }

    /// The region holding all of `[addr, addr + len)`.
    fn locate(&self, addr: u64, len: usize) -> Result<usize, Error> {
        let len64 = len as u64;
        let unmapped = Error::Access { addr, len: len64, problem: AccessProblem::Unmapped };
        for (i, r) in self.regions.iter().enumerate() {
            let off = addr.wrapping_sub(r.base);
            if off < r.len {
                if r.len - off < len64 {
                    return Err(unmapped);
                }
                return Ok(i);
            }
        }
        // A zero-length access still has to name a mapped address.
        Err(unmapped)
    }

    /// Host read of `buf.len()` bytes at `addr` (any mapped region, whatever its permissions;
    /// what a lazy region has not committed reads as zero).
    pub(crate) fn read_bytes(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        let r = &self.regions[self.locate(addr, buf.len())?];
        let data = r.data.as_slice();
        // The part of `[addr, addr + len)` that the bytes cover.
        let (lo, hi) = (addr.max(r.start), (addr + buf.len() as u64).min(r.start + data.len() as u64));
        buf.fill(0);
        if lo < hi {
            let (from, to) = (index(lo - r.start), index(hi - r.start));
            buf[index(lo - addr)..index(hi - addr)].copy_from_slice(&data[from..to]);
        }
        Ok(())
    }

    /// Host write of `bytes` at `addr` (any mapped region except executable or shared ones).
    pub(crate) fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error> {
        let i = self.locate(addr, bytes.len())?;
        let problem = |p| Error::Access { addr, len: bytes.len() as u64, problem: p };
        if self.regions[i].perm.contains(Perm::X) {
            return Err(problem(AccessProblem::ExecutableRegion));
        }
        if !bytes.is_empty() {
            self.commit(addr, bytes.len() as u64);
        }
        let r = &mut self.regions[i];
        let at = index(addr.wrapping_sub(r.start));
        let data = r.data.as_mut().ok_or(problem(AccessProblem::SharedRegion))?;
        data.get_mut(at..at + bytes.len()).ok_or(problem(AccessProblem::Unmapped))?.copy_from_slice(bytes);
        Ok(())
    }
}
