//! # zkos-tests: contracts end to end
//!
//! A small chain harness over the system layer: fund accounts, deploy contracts (WAT or
//! WASM wrapped in an envelope), send transactions, inspect receipts and state. Each
//! behaviour test is written once and stamped out per engine with [`engine_tests!`].
//!
//! ```
//! use zkos_tests::{Chain, envelope};
//! let mut chain = Chain::new(wasm_runtime::engine::EngineKind::Wasmi);
//! let wasm = wat::parse_str(r#"(module (memory (export "memory") 1 1)
//!     (func (export "call")))"#).unwrap();
//! let r = chain.deploy(&envelope(&wasm, &[]), &[]);
//! assert!(r.success, "{:?}", r.error);
//! ```

pub mod actor;

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use host_abi::envelope::{Envelope, Kind};
use wasm_runtime::block::{BlockOutput, Receipt};
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::platform::{AccountInfo, MemoryDb};

/// The default sender of [`Chain`] transactions.
pub const ALICE: Address = Address::repeat_byte(0xA1);
/// A second funded account.
pub const BOB: Address = Address::repeat_byte(0xB0);
/// The block's coinbase.
pub const COINBASE: Address = Address::repeat_byte(0xC0);
/// Gas limit used by [`Chain::call`] and [`Chain::deploy`].
pub const DEFAULT_GAS: u64 = 10_000_000;

/// Wraps a WASM module and constants in an envelope.
pub fn envelope(wasm: &[u8], constants: &[u8]) -> Vec<u8> {
    let env = Envelope { kind: Kind::Wasm, version: 0, constants, code: wasm };
    let mut out = vec![0u8; env.encoded_len()];
    env.encode_into(&mut out).expect("buffer has the encoded length");
    out
}

/// Parses WAT, panicking with the parse error (test input only).
pub fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap_or_else(|e| panic!("bad WAT in test: {e}"))
}

/// A 32-byte big-endian word of a number.
pub fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes::<32>()
}

/// An address as an ABI word (left-padded with zeros).
pub fn address_word(address: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(address.as_slice());
    w
}

