//! The one module that calls the raw bindings: safe functions over slices and arrays.
//!
//! Every `unsafe` call here passes pointers taken from Rust references (`&[u8]`, `&mut [u8]`,
//! `&[u8; N]`) together with their exact lengths, so the host only reads and writes memory
//! the references own, for the duration of the call. The host functions keep no pointer
//! after they return.
//!
//! On `wasm32` the raw functions are the `zkos` imports ([`crate::sys::raw`]), on `riscv64`
//! (native contracts) `ecall`s with the same numbers; elsewhere they
//! are the host-side test double [`crate::mock`], so this layer is exercised by host tests.

#![allow(unsafe_code)]

#[cfg(not(any(target_arch = "wasm32", target_arch = "riscv64")))]
use crate::mock::raw;
#[cfg(any(target_arch = "wasm32", target_arch = "riscv64"))]
use crate::sys::raw;

use crate::types::{Address, Word};

/// A length or offset as the ABI's `u32`. Linear memory is at most 4 GiB, so on `wasm32`
/// this never saturates; a saturated value makes the host trap or read zeros, as for any
/// out-of-range argument.
fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Gas as the ABI's `i64`, saturating at `i64::MAX` (the host caps forwarded gas anyway).
fn gas_of(gas: u64) -> i64 {
    i64::try_from(gas).unwrap_or(i64::MAX)
}

/// Zero-extends a `u32` result to `usize`.
fn usize_of(n: u32) -> usize {
    n as usize
}

macro_rules! out_fn {
    ($(#[doc = $doc:literal])* $name:ident -> $n:literal) => {
        $(#[doc = $doc])*
        pub fn $name() -> [u8; $n] {
            let mut out = [0u8; $n];
            // SAFETY: `out` is a writable local of exactly the size the host writes.
            unsafe { raw::$name(out.as_mut_ptr()) };
            out
        }
    };
}

// ---------------------------------------------------------------- calldata and termination

/// Size of the calldata in bytes.
pub fn calldata_size() -> usize {
    // SAFETY: no pointers.
    usize_of(unsafe { raw::calldata_size() })
}

/// Copies calldata from `offset` into `dest` (zeros past the end of the calldata).
pub fn calldata_copy(dest: &mut [u8], offset: usize) {
    // SAFETY: `dest` is writable for `dest.len()` bytes.
    unsafe { raw::calldata_copy(dest.as_mut_ptr(), u32_of(offset), u32_of(dest.len())) }
}

/// Ends the call successfully with `data` as output.
pub fn finish(data: &[u8]) -> ! {
    // SAFETY: `data` is readable for `data.len()` bytes.
    unsafe { raw::finish(data.as_ptr(), u32_of(data.len())) }
}

/// Ends the call with a revert and `data` as revert data.
pub fn revert(data: &[u8]) -> ! {
    // SAFETY: `data` is readable for `data.len()` bytes.
    unsafe { raw::revert(data.as_ptr(), u32_of(data.len())) }
}

/// Size of the return data of the last call or create.
pub fn returndata_size() -> usize {
    // SAFETY: no pointers.
    usize_of(unsafe { raw::returndata_size() })
}

/// Copies return data from `offset` into `dest`; reading past its end traps.
pub fn returndata_copy(dest: &mut [u8], offset: usize) {
    // SAFETY: `dest` is writable for `dest.len()` bytes.
    unsafe { raw::returndata_copy(dest.as_mut_ptr(), u32_of(offset), u32_of(dest.len())) }
}

/// Size of this account's constants area.
pub fn constants_size() -> usize {
    // SAFETY: no pointers.
    usize_of(unsafe { raw::constants_size() })
}

/// Copies constants from `offset` into `dest` (zeros past the end).
pub fn constants_copy(dest: &mut [u8], offset: usize) {
    // SAFETY: `dest` is writable for `dest.len()` bytes.
    unsafe { raw::constants_copy(dest.as_mut_ptr(), u32_of(offset), u32_of(dest.len())) }
}

// ---------------------------------------------------------------- storage

/// Reads a storage word.
pub fn storage_load(key: &Word) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: `key` is 32 readable bytes, `out` 32 writable bytes.
    unsafe { raw::storage_load(key.as_ptr(), out.as_mut_ptr()) };
    out
}

/// Reads a storage word into `out`.
pub fn storage_load_into(key: &Word, out: &mut Word) {
    // SAFETY: `key` is 32 readable bytes, `out` 32 writable bytes.
    unsafe { raw::storage_load(key.as_ptr(), out.as_mut_ptr()) }
}

/// Writes a storage word.
pub fn storage_store(key: &Word, value: &Word) {
    // SAFETY: `key` and `value` are 32 readable bytes each.
    unsafe { raw::storage_store(key.as_ptr(), value.as_ptr()) }
}

/// Reads a transient storage word.
pub fn transient_load(key: &Word) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: `key` is 32 readable bytes, `out` 32 writable bytes.
    unsafe { raw::transient_load(key.as_ptr(), out.as_mut_ptr()) };
    out
}

