//! Every host function's charge against Ethereum's numbers (Cancun): the EIP-2200 SSTORE
//! matrix with EIP-2929 prices and EIP-3529 refunds, cold and warm accesses, calls with value
//! to dead accounts, creates with init code and CREATE2 hashing, logs, copies; and that the
//! worst case the bounds analysis uses is never below any charge.

use host_abi::charge::{
    all_but_one_64th, charge, price, worst, Cap, Charge, Facts, Formula, Forward, Forwarding, Slot,
};
use host_abi::functions::{HostFn, ValType};
use host_abi::gas::GasRule;

fn gas(f: HostFn, args: &[u64], facts: &Facts) -> u64 {
    charge(f, args, facts).gas
}

fn cold() -> Facts {
    Facts { cold: true, ..Facts::WARM }
}

// ---------------------------------------------------------------- SSTORE

/// One SSTORE of `new` into a slot whose value was `original` when the transaction began
/// and is `present` now.
fn sstore(original: u8, present: u8, new: u8, cold: bool) -> Charge {
    let facts = Facts { cold, slot: Slot::of(&original, &present, &new, &0), ..Facts::WARM };
    charge(HostFn::StorageStore, &[0, 32], &facts)
}

/// Runs the stores of `values` into one slot holding `original`, each after two PUSH1s (3
/// gas each) as in the EIP's bytecode, the first one cold if `cold`: gas used and refund.
fn sstore_sequence(original: u8, values: &[u8], cold: bool) -> (u64, i64) {
    let (mut used, mut refund, mut present) = (0, 0, original);
    for (i, &new) in values.iter().enumerate() {
        let c = sstore(original, present, new, cold && i == 0);
        assert_eq!(c.forward, None);
        used += 2 * 3 + c.gas;
        refund += c.refund;
        present = new;
    }
    (used, refund)
}

/// EIP-3529's test cases: the EIP-2200 matrix (Constantinople's EIP-1283 cases) priced with
/// EIP-2929's warm access and EIP-3529's refunds, the slot already warm: code, used gas,
/// refund, original value, then the values stored.
const EIP3529_CASES: &[(&str, u64, i64, u8, &[u8])] = &[
    ("0x60006000556000600055", 212, 0, 0, &[0, 0]),
    ("0x60006000556001600055", 20112, 0, 0, &[0, 1]),
    ("0x60016000556000600055", 20112, 19900, 0, &[1, 0]),
    ("0x60016000556002600055", 20112, 0, 0, &[1, 2]),
    ("0x60016000556001600055", 20112, 0, 0, &[1, 1]),
    ("0x60006000556000600055", 3012, 4800, 1, &[0, 0]),
    ("0x60006000556001600055", 3012, 2800, 1, &[0, 1]),
    ("0x60006000556002600055", 3012, 0, 1, &[0, 2]),
    ("0x60026000556000600055", 3012, 4800, 1, &[2, 0]),
    ("0x60026000556003600055", 3012, 0, 1, &[2, 3]),
    ("0x60026000556001600055", 3012, 2800, 1, &[2, 1]),
    ("0x60026000556002600055", 3012, 0, 1, &[2, 2]),
    ("0x60016000556000600055", 3012, 4800, 1, &[1, 0]),
    ("0x60016000556002600055", 3012, 0, 1, &[1, 2]),
    ("0x60016000556001600055", 212, 0, 1, &[1, 1]),
    ("0x600160005560006000556001600055", 40118, 19900, 0, &[1, 0, 1]),
    ("0x600060005560016000556000600055", 5918, 7600, 1, &[0, 1, 0]),
];

#[test]
fn sstore_matches_the_eip3529_test_cases() {
    for &(code, used, refund, original, values) in EIP3529_CASES {
        assert_eq!(sstore_sequence(original, values, false), (used, refund), "{code}, original {original}");
    }
}

#[test]
fn sstore_of_a_cold_slot_pays_2100_more_once() {
    for &(code, used, refund, original, values) in EIP3529_CASES {
        assert_eq!(sstore_sequence(original, values, true), (used + 2100, refund), "{code} with the slot cold");
    }
}

