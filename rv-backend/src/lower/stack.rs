//! The operand stack of one function being lowered, indexed so that lowering stays linear.
//!
//! Lowering often asks for the deferred entries below some position: every entry at a
//! block's entry, every read of local `l` before `l` is written, every read of the gas
//! register before a call. A scan of the whole stack for each of those questions would
//! make compile time the product of the stack depth and the number of operators (40,000
//! values held across 40,000 blocks: billions of steps). So the stack keeps
//! - `homed`: every entry below it is in its home, so a scan for deferred entries starts
//!   there, and a position is scanned again only after it was popped and pushed anew;
//! - the positions of the deferred reads of each local and of the gas register, in
//!   ascending order: the ones below a position are a prefix.
//!
//! Every question then costs time in proportion to the entries it returns, amortized over
//! the pushes.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::ops::Index;

use super::Entry;

/// The operand stack: entries by position, with the indexes above.
pub(crate) struct OperandStack {
    entries: Vec<Entry>,
    /// Every entry below this position is [`Entry::Home`].
    homed: usize,
    /// Ascending positions of the [`Entry::Local`] entries, by local.
    locals: Vec<VecDeque<u32>>,
    /// Ascending positions of the [`Entry::Gas`] entries.
    gas: VecDeque<u32>,
}

fn position(p: usize) -> u32 {
    u32::try_from(p).unwrap_or(u32::MAX)
}

/// Removes `p` from an ascending list that holds it (at the front in every use).
fn remove(list: &mut VecDeque<u32>, p: u32) {
    if list.front() == Some(&p) {
        list.pop_front();
    } else if list.back() == Some(&p) {
        list.pop_back();
    } else if let Some(k) = list.iter().position(|&q| q == p) {
        list.remove(k);
    }
}

impl OperandStack {
    /// An empty stack for a function with `nlocals` locals (parameters included).
    pub fn new(nlocals: usize) -> Self {
        let mut locals = Vec::new();
        locals.resize_with(nlocals, VecDeque::new);
        OperandStack { entries: Vec::new(), homed: 0, locals, gas: VecDeque::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn list(&mut self, e: Entry) -> Option<&mut VecDeque<u32>> {
        match e {
            Entry::Local(l) => self.locals.get_mut(l as usize),
            Entry::Gas => Some(&mut self.gas),
            Entry::Home | Entry::Const(_) => None,
        }
    }

    pub fn push(&mut self, e: Entry) {
        let p = position(self.entries.len());
        if let Some(list) = self.list(e) {
            list.push_back(p);
        }
        self.entries.push(e);
    }

    pub fn pop(&mut self) -> Option<Entry> {
        let e = self.entries.pop()?;
        let p = position(self.entries.len());
        if let Some(list) = self.list(e) {
            // The top position is the last of its list.
            if list.back() == Some(&p) {
                list.pop_back();
            } else {
                remove(list, p);
            }
        }
        self.homed = self.homed.min(self.entries.len());
        Some(e)
    }

    /// Pops entries until `len` are left.
    pub fn truncate(&mut self, len: usize) {
        while self.entries.len() > len {
            self.pop();
        }
    }

    /// Replaces the constant at `i` with another constant (a folded operation).
    pub fn set_const(&mut self, i: usize, value: i64) {
        if let Some(e @ Entry::Const(_)) = self.entries.get_mut(i) {
            *e = Entry::Const(value);
        }
    }

    /// Records that entry `i` is now in its home.
    pub fn set_home(&mut self, i: usize) {
        let Some(&e) = self.entries.get(i) else {
            return;
        };
        if let Some(list) = self.list(e) {
            remove(list, position(i));
        }
        self.entries[i] = Entry::Home;
    }

    /// The lowest position below `top` whose entry is not in its home.
    pub fn deferred_below(&mut self, top: usize) -> Option<usize> {
        let top = top.min(self.entries.len());
        while self.homed < top {
            if self.entries[self.homed] != Entry::Home {
                return Some(self.homed);
            }
            self.homed += 1;
        }
        None
    }

    /// The lowest position below `top` holding a deferred read of local `l`.
    pub fn local_below(&self, l: u32, top: usize) -> Option<usize> {
        let p = *self.locals.get(l as usize)?.front()? as usize;
        (p < top).then_some(p)
    }

    /// The lowest position below `top` holding a deferred read of the gas register.
    pub fn gas_below(&self, top: usize) -> Option<usize> {
        let p = *self.gas.front()? as usize;
        (p < top).then_some(p)
    }
}

impl Index<usize> for OperandStack {
    type Output = Entry;

    fn index(&self, i: usize) -> &Entry {
        &self.entries[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_follow_pushes_pops_and_homes() {
        let mut s = OperandStack::new(3);
        s.push(Entry::Home);
        s.push(Entry::Local(1));
        s.push(Entry::Gas);
        s.push(Entry::Local(1));
        s.push(Entry::Const(5));
        assert_eq!(s.local_below(1, 5), Some(1));
        assert_eq!(s.local_below(1, 1), None);
        assert_eq!(s.local_below(0, 5), None);
        assert_eq!(s.gas_below(5), Some(2));
        assert_eq!(s.deferred_below(5), Some(1));
        s.set_home(1);
        assert_eq!(s.local_below(1, 5), Some(3));
        assert_eq!(s.deferred_below(5), Some(2));
        s.set_home(2);
        assert_eq!(s.gas_below(5), None);
        s.truncate(3);
        assert_eq!(s.local_below(1, 5), None);
        assert_eq!(s.deferred_below(5), None);
        s.push(Entry::Local(2));
        assert_eq!(s.deferred_below(5), Some(3));
        s.set_const(3, 9);
        assert_eq!(s[3], Entry::Local(2));
        assert_eq!(s.pop(), Some(Entry::Local(2)));
        assert_eq!(s.local_below(2, 5), None);
    }
}
