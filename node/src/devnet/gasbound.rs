//! `zkos_gasBound`: the proven static gas bound of a call, when the called code has one
//! (wasm-validator's bounds: per export of a WASM contract, per selector of EVM code).
//!
//! The bound of a transaction is the intrinsic gas plus the bound of the frame it enters
//! (evaluated at the call's calldata size and bytes), or EIP-7623's calldata floor if that
//! is higher. Code that forwards gas to other frames, loops without a recognized counter,
//! recursion and the like have no bound; the answer says why.

use host_abi::envelope::{self, Kind};
use serde_json::{json, Value};
use wasm_runtime::env::TxEnv;
use wasm_validator::bounds::{self, evm, Var};

use super::wire;

/// What kind of code a contract has.
pub fn code_kind(code: &[u8]) -> &'static str {
    if code.is_empty() {
        return "none";
    }
    if code.starts_with(&[0xef, 0x01, 0x00]) {
        return "delegation";
    }
    match envelope::parse_stored_code(code) {
        Some((Kind::Wasm, _)) => "WASM",
        Some((Kind::Rv64im, _)) => "native",
        None if envelope::is_envelope(code) => "invalid envelope",
        None => "EVM",
    }
}

/// The answer of `zkos_gasBound`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasBound {
    /// The transaction's bound (intrinsic gas included), when there is one.
    pub bound: Option<u64>,
    /// The entered frame's bound alone.
    pub execution: Option<u64>,
    /// The intrinsic gas.
    pub intrinsic: u64,
    /// The bound as a formula in the call's inputs (WASM), or in words (EVM).
    pub formula: Option<String>,
    /// Why there is no bound, or how it was found.
    pub reason: String,
    /// The kind of the called code.
    pub kind: &'static str,
    /// The entry analyzed: `call` export, selector, `any calldata`.
    pub entry: String,
}

impl GasBound {
    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "bound": self.bound.map(wire::qty),
            "executionBound": self.execution.map(wire::qty),
            "intrinsicGas": wire::qty(self.intrinsic),
            "formula": self.formula,
            "reason": self.reason,
            "kind": self.kind,
            "entry": self.entry,
        })
    }
}

/// The calldata value a formula reads: `len` bytes at `offset`, little-endian.
fn calldata_var(data: &[u8], offset: u32, len: u8) -> Option<u128> {
    let start = usize::try_from(offset).ok()?;
    let bytes = data.get(start..start.checked_add(usize::from(len))?)?;
    Some(bytes.iter().rev().fold(0u128, |acc, b| (acc << 8) | u128::from(*b)))
}

