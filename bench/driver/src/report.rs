//! The benchmark's results: one row per kernel, ratios, geometric means, text and JSON.

use std::fmt::Write as _;

use bench_kernels::{Kernel, Suite};
use serde::Serialize;

/// One kernel run three ways.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// The kernel (and its export).
    pub kernel: &'static str,
    /// What `n` counts.
    pub unit: &'static str,
    /// The size.
    pub n: u64,
    /// The checksum all ways computed (hex).
    pub checksum: String,
    /// Instructions of the native RV64IM code.
    pub native: u64,
    /// Instructions of the rv-backend code.
    pub compiled: u64,
    /// Instructions of wasmi's call on the machine.
    pub interpreted: u64,
    /// Gas the metered module charged for the call.
    pub gas: u64,
    /// Instructions of wasmi's `Module::new` (parse, validate, translate) on the machine.
    pub wasmi_translate: u64,
    /// Instructions of wasmi's instantiation on the machine.
    pub wasmi_instantiate: u64,
    /// compiled / native.
    pub compiled_over_native: f64,
    /// interpreted / compiled.
    pub interpreted_over_compiled: f64,
    /// interpreted / native.
    pub interpreted_over_native: f64,
    /// rv-machine's speed running the compiled call: millions of instructions per wall-clock
    /// second (informational; never compared).
    pub compiled_mips: f64,
}

/// Geometric means of the ratios over the kernels (`None` without kernels).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Means {
    /// Of compiled / native.
    pub compiled_over_native: Option<f64>,
    /// Of compiled / native over the seven core kernels (`kernels.wasm`) alone.
    pub compiled_over_native_core: Option<f64>,
    /// Of interpreted / compiled.
    pub interpreted_over_compiled: Option<f64>,
    /// Of interpreted / native.
    pub interpreted_over_native: Option<f64>,
    /// Of gas / compiled instructions.
    pub gas_over_compiled: Option<f64>,
}

/// The compiler's speed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompileSpeed {
    /// WASM bytes per second of rv-backend on the host.
    pub host_bytes_per_second: f64,
    /// RV64IM instructions of rv-backend compiling the metered module on the machine.
    pub machine_instructions: u64,
    /// The same per WASM byte.
    pub machine_instructions_per_byte: f64,
    /// For comparison: RV64IM instructions per WASM byte of wasmi's `Module::new` on the
    /// machine (eager translation).
    pub wasmi_instructions_per_byte: f64,
}

/// The machine's speed on its built-in workload (`rv_machine::bench`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineSpeed {
    /// Instructions executed.
    pub instructions: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Millions of instructions per second.
    pub mips: f64,
    /// Millions of instructions per second over all benchmark runs on the machine.
    pub benchmark_mips: f64,
}

/// Everything `zkos bench` measured.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `small` or `default`.
    pub size: &'static str,
    /// Where the programs came from.
    pub dir: String,
    /// Bytes of the module rustc produced.
    pub wasm_bytes: usize,
    /// Bytes of the metered module, which both WASM ways run.
    pub metered_bytes: usize,
    /// Bytes of the standard kernels' module from rustc.
    pub standard_wasm_bytes: usize,
    /// Bytes of it metered.
    pub standard_metered_bytes: usize,
    /// One row per kernel.
    pub rows: Vec<Row>,
    /// Geometric means.
    pub geomean: Means,
    /// The compiler's speed.
    pub compile: CompileSpeed,
    /// The native contract, run directly and lifted (the fourth way, its own table).
    pub lifting: crate::native_lift::Lifting,
    /// The machine's speed.
    pub machine: MachineSpeed,
}

/// The geometric mean of `xs`; `None` if it is empty.
pub fn geomean(xs: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = xs.into_iter().fold((0.0, 0u32), |(s, n), x| (s + x.ln(), n + 1));
    (n > 0).then(|| (sum / f64::from(n)).exp())
}

/// `a / b` as a ratio.
pub fn ratio(a: u64, b: u64) -> f64 {
    a as f64 / (b.max(1)) as f64
}

impl Means {
    /// The means over `rows`.
    pub fn of(rows: &[Row]) -> Means {
        let mean = |f: fn(&Row) -> f64| geomean(rows.iter().map(f));
        Means {
            compiled_over_native: mean(|r| r.compiled_over_native),
            compiled_over_native_core: geomean(
                rows.iter()
                    .filter(|r| Kernel::from_name(r.kernel).is_some_and(|k| k.suite() == Suite::Core))
                    .map(|r| r.compiled_over_native),
            ),
            interpreted_over_compiled: mean(|r| r.interpreted_over_compiled),
            interpreted_over_native: mean(|r| r.interpreted_over_native),
            gas_over_compiled: mean(|r| ratio(r.gas, r.compiled)),
        }
    }
}