/// Writes a transient storage word.
pub fn transient_store(key: &Word, value: &Word) {
    // SAFETY: `key` and `value` are 32 readable bytes each.
    unsafe { raw::transient_store(key.as_ptr(), value.as_ptr()) }
}

// ---------------------------------------------------------------- logs

/// Emits a log. More than four topics fail the call (the host rejects them).
pub fn emit_log(topics: &[Word], data: &[u8]) {
    // SAFETY: `topics` is `topics.len()` consecutive 32-byte words (arrays have no padding);
    // `data` is readable for `data.len()` bytes.
    unsafe { raw::emit_log(topics.as_ptr().cast::<u8>(), u32_of(topics.len()), data.as_ptr(), u32_of(data.len())) }
}

// ---------------------------------------------------------------- calls and creates

/// CALL; returns the raw status code.
pub fn call(gas: u64, addr: &Address, value: &Word, input: &[u8]) -> i32 {
    // SAFETY: the address (20 bytes), value (32 bytes) and input are readable.
    unsafe { raw::call(gas_of(gas), addr.0.as_ptr(), value.as_ptr(), input.as_ptr(), u32_of(input.len())) }
}

/// CALLCODE; returns the raw status code.
pub fn call_code(gas: u64, addr: &Address, value: &Word, input: &[u8]) -> i32 {
    // SAFETY: the address (20 bytes), value (32 bytes) and input are readable.
    unsafe { raw::call_code(gas_of(gas), addr.0.as_ptr(), value.as_ptr(), input.as_ptr(), u32_of(input.len())) }
}

/// DELEGATECALL; returns the raw status code.
pub fn delegate_call(gas: u64, addr: &Address, input: &[u8]) -> i32 {
    // SAFETY: the address (20 bytes) and input are readable.
    unsafe { raw::delegate_call(gas_of(gas), addr.0.as_ptr(), input.as_ptr(), u32_of(input.len())) }
}

/// STATICCALL; returns the raw status code.
pub fn static_call(gas: u64, addr: &Address, input: &[u8]) -> i32 {
    // SAFETY: the address (20 bytes) and input are readable.
    unsafe { raw::static_call(gas_of(gas), addr.0.as_ptr(), input.as_ptr(), u32_of(input.len())) }
}

/// CREATE; returns the raw status code and writes the new address (zero on failure).
pub fn create(value: &Word, init: &[u8], out: &mut Address) -> i32 {
    // SAFETY: value (32 bytes) and init are readable, `out` is 20 writable bytes.
    unsafe { raw::create(value.as_ptr(), init.as_ptr(), u32_of(init.len()), out.0.as_mut_ptr()) }
}

/// CREATE2; returns the raw status code and writes the new address (zero on failure).
pub fn create2(value: &Word, init: &[u8], salt: &Word, out: &mut Address) -> i32 {
    // SAFETY: value and salt (32 bytes each) and init are readable, `out` is 20 writable
    // bytes.
    unsafe { raw::create2(value.as_ptr(), init.as_ptr(), u32_of(init.len()), salt.as_ptr(), out.0.as_mut_ptr()) }
}