#[test]
fn sstore_single_cases() {
    // 0 -> 0: a no-op, a warm read's price.
    assert_eq!((sstore(0, 0, 0, false).gas, sstore(0, 0, 0, false).refund), (100, 0));
    // Set a fresh slot, cold: the dearest store (EIP-2929's 2100 + 20000).
    assert_eq!(sstore(0, 0, 7, true).gas, 22_100);
    // Reset a clean non-zero slot: 5000 - 2100 = 2900; clearing it refunds 4800.
    assert_eq!((sstore(5, 5, 6, false).gas, sstore(5, 5, 6, false).refund), (2900, 0));
    assert_eq!((sstore(5, 5, 0, false).gas, sstore(5, 5, 0, false).refund), (2900, 4800));
    assert_eq!(sstore(5, 5, 0, true).gas, 5000);
    // A dirty slot costs a warm access whatever happens.
    for (o, p, n) in [(0, 1, 2), (0, 1, 0), (1, 0, 1), (1, 2, 0), (1, 0, 2)] {
        assert_eq!(sstore(o, p, n, false).gas, 100, "{o} {p} {n}");
    }
    // Refunds on a dirty slot: re-clearing, un-clearing, restoring.
    assert_eq!(sstore(1, 2, 0, false).refund, 4800);
    assert_eq!(sstore(1, 0, 2, false).refund, -4800);
    assert_eq!(sstore(1, 0, 1, false).refund, -4800 + 2800);
    assert_eq!(sstore(1, 2, 1, false).refund, 2800);
    assert_eq!(sstore(0, 1, 0, false).refund, 19_900);
    // The slot's type does not matter: 32-byte words behave as bytes do.
    let (z, a, b) = ([0u8; 32], [1u8; 32], [2u8; 32]);
    let facts = Facts { slot: Slot::of(&a, &b, &z, &z), ..Facts::WARM };
    assert_eq!(charge(HostFn::StorageStore, &[0, 0], &facts), sstore(1, 2, 0, false));
}

#[test]
fn sstore_fails_unless_more_than_the_stipend_is_left() {
    assert_eq!(price(HostFn::StorageStore, &Facts::WARM).guard, Some(2300));
    for f in HostFn::ALL.iter().filter(|f| **f != HostFn::StorageStore) {
        assert_eq!(worst(*f).guard, None, "{f:?}");
    }
}

// ---------------------------------------------------------------- accesses

#[test]
fn storage_load_is_100_warm_2100_cold() {
    assert_eq!(gas(HostFn::StorageLoad, &[0, 32], &Facts::WARM), 100);
    assert_eq!(gas(HostFn::StorageLoad, &[0, 32], &cold()), 2100);
}

#[test]
fn account_reads_are_100_warm_2600_cold() {
    for f in [HostFn::Balance, HostFn::ExtCodeSize, HostFn::ExtCodeHash] {
        assert_eq!(gas(f, &[0, 32], &Facts::WARM), 100, "{f:?}");
        assert_eq!(gas(f, &[0, 32], &cold()), 2600, "{f:?}");
    }
    // EXTCODECOPY: the access and 3 per word (no base of its own).
    assert_eq!(gas(HostFn::ExtCodeCopy, &[0, 0, 0, 0], &Facts::WARM), 100);
    assert_eq!(gas(HostFn::ExtCodeCopy, &[0, 0, 0, 33], &Facts::WARM), 100 + 3 * 2);
    assert_eq!(gas(HostFn::ExtCodeCopy, &[0, 0, 0, 64], &cold()), 2600 + 3 * 2);
}

// ---------------------------------------------------------------- calls

