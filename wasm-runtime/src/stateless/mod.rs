//! Stateless blocks: a block run over a witness of its pre-state, as the kernel runs it
//! inside the RV64IM machine (DESIGN.md §2, kernel mode), and the same record computed the
//! ordinary way on the host.
//!
//! - [`KernelInput`]: the block (header fields, transactions as signed EIP-2718 bytes,
//!   withdrawals), the pre-state and pre-artifact roots, a [`Witness`] shaped like Ethereum's
//!   `ExecutionWitness` (trie-node preimages, codes, keys) and the deployment artifacts the
//!   block uses with their proof ([`ArtifactWitness`]). [`KernelInput::for_block`] builds it
//!   on the host with a minimal witness; [`KernelInput::encode`] / [`KernelInput::decode`]
//!   carry it to the kernel.
//! - [`WitnessState`]: the pre-state read through the witness, every read proven against
//!   the pre-state root ([`trie::PartialTrie`]); it takes the block's diff and recomputes the
//!   state root.
//! - [`run_stateless`]: decodes the transactions and recovers their senders, checks and loads
//!   the given artifacts, applies the block, and returns the [`PublicOutput`];
//!   [`host_record`] computes the same record over a [`MemoryDb`].
//!
//! Transactions travel only as their signed EIP-2718 encoding, so the kernel recovers every
//! sender itself. A block transaction without an encoding ([`BlockTx::unencoded`], as state
//! tests build them from fields) is refused by [`KernelInput::for_block`]: state tests sign
//! their transactions with a secret key, so such a transaction is given to the kernel as the
//! encoding of `UnsignedTx::sign(secret)` (`crate::tx::encode`), which decodes to the same
//! transaction. A transaction given with a sender and no signature cannot be run statelessly.
//!
//! **Witness extension**: envelope contracts commit `keccak256(code_hash ‖
//! keccak256(constants))` in place of their code hash ([`crate::block::roots`]); their
//! constants travel in [`Witness::constants`] beside the codes.
//!
//! ```
//! use wasm_runtime::block::Block;
//! use wasm_runtime::engine::EngineKind;
//! use wasm_runtime::platform::MemoryDb;
//! use wasm_runtime::stateless::{host_record, run_stateless, CommittedArtifacts, KernelInput};
//!
//! let (pre, block) = (MemoryDb::default(), Block::default());
//! let input = KernelInput::for_block(&pre, &CommittedArtifacts::default(), &block).unwrap();
//! let bytes = input.encode();
//! let (output, _) = run_stateless(&KernelInput::decode(&bytes).unwrap(), EngineKind::Wasmi).unwrap();
//! let host = host_record(&pre, &CommittedArtifacts::default(), &block, EngineKind::Wasmi).unwrap();
//! assert_eq!(output, host.output);
//! ```

use alloc::boxed::Box;
use alloc::vec::Vec;

use alloy_eips::eip4895::Withdrawal;

use crate::block::{roots, AppliedBlock, Block, BlockTx, CommitState, StateDiff};
use crate::engine::EngineKind;
use crate::env::BlockEnv;
use crate::exec::{apply_block, ArtifactCache};
use crate::fork::Fork;
use crate::platform::{AccountInfo, MemoryDb, Platform};
use crate::primitives::{keccak256, Address, Bytes, B256, U256};

pub mod artifacts;
mod codec;
mod error;
mod node;
mod state;
#[cfg(test)]
mod tests;
pub mod trie;
mod witness;

pub use artifacts::{ArtifactWitness, CommittedArtifacts};
pub use error::{StatelessError, TrieFault, TrieId};
pub use state::WitnessState;

use codec::{Reader, Writer};

/// Ethereum's `ExecutionWitness` shape: trie-node preimages (account trie and storage
/// tries), contract codes, and the preimages of the keys touched (addresses, slot keys).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Witness {
    /// RLP trie nodes, found by their keccak256.
    pub state: Vec<Bytes>,
    /// Contract codes, found by their keccak256.
    pub codes: Vec<Bytes>,
    /// Addresses (20 bytes) and storage slot keys (32 bytes) the block reads: informative,
    /// the kernel does not need them.
    pub keys: Vec<Bytes>,
    /// zkos extension: the code hash and constants area of each envelope account read.
    pub constants: Vec<(B256, Bytes)>,
}

