//! What a transaction did, with typed readers and Foundry-like expectations.

use alloy_primitives::{Address, Bytes, Log};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use wasm_runtime::block::Receipt;

/// The result of one transaction (the same on both engines: the harness checked).
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Whether it succeeded.
    pub success: bool,
    /// Return data, or revert data when it reverted.
    pub output: Bytes,
    /// The logs (empty when it failed).
    pub logs: Vec<Log>,
    /// Gas used by the transaction.
    pub gas_used: u64,
    /// The created contract of a deployment that succeeded.
    pub created: Option<Address>,
    /// Why it failed when it did not simply revert (out of gas, a trap, invalid code).
    pub failure: Option<String>,
}

impl Outcome {
    pub(crate) fn from_receipt(r: Receipt) -> Self {
        Outcome {
            success: r.success,
            output: r.output,
            logs: r.logs,
            gas_used: r.gas_used,
            created: r.contract_address,
            failure: r.error.map(|e| e.to_string()),
        }
    }

    /// How it ended, for messages: "succeeded", "reverted: <reason>" (an `Error(string)`,
    /// a `Panic(uint256)`, or the revert data in hex) or "failed: <why>".
    pub fn why(&self) -> String {
        if self.success {
            return "succeeded".into();
        }
        if let Some(f) = &self.failure {
            return format!("failed: {f}");
        }
        if self.output.is_empty() {
            return "reverted with empty data".into();
        }
        match alloy_sol_types::decode_revert_reason(&self.output) {
            Some(reason) => format!("reverted: {reason}"),
            None => format!("reverted with data {}", self.output),
        }
    }

    /// Panics (saying why) unless it succeeded.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert!(self.success, "the transaction {}", self.why());
        self
    }

    /// The return value decoded as `C`'s outputs; panics if it failed or does not decode.
    #[track_caller]
    pub fn returns<C: SolCall>(&self) -> C::Return {
        self.ok();
        C::abi_decode_returns(&self.output)
            .unwrap_or_else(|e| panic!("output {} of {} does not decode: {e}", self.output, C::SIGNATURE))
    }

    /// Panics unless it reverted (not failed otherwise) with exactly `data`.
    #[track_caller]
    pub fn expect_revert_data(&self, data: &[u8]) {
        assert!(
            !self.success && self.failure.is_none(),
            "expected a revert with {}, but the transaction {}",
            Bytes::copy_from_slice(data),
            self.why()
        );
        assert_eq!(
            self.output.as_ref(),
            data,
            "revert data: got {}, expected {}",
            self.output,
            Bytes::copy_from_slice(data)
        );
    }

    /// Panics unless it reverted with the custom error `error` (selector and fields).
    #[track_caller]
    pub fn expect_revert<E: SolError>(&self, error: &E) {
        self.expect_revert_data(&error.abi_encode());
    }

    /// The custom error it reverted with, decoded as `E`; panics if it did not revert with
    /// an `E`.
    #[track_caller]
    pub fn revert_as<E: SolError>(&self) -> E {
        assert!(
            !self.success && self.failure.is_none(),
            "expected a revert with {}, but the transaction {}",
            E::SIGNATURE,
            self.why()
        );
        E::abi_decode(&self.output)
            .unwrap_or_else(|e| panic!("revert data {} is not {}: {e}", self.output, E::SIGNATURE))
    }

    /// The events of type `E` emitted by `emitter`, in order.
    pub fn events<E: SolEvent>(&self, emitter: Address) -> Vec<E> {
        self.logs
            .iter()
            .filter(|l| l.address == emitter && (E::ANONYMOUS || l.topics().first() == Some(&E::SIGNATURE_HASH)))
            .filter_map(|l| E::decode_log_data(&l.data).ok())
            .collect()
    }

    /// Panics unless `emitter` logged `event` (topics and data equal; Foundry's
    /// `vm.expectEmit` with every check on).
    #[track_caller]
    pub fn expect_emit<E: SolEvent>(&self, emitter: Address, event: &E) {
        let want = event.encode_log_data();
        let found = self.logs.iter().any(|l| l.address == emitter && l.data == want);
        assert!(
            found,
            "expected {} from {emitter} with topics {:?} and data {}; logs: {:?}",
            E::SIGNATURE,
            want.topics(),
            want.data,
            self.logs
        );
    }
}
