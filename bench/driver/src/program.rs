//! Running a benchmark program on the RV64IM machine, phase by phase.

use rv_machine::isa::Reg;
use rv_machine::{Config, Exit, Machine};

use bench_kernels::protocol::{self, MARK, STATUS_OK};

/// Instructions a program may execute before the run is abandoned (about a minute).
pub const BUDGET: u64 = 1 << 35;

/// A finished run.
#[derive(Debug, Clone)]
pub struct Run {
    /// The instruction count at each marker `ecall`, then at the final `ebreak`.
    pub marks: Vec<u64>,
    /// The words the program wrote.
    pub output: Vec<u32>,
    /// Wall-clock seconds on the machine.
    pub seconds: f64,
}

impl Run {
    /// Instructions between marker `i` and marker `i + 1` (the final `ebreak` counts as the
    /// last marker).
    pub fn phase(&self, i: usize) -> u64 {
        self.marks[i + 1] - self.marks[i]
    }

    /// Instructions of the whole program.
    pub fn total(&self) -> u64 {
        self.marks.last().copied().unwrap_or(0)
    }
}

/// Loads `elf`, feeds it `input` and runs it to its final `ebreak`. A trap, a foreign
/// `ecall`, a non-zero status or the budget running out is an error naming what happened.
pub fn run(elf: &[u8], input: &[u32], markers: usize) -> Result<Run, String> {
    let mut m = Machine::from_elf(Config::default(), elf).map_err(|e| format!("cannot load: {e}"))?;
    m.push_input(input);
    let mut marks = Vec::new();
    let start = std::time::Instant::now();
    loop {
        match m.run(BUDGET.saturating_sub(m.instret())) {
            Exit::Ecall if m.reg(Reg::A7) == MARK => marks.push(m.instret()),
            Exit::Ecall => return Err(format!("unexpected ecall {} at pc {:#x}", m.reg(Reg::A7), m.pc() - 4)),
            Exit::Ebreak => break,
            Exit::BudgetExhausted => return Err(format!("still running after {BUDGET} instructions")),
            Exit::Trap(t) => return Err(format!("trapped after {} instructions: {t}", m.instret())),
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    marks.push(m.instret());
    let status = m.reg(Reg::A0);
    if status != STATUS_OK {
        return Err(format!("exited with status {status} ({})", status_name(status)));
    }
    if marks.len() != markers + 1 {
        return Err(format!("passed {} markers, expected {markers}", marks.len() - 1));
    }
    Ok(Run { marks, output: m.take_output(), seconds })
}

fn status_name(status: u64) -> &'static str {
    match status {
        protocol::STATUS_BAD_INPUT => "bad input",
        protocol::STATUS_MODULE => "wasmi rejected the module",
        protocol::STATUS_INSTANTIATE => "wasmi could not instantiate the module",
        protocol::STATUS_EXPORT => "missing export or wrong signature",
        protocol::STATUS_TRAP => "the call trapped",
        protocol::STATUS_PANIC => "the program panicked",
        _ => "unknown status",
    }
}

/// The 64-bit value at output words `at` and `at + 1`.
pub fn output_u64(output: &[u32], at: usize) -> Result<u64, String> {
    match output.get(at..at + 2) {
        Some(&[lo, hi]) => Ok(protocol::words_to_u64(lo, hi)),
        _ => Err(format!("wrote {} output words, expected at least {}", output.len(), at + 2)),
    }
}
