//! What a host function charges, computed in one place.
//!
//! [`charge`] answers "how much gas does this call of host function `f` take": the system
//! layer's dispatcher charges what it says, the gas-bounds analysis asks it with the worst
//! facts ([`worst`]), and test doubles of the host call it instead of restating Ethereum's
//! rules. It follows the function's entry in the host-function table ([`HostFn::gas`]): a
//! fixed amount, a price per word or byte of a length argument, or one of the named
//! [`Formula`]s for rules that depend on state (EIP-2929 access lists, EIP-2200/3529 SSTORE,
//! value transfers, forwarded gas) or on the input.
//!
//! A charge is found in two steps. [`price`] takes the [`Facts`] of the state (is the slot
//! cold, does value move, is the target dead) and gives a [`Price`]: a fixed part plus
//! [`Term`]s linear in argument values (per word of `len`, per topic), so whoever holds only
//! bounds of the arguments can bound the charge. [`Price::at`] evaluates it at the
//! arguments' values; [`charge`] does both.
//!
//! ```
//! use host_abi::charge::{charge, worst, Facts, Slot};
//! use host_abi::functions::HostFn;
//!
//! // SSTORE of 1 into a slot holding 0, first touched in this transaction: 2100 + 20000.
//! let fresh = Facts { cold: true, slot: Slot::of(&0u8, &0, &1, &0), ..Facts::WARM };
//! assert_eq!(charge(HostFn::StorageStore, &[0, 32], &fresh).gas, 22_100);
//! // Clearing a slot that held 1 when the transaction began: 2900, refund 4800 (EIP-3529).
//! let clear = Facts { slot: Slot::of(&1u8, &1, &0, &0), ..Facts::WARM };
//! let c = charge(HostFn::StorageStore, &[0, 32], &clear);
//! assert_eq!((c.gas, c.refund), (2900, 4800));
//! // calldata_copy of 33 bytes: 3 + 3 per word.
//! assert_eq!(charge(HostFn::CalldataCopy, &[0, 0, 33], &Facts::WARM).gas, 9);
//! // The worst case of a call: cold, with value, to a dead account delegated (EIP-7702) to
//! // a cold delegate, plus what it forwards.
//! assert_eq!(worst(HostFn::Call).fixed, 2600 + 9000 + 25_000 + 2600);
//! ```

use crate::functions::{HostFn, ValType};
use crate::gas::{self, GasRule};

// ---------------------------------------------------------------- the facts of one call

/// How an SSTORE changes its slot: the zero-ness and equalities of the slot's value when
/// the transaction began (*original*), now (*present*) and after the store (*new*), which
/// is all EIP-2200 looks at. Build it with [`Slot::of`] from the three values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    original_zero: bool,
    present_zero: bool,
    new_zero: bool,
    original_is_present: bool,
    present_is_new: bool,
    original_is_new: bool,
}

impl Slot {
    /// A store that changes nothing: the three values are equal and not zero.
    pub const UNCHANGED: Slot = Slot {
        original_zero: false,
        present_zero: false,
        new_zero: false,
        original_is_present: true,
        present_is_new: true,
        original_is_new: true,
    };
    /// A store of a non-zero value into a slot that is zero and was zero when the
    /// transaction began: the dearest store (20000).
    pub const FRESH: Slot = Slot {
        original_zero: true,
        present_zero: true,
        new_zero: false,
        original_is_present: true,
        present_is_new: false,
        original_is_new: false,
    };

    /// The slot's facts from its three values, whatever their type, and the type's zero.
    pub fn of<T: PartialEq + ?Sized>(original: &T, present: &T, new: &T, zero: &T) -> Slot {
        Slot {
            original_zero: original == zero,
            present_zero: present == zero,
            new_zero: new == zero,
            original_is_present: original == present,
            present_is_new: present == new,
            original_is_new: original == new,
        }
    }
}

