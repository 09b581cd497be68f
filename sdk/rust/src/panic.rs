//! The contract panic handler (feature `panic-handler`, `wasm32` only): a Rust panic
//! reverts the call with empty revert data, so the frame's effects are undone and unused gas
//! goes back to the caller. The panic message is dropped: formatting it would pull
//! `core::fmt` into every contract.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    crate::host::revert(&[])
}
