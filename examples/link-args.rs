//! Build script shared by the example contracts: linker arguments that every zkos WASM
//! contract needs, set here (not in .cargo/config.toml) so they apply whatever directory
//! cargo runs from.
//!
//! - `--max-memory`: zkos requires a declared memory maximum of at most 512 pages; 64 pages
//!   (4 MiB) is plenty for a contract call.
//! - `-zstack-size`: rustc's default 1 MiB stack would make every module start with 17
//!   pages; 64 KiB keeps the initial memory at 2 pages (memory growth costs gas).

fn main() {
    println!("cargo:rerun-if-changed=../link-args.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--max-memory={}", 64 * 65536);
        println!("cargo:rustc-link-arg-cdylib=-zstack-size={}", 64 * 1024);
    }
}
