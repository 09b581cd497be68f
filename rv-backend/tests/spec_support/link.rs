//! Import resolution for spec modules: `spectest` and registered modules.
//!
//! Functions of registered modules are called through the foreign-import ecall, on the
//! exporter's own instance. Memories, tables and mutable globals cannot be shared between
//! instances here: modules importing them from a registered module are skipped.

use rv_backend::{Compiled, ExportKind, FuncType, ImportKind, ImportTarget, Limits, ValType};

use super::{Runner, Slot};

/// What a foreign import calls.
#[derive(Clone, Copy, Debug)]
pub enum Foreign {
    /// `spectest.print*`: does nothing.
    Print,
    /// An export of a registered module.
    Remote { module: usize, func: u32 },
}

pub enum LinkError {
    Unlinkable(String),
    Unsupported(String),
}

pub struct Linked {
    pub globals: Vec<u64>,
    pub memory: Option<Limits>,
    pub table: Option<Limits>,
    pub foreign: Vec<Foreign>,
}

fn spectest_func(name: &str) -> Option<FuncType> {
    let t = |params: Vec<ValType>| FuncType { params, results: Vec::new() };
    match name {
        "print" => Some(t(vec![])),
        "print_i32" => Some(t(vec![ValType::I32])),
        "print_i64" => Some(t(vec![ValType::I64])),
        _ => None,
    }
}

fn fits(have: Limits, want: Limits) -> bool {
    have.initial >= want.initial
        && match want.maximum {
            None => true,
            Some(wm) => have.maximum.is_some_and(|hm| hm <= wm),
        }
}

fn unlinkable<T>(msg: String) -> Result<T, LinkError> {
    Err(LinkError::Unlinkable(msg))
}

fn exporter(r: &Runner, module: &str, name: &str) -> Result<usize, LinkError> {
    match r.registered.get(module) {
        None => unlinkable(format!("unknown module {module}.{name}")),
        Some(Slot::Ok(i)) => Ok(*i),
        Some(_) => Err(LinkError::Unsupported(format!("{module} is not loaded"))),
    }
}

pub fn resolve(r: &Runner, c: &Compiled) -> Result<Linked, LinkError> {
    let mut out = Linked { globals: Vec::new(), memory: None, table: None, foreign: Vec::new() };
    for imp in &c.imports {
        let (module, name) = (imp.module.as_str(), imp.name.as_str());
        match &imp.kind {
            ImportKind::Func { ty, target } => {
                if !matches!(target, ImportTarget::Foreign(_)) {
                    return Err(LinkError::Unsupported("host imports in a spec module".into()));
                }
                let want = &c.types[*ty as usize];
                if module == "spectest" {
                    if name.contains("f32") || name.contains("f64") {
                        // Float signatures are bit patterns here: not comparable.
                        return Err(LinkError::Unsupported(format!("spectest.{name}")));
                    }
                    match spectest_func(name) {
                        Some(t) if t == *want => out.foreign.push(Foreign::Print),
                        _ => return unlinkable(format!("spectest.{name}")),
                    }
                    continue;
                }
                let i = exporter(r, module, name)?;
                let m = &r.modules[i];
                match m.compiled.export(name) {
                    Some(e) if e.kind == ExportKind::Func && m.compiled.func_type(e.index) == Some(want) => {
                        out.foreign.push(Foreign::Remote { module: i, func: e.index })
                    }
                    _ => return unlinkable(format!("{module}.{name}")),
                }
            }
            ImportKind::Global { ty, mutable } => {
                if module == "spectest" {
                    if name.contains("f32") || name.contains("f64") {
                        return Err(LinkError::Unsupported(format!("spectest.{name}")));
                    }
                    match (name, ty, mutable) {
                        ("global_i32", ValType::I32, false) | ("global_i64", ValType::I64, false) => {
                            out.globals.push(666)
                        }
                        _ => return unlinkable(format!("spectest.{name}")),
                    }
                    continue;
                }
                let i = exporter(r, module, name)?;
                let m = &r.modules[i];
                let Some(e) = m.compiled.export(name).filter(|e| e.kind == ExportKind::Global) else {
                    return unlinkable(format!("{module}.{name}"));
                };
                let def = m.compiled.globals[e.index as usize];
                if def.ty != *ty || def.mutable != *mutable {
                    return unlinkable(format!("{module}.{name}: type"));
                }
                if *mutable {
                    m.tainted.set(true);
                    return Err(LinkError::Unsupported("shared mutable globals".into()));
                }
                out.globals.push(m.instance.borrow().global(e.index).unwrap_or(0));
            }
            ImportKind::Memory(want) => {
                if module == "spectest" && name == "memory" {
                    let have = Limits { initial: 1, maximum: Some(2) };
                    if !fits(have, *want) {
                        return unlinkable("spectest.memory limits".into());
                    }
                    out.memory = Some(have);
                    continue;
                }
                let i = exporter(r, module, name)?;
                match r.modules[i].compiled.export(name) {
                    Some(e) if e.kind == ExportKind::Memory => {
                        r.modules[i].tainted.set(true);
                        return Err(LinkError::Unsupported("shared memories".into()));
                    }
                    _ => return unlinkable(format!("{module}.{name}")),
                }
            }
            ImportKind::Table(want) => {
                if module == "spectest" && name == "table" {
                    let have = Limits { initial: 10, maximum: Some(20) };
                    if !fits(have, *want) {
                        return unlinkable("spectest.table limits".into());
                    }
                    out.table = Some(have);
                    continue;
                }
                let i = exporter(r, module, name)?;
                match r.modules[i].compiled.export(name) {
                    Some(e) if e.kind == ExportKind::Table => {
                        r.modules[i].tainted.set(true);
                        return Err(LinkError::Unsupported("shared tables".into()));
                    }
                    _ => return unlinkable(format!("{module}.{name}")),
                }
            }
        }
    }
    Ok(out)
}

/// Parameter and result types of foreign import `k`.
pub fn foreign_type(c: &Compiled, k: u32) -> (Vec<ValType>, Vec<ValType>) {
    for imp in &c.imports {
        if let ImportKind::Func { ty, target: ImportTarget::Foreign(n) } = &imp.kind {
            if *n == k {
                let t = &c.types[*ty as usize];
                return (t.params.clone(), t.results.clone());
            }
        }
    }
    (Vec::new(), Vec::new())
}
