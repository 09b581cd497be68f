//! The leaf host functions' fast path: the functions that read a value of the frame, the
//! transaction or the block (`address`, `caller`, `call_value`, `calldata_size`,
//! `block_number`, …), the frame's own balance (`self_balance`), or copy one of the frame's
//! byte strings (`calldata_copy`, `code_copy`, `constants_copy`, `returndata_copy`). None of
//! them writes the world state, calls, or ends the frame, so an engine may run them without
//! leaving its code's context the way a host function that may start a frame must (the
//! kernel engine runs them straight from the code's entry, saving only the registers a call
//! clobbers: [`crate::engine::in_kernel`]).
//!
//! The getters among them ([`KEPT_FUNCTIONS`]) answer the same until the frame's code next
//! leaves for the frame loop: their values are the frame's, the transaction's or the block's,
//! and the frame's balance changes only by a call, a create or a self-destruct, none of which
//! runs without leaving. [`Kept::after`] makes such a call's price and result a [`Kept`], so an
//! engine may answer the next calls of that function itself until the code leaves (the kernel
//! engine does, in a few instructions at the code's entry).
//!
//! [`leaf`] either does exactly what [`super::dispatch`] does for the call, charging the same
//! gas (host-abi's rule, the one [`host_abi::charge::charge`] computes), or does nothing at
//! all and answers `None`: for every other function, when the gas does not cover the charge,
//! when an access falls outside the memory. The caller then takes the general path, which
//! finds the same facts and ends the frame as it always did. So the fast path changes no
//! gas and no result, only the work.

use host_abi::functions::HostFn;
use host_abi::gas::GasRule;

use crate::exec::{Frame, System};
use crate::platform::Platform;
use crate::primitives::B256;

/// The fixed price of `f`, host-abi's (evaluated at compile time; a function [`leaf`] runs
/// at a fixed price that has none fails the build).
const fn fixed(f: HostFn) -> u64 {
    match f.gas() {
        GasRule::Fixed(gas) => gas,
        _ => panic!("not a fixed price"),
    }
}

/// The base and per-word price of `f`, a copy of `len` bytes (its third argument).
const fn copy_rule(f: HostFn) -> (u64, u64) {
    match f.gas() {
        GasRule::Copy { base, per_word } => (base, per_word),
        _ => panic!("not a copy price"),
    }
}

/// A copy's price for `args`: host-abi's [`GasRule::Copy`] (the base, and the price per
/// 32-byte word of `len` rounded up), as [`host_abi::charge::charge`] computes it; the tests
/// check the two agree.
fn copy_price((base, per_word): (u64, u64), args: &[u64; 6]) -> u64 {
    let words = u64::from(arg_u32(args, 2)).div_ceil(32);
    base.saturating_add(per_word.saturating_mul(words))
}

/// The functions [`leaf`] runs (the tests check that it runs them all and no other).
pub const LEAF_FUNCTIONS: [HostFn; 24] = [
    HostFn::CalldataSize,
    HostFn::CalldataCopy,
    HostFn::ReturndataSize,
    HostFn::ReturndataCopy,
    HostFn::ConstantsSize,
    HostFn::ConstantsCopy,
    HostFn::Address,
    HostFn::Caller,
    HostFn::Origin,
    HostFn::CallValue,
    HostFn::GasLeft,
    HostFn::GasPrice,
    HostFn::BlockNumber,
    HostFn::BlockTimestamp,
    HostFn::Coinbase,
    HostFn::BlockGasLimit,
    HostFn::BaseFee,
    HostFn::ChainId,
    HostFn::PrevRandao,
    HostFn::BlobHash,
    HostFn::BlobBaseFee,
    HostFn::CodeSize,
    HostFn::CodeCopy,
    HostFn::SelfBalance,
];

