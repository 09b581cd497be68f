//! Validator of the deterministic WASM subset (being written).
