//! The ELF64 loader: a static RV64 executable to its segments, text, entry and symbols.
//!
//! Accepted: ELF64, little-endian, version 1, `ET_EXEC`, `EM_RISCV`, no compressed, float-ABI
//! or RVE flags, no `PT_DYNAMIC`/`PT_INTERP`/`PT_TLS`. Loadable segments must have
//! `p_filesz <= p_memsz`, lie in the file, not overflow the address space, not overlap, and
//! never be both writable and executable. The *text* (the words that are instructions) is
//! the executable, allocated sections when the file has section headers, else the
//! executable segments minus the ELF and program headers they may map. Text must be 4-byte
//! aligned and inside executable segments, and the entry point must be in it. From the
//! symbol table (if any) come the global function `deploy`, `__global_pointer$` and the
//! addresses of functions. Every rejection is a [`ShimError`] naming the rule and the file
//! offset; nothing panics on any input.

use alloc::format;
use alloc::vec::Vec;

use crate::error::{Rule, ShimError};

const EHDR_SIZE: u64 = 64;
const PHDR_SIZE: u64 = 56;
const SHDR_SIZE: u64 = 64;
const SYM_SIZE: u64 = 24;
const ET_EXEC: u16 = 2;
const EM_RISCV: u16 = 243;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_TLS: u32 = 7;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const SHT_PROGBITS: u32 = 1;
const SHT_SYMTAB: u32 = 2;
const SHF_ALLOC: u64 = 2;
const SHF_EXECINSTR: u64 = 4;
const STB_GLOBAL: u8 = 1;
const STT_FUNC: u8 = 2;
/// `EF_RISCV_RVC | EF_RISCV_FLOAT_ABI | EF_RISCV_RVE`.
const UNSUPPORTED_FLAGS: u32 = 0x1 | 0x6 | 0x8;

/// The largest ELF file the loader reads, in bytes.
pub const MAX_ELF_SIZE: usize = 1024 * 1024;

/// One loadable segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Address of its first byte.
    pub vaddr: u64,
    /// Size in memory (the bytes past `data` are zero).
    pub memsz: u64,
    /// Its bytes in the file.
    pub data: &'a [u8],
    /// Writable.
    pub writable: bool,
    /// Executable.
    pub executable: bool,
    /// File offset of its program header (for errors).
    pub header: u64,
}

impl Segment<'_> {
    /// One past its last address.
    pub fn end(&self) -> u64 {
        self.vaddr + self.memsz
    }
}

/// A checked executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elf<'a> {
    /// The entry point.
    pub entry: u64,
    /// The non-empty loadable segments, by address.
    pub segments: Vec<Segment<'a>>,
    /// The text: `[start, end)` address ranges of instructions, by address, 4-byte aligned.
    pub text: Vec<(u64, u64)>,
    /// The global function `deploy`, if defined.
    pub deploy: Option<u64>,
    /// The value of `__global_pointer$`, if defined.
    pub global_pointer: Option<u64>,
    /// Addresses of function symbols in the text.
    pub functions: Vec<u64>,
}

impl Elf<'_> {
    /// Whether `addr` is the address of an instruction word of the text.
    pub fn in_text(&self, addr: u64) -> bool {
        addr.is_multiple_of(4) && self.text.iter().any(|&(lo, hi)| addr >= lo && addr < hi)
    }
}

fn err<T>(rule: Rule, offset: u64, message: impl Into<alloc::string::String>) -> Result<T, ShimError> {
    Err(ShimError::at_offset(rule, offset, message))
}

/// Bounds-checked little-endian reads.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn slice(&self, at: u64, len: u64, what: &str) -> Result<&'a [u8], ShimError> {
        let range = usize::try_from(at).ok().zip(usize::try_from(len).ok());
        match range.and_then(|(a, n)| self.0.get(a..a.checked_add(n)?)) {
            Some(s) => Ok(s),
            None => err(Rule::Truncated, at, format!("{what} ({len} bytes) runs past the end of the file")),
        }
    }
    fn bytes<const N: usize>(&self, at: u64, what: &str) -> Result<[u8; N], ShimError> {
        let s = self.slice(at, N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }
    fn u8(&self, at: u64, what: &str) -> Result<u8, ShimError> {
        Ok(self.bytes::<1>(at, what)?[0])
    }
    fn u16(&self, at: u64, what: &str) -> Result<u16, ShimError> {
        self.bytes(at, what).map(u16::from_le_bytes)
    }
    fn u32(&self, at: u64, what: &str) -> Result<u32, ShimError> {
        self.bytes(at, what).map(u32::from_le_bytes)
    }
    fn u64(&self, at: u64, what: &str) -> Result<u64, ShimError> {
        self.bytes(at, what).map(u64::from_le_bytes)
    }
}