/// The facts about the state that a host function's charge depends on, besides its
/// arguments. Each rule reads only the facts it names; the others are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The account or storage slot is accessed for the first time in the transaction
    /// (EIP-2929): the account of `balance`, `ext_code_*` and calls, the beneficiary of
    /// `self_destruct`, the slot of `storage_load` and `storage_store`.
    pub cold: bool,
    /// Value moves: `call` or `call_code` with a non-zero value, `self_destruct` of an
    /// account with a non-zero balance.
    pub value: bool,
    /// The target is dead (EIP-161: absent, or no code, nonce zero and no balance): the
    /// callee of `call`, the beneficiary of `self_destruct`. Costs [`gas::NEW_ACCOUNT`] when
    /// value moves to it.
    pub dead: bool,
    /// The slot `storage_store` writes.
    pub slot: Slot,
    /// What the input itself says the call costs, for the precompiles priced by their
    /// input's contents: blake2f's rounds (the input's first four bytes); modexp's EIP-2565
    /// (from Osaka EIP-7883) price, which revm-precompile computes from the input's header;
    /// the BLS12-381 MSMs' price from EIP-2537's discount table.
    pub from_input: u64,
    /// The callee of a call is delegated (EIP-7702: its code is a delegation designator), so
    /// the call also accesses the delegate, whose code runs: `Some(cold)` for that access
    /// (EIP-2929's price, warm or cold), `None` for a callee that is not delegated.
    pub delegate: Option<bool>,
}

impl Facts {
    /// Warm accesses, no value, a live target, an SSTORE that changes nothing, nothing priced
    /// by the input: the facts of a call that pays the least.
    pub const WARM: Facts =
        Facts { cold: false, value: false, dead: false, slot: Slot::UNCHANGED, from_input: 0, delegate: None };
    /// The facts that make every rule dearest: cold accesses, value moving to a dead account,
    /// an SSTORE into a fresh slot, a callee delegated to a cold delegate. (Precompiles priced
    /// by their input have no worst case: [`Price::priced_by_input`] says so.)
    pub const WORST: Facts =
        Facts { cold: true, value: true, dead: true, slot: Slot::FRESH, from_input: 0, delegate: Some(true) };
}

impl Default for Facts {
    fn default() -> Self {
        Self::WARM
    }
}

// ---------------------------------------------------------------- what a call costs

/// What bounds an argument priced by a [`Term`] when nothing else is known of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// A length of the caller's memory: a call that goes on had one no larger than the memory
    /// (a larger one traps).
    Memory,
    /// Values above this fail the call before anything is charged.
    Max(u64),
    /// Nothing: only a bound of the argument bounds the charge.
    None,
}

/// A part of a charge proportional to an argument: `gas` per `per` units of its value, a
/// partial unit counted whole (`round_up`: words) or not at all (pairs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// The argument's index in [`HostFn::params`].
    pub arg: usize,
    /// Its type: an `i32` argument is the low 32 bits of what engines pass.
    pub ty: ValType,
    /// Gas per unit.
    pub gas: u64,
    /// Argument value per unit: 1 (bytes, topics, gas), 32 (words) or 192 (bn254 pairs).
    pub per: u64,
    /// Whether a partial unit counts as a whole one.
    pub round_up: bool,
    /// What bounds the argument when nothing else does.
    pub cap: Cap,
}

impl Term {
    /// The argument's value among the raw 64-bit arguments `args` (0 if missing).
    pub fn value(self, args: &[u64]) -> u64 {
        let raw = args.get(self.arg).copied().unwrap_or(0);
        match self.ty {
            // Engines pass i32 arguments zero-extended; the low 32 bits are the value.
            ValType::I32 => raw & 0xFFFF_FFFF,
            ValType::I64 => raw,
        }
    }

    /// Units in an argument value (a `per` of zero counts as one).
    pub const fn units(self, value: u64) -> u64 {
        let per = if self.per == 0 { 1 } else { self.per };
        if self.round_up {
            value.div_ceil(per)
        } else {
            value / per
        }
    }

    /// Gas for an argument value.
    pub const fn gas_for(self, value: u64) -> u64 {
        self.gas.saturating_mul(self.units(value))
    }
}

/// Where a call or a create sends gas besides what it is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forward {
    /// No other frame runs.
    Nothing,
    /// A call: the argument at `arg` is the gas requested, capped at all but one 64th of
    /// what is left after the charge (EIP-150); the callee gets `stipend` on top, free.
    Requested {
        /// Index of the `gas` argument.
        arg: usize,
        /// Gas the callee gets free: the stipend of a value transfer ([`gas::CALL_STIPEND`]).
        stipend: u64,
    },
    /// A create: all but one 64th of what is left after the charge.
    All,
}

