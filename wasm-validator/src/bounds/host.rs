//! Worst-case gas of each host function, from its arguments' upper bounds.
//!
//! These follow the charges of wasm-runtime's `host::dispatch` exactly, taking the worst case of
//! every state-dependent part: cold accesses (EIP-2929), an SSTORE that sets a fresh slot
//! (2100 + 20000), a value-bearing call to a new account. Gas a call or a create forwards
//! to another frame is not part of the cost: the caller is charged what the callee uses,
//! at most the gas it forwards, which only the caller's gas limit bounds (EIP-150 forwards
//! all but 1/64 of what is left). Such calls are flagged `forwards`; a `call` whose `gas`
//! argument has a known bound adds that bound instead.
//!
//! Lengths that only a trap would make larger than the memory are capped at the memory's
//! maximum size: a call that returns or reverts has copied at most that many bytes.

use alloc::format;
use alloc::string::String;

use host_abi::functions::HostFn;
use host_abi::gas;

use super::formula::{Formula, Ratio};
use super::values::{Id, Values};

/// The worst-case cost of one host call.
pub struct HostCost {
    /// Gas charged (forwarded gas excluded unless bounded).
    pub cost: Formula,
    /// Whether gas is forwarded to another frame beyond `cost`.
    pub forwards: bool,
    /// Why the cost cannot be bounded, if so.
    pub blocker: Option<String>,
    /// How a length was capped, if it was.
    pub note: Option<String>,
}

impl HostCost {
    fn fixed(n: u64) -> Self {
        Self { cost: Formula::constant(u128::from(n)), forwards: false, blocker: None, note: None }
    }
}

/// Context for bounding lengths.
pub struct Ctx<'v> {
    /// The values.
    pub vals: &'v mut Values,
    /// The memory's maximum size in bytes.
    pub memory_max: u64,
}

impl Ctx<'_> {
    /// An upper bound of a length argument: its bound, or the memory's size (noted).
    fn len(&mut self, f: HostFn, id: Option<Id>, note: &mut Option<String>) -> Formula {
        if let Some(u) = id.and_then(|id| self.vals.ub(id)) {
            if u.max <= u128::from(self.memory_max) {
                return u.f;
            }
            // A bound above the memory size: the cap is smaller; keep the formula if it
            // has variables (it is still a bound, and says more).
            if u.f.as_constant().is_none() {
                return u.f;
            }
        }
        *note =
            Some(format!("{}: length unknown, capped at the memory size ({} bytes)", f.import_name(), self.memory_max));
        Formula::constant(u128::from(self.memory_max))
    }

    /// `per_word · ceil(len / 32)` bounded above by `per_word · (len + 31) / 32`.
    fn words(&mut self, f: HostFn, per_word: u64, id: Option<Id>, note: &mut Option<String>) -> Formula {
        let len = self.len(f, id, note);
        match len.as_constant() {
            Some(c) => Formula::constant(c.div_ceil(32).saturating_mul(u128::from(per_word))),
            None => len.add_const(31).scale(Ratio::new(u128::from(per_word), 32).unwrap_or(Ratio::ZERO)),
        }
    }
}