/// SELFDESTRUCT towards `beneficiary`; ends the call.
pub fn self_destruct(beneficiary: &Address) -> ! {
    // SAFETY: 20 readable bytes.
    unsafe { raw::self_destruct(beneficiary.0.as_ptr()) }
}

// ---------------------------------------------------------------- context

out_fn!(/// This account's address.
    address -> 20);
out_fn!(/// The caller's address.
    caller -> 20);
out_fn!(/// The transaction's sender.
    origin -> 20);
out_fn!(/// The value sent with this call.
    call_value -> 32);
out_fn!(/// This account's balance.
    self_balance -> 32);
out_fn!(/// The effective gas price.
    gas_price -> 32);
out_fn!(/// The block's coinbase.
    coinbase -> 20);
out_fn!(/// The block's base fee.
    base_fee -> 32);
out_fn!(/// The block's prevRandao.
    prev_randao -> 32);
out_fn!(/// The block's blob base fee.
    blob_base_fee -> 32);

/// Balance of `addr`.
pub fn balance(addr: &Address) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: 20 readable bytes, 32 writable bytes.
    unsafe { raw::balance(addr.0.as_ptr(), out.as_mut_ptr()) };
    out
}

/// Gas left (the host never returns a negative amount; one would read as 0).
pub fn gas_left() -> u64 {
    // SAFETY: no pointers.
    u64::try_from(unsafe { raw::gas_left() }).unwrap_or(0)
}

/// The block number.
pub fn block_number() -> u64 {
    // SAFETY: no pointers. The `i64` is reinterpreted as unsigned.
    unsafe { raw::block_number() as u64 }
}

/// The block timestamp.
pub fn block_timestamp() -> u64 {
    // SAFETY: no pointers. The `i64` is reinterpreted as unsigned.
    unsafe { raw::block_timestamp() as u64 }
}

/// The block gas limit.
pub fn block_gas_limit() -> u64 {
    // SAFETY: no pointers. The `i64` is reinterpreted as unsigned.
    unsafe { raw::block_gas_limit() as u64 }
}

/// The chain id.
pub fn chain_id() -> u64 {
    // SAFETY: no pointers. The `i64` is reinterpreted as unsigned.
    unsafe { raw::chain_id() as u64 }
}

/// Hash of block `number` if it is one of the 256 before this one, else zero.
pub fn block_hash(number: u64) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: 32 writable bytes. The number is reinterpreted as `i64`.
    unsafe { raw::block_hash(number as i64, out.as_mut_ptr()) };
    out
}

/// Blob versioned hash at `index`, zero past the end.
pub fn blob_hash(index: u64) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: 32 writable bytes. The index is reinterpreted as `i64`.
    unsafe { raw::blob_hash(index as i64, out.as_mut_ptr()) };
    out
}

/// Code size of `addr`.
pub fn ext_code_size(addr: &Address) -> usize {
    // SAFETY: 20 readable bytes.
    usize_of(unsafe { raw::ext_code_size(addr.0.as_ptr()) })
}

/// Copies `addr`'s code from `offset` into `dest` (zeros past the end).
pub fn ext_code_copy(addr: &Address, dest: &mut [u8], offset: usize) {
    // SAFETY: 20 readable bytes; `dest` writable for its length.
    unsafe { raw::ext_code_copy(addr.0.as_ptr(), dest.as_mut_ptr(), u32_of(offset), u32_of(dest.len())) }
}

/// Code hash of `addr`.
pub fn ext_code_hash(addr: &Address) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: 20 readable bytes, 32 writable bytes.
    unsafe { raw::ext_code_hash(addr.0.as_ptr(), out.as_mut_ptr()) };
    out
}

/// Size of the running code.
pub fn code_size() -> usize {
    // SAFETY: no pointers.
    usize_of(unsafe { raw::code_size() })
}

