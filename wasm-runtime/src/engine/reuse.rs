//! Reusing wasmi instances between frames: wasmi builds an instance in time proportional to
//! the module's functions (an entity each), so a frame of a module with thousands of
//! functions would cost far more than its gas. A finished frame's instance is instead put
//! back as it was made (memory, globals and table as instantiation left them) and kept for
//! the next frame of the same artifact.
//!
//! For that the engine compiles a variant of the module ([`expose`]) that also exports every
//! mutable global and the table under reserved names, and keeps its [`Plan`]: what
//! instantiation writes to memory. Modules whose state cannot be put back through wasmi's
//! API (passive segments, whose `data.drop`/`elem.drop` cannot be undone; a start function;
//! imported memory, table or globals; offsets that are not constants) get no plan: each of
//! their frames makes a fresh instance, as before.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use wasmparser::{DataKind, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef};

/// Prefix of the names [`expose`] exports under (a NUL byte: no contract's own export
/// starts with it in practice, and a collision only disables reuse).
const PREFIX: &str = "\0zkos-reuse-";
/// The export section's id.
const EXPORT_SECTION: u8 = 7;

/// How to put an instance of an exposed module back as instantiation left it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// The memory's initial size in pages (`None`: no memory).
    pub pages: Option<u64>,
    /// Active data segments, in order: offset and the range of their bytes in the module.
    pub data: Vec<(u64, core::ops::Range<usize>)>,
    /// The export names of the mutable globals.
    pub globals: Vec<String>,
    /// The export name of the table, if the module has one.
    pub table: Option<String>,
}

/// The module with its mutable globals and table exported under reserved names, and the
/// plan to reset its instances; `None` if its instances cannot be reset.
pub(crate) fn expose(wasm: &[u8]) -> Option<(Vec<u8>, Plan)> {
    // A module that does not parse (`Err`): the engine reports it when it compiles it.
    scan(wasm).unwrap_or_default()
}

/// Why a module could not be scanned: it does not parse, or is too large to index.
struct Unreadable;