/// The leaf functions whose price and result stay the same until the frame's code next
/// leaves for the frame loop (see the module's documentation): [`Kept::after`] tells what
/// the next calls do. Each takes at most one argument, the offset its result is written at.
pub const KEPT_FUNCTIONS: [HostFn; 18] = [
    HostFn::CalldataSize,
    HostFn::ReturndataSize,
    HostFn::ConstantsSize,
    HostFn::Address,
    HostFn::Caller,
    HostFn::Origin,
    HostFn::CallValue,
    HostFn::SelfBalance,
    HostFn::GasPrice,
    HostFn::BlockNumber,
    HostFn::BlockTimestamp,
    HostFn::Coinbase,
    HostFn::BlockGasLimit,
    HostFn::BaseFee,
    HostFn::ChainId,
    HostFn::PrevRandao,
    HostFn::BlobBaseFee,
    HostFn::CodeSize,
];

/// A call of one of [`KEPT_FUNCTIONS`] as [`leaf`] ran it ([`Kept::after`]): what the next call of the same
/// function does, until the frame's code leaves for the frame loop. `len` 0: return the
/// little-endian `u64` at the start of `data`; 20 or 32: write the first `len` bytes of `data`
/// at the first argument (a 32-bit offset into the memory) and return 0. Either way `price`
/// is charged first (laid out for the kernel engine's entry, which reads it).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// The gas the call costs.
    pub price: u64,
    /// 0 (a value), 20 or 32 (bytes written).
    pub len: u64,
    /// The value or the bytes.
    pub data: [u8; 32],
}

impl Kept {
    /// What the next calls of function number `number` do after a call of it with raw
    /// arguments `args` that [`leaf`] ran: charged `price`, returned `value`, left `mem` as it
    /// is now. `None` if the function is not one of [`KEPT_FUNCTIONS`] (or the bytes it wrote
    /// are not in `mem`, which cannot be after [`leaf`] wrote them).
    pub fn after(number: u32, price: u64, value: u64, args: &[u64; 6], mem: &[u8]) -> Option<Kept> {
        let len = match HostFn::from_number(number)? {
            HostFn::Address | HostFn::Caller | HostFn::Origin | HostFn::Coinbase => 20,
            HostFn::CallValue
            | HostFn::SelfBalance
            | HostFn::GasPrice
            | HostFn::BaseFee
            | HostFn::PrevRandao
            | HostFn::BlobBaseFee => 32,
            HostFn::CalldataSize
            | HostFn::ReturndataSize
            | HostFn::ConstantsSize
            | HostFn::BlockNumber
            | HostFn::BlockTimestamp
            | HostFn::BlockGasLimit
            | HostFn::ChainId
            | HostFn::CodeSize => 0,
            _ => return None,
        };
        let mut data = [0u8; 32];
        if len == 0 {
            data[..8].copy_from_slice(&value.to_le_bytes());
        } else {
            let dest = arg_u32(args, 0) as usize;
            data[..len].copy_from_slice(mem.get(dest..dest.checked_add(len)?)?);
        }
        Some(Kept { price, len: len as u64, data })
    }
}

/// The lowest number of [`LEAF_FUNCTIONS`]: [`LEAF_MASK`] starts there.
pub const LEAF_BASE: u32 = 10_000;

/// Bit `n - LEAF_BASE` set for the number `n` of each of [`LEAF_FUNCTIONS`] (all of them
/// lie within 128 of [`LEAF_BASE`]; the build fails otherwise): an engine can tell a call
/// worth trying on the fast path from its number alone (the kernel's entry does, in a few
/// instructions).
pub const LEAF_MASK: [u64; 2] = {
    let mut mask = [0u64; 2];
    let mut i = 0;
    while i < LEAF_FUNCTIONS.len() {
        let bit = LEAF_FUNCTIONS[i].number() - LEAF_BASE;
        assert!(bit < 128, "a leaf function outside the mask");
        mask[(bit / 64) as usize] |= 1 << (bit % 64);
        i += 1;
    }
    mask
};

/// The host-function numbers [`leaf`] handles.
mod n {
    use host_abi::functions::HostFn;