#[test]
fn call_with_value_to_a_dead_account() {
    let facts = Facts { cold: true, value: true, dead: true, ..Facts::WARM };
    let c = charge(HostFn::Call, &[50_000, 0, 0, 0, 0], &facts);
    assert_eq!(c.gas, 2600 + 9000 + 25_000);
    assert_eq!(c.refund, 0);
    // The stipend goes to the callee on top of what it is forwarded.
    assert_eq!(c.forward, Some(Forwarding { requested: 50_000, stipend: 2300 }));
    assert_eq!(c.forward.unwrap().taken(1_000_000), 50_000);
    assert_eq!(c.forward.unwrap().callee_gas(1_000_000), 52_300);
}

#[test]
fn call_prices_by_facts() {
    let call = |cold, value, dead| gas(HostFn::Call, &[0; 5], &Facts { cold, value, dead, ..Facts::WARM });
    assert_eq!(call(false, false, false), 100);
    assert_eq!(call(true, false, false), 2600);
    // A dead account costs nothing without value (EIP-161).
    assert_eq!(call(true, false, true), 2600);
    assert_eq!(call(false, true, false), 100 + 9000);
    assert_eq!(call(false, true, true), 100 + 9000 + 25_000);
    // call_code moves value to itself: never a new account.
    let facts = Facts { cold: true, value: true, dead: true, ..Facts::WARM };
    assert_eq!(gas(HostFn::CallCode, &[0; 5], &facts), 2600 + 9000);
    assert_eq!(charge(HostFn::CallCode, &[7; 5], &facts).forward, Some(Forwarding { requested: 7, stipend: 2300 }));
    // delegate_call and static_call move no value.
    for f in [HostFn::DelegateCall, HostFn::StaticCall] {
        assert_eq!(gas(f, &[0; 4], &facts), 2600, "{f:?}");
        assert_eq!(gas(f, &[0; 4], &Facts::WARM), 100, "{f:?}");
        assert_eq!(charge(f, &[9; 4], &facts).forward, Some(Forwarding { requested: 9, stipend: 0 }), "{f:?}");
    }
    // Without value, no stipend.
    assert_eq!(charge(HostFn::Call, &[3; 5], &Facts::WARM).forward, Some(Forwarding { requested: 3, stipend: 0 }));
}

/// EIP-7702: a call of a delegated account pays for the delegate's access too, 2600 cold
/// and 100 warm, whatever kind of call it is; its forwarding does not change.
#[test]
fn calls_of_delegated_accounts_pay_for_the_delegate() {
    for (f, args) in [
        (HostFn::Call, &[5u64; 5][..]),
        (HostFn::CallCode, &[5; 5][..]),
        (HostFn::DelegateCall, &[5; 4][..]),
        (HostFn::StaticCall, &[5; 4][..]),
    ] {
        let plain = charge(f, args, &Facts { cold: true, ..Facts::WARM });
        let cold = charge(f, args, &Facts { cold: true, delegate: Some(true), ..Facts::WARM });
        let warm = charge(f, args, &Facts { cold: true, delegate: Some(false), ..Facts::WARM });
        assert_eq!((plain.gas, cold.gas, warm.gas), (2600, 2600 + 2600, 2600 + 100), "{f:?}");
        assert_eq!(cold.forward, plain.forward, "{f:?}");
    }
}

#[test]
fn forwarding_keeps_one_64th_eip150() {
    assert_eq!(all_but_one_64th(64_000), 63_000);
    assert_eq!(all_but_one_64th(63), 63);
    assert_eq!(all_but_one_64th(0), 0);
    let c = charge(HostFn::Call, &[1_000_000, 0, 0, 0, 0], &Facts::WARM);
    assert_eq!(c.forward.unwrap().taken(64_000), 63_000);
    // The requested gas is the whole 64-bit argument (an i64), not its low half.
    let big = (1u64 << 40) + 5;
    assert_eq!(charge(HostFn::Call, &[big, 0, 0, 0, 0], &Facts::WARM).forward.unwrap().requested, big);
    // A create takes all it may.
    let c = charge(HostFn::Create, &[0, 0, 0, 0], &Facts::WARM);
    assert_eq!(c.forward, Some(Forwarding { requested: u64::MAX, stipend: 0 }));
    assert_eq!(c.forward.unwrap().taken(6400), 6300);
    assert_eq!(c.forward.unwrap().callee_gas(6400), 6300);
}

