//! Contract creation: CREATE, CREATE2 and creation transactions, for EVM init code and for
//! envelopes, entered here and finished when their code ends ([`super::frames`]).

use host_abi::envelope::{Envelope, Kind};
use host_abi::gas;
use host_abi::limits;
use host_abi::status::CallStatus;

use super::artifact::{lift_native, normalize_lifted, normalize_wasm};
use super::call::frame_result;
use super::frames::{End, Entered, Start};
use super::{Calldata, Frame, FrameResult, System};
use crate::engine::Outcome;
use crate::error::{BuildError, CodeError, Failure, Fault, Internal, Limit, LimitKind, OutOfGas};
use crate::platform::Platform;
use crate::primitives::{keccak256, Address, Bytes, B256, U256};
use crate::world::Checkpoint;

/// The CREATE address: keccak256(rlp([sender, nonce]))[12..].
pub fn create_address(sender: Address, nonce: u64) -> Address {
    sender.create(nonce)
}

/// The CREATE2 address: keccak256(0xff ‖ sender ‖ salt ‖ keccak256(init))[12..].
pub fn create2_address(sender: Address, salt: B256, init: &[u8]) -> Address {
    sender.create2(salt, keccak256(init))
}

/// Total deployment charge per byte of WASM code: validation, metering, compilation and
/// storage.
pub const WASM_DEPLOY_BYTE: u64 =
    gas::VALIDATE_BYTE + gas::METER_BYTE + gas::COMPILE_BYTE + gas::WASM_CODE_DEPOSIT_BYTE;

/// Deployment charge per byte of a native contract's ELF: lifting it (as much as
/// transpiling EVM code, [`gas::TRANSPILE_BYTE`]) and storing it.
pub const NATIVE_ELF_BYTE: u64 = gas::TRANSPILE_BYTE + gas::WASM_CODE_DEPOSIT_BYTE;

/// Deployment charge per byte of the WASM module lifted from a native contract: validating,
/// metering and compiling it as any WASM module (it is not stored: the ELF is).
pub const LIFTED_MODULE_BYTE: u64 = gas::VALIDATE_BYTE + gas::METER_BYTE + gas::COMPILE_BYTE;

