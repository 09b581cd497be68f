//! The envelope: how WASM and RV64IM contracts are deployed (DESIGN.md §5).
//!
//! ```text
//! offset  size  field
//! 0       2     magic 0xEF 0x5A (EIP-3541 keeps EVM code from ever starting with 0xEF)
//! 2       1     kind: 0x01 WASM, 0x02 RV64IM ELF
//! 3       1     version: 0x00
//! 4       4     constants length C, big-endian
//! 8       C     constants area (immutables, read through `constants_copy`)
//! 8+C     4     code length N, big-endian
//! 12+C    N     code (a WASM module or an RV64IM ELF)
//! 12+C+N  ...   constructor arguments (deploy data only; they are the `deploy` call's calldata)
//! ```
//!
//! An account deployed from an envelope stores its *code* as the 4-byte header followed by
//! the code section (see [`Envelope::stored_code_len`]) and its constants beside it. The code
//! hash is the keccak-256 of the stored code: it covers kind, version and code, never the
//! constants, so contracts with the same logic share a code hash and a compiled artifact.

/// The two magic bytes that start every envelope.
pub const MAGIC: [u8; 2] = [0xEF, 0x5A];
/// The only envelope version defined so far.
pub const VERSION: u8 = 0;
/// Size of the fixed header (magic, kind, version).
pub const HEADER_LEN: usize = 4;

/// What the code section holds.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A WebAssembly module.
    Wasm = 1,
    /// A native RV64IM ELF executable.
    Rv64im = 2,
}

impl Kind {
    /// The kind for its byte.
    pub const fn from_u8(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Wasm),
            2 => Some(Self::Rv64im),
            _ => None,
        }
    }
}

impl core::fmt::Display for Kind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Wasm => "WASM",
            Self::Rv64im => "RV64IM",
        })
    }
}

/// Why bytes are not a valid envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    /// The bytes do not start with `0xEF 0x5A`.
    BadMagic,
    /// Unknown kind byte.
    UnknownKind(u8),
    /// Unknown version byte.
    UnknownVersion(u8),
    /// The bytes end before the field at this offset is complete.
    Truncated { offset: usize },
    /// The constants area is larger than [`crate::limits::MAX_CONSTANTS_SIZE`].
    ConstantsTooLarge { size: usize, limit: usize },
}

impl core::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadMagic => write!(f, "envelope: bad magic (expected 0xEF 0x5A)"),
            Self::UnknownKind(k) => write!(f, "envelope: unknown kind byte 0x{k:02x}"),
            Self::UnknownVersion(v) => write!(f, "envelope: unknown version {v}"),
            Self::Truncated { offset } => write!(f, "envelope: truncated at byte offset {offset}"),
            Self::ConstantsTooLarge { size, limit } => {
                write!(f, "envelope: constants area of {size} bytes exceeds the limit of {limit}")
            }
        }
    }
}

/// A parsed envelope, borrowing from the deploy data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// What the code is.
    pub kind: Kind,
    /// The envelope version.
    pub version: u8,
    /// The constants area.
    pub constants: &'a [u8],
    /// The code section.
    pub code: &'a [u8],
}

/// Whether `bytes` start like an envelope (as opposed to EVM code).
pub fn is_envelope(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[..2] == MAGIC
}

