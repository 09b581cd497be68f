//! The host functions of the ABI (host-abi's table), written once for every engine.
//!
//! An engine calls [`dispatch`] with the function, its arguments as raw 64-bit values, the
//! calling instance's linear memory and its gas counter. The result is the function's
//! return value, a [`HostExit`] that ends the frame, or, for the functions that call or
//! create, a [`Request`] that suspends the frame: the frame loop of the system layer
//! ([`crate::exec`]) runs the callee and then finishes the host function with its result
//! ([`complete`]). No host function runs another frame itself.
//!
//! **Gas is host-abi's.** Every charge is what [`host_abi::charge::charge`] computes from the
//! function's table rule, its arguments and the [`Facts`] the function finds in the state
//! (a cold slot or account, value moving to a dead account, how an SSTORE changes its
//! slot); no rule is restated here. Prices that depend on nothing but the arguments are
//! charged before the function reads anything; the others as soon as their facts are known.
//!
//! **No work in proportion to a length before its gas is charged.** A function that reads or
//! writes a length given by the contract charges for that length first, then touches the
//! bytes, and copies nothing it does not need: inputs are read in place
//! ([`GuestMemory::slice`]), copies write straight into memory
//! ([`GuestMemory::write_padded`]). The input of a call is handed to the callee in place (a
//! range of the suspended caller's memory), so a call copies nothing whatever its input's
//! size (the callee's reads of it are charged). What
//! `finish` and `revert` copy out is the frame's own memory, which the frame paid for when it
//! grew it, once per frame. The length of `debug_log` is charged like log data before
//! anything is kept, and at most [`host_abi::limits::MAX_DEBUG_OUTPUT`] bytes per transaction
//! are copied ([`DebugOutput`]).

mod calls;
mod debug;
mod leaf;
mod memory;

use alloc::vec::Vec;

use host_abi::charge::{charge, price, Charge, Facts, Slot};
use host_abi::functions::HostFn;
use host_abi::gas::{self, GasRule};

pub use calls::{complete, CallRequest, CreateRequest, Request};
pub use debug::DebugOutput;
pub use leaf::{leaf, Kept, KEPT_FUNCTIONS, LEAF_BASE, LEAF_FUNCTIONS, LEAF_MASK};
pub use memory::GuestMemory;

use crate::error::{Failure, Fault, Internal};
use crate::exec::{CallKind, Frame, System};
use crate::platform::Platform;
use crate::primitives::{keccak256, Address, Bytes, Log, LogData, B256, U256};

/// Why a host function ended the frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostExit {
    /// `finish`: success with output.
    Finish(Vec<u8>),
    /// `revert`: revert with data.
    Revert(Vec<u8>),
    /// `self_destruct`: success, no output.
    SelfDestruct,
    /// Not enough gas.
    OutOfGas,
    /// The contract did something invalid, or passed a limit.
    Fail(Failure),
    /// A bug of zkos: fails the block, never charged to the contract.
    Internal(Internal),
}

impl core::fmt::Display for HostExit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Finish(_) => f.write_str("finish"),
            Self::Revert(_) => f.write_str("revert"),
            Self::SelfDestruct => f.write_str("self-destruct"),
            Self::OutOfGas => f.write_str("out of gas"),
            Self::Fail(why) => write!(f, "{why}"),
            Self::Internal(e) => write!(f, "internal error: {e}"),
        }
    }
}

type HostResult<T> = Result<T, HostExit>;

/// How a host function call that did not end its frame went on.
#[derive(Clone, Debug)]
pub enum Reply {
    /// It returned this value; the code goes on.
    Value(u64),
    /// It starts a call or a create: the frame is suspended until the frame loop resumes it
    /// with the callee's result ([`complete`]).
    Suspend(Request),
}

/// Ends the frame with the contract's fault (or a limit it passed).
fn trap<T>(why: impl Into<Failure>) -> HostResult<T> {
    Err(HostExit::Fail(why.into()))
}

/// The gas counter of the calling frame.
pub struct Gas<'a>(pub &'a mut u64);

impl Gas<'_> {
    /// Charges `amount`, or fails with out of gas (leaving zero).
    pub fn charge(&mut self, amount: u64) -> HostResult<()> {
        if *self.0 < amount {
            *self.0 = 0;
            return Err(HostExit::OutOfGas);
        }
        *self.0 -= amount;
        Ok(())
    }

    /// Gas left.
    pub fn left(&self) -> u64 {
        *self.0
    }

    /// Charges what a call of host function `f` with raw arguments `args` costs given
    /// `facts` (host-abi's [`charge`]), or fails with out of gas (leaving zero). Returns the
    /// charge, for its refund and the gas it forwards.
    pub fn pay(&mut self, f: HostFn, args: &[u64], facts: &Facts) -> HostResult<Charge> {
        let c = charge(f, args, facts);
        self.charge(c.gas)?;
        Ok(c)
    }
}

