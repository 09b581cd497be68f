// The contract model of the AssemblyScript SDK, the counterpart of the Rust SDK's
// `#[contract]`: the value types (`U256`, `Address`), the storage handles (`Field<T>`,
// `Mapping<K, V>`), `msg`, `transferEth`, and the helpers the transform
// (../transform/contract.js) calls from the code it generates (dispatch, ABI words, events,
// errors). ./index re-exports all of it: contracts import what they name from either, and
// are compiled with compile.sh, which runs the transform.
//
// ABI value types supported in parameters, returns, storage, events and errors: `U256`
// (uint256), `Address` (address), `bool`, `u8`/`u16`/`u32`/`u64` (uint8 … uint64).

import {
  callValue,
  caller,
  finish,
  keccak256,
  revert,
  revertEmpty,
  revertWithPanic,
  storageLoad,
  storageStore,
  wordFromU64,
} from "./index";
import * as env from "./env";

// ---------------------------------------------------------------- U256

/** An unsigned 256-bit integer in four 64-bit limbs (`a0` least significant). Arithmetic
 *  is checked like Solidity 0.8: overflow and underflow revert with `Panic(0x11)`. */
export class U256 {
  constructor(public a0: u64 = 0, public a1: u64 = 0, public a2: u64 = 0, public a3: u64 = 0) {}

  static fromU64(v: u64): U256 {
    return new U256(v);
  }

  /** The big-endian word at `buf[at..at + 32]`. */
  static fromWord(buf: Uint8Array, at: i32 = 0): U256 {
    return new U256(limb(buf, at + 24), limb(buf, at + 16), limb(buf, at + 8), limb(buf, at));
  }

  /** Writes the big-endian word to `buf[at..at + 32]`. */
  writeTo(buf: Uint8Array, at: i32): void {
    putLimb(buf, at, this.a3);
    putLimb(buf, at + 8, this.a2);
    putLimb(buf, at + 16, this.a1);
    putLimb(buf, at + 24, this.a0);
  }

  toWord(): Uint8Array {
    const w = new Uint8Array(32);
    this.writeTo(w, 0);
    return w;
  }

  isZero(): bool {
    return (this.a0 | this.a1 | this.a2 | this.a3) == 0;
  }

  /** -1, 0 or 1. */
  static cmp(a: U256, b: U256): i32 {
    if (a.a3 != b.a3) return a.a3 < b.a3 ? -1 : 1;
    if (a.a2 != b.a2) return a.a2 < b.a2 ? -1 : 1;
    if (a.a1 != b.a1) return a.a1 < b.a1 ? -1 : 1;
    if (a.a0 != b.a0) return a.a0 < b.a0 ? -1 : 1;
    return 0;
  }

  @operator("+")
  static add(a: U256, b: U256): U256 {
    const r0 = a.a0 + b.a0;
    let c: u64 = r0 < a.a0 ? 1 : 0;
    const s1 = a.a1 + b.a1;
    const r1 = s1 + c;
    c = (s1 < a.a1 ? 1 : 0) | (r1 < s1 ? 1 : 0);
    const s2 = a.a2 + b.a2;
    const r2 = s2 + c;
    c = (s2 < a.a2 ? 1 : 0) | (r2 < s2 ? 1 : 0);
    const s3 = a.a3 + b.a3;
    const r3 = s3 + c;
    if (s3 < a.a3 || r3 < s3) revertWithPanic(0x11);
    return new U256(r0, r1, r2, r3);
  }

  @operator("-")
  static sub(a: U256, b: U256): U256 {
    if (U256.cmp(a, b) < 0) revertWithPanic(0x11);
    const r0 = a.a0 - b.a0;
    let br: u64 = a.a0 < b.a0 ? 1 : 0;
    const d1 = a.a1 - b.a1;
    const r1 = d1 - br;
    br = (a.a1 < b.a1 ? 1 : 0) | (d1 < br ? 1 : 0);
    const d2 = a.a2 - b.a2;
    const r2 = d2 - br;
    br = (a.a2 < b.a2 ? 1 : 0) | (d2 < br ? 1 : 0);
    return new U256(r0, r1, r2, a.a3 - b.a3 - br);
  }

