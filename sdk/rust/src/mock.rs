//! A host-side test double of the zkos environment (every target but `wasm32`).
//!
//! On `wasm32` the SDK calls the real `zkos` imports. Elsewhere it calls the functions of
//! [`raw`] here, which act on a thread-local [`MockEnv`]: storage, transient storage,
//! calldata, constants, logs, context values and scripted call results. This lets the SDK's
//! own tests, and contract authors' unit tests, run the safe API natively:
//!
//! ```
//! use zkos_sdk::{mock, storage, U256};
//! mock::reset();
//! let slot = storage::Slot::at(3);
//! slot.set(U256::from(7));
//! let out = mock::run(|| zkos_sdk::finish(&slot.get::<U256>().to_be_bytes::<32>()));
//! assert_eq!(out, mock::Outcome::Finished(U256::from(7).to_be_bytes::<32>().to_vec()));
//! ```
//!
//! Not modelled: gas accounting (`gas_left` returns [`MockEnv::gas_left`] unchanged), value
//! transfers, static-context checks, and the precompiles other than keccak-256 (`sha256`,
//! `ripemd160`, `ecrecover`, `modexp`, bn254, `blake2f` and `poseidon` panic with a message
//! saying so). Calls and creates are answered by [`MockEnv::on_call`].

extern crate std;

use std::boxed::Box;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::vec;
use std::vec::Vec;

use host_abi::status::CallStatus;

use crate::types::{Address, Word};

/// Which host function a recorded call came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `call`.
    Call,
    /// `call_code`.
    CallCode,
    /// `delegate_call`.
    DelegateCall,
    /// `static_call`.
    StaticCall,
    /// `create`.
    Create,
    /// `create2`.
    Create2,
}

/// A call or create the contract made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedCall {
    /// Through which function.
    pub kind: CallKind,
    /// Gas asked for (0 for creates).
    pub gas: u64,
    /// Callee (zero for creates).
    pub to: Address,
    /// Value (zero for delegate and static calls).
    pub value: Word,
    /// Input or init data.
    pub input: Vec<u8>,
    /// Salt of `create2`.
    pub salt: Option<Word>,
}

/// An emitted log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Topics.
    pub topics: Vec<Word>,
    /// Data.
    pub data: Vec<u8>,
}

/// What answers a call: status, output and (for creates) the new address.
pub type CallHandler = Box<dyn FnMut(&RecordedCall) -> (CallStatus, Vec<u8>, Address)>;

/// The mock environment. Fields are public: set inputs before running code, read effects
/// after.
#[derive(Default)]
pub struct MockEnv {
    /// Calldata.
    pub calldata: Vec<u8>,
    /// Constants area.
    pub constants: Vec<u8>,
    /// Persistent storage.
    pub storage: BTreeMap<Word, Word>,
    /// Transient storage.
    pub transient: BTreeMap<Word, Word>,
    /// Emitted logs, in order.
    pub logs: Vec<Log>,
    /// Return data of the last call.
    pub returndata: Vec<u8>,
    /// Calls and creates made, in order.
    pub calls: Vec<RecordedCall>,
    /// Answers calls; without one every call returns `NotExecuted` with empty output.
    pub on_call: Option<CallHandler>,
    /// Debug output.
    pub debug: Vec<Vec<u8>>,
    /// This account.
    pub address: Address,
    /// The caller.
    pub caller: Address,
    /// The transaction's sender.
    pub origin: Address,
    /// Value of this call.
    pub call_value: Word,
    /// Balances by account (missing: zero).
    pub balances: BTreeMap<Address, Word>,
    /// Code by account (missing: empty).
    pub codes: BTreeMap<Address, Vec<u8>>,
    /// The running code.
    pub code: Vec<u8>,
    /// Gas left, returned unchanged.
    pub gas_left: u64,
    /// Effective gas price.
    pub gas_price: Word,
    /// Block number.
    pub block_number: u64,
    /// Block timestamp.
    pub block_timestamp: u64,
    /// Coinbase.
    pub coinbase: Address,
    /// Block gas limit.
    pub block_gas_limit: u64,
    /// Base fee.
    pub base_fee: Word,
    /// Chain id.
    pub chain_id: u64,
    /// prevRandao.
    pub prev_randao: Word,
    /// Block hashes by number (missing: zero).
    pub block_hashes: BTreeMap<u64, Word>,
    /// Blob versioned hashes.
    pub blob_hashes: Vec<Word>,
    /// Blob base fee.
    pub blob_base_fee: Word,
    /// Gas charged through `charge_gas`.
    pub gas_charged: u64,
}

