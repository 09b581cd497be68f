//! Module assembly: the return stub, import stubs, every function, the helpers they use,
//! call relocations, and the read-only data (function descriptors and segments).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::abi::{vmctx, Helper, CODE_BASE, CODE_LIMIT, DESCRIPTOR_SIZE, FOREIGN_IMPORT, REGION_LIMIT, RODATA_BASE};
use crate::emit::{Asm, Assembled, CallTarget, Reloc};
use crate::encode as enc;
use crate::error::CompileError;
use crate::imm::{Imm12, Imm20, JumpOffset};
use crate::lower;
use crate::module::{
    ElemSegment, Export, ExportKind, FuncType, GlobalDef, Import, ImportKind, ImportTarget, Limits, Module,
    SegmentMode, ValType,
};
use crate::regs::{ECALL_NUMBER, RA, ZERO};

/// A function of the compiled module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// Its type index.
    pub ty: u32,
    /// Its entry, in bytes from the code's start (imported functions: their stub).
    pub offset: u64,
}

/// A data or element segment as the instance applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    /// When it applies.
    pub mode: SegmentMode,
    /// Where its bytes (data) or 8-byte references (elements) start in the rodata.
    pub rodata_offset: u64,
    /// Its length in bytes (data) or entries (elements).
    pub len: u64,
}

/// The result of compilation: code, data and what an instance needs to run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiled {
    /// Machine code, mapped at [`CODE_BASE`] (sandboxed mode: anywhere page-aligned).
    pub code: Vec<u8>,
    /// Read-only data, mapped at [`RODATA_BASE`] (sandboxed mode: at the code's address plus
    /// [`Self::rodata_offset`], as [`Self::rebased_rodata`] gives it).
    pub rodata: Vec<u8>,
    /// Every function, imported first.
    pub funcs: Vec<FuncInfo>,
    /// Function types.
    pub types: Vec<FuncType>,
    /// Imports.
    pub imports: Vec<Import>,
    /// Exports.
    pub exports: Vec<Export>,
    /// Globals, imported first.
    pub globals: Vec<GlobalDef>,
    /// The gas global, kept in `gp`.
    pub gas_global: Option<u32>,
    /// The memory's limits in pages.
    pub memory: Option<Limits>,
    /// The table's limits in entries.
    pub table: Option<Limits>,
    /// Data segments.
    pub datas: Vec<SegmentInfo>,
    /// Element segments.
    pub elems: Vec<SegmentInfo>,
    /// The start function.
    pub start: Option<u32>,
    /// Where globals and segment records are in the VM context.
    pub vmctx: vmctx::Layout,
    /// Compiled in the sandboxed mode ([`crate::Options::sandboxed`]).
    pub sandboxed: bool,
    /// Sandboxed mode: where the read-only data starts, in bytes from the code's start
    /// (the code reaches it `pc`-relatively); a multiple of 4096. 0 in the default mode.
    pub rodata_offset: u64,
    /// Words of code per defined function (for reports).
    pub function_sizes: Vec<usize>,
    /// Bytes of stack each defined function's frame takes (what its prologue subtracts
    /// from `sp`; 0 for a leaf that touches no stack).
    pub frame_sizes: Vec<u64>,
}

impl Compiled {
    /// The export named `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }

    /// The function exported as `name`.
    pub fn exported_func(&self, name: &str) -> Option<u32> {
        self.export(name).filter(|e| e.kind == ExportKind::Func).map(|e| e.index)
    }

    /// The type of function `f`.
    pub fn func_type(&self, f: u32) -> Option<&FuncType> {
        self.types.get(self.funcs.get(f as usize)?.ty as usize)
    }

    /// The machine address of function `f` (sandboxed mode: for code at [`CODE_BASE`]).
    pub fn entry(&self, f: u32) -> Option<u64> {
        Some(CODE_BASE + self.funcs.get(f as usize)?.offset)
    }