fn arg_u32(args: &[u64], i: usize) -> u32 {
    // Engines pass i32 arguments zero-extended; truncation keeps the 32-bit value.
    (args[i] & 0xFFFF_FFFF) as u32
}

/// Runs host function `f` for `frame`, whose calldata is `input`.
pub fn dispatch<P: Platform>(
    sys: &mut System<P>,
    frame: &mut Frame,
    input: &[u8],
    mem: &mut [u8],
    gas_left: &mut u64,
    f: HostFn,
    args: &[u64],
) -> HostResult<Reply> {
    let mut gas = Gas(gas_left);
    let mem = &mut GuestMemory::new(mem);
    let a = |i: usize| arg_u32(args, i);
    if let GasRule::Fixed(_) = f.gas() {
        gas.pay(f, args, &Facts::WARM)?;
    }
    let value = match f {
        HostFn::Read | HostFn::Write | HostFn::Exit | HostFn::Brk => trap(Fault::UnsupportedHostFunction(f)),
        HostFn::Keccak256 | HostFn::Sha256 | HostFn::Ripemd160 => {
            gas.pay(f, args, &Facts::WARM)?;
            let out = crate::exec::precompile::hash(f, mem.slice(a(0), a(1))?)?;
            mem.write(a(2), &out)?;
            Ok(0)
        }
        HostFn::Ecrecover
        | HostFn::Modexp
        | HostFn::Bn254Add
        | HostFn::Bn254Mul
        | HostFn::Bn254Pairing
        | HostFn::Blake2f
        | HostFn::Poseidon
        | HostFn::Bls12G1Add
        | HostFn::Bls12G1Msm
        | HostFn::Bls12G2Add
        | HostFn::Bls12G2Msm
        | HostFn::Bls12Pairing
        | HostFn::Bls12MapFpToG1
        | HostFn::Bls12MapFp2ToG2
        | HostFn::P256Verify => {
            let status = crate::exec::precompile::host_call(f, sys.block.fork, mem, &mut gas, args)?;
            Ok(status as u64)
        }
        HostFn::CalldataSize => Ok(input.len() as u64),
        HostFn::CalldataCopy => {
            gas.pay(f, args, &Facts::WARM)?;
            mem.write_padded(a(0), input, a(1), a(2))?;
            Ok(0)
        }
        HostFn::Finish => Err(HostExit::Finish(mem.read(a(0), a(1))?)),
        HostFn::Revert => Err(HostExit::Revert(mem.read(a(0), a(1))?)),
        HostFn::ReturndataSize => Ok(frame.return_data.len() as u64),
        HostFn::ReturndataCopy => {
            gas.pay(f, args, &Facts::WARM)?;
            let (offset, len) = (a(1) as usize, a(2) as usize);
            if offset.saturating_add(len) > frame.return_data.len() {
                return trap(Fault::ReturnDataOutOfBounds);
            }
            mem.write(a(0), &frame.return_data[offset..offset + len])?;
            Ok(0)
        }
        HostFn::StorageLoad => {
            let key = mem.read_word(a(0))?;
            let cold = sys.world.warm_slot(frame.address, key);
            gas.pay(f, args, &Facts { cold, ..Facts::WARM })?;
            let (value, _) = sys.world.storage(frame.address, key);
            mem.write(a(1), &value.to_be_bytes::<32>())?;
            Ok(0)
        }
        HostFn::StorageStore => {
            let key = mem.read_word(a(0))?;
            let value = mem.read_word(a(1))?;
            sstore(sys, frame, &mut gas, args, key, value)?;
            Ok(0)
        }
        HostFn::TransientLoad => {
            let key = mem.read_word(a(0))?;
            let value = sys.world.transient(frame.address, key);
            mem.write(a(1), &value.to_be_bytes::<32>())?;
            Ok(0)
        }
        HostFn::TransientStore => {
            if frame.is_static {
                return trap(Fault::StaticStateChange(f));
            }
            let key = mem.read_word(a(0))?;
            let value = mem.read_word(a(1))?;
            sys.world.set_transient(frame.address, key, value);
            Ok(0)
        }
        HostFn::ConstantsSize => Ok(frame.constants.len() as u64),
        HostFn::ConstantsCopy => {
            gas.pay(f, args, &Facts::WARM)?;
            mem.write_padded(a(0), &frame.constants, a(1), a(2))?;
            Ok(0)
        }
        HostFn::EmitLog => {
            if frame.is_static {
                return trap(Fault::StaticStateChange(f));
            }
            let count = a(1);
            if u64::from(count) > gas::MAX_LOG_TOPICS {
                return trap(Fault::TooManyTopics(count));
            }
            gas.pay(f, args, &Facts::WARM)?;
            let mut topics = Vec::with_capacity(count as usize);
            for i in 0..count {
                topics.push(B256::from(mem.read_array::<32>(a(0).wrapping_add(32 * i))?));
            }
            let data = mem.read(a(2), a(3))?;
            sys.world.log(Log { address: frame.address, data: LogData::new_unchecked(topics, Bytes::from(data)) });
            Ok(0)
        }
        HostFn::Call | HostFn::CallCode => {
            let kind = if f == HostFn::Call { CallKind::Call } else { CallKind::CallCode };
            let value = mem.read_word(a(2))?;
            let request = calls::call(sys, frame, mem, &mut gas, (f, args), kind, a(1), value, (a(3), a(4)))?;
            return Ok(Reply::Suspend(request));
        }
        HostFn::DelegateCall | HostFn::StaticCall => {
            let kind = if f == HostFn::DelegateCall { CallKind::DelegateCall } else { CallKind::StaticCall };
            let request = calls::call(sys, frame, mem, &mut gas, (f, args), kind, a(1), U256::ZERO, (a(2), a(3)))?;
            return Ok(Reply::Suspend(request));
        }
        HostFn::Create => {
            let value = mem.read_word(a(0))?;
            let request = calls::create(frame, mem, &mut gas, (f, args), value, a(1), a(2), None, a(3))?;
            return Ok(Reply::Suspend(request));
        }
        HostFn::Create2 => {
            let value = mem.read_word(a(0))?;
            let salt = B256::from(mem.read_array::<32>(a(3))?);
            let request = calls::create(frame, mem, &mut gas, (f, args), value, a(1), a(2), Some(salt), a(4))?;
            return Ok(Reply::Suspend(request));
        }
        HostFn::SelfDestruct => {
            let beneficiary = Address::from(mem.read_array::<20>(a(0))?);
            self_destruct(sys, frame, &mut gas, args, beneficiary)?;
            Err(HostExit::SelfDestruct)
        }
        HostFn::Address => mem.write(a(0), frame.address.as_slice()).map(|()| 0),
        HostFn::Caller => mem.write(a(0), frame.caller.as_slice()).map(|()| 0),
        HostFn::Origin => {
            let origin = sys.tx.caller;
            mem.write(a(0), origin.as_slice()).map(|()| 0)
        }
        HostFn::CallValue => mem.write(a(0), &frame.value.to_be_bytes::<32>()).map(|()| 0),
        HostFn::Balance => {
            let address = Address::from(mem.read_array::<20>(a(0))?);
            pay_access(sys, &mut gas, (f, args), address)?;
            let balance = sys.world.balance(address);
            mem.write(a(1), &balance.to_be_bytes::<32>()).map(|()| 0)
        }
        HostFn::SelfBalance => {
            let balance = sys.world.balance(frame.address);
            mem.write(a(0), &balance.to_be_bytes::<32>()).map(|()| 0)
        }
        HostFn::GasLeft => Ok(gas.left()),
        HostFn::GasPrice => {
            let price = sys.gas_price;
            mem.write(a(0), &price.to_be_bytes::<32>()).map(|()| 0)
        }
        HostFn::BlockNumber => Ok(sys.block.number),
        HostFn::BlockTimestamp => Ok(sys.block.timestamp),
        HostFn::Coinbase => {
            let coinbase = sys.block.coinbase;
            mem.write(a(0), coinbase.as_slice()).map(|()| 0)
        }
        HostFn::BlockGasLimit => Ok(sys.block.gas_limit),
        HostFn::BaseFee => {
            let fee = sys.block.base_fee;
            mem.write(a(0), &fee.to_be_bytes::<32>()).map(|()| 0)
        }
        HostFn::ChainId => Ok(sys.block.chain_id),
        HostFn::PrevRandao => {
            let randao = sys.block.prev_randao;
            mem.write(a(0), randao.as_slice()).map(|()| 0)
        }
        HostFn::BlockHash => {
            let hash = sys.block.block_hash(args[0]);
            mem.write(a(1), hash.as_slice()).map(|()| 0)
        }
        HostFn::BlobHash => {
            let hash =
                usize::try_from(args[0]).ok().and_then(|i| sys.tx.blob_hashes.get(i).copied()).unwrap_or(B256::ZERO);
            mem.write(a(1), hash.as_slice()).map(|()| 0)
        }
        HostFn::BlobBaseFee => {
            // Past MAX_EXCESS_BLOB_GAS no word holds the fee (the specification fails too).
            let Some(fee) = sys.blob_base_fee() else {
                return trap(Fault::BlobBaseFeeOverflow);
            };
            mem.write(a(0), &fee.to_be_bytes::<32>()).map(|()| 0)
        }
        HostFn::ExtCodeSize => {
            let address = Address::from(mem.read_array::<20>(a(0))?);
            pay_access(sys, &mut gas, (f, args), address)?;
            Ok(sys.world.info(address).code.len() as u64)
        }
        HostFn::ExtCodeCopy => {
            let address = Address::from(mem.read_array::<20>(a(0))?);
            pay_access(sys, &mut gas, (f, args), address)?;
            mem.write_padded(a(1), &sys.world.info(address).code, a(2), a(3))?;
            Ok(0)
        }
        HostFn::ExtCodeHash => {
            let address = Address::from(mem.read_array::<20>(a(0))?);
            pay_access(sys, &mut gas, (f, args), address)?;
            let hash = sys.world.code_hash(address);
            mem.write(a(1), hash.as_slice()).map(|()| 0)
        }
        HostFn::CodeSize => Ok(frame.code.len() as u64),
        HostFn::CodeCopy => {
            gas.pay(f, args, &Facts::WARM)?;
            mem.write_padded(a(0), &frame.code, a(1), a(2))?;
            Ok(0)
        }
        HostFn::DebugLog => {
            gas.pay(f, args, &Facts::WARM)?;
            // Only what fits under the transaction's cap is copied.
            sys.debug_output.push(mem.slice(a(0), a(1))?, a(1) as usize);
            Ok(0)
        }
        HostFn::OutOfGas => {
            *gas.0 = 0;
            Err(HostExit::OutOfGas)
        }
        HostFn::ChargeGas => {
            gas.pay(f, args, &Facts::WARM)?;
            Ok(0)
        }
    };
    value.map(Reply::Value)
}

