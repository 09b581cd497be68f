//! Splitting a writable and executable segment into W^X regions by its section headers.

use alloc::vec::Vec;

use super::{fail, Reader, Segment};
use crate::error::{ElfProblem, Error};
use crate::machine::Perm;

const SHDR_SIZE: usize = 64;
const SHF_WRITE: u64 = 1;
const SHF_ALLOC: u64 = 2;
const SHF_EXECINSTR: u64 = 4;

/// The parts of `seg` (whose program header is at file offset `ph`): read-write before the
/// code, read-execute code, read-write after it.
pub(super) fn split<'a>(r: &Reader<'_>, seg: Segment<'a>, ph: usize) -> Result<Vec<Segment<'a>>, Error> {
    let rwx = || fail(ph + 4, ElfProblem::WritableAndExecutable);
    let shoff = r.u64(40)?;
    let shentsize = r.u16(58)?;
    let shnum = usize::from(r.u16(60)?);
    if shnum == 0 {
        return rwx();
    }
    if usize::from(shentsize) != SHDR_SIZE {
        return fail(58, ElfProblem::BadShentsize(shentsize));
    }
    let Ok(shoff) = usize::try_from(shoff) else {
        return fail(40, ElfProblem::Truncated);
    };
    // `vaddr + memsz` was checked not to overflow.
    let seg_end = seg.vaddr + seg.memsz;
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    let mut writable = Vec::new();
    for i in 0..shnum {
        let Some(at) = i.checked_mul(SHDR_SIZE).and_then(|o| o.checked_add(shoff)) else {
            return fail(40, ElfProblem::Truncated);
        };
        let _: [u8; SHDR_SIZE] = r.bytes(at)?;
        let flags = r.u64(at + 8)?;
        let addr = r.u64(at + 16)?;
        let size = r.u64(at + 32)?;
        if flags & SHF_ALLOC == 0 || size == 0 {
            continue;
        }
        let Some(end) = addr.checked_add(size) else {
            return fail(at + 32, ElfProblem::BadSection);
        };
        if addr < seg.vaddr || end > seg_end {
            continue; // belongs to another segment
        }
        if flags & SHF_EXECINSTR != 0 {
            lo = lo.min(addr);
            hi = hi.max(end);
        }
        if flags & SHF_WRITE != 0 {
            writable.push((addr, end));
        }
    }
    if lo >= hi || writable.iter().any(|&(a, e)| a < hi && lo < e) {
        return rwx();
    }
    if !lo.is_multiple_of(4) {
        return fail(ph + 16, ElfProblem::MisalignedCode);
    }
    let piece = |start: u64, end: u64, perm: Perm| {
        let len = seg.data.len() as u64;
        let from = (start - seg.vaddr).min(len) as usize;
        let to = (end - seg.vaddr).min(len) as usize;
        Segment { vaddr: start, memsz: end - start, perm, data: &seg.data[from..to] }
    };
    let mut parts = Vec::new();
    if seg.vaddr < lo {
        parts.push(piece(seg.vaddr, lo, seg.perm.without(Perm::X)));
    }
    parts.push(piece(lo, hi, seg.perm.without(Perm::W)));
    if hi < seg_end {
        parts.push(piece(hi, seg_end, seg.perm.without(Perm::X)));
    }
    Ok(parts)
}
