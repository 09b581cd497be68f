//! Contract creation: CREATE, CREATE2 and creation transactions, for EVM init code and for
//! envelopes.

use alloc::format;

use host_abi::envelope::{Envelope, Kind};
use host_abi::gas;
use host_abi::limits;
use host_abi::status::CallStatus;

use super::artifact::normalize_wasm;
use super::call::frame_result;
use super::{Frame, FrameResult, System};
use crate::platform::Platform;
use crate::primitives::{keccak256, Address, Bytes, B256, U256};

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

impl<P: Platform> System<P> {
    /// Creates a contract. `address` is given for creation transactions (whose sender nonce
    /// was already raised); otherwise it is derived from the sender's nonce or the salt and
    /// the sender's nonce is raised here.
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
    ) -> FrameResult {
        if depth > limits::MAX_CALL_DEPTH {
            return FrameResult::not_executed(gas, "call depth limit reached");
        }
        if self.world.balance(caller) < value {
            return FrameResult::not_executed(gas, "insufficient balance for the value");
        }
        let address = match address {
            Some(a) => a,
            None => {
                let nonce = self.world.info(caller).nonce;
                if nonce == u64::MAX {
                    return FrameResult::not_executed(gas, "sender nonce overflow");
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
            return FrameResult::failure(format!("address collision at {address}"));
        }
        let checkpoint = self.world.checkpoint();
        self.world.create_account(address);
        self.world.transfer(caller, address, value);
        let mut result = if host_abi::envelope::is_envelope(&init) {
            self.deploy_envelope(caller, address, value, &init, gas, depth)
        } else {
            self.deploy_evm(caller, address, value, init, gas, depth)
        };
        if result.status.is_success() {
            result.created = Some(address);
        } else {
            self.world.revert_to(checkpoint);
        }
        result
    }

    /// Deploys an envelope: validates, meters and stores the code, then runs `deploy` with
    /// the constructor arguments.
    fn deploy_envelope(
        &mut self,
        caller: Address,
        address: Address,
        value: U256,
        init: &[u8],
        gas: u64,
        depth: usize,
    ) -> FrameResult {
        let (envelope, args) = match Envelope::parse(init) {
            Ok(e) => e,
            Err(e) => return FrameResult::failure(format!("{e}")),
        };
        if envelope.kind != Kind::Wasm {
            return FrameResult::failure("native RV64IM contracts are not supported yet");
        }
        if envelope.code.len() > limits::MAX_WASM_CODE_SIZE {
            return FrameResult::failure(format!(
                "WASM code size {} exceeds the limit of {} bytes",
                envelope.code.len(),
                limits::MAX_WASM_CODE_SIZE
            ));
        }
        let charge =
            WASM_DEPLOY_BYTE * envelope.code.len() as u64 + gas::CODE_DEPOSIT_BYTE * envelope.constants.len() as u64;
        let Some(mut gas_left) = gas.checked_sub(charge) else {
            return FrameResult::failure(format!("out of gas: deploying this code costs {charge}"));
        };
        let mut stored = alloc::vec::Vec::with_capacity(envelope.stored_code_len());
        stored.extend_from_slice(&envelope.header());
        stored.extend_from_slice(envelope.code);
        let stored = Bytes::from(stored);
        let code_hash = keccak256(&stored);
        let artifact = match self
            .artifacts
            .get_or_build_with(code_hash, || normalize_wasm(code_hash, envelope.code, &mut self.stats))
        {
            Ok(a) => a,
            Err(e) => return FrameResult::failure(e),
        };
        let constants = Bytes::copy_from_slice(envelope.constants);
        self.world.set_code(address, stored.clone(), code_hash, constants.clone());
        if !artifact.has_deploy {
            return FrameResult {
                status: CallStatus::Success,
                output: Bytes::new(),
                gas_left,
                created: None,
                error: None,
            };
        }
        let mut frame = Frame {
            address,
            code_address: address,
            caller,
            value,
            input: args,
            is_static: false,
            depth,
            return_data: Bytes::new(),
            code: stored,
            constants,
        };
        let outcome = self.run_frame(&mut frame, &artifact, host_abi::DEPLOY_EXPORT, gas_left);
        let mut result = frame_result(outcome);
        if result.status.is_success() {
            gas_left = result.gas_left;
            result =
                FrameResult { status: CallStatus::Success, output: Bytes::new(), gas_left, created: None, error: None };
        }
        result
    }

    /// Runs EVM init code and deploys the code it returns.
    fn deploy_evm(
        &mut self,
        caller: Address,
        address: Address,
        value: U256,
        init: Bytes,
        gas: u64,
        depth: usize,
    ) -> FrameResult {
        if init.is_empty() {
            return FrameResult {
                status: CallStatus::Success,
                output: Bytes::new(),
                gas_left: gas,
                created: None,
                error: None,
            };
        }
        let init_hash = keccak256(&init);
        let artifact = match self.artifacts.get_or_build(init_hash, &init, &mut self.stats) {
            Ok(a) => a,
            Err(e) => return FrameResult::failure(e),
        };
        let mut frame = Frame {
            address,
            code_address: address,
            caller,
            value,
            input: &[],
            is_static: false,
            depth,
            return_data: Bytes::new(),
            code: init,
            constants: Bytes::new(),
        };
        let outcome = self.run_frame(&mut frame, &artifact, host_abi::CALL_EXPORT, gas);
        let mut result = frame_result(outcome);
        if !result.status.is_success() {
            return result;
        }
        let code = core::mem::take(&mut result.output);
        if code.len() > limits::MAX_EVM_CODE_SIZE {
            return FrameResult::failure(format!(
                "code size {} exceeds the limit of {} bytes (EIP-170)",
                code.len(),
                limits::MAX_EVM_CODE_SIZE
            ));
        }
        if code.first() == Some(&0xEF) {
            return FrameResult::failure("deployed code starts with 0xEF (EIP-3541)");
        }
        // Ethereum's code deposit, 200 gas per byte, pays for storing the code and for
        // transpiling it now, at deployment: TRANSPILE_BYTE of each byte's 200 is the
        // transpiler's share, so EVM gas stays exactly Ethereum's.
        let deposit = gas::CODE_DEPOSIT_BYTE * code.len() as u64;
        if result.gas_left < deposit {
            return FrameResult::failure("out of gas for the code deposit");
        }
        result.gas_left -= deposit;
        let code_hash = keccak256(&code);
        if !code.is_empty() && !self.artifacts.contains(&code_hash) {
            // A code the transpiler rejects is still deployed, as in Ethereum; calling it
            // fails when its artifact is built again.
            if self.artifacts.get_or_build(code_hash, &code, &mut self.stats).is_ok() {
                self.stats.transpiled_bytes += code.len() as u64;
            }
        }
        self.world.set_code(address, code, code_hash, Bytes::new());
        result
    }
}
