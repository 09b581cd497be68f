//! The one table from WASM operators to gas classes.
//!
//! [`op_class`] is the single place that says which operators belong to the deterministic
//! subset and what each one weighs: the validator rejects every operator it refuses, metering
//! charges [`OpClass::weight`] of the ones it accepts, and the static gas-bounds analysis
//! uses the same function, so the three can never disagree.

use core::fmt;

use host_abi::gas::OpClass;
use wasmparser::Operator;

/// The class of an operator of the subset, or why the operator is outside it.
///
/// ```
/// use host_abi::gas::OpClass;
/// use wasm_validator::flow::classes::{op_class, Feature};
/// use wasmparser::Operator;
/// assert_eq!(op_class(&Operator::I64Mul), Ok(OpClass::Mul));
/// assert_eq!(op_class(&Operator::F32Add).unwrap_err().feature, Feature::Floats);
/// ```
pub fn op_class(op: &Operator<'_>) -> Result<OpClass, Excluded> {
    use OpClass as C;
    use Operator as O;
    Ok(match op {
        O::Nop | O::Block { .. } | O::Loop { .. } | O::End | O::Else | O::Drop => C::Free,

        O::I32Const { .. }
        | O::I64Const { .. }
        | O::LocalGet { .. }
        | O::LocalSet { .. }
        | O::LocalTee { .. }
        | O::GlobalGet { .. }
        | O::GlobalSet { .. }
        | O::Select => C::Move,

        O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU
        | O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU
        | O::I32Add
        | O::I32Sub
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I64Add
        | O::I64Sub
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => C::Alu,

        O::I32Mul | O::I64Mul => C::Mul,

        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU | O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => C::Div,

        O::I32Clz | O::I32Ctz | O::I32Popcnt | O::I64Clz | O::I64Ctz | O::I64Popcnt => C::BitCount,

        O::I32Rotl | O::I32Rotr | O::I64Rotl | O::I64Rotr => C::Rotate,

        // Wide arithmetic: a 128-bit add or subtract is two adds, a carry (`sltu`) and its add
        // (four ALU instructions); a full product is a multiply and a high multiply with the
        // moves of its two results. Each weighs what a rotation does (three), a little more
        // than the one multiply (or two adds) it replaces.
        O::I64Add128 | O::I64Sub128 | O::I64MulWideS | O::I64MulWideU => C::Rotate,

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
        | O::I64Store32 { .. } => C::Memory,

        O::Br { .. } | O::BrIf { .. } | O::If { .. } | O::Return | O::Unreachable => C::Branch,
        O::BrTable { .. } => C::BranchTable,
        O::Call { .. } => C::Call,
        O::CallIndirect { .. } => C::CallIndirect,
        O::MemorySize { .. } => C::Query,
        O::MemoryGrow { .. } => C::MemoryGrow,

        O::MemoryCopy { .. }
        | O::MemoryFill { .. }
        | O::MemoryInit { .. }
        | O::DataDrop { .. }
        | O::TableCopy { .. }
        | O::TableInit { .. }
        | O::ElemDrop { .. } => C::Bulk,

        other => return Err(Excluded::of(other)),
    })
}

/// The operators whose cost also depends on a run-time operand, charged by metering through
/// a helper before the operator runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeCharge {
    /// `memory.grow`: [`host_abi::gas::MEMORY_GROW_PAGE`] per requested page (the operand on
    /// top of the stack).
    GrowPages,
    /// `memory.copy`, `memory.fill`, `memory.init`, `table.copy`, `table.init`: one gas per
    /// [`host_abi::gas::BULK_BYTE_DIVISOR`] bytes or elements, rounded up (the length is the
    /// operand on top of the stack).
    BulkLength,
}

/// The run-time charge an operator needs on top of its static weight, if any.
pub fn runtime_charge(op: &Operator<'_>) -> Option<RuntimeCharge> {
    match op {
        Operator::MemoryGrow { .. } => Some(RuntimeCharge::GrowPages),
        Operator::MemoryCopy { .. }
        | Operator::MemoryFill { .. }
        | Operator::MemoryInit { .. }
        | Operator::TableCopy { .. }
        | Operator::TableInit { .. } => Some(RuntimeCharge::BulkLength),
        _ => None,
    }
}

