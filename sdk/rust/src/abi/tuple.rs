//! Tuples: Solidity tuples and parameter lists.

use alloc::vec::Vec;

use super::error::AbiError;
use super::types::{decode_elem, encode_elem, push_zeros, AbiType, Decode, Encode};

/// A parameter list that encodes: `()` or a tuple of [`Encode`] values.
pub trait EncodeParams {
    /// Appends the encoding of the parameters (Solidity's `abi.encode(a, b, …)`).
    fn encode_params(&self, out: &mut Vec<u8>);
}

/// A parameter list that decodes: `()` or a tuple of [`Decode`] values.
pub trait DecodeParams: Sized {
    /// Decodes parameters from `data` (trailing bytes are allowed, as in Solidity).
    fn decode_params(data: &[u8]) -> Result<Self, AbiError>;
}

impl EncodeParams for () {
    fn encode_params(&self, _: &mut Vec<u8>) {}
}

impl DecodeParams for () {
    fn decode_params(_: &[u8]) -> Result<Self, AbiError> {
        Ok(())
    }
}

macro_rules! tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: AbiType),+> AbiType for ($($name,)+) {
            const DYNAMIC: bool = false $(|| $name::DYNAMIC)+;
            const HEAD_SIZE: usize = if Self::DYNAMIC { 32 } else { 0 $(+ $name::HEAD_SIZE)+ };
        }

        impl<$($name: Encode),+> Encode for ($($name,)+) {
            fn encode_to(&self, out: &mut Vec<u8>) {
                let base = out.len();
                push_zeros(out, 0 $(+ $name::HEAD_SIZE)+);
                let mut head = base;
                $( encode_elem(&self.$idx, out, base, &mut head); )+
            }
        }

        impl<$($name: Decode),+> Decode for ($($name,)+) {
            fn decode_at(data: &[u8], at: usize) -> Result<Self, AbiError> {
                let mut head = at;
                Ok(($( decode_elem::<$name>(data, at, &mut head)?, )+))
            }
        }

        impl<$($name: Encode),+> EncodeParams for ($($name,)+) {
            fn encode_params(&self, out: &mut Vec<u8>) {
                self.encode_to(out)
            }
        }

        impl<$($name: Decode),+> DecodeParams for ($($name,)+) {
            fn decode_params(data: &[u8]) -> Result<Self, AbiError> {
                Self::decode_at(data, 0)
            }
        }
    };
}

tuple!(A 0);
tuple!(A 0, B 1);
tuple!(A 0, B 1, C 2);
tuple!(A 0, B 1, C 2, D 3);
tuple!(A 0, B 1, C 2, D 3, E 4);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
