//! A partial Merkle-Patricia trie over witness node preimages.
//!
//! The trie starts as its root hash. Each operation walks the path of its key, reading the
//! nodes it meets from a [`NodeDb`] (the witness: node preimages by `keccak256`), so every
//! node it uses is proven by its parent's hash; a node the walk needs and the witness lacks is
//! a [`TrieFault::Missing`] naming its hash and path. Updates restructure as Ethereum's trie
//! does: a leaf or extension split into a branch on insert; on delete a branch left with one
//! child merges with it (which needs that child's node: the sibling of the deleted key) and
//! an extension absorbs a leaf or extension below it. [`PartialTrie::root`] recomputes only
//! the nodes that changed.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::error::TrieFault;
use super::node::{self, Node, NodeRef, KEY_NIBBLES};
use crate::block::roots::EMPTY_TRIE_ROOT;
use crate::primitives::{keccak256, Bytes, B256};

/// Trie node preimages by hash: a witness's nodes, hashed as they are loaded, so a node is
/// found only under the hash of its own bytes. Optionally records every node read (the host
/// uses that to collect a minimal witness).
#[derive(Clone, Debug, Default)]
pub struct NodeDb {
    nodes: BTreeMap<B256, Bytes>,
    recorded: Option<BTreeSet<B256>>,
}

impl NodeDb {
    /// The nodes of a witness, each kept under its keccak256.
    pub fn new<'a>(nodes: impl IntoIterator<Item = &'a Bytes>) -> Self {
        Self { nodes: nodes.into_iter().map(|n| (keccak256(n), n.clone())).collect(), recorded: None }
    }

    /// Records from now on the hash of every node read.
    pub fn record(&mut self) {
        self.recorded = Some(BTreeSet::new());
    }

    /// The nodes read since [`Self::record`], in hash order.
    pub fn recorded_nodes(&self) -> Vec<Bytes> {
        let Some(recorded) = &self.recorded else { return Vec::new() };
        recorded.iter().filter_map(|h| self.nodes.get(h).cloned()).collect()
    }

    /// How many nodes it holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node it holds, in hash order.
    pub fn into_nodes(self) -> Vec<Bytes> {
        self.nodes.into_values().collect()
    }

    fn get(&mut self, hash: &B256) -> Option<&Bytes> {
        let node = self.nodes.get(hash)?;
        if let Some(recorded) = &mut self.recorded {
            recorded.insert(*hash);
        }
        Some(node)
    }

    fn insert(&mut self, hash: B256, node: Vec<u8>) {
        self.nodes.insert(hash, node.into());
    }
}

/// The 64 nibbles of a 32-byte key.
pub fn nibbles(key: &B256) -> [u8; KEY_NIBBLES] {
    let mut out = [0u8; KEY_NIBBLES];
    for (i, byte) in key.iter().enumerate() {
        out[2 * i] = byte >> 4;
        out[2 * i + 1] = byte & 0xf;
    }
    out
}

/// A Merkle-Patricia trie with 32-byte keys, of which only the nodes used are known.
#[derive(Clone, Debug)]
pub struct PartialTrie {
    root: Node,
}

impl Default for PartialTrie {
    fn default() -> Self {
        Self { root: Node::Empty }
    }
}

impl PartialTrie {
    /// The trie whose root hash is `root` (nothing of it read yet).
    pub fn new(root: B256) -> Self {
        Self { root: if root == EMPTY_TRIE_ROOT { Node::Empty } else { Node::Hash(root) } }
    }

    /// The value under `key` (`None`: proven absent).
    pub fn get(&mut self, db: &mut NodeDb, key: &B256) -> Result<Option<Vec<u8>>, TrieFault> {
        get(&mut self.root, db, &nibbles(key), 0)
    }

    /// Sets the value under `key`.
    pub fn insert(&mut self, db: &mut NodeDb, key: &B256, value: Vec<u8>) -> Result<(), TrieFault> {
        insert(&mut self.root, db, &nibbles(key), 0, value).map(|_| ())
    }

    /// Deletes `key` (nothing happens if it is absent).
    pub fn remove(&mut self, db: &mut NodeDb, key: &B256) -> Result<(), TrieFault> {
        remove(&mut self.root, db, &nibbles(key), 0).map(|_| ())
    }

    /// The root hash (the root is hashed whatever its size).
    pub fn root(&mut self) -> B256 {
        match &mut self.root {
            Node::Empty => EMPTY_TRIE_ROOT,
            Node::Hash(hash) => *hash,
            root => match root.reference() {
                NodeRef::Hash(hash) => hash,
                NodeRef::Inline(rlp) => keccak256(rlp),
            },
        }
    }

