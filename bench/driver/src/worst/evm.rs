//! The EVM cases of `zkos bench worst`: one contract per operation whose code is a
//! `JUMPDEST` loop around a large unrolled body of that operation with its stack setup (the
//! shape of EEST's zkEVM worst-case benchmarks), run until it is out of gas.

/// The largest body the loop unrolls, in bytes (under EIP-170's 24,576).
const BODY_BYTES: usize = 20_000;

// Opcodes used by the builders.
const POP: u8 = 0x50;
const MSTORE: u8 = 0x52;
const JUMP: u8 = 0x56;
const JUMPI: u8 = 0x57;
const JUMPDEST: u8 = 0x5b;
const PUSH0: u8 = 0x5f;
const PUSH1: u8 = 0x60;
const PUSH2: u8 = 0x61;
const PUSH32: u8 = 0x7f;
const DUP1: u8 = 0x80;
const ADD: u8 = 0x01;

/// A case: its name and its contract's code.
pub struct Case {
    /// The operation (the row's name).
    pub name: String,
    /// The contract's EVM code.
    pub code: Vec<u8>,
}

/// `PUSH32 value`.
fn push32(v: [u8; 32]) -> Vec<u8> {
    let mut out = vec![PUSH32];
    out.extend_from_slice(&v);
    out
}

/// The shortest push of a small number.
fn push(n: u64) -> Vec<u8> {
    if n == 0 {
        return vec![PUSH0];
    }
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let mut out = vec![PUSH1 + (7 - skip) as u8];
    out.extend_from_slice(&bytes[skip..]);
    out
}

/// A 32-byte word with every byte `b`, its top byte `top`.
fn word(top: u8, b: u8) -> [u8; 32] {
    let mut w = [b; 32];
    w[0] = top;
    w
}

/// The loop: `prelude`, then `JUMPDEST`, `unit` repeated to fill [`BODY_BYTES`] (each copy made
/// by `unit_at(pc)` so jumps can name their targets), then a jump back to the `JUMPDEST`.
fn looped(prelude: &[u8], unit_at: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    let mut code = prelude.to_vec();
    let start = code.len();
    code.push(JUMPDEST);
    loop {
        let unit = unit_at(code.len());
        if code.len() - start + unit.len() > BODY_BYTES {
            break;
        }
        code.extend_from_slice(&unit);
    }
    code.extend_from_slice(&push(start as u64));
    code.push(JUMP);
    code
}

/// Fresh arguments each time: `args` pushed once (the first is deepest), the body copies them
/// with `DUPn` (each argument's copy costs 3 gas), runs `op` and pops its `outs` results.
fn fresh(name: &str, args: &[[u8; 32]], op: u8, outs: usize) -> Case {
    let mut prelude = Vec::new();
    for a in args {
        prelude.extend_from_slice(&push32(*a));
    }
    let mut unit = vec![DUP1 + args.len() as u8 - 1; args.len()];
    unit.push(op);
    unit.extend(std::iter::repeat_n(POP, outs));
    Case { name: name.into(), code: looped(&prelude, |_| unit.clone()) }
}

/// Arguments given as small pushes (offsets, sizes) each time, then `op` and `outs` pops.
fn pushed(name: &str, prelude: &[u8], args: &[u64], op: u8, outs: usize) -> Case {
    let mut unit = Vec::new();
    for a in args.iter().rev() {
        unit.extend_from_slice(&push(*a));
    }
    unit.push(op);
    unit.extend(std::iter::repeat_n(POP, outs));
    Case { name: name.into(), code: looped(prelude, |_| unit.clone()) }
}

/// Cold accesses: a counter on the stack (from `first`) is the operation's argument,
/// incremented each time so no address or key is ever warm. `before` and `after` surround
/// the counter's copy (other arguments), `outs` results are popped.
fn counted(name: &str, first: u64, before: &[u8], op_then: &[u8]) -> Case {
    let mut unit = before.to_vec();
    unit.push(DUP1 + count_depth(before) as u8);
    unit.extend_from_slice(op_then);
    unit.extend_from_slice(&push(1));
    unit.push(ADD);
    Case { name: name.into(), code: looped(&push(first), |_| unit.clone()) }
}

/// How many values `before` pushed (it holds only pushes).
fn count_depth(before: &[u8]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < before.len() {
        let op = before[i];
        i += 1 + if (PUSH1..=PUSH32).contains(&op) { (op - PUSH1 + 1) as usize } else { 0 };
        n += 1;
    }
    n
}

