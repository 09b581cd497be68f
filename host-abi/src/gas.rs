//! The gas schedule (DESIGN.md §4): one unit for every kind of code.
//!
//! Host functions cost what the equivalent EVM operation costs (Cancun). WASM instructions
//! have weights calibrated so that one gas unit is close to one RV64IM instruction of
//! lowered code.

/// How a host function is charged: its entry in the host-function table. What a call
/// costs follows from it in one place, [`crate::charge::charge`]; the constants the rules use
/// are below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GasRule {
    /// A fixed amount.
    Fixed(u64),
    /// `base + per_word * ceil(len / 32)` for the function's length argument.
    Copy {
        /// Fixed part.
        base: u64,
        /// Per 32-byte word.
        per_word: u64,
    },
    /// `base + per_byte * len` for the function's length argument.
    PerByte {
        /// Fixed part.
        base: u64,
        /// Per byte.
        per_byte: u64,
    },
    /// Depends on state or input: the named formula gives the rule.
    Dynamic(crate::charge::Formula),
}

impl core::fmt::Display for GasRule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Fixed(n) => write!(f, "{n}"),
            Self::Copy { base, per_word } => write!(f, "{base} + {per_word} per 32-byte word"),
            Self::PerByte { base, per_byte } => write!(f, "{base} + {per_byte} per byte"),
            Self::Dynamic(formula) => formula.fmt(f),
        }
    }
}

/// Number of 32-byte words needed for `len` bytes.
pub const fn words(len: u64) -> u64 {
    len.div_ceil(32)
}

// ---------------------------------------------------------------- Ethereum constants (Cancun)
/// Gas a call frame pays, before the instance of its code is made, for the linear memory its
/// module declares initially: [`MEMORY_GROW_PAGE`] per page after the first, as if grown by
/// `memory.grow` (the first page comes with every call, as the one page of transpiled EVM
/// code does, so EVM gas stays Ethereum's).
pub const fn initial_memory_gas(pages: u64) -> u64 {
    pages.saturating_sub(1).saturating_mul(MEMORY_GROW_PAGE)
}

