//! Prints the machine's speed on the built-in integer workload:
//! `cargo run --release -p rv-machine --example bench [iterations]`.

fn main() {
    let iterations = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000_000u64);
    match rv_machine::bench::run(iterations) {
        Ok(r) => {
            println!(
                "{} instructions in {:.3} s: {:.0} MIPS (checksum {})",
                r.instructions,
                r.seconds,
                r.mips(),
                if r.verified() { "ok" } else { "WRONG" }
            );
            if !r.verified() {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(1);
        }
    }
}