// ---------------------------------------------------------------- creates

#[test]
fn create_pays_initcode_words_and_create2_hashing() {
    // 100 bytes of init code: 4 words.
    assert_eq!(gas(HostFn::Create, &[0, 0, 100, 0], &Facts::WARM), 32_000 + 2 * 4);
    assert_eq!(gas(HostFn::Create2, &[0, 0, 100, 0, 0], &Facts::WARM), 32_000 + 2 * 4 + 6 * 4);
    assert_eq!(gas(HostFn::Create, &[0, 0, 0, 0], &Facts::WARM), 32_000);
    // The largest EVM init code (EIP-3860): 1536 words.
    assert_eq!(gas(HostFn::Create2, &[0, 0, 49_152, 0, 0], &Facts::WARM), 32_000 + 8 * 1536);
    // State facts do not matter.
    assert_eq!(gas(HostFn::Create2, &[0, 0, 33, 0, 0], &Facts::WORST), 32_000 + 8 * 2);
}

#[test]
fn self_destruct_prices() {
    let sd = |cold, value, dead| gas(HostFn::SelfDestruct, &[0], &Facts { cold, value, dead, ..Facts::WARM });
    // No warm access charge, unlike calls.
    assert_eq!(sd(false, false, false), 5000);
    assert_eq!(sd(true, false, false), 7600);
    assert_eq!(sd(false, false, true), 5000);
    assert_eq!(sd(false, true, false), 5000);
    assert_eq!(sd(false, true, true), 30_000);
    assert_eq!(sd(true, true, true), 32_600);
    assert_eq!(charge(HostFn::SelfDestruct, &[0], &Facts::WORST).forward, None);
}

// ---------------------------------------------------------------- logs and copies

#[test]
fn log_pays_per_topic_and_byte() {
    // LOG2 with 5 bytes of data.
    assert_eq!(gas(HostFn::EmitLog, &[0, 2, 0, 5], &Facts::WARM), 375 * 3 + 8 * 5);
    assert_eq!(gas(HostFn::EmitLog, &[0, 0, 0, 0], &Facts::WARM), 375);
    assert_eq!(gas(HostFn::EmitLog, &[0, 4, 0, 1000], &Facts::WORST), 375 * 5 + 8000);
    // debug_log is paid as a LOG0.
    assert_eq!(gas(HostFn::DebugLog, &[0, 5], &Facts::WARM), 375 + 8 * 5);
    assert_eq!(gas(HostFn::DebugLog, &[0, 0], &Facts::WARM), 375);
}

#[test]
fn copies_pay_3_plus_3_per_word() {
    for (f, len_arg, arity) in [
        (HostFn::CalldataCopy, 2, 3),
        (HostFn::ReturndataCopy, 2, 3),
        (HostFn::ConstantsCopy, 2, 3),
        (HostFn::CodeCopy, 2, 3),
    ] {
        let with_len = |len: u64| {
            let mut args = vec![0u64; arity];
            args[len_arg] = len;
            gas(f, &args, &Facts::WARM)
        };
        assert_eq!(with_len(0), 3, "{f:?}");
        assert_eq!(with_len(1), 6, "{f:?}");
        assert_eq!(with_len(32), 6, "{f:?}");
        assert_eq!(with_len(33), 9, "{f:?}");
        assert_eq!(with_len(1024), 3 + 3 * 32, "{f:?}");
        // Engines pass an i32 zero-extended; only its low 32 bits count.
        assert_eq!(with_len((0xdead << 32) | 64), 9, "{f:?}");
        assert_eq!(with_len(0xFFFF_FFFF), 3 + 3 * 0x800_0000, "{f:?}");
    }
}