/// Intrinsic gas of every transaction.
pub const TX_BASE: u64 = 21_000;
/// Intrinsic gas of a contract-creating transaction, on top of [`TX_BASE`].
pub const TX_CREATE: u64 = 32_000;
/// Calldata zero byte.
pub const TX_DATA_ZERO: u64 = 4;
/// Calldata non-zero byte (EIP-2028).
pub const TX_DATA_NONZERO: u64 = 16;
/// Access-list address (EIP-2930).
pub const TX_ACCESS_LIST_ADDRESS: u64 = 2_400;
/// Access-list storage key (EIP-2930).
pub const TX_ACCESS_LIST_STORAGE_KEY: u64 = 1_900;
/// Per authorization of a set-code transaction (EIP-7702's `PER_EMPTY_ACCOUNT_COST`).
pub const TX_AUTHORIZATION: u64 = 25_000;
/// What an authorization costs when its authority exists already (EIP-7702's
/// `PER_AUTH_BASE_COST`): [`TX_AUTHORIZATION`] less this is refunded.
pub const AUTHORIZATION_BASE: u64 = 12_500;
/// Calldata tokens: a zero byte is one token, a non-zero byte this many (EIP-7623).
pub const TX_DATA_TOKENS_NONZERO: u64 = 4;
/// The calldata floor's price per token (EIP-7623's `TOTAL_COST_FLOOR_PER_TOKEN`).
pub const TX_DATA_FLOOR_TOKEN: u64 = 10;
/// Per initcode word (EIP-3860).
pub const INITCODE_WORD: u64 = 2;
/// Per word hashed by CREATE2 and KECCAK256.
pub const KECCAK_WORD: u64 = 6;
/// KECCAK256 base.
pub const KECCAK_BASE: u64 = 30;
/// Per word copied.
pub const COPY_WORD: u64 = 3;
/// Memory: linear coefficient per word.
pub const MEMORY_WORD: u64 = 3;
/// Memory: quadratic divisor.
pub const MEMORY_QUAD_DIVISOR: u64 = 512;
/// EIP-2929 warm access.
pub const WARM_ACCESS: u64 = 100;
/// EIP-2929 cold account access.
pub const COLD_ACCOUNT_ACCESS: u64 = 2_600;
/// EIP-2929 cold storage read.
pub const COLD_SLOAD: u64 = 2_100;
/// SSTORE setting a zero slot to non-zero.
pub const SSTORE_SET: u64 = 20_000;
/// SSTORE changing a non-zero slot (5000 - COLD_SLOAD).
pub const SSTORE_RESET: u64 = 2_900;
/// Refund for clearing a slot (EIP-3529).
pub const SSTORE_CLEARS_REFUND: u64 = 4_800;
/// SSTORE fails if no more than this is left (EIP-2200).
pub const SSTORE_STIPEND_GUARD: u64 = 2_300;
/// Value-bearing call.
pub const CALL_VALUE: u64 = 9_000;
/// Stipend given to the callee of a value-bearing call.
pub const CALL_STIPEND: u64 = 2_300;
/// Call to, or self-destruct towards, an empty account with value.
pub const NEW_ACCOUNT: u64 = 25_000;
/// CREATE and CREATE2 base.
pub const CREATE: u64 = 32_000;
/// Per byte of deployed EVM code.
pub const CODE_DEPOSIT_BYTE: u64 = 200;
/// SELFDESTRUCT base.
pub const SELFDESTRUCT: u64 = 5_000;
/// LOG base.
pub const LOG: u64 = 375;
/// Per LOG topic.
pub const LOG_TOPIC: u64 = 375;
/// Per LOG data byte.
pub const LOG_DATA_BYTE: u64 = 8;
/// The most topics a log has (LOG0 to LOG4); `emit_log` with more fails the call.
pub const MAX_LOG_TOPICS: u64 = 4;
/// `debug_log` base: what a log without topics costs ([`LOG`]).
pub const DEBUG_LOG: u64 = LOG;
/// Per byte written by `debug_log`: what a byte of log data costs ([`LOG_DATA_BYTE`]).
pub const DEBUG_LOG_BYTE: u64 = LOG_DATA_BYTE;
/// Maximum refund is gas used divided by this (EIP-3529).
pub const MAX_REFUND_QUOTIENT: u64 = 5;
/// bn254 pairing check base (EIP-1108).
pub const BN254_PAIRING_BASE: u64 = 45_000;
/// bn254 pairing check per pair (EIP-1108).
pub const BN254_PAIRING_PAIR: u64 = 34_000;
/// Bytes of one pair of the bn254 pairing check's input (a G1 and a G2 point).
pub const BN254_PAIR_BYTES: u64 = 192;
/// blake2f per round (EIP-152).
pub const BLAKE2F_ROUND: u64 = 1;
/// BLS12-381 G1 addition (EIP-2537).
pub const BLS12_G1_ADD: u64 = 375;
/// BLS12-381 G2 addition (EIP-2537).
pub const BLS12_G2_ADD: u64 = 600;
/// BLS12-381 G1 multi-scalar multiplication, per pair before EIP-2537's discount.
pub const BLS12_G1_MSM_PAIR: u64 = 12_000;
/// BLS12-381 G2 multi-scalar multiplication, per pair before EIP-2537's discount.
pub const BLS12_G2_MSM_PAIR: u64 = 22_500;
/// Bytes of one pair of the BLS12-381 G1 MSM's input (a padded G1 point and a scalar).
pub const BLS12_G1_MSM_PAIR_BYTES: u64 = 160;
/// Bytes of one pair of the BLS12-381 G2 MSM's input (a padded G2 point and a scalar).
pub const BLS12_G2_MSM_PAIR_BYTES: u64 = 288;
/// BLS12-381 pairing check base (EIP-2537).
pub const BLS12_PAIRING_BASE: u64 = 37_700;
/// BLS12-381 pairing check per pair (EIP-2537).
pub const BLS12_PAIRING_PAIR: u64 = 32_600;
/// Bytes of one pair of the BLS12-381 pairing check's input (a G1 and a G2 point, padded).
pub const BLS12_PAIR_BYTES: u64 = 384;
/// BLS12-381 map of an Fp element to G1 (EIP-2537).
pub const BLS12_MAP_FP_TO_G1: u64 = 5_500;
/// BLS12-381 map of an Fp2 element to G2 (EIP-2537).
pub const BLS12_MAP_FP2_TO_G2: u64 = 23_800;
/// secp256r1 signature verification (EIP-7951).
pub const P256_VERIFY: u64 = 6_900;
/// Poseidon (host function 1009): nothing per call, [`POSEIDON_ELEMENT`] per 32-byte input
/// element, priced so that no width costs more than 50 RV64IM instructions per gas inside
/// the kernel (issue 17's bound; keccak256 and signature recovery are accelerated there, so
/// the old yardstick, keccak256 in software, no longer applies). Measured on rv-machine with
/// both compiled for it (the kernel's target spec, opt-level 3, LTO): Poseidon takes 178k
/// instructions for 1 element, 305k for 2, 720k for 4, 2.18M for 8 and 4.51M for 12 (the
/// kernel's `zkos bench worst` case `host poseidon`, one element, agrees: 174k a call). At
/// 8,400 per element that is 21 instructions per gas for one element, 18 for 2, 21 for 4,
/// 32 for 8 and 45 for 12 (at 560, before issue 17, 310 for one element). Its cost grows
/// faster than linearly with the width (the MDS matrix is width² products a round), so the
/// widest input sets the price; a linear rule keeps the gas-bounds analysis exact.
pub const POSEIDON_BASE: u64 = 0;
/// Poseidon, per 32-byte input element (see [`POSEIDON_BASE`]).
pub const POSEIDON_ELEMENT: u64 = 8_400;