    pub const ADDRESS: u32 = HostFn::Address.number();
    pub const CALLER: u32 = HostFn::Caller.number();
    pub const ORIGIN: u32 = HostFn::Origin.number();
    pub const CALL_VALUE: u32 = HostFn::CallValue.number();
    pub const GAS_LEFT: u32 = HostFn::GasLeft.number();
    pub const GAS_PRICE: u32 = HostFn::GasPrice.number();
    pub const BLOCK_NUMBER: u32 = HostFn::BlockNumber.number();
    pub const BLOCK_TIMESTAMP: u32 = HostFn::BlockTimestamp.number();
    pub const COINBASE: u32 = HostFn::Coinbase.number();
    pub const BLOCK_GAS_LIMIT: u32 = HostFn::BlockGasLimit.number();
    pub const BASE_FEE: u32 = HostFn::BaseFee.number();
    pub const CHAIN_ID: u32 = HostFn::ChainId.number();
    pub const PREV_RANDAO: u32 = HostFn::PrevRandao.number();
    pub const BLOB_BASE_FEE: u32 = HostFn::BlobBaseFee.number();
    pub const BLOB_HASH: u32 = HostFn::BlobHash.number();
    pub const CALLDATA_SIZE: u32 = HostFn::CalldataSize.number();
    pub const RETURNDATA_SIZE: u32 = HostFn::ReturndataSize.number();
    pub const CONSTANTS_SIZE: u32 = HostFn::ConstantsSize.number();
    pub const CODE_SIZE: u32 = HostFn::CodeSize.number();
    pub const SELF_BALANCE: u32 = HostFn::SelfBalance.number();
    pub const CALLDATA_COPY: u32 = HostFn::CalldataCopy.number();
    pub const CODE_COPY: u32 = HostFn::CodeCopy.number();
    pub const CONSTANTS_COPY: u32 = HostFn::ConstantsCopy.number();
    pub const RETURNDATA_COPY: u32 = HostFn::ReturndataCopy.number();
}