impl Witness {
    /// The witness of `block` over `pre`, as `debug_executionWitness` gives it: the trie
    /// nodes, codes and keys a stateless run of the block reads. The transactions run as
    /// given (no encoding needed); [`KernelInput::for_block`] builds the kernel's whole input.
    pub fn of_block(pre: &MemoryDb, block: &Block) -> Result<Self, StatelessError> {
        witness::of_block(pre, block)
    }
}

/// A block as the kernel takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelBlock {
    /// The environment (number, timestamp, coinbase, gas limit, fees, chain id, block hashes,
    /// fork).
    pub env: BlockEnv,
    /// EIP-4788's parent beacon block root.
    pub parent_beacon_block_root: Option<B256>,
    /// EIP-2935's parent hash.
    pub parent_hash: Option<B256>,
    /// EIP-7685: the deposit contract, when the block collects requests.
    pub deposit_contract: Option<Address>,
    /// The transactions, as signed EIP-2718 bytes.
    pub transactions: Vec<Bytes>,
    /// EIP-4895 withdrawals.
    pub withdrawals: Vec<Withdrawal>,
}

impl KernelBlock {
    /// The kernel's form of `block`: every transaction must have its encoding.
    pub fn from_block(block: &Block) -> Result<Self, StatelessError> {
        let transactions = block
            .transactions
            .iter()
            .enumerate()
            .map(|(index, tx)| tx.encoded.clone().ok_or(StatelessError::UnencodedTransaction { index }))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            env: block.env.clone(),
            parent_beacon_block_root: block.parent_beacon_block_root,
            parent_hash: block.parent_hash,
            deposit_contract: block.deposit_contract,
            transactions,
            withdrawals: block.withdrawals.clone(),
        })
    }

    /// The block to apply: each transaction decoded and its sender recovered (one that does
    /// not decode is rejected by the block, as in host mode).
    pub fn to_block(&self) -> Block {
        let chain_id = self.env.chain_id;
        let transactions = self
            .transactions
            .iter()
            .map(|bytes| BlockTx { tx: crate::tx::decode(bytes, chain_id), encoded: Some(bytes.clone()) })
            .collect();
        Block {
            env: self.env.clone(),
            parent_beacon_block_root: self.parent_beacon_block_root,
            parent_hash: self.parent_hash,
            deposit_contract: self.deposit_contract,
            transactions,
            withdrawals: self.withdrawals.clone(),
        }
    }
}

/// Everything the kernel reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelInput {
    /// The block.
    pub block: KernelBlock,
    /// The state root the block starts from.
    pub pre_state_root: B256,
    /// The artifact root the block starts from.
    pub pre_artifact_root: B256,
    /// The pre-state's witness.
    pub witness: Witness,
    /// The committed artifacts the block uses, with their proof.
    pub artifacts: ArtifactWitness,
}

/// The first bytes of an encoded [`KernelInput`]: `"ZKKI"` and the encoding's version.
const INPUT_MAGIC: [u8; 5] = *b"ZKKI\x01";

impl KernelInput {
    /// Builds the input for `block` over `pre` (with `pre_artifacts` committed): runs the
    /// block once natively over the whole pre-state's trie, recording the nodes, codes and
    /// keys it reads and the nodes its updates need, and keeps exactly those.
    pub fn for_block(
        pre: &MemoryDb,
        pre_artifacts: &CommittedArtifacts,
        block: &Block,
    ) -> Result<Self, StatelessError> {
        witness::for_block(pre, pre_artifacts, block)
    }