/// The worst-case cost of calling `f` with arguments `args` (values on the stack).
pub fn cost(f: HostFn, args: &[Id], cx: &mut Ctx<'_>) -> HostCost {
    let arg = |i: usize| args.get(i).copied();
    let mut note = None;
    let access = gas::COLD_ACCOUNT_ACCESS;
    let mut out = match f {
        // Not importable; the validator rejects them.
        HostFn::Read | HostFn::Write | HostFn::Exit | HostFn::Brk => HostCost::fixed(0),
        HostFn::Keccak256 | HostFn::Sha256 | HostFn::Ripemd160 => {
            let (base, per_word) = match f.gas() {
                gas::GasRule::Copy { base, per_word } => (base, per_word),
                _ => (0, 0),
            };
            let w = cx.words(f, per_word, arg(1), &mut note);
            HostCost { cost: w.add_const(u128::from(base)), ..HostCost::fixed(0) }
        }
        HostFn::CalldataCopy | HostFn::ReturndataCopy | HostFn::ConstantsCopy | HostFn::CodeCopy => {
            let w = cx.words(f, gas::COPY_WORD, arg(2), &mut note);
            HostCost { cost: w.add_const(3), ..HostCost::fixed(0) }
        }
        HostFn::DebugLog => match f.gas() {
            gas::GasRule::PerByte { base, per_byte } => {
                let bytes = cx.len(f, arg(1), &mut note).scale(Ratio::int(u128::from(per_byte)));
                HostCost { cost: bytes.add_const(u128::from(base)), ..HostCost::fixed(0) }
            }
            _ => HostCost { blocker: Some(format!("{}: no worst case known", f.import_name())), ..HostCost::fixed(0) },
        },
        HostFn::StorageLoad => HostCost::fixed(gas::COLD_SLOAD),
        HostFn::StorageStore => HostCost::fixed(gas::COLD_SLOAD + gas::SSTORE_SET),
        HostFn::EmitLog => {
            let topics = arg(1).and_then(|id| cx.vals.ub(id)).and_then(|u| u.f.as_constant()).unwrap_or(4).min(4);
            let data = cx.len(f, arg(3), &mut note).scale(Ratio::int(u128::from(gas::LOG_DATA_BYTE)));
            let fixed = u128::from(gas::LOG) + u128::from(gas::LOG_TOPIC) * topics;
            HostCost { cost: data.add_const(fixed), ..HostCost::fixed(0) }
        }
        HostFn::Call | HostFn::CallCode | HostFn::DelegateCall | HostFn::StaticCall => {
            let base = match f {
                HostFn::Call => access + gas::CALL_VALUE + gas::NEW_ACCOUNT,
                HostFn::CallCode => access + gas::CALL_VALUE,
                _ => access,
            };
            let requested = arg(0).and_then(|id| cx.vals.ub(id));
            match requested {
                Some(u) => HostCost { cost: u.f.add_const(u128::from(base)), ..HostCost::fixed(0) },
                None => HostCost { forwards: true, ..HostCost::fixed(base) },
            }
        }
        HostFn::Create | HostFn::Create2 => {
            let per_word = match f {
                HostFn::Create2 => gas::INITCODE_WORD + gas::KECCAK_WORD,
                _ => gas::INITCODE_WORD,
            };
            let w = cx.words(f, per_word, arg(2), &mut note);
            HostCost { cost: w.add_const(u128::from(gas::CREATE)), forwards: true, ..HostCost::fixed(0) }
        }
        HostFn::SelfDestruct => HostCost::fixed(gas::SELFDESTRUCT + access + gas::NEW_ACCOUNT),
        HostFn::Balance | HostFn::ExtCodeSize | HostFn::ExtCodeHash => HostCost::fixed(access),
        HostFn::ExtCodeCopy => {
            let w = cx.words(f, gas::COPY_WORD, arg(3), &mut note);
            HostCost { cost: w.add_const(u128::from(access)), ..HostCost::fixed(0) }
        }
        HostFn::Modexp => HostCost {
            blocker: Some("modexp: its gas depends on the contents of its input".into()),
            ..HostCost::fixed(0)
        },
        HostFn::Bn254Pairing => {
            let len = cx.len(f, arg(1), &mut note);
            let pairs = len.scale(Ratio::new(1, 192).unwrap_or(Ratio::ZERO));
            HostCost { cost: pairs.scale(Ratio::int(34_000)).add_const(45_000), ..HostCost::fixed(0) }
        }
        HostFn::Blake2f => HostCost {
            blocker: Some("blake2f: its gas is the number of rounds, read from memory".into()),
            ..HostCost::fixed(0)
        },
        // Traps: charges nothing.
        HostFn::Poseidon => HostCost::fixed(0),
        HostFn::ChargeGas => match arg(0).and_then(|id| cx.vals.ub(id)) {
            Some(u) => HostCost { cost: u.f, ..HostCost::fixed(0) },
            None => {
                HostCost { blocker: Some("charge_gas of an amount with no known bound".into()), ..HostCost::fixed(0) }
            }
        },
        HostFn::Ecrecover
        | HostFn::Bn254Add
        | HostFn::Bn254Mul
        | HostFn::CalldataSize
        | HostFn::Finish
        | HostFn::Revert
        | HostFn::ReturndataSize
        | HostFn::TransientLoad
        | HostFn::TransientStore
        | HostFn::ConstantsSize
        | HostFn::Address
        | HostFn::Caller
        | HostFn::Origin
        | HostFn::CallValue
        | HostFn::SelfBalance
        | HostFn::GasLeft
        | HostFn::GasPrice
        | HostFn::BlockNumber
        | HostFn::BlockTimestamp
        | HostFn::Coinbase
        | HostFn::BlockGasLimit
        | HostFn::BaseFee
        | HostFn::ChainId
        | HostFn::PrevRandao
        | HostFn::BlockHash
        | HostFn::BlobHash
        | HostFn::BlobBaseFee
        | HostFn::CodeSize
        | HostFn::OutOfGas => match f.gas() {
            gas::GasRule::Fixed(n) => HostCost::fixed(n),
            // The table says these are fixed; if that ever changes, refuse to guess.
            _ => HostCost { blocker: Some(format!("{}: no worst case known", f.import_name())), ..HostCost::fixed(0) },
        },
    };
    out.note = note;
    out
}

