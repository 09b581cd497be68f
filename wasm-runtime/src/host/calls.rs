//! The host functions that call or create, in two halves around the callee: the first
//! ([`call`], [`create`]) does everything up to starting the callee (static checks, the
//! charges, the 63/64 forwarding, reading the address, value, salt and init code) and
//! returns a [`Request`]; the frame loop ([`crate::exec`]) runs the callee and hands its
//! result to the second ([`complete`]), which finishes the host function in the caller.
//! What a call or create is charged and how much gas it forwards are host-abi's
//! ([`host_abi::charge`]): the charge first, then the forwarded gas from what is left.

use alloc::boxed::Box;

use host_abi::charge::Facts;
use host_abi::functions::HostFn;
use host_abi::status::CallStatus;

use super::{trap, Gas, GuestMemory, HostExit, HostResult};
use crate::error::{Fault, Invariant, Limit, LimitKind};
use crate::exec::{CallKind, CallParams, Frame, FrameResult, System};
use crate::platform::Platform;
use crate::primitives::{Address, Bytes, B256, U256};

/// What a suspended frame waits for.
#[derive(Clone, Debug)]
pub enum Request {
    /// A message call (CALL, CALLCODE, DELEGATECALL, STATICCALL).
    Call(Box<CallRequest>),
    /// A contract creation (CREATE, CREATE2).
    Create(Box<CreateRequest>),
}

/// A message call a frame makes.
#[derive(Clone, Debug)]
pub struct CallRequest {
    /// The callee's frame, its gas paid by the caller already. Its `input` is left empty:
    /// the input is [`Self::input`], in the caller's memory.
    pub params: CallParams,
    /// Offset and length of the input in the caller's linear memory (checked to lie in it).
    pub input: (u32, u32),
}

/// A contract creation a frame makes.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// The creating account.
    pub caller: Address,
    /// The value sent to the new account.
    pub value: U256,
    /// The init code (an envelope or EVM init code), copied out of the caller's memory
    /// after its charge.
    pub init: Bytes,
    /// Gas given to the creation, paid by the caller already.
    pub gas: u64,
    /// The CREATE2 salt (`None` for CREATE).
    pub salt: Option<B256>,
    /// Depth of the new frame.
    pub depth: usize,
    /// Where in the caller's memory the created address goes (zero if none was created).
    pub out_ptr: u32,
}

/// `call`, `call_code`, `delegate_call`, `static_call` up to starting the callee.
#[allow(clippy::too_many_arguments)]
pub(super) fn call<P: Platform>(
    sys: &mut System<P>,
    frame: &Frame,
    mem: &GuestMemory<'_>,
    gas: &mut Gas<'_>,
    (f, args): (HostFn, &[u64]),
    kind: CallKind,
    addr_ptr: u32,
    value: U256,
    (input_ptr, input_len): (u32, u32),
) -> HostResult<Request> {
    // The input must lie in memory (checked now, as before any charge); it is handed to the
    // callee in place, never copied.
    mem.slice(input_ptr, input_len)?;
    let target = Address::from(mem.read_array::<20>(addr_ptr)?);
    let has_value = !value.is_zero() && kind.sends_value();
    if kind == CallKind::Call && has_value && frame.is_static {
        return trap(Fault::StaticStateChange(HostFn::Call));
    }
    let cold = sys.world.warm_account(target);
    // Only a call that moves value can create the account (EIP-161): no state read otherwise.
    let dead = has_value && kind == CallKind::Call && sys.world.is_dead(target);
    // EIP-7702: calling a delegated account also accesses the delegate, whose code runs.
    let delegate = sys.world.delegate_of(target).map(|d| sys.world.warm_account(d));
    let charged = gas.pay(f, args, &Facts { cold, value: has_value, dead, delegate, ..Facts::WARM })?;
    let (forwarded, stipend) = charged.forward.map_or((0, 0), |w| (w.taken(gas.left()), w.stipend));
    gas.charge(forwarded)?;
    let callee_gas = forwarded + stipend;
    let (address, caller, apparent_value, is_static) = match kind {
        CallKind::Call => (target, frame.address, value, frame.is_static),
        CallKind::CallCode => (frame.address, frame.address, value, frame.is_static),
        CallKind::DelegateCall => (frame.address, frame.caller, frame.value, frame.is_static),
        CallKind::StaticCall => (target, frame.address, U256::ZERO, true),
        // Only a block rule makes system calls (exec::system_call), never a host function.
        CallKind::System => return Err(HostExit::Internal(Invariant::Dispatch(f).into())),
    };
    let params = CallParams {
        kind,
        caller,
        address,
        code_address: target,
        value: if kind == CallKind::DelegateCall { U256::ZERO } else { value },
        apparent_value,
        input: Bytes::new(),
        gas: callee_gas,
        is_static,
        depth: frame.depth + 1,
    };
    Ok(Request::Call(Box::new(CallRequest { params, input: (input_ptr, input_len) })))
}

/// `create` and `create2` up to starting the init code.
#[allow(clippy::too_many_arguments)]
pub(super) fn create(
    frame: &Frame,
    mem: &GuestMemory<'_>,
    gas: &mut Gas<'_>,
    (f, args): (HostFn, &[u64]),
    value: U256,
    code_ptr: u32,
    code_len: u32,
    salt: Option<B256>,
    out_ptr: u32,
) -> HostResult<Request> {
    if frame.is_static {
        return trap(Fault::StaticStateChange(f));
    }
    // Checking the range and the header is all that happens before the charge; the init data
    // is copied after it (the per-word charge of EIP-3860 pays for that).
    let init = mem.slice(code_ptr, code_len)?;
    let is_envelope = host_abi::envelope::is_envelope(init);
    if !is_envelope && init.len() > host_abi::limits::MAX_EVM_INITCODE_SIZE {
        return trap(Limit::new(LimitKind::InitCodeSize, host_abi::limits::MAX_EVM_INITCODE_SIZE, init.len()));
    }
    let charged = gas.pay(f, args, &Facts::WARM)?;
    let forwarded = charged.forward.map_or(0, |w| w.taken(gas.left()));
    gas.charge(forwarded)?;
    let init = Bytes::copy_from_slice(mem.slice(code_ptr, code_len)?);
    Ok(Request::Create(Box::new(CreateRequest {
        caller: frame.address,
        value,
        init,
        gas: forwarded,
        salt,
        depth: frame.depth + 1,
        out_ptr,
    })))
}

/// Finishes the host function that made `request`, in the caller `frame` (its memory `mem`
/// and gas counter `gas`), with the callee's result: gives back the callee's unused gas,
/// sets the caller's return data, writes the created address, and returns the status the
/// host function returns (or why the caller's frame ends: a bad address pointer).
pub fn complete(
    frame: &mut Frame,
    mem: &mut [u8],
    gas: &mut u64,
    request: &Request,
    child: FrameResult,
) -> Result<u64, HostExit> {
    *gas += child.gas_left;
    let status = child.status;
    match request {
        Request::Call(_) => frame.return_data = child.output,
        Request::Create(c) => {
            frame.return_data = if status == CallStatus::Revert { child.output } else { Bytes::new() };
            let address = if status.is_success() { child.created.unwrap_or_default() } else { Address::ZERO };
            GuestMemory::new(mem).write(c.out_ptr, address.as_slice())?;
        }
    }
    Ok(u64::from(status as u8))
}
