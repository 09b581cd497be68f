//! A tiny EVM assembler with forward labels.

use super::U256;
use std::collections::HashMap;

/// Opcode bytes.
pub use evm_to_wasm::opcodes::op;

/// The two-operand arithmetic, comparison, bitwise and shift opcodes.
pub const BINARY_OPS: &[u8] = &[
    op::ADD,
    op::MUL,
    op::SUB,
    op::DIV,
    op::SDIV,
    op::MOD,
    op::SMOD,
    op::EXP,
    op::SIGNEXTEND,
    op::LT,
    op::GT,
    op::SLT,
    op::SGT,
    op::EQ,
    op::AND,
    op::OR,
    op::XOR,
    op::BYTE,
    op::SHL,
    op::SHR,
    op::SAR,
];

/// A tiny EVM assembler with forward labels.
#[derive(Default, Clone)]
pub struct Evm {
    pub code: Vec<u8>,
    labels: HashMap<&'static str, usize>,
    fixups: Vec<(usize, &'static str)>,
}

impl Evm {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn op(mut self, o: u8) -> Self {
        self.code.push(o);
        self
    }
    pub fn ops(mut self, os: &[u8]) -> Self {
        self.code.extend_from_slice(os);
        self
    }
    /// PUSH with the minimal width (PUSH0 for zero).
    pub fn push(mut self, v: U256) -> Self {
        let bytes: [u8; 32] = v.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        if skip == 32 {
            self.code.push(op::PUSH0);
        } else {
            self.code.push(op::PUSH1 + (31 - skip) as u8);
            self.code.extend_from_slice(&bytes[skip..]);
        }
        self
    }
    pub fn pushn(self, v: u64) -> Self {
        self.push(U256::from(v))
    }
    /// PUSH32 (always 32 bytes).
    pub fn push32(mut self, v: U256) -> Self {
        self.code.push(op::PUSH32);
        self.code.extend_from_slice(&v.to_be_bytes::<32>());
        self
    }
    /// PUSH2 of a label's pc (patched when the label is placed).
    pub fn push_label(mut self, l: &'static str) -> Self {
        self.code.push(op::PUSH2);
        self.fixups.push((self.code.len(), l));
        self.code.extend_from_slice(&[0, 0]);
        self
    }
    /// JUMPDEST labelled `l`.
    pub fn label(mut self, l: &'static str) -> Self {
        self.labels.insert(l, self.code.len());
        self.code.push(op::JUMPDEST);
        self
    }
    pub fn pc(&self) -> usize {
        self.code.len()
    }
    /// mstore(0, top), return(0, 32)
    pub fn ret_top(self) -> Self {
        self.op(op::PUSH0).op(op::MSTORE).pushn(32).op(op::PUSH0).op(op::RETURN)
    }
    pub fn build(mut self) -> Vec<u8> {
        for (at, l) in &self.fixups {
            let pc = self.labels[l] as u16;
            self.code[*at..*at + 2].copy_from_slice(&pc.to_be_bytes());
        }
        self.code
    }
}

pub fn u256(bytes: &[u8]) -> U256 {
    U256::from_be_slice(bytes)
}

pub fn word(v: U256) -> Vec<u8> {
    v.to_be_bytes::<32>().to_vec()
}