/// The 4-byte selector of a Solidity signature such as `transfer(address,uint256)`.
pub fn selector(signature: &str) -> [u8; 4] {
    let hash = keccak256(signature.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

/// Calldata: the selector of `signature`, then the static ABI words.
pub fn calldata(signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
    let mut out = selector(signature).to_vec();
    words.iter().for_each(|w| out.extend_from_slice(w));
    out
}

/// An example contract's module, `examples/out/NAME.wasm` (built by `examples/build.sh`).
pub fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../examples/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run examples/build.sh first"))
}

/// A chain of blocks with one transaction each, on one engine.
pub struct Chain {
    /// The state.
    pub db: MemoryDb,
    /// The next block's environment.
    pub block: BlockEnv,
    /// The engine contracts run on.
    pub engine: EngineKind,
    /// Outputs of every block so far.
    pub blocks: Vec<BlockOutput>,
    /// Run every block on both engines and assert that they agree ([`run_block_differential`]).
    pub differential: bool,
}

thread_local! {
    static DIFFERENTIAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every [`Chain`] it creates in differential mode.
pub fn with_differential<T>(f: impl FnOnce() -> T) -> T {
    DIFFERENTIAL.with(|d| d.set(true));
    let out = f();
    DIFFERENTIAL.with(|d| d.set(false));
    out
}

/// Runs a block on the reference engine (wasmi) and on the provable engine (RV64IM) and
/// asserts that they agree exactly: every receipt's status, gas used, output, logs, created
/// address and failure (its kind and detail), the rejected transactions, the block's gas and
/// the state diff. Returns the output (of the reference engine).
pub fn run_block_differential(db: &MemoryDb, block: &BlockEnv, txs: &[TxEnv]) -> BlockOutput {
    let run = |engine| {
        let txs = txs.iter().cloned().map(Ok).collect();
        wasm_runtime::exec::execute_block_with(&mut db.clone(), block, txs, engine)
    };
    let reference = run(EngineKind::Wasmi);
    let provable = run(EngineKind::Rv);
    assert_same_block(&reference, &provable);
    reference
}

/// Asserts that two engines' outputs of one block agree, down to why each failed
/// transaction failed: a failure is typed data ([`wasm_runtime::error::Failure`]), the same
/// on every engine, and so is an error that fails the block.
pub fn assert_same_block(a: &BlockOutput, b: &BlockOutput) {
    assert_eq!(a.error, b.error, "block error");
    assert_eq!(a.receipts.len(), b.receipts.len(), "receipt count");
    for (i, (x, y)) in a.receipts.iter().zip(&b.receipts).enumerate() {
        let what = |f: &str| format!("receipt {i}: {f} differs (wasmi {:?}, rv {:?})", x.error, y.error);
        assert_eq!(x.success, y.success, "{}", what("status"));
        assert_eq!(x.gas_used, y.gas_used, "{}", what("gas used"));
        assert_eq!(x.cumulative_gas_used, y.cumulative_gas_used, "{}", what("cumulative gas"));
        assert_eq!(x.output, y.output, "{}", what("output"));
        assert_eq!(x.logs, y.logs, "{}", what("logs"));
        assert_eq!(x.contract_address, y.contract_address, "{}", what("created address"));
        assert_eq!(x.error, y.error, "{}", what("failure"));
    }
    assert_eq!(a.rejected, b.rejected, "rejected transactions");
    assert_eq!(a.gas_used, b.gas_used, "block gas");
    assert_eq!(a.diff, b.diff, "state diff");
}

impl Chain {
    /// A chain with ALICE and BOB funded with 1000 ether each.
    pub fn new(engine: EngineKind) -> Self {
        let mut db = MemoryDb::default();
        let ether = U256::from(10u64).pow(U256::from(18));
        for who in [ALICE, BOB] {
            db.insert(who, AccountInfo::with_balance(ether * U256::from(1000u64), 0), BTreeMap::new());
        }
        let block = BlockEnv {
            number: 1,
            timestamp: 1_700_000_000,
            coinbase: COINBASE,
            gas_limit: 30_000_000,
            base_fee: U256::from(7u64),
            chain_id: 1,
            ..BlockEnv::default()
        };
        let differential = DIFFERENTIAL.with(|d| d.get());
        Self { db, block, engine, blocks: Vec::new(), differential }
    }

    /// The account's current info.
    pub fn account(&self, address: Address) -> Option<AccountInfo> {
        self.db.accounts.get(&address).map(|a| a.info.clone())
    }

    /// Balance (zero if absent).
    pub fn balance(&self, address: Address) -> U256 {
        self.account(address).map(|a| a.balance).unwrap_or_default()
    }

    /// A storage slot.
    pub fn storage(&self, address: Address, key: U256) -> U256 {
        self.db.accounts.get(&address).and_then(|a| a.storage.get(&key).copied()).unwrap_or_default()
    }

    /// Runs a block of transactions and applies it; panics if the block fails (an internal
    /// error, a balance past 2^256 − 1 wei), naming why.
    pub fn run_block(&mut self, txs: Vec<TxEnv>) -> BlockOutput {
        if self.differential {
            let out = run_block_differential(&self.db, &self.block, &txs);
            if let Some(e) = &out.error {
                panic!("the block failed: {e}");
            }
            self.db.apply(&out.diff);
            self.block.number += 1;
            self.block.timestamp += 12;
            self.blocks.push(out.clone());
            return out;
        }
        let out = wasm_runtime::exec::execute_block_with(
            &mut self.db.clone(),
            &self.block,
            txs.into_iter().map(Ok).collect(),
            self.engine,
        );
        if let Some(e) = &out.error {
            panic!("the block failed on {}: {e}", self.engine.name());
        }
        self.db.apply(&out.diff);
        self.block.number += 1;
        self.block.timestamp += 12;
        self.blocks.push(out.clone());
        out
    }

    /// A transaction from `from` with its next nonce.
    pub fn tx(&self, from: Address, to: Option<Address>, data: &[u8], value: U256, gas: u64) -> TxEnv {
        let nonce = self.account(from).map(|a| a.nonce).unwrap_or(0);
        TxEnv {
            tx_type: 2,
            caller: from,
            nonce,
            gas_limit: gas,
            max_fee_per_gas: U256::from(10u64),
            max_priority_fee_per_gas: U256::from(1u64),
            to,
            value,
            data: Bytes::copy_from_slice(data),
            hash: B256::with_last_byte(nonce as u8),
            ..TxEnv::default()
        }
    }

    /// Sends one transaction in its own block; panics if it is rejected.
    pub fn send(&mut self, tx: TxEnv) -> Receipt {
        let out = self.run_block(vec![tx]);
        assert!(out.rejected.is_empty(), "transaction rejected: {:?}", out.rejected);
        out.receipts.into_iter().next().expect("one receipt")
    }

    /// Deploys `init` (an envelope) with constructor arguments, from ALICE.
    pub fn deploy(&mut self, init: &[u8], args: &[u8]) -> Receipt {
        let mut data = init.to_vec();
        data.extend_from_slice(args);
        let tx = self.tx(ALICE, None, &data, U256::ZERO, DEFAULT_GAS);
        self.send(tx)
    }

    /// Deploys a WAT contract without constants; panics if deployment fails.
    pub fn deploy_wat(&mut self, src: &str) -> Address {
        let r = self.deploy(&envelope(&wat(src), &[]), &[]);
        assert!(r.success, "deployment failed: {:?}", r.error);
        r.contract_address.expect("created address")
    }

    /// Calls `to` from ALICE.
    pub fn call(&mut self, to: Address, data: &[u8]) -> Receipt {
        let tx = self.tx(ALICE, Some(to), data, U256::ZERO, DEFAULT_GAS);
        self.send(tx)
    }
}

/// Stamps out one `#[test]` per engine for each listed test body `fn name(engine)`, and one
/// in differential mode (every block on both engines, compared).
#[macro_export]
macro_rules! engine_tests {
    ($($name:ident),* $(,)?) => {
        mod wasmi_engine {
            $( #[test] fn $name() { super::$name(wasm_runtime::engine::EngineKind::Wasmi) } )*
        }
        mod rv_engine {
            $( #[test] fn $name() { super::$name(wasm_runtime::engine::EngineKind::Rv) } )*
        }
        mod differential {
            $( #[test] fn $name() {
                $crate::with_differential(|| super::$name(wasm_runtime::engine::EngineKind::Rv))
            } )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_receipt(gas_used: u64) -> BlockOutput {
        BlockOutput {
            receipts: vec![Receipt {
                tx_hash: B256::ZERO,
                tx_type: 2,
                success: true,
                gas_used,
                cumulative_gas_used: gas_used,
                logs: Vec::new(),
                contract_address: None,
                output: Default::default(),
                error: None,
            }],
            gas_used,
            ..BlockOutput::default()
        }
    }

    /// A receipt that failed with `why`, all its gas used.
    fn one_failure(why: wasm_runtime::error::Failure) -> BlockOutput {
        let mut out = one_receipt(21_000);
        out.receipts[0].success = false;
        out.receipts[0].error = Some(why);
        out
    }

    #[test]
    fn differential_comparison_sees_a_different_failure() {
        use wasm_runtime::error::{Failure, Trap};
        let unreachable = || one_failure(Trap::Unreachable.into());
        assert_same_block(&unreachable(), &unreachable());
        let r = std::panic::catch_unwind(|| assert_same_block(&unreachable(), &one_failure(Failure::OUT_OF_GAS)));
        let msg = r.expect_err("must differ");
        let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("failure differs"), "{msg}");
    }

    #[test]
    fn differential_comparison_sees_a_gas_difference() {
        assert_same_block(&one_receipt(21_000), &one_receipt(21_000));
        let r = std::panic::catch_unwind(|| assert_same_block(&one_receipt(21_000), &one_receipt(21_001)));
        let msg = r.expect_err("must differ");
        let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("gas used"), "{msg}");
    }
}