/// Whether a host function may write the caller's memory or state that later loads see
/// (everything except pure queries without pointer arguments).
pub fn writes_memory(f: HostFn) -> bool {
    !f.params().is_empty() && !matches!(f, HostFn::ChargeGas | HostFn::BlockNumber)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::values::W;
    use alloc::string::ToString;

    #[test]
    fn worst_cases() {
        let mut vals = Values::default();
        let mut cx = Ctx { vals: &mut vals, memory_max: 65_536 };
        let store = cost(HostFn::StorageStore, &[], &mut cx);
        assert_eq!(store.cost.as_constant(), Some(22_100));
        let n = cx.vals.sym(W::I32, super::super::formula::Var::CalldataSize);
        let zero = cx.vals.constant(W::I32, 0);
        let copy = cost(HostFn::CalldataCopy, &[zero, zero, n], &mut cx);
        assert_eq!(copy.cost.to_string(), "189/32 + 3/32·calldata_size");
        let len = cx.vals.constant(W::I32, 64);
        let k = cost(HostFn::Keccak256, &[zero, len, zero], &mut cx);
        assert_eq!(k.cost.as_constant(), Some(30 + 12));
        let unknown = cx.vals.opaque(W::I32, None);
        let k = cost(HostFn::Keccak256, &[zero, unknown, zero], &mut cx);
        assert_eq!(k.cost.as_constant(), Some(30 + 6 * 2048));
        assert!(k.note.is_some());
        let g = cx.vals.opaque(W::I64, None);
        let c = cost(HostFn::Call, &[g, zero, zero, zero, zero], &mut cx);
        assert!(c.forwards);
        assert_eq!(c.cost.as_constant(), Some(2600 + 9000 + 25_000));
        let g = cx.vals.constant(W::I64, 5000);
        let c = cost(HostFn::StaticCall, &[g, zero, zero, zero], &mut cx);
        assert!(!c.forwards);
        assert_eq!(c.cost.as_constant(), Some(7600));
        assert!(cost(HostFn::Modexp, &[], &mut cx).blocker.is_some());
        // debug_log: a log's base and per-byte price, the length capped at the memory.
        let d = cost(HostFn::DebugLog, &[zero, len], &mut cx);
        assert_eq!(d.cost.as_constant(), Some(375 + 8 * 64));
        let d = cost(HostFn::DebugLog, &[zero, unknown], &mut cx);
        assert_eq!(d.cost.as_constant(), Some(375 + 8 * 65_536));
        assert!(d.note.is_some());
    }
}