    /// Adds every node of the trie that is referenced by hash (and the root) to `db`: the
    /// preimages of a whole trie built in memory. Nodes known only by hash are left out.
    pub fn export(&mut self, db: &mut NodeDb) {
        let root = self.root();
        if !matches!(self.root, Node::Empty | Node::Hash(_)) {
            db.insert(root, self.root.encode());
        }
        export_children(&mut self.root, db);
    }
}

fn export_children(node: &mut Node, db: &mut NodeDb) {
    let visit = |child: &mut Node, db: &mut NodeDb| {
        if matches!(child, Node::Empty | Node::Hash(_)) {
            return;
        }
        if let NodeRef::Hash(hash) = child.reference() {
            db.insert(hash, child.encode());
        }
        export_children(child, db);
    };
    match node {
        Node::Extension { child, .. } => visit(child, db),
        Node::Branch { children, .. } => children.iter_mut().for_each(|c| visit(c, db)),
        Node::Empty | Node::Hash(_) | Node::Leaf { .. } => {}
    }
}

/// Replaces a node known by hash with the witness node of that hash (at `path`).
fn resolve(node: &mut Node, db: &mut NodeDb, path: &[u8]) -> Result<(), TrieFault> {
    let Node::Hash(hash) = *node else { return Ok(()) };
    let Some(bytes) = db.get(&hash) else {
        return Err(TrieFault::Missing { hash, path: path.to_vec() });
    };
    let remaining = KEY_NIBBLES.saturating_sub(path.len());
    let mut decoded =
        node::decode(bytes, remaining).map_err(|reason| TrieFault::Bad { hash, path: path.to_vec(), reason })?;
    decoded.set_memo(NodeRef::Hash(hash));
    *node = decoded;
    Ok(())
}