#[test]
fn hashes_pay_per_word() {
    assert_eq!(gas(HostFn::Keccak256, &[0, 0, 0], &Facts::WARM), 30);
    assert_eq!(gas(HostFn::Keccak256, &[0, 64, 0], &Facts::WARM), 30 + 12);
    assert_eq!(gas(HostFn::Keccak256, &[0, 65, 0], &Facts::WARM), 30 + 18);
    assert_eq!(gas(HostFn::Sha256, &[0, 65, 0], &Facts::WARM), 60 + 12 * 3);
    assert_eq!(gas(HostFn::Ripemd160, &[0, 65, 0], &Facts::WARM), 600 + 120 * 3);
}

// ---------------------------------------------------------------- precompiles, charge_gas

#[test]
fn precompile_prices() {
    assert_eq!(gas(HostFn::Ecrecover, &[0, 0], &Facts::WORST), 3000);
    assert_eq!(gas(HostFn::Bn254Add, &[0, 0], &Facts::WORST), 150);
    assert_eq!(gas(HostFn::Bn254Mul, &[0, 0], &Facts::WORST), 6000);
    // EIP-1108: 45000 + 34000 per whole 192-byte pair.
    assert_eq!(gas(HostFn::Bn254Pairing, &[0, 0, 0], &Facts::WARM), 45_000);
    assert_eq!(gas(HostFn::Bn254Pairing, &[0, 384, 0], &Facts::WARM), 45_000 + 2 * 34_000);
    assert_eq!(gas(HostFn::Bn254Pairing, &[0, 191, 0], &Facts::WARM), 45_000);
    assert_eq!(gas(HostFn::Bn254Pairing, &[0, 383, 0], &Facts::WARM), 45_000 + 34_000);
    // blake2f: the rounds read from the input, 1 each (EIP-152).
    assert_eq!(gas(HostFn::Blake2f, &[0, 0], &Facts { from_input: 12, ..Facts::WARM }), 12);
    // modexp: the price revm-precompile computed from the input's header.
    assert_eq!(gas(HostFn::Modexp, &[0; 4], &Facts { from_input: 1360, ..Facts::WARM }), 1360);
    for f in [HostFn::Modexp, HostFn::Blake2f] {
        assert!(worst(f).priced_by_input.is_some(), "{f:?}");
    }
    // BLS12-381 (EIP-2537): the pairing per whole 384-byte pair; the MSMs at the discounted
    // price of their pair count, which the dispatcher computes from revm-precompile's table.
    assert_eq!(gas(HostFn::Bls12Pairing, &[0, 768, 0], &Facts::WARM), 37_700 + 2 * 32_600);
    assert_eq!(gas(HostFn::Bls12Pairing, &[0, 767, 0], &Facts::WARM), 37_700 + 32_600);
    assert_eq!(gas(HostFn::Bls12G1Msm, &[0, 320, 0], &Facts { from_input: 22_776, ..Facts::WARM }), 22_776);
    for f in [HostFn::Bls12G1Msm, HostFn::Bls12G2Msm] {
        assert!(worst(f).priced_by_input.is_some(), "{f:?}");
    }
    assert_eq!(gas(HostFn::Bls12G1Add, &[0, 0], &Facts::WORST), 375);
    assert_eq!(gas(HostFn::Bls12MapFp2ToG2, &[0, 0], &Facts::WORST), 23_800);
    assert_eq!(gas(HostFn::P256Verify, &[0, 0], &Facts::WORST), 6900);
    // Poseidon: a base and a price per 32-byte element of `len`.
    let (base, element) = (host_abi::gas::POSEIDON_BASE, host_abi::gas::POSEIDON_ELEMENT);
    assert_eq!(gas(HostFn::Poseidon, &[0, 64, 0], &Facts::WARM), base + 2 * element);
    assert_eq!(gas(HostFn::Poseidon, &[0, 65, 0], &Facts::WARM), base + 3 * element);
}

#[test]
fn charge_gas_charges_its_amount() {
    assert_eq!(gas(HostFn::ChargeGas, &[0], &Facts::WARM), 0);
    assert_eq!(gas(HostFn::ChargeGas, &[12_345], &Facts::WARM), 12_345);
    // An i64 argument: all 64 bits count.
    assert_eq!(gas(HostFn::ChargeGas, &[u64::MAX], &Facts::WARM), u64::MAX);
    let t = worst(HostFn::ChargeGas).terms[0].unwrap();
    assert_eq!((t.arg, t.ty, t.cap), (0, ValType::I64, Cap::None));
}