/// One section header's fields the loader uses.
#[derive(Clone, Copy)]
struct Section {
    header: u64,
    kind: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
    entsize: u64,
}

/// Parses and checks a static RV64 executable (see the module docs).
pub fn parse(file: &[u8]) -> Result<Elf<'_>, ShimError> {
    if file.len() > MAX_ELF_SIZE {
        return err(Rule::FileSize, 0, format!("the file has {} bytes, more than {MAX_ELF_SIZE}", file.len()));
    }
    let r = Reader(file);
    let ident: [u8; 16] = r.bytes(0, "the ELF identification")?;
    if ident[..4] != *b"\x7fELF" {
        return err(Rule::Ident, 0, "not an ELF file (bad magic)");
    }
    if ident[4] != 2 {
        return err(Rule::Ident, 4, format!("ELF class {} is not ELFCLASS64", ident[4]));
    }
    if ident[5] != 1 {
        return err(Rule::Ident, 5, format!("data encoding {} is not little-endian", ident[5]));
    }
    if ident[6] != 1 {
        return err(Rule::Ident, 6, format!("ELF version {} is not 1", ident[6]));
    }
    r.slice(0, EHDR_SIZE, "the ELF header")?;
    let e_type = r.u16(16, "e_type")?;
    if e_type != ET_EXEC {
        return err(Rule::Type, 16, format!("e_type {e_type} is not ET_EXEC (a static executable)"));
    }
    let machine = r.u16(18, "e_machine")?;
    if machine != EM_RISCV {
        return err(Rule::Machine, 18, format!("e_machine {machine} is not EM_RISCV (243)"));
    }
    let version = r.u32(20, "e_version")?;
    if version != 1 {
        return err(Rule::Ident, 20, format!("e_version {version} is not 1"));
    }
    let entry = r.u64(24, "e_entry")?;
    let phoff = r.u64(32, "e_phoff")?;
    let shoff = r.u64(40, "e_shoff")?;
    let flags = r.u32(48, "e_flags")?;
    if flags & UNSUPPORTED_FLAGS != 0 {
        return err(Rule::Flags, 48, format!("e_flags {flags:#x} ask for compressed instructions, a float ABI or RVE"));
    }
    let phentsize = r.u16(54, "e_phentsize")?;
    let phnum = u64::from(r.u16(56, "e_phnum")?);
    let shentsize = r.u16(58, "e_shentsize")?;
    let shnum = u64::from(r.u16(60, "e_shnum")?);
    if phnum > 0 && u64::from(phentsize) != PHDR_SIZE {
        return err(Rule::HeaderSize, 54, format!("e_phentsize {phentsize} is not {PHDR_SIZE}"));
    }
    // The whole program header table must be in the file (also bounds phnum * 56).
    r.slice(phoff, phnum * PHDR_SIZE, "the program header table")?;

    let mut segments = Vec::new();
    for i in 0..phnum {
        let at = phoff + i * PHDR_SIZE;
        let p_type = r.u32(at, "p_type")?;
        match p_type {
            PT_LOAD => {}
            PT_DYNAMIC | PT_INTERP => return err(Rule::Dynamic, at, "dynamic linking is not supported"),
            PT_TLS => return err(Rule::Dynamic, at, "thread-local storage is not supported"),
            _ => continue,
        }
        let p_flags = r.u32(at + 4, "p_flags")?;
        let offset = r.u64(at + 8, "p_offset")?;
        let vaddr = r.u64(at + 16, "p_vaddr")?;
        let filesz = r.u64(at + 32, "p_filesz")?;
        let memsz = r.u64(at + 40, "p_memsz")?;
        if filesz > memsz {
            return err(Rule::Segment, at, format!("segment {i}: p_filesz {filesz:#x} exceeds p_memsz {memsz:#x}"));
        }
        if vaddr.checked_add(memsz).is_none() {
            return err(Rule::Segment, at, format!("segment {i}: {vaddr:#x} + {memsz:#x} overflows the address space"));
        }
        let data = r.slice(offset, filesz, "a segment's bytes")?;
        if memsz == 0 {
            continue;
        }
        let (writable, executable) = (p_flags & PF_W != 0, p_flags & PF_X != 0);
        if writable && executable {
            return err(Rule::WritableExecutable, at, format!("segment {i} at {vaddr:#x} is writable and executable"));
        }
        if executable && vaddr % 4 != 0 {
            return err(Rule::Text, at, format!("executable segment {i} starts at {vaddr:#x}, not 4-byte aligned"));
        }
        segments.push(Segment { vaddr, memsz, data, writable, executable, header: at });
    }
    if segments.is_empty() {
        return err(Rule::Empty, 32, "no loadable segment");
    }
    segments.sort_by_key(|s| s.vaddr);
    for pair in segments.windows(2) {
        if pair[1].vaddr < pair[0].end() {
            let m = format!(
                "segments [{:#x}, {:#x}) and [{:#x}, {:#x}) overlap",
                pair[0].vaddr,
                pair[0].end(),
                pair[1].vaddr,
                pair[1].end()
            );
            return err(Rule::Overlap, pair[1].header, m);
        }
    }

    let sections = if shnum > 0 && shoff != 0 {
        if u64::from(shentsize) != SHDR_SIZE {
            return err(Rule::HeaderSize, 58, format!("e_shentsize {shentsize} is not {SHDR_SIZE}"));
        }
        r.slice(shoff, shnum * SHDR_SIZE, "the section header table")?;
        let mut v = Vec::new();
        for i in 0..shnum {
            let at = shoff + i * SHDR_SIZE;
            v.push(Section {
                header: at,
                kind: r.u32(at + 4, "sh_type")?,
                flags: r.u64(at + 8, "sh_flags")?,
                addr: r.u64(at + 16, "sh_addr")?,
                offset: r.u64(at + 24, "sh_offset")?,
                size: r.u64(at + 32, "sh_size")?,
                link: r.u32(at + 40, "sh_link")?,
                entsize: r.u64(at + 56, "sh_entsize")?,
            });
        }
        v
    } else {
        Vec::new()
    };

    let text = text_ranges(&segments, &sections, phoff + phnum * PHDR_SIZE)?;
    if text.is_empty() {
        return err(Rule::Empty, 32, "no executable code");
    }
    let mut elf = Elf { entry, segments, text, deploy: None, global_pointer: None, functions: Vec::new() };
    if !elf.in_text(entry) {
        return err(Rule::Entry, 24, format!("the entry point {entry:#x} is not an instruction of the text"));
    }
    symbols(&r, &sections, &mut elf)?;
    Ok(elf)
}