/// Thousands separators: 1234567 → "1,234,567".
pub(crate) fn grouped(x: u64) -> String {
    let s = x.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn opt_ratio(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "n/a".into(), |r| format!("{r:.decimals$}x"))
}

impl Report {
    /// The report as a table with notes.
    pub fn text(&self) -> String {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_text(&mut s);
        s
    }

    fn write_text(&self, s: &mut String) -> std::fmt::Result {
        writeln!(
            s,
            "zkos bench ({} sizes, programs from {}): RV64IM instructions executed on rv-machine per kernel call",
            self.size, self.dir
        )?;
        writeln!(
            s,
            "  native: rustc for riscv64im; compiled: rustc for wasm32, metered, rv-backend; \
             interpreted: wasmi (riscv64im build) running the metered module\n"
        )?;
        writeln!(
            s,
            "{:<10} {:>18} {:>13} {:>13} {:>15} {:>13} {:>9} {:>9} {:>9} {:>18} {:>6}",
            "kernel",
            "size",
            "native",
            "compiled",
            "interpreted",
            "gas",
            "comp/nat",
            "int/comp",
            "int/nat",
            "checksum",
            "MIPS"
        )?;
        for r in &self.rows {
            writeln!(
                s,
                "{:<10} {:>18} {:>13} {:>13} {:>15} {:>13} {:>9} {:>9} {:>9} {:>18} {:>6.0}",
                r.kernel,
                format!("{} {}", grouped(r.n), r.unit),
                grouped(r.native),
                grouped(r.compiled),
                grouped(r.interpreted),
                grouped(r.gas),
                format!("{:.2}x", r.compiled_over_native),
                format!("{:.1}x", r.interpreted_over_compiled),
                format!("{:.1}x", r.interpreted_over_native),
                r.checksum,
                r.compiled_mips,
            )?;
        }
        let g = &self.geomean;
        writeln!(
            s,
            "{:<10} {:>18} {:>13} {:>13} {:>15} {:>13} {:>9} {:>9} {:>9}",
            "geomean",
            "",
            "",
            "",
            "",
            "",
            opt_ratio(g.compiled_over_native, 2),
            opt_ratio(g.interpreted_over_compiled, 1),
            opt_ratio(g.interpreted_over_native, 1),
        )?;
        self.lifting.write_text(s)?;
        writeln!(
            s,
            "\nEvery checksum agrees with the kernels run on the host; compiled and interpreted charge the same gas."
        )?;
        if let Some(core) = g.compiled_over_native_core {
            writeln!(s, "compiled/native geomean over the seven core kernels (kernels.wasm) alone: {core:.2}x")?;
        }
        if let Some(g) = g.gas_over_compiled {
            writeln!(s, "gas per compiled instruction (geomean): {g:.2}")?;
        }
        writeln!(
            s,
            "modules: kernels.wasm {} bytes from rustc, {} bytes metered (wasm_validator::meter); standard.wasm \
             (memset to interp) {} and {}; both WASM ways run the metered modules",
            self.wasm_bytes, self.metered_bytes, self.standard_wasm_bytes, self.standard_metered_bytes
        )?;
        if let Some(r) = self.rows.first() {
            writeln!(
                s,
                "wasmi on the machine, kernels.wasm: Module::new {} instructions ({:.0} per WASM byte), instantiation {} (not in the table)",
                grouped(r.wasmi_translate),
                self.compile.wasmi_instructions_per_byte,
                grouped(r.wasmi_instantiate)
            )?;
        }
        let c = &self.compile;
        writeln!(
            s,
            "rv-backend compiling kernels.wasm metered: {:.1} MB/s on the host; {} instructions on the machine ({:.0} per WASM byte)",
            c.host_bytes_per_second / 1e6,
            grouped(c.machine_instructions),
            c.machine_instructions_per_byte
        )?;
        let m = &self.machine;
        writeln!(
            s,
            "machine speed: {:.0} MIPS (rv_machine::bench, {} instructions in {:.3} s); {:.0} MIPS over the benchmark \
             programs; MIPS column: rv-machine on the compiled call (wall clock, informational)",
            m.mips,
            grouped(m.instructions),
            m.seconds,
            m.benchmark_mips
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geomean_and_grouping() {
        assert_eq!(geomean([]), None);
        let g = geomean([2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12);
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(ratio(6, 3), 2.0);
    }
}
