//! Merkle-Patricia trie nodes and their RLP encoding (Ethereum's Yellow Paper, appendix D).
//!
//! A node is referenced from its parent by `keccak256(rlp(node))`, or inline (its RLP
//! itself) when that RLP is shorter than 32 bytes. Paths are nibbles (`0..16`), hex-prefix
//! encoded in leaves and extensions. Every trie here has 32-byte keys (64 nibbles), so a
//! branch never holds a value and a leaf always ends exactly at depth 64: decoding checks
//! both, and every key length, so that no later step can index past a key.

use alloc::boxed::Box;
use alloc::vec::Vec;

use alloy_rlp::{Encodable, Header};

use crate::primitives::{keccak256, B256};

/// Nibbles of a full key.
pub(crate) const KEY_NIBBLES: usize = 64;

/// How a node's parent refers to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NodeRef {
    /// `keccak256(rlp(node))`, for RLP of 32 bytes or more.
    Hash(B256),
    /// The node's RLP itself, shorter than 32 bytes.
    Inline(Vec<u8>),
}

/// A node of a partial trie. `Hash` is a node known only by its hash (not yet read from the
/// witness, or never needed); the others carry the reference they were read under (or last
/// computed) in `memo`, cleared when they change.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// No node (the empty trie, an empty branch slot).
    Empty,
    /// A node known by its hash only.
    Hash(B256),
    /// A leaf: the rest of the key, and the value.
    Leaf { key: Vec<u8>, value: Vec<u8>, memo: Option<NodeRef> },
    /// An extension: a shared run of nibbles, then a branch.
    Extension { key: Vec<u8>, child: Box<Node>, memo: Option<NodeRef> },
    /// A branch: one child per nibble.
    Branch { children: Box<[Node; 16]>, memo: Option<NodeRef> },
}

impl Node {
    /// A new leaf.
    pub(crate) fn leaf(key: &[u8], value: Vec<u8>) -> Self {
        Self::Leaf { key: key.to_vec(), value, memo: None }
    }

    /// A new extension over `child`.
    pub(crate) fn extension(key: Vec<u8>, child: Node) -> Self {
        Self::Extension { key, child: Box::new(child), memo: None }
    }

    /// A branch with no children.
    pub(crate) fn empty_branch() -> Box<[Node; 16]> {
        Box::new(core::array::from_fn(|_| Node::Empty))
    }

    /// Sets the reference this node is known under (after reading it from the witness).
    pub(crate) fn set_memo(&mut self, reference: NodeRef) {
        match self {
            Self::Leaf { memo, .. } | Self::Extension { memo, .. } | Self::Branch { memo, .. } => {
                *memo = Some(reference)
            }
            Self::Empty | Self::Hash(_) => {}
        }
    }

    /// Forgets the memoized reference (the node changed).
    pub(crate) fn touch(&mut self) {
        match self {
            Self::Leaf { memo, .. } | Self::Extension { memo, .. } | Self::Branch { memo, .. } => *memo = None,
            Self::Empty | Self::Hash(_) => {}
        }
    }

    /// How a parent refers to this node (computed once, then memoized until it changes).
    pub(crate) fn reference(&mut self) -> NodeRef {
        match self {
            Self::Empty => NodeRef::Inline(alloc::vec![alloy_rlp::EMPTY_STRING_CODE]),
            Self::Hash(hash) => NodeRef::Hash(*hash),
            Self::Leaf { memo: Some(r), .. }
            | Self::Extension { memo: Some(r), .. }
            | Self::Branch { memo: Some(r), .. } => r.clone(),
            _ => {
                let rlp = self.encode();
                let reference = if rlp.len() < 32 { NodeRef::Inline(rlp) } else { NodeRef::Hash(keccak256(&rlp)) };
                self.set_memo(reference.clone());
                reference
            }
        }
    }

    /// The RLP of this node (its children's references computed as needed). `Empty` and
    /// `Hash` have none of their own: they encode as their reference.
    pub(crate) fn encode(&mut self) -> Vec<u8> {
        let mut payload = Vec::new();
        match self {
            Self::Empty => return alloc::vec![alloy_rlp::EMPTY_STRING_CODE],
            Self::Hash(hash) => {
                hash.as_slice().encode(&mut payload);
                return payload;
            }
            Self::Leaf { key, value, .. } => {
                hex_prefix(key, true).as_slice().encode(&mut payload);
                value.as_slice().encode(&mut payload);
            }
            Self::Extension { key, child, .. } => {
                hex_prefix(key, false).as_slice().encode(&mut payload);
                put_reference(&child.reference(), &mut payload);
            }
            Self::Branch { children, .. } => {
                for child in children.iter_mut() {
                    put_reference(&child.reference(), &mut payload);
                }
                payload.push(alloy_rlp::EMPTY_STRING_CODE);
            }
        }
        let mut out = Vec::with_capacity(payload.len() + 9);
        Header { list: true, payload_length: payload.len() }.encode(&mut out);
        out.extend_from_slice(&payload);
        out
    }
}