/// The WebAssembly feature an excluded operator belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Floating point: `f32`/`f64` arithmetic, conversions, loads, stores, constants.
    Floats,
    /// SIMD and relaxed SIMD (`v128`).
    Simd,
    /// Threads and atomics.
    Threads,
    /// Tail calls (`return_call*`).
    TailCalls,
    /// Exception handling.
    Exceptions,
    /// Reference types beyond the single `funcref` table (`ref.*`, `table.get/set/size/grow/fill`,
    /// typed `select`).
    ReferenceTypes,
    /// GC and typed function references.
    Gc,
    /// Any other proposal (stack switching, memory control, ...).
    Other,
}

/// An operator outside the deterministic subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Excluded {
    /// The feature it belongs to.
    pub feature: Feature,
    /// Its text-format name, e.g. `f32.add` (see [`Mnemonic`]).
    pub name: Mnemonic,
}

impl Excluded {
    fn of(op: &Operator<'_>) -> Self {
        let (proposal, visit) = describe(op);
        let name = Mnemonic(visit.strip_prefix("visit_").unwrap_or(visit));
        let float = name.0.contains("f32") || name.0.contains("f64");
        let feature = match proposal {
            "simd" | "relaxed_simd" => Feature::Simd,
            _ if float => Feature::Floats,
            "saturating_float_to_int" => Feature::Floats,
            "threads" | "shared_everything_threads" | "acquire_release_atomics" => Feature::Threads,
            "tail_call" => Feature::TailCalls,
            "exceptions" | "legacy_exceptions" => Feature::Exceptions,
            "reference_types" => Feature::ReferenceTypes,
            "gc" | "function_references" | "custom_descriptors" => Feature::Gc,
            _ => Feature::Other,
        };
        Self { feature, name }
    }
}

/// The text-format name of an operator, derived from wasmparser's visitor name: the first
/// word is joined with a dot when it names a type or a namespace (`f32.add`, `memory.grow`,
/// `i32.trunc_f32_s`), otherwise kept whole (`return_call`, `br_table`). Atomic operators
/// come out close to, not exactly, their text names (`i32.atomic_rmw_add`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mnemonic(&'static str);

impl Mnemonic {
    /// The visitor-style name with underscores (`f32_add`).
    pub fn raw(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMESPACES: &[&str] = &[
            "i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "memory",
            "table", "local", "global", "ref", "elem", "data", "array", "struct", "any", "extern", "i31", "cont",
        ];
        match self.0.split_once('_') {
            Some((head, rest)) if NAMESPACES.contains(&head) => write!(f, "{head}.{rest}"),
            _ => f.write_str(self.0),
        }
    }
}

