//! The lifting column (issue 13 item 2): the kernels as a native zkos contract
//! (`bench/out/native-contract.elf`, built by rustc for RV64IM from `bench/native-contract`:
//! the same kernels behind `read(0)`, `write(1)` and `exit`) run two ways:
//!
//! - **direct**: the ELF on rv-machine, its system calls emulated for free (what the program
//!   itself executes);
//! - **lifted**: the same ELF deployed in a kind-0x02 envelope, so lifted to WASM by
//!   native-shim, validated, metered and compiled by rv-backend as any deployment does, then
//!   called in a transaction on the rv engine; the count is the contract code's instructions
//!   on the machine (`stats.rv_instructions`: the lifted code, its metering and sandboxing,
//!   and the compiled side of its system calls; not the host's work).
//!
//! Both runs compute the kernel's checksum, which must be the host's; the counts are per
//! whole call (the calldata read and the checksum written are a few dozen instructions).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use bench_kernels::{Kernel, Suite, SCRATCH_WORDS};
use host_abi::envelope::{Envelope, Kind};
use rv_machine::isa::Reg;
use rv_machine::{Config, Exit, Machine};
use serde::Serialize;
use wasm_runtime::engine::EngineKind;
use wasm_runtime::env::{BlockEnv, TxEnv};
use wasm_runtime::fork::Fork;
use wasm_runtime::platform::{AccountInfo, MemoryDb};
use wasm_runtime::primitives::{Address, Bytes, B256, U256};

use crate::error::BenchError;
use crate::program::BUDGET;
use crate::report::{geomean, grouped, ratio};
use crate::Size;

/// The contract ELF in the directory `bench/build.sh` writes.
pub const FILE: &str = "native-contract.elf";

/// The account that deploys and calls the contract.
const SENDER: Address = Address::repeat_byte(0x5e);
/// Gas of the call: far more than any kernel uses (the block is Prague's, which has no
/// transaction gas cap).
const GAS: u64 = 1 << 40;

/// One kernel run directly and lifted.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiftRow {
    /// The kernel.
    pub kernel: &'static str,
    /// The size.
    pub n: u64,
    /// Instructions of the ELF run directly on rv-machine, entry to `exit`.
    pub direct: u64,
    /// Instructions of the lifted and compiled contract's call on the rv engine.
    pub lifted: u64,
    /// Gas the call used (the transaction's, intrinsic gas included).
    pub gas: u64,
    /// lifted / direct.
    pub lifted_over_direct: f64,
}

/// The lifting column: one row per kernel and the geometric mean of the ratios.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifting {
    /// Bytes of the contract ELF.
    pub elf_bytes: usize,
    /// One row per kernel.
    pub rows: Vec<LiftRow>,
    /// Geometric mean of lifted / direct (`None` without kernels).
    pub geomean: Option<f64>,
}

/// Calldata of a call of `kernel` with size `n`: the id padded to 8 bytes, then `n`.
fn calldata(kernel: Kernel, n: u64) -> Vec<u8> {
    [u64::from(kernel.id()).to_le_bytes(), n.to_le_bytes()].concat()
}

