//! A block's RLP: `[header, transactions, ommers, withdrawals]`, decoded into its parts with
//! the bytes the hashes and roots commit to.
//!
//! The header is alloy's [`Header`] (its RLP decoder reads the optional fields of each fork:
//! base fee, withdrawals root, blob gas, parent beacon block root, requests hash); the block
//! hash is keccak256 of the header's own bytes. Transactions are kept as their EIP-2718
//! bytes (a legacy one is its RLP list, a typed one the string's payload), decoded by
//! [`wasm_runtime::tx::decode`] when the block is applied.

use alloy_consensus::Header;
use alloy_eips::eip4895::Withdrawal;
use alloy_rlp::Decodable;
use wasm_runtime::primitives::{keccak256, Bytes, B256};

/// A decoded block.
#[derive(Clone, Debug)]
pub struct RawBlock {
    /// The header.
    pub header: Header,
    /// keccak256 of the header's RLP.
    pub hash: B256,
    /// The transactions' EIP-2718 encodings, in order.
    pub transactions: Vec<Bytes>,
    /// The ommers' headers (none after the merge).
    pub ommers: Vec<Header>,
    /// EIP-4895 withdrawals (`None`: the block has no such list).
    pub withdrawals: Option<Vec<Withdrawal>>,
    /// The size of the block's RLP in bytes (EIP-7934).
    pub size: usize,
}

/// One RLP item at the front of `buf`: its header, and the bytes of the whole item.
fn item<'a>(buf: &mut &'a [u8], what: &str) -> Result<(alloy_rlp::Header, &'a [u8], &'a [u8]), String> {
    let start = *buf;
    let header = alloy_rlp::Header::decode(buf).map_err(|e| format!("{what}: {e}"))?;
    if header.payload_length > buf.len() {
        return Err(format!("{what}: {} bytes promised, {} left", header.payload_length, buf.len()));
    }
    let (payload, rest) = buf.split_at(header.payload_length);
    *buf = rest;
    let whole = &start[..start.len() - rest.len()];
    Ok((header, whole, payload))
}

/// A list item's payload.
fn list<'a>(buf: &mut &'a [u8], what: &str) -> Result<&'a [u8], String> {
    let (header, _, payload) = item(buf, what)?;
    if !header.list {
        return Err(format!("{what}: expected a list, found a string"));
    }
    Ok(payload)
}

/// Decodes a block's RLP.
pub fn block(bytes: &[u8]) -> Result<RawBlock, String> {
    let mut outer = bytes;
    let mut fields = list(&mut outer, "the block")?;
    if !outer.is_empty() {
        return Err(format!("{} bytes follow the block", outer.len()));
    }
    let (_, header_bytes, _) = item(&mut fields, "the header")?;
    let mut hb = header_bytes;
    let header = Header::decode(&mut hb).map_err(|e| format!("the header: {e}"))?;
    if header.block_access_list_hash.is_some() || header.slot_number.is_some() {
        return Err("the header has fields no implemented fork defines".into());
    }

    let mut txs = list(&mut fields, "the transactions")?;
    let mut transactions = Vec::new();
    while !txs.is_empty() {
        let what = format!("transaction {}", transactions.len());
        let (h, whole, payload) = item(&mut txs, &what)?;
        // A legacy transaction is its list; a typed one is a string holding `type ‖ payload`.
        let raw = if h.list { whole } else { payload };
        if !h.list && raw.first().is_none_or(|b| *b >= 0x80) {
            return Err(format!("{what}: a typed transaction must start with its type byte"));
        }
        transactions.push(Bytes::copy_from_slice(raw));
    }

    let mut ommer_list = list(&mut fields, "the ommers")?;
    let mut ommers = Vec::new();
    while !ommer_list.is_empty() {
        ommers.push(Header::decode(&mut ommer_list).map_err(|e| format!("ommer {}: {e}", ommers.len()))?);
    }

    let withdrawals = if fields.is_empty() {
        None
    } else {
        let mut ws = list(&mut fields, "the withdrawals")?;
        let mut out = Vec::new();
        while !ws.is_empty() {
            out.push(Withdrawal::decode(&mut ws).map_err(|e| format!("withdrawal {}: {e}", out.len()))?);
        }
        Some(out)
    };
    if !fields.is_empty() {
        return Err("the block has more than four parts".into());
    }
    Ok(RawBlock { hash: keccak256(header_bytes), header, transactions, ommers, withdrawals, size: bytes.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_and_trailing_bytes_are_errors() {
        assert!(block(&[]).unwrap_err().contains("the block"));
        assert!(block(&[0xc1]).unwrap_err().contains("the block"));
        assert!(block(&[0xc0, 0x00]).unwrap_err().contains("follow the block"));
        assert!(block(&[0xc0]).unwrap_err().contains("the header"));
    }
}
