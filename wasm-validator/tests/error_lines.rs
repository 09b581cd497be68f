//! Every validation error is one line (found by the `wasm_validate` fuzz target: a module
//! with a bad magic number printed wasmparser's expected and actual bytes over ten lines).

#[test]
fn bad_magic_number_is_one_line() {
    // The fuzzer's module: a wrong magic number, then arbitrary bytes.
    let wasm = [0x4d, 0x6a, 0xf5, 0x00, 0xce, 0x5d, 0x4a, 0x2c];
    let e = wasm_validator::validate::validate(&wasm).unwrap_err();
    let message = e.to_string();
    assert!(!message.contains('\n'), "{message:?}");
    assert!(message.contains("bad magic number"), "{message}");
    assert!(message.contains("expected=[ 0x0, 0x61, 0x73, 0x6d, ] actual=[ 0x4d, 0x6a, 0xf5, 0x0, ]"), "{message}");
    assert!(message.ends_with("(rule malformed) at byte offset 0x0"), "{message}");
    assert_eq!(wasm_validator::validate::validate(&wasm).unwrap_err().offset(), 0);
}

#[test]
fn every_malformed_prefix_is_one_line() {
    // Truncations and corruptions of a valid module: each error one line.
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1 1) (func (export "call")))"#).unwrap();
    for len in 0..wasm.len() {
        if let Err(e) = wasm_validator::validate::validate(&wasm[..len]) {
            assert!(!e.to_string().contains('\n'), "prefix {len}: {e}");
        }
        let mut bad = wasm.clone();
        bad[len] ^= 0xff;
        if let Err(e) = wasm_validator::validate::validate(&bad) {
            assert!(!e.to_string().contains('\n'), "byte {len} flipped: {e}");
        }
    }
}