#[test]
fn fixed_rules_charge_their_number_whatever_the_facts() {
    let mut fixed = 0;
    for &f in HostFn::ALL {
        if let GasRule::Fixed(n) = f.gas() {
            fixed += 1;
            for facts in [Facts::WARM, Facts::WORST] {
                let c = charge(f, &[u64::MAX; 6], &facts);
                assert_eq!(c, Charge { gas: n, refund: 0, forward: None }, "{f:?}");
            }
        }
    }
    assert!(fixed >= 30, "most of the environment is fixed-price ({fixed} found)");
    assert_eq!(gas(HostFn::SelfBalance, &[], &Facts::WARM), 5);
    assert_eq!(gas(HostFn::BlockHash, &[0, 0], &Facts::WARM), 20);
    assert_eq!(gas(HostFn::BlobHash, &[0, 0], &Facts::WARM), 3);
    assert_eq!(gas(HostFn::TransientLoad, &[0, 0], &Facts::WORST), 100);
    assert_eq!(gas(HostFn::TransientStore, &[0, 0], &Facts::WORST), 100);
}

// ---------------------------------------------------------------- the table and the worst case

/// Every combination of facts that the rules read, with the slot's 27 value patterns.
fn all_facts() -> Vec<Facts> {
    let mut out = Vec::new();
    for bits in 0..32u8 {
        for o in 0..3u8 {
            for p in 0..3u8 {
                for n in 0..3u8 {
                    out.push(Facts {
                        cold: bits & 1 != 0,
                        value: bits & 2 != 0,
                        dead: bits & 4 != 0,
                        slot: Slot::of(&o, &p, &n, &0),
                        from_input: 0,
                        delegate: (bits & 8 != 0).then_some(bits & 16 != 0),
                    });
                }
            }
        }
    }
    out
}

#[test]
fn the_worst_case_bounds_every_charge() {
    let lens = [0u64, 1, 31, 32, 33, 191, 192, 193, 1000, 65_536, 0xFFFF_FFFF];
    for &f in HostFn::ALL {
        let w = worst(f);
        for facts in all_facts() {
            let p = price(f, &facts);
            assert!(p.fixed <= w.fixed, "{f:?} {facts:?}: {} above the worst {}", p.fixed, w.fixed);
            // Only state facts change with them; the terms and forwarding are the same.
            assert_eq!(p.terms, w.terms, "{f:?}");
            assert_eq!(std::mem::discriminant(&p.forward), std::mem::discriminant(&w.forward), "{f:?}");
            for &len in &lens {
                let args = [len; 6];
                assert!(charge(f, &args, &facts).gas <= w.at(&args).gas, "{f:?} {facts:?} {len}");
                if let (Some(a), Some(b)) = (charge(f, &args, &facts).forward, w.at(&args).forward) {
                    assert!(a.callee_gas(1 << 40) <= b.callee_gas(1 << 40), "{f:?}");
                }
            }
        }
    }
    // The worst cases the bounds analysis takes.
    assert_eq!(worst(HostFn::StorageStore).fixed, 2100 + 20_000);
    assert_eq!(worst(HostFn::StorageLoad).fixed, 2100);
    // A call's worst case includes a cold delegate (EIP-7702).
    assert_eq!(worst(HostFn::Call).fixed, 2600 + 9000 + 25_000 + 2600);
    assert_eq!(worst(HostFn::CallCode).fixed, 2600 + 9000 + 2600);
    assert_eq!(worst(HostFn::StaticCall).fixed, 2600 + 2600);
    assert_eq!(worst(HostFn::SelfDestruct).fixed, 5000 + 2600 + 25_000);
    assert_eq!(worst(HostFn::ExtCodeCopy).fixed, 2600);
}