    /// The binary encoding (see the `codec` module: fixed-width big-endian integers,
    /// `u32`-length-prefixed byte strings and lists), after the magic `"ZKKI" 0x01`.
    ///
    /// Layout: block (`number u64, timestamp u64, coinbase 20, gas_limit u64, base_fee 32,
    /// prev_randao 32, chain_id u64, excess_blob_gas u64, block_hashes [(u64, 32)], fork u8,
    /// parent_beacon_block_root opt 32, parent_hash opt 32, deposit_contract opt 20,
    /// transactions [bytes], withdrawals [(index u64, validator u64, address 20, gwei u64)]`),
    /// `pre_state_root 32, pre_artifact_root 32`, witness (`state [bytes], codes [bytes],
    /// keys [bytes], constants [(32, bytes)]`), artifacts (`artifacts [bytes], proof
    /// [bytes]`). An option is a byte 0 or 1 then the value.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.out.extend_from_slice(&INPUT_MAGIC);
        let b = &self.block;
        let env = &b.env;
        w.u64(env.number);
        w.u64(env.timestamp);
        w.address(&env.coinbase);
        w.u64(env.gas_limit);
        w.u256(&env.base_fee);
        w.b256(&env.prev_randao);
        w.u64(env.chain_id);
        w.u64(env.excess_blob_gas);
        w.list(&env.block_hashes, |w, (n, h)| {
            w.u64(*n);
            w.b256(h);
        });
        w.u8(fork_index(env.fork));
        w.option(b.parent_beacon_block_root.as_ref(), |w, v| w.b256(v));
        w.option(b.parent_hash.as_ref(), |w, v| w.b256(v));
        w.option(b.deposit_contract.as_ref(), |w, v| w.address(v));
        w.list(&b.transactions, |w, t| w.bytes(t));
        w.list(&b.withdrawals, |w, x| {
            w.u64(x.index);
            w.u64(x.validator_index);
            w.address(&x.address);
            w.u64(x.amount);
        });
        w.b256(&self.pre_state_root);
        w.b256(&self.pre_artifact_root);
        w.list(&self.witness.state, |w, n| w.bytes(n));
        w.list(&self.witness.codes, |w, c| w.bytes(c));
        w.list(&self.witness.keys, |w, k| w.bytes(k));
        w.list(&self.witness.constants, |w, (h, c)| {
            w.b256(h);
            w.bytes(c);
        });
        w.list(&self.artifacts.artifacts, |w, a| w.bytes(a));
        w.list(&self.artifacts.proof, |w, n| w.bytes(n));
        w.out
    }

    /// Reads [`Self::encode`]'s bytes; any malformed input is an error naming its offset.
    pub fn decode(bytes: &[u8]) -> Result<Self, StatelessError> {
        if bytes.get(..INPUT_MAGIC.len()) != Some(&INPUT_MAGIC[..]) {
            return Err(StatelessError::Decode { offset: 0, what: "the magic \"ZKKI\" and version 1" });
        }
        let mut r = Reader::new(&bytes[INPUT_MAGIC.len()..]);
        let shift = |e: StatelessError| match e {
            StatelessError::Decode { offset, what } => {
                StatelessError::Decode { offset: offset + INPUT_MAGIC.len(), what }
            }
            e => e,
        };
        let input = read_input(&mut r).map_err(shift)?;
        r.finish().map_err(shift)?;
        Ok(input)
    }
}

fn read_input(r: &mut Reader<'_>) -> Result<KernelInput, StatelessError> {
    let env = BlockEnv {
        number: r.u64("the block number")?,
        timestamp: r.u64("the timestamp")?,
        coinbase: r.address("the coinbase")?,
        gas_limit: r.u64("the gas limit")?,
        base_fee: r.u256("the base fee")?,
        prev_randao: r.b256("prevRandao")?,
        chain_id: r.u64("the chain id")?,
        excess_blob_gas: r.u64("the excess blob gas")?,
        block_hashes: r.list(40, "the block hashes", |r| Ok((r.u64("a block number")?, r.b256("a block hash")?)))?,
        fork: Fork::ALL[r.index(Fork::ALL.len(), "a known fork")?],
    };
    let block = KernelBlock {
        env,
        parent_beacon_block_root: r.option("the parent beacon block root", |r| r.b256("a root"))?,
        parent_hash: r.option("the parent hash", |r| r.b256("a hash"))?,
        deposit_contract: r.option("the deposit contract", |r| r.address("an address"))?,
        transactions: r.list(4, "the transactions", |r| r.bytes("a transaction"))?,
        withdrawals: r.list(44, "the withdrawals", |r| {
            Ok(Withdrawal {
                index: r.u64("a withdrawal index")?,
                validator_index: r.u64("a validator index")?,
                address: r.address("a withdrawal address")?,
                amount: r.u64("a withdrawal amount")?,
            })
        })?,
    };
    Ok(KernelInput {
        block,
        pre_state_root: r.b256("the pre-state root")?,
        pre_artifact_root: r.b256("the pre-artifact root")?,
        witness: Witness {
            state: r.list(4, "the witness nodes", |r| r.bytes("a node"))?,
            codes: r.list(4, "the witness codes", |r| r.bytes("a code"))?,
            keys: r.list(4, "the witness keys", |r| r.bytes("a key"))?,
            constants: r.list(36, "the witness constants", |r| Ok((r.b256("a code hash")?, r.bytes("constants")?)))?,
        },
        artifacts: ArtifactWitness {
            artifacts: r.list(4, "the artifacts", |r| r.bytes("an artifact"))?,
            proof: r.list(4, "the artifact proof", |r| r.bytes("a node"))?,
        },
    })
}

