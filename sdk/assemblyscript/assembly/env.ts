// Raw zkos host bindings: one `@external("zkos", name)` declaration per host function a
// WASM contract may import (host_abi::functions::HostFn, the Linux group excluded).
//
// Pointers are `usize` (i32 offsets into linear memory), lengths `u32`, gas and block
// fields `i64`. Words are 32 bytes big-endian, addresses 20 bytes. `finish`, `revert`,
// `self_destruct` and `out_of_gas` never return. The Rust SDK test
// `every_as_binding_compiles_to_its_host_abi_signature` compiles test/bindings.ts (which
// references all of them) and checks each import's signature against host-abi.

/** keccak-256 of `[ptr, ptr+len)` to the 32 bytes at `out`. (1000) */
@external("zkos", "keccak256")
export declare function keccak256(ptr: usize, len: u32, out: usize): void;

/** SHA-256 of `[ptr, ptr+len)` to the 32 bytes at `out`. (1001) */
@external("zkos", "sha256")
export declare function sha256(ptr: usize, len: u32, out: usize): void;

/** ecrecover of 128 bytes (hash, v, r, s); address left-padded to 32 bytes at `out`. (1002) */
@external("zkos", "ecrecover")
export declare function ecrecover(input: usize, out: usize): i32;

/** RIPEMD-160 of `[ptr, ptr+len)`, left-padded to 32 bytes at `out`. (1003) */
@external("zkos", "ripemd160")
export declare function ripemd160(ptr: usize, len: u32, out: usize): void;

/** Modular exponentiation (precompile 0x05 layout). (1004) */
@external("zkos", "modexp")
export declare function modexp(input: usize, input_len: u32, out: usize, out_len: u32): i32;

/** bn254 addition (128 bytes in, 64 out). (1005) */
@external("zkos", "bn254_add")
export declare function bn254_add(input: usize, out: usize): i32;

/** bn254 scalar multiplication (96 bytes in, 64 out). (1006) */
@external("zkos", "bn254_mul")
export declare function bn254_mul(input: usize, out: usize): i32;

/** bn254 pairing check (`len / 192` pairs, 32-byte 0/1 out). (1007) */
@external("zkos", "bn254_pairing")
export declare function bn254_pairing(input: usize, len: u32, out: usize): i32;

/** BLAKE2 F compression (213 bytes in, 64 out). (1008) */
@external("zkos", "blake2f")
export declare function blake2f(input: usize, out: usize): i32;

/** Circom's Poseidon over BN254 of `len / 32` (1 to 12) big-endian field elements, the
 *  32-byte hash at `out`; 1 for a bad length or a non-canonical element. (1009) */
@external("zkos", "poseidon")
export declare function poseidon(ptr: usize, len: u32, out: usize): i32;

/** BLS12-381 G1 addition (EIP-2537: 256 bytes in, 128 out). (1010) */
@external("zkos", "bls12_g1_add")
export declare function bls12_g1_add(input: usize, out: usize): i32;

/** BLS12-381 G1 multi-scalar multiplication (160 bytes per pair, 128 out). (1011) */
@external("zkos", "bls12_g1_msm")
export declare function bls12_g1_msm(input: usize, len: u32, out: usize): i32;

/** BLS12-381 G2 addition (512 bytes in, 256 out). (1012) */
@external("zkos", "bls12_g2_add")
export declare function bls12_g2_add(input: usize, out: usize): i32;

/** BLS12-381 G2 multi-scalar multiplication (288 bytes per pair, 256 out). (1013) */
@external("zkos", "bls12_g2_msm")
export declare function bls12_g2_msm(input: usize, len: u32, out: usize): i32;

/** BLS12-381 pairing check (384 bytes per pair, 32-byte 0/1 out). (1014) */
@external("zkos", "bls12_pairing")
export declare function bls12_pairing(input: usize, len: u32, out: usize): i32;

/** BLS12-381 map of a field element to G1 (64 bytes in, 128 out). (1015) */
@external("zkos", "bls12_map_fp_to_g1")
export declare function bls12_map_fp_to_g1(input: usize, out: usize): i32;

/** BLS12-381 map of an Fp2 element to G2 (128 bytes in, 256 out). (1016) */
@external("zkos", "bls12_map_fp2_to_g2")
export declare function bls12_map_fp2_to_g2(input: usize, out: usize): i32;

/** secp256r1 signature verification (EIP-7951: 160 bytes in; 32-byte 1 out when valid,
 *  nothing written when not). (1017) */
@external("zkos", "p256_verify")
export declare function p256_verify(input: usize, out: usize): i32;

/** Size of the calldata. (10000) */
@external("zkos", "calldata_size")
export declare function calldata_size(): u32;

/** Copies calldata `[offset, offset+len)` to `dest` (zero past the end). (10001) */
@external("zkos", "calldata_copy")
export declare function calldata_copy(dest: usize, offset: u32, len: u32): void;

/** Ends the call successfully with output `[ptr, ptr+len)`. (10002) */
@external("zkos", "finish")
export declare function finish(ptr: usize, len: u32): void;

/** Ends the call with a revert and revert data `[ptr, ptr+len)`. (10003) */
@external("zkos", "revert")
export declare function revert(ptr: usize, len: u32): void;

/** Size of the last call's return data. (10004) */
@external("zkos", "returndata_size")
export declare function returndata_size(): u32;

/** Copies return data `[offset, offset+len)` to `dest` (past the end traps). (10005) */
@external("zkos", "returndata_copy")
export declare function returndata_copy(dest: usize, offset: u32, len: u32): void;

