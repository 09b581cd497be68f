//! A tiny ELF64 writer for static RV64 executables (test programs for the machine and qemu).

/// One `PT_LOAD` segment.
pub struct Segment {
    pub vaddr: u64,
    /// `PF_R = 4`, `PF_W = 2`, `PF_X = 1`.
    pub flags: u32,
    pub data: Vec<u8>,
    /// At least `data.len()`; the rest is zero-filled (bss).
    pub memsz: u64,
}

pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

const PAGE: u64 = 0x1000;

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A section header: address, size, `sh_flags` (`SHF_WRITE = 1`, `SHF_ALLOC = 2`,
/// `SHF_EXECINSTR = 4`).
pub struct Section {
    pub addr: u64,
    pub size: u64,
    pub flags: u64,
}

/// An ET_EXEC, EM_RISCV executable. Each segment's file offset is congruent to its address
/// modulo the page size, as Linux (and so qemu-user) requires.
pub fn write(entry: u64, segments: &[Segment]) -> Vec<u8> {
    write_with_sections(entry, segments, &[])
}

/// Like [`write`], with section headers (a null section first, no names) when `sections`
/// is not empty.
pub fn write_with_sections(entry: u64, segments: &[Segment], sections: &[Section]) -> Vec<u8> {
    let phnum = segments.len() as u64;
    let mut offsets = Vec::new();
    let mut at = 64 + 56 * phnum;
    for s in segments {
        at = at.next_multiple_of(PAGE) + s.vaddr % PAGE;
        offsets.push(at);
        at += s.data.len() as u64;
    }
    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF");
    out.extend_from_slice(&[2, 1, 1, 0]); // ELFCLASS64, little-endian, version 1, SysV ABI
    out.extend_from_slice(&[0; 8]);
    put16(&mut out, 2); // ET_EXEC
    put16(&mut out, 243); // EM_RISCV
    put32(&mut out, 1); // e_version
    put64(&mut out, entry);
    put64(&mut out, 64); // e_phoff
    let shoff_at = out.len();
    put64(&mut out, 0); // e_shoff, patched below
    put32(&mut out, 0); // e_flags: rv64im, lp64 (no RVC, soft float)
    put16(&mut out, 64); // e_ehsize
    put16(&mut out, 56); // e_phentsize
    put16(&mut out, phnum as u16);
    put16(&mut out, 64); // e_shentsize
    let shnum = if sections.is_empty() { 0 } else { sections.len() as u16 + 1 };
    put16(&mut out, shnum);
    put16(&mut out, 0); // e_shstrndx
    for (s, &off) in segments.iter().zip(&offsets) {
        put32(&mut out, 1); // PT_LOAD
        put32(&mut out, s.flags);
        put64(&mut out, off);
        put64(&mut out, s.vaddr);
        put64(&mut out, s.vaddr);
        put64(&mut out, s.data.len() as u64);
        put64(&mut out, s.memsz.max(s.data.len() as u64));
        put64(&mut out, PAGE);
    }
    for (s, &off) in segments.iter().zip(&offsets) {
        out.resize(off as usize, 0);
        out.extend_from_slice(&s.data);
    }
    if !sections.is_empty() {
        out.resize(out.len().next_multiple_of(8), 0);
        let shoff = out.len() as u64;
        out[shoff_at..shoff_at + 8].copy_from_slice(&shoff.to_le_bytes());
        out.extend_from_slice(&[0; 64]);
        for sec in sections {
            put32(&mut out, 0); // sh_name
            put32(&mut out, 1); // SHT_PROGBITS
            put64(&mut out, sec.flags);
            put64(&mut out, sec.addr);
            put64(&mut out, 0); // sh_offset (unused by the loader)
            put64(&mut out, sec.size);
            put32(&mut out, 0);
            put32(&mut out, 0);
            put64(&mut out, 4);
            put64(&mut out, 0);
        }
    }
    out
}
