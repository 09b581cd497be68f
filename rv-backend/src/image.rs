//! A [`Compiled`] module as bytes, so compiled code can be kept and loaded without compiling
//! again (the kernel commits its deployment artifacts, compiled code included, in the
//! artifact root, and a later block takes them from its witness).
//!
//! An image made by another build of the compiler is refused ([`FINGERPRINT`]): its code
//! may follow another ABI. The format is private to this crate and versioned by its first
//! byte ([`VERSION`]), then the compiler's fingerprint (8 bytes):
//! integers are little-endian (`u32` counts and indices, `u64` offsets and sizes), byte
//! strings and lists `u32`-length-prefixed, options a `0`/`1` byte then the value, enums a
//! tag byte. [`Compiled::decode`] reads only what [`Compiled::encode`] writes: anything else
//! (a short or long input, an unknown tag, a count larger than the input could hold) is an
//! [`ImageError`], never a panic.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use host_abi::functions::HostFn;

use crate::abi::vmctx;
use crate::compile::{Compiled, FuncInfo, SegmentInfo};
use crate::module::{
    ConstInit, Export, ExportKind, FuncType, GlobalDef, Import, ImportKind, ImportTarget, Limits, SegmentMode, ValType,
};

/// The format's version byte.
pub const VERSION: u8 = 1;

/// The fingerprint of this compiler: a hash of its sources (build.rs), the same for the host's
/// build and the kernel's.
pub fn fingerprint() -> u64 {
    u64::from_str_radix(FINGERPRINT, 16).unwrap_or(0)
}

/// [`fingerprint`] as build.rs wrote it (16 hex digits).
pub const FINGERPRINT: &str = env!("RV_BACKEND_FINGERPRINT");

/// Why bytes are no encoded [`Compiled`] module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageError {
    /// Byte offset where reading failed.
    pub offset: usize,
    /// What was wrong there.
    pub what: &'static str,
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "compiled image: {} at byte {}", self.what, self.offset)
    }
}

impl core::error::Error for ImageError {}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.len(items.len());
        for item in items {
            each(self, item);
        }
    }
    fn option<T: Copy>(&mut self, v: Option<T>, each: impl FnOnce(&mut Self, T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                each(self, v);
            }
        }
    }
    fn val_type(&mut self, t: ValType) {
        self.u8(match t {
            ValType::I32 => 0,
            ValType::I64 => 1,
            ValType::FuncRef => 2,
        });
    }
    fn limits(&mut self, l: Limits) {
        self.u64(l.initial);
        self.option(l.maximum, Self::u64);
    }
    fn init(&mut self, i: ConstInit) {
        match i {
            ConstInit::Value(v) => {
                self.u8(0);
                self.u64(v as u64);
            }
            ConstInit::Global(g) => {
                self.u8(1);
                self.u32(g);
            }
            ConstInit::RefNull => self.u8(2),
            ConstInit::RefFunc(f) => {
                self.u8(3);
                self.u32(f);
            }
        }
    }
    fn segment(&mut self, s: &SegmentInfo) {
        match s.mode {
            SegmentMode::Active(at) => {
                self.u8(0);
                self.init(at);
            }
            SegmentMode::Passive => self.u8(1),
            SegmentMode::Declared => self.u8(2),
        }
        self.u64(s.rodata_offset);
        self.u64(s.len);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Read<T> = Result<T, ImageError>;

impl<'a> Reader<'a> {
    fn fail<T>(&self, what: &'static str) -> Read<T> {
        Err(ImageError { offset: self.at, what })
    }
    fn take(&mut self, n: usize) -> Read<&'a [u8]> {
        match self.bytes.get(self.at..self.at.saturating_add(n)) {
            Some(b) if self.at.checked_add(n).is_some() => {
                self.at += n;
                Ok(b)
            }
            _ => self.fail("the input ends early"),
        }
    }
    fn u8(&mut self) -> Read<u8> {
        Ok(self.take(1)?[0])
    }
    fn bool(&mut self) -> Read<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => self.fail("a flag other than 0 or 1"),
        }
    }
    fn u32(&mut self) -> Read<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Read<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
    /// A count of items of at least `min` bytes each, checked against what is left.
    fn count(&mut self, min: usize) -> Read<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min.max(1)) > self.bytes.len() - self.at {
            return self.fail("a count larger than the rest of the input");
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Read<Vec<u8>> {
        let n = self.count(1)?;
        Ok(self.take(n)?.to_vec())
    }
    fn string(&mut self) -> Read<String> {
        let at = self.at;
        String::from_utf8(self.bytes()?).or(Err(ImageError { offset: at, what: "a name that is not UTF-8" }))
    }
    fn list<T>(&mut self, min: usize, mut each: impl FnMut(&mut Self) -> Read<T>) -> Read<Vec<T>> {
        let n = self.count(min)?;
        (0..n).map(|_| each(self)).collect()
    }
    fn option<T>(&mut self, each: impl FnOnce(&mut Self) -> Read<T>) -> Read<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            1 => each(self).map(Some),
            _ => self.fail("an option tag other than 0 or 1"),
        }
    }
    fn val_type(&mut self) -> Read<ValType> {
        match self.u8()? {
            0 => Ok(ValType::I32),
            1 => Ok(ValType::I64),
            2 => Ok(ValType::FuncRef),
            _ => self.fail("an unknown value type"),
        }
    }
    fn limits(&mut self) -> Read<Limits> {
        Ok(Limits { initial: self.u64()?, maximum: self.option(Self::u64)? })
    }
    fn init(&mut self) -> Read<ConstInit> {
        match self.u8()? {
            0 => Ok(ConstInit::Value(self.u64()? as i64)),
            1 => Ok(ConstInit::Global(self.u32()?)),
            2 => Ok(ConstInit::RefNull),
            3 => Ok(ConstInit::RefFunc(self.u32()?)),
            _ => self.fail("an unknown initializer"),
        }
    }
    fn segment(&mut self) -> Read<SegmentInfo> {
        let mode = match self.u8()? {
            0 => SegmentMode::Active(self.init()?),
            1 => SegmentMode::Passive,
            2 => SegmentMode::Declared,
            _ => return self.fail("an unknown segment mode"),
        };
        Ok(SegmentInfo { mode, rodata_offset: self.u64()?, len: self.u64()? })
    }
}