/// A host function's charge in terms of its arguments, for given [`Facts`]: what [`price`]
/// returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    /// The part that does not depend on arguments.
    pub fixed: u64,
    /// The parts proportional to arguments.
    pub terms: [Option<Term>; 2],
    /// Change to the transaction's refund counter (SSTORE, EIP-3529).
    pub refund: i64,
    /// Gas sent to another frame besides the charge.
    pub forward: Forward,
    /// If the price depends on the contents of the input ([`Facts::from_input`]), which no
    /// bound of the arguments bounds: why.
    pub priced_by_input: Option<&'static str>,
    /// The call fails as out of gas, before anything else, unless more than this is left
    /// (EIP-2200's guard of SSTORE against the call stipend).
    pub guard: Option<u64>,
}

impl Price {
    const fn flat(gas: u64) -> Price {
        Price {
            fixed: gas,
            terms: [None, None],
            refund: 0,
            forward: Forward::Nothing,
            priced_by_input: None,
            guard: None,
        }
    }

    const fn with(self, term: Option<Term>) -> Price {
        let mut p = self;
        if p.terms[0].is_none() {
            p.terms[0] = term;
        } else {
            p.terms[1] = term;
        }
        p
    }

    /// The charge of a call with the raw 64-bit arguments `args` (as engines pass them).
    pub fn at(&self, args: &[u64]) -> Charge {
        let gas = self.terms.iter().flatten().fold(self.fixed, |sum, t| sum.saturating_add(t.gas_for(t.value(args))));
        let forward = match self.forward {
            Forward::Nothing => None,
            Forward::Requested { arg, stipend } => {
                Some(Forwarding { requested: args.get(arg).copied().unwrap_or(0), stipend })
            }
            Forward::All => Some(Forwarding { requested: u64::MAX, stipend: 0 }),
        };
        Charge { gas, refund: self.refund, forward }
    }
}

/// Gas a call or create sends to the frame it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forwarding {
    /// Gas asked for (`u64::MAX` for a create: all it may).
    pub requested: u64,
    /// Gas the callee gets on top, free.
    pub stipend: u64,
}

impl Forwarding {
    /// Gas taken from the caller when `left` is what it has after the charge: the request,
    /// at most all but one 64th of `left` (EIP-150).
    pub const fn taken(self, left: u64) -> u64 {
        let cap = all_but_one_64th(left);
        if self.requested < cap {
            self.requested
        } else {
            cap
        }
    }

    /// Gas the callee starts with: what is taken and the stipend.
    pub const fn callee_gas(self, left: u64) -> u64 {
        self.taken(left).saturating_add(self.stipend)
    }
}

/// What one call of a host function costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Charge {
    /// Gas charged before the function does its work (for a call or create, before gas is
    /// forwarded).
    pub gas: u64,
    /// Change to the transaction's refund counter.
    pub refund: i64,
    /// Gas a call or create forwards, taken after `gas` is charged.
    pub forward: Option<Forwarding>,
}

/// The price of host function `f` given the state's `facts`, its arguments left open.
pub fn price(f: HostFn, facts: &Facts) -> Price {
    match f.gas() {
        GasRule::Fixed(n) => Price::flat(n),
        GasRule::Copy { base, per_word } => Price::flat(base).with(term(f, "len", per_word, 32, true, Cap::Memory)),
        GasRule::PerByte { base, per_byte } => Price::flat(base).with(term(f, "len", per_byte, 1, false, Cap::Memory)),
        GasRule::Dynamic(formula) => formula.price(f, facts),
    }
}

/// What a call of host function `f` with raw arguments `args` costs given `facts`: the one
/// function that charges host functions.
pub fn charge(f: HostFn, args: &[u64], facts: &Facts) -> Charge {
    price(f, facts).at(args)
}

/// The price of `f` in the worst state ([`Facts::WORST`]): what the bounds analysis bounds.
pub fn worst(f: HostFn) -> Price {
    price(f, &Facts::WORST)
}

/// The most a call or create may forward when `left` is left: all but one 64th (EIP-150).
pub const fn all_but_one_64th(left: u64) -> u64 {
    left - left / 64
}

/// A term on the parameter named `name` of `f` (none if `f` has no such parameter).
fn term(f: HostFn, name: &str, gas: u64, per: u64, round_up: bool, cap: Cap) -> Option<Term> {
    let params = f.params();
    let arg = params.iter().position(|p| p.name == name)?;
    Some(Term { arg, ty: params[arg].ty, gas, per, round_up, cap })
}

/// The index of the parameter named `name` of `f` (0 if none; the table's tests check).
fn arg(f: HostFn, name: &str) -> usize {
    f.params().iter().position(|p| p.name == name).unwrap_or(0)
}

// ---------------------------------------------------------------- the dynamic rules

