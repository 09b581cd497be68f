//! The kernel input's binary encoding: fixed-width big-endian integers, fixed-size hashes
//! and addresses, and byte strings and lists prefixed with a `u32` length or count. Reading
//! never panics: every length is checked against the bytes left, and a count is refused if
//! the bytes left cannot hold that many items, so nothing is allocated for a forged length.

use alloc::vec::Vec;

use super::StatelessError;
use crate::primitives::{Address, Bytes, B256, U256};

/// Appends encoded values.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }
    pub(crate) fn b256(&mut self, v: &B256) {
        self.out.extend_from_slice(v.as_slice());
    }
    pub(crate) fn u256(&mut self, v: &U256) {
        self.out.extend_from_slice(&v.to_be_bytes::<32>());
    }
    pub(crate) fn address(&mut self, v: &Address) {
        self.out.extend_from_slice(v.as_slice());
    }
    /// A count or length (the encoder's inputs are in memory: they fit in 32 bits).
    pub(crate) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.out.extend_from_slice(v);
    }
    pub(crate) fn option<T>(&mut self, v: Option<&T>, put: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                put(self, v);
            }
        }
    }
    pub(crate) fn list<T>(&mut self, items: &[T], mut put: impl FnMut(&mut Self, &T)) {
        self.len(items.len());
        for item in items {
            put(self, item);
        }
    }
}

/// Reads encoded values, with the offset of each failure.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

type R<T> = Result<T, StatelessError>;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn fail<T>(&self, what: &'static str) -> R<T> {
        Err(StatelessError::Decode { offset: self.pos, what })
    }

    fn take(&mut self, n: usize, what: &'static str) -> R<&'a [u8]> {
        let end = match self.pos.checked_add(n) {
            Some(end) if end <= self.bytes.len() => end,
            _ => return self.fail(what),
        };
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> R<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> R<u8> {
        Ok(self.array::<1>(what)?[0])
    }
    pub(crate) fn u32(&mut self, what: &'static str) -> R<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn u64(&mut self, what: &'static str) -> R<u64> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn b256(&mut self, what: &'static str) -> R<B256> {
        Ok(B256::from(self.array::<32>(what)?))
    }
    pub(crate) fn u256(&mut self, what: &'static str) -> R<U256> {
        Ok(U256::from_be_bytes(self.array::<32>(what)?))
    }
    pub(crate) fn address(&mut self, what: &'static str) -> R<Address> {
        Ok(Address::from(self.array::<20>(what)?))
    }
    pub(crate) fn bool(&mut self, what: &'static str) -> R<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => {
                self.pos -= 1;
                self.fail(what)
            }
        }
    }

    /// An index below `len`, as one byte.
    pub(crate) fn index(&mut self, len: usize, what: &'static str) -> R<usize> {
        let i = usize::from(self.u8(what)?);
        if i >= len {
            self.pos -= 1;
            return self.fail(what);
        }
        Ok(i)
    }

    /// A count of items each at least `min_size` bytes long.
    pub(crate) fn count(&mut self, min_size: usize, what: &'static str) -> R<usize> {
        let n = usize::try_from(self.u32(what)?).unwrap_or(usize::MAX);
        if n.saturating_mul(min_size.max(1)) > self.bytes.len() - self.pos {
            self.pos -= 4;
            return self.fail(what);
        }
        Ok(n)
    }

    pub(crate) fn bytes(&mut self, what: &'static str) -> R<Bytes> {
        let n = usize::try_from(self.u32(what)?).unwrap_or(usize::MAX);
        Ok(Bytes::copy_from_slice(self.take(n, what)?))
    }

    pub(crate) fn option<T>(&mut self, what: &'static str, get: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        match self.bool(what)? {
            false => Ok(None),
            true => get(self).map(Some),
        }
    }

    /// A list of items each at least `min_size` bytes long.
    pub(crate) fn list<T>(
        &mut self,
        min_size: usize,
        what: &'static str,
        mut get: impl FnMut(&mut Self) -> R<T>,
    ) -> R<Vec<T>> {
        let n = self.count(min_size, what)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(get(self)?);
        }
        Ok(out)
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(&self) -> R<()> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            self.fail("the end of the input")
        }
    }
}
