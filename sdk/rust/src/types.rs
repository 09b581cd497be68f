//! Words and addresses: the values that cross the ABI.

/// A 32-byte big-endian word: storage keys and values, hashes, topics.
pub type Word = [u8; 32];

/// The all-zero word.
pub const ZERO_WORD: Word = [0; 32];

/// A 20-byte Ethereum address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The zero address.
    pub const ZERO: Address = Address([0; 20]);

    /// The address as a word, left-padded with zeros (as Solidity stores and encodes it).
    pub const fn to_word(&self) -> Word {
        let mut w = [0u8; 32];
        let mut i = 0;
        while i < 20 {
            w[12 + i] = self.0[i];
            i += 1;
        }
        w
    }

    /// The low 20 bytes of a word, if its top 12 bytes are zero.
    pub fn from_word(w: &Word) -> Option<Address> {
        if w[..12].iter().any(|&b| b != 0) {
            return None;
        }
        Some(Self::from_word_truncating(w))
    }

    /// The low 20 bytes of a word (the top 12 are dropped).
    pub fn from_word_truncating(w: &Word) -> Address {
        let mut a = [0u8; 20];
        a.copy_from_slice(&w[12..]);
        Address(a)
    }

    /// Whether this is the zero address.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 20]
    }
}

impl From<[u8; 20]> for Address {
    fn from(b: [u8; 20]) -> Self {
        Address(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_round_trip() {
        let a = Address([7; 20]);
        let w = a.to_word();
        assert_eq!(&w[..12], &[0; 12]);
        assert_eq!(Address::from_word(&w), Some(a));
        let mut dirty = w;
        dirty[0] = 1;
        assert_eq!(Address::from_word(&dirty), None);
        assert_eq!(Address::from_word_truncating(&dirty), a);
    }
}