std::thread_local! {
    static ENV: RefCell<MockEnv> = RefCell::new(MockEnv::default());
}

/// Runs `f` on this thread's environment.
pub fn with_env<R>(f: impl FnOnce(&mut MockEnv) -> R) -> R {
    ENV.with(|e| f(&mut e.borrow_mut()))
}

/// Replaces this thread's environment with a fresh default one.
pub fn reset() {
    with_env(|e| *e = MockEnv::default());
}

/// How code run by [`run`] ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<R> {
    /// It returned normally.
    Returned(R),
    /// It called `finish` with this output.
    Finished(Vec<u8>),
    /// It called `revert` with this revert data.
    Reverted(Vec<u8>),
    /// It self-destructed towards this beneficiary.
    SelfDestructed(Address),
    /// It called `out_of_gas`.
    OutOfGas,
}

/// Payload of the unwind that ends a mock call.
struct Exit(Outcome<()>);

fn exit(o: Outcome<()>) -> ! {
    // `resume_unwind` skips the panic hook: ending a call is not an error.
    std::panic::resume_unwind(Box::new(Exit(o)))
}

/// Runs `f` like a contract call: `finish`, `revert`, `self_destruct` and `out_of_gas` end
/// it with the matching [`Outcome`]. Other panics propagate.
pub fn run<R>(f: impl FnOnce() -> R) -> Outcome<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => Outcome::Returned(r),
        Err(payload) => match payload.downcast::<Exit>() {
            Ok(exit) => match exit.0 {
                Outcome::Returned(()) => unreachable_outcome(),
                Outcome::Finished(d) => Outcome::Finished(d),
                Outcome::Reverted(d) => Outcome::Reverted(d),
                Outcome::SelfDestructed(a) => Outcome::SelfDestructed(a),
                Outcome::OutOfGas => Outcome::OutOfGas,
            },
            Err(other) => std::panic::resume_unwind(other),
        },
    }
}

fn unreachable_outcome() -> ! {
    panic!("mock: an exit never carries `Returned`")
}

fn answer(call: RecordedCall) -> (i32, Address) {
    let mut handler = with_env(|e| {
        e.calls.push(call.clone());
        e.on_call.take()
    });
    let (status, output, address) = match handler.as_mut() {
        Some(h) => h(&call),
        None => (CallStatus::NotExecuted, Vec::new(), Address::ZERO),
    };
    with_env(|e| {
        e.on_call = handler;
        e.returndata = output;
    });
    (i32::from(status as u8), address)
}

/// The raw functions, with the signatures of the `zkos` imports (`sys::raw` on wasm32).
///
/// # Safety
/// Each pointer must be valid for the length the host function reads or writes, exactly as
/// for the real imports; the SDK guarantees it by passing Rust references.
#[allow(unsafe_code, clippy::missing_safety_doc)]
pub mod raw {
    use super::*;

