//! The anchor: revm built for RV64IM (`bench/out/revm-driver.elf`, crate `bench/revm-driver`)
//! executing the case's transaction on the machine. The program brackets its host work
//! (keccak256, database reads, journal operations, precompiles) with marker `ecall`s; this
//! module counts the instructions inside and outside them.

use rv_machine::isa::Reg;
use rv_machine::{Config, Exit, Machine};

use bench_kernels::protocol::{self, MARK, STATUS_OK};
use wasm_runtime::primitives::{B256, U256};

use super::input::Case;
use super::zkos::CHAIN_ID;
use crate::program::BUDGET;

/// Marker values in `a0` (as `bench/revm-driver` sets them).
const PHASE: u64 = 0;
const HOST_ENTER: u64 = 1;
const HOST_LEAVE: u64 = 2;

/// The program's status for a transaction revm's validation rejected.
const STATUS_REJECTED: u64 = 20;

/// What the transaction did on revm, and what it cost.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `success` or `failure` (revert or halt).
    pub status: &'static str,
    /// revm's own word for it: `success`, `revert` or `halt`.
    pub detail: &'static str,
    pub gas_used: u64,
    /// keccak256 of the return (or revert) data.
    pub output_hash: B256,
    /// Instructions of `transact` (everything revm does for the transaction).
    pub transact: u64,
    /// Of those, instructions inside host brackets (outermost brackets only).
    pub host: u64,
    /// Host brackets entered during `transact` (nested ones included).
    pub host_calls: u64,
    /// Instructions before `transact`: reading the input, building the database (revm's
    /// jump-table analysis and code hashing of the pre-state).
    pub setup: u64,
}

fn word(out: &mut Vec<u8>, v: U256) {
    out.extend_from_slice(&v.to_be_bytes::<32>());
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) -> Result<(), String> {
    let n = u32::try_from(b.len()).map_err(|_| "a byte string longer than 4 GiB".to_string())?;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(b);
    Ok(())
}

/// The program's input (the layout `bench/revm-driver/src/input.rs` reads).
pub fn encode(case: &Case) -> Result<Vec<u8>, String> {
    let mut out = vec![u8::from(case.osaka)];
    out.extend_from_slice(&CHAIN_ID.to_le_bytes());
    let b = &case.block;
    for x in [b.number, b.timestamp, b.gas_limit, b.base_fee] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(b.coinbase.as_slice());
    out.extend_from_slice(b.prev_randao.as_slice());
    let n = u32::try_from(case.pre.len()).map_err(|_| "too many accounts".to_string())?;
    out.extend_from_slice(&n.to_le_bytes());
    for (address, acc) in &case.pre {
        out.extend_from_slice(address.as_slice());
        word(&mut out, acc.balance);
        out.extend_from_slice(&acc.nonce.to_le_bytes());
        bytes(&mut out, &acc.code)?;
        let m = u32::try_from(acc.storage.len()).map_err(|_| "too many slots".to_string())?;
        out.extend_from_slice(&m.to_le_bytes());
        for (k, v) in &acc.storage {
            word(&mut out, *k);
            word(&mut out, *v);
        }
    }
    let t = &case.tx;
    out.extend_from_slice(t.sender.as_slice());
    out.push(u8::from(t.to.is_some()));
    out.extend_from_slice(t.to.unwrap_or_default().as_slice());
    word(&mut out, t.value);
    out.extend_from_slice(&t.gas_limit.to_le_bytes());
    out.extend_from_slice(&t.gas_price.to_le_bytes());
    out.extend_from_slice(&t.nonce.to_le_bytes());
    bytes(&mut out, &t.data)?;
    Ok(out)
}

/// The program's input as UART words: the byte string's length, then its bytes.
fn words(input: &[u8]) -> Result<Vec<u32>, String> {
    u32::try_from(input.len()).map_err(|_| "input longer than 4 GiB".to_string())?;
    let mut w = Vec::new();
    protocol::bytes_to_words(input, &mut w);
    Ok(w)
}

/// Counts of one run, from the markers.
#[derive(Debug, Default)]
struct Counts {
    /// Instruction counts at the phase markers.
    phases: Vec<u64>,
    depth: u64,
    entered_at: u64,
    host: u64,
    host_calls: u64,
}

