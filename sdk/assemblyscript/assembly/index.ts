// zkos SDK for AssemblyScript: safe wrappers over the raw `zkos` host functions (./env),
// 256-bit words, storage slots and Solidity mappings, events, calls and the Solidity ABI
// basics (selectors, uint256/address/bool words, bytes/string, Error(string)).
//
// A contract is an AssemblyScript entry file that exports `call(): void` (runs on every
// call) and optionally `deploy(): void` (the constructor; its calldata is the constructor
// arguments). Compile it with the flags in examples/as-counter/build.sh: `--runtime stub`
// (a bump allocator: contract calls are short), a memory maximum, no float code, no start
// function (so no top-level statements with side effects: keep globals constant).
//
// Words are `Uint8Array`s of 32 bytes, big-endian; addresses `Uint8Array`s of 20 bytes.

import * as env from "./env";

export { env };

// The contract model (`U256`, `Address`, `Field`, `Mapping`, `msg`, `transferEth` and the
// helpers of the code the contract transform generates).
export * from "./contract";

// ---------------------------------------------------------------- calldata and output

/** The whole calldata. */
export function calldata(): Uint8Array {
  const n = env.calldata_size();
  const buf = new Uint8Array(n);
  env.calldata_copy(buf.dataStart, 0, n);
  return buf;
}

/** Ends the call successfully with `output`. Never returns. */
export function finish(output: Uint8Array): void {
  env.finish(output.dataStart, output.length);
  unreachable();
}

/** Ends the call with a revert and `data` as revert data. Never returns. */
export function revert(data: Uint8Array): void {
  env.revert(data.dataStart, data.length);
  unreachable();
}

/** Reverts with empty revert data. Never returns. */
export function revertEmpty(): void {
  env.revert(0, 0);
  unreachable();
}

/** Reverts with Solidity's `Error(string)` revert data. Never returns. */
export function revertWithMessage(message: string): void {
  revert(withSelector(0x08c379a0, abiEncodeBytesParam(utf8(message))));
}

/** Reverts with Solidity's `Panic(uint256)` revert data (0x11: arithmetic overflow). */
export function revertWithPanic(code: u64): void {
  revert(withSelector(0x4e487b71, wordFromU64(code)));
}

/** The whole return data of the last call or create. */
export function returndata(): Uint8Array {
  const n = env.returndata_size();
  const buf = new Uint8Array(n);
  env.returndata_copy(buf.dataStart, 0, n);
  return buf;
}

/** The whole constants area (the immutables beside the code). */
export function constants(): Uint8Array {
  const n = env.constants_size();
  const buf = new Uint8Array(n);
  env.constants_copy(buf.dataStart, 0, n);
  return buf;
}

// ---------------------------------------------------------------- words

/** A zero word. */
export function newWord(): Uint8Array {
  return new Uint8Array(32);
}

/** `v` as a 32-byte big-endian word. */
export function wordFromU64(v: u64): Uint8Array {
  const w = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    w[31 - i] = <u8>(v >> (<u64>(8 * i)));
  }
  return w;
}

/** Whether a word is zero. */
export function wordIsZero(w: Uint8Array): bool {
  for (let i = 0; i < w.length; i++) {
    if (w[i] != 0) return false;
  }
  return true;
}

/** The low 64 bits of a word, or -1 (all ones) if the high 24 bytes are not zero. */
export function wordToU64(w: Uint8Array): u64 {
  for (let i = 0; i < 24; i++) {
    if (w[i] != 0) return u64.MAX_VALUE;
  }
  let v: u64 = 0;
  for (let i = 24; i < 32; i++) {
    v = (v << 8) | <u64>w[i];
  }
  return v;
}

/** `a + b` as 256-bit unsigned words, or null on overflow. */
export function wordAdd(a: Uint8Array, b: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(32);
  let carry: u32 = 0;
  for (let i = 31; i >= 0; i--) {
    const s = <u32>a[i] + <u32>b[i] + carry;
    out[i] = <u8>s;
    carry = s >> 8;
  }
  return carry != 0 ? null : out;
}