/// Runs `elf` directly on rv-machine with `input` as its calldata: the instructions from the
/// entry to `exit(0)` and what it wrote to fd 1. `read`, `write` and `exit` are emulated as
/// docs/native.md defines them; any other call, a trap, a non-zero exit or the budget running
/// out is an error.
pub fn direct(elf: &[u8], input: &[u8]) -> Result<(u64, Vec<u8>), String> {
    let mut m = Machine::from_elf(Config::default(), elf).map_err(|e| format!("cannot load: {e}"))?;
    let (mut cursor, mut out) = (0usize, Vec::new());
    loop {
        match m.run(BUDGET.saturating_sub(m.instret())) {
            Exit::Ecall => {}
            Exit::BudgetExhausted => return Err(format!("still running after {BUDGET} instructions")),
            Exit::Trap(t) => return Err(format!("trapped after {} instructions: {t}", m.instret())),
            other => return Err(format!("stopped at {:#x}: {other:?}", m.pc())),
        }
        let [a0, a1, a2] = [m.reg(Reg::A0), m.reg(Reg::A1), m.reg(Reg::A2)];
        match (m.reg(Reg::A7), a0) {
            (63, 0) => {
                let n = usize::try_from(a2).unwrap_or(usize::MAX).min(input.len() - cursor);
                m.write_bytes(a1, &input[cursor..cursor + n]).map_err(|e| format!("read into {a1:#x}: {e}"))?;
                cursor += n;
                m.set_reg(Reg::A0, n as u64);
            }
            (64, 1) => {
                let len = usize::try_from(a2).map_err(|_| format!("write of {a2} bytes"))?;
                out.extend(m.read_vec(a1, len).map_err(|e| format!("write from {a1:#x}: {e}"))?);
                m.set_reg(Reg::A0, a2);
            }
            (93, 0) => return Ok((m.instret(), out)),
            (93, code) => return Err(format!("exited with {code}")),
            (n, _) => return Err(format!("system call {n} at {:#x}, which the contract does not make", m.pc() - 4)),
        }
    }
}

/// A funded sender, nothing else.
fn pre_state() -> MemoryDb {
    let mut db = MemoryDb::default();
    db.insert(SENDER, AccountInfo::with_balance(U256::from(1u8) << 200, 0), BTreeMap::new());
    db
}

fn block() -> BlockEnv {
    BlockEnv {
        number: 1,
        timestamp: 1_800_000_000,
        coinbase: Address::repeat_byte(0xC0),
        gas_limit: GAS * 2,
        base_fee: U256::from(7u64),
        chain_id: 1,
        fork: Fork::Prague,
        ..BlockEnv::default()
    }
}

fn tx(nonce: u64, to: Option<Address>, data: Vec<u8>) -> TxEnv {
    TxEnv {
        tx_type: 2,
        caller: SENDER,
        nonce,
        gas_limit: GAS,
        max_fee_per_gas: U256::from(10u64),
        max_priority_fee_per_gas: U256::from(1u64),
        to,
        value: U256::ZERO,
        data: Bytes::from(data),
        hash: B256::with_last_byte(nonce as u8 + 1),
        ..TxEnv::default()
    }
}

/// The chain with the contract deployed from `elf` (lifted, validated, metered and compiled
/// as every deployment is), and its address.
fn deploy(elf: &[u8]) -> Result<(MemoryDb, Address), String> {
    let env = Envelope { kind: Kind::Rv64im, version: 0, constants: &[], code: elf };
    let mut init = vec![0u8; env.encoded_len()];
    env.encode_into(&mut init).ok_or("the envelope does not fit its length")?;
    let mut db = pre_state();
    let out = wasm_runtime::exec::execute_block_with(&mut db, &block(), vec![Ok(tx(0, None, init))], EngineKind::Rv);
    if let Some(e) = &out.error {
        return Err(format!("the deployment's block failed: {e}"));
    }
    let r = out.receipts.first().ok_or_else(|| format!("deployment rejected: {:?}", out.rejected))?;
    if !r.success {
        return Err(format!("deployment failed: {:?}", r.error));
    }
    let at = r.contract_address.ok_or("the deployment created nothing")?;
    db.apply(&out.diff);
    Ok((db, at))
}

/// Calls the contract at `at` with `input` on the rv engine: its instructions on the machine,
/// its output and the gas used.
fn lifted(db: &MemoryDb, at: Address, input: &[u8]) -> Result<(u64, Vec<u8>, u64), String> {
    let mut db = db.clone();
    let out = wasm_runtime::exec::execute_block_with(
        &mut db,
        &block(),
        vec![Ok(tx(1, Some(at), input.to_vec()))],
        EngineKind::Rv,
    );
    if let Some(e) = &out.error {
        return Err(format!("the block failed: {e}"));
    }
    let r = out.receipts.first().ok_or_else(|| format!("the call was rejected: {:?}", out.rejected))?;
    if !r.success {
        return Err(format!("the call failed: {:?}", r.error));
    }
    Ok((out.stats.rv_instructions, r.output.to_vec(), r.gas_used))
}

