//! The WASM case: a module (wasm-smith's deterministic subset, or arbitrary bytes mutated
//! from real modules) through validation, metering (with and without elision) and the
//! static gas bounds, none of which may panic; a module the validator accepts is deployed
//! (stored form) and called on both engines, which must agree on status, output, gas left,
//! failure and state changes; where the `call` export has a bound and forwards no gas, the
//! gas a returning or reverting call used must be within it.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, U256};
use arbitrary::Unstructured;
use host_abi::status::CallStatus;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::BlockEnv;
use wasm_runtime::exec::{CallKind, CallParams, System};
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_validator::bounds::{self, Var};
use wasm_validator::{meter_with, Options};

const CONTRACT: Address = Address::repeat_byte(0xAA);
const SENDER: Address = Address::repeat_byte(0xA1);
/// Gas of each call: enough for real work, small enough that an endless loop ends fast.
pub const CALL_GAS: u64 = 300_000;

/// wasm-smith's configuration of the deterministic subset (integers only: no floats, no
/// SIMD, threads, GC, exceptions, memory64, tail calls; one memory with a maximum, one
/// table), exporting `call` and `memory` as a contract does.
pub fn smith_config() -> wasm_smith::Config {
    let exports =
        wat::parse_str(r#"(module (memory (export "memory") 1 4) (func (export "call")) (func (export "deploy")))"#)
            .expect("the exports' WAT");
    wasm_smith::Config {
        allow_floats: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        saturating_float_to_int_enabled: false,
        reference_types_enabled: false,
        multi_value_enabled: true,
        max_memories: 1,
        max_tables: 1,
        max_imports: 0,
        memory_max_size_required: true,
        max_memory32_bytes: 4 << 16,
        table_max_size_required: true,
        max_table_elements: 1000,
        max_funcs: 20,
        max_instructions: 300,
        exports: Some(exports.into()),
        ..wasm_smith::Config::default()
    }
}

/// Fuzzer bytes to a module: a first byte that is even asks wasm-smith for one built from
/// the rest, an odd one takes the rest as the module itself (the seeds are real modules).
/// Returns the module and the calldata of the call.
pub fn module_of(data: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (&mode, rest) = data.split_first()?;
    if mode % 2 == 1 {
        return Some((rest.to_vec(), rest.iter().take(36).copied().collect()));
    }
    let mut u = Unstructured::new(rest);
    let calldata_len = usize::from(u.arbitrary::<u8>().ok()? % 68);
    let calldata = u.bytes(calldata_len.min(u.len())).ok()?.to_vec();
    let module = wasm_smith::Module::new(smith_config(), &mut u).ok()?;
    Some((module.to_bytes(), calldata))
}

/// What one engine's call did.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: CallStatus,
    output: Bytes,
    gas_left: u64,
    error: String,
    diff: String,
}

fn call(wasm: &[u8], calldata: &[u8], engine: EngineKind) -> Seen {
    let mut code = vec![0xEF, 0x5A, 1, 0];
    code.extend_from_slice(wasm);
    let mut db = MemoryDb::default();
    let mut info = AccountInfo::with_balance(U256::from(1_000_000u64), 1);
    info.set_code(Bytes::from(code));
    db.insert(CONTRACT, info, BTreeMap::new());
    db.insert(SENDER, AccountInfo::with_balance(U256::from(10u64).pow(U256::from(20u8)), 0), BTreeMap::new());
    let mut sys = System::new(&mut db, BlockEnv::default(), engine);
    let r = sys
        .call(CallParams {
            kind: CallKind::Call,
            caller: SENDER,
            address: CONTRACT,
            code_address: CONTRACT,
            value: U256::ZERO,
            apparent_value: U256::ZERO,
            input: Bytes::copy_from_slice(calldata),
            gas: CALL_GAS,
            is_static: false,
            depth: 0,
        })
        .unwrap_or_else(|e| panic!("internal error on {}: {e}", engine.name()));
    let diff = format!("{:?}", sys.world.diff());
    Seen { status: r.status, output: r.output, gas_left: r.gas_left, error: format!("{:?}", r.error), diff }
}

/// Runs one module; panics on any panic below, a disagreement or a bound exceeded.
pub fn run_case(wasm: &[u8], calldata: &[u8]) {
    let validated = wasm_validator::validate::validate(wasm);
    let metered = meter_with(wasm, Options::DEPLOYED);
    let _ = meter_with(wasm, Options { elide: true });
    let analysis = bounds::analyze(wasm);
    match &validated {
        Err(e) => crate::assert_one_line("validation error", &e.to_string()),
        Ok(_) => {
            if let Err(e) = &metered {
                crate::assert_one_line("metering error", &e.to_string());
            }
            if let Err(e) = &analysis {
                crate::assert_one_line("bounds error", &e.to_string());
            }
        }
    }
    if validated.is_err() {
        return;
    }
    let a = call(wasm, calldata, EngineKind::Wasmi);
    let b = call(wasm, calldata, EngineKind::Rv);
    assert_eq!(a, b, "the engines disagree (left wasmi, right rv)");
    if let Ok(report) = &analysis {
        let Some(f) = report.export("call") else { return };
        let finished = matches!(a.status, CallStatus::Success | CallStatus::Revert);
        if f.forwards_gas || !finished {
            return;
        }
        let size = u128::try_from(calldata.len()).unwrap_or(u128::MAX);
        if let Some(bound) = f.bound.eval(&[(Var::CalldataSize, size)]) {
            let used = u128::from(CALL_GAS - a.gas_left);
            assert!(used <= bound, "the call used {used} gas, above its static bound {bound} ({:?})", f.bound);
        }
    }
}