fn fork_index(fork: Fork) -> u8 {
    Fork::ALL.iter().position(|f| *f == fork).and_then(|i| u8::try_from(i).ok()).unwrap_or(u8::MAX)
}

/// The fixed public output of a block run (kernel or host).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PublicOutput {
    /// The state root before the block.
    pub pre_state_root: B256,
    /// The state root after it.
    pub post_state_root: B256,
    /// The artifact root before the block.
    pub pre_artifact_root: B256,
    /// The artifact root after it.
    pub post_artifact_root: B256,
    /// The receipts root.
    pub receipts_root: B256,
    /// keccak256 of the RLP list of all logs.
    pub logs_hash: B256,
    /// Gas used by the block's transactions.
    pub gas_used: u64,
    /// Transactions included (those with a receipt).
    pub tx_count: u64,
    /// keccak256 of the block's pubdata ([`crate::block::StateDiff::pubdata`]).
    pub pubdata_hash: B256,
}

impl PublicOutput {
    /// Size of the encoding.
    pub const SIZE: usize = 7 * 32 + 2 * 8;

    /// The record of an applied block.
    pub fn of(pre_state_root: B256, pre_artifact_root: B256, post_artifact_root: B256, applied: &AppliedBlock) -> Self {
        Self {
            pre_state_root,
            post_state_root: applied.commitments.state_root,
            pre_artifact_root,
            post_artifact_root,
            receipts_root: applied.commitments.receipts_root,
            logs_hash: applied.commitments.logs_hash,
            gas_used: applied.output.gas_used,
            tx_count: u64::try_from(applied.output.receipts.len()).unwrap_or(u64::MAX),
            pubdata_hash: keccak256(applied.output.diff.pubdata()),
        }
    }

    /// The encoding: `pre_state_root ‖ post_state_root ‖ pre_artifact_root ‖
    /// post_artifact_root ‖ receipts_root ‖ logs_hash ‖ gas_used (u64 BE) ‖ tx_count (u64
    /// BE) ‖ pubdata_hash`, 240 bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for root in [
            &self.pre_state_root,
            &self.post_state_root,
            &self.pre_artifact_root,
            &self.post_artifact_root,
            &self.receipts_root,
            &self.logs_hash,
        ] {
            w.b256(root);
        }
        w.u64(self.gas_used);
        w.u64(self.tx_count);
        w.b256(&self.pubdata_hash);
        w.out
    }

    /// Reads [`Self::encode`]'s 240 bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, StatelessError> {
        let mut r = Reader::new(bytes);
        let out = Self {
            pre_state_root: r.b256("the pre-state root")?,
            post_state_root: r.b256("the post-state root")?,
            pre_artifact_root: r.b256("the pre-artifact root")?,
            post_artifact_root: r.b256("the post-artifact root")?,
            receipts_root: r.b256("the receipts root")?,
            logs_hash: r.b256("the logs hash")?,
            gas_used: r.u64("the gas used")?,
            tx_count: r.u64("the transaction count")?,
            pubdata_hash: r.b256("the pubdata hash")?,
        };
        r.finish()?;
        Ok(out)
    }
}

/// The phases of a stateless block, in order (for a per-phase cost split: see
/// [`run_stateless_marked`]).
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Decoding the input (marked by the caller, which decodes it).
    Decode = 1,
    /// Decoding the transactions and recovering their senders.
    SenderRecovery = 2,
    /// Loading the witness: hashing its nodes and codes.
    Witness = 3,
    /// Checking the given artifacts against the pre-artifact root.
    Artifacts = 4,
    /// Executing the block (its state reads proven through the witness as they happen).
    Execution = 5,
    /// Committing the diff to the partial tries, the state root, and the block's other
    /// commitments (receipts root, logs hash, bloom).
    StateRoot = 6,
    /// The post-artifact root (serializing and hashing the artifacts built).
    ArtifactRoot = 7,
    /// The record is ready.
    Done = 8,
}