fn scan(wasm: &[u8]) -> Result<Option<(Vec<u8>, Plan)>, Unreadable> {
    let err = |_: wasmparser::BinaryReaderError| Unreadable;
    let mut plan = Plan::default();
    let mut mutable = Vec::new();
    let mut has_table = false;
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut sections: Vec<(u8, core::ops::Range<usize>)> = Vec::new();
    let mut export_at = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(err)?;
        match &payload {
            Payload::ImportSection(r) => {
                for import in r.clone().into_imports() {
                    if !matches!(import.map_err(err)?.ty, TypeRef::Func(_)) {
                        return Ok(None);
                    }
                }
            }
            Payload::TableSection(r) => has_table = r.count() > 0,
            Payload::MemorySection(r) => {
                if let Some(m) = r.clone().into_iter().next() {
                    plan.pages = Some(m.map_err(err)?.initial);
                }
            }
            Payload::GlobalSection(r) => {
                for g in r.clone() {
                    mutable.push(g.map_err(err)?.ty.mutable);
                }
            }
            Payload::ExportSection(r) => {
                for e in r.clone() {
                    let e = e.map_err(err)?;
                    exports.push((e.name.into(), e.kind, e.index));
                }
            }
            Payload::StartSection { .. } => return Ok(None),
            Payload::ElementSection(r) => {
                for e in r.clone() {
                    if !matches!(e.map_err(err)?.kind, ElementKind::Active { .. } | ElementKind::Declared) {
                        return Ok(None);
                    }
                }
            }
            Payload::DataSection(r) => {
                for d in r.clone() {
                    let d = d.map_err(err)?;
                    let DataKind::Active { offset_expr, .. } = d.kind else {
                        return Ok(None);
                    };
                    let mut ops = offset_expr.get_operators_reader();
                    let offset = match (ops.read().map_err(err)?, ops.read().map_err(err)?) {
                        (Operator::I32Const { value }, Operator::End) => u64::from(value as u32),
                        _ => return Ok(None),
                    };
                    let end = usize::try_from(d.range.end).map_err(|_| Unreadable)?;
                    plan.data.push((offset, end - d.data.len()..end));
                }
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            let range = usize::try_from(range.start).map_err(|_| Unreadable)?
                ..usize::try_from(range.end).map_err(|_| Unreadable)?;
            if id == EXPORT_SECTION {
                export_at = Some(sections.len());
            }
            sections.push((id, range));
        }
    }
    // Every normalized module exports `call`; without an export section, no reuse.
    let Some(export_at) = export_at else {
        return Ok(None);
    };
    let taken = |name: &str| exports.iter().any(|(n, _, _)| n == name);
    let mut added = Vec::new();
    for (g, _) in mutable.iter().enumerate().filter(|(_, m)| **m) {
        let name = format!("{PREFIX}global-{g}");
        if taken(&name) {
            return Ok(None);
        }
        plan.globals.push(name.clone());
        added.push((name, wasm_encoder::ExportKind::Global, g as u32));
    }
    if has_table {
        let name = format!("{PREFIX}table");
        if taken(&name) {
            return Ok(None);
        }
        plan.table = Some(name.clone());
        added.push((name, wasm_encoder::ExportKind::Table, 0));
    }
    let mut section = wasm_encoder::ExportSection::new();
    for (name, kind, index) in &exports {
        let kind = match kind {
            ExternalKind::Func | ExternalKind::FuncExact => wasm_encoder::ExportKind::Func,
            ExternalKind::Table => wasm_encoder::ExportKind::Table,
            ExternalKind::Memory => wasm_encoder::ExportKind::Memory,
            ExternalKind::Global => wasm_encoder::ExportKind::Global,
            ExternalKind::Tag => wasm_encoder::ExportKind::Tag,
        };
        section.export(name, kind, *index);
    }
    for (name, kind, index) in &added {
        section.export(name, *kind, *index);
    }
    let mut module = wasm_encoder::Module::new();
    for (k, (id, range)) in sections.iter().enumerate() {
        if k == export_at {
            module.section(&section);
        } else {
            module.section(&wasm_encoder::RawSection { id: *id, data: &wasm[range.clone()] });
        }
    }
    Ok(Some((module.finish(), plan)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_mutable_globals_and_the_table() {
        let wasm = wat::parse_str(
            r#"(module
                (global $a (mut i64) (i64.const 1)) (global i32 (i32.const 2)) (global (mut i32) (i32.const 3))
                (table 2 funcref) (elem (i32.const 0) func 0)
                (memory (export "memory") 2 3) (data (i32.const 16) "hi") (data (i32.const 100) "there")
                (func (export "call")))"#,
        )
        .unwrap();
        let (exposed, plan) = expose(&wasm).unwrap();
        assert_eq!(plan.pages, Some(2));
        let data: Vec<(u64, &[u8])> = plan.data.iter().map(|(at, r)| (*at, &wasm[r.clone()])).collect();
        assert_eq!(data, [(16, &b"hi"[..]), (100, &b"there"[..])]);
        assert_eq!(plan.globals, [format!("{PREFIX}global-0"), format!("{PREFIX}global-2")]);
        assert_eq!(plan.table, Some(format!("{PREFIX}table")));
        let names: Vec<String> = Parser::new(0)
            .parse_all(&exposed)
            .filter_map(|p| match p.unwrap() {
                Payload::ExportSection(r) => {
                    Some(r.into_iter().map(|e| String::from(e.unwrap().name)).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(names, ["memory", "call", &plan.globals[0], &plan.globals[1], plan.table.as_ref().unwrap()]);
        wasmparser::Validator::new().validate_all(&exposed).unwrap();
    }

    #[test]
    fn state_that_cannot_be_put_back_means_no_reuse() {
        for module in [
            r#"(module (memory 1) (data "passive") (func (export "call")))"#,
            r#"(module (table 1 funcref) (elem func 0) (func (export "call")))"#,
            r#"(module (func $s) (start $s) (func (export "call")))"#,
            r#"(module (import "zkos" "m" (memory 1)) (func (export "call")))"#,
            r#"(module (import "zkos" "g" (global i32)) (memory 1) (data (global.get 0) "x") (func (export "call")))"#,
        ] {
            assert!(expose(&wat::parse_str(module).unwrap()).is_none(), "{module}");
        }
    }
}