/// A rule of the host-function table that depends on state or input; [`Formula::price`]
/// computes it, from the named formula functions below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formula {
    /// A storage read: [`slot_access`].
    SlotAccess,
    /// A storage write: [`sstore_gas`] and [`sstore_refund`], failing unless more than
    /// [`gas::SSTORE_STIPEND_GUARD`] is left.
    Sstore,
    /// An account read: [`account_access`].
    AccountAccess,
    /// Copying an account's code: [`account_access`] and [`gas::COPY_WORD`] per word.
    AccountCopy,
    /// A log: [`gas::LOG`], [`gas::LOG_TOPIC`] per topic and [`gas::LOG_DATA_BYTE`] per byte.
    Log,
    /// `call`: [`call_gas`] (a dead callee costs [`gas::NEW_ACCOUNT`] when value moves), then
    /// the gas forwarded, with [`gas::CALL_STIPEND`] free to the callee when value moves.
    Call,
    /// `call_code`: [`call_gas`] (never an account created), then the gas forwarded.
    CallCode,
    /// `delegate_call` and `static_call`: [`account_access`], then the gas forwarded.
    AccessCall,
    /// `create`: [`gas::CREATE`] and [`gas::INITCODE_WORD`] per word of init code (EIP-3860),
    /// then all but one 64th of the gas left forwarded.
    Create,
    /// `create2`: as `create`, and [`gas::KECCAK_WORD`] per word hashed for the address.
    Create2,
    /// `self_destruct`: [`self_destruct_gas`].
    SelfDestruct,
    /// modexp: EIP-2565's price of the input (from Osaka, EIP-7883's), which revm-precompile
    /// computes from its header ([`Facts::from_input`]).
    Modexp,
    /// bn254 pairing: [`gas::BN254_PAIRING_BASE`] and [`gas::BN254_PAIRING_PAIR`] per whole
    /// pair of [`gas::BN254_PAIR_BYTES`] (EIP-1108).
    Bn254Pairing,
    /// blake2f: [`gas::BLAKE2F_ROUND`] per round, the rounds read from the input (EIP-152).
    Blake2f,
    /// BLS12-381 G1 MSM: [`gas::BLS12_G1_MSM_PAIR`] per pair with EIP-2537's discount for
    /// the number of pairs, which revm-precompile's table gives ([`Facts::from_input`]).
    Bls12G1Msm,
    /// BLS12-381 G2 MSM: [`gas::BLS12_G2_MSM_PAIR`] per pair with EIP-2537's discount
    /// ([`Facts::from_input`]).
    Bls12G2Msm,
    /// BLS12-381 pairing check: [`gas::BLS12_PAIRING_BASE`] and [`gas::BLS12_PAIRING_PAIR`]
    /// per whole pair of [`gas::BLS12_PAIR_BYTES`] (EIP-2537).
    Bls12Pairing,
    /// `charge_gas`: its `amount` argument.
    Amount,
}

