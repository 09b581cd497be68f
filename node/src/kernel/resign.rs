//! Re-signing a block whose transactions name a `sender` without a signature (the
//! `../shared/bench/evm` inputs): the kernel takes signed transactions only, so the sender's
//! account moves to [`KEY_ADDRESS`] and every transaction is signed with [`KEY`].
//!
//! Self-contained (serde_json only): `zkos bench kernel` uses it, and node/tests/kernel.rs
//! includes this file by path (the `zkos` crate has no library target).

use serde_json::Value;

/// The key re-signed blocks sign with (a well-known test key).
pub const KEY: &str = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
/// [`KEY`]'s address.
pub const KEY_ADDRESS: &str = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";

/// Re-signs the block document `doc` (`{name: {env, pre, transaction: [..]}}`) in place:
/// each transaction's `sender` is dropped and [`KEY`] given as its `secretKey`, and the
/// sender's account in `pre` moves to [`KEY_ADDRESS`]. All transactions must name the same
/// sender, which must have an account in `pre`, and [`KEY_ADDRESS`] must not have one.
pub fn resign(doc: &mut Value) -> Result<(), String> {
    let block = match doc.as_object_mut() {
        Some(blocks) if blocks.len() == 1 => blocks.values_mut().next().ok_or("no block")?,
        _ => return Err("expected an object holding one block".into()),
    };
    let txs =
        block.get_mut("transaction").and_then(Value::as_array_mut).ok_or("the block has no `transaction` list")?;
    let mut sender: Option<String> = None;
    for (i, tx) in txs.iter_mut().enumerate() {
        let tx = tx.as_object_mut().ok_or(format!("transaction {i} is not an object"))?;
        let from = match tx.remove("sender") {
            Some(Value::String(s)) => s.to_lowercase(),
            _ => return Err(format!("transaction {i} names no `sender`")),
        };
        match &sender {
            Some(s) if *s != from => return Err(format!("transaction {i} has another sender ({from}, not {s})")),
            _ => sender = Some(from),
        }
        tx.insert("secretKey".into(), KEY.into());
    }
    let Some(sender) = sender else { return Ok(()) };
    let pre = block.get_mut("pre").and_then(Value::as_object_mut).ok_or("the block has no `pre` object")?;
    if pre.keys().any(|k| k.to_lowercase() == KEY_ADDRESS) {
        return Err(format!("the pre-state already has an account at {KEY_ADDRESS}"));
    }
    let key = pre
        .keys()
        .find(|k| k.to_lowercase() == sender)
        .cloned()
        .ok_or(format!("the sender {sender} has no account in `pre`"))?;
    let account = pre.remove(&key).unwrap_or(Value::Null);
    pre.insert(KEY_ADDRESS.into(), account);
    Ok(())
}
