//! Raw host bindings: one `extern "C"` import from module `zkos` per importable host
//! function of [`host_abi::functions::HostFn`].
//!
//! The bindings are written once, in the table at the bottom of this file. The
//! `bindings!` macro turns it into
//! - the `extern "C"` block `raw` (on `wasm32` only: elsewhere there is no `zkos` host),
//! - [`BINDINGS`], the same table as data, which a unit test compares with
//!   `host_abi::functions::HostFn` name by name and type by type,
//! - with feature `raw-dispatch` (on `wasm32`), `dispatch`, which calls any binding by its ABI number.
//!
//! Pointer parameters are `*const u8` / `*mut u8` and lengths are `u32`: both are WASM
//! `i32`. Functions that end the call are declared `-> !`; in WASM they have no result.
//! Everything here is `unsafe` to call; the SDK wraps it in safe functions.

#![allow(unsafe_code)]

use host_abi::functions::ValType;

/// One raw binding, as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The import name in module `zkos`.
    pub name: &'static str,
    /// The WASM types of the parameters.
    pub params: &'static [ValType],
    /// The WASM result type, if any.
    pub result: Option<ValType>,
    /// Whether the binding is declared never to return.
    pub diverges: bool,
}

/// Rust type of a table type token.
#[cfg(any(target_arch = "wasm32", target_arch = "riscv64"))]
macro_rules! rust_ty {
    (ptr) => { *const u8 };
    (mut_ptr) => { *mut u8 };
    (u32) => { u32 };
    (i32) => { i32 };
    (i64) => { i64 };
    (never) => { ! };
}

/// WASM type of a table type token.
macro_rules! wasm_ty {
    (ptr) => {
        ValType::I32
    };
    (mut_ptr) => {
        ValType::I32
    };
    (u32) => {
        ValType::I32
    };
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
}

macro_rules! result_ty {
    () => {
        None
    };
    (never) => {
        None
    };
    ($t:ident) => {
        Some(wasm_ty!($t))
    };
}

macro_rules! diverges {
    () => {
        false
    };
    (never) => {
        true
    };
    ($t:ident) => {
        false
    };
}

/// Converts a raw `i64` argument of [`dispatch`] to a parameter type (bit truncation for
/// 32-bit types, as WASM's `i32.wrap_i64`).
#[cfg(all(target_arch = "wasm32", feature = "raw-dispatch"))]
macro_rules! from_i64 {
    (ptr, $v:expr) => {
        ($v as u32) as usize as *const u8
    };
    (mut_ptr, $v:expr) => {
        ($v as u32) as usize as *mut u8
    };
    (u32, $v:expr) => {
        $v as u32
    };
    (i32, $v:expr) => {
        $v as i32
    };
    (i64, $v:expr) => {
        $v
    };
}

/// Converts a raw result to the `i64` that [`dispatch`] returns (zero-extension for
/// 32-bit results, 0 for none).
#[cfg(all(target_arch = "wasm32", feature = "raw-dispatch"))]
macro_rules! to_i64 {
    ((), $e:expr) => {{
        $e;
        0i64
    }};
    ((u32), $e:expr) => {
        i64::from($e)
    };
    ((i32), $e:expr) => {
        i64::from($e as u32)
    };
    ((i64), $e:expr) => {
        $e
    };
    ((never), $e:expr) => {
        $e
    };
}

/// An argument as the register value native code passes in `a0..a5` (pointers and `u32`
/// zero-extended, `i32` sign-extended).
#[cfg(target_arch = "riscv64")]
macro_rules! to_reg {
    (ptr, $v:expr) => {
        $v as usize as u64
    };
    (mut_ptr, $v:expr) => {
        $v as usize as u64
    };
    (u32, $v:expr) => {
        u64::from($v)
    };
    (i32, $v:expr) => {
        i64::from($v) as u64
    };
    (i64, $v:expr) => {
        $v as u64
    };
}

/// A result from `a0` (the host sign-extends an `i32` result).
#[cfg(target_arch = "riscv64")]
macro_rules! from_reg {
    ((), $v:expr) => {{
        let _ = $v;
    }};
    ((u32), $v:expr) => {
        $v as u32
    };
    ((i32), $v:expr) => {
        $v as i32
    };
    ((i64), $v:expr) => {
        $v as i64
    };
    ((never), $v:expr) => {{
        let _ = $v;
        // The host function ended the call; it never returns here.
        loop {}
    }};
}