impl<P: Platform> System<P> {
    /// Creates a contract, running its init code and every frame that calls or creates.
    /// `address` is given for creation transactions (whose sender nonce was already raised);
    /// otherwise it is derived from the sender's nonce or the salt and the sender's nonce is
    /// raised here. `Err` for an internal error, which charges no frame and fails the block.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        &mut self,
        caller: Address,
        value: U256,
        init: Bytes,
        gas: u64,
        salt: Option<B256>,
        depth: usize,
        address: Option<Address>,
    ) -> Result<FrameResult, Internal> {
        let entered = self.enter_create(caller, value, init, gas, salt, depth, address)?;
        self.run_frames(entered)
    }

    /// Enters a creation: depth and balance checks, the address (raising the sender's
    /// nonce), the collision check, the checkpoint, the new account and the value; then
    /// deploys an envelope or runs EVM init code.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn enter_create(
        &mut self,
        caller: Address,
        value: U256,
        init: Bytes,
        gas: u64,
        salt: Option<B256>,
        depth: usize,
        address: Option<Address>,
    ) -> Result<Entered, Internal> {
        if depth > limits::MAX_CALL_DEPTH {
            let limit = Limit::new(LimitKind::CallDepth, limits::MAX_CALL_DEPTH, depth);
            return Ok(Entered::Done(FrameResult::not_executed(gas, limit)));
        }
        if self.world.balance(caller) < value {
            return Ok(Entered::Done(FrameResult::not_executed(gas, Fault::InsufficientBalance)));
        }
        let address = match address {
            Some(a) => a,
            None => {
                let nonce = self.world.info(caller).nonce;
                if nonce == u64::MAX {
                    return Ok(Entered::Done(FrameResult::not_executed(gas, Fault::NonceOverflow)));
                }
                self.world.set_nonce(caller, nonce + 1);
                match salt {
                    Some(salt) => create2_address(caller, salt, &init),
                    None => create_address(caller, nonce),
                }
            }
        };
        self.world.warm_account(address);
        if self.world.create_collides(address) {
            return Ok(Entered::Done(FrameResult::failure(Fault::AddressCollision(address))));
        }
        let checkpoint = self.world.checkpoint();
        self.world.create_account(address);
        self.world.transfer(caller, address, value);
        let frame = Frame {
            address,
            code_address: address,
            caller,
            value,
            is_static: false,
            depth,
            return_data: Bytes::new(),
            code: Bytes::new(),
            constants: Bytes::new(),
        };
        let entered = if host_abi::envelope::is_envelope(&init) {
            self.enter_envelope(frame, init, gas, checkpoint)?
        } else {
            self.enter_init_code(frame, init, gas, checkpoint)?
        };
        Ok(match entered {
            Entered::Done(result) => Entered::Done(self.end_create(checkpoint, address, result)),
            run => run,
        })
    }

    /// Deploys an envelope: validates, meters and stores the code, then enters `deploy` with
    /// the constructor arguments (if the module exports it).
    fn enter_envelope(
        &mut self,
        mut frame: Frame,
        init: Bytes,
        gas: u64,
        checkpoint: Checkpoint,
    ) -> Result<Entered, Internal> {
        let fail = |why: Failure| Ok(Entered::Done(FrameResult::failure(why)));
        let invalid = |why: CodeError| fail(Fault::invalid_code(why).into());
        let (envelope, args) = match Envelope::parse(&init) {
            Ok(e) => e,
            Err(e) => return invalid(CodeError::Envelope(e)),
        };
        let constants_charge = gas::CODE_DEPOSIT_BYTE * envelope.constants.len() as u64;
        let (gas_left, lifted) = match envelope.kind {
            Kind::Wasm => {
                if envelope.code.len() > limits::MAX_WASM_CODE_SIZE {
                    let limit = Limit::new(LimitKind::WasmCodeSize, limits::MAX_WASM_CODE_SIZE, envelope.code.len());
                    return fail(limit.into());
                }
                let charge = WASM_DEPLOY_BYTE * envelope.code.len() as u64 + constants_charge;
                let Some(gas_left) = gas.checked_sub(charge) else {
                    return fail(Fault::OutOfGas(OutOfGas::Deployment { charge }).into());
                };
                (gas_left, None)
            }
            Kind::Rv64im => {
                // Lifting and storing the ELF are paid before the shim runs, the lifted
                // module's validation, metering and compilation after (its size is known then).
                let elf_charge = NATIVE_ELF_BYTE * envelope.code.len() as u64 + constants_charge;
                let Some(gas_left) = gas.checked_sub(elf_charge) else {
                    return fail(Fault::OutOfGas(OutOfGas::Deployment { charge: elf_charge }).into());
                };
                let lifted = match lift_native(envelope.code) {
                    Ok(l) => l,
                    Err(BuildError::Failed(why)) => return fail(why),
                    Err(BuildError::Internal(e)) => return Err(e),
                };
                let module_charge = LIFTED_MODULE_BYTE * lifted.wasm.len() as u64;
                let Some(gas_left) = gas_left.checked_sub(module_charge) else {
                    let charge = elf_charge + module_charge;
                    return fail(Fault::OutOfGas(OutOfGas::Deployment { charge }).into());
                };
                (gas_left, Some(lifted))
            }
        };
        let mut stored = alloc::vec::Vec::with_capacity(envelope.stored_code_len());
        stored.extend_from_slice(&envelope.header());
        stored.extend_from_slice(envelope.code);
        let stored = Bytes::from(stored);
        let code_hash = keccak256(&stored);
        let artifact = match self.artifacts.get_or_build_with(code_hash, || match &lifted {
            Some(lifted) => normalize_lifted(code_hash, lifted, &mut self.stats),
            None => normalize_wasm(code_hash, envelope.code, &mut self.stats),
        }) {
            Ok(a) => a,
            Err(BuildError::Failed(why)) => return fail(why),
            Err(BuildError::Internal(e)) => return Err(e),
        };
        let constants = Bytes::copy_from_slice(envelope.constants);
        self.world.set_code(frame.address, stored.clone(), code_hash, constants.clone());
        if !artifact.has_deploy {
            return Ok(Entered::Done(deployed(gas_left)));
        }
        // The constructor arguments follow the envelope: the tail of the init data, not copied.
        let args = init.slice_ref(args);
        let address = frame.address;
        (frame.code, frame.constants) = (stored, constants);
        Ok(Entered::run(Start {
            frame,
            input: Calldata::Owned(args),
            artifact,
            export: host_abi::DEPLOY_EXPORT,
            gas: gas_left,
            end: End::Deploy { checkpoint, address },
        }))
    }

    /// Enters EVM init code (empty init code deploys nothing and ends at once).
    fn enter_init_code(
        &mut self,
        mut frame: Frame,
        init: Bytes,
        gas: u64,
        checkpoint: Checkpoint,
    ) -> Result<Entered, Internal> {
        if init.is_empty() {
            return Ok(Entered::Done(deployed(gas)));
        }
        let init_hash = keccak256(&init);
        let artifact = match self.artifacts.get_or_build(init_hash, &init, &mut self.stats) {
            Ok(a) => a,
            Err(BuildError::Failed(why)) => return Ok(Entered::Done(FrameResult::failure(why))),
            Err(BuildError::Internal(e)) => return Err(e),
        };
        let address = frame.address;
        frame.code = init;
        Ok(Entered::run(Start {
            frame,
            input: Calldata::Owned(Bytes::new()),
            artifact,
            export: host_abi::CALL_EXPORT,
            gas,
            end: End::InitCode { checkpoint, address },
        }))
    }

    /// Finishes an envelope's `deploy`: on success the code stored on entry stays, and the
    /// creation returns no output.
    pub(super) fn finish_deploy(&mut self, checkpoint: Checkpoint, address: Address, outcome: Outcome) -> FrameResult {
        let mut result = frame_result(outcome);
        if result.status.is_success() {
            result = deployed(result.gas_left);
        }
        self.end_create(checkpoint, address, result)
    }

    /// Finishes EVM init code: deposits the code it returned (EIP-170 and EIP-3541 checks,
    /// 200 gas per byte).
    pub(super) fn finish_init_code(
        &mut self,
        checkpoint: Checkpoint,
        address: Address,
        outcome: Outcome,
    ) -> Result<FrameResult, Internal> {
        let result = self.deposit(address, frame_result(outcome))?;
        Ok(self.end_create(checkpoint, address, result))
    }

    /// The code deposit of init code that ended with `result`.
    fn deposit(&mut self, address: Address, mut result: FrameResult) -> Result<FrameResult, Internal> {
        if !result.status.is_success() {
            return Ok(result);
        }
        let code = core::mem::take(&mut result.output);
        if code.len() > limits::MAX_EVM_CODE_SIZE {
            return Ok(FrameResult::failure(Limit::new(LimitKind::EvmCodeSize, limits::MAX_EVM_CODE_SIZE, code.len())));
        }
        if code.first() == Some(&0xEF) {
            return Ok(FrameResult::failure(Fault::CodeStartsWithEf));
        }
        // Ethereum's code deposit, 200 gas per byte, pays for storing the code and for
        // transpiling it now, at deployment: TRANSPILE_BYTE of each byte's 200 is the
        // transpiler's share, so EVM gas stays exactly Ethereum's.
        let deposit = gas::CODE_DEPOSIT_BYTE * code.len() as u64;
        if result.gas_left < deposit {
            return Ok(FrameResult::failure(Fault::OutOfGas(OutOfGas::CodeDeposit { charge: deposit })));
        }
        result.gas_left -= deposit;
        let code_hash = keccak256(&code);
        if !code.is_empty() && !self.artifacts.contains(&code_hash) {
            // A code the transpiler rejects is still deployed, as in Ethereum; calling it
            // fails when its artifact is built again. A transpiler bug fails the block.
            match self.artifacts.get_or_build(code_hash, &code, &mut self.stats) {
                Ok(_) => self.stats.transpiled_bytes += code.len() as u64,
                Err(BuildError::Failed(_)) => {}
                Err(BuildError::Internal(e)) => return Err(e),
            }
        }
        self.world.set_code(address, code, code_hash, Bytes::new());
        Ok(result)
    }

    /// The end of every creation: the created address on success, its changes undone
    /// otherwise.
    fn end_create(&mut self, checkpoint: Checkpoint, address: Address, mut result: FrameResult) -> FrameResult {
        if result.status.is_success() {
            result.created = Some(address);
        } else {
            self.world.revert_to(checkpoint);
        }
        result
    }
}

/// A deployment that succeeded with `gas_left`, before its address is set.
fn deployed(gas_left: u64) -> FrameResult {
    FrameResult { status: CallStatus::Success, output: Bytes::new(), gas_left, created: None, error: None }
}
