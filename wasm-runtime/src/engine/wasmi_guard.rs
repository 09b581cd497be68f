//! A guard around a mistranslation in wasmi 2.0.0, the reference engine.
//!
//! wasmi fuses `select` with the comparison that computes its condition when that comparison
//! is `i32.eq x 0` or `i32.ne x 0` (which is also what `i32.eqz x`, `i32.ne 0 x` and
//! `i32.eqz (i32.xor 0 x)` become after constant folding): it drops the comparison and
//! swaps the operands, but the `select` it then emits still reads the dropped comparison's
//! result register, so the result depends on whatever that register held
//! (`rv-backend/tests/reference_select.rs` shows the cases; the `rv_diff` fuzzer found it).
//! wasmi does not fuse a comparison whose result goes to a local, so the module wasmi is given
//! passes every `select`'s condition through `local.tee` of one added `i32` local per function
//! that has a `select`. Nothing else changes: the other sections are copied byte for byte, the
//! code section's functions without a `select` too, and the artifact (which the rv engine and
//! the gas accounting use) is not touched.

use alloc::vec::Vec;

use wasmparser::{Operator, Parser, Payload};

/// The code section's id.
const CODE_SECTION: u8 = 10;
/// `local.tee`'s opcode.
const LOCAL_TEE: u8 = 0x22;
/// The value type `i32`.
const I32: u8 = 0x7f;
/// The most locals wasmparser accepts in a function (its `MAX_WASM_FUNCTION_LOCALS`).
const MAX_LOCALS: u64 = 50_000;

/// The module with every `select`'s condition passed through a local, or `None` when it has
/// no `select` (or does not parse: wasmi reports that when it compiles the original).
pub fn guard_select(wasm: &[u8]) -> Option<Vec<u8>> {
    let info = scan(wasm).ok()?;
    if !info.has_select {
        return None;
    }
    let (header_start, content) = code_section(wasm)?;
    let mut code = Vec::with_capacity(content.len() + info.params.len() * 8);
    leb(&mut code, info.params.len() as u64);
    let mut bodies = Parser::new(0).parse_all(wasm).filter_map(|p| match p {
        Ok(Payload::CodeSectionEntry(body)) => Some(body),
        _ => None,
    });
    for &params in &info.params {
        let body = bodies.next()?;
        let range = span(body.range());
        let raw = wasm.get(range)?;
        match guarded_body(wasm, &body, params).ok()? {
            Some(new) => {
                leb(&mut code, new.len() as u64);
                code.extend_from_slice(&new);
            }
            None => {
                leb(&mut code, raw.len() as u64);
                code.extend_from_slice(raw);
            }
        }
    }
    let mut out = Vec::with_capacity(wasm.len() + code.len() - content.len() + 8);
    out.extend_from_slice(&wasm[..header_start]);
    out.push(CODE_SECTION);
    leb(&mut out, code.len() as u64);
    out.extend_from_slice(&code);
    out.extend_from_slice(&wasm[content.end..]);
    Some(out)
}

/// What the rewrite needs to know of a module.
#[derive(Default)]
struct Info {
    /// The parameter count of each function defined in the module, in order (imported
    /// functions have no body).
    params: Vec<u64>,
    /// Whether any function has a `select`.
    has_select: bool,
}

fn scan(wasm: &[u8]) -> Result<Info, wasmparser::BinaryReaderError> {
    let mut types = Vec::new();
    let mut info = Info::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group?.into_types() {
                        let params = match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f.params().len() as u64,
                            _ => 0,
                        };
                        types.push(params);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r {
                    info.params.push(types.get(ty? as usize).copied().unwrap_or(0));
                }
            }
            Payload::CodeSectionEntry(body) if !info.has_select => {
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    if is_select(&ops.read()?) {
                        info.has_select = true;
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

fn is_select(op: &Operator<'_>) -> bool {
    matches!(op, Operator::Select | Operator::TypedSelect { .. } | Operator::TypedSelectMulti { .. })
}

/// The code section's header offset and content range.
fn code_section(wasm: &[u8]) -> Option<(usize, core::ops::Range<usize>)> {
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, n) = read_leb(wasm.get(at + 1..)?)?;
        let start = at + 1 + n;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        if end > wasm.len() {
            return None;
        }
        if id == CODE_SECTION {
            return Some((at, start..end));
        }
        at = end;
    }
    None
}

