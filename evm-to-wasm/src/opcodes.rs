//! The EVM opcode table (Osaka), written once, and the [`Rules`] that leave out the opcodes
//! of later forks.
//!
//! Each row gives the byte, the mnemonic, the stack inputs and outputs, the static gas of the
//! Ethereum schedule, who charges it, and how the opcode affects control flow. Decoding
//! ([`info`]), block gas and stack effects in [`crate::analysis`] and the code generator all
//! read this table.

/// Who charges an opcode's gas in transpiled code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charge {
    /// The transpiled code: the static gas is part of the basic block's charge (dynamic
    /// parts, such as memory expansion or EXP's per-byte cost, are charged where they arise).
    Block,
    /// The host function that implements the opcode charges the whole cost (static part
    /// included, EIP-2929 access costs, per-word costs); the block charges nothing for it.
    Host,
}

/// How an opcode affects control flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Execution continues with the next instruction.
    Next,
    /// Execution continues, but the opcode observes the gas left (SSTORE's stipend check,
    /// the CALL family's 63/64 rule, CREATE's forwarded gas), so the gas block ends after it.
    EndsGasBlock,
    /// The frame ends (STOP, RETURN, REVERT, SELFDESTRUCT, INVALID).
    Halt,
    /// Unconditional jump.
    Jump,
    /// Conditional jump.
    JumpI,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpInfo {
    /// The mnemonic.
    pub name: &'static str,
    /// Stack items read (and removed).
    pub inputs: u8,
    /// Stack items written.
    pub outputs: u8,
    /// Static gas in Ethereum's schedule (for EIP-2929 opcodes, the warm cost).
    pub gas: u16,
    /// Who charges it.
    pub charge: Charge,
    /// Control flow.
    pub flow: Flow,
}

impl OpInfo {
    /// Gas the basic block charges for this opcode.
    pub const fn block_gas(&self) -> u64 {
        match self.charge {
            Charge::Block => self.gas as u64,
            Charge::Host => 0,
        }
    }

    /// Number of immediate bytes that follow the opcode (PUSH1–PUSH32).
    pub const fn immediate_len(byte: u8) -> usize {
        if byte >= op::PUSH1 && byte <= op::PUSH32 {
            (byte - op::PUSH1) as usize + 1
        } else {
            0
        }
    }
}

macro_rules! opcodes {
    ($( $byte:literal $name:ident $inputs:literal $outputs:literal $gas:literal $charge:ident $flow:ident; )*) => {
        /// Opcode bytes by mnemonic.
        pub mod op {
            $( #[allow(missing_docs)] pub const $name: u8 = $byte; )*
        }

        const TABLE: [Option<OpInfo>; 256] = {
            let mut t: [Option<OpInfo>; 256] = [None; 256];
            $( t[$byte] = Some(OpInfo {
                name: stringify!($name),
                inputs: $inputs,
                outputs: $outputs,
                gas: $gas,
                charge: Charge::$charge,
                flow: Flow::$flow,
            }); )*
            t
        };
    };
}

/// The row of an opcode in the latest fork's table, or `None` for an undefined opcode (a
/// run-time halt). Code for an earlier fork reads [`Rules::info`].
pub const fn info(byte: u8) -> Option<&'static OpInfo> {
    TABLE[byte as usize].as_ref()
}

/// The opcodes a fork defines: the table less those added later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rules {
    /// EIP-7939 (Osaka): CLZ, 0x1e.
    pub clz: bool,
}

impl Rules {
    /// Every opcode of the table (Osaka).
    pub const LATEST: Rules = Rules { clz: true };
    /// Cancun and Prague: no CLZ.
    pub const CANCUN: Rules = Rules { clz: false };

    /// The row of an opcode under these rules, or `None` for an undefined one.
    pub const fn info(&self, byte: u8) -> Option<&'static OpInfo> {
        if byte == op::CLZ && !self.clz {
            return None;
        }
        info(byte)
    }
}

impl Default for Rules {
    fn default() -> Self {
        Self::LATEST
    }
}