/// A node was expected to be resolved: only a broken invariant leaves a `Hash` here.
fn unresolved(hash: B256, key: &[u8], depth: usize) -> TrieFault {
    TrieFault::Bad { hash, path: key[..depth].to_vec(), reason: "a node left unresolved" }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn get(node: &mut Node, db: &mut NodeDb, key: &[u8], depth: usize) -> Result<Option<Vec<u8>>, TrieFault> {
    resolve(node, db, &key[..depth])?;
    let rest = &key[depth..];
    match node {
        Node::Empty => Ok(None),
        Node::Hash(hash) => Err(unresolved(*hash, key, depth)),
        Node::Leaf { key: k, value, .. } => Ok((k.as_slice() == rest).then(|| value.clone())),
        Node::Extension { key: k, child, .. } => match rest.starts_with(k) {
            true => get(child, db, key, depth + k.len()),
            false => Ok(None),
        },
        Node::Branch { children, .. } => match rest.first() {
            Some(&i) => get(&mut children[usize::from(i & 0xf)], db, key, depth + 1),
            None => Ok(None),
        },
    }
}

/// Inserts; returns whether the trie changed.
fn insert(node: &mut Node, db: &mut NodeDb, key: &[u8], depth: usize, value: Vec<u8>) -> Result<bool, TrieFault> {
    resolve(node, db, &key[..depth])?;
    let rest = &key[depth..];
    match node {
        Node::Empty => {
            *node = Node::leaf(rest, value);
            Ok(true)
        }
        Node::Hash(hash) => Err(unresolved(*hash, key, depth)),
        Node::Leaf { key: k, value: v, memo } if k.as_slice() == rest => {
            if *v == value {
                return Ok(false);
            }
            *v = value;
            *memo = None;
            Ok(true)
        }
        Node::Leaf { key: k, .. } => {
            let c = common_prefix(k, rest);
            if c >= k.len() || c >= rest.len() {
                return Err(TrieFault::Bad {
                    hash: B256::ZERO,
                    path: key[..depth].to_vec(),
                    reason: "a leaf whose key length differs from the key's",
                });
            }
            let Node::Leaf { key: old_key, value: old_value, .. } = core::mem::replace(node, Node::Empty) else {
                return Ok(false);
            };
            let mut children = Node::empty_branch();
            children[usize::from(old_key[c])] = Node::leaf(&old_key[c + 1..], old_value);
            children[usize::from(rest[c])] = Node::leaf(&rest[c + 1..], value);
            *node = wrap(&rest[..c], Node::Branch { children, memo: None });
            Ok(true)
        }
        Node::Extension { key: k, child, memo } => {
            let c = common_prefix(k, rest);
            if c == k.len() {
                let changed = insert(child, db, key, depth + c, value)?;
                if changed {
                    *memo = None;
                }
                return Ok(changed);
            }
            if c >= rest.len() {
                return Err(TrieFault::Bad {
                    hash: B256::ZERO,
                    path: key[..depth].to_vec(),
                    reason: "an extension as long as the rest of the key",
                });
            }
            let Node::Extension { key: old_key, child: old_child, .. } = core::mem::replace(node, Node::Empty) else {
                return Ok(false);
            };
            let mut children = Node::empty_branch();
            let below = &old_key[c + 1..];
            children[usize::from(old_key[c])] = if below.is_empty() {
                *old_child
            } else {
                Node::Extension { key: below.to_vec(), child: old_child, memo: None }
            };
            children[usize::from(rest[c])] = Node::leaf(&rest[c + 1..], value);
            *node = wrap(&rest[..c], Node::Branch { children, memo: None });
            Ok(true)
        }
        Node::Branch { children, memo } => {
            let Some(&i) = rest.first() else {
                return Err(TrieFault::Bad {
                    hash: B256::ZERO,
                    path: key.to_vec(),
                    reason: "a branch at the key length",
                });
            };
            let changed = insert(&mut children[usize::from(i & 0xf)], db, key, depth + 1, value)?;
            if changed {
                *memo = None;
            }
            Ok(changed)
        }
    }
}

/// `branch`, under an extension of `prefix` if it is not empty.
fn wrap(prefix: &[u8], branch: Node) -> Node {
    if prefix.is_empty() {
        branch
    } else {
        Node::extension(prefix.to_vec(), branch)
    }
}

/// Deletes; returns whether the key was there.
fn remove(node: &mut Node, db: &mut NodeDb, key: &[u8], depth: usize) -> Result<bool, TrieFault> {
    resolve(node, db, &key[..depth])?;
    let rest = &key[depth..];
    match node {
        Node::Empty => Ok(false),
        Node::Hash(hash) => Err(unresolved(*hash, key, depth)),
        Node::Leaf { key: k, .. } => {
            if k.as_slice() != rest {
                return Ok(false);
            }
            *node = Node::Empty;
            Ok(true)
        }
        Node::Extension { key: k, child, .. } => {
            if !rest.starts_with(k) {
                return Ok(false);
            }
            if !remove(child, db, key, depth + k.len())? {
                return Ok(false);
            }
            node.touch();
            absorb(node);
            Ok(true)
        }
        Node::Branch { children, .. } => {
            let Some(&i) = rest.first() else { return Ok(false) };
            if !remove(&mut children[usize::from(i & 0xf)], db, key, depth + 1)? {
                return Ok(false);
            }
            node.touch();
            collapse(node, db, &key[..depth])?;
            Ok(true)
        }
    }
}

/// An extension whose child changed: it absorbs a leaf or extension below it, and vanishes
/// with an empty child.
fn absorb(node: &mut Node) {
    let Node::Extension { key, child, .. } = node else { return };
    match &mut **child {
        Node::Empty => *node = Node::Empty,
        Node::Leaf { key: below, value, .. } => {
            let mut joined = core::mem::take(key);
            joined.extend_from_slice(below);
            *node = Node::Leaf { key: joined, value: core::mem::take(value), memo: None };
        }
        Node::Extension { key: below, child: grandchild, .. } => {
            let mut joined = core::mem::take(key);
            joined.extend_from_slice(below);
            let grandchild = core::mem::replace(&mut **grandchild, Node::Empty);
            *node = Node::extension(joined, grandchild);
        }
        Node::Branch { .. } | Node::Hash(_) => {}
    }
}

/// A branch that lost a child: with one child left it merges with it (reading that child's
/// node from the witness if it is known by hash only), with none it vanishes.
fn collapse(node: &mut Node, db: &mut NodeDb, path: &[u8]) -> Result<(), TrieFault> {
    let Node::Branch { children, .. } = node else { return Ok(()) };
    let mut left = children.iter().enumerate().filter(|(_, c)| !matches!(c, Node::Empty)).map(|(i, _)| i);
    let (Some(index), None) = (left.next(), left.next()) else {
        if children.iter().all(|c| matches!(c, Node::Empty)) {
            *node = Node::Empty;
        }
        return Ok(());
    };
    let nibble = u8::try_from(index).unwrap_or(0);
    let mut child_path = path.to_vec();
    child_path.push(nibble);
    let mut child = core::mem::replace(&mut children[index], Node::Empty);
    resolve(&mut child, db, &child_path)?;
    *node = match child {
        Node::Leaf { key, value, .. } => {
            let mut joined = alloc::vec![nibble];
            joined.extend_from_slice(&key);
            Node::Leaf { key: joined, value, memo: None }
        }
        Node::Extension { key, child, .. } => {
            let mut joined = alloc::vec![nibble];
            joined.extend_from_slice(&key);
            Node::Extension { key: joined, child, memo: None }
        }
        branch => Node::extension(alloc::vec![nibble], branch),
    };
    Ok(())
}