/// The text ranges: executable allocated sections, or executable segments past the headers.
fn text_ranges(segments: &[Segment<'_>], sections: &[Section], headers_end: u64) -> Result<Vec<(u64, u64)>, ShimError> {
    let mut text = Vec::new();
    if sections.is_empty() {
        for s in segments.iter().filter(|s| s.executable) {
            // A segment mapping the file from offset 0 maps the ELF and program headers too.
            let mut lo = s.vaddr;
            let skip = headers_end.max(EHDR_SIZE).next_multiple_of(4);
            if segment_maps_headers(s) {
                lo = s.vaddr.saturating_add(skip);
            }
            let hi = s.vaddr + (s.data.len() as u64 & !3);
            if hi > lo {
                text.push((lo, hi));
            }
        }
    } else {
        for sec in sections {
            if sec.kind != SHT_PROGBITS || sec.flags & (SHF_ALLOC | SHF_EXECINSTR) != SHF_ALLOC | SHF_EXECINSTR {
                continue;
            }
            if sec.size == 0 {
                continue;
            }
            let Some(end) = sec.addr.checked_add(sec.size) else {
                return err(Rule::Section, sec.header, "an executable section's address range overflows");
            };
            if sec.addr % 4 != 0 || sec.size % 4 != 0 {
                let m = format!("executable section [{:#x}, {end:#x}) is not made of 4-byte words", sec.addr);
                return err(Rule::Text, sec.header, m);
            }
            let inside =
                segments.iter().any(|s| s.executable && sec.addr >= s.vaddr && end <= s.vaddr + s.data.len() as u64);
            if !inside {
                let m = format!(
                    "executable section [{:#x}, {end:#x}) is not inside the file bytes of an executable segment",
                    sec.addr
                );
                return err(Rule::Text, sec.header, m);
            }
            text.push((sec.addr, end));
        }
    }
    text.sort_unstable();
    for pair in text.windows(2) {
        if pair[1].0 < pair[0].1 {
            return err(
                Rule::Section,
                0,
                format!("executable sections at {:#x} and {:#x} overlap", pair[0].0, pair[1].0),
            );
        }
    }
    Ok(text)
}

/// Whether an executable segment maps the start of the file (the ELF header).
fn segment_maps_headers(s: &Segment<'_>) -> bool {
    s.data.starts_with(b"\x7fELF")
}

/// Reads `deploy`, `__global_pointer$` and function addresses from the symbol table.
fn symbols(r: &Reader<'_>, sections: &[Section], elf: &mut Elf<'_>) -> Result<(), ShimError> {
    let Some(symtab) = sections.iter().find(|s| s.kind == SHT_SYMTAB) else {
        return Ok(());
    };
    if symtab.entsize != SYM_SIZE {
        return err(
            Rule::Section,
            symtab.header,
            format!("symbol table entry size {} is not {SYM_SIZE}", symtab.entsize),
        );
    }
    let Some(strtab) = usize::try_from(symtab.link).ok().and_then(|i| sections.get(i)) else {
        return err(
            Rule::Section,
            symtab.header,
            format!("symbol table links to section {}, which does not exist", symtab.link),
        );
    };
    let strings = r.slice(strtab.offset, strtab.size, "the symbol string table")?;
    r.slice(symtab.offset, symtab.size, "the symbol table")?;
    let name_of = |at: u64, name: u32| -> Result<&[u8], ShimError> {
        let tail = usize::try_from(name).ok().and_then(|n| strings.get(n..));
        let Some(tail) = tail else {
            return err(Rule::Section, at, format!("symbol name offset {name} is past the string table"));
        };
        match tail.iter().position(|&b| b == 0) {
            Some(end) => Ok(&tail[..end]),
            None => err(Rule::Section, at, "symbol name is not terminated"),
        }
    };
    for i in 0..symtab.size / SYM_SIZE {
        let at = symtab.offset + i * SYM_SIZE;
        let name = r.u32(at, "st_name")?;
        let info = r.u8(at + 4, "st_info")?;
        let value = r.u64(at + 8, "st_value")?;
        let (bind, kind) = (info >> 4, info & 0xF);
        let name = name_of(at, name)?;
        if name == b"__global_pointer$" {
            elf.global_pointer = Some(value);
        }
        if kind == STT_FUNC && elf.in_text(value) {
            elf.functions.push(value);
        }
        if name == b"deploy" && kind == STT_FUNC && bind == STB_GLOBAL {
            if !elf.in_text(value) {
                return err(
                    Rule::Entry,
                    at,
                    format!("the function deploy at {value:#x} is not an instruction of the text"),
                );
            }
            elf.deploy = Some(value);
        }
    }
    elf.functions.sort_unstable();
    elf.functions.dedup();
    Ok(())
}

/// A minimal static RV64IM executable (for tests and tools): one read-execute segment at
/// 0x10000 that maps the file, the code right after the headers, entry at its first word,
/// no section headers.
pub fn minimal(code: &[u32]) -> Vec<u8> {
    let size = EHDR_SIZE + PHDR_SIZE + 4 * code.len() as u64;
    let mut f = Vec::with_capacity(size as usize);
    f.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    f.extend_from_slice(&ET_EXEC.to_le_bytes());
    f.extend_from_slice(&EM_RISCV.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&(0x10000 + EHDR_SIZE + PHDR_SIZE).to_le_bytes()); // e_entry
    f.extend_from_slice(&EHDR_SIZE.to_le_bytes()); // e_phoff
    f.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    for v in [EHDR_SIZE as u16, PHDR_SIZE as u16, 1, SHDR_SIZE as u16, 0, 0] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    f.extend_from_slice(&PT_LOAD.to_le_bytes());
    f.extend_from_slice(&(PF_X | 4).to_le_bytes());
    for v in [0u64, 0x10000, 0x10000, size, size, 0x1000] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    for w in code {
        f.extend_from_slice(&w.to_le_bytes());
    }
    f
}