/// A 256-bit number's words for the arithmetic: large (top bits set) operands, a divisor
/// half as wide, an odd modulus of full width.
const A: fn() -> [u8; 32] = || word(0xf7, 0xa5);
const B: fn() -> [u8; 32] = || word(0xc3, 0x5b);
const HALF: fn() -> [u8; 32] = || {
    let mut w = [0u8; 32];
    w[16..].copy_from_slice(&[0xe9; 16]);
    w
};
const MODULUS: fn() -> [u8; 32] = || word(0xfd, 0x3b);

fn small(n: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&n.to_be_bytes());
    w
}

/// An address with code that does nothing (`STOP`), present in the pre-state.
pub const STOP_CONTRACT: u64 = 0x5700;
/// An account with only a balance, present in the pre-state.
pub const FUNDED_EOA: u64 = 0xe0a;

/// Every EVM case.
pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    // Arithmetic, comparison, bitwise (fresh operands: the first argument is the deepest,
    // so the operation's top-of-stack operand is the last listed).
    let binary: &[(&str, u8, [u8; 32], [u8; 32])] = &[
        ("ADD", 0x01, B(), A()),
        ("MUL", 0x02, B(), A()),
        ("SUB", 0x03, B(), A()),
        ("DIV", 0x04, HALF(), A()),
        ("SDIV", 0x05, HALF(), A()),
        ("MOD", 0x06, HALF(), A()),
        ("SMOD", 0x07, HALF(), A()),
        ("SIGNEXTEND", 0x0b, A(), small(15)),
        ("LT", 0x10, B(), A()),
        ("GT", 0x11, B(), A()),
        ("SLT", 0x12, B(), A()),
        ("SGT", 0x13, B(), A()),
        ("EQ", 0x14, A(), A()),
        ("AND", 0x16, B(), A()),
        ("OR", 0x17, B(), A()),
        ("XOR", 0x18, B(), A()),
        ("BYTE", 0x1a, A(), small(17)),
        ("SHL", 0x1b, A(), small(129)),
        ("SHR", 0x1c, A(), small(129)),
        ("SAR", 0x1d, A(), small(129)),
    ];
    for (name, op, x, y) in binary {
        v.push(fresh(name, &[*x, *y], *op, 1));
    }
    // Division by a full-width divisor (another path of the long division).
    v.push(fresh("DIV (full-width divisor)", &[B(), A()], 0x04, 1));
    v.push(fresh("MOD (full-width modulus)", &[B(), A()], 0x06, 1));
    // The other paths of the division and reduction helpers: a 64-bit and a 32-bit divisor,
    // a dividend below the divisor, a 64-bit modulus, operands whose product fits 64 bits.
    v.push(fresh("DIV (64-bit divisor)", &[small(0xfedc_ba98_7654_3211), A()], 0x04, 1));
    v.push(fresh("DIV (32-bit divisor)", &[small(0xfedc_ba98), A()], 0x04, 1));
    v.push(fresh("DIV (dividend below divisor)", &[A(), HALF()], 0x04, 1));
    v.push(fresh("MULMOD (64-bit modulus)", &[small(0xfedc_ba98_7654_3211), B(), A()], 0x09, 1));
    v.push(fresh("MULMOD (32-bit operands)", &[small(0xffff_fffb), small(0xf_ffff), small(0xf_fff1)], 0x09, 1));
    v.push(fresh("ADDMOD", &[MODULUS(), B(), A()], 0x08, 1));
    v.push(fresh("MULMOD", &[MODULUS(), B(), A()], 0x09, 1));
    v.push(fresh("ADDMOD (half-width modulus)", &[HALF(), B(), A()], 0x08, 1));
    v.push(fresh("MULMOD (half-width modulus)", &[HALF(), B(), A()], 0x09, 1));
    // EXP: a 32-byte exponent (dynamic gas 50 per byte) and a 1-byte one.
    v.push(fresh("EXP (32-byte exponent)", &[A(), B()], 0x0a, 1));
    v.push(fresh("EXP (1-byte exponent)", &[small(0xff), B()], 0x0a, 1));
    v.push(fresh("ISZERO", &[A()], 0x15, 1));
    v.push(fresh("NOT", &[A()], 0x19, 1));
    // KECCAK256 of 0, 32 and 1024 bytes of memory.
    let mem = {
        let mut p = push(0);
        p.extend_from_slice(&push(2048));
        p.push(MSTORE);
        p
    };
    for size in [0u64, 32, 1024] {
        v.push(pushed(&format!("KECCAK256 ({size} bytes)"), &mem, &[0, size], 0x20, 1));
    }
    // Environment and block: no arguments, one result.
    let nullary: &[(&str, u8)] = &[
        ("ADDRESS", 0x30),
        ("ORIGIN", 0x32),
        ("CALLER", 0x33),
        ("CALLVALUE", 0x34),
        ("CALLDATASIZE", 0x36),
        ("CODESIZE", 0x38),
        ("GASPRICE", 0x3a),
        ("RETURNDATASIZE", 0x3d),
        ("COINBASE", 0x41),
        ("TIMESTAMP", 0x42),
        ("NUMBER", 0x43),
        ("PREVRANDAO", 0x44),
        ("GASLIMIT", 0x45),
        ("CHAINID", 0x46),
        ("SELFBALANCE", 0x47),
        ("BASEFEE", 0x48),
        ("BLOBBASEFEE", 0x4a),
        ("PC", 0x58),
        ("MSIZE", 0x59),
        ("GAS", 0x5a),
        ("PUSH0", PUSH0),
    ];
    for (name, op) in nullary {
        v.push(pushed(name, &[], &[], *op, 1));
    }
    let push32_pop: Vec<u8> = push32(A()).into_iter().chain([POP]).collect();
    v.push(Case { name: "PUSH32 POP".into(), code: looped(&[], |_| push32_pop.clone()) });
    v.push(Case { name: "JUMPDEST".into(), code: looped(&[], |_| vec![JUMPDEST]) });
    v.push(Case {
        name: "JUMP".into(),
        code: looped(&[], |pc| {
            let mut u = vec![PUSH2];
            u.extend_from_slice(&((pc + 4) as u16).to_be_bytes());
            u.extend_from_slice(&[JUMP, JUMPDEST]);
            u
        }),
    });
    v.push(Case {
        name: "JUMPI (taken)".into(),
        code: looped(&[], |pc| {
            let mut u = vec![PUSH1, 1, PUSH2];
            u.extend_from_slice(&((pc + 6) as u16).to_be_bytes());
            u.extend_from_slice(&[JUMPI, JUMPDEST]);
            u
        }),
    });
    v.push(Case { name: "DUP1 POP".into(), code: looped(&push(7), |_| vec![DUP1, POP]) });
    v.push(Case { name: "SWAP1".into(), code: looped(&[PUSH1, 1, PUSH1, 2], |_| vec![0x90]) });
    v.push(Case { name: "DUP16 POP".into(), code: looped(&[PUSH1, 1].repeat(16), |_| vec![0x8f, POP]) });
    v.push(Case { name: "SWAP16".into(), code: looped(&[PUSH1, 1].repeat(17), |_| vec![0x9f]) });
    // Calldata, code, return data, memory.
    v.push(pushed("CALLDATALOAD", &[], &[0], 0x35, 1));
    v.push(pushed("CALLDATACOPY (32 bytes)", &[], &[0, 0, 32], 0x37, 0));
    v.push(pushed("CODECOPY (32 bytes)", &[], &[0, 0, 32], 0x39, 0));
    v.push(pushed("CODECOPY (1024 bytes)", &[], &[0, 0, 1024], 0x39, 0));
    v.push(pushed("RETURNDATACOPY (0 bytes)", &[], &[0, 0, 0], 0x3e, 0));
    v.push(pushed("MLOAD", &mem, &[0], 0x51, 1));
    v.push(pushed("MSTORE", &mem, &[0, 0x1234], MSTORE, 0));
    v.push(pushed("MSTORE8", &mem, &[0, 0x12], 0x53, 0));
    v.push(pushed("MCOPY (32 bytes)", &mem, &[0, 64, 32], 0x5e, 0));
    v.push(pushed("MCOPY (1024 bytes)", &mem, &[0, 1024, 1024], 0x5e, 0));
    // Accounts: warm (the contract itself, a funded account after its first access) and cold
    // (a new address each time).
    let eoa = FUNDED_EOA;
    v.push(pushed("BALANCE (warm)", &[], &[eoa], 0x31, 1));
    v.push(pushed("EXTCODESIZE (warm)", &[], &[STOP_CONTRACT], 0x3b, 1));
    v.push(pushed("EXTCODEHASH (warm)", &[], &[STOP_CONTRACT], 0x3f, 1));
    v.push(pushed("EXTCODECOPY (warm, 32 bytes)", &[], &[STOP_CONTRACT, 0, 0, 32], 0x3c, 0));
    v.push(counted("BALANCE (cold)", 0x10_0000, &[], &[0x31, POP]));
    v.push(counted("EXTCODESIZE (cold)", 0x10_0000, &[], &[0x3b, POP]));
    v.push(counted("EXTCODEHASH (cold)", 0x10_0000, &[], &[0x3f, POP]));
    v.push(pushed("BLOCKHASH", &[], &[0], 0x40, 1));
    v.push(pushed("BLOBHASH", &[], &[0], 0x49, 1));
    // Storage.
    v.push(pushed("SLOAD (warm)", &[], &[1], 0x54, 1));
    v.push(counted("SLOAD (cold)", 0x100, &[], &[0x54, POP]));
    v.push(pushed("SSTORE (warm, unchanged)", &[], &[1, 0], 0x55, 0));
    v.push(counted("SSTORE (cold, zero to non-zero)", 0x100, &push(1), &[0x55]));
    v.push(pushed("TLOAD", &[], &[1], 0x5c, 1));
    v.push(pushed("TSTORE", &[], &[1, 7], 0x5d, 0));
    // Logs: no data and 32 bytes, with 0 and 4 topics.
    for (topics, size) in [(0u8, 0u64), (0, 32), (4, 0), (4, 32)] {
        let mut args = vec![0, size];
        args.extend(std::iter::repeat_n(0x77, topics as usize));
        v.push(pushed(&format!("LOG{topics} ({size} bytes)"), &[], &args, 0xa0 + topics, 0));
    }
    // Calls to an empty account (warm after its first call) and to a contract that stops.
    let empty = 0xdead_u64;
    v.push(pushed("CALL (empty account)", &[], &[5000, empty, 0, 0, 0, 0, 0], 0xf1, 1));
    v.push(pushed("CALL (empty account, 1 wei)", &[], &[5000, empty, 1, 0, 0, 0, 0], 0xf1, 1));
    v.push(pushed("STATICCALL (empty account)", &[], &[5000, empty, 0, 0, 0, 0], 0xfa, 1));
    v.push(pushed("DELEGATECALL (empty account)", &[], &[5000, empty, 0, 0, 0, 0], 0xf4, 1));
    v.push(pushed("CALLCODE (empty account)", &[], &[5000, empty, 0, 0, 0, 0, 0], 0xf2, 1));
    v.push(pushed("STATICCALL (STOP contract)", &[], &[5000, STOP_CONTRACT, 0, 0, 0, 0], 0xfa, 1));
    v.push(counted("CALL (cold empty account)", 0x20_0000, &[], &[]).calling());
    // Creation of empty contracts.
    v.push(pushed("CREATE (empty code)", &[], &[0, 0, 0], 0xf0, 1));
    v.push(counted("CREATE2 (empty code)", 1, &[], &[]).creating2());
    v
}