/// The bound of `tx` calling `code` (the target's code), under the fork's calldata floor.
pub fn gas_bound(tx: &TxEnv, code: &[u8], floor_applies: bool) -> GasBound {
    let intrinsic = wasm_runtime::exec::intrinsic_gas(tx);
    let floor = if floor_applies { wasm_runtime::exec::calldata_floor(tx) } else { 0 };
    let kind = code_kind(code);
    let mut out = GasBound {
        bound: None,
        execution: None,
        intrinsic,
        formula: None,
        reason: String::new(),
        kind,
        entry: String::new(),
    };
    let total = |exec: u128| u64::try_from(exec).ok().and_then(|e| e.checked_add(intrinsic)).map(|t| t.max(floor));
    if tx.to.is_none() {
        out.reason = "a contract creation: deployment is not bounded statically".into();
        return out;
    }
    match kind {
        "none" => {
            out.entry = "no code".into();
            out.execution = Some(0);
            out.bound = Some(intrinsic.max(floor));
            out.formula = Some("intrinsic gas".into());
            out.reason = "the target has no code: the transaction costs its intrinsic gas".into();
        }
        "EVM" => {
            let an = evm_to_wasm::analyze(code);
            let (mode, entry) = match tx.data.get(..4) {
                Some(s) => {
                    let sel = u32::from_be_bytes([s[0], s[1], s[2], s[3]]);
                    (evm::Mode::Selector(sel), format!("selector 0x{sel:08x}"))
                }
                None => (evm::Mode::Any, "any calldata".to_string()),
            };
            out.entry = entry;
            let b = evm::bound(code, &an, mode);
            match b.bound {
                Ok(_) if b.forwards_gas => {
                    out.reason = "the code calls or creates with forwarded gas: the callee's use is not bounded".into();
                }
                Ok(g) => {
                    out.execution = u64::try_from(g).ok();
                    out.bound = total(g);
                    out.formula =
                        Some(format!("{g} (EVM frame, worst case over {} abstract states) + intrinsic", b.states));
                    out.reason = "static bound of the EVM code for this selector (wasm-validator bounds::evm)".into();
                }
                Err(why) => out.reason = format!("unbounded: {why}"),
            }
        }
        "WASM" => {
            out.entry = "export call".into();
            let Some((_, wasm)) = envelope::parse_stored_code(code) else {
                out.reason = "the envelope does not parse".into();
                return out;
            };
            let report = match bounds::analyze(wasm) {
                Ok(r) => r,
                Err(e) => {
                    out.reason = format!("the module cannot be analyzed: {e}");
                    return out;
                }
            };
            let Some(call) = report.export("call") else {
                out.reason = "the module exports no call".into();
                return out;
            };
            if let Some(reason) = call.bound.reason() {
                out.reason = format!("unbounded: {reason:?}");
                return out;
            }
            let formula = call.bound.formula().map(ToString::to_string);
            out.formula = formula.clone();
            if call.forwards_gas {
                out.reason = "the export calls or creates with forwarded gas: the callee's use is not bounded".into();
                return out;
            }
            let mut inputs = vec![(Var::CalldataSize, tx.data.len() as u128)];
            for v in call.bound.formula().map(|f| f.vars()).unwrap_or_default() {
                if let Var::Calldata { offset, len } = v {
                    if let Some(x) = calldata_var(&tx.data, offset, len) {
                        inputs.push((v, x));
                    }
                }
            }
            match call.bound.eval(&inputs) {
                Some(g) => {
                    out.execution = u64::try_from(g).ok();
                    out.bound = total(g);
                    out.reason =
                        "static bound of the export, evaluated at this calldata (wasm-validator bounds)".into();
                }
                None => {
                    out.reason = format!(
                        "the bound {} depends on inputs this call does not fix (return data, memory)",
                        formula.unwrap_or_default()
                    );
                }
            }
        }
        "delegation" => {
            out.reason = "an EIP-7702 delegation: the delegate's bound is not followed".into();
        }
        "native" => {
            out.entry = "export call".into();
            out.reason = "native RV64IM contracts: the bounds of the lifted code are not computed by the node".into();
        }
        _ => out.reason = "the code is not a valid envelope".into(),
    }
    out
}

#[cfg(test)]
mod tests {
    use wasm_runtime::primitives::{Address, Bytes};

    use super::*;

    fn call(data: &[u8]) -> TxEnv {
        TxEnv { to: Some(Address::repeat_byte(7)), data: Bytes::copy_from_slice(data), ..TxEnv::default() }
    }

    /// A plain transfer costs exactly its intrinsic gas: 21000.
    #[test]
    fn no_code_is_intrinsic() {
        let b = gas_bound(&call(&[]), &[], true);
        assert_eq!(b.bound, Some(21_000));
    }

    /// `PUSH1 1 PUSH1 0 SSTORE STOP`: 3 + 3 + 22100 (cold slot, zero to non-zero) at worst,
    /// on top of 21000.
    #[test]
    fn straight_evm_code_is_bounded() {
        let b = gas_bound(&call(&[]), &[0x60, 0x01, 0x60, 0x00, 0x55, 0x00], true);
        assert_eq!(b.kind, "EVM");
        let exec = b.execution.expect("bounded");
        assert!(exec >= 22_106, "{exec}");
        assert_eq!(b.bound, Some(21_000 + exec));
    }

    /// A loop with no counter (`JUMPDEST PUSH1 0 JUMP`) has no bound.
    #[test]
    fn an_endless_loop_is_unbounded() {
        let b = gas_bound(&call(&[]), &[0x5b, 0x60, 0x00, 0x56], true);
        assert_eq!(b.bound, None);
        assert!(b.reason.starts_with("unbounded"), "{}", b.reason);
    }
}
