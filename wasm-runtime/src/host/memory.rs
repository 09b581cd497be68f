//! Access to a contract's linear memory from host functions, bounds-checked.

use alloc::vec::Vec;

use super::HostExit;
use crate::error::Fault;
use crate::primitives::U256;

/// The linear memory of the calling instance.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

fn out_of_bounds(ptr: u32, len: usize, size: usize) -> HostExit {
    // usize is at most 64 bits on every target zkos builds for.
    HostExit::Fail(Fault::MemoryAccess { offset: ptr, len: len as u64, size: size as u64 }.into())
}

impl<'a> GuestMemory<'a> {
    /// Wraps the bytes of a linear memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        Self { bytes }
    }

    fn range(&self, ptr: u32, len: usize) -> Result<core::ops::Range<usize>, HostExit> {
        let size = self.bytes.len();
        let start = ptr as usize;
        match start.checked_add(len) {
            Some(end) if end <= size => Ok(start..end),
            _ => Err(out_of_bounds(ptr, len, size)),
        }
    }

    /// Copies `len` bytes at `ptr` out of memory.
    pub fn read(&self, ptr: u32, len: u32) -> Result<Vec<u8>, HostExit> {
        Ok(self.slice(ptr, len)?.to_vec())
    }

    /// The `len` bytes at `ptr`, in place (no copy: checking the range is all the work).
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], HostExit> {
        let r = self.range(ptr, len as usize)?;
        Ok(&self.bytes[r])
    }

    /// Writes `src[offset..offset+len]` at `dest`, zeros where `src` ends before: the
    /// destination range is checked first, then each byte is written once.
    pub fn write_padded(&mut self, dest: u32, src: &[u8], offset: u32, len: u32) -> Result<(), HostExit> {
        let r = self.range(dest, len as usize)?;
        let start = (offset as usize).min(src.len());
        let end = (offset as usize).saturating_add(len as usize).min(src.len());
        let (data, zeros) = self.bytes[r].split_at_mut(end - start);
        data.copy_from_slice(&src[start..end]);
        zeros.fill(0);
        Ok(())
    }

    /// Reads `N` bytes at `ptr`.
    pub fn read_array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], HostExit> {
        let r = self.range(ptr, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[r]);
        Ok(out)
    }

    /// Reads a 32-byte big-endian word at `ptr`.
    pub fn read_word(&self, ptr: u32) -> Result<U256, HostExit> {
        Ok(U256::from_be_bytes(self.read_array::<32>(ptr)?))
    }

    /// Writes `data` at `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), HostExit> {
        let r = self.range(ptr, data.len())?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }
}