impl Formula {
    /// The price of a call of `f`, whose rule this is, given `facts`.
    pub fn price(self, f: HostFn, facts: &Facts) -> Price {
        let requested = |stipend: u64| Forward::Requested { arg: arg(f, "gas"), stipend };
        match self {
            Self::SlotAccess => Price::flat(slot_access(facts.cold)),
            Self::Sstore => Price {
                refund: sstore_refund(facts.slot),
                guard: Some(gas::SSTORE_STIPEND_GUARD),
                ..Price::flat(sstore_gas(facts.slot, facts.cold))
            },
            Self::AccountAccess => Price::flat(account_access(facts.cold)),
            Self::AccountCopy => {
                Price::flat(account_access(facts.cold)).with(term(f, "len", gas::COPY_WORD, 32, true, Cap::Memory))
            }
            Self::Log => Price::flat(gas::LOG)
                .with(term(f, "topic_count", gas::LOG_TOPIC, 1, false, Cap::Max(gas::MAX_LOG_TOPICS)))
                .with(term(f, "data_len", gas::LOG_DATA_BYTE, 1, false, Cap::Memory)),
            Self::Call => Price {
                forward: requested(if facts.value { gas::CALL_STIPEND } else { 0 }),
                ..Price::flat(call_gas(facts.cold, facts.value, facts.dead) + delegate_access(facts.delegate))
            },
            Self::CallCode => Price {
                forward: requested(if facts.value { gas::CALL_STIPEND } else { 0 }),
                ..Price::flat(call_gas(facts.cold, facts.value, false) + delegate_access(facts.delegate))
            },
            Self::AccessCall => Price {
                forward: requested(0),
                ..Price::flat(account_access(facts.cold) + delegate_access(facts.delegate))
            },
            Self::Create | Self::Create2 => {
                let hashing = if matches!(self, Self::Create2) { gas::KECCAK_WORD } else { 0 };
                let per_word = gas::INITCODE_WORD + hashing;
                Price { forward: Forward::All, ..Price::flat(gas::CREATE) }.with(term(
                    f,
                    "code_len",
                    per_word,
                    32,
                    true,
                    Cap::Memory,
                ))
            }
            Self::SelfDestruct => Price::flat(self_destruct_gas(facts.cold, facts.value, facts.dead)),
            Self::Modexp => Price {
                priced_by_input: Some("its gas depends on the contents of its input"),
                ..Price::flat(facts.from_input)
            },
            Self::Bn254Pairing => Price::flat(gas::BN254_PAIRING_BASE).with(term(
                f,
                "len",
                gas::BN254_PAIRING_PAIR,
                gas::BN254_PAIR_BYTES,
                false,
                Cap::Memory,
            )),
            Self::Blake2f => Price {
                priced_by_input: Some("its gas is the number of rounds, read from memory"),
                ..Price::flat(gas::BLAKE2F_ROUND.saturating_mul(facts.from_input))
            },
            Self::Bls12G1Msm | Self::Bls12G2Msm => Price {
                priced_by_input: Some("its gas follows EIP-2537's discount table of its pair count"),
                ..Price::flat(facts.from_input)
            },
            Self::Bls12Pairing => Price::flat(gas::BLS12_PAIRING_BASE).with(term(
                f,
                "len",
                gas::BLS12_PAIRING_PAIR,
                gas::BLS12_PAIR_BYTES,
                false,
                Cap::Memory,
            )),
            Self::Amount => Price::flat(0).with(term(f, "amount", 1, 1, false, Cap::None)),
        }
    }
}

impl core::fmt::Display for Formula {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use gas::*;
        match self {
            Self::SlotAccess => write!(f, "EIP-2929: {WARM_ACCESS} warm, {COLD_SLOAD} cold"),
            Self::Sstore => write!(
                f,
                "EIP-2200/2929/3529: {WARM_ACCESS} no-op, {SSTORE_SET} set, {SSTORE_RESET} reset, +{COLD_SLOAD} cold; \
                 refunds per EIP-3529"
            ),
            Self::AccountAccess => write!(f, "EIP-2929: {WARM_ACCESS} warm, {COLD_ACCOUNT_ACCESS} cold"),
            Self::AccountCopy => {
                write!(f, "EIP-2929 access ({WARM_ACCESS}/{COLD_ACCOUNT_ACCESS}) + {COPY_WORD} per word")
            }
            Self::Log => write!(f, "{LOG} + {LOG_TOPIC} per topic + {LOG_DATA_BYTE} per data byte"),
            Self::Call => write!(
                f,
                "EIP-2929 access ({WARM_ACCESS}/{COLD_ACCOUNT_ACCESS}) + {CALL_VALUE} with value ({CALL_STIPEND} \
                 stipend to callee) + {NEW_ACCOUNT} for a new account + the delegate's access (EIP-7702) + \
                 forwarded gas"
            ),
            Self::CallCode => {
                write!(
                    f,
                    "EIP-2929 access + {CALL_VALUE} with value + the delegate's access (EIP-7702) + forwarded gas"
                )
            }
            Self::AccessCall => f.write_str("EIP-2929 access + the delegate's access (EIP-7702) + forwarded gas"),
            Self::Create => write!(
                f,
                "{CREATE} + {INITCODE_WORD} per initcode word (EIP-3860) + all but 1/64 of gas left forwarded"
            ),
            Self::Create2 => write!(
                f,
                "{CREATE} + {INITCODE_WORD} per initcode word + {KECCAK_WORD} per word hashed + forwarded gas"
            ),
            Self::SelfDestruct => write!(
                f,
                "{SELFDESTRUCT} + {COLD_ACCOUNT_ACCESS} cold beneficiary + {NEW_ACCOUNT} if it is new and value moves"
            ),
            Self::Modexp => f.write_str(
                "EIP-2565: max(200, mult_complexity * iteration_count / 3); from Osaka EIP-7883: max(500, \
                 mult_complexity * iteration_count)",
            ),
            Self::Bn254Pairing => write!(f, "EIP-1108: {BN254_PAIRING_BASE} + {BN254_PAIRING_PAIR} per pair"),
            Self::Blake2f => write!(f, "EIP-152: {BLAKE2F_ROUND} per round"),
            Self::Bls12G1Msm => {
                write!(
                    f,
                    "EIP-2537: {BLS12_G1_MSM_PAIR} per pair x discount(pairs) / 1000 (pairs: len / 160, at least 1)"
                )
            }
            Self::Bls12G2Msm => {
                write!(
                    f,
                    "EIP-2537: {BLS12_G2_MSM_PAIR} per pair x discount(pairs) / 1000 (pairs: len / 288, at least 1)"
                )
            }
            Self::Bls12Pairing => write!(f, "EIP-2537: {BLS12_PAIRING_BASE} + {BLS12_PAIRING_PAIR} per pair"),
            Self::Amount => f.write_str("amount"),
        }
    }
}