/// What a leaf function does once paid for.
enum Effect<'a> {
    /// Returns this value.
    Value(u64),
    /// Writes these bytes at the first argument, returns 0.
    Write(&'a [u8]),
    /// Writes a 32-byte word at argument `.0`, returns 0.
    Word(usize, [u8; 32]),
    /// `calldata_copy`-like: `src[offset..offset + len]` at `dest`, zero-padded, returns 0.
    Copy(&'a [u8]),
}

/// Runs host function number `number` with raw arguments `args` if it is a leaf function
/// and the call neither runs out of gas nor faults: charges `gas` (the frame's gas, all of
/// it: the engine takes this path only when nothing of the frame's gas is kept beside its gas
/// register) and returns the function's result. `None`, having changed nothing, otherwise.
pub fn leaf<P: Platform>(
    sys: &mut System<P>,
    frame: &Frame,
    input: &[u8],
    mem: &mut [u8],
    gas: &mut u64,
    number: u32,
    args: &[u64; 6],
) -> Option<u64> {
    let (price, effect) = match number {
        // The account is read only once the call is sure to succeed (as the general path
        // reads it only after charging); reading it changes nothing but what is loaded.
        n::SELF_BALANCE => {
            let price = const { fixed(HostFn::SelfBalance) };
            let dest = arg_u32(args, 0) as usize;
            if *gas < price || dest.checked_add(32).is_none_or(|end| end > mem.len()) {
                return None;
            }
            (price, Effect::Word(0, sys.world.balance(frame.address).to_be_bytes::<32>()))
        }
        n::ADDRESS => (const { fixed(HostFn::Address) }, Effect::Write(frame.address.as_slice())),
        n::CALLER => (const { fixed(HostFn::Caller) }, Effect::Write(frame.caller.as_slice())),
        n::ORIGIN => (const { fixed(HostFn::Origin) }, Effect::Write(sys.tx.caller.as_slice())),
        n::CALL_VALUE => (const { fixed(HostFn::CallValue) }, Effect::Word(0, frame.value.to_be_bytes::<32>())),
        n::GAS_PRICE => (const { fixed(HostFn::GasPrice) }, Effect::Word(0, sys.gas_price.to_be_bytes::<32>())),
        n::COINBASE => (const { fixed(HostFn::Coinbase) }, Effect::Write(sys.block.coinbase.as_slice())),
        n::BASE_FEE => (const { fixed(HostFn::BaseFee) }, Effect::Word(0, sys.block.base_fee.to_be_bytes::<32>())),
        n::PREV_RANDAO => (const { fixed(HostFn::PrevRandao) }, Effect::Write(sys.block.prev_randao.as_slice())),
        // A fee of 2^256 or more fails the frame: the general path's.
        n::BLOB_BASE_FEE => {
            (const { fixed(HostFn::BlobBaseFee) }, Effect::Word(0, sys.blob_base_fee()?.to_be_bytes::<32>()))
        }
        n::BLOB_HASH => {
            let hash = usize::try_from(args[0]).ok().and_then(|i| sys.tx.blob_hashes.get(i).copied());
            (const { fixed(HostFn::BlobHash) }, Effect::Word(1, hash.unwrap_or(B256::ZERO).0))
        }
        n::BLOCK_NUMBER => (const { fixed(HostFn::BlockNumber) }, Effect::Value(sys.block.number)),
        n::BLOCK_TIMESTAMP => (const { fixed(HostFn::BlockTimestamp) }, Effect::Value(sys.block.timestamp)),
        n::BLOCK_GAS_LIMIT => (const { fixed(HostFn::BlockGasLimit) }, Effect::Value(sys.block.gas_limit)),
        n::CHAIN_ID => (const { fixed(HostFn::ChainId) }, Effect::Value(sys.block.chain_id)),
        n::CALLDATA_SIZE => (const { fixed(HostFn::CalldataSize) }, Effect::Value(input.len() as u64)),
        n::RETURNDATA_SIZE => (const { fixed(HostFn::ReturndataSize) }, Effect::Value(frame.return_data.len() as u64)),
        n::CONSTANTS_SIZE => (const { fixed(HostFn::ConstantsSize) }, Effect::Value(frame.constants.len() as u64)),
        n::CODE_SIZE => (const { fixed(HostFn::CodeSize) }, Effect::Value(frame.code.len() as u64)),
        // The gas left after the charge: below.
        n::GAS_LEFT => (const { fixed(HostFn::GasLeft) }, Effect::Value(0)),
        n::CALLDATA_COPY => (copy_price(const { copy_rule(HostFn::CalldataCopy) }, args), Effect::Copy(input)),
        n::CODE_COPY => (copy_price(const { copy_rule(HostFn::CodeCopy) }, args), Effect::Copy(&frame.code)),
        n::CONSTANTS_COPY => {
            (copy_price(const { copy_rule(HostFn::ConstantsCopy) }, args), Effect::Copy(&frame.constants))
        }
        n::RETURNDATA_COPY => {
            // Past the end of the return data is a fault: the general path's.
            let (offset, len) = (arg_u32(args, 1) as usize, arg_u32(args, 2) as usize);
            if offset.saturating_add(len) > frame.return_data.len() {
                return None;
            }
            (copy_price(const { copy_rule(HostFn::ReturndataCopy) }, args), Effect::Copy(&frame.return_data))
        }
        _ => return None,
    };
    let left = gas.checked_sub(price)?;
    let dest = arg_u32(args, 0) as usize;
    let value = match effect {
        Effect::Value(v) => v,
        Effect::Write(bytes) => {
            mem.get_mut(dest..dest.checked_add(bytes.len())?)?.copy_from_slice(bytes);
            0
        }
        Effect::Word(out, word) => {
            let dest = arg_u32(args, out) as usize;
            mem.get_mut(dest..dest.checked_add(32)?)?.copy_from_slice(&word);
            0
        }
        Effect::Copy(src) => {
            let (offset, len) = (arg_u32(args, 1) as usize, arg_u32(args, 2) as usize);
            let out = mem.get_mut(dest..dest.checked_add(len)?)?;
            let start = offset.min(src.len());
            let end = offset.saturating_add(len).min(src.len());
            let (data, zeros) = out.split_at_mut(end - start);
            data.copy_from_slice(&src[start..end]);
            zeros.fill(0);
            0
        }
    };
    *gas = left;
    Some(if number == n::GAS_LEFT { left } else { value })
}

fn arg_u32(args: &[u64; 6], i: usize) -> u32 {
    // As the general path: i32 arguments arrive zero-extended; truncation keeps the value.
    (args[i] & 0xFFFF_FFFF) as u32
}

#[cfg(test)]
mod tests {
    use host_abi::charge::{charge, Facts};

    use super::*;

    /// The fast path's copy price is host-abi's, for every length class.
    #[test]
    fn copy_prices_are_host_abis() {
        let copies = [HostFn::CalldataCopy, HostFn::CodeCopy, HostFn::ConstantsCopy, HostFn::ReturndataCopy];
        for f in copies {
            for len in [0u64, 1, 31, 32, 33, 64, 1000, 0xFFFF_FFFF, 0x1_0000_0020] {
                let args = [7, 3, len, 0, 0, 0];
                let want = charge(f, &args, &Facts::WARM).gas;
                assert_eq!(copy_price(copy_rule(f), &args), want, "{f:?} len {len:#x}");
            }
        }
    }

    /// The mask holds exactly the leaf functions' numbers, and every other function is
    /// outside it.
    #[test]
    fn mask_is_the_leaf_functions() {
        for &f in HostFn::ALL {
            let bit = f.number().wrapping_sub(LEAF_BASE);
            let in_mask = bit < 128 && LEAF_MASK[(bit / 64) as usize] >> (bit % 64) & 1 == 1;
            assert_eq!(in_mask, LEAF_FUNCTIONS.contains(&f), "{f:?}");
        }
    }

    /// Every function the fast path runs at a fixed price has that price in host-abi.
    #[test]
    fn fixed_prices_are_host_abis() {
        let fixed_ones = [
            HostFn::Address,
            HostFn::Caller,
            HostFn::Origin,
            HostFn::CallValue,
            HostFn::GasLeft,
            HostFn::GasPrice,
            HostFn::BlockNumber,
            HostFn::BlockTimestamp,
            HostFn::Coinbase,
            HostFn::BlockGasLimit,
            HostFn::BaseFee,
            HostFn::ChainId,
            HostFn::PrevRandao,
            HostFn::BlobBaseFee,
            HostFn::BlobHash,
            HostFn::CalldataSize,
            HostFn::ReturndataSize,
            HostFn::ConstantsSize,
            HostFn::CodeSize,
            HostFn::SelfBalance,
        ];
        for f in fixed_ones {
            assert_eq!(fixed(f), charge(f, &[0; 6], &Facts::WARM).gas, "{f:?}");
        }
    }

    /// Every kept function is a leaf function at a fixed price, returns a value or writes
    /// 20 or 32 bytes at its one argument, and its number lies within the kernel engine's
    /// table (below 128 above [`LEAF_BASE`]).
    #[test]
    fn kept_functions_are_fixed_price_getters() {
        for f in KEPT_FUNCTIONS {
            assert!(LEAF_FUNCTIONS.contains(&f), "{f:?}");
            assert!(matches!(f.gas(), GasRule::Fixed(_)), "{f:?}");
            assert!(f.params().len() <= 1, "{f:?}");
            assert!(f.number() - LEAF_BASE < 128, "{f:?}");
        }
    }

    /// [`Kept::after`] keeps the value of a value getter and the bytes a writing getter left
    /// at its argument, for the kept functions and no other.
    #[test]
    fn kept_answers_are_the_calls_results() {
        let mut mem = [0u8; 128];
        for (i, b) in mem.iter_mut().enumerate() {
            *b = i as u8;
        }
        let args = [40, 0, 0, 0, 0, 0];
        for &f in HostFn::ALL {
            let kept = Kept::after(f.number(), 7, 0x1122_3344_5566_7788, &args, &mem);
            assert_eq!(kept.is_some(), KEPT_FUNCTIONS.contains(&f), "{f:?}");
            let Some(k) = kept else { continue };
            assert_eq!(k.price, 7);
            match k.len {
                0 => assert_eq!(k.data[..8], 0x1122_3344_5566_7788u64.to_le_bytes(), "{f:?}"),
                20 | 32 => {
                    let n = k.len as usize;
                    assert_eq!(k.data[..n], mem[40..40 + n], "{f:?}");
                    assert!(f.params().len() == 1, "{f:?}");
                }
                other => panic!("{f:?}: length {other}"),
            }
        }
        // Bytes outside the memory: nothing kept.
        assert_eq!(Kept::after(HostFn::CallValue.number(), 2, 0, &[120, 0, 0, 0, 0, 0], &mem), None);
    }
}