  @operator("<")
  static lt(a: U256, b: U256): bool {
    return U256.cmp(a, b) < 0;
  }

  @operator(">")
  static gt(a: U256, b: U256): bool {
    return U256.cmp(a, b) > 0;
  }

  @operator("<=")
  static le(a: U256, b: U256): bool {
    return U256.cmp(a, b) <= 0;
  }

  @operator(">=")
  static ge(a: U256, b: U256): bool {
    return U256.cmp(a, b) >= 0;
  }

  @operator("==")
  static eq(a: U256, b: U256): bool {
    return U256.cmp(a, b) == 0;
  }

  @operator("!=")
  static ne(a: U256, b: U256): bool {
    return U256.cmp(a, b) != 0;
  }
}

function limb(buf: Uint8Array, at: i32): u64 {
  let v: u64 = 0;
  for (let i = 0; i < 8; i++) v = (v << 8) | <u64>buf[at + i];
  return v;
}

function putLimb(buf: Uint8Array, at: i32, v: u64): void {
  for (let i = 0; i < 8; i++) buf[at + i] = <u8>(v >> (<u64>(56 - 8 * i)));
}

// ---------------------------------------------------------------- Address

/** A 20-byte account address. */
export class Address {
  constructor(public bytes: Uint8Array) {}

  static zero(): Address {
    return new Address(new Uint8Array(20));
  }

  toWord(): Uint8Array {
    const w = new Uint8Array(32);
    w.set(this.bytes, 12);
    return w;
  }

  @operator("==")
  static eq(a: Address, b: Address): bool {
    for (let i = 0; i < 20; i++) if (a.bytes[i] != b.bytes[i]) return false;
    return true;
  }

  @operator("!=")
  static ne(a: Address, b: Address): bool {
    return !Address.eq(a, b);
  }
}

// ---------------------------------------------------------------- msg and ether

export namespace msg {
  /** The caller (msg.sender). */
  export function sender(): Address {
    return new Address(caller());
  }

  /** The value sent with the call (msg.value). */
  export function value(): U256 {
    return U256.fromWord(callValue());
  }
}

/** Sends `amount` wei to `to` as Solidity's `payable(to).transfer(amount)` does: no
 *  calldata, only the 2300 gas stipend of a call with value, and a refusal reverts with
 *  empty revert data (the Rust SDK's `transfer_eth`, whose `Err` is bubbled by `?`). */
export function transferEth(to: Address, amount: U256): void {
  const value = amount.toWord();
  const status = env.call(0, to.bytes.dataStart, value.dataStart, 0, 0);
  if (status != 0) revertEmpty();
}

// ---------------------------------------------------------------- ABI words

/** Writes `v` as an ABI word to `buf[at..at + 32]`. */
export function encodeWord<T>(v: T, buf: Uint8Array, at: i32): void {
  if (isBoolean<T>()) {
    buf[at + 31] = v ? 1 : 0;
  } else if (isInteger<T>() && !isSigned<T>()) {
    const x = <u64>v;
    for (let i = 0; i < <i32>sizeof<T>(); i++) buf[at + 31 - i] = <u8>(x >> (<u64>(8 * i)));
  } else if (idof<T>() == idof<U256>()) {
    changetype<U256>(v).writeTo(buf, at);
  } else if (idof<T>() == idof<Address>()) {
    buf.set(changetype<Address>(v).bytes, at + 12);
  } else {
    ERROR("zkos: unsupported ABI type (U256, Address, bool, u8, u16, u32, u64)");
  }
}

/** The ABI word at `buf[at..at + 32]` as a `T`; a word out of `T`'s range (an address or
 *  small integer with high bits, a bool above 1) reverts with empty data, as solc does. */
