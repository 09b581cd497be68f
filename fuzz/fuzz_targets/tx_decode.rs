//! Transaction and block RLP: `wasm_runtime::tx` (EIP-2718 envelopes, sender recovery,
//! the chain id check) and the node's block decoder (`node/src/blocktest/decode.rs`).
//! Never a panic, one-line errors; a decoded transaction encodes back to bytes that decode
//! to the same encoding.
#![no_main]

use wasm_runtime::tx;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode % 2 == 0 {
        match tx::decode_envelope(rest) {
            Err(e) => zkos_fuzz::assert_one_line("transaction error", &e.to_string()),
            Ok(envelope) => {
                let bytes = tx::encode(&envelope);
                let again = tx::decode_envelope(&bytes).expect("a transaction's own encoding decodes");
                assert_eq!(tx::encode(&again), bytes, "the encoding does not round-trip");
                assert_eq!(tx::tx_hash(&again), tx::tx_hash(&envelope));
                for chain_id in [1, u64::MAX] {
                    if let Err(e) = tx::recover(&envelope, chain_id) {
                        zkos_fuzz::assert_one_line("recovery error", &e.to_string());
                    }
                }
            }
        }
    } else {
        match zkos_fuzz::block_decode::block(rest) {
            Err(e) => zkos_fuzz::assert_one_line("block error", &e),
            Ok(block) => {
                assert_eq!(block.size, rest.len(), "the block's size is its RLP's");
                for t in &block.transactions {
                    if let Err(e) = tx::decode(t, 1) {
                        zkos_fuzz::assert_one_line("transaction error", &e.to_string());
                    }
                }
            }
        }
    }
});