impl Compiled {
    /// The module as bytes ([`Self::decode`] reads them back).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 + self.code.len() + self.rodata.len()));
        w.u8(VERSION);
        w.u64(fingerprint());
        w.bytes(&self.code);
        w.bytes(&self.rodata);
        w.list(&self.funcs, |w, f| {
            w.u32(f.ty);
            w.u64(f.offset);
        });
        w.list(&self.types, |w, t| {
            w.list(&t.params, |w, &v| w.val_type(v));
            w.list(&t.results, |w, &v| w.val_type(v));
        });
        w.list(&self.imports, |w, i| {
            w.bytes(i.module.as_bytes());
            w.bytes(i.name.as_bytes());
            match i.kind {
                ImportKind::Func { ty, target } => {
                    w.u8(0);
                    w.u32(ty);
                    match target {
                        ImportTarget::Host(h) => {
                            w.u8(0);
                            w.u32(h.number());
                        }
                        ImportTarget::Foreign(k) => {
                            w.u8(1);
                            w.u32(k);
                        }
                    }
                }
                ImportKind::Global { ty, mutable } => {
                    w.u8(1);
                    w.val_type(ty);
                    w.bool(mutable);
                }
                ImportKind::Memory(l) => {
                    w.u8(2);
                    w.limits(l);
                }
                ImportKind::Table(l) => {
                    w.u8(3);
                    w.limits(l);
                }
            }
        });
        w.list(&self.exports, |w, e| {
            w.bytes(e.name.as_bytes());
            w.u8(match e.kind {
                ExportKind::Func => 0,
                ExportKind::Table => 1,
                ExportKind::Memory => 2,
                ExportKind::Global => 3,
            });
            w.u32(e.index);
        });
        w.list(&self.globals, |w, g| {
            w.val_type(g.ty);
            w.bool(g.mutable);
            w.option(g.init, Writer::init);
        });
        w.option(self.gas_global, Writer::u32);
        w.option(self.memory, Writer::limits);
        w.option(self.table, Writer::limits);
        w.list(&self.datas, Writer::segment);
        w.list(&self.elems, Writer::segment);
        w.option(self.start, Writer::u32);
        w.bool(self.vmctx.sandboxed);
        w.u32(self.vmctx.globals);
        w.u32(self.vmctx.datas);
        w.u32(self.vmctx.elems);
        w.bool(self.sandboxed);
        w.u64(self.rodata_offset);
        w.list(&self.function_sizes, |w, &n| w.u64(n as u64));
        w.list(&self.frame_sizes, |w, &n| w.u64(n));
        w.0
    }

    /// Reads a module [`Self::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Result<Compiled, ImageError> {
        let mut r = Reader { bytes, at: 0 };
        if r.u8()? != VERSION {
            return Err(ImageError { offset: 0, what: "an unknown version" });
        }
        if r.u64()? != fingerprint() {
            return Err(ImageError { offset: 1, what: "made by another build of the compiler" });
        }
        let code = r.bytes()?;
        let rodata = r.bytes()?;
        let funcs = r.list(12, |r| Ok(FuncInfo { ty: r.u32()?, offset: r.u64()? }))?;
        let types = r.list(8, |r| {
            Ok(FuncType { params: r.list(1, Reader::val_type)?, results: r.list(1, Reader::val_type)? })
        })?;
        let imports = r.list(9, |r| {
            let module = r.string()?;
            let name = r.string()?;
            let kind = match r.u8()? {
                0 => {
                    let ty = r.u32()?;
                    let target = match r.u8()? {
                        0 => {
                            let n = r.u32()?;
                            match HostFn::from_number(n) {
                                Some(h) => ImportTarget::Host(h),
                                None => return r.fail("an unknown host function"),
                            }
                        }
                        1 => ImportTarget::Foreign(r.u32()?),
                        _ => return r.fail("an unknown import target"),
                    };
                    ImportKind::Func { ty, target }
                }
                1 => ImportKind::Global { ty: r.val_type()?, mutable: r.bool()? },
                2 => ImportKind::Memory(r.limits()?),
                3 => ImportKind::Table(r.limits()?),
                _ => return r.fail("an unknown import kind"),
            };
            Ok(Import { module, name, kind })
        })?;
        let exports = r.list(9, |r| {
            let name = r.string()?;
            let kind = match r.u8()? {
                0 => ExportKind::Func,
                1 => ExportKind::Table,
                2 => ExportKind::Memory,
                3 => ExportKind::Global,
                _ => return r.fail("an unknown export kind"),
            };
            Ok(Export { name, kind, index: r.u32()? })
        })?;
        let globals =
            r.list(3, |r| Ok(GlobalDef { ty: r.val_type()?, mutable: r.bool()?, init: r.option(Reader::init)? }))?;
        let gas_global = r.option(Reader::u32)?;
        let memory = r.option(Reader::limits)?;
        let table = r.option(Reader::limits)?;
        let datas = r.list(17, Reader::segment)?;
        let elems = r.list(17, Reader::segment)?;
        let start = r.option(Reader::u32)?;
        let vmctx = vmctx::Layout { sandboxed: r.bool()?, globals: r.u32()?, datas: r.u32()?, elems: r.u32()? };
        let sandboxed = r.bool()?;
        let rodata_offset = r.u64()?;
        let function_sizes = r.list(8, |r| Ok(usize::try_from(r.u64()?).unwrap_or(usize::MAX)))?;
        let frame_sizes = r.list(8, Reader::u64)?;
        if r.at != bytes.len() {
            return r.fail("bytes after the end");
        }
        Ok(Compiled {
            code,
            rodata,
            funcs,
            types,
            imports,
            exports,
            globals,
            gas_global,
            memory,
            table,
            datas,
            elems,
            start,
            vmctx,
            sandboxed,
            rodata_offset,
            function_sizes,
            frame_sizes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module() -> Compiled {
        let wasm = wat::parse_str(
            r#"(module
                (import "zkos" "finish" (func $finish (param i32 i32)))
                (import "env" "g" (global $g i64))
                (memory 1 4) (data (i32.const 8) "\2a") (data "passive")
                (global $n (mut i32) (i32.const 7))
                (table 2 8 funcref) (elem (i32.const 0) $f $f) (elem funcref (ref.null func))
                (func $f (result i32) (i32.load8_u (i32.const 8)))
                (func (export "run") (result i32)
                    (global.set $n (i32.add (global.get $n) (i32.const 1)))
                    (call_indirect (result i32) (i32.const 1)))
                (start $f2) (func $f2))"#,
        )
        .unwrap();
        crate::compile_with(&wasm, &crate::Options { sandboxed: true, ..Default::default() }).unwrap()
    }

    #[test]
    fn a_module_reads_back_as_it_was_written() {
        let compiled = module();
        let bytes = compiled.encode();
        assert_eq!(Compiled::decode(&bytes).unwrap(), compiled);
        let default = crate::compile(&wat::parse_str("(module (func (export \"f\")))").unwrap()).unwrap();
        assert_eq!(Compiled::decode(&default.encode()).unwrap(), default);
    }

    #[test]
    fn every_truncation_and_flipped_byte_is_an_error_or_a_module() {
        let bytes = module().encode();
        for n in 0..bytes.len() {
            assert!(Compiled::decode(&bytes[..n]).is_err(), "truncated to {n}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(Compiled::decode(&long).unwrap_err().what, "bytes after the end");
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0xFF;
            let _ = Compiled::decode(&flipped);
        }
        let mut version = bytes.clone();
        version[0] = 9;
        assert_eq!(Compiled::decode(&version).unwrap_err().what, "an unknown version");
        let mut other = bytes;
        other[1] ^= 1;
        assert_eq!(Compiled::decode(&other).unwrap_err().what, "made by another build of the compiler");
    }
}