export function decodeWord<T>(buf: Uint8Array, at: i32): T {
  if (isBoolean<T>()) {
    checkHigh(buf, at, 31);
    const b = buf[at + 31];
    if (b > 1) revertEmpty();
    return <T>(b == 1);
  } else if (isInteger<T>() && !isSigned<T>()) {
    const n = <i32>sizeof<T>();
    checkHigh(buf, at, 32 - n);
    let x: u64 = 0;
    for (let i = 32 - n; i < 32; i++) x = (x << 8) | <u64>buf[at + i];
    return <T>x;
  } else if (idof<T>() == idof<U256>()) {
    return changetype<T>(U256.fromWord(buf, at));
  } else if (idof<T>() == idof<Address>()) {
    checkHigh(buf, at, 12);
    return changetype<T>(new Address(buf.slice(at + 12, at + 32)));
  } else {
    ERROR("zkos: unsupported ABI type (U256, Address, bool, u8, u16, u32, u64)");
    return unreachable();
  }
}

function checkHigh(buf: Uint8Array, at: i32, n: i32): void {
  for (let i = 0; i < n; i++) if (buf[at + i] != 0) revertEmpty();
}

/** Bytes a value of type `T` takes in a storage slot (solc's packing). */
export function storageSize<T>(): i32 {
  if (isBoolean<T>()) return 1;
  if (isInteger<T>()) return <i32>sizeof<T>();
  if (idof<T>() == idof<Address>()) return 20;
  return 32;
}

// ---------------------------------------------------------------- storage handles

/** A state variable of a value type at `slot`, `offset` bytes from the slot's low end
 *  (solc packs small types: address, bool, uintN below 256 share a slot). */
export class Field<T> {
  constructor(public slot: u64, public offset: i32) {}

  get(): T {
    const word = storageLoad(wordFromU64(this.slot));
    const n = storageSize<T>();
    if (n == 32) return decodeWord<T>(word, 0);
    const v = new Uint8Array(32);
    const end = 32 - this.offset;
    v.set(word.subarray(end - n, end), 32 - n);
    return decodeWord<T>(v, 0);
  }

  set(value: T): void {
    const key = wordFromU64(this.slot);
    const v = new Uint8Array(32);
    encodeWord<T>(value, v, 0);
    const n = storageSize<T>();
    if (n == 32) {
      storageStore(key, v);
      return;
    }
    const word = storageLoad(key);
    const end = 32 - this.offset;
    word.set(v.subarray(32 - n), end - n);
    storageStore(key, word);
  }
}

/** A mapping at `slot`: the value of `key` lives at keccak256(pad32(key) ‖ pad32(slot)),
 *  Solidity's layout. Keys and values are ABI value types. */
export class Mapping<K, V> {
  constructor(public slot: u64) {}

  /** The storage slot of `key`'s value. */
  slotOf(key: K): Uint8Array {
    const buf = new Uint8Array(64);
    encodeWord<K>(key, buf, 0);
    buf.set(wordFromU64(this.slot), 32);
    return keccak256(buf);
  }

  get(key: K): V {
    return decodeWord<V>(storageLoad(this.slotOf(key)), 0);
  }

  set(key: K, value: V): void {
    const v = new Uint8Array(32);
    encodeWord<V>(value, v, 0);
    storageStore(this.slotOf(key), v);
  }
}

// ---------------------------------------------------------------- dispatch support

/** Reverts with empty data if the call carries value (functions are non-payable unless
 *  marked `@payable`). */
export function rejectValue(): void {
  const v = callValue();
  // A constant trip count, so that zkos gas-report bounds the loop.
  for (let i = 0; i < 32; i++) if (v[i] != 0) revertEmpty();
}

/** Reverts with empty data if `input` is shorter than `n` bytes. */
export function needBytes(input: Uint8Array, n: i32): void {
  if (input.length < n) revertEmpty();
}

/** Ends the call with `v` ABI-encoded as the single return value. */
export function finishWith<T>(v: T): void {
  const out = new Uint8Array(32);
  encodeWord<T>(v, out, 0);
  finish(out);
}

/** Ends the call with empty output. */
export function finishEmpty(): void {
  finish(new Uint8Array(0));
}

/** `selector ‖ words` as revert data (a custom error). Never returns. */
export function revertWith(selector: u32, words: Uint8Array): void {
  const out = new Uint8Array(4 + words.length);
  out[0] = <u8>(selector >> 24);
  out[1] = <u8>(selector >> 16);
  out[2] = <u8>(selector >> 8);
  out[3] = <u8>selector;
  out.set(words, 4);
  revert(out);
}