impl Counts {
    fn marker(&mut self, kind: u64, at: u64) -> Result<(), String> {
        // Host work is counted only inside `transact` (between the two phase markers).
        let in_transact = self.phases.len() == 1;
        match kind {
            PHASE if self.depth == 0 => self.phases.push(at),
            PHASE => return Err("a phase marker inside host work".into()),
            HOST_ENTER => {
                if self.depth == 0 {
                    self.entered_at = at;
                }
                self.depth += 1;
                self.host_calls += u64::from(in_transact);
            }
            HOST_LEAVE => {
                self.depth = self.depth.checked_sub(1).ok_or("a host leave marker without an enter")?;
                if self.depth == 0 && in_transact {
                    self.host += at - self.entered_at;
                }
            }
            other => return Err(format!("unknown marker {other}")),
        }
        Ok(())
    }
}

/// Runs the case on revm in the machine.
pub fn run(elf: &[u8], case: &Case) -> Result<Outcome, String> {
    let input = words(&encode(case)?)?;
    let mut m = Machine::from_elf(Config::default(), elf).map_err(|e| format!("cannot load: {e}"))?;
    m.push_input(&input);
    let mut counts = Counts::default();
    loop {
        match m.run(BUDGET.saturating_sub(m.instret())) {
            Exit::Ecall if m.reg(Reg::A7) == MARK => counts.marker(m.reg(Reg::A0), m.instret())?,
            Exit::Ecall => return Err(format!("unexpected ecall {} at pc {:#x}", m.reg(Reg::A7), m.pc() - 4)),
            Exit::Ebreak => break,
            Exit::BudgetExhausted => return Err(format!("still running after {BUDGET} instructions")),
            Exit::Trap(t) => return Err(format!("trapped after {} instructions: {t}", m.instret())),
        }
    }
    let status = m.reg(Reg::A0);
    match status {
        STATUS_OK => {}
        STATUS_REJECTED => return Err("revm rejected the transaction".into()),
        protocol::STATUS_BAD_INPUT => return Err("the program could not read its input".into()),
        protocol::STATUS_TRAP => return Err("revm failed (a database or internal error)".into()),
        protocol::STATUS_PANIC => return Err("the program panicked".into()),
        s => return Err(format!("exited with status {s}")),
    }
    let &[setup, after] = counts.phases.as_slice() else {
        return Err(format!("passed {} phase markers, expected 2", counts.phases.len()));
    };
    if counts.depth != 0 {
        return Err("ended inside host work".into());
    }
    let out = m.take_output();
    let [status, lo, hi, hash @ ..] = out.as_slice() else {
        return Err(format!("wrote {} output words, expected 11", out.len()));
    };
    if hash.len() != 8 {
        return Err(format!("wrote {} output words, expected 11", out.len()));
    }
    let (status, detail) = match status {
        0 => ("success", "success"),
        1 => ("failure", "revert"),
        2 => ("failure", "halt"),
        s => return Err(format!("unknown result status {s}")),
    };
    let mut h = [0u8; 32];
    for (chunk, w) in h.chunks_mut(4).zip(hash) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Ok(Outcome {
        status,
        detail,
        gas_used: protocol::words_to_u64(*lo, *hi),
        output_hash: B256::from(h),
        transact: after - setup,
        host: counts.host,
        host_calls: counts.host_calls,
        setup,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_split_host_work_inside_transact() {
        let mut c = Counts::default();
        // Setup: a bracket before transact is not counted.
        c.marker(HOST_ENTER, 10).unwrap();
        c.marker(HOST_LEAVE, 20).unwrap();
        c.marker(PHASE, 100).unwrap();
        // Nested brackets count once, from the outermost.
        c.marker(HOST_ENTER, 110).unwrap();
        c.marker(HOST_ENTER, 115).unwrap();
        c.marker(HOST_LEAVE, 120).unwrap();
        c.marker(HOST_LEAVE, 130).unwrap();
        c.marker(HOST_ENTER, 150).unwrap();
        c.marker(HOST_LEAVE, 155).unwrap();
        c.marker(PHASE, 200).unwrap();
        assert_eq!(c.phases, [100, 200]);
        assert_eq!(c.host, 25);
        assert_eq!(c.host_calls, 3);
        assert!(Counts::default().marker(HOST_LEAVE, 1).is_err());
        assert!(Counts::default().marker(7, 1).is_err());
        let mut inside = Counts::default();
        inside.marker(HOST_ENTER, 1).unwrap();
        assert!(inside.marker(PHASE, 2).is_err());
    }
}