    /// # Safety
    /// `ptr` valid for reading `len` bytes.
    unsafe fn read(ptr: *const u8, len: u32) -> Vec<u8> {
        if len == 0 {
            return Vec::new();
        }
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts(ptr, len as usize).to_vec() }
    }

    /// # Safety
    /// `ptr` valid for reading `N` bytes.
    unsafe fn read_n<const N: usize>(ptr: *const u8) -> [u8; N] {
        let mut out = [0u8; N];
        // SAFETY: the caller's contract.
        out.copy_from_slice(unsafe { std::slice::from_raw_parts(ptr, N) });
        out
    }

    /// # Safety
    /// `ptr` valid for writing `data.len()` bytes.
    unsafe fn write(ptr: *mut u8, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        // SAFETY: the caller's contract; source and destination do not overlap (the
        // source is owned by the environment).
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr, data.len()) }
    }

    /// Copies `src[offset..offset+len]` to `dest`, zero-filling past the end of `src`.
    ///
    /// # Safety
    /// `dest` valid for writing `len` bytes.
    unsafe fn copy_padded(dest: *mut u8, src: &[u8], offset: u32, len: u32) {
        let mut buf = vec![0u8; len as usize];
        let start = (offset as usize).min(src.len());
        let end = (offset as usize).saturating_add(len as usize).min(src.len());
        buf[..end - start].copy_from_slice(&src[start..end]);
        // SAFETY: the caller's contract.
        unsafe { write(dest, &buf) }
    }

    fn unsupported(name: &str) -> ! {
        panic!("zkos-sdk mock: host function `{name}` is not available in the mock environment")
    }

    pub unsafe fn keccak256(ptr: *const u8, len: u32, out: *mut u8) {
        // SAFETY: forwarded contract.
        let data = unsafe { read(ptr, len) };
        // SAFETY: forwarded contract.
        unsafe { write(out, &crate::keccak::keccak256_const(&data)) }
    }
    pub unsafe fn sha256(_: *const u8, _: u32, _: *mut u8) {
        unsupported("sha256")
    }
    pub unsafe fn ripemd160(_: *const u8, _: u32, _: *mut u8) {
        unsupported("ripemd160")
    }
    pub unsafe fn ecrecover(_: *const u8, _: *mut u8) -> i32 {
        unsupported("ecrecover")
    }
    pub unsafe fn modexp(_: *const u8, _: u32, _: *mut u8, _: u32) -> i32 {
        unsupported("modexp")
    }
    pub unsafe fn bn254_add(_: *const u8, _: *mut u8) -> i32 {
        unsupported("bn254_add")
    }
    pub unsafe fn bn254_mul(_: *const u8, _: *mut u8) -> i32 {
        unsupported("bn254_mul")
    }
    pub unsafe fn bn254_pairing(_: *const u8, _: u32, _: *mut u8) -> i32 {
        unsupported("bn254_pairing")
    }
    pub unsafe fn blake2f(_: *const u8, _: *mut u8) -> i32 {
        unsupported("blake2f")
    }

    pub unsafe fn calldata_size() -> u32 {
        with_env(|e| e.calldata.len() as u32)
    }
    pub unsafe fn calldata_copy(dest: *mut u8, offset: u32, len: u32) {
        let src = with_env(|e| e.calldata.clone());
        // SAFETY: forwarded contract.
        unsafe { copy_padded(dest, &src, offset, len) }
    }
    pub unsafe fn finish(ptr: *const u8, len: u32) -> ! {
        // SAFETY: forwarded contract.
        exit(Outcome::Finished(unsafe { read(ptr, len) }))
    }
    pub unsafe fn revert(ptr: *const u8, len: u32) -> ! {
        // SAFETY: forwarded contract.
        exit(Outcome::Reverted(unsafe { read(ptr, len) }))
    }
    pub unsafe fn returndata_size() -> u32 {
        with_env(|e| e.returndata.len() as u32)
    }
    pub unsafe fn returndata_copy(dest: *mut u8, offset: u32, len: u32) {
        let src = with_env(|e| e.returndata.clone());
        let end = (offset as usize).saturating_add(len as usize);
        if end > src.len() {
            panic!("zkos-sdk mock: returndata_copy past the end (traps on the real host)");
        }
        // SAFETY: forwarded contract.
        unsafe { write(dest, &src[offset as usize..end]) }
    }
    pub unsafe fn storage_load(key: *const u8, out: *mut u8) {
        // SAFETY: forwarded contract.
        let k = unsafe { read_n::<32>(key) };
        let v = with_env(|e| e.storage.get(&k).copied().unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { write(out, &v) }
    }
    pub unsafe fn storage_store(key: *const u8, value: *const u8) {
        // SAFETY: forwarded contract.
        let (k, v) = unsafe { (read_n::<32>(key), read_n::<32>(value)) };
        with_env(|e| e.storage.insert(k, v));
    }
    pub unsafe fn transient_load(key: *const u8, out: *mut u8) {
        // SAFETY: forwarded contract.
        let k = unsafe { read_n::<32>(key) };
        let v = with_env(|e| e.transient.get(&k).copied().unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { write(out, &v) }
    }
    pub unsafe fn transient_store(key: *const u8, value: *const u8) {
        // SAFETY: forwarded contract.
        let (k, v) = unsafe { (read_n::<32>(key), read_n::<32>(value)) };
        with_env(|e| e.transient.insert(k, v));
    }
    pub unsafe fn constants_size() -> u32 {
        with_env(|e| e.constants.len() as u32)
    }
    pub unsafe fn constants_copy(dest: *mut u8, offset: u32, len: u32) {
        let src = with_env(|e| e.constants.clone());
        // SAFETY: forwarded contract.
        unsafe { copy_padded(dest, &src, offset, len) }
    }
    pub unsafe fn emit_log(topics: *const u8, topic_count: u32, data: *const u8, data_len: u32) {
        if topic_count > 4 {
            panic!("zkos-sdk mock: emit_log with {topic_count} topics (fails the call on the real host)");
        }
        // SAFETY: forwarded contract.
        let raw_topics = unsafe { read(topics, topic_count * 32) };
        let topics = raw_topics
            .chunks(32)
            .map(|c| {
                let mut w = [0u8; 32];
                w.copy_from_slice(c);
                w
            })
            .collect();
        // SAFETY: forwarded contract.
        let data = unsafe { read(data, data_len) };
        with_env(|e| e.logs.push(Log { topics, data }));
    }
    unsafe fn a_call(
        kind: CallKind,
        gas: i64,
        addr: *const u8,
        value: Option<*const u8>,
        input: *const u8,
        input_len: u32,
    ) -> i32 {
        // SAFETY: forwarded contract.
        let call = unsafe {
            RecordedCall {
                kind,
                gas: gas as u64,
                to: Address(read_n::<20>(addr)),
                value: value.map(|v| read_n::<32>(v)).unwrap_or_default(),
                input: read(input, input_len),
                salt: None,
            }
        };
        answer(call).0
    }
    pub unsafe fn call(gas: i64, addr: *const u8, value: *const u8, input: *const u8, input_len: u32) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { a_call(CallKind::Call, gas, addr, Some(value), input, input_len) }
    }
    pub unsafe fn call_code(gas: i64, addr: *const u8, value: *const u8, input: *const u8, input_len: u32) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { a_call(CallKind::CallCode, gas, addr, Some(value), input, input_len) }
    }
    pub unsafe fn delegate_call(gas: i64, addr: *const u8, input: *const u8, input_len: u32) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { a_call(CallKind::DelegateCall, gas, addr, None, input, input_len) }
    }
    pub unsafe fn static_call(gas: i64, addr: *const u8, input: *const u8, input_len: u32) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { a_call(CallKind::StaticCall, gas, addr, None, input, input_len) }
    }
    unsafe fn a_create(value: *const u8, code: *const u8, code_len: u32, salt: Option<*const u8>, out: *mut u8) -> i32 {
        // SAFETY: forwarded contract.
        let call = unsafe {
            RecordedCall {
                kind: if salt.is_some() { CallKind::Create2 } else { CallKind::Create },
                gas: 0,
                to: Address::ZERO,
                value: read_n::<32>(value),
                input: read(code, code_len),
                salt: salt.map(|s| read_n::<32>(s)),
            }
        };
        let (status, address) = answer(call);
        let address = if status == 0 { address } else { Address::ZERO };
        // SAFETY: forwarded contract.
        unsafe { write(out, &address.0) };
        status
    }
    pub unsafe fn create(value: *const u8, code: *const u8, code_len: u32, out: *mut u8) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { a_create(value, code, code_len, None, out) }
    }
    pub unsafe fn create2(value: *const u8, code: *const u8, code_len: u32, salt: *const u8, out: *mut u8) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { a_create(value, code, code_len, Some(salt), out) }
    }
    pub unsafe fn self_destruct(beneficiary: *const u8) -> ! {
        // SAFETY: forwarded contract.
        exit(Outcome::SelfDestructed(Address(unsafe { read_n::<20>(beneficiary) })))
    }

    macro_rules! getter {
        ($name:ident, $field:ident, addr) => {
            pub unsafe fn $name(out: *mut u8) {
                let v = with_env(|e| e.$field.0);
                // SAFETY: forwarded contract.
                unsafe { write(out, &v) }
            }
        };
        ($name:ident, $field:ident, word) => {
            pub unsafe fn $name(out: *mut u8) {
                let v = with_env(|e| e.$field);
                // SAFETY: forwarded contract.
                unsafe { write(out, &v) }
            }
        };
        ($name:ident, $field:ident, i64) => {
            pub unsafe fn $name() -> i64 {
                with_env(|e| e.$field as i64)
            }
        };
    }
    getter!(address, address, addr);
    getter!(caller, caller, addr);
    getter!(origin, origin, addr);
    getter!(coinbase, coinbase, addr);
    getter!(call_value, call_value, word);
    getter!(gas_price, gas_price, word);
    getter!(base_fee, base_fee, word);
    getter!(prev_randao, prev_randao, word);
    getter!(blob_base_fee, blob_base_fee, word);
    getter!(gas_left, gas_left, i64);
    getter!(block_number, block_number, i64);
    getter!(block_timestamp, block_timestamp, i64);
    getter!(block_gas_limit, block_gas_limit, i64);
    getter!(chain_id, chain_id, i64);

    pub unsafe fn self_balance(out: *mut u8) {
        let v = with_env(|e| e.balances.get(&e.address).copied().unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { write(out, &v) }
    }
    pub unsafe fn balance(addr: *const u8, out: *mut u8) {
        // SAFETY: forwarded contract.
        let a = Address(unsafe { read_n::<20>(addr) });
        let v = with_env(|e| e.balances.get(&a).copied().unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { write(out, &v) }
    }
    pub unsafe fn block_hash(number: i64, out: *mut u8) {
        let v = with_env(|e| e.block_hashes.get(&(number as u64)).copied().unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { write(out, &v) }
    }
    pub unsafe fn blob_hash(index: i64, out: *mut u8) {
        let v =
            with_env(|e| usize::try_from(index).ok().and_then(|i| e.blob_hashes.get(i).copied()).unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { write(out, &v) }
    }
    pub unsafe fn ext_code_size(addr: *const u8) -> u32 {
        // SAFETY: forwarded contract.
        let a = Address(unsafe { read_n::<20>(addr) });
        with_env(|e| e.codes.get(&a).map_or(0, |c| c.len() as u32))
    }
    pub unsafe fn ext_code_copy(addr: *const u8, dest: *mut u8, offset: u32, len: u32) {
        // SAFETY: forwarded contract.
        let a = Address(unsafe { read_n::<20>(addr) });
        let code = with_env(|e| e.codes.get(&a).cloned().unwrap_or_default());
        // SAFETY: forwarded contract.
        unsafe { copy_padded(dest, &code, offset, len) }
    }
    pub unsafe fn ext_code_hash(addr: *const u8, out: *mut u8) {
        // SAFETY: forwarded contract.
        let a = Address(unsafe { read_n::<20>(addr) });
        let h = with_env(|e| e.codes.get(&a).map(|c| crate::keccak::keccak256_const(c))).unwrap_or_default();
        // SAFETY: forwarded contract.
        unsafe { write(out, &h) }
    }
    pub unsafe fn code_size() -> u32 {
        with_env(|e| e.code.len() as u32)
    }
    pub unsafe fn code_copy(dest: *mut u8, offset: u32, len: u32) {
        let code = with_env(|e| e.code.clone());
        // SAFETY: forwarded contract.
        unsafe { copy_padded(dest, &code, offset, len) }
    }
    pub unsafe fn debug_log(ptr: *const u8, len: u32) {
        // SAFETY: forwarded contract.
        let msg = unsafe { read(ptr, len) };
        with_env(|e| e.debug.push(msg));
    }
    pub unsafe fn out_of_gas() -> ! {
        exit(Outcome::OutOfGas)
    }
    pub unsafe fn charge_gas(amount: i64) {
        with_env(|e| e.gas_charged = e.gas_charged.saturating_add(amount as u64));
    }
}
