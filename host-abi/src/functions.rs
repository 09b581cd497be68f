//! The host-function table (DESIGN.md §3), written once.
//!
//! Every function has a number (native code passes it in `a7` to `ecall`, arguments in
//! `a0..a5`, result in `a0`), a WASM import name in module [`crate::IMPORT_MODULE`], a
//! signature, the meaning of each argument and a gas rule (what a call costs follows from the
//! rule in [`crate::charge`]). Decoders, engine bindings and the
//! reference page `docs/host-abi.md` are all generated from this table.
//!
//! Conventions: pointers and lengths are `i32` offsets into the caller's linear memory;
//! words (storage keys and values, U256, hashes) are 32 bytes big-endian; addresses are 20
//! bytes. A memory range outside the linear memory traps. Numbers are never reused.

use crate::charge::Formula;
use crate::gas::GasRule;

/// A WASM value type that crosses the ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer (pointers, lengths, small counts, status codes).
    I32,
    /// 64-bit integer (gas amounts, block numbers, timestamps).
    I64,
}

impl ValType {
    /// The WAT spelling.
    pub const fn wat(self) -> &'static str {
        match self {
            Self::I32 => "i32",
            Self::I64 => "i64",
        }
    }
}

/// One parameter of a host function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub ty: ValType,
    /// What it means.
    pub doc: &'static str,
}

/// Which block of numbers a function belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// 0–511: Linux riscv64 system calls, for native contracts only (not importable by WASM).
    Linux,
    /// 1000–9999: precompiles.
    Precompile,
    /// 10000 and up: the environment.
    Environment,
}

macro_rules! ret_ty {
    (()) => {
        None
    };
    ($t:ident) => {
        Some(ValType::$t)
    };
}

macro_rules! host_functions {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $num:literal, $name:literal,
        ( $($pname:ident : $pty:ident = $pdoc:literal),* $(,)? ) -> $ret:tt,
        gas: $gas:expr;
    )*) => {
        /// A host function. The discriminant is its ABI number.
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum HostFn {
            $( $(#[doc = $doc])+ $variant = $num, )*
        }

        impl HostFn {
            /// Every host function, in table order.
            pub const ALL: &'static [HostFn] = &[$(HostFn::$variant),*];

            /// The ABI number.
            pub const fn number(self) -> u32 {
                self as u32
            }

            /// The function for an ABI number.
            pub const fn from_number(n: u32) -> Option<Self> {
                match n {
                    $( $num => Some(Self::$variant), )*
                    _ => None,
                }
            }

            /// The WASM import name (module [`crate::IMPORT_MODULE`]).
            pub const fn import_name(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )*
                }
            }

            /// The function for a WASM import name.
            pub fn from_import_name(name: &str) -> Option<Self> {
                match name {
                    $( $name => Some(Self::$variant), )*
                    _ => None,
                }
            }

            /// The parameters.
            pub const fn params(self) -> &'static [Param] {
                match self {
                    $( Self::$variant => &[ $( Param {
                        name: stringify!($pname),
                        ty: ValType::$pty,
                        doc: $pdoc,
                    } ),* ], )*
                }
            }

            /// The result type, if any.
            pub const fn result(self) -> Option<ValType> {
                match self {
                    $( Self::$variant => ret_ty!($ret), )*
                }
            }

            /// The gas rule.
            pub const fn gas(self) -> GasRule {
                match self {
                    $( Self::$variant => $gas, )*
                }
            }

            /// What the function does.
            pub const fn doc(self) -> &'static str {
                match self {
                    $( Self::$variant => concat!($($doc, "\n"),+), )*
                }
            }
        }
    };
}

impl HostFn {
    /// The block of numbers the function belongs to.
    pub const fn group(self) -> Group {
        match self.number() {
            0..=511 => Group::Linux,
            1000..=9999 => Group::Precompile,
            _ => Group::Environment,
        }
    }

