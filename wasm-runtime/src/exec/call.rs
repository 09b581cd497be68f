//! Message calls: CALL, CALLCODE, DELEGATECALL, STATICCALL and the transaction's call.

use host_abi::status::CallStatus;

use super::{precompile, CallKind, CallParams, Frame, FrameResult, System};
use crate::engine::{Halt, Outcome};
use crate::platform::Platform;
use crate::primitives::Bytes;

impl<P: Platform> System<P> {
    /// Runs a call frame. State changes are kept only if it succeeds.
    pub fn call(&mut self, p: CallParams) -> FrameResult {
        let input = p.input.clone();
        self.call_with_input(&p, &input)
    }

    /// [`System::call`] with `input` as the calldata instead of `p.input`: a nested call's
    /// input, read in place in the caller's memory, never copied.
    pub fn call_with_input(&mut self, p: &CallParams, input: &[u8]) -> FrameResult {
        if p.depth > host_abi::limits::MAX_CALL_DEPTH {
            return FrameResult::not_executed(p.gas, "call depth limit reached");
        }
        if matches!(p.kind, CallKind::Call | CallKind::CallCode) && self.world.balance(p.caller) < p.value {
            return FrameResult::not_executed(p.gas, "insufficient balance for the value");
        }
        let checkpoint = self.world.checkpoint();
        if p.kind == CallKind::Call {
            // A value transfer, even of zero, touches the callee (EIP-161).
            self.world.transfer(p.caller, p.address, p.value);
        }
        if let Some(result) = precompile::call(self, p, input) {
            if !result.status.is_success() {
                self.world.revert_to(checkpoint);
            }
            return result;
        }
        let info = self.world.info(p.code_address).clone();
        if info.code.is_empty() {
            return FrameResult {
                status: CallStatus::Success,
                output: Bytes::new(),
                gas_left: p.gas,
                created: None,
                error: None,
            };
        }
        let artifact = match self.artifacts.get_or_build(info.code_hash, &info.code, &mut self.stats) {
            Ok(a) => a,
            Err(e) => {
                self.world.revert_to(checkpoint);
                return FrameResult::failure(e);
            }
        };
        let mut frame = Frame {
            address: p.address,
            code_address: p.code_address,
            caller: p.caller,
            value: p.apparent_value,
            input,
            is_static: p.is_static,
            depth: p.depth,
            return_data: Bytes::new(),
            code: info.code,
            constants: info.constants,
        };
        let outcome = self.run_frame(&mut frame, &artifact, host_abi::CALL_EXPORT, p.gas);
        let result = frame_result(outcome);
        if !result.status.is_success() {
            self.world.revert_to(checkpoint);
        }
        result
    }

    /// Runs an export of an artifact on the configured engine.
    pub(crate) fn run_frame(
        &mut self,
        frame: &mut Frame,
        artifact: &super::Artifact,
        export: &str,
        gas: u64,
    ) -> Outcome {
        self.stats.frames += 1;
        match self.engine {
            crate::engine::EngineKind::Wasmi => crate::engine::wasmi::run(self, frame, artifact, export, gas),
            crate::engine::EngineKind::Rv => crate::engine::rv::run(self, frame, artifact, export, gas),
        }
    }
}

/// Maps an engine outcome to a frame result.
pub(crate) fn frame_result(outcome: Outcome) -> FrameResult {
    let (status, output, gas_left, error) = match outcome.halt {
        Halt::Finish(out) => (CallStatus::Success, Bytes::from(out), outcome.gas_left, None),
        Halt::SelfDestruct => (CallStatus::Success, Bytes::new(), outcome.gas_left, None),
        Halt::Revert(out) => (CallStatus::Revert, Bytes::from(out), outcome.gas_left, None),
        Halt::OutOfGas => (CallStatus::Failure, Bytes::new(), 0, Some("out of gas".into())),
        Halt::Trap(why) => (CallStatus::Failure, Bytes::new(), 0, Some(why)),
    };
    FrameResult { status, output, gas_left, created: None, error }
}
