//! The zkos kernel: one block, run statelessly inside the RV64IM machine (DESIGN.md §2,
//! kernel mode; docs/kernel.md).
//!
//! It reads its input through [`platform`] (the only module that knows the machine), decodes
//! a [`KernelInput`], runs the block with the system layer ([`run_stateless_marked`]: every state
//! read checked against the pre-state root, contract code compiled and run natively: the
//! `in_kernel` engine) and writes the
//! [`PublicOutput`]. Any failure (bad input, a witness that does not prove a read, a panic,
//! running out of memory) halts with a non-zero status and no output, so a failed run never
//! looks like a valid one.

#![no_std]
#![no_main]

extern crate alloc;

mod accel;
mod atomics;
mod heap;
mod platform;
mod start;

use wasm_runtime::engine::EngineKind;
use wasm_runtime::stateless::{run_stateless_marked, KernelInput};

#[no_mangle]
extern "C" fn kernel_main() -> ! {
    accel::install();
    wasm_runtime::engine::in_kernel::install(platform::contract_platform());
    let input = platform::read_input();
    let input = match KernelInput::decode(&input) {
        Ok(input) => input,
        Err(e) => fail(format_args!("the input is no kernel input: {e}")),
    };
    platform::mark(platform::PHASE_DECODED);
    // The block's own phases, as markers `PHASE_BLOCK_BASE + phase`.
    let result = run_stateless_marked(&input, EngineKind::InKernel, &mut |phase| {
        platform::mark(platform::PHASE_BLOCK_BASE + phase as u64)
    });
    platform::mark(platform::PHASE_BLOCK_DONE);
    match result {
        Ok((output, _)) => {
            platform::write_output(&output.encode());
            platform::halt(platform::SUCCESS)
        }
        Err(e) => fail(format_args!("{e}")),
    }
}

/// Logs why the run fails and halts with the failure status (no output).
fn fail(why: core::fmt::Arguments<'_>) -> ! {
    platform::log(&alloc::format!("{why}"));
    platform::halt(platform::FAILURE)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    platform::halt(platform::PANIC)
}