opcodes! {
    0x00 STOP 0 0 0 Host Halt;
    0x01 ADD 2 1 3 Block Next;
    0x02 MUL 2 1 5 Block Next;
    0x03 SUB 2 1 3 Block Next;
    0x04 DIV 2 1 5 Block Next;
    0x05 SDIV 2 1 5 Block Next;
    0x06 MOD 2 1 5 Block Next;
    0x07 SMOD 2 1 5 Block Next;
    0x08 ADDMOD 3 1 8 Block Next;
    0x09 MULMOD 3 1 8 Block Next;
    0x0a EXP 2 1 10 Block Next;
    0x0b SIGNEXTEND 2 1 5 Block Next;
    0x10 LT 2 1 3 Block Next;
    0x11 GT 2 1 3 Block Next;
    0x12 SLT 2 1 3 Block Next;
    0x13 SGT 2 1 3 Block Next;
    0x14 EQ 2 1 3 Block Next;
    0x15 ISZERO 1 1 3 Block Next;
    0x16 AND 2 1 3 Block Next;
    0x17 OR 2 1 3 Block Next;
    0x18 XOR 2 1 3 Block Next;
    0x19 NOT 1 1 3 Block Next;
    0x1a BYTE 2 1 3 Block Next;
    0x1b SHL 2 1 3 Block Next;
    0x1c SHR 2 1 3 Block Next;
    0x1d SAR 2 1 3 Block Next;
    0x1e CLZ 1 1 5 Block Next;
    0x20 KECCAK256 2 1 30 Host Next;
    0x30 ADDRESS 0 1 2 Host Next;
    0x31 BALANCE 1 1 100 Host Next;
    0x32 ORIGIN 0 1 2 Host Next;
    0x33 CALLER 0 1 2 Host Next;
    0x34 CALLVALUE 0 1 2 Host Next;
    0x35 CALLDATALOAD 1 1 3 Block Next;
    0x36 CALLDATASIZE 0 1 2 Host Next;
    0x37 CALLDATACOPY 3 0 3 Host Next;
    0x38 CODESIZE 0 1 2 Host Next;
    0x39 CODECOPY 3 0 3 Host Next;
    0x3a GASPRICE 0 1 2 Host Next;
    0x3b EXTCODESIZE 1 1 100 Host Next;
    0x3c EXTCODECOPY 4 0 100 Host Next;
    0x3d RETURNDATASIZE 0 1 2 Host Next;
    0x3e RETURNDATACOPY 3 0 3 Host Next;
    0x3f EXTCODEHASH 1 1 100 Host Next;
    0x40 BLOCKHASH 1 1 20 Host Next;
    0x41 COINBASE 0 1 2 Host Next;
    0x42 TIMESTAMP 0 1 2 Host Next;
    0x43 NUMBER 0 1 2 Host Next;
    0x44 PREVRANDAO 0 1 2 Host Next;
    0x45 GASLIMIT 0 1 2 Host Next;
    0x46 CHAINID 0 1 2 Host Next;
    0x47 SELFBALANCE 0 1 5 Host Next;
    0x48 BASEFEE 0 1 2 Host Next;
    0x49 BLOBHASH 1 1 3 Host Next;
    0x4a BLOBBASEFEE 0 1 2 Host Next;
    0x50 POP 1 0 2 Block Next;
    0x51 MLOAD 1 1 3 Block Next;
    0x52 MSTORE 2 0 3 Block Next;
    0x53 MSTORE8 2 0 3 Block Next;
    0x54 SLOAD 1 1 100 Host Next;
    0x55 SSTORE 2 0 100 Host EndsGasBlock;
    0x56 JUMP 1 0 8 Block Jump;
    0x57 JUMPI 2 0 10 Block JumpI;
    0x58 PC 0 1 2 Block Next;
    0x59 MSIZE 0 1 2 Block Next;
    0x5a GAS 0 1 2 Block Next;
    0x5b JUMPDEST 0 0 1 Block Next;
    0x5c TLOAD 1 1 100 Host Next;
    0x5d TSTORE 2 0 100 Host Next;
    0x5e MCOPY 3 0 3 Block Next;
    0x5f PUSH0 0 1 2 Block Next;
    0x60 PUSH1 0 1 3 Block Next;
    0x61 PUSH2 0 1 3 Block Next;
    0x62 PUSH3 0 1 3 Block Next;
    0x63 PUSH4 0 1 3 Block Next;
    0x64 PUSH5 0 1 3 Block Next;
    0x65 PUSH6 0 1 3 Block Next;
    0x66 PUSH7 0 1 3 Block Next;
    0x67 PUSH8 0 1 3 Block Next;
    0x68 PUSH9 0 1 3 Block Next;
    0x69 PUSH10 0 1 3 Block Next;
    0x6a PUSH11 0 1 3 Block Next;
    0x6b PUSH12 0 1 3 Block Next;
    0x6c PUSH13 0 1 3 Block Next;
    0x6d PUSH14 0 1 3 Block Next;
    0x6e PUSH15 0 1 3 Block Next;
    0x6f PUSH16 0 1 3 Block Next;
    0x70 PUSH17 0 1 3 Block Next;
    0x71 PUSH18 0 1 3 Block Next;
    0x72 PUSH19 0 1 3 Block Next;
    0x73 PUSH20 0 1 3 Block Next;
    0x74 PUSH21 0 1 3 Block Next;
    0x75 PUSH22 0 1 3 Block Next;
    0x76 PUSH23 0 1 3 Block Next;
    0x77 PUSH24 0 1 3 Block Next;
    0x78 PUSH25 0 1 3 Block Next;
    0x79 PUSH26 0 1 3 Block Next;
    0x7a PUSH27 0 1 3 Block Next;
    0x7b PUSH28 0 1 3 Block Next;
    0x7c PUSH29 0 1 3 Block Next;
    0x7d PUSH30 0 1 3 Block Next;
    0x7e PUSH31 0 1 3 Block Next;
    0x7f PUSH32 0 1 3 Block Next;
    0x80 DUP1 1 2 3 Block Next;
    0x81 DUP2 2 3 3 Block Next;
    0x82 DUP3 3 4 3 Block Next;
    0x83 DUP4 4 5 3 Block Next;
    0x84 DUP5 5 6 3 Block Next;
    0x85 DUP6 6 7 3 Block Next;
    0x86 DUP7 7 8 3 Block Next;
    0x87 DUP8 8 9 3 Block Next;
    0x88 DUP9 9 10 3 Block Next;
    0x89 DUP10 10 11 3 Block Next;
    0x8a DUP11 11 12 3 Block Next;
    0x8b DUP12 12 13 3 Block Next;
    0x8c DUP13 13 14 3 Block Next;
    0x8d DUP14 14 15 3 Block Next;
    0x8e DUP15 15 16 3 Block Next;
    0x8f DUP16 16 17 3 Block Next;
    0x90 SWAP1 2 2 3 Block Next;
    0x91 SWAP2 3 3 3 Block Next;
    0x92 SWAP3 4 4 3 Block Next;
    0x93 SWAP4 5 5 3 Block Next;
    0x94 SWAP5 6 6 3 Block Next;
    0x95 SWAP6 7 7 3 Block Next;
    0x96 SWAP7 8 8 3 Block Next;
    0x97 SWAP8 9 9 3 Block Next;
    0x98 SWAP9 10 10 3 Block Next;
    0x99 SWAP10 11 11 3 Block Next;
    0x9a SWAP11 12 12 3 Block Next;
    0x9b SWAP12 13 13 3 Block Next;
    0x9c SWAP13 14 14 3 Block Next;
    0x9d SWAP14 15 15 3 Block Next;
    0x9e SWAP15 16 16 3 Block Next;
    0x9f SWAP16 17 17 3 Block Next;
    0xa0 LOG0 2 0 375 Host Next;
    0xa1 LOG1 3 0 750 Host Next;
    0xa2 LOG2 4 0 1125 Host Next;
    0xa3 LOG3 5 0 1500 Host Next;
    0xa4 LOG4 6 0 1875 Host Next;
    0xf0 CREATE 3 1 32000 Host EndsGasBlock;
    0xf1 CALL 7 1 100 Host EndsGasBlock;
    0xf2 CALLCODE 7 1 100 Host EndsGasBlock;
    0xf3 RETURN 2 0 0 Host Halt;
    0xf4 DELEGATECALL 6 1 100 Host EndsGasBlock;
    0xf5 CREATE2 4 1 32000 Host EndsGasBlock;
    0xfa STATICCALL 6 1 100 Host EndsGasBlock;
    0xfd REVERT 2 0 0 Host Halt;
    0xfe INVALID 0 0 0 Block Halt;
    0xff SELFDESTRUCT 1 0 5000 Host Halt;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let defined = (0..=255u8).filter(|&b| info(b).is_some()).count();
        // 149 opcodes in Cancun (including INVALID, 0xfe), and Osaka's CLZ.
        assert_eq!(defined, 150);
        assert_eq!((0..=255u8).filter(|&b| Rules::CANCUN.info(b).is_some()).count(), 149);
        assert_eq!(Rules::CANCUN.info(op::CLZ), None);
        assert_eq!(Rules::LATEST.info(op::CLZ).map(|i| (i.inputs, i.outputs, i.gas)), Some((1, 1, 5)));
        for b in 0..=255u8 {
            let Some(i) = info(b) else { continue };
            if (op::DUP1..=op::DUP16).contains(&b) {
                assert_eq!(i.outputs, i.inputs + 1, "{}", i.name);
            }
            if (op::SWAP1..=op::SWAP16).contains(&b) {
                assert_eq!(i.outputs, i.inputs, "{}", i.name);
            }
        }
        assert_eq!(OpInfo::immediate_len(op::PUSH32), 32);
        assert_eq!(OpInfo::immediate_len(op::PUSH0), 0);
        assert_eq!(info(op::SSTORE).unwrap().flow, Flow::EndsGasBlock);
        assert_eq!(info(0x0c), None);
    }
}