impl Case {
    /// The counter as the address of a `CALL` with 5000 gas, no value, no data.
    fn calling(self) -> Case {
        // Stack: counter. Unit: 0 0 0 0 0 DUP6 5000 CALL POP, counter + 1.
        let mut unit = [push(0), push(0), push(0), push(0), push(0)].concat();
        unit.push(DUP1 + 5);
        unit.extend_from_slice(&push(5000));
        unit.extend_from_slice(&[0xf1, POP]);
        unit.extend_from_slice(&push(1));
        unit.push(ADD);
        Case { name: self.name, code: looped(&push(0x20_0000), |_| unit.clone()) }
    }

    /// The counter as the salt of a `CREATE2` of empty code.
    fn creating2(self) -> Case {
        // Stack: counter. Unit: DUP1 0 0 0 CREATE2 POP, counter + 1.
        let mut unit = vec![DUP1];
        unit.extend_from_slice(&[push(0), push(0), push(0)].concat());
        unit.extend_from_slice(&[0xf5, POP]);
        unit.extend_from_slice(&push(1));
        unit.push(ADD);
        Case { name: self.name, code: looped(&push(1), |_| unit.clone()) }
    }
}

/// The precompile cases: `STATICCALL` of each precompile in a loop, its input the first
/// `size` bytes of memory (zeros, or the bytes `input` put there), all remaining gas
/// forwarded (a failing call uses it all; the row then shows one call).
pub fn precompiles() -> Vec<Case> {
    // (address, name, input size, gas to forward)
    let list: &[(u64, &str, u64, u64)] = &[
        (0x01, "ECRECOVER", 128, 3000),
        (0x02, "SHA256 (64 bytes)", 64, 60 + 12 * 2),
        (0x02, "SHA256 (1024 bytes)", 1024, 60 + 12 * 32),
        (0x03, "RIPEMD160 (64 bytes)", 64, 600 + 120 * 2),
        (0x04, "IDENTITY (1024 bytes)", 1024, 15 + 3 * 32),
        (0x05, "MODEXP (zero, 32-byte operands)", 96 + 96, 500),
        (0x06, "BN254 ADD", 128, 150),
        (0x07, "BN254 MUL", 96, 6000),
        (0x08, "BN254 PAIRING (empty)", 0, 45_000),
        (0x09, "BLAKE2F (0 rounds)", 213, 0),
        (0x0a, "KZG POINT EVALUATION (zeros)", 192, 50_000),
        (0x0b, "BLS12 G1ADD (zeros)", 256, 375),
        (0x0c, "BLS12 G1MSM (zeros)", 160, 12_000),
        (0x0d, "BLS12 G2ADD (zeros)", 512, 600),
        (0x0e, "BLS12 G2MSM (zeros)", 288, 22_500),
        (0x0f, "BLS12 PAIRING (zeros)", 384, 70_300),
        (0x10, "BLS12 MAP_FP_TO_G1 (zero)", 64, 5500),
        (0x11, "BLS12 MAP_FP2_TO_G2 (zero)", 128, 23_800),
        (0x100, "P256VERIFY (zeros)", 160, 6900),
    ];
    let mut v = Vec::new();
    v.push(ecrecover_valid());
    for &(address, name, size, gas) in list {
        let mut prelude = Vec::new();
        if address == 0x05 {
            // MODEXP: base, exponent and modulus lengths of 32, then zeros.
            for at in [0u64, 32, 64] {
                prelude.extend_from_slice(&push(32));
                prelude.extend_from_slice(&push(at));
                prelude.push(MSTORE);
            }
        }
        // Memory expanded once, before the loop.
        prelude.extend_from_slice(&push(0));
        prelude.extend_from_slice(&push(size.max(32) + 64));
        prelude.push(MSTORE);
        let out = size.max(32) + 128;
        v.push(Case {
            name: format!("precompile {address:#04x} {name}"),
            code: looped(&prelude, |_| {
                [push(32), push(out), push(size), push(0), push(address), push(gas), vec![0xfa, POP]].concat()
            }),
        });
    }
    v
}