    /// Whether a WASM contract may import the function (the Linux group is for native
    /// contracts, which the native shim lowers onto the environment functions).
    pub const fn importable(self) -> bool {
        !matches!(self.group(), Group::Linux)
    }

    /// Whether the function ends the current call (it never returns to the contract).
    pub const fn terminates(self) -> bool {
        matches!(self, Self::Finish | Self::Revert | Self::SelfDestruct | Self::Exit | Self::OutOfGas)
    }

    /// The precompile address through which EVM code reaches the same computation, as its
    /// number (the address's last two bytes; the other 18 are zero): Ethereum's for the
    /// functions that mirror an Ethereum precompile, one in [`ZKOS_PRECOMPILES`] for zkos's
    /// own, none for the hashes that are EVM instructions or have no precompile (keccak256).
    /// The fork decides which addresses are active (wasm-runtime's fork schedule).
    pub const fn precompile_address(self) -> Option<u16> {
        match self {
            Self::Ecrecover => Some(0x01),
            Self::Sha256 => Some(0x02),
            Self::Ripemd160 => Some(0x03),
            Self::Modexp => Some(0x05),
            Self::Bn254Add => Some(0x06),
            Self::Bn254Mul => Some(0x07),
            Self::Bn254Pairing => Some(0x08),
            Self::Blake2f => Some(0x09),
            Self::Poseidon => Some(POSEIDON_PRECOMPILE),
            Self::Bls12G1Add => Some(0x0b),
            Self::Bls12G1Msm => Some(0x0c),
            Self::Bls12G2Add => Some(0x0d),
            Self::Bls12G2Msm => Some(0x0e),
            Self::Bls12Pairing => Some(0x0f),
            Self::Bls12MapFpToG1 => Some(0x10),
            Self::Bls12MapFp2ToG2 => Some(0x11),
            Self::P256Verify => Some(0x100),
            _ => None,
        }
    }
}

/// The precompile numbers zkos reserves for its own precompiles (0x5a, "Z", in the
/// address's second-to-last byte): outside Ethereum's (0x01–0x11 and 0x100 today, which
/// grow from the bottom of each block), and no address any Ethereum test touches.
pub const ZKOS_PRECOMPILES: core::ops::RangeInclusive<u16> = 0x5a00..=0x5aff;

/// Poseidon's precompile address ([`HostFn::Poseidon`] for EVM code): `0x…5a00`.
pub const POSEIDON_PRECOMPILE: u16 = 0x5a00;

