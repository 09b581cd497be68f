//! EIP-7702 delegation designators: the code `0xef0100 ‖ address` an authorization sets on
//! its authority. A call to the authority runs the code of `address` (one level: a designator
//! found there is not followed); EXTCODESIZE, EXTCODECOPY and EXTCODEHASH see the 23 bytes.

use super::World;
use crate::platform::Platform;
use crate::primitives::{Address, Bytes};

/// The three bytes that start a delegation designator (EIP-3541 keeps deployed code from
/// starting with 0xEF, so no contract's code is mistaken for one).
pub const DELEGATION_MARKER: [u8; 3] = [0xEF, 0x01, 0x00];

/// Length of a designator: the marker and a 20-byte address.
pub const DELEGATION_CODE_LEN: usize = 23;

/// The designator code delegating to `address`.
pub fn delegation_code(address: Address) -> Bytes {
    let mut code = [0u8; DELEGATION_CODE_LEN];
    code[..3].copy_from_slice(&DELEGATION_MARKER);
    code[3..].copy_from_slice(address.as_slice());
    Bytes::copy_from_slice(&code)
}

/// The address `code` delegates to, if it is exactly a designator.
pub fn delegated_address(code: &[u8]) -> Option<Address> {
    match code.split_at_checked(DELEGATION_MARKER.len()) {
        Some((marker, address)) if marker == DELEGATION_MARKER && address.len() == 20 => {
            Some(Address::from_slice(address))
        }
        _ => None,
    }
}

impl<P: Platform> World<P> {
    /// The address the account's code delegates to, if its code is a designator.
    pub fn delegate_of(&mut self, address: Address) -> Option<Address> {
        delegated_address(&self.info(address).code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designators_are_exactly_23_bytes() {
        let target = Address::repeat_byte(0x42);
        let code = delegation_code(target);
        assert_eq!(code.len(), 23);
        assert_eq!(&code[..3], &[0xEF, 0x01, 0x00]);
        assert_eq!(delegated_address(&code), Some(target));
        assert_eq!(delegated_address(&code[..22]), None);
        let mut longer = code.to_vec();
        longer.push(0);
        assert_eq!(delegated_address(&longer), None);
        let mut other = code.to_vec();
        other[2] = 1;
        assert_eq!(delegated_address(&other), None);
        assert_eq!(delegated_address(&[]), None);
    }
}