/// Appends a child reference as an item of its parent's RLP list.
fn put_reference(reference: &NodeRef, out: &mut Vec<u8>) {
    match reference {
        NodeRef::Hash(hash) => hash.as_slice().encode(out),
        NodeRef::Inline(rlp) => out.extend_from_slice(rlp),
    }
}

/// Hex-prefix encoding of a path (flag nibble: 2 for a leaf, +1 for an odd length).
fn hex_prefix(nibbles: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 0x20 } else { 0 };
    let mut out = Vec::with_capacity(nibbles.len() / 2 + 1);
    let rest = if nibbles.len() % 2 == 1 {
        out.push(flag | 0x10 | (nibbles[0] & 0xf));
        &nibbles[1..]
    } else {
        out.push(flag);
        nibbles
    };
    for pair in rest.chunks_exact(2) {
        out.push((pair[0] << 4) | (pair[1] & 0xf));
    }
    out
}

/// Decodes a hex-prefix path: the nibbles and whether it is a leaf's.
fn decode_hex_prefix(bytes: &[u8]) -> Result<(Vec<u8>, bool), &'static str> {
    let (&first, rest) = bytes.split_first().ok_or("an empty hex-prefix path")?;
    let flag = first >> 4;
    if flag > 3 {
        return Err("a hex-prefix flag above 3");
    }
    let mut nibbles = Vec::with_capacity(rest.len() * 2 + 1);
    if flag & 1 == 1 {
        nibbles.push(first & 0xf);
    } else if first & 0xf != 0 {
        return Err("a non-zero padding nibble in an even hex-prefix path");
    }
    for byte in rest {
        nibbles.push(byte >> 4);
        nibbles.push(byte & 0xf);
    }
    Ok((nibbles, flag & 2 == 2))
}

/// One RLP item: whether it is a list, its payload and its whole encoding.
struct Item<'a> {
    list: bool,
    payload: &'a [u8],
    raw: &'a [u8],
}

fn next_item<'a>(buf: &mut &'a [u8]) -> Result<Item<'a>, &'static str> {
    let start = *buf;
    let header = Header::decode(buf).map_err(|_| "malformed RLP")?;
    let payload = buf.get(..header.payload_length).ok_or("truncated RLP")?;
    *buf = &buf[header.payload_length..];
    let raw = &start[..start.len() - buf.len()];
    Ok(Item { list: header.list, payload, raw })
}

/// Decodes the RLP of a node whose path from the root has `remaining` nibbles of key left
/// below it. Inline children are decoded too.
pub(crate) fn decode(bytes: &[u8], remaining: usize) -> Result<Node, &'static str> {
    let mut buf = bytes;
    let outer = next_item(&mut buf)?;
    if !buf.is_empty() {
        return Err("bytes after the node");
    }
    if !outer.list {
        return Err("a node that is not an RLP list");
    }
    let mut items = Vec::with_capacity(17);
    let mut payload = outer.payload;
    while !payload.is_empty() {
        if items.len() == 17 {
            return Err("a list of more than 17 items");
        }
        items.push(next_item(&mut payload)?);
    }
    match items.len() {
        2 => {
            if items[0].list {
                return Err("a path that is not an RLP string");
            }
            let (key, leaf) = decode_hex_prefix(items[0].payload)?;
            if leaf {
                if key.len() != remaining {
                    return Err("a leaf whose key does not end at the key length");
                }
                if items[1].list {
                    return Err("a leaf value that is not an RLP string");
                }
                Ok(Node::Leaf { key, value: items[1].payload.to_vec(), memo: None })
            } else {
                if key.is_empty() || key.len() >= remaining {
                    return Err("an extension path that is empty or reaches the key length");
                }
                let child = decode_child(&items[1], remaining - key.len())?;
                if matches!(child, Node::Empty | Node::Leaf { .. } | Node::Extension { .. }) {
                    return Err("an extension that does not lead to a branch");
                }
                Ok(Node::Extension { key, child: Box::new(child), memo: None })
            }
        }
        17 => {
            if remaining == 0 {
                return Err("a branch below the key length");
            }
            if items[16].list || !items[16].payload.is_empty() {
                return Err("a branch with a value (keys are 32 bytes)");
            }
            let mut children = Node::empty_branch();
            for (slot, item) in children.iter_mut().zip(&items[..16]) {
                *slot = decode_child(item, remaining - 1)?;
            }
            Ok(Node::Branch { children, memo: None })
        }
        _ => Err("a list of neither 2 nor 17 items"),
    }
}

/// Decodes a child reference: empty, a 32-byte hash, or an inline node.
fn decode_child(item: &Item<'_>, remaining: usize) -> Result<Node, &'static str> {
    if item.list {
        if item.raw.len() >= 32 {
            return Err("an inline node of 32 bytes or more");
        }
        let mut node = decode(item.raw, remaining)?;
        node.set_memo(NodeRef::Inline(item.raw.to_vec()));
        return Ok(node);
    }
    match item.payload.len() {
        0 => Ok(Node::Empty),
        32 => Ok(Node::Hash(B256::from_slice(item.payload))),
        _ => Err("a child reference that is neither empty, a hash nor an inline node"),
    }
}
