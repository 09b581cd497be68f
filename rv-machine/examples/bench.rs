//! Prints the machine's speed.
//!
//! - `cargo run --release -p rv-machine --example bench [iterations]`: the built-in integer
//!   workload.
//! - `cargo run --release -p rv-machine --example bench -- path/to/static.elf [--histogram]`:
//!   a static RV64IM executable that uses Linux `write` (64) and `exit` (93).

use std::time::Instant;

use rv_machine::isa::Reg;
use rv_machine::{Config, Exit, Machine};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let histogram = args.iter().any(|a| a == "--histogram");
    let first = args.iter().find(|a| !a.starts_with("--"));
    let code = match first {
        Some(path) if std::path::Path::new(path).is_file() => run_elf(path, histogram),
        other => {
            let iterations = other.and_then(|s| s.parse().ok()).unwrap_or(20_000_000u64);
            builtin(iterations)
        }
    };
    std::process::exit(code);
}

fn builtin(iterations: u64) -> i32 {
    match rv_machine::bench::run(iterations) {
        Ok(r) => {
            let check = if r.verified() { "ok" } else { "WRONG" };
            println!("{} instructions in {:.3} s: {:.0} MIPS (checksum {check})", r.instructions, r.seconds, r.mips());
            i32::from(!r.verified())
        }
        Err(e) => {
            eprintln!("bench: {e}");
            1
        }
    }
}

fn run_elf(path: &str, histogram: bool) -> i32 {
    let file = match std::fs::read(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return 1;
        }
    };
    let mut m = match Machine::from_elf(Config { histogram, ..Config::default() }, &file) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{path}: {e}");
            return 1;
        }
    };
    let start = Instant::now();
    let status = loop {
        match m.run(u64::MAX) {
            Exit::Ecall => match m.reg(Reg::A7) {
                64 => {
                    let len = m.reg(Reg::A2);
                    m.set_reg(Reg::A0, len);
                }
                93 | 94 => break m.reg(Reg::A0) as u8,
                n => {
                    eprintln!("unsupported syscall {n}");
                    break 255;
                }
            },
            other => {
                eprintln!("stopped: {other}");
                break 255;
            }
        }
    };
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{path}: exit {status}, {} instructions in {secs:.3} s: {:.0} MIPS",
        m.instret(),
        m.instret() as f64 / secs / 1e6
    );
    if let Some(h) = m.histogram() {
        for (op, n) in h.sorted().iter().take(12) {
            println!("  {:<8} {n:>12}", op.mnemonic());
        }
    }
    0
}