// ---------------------------------------------------------------- deployment of WASM code
/// Validation of a WASM module at deployment, per byte of code.
pub const VALIDATE_BYTE: u64 = 3;
/// Metering injection and normalization, per byte of code.
pub const METER_BYTE: u64 = 2;
/// Storing deployed WASM code, per byte (cheaper than EVM's 200: code is not state-bloating
/// per byte in the same way, but is still published).
pub const WASM_CODE_DEPOSIT_BYTE: u64 = 50;
/// Compiling WASM to RV64IM at deployment, per byte of code.
pub const COMPILE_BYTE: u64 = 10;
/// Transpiling EVM code to WASM, per byte of deployed EVM code. EVM gas is Ethereum's
/// exactly, so this is not added on top: it is the transpiler's share of the code deposit
/// ([`CODE_DEPOSIT_BYTE`]), taken when the code is deployed, which is when it is transpiled.
/// Init code is transpiled when it runs and paid by EIP-3860's per-word charge
/// ([`INITCODE_WORD`]); code present in the genesis state is transpiled on first use.
pub const TRANSPILE_BYTE: u64 = 4;
const _: () = assert!(TRANSPILE_BYTE <= CODE_DEPOSIT_BYTE, "the code deposit pays for transpiling");

// ---------------------------------------------------------------- WASM instruction weights
/// Classes of WASM instructions for metering. Every operator of the deterministic subset
/// belongs to exactly one class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpClass {
    /// `nop`, `block`, `loop`, `end`, `else`, `drop`: no code of their own.
    Free,
    /// Constants, `local.*`, `global.*`, `select`.
    Move,
    /// Integer add/sub/logic/shift/compare/extend/wrap: one ALU instruction.
    Alu,
    /// Integer multiply.
    Mul,
    /// Integer divide and remainder (with the trap checks).
    Div,
    /// Count leading/trailing zeros and popcount (no RV64IM instruction: a loop).
    BitCount,
    /// Rotations (two shifts and an or).
    Rotate,
    /// Memory loads and stores (address computation and bounds check).
    Memory,
    /// `br`, `br_if`, `if`, `return`, `unreachable`.
    Branch,
    /// `br_table` (bounds check and jump table).
    BranchTable,
    /// Direct `call`.
    Call,
    /// `call_indirect` (bounds, signature check).
    CallIndirect,
    /// `memory.size`, `table.size`, `table.get`, `table.set`, `ref.*`.
    Query,
    /// `memory.grow`: base only; [`MEMORY_GROW_PAGE`] per page is charged at run time.
    MemoryGrow,
    /// Bulk memory (`memory.copy`, `memory.fill`, `memory.init`, `data.drop`,
    /// `table.copy`, `table.init`, `elem.drop`, `table.grow`, `table.fill`): base only;
    /// [`BULK_BYTE_DIVISOR`] applies at run time.
    Bulk,
}

impl OpClass {
    /// The weight in gas.
    pub const fn weight(self) -> u64 {
        match self {
            Self::Free => 0,
            Self::Move => 1,
            Self::Alu => 1,
            Self::Mul => 1,
            Self::Div => 4,
            Self::BitCount => 16,
            Self::Rotate => 3,
            Self::Memory => 3,
            Self::Branch => 1,
            Self::BranchTable => 6,
            Self::Call => 8,
            Self::CallIndirect => 16,
            Self::Query => 2,
            Self::MemoryGrow => 64,
            Self::Bulk => 16,
        }
    }

    /// Every class, for tables.
    pub const ALL: &'static [OpClass] = &[
        Self::Free,
        Self::Move,
        Self::Alu,
        Self::Mul,
        Self::Div,
        Self::BitCount,
        Self::Rotate,
        Self::Memory,
        Self::Branch,
        Self::BranchTable,
        Self::Call,
        Self::CallIndirect,
        Self::Query,
        Self::MemoryGrow,
        Self::Bulk,
    ];
}

/// Gas per 64 KiB page added by `memory.grow` (zeroing 8192 doublewords).
pub const MEMORY_GROW_PAGE: u64 = 8_192;
/// Gas per declared local of a function (parameters excluded), charged on every call with the
/// function's entry block: the callee's locals start at zero, which compiled code does in
/// about one RV64IM instruction each (a store or a register move each for the first few,
/// then a loop of eight stores, an add and a branch: 1.25 per local).
pub const DECLARED_LOCAL: u64 = 1;
/// Bulk memory operations cost one gas per this many bytes (or table elements) moved.
pub const BULK_BYTE_DIVISOR: u64 = 8;
