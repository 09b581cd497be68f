//! Helper functions generated into every module that needs them: 256-bit arithmetic that is
//! too large to inline (MUL, division, EXP, …), big-endian word conversion, memory expansion
//! and a few host-call sequences. Values cross as four i64 limbs, least significant first.

mod bits;
mod div;
mod env;
mod f;
mod mul;

use super::ctx::Ctx;
use host_abi::functions::HostFn;
use wasm_encoder::{Function, ValType};

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;
const W1: &[ValType] = &[I64; 4];
const W2: &[ValType] = &[I64; 8];
const W3: &[ValType] = &[I64; 12];

macro_rules! helpers {
    ($( $name:ident ($($p:expr),*) -> ($($r:expr),*), deps [$($d:ident),*], hosts [$($h:ident),*], $body:path; )*) => {
        /// A helper function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Helper { $( $name, )* }

        impl Helper {
            /// Every helper, in index order.
            pub const ALL: &'static [Helper] = &[$(Helper::$name),*];

            /// Its name (for error messages).
            pub fn name(self) -> &'static str {
                match self { $( Self::$name => stringify!($name), )* }
            }

            /// Parameter types.
            pub fn params(self) -> alloc::vec::Vec<ValType> {
                match self { $( Self::$name => { let v: &[&[ValType]] = &[$(&$p[..]),*]; v.concat() } )* }
            }

            /// Result types.
            pub fn results(self) -> alloc::vec::Vec<ValType> {
                match self { $( Self::$name => { let v: &[&[ValType]] = &[$(&$r[..]),*]; v.concat() } )* }
            }

            /// Helpers it calls.
            pub fn deps(self) -> &'static [Helper] {
                match self { $( Self::$name => &[$(Helper::$d),*], )* }
            }

            /// Host functions it calls.
            pub fn hosts(self) -> &'static [HostFn] {
                match self { $( Self::$name => &[$(HostFn::$h),*], )* }
            }

            /// Its body.
            pub fn body(self, ctx: &Ctx) -> Function {
                match self { $( Self::$name => $body(ctx), )* }
            }
        }
    };
}

helpers! {
    StoreBe([I32], W1) -> (), deps [], hosts [], env::store_be;
    Expand([I64]) -> (), deps [], hosts [], env::expand;
    MemRange(W2) -> ([I32]), deps [Expand], hosts [], env::mem_range;
    Mul(W2) -> (W1), deps [], hosts [], mul::mul;
    UDivMod(W2) -> (W2), deps [], hosts [], div::udivmod;
    SDiv(W2) -> (W1), deps [UDivMod], hosts [], div::sdiv;
    SMod(W2) -> (W1), deps [UDivMod], hosts [], div::smod;
    AddMod(W3) -> (W1), deps [], hosts [], div::addmod;
    MulMod(W3) -> (W1), deps [], hosts [], div::mulmod;
    Exp(W2) -> (W1), deps [Mul], hosts [], mul::exp;
    SignExtend(W2) -> (W1), deps [], hosts [], bits::signextend;
    Byte(W2) -> ([I64]), deps [], hosts [], bits::byte;
    Shl(W2) -> (W1), deps [], hosts [], bits::shl;
    Shr(W2) -> (W1), deps [], hosts [], bits::shr;
    Sar(W2) -> (W1), deps [], hosts [], bits::sar;
    CallDataLoad(W1) -> (), deps [], hosts [CalldataCopy], env::calldataload;
    ReturnCopy([I32, I32]) -> (), deps [], hosts [ReturndataSize, ReturndataCopy], env::return_copy;
}