/// ECRECOVER on a valid signature (the zero input of the list above fails at once): a fixed
/// hash signed by the benchmark's key, stored in memory once, recovered in the loop.
fn ecrecover_valid() -> Case {
    use k256::ecdsa::SigningKey;
    let hash = [0x5au8; 32];
    // The key is a valid scalar and signing a prehash cannot fail for it.
    let key = SigningKey::from_slice(super::kernel::SECRET.as_slice()).expect("the benchmark key");
    let (sig, id) = key.sign_prehash_recoverable(&hash).expect("signing a 32-byte hash");
    let bytes = sig.to_bytes();
    let mut r = [0u8; 32];
    let mut s = [0u8; 32];
    r.copy_from_slice(&bytes[..32]);
    s.copy_from_slice(&bytes[32..]);
    let mut prelude = Vec::new();
    for (at, w) in [(0u64, hash), (32, small(27 + u64::from(id.to_byte()))), (64, r), (96, s)] {
        prelude.extend_from_slice(&push32(w));
        prelude.extend_from_slice(&push(at));
        prelude.push(MSTORE);
    }
    Case {
        name: "precompile 0x01 ECRECOVER (valid signature)".into(),
        code: looped(&prelude, |_| {
            [push(32), push(160), push(128), push(0), push(0x01), push(3000), vec![0xfa, POP]].concat()
        }),
    }
}