/** `a - b` as 256-bit unsigned words, or null if `b > a`. */
export function wordSub(a: Uint8Array, b: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(32);
  let borrow: i32 = 0;
  for (let i = 31; i >= 0; i--) {
    let d = <i32>a[i] - <i32>b[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = <u8>(d & 0xff);
  }
  return borrow != 0 ? null : out;
}

/** A 20-byte address left-padded to a word. */
export function addressToWord(a: Uint8Array): Uint8Array {
  const w = new Uint8Array(32);
  w.set(a, 12);
  return w;
}

/** 32 bytes of static data (from `memory.data<u8>([...])`) as a word. */
export function wordAt(ptr: usize): Uint8Array {
  const w = new Uint8Array(32);
  memory.copy(w.dataStart, ptr, 32);
  return w;
}

// ---------------------------------------------------------------- hashing

/** keccak-256 of `data`, by the host. */
export function keccak256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  env.keccak256(data.dataStart, data.length, out.dataStart);
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

// ---------------------------------------------------------------- storage

/** Reads the storage word at `key`. */
export function storageLoad(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  env.storage_load(key.dataStart, out.dataStart);
  return out;
}

/** Writes `value` to the storage word at `key`. */
export function storageStore(key: Uint8Array, value: Uint8Array): void {
  env.storage_store(key.dataStart, value.dataStart);
}

/** Reads the transient storage word at `key` (EIP-1153). */
export function transientLoad(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  env.transient_load(key.dataStart, out.dataStart);
  return out;
}

/** Writes the transient storage word at `key`. */
export function transientStore(key: Uint8Array, value: Uint8Array): void {
  env.transient_store(key.dataStart, value.dataStart);
}

/** Slot number `n` (Solidity's state variable `n`). */
export function slot(n: u64): Uint8Array {
  return wordFromU64(n);
}

/** Slot of `key` (a word: a padded value type) in the mapping at `mappingSlot`:
 *  keccak256(key ‖ mappingSlot), Solidity's layout. */
export function mappingSlot(key: Uint8Array, mappingSlot: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(key, 0);
  buf.set(mappingSlot, 32);
  return keccak256(buf);
}

// ---------------------------------------------------------------- events

/** Emits a log with up to four 32-byte topics and `data`. */
export function emitLog(topics: Array<Uint8Array>, data: Uint8Array): void {
  const buf = new Uint8Array(32 * topics.length);
  for (let i = 0; i < topics.length; i++) {
    buf.set(topics[i], 32 * i);
  }
  env.emit_log(buf.dataStart, topics.length, data.dataStart, data.length);
}

// ---------------------------------------------------------------- context

/** This account's address. */
export function address(): Uint8Array {
  const out = new Uint8Array(20);
  env.address(out.dataStart);
  return out;
}

/** The caller's address (msg.sender). */
export function caller(): Uint8Array {
  const out = new Uint8Array(20);
  env.caller(out.dataStart);
  return out;
}

/** The transaction's sender (tx.origin). */
export function origin(): Uint8Array {
  const out = new Uint8Array(20);
  env.origin(out.dataStart);
  return out;
}

/** The value sent with this call, as a word. */
export function callValue(): Uint8Array {
  const out = new Uint8Array(32);
  env.call_value(out.dataStart);
  return out;
}

/** Gas left. */
export function gasLeft(): u64 {
  return <u64>env.gas_left();
}

/** The block number. */
export function blockNumber(): u64 {
  return <u64>env.block_number();
}

/** The block timestamp. */
export function blockTimestamp(): u64 {
  return <u64>env.block_timestamp();
}

/** The chain id. */
export function chainId(): u64 {
  return <u64>env.chain_id();
}

// ---------------------------------------------------------------- calls

/** What a call returned: a CallStatus (0 success, 1 revert, 2 failure, 3 not executed)
 *  and the callee's output or revert data. */
export class CallResult {
  constructor(public status: i32, public returndata: Uint8Array) {}

  get success(): bool {
    return this.status == 0;
  }
}

function gasArg(gas: u64): i64 {
  return gas > <u64>i64.MAX_VALUE ? i64.MAX_VALUE : <i64>gas;
}

/** Calls `addr` with `value` (a word) and `input`, forwarding at most `gas` (the host caps
 *  it at all but 1/64 of the gas left). */
export function callContract(gas: u64, addr: Uint8Array, value: Uint8Array, input: Uint8Array): CallResult {
  const status = env.call(gasArg(gas), addr.dataStart, value.dataStart, input.dataStart, input.length);
  return new CallResult(status, returndata());
}

/** Calls `addr` in a static context (STATICCALL). */
export function staticCall(gas: u64, addr: Uint8Array, input: Uint8Array): CallResult {
  const status = env.static_call(gasArg(gas), addr.dataStart, input.dataStart, input.length);
  return new CallResult(status, returndata());
}

/** Runs `addr`'s code on this account's storage (DELEGATECALL). */
export function delegateCall(gas: u64, addr: Uint8Array, input: Uint8Array): CallResult {
  const status = env.delegate_call(gasArg(gas), addr.dataStart, input.dataStart, input.length);
  return new CallResult(status, returndata());
}

// ---------------------------------------------------------------- ABI

/** Whether calldata holds a selector. */
export function hasSelector(data: Uint8Array): bool {
  return data.length >= 4;
}

/** The big-endian selector of calldata (check `hasSelector` first). */
export function selectorOf(data: Uint8Array): u32 {
  return (<u32>data[0] << 24) | (<u32>data[1] << 16) | (<u32>data[2] << 8) | <u32>data[3];
}

/** The selector of a Solidity signature, computed at run time with the host's keccak. */
export function selector(signature: string): u32 {
  return selectorOf(keccak256(utf8(signature)));
}

/** The ABI word at byte `offset`, or null if the data is too short. */
export function abiWordAt(data: Uint8Array, offset: i32): Uint8Array | null {
  if (offset < 0 || offset > data.length - 32) return null;
  return data.slice(offset, offset + 32);
}

/** `selector ‖ params`. */
export function withSelector(sel: u32, params: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + params.length);
  out[0] = <u8>(sel >> 24);
  out[1] = <u8>(sel >> 16);
  out[2] = <u8>(sel >> 8);
  out[3] = <u8>sel;
  out.set(params, 4);
  return out;
}

/** The ABI encoding of a single `bytes` or `string` parameter: offset, length, padded data. */
export function abiEncodeBytesParam(b: Uint8Array): Uint8Array {
  const padded = (b.length + 31) & ~31;
  const out = new Uint8Array(64 + padded);
  out.set(wordFromU64(32), 0);
  out.set(wordFromU64(<u64>b.length), 32);
  out.set(b, 64);
  return out;
}

/** The ABI encoding of static words (uint256, address, bool, bytes32 parameters). */
export function abiEncodeWords(words: Array<Uint8Array>): Uint8Array {
  const out = new Uint8Array(32 * words.length);
  for (let i = 0; i < words.length; i++) {
    out.set(words[i], 32 * i);
  }
  return out;
}

// ---------------------------------------------------------------- failures

/** AssemblyScript's failure hook (bounds checks, failed assertions, allocation failure):
 *  reverts with empty revert data. compile.sh points the compiler's `abort` here, so
 *  contracts import nothing but `zkos` functions. */
export function zkosAbort(message: usize, fileName: usize, line: u32, column: u32): void {
  revertEmpty();
}
