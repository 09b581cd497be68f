//! Instruments a module to count executed instructions weighted by host-abi's `OpClass`
//! weights (calibrated so that one unit is about one RV64IM instruction of lowered code):
//! a new exported global `__count` is increased before every instruction.

use host_abi::gas::OpClass;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Operator as O, Parser, Payload};

pub const COUNT_EXPORT: &str = "__count";

/// The weight class of an operator (the deterministic subset transpiled code uses).
pub fn class(op: &O<'_>) -> OpClass {
    use OpClass::*;
    match op {
        O::Nop | O::Block { .. } | O::Loop { .. } | O::End | O::Else | O::Drop => Free,
        O::I32Const { .. }
        | O::I64Const { .. }
        | O::LocalGet { .. }
        | O::LocalSet { .. }
        | O::LocalTee { .. }
        | O::GlobalGet { .. }
        | O::GlobalSet { .. }
        | O::Select
        | O::TypedSelect { .. } => Move,
        O::I32Mul | O::I64Mul => Mul,
        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU | O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => Div,
        O::I32Clz | O::I32Ctz | O::I32Popcnt | O::I64Clz | O::I64Ctz | O::I64Popcnt => BitCount,
        O::I32Rotl | O::I32Rotr | O::I64Rotl | O::I64Rotr => Rotate,
        O::I32Load { .. }
        | O::I64Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. }
        | O::I32Store { .. }
        | O::I64Store { .. }
        | O::I32Store8 { .. }
        | O::I32Store16 { .. }
        | O::I64Store8 { .. }
        | O::I64Store16 { .. }
        | O::I64Store32 { .. } => Memory,
        O::Br { .. } | O::BrIf { .. } | O::If { .. } | O::Return | O::Unreachable => Branch,
        O::BrTable { .. } => BranchTable,
        O::Call { .. } => Call,
        O::CallIndirect { .. } => CallIndirect,
        O::MemorySize { .. } => Query,
        O::MemoryGrow { .. } => MemoryGrow,
        O::MemoryCopy { .. } | O::MemoryFill { .. } => Bulk,
        _ => Alu,
    }
}

/// The module with counting code.
pub fn instrument(wasm: &[u8]) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    let mut re = RoundtripReencoder;
    let mut globals = wasm_encoder::GlobalSection::new();
    let mut exports = wasm_encoder::ExportSection::new();
    let mut code = wasm_encoder::CodeSection::new();
    let mut n_globals = 0;
    let mut done_globals = false;
    let flush_globals = |module: &mut wasm_encoder::Module, globals: &mut wasm_encoder::GlobalSection| {
        globals.global(
            wasm_encoder::GlobalType { val_type: wasm_encoder::ValType::I64, mutable: true, shared: false },
            &wasm_encoder::ConstExpr::i64_const(0),
        );
        module.section(globals);
    };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.unwrap();
        match payload {
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.unwrap();
                    globals.global(re.global_type(g.ty).unwrap(), &re.const_expr(g.init_expr).unwrap());
                    n_globals += 1;
                }
                flush_globals(&mut module, &mut globals);
                done_globals = true;
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    exports.export(e.name, re.export_kind(e.kind).unwrap(), e.index);
                }
                exports.export(COUNT_EXPORT, wasm_encoder::ExportKind::Global, n_globals);
                module.section(&exports);
            }
            Payload::CodeSectionStart { .. } => {}
            Payload::CodeSectionEntry(body) => {
                let mut locals = Vec::new();
                for l in body.get_locals_reader().unwrap() {
                    let (n, t) = l.unwrap();
                    locals.push((n, re.val_type(t).unwrap()));
                }
                let mut f = wasm_encoder::Function::new(locals);
                for op in body.get_operators_reader().unwrap() {
                    let op = op.unwrap();
                    let w = class(&op).weight();
                    if w > 0 {
                        f.instructions().global_get(n_globals).i64_const(w as i64).i64_add().global_set(n_globals);
                    }
                    f.instruction(&re.instruction(op).unwrap());
                }
                code.function(&f);
            }
            Payload::End(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    assert!(done_globals || id < 6, "unexpected section {id} before globals");
                    module.section(&wasm_encoder::RawSection {
                        id,
                        data: &wasm[range.start as usize..range.end as usize],
                    });
                }
            }
        }
    }
    // The code section goes last (no data section in transpiled modules).
    module.section(&code);
    module.finish()
}
