// References every raw binding, so the compiled module imports them all: the Rust SDK test
// checks each import's signature against host-abi. Never deployed.

import { env } from "../assembly/index";

export function call(): void {
  const p: usize = 0;
  const n: u32 = 0;
  env.keccak256(p, n, p);
  env.sha256(p, n, p);
  env.ecrecover(p, p);
  env.ripemd160(p, n, p);
  env.modexp(p, n, p, n);
  env.bn254_add(p, p);
  env.bn254_mul(p, p);
  env.bn254_pairing(p, n, p);
  env.blake2f(p, p);
  env.poseidon(p, n, p);
  env.calldata_size();
  env.calldata_copy(p, n, n);
  env.returndata_size();
  env.returndata_copy(p, n, n);
  env.storage_load(p, p);
  env.storage_store(p, p);
  env.transient_load(p, p);
  env.transient_store(p, p);
  env.constants_size();
  env.constants_copy(p, n, n);
  env.emit_log(p, n, p, n);
  env.call(0, p, p, p, n);
  env.call_code(0, p, p, p, n);
  env.delegate_call(0, p, p, n);
  env.static_call(0, p, p, n);
  env.create(p, p, n, p);
  env.create2(p, p, n, p, p);
  env.address(p);
  env.caller(p);
  env.origin(p);
  env.call_value(p);
  env.balance(p, p);
  env.self_balance(p);
  env.gas_left();
  env.gas_price(p);
  env.block_number();
  env.block_timestamp();
  env.coinbase(p);
  env.block_gas_limit();
  env.base_fee(p);
  env.chain_id();
  env.prev_randao(p);
  env.block_hash(0, p);
  env.blob_hash(0, p);
  env.blob_base_fee(p);
  env.ext_code_size(p);
  env.ext_code_copy(p, p, n, n);
  env.ext_code_hash(p, p);
  env.code_size();
  env.code_copy(p, n, n);
  env.debug_log(p, n);
  env.charge_gas(0);
  env.self_destruct(p);
  env.out_of_gas();
  env.finish(p, n);
  env.revert(p, n);
}