/// Copies the running code from `offset` into `dest` (zeros past the end).
pub fn code_copy(dest: &mut [u8], offset: usize) {
    // SAFETY: `dest` is writable for its length.
    unsafe { raw::code_copy(dest.as_mut_ptr(), u32_of(offset), u32_of(dest.len())) }
}

/// Writes to the debug output (not part of consensus).
pub fn debug_log(msg: &[u8]) {
    // SAFETY: `msg` is readable for its length.
    unsafe { raw::debug_log(msg.as_ptr(), u32_of(msg.len())) }
}

/// Charges `amount` gas, failing the call as out of gas if it is not there.
pub fn charge_gas(amount: u64) {
    // SAFETY: no pointers.
    unsafe { raw::charge_gas(gas_of(amount)) }
}

/// Ends the call as out of gas.
pub fn out_of_gas() -> ! {
    // SAFETY: no pointers.
    unsafe { raw::out_of_gas() }
}

// ---------------------------------------------------------------- precompiles

/// keccak-256 of `data`.
pub fn keccak256(data: &[u8]) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: `data` readable for its length, 32 writable bytes.
    unsafe { raw::keccak256(data.as_ptr(), u32_of(data.len()), out.as_mut_ptr()) };
    out
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: `data` readable for its length, 32 writable bytes.
    unsafe { raw::sha256(data.as_ptr(), u32_of(data.len()), out.as_mut_ptr()) };
    out
}

/// RIPEMD-160 of `data`, left-padded to 32 bytes.
pub fn ripemd160(data: &[u8]) -> Word {
    let mut out = [0u8; 32];
    // SAFETY: `data` readable for its length, 32 writable bytes.
    unsafe { raw::ripemd160(data.as_ptr(), u32_of(data.len()), out.as_mut_ptr()) };
    out
}

/// ecrecover of 128 bytes (hash, v, r, s); raw status and the padded address.
pub fn ecrecover(input: &[u8; 128]) -> (i32, Word) {
    let mut out = [0u8; 32];
    // SAFETY: 128 readable bytes, 32 writable bytes.
    let status = unsafe { raw::ecrecover(input.as_ptr(), out.as_mut_ptr()) };
    (status, out)
}

/// modexp with the precompile 0x05 input layout; writes `out` (the modulus length).
pub fn modexp(input: &[u8], out: &mut [u8]) -> i32 {
    // SAFETY: `input` readable and `out` writable for their lengths.
    unsafe { raw::modexp(input.as_ptr(), u32_of(input.len()), out.as_mut_ptr(), u32_of(out.len())) }
}

/// bn254 point addition.
pub fn bn254_add(input: &[u8; 128]) -> (i32, [u8; 64]) {
    let mut out = [0u8; 64];
    // SAFETY: 128 readable bytes, 64 writable bytes.
    let status = unsafe { raw::bn254_add(input.as_ptr(), out.as_mut_ptr()) };
    (status, out)
}

/// bn254 scalar multiplication.
pub fn bn254_mul(input: &[u8; 96]) -> (i32, [u8; 64]) {
    let mut out = [0u8; 64];
    // SAFETY: 96 readable bytes, 64 writable bytes.
    let status = unsafe { raw::bn254_mul(input.as_ptr(), out.as_mut_ptr()) };
    (status, out)
}

/// bn254 pairing check over `input.len() / 192` pairs.
pub fn bn254_pairing(input: &[u8]) -> (i32, Word) {
    let mut out = [0u8; 32];
    // SAFETY: `input` readable for its length, 32 writable bytes.
    let status = unsafe { raw::bn254_pairing(input.as_ptr(), u32_of(input.len()), out.as_mut_ptr()) };
    (status, out)
}

/// BLAKE2 F compression.
pub fn blake2f(input: &[u8; 213]) -> (i32, [u8; 64]) {
    let mut out = [0u8; 64];
    // SAFETY: 213 readable bytes, 64 writable bytes.
    let status = unsafe { raw::blake2f(input.as_ptr(), out.as_mut_ptr()) };
    (status, out)
}
