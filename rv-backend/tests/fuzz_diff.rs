//! Bounded differential fuzzing: wasm-smith modules of the deterministic subset on wasmi and
//! on the compiled path, from a fixed seed (`FUZZ_CASES` overrides the count, `FUZZ_SEED`
//! the seed). The cargo-fuzz target `fuzz/fuzz_targets/diff.rs` runs the same check
//! without a bound.

mod diff_support;

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[test]
fn compiled_code_agrees_with_wasmi() {
    // wasm-smith and wasmi's translator recurse on deep nesting.
    let run = || run(10_000, diff_support::run_case);
    std::thread::Builder::new().stack_size(256 << 20).spawn(run).expect("spawn").join().expect("fuzz thread panicked");
}

/// The same in the sandboxed mode (`rv_backend::Options::sandboxed`), on instances mapped at
/// other addresses with canaries around their memory; fewer cases by default.
#[test]
fn sandboxed_code_agrees_with_wasmi() {
    let run = || run(4_000, diff_support::run_case_sandboxed);
    std::thread::Builder::new().stack_size(256 << 20).spawn(run).expect("spawn").join().expect("fuzz thread panicked");
}

fn run(default_cases: usize, run_case: fn(&[u8], &mut diff_support::Stats) -> Result<(), String>) {
    diff_support::quiet_wasmi_panics();
    let cases: usize = std::env::var("FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default_cases);
    let mut seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_2A0B_C0DE_F00D);
    let mut stats = diff_support::Stats::default();
    let mut failures = Vec::new();
    for case in 0..cases {
        let len = 2048 + (xorshift(&mut seed) % 16384) as usize;
        let data: Vec<u8> = (0..len).map(|_| xorshift(&mut seed) as u8).collect();
        if std::env::var("FUZZ_DUMP").ok().and_then(|s| s.parse::<usize>().ok()) == Some(case) {
            if let Some(wasm) = diff_support::module_bytes(&data) {
                std::fs::write("/tmp/fuzz_case.wasm", wasm).expect("write the case");
                println!("case {case} written to /tmp/fuzz_case.wasm");
            }
        }
        if let Err(e) = run_case(&data, &mut stats) {
            failures.push(format!("case {case}: {e}"));
        }
    }
    println!("{stats:?}");
    for f in failures.iter().take(20) {
        println!("{f}");
    }
    assert!(failures.is_empty(), "{} of {cases} cases disagree", failures.len());
    assert!(stats.compared_calls > cases / 2, "too few calls compared: {stats:?}");
}
