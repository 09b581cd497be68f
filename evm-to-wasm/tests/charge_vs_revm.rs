//! host-abi's charges (`host_abi::charge`, which the mock host charges) against revm's gas
//! parameters for Cancun, the reference the state tests are run against: SSTORE's gas and
//! refund for every pattern of original, present and new value, warm and cold; calls with and
//! without value to live and dead accounts; self-destruct; logs; creates; copies.

use host_abi::charge::{charge, Facts, Slot};
use host_abi::functions::HostFn;
use revm::context_interface::cfg::{gas as g, GasParams};
use revm::context_interface::context::SStoreResult;
use revm::primitives::hardfork::SpecId;
use revm::primitives::U256;

fn cancun() -> GasParams {
    GasParams::new_spec(SpecId::CANCUN)
}

#[test]
fn sstore_matches_revm_for_every_slot_pattern() {
    let p = cancun();
    let mut cases = 0;
    for original in 0..3u64 {
        for present in 0..3u64 {
            for new in 0..3u64 {
                let vals = SStoreResult {
                    original_value: U256::from(original),
                    present_value: U256::from(present),
                    new_value: U256::from(new),
                };
                for cold in [false, true] {
                    let facts = Facts { cold, slot: Slot::of(&original, &present, &new, &0), ..Facts::WARM };
                    let ours = charge(HostFn::StorageStore, &[0, 32], &facts);
                    let revm_gas = p.sstore_static_gas() + p.sstore_dynamic_gas(true, &vals, cold);
                    assert_eq!(ours.gas, revm_gas, "gas of {original} -> {present} -> {new}, cold {cold}");
                    assert_eq!(ours.refund, p.sstore_refund(true, &vals), "refund of {original} -> {present} -> {new}");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 54);
}

#[test]
fn accesses_match_revm() {
    let p = cancun();
    let warm = p.warm_storage_read_cost();
    let cold_account = warm + p.cold_account_additional_cost();
    for f in [HostFn::Balance, HostFn::ExtCodeSize, HostFn::ExtCodeHash] {
        assert_eq!(charge(f, &[0, 0], &Facts::WARM).gas, warm, "{f:?}");
        assert_eq!(charge(f, &[0, 0], &Facts { cold: true, ..Facts::WARM }).gas, cold_account, "{f:?}");
    }
    assert_eq!(charge(HostFn::StorageLoad, &[0, 0], &Facts::WARM).gas, warm);
    assert_eq!(charge(HostFn::StorageLoad, &[0, 0], &Facts { cold: true, ..Facts::WARM }).gas, p.cold_storage_cost());
    for len in [0u64, 1, 32, 33, 1000] {
        let cold = Facts { cold: true, ..Facts::WARM };
        assert_eq!(
            charge(HostFn::ExtCodeCopy, &[0, 0, 0, len], &cold).gas,
            cold_account + p.extcodecopy(len as usize),
            "{len}"
        );
    }
}

#[test]
fn calls_match_revm() {
    let p = cancun();
    let warm = p.warm_storage_read_cost();
    for cold in [false, true] {
        for value in [false, true] {
            for dead in [false, true] {
                let access = warm + if cold { p.cold_account_additional_cost() } else { 0 };
                let transfer = if value { p.transfer_value_cost() } else { 0 };
                let new_account = if dead { p.new_account_cost(true, value) } else { 0 };
                let facts = Facts { cold, value, dead, ..Facts::WARM };
                let call = charge(HostFn::Call, &[0; 5], &facts);
                assert_eq!(call.gas, access + transfer + new_account, "call cold {cold} value {value} dead {dead}");
                let stipend = call.forward.expect("a call forwards").stipend;
                assert_eq!(stipend, if value { p.call_stipend() } else { 0 });
                assert_eq!(charge(HostFn::CallCode, &[0; 5], &facts).gas, access + transfer, "call_code");
                assert_eq!(charge(HostFn::DelegateCall, &[0; 4], &facts).gas, access, "delegate_call");
                assert_eq!(charge(HostFn::StaticCall, &[0; 4], &facts).gas, access, "static_call");
            }
        }
    }
    // EIP-150: all but one 64th.
    let c = charge(HostFn::Call, &[u64::MAX, 0, 0, 0, 0], &Facts::WARM).forward.unwrap();
    for left in [0u64, 63, 64, 100_000, 1 << 40] {
        assert_eq!(c.taken(left), p.call_stipend_reduction(left), "{left}");
    }
}

#[test]
fn self_destruct_matches_revm() {
    let p = cancun();
    for cold in [false, true] {
        for value in [false, true] {
            for dead in [false, true] {
                let facts = Facts { cold, value, dead, ..Facts::WARM };
                let want = 5000 + p.selfdestruct_cost(value && dead, cold);
                assert_eq!(charge(HostFn::SelfDestruct, &[0], &facts).gas, want, "{cold} {value} {dead}");
            }
        }
    }
}

#[test]
fn logs_creates_and_copies_match_revm() {
    let p = cancun();
    for topics in 0..=4u8 {
        for len in [0u64, 1, 31, 1000] {
            let ours = charge(HostFn::EmitLog, &[0, u64::from(topics), 0, len], &Facts::WARM).gas;
            assert_eq!(ours, g::LOG + p.log_cost(topics, len), "LOG{topics} of {len} bytes");
        }
    }
    for len in [0u64, 1, 32, 33, 100, 49_152] {
        let n = len as usize;
        let create = charge(HostFn::Create, &[0, 0, len, 0], &Facts::WARM).gas;
        assert_eq!(create, p.create_cost() + p.initcode_cost(n), "CREATE of {len} bytes");
        let create2 = charge(HostFn::Create2, &[0, 0, len, 0, 0], &Facts::WARM).gas;
        assert_eq!(create2, p.create2_cost(n) + p.initcode_cost(n), "CREATE2 of {len} bytes");
        for f in [HostFn::CalldataCopy, HostFn::CodeCopy, HostFn::ReturndataCopy] {
            assert_eq!(charge(f, &[0, 0, len], &Facts::WARM).gas, g::VERYLOW + p.copy_cost(n), "{f:?} {len}");
        }
        let keccak = charge(HostFn::Keccak256, &[0, len, 0], &Facts::WARM).gas;
        assert_eq!(keccak, g::KECCAK256 + p.keccak256_cost(n), "KECCAK256 of {len} bytes");
    }
}
