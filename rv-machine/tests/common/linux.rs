//! Running a static executable the way qemu-user does, as far as the test programs need:
//! `write` (64) to fd 1 or 2 and `exit`/`exit_group` (93/94), on the machine and on qemu.

use std::path::Path;
use std::process::Command;

use rv_machine::isa::Reg;
use rv_machine::{Config, Exit, Machine};

use super::tools;

/// What a program printed and its exit status.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub status: i32,
}

/// Runs the ELF on the machine, serving the syscalls, twice: with the histogram (the stepping
/// interpreter) and without (the block interpreter), which must agree exactly. Returns the
/// run with the histogram. Panics on anything unexpected.
pub fn run_machine(elf: &[u8], budget: u64) -> (Outcome, Machine) {
    let (stepped, m) = run_config(elf, budget, true);
    let (blocks, b) = run_config(elf, budget, false);
    assert_eq!(stepped, blocks, "the two interpreters disagree");
    assert_eq!((m.pc(), m.instret(), m.regs()), (b.pc(), b.instret(), b.regs()), "the two interpreters disagree");
    (stepped, m)
}

fn run_config(elf: &[u8], budget: u64, histogram: bool) -> (Outcome, Machine) {
    let mut m = Machine::from_elf(Config { histogram, ..Config::default() }, elf)
        .unwrap_or_else(|e| panic!("loading the ELF: {e}"));
    let mut stdout = Vec::new();
    loop {
        let left = budget.saturating_sub(m.instret());
        match m.run(left) {
            Exit::Ecall => {}
            other => panic!("machine stopped with {other} after {} instructions", m.instret()),
        }
        let (a0, a1, a2) = (m.reg(Reg::A0), m.reg(Reg::A1), m.reg(Reg::A2));
        match m.reg(Reg::A7) {
            64 => {
                let bytes = m.read_vec(a1, a2 as usize).unwrap_or_else(|e| panic!("write({a0}, {a1:#x}, {a2}): {e}"));
                if a0 == 1 {
                    stdout.extend_from_slice(&bytes);
                }
                m.set_reg(Reg::A0, a2);
            }
            93 | 94 => {
                let status = i32::from(a0 as u8);
                return (Outcome { stdout, status }, m);
            }
            n => panic!("unexpected syscall {n} at pc {:#x}", m.pc() - 4),
        }
    }
}

/// Runs the ELF file under qemu-riscv64.
pub fn run_qemu(path: &Path) -> Outcome {
    let out = Command::new(tools::qemu())
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("running qemu on {}: {e}", path.display()));
    let status = out
        .status
        .code()
        .unwrap_or_else(|| panic!("qemu killed by a signal running {}: {:?}", path.display(), out.status));
    Outcome { stdout: out.stdout, status }
}