/// `ecall` with the number in `a7` and six arguments; the result is `a0`.
///
/// # Safety
/// The arguments must satisfy the host function's contract (see [`raw`]).
#[cfg(target_arch = "riscv64")]
#[inline(always)]
pub unsafe fn ecall(number: u64, a: [u64; 6]) -> u64 {
    let r: u64;
    // SAFETY: an ecall into the zkos host (the native shim lowers it to the host function
    // numbered `a7`); it reads and writes only the memory its arguments name, as the
    // caller guarantees, and clobbers nothing but `a0`.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") a[0] => r,
            in("a1") a[1], in("a2") a[2], in("a3") a[3], in("a4") a[4], in("a5") a[5],
            in("a7") number,
            options(nostack),
        );
    }
    r
}

macro_rules! bindings {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident = $num:literal ( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;
    )*) => {
        /// The `extern "C"` imports from module `zkos` (wasm32 only).
        #[cfg(target_arch = "wasm32")]
        pub mod raw {
            #[link(wasm_import_module = "zkos")]
            unsafe extern "C" {
                $(
                    $(#[doc = $doc])*
                    pub fn $name($($p: rust_ty!($t)),*) $(-> rust_ty!($r))?;
                )*
            }
        }

        /// The host functions for native RV64IM code (riscv64): an `ecall` each, with the
        /// same numbers, arguments and results as the `zkos` imports.
        #[cfg(target_arch = "riscv64")]
        #[allow(clippy::missing_safety_doc, unused_assignments, unused_mut, unused_variables)]
        pub mod raw {
            $(
                $(#[doc = $doc])*
                #[inline(always)]
                pub unsafe fn $name($($p: rust_ty!($t)),*) $(-> rust_ty!($r))? {
                    let mut args = [0u64; 6];
                    let mut i = 0usize;
                    $( args[i] = to_reg!($t, $p); i += 1; )*
                    // SAFETY: forwarded to the caller's obligations.
                    let r = unsafe { super::ecall($num, args) };
                    from_reg!(($($r)?), r)
                }
            )*
        }

        /// Every binding as data, in table order, with its ABI number.
        pub const BINDINGS: &[(u32, Binding)] = &[$(
            ($num, Binding {
                name: stringify!($name),
                params: &[$(wasm_ty!($t)),*],
                result: result_ty!($($r)?),
                diverges: diverges!($($r)?),
            }),
        )*];

        /// Calls the host function numbered `number` with `args` (extra arguments are
        /// ignored; 32-bit parameters take the low 32 bits). Returns the result
        /// zero-extended to `i64` (0 for functions without one), or `None` for an unknown
        /// or non-importable number.
        ///
        /// # Safety
        /// Pointer arguments must satisfy the host function's contract (in bounds of the
        /// linear memory, outputs writable); the host traps otherwise, so this is only a
        /// Rust-level obligation: memory the function writes must not be borrowed.
        #[cfg(all(target_arch = "wasm32", feature = "raw-dispatch"))]
        #[allow(unused_variables, unused_assignments, unused_mut, unreachable_code, clippy::unnecessary_cast)]
        pub unsafe fn dispatch(number: u32, args: [i64; 6]) -> Option<i64> {
            match number {
                $($num => {
                    let mut i = 0usize;
                    $( let $p = from_i64!($t, args[i]); i += 1; )*
                    // SAFETY: forwarded to the caller's obligations above.
                    Some(to_i64!(($($r)?), unsafe { raw::$name($($p),*) }))
                })*
                _ => None,
            }
        }
    };
}

bindings! {
    // ---------------------------------------------------------------- precompiles
    /// keccak-256 of `[ptr, ptr+len)` to the 32 bytes at `out`.
    fn keccak256 = 1000 (ptr: ptr, len: u32, out: mut_ptr);
    /// SHA-256 of `[ptr, ptr+len)` to the 32 bytes at `out`.
    fn sha256 = 1001 (ptr: ptr, len: u32, out: mut_ptr);
    /// ecrecover of 128 bytes (hash, v, r, s); address left-padded to 32 bytes at `out`.
    fn ecrecover = 1002 (input: ptr, out: mut_ptr) -> i32;
    /// RIPEMD-160 of `[ptr, ptr+len)`, left-padded to 32 bytes at `out`.
    fn ripemd160 = 1003 (ptr: ptr, len: u32, out: mut_ptr);
    /// Modular exponentiation (precompile 0x05 layout).
    fn modexp = 1004 (input: ptr, input_len: u32, out: mut_ptr, out_len: u32) -> i32;
    /// bn254 addition (128 bytes in, 64 out).
    fn bn254_add = 1005 (input: ptr, out: mut_ptr) -> i32;
    /// bn254 scalar multiplication (96 bytes in, 64 out).
    fn bn254_mul = 1006 (input: ptr, out: mut_ptr) -> i32;
    /// bn254 pairing check (`len / 192` pairs, 32-byte 0/1 out).
    fn bn254_pairing = 1007 (input: ptr, len: u32, out: mut_ptr) -> i32;
    /// BLAKE2 F compression (213 bytes in, 64 out).
    fn blake2f = 1008 (input: ptr, out: mut_ptr) -> i32;
    /// circom's Poseidon over BN254 of the `len / 32` field elements at `ptr` (32 bytes
    /// big-endian each, 1 to 12, each below the field's modulus) to the 32 bytes at `out`.
    /// Returns 0 (written) or 1 (invalid input: nothing written, gas charged); 560 gas per
    /// element.
    fn poseidon = 1009 (ptr: ptr, len: u32, out: mut_ptr) -> i32;
    /// BLS12-381 G1 addition (EIP-2537; 256 bytes in, 128 out).
    fn bls12_g1_add = 1010 (input: ptr, out: mut_ptr) -> i32;
    /// BLS12-381 G1 MSM (`len / 160` pairs in, 128 bytes out).
    fn bls12_g1_msm = 1011 (input: ptr, len: u32, out: mut_ptr) -> i32;
    /// BLS12-381 G2 addition (512 bytes in, 256 out).
    fn bls12_g2_add = 1012 (input: ptr, out: mut_ptr) -> i32;
    /// BLS12-381 G2 MSM (`len / 288` pairs in, 256 bytes out).
    fn bls12_g2_msm = 1013 (input: ptr, len: u32, out: mut_ptr) -> i32;
    /// BLS12-381 pairing check (`len / 384` pairs, 32-byte 0/1 out).
    fn bls12_pairing = 1014 (input: ptr, len: u32, out: mut_ptr) -> i32;
    /// BLS12-381 map of an Fp element to G1 (64 bytes in, 128 out).
    fn bls12_map_fp_to_g1 = 1015 (input: ptr, out: mut_ptr) -> i32;
    /// BLS12-381 map of an Fp2 element to G2 (128 bytes in, 256 out).
    fn bls12_map_fp2_to_g2 = 1016 (input: ptr, out: mut_ptr) -> i32;
    /// secp256r1 signature verification (EIP-7951; 160 bytes in, a 32-byte 1 out if valid).
    fn p256_verify = 1017 (input: ptr, out: mut_ptr) -> i32;

    // ---------------------------------------------------------------- environment
    /// Size of the calldata.
    fn calldata_size = 10000 () -> u32;
    /// Copies calldata `[offset, offset+len)` to `dest` (zero past the end).
    fn calldata_copy = 10001 (dest: mut_ptr, offset: u32, len: u32);
    /// Ends the call successfully with output `[ptr, ptr+len)`.
    fn finish = 10002 (ptr: ptr, len: u32) -> never;
    /// Ends the call with a revert and revert data `[ptr, ptr+len)`.
    fn revert = 10003 (ptr: ptr, len: u32) -> never;
    /// Size of the last call's return data.
    fn returndata_size = 10004 () -> u32;
    /// Copies return data `[offset, offset+len)` to `dest` (past the end traps).
    fn returndata_copy = 10005 (dest: mut_ptr, offset: u32, len: u32);
    /// Reads storage slot `key` into `out`.
    fn storage_load = 10010 (key: ptr, out: mut_ptr);
    /// Writes `value` to storage slot `key`.
    fn storage_store = 10011 (key: ptr, value: ptr);
    /// Reads transient slot `key` into `out`.
    fn transient_load = 10012 (key: ptr, out: mut_ptr);
    /// Writes `value` to transient slot `key`.
    fn transient_store = 10013 (key: ptr, value: ptr);
    /// Size of the constants area.
    fn constants_size = 10020 () -> u32;
    /// Copies constants `[offset, offset+len)` to `dest` (zero past the end).
    fn constants_copy = 10021 (dest: mut_ptr, offset: u32, len: u32);
    /// Emits a log with `topic_count` topics at `topics` and data `[data, data+data_len)`.
    fn emit_log = 10030 (topics: ptr, topic_count: u32, data: ptr, data_len: u32);
    /// CALL.
    fn call = 10040 (gas: i64, addr: ptr, value: ptr, input: ptr, input_len: u32) -> i32;
    /// CALLCODE.
    fn call_code = 10041 (gas: i64, addr: ptr, value: ptr, input: ptr, input_len: u32) -> i32;
    /// DELEGATECALL.
    fn delegate_call = 10042 (gas: i64, addr: ptr, input: ptr, input_len: u32) -> i32;
    /// STATICCALL.
    fn static_call = 10043 (gas: i64, addr: ptr, input: ptr, input_len: u32) -> i32;
    /// CREATE; the new address goes to `out`.
    fn create = 10050 (value: ptr, code: ptr, code_len: u32, out: mut_ptr) -> i32;
    /// CREATE2; the new address goes to `out`.
    fn create2 = 10051 (value: ptr, code: ptr, code_len: u32, salt: ptr, out: mut_ptr) -> i32;
    /// SELFDESTRUCT towards `beneficiary`; ends the call.
    fn self_destruct = 10052 (beneficiary: ptr) -> never;
    /// This account's address.
    fn address = 10060 (out: mut_ptr);
    /// The caller.
    fn caller = 10061 (out: mut_ptr);
    /// The transaction's sender.
    fn origin = 10062 (out: mut_ptr);
    /// The call's value.
    fn call_value = 10063 (out: mut_ptr);
    /// Balance of `addr`.
    fn balance = 10064 (addr: ptr, out: mut_ptr);
    /// This account's balance.
    fn self_balance = 10065 (out: mut_ptr);
    /// Gas left.
    fn gas_left = 10066 () -> i64;
    /// Effective gas price.
    fn gas_price = 10067 (out: mut_ptr);
    /// Block number.
    fn block_number = 10070 () -> i64;
    /// Block timestamp.
    fn block_timestamp = 10071 () -> i64;
    /// Coinbase.
    fn coinbase = 10072 (out: mut_ptr);
    /// Block gas limit.
    fn block_gas_limit = 10073 () -> i64;
    /// Base fee.
    fn base_fee = 10074 (out: mut_ptr);
    /// Chain id.
    fn chain_id = 10075 () -> i64;
    /// prevRandao.
    fn prev_randao = 10076 (out: mut_ptr);
    /// Hash of block `number` (one of the last 256), else zero.
    fn block_hash = 10077 (number: i64, out: mut_ptr);
    /// Blob versioned hash at `index`.
    fn blob_hash = 10078 (index: i64, out: mut_ptr);
    /// Blob base fee.
    fn blob_base_fee = 10079 (out: mut_ptr);
    /// Code size of `addr`.
    fn ext_code_size = 10080 (addr: ptr) -> u32;
    /// Copies `addr`'s code `[offset, offset+len)` to `dest`.
    fn ext_code_copy = 10081 (addr: ptr, dest: mut_ptr, offset: u32, len: u32);
    /// Code hash of `addr`.
    fn ext_code_hash = 10082 (addr: ptr, out: mut_ptr);
    /// Size of the running code.
    fn code_size = 10083 () -> u32;
    /// Copies the running code `[offset, offset+len)` to `dest`.
    fn code_copy = 10084 (dest: mut_ptr, offset: u32, len: u32);
    /// Debug output (not consensus).
    fn debug_log = 10090 (ptr: ptr, len: u32);
    /// Ends the call as out of gas.
    fn out_of_gas = 10091 () -> never;
    /// Charges `amount` gas.
    fn charge_gas = 10092 (amount: i64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use host_abi::functions::HostFn;

    /// The table above is exactly host-abi's importable functions, with the same numbers,
    /// names, parameter types and result types.
    #[test]
    fn bindings_match_host_abi() {
        for (num, b) in BINDINGS {
            let f = HostFn::from_import_name(b.name)
                .unwrap_or_else(|| panic!("binding `{}` is not a host-abi function", b.name));
            assert_eq!(f.number(), *num, "number of `{}`", b.name);
            assert!(f.importable(), "`{}` is not importable by WASM", b.name);
            let params: Vec<ValType> = f.params().iter().map(|p| p.ty).collect();
            assert_eq!(b.params, &params[..], "parameters of `{}`", b.name);
            assert_eq!(b.result, f.result(), "result of `{}`", b.name);
            assert_eq!(b.diverges, f.terminates(), "divergence of `{}`", b.name);
        }
        for f in HostFn::ALL.iter().filter(|f| f.importable()) {
            assert!(
                BINDINGS.iter().any(|(_, b)| b.name == f.import_name()),
                "host function `{}` has no binding",
                f.import_name()
            );
        }
        let importable = HostFn::ALL.iter().filter(|f| f.importable()).count();
        assert_eq!(BINDINGS.len(), importable, "duplicate bindings");
    }
}