    /// Sandboxed mode: the read-only data for code placed at `code_base` (which must be
    /// 4-aligned; the read-only data then goes at `code_base + rodata_offset`): function
    /// descriptors and element segments hold absolute addresses, linked for code at
    /// [`CODE_BASE`], and are moved by the difference. The default mode's data as it is.
    pub fn rebased_rodata(&self, code_base: u64) -> Vec<u8> {
        let mut out = self.rodata.clone();
        if !self.sandboxed {
            return out;
        }
        let delta = code_base.wrapping_sub(CODE_BASE);
        let mut shift = |at: usize| {
            if let Some(b) = out.get_mut(at..at + 8) {
                let v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                if v != 0 {
                    b.copy_from_slice(&v.wrapping_add(delta).to_le_bytes());
                }
            }
        };
        for f in 0..self.funcs.len() {
            shift(f * DESCRIPTOR_SIZE as usize + 8);
        }
        for s in &self.elems {
            for k in 0..s.len as usize {
                shift(s.rodata_offset as usize + 8 * k);
            }
        }
        out
    }

    /// The code as instruction words.
    pub fn words(&self) -> impl Iterator<Item = u32> + '_ {
        self.code.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }
}

/// Compiles with `options`.
pub(crate) fn compile(wasm: &[u8], options: &crate::Options) -> Result<Compiled, CompileError> {
    let mut m = Module::parse(wasm, options.float_bits)?;
    m.sandboxed = options.sandboxed;
    let bodies = core::mem::take(&mut m.bodies);
    let mut funcs = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.into_iter().enumerate() {
        let index = m.num_imported_funcs + u32::try_from(i).unwrap_or(u32::MAX);
        let input = lower::prepare(&m, index, body)?;
        funcs.push(lower::lower(&m, input)?);
    }
    let stubs = stubs(&m);
    if !near_calls_may_reach(&m, &stubs, &funcs) {
        return assemble(&m, &stubs, &funcs, true)?.ok_or_else(|| CompileError::internal("a far call does not reach"));
    }
    match assemble(&m, &stubs, &funcs, false)? {
        Some(c) => Ok(c),
        None => assemble(&m, &stubs, &funcs, true)?.ok_or_else(|| CompileError::internal("a far call does not reach")),
    }
}

fn word_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The import stubs, in import order.
fn stubs(m: &Module<'_>) -> Vec<Assembled> {
    let mut out = Vec::new();
    for imp in &m.imports {
        if let ImportKind::Func { ty, target } = &imp.kind {
            let mut a = Asm::new();
            let t = m.types.get(*ty as usize).cloned().unwrap_or(FuncType { params: Vec::new(), results: Vec::new() });
            match target {
                ImportTarget::Host(h) => {
                    let p: Vec<bool> = t.params.iter().map(|&v| v == ValType::I32).collect();
                    let i32_result = t.results.first() == Some(&ValType::I32);
                    lower::emit_host_ecall(&mut a, &p, h.number(), i32_result, m.sandboxed);
                }
                ImportTarget::Foreign(k) => {
                    a.li(ECALL_NUMBER, FOREIGN_IMPORT - i64::from(*k));
                    lower::emit_ecall(&mut a, m.sandboxed);
                }
            }
            a.emit(enc::jalr(ZERO, RA, Imm12::ZERO));
            out.push(a.finish());
        }
    }
    out
}

/// Whether every call may reach its target as one `jal` (±1 MiB): `false` when some call is
/// farther from its target than that already before linking (linking only adds words between
/// them), so that near calls would not link ([`assemble`] gives `Ok(None)`) and the module is
/// linked once, with far calls, instead of twice.
fn near_calls_may_reach(m: &Module<'_>, stubs: &[Assembled], funcs: &[(Assembled, u64)]) -> bool {
    let code = stubs.iter().chain(funcs.iter().map(|(f, _)| f));
    let total = usize::from(!m.sandboxed) + code.clone().map(Assembled::len).sum::<usize>();
    if total * 4 < 0x10_0000 {
        return true;
    }
    // Where each function starts before linking (imported ones: their stubs).
    let mut starts = Vec::with_capacity(stubs.len() + funcs.len());
    let mut at = usize::from(!m.sandboxed);
    for c in code.clone() {
        starts.push(at);
        at += c.len();
    }
    for (c, &start) in code.zip(&starts) {
        for (k, target) in c.calls() {
            let from = start + k;
            // Helpers follow every function.
            let to = match target {
                CallTarget::Func(f) => starts.get(f as usize).copied(),
                CallTarget::Helper(_) => Some(total),
                CallTarget::Pooled(_) => None,
            };
            if to.is_some_and(|to| JumpOffset::new((to as i64 - from as i64) * 4).is_none()) {
                return false;
            }
        }
    }
    true
}

