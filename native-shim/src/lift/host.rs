//! Host functions as the lifted code calls them: which `i32` arguments are addresses (the
//! program's addresses, moved into linear memory) and which are lengths or counts.

use host_abi::functions::{HostFn, Param, ValType};
use wasm_encoder::InstructionSink;

/// Whether a host function's `i32` parameter is an address in the caller's memory.
pub fn is_address(p: &Param) -> bool {
    matches!(
        p.name,
        "ptr"
            | "out"
            | "key"
            | "value"
            | "addr"
            | "input"
            | "dest"
            | "code"
            | "salt"
            | "topics"
            | "data"
            | "beneficiary"
    )
}

/// Whether a host function's `i32` parameter is a length, count or offset (no address).
pub fn is_length(p: &Param) -> bool {
    matches!(p.name, "len" | "offset" | "input_len" | "code_len" | "topic_count" | "data_len" | "out_len")
}

/// Pushes the arguments of `f` taken from consecutive `i64` locals starting at `first`:
/// `i64` parameters as they are, `i32` ones truncated, addresses moved by `delta`.
pub fn push_args(s: &mut InstructionSink<'_>, f: HostFn, first: impl Fn(usize) -> Option<u32>, delta: i32) {
    for (k, p) in f.params().iter().enumerate() {
        match first(k) {
            Some(local) => s.local_get(local),
            None => s.i64_const(0),
        };
        if p.ty == ValType::I32 {
            s.i32_wrap_i64();
            if is_address(p) && delta != 0 {
                s.i32_const(delta).i32_add();
            }
        }
    }
}

/// Converts `f`'s result to the `i64` of `a0` (sign-extending an `i32`, as RV64 keeps
/// 32-bit values); returns whether there is one.
pub fn widen_result(s: &mut InstructionSink<'_>, f: HostFn) -> bool {
    match f.result() {
        Some(ValType::I32) => {
            s.i64_extend_i32_s();
            true
        }
        Some(ValType::I64) => true,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_i32_parameter_is_an_address_or_a_length() {
        for f in HostFn::ALL.iter().filter(|f| f.importable()) {
            for p in f.params().iter().filter(|p| p.ty == ValType::I32) {
                assert!(is_address(p) != is_length(p), "{}: parameter {} is unclassified", f.import_name(), p.name);
            }
            assert!(f.params().len() <= 6, "{} takes more than a0..a5", f.import_name());
        }
    }
}