/// A function body with one more `i32` local and a `local.tee` of it before every `select`;
/// `None` when the body has no `select` or has no room for another local.
fn guarded_body(
    wasm: &[u8],
    body: &wasmparser::FunctionBody<'_>,
    params: u64,
) -> Result<Option<Vec<u8>>, wasmparser::BinaryReaderError> {
    let mut locals = body.get_locals_reader()?;
    let groups = locals.get_count();
    let mut declared = 0u64;
    for _ in 0..groups {
        declared += u64::from(locals.read()?.0);
    }
    let index = params + declared;
    if index >= MAX_LOCALS {
        return Ok(None);
    }
    let range = span(body.range());
    let locals_end = locals.original_position() as usize;
    let mut ops = body.get_operators_reader()?;
    let mut selects = Vec::new();
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        if is_select(&op) {
            selects.push(offset);
        }
    }
    if selects.is_empty() {
        return Ok(None);
    }
    // The groups' count is the body's first bytes: skip it, keep the groups as they are.
    let (_, count_len) = read_leb(&wasm[range.start..]).unwrap_or((0, 0));
    let mut out = Vec::with_capacity(range.len() + selects.len() * 4 + 8);
    leb(&mut out, u64::from(groups) + 1);
    out.extend_from_slice(&wasm[range.start + count_len..locals_end]);
    out.push(1);
    out.push(I32);
    let tee = vec_tee(index);
    let mut from = locals_end;
    for at in selects {
        let at = at as usize;
        out.extend_from_slice(&wasm[from..at]);
        out.extend_from_slice(&tee);
        from = at;
    }
    out.extend_from_slice(&wasm[from..range.end]);
    Ok(Some(out))
}

/// A range of offsets into the module (which is in memory, so they fit a `usize`).
fn span(r: core::ops::Range<u64>) -> core::ops::Range<usize> {
    r.start as usize..r.end as usize
}

fn vec_tee(index: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(6);
    v.push(LOCAL_TEE);
    leb(&mut v, index);
    v
}

/// Appends `value` as unsigned LEB128.
fn leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// An unsigned LEB128 (at most 5 bytes, a `u32`) and its length.
fn read_leb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().take(5).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_select(wasm: &[u8]) -> usize {
        Parser::new(0)
            .parse_all(wasm)
            .filter_map(|p| match p {
                Ok(Payload::CodeSectionEntry(b)) => Some(b),
                _ => None,
            })
            .map(|b| {
                let mut ops = b.get_operators_reader().unwrap();
                let mut n = 0;
                let mut prev_tee = false;
                while !ops.eof() {
                    let op = ops.read().unwrap();
                    if is_select(&op) {
                        assert!(prev_tee, "every select follows the added local.tee");
                        n += 1;
                    }
                    prev_tee = matches!(op, Operator::LocalTee { .. });
                }
                n
            })
            .sum()
    }

    #[test]
    fn every_select_gets_a_tee_and_the_module_stays_valid() {
        let wasm = wat::parse_str(
            r#"(module
              (import "env" "h" (func $h (param i64)))
              (func $a (param i32 i64) (result i32) (local i64 i64) (local f32)
                (select (i32.const 1) (i32.const 2) (i32.eqz (local.get 0))))
              (func $b (result i64) (i64.const 7))
              (func $c (param i32) (result i64)
                (select (result i64) (i64.const 1) (call $b) (local.get 0))
                (drop)
                (select (i64.const 3) (i64.const 4) (i32.ne (i32.const 0) (local.get 0))))
              (data "x") (memory 1) (export "a" (func $a)))"#,
        )
        .unwrap();
        let guarded = guard_select(&wasm).unwrap();
        wasmparser::Validator::new().validate_all(&guarded).unwrap();
        assert_eq!(count_select(&guarded), 3);
        // Nothing to do without a select.
        let plain = wat::parse_str(r#"(module (func (result i32) (i32.const 1)))"#).unwrap();
        assert!(guard_select(&plain).is_none());
        // Garbage is left to wasmi to refuse.
        assert!(guard_select(b"\0asm\x01\0\0\0\x0a\xff").is_none());
    }
}
