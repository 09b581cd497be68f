//! What contracts write with `debug_log`: kept per transaction up to
//! [`host_abi::limits::MAX_DEBUG_OUTPUT`] bytes, never part of consensus.
//!
//! Each message counts its length plus one (its separator) against the cap, so a flood of
//! empty messages is bounded too. A message that crosses the cap is cut there; the bytes that
//! did not fit are counted in [`DebugOutput::dropped`]. The gas of `debug_log` is charged
//! before anything is kept, and only what fits is ever copied out of the contract's memory.

use alloc::vec::Vec;

use host_abi::limits::MAX_DEBUG_OUTPUT;

/// The debug output of one transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugOutput {
    /// The kept messages, back to back.
    bytes: Vec<u8>,
    /// Where each kept message ends in `bytes`.
    ends: Vec<u32>,
    /// Bytes of messages that did not fit under the cap.
    dropped: u64,
    /// Messages not kept at all.
    dropped_messages: u64,
}

impl DebugOutput {
    /// The bytes a message of `len` bytes counts against the cap.
    fn charge_of(len: usize) -> usize {
        len.saturating_add(1)
    }

    /// How many bytes the kept messages count against the cap.
    pub fn used(&self) -> usize {
        self.bytes.len() + self.ends.len()
    }

    /// How many bytes of a message of `len` bytes still fit (`None`: not even an empty one).
    pub fn room_for(&self, len: usize) -> Option<usize> {
        let left = MAX_DEBUG_OUTPUT.checked_sub(self.used())?;
        // The separator needs one byte of the room.
        let room = left.checked_sub(1)?;
        Some(len.min(room))
    }

    /// Keeps `msg` (at most what fits under the cap) as one message; `total` is the
    /// message's full length, of which `msg` is the start.
    pub fn push(&mut self, msg: &[u8], total: usize) {
        let kept = match self.room_for(msg.len()) {
            Some(n) => n,
            None => {
                self.dropped = self.dropped.saturating_add(total as u64);
                self.dropped_messages = self.dropped_messages.saturating_add(1);
                return;
            }
        };
        debug_assert!(Self::charge_of(kept) + self.used() <= MAX_DEBUG_OUTPUT);
        self.bytes.extend_from_slice(&msg[..kept]);
        self.ends.push(u32::try_from(self.bytes.len()).unwrap_or(u32::MAX));
        self.dropped = self.dropped.saturating_add(total.saturating_sub(kept) as u64);
    }

    /// The kept messages, in order (a message cut at the cap is its kept start).
    pub fn messages(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&end| {
            let end = end as usize;
            let m = &self.bytes[start..end];
            start = end;
            m
        })
    }

    /// How many messages were kept (in whole or in part).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether nothing was written (neither kept nor dropped).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty() && self.dropped_messages == 0
    }

    /// Bytes written past the cap and not kept.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Messages written once the cap was reached, not kept at all.
    pub fn dropped_messages(&self) -> u64 {
        self.dropped_messages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_messages_up_to_the_cap_and_counts_the_rest() {
        let mut d = DebugOutput::default();
        assert!(d.is_empty());
        d.push(b"hello", 5);
        d.push(b"", 0);
        assert_eq!(d.messages().collect::<Vec<_>>(), [&b"hello"[..], &b""[..]]);
        assert_eq!(d.used(), 7);
        let big = alloc::vec![b'x'; MAX_DEBUG_OUTPUT];
        d.push(&big, big.len());
        // The big message is cut so that everything counted fits exactly.
        assert_eq!(d.used(), MAX_DEBUG_OUTPUT);
        assert_eq!(d.len(), 3);
        assert_eq!(d.dropped(), 8);
        d.push(b"more", 4);
        d.push(b"", 0);
        assert_eq!(d.len(), 3);
        assert_eq!(d.dropped(), 12);
        assert_eq!(d.dropped_messages(), 2);
        assert!(!d.is_empty());
    }

    #[test]
    fn empty_messages_are_bounded_too() {
        let mut d = DebugOutput::default();
        for _ in 0..MAX_DEBUG_OUTPUT + 10 {
            d.push(b"", 0);
        }
        assert_eq!(d.len(), MAX_DEBUG_OUTPUT);
        assert_eq!(d.used(), MAX_DEBUG_OUTPUT);
        assert_eq!((d.dropped(), d.dropped_messages()), (0, 10));
    }
}
