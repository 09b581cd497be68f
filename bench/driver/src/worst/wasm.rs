//! The WASM cases of `zkos bench worst` (instruction classes and host functions).

/// Every WASM case.
pub fn cases() -> Vec<super::Case> {
    Vec::new()
}
