//! What can go wrong in `zkos bench`.

use std::fmt;

/// A failure of the benchmark: a missing build, a program that failed on the machine, or
/// ways that disagree.
#[derive(Debug)]
pub enum BenchError {
    /// A file `bench/build.sh` produces is missing or unreadable.
    Artifact {
        /// The path.
        path: String,
        /// What the system reported.
        message: String,
    },
    /// A bad flag value, or a failure outside the kernels (the machine's speed workload).
    Usage(String),
    /// The WASM module failed validation or metering.
    Module(String),
    /// A program stopped other than by finishing.
    Program {
        /// Which program (`native.elf`, `wasmi-driver.elf`, ...).
        program: &'static str,
        /// The kernel it ran.
        kernel: &'static str,
        /// What happened.
        problem: String,
    },
    /// Some way computed another checksum than the host.
    Mismatch(Vec<String>),
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Artifact { path, message } => {
                write!(f, "bench: {path}: {message} (build the benchmark programs with bench/build.sh)")
            }
            BenchError::Usage(m) => write!(f, "bench: {m}"),
            BenchError::Module(m) => write!(f, "bench: the kernels' WASM module: {m}"),
            BenchError::Program { program, kernel, problem } => {
                write!(f, "bench: {program} running {kernel}: {problem}")
            }
            BenchError::Mismatch(lines) => {
                write!(f, "bench: checksums disagree:")?;
                for l in lines {
                    write!(f, "\n  {l}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BenchError {}

impl BenchError {
    /// The process exit code: 11 for a missing or unreadable program (as `zkos` reports I/O
    /// errors), 3 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            BenchError::Artifact { .. } => 11,
            _ => 3,
        }
    }
}
