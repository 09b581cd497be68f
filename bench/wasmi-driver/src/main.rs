//! wasmi, built for RV64IM, running one export of a WASM module on the machine (way 3 of
//! `zkos bench`). Input: the module bytes, the export name, n, the gas to set. Phases, split
//! by markers: parse + validate + translate (eager compilation), instantiate and set up, the
//! call. Output: the checksum, whether the module has the gas global, the gas left (see
//! `bench_kernels::protocol`).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use bench_kernels::protocol::*;
use bench_rt::{mark, uart};
use wasmi::{CompilationMode, Config, Engine, Instance, Module, Store, Val};

#[no_mangle]
extern "C" fn bench_main() -> u64 {
    let mut wasm = Vec::new();
    let mut name = Vec::new();
    if uart::read_bytes(|b| wasm.extend_from_slice(b)).is_none()
        || uart::read_bytes(|b| name.extend_from_slice(b)).is_none()
    {
        return STATUS_BAD_INPUT;
    }
    let Ok(name) = String::from_utf8(name) else {
        return STATUS_BAD_INPUT;
    };
    let n = uart::read_u64();
    let gas = uart::read_u64();

    let mut config = Config::default();
    config.compilation_mode(CompilationMode::Eager).wasm_wide_arithmetic(true);
    let engine = Engine::new(&config);
    mark(0);
    let Ok(module) = Module::new(&engine, &wasm) else {
        return STATUS_MODULE;
    };
    mark(0);
    let mut store = Store::new(&engine, ());
    let Ok(instance) = Instance::new(&mut store, &module, &[]) else {
        return STATUS_INSTANTIATE;
    };
    let Ok(func) = instance.get_typed_func::<i64, i64>(&store, &name) else {
        return STATUS_EXPORT;
    };
    let gas_global = instance.get_global(&store, "__zkos_gas");
    if let Some(g) = gas_global {
        // Bit cast: the gas global is an i64 holding a non-negative count.
        if g.set(&mut store, Val::I64(gas as i64)).is_err() {
            return STATUS_INSTANTIATE;
        }
    }
    // Bit cast of the kernel's u64 size to WASM's i64.
    let n = mark(n) as i64;
    let result = func.call(&mut store, n);
    let result = result.map(|r| mark(r as u64));
    let Ok(checksum) = result else {
        return STATUS_TRAP;
    };
    uart::write_u64(checksum);
    match gas_global.and_then(|g| g.get(&store).i64()) {
        Some(left) => {
            uart::write_word(GAS_PRESENT);
            uart::write_u64(left as u64);
        }
        None => {
            uart::write_word(GAS_ABSENT);
            uart::write_u64(0);
        }
    }
    STATUS_OK
}
