//! Validator of the deterministic WASM subset.
//!
//! [`validate`] accepts a module only if it is valid WebAssembly (wasmparser's validator,
//! restricted to [`features`]) and keeps every rule of the subset (DESIGN.md §1). Every
//! rejection is a [`ValidationError`] naming the [`Rule`] (stable short name below), what
//! exactly is wrong, the function (absolute index, imports counted) when inside one, and the
//! byte offset in the module.
//!
//! | rule | requires |
//! |---|---|
//! | `malformed`, `not-a-module`, `invalid` | a well-formed, valid core module |
//! | `code-size` | the whole module at most `limits::MAX_WASM_CODE_SIZE` bytes |
//! | `no-floats` | no `f32`/`f64` in types, locals, globals, block types or instructions (saturating truncations included) |
//! | `no-simd`, `no-threads`, `no-tail-calls`, `no-exceptions`, `no-gc`, `no-memory64` | none of these proposals |
//! | `no-reference-types` | no reference-typed values, `ref.*`, `table.get/set/size/grow/fill`, typed `select`, element expressions or declarative segments |
//! | `unsupported-feature` | nothing from other proposals (custom page sizes, wide arithmetic, ...) |
//! | `no-multi-memory`, `memory-required`, `memory-maximum`, `memory-size` | exactly one memory, with a maximum, at most `MAX_MEMORY_PAGES` |
//! | `table-count`, `table-maximum`, `table-size` | at most `MAX_TABLES` funcref tables, with a maximum, at most `MAX_TABLE_SIZE` |
//! | `function-count`, `global-count`, `local-count`, `nesting`, `function-size`, `type-arity` | the `limits` of host-abi |
//! | `import-kind`, `import-module`, `import-unknown`, `import-signature` | imports are functions from `zkos`, named after an importable host function, with its exact signature |
//! | `no-start` | no start function: contracts run only through their exports |
//! | `memory-export`, `call-export`, `call-signature`, `deploy-signature` | exports `memory` (the memory) and `call` (`[] -> []`); `deploy`, if exported, is `[] -> []` |
//! | `reserved-name` | no export, and no global in the name section, named with the `__zkos` prefix |
//!
//! Reference types: the proposal is off. One `funcref` table with a maximum is allowed, used
//! by `call_indirect`, element segments listing function indices, and the bulk operations
//! `table.copy`, `table.init` and `elem.drop`. The over-long LEB encoding of
//! `call_indirect`'s table index (which LLVM emits when reference types are on) is accepted:
//! it is an encoding, not a feature.
//!
//! Checks run section by section, the subset's rules before wasmparser's, so a module outside
//! the subset is reported by the rule it breaks; wasmparser then catches everything else
//! (type errors, bad indices) as `invalid`.
//!
//! The limits are host-abi's ([`host_abi::limits`]), one table with the compiler's: every
//! module accepted here compiles to RV64IM within `MAX_MACHINE_CODE_SIZE`, whatever its
//! functions' sizes (asserted there from `MAX_WASM_CODE_SIZE`, `MAX_FUNCTIONS` and the
//! compiler's bytes of code per byte of WASM, which rv-backend's tests hold it to), so both
//! engines run whatever is valid.
//!
//! ```
//! use wasm_validator::validate::{validate, Rule};
//! let ok = wat::parse_str(r#"(module (memory (export "memory") 1 1) (func (export "call")))"#).unwrap();
//! let info = validate(&ok).unwrap();
//! assert_eq!(info.validation_gas(), ok.len() as u64 * host_abi::gas::VALIDATE_BYTE);
//!
//! let float = wat::parse_str(r#"(module (memory (export "memory") 1 1)
//!     (func (export "call") (drop (f32.add (f32.const 1) (f32.const 2)))))"#).unwrap();
//! let e = validate(&float).unwrap_err();
//! assert_eq!(e.rule(), Rule::NoFloats);
//! assert_eq!(e.function(), Some(0));
//! assert!(e.to_string().starts_with("validation failed: float instruction f32.const is not allowed (rule no-floats) at function 0, byte offset 0x"));
//! ```

mod body;
mod error;
mod info;
mod items;
mod rules;

#[cfg(test)]
mod tests;

use host_abi::limits::MAX_WASM_CODE_SIZE;
use wasmparser::{FuncValidatorAllocations, Parser, Payload, ValidPayload, Validator, WasmFeatures};

pub use error::{Rule, ValidationError};
pub use info::{Export, ExportKind, Limits, ModuleInfo};
pub use items::RESERVED_PREFIX;

use items::{err, malformed};

/// The WebAssembly features of the subset, for wasmparser: mutable globals, sign extension,
/// multi-value, bulk memory, the over-long `call_indirect` table index, and wide arithmetic
/// (`i64.add128`, `i64.sub128`, `i64.mul_wide_s`, `i64.mul_wide_u`: integer-only and
/// deterministic). Everything else (floats included) is off.
pub fn features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::CALL_INDIRECT_OVERLONG
        | WasmFeatures::WIDE_ARITHMETIC
}

/// Validates a module against the deterministic subset (see the module docs).
pub fn validate(wasm: &[u8]) -> Result<ModuleInfo, ValidationError> {
    if wasm.len() > MAX_WASM_CODE_SIZE {
        let m = alloc::format!("module of {} bytes, more than {MAX_WASM_CODE_SIZE}", wasm.len());
        return Err(ValidationError::new(Rule::CodeTooLarge, m, MAX_WASM_CODE_SIZE));
    }
    let mut parser = Parser::new(0);
    parser.set_features(features());
    let mut validator = Validator::new_with_features(features());
    let mut checker = rules::Checker::default();
    let mut allocs = FuncValidatorAllocations::default();
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(|e| malformed(&e))?;
        checker.payload(&payload)?;
        let invalid =
            |e: wasmparser::BinaryReaderError| err(Rule::Invalid, error::parser_message(e.message()), e.offset());
        if let ValidPayload::Func(func, body) = validator.payload(&payload).map_err(invalid)? {
            let index = func.index;
            let mut v = func.into_validator(core::mem::take(&mut allocs));
            v.validate(&body).map_err(|e| invalid(e).in_function(index))?;
            allocs = v.into_allocations();
        }
        if let Payload::End(end) = payload {
            return checker.finish(end, wasm.len());
        }
    }
    // `parse_all` ends with `End` or an error; an empty iteration means no module at all.
    Err(ValidationError::new(Rule::Malformed, "unexpected end of the module", wasm.len()))
}
