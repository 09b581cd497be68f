//! The three ways of running a kernel, each on the RV64IM machine.

use bench_kernels::protocol::{bytes_to_words, u64_to_words, GAS_PRESENT};
use bench_kernels::Kernel;

use crate::artifacts::Artifacts;
use crate::error::BenchError;
use crate::program::{self, output_u64};

/// Gas given to the metered module: far more than any kernel uses.
pub const GAS: u64 = 1 << 62;

/// A kernel run natively: rustc's RV64IM code.
#[derive(Debug, Clone, Copy)]
pub struct Native {
    /// Instructions from the marker before the kernel call to the one after it.
    pub instructions: u64,
    /// The checksum.
    pub checksum: u64,
    /// Instructions of the whole program.
    pub total: u64,
    /// Wall-clock seconds of the whole program on the machine.
    pub seconds: f64,
}

/// Runs `kernel` of `native.elf` with size `n`.
pub fn native(art: &Artifacts, kernel: Kernel, n: u64) -> Result<Native, BenchError> {
    let fail = |problem: String| BenchError::Program { program: "native.elf", kernel: kernel.name(), problem };
    let mut input = vec![kernel.id()];
    input.extend(u64_to_words(n));
    let run = program::run(&art.native, &input, 2).map_err(fail)?;
    Ok(Native {
        instructions: run.phase(0),
        checksum: output_u64(&run.output, 0).map_err(fail)?,
        total: run.total(),
        seconds: run.seconds,
    })
}

/// A kernel's export run by wasmi on the machine.
#[derive(Debug, Clone, Copy)]
pub struct Interpreted {
    /// Instructions of `Module::new` (parsing, validation, eager translation).
    pub translate: u64,
    /// Instructions of instantiation and setting the gas.
    pub instantiate: u64,
    /// Instructions of the call.
    pub call: u64,
    /// The checksum.
    pub checksum: u64,
    /// Gas the call used (the module is metered).
    pub gas: u64,
    /// Instructions of the whole program.
    pub total: u64,
    /// Wall-clock seconds of the whole program on the machine.
    pub seconds: f64,
}

/// Runs `kernel`'s export of its metered module in `wasmi-driver.elf` with size `n`.
pub fn interpreted(art: &Artifacts, kernel: Kernel, n: u64) -> Result<Interpreted, BenchError> {
    let fail = |problem: String| BenchError::Program { program: "wasmi-driver.elf", kernel: kernel.name(), problem };
    let mut input = Vec::new();
    bytes_to_words(art.metered_of(kernel.suite()), &mut input);
    bytes_to_words(kernel.name().as_bytes(), &mut input);
    input.extend(u64_to_words(n));
    input.extend(u64_to_words(GAS));
    let run = program::run(&art.wasmi_driver, &input, 4).map_err(fail)?;
    let checksum = output_u64(&run.output, 0).map_err(fail)?;
    if run.output.get(2) != Some(&GAS_PRESENT) {
        return Err(fail("the metered module has no gas global".into()));
    }
    let gas_left = output_u64(&run.output, 3).map_err(fail)?;
    Ok(Interpreted {
        translate: run.phase(0),
        instantiate: run.phase(1),
        call: run.phase(2),
        checksum,
        gas: GAS.saturating_sub(gas_left),
        total: run.total(),
        seconds: run.seconds,
    })
}
