//! The kernel-mode figure of `zkos bench worst`: each case's block (its one transaction,
//! signed by [`SECRET`]) run whole by the kernel ELF inside the RV64IM machine, so the host
//! functions (storage, keccak, calls, precompiles), the journal, the trie work and each host
//! call's switch between compiled code and the kernel are counted with the contract code.
//!
//! Warm: the artifacts of the case's contract (compiled code included) are committed before
//! the block, so the kernel takes them from the witness and compiles nothing; compile cost is
//! not in the figure. Per operation: the block's fixed overhead (input decoding, sender
//! recovery, witness checks, instantiation, the roots) is removed by running the same block
//! twice, with the case's gas and with a small gas ([`small_gas`]: the same loop, about a
//! tenth of the iterations), and dividing the difference in instructions by the difference in
//! gas; both runs end out of gas in the loop, so what is left is the loop's operations.

use std::path::Path;

use rv_machine::kernel::{run_kernel, Accelerators, KernelImage, KernelOptions};
use rv_machine::AlignMode;
use wasm_runtime::block::{Block, BlockTx};
use wasm_runtime::env::BlockEnv;
use wasm_runtime::platform::MemoryDb;
use wasm_runtime::primitives::{Address, B256};
use wasm_runtime::stateless::{host_record, CommittedArtifacts, KernelInput, PublicOutput};
use wasm_runtime::tx::{self, UnsignedTx};

/// The key every case's transaction is signed with (a well-known test key).
pub const SECRET: B256 = B256::new([
    0x45, 0xa9, 0x15, 0xe4, 0xd0, 0x60, 0x14, 0x9e, 0xb4, 0x36, 0x59, 0x60, 0xe6, 0xa7, 0xa4, 0x5f, 0x33, 0x43, 0x93,
    0x09, 0x30, 0x61, 0x11, 0x6b, 0x19, 0x7e, 0x32, 0x40, 0x06, 0x5f, 0xf2, 0xd8,
]);

/// The most instructions one kernel run may execute (a bound on time).
const BUDGET: u64 = 50_000_000_000;

/// The kernel ELF, parsed once.
pub struct Kernel {
    image: KernelImage,
}

impl Kernel {
    /// Loads the kernel ELF at `path`.
    pub fn load(path: &Path) -> Result<Kernel, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("the kernel ELF {}: {e}", path.display()))?;
        let image =
            KernelImage::new(&bytes).map_err(|e| format!("the kernel ELF {} does not load: {e}", path.display()))?;
        Ok(Kernel { image })
    }

    /// Runs `block` over `pre` with `artifacts` committed: the record and the figures.
    fn run(
        &self,
        pre: &MemoryDb,
        artifacts: &CommittedArtifacts,
        block: &Block,
    ) -> Result<(PublicOutput, Run), String> {
        let input = KernelInput::for_block(pre, artifacts, block).map_err(|e| format!("the kernel input: {e}"))?;
        let opts = KernelOptions { budget: BUDGET, align: AlignMode::Count, ..KernelOptions::default() };
        let run = run_kernel(&self.image, input.encode(), &opts).map_err(|e| format!("the kernel: {e}"))?;
        let bytes = run.result.map_err(|e| format!("{e}; the kernel said: {}", run.log.trim()))?;
        let output = PublicOutput::decode(&bytes).map_err(|e| format!("the kernel's output: {e}"))?;
        Ok((output, Run { instructions: run.instructions, accelerators: run.accelerators }))
    }
}

/// One kernel run's figures.
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    /// RV64IM instructions, the whole block.
    pub instructions: u64,
    /// Accelerator calls.
    pub accelerators: Accelerators,
}

/// A case's kernel-mode figure.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    /// The block with the case's gas.
    pub full: Run,
    /// The same block with [`small_gas`].
    pub small: Run,
    /// Gas used by the two blocks' transactions (intrinsic gas included).
    pub full_gas: u64,
    /// See `full_gas`.
    pub small_gas: u64,
}

impl Figure {
    /// Instructions per gas of the operation: the difference of the two runs.
    pub fn per_gas(&self) -> f64 {
        let gas = self.full_gas.saturating_sub(self.small_gas).max(1);
        self.full.instructions.saturating_sub(self.small.instructions) as f64 / gas as f64
    }
}

/// The gas of the overhead run for a case run with `gas`: the intrinsic gas and a tenth of
/// the rest, so the loop's set-up (filling memory, a precompile's input) is in both runs.
pub fn small_gas(gas: u64, intrinsic: u64) -> u64 {
    intrinsic + gas.saturating_sub(intrinsic) / 10
}

/// The signed call of `to` with gas `gas` from [`SECRET`]'s account, as a block transaction.
pub fn signed_call(env: &BlockEnv, nonce: u64, to: Address, gas: u64) -> Result<BlockTx, String> {
    let unsigned = UnsignedTx {
        tx_type: 2,
        chain_id: Some(env.chain_id),
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 1,
        to: Some(to),
        ..UnsignedTx::default()
    };
    let envelope = unsigned.sign(&SECRET).map_err(|e| format!("signing: {e}"))?;
    let recovered = tx::recover(&envelope, env.chain_id).map_err(|e| format!("recovering the sender: {e}"))?;
    Ok(BlockTx::encoded(recovered, tx::encode(&envelope).into()))
}

/// A block of the one transaction `tx`.
pub fn block(env: &BlockEnv, tx: BlockTx) -> Block {
    Block { env: env.clone(), transactions: vec![tx], ..Block::default() }
}

/// Measures the case whose contract is at `to` in `pre`, warm: its artifacts are those the
/// small block commits in host mode. `full_gas_used` is the full block's gas in host mode (the
/// rv run), which the kernel's record must repeat.
pub fn measure(
    kernel: &Kernel,
    pre: &MemoryDb,
    env: &BlockEnv,
    nonce: u64,
    to: Address,
    gas: u64,
    intrinsic: u64,
    full_gas_used: u64,
) -> Result<Figure, String> {
    let small_block = block(env, signed_call(env, nonce, to, small_gas(gas, intrinsic))?);
    let full_block = block(env, signed_call(env, nonce, to, gas)?);
    let host = host_record(pre, &CommittedArtifacts::default(), &small_block, wasm_runtime::engine::EngineKind::Wasmi)
        .map_err(|e| format!("host mode (small block): {e}"))?;
    let artifacts = host.post_artifacts;
    let (small_out, small) = kernel.run(pre, &artifacts, &small_block).map_err(|e| format!("small block: {e}"))?;
    if small_out.gas_used != host.output.gas_used || small_out.post_state_root != host.output.post_state_root {
        return Err(format!(
            "small block: the kernel's record (gas {}) differs from host mode's (gas {})",
            small_out.gas_used, host.output.gas_used
        ));
    }
    let (full_out, full) = kernel.run(pre, &artifacts, &full_block).map_err(|e| format!("full block: {e}"))?;
    if full_out.gas_used != full_gas_used {
        return Err(format!("full block: the kernel used {} gas, host mode {full_gas_used}", full_out.gas_used));
    }
    Ok(Figure { full, small, full_gas: full_out.gas_used, small_gas: small_out.gas_used })
}
