//! The control-flow base that the validator, the gas bounds and metering share.
//!
//! - [`classes`]: the one table from operators to gas classes ([`op_class`]), which also says
//!   which operators belong to the deterministic subset;
//! - [`blocks`]: the basic blocks of a function body ([`basic_blocks`]), each with the static
//!   cost of its operators, and the walk over a body's operators ([`for_each_op`]);
//! - [`plan`]: what metering emits at the start of each basic block, the plan the gas bounds
//!   may compute (elision) and metering follows.
//!
//! [`bounds`](crate::bounds) builds its control-flow graph on these blocks and
//! [`meter`](crate::meter) charges them, so the two see the same blocks and weights without
//! importing each other.
//!
//! ```
//! let wasm = wat::parse_str(r#"(module (func (param i32)
//!     (loop (br_if 0 (local.get 0)))))"#).unwrap();
//! let body = wasmparser::Parser::new(0)
//!     .parse_all(&wasm)
//!     .find_map(|p| match p.unwrap() {
//!         wasmparser::Payload::CodeSectionEntry(body) => Some(body),
//!         _ => None,
//!     })
//!     .unwrap();
//! let blocks = wasm_validator::flow::basic_blocks(&body).unwrap();
//! use wasm_validator::flow::Entry;
//! let entries: Vec<Entry> = blocks.iter().map(|b| b.entry).collect();
//! assert_eq!(entries, [Entry::Function, Entry::LoopBody, Entry::AfterBranch, Entry::AfterEnd]);
//! ```

pub mod blocks;
pub mod classes;
mod error;
pub mod plan;

pub use blocks::{basic_blocks, for_each_op, Block, Entry, Op};
pub use classes::op_class;
pub(crate) use error::to_usize;
pub use error::{FlowError, FlowErrorKind};
pub use plan::{ElisionStats, Emit, Plan};