fn read_u32_be(bytes: &[u8], offset: usize) -> Result<usize, EnvelopeError> {
    let end = offset.checked_add(4).ok_or(EnvelopeError::Truncated { offset })?;
    let b = bytes.get(offset..end).ok_or(EnvelopeError::Truncated { offset })?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn slice_at(bytes: &[u8], offset: usize, len: usize) -> Result<&[u8], EnvelopeError> {
    let end = offset.checked_add(len).ok_or(EnvelopeError::Truncated { offset })?;
    bytes.get(offset..end).ok_or(EnvelopeError::Truncated { offset })
}

impl<'a> Envelope<'a> {
    /// Parses deploy data: the envelope and the constructor arguments that follow it.
    pub fn parse(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), EnvelopeError> {
        if !is_envelope(bytes) {
            return Err(EnvelopeError::BadMagic);
        }
        let kind_byte = *bytes.get(2).ok_or(EnvelopeError::Truncated { offset: 2 })?;
        let kind = Kind::from_u8(kind_byte).ok_or(EnvelopeError::UnknownKind(kind_byte))?;
        let version = *bytes.get(3).ok_or(EnvelopeError::Truncated { offset: 3 })?;
        if version != VERSION {
            return Err(EnvelopeError::UnknownVersion(version));
        }
        let clen = read_u32_be(bytes, HEADER_LEN)?;
        if clen > crate::limits::MAX_CONSTANTS_SIZE {
            return Err(EnvelopeError::ConstantsTooLarge { size: clen, limit: crate::limits::MAX_CONSTANTS_SIZE });
        }
        let constants = slice_at(bytes, HEADER_LEN + 4, clen)?;
        let code_len_at = HEADER_LEN + 4 + clen;
        let code_len = read_u32_be(bytes, code_len_at)?;
        let code = slice_at(bytes, code_len_at + 4, code_len)?;
        let rest = &bytes[code_len_at + 4 + code_len..];
        Ok((Envelope { kind, version, constants, code }, rest))
    }

    /// The 4-byte header: magic, kind, version.
    pub fn header(&self) -> [u8; HEADER_LEN] {
        [MAGIC[0], MAGIC[1], self.kind as u8, self.version]
    }

    /// Length of the encoded envelope (without constructor arguments).
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + 4 + self.constants.len() + 4 + self.code.len()
    }

    /// Length of the code an account stores: header and code section.
    pub fn stored_code_len(&self) -> usize {
        HEADER_LEN + self.code.len()
    }

    /// Writes the encoded envelope into `out`, which must be [`Self::encoded_len`] long.
    /// Returns `None` if `out` has the wrong length or a section is over 4 GiB.
    pub fn encode_into(&self, out: &mut [u8]) -> Option<()> {
        if out.len() != self.encoded_len() {
            return None;
        }
        let clen = u32::try_from(self.constants.len()).ok()?;
        let len = u32::try_from(self.code.len()).ok()?;
        out[..HEADER_LEN].copy_from_slice(&self.header());
        let mut at = HEADER_LEN;
        out[at..at + 4].copy_from_slice(&clen.to_be_bytes());
        at += 4;
        out[at..at + self.constants.len()].copy_from_slice(self.constants);
        at += self.constants.len();
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        at += 4;
        out[at..].copy_from_slice(self.code);
        Some(())
    }
}

/// Splits stored account code (header and code section) into kind and code, if it is the
/// stored form of an envelope.
pub fn parse_stored_code(stored: &[u8]) -> Option<(Kind, &[u8])> {
    if stored.len() < HEADER_LEN || !is_envelope(stored) || stored[3] != VERSION {
        return None;
    }
    Some((Kind::from_u8(stored[2])?, &stored[HEADER_LEN..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_constructor_args() {
        let env = Envelope { kind: Kind::Wasm, version: 0, constants: &[1, 2, 3], code: b"\0asm" };
        let mut buf = [0u8; 64];
        let n = env.encoded_len();
        env.encode_into(&mut buf[..n]).unwrap();
        buf[n] = 0xAA;
        let (parsed, rest) = Envelope::parse(&buf[..n + 1]).unwrap();
        assert_eq!(parsed, env);
        assert_eq!(rest, &[0xAA]);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(Envelope::parse(&[0x60, 0x00]), Err(EnvelopeError::BadMagic));
        assert_eq!(Envelope::parse(&[0xEF, 0x5A, 9, 0]), Err(EnvelopeError::UnknownKind(9)));
        assert_eq!(Envelope::parse(&[0xEF, 0x5A, 1, 7]), Err(EnvelopeError::UnknownVersion(7)));
        assert_eq!(Envelope::parse(&[0xEF, 0x5A, 1, 0, 0, 0, 0, 5, 1]), Err(EnvelopeError::Truncated { offset: 8 }));
        assert_eq!(
            Envelope::parse(&[0xEF, 0x5A, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(EnvelopeError::ConstantsTooLarge { size: 0xFFFF_FFFF, limit: 16 * 1024 })
        );
    }

    #[test]
    fn stored_code() {
        assert_eq!(parse_stored_code(&[0xEF, 0x5A, 1, 0, 0, 0x61]), Some((Kind::Wasm, &[0, 0x61][..])));
        assert_eq!(parse_stored_code(&[0x60, 0x5A, 1, 0]), None);
    }
}