/// Links `code` at the end of `out`, its call relocations with it.
fn link_into(code: &Assembled, far: bool, out: &mut Vec<u32>, relocs: &mut Vec<Reloc>) -> Result<usize, CompileError> {
    let at = out.len();
    code.link_onto(far, out, relocs).map_err(|_| CompileError::internal("a branch does not reach its label"))?;
    Ok(at)
}

/// Assembles the module; `Ok(None)` if a near call does not reach (retry with far calls).
fn assemble(
    m: &Module<'_>,
    stubs: &[Assembled],
    funcs: &[(Assembled, u64)],
    far: bool,
) -> Result<Option<Compiled>, CompileError> {
    // Linking grows placeholders only now and then: room for the words as they are.
    let words = stubs.iter().chain(funcs.iter().map(|(f, _)| f)).map(Assembled::len).sum::<usize>();
    let mut code: Vec<u32> = Vec::with_capacity(words + words / 16 + 1);
    // The return stub: a lone `ecall` (a7 may hold a result). The sandboxed mode has none:
    // the caller of an export gives its own return address.
    if !m.sandboxed {
        code.push(enc::ecall());
    }
    let mut offsets: Vec<usize> = Vec::with_capacity(stubs.len() + funcs.len());
    let relocs = stubs.iter().chain(funcs.iter().map(|(f, _)| f)).map(Assembled::relocations).sum::<usize>();
    let mut relocs = Vec::with_capacity(relocs);
    for stub in stubs {
        offsets.push(link_into(stub, far, &mut code, &mut relocs)?);
    }
    let mut function_sizes = Vec::with_capacity(funcs.len());
    let mut frame_sizes = Vec::with_capacity(funcs.len());
    for (f, frame) in funcs {
        let at = link_into(f, far, &mut code, &mut relocs)?;
        offsets.push(at);
        function_sizes.push(code.len() - at);
        frame_sizes.push(*frame);
    }
    // Helpers used by some call.
    let mut helpers: BTreeMap<Helper, usize> = BTreeMap::new();
    for r in &relocs {
        if let CallTarget::Helper(h) = r.target {
            helpers.entry(h).or_insert(0);
        }
    }
    for (h, at) in helpers.iter_mut() {
        let mut a = Asm::new();
        crate::runtime::emit(&mut a, *h, m.sandboxed);
        let mut none = Vec::new();
        *at = link_into(&a.finish(), far, &mut code, &mut none)?;
    }
    for r in &relocs {
        let target = match r.target {
            CallTarget::Func(f) => offsets.get(f as usize).copied(),
            CallTarget::Helper(h) => helpers.get(&h).copied(),
            CallTarget::Pooled(_) => continue,
        };
        let Some(target) = target else {
            return Err(CompileError::internal("call to an unknown function"));
        };
        let off = (target as i64 - r.at as i64) * 4;
        if r.far {
            let lo = (off << 52) >> 52;
            let hi = (off - lo) >> 12;
            let (Some(hi), Some(lo)) = (Imm20::new(hi), Imm12::new(lo)) else {
                return Err(CompileError::too_large("code over 2 GiB"));
            };
            code[r.at] = enc::auipc(RA, hi);
            code[r.at + 1] = enc::jalr(RA, RA, lo);
        } else {
            match JumpOffset::new(off) {
                Some(o) => code[r.at] = enc::jal(RA, o),
                None => return Ok(None),
            }
        }
    }
    if (code.len() as u64) * 4 > CODE_LIMIT {
        return Err(CompileError::too_large(alloc::format!("code over {CODE_LIMIT} bytes")));
    }
    // The sandboxed mode's read-only data follows the code at a page boundary (linked at
    // CODE_BASE: see `Compiled::rebased_rodata`).
    let rodata_offset = if m.sandboxed { (code.len() as u64 * 4).next_multiple_of(4096) } else { 0 };
    let rodata_base = if m.sandboxed { CODE_BASE + rodata_offset } else { RODATA_BASE };
    let (mut rodata, datas, elems) = rodata(m, &offsets, rodata_base)?;
    pool(&mut rodata, &relocs, &mut code, m.sandboxed.then_some(rodata_offset))?;
    let funcs = m.funcs.iter().zip(&offsets).map(|(&ty, &at)| FuncInfo { ty, offset: at as u64 * 4 }).collect();
    Ok(Some(Compiled {
        code: word_bytes(&code),
        rodata,
        funcs,
        types: m.types.clone(),
        imports: m.imports.clone(),
        exports: m.exports.clone(),
        globals: m.globals.clone(),
        gas_global: m.gas_global,
        memory: m.memory,
        table: m.table,
        datas,
        elems,
        start: m.start,
        vmctx: m.vmctx(),
        sandboxed: m.sandboxed,
        rodata_offset,
        function_sizes,
        frame_sizes,
    }))
}

