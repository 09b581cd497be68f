//! The validator's results checked against contracts run by wasm-runtime: bounds against the
//! gas measured, elision against the unelided module, the stack budget on both engines.

mod bounds;
mod elide;
mod evm_bounds;
mod stack;
mod testkit;
