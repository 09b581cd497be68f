//! Execution: call and create frames, transactions and blocks.
//!
//! [`System`] holds the world state of a block in progress, the environment, the artifact
//! cache and the engine. [`System::call`] and [`System::create`] run a frame and every frame
//! it calls or creates. Call frames live on an explicit stack (the frame loop, `frames.rs`): a host function
//! that calls or creates suspends its frame with a request; the frame loop enters the callee
//! (checks, value transfer, precompile, create address, ...: `call.rs`, `create.rs`), runs it
//! on top, finishes it when it ends and resumes the caller with its result. Nothing recurses
//! natively across contract frames, so a 1024-deep call chain runs on a small, fixed native
//! stack. [`apply_block`] applies a whole block (its system call, transactions and
//! withdrawals) and commits to the result; [`execute_block`] applies a list of transactions.

mod artifact;
mod block;
mod call;
mod create;
mod frame;
mod frames;
pub mod precompile;
mod system_call;
#[cfg(test)]
mod tests;
mod trace;
mod tx;

pub use artifact::{Artifact, ArtifactCache, CodeKind};
pub use block::{apply_block, apply_block_traced, execute_block, execute_block_in, execute_block_with};
pub use create::{LIFTED_MODULE_BYTE, NATIVE_ELF_BYTE, WASM_DEPLOY_BYTE};
pub use frame::{CallKind, Calldata, Frame};
pub use trace::{CallTrace, TraceKind, Tracer};
pub use tx::{calldata_floor, intrinsic_gas, BlobRule, SetCodeRule, TxError};

use host_abi::status::CallStatus;

use crate::engine::EngineKind;
use crate::env::{BlockEnv, TxEnv};
use crate::error::Failure;
use crate::platform::Platform;
use crate::primitives::{Address, Bytes, U256};
use crate::world::World;

/// Parameters of a call frame.
#[derive(Clone, Debug)]
pub struct CallParams {
    /// How the frame is entered.
    pub kind: CallKind,
    /// The caller as the callee sees it.
    pub caller: Address,
    /// The account whose storage and balance the code acts on.
    pub address: Address,
    /// The account whose code runs.
    pub code_address: Address,
    /// Value moved from caller to `address` (CALL only; zero for the others).
    pub value: U256,
    /// Value the callee sees (CALLVALUE).
    pub apparent_value: U256,
    /// Calldata of a frame entered from outside ([`System::call`]); a nested call's input
    /// stays in its caller's memory instead ([`crate::host::CallRequest`]).
    pub input: Bytes,
    /// Gas given to the frame.
    pub gas: u64,
    /// Static context.
    pub is_static: bool,
    /// Depth of the new frame.
    pub depth: usize,
}

/// The result of a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameResult {
    /// How it ended.
    pub status: CallStatus,
    /// Return or revert data (empty on failure).
    pub output: Bytes,
    /// Gas handed back to the caller.
    pub gas_left: u64,
    /// The created address (creates that succeeded).
    pub created: Option<Address>,
    /// Why it failed, for failures (not executed or failed; a revert has none): the
    /// contract's fault or a limit it passed.
    pub error: Option<Failure>,
}

impl FrameResult {
    /// A frame not entered (its gas handed back): a limit or a check before entry.
    fn not_executed(gas: u64, why: impl Into<Failure>) -> Self {
        Self {
            status: CallStatus::NotExecuted,
            output: Bytes::new(),
            gas_left: gas,
            created: None,
            error: Some(why.into()),
        }
    }

    /// A frame that failed, all its gas used.
    fn failure(why: impl Into<Failure>) -> Self {
        Self { status: CallStatus::Failure, output: Bytes::new(), gas_left: 0, created: None, error: Some(why.into()) }
    }
}

/// Counters of deployment-time work, for tests and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// WASM modules validated and metered.
    pub normalizations: u64,
    /// EVM codes transpiled.
    pub transpilations: u64,
    /// Bytes of deployed EVM code transpiled at deployment.
    pub transpiled_bytes: u64,
    /// Artifacts compiled to RV64IM (the provable engine).
    pub rv_compilations: u64,
    /// Frames executed.
    pub frames: u64,
    /// RV64IM instructions executed by the provable engine.
    pub rv_instructions: u64,
}

impl Stats {
    /// Gas attributed to the transpilations at deployment: [`host_abi::gas::TRANSPILE_BYTE`]
    /// per byte, taken out of Ethereum's code-deposit charge.
    pub fn transpile_gas(&self) -> u64 {
        host_abi::gas::TRANSPILE_BYTE * self.transpiled_bytes
    }
}

/// The system layer for one block.
pub struct System<P: Platform> {
    /// The world state.
    pub world: World<P>,
    /// The block environment.
    pub block: BlockEnv,
    /// The transaction being executed.
    pub tx: TxEnv,
    /// Its effective gas price.
    pub gas_price: U256,
    /// Deployment artifacts by code hash.
    pub artifacts: ArtifactCache,
    /// The engine contract code runs on.
    pub engine: EngineKind,
    /// Engine-side caches of the reference engine.
    pub(crate) wasmi: crate::engine::wasmi::WasmiCache,
    /// Debug output of contracts (`debug_log`) in the transaction being executed.
    pub debug_output: crate::host::DebugOutput,
    /// Work counters.
    pub stats: Stats,
    /// The call trace being recorded (`None`: no tracing, the default).
    pub tracer: Option<alloc::boxed::Box<Tracer>>,
    /// The block's blob base fee, computed on first use ([`Self::blob_base_fee`]).
    blob_base_fee: core::cell::OnceCell<Option<U256>>,
}

impl<P: Platform> System<P> {
    /// A system over `platform` for `block`.
    pub fn new(platform: P, block: BlockEnv, engine: EngineKind) -> Self {
        Self::with_artifacts(platform, block, engine, ArtifactCache::default())
    }

    /// A system that starts from the artifacts earlier blocks built (take them back with
    /// `core::mem::take(&mut sys.artifacts)` when the block is done).
    pub fn with_artifacts(platform: P, block: BlockEnv, engine: EngineKind, mut artifacts: ArtifactCache) -> Self {
        artifacts.set_rules(block.fork.evm_rules());
        Self {
            world: World::new(platform),
            block,
            tx: TxEnv::default(),
            gas_price: U256::ZERO,
            artifacts,
            engine,
            wasmi: crate::engine::wasmi::WasmiCache::default(),
            debug_output: crate::host::DebugOutput::default(),
            stats: Stats::default(),
            tracer: None,
            blob_base_fee: core::cell::OnceCell::new(),
        }
    }

    /// The block's EIP-4844 blob base fee ([`BlockEnv::blob_base_fee`]), computed once per
    /// block: BLOBBASEFEE and every blob transaction read it.
    pub fn blob_base_fee(&self) -> Option<U256> {
        *self.blob_base_fee.get_or_init(|| self.block.blob_base_fee())
    }
}