/// Runs a block statelessly: recovers the senders, checks the given artifacts against the
/// pre-artifact root, applies the block over the witness (every read proven against the
/// pre-state root), and returns the public output and the applied block. The first witness
/// fault fails the run (it takes precedence over the block's own error, which it may have
/// caused).
pub fn run_stateless(input: &KernelInput, engine: EngineKind) -> Result<(PublicOutput, AppliedBlock), StatelessError> {
    run_stateless_marked(input, engine, &mut |_| {})
}

/// [`run_stateless`], calling `mark` at the start of each [`Phase`] (from
/// [`Phase::SenderRecovery`] to [`Phase::Done`]; `Done` only when the run succeeds).
pub fn run_stateless_marked(
    input: &KernelInput,
    engine: EngineKind,
    mark: &mut dyn FnMut(Phase),
) -> Result<(PublicOutput, AppliedBlock), StatelessError> {
    mark(Phase::SenderRecovery);
    let block = input.block.to_block();
    mark(Phase::Witness);
    let mut state = WitnessState::new(&input.witness, input.pre_state_root);
    let mut art_db = trie::NodeDb::new(&input.artifacts.proof);
    let mut art_trie = trie::PartialTrie::new(input.pre_artifact_root);
    mark(Phase::Artifacts);
    let mut cache = ArtifactCache::default();
    cache.set_rules(block.env.fork.evm_rules());
    let known = artifacts::load(&input.artifacts.artifacts, &mut art_trie, &mut art_db, &mut cache)?;
    mark(Phase::Execution);
    let applied = apply_block(&mut Marked { state: &mut state, mark: &mut *mark }, &block, engine, &mut cache);
    if let Some(e) = state.take_error() {
        return Err(e);
    }
    let applied = applied.map_err(|e| StatelessError::Block(Box::new(e)))?;
    mark(Phase::ArtifactRoot);
    let post_artifact_root = artifacts::commit(&cache, &known, &mut art_trie, &mut art_db)?;
    let output = PublicOutput::of(input.pre_state_root, input.pre_artifact_root, post_artifact_root, &applied);
    mark(Phase::Done);
    Ok((output, applied))
}

/// A [`WitnessState`] that marks [`Phase::StateRoot`] when the block's diff is committed.
struct Marked<'a> {
    state: &'a mut WitnessState,
    mark: &'a mut dyn FnMut(Phase),
}

impl Platform for Marked<'_> {
    fn account(&mut self, address: &Address) -> Option<AccountInfo> {
        self.state.account(address)
    }
    fn storage(&mut self, address: &Address, key: &U256) -> U256 {
        self.state.storage(address, key)
    }
    fn has_storage(&mut self, address: &Address) -> bool {
        self.state.has_storage(address)
    }
}

impl CommitState for Marked<'_> {
    fn commit(&mut self, diff: &StateDiff) {
        (self.mark)(Phase::StateRoot);
        self.state.commit(diff);
    }
    fn state_root(&mut self) -> B256 {
        self.state.state_root()
    }
}

/// What [`host_record`] computes.
#[derive(Clone, Debug)]
pub struct HostRecord {
    /// The public output.
    pub output: PublicOutput,
    /// The applied block.
    pub applied: AppliedBlock,
    /// The committed artifacts after the block.
    pub post_artifacts: CommittedArtifacts,
}

/// The record of `block` over `pre` computed the ordinary way ([`MemoryDb`],
/// [`apply_block`], [`roots::state_root`]), for the identical-output check.
pub fn host_record(
    pre: &MemoryDb,
    pre_artifacts: &CommittedArtifacts,
    block: &Block,
    engine: EngineKind,
) -> Result<HostRecord, StatelessError> {
    let pre_state_root = roots::state_root(pre);
    let mut db = pre.clone();
    let mut cache = ArtifactCache::default();
    let applied = apply_block(&mut db, block, engine, &mut cache).map_err(|e| StatelessError::Block(Box::new(e)))?;
    let mut post_artifacts = pre_artifacts.clone();
    post_artifacts.add(&cache);
    let output = PublicOutput::of(pre_state_root, pre_artifacts.root(), post_artifacts.root(), &applied);
    Ok(HostRecord { output, applied, post_artifacts })
}
