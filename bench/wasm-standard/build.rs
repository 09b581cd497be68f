//! Linker arguments for the wasm32 module: a declared memory maximum (zkos requires one, at
//! most 512 pages) and a 64 KiB stack (rustc's default 1 MiB would add 16 pages).

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--max-memory={}", 64 * 65536);
        println!("cargo:rustc-link-arg-cdylib=-zstack-size={}", 64 * 1024);
    }
}
