//! Ethereum-compatible commitments: state root, receipts root, logs hash and bloom.
//! (Being written.)

use crate::primitives::{Bloom, Log};

/// The logs bloom of a list of logs.
pub fn logs_bloom(logs: &[Log]) -> Bloom {
    let mut bloom = Bloom::ZERO;
    for log in logs {
        bloom.accrue_log(log);
    }
    bloom
}