host_functions! {
    // ---------------------------------------------------------------- Linux (native only)
    /// Reads from a file descriptor. Fd 0 is the calldata, read sequentially. Returns the
    /// number of bytes read.
    Read = 63, "read", (fd: I64 = "file descriptor (0: calldata)", buf: I64 = "destination address", len: I64 = "bytes to read") -> I64,
        gas: GasRule::Copy { base: 3, per_word: 3 };
    /// Writes to a file descriptor. Fd 1 appends to the return data, fd 2 is debug output.
    /// Returns the number of bytes written.
    Write = 64, "write", (fd: I64 = "file descriptor (1: return data, 2: debug)", buf: I64 = "source address", len: I64 = "bytes to write") -> I64,
        gas: GasRule::Copy { base: 3, per_word: 3 };
    /// Ends the contract: code 0 returns the written return data, any other code reverts with it.
    Exit = 93, "exit", (code: I64 = "exit code (0: success, otherwise revert)") -> (),
        gas: GasRule::Fixed(0);
    /// Moves the program break; returns the new break.
    Brk = 214, "brk", (addr: I64 = "requested break (0 to query)") -> I64,
        gas: GasRule::Fixed(2);

    // ---------------------------------------------------------------- precompiles
    /// keccak-256 of memory `[ptr, ptr+len)` written as 32 bytes at `out`.
    Keccak256 = 1000, "keccak256", (ptr: I32 = "input offset", len: I32 = "input length", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Copy { base: 30, per_word: 6 };
    /// SHA-256 of memory `[ptr, ptr+len)` written as 32 bytes at `out`.
    Sha256 = 1001, "sha256", (ptr: I32 = "input offset", len: I32 = "input length", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Copy { base: 60, per_word: 12 };
    /// Recovers the signer of a secp256k1 signature. Input: 128 bytes (hash, v, r, s as
    /// 32-byte words, like precompile 0x01). Writes the address left-padded to 32 bytes.
    /// Returns a [`crate::status::PrecompileStatus`].
    Ecrecover = 1002, "ecrecover", (input: I32 = "128-byte input offset", out: I32 = "32-byte output offset") -> I32,
        gas: GasRule::Fixed(3000);
    /// RIPEMD-160 of memory `[ptr, ptr+len)`, left-padded to 32 bytes at `out`.
    Ripemd160 = 1003, "ripemd160", (ptr: I32 = "input offset", len: I32 = "input length", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Copy { base: 600, per_word: 120 };
    /// Modular exponentiation with the input layout of precompile 0x05 and its rules in the
    /// block's fork (from Osaka: EIP-7823's 1024-byte bounds, EIP-7883's gas); the result is
    /// written to `[out, out+out_len)`. Returns a [`crate::status::PrecompileStatus`]; a
    /// length over EIP-7823's bound fails the call, all gas used, as at 0x05.
    Modexp = 1004, "modexp", (input: I32 = "input offset", input_len: I32 = "input length", out: I32 = "output offset", out_len: I32 = "output length (the modulus length)") -> I32,
        gas: GasRule::Dynamic(Formula::Modexp);
    /// bn254 (alt_bn128) point addition, input 128 bytes, output 64 bytes (precompile 0x06).
    Bn254Add = 1005, "bn254_add", (input: I32 = "128-byte input offset", out: I32 = "64-byte output offset") -> I32,
        gas: GasRule::Fixed(150);
    /// bn254 scalar multiplication, input 96 bytes, output 64 bytes (precompile 0x07).
    Bn254Mul = 1006, "bn254_mul", (input: I32 = "96-byte input offset", out: I32 = "64-byte output offset") -> I32,
        gas: GasRule::Fixed(6000);
    /// bn254 pairing check over `len / 192` pairs; writes a 32-byte 0 or 1 (precompile 0x08).
    Bn254Pairing = 1007, "bn254_pairing", (input: I32 = "input offset", len: I32 = "input length (a multiple of 192)", out: I32 = "32-byte output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Bn254Pairing);
    /// BLAKE2 compression function F, input 213 bytes, output 64 bytes (precompile 0x09).
    Blake2f = 1008, "blake2f", (input: I32 = "213-byte input offset", out: I32 = "64-byte output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Blake2f);
    /// circom's Poseidon over BN254 (x^5, 8 full rounds, circomlib's constants) of the
    /// `len / 32` field elements at `ptr`, each 32 bytes big-endian, 1 to 12 of them; the
    /// hash goes to `out` as 32 bytes big-endian. Returns a [`crate::status::PrecompileStatus`]:
    /// InvalidInput, with the gas still charged and nothing written, when `len` is not 32 to
    /// 384 in steps of 32 or an element is not below the field's modulus. zkos's own, on
    /// every fork; EVM code reaches it at precompile address 0x5a00 (`0x00…005a00`) with the
    /// elements as calldata and the 32-byte hash as return data, at the same gas; an input
    /// this function calls invalid fails that call and consumes the gas it was given.
    Poseidon = 1009, "poseidon", (ptr: I32 = "input offset", len: I32 = "input length (32 per element, 1 to 12 elements)", out: I32 = "32-byte output offset") -> I32,
        gas: GasRule::Copy { base: crate::gas::POSEIDON_BASE, per_word: crate::gas::POSEIDON_ELEMENT };
    /// BLS12-381 G1 addition (EIP-2537, precompile 0x0b): two 128-byte G1 points in, their
    /// sum out (128 bytes). Returns a [`crate::status::PrecompileStatus`].
    Bls12G1Add = 1010, "bls12_g1_add", (input: I32 = "256-byte input offset", out: I32 = "128-byte output offset") -> I32,
        gas: GasRule::Fixed(crate::gas::BLS12_G1_ADD);
    /// BLS12-381 G1 multi-scalar multiplication (precompile 0x0c) of `len / 160` pairs of a
    /// G1 point and a 32-byte scalar; writes one G1 point (128 bytes).
    Bls12G1Msm = 1011, "bls12_g1_msm", (input: I32 = "input offset", len: I32 = "input length (160 per pair)", out: I32 = "128-byte output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Bls12G1Msm);
    /// BLS12-381 G2 addition (precompile 0x0d): two 256-byte G2 points in, their sum out
    /// (256 bytes).
    Bls12G2Add = 1012, "bls12_g2_add", (input: I32 = "512-byte input offset", out: I32 = "256-byte output offset") -> I32,
        gas: GasRule::Fixed(crate::gas::BLS12_G2_ADD);
    /// BLS12-381 G2 multi-scalar multiplication (precompile 0x0e) of `len / 288` pairs of a
    /// G2 point and a 32-byte scalar; writes one G2 point (256 bytes).
    Bls12G2Msm = 1013, "bls12_g2_msm", (input: I32 = "input offset", len: I32 = "input length (288 per pair)", out: I32 = "256-byte output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Bls12G2Msm);
    /// BLS12-381 pairing check (precompile 0x0f) over `len / 384` pairs of a G1 and a G2
    /// point; writes a 32-byte 0 or 1.
    Bls12Pairing = 1014, "bls12_pairing", (input: I32 = "input offset", len: I32 = "input length (384 per pair)", out: I32 = "32-byte output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Bls12Pairing);
    /// Maps a 64-byte field element to a G1 point (precompile 0x10, 128 bytes out).
    Bls12MapFpToG1 = 1015, "bls12_map_fp_to_g1", (input: I32 = "64-byte input offset", out: I32 = "128-byte output offset") -> I32,
        gas: GasRule::Fixed(crate::gas::BLS12_MAP_FP_TO_G1);
    /// Maps a 128-byte Fp2 element to a G2 point (precompile 0x11, 256 bytes out).
    Bls12MapFp2ToG2 = 1016, "bls12_map_fp2_to_g2", (input: I32 = "128-byte input offset", out: I32 = "256-byte output offset") -> I32,
        gas: GasRule::Fixed(crate::gas::BLS12_MAP_FP2_TO_G2);
    /// Verifies a secp256r1 (P-256) signature (EIP-7951, precompile 0x100). Input: 160 bytes
    /// (message hash, r, s, public key x, y). Returns Ok and writes a 32-byte 1 at `out` if
    /// the signature is valid; InvalidInput, nothing written, otherwise.
    P256Verify = 1017, "p256_verify", (input: I32 = "160-byte input offset", out: I32 = "32-byte output offset") -> I32,
        gas: GasRule::Fixed(crate::gas::P256_VERIFY);

    // ---------------------------------------------------------------- environment
    /// Size of the calldata in bytes.
    CalldataSize = 10000, "calldata_size", () -> I32,
        gas: GasRule::Fixed(2);
    /// Copies calldata `[offset, offset+len)` to memory at `dest`; bytes past the end of the
    /// calldata read as zero.
    CalldataCopy = 10001, "calldata_copy", (dest: I32 = "memory offset to write", offset: I32 = "calldata offset", len: I32 = "bytes to copy") -> (),
        gas: GasRule::Copy { base: 3, per_word: 3 };
    /// Ends the call successfully with output `[ptr, ptr+len)`. Never returns.
    Finish = 10002, "finish", (ptr: I32 = "output offset", len: I32 = "output length") -> (),
        gas: GasRule::Fixed(0);
    /// Ends the call with a revert and revert data `[ptr, ptr+len)`; the frame's effects are
    /// undone and unused gas goes back to the caller. Never returns.
    Revert = 10003, "revert", (ptr: I32 = "revert data offset", len: I32 = "revert data length") -> (),
        gas: GasRule::Fixed(0);
    /// Size of the return data of the last call or create this frame made.
    ReturndataSize = 10004, "returndata_size", () -> I32,
        gas: GasRule::Fixed(2);
    /// Copies return data `[offset, offset+len)` to memory at `dest`. Reading past its end
    /// traps (as EVM's RETURNDATACOPY halts).
    ReturndataCopy = 10005, "returndata_copy", (dest: I32 = "memory offset to write", offset: I32 = "return data offset", len: I32 = "bytes to copy") -> (),
        gas: GasRule::Copy { base: 3, per_word: 3 };
    /// Reads the storage word at the 32-byte key `key` into `out`.
    StorageLoad = 10010, "storage_load", (key: I32 = "32-byte key offset", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Dynamic(Formula::SlotAccess);
    /// Writes the 32-byte word at `value` to the storage slot `key`. Fails the call in a
    /// static context or when 2300 gas or less is left (EIP-2200).
    StorageStore = 10011, "storage_store", (key: I32 = "32-byte key offset", value: I32 = "32-byte value offset") -> (),
        gas: GasRule::Dynamic(Formula::Sstore);
    /// Reads the transient storage word `key` (EIP-1153) into `out`.
    TransientLoad = 10012, "transient_load", (key: I32 = "32-byte key offset", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(100);
    /// Writes transient storage (EIP-1153): kept across calls of one transaction, cleared
    /// after it. Fails the call in a static context.
    TransientStore = 10013, "transient_store", (key: I32 = "32-byte key offset", value: I32 = "32-byte value offset") -> (),
        gas: GasRule::Fixed(100);
    /// Size of this account's constants area.
    ConstantsSize = 10020, "constants_size", () -> I32,
        gas: GasRule::Fixed(2);
    /// Copies constants `[offset, offset+len)` to memory at `dest`; bytes past the end read as zero.
    ConstantsCopy = 10021, "constants_copy", (dest: I32 = "memory offset to write", offset: I32 = "constants offset", len: I32 = "bytes to copy") -> (),
        gas: GasRule::Copy { base: 3, per_word: 3 };
    /// Emits a log with `topic_count` (0–4) 32-byte topics read from `topics` and data
    /// `[data, data+data_len)`. Fails the call in a static context.
    EmitLog = 10030, "emit_log", (topics: I32 = "offset of the topics, 32 bytes each", topic_count: I32 = "number of topics, 0 to 4", data: I32 = "data offset", data_len: I32 = "data length") -> (),
        gas: GasRule::Dynamic(Formula::Log);
    /// Calls `addr` with `value` wei and input `[input, input+input_len)`, forwarding at most
    /// `gas` (capped at all but 1/64 of the gas left, EIP-150). Returns a
    /// [`crate::status::CallStatus`]; the callee's output becomes the return data.
    Call = 10040, "call", (gas: I64 = "gas to forward", addr: I32 = "20-byte address offset", value: I32 = "32-byte value offset", input: I32 = "input offset", input_len: I32 = "input length") -> I32,
        gas: GasRule::Dynamic(Formula::Call);
    /// Runs `addr`'s code in this account's context with `value` (EVM CALLCODE).
    CallCode = 10041, "call_code", (gas: I64 = "gas to forward", addr: I32 = "20-byte address offset", value: I32 = "32-byte value offset", input: I32 = "input offset", input_len: I32 = "input length") -> I32,
        gas: GasRule::Dynamic(Formula::CallCode);
    /// Runs `addr`'s code in this account's context, keeping caller and value (DELEGATECALL).
    DelegateCall = 10042, "delegate_call", (gas: I64 = "gas to forward", addr: I32 = "20-byte address offset", input: I32 = "input offset", input_len: I32 = "input length") -> I32,
        gas: GasRule::Dynamic(Formula::AccessCall);
    /// Calls `addr` in a static context: any state change inside fails (STATICCALL).
    StaticCall = 10043, "static_call", (gas: I64 = "gas to forward", addr: I32 = "20-byte address offset", input: I32 = "input offset", input_len: I32 = "input length") -> I32,
        gas: GasRule::Dynamic(Formula::AccessCall);
    /// Creates a contract from init data `[code, code+code_len)` (EVM init code, or an
    /// envelope followed by constructor arguments) with `value` wei; the new address goes to
    /// `out` (zero on failure). Address: keccak(rlp(sender, nonce)). Returns a CallStatus.
    Create = 10050, "create", (value: I32 = "32-byte value offset", code: I32 = "init data offset", code_len: I32 = "init data length", out: I32 = "20-byte address output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Create);
    /// Like `create` with the CREATE2 address keccak(0xff ++ sender ++ salt ++ keccak(init)).
    Create2 = 10051, "create2", (value: I32 = "32-byte value offset", code: I32 = "init data offset", code_len: I32 = "init data length", salt: I32 = "32-byte salt offset", out: I32 = "20-byte address output offset") -> I32,
        gas: GasRule::Dynamic(Formula::Create2);
    /// Sends this account's balance to `beneficiary` and ends the call successfully; the
    /// account is deleted only if it was created in the same transaction (EIP-6780).
    SelfDestruct = 10052, "self_destruct", (beneficiary: I32 = "20-byte address offset") -> (),
        gas: GasRule::Dynamic(Formula::SelfDestruct);
    /// This account's address.
    Address = 10060, "address", (out: I32 = "20-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The caller's address.
    Caller = 10061, "caller", (out: I32 = "20-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The transaction's sender.
    Origin = 10062, "origin", (out: I32 = "20-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The value sent with this call.
    CallValue = 10063, "call_value", (out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The balance of `addr`.
    Balance = 10064, "balance", (addr: I32 = "20-byte address offset", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Dynamic(Formula::AccountAccess);
    /// This account's balance.
    SelfBalance = 10065, "self_balance", (out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(5);
    /// Gas left after this function's own cost.
    GasLeft = 10066, "gas_left", () -> I64,
        gas: GasRule::Fixed(2);
    /// The transaction's effective gas price.
    GasPrice = 10067, "gas_price", (out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The block number.
    BlockNumber = 10070, "block_number", () -> I64,
        gas: GasRule::Fixed(2);
    /// The block timestamp.
    BlockTimestamp = 10071, "block_timestamp", () -> I64,
        gas: GasRule::Fixed(2);
    /// The block's coinbase.
    Coinbase = 10072, "coinbase", (out: I32 = "20-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The block gas limit.
    BlockGasLimit = 10073, "block_gas_limit", () -> I64,
        gas: GasRule::Fixed(2);
    /// The block's base fee (EIP-1559).
    BaseFee = 10074, "base_fee", (out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// The chain id.
    ChainId = 10075, "chain_id", () -> I64,
        gas: GasRule::Fixed(2);
    /// The block's prevRandao.
    PrevRandao = 10076, "prev_randao", (out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// Hash of block `number` if it is one of the 256 before this one, else zero.
    BlockHash = 10077, "block_hash", (number: I64 = "block number", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(20);
    /// The transaction's blob versioned hash at `index` (EIP-4844), zero past the end.
    BlobHash = 10078, "blob_hash", (index: I64 = "blob index", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(3);
    /// The block's blob base fee (EIP-7516).
    BlobBaseFee = 10079, "blob_base_fee", (out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Fixed(2);
    /// Size of `addr`'s code (for envelope accounts: header and code section).
    ExtCodeSize = 10080, "ext_code_size", (addr: I32 = "20-byte address offset") -> I32,
        gas: GasRule::Dynamic(Formula::AccountAccess);
    /// Copies `addr`'s code `[offset, offset+len)` to `dest`; bytes past the end read as zero.
    ExtCodeCopy = 10081, "ext_code_copy", (addr: I32 = "20-byte address offset", dest: I32 = "memory offset to write", offset: I32 = "code offset", len: I32 = "bytes to copy") -> (),
        gas: GasRule::Dynamic(Formula::AccountCopy);
    /// `addr`'s code hash (zero for an empty account, keccak("") for one without code).
    ExtCodeHash = 10082, "ext_code_hash", (addr: I32 = "20-byte address offset", out: I32 = "32-byte output offset") -> (),
        gas: GasRule::Dynamic(Formula::AccountAccess);
    /// Size of the running code (for EVM contracts: the original bytecode).
    CodeSize = 10083, "code_size", () -> I32,
        gas: GasRule::Fixed(2);
    /// Copies the running code `[offset, offset+len)` to `dest`; zero past the end.
    CodeCopy = 10084, "code_copy", (dest: I32 = "memory offset to write", offset: I32 = "code offset", len: I32 = "bytes to copy") -> (),
        gas: GasRule::Copy { base: 3, per_word: 3 };
    /// Writes `[ptr, ptr+len)` as one message to the transaction's debug output, which tools
    /// print (not part of consensus). Paid like a log without topics; the first
    /// [`crate::limits::MAX_DEBUG_OUTPUT`] bytes of a transaction's messages are kept, the
    /// rest is counted and dropped.
    DebugLog = 10090, "debug_log", (ptr: I32 = "message offset", len: I32 = "message length") -> (),
        gas: GasRule::PerByte { base: crate::gas::DEBUG_LOG, per_byte: crate::gas::DEBUG_LOG_BYTE };
    /// Ends the call as out of gas: all its gas is consumed. (Metering does not call it; it
    /// drives the gas global negative and traps, which engines read as out of gas.)
    OutOfGas = 10091, "out_of_gas", () -> (),
        gas: GasRule::Fixed(0);
    /// Charges `amount` gas, failing the call as out of gas if it is not there. Used by
    /// transpiled EVM code for dynamic costs (memory expansion, copies).
    ChargeGas = 10092, "charge_gas", (amount: I64 = "gas to charge") -> (),
        gas: GasRule::Dynamic(Formula::Amount);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_round_trip() {
        for (i, a) in HostFn::ALL.iter().enumerate() {
            assert_eq!(HostFn::from_number(a.number()), Some(*a));
            assert_eq!(HostFn::from_import_name(a.import_name()), Some(*a));
            for b in &HostFn::ALL[i + 1..] {
                assert_ne!(a.number(), b.number());
                assert_ne!(a.import_name(), b.import_name());
            }
            assert!(a.params().len() <= 6, "{a:?}: ecall passes at most six arguments");
        }
    }

    #[test]
    fn groups_follow_number_ranges() {
        assert_eq!(HostFn::Read.group(), Group::Linux);
        assert!(!HostFn::Exit.importable());
        assert_eq!(HostFn::Keccak256.group(), Group::Precompile);
        assert_eq!(HostFn::Call.group(), Group::Environment);
    }

    #[test]
    fn precompile_addresses_are_unique_and_only_for_precompiles() {
        for (i, a) in HostFn::ALL.iter().enumerate() {
            let Some(n) = a.precompile_address() else { continue };
            assert_eq!(a.group(), Group::Precompile, "{a:?}");
            assert!((0x01..=0x11).contains(&n) || n == 0x100 || ZKOS_PRECOMPILES.contains(&n), "{a:?}: {n:#x}");
            for b in &HostFn::ALL[i + 1..] {
                assert_ne!(b.precompile_address(), Some(n), "{a:?} and {b:?}");
            }
        }
        assert_eq!(HostFn::Poseidon.precompile_address(), Some(0x5a00));
        assert_eq!(HostFn::Keccak256.precompile_address(), None);
    }
}