#[test]
fn terms_name_the_arguments_they_price() {
    let named = |f: HostFn| -> Vec<(&str, u64, u64, bool, Cap)> {
        worst(f)
            .terms
            .iter()
            .flatten()
            .map(|t| (f.params()[t.arg].name, t.gas, t.per, t.round_up, t.cap))
            .collect::<Vec<_>>()
    };
    for f in [HostFn::CalldataCopy, HostFn::ReturndataCopy, HostFn::ConstantsCopy, HostFn::CodeCopy] {
        assert_eq!(named(f), [("len", 3, 32, true, Cap::Memory)], "{f:?}");
    }
    assert_eq!(named(HostFn::Keccak256), [("len", 6, 32, true, Cap::Memory)]);
    assert_eq!(named(HostFn::DebugLog), [("len", 8, 1, false, Cap::Memory)]);
    assert_eq!(named(HostFn::ExtCodeCopy), [("len", 3, 32, true, Cap::Memory)]);
    assert_eq!(
        named(HostFn::EmitLog),
        [("topic_count", 375, 1, false, Cap::Max(4)), ("data_len", 8, 1, false, Cap::Memory)]
    );
    assert_eq!(named(HostFn::Create), [("code_len", 2, 32, true, Cap::Memory)]);
    assert_eq!(named(HostFn::Create2), [("code_len", 8, 32, true, Cap::Memory)]);
    assert_eq!(named(HostFn::Bn254Pairing), [("len", 34_000, 192, false, Cap::Memory)]);
    assert_eq!(named(HostFn::Bls12Pairing), [("len", 32_600, 384, false, Cap::Memory)]);
    assert_eq!(named(HostFn::Poseidon), [("len", 8_400, 32, true, Cap::Memory)]);
    assert_eq!(named(HostFn::ChargeGas), [("amount", 1, 1, false, Cap::None)]);
    for f in [HostFn::Call, HostFn::CallCode, HostFn::DelegateCall, HostFn::StaticCall] {
        let Forward::Requested { arg, .. } = worst(f).forward else { panic!("{f:?} forwards what it is asked") };
        assert_eq!((f.params()[arg].name, f.params()[arg].ty), ("gas", ValType::I64), "{f:?}");
        assert!(named(f).is_empty(), "{f:?}: the input is handed over in place, not charged");
    }
    assert_eq!(worst(HostFn::Create2).forward, Forward::All);
    // Every term's argument exists and has the type the term reads it as; every rule that
    // prices a length has its term.
    for &f in HostFn::ALL {
        let p = worst(f);
        for t in p.terms.iter().flatten() {
            assert_eq!(f.params().get(t.arg).map(|p| p.ty), Some(t.ty), "{f:?}");
        }
        let expects_term = matches!(f.gas(), GasRule::Copy { .. } | GasRule::PerByte { .. })
            || matches!(
                f.gas(),
                GasRule::Dynamic(
                    Formula::AccountCopy
                        | Formula::Log
                        | Formula::Create
                        | Formula::Create2
                        | Formula::Bn254Pairing
                        | Formula::Bls12Pairing
                        | Formula::Amount
                )
            );
        assert_eq!(p.terms[0].is_some(), expects_term, "{f:?}");
    }
}

#[test]
fn rule_texts_for_the_reference_page() {
    assert_eq!(HostFn::StorageLoad.gas().to_string(), "EIP-2929: 100 warm, 2100 cold");
    assert_eq!(
        HostFn::StorageStore.gas().to_string(),
        "EIP-2200/2929/3529: 100 no-op, 20000 set, 2900 reset, +2100 cold; refunds per EIP-3529"
    );
    assert_eq!(HostFn::EmitLog.gas().to_string(), "375 + 375 per topic + 8 per data byte");
    assert_eq!(HostFn::Bn254Pairing.gas().to_string(), "EIP-1108: 45000 + 34000 per pair");
    assert_eq!(HostFn::CalldataCopy.gas().to_string(), "3 + 3 per 32-byte word");
}
