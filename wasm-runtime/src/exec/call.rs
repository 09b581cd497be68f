//! Message calls: CALL, CALLCODE, DELEGATECALL, STATICCALL, the transaction's call and the
//! system call, entered here and finished when their code ends ([`super::frames`]).

use host_abi::status::CallStatus;

use super::frames::{End, Entered, Start};
use super::{precompile, CallParams, Calldata, Frame, FrameResult, System};
use crate::engine::{Halt, Outcome};
use crate::error::{BuildError, Fault, Internal, Limit, LimitKind};
use crate::platform::Platform;
use crate::primitives::Bytes;
use crate::world::delegated_address;

impl<P: Platform> System<P> {
    /// Runs a call frame and every frame it calls or creates. State changes are kept only if
    /// it succeeds. `Err` for an internal error, which charges no frame and fails the block.
    pub fn call(&mut self, p: CallParams) -> Result<FrameResult, Internal> {
        let entered = self.enter_call(&p, &p.input, Calldata::Owned(p.input.clone()))?;
        self.run_frames(entered)
    }

    /// Enters a call frame: depth and balance checks, the checkpoint, the value transfer,
    /// then a precompile or code-less account (ended at once) or the callee's code to run
    /// (the delegate's code for an account delegated by EIP-7702).
    /// `input` is the calldata (read in place by a precompile), `calldata` where the callee
    /// finds it.
    pub(super) fn enter_call(&mut self, p: &CallParams, input: &[u8], calldata: Calldata) -> Result<Entered, Internal> {
        if p.depth > host_abi::limits::MAX_CALL_DEPTH {
            let limit = Limit::new(LimitKind::CallDepth, host_abi::limits::MAX_CALL_DEPTH, p.depth);
            return Ok(Entered::Done(FrameResult::not_executed(p.gas, limit)));
        }
        let zero = p.value.is_zero();
        if p.kind.sends_value() && !zero && self.world.balance(p.caller) < p.value {
            return Ok(Entered::Done(FrameResult::not_executed(p.gas, Fault::InsufficientBalance)));
        }
        let checkpoint = self.world.checkpoint();
        if p.kind.transfers() {
            // A value transfer, even of zero, touches the callee (EIP-161). Of zero it changes
            // no balance: it touches both accounts as `transfer` would, and no more (the
            // balance entries `transfer` journals would restore what is there).
            if zero {
                self.world.touch(p.caller);
                self.world.touch(p.address);
            } else {
                self.world.transfer(p.caller, p.address, p.value);
            }
        }
        if let Some(result) = precompile::call(self, p, input) {
            if !result.status.is_success() {
                self.world.revert_to(checkpoint);
            }
            return Ok(Entered::Done(result));
        }
        let mut info = self.world.info(p.code_address).clone();
        let mut code_address = p.code_address;
        // EIP-7702: an account whose code is a delegation designator runs the code of the
        // account it delegates to (its own code, whatever its kind, and never a precompile),
        // one level deep. The delegate is warm from here on; a calling frame has paid for
        // its access already.
        if let Some(delegate) = delegated_address(&info.code) {
            self.world.warm_account(delegate);
            info = self.world.info(delegate).clone();
            code_address = delegate;
        }
        if info.code.is_empty() {
            return Ok(Entered::Done(FrameResult {
                status: CallStatus::Success,
                output: Bytes::new(),
                gas_left: p.gas,
                created: None,
                error: None,
            }));
        }
        let artifact = match self.artifacts.get_or_build(info.code_hash, &info.code, &mut self.stats) {
            Ok(a) => a,
            Err(BuildError::Failed(why)) => {
                self.world.revert_to(checkpoint);
                return Ok(Entered::Done(FrameResult::failure(why)));
            }
            Err(BuildError::Internal(e)) => return Err(e),
        };
        let frame = Frame {
            address: p.address,
            code_address,
            caller: p.caller,
            value: p.apparent_value,
            is_static: p.is_static,
            depth: p.depth,
            return_data: Bytes::new(),
            code: info.code,
            constants: info.constants,
        };
        Ok(Entered::run(Start {
            frame,
            input: calldata,
            artifact,
            export: host_abi::CALL_EXPORT,
            gas: p.gas,
            end: End::Call { checkpoint },
        }))
    }
}

/// Maps an engine outcome to a frame result.
pub(super) fn frame_result(outcome: Outcome) -> FrameResult {
    let (status, output, gas_left, error) = match outcome.halt {
        Halt::Finish(out) => (CallStatus::Success, Bytes::from(out), outcome.gas_left, None),
        Halt::SelfDestruct => (CallStatus::Success, Bytes::new(), outcome.gas_left, None),
        Halt::Revert(out) => (CallStatus::Revert, Bytes::from(out), outcome.gas_left, None),
        Halt::Fail(why) => (CallStatus::Failure, Bytes::new(), 0, Some(why)),
    };
    FrameResult { status, output, gas_left, created: None, error }
}