/// Charges `f`, a function that reads the account at `address`, for its access: cold
/// the first time in the transaction (EIP-2929).
fn pay_access<P: Platform>(
    sys: &mut System<P>,
    gas: &mut Gas<'_>,
    (f, args): (HostFn, &[u64]),
    address: Address,
) -> HostResult<()> {
    let cold = sys.world.warm_account(address);
    gas.pay(f, args, &Facts { cold, ..Facts::WARM }).map(drop)
}

/// SSTORE: charged and refunded as host-abi says for how the store changes the slot.
fn sstore<P: Platform>(
    sys: &mut System<P>,
    frame: &Frame,
    gas: &mut Gas<'_>,
    args: &[u64],
    key: U256,
    new: U256,
) -> HostResult<()> {
    let f = HostFn::StorageStore;
    if frame.is_static {
        return trap(Fault::StaticStateChange(f));
    }
    // The guard (EIP-2200) comes before anything is read; it is the same whatever the facts.
    if price(f, &Facts::WARM).guard.is_some_and(|guard| gas.left() <= guard) {
        *gas.0 = 0;
        return Err(HostExit::OutOfGas);
    }
    let address = frame.address;
    let cold = sys.world.warm_slot(address, key);
    let (present, original) = sys.world.storage(address, key);
    let slot = Slot::of(&original, &present, &new, &U256::ZERO);
    let c = gas.pay(f, args, &Facts { cold, slot, ..Facts::WARM })?;
    if c.refund != 0 {
        sys.world.add_refund(c.refund);
    }
    // Storing the present value changes nothing (its journal entry would restore the same
    // value): skip the slot's lookups and the entry.
    if new != present {
        sys.world.set_storage(address, key, new);
    }
    Ok(())
}

fn self_destruct<P: Platform>(
    sys: &mut System<P>,
    frame: &Frame,
    gas: &mut Gas<'_>,
    args: &[u64],
    beneficiary: Address,
) -> HostResult<()> {
    if frame.is_static {
        return trap(Fault::StaticStateChange(HostFn::SelfDestruct));
    }
    let cold = sys.world.warm_account(beneficiary);
    let balance = sys.world.balance(frame.address);
    let value = !balance.is_zero();
    let dead = value && sys.world.is_dead(beneficiary);
    gas.pay(HostFn::SelfDestruct, args, &Facts { cold, value, dead, ..Facts::WARM })?;
    let created = sys.world.created_in_tx(frame.address);
    if beneficiary != frame.address {
        sys.world.transfer(frame.address, beneficiary, balance);
    } else if !created {
        // Sending the balance to itself keeps it (EIP-6780), but touches the account.
        sys.world.touch(beneficiary);
    }
    if created {
        sys.world.set_balance(frame.address, U256::ZERO);
        sys.world.mark_selfdestructed(frame.address);
    }
    Ok(())
}

pub(crate) fn keccak(data: &[u8]) -> [u8; 32] {
    keccak256(data).0
}