/// The constant pool: every constant that code loads (`lui rd, hi; ld rd, lo(rd)`,
/// [`CallTarget::Pooled`]) once, after the rest of the read-only data, and the loads patched
/// with its address; `pc_relative: Some(rodata_offset)` (the sandboxed mode): with its
/// distance, the `lui` becoming an `auipc`.
fn pool(
    rodata: &mut Vec<u8>,
    relocs: &[Reloc],
    code: &mut [u32],
    pc_relative: Option<u64>,
) -> Result<(), CompileError> {
    let mut at: BTreeMap<i64, u64> = BTreeMap::new();
    for r in relocs {
        let CallTarget::Pooled(value) = r.target else { continue };
        let offset = *at.entry(value).or_insert_with(|| {
            rodata.resize(rodata.len().next_multiple_of(8), 0);
            rodata.extend_from_slice(&value.to_le_bytes());
            rodata.len() as u64 - 8
        });
        // The address is within 32 bits of sign extension: the rodata region starts at
        // -0x7000_0000 and spans at most REGION_LIMIT bytes.
        let addr = match pc_relative {
            // Within 2^31: the code and the rodata are each at most REGION_LIMIT bytes.
            Some(rodata_offset) => (rodata_offset + offset) as i64 - 4 * r.at as i64,
            None => RODATA_BASE.wrapping_add(offset) as i64,
        };
        let lo = (addr << 52) >> 52;
        let hi = (addr - lo) >> 12;
        let (Some(_), Some(_)) = (Imm20::new(hi), Imm12::new(lo)) else {
            return Err(CompileError::internal("a pooled constant out of reach"));
        };
        let (Some(lui), Some(ld)) = (code.get(r.at).copied(), code.get(r.at + 1).copied()) else {
            return Err(CompileError::internal("a pooled constant outside the code"));
        };
        code[r.at] = (lui & 0xfff) | (((hi as u32) & 0xf_ffff) << 12);
        if pc_relative.is_some() {
            // `lui` (0x37) to `auipc` (0x17), same register and immediate.
            code[r.at] = (code[r.at] & !0x7f) | 0x17;
        }
        code[r.at + 1] = (ld & 0xf_ffff) | (((lo as u32) & 0xfff) << 20);
    }
    if rodata.len() as u64 > REGION_LIMIT {
        return Err(CompileError::too_large(alloc::format!("read-only data over {REGION_LIMIT} bytes")));
    }
    Ok(())
}

type Rodata = (Vec<u8>, Vec<SegmentInfo>, Vec<SegmentInfo>);

/// Function descriptors `[type id, address]`, then data segments, then element segments.
fn rodata(m: &Module<'_>, offsets: &[usize], rodata_base: u64) -> Result<Rodata, CompileError> {
    let mut out = Vec::new();
    for (f, &ty) in m.funcs.iter().enumerate() {
        let id = m.type_ids.get(ty as usize).copied().unwrap_or(u32::MAX);
        let addr = CODE_BASE + offsets.get(f).copied().unwrap_or(0) as u64 * 4;
        out.extend_from_slice(&u64::from(id).to_le_bytes());
        out.extend_from_slice(&addr.to_le_bytes());
    }
    let mut datas = Vec::new();
    for d in &m.datas {
        let at = out.len() as u64;
        out.extend_from_slice(d.bytes);
        while out.len() % 8 != 0 {
            out.push(0);
        }
        datas.push(SegmentInfo { mode: d.mode, rodata_offset: at, len: d.bytes.len() as u64 });
    }
    let mut elems = Vec::new();
    for ElemSegment { mode, items } in &m.elems {
        let at = out.len() as u64;
        for item in items {
            let v = item.map_or(0, |f| rodata_base + DESCRIPTOR_SIZE * u64::from(f));
            out.extend_from_slice(&v.to_le_bytes());
        }
        elems.push(SegmentInfo { mode: *mode, rodata_offset: at, len: items.len() as u64 });
    }
    if out.len() as u64 > REGION_LIMIT {
        return Err(CompileError::too_large(alloc::format!("read-only data over {REGION_LIMIT} bytes")));
    }
    Ok((out, datas, elems))
}