/// Generates [`describe`]: the proposal and visitor name of every operator wasmparser knows,
/// from wasmparser's own operator table.
macro_rules! define_describe {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The proposal an operator comes from and its visitor name (`visit_f32_add`).
        fn describe(op: &Operator<'_>) -> (&'static str, &'static str) {
            match op {
                $( Operator::$op { .. } => (stringify!($proposal), stringify!($visit)), )*
                _ => ("unknown", "visit_unknown_operator"),
            }
        }
    };
}
wasmparser::for_each_operator!(define_describe);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use wasmparser::BlockType;

    #[test]
    fn subset_classes() {
        assert_eq!(op_class(&Operator::Nop), Ok(OpClass::Free));
        assert_eq!(op_class(&Operator::Loop { blockty: BlockType::Empty }), Ok(OpClass::Free));
        assert_eq!(op_class(&Operator::I32Const { value: 1 }), Ok(OpClass::Move));
        assert_eq!(op_class(&Operator::I64Extend32S), Ok(OpClass::Alu));
        assert_eq!(op_class(&Operator::I32RemU), Ok(OpClass::Div));
        assert_eq!(op_class(&Operator::I64Popcnt), Ok(OpClass::BitCount));
        assert_eq!(op_class(&Operator::I32Rotl), Ok(OpClass::Rotate));
        assert_eq!(op_class(&Operator::BrIf { relative_depth: 0 }), Ok(OpClass::Branch));
        assert_eq!(op_class(&Operator::MemoryGrow { mem: 0 }), Ok(OpClass::MemoryGrow));
        assert_eq!(op_class(&Operator::MemoryFill { mem: 0 }), Ok(OpClass::Bulk));
        assert_eq!(op_class(&Operator::ElemDrop { elem_index: 0 }), Ok(OpClass::Bulk));
        for op in [Operator::I64Add128, Operator::I64Sub128, Operator::I64MulWideS, Operator::I64MulWideU] {
            assert_eq!(op_class(&op), Ok(OpClass::Rotate), "{op:?}");
        }
    }

    /// The first operator encoded in `bytes`.
    fn parse(bytes: &[u8]) -> Operator<'_> {
        wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes, 0)).read().unwrap()
    }

    #[test]
    fn memory_and_encoded_operators() {
        // i64.store32 align=2 offset=0
        assert_eq!(op_class(&parse(&[0x3e, 0x02, 0x00])), Ok(OpClass::Memory));
        // i32.load8_u
        assert_eq!(op_class(&parse(&[0x2d, 0x00, 0x00])), Ok(OpClass::Memory));
        // f64.load
        let e = op_class(&parse(&[0x2b, 0x03, 0x00])).unwrap_err();
        assert_eq!((e.feature, e.name.to_string().as_str()), (Feature::Floats, "f64.load"));
        // atomic.fence
        let e = op_class(&parse(&[0xfe, 0x03, 0x00])).unwrap_err();
        assert_eq!(e.feature, Feature::Threads);
        // memory.atomic.notify
        let e = op_class(&parse(&[0xfe, 0x00, 0x02, 0x00])).unwrap_err();
        assert_eq!((e.feature, e.name.to_string().as_str()), (Feature::Threads, "memory.atomic_notify"));
    }

    #[test]
    fn excluded_features_and_names() {
        let cases: &[(Operator<'_>, Feature, &str)] = &[
            (Operator::F32Add, Feature::Floats, "f32.add"),
            (Operator::F64Const { value: wasmparser::Ieee64::from(0.0f64) }, Feature::Floats, "f64.const"),
            (Operator::I32TruncF32S, Feature::Floats, "i32.trunc_f32_s"),
            (Operator::I64TruncSatF64U, Feature::Floats, "i64.trunc_sat_f64_u"),
            (Operator::I32ReinterpretF32, Feature::Floats, "i32.reinterpret_f32"),
            (Operator::ReturnCall { function_index: 0 }, Feature::TailCalls, "return_call"),
            (Operator::RefNull { hty: wasmparser::HeapType::FUNC }, Feature::ReferenceTypes, "ref.null"),
            (Operator::TableGet { table: 0 }, Feature::ReferenceTypes, "table.get"),
            (Operator::Throw { tag_index: 0 }, Feature::Exceptions, "throw"),
            (Operator::RefI31, Feature::Gc, "ref.i31"),
            (Operator::MemoryDiscard { mem: 0 }, Feature::Other, "memory.discard"),
        ];
        for (op, feature, name) in cases {
            let e = op_class(op).unwrap_err();
            assert_eq!(e.feature, *feature, "{op:?}");
            assert_eq!(e.name.to_string(), *name, "{op:?}");
        }
    }

    #[test]
    fn runtime_charges() {
        assert_eq!(runtime_charge(&Operator::MemoryGrow { mem: 0 }), Some(RuntimeCharge::GrowPages));
        assert_eq!(
            runtime_charge(&Operator::TableCopy { dst_table: 0, src_table: 0 }),
            Some(RuntimeCharge::BulkLength)
        );
        assert_eq!(runtime_charge(&Operator::DataDrop { data_index: 0 }), None);
        assert_eq!(runtime_charge(&Operator::I32Add), None);
    }
}
