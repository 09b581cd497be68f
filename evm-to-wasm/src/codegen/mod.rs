//! WASM module generation: imports, helpers, the main function, memory, globals, exports.

mod arith;
pub(crate) mod asm;
mod chunks;
pub(crate) mod ctx;
mod env;
mod gen;
pub(crate) mod helpers;
pub(crate) mod layout;
mod mem;
mod stack;

use crate::analysis::{instructions, Analysis, Exit};
use crate::opcodes::op;
use crate::TranspileError;
use alloc::vec;
use alloc::vec::Vec;
use ctx::Ctx;
use helpers::Helper;
use host_abi::functions::{HostFn, ValType as AbiType};
use wasm_encoder::{
    CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, FunctionSection, GlobalSection, GlobalType,
    ImportSection, MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// Smallest chunk budget tried.
const MIN_CHUNK_BUDGET: usize = 256;

/// Helpers and host functions an opcode needs.
fn needs(o: u8) -> (&'static [Helper], &'static [HostFn]) {
    use Helper as X;
    use HostFn as H;
    const RANGE: &[Helper] = &[X::MemRange, X::Expand];
    match o {
        op::MUL => (&[X::Mul], &[]),
        op::DIV | op::MOD => (&[X::UDivMod], &[]),
        op::SDIV => (&[X::SDiv], &[]),
        op::SMOD => (&[X::SMod], &[]),
        op::ADDMOD => (&[X::AddMod], &[]),
        op::MULMOD => (&[X::MulMod], &[]),
        op::EXP => (&[X::Exp], &[]),
        op::SIGNEXTEND => (&[X::SignExtend], &[]),
        op::BYTE => (&[X::Byte], &[]),
        op::SHL => (&[X::Shl], &[]),
        op::SHR => (&[X::Shr], &[]),
        op::SAR => (&[X::Sar], &[]),
        op::KECCAK256 => (&[X::MemRange, X::Expand], &[H::Keccak256]),
        op::ADDRESS => (&[], &[H::Address]),
        op::CALLER => (&[], &[H::Caller]),
        op::ORIGIN => (&[], &[H::Origin]),
        op::COINBASE => (&[], &[H::Coinbase]),
        op::CALLVALUE => (&[], &[H::CallValue]),
        op::GASPRICE => (&[], &[H::GasPrice]),
        op::BASEFEE => (&[], &[H::BaseFee]),
        op::PREVRANDAO => (&[], &[H::PrevRandao]),
        op::BLOBBASEFEE => (&[], &[H::BlobBaseFee]),
        op::SELFBALANCE => (&[], &[H::SelfBalance]),
        op::NUMBER => (&[], &[H::BlockNumber]),
        op::TIMESTAMP => (&[], &[H::BlockTimestamp]),
        op::GASLIMIT => (&[], &[H::BlockGasLimit]),
        op::CHAINID => (&[], &[H::ChainId]),
        op::CALLDATASIZE => (&[], &[H::CalldataSize]),
        op::CODESIZE => (&[], &[H::CodeSize]),
        op::RETURNDATASIZE => (&[], &[H::ReturndataSize]),
        op::BALANCE => (&[X::StoreBe], &[H::Balance]),
        op::EXTCODEHASH => (&[X::StoreBe], &[H::ExtCodeHash]),
        op::EXTCODESIZE => (&[X::StoreBe], &[H::ExtCodeSize]),
        op::BLOCKHASH => (&[], &[H::BlockHash]),
        op::BLOBHASH => (&[], &[H::BlobHash]),
        op::SLOAD => (&[X::StoreBe], &[H::StorageLoad]),
        op::TLOAD => (&[X::StoreBe], &[H::TransientLoad]),
        op::SSTORE => (&[X::StoreBe], &[H::StorageStore]),
        op::TSTORE => (&[X::StoreBe], &[H::TransientStore]),
        op::CALLDATALOAD => (&[X::CallDataLoad], &[]),
        op::CALLDATACOPY => (RANGE, &[H::CalldataCopy]),
        op::CODECOPY => (RANGE, &[H::CodeCopy]),
        op::RETURNDATACOPY => (RANGE, &[H::ReturndataCopy]),
        op::EXTCODECOPY => (&[X::MemRange, X::Expand, X::StoreBe], &[H::ExtCodeCopy]),
        op::MLOAD => (&[X::Expand], &[]),
        op::MSTORE => (&[X::StoreBe, X::Expand], &[]),
        op::MSTORE8 => (&[X::Expand], &[]),
        op::MCOPY => (RANGE, &[]),
        op::LOG0..=op::LOG4 => (&[X::MemRange, X::Expand, X::StoreBe], &[H::EmitLog]),
        op::RETURN => (RANGE, &[H::Finish]),
        op::REVERT => (RANGE, &[H::Revert]),
        op::STOP => (&[], &[H::Finish]),
        op::SELFDESTRUCT => (&[X::StoreBe], &[H::SelfDestruct]),
        op::CREATE => (&[X::MemRange, X::Expand, X::StoreBe], &[H::Create]),
        op::CREATE2 => (&[X::MemRange, X::Expand, X::StoreBe], &[H::Create2]),
        op::CALL => (&[X::MemRange, X::Expand, X::StoreBe, X::ReturnCopy], &[H::Call]),
        op::CALLCODE => (&[X::MemRange, X::Expand, X::StoreBe, X::ReturnCopy], &[H::CallCode]),
        op::DELEGATECALL => (&[X::MemRange, X::Expand, X::StoreBe, X::ReturnCopy], &[H::DelegateCall]),
        op::STATICCALL => (&[X::MemRange, X::Expand, X::StoreBe, X::ReturnCopy], &[H::StaticCall]),
        _ => (&[], &[]),
    }
}

/// The helpers and host functions the reachable code needs (helpers' own needs included).
fn requirements(code: &[u8], an: &Analysis) -> (Vec<HostFn>, Vec<Helper>) {
    let mut hosts = [false; 128];
    let mut helpers = [false; Helper::ALL.len()];
    let host_slot = |f: HostFn| HostFn::ALL.iter().position(|g| *g == f).unwrap_or(0);
    let mut used = [false; 256];
    for b in an.blocks.iter().filter(|b| b.reachable) {
        for ins in instructions(code, b.start, b.end) {
            used[usize::from(ins.op)] = true;
        }
    }
    let falls_off = an
        .blocks
        .last()
        .is_none_or(|b| b.reachable && matches!(b.exit, Exit::Fallthrough | Exit::GasSplit | Exit::JumpI(_)));
    if falls_off {
        used[usize::from(op::STOP)] = true;
    }
    for (o, _) in used.iter().enumerate().filter(|(_, u)| **u) {
        let (hs, fs) = needs(o as u8);
        for h in hs {
            helpers[*h as usize] = true;
        }
        for f in fs {
            hosts[host_slot(*f)] = true;
        }
    }
    // Close over helper dependencies (deps come later in the table or earlier: iterate).
    loop {
        let mut changed = false;
        for h in Helper::ALL {
            if helpers[*h as usize] {
                for d in h.deps() {
                    if !helpers[*d as usize] {
                        helpers[*d as usize] = true;
                        changed = true;
                    }
                }
                for f in h.hosts() {
                    hosts[host_slot(*f)] = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let hosts = HostFn::ALL.iter().copied().filter(|f| hosts[host_slot(*f)]).collect();
    let helpers = Helper::ALL.iter().copied().filter(|h| helpers[*h as usize]).collect();
    (hosts, helpers)
}

fn wasm_type(t: AbiType) -> ValType {
    match t {
        AbiType::I32 => ValType::I32,
        AbiType::I64 => ValType::I64,
    }
}

/// Function types, deduplicated.
#[derive(Default)]
struct Types(Vec<(Vec<ValType>, Vec<ValType>)>);

impl Types {
    fn index(&mut self, params: Vec<ValType>, results: Vec<ValType>) -> u32 {
        if let Some(i) = self.0.iter().position(|(p, r)| *p == params && *r == results) {
            return i as u32;
        }
        self.0.push((params, results));
        self.0.len() as u32 - 1
    }
}

/// Generates the module for analyzed code.
pub(crate) fn generate(code: &[u8], an: &Analysis, config: &crate::Config) -> Result<Vec<u8>, TranspileError> {
    let (hosts, helpers) = requirements(code, an);
    let ctx = Ctx::new(&hosts, &helpers);
    let mut types = Types::default();

    let mut imports = ImportSection::new();
    for f in &hosts {
        let params = f.params().iter().map(|p| wasm_type(p.ty)).collect();
        let results = f.result().map(wasm_type).into_iter().collect();
        let ty = types.index(params, results);
        imports.import(host_abi::IMPORT_MODULE, f.import_name(), EntityType::Function(ty));
    }

    let mut functions = FunctionSection::new();
    let mut code_section = CodeSection::new();
    for h in &helpers {
        functions.function(types.index(h.params(), h.results()));
        code_section.function(&h.body(&ctx));
    }
    // The code, in chunks small enough for the deterministic subset's limits (function size,
    // nesting); a chunk that still comes out too large is retried with a smaller budget.
    let mut budget = config.chunk_budget.max(1);
    let labels = config.chunk_labels.clamp(1, 240);
    let (chunks, bodies) = loop {
        let chunks = chunks::chunks(an, budget, labels);
        let bodies: Vec<_> = chunks.iter().map(|c| gen::chunk_function(code, an, &ctx, c)).collect();
        let fits = bodies.iter().all(|b| b.byte_len() <= host_abi::limits::MAX_FUNCTION_SIZE as usize);
        if fits || budget <= MIN_CHUNK_BUDGET.min(config.chunk_budget) {
            break (chunks, bodies);
        }
        budget /= 2;
    };
    let first = ctx.main_index();
    let call_index = if chunks.len() == 1 {
        functions.function(types.index(Vec::new(), Vec::new()));
        code_section.function(&bodies[0]);
        first
    } else {
        let chunk_ty = types.index(vec![ValType::I32, ValType::I32], vec![ValType::I32, ValType::I32]);
        for b in &bodies {
            functions.function(chunk_ty);
            code_section.function(b);
        }
        let fns: Vec<u32> = (0..chunks.len() as u32).map(|k| first + k).collect();
        functions.function(types.index(Vec::new(), Vec::new()));
        code_section.function(&chunks::dispatcher(an, &chunks, &fns));
        first + chunks.len() as u32
    };
    if let Some(what) = ctx.missing.get() {
        return Err(TranspileError::Internal(what));
    }

    let mut type_section = TypeSection::new();
    for (p, r) in &types.0 {
        type_section.ty().function(p.iter().copied(), r.iter().copied());
    }
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: Some(u64::from(layout::MAX_PAGES)),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    for _ in 0..3 {
        globals.global(GlobalType { val_type: ValType::I64, mutable: true, shared: false }, &ConstExpr::i64_const(0));
    }
    let mut exports = ExportSection::new();
    exports.export(host_abi::MEMORY_EXPORT, ExportKind::Memory, 0);
    exports.export(host_abi::CALL_EXPORT, ExportKind::Func, call_index);
    exports.export(host_abi::GAS_GLOBAL_EXPORT, ExportKind::Global, ctx::G_GAS);
    exports.export(host_abi::GAS_RESERVE_EXPORT, ExportKind::Global, ctx::G_GAS_RESERVE);

    let mut module = Module::new();
    module.section(&type_section);
    module.section(&imports);
    module.section(&functions);
    module.section(&memories);
    module.section(&globals);
    module.section(&exports);
    module.section(&code_section);
    Ok(module.finish())
}