/** Reads storage slot `key` into `out`. (10010) */
@external("zkos", "storage_load")
export declare function storage_load(key: usize, out: usize): void;

/** Writes `value` to storage slot `key`. (10011) */
@external("zkos", "storage_store")
export declare function storage_store(key: usize, value: usize): void;

/** Reads transient slot `key` into `out`. (10012) */
@external("zkos", "transient_load")
export declare function transient_load(key: usize, out: usize): void;

/** Writes `value` to transient slot `key`. (10013) */
@external("zkos", "transient_store")
export declare function transient_store(key: usize, value: usize): void;

/** Size of the constants area. (10020) */
@external("zkos", "constants_size")
export declare function constants_size(): u32;

/** Copies constants `[offset, offset+len)` to `dest` (zero past the end). (10021) */
@external("zkos", "constants_copy")
export declare function constants_copy(dest: usize, offset: u32, len: u32): void;

/** Emits a log with `topic_count` topics at `topics` and data `[data, data+data_len)`. (10030) */
@external("zkos", "emit_log")
export declare function emit_log(topics: usize, topic_count: u32, data: usize, data_len: u32): void;

/** CALL. (10040) */
@external("zkos", "call")
export declare function call(gas: i64, addr: usize, value: usize, input: usize, input_len: u32): i32;

/** CALLCODE. (10041) */
@external("zkos", "call_code")
export declare function call_code(gas: i64, addr: usize, value: usize, input: usize, input_len: u32): i32;

/** DELEGATECALL. (10042) */
@external("zkos", "delegate_call")
export declare function delegate_call(gas: i64, addr: usize, input: usize, input_len: u32): i32;

/** STATICCALL. (10043) */
@external("zkos", "static_call")
export declare function static_call(gas: i64, addr: usize, input: usize, input_len: u32): i32;

/** CREATE; the new address goes to `out`. (10050) */
@external("zkos", "create")
export declare function create(value: usize, code: usize, code_len: u32, out: usize): i32;

/** CREATE2; the new address goes to `out`. (10051) */
@external("zkos", "create2")
export declare function create2(value: usize, code: usize, code_len: u32, salt: usize, out: usize): i32;

/** SELFDESTRUCT towards `beneficiary`; ends the call. (10052) */
@external("zkos", "self_destruct")
export declare function self_destruct(beneficiary: usize): void;

/** This account's address. (10060) */
@external("zkos", "address")
export declare function address(out: usize): void;

/** The caller. (10061) */
@external("zkos", "caller")
export declare function caller(out: usize): void;

/** The transaction's sender. (10062) */
@external("zkos", "origin")
export declare function origin(out: usize): void;

/** The call's value. (10063) */
@external("zkos", "call_value")
export declare function call_value(out: usize): void;

/** Balance of `addr`. (10064) */
@external("zkos", "balance")
export declare function balance(addr: usize, out: usize): void;

/** This account's balance. (10065) */
@external("zkos", "self_balance")
export declare function self_balance(out: usize): void;

/** Gas left. (10066) */
@external("zkos", "gas_left")
export declare function gas_left(): i64;

/** Effective gas price. (10067) */
@external("zkos", "gas_price")
export declare function gas_price(out: usize): void;

/** Block number. (10070) */
@external("zkos", "block_number")
export declare function block_number(): i64;

/** Block timestamp. (10071) */
@external("zkos", "block_timestamp")
export declare function block_timestamp(): i64;

/** Coinbase. (10072) */
@external("zkos", "coinbase")
export declare function coinbase(out: usize): void;

/** Block gas limit. (10073) */
@external("zkos", "block_gas_limit")
export declare function block_gas_limit(): i64;

/** Base fee. (10074) */
@external("zkos", "base_fee")
export declare function base_fee(out: usize): void;

/** Chain id. (10075) */
@external("zkos", "chain_id")
export declare function chain_id(): i64;

/** prevRandao. (10076) */
@external("zkos", "prev_randao")
export declare function prev_randao(out: usize): void;

/** Hash of block `number` (one of the last 256), else zero. (10077) */
@external("zkos", "block_hash")
export declare function block_hash(number: i64, out: usize): void;

/** Blob versioned hash at `index`. (10078) */
@external("zkos", "blob_hash")
export declare function blob_hash(index: i64, out: usize): void;

/** Blob base fee. (10079) */
@external("zkos", "blob_base_fee")
export declare function blob_base_fee(out: usize): void;

/** Code size of `addr`. (10080) */
@external("zkos", "ext_code_size")
export declare function ext_code_size(addr: usize): u32;

/** Copies `addr`'s code `[offset, offset+len)` to `dest`. (10081) */
@external("zkos", "ext_code_copy")
export declare function ext_code_copy(addr: usize, dest: usize, offset: u32, len: u32): void;

/** Code hash of `addr`. (10082) */
@external("zkos", "ext_code_hash")
export declare function ext_code_hash(addr: usize, out: usize): void;

/** Size of the running code. (10083) */
@external("zkos", "code_size")
export declare function code_size(): u32;

/** Copies the running code `[offset, offset+len)` to `dest`. (10084) */
@external("zkos", "code_copy")
export declare function code_copy(dest: usize, offset: u32, len: u32): void;

/** Debug output (not consensus). (10090) */
@external("zkos", "debug_log")
export declare function debug_log(ptr: usize, len: u32): void;

/** Ends the call as out of gas. (10091) */
@external("zkos", "out_of_gas")
export declare function out_of_gas(): void;

/** Charges `amount` gas. (10092) */
@external("zkos", "charge_gas")
export declare function charge_gas(amount: i64): void;