/// The checksum in a run's output (8 bytes, little-endian).
fn checksum(out: &[u8]) -> Result<u64, String> {
    let bytes: [u8; 8] = out.try_into().map_err(|_| format!("wrote {} bytes, expected 8", out.len()))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Runs the core kernels among `kernels` (the contract has no others: see
/// `bench/native-contract`) at `size` both ways from the ELF in `dir`; every checksum must be
/// the host's.
pub fn run(dir: &Path, kernels: &[Kernel], size: Size) -> Result<Lifting, BenchError> {
    let kernels: Vec<Kernel> = kernels.iter().copied().filter(|k| k.suite() == Suite::Core).collect();
    let kernels = &kernels[..];
    let path = dir.join(FILE);
    let elf = std::fs::read(&path)
        .map_err(|e| BenchError::Artifact { path: path.display().to_string(), message: e.to_string() })?;
    let program =
        |kernel: Kernel| move |problem: String| BenchError::Program { program: FILE, kernel: kernel.name(), problem };
    let (db, at) = deploy(&elf).map_err(program(kernels.first().copied().unwrap_or(Kernel::Fibonacci)))?;
    let mut scratch = vec![0u64; SCRATCH_WORDS];
    let (mut rows, mut mismatches) = (Vec::new(), Vec::new());
    for &kernel in kernels {
        let fail = program(kernel);
        let n = size.of(kernel);
        let expected = kernel.run(n, &mut scratch);
        let input = calldata(kernel, n);
        let (direct, out) = direct(&elf, &input).map_err(&fail)?;
        let direct_sum = checksum(&out).map_err(&fail)?;
        let (lifted, out, gas) = lifted(&db, at, &input).map_err(&fail)?;
        let lifted_sum = checksum(&out).map_err(&fail)?;
        for (way, got) in [("direct", direct_sum), ("lifted", lifted_sum)] {
            if got != expected {
                mismatches
                    .push(format!("{} n={n}: {FILE} {way} checksum {got:#018x}, host {expected:#018x}", kernel.name()));
            }
        }
        rows.push(LiftRow { kernel: kernel.name(), n, direct, lifted, gas, lifted_over_direct: ratio(lifted, direct) });
    }
    if !mismatches.is_empty() {
        return Err(BenchError::Mismatch(mismatches));
    }
    let geomean = geomean(rows.iter().map(|r| r.lifted_over_direct));
    Ok(Lifting { elf_bytes: elf.len(), rows, geomean })
}

impl Lifting {
    /// The column as its own table, after the main one.
    pub fn write_text(&self, s: &mut String) -> std::fmt::Result {
        writeln!(
            s,
            "\nnative contract ({FILE}, {} bytes: the kernels behind read/write/exit): the ELF run directly on \
             rv-machine, and lifted by native-shim, metered and compiled by rv-backend, called on the rv engine",
            self.elf_bytes
        )?;
        writeln!(s, "{:<10} {:>15} {:>15} {:>13} {:>9}", "kernel", "direct", "lifted", "gas", "lift/dir")?;
        for r in &self.rows {
            writeln!(
                s,
                "{:<10} {:>15} {:>15} {:>13} {:>9}",
                r.kernel,
                grouped(r.direct),
                grouped(r.lifted),
                grouped(r.gas),
                format!("{:.2}x", r.lifted_over_direct)
            )?;
        }
        let mean = self.geomean.map_or_else(|| "n/a".into(), |g| format!("{g:.2}x"));
        writeln!(s, "{:<10} {:>15} {:>15} {:>13} {:>9}", "geomean", "", "", "", mean)
    }
}

/// `zkos bench native`: the lifting table alone, as text or JSON.
pub fn main(args: &crate::Args) -> std::process::ExitCode {
    let result = crate::selected(&args.kernels).and_then(|kernels| run(&args.dir, &kernels, args.size));
    crate::emit("zkos bench native", result, args.json, |lifting| {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = lifting.write_text(&mut s);
        s.trim_start().to_string()
    })
}