/// EIP-2929 storage read: warm 100, cold 2100.
pub const fn slot_access(cold: bool) -> u64 {
    if cold {
        gas::COLD_SLOAD
    } else {
        gas::WARM_ACCESS
    }
}

/// EIP-2929 account access: warm 100, cold 2600.
pub const fn account_access(cold: bool) -> u64 {
    if cold {
        gas::COLD_ACCOUNT_ACCESS
    } else {
        gas::WARM_ACCESS
    }
}

/// SSTORE's gas (EIP-2200 with EIP-2929's prices): 2100 more if the slot is cold; then 100
/// if the store changes nothing or the slot is already dirty (its present value is not its
/// original one), else 20000 to set a slot that was zero, 2900 to change one that was not.
pub const fn sstore_gas(slot: Slot, cold: bool) -> u64 {
    let access = if cold { gas::COLD_SLOAD } else { 0 };
    let write = if slot.present_is_new || !slot.original_is_present {
        gas::WARM_ACCESS
    } else if slot.original_zero {
        gas::SSTORE_SET
    } else {
        gas::SSTORE_RESET
    };
    access + write
}

/// SSTORE's change of the refund counter (EIP-2200 with EIP-3529's refunds): on a clean slot,
/// 4800 for clearing it; on a dirty slot whose original value was not zero, 4800 back if an
/// earlier store cleared it and 4800 if this one does; and for restoring the original value,
/// what the first store paid beyond a warm access (19900 for a slot that was zero, 2800
/// otherwise).
pub const fn sstore_refund(slot: Slot) -> i64 {
    let clears = gas::SSTORE_CLEARS_REFUND as i64;
    if slot.present_is_new {
        return 0;
    }
    if slot.original_is_present {
        return if !slot.original_zero && slot.new_zero { clears } else { 0 };
    }
    let mut refund = 0;
    if !slot.original_zero {
        if slot.present_zero {
            refund -= clears;
        } else if slot.new_zero {
            refund += clears;
        }
    }
    if slot.original_is_new {
        refund += if slot.original_zero {
            (gas::SSTORE_SET - gas::WARM_ACCESS) as i64
        } else {
            (gas::SSTORE_RESET - gas::WARM_ACCESS) as i64
        };
    }
    refund
}

/// EIP-7702: what a call of a delegated account pays for accessing the delegate (EIP-2929's
/// price, `Some(cold)`), nothing for a callee that is not delegated (`None`).
pub const fn delegate_access(delegate: Option<bool>) -> u64 {
    match delegate {
        Some(cold) => account_access(cold),
        None => 0,
    }
}

/// A call's charge before it forwards gas: the account access, 9000 if value moves, and
/// 25000 if value moves to a dead account (`new_account`).
pub const fn call_gas(cold: bool, value: bool, new_account: bool) -> u64 {
    let mut gas = account_access(cold);
    if value {
        gas += gas::CALL_VALUE;
        if new_account {
            gas += gas::NEW_ACCOUNT;
        }
    }
    gas
}

/// SELFDESTRUCT: 5000, 2600 more for a cold beneficiary (no warm charge), and 25000 if the
/// balance moves to a dead beneficiary.
pub const fn self_destruct_gas(cold: bool, value: bool, dead: bool) -> u64 {
    let mut gas = gas::SELFDESTRUCT;
    if cold {
        gas += gas::COLD_ACCOUNT_ACCESS;
    }
    if value && dead {
        gas += gas::NEW_ACCOUNT;
    }
    gas
}
