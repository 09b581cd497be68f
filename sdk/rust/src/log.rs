//! Events: logs with up to four 32-byte topics and data.

use crate::host;
use crate::types::Word;

/// Emits a log with `topics` (at most four: more fail the call) and `data`. For a Solidity
/// event, topic 0 is the keccak-256 of its signature ([`crate::keccak256!`]), indexed
/// arguments follow as words, and the data is the ABI encoding of the other arguments.
///
/// Logs are not allowed in a static context: the host fails the call.
pub fn emit_log(topics: &[Word], data: &[u8]) {
    host::emit_log(topics, data)
}
